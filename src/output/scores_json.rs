//! `scores.json`: the organization-level results as one document (no respondent rows).

use std::path::Path;

use serde::Serialize;

use super::csv_writer::write_in_order;
use super::file::AtomicFile;
use std::io::Write;

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::results::Measure;

// ----------------------------------------------------------------------------------------------
// scores.json

#[derive(Serialize)]
pub struct InstrumentJson {
    pub id: String,
    pub version: String,
    pub title: String,
}

#[derive(Serialize)]
pub struct RowsJson {
    pub read: usize,
    pub scored: usize,
    pub rejected: usize,
}

#[derive(Serialize)]
pub struct OrgJson {
    pub org: String,
    pub name: String,
    pub waves: Vec<WaveJson>,
    pub changes: Vec<ChangeJson>,
}

#[derive(Serialize)]
pub struct WaveJson {
    pub wave: String,
    pub suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<LevelJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub perception_gaps: Vec<GapJson>,
    /// The units of the instrument's breakdowns (SPEC §17), as `breakdown_scores.csv`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breakdowns: Vec<UnitJson>,
}

#[derive(Serialize)]
pub struct UnitJson {
    pub breakdown: String,
    pub unit: String,
    pub measures: Vec<UnitMeasureJson>,
}

#[derive(Serialize)]
pub struct UnitMeasureJson {
    pub measure: String,
    pub suppressed: bool,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub stats: Option<UnitStatsJson>,
}

#[derive(Serialize)]
pub struct UnitStatsJson {
    pub n: usize,
    pub mean: f64,
    pub sd: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

#[derive(Serialize)]
pub struct LevelJson {
    pub index: Option<f64>,
    pub level: Option<String>,
    pub percentile: Option<f64>,
    pub population: Option<String>,
    pub next_level: Option<String>,
    pub points_to_next: Option<f64>,
    pub blocking_dimensions: Vec<String>,
}

#[derive(Serialize)]
pub struct GroupJson {
    pub group: String,
    pub measures: Vec<MeasureJson>,
    /// Share of the group's respondents whose own scores put them at each level; absent when
    /// the group's index is not shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub respondent_levels: Option<Vec<LevelShareJson>>,
}

#[derive(Serialize)]
pub struct LevelShareJson {
    pub level: String,
    pub count: usize,
    pub share: f64,
}

#[derive(Serialize)]
pub struct MeasureJson {
    pub measure: String,
    pub suppressed: bool,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub stats: Option<MeasureStatsJson>,
}

#[derive(Serialize)]
pub struct MeasureStatsJson {
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub percentile: Option<f64>,
    pub p25: Option<f64>,
    pub median: Option<f64>,
    pub p75: Option<f64>,
    pub z: Option<f64>,
    pub population: Option<String>,
}

#[derive(Serialize)]
pub struct GapJson {
    pub measure: String,
    pub first_role: String,
    pub second_role: String,
    pub first_mean: f64,
    pub second_mean: f64,
    pub gap: f64,
    pub flag: bool,
}

/// The statistics of a change (SPEC §5), as `scores.json` and `stats.json` write them.
#[derive(Serialize)]
pub struct ShiftJson {
    pub from_mean: f64,
    pub to_mean: f64,
    pub difference: f64,
    pub t: Option<f64>,
    pub df: Option<f64>,
    pub p: Option<f64>,
    pub hedges_g: Option<f64>,
    pub meaningful: bool,
}

impl From<&crate::compare::Shift> for ShiftJson {
    fn from(shift: &crate::compare::Shift) -> Self {
        ShiftJson {
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
pub struct ChangeJson {
    pub measure: String,
    pub from_wave: String,
    pub to_wave: String,
    #[serde(flatten)]
    pub shift: ShiftJson,
    /// Holm-adjusted over the organization's measures between the same two waves.
    pub p_holm: Option<f64>,
}

/// Writes `scores.json` one organization at a time (one line each), so memory stays flat
/// however many organizations there are.
pub fn write_scores_json(analysis: &Analysis, path: &Path) -> Result<()> {
    let instrument = analysis.instrument;
    let fail = |e: serde_json::Error| Error::Other(format!("cannot write {}: {e}", path.display()));
    let io = |e: std::io::Error| Error::io(path, "cannot write", e);
    let mut file = AtomicFile::create(path)?;
    let head = ScoresHead {
        partnerscope_version: env!("CARGO_PKG_VERSION"),
        instrument: InstrumentJson {
            id: instrument.id.clone(),
            version: instrument.version.to_string(),
            title: instrument.title.clone(),
        },
        anonymity_threshold: instrument.anonymity_threshold,
        rows: RowsJson {
            read: analysis.data.rows_read,
            scored: analysis.data.rows_scored(),
            rejected: analysis.data.rejects.len(),
        },
    };
    let head = serde_json::to_string(&head).map_err(fail)?;
    // `{…head fields…, "organizations": [` — the head object without its closing brace.
    file.write_all(&head.as_bytes()[..head.len() - 1])
        .map_err(io)?;
    file.write_all(b",\"organizations\":[\n").map_err(io)?;
    // Organizations (runs of org-waves with the same org), serialised in parallel batches and
    // written in order.
    let mut ranges = Vec::new();
    let mut start = 0;
    let results = &analysis.results;
    while start < results.len() {
        let org = results[start].org;
        let end = (start..results.len())
            .find(|&i| results[i].org != org)
            .unwrap_or(results.len());
        ranges.push(start..end);
        start = end;
    }
    // Blocks of 32 organizations, each entry but the very first after a separator.
    const ORGS: usize = 32;
    write_in_order(&mut file, path, ranges.len().div_ceil(ORGS), |_, block| {
        let mut text = Vec::new();
        for (k, range) in ranges.iter().enumerate().skip(block * ORGS).take(ORGS) {
            if k > 0 {
                text.extend_from_slice(b",\n");
            }
            serde_json::to_writer(&mut text, &org_json(analysis, range.clone())).map_err(fail)?;
        }
        Ok(text)
    })?;
    file.write_all(b"\n]}\n").map_err(io)?;
    file.commit()
}

#[derive(Serialize)]
struct ScoresHead {
    partnerscope_version: &'static str,
    instrument: InstrumentJson,
    anonymity_threshold: usize,
    rows: RowsJson,
}

/// One organization's entry: its org-waves `range` (consecutive, same organization).
/// Every unit of a reported organization-wave, its hidden figures marked `suppressed`.
fn units_json(
    instrument: &crate::instrument::Instrument,
    reported: &crate::results::Reported,
) -> Vec<UnitJson> {
    reported
        .units
        .iter()
        .map(|unit| {
            let (breakdown, id) = unit.ids(instrument);
            UnitJson {
                breakdown: breakdown.to_string(),
                unit: id.to_string(),
                measures: unit
                    .figures()
                    .map(|(measure, figure)| {
                        let shown = figure.shown();
                        UnitMeasureJson {
                            measure: measure.id(instrument).to_string(),
                            suppressed: shown.is_none(),
                            stats: shown.map(|s| UnitStatsJson {
                                n: s.n,
                                mean: s.mean,
                                sd: s.sd,
                                ci_low: s.ci_low,
                                ci_high: s.ci_high,
                            }),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

pub fn org_json(analysis: &Analysis, range: std::ops::Range<usize>) -> OrgJson {
    let instrument = analysis.instrument;
    let org = analysis.org_id(range.start);
    let mut entry = OrgJson {
        org: org.to_string(),
        name: analysis.orgs.display_name(org).to_string(),
        waves: Vec::new(),
        changes: Vec::new(),
    };
    for i in range.clone() {
        let wave = analysis.wave(i).to_string();
        let Some(reported) = analysis.results[i].reported() else {
            entry.waves.push(WaveJson {
                wave,
                suppressed: true,
                n: None,
                level: None,
                groups: Vec::new(),
                perception_gaps: Vec::new(),
                breakdowns: Vec::new(),
            });
            continue;
        };
        let summary = &reported.level;
        let standing = reported
            .all
            .shown(Measure::Index)
            .and_then(|s| s.standing.as_ref());
        let level_name = |l: Option<usize>| l.map(|l| instrument.levels[l].id.clone());
        let groups = reported
            .groups()
            .map(|group| {
                let measures = group
                    .figures()
                    .map(|(measure, figure)| {
                        let shown = figure.shown();
                        MeasureJson {
                            measure: measure.id(instrument).to_string(),
                            suppressed: shown.is_none(),
                            stats: shown.map(|s| {
                                let st = s.standing.as_ref();
                                let q = st.and_then(|s| s.quartiles.as_ref());
                                MeasureStatsJson {
                                    n: s.n,
                                    mean: Some(s.mean),
                                    sd: s.sd,
                                    ci_low: s.ci_low,
                                    ci_high: s.ci_high,
                                    percentile: s.percentile(),
                                    p25: q.map(|q| q.p25),
                                    median: q.map(|q| q.median),
                                    p75: q.map(|q| q.p75),
                                    z: st.and_then(|s| s.z),
                                    population: st.map(|s| s.population.to_string()),
                                }
                            }),
                        }
                    })
                    .collect();
                let total: usize = group.level_counts.iter().sum();
                let index_shown = group.shown(Measure::Index).is_some();
                GroupJson {
                    group: group.group.name(instrument),
                    measures,
                    respondent_levels: (index_shown && total > 0).then(|| {
                        group
                            .level_counts
                            .iter()
                            .zip(&instrument.levels)
                            .map(|(&count, level)| LevelShareJson {
                                level: level.id.clone(),
                                count,
                                share: count as f64 / total as f64,
                            })
                            .collect()
                    }),
                }
            })
            .collect();
        let perception_gaps = analysis
            .gaps_of(i)
            .iter()
            .map(|g| GapJson {
                measure: g.measure.id(analysis.instrument).to_string(),
                first_role: instrument.roles[g.first_role].id.clone(),
                second_role: instrument.roles[g.second_role].id.clone(),
                first_mean: g.first_mean,
                second_mean: g.second_mean,
                gap: g.gap,
                flag: g.flag,
            })
            .collect();
        entry.waves.push(WaveJson {
            wave,
            suppressed: false,
            n: Some(analysis.results[i].rows.len()),
            level: Some(LevelJson {
                index: summary.index,
                level: level_name(summary.level),
                percentile: standing.and_then(|s| s.percentile),
                population: standing.map(|s| s.population.to_string()),
                next_level: level_name(summary.next_level),
                points_to_next: summary.points_to_next,
                blocking_dimensions: summary
                    .blocking
                    .iter()
                    .map(|&m| instrument.dimensions[m].id.clone())
                    .collect(),
            }),
            groups,
            perception_gaps,
            breakdowns: units_json(instrument, reported),
        });
    }
    for c in analysis.changes_from(range) {
        entry.changes.push(ChangeJson {
            measure: c.measure.id(analysis.instrument).to_string(),
            from_wave: analysis.wave(c.from).to_string(),
            to_wave: analysis.wave(c.to).to_string(),
            shift: ShiftJson::from(&c.shift),
            p_holm: c.shift.p_holm,
        });
    }
    entry
}
