//! Per dimension: the population's P25–P75 band, its median and the organization's mark.

use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::Color;

use super::{drawable, svg, truncate, Canvas, BLUE, GRID, INK, MUTED, SKY, TRACK, VERMILLION};

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
    pub p25: Option<f64>,
    pub median: Option<f64>,
    pub p75: Option<f64>,
}

const WIDTH: u32 = 760;
const LEFT: i32 = 250;
const RIGHT: i32 = 700;
const TOP: i32 = 58;
const ROW: i32 = 30;

pub fn x(value: f64) -> i32 {
    LEFT + ((RIGHT - LEFT) as f64 * value / 100.0).round() as i32
}

pub fn axis(c: &Canvas, top: i32, bottom: i32) {
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        c.line(vec![(x(tick), top), (x(tick), bottom)], GRID, 1);
        c.text(
            &format!("{tick:.0}"),
            (x(tick), bottom + 6),
            13.0,
            MUTED,
            HPos::Center,
            VPos::Top,
        );
    }
}

pub fn render(chart: &BandChart) -> String {
    let rows = chart.rows.len() as i32;
    let bottom = TOP + ROW * rows.max(1);
    svg(&chart.id, &chart.title, WIDTH, (bottom + 34) as u32, |c| {
        legend(c, &chart.value_label);
        axis(c, TOP - 6, bottom);
        if chart.rows.is_empty() {
            c.text(
                "No dimensions to show.",
                (LEFT, TOP + 10),
                14.0,
                MUTED,
                HPos::Left,
                VPos::Center,
            );
        }
        for (i, row) in chart.rows.iter().enumerate() {
            let y = TOP + ROW * i as i32 + ROW / 2;
            c.row_label(&row.label, 34, (LEFT - 12, y), 14.0);
            c.rect((x(0.0), y - 9), (x(100.0), y + 9), TRACK.to_rgba());
            if let (Some(lo), Some(hi)) = (drawable(row.p25), drawable(row.p75)) {
                c.rect((x(lo), y - 9), (x(hi), y + 9), SKY.mix(0.45));
            }
            if let Some(median) = drawable(row.median) {
                c.line(vec![(x(median), y - 11), (x(median), y + 11)], BLUE, 3);
            }
            match drawable(row.value) {
                Some(v) => {
                    c.marker(3, (x(v), y), 6, VERMILLION);
                    let (tx, h) = if v > 88.0 {
                        (x(v) - 10, HPos::Right)
                    } else {
                        (x(v) + 10, HPos::Left)
                    };
                    c.bold(&format!("{v:.1}"), (tx, y - 1), 13.0, INK, h, VPos::Center);
                }
                None if !chart.missing_label.is_empty() => c.text(
                    &chart.missing_label,
                    (x(50.0), y),
                    13.0,
                    MUTED,
                    HPos::Center,
                    VPos::Center,
                ),
                None => {}
            }
        }
    })
}

fn legend(c: &Canvas, value_label: &str) {
    let y = 18;
    c.marker(3, (LEFT + 6, y), 6, VERMILLION);
    c.text(
        &truncate(value_label, 30),
        (LEFT + 18, y),
        14.0,
        INK,
        HPos::Left,
        VPos::Center,
    );
    let x0 = LEFT + 250;
    c.rect((x0, y - 7), (x0 + 22, y + 7), SKY.mix(0.45));
    c.line(vec![(x0 + 11, y - 9), (x0 + 11, y + 9)], BLUE, 3);
    c.text(
        "Population P25–P75 and median",
        (x0 + 30, y),
        14.0,
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
                p25: None,
                median: None,
                p75: None,
            }],
            ..empty
        };
        assert!(!render(&none).contains("fewer than"));
    }
}
