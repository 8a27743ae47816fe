//! The index and dimensions across waves; a ring marks a meaningful change into a wave.

use plotters::style::text_anchor::{HPos, VPos};

use super::{drawable, svg, truncate, GRID, INK, MUTED, SERIES, VERMILLION};

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

const WIDTH: u32 = 760;
const LEFT: i32 = 48;
const RIGHT: i32 = 470;
const TOP: i32 = 20;
const BOTTOM: i32 = 300;

fn y(value: f64) -> i32 {
    BOTTOM - ((BOTTOM - TOP) as f64 * value / 100.0).round() as i32
}

pub fn render(chart: &TrendChart) -> String {
    let n = chart.waves.len();
    let x = |w: usize| {
        if n <= 1 {
            (LEFT + RIGHT) / 2
        } else {
            LEFT + 20 + ((RIGHT - LEFT - 40) as f64 * w as f64 / (n - 1) as f64).round() as i32
        }
    };
    let legend_bottom = TOP + 22 * chart.series.len() as i32 + 40;
    let height = (BOTTOM + 40).max(legend_bottom) as u32;
    svg(&chart.id, &chart.title, WIDTH, height, |c| {
        for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
            c.line(vec![(LEFT, y(tick)), (RIGHT, y(tick))], GRID, 1);
            c.text(
                &format!("{tick:.0}"),
                (LEFT - 6, y(tick)),
                13.0,
                MUTED,
                HPos::Right,
                VPos::Center,
            );
        }
        for (w, wave) in chart.waves.iter().enumerate() {
            c.text(
                &truncate(wave, 14),
                (x(w), BOTTOM + 8),
                13.0,
                INK,
                HPos::Center,
                VPos::Top,
            );
        }
        for (s, series) in chart.series.iter().enumerate().rev() {
            let color = SERIES[s % SERIES.len()];
            let width = if s == 0 { 4 } else { 2 };
            let values: Vec<Option<f64>> = (0..n)
                .map(|w| drawable(series.values.get(w).copied().flatten()))
                .collect();
            for w in 1..n {
                if let (Some(a), Some(b)) = (values[w - 1], values[w]) {
                    let segment = vec![(x(w - 1), y(a)), (x(w), y(b))];
                    match s % 3 {
                        0 => c.line(segment, color, width),
                        1 => c.dashed(segment, color, width, 8, 4),
                        _ => c.dashed(segment, color, width, 3, 3),
                    }
                }
            }
            for (w, v) in values.iter().enumerate() {
                if let Some(v) = v {
                    c.marker(s, (x(w), y(*v)), if s == 0 { 5 } else { 3 }, color);
                    if series.meaningful.get(w).copied().unwrap_or(false) {
                        c.circle((x(w), y(*v)), 10, VERMILLION, false);
                    }
                }
            }
        }
        // Legend to the right.
        let lx = RIGHT + 30;
        for (s, series) in chart.series.iter().enumerate() {
            let ly = TOP + 10 + 22 * s as i32;
            let color = SERIES[s % SERIES.len()];
            c.marker(s, (lx + 8, ly), if s == 0 { 5 } else { 3 }, color);
            let label = truncate(&series.name, 30);
            if s == 0 {
                c.bold(&label, (lx + 22, ly), 14.0, INK, HPos::Left, VPos::Center);
            } else {
                c.text(&label, (lx + 22, ly), 13.0, INK, HPos::Left, VPos::Center);
            }
        }
        let ly = TOP + 10 + 22 * chart.series.len() as i32 + 6;
        c.circle((lx + 8, ly), 8, VERMILLION, false);
        c.text(
            "meaningful change",
            (lx + 22, ly),
            13.0,
            INK,
            HPos::Left,
            VPos::Center,
        );
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::tests::{assert_escaped, HOSTILE};

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
        let svg = render(&chart);
        assert_eq!(svg, render(&chart));
        assert_escaped(&svg);
        let empty = TrendChart {
            waves: vec![],
            series: vec![],
            ..chart
        };
        assert!(render(&empty).starts_with("<svg"));
    }
}
