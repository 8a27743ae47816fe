//! The files of `stats`: one CSV per table (through the result-table configuration every CSV
//! shares), `rejects.csv`, `stats.json` and the page, from [`StatsResults`].

use std::path::Path;

use super::*;

use super::page::write_html;
use crate::error::{Error, Result};
use crate::output::{self, number, Cell, Table};
use crate::renderer::Renderer;

/// The `stats` renderer; what it returns is the summary printed on the terminal. With
/// `lavaan`, it also writes `invariance.R` and `items_wide.csv`.
pub struct StatsFiles {
    pub lavaan: bool,
}

impl Renderer<StatsResults<'_>> for StatsFiles {
    type Written = String;

    fn render(&self, results: &StatsResults<'_>, out: &Path) -> Result<String> {
        let json = &results.json;
        write_csvs(out, json, &results.quality)?;
        if self.lavaan {
            write_lavaan(&results.analysis, out)?;
        }
        output::write_rejects(results.analysis.data, &out.join("rejects.csv"))?;
        let bytes = serde_json::to_vec_pretty(json)
            .map_err(|e| Error::Other(format!("cannot serialise stats.json: {e}")))?;
        output::write_atomic(&out.join("stats.json"), &bytes)?;
        write_html(&results.analysis, json, &results.correlation_matrix, out)?;
        Ok(summary(json, &results.quality, out, self.lavaan))
    }
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

/// A p-value as CSV and JSON readers expect it: at most 17 significant digits, in exponent
/// notation below 1e-5 (`3.2e-301`, never 300 zeros), empty when missing.
pub fn p_text(p: Option<f64>) -> String {
    match p {
        Some(p) if p != 0.0 && p.abs() < 1e-5 => format!("{p:e}"),
        other => number::opt(other),
    }
}

/// `items_wide.csv` (every accepted row: org, role, wave, item scores; no respondent or
/// panel ids) and `invariance.R`.
fn write_lavaan(analysis: &Analysis, out: &Path) -> Result<()> {
    let instrument = analysis.instrument;
    let data = analysis.data;
    let matrix = data
        .respondents
        .items
        .as_ref()
        .ok_or_else(|| Error::Other("item scores were not kept for `stats`".into()))?;
    let width = instrument.items.len();
    let scored = instrument.outcomes.start;
    let mut header = vec!["org", "role", "wave"];
    header.extend(instrument.items[..scored].iter().map(|i| i.id.as_str()));
    let r = &data.respondents;
    write_table(
        out,
        "items_wide.csv",
        &header,
        (0..r.len()).map(|i| {
            let (scores, status) = row(matrix, width, i);
            let mut cells = vec![
                Cell::Text(&data.orgs[r.org[i] as usize]),
                Cell::Text(&instrument.roles[r.role[i] as usize].id),
                Cell::Text(&data.waves[r.wave[i] as usize]),
            ];
            cells.extend((0..scored).map(|j| {
                Cell::Optional((status[j] == crate::responses::ANSWERED).then_some(scores[j]))
            }));
            cells
        }),
    )?;
    output::write_atomic(
        &out.join("invariance.R"),
        invariance::script(instrument).as_bytes(),
    )
}

fn write_csvs(out: &Path, json: &StatsJson, quality: &[QualityRow]) -> Result<()> {
    use Cell::{Count, Flag, Number, Optional, Text};
    write_table(
        out,
        "descriptives.csv",
        &[
            "measure", "wave", "n", "mean", "sd", "min", "max", "skew", "kurtosis", "warning",
        ],
        json.descriptives.iter().map(|d| {
            let mut row = vec![Text(&d.measure), Text(&d.wave)];
            row.extend(gated_cells(&d.figures, 7, |f| {
                vec![
                    Count(f.n),
                    Number(f.mean),
                    Optional(f.sd),
                    Number(f.min),
                    Number(f.max),
                    Optional(f.skew),
                    Optional(f.kurtosis),
                ]
            }));
            row.push(Text(&d.warning));
            row
        }),
    )?;
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
            "reversed",
            "n",
            "mean",
            "sd",
            "share_missing",
            "share_na",
            "item_total_r",
            "alpha_if_dropped",
            "pc1_loading",
            "warning",
        ],
        json.items.iter().map(|i| {
            let mut row = vec![Text(&i.dimension), Text(&i.item), Flag(i.reversed)];
            row.extend(gated_cells(&i.figures, 8, |f| {
                vec![
                    Count(f.n),
                    Optional(f.mean),
                    Optional(f.sd),
                    Number(f.share_missing),
                    Number(f.share_na),
                    Optional(f.item_total_r),
                    Optional(f.alpha_if_dropped),
                    Optional(f.pc1_loading),
                ]
            }));
            row.push(Text(&i.warning));
            row
        }),
    )?;
    let ps: Vec<[String; 3]> = json
        .correlations
        .iter()
        .map(|c| {
            let f = c.figures.shown();
            [
                p_text(f.and_then(|f| f.p)),
                p_text(f.and_then(|f| f.p_holm)),
                p_text(f.and_then(|f| f.q_bh)),
            ]
        })
        .collect();
    write_table(
        out,
        "correlations.csv",
        &[
            "first", "second", "level", "n", "r", "ci_low", "ci_high", "p", "p_holm", "q_bh",
            "warning",
        ],
        json.correlations.iter().zip(&ps).map(|(c, p)| {
            let mut row = vec![Text(&c.first), Text(&c.second), Text(c.level)];
            row.extend(gated_cells(&c.figures, 7, |f| {
                vec![
                    Count(f.n),
                    Optional(f.r),
                    Optional(f.ci_low),
                    Optional(f.ci_high),
                    Text(&p[0]),
                    Text(&p[1]),
                    Text(&p[2]),
                ]
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
    let aggregation_ps: Vec<[String; 3]> = json
        .aggregation
        .iter()
        .map(|a| [p_text(a.p), p_text(a.p_holm), p_text(a.q_bh)])
        .collect();
    write_table(
        out,
        "aggregation.csv",
        &[
            "measure",
            "wave",
            "organizations",
            "respondents",
            "icc1",
            "icc1_ci_low",
            "icc1_ci_high",
            "f",
            "df1",
            "df2",
            "p",
            "p_holm",
            "q_bh",
            "icc2",
            "rwg_j_median",
            "ad_m_median",
            "warning",
        ],
        json.aggregation.iter().zip(&aggregation_ps).map(|(a, p)| {
            vec![
                Text(&a.measure),
                Text(&a.wave),
                Count(a.organizations),
                Count(a.respondents),
                Optional(a.icc1),
                Optional(a.icc1_ci_low),
                Optional(a.icc1_ci_high),
                Optional(a.f),
                Optional(a.df1),
                Optional(a.df2),
                Text(&p[0]),
                Text(&p[1]),
                Text(&p[2]),
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
    )?;
    let paired_ps: Vec<[String; 3]> = json
        .paired_changes
        .iter()
        .map(|c| {
            let f = c.figures.shown();
            [
                p_text(f.map(|f| f.p)),
                p_text(f.map(|f| f.p_holm)),
                p_text(f.map(|f| f.q_bh)),
            ]
        })
        .collect();
    write_table(
        out,
        "paired_changes.csv",
        &[
            "org",
            "measure",
            "from_wave",
            "to_wave",
            "n",
            "mean_difference",
            "t",
            "df",
            "p",
            "p_holm",
            "q_bh",
            "d_z",
            "ci_low",
            "ci_high",
            "warning",
        ],
        json.paired_changes.iter().zip(&paired_ps).map(|(c, p)| {
            let mut row = vec![
                Text(&c.org),
                Text(&c.measure),
                Text(&c.from_wave),
                Text(&c.to_wave),
            ];
            row.extend(gated_cells(&c.figures, 10, |f| {
                vec![
                    Count(f.n),
                    Number(f.mean_difference),
                    Number(f.t),
                    Number(f.df),
                    Text(&p[0]),
                    Text(&p[1]),
                    Text(&p[2]),
                    Number(f.d_z),
                    Number(f.ci_low),
                    Number(f.ci_high),
                ]
            }));
            row.push(Text(&c.warning));
            row
        }),
    )?;
    write_table(
        out,
        "drivers.csv",
        &[
            "outcome",
            "dimension",
            "weight",
            "share",
            "r2",
            "n",
            "warning",
        ],
        json.drivers.iter().map(|d| {
            let mut row = vec![Text(&d.outcome), Text(&d.dimension)];
            row.extend(gated_cells(&d.figures, 4, |f| {
                vec![
                    Optional(f.weight),
                    Optional(f.share),
                    Optional(f.r2),
                    Count(f.n),
                ]
            }));
            row.push(Text(&d.warning));
            row
        }),
    )
}

fn summary(json: &StatsJson, quality: &[QualityRow], out: &Path, lavaan: bool) -> String {
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
                a.alpha
                    .map_or_else(|| "–".into(), |a| number::decimals(a, 3))
            ),
            None => format!("  {:<28} k={:<2} {}", r.dimension, r.k, r.warning),
        });
    }
    lines.push(format!(
        "aggregation (all waves): ICC(1), ICC(2), share of organizations with rwg(j) ≥ {RWG_AGREEMENT:.2}:"
    ));
    for a in json.aggregation.iter().filter(|a| a.wave == "all") {
        let dash = |x: Option<f64>| x.map_or_else(|| "–".into(), |v| number::decimals(v, 3));
        lines.push(format!(
            "  {:<28} J={:<5} icc1={:<6} icc2={:<6} agree={}",
            a.measure,
            a.organizations,
            dash(a.icc1),
            dash(a.icc2),
            a.rwg_j_share_agreeing
                .map_or_else(|| "–".into(), number::share)
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
    lines.push(format!(
        "wrote descriptives.csv, reliability.csv, items.csv, correlations.csv, quality.csv, aggregation.csv, agreement.csv, paired_changes.csv, drivers.csv, {}stats.json and stats.html to {}",
        if lavaan { "items_wide.csv, invariance.R, " } else { "" },
        out.display()
    ));
    lines.join("\n")
}
