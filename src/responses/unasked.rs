//! Answers to items that were not asked (SPEC §16): exports of survey tools without skip logic
//! and hand-filled templates may hold them. They are ignored when scoring; this module counts
//! them per item and words the warning, which names the first lines so the file can be checked.
//! `validate --strict` fails on them.

use crate::instrument::Instrument;

/// How many lines a warning names per item.
pub const FIRST_LINES: usize = 3;

/// The ignored answers of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct Unasked {
    pub item: usize,
    pub count: usize,
    /// `file:line` of the first few.
    pub first: Vec<String>,
}

/// Counts one ignored answer.
pub fn record(all: &mut Vec<Unasked>, item: usize, file: &str, line: u64) {
    let at = match all.iter().position(|u| u.item == item) {
        Some(at) => at,
        None => {
            all.push(Unasked {
                item,
                count: 0,
                first: Vec::new(),
            });
            all.len() - 1
        }
    };
    let entry = &mut all[at];
    entry.count += 1;
    if entry.first.len() < FIRST_LINES {
        entry.first.push(format!("{file}:{line}"));
    }
}

/// One warning per item, in instrument order.
pub fn warnings(instrument: &Instrument, all: &[Unasked]) -> Vec<String> {
    let mut sorted: Vec<&Unasked> = all.iter().collect();
    sorted.sort_by_key(|u| u.item);
    sorted
        .into_iter()
        .map(|u| {
            let more = if u.count > u.first.len() { ", …" } else { "" };
            format!(
                "item `{}`: {} answer{} given where the question is not asked (its `show_if` does not hold) {} ignored ({}{more}); clear {} or check the condition",
                instrument.items[u.item].id,
                u.count,
                if u.count == 1 { "" } else { "s" },
                if u.count == 1 { "was" } else { "were" },
                u.first.join(", "),
                if u.count == 1 { "that cell" } else { "those cells" },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_answers_are_counted_per_item_with_their_first_lines() {
        let instrument = crate::instrument::load::parse(
            include_str!("../../tests/fixtures/mini.yaml"),
            "mini.yaml",
        )
        .unwrap();
        let mut all = Vec::new();
        for line in 2..7 {
            record(&mut all, 3, "a.csv", line);
        }
        record(&mut all, 1, "b.csv", 9);
        assert_eq!(
            warnings(&instrument, &all),
            [
                "item `col_2`: 1 answer given where the question is not asked (its `show_if` does not hold) was ignored (b.csv:9); clear that cell or check the condition",
                "item `cap_staff`: 5 answers given where the question is not asked (its `show_if` does not hold) were ignored (a.csv:2, a.csv:3, a.csv:4, …); clear those cells or check the condition",
            ]
        );
    }
}
