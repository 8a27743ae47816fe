//! The questionnaire: its YAML contract ([`model`]), loading ([`load`]) and validation
//! ([`validate`]) into an [`Instrument`] that later stages use without re-checking.
//!
//! Items are stored in one vector: the scored items of every dimension in instrument order,
//! then the outcomes. A dimension knows its item range; an item knows its dimension.

pub mod condition;
pub mod load;
pub mod model;
pub mod validate;

use std::ops::Range;

pub use load::{load_bundled, load_file, BUNDLED_INSTRUMENT, BUNDLED_NAME};

#[derive(Debug, Clone)]
pub struct Instrument {
    pub id: String,
    pub version: Version,
    pub title: String,
    pub description: String,
    /// T of the `all` group (SPEC §6); 1 in a self-assessment.
    pub anonymity_threshold: usize,
    /// T of role groups (and breakdown units): the instrument's `anonymity_threshold`, also in
    /// a self-assessment, so that one colleague's scores never show beside a group (SPEC §15).
    pub part_threshold: usize,
    pub min_answered: f64,
    pub roles: Vec<Role>,
    /// Role pairs `(first, second)` as indices into `roles`; gap = first − second.
    pub perception_gaps: Vec<(usize, usize)>,
    pub dimensions: Vec<Dimension>,
    /// Scored items (grouped by dimension, in order), then outcomes.
    pub items: Vec<Item>,
    pub outcomes: Range<usize>,
    pub levels: Vec<Level>,
    /// Per dimension, the recommendations in file order (first match wins).
    pub recommendations: Vec<Vec<Recommendation>>,
    pub gap_alert: f64,
    pub meaningful_change: MeaningfulChange,
    /// `panel: true`: respondents answer again with the same `panel_id` (SPEC §7); `stats`
    /// pairs them whether or not this is set, wherever a `panel_id` column is given.
    pub panel: bool,
    /// The texts of the answer form (`questionnaire:`), defaults filled in.
    pub questionnaire: QuestionnaireTexts,
    /// Open questions (SPEC §16), in file order; never scored.
    pub comments: Vec<Comment>,
    /// The fewest commenters whose comments an organization-wave shows; 1 in a
    /// self-assessment, never below `anonymity_threshold` otherwise.
    pub comment_threshold: usize,
    /// Themes that code comments by their words, in file order.
    pub themes: Vec<Theme>,
    /// Respondent attributes reported by (SPEC §17), in file order.
    pub breakdowns: Vec<Breakdown>,
    /// SHA-256 of the instrument file's bytes, hex, for norms provenance.
    pub sha256: String,
    /// Where the instrument came from, for messages (`surveys/x.yaml` or `<bundled>`).
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[derive(Debug, Clone)]
pub struct Role {
    pub id: String,
    pub label: String,
}

/// A respondent attribute the results are broken down by (SPEC §17).
#[derive(Debug, Clone)]
pub struct Breakdown {
    pub id: String,
    pub label: String,
    pub options: Vec<BreakdownOption>,
}

#[derive(Debug, Clone)]
pub struct BreakdownOption {
    pub id: String,
    /// The option's label, or its id when it has none.
    pub label: String,
}

impl Breakdown {
    /// The option a cell names, by id or label ignoring case.
    pub fn option_of(&self, cell: &str) -> Option<usize> {
        // The usual cell is an id or label as written. Validation keeps the ids and labels
        // distinct ignoring case, so the option it names exactly is the only one it names.
        let exact = self
            .options
            .iter()
            .position(|o| o.id == cell || o.label == cell);
        if exact.is_some() {
            return exact;
        }
        let folded = cell.to_lowercase();
        self.options
            .iter()
            .position(|o| o.id.to_lowercase() == folded || o.label.to_lowercase() == folded)
    }
}

#[derive(Debug, Clone)]
pub struct Dimension {
    pub id: String,
    pub title: String,
    pub description: String,
    pub weight: f64,
    pub items: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub text: String,
    pub kind: ItemKind,
    pub reverse: bool,
    pub weight: f64,
    /// The dimension the item belongs to; `None` for outcomes.
    pub dimension: Option<usize>,
    /// Asked only when this holds (SPEC §16); `None`: always asked.
    pub show_if: Option<condition::Condition>,
}

#[derive(Debug, Clone)]
pub enum ItemKind {
    /// Likert scale: codes `1..=labels.len()`; `na` labels count as missing.
    Scale {
        scale: String,
        labels: Vec<String>,
        na: Vec<String>,
    },
    Number {
        min: f64,
        max: f64,
    },
    Boolean,
    Choice {
        options: Vec<ChoiceOption>,
    },
    Multi {
        options: Vec<String>,
        /// Each option's label, in option order (an option without one is labelled by its id);
        /// `None` when no option has a label other than its id.
        labels: Option<Vec<String>>,
        full_at: u32,
    },
}

impl ItemKind {
    pub fn name(&self) -> &'static str {
        match self {
            ItemKind::Scale { .. } => "scale",
            ItemKind::Number { .. } => "number",
            ItemKind::Boolean => "boolean",
            ItemKind::Choice { .. } => "choice",
            ItemKind::Multi { .. } => "multi",
        }
    }
}

/// An open question: a response column of free text (SPEC §16).
#[derive(Debug, Clone)]
pub struct Comment {
    pub id: String,
    pub text: String,
    /// Longer answers are cut here (in characters), with a warning.
    pub max_chars: usize,
    /// Asked only when this holds (SPEC §16); `None`: always asked. It names items and
    /// outcomes only, every one of which comes before the open questions.
    pub show_if: Option<condition::Condition>,
}

/// A theme: a comment belongs to it when it contains one of its words or phrases as whole
/// words, ignoring case. `words` are kept as written (trimmed).
#[derive(Debug, Clone)]
pub struct Theme {
    pub id: String,
    pub label: String,
    pub words: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ChoiceOption {
    pub id: String,
    pub label: String,
    pub score: f64,
}

#[derive(Debug, Clone)]
pub struct Level {
    pub id: String,
    pub label: String,
    pub min: f64,
    pub min_each_dimension: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Recommendation {
    pub below: f64,
    pub text: String,
}

/// The texts the answer form and the printable questionnaire show around the items.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionnaireTexts {
    pub intro: String,
    pub role_question: String,
    pub org_question: String,
}

impl Default for QuestionnaireTexts {
    fn default() -> Self {
        QuestionnaireTexts {
            intro: "Answer each question for your own organization as it is today. There are no \
                    right or wrong answers; leave a question unanswered if you cannot judge it."
                .into(),
            role_question: "Which of these best describes your role?".into(),
            org_question: "Which organization do you answer for?".into(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct MeaningfulChange {
    pub p: f64,
    pub points: f64,
}

impl Instrument {
    pub fn scored_items(&self) -> &[Item] {
        &self.items[..self.outcomes.start]
    }

    pub fn outcome_items(&self) -> &[Item] {
        &self.items[self.outcomes.clone()]
    }

    pub fn role_index(&self, id: &str) -> Option<usize> {
        self.roles.iter().position(|r| r.id == id)
    }

    /// Whether any item or open question is asked only under a condition (SPEC §16).
    pub fn has_conditions(&self) -> bool {
        self.items.iter().any(|i| i.show_if.is_some())
            || self.comments.iter().any(|c| c.show_if.is_some())
    }

    /// The items of dimension `d` that are always asked (no `show_if`): reliability and
    /// agreement statistics use only these, since a conditional item is answered by a subgroup
    /// (SPEC §16).
    pub fn unconditional_items(&self, d: usize) -> Vec<usize> {
        self.dimensions[d]
            .items
            .clone()
            .filter(|&i| self.items[i].show_if.is_none())
            .collect()
    }

    pub fn item_index(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|i| i.id == id)
    }

    /// The level that applies to an index and the dimension scores behind it (SPEC §4): the
    /// highest level whose `min` ≤ index and whose gate, if any, every dimension meets. A gate
    /// fails when a dimension is missing. Returns `None` when the index is missing.
    pub fn level_of(&self, index: Option<f64>, dimensions: &[Option<f64>]) -> Option<usize> {
        let dimensions: Vec<f64> = dimensions.iter().map(|d| d.unwrap_or(f64::NAN)).collect();
        crate::score::level(self, index?, &dimensions).map(usize::from)
    }

    /// The first recommendation of a dimension whose `below` exceeds the score (beyond the
    /// tolerance of [`crate::score::compare`]).
    pub fn recommendation(&self, dimension: usize, score: f64) -> Option<&Recommendation> {
        self.recommendations[dimension]
            .iter()
            .find(|r| crate::score::below(score, r.below))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels() -> Instrument {
        let mut instrument =
            load::parse(include_str!("../../tests/fixtures/mini.yaml"), "mini.yaml")
                .expect("the mini instrument is valid");
        instrument.levels = vec![
            Level {
                id: "support".into(),
                label: "S".into(),
                min: 0.0,
                min_each_dimension: None,
            },
            Level {
                id: "partner".into(),
                label: "P".into(),
                min: 50.0,
                min_each_dimension: None,
            },
            Level {
                id: "strategic".into(),
                label: "T".into(),
                min: 75.0,
                min_each_dimension: Some(60.0),
            },
        ];
        instrument
    }

    #[test]
    fn the_highest_level_whose_threshold_and_gate_hold_applies() {
        let i = levels();
        assert_eq!(i.level_of(Some(80.0), &[Some(90.0), Some(60.0)]), Some(2));
        // Index high enough but one dimension below the gate: not strategic.
        assert_eq!(i.level_of(Some(80.0), &[Some(95.0), Some(59.9)]), Some(1));
        // A missing dimension fails a gate.
        assert_eq!(i.level_of(Some(80.0), &[Some(95.0), None]), Some(1));
        // Exactly on a threshold counts; the first level always holds.
        assert_eq!(i.level_of(Some(50.0), &[Some(10.0), Some(10.0)]), Some(1));
        assert_eq!(i.level_of(Some(0.0), &[None, None]), Some(0));
        assert_eq!(i.level_of(None, &[Some(90.0), Some(90.0)]), None);
    }

    #[test]
    fn respondent_level_codes_agree_with_level_of() {
        let i = levels();
        let nan = f64::NAN;
        for (index, dims) in [
            (80.0, [90.0, 60.0]),
            (80.0, [95.0, 59.9]),
            (80.0, [95.0, nan]),
            (50.0, [1.0, 1.0]),
            (10.0, [nan, nan]),
        ] {
            let present: Vec<Option<f64>> =
                dims.iter().map(|&d| crate::score::present(d)).collect();
            let expected = i.level_of(Some(index), &present).map(|l| l as u8);
            assert_eq!(crate::score::level(&i, index, &dims), expected);
        }
        assert_eq!(crate::score::level(&i, nan, &[90.0, 90.0]), None);
    }

    #[test]
    fn levels_are_not_cumulative() {
        // A gate on a middle level that fails does not stop a higher level without one.
        let mut i = levels();
        i.levels[1].min_each_dimension = Some(99.0);
        i.levels[2].min_each_dimension = None;
        assert_eq!(i.level_of(Some(80.0), &[Some(70.0), Some(70.0)]), Some(2));
        assert_eq!(i.level_of(Some(60.0), &[Some(70.0), Some(70.0)]), Some(0));
    }

    #[test]
    fn recommendations_take_the_first_match() {
        let i = levels();
        assert_eq!(i.recommendation(0, 30.0).unwrap().below, 50.0);
        assert_eq!(i.recommendation(0, 50.0).unwrap().below, 80.0);
        assert!(i.recommendation(0, 80.0).is_none());
        // 80 computed in another order is still not below 80.
        assert!(i.recommendation(0, 80.0 - 1e-13).is_none());
        assert!(
            i.recommendation(1, 10.0).is_none(),
            "capability has no recommendations"
        );
    }
}
