//! Answer distributions per item as diverging stacked bars centred on the neutral answer.

use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, RGBColor};

use super::{svg, truncate, Canvas, GRID, INK, MUTED};

#[derive(Debug, Clone)]
pub struct DivergingChart {
    pub id: String,
    pub title: String,
    /// Answer categories from most negative to most positive.
    pub categories: Vec<String>,
    pub rows: Vec<DivergingRow>,
}

#[derive(Debug, Clone)]
pub struct DivergingRow {
    pub label: String,
    /// Answers per category.
    pub counts: Vec<u64>,
}

const WIDTH: u32 = 760;
const LEFT: i32 = 300;
const RIGHT: i32 = 740;
const CENTRE: i32 = (LEFT + RIGHT) / 2;
const ROW: i32 = 28;

/// Colours from negative (vermillion) through grey to positive (blue), darker at the ends.
fn colour(category: usize, k: usize) -> RGBColor {
    const NEGATIVE: [RGBColor; 3] = [
        RGBColor(0xA6, 0x3D, 0x00),
        RGBColor(0xD5, 0x5E, 0x00),
        RGBColor(0xF2, 0xB1, 0x7A),
    ];
    const POSITIVE: [RGBColor; 3] = [
        RGBColor(0x00, 0x4C, 0x7A),
        RGBColor(0x00, 0x72, 0xB2),
        RGBColor(0x8C, 0xC4, 0xE8),
    ];
    let middle = k / 2;
    if k % 2 == 1 && category == middle {
        return RGBColor(0xbd, 0xc3, 0xc9);
    }
    let half = k / 2;
    if category < half {
        // distance from the centre: the nearest negative category is the lightest
        let step = half - 1 - category;
        NEGATIVE[NEGATIVE.len() - 1 - step.min(NEGATIVE.len() - 1)]
    } else {
        let step = category - (k - half);
        POSITIVE[POSITIVE.len() - 1 - step.min(POSITIVE.len() - 1)]
    }
}

fn scale(share: f64) -> i32 {
    ((RIGHT - CENTRE) as f64 * share).round() as i32
}

pub fn render(chart: &DivergingChart) -> String {
    let k = chart.categories.len();
    let legend_rows = (k as i32 + 2) / 3;
    let top = 20 + 22 * legend_rows + 10;
    let bottom = top + ROW * (chart.rows.len() as i32).max(1);
    svg(&chart.id, &chart.title, WIDTH, (bottom + 30) as u32, |c| {
        for (i, category) in chart.categories.iter().enumerate() {
            let lx = 20 + 245 * (i as i32 % 3);
            let ly = 20 + 22 * (i as i32 / 3);
            c.rect((lx, ly - 7), (lx + 18, ly + 7), colour(i, k).to_rgba());
            c.text(
                &truncate(category, 30),
                (lx + 24, ly),
                13.0,
                INK,
                HPos::Left,
                VPos::Center,
            );
        }
        for share in [-1.0, -0.5, 0.0, 0.5, 1.0] {
            let x = CENTRE + scale(share);
            c.line(vec![(x, top - 4), (x, bottom)], GRID, 1);
            c.text(
                &format!("{:.0}%", share.abs() * 100.0),
                (x, bottom + 4),
                12.0,
                MUTED,
                HPos::Center,
                VPos::Top,
            );
        }
        for (r, row) in chart.rows.iter().enumerate() {
            let y = top + ROW * r as i32 + ROW / 2;
            c.row_label(&row.label, 44, (LEFT - 10, y), 13.0);
            draw_row(c, row, k, y);
        }
        c.line(vec![(CENTRE, top - 4), (CENTRE, bottom)], INK, 1);
    })
}

fn draw_row(c: &Canvas, row: &DivergingRow, k: usize, y: i32) {
    let total: u64 = row.counts.iter().take(k).sum();
    if total == 0 || k == 0 {
        return;
    }
    let share = |i: usize| row.counts.get(i).copied().unwrap_or(0) as f64 / total as f64;
    let half = k / 2;
    let neutral = (k % 2 == 1).then_some(half);
    // Negative categories stack leftwards from the centre (or from the neutral half-bar).
    let mut left = CENTRE - neutral.map_or(0, |m| scale(share(m) / 2.0));
    for i in (0..half).rev() {
        let w = scale(share(i));
        c.rect((left - w, y - 9), (left, y + 9), colour(i, k).to_rgba());
        left -= w;
    }
    let mut right = CENTRE + neutral.map_or(0, |m| scale(share(m) / 2.0));
    if let Some(m) = neutral {
        let w = scale(share(m) / 2.0);
        c.rect(
            (CENTRE - w, y - 9),
            (CENTRE + w, y + 9),
            colour(m, k).to_rgba(),
        );
    }
    for i in (k - half)..k {
        let w = scale(share(i));
        c.rect((right, y - 9), (right + w, y + 9), colour(i, k).to_rgba());
        right += w;
    }
    let positive: f64 = ((k - half)..k).map(share).sum();
    c.text(
        &format!("{:.0}%", positive * 100.0),
        (right + 4, y),
        12.0,
        INK,
        HPos::Left,
        VPos::Center,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::tests::{assert_escaped, texts, HOSTILE};

    #[test]
    fn draws_escaped_deterministic_svg() {
        let chart = DivergingChart {
            id: "v".into(),
            title: "items".into(),
            categories: vec![
                HOSTILE[0].into(),
                "Disagree".into(),
                "Neither".into(),
                "Agree".into(),
                HOSTILE[1].into(),
            ],
            rows: vec![
                DivergingRow {
                    label: HOSTILE[0].into(),
                    counts: vec![1, 2, 3, 4, 10],
                },
                DivergingRow {
                    label: "nobody".into(),
                    counts: vec![0; 5],
                },
            ],
        };
        let svg = render(&chart);
        assert_eq!(svg, render(&chart));
        assert_escaped(&svg);
        // 4 + 10 of 20 agree: 70%.
        assert!(texts(&svg).contains(&"70%".to_string()));
        let empty = DivergingChart {
            categories: vec![],
            rows: vec![],
            ..chart
        };
        assert!(render(&empty).starts_with("<svg"));
    }

    #[test]
    fn colours_darken_towards_the_ends() {
        assert_eq!(colour(0, 7), RGBColor(0xA6, 0x3D, 0x00));
        assert_eq!(colour(0, 5), RGBColor(0xD5, 0x5E, 0x00));
        assert_eq!(colour(2, 5), RGBColor(0xbd, 0xc3, 0xc9));
        assert_eq!(colour(1, 4), RGBColor(0xF2, 0xB1, 0x7A));
        assert_eq!(colour(2, 4), RGBColor(0x8C, 0xC4, 0xE8));
    }
}
