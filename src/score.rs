//! Item → dimension → index → level for one respondent (SPEC §4). Pure functions; no I/O.
//!
//! Missing values are `f64::NAN` in the compact per-row buffers the importer fills, so a row
//! needs no allocation; every function here treats NaN as "not answered".

use std::cmp::Ordering;

use crate::instrument::{Instrument, ItemKind};

/// The relative tolerance of SPEC §4: computed values closer than this share of their size
/// (at least of 1) are equal. Far above the last-bit noise of a mean summed in another order
/// (about 1e-14 for scores on 0–100), far below any difference a report shows.
pub const TOLERANCE: f64 = 1e-9;

/// Compares two computed values as SPEC §4 says: equal when `|a − b| ≤ 1e-9·max(1, |a|, |b|)`,
/// otherwise in their exact order; `None` when either is NaN (missing). Every threshold, gate,
/// flag and percentile count compares through this function, so a mean summed in another
/// order never changes a level, a flag or a rank.
pub fn compare(a: f64, b: f64) -> Option<Ordering> {
    if (a - b).abs() <= TOLERANCE * a.abs().max(b.abs()).max(1.0) {
        return Some(Ordering::Equal);
    }
    a.partial_cmp(&b)
}

/// `a ≥ b` within the tolerance of [`compare`]; false when either is missing.
pub fn at_least(a: f64, b: f64) -> bool {
    matches!(compare(a, b), Some(Ordering::Greater | Ordering::Equal))
}

/// `a < b` and not equal within the tolerance of [`compare`]; false when either is missing.
pub fn below(a: f64, b: f64) -> bool {
    compare(a, b) == Some(Ordering::Less)
}

/// A parsed cell before it becomes a 0–100 score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    /// Empty cell or an `na` label.
    Missing,
    /// Scale code `1..=k`.
    Code(u32),
    Number(f64),
    Bool(bool),
    /// Index of the chosen option of a choice item.
    Choice(usize),
    /// Number of distinct options chosen in a multi item (0 for `none`).
    Count(u32),
}

/// The item score on 0–100, with reverse keying applied; NaN when missing.
pub fn item_score(kind: &ItemKind, reverse: bool, answer: Answer) -> f64 {
    let raw = match (kind, answer) {
        (_, Answer::Missing) => return f64::NAN,
        (ItemKind::Scale { labels, .. }, Answer::Code(c)) => {
            100.0 * (c as f64 - 1.0) / (labels.len() as f64 - 1.0)
        }
        // x lies in [min, max], but the division may round just past 100 (and reversed, just
        // below 0): clamp to the scale.
        (ItemKind::Number { min, max }, Answer::Number(x)) => {
            (100.0 * (x - min) / (max - min)).clamp(0.0, 100.0)
        }
        (ItemKind::Boolean, Answer::Bool(b)) => {
            if b {
                100.0
            } else {
                0.0
            }
        }
        (ItemKind::Choice { options }, Answer::Choice(i)) => options[i].score,
        (ItemKind::Multi { full_at, .. }, Answer::Count(n)) => {
            100.0 * (n.min(*full_at) as f64) / (*full_at as f64)
        }
        // The importer only produces answers of the item's own kind.
        _ => return f64::NAN,
    };
    if reverse {
        100.0 - raw
    } else {
        raw
    }
}

/// The answer an item score came from (the inverse of [`item_score`]): the 0-based scale code,
/// boolean (0 no, 1 yes) or choice option; `None` for numbers, multi items and missing scores.
/// Choice scores may repeat across options; the first option with the score is returned.
pub fn answer_category(kind: &ItemKind, reverse: bool, score: f64) -> Option<usize> {
    if score.is_nan() {
        return None;
    }
    let raw = if reverse { 100.0 - score } else { score };
    match kind {
        ItemKind::Scale { labels, .. } => {
            Some((raw * (labels.len() - 1) as f64 / 100.0).round() as usize)
        }
        ItemKind::Boolean => Some(usize::from(raw >= 50.0)),
        // `100 − (100 − s)` need not give back `s` to the last bit.
        ItemKind::Choice { options } => options
            .iter()
            .position(|o| compare(o.score, raw) == Some(Ordering::Equal)),
        _ => None,
    }
}

/// Weighted mean of the present values; NaN when the share present (by count) is below
/// `min_answered` or nothing is present. Sums run left to right, so results are reproducible.
pub fn weighted_mean(values: impl Iterator<Item = (f64, f64)>, min_answered: f64) -> f64 {
    let (mut total, mut weights, mut present, mut count) = (0.0, 0.0, 0usize, 0usize);
    for (value, weight) in values {
        count += 1;
        if !value.is_nan() {
            total += weight * value;
            weights += weight;
            present += 1;
        }
    }
    if present == 0 || (present as f64) < min_answered * count as f64 {
        return f64::NAN;
    }
    total / weights
}

/// Fills `dimensions` (one slot per dimension) from the row's item scores and returns the
/// index. `items` holds the scores of the scored items, in instrument order. With `asked`
/// (an instrument with conditional items, SPEC §16), an item not asked counts neither as
/// answered nor as unanswered: the share of `min_answered` and the weighted mean are over the
/// asked items; a dimension none of whose items was asked has no score and is left out of the
/// index the same way.
///
/// `asked` is generic rather than `dyn`, so that the import's look-up (once per item, and
/// once per item again for the dimensions asked) is inlined instead of called indirectly.
pub fn score_respondent<A: Fn(usize) -> bool + ?Sized>(
    instrument: &Instrument,
    items: &[f64],
    asked: Option<&A>,
    dimensions: &mut [f64],
) -> f64 {
    let Some(asked) = asked else {
        // Every item asked: the plain means, without a look-up per item.
        for (slot, dimension) in dimensions.iter_mut().zip(&instrument.dimensions) {
            let range = dimension.items.clone();
            *slot = weighted_mean(
                items[range.clone()]
                    .iter()
                    .zip(&instrument.items[range])
                    .map(|(&s, item)| (s, item.weight)),
                instrument.min_answered,
            );
        }
        return weighted_mean(
            dimensions
                .iter()
                .zip(&instrument.dimensions)
                .map(|(&s, d)| (s, d.weight)),
            instrument.min_answered,
        );
    };
    let is_asked = |i: usize| asked(i);
    for (slot, dimension) in dimensions.iter_mut().zip(&instrument.dimensions) {
        let range = dimension.items.clone();
        *slot = weighted_mean(
            range
                .filter(|&i| is_asked(i))
                .map(|i| (items[i], instrument.items[i].weight)),
            instrument.min_answered,
        );
    }
    weighted_mean(
        dimensions
            .iter()
            .zip(&instrument.dimensions)
            .filter(|(_, d)| d.items.clone().any(is_asked))
            .map(|(&s, d)| (s, d.weight)),
        instrument.min_answered,
    )
}

/// The respondent's level (its position, at most 100 levels fit a byte), or `None` when the
/// index is missing, from NaN-as-missing scores.
pub fn level(instrument: &Instrument, index: f64, dimensions: &[f64]) -> Option<u8> {
    level_of_asked::<dyn Fn(usize) -> bool>(instrument, index, dimensions, None)
}

/// [`level`] for a respondent who was not asked some items (SPEC §16): a gate holds over the
/// dimensions that were asked; a dimension none of whose items was asked does not fail it.
pub fn level_of_asked<A: Fn(usize) -> bool + ?Sized>(
    instrument: &Instrument,
    index: f64,
    dimensions: &[f64],
    asked: Option<&A>,
) -> Option<u8> {
    if index.is_nan() {
        return None;
    }
    let dimension_asked =
        |d: usize| asked.is_none_or(|asked| instrument.dimensions[d].items.clone().any(asked));
    let mut found = 0;
    for (i, level) in instrument.levels.iter().enumerate() {
        let gate = level.min_each_dimension.is_none_or(|gate| {
            dimensions
                .iter()
                .enumerate()
                .all(|(d, &s)| !dimension_asked(d) || at_least(s, gate))
        });
        if at_least(index, level.min) && gate {
            found = i;
        }
    }
    Some(found as u8)
}

/// Converts NaN-as-missing to `Option`.
pub fn present(value: f64) -> Option<f64> {
    (!value.is_nan()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::ChoiceOption;

    fn scale(k: usize) -> ItemKind {
        ItemKind::Scale {
            scale: "s".into(),
            labels: (0..k).map(|i| format!("l{i}")).collect(),
            na: vec![],
        }
    }

    #[test]
    fn item_scores_follow_spec_formulas() {
        // 100·(c−1)/(k−1): code 4 of 5 → 75; code 2 of 4 → 33.33…
        assert_eq!(item_score(&scale(5), false, Answer::Code(4)), 75.0);
        assert!((item_score(&scale(4), false, Answer::Code(2)) - 100.0 / 3.0).abs() < 1e-12);
        // reverse: 100 − 75 = 25
        assert_eq!(item_score(&scale(5), true, Answer::Code(4)), 25.0);
        // number 0..3, x = 2 → 66.66…
        let number = ItemKind::Number { min: 0.0, max: 3.0 };
        assert!((item_score(&number, false, Answer::Number(2.0)) - 200.0 / 3.0).abs() < 1e-12);
        // 100·(−905 + 954.4)/49.4 rounds to 100.00000000000001; reversed it must not fall below 0.
        let odd = ItemKind::Number {
            min: -954.4,
            max: -905.0,
        };
        assert_eq!(item_score(&odd, false, Answer::Number(-905.0)), 100.0);
        assert_eq!(item_score(&odd, true, Answer::Number(-905.0)), 0.0);
        assert_eq!(
            item_score(&ItemKind::Boolean, false, Answer::Bool(true)),
            100.0
        );
        assert_eq!(
            item_score(&ItemKind::Boolean, true, Answer::Bool(true)),
            0.0
        );
        let choice = ItemKind::Choice {
            options: vec![
                ChoiceOption {
                    id: "a".into(),
                    label: "A".into(),
                    score: 0.0,
                },
                ChoiceOption {
                    id: "b".into(),
                    label: "B".into(),
                    score: 40.0,
                },
            ],
        };
        assert_eq!(item_score(&choice, false, Answer::Choice(1)), 40.0);
        // multi with full_at 8: 5 chosen → 62.5; 10 chosen caps at 100; none → 0
        let multi = ItemKind::Multi {
            labels: None,
            options: vec![String::new(); 12],
            full_at: 8,
        };
        assert_eq!(item_score(&multi, false, Answer::Count(5)), 62.5);
        assert_eq!(item_score(&multi, false, Answer::Count(10)), 100.0);
        assert_eq!(item_score(&multi, false, Answer::Count(0)), 0.0);
        assert!(item_score(&multi, false, Answer::Missing).is_nan());
    }

    #[test]
    fn answer_categories_invert_item_scores() {
        for reverse in [false, true] {
            for c in 1..=5 {
                let s = item_score(&scale(5), reverse, Answer::Code(c));
                assert_eq!(answer_category(&scale(5), reverse, s), Some(c as usize - 1));
            }
            let yes = item_score(&ItemKind::Boolean, reverse, Answer::Bool(true));
            assert_eq!(answer_category(&ItemKind::Boolean, reverse, yes), Some(1));
        }
        assert_eq!(answer_category(&scale(5), false, f64::NAN), None);
    }

    #[test]
    fn values_within_the_tolerance_compare_equal() {
        // The pair: the same sum in two orders.
        let (a, b) = (70.69444444444444, 70.69444444444446);
        assert_ne!(a, b);
        assert_eq!(compare(a, b), Some(Ordering::Equal));
        assert!(at_least(a, b) && at_least(b, a));
        assert!(!below(a, b) && !below(b, a));
        // Near zero the tolerance is absolute (1e-9), elsewhere relative.
        assert_eq!(compare(0.0, 1e-9), Some(Ordering::Equal));
        assert_eq!(compare(0.0, 1.1e-9), Some(Ordering::Less));
        assert_eq!(compare(100.0, 100.0 + 9e-8), Some(Ordering::Equal));
        assert_eq!(compare(100.0, 100.0 + 2e-7), Some(Ordering::Less));
        assert!(below(59.9, 60.0) && at_least(60.0, 59.9));
        // A missing value is neither at least nor below anything.
        assert_eq!(compare(f64::NAN, 1.0), None);
        assert!(!at_least(f64::NAN, 0.0) && !below(f64::NAN, 100.0));
    }

    #[test]
    fn a_level_threshold_reached_up_to_the_last_bit_holds() {
        let instrument = crate::instrument::load::parse(
            include_str!("../tests/fixtures/mini.yaml"),
            "mini.yaml",
        )
        .expect("the mini instrument is valid");
        // mini: levels at 0, 50 and 75, the last gated at 60 on each dimension.
        let just_below = 50.0 - 50.0 * f64::EPSILON;
        assert_eq!(level(&instrument, just_below, &[50.0, 50.0]), Some(1));
        // Gate 60 met by 59.99999999999999 (60 summed another way), threshold 75 by 75 − ε.
        let gate = 60.0 - 60.0 * f64::EPSILON;
        assert_eq!(level(&instrument, 75.0 - 1e-13, &[gate, 80.0]), Some(2));
        assert_eq!(level(&instrument, 75.0, &[59.9, 80.0]), Some(1));
    }

    /// mini with collaboration asked of sales representatives only and `cap_owner` asked only
    /// when a named HR partner serves Sales (`cap_bp`).
    fn conditional() -> Instrument {
        let text = include_str!("../tests/fixtures/mini.yaml")
            .replace(
                "scale: freq4 }",
                "scale: freq4, show_if: { role: [sales_rep] } }",
            )
            .replace(
                "reverse: true }",
                "reverse: true, show_if: { role: [sales_rep] } }",
            )
            .replace(
                "      - id: cap_owner\n",
                "      - id: cap_owner\n        show_if: { item: cap_bp, is: true }\n",
            );
        crate::instrument::load::parse(&text, "c.yaml").expect("valid")
    }

    #[test]
    fn a_dimension_with_conditional_items_scores_over_the_asked_items() {
        let i = conditional();
        let nan = f64::NAN;
        // Items: col_1, col_2 | cap_tasks, cap_staff, cap_bp, cap_owner | turnover_pct.
        // An HR respondent: collaboration is not asked; cap_bp = no, so cap_owner is not asked
        // (an answer to it, `joint` = 100, is ignored). Asked: cap_tasks, cap_staff, cap_bp.
        let scores = [nan, nan, 50.0, 100.0, 0.0, 100.0, nan];
        let asked = |k: usize| ![0, 1, 5].contains(&k);
        let mut dims = [0.0; 2];
        let index = score_respondent(&i, &scores, Some(&asked), &mut dims);
        // capability = (50 + 100 + 0) / 3 = 50; collaboration has no score; index = 50 alone
        // (collaboration's weight 2 does not pull it down).
        assert!(dims[0].is_nan());
        assert_eq!(dims[1], 50.0);
        assert_eq!(index, 50.0);
        // min_answered 0.5 over the asked items: 2 of 3 answered is enough (it would also be
        // 2 of 4 with cap_owner counted, but 1 of 3 is not, and 1 of 2 asked is).
        let two = [nan, nan, nan, 100.0, 0.0, nan, nan];
        let index = score_respondent(&i, &two, Some(&asked), &mut dims);
        assert_eq!((dims[1], index), (50.0, 50.0));
        let one = [nan, nan, nan, nan, 0.0, nan, nan];
        assert!(score_respondent(&i, &one, Some(&asked), &mut dims).is_nan());
        let asked_owner = |k: usize| ![0, 1, 2, 3].contains(&k);
        let index = score_respondent(&i, &one, Some(&asked_owner), &mut dims);
        assert_eq!((dims[1], index), (0.0, 0.0));
        // A sales rep asked everything: collaboration (weight 2) = (100·(3−1)/3 + (100 − 75)) / 2
        // = (66.67 + 25) / 2 = 45.83; capability (weight 1) = (50 + 100 + 100 + 100) / 4 = 87.5;
        // index = (2·45.83 + 87.5) / 3 = 59.72.
        let all = [200.0 / 3.0, 25.0, 50.0, 100.0, 100.0, 100.0, nan];
        let index = score_respondent(&i, &all, Some(&|_| true), &mut dims);
        let collaboration = (200.0 / 3.0 + 25.0) / 2.0;
        assert_eq!(dims, [collaboration, 87.5]);
        assert!((index - (2.0 * collaboration + 87.5) / 3.0).abs() < 1e-12);
        assert!((index - 59.722_222_222_222).abs() < 1e-9);
    }

    #[test]
    fn a_gate_holds_over_the_dimensions_asked() {
        let i = conditional();
        // mini's gate: strategic at 75 with 60 in each dimension; collaboration not asked.
        let asked = |k: usize| k >= 2;
        assert_eq!(
            level_of_asked(&i, 80.0, &[f64::NAN, 80.0], Some(&asked)),
            Some(2)
        );
        // Asked but missing still fails the gate, as before.
        assert_eq!(
            level_of_asked(&i, 80.0, &[f64::NAN, 80.0], Some(&|_| true)),
            Some(1)
        );
    }

    #[test]
    fn weighted_mean_respects_min_answered() {
        // (2·50 + 1·80)/3 = 60
        let v = [(50.0, 2.0), (80.0, 1.0), (f64::NAN, 1.0)];
        assert_eq!(weighted_mean(v.into_iter(), 0.5), 60.0);
        // 2 of 3 answered = 0.667 < 0.7 → missing
        assert!(weighted_mean(v.into_iter(), 0.7).is_nan());
        // exactly at the edge: 2 of 4 = 0.5 ≥ 0.5 → present
        let w = [(10.0, 1.0), (f64::NAN, 1.0), (20.0, 1.0), (f64::NAN, 1.0)];
        assert_eq!(weighted_mean(w.into_iter(), 0.5), 15.0);
        // 1 of 4 < 0.5 → missing; nothing answered → missing
        let x = [
            (10.0, 1.0),
            (f64::NAN, 1.0),
            (f64::NAN, 1.0),
            (f64::NAN, 1.0),
        ];
        assert!(weighted_mean(x.into_iter(), 0.5).is_nan());
        assert!(weighted_mean(std::iter::empty(), 0.5).is_nan());
    }
}
