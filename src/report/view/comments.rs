//! The organization page's open questions (SPEC §16): per question its shown comments, as
//! written, in the order [`crate::comments`] gives (by hash, never by respondent), with the
//! count and share of comments per theme; or why they are hidden. Nothing beside a comment
//! names a role, a unit, a score or a respondent.

use serde::Serialize;

use crate::analysis::Analysis;
use crate::comments::{self, Question};
use crate::output::number::share;

#[derive(Serialize)]
pub struct CommentSection {
    /// The question as asked.
    pub question: String,
    /// Why no comment is shown; empty when they are.
    pub hidden: String,
    /// "12 comments".
    pub count: String,
    pub themes: Vec<ThemeRow>,
    pub comments: Vec<String>,
}

#[derive(Serialize)]
pub struct ThemeRow {
    pub label: String,
    pub count: usize,
    pub share: String,
}

/// The methods appendix's words on open questions: the rule, and where the page shows no
/// comment, why (the printed page leaves the section out then).
pub fn note(analysis: &Analysis, sections: &[CommentSection], self_assessment: bool) -> String {
    if sections.is_empty() {
        return String::new();
    }
    let i = analysis.instrument;
    let note = if self_assessment {
        "Your comments are listed as written, in an order unrelated to who wrote them.".to_string()
    } else {
        format!(
            "Comments are shown for a question that at least {} respondents answered, and only where those who answered differ by none or by at least {} people from those behind each score of this page; they are listed as written, in an order unrelated to who wrote them (by a hash of the text), with no role, name or score. Themes count the comments that contain one of a theme's words as a whole word, ignoring case.",
            i.comment_threshold, i.anonymity_threshold
        )
    };
    note
}

/// One section per open question of the instrument, for the page's organization-wave; empty
/// when the instrument asks none.
pub fn sections(analysis: &Analysis, org_wave: usize) -> Vec<CommentSection> {
    let instrument = analysis.instrument;
    let Some(questions) = comments::of_org_wave(analysis, org_wave) else {
        return Vec::new();
    };
    questions
        .into_iter()
        .zip(&instrument.comments)
        .map(|(question, comment)| match question {
            Question::Hidden(why) => CommentSection {
                question: comment.text.clone(),
                hidden: why.phrase(),
                count: String::new(),
                themes: Vec::new(),
                comments: Vec::new(),
            },
            Question::Shown(shown) => {
                let n = shown.comments.len();
                CommentSection {
                    question: comment.text.clone(),
                    hidden: String::new(),
                    count: format!("{n} comment{}", if n == 1 { "" } else { "s" }),
                    themes: instrument
                        .themes
                        .iter()
                        .zip(&shown.theme_counts)
                        .map(|(theme, &count)| ThemeRow {
                            label: theme.label.clone(),
                            count,
                            share: share(count as f64 / n as f64),
                        })
                        .collect(),
                    comments: shown.comments.iter().map(|c| c.text.to_string()).collect(),
                }
            }
        })
        .collect()
}
