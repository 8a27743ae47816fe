//! Research statistics (`partnerscope stats`, SPEC §7): scale reliability, item diagnostics,
//! response quality, correlations, wave change and aggregation statistics, for researchers who
//! pool waves and must defend their scales.
//!
//! Works on item scores (0–100, reverse keying applied), pooled over all accepted rows, or per
//! wave. Every row computed from fewer than T respondents keeps its identifying columns and
//! loses its figures ([`Gated`], SPEC §6); per-organization figures come only from shown
//! organization-waves. The aggregation statistics are computed in [`crate::aggregation`].
//!
//! [`analyse`] computes everything once into [`StatsResults`] (pure: no file is touched);
//! [`StatsFiles`] renders it as the CSV files, `stats.json` and `stats.html` (`page`).

mod files;
mod page;

pub use files::StatsFiles;

use std::path::Path;

use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::Color;
use serde::{Serialize, Serializer};

use crate::aggregation::{self, Aggregation, AggregationRow, AgreementRow, RWG_AGREEMENT};
use crate::analysis::Analysis;
use crate::benchmark::Benchmark;
use crate::compare::{self, Shift};
use crate::error::{Error, Result};
use crate::instrument::{Instrument, ItemKind};
use crate::output;
use crate::report::{charts, templates, view};
use crate::responses::{Dataset, ItemMatrix, Organizations, ANSWERED, NA};
use crate::results::Measure;
use crate::score;
use crate::stats;

/// Alpha below this draws a warning (Nunnally 1978's usual threshold for research use).
pub const ALPHA_WARNING: f64 = 0.7;

/// The figures of a `stats` row, or nothing when they would come from fewer than T
/// respondents (SPEC §6). In `stats.json` an entry carries `"suppressed": false` and its
/// figures, or `"suppressed": true` and none.
#[derive(Debug, Clone, PartialEq)]
pub enum Gated<T> {
    Shown(T),
    Suppressed,
}

impl<T> Gated<T> {
    /// The figures when `n` reaches the threshold; `figures` is not even computed otherwise.
    pub fn new(n: usize, threshold: usize, figures: impl FnOnce() -> T) -> Gated<T> {
        if n >= threshold {
            Gated::Shown(figures())
        } else {
            Gated::Suppressed
        }
    }

    pub fn shown(&self) -> Option<&T> {
        match self {
            Gated::Shown(figures) => Some(figures),
            Gated::Suppressed => None,
        }
    }
}

impl<T: Serialize> Serialize for Gated<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Entry<'a, T> {
            suppressed: bool,
            #[serde(flatten, skip_serializing_if = "Option::is_none")]
            figures: Option<&'a T>,
        }
        Entry {
            suppressed: self.shown().is_none(),
            figures: self.shown(),
        }
        .serialize(serializer)
    }
}

/// The words a suppressed `stats` row carries in its `warning` column and on the page.
pub fn too_few(threshold: usize) -> String {
    format!("fewer than {threshold} respondents")
}

#[derive(Serialize)]
pub struct Reliability {
    pub dimension: String,
    pub wave: String,
    pub k: usize,
    #[serde(flatten)]
    pub figures: Gated<AlphaFigures>,
    pub warning: String,
}

#[derive(Serialize)]
pub struct AlphaFigures {
    pub n: usize,
    pub alpha: Option<f64>,
    pub alpha_ci_low: Option<f64>,
    pub alpha_ci_high: Option<f64>,
}

#[derive(Serialize)]
pub struct ItemDiagnostics {
    pub dimension: String,
    pub item: String,
    #[serde(flatten)]
    pub figures: Gated<ItemFigures>,
    pub warning: String,
}

#[derive(Serialize)]
pub struct ItemFigures {
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub share_missing: f64,
    pub share_na: f64,
    pub item_total_r: Option<f64>,
    pub alpha_if_dropped: Option<f64>,
}

#[derive(Serialize)]
pub struct Correlation {
    pub first: String,
    pub second: String,
    #[serde(flatten)]
    pub figures: Gated<CorrelationFigures>,
    pub warning: String,
}

#[derive(Serialize)]
pub struct CorrelationFigures {
    pub n: usize,
    pub r: Option<f64>,
    pub p: Option<f64>,
}

#[derive(Serialize)]
pub struct QualityRow {
    pub respondent_id: String,
    pub org: String,
    pub role: String,
    pub wave: String,
    pub problem: String,
}

#[derive(Serialize)]
pub struct OrgQuality {
    pub org: String,
    pub wave: String,
    pub respondents: usize,
    pub straight_lining: usize,
    pub too_few_answered: usize,
}

#[derive(Serialize)]
pub struct WaveChange {
    /// `all` for the whole population, otherwise the organization id.
    pub scope: String,
    #[serde(skip)]
    pub m: Measure,
    pub measure: String,
    pub from_wave: String,
    pub to_wave: String,
    #[serde(flatten)]
    pub figures: Gated<ChangeFigures>,
    pub warning: String,
}

/// The statistics of a change (SPEC §5), from the earlier wave to the later one, with the
/// number of respondents on each side.
#[derive(Serialize)]
pub struct ChangeFigures {
    pub from_n: usize,
    pub to_n: usize,
    #[serde(flatten)]
    pub shift: output::ShiftJson,
}

impl ChangeFigures {
    fn new(shift: &Shift) -> Self {
        ChangeFigures {
            from_n: shift.from_n,
            to_n: shift.to_n,
            shift: output::ShiftJson::from(shift),
        }
    }
}

#[derive(Serialize)]
pub struct WaveLevels {
    pub wave: String,
    pub organizations: usize,
    pub levels: Vec<(String, usize)>,
}

#[derive(Serialize)]
pub struct StatsJson {
    pub partnerscope_version: &'static str,
    pub instrument: String,
    pub instrument_version: String,
    pub anonymity_threshold: usize,
    pub respondents: usize,
    pub reliability: Vec<Reliability>,
    pub items: Vec<ItemDiagnostics>,
    pub correlations: Vec<Correlation>,
    pub quality: Vec<OrgQuality>,
    pub wave_changes: Vec<WaveChange>,
    pub wave_levels: Vec<WaveLevels>,
    pub aggregation: Vec<AggregationRow>,
    pub agreement: Vec<AgreementRow>,
}

/// Item scores of one respondent row.
fn row(matrix: &ItemMatrix, width: usize, r: usize) -> (&[f64], &[u8]) {
    (
        &matrix.scores[r * width..(r + 1) * width],
        &matrix.status[r * width..(r + 1) * width],
    )
}

/// Listwise rows of a dimension: respondents (among `rows`) who answered every item of it.
fn listwise(
    instrument: &Instrument,
    matrix: &ItemMatrix,
    rows: &[usize],
    dimension: usize,
) -> Vec<Vec<f64>> {
    let width = instrument.items.len();
    let range = instrument.dimensions[dimension].items.clone();
    rows.iter()
        .filter_map(|&r| {
            let (scores, status) = row(matrix, width, r);
            range
                .clone()
                .all(|i| status[i] == ANSWERED)
                .then(|| scores[range.clone()].to_vec())
        })
        .collect()
}

fn reliability(
    instrument: &Instrument,
    matrix: &ItemMatrix,
    rows: &[usize],
    wave: &str,
) -> Vec<Reliability> {
    let threshold = instrument.anonymity_threshold;
    instrument
        .dimensions
        .iter()
        .enumerate()
        .map(|(d, dim)| {
            let data = listwise(instrument, matrix, rows, d);
            let k = dim.items.len();
            let figures = Gated::new(data.len(), threshold, || {
                let a = stats::cronbach_alpha(&data);
                AlphaFigures {
                    n: a.n,
                    alpha: a.alpha,
                    alpha_ci_low: a.ci_low,
                    alpha_ci_high: a.ci_high,
                }
            });
            let mut warnings = Vec::new();
            match figures.shown() {
                None => warnings.push(too_few(threshold)),
                Some(a) => {
                    if k < 3 {
                        warnings.push(format!(
                            "only {k} item(s): alpha is unstable with fewer than 3"
                        ));
                    }
                    if let Some(alpha) = a.alpha.filter(|&x| x < ALPHA_WARNING) {
                        warnings.push(format!(
                            "alpha {} is below {ALPHA_WARNING}: the items may not measure one thing",
                            output::number::decimals(alpha, 3)
                        ));
                    }
                }
            }
            Reliability {
                dimension: dim.id.clone(),
                wave: wave.to_string(),
                k,
                figures,
                warning: warnings.join("; "),
            }
        })
        .collect()
}

fn item_diagnostics(
    instrument: &Instrument,
    matrix: &ItemMatrix,
    rows: &[usize],
) -> Vec<ItemDiagnostics> {
    let threshold = instrument.anonymity_threshold;
    let width = instrument.items.len();
    // Per item: (item–total r, alpha if dropped), both from the dimension's listwise rows, and
    // whether those rows reach the threshold.
    let mut by_item: Vec<(Option<f64>, Option<f64>, bool)> = vec![(None, None, true); width];
    for (d, dim) in instrument.dimensions.iter().enumerate() {
        let data = listwise(instrument, matrix, rows, d);
        if data.len() < threshold {
            for i in dim.items.clone() {
                by_item[i] = (None, None, false);
            }
            continue;
        }
        let r = stats::corrected_item_total(&data);
        let dropped = stats::alpha_if_dropped(&data);
        for (j, i) in dim.items.clone().enumerate() {
            by_item[i] = (
                r.get(j).copied().flatten(),
                dropped.get(j).copied().flatten(),
                true,
            );
        }
    }
    instrument
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let mut values = Vec::new();
            let mut na = 0usize;
            for &r in rows {
                let (scores, status) = row(matrix, width, r);
                match status[i] {
                    ANSWERED => values.push(scores[i]),
                    NA => na += 1,
                    _ => {}
                }
            }
            let total = rows.len().max(1) as f64;
            let (item_total_r, alpha_if_dropped, listwise_shown) = by_item[i];
            let figures = Gated::new(values.len(), threshold, || ItemFigures {
                n: values.len(),
                mean: stats::mean(&values),
                sd: stats::sample_sd(&values),
                share_missing: (rows.len() - values.len()) as f64 / total,
                share_na: na as f64 / total,
                item_total_r,
                alpha_if_dropped,
            });
            let warning = match (&figures, item_total_r) {
                (Gated::Suppressed, _) => too_few(threshold),
                (_, Some(r)) if r < 0.0 => format!(
                    "item `{}` correlates negatively (r = {}) with the rest of its dimension: check whether `reverse: true` is missing or wrong, or whether the item measures something else",
                    item.id,
                    output::number::decimals(r, 2)
                ),
                _ if !listwise_shown => format!(
                    "item–total r and alpha if dropped: {} answered every item of the dimension",
                    too_few(threshold)
                ),
                _ => String::new(),
            };
            ItemDiagnostics {
                dimension: item
                    .dimension
                    .map_or_else(|| "outcome".to_string(), |d| instrument.dimensions[d].id.clone()),
                item: item.id.clone(),
                figures,
                warning,
            }
        })
        .collect()
}

/// Pearson r between two respondent-level measures, over respondents with both present.
fn correlate(first: String, second: String, x: &[f64], y: &[f64], threshold: usize) -> Correlation {
    let (a, b): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .unzip();
    let figures = Gated::new(a.len(), threshold, || {
        let p = stats::pearson(&a, &b);
        CorrelationFigures {
            n: a.len(),
            r: p.as_ref().map(|p| p.r),
            p: p.and_then(|p| p.p),
        }
    });
    let warning = match figures.shown() {
        None => too_few(threshold),
        Some(c) if c.r.is_none() => {
            "one of the two has the same value for every respondent: r is undefined".into()
        }
        Some(_) => String::new(),
    };
    Correlation {
        first,
        second,
        figures,
        warning,
    }
}

fn correlations(
    instrument: &Instrument,
    data: &Dataset,
) -> (Vec<Correlation>, Vec<Vec<Option<f64>>>) {
    let threshold = instrument.anonymity_threshold;
    let r = &data.respondents;
    let d = instrument.dimensions.len();
    let column = |m: usize| -> Vec<f64> { (0..r.len()).map(|i| r.dimensions[i * d + m]).collect() };
    let columns: Vec<Vec<f64>> = (0..d).map(column).collect();
    let mut out = Vec::new();
    let mut matrix = vec![vec![None; d]; d];
    for a in 0..d {
        matrix[a][a] = Some(1.0);
        for b in a + 1..d {
            let c = correlate(
                instrument.dimensions[a].id.clone(),
                instrument.dimensions[b].id.clone(),
                &columns[a],
                &columns[b],
                threshold,
            );
            let shown = c.figures.shown().and_then(|f| f.r);
            matrix[a][b] = shown;
            matrix[b][a] = shown;
            out.push(c);
        }
    }
    let o = instrument.outcomes.len();
    for (k, outcome) in instrument.outcome_items().iter().enumerate() {
        let values: Vec<f64> = (0..r.len()).map(|i| r.outcomes[i * o + k]).collect();
        out.push(correlate(
            "index".into(),
            outcome.id.clone(),
            &r.index,
            &values,
            threshold,
        ));
    }
    (out, matrix)
}

fn quality(instrument: &Instrument, data: &Dataset, matrix: &ItemMatrix) -> Vec<QualityRow> {
    let width = instrument.items.len();
    let r = &data.respondents;
    let scale_items: Vec<usize> = (0..instrument.outcomes.start)
        .filter(|&i| matches!(instrument.items[i].kind, ItemKind::Scale { .. }))
        .collect();
    let scored = instrument.outcomes.start;
    let mut out = Vec::new();
    for i in 0..r.len() {
        let (scores, status) = row(matrix, width, i);
        let codes: Vec<usize> = scale_items
            .iter()
            .filter(|&&j| status[j] == ANSWERED)
            .filter_map(|&j| {
                let item = &instrument.items[j];
                score::answer_category(&item.kind, item.reverse, scores[j])
            })
            .collect();
        let mut problems = Vec::new();
        if scale_items.len() >= 2
            && codes.len() == scale_items.len()
            && codes.windows(2).all(|w| w[0] == w[1])
        {
            problems.push("straight_lining");
        }
        let answered = status[..scored].iter().filter(|&&s| s == ANSWERED).count();
        if (answered as f64) < instrument.min_answered * scored as f64 {
            problems.push("too_few_answered");
        }
        for problem in problems {
            out.push(QualityRow {
                respondent_id: r.id(i).to_string(),
                org: data.orgs[r.org[i] as usize].clone(),
                role: instrument.roles[r.role[i] as usize].id.clone(),
                wave: data.waves[r.wave[i] as usize].clone(),
                problem: problem.into(),
            });
        }
    }
    out
}

/// Change of all respondents between consecutive waves; `waves`: wave numbers sorted by name.
/// A change with fewer than T respondents on either side keeps only its identifying fields.
fn population_changes(instrument: &Instrument, data: &Dataset, waves: &[u32]) -> Vec<WaveChange> {
    let threshold = instrument.anonymity_threshold;
    let r = &data.respondents;
    let d = instrument.dimensions.len();
    let mut out = Vec::new();
    for pair in waves.windows(2) {
        for measure in Measure::all(d) {
            let m = measure.slot(d);
            let values = |w: u32| -> Vec<f64> {
                (0..r.len())
                    .filter(|&i| r.wave[i] == w)
                    .map(|i| crate::aggregate::measure_value(data, d, i, m))
                    .filter(|v| !v.is_nan())
                    .collect()
            };
            let (earlier, later) = (values(pair[0]), values(pair[1]));
            if let Some(shift) = compare::shift(&earlier, &later, instrument.meaningful_change) {
                let figures = Gated::new(shift.from_n.min(shift.to_n), threshold, || {
                    ChangeFigures::new(&shift)
                });
                out.push(WaveChange {
                    scope: "all".into(),
                    m: measure,
                    measure: measure.id(instrument).to_string(),
                    from_wave: data.waves[pair[0] as usize].clone(),
                    to_wave: data.waves[pair[1] as usize].clone(),
                    warning: match figures {
                        Gated::Suppressed => too_few(threshold),
                        Gated::Shown(_) => String::new(),
                    },
                    figures,
                });
            }
        }
    }
    out
}

/// What `stats` computes, once per run; [`StatsFiles`] writes it.
pub struct StatsResults<'a> {
    /// The organization-level results, for organization names and wave changes.
    pub analysis: Analysis<'a>,
    pub json: StatsJson,
    /// Per-respondent quality problems (the assessor's raw data, like respondent scores).
    pub quality: Vec<QualityRow>,
    /// Pairwise correlations of the dimensions, for the page's heat map.
    pub correlation_matrix: Vec<Vec<Option<f64>>>,
}

/// Computes every `stats` figure (SPEC §7) from the accepted rows.
pub fn analyse<'a>(
    instrument: &'a Instrument,
    data: &'a Dataset,
    orgs: &'a Organizations,
    by_wave: bool,
) -> Result<StatsResults<'a>> {
    let matrix = data
        .respondents
        .items
        .as_ref()
        .ok_or_else(|| Error::Other("item scores were not kept for `stats`".into()))?;
    let all_rows: Vec<usize> = (0..data.respondents.len()).collect();
    // Wave numbers in the order of their names (waves sort as plain strings).
    let mut waves: Vec<u32> = (0..data.waves.len() as u32).collect();
    waves.sort_by(|a, b| data.waves[*a as usize].cmp(&data.waves[*b as usize]));
    let mut reliability_rows = reliability(instrument, matrix, &all_rows, "all");
    if by_wave {
        for &w in &waves {
            let name = &data.waves[w as usize];
            let rows: Vec<usize> = all_rows
                .iter()
                .copied()
                .filter(|&i| data.respondents.wave[i] == w)
                .collect();
            reliability_rows.extend(reliability(instrument, matrix, &rows, name));
        }
    }
    let items = item_diagnostics(instrument, matrix, &all_rows);
    let (correlations, corr_matrix) = correlations(instrument, data);
    let quality_rows = quality(instrument, data, matrix);

    let analysis = Analysis::run(instrument, data, orgs, &Benchmark::Wave);
    let Aggregation {
        rows: aggregation_rows,
        agreement,
    } = aggregation::compute(&analysis, matrix);
    // Problems per organization, wave and kind, counted in one pass.
    let mut problems: std::collections::BTreeMap<(&str, &str, &str), usize> = Default::default();
    for q in &quality_rows {
        *problems
            .entry((q.org.as_str(), q.wave.as_str(), q.problem.as_str()))
            .or_default() += 1;
    }
    let org_quality: Vec<OrgQuality> = analysis
        .results
        .iter()
        .enumerate()
        .filter(|(_, result)| result.reported().is_some())
        .map(|(i, result)| {
            let (org, wave) = (analysis.org_id(i), analysis.wave(i));
            let count = |problem: &str| problems.get(&(org, wave, problem)).copied().unwrap_or(0);
            OrgQuality {
                org: org.to_string(),
                wave: wave.to_string(),
                respondents: result.rows.len(),
                straight_lining: count("straight_lining"),
                too_few_answered: count("too_few_answered"),
            }
        })
        .collect();
    let threshold = instrument.anonymity_threshold;
    let mut wave_changes = population_changes(instrument, data, &waves);
    // Organization changes compare shown groups only (`compare::changes`), so both sides reach
    // the threshold; the gate is kept so that no path can show a smaller one.
    for c in &analysis.changes {
        wave_changes.push(WaveChange {
            scope: analysis.org_id(c.from).to_string(),
            m: c.measure,
            measure: c.measure.id(instrument).to_string(),
            from_wave: analysis.wave(c.from).to_string(),
            to_wave: analysis.wave(c.to).to_string(),
            figures: Gated::new(c.shift.from_n.min(c.shift.to_n), threshold, || {
                ChangeFigures::new(&c.shift)
            }),
            warning: String::new(),
        });
    }
    let mut wave_levels: Vec<WaveLevels> = Vec::new();
    for &w in &waves {
        let name = &data.waves[w as usize];
        let mut counts = vec![0usize; instrument.levels.len()];
        let mut n = 0;
        for result in analysis.results.iter().filter(|r| r.wave == w) {
            if let Some(level) = result.reported().and_then(|r| r.level.level) {
                counts[level] += 1;
                n += 1;
            }
        }
        wave_levels.push(WaveLevels {
            wave: name.clone(),
            organizations: n,
            levels: instrument
                .levels
                .iter()
                .map(|l| l.id.clone())
                .zip(counts)
                .collect(),
        });
    }

    let json = StatsJson {
        partnerscope_version: env!("CARGO_PKG_VERSION"),
        instrument: instrument.id.clone(),
        instrument_version: instrument.version.to_string(),
        anonymity_threshold: threshold,
        respondents: data.respondents.len(),
        reliability: reliability_rows,
        items,
        correlations,
        quality: org_quality,
        wave_changes,
        wave_levels,
        aggregation: aggregation_rows,
        agreement,
    };
    Ok(StatsResults {
        analysis,
        json,
        quality: quality_rows,
        correlation_matrix: corr_matrix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        key: &'static str,
        #[serde(flatten)]
        figures: Gated<CorrelationFigures>,
    }

    #[test]
    fn gated_rows_serialise_their_figures_or_only_the_suppression() {
        let shown = Row {
            key: "a",
            figures: Gated::new(5, 5, || CorrelationFigures {
                n: 5,
                r: Some(0.5),
                p: None,
            }),
        };
        assert_eq!(
            serde_json::to_string(&shown).unwrap(),
            r#"{"key":"a","suppressed":false,"n":5,"r":0.5,"p":null}"#
        );
        let hidden = Row {
            key: "b",
            figures: Gated::new(4, 5, || -> CorrelationFigures {
                panic!("figures of fewer than T respondents are never computed")
            }),
        };
        assert_eq!(
            serde_json::to_string(&hidden).unwrap(),
            r#"{"key":"b","suppressed":true}"#
        );
        assert_eq!(too_few(7), "fewer than 7 respondents");
    }
}
