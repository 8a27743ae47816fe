//! Open questions (SPEC §16): which organization-waves show their comments, in what order,
//! and which themes each comment belongs to. The import keeps the answers
//! ([`crate::responses::Respondents::comment`]); this module decides; the renderers (the data
//! file `comments.csv`, the organization page, the workbook) only print what it returns.
//!
//! A question's comments are shown for an organization-wave when
//! 1. the organization-wave is reported at all (§6);
//! 2. at least `comment_threshold` respondents answered the question (1 in a self-assessment);
//! 3. no subtraction (§15): the commenters form a respondent set like any figure's, so for
//!    every shown figure of the `all` group (the index, each dimension, each item) and every
//!    question shown before it, |A \ B| and |B \ A| are each 0 or at least T. Comments give
//!    way: where a pair breaks this, the comments are hidden, never the score.
//!
//! Shown comments carry nothing but their text: no role, unit, score or respondent id, in an
//! order that follows neither input order nor any answer (by the SHA-256 of the text).

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::analysis::Analysis;
use crate::instrument::{Instrument, Theme};
use crate::responses::{answered_words, Dataset};
use crate::results::{Figure, ItemFigure, Reported};

/// One question's comments in one organization-wave.
#[derive(Debug, Clone, PartialEq)]
pub enum Question<'a> {
    Shown(Shown<'a>),
    Hidden(Hidden),
}

/// Why a question's comments are not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hidden {
    /// Fewer than `comment_threshold` respondents answered it.
    FewerThan(usize),
    /// Nobody answered it, where one answer would be shown (a self-assessment).
    Unanswered,
    /// As [`Hidden::Unanswered`], for a question with a `show_if`: left blank, or not asked.
    UnansweredOrNotAsked,
    /// Enough answered, but showing them would let a smaller group be isolated (SPEC §15).
    Protect,
}

impl Hidden {
    /// The words pages use; never the number of commenters.
    pub fn phrase(self) -> String {
        match self {
            Hidden::FewerThan(t) => {
                format!("Fewer than {t} respondents answered this question; its comments are not shown.")
            }
            Hidden::Unanswered => "No answer to this question.".into(),
            Hidden::UnansweredOrNotAsked => {
                "No answer to this question: it was left blank, or an earlier answer meant it was not asked.".into()
            }
            Hidden::Protect => {
                "Not shown, to protect a smaller group (too few people set those who answered apart from those behind a score of this page).".into()
            }
        }
    }
}

/// The comments of one question, sorted, each with its themes.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown<'a> {
    pub comments: Vec<Coded<'a>>,
    /// Per theme of the instrument (in its order): how many of the comments belong to it.
    pub theme_counts: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Coded<'a> {
    pub text: &'a str,
    /// Positions of the themes it belongs to, in instrument order.
    pub themes: Vec<usize>,
}

/// An answer trimmed and cut at `max` characters (then trimmed again); whether it was cut.
pub fn cut(text: &str, max: usize) -> (&str, bool) {
    let text = text.trim();
    // No more bytes than `max`, so no more characters: nothing to count.
    if text.len() <= max {
        return (text, false);
    }
    match text.char_indices().nth(max) {
        Some((end, _)) => (text[..end].trim_end(), true),
        None => (text, false),
    }
}

/// The words of a text as themes compare them: Unicode NFC, lowercased, split at every
/// character that is neither a letter, a mark nor a digit (a simple form of the word
/// boundaries of Unicode UAX #29: `Coaching,` → `coaching`; `re-onboarding` → `re`,
/// `onboarding`; `HR's` → `hr`, `s`).
pub fn words_of(text: &str) -> Vec<String> {
    let folded: String = text.nfc().flat_map(char::to_lowercase).collect();
    folded
        .split(|c: char| !(c.is_alphanumeric() || is_mark(c)))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Combining marks that NFC leaves apart from their letter (they belong to the word).
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Whether a comment (as [`words_of`]) contains one of the theme's words or phrases as whole
/// words: a phrase of several words matches those words in a row.
pub fn in_theme(theme: &Theme, words: &[String]) -> bool {
    theme.words.iter().any(|phrase| {
        let phrase = words_of(phrase);
        !phrase.is_empty() && words.windows(phrase.len()).any(|w| w == phrase.as_slice())
    })
}

/// Every question's comments of a reported organization-wave, in instrument order; `None`
/// when the instrument has no open questions or the organization-wave is not reported.
pub fn of_org_wave<'a>(analysis: &'a Analysis, org_wave: usize) -> Option<Vec<Question<'a>>> {
    let instrument = analysis.instrument;
    if instrument.comments.is_empty() {
        return None;
    }
    let result = &analysis.results[org_wave];
    let reported = result.reported()?;
    Some(questions(instrument, analysis.data, &result.rows, reported))
}

fn questions<'a>(
    instrument: &Instrument,
    data: &'a Dataset,
    rows: &[u32],
    reported: &Reported,
) -> Vec<Question<'a>> {
    let r = &data.respondents;
    let d = instrument.dimensions.len();
    let t = instrument.anonymity_threshold;
    // The respondent sets of the shown figures of `all`.
    let mut shown_sets: Vec<Vec<bool>> = Vec::new();
    for (measure, figure) in reported.all.figures() {
        if let Figure::Shown(_) = figure {
            let m = measure.slot(d);
            shown_sets.push(
                rows.iter()
                    .map(|&row| !crate::aggregate::measure_value(data, d, row as usize, m).is_nan())
                    .collect(),
            );
        }
    }
    let words = answered_words(instrument.scored_items().len());
    for (item, figure) in reported.items.iter().enumerate() {
        if let ItemFigure::Shown { .. } = figure {
            shown_sets.push(
                rows.iter()
                    .map(|&row| r.answered(row as usize, item, words))
                    .collect(),
            );
        }
    }
    let mut out = Vec::new();
    for c in 0..instrument.comments.len() {
        let set: Vec<bool> = rows
            .iter()
            .map(|&row| !r.comment(row as usize, c).is_empty())
            .collect();
        let n = set.iter().filter(|&&b| b).count();
        if n < instrument.comment_threshold {
            out.push(Question::Hidden(match instrument.comment_threshold {
                1 if instrument.comments[c].show_if.is_some() => Hidden::UnansweredOrNotAsked,
                1 => Hidden::Unanswered,
                t => Hidden::FewerThan(t),
            }));
            continue;
        }
        if shown_sets.iter().any(|other| isolates(&set, other, t)) {
            out.push(Question::Hidden(Hidden::Protect));
            continue;
        }
        let mut comments: Vec<(Vec<u8>, Coded)> = rows
            .iter()
            .map(|&row| r.comment(row as usize, c))
            .filter(|text| !text.is_empty())
            .map(|text| {
                let words = words_of(text);
                let themes = (0..instrument.themes.len())
                    .filter(|&k| in_theme(&instrument.themes[k], &words))
                    .collect();
                (
                    Sha256::digest(text.as_bytes()).to_vec(),
                    Coded { text, themes },
                )
            })
            .collect();
        comments.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.text.cmp(b.1.text)));
        let comments: Vec<Coded> = comments.into_iter().map(|(_, c)| c).collect();
        let theme_counts = (0..instrument.themes.len())
            .map(|k| comments.iter().filter(|c| c.themes.contains(&k)).count())
            .collect();
        shown_sets.push(set);
        out.push(Question::Shown(Shown {
            comments,
            theme_counts,
        }));
    }
    out
}

/// SPEC §15: whether figures over sets `a` and `b` (of the same rows) let a reader isolate
/// between 1 and `t` − 1 respondents.
fn isolates(a: &[bool], b: &[bool], t: usize) -> bool {
    let only_a = a.iter().zip(b).filter(|(x, y)| **x && !**y).count();
    let only_b = a.iter().zip(b).filter(|(x, y)| !**x && **y).count();
    let small = |k: usize| k > 0 && k < t;
    small(only_a) || small(only_b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(words: &[&str]) -> Theme {
        Theme {
            id: "t".into(),
            label: "T".into(),
            words: words.iter().map(|w| w.to_string()).collect(),
        }
    }

    #[test]
    fn answers_are_trimmed_and_cut_at_max_chars() {
        assert_eq!(cut("  hello  ", 10), ("hello", false));
        assert_eq!(cut("hello", 5), ("hello", false));
        assert_eq!(cut("hello world", 6), ("hello", true));
        assert_eq!(cut("ééééé", 3), ("ééé", true));
        assert_eq!(cut("", 3), ("", false));
    }

    #[test]
    fn words_split_at_unicode_boundaries_ignoring_case() {
        assert_eq!(words_of("Coaching, please!"), ["coaching", "please"]);
        assert_eq!(
            words_of("HR's re-onboarding"),
            ["hr", "s", "re", "onboarding"]
        );
        assert_eq!(
            words_of("Schulung für Vertrieb"),
            ["schulung", "für", "vertrieb"]
        );
        // A decomposed é (e + combining acute) is one word with the composed one.
        assert_eq!(words_of("cafe\u{301}"), words_of("café"));
        assert_eq!(words_of("ÉQUIPE"), ["équipe"]);
        assert!(words_of(" -- ").is_empty());
    }

    #[test]
    fn themes_match_whole_words_and_phrases() {
        let training = theme(&["training", "coach", "sales training"]);
        let has = |text: &str| in_theme(&training, &words_of(text));
        assert!(has("More TRAINING for managers"));
        assert!(has("a coach."));
        assert!(!has("coaching would help"), "coach is not coaching");
        assert!(!has("retraining"));
        assert!(has("Sales  training first"));
        assert!(!in_theme(
            &theme(&["sales training"]),
            &words_of("sales and training")
        ));
    }

    #[test]
    fn isolation_needs_differences_of_zero_or_at_least_t() {
        let a = [true; 10];
        let mut b = [true; 10];
        assert!(!isolates(&a, &b, 5));
        b[0] = false;
        assert!(isolates(&a, &b, 5));
        let c = [
            true, true, true, true, true, false, false, false, false, false,
        ];
        assert!(!isolates(&a, &c, 5));
        assert!(!isolates(&a, &b, 1));
    }
}
