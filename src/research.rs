//! Research statistics (`partnerscope stats`, SPEC §7): scale reliability, item diagnostics,
//! response quality, correlations, wave change and aggregation statistics, for researchers who
//! pool waves and must defend their scales.
//!
//! Works on item scores (0–100, reverse keying applied), pooled over all accepted rows, or per
//! wave. Every row computed from fewer than T respondents keeps its identifying columns and
//! loses its figures ([`Gated`], SPEC §6); per-organization figures come only from shown
//! organization-waves. The aggregation statistics are computed in [`crate::aggregation`]; this
//! module writes every `stats` output: the CSV files, `stats.json` and `stats.html`.

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
use crate::output::{self, Cell, Table};
use crate::report::{charts, templates, view};
use crate::responses::{Dataset, ItemMatrix, Organizations, ANSWERED, NA};
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
    pub measure: String,
    pub from_wave: String,
    pub to_wave: String,
    #[serde(flatten)]
    pub figures: Gated<ChangeFigures>,
    pub warning: String,
}

/// The statistics of a change (SPEC §5), from the earlier wave to the later one.
#[derive(Serialize)]
pub struct ChangeFigures {
    pub from_n: usize,
    pub to_n: usize,
    pub from_mean: f64,
    pub to_mean: f64,
    pub difference: f64,
    pub t: Option<f64>,
    pub df: Option<f64>,
    pub p: Option<f64>,
    pub hedges_g: Option<f64>,
    pub meaningful: bool,
}

impl ChangeFigures {
    fn new(shift: &Shift) -> Self {
        ChangeFigures {
            from_n: shift.from_n,
            to_n: shift.to_n,
            from_mean: shift.from_mean,
            to_mean: shift.to_mean,
            difference: shift.difference,
            t: shift.welch.as_ref().map(|w| w.t),
            df: shift.welch.as_ref().map(|w| w.df),
            p: shift.welch.as_ref().map(|w| w.p),
            hedges_g: shift.hedges_g,
            meaningful: shift.meaningful,
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
                        warnings.push(format!("alpha {alpha:.3} is below {ALPHA_WARNING}: the items may not measure one thing"));
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
                    "item `{}` correlates negatively (r = {r:.2}) with the rest of its dimension: check whether `reverse: true` is missing or wrong, or whether the item measures something else",
                    item.id
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
        for m in 0..=d {
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
                    measure: instrument.measure_id(m).to_string(),
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

pub fn run(
    instrument: &Instrument,
    data: &Dataset,
    orgs: &Organizations,
    by_wave: bool,
    out: &Path,
) -> Result<String> {
    let matrix = data
        .respondents
        .items
        .as_ref()
        .ok_or_else(|| Error::Other("item scores were not kept for `stats`".into()))?;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, "cannot create the folder", e))?;
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
            measure: instrument.measure_id(c.measure).to_string(),
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
    write_csvs(out, &json, &quality_rows)?;
    output::write_rejects(data, &out.join("rejects.csv"))?;
    let bytes = serde_json::to_vec_pretty(&json)
        .map_err(|e| Error::Other(format!("cannot serialise stats.json: {e}")))?;
    output::write_atomic(&out.join("stats.json"), &bytes)?;
    write_html(&analysis, &json, &corr_matrix, out)?;
    Ok(summary(&json, &quality_rows, out))
}

/// Cells of a gated row: `figures(f)` when shown, as many empty cells when not.
fn gated_cells<'a, T>(
    gated: &'a Gated<T>,
    width: usize,
    figures: impl Fn(&'a T) -> Vec<Cell<'a>>,
) -> Vec<Cell<'a>> {
    match gated {
        Gated::Shown(f) => figures(f),
        Gated::Suppressed => vec![Cell::Optional(None); width],
    }
}

/// One CSV of `stats`, through the result-table configuration every CSV shares (quoting,
/// line ends, the formula guard on text cells).
fn write_table<'a>(
    out: &Path,
    name: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell<'a>>>,
) -> Result<()> {
    let mut table = Table::create(&out.join(name), header)?;
    for row in rows {
        table.row(row)?;
    }
    table.finish()
}

fn write_csvs(out: &Path, json: &StatsJson, quality: &[QualityRow]) -> Result<()> {
    use Cell::{Count, Number, Optional, Text};
    write_table(
        out,
        "reliability.csv",
        &[
            "dimension",
            "wave",
            "k",
            "n",
            "alpha",
            "alpha_ci_low",
            "alpha_ci_high",
            "warning",
        ],
        json.reliability.iter().map(|r| {
            let mut row = vec![Text(&r.dimension), Text(&r.wave), Count(r.k)];
            row.extend(gated_cells(&r.figures, 4, |a| {
                vec![
                    Count(a.n),
                    Optional(a.alpha),
                    Optional(a.alpha_ci_low),
                    Optional(a.alpha_ci_high),
                ]
            }));
            row.push(Text(&r.warning));
            row
        }),
    )?;
    write_table(
        out,
        "items.csv",
        &[
            "dimension",
            "item",
            "n",
            "mean",
            "sd",
            "share_missing",
            "share_na",
            "item_total_r",
            "alpha_if_dropped",
            "warning",
        ],
        json.items.iter().map(|i| {
            let mut row = vec![Text(&i.dimension), Text(&i.item)];
            row.extend(gated_cells(&i.figures, 7, |f| {
                vec![
                    Count(f.n),
                    Optional(f.mean),
                    Optional(f.sd),
                    Number(f.share_missing),
                    Number(f.share_na),
                    Optional(f.item_total_r),
                    Optional(f.alpha_if_dropped),
                ]
            }));
            row.push(Text(&i.warning));
            row
        }),
    )?;
    write_table(
        out,
        "correlations.csv",
        &["first", "second", "n", "r", "p", "warning"],
        json.correlations.iter().map(|c| {
            let mut row = vec![Text(&c.first), Text(&c.second)];
            row.extend(gated_cells(&c.figures, 3, |f| {
                vec![Count(f.n), Optional(f.r), Optional(f.p)]
            }));
            row.push(Text(&c.warning));
            row
        }),
    )?;
    write_table(
        out,
        "quality.csv",
        &["respondent_id", "org", "role", "wave", "problem"],
        quality.iter().map(|q| {
            vec![
                Text(&q.respondent_id),
                Text(&q.org),
                Text(&q.role),
                Text(&q.wave),
                Text(&q.problem),
            ]
        }),
    )?;
    write_table(
        out,
        "aggregation.csv",
        &[
            "measure",
            "wave",
            "organizations",
            "respondents",
            "icc1",
            "icc2",
            "rwg_j_median",
            "ad_m_median",
            "warning",
        ],
        json.aggregation.iter().map(|a| {
            vec![
                Text(&a.measure),
                Text(&a.wave),
                Count(a.organizations),
                Count(a.respondents),
                Optional(a.icc1),
                Optional(a.icc2),
                Optional(a.rwg_j_median),
                Optional(a.ad_m_median),
                Text(&a.warning),
            ]
        }),
    )?;
    write_table(
        out,
        "agreement.csv",
        &["org", "wave", "dimension", "n", "rwg_j", "ad_m", "warning"],
        json.agreement.iter().map(|a| {
            let mut row = vec![Text(&a.org), Text(&a.wave), Text(&a.dimension)];
            row.extend(gated_cells(&a.figures, 3, |f| {
                vec![Count(f.n), Optional(f.rwg_j), Optional(f.ad_m)]
            }));
            row.push(Text(&a.warning));
            row
        }),
    )
}

// The stats page.

#[derive(Serialize)]
struct StatsPage {
    meta: view::Meta,
    respondents: usize,
    /// The suppression phrase, for the page's explanations.
    too_few: String,
    /// When a change counts as meaningful (SPEC §5), in words.
    meaningful_rule: String,
    reliability_svg: String,
    correlation_svg: String,
    agreement_svg: String,
    aggregation: AggregationView,
    reliability: Vec<Line>,
    items: Vec<Line>,
    warnings: Vec<String>,
    correlations: Vec<Line>,
    changes: Vec<Line>,
    org_changes: Vec<Line>,
    org_change_summary: Vec<Line>,
    level_names: Vec<String>,
    wave_levels: Vec<Line>,
    quality: Vec<Line>,
}

/// One table row on the page: identifying cells, then the figures, or the suppression phrase
/// in their place.
#[derive(Serialize)]
struct Line {
    key: Vec<String>,
    figures: Vec<String>,
    /// The phrase shown instead of the figures of a suppressed row (empty otherwise).
    hidden: String,
    warning: String,
}

impl Line {
    fn new<T>(
        key: Vec<String>,
        gated: &Gated<T>,
        hidden: &str,
        figures: impl Fn(&T) -> Vec<String>,
    ) -> Line {
        match gated {
            Gated::Shown(f) => Line {
                key,
                figures: figures(f),
                hidden: String::new(),
                warning: String::new(),
            },
            Gated::Suppressed => Line {
                key,
                figures: Vec::new(),
                hidden: hidden.to_string(),
                warning: String::new(),
            },
        }
    }

    fn plain(key: Vec<String>, figures: Vec<String>) -> Line {
        Line {
            key,
            figures,
            hidden: String::new(),
            warning: String::new(),
        }
    }

    fn warn(mut self, warning: &str) -> Line {
        self.warning = warning.to_string();
        self
    }
}

#[derive(Serialize)]
struct AggregationView {
    /// Pooled rows first, then each wave: ICCs, agreement share and medians.
    table: Vec<Line>,
    /// Plain-words reading of the pooled rows, one per measure.
    readings: Vec<Reading>,
    /// Agreement rows with a warning (low agreement, suppressed), for the list on the page.
    flagged: Vec<Line>,
    flagged_total: usize,
}

fn f2(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| format!("{v:.2}"))
}

fn f3(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| {
        if v < 0.001 {
            "< 0.001".into()
        } else {
            format!("{v:.3}")
        }
    })
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| format!("{:.0}%", 100.0 * v))
}

/// A dimension's title, `Index` for the index, an outcome's text; the id itself otherwise.
fn title_of<'a>(instrument: &'a Instrument, id: &'a str) -> &'a str {
    if id == "index" {
        return "Index";
    }
    if let Some(d) = instrument.dimensions.iter().find(|d| d.id == id) {
        return &d.title;
    }
    instrument
        .outcome_items()
        .iter()
        .find(|o| o.id == id)
        .map_or(id, |o| o.text.as_str())
}

/// The conventional reading of ICC(1) as an effect size: LeBreton & Senter (2008) call .01 a
/// small, .10 a medium and .25 a large effect of the organization.
fn icc1_size(icc1: f64) -> &'static str {
    if icc1 >= 0.25 {
        "a large organization effect"
    } else if icc1 >= 0.10 {
        "a medium organization effect"
    } else if icc1 >= 0.01 {
        "a small organization effect"
    } else {
        "a negligible organization effect"
    }
}

/// Two decimals, or three where two would round a value next to a cut-off onto it (0.698
/// read against 0.70).
fn near(v: f64, cutoff: f64) -> String {
    if (v - cutoff).abs() < 0.005 && v != cutoff {
        format!("{v:.3}")
    } else {
        format!("{v:.2}")
    }
}

/// What the pooled aggregation statistics of one measure say, in plain words: one phrase per
/// statistic, empty where the statistic is.
#[derive(Serialize)]
struct Reading {
    measure: String,
    between: String,
    means: String,
    agreement: String,
    /// `agreement` says why there is no agreement figure.
    agreement_missing: bool,
    deviation: String,
    /// Why the phrases are empty, when all are.
    note: String,
}

fn reading(instrument: &Instrument, row: &AggregationRow) -> Reading {
    let between = match row.icc1 {
        Some(v) if v <= 0.0 => format!(
            "no part of the variance lies between organizations (ICC(1) {v:.2}): respondents differ as much within organizations as between them"
        ),
        Some(v) => format!(
            "{:.0}% of the variance lies between organizations (ICC(1) {v:.2}, {})",
            100.0 * v,
            icc1_size(v)
        ),
        None => String::new(),
    };
    let means = match row.icc2 {
        Some(v) if v >= 0.70 => format!(
            "organization means are reliable (ICC(2) {} ≥ 0.70)",
            near(v, 0.70)
        ),
        Some(v) if v >= 0.50 => format!(
            "organization means are only moderately reliable (ICC(2) {}, below 0.70): rank organizations with care",
            near(v, 0.70)
        ),
        Some(v) => format!(
            "organization means are not reliable (ICC(2) {}, below 0.50): other respondents could rank the organizations differently",
            near(v, 0.50)
        ),
        None => String::new(),
    };
    let shared = (row.m < instrument.dimensions.len())
        .then(|| aggregation::shared_options(instrument, row.m));
    let agreement = match (row.rwg_j_share_agreeing, &shared) {
        (Some(share), _) => {
            let only = if share < 0.5 { " only" } else { "" };
            format!(
                "respondents agree enough to aggregate{only} in {:.0}% of organizations (rwg(j) ≥ {RWG_AGREEMENT:.2})",
                100.0 * share
            )
        }
        (None, None) => "computed per dimension, not for the index".into(),
        (None, Some(Err(_))) => {
            "not computed: the items are not all scale items with the same answer options".into()
        }
        (None, Some(Ok(_))) => "no organization to show".into(),
    };
    let agreement_missing = row.rwg_j_share_agreeing.is_none();
    let options = shared.and_then(|s| s.ok());
    let deviation = match (row.ad_m_median, options) {
        (Some(ad), Some(options)) => {
            let limit = options as f64 / 6.0;
            let verdict = if ad <= limit { "within" } else { "above" };
            format!(
                "the median AD_M of {} is {verdict} the A/6 = {limit:.2} limit for {options} answer options",
                near(ad, limit)
            )
        }
        _ => String::new(),
    };
    let note = if between.is_empty() && means.is_empty() && agreement_missing {
        row.warning.clone()
    } else {
        String::new()
    };
    Reading {
        measure: instrument.measure_title(row.m).to_string(),
        between,
        means,
        agreement,
        agreement_missing,
        deviation,
        note,
    }
}

fn aggregation_view(
    instrument: &Instrument,
    analysis: &Analysis,
    json: &StatsJson,
) -> AggregationView {
    const FLAGGED_SHOWN: usize = 200;
    let table = json
        .aggregation
        .iter()
        .map(|a| {
            Line::plain(
                vec![instrument.measure_title(a.m).to_string(), a.wave.clone()],
                vec![
                    a.organizations.to_string(),
                    a.respondents.to_string(),
                    f2(a.icc1),
                    f2(a.icc2),
                    percent(a.rwg_j_share_agreeing),
                    f2(a.rwg_j_median),
                    f2(a.ad_m_median),
                ],
            )
            .warn(&a.warning)
        })
        .collect();
    let readings = json
        .aggregation
        .iter()
        .filter(|a| a.wave == "all")
        .map(|a| reading(instrument, a))
        .collect();
    let hidden = too_few(instrument.anonymity_threshold);
    let flagged_rows: Vec<&AgreementRow> = json
        .agreement
        .iter()
        .filter(|a| !a.warning.is_empty() && aggregation::shared_options(instrument, a.d).is_ok())
        .collect();
    let flagged = flagged_rows
        .iter()
        .take(FLAGGED_SHOWN)
        .map(|a| {
            Line::new(
                vec![
                    analysis.orgs.display_name(&a.org).to_string(),
                    a.wave.clone(),
                    instrument.dimensions[a.d].title.clone(),
                ],
                &a.figures,
                &hidden,
                |f| vec![f.n.to_string(), f2(f.rwg_j), f2(f.ad_m)],
            )
            .warn(if a.figures.shown().is_some() {
                &a.warning
            } else {
                ""
            })
        })
        .collect();
    AggregationView {
        table,
        readings,
        flagged,
        flagged_total: flagged_rows.len(),
    }
}

fn write_html(
    analysis: &Analysis,
    json: &StatsJson,
    corr: &[Vec<Option<f64>>],
    out: &Path,
) -> Result<()> {
    let instrument = analysis.instrument;
    let hidden = too_few(instrument.anonymity_threshold);
    let titles: Vec<String> = instrument
        .dimensions
        .iter()
        .map(|d| d.title.clone())
        .collect();
    let correlation_svg = charts::heatmap::render(&charts::heatmap::HeatmapChart {
        id: "corr".into(),
        title: "Pearson correlations between dimension scores (respondent level)".into(),
        row_labels: titles.clone(),
        col_labels: titles,
        cells: corr.to_vec(),
        scale: charts::heatmap::HeatScale::Correlation,
        decimals: 2,
    });
    let reliability_svg = unit_bars(&UnitBars {
        id: "alpha".into(),
        title: "Cronbach's alpha per dimension (all waves pooled), with its 95% confidence interval; dashed line at 0.70".into(),
        bars: json
            .reliability
            .iter()
            .filter(|r| r.wave == "all")
            .map(|r| UnitBar {
                label: title_of(instrument, &r.dimension).to_string(),
                value: r.figures.shown().and_then(|a| a.alpha),
                interval: r
                    .figures
                    .shown()
                    .and_then(|a| a.alpha_ci_low.zip(a.alpha_ci_high)),
                missing: match r.figures {
                    Gated::Suppressed => hidden.clone(),
                    Gated::Shown(_) => "not computed".into(),
                },
            })
            .collect(),
        reference: Some((ALPHA_WARNING, "0.70".into())),
        percent: false,
    });
    let agreement_svg = unit_bars(&UnitBars {
        id: "agreement".into(),
        title: format!(
            "Share of organizations whose respondents agree (rwg(j) ≥ {RWG_AGREEMENT:.2}), all waves pooled"
        ),
        bars: json
            .aggregation
            .iter()
            .filter(|a| a.wave == "all" && a.m < instrument.dimensions.len())
            .map(|a| UnitBar {
                label: instrument.measure_title(a.m).to_string(),
                value: a.rwg_j_share_agreeing,
                interval: None,
                missing: if aggregation::shared_options(instrument, a.m).is_err() {
                    "not computed: the items are not all scale items with the same options".into()
                } else {
                    "no organization to show".into()
                },
            })
            .collect(),
        reference: None,
        percent: true,
    });
    let reliability = json
        .reliability
        .iter()
        .map(|r| {
            Line::new(
                vec![
                    title_of(instrument, &r.dimension).to_string(),
                    r.wave.clone(),
                    r.k.to_string(),
                ],
                &r.figures,
                &hidden,
                |a| {
                    vec![
                        a.n.to_string(),
                        f2(a.alpha),
                        match (a.alpha_ci_low, a.alpha_ci_high) {
                            (Some(lo), Some(hi)) => format!("{lo:.2}–{hi:.2}"),
                            _ => String::new(),
                        },
                    ]
                },
            )
            .warn(if r.figures.shown().is_some() {
                &r.warning
            } else {
                ""
            })
        })
        .collect();
    let items = json
        .items
        .iter()
        .map(|i| {
            let dimension = if i.dimension == "outcome" {
                "Outcome"
            } else {
                title_of(instrument, &i.dimension)
            };
            Line::new(
                vec![dimension.to_string(), i.item.clone()],
                &i.figures,
                &hidden,
                |f| {
                    vec![
                        f.n.to_string(),
                        view::one_opt(f.mean),
                        view::one_opt(f.sd),
                        format!("{:.1}%", 100.0 * f.share_missing),
                        format!("{:.1}%", 100.0 * f.share_na),
                        f2(f.item_total_r),
                        f2(f.alpha_if_dropped),
                    ]
                },
            )
        })
        .collect();
    let warnings = json
        .reliability
        .iter()
        .filter(|r| r.figures.shown().is_some() && !r.warning.is_empty())
        .map(|r| {
            format!(
                "{} ({}): {}",
                title_of(instrument, &r.dimension),
                r.wave,
                r.warning
            )
        })
        .chain(
            json.items
                .iter()
                .filter(|i| i.figures.shown().is_some() && !i.warning.is_empty())
                .map(|i| i.warning.clone()),
        )
        .collect();
    let correlations = json
        .correlations
        .iter()
        .map(|c| {
            Line::new(
                vec![
                    title_of(instrument, &c.first).to_string(),
                    title_of(instrument, &c.second).to_string(),
                ],
                &c.figures,
                &hidden,
                |f| vec![f.n.to_string(), f2(f.r), f3(f.p)],
            )
        })
        .collect();
    let change_line = |w: &WaveChange, key: Vec<String>| {
        Line::new(key, &w.figures, &hidden, |c| {
            vec![
                format!("{} / {}", c.from_n, c.to_n),
                view::one(c.from_mean),
                view::one(c.to_mean),
                view::one(c.difference),
                f2(c.t),
                view::one_opt(c.df),
                f3(c.p),
                f2(c.hedges_g),
                if c.meaningful {
                    "yes".into()
                } else {
                    "no".into()
                },
            ]
        })
    };
    let changes = json
        .wave_changes
        .iter()
        .filter(|c| c.scope == "all")
        .map(|w| {
            change_line(
                w,
                vec![
                    title_of(instrument, &w.measure).to_string(),
                    format!("{} → {}", w.from_wave, w.to_wave),
                ],
            )
        })
        .collect();
    let org_changes: Vec<&WaveChange> = json
        .wave_changes
        .iter()
        .filter(|c| c.scope != "all")
        .collect();
    let org_change_summary = org_change_summary(instrument, &org_changes);
    let org_changes = org_changes
        .iter()
        .map(|w| {
            change_line(
                w,
                vec![
                    analysis.orgs.display_name(&w.scope).to_string(),
                    title_of(instrument, &w.measure).to_string(),
                    format!("{} → {}", w.from_wave, w.to_wave),
                ],
            )
        })
        .collect();
    let level_names = instrument.levels.iter().map(|l| l.label.clone()).collect();
    let wave_levels = json
        .wave_levels
        .iter()
        .map(|w| {
            let mut figures = vec![w.organizations.to_string()];
            figures.extend(w.levels.iter().map(|l| l.1.to_string()));
            Line::plain(vec![w.wave.clone()], figures)
        })
        .collect();
    let quality = json
        .quality
        .iter()
        .map(|q| {
            Line::plain(
                vec![
                    analysis.orgs.display_name(&q.org).to_string(),
                    q.wave.clone(),
                ],
                vec![
                    q.respondents.to_string(),
                    q.straight_lining.to_string(),
                    q.too_few_answered.to_string(),
                ],
            )
        })
        .collect();
    let (tera, _) = templates::load(None)?;
    let page = StatsPage {
        meta: view::meta(analysis),
        respondents: json.respondents,
        too_few: hidden.clone(),
        meaningful_rule: format!(
            "p < {} and a change of at least {} points",
            instrument.meaningful_change.p, instrument.meaningful_change.points
        ),
        reliability_svg,
        correlation_svg,
        agreement_svg,
        aggregation: aggregation_view(instrument, analysis, json),
        reliability,
        items,
        warnings,
        correlations,
        changes,
        org_changes,
        org_change_summary,
        level_names,
        wave_levels,
        quality,
    };
    let html = templates::render(&tera, "stats.html", &page)?;
    output::write_atomic(&out.join("stats.html"), html.as_bytes())
}

/// Per measure and pair of waves: how many organizations were compared, how many rose or fell
/// meaningfully (SPEC §5), and the median change.
fn org_change_summary(instrument: &Instrument, changes: &[&WaveChange]) -> Vec<Line> {
    let mut groups: std::collections::BTreeMap<(usize, &str, &str), Vec<&ChangeFigures>> =
        Default::default();
    let position = |id: &str| {
        instrument
            .dimensions
            .iter()
            .position(|d| d.id == id)
            .unwrap_or(instrument.dimensions.len())
    };
    for c in changes {
        if let Some(f) = c.figures.shown() {
            groups
                .entry((position(&c.measure), &c.from_wave, &c.to_wave))
                .or_default()
                .push(f);
        }
    }
    groups
        .into_iter()
        .map(|((m, from, to), figures)| {
            let mut differences: Vec<f64> = figures.iter().map(|f| f.difference).collect();
            differences.sort_by(f64::total_cmp);
            let rose = figures
                .iter()
                .filter(|f| f.meaningful && f.difference > 0.0)
                .count();
            let fell = figures
                .iter()
                .filter(|f| f.meaningful && f.difference < 0.0)
                .count();
            Line::plain(
                vec![
                    instrument.measure_title(m).to_string(),
                    format!("{from} → {to}"),
                ],
                vec![
                    figures.len().to_string(),
                    rose.to_string(),
                    fell.to_string(),
                    view::one_opt(stats::quantile_type7(&differences, 0.5)),
                ],
            )
        })
        .collect()
}

/// A horizontal bar chart of values on a fixed 0–1 scale (alpha, shares), with optional
/// intervals and a dashed reference line. A missing value is written out, never drawn as 0.
struct UnitBars {
    id: String,
    title: String,
    bars: Vec<UnitBar>,
    reference: Option<(f64, String)>,
    /// Values are shares, labelled as percentages.
    percent: bool,
}

struct UnitBar {
    label: String,
    value: Option<f64>,
    interval: Option<(f64, f64)>,
    /// What to write where the value is missing.
    missing: String,
}

/// Each row: the label on its own line (so titles need no shortening and the chart stays
/// narrow enough for a phone), the bar below it.
fn unit_bars(chart: &UnitBars) -> String {
    const LEFT: i32 = 12;
    const RIGHT: i32 = 470;
    const ROW: i32 = 46;
    const TOP: i32 = 30;
    let x = |v: f64| LEFT + ((RIGHT - LEFT) as f64 * v.clamp(0.0, 1.0)).round() as i32;
    let bottom = TOP + ROW * (chart.bars.len() as i32).max(1);
    let height = (bottom + 24) as u32;
    charts::svg(&chart.id, &chart.title, 560, height, |c| {
        // Grid and reference lines run through the bars only, not through the labels above
        // them.
        let rows = chart.bars.len().max(1) as i32;
        let spans = |v: f64| -> Vec<Vec<(i32, i32)>> {
            (0..rows)
                .map(|i| vec![(x(v), TOP + ROW * i + 20), (x(v), TOP + ROW * i + 42)])
                .collect()
        };
        for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
            for span in spans(tick) {
                c.line(span, charts::GRID, 1);
            }
            let label = if chart.percent {
                format!("{:.0}%", 100.0 * tick)
            } else {
                format!("{tick:.2}")
            };
            let anchor = if tick == 0.0 {
                HPos::Left
            } else {
                HPos::Center
            };
            c.text(
                &label,
                (x(tick), bottom + 12),
                13.0,
                charts::MUTED,
                anchor,
                VPos::Center,
            );
        }
        if chart.bars.is_empty() {
            c.text(
                "Nothing to show.",
                (LEFT, TOP + ROW / 2),
                14.0,
                charts::MUTED,
                HPos::Left,
                VPos::Center,
            );
        }
        for (i, bar) in chart.bars.iter().enumerate() {
            let top = TOP + ROW * i as i32;
            c.text(
                &charts::truncate(&bar.label, 64),
                (LEFT, top + 11),
                14.0,
                charts::INK,
                HPos::Left,
                VPos::Center,
            );
            let y = top + 31;
            let Some(value) = bar.value.filter(|v| v.is_finite()) else {
                c.text(
                    &bar.missing,
                    (LEFT + 4, y),
                    13.0,
                    charts::MUTED,
                    HPos::Left,
                    VPos::Center,
                );
                continue;
            };
            if x(value) > LEFT {
                c.rect((LEFT, y - 8), (x(value), y + 8), charts::BLUE.mix(0.85));
            }
            if let Some((lo, hi)) = bar.interval {
                c.line(vec![(x(lo), y), (x(hi), y)], charts::INK, 2);
                c.line(vec![(x(lo), y - 5), (x(lo), y + 5)], charts::INK, 2);
                c.line(vec![(x(hi), y - 5), (x(hi), y + 5)], charts::INK, 2);
            }
            let text = if chart.percent {
                format!("{:.0}%", 100.0 * value)
            } else {
                format!("{value:.2}")
            };
            let end = bar.interval.map_or(value, |(_, hi)| hi.max(value));
            c.text(
                &text,
                (x(end) + 6, y),
                13.0,
                charts::INK,
                HPos::Left,
                VPos::Center,
            );
        }
        // Drawn last, so the line shows across the bars.
        if let Some((value, label)) = &chart.reference {
            for span in spans(*value) {
                c.dashed(span, charts::VERMILLION, 2, 4, 3);
            }
            c.text(
                label,
                (x(*value), TOP - 12),
                13.0,
                charts::VERMILLION,
                HPos::Center,
                VPos::Center,
            );
        }
    })
}

fn summary(json: &StatsJson, quality: &[QualityRow], out: &Path) -> String {
    let mut lines = vec![format!(
        "{} respondents; reliability (Cronbach's alpha, all waves):",
        json.respondents
    )];
    for r in json.reliability.iter().filter(|r| r.wave == "all") {
        lines.push(match r.figures.shown() {
            Some(a) => format!(
                "  {:<28} k={:<2} n={:<7} alpha={}",
                r.dimension,
                r.k,
                a.n,
                a.alpha.map_or_else(|| "–".into(), |a| format!("{a:.3}"))
            ),
            None => format!("  {:<28} k={:<2} {}", r.dimension, r.k, r.warning),
        });
    }
    lines.push(format!(
        "aggregation (all waves): ICC(1), ICC(2), share of organizations with rwg(j) ≥ {RWG_AGREEMENT:.2}:"
    ));
    for a in json.aggregation.iter().filter(|a| a.wave == "all") {
        let dash = |x: Option<f64>| x.map_or_else(|| "–".into(), |v| format!("{v:.3}"));
        lines.push(format!(
            "  {:<28} J={:<5} icc1={:<6} icc2={:<6} agree={}",
            a.measure,
            a.organizations,
            dash(a.icc1),
            dash(a.icc2),
            a.rwg_j_share_agreeing
                .map_or_else(|| "–".into(), |s| format!("{:.0}%", 100.0 * s))
        ));
    }
    for w in json
        .reliability
        .iter()
        .filter(|r| r.figures.shown().is_some() && !r.warning.is_empty() && r.wave == "all")
        .map(|r| format!("warning: {}: {}", r.dimension, r.warning))
        .chain(
            json.items
                .iter()
                .filter(|i| i.figures.shown().is_some() && !i.warning.is_empty())
                .map(|i| format!("warning: {}", i.warning)),
        )
    {
        lines.push(w);
    }
    let disagreeing = json
        .agreement
        .iter()
        .filter(|a| {
            a.figures
                .shown()
                .and_then(|f| f.rwg_j)
                .is_some_and(|r| !aggregation::agrees(r))
        })
        .count();
    if disagreeing > 0 {
        lines.push(format!(
            "{disagreeing} organization dimension(s) with rwg(j) below {RWG_AGREEMENT:.2} listed in {}",
            out.join("agreement.csv").display()
        ));
    }
    let straight = quality
        .iter()
        .filter(|q| q.problem == "straight_lining")
        .count();
    let few = quality
        .iter()
        .filter(|q| q.problem == "too_few_answered")
        .count();
    lines.push(format!(
        "{straight} straight-lining and {few} too-few-answered respondent(s) listed in {}",
        out.join("quality.csv").display()
    ));
    lines.push(format!("wrote reliability.csv, items.csv, correlations.csv, quality.csv, aggregation.csv, agreement.csv, stats.json and stats.html to {}", out.display()));
    lines.join("\n")
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

    fn pooled(m: usize, icc1: f64, icc2: f64, share: Option<f64>) -> AggregationRow {
        AggregationRow {
            m,
            measure: String::new(),
            wave: "all".into(),
            organizations: 40,
            respondents: 800,
            icc1: Some(icc1),
            icc2: Some(icc2),
            rwg_j_median: None,
            ad_m_median: share.map(|_| 0.9),
            rwg_j_share_agreeing: share,
            warning: String::new(),
        }
    }

    #[test]
    fn aggregation_figures_read_in_plain_words() {
        let instrument = crate::instrument::load_bundled().unwrap();
        // The readings of Bliese (2000)'s well-being example: ICC(1) .04, ICC(2) .77.
        let r = reading(&instrument, &pooled(0, 0.0434, 0.7717, Some(0.8)));
        assert_eq!(r.measure, "Senior collaboration on business issues");
        assert_eq!(
            r.between,
            "4% of the variance lies between organizations (ICC(1) 0.04, a small organization effect)"
        );
        assert_eq!(
            r.means,
            "organization means are reliable (ICC(2) 0.77 ≥ 0.70)"
        );
        assert_eq!(
            r.agreement,
            "respondents agree enough to aggregate in 80% of organizations (rwg(j) ≥ 0.70)"
        );
        assert_eq!(
            r.deviation,
            "the median AD_M of 0.90 is above the A/6 = 0.83 limit for 5 answer options"
        );
        // Near a cut-off, a third decimal keeps 0.698 from reading as 0.70.
        let r = reading(&instrument, &pooled(0, 0.30, 0.698, Some(0.25)));
        assert_eq!(
            r.between,
            "30% of the variance lies between organizations (ICC(1) 0.30, a large organization effect)"
        );
        assert!(r.means.starts_with(
            "organization means are only moderately reliable (ICC(2) 0.698, below 0.70)"
        ));
        assert!(r
            .agreement
            .contains("aggregate only in 25% of organizations"));
        let r = reading(&instrument, &pooled(0, -0.02, 0.3, None));
        assert!(r
            .between
            .starts_with("no part of the variance lies between organizations"));
        assert!(r
            .means
            .starts_with("organization means are not reliable (ICC(2) 0.30"));
        assert_eq!(r.agreement, "no organization to show");
        // The index has no agreement of its own; `resources` has non-scale items.
        let index = instrument.dimensions.len();
        let r = reading(&instrument, &pooled(index, 0.1, 0.9, None));
        assert_eq!(
            (r.measure.as_str(), r.agreement.as_str()),
            ("Index", "computed per dimension, not for the index")
        );
        let r = reading(&instrument, &pooled(1, 0.1, 0.9, None));
        assert!(r
            .agreement
            .starts_with("not computed: the items are not all scale items"));
        assert_eq!(icc1_size(0.005), "a negligible organization effect");
        assert_eq!(icc1_size(0.10), "a medium organization effect");
        assert_eq!(icc1_size(0.25), "a large organization effect");
        assert_eq!(near(0.77, 0.70), "0.77");
        assert_eq!(near(0.70, 0.70), "0.70");
    }

    #[test]
    fn unit_bars_write_missing_values_and_the_reference_line() {
        let svg = unit_bars(&UnitBars {
            id: "t".into(),
            title: "alpha".into(),
            bars: vec![
                UnitBar {
                    label: "Shown".into(),
                    value: Some(0.8),
                    interval: Some((0.7, 0.9)),
                    missing: String::new(),
                },
                UnitBar {
                    label: "Hidden".into(),
                    value: None,
                    interval: None,
                    missing: "fewer than 5 respondents".into(),
                },
            ],
            reference: Some((0.7, "0.70".into())),
            percent: false,
        });
        let texts = charts::tests::texts(&svg);
        for want in [
            "Shown",
            "0.80",
            "Hidden",
            "fewer than 5 respondents",
            "0.70",
        ] {
            assert!(texts.iter().any(|t| t == want), "{want} in {texts:?}");
        }
        // The reference line: dashes in vermillion at x = 12 + 458·0.7 ≈ 333, on both rows.
        let dashes: Vec<&str> = svg
            .split("<polyline")
            .filter(|p| p.contains("stroke=\"#D55E00\"") && p.contains("points=\"333,"))
            .collect();
        assert!(dashes.len() >= 6, "{}", dashes.len());
    }
}
