//! `stats.html`: the research page, with its charts and the plain-words readings of the
//! aggregation statistics.

use super::*;
use crate::output::number::{self, percent};
use crate::results::Measure;

#[derive(Serialize)]
struct StatsPage {
    meta: view::Meta,
    respondents: usize,
    /// The suppression phrase, for the page's explanations.
    too_few: String,
    /// When a change counts as meaningful (SPEC §5), in words.
    meaningful_rule: String,
    reliability_svg: String,
    correlation_svg: String,
    agreement_svg: String,
    aggregation: AggregationView,
    descriptives: Vec<Line>,
    descriptive_readings: Vec<String>,
    reliability: Vec<Line>,
    items: Vec<Line>,
    warnings: Vec<String>,
    correlations: Vec<Line>,
    /// How many correlations were tested and how many hold after Holm's correction.
    correlation_family: String,
    drivers: Vec<Line>,
    driver_readings: Vec<String>,
    changes: Vec<Line>,
    org_changes: Vec<Line>,
    org_change_family: String,
    paired: Vec<Line>,
    paired_reading: String,
    org_change_summary: Vec<Line>,
    level_names: Vec<String>,
    wave_levels: Vec<Line>,
    quality: Vec<Line>,
}

/// One table row on the page: identifying cells, then the figures, or the suppression phrase
/// in their place.
#[derive(Serialize)]
struct Line {
    key: Vec<String>,
    figures: Vec<String>,
    /// The phrase shown instead of the figures of a suppressed row (empty otherwise).
    hidden: String,
    warning: String,
}

impl Line {
    fn new<T>(
        key: Vec<String>,
        gated: &Gated<T>,
        hidden: &str,
        figures: impl Fn(&T) -> Vec<String>,
    ) -> Line {
        match gated {
            Gated::Shown(f) => Line {
                key,
                figures: figures(f),
                hidden: String::new(),
                warning: String::new(),
            },
            Gated::Suppressed => Line {
                key,
                figures: Vec::new(),
                hidden: hidden.to_string(),
                warning: String::new(),
            },
        }
    }

    fn plain(key: Vec<String>, figures: Vec<String>) -> Line {
        Line {
            key,
            figures,
            hidden: String::new(),
            warning: String::new(),
        }
    }

    fn warn(mut self, warning: &str) -> Line {
        self.warning = warning.to_string();
        self
    }
}

#[derive(Serialize)]
struct AggregationView {
    /// Pooled rows first, then each wave: ICCs, agreement share and medians.
    table: Vec<Line>,
    /// Plain-words reading of the pooled rows, one per measure.
    readings: Vec<Reading>,
    /// Agreement rows with a warning (low agreement, suppressed), for the list on the page.
    flagged: Vec<Line>,
    flagged_total: usize,
}

/// Two decimals (alpha, r, ICCs), empty when missing.
fn f2(x: Option<f64>) -> String {
    number::fixed(x, 2)
}

/// A p-value as the page prints it.
fn f3(x: Option<f64>) -> String {
    number::p_value(x)
}

/// `0.12–0.34`, or empty.
fn interval(low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (Some(lo), Some(hi)) => format!("{} to {}", f2(Some(lo)), f2(Some(hi))),
        _ => String::new(),
    }
}

/// Below this Holm-adjusted p, a test is flagged on the page.
const SIGNIFICANT: f64 = 0.05;

/// "N tests; M with Holm-adjusted p < 0.05 (K before the correction)".
fn family_words(ps: &[(f64, f64)], what: &str) -> String {
    if ps.is_empty() {
        return String::new();
    }
    let holm = ps.iter().filter(|(_, h)| *h < SIGNIFICANT).count();
    let raw = ps.iter().filter(|(p, _)| *p < SIGNIFICANT).count();
    format!(
        "{} {what} were tested together: {holm} have a Holm-adjusted p below {SIGNIFICANT} ({raw} before the correction for the number of tests). The flag ✱ marks them; q is Benjamini–Hochberg's false-discovery rate.",
        ps.len()
    )
}

/// A plain-words reading of a pooled descriptive row: centre, spread and shape.
fn describe_words(instrument: &Instrument, d: &Descriptive) -> Option<String> {
    let f = d.figures.shown()?;
    let shape = match (f.skew, f.kurtosis) {
        (Some(s), _) if s <= -1.0 => format!("skewed: most scores are high, with a tail of low ones (skew {})", number::decimals(s, 2)),
        (Some(s), _) if s >= 1.0 => format!("skewed: most scores are low, with a tail of high ones (skew {})", number::decimals(s, 2)),
        (Some(s), Some(k)) if k.abs() >= 2.0 => format!(
            "roughly symmetric (skew {}) but {} tailed than a normal distribution (excess kurtosis {})",
            number::decimals(s, 2),
            if k > 0.0 { "heavier" } else { "lighter" },
            number::decimals(k, 2)
        ),
        (Some(s), Some(k)) => format!(
            "close enough to normal for t-tests and correlations (skew {}, excess kurtosis {})",
            number::decimals(s, 2),
            number::decimals(k, 2)
        ),
        _ => "every respondent has the same score".to_string(),
    };
    Some(format!(
        "{}: mean {} (sd {}) over {} respondents, from {} to {}; {shape}.",
        title_of(instrument, &d.measure),
        view::one(f.mean),
        view::one_opt(f.sd),
        f.n,
        view::one(f.min),
        view::one(f.max)
    ))
}

/// A dimension's title, `Index` for the index, an outcome's text; the id itself otherwise.
fn title_of<'a>(instrument: &'a Instrument, id: &'a str) -> &'a str {
    if id == "index" {
        return "Index";
    }
    if let Some(d) = instrument.dimensions.iter().find(|d| d.id == id) {
        return &d.title;
    }
    instrument
        .outcome_items()
        .iter()
        .find(|o| o.id == id)
        .map_or(id, |o| o.text.as_str())
}

/// The conventional reading of ICC(1) as an effect size: LeBreton & Senter (2008) call .01 a
/// small, .10 a medium and .25 a large effect of the organization.
fn icc1_size(icc1: f64) -> &'static str {
    if icc1 >= 0.25 {
        "a large organization effect"
    } else if icc1 >= 0.10 {
        "a medium organization effect"
    } else if icc1 >= 0.01 {
        "a small organization effect"
    } else {
        "a negligible organization effect"
    }
}

/// Two decimals, or three where two would round a value next to a cut-off onto it (0.698
/// read against 0.70).
fn near(v: f64, cutoff: f64) -> String {
    if (v - cutoff).abs() < 0.005 && v != cutoff {
        number::decimals(v, 3)
    } else {
        number::decimals(v, 2)
    }
}

/// What the pooled aggregation statistics of one measure say, in plain words: one phrase per
/// statistic, empty where the statistic is.
#[derive(Serialize)]
struct Reading {
    measure: String,
    between: String,
    means: String,
    agreement: String,
    /// `agreement` says why there is no agreement figure.
    agreement_missing: bool,
    deviation: String,
    /// Why the phrases are empty, when all are.
    note: String,
}

/// The F test of ICC(1) in words: whether organizations differ more than chance would make
/// them, with F, its degrees of freedom and p.
fn f_test(row: &AggregationRow) -> String {
    let (Some(f), Some(df1), Some(df2), Some(p)) = (row.f, row.df1, row.df2, row.p) else {
        return String::new();
    };
    let test = format!(
        "F({}, {}) = {}, p {}",
        df1,
        df2,
        number::decimals(f, 2),
        p_words(p)
    );
    if p < 0.05 {
        format!("; organizations differ more than chance would make them ({test})")
    } else {
        format!("; no evidence that organizations differ more than chance would make them ({test})")
    }
}

/// `< 0.001`, or `= 0.042`.
fn p_words(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("= {}", number::decimals(p, 3))
    }
}

fn reading(instrument: &Instrument, row: &AggregationRow) -> Reading {
    let interval = match (row.icc1_ci_low, row.icc1_ci_high) {
        (Some(lo), Some(hi)) => format!(
            ", 95% CI {} to {}",
            number::decimals(lo, 2),
            number::decimals(hi, 2)
        ),
        _ => String::new(),
    };
    let between = match row.icc1 {
        Some(v) if v <= 0.0 => format!(
            "no part of the variance lies between organizations (ICC(1) {}{interval}): respondents differ as much within organizations as between them{}",
            number::decimals(v, 2),
            f_test(row)
        ),
        Some(v) => format!(
            "{} of the variance lies between organizations (ICC(1) {}{interval}, {}){}",
            number::share(v),
            number::decimals(v, 2),
            icc1_size(v),
            f_test(row)
        ),
        None => String::new(),
    };
    let means = match row.icc2 {
        Some(v) if v < 0.0 => format!(
            "no detectable difference between organizations (ICC(2) {} is below 0: organization means vary less than their respondents would make them by chance, so they have no reliability to report)",
            number::decimals(v, 2)
        ),
        Some(v) if v >= 0.70 => format!(
            "organization means are reliable (ICC(2) {} ≥ 0.70)",
            near(v, 0.70)
        ),
        Some(v) if v >= 0.50 => format!(
            "organization means are only moderately reliable (ICC(2) {}, below 0.70): rank organizations with care",
            near(v, 0.70)
        ),
        Some(v) => format!(
            "organization means are not reliable (ICC(2) {}, below 0.50): other respondents could rank the organizations differently",
            near(v, 0.50)
        ),
        None => String::new(),
    };
    let shared = match row.m {
        Measure::Dimension(k) => Some(aggregation::shared_options(instrument, k)),
        Measure::Index => None,
    };
    let agreement = match (row.rwg_j_share_agreeing, &shared) {
        (Some(share), _) => {
            let only = if share < 0.5 { " only" } else { "" };
            format!(
                "respondents agree enough to aggregate{only} in {} of organizations (rwg(j) ≥ {RWG_AGREEMENT:.2})",
                number::share(share)
            )
        }
        (None, None) => "computed per dimension, not for the index".into(),
        (None, Some(Err(_))) => {
            "not computed: the items are not all scale items with the same answer options".into()
        }
        (None, Some(Ok(_))) => "no organization to show".into(),
    };
    let agreement_missing = row.rwg_j_share_agreeing.is_none();
    let options = shared.and_then(|s| s.ok());
    let deviation = match (row.ad_m_median, options) {
        (Some(ad), Some(options)) => {
            let limit = options as f64 / 6.0;
            let verdict = if ad <= limit { "within" } else { "above" };
            format!(
                "the median AD_M of {} is {verdict} the A/6 = {} limit for {options} answer options",
                near(ad, limit),
                number::decimals(limit, 2)
            )
        }
        _ => String::new(),
    };
    let note = if between.is_empty() && means.is_empty() && agreement_missing {
        row.warning.clone()
    } else {
        String::new()
    };
    Reading {
        measure: row.m.title(instrument).to_string(),
        between,
        means,
        agreement,
        agreement_missing,
        deviation,
        note,
    }
}

fn aggregation_view(
    instrument: &Instrument,
    analysis: &Analysis,
    json: &StatsJson,
) -> AggregationView {
    const FLAGGED_SHOWN: usize = 200;
    let table = json
        .aggregation
        .iter()
        .map(|a| {
            Line::plain(
                vec![a.m.title(instrument).to_string(), a.wave.clone()],
                vec![
                    a.organizations.to_string(),
                    a.respondents.to_string(),
                    f2(a.icc1),
                    interval(a.icc1_ci_low, a.icc1_ci_high),
                    a.f.map_or_else(String::new, |f| number::decimals(f, 2)),
                    f3(a.p),
                    f3(a.p_holm),
                    f2(a.icc2),
                    percent(a.rwg_j_share_agreeing),
                    f2(a.rwg_j_median),
                    f2(a.ad_m_median),
                ],
            )
            .warn(&a.warning)
        })
        .collect();
    let readings = json
        .aggregation
        .iter()
        .filter(|a| a.wave == "all")
        .map(|a| reading(instrument, a))
        .collect();
    let hidden = too_few(instrument.anonymity_threshold);
    let flagged_rows: Vec<&AgreementRow> = json
        .agreement
        .iter()
        .filter(|a| !a.warning.is_empty() && aggregation::shared_options(instrument, a.d).is_ok())
        .collect();
    let flagged = flagged_rows
        .iter()
        .take(FLAGGED_SHOWN)
        .map(|a| {
            Line::new(
                vec![
                    analysis.orgs.display_name(&a.org).to_string(),
                    a.wave.clone(),
                    instrument.dimensions[a.d].title.clone(),
                ],
                &a.figures,
                &hidden,
                |f| vec![f.n.to_string(), f2(f.rwg_j), f2(f.ad_m)],
            )
            .warn(if a.figures.shown().is_some() {
                &a.warning
            } else {
                ""
            })
        })
        .collect();
    AggregationView {
        table,
        readings,
        flagged,
        flagged_total: flagged_rows.len(),
    }
}

pub(super) fn write_html(
    analysis: &Analysis,
    json: &StatsJson,
    corr: &[Vec<Option<f64>>],
    out: &Path,
) -> Result<()> {
    let instrument = analysis.instrument;
    let hidden = too_few(instrument.anonymity_threshold);
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
        texts: None,
    });
    let reliability_svg = unit_bars(&UnitBars {
        id: "alpha".into(),
        title: "Cronbach's alpha per dimension (all waves pooled), with its 95% confidence interval; dashed line at 0.70".into(),
        bars: json
            .reliability
            .iter()
            .filter(|r| r.wave == "all")
            .map(|r| UnitBar {
                label: title_of(instrument, &r.dimension).to_string(),
                value: r.figures.shown().and_then(|a| a.alpha),
                interval: r
                    .figures
                    .shown()
                    .and_then(|a| a.alpha_ci_low.zip(a.alpha_ci_high)),
                missing: match r.figures {
                    Gated::Suppressed => hidden.clone(),
                    Gated::Shown(_) => "not computed".into(),
                },
            })
            .collect(),
        reference: Some((ALPHA_WARNING, "0.70".into())),
        percent: false,
    });
    let agreement_svg = unit_bars(&UnitBars {
        id: "agreement".into(),
        title: format!(
            "Share of organizations whose respondents agree (rwg(j) ≥ {RWG_AGREEMENT:.2}), all waves pooled"
        ),
        bars: json
            .aggregation
            .iter()
            .filter(|a| a.wave == "all")
            .filter_map(|a| match a.m {
                Measure::Dimension(k) => Some((a, k)),
                Measure::Index => None,
            })
            .map(|(a, k)| UnitBar {
                label: a.m.title(instrument).to_string(),
                value: a.rwg_j_share_agreeing,
                interval: None,
                missing: if aggregation::shared_options(instrument, k).is_err() {
                    "not computed: the items are not all scale items with the same options".into()
                } else {
                    "no organization to show".into()
                },
            })
            .collect(),
        reference: None,
        percent: true,
    });
    let reliability = json
        .reliability
        .iter()
        .map(|r| {
            Line::new(
                vec![
                    title_of(instrument, &r.dimension).to_string(),
                    r.wave.clone(),
                    r.k.to_string(),
                ],
                &r.figures,
                &hidden,
                |a| {
                    vec![
                        a.n.to_string(),
                        f2(a.alpha),
                        match (a.alpha_ci_low, a.alpha_ci_high) {
                            (Some(lo), Some(hi)) => {
                                format!("{}–{}", number::decimals(lo, 2), number::decimals(hi, 2))
                            }
                            _ => String::new(),
                        },
                    ]
                },
            )
            .warn(if r.figures.shown().is_some() {
                &r.warning
            } else {
                ""
            })
        })
        .collect();
    let items = json
        .items
        .iter()
        .map(|i| {
            let dimension = if i.dimension == "outcome" {
                "Outcome"
            } else {
                title_of(instrument, &i.dimension)
            };
            Line::new(
                vec![
                    dimension.to_string(),
                    i.item.clone(),
                    if i.reversed { "yes" } else { "" }.to_string(),
                ],
                &i.figures,
                &hidden,
                |f| {
                    vec![
                        f.n.to_string(),
                        view::one_opt(f.mean),
                        view::one_opt(f.sd),
                        format!("{}%", number::decimals(100.0 * f.share_missing, 1)),
                        format!("{}%", number::decimals(100.0 * f.share_na, 1)),
                        f2(f.item_total_r),
                        f2(f.alpha_if_dropped),
                        f2(f.pc1_loading),
                    ]
                },
            )
        })
        .collect();
    let warnings = json
        .reliability
        .iter()
        .filter(|r| r.figures.shown().is_some() && !r.warning.is_empty())
        .map(|r| {
            format!(
                "{} ({}): {}",
                title_of(instrument, &r.dimension),
                r.wave,
                r.warning
            )
        })
        .chain(
            json.items
                .iter()
                .filter(|i| i.figures.shown().is_some() && !i.warning.is_empty())
                .map(|i| i.warning.clone()),
        )
        .collect();
    let correlations = json
        .correlations
        .iter()
        .map(|c| {
            Line::new(
                vec![
                    title_of(instrument, &c.first).to_string(),
                    title_of(instrument, &c.second).to_string(),
                    match c.level {
                        "organization" => "organization means".to_string(),
                        _ => "respondents".to_string(),
                    },
                ],
                &c.figures,
                &hidden,
                |f| {
                    vec![
                        f.n.to_string(),
                        f2(f.r),
                        interval(f.ci_low, f.ci_high),
                        f3(f.p),
                        format!(
                            "{}{}",
                            f3(f.p_holm),
                            if f.p_holm.is_some_and(|p| p < SIGNIFICANT) {
                                " ✱"
                            } else {
                                ""
                            }
                        ),
                        f3(f.q_bh),
                    ]
                },
            )
            .warn(if c.figures.shown().is_some() {
                &c.warning
            } else {
                ""
            })
        })
        .collect();
    let change_line = |w: &WaveChange, key: Vec<String>| {
        Line::new(key, &w.figures, &hidden, |c| {
            let s = &c.shift;
            vec![
                format!("{} / {}", c.from_n, c.to_n),
                view::one(s.from_mean),
                view::one(s.to_mean),
                view::signed(s.difference),
                f2(s.t),
                view::one_opt(s.df),
                f3(s.p),
                format!(
                    "{}{}",
                    f3(c.p_holm),
                    if c.p_holm.is_some_and(|p| p < SIGNIFICANT) {
                        " ✱"
                    } else {
                        ""
                    }
                ),
                f2(s.hedges_g),
                if s.meaningful {
                    "yes".into()
                } else {
                    "no".into()
                },
            ]
        })
    };
    let changes = json
        .wave_changes
        .iter()
        .filter(|c| c.scope == "all")
        .map(|w| {
            change_line(
                w,
                vec![
                    title_of(instrument, &w.measure).to_string(),
                    format!("{} → {}", w.from_wave, w.to_wave),
                ],
            )
        })
        .collect();
    let org_changes: Vec<&WaveChange> = json
        .wave_changes
        .iter()
        .filter(|c| c.scope != "all")
        .collect();
    let org_change_summary = org_change_summary(instrument, &org_changes);
    let org_changes = org_changes
        .iter()
        .map(|w| {
            change_line(
                w,
                vec![
                    analysis.orgs.display_name(&w.scope).to_string(),
                    title_of(instrument, &w.measure).to_string(),
                    format!("{} → {}", w.from_wave, w.to_wave),
                ],
            )
        })
        .collect();
    let level_names = instrument.levels.iter().map(|l| l.label.clone()).collect();
    let wave_levels = json
        .wave_levels
        .iter()
        .map(|w| {
            let mut figures = vec![w.organizations.to_string()];
            figures.extend(w.levels.iter().map(|l| l.1.to_string()));
            Line::plain(vec![w.wave.clone()], figures)
        })
        .collect();
    let quality = json
        .quality
        .iter()
        .map(|q| {
            Line::plain(
                vec![
                    analysis.orgs.display_name(&q.org).to_string(),
                    q.wave.clone(),
                ],
                vec![
                    q.respondents.to_string(),
                    q.straight_lining.to_string(),
                    q.too_few_answered.to_string(),
                ],
            )
        })
        .collect();
    let descriptives = json
        .descriptives
        .iter()
        .map(|d| {
            Line::new(
                vec![title_of(instrument, &d.measure).to_string(), d.wave.clone()],
                &d.figures,
                &hidden,
                |f| {
                    vec![
                        f.n.to_string(),
                        view::one(f.mean),
                        view::one_opt(f.sd),
                        view::one(f.min),
                        view::one(f.max),
                        f2(f.skew),
                        f2(f.kurtosis),
                    ]
                },
            )
            .warn(if d.figures.shown().is_some() {
                &d.warning
            } else {
                ""
            })
        })
        .collect();
    let descriptive_readings = json
        .descriptives
        .iter()
        .filter(|d| d.wave == "all")
        .filter_map(|d| describe_words(instrument, d))
        .collect();
    let correlation_family = family_words(
        &json
            .correlations
            .iter()
            .filter_map(|c| c.figures.shown())
            .filter_map(|f| f.p.zip(f.p_holm))
            .collect::<Vec<_>>(),
        "correlations",
    );
    let drivers = json
        .drivers
        .iter()
        .map(|d| {
            Line::new(
                vec![
                    title_of(instrument, &d.outcome).to_string(),
                    title_of(instrument, &d.dimension).to_string(),
                ],
                &d.figures,
                &hidden,
                |f| {
                    vec![
                        number::fixed(f.weight, 3),
                        percent(f.share),
                        number::fixed(f.r2, 3),
                        f.n.to_string(),
                    ]
                },
            )
            .warn(if d.figures.shown().is_some() {
                &d.warning
            } else {
                ""
            })
        })
        .collect();
    let driver_readings = driver_words(instrument, &json.drivers);
    let org_change_family = family_words(
        &json
            .wave_changes
            .iter()
            .filter(|c| c.scope != "all")
            .filter_map(|c| c.figures.shown())
            .filter_map(|f| f.shift.p.zip(f.p_holm))
            .collect::<Vec<_>>(),
        "changes of organizations",
    );
    let paired = json
        .paired_changes
        .iter()
        .map(|c| {
            let line = Line::new(
                vec![
                    analysis.orgs.display_name(&c.org).to_string(),
                    title_of(instrument, &c.measure).to_string(),
                    format!("{} → {}", c.from_wave, c.to_wave),
                ],
                &c.figures,
                &c.warning,
                |f| {
                    vec![
                        f.n.to_string(),
                        view::signed(f.mean_difference),
                        format!("{}–{}", view::one(f.ci_low), view::one(f.ci_high)),
                        f2(Some(f.t)),
                        f3(Some(f.p)),
                        format!(
                            "{}{}",
                            f3(Some(f.p_holm)),
                            if f.p_holm < SIGNIFICANT { " ✱" } else { "" }
                        ),
                        f2(Some(f.d_z)),
                    ]
                },
            );
            line
        })
        .collect();
    let paired_reading = family_words(
        &json
            .paired_changes
            .iter()
            .filter_map(|c| c.figures.shown())
            .map(|f| (f.p, f.p_holm))
            .collect::<Vec<_>>(),
        "paired changes",
    );
    let (tera, _) = templates::load(None)?;
    let page = StatsPage {
        meta: view::meta(analysis),
        respondents: json.respondents,
        too_few: hidden.clone(),
        meaningful_rule: format!(
            "its Holm-adjusted p (over the changes tested together in its table) is below {} and the change is at least {} points",
            instrument.meaningful_change.p, instrument.meaningful_change.points
        ),
        reliability_svg,
        correlation_svg,
        agreement_svg,
        aggregation: aggregation_view(instrument, analysis, json),
        descriptives,
        descriptive_readings,
        reliability,
        items,
        warnings,
        correlations,
        correlation_family,
        drivers,
        driver_readings,
        changes,
        org_changes,
        org_change_family,
        paired,
        paired_reading,
        org_change_summary,
        level_names,
        wave_levels,
        quality,
    };
    let html = templates::render(&tera, "stats.html", &page)?;
    output::write_atomic(&out.join("stats.html"), html.as_bytes())
}

/// Per outcome, the dimension that explains most of it, in words.
fn driver_words(instrument: &Instrument, drivers: &[Driver]) -> Vec<String> {
    let mut out = Vec::new();
    for outcome in instrument.outcome_items() {
        let rows: Vec<(&Driver, &DriverFigures)> = drivers
            .iter()
            .filter(|d| d.outcome == outcome.id)
            .filter_map(|d| Some((d, d.figures.shown()?)))
            .filter(|(_, f)| f.weight.is_some())
            .collect();
        let Some((top, f)) = rows.iter().max_by(|a, b| {
            a.1.weight
                .unwrap_or(0.0)
                .total_cmp(&b.1.weight.unwrap_or(0.0))
        }) else {
            continue;
        };
        out.push(format!(
            "{}: the dimensions together explain {} of its variance (R² {}, {} respondents); {} carries the largest share of that, {} (general dominance weight {}).",
            outcome.text,
            percent(f.r2),
            number::fixed(f.r2, 3),
            f.n,
            title_of(instrument, &top.dimension),
            percent(f.share),
            number::fixed(f.weight, 3)
        ));
    }
    out
}

/// Per measure and pair of waves: how many organizations were compared, how many rose or fell
/// meaningfully (SPEC §5), and the median change.
fn org_change_summary(instrument: &Instrument, changes: &[&WaveChange]) -> Vec<Line> {
    let mut groups: std::collections::BTreeMap<(Measure, &str, &str), Vec<&ChangeFigures>> =
        Default::default();
    for c in changes {
        if let Some(f) = c.figures.shown() {
            groups
                .entry((c.m, &c.from_wave, &c.to_wave))
                .or_default()
                .push(f);
        }
    }
    groups
        .into_iter()
        .map(|((m, from, to), figures)| {
            let mut differences: Vec<f64> = figures.iter().map(|f| f.shift.difference).collect();
            differences.sort_by(f64::total_cmp);
            let rose = figures
                .iter()
                .filter(|f| f.shift.meaningful && f.shift.difference > 0.0)
                .count();
            let fell = figures
                .iter()
                .filter(|f| f.shift.meaningful && f.shift.difference < 0.0)
                .count();
            Line::plain(
                vec![m.title(instrument).to_string(), format!("{from} → {to}")],
                vec![
                    figures.len().to_string(),
                    rose.to_string(),
                    fell.to_string(),
                    view::one_opt(stats::quantile_type7(&differences, 0.5)),
                ],
            )
        })
        .collect()
}

/// A horizontal bar chart of values on a fixed 0–1 scale (alpha, shares), with optional
/// intervals and a dashed reference line. A missing value is written out, never drawn as 0.
struct UnitBars {
    id: String,
    title: String,
    bars: Vec<UnitBar>,
    reference: Option<(f64, String)>,
    /// Values are shares, labelled as percentages.
    percent: bool,
}

struct UnitBar {
    label: String,
    value: Option<f64>,
    interval: Option<(f64, f64)>,
    /// What to write where the value is missing.
    missing: String,
}

/// Each row: the label on its own line (so titles need no shortening and the chart stays
/// narrow enough for a phone), the bar below it.
fn unit_bars(chart: &UnitBars) -> String {
    const LEFT: i32 = 12;
    const RIGHT: i32 = 470;
    const ROW: i32 = 46;
    const TOP: i32 = 30;
    let x = |v: f64| LEFT + ((RIGHT - LEFT) as f64 * v.clamp(0.0, 1.0)).round() as i32;
    let bottom = TOP + ROW * (chart.bars.len() as i32).max(1);
    let height = (bottom + 24) as u32;
    charts::svg(&chart.id, &chart.title, 560, height, |c| {
        // Grid and reference lines run through the bars only, not through the labels above
        // them.
        let rows = chart.bars.len().max(1) as i32;
        let spans = |v: f64| -> Vec<Vec<(i32, i32)>> {
            (0..rows)
                .map(|i| vec![(x(v), TOP + ROW * i + 20), (x(v), TOP + ROW * i + 42)])
                .collect()
        };
        for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
            for span in spans(tick) {
                c.line(span, charts::GRID, 1);
            }
            let label = if chart.percent {
                number::share(tick)
            } else {
                number::decimals(tick, 2)
            };
            let anchor = if tick == 0.0 {
                HPos::Left
            } else {
                HPos::Center
            };
            c.text(
                &label,
                (x(tick), bottom + 12),
                13.0,
                charts::MUTED,
                anchor,
                VPos::Center,
            );
        }
        if chart.bars.is_empty() {
            c.text(
                "Nothing to show.",
                (LEFT, TOP + ROW / 2),
                14.0,
                charts::MUTED,
                HPos::Left,
                VPos::Center,
            );
        }
        for (i, bar) in chart.bars.iter().enumerate() {
            let top = TOP + ROW * i as i32;
            // The whole label, wrapped (never cut, SPEC §13).
            c.lines(
                &charts::wrap(&bar.label, 64),
                (LEFT, top + 11),
                14.0,
                charts::INK,
                HPos::Left,
            );
            let y = top + 31;
            let Some(value) = bar.value.filter(|v| v.is_finite()) else {
                c.text(
                    &bar.missing,
                    (LEFT + 4, y),
                    13.0,
                    charts::MUTED,
                    HPos::Left,
                    VPos::Center,
                );
                continue;
            };
            if x(value) > LEFT {
                c.rect((LEFT, y - 8), (x(value), y + 8), charts::BLUE.mix(0.85));
            }
            if let Some((lo, hi)) = bar.interval {
                c.line(vec![(x(lo), y), (x(hi), y)], charts::INK, 2);
                c.line(vec![(x(lo), y - 5), (x(lo), y + 5)], charts::INK, 2);
                c.line(vec![(x(hi), y - 5), (x(hi), y + 5)], charts::INK, 2);
            }
            let text = if chart.percent {
                number::share(value)
            } else {
                number::decimals(value, 2)
            };
            let end = bar.interval.map_or(value, |(_, hi)| hi.max(value));
            c.text(
                &text,
                (x(end) + 6, y),
                13.0,
                charts::INK,
                HPos::Left,
                VPos::Center,
            );
        }
        // Drawn last, so the line shows across the bars.
        if let Some((value, label)) = &chart.reference {
            for span in spans(*value) {
                c.dashed(span, charts::VERMILLION, 2, 4, 3);
            }
            c.text(
                label,
                (x(*value), TOP - 12),
                13.0,
                charts::VERMILLION,
                HPos::Center,
                VPos::Center,
            );
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregation::AggregationRow;

    fn pooled(m: Measure, icc1: f64, icc2: f64, share: Option<f64>) -> AggregationRow {
        AggregationRow {
            m,
            measure: String::new(),
            wave: "all".into(),
            organizations: 40,
            respondents: 800,
            icc1: Some(icc1),
            icc1_ci_low: None,
            icc1_ci_high: None,
            f: None,
            df1: None,
            df2: None,
            p: None,
            p_holm: None,
            q_bh: None,
            icc2: Some(icc2),
            rwg_j_median: None,
            ad_m_median: share.map(|_| 0.9),
            rwg_j_share_agreeing: share,
            warning: String::new(),
        }
    }

    #[test]
    fn a_negative_icc2_reads_as_no_difference_and_the_f_test_in_words() {
        let instrument = crate::instrument::load_bundled().unwrap();
        // univbct's readiness at one time point: MSB below MSW, ICC(2) −2.03.
        let mut row = pooled(Measure::Index, -0.012, -2.03, None);
        row.f = Some(0.33);
        row.df1 = Some(7.0);
        row.df2 = Some(480.0);
        row.p = Some(0.94);
        row.icc1_ci_low = Some(-0.02);
        row.icc1_ci_high = Some(0.01);
        let r = reading(&instrument, &row);
        assert_eq!(
            r.means,
            "no detectable difference between organizations (ICC(2) -2.03 is below 0: organization means vary less than their respondents would make them by chance, so they have no reliability to report)"
        );
        assert_eq!(
            r.between,
            "no part of the variance lies between organizations (ICC(1) -0.01, 95% CI -0.02 to 0.01): respondents differ as much within organizations as between them; no evidence that organizations differ more than chance would make them (F(7, 480) = 0.33, p = 0.940)"
        );
        row.icc1 = Some(0.08);
        row.icc2 = Some(0.9);
        row.p = Some(1e-80);
        row.f = Some(9.84);
        assert!(reading(&instrument, &row).between.ends_with(
            "a small organization effect); organizations differ more than chance would make them (F(7, 480) = 9.84, p < 0.001)"
        ));
    }

    #[test]
    fn aggregation_figures_read_in_plain_words() {
        let instrument = crate::instrument::load_bundled().unwrap();
        // The readings of Bliese (2000)'s well-being example: ICC(1) .04, ICC(2) .77.
        let r = reading(
            &instrument,
            &pooled(Measure::Dimension(0), 0.0434, 0.7717, Some(0.8)),
        );
        assert_eq!(r.measure, "Senior collaboration on business issues");
        assert_eq!(
            r.between,
            "4% of the variance lies between organizations (ICC(1) 0.04, a small organization effect)"
        );
        assert_eq!(
            r.means,
            "organization means are reliable (ICC(2) 0.77 ≥ 0.70)"
        );
        assert_eq!(
            r.agreement,
            "respondents agree enough to aggregate in 80% of organizations (rwg(j) ≥ 0.70)"
        );
        assert_eq!(
            r.deviation,
            "the median AD_M of 0.90 is above the A/6 = 0.83 limit for 5 answer options"
        );
        // Near a cut-off, a third decimal keeps 0.698 from reading as 0.70.
        let r = reading(
            &instrument,
            &pooled(Measure::Dimension(0), 0.30, 0.698, Some(0.25)),
        );
        assert_eq!(
            r.between,
            "30% of the variance lies between organizations (ICC(1) 0.30, a large organization effect)"
        );
        assert!(r.means.starts_with(
            "organization means are only moderately reliable (ICC(2) 0.698, below 0.70)"
        ));
        assert!(r
            .agreement
            .contains("aggregate only in 25% of organizations"));
        let r = reading(
            &instrument,
            &pooled(Measure::Dimension(0), -0.02, 0.3, None),
        );
        assert!(r
            .between
            .starts_with("no part of the variance lies between organizations"));
        assert!(r
            .means
            .starts_with("organization means are not reliable (ICC(2) 0.30"));
        assert_eq!(r.agreement, "no organization to show");
        // The index has no agreement of its own; `resources` has non-scale items.
        let r = reading(&instrument, &pooled(Measure::Index, 0.1, 0.9, None));
        assert_eq!(
            (r.measure.as_str(), r.agreement.as_str()),
            ("Index", "computed per dimension, not for the index")
        );
        let r = reading(&instrument, &pooled(Measure::Dimension(1), 0.1, 0.9, None));
        assert!(r
            .agreement
            .starts_with("not computed: the items are not all scale items"));
        assert_eq!(icc1_size(0.005), "a negligible organization effect");
        assert_eq!(icc1_size(0.10), "a medium organization effect");
        assert_eq!(icc1_size(0.25), "a large organization effect");
        assert_eq!(near(0.77, 0.70), "0.77");
        assert_eq!(near(0.70, 0.70), "0.70");
    }

    #[test]
    fn unit_bars_write_missing_values_and_the_reference_line() {
        let svg = unit_bars(&UnitBars {
            id: "t".into(),
            title: "alpha".into(),
            bars: vec![
                UnitBar {
                    label: "Shown".into(),
                    value: Some(0.8),
                    interval: Some((0.7, 0.9)),
                    missing: String::new(),
                },
                UnitBar {
                    label: "Hidden".into(),
                    value: None,
                    interval: None,
                    missing: "fewer than 5 respondents".into(),
                },
            ],
            reference: Some((0.7, "0.70".into())),
            percent: false,
        });
        let texts = charts::tests::texts(&svg);
        for want in [
            "Shown",
            "0.80",
            "Hidden",
            "fewer than 5 respondents",
            "0.70",
        ] {
            assert!(texts.iter().any(|t| t == want), "{want} in {texts:?}");
        }
        // The reference line: dashes in vermillion at x = 12 + 458·0.7 ≈ 333, on both rows.
        let dashes: Vec<&str> = svg
            .split("<polyline")
            .filter(|p| p.contains("stroke=\"#D55E00\"") && p.contains("points=\"333,"))
            .collect();
        assert!(dashes.len() >= 6, "{}", dashes.len());
    }
}
