//! Paired changes (SPEC §7, panels): where respondents give the same `panel_id` in two
//! consecutive waves of an organization, the change of those same people, by the paired t-test,
//! beside Welch's test of the two waves as independent samples.
//!
//! Panel ids are pseudonymous codes; they pair rows and appear in no output. A panel id given
//! twice in one organization-wave pairs nothing (which answer would be the person's?).
//! A paired row is a figure over the pairs, beside Welch's over everyone who answered in
//! either wave: the respondents outside the pairs must be none or at least T (SPEC §15), or the
//! paired row keeps only its keys.

use std::collections::HashMap;

use serde::Serialize;

use super::Gated;
use crate::aggregate::measure_value;
use crate::analysis::Analysis;
use crate::results::Measure;
use crate::stats;

/// The words of a paired row hidden to protect the respondents outside the pairs.
pub const PROTECTED: &str = "not shown, to protect a smaller group";

#[derive(Serialize)]
pub struct PairedChange {
    pub org: String,
    #[serde(skip)]
    pub m: Measure,
    pub measure: String,
    pub from_wave: String,
    pub to_wave: String,
    #[serde(flatten)]
    pub figures: Gated<PairedFigures>,
    pub warning: String,
}

#[derive(Serialize)]
pub struct PairedFigures {
    /// Pairs: panel ids of the organization answered once in each wave, the measure present
    /// in both.
    pub n: usize,
    pub mean_difference: f64,
    pub t: f64,
    pub df: f64,
    pub p: f64,
    /// Holm-adjusted p and Benjamini–Hochberg q over every shown paired change of the run.
    pub p_holm: f64,
    pub q_bh: f64,
    pub d_z: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Panel id → row, for the ids given exactly once among `rows`.
fn once<'a>(analysis: &'a Analysis, rows: &[u32]) -> HashMap<&'a str, u32> {
    let r = &analysis.data.respondents;
    let mut seen: HashMap<&str, Option<u32>> = HashMap::new();
    for &row in rows {
        let id = r.panel_id(row as usize);
        if !id.is_empty() {
            seen.entry(id)
                .and_modify(|e| *e = None)
                .or_insert(Some(row));
        }
    }
    seen.into_iter()
        .filter_map(|(id, row)| Some((id, row?)))
        .collect()
}

/// Paired changes in the order of the organizations' wave changes; none when no row has a
/// panel id.
pub fn compute(analysis: &Analysis) -> Vec<PairedChange> {
    let data = analysis.data;
    if data.respondents.panel.text.is_empty() {
        return Vec::new();
    }
    let instrument = analysis.instrument;
    let threshold = instrument.anonymity_threshold;
    let d = instrument.dimensions.len();
    let mut out = Vec::new();
    // The pairs of the current (from, to) organization-waves, by row of the earlier wave.
    type Pairs = ((usize, usize), Vec<(u32, u32)>);
    let mut current: Option<Pairs> = None;
    for c in &analysis.changes {
        let key = (c.from, c.to);
        if current.as_ref().is_none_or(|(k, _)| *k != key) {
            let earlier = once(analysis, &analysis.results[c.from].rows);
            let later = once(analysis, &analysis.results[c.to].rows);
            let mut pairs: Vec<(u32, u32)> = earlier
                .iter()
                .filter_map(|(id, &a)| Some((a, *later.get(id)?)))
                .collect();
            pairs.sort_unstable();
            current = Some((key, pairs));
        }
        let pairs = &current.as_ref().expect("set above").1;
        let m = c.measure.slot(d);
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for &(a, b) in pairs {
            let (x, y) = (
                measure_value(data, d, a as usize, m),
                measure_value(data, d, b as usize, m),
            );
            if !x.is_nan() && !y.is_nan() {
                before.push(x);
                after.push(y);
            }
        }
        let n = before.len();
        if n < threshold {
            continue;
        }
        let outside = (c.shift.from_n - n) + (c.shift.to_n - n);
        let protected = outside > 0 && outside < threshold;
        let test = if protected {
            None
        } else {
            stats::paired(&after, &before)
        };
        let (figures, warning) = match test {
            Some(t) => (
                Gated::Shown(PairedFigures {
                    n: t.n,
                    mean_difference: t.mean_difference,
                    t: t.t,
                    df: t.df,
                    p: t.p,
                    p_holm: t.p,
                    q_bh: t.p,
                    d_z: t.d_z,
                    ci_low: t.ci_low,
                    ci_high: t.ci_high,
                }),
                String::new(),
            ),
            None if protected => (Gated::Suppressed, PROTECTED.to_string()),
            None => (
                Gated::Suppressed,
                "every pair changed by the same amount: the paired test is undefined".to_string(),
            ),
        };
        out.push(PairedChange {
            org: analysis.org_id(c.from).to_string(),
            m: c.measure,
            measure: c.measure.id(instrument).to_string(),
            from_wave: analysis.wave(c.from).to_string(),
            to_wave: analysis.wave(c.to).to_string(),
            figures,
            warning,
        });
    }
    let ps: Vec<f64> = out
        .iter()
        .filter_map(|p| p.figures.shown().map(|f| f.p))
        .collect();
    let (holm, bh) = (stats::p_holm(&ps), stats::q_bh(&ps));
    let mut k = 0;
    for p in &mut out {
        if let Gated::Shown(f) = &mut p.figures {
            f.p_holm = holm[k];
            f.q_bh = bh[k];
            k += 1;
        }
    }
    out
}
