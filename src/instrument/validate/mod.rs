//! Turns the file as written into an [`Instrument`], collecting every problem on the way.
//!
//! Nothing later re-checks the instrument: whatever SPEC §2 requires is decided here. Each
//! problem names the place (from the `Spanned` values of the model) and how to fix it. One file
//! per part of the instrument: [`settings`] (id, version and the instrument-wide numbers),
//! [`roles`], [`scales`], [`items`] (dimensions, items, outcomes and their shared ids),
//! [`options`] (of choice and multi items), [`levels`] and [`recommendations`]; [`names`] keeps
//! the ids and labels that must stay distinct ignoring case.

mod breakdowns;
mod comments;
mod items;
mod levels;
mod names;
mod options;
mod questionnaire;
mod recommendations;
mod roles;
mod scales;
mod settings;

use serde_saphyr::Spanned;

use super::model::InstrumentFile;
use super::Instrument;
use crate::error::{Diagnostic, Error, Location, Result};

/// Collects the problems of one instrument file.
struct Checker<'a> {
    file: &'a str,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at<T>(&self, value: &Spanned<T>) -> Location {
        Location::new(
            self.file,
            value.referenced.line(),
            value.referenced.column(),
        )
    }

    fn report<T>(&mut self, value: &Spanned<T>, message: impl Into<String>) {
        let location = self.at(value);
        self.problems.push(Diagnostic::new(location, message));
    }
}

pub fn validate(file: InstrumentFile, name: &str, sha256: String) -> Result<Instrument> {
    let mut c = Checker {
        file: name,
        problems: Vec::new(),
    };
    let settings = settings::check(&mut c, &file);
    let roles = roles::roles(&mut c, &file.roles);
    let perception_gaps = roles::perception_gaps(&mut c, &file.perception_gaps, &roles);
    let scales = scales::check(&mut c, &file.scales);
    let comment_ids: Vec<String> = file.comments.iter().map(|d| d.id.value.clone()).collect();
    let (dimensions, items, outcomes) = items::check(
        &mut c,
        &file.dimensions,
        &file.outcomes,
        &scales,
        &roles,
        &comment_ids,
    );
    let levels = levels::check(&mut c, &file.levels);
    let recommendations = recommendations::check(&mut c, &file.recommendations, &dimensions);
    let questionnaire = questionnaire::check(&mut c, &file);
    let open = comments::check(
        &mut c,
        &file,
        &dimensions,
        &items,
        &roles,
        settings.anonymity_threshold,
    );
    let breakdowns = breakdowns::check(&mut c, file.breakdowns.as_ref(), &items);

    if !c.problems.is_empty() {
        c.problems.sort();
        return Err(Error::Invalid(c.problems));
    }
    Ok(Instrument {
        id: file.id.value,
        version: settings.version,
        title: file.title.value,
        description: file.description.unwrap_or_default(),
        anonymity_threshold: settings.anonymity_threshold,
        part_threshold: settings.anonymity_threshold,
        min_answered: settings.min_answered,
        roles,
        perception_gaps,
        dimensions,
        items,
        outcomes,
        levels,
        recommendations,
        gap_alert: settings.gap_alert,
        meaningful_change: settings.meaningful_change,
        panel: file.panel.unwrap_or(false),
        questionnaire,
        comments: open.comments,
        comment_threshold: open.threshold,
        themes: open.themes,
        breakdowns,
        sha256,
        source: name.to_string(),
    })
}

fn list(ids: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    ids.into_iter()
        .map(|s| quote(s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// At most 80 characters of a value the user wrote, then `…`, so a runaway label cannot flood
/// the terminal.
pub fn quote(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// A number as a message shows it: `Display` (`1`, `0.5`) for ordinary sizes, exponent form
/// for very large or small ones (`1e308`, not 309 digits).
pub fn number(x: f64) -> String {
    let size = x.abs();
    if x.is_finite() && size != 0.0 && !(1e-5..1e16).contains(&size) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_at_80_characters() {
        assert_eq!(quote("hr"), "hr");
        let long = "é".repeat(100);
        assert_eq!(quote(&long), format!("{}…", "é".repeat(80)));
        assert_eq!(quote(&"x".repeat(80)), "x".repeat(80));
    }

    #[test]
    fn numbers_in_messages_stay_short() {
        assert_eq!(number(1.0), "1");
        assert_eq!(number(-1.0), "-1");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(1e308), "1e308");
        assert_eq!(number(-1e308), "-1e308");
        assert_eq!(number(1e-320), "1e-320");
        assert_eq!(number(f64::INFINITY), "inf");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(0.0), "0");
    }
}
