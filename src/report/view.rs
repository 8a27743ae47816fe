//! The view models the templates render: plain, serialisable, numbers already formatted.
//!
//! Every figure reaches a page through this file, and only from shown groups (the
//! `Analysis` accessors return nothing for suppressed ones); where a group is suppressed the
//! model carries the phrase "fewer than T responses" instead of a number.

use serde::Serialize;

use super::charts;
use super::items::ItemFigures;
use crate::aggregate::Group;
use crate::analysis::Analysis;
use crate::instrument::ItemKind;

/// One decimal, the way scores are shown on pages.
pub fn one(x: f64) -> String {
    let s = format!("{x:.1}");
    if s == "-0.0" {
        "0.0".into()
    } else {
        s
    }
}

pub fn one_opt(x: Option<f64>) -> String {
    x.map(one).unwrap_or_else(|| "–".into())
}

fn signed(x: f64) -> String {
    let s = one(x);
    if x > 0.0 && s != "0.0" {
        format!("+{s}")
    } else {
        s
    }
}

fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("{p:.3}")
    }
}

#[derive(Serialize, Clone)]
pub struct Meta {
    pub instrument_id: String,
    pub instrument_title: String,
    pub instrument_version: String,
    pub partnerscope_version: String,
    pub threshold: usize,
    pub suppressed: String,
    pub min_answered_pct: String,
}

pub fn meta(analysis: &Analysis) -> Meta {
    let i = analysis.instrument;
    Meta {
        instrument_id: i.id.clone(),
        instrument_title: i.title.clone(),
        instrument_version: i.version.to_string(),
        partnerscope_version: env!("CARGO_PKG_VERSION").into(),
        threshold: i.anonymity_threshold,
        suppressed: suppressed_text(i.anonymity_threshold),
        min_answered_pct: format!("{:.0}", i.min_answered * 100.0),
    }
}

pub fn suppressed_text(threshold: usize) -> String {
    format!("fewer than {threshold} responses")
}

#[derive(Serialize)]
pub struct OrgPage {
    pub meta: Meta,
    pub name: String,
    pub wave: String,
    pub waves: Vec<String>,
    pub respondents: Vec<RoleCount>,
    pub total: usize,
    pub level: LevelView,
    pub respondent_levels: Vec<RespondentLevels>,
    pub radar_svg: String,
    pub dimensions: Vec<DimensionRow>,
    pub bands_svg: String,
    pub gaps: Vec<GapSection>,
    pub gap_alert: String,
    pub trend: Option<TrendView>,
    pub strengths: Vec<Highlight>,
    pub weaknesses: Vec<Highlight>,
    pub recommendations: Vec<RecommendationView>,
    pub item_sections: Vec<ItemSection>,
    pub levels: Vec<LevelDef>,
    pub roles: Vec<String>,
    /// `report --self-assessment` (SPEC §12): one organization's own answers, threshold 1.
    pub self_assessment: bool,
    /// Whether any measure has population quartiles; without them the page leaves out the
    /// population's columns, legends and band chart instead of showing them empty.
    pub has_population: bool,
}

#[derive(Serialize)]
pub struct RoleCount {
    pub role: String,
    pub count: String,
}

#[derive(Serialize)]
pub struct LevelView {
    pub label: String,
    pub index: String,
    pub percentile: String,
    pub population: String,
    pub next_label: String,
    pub points_to_next: String,
    pub blocking: Vec<String>,
    pub ci: String,
}

#[derive(Serialize)]
pub struct LevelDef {
    pub label: String,
    pub min: String,
    pub gate: String,
}

#[derive(Serialize)]
pub struct RespondentLevels {
    pub group: String,
    pub suppressed: bool,
    pub shares: Vec<LevelShare>,
}

#[derive(Serialize)]
pub struct LevelShare {
    pub level: String,
    pub share: String,
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

#[derive(Serialize)]
pub struct GapSection {
    /// False when no measure has both roles shown: the section is a note, not a chart.
    pub available: bool,
    pub title: String,
    pub first: String,
    pub second: String,
    pub svg: String,
    pub rows: Vec<GapRow>,
}

#[derive(Serialize)]
pub struct GapRow {
    pub measure: String,
    pub first: String,
    pub second: String,
    pub gap: String,
    pub flag: bool,
}

#[derive(Serialize)]
pub struct TrendView {
    pub svg: String,
    pub waves: Vec<String>,
    pub rows: Vec<TrendRow>,
    pub changes: Vec<ChangeRow>,
}

#[derive(Serialize)]
pub struct TrendRow {
    pub measure: String,
    pub values: Vec<String>,
}

#[derive(Serialize)]
pub struct ChangeRow {
    pub measure: String,
    pub from: String,
    pub to: String,
    pub from_mean: String,
    pub to_mean: String,
    pub difference: String,
    pub t: String,
    pub df: String,
    pub p: String,
    pub g: String,
    pub meaningful: bool,
}

#[derive(Serialize, Clone)]
pub struct Highlight {
    pub kind: String,
    pub title: String,
    pub value: String,
    pub median: String,
    pub difference: String,
}

#[derive(Serialize)]
pub struct RecommendationView {
    pub dimension: String,
    pub score: String,
    pub median: String,
    pub text: String,
}

#[derive(Serialize)]
pub struct ItemSection {
    pub dimension: String,
    pub svg: String,
    pub rows: Vec<ItemRow>,
}

#[derive(Serialize)]
pub struct ItemRow {
    pub text: String,
    pub reverse: bool,
    pub n: String,
    pub mean: String,
    pub median: String,
    pub distribution: String,
}

/// The page of one organization: its latest shown wave (`org_waves.last()`), with trend over
/// the earlier ones.
pub fn org_page(
    analysis: &Analysis,
    org_waves: &[usize],
    figures: &[Option<ItemFigures>],
    item_medians: &[Option<f64>],
    id_prefix: &str,
    self_assessment: bool,
) -> OrgPage {
    let instrument = analysis.instrument;
    let d = instrument.dimensions.len();
    let latest = *org_waves
        .last()
        .expect("an organization page has a shown wave");
    let ow = &analysis.org_waves[latest];
    let vis = &analysis.visibility[latest];
    let t = instrument.anonymity_threshold;
    // With a threshold of 1 nothing is suppressed; a missing figure means too few answers.
    let hidden = if self_assessment {
        "not enough answers".to_string()
    } else {
        suppressed_text(t)
    };
    let org_id = analysis.org_id(latest);
    let name = analysis.orgs.display_name(org_id).to_string();
    let summary = analysis.summary(latest).expect("reportable");

    let respondents = instrument
        .roles
        .iter()
        .enumerate()
        .filter_map(|(r, role)| {
            let group = ow.group(Group::Role(r))?;
            let shown = vis.is_shown(ow, Group::Role(r), d);
            Some(RoleCount {
                role: role.label.clone(),
                count: if shown {
                    group.rows.to_string()
                } else {
                    hidden.clone()
                },
            })
        })
        .collect();

    let index_standing = analysis.standing(latest, Group::All, d);
    let index_summary = &ow.groups[0].measures[d];
    let level = LevelView {
        label: summary
            .level
            .map_or_else(|| hidden.clone(), |l| instrument.levels[l].label.clone()),
        index: summary.index.map_or_else(|| hidden.clone(), one),
        ci: match (summary.index, index_summary.ci_low, index_summary.ci_high) {
            (Some(_), Some(lo), Some(hi)) => format!("{}–{}", one(lo), one(hi)),
            _ => String::new(),
        },
        percentile: index_standing
            .and_then(|s| s.percentile)
            .map_or_else(String::new, |p| format!("{p:.0}")),
        population: index_standing.map_or_else(String::new, |s| s.population.to_string()),
        next_label: summary
            .next_level
            .map_or_else(String::new, |l| instrument.levels[l].label.clone()),
        points_to_next: summary.points_to_next.map_or_else(String::new, one),
        blocking: summary
            .blocking
            .iter()
            .map(|&m| instrument.dimensions[m].title.clone())
            .collect(),
    };

    let respondent_levels = ow
        .groups
        .iter()
        .map(|group| {
            let label = match group.group {
                Group::All => "All respondents".to_string(),
                Group::Role(r) => instrument.roles[r].label.clone(),
            };
            let total: usize = group.level_counts.iter().sum();
            let shown = vis.is_shown(ow, group.group, d) && total > 0;
            RespondentLevels {
                group: label,
                suppressed: !shown,
                shares: if shown {
                    group
                        .level_counts
                        .iter()
                        .zip(&instrument.levels)
                        .map(|(&c, level)| LevelShare {
                            level: level.label.clone(),
                            share: format!("{:.0}%", 100.0 * c as f64 / total as f64),
                        })
                        .collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();

    // Dimension profile.
    let mean = |m: usize| analysis.shown_mean(latest, Group::All, m);
    let standing = |m: usize| analysis.standing(latest, Group::All, m);
    let quart = |m: usize| standing(m).and_then(|s| s.quartiles.clone());
    let dimensions: Vec<DimensionRow> = instrument
        .dimensions
        .iter()
        .enumerate()
        .map(|(m, dim)| {
            let s = &ow.groups[0].measures[m];
            let q = quart(m);
            let shown = mean(m).is_some();
            DimensionRow {
                title: dim.title.clone(),
                description: dim.description.clone(),
                value: mean(m).map_or_else(|| hidden.clone(), one),
                ci: match (shown, s.ci_low, s.ci_high) {
                    (true, Some(lo), Some(hi)) => format!("{}–{}", one(lo), one(hi)),
                    _ => String::new(),
                },
                percentile: standing(m)
                    .and_then(|s| s.percentile)
                    .map_or_else(String::new, |p| format!("{p:.0}")),
                p25: q.as_ref().map_or_else(String::new, |q| one(q.p25)),
                median: q.as_ref().map_or_else(String::new, |q| one(q.median)),
                p75: q.as_ref().map_or_else(String::new, |q| one(q.p75)),
                n: if shown {
                    s.n.to_string()
                } else {
                    String::new()
                },
                suppressed: !shown,
            }
        })
        .collect();
    let titles: Vec<String> = instrument
        .dimensions
        .iter()
        .map(|x| x.title.clone())
        .collect();
    let has_population = (0..=d).any(|m| quart(m).is_some());
    let mut radar_series = vec![charts::radar::RadarSeries {
        name: name.clone(),
        values: (0..d).map(mean).collect(),
    }];
    if has_population {
        radar_series.extend([
            charts::radar::RadarSeries {
                name: "Population median".into(),
                values: (0..d).map(|m| quart(m).map(|q| q.median)).collect(),
            },
            charts::radar::RadarSeries {
                name: "Population P75".into(),
                values: (0..d).map(|m| quart(m).map(|q| q.p75)).collect(),
            },
        ]);
    }
    let radar_svg = charts::radar::render(&charts::radar::RadarChart {
        id: format!("{id_prefix}radar"),
        title: format!(
            "Dimension profile of {name}, {} (0–100)",
            ow_wave(analysis, latest)
        ),
        axes: titles.clone(),
        series: radar_series,
    });
    // The band chart is the population's P25–P75 band: nothing to draw without one.
    let bands_svg = if !has_population {
        String::new()
    } else {
        charts::band::render(&charts::band::BandChart {
            id: format!("{id_prefix}bands"),
            title:
                "Each dimension against the population: P25–P75 band, median and this organization"
                    .into(),
            value_label: name.clone(),
            missing_label: hidden.clone(),
            rows: (0..=d)
                .map(|m| {
                    let q = quart(m);
                    charts::band::BandRow {
                        label: instrument.measure_title(m).to_string(),
                        value: mean(m),
                        p25: q.as_ref().map(|q| q.p25),
                        median: q.as_ref().map(|q| q.median),
                        p75: q.as_ref().map(|q| q.p75),
                    }
                })
                .collect(),
        })
    };

    // Perception gaps: one section per configured pair.
    let mut gaps: Vec<GapSection> = instrument
        .perception_gaps
        .iter()
        .enumerate()
        .map(|(k, &(first, second))| {
            let (fl, sl) = (
                &instrument.roles[first].label,
                &instrument.roles[second].label,
            );
            let shown_gap = |m: usize| {
                analysis
                    .gaps_of(latest)
                    .iter()
                    .find(|g| g.measure == m && g.first_role == first && g.second_role == second)
            };
            let rows: Vec<GapRow> = (0..=d)
                .map(|m| {
                    let label = instrument.measure_title(m).to_string();
                    match shown_gap(m) {
                        Some(g) => GapRow {
                            measure: label,
                            first: one(g.first_mean),
                            second: one(g.second_mean),
                            gap: signed(g.gap),
                            flag: g.flag,
                        },
                        None => GapRow {
                            measure: label,
                            first: one_or_hidden(
                                analysis.shown_mean(latest, Group::Role(first), m),
                                &hidden,
                            ),
                            second: one_or_hidden(
                                analysis.shown_mean(latest, Group::Role(second), m),
                                &hidden,
                            ),
                            gap: String::new(),
                            flag: false,
                        },
                    }
                })
                .collect();
            let svg = charts::dumbbell::render(&charts::dumbbell::DumbbellChart {
                id: format!("{id_prefix}gap{k}"),
                title: format!("Perception gap: {fl} compared with {sl}"),
                first_label: fl.clone(),
                second_label: sl.clone(),
                rows: (0..=d)
                    .map(|m| {
                        let g = shown_gap(m);
                        charts::dumbbell::DumbbellRow {
                            label: instrument.measure_title(m).to_string(),
                            first: g.map(|g| g.first_mean),
                            second: g.map(|g| g.second_mean),
                            flagged: g.is_some_and(|g| g.flag),
                        }
                    })
                    .collect(),
            });
            let available = (0..=d).any(|m| shown_gap(m).is_some());
            GapSection {
                available,
                title: format!("{fl} vs {sl}"),
                first: fl.clone(),
                second: sl.clone(),
                svg,
                rows,
            }
        })
        .collect();

    if self_assessment {
        // Every present role is shown at threshold 1: a pair without a gap lacks a role.
        gaps.retain(|g| g.available);
    }

    let trend = (org_waves.len() > 1).then(|| trend_view(analysis, org_waves, &name, id_prefix));

    // Strengths and gaps: dimensions and items furthest from the population median.
    let mut highlights: Vec<(f64, Highlight)> = Vec::new();
    for (m, title) in titles.iter().enumerate() {
        if let (Some(v), Some(q)) = (mean(m), quart(m)) {
            highlights.push((
                v - q.median,
                Highlight {
                    kind: "Dimension".into(),
                    title: title.clone(),
                    value: one(v),
                    median: one(q.median),
                    difference: signed(v - q.median),
                },
            ));
        }
    }
    for (i, item) in instrument.scored_items().iter().enumerate() {
        if let (Some(Some(v)), Some(median)) =
            (figures[i].as_ref().map(|f| f.mean), item_medians[i])
        {
            highlights.push((
                v - median,
                Highlight {
                    kind: "Item".into(),
                    title: item.text.clone(),
                    value: one(v),
                    median: one(median),
                    difference: signed(v - median),
                },
            ));
        }
    }
    highlights.sort_by(|a, b| b.0.total_cmp(&a.0));
    let strengths: Vec<Highlight> = highlights
        .iter()
        .filter(|h| crate::score::below(0.0, h.0))
        .take(5)
        .map(|h| h.1.clone())
        .collect();
    let mut weaknesses: Vec<Highlight> = highlights
        .iter()
        .rev()
        .filter(|h| crate::score::below(h.0, 0.0))
        .take(5)
        .map(|h| h.1.clone())
        .collect();
    let mut strengths = strengths;
    if self_assessment && !has_population {
        // Without a population (SPEC §13): the highest and the lowest dimension scores.
        let mut scored: Vec<(f64, usize)> =
            (0..d).filter_map(|m| mean(m).map(|v| (v, m))).collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let highlight = |&(v, m): &(f64, usize)| Highlight {
            kind: "Dimension".into(),
            title: titles[m].clone(),
            value: one(v),
            median: String::new(),
            difference: String::new(),
        };
        let half = scored.len().div_ceil(2).min(3);
        strengths = scored.iter().take(half).map(highlight).collect();
        weaknesses = scored
            .iter()
            .rev()
            .take(scored.len().saturating_sub(half).min(3))
            .map(highlight)
            .collect();
    }

    // Recommendations: ordered by distance below the population median × dimension weight.
    let mut recs: Vec<((u8, f64), usize, RecommendationView)> = Vec::new();
    for (m, dim) in instrument.dimensions.iter().enumerate() {
        let Some(v) = mean(m) else { continue };
        let Some(rec) = instrument.recommendation(m, v) else {
            continue;
        };
        let median = quart(m).map(|q| q.median);
        // Distance below the population median × weight (SPEC §9); without a population (a
        // self-assessment), distance below the recommendation's own threshold × weight, after
        // every dimension that has a median.
        let priority = match median {
            // A self-assessment ranks by the room left to 100 (SPEC §12), with or without norms.
            _ if self_assessment => (0, (100.0 - v) * dim.weight),
            Some(med) => (1, (med - v) * dim.weight),
            None => (0, (rec.below - v) * dim.weight),
        };
        recs.push((
            priority,
            m,
            RecommendationView {
                dimension: dim.title.clone(),
                score: one(v),
                median: one_opt(median),
                text: rec.text.clone(),
            },
        ));
    }
    recs.sort_by(|a, b| {
        (b.0 .0.cmp(&a.0 .0))
            .then(b.0 .1.total_cmp(&a.0 .1))
            .then(a.1.cmp(&b.1))
    });

    let unanswered = if self_assessment {
        "not answered"
    } else {
        &hidden
    };
    let item_sections = item_sections(analysis, figures, item_medians, id_prefix, unanswered);

    OrgPage {
        meta: meta(analysis),
        name,
        wave: ow_wave(analysis, latest),
        waves: org_waves.iter().map(|&i| ow_wave(analysis, i)).collect(),
        respondents,
        total: ow.rows.len(),
        level,
        respondent_levels,
        radar_svg,
        dimensions,
        bands_svg,
        gaps,
        gap_alert: crate::output::num(instrument.gap_alert),
        trend,
        strengths,
        weaknesses,
        recommendations: recs.into_iter().map(|r| r.2).collect(),
        item_sections,
        levels: level_defs(analysis),
        roles: instrument.roles.iter().map(|r| r.label.clone()).collect(),
        self_assessment,
        has_population,
    }
}

pub fn level_defs(analysis: &Analysis) -> Vec<LevelDef> {
    analysis
        .instrument
        .levels
        .iter()
        .map(|l| LevelDef {
            label: l.label.clone(),
            min: one(l.min),
            gate: l.min_each_dimension.map_or_else(String::new, one),
        })
        .collect()
}

fn one_or_hidden(x: Option<f64>, hidden: &str) -> String {
    x.map_or_else(|| hidden.to_string(), one)
}

fn ow_wave(analysis: &Analysis, i: usize) -> String {
    analysis.wave(i).to_string()
}

fn trend_view(analysis: &Analysis, org_waves: &[usize], name: &str, id_prefix: &str) -> TrendView {
    let instrument = analysis.instrument;
    let d = instrument.dimensions.len();
    let waves: Vec<String> = org_waves.iter().map(|&i| ow_wave(analysis, i)).collect();
    let label = |m: usize| instrument.measure_title(m).to_string();
    // Index first, then dimensions.
    let order: Vec<usize> = std::iter::once(d).chain(0..d).collect();
    let own_changes = analysis.changes_from(org_waves[0]..org_waves[org_waves.len() - 1] + 1);
    let meaningful_into = |m: usize, to: usize| {
        own_changes
            .iter()
            .any(|c| c.to == to && c.measure == m && c.shift.meaningful)
    };
    let series: Vec<charts::trend::TrendSeries> = order
        .iter()
        .map(|&m| charts::trend::TrendSeries {
            name: label(m),
            values: org_waves
                .iter()
                .map(|&i| analysis.shown_mean(i, Group::All, m))
                .collect(),
            meaningful: org_waves.iter().map(|&i| meaningful_into(m, i)).collect(),
        })
        .collect();
    let svg = charts::trend::render(&charts::trend::TrendChart {
        id: format!("{id_prefix}trend"),
        title: format!("{name} across waves (index and dimensions, 0–100)"),
        waves: waves.clone(),
        series,
    });
    let hidden = suppressed_text(instrument.anonymity_threshold);
    let rows = order
        .iter()
        .map(|&m| TrendRow {
            measure: label(m),
            values: org_waves
                .iter()
                .map(|&i| one_or_hidden(analysis.shown_mean(i, Group::All, m), &hidden))
                .collect(),
        })
        .collect();
    let changes = own_changes
        .iter()
        .filter(|c| org_waves.contains(&c.to))
        .map(|c| {
            let s = &c.shift;
            ChangeRow {
                measure: label(c.measure),
                from: ow_wave(analysis, c.from),
                to: ow_wave(analysis, c.to),
                from_mean: one(s.from_mean),
                to_mean: one(s.to_mean),
                difference: signed(s.difference),
                t: s.welch
                    .as_ref()
                    .map_or_else(String::new, |w| format!("{:.2}", w.t)),
                df: s.welch.as_ref().map_or_else(String::new, |w| one(w.df)),
                p: s.welch.as_ref().map_or_else(String::new, |w| p_value(w.p)),
                g: s.hedges_g.map_or_else(String::new, |g| format!("{g:.2}")),
                meaningful: s.meaningful,
            }
        })
        .collect();
    TrendView {
        svg,
        waves,
        rows,
        changes,
    }
}

fn item_sections(
    analysis: &Analysis,
    figures: &[Option<ItemFigures>],
    item_medians: &[Option<f64>],
    id_prefix: &str,
    hidden: &str,
) -> Vec<ItemSection> {
    let instrument = analysis.instrument;
    instrument
        .dimensions
        .iter()
        .enumerate()
        .map(|(m, dim)| {
            let mut chart_rows: Vec<charts::diverging::DivergingRow> = Vec::new();
            let mut categories: Option<Vec<String>> = None;
            let rows = dim
                .items
                .clone()
                .map(|i| {
                    let item = &instrument.items[i];
                    let f = figures[i].as_ref();
                    let distribution = match (&item.kind, f) {
                        (_, None) => String::new(),
                        (ItemKind::Scale { labels, .. }, Some(f)) => {
                            // One diverging chart per dimension, for the items on its first scale.
                            if categories.is_none() {
                                categories = Some(labels.clone());
                            }
                            if categories.as_ref() == Some(labels) {
                                chart_rows.push(charts::diverging::DivergingRow {
                                    // Answers are shown as given; agreeing with a reverse-keyed
                                    // item is the weaker answer, so say so in the label.
                                    label: if item.reverse {
                                        format!("(R) {}", item.text)
                                    } else {
                                        item.text.clone()
                                    },
                                    counts: f.counts.clone(),
                                });
                            }
                            share_list(labels, &f.counts)
                        }
                        (ItemKind::Boolean, Some(f)) => {
                            share_list(&["No".to_string(), "Yes".to_string()], &f.counts)
                        }
                        (ItemKind::Choice { options }, Some(f)) => share_list(
                            &options.iter().map(|o| o.label.clone()).collect::<Vec<_>>(),
                            &f.counts,
                        ),
                        _ => String::new(),
                    };
                    ItemRow {
                        text: item.text.clone(),
                        reverse: item.reverse,
                        n: f.map_or_else(|| hidden.to_string(), |f| f.n.to_string()),
                        mean: f
                            .and_then(|f| f.mean)
                            .map_or_else(|| hidden.to_string(), one),
                        median: one_opt(item_medians[i]),
                        distribution,
                    }
                })
                .collect();
            let svg = match categories {
                Some(categories) if !chart_rows.is_empty() => {
                    charts::diverging::render(&charts::diverging::DivergingChart {
                        id: format!("{id_prefix}items{m}"),
                        title: format!(
                            "Answers to the items of {} ((R): reverse-keyed, agreeing is the weaker answer)",
                            dim.title
                        ),
                        categories,
                        rows: chart_rows,
                    })
                }
                _ => String::new(),
            };
            ItemSection {
                dimension: dim.title.clone(),
                svg,
                rows,
            }
        })
        .collect()
}

fn share_list(labels: &[String], counts: &[u64]) -> String {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return String::new();
    }
    labels
        .iter()
        .zip(counts)
        .map(|(l, &c)| format!("{l} {:.0}%", 100.0 * c as f64 / total as f64))
        .collect::<Vec<_>>()
        .join(" · ")
}

// ----------------------------------------------------------------------------------------------
// Portfolio

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
    pub rows_read: usize,
    pub rows_scored: usize,
    pub rows_rejected: usize,
    /// `report --self-assessment`: the frame says the threshold is 1 for this run.
    pub self_assessment: bool,
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
    pub percentile: String,
    pub population: String,
    pub dimensions: Vec<String>,
}

#[derive(Serialize)]
pub struct HiddenOrg {
    pub name: String,
    pub wave: String,
}

pub fn portfolio(
    analysis: &Analysis,
    latest: &[(usize, String)],
    hidden_org_waves: &[usize],
) -> Portfolio {
    let instrument = analysis.instrument;
    let d = instrument.dimensions.len();
    let hidden_text = suppressed_text(instrument.anonymity_threshold);
    let mut counts = vec![0usize; instrument.levels.len()];
    let rows: Vec<PortfolioRow> = latest
        .iter()
        .map(|(i, slug)| {
            let i = *i;
            let summary = analysis.summary(i).expect("reportable");
            if let Some(l) = summary.level {
                counts[l] += 1;
            }
            let standing = analysis.standing(i, Group::All, d);
            PortfolioRow {
                name: analysis.orgs.display_name(analysis.org_id(i)).to_string(),
                slug: slug.clone(),
                wave: ow_wave(analysis, i),
                n: analysis.org_waves[i].rows.len(),
                level: summary.level.map_or_else(
                    || hidden_text.clone(),
                    |l| instrument.levels[l].label.clone(),
                ),
                level_rank: summary.level.map_or(0, |l| l + 1),
                index: summary.index.map_or_else(|| hidden_text.clone(), one),
                index_sort: summary
                    .index
                    .map_or_else(|| "-1".into(), |x| format!("{x:.6}")),
                percentile: standing
                    .and_then(|s| s.percentile)
                    .map_or_else(String::new, |p| format!("{p:.0}")),
                population: standing.map_or_else(String::new, |s| s.population.to_string()),
                dimensions: (0..d)
                    .map(|m| one_or_hidden(analysis.shown_mean(i, Group::All, m), &hidden_text))
                    .collect(),
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
        title: "Dimension scores by organization (latest wave, 0–100)".into(),
        row_labels: latest
            .iter()
            .map(|(i, _)| analysis.orgs.display_name(analysis.org_id(*i)).to_string())
            .collect(),
        col_labels: instrument
            .dimensions
            .iter()
            .map(|x| x.title.clone())
            .collect(),
        cells: latest
            .iter()
            .map(|(i, _)| {
                (0..d)
                    .map(|m| analysis.shown_mean(*i, Group::All, m))
                    .collect()
            })
            .collect(),
        scale: charts::heatmap::HeatScale::Percent,
        decimals: 0,
    });
    Portfolio {
        meta: meta(analysis),
        rows,
        hidden: hidden_org_waves
            .iter()
            .map(|&i| HiddenOrg {
                name: analysis.orgs.display_name(analysis.org_id(i)).to_string(),
                wave: ow_wave(analysis, i),
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
        rows_read: analysis.data.rows_read,
        rows_scored: analysis.data.rows_scored(),
        rows_rejected: analysis.data.rejects.len(),
        self_assessment: false,
    }
}
