//! The whole scoring pipeline after import: aggregate → suppress → benchmark → compare →
//! explain levels, run once per run. [`Analysis`] holds the typed results every renderer reads;
//! the intermediate aggregation and confidentiality decisions stay inside [`Analysis::run`].

use rayon::prelude::*;

use crate::aggregate::{self, Group, OrgWave};
use crate::benchmark::{self, Benchmark, Standing};
use crate::compare::{self, Change, Gap};
use crate::confidential::{self, Visibility};
use crate::instrument::Instrument;
use crate::responses::{Dataset, Organizations};
pub use crate::results::LevelSummary;
use crate::results::{self, Measure, OrgWaveResult};
use crate::score;

pub struct Analysis<'a> {
    pub instrument: &'a Instrument,
    pub data: &'a Dataset,
    pub orgs: &'a Organizations,
    /// One typed result per organization-wave, ordered by organization id, then wave; every
    /// `org_wave` index below points into it.
    pub results: Vec<OrgWaveResult>,
    /// Perception gaps of shown role pairs, in org-wave order.
    pub gaps: Vec<Gap>,
    /// Wave changes of shown measures, in org-wave order.
    pub changes: Vec<Change>,
    /// Organizations in the responses but not in the organizations file.
    pub unlisted_orgs: Vec<String>,
    /// Response rates, with `--roster` (SPEC §17).
    pub participation: Option<crate::roster::Participation>,
}

impl<'a> Analysis<'a> {
    pub fn run(
        instrument: &'a Instrument,
        data: &'a Dataset,
        orgs: &'a Organizations,
        benchmark: &Benchmark,
    ) -> Analysis<'a> {
        let org_waves = aggregate::aggregate(instrument, data);
        let visibility: Vec<Visibility> = org_waves
            .par_iter()
            .map(|ow| confidential::decide(ow, data, instrument))
            .collect();
        let pools = benchmark::Pools::new(data, &org_waves, &visibility, benchmark);
        let gaps = compare::perception_gaps(instrument, &org_waves, &visibility);
        let changes = compare::changes(instrument, data, &org_waves, &visibility);
        // Each organization-wave is placed in its populations and moves, with its rows, into
        // its typed result (one parallel pass, no copies).
        let results = org_waves
            .into_par_iter()
            .zip(visibility)
            .map(|(ow, vis)| {
                let standings = pools.standings(&ow, &vis);
                let level = vis.reportable.then(|| level_summary(instrument, &ow, &vis));
                results::org_wave_result(ow, &vis, instrument, standings, level)
            })
            .collect();
        let unlisted_orgs = if orgs.entries.is_empty() {
            Vec::new()
        } else {
            let mut list: Vec<String> = data
                .orgs
                .iter()
                .filter(|o| !orgs.entries.contains_key(*o))
                .cloned()
                .collect();
            list.sort();
            list
        };
        Analysis {
            instrument,
            data,
            orgs,
            gaps,
            changes,
            results,
            unlisted_orgs,
            participation: None,
        }
    }

    pub fn org_id(&self, org_wave: usize) -> &str {
        &self.data.orgs[self.results[org_wave].org as usize]
    }

    pub fn wave(&self, org_wave: usize) -> &str {
        &self.data.waves[self.results[org_wave].wave as usize]
    }

    /// The shown mean of a group's measure; `None` when it is suppressed or the group has no
    /// rows.
    pub fn shown_mean(&self, org_wave: usize, group: Group, measure: Measure) -> Option<f64> {
        let shown = self.results[org_wave]
            .reported()?
            .group(group)?
            .shown(measure)?;
        Some(shown.mean)
    }

    /// The standing of a shown group's measure.
    pub fn standing(&self, org_wave: usize, group: Group, measure: Measure) -> Option<&Standing> {
        self.results[org_wave]
            .reported()?
            .group(group)?
            .shown(measure)?
            .standing
            .as_ref()
    }

    /// The level summary of a reported org-wave.
    pub fn summary(&self, org_wave: usize) -> Option<&LevelSummary> {
        self.results[org_wave].reported().map(|r| &r.level)
    }

    /// The perception gaps of one org-wave (gaps are produced in org-wave order).
    pub fn gaps_of(&self, org_wave: usize) -> &[Gap] {
        let start = self.gaps.partition_point(|g| g.org_wave < org_wave);
        let end = self.gaps.partition_point(|g| g.org_wave <= org_wave);
        &self.gaps[start..end]
    }

    /// The changes out of org-waves in `range` (changes are produced in org-wave order).
    pub fn changes_from(&self, range: std::ops::Range<usize>) -> &[Change] {
        let start = self.changes.partition_point(|c| c.from < range.start);
        let end = self.changes.partition_point(|c| c.from < range.end);
        &self.changes[start..end]
    }

    /// Reportable org-waves, grouped per organization (org-waves in wave order).
    pub fn reportable_by_org(&self) -> Vec<Vec<usize>> {
        let mut out: Vec<Vec<usize>> = Vec::new();
        for (i, result) in self.results.iter().enumerate() {
            if result.reported().is_none() {
                continue;
            }
            match out.last_mut() {
                Some(list) if self.results[list[0]].org == result.org => list.push(i),
                _ => out.push(vec![i]),
            }
        }
        out
    }
}

fn level_summary(instrument: &Instrument, ow: &OrgWave, vis: &Visibility) -> LevelSummary {
    let d = instrument.dimensions.len();
    let all = &ow.groups[0];
    let mean = |m: usize| all.measures[m].mean.filter(|_| vis.shown[0][m]);
    let index = mean(d);
    let dims: Vec<Option<f64>> = (0..d).map(mean).collect();
    let level = instrument.level_of(index, &dims);
    let next_level = level
        .map(|l| l + 1)
        .filter(|&l| l < instrument.levels.len());
    let (points_to_next, blocking) = match (next_level, index) {
        (Some(next), Some(index)) => {
            let next = &instrument.levels[next];
            let blocking = match next.min_each_dimension {
                Some(gate) => (0..d)
                    .filter(|&m| !matches!(dims[m], Some(v) if score::at_least(v, gate)))
                    .collect(),
                None => Vec::new(),
            };
            // A threshold reached within the tolerance is reached: 0 points, not 1e-14.
            let points = if score::at_least(index, next.min) {
                0.0
            } else {
                next.min - index
            };
            (Some(points), blocking)
        }
        _ => (None, Vec::new()),
    };
    LevelSummary {
        index,
        level,
        next_level,
        points_to_next,
        blocking,
    }
}
