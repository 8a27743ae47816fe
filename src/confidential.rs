//! The anonymity threshold and complementary suppression (SPEC §6), in one place.
//!
//! Every statistic that leaves partnerscope passes through [`Visibility`]: a group's measure is
//! shown only when at least T respondents have it, and role groups are hidden further when the
//! hidden ones could otherwise be recovered by subtracting the shown roles from the whole.
//! Derived values (gaps, changes, levels, populations) ask here before using a group.

use crate::aggregate::{Group, OrgWave};

/// What of one organization-wave may be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    /// False when the organization-wave has fewer than T accepted rows: nothing is shown.
    pub reportable: bool,
    /// `shown[g][m]`: group `g` of the org-wave (same order as `OrgWave::groups`), measure `m`.
    pub shown: Vec<Vec<bool>>,
}

impl Visibility {
    /// Every shown group measure of the org-wave with its mean: `(group, measure, mean)`.
    /// Populations and norms are built from these and nothing else.
    pub fn shown_means<'a>(
        &'a self,
        org_wave: &'a OrgWave,
    ) -> impl Iterator<Item = (Group, usize, f64)> + 'a {
        org_wave
            .groups
            .iter()
            .enumerate()
            .flat_map(move |(g, group)| {
                group
                    .measures
                    .iter()
                    .enumerate()
                    .filter_map(move |(m, summary)| {
                        summary
                            .mean
                            .filter(|_| self.shown[g][m])
                            .map(|mean| (group.group, m, mean))
                    })
            })
    }

    pub fn is_shown(&self, org_wave: &OrgWave, group: Group, measure: usize) -> bool {
        org_wave
            .groups
            .iter()
            .position(|g| g.group == group)
            .is_some_and(|g| self.shown[g][measure])
    }
}

/// Decides, per group and measure, what may be shown for an organization-wave with threshold
/// `threshold` (T).
pub fn decide(org_wave: &OrgWave, threshold: usize) -> Visibility {
    let n_measures = org_wave.groups[0].measures.len();
    let reportable = org_wave.rows.len() >= threshold;
    let mut shown = vec![vec![false; n_measures]; org_wave.groups.len()];
    if !reportable {
        return Visibility { reportable, shown };
    }
    #[allow(clippy::needless_range_loop)] // m indexes two parallel tables
    for m in 0..n_measures {
        for (g, group) in org_wave.groups.iter().enumerate() {
            shown[g][m] = group.measures[m].n >= threshold;
        }
        // Complementary suppression among role groups with n > 0 for this measure. Groups are
        // in instrument role order, so a stable sort by n breaks ties by the earlier role.
        let mut roles: Vec<(usize, usize)> = org_wave
            .groups
            .iter()
            .enumerate()
            .filter(|(_, group)| matches!(group.group, Group::Role(_)) && group.measures[m].n > 0)
            .map(|(g, group)| (g, group.measures[m].n))
            .collect();
        roles.sort_by_key(|&(_, n)| n);
        let mut hidden: usize = roles
            .iter()
            .filter(|(g, _)| !shown[*g][m])
            .map(|(_, n)| n)
            .sum();
        if hidden > 0 {
            for &(g, n) in &roles {
                if hidden >= threshold {
                    break;
                }
                if shown[g][m] {
                    shown[g][m] = false;
                    hidden += n;
                }
            }
        }
    }
    Visibility { reportable, shown }
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

    /// One measure; `roles` gives (role index, n) for each role group present.
    fn org_wave(all: usize, roles: &[(usize, usize)]) -> OrgWave {
        let mut groups = vec![GroupStats {
            group: Group::All,
            rows: all,
            measures: vec![summary(all)],
            level_counts: vec![],
        }];
        for &(role, n) in roles {
            groups.push(GroupStats {
                group: Group::Role(role),
                rows: n,
                measures: vec![summary(n)],
                level_counts: vec![],
            });
        }
        OrgWave {
            org: 0,
            wave: 0,
            rows: (0..all as u32).collect(),
            groups,
        }
    }

    fn shown(v: &Visibility) -> Vec<bool> {
        v.shown.iter().map(|g| g[0]).collect()
    }

    #[test]
    fn below_threshold_organization_shows_nothing() {
        let v = decide(&org_wave(4, &[(0, 4)]), 5);
        assert!(!v.reportable);
        assert_eq!(shown(&v), vec![false, false]);
    }

    #[test]
    fn one_small_role_hides_the_next_smallest() {
        // all 20 = hr 3 + sales_leader 7 + sales_rep 10. hr (3) is hidden; alone it could be
        // recovered as 20 − 7 − 10, so the smallest shown role (sales_leader, 7) is hidden too.
        let v = decide(&org_wave(20, &[(0, 3), (1, 7), (2, 10)]), 5);
        assert_eq!(shown(&v), vec![true, false, false, true]);
    }

    #[test]
    fn hidden_roles_that_reach_the_threshold_need_no_more() {
        // hr 2 + exec 3 hidden = 5 ≥ 5: both shown roles stay.
        let v = decide(&org_wave(25, &[(0, 2), (1, 10), (2, 10), (3, 3)]), 5);
        assert_eq!(shown(&v), vec![true, false, true, true, false]);
    }

    #[test]
    fn ties_hide_the_earlier_role_first() {
        // hr 1 hidden; sales_leader and sales_rep tie at 6: sales_leader (earlier) goes.
        let v = decide(&org_wave(13, &[(0, 1), (1, 6), (2, 6)]), 5);
        assert_eq!(shown(&v), vec![true, false, false, true]);
    }

    #[test]
    fn nothing_hidden_means_nothing_more_to_hide() {
        let v = decide(&org_wave(12, &[(0, 6), (1, 6)]), 5);
        assert_eq!(shown(&v), vec![true, true, true]);
    }

    #[test]
    fn a_measure_with_too_few_answers_is_hidden_even_in_a_large_group() {
        let mut ow = org_wave(40, &[(0, 40)]);
        ow.groups[0].measures[0] = summary(3);
        ow.groups[1].measures[0] = summary(3);
        let v = decide(&ow, 5);
        assert!(v.reportable);
        assert_eq!(shown(&v), vec![false, false]);
    }
}
