//! The organization page's breakdowns (SPEC §17): per breakdown, a heat map of measures ×
//! units, each cell the unit's mean and its difference from the organization's, coloured by
//! the difference, and the same figures as a table. A hidden unit says why, in the words of
//! SPEC §6; every option of the breakdown is listed, so an empty unit reads as a small one.

use serde::Serialize;

use super::{one, signed, Page};
use crate::report::charts;
use crate::results::{Figure, Suppressed};

#[derive(Serialize)]
pub struct BreakdownView {
    pub label: String,
    pub heatmap_svg: String,
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
            let cells: Vec<Vec<Result<(f64, Option<f64>), String>>> = measures
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
            let text = |cell: &Result<(f64, Option<f64>), String>, lines: bool| match cell {
                Ok((mean, Some(diff))) if lines => format!("{}\n{}", one(*mean), signed(*diff)),
                Ok((mean, Some(diff))) => format!("{} ({})", one(*mean), signed(*diff)),
                Ok((mean, None)) => one(*mean),
                Err(_) if lines => "not shown".to_string(),
                Err(phrase) => phrase.clone(),
            };
            let units: Vec<String> = breakdown.options.iter().map(|o| o.label.clone()).collect();
            let heatmap_svg = charts::heatmap::render(&charts::heatmap::HeatmapChart {
                id: format!("{}breakdown-{}", page.id_prefix, breakdown.id),
                title: format!(
                    "{} by {}: each unit's mean and its difference from the organization (points)",
                    page.name, breakdown.label
                ),
                row_labels: measures
                    .iter()
                    .map(|m| m.title(instrument).to_string())
                    .collect(),
                col_labels: units.clone(),
                cells: cells
                    .iter()
                    .map(|row| {
                        row.iter()
                            .map(|c| c.as_ref().ok().map(|(_, diff)| diff.unwrap_or(0.0)))
                            .collect()
                    })
                    .collect(),
                scale: charts::heatmap::HeatScale::Difference,
                decimals: 1,
                texts: Some(
                    cells
                        .iter()
                        .map(|row| row.iter().map(|c| text(c, true)).collect())
                        .collect(),
                ),
            });
            BreakdownView {
                label: breakdown.label.clone(),
                heatmap_svg,
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
