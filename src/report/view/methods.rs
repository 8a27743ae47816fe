//! The methods appendix: what a client need not read but an analyst checks. The wave-over-wave
//! tests (Welch's t, its degrees of freedom, p, Holm's adjusted p and Hedges' g) and the rule
//! that calls a change meaningful; the formulas themselves are written in the template.

use serde::Serialize;

use super::{one, signed, Page};
use crate::output::number::{fixed, p_value};
use crate::results::Measure;

#[derive(Serialize)]
pub struct Methods {
    pub changes: Vec<ChangeRow>,
    /// "p < 0.05 and at least 5 points".
    pub meaningful_rule: String,
    pub population: String,
}

#[derive(Serialize)]
pub struct ChangeRow {
    pub measure: String,
    pub from: String,
    pub to: String,
    pub from_mean: String,
    pub to_mean: String,
    pub difference: String,
    pub t: String,
    pub df: String,
    pub p: String,
    pub p_holm: String,
    pub g: String,
    pub meaningful: bool,
}

pub(super) fn methods(page: &Page) -> Methods {
    let analysis = page.analysis;
    let instrument = analysis.instrument;
    let rule = instrument.meaningful_change;
    let changes = super::trend::changes(page)
        .map(|c| {
            let s = &c.shift;
            ChangeRow {
                measure: c.measure.title(instrument).to_string(),
                from: page.wave(c.from),
                to: page.wave(c.to),
                from_mean: one(s.from_mean),
                to_mean: one(s.to_mean),
                difference: signed(s.difference),
                t: fixed(s.welch.as_ref().map(|w| w.t), 2),
                df: s.welch.as_ref().map_or_else(String::new, |w| one(w.df)),
                p: p_value(s.welch.as_ref().map(|w| w.p)),
                p_holm: p_value(s.p_holm),
                g: fixed(s.hedges_g, 2),
                meaningful: s.meaningful,
            }
        })
        .collect();
    Methods {
        changes,
        meaningful_rule: format!(
            "its Holm-adjusted p is below {} and the difference is at least {} points",
            crate::output::num(rule.p),
            crate::output::num(rule.points)
        ),
        population: analysis
            .standing(page.latest, crate::aggregate::Group::All, Measure::Index)
            .map_or_else(String::new, |s| s.population.to_string()),
    }
}
