//! Dimensions, their items and the outcomes (SPEC §2): ids in one namespace, weights in
//! (0, 1000], keys that fit the item's type, scales that exist, number ranges that are finite,
//! ordered and within ±1e12. Options of choice and multi items are checked in `options.rs`.
//!
//! The bounds keep every score finite: a weight or range this large or small cannot overflow
//! `100·(x − min)/(max − min)` or a weighted sum of scores.

use std::collections::HashMap;
use std::ops::Range;

use serde_saphyr::Spanned;

use super::super::condition::{self, Context};
use super::super::model::{DimensionDef, ItemDef, ItemType};
use super::super::{Dimension, Item, ItemKind, Role};
use super::scales::Scale;
use super::{list, number, options, quote, Checker};
use crate::error::Location;

/// The largest weight of an item or dimension.
pub const MAX_WEIGHT: f64 = 1000.0;
/// The largest magnitude of a number item's `min` and `max`.
pub const MAX_NUMBER: f64 = 1e12;

/// Dimensions, items (scored items by dimension, then outcomes) and the outcomes' range.
pub(super) fn check(
    c: &mut Checker,
    dimensions: &Spanned<Vec<DimensionDef>>,
    outcomes: &[ItemDef],
    scales: &[Scale],
    roles: &[Role],
    comments: &[String],
) -> (Vec<Dimension>, Vec<Item>, Range<usize>) {
    let mut ids = Ids::default();
    let mut built = Vec::new();
    let mut items = Vec::new();
    if dimensions.value.is_empty() {
        c.report(dimensions, "no dimensions are defined; list at least one");
    }
    for (d, dim) in dimensions.value.iter().enumerate() {
        ids.claim(c, &dim.id, "dimension");
        let weight = weight(c, dim.weight.as_ref(), "dimension", &dim.id.value);
        if dim.items.value.is_empty() {
            c.report(
                &dim.items,
                format!(
                    "dimension `{}` has no items; add at least one",
                    quote(&dim.id.value)
                ),
            );
        }
        let start = items.len();
        for item in &dim.items.value {
            ids.claim(c, &item.id, "item");
            items.push(item_of(c, item, Some(d), scales));
        }
        built.push(Dimension {
            id: dim.id.value.clone(),
            title: dim.title.clone(),
            description: dim.description.clone().unwrap_or_default(),
            weight,
            items: start..items.len(),
        });
    }
    let outcomes_start = items.len();
    for item in outcomes {
        ids.claim(c, &item.id, "outcome");
        if item.reverse {
            c.report(
                &item.id,
                format!(
                    "outcome `{}` is not scored, so `reverse` does not apply; remove it",
                    quote(&item.id.value)
                ),
            );
        }
        items.push(item_of(c, item, None, scales));
    }
    let range = outcomes_start..items.len();
    conditions(c, dimensions, outcomes, &mut items, roles, comments);
    (built, items, range)
}

/// Dimension, item and outcome ids: one namespace, `[a-z][a-z0-9_]*`, `none` and `index`
/// reserved.
#[derive(Default)]
struct Ids(HashMap<String, Location>);

impl Ids {
    fn claim(&mut self, c: &mut Checker, id: &Spanned<String>, what: &str) {
        if !is_item_id(&id.value) {
            c.report(
                id,
                format!(
                    "{what} id `{}` must start with a lowercase letter and contain only lowercase letters, digits and `_`",
                    quote(&id.value)
                ),
            );
        } else if id.value == "none" || id.value == "index" {
            let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            c.report(
                id,
                format!(
                    "`{}` is reserved and cannot be the id of {article} {what}; choose another",
                    id.value
                ),
            );
        } else if let Some(first) = self.0.get(&id.value) {
            c.report(
                id,
                format!(
                    "id `{}` is already used at line {}; dimension, item and outcome ids must be unique",
                    id.value, first.line
                ),
            );
        } else {
            self.0.insert(id.value.clone(), c.at(id));
        }
    }
}

/// `[a-z][a-z0-9_]*`.
pub(super) fn is_item_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// A weight in (0, 1000]; 1 when not given.
fn weight(c: &mut Checker, weight: Option<&Spanned<f64>>, what: &str, id: &str) -> f64 {
    match weight {
        None => 1.0,
        Some(w) if w.value > 0.0 && w.value <= MAX_WEIGHT => w.value,
        Some(w) => {
            c.report(
                w,
                format!(
                    "{what} `{}` has weight {}; weights must be above 0 and at most {}",
                    quote(id),
                    number(w.value),
                    number(MAX_WEIGHT)
                ),
            );
            1.0
        }
    }
}

fn type_word(t: ItemType) -> &'static str {
    match t {
        ItemType::Scale => "scale",
        ItemType::Number => "number",
        ItemType::Boolean => "boolean",
        ItemType::Choice => "choice",
        ItemType::Multi => "multi",
    }
}

fn item_of(c: &mut Checker, item: &ItemDef, dimension: Option<usize>, scales: &[Scale]) -> Item {
    let id = quote(&item.id.value);
    let kind_name = item.kind.as_ref().map_or(ItemType::Scale, |k| k.value);
    let weight = weight(c, item.weight.as_ref(), "item", &item.id.value);
    // Keys that belong to another type are mistakes, not silently ignored.
    let mut misplaced = |key: &str, allowed_for: &str| {
        c.report(
            &item.id,
            format!(
                "item `{id}` is of type {}, so `{key}` does not apply (it is for {allowed_for} items); remove it",
                type_word(kind_name)
            ),
        );
    };
    if kind_name != ItemType::Scale && item.scale.is_some() {
        misplaced("scale", "scale");
    }
    if kind_name != ItemType::Number && (item.min.is_some() || item.max.is_some()) {
        misplaced("min/max", "number");
    }
    if !matches!(kind_name, ItemType::Choice | ItemType::Multi) && item.options.is_some() {
        misplaced("options", "choice and multi");
    }
    if kind_name != ItemType::Multi && item.full_at.is_some() {
        misplaced("full_at", "multi");
    }

    // A kind that failed its checks becomes Boolean: the instrument is refused anyway.
    let kind = match kind_name {
        ItemType::Scale => scale_kind(c, item, &id, scales).unwrap_or(ItemKind::Boolean),
        ItemType::Number => number_kind(c, item, &id).unwrap_or(ItemKind::Boolean),
        ItemType::Boolean => ItemKind::Boolean,
        ItemType::Choice => options::choice(c, item, &id),
        ItemType::Multi => options::multi(c, item, &id),
    };
    Item {
        id: item.id.value.clone(),
        text: item.text.clone(),
        kind,
        reverse: item.reverse,
        weight,
        dimension,
        show_if: None,
    }
}

/// Each item's `show_if`, checked once every item is known, so that a condition naming a later
/// item is told apart from one naming no item at all.
fn conditions(
    c: &mut Checker,
    dimensions: &Spanned<Vec<DimensionDef>>,
    outcomes: &[ItemDef],
    items: &mut [Item],
    roles: &[Role],
    comments: &[String],
) {
    let defs = dimensions
        .value
        .iter()
        .flat_map(|d| d.items.value.iter())
        .chain(outcomes);
    let dimension_ids: Vec<String> = dimensions
        .value
        .iter()
        .map(|d| d.id.value.clone())
        .collect();
    let mut found = Vec::new();
    for (owner, def) in defs.enumerate() {
        if let Some(show_if) = &def.show_if {
            let ctx = Context {
                file: c.file,
                items,
                owner: &items[owner].id,
                before: owner,
                dimensions: &dimension_ids,
                comments,
                roles,
            };
            found.push((owner, condition::check(show_if, &ctx, &mut c.problems)));
        }
    }
    for (owner, condition) in found {
        items[owner].show_if = condition;
    }
}

fn scale_kind(c: &mut Checker, item: &ItemDef, id: &str, scales: &[Scale]) -> Option<ItemKind> {
    let Some(scale) = &item.scale else {
        c.report(
            &item.id,
            format!(
                "item `{id}` has no `type`, so it is a scale item and needs `scale:` (defined: {})",
                list(scales.iter().map(|s| &s.id))
            ),
        );
        return None;
    };
    match scales.iter().find(|s| s.id == scale.value) {
        Some(found) => Some(ItemKind::Scale {
            scale: found.id.clone(),
            labels: found.labels.clone(),
            na: found.na.clone(),
        }),
        None => {
            c.report(
                scale,
                format!(
                    "item `{id}` uses scale `{}`, which is not defined (defined: {})",
                    quote(&scale.value),
                    if scales.is_empty() {
                        "none".to_string()
                    } else {
                        list(scales.iter().map(|s| &s.id))
                    }
                ),
            );
            None
        }
    }
}

/// `min < max`, both finite and within ±1e12.
fn number_kind(c: &mut Checker, item: &ItemDef, id: &str) -> Option<ItemKind> {
    let (Some(min), Some(max)) = (&item.min, &item.max) else {
        c.report(
            &item.id,
            format!("number item `{id}` needs both `min` and `max` (the scores 0 and 100)"),
        );
        return None;
    };
    let (lo, hi) = (min.value, max.value);
    let within = |x: f64| (-MAX_NUMBER..=MAX_NUMBER).contains(&x);
    let problem = if !(within(lo) && within(hi)) {
        Some(format!(
            "min and max must lie between -{MAX_NUMBER:e} and {MAX_NUMBER:e}"
        ))
    } else if lo >= hi {
        Some("min must be below max".to_string())
    } else {
        None
    };
    if let Some(problem) = problem {
        c.report(
            min,
            format!(
                "item `{id}` has min {} and max {}; {problem}",
                number(lo),
                number(hi)
            ),
        );
        return None;
    }
    Some(ItemKind::Number { min: lo, max: hi })
}
