//! Breakdowns (SPEC §17): respondent attributes a consultant reports by, such as region. A
//! breakdown is a response column, so its id is a word no item, outcome or reserved column
//! uses; a cell names an option by id or label ignoring case, so the ids and labels of one
//! breakdown are distinct ignoring case, as are the ids and labels of the breakdowns (a survey
//! tool's column is matched by the label).

use serde_saphyr::Spanned;

use super::super::model::{BreakdownDef, BreakdownOptionDef};
use super::super::{Breakdown, BreakdownOption, Item};
use super::items::is_item_id;
use super::names::Names;
use super::{quote, Checker};

/// Columns of SPEC §3 that a breakdown cannot be named after.
/// Units are stored as one byte per respondent (0: not given).
const MAX_OPTIONS: usize = 254;

const RESERVED: [&str; 5] = ["respondent_id", "org", "role", "wave", "panel_id"];

pub(super) fn check(
    c: &mut Checker,
    defs: Option<&Spanned<Vec<BreakdownDef>>>,
    items: &[Item],
) -> Vec<Breakdown> {
    let Some(defs) = defs else {
        return Vec::new();
    };
    let mut out: Vec<Breakdown> = Vec::new();
    let mut names = Names::new();
    for def in &defs.value {
        let id = &def.id.value;
        if !is_item_id(id) {
            c.report(
                &def.id,
                format!(
                    "breakdown id `{}` must start with a lowercase letter and contain only lowercase letters, digits and `_`",
                    quote(id)
                ),
            );
            continue;
        }
        if RESERVED.contains(&id.as_str()) {
            c.report(
                &def.id,
                format!("`{id}` is a reserved column and cannot be the id of a breakdown; choose another"),
            );
            continue;
        }
        if items.iter().any(|item| item.id == *id) {
            c.report(
                &def.id,
                format!("breakdown `{id}` has the id of an item; a response column can mean one of them only, so choose another id"),
            );
            continue;
        }
        if out.iter().any(|b| b.id == *id) {
            c.report(&def.id, format!("breakdown `{id}` is defined twice"));
            continue;
        }
        let label = def.label.value.trim();
        if label.is_empty() {
            c.report(
                &def.label,
                format!("breakdown `{id}` has an empty label; write what the form asks, such as `Region`"),
            );
        }
        let owner = out.len();
        for (text, what) in [(&def.id, "id"), (&def.label, "label")] {
            let claimed = names.claim(&text.value, owner, || {
                format!("the {what} of breakdown `{id}`")
            });
            if let Err(other) = claimed {
                c.report(
                    text,
                    format!(
                        "the {what} `{}` of breakdown `{id}` is also {other} (ignoring case), so a column `{}` would mean two breakdowns; give each breakdown an id and a label no other uses",
                        quote(text.value.trim()),
                        quote(text.value.trim())
                    ),
                );
            }
        }
        let options = options(c, def, id);
        out.push(Breakdown {
            id: id.clone(),
            label: label.to_string(),
            options,
        });
    }
    out
}

fn options(c: &mut Checker, def: &BreakdownDef, breakdown: &str) -> Vec<BreakdownOption> {
    if def.options.value.is_empty() {
        c.report(
            &def.options,
            format!(
                "breakdown `{breakdown}` has no options; list the values a respondent may give"
            ),
        );
    }
    if def.options.value.len() > MAX_OPTIONS {
        c.report(
            &def.options,
            format!(
                "breakdown `{breakdown}` has {} options; at most {MAX_OPTIONS} are allowed",
                def.options.value.len()
            ),
        );
    }
    let mut names = Names::new();
    let mut out: Vec<BreakdownOption> = Vec::new();
    for option in &def.options.value {
        let (id, label) = match &option.value {
            BreakdownOptionDef::Plain(id) => (id.as_str(), None),
            BreakdownOptionDef::Labelled(o) => (o.id.as_str(), o.label.as_deref()),
        };
        let shown = quote(id);
        if id.is_empty()
            || id
                .chars()
                .any(|ch| ch.is_whitespace() || ch == ',' || ch == ';')
        {
            c.report(
                option,
                format!("breakdown `{breakdown}` has option id `{shown}`; option ids are non-empty words without spaces, commas or `;`"),
            );
            continue;
        }
        if out.iter().any(|o| o.id == id) {
            c.report(
                option,
                format!("breakdown `{breakdown}` lists option `{shown}` twice"),
            );
            continue;
        }
        let owner = out.len();
        let label = label.map(str::trim).filter(|l| !l.is_empty()).unwrap_or(id);
        for (text, what) in [(id, "id"), (label, "label")] {
            if let Err(other) =
                names.claim(text, owner, || format!("the {what} of option `{shown}`"))
            {
                c.report(
                    option,
                    format!(
                        "in breakdown `{breakdown}`, the {what} `{}` of option `{shown}` is also {other} (ignoring case), so a cell would mean two options",
                        quote(text)
                    ),
                );
                break; // one message per option
            }
        }
        out.push(BreakdownOption {
            id: id.to_string(),
            label: label.to_string(),
        });
    }
    out
}
