//! Aggregation statistics (SPEC §7): may the mean of an organization's respondents stand for the
//! organization? ICC(1) and ICC(2) per measure and wave say whether organizations differ more
//! than their respondents do and how reliable an organization mean is; rwg(j) and AD_M per
//! organization, dimension and wave say whether one organization's respondents agree.
//!
//! Only shown organization-waves take part (SPEC §6): an organization-wave below T is in no
//! figure, a measure enters an ICC only from organization-waves whose `all` group shows it, and
//! an agreement row computed from fewer than T respondents keeps its identifying columns and
//! nothing else. The estimators themselves are in [`crate::stats`]; this module picks the
//! respondents, says why a figure is empty, and leaves writing files to [`crate::research`].

use rayon::prelude::*;
use serde::Serialize;

use crate::aggregate;
use crate::analysis::Analysis;
use crate::instrument::{Instrument, ItemKind};
use crate::output::number::decimals;
use crate::research::{too_few, Gated};
use crate::responses::{ItemMatrix, ANSWERED};
use crate::results::Measure;
use crate::score;
use crate::stats::{self, GroupMoments};

/// rwg(j) at or above this reads as enough agreement to aggregate (James, Demaree & Wolf 1984;
/// LeBreton & Senter 2008).
pub const RWG_AGREEMENT: f64 = 0.70;

/// Comparisons with a threshold allow for the last bits of floating-point error (SPEC §4).
const TOLERANCE: f64 = 1e-9;

/// Whether an rwg(j) reads as enough agreement to aggregate (at least [`RWG_AGREEMENT`]).
pub fn agrees(rwg_j: f64) -> bool {
    rwg_j >= RWG_AGREEMENT - TOLERANCE
}

/// One line of `aggregation.csv`: ICCs of a measure in a wave (or `all` waves pooled, each
/// organization-wave a group) and the medians of its organizations' agreement.
#[derive(Debug, Serialize)]
pub struct AggregationRow {
    #[serde(skip)]
    pub m: Measure,
    pub measure: String,
    pub wave: String,
    /// Organization-waves in the ANOVA (each organization once per wave).
    pub organizations: usize,
    pub respondents: usize,
    pub icc1: Option<f64>,
    /// 95% interval of ICC(1) and its F test, as `psych::ICC`'s ICC1 row.
    pub icc1_ci_low: Option<f64>,
    pub icc1_ci_high: Option<f64>,
    pub f: Option<f64>,
    pub df1: Option<f64>,
    pub df2: Option<f64>,
    pub p: Option<f64>,
    /// Holm-adjusted p and Benjamini–Hochberg q over every row of `aggregation.csv` with a p
    /// (filled in by `stats`).
    pub p_holm: Option<f64>,
    pub q_bh: Option<f64>,
    pub icc2: Option<f64>,
    pub rwg_j_median: Option<f64>,
    pub ad_m_median: Option<f64>,
    /// Share of the organizations with an rwg(j) whose rwg(j) is at least 0.70 (JSON and page
    /// only).
    pub rwg_j_share_agreeing: Option<f64>,
    pub warning: String,
}

/// One line of `agreement.csv`: within-organization agreement on one dimension in one wave.
#[derive(Debug, Serialize)]
pub struct AgreementRow {
    /// The dimension's index.
    #[serde(skip)]
    pub d: usize,
    pub org: String,
    pub wave: String,
    pub dimension: String,
    #[serde(flatten)]
    pub figures: Gated<AgreementFigures>,
    pub warning: String,
}

#[derive(Debug, Serialize)]
pub struct AgreementFigures {
    /// Respondents who answered every item of the dimension.
    pub n: usize,
    pub rwg_j: Option<f64>,
    pub ad_m: Option<f64>,
}

/// The aggregation statistics of a run: `aggregation.csv` rows (pooled first, then each wave in
/// name order; measures in instrument order, the index last) and `agreement.csv` rows (by
/// organization, wave, then dimension).
#[derive(Debug)]
pub struct Aggregation {
    pub rows: Vec<AggregationRow>,
    pub agreement: Vec<AgreementRow>,
}

/// The number of answer options a dimension's items share, or why rwg(j) and AD_M cannot be
/// computed for it (SPEC §7: every scored item a scale item with the same number of labels).
pub fn shared_options(instrument: &Instrument, d: usize) -> Result<usize, String> {
    let unconditional = instrument.unconditional_items(d);
    let items = unconditional.iter().map(|&i| &instrument.items[i]);
    let mut first: Option<(&str, usize)> = None;
    for item in items {
        let ItemKind::Scale { labels, .. } = &item.kind else {
            return Err(format!(
                "rwg(j) and AD_M need scale items; `{}` is a {} item",
                item.id,
                item.kind.name()
            ));
        };
        match first {
            None => first = Some((&item.id, labels.len())),
            Some((id, options)) if options != labels.len() => {
                return Err(format!(
                    "rwg(j) and AD_M need items with the same number of answer options; `{id}` has {options} and `{}` has {}",
                    item.id,
                    labels.len()
                ))
            }
            Some(_) => {}
        }
    }
    first
        .map(|(_, options)| options)
        .ok_or_else(|| "the dimension has no items".to_string())
}

/// The aggregation statistics of the shown organization-waves of `analysis`, from the item
/// answers in `matrix` (agreement) and the respondents' measure scores (ICCs).
pub fn compute(analysis: &Analysis, matrix: &ItemMatrix) -> Aggregation {
    let instrument = analysis.instrument;
    let d = instrument.dimensions.len();
    let shown: Vec<usize> = (0..analysis.results.len())
        .filter(|&i| analysis.results[i].reported().is_some())
        .collect();
    let options: Vec<Result<usize, String>> =
        (0..d).map(|k| shared_options(instrument, k)).collect();

    // Per shown organization-wave (in parallel, collected in order): the moments of every
    // measure its `all` group shows, and its agreement rows.
    let per_org_wave: Vec<(Vec<Option<GroupMoments>>, Vec<AgreementRow>)> = shown
        .par_iter()
        .map(|&i| {
            let result = &analysis.results[i];
            let all = result.reported().map(|r| &r.all);
            let moments = Measure::all(d)
                .map(|m| {
                    all.and_then(|all| all.shown(m))?;
                    GroupMoments::of(&aggregate::values(
                        analysis.data,
                        d,
                        &result.rows,
                        m.slot(d),
                    ))
                })
                .collect();
            let rows = (0..d)
                .map(|k| agreement_row(analysis, matrix, i, k, &options[k]))
                .collect();
            (moments, rows)
        })
        .collect();

    // Waves in the order of their names (waves sort as plain strings), after the pooled rows.
    let mut waves: Vec<u32> = (0..analysis.data.waves.len() as u32).collect();
    waves.sort_by(|a, b| analysis.data.waves[*a as usize].cmp(&analysis.data.waves[*b as usize]));
    let scopes = std::iter::once(None).chain(waves.into_iter().map(Some));
    let mut rows = Vec::new();
    for scope in scopes {
        let in_scope = |k: usize| scope.is_none_or(|w| analysis.results[shown[k]].wave == w);
        let wave = scope.map_or("all", |w| analysis.data.waves[w as usize].as_str());
        for measure in Measure::all(d) {
            let m = measure.slot(d);
            let groups: Vec<GroupMoments> = (0..shown.len())
                .filter(|&k| in_scope(k))
                .filter_map(|k| per_org_wave[k].0[m])
                .collect();
            let agreement: Vec<&AgreementFigures> = (0..shown.len())
                .filter(|&k| in_scope(k) && m < d)
                .filter_map(|k| per_org_wave[k].1[m].figures.shown())
                .collect();
            rows.push(aggregation_row(
                instrument,
                measure,
                wave,
                &groups,
                &agreement,
                options.get(m),
            ));
        }
    }
    let agreement = per_org_wave
        .into_iter()
        .flat_map(|(_, rows)| rows)
        .collect();
    Aggregation { rows, agreement }
}

fn aggregation_row(
    instrument: &Instrument,
    m: Measure,
    wave: &str,
    groups: &[GroupMoments],
    agreement: &[&AgreementFigures],
    options: Option<&Result<usize, String>>,
) -> AggregationRow {
    let threshold = instrument.anonymity_threshold;
    let mut warnings = Vec::new();
    let icc = stats::icc(groups);
    match &icc {
        _ if groups.len() < 2 => warnings.push(format!(
            "fewer than 2 organizations with at least {threshold} respondents: no ICC"
        )),
        None => warnings
            .push("every organization has one respondent: no variance within organizations".into()),
        Some(i) if i.icc1.is_none() => {
            warnings.push("every respondent has the same score: the ICCs are undefined".into())
        }
        Some(i) if i.icc2.is_none() => {
            warnings.push("the organization means are all equal: ICC(2) is undefined".into())
        }
        Some(_) => {}
    }
    let mut rwg: Vec<f64> = agreement.iter().filter_map(|a| a.rwg_j).collect();
    let mut ad: Vec<f64> = agreement.iter().filter_map(|a| a.ad_m).collect();
    match options {
        None => warnings.push("rwg(j) and AD_M are computed per dimension, not for the index".into()),
        Some(Err(reason)) => warnings.push(reason.clone()),
        Some(Ok(_)) if rwg.is_empty() => warnings.push(format!(
            "no organization has at least {threshold} respondents who answered every item: no rwg(j) or AD_M"
        )),
        Some(Ok(_)) => {}
    }
    let agreeing = rwg.iter().filter(|&&r| agrees(r)).count();
    let share = (!rwg.is_empty()).then(|| agreeing as f64 / rwg.len() as f64);
    rwg.sort_by(f64::total_cmp);
    ad.sort_by(f64::total_cmp);
    let test = icc
        .as_ref()
        .filter(|i| i.icc1.is_some())
        .and_then(stats::icc_test);
    AggregationRow {
        m,
        measure: m.id(instrument).to_string(),
        wave: wave.to_string(),
        organizations: groups.len(),
        respondents: groups.iter().map(|g| g.n).sum(),
        icc1: icc.as_ref().and_then(|i| i.icc1),
        icc1_ci_low: test.as_ref().map(|t| t.ci_low),
        icc1_ci_high: test.as_ref().map(|t| t.ci_high),
        f: test.as_ref().map(|t| t.f),
        df1: test.as_ref().map(|t| t.df1),
        df2: test.as_ref().map(|t| t.df2),
        p: test.as_ref().map(|t| t.p),
        p_holm: None,
        q_bh: None,
        icc2: icc.as_ref().and_then(|i| i.icc2),
        rwg_j_median: stats::quantile_type7(&rwg, 0.5),
        ad_m_median: stats::quantile_type7(&ad, 0.5),
        rwg_j_share_agreeing: share,
        warning: warnings.join("; "),
    }
}

/// Agreement on dimension `k` among the respondents of org-wave `i` who answered every item of
/// it, on their answer codes `1..=A` (reverse-keyed items recoded `A + 1 − c`).
fn agreement_row(
    analysis: &Analysis,
    matrix: &ItemMatrix,
    i: usize,
    k: usize,
    options: &Result<usize, String>,
) -> AgreementRow {
    let instrument = analysis.instrument;
    let threshold = instrument.anonymity_threshold;
    let width = instrument.items.len();
    // Only the items every respondent is asked (SPEC §16).
    let range = instrument.unconditional_items(k);
    let complete: Vec<usize> = analysis.results[i]
        .rows
        .iter()
        .map(|&r| r as usize)
        .filter(|&r| {
            range
                .iter()
                .all(|&j| matrix.status[r * width + j] == ANSWERED)
        })
        .collect();
    let row = |figures, warning| AgreementRow {
        d: k,
        org: analysis.org_id(i).to_string(),
        wave: analysis.wave(i).to_string(),
        dimension: instrument.dimensions[k].id.clone(),
        figures,
        warning,
    };
    let n = complete.len();
    if n < threshold {
        return row(Gated::Suppressed, too_few(threshold));
    }
    let options = match options {
        Ok(options) => *options,
        Err(reason) => {
            return row(
                Gated::Shown(AgreementFigures {
                    n,
                    rwg_j: None,
                    ad_m: None,
                }),
                reason.clone(),
            )
        }
    };
    // Item scores already carry reverse keying, so reading them back without it gives the
    // recoded code (0-based here, hence + 1).
    let columns: Vec<Vec<f64>> = range
        .into_iter()
        .map(|j| {
            let item = &instrument.items[j];
            complete
                .iter()
                .map(|&r| {
                    let code =
                        score::answer_category(&item.kind, false, matrix.scores[r * width + j]);
                    code.map_or(f64::NAN, |c| (c + 1) as f64)
                })
                .collect()
        })
        .collect();
    let rwg_j = stats::rwg_j(&columns, options);
    let ad_m = stats::ad_m(&columns);
    let null = stats::uniform_null_variance(options);
    let warning = match (rwg_j, stats::mean_item_variance(&columns)) {
        (None, _) => "fewer than 2 respondents answered every item: no rwg(j) or AD_M".into(),
        (Some(_), Some(s2)) if s2 > null => format!(
            "answers vary more than random answers would (mean item variance {} > {}): rwg(j) is 0, respondents do not agree",
            decimals(s2, 2),
            decimals(null, 2)
        ),
        (Some(r), _) if !agrees(r) => format!(
            "rwg(j) {} is below {RWG_AGREEMENT:.2}: respondents disagree too much for the organization mean to stand for them",
            decimals(r, 2)
        ),
        _ => String::new(),
    };
    row(Gated::Shown(AgreementFigures { n, rwg_j, ad_m }), warning)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::load::parse;

    #[test]
    fn only_scale_items_of_one_length_allow_agreement() {
        let bundled = crate::instrument::load_bundled().unwrap();
        // collaboration mixes freq5 and agree5: both have five options.
        assert_eq!(shared_options(&bundled, 0), Ok(5));
        assert_eq!(
            shared_options(&bundled, 1),
            Err("rwg(j) and AD_M need scale items; `res_named` is a boolean item".into())
        );
        let mini = parse(include_str!("../tests/fixtures/mini.yaml"), "mini.yaml").unwrap();
        assert_eq!(
            shared_options(&mini, 0),
            Err("rwg(j) and AD_M need items with the same number of answer options; `col_1` has 4 and `col_2` has 5".into())
        );
    }
}
