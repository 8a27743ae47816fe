//! SVG charts for the reports, drawn with plotters' SVG backend only.
//!
//! One file per chart kind; each is a pure function from a plain data struct to one `<svg>`
//! string. This module holds what they share: a [`Canvas`] over plotters' drawing area in pixel
//! coordinates, the palette, and the finishing touches every chart needs (a `<title>`,
//! `role="img"`, a width that follows the page). plotters escapes the text it writes, so labels
//! are passed through unchanged; the title we insert ourselves is escaped here.
//!
//! Colours come from the Okabe–Ito palette, readable by colour-blind readers; series also
//! differ by marker shape and dash pattern, and ramps vary in lightness, so charts survive
//! greyscale printing. A missing value is never drawn as zero.

pub mod band;
pub mod bars;
pub mod diverging;
pub mod dumbbell;
pub mod heatmap;
pub mod radar;
pub mod trend;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub const INK: RGBColor = RGBColor(0x1d, 0x27, 0x33);
pub const MUTED: RGBColor = RGBColor(0x5b, 0x66, 0x72);
pub const GRID: RGBColor = RGBColor(0xd5, 0xdb, 0xe1);
pub const TRACK: RGBColor = RGBColor(0xee, 0xf1, 0xf4);
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const SKY: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);

/// Series colours in order (Okabe–Ito without yellow, which is too light on white).
pub const SERIES: [RGBColor; 7] = [INK, BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY];

/// The organization's colour in every chart of a page (its mark, line or polygon).
pub const ORGANIZATION: RGBColor = BLUE;

/// Role `r`'s colour and marker shape (its position in the instrument), the same in every
/// chart, and never the organization's blue.
pub fn role_style(r: usize) -> (RGBColor, usize) {
    const ROLES: [RGBColor; 5] = [ORANGE, GREEN, PURPLE, VERMILLION, INK];
    (ROLES[r % ROLES.len()], r % 4)
}

pub const FONT: &str = "Segoe UI, Helvetica Neue, Arial, sans-serif";

/// A value that can be drawn: finite, clamped to 0–100.
pub fn drawable(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite()).map(|v| v.clamp(0.0, 100.0))
}

/// Width in pixels a text of `size` pixels takes, estimated generously (the average glyph of
/// the sans-serif fonts the pages ask for is about half an em; capitals are wider), so that a
/// label laid out with it stays inside its chart. The browser check measures the real boxes.
pub fn text_width(text: &str, size: f64) -> i32 {
    (text.chars().count() as f64 * size * 0.58).ceil() as i32
}

/// How many characters fit in `width` pixels at `size` pixels (see [`text_width`]).
pub fn chars_in(width: i32, size: f64) -> usize {
    ((width.max(0) as f64) / (size * 0.58)).floor().max(1.0) as usize
}

/// Breaks a label into lines of at most `width` characters at spaces. Nothing is dropped: a
/// word longer than a line stands whole on its own line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let fits = line.chars().count() + 1 + word.chars().count() <= width;
        if line.is_empty() {
            line.push_str(word);
        } else if fits {
            line.push(' ');
            line.push_str(word);
        } else {
            lines.push(std::mem::take(&mut line));
            line.push_str(word);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Places legend entries of the given widths left to right from `x0`, `gap` pixels apart,
/// starting a new line of `step` pixels when the next one would pass `max_x`; returns each
/// entry's position.
pub fn flow(
    widths: &[i32],
    (x0, y0): (i32, i32),
    max_x: i32,
    (gap, step): (i32, i32),
) -> Vec<(i32, i32)> {
    let (mut x, mut y) = (x0, y0);
    widths
        .iter()
        .map(|&w| {
            if x > x0 && x + w > max_x {
                x = x0;
                y += step;
            }
            let at = (x, y);
            x += w + gap;
            at
        })
        .collect()
}

/// Line height of wrapped labels, in pixels, for a font of `size` pixels.
pub fn line_height(size: f64) -> i32 {
    (size * 1.2).round() as i32
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// plotters writes `font-size` as the given size / 1.24; sizes here are in pixels.
fn px(size: f64) -> f64 {
    size * 1.24
}

/// Drawing in pixel coordinates on a plotters drawing area.
pub struct Canvas<'a> {
    area: DrawingArea<SVGBackend<'a>, Shift>,
}

impl Canvas<'_> {
    pub fn text(
        &self,
        text: &str,
        (x, y): (i32, i32),
        size: f64,
        color: RGBColor,
        h: HPos,
        v: VPos,
    ) {
        let style = TextStyle::from((FONT, px(size)).into_font())
            .color(&color)
            .pos(Pos::new(h, v));
        let _ = self.area.draw(&Text::new(text.to_string(), (x, y), style));
    }

    pub fn bold(
        &self,
        text: &str,
        (x, y): (i32, i32),
        size: f64,
        color: RGBColor,
        h: HPos,
        v: VPos,
    ) {
        let style = TextStyle::from((FONT, px(size), FontStyle::Bold).into_font())
            .color(&color)
            .pos(Pos::new(h, v));
        let _ = self.area.draw(&Text::new(text.to_string(), (x, y), style));
    }

    /// Lines of text stacked one under the other and centred together on `y`.
    pub fn lines(&self, lines: &[String], (x, y): (i32, i32), size: f64, color: RGBColor, h: HPos) {
        let step = line_height(size);
        let first = y - step * (lines.len() as i32 - 1) / 2;
        for (i, line) in lines.iter().enumerate() {
            self.text(
                line,
                (x, first + step * i as i32),
                size,
                color,
                h,
                VPos::Center,
            );
        }
    }

    /// The label of a chart row: wrapped to lines of `chars` characters, right-aligned at
    /// `x`, centred on `y`.
    pub fn row_label(&self, text: &str, chars: usize, (x, y): (i32, i32), size: f64) {
        self.lines(&wrap(text, chars), (x, y), size, INK, HPos::Right);
    }

    pub fn vertical_text(&self, text: &str, (x, y): (i32, i32), size: f64, color: RGBColor) {
        let style = TextStyle::from(
            (FONT, px(size))
                .into_font()
                .transform(FontTransform::Rotate270),
        )
        .color(&color)
        .pos(Pos::new(HPos::Left, VPos::Center));
        let _ = self.area.draw(&Text::new(text.to_string(), (x, y), style));
    }

    pub fn line(&self, points: Vec<(i32, i32)>, color: RGBColor, width: u32) {
        let _ = self
            .area
            .draw(&PathElement::new(points, color.stroke_width(width)));
    }

    pub fn dashed(
        &self,
        points: Vec<(i32, i32)>,
        color: RGBColor,
        width: u32,
        dash: i32,
        gap: i32,
    ) {
        let _ = self.area.draw(&DashedPathElement::new(
            points,
            dash,
            gap,
            color.stroke_width(width),
        ));
    }

    pub fn rect(&self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), color: RGBAColor) {
        let _ = self
            .area
            .draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled()));
    }

    pub fn outline(&self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), color: RGBColor, width: u32) {
        let _ = self.area.draw(&Rectangle::new(
            [(x0, y0), (x1, y1)],
            color.stroke_width(width),
        ));
    }

    pub fn circle(&self, center: (i32, i32), radius: i32, color: RGBColor, filled: bool) {
        let style = if filled {
            color.filled()
        } else {
            color.stroke_width(2)
        };
        let _ = self.area.draw(&Circle::new(center, radius, style));
    }

    pub fn polygon(&self, points: Vec<(i32, i32)>, color: RGBAColor) {
        let _ = self.area.draw(&Polygon::new(points, color.filled()));
    }

    /// A marker of one of several shapes, so series differ without colour.
    pub fn marker(&self, shape: usize, (x, y): (i32, i32), size: i32, color: RGBColor) {
        match shape % 4 {
            0 => self.circle((x, y), size, color, true),
            1 => self.rect((x - size, y - size), (x + size, y + size), color.to_rgba()),
            2 => self.polygon(
                vec![
                    (x, y - size - 1),
                    (x + size + 1, y + size),
                    (x - size - 1, y + size),
                ],
                color.to_rgba(),
            ),
            _ => self.polygon(
                vec![
                    (x, y - size - 1),
                    (x + size + 1, y),
                    (x, y + size + 1),
                    (x - size - 1, y),
                ],
                color.to_rgba(),
            ),
        }
    }
}

/// Draws a chart of `width × height` pixels and returns the finished `<svg>` element.
pub fn svg(id: &str, title: &str, width: u32, height: u32, draw: impl FnOnce(&Canvas)) -> String {
    let mut buffer = String::new();
    {
        let area = SVGBackend::with_string(&mut buffer, (width, height)).into_drawing_area();
        let _ = area.fill(&WHITE);
        let canvas = Canvas { area };
        draw(&canvas);
        let _ = canvas.area.present();
    }
    finish(&buffer, id, title, width, height)
}

/// Makes the root element scale with the page and describe itself to screen readers. Its
/// natural width travels as `--w`, so that a narrow screen can draw it at full size, its text
/// at its own pixel size, and scroll it sideways instead of shrinking the text.
fn finish(svg: &str, id: &str, title: &str, width: u32, height: u32) -> String {
    let id = escape(id);
    let Some(end) = svg.find('>') else {
        return String::new();
    };
    let body = &svg[end + 1..];
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"100%\" style=\"max-width:{width}px;--w:{width}px\" role=\"img\" aria-labelledby=\"{id}-title\"><title id=\"{id}-title\">{}</title>{body}",
        escape(title)
    )
}

#[cfg(test)]
pub(crate) mod tests {
    pub const HOSTILE: [&str; 2] = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
    ];

    /// The text content of every `<text>` element, trimmed.
    pub fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|part| {
                let start = part.find('>')? + 1;
                let end = part.find("</text>")?;
                Some(part[start..end].trim().to_string())
            })
            .collect()
    }

    /// No raw markup from hostile labels may survive.
    pub fn assert_escaped(svg: &str) {
        assert!(!svg.contains("<script"), "raw <script> in {svg}");
        assert!(!svg.contains("<img"), "raw <img> in {svg}");
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.contains("<title id="), "no title");
    }

    #[test]
    fn each_role_keeps_one_colour_that_is_not_the_organizations() {
        let colours: Vec<_> = (0..5).map(|r| super::role_style(r).0).collect();
        for (i, a) in colours.iter().enumerate() {
            assert_ne!(*a, super::ORGANIZATION);
            assert!(colours[i + 1..].iter().all(|b| b != a));
        }
        assert_eq!(super::role_style(2), super::role_style(2));
    }

    #[test]
    fn wrapping_keeps_every_word() {
        assert_eq!(super::wrap("short", 10), ["short"]);
        assert_eq!(
            super::wrap("a long label here", 8),
            ["a long", "label", "here"]
        );
        assert_eq!(
            super::wrap("unbreakable-word x", 5),
            ["unbreakable-word", "x"]
        );
        assert_eq!(super::wrap("", 5), [""]);
        let text = "Senior collaboration on business issues";
        assert_eq!(super::wrap(text, 30).join(" "), text);
    }
}
