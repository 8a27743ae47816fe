//! `descriptives.csv` (SPEC §7): n, mean, sd, range, skew and excess kurtosis of every
//! dimension, the index and every outcome, pooled and per wave, as a methods section reports
//! them (`psych::describe`, type 3).
//!
//! A pooled row and its wave rows are figures over overlapping respondents (SPEC §15): a
//! pooled n beside the shown waves' n would give a hidden wave's n by subtraction. So the
//! pooled row is computed over the respondents of the shown waves only, and says so.

use serde::Serialize;

use super::{too_few, Gated};
use crate::instrument::Instrument;
use crate::responses::Dataset;
use crate::stats;

#[derive(Serialize)]
pub struct Descriptive {
    pub measure: String,
    pub wave: String,
    #[serde(flatten)]
    pub figures: Gated<DescriptiveFigures>,
    pub warning: String,
}

#[derive(Serialize)]
pub struct DescriptiveFigures {
    pub n: usize,
    pub mean: f64,
    pub sd: Option<f64>,
    pub min: f64,
    pub max: f64,
    pub skew: Option<f64>,
    pub kurtosis: Option<f64>,
}

/// The value of variable `v` (dimensions, the index, then outcomes) for respondent `i`; NaN
/// when missing.
pub(super) fn variable(instrument: &Instrument, data: &Dataset, v: usize, i: usize) -> f64 {
    let d = instrument.dimensions.len();
    let r = &data.respondents;
    if v <= d {
        crate::aggregate::measure_value(data, d, i, v)
    } else {
        r.outcomes[i * instrument.outcomes.len() + (v - d - 1)]
    }
}

/// The ids of the variables of [`variable`], in order.
pub(super) fn variable_ids(instrument: &Instrument) -> Vec<String> {
    instrument
        .dimensions
        .iter()
        .map(|d| d.id.clone())
        .chain(std::iter::once("index".to_string()))
        .chain(instrument.outcome_items().iter().map(|o| o.id.clone()))
        .collect()
}

fn row(measure: &str, wave: &str, values: &[f64], threshold: usize, note: String) -> Descriptive {
    let figures = Gated::new(values.len(), threshold, || {
        let d = stats::describe(values).expect("at least T values");
        DescriptiveFigures {
            n: d.n,
            mean: d.mean,
            sd: d.sd,
            min: d.min,
            max: d.max,
            skew: d.skew,
            kurtosis: d.kurtosis,
        }
    });
    let warning = match &figures {
        Gated::Suppressed => too_few(threshold),
        Gated::Shown(f) if f.skew.is_none() => {
            let same = "every respondent has the same score: skew and kurtosis are undefined";
            [note, same.to_string()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("; ")
        }
        Gated::Shown(_) => note,
    };
    Descriptive {
        measure: measure.to_string(),
        wave: wave.to_string(),
        figures,
        warning,
    }
}

/// Pooled rows first (variables in instrument order), then each wave in name order.
pub fn compute(instrument: &Instrument, data: &Dataset, waves: &[u32]) -> Vec<Descriptive> {
    let threshold = instrument.anonymity_threshold;
    let ids = variable_ids(instrument);
    let r = &data.respondents;
    let mut pooled = Vec::new();
    let mut per_wave: Vec<Vec<Descriptive>> = waves.iter().map(|_| Vec::new()).collect();
    for (v, id) in ids.iter().enumerate() {
        // Values per wave, in input order.
        let mut by_wave: Vec<Vec<f64>> = vec![Vec::new(); data.waves.len()];
        for i in 0..r.len() {
            let x = variable(instrument, data, v, i);
            if !x.is_nan() {
                by_wave[r.wave[i] as usize].push(x);
            }
        }
        let shown = |w: u32| by_wave[w as usize].len() >= threshold;
        let hidden: Vec<&str> = waves
            .iter()
            .filter(|&&w| !shown(w) && !by_wave[w as usize].is_empty())
            .map(|&w| data.waves[w as usize].as_str())
            .collect();
        // The shown waves' values, in input order.
        let values: Vec<f64> = (0..r.len())
            .filter(|&i| shown(r.wave[i]))
            .map(|i| variable(instrument, data, v, i))
            .filter(|x| !x.is_nan())
            .collect();
        let note = if hidden.is_empty() {
            String::new()
        } else {
            format!(
                "pooled over the shown waves only: {} left out ({})",
                hidden.join(", "),
                too_few(threshold)
            )
        };
        pooled.push(row(id, "all", &values, threshold, note));
        for (k, &w) in waves.iter().enumerate() {
            per_wave[k].push(row(
                id,
                &data.waves[w as usize],
                &by_wave[w as usize],
                threshold,
                String::new(),
            ));
        }
    }
    pooled.extend(per_wave.into_iter().flatten());
    pooled
}
