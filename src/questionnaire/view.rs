//! The view models of the answer form and the printable questionnaire: plain, serialisable,
//! every text ready to show. The templates escape all of it.

use serde::Serialize;

use super::Options;
use crate::instrument::condition::Given;
use crate::instrument::{Comment, Instrument, Item, ItemKind};
use crate::output::num;

#[derive(Serialize)]
pub struct Page {
    pub partnerscope_version: String,
    pub instrument_id: String,
    pub instrument_title: String,
    pub instrument_version: String,
    pub description: String,
    pub intro: String,
    pub org_question: String,
    pub role_question: String,
    /// The organization fixed by `--org`, shown instead of asked.
    pub org: Option<String>,
    /// The role fixed by `--role`, shown instead of asked.
    pub role: Option<RoleView>,
    pub roles: Vec<RoleView>,
    /// The breakdowns (SPEC §17), each asked as a single choice with "Prefer not to say".
    pub breakdowns: Vec<BreakdownView>,
    pub wave: String,
    /// Ask for the respondent's own `panel_id` (the instrument sets `panel: true`).
    pub panel: bool,
    pub sections: Vec<Section>,
    pub total_items: usize,
    /// How many questions are asked only under a condition (SPEC §16).
    pub conditional_items: usize,
    /// The form's script and its CSP hash; empty for the printable questionnaire.
    pub script: String,
    pub script_hash: String,
}

#[derive(Serialize)]
pub struct BreakdownView {
    pub id: String,
    pub label: String,
    /// Each option as `{id, label}`; "Prefer not to say" (an empty cell) comes last.
    pub options: Vec<RoleView>,
}

#[derive(Serialize, Clone)]
pub struct RoleView {
    pub id: String,
    pub label: String,
}

#[derive(Serialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub description: String,
    pub items: Vec<ItemView>,
}

#[derive(Serialize)]
pub struct ItemView {
    pub id: String,
    pub number: usize,
    pub text: String,
    /// `scale`, `number`, `boolean`, `choice` or `multi`: the control to show.
    pub kind: &'static str,
    /// The answers to pick from, with the value the saved row holds for each.
    pub options: Vec<OptionView>,
    pub min: String,
    pub max: String,
    /// How to answer, in words ("Choose one.", "A number from 0 to 3.").
    pub hint: String,
    /// The item's `show_if` as JSON for the form's interpreter (SPEC §16); empty when the
    /// item is always asked. The template escapes it into an attribute.
    pub show_if: String,
    /// The same condition in words ("Answer only if …"), for the printable questionnaire.
    pub only_if: String,
}

#[derive(Serialize)]
pub struct OptionView {
    pub value: String,
    pub label: String,
    /// A "don't know" answer of a scale, which counts as missing.
    pub na: bool,
}

/// The answer form.
pub fn form(instrument: &Instrument, options: &Options, script: &str, script_hash: &str) -> Page {
    let mut page = printable(instrument, options);
    page.script = script.to_string();
    page.script_hash = script_hash.to_string();
    page
}

/// The printable questionnaire: the same content as the form, without the script.
pub fn printable(instrument: &Instrument, options: &Options) -> Page {
    let roles: Vec<RoleView> = instrument
        .roles
        .iter()
        .map(|r| RoleView {
            id: r.id.clone(),
            label: r.label.clone(),
        })
        .collect();
    let mut number = 0;
    let mut item_views = |items: &[Item]| -> Vec<ItemView> {
        items
            .iter()
            .map(|item| {
                number += 1;
                let mut view = item_view(item, number);
                if let Some(condition) = &item.show_if {
                    view.show_if = condition
                        .to_json(&instrument.items, &instrument.roles)
                        .to_string();
                    view.only_if = format!(
                        "Answer only if {}.",
                        condition.describe(&instrument.items, &instrument.roles)
                    );
                }
                view
            })
            .collect()
    };
    let mut sections: Vec<Section> = instrument
        .dimensions
        .iter()
        .map(|d| Section {
            id: d.id.clone(),
            title: d.title.clone(),
            description: d.description.clone(),
            items: item_views(&instrument.items[d.items.clone()]),
        })
        .collect();
    if !instrument.outcomes.is_empty() {
        sections.push(Section {
            id: "outcomes".into(),
            title: "Further questions".into(),
            description:
                "These answers are not part of the score; they help relate the score to results."
                    .into(),
            items: item_views(instrument.outcome_items()),
        });
    }
    let open_questions: Vec<ItemView> = instrument
        .comments
        .iter()
        .map(|c| {
            number += 1;
            let mut view = comment_view(c, number);
            if let Some(condition) = &c.show_if {
                view.show_if = condition
                    .to_json(&instrument.items, &instrument.roles)
                    .to_string();
                view.only_if = format!(
                    "Answer only if {}.",
                    condition.describe(&instrument.items, &instrument.roles)
                );
            }
            view
        })
        .collect();
    if !open_questions.is_empty() {
        sections.push(Section {
            id: "open_questions".into(),
            title: "In your own words".into(),
            description: "Your comment is shown to the organization only together with at least \
                          as many others as the survey's threshold, without your role or scores."
                .into(),
            items: open_questions,
        });
    }
    let texts = &instrument.questionnaire;
    Page {
        partnerscope_version: env!("CARGO_PKG_VERSION").into(),
        instrument_id: instrument.id.clone(),
        instrument_title: instrument.title.clone(),
        instrument_version: instrument.version.to_string(),
        description: instrument.description.clone(),
        intro: texts.intro.clone(),
        org_question: texts.org_question.clone(),
        role_question: texts.role_question.clone(),
        org: options.org.clone(),
        role: options
            .role
            .as_ref()
            .and_then(|id| roles.iter().find(|r| &r.id == id).cloned()),
        roles,
        breakdowns: instrument
            .breakdowns
            .iter()
            .map(|b| BreakdownView {
                id: b.id.clone(),
                label: b.label.clone(),
                options: b
                    .options
                    .iter()
                    .map(|o| RoleView {
                        id: o.id.clone(),
                        label: o.label.clone(),
                    })
                    .collect(),
            })
            .collect(),
        wave: options.wave.clone(),
        panel: instrument.panel,
        total_items: instrument.items.len() + instrument.comments.len(),
        conditional_items: instrument
            .items
            .iter()
            .filter(|i| i.show_if.is_some())
            .count()
            + instrument
                .comments
                .iter()
                .filter(|c| c.show_if.is_some())
                .count(),
        sections,
        script: String::new(),
        script_hash: String::new(),
    }
}

/// An open question: a text box of at most `max_chars` characters (SPEC §16).
fn comment_view(comment: &Comment, number: usize) -> ItemView {
    ItemView {
        id: comment.id.clone(),
        number,
        text: comment.text.clone(),
        kind: "comment",
        options: Vec::new(),
        min: String::new(),
        max: comment.max_chars.to_string(),
        hint: format!(
            "Write as much as you like, up to {} characters, or leave it empty.",
            comment.max_chars
        ),
        show_if: String::new(),
        only_if: String::new(),
    }
}

fn item_view(item: &Item, number: usize) -> ItemView {
    let option = |value: &str, label: &str, na: bool| OptionView {
        value: value.to_string(),
        label: label.to_string(),
        na,
    };
    let (kind, options, hint) = match &item.kind {
        ItemKind::Scale { labels, na, .. } => (
            "scale",
            labels
                .iter()
                .enumerate()
                .map(|(c, l)| option(&(c + 1).to_string(), l, false))
                .chain(na.iter().map(|l| option(l, l, true)))
                .collect(),
            "Choose one.".to_string(),
        ),
        ItemKind::Number { min, max } => (
            "number",
            Vec::new(),
            format!("A number from {} to {}.", num(*min), num(*max)),
        ),
        ItemKind::Boolean => (
            "boolean",
            vec![option("yes", "Yes", false), option("no", "No", false)],
            "Choose one.".to_string(),
        ),
        ItemKind::Choice { options } => (
            "choice",
            options
                .iter()
                .map(|o| option(&o.id, &o.label, false))
                .collect(),
            "Choose one.".to_string(),
        ),
        ItemKind::Multi {
            options, labels, ..
        } => (
            "multi",
            options
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    // The instrument's label when it gives one, otherwise the id in words.
                    let label = match labels {
                        Some(labels) => labels[i].clone(),
                        None => option_label(o),
                    };
                    option(o, &label, false)
                })
                .collect(),
            "Choose all that apply, or \u{201c}None of these\u{201d}.".to_string(),
        ),
    };
    let (min, max) = match &item.kind {
        ItemKind::Number { min, max } => (num(*min), num(*max)),
        _ => (String::new(), String::new()),
    };
    ItemView {
        id: item.id.clone(),
        number,
        text: item.text.clone(),
        kind,
        options,
        min,
        max,
        hint,
        show_if: String::new(),
        only_if: String::new(),
    }
}

/// A `multi` option id as people read it: `sales_training` → `Sales training`.
fn option_label(id: &str) -> String {
    let text = id.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// The example answer of an item as a condition sees it (see [`example_answer`]).
pub fn example_given(item: &Item) -> Given {
    match &item.kind {
        ItemKind::Scale { labels, .. } => Given::Code((labels.len() - 1) as u32 / 2 + 1),
        ItemKind::Number { min, .. } => Given::Number(*min),
        ItemKind::Boolean => Given::Bool(true),
        ItemKind::Choice { .. } => Given::Choice(0),
        ItemKind::Multi { .. } => Given::Multi {
            count: 1,
            first_64: 1,
        },
    }
}

/// An answer that scores without a reject, for the example row of `template.csv`: the middle
/// label of a scale, the minimum of a number, `yes`, the first option.
pub fn example_answer(item: &Item) -> String {
    match &item.kind {
        ItemKind::Scale { labels, .. } => labels[(labels.len() - 1) / 2].clone(),
        ItemKind::Number { min, .. } => num(*min),
        ItemKind::Boolean => "yes".into(),
        ItemKind::Choice { options } => options[0].id.clone(),
        ItemKind::Multi { options, .. } => options[0].clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mini() -> Instrument {
        crate::instrument::load::parse(include_str!("../../tests/fixtures/mini.yaml"), "mini.yaml")
            .expect("the mini instrument is valid")
    }

    fn options() -> Options {
        Options {
            org: None,
            role: None,
            wave: "2026-03".into(),
            force: false,
        }
    }

    #[test]
    fn every_item_gets_its_control_and_options_in_instrument_order() {
        let page = printable(&mini(), &options());
        let items: Vec<(&str, &str, Vec<&str>)> = page
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .map(|i| {
                (
                    i.id.as_str(),
                    i.kind,
                    i.options.iter().map(|o| o.value.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            items,
            [
                ("col_1", "scale", vec!["1", "2", "3", "4"]),
                (
                    "col_2",
                    "scale",
                    vec!["1", "2", "3", "4", "5", "Don't know"]
                ),
                (
                    "cap_tasks",
                    "multi",
                    vec!["recruiting", "onboarding", "training", "benchmarking"]
                ),
                ("cap_staff", "number", vec![]),
                ("cap_bp", "boolean", vec!["yes", "no"]),
                ("cap_owner", "choice", vec!["sales_alone", "joint"]),
                ("turnover_pct", "number", vec![]),
            ]
        );
        assert_eq!(page.total_items, 7);
        assert_eq!(page.sections.last().unwrap().title, "Further questions");
        assert_eq!(page.sections[1].items[1].hint, "A number from 0 to 4.");
        assert_eq!(
            page.sections[1].items.last().unwrap().number,
            6,
            "numbering runs across sections"
        );
    }

    #[test]
    fn option_ids_read_as_words() {
        assert_eq!(option_label("sales_training"), "Sales training");
        assert_eq!(option_label("x"), "X");
    }

    #[test]
    fn example_answers_are_valid_answers() {
        let i = mini();
        let answers: Vec<String> = i.items.iter().map(example_answer).collect();
        assert_eq!(
            answers,
            [
                "Yearly",
                "Neither",
                "recruiting",
                "0",
                "yes",
                "sales_alone",
                "0"
            ]
        );
    }
}
