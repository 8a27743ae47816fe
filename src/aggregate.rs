//! Organization groups (SPEC §4): for every organization and wave, the `all` group and one
//! group per role, each with n, mean, sd and 95% CI per measure (every dimension, then the
//! index), and the respondent-level distribution over levels.
//!
//! Respondents are gathered per organization-wave in input order and each statistic is a
//! sequential pass over them, so results do not depend on the thread count. Nothing here
//! decides what may be shown: that is `confidential`.

use rayon::prelude::*;

use crate::instrument::Instrument;
use crate::responses::Dataset;
use crate::stats::{self, Summary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    All,
    Role(usize),
}

impl Group {
    pub fn name(&self, instrument: &Instrument) -> String {
        match self {
            Group::All => "all".to_string(),
            Group::Role(r) => format!("role:{}", instrument.roles[*r].id),
        }
    }
}

#[derive(Debug, Clone)]
pub struct GroupStats {
    pub group: Group,
    /// Accepted rows in the group.
    pub rows: usize,
    /// One summary per measure: dimensions in instrument order, then the index.
    pub measures: Vec<Summary>,
    /// Respondents (with an index) at each level, in level order.
    pub level_counts: Vec<usize>,
}

/// One organization in one wave.
#[derive(Debug, Clone)]
pub struct OrgWave {
    pub org: u32,
    pub wave: u32,
    /// Row numbers (into `Dataset::respondents`) in input order.
    pub rows: Vec<u32>,
    /// `all` first, then every role with at least one row, in instrument order.
    pub groups: Vec<GroupStats>,
    /// Every unit of a breakdown with at least one row (SPEC §17), breakdowns in instrument
    /// order, units in option order.
    pub units: Vec<crate::breakdowns::UnitStats>,
}

impl OrgWave {
    pub fn group(&self, group: Group) -> Option<&GroupStats> {
        self.groups.iter().find(|g| g.group == group)
    }
}

/// The value of measure `m` (a dimension index, or `dimensions.len()` for the index) for a row.
pub fn measure_value(data: &Dataset, n_dimensions: usize, row: usize, m: usize) -> f64 {
    let r = &data.respondents;
    if m == n_dimensions {
        r.index[row]
    } else {
        r.dimensions[row * n_dimensions + m]
    }
}

/// Present values of a measure for the given rows, in the order given.
pub fn values(data: &Dataset, n_dimensions: usize, rows: &[u32], m: usize) -> Vec<f64> {
    rows.iter()
        .map(|&row| measure_value(data, n_dimensions, row as usize, m))
        .filter(|v| !v.is_nan())
        .collect()
}

/// Every organization-wave, ordered by organization id, then wave (as plain strings).
pub fn aggregate(instrument: &Instrument, data: &Dataset) -> Vec<OrgWave> {
    let r = &data.respondents;
    // Rank organizations and waves by their names once, then sort rows by the ranks; the sort
    // is stable, so rows keep input order within an organization-wave.
    let rank = |names: &[String]| -> Vec<u32> {
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| names[a].cmp(&names[b]));
        let mut rank = vec![0u32; names.len()];
        for (position, &i) in order.iter().enumerate() {
            rank[i] = position as u32;
        }
        rank
    };
    let (org_rank, wave_rank) = (rank(&data.orgs), rank(&data.waves));
    // (organization rank and wave rank in one integer, row): the pairs are distinct, so a
    // parallel unstable sort gives the order of a stable sort by (organization, wave).
    let mut order: Vec<(u64, u32)> = (0..r.len())
        .into_par_iter()
        .map(|row| {
            let key = u64::from(org_rank[r.org[row] as usize]) << 32
                | u64::from(wave_rank[r.wave[row] as usize]);
            (key, row as u32)
        })
        .collect();
    order.par_sort_unstable();
    let blocks: Vec<Vec<u32>> = order
        .chunk_by(|a, b| a.0 == b.0)
        .map(|block| block.iter().map(|&(_, row)| row).collect())
        .collect();
    drop(order);
    // t(0.975, n − 1) for every group size that can occur, computed once.
    let largest = blocks.iter().map(Vec::len).max().unwrap_or(0);
    let t975: Vec<f64> = (0..=largest)
        .map(|n| {
            if n >= 2 {
                stats::t_quantile(0.975, (n - 1) as f64)
            } else {
                f64::NAN
            }
        })
        .collect();
    blocks
        .into_par_iter()
        .map(|rows| org_wave(instrument, data, rows, &t975))
        .collect()
}

fn org_wave(instrument: &Instrument, data: &Dataset, rows: Vec<u32>, t975: &[f64]) -> OrgWave {
    let r = &data.respondents;
    let first = rows[0] as usize;
    let mut groups = vec![group_stats(instrument, data, Group::All, &rows, t975)];
    for role in 0..instrument.roles.len() {
        let members: Vec<u32> = rows
            .iter()
            .copied()
            .filter(|&row| r.role[row as usize] as usize == role)
            .collect();
        if !members.is_empty() {
            groups.push(group_stats(
                instrument,
                data,
                Group::Role(role),
                &members,
                t975,
            ));
        }
    }
    let units = crate::breakdowns::unit_stats(instrument, data, &rows, t975);
    OrgWave {
        org: r.org[first],
        wave: r.wave[first],
        rows,
        groups,
        units,
    }
}

/// One summary per measure (dimensions, then the index) over the given rows; `t975[n]` is
/// t(0.975, n − 1) for every n up to `rows.len()`.
pub fn summaries(
    instrument: &Instrument,
    data: &Dataset,
    rows: &[u32],
    t975: &[f64],
) -> Vec<Summary> {
    let d = instrument.dimensions.len();
    // One pass over the rows collects every measure's present values, in row order.
    let mut columns: Vec<Vec<f64>> = vec![Vec::with_capacity(rows.len()); d + 1];
    for &row in rows {
        for (m, column) in columns.iter_mut().enumerate() {
            let v = measure_value(data, d, row as usize, m);
            if !v.is_nan() {
                column.push(v);
            }
        }
    }
    columns
        .iter()
        .map(|values| stats::summarize_with_t(values, t975[values.len()]))
        .collect()
}

fn group_stats(
    instrument: &Instrument,
    data: &Dataset,
    group: Group,
    rows: &[u32],
    t975: &[f64],
) -> GroupStats {
    let measures = summaries(instrument, data, rows, t975);
    let mut level_counts = vec![0; instrument.levels.len()];
    for &row in rows {
        if let Some(level) = data.respondents.level[row as usize] {
            level_counts[usize::from(level)] += 1;
        }
    }
    GroupStats {
        group,
        rows: rows.len(),
        measures,
        level_counts,
    }
}
