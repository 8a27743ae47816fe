//! The options of choice and multi items (SPEC §2): ids that are words (`none` reserved),
//! listed once; a choice option's score in 0–100; a multi item's `full_at` between 1 and the
//! number of options. A cell names an option by id or label ignoring case, so the ids and
//! labels of one item are all distinct ignoring case (an option's label may equal its own id),
//! and no multi option may be called `none`, the token for "answered with no option".

use serde_saphyr::Spanned;

use super::super::model::{ItemDef, OptionDef};
use super::super::{ChoiceOption, ItemKind};
use super::names::Names;
use super::{number, quote, Checker};

/// One option as written, whichever form it took.
struct Written<'a> {
    at: &'a Spanned<OptionDef>,
    id: &'a str,
    label: Option<&'a str>,
    score: Option<f64>,
}

fn written(option: &Spanned<OptionDef>) -> Written<'_> {
    match &option.value {
        OptionDef::Plain(id) => Written {
            at: option,
            id,
            label: None,
            score: None,
        },
        OptionDef::Scored(o) => Written {
            at: option,
            id: &o.id,
            label: o.label.as_deref(),
            score: o.score,
        },
    }
}

/// The options list of a choice or multi item, reporting a missing or empty one.
fn options_of<'a>(
    c: &mut Checker,
    item: &'a ItemDef,
    kind: &str,
    id: &str,
    form: &str,
) -> Vec<Written<'a>> {
    match &item.options {
        None => {
            c.report(
                &item.id,
                format!("{kind} item `{id}` needs `options`, {form}"),
            );
            Vec::new()
        }
        Some(list) => {
            if list.value.is_empty() {
                c.report(list, format!("{kind} item `{id}` has no options"));
            }
            list.value.iter().map(written).collect()
        }
    }
}

/// Checks the ids and labels of one item's options: words, listed once, distinct ignoring
/// case across ids and labels.
fn check_names(c: &mut Checker, kind: &str, item: &str, options: &[Written]) {
    let mut names = Names::new();
    let mut ids: Vec<&str> = Vec::new();
    for (owner, option) in options.iter().enumerate() {
        let id = quote(option.id);
        if !is_option_id(option.id) {
            c.report(option.at, format!("{kind} item `{item}` has option id `{id}`; option ids are non-empty words without spaces, commas or `;`, and `none` is reserved"));
            continue;
        }
        if ids.contains(&option.id) {
            c.report(
                option.at,
                format!("{kind} item `{item}` lists option `{id}` twice"),
            );
            continue;
        }
        ids.push(option.id);
        let mut claims = vec![("id", option.id)];
        claims.extend(option.label.map(|label| ("label", label)));
        for (what, text) in claims {
            let claimed = names.claim(text, owner, || format!("the {what} of option `{id}`"));
            if let Err(other) = claimed {
                let text = quote(text.trim());
                let subject = if what == "id" {
                    format!("option id `{text}`")
                } else {
                    format!("the label `{text}` of option `{id}`")
                };
                c.report(
                    option.at,
                    format!(
                        "{kind} item `{item}`: {subject} is also {other} (ignoring case), so a cell `{text}` would mean two options; give each option an id and a label no other option of the item uses"
                    ),
                );
            }
        }
    }
}

pub(super) fn choice(c: &mut Checker, item: &ItemDef, id: &str) -> ItemKind {
    let written = options_of(c, item, "choice", id, "each `{ id, label, score }`");
    check_names(c, "choice", id, &written);
    let mut options = Vec::new();
    for option in &written {
        let name = quote(option.id);
        if let OptionDef::Plain(_) = option.at.value {
            c.report(
                option.at,
                format!("choice item `{id}` option `{name}` needs a score: write `{{ id: {name}, label: \"...\", score: 0..100 }}`"),
            );
            continue;
        }
        match option.score {
            None => c.report(
                option.at,
                format!("choice item `{id}` option `{name}` has no score; add `score: 0..100`"),
            ),
            Some(score) if !(0.0..=100.0).contains(&score) => c.report(
                option.at,
                format!(
                    "choice item `{id}` option `{name}` has score {}; scores lie between 0 and 100",
                    number(score)
                ),
            ),
            Some(_) => {}
        }
        options.push(ChoiceOption {
            id: option.id.to_string(),
            label: option.label.unwrap_or(option.id).to_string(),
            score: option.score.unwrap_or(0.0),
        });
    }
    ItemKind::Choice { options }
}

pub(super) fn multi(c: &mut Checker, item: &ItemDef, id: &str) -> ItemKind {
    let written = options_of(c, item, "multi", id, "a list of option ids");
    check_names(c, "multi", id, &written);
    for option in &written {
        let name = quote(option.id);
        if option.score.is_some() {
            c.report(
                option.at,
                format!("multi item `{id}` option `{name}` has a score, which multi items do not use (they score how many options are chosen); remove it"),
            );
        }
        if let Some(label) = option
            .label
            .filter(|l| l.trim().eq_ignore_ascii_case("none"))
        {
            c.report(
                option.at,
                format!("multi item `{id}` option `{name}` has the label `{}`, which a cell reads as \"no option chosen\"; choose another label", quote(label.trim())),
            );
        }
    }
    let options: Vec<String> = written.iter().map(|o| o.id.to_string()).collect();
    let labels: Vec<String> = written
        .iter()
        .map(|o| o.label.unwrap_or(o.id).to_string())
        .collect();
    let labels = (labels != options).then_some(labels);
    let full_at = match &item.full_at {
        None => options.len().max(1) as u32,
        Some(f) if f.value >= 1 && (f.value as u64) <= options.len() as u64 => f.value as u32,
        Some(f) => {
            c.report(
                f,
                format!(
                    "multi item `{id}` has full_at {}; it must be between 1 and the number of options ({})",
                    f.value,
                    options.len()
                ),
            );
            1
        }
    };
    ItemKind::Multi {
        options,
        labels,
        full_at,
    }
}

fn is_option_id(id: &str) -> bool {
    !id.is_empty()
        && !id.eq_ignore_ascii_case("none")
        && !id
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == ';')
}
