//! The one-page summary a client's executive reads first (SPEC §13): the level and what it
//! means, the index with its interval and percentile, the three strongest and three weakest
//! dimensions, the largest perception gap and the three recommended actions that matter
//! most, in plain words. Also the longer lists the details repeat: strengths and gaps
//! (dimensions and items) and every recommendation that applies.

use serde::Serialize;

use super::profile::LevelView;
use super::{one, one_opt, signed, Page};
use crate::results::{Figure, Measure, Suppressed};

/// How many dimensions the summary names at each end, and how many actions.
const SUMMARY_DIMENSIONS: usize = 3;
const SUMMARY_ACTIONS: usize = 3;
/// How many strengths and gaps the details list at each end.
const HIGHLIGHTS: usize = 5;

#[derive(Serialize)]
pub struct Summary {
    /// "Service Provider is level 2 of 4 …".
    pub level_meaning: String,
    /// What the instrument measures, from its description.
    pub measures: String,
    /// "The index, 34.8 out of 100 …" with interval and percentile.
    pub index_text: String,
    /// What it takes to reach the next level, or that the highest is reached.
    pub next_text: String,
    /// The index's change since the previous shown wave, when there is one.
    pub change_text: String,
    /// True when the strongest and weakest are placed against the population median; false
    /// when there is no population and they are simply the highest and lowest scores.
    pub against_population: bool,
    pub strongest: Vec<Highlight>,
    pub weakest: Vec<Highlight>,
    /// What the page says where a list is empty or shorter than three: "No dimension is above
    /// the population median.", "No other dimension is below the population median." (a list
    /// is never filled up with dimensions on the wrong side of the median).
    pub strongest_none: String,
    pub weakest_none: String,
    /// The sentence under both lists saying how they were chosen.
    pub ends_basis: String,
    pub gap_text: String,
    pub gap_flagged: bool,
    pub actions: Vec<RecommendationView>,
    /// How many more recommendations the details list.
    pub more_actions: usize,
    /// The order of the recommendations in plain words, with the weights where they differ.
    pub action_rule: String,
    /// Said when the weakest dimension with a recommendation is not among the first actions
    /// because of its weight; empty otherwise.
    pub action_note: String,
    /// What "What to do first" says when no recommendation applies: that every shown
    /// dimension is above the thresholds, or that no dimension is shown to judge by.
    pub no_actions: String,
}

/// Every recommendation that applies, in the order of [`Actions::rule`].
pub(super) struct Actions {
    pub list: Vec<RecommendationView>,
    pub rule: String,
    pub note: String,
}

#[derive(Serialize, Clone)]
pub struct Highlight {
    pub kind: String,
    pub title: String,
    /// Whether the item is reverse-worded (agreeing is the weaker answer).
    pub reverse: bool,
    pub value: String,
    pub median: String,
    pub difference: String,
}

#[derive(Serialize, Clone)]
pub struct RecommendationView {
    pub dimension: String,
    pub score: String,
    pub median: String,
    pub text: String,
}

pub(super) fn summary(page: &Page, level: &LevelView, actions: &Actions) -> Summary {
    let recommendations = &actions.list;
    let analysis = page.analysis;
    let instrument = analysis.instrument;
    let levels = &instrument.levels;
    let state = &page.reported.level;
    let level_meaning = match state.level {
        Some(l) => format!(
            "{} is level {} of {} on this instrument's scale, which runs from {} (lowest) to {} (highest).",
            levels[l].label,
            l + 1,
            levels.len(),
            levels[0].label,
            levels[levels.len() - 1].label
        ),
        None if page.self_assessment => {
            "No level can be given: too few items were answered to compute the index.".into()
        }
        None => match page.reported.all.figure(Measure::Index) {
            Figure::Suppressed(Suppressed::Complementary) => {
                "No level can be given: the index is not shown, to protect a smaller group.".into()
            }
            _ => format!("No level can be given: the index has {}.", page.hidden),
        },
    };
    let index_text = match state.index {
        None => String::new(),
        Some(index) => {
            let mut text = format!("The partnership index is {} out of 100", one(index));
            if !level.ci.is_empty() {
                text.push_str(&format!(
                    " (95% confidence interval {}: the range the true value most likely lies in)",
                    level.ci,
                ));
            }
            text.push('.');
            if page.alone() {
                // Nothing to rank against: the methods note says how to add a population.
            } else if level.percentile.is_empty() {
                text.push_str(&if level.population.is_empty() {
                    " There is no population to rank against.".to_string()
                } else {
                    format!(
                        " The population, {}, is too small to rank against.",
                        level.population
                    )
                });
            } else {
                text.push_str(&format!(
                    " That is percentile {} of {}: about {}% of the organizations compared score lower.",
                    level.percentile, level.population, level.percentile
                ));
                if page.self_assessment {
                    text.push_str(
                        " Your answers, one person's view when you answered alone, are compared with organization averages, which vary less than single answers.",
                    );
                }
            }
            text
        }
    };
    let next_text = match (state.next_level, state.points_to_next) {
        (Some(next), Some(points)) if points > 0.0 => {
            let mut text = format!(
                "{} starts at an index of {}: {} points to go.",
                levels[next].label,
                one(levels[next].min),
                one(points)
            );
            if !level.blocking.is_empty() {
                text.push_str(&format!(
                    " It also needs every dimension shown at {} or more; below that now: {}.",
                    one_opt(levels[next].min_each_dimension),
                    level.blocking.join(", ")
                ));
            }
            text
        }
        (Some(next), _) => {
            let mut text = format!(
                "The index already reaches {}, which also needs every dimension shown at {} or more",
                levels[next].label,
                one_opt(levels[next].min_each_dimension),
            );
            if level.blocking.is_empty() {
                text.push('.');
            } else {
                text.push_str(&format!("; below that now: {}.", level.blocking.join(", ")));
            }
            text
        }
        (None, _) if state.level.is_some() => "This is the highest level of the instrument.".into(),
        (None, _) => String::new(),
    };
    let Ends {
        against: against_population,
        strongest,
        weakest,
    } = ends(page);
    // A list shorter than three says why: no other dimension lies on its side of the median.
    let none = |side: &str, listed: usize| match listed {
        0 if against_population => format!("No dimension is {side} the population median."),
        0 => "No dimension can be shown.".to_string(),
        n if against_population && n < SUMMARY_DIMENSIONS => {
            format!("No other dimension is {side} the population median.")
        }
        _ => String::new(),
    };
    let strongest_none = none("above", strongest.len());
    let weakest_none = none("below", weakest.len());
    let any_shown = page.any_dimension_shown();
    let ends_basis = if !any_shown {
        format!(
            "Every dimension of this wave is hidden: each one covers a group of respondents that differs by 1 to {} people from another figure here, which would show what those few answered.",
            instrument.anonymity_threshold.saturating_sub(1)
        )
    } else if against_population {
        "Strongest: the dimensions above the population median, furthest first (at most three); weakest: those below it."
            .to_string()
    } else {
        "Without a population to compare with, these are your highest and lowest scores."
            .to_string()
    };
    let no_actions = if any_shown {
        "No recommendation applies: every shown dimension is above the thresholds the instrument sets for action."
    } else {
        "No recommendation can be given: no dimension of this wave is shown, so none can be compared with the thresholds the instrument sets for action."
    }
    .to_string();
    // A self-assessment with one role answering has no gap: the summary leaves it out.
    let (gap_text, gap_flagged) = super::gaps::largest(page).unwrap_or_else(|| {
        let text = if page.self_assessment {
            String::new()
        } else {
            format!(
                "No perception gap can be shown: a gap needs at least {} responses from each of the two roles.",
                instrument.anonymity_threshold
            )
        };
        (text, false)
    });
    Summary {
        level_meaning,
        measures: about(&instrument.description, page.self_assessment),
        index_text,
        next_text,
        change_text: super::trend::index_change(page).unwrap_or_default(),
        against_population,
        strongest,
        weakest,
        strongest_none,
        weakest_none,
        ends_basis,
        no_actions,
        gap_text,
        gap_flagged,
        actions: recommendations
            .iter()
            .take(SUMMARY_ACTIONS)
            .cloned()
            .collect(),
        more_actions: recommendations.len().saturating_sub(SUMMARY_ACTIONS),
        action_rule: actions.rule.clone(),
        action_note: actions.note.clone(),
    }
}

/// What the instrument measures, from its description. A self-assessment keeps only the
/// first sentence: the rest of a description typically says who answers (every role), which
/// on one person's page would read as if others had answered.
fn about(description: &str, self_assessment: bool) -> String {
    let text = description.trim();
    if !self_assessment {
        return text.to_string();
    }
    match text.find(". ") {
        Some(end) => text[..=end].to_string(),
        None => text.to_string(),
    }
}

/// The summary's two lists and how they were chosen.
struct Ends {
    /// Placed against the population median (false: the highest and lowest scores).
    against: bool,
    strongest: Vec<Highlight>,
    weakest: Vec<Highlight>,
}

/// The strongest and weakest dimensions (SPEC §13): those above the population median,
/// furthest first, and those below it, at most three each, so that neither list contradicts
/// its numbers. Where no dimension has a population median: the highest and lowest scores.
/// The two lists never share a dimension.
fn ends(page: &Page) -> Ends {
    let instrument = page.analysis.instrument;
    let shown: Vec<(usize, f64)> = (0..page.dimensions())
        .filter_map(|m| page.mean(Measure::Dimension(m)).map(|v| (m, v)))
        .collect();
    let against = shown
        .iter()
        .any(|&(m, _)| page.quartiles(Measure::Dimension(m)).is_some());
    let mut ranked: Vec<(f64, Highlight)> = shown
        .iter()
        .filter_map(|&(m, v)| {
            let median = page.quartiles(Measure::Dimension(m)).map(|q| q.median);
            let key = if against { v - median? } else { v };
            Some((
                key,
                Highlight {
                    kind: "Dimension".into(),
                    title: instrument.dimensions[m].title.clone(),
                    reverse: false,
                    value: one(v),
                    median: one_opt(median),
                    difference: median.map_or_else(String::new, |med| signed(v - med)),
                },
            ))
        })
        .collect();
    // Largest first; ties keep instrument order.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (strongest, weakest) = if against {
        // As printed: a difference that rounds to 0.0 is neither above nor below.
        let above = |d: f64| signed(d) != "0.0" && d > 0.0;
        let below = |d: f64| signed(d) != "0.0" && d < 0.0;
        (
            ranked
                .iter()
                .filter(|h| above(h.0))
                .take(SUMMARY_DIMENSIONS)
                .map(|h| h.1.clone())
                .collect(),
            ranked
                .iter()
                .rev()
                .filter(|h| below(h.0))
                .take(SUMMARY_DIMENSIONS)
                .map(|h| h.1.clone())
                .collect(),
        )
    } else {
        let top = SUMMARY_DIMENSIONS.min(ranked.len().div_ceil(2));
        let bottom = SUMMARY_DIMENSIONS.min(ranked.len() - top);
        (
            ranked[..top].iter().map(|h| h.1.clone()).collect(),
            ranked[ranked.len() - bottom..]
                .iter()
                .rev()
                .map(|h| h.1.clone())
                .collect(),
        )
    };
    Ends {
        against,
        strongest,
        weakest,
    }
}

/// Strengths and gaps for the details: dimensions and items furthest above and below the
/// population median, five each; for a self-assessment without a population, its highest and
/// lowest scores.
pub(super) fn highlights(page: &Page) -> (Vec<Highlight>, Vec<Highlight>) {
    if page.alone() {
        return highest_and_lowest(page);
    }
    let instrument = page.analysis.instrument;
    let mut all: Vec<(f64, Highlight)> = Vec::new();
    for (m, dim) in instrument.dimensions.iter().enumerate() {
        if let (Some(v), Some(q)) = (
            page.mean(Measure::Dimension(m)),
            page.quartiles(Measure::Dimension(m)),
        ) {
            all.push((
                v - q.median,
                Highlight {
                    kind: "Dimension".into(),
                    title: dim.title.clone(),
                    reverse: false,
                    value: one(v),
                    median: one(q.median),
                    difference: signed(v - q.median),
                },
            ));
        }
    }
    for (i, item) in instrument.scored_items().iter().enumerate() {
        if let (Some(Some(v)), Some(median)) = (
            page.figures[i].as_ref().map(|f| f.mean),
            page.item_medians[i],
        ) {
            all.push((
                v - median,
                Highlight {
                    kind: "Item".into(),
                    title: item.text.clone(),
                    reverse: item.reverse,
                    value: one(v),
                    median: one(median),
                    difference: signed(v - median),
                },
            ));
        }
    }
    furthest(all)
}

/// A self-assessment's strengths and gaps without a population: the dimensions and items
/// furthest above and below its own index, five each (none when the index cannot be given).
/// Ties keep instrument order, dimensions first.
fn highest_and_lowest(page: &Page) -> (Vec<Highlight>, Vec<Highlight>) {
    let Some(index) = page.reported.level.index else {
        return (Vec::new(), Vec::new());
    };
    let instrument = page.analysis.instrument;
    let dimensions = instrument
        .dimensions
        .iter()
        .enumerate()
        .filter_map(|(m, dim)| {
            let v = page.mean(Measure::Dimension(m))?;
            Some((v, "Dimension", dim.title.clone(), false))
        });
    let items = instrument
        .scored_items()
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let v = page.figures[i].as_ref()?.mean?;
            Some((v, "Item", item.text.clone(), item.reverse))
        });
    let all: Vec<(f64, Highlight)> = dimensions
        .chain(items)
        .map(|(v, kind, title, reverse)| {
            (
                v - index,
                Highlight {
                    kind: kind.into(),
                    title,
                    reverse,
                    value: one(v),
                    median: one(index),
                    difference: signed(v - index),
                },
            )
        })
        .collect();
    furthest(all)
}

/// The highlights furthest above zero and furthest below it (at most [`HIGHLIGHTS`] each),
/// from `(distance, highlight)` pairs.
fn furthest(mut all: Vec<(f64, Highlight)>) -> (Vec<Highlight>, Vec<Highlight>) {
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    let above = all
        .iter()
        .filter(|h| h.0 > 0.0)
        .take(HIGHLIGHTS)
        .map(|h| h.1.clone())
        .collect();
    let below = all
        .iter()
        .rev()
        .filter(|h| h.0 < 0.0)
        .take(HIGHLIGHTS)
        .map(|h| h.1.clone())
        .collect();
    (above, below)
}

/// The recommendations that apply, ordered by `(reference − score) × weight`, largest first
/// (SPEC §13): the reference is the population median where the organization has a
/// population, and 100 otherwise; a self-assessment always uses 100 (SPEC §12). Dimensions
/// without a median on a page that has a population follow, by `(100 − score) × weight`.
pub(super) fn recommendations(page: &Page) -> Actions {
    let instrument = page.analysis.instrument;
    let by_median = page.has_population && !page.self_assessment;
    // (tier, priority, unweighted distance, dimension, view)
    let mut recs: Vec<(u8, f64, f64, usize, RecommendationView)> = Vec::new();
    for (m, dim) in instrument.dimensions.iter().enumerate() {
        let Some(v) = page.mean(Measure::Dimension(m)) else {
            continue;
        };
        let Some(rec) = instrument.recommendation(m, v) else {
            continue;
        };
        let median = page.quartiles(Measure::Dimension(m)).map(|q| q.median);
        let (tier, reference) = match median {
            Some(med) if by_median => (1, med),
            _ if by_median => (0, 100.0),
            _ => (1, 100.0),
        };
        recs.push((
            tier,
            (reference - v) * dim.weight,
            reference - v,
            m,
            RecommendationView {
                dimension: dim.title.clone(),
                score: one(v),
                median: one_opt(median),
                text: rec.text.clone(),
            },
        ));
    }
    recs.sort_by(|a, b| {
        (b.0.cmp(&a.0))
            .then(b.1.total_cmp(&a.1))
            .then(a.3.cmp(&b.3))
    });
    let reference = if by_median {
        "the population median"
    } else {
        "100"
    };
    let mut rule = format!(
        "Ordered by how far each score lies below {reference}, times the dimension's weight, largest first."
    );
    if by_median && recs.iter().any(|r| r.0 == 0) {
        rule.push_str(" Dimensions without a population median follow, ordered by how far they lie below 100.");
    }
    if let Some(weights) = weights_in_words(page) {
        rule.push(' ');
        rule.push_str(&weights);
    }
    // The weakest dimension with a recommendation, before weights: furthest below the reference.
    let weakest = recs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.0 == 1)
        .max_by(|a, b| a.1 .2.total_cmp(&b.1 .2).then(b.1 .3.cmp(&a.1 .3)));
    let note = match weakest {
        Some((place, r)) if place >= SUMMARY_ACTIONS => format!(
            "{} lies furthest below {reference} of these dimensions, but its weight of {} puts it at place {}.",
            r.4.dimension,
            crate::output::num(instrument.dimensions[r.3].weight),
            place + 1
        ),
        _ => String::new(),
    };
    Actions {
        list: recs.into_iter().map(|r| r.4).collect(),
        rule,
        note,
    }
}

/// The dimension weights in words where they differ ("Weights: Senior collaboration on
/// business issues 1.5, Dedicated HR resources for Sales 1.5, every other dimension 1."),
/// or `None` when every dimension weighs the same.
fn weights_in_words(page: &Page) -> Option<String> {
    let dims = &page.analysis.instrument.dimensions;
    let first = dims.first()?.weight;
    if dims.iter().all(|d| d.weight == first) {
        return None;
    }
    // The weight most dimensions share is "every other dimension"; ties take the first.
    let mut common = first;
    let mut best = 0;
    for d in dims {
        let count = dims.iter().filter(|e| e.weight == d.weight).count();
        if count > best {
            best = count;
            common = d.weight;
        }
    }
    let listed: Vec<String> = dims
        .iter()
        .filter(|d| d.weight != common)
        .map(|d| format!("{} {}", d.title, crate::output::num(d.weight)))
        .collect();
    Some(format!(
        "Weights: {}, every other dimension {}.",
        listed.join(", "),
        crate::output::num(common)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_assessment_says_what_is_measured_but_not_who_answers() {
        let text = "Measures the partnership. Answered by HR and sales leaders.";
        assert_eq!(about(text, false), text);
        assert_eq!(about(text, true), "Measures the partnership.");
        assert_eq!(about(" One sentence only ", true), "One sentence only");
    }
}
