//! Answers item by item: per dimension one chart that holds every one of its items, whatever
//! their type or answer scale, and a table of the same figures. Reverse-worded items are
//! marked wherever they are listed.

use serde::Serialize;

use super::{one, one_opt, share, Page};
use crate::instrument::{Item, ItemKind};
use crate::report::charts::diverging::{DivergingChart, DivergingRow, GroupKind, ItemGroup};
use crate::report::items::ItemFigures;
use crate::results::Suppressed;

/// How a reverse-worded item is marked in charts.
pub const REVERSE_MARK: &str = "(R)";

#[derive(Serialize)]
pub struct ItemSection {
    pub dimension: String,
    /// One chart per group of items that share their answers (a scale, yes/no, a choice) and
    /// one for the items scored without categories: smaller pieces break better in print.
    pub charts: Vec<String>,
    pub rows: Vec<ItemRow>,
    /// Whether any item of the dimension is reverse-worded (the chart's note says so).
    pub has_reverse: bool,
}

#[derive(Serialize)]
pub struct ItemRow {
    pub text: String,
    pub reverse: bool,
    pub n: String,
    pub mean: String,
    pub median: String,
    pub distribution: String,
}

/// The answer categories of an item from the weakest answer to the strongest, with the
/// position of each in the item's own order (the order of [`ItemFigures::counts`]); `None`
/// for items without categories (numbers, multiple choice). A reverse-worded item's order is
/// mirrored ("Strongly agree" is its weakest answer), so that its worst answer is drawn as the
/// worst answer, under a legend of its own.
fn categories(item: &Item) -> Option<Vec<(usize, String)>> {
    let mut order = answer_order(item)?;
    if item.reverse {
        order.reverse();
    }
    Some(order)
}

/// The categories in the order of their scores before any mirroring.
fn answer_order(item: &Item) -> Option<Vec<(usize, String)>> {
    match &item.kind {
        ItemKind::Scale { labels, .. } => Some(labels.iter().cloned().enumerate().collect()),
        ItemKind::Boolean => Some(vec![(0, "No".into()), (1, "Yes".into())]),
        ItemKind::Choice { options } => {
            let mut order: Vec<usize> = (0..options.len()).collect();
            order.sort_by(|&a, &b| options[a].score.total_cmp(&options[b].score));
            Some(
                order
                    .into_iter()
                    .map(|i| (i, options[i].label.clone()))
                    .collect(),
            )
        }
        ItemKind::Number { .. } | ItemKind::Multi { .. } => None,
    }
}

/// What an item without figures shows: why it is hidden, or, in a self-assessment (threshold
/// 1, where nothing of `all` is hidden), that nobody answered it.
fn missing(page: &Page, i: usize) -> String {
    match crate::report::items::hidden_reason(page.analysis, page.latest, i) {
        Some(Suppressed::Complementary) => {
            Suppressed::Complementary.phrase(page.analysis.instrument.anonymity_threshold)
        }
        _ if page.self_assessment => "not answered".to_string(),
        _ => page.hidden.clone(),
    }
}

/// The item's population median; a self-assessment has none of its own items (its
/// population, if any, is norms of organization averages).
fn median(page: &Page, i: usize) -> Option<f64> {
    page.item_medians[i].filter(|_| !page.self_assessment)
}

/// The label of an item in a chart: its full text, marked when reverse-worded.
fn chart_label(item: &Item) -> String {
    if item.reverse {
        format!("{REVERSE_MARK} {}", item.text)
    } else {
        item.text.clone()
    }
}

pub(super) fn sections(page: &Page) -> Vec<ItemSection> {
    let instrument = page.analysis.instrument;
    instrument
        .dimensions
        .iter()
        .enumerate()
        .map(|(m, dim)| {
            // Items sharing answer categories share a group (and its legend), in the order
            // their first item appears; items without categories share one score group.
            let mut groups: Vec<(Option<Vec<String>>, ItemGroup)> = Vec::new();
            for i in dim.items.clone() {
                let item = &instrument.items[i];
                let f = page.figures[i].as_ref();
                let cats = categories(item);
                let labels: Option<Vec<String>> = cats
                    .as_ref()
                    .map(|c| c.iter().map(|x| x.1.clone()).collect());
                let row = DivergingRow {
                    label: chart_label(item),
                    counts: match (&cats, f) {
                        (Some(c), Some(f)) => c
                            .iter()
                            .map(|(at, _)| f.counts.get(*at).copied().unwrap_or(0))
                            .collect(),
                        _ => Vec::new(),
                    },
                    score: f.and_then(|f| f.mean),
                    median: median(page, i),
                    // The chart says it in two words; the table below gives the reason.
                    note: match (f.is_none(), page.self_assessment) {
                        (true, true) => missing(page, i),
                        (true, false) => "not shown".to_string(),
                        (false, _) => String::new(),
                    },
                };
                match groups.iter_mut().find(|(key, _)| *key == labels) {
                    Some((_, group)) => group.rows.push(row),
                    None => groups.push((
                        labels.clone(),
                        ItemGroup {
                            kind: match labels {
                                Some(l) => GroupKind::Answers(l),
                                None => GroupKind::Scores,
                            },
                            rows: vec![row],
                        },
                    )),
                }
            }
            let items = &instrument.items[dim.items.clone()];
            let has_reverse = items.iter().any(|i| i.reverse);
            let note = if has_reverse {
                " ((R): reverse-worded, agreeing is the weaker answer)"
            } else {
                ""
            };
            let count = groups.len();
            let charts = groups
                .into_iter()
                .enumerate()
                .map(|(g, (_, group))| {
                    let what = match &group.kind {
                        GroupKind::Answers(labels) => format!(
                            "answered from {} to {}",
                            labels.first().map_or("", String::as_str),
                            labels.last().map_or("", String::as_str)
                        ),
                        GroupKind::Scores => "scored 0–100 without answer categories".into(),
                    };
                    crate::report::charts::diverging::render(&DivergingChart {
                        id: format!("{}items{m}-{g}", page.id_prefix),
                        title: format!(
                            "{}: {} item{} {what}{}{note}",
                            dim.title,
                            group.rows.len(),
                            if group.rows.len() == 1 { "" } else { "s" },
                            if count > 1 {
                                format!(" (part {} of {count})", g + 1)
                            } else {
                                String::new()
                            }
                        ),
                        groups: vec![group],
                    })
                })
                .collect();
            ItemSection {
                dimension: dim.title.clone(),
                charts,
                has_reverse,
                rows: dim
                    .items
                    .clone()
                    .map(|i| row(page, i, page.figures[i].as_ref()))
                    .collect(),
            }
        })
        .collect()
}

fn row(page: &Page, i: usize, f: Option<&ItemFigures>) -> ItemRow {
    let item = &page.analysis.instrument.items[i];
    let distribution = match (categories(item), f) {
        // One person's answer is named, not given as a share of one.
        (Some(cats), Some(f)) if page.single() => cats
            .iter()
            .filter(|(at, _)| f.counts.get(*at).is_some_and(|&c| c > 0))
            .map(|(_, label)| label.clone())
            .collect::<Vec<_>>()
            .join(" · "),
        (Some(cats), Some(f)) => {
            let total: u64 = f.counts.iter().sum();
            if total == 0 {
                String::new()
            } else {
                cats.iter()
                    .map(|(at, label)| {
                        let c = f.counts.get(*at).copied().unwrap_or(0);
                        format!("{label} {}", share(c as f64 / total as f64))
                    })
                    .collect::<Vec<_>>()
                    .join(" · ")
            }
        }
        (None, Some(_)) => "Scored 0–100 from the answer (no answer categories)".into(),
        _ => String::new(),
    };
    ItemRow {
        text: item.text.clone(),
        reverse: item.reverse,
        n: f.map_or_else(|| missing(page, i), |f| f.n.to_string()),
        mean: f.and_then(|f| f.mean).map_or_else(|| missing(page, i), one),
        median: one_opt(median(page, i)),
        distribution,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reverse_worded_items_worst_answer_comes_first_like_every_other_items() {
        let instrument = crate::instrument::load::parse(
            crate::instrument::load::BUNDLED_INSTRUMENT,
            "hr-sales-partnership.yaml",
        )
        .unwrap();
        let item = |id: &str| instrument.items.iter().find(|i| i.id == id).unwrap();
        let plain = categories(item("col_early")).unwrap();
        let reverse = categories(item("col_late")).unwrap();
        assert_eq!(plain[0], (0, "Strongly disagree".to_string()));
        assert_eq!(reverse[0], (4, "Strongly agree".to_string()));
        assert_eq!(reverse[4], (0, "Strongly disagree".to_string()));
    }
}
