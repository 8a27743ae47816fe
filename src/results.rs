//! The typed results of a run, read by every renderer.
//!
//! One [`OrgWaveResult`] per organization and wave: either [`Outcome::BelowThreshold`] (fewer
//! than T accepted rows: nothing of it may be shown) or a [`Reported`] holding its groups, each
//! group holding one [`Figure`] per [`Measure`]. A figure is either shown, with its statistics
//! and standing, or suppressed with its reason, so a renderer cannot print a hidden figure by
//! forgetting a check: there is no number to print. What may be shown is decided in
//! [`crate::confidential`]; this module only gives the decision a shape.

use crate::aggregate::{Group, OrgWave};
use crate::benchmark::Standing;
use crate::breakdowns::UnitResult;
use crate::confidential::Visibility;
use crate::instrument::Instrument;

/// What a figure measures: one dimension (by its position in the instrument) or the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    Dimension(usize),
    Index,
}

impl Measure {
    /// Every measure in output order: dimensions in instrument order, then the index.
    pub fn all(n_dimensions: usize) -> impl Iterator<Item = Measure> + Clone {
        (0..n_dimensions)
            .map(Measure::Dimension)
            .chain(std::iter::once(Measure::Index))
    }

    /// Its position in per-measure tables (dimensions, then the index).
    pub fn slot(self, n_dimensions: usize) -> usize {
        match self {
            Measure::Dimension(d) => d,
            Measure::Index => n_dimensions,
        }
    }

    pub fn from_slot(slot: usize, n_dimensions: usize) -> Measure {
        if slot < n_dimensions {
            Measure::Dimension(slot)
        } else {
            Measure::Index
        }
    }

    /// `index` or the dimension's id, as the data files name it.
    pub fn id(self, instrument: &Instrument) -> &str {
        match self {
            Measure::Dimension(d) => &instrument.dimensions[d].id,
            Measure::Index => "index",
        }
    }

    /// `Index` or the dimension's title, as pages name it.
    pub fn title(self, instrument: &Instrument) -> &str {
        match self {
            Measure::Dimension(d) => &instrument.dimensions[d].title,
            Measure::Index => "Index",
        }
    }
}

/// Why a figure is not shown (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppressed {
    /// Fewer than T respondents have this measure in this group.
    BelowThreshold,
    /// Enough respondents, but hidden so that a smaller group cannot be recovered by
    /// subtraction.
    Complementary,
}

impl Suppressed {
    /// The words pages use (SPEC §6); never a zero, never the group's n.
    pub fn phrase(self, threshold: usize) -> String {
        match self {
            Suppressed::BelowThreshold => format!("fewer than {threshold} responses"),
            Suppressed::Complementary => "not shown, to protect a smaller group".to_string(),
        }
    }
}

/// A shown figure: the group's statistics for one measure and its place in the population.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub n: usize,
    pub mean: f64,
    pub sd: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// `None` when the population is too small to place it (fewer than 5 values).
    pub standing: Option<Standing>,
}

impl Shown {
    pub fn percentile(&self) -> Option<f64> {
        self.standing.as_ref().and_then(|s| s.percentile)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    Shown(Shown),
    Suppressed(Suppressed),
}

impl Figure {
    pub fn shown(&self) -> Option<&Shown> {
        match self {
            Figure::Shown(shown) => Some(shown),
            Figure::Suppressed(_) => None,
        }
    }
}

/// One group (`all`, or one role) of a reported organization-wave.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupResult {
    pub group: Group,
    /// Accepted rows in the group.
    pub rows: usize,
    /// Respondents (with an index) at each level, in level order.
    pub level_counts: Vec<usize>,
    /// One figure per measure, in [`Measure::all`] order.
    figures: Vec<Figure>,
}

impl GroupResult {
    pub fn figure(&self, measure: Measure) -> &Figure {
        &self.figures[measure.slot(self.figures.len() - 1)]
    }

    pub fn shown(&self, measure: Measure) -> Option<&Shown> {
        self.figure(measure).shown()
    }

    /// Every measure with its figure, in output order.
    pub fn figures(&self) -> impl Iterator<Item = (Measure, &Figure)> {
        let d = self.figures.len() - 1;
        self.figures
            .iter()
            .enumerate()
            .map(move |(slot, f)| (Measure::from_slot(slot, d), f))
    }
}

/// An organization-wave's level and what separates it from the next one.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelSummary {
    pub index: Option<f64>,
    /// `None`: no level, because the index is not shown.
    pub level: Option<usize>,
    pub next_level: Option<usize>,
    pub points_to_next: Option<f64>,
    /// Dimensions below the next level's gate (or not shown), in instrument order.
    pub blocking: Vec<usize>,
}

/// The `all` group's figures of one scored item (its mean and answer distribution): shown,
/// with how many answered, or suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemFigure {
    Shown { n: usize },
    Suppressed(Suppressed),
}

/// What an organization-wave with at least T accepted rows shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub all: GroupResult,
    /// By role position in the instrument: the role's group, or `None` when it has no rows.
    roles: Vec<Option<GroupResult>>,
    pub level: LevelSummary,
    /// One per scored item, in instrument order.
    pub items: Vec<ItemFigure>,
    /// Every unit of a breakdown with rows (SPEC §17), breakdowns in instrument order, units
    /// in option order.
    pub units: Vec<UnitResult>,
}

impl Reported {
    /// `all` first, then the roles.
    pub fn groups(&self) -> impl Iterator<Item = &GroupResult> {
        std::iter::once(&self.all).chain(self.roles())
    }

    /// Every role with at least one row, in instrument order.
    pub fn roles(&self) -> impl Iterator<Item = &GroupResult> {
        self.roles.iter().flatten()
    }

    pub fn group(&self, group: Group) -> Option<&GroupResult> {
        match group {
            Group::All => Some(&self.all),
            Group::Role(r) => self.roles.get(r)?.as_ref(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Fewer than T accepted rows: no figure of it is shown or counted anywhere.
    BelowThreshold,
    Reported(Box<Reported>),
}

/// One organization in one wave.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgWaveResult {
    pub org: u32,
    pub wave: u32,
    /// Its accepted rows (into `Dataset::respondents`), in input order.
    pub rows: Vec<u32>,
    pub outcome: Outcome,
}

impl OrgWaveResult {
    pub fn reported(&self) -> Option<&Reported> {
        match &self.outcome {
            Outcome::Reported(reported) => Some(reported),
            Outcome::BelowThreshold => None,
        }
    }
}

/// Puts the aggregation, the confidentiality decision, the standings and the level summary of
/// one organization-wave into one typed result.
pub fn org_wave_result(
    org_wave: OrgWave,
    visibility: &Visibility,
    instrument: &Instrument,
    mut standings: Vec<Vec<Option<Standing>>>,
    level: Option<LevelSummary>,
) -> OrgWaveResult {
    let outcome = match level {
        Some(level) if visibility.reportable => {
            let reason = |n: usize, threshold: usize| match n >= threshold {
                true => Suppressed::Complementary,
                false => Suppressed::BelowThreshold,
            };
            let units = org_wave
                .units
                .iter()
                .zip(&visibility.units)
                .map(|(stats, shown)| UnitResult {
                    breakdown: stats.breakdown,
                    unit: stats.unit,
                    rows: stats.rows,
                    figures: stats
                        .measures
                        .iter()
                        .zip(shown)
                        .map(|(summary, &shown)| match summary.mean {
                            Some(mean) if shown => Figure::Shown(Shown {
                                n: summary.n,
                                mean,
                                sd: summary.sd,
                                ci_low: summary.ci_low,
                                ci_high: summary.ci_high,
                                standing: None,
                            }),
                            _ => Figure::Suppressed(reason(summary.n, instrument.part_threshold)),
                        })
                        .collect(),
                })
                .collect();
            let mut groups = org_wave.groups.into_iter().enumerate().map(|(g, stats)| {
                let threshold = match stats.group {
                    Group::All => instrument.anonymity_threshold,
                    Group::Role(_) => instrument.part_threshold,
                };
                let figures = stats
                    .measures
                    .iter()
                    .enumerate()
                    .map(|(m, summary)| match summary.mean {
                        Some(mean) if visibility.shown[g][m] => Figure::Shown(Shown {
                            n: summary.n,
                            mean,
                            sd: summary.sd,
                            ci_low: summary.ci_low,
                            ci_high: summary.ci_high,
                            standing: standings[g][m].take(),
                        }),
                        _ => Figure::Suppressed(reason(summary.n, threshold)),
                    })
                    .collect();
                GroupResult {
                    group: stats.group,
                    rows: stats.rows,
                    level_counts: stats.level_counts,
                    figures,
                }
            });
            match groups.next() {
                Some(all) => {
                    let mut roles: Vec<Option<GroupResult>> = Vec::new();
                    for group in groups {
                        if let Group::Role(r) = group.group {
                            if roles.len() <= r {
                                roles.resize_with(r + 1, || None);
                            }
                            roles[r] = Some(group);
                        }
                    }
                    let items = visibility
                        .items
                        .iter()
                        .map(|&(n, shown)| match shown {
                            true => ItemFigure::Shown { n },
                            false => {
                                ItemFigure::Suppressed(reason(n, instrument.anonymity_threshold))
                            }
                        })
                        .collect();
                    Outcome::Reported(Box::new(Reported {
                        all,
                        roles,
                        level,
                        items,
                        units,
                    }))
                }
                None => Outcome::BelowThreshold,
            }
        }
        _ => Outcome::BelowThreshold,
    };
    OrgWaveResult {
        org: org_wave.org,
        wave: org_wave.wave,
        rows: org_wave.rows,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::GroupStats;
    use crate::stats::Summary;

    fn summary(n: usize) -> Summary {
        Summary {
            n,
            mean: (n > 0).then_some(50.0),
            sd: None,
            ci_low: None,
            ci_high: None,
        }
    }

    #[test]
    fn measures_in_output_order() {
        let all: Vec<Measure> = Measure::all(2).collect();
        assert_eq!(
            all,
            [Measure::Dimension(0), Measure::Dimension(1), Measure::Index]
        );
        assert_eq!(Measure::Index.slot(2), 2);
        assert_eq!(Measure::from_slot(1, 2), Measure::Dimension(1));
    }

    /// A role hidden with n ≥ T is hidden by complementary suppression; with n < T, below the
    /// threshold. Neither carries a number.
    #[test]
    fn suppression_carries_its_reason() {
        let group = |group, n| GroupStats {
            group,
            rows: n,
            measures: vec![summary(n)],
            level_counts: vec![],
        };
        let org_wave = OrgWave {
            org: 0,
            wave: 0,
            rows: (0..16).collect(),
            groups: vec![
                group(Group::All, 16),
                group(Group::Role(0), 3),
                group(Group::Role(1), 6),
                group(Group::Role(2), 7),
            ],
            units: vec![],
        };
        // Role 0 (3 < 5) is below the threshold; role 1 (6) was hidden so that role 0 cannot
        // be recovered by subtraction.
        let visibility = Visibility {
            reportable: true,
            shown: vec![vec![true], vec![false], vec![false], vec![true]],
            items: vec![],
            units: vec![],
        };
        let instrument = crate::instrument::load_bundled().expect("the bundled instrument");
        let level = LevelSummary {
            index: Some(50.0),
            level: Some(0),
            next_level: None,
            points_to_next: None,
            blocking: vec![],
        };
        let result = org_wave_result(
            org_wave,
            &visibility,
            &instrument,
            vec![vec![None]; 4],
            Some(level),
        );
        let reported = result.reported().expect("16 rows ≥ 5");
        assert_eq!(reported.all.shown(Measure::Index).map(|s| s.n), Some(16));
        let figure = |r| {
            reported
                .group(Group::Role(r))
                .map(|g| g.figure(Measure::Index).clone())
        };
        assert_eq!(
            figure(0),
            Some(Figure::Suppressed(Suppressed::BelowThreshold))
        );
        assert_eq!(
            figure(1),
            Some(Figure::Suppressed(Suppressed::Complementary))
        );
        assert!(matches!(figure(2), Some(Figure::Shown(_))));
        assert_eq!(
            Suppressed::Complementary.phrase(5),
            "not shown, to protect a smaller group"
        );
        assert_eq!(
            Suppressed::BelowThreshold.phrase(5),
            "fewer than 5 responses"
        );
    }
}
