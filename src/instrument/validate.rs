//! Turns the file as written into an [`Instrument`], collecting every problem on the way.
//!
//! Nothing later re-checks the instrument: whatever SPEC §2 requires is decided here. Each
//! problem names the place (from the `Spanned` values of the model) and how to fix it.

use std::collections::HashMap;

use serde_saphyr::Spanned;

use super::model::{InstrumentFile, ItemDef, ItemType, OptionDef};
use super::{
    ChoiceOption, Dimension, Instrument, Item, ItemKind, Level, MeaningfulChange,
    QuestionnaireTexts, Recommendation, Role, Version,
};
use crate::error::{Diagnostic, Error, Location, Result};

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

fn is_instrument_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-'))
}

/// Dimension, item, outcome (and option) ids: `[a-z][a-z0-9_]*`.
fn is_item_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

fn parse_version(text: &str) -> Option<Version> {
    let mut parts = text.split('.');
    let mut next = || -> Option<u64> {
        let part = parts.next()?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let version = Version {
        major: next()?,
        minor: next()?,
        patch: next()?,
    };
    parts.next().is_none().then_some(version)
}

fn list(ids: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    ids.into_iter()
        .map(|s| s.as_ref().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn validate(file: InstrumentFile, name: &str, sha256: String) -> Result<Instrument> {
    let mut c = Checker {
        file: name,
        problems: Vec::new(),
    };

    if !is_instrument_id(&file.id.value) {
        c.report(
            &file.id,
            format!(
                "instrument id `{}` must start with a lowercase letter and contain only lowercase letters, digits, `_` and `-`",
                file.id.value
            ),
        );
    }
    let version = parse_version(&file.version.value).unwrap_or_else(|| {
        c.report(
            &file.version,
            format!(
                "version `{}` must be MAJOR.MINOR.PATCH, e.g. 1.0.0",
                file.version.value
            ),
        );
        Version {
            major: 0,
            minor: 0,
            patch: 0,
        }
    });
    if file.title.value.trim().is_empty() {
        c.report(
            &file.title,
            "the title is empty; give the instrument a title",
        );
    }

    let anonymity_threshold = match &file.anonymity_threshold {
        None => 5,
        Some(t) if t.value >= 1 => t.value as usize,
        Some(t) => {
            c.report(
                t,
                format!(
                    "anonymity_threshold is {}; it must be a whole number of at least 1",
                    t.value
                ),
            );
            5
        }
    };
    let min_answered = match &file.min_answered {
        None => 0.5,
        Some(m) if m.value > 0.0 && m.value <= 1.0 => m.value,
        Some(m) => {
            c.report(
                m,
                format!(
                    "min_answered is {}; it must be a share above 0 and at most 1 (e.g. 0.5)",
                    m.value
                ),
            );
            0.5
        }
    };

    // Roles.
    let mut roles = Vec::new();
    if file.roles.value.is_empty() {
        c.report(&file.roles, "no roles are defined; list at least one role");
    }
    for role in &file.roles.value {
        if role.id.value.trim().is_empty()
            || role
                .id
                .value
                .chars()
                .any(|ch| ch.is_whitespace() || ch == ',')
        {
            c.report(
                &role.id,
                format!(
                    "role id `{}` must be a non-empty word without spaces or commas",
                    role.id.value
                ),
            );
        }
        if roles.iter().any(|r: &Role| r.id == role.id.value) {
            c.report(
                &role.id,
                format!("role `{}` is defined twice", role.id.value),
            );
            continue;
        }
        roles.push(Role {
            id: role.id.value.clone(),
            label: role.label.clone(),
        });
    }

    let mut perception_gaps = Vec::new();
    for pair in &file.perception_gaps {
        if pair.value.len() != 2 {
            c.report(
                pair,
                format!(
                    "a perception gap names two roles, [first, second]; this one names {}",
                    pair.value.len()
                ),
            );
            continue;
        }
        let mut found = [None, None];
        for (slot, role) in found.iter_mut().zip(&pair.value) {
            *slot = roles.iter().position(|r| r.id == role.value);
            if slot.is_none() {
                c.report(
                    role,
                    format!(
                        "perception gap names role `{}`, which is not defined (defined: {})",
                        role.value,
                        list(roles.iter().map(|r| &r.id))
                    ),
                );
            }
        }
        if let [Some(first), Some(second)] = found {
            if first == second {
                c.report(pair, "a perception gap compares two different roles");
            } else {
                perception_gaps.push((first, second));
            }
        }
    }

    // Scales.
    let mut scales: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for (id, scale) in &file.scales.0 {
        if scales.iter().any(|s| s.0 == id.value) {
            c.report(id, format!("scale `{}` is defined twice", id.value));
            continue;
        }
        let labels = &scale.labels.value;
        if labels.len() < 2 {
            c.report(
                &scale.labels,
                format!(
                    "scale `{}` has {} label(s); a scale needs at least 2",
                    id.value,
                    labels.len()
                ),
            );
        }
        let mut seen: Vec<String> = Vec::new();
        for label in labels.iter().chain(&scale.na) {
            let text = label.value.trim();
            if text.is_empty() {
                c.report(label, format!("scale `{}` has an empty label", id.value));
            } else if text.parse::<f64>().is_ok() {
                c.report(
                    label,
                    format!(
                        "scale `{}` label `{text}` is a number, which would be read as a code; use words",
                        id.value
                    ),
                );
            } else if seen.contains(&text.to_lowercase()) {
                c.report(
                    label,
                    format!(
                        "scale `{}` label `{text}` appears twice (labels are compared ignoring case, `na` labels included)",
                        id.value
                    ),
                );
            }
            seen.push(text.to_lowercase());
        }
        scales.push((
            id.value.clone(),
            labels.iter().map(|l| l.value.trim().to_string()).collect(),
            scale
                .na
                .iter()
                .map(|l| l.value.trim().to_string())
                .collect(),
        ));
    }

    // Dimensions and items share one id namespace.
    let mut ids: HashMap<String, Location> = HashMap::new();
    let mut claim = |c: &mut Checker, id: &Spanned<String>, what: &str| {
        if !is_item_id(&id.value) {
            c.report(
                id,
                format!(
                    "{what} id `{}` must start with a lowercase letter and contain only lowercase letters, digits and `_`",
                    id.value
                ),
            );
        } else if id.value == "none" || id.value == "index" {
            c.report(
                id,
                format!(
                    "`{}` is reserved and cannot be the id of {} {what}; choose another",
                    id.value,
                    if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
                        "an"
                    } else {
                        "a"
                    }
                ),
            );
        } else if let Some(first) = ids.get(&id.value) {
            c.report(
                id,
                format!(
                    "id `{}` is already used at line {}; dimension, item and outcome ids must be unique",
                    id.value, first.line
                ),
            );
        } else {
            ids.insert(id.value.clone(), c.at(id));
        }
    };

    let mut dimensions = Vec::new();
    let mut items = Vec::new();
    if file.dimensions.value.is_empty() {
        c.report(
            &file.dimensions,
            "no dimensions are defined; list at least one",
        );
    }
    for (d, dim) in file.dimensions.value.iter().enumerate() {
        claim(&mut c, &dim.id, "dimension");
        let weight = positive_weight(&mut c, dim.weight.as_ref(), "dimension", &dim.id.value);
        if dim.items.value.is_empty() {
            c.report(
                &dim.items,
                format!(
                    "dimension `{}` has no items; add at least one",
                    dim.id.value
                ),
            );
        }
        let start = items.len();
        for item in &dim.items.value {
            claim(&mut c, &item.id, "item");
            items.push(build_item(&mut c, item, Some(d), &scales));
        }
        dimensions.push(Dimension {
            id: dim.id.value.clone(),
            title: dim.title.clone(),
            description: dim.description.clone().unwrap_or_default(),
            weight,
            items: start..items.len(),
        });
    }
    let outcomes_start = items.len();
    for item in &file.outcomes {
        claim(&mut c, &item.id, "outcome");
        if item.reverse {
            c.report(
                &item.id,
                format!(
                    "outcome `{}` is not scored, so `reverse` does not apply; remove it",
                    item.id.value
                ),
            );
        }
        items.push(build_item(&mut c, item, None, &scales));
    }
    let outcomes = outcomes_start..items.len();

    // Levels.
    let mut levels: Vec<Level> = Vec::new();
    if file.levels.value.len() > 100 {
        c.report(
            &file.levels,
            format!(
                "{} levels are defined; at most 100 are supported",
                file.levels.value.len()
            ),
        );
    }
    if file.levels.value.is_empty() {
        c.report(
            &file.levels,
            "no levels are defined; the first level needs `min: 0`",
        );
    }
    for (i, level) in file.levels.value.iter().enumerate() {
        if levels.iter().any(|l| l.id == level.id.value) {
            c.report(
                &level.id,
                format!("level `{}` is defined twice", level.id.value),
            );
        }
        let min = level.min.value;
        if i == 0 && min != 0.0 {
            c.report(
                &level.min,
                format!(
                    "the first level `{}` has min {min}; it must be 0 so that every score has a level",
                    level.id.value
                ),
            );
        } else if !(0.0..=100.0).contains(&min) || !min.is_finite() {
            c.report(
                &level.min,
                format!(
                    "level `{}` has min {min}; thresholds lie between 0 and 100",
                    level.id.value
                ),
            );
        } else if let Some(previous) = levels.last() {
            if min <= previous.min {
                c.report(
                    &level.min,
                    format!(
                        "level `{}` has min {min}, not above the previous level `{}` (min {}); list levels with strictly ascending thresholds",
                        level.id.value, previous.id, previous.min
                    ),
                );
            }
        }
        if let Some(gate) = &level.min_each_dimension {
            if !(0.0..=100.0).contains(&gate.value) {
                c.report(
                    gate,
                    format!(
                        "min_each_dimension is {}; it must lie between 0 and 100",
                        gate.value
                    ),
                );
            }
        }
        levels.push(Level {
            id: level.id.value.clone(),
            label: level.label.clone(),
            min,
            min_each_dimension: level.min_each_dimension.as_ref().map(|g| g.value),
        });
    }

    // Recommendations.
    let mut recommendations = vec![Vec::new(); dimensions.len()];
    for (id, entries) in &file.recommendations.0 {
        let Some(d) = dimensions.iter().position(|dim| dim.id == id.value) else {
            c.report(
                id,
                format!(
                    "recommendations for `{}`, which is not a dimension (dimensions: {})",
                    id.value,
                    list(dimensions.iter().map(|d| &d.id))
                ),
            );
            continue;
        };
        for entry in entries {
            if !(entry.below.value > 0.0 && entry.below.value <= 100.0) {
                c.report(
                    &entry.below,
                    format!(
                        "`below` is {}; it must be above 0 and at most 100",
                        entry.below.value
                    ),
                );
            }
            recommendations[d].push(Recommendation {
                below: entry.below.value,
                text: entry.text.clone(),
            });
        }
    }

    let gap_alert = match &file.gap_alert {
        None => 10.0,
        Some(g) if g.value > 0.0 && g.value.is_finite() => g.value,
        Some(g) => {
            c.report(
                g,
                format!(
                    "gap_alert is {}; it must be a positive number of points",
                    g.value
                ),
            );
            10.0
        }
    };
    let mut meaningful_change = MeaningfulChange {
        p: 0.05,
        points: 5.0,
    };
    if let Some(m) = &file.meaningful_change {
        if let Some(p) = m.value.p {
            if p > 0.0 && p < 1.0 {
                meaningful_change.p = p;
            } else {
                c.report(
                    m,
                    format!("meaningful_change.p is {p}; it must lie between 0 and 1"),
                );
            }
        }
        if let Some(points) = m.value.points {
            if points >= 0.0 && points.is_finite() {
                meaningful_change.points = points;
            } else {
                c.report(
                    m,
                    format!("meaningful_change.points is {points}; it must be 0 or more"),
                );
            }
        }
    }

    let mut questionnaire = QuestionnaireTexts::default();
    if let Some(texts) = &file.questionnaire {
        for (key, given, slot) in [
            ("intro", &texts.intro, &mut questionnaire.intro),
            (
                "role_question",
                &texts.role_question,
                &mut questionnaire.role_question,
            ),
            (
                "org_question",
                &texts.org_question,
                &mut questionnaire.org_question,
            ),
        ] {
            let Some(text) = given else { continue };
            if text.value.trim().is_empty() {
                c.report(
                    text,
                    format!("questionnaire.{key} is empty; write the text or remove the key to use the default"),
                );
            } else {
                *slot = text.value.trim().to_string();
            }
        }
    }

    if !c.problems.is_empty() {
        c.problems.sort();
        return Err(Error::Invalid(c.problems));
    }
    Ok(Instrument {
        id: file.id.value,
        version,
        title: file.title.value,
        description: file.description.unwrap_or_default(),
        anonymity_threshold,
        min_answered,
        roles,
        perception_gaps,
        dimensions,
        items,
        outcomes,
        levels,
        recommendations,
        gap_alert,
        meaningful_change,
        questionnaire,
        sha256,
        source: name.to_string(),
    })
}

fn positive_weight(c: &mut Checker, weight: Option<&Spanned<f64>>, what: &str, id: &str) -> f64 {
    match weight {
        None => 1.0,
        Some(w) if w.value > 0.0 && w.value.is_finite() => w.value,
        Some(w) => {
            c.report(
                w,
                format!(
                    "{what} `{id}` has weight {}; weights must be positive",
                    w.value
                ),
            );
            1.0
        }
    }
}

fn build_item(
    c: &mut Checker,
    item: &ItemDef,
    dimension: Option<usize>,
    scales: &[(String, Vec<String>, Vec<String>)],
) -> Item {
    let id = &item.id.value;
    let kind_name = item.kind.as_ref().map_or(ItemType::Scale, |k| k.value);
    let weight = positive_weight(c, item.weight.as_ref(), "item", id);
    let type_word = |t: ItemType| match t {
        ItemType::Scale => "scale",
        ItemType::Number => "number",
        ItemType::Boolean => "boolean",
        ItemType::Choice => "choice",
        ItemType::Multi => "multi",
    };
    // Keys that belong to another type are mistakes, not silently ignored.
    let misplaced = |c: &mut Checker, key: &str, allowed_for: &str| {
        c.report(
            &item.id,
            format!(
                "item `{id}` is of type {}, so `{key}` does not apply (it is for {allowed_for} items); remove it",
                type_word(kind_name)
            ),
        );
    };
    if kind_name != ItemType::Scale && item.scale.is_some() {
        misplaced(c, "scale", "scale");
    }
    if kind_name != ItemType::Number && (item.min.is_some() || item.max.is_some()) {
        misplaced(c, "min/max", "number");
    }
    if !matches!(kind_name, ItemType::Choice | ItemType::Multi) && item.options.is_some() {
        misplaced(c, "options", "choice and multi");
    }
    if kind_name != ItemType::Multi && item.full_at.is_some() {
        misplaced(c, "full_at", "multi");
    }

    let kind = match kind_name {
        ItemType::Scale => {
            match &item.scale {
                None => {
                    c.report(
                    &item.id,
                    format!(
                        "item `{id}` has no `type`, so it is a scale item and needs `scale:` (defined: {})",
                        list(scales.iter().map(|s| &s.0))
                    ),
                );
                    ItemKind::Boolean
                }
                Some(scale) => {
                    match scales.iter().find(|s| s.0 == scale.value) {
                        Some((name, labels, na)) => ItemKind::Scale {
                            scale: name.clone(),
                            labels: labels.clone(),
                            na: na.clone(),
                        },
                        None => {
                            c.report(
                        scale,
                        format!(
                            "item `{id}` uses scale `{}`, which is not defined (defined: {})",
                            scale.value,
                            if scales.is_empty() { "none".to_string() } else { list(scales.iter().map(|s| &s.0)) }
                        ),
                    );
                            ItemKind::Boolean
                        }
                    }
                }
            }
        }
        ItemType::Number => match (&item.min, &item.max) {
            (Some(min), Some(max)) => {
                if min.value >= max.value || !min.value.is_finite() || !max.value.is_finite() {
                    c.report(
                        min,
                        format!(
                            "item `{id}` has min {} and max {}; min must be below max",
                            min.value, max.value
                        ),
                    );
                }
                ItemKind::Number {
                    min: min.value,
                    max: max.value,
                }
            }
            _ => {
                c.report(
                    &item.id,
                    format!("number item `{id}` needs both `min` and `max` (the scores 0 and 100)"),
                );
                ItemKind::Boolean
            }
        },
        ItemType::Boolean => ItemKind::Boolean,
        ItemType::Choice => {
            let mut options: Vec<ChoiceOption> = Vec::new();
            match &item.options {
                None => c.report(
                    &item.id,
                    format!("choice item `{id}` needs `options`, each `{{ id, label, score }}`"),
                ),
                Some(list_) => {
                    if list_.value.is_empty() {
                        c.report(list_, format!("choice item `{id}` has no options"));
                    }
                    for option in &list_.value {
                        match option {
                            OptionDef::Scored(o) => {
                                if !is_option_id(&o.id) {
                                    c.report(list_, format!("choice item `{id}` has option id `{}`; option ids are non-empty words without spaces, commas or `;`, and `none` is reserved", o.id));
                                } else if options.iter().any(|x| x.id == o.id) {
                                    c.report(list_, format!("choice item `{id}` lists option `{}` twice", o.id));
                                }
                                match o.score {
                                    None => c.report(list_, format!("choice item `{id}` option `{}` has no score; add `score: 0..100`", o.id)),
                                    Some(score) if !(0.0..=100.0).contains(&score) => c.report(list_, format!("choice item `{id}` option `{}` has score {score}; scores lie between 0 and 100", o.id)),
                                    Some(_) => {}
                                }
                                options.push(ChoiceOption {
                                    id: o.id.clone(),
                                    label: o.label.clone().unwrap_or_else(|| o.id.clone()),
                                    score: o.score.unwrap_or(0.0),
                                });
                            }
                            OptionDef::Plain(o) => c.report(
                                list_,
                                format!("choice item `{id}` option `{o}` needs a score: write `{{ id: {o}, label: \"...\", score: 0..100 }}`"),
                            ),
                        }
                    }
                }
            }
            ItemKind::Choice { options }
        }
        ItemType::Multi => {
            let mut options: Vec<String> = Vec::new();
            match &item.options {
                None => c.report(
                    &item.id,
                    format!("multi item `{id}` needs `options`, a list of option ids"),
                ),
                Some(list_) => {
                    if list_.value.is_empty() {
                        c.report(list_, format!("multi item `{id}` has no options"));
                    }
                    for option in &list_.value {
                        let o = match option {
                            OptionDef::Plain(o) => o.clone(),
                            OptionDef::Scored(o) => o.id.clone(),
                        };
                        if !is_option_id(&o) {
                            c.report(list_, format!("multi item `{id}` has option id `{o}`; option ids are non-empty words without spaces, commas or `;`, and `none` is reserved"));
                        } else if options.contains(&o) {
                            c.report(list_, format!("multi item `{id}` lists option `{o}` twice"));
                        }
                        options.push(o);
                    }
                }
            }
            let full_at = match &item.full_at {
                None => options.len().max(1) as u32,
                Some(f) if f.value >= 1 && (f.value as usize) <= options.len() => f.value as u32,
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
            ItemKind::Multi { options, full_at }
        }
    };
    Item {
        id: id.clone(),
        text: item.text.clone(),
        kind,
        reverse: item.reverse,
        weight,
        dimension,
    }
}

fn is_option_id(id: &str) -> bool {
    !id.is_empty()
        && id != "none"
        && !id
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == ';')
}
