//! A horizontal bar chart of counts (e.g. organizations per maturity level).

use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::Color;

use super::{svg, BLUE, GRID, INK, MUTED};

#[derive(Debug, Clone)]
pub struct BarChart {
    pub id: String,
    pub title: String,
    pub bars: Vec<(String, f64)>,
    /// What the values count, written after the largest value.
    pub unit: String,
}

const LEFT: i32 = 200;
const RIGHT: i32 = 560;
const ROW: i32 = 30;

pub fn render(chart: &BarChart) -> String {
    let max = chart
        .bars
        .iter()
        .map(|b| b.1)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let bottom = 16 + ROW * (chart.bars.len() as i32).max(1);
    svg(&chart.id, &chart.title, 640, (bottom + 16) as u32, |c| {
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
            let y = 16 + ROW * i as i32 + ROW / 2;
            c.row_label(label, 28, (LEFT - 10, y), 14.0);
            let v = if value.is_finite() {
                value.max(0.0)
            } else {
                0.0
            };
            let w = if max > 0.0 {
                ((RIGHT - LEFT) as f64 * v / max).round() as i32
            } else {
                0
            };
            if w > 0 {
                c.rect((LEFT, y - 10), (LEFT + w, y + 10), BLUE.to_rgba());
            }
            let text = if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.2}")
            };
            let suffix = if i == 0 && !chart.unit.is_empty() {
                format!(" {}", chart.unit)
            } else {
                String::new()
            };
            c.text(
                &format!("{text}{suffix}"),
                (LEFT + w + 6, y),
                13.0,
                INK,
                HPos::Left,
                VPos::Center,
            );
        }
    })
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
