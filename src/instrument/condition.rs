//! Conditional items (SPEC §16): `show_if` as written, its validation into a [`Condition`],
//! and the one evaluator every stage uses.
//!
//! A condition names only items that come earlier in the instrument (dimensions in order, their
//! items, then outcomes; open questions come last and may name any item, but are never named),
//! so evaluating the items in order never meets a cycle. A comparison on
//! an item that was not answered, answered `na` or not asked is false; `answered: false` is
//! true there; `not` inverts. Nothing else about a missing answer is guessed. The answer form
//! runs the same rules in `templates/form.js` from [`Condition::to_json`]; the printable
//! questionnaire reads [`Condition::describe`].

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::{Item, ItemKind, Role};
use crate::error::{Diagnostic, Location};

/// Deepest nesting of `all`/`any`/`not` (a leaf alone is depth 1).
pub const MAX_DEPTH: usize = 8;
/// Most conditions (leaves and combinations) in one `show_if`.
pub const MAX_TERMS: usize = 64;

/// A `show_if` as written: exactly one form per mapping.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionDef {
    #[serde(default)]
    pub item: Option<Spanned<String>>,
    #[serde(default)]
    pub is: Option<Spanned<ValueDef>>,
    #[serde(default, rename = "in")]
    pub in_: Option<Spanned<Vec<Spanned<ValueDef>>>>,
    #[serde(default)]
    pub answered: Option<Spanned<bool>>,
    #[serde(default)]
    pub at_least: Option<Spanned<f64>>,
    #[serde(default)]
    pub at_most: Option<Spanned<f64>>,
    #[serde(default)]
    pub role: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub all: Option<Spanned<Vec<Spanned<ConditionDef>>>>,
    #[serde(default)]
    pub any: Option<Spanned<Vec<Spanned<ConditionDef>>>>,
    #[serde(default)]
    pub not: Option<Box<Spanned<ConditionDef>>>,
}

/// A value in `is:` or `in:`: `true`/`false`, a scale code, a label or an option id.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ValueDef {
    Bool(bool),
    Int(i64),
    Number(f64),
    Text(String),
}

/// A validated condition; item and role references are positions in the instrument.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The item's answer is one of the values (`is` is `in` with one value).
    In {
        item: usize,
        values: Vec<Value>,
    },
    /// `answered: true` (`yes`) or `answered: false`.
    Answered {
        item: usize,
        yes: bool,
    },
    /// A scale code, number or multi count at least / at most `x`.
    AtLeast {
        item: usize,
        x: f64,
    },
    AtMost {
        item: usize,
        x: f64,
    },
    /// The respondent's role is one of these (positions in `roles`).
    Role(Vec<usize>),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

/// A value an item can take, resolved against the item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Bool(bool),
    /// Scale code `1..=k`.
    Code(u32),
    /// Option position of a choice item, or of a multi item (that option is chosen).
    Option(usize),
}

/// One item's answer as a condition sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Given {
    /// The item's own condition was false.
    NotAsked,
    /// An empty cell or an `na` label.
    Missing,
    Code(u32),
    /// The number as written (not its 0–100 score).
    Number(f64),
    Bool(bool),
    Choice(usize),
    /// How many options were chosen, and which of the first 64.
    Multi {
        count: u32,
        first_64: u64,
    },
}

impl Condition {
    /// Whether the condition holds for a respondent of `role` whose answer to item `i` is
    /// `given(i)` (SPEC §16). Only earlier items are asked for.
    pub fn holds(&self, given: &dyn Fn(usize) -> Given, role: usize) -> bool {
        match self {
            Condition::In { item, values } => {
                let answer = given(*item);
                values.iter().any(|v| matches(answer, *v))
            }
            Condition::Answered { item, yes } => {
                let answered = !matches!(given(*item), Given::NotAsked | Given::Missing);
                answered == *yes
            }
            Condition::AtLeast { item, x } => {
                amount(given(*item)).is_some_and(|a| crate::score::at_least(a, *x))
            }
            Condition::AtMost { item, x } => {
                amount(given(*item)).is_some_and(|a| crate::score::at_least(*x, a))
            }
            Condition::Role(roles) => roles.contains(&role),
            Condition::All(all) => all.iter().all(|c| c.holds(given, role)),
            Condition::Any(any) => any.iter().any(|c| c.holds(given, role)),
            Condition::Not(c) => !c.holds(given, role),
        }
    }

    /// The items the condition names, each once, in order.
    pub fn items(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.visit(&mut |c| match c {
            Condition::In { item, .. }
            | Condition::Answered { item, .. }
            | Condition::AtLeast { item, .. }
            | Condition::AtMost { item, .. } => out.push(*item),
            _ => {}
        });
        out.sort_unstable();
        out.dedup();
        out
    }

    fn visit(&self, f: &mut dyn FnMut(&Condition)) {
        f(self);
        match self {
            Condition::All(list) | Condition::Any(list) => list.iter().for_each(|c| c.visit(f)),
            Condition::Not(c) => c.visit(f),
            _ => {}
        }
    }

    /// The condition as JSON for the answer form's interpreter: items and roles by id, values
    /// as the form's inputs hold them (scale codes, `true`/`false`, option ids).
    pub fn to_json(&self, items: &[Item], roles: &[Role]) -> serde_json::Value {
        use serde_json::json;
        let id = |i: usize| items[i].id.clone();
        match self {
            Condition::In { item, values } => {
                let values: Vec<serde_json::Value> = values
                    .iter()
                    .map(|v| match v {
                        Value::Bool(b) => json!(b),
                        Value::Code(c) => json!(c),
                        Value::Option(o) => json!(option_id(&items[*item], *o)),
                    })
                    .collect();
                json!({ "item": id(*item), "in": values })
            }
            Condition::Answered { item, yes } => json!({ "item": id(*item), "answered": yes }),
            Condition::AtLeast { item, x } => json!({ "item": id(*item), "at_least": x }),
            Condition::AtMost { item, x } => json!({ "item": id(*item), "at_most": x }),
            Condition::Role(list) => {
                json!({ "role": list.iter().map(|&r| roles[r].id.clone()).collect::<Vec<_>>() })
            }
            Condition::All(list) => {
                json!({ "all": list.iter().map(|c| c.to_json(items, roles)).collect::<Vec<_>>() })
            }
            Condition::Any(list) => {
                json!({ "any": list.iter().map(|c| c.to_json(items, roles)).collect::<Vec<_>>() })
            }
            Condition::Not(c) => json!({ "not": c.to_json(items, roles) }),
        }
    }

    /// The condition in words, for "Answer only if …" on the printable questionnaire, where
    /// questions are numbered from 1 in instrument order.
    pub fn describe(&self, items: &[Item], roles: &[Role]) -> String {
        let name = |i: usize| format!("question {}", i + 1);
        let words = |item: usize, v: &Value| match (v, &items[item].kind) {
            (Value::Bool(true), _) => "yes".to_string(),
            (Value::Bool(false), _) => "no".to_string(),
            (Value::Code(c), ItemKind::Scale { labels, .. }) => {
                format!("“{}”", labels[*c as usize - 1])
            }
            (Value::Code(c), _) => c.to_string(),
            (Value::Option(o), ItemKind::Choice { options }) => format!("“{}”", options[*o].label),
            (Value::Option(o), kind) => {
                let label = match kind {
                    ItemKind::Multi {
                        labels: Some(labels),
                        ..
                    } => labels[*o].clone(),
                    _ => in_words(&option_id(&items[item], *o)),
                };
                format!("“{label}”")
            }
        };
        match self {
            Condition::In { item, values } => {
                let multi = matches!(items[*item].kind, ItemKind::Multi { .. });
                let said: Vec<String> = values.iter().map(|v| words(*item, v)).collect();
                let verb = if multi { "includes" } else { "is" };
                format!("the answer to {} {verb} {}", name(*item), said.join(" or "))
            }
            Condition::Answered { item, yes: true } => format!("{} is answered", name(*item)),
            Condition::Answered { item, yes: false } => {
                format!("{} is not answered", name(*item))
            }
            Condition::AtLeast { item, x } | Condition::AtMost { item, x } => {
                let bound = if matches!(self, Condition::AtLeast { .. }) {
                    "at least"
                } else {
                    "at most"
                };
                match &items[*item].kind {
                    ItemKind::Multi { .. } => format!(
                        "{bound} {} options are chosen in {}",
                        super::validate::number(*x),
                        name(*item)
                    ),
                    _ => format!(
                        "the answer to {} is {bound} {}",
                        name(*item),
                        amount_words(&items[*item], *x)
                    ),
                }
            }
            Condition::Role(list) => {
                let labels: Vec<String> = list.iter().map(|&r| roles[r].label.clone()).collect();
                format!("your role is {}", labels.join(" or "))
            }
            Condition::All(list) => list
                .iter()
                .map(|c| bracket(c, items, roles))
                .collect::<Vec<_>>()
                .join(" and "),
            Condition::Any(list) => list
                .iter()
                .map(|c| bracket(c, items, roles))
                .collect::<Vec<_>>()
                .join(" or "),
            Condition::Not(c) => match c.as_ref() {
                Condition::Answered { item, yes } => Condition::Answered {
                    item: *item,
                    yes: !yes,
                }
                .describe(items, roles),
                _ => format!("not {}", bracket_always(c, items, roles)),
            },
        }
    }
}

fn bracket(c: &Condition, items: &[Item], roles: &[Role]) -> String {
    match c {
        Condition::All(_) | Condition::Any(_) => format!("({})", c.describe(items, roles)),
        _ => c.describe(items, roles),
    }
}

fn bracket_always(c: &Condition, items: &[Item], roles: &[Role]) -> String {
    format!("({})", c.describe(items, roles))
}

fn amount_words(item: &Item, x: f64) -> String {
    match &item.kind {
        ItemKind::Scale { labels, .. } if x.fract() == 0.0 && x >= 1.0 => labels
            .get(x as usize - 1)
            .map_or_else(|| super::validate::number(x), |l| format!("“{l}”")),
        _ => super::validate::number(x),
    }
}

/// An option id as the form shows it: `sales_training` → `Sales training`.
fn in_words(id: &str) -> String {
    let text = id.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

fn option_id(item: &Item, option: usize) -> String {
    match &item.kind {
        ItemKind::Choice { options } => options[option].id.clone(),
        ItemKind::Multi { options, .. } => options[option].clone(),
        _ => String::new(),
    }
}

fn matches(answer: Given, value: Value) -> bool {
    match (answer, value) {
        (Given::Bool(a), Value::Bool(b)) => a == b,
        (Given::Code(a), Value::Code(b)) => a == b,
        (Given::Choice(a), Value::Option(b)) => a == b,
        (Given::Multi { first_64, .. }, Value::Option(b)) => b < 64 && first_64 >> b & 1 == 1,
        _ => false,
    }
}

/// The amount `at_least`/`at_most` compare: a scale code, a number or a multi count.
fn amount(answer: Given) -> Option<f64> {
    match answer {
        Given::Code(c) => Some(f64::from(c)),
        Given::Number(x) => Some(x),
        Given::Multi { count, .. } => Some(f64::from(count)),
        _ => None,
    }
}

/// What validation needs to know around one `show_if`.
pub struct Context<'a> {
    pub file: &'a str,
    /// Every item of the instrument, in order (scored items by dimension, then outcomes).
    pub items: &'a [Item],
    /// The id of the item or open question whose condition this is.
    pub owner: &'a str,
    /// The items before this position may be named: the owner's own position for an item,
    /// every item for an open question (they come last).
    pub before: usize,
    pub dimensions: &'a [String],
    /// The ids of the open questions, which no condition names.
    pub comments: &'a [String],
    pub roles: &'a [Role],
}

/// Validates a `show_if`; every problem is pushed to `problems` with its place.
pub fn check(
    def: &Spanned<ConditionDef>,
    ctx: &Context,
    problems: &mut Vec<Diagnostic>,
) -> Option<Condition> {
    let mut terms = 0;
    let before = problems.len();
    let condition = check_one(def, ctx, 1, &mut terms, problems);
    if terms > MAX_TERMS {
        problems.push(diagnostic(
            ctx,
            def,
            format!(
                "the condition of `{}` has {terms} terms; at most {MAX_TERMS} are allowed, so split the question or simplify the condition",
                ctx.owner
            ),
        ));
    }
    condition.filter(|_| problems.len() == before)
}

fn diagnostic<T>(ctx: &Context, at: &Spanned<T>, message: String) -> Diagnostic {
    Diagnostic::new(
        Location::new(ctx.file, at.referenced.line(), at.referenced.column()),
        message,
    )
}

const FORMS: &str = "`{item, is}`, `{item, in}`, `{item, answered}`, `{item, at_least}`, `{item, at_most}`, `{role}`, `{all}`, `{any}` or `{not}`";

fn check_one(
    def: &Spanned<ConditionDef>,
    ctx: &Context,
    depth: usize,
    terms: &mut usize,
    problems: &mut Vec<Diagnostic>,
) -> Option<Condition> {
    *terms += 1;
    let owner = ctx.owner;
    if depth > MAX_DEPTH {
        problems.push(diagnostic(
            ctx,
            def,
            format!(
                "the condition of `{owner}` is nested deeper than {MAX_DEPTH} levels; simplify it"
            ),
        ));
        return None;
    }
    let d = &def.value;
    let tests = [
        d.is.is_some(),
        d.in_.is_some(),
        d.answered.is_some(),
        d.at_least.is_some(),
        d.at_most.is_some(),
    ]
    .iter()
    .filter(|&&t| t)
    .count();
    let others = [
        d.role.is_some(),
        d.all.is_some(),
        d.any.is_some(),
        d.not.is_some(),
    ]
    .iter()
    .filter(|&&t| t)
    .count();
    let one_form = match &d.item {
        Some(_) => tests == 1 && others == 0,
        None => tests == 0 && others == 1,
    };
    if !one_form {
        let message = match (&d.item, tests) {
            (Some(item), 0) if others == 0 => format!(
                "the condition on `{}` says nothing about its answer; add `is`, `in`, `answered`, `at_least` or `at_most`",
                item.value
            ),
            (None, t) if t > 0 && others == 0 => {
                "this condition compares an answer but names no `item`; add `item: ID`".to_string()
            }
            _ => format!("a condition is exactly one of {FORMS}; split this one with `all` or `any`"),
        };
        problems.push(diagnostic(ctx, def, message));
        return None;
    }
    if let Some(roles) = &d.role {
        return role_condition(roles, ctx, problems);
    }
    if let Some(list) = d.all.as_ref().or(d.any.as_ref()) {
        if list.value.is_empty() {
            problems.push(diagnostic(
                ctx,
                list,
                format!(
                    "`{}` lists no conditions; list at least one",
                    if d.all.is_some() { "all" } else { "any" }
                ),
            ));
            return None;
        }
        let parts: Vec<Option<Condition>> = list
            .value
            .iter()
            .map(|c| check_one(c, ctx, depth + 1, terms, problems))
            .collect();
        let parts: Option<Vec<Condition>> = parts.into_iter().collect();
        return parts.map(|p| {
            if d.all.is_some() {
                Condition::All(p)
            } else {
                Condition::Any(p)
            }
        });
    }
    if let Some(inner) = &d.not {
        return check_one(inner, ctx, depth + 1, terms, problems)
            .map(|c| Condition::Not(Box::new(c)));
    }
    let name = d.item.as_ref()?;
    let item = referenced_item(name, ctx, problems)?;
    let target = &ctx.items[item];
    if let Some(yes) = &d.answered {
        return Some(Condition::Answered {
            item,
            yes: yes.value,
        });
    }
    if let Some(x) = d.at_least.as_ref().or(d.at_most.as_ref()) {
        let key = if d.at_least.is_some() {
            "at_least"
        } else {
            "at_most"
        };
        let problem = match &target.kind {
            ItemKind::Scale { .. } | ItemKind::Number { .. } | ItemKind::Multi { .. }
                if x.value.is_finite() =>
            {
                None
            }
            ItemKind::Scale { .. } | ItemKind::Number { .. } | ItemKind::Multi { .. } => {
                Some(format!("`{key}` must be a finite number"))
            }
            ItemKind::Boolean => Some(format!(
                "`{}` is a boolean item, so `{key}` does not apply; use `is: true` or `is: false`",
                target.id
            )),
            ItemKind::Choice { .. } => Some(format!(
                "`{}` is a choice item, so `{key}` does not apply; use `in: [...]` with the options that qualify",
                target.id
            )),
        };
        if let Some(problem) = problem {
            problems.push(diagnostic(ctx, x, problem));
            return None;
        }
        return Some(if d.at_least.is_some() {
            Condition::AtLeast { item, x: x.value }
        } else {
            Condition::AtMost { item, x: x.value }
        });
    }
    let values: Vec<&Spanned<ValueDef>> = match (&d.is, &d.in_) {
        (Some(v), _) => vec![v],
        (_, Some(list)) if list.value.is_empty() => {
            problems.push(diagnostic(
                ctx,
                list,
                "`in` lists no values; list at least one".to_string(),
            ));
            return None;
        }
        (_, Some(list)) => list.value.iter().collect(),
        _ => return None,
    };
    let resolved: Vec<Option<Value>> = values
        .iter()
        .map(|v| value_of(target, v, ctx, problems))
        .collect();
    let values: Option<Vec<Value>> = resolved.into_iter().collect();
    values.map(|values| Condition::In { item, values })
}

fn role_condition(
    roles: &Spanned<Vec<Spanned<String>>>,
    ctx: &Context,
    problems: &mut Vec<Diagnostic>,
) -> Option<Condition> {
    if roles.value.is_empty() {
        problems.push(diagnostic(
            ctx,
            roles,
            "`role` lists no roles; list at least one".to_string(),
        ));
        return None;
    }
    let mut found = Vec::new();
    let mut ok = true;
    for role in &roles.value {
        match ctx.roles.iter().position(|r| r.id == role.value) {
            Some(r) => found.push(r),
            None => {
                ok = false;
                problems.push(diagnostic(
                    ctx,
                    role,
                    format!(
                        "role `{}` is not defined (roles: {})",
                        super::validate::quote(&role.value),
                        ctx.roles
                            .iter()
                            .map(|r| r.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
    ok.then_some(Condition::Role(found))
}

/// The position of the item a condition names, which must come before the owner (any item,
/// for an open question).
fn referenced_item(
    name: &Spanned<String>,
    ctx: &Context,
    problems: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let owner = ctx.owner;
    let id = super::validate::quote(&name.value);
    let message = match ctx.items.iter().position(|i| i.id == name.value) {
        Some(found) if found < ctx.before => return Some(found),
        Some(found) if ctx.items[found].id == owner => format!(
            "the condition of `{owner}` names `{owner}` itself; a question cannot depend on its own answer, so name an earlier question"
        ),
        Some(_) => format!(
            "the condition of `{owner}` names `{id}`, which comes later; a condition may name only questions that come earlier (dimensions in order, their items, then outcomes), so move `{id}` before `{owner}`"
        ),
        None if ctx.dimensions.contains(&name.value) => format!(
            "`{id}` is a dimension, not a question; a condition names an item or outcome"
        ),
        None if ctx.comments.contains(&name.value) => format!(
            "the condition of `{owner}` names `{id}`, an open question; a condition names an item or outcome, never a comment (free text has no value to compare)"
        ),
        None => format!(
            "the condition of `{owner}` names `{id}`, which is not an item or outcome of this instrument; check the spelling"
        ),
    };
    problems.push(diagnostic(ctx, name, message));
    None
}

/// Resolves an `is`/`in` value against the item it is compared with.
fn value_of(
    item: &Item,
    value: &Spanned<ValueDef>,
    ctx: &Context,
    problems: &mut Vec<Diagnostic>,
) -> Option<Value> {
    let written = match &value.value {
        ValueDef::Bool(b) => b.to_string(),
        ValueDef::Int(i) => i.to_string(),
        ValueDef::Number(x) => super::validate::number(*x),
        ValueDef::Text(t) => super::validate::quote(t),
    };
    let id = &item.id;
    let found = match (&item.kind, &value.value) {
        (ItemKind::Boolean, ValueDef::Bool(b)) => Ok(Value::Bool(*b)),
        (ItemKind::Boolean, _) => Err(format!(
            "`{id}` is a boolean item, so it cannot be `{written}`; write `true` or `false`"
        )),
        (ItemKind::Scale { labels, na, .. }, v) => {
            let code = match v {
                ValueDef::Int(i) => u32::try_from(*i).ok(),
                ValueDef::Text(t) => t.trim().parse::<u32>().ok().or_else(|| {
                    labels
                        .iter()
                        .position(|l| l.to_lowercase() == t.trim().to_lowercase())
                        .map(|p| p as u32 + 1)
                }),
                _ => None,
            };
            match code {
                Some(c) if (1..=labels.len() as u32).contains(&c) => Ok(Value::Code(c)),
                _ if matches!(v, ValueDef::Text(t) if na.iter().any(|l| l.to_lowercase() == t.trim().to_lowercase())) => {
                    Err(format!(
                        "`{written}` is the `na` answer of `{id}`, which counts as unanswered; use `answered: false`"
                    ))
                }
                _ => Err(format!(
                    "`{id}` cannot be `{written}`; write a code 1–{} or a label ({})",
                    labels.len(),
                    labels.join(", ")
                )),
            }
        }
        (ItemKind::Number { .. }, _) => Err(format!(
            "`{id}` is a number item, so `is`/`in` do not apply; use `at_least` and `at_most`"
        )),
        (ItemKind::Choice { options }, ValueDef::Text(t)) => options
            .iter()
            .position(|o| &o.id == t)
            .map(Value::Option)
            .ok_or_else(|| {
                format!(
                    "`{id}` has no option `{written}` (options: {})",
                    options
                        .iter()
                        .map(|o| o.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }),
        (ItemKind::Multi { options, .. }, ValueDef::Text(t)) => {
            match options.iter().position(|o| o == t) {
                Some(p) if p < 64 => Ok(Value::Option(p)),
                Some(_) => Err(format!(
                    "a condition can test only the first 64 options of `{id}`; move `{written}` among them"
                )),
                None => Err(format!(
                    "`{id}` has no option `{written}` (options: {})",
                    options.join(", ")
                )),
            }
        }
        (ItemKind::Choice { .. } | ItemKind::Multi { .. }, _) => Err(format!(
            "`{id}` is a {} item, so its values are option ids, not `{written}`",
            item.kind.name()
        )),
    };
    match found {
        Ok(v) => Some(v),
        Err(message) => {
            problems.push(diagnostic(ctx, value, message));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::load::parse;

    const BASE: &str = include_str!("../../tests/fixtures/mini.yaml");

    /// The mini instrument with a `show_if` added to its last item (`turnover_pct`).
    fn with_condition(show_if: &str) -> crate::Result<crate::instrument::Instrument> {
        let text = BASE.replace(
            "type: number, min: 0, max: 100 }",
            &format!("type: number, min: 0, max: 100, show_if: {show_if} }}"),
        );
        parse(&text, "c.yaml")
    }

    fn condition(show_if: &str) -> Condition {
        let i = with_condition(show_if).expect("valid");
        i.items
            .last()
            .unwrap()
            .show_if
            .clone()
            .expect("a condition")
    }

    fn error(show_if: &str) -> String {
        with_condition(show_if).unwrap_err().to_string()
    }

    // mini: 0 col_1 (freq4), 1 col_2 (agree5, na), 2 cap_tasks (multi, 4 options),
    // 3 cap_staff (number 0–4), 4 cap_bp (boolean), 5 cap_owner (choice), 6 turnover_pct.
    fn answers(list: &[Given]) -> impl Fn(usize) -> Given + '_ {
        move |i| list.get(i).copied().unwrap_or(Given::Missing)
    }

    const HR: usize = 0;
    const REP: usize = 2;

    #[test]
    fn every_form_holds_and_fails_as_written() {
        let row = [
            Given::Code(3),
            Given::Code(5),
            Given::Multi {
                count: 2,
                first_64: 0b0101,
            },
            Given::Number(2.5),
            Given::Bool(true),
            Given::Choice(1),
        ];
        let g = answers(&row);
        let holds = |c: &str| condition(c).holds(&g, HR);
        assert!(holds("{ item: cap_bp, is: true }"));
        assert!(!holds("{ item: cap_bp, is: false }"));
        assert!(holds("{ item: col_1, is: 3 }"));
        assert!(holds("{ item: col_1, is: Quarterly }"));
        assert!(holds("{ item: col_1, is: quarterly }"));
        assert!(!holds("{ item: col_1, is: Monthly }"));
        assert!(holds("{ item: col_1, in: [Never, 3] }"));
        assert!(holds("{ item: cap_owner, is: joint }"));
        assert!(!holds("{ item: cap_owner, in: [sales_alone] }"));
        // `is` on a multi: that option is chosen.
        assert!(holds("{ item: cap_tasks, is: training }"));
        assert!(!holds("{ item: cap_tasks, is: onboarding }"));
        assert!(holds("{ item: cap_tasks, in: [onboarding, recruiting] }"));
        assert!(holds("{ item: cap_tasks, at_least: 2 }"));
        assert!(!holds("{ item: cap_tasks, at_least: 3 }"));
        assert!(holds("{ item: cap_staff, at_least: 2.5 }"));
        assert!(holds("{ item: cap_staff, at_most: 2.5 }"));
        assert!(!holds("{ item: cap_staff, at_most: 2 }"));
        assert!(holds("{ item: col_2, at_least: 4 }"));
        assert!(holds("{ item: col_2, answered: true }"));
        assert!(!holds("{ item: col_2, answered: false }"));
        assert!(holds("{ role: [hr] }"));
        assert!(!condition("{ role: [hr] }").holds(&g, REP));
        assert!(condition("{ role: [sales_leader, sales_rep] }").holds(&g, REP));
        assert!(holds(
            "{ all: [{ item: cap_bp, is: true }, { item: col_1, is: 3 }] }"
        ));
        assert!(!holds(
            "{ all: [{ item: cap_bp, is: true }, { item: col_1, is: 4 }] }"
        ));
        assert!(holds(
            "{ any: [{ item: cap_bp, is: false }, { item: col_1, is: 3 }] }"
        ));
        assert!(!holds(
            "{ any: [{ item: cap_bp, is: false }, { item: col_1, is: 4 }] }"
        ));
        assert!(holds("{ not: { item: cap_bp, is: false } }"));
        assert!(!holds("{ not: { role: [hr] } }"));
    }

    #[test]
    fn a_comparison_on_a_missing_answer_is_false_and_not_inverts_it() {
        // Unanswered (empty or `na`) and not asked behave alike.
        for missing in [Given::Missing, Given::NotAsked] {
            let row = [missing; 6];
            let g = answers(&row);
            let holds = |c: &str| condition(c).holds(&g, HR);
            for c in [
                "{ item: cap_bp, is: true }",
                "{ item: cap_bp, is: false }",
                "{ item: col_1, in: [1, 2, 3, 4] }",
                "{ item: cap_owner, is: joint }",
                "{ item: cap_tasks, is: training }",
                "{ item: cap_tasks, at_most: 100 }",
                "{ item: cap_staff, at_least: 0 }",
                "{ item: cap_staff, at_most: 4 }",
                "{ item: col_2, at_least: 1 }",
                "{ item: col_2, answered: true }",
            ] {
                assert!(!holds(c), "{c} on {missing:?}");
            }
            assert!(holds("{ item: col_2, answered: false }"));
            // `not` inverts the false comparison: nothing else is guessed.
            assert!(holds("{ not: { item: cap_bp, is: true } }"));
            assert!(holds("{ not: { item: cap_bp, is: false } }"));
            assert!(!holds("{ not: { item: col_2, answered: false } }"));
        }
        // A multi answered `none` is answered, with no option and a count of 0.
        let none = [
            Given::Missing,
            Given::Missing,
            Given::Multi {
                count: 0,
                first_64: 0,
            },
        ];
        let g = answers(&none);
        assert!(condition("{ item: cap_tasks, answered: true }").holds(&g, HR));
        assert!(condition("{ item: cap_tasks, at_most: 0 }").holds(&g, HR));
        assert!(!condition("{ item: cap_tasks, is: training }").holds(&g, HR));
    }

    #[test]
    fn mistakes_are_located_with_a_hint() {
        // The condition sits on line 44 of c.yaml.
        assert_eq!(
            error("{ item: cap_bp, at_least: 1 }"),
            "c.yaml:44:120: `cap_bp` is a boolean item, so `at_least` does not apply; use `is: true` or `is: false`"
        );
        assert_eq!(
            error("{ item: cap_bp, is: yes }"),
            "c.yaml:44:114: `cap_bp` is a boolean item, so it cannot be `yes`; write `true` or `false`"
        );
        assert_eq!(
            error("{ item: col_1, is: Daily }"),
            "c.yaml:44:113: `col_1` cannot be `Daily`; write a code 1–4 or a label (Never, Yearly, Quarterly, Monthly)"
        );
        assert_eq!(
            error("{ item: col_1, is: 5 }"),
            "c.yaml:44:113: `col_1` cannot be `5`; write a code 1–4 or a label (Never, Yearly, Quarterly, Monthly)"
        );
        assert_eq!(
            error("{ item: col_2, is: \"Don't know\" }"),
            "c.yaml:44:113: `Don't know` is the `na` answer of `col_2`, which counts as unanswered; use `answered: false`"
        );
        assert_eq!(
            error("{ item: cap_owner, in: [joint, both] }"),
            "c.yaml:44:125: `cap_owner` has no option `both` (options: sales_alone, joint)"
        );
        assert_eq!(
            error("{ item: cap_staff, is: 2 }"),
            "c.yaml:44:117: `cap_staff` is a number item, so `is`/`in` do not apply; use `at_least` and `at_most`"
        );
        assert_eq!(
            error("{ item: cap_sfaff, is: 2 }"),
            "c.yaml:44:102: the condition of `turnover_pct` names `cap_sfaff`, which is not an item or outcome of this instrument; check the spelling"
        );
        assert_eq!(
            error("{ item: turnover_pct, answered: true }"),
            "c.yaml:44:102: the condition of `turnover_pct` names `turnover_pct` itself; a question cannot depend on its own answer, so name an earlier question"
        );
        assert_eq!(
            error("{ item: capability, answered: true }"),
            "c.yaml:44:102: `capability` is a dimension, not a question; a condition names an item or outcome"
        );
        assert_eq!(
            error("{ role: [hr, sales] }"),
            "c.yaml:44:107: role `sales` is not defined (roles: hr, sales_leader, sales_rep)"
        );
        assert_eq!(
            error("{ item: cap_bp }"),
            "c.yaml:44:94: the condition on `cap_bp` says nothing about its answer; add `is`, `in`, `answered`, `at_least` or `at_most`"
        );
        assert_eq!(
            error("{ item: cap_bp, is: true, role: [hr] }"),
            "c.yaml:44:94: a condition is exactly one of `{item, is}`, `{item, in}`, `{item, answered}`, `{item, at_least}`, `{item, at_most}`, `{role}`, `{all}`, `{any}` or `{not}`; split this one with `all` or `any`"
        );
    }

    #[test]
    fn a_forward_reference_is_refused_where_it_is_written() {
        let text = BASE.replace(
            "{ id: col_1, text: \"HR and Sales leaders meet on business issues.\", scale: freq4 }",
            "{ id: col_1, text: \"HR and Sales leaders meet.\", scale: freq4, show_if: { item: cap_bp, is: true } }",
        );
        assert_eq!(
            parse(&text, "f.yaml").unwrap_err().to_string(),
            "f.yaml:25:89: the condition of `col_1` names `cap_bp`, which comes later; a condition may name only questions that come earlier (dimensions in order, their items, then outcomes), so move `cap_bp` before `col_1`"
        );
    }

    #[test]
    fn depth_and_terms_are_bounded() {
        let mut nested = "{ item: cap_bp, is: true }".to_string();
        for _ in 0..MAX_DEPTH - 1 {
            nested = format!("{{ not: {nested} }}");
        }
        assert!(with_condition(&nested).is_ok(), "depth 8 is allowed");
        let deeper = format!("{{ not: {nested} }}");
        assert!(error(&deeper).contains("nested deeper than 8 levels; simplify it"));
        let many = vec!["{ item: cap_bp, is: true }"; MAX_TERMS].join(", ");
        let message = error(&format!("{{ any: [{many}] }}"));
        assert!(
            message.ends_with("the condition of `turnover_pct` has 65 terms; at most 64 are allowed, so split the question or simplify the condition"),
            "{message}"
        );
    }

    #[test]
    fn conditions_read_in_words_and_as_json() {
        let i = with_condition(
            "{ all: [{ item: cap_bp, is: true }, { any: [{ item: col_1, at_least: 3 }, { role: [hr] }] }] }",
        )
        .unwrap();
        let c = i.items.last().unwrap().show_if.clone().unwrap();
        assert_eq!(
            c.describe(&i.items, &i.roles),
            "the answer to question 5 is yes and (the answer to question 1 is at least “Quarterly” or your role is Human Resources)"
        );
        assert_eq!(
            c.to_json(&i.items, &i.roles).to_string(),
            r#"{"all":[{"in":[true],"item":"cap_bp"},{"any":[{"at_least":3.0,"item":"col_1"},{"role":["hr"]}]}]}"#
        );
    }
}
