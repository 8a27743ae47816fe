//! A grid of values: organizations × dimensions (0–100), or a correlation matrix (−1..1).

use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, RGBColor};

use super::{chars_in, line_height, svg, wrap, INK, MUTED};
use crate::output::number;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeatScale {
    /// 0–100, a single-hue ramp from light to dark.
    Percent,
    /// −1..1, vermillion through white to blue.
    Correlation,
    /// Points above or below a median, ±[`DIFFERENCE_SPAN`]: orange through white to blue,
    /// light enough at both ends for ink text (contrast 5:1 or more, as axe-core requires),
    /// each cell written with its sign.
    Difference,
}

/// The difference drawn at full colour, in points.
pub const DIFFERENCE_SPAN: f64 = 25.0;

#[derive(Debug, Clone)]
pub struct HeatmapChart {
    pub id: String,
    pub title: String,
    pub row_labels: Vec<String>,
    pub col_labels: Vec<String>,
    /// `cells[row][col]`; `None` is drawn as an empty, hatched-grey cell.
    pub cells: Vec<Vec<Option<f64>>>,
    pub scale: HeatScale,
    /// Decimals of the value written in each cell.
    pub decimals: usize,
    /// Text written in each cell instead of its value, lines separated by `\n` (a breakdown's
    /// cell: the unit's mean and its difference from the organization); for a cell without a
    /// value, what it says instead of a dash ("not shown").
    pub texts: Option<Vec<Vec<String>>>,
}

const LEFT: i32 = 230;
/// Font size of the cells' text and of the colour key's end labels.
const CELL: f64 = 13.0;
/// Height of the column labels, written upwards on up to two lines.
const HEADER: i32 = 190;

fn lerp(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Fill colour and whether it is dark (white text) for a value.
fn fill(scale: HeatScale, value: f64) -> (RGBColor, bool) {
    match scale {
        HeatScale::Percent => {
            let t = (value / 100.0).clamp(0.0, 1.0);
            // light sky (#eef6fb) to deep blue (#08306b): lightness falls monotonically
            (
                lerp(RGBColor(0xee, 0xf6, 0xfb), RGBColor(0x08, 0x30, 0x6b), t),
                t > 0.55,
            )
        }
        HeatScale::Difference => {
            let t = (value / DIFFERENCE_SPAN).clamp(-1.0, 1.0);
            // Both ends keep a relative luminance above 0.3 (#5fa0d0, #e8894a), so ink text
            // stays readable on every cell.
            let end = if t >= 0.0 {
                RGBColor(0x5f, 0xa0, 0xd0)
            } else {
                RGBColor(0xe8, 0x89, 0x4a)
            };
            (lerp(RGBColor(0xff, 0xff, 0xff), end, t.abs()), false)
        }
        HeatScale::Correlation => {
            let t = value.clamp(-1.0, 1.0);
            if t >= 0.0 {
                (
                    lerp(RGBColor(0xff, 0xff, 0xff), RGBColor(0x00, 0x4c, 0x7a), t),
                    t > 0.55,
                )
            } else {
                (
                    lerp(RGBColor(0xff, 0xff, 0xff), RGBColor(0xa6, 0x3d, 0x00), -t),
                    t < -0.55,
                )
            }
        }
    }
}

pub fn render(chart: &HeatmapChart) -> String {
    let cols = chart.col_labels.len().max(1) as i32;
    let cell_w = (560 / cols).clamp(34, 90);
    // Wide enough for the colour key and its end labels, also with few columns.
    let width = (LEFT + cell_w * cols + 20).max(LEFT + 18 * 11 + 90) as u32;
    let row_chars = chars_in(LEFT - 16, 13.0);
    let row_lines = chart
        .row_labels
        .iter()
        .map(|l| wrap(l, row_chars).len())
        .max()
        .unwrap_or(1) as i32;
    let text_lines = chart
        .texts
        .iter()
        .flatten()
        .flatten()
        .map(|t| t.lines().count())
        .max()
        .unwrap_or(1) as i32;
    let cell_h = (line_height(13.0) * row_lines.max(text_lines) + 8).max(24);
    // Short column labels (a breakdown's units) need less than the full header height.
    let longest = chart
        .col_labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0) as i32;
    let header = match chars_in(HEADER - 16, 13.0) as i32 {
        fits if longest < fits => (HEADER * (longest + 2) / fits).clamp(64, HEADER),
        _ => HEADER,
    };
    let height = (header + cell_h * (chart.row_labels.len() as i32).max(1) + 44) as u32;
    svg(&chart.id, &chart.title, width, height, |c| {
        let col_chars = chars_in(header - 16, 13.0);
        for (j, col) in chart.col_labels.iter().enumerate() {
            let lines = wrap(col, col_chars);
            let centre = LEFT + cell_w * j as i32 + cell_w / 2;
            let step = line_height(13.0);
            let first = centre - step * (lines.len() as i32 - 1) / 2;
            for (i, line) in lines.iter().enumerate() {
                c.vertical_text(line, (first + step * i as i32, header - 8), 13.0, INK);
            }
        }
        if chart.row_labels.is_empty() {
            c.text(
                "Nothing to show.",
                (LEFT, header + 12),
                14.0,
                MUTED,
                HPos::Left,
                VPos::Center,
            );
        }
        for (i, row) in chart.row_labels.iter().enumerate() {
            let y = header + cell_h * i as i32;
            c.row_label(row, row_chars, (LEFT - 8, y + cell_h / 2), 13.0);
            for j in 0..chart.col_labels.len() {
                let x = LEFT + cell_w * j as i32;
                let value = chart
                    .cells
                    .get(i)
                    .and_then(|r| r.get(j))
                    .copied()
                    .flatten()
                    .filter(|v| v.is_finite());
                match value {
                    Some(v) => {
                        let (colour, dark) = fill(chart.scale, v);
                        c.rect(
                            (x + 1, y + 1),
                            (x + cell_w - 1, y + cell_h - 1),
                            colour.to_rgba(),
                        );
                        let given = chart.texts.as_ref().and_then(|t| t.get(i)?.get(j));
                        let text = match chart.scale {
                            _ if given.is_some() => given.cloned().unwrap_or_default(),
                            HeatScale::Difference => {
                                let text = number::decimals(v, chart.decimals);
                                match text.strip_prefix('-') {
                                    Some(rest) if rest.trim_matches(['0', '.']).is_empty() => {
                                        rest.to_string()
                                    }
                                    Some(rest) => format!("−{rest}"),
                                    None if text.trim_matches(['0', '.']).is_empty() => text,
                                    None => format!("+{text}"),
                                }
                            }
                            _ => number::decimals(v, chart.decimals),
                        };
                        let ink = if dark {
                            RGBColor(0xff, 0xff, 0xff)
                        } else {
                            INK
                        };
                        cell_lines(c, &text, (x + cell_w / 2, y + cell_h / 2), ink);
                    }
                    None => {
                        c.outline(
                            (x + 2, y + 2),
                            (x + cell_w - 2, y + cell_h - 2),
                            RGBColor(0xd5, 0xdb, 0xe1),
                            1,
                        );
                        let given = chart.texts.as_ref().and_then(|t| t.get(i)?.get(j));
                        cell_lines(
                            c,
                            given.map_or("–", String::as_str),
                            (x + cell_w / 2, y + cell_h / 2),
                            MUTED,
                        );
                    }
                }
            }
        }
        // Colour key.
        let ky = header + cell_h * (chart.row_labels.len() as i32).max(1) + 14;
        let (lo, hi) = match chart.scale {
            HeatScale::Percent => (0.0, 100.0),
            HeatScale::Correlation => (-1.0, 1.0),
            HeatScale::Difference => (-DIFFERENCE_SPAN, DIFFERENCE_SPAN),
        };
        for step in 0..=10 {
            let v = lo + (hi - lo) * step as f64 / 10.0;
            let x = LEFT + 18 * step;
            c.rect((x, ky), (x + 18, ky + 12), fill(chart.scale, v).0.to_rgba());
        }
        let (lo_text, hi_text) = match chart.scale {
            HeatScale::Difference => (format!("−{} points", hi), format!("+{hi} points")),
            _ => (format!("{lo}"), format!("{hi}")),
        };
        c.text(
            &lo_text,
            (LEFT - 4, ky + 6),
            CELL,
            MUTED,
            HPos::Right,
            VPos::Center,
        );
        c.text(
            &hi_text,
            (LEFT + 18 * 11 + 4, ky + 6),
            CELL,
            MUTED,
            HPos::Left,
            VPos::Center,
        );
    })
}

/// A cell's text, one or more lines centred on `centre`.
fn cell_lines(c: &super::Canvas, text: &str, centre: (i32, i32), ink: RGBColor) {
    let lines: Vec<&str> = text.lines().collect();
    let step = line_height(CELL);
    let first = centre.1 - step * (lines.len() as i32 - 1) / 2;
    for (k, line) in lines.iter().enumerate() {
        c.text(
            line,
            (centre.0, first + step * k as i32),
            CELL,
            ink,
            HPos::Center,
            VPos::Center,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::tests::{assert_escaped, texts, HOSTILE};

    /// WCAG relative luminance of a colour.
    fn luminance(c: RGBColor) -> f64 {
        let lin = |x: u8| {
            let v = x as f64 / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
    }

    #[test]
    fn differences_keep_ink_text_readable_on_every_cell() {
        let ink = luminance(INK);
        for v in [-40.0, -25.0, -12.0, 0.0, 3.0, 25.0, 60.0] {
            let (colour, dark) = fill(HeatScale::Difference, v);
            assert!(!dark, "{v}");
            let contrast = (luminance(colour) + 0.05) / (ink + 0.05);
            assert!(contrast >= 4.5, "{v}: contrast {contrast}");
        }
        assert_ne!(
            fill(HeatScale::Difference, 20.0).0,
            fill(HeatScale::Difference, -20.0).0
        );
    }

    #[test]
    fn draws_escaped_deterministic_svg() {
        let chart = HeatmapChart {
            id: "h".into(),
            title: "heat".into(),
            row_labels: vec![HOSTILE[0].into(), "Beta".into()],
            col_labels: vec![HOSTILE[1].into(), "Trust".into()],
            cells: vec![vec![Some(12.0), None], vec![Some(f64::NAN), Some(88.0)]],
            scale: HeatScale::Percent,
            decimals: 0,
            texts: None,
        };
        let svg = render(&chart);
        assert_eq!(svg, render(&chart));
        assert_escaped(&svg);
        let t = texts(&svg);
        assert!(t.contains(&"12".to_string()) && t.contains(&"88".to_string()));
        // The NaN and None cells show a dash, never a value.
        assert_eq!(t.iter().filter(|x| *x == "–").count(), 2);
        let corr = HeatmapChart {
            scale: HeatScale::Correlation,
            cells: vec![vec![Some(-0.5), Some(1.0)]],
            decimals: 2,
            ..chart
        };
        assert!(texts(&render(&corr)).contains(&"-0.50".to_string()));
        let empty = HeatmapChart {
            row_labels: vec![],
            col_labels: vec![],
            cells: vec![],
            ..corr
        };
        assert!(render(&empty).contains("Nothing to show"));
    }

    #[test]
    fn ramps_darken_monotonically() {
        let lightness = |c: RGBColor| c.0 as u32 + c.1 as u32 + c.2 as u32;
        let values: Vec<u32> = (0..=10)
            .map(|i| lightness(fill(HeatScale::Percent, i as f64 * 10.0).0))
            .collect();
        assert!(values.windows(2).all(|w| w[0] > w[1]));
    }
}
