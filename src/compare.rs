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
    /// Holm-adjusted p over the family the change is judged in (SPEC §7): for an organization,
    /// its own measures between the same two waves. Equal to Welch's p until [`holm`] runs.
    pub p_holm: Option<f64>,
    /// Both `p_holm < rule.p` (exactly) and `|difference| ≥ rule.points` (within the tolerance
    /// of [`score::compare`]).
    pub meaningful: bool,
}

impl Shift {
    fn judge(&mut self, p_holm: Option<f64>, rule: MeaningfulChange) {
        self.p_holm = p_holm;
        self.meaningful = p_holm
            .is_some_and(|p| p < rule.p && score::at_least(self.difference.abs(), rule.points));
    }
}

/// Adjusts the p of every shift in `family` by Holm's method and judges each against `rule`.
pub fn holm<'a>(family: impl IntoIterator<Item = &'a mut Shift>, rule: MeaningfulChange) {
    let mut family: Vec<&mut Shift> = family.into_iter().collect();
    let ps: Vec<f64> = family
        .iter()
        .filter_map(|s| s.welch.as_ref().map(|w| w.p))
        .collect();
    let mut adjusted = stats::p_holm(&ps).into_iter();
    for shift in &mut family {
        let p = shift.welch.as_ref().and_then(|_| adjusted.next());
        shift.judge(p, rule);
    }
}

/// Difference, Welch's test and Hedges' g from `earlier` to `later`, judged alone (a family of
/// one); `None` when either is empty.
pub fn shift(earlier: &[f64], later: &[f64], rule: MeaningfulChange) -> Option<Shift> {
    let (from_mean, to_mean) = (stats::mean(earlier)?, stats::mean(later)?);
    let welch = stats::welch(later, earlier);
    let mut shift = Shift {
        from_n: earlier.len(),
        to_n: later.len(),
        from_mean,
        to_mean,
        difference: to_mean - from_mean,
        hedges_g: stats::hedges_g(later, earlier),
        p_holm: None,
        meaningful: false,
        welch,
    };
    shift.judge(shift.welch.as_ref().map(|w| w.p), rule);
    Some(shift)
}

/// Wave-over-wave changes; `org_waves` must be ordered by organization, then wave. The measures
/// of one organization between the same two waves are one family: "meaningful" uses their
/// Holm-adjusted p (SPEC §7).
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
        let family_start = out.len();
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
        holm(
            out[family_start..].iter_mut().map(|c| &mut c.shift),
            instrument.meaningful_change,
        );
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

    #[test]
    fn meaningful_uses_the_holm_adjusted_p_of_the_family() {
        // One change of 5 points with p ≈ 0.035 alone, judged beside two measures that did not
        // move: over a family of three its Holm-adjusted p is 3p > 0.05.
        let rule = MeaningfulChange {
            p: 0.05,
            points: 5.0,
        };
        let base: Vec<f64> = (0..20).map(|i| 40.0 + (i % 5) as f64 * 5.0).collect();
        let mut moved: Vec<f64> = base.iter().map(|v| v + 5.0).collect();
        moved[0] += 1.0;
        let mut family = vec![
            shift(&base, &moved, rule).unwrap(),
            shift(&base, &base, rule).unwrap(),
            shift(&base, &base, rule).unwrap(),
        ];
        let raw: Vec<f64> = family.iter().map(|s| s.welch.as_ref().unwrap().p).collect();
        assert!(raw[0] < 0.05 && raw[0] * 3.0 > 0.05, "{raw:?}");
        assert!(family[0].meaningful, "alone it is meaningful");
        holm(family.iter_mut(), rule);
        let expected = stats::p_holm(&raw);
        assert!((expected[0] - 3.0 * raw[0]).abs() < 1e-15);
        for (s, e) in family.iter().zip(&expected) {
            assert_eq!(s.p_holm, Some(*e));
        }
        assert!(family.iter().all(|s| !s.meaningful), "{family:?}");
    }
}
