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

mod descriptives;
mod drivers;
mod files;
mod invariance;
mod page;
mod panels;

pub use descriptives::{Descriptive, DescriptiveFigures};
pub use drivers::{Driver, DriverFigures};
pub use files::StatsFiles;
pub use panels::{PairedChange, PairedFigures};

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
use crate::responses::{Dataset, ItemMatrix, Organizations, ANSWERED, NA, NOT_ASKED};
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
    /// The instrument marks the item `reverse: true` (its scores are reversed).
    pub reversed: bool,
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
    /// Loading on the first principal component of the dimension's item scores (listwise);
    /// negative: the item may be reverse-keyed (`psych::alpha(check.keys = TRUE)`).
    pub pc1_loading: Option<f64>,
}

#[derive(Serialize)]
pub struct Correlation {
    pub first: String,
    pub second: String,
    /// `respondent`: over respondents' scores; `organization`: over the means of the shown
    /// organization-waves (`n` counts organization-waves).
    pub level: &'static str,
    #[serde(flatten)]
    pub figures: Gated<CorrelationFigures>,
    pub warning: String,
}

#[derive(Serialize)]
pub struct CorrelationFigures {
    pub n: usize,
    pub r: Option<f64>,
    /// 95% interval by Fisher's z.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p: Option<f64>,
    /// Holm-adjusted p and Benjamini–Hochberg q over every row of `correlations.csv` with a p.
    pub p_holm: Option<f64>,
    pub q_bh: Option<f64>,
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
    /// Holm-adjusted p and Benjamini–Hochberg q over the family: every organization's change
    /// of the run, or the changes of all respondents.
    pub p_holm: Option<f64>,
    pub q_bh: Option<f64>,
}

impl ChangeFigures {
    fn new(shift: &Shift) -> Self {
        ChangeFigures {
            from_n: shift.from_n,
            to_n: shift.to_n,
            shift: output::ShiftJson::from(shift),
            p_holm: None,
            q_bh: None,
        }
    }
}

/// Holm's p and BH's q over every p that `p` finds among `rows`, written back by `set`.
fn adjust<T>(rows: &mut [T], p: impl Fn(&T) -> Option<f64>, mut set: impl FnMut(&mut T, f64, f64)) {
    let ps: Vec<f64> = rows.iter().filter_map(&p).collect();
    let (holm, bh) = (stats::p_holm(&ps), stats::q_bh(&ps));
    let mut k = 0;
    for row in rows.iter_mut() {
        if p(row).is_some() {
            set(row, holm[k], bh[k]);
            k += 1;
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
    pub descriptives: Vec<Descriptive>,
    pub reliability: Vec<Reliability>,
    pub items: Vec<ItemDiagnostics>,
    pub correlations: Vec<Correlation>,
    pub quality: Vec<OrgQuality>,
    pub wave_changes: Vec<WaveChange>,
    pub paired_changes: Vec<PairedChange>,
    pub wave_levels: Vec<WaveLevels>,
    pub aggregation: Vec<AggregationRow>,
    pub agreement: Vec<AgreementRow>,
    pub drivers: Vec<Driver>,
}

/// Item scores of one respondent row.
fn row(matrix: &ItemMatrix, width: usize, r: usize) -> (&[f64], &[u8]) {
    (
        &matrix.scores[r * width..(r + 1) * width],
        &matrix.status[r * width..(r + 1) * width],
    )
}

/// Listwise rows of a dimension: respondents (among `rows`) who answered every item of it that
/// is always asked ([`Instrument::unconditional_items`], SPEC §16), those items' scores.
fn listwise(
    instrument: &Instrument,
    matrix: &ItemMatrix,
    rows: &[usize],
    dimension: usize,
) -> Vec<Vec<f64>> {
    let width = instrument.items.len();
    let items = instrument.unconditional_items(dimension);
    rows.iter()
        .filter_map(|&r| {
            let (scores, status) = row(matrix, width, r);
            items
                .iter()
                .all(|&i| status[i] == ANSWERED)
                .then(|| items.iter().map(|&i| scores[i]).collect())
        })
        .collect()
}

/// Alpha of dimension `d` over the listwise respondents among `rows`; `note` joins the
/// warnings of a shown row.
fn reliability_row(
    instrument: &Instrument,
    matrix: &ItemMatrix,
    rows: &[usize],
    d: usize,
    wave: &str,
    note: String,
) -> Reliability {
    let threshold = instrument.anonymity_threshold;
    let dim = &instrument.dimensions[d];
    let data = listwise(instrument, matrix, rows, d);
    let k = instrument.unconditional_items(d).len();
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
            if !note.is_empty() {
                warnings.push(note);
            }
            if k == 0 {
                warnings.push(
                    "every item of the dimension is conditional (`show_if`): alpha uses the items asked of everyone, so none is computed"
                        .to_string(),
                );
            } else if k == 1 {
                warnings.push("alpha is undefined for one item".to_string());
            } else if k < 3 {
                warnings.push(format!(
                    "only {k} items: alpha is unstable with fewer than 3"
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
}

/// `reliability.csv`: the pooled rows, then (with `by_wave`) each wave's. With wave rows, a
/// pooled row is computed over the respondents of the waves whose row is shown (SPEC §15): a
/// pooled n beside the shown waves' n would otherwise give a hidden wave's n.
fn reliability(
    instrument: &Instrument,
    data: &Dataset,
    matrix: &ItemMatrix,
    waves: &[u32],
    by_wave: bool,
) -> Vec<Reliability> {
    let r = &data.respondents;
    let all_rows: Vec<usize> = (0..r.len()).collect();
    let dims = instrument.dimensions.len();
    let mut per_wave = Vec::new();
    if by_wave {
        for &w in waves {
            let rows: Vec<usize> = all_rows
                .iter()
                .copied()
                .filter(|&i| r.wave[i] == w)
                .collect();
            for d in 0..dims {
                let name = &data.waves[w as usize];
                per_wave.push(reliability_row(
                    instrument,
                    matrix,
                    &rows,
                    d,
                    name,
                    String::new(),
                ));
            }
        }
    }
    let mut out: Vec<Reliability> = (0..dims)
        .map(|d| {
            if !by_wave {
                return reliability_row(instrument, matrix, &all_rows, d, "all", String::new());
            }
            let shown = |k: usize| per_wave[k * dims + d].figures.shown().is_some();
            let mut shown_waves = vec![false; data.waves.len()];
            let mut hidden = Vec::new();
            for (k, &w) in waves.iter().enumerate() {
                shown_waves[w as usize] = shown(k);
                if !shown(k) {
                    hidden.push(data.waves[w as usize].as_str());
                }
            }
            let rows: Vec<usize> = all_rows
                .iter()
                .copied()
                .filter(|&i| shown_waves[r.wave[i] as usize])
                .collect();
            let note = if hidden.is_empty() {
                String::new()
            } else {
                format!(
                    "pooled over the shown waves only: {} left out ({})",
                    hidden.join(", "),
                    too_few(instrument.anonymity_threshold)
                )
            };
            reliability_row(instrument, matrix, &rows, d, "all", note)
        })
        .collect();
    out.extend(per_wave);
    out
}

fn item_diagnostics(
    instrument: &Instrument,
    matrix: &ItemMatrix,
    rows: &[usize],
) -> Vec<ItemDiagnostics> {
    let threshold = instrument.anonymity_threshold;
    let width = instrument.items.len();
    // Per item: (item–total r, alpha if dropped, first-component loading), all from the
    // dimension's listwise rows, and whether those rows reach the threshold.
    type FromListwise = (Option<f64>, Option<f64>, Option<f64>, bool);
    let mut by_item: Vec<FromListwise> = vec![(None, None, None, true); width];
    for (d, dim) in instrument.dimensions.iter().enumerate() {
        let data = listwise(instrument, matrix, rows, d);
        if data.len() < threshold {
            for i in dim.items.clone() {
                by_item[i] = (None, None, None, false);
            }
            continue;
        }
        let r = stats::corrected_item_total(&data);
        let dropped = stats::alpha_if_dropped(&data);
        let loadings = stats::first_component_loadings(&data);
        for (j, i) in instrument.unconditional_items(d).into_iter().enumerate() {
            by_item[i] = (
                r.get(j).copied().flatten(),
                dropped.get(j).copied().flatten(),
                loadings.as_ref().map(|l| l[j]),
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
            // Shares are over the respondents who were asked the item (SPEC §16).
            let mut asked = 0usize;
            for &r in rows {
                let (scores, status) = row(matrix, width, r);
                match status[i] {
                    ANSWERED => values.push(scores[i]),
                    NA => na += 1,
                    _ => {}
                }
                asked += usize::from(status[i] != NOT_ASKED);
            }
            let total = asked.max(1) as f64;
            let (item_total_r, alpha_if_dropped, pc1_loading, listwise_shown) = by_item[i];
            let figures = Gated::new(values.len(), threshold, || ItemFigures {
                n: values.len(),
                mean: stats::mean(&values),
                sd: stats::sample_sd(&values),
                share_missing: (asked - values.len()) as f64 / total,
                share_na: na as f64 / total,
                item_total_r,
                alpha_if_dropped,
                pc1_loading,
            });
            let loads_against = pc1_loading.filter(|&l| l < 0.0).map(|l| {
                format!(
                    "item `{}` loads negatively ({}) on the first principal component of its dimension: it may be reverse-keyed ({})",
                    item.id,
                    output::number::decimals(l, 2),
                    if item.reverse {
                        "it is marked `reverse: true`; check whether it should be"
                    } else {
                        "check whether `reverse: true` is missing"
                    }
                )
            });
            let warning = match (&figures, item_total_r) {
                (Gated::Suppressed, _) => too_few(threshold),
                (_, Some(r)) if r < 0.0 => format!(
                    "item `{}` correlates negatively (r = {}) with the rest of its dimension: check whether `reverse: true` is missing or wrong, or whether the item measures something else{}",
                    item.id,
                    output::number::decimals(r, 2),
                    loads_against.map(|w| format!("; {w}")).unwrap_or_default()
                ),
                _ if loads_against.is_some() => loads_against.unwrap_or_default(),
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
                reversed: item.reverse,
                figures,
                warning,
            }
        })
        .collect()
}

/// Pearson r between two measures over the units (respondents, or organization-waves) with
/// both present, with Fisher's interval; Holm and BH are filled in over the whole file later.
fn correlate(
    first: String,
    second: String,
    level: &'static str,
    x: &[f64],
    y: &[f64],
    threshold: usize,
) -> Correlation {
    let (a, b): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .unzip();
    // An organization mean stands for at least T respondents already; a correlation of them
    // needs at least 3 organizations for a p.
    let gate = match level {
        ORGANIZATION if !a.is_empty() => threshold,
        _ => a.len(),
    };
    let figures = Gated::new(gate, threshold, || {
        let p = stats::pearson(&a, &b);
        let ci = p
            .as_ref()
            .and_then(|p| stats::fisher_interval(p.r, a.len()));
        CorrelationFigures {
            n: a.len(),
            r: p.as_ref().map(|p| p.r),
            ci_low: ci.map(|c| c.0),
            ci_high: ci.map(|c| c.1),
            p: p.and_then(|p| p.p),
            p_holm: None,
            q_bh: None,
        }
    });
    let warning = match figures.shown() {
        None => too_few(threshold),
        Some(c) if level == ORGANIZATION && c.n < 3 => {
            "fewer than 3 organizations with both shown: no correlation".into()
        }
        Some(c) if c.r.is_none() => {
            "one of the two has the same value for every respondent: r is undefined".into()
        }
        Some(_) => String::new(),
    };
    Correlation {
        first,
        second,
        level,
        figures,
        warning,
    }
}

const RESPONDENT: &str = "respondent";
const ORGANIZATION: &str = "organization";

/// The pairs of `correlations.csv`: every two dimensions, then the index with each outcome, as
/// variables of [`descriptives::variable`].
fn correlation_pairs(instrument: &Instrument) -> Vec<(usize, usize)> {
    let d = instrument.dimensions.len();
    let mut pairs = Vec::new();
    for a in 0..d {
        for b in a + 1..d {
            pairs.push((a, b));
        }
    }
    for k in 0..instrument.outcomes.len() {
        pairs.push((d, d + 1 + k));
    }
    pairs
}

/// `correlations.csv`: respondent level (pairwise), then the same pairs over the means of the
/// shown organization-waves (an outcome's mean needs T answers), Holm and BH over every row
/// with a p; and the respondent-level matrix of the dimensions for the heat map.
fn correlations(
    instrument: &Instrument,
    data: &Dataset,
    analysis: &Analysis,
) -> (Vec<Correlation>, Vec<Vec<Option<f64>>>) {
    let threshold = instrument.anonymity_threshold;
    let r = &data.respondents;
    let d = instrument.dimensions.len();
    let ids = descriptives::variable_ids(instrument);
    let variables = ids.len();
    let columns: Vec<Vec<f64>> = (0..variables)
        .map(|v| {
            (0..r.len())
                .map(|i| descriptives::variable(instrument, data, v, i))
                .collect()
        })
        .collect();
    // Per shown organization-wave, the mean of each variable: a measure's shown mean, an
    // outcome's mean over at least T answers.
    let mut means: Vec<Vec<f64>> = vec![Vec::new(); variables];
    for result in &analysis.results {
        let Some(reported) = result.reported() else {
            continue;
        };
        for (v, column) in means.iter_mut().enumerate() {
            let mean = if v <= d {
                let m = crate::results::Measure::from_slot(v, d);
                reported.all.shown(m).map(|s| s.mean)
            } else {
                let values: Vec<f64> = result
                    .rows
                    .iter()
                    .map(|&row| columns[v][row as usize])
                    .filter(|x| !x.is_nan())
                    .collect();
                (values.len() >= threshold)
                    .then(|| stats::mean(&values))
                    .flatten()
            };
            column.push(mean.unwrap_or(f64::NAN));
        }
    }
    let pairs = correlation_pairs(instrument);
    let mut out: Vec<Correlation> = pairs
        .iter()
        .map(|&(a, b)| {
            let (x, y) = (&columns[a], &columns[b]);
            correlate(ids[a].clone(), ids[b].clone(), RESPONDENT, x, y, threshold)
        })
        .collect();
    let mut matrix = vec![vec![None; d]; d];
    for (c, &(a, b)) in out.iter().zip(&pairs) {
        if b < d {
            let shown = c.figures.shown().and_then(|f| f.r);
            matrix[a][b] = shown;
            matrix[b][a] = shown;
        }
    }
    for (k, row) in matrix.iter_mut().enumerate() {
        row[k] = Some(1.0);
    }
    out.extend(pairs.iter().map(|&(a, b)| {
        correlate(
            ids[a].clone(),
            ids[b].clone(),
            ORGANIZATION,
            &means[a],
            &means[b],
            threshold,
        )
    }));
    adjust(
        &mut out,
        |c| c.figures.shown().and_then(|f| f.p),
        |c, holm, bh| {
            if let Gated::Shown(f) = &mut c.figures {
                f.p_holm = Some(holm);
                f.q_bh = Some(bh);
            }
        },
    );
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
        let asked_scale = scale_items
            .iter()
            .filter(|&&j| status[j] != NOT_ASKED)
            .count();
        let codes: Vec<usize> = scale_items
            .iter()
            .filter(|&&j| status[j] == ANSWERED)
            .filter_map(|&j| {
                let item = &instrument.items[j];
                score::answer_category(&item.kind, item.reverse, scores[j])
            })
            .collect();
        let mut problems = Vec::new();
        if asked_scale >= 2 && codes.len() == asked_scale && codes.windows(2).all(|w| w[0] == w[1])
        {
            problems.push("straight_lining");
        }
        let answered = status[..scored].iter().filter(|&&s| s == ANSWERED).count();
        let asked = status[..scored].iter().filter(|&&s| s != NOT_ASKED).count();
        if (answered as f64) < instrument.min_answered * asked as f64 {
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
    let reliability_rows = reliability(instrument, data, matrix, &waves, by_wave);
    let descriptives = descriptives::compute(instrument, data, &waves);
    let items = item_diagnostics(instrument, matrix, &all_rows);
    let quality_rows = quality(instrument, data, matrix);

    let analysis = Analysis::run(instrument, data, orgs, &Benchmark::Wave);
    let (correlations, corr_matrix) = correlations(instrument, data, &analysis);
    let Aggregation {
        rows: mut aggregation_rows,
        agreement,
    } = aggregation::compute(&analysis, matrix);
    adjust(
        &mut aggregation_rows,
        |a| a.p,
        |a, holm, bh| {
            a.p_holm = Some(holm);
            a.q_bh = Some(bh);
        },
    );
    let paired_changes = panels::compute(&analysis);
    let drivers = drivers::compute(instrument, data);
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

    // Two families: the changes of all respondents, and every organization's change.
    for scope_all in [true, false] {
        let mut family: Vec<&mut WaveChange> = wave_changes
            .iter_mut()
            .filter(|c| (c.scope == "all") == scope_all)
            .collect();
        adjust(
            &mut family,
            |c| c.figures.shown().and_then(|f| f.shift.p),
            |c, holm, bh| {
                if let Gated::Shown(f) = &mut c.figures {
                    f.p_holm = Some(holm);
                    f.q_bh = Some(bh);
                    // Meaningful by the family this file tests together (SPEC §7).
                    let rule = instrument.meaningful_change;
                    f.shift.meaningful = holm < rule.p
                        && crate::score::at_least(f.shift.difference.abs(), rule.points);
                }
            },
        );
    }

    let json = StatsJson {
        partnerscope_version: env!("CARGO_PKG_VERSION"),
        instrument: instrument.id.clone(),
        instrument_version: instrument.version.to_string(),
        anonymity_threshold: threshold,
        respondents: data.respondents.len(),
        descriptives,
        reliability: reliability_rows,
        items,
        correlations,
        quality: org_quality,
        wave_changes,
        paired_changes,
        wave_levels,
        aggregation: aggregation_rows,
        agreement,
        drivers,
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
                ci_low: None,
                ci_high: None,
                p: None,
                p_holm: None,
                q_bh: None,
            }),
        };
        assert_eq!(
            serde_json::to_string(&shown).unwrap(),
            r#"{"key":"a","suppressed":false,"n":5,"r":0.5,"ci_low":null,"ci_high":null,"p":null,"p_holm":null,"q_bh":null}"#
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
