//! The organization's level, respondents and dimension profile: the radar of its dimensions
//! against the population median and P75, and each dimension against the population's band.

use serde::Serialize;

use super::{one, percentile, share, LevelShare, Page, RoleCount};
use crate::aggregate::Group;
use crate::report::charts;
use crate::results::Measure;

#[derive(Serialize)]
pub struct LevelView {
    /// Whether a level is given (the index is shown).
    pub reached: bool,
    pub label: String,
    pub index: String,
    pub percentile: String,
    pub population: String,
    /// Under the percentile: the population it is taken against, or why there is none.
    pub percentile_note: String,
    pub next_label: String,
    pub points_to_next: String,
    pub blocking: Vec<String>,
    pub ci: String,
}

#[derive(Serialize)]
pub struct RespondentLevels {
    pub group: String,
    pub suppressed: bool,
    /// Why the group is hidden, in the page's words.
    pub hidden: String,
    pub shares: Vec<LevelShare>,
}

#[derive(Serialize)]
pub struct DimensionRow {
    pub title: String,
    pub description: String,
    pub value: String,
    pub ci: String,
    pub percentile: String,
    pub p25: String,
    pub median: String,
    pub p75: String,
    pub n: String,
    pub suppressed: bool,
}

pub(super) fn respondents(page: &Page) -> Vec<RoleCount> {
    // Every role with at least one row, in instrument order; its count is a figure like any
    // other, shown only with its index.
    // A self-assessment names no hidden role: with a few colleagues, a role's mere presence
    // says who answered.
    page.reported
        .roles()
        .filter(|group| !page.self_assessment || group.shown(Measure::Index).is_some())
        .filter_map(|group| {
            let Group::Role(r) = group.group else {
                return None;
            };
            Some(RoleCount {
                role: page.analysis.instrument.roles[r].label.clone(),
                count: match group.shown(Measure::Index) {
                    Some(_) => group.rows.to_string(),
                    None => page.hidden_phrase(group.group, Measure::Index),
                },
            })
        })
        .collect()
}

pub(super) fn level(page: &Page) -> LevelView {
    let analysis = page.analysis;
    let instrument = analysis.instrument;
    let summary = &page.reported.level;
    let standing = analysis.standing(page.latest, Group::All, Measure::Index);
    let index = page.reported.all.shown(Measure::Index);
    LevelView {
        label: summary.level.map_or_else(
            || page.hidden_phrase(Group::All, Measure::Index),
            |l| instrument.levels[l].label.clone(),
        ),
        reached: summary.level.is_some(),
        index: summary
            .index
            .map_or_else(|| page.hidden_phrase(Group::All, Measure::Index), one),
        // A self-assessment's few answers give intervals wider than the scale: none are shown.
        ci: match index.map(|s| (s.ci_low, s.ci_high)) {
            _ if page.self_assessment => String::new(),
            Some((Some(lo), Some(hi))) => format!("{}–{}", one(lo), one(hi)),
            _ => String::new(),
        },
        percentile: percentile(standing.and_then(|s| s.percentile)),
        population: standing.map_or_else(String::new, |s| s.population.to_string()),
        percentile_note: match standing {
            _ if summary.index.is_none() => "no rank: the index is not shown".to_string(),
            Some(s) if s.percentile.is_some() => format!("against {}", s.population),
            Some(s) => format!("population too small to rank ({})", s.population),
            None => "population too small to rank".to_string(),
        },
        next_label: summary
            .next_level
            .map_or_else(String::new, |l| instrument.levels[l].label.clone()),
        points_to_next: summary.points_to_next.map_or_else(String::new, one),
        // A dimension that is not shown blocks a gate too (SPEC §4): the page says which.
        blocking: summary
            .blocking
            .iter()
            .map(|&m| {
                let title = &instrument.dimensions[m].title;
                match page.reported.all.shown(Measure::Dimension(m)) {
                    Some(_) => title.clone(),
                    None => format!("{title} (not shown)"),
                }
            })
            .collect(),
    }
}

pub(super) fn respondent_levels(page: &Page) -> Vec<RespondentLevels> {
    let analysis = page.analysis;
    let instrument = analysis.instrument;
    page.reported
        .groups()
        .map(|group| {
            let label = match group.group {
                Group::All => "All respondents".to_string(),
                Group::Role(r) => instrument.roles[r].label.clone(),
            };
            let total: usize = group.level_counts.iter().sum();
            let shown = group.shown(Measure::Index).is_some() && total > 0;
            RespondentLevels {
                group: label,
                suppressed: !shown,
                hidden: page.hidden_phrase(group.group, Measure::Index),
                shares: if shown {
                    group
                        .level_counts
                        .iter()
                        .zip(&instrument.levels)
                        .map(|(&c, level)| LevelShare {
                            level: level.label.clone(),
                            share: share(c as f64 / total as f64),
                        })
                        .collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

pub(super) fn dimensions(page: &Page) -> Vec<DimensionRow> {
    let analysis = page.analysis;
    analysis
        .instrument
        .dimensions
        .iter()
        .enumerate()
        .map(|(m, dim)| {
            let figure = page.reported.all.shown(Measure::Dimension(m));
            let q = page.quartiles(Measure::Dimension(m));
            let mean = figure.map(|s| s.mean);
            let shown = figure.is_some();
            DimensionRow {
                title: dim.title.clone(),
                description: dim.description.clone(),
                value: mean.map_or_else(
                    || page.hidden_phrase(Group::All, Measure::Dimension(m)),
                    one,
                ),
                ci: match figure.map(|s| (s.ci_low, s.ci_high)) {
                    _ if page.self_assessment => String::new(),
                    Some((Some(lo), Some(hi))) => format!("{}–{}", one(lo), one(hi)),
                    _ => String::new(),
                },
                percentile: percentile(
                    analysis
                        .standing(page.latest, Group::All, Measure::Dimension(m))
                        .and_then(|s| s.percentile),
                ),
                p25: q.as_ref().map_or_else(String::new, |q| one(q.p25)),
                median: q.as_ref().map_or_else(String::new, |q| one(q.median)),
                p75: q.as_ref().map_or_else(String::new, |q| one(q.p75)),
                n: figure.map_or_else(String::new, |s| s.n.to_string()),
                suppressed: !shown,
            }
        })
        .collect()
}

/// The radar of the organization's dimensions against the population; empty when none of
/// its dimensions is shown (the page says so in words: [`profile_note`]).
pub(super) fn radar(page: &Page) -> String {
    let instrument = page.analysis.instrument;
    let d = page.dimensions();
    if !page.any_dimension_shown() {
        return String::new();
    }
    let mut series = vec![charts::radar::RadarSeries {
        name: page.name.clone(),
        values: (0..d).map(|m| page.mean(Measure::Dimension(m))).collect(),
    }];
    // A self-assessment without a population has no median or P75 to draw or name.
    if !page.alone() {
        series.extend([
            charts::radar::RadarSeries {
                name: "Population median".into(),
                values: (0..d)
                    .map(|m| page.quartiles(Measure::Dimension(m)).map(|q| q.median))
                    .collect(),
            },
            charts::radar::RadarSeries {
                name: "Population P75".into(),
                values: (0..d)
                    .map(|m| page.quartiles(Measure::Dimension(m)).map(|q| q.p75))
                    .collect(),
            },
        ]);
    }
    charts::radar::render(&charts::radar::RadarChart {
        id: format!("{}radar", page.id_prefix),
        title: format!(
            "Dimension profile of {}, {} (0–100)",
            page.name,
            page.wave(page.latest)
        ),
        axes: instrument
            .dimensions
            .iter()
            .map(|x| x.title.clone())
            .collect(),
        series,
    })
}

/// The population's P25–P75 band per dimension, with the organization's score; empty for a
/// self-assessment without a population, which has no band to draw, and where no measure of
/// the organization is shown (a chart of bands with "not shown" on every row tells nothing).
pub(super) fn bands(page: &Page) -> String {
    if page.alone() || page.measures().all(|m| page.mean(m).is_none()) {
        return String::new();
    }
    let instrument = page.analysis.instrument;
    charts::band::render(&charts::band::BandChart {
        id: format!("{}bands", page.id_prefix),
        title: "Each dimension against the population: P25–P75 band, median and this organization"
            .into(),
        value_label: page.name.clone(),
        missing_label: page.hidden.clone(),
        rows: page
            .measures()
            .map(|m| {
                let q = page.quartiles(m);
                charts::band::BandRow {
                    label: m.title(instrument).to_string(),
                    value: page.mean(m),
                    // Two words in the chart; the table beside it gives the reason.
                    missing: Some("not shown".to_string()),
                    p25: q.as_ref().map(|q| q.p25),
                    median: q.as_ref().map(|q| q.median),
                    p75: q.as_ref().map(|q| q.p75),
                }
            })
            .collect(),
    })
}

/// Why the profile has no chart, where it has none although the wave has respondents: every
/// dimension is hidden (SPEC §6, §15). Empty where the radar is drawn.
pub(super) fn profile_note(page: &Page) -> String {
    if page.dimensions() == 0 || page.any_dimension_shown() {
        return String::new();
    }
    format!(
        "No chart of the profile: no dimension of {} is shown for this wave ({}), so there is no \
         shape to draw. The table below gives the reason for each.",
        page.name,
        page.wave(page.latest)
    )
}
