//! The view models the templates render: plain, serialisable, numbers already formatted.
//!
//! Every figure reaches a page through this module, and only from shown groups (the
//! `Analysis` accessors return nothing for suppressed ones); where a group is suppressed the
//! model carries the phrase "fewer than T responses" instead of a number.
//!
//! An organization page is assembled here from one file per part of the page, in the order a
//! reader meets them: the one-page [`summary`], the dimension [`profile`], perception
//! [`gaps`], the [`trend`] across waves, the answers item by item ([`items`]) and the
//! [`methods`] appendix. The assessor's [`portfolio`] page has its own file.

mod breakdowns;
mod comments;
mod gaps;
mod items;
mod methods;
mod portfolio;
mod profile;
mod summary;
mod trend;

use serde::Serialize;

use super::items::ItemFigures;
use crate::aggregate::Group;
use crate::analysis::Analysis;
pub use crate::output::number::{decimals, one, one_opt, share, signed};
use crate::results::{Figure, Measure, Reported, Suppressed};

pub use breakdowns::{BelowTarget, BreakdownView, ParticipationView, PortfolioBreakdown};
pub use gaps::{GapMatrix, GapSection};
pub use items::{ItemRow, ItemSection};
pub use methods::{ChangeRow, Methods};
pub use portfolio::{data_links, portfolio, DataLink, Portfolio};
pub use profile::{DimensionRow, LevelView, RespondentLevels};
pub use summary::{Highlight, RecommendationView, Summary};
pub use trend::TrendView;

fn one_or_hidden(x: Option<f64>, hidden: &str) -> String {
    x.map_or_else(|| hidden.to_string(), one)
}

/// A percentile rank as a whole number, or empty.
fn percentile(p: Option<f64>) -> String {
    crate::output::number::whole(p)
}

#[derive(Serialize, Clone)]
pub struct Meta {
    pub instrument_id: String,
    pub instrument_title: String,
    pub instrument_version: String,
    pub partnerscope_version: String,
    pub threshold: usize,
    /// T of the roles (the instrument's, also in a self-assessment).
    pub part_threshold: usize,
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
        part_threshold: i.part_threshold,
        suppressed: suppressed_text(i.anonymity_threshold),
        min_answered_pct: decimals(i.min_answered * 100.0, 0),
    }
}

pub fn suppressed_text(threshold: usize) -> String {
    format!("fewer than {threshold} responses")
}

/// Text for a CSS string (`content: "…"` of the printed page's header and footer): every
/// character but ASCII letters, digits and spaces becomes a six-digit CSS escape, so the text
/// can neither end the string nor the `<style>` element, and HTML escaping leaves it alone.
pub fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == ' ' {
            out.push(c);
        } else if c.is_control() {
            out.push(' ');
        } else {
            out.push_str(&format!("\\{:06X}", c as u32));
        }
    }
    out
}

#[derive(Serialize)]
pub struct OrgPage {
    pub meta: Meta,
    pub name: String,
    /// The organization's name and the instrument, escaped for the printed header.
    pub print_name: String,
    pub print_instrument: String,
    pub wave: String,
    pub waves: Vec<String>,
    pub respondents: Vec<RoleCount>,
    pub total: usize,
    /// The one respondent count of the page's first screen: "23 respondents", or, where the
    /// index covers fewer, "23 respondents; 21 answered enough for an index".
    pub count_text: String,
    pub summary: Summary,
    pub level: LevelView,
    pub respondent_levels: Vec<RespondentLevels>,
    pub radar_svg: String,
    /// Why there is no radar (every dimension hidden); empty where it is drawn.
    pub profile_note: String,
    pub dimensions: Vec<DimensionRow>,
    pub bands_svg: String,
    pub gap_matrix: GapMatrix,
    pub gaps: Vec<GapSection>,
    pub gap_alert: String,
    pub trend: Option<TrendView>,
    pub strengths: Vec<Highlight>,
    pub weaknesses: Vec<Highlight>,
    pub recommendations: Vec<RecommendationView>,
    pub item_sections: Vec<ItemSection>,
    /// The open questions and their shown comments (SPEC §16).
    pub comments: Vec<comments::CommentSection>,
    /// Whether any open question shows its comments (otherwise the printed page leaves the
    /// section out and says why in the methods appendix).
    pub comments_shown: bool,
    /// The methods appendix's words on open questions; empty without any.
    pub comments_note: String,
    /// One per breakdown of the instrument (SPEC §17).
    pub breakdowns: Vec<BreakdownView>,
    /// Response rates, with `--roster` (SPEC §17).
    pub participation: Option<ParticipationView>,
    pub methods: Methods,
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
pub struct LevelDef {
    pub label: String,
    pub min: String,
    pub gate: String,
}

#[derive(Serialize)]
pub struct LevelShare {
    pub level: String,
    pub share: String,
}

/// What every part of an organization page reads: the organization-waves it shows (latest
/// last), its name, the figures of its items and how suppressed figures are written.
struct Page<'a> {
    analysis: &'a Analysis<'a>,
    org_waves: &'a [usize],
    latest: usize,
    /// The latest organization-wave's typed result (a page exists only for a reported one).
    reported: &'a Reported,
    name: String,
    hidden: String,
    figures: &'a [Option<ItemFigures>],
    item_medians: &'a [Option<f64>],
    id_prefix: &'a str,
    /// `report --self-assessment`: the page speaks of "your answers" and leaves out what
    /// needs a population or a second role.
    self_assessment: bool,
    /// Whether any measure has a population to stand against.
    has_population: bool,
}

impl Page<'_> {
    fn dimensions(&self) -> usize {
        self.analysis.instrument.dimensions.len()
    }

    /// Every measure: the dimensions in instrument order, then the index.
    fn measures(&self) -> impl Iterator<Item = Measure> + Clone {
        Measure::all(self.dimensions())
    }

    /// The organization's shown mean of a measure (all respondents, latest wave).
    fn mean(&self, measure: Measure) -> Option<f64> {
        self.analysis.shown_mean(self.latest, Group::All, measure)
    }

    /// Whether any dimension of the latest wave is shown (SPEC §6, §15 may hide them all).
    fn any_dimension_shown(&self) -> bool {
        (0..self.dimensions()).any(|m| self.mean(Measure::Dimension(m)).is_some())
    }

    fn quartiles(&self, measure: Measure) -> Option<crate::stats::Quartiles> {
        self.analysis
            .standing(self.latest, Group::All, measure)
            .and_then(|s| s.quartiles.clone())
    }

    /// Whether a self-assessment stands alone: no population to compare with.
    fn alone(&self) -> bool {
        self.self_assessment && !self.has_population
    }

    /// Whether the page is one person's self-assessment: their answers, not shares of many.
    fn single(&self) -> bool {
        self.self_assessment && self.analysis.results[self.latest].rows.len() == 1
    }

    fn wave(&self, org_wave: usize) -> String {
        self.analysis.wave(org_wave).to_string()
    }

    /// What the page writes for a group's hidden measure `m` in the latest wave: "fewer than T
    /// responses", or "not shown, to protect a smaller group" for a group hidden by
    /// complementary suppression (SPEC §6).
    pub(super) fn hidden_phrase(&self, group: Group, measure: Measure) -> String {
        self.hidden_phrase_in(self.latest, group, measure)
    }

    /// [`Page::hidden_phrase`] in any of the page's organization-waves.
    pub(super) fn hidden_phrase_in(
        &self,
        org_wave: usize,
        group: Group,
        measure: Measure,
    ) -> String {
        let reported = self.analysis.results[org_wave].reported();
        match reported
            .and_then(|r| r.group(group))
            .map(|g| g.figure(measure))
        {
            Some(Figure::Suppressed(Suppressed::Complementary)) => {
                Suppressed::Complementary.phrase(self.analysis.instrument.anonymity_threshold)
            }
            // Roles keep the instrument's T, also in a self-assessment (SPEC §15).
            _ if group != Group::All => {
                Suppressed::BelowThreshold.phrase(self.analysis.instrument.part_threshold)
            }
            _ => self.hidden.clone(),
        }
    }
}

/// The page of one organization: its latest shown wave (`org_waves.last()`), with trend over
/// the earlier ones; `None` when that wave is not reported (fewer than T rows), which has no
/// page. A self-assessment (`report --self-assessment`, SPEC §12) speaks of "your answers".
pub fn org_page(
    analysis: &Analysis,
    org_waves: &[usize],
    figures: &[Option<ItemFigures>],
    item_medians: &[Option<f64>],
    id_prefix: &str,
    self_assessment: bool,
) -> Option<OrgPage> {
    let instrument = analysis.instrument;
    let &latest = org_waves.last()?;
    let mut page = Page {
        analysis,
        org_waves,
        latest,
        reported: analysis.results[latest].reported()?,
        name: analysis
            .orgs
            .display_name(analysis.org_id(latest))
            .to_string(),
        // With a threshold of 1 nothing is suppressed: a missing figure means too few answers.
        hidden: if self_assessment {
            "not enough answers".into()
        } else {
            suppressed_text(instrument.anonymity_threshold)
        },
        figures,
        item_medians,
        id_prefix,
        self_assessment,
        has_population: false,
    };
    page.has_population = page.measures().any(|m| page.quartiles(m).is_some());
    let level = profile::level(&page);
    let dimensions = profile::dimensions(&page);
    let gaps = gaps::sections(&page);
    let gap_matrix = gaps::matrix(&page);
    let trend = trend::view(&page);
    let recommendations = summary::recommendations(&page);
    let (strengths, weaknesses) = summary::highlights(&page);
    let summary = summary::summary(&page, &level, &recommendations);
    let recommendations = recommendations.list;
    let comments = comments::sections(analysis, latest);
    Some(OrgPage {
        meta: meta(analysis),
        print_name: css_string(&page.name),
        print_instrument: css_string(&instrument.title),
        wave: page.wave(latest),
        waves: org_waves.iter().map(|&i| page.wave(i)).collect(),
        respondents: profile::respondents(&page),
        total: analysis.results[latest].rows.len(),
        count_text: count_text(
            analysis.results[latest].rows.len(),
            match page.reported.all.figure(Measure::Index) {
                Figure::Shown(s) => Some(s.n),
                // A hidden figure's n is never told (SPEC §15): only the total is.
                Figure::Suppressed(Suppressed::Complementary) => {
                    Some(analysis.results[latest].rows.len())
                }
                Figure::Suppressed(Suppressed::BelowThreshold) => None,
            },
        ),
        summary,
        level,
        respondent_levels: profile::respondent_levels(&page),
        radar_svg: profile::radar(&page),
        profile_note: profile::profile_note(&page),
        dimensions,
        bands_svg: profile::bands(&page),
        gap_matrix,
        gaps,
        gap_alert: crate::output::num(instrument.gap_alert),
        trend,
        strengths,
        weaknesses,
        recommendations,
        item_sections: items::sections(&page),
        comments_shown: comments.iter().any(|c| c.hidden.is_empty()),
        comments_note: comments::note(analysis, &comments, self_assessment),
        comments,
        breakdowns: breakdowns::views(&page),
        participation: breakdowns::participation(&page),
        methods: methods::methods(&page),
        levels: level_defs(analysis),
        roles: instrument.roles.iter().map(|r| r.label.clone()).collect(),
        self_assessment,
        has_population: page.has_population,
        name: page.name,
    })
}

/// "23 respondents", "1 respondent", or "23 respondents; 21 answered enough for an index"
/// where fewer answered enough items for an index than answered at all.
fn count_text(total: usize, index_n: Option<usize>) -> String {
    let mut text = format!("{total} respondent{}", if total == 1 { "" } else { "s" });
    match index_n {
        Some(n) if n < total => text.push_str(&format!("; {n} answered enough for an index")),
        None if total > 0 => text.push_str("; too few answered enough for an index"),
        _ => {}
    }
    text
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_use_a_true_minus_and_no_sign_for_zero() {
        assert_eq!(signed(3.25), "+3.2");
        assert_eq!(signed(-1.0), "−1.0");
        assert_eq!(signed(-0.04), "0.0");
        assert_eq!(signed(0.0), "0.0");
    }

    #[test]
    fn one_count_says_both_numbers_when_the_index_covers_fewer() {
        assert_eq!(count_text(1, Some(1)), "1 respondent");
        assert_eq!(count_text(23, Some(23)), "23 respondents");
        assert_eq!(
            count_text(23, Some(21)),
            "23 respondents; 21 answered enough for an index"
        );
        assert_eq!(
            count_text(4, None),
            "4 respondents; too few answered enough for an index"
        );
    }

    #[test]
    fn css_strings_cannot_escape_their_quotes_or_the_style_element() {
        assert_eq!(css_string("Acme 2"), "Acme 2");
        assert_eq!(css_string("a\"b"), "a\\000022b");
        assert_eq!(css_string("</style>"), "\\00003C\\00002Fstyle\\00003E");
        assert_eq!(css_string("x\\y"), "x\\00005Cy");
        assert_eq!(css_string("HR–Sales"), "HR\\002013Sales");
        assert_eq!(css_string("a\nb"), "a b");
    }
}
