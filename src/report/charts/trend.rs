//! The index and dimensions across waves as small multiples: one small panel per measure,
//! all on one shared axis fitted to the data (at least [`MIN_SPAN`] points wide, so a change
//! of a few points is visible and no panel exaggerates its own), so that many measures stay
//! readable (one chart of eleven crossing lines is not). A ring marks a meaningful change into
//! a wave.

use plotters::style::text_anchor::{HPos, VPos};

use super::{
    chars_in, drawable, line_height, svg, text_width, wrap, GRID, INK, MUTED, ORGANIZATION,
    VERMILLION,
};
use crate::output::number;

#[derive(Debug, Clone)]
pub struct TrendChart {
    pub id: String,
    pub title: String,
    pub waves: Vec<String>,
    /// The first series is drawn boldest (the index).
    pub series: Vec<TrendSeries>,
}

#[derive(Debug, Clone)]
pub struct TrendSeries {
    pub name: String,
    pub values: Vec<Option<f64>>,
    /// Per wave: whether the change into this wave is meaningful.
    pub meaningful: Vec<bool>,
}

/// One panel's width: four fit the 760 px of the other charts.
const PANEL_W: i32 = 188;
/// Room for the 0/50/100 labels left of each plot.
const AXIS_W: i32 = 26;
const PLOT_H: i32 = 84;
const TITLE: f64 = 12.0;
/// Axis labels, wave labels and the latest value.
const TICK: f64 = 12.0;
/// The narrowest span of the shared axis, in points.
pub const MIN_SPAN: f64 = 20.0;

/// The shared axis of every panel: the values' range widened to whole tens, at least
/// [`MIN_SPAN`] points wide, within 0–100; 0–100 when there is nothing to draw.
pub fn axis(series: &[TrendSeries]) -> (f64, f64) {
    let values = || {
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .filter_map(drawable)
    };
    let (Some(min), Some(max)) = (
        values().min_by(f64::total_cmp),
        values().max_by(f64::total_cmp),
    ) else {
        return (0.0, 100.0);
    };
    let mut lo = (min / 10.0).floor() * 10.0;
    let mut hi = (max / 10.0).ceil() * 10.0;
    while hi - lo < MIN_SPAN {
        // Widen on the side with more room left, keeping the data centred.
        if (lo > 0.0 && min - lo <= hi - max) || hi >= 100.0 {
            lo = (lo - 10.0).max(0.0);
        } else {
            hi = (hi + 10.0).min(100.0);
        }
    }
    (lo, hi)
}

/// One `<svg>` per panel, all of one size and on the same axis, so that a page can lay them out
/// in a grid that wraps: four to a row on a wide screen and on paper, one per row on a phone,
/// each at a readable size. The legend of the ring is the page's (see [`LEGEND`]).
pub fn render(chart: &TrendChart) -> Vec<String> {
    let n = chart.waves.len();
    let (lo, hi) = axis(&chart.series);
    let chars = chars_in(PANEL_W - 12, TITLE);
    // Every panel reserves room for the longest title, so the plots of a row line up.
    let title_lines = chart
        .series
        .iter()
        .map(|s| wrap(&s.name, chars).len())
        .max()
        .unwrap_or(1) as i32;
    let title_h = line_height(TITLE) * title_lines + 6;
    // Title, plot and wave labels.
    let panel_h = title_h + 10 + PLOT_H + 24;
    // Wave labels: every wave when they fit under the plot, else the first and the last.
    let plot_w = PANEL_W - AXIS_W - 26;
    let widest = chart
        .waves
        .iter()
        .map(|w| text_width(w, TICK))
        .max()
        .unwrap_or(0);
    let every = n <= 1 || widest + 6 <= plot_w / (n as i32 - 1).max(1);
    let range = format!("{} to {}", number::decimals(lo, 0), number::decimals(hi, 0));
    chart
        .series
        .iter()
        .enumerate()
        .map(|(s, series)| {
            let title = format!(
                "{}: {}, on the shared axis from {range}",
                chart.title, series.name
            );
            svg(
                &format!("{}-{s}", chart.id),
                &title,
                PANEL_W as u32,
                panel_h as u32,
                |c| {
                    panel(
                        c,
                        chart,
                        s,
                        series,
                        (lo, hi),
                        (chars, title_h, plot_w, every),
                    )
                },
            )
        })
        .collect()
}

/// What the ring in a panel means, for the page to print once under the panels.
pub const LEGEND: &str = "meaningful change into this wave (see the methods appendix)";

fn panel(
    c: &super::Canvas,
    chart: &TrendChart,
    s: usize,
    series: &TrendSeries,
    (lo, hi): (f64, f64),
    (chars, title_h, plot_w, every): (usize, i32, i32, bool),
) {
    let n = chart.waves.len();
    let (px, py) = (0, 0);
    let lines = wrap(&series.name, chars);
    for (i, line) in lines.iter().enumerate() {
        let at = (px + 4, py + 10 + line_height(TITLE) * i as i32);
        if s == 0 {
            c.bold(line, at, TITLE, INK, HPos::Left, VPos::Center);
        } else {
            c.text(line, at, TITLE, INK, HPos::Left, VPos::Center);
        }
    }
    let top = py + title_h + 10;
    let bottom = top + PLOT_H;
    let left = px + AXIS_W;
    let right = left + plot_w;
    let y = |v: f64| bottom - ((PLOT_H as f64) * (v - lo) / (hi - lo)).round() as i32;
    let x = |w: usize| {
        if n <= 1 {
            (left + right) / 2
        } else {
            left + 10 + ((right - left - 20) as f64 * w as f64 / (n - 1) as f64).round() as i32
        }
    };
    for tick in [lo, (lo + hi) / 2.0, hi] {
        c.line(vec![(left, y(tick)), (right, y(tick))], GRID, 1);
        c.text(
            &number::decimals(tick, 0),
            (left - 4, y(tick)),
            TICK,
            MUTED,
            HPos::Right,
            VPos::Center,
        );
    }
    for (w, wave) in chart.waves.iter().enumerate() {
        if every || w == 0 || w + 1 == n {
            let h = if every || n <= 1 {
                HPos::Center
            } else if w == 0 {
                HPos::Left
            } else {
                HPos::Right
            };
            let at = match h {
                HPos::Left => left,
                HPos::Right => right,
                _ => x(w),
            };
            c.text(wave, (at, bottom + 8), TICK, MUTED, h, VPos::Top);
        }
    }
    // Every panel is the organization: its colour, the index drawn boldest.
    let width = if s == 0 { 3 } else { 2 };
    let values: Vec<Option<f64>> = (0..n)
        .map(|w| drawable(series.values.get(w).copied().flatten()).map(|v| v.clamp(lo, hi)))
        .collect();
    for w in 1..n {
        if let (Some(a), Some(b)) = (values[w - 1], values[w]) {
            c.line(vec![(x(w - 1), y(a)), (x(w), y(b))], ORGANIZATION, width);
        }
    }
    for (w, v) in values.iter().enumerate() {
        if let Some(v) = v {
            c.marker(0, (x(w), y(*v)), 3, ORGANIZATION);
            if series.meaningful.get(w).copied().unwrap_or(false) {
                c.circle((x(w), y(*v)), 8, VERMILLION, false);
            }
        }
    }
    // A panel with nothing drawn says so, rather than showing an empty plot.
    if values.iter().all(Option::is_none) {
        c.text(
            "not shown in any wave",
            ((left + right) / 2, (top + bottom) / 2),
            TICK,
            MUTED,
            HPos::Center,
            VPos::Center,
        );
    }
    // The latest value, right of the plot.
    if let Some(v) = values.iter().rev().find_map(|v| *v) {
        c.bold(
            &number::decimals(v, 0),
            (right + 4, y(v)),
            TICK,
            INK,
            HPos::Left,
            VPos::Center,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::tests::{assert_escaped, HOSTILE};

    fn series(values: &[f64]) -> TrendSeries {
        TrendSeries {
            name: "x".into(),
            values: values.iter().map(|&v| Some(v)).collect(),
            meaningful: vec![],
        }
    }

    #[test]
    fn the_shared_axis_fits_the_data_and_spans_at_least_twenty_points() {
        assert_eq!(axis(&[]), (0.0, 100.0));
        assert_eq!(
            axis(&[series(&[61.4, 63.7]), series(&[67.2])]),
            (50.0, 70.0)
        );
        assert_eq!(axis(&[series(&[44.4, 86.4])]), (40.0, 90.0));
        assert_eq!(axis(&[series(&[99.0, 100.0])]), (80.0, 100.0));
        assert_eq!(axis(&[series(&[0.0, 2.0])]), (0.0, 20.0));
        assert_eq!(axis(&[series(&[50.0])]), (40.0, 60.0));
        let (lo, hi) = axis(&[series(&[0.0, 100.0])]);
        assert_eq!((lo, hi), (0.0, 100.0));
    }

    #[test]
    fn draws_escaped_deterministic_svg() {
        let chart = TrendChart {
            id: "t".into(),
            title: HOSTILE[0].into(),
            waves: vec![HOSTILE[1].into(), "2025-H2".into(), "2026-H1".into()],
            series: vec![
                TrendSeries {
                    name: HOSTILE[0].into(),
                    values: vec![Some(40.0), None, Some(60.0)],
                    meaningful: vec![false, false, true],
                },
                TrendSeries {
                    name: "Trust".into(),
                    values: vec![None, None, None],
                    meaningful: vec![],
                },
            ],
        };
        let panels = render(&chart);
        assert_eq!(panels.len(), 2);
        assert_eq!(panels, render(&chart));
        for svg in &panels {
            assert_escaped(svg);
        }
        // Every panel has the same size, so a row of them lines up.
        let size = |svg: &str| svg.split('"').nth(3).map(str::to_string);
        assert_eq!(size(&panels[0]), size(&panels[1]));
        // The panel with no value says so; the one with values does not.
        assert!(panels[1].contains("not shown in any wave"));
        assert!(!panels[0].contains("not shown in any wave"));
        let empty = TrendChart {
            waves: vec![],
            series: vec![],
            ..chart
        };
        assert!(render(&empty).is_empty());
    }
}
