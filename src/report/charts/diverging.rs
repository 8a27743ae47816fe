//! Answers item by item: one chart per dimension holding every one of its items, whatever
//! their type. Items answered on a scale, yes/no or a choice are drawn as diverging stacked
//! bars centred on the middle answer, in groups that share a legend (one per answer scale);
//! number and multi-select items, which have no answer categories, as a bar of their mean
//! score (0–100). Every row also shows the item's score and, where there is a population, its
//! median in a column at the right, and its full text wrapped above the bar.

use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{Color, RGBColor};

use super::{
    chars_in, drawable, flow, line_height, svg, text_width, wrap, Canvas, BLUE, GRID, INK, MUTED,
    SKY, TRACK,
};
use crate::output::number;

#[derive(Debug, Clone)]
pub struct DivergingChart {
    pub id: String,
    pub title: String,
    pub groups: Vec<ItemGroup>,
}

/// Items drawn the same way under one legend.
#[derive(Debug, Clone)]
pub struct ItemGroup {
    pub kind: GroupKind,
    pub rows: Vec<DivergingRow>,
}

#[derive(Debug, Clone)]
pub enum GroupKind {
    /// Answer categories from the weakest answer to the strongest.
    Answers(Vec<String>),
    /// No categories: the mean item score on 0–100.
    Scores,
}

#[derive(Debug, Clone)]
pub struct DivergingRow {
    pub label: String,
    /// Answers per category (for [`GroupKind::Answers`]).
    pub counts: Vec<u64>,
    /// The organization's item score, 0–100.
    pub score: Option<f64>,
    /// The population median of item scores.
    pub median: Option<f64>,
    /// Written instead of a bar when the item has no figures (e.g. "fewer than 5 responses").
    pub note: String,
}

/// Narrower than the other charts: a page prints two item charts side by side, each at about
/// 90 mm, so that their 12 px text is about 7 pt on paper.
const WIDTH: u32 = 440;
const LEFT: i32 = 18;
const RIGHT: i32 = 326;
const CENTRE: i32 = (LEFT + RIGHT) / 2;
const SCORE_X: i32 = 386;
const MEDIAN_X: i32 = 436;
const LABEL: f64 = 12.0;
/// The axis labels under each group (0%–100% or 0–100).
const TICK: f64 = 12.0;
/// Half the height of a bar.
const BAR: i32 = 7;

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

fn score_x(value: f64) -> i32 {
    LEFT + ((RIGHT - LEFT) as f64 * value / 100.0).round() as i32
}

/// A group laid out: legend entries with their places, rows with their label lines.
struct Layout {
    legend: Vec<(i32, i32)>,
    rows: Vec<(i32, Vec<String>)>,
    axis: i32,
    end: i32,
}

/// Whether any row has a population median: without one, no median is named or drawn.
fn has_median(group: &ItemGroup) -> bool {
    group.rows.iter().any(|r| drawable(r.median).is_some())
}

fn legend_entries(group: &ItemGroup) -> Vec<String> {
    match &group.kind {
        GroupKind::Answers(categories) => categories.clone(),
        GroupKind::Scores if has_median(group) => vec![
            "Item score (0–100)".to_string(),
            "Population median".to_string(),
        ],
        GroupKind::Scores => vec!["Item score (0–100)".to_string()],
    }
}

fn layout(group: &ItemGroup, top: i32) -> Layout {
    let entries = legend_entries(group);
    let widths: Vec<i32> = entries.iter().map(|t| 22 + text_width(t, 12.0)).collect();
    let legend = flow(&widths, (LEFT, top + 8), WIDTH as i32 - 8, (14, 18));
    let mut y = legend.last().map_or(top, |p| p.1) + 12;
    let chars = chars_in(WIDTH as i32 - LEFT - 8, LABEL);
    let rows = group
        .rows
        .iter()
        .map(|row| {
            let lines = wrap(&row.label, chars);
            // The label's lines, then the bar under them.
            let bar = y + line_height(LABEL) * lines.len() as i32 + BAR + 1;
            y = bar + BAR + 4;
            (bar, lines)
        })
        .collect();
    Layout {
        legend,
        rows,
        axis: y,
        end: y + line_height(TICK) + 6,
    }
}

pub fn render(chart: &DivergingChart) -> String {
    let mut layouts = Vec::new();
    let mut top = 16;
    for group in &chart.groups {
        let l = layout(group, top);
        top = l.end;
        layouts.push(l);
    }
    let height = if chart.groups.is_empty() { 60 } else { top };
    svg(&chart.id, &chart.title, WIDTH, height as u32, |c| {
        c.bold("Score", (SCORE_X, 10), 12.0, INK, HPos::Right, VPos::Center);
        if chart.groups.iter().any(has_median) {
            c.text(
                "Median",
                (MEDIAN_X, 10),
                12.0,
                MUTED,
                HPos::Right,
                VPos::Center,
            );
        }
        if chart.groups.is_empty() {
            c.text(
                "No items to show.",
                (LEFT, 40),
                14.0,
                MUTED,
                HPos::Left,
                VPos::Center,
            );
        }
        for (group, l) in chart.groups.iter().zip(&layouts) {
            draw_group(c, group, l);
        }
    })
}

fn draw_group(c: &Canvas, group: &ItemGroup, l: &Layout) {
    let entries = legend_entries(group);
    let k = entries.len();
    for (i, (&(lx, ly), text)) in l.legend.iter().zip(&entries).enumerate() {
        match group.kind {
            GroupKind::Answers(_) => {
                c.rect((lx, ly - 6), (lx + 16, ly + 6), colour(i, k).to_rgba())
            }
            GroupKind::Scores if i == 0 => c.rect((lx, ly - 6), (lx + 16, ly + 6), SKY.to_rgba()),
            GroupKind::Scores => c.line(vec![(lx + 8, ly - 7), (lx + 8, ly + 7)], BLUE, 3),
        }
        c.text(text, (lx + 22, ly), 12.0, INK, HPos::Left, VPos::Center);
    }
    let first = l.rows.first().map_or(l.axis, |r| r.0 - BAR - 4);
    // Grid first, so that bars and labels are drawn over it.
    let ticks: Vec<(i32, String)> = match group.kind {
        GroupKind::Answers(_) => [-1.0_f64, -0.5, 0.0, 0.5, 1.0]
            .iter()
            .map(|&s| (CENTRE + scale(s), number::share(s.abs())))
            .collect(),
        GroupKind::Scores => [0.0, 25.0, 50.0, 75.0, 100.0]
            .iter()
            .map(|&v| (score_x(v), number::decimals(v, 0)))
            .collect(),
    };
    for (x, text) in &ticks {
        c.line(vec![(*x, first), (*x, l.axis)], GRID, 1);
        c.text(text, (*x, l.axis + 3), TICK, MUTED, HPos::Center, VPos::Top);
    }
    for (row, (y, lines)) in group.rows.iter().zip(&l.rows) {
        let label_y = y - BAR - 1 - line_height(LABEL) * lines.len() as i32 / 2;
        c.lines(lines, (LEFT, label_y), LABEL, INK, HPos::Left);
        let drawn = match group.kind {
            GroupKind::Answers(_) => draw_answers(c, row, k, *y),
            GroupKind::Scores => draw_score(c, row, *y),
        };
        if !drawn && !row.note.is_empty() {
            c.text(
                &row.note,
                (CENTRE, *y),
                12.0,
                MUTED,
                HPos::Center,
                VPos::Center,
            );
        }
        if let Some(v) = drawable(row.score) {
            c.bold(
                &number::decimals(v, 1),
                (SCORE_X, *y),
                12.0,
                INK,
                HPos::Right,
                VPos::Center,
            );
        }
        if let Some(m) = drawable(row.median) {
            c.text(
                &number::decimals(m, 1),
                (MEDIAN_X, *y),
                12.0,
                MUTED,
                HPos::Right,
                VPos::Center,
            );
        }
    }
}

/// Draws a diverging bar; false when there is nothing to draw.
fn draw_answers(c: &Canvas, row: &DivergingRow, k: usize, y: i32) -> bool {
    let total: u64 = row.counts.iter().take(k).sum();
    if total == 0 || k == 0 {
        return false;
    }
    let share = |i: usize| row.counts.get(i).copied().unwrap_or(0) as f64 / total as f64;
    let half = k / 2;
    let neutral = (k % 2 == 1).then_some(half);
    // Negative categories stack leftwards from the centre (or from the neutral half-bar).
    let mut left = CENTRE - neutral.map_or(0, |m| scale(share(m) / 2.0));
    for i in (0..half).rev() {
        let w = scale(share(i));
        c.rect((left - w, y - BAR), (left, y + BAR), colour(i, k).to_rgba());
        left -= w;
    }
    let mut right = CENTRE + neutral.map_or(0, |m| scale(share(m) / 2.0));
    if let Some(m) = neutral {
        let w = scale(share(m) / 2.0);
        c.rect(
            (CENTRE - w, y - BAR),
            (CENTRE + w, y + BAR),
            colour(m, k).to_rgba(),
        );
    }
    for i in (k - half)..k {
        let w = scale(share(i));
        c.rect(
            (right, y - BAR),
            (right + w, y + BAR),
            colour(i, k).to_rgba(),
        );
        right += w;
    }
    c.line(vec![(CENTRE, y - BAR - 2), (CENTRE, y + BAR + 2)], INK, 1);
    true
}

/// Draws the bar of a mean score with the population median; false without a score.
fn draw_score(c: &Canvas, row: &DivergingRow, y: i32) -> bool {
    let Some(v) = drawable(row.score) else {
        return false;
    };
    c.rect(
        (score_x(0.0), y - BAR),
        (score_x(100.0), y + BAR),
        TRACK.to_rgba(),
    );
    c.rect(
        (score_x(0.0), y - BAR),
        (score_x(v), y + BAR),
        SKY.to_rgba(),
    );
    if let Some(m) = drawable(row.median) {
        c.line(
            vec![(score_x(m), y - BAR - 2), (score_x(m), y + BAR + 2)],
            BLUE,
            3,
        );
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::tests::{assert_escaped, texts, HOSTILE};

    fn row(label: &str, counts: Vec<u64>, score: Option<f64>) -> DivergingRow {
        DivergingRow {
            label: label.into(),
            counts,
            score,
            median: Some(50.0),
            note: "fewer than 5 responses".into(),
        }
    }

    #[test]
    fn draws_escaped_deterministic_svg() {
        let chart = DivergingChart {
            id: "v".into(),
            title: "items".into(),
            groups: vec![
                ItemGroup {
                    kind: GroupKind::Answers(vec![
                        HOSTILE[0].into(),
                        "Disagree".into(),
                        "Neither".into(),
                        "Agree".into(),
                        HOSTILE[1].into(),
                    ]),
                    rows: vec![
                        row(HOSTILE[0], vec![1, 2, 3, 4, 10], Some(72.5)),
                        row("nobody", vec![0; 5], None),
                    ],
                },
                ItemGroup {
                    kind: GroupKind::Scores,
                    rows: vec![row("How many?", vec![], Some(33.3))],
                },
            ],
        };
        let svg = render(&chart);
        assert_eq!(svg, render(&chart));
        assert_escaped(&svg);
        let texts = texts(&svg);
        for expected in [
            "72.5",
            "33.3",
            "fewer than 5 responses",
            "Item score (0–100)",
        ] {
            assert!(
                texts.contains(&expected.to_string()),
                "{expected} in {texts:?}"
            );
        }
        let empty = DivergingChart {
            groups: vec![],
            ..chart
        };
        assert!(render(&empty).starts_with("<svg"));
    }

    #[test]
    fn without_a_population_no_median_is_named() {
        let scores = |median: Option<f64>| DivergingChart {
            id: "m".into(),
            title: "t".into(),
            groups: vec![ItemGroup {
                kind: GroupKind::Scores,
                rows: vec![DivergingRow {
                    median,
                    ..row("How many?", vec![], Some(40.0))
                }],
            }],
        };
        let with = texts(&render(&scores(Some(50.0))));
        assert!(with.contains(&"Median".to_string()), "{with:?}");
        assert!(with.contains(&"Population median".to_string()), "{with:?}");
        let without = texts(&render(&scores(None)));
        assert!(!without.iter().any(|t| t.contains("edian")), "{without:?}");
        assert!(without.contains(&"Item score (0–100)".to_string()));
    }

    #[test]
    fn long_labels_are_wrapped_whole() {
        let text = "Sales representatives know what is expected of them beyond the quota number \
                    (behaviours, activities, customer care), and more words to need a third line";
        let chart = DivergingChart {
            id: "w".into(),
            title: "t".into(),
            groups: vec![ItemGroup {
                kind: GroupKind::Scores,
                rows: vec![row(text, vec![], Some(10.0))],
            }],
        };
        let svg = render(&chart);
        let drawn: Vec<String> = texts(&svg);
        let words: Vec<&str> = text.split_whitespace().collect();
        let joined = drawn.join(" ");
        assert!(joined.contains(&words.join(" ")), "{joined}");
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
