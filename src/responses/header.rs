//! Header rows → what each column of a file is (SPEC §3, §11).
//!
//! A column is a reserved field (`respondent_id`, `org`, `role`, `wave`), an item, one option
//! of a multi item (one column per option), a column to ignore (a survey tool's metadata, a
//! `keep:` column, a split `question/option` column), or a column without a header whose
//! cells must stay empty. Headers are compared normalised ([`normalize`]): by the
//! item's id, its text, or a name the profile gives. An unknown header gets the closest known
//! name suggested.

use std::collections::HashMap;

use super::cell::Joined;
use super::text::{answer_key, normalize, quoted, quoted_end};
use super::LoadOptions;
use crate::error::{Diagnostic, Error, Location, Result};
use crate::instrument::{Instrument, ItemKind};
use crate::sources::format::HeaderRows;
use crate::sources::profile::ColumnNames;
use crate::sources::Format;
use crate::sources::{Field, Filter, IdSource, Reading};

/// How many names a warning or an error lists before counting the rest (SPEC §3).
pub const MAX_LISTED: usize = 20;

/// Jaro–Winkler similarity from which a known name is suggested for an unknown header.
const SUGGEST_FROM: f64 = 0.8;

/// Reserved columns and their synonyms (SPEC §3), for "did you mean".
const SYNONYMS: &[(&str, &str)] = &[
    ("organisation", "org"),
    ("organization", "org"),
    ("company", "org"),
    ("client", "org"),
    ("id", "respondent_id"),
    ("respondent", "respondent_id"),
    ("response id", "respondent_id"),
    ("position", "role"),
    ("function", "role"),
    ("department", "role"),
    ("round", "wave"),
    ("period", "wave"),
    ("survey", "wave"),
];

/// The reserved columns of SPEC §3; `panel_id` is the optional pseudonymous code of a
/// respondent who answers again in later waves (SPEC §7, panels).
const RESERVED: [&str; 5] = ["respondent_id", "org", "role", "wave", "panel_id"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    RespondentId,
    Org,
    Role,
    Wave,
    Panel,
    Item(usize),
    /// The column of breakdown `b` of the instrument (SPEC §17).
    Breakdown(usize),
    /// Option `option` of the multi item in slot `slot` of [`Layout::option_items`]: chosen
    /// when the cell is non-empty and not 0, false, no or n.
    Option {
        slot: usize,
        option: usize,
    },
    Ignored,
    /// No header: its cells must be empty.
    Unnamed,
    /// The answers to open question `n` of the instrument (SPEC §16): free text, never scored.
    Comment(usize),
}

/// What the header rows of one file say about its columns, and how its cells are read.
pub struct Layout {
    pub columns: Vec<Column>,
    /// The header of each column, as rejects name it.
    pub names: Vec<String>,
    /// Columns of the reserved fields; `id: None` means `<file name>:<line>`.
    pub id: Option<usize>,
    pub org: Option<usize>,
    pub wave: Option<usize>,
    pub panel: Option<usize>,
    /// Values for every row, when a field has no column.
    pub org_value: Option<String>,
    pub role_value: Option<u16>,
    pub wave_value: Option<String>,
    /// What an id by line starts with: `<file name>:`, or `line-` when a survey tool's file
    /// has no id column.
    pub line_prefix: String,
    /// Row filters: column, whether the values are allowed (else refused), values as
    /// [`answer_key`].
    pub filters: Vec<(usize, bool, Vec<String>)>,
    /// Each filter's column, as the profile or preset names it.
    pub filter_names: Vec<String>,
    /// Role cell (as [`answer_key`]) → role index.
    pub role_values: HashMap<String, usize>,
    /// Per item: exported answer → canonical cell (`None`: missing).
    pub values: Vec<Option<HashMap<String, Option<String>>>>,
    pub joined: Joined,
    /// What separates fields, as messages name it (`comma`, `semicolon`, `tab`).
    pub delimiter: &'static str,
    /// Multi items read from one column per option.
    pub option_items: Vec<usize>,
    /// LimeSurvey: `N/A` is no answer, and an option column marks its option chosen only by
    /// `Yes`, `Y`, `1` or the option's own text.
    pub limesurvey_tokens: bool,
    /// Microsoft Forms: a multi cell's text that names no option is an "Other" answer, ignored.
    pub other_text: bool,
    /// Whether the row filters are the profile's own `keep:` (else the preset's).
    pub keep_explicit: bool,
}

impl Layout {
    /// Why a row whose column of filter `filter` holds `cell` is dropped by the filter on that column.
    pub fn filter_reason(&self, filter: usize, cell: &str) -> String {
        let header = quoted(self.filter_names.get(filter).map_or("", String::as_str)).into_owned();
        let what = match (
            header.to_ascii_lowercase().as_str(),
            answer_key(cell).as_str(),
        ) {
            ("status", "survey test" | "2") => ": Qualtrics test responses",
            ("status", "survey preview" | "1") => ": Qualtrics previews",
            ("status", "spam" | "preview spam" | "imported spam" | "8" | "9" | "12") => {
                ": marked as spam by Qualtrics"
            }
            ("finished", _) => ": unfinished responses",
            _ => "",
        };
        format!("{header} is \"{}\"{what}", quoted(cell))
    }

    /// What to do about filtered rows.
    pub fn filter_fix(&self) -> &'static str {
        if self.keep_explicit {
            "see `keep:` in the profile"
        } else {
            "add `keep: {}` to the profile to score them"
        }
    }

    /// The number of fields a row may have: every column, or fewer when only headerless
    /// columns at the end are missing (Excel's trailing empty column).
    pub fn accepts_width(&self, width: usize) -> bool {
        width == self.columns.len()
            || (width < self.columns.len()
                && self.columns[width..]
                    .iter()
                    .all(|c| matches!(c, Column::Unnamed | Column::Ignored)))
    }

    /// Whether a row of `width` fields lacks trailing columns that have a header (accepted,
    /// with a warning: ODK Central writes such rows).
    pub fn is_short(&self, width: usize) -> bool {
        width < self.columns.len() && self.columns[width..].iter().any(|c| *c != Column::Unnamed)
    }
}

/// A row filter: its column, whether the values are allowed (else refused), the values as
/// [`answer_key`].
pub type RowFilter = (usize, bool, Vec<String>);

/// The header rows of a file: each row's line and fields.
pub struct HeaderText {
    pub rows: Vec<(u64, Vec<String>)>,
    /// 1-based character column where each field of the first row starts.
    pub starts: Vec<u64>,
}

/// Whether the record after `rows` header rows is one more header row of this format.
pub fn takes_next_row(kind: HeaderRows, rows: usize, next: &[String]) -> bool {
    match (kind, rows) {
        (HeaderRows::Qualtrics | HeaderRows::SurveyMonkey, 1) => true,
        (HeaderRows::Qualtrics, 2) => next
            .iter()
            .any(|c| c.trim_start().starts_with("{\"ImportId\"")),
        (HeaderRows::Kobo, 1) => {
            next.iter().any(|c| !c.trim().is_empty())
                && next
                    .iter()
                    .all(|c| c.trim().is_empty() || c.trim().starts_with('#'))
        }
        _ => false,
    }
}

/// Everything the layout is built from.
pub struct Context<'a> {
    pub instrument: &'a Instrument,
    pub reading: &'a Reading,
    pub options: LoadOptions,
}

/// Normalised item ids and texts → items.
struct Names {
    by_name: HashMap<String, Vec<usize>>,
}

impl Names {
    fn new(instrument: &Instrument) -> Names {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, item) in instrument.items.iter().enumerate() {
            for name in [normalize(&item.id), normalize(&item.text)] {
                let entry = by_name.entry(name).or_default();
                if !entry.contains(&i) {
                    entry.push(i);
                }
            }
        }
        by_name.remove("");
        Names { by_name }
    }

    fn get(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }
}

/// Where one column was matched: a field, an item or an option, or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Field(Column),
    Item(usize),
    Option(usize, usize),
}

pub fn layout(ctx: &Context, file: &str, header: &HeaderText) -> Result<(Layout, Vec<String>)> {
    Builder::new(ctx, file, header).build()
}

struct Builder<'a> {
    ctx: &'a Context<'a>,
    file: &'a str,
    header: &'a HeaderText,
    names: Names,
    problems: Vec<Diagnostic>,
    warnings: Vec<String>,
}

impl<'a> Builder<'a> {
    fn new(ctx: &'a Context<'a>, file: &'a str, header: &'a HeaderText) -> Self {
        Builder {
            ctx,
            file,
            header,
            names: Names::new(ctx.instrument),
            problems: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn at(&self, column: usize) -> Location {
        let line = self.header.rows.first().map_or(1, |(line, _)| *line);
        let start = self.header.starts.get(column).copied().unwrap_or(1);
        Location::new(self.file, line, start)
    }

    /// The header texts of column `i` that may match (trimmed): the first row, and the second
    /// for Qualtrics.
    fn candidates(&self, i: usize) -> Vec<String> {
        let rows = &self.header.rows;
        let cell = |r: usize| {
            rows.get(r)
                .and_then(|(_, row)| row.get(i))
                .map(|c| c.trim().to_string())
                .unwrap_or_default()
        };
        match self.ctx.reading.format.preset().header_rows {
            HeaderRows::Qualtrics => [cell(0), cell(1)]
                .into_iter()
                .filter(|c| !c.is_empty())
                .collect(),
            _ => [cell(0)].into_iter().filter(|c| !c.is_empty()).collect(),
        }
    }

    fn width(&self) -> usize {
        self.header
            .rows
            .iter()
            .map(|(_, row)| row.len())
            .max()
            .unwrap_or(0)
    }

    fn build(mut self) -> Result<(Layout, Vec<String>)> {
        let ctx = self.ctx;
        let instrument = ctx.instrument;
        let reading = ctx.reading;
        let preset = reading.format.preset();
        let width = self.width();
        let survey_tool = reading.format.is_survey_tool();

        // The displayed name and the texts that may match, per column.
        let (names, candidates, groups) = match preset.header_rows {
            HeaderRows::SurveyMonkey => self.surveymonkey_names(width),
            _ => {
                let candidates: Vec<Vec<String>> = (0..width).map(|i| self.candidates(i)).collect();
                let names = (0..width)
                    .map(|i| {
                        self.header.rows[0]
                            .1
                            .get(i)
                            .map(|c| c.trim().to_string())
                            .unwrap_or_default()
                    })
                    .collect();
                (names, candidates, vec![None; width])
            }
        };
        let candidates: Vec<Vec<String>> = candidates
            .into_iter()
            .map(|c| {
                if survey_tool {
                    derived_candidates(c, reading.format)
                } else {
                    c
                }
            })
            .collect();
        let normalized: Vec<Vec<String>> = candidates
            .iter()
            .map(|c| c.iter().map(|t| normalize(t)).collect())
            .collect();
        let has = |i: usize, header: &str| {
            let wanted = normalize(header);
            !wanted.is_empty() && normalized[i].contains(&wanted)
        };

        // Names the profile gives: fields, then item columns.
        let mut profile_targets: Vec<(String, Target)> = Vec::new();
        if let Some(IdSource::Column(h)) = &reading.respondent_id {
            profile_targets.push((h.clone(), Target::Field(Column::RespondentId)));
        }
        if let Some(h) = &reading.panel_id {
            profile_targets.push((h.clone(), Target::Field(Column::Panel)));
        }
        for (field, column) in [
            (&reading.org, Column::Org),
            (&reading.role, Column::Role),
            (&reading.wave, Column::Wave),
        ] {
            if let Some(Field::Column(h)) = field {
                profile_targets.push((h.clone(), Target::Field(column)));
            }
        }
        for (&item, headers) in &reading.columns {
            match headers {
                ColumnNames::Absent => {}
                ColumnNames::One(h) => profile_targets.push((h.clone(), Target::Item(item))),
                ColumnNames::PerOption(list) => {
                    for (k, h) in list.iter().enumerate() {
                        profile_targets.push((h.clone(), Target::Option(item, k)));
                    }
                }
            }
        }
        // Items the profile places: text matches to them elsewhere are not theirs.
        let placed: Vec<usize> = reading.columns.keys().copied().collect();
        // The preset's id column: the first of its names present.
        let preset_id = if reading.respondent_id.is_none() {
            preset
                .id_columns
                .iter()
                .find_map(|name| (0..width).find(|&i| has(i, name)))
        } else {
            None
        };
        let values_given = |column: Column| match column {
            Column::Org => matches!(reading.org, Some(Field::Value { .. })),
            Column::Role => matches!(reading.role, Some(Field::Value { .. })),
            Column::Wave => matches!(reading.wave, Some(Field::Value { .. })),
            _ => false,
        };
        let origin = |column: Column| {
            let field = match column {
                Column::Org => &reading.org,
                Column::Role => &reading.role,
                _ => &reading.wave,
            };
            match field {
                Some(Field::Value { origin, .. }) => origin.clone(),
                _ => String::new(),
            }
        };

        let mut targets: Vec<Option<Target>> = vec![None; width];
        let mut columns = vec![Column::Ignored; width];
        let mut unknown: Vec<usize> = Vec::new();
        let mut overridden: Vec<usize> = Vec::new();
        for i in 0..width {
            if candidates[i].is_empty() {
                columns[i] = Column::Unnamed;
                continue;
            }
            if let Some(group) = groups[i] {
                // A SurveyMonkey option column of a multi item.
                targets[i] = group;
                continue;
            }
            let by_profile = profile_targets
                .iter()
                .find(|(h, _)| has(i, h))
                .map(|(_, t)| *t);
            if let Some(target) = by_profile {
                targets[i] = Some(target);
                continue;
            }
            if reading.overridden.iter().any(|h| has(i, h)) {
                overridden.push(i);
                continue;
            }
            let reserved = RESERVED
                .iter()
                .position(|r| normalized[i].iter().any(|n| n == r))
                .map(|r| {
                    [
                        Column::RespondentId,
                        Column::Org,
                        Column::Role,
                        Column::Wave,
                        Column::Panel,
                    ][r]
                });
            if let Some(column) = reserved {
                let id_elsewhere = column == Column::RespondentId
                    && (reading.respondent_id.is_some() || preset_id.is_some_and(|p| p != i));
                if values_given(column) || id_elsewhere {
                    overridden.push(i);
                } else {
                    targets[i] = Some(Target::Field(column));
                }
                continue;
            }
            if preset_id == Some(i) {
                targets[i] = Some(Target::Field(Column::RespondentId));
                continue;
            }
            // A breakdown by its id, or (through a survey tool's export) by its label.
            let breakdown = instrument.breakdowns.iter().position(|b| {
                normalized[i]
                    .iter()
                    .any(|n| *n == normalize(&b.id) || (survey_tool && *n == normalize(&b.label)))
            });
            if let Some(b) = breakdown {
                targets[i] = Some(Target::Field(Column::Breakdown(b)));
                continue;
            }
            if candidates[i].iter().any(|c| preset.is_metadata(c)) {
                continue;
            }
            // An open question's column, by its id or its text.
            let comment = instrument.comments.iter().position(|c| {
                normalized[i]
                    .iter()
                    .any(|n| *n == normalize(&c.id) || *n == normalize(&c.text))
            });
            if let Some(comment) = comment {
                if let Some(first) = columns[..i]
                    .iter()
                    .position(|c| *c == Column::Comment(comment))
                {
                    let at = self.at(i);
                    let message = format!(
                        "columns `{}` and `{}` both match comment `{}`; keep one",
                        quoted(&names[first]),
                        quoted(&names[i]),
                        instrument.comments[comment].id
                    );
                    self.problems.push(Diagnostic::new(at, message));
                } else {
                    columns[i] = Column::Comment(comment);
                }
                continue;
            }
            match self.items_of(&candidates[i], &normalized[i], preset.group_separator) {
                Ok(Some(item)) if placed.contains(&item) => unknown.push(i),
                Ok(Some(item)) => targets[i] = Some(Target::Item(item)),
                Ok(None) if !survey_tool => unknown.push(i),
                Ok(None) => match self.grid_target(&candidates[i], reading.format) {
                    Some(Target::Item(item) | Target::Option(item, _))
                        if placed.contains(&item) =>
                    {
                        unknown.push(i)
                    }
                    Some(target) => targets[i] = Some(target),
                    None => unknown.push(i),
                },
                Err(both) => {
                    let at = self.at(i);
                    self.problems.push(Diagnostic::new(
                        at,
                        format!(
                            "column `{}` matches two items, `{}` and `{}`; name the column in the profile's `columns`",
                            quoted(&names[i]),
                            instrument.items[both.0].id,
                            instrument.items[both.1].id
                        ),
                    ));
                }
            }
        }

        // Split `question/option` columns of a multi item read from its combined column.
        if let Some(separator) = preset.group_separator {
            let combined: Vec<String> = (0..width)
                .filter(|&i| {
                    matches!(targets[i], Some(Target::Item(item))
                        if matches!(instrument.items[item].kind, ItemKind::Multi { .. }))
                })
                .map(|i| names[i].clone())
                .collect();
            unknown.retain(|&i| {
                let name = &names[i];
                !combined.iter().any(|c| {
                    name.strip_prefix(c.as_str())
                        .is_some_and(|rest| rest.starts_with('/') || rest.starts_with(separator))
                })
            });
        }

        // Each field and item has one column (or, for a multi item, one column per option).
        let mut fields: HashMap<Column, usize> = HashMap::new();
        let mut items: HashMap<usize, usize> = HashMap::new();
        let mut options: HashMap<(usize, usize), usize> = HashMap::new();
        let mut option_items: Vec<usize> = Vec::new();
        for i in 0..width {
            let Some(target) = targets[i] else { continue };
            let earlier = match target {
                Target::Field(column) => fields.get(&column).copied(),
                Target::Item(item) => items
                    .get(&item)
                    .or_else(|| {
                        options
                            .iter()
                            .find(|((o, _), _)| *o == item)
                            .map(|(_, c)| c)
                    })
                    .copied(),
                Target::Option(item, option) => items
                    .get(&item)
                    .or_else(|| options.get(&(item, option)))
                    .copied(),
            };
            if let Some(first) = earlier {
                let message = match target {
                    _ if normalized[first] == normalized[i] => {
                        format!("column `{}` appears twice; keep one", quoted(&names[i]))
                    }
                    Target::Field(_) => {
                        format!("column `{}` appears twice; keep one", quoted(&names[i]))
                    }
                    Target::Item(item) | Target::Option(item, _) => format!(
                        "columns `{}` and `{}` both match item `{}`; keep one, or name the right one in the profile's `columns`",
                        quoted(&names[first]),
                        quoted(&names[i]),
                        instrument.items[item].id
                    ),
                };
                let at = self.at(i);
                self.problems.push(Diagnostic::new(at, message));
                continue;
            }
            columns[i] = match target {
                Target::Field(column) => {
                    fields.insert(column, i);
                    column
                }
                Target::Item(item) => {
                    items.insert(item, i);
                    Column::Item(item)
                }
                Target::Option(item, option) => {
                    options.insert((item, option), i);
                    let slot = match option_items.iter().position(|&o| o == item) {
                        Some(slot) => slot,
                        None => {
                            option_items.push(item);
                            option_items.len() - 1
                        }
                    };
                    Column::Option { slot, option }
                }
            };
        }

        // A `columns` header the file does not have.
        for (header, target) in &profile_targets {
            let item = match target {
                Target::Item(item) | Target::Option(item, _) => *item,
                Target::Field(_) => continue,
            };
            if (0..width).any(|i| has(i, header)) {
                continue;
            }
            let closest = closest_headers(header, &names, &candidates, &unknown);
            self.problems.push(Diagnostic::new(
                Location::new(self.file, self.header.rows.first().map_or(1, |r| r.0), 0),
                format!(
                    "columns: `{}` (item `{}`) is not a header of the file{}; copy the header exactly, or write `{}: null` if the export does not have it",
                    quoted(header),
                    instrument.items[item].id,
                    closest,
                    instrument.items[item].id
                ),
            ));
        }

        for &i in &overridden {
            self.warnings.push(format!(
                "{}: column `{}` is ignored: {}",
                self.at(i),
                quoted(&names[i]),
                match columns_field(&normalized[i], reading) {
                    Some(column) if values_given(column) =>
                        format!("{} gives the value of every row", origin(column)),
                    _ => "the respondent id comes from another column".to_string(),
                }
            ));
        }
        self.unknown_columns(&unknown, &names, &normalized, survey_tool);

        let position = |wanted: Column| columns.iter().position(|&c| c == wanted);
        let id = position(Column::RespondentId);
        let org = position(Column::Org);
        let role = position(Column::Role);
        let wave = position(Column::Wave);
        let panel = position(Column::Panel);
        let mut ids_by_line = matches!(reading.respondent_id, Some(IdSource::Line))
            || (reading.respondent_id.is_none() && preset.id_columns.is_empty());
        let mut line_prefix = None;
        if id.is_none() && !ids_by_line && survey_tool && reading.respondent_id.is_none() {
            // A survey tool's file without any id column: rows are named by their line.
            ids_by_line = true;
            line_prefix = Some("line-".to_string());
            self.warnings.push(format!(
                "{}: no respondent id column (the {} preset reads {}); each row's id is its line, `line-N`; name the id column with `respondent_id:` in a profile",
                self.file,
                reading.format.name(),
                id_names(preset.id_columns)
            ));
        }
        let field_value = |field: &Option<Field>| match field {
            Some(Field::Value { value, .. }) => Some(value.trim().to_string()),
            _ => None,
        };
        let org_value = field_value(&reading.org);
        let wave_value = field_value(&reading.wave);
        let role_value = match field_value(&reading.role) {
            None => None,
            Some(value) => match super::rows::role_of(instrument, &value) {
                Some(r) => Some(r as u16),
                None => {
                    self.problems.push(Diagnostic::new(
                        Location::new(self.file, 0, 0),
                        format!(
                            "{} `{}` is not a role of instrument `{}` (roles: {})",
                            origin(Column::Role),
                            quoted(&value),
                            instrument.id,
                            role_ids(instrument)
                        ),
                    ));
                    None
                }
            },
        };
        self.require(id.is_some() || ids_by_line, "respondent_id", survey_tool);
        self.require(org.is_some() || org_value.is_some(), "org", survey_tool);
        self.require(
            role.is_some() || reading.role.is_some(),
            "role",
            survey_tool,
        );

        let (filters, filter_names) = self.filters(width, &has);
        if !self.problems.is_empty() {
            return Err(Error::Invalid(self.problems));
        }

        let mut covered = vec![false; instrument.items.len()];
        for column in &columns {
            if let Column::Item(item) = column {
                covered[*item] = true;
            }
        }
        for &item in &option_items {
            covered[item] = true;
        }
        let absent: Vec<&str> = instrument
            .items
            .iter()
            .enumerate()
            .zip(&covered)
            .filter(|((i, _), c)| {
                !**c && !matches!(reading.columns.get(i), Some(ColumnNames::Absent))
            })
            .map(|((_, item), _)| item.id.as_str())
            .collect();
        if !absent.is_empty() && survey_tool && !unknown.is_empty() {
            // Never `scored N` with items unread while columns went unmatched.
            let mut problems = Vec::new();
            for (k, id) in absent.iter().enumerate().take(MAX_LISTED) {
                let item = instrument
                    .items
                    .iter()
                    .find(|i| i.id == *id)
                    .expect("an item");
                let closest = closest_headers(&item.text, &names, &candidates, &unknown);
                problems.push(Diagnostic::new(
                    Location::new(self.file, self.header.rows.first().map_or(1, |r| r.0), 0),
                    format!(
                        "item `{id}` (\"{}\") is read from no column{closest}; name its column in the profile's `columns: {{ {id}: \"header\" }}`, or write `{id}: null` if the export does not have it{}",
                        quoted(&item.text),
                        if k == 0 {
                            format!(
                                " ({} column(s) match no item: {})",
                                unknown.len(),
                                listed_names(&unknown, &names)
                            )
                        } else {
                            String::new()
                        }
                    ),
                ));
            }
            if absent.len() > MAX_LISTED {
                problems.push(Diagnostic::new(
                    Location::new(self.file, 1, 0),
                    format!(
                        "… and {} more items read from no column",
                        absent.len() - MAX_LISTED
                    ),
                ));
            }
            return Err(Error::Invalid(problems));
        }
        if !absent.is_empty() {
            self.warnings.push(format!(
                "{}: no column for {} item(s), counted as missing in every row: {}",
                self.file,
                absent.len(),
                absent.join(", ")
            ));
        }

        let joined = match (
            reading.multi_separator(),
            survey_tool || reading.multi_separator.is_some(),
        ) {
            (";", _) if !preset.trailing_separator => Joined::Semicolons,
            (_, false) => Joined::Semicolons,
            (separator, true) => Joined::By {
                separator: separator.to_string(),
                trailing: preset.trailing_separator,
            },
        };
        let values = (0..instrument.items.len())
            .map(|item| reading.values.get(&item).cloned())
            .collect();
        let line_prefix = line_prefix.unwrap_or_else(|| {
            let name = std::path::Path::new(self.file).file_name().map_or_else(
                || self.file.to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            format!("{name}:")
        });
        let layout = Layout {
            columns,
            names,
            id: if ids_by_line && reading.respondent_id.is_some() {
                None
            } else {
                id
            },
            org,
            wave,
            panel,
            org_value,
            role_value,
            wave_value,
            line_prefix,
            filters,
            filter_names,
            role_values: reading.role_values.clone(),
            values,
            joined,
            delimiter: "comma",
            option_items,
            limesurvey_tokens: reading.format == Format::LimeSurvey,
            keep_explicit: reading.keep_is_explicit(),
            other_text: reading.format == Format::MsForms,
        };
        Ok((layout, self.warnings))
    }

    /// The item a column's texts name: by id or text, else (kobo, odk) by the last segment of a
    /// `group/question` path. `Err` holds two items one text matches.
    fn items_of(
        &self,
        candidates: &[String],
        normalized: &[String],
        group_separator: Option<char>,
    ) -> std::result::Result<Option<usize>, (usize, usize)> {
        fn take(
            found: &mut Option<usize>,
            items: &[usize],
        ) -> std::result::Result<(), (usize, usize)> {
            for &item in items {
                match *found {
                    Some(f) if f != item => return Err((f, item)),
                    _ => *found = Some(item),
                }
            }
            Ok(())
        }
        let mut found: Option<usize> = None;
        for name in normalized {
            take(&mut found, self.names.get(name))?;
        }
        if found.is_none() {
            if let Some(separator) = group_separator {
                for text in candidates {
                    let last = text.rsplit(['/', separator]).next().unwrap_or(text);
                    if last.len() < text.len() {
                        take(&mut found, self.names.get(&normalize(last)))?;
                        if found.is_none() && last.contains('_') {
                            take(
                                &mut found,
                                self.names.get(&normalize(&last.replace('_', " "))),
                            )?;
                        }
                    }
                }
            }
        }
        Ok(found)
    }

    /// The item (or option of a multi item) a grid column names: its row part is one item's
    /// text or id, or its question is a multi item and its row one of that item's options.
    fn grid_target(&self, candidates: &[String], format: Format) -> Option<Target> {
        let mut found: Option<Target> = None;
        for text in candidates {
            for (question, row) in grid_splits(text, format) {
                let option = self
                    .names
                    .get(&normalize(question))
                    .iter()
                    .copied()
                    .filter(|&item| {
                        matches!(self.ctx.instrument.items[item].kind, ItemKind::Multi { .. })
                    })
                    .find_map(|item| {
                        option_named(self.ctx.instrument, item, row)
                            .map(|o| Target::Option(item, o))
                    });
                let target = option.or_else(|| match self.names.get(&normalize(row)) {
                    [item] => Some(Target::Item(*item)),
                    _ => None,
                });
                match (found, target) {
                    (_, None) => {}
                    (None, Some(t)) => found = Some(t),
                    (Some(f), Some(t)) if f == t => {}
                    // The row parts name different items: not a grid column of one item.
                    (Some(_), Some(_)) => return None,
                }
            }
        }
        found
    }

    /// SurveyMonkey's two header rows: a question, then `Response`, `Open-Ended Response` or an
    /// option label; columns with an empty first row belong to the question on their left. A
    /// group whose question is a multi item is one column per option; otherwise each column
    /// is its own header `question - label`.
    #[allow(clippy::type_complexity)]
    fn surveymonkey_names(
        &self,
        width: usize,
    ) -> (Vec<String>, Vec<Vec<String>>, Vec<Option<Option<Target>>>) {
        let row = |r: usize, i: usize| {
            self.header
                .rows
                .get(r)
                .and_then(|(_, row)| row.get(i))
                .map(|c| c.trim().to_string())
                .unwrap_or_default()
        };
        let mut names = Vec::with_capacity(width);
        let mut groups = Vec::with_capacity(width);
        let mut question = String::new();
        let mut multi: Option<usize> = None;
        for i in 0..width {
            let (first, second) = (row(0, i), row(1, i));
            let starts_group = !first.is_empty();
            if starts_group {
                question = first.clone();
                let in_group =
                    i + 1 < width && row(0, i + 1).is_empty() && !row(1, i + 1).is_empty();
                let normalized = normalize(&question);
                multi = self
                    .ctx
                    .reading
                    .columns
                    .iter()
                    .find(
                        |(_, h)| matches!(h, ColumnNames::One(one) if normalize(one) == normalized),
                    )
                    .map(|(&item, _)| item)
                    .or_else(|| self.names.get(&normalized).first().copied())
                    .filter(|&item| {
                        in_group
                            && matches!(
                                self.ctx.instrument.items[item].kind,
                                ItemKind::Multi { .. }
                            )
                    });
            }
            let plain = second.is_empty()
                || second.eq_ignore_ascii_case("Response")
                || second.eq_ignore_ascii_case("Open-Ended Response");
            let name = if question.is_empty() {
                String::new()
            } else if starts_group && plain {
                question.clone()
            } else {
                format!("{question} - {second}")
            };
            groups.push(multi.map(|item| {
                option_named(self.ctx.instrument, item, &second).map(|o| Target::Option(item, o))
            }));
            names.push(name);
        }
        let candidates = names
            .iter()
            .map(|n| {
                if n.is_empty() {
                    Vec::new()
                } else {
                    vec![n.clone()]
                }
            })
            .collect();
        (names, candidates, groups)
    }

    /// Unknown columns: with `csv`, an error each (or, with `--ignore-unknown-columns`, a
    /// warning each), at most [`MAX_LISTED`] then counted; with a survey tool's format, one
    /// warning listing them.
    fn unknown_columns(
        &mut self,
        unknown: &[usize],
        names: &[String],
        normalized: &[Vec<String>],
        survey_tool: bool,
    ) {
        if unknown.is_empty() {
            return;
        }
        let instrument = self.ctx.instrument;
        if survey_tool {
            let listed: Vec<String> = unknown
                .iter()
                .take(MAX_LISTED)
                .map(|&i| format!("`{}`", quoted_end(&names[i])))
                .collect();
            let more = match unknown.len().saturating_sub(MAX_LISTED) {
                0 => String::new(),
                n => format!(" … and {n} more"),
            };
            self.warnings.push(format!(
                "{}: {} column(s) match no item of instrument `{}` and are ignored: {}{more}",
                self.file,
                unknown.len(),
                instrument.id,
                listed.join(", ")
            ));
            return;
        }
        for &i in unknown.iter().take(MAX_LISTED) {
            let at = self.at(i);
            let name = quoted(&names[i]);
            let suggestion = normalized[i].first().and_then(|n| suggest(instrument, n));
            if self.ctx.options.ignore_unknown_columns {
                self.warnings.push(format!(
                    "{at}: column `{name}` is not an item of instrument `{}`; ignored",
                    instrument.id
                ));
            } else {
                let fix = match &suggestion {
                    Some(known) => format!("did you mean `{known}`? Rename it"),
                    None => "rename it to an item id".to_string(),
                };
                self.problems.push(Diagnostic::new(
                    at,
                    format!(
                        "column `{name}` is not an item of instrument `{}` {}; {fix}, or pass --ignore-unknown-columns to skip it",
                        instrument.id, instrument.version
                    ),
                ));
            }
        }
        if unknown.len() > MAX_LISTED {
            let more = unknown.len() - MAX_LISTED;
            let what = if self.ctx.options.ignore_unknown_columns {
                "ignored"
            } else {
                "refused"
            };
            let message = format!("… and {more} more columns that are not items, {what}");
            if self.ctx.options.ignore_unknown_columns {
                self.warnings.push(format!("{}: {message}", self.file));
            } else {
                self.problems
                    .push(Diagnostic::new(Location::new(self.file, 1, 0), message));
            }
        }
    }

    fn require(&mut self, present: bool, field: &str, survey_tool: bool) {
        if present {
            return;
        }
        let at = Location::new(self.file, self.header.rows.first().map_or(1, |r| r.0), 1);
        let message = match (field, survey_tool) {
            (_, false) => format!(
                "the header has no `{field}` column; every response file needs respondent_id, org and role"
            ),
            ("respondent_id", true) => format!(
                "no respondent id column (the {} preset reads {}); name it with `respondent_id:` in the profile, or write `respondent_id: line`",
                self.ctx.reading.format.name(),
                self.ctx
                    .reading
                    .format
                    .preset()
                    .id_columns
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            (_, true) => format!(
                "no `{field}` column; pass --{field} VALUE, or give `{field}:` (a column or a value) in the profile"
            ),
        };
        self.problems.push(Diagnostic::new(at, message));
    }

    /// The row filters in force, by column.
    fn filters(
        &mut self,
        width: usize,
        has: &dyn Fn(usize, &str) -> bool,
    ) -> (Vec<RowFilter>, Vec<String>) {
        let reading = self.ctx.reading;
        let mut out = Vec::new();
        let mut names = Vec::new();
        for (column, filter) in reading.filters() {
            let Some(i) = (0..width).find(|&i| has(i, &column)) else {
                if reading.keep_is_explicit() {
                    self.problems.push(Diagnostic::new(
                        Location::new(self.file, 1, 0),
                        format!(
                            "keep: the file has no column `{}`; check the header or the profile's `keep:`",
                            quoted(&column)
                        ),
                    ));
                }
                continue;
            };
            let (allow, values) = match filter {
                Filter::Allow(v) => (true, v),
                Filter::Deny(v) => (false, v),
            };
            out.push((i, allow, values.iter().map(|v| answer_key(v)).collect()));
            names.push(column.clone());
        }
        (out, names)
    }
}

/// The texts a header cell may match besides itself: a LimeSurvey `code. question` heading
/// is also its code and its question; the last line of a header that carries an introduction
/// before the question; for Kobo and ODK, an XML name with `_` read as a space.
fn derived_candidates(mut candidates: Vec<String>, format: Format) -> Vec<String> {
    let mut extra = Vec::new();
    for text in &candidates {
        if format == Format::LimeSurvey {
            if let Some((code, question)) = text.split_once(". ") {
                if !code.is_empty() && !code.contains(char::is_whitespace) {
                    extra.push(code.to_string());
                    extra.push(question.trim().to_string());
                }
            }
        }
        if let Some(last) = text.lines().map(str::trim).rfind(|l| !l.is_empty()) {
            if last.len() < text.trim().len() {
                extra.push(last.to_string());
            }
        }
        if matches!(format, Format::Kobo | Format::Odk) && text.contains('_') {
            extra.push(text.replace('_', " "));
        }
    }
    for e in extra {
        if !e.is_empty() && !candidates.contains(&e) {
            candidates.push(e);
        }
    }
    candidates
}

/// The ways a grid column header splits into a question and a row: `<question> [<row>]`
/// (Google Forms, LimeSurvey), `<question> - <row>` (Qualtrics, SurveyMonkey) and, for
/// Qualtrics' legacy exports, `<question>-<row>`.
fn grid_splits(text: &str, format: Format) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let trimmed = text.trim_end();
    if let Some(inner) = trimmed.strip_suffix(']') {
        if let Some(open) = inner.rfind('[') {
            out.push((&inner[..open], &inner[open + 1..]));
        }
    }
    for (at, _) in text.match_indices(" - ") {
        out.push((&text[..at], &text[at + 3..]));
    }
    if format == Format::Qualtrics {
        for (at, _) in text.match_indices('-') {
            out.push((&text[..at], &text[at + 1..]));
        }
    }
    out.retain(|(q, r)| !normalize(q).is_empty() && !normalize(r).is_empty());
    out
}

/// Up to three headers (of the columns `among`) closest to `wanted`, as `; closest headers:
/// …`, or nothing when none is close. Every text a column may match is compared (each header
/// row, and each line of a header that spans several), so a question code whose text is in
/// the second header row, or a question followed by the lines of a table, is found; such a
/// column is shown by its name and the text that came close: `Q4.1` ("Which of …").
fn closest_headers(
    wanted: &str,
    names: &[String],
    candidates: &[Vec<String>],
    among: &[usize],
) -> String {
    let wanted = normalize(wanted);
    let mut scored: Vec<(f64, usize, String)> = Vec::new();
    for &i in among {
        let Some(name) = names.get(i) else { continue };
        let mut best: Option<(f64, &str)> = None;
        let texts = std::iter::once(name.as_str())
            .chain(candidates.get(i).into_iter().flatten().map(String::as_str));
        for text in texts {
            let lines = std::iter::once(text).chain(text.lines().filter(|_| text.contains('\n')));
            for line in lines {
                let score = similarity(&wanted, &normalize(line));
                if best.is_none_or(|(b, _)| score > b) {
                    best = Some((score, line));
                }
            }
        }
        let Some((score, text)) = best else { continue };
        if score < 0.6 {
            continue;
        }
        let shown = if normalize(text) == normalize(name) {
            format!("`{}`", quoted_end(name))
        } else {
            format!("`{}` (\"{}\")", quoted_end(name), quoted(text.trim()))
        };
        scored.push((score, i, shown));
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    if scored.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = scored.into_iter().take(3).map(|(_, _, s)| s).collect();
    format!("; closest headers: {}", listed.join(", "))
}

/// How close a header text is to a wanted one (both normalised), 0..=1: Jaro–Winkler, and at
/// least 0.9 when the header contains the wanted text, or is a part of it at least half as long.
fn similarity(wanted: &str, header: &str) -> f64 {
    if wanted.is_empty() || header.is_empty() {
        return 0.0;
    }
    let score = strsim::jaro_winkler(wanted, header);
    let contained =
        header.contains(wanted) || (wanted.contains(header) && 2 * header.len() >= wanted.len());
    if contained {
        score.max(0.9)
    } else {
        score
    }
}

/// Headers of the columns `columns`, as a message lists them (at most [`MAX_LISTED`]).
fn listed_names(columns: &[usize], names: &[String]) -> String {
    let listed: Vec<String> = columns
        .iter()
        .take(MAX_LISTED)
        .map(|&i| format!("`{}`", quoted_end(&names[i])))
        .collect();
    let more = match columns.len().saturating_sub(MAX_LISTED) {
        0 => String::new(),
        n => format!(" … and {n} more"),
    };
    format!("{}{more}", listed.join(", "))
}

fn id_names(columns: &[&str]) -> String {
    columns
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Which reserved field a column's names are, when they are one.
fn columns_field(normalized: &[String], reading: &Reading) -> Option<Column> {
    let reserved = RESERVED
        .iter()
        .position(|r| normalized.iter().any(|n| n == r))
        .map(|r| {
            [
                Column::RespondentId,
                Column::Org,
                Column::Role,
                Column::Wave,
                Column::Panel,
            ][r]
        });
    reserved.or_else(|| {
        let name = normalized.first()?;
        [
            (&reading.org, Column::Org),
            (&reading.role, Column::Role),
            (&reading.wave, Column::Wave),
        ]
        .into_iter()
        .find(|_| reading.overridden.iter().any(|h| &normalize(h) == name))
        .map(|(_, c)| c)
    })
}

/// The option of a multi item a header label names (its id or label, ignoring case, `_` as a
/// space).
fn option_named(instrument: &Instrument, item: usize, label: &str) -> Option<usize> {
    let loose = |s: &str| normalize(s).replace('_', " ");
    let wanted = loose(label);
    let item = &instrument.items[item];
    let labels = super::cell::multi_labels(item);
    match &item.kind {
        ItemKind::Multi { options, .. } => options
            .iter()
            .zip(labels)
            .position(|(id, l)| loose(id) == wanted || loose(l) == wanted),
        _ => None,
    }
}

/// The known name closest to an unknown (normalised) header: a synonym of a reserved column,
/// or a reserved column or item id with Jaro–Winkler similarity of at least 0.8.
pub fn suggest(instrument: &Instrument, header: &str) -> Option<String> {
    if let Some((_, known)) = SYNONYMS.iter().find(|(s, _)| *s == header) {
        return Some(known.to_string());
    }
    let known = RESERVED
        .iter()
        .copied()
        .chain(instrument.items.iter().map(|i| i.id.as_str()));
    let mut best: Option<(f64, &str)> = None;
    for name in known {
        let score = strsim::jaro_winkler(header, name);
        if score >= SUGGEST_FROM && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, name));
        }
    }
    best.map(|(_, name)| name.to_string())
}

fn role_ids(instrument: &Instrument) -> String {
    instrument
        .roles
        .iter()
        .map(|r| r.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// 1-based character column at which each field of a header row starts, from the fields as
/// read (a quoted field counts as written without quotes, which is exact for ordinary
/// headers).
pub fn field_columns(fields: &[String]) -> Vec<u64> {
    let mut starts = Vec::with_capacity(fields.len());
    let mut column = 1u64;
    for (i, field) in fields.iter().enumerate() {
        let text = if i == 0 {
            field.trim_start_matches('\u{feff}')
        } else {
            field.as_str()
        };
        let leading = text.len() - text.trim_start().len();
        starts.push(column + leading as u64);
        column += text.chars().count() as u64 + 1;
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_from_synonyms_and_similar_names() {
        let instrument = crate::instrument::load_bundled().unwrap();
        assert_eq!(suggest(&instrument, "organisation").as_deref(), Some("org"));
        assert_eq!(
            suggest(&instrument, "response id").as_deref(),
            Some("respondent_id")
        );
        assert_eq!(
            suggest(&instrument, "col_meat").as_deref(),
            Some("col_meet")
        );
        assert_eq!(suggest(&instrument, "rol").as_deref(), Some("role"));
        assert_eq!(suggest(&instrument, "notes"), None);
    }

    #[test]
    fn grid_headers_split_into_question_and_row() {
        assert_eq!(
            grid_splits("Rate these [It can influence the CPS.]", Format::LimeSurvey),
            [("Rate these ", "It can influence the CPS.")]
        );
        assert_eq!(
            grid_splits("Rate these - Han Solo", Format::SurveyMonkey),
            [("Rate these", "Han Solo")]
        );
        // Legacy Qualtrics joins with a bare `-`; other tools' hyphens are part of the text.
        assert_eq!(
            grid_splits("Check all-Squash are great", Format::Qualtrics),
            [("Check all", "Squash are great")]
        );
        assert!(grid_splits("C-3P0", Format::SurveyMonkey).is_empty());
        assert!(grid_splits("[only]", Format::GoogleForms).is_empty());
    }

    #[test]
    fn derived_header_texts() {
        let derived = |text: &str, format| derived_candidates(vec![text.to_string()], format);
        assert_eq!(
            derived("id. Response ID", Format::LimeSurvey),
            ["id. Response ID", "id", "Response ID"]
        );
        assert_eq!(
            derived("Welcome.\nHow often?", Format::Qualtrics),
            ["Welcome.\nHow often?", "How often?"]
        );
        assert_eq!(
            derived("Weathering_class", Format::Kobo),
            ["Weathering_class", "Weathering class"]
        );
        assert_eq!(
            derived("Weathering_class", Format::Qualtrics),
            ["Weathering_class"]
        );
    }

    #[test]
    fn long_headers_are_quoted_by_their_end() {
        let long = format!("{} [It can influence the CPS.]", "x".repeat(100));
        let end = quoted_end(&long);
        assert!(end.starts_with('…') && end.ends_with("[It can influence the CPS.]"));
        assert_eq!(end.chars().count(), 80);
        assert_eq!(quoted_end("short"), "short");
    }

    #[test]
    fn header_rows_are_recognised() {
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let ids = row(&["{\"ImportId\":\"startDate\"}", "{\"ImportId\":\"QID1\"}"]);
        let data = row(&["2024-01-01", "4"]);
        assert!(takes_next_row(HeaderRows::Qualtrics, 1, &data));
        assert!(takes_next_row(HeaderRows::Qualtrics, 2, &ids));
        assert!(!takes_next_row(HeaderRows::Qualtrics, 2, &data));
        assert!(takes_next_row(
            HeaderRows::Kobo,
            1,
            &row(&["#date", "", "#org"])
        ));
        assert!(!takes_next_row(HeaderRows::Kobo, 1, &data));
        assert!(takes_next_row(HeaderRows::SurveyMonkey, 1, &data));
        assert!(!takes_next_row(HeaderRows::SurveyMonkey, 2, &data));
        assert!(!takes_next_row(HeaderRows::One, 1, &data));
    }
}
