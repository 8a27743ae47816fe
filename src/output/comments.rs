//! `comments.csv` (SPEC §16): the shown comments of every organization-wave, one row each,
//! `org,wave,comment,text,themes`. Only what [`crate::comments`] shows is written: no
//! respondent id, role or score, and no row for an organization-wave whose comments are hidden.

use std::path::Path;

use super::{Cell, Table};
use crate::analysis::Analysis;
use crate::comments::{self, Question};
use crate::error::Result;

pub const FILE_NAME: &str = "comments.csv";
pub const HEADER: [&str; 5] = ["org", "wave", "comment", "text", "themes"];

/// Writes `comments.csv` when the instrument has open questions; themes are the ids of the
/// themes a comment belongs to, `;`-separated in instrument order.
pub fn write(analysis: &Analysis, dir: &Path) -> Result<()> {
    let instrument = analysis.instrument;
    if instrument.comments.is_empty() {
        return Ok(());
    }
    let mut table = Table::create(&dir.join(FILE_NAME), &HEADER)?;
    for org_wave in 0..analysis.results.len() {
        let Some(questions) = comments::of_org_wave(analysis, org_wave) else {
            continue;
        };
        for (c, question) in questions.iter().enumerate() {
            let Question::Shown(shown) = question else {
                continue;
            };
            for comment in &shown.comments {
                let themes: Vec<&str> = comment
                    .themes
                    .iter()
                    .map(|&k| instrument.themes[k].id.as_str())
                    .collect();
                let themes = themes.join(";");
                table.row([
                    Cell::Text(analysis.org_id(org_wave)),
                    Cell::Text(analysis.wave(org_wave)),
                    Cell::Text(&instrument.comments[c].id),
                    Cell::Text(comment.text),
                    Cell::Text(&themes),
                ])?;
            }
        }
    }
    table.finish()
}
