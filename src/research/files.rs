//! The files of `stats`: one CSV per table (through the result-table configuration every CSV
//! shares), `rejects.csv`, `stats.json` and the page, from [`StatsResults`].

use std::path::Path;

use super::*;

use super::page::write_html;
use crate::error::{Error, Result};
use crate::output::{self, number, Cell, Table};
use crate::renderer::Renderer;

/// The `stats` renderer; what it returns is the summary printed on the terminal.
pub struct StatsFiles;

impl Renderer<StatsResults<'_>> for StatsFiles {
    type Written = String;

    fn render(&self, results: &StatsResults<'_>, out: &Path) -> Result<String> {
        let json = &results.json;
        write_csvs(out, json, &results.quality)?;
        output::write_rejects(results.analysis.data, &out.join("rejects.csv"))?;
        let bytes = serde_json::to_vec_pretty(json)
            .map_err(|e| Error::Other(format!("cannot serialise stats.json: {e}")))?;
        output::write_atomic(&out.join("stats.json"), &bytes)?;
        write_html(&results.analysis, json, &results.correlation_matrix, out)?;
        Ok(summary(json, &results.quality, out))
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
    lines.push(format!("wrote reliability.csv, items.csv, correlations.csv, quality.csv, aggregation.csv, agreement.csv, stats.json and stats.html to {}", out.display()));
    lines.join("\n")
}
