//! A horizontal bar chart of counts (e.g. organizations per maturity level).

use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::Color;

use super::{chars_in, line_height, svg, text_width, wrap, BLUE, GRID, INK, MUTED};
use crate::output::number;

#[derive(Debug, Clone)]
pub struct BarChart {
    pub id: String,
    pub title: String,
    pub bars: Vec<(String, f64)>,
    /// What the values count, written after the largest value.
    pub unit: String,
}

const LEFT: i32 = 200;
const WIDTH: i32 = 640;

pub fn render(chart: &BarChart) -> String {
    let max = chart
        .bars
        .iter()
        .map(|b| b.1)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let chars = chars_in(LEFT - 20, 14.0);
    let lines = chart
        .bars
        .iter()
        .map(|b| wrap(&b.0, chars).len())
        .max()
        .unwrap_or(1) as i32;
    let row = (line_height(14.0) * lines + 10).max(30);
    let bottom = 16 + row * (chart.bars.len() as i32).max(1);
    let value_text = |i: usize, v: f64| {
        let text = if v.fract() == 0.0 {
            number::decimals(v, 0)
        } else {
            number::decimals(v, 2)
        };
        if i == 0 && !chart.unit.is_empty() {
            format!("{text} {}", chart.unit)
        } else {
            text
        }
    };
    let clean = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
    // The longest bar leaves room for its value text inside the chart.
    let room = (0..chart.bars.len())
        .map(|i| text_width(&value_text(i, clean(chart.bars[i].1)), 13.0))
        .max()
        .unwrap_or(0);
    let right = WIDTH - 8 - room - 6;
    svg(
        &chart.id,
        &chart.title,
        WIDTH as u32,
        (bottom + 16) as u32,
        |c| {
            c.line(vec![(LEFT, 10), (LEFT, bottom)], GRID, 1);
            if chart.bars.is_empty() {
                c.text(
                    "Nothing to show.",
                    (LEFT + 8, 30),
                    14.0,
                    MUTED,
                    HPos::Left,
                    VPos::Center,
                );
            }
            for (i, (label, value)) in chart.bars.iter().enumerate() {
                let y = 16 + row * i as i32 + row / 2;
                c.row_label(label, chars, (LEFT - 10, y), 14.0);
                let v = clean(*value);
                let w = if max > 0.0 {
                    ((right - LEFT) as f64 * v / max).round() as i32
                } else {
                    0
                };
                if w > 0 {
                    c.rect((LEFT, y - 10), (LEFT + w, y + 10), BLUE.to_rgba());
                }
                c.text(
                    &value_text(i, v),
                    (LEFT + w + 6, y),
                    13.0,
                    INK,
                    HPos::Left,
                    VPos::Center,
                );
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::tests::{assert_escaped, HOSTILE};

    #[test]
    fn draws_escaped_deterministic_svg() {
        let chart = BarChart {
            id: "l".into(),
            title: HOSTILE[0].into(),
            bars: vec![
                (HOSTILE[0].into(), 3.0),
                (HOSTILE[1].into(), 0.0),
                ("x".into(), f64::NAN),
            ],
            unit: "organizations".into(),
        };
        let svg = render(&chart);
        assert_eq!(svg, render(&chart));
        assert_escaped(&svg);
        assert!(svg.contains("3 organizations"));
        let empty = BarChart {
            bars: vec![],
            ..chart
        };
        assert!(render(&empty).contains("Nothing to show"));
    }
}
