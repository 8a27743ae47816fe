//! Comparisons inside one organization (SPEC §5): perception gaps between roles in a wave, and
//! change between consecutive waves. Both use only shown groups, so neither can reveal a
//! suppressed one.

use crate::aggregate::{self, Group, OrgWave};
use crate::confidential::Visibility;
use crate::instrument::{Instrument, MeaningfulChange};
use crate::responses::Dataset;
use crate::results::Measure;
use crate::{score, stats};

/// `mean(first role) − mean(second role)` for one organization-wave and measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// Index into the org-wave list.
    pub org_wave: usize,
    pub measure: Measure,
    pub first_role: usize,
    pub second_role: usize,
    pub first_mean: f64,
    pub second_mean: f64,
    pub gap: f64,
    pub flag: bool,
}

pub fn perception_gaps(
    instrument: &Instrument,
    org_waves: &[OrgWave],
    visibility: &[Visibility],
) -> Vec<Gap> {
    let d = instrument.dimensions.len();
    let mut gaps = Vec::new();
    for (i, (ow, vis)) in org_waves.iter().zip(visibility).enumerate() {
        for measure in Measure::all(d) {
            let m = measure.slot(d);
            for &(first, second) in &instrument.perception_gaps {
                let mean = |role| {
                    let group = Group::Role(role);
                    vis.is_shown(ow, group, m)
                        .then(|| ow.group(group).and_then(|g| g.measures[m].mean))
                        .flatten()
                };
                if let (Some(a), Some(b)) = (mean(first), mean(second)) {
                    let gap = a - b;
                    gaps.push(Gap {
                        org_wave: i,
                        measure,
                        first_role: first,
                        second_role: second,
                        first_mean: a,
                        second_mean: b,
                        gap,
                        flag: score::at_least(gap.abs(), instrument.gap_alert),
                    });
                }
            }
        }
    }
    gaps
}

/// Change of an organization's `all` group between two consecutive shown waves.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub from: usize,
    pub to: usize,
    pub measure: Measure,
    pub shift: Shift,
}

/// The statistics of a change between two samples of respondent scores (SPEC §5).
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    pub from_n: usize,
    pub to_n: usize,
    pub from_mean: f64,
    pub to_mean: f64,
    /// Later minus earlier.
    pub difference: f64,
    pub welch: Option<stats::Welch>,
    pub hedges_g: Option<f64>,
    /// Both `p < rule.p` (exactly) and `|difference| ≥ rule.points` (within the tolerance of
    /// [`score::compare`]).
    pub meaningful: bool,
}

/// Difference, Welch's test and Hedges' g from `earlier` to `later`; `None` when either is
/// empty.
pub fn shift(earlier: &[f64], later: &[f64], rule: MeaningfulChange) -> Option<Shift> {
    let (from_mean, to_mean) = (stats::mean(earlier)?, stats::mean(later)?);
    let difference = to_mean - from_mean;
    let welch = stats::welch(later, earlier);
    let meaningful = welch
        .as_ref()
        .is_some_and(|w| w.p < rule.p && score::at_least(difference.abs(), rule.points));
    Some(Shift {
        from_n: earlier.len(),
        to_n: later.len(),
        from_mean,
        to_mean,
        difference,
        hedges_g: stats::hedges_g(later, earlier),
        welch,
        meaningful,
    })
}

/// Wave-over-wave changes; `org_waves` must be ordered by organization, then wave.
pub fn changes(
    instrument: &Instrument,
    data: &Dataset,
    org_waves: &[OrgWave],
    visibility: &[Visibility],
) -> Vec<Change> {
    let d = instrument.dimensions.len();
    let shown: Vec<usize> = (0..org_waves.len())
        .filter(|&i| visibility[i].reportable)
        .collect();
    let mut out = Vec::new();
    for pair in shown.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        if org_waves[from].org != org_waves[to].org {
            continue;
        }
        for measure in Measure::all(d) {
            let m = measure.slot(d);
            let shown_in = |i: usize| visibility[i].is_shown(&org_waves[i], Group::All, m);
            if !(shown_in(from) && shown_in(to)) {
                continue;
            }
            let earlier = aggregate::values(data, d, &org_waves[from].rows, m);
            let later = aggregate::values(data, d, &org_waves[to].rows, m);
            if let Some(shift) = shift(&earlier, &later, instrument.meaningful_change) {
                out.push(Change {
                    from,
                    to,
                    measure,
                    shift,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_of_exactly_the_meaningful_points_counts_up_to_the_last_bit() {
        // Every later score is 5 points above its earlier one, but the means differ by
        // 4.9999999999999964 in floating point.
        let earlier = [81.1, 2.8, 2.3];
        let later = [86.1, 7.8, 7.3];
        let rule = MeaningfulChange {
            p: 0.999,
            points: 5.0,
        };
        let s = shift(&earlier, &later, rule).unwrap();
        assert!(s.difference < 5.0);
        assert!(s.meaningful, "{s:?}");
        let stricter = MeaningfulChange {
            p: 0.999,
            points: 5.000001,
        };
        assert!(!shift(&earlier, &later, stricter).unwrap().meaningful);
    }
}
