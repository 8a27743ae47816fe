//! Key drivers (SPEC §7): for each outcome, how much of its variance each dimension explains,
//! by general dominance weights (the Shapley/LMG share of R² over every subset of the
//! dimensions; Budescu 1993, Azen & Budescu 2003), at the respondent level over respondents with
//! every dimension and the outcome present (listwise).

use serde::Serialize;

use super::descriptives::variable;
use super::{too_few, Gated};
use crate::instrument::Instrument;
use crate::responses::Dataset;
use crate::stats::{self, DOMINANCE_MAX};

#[derive(Serialize)]
pub struct Driver {
    pub outcome: String,
    pub dimension: String,
    #[serde(flatten)]
    pub figures: Gated<DriverFigures>,
    pub warning: String,
}

#[derive(Serialize)]
pub struct DriverFigures {
    /// The dimension's general dominance weight: its share of R², in R² units.
    pub weight: Option<f64>,
    /// `weight / r2`.
    pub share: Option<f64>,
    pub r2: Option<f64>,
    pub n: usize,
}

/// One row per outcome and dimension, outcomes in instrument order.
pub fn compute(instrument: &Instrument, data: &Dataset) -> Vec<Driver> {
    let threshold = instrument.anonymity_threshold;
    let d = instrument.dimensions.len();
    let r = &data.respondents;
    let mut out = Vec::new();
    for (k, outcome) in instrument.outcome_items().iter().enumerate() {
        let v = d + 1 + k;
        let fit = if d > DOMINANCE_MAX {
            Err(format!(
                "more than {DOMINANCE_MAX} dimensions ({d}): key drivers need 2^{d} regressions and are not computed"
            ))
        } else {
            let complete: Vec<usize> = (0..r.len())
                .filter(|&i| {
                    !r.outcomes[i * instrument.outcomes.len() + k].is_nan()
                        && r.dimensions[i * d..(i + 1) * d].iter().all(|x| !x.is_nan())
                })
                .collect();
            let value = |row: usize, j: usize| {
                let i = complete[row];
                if j < d {
                    r.dimensions[i * d + j]
                } else {
                    variable(instrument, data, v, i)
                }
            };
            let dominance = (complete.len() >= threshold)
                .then(|| stats::covariance(complete.len(), d + 1, value))
                .flatten()
                .and_then(|cov| stats::dominance_of_covariance(&cov, complete.len()));
            Ok((complete.len(), dominance))
        };
        for (j, dim) in instrument.dimensions.iter().enumerate() {
            let (figures, warning) = match &fit {
                Err(reason) => (
                    Gated::Shown(DriverFigures {
                        weight: None,
                        share: None,
                        r2: None,
                        n: 0,
                    }),
                    reason.clone(),
                ),
                Ok((n, _)) if *n < threshold => (Gated::Suppressed, too_few(threshold)),
                Ok((n, None)) => (
                    Gated::Shown(DriverFigures {
                        weight: None,
                        share: None,
                        r2: None,
                        n: *n,
                    }),
                    "the outcome does not vary, or the dimensions are collinear: no R²".into(),
                ),
                Ok((n, Some(fit))) => {
                    let weight = fit.weights[j];
                    (
                        Gated::Shown(DriverFigures {
                            weight: Some(weight),
                            share: (fit.r2 > 0.0).then(|| weight / fit.r2),
                            r2: Some(fit.r2),
                            n: *n,
                        }),
                        String::new(),
                    )
                }
            };
            out.push(Driver {
                outcome: outcome.id.clone(),
                dimension: dim.id.clone(),
                figures,
                warning,
            });
        }
    }
    out
}
