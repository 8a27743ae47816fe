//! Perception gaps: per dimension, two roles' means joined by a line; large gaps highlighted.

use plotters::style::text_anchor::{HPos, VPos};

use super::band::{axis, x};
use super::{drawable, svg, truncate, BLUE, GRID, INK, MUTED, ORANGE, VERMILLION};

#[derive(Debug, Clone)]
pub struct DumbbellChart {
    pub id: String,
    pub title: String,
    pub first_label: String,
    pub second_label: String,
    pub rows: Vec<DumbbellRow>,
}

#[derive(Debug, Clone)]
pub struct DumbbellRow {
    pub label: String,
    pub first: Option<f64>,
    pub second: Option<f64>,
    pub flagged: bool,
}

const WIDTH: u32 = 760;
const LEFT: i32 = 250;
const TOP: i32 = 58;
const ROW: i32 = 28;

pub fn render(chart: &DumbbellChart) -> String {
    let bottom = TOP + ROW * (chart.rows.len() as i32).max(1);
    svg(&chart.id, &chart.title, WIDTH, (bottom + 34) as u32, |c| {
        let y = 18;
        c.marker(0, (LEFT + 6, y), 5, BLUE);
        c.text(
            &truncate(&chart.first_label, 28),
            (LEFT + 16, y),
            14.0,
            INK,
            HPos::Left,
            VPos::Center,
        );
        c.marker(1, (LEFT + 236, y), 5, ORANGE);
        c.text(
            &truncate(&chart.second_label, 28),
            (LEFT + 246, y),
            14.0,
            INK,
            HPos::Left,
            VPos::Center,
        );
        c.line(vec![(LEFT + 420, y), (LEFT + 444, y)], VERMILLION, 4);
        c.text(
            "large gap",
            (LEFT + 450, y),
            14.0,
            INK,
            HPos::Left,
            VPos::Center,
        );
        axis(c, TOP - 6, bottom);
        for (i, row) in chart.rows.iter().enumerate() {
            let y = TOP + ROW * i as i32 + ROW / 2;
            let label = truncate(&row.label, 32);
            if row.flagged {
                c.bold(
                    &format!("! {label}"),
                    (LEFT - 12, y),
                    14.0,
                    VERMILLION,
                    HPos::Right,
                    VPos::Center,
                );
            } else {
                c.text(&label, (LEFT - 12, y), 14.0, INK, HPos::Right, VPos::Center);
            }
            c.line(vec![(x(0.0), y), (x(100.0), y)], GRID, 1);
            match (drawable(row.first), drawable(row.second)) {
                (Some(a), Some(b)) => {
                    let (color, width) = if row.flagged {
                        (VERMILLION, 4)
                    } else {
                        (MUTED, 2)
                    };
                    c.line(vec![(x(a), y), (x(b), y)], color, width);
                    c.marker(1, (x(b), y), 5, ORANGE);
                    c.marker(0, (x(a), y), 5, BLUE);
                }
                (first, second) => {
                    if let Some(a) = first {
                        c.marker(0, (x(a), y), 5, BLUE);
                    }
                    if let Some(b) = second {
                        c.marker(1, (x(b), y), 5, ORANGE);
                    }
                    c.text(
                        "not shown",
                        (x(100.0) + 6, y),
                        12.0,
                        MUTED,
                        HPos::Left,
                        VPos::Center,
                    );
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::tests::{assert_escaped, HOSTILE};

    #[test]
    fn draws_escaped_deterministic_svg_and_flags() {
        let chart = DumbbellChart {
            id: "d".into(),
            title: "gap".into(),
            first_label: HOSTILE[0].into(),
            second_label: HOSTILE[1].into(),
            rows: vec![
                DumbbellRow {
                    label: HOSTILE[0].into(),
                    first: Some(70.0),
                    second: Some(40.0),
                    flagged: true,
                },
                DumbbellRow {
                    label: "Trust".into(),
                    first: None,
                    second: Some(40.0),
                    flagged: false,
                },
            ],
        };
        let svg = render(&chart);
        assert_eq!(svg, render(&chart));
        assert_escaped(&svg);
        assert!(svg.contains("! &lt;script"));
        assert!(svg.contains("not shown"));
        let empty = DumbbellChart {
            rows: vec![],
            ..chart
        };
        assert!(render(&empty).starts_with("<svg"));
    }
}
