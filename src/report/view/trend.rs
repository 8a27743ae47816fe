//! Change across waves: the small multiples of the index and every dimension, the scores per
//! wave, and the latest change of each measure in words a client reads. The test statistics
//! behind "meaningful" sit in the methods appendix.

use serde::Serialize;

use super::{signed, Page};
use crate::aggregate::Group;
use crate::compare::Change;
use crate::report::charts;
use crate::results::Measure;

#[derive(Serialize)]
pub struct TrendView {
    /// One `<svg>` per measure, the index first, all on the same axis.
    pub panels: Vec<String>,
    /// What the panels show, for the group that holds them.
    pub title: String,
    /// What a ring on a panel means.
    pub legend: String,
    /// The shared axis of the panels in words: "Every panel uses the same axis, 50 to 70."
    pub axis: String,
    pub waves: Vec<String>,
    pub rows: Vec<TrendRow>,
    /// The wave the latest change starts from.
    pub previous: String,
}

#[derive(Serialize)]
pub struct TrendRow {
    pub measure: String,
    pub values: Vec<String>,
    /// Latest change (previous shown wave to the latest), signed, or empty.
    pub change: String,
    pub meaningful: bool,
}

/// The changes between the organization's shown waves, in the order of the data files.
pub(super) fn changes<'a>(page: &'a Page) -> impl Iterator<Item = &'a Change> {
    let first = page.org_waves[0];
    page.analysis
        .changes_from(first..page.latest + 1)
        .iter()
        // `org_waves` is in org-wave order: a binary search keeps the page linear in waves.
        .filter(|c| page.org_waves.binary_search(&c.to).is_ok())
}

/// The measures in the order of the trend: the index first, then the dimensions.
fn order(page: &Page) -> Vec<Measure> {
    std::iter::once(Measure::Index)
        .chain((0..page.dimensions()).map(Measure::Dimension))
        .collect()
}

pub(super) fn view(page: &Page) -> Option<TrendView> {
    if page.org_waves.len() < 2 {
        return None;
    }
    let analysis = page.analysis;
    let instrument = analysis.instrument;
    let waves: Vec<String> = page.org_waves.iter().map(|&i| page.wave(i)).collect();
    let label = |m: Measure| m.title(instrument).to_string();
    let into: std::collections::BTreeMap<(usize, Measure), &Change> =
        changes(page).map(|c| ((c.to, c.measure), c)).collect();
    let change_into = |m: Measure, to: usize| into.get(&(to, m)).copied();
    let series: Vec<charts::trend::TrendSeries> = order(page)
        .iter()
        .map(|&m| charts::trend::TrendSeries {
            name: label(m),
            values: page
                .org_waves
                .iter()
                .map(|&i| analysis.shown_mean(i, Group::All, m))
                .collect(),
            meaningful: page
                .org_waves
                .iter()
                .map(|&i| change_into(m, i).is_some_and(|c| c.shift.meaningful))
                .collect(),
        })
        .collect();
    let (lo, hi) = charts::trend::axis(&series);
    let title = format!(
        "{} across waves: the index and each dimension, every panel on the same axis from {} to {}",
        page.name,
        crate::output::number::decimals(lo, 0),
        crate::output::number::decimals(hi, 0)
    );
    let panels = charts::trend::render(&charts::trend::TrendChart {
        id: format!("{}trend", page.id_prefix),
        title: format!("{} across waves", page.name),
        waves: waves.clone(),
        series,
    });
    let rows = order(page)
        .iter()
        .map(|&m| {
            let latest = change_into(m, page.latest);
            TrendRow {
                measure: label(m),
                values: page
                    .org_waves
                    .iter()
                    .map(|&i| {
                        analysis
                            .shown_mean(i, Group::All, m)
                            .map_or_else(|| page.hidden_phrase_in(i, Group::All, m), super::one)
                    })
                    .collect(),
                change: latest.map_or_else(String::new, |c| signed(c.shift.difference)),
                meaningful: latest.is_some_and(|c| c.shift.meaningful),
            }
        })
        .collect();
    Some(TrendView {
        panels,
        title,
        legend: charts::trend::LEGEND.to_string(),
        axis: format!(
            "Every panel uses the same axis, from {} to {} points, fitted to these scores.",
            crate::output::number::decimals(lo, 0),
            crate::output::number::decimals(hi, 0)
        ),
        previous: waves[waves.len() - 2].clone(),
        waves,
        rows,
    })
}

/// The index's change into the latest wave, in words, for the summary.
pub(super) fn index_change(page: &Page) -> Option<String> {
    let c = changes(page).find(|c| c.to == page.latest && c.measure == Measure::Index)?;
    let verdict = if c.shift.meaningful {
        "a meaningful change"
    } else {
        "not large and certain enough to call a meaningful change"
    };
    Some(format!(
        "Since {}, the index moved {} points ({verdict}).",
        page.wave(c.from),
        signed(c.shift.difference)
    ))
}
