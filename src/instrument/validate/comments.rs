//! Open questions (`comments`), their `comment_threshold` and the `themes` that code them
//! (SPEC §16): comment ids are response columns, so they follow the item id rules and clash
//! with no dimension, item, outcome or reserved column; the threshold is never below the
//! instrument's `anonymity_threshold`; a theme has an id, a label and at least one word.

use std::collections::HashMap;

use super::super::condition::{self, Context};
use super::super::model::InstrumentFile;
use super::super::{Comment, Dimension, Item, Role, Theme};
use super::{quote, Checker};

/// `max_chars` when not given.
pub const DEFAULT_MAX_CHARS: usize = 2000;
/// The largest `max_chars`: far beyond any comment, small enough for any cell.
pub const MAX_MAX_CHARS: i64 = 100_000;
/// `comment_threshold` when not given.
pub const DEFAULT_COMMENT_THRESHOLD: usize = 10;

/// Names a response file already uses for something else.
const RESERVED: [&str; 7] = [
    "none",
    "index",
    "respondent_id",
    "org",
    "role",
    "wave",
    "panel_id",
];

pub(super) struct OpenQuestions {
    pub comments: Vec<Comment>,
    pub threshold: usize,
    pub themes: Vec<Theme>,
}

pub(super) fn check(
    c: &mut Checker,
    file: &InstrumentFile,
    dimensions: &[Dimension],
    items: &[Item],
    roles: &[Role],
    anonymity_threshold: usize,
) -> OpenQuestions {
    let dimension_ids: Vec<String> = dimensions.iter().map(|d| d.id.clone()).collect();
    let comment_ids: Vec<String> = file.comments.iter().map(|d| d.id.value.clone()).collect();
    let mut comments = Vec::new();
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for def in &file.comments {
        let id = &def.id.value;
        if !is_id(id) {
            c.report(
                &def.id,
                format!(
                    "comment id `{}` must start with a lowercase letter and contain only lowercase letters, digits and `_`",
                    quote(id)
                ),
            );
        } else if RESERVED.contains(&id.as_str()) {
            c.report(
                &def.id,
                format!("`{id}` is reserved and cannot be the id of a comment; choose another"),
            );
        } else if dimensions.iter().any(|d| &d.id == id) || items.iter().any(|i| &i.id == id) {
            c.report(
                &def.id,
                format!(
                    "comment id `{id}` is already the id of a dimension, item or outcome; a comment needs a column of its own, so choose another"
                ),
            );
        } else if let Some(line) = seen.get(id.as_str()) {
            c.report(
                &def.id,
                format!(
                    "comment id `{id}` is already used at line {line}; comment ids must be unique"
                ),
            );
        } else {
            seen.insert(id, def.id.referenced.line());
        }
        if def.text.value.trim().is_empty() {
            c.report(
                &def.text,
                format!(
                    "comment `{}` has an empty text; write the question",
                    quote(id)
                ),
            );
        }
        let max_chars = match &def.max_chars {
            None => DEFAULT_MAX_CHARS,
            Some(m) if (1..=MAX_MAX_CHARS).contains(&m.value) => m.value as usize,
            Some(m) => {
                c.report(
                    m,
                    format!(
                        "max_chars of comment `{}` is {}; it must be a whole number from 1 to {MAX_MAX_CHARS}",
                        quote(id),
                        m.value
                    ),
                );
                DEFAULT_MAX_CHARS
            }
        };
        // A comment comes after every item and outcome, so its condition may name any of
        // them (SPEC §16), but no comment: free text has no value to compare.
        let show_if = def.show_if.as_ref().and_then(|show_if| {
            let ctx = Context {
                file: c.file,
                items,
                owner: id,
                before: items.len(),
                dimensions: &dimension_ids,
                comments: &comment_ids,
                roles,
            };
            condition::check(show_if, &ctx, &mut c.problems)
        });
        comments.push(Comment {
            id: id.clone(),
            text: def.text.value.trim().to_string(),
            max_chars,
            show_if,
        });
    }

    let threshold = match &file.comment_threshold {
        None => DEFAULT_COMMENT_THRESHOLD.max(anonymity_threshold),
        Some(t) if t.value >= 1 && t.value as u64 >= anonymity_threshold as u64 => t.value as usize,
        Some(t) => {
            c.report(
                t,
                format!(
                    "comment_threshold is {}; it must be a whole number no smaller than anonymity_threshold ({anonymity_threshold})",
                    t.value
                ),
            );
            DEFAULT_COMMENT_THRESHOLD.max(anonymity_threshold)
        }
    };

    let mut themes = Vec::new();
    let mut theme_ids: HashMap<&str, u64> = HashMap::new();
    if let (Some(first), true) = (file.themes.first(), file.comments.is_empty()) {
        c.report(
            &first.id,
            "themes code the answers to open questions, but no `comments` are defined; add one or remove `themes`",
        );
    }
    for def in &file.themes {
        let id = &def.id.value;
        if !is_id(id) {
            c.report(
                &def.id,
                format!(
                    "theme id `{}` must start with a lowercase letter and contain only lowercase letters, digits and `_`",
                    quote(id)
                ),
            );
        } else if let Some(line) = theme_ids.get(id.as_str()) {
            c.report(
                &def.id,
                format!("theme id `{id}` is already used at line {line}; theme ids must be unique"),
            );
        } else {
            theme_ids.insert(id, def.id.referenced.line());
        }
        if def.label.value.trim().is_empty() {
            c.report(
                &def.label,
                format!("theme `{}` has an empty label; name the theme", quote(id)),
            );
        }
        if def.words.value.is_empty() {
            c.report(
                &def.words,
                format!("theme `{}` has no words; list at least one", quote(id)),
            );
        }
        let mut words: Vec<String> = Vec::new();
        for word in &def.words.value {
            let text = word.value.trim();
            if crate::comments::words_of(text).is_empty() {
                c.report(
                    word,
                    format!(
                        "word `{}` of theme `{}` has no letter or digit, so it can match nothing; remove it",
                        quote(&word.value),
                        quote(id)
                    ),
                );
            } else if words
                .iter()
                .any(|w| crate::comments::words_of(w) == crate::comments::words_of(text))
            {
                c.report(
                    word,
                    format!(
                        "word `{}` is listed twice in theme `{}` (ignoring case); keep one",
                        quote(text),
                        quote(id)
                    ),
                );
            } else {
                words.push(text.to_string());
            }
        }
        themes.push(Theme {
            id: id.clone(),
            label: def.label.value.trim().to_string(),
            words,
        });
    }
    OpenQuestions {
        comments,
        threshold,
        themes,
    }
}

/// `[a-z][a-z0-9_]*`.
fn is_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

#[cfg(test)]
mod tests {
    use crate::instrument::load::parse;

    const MINI: &str = include_str!("../../../tests/fixtures/mini.yaml");

    #[test]
    fn defaults_fill_max_chars_and_the_threshold() {
        let yaml = format!("{MINI}comments:\n  - {{ id: why, text: \"  Why?  \" }}\n");
        let i = parse(&yaml, "s.yaml").expect("valid");
        assert_eq!(i.comments.len(), 1);
        assert_eq!(i.comments[0].text, "Why?");
        assert_eq!(i.comments[0].max_chars, super::DEFAULT_MAX_CHARS);
        assert_eq!(i.comment_threshold, 10);
        assert!(i.themes.is_empty());
        // No comments: nothing to show, the default still stands.
        assert!(parse(MINI, "mini.yaml").unwrap().comments.is_empty());
    }

    #[test]
    fn the_default_threshold_is_never_below_the_anonymity_threshold() {
        let yaml = format!("{MINI}comments:\n  - {{ id: why, text: Why? }}\n")
            .replace("anonymity_threshold: 5", "anonymity_threshold: 12");
        assert_eq!(parse(&yaml, "s.yaml").unwrap().comment_threshold, 12);
        let equal = format!("{MINI}comment_threshold: 5\n");
        assert_eq!(parse(&equal, "s.yaml").unwrap().comment_threshold, 5);
    }

    #[test]
    fn themes_keep_their_words_trimmed_in_file_order() {
        let yaml = format!(
            "{MINI}comments:\n  - {{ id: why, text: Why? }}\nthemes:\n  - {{ id: t, label: \" Training \", words: [\" coach \", sales training] }}\n"
        );
        let i = parse(&yaml, "s.yaml").unwrap();
        assert_eq!(i.themes[0].label, "Training");
        assert_eq!(i.themes[0].words, ["coach", "sales training"]);
    }

    #[test]
    fn a_comment_s_condition_may_name_any_item_or_outcome_but_no_comment() {
        use crate::instrument::condition::Condition;
        // The last outcome (`turnover_pct`) comes before every comment.
        let yaml = format!(
            "{MINI}comments:\n  - {{ id: why, text: Why?, show_if: {{ item: turnover_pct, at_least: 10 }} }}\n  - {{ id: more, text: More? }}\n"
        );
        let i = parse(&yaml, "s.yaml").expect("valid");
        assert_eq!(
            i.comments[0].show_if,
            Some(Condition::AtLeast {
                item: i.item_index("turnover_pct").unwrap(),
                x: 10.0
            })
        );
        assert!(i.comments[1].show_if.is_none());
        assert!(i.has_conditions());
        // Neither an earlier nor a later comment, nor the comment itself.
        for named in ["why", "more"] {
            let yaml = format!(
                "{MINI}comments:\n  - {{ id: why, text: Why? }}\n  - {{ id: more, text: More?, show_if: {{ item: {named}, answered: true }} }}\n"
            );
            let message = parse(&yaml, "s.yaml").unwrap_err().to_string();
            assert!(
                message.ends_with(&format!("the condition of `more` names `{named}`, an open question; a condition names an item or outcome, never a comment (free text has no value to compare)")),
                "{message}"
            );
        }
        // An item's condition cannot name a comment either.
        let yaml = format!("{MINI}comments:\n  - {{ id: why, text: Why? }}\n").replace(
            "type: number, min: 0, max: 100 }",
            "type: number, min: 0, max: 100, show_if: { item: why, answered: true } }",
        );
        let message = parse(&yaml, "s.yaml").unwrap_err().to_string();
        assert!(
            message.contains("names `why`, an open question"),
            "{message}"
        );
    }

    #[test]
    fn reserved_names_and_item_ids_cannot_be_comment_ids() {
        for id in ["org", "respondent_id", "index", "cap_bp", "capability"] {
            let yaml = format!("{MINI}comments:\n  - {{ id: {id}, text: Why? }}\n");
            assert!(parse(&yaml, "s.yaml").is_err(), "{id}");
        }
    }
}
