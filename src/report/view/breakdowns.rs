//! The organization page's breakdowns (SPEC §17): per breakdown, a heat map of units ×
//! measures, each cell the unit's mean and its difference from the organization's, coloured by
//! the difference, and the same figures as a table. A hidden unit says why, in the words of
//! SPEC §6; every option of the breakdown is listed, so an empty unit reads as a small one.

use serde::Serialize;

use super::{one, signed, Page};
use crate::report::charts;
use crate::results::{Figure, Suppressed};

#[derive(Serialize)]
pub struct BreakdownView {
    pub label: String,
    /// Empty when no unit has a shown figure.
    pub heatmap_svg: String,
    /// The units the map leaves out, each with why: "North: fewer than 5 responses".
    pub hidden_units: String,
    /// The units' labels, in option order.
    pub units: Vec<String>,
    pub rows: Vec<BreakdownRow>,
}

#[derive(Serialize)]
pub struct BreakdownRow {
    pub measure: String,
    /// Per unit: "58.3 (+3.1)", or why it is hidden.
    pub cells: Vec<BreakdownCell>,
}

#[derive(Serialize)]
pub struct BreakdownCell {
    pub text: String,
    pub hidden: bool,
}

/// One cell of a breakdown: the unit's mean and its difference from the organization (none
/// where the organization's is hidden), or why it is hidden.
type Cell = Result<(f64, Option<f64>), String>;

pub(super) fn views(page: &Page) -> Vec<BreakdownView> {
    let instrument = page.analysis.instrument;
    let t = instrument.part_threshold;
    instrument
        .breakdowns
        .iter()
        .enumerate()
        .map(|(b, breakdown)| {
            let measures: Vec<_> = page.measures().collect();
            // cells[measure][unit]: (mean, difference from the organization) or the phrase.
            let cells: Vec<Vec<Cell>> = measures
                .iter()
                .map(|&measure| {
                    let org = page.mean(measure);
                    (0..breakdown.options.len())
                        .map(|u| {
                            let figure = page
                                .reported
                                .units
                                .iter()
                                .find(|r| r.breakdown == b && r.unit == u)
                                .map(|r| r.figure(measure));
                            match figure {
                                Some(Figure::Shown(s)) => Ok((s.mean, org.map(|o| s.mean - o))),
                                Some(Figure::Suppressed(Suppressed::Complementary)) => {
                                    Err(Suppressed::Complementary.phrase(t))
                                }
                                _ => Err(Suppressed::BelowThreshold.phrase(t)),
                            }
                        })
                        .collect()
                })
                .collect();
            let text = |cell: &Cell, lines: bool| match cell {
                Ok((mean, Some(diff))) if lines => format!("{}\n{}", one(*mean), signed(*diff)),
                Ok((mean, Some(diff))) => format!("{} ({})", one(*mean), signed(*diff)),
                Ok((mean, None)) => one(*mean),
                Err(_) if lines => "hidden".to_string(),
                Err(phrase) => phrase.clone(),
            };
            let units: Vec<String> = breakdown.options.iter().map(|o| o.label.clone()).collect();
            // The map draws the units with a shown figure; the others are named below it.
            let drawn: Vec<usize> = (0..units.len())
                .filter(|&u| cells.iter().any(|row| row[u].is_ok()))
                .collect();
            let index_slot = measures.len() - 1;
            let hidden_units = (0..units.len())
                .filter(|u| !drawn.contains(u))
                .map(|u| {
                    let why = cells[index_slot][u]
                        .as_ref()
                        .err()
                        .cloned()
                        .unwrap_or_default();
                    format!("{}: {why}", units[u])
                })
                .collect::<Vec<_>>()
                .join("; ");
            let heatmap_svg = (!drawn.is_empty()).then(|| {
                charts::heatmap::render(&charts::heatmap::HeatmapChart {
                    id: format!("{}breakdown-{}", page.id_prefix, breakdown.id),
                    title: format!(
                    "{} by {}: each unit's mean and its difference from the organization (points)",
                    page.name, breakdown.label
                ),
                    // Units × measures: few rows, so the map prints at the page's width.
                    row_labels: drawn.iter().map(|&u| units[u].clone()).collect(),
                    col_labels: measures
                        .iter()
                        .map(|m| m.title(instrument).to_string())
                        .collect(),
                    cells: drawn
                        .iter()
                        .map(|&u| {
                            cells
                                .iter()
                                .map(|row| {
                                    row[u].as_ref().ok().map(|(_, diff)| diff.unwrap_or(0.0))
                                })
                                .collect()
                        })
                        .collect(),
                    scale: charts::heatmap::HeatScale::Difference,
                    decimals: 1,
                    texts: Some(
                        drawn
                            .iter()
                            .map(|&u| cells.iter().map(|row| text(&row[u], true)).collect())
                            .collect(),
                    ),
                })
            });
            BreakdownView {
                label: breakdown.label.clone(),
                heatmap_svg: heatmap_svg.unwrap_or_default(),
                hidden_units,
                units,
                rows: measures
                    .iter()
                    .zip(&cells)
                    .map(|(m, row)| BreakdownRow {
                        measure: m.title(instrument).to_string(),
                        cells: row
                            .iter()
                            .map(|c| BreakdownCell {
                                text: text(c, false),
                                hidden: c.is_err(),
                            })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The portfolio's breakdowns: per breakdown, per unit, every organization (latest wave) whose
/// unit index is shown, so the assessor can read one unit across organizations without
/// scripts.
#[derive(Serialize)]
pub struct PortfolioBreakdown {
    pub label: String,
    pub units: Vec<PortfolioUnit>,
}

#[derive(Serialize)]
pub struct PortfolioUnit {
    /// The option's id, as the portfolio's unit filter and its rows name it.
    pub id: String,
    pub label: String,
    pub rows: Vec<PortfolioUnitRow>,
}

#[derive(Serialize)]
pub struct PortfolioUnitRow {
    pub name: String,
    pub slug: String,
    pub wave: String,
    pub index: String,
    /// The unit's index minus its organization's, signed; empty where the organization's
    /// index is hidden.
    pub difference: String,
    /// The unit's response rate, with `--roster`, where the roster names the unit.
    pub rate: String,
}

/// An organization-wave below the target response rate.
#[derive(Serialize)]
pub struct BelowTarget {
    pub name: String,
    pub slug: String,
    pub wave: String,
    pub rate: String,
    pub invited: String,
}

/// A rate as a whole percentage.
pub fn percent(rate: &crate::roster::Rate) -> String {
    format!(
        "{}%",
        crate::output::number::decimals(rate.value() * 100.0, 0)
    )
}

/// The shown index of unit `u` of breakdown `b` in organization-wave `i`; `None` where it is
/// hidden or the organization-wave is not reported.
pub(super) fn unit_index(
    analysis: &crate::analysis::Analysis,
    i: usize,
    b: usize,
    u: usize,
) -> Option<f64> {
    let unit = analysis.results[i]
        .reported()?
        .units
        .iter()
        .find(|r| r.breakdown == b && r.unit == u)?;
    Some(unit.figure(crate::results::Measure::Index).shown()?.mean)
}

pub(super) fn portfolio_breakdowns(
    analysis: &crate::analysis::Analysis,
    latest: &[(usize, String)],
) -> Vec<PortfolioBreakdown> {
    use crate::aggregate::Group;
    use crate::results::Measure;
    let instrument = analysis.instrument;
    instrument
        .breakdowns
        .iter()
        .enumerate()
        .map(|(b, breakdown)| PortfolioBreakdown {
            label: breakdown.label.clone(),
            units: breakdown
                .options
                .iter()
                .enumerate()
                .map(|(u, option)| PortfolioUnit {
                    id: option.id.clone(),
                    label: option.label.clone(),
                    rows: latest
                        .iter()
                        .filter_map(|(i, slug)| {
                            let mean = unit_index(analysis, *i, b, u)?;
                            let org = analysis.shown_mean(*i, Group::All, Measure::Index);
                            let rate = analysis
                                .participation
                                .as_ref()
                                .and_then(|p| p.rates[*i].as_ref())
                                .and_then(|r| {
                                    r.units.iter().find(|(rb, ru, _)| *rb == b && *ru == u)
                                })
                                .map_or_else(String::new, |(_, _, rate)| percent(rate));
                            Some(PortfolioUnitRow {
                                name: analysis.orgs.display_name(analysis.org_id(*i)).to_string(),
                                slug: slug.clone(),
                                wave: analysis.wave(*i).to_string(),
                                index: one(mean),
                                difference: org.map_or_else(String::new, |o| signed(mean - o)),
                                rate,
                            })
                        })
                        .collect(),
                })
                .filter(|unit| !unit.rows.is_empty())
                .collect(),
        })
        .filter(|b| !b.units.is_empty())
        .collect()
}

/// The organizations whose latest wave is below the target response rate.
pub(super) fn below_target(
    analysis: &crate::analysis::Analysis,
    latest: &[(usize, String)],
) -> Vec<BelowTarget> {
    let Some(participation) = &analysis.participation else {
        return Vec::new();
    };
    latest
        .iter()
        .filter_map(|(i, slug)| {
            let rates = participation.below_target(*i)?;
            Some(BelowTarget {
                name: analysis.orgs.display_name(analysis.org_id(*i)).to_string(),
                slug: slug.clone(),
                wave: analysis.wave(*i).to_string(),
                rate: percent(&rates.all),
                invited: rates.all.invited.to_string(),
            })
        })
        .collect()
}

/// The organization page's participation: the response rate of the organization and of each
/// shown role and unit the roster names.
#[derive(Serialize)]
pub struct ParticipationView {
    pub rows: Vec<RateRow>,
    pub target: String,
    pub below_target: bool,
}

#[derive(Serialize)]
pub struct RateRow {
    pub group: String,
    pub responses: String,
    pub invited: String,
    pub rate: String,
}

pub(super) fn participation(page: &Page) -> Option<ParticipationView> {
    let analysis = page.analysis;
    let participation = analysis.participation.as_ref()?;
    let rates = participation.rates[page.latest].as_ref()?;
    let instrument = analysis.instrument;
    let row = |group: String, rate: &crate::roster::Rate| RateRow {
        group,
        responses: rate.responses.to_string(),
        invited: rate.invited.to_string(),
        rate: percent(rate),
    };
    let mut rows = vec![row("all respondents".into(), &rates.all)];
    rows.extend(
        rates
            .roles
            .iter()
            .map(|(r, rate)| row(instrument.roles[*r].label.clone(), rate)),
    );
    rows.extend(rates.units.iter().map(|(b, u, rate)| {
        let breakdown = &instrument.breakdowns[*b];
        row(
            format!("{}: {}", breakdown.label, breakdown.options[*u].label),
            rate,
        )
    }));
    Some(ParticipationView {
        rows,
        target: format!(
            "{}%",
            crate::output::number::decimals(participation.target_rate * 100.0, 0)
        ),
        below_target: participation.below_target(page.latest).is_some(),
    })
}
