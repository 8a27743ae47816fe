//! The instrument file exactly as written in YAML: serde types with `deny_unknown_fields`.
//!
//! These types only describe the shape of the file. Whether the content makes sense (ids unique,
//! scales defined, thresholds ascending) is decided by `validate.rs`, which turns a
//! [`InstrumentFile`] into a [`crate::instrument::Instrument`]. Values whose problems must be
//! pointed at carry a [`Spanned`] location.

use serde::Deserialize;
use serde_saphyr::Spanned;

/// A string together with the place it was written.
pub type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentFile {
    pub id: Text,
    pub version: Text,
    pub title: Text,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub anonymity_threshold: Option<Spanned<i64>>,
    #[serde(default)]
    pub min_answered: Option<Spanned<f64>>,
    pub roles: Spanned<Vec<RoleDef>>,
    #[serde(default)]
    pub perception_gaps: Vec<Spanned<Vec<Text>>>,
    #[serde(default)]
    pub scales: Ordered<ScaleDef>,
    pub dimensions: Spanned<Vec<DimensionDef>>,
    #[serde(default)]
    pub outcomes: Vec<ItemDef>,
    pub levels: Spanned<Vec<LevelDef>>,
    #[serde(default)]
    pub recommendations: Ordered<Vec<RecommendationDef>>,
    #[serde(default)]
    pub gap_alert: Option<Spanned<f64>>,
    #[serde(default)]
    pub meaningful_change: Option<Spanned<MeaningfulChangeDef>>,
    #[serde(default)]
    pub questionnaire: Option<QuestionnaireDef>,
    /// Respondents keep a pseudonymous `panel_id` across waves (SPEC §7, panels).
    #[serde(default)]
    pub panel: Option<bool>,
    /// Open questions (SPEC §16): free text, never scored.
    #[serde(default)]
    pub comments: Vec<CommentDef>,
    /// The fewest commenters whose comments an organization-wave shows (default 10).
    #[serde(default)]
    pub comment_threshold: Option<Spanned<i64>>,
    /// Words that code comments by theme (SPEC §16).
    #[serde(default)]
    pub themes: Vec<ThemeDef>,
    /// Respondent attributes reported by (SPEC §17).
    #[serde(default)]
    pub breakdowns: Option<Spanned<Vec<BreakdownDef>>>,
}

/// An open question: `{ id, text, max_chars }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentDef {
    pub id: Text,
    pub text: Text,
    #[serde(default)]
    pub max_chars: Option<Spanned<i64>>,
    /// Asked only when this holds (SPEC §16); it may name any item or outcome.
    #[serde(default)]
    pub show_if: Option<Spanned<super::condition::ConditionDef>>,
}

/// A theme of comments: `{ id, label, words: [...] }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeDef {
    pub id: Text,
    pub label: Text,
    pub words: Spanned<Vec<Text>>,
}

/// One breakdown: a respondent attribute whose value is one of its options (SPEC §17).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakdownDef {
    pub id: Text,
    pub label: Text,
    pub options: Spanned<Vec<Spanned<BreakdownOptionDef>>>,
}

/// A breakdown option: a plain id, or `{ id, label }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum BreakdownOptionDef {
    Plain(String),
    Labelled(LabelledOptionDef),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledOptionDef {
    pub id: String,
    #[serde(default)]
    pub label: Option<String>,
}

/// The texts of the answer form (SPEC §12); each falls back to a default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireDef {
    #[serde(default)]
    pub intro: Option<Text>,
    #[serde(default)]
    pub role_question: Option<Text>,
    #[serde(default)]
    pub org_question: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleDef {
    pub id: Text,
    pub label: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleDef {
    pub labels: Spanned<Vec<Text>>,
    #[serde(default)]
    pub na: Vec<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionDef {
    pub id: Text,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub weight: Option<Spanned<f64>>,
    pub items: Spanned<Vec<ItemDef>>,
}

/// The kind of an item as written; absent means a scale item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemType {
    Scale,
    Number,
    Boolean,
    Choice,
    Multi,
}

/// Options are plain ids for `multi` items and `{id, label, score}` maps for `choice` items.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OptionDef {
    Plain(String),
    Scored(ScoredOptionDef),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoredOptionDef {
    pub id: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub score: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDef {
    pub id: Text,
    pub text: String,
    #[serde(default, rename = "type")]
    pub kind: Option<Spanned<ItemType>>,
    #[serde(default)]
    pub scale: Option<Text>,
    #[serde(default)]
    pub reverse: bool,
    #[serde(default)]
    pub weight: Option<Spanned<f64>>,
    #[serde(default)]
    pub min: Option<Spanned<f64>>,
    #[serde(default)]
    pub max: Option<Spanned<f64>>,
    #[serde(default)]
    pub options: Option<Spanned<Vec<Spanned<OptionDef>>>>,
    #[serde(default)]
    pub full_at: Option<Spanned<i64>>,
    /// Asked only when this holds (SPEC §16).
    #[serde(default)]
    pub show_if: Option<Spanned<super::condition::ConditionDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelDef {
    pub id: Text,
    pub label: String,
    pub min: Spanned<f64>,
    #[serde(default)]
    pub min_each_dimension: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendationDef {
    pub below: Spanned<f64>,
    pub text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeaningfulChangeDef {
    #[serde(default)]
    pub p: Option<f64>,
    #[serde(default)]
    pub points: Option<f64>,
}

/// A YAML mapping kept in file order, with the place of each key. (serde's maps either lose the
/// order or the key locations; duplicate keys are already refused by the YAML reader.)
#[derive(Debug)]
pub struct Ordered<V>(pub Vec<(Text, V)>);

impl<V> Default for Ordered<V> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }
        deserializer.deserialize_map(Visitor(std::marker::PhantomData))
    }
}
