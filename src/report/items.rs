//! Item-level figures for the organization pages: per item, the organization's mean score and
//! its answer distribution, and the population median of item means in the same wave.
//!
//! An item's figures are shown only where [`crate::confidential`] decided so: at least T
//! respondents of the organization-wave answered it, and no other shown figure differs from it
//! by fewer than T respondents (SPEC §6, §15).

use crate::analysis::Analysis;
use crate::instrument::ItemKind;
use crate::responses::ANSWERED;
use crate::results::{ItemFigure, Suppressed};
use crate::score;
use crate::stats;

#[derive(Debug, Clone)]
pub struct ItemFigures {
    /// Respondents who answered.
    pub n: usize,
    pub mean: Option<f64>,
    /// Answers per category, in the item's own order (scale codes 1..k, No/Yes, options);
    /// empty for number and multi items.
    pub counts: Vec<u64>,
}

/// Figures of every scored item for one org-wave (`None` where they are not shown).
pub fn figures(analysis: &Analysis, org_wave: usize) -> Vec<Option<ItemFigures>> {
    let instrument = analysis.instrument;
    let (Some(matrix), Some(reported)) = (
        analysis.data.respondents.items.as_ref(),
        analysis.results[org_wave].reported(),
    ) else {
        return vec![None; instrument.scored_items().len()];
    };
    let width = instrument.items.len();
    let rows = &analysis.results[org_wave].rows;
    instrument
        .scored_items()
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if !matches!(reported.items[i], ItemFigure::Shown { .. }) {
                return None;
            }
            let mut scores = Vec::with_capacity(rows.len());
            let categories = match &item.kind {
                ItemKind::Scale { labels, .. } => labels.len(),
                ItemKind::Boolean => 2,
                ItemKind::Choice { options } => options.len(),
                _ => 0,
            };
            let mut counts = vec![0u64; categories];
            for &row in rows {
                let at = row as usize * width + i;
                if matrix.status[at] != ANSWERED {
                    continue;
                }
                let score = matrix.scores[at];
                scores.push(score);
                if let Some(c) = score::answer_category(&item.kind, item.reverse, score) {
                    counts[c] += 1;
                }
            }
            Some(ItemFigures {
                n: scores.len(),
                mean: stats::mean(&scores),
                counts,
            })
        })
        .collect()
}

/// Why item `item` of a reported org-wave is not shown (`None` when it is).
pub fn hidden_reason(analysis: &Analysis, org_wave: usize, item: usize) -> Option<Suppressed> {
    match analysis.results[org_wave].reported()?.items.get(item)? {
        ItemFigure::Shown { .. } => None,
        ItemFigure::Suppressed(reason) => Some(*reason),
    }
}

/// Figures of every org-wave (empty for org-waves that are not reportable).
pub fn all_figures(analysis: &Analysis) -> Vec<Vec<Option<ItemFigures>>> {
    use rayon::prelude::*;
    (0..analysis.results.len())
        .into_par_iter()
        .map(|i| match analysis.results[i].reported() {
            Some(_) => figures(analysis, i),
            None => Vec::new(),
        })
        .collect()
}

/// Per item, the median item mean of the organizations shown in `wave`, when at least five are.
pub fn population_medians(
    analysis: &Analysis,
    all: &[Vec<Option<ItemFigures>>],
    wave: u32,
) -> Vec<Option<f64>> {
    (0..analysis.instrument.scored_items().len())
        .map(|item| {
            let mut means: Vec<f64> = analysis
                .results
                .iter()
                .zip(all)
                .filter(|(result, f)| result.wave == wave && !f.is_empty())
                .filter_map(|(_, f)| f[item].as_ref().and_then(|f| f.mean))
                .collect();
            if means.len() < crate::benchmark::MIN_POPULATION {
                return None;
            }
            means.sort_by(|a, b| a.total_cmp(b));
            stats::quantile_type7(&means, 0.5)
        })
        .collect()
}
