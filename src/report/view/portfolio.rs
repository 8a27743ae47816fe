//! The assessor's portfolio page: every organization's latest shown wave with its level,
//! index, change since its previous shown wave and attributes (filterable on the page), the
//! level distribution, the heat map of dimensions, and links to the data files.

use serde::Serialize;

use super::{level_defs, meta, one, one_or_hidden, percentile, signed};
use super::{LevelDef, LevelShare, Meta};
use crate::aggregate::Group;
use crate::analysis::Analysis;
use crate::report::charts;
use crate::results::Measure;

#[derive(Serialize)]
pub struct Portfolio {
    pub meta: Meta,
    pub rows: Vec<PortfolioRow>,
    pub hidden: Vec<HiddenOrg>,
    pub levels_svg: String,
    pub level_counts: Vec<LevelShare>,
    pub heatmap_svg: String,
    pub dimensions: Vec<String>,
    pub levels: Vec<LevelDef>,
    /// Attribute names of the organizations file (the peer attributes to filter by).
    pub attributes: Vec<AttributeFilter>,
    pub data_files: Vec<DataLink>,
    pub rows_read: usize,
    pub rows_scored: usize,
    pub rows_rejected: usize,
    /// `report --self-assessment`: the footer says the threshold is 1 for this run.
    pub self_assessment: bool,
    /// With `--roster`: the rates column, the target and who is below it (SPEC §17).
    pub has_rates: bool,
    pub target_rate: String,
    pub below_target: Vec<super::BelowTarget>,
    /// Units of the breakdowns across organizations.
    pub breakdowns: Vec<super::PortfolioBreakdown>,
}

#[derive(Serialize)]
pub struct PortfolioRow {
    pub name: String,
    pub slug: String,
    pub wave: String,
    pub n: usize,
    pub level: String,
    pub level_rank: usize,
    pub index: String,
    pub index_sort: String,
    /// Change of the index since the previous shown wave, signed, or empty.
    pub change: String,
    pub change_sort: String,
    pub change_from: String,
    pub change_meaningful: bool,
    pub percentile: String,
    pub population: String,
    /// The organization's value of each attribute, in the order of `attributes`.
    pub attributes: Vec<String>,
    pub dimensions: Vec<String>,
    /// The response rate, with `--roster`; empty where the roster has no row.
    pub rate: String,
    pub rate_sort: String,
    /// Per breakdown of the instrument: the ids of the units whose index is shown for this
    /// organization-wave, separated by spaces (what the portfolio's unit filter matches).
    pub units: Vec<String>,
}

#[derive(Serialize)]
pub struct HiddenOrg {
    pub name: String,
    pub wave: String,
}

#[derive(Serialize)]
pub struct AttributeFilter {
    pub name: String,
    /// The distinct values, sorted.
    pub values: Vec<String>,
}

#[derive(Serialize)]
pub struct DataLink {
    pub href: String,
    pub what: String,
}

/// The data files the portfolio links to, with what each holds.
pub fn data_links(xlsx: bool, breakdowns: bool, rates: bool) -> Vec<DataLink> {
    let mut links: Vec<DataLink> = [
        (
            "data/org_summary.csv",
            "one row per organization and wave: index, level, percentile, next level",
        ),
        (
            "data/org_scores.csv",
            "every shown group and measure with n, mean, sd, interval and population quartiles",
        ),
        ("data/perception_gaps.csv", "gaps between roles"),
        (
            "data/changes.csv",
            "wave-over-wave changes with their tests",
        ),
        (
            "data/respondent_scores.csv",
            "one row per accepted response (raw data: never hand it out)",
        ),
        ("data/rejects.csv", "rows that were not scored, and why"),
        (
            "data/scores.json",
            "organization-level results as one JSON document",
        ),
    ]
    .into_iter()
    .map(|(href, what)| DataLink {
        href: href.into(),
        what: what.into(),
    })
    .collect();
    let link = |href: &str, what: &str| DataLink {
        href: href.into(),
        what: what.into(),
    };
    if breakdowns {
        links.insert(
            2,
            link(
                "data/breakdown_scores.csv",
                "every shown unit of a breakdown and measure with n, mean, sd and interval",
            ),
        );
    }
    if rates {
        links.insert(
            links.len() - 3,
            link(
                "data/response_rates.csv",
                "response rates from the roster: organizations, shown roles and units",
            ),
        );
    }
    if xlsx {
        links.insert(
            0,
            DataLink {
                href: "data/results.xlsx".into(),
                what: "the data files above as one Excel workbook, one sheet each".into(),
            },
        );
    }
    links
}

pub fn portfolio(
    analysis: &Analysis,
    latest: &[(usize, String)],
    hidden_org_waves: &[usize],
    data_files: Vec<DataLink>,
    self_assessment: bool,
) -> Portfolio {
    let instrument = analysis.instrument;
    let d = instrument.dimensions.len();
    // One short word in the tables; the caption says what it means (SPEC §6, §15).
    let hidden_text = "hidden".to_string();
    let orgs = analysis.orgs;
    let mut counts = vec![0usize; instrument.levels.len()];
    let rate_of = |i: usize| {
        analysis
            .participation
            .as_ref()
            .and_then(|p| p.rates[i].as_ref())
            .map(|r| &r.all)
    };
    let rows: Vec<PortfolioRow> = latest
        .iter()
        .filter_map(|(i, slug)| {
            let i = *i;
            let org = analysis.org_id(i);
            // The portfolio lists reported organization-waves only.
            let summary = analysis.summary(i)?;
            if let Some(l) = summary.level {
                counts[l] += 1;
            }
            let standing = analysis.standing(i, Group::All, Measure::Index);
            let change = analysis
                .changes
                .iter()
                .find(|c| c.to == i && c.measure == Measure::Index);
            Some(PortfolioRow {
                name: orgs.display_name(org).to_string(),
                slug: slug.clone(),
                wave: analysis.wave(i).to_string(),
                n: analysis.results[i].rows.len(),
                level: summary.level.map_or_else(
                    || hidden_text.clone(),
                    |l| instrument.levels[l].label.clone(),
                ),
                level_rank: summary.level.map_or(0, |l| l + 1),
                index: summary.index.map_or_else(|| hidden_text.clone(), one),
                index_sort: summary
                    .index
                    .map_or_else(|| "-1".into(), |x| format!("{x:.6}")),
                change: change.map_or_else(String::new, |c| signed(c.shift.difference)),
                change_sort: change
                    .map_or_else(|| "-1000".into(), |c| format!("{:.6}", c.shift.difference)),
                change_from: change.map_or_else(String::new, |c| analysis.wave(c.from).to_string()),
                change_meaningful: change.is_some_and(|c| c.shift.meaningful),
                percentile: percentile(standing.and_then(|s| s.percentile)),
                population: standing.map_or_else(String::new, |s| s.population.to_string()),
                attributes: orgs
                    .attributes
                    .iter()
                    .map(|a| orgs.attribute(org, a).unwrap_or_default().to_string())
                    .collect(),
                dimensions: (0..d)
                    .map(Measure::Dimension)
                    .map(|m| one_or_hidden(analysis.shown_mean(i, Group::All, m), &hidden_text))
                    .collect(),
                rate: rate_of(i).map_or_else(String::new, super::breakdowns::percent),
                rate_sort: rate_of(i).map_or_else(|| "-1".into(), |r| format!("{:.6}", r.value())),
                units: shown_units(analysis, i),
            })
        })
        .collect();
    let attributes = orgs
        .attributes
        .iter()
        .enumerate()
        .map(|(a, name)| {
            let values: std::collections::BTreeSet<&str> = rows
                .iter()
                .map(|r| r.attributes[a].as_str())
                .filter(|v| !v.is_empty())
                .collect();
            AttributeFilter {
                name: name.clone(),
                values: values.into_iter().map(String::from).collect(),
            }
        })
        .collect();
    let levels_svg = charts::bars::render(&charts::bars::BarChart {
        id: "levels".into(),
        title: "Organizations by maturity level (latest wave of each)".into(),
        bars: instrument
            .levels
            .iter()
            .zip(&counts)
            .map(|(l, &c)| (l.label.clone(), c as f64))
            .collect(),
        unit: "organizations".into(),
    });
    let heatmap_svg = charts::heatmap::render(&charts::heatmap::HeatmapChart {
        id: "heatmap".into(),
        title: "Each organization's dimension scores against the population median (points above or below, latest wave)".into(),
        row_labels: latest
            .iter()
            .map(|(i, _)| orgs.display_name(analysis.org_id(*i)).to_string())
            .collect(),
        col_labels: instrument
            .dimensions
            .iter()
            .map(|x| x.title.clone())
            .collect(),
        cells: latest
            .iter()
            .map(|(i, _)| {
                // Coloured by the difference from the population median (SPEC §13): an
                // absolute score says little when every organization scores high.
                (0..d)
                    .map(|m| {
                        let measure = Measure::Dimension(m);
                        let median = analysis
                            .standing(*i, Group::All, measure)
                            .and_then(|s| s.quartiles.as_ref().map(|q| q.median))?;
                        Some(analysis.shown_mean(*i, Group::All, measure)? - median)
                    })
                    .collect()
            })
            .collect(),
        scale: charts::heatmap::HeatScale::Difference,
        decimals: 0,
        texts: None,
    });
    Portfolio {
        meta: meta(analysis),
        rows,
        hidden: hidden_org_waves
            .iter()
            .map(|&i| HiddenOrg {
                name: orgs.display_name(analysis.org_id(i)).to_string(),
                wave: analysis.wave(i).to_string(),
            })
            .collect(),
        levels_svg,
        level_counts: instrument
            .levels
            .iter()
            .zip(&counts)
            .map(|(l, c)| LevelShare {
                level: l.label.clone(),
                share: c.to_string(),
            })
            .collect(),
        heatmap_svg,
        dimensions: instrument
            .dimensions
            .iter()
            .map(|x| x.title.clone())
            .collect(),
        levels: level_defs(analysis),
        attributes,
        data_files,
        rows_read: analysis.data.rows_read,
        rows_scored: analysis.data.rows_scored(),
        rows_rejected: analysis.data.rejects.len(),
        self_assessment,
        has_rates: analysis.participation.is_some(),
        target_rate: analysis
            .participation
            .as_ref()
            .map_or_else(String::new, |p| {
                format!(
                    "{}%",
                    crate::output::number::decimals(p.target_rate * 100.0, 0)
                )
            }),
        below_target: super::breakdowns::below_target(analysis, latest),
        breakdowns: super::breakdowns::portfolio_breakdowns(analysis, latest),
    }
}

/// Per breakdown, the ids of the units whose index is shown for organization-wave `i`, as one
/// space-separated list (option ids are identifiers, so no id holds a space).
fn shown_units(analysis: &Analysis, i: usize) -> Vec<String> {
    analysis
        .instrument
        .breakdowns
        .iter()
        .enumerate()
        .map(|(b, breakdown)| {
            breakdown
                .options
                .iter()
                .enumerate()
                .filter(|&(u, _)| super::breakdowns::unit_index(analysis, i, b, u).is_some())
                .map(|(_, o)| o.id.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}
