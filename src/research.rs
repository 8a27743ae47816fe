//! Research statistics (`partnerscope stats`, SPEC §7): scale reliability, item diagnostics,
//! response quality, correlations and wave change, for researchers who pool waves and must
//! defend their scales.
//!
//! Works on item scores (0–100, reverse keying applied), pooled over all accepted rows, or per
//! wave. Per-organization figures obey the anonymity threshold like every other output.

use std::path::Path;

use serde::Serialize;

use crate::analysis::Analysis;
use crate::benchmark::Benchmark;
use crate::compare;
use crate::error::{Error, Result};
use crate::instrument::{Instrument, ItemKind};
use crate::output::{self, num, opt, ChangeJson};
use crate::report::{charts, templates, view};
use crate::responses::{Dataset, ItemMatrix, Organizations, ANSWERED, NA};
use crate::score;
use crate::stats;

/// Alpha below this draws a warning (Nunnally 1978's usual threshold for research use).
pub const ALPHA_WARNING: f64 = 0.7;

#[derive(Serialize)]
pub struct Reliability {
    pub dimension: String,
    pub wave: String,
    pub k: usize,
    pub n: usize,
    pub alpha: Option<f64>,
    pub alpha_ci_low: Option<f64>,
    pub alpha_ci_high: Option<f64>,
    pub warning: String,
}

#[derive(Serialize)]
pub struct ItemDiagnostics {
    pub dimension: String,
    pub item: String,
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub share_missing: f64,
    pub share_na: f64,
    pub item_total_r: Option<f64>,
    pub alpha_if_dropped: Option<f64>,
    pub warning: String,
}

#[derive(Serialize)]
pub struct Correlation {
    pub first: String,
    pub second: String,
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
    pub from_n: usize,
    pub to_n: usize,
    #[serde(flatten)]
    pub change: ChangeJson,
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
    pub respondents: usize,
    pub reliability: Vec<Reliability>,
    pub items: Vec<ItemDiagnostics>,
    pub correlations: Vec<Correlation>,
    pub quality: Vec<OrgQuality>,
    pub wave_changes: Vec<WaveChange>,
    pub wave_levels: Vec<WaveLevels>,
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
    instrument
        .dimensions
        .iter()
        .enumerate()
        .map(|(d, dim)| {
            let data = listwise(instrument, matrix, rows, d);
            let a = stats::cronbach_alpha(&data);
            let k = dim.items.len();
            let mut warnings = Vec::new();
            if k < 3 {
                warnings.push(format!("only {k} item(s): alpha is unstable with fewer than 3"));
            }
            if let Some(alpha) = a.alpha.filter(|&x| x < ALPHA_WARNING) {
                warnings.push(format!("alpha {alpha:.3} is below {ALPHA_WARNING}: the items may not measure one thing"));
            }
            Reliability {
                dimension: dim.id.clone(),
                wave: wave.to_string(),
                k,
                n: a.n,
                alpha: a.alpha,
                alpha_ci_low: a.ci_low,
                alpha_ci_high: a.ci_high,
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
    let width = instrument.items.len();
    let mut by_item: Vec<(Option<f64>, Option<f64>)> = vec![(None, None); width];
    for (d, dim) in instrument.dimensions.iter().enumerate() {
        let data = listwise(instrument, matrix, rows, d);
        let r = stats::corrected_item_total(&data);
        let dropped = stats::alpha_if_dropped(&data);
        for (j, i) in dim.items.clone().enumerate() {
            by_item[i] = (
                r.get(j).copied().flatten(),
                dropped.get(j).copied().flatten(),
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
            let (item_total_r, alpha_if_dropped) = by_item[i];
            let warning = match item_total_r {
                Some(r) if r < 0.0 => format!(
                    "item `{}` correlates negatively (r = {r:.2}) with the rest of its dimension: check whether `reverse: true` is missing or wrong, or whether the item measures something else",
                    item.id
                ),
                _ => String::new(),
            };
            ItemDiagnostics {
                dimension: item
                    .dimension
                    .map_or_else(|| "outcome".to_string(), |d| instrument.dimensions[d].id.clone()),
                item: item.id.clone(),
                n: values.len(),
                mean: stats::mean(&values),
                sd: stats::sample_sd(&values),
                share_missing: (rows.len() - values.len()) as f64 / total,
                share_na: na as f64 / total,
                item_total_r,
                alpha_if_dropped,
                warning,
            }
        })
        .collect()
}

/// Pearson r between two respondent-level measures, over respondents with both present.
fn correlate(first: String, second: String, x: &[f64], y: &[f64]) -> Correlation {
    let (a, b): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (*a, *b))
        .unzip();
    let p = stats::pearson(&a, &b);
    Correlation {
        first,
        second,
        n: a.len(),
        r: p.as_ref().map(|p| p.r),
        p: p.and_then(|p| p.p),
    }
}

fn correlations(
    instrument: &Instrument,
    data: &Dataset,
) -> (Vec<Correlation>, Vec<Vec<Option<f64>>>) {
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
            );
            matrix[a][b] = c.r;
            matrix[b][a] = c.r;
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

/// `waves`: wave numbers sorted by name.
fn population_changes(instrument: &Instrument, data: &Dataset, waves: &[u32]) -> Vec<WaveChange> {
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
                out.push(WaveChange {
                    scope: "all".into(),
                    from_n: shift.from_n,
                    to_n: shift.to_n,
                    change: ChangeJson::new(
                        instrument.measure_id(m).to_string(),
                        &data.waves[pair[0] as usize],
                        &data.waves[pair[1] as usize],
                        &shift,
                    ),
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
    // Problems per organization, wave and kind, counted in one pass.
    let mut problems: std::collections::BTreeMap<(&str, &str, &str), usize> = Default::default();
    for q in &quality_rows {
        *problems
            .entry((q.org.as_str(), q.wave.as_str(), q.problem.as_str()))
            .or_default() += 1;
    }
    let org_quality: Vec<OrgQuality> = analysis
        .org_waves
        .iter()
        .enumerate()
        .filter(|(i, _)| analysis.visibility[*i].reportable)
        .map(|(i, ow)| {
            let (org, wave) = (analysis.org_id(i), analysis.wave(i));
            let count = |problem: &str| problems.get(&(org, wave, problem)).copied().unwrap_or(0);
            OrgQuality {
                org: org.to_string(),
                wave: wave.to_string(),
                respondents: ow.rows.len(),
                straight_lining: count("straight_lining"),
                too_few_answered: count("too_few_answered"),
            }
        })
        .collect();
    let mut wave_changes = population_changes(instrument, data, &waves);
    for c in &analysis.changes {
        wave_changes.push(WaveChange {
            scope: analysis.org_id(c.from).to_string(),
            from_n: c.shift.from_n,
            to_n: c.shift.to_n,
            change: ChangeJson::new(
                instrument.measure_id(c.measure).to_string(),
                analysis.wave(c.from),
                analysis.wave(c.to),
                &c.shift,
            ),
        });
    }
    let mut wave_levels: Vec<WaveLevels> = Vec::new();
    for &w in &waves {
        let name = &data.waves[w as usize];
        let mut counts = vec![0usize; instrument.levels.len()];
        let mut n = 0;
        for (i, ow) in analysis.org_waves.iter().enumerate() {
            if ow.wave == w {
                if let Some(Some(level)) = analysis.summaries[i].as_ref().map(|s| s.level) {
                    counts[level] += 1;
                    n += 1;
                }
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

    write_csvs(out, &reliability_rows, &items, &correlations, &quality_rows)?;
    let json = StatsJson {
        partnerscope_version: env!("CARGO_PKG_VERSION"),
        instrument: instrument.id.clone(),
        instrument_version: instrument.version.to_string(),
        respondents: data.respondents.len(),
        reliability: reliability_rows,
        items,
        correlations,
        quality: org_quality,
        wave_changes,
        wave_levels,
    };
    let bytes = serde_json::to_vec_pretty(&json)
        .map_err(|e| Error::Other(format!("cannot serialise stats.json: {e}")))?;
    output::write_atomic(&out.join("stats.json"), &bytes)?;
    write_html(&analysis, &json, &corr_matrix, out)?;
    Ok(summary(&json, &quality_rows, out))
}

fn write_csvs(
    out: &Path,
    reliability: &[Reliability],
    items: &[ItemDiagnostics],
    correlations: &[Correlation],
    quality: &[QualityRow],
) -> Result<()> {
    let mut text = String::from("dimension,wave,k,n,alpha,alpha_ci_low,alpha_ci_high,warning\n");
    let mut rows: Vec<Vec<String>> = reliability
        .iter()
        .map(|r| {
            vec![
                r.dimension.clone(),
                r.wave.clone(),
                r.k.to_string(),
                r.n.to_string(),
                opt(r.alpha),
                opt(r.alpha_ci_low),
                opt(r.alpha_ci_high),
                r.warning.clone(),
            ]
        })
        .collect();
    write_table(out, "reliability.csv", &mut text, &mut rows)?;
    let mut text = String::from(
        "dimension,item,n,mean,sd,share_missing,share_na,item_total_r,alpha_if_dropped,warning\n",
    );
    let mut rows = items
        .iter()
        .map(|i| {
            vec![
                i.dimension.clone(),
                i.item.clone(),
                i.n.to_string(),
                opt(i.mean),
                opt(i.sd),
                num(i.share_missing),
                num(i.share_na),
                opt(i.item_total_r),
                opt(i.alpha_if_dropped),
                i.warning.clone(),
            ]
        })
        .collect();
    write_table(out, "items.csv", &mut text, &mut rows)?;
    let mut text = String::from("first,second,n,r,p\n");
    let mut rows = correlations
        .iter()
        .map(|c| {
            vec![
                c.first.clone(),
                c.second.clone(),
                c.n.to_string(),
                opt(c.r),
                opt(c.p),
            ]
        })
        .collect();
    write_table(out, "correlations.csv", &mut text, &mut rows)?;
    let mut text = String::from("respondent_id,org,role,wave,problem\n");
    let mut rows = quality
        .iter()
        .map(|q| {
            vec![
                q.respondent_id.clone(),
                q.org.clone(),
                q.role.clone(),
                q.wave.clone(),
                q.problem.clone(),
            ]
        })
        .collect();
    write_table(out, "quality.csv", &mut text, &mut rows)
}

fn write_table(
    out: &Path,
    name: &str,
    header: &mut String,
    rows: &mut Vec<Vec<String>>,
) -> Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(false)
        .from_writer(Vec::new());
    for row in rows.drain(..) {
        writer
            .write_record(&row)
            .map_err(|e| Error::Other(format!("cannot write {name}: {e}")))?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| Error::Other(format!("cannot write {name}: {e}")))?;
    let mut bytes = std::mem::take(header).into_bytes();
    bytes.extend_from_slice(&body);
    output::write_atomic(&out.join(name), &bytes)
}

#[derive(Serialize)]
struct StatsPage<'a> {
    meta: view::Meta,
    stats: &'a StatsJson,
    correlation_svg: String,
    reliability_svg: String,
    fmt: Formatted,
}

/// The figures of `stats.json`, formatted for the page.
#[derive(Serialize)]
struct Formatted {
    reliability: Vec<Vec<String>>,
    items: Vec<Vec<String>>,
    warnings: Vec<String>,
    correlations: Vec<Vec<String>>,
    changes: Vec<Vec<String>>,
    quality: Vec<Vec<String>>,
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

fn write_html(
    analysis: &Analysis,
    json: &StatsJson,
    corr: &[Vec<Option<f64>>],
    out: &Path,
) -> Result<()> {
    let instrument = analysis.instrument;
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
    let pooled: Vec<&Reliability> = json
        .reliability
        .iter()
        .filter(|r| r.wave == "all")
        .collect();
    let reliability_svg = charts::bars::render(&charts::bars::BarChart {
        id: "alpha".into(),
        title: "Cronbach's alpha per dimension (all waves pooled)".into(),
        bars: pooled
            .iter()
            .map(|r| (r.dimension.clone(), r.alpha.unwrap_or(0.0).max(0.0)))
            .collect(),
        unit: "alpha".into(),
    });
    let fmt = Formatted {
        reliability: json
            .reliability
            .iter()
            .map(|r| {
                vec![
                    r.dimension.clone(),
                    r.wave.clone(),
                    r.k.to_string(),
                    r.n.to_string(),
                    f2(r.alpha),
                    match (r.alpha_ci_low, r.alpha_ci_high) {
                        (Some(a), Some(b)) => format!("{a:.2}–{b:.2}"),
                        _ => String::new(),
                    },
                    r.warning.clone(),
                ]
            })
            .collect(),
        items: json
            .items
            .iter()
            .map(|i| {
                vec![
                    i.dimension.clone(),
                    i.item.clone(),
                    i.n.to_string(),
                    view::one_opt(i.mean),
                    view::one_opt(i.sd),
                    format!("{:.1}%", 100.0 * i.share_missing),
                    format!("{:.1}%", 100.0 * i.share_na),
                    f2(i.item_total_r),
                    f2(i.alpha_if_dropped),
                ]
            })
            .collect(),
        warnings: json
            .reliability
            .iter()
            .filter(|r| !r.warning.is_empty())
            .map(|r| format!("{} ({}): {}", r.dimension, r.wave, r.warning))
            .chain(
                json.items
                    .iter()
                    .filter(|i| !i.warning.is_empty())
                    .map(|i| i.warning.clone()),
            )
            .collect(),
        correlations: json
            .correlations
            .iter()
            .map(|c| {
                vec![
                    c.first.clone(),
                    c.second.clone(),
                    c.n.to_string(),
                    f2(c.r),
                    f3(c.p),
                ]
            })
            .collect(),
        changes: json
            .wave_changes
            .iter()
            .filter(|c| c.scope == "all")
            .map(|w| {
                let c = &w.change;
                vec![
                    c.measure.clone(),
                    format!("{} → {}", c.from_wave, c.to_wave),
                    format!("{} / {}", w.from_n, w.to_n),
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
            .collect(),
        quality: json
            .quality
            .iter()
            .map(|q| {
                vec![
                    analysis.orgs.display_name(&q.org).to_string(),
                    q.wave.clone(),
                    q.respondents.to_string(),
                    q.straight_lining.to_string(),
                    q.too_few_answered.to_string(),
                ]
            })
            .collect(),
    };
    let (tera, _) = templates::load(None)?;
    let page = StatsPage {
        meta: view::meta(analysis),
        stats: json,
        correlation_svg,
        reliability_svg,
        fmt,
    };
    let html = templates::render(&tera, "stats.html", &page)?;
    output::write_atomic(&out.join("stats.html"), html.as_bytes())
}

fn summary(json: &StatsJson, quality: &[QualityRow], out: &Path) -> String {
    let mut lines = vec![format!(
        "{} respondents; reliability (Cronbach's alpha, all waves):",
        json.respondents
    )];
    for r in json.reliability.iter().filter(|r| r.wave == "all") {
        lines.push(format!(
            "  {:<28} k={:<2} n={:<7} alpha={}",
            r.dimension,
            r.k,
            r.n,
            r.alpha.map_or_else(|| "–".into(), |a| format!("{a:.3}"))
        ));
    }
    for w in json
        .reliability
        .iter()
        .filter(|r| !r.warning.is_empty() && r.wave == "all")
        .map(|r| format!("warning: {}: {}", r.dimension, r.warning))
        .chain(
            json.items
                .iter()
                .filter(|i| !i.warning.is_empty())
                .map(|i| format!("warning: {}", i.warning)),
        )
    {
        lines.push(w);
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
    lines.push(format!("wrote reliability.csv, items.csv, correlations.csv, quality.csv, stats.json and stats.html to {}", out.display()));
    lines.join("\n")
}
