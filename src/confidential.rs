//! What may be shown (SPEC §6 and §15), decided in one place.
//!
//! A published figure is computed over a *respondent set*: the rows of its group (the `all`
//! group, or one part of a partition such as a role) that have its subject (a measure, or an
//! answer to an item). For one organization-wave, [`decide`] settles which figures are shown:
//!
//! 1. a figure over fewer than T respondents is hidden (T of its group: roles keep the
//!    instrument's T even in a self-assessment);
//! 2. complementary suppression (§6), per partition and subject: while the hidden parts hold
//!    fewer than T respondents together, the smallest shown part is hidden too;
//! 3. no subtraction (§15): two shown figures over sets A and B need |A \ B| and |B \ A| each 0
//!    or at least T. Where a pair breaks this, the figure over the smaller set is hidden (on
//!    equal sizes the index stays and the later figure in output order goes first). Figures
//!    are taken largest first, so a figure that is hidden anyway never hides another;
//! 4. derived figures obey 3 as well: where `all` is shown, the hidden parts of a partition
//!    together are `all` minus the shown parts; where `all` is hidden and every part is shown,
//!    their union is `all` again. A derived figure that is too small or breaks a pair hides
//!    one more part (the smallest), and 3 and 4 repeat.
//!
//! The same figures are decided whichever command runs, so `score`, `report` and `norms` never
//! disagree about a figure. Renderers never ask here: they read the typed results
//! ([`crate::results`]), where a hidden figure has no number.

use std::cmp::Reverse;

use crate::aggregate::{self, Group, OrgWave};
use crate::instrument::Instrument;
use crate::responses::{answered_words, Dataset};

/// What of one organization-wave may be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    /// False when the organization-wave has fewer than T accepted rows: nothing is shown.
    pub reportable: bool,
    /// `shown[g][m]`: group `g` of the org-wave (same order as `OrgWave::groups`), measure `m`.
    pub shown: Vec<Vec<bool>>,
    /// Per scored item, the `all` group's answers to it: how many answered, and whether their
    /// mean and distribution may be shown.
    pub items: Vec<(usize, bool)>,
    /// `units[u][m]`: unit `u` of the org-wave (same order as `OrgWave::units`), measure `m`.
    pub units: Vec<Vec<bool>>,
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

/// Decides what of an organization-wave may be shown: every measure of every group, and the
/// `all` group's item figures.
pub fn decide(org_wave: &OrgWave, data: &Dataset, instrument: &Instrument) -> Visibility {
    let d = instrument.dimensions.len();
    let n_items = instrument.scored_items().len();
    let n_measures = d + 1;
    let thresholds = Thresholds {
        all: instrument.anonymity_threshold,
        parts: instrument.part_threshold,
    };
    let reportable = org_wave.rows.len() >= thresholds.all;
    if !reportable {
        return Visibility {
            reportable,
            shown: vec![vec![false; n_measures]; org_wave.groups.len()],
            items: vec![(0, false); n_items],
            units: vec![vec![false; n_measures]; org_wave.units.len()],
        };
    }
    let r = &data.respondents;
    let rows = &org_wave.rows;
    let words = answered_words(n_items);
    // Per row, the measures it has as bits; the items it answered are bits already. Turned
    // into one set per subject 64 rows at a time (a bit-matrix transpose), that is the `all`
    // group's set of every subject; a role's is that and the role's members.
    let measure_words = n_measures.div_ceil(64);
    let mut measures = vec![0u64; rows.len() * measure_words];
    for (p, &row) in rows.iter().enumerate() {
        for m in 0..n_measures {
            if !aggregate::measure_value(data, d, row as usize, m).is_nan() {
                measures[p * measure_words + m / 64] |= 1 << (m % 64);
            }
        }
    }
    let mut all_sets = columns(rows.len(), n_measures, measure_words, |p, w| {
        measures[p * measure_words + w]
    });
    if !r.answered.is_empty() {
        all_sets.extend(columns(rows.len(), n_items, words, |p, w| {
            r.answered[rows[p] as usize * words + w]
        }));
    }
    let mut board = Board::default();
    for group in &org_wave.groups {
        match group.group {
            Group::All => {
                let g = board.add_group(None);
                for (subject, set) in all_sets.iter().enumerate() {
                    board.add(g, subject, subject == d, set.clone());
                }
            }
            Group::Role(role) => {
                let g = board.add_group(Some(ROLES));
                let members = Members::from_fn(rows.len(), |p| {
                    usize::from(r.role[rows[p] as usize]) == role
                });
                for (m, set) in all_sets[..n_measures].iter().enumerate() {
                    board.add(g, m, m == d, set.and(&members));
                }
            }
        }
    }
    // Breakdowns (SPEC §17) are further partitions: one part per unit with rows, and the
    // rows without a value as one more part that is never shown.
    let n_groups = org_wave.groups.len();
    let mut unit_groups: Vec<Option<usize>> = Vec::new();
    for b in 0..instrument.breakdowns.len() {
        let parts = crate::breakdowns::members(instrument, data, rows, b);
        for (u, part) in parts.iter().enumerate() {
            if part.is_empty() {
                continue;
            }
            let g = if u == 0 {
                board.add_hidden_group(ROLES + 1 + b)
            } else {
                board.add_group(Some(ROLES + 1 + b))
            };
            let members = Members::from_fn(rows.len(), |p| {
                usize::from(r.unit(rows[p] as usize, b, instrument.breakdowns.len())) == u
            });
            for (m, set) in all_sets[..n_measures].iter().enumerate() {
                board.add(g, m, m == d, set.and(&members));
            }
            unit_groups.push((u > 0).then_some(g));
        }
    }
    let shown = board.settle(thresholds);
    let mut out = Visibility {
        reportable,
        shown: vec![vec![false; n_measures]; n_groups],
        items: vec![(0, false); n_items],
        units: vec![vec![false; n_measures]; org_wave.units.len()],
    };
    // Board group → position in `OrgWave::units`.
    let unit_of: Vec<Option<usize>> = {
        let mut next = 0;
        let mut map = vec![None; n_groups];
        for g in unit_groups {
            map.push(g.map(|_| {
                next += 1;
                next - 1
            }));
        }
        map
    };
    for (figure, shown) in board.figures.iter().zip(shown) {
        if let Some(u) = unit_of[figure.group] {
            out.units[u][figure.subject] = shown;
        } else if figure.group >= n_groups {
            // the rows without a value: never shown
        } else if figure.subject < n_measures {
            out.shown[figure.group][figure.subject] = shown;
        } else {
            out.items[figure.subject - n_measures] = (figure.n, shown);
        }
    }
    out
}

/// One set per column of a bit table of `n_rows` rows and `n_columns` columns, `words` words
/// per row (`bits(row, word)`), by transposing blocks of 64 rows × 64 columns.
fn columns(
    n_rows: usize,
    n_columns: usize,
    words: usize,
    bits: impl Fn(usize, usize) -> u64,
) -> Vec<Members> {
    let mut out = vec![Members::empty(n_rows); n_columns];
    for w in 0..words {
        for block in 0..n_rows.div_ceil(64) {
            let mut square = [0u64; 64];
            for (i, word) in square.iter_mut().enumerate() {
                let row = block * 64 + i;
                if row < n_rows {
                    *word = bits(row, w);
                }
            }
            transpose(&mut square);
            for (j, word) in square.iter().enumerate() {
                if let Some(set) = out.get_mut(w * 64 + j) {
                    set.words[block] = *word;
                }
            }
        }
    }
    for set in &mut out {
        set.len = set.words.iter().map(|w| w.count_ones() as usize).sum();
    }
    out
}

/// Transposes a 64 × 64 bit matrix in place: bit j of word i becomes bit i of word j
/// (Warren, *Hacker's Delight*, 2nd ed., §7-3).
fn transpose(a: &mut [u64; 64]) {
    let mut j = 32;
    let mut mask: u64 = 0x0000_0000_FFFF_FFFF;
    while j != 0 {
        let mut k = 0;
        while k < 64 {
            let t = ((a[k] >> j) ^ a[k + j]) & mask;
            a[k] ^= t << j;
            a[k + j] ^= t;
            k = (k + j + 1) & !j;
        }
        j >>= 1;
        mask ^= mask << j;
    }
}

/// The partition the role groups form; breakdown `b` of SPEC §17 is partition `ROLES + 1 + b`.
const ROLES: usize = 0;

/// T of the `all` group and of the parts of partitions.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub all: usize,
    pub parts: usize,
}

/// A set of respondents of one organization-wave, by position in its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Members {
    words: Vec<u64>,
    len: usize,
}

impl Members {
    pub fn from_fn(positions: usize, mut member: impl FnMut(usize) -> bool) -> Members {
        let mut words = vec![0u64; positions.div_ceil(64)];
        let mut len = 0;
        for p in 0..positions {
            if member(p) {
                words[p / 64] |= 1 << (p % 64);
                len += 1;
            }
        }
        Members { words, len }
    }

    pub fn empty(positions: usize) -> Members {
        Members {
            words: vec![0; positions.div_ceil(64)],
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn minus(&self, other: &Members) -> Members {
        let words: Vec<u64> = self
            .words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| a & !b)
            .collect();
        let len = words.iter().map(|w| w.count_ones() as usize).sum();
        Members { words, len }
    }

    fn and(&self, other: &Members) -> Members {
        let words: Vec<u64> = self
            .words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| a & b)
            .collect();
        let len = words.iter().map(|w| w.count_ones() as usize).sum();
        Members { words, len }
    }

    fn union(&self, other: &Members) -> Members {
        let words: Vec<u64> = self
            .words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| a | b)
            .collect();
        let len = words.iter().map(|w| w.count_ones() as usize).sum();
        Members { words, len }
    }

    /// Whether a reader holding figures over both sets could isolate between 1 and T − 1
    /// respondents by subtraction (SPEC §15): |A \ B| = |A| − |A ∩ B|, and the same for B.
    fn isolates(&self, other: &Members, threshold: usize) -> bool {
        let common: usize = self
            .words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum();
        let small = |k: usize| k > 0 && k < threshold;
        small(self.len - common) || small(other.len - common)
    }
}

/// The figures of one subject in one partition: `all`'s and its parts'.
struct Split {
    all: Option<usize>,
    parts: Vec<usize>,
}

/// One figure to decide.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub group: usize,
    /// The figure's subject (a measure or an item), numbered by the caller; the same number in
    /// two groups is the same subject.
    pub subject: usize,
    /// The index stays where sizes tie (SPEC §15).
    pub is_index: bool,
    pub n: usize,
    members: Members,
}

/// Every figure of one organization-wave, in output order (groups in order, `all` first; a
/// group's subjects in order).
#[derive(Debug, Clone, Default)]
pub struct Board {
    /// Per group: the partition it is a part of, `None` for `all` (group 0).
    partitions: Vec<Option<usize>>,
    /// Per group: a part that is never shown (the respondents without a breakdown value).
    never_shown: Vec<bool>,
    pub figures: Vec<Candidate>,
}

impl Board {
    pub fn add_group(&mut self, partition: Option<usize>) -> usize {
        self.partitions.push(partition);
        self.never_shown.push(false);
        self.partitions.len() - 1
    }

    /// A part of a partition whose figures are never shown, but which takes part in the
    /// decision as a hidden part (SPEC §15: respondents with no value for a breakdown).
    pub fn add_hidden_group(&mut self, partition: usize) -> usize {
        let g = self.add_group(Some(partition));
        self.never_shown[g] = true;
        g
    }

    pub fn add(&mut self, group: usize, subject: usize, is_index: bool, members: Members) {
        self.figures.push(Candidate {
            group,
            subject,
            is_index,
            n: members.len(),
            members,
        });
    }

    /// Which figures may be shown, in the order of `figures`.
    pub fn settle(&self, t: Thresholds) -> Vec<bool> {
        let threshold = |group: usize| match self.partitions[group] {
            None => t.all,
            Some(_) => t.parts,
        };
        let mut shown: Vec<bool> = self
            .figures
            .iter()
            .map(|f| f.n > 0 && f.n >= threshold(f.group) && !self.never_shown[f.group])
            .collect();
        let splits = self.splits();
        self.complementary(&splits, &mut shown, t.parts);
        // Largest first; on equal sizes the index first, then output order. A figure is
        // hidden when it breaks a pair with a figure kept before it: of every breaking pair the
        // smaller one goes, and a figure hidden anyway never hides another.
        let mut order: Vec<usize> = (0..self.figures.len()).collect();
        order.sort_by_key(|&f| {
            let fig = &self.figures[f];
            (Reverse(fig.n), !fig.is_index, f)
        });
        loop {
            let mut kept: Vec<usize> = Vec::with_capacity(order.len());
            for &f in &order {
                if !shown[f] {
                    continue;
                }
                if self.breaks_any(f, &kept, t) {
                    shown[f] = false;
                } else {
                    kept.push(f);
                }
            }
            match self.unsafe_derived(&splits, &shown, t) {
                Some(hide) => shown[hide] = false,
                None => return shown,
            }
        }
    }

    /// The pair threshold: T of `all` between two figures of `all`, T of the parts otherwise.
    fn pair_threshold(&self, a: usize, b: usize, t: Thresholds) -> usize {
        match (self.partitions[a], self.partitions[b]) {
            (None, None) => t.all,
            _ => t.parts,
        }
    }

    /// Whether two figures are a pair to check: every two figures of one group (the index
    /// against its dimensions, a dimension against its items, …), and the same subject in two
    /// groups (a role against `all`, a role against a unit). Two parts of one partition are
    /// disjoint and each holds T when shown, so they never break a pair.
    fn paired(&self, a: &Candidate, b: &Candidate) -> bool {
        if a.group == b.group {
            return true;
        }
        let (pa, pb) = (self.partitions[a.group], self.partitions[b.group]);
        a.subject == b.subject && !(pa.is_some() && pa == pb)
    }

    /// Whether figure `f` breaks a pair with one of `kept`.
    fn breaks_any(&self, f: usize, kept: &[usize], t: Thresholds) -> bool {
        let fig = &self.figures[f];
        kept.iter().any(|&g| {
            let other = &self.figures[g];
            self.paired(fig, other)
                && fig.members.isolates(
                    &other.members,
                    self.pair_threshold(fig.group, other.group, t),
                )
        })
    }

    /// Per partition and subject: the `all` figure of that subject and the parts' figures
    /// with respondents, smallest first (ties: the earlier part). Subjects no part has (items)
    /// are left out.
    fn splits(&self) -> Vec<Split> {
        let mut all_of: Vec<Option<usize>> = Vec::new();
        let mut parts: std::collections::BTreeMap<(usize, usize), Vec<usize>> =
            std::collections::BTreeMap::new();
        for (f, fig) in self.figures.iter().enumerate() {
            match self.partitions[fig.group] {
                None => {
                    if all_of.len() <= fig.subject {
                        all_of.resize(fig.subject + 1, None);
                    }
                    all_of[fig.subject] = Some(f);
                }
                Some(partition) if fig.n > 0 => {
                    parts.entry((partition, fig.subject)).or_default().push(f);
                }
                Some(_) => {}
            }
        }
        parts
            .into_iter()
            .map(|((_, subject), mut parts)| {
                parts.sort_by_key(|&f| self.figures[f].n);
                Split {
                    all: all_of.get(subject).copied().flatten(),
                    parts,
                }
            })
            .collect()
    }

    /// SPEC §6: per partition and subject, among the parts with respondents, hidden parts that
    /// together hold fewer than T hide the smallest shown part, until they hold T or none is
    /// left shown.
    fn complementary(&self, splits: &[Split], shown: &mut [bool], threshold: usize) {
        for split in splits {
            let mut hidden: usize = split
                .parts
                .iter()
                .filter(|&&f| !shown[f])
                .map(|&f| self.figures[f].n)
                .sum();
            if hidden == 0 {
                continue;
            }
            for &f in &split.parts {
                if hidden >= threshold {
                    break;
                }
                if shown[f] {
                    shown[f] = false;
                    hidden += self.figures[f].n;
                }
            }
        }
    }

    /// The first derived figure (step 4) that a reader could compute and that is too small or
    /// breaks a pair, as the part figure to hide so that it can no longer be computed.
    fn unsafe_derived(&self, splits: &[Split], shown: &[bool], t: Thresholds) -> Option<usize> {
        // (members, its subject, the one hidden part it stands for if it is one, the part to
        // hide when it is unsafe)
        let mut derived: Vec<(Members, usize, Option<usize>, usize)> = Vec::new();
        for split in splits {
            let Some(f_all) = split.all else {
                continue;
            };
            let all = &self.figures[f_all];
            let parts = &split.parts;
            let Some(&smallest_shown) = parts.iter().find(|&&f| shown[f]) else {
                continue;
            };
            let hidden: Vec<usize> = parts.iter().copied().filter(|&f| !shown[f]).collect();
            if shown[f_all] {
                if hidden.is_empty()
                    && all.n == parts.iter().map(|&f| self.figures[f].n).sum::<usize>()
                {
                    continue; // the parts cover `all`: nothing is left over
                }
                let covered =
                    parts
                        .iter()
                        .filter(|&&f| shown[f])
                        .fold(Members::empty(0), |acc, &f| {
                            let m = &self.figures[f].members;
                            if acc.words.is_empty() {
                                m.clone()
                            } else {
                                acc.union(m)
                            }
                        });
                let rest = all.members.minus(&covered);
                let alone = (hidden.len() == 1).then(|| self.figures[hidden[0]].group);
                if !rest.is_empty() {
                    derived.push((rest, all.subject, alone, smallest_shown));
                }
            } else if all.n > 0 && hidden.is_empty() {
                derived.push((all.members.clone(), all.subject, Some(0), smallest_shown));
            }
        }
        // A derived figure is its subject over the hidden parts together: it pairs with that
        // subject's figures, with every figure of the one part it stands for (if it is one),
        // and with the other derived figures.
        for (i, (members, subject, alone, hide)) in derived.iter().enumerate() {
            let too_small = members.len() < t.parts;
            let breaks_real = self.figures.iter().enumerate().any(|(g, other)| {
                shown[g]
                    && (other.subject == *subject || Some(other.group) == *alone)
                    && members.isolates(&other.members, t.parts)
            });
            let breaks_derived = derived
                .iter()
                .enumerate()
                .any(|(j, (other, ..))| j != i && members.isolates(other, t.parts));
            if too_small || breaks_real || breaks_derived {
                return Some(*hide);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Thresholds = Thresholds { all: 5, parts: 5 };

    /// A board over `positions` respondents; `figures` lists (group, subject, is_index,
    /// members); groups: 0 is `all`, the others parts of one partition.
    fn board(groups: usize, figures: &[(usize, usize, bool, &[usize])], positions: usize) -> Board {
        let mut b = Board::default();
        for g in 0..groups {
            b.add_group((g > 0).then_some(ROLES));
        }
        for &(group, subject, is_index, members) in figures {
            let set = Members::from_fn(positions, |p| members.contains(&p));
            b.add(group, subject, is_index, set);
        }
        b
    }

    fn range(a: usize, b: usize) -> Vec<usize> {
        (a..b).collect()
    }

    #[test]
    fn columns_of_a_bit_table() {
        // 130 rows (three blocks), 70 columns (two words): cell (r, c) set when (r * 7 + c) % 5
        // is 0.
        let cell = |r: usize, c: usize| (r * 7 + c).is_multiple_of(5);
        let sets = columns(130, 70, 2, |r, w| {
            (0..64)
                .filter(|&b| w * 64 + b < 70 && cell(r, w * 64 + b))
                .fold(0u64, |acc, b| acc | 1 << b)
        });
        assert_eq!(sets.len(), 70);
        for (c, set) in sets.iter().enumerate() {
            assert_eq!(*set, Members::from_fn(130, |r| cell(r, c)), "column {c}");
        }
    }

    #[test]
    fn one_small_role_hides_the_next_smallest() {
        // all 20 = hr 3 + sales_leader 7 + sales_rep 10. hr (3) is hidden; alone it could be
        // recovered as 20 − 7 − 10, so the smallest shown role (sales_leader, 7) is hidden too.
        let (all, hr, sl, sr) = (range(0, 20), range(0, 3), range(3, 10), range(10, 20));
        let b = board(
            4,
            &[
                (0, 0, true, &all),
                (1, 0, true, &hr),
                (2, 0, true, &sl),
                (3, 0, true, &sr),
            ],
            20,
        );
        assert_eq!(b.settle(T), vec![true, false, false, true]);
    }

    #[test]
    fn hidden_roles_that_reach_the_threshold_need_no_more() {
        // hr 2 + exec 3 hidden = 5 ≥ 5: both shown roles stay.
        let (all, hr, a, b2, ex) = (
            range(0, 25),
            range(0, 2),
            range(2, 12),
            range(12, 22),
            range(22, 25),
        );
        let b = board(
            5,
            &[
                (0, 0, true, &all),
                (1, 0, true, &hr),
                (2, 0, true, &a),
                (3, 0, true, &b2),
                (4, 0, true, &ex),
            ],
            25,
        );
        assert_eq!(b.settle(T), vec![true, false, true, true, false]);
    }

    #[test]
    fn ties_hide_the_earlier_role_first() {
        // hr 1 hidden; sales_leader and sales_rep tie at 6: sales_leader (earlier) goes.
        let (all, hr, sl, sr) = (range(0, 13), range(0, 1), range(1, 7), range(7, 13));
        let b = board(
            4,
            &[
                (0, 0, true, &all),
                (1, 0, true, &hr),
                (2, 0, true, &sl),
                (3, 0, true, &sr),
            ],
            13,
        );
        assert_eq!(b.settle(T), vec![true, false, false, true]);
    }

    /// The red-team case: one respondent of 7 skipped a dimension. The index over 7 and the
    /// dimension over 6 would give that respondent's index; the dimension (smaller) goes.
    #[test]
    fn a_dimension_one_short_of_the_index_is_hidden() {
        let (all, short) = (range(0, 7), range(1, 7));
        let b = board(
            1,
            &[
                (0, 0, false, &all),
                (0, 1, false, &all),
                (0, 2, false, &short),
                (0, 3, true, &all),
            ],
            7,
        );
        assert_eq!(b.settle(T), vec![true, true, false, true]);
    }

    #[test]
    fn differences_of_t_or_more_are_safe() {
        let (all, short) = (range(0, 20), range(5, 20));
        let b = board(1, &[(0, 0, false, &short), (0, 1, true, &all)], 20);
        assert_eq!(b.settle(T), vec![true, true]);
    }

    /// Equal sizes, different sets: the index stays; between two dimensions the later goes.
    #[test]
    fn on_equal_sizes_the_index_stays_and_the_later_goes() {
        let (a, b_) = (range(0, 10), range(1, 11));
        let b = board(1, &[(0, 0, false, &a), (0, 1, true, &b_)], 11);
        assert_eq!(b.settle(T), vec![false, true]);
        let b = board(1, &[(0, 0, false, &a), (0, 1, false, &b_)], 11);
        assert_eq!(b.settle(T), vec![true, false]);
    }

    /// Hiding repeats: once the smallest figure is gone, the next pair is checked.
    #[test]
    fn hiding_repeats_until_no_pair_breaks() {
        // 12, 11 and 10 respondents, nested: 10 breaks with 11 and 12 (hidden); then 11 breaks
        // with 12 (hidden); 12 stays.
        let b = board(
            1,
            &[
                (0, 0, false, &range(0, 12)),
                (0, 1, false, &range(1, 12)),
                (0, 2, false, &range(2, 12)),
            ],
            12,
        );
        assert_eq!(b.settle(T), vec![true, false, false]);
    }

    /// `all` hidden by a pair, but its roles all shown: their union would give it back, so a
    /// role goes too.
    #[test]
    fn all_is_not_recovered_as_the_union_of_its_roles() {
        // all index over 0..20; all dimension over 1..20 (one skipped, in role 2). Role 1 =
        // 0..10 (0 has no dimension: its dimension is over 1..10, index over 0..10), role 2 =
        // 10..20 complete.
        let (all, all_d) = (range(0, 20), range(1, 20));
        let (r1, r1_d, r2) = (range(0, 10), range(1, 10), range(10, 20));
        let b = board(
            3,
            &[
                (0, 0, false, &all_d),
                (0, 1, true, &all),
                (1, 0, false, &r1_d),
                (1, 1, true, &r1),
                (2, 0, false, &r2),
                (2, 1, true, &r2),
            ],
            20,
        );
        let shown = b.settle(T);
        // all's dimension (19 vs 20) and role 1's dimension (9 vs 10) go; role 2's dimension
        // alone cannot rebuild all's.
        assert_eq!(shown, vec![false, true, false, true, true, true]);
    }

    /// A role hidden by a pair while `all` and the other roles are shown would be `all` minus
    /// the others: that derived figure is checked like a shown one, and another role goes.
    #[test]
    fn a_hidden_role_is_not_recovered_by_subtraction() {
        // Role 1 (0..8) has subject 0 over 1..8 and its index over 0..8; role 2 is 8..20.
        let (all0, r1_0, r1, r2) = (range(1, 20), range(1, 8), range(0, 8), range(8, 20));
        let b = board(
            3,
            &[
                (0, 0, false, &all0),
                (1, 0, false, &r1_0),
                (1, 1, true, &r1),
                (2, 0, false, &r2),
            ],
            20,
        );
        // With role 1's subject 0 hidden, all's minus role 2's gives it back (1..8), which
        // isolates respondent 0 against role 1's index: role 2's subject 0 must go.
        assert_eq!(
            b.unsafe_derived(&b.splits(), &[true, false, true, true], T),
            Some(3)
        );
        assert_eq!(
            b.unsafe_derived(&b.splits(), &[true, false, true, false], T),
            None
        );
    }

    #[test]
    fn a_part_threshold_above_the_all_threshold() {
        // A self-assessment: `all` at T 1, roles at T 5. Three answers, one in a second role:
        // `all` is shown, the roles are not.
        let t = Thresholds { all: 1, parts: 5 };
        let b = board(
            3,
            &[
                (0, 0, true, &range(0, 3)),
                (1, 0, true, &range(0, 2)),
                (2, 0, true, &range(2, 3)),
            ],
            3,
        );
        assert_eq!(b.settle(t), vec![true, false, false]);
    }
}
