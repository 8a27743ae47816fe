//! Maturity levels (SPEC §2): at most 100, ids listed once, the first at `min: 0`, thresholds
//! strictly ascending within 0–100, gates (`min_each_dimension`) within 0–100.

use serde_saphyr::Spanned;

use super::super::model::LevelDef;
use super::super::Level;
use super::{number, quote, Checker};

/// Level codes are stored in a byte per respondent.
const MAX_LEVELS: usize = 100;

pub(super) fn check(c: &mut Checker, defs: &Spanned<Vec<LevelDef>>) -> Vec<Level> {
    let mut levels: Vec<Level> = Vec::new();
    if defs.value.len() > MAX_LEVELS {
        c.report(
            defs,
            format!(
                "{} levels are defined; at most {MAX_LEVELS} are supported",
                defs.value.len()
            ),
        );
    }
    if defs.value.is_empty() {
        c.report(
            defs,
            "no levels are defined; the first level needs `min: 0`",
        );
    }
    for (i, level) in defs.value.iter().enumerate() {
        let id = quote(&level.id.value);
        if levels.iter().any(|l| l.id == level.id.value) {
            c.report(&level.id, format!("level `{id}` is defined twice"));
        }
        let min = level.min.value;
        if i == 0 && min != 0.0 {
            c.report(
                &level.min,
                format!(
                    "the first level `{id}` has min {}; it must be 0 so that every score has a level",
                    number(min)
                ),
            );
        } else if !(0.0..=100.0).contains(&min) {
            c.report(
                &level.min,
                format!(
                    "level `{id}` has min {}; thresholds lie between 0 and 100",
                    number(min)
                ),
            );
        } else if let Some(previous) = levels.last() {
            if min <= previous.min {
                c.report(
                    &level.min,
                    format!(
                        "level `{id}` has min {}, not above the previous level `{}` (min {}); list levels with strictly ascending thresholds",
                        number(min),
                        quote(&previous.id),
                        number(previous.min)
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
                        number(gate.value)
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
    levels
}
