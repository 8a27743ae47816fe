//! Radar chart of a dimension profile against population reference lines (plotters has no
//! radar chart: drawn from polygons, paths and text).

use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::Color;

use super::{
    chars_in, drawable, flow, line_height, svg, text_width, wrap, Canvas, GRID, INK, MUTED,
    ORGANIZATION,
};
use crate::output::number;

#[derive(Debug, Clone)]
pub struct RadarChart {
    pub id: String,
    pub title: String,
    pub axes: Vec<String>,
    /// `series[0]` is the organization (filled); the others are reference outlines.
    pub series: Vec<RadarSeries>,
}

#[derive(Debug, Clone)]
pub struct RadarSeries {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

const SIZE: u32 = 760;
const CX: i32 = 380;
const CY: i32 = 250;
const R: f64 = 150.0;
/// Font size of the axis labels, in pixels.
const AXIS: f64 = 15.0;
/// Font size of the ring values (20 … 100).
const RING: f64 = 15.0;
/// Font size of the legend's names.
const LEGEND: f64 = 15.0;

fn point(axis: usize, n: usize, value: f64) -> (i32, i32) {
    let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * axis as f64 / n as f64;
    let r = R * value / 100.0;
    (
        (CX as f64 + r * angle.cos()).round() as i32,
        (CY as f64 + r * angle.sin()).round() as i32,
    )
}

pub fn render(chart: &RadarChart) -> String {
    let n = chart.axes.len();
    // The legend names only what is drawn: a series without a value on any axis (the
    // organization where every dimension is hidden) has nothing to stand for.
    let drawn: Vec<usize> = (0..chart.series.len())
        .filter(|&s| {
            n >= 3
                && chart.series[s]
                    .values
                    .iter()
                    .take(n)
                    .any(|v| drawable(*v).is_some())
        })
        .collect();
    // Below the lowest axis label (two lines at 118% of the radius), the entries side by side
    // while they fit (a long name wraps and takes a line of its own).
    let legend_top = CY + (R * 1.18) as i32 + 2 * line_height(AXIS) + 18;
    let names: Vec<Vec<String>> = drawn
        .iter()
        .map(|&s| wrap(&chart.series[s].name, chars_in(SIZE as i32 - 120, LEGEND)))
        .collect();
    let widths: Vec<i32> = names
        .iter()
        .map(|lines| {
            34 + lines
                .iter()
                .map(|l| text_width(l, LEGEND))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let step = 22 * names.iter().map(Vec::len).max().unwrap_or(1) as i32;
    let places = flow(&widths, (60, legend_top), SIZE as i32 - 20, (24, step));
    // With fewer than three axes there is no shape: one line says so.
    let height = if n < 3 {
        60
    } else {
        places.last().map_or(legend_top, |p| p.1 + step - 22) + 22 + 8
    };
    svg(&chart.id, &chart.title, SIZE, height as u32, |c| {
        if n < 3 {
            c.text(
                "A profile needs at least three dimensions.",
                (CX, 30),
                15.0,
                MUTED,
                HPos::Center,
                VPos::Center,
            );
        } else {
            grid(c, &chart.axes);
            for (s, series) in chart.series.iter().enumerate().rev() {
                draw_series(c, s, series, n);
            }
        }
        for ((&s, lines), &(x, y)) in drawn.iter().zip(&names).zip(&places) {
            let (color, _) = style(s);
            match s {
                0 => c.rect((x, y - 6), (x + 24, y + 6), ORGANIZATION.mix(0.35)),
                1 => c.dashed(vec![(x, y), (x + 24, y)], color, 2, 6, 4),
                _ => c.dashed(vec![(x, y), (x + 24, y)], color, 2, 2, 3),
            }
            c.marker(s, (x + 12, y), 3, color);
            c.lines(lines, (x + 34, y), LEGEND, INK, HPos::Left);
        }
    })
}

/// The organization in its colour of every chart; the population's median and P75 in ink
/// and grey (dashed differently), so that no population line takes a role's colour.
fn style(series: usize) -> (plotters::style::RGBColor, u32) {
    match series {
        0 => (ORGANIZATION, 3),
        1 => (INK, 2),
        _ => (MUTED, 2),
    }
}

fn grid(c: &Canvas, axes: &[String]) {
    let n = axes.len();
    for ring in [20.0, 40.0, 60.0, 80.0, 100.0] {
        let mut ring_points: Vec<(i32, i32)> = (0..n).map(|a| point(a, n, ring)).collect();
        ring_points.push(ring_points[0]);
        c.line(ring_points, GRID, 1);
        let (x, y) = point(0, n, ring);
        c.text(
            &number::decimals(ring, 0),
            (x + 4, y),
            RING,
            MUTED,
            HPos::Left,
            VPos::Center,
        );
    }
    for (a, label) in axes.iter().enumerate() {
        c.line(vec![(CX, CY), point(a, n, 100.0)], GRID, 1);
        let (x, y) = point(a, n, 118.0);
        let h = if x < CX - 10 {
            HPos::Right
        } else if x > CX + 10 {
            HPos::Left
        } else {
            HPos::Center
        };
        // Labels at the sides grow away from the circle; the column they have is the space
        // between the circle's edge and the chart's (CX − 118% of the radius).
        let chars = chars_in(CX - (R * 1.18) as i32 - 8, AXIS);
        c.lines(&wrap(label, chars), (x, y), AXIS, INK, h);
    }
}

fn draw_series(c: &Canvas, s: usize, series: &RadarSeries, n: usize) {
    let (color, width) = style(s);
    let values: Vec<Option<f64>> = (0..n)
        .map(|a| drawable(series.values.get(a).copied().flatten()))
        .collect();
    let complete = values.iter().all(Option::is_some);
    if s == 0 && complete {
        let area: Vec<(i32, i32)> = values
            .iter()
            .enumerate()
            .map(|(a, v)| point(a, n, v.unwrap_or(0.0)))
            .collect();
        c.polygon(area, color.mix(0.25));
    }
    // Lines only between neighbouring axes that both have a value: a gap stays a gap.
    for a in 0..n {
        let b = (a + 1) % n;
        if let (Some(va), Some(vb)) = (values[a], values[b]) {
            let segment = vec![point(a, n, va), point(b, n, vb)];
            match s {
                0 => c.line(segment, color, width),
                1 => c.dashed(segment, color, width, 6, 4),
                _ => c.dashed(segment, color, width, 2, 3),
            }
        }
    }
    for (a, v) in values.iter().enumerate() {
        if let Some(v) = v {
            c.marker(s, point(a, n, *v), if s == 0 { 4 } else { 3 }, color);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::tests::{assert_escaped, HOSTILE};

    fn chart(values: Vec<Option<f64>>) -> RadarChart {
        RadarChart {
            id: "r".into(),
            title: HOSTILE[0].into(),
            axes: vec![HOSTILE[0].into(), HOSTILE[1].into(), "C".into(), "D".into()],
            series: vec![RadarSeries {
                name: HOSTILE[1].into(),
                values,
            }],
        }
    }

    #[test]
    fn draws_escaped_deterministic_svg() {
        let c = chart(vec![Some(10.0), Some(50.0), Some(80.0), Some(100.0)]);
        let a = render(&c);
        assert_eq!(a, render(&c));
        assert_escaped(&a);
        assert!(a.contains("<polygon"), "the organization's area is filled");
    }

    #[test]
    fn missing_values_leave_gaps_not_zeros() {
        let full = render(&chart(vec![Some(50.0); 4]));
        let gappy = render(&chart(vec![Some(50.0), None, Some(50.0), Some(50.0)]));
        // No filled area and fewer segments; the centre point (a zero) is never a vertex.
        assert!(gappy.matches("<polyline").count() < full.matches("<polyline").count());
        assert!(!gappy.contains(&format!("cx=\"{CX}\" cy=\"{CY}\"")));
        let empty = render(&RadarChart {
            id: "e".into(),
            title: "t".into(),
            axes: vec![],
            series: vec![],
        });
        assert!(empty.contains("at least three"));
    }

    #[test]
    fn the_legend_names_only_series_that_are_drawn() {
        let mut c = chart(vec![None; 4]);
        c.series[0].name = "Our company".into();
        c.series.push(RadarSeries {
            name: "Population median".into(),
            values: vec![Some(40.0); 4],
        });
        let svg = render(&c);
        assert!(svg.contains("Population median"));
        assert!(
            !svg.contains("Our company"),
            "the hidden organization is not in the legend"
        );
        c.series[0].values[2] = Some(60.0);
        assert!(render(&c).contains("Our company"));
    }
}
