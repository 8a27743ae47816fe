//! Answers to questions that were not asked (SPEC §16): exports of survey tools without skip
//! logic and hand-filled templates may hold them. They are ignored when scoring, also when the
//! cell could not have been read; this module counts them per item or open question and words
//! the warning, which names the first lines so the file can be checked. `validate --strict`
//! fails on them.

use crate::instrument::Instrument;

/// How many lines a warning names per question.
pub const FIRST_LINES: usize = 3;

/// A question that may be asked only under a condition: an item (or outcome), or an open
/// question. Items sort first, as the questionnaire asks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Question {
    Item(usize),
    Comment(usize),
}

/// The ignored answers of one question.
#[derive(Debug, Clone, PartialEq)]
pub struct Unasked {
    pub question: Question,
    pub count: usize,
    /// How many of them could not have been read as an answer of the item either.
    pub unreadable: usize,
    /// `file:line` of the first few.
    pub first: Vec<String>,
}

/// Counts one ignored answer (`unreadable`: one that is no valid answer of the item).
pub fn record(all: &mut Vec<Unasked>, question: Question, unreadable: bool, file: &str, line: u64) {
    let at = match all.iter().position(|u| u.question == question) {
        Some(at) => at,
        None => {
            all.push(Unasked {
                question,
                count: 0,
                unreadable: 0,
                first: Vec::new(),
            });
            all.len() - 1
        }
    };
    let entry = &mut all[at];
    entry.count += 1;
    entry.unreadable += usize::from(unreadable);
    if entry.first.len() < FIRST_LINES {
        entry.first.push(format!("{file}:{line}"));
    }
}

/// One warning per question, items in instrument order, then open questions.
pub fn warnings(instrument: &Instrument, all: &[Unasked]) -> Vec<String> {
    let mut sorted: Vec<&Unasked> = all.iter().collect();
    sorted.sort_by_key(|u| u.question);
    sorted
        .into_iter()
        .map(|u| {
            let more = if u.count > u.first.len() { ", …" } else { "" };
            let what = match u.question {
                Question::Item(i) => format!("item `{}`", instrument.items[i].id),
                Question::Comment(c) => format!("comment `{}`", instrument.comments[c].id),
            };
            let unreadable = match (u.unreadable, u.count) {
                (0, _) => String::new(),
                (1, 1) => ", and it is no answer the item can take".into(),
                (k, n) if k == n => ", and none of them is an answer the item can take".into(),
                (k, _) => format!(
                    ", and {k} of them {} no answer the item can take",
                    if k == 1 { "is" } else { "are" }
                ),
            };
            format!(
                "{what}: {} answer{} given where the question is not asked (its `show_if` does not hold) {} ignored ({}{more}){unreadable}; clear {} or check the condition",
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
    fn ignored_answers_are_counted_per_question_with_their_first_lines() {
        let instrument = crate::instrument::load::parse(
            &format!(
                "{}comments:\n  - {{ id: why, text: Why? }}\n",
                include_str!("../../tests/fixtures/mini.yaml")
            ),
            "mini.yaml",
        )
        .unwrap();
        let mut all = Vec::new();
        record(&mut all, Question::Comment(0), false, "a.csv", 4);
        for line in 2..7 {
            record(&mut all, Question::Item(3), line == 5, "a.csv", line);
        }
        record(&mut all, Question::Item(1), false, "b.csv", 9);
        record(&mut all, Question::Item(0), true, "b.csv", 9);
        assert_eq!(
            warnings(&instrument, &all),
            [
                "item `col_1`: 1 answer given where the question is not asked (its `show_if` does not hold) was ignored (b.csv:9), and it is no answer the item can take; clear that cell or check the condition",
                "item `col_2`: 1 answer given where the question is not asked (its `show_if` does not hold) was ignored (b.csv:9); clear that cell or check the condition",
                "item `cap_staff`: 5 answers given where the question is not asked (its `show_if` does not hold) were ignored (a.csv:2, a.csv:3, a.csv:4, …), and 1 of them is no answer the item can take; clear those cells or check the condition",
                "comment `why`: 1 answer given where the question is not asked (its `show_if` does not hold) was ignored (a.csv:4); clear that cell or check the condition",
            ]
        );
    }
}
