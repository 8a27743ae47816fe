//! Per dimension: the population's P25–P75 band, its median and the organization's mark.

use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::Color;

use super::{
    chars_in, drawable, line_height, svg, wrap, Canvas, GRID, INK, MUTED, ORGANIZATION, SKY, TRACK,
};
use crate::output::number;

#[derive(Debug, Clone)]
pub struct BandChart {
    pub id: String,
    pub title: String,
    pub rows: Vec<BandRow>,
    /// Legend text for the organization's mark.
    pub value_label: String,
    /// Written where a row has no value (e.g. "fewer than 5 responses").
    pub missing_label: String,
}

#[derive(Debug, Clone)]
pub struct BandRow {
    pub label: String,
    pub value: Option<f64>,
    /// Why `value` is missing, where that differs from the chart's `missing_label`.
    pub missing: Option<String>,
    pub p25: Option<f64>,
    pub median: Option<f64>,
    pub p75: Option<f64>,
}

const WIDTH: u32 = 760;
const LEFT: i32 = 250;
const RIGHT: i32 = 690;
/// Font size of row labels, in pixels.
const LABEL: f64 = 15.0;

pub fn x(value: f64) -> i32 {
    LEFT + ((RIGHT - LEFT) as f64 * value / 100.0).round() as i32
}

/// Characters per line of a row label: the column left of the plot.
pub fn label_chars() -> usize {
    chars_in(LEFT - 20, LABEL)
}

/// Height of one row: room for the longest label wrapped on its lines.
pub fn row_height<'a>(labels: impl Iterator<Item = &'a str>) -> i32 {
    let lines = labels
        .map(|l| wrap(l, label_chars()).len())
        .max()
        .unwrap_or(1) as i32;
    (line_height(LABEL) * lines + 10).max(30)
}

pub fn axis(c: &Canvas, top: i32, bottom: i32) {
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        c.line(vec![(x(tick), top), (x(tick), bottom)], GRID, 1);
        c.text(
            &number::decimals(tick, 0),
            (x(tick), bottom + 6),
            LABEL,
            MUTED,
            HPos::Center,
            VPos::Top,
        );
    }
}

pub fn render(chart: &BandChart) -> String {
    let rows = chart.rows.len() as i32;
    let row = row_height(chart.rows.iter().map(|r| r.label.as_str()));
    let name = wrap(
        &chart.value_label,
        chars_in(WIDTH as i32 - LEFT - 30, LABEL),
    );
    let top = 16 + line_height(LABEL) * name.len() as i32 + 22 + 18;
    let bottom = top + row * rows.max(1);
    svg(&chart.id, &chart.title, WIDTH, (bottom + 34) as u32, |c| {
        legend(c, &name, top);
        axis(c, top - 6, bottom);
        if chart.rows.is_empty() {
            c.text(
                "No dimensions to show.",
                (LEFT, top + 10),
                LABEL,
                MUTED,
                HPos::Left,
                VPos::Center,
            );
        }
        for (i, r) in chart.rows.iter().enumerate() {
            let y = top + row * i as i32 + row / 2;
            c.row_label(&r.label, label_chars(), (LEFT - 12, y), LABEL);
            c.rect((x(0.0), y - 9), (x(100.0), y + 9), TRACK.to_rgba());
            if let (Some(lo), Some(hi)) = (drawable(r.p25), drawable(r.p75)) {
                c.rect((x(lo), y - 9), (x(hi), y + 9), SKY.mix(0.45));
            }
            if let Some(median) = drawable(r.median) {
                c.line(vec![(x(median), y - 11), (x(median), y + 11)], INK, 3);
            }
            match drawable(r.value) {
                Some(v) => {
                    c.marker(3, (x(v), y), 6, ORGANIZATION);
                    // The value stands right of the plot, where no tick or band crosses it.
                    c.bold(
                        &number::decimals(v, 1),
                        (RIGHT + 12, y),
                        LABEL,
                        INK,
                        HPos::Left,
                        VPos::Center,
                    );
                }
                None if r.missing.is_some() || !chart.missing_label.is_empty() => c.text(
                    r.missing.as_deref().unwrap_or(&chart.missing_label),
                    (x(50.0), y),
                    LABEL,
                    MUTED,
                    HPos::Center,
                    VPos::Center,
                ),
                None => {}
            }
        }
    })
}

/// Two legend lines above the plot: the organization's mark, then the population band.
fn legend(c: &Canvas, name: &[String], top: i32) {
    let y = 16 + line_height(LABEL) * (name.len() as i32 - 1) / 2;
    c.marker(3, (LEFT + 6, y), 6, ORGANIZATION);
    c.lines(name, (LEFT + 18, y), LABEL, INK, HPos::Left);
    let y = top - 30;
    let x0 = LEFT;
    c.rect((x0, y - 7), (x0 + 22, y + 7), SKY.mix(0.45));
    c.line(vec![(x0 + 11, y - 9), (x0 + 11, y + 9)], INK, 3);
    c.text(
        "Population P25–P75 and median",
        (x0 + 30, y),
        LABEL,
        INK,
        HPos::Left,
        VPos::Center,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::tests::{assert_escaped, HOSTILE};

    fn row(value: Option<f64>) -> BandRow {
        BandRow {
            missing: None,
            label: HOSTILE[0].into(),
            value,
            p25: Some(40.0),
            median: Some(50.0),
            p75: Some(60.0),
        }
    }

    #[test]
    fn draws_escaped_deterministic_svg() {
        let chart = BandChart {
            id: "b".into(),
            title: HOSTILE[1].into(),
            rows: vec![row(Some(72.5)), row(Some(f64::NAN))],
            value_label: HOSTILE[1].into(),
            missing_label: "fewer than 5 responses".into(),
        };
        let svg = render(&chart);
        assert_eq!(svg, render(&chart));
        assert_escaped(&svg);
        assert!(svg.contains("72.5"));
        // NaN is treated as missing: its row says so instead of drawing a mark at 0.
        assert!(svg.contains("fewer than 5 responses"));
    }

    #[test]
    fn empty_and_missing_rows_do_not_panic() {
        let empty = BandChart {
            id: "e".into(),
            title: "t".into(),
            rows: vec![],
            value_label: String::new(),
            missing_label: String::new(),
        };
        assert!(render(&empty).contains("No dimensions"));
        let none = BandChart {
            rows: vec![BandRow {
                label: "x".into(),
                value: None,
                missing: None,
                p25: None,
                median: None,
                p75: None,
            }],
            ..empty
        };
        assert!(!render(&none).contains("fewer than"));
    }
}
