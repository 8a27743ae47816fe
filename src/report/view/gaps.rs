//! Perception gaps between roles: one matrix of every configured pair and measure (the
//! figures a reader scans), and per pair a chart of both roles' means.

use serde::Serialize;

use super::{one, one_or_hidden, signed, Page};
use crate::aggregate::Group;
use crate::compare::Gap;
use crate::report::charts;
use crate::results::Measure;

#[derive(Serialize)]
pub struct GapSection {
    /// False when no measure has both roles shown: the section is a note, not a chart.
    pub available: bool,
    pub title: String,
    pub first: String,
    pub second: String,
    pub svg: String,
    pub rows: Vec<GapRow>,
}

#[derive(Serialize)]
pub struct GapRow {
    pub measure: String,
    pub first: String,
    pub second: String,
    pub gap: String,
    pub flag: bool,
}

/// Measures × role pairs, each cell the gap (first role minus second).
#[derive(Serialize)]
pub struct GapMatrix {
    pub pairs: Vec<String>,
    pub rows: Vec<GapMatrixRow>,
    /// Whether any pair has a gap to show.
    pub available: bool,
}

#[derive(Serialize)]
pub struct GapMatrixRow {
    pub measure: String,
    pub cells: Vec<GapCell>,
}

#[derive(Serialize)]
pub struct GapCell {
    /// The signed gap, or empty when it is not shown.
    pub gap: String,
    pub flag: bool,
    /// `higher` / `lower` when the gap is at least half the alert threshold, else empty.
    pub tone: String,
}

/// The gap of a pair and measure in the page's latest wave, when both roles are shown.
fn shown_gap<'a>(page: &'a Page, first: usize, second: usize, m: Measure) -> Option<&'a Gap> {
    page.analysis
        .gaps_of(page.latest)
        .iter()
        .find(|g| g.measure == m && g.first_role == first && g.second_role == second)
}

/// The pair's heading: "Sales leadership vs Human Resources".
fn pair_title(page: &Page, first: usize, second: usize) -> String {
    let roles = &page.analysis.instrument.roles;
    format!("{} vs {}", roles[first].label, roles[second].label)
}

/// The configured role pairs the page shows, each with its position in the instrument: all of
/// them, or in a self-assessment (where every present role is shown) only the pairs whose two
/// roles both answered; the others are left out rather than shown empty.
fn pairs(page: &Page) -> Vec<(usize, (usize, usize))> {
    page.analysis
        .instrument
        .perception_gaps
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, (first, second))| {
            !page.self_assessment
                || page
                    .measures()
                    .any(|m| shown_gap(page, first, second, m).is_some())
        })
        .collect()
}

pub(super) fn matrix(page: &Page) -> GapMatrix {
    let instrument = page.analysis.instrument;
    let alert = instrument.gap_alert;
    let pairs: Vec<(usize, usize)> = pairs(page).into_iter().map(|(_, pair)| pair).collect();
    let rows: Vec<GapMatrixRow> = page
        .measures()
        .map(|m| GapMatrixRow {
            measure: m.title(instrument).to_string(),
            cells: pairs
                .iter()
                .map(|&(first, second)| match shown_gap(page, first, second, m) {
                    Some(g) => GapCell {
                        gap: signed(g.gap),
                        flag: g.flag,
                        tone: if g.gap.abs() < alert / 2.0 {
                            String::new()
                        } else if g.gap > 0.0 {
                            "higher".into()
                        } else {
                            "lower".into()
                        },
                    },
                    None => GapCell {
                        gap: String::new(),
                        flag: false,
                        tone: String::new(),
                    },
                })
                .collect(),
        })
        .collect();
    GapMatrix {
        pairs: pairs
            .iter()
            .map(|&(first, second)| pair_title(page, first, second))
            .collect(),
        available: rows
            .iter()
            .any(|r| r.cells.iter().any(|c| !c.gap.is_empty())),
        rows,
    }
}

pub(super) fn sections(page: &Page) -> Vec<GapSection> {
    let analysis = page.analysis;
    let instrument = analysis.instrument;
    pairs(page)
        .into_iter()
        .map(|(k, (first, second))| {
            let (fl, sl) = (
                &instrument.roles[first].label,
                &instrument.roles[second].label,
            );
            let rows: Vec<GapRow> = page
                .measures()
                .map(|m| {
                    let label = m.title(instrument).to_string();
                    match shown_gap(page, first, second, m) {
                        Some(g) => GapRow {
                            measure: label,
                            first: one(g.first_mean),
                            second: one(g.second_mean),
                            gap: signed(g.gap),
                            flag: g.flag,
                        },
                        None => GapRow {
                            measure: label,
                            first: one_or_hidden(
                                analysis.shown_mean(page.latest, Group::Role(first), m),
                                &page.hidden_phrase(Group::Role(first), m),
                            ),
                            second: one_or_hidden(
                                analysis.shown_mean(page.latest, Group::Role(second), m),
                                &page.hidden_phrase(Group::Role(second), m),
                            ),
                            gap: String::new(),
                            flag: false,
                        },
                    }
                })
                .collect();
            let svg = charts::dumbbell::render(&charts::dumbbell::DumbbellChart {
                id: format!("{}gap{k}", page.id_prefix),
                title: format!("Perception gap: {fl} compared with {sl}"),
                first_label: fl.clone(),
                second_label: sl.clone(),
                first_role: first,
                second_role: second,
                rows: page
                    .measures()
                    .map(|m| {
                        let g = shown_gap(page, first, second, m);
                        charts::dumbbell::DumbbellRow {
                            label: m.title(instrument).to_string(),
                            first: g.map(|g| g.first_mean),
                            second: g.map(|g| g.second_mean),
                            flagged: g.is_some_and(|g| g.flag),
                        }
                    })
                    .collect(),
            });
            GapSection {
                available: page
                    .measures()
                    .any(|m| shown_gap(page, first, second, m).is_some()),
                title: pair_title(page, first, second),
                first: fl.clone(),
                second: sl.clone(),
                svg,
                rows,
            }
        })
        .collect()
}

/// The largest gap over every pair and dimension (the index excluded): a sentence for the
/// summary, and whether it reaches the alert threshold.
pub(super) fn largest(page: &Page) -> Option<(String, bool)> {
    let instrument = page.analysis.instrument;
    let g = page
        .analysis
        .gaps_of(page.latest)
        .iter()
        .filter(|g| matches!(g.measure, Measure::Dimension(_)))
        .fold(None::<&Gap>, |best, g| match best {
            Some(b) if b.gap.abs() >= g.gap.abs() => Some(b),
            _ => Some(g),
        })?;
    let roles = &instrument.roles;
    let direction = if g.gap >= 0.0 { "higher" } else { "lower" };
    Some((
        format!(
            "{} is scored {} points {} by {} than by {} ({} against {}).",
            g.measure.title(instrument),
            one(g.gap.abs()),
            direction,
            roles[g.first_role].label,
            roles[g.second_role].label,
            one(g.first_mean),
            one(g.second_mean),
        ),
        g.flag,
    ))
}
