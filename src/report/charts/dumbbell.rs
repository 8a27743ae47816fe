//! Perception gaps: per dimension, two roles' means joined by a line; large gaps highlighted.

use plotters::style::text_anchor::{HPos, VPos};

use super::band::{axis, label_chars, row_height, x};
use super::{drawable, flow, role_style, svg, text_width, GRID, INK, MUTED};
use crate::output::number;

#[derive(Debug, Clone)]
pub struct DumbbellChart {
    pub id: String,
    pub title: String,
    pub first_label: String,
    pub second_label: String,
    /// The two roles' positions in the instrument: each role keeps its colour and marker
    /// in every chart of the page ([`role_style`]).
    pub first_role: usize,
    pub second_role: usize,
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

pub fn render(chart: &DumbbellChart) -> String {
    let row = row_height(chart.rows.iter().map(|r| r.label.as_str()));
    // Legend: the two roles and the mark of a large gap, flowed over as many lines as needed.
    let entries = [
        chart.first_label.as_str(),
        chart.second_label.as_str(),
        "large gap !",
    ];
    let widths: Vec<i32> = entries.iter().map(|t| 30 + text_width(t, 14.0)).collect();
    let places = flow(&widths, (LEFT - 60, 18), WIDTH as i32 - 8, (24, 24));
    let top = places.last().map_or(18, |p| p.1) + 40;
    let bottom = top + row * (chart.rows.len() as i32).max(1);
    let (first_colour, first_shape) = role_style(chart.first_role);
    let (second_colour, second_shape) = role_style(chart.second_role);
    svg(&chart.id, &chart.title, WIDTH, (bottom + 34) as u32, |c| {
        for (k, (&(lx, ly), text)) in places.iter().zip(entries).enumerate() {
            match k {
                0 => c.marker(first_shape, (lx + 8, ly), 5, first_colour),
                1 => c.marker(second_shape, (lx + 8, ly), 5, second_colour),
                _ => c.line(vec![(lx, ly), (lx + 22, ly)], INK, 4),
            }
            c.text(text, (lx + 30, ly), 14.0, INK, HPos::Left, VPos::Center);
        }
        axis(c, top - 6, bottom);
        for (i, r) in chart.rows.iter().enumerate() {
            let y = top + row * i as i32 + row / 2;
            c.row_label(&r.label, label_chars(), (LEFT - 12, y), 13.0);
            c.line(vec![(x(0.0), y), (x(100.0), y)], GRID, 1);
            match (drawable(r.first), drawable(r.second)) {
                (Some(a), Some(b)) => {
                    let (color, width) = if r.flagged { (INK, 4) } else { (MUTED, 2) };
                    c.line(vec![(x(a), y), (x(b), y)], color, width);
                    c.marker(second_shape, (x(b), y), 5, second_colour);
                    c.marker(first_shape, (x(a), y), 5, first_colour);
                    // The gap and its flag stand right of the plot, inside the chart.
                    let gap = a - b;
                    let text = number::signed(gap);
                    if r.flagged {
                        c.bold(
                            &format!("{text} !"),
                            (x(100.0) + 10, y),
                            12.0,
                            INK,
                            HPos::Left,
                            VPos::Center,
                        );
                    } else {
                        c.text(
                            &text,
                            (x(100.0) + 10, y),
                            12.0,
                            MUTED,
                            HPos::Left,
                            VPos::Center,
                        );
                    }
                }
                (first, second) => {
                    if let Some(a) = first {
                        c.marker(first_shape, (x(a), y), 5, first_colour);
                    }
                    if let Some(b) = second {
                        c.marker(second_shape, (x(b), y), 5, second_colour);
                    }
                    c.text(
                        "not shown",
                        (x(50.0), y - 12),
                        12.0,
                        MUTED,
                        HPos::Center,
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
            first_role: 1,
            second_role: 0,
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
        assert!(svg.contains("+30.0 !"));
        assert!(svg.contains("not shown"));
        let empty = DumbbellChart {
            rows: vec![],
            ..chart
        };
        assert!(render(&empty).starts_with("<svg"));
    }
}
