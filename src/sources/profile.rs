//! Source profiles (SPEC §11): a YAML file saying what an export cannot say itself (its
//! format, the organization, role and wave, columns named neither by an item's id nor its
//! text, coded answers), read as strictly as the instrument: an unknown key, item, format or
//! answer is an error with the file, line and column.
//!
//! The result is a [`Reading`]: everything the import needs to know about the files of one
//! run, with the command line's `--format`, `--org`, `--role`, `--wave` and `--encoding`
//! applied over the profile.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::decode::Encoding;
use super::format::{Filter, Format};
use crate::error::{Diagnostic, Error, Location, Result};
use crate::instrument::{Instrument, ItemKind};
use crate::responses::cell;
use crate::responses::text::{answer_key, quoted};

/// Where a reserved field comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// A column of the file, by its header.
    Column(String),
    /// One value for every row; `origin` names where it was given (`--org`, the profile).
    Value { value: String, origin: String },
}

/// The header(s) a profile's `columns:` gives an item.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnNames {
    One(String),
    /// One column per option of a multi item, in option order.
    PerOption(Vec<String>),
    /// `columns: { id: null }`: the item is not in the export (missing in every row).
    Absent,
}

/// Where the respondent id comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum IdSource {
    Column(String),
    /// `<file name>:<physical line>`.
    Line,
}

/// How the files of one run are read: the format and everything a profile or the command line
/// adds to it.
#[derive(Debug, Clone)]
pub struct Reading {
    pub format: Format,
    pub sheet: Option<String>,
    pub delimiter: Option<u8>,
    pub encoding: Option<Encoding>,
    /// Row filters; `None`: the preset's.
    pub keep: Option<Vec<(String, Filter)>>,
    pub respondent_id: Option<IdSource>,
    /// The header of the column holding respondents' own panel codes (SPEC §7, panels).
    pub panel_id: Option<String>,
    pub org: Option<Field>,
    pub role: Option<Field>,
    pub wave: Option<Field>,
    /// Role cell (as [`answer_key`]) → role index, from `role: { values: … }`.
    pub role_values: HashMap<String, usize>,
    /// Item index → the header of its column, or of one column per option.
    pub columns: BTreeMap<usize, ColumnNames>,
    /// Item index → exported answer (as [`answer_key`]) → the cell it stands for (`None`:
    /// missing).
    pub values: BTreeMap<usize, HashMap<String, Option<String>>>,
    pub multi_separator: Option<String>,
    /// Headers of columns the profile named for a field the command line then gave a value.
    pub overridden: Vec<String>,
}

impl Reading {
    /// A reading with nothing but its format (`--format NAME`, or the default `csv`).
    pub fn for_format(format: Format) -> Reading {
        Reading {
            format,
            sheet: None,
            delimiter: None,
            encoding: None,
            keep: None,
            respondent_id: None,
            panel_id: None,
            org: None,
            role: None,
            wave: None,
            role_values: HashMap::new(),
            columns: BTreeMap::new(),
            values: BTreeMap::new(),
            multi_separator: None,
            overridden: Vec::new(),
        }
    }

    /// `--org`, `--role` or `--wave` (`key` without dashes): the command line wins over the
    /// profile, whose column for that field is then ignored (with a warning).
    pub fn override_field(&mut self, key: &str, value: &str) {
        let slot = match key {
            "org" => &mut self.org,
            "role" => &mut self.role,
            _ => &mut self.wave,
        };
        if let Some(Field::Column(header)) = slot.take() {
            self.overridden.push(header);
        }
        *slot = Some(Field::Value {
            value: value.to_string(),
            origin: format!("--{key}"),
        });
    }

    /// The row filters in force: the profile's `keep:`, or the preset's.
    pub fn filters(&self) -> Vec<(String, Filter)> {
        match &self.keep {
            Some(keep) => keep.clone(),
            None => self.format.preset().filters(),
        }
    }

    /// Whether the filters are the profile's own (a missing column is then an error).
    pub fn keep_is_explicit(&self) -> bool {
        self.keep.is_some()
    }

    /// The separator of multiple answers in one cell.
    pub fn multi_separator(&self) -> &str {
        self.multi_separator
            .as_deref()
            .unwrap_or(self.format.preset().multi_separator)
    }
}

/// The profile file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    #[serde(default)]
    format: Option<Spanned<String>>,
    #[serde(default)]
    sheet: Option<String>,
    #[serde(default)]
    delimiter: Option<Spanned<String>>,
    #[serde(default)]
    encoding: Option<Spanned<String>>,
    #[serde(default)]
    keep: Option<BTreeMap<String, Vec<Scalar>>>,
    #[serde(default)]
    respondent_id: Option<Spanned<String>>,
    #[serde(default)]
    panel_id: Option<String>,
    #[serde(default)]
    org: Option<Spanned<FieldDef>>,
    #[serde(default)]
    role: Option<Spanned<FieldDef>>,
    #[serde(default)]
    wave: Option<Spanned<FieldDef>>,
    #[serde(default)]
    columns: Option<BTreeMap<String, Spanned<ColumnsDef>>>,
    #[serde(default)]
    values: Option<BTreeMap<String, Spanned<ValuesDef>>>,
    #[serde(default)]
    multi_separator: Option<Spanned<String>>,
}

/// One item's `values:`: exported answer → what it means (`null`: missing).
type ValuesDef = BTreeMap<String, Spanned<Option<Scalar>>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldDef {
    #[serde(default)]
    column: Option<String>,
    #[serde(default)]
    value: Option<Scalar>,
    #[serde(default)]
    values: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ColumnsDef {
    Absent(()),
    One(String),
    Many(Vec<String>),
}

/// A YAML scalar, kept as the text a cell would hold.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(x) => x.to_string(),
            Scalar::Text(s) => s.clone(),
        }
    }
}

/// The largest profile read: a profile is a few lines; anything longer is the wrong file
/// (`--profile /dev/zero`).
pub const MAX_PROFILE_BYTES: u64 = 1024 * 1024;

/// Reads and checks a profile against the instrument.
pub fn load(path: &Path, instrument: &Instrument) -> Result<Reading> {
    use std::io::Read;
    let name = path.display().to_string();
    let file =
        std::fs::File::open(path).map_err(|e| Error::io(path, "cannot read the profile", e))?;
    let mut bytes = Vec::new();
    file.take(MAX_PROFILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, "cannot read the profile", e))?;
    if bytes.len() as u64 > MAX_PROFILE_BYTES {
        return Err(Error::invalid(Diagnostic::new(
            Location::new(&name, 0, 0),
            format!(
                "the profile is larger than {} KB; a source profile is a short YAML file: check the path",
                MAX_PROFILE_BYTES / 1024
            ),
        )));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::invalid(Diagnostic::new(
            Location::new(&name, 0, 0),
            "the profile is not UTF-8 text; save it as UTF-8",
        ))
    })?;
    parse(&text, &name, instrument)
}

/// Parses profile text; `name` is used in messages.
pub fn parse(text: &str, name: &str, instrument: &Instrument) -> Result<Reading> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = serde_saphyr::options! {
        strict_booleans: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
    };
    let file: Option<ProfileFile> =
        serde_saphyr::from_str_with_options(text, options).map_err(|e| yaml_error(&e, name))?;
    let file = file.unwrap_or(ProfileFile {
        format: None,
        sheet: None,
        delimiter: None,
        encoding: None,
        keep: None,
        respondent_id: None,
        panel_id: None,
        org: None,
        role: None,
        wave: None,
        columns: None,
        values: None,
        multi_separator: None,
    });
    Checker {
        name,
        instrument,
        problems: Vec::new(),
    }
    .check(file)
}

struct Checker<'a> {
    name: &'a str,
    instrument: &'a Instrument,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn report<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) {
        let location = Location::new(self.name, at.referenced.line(), at.referenced.column());
        self.problems.push(Diagnostic::new(location, message));
    }

    fn check(mut self, file: ProfileFile) -> Result<Reading> {
        let format = match &file.format {
            None => Format::Csv,
            Some(f) => Format::from_name(f.value.trim()).unwrap_or_else(|| {
                self.report(
                    f,
                    format!(
                        "unknown format `{}` (formats: {})",
                        quoted(&f.value),
                        Format::names()
                    ),
                );
                Format::Csv
            }),
        };
        let mut reading = Reading::for_format(format);
        reading.sheet = file.sheet.clone();
        if let Some(d) = &file.delimiter {
            reading.delimiter = match d.value.as_str() {
                "\t" | "tab" => Some(b'\t'),
                one if one.len() == 1 && !matches!(one, "\"" | "\n" | "\r") => {
                    Some(one.as_bytes()[0])
                }
                _ => {
                    self.report(
                        d,
                        format!(
                            "delimiter `{}` must be one character such as \",\", \";\" or \"\\t\"",
                            quoted(&d.value)
                        ),
                    );
                    None
                }
            };
        }
        if let Some(e) = &file.encoding {
            reading.encoding = Encoding::for_label(&e.value);
            if reading.encoding.is_none() {
                self.report(
                    e,
                    format!(
                        "unknown encoding `{}`; use a name such as windows-1252, latin1, utf-16le or utf-8",
                        quoted(&e.value)
                    ),
                );
            }
        }
        reading.keep = file.keep.as_ref().map(|keep| {
            keep.iter()
                .map(|(column, values)| {
                    let values = values.iter().map(Scalar::text).collect();
                    (column.clone(), Filter::Allow(values))
                })
                .collect()
        });
        reading.respondent_id = file.respondent_id.as_ref().map(|id| {
            if id.value.trim() == "line" {
                IdSource::Line
            } else {
                IdSource::Column(id.value.clone())
            }
        });
        reading.panel_id = file.panel_id.clone();
        reading.org = self.field(file.org.as_ref(), "org");
        reading.wave = self.field(file.wave.as_ref(), "wave");
        reading.role = self.field(file.role.as_ref(), "role");
        if let Some(role) = &file.role {
            if let Some(values) = &role.value.values {
                for (answer, role_id) in values {
                    match self.role_index(role_id) {
                        Some(r) => {
                            reading.role_values.insert(answer_key(answer), r);
                        }
                        None => self.report(
                            role,
                            format!(
                                "role.values maps `{}` to `{}`, which is not a role (roles: {})",
                                quoted(answer),
                                quoted(role_id),
                                self.role_ids()
                            ),
                        ),
                    }
                }
            }
        }
        if let Some(columns) = &file.columns {
            for (item_id, headers) in columns {
                self.columns(item_id, headers, &mut reading);
            }
        }
        if let Some(values) = &file.values {
            for (item_id, map) in values {
                self.values(item_id, map, &mut reading);
            }
        }
        if let Some(s) = &file.multi_separator {
            if s.value.is_empty() {
                self.report(
                    s,
                    "multi_separator is empty; write the text between two answers, e.g. \", \"",
                );
            }
            reading.multi_separator = Some(s.value.clone());
        }
        if self.problems.is_empty() {
            Ok(reading)
        } else {
            Err(Error::Invalid(self.problems))
        }
    }

    fn field(&mut self, def: Option<&Spanned<FieldDef>>, key: &str) -> Option<Field> {
        let def = def?;
        if def.value.values.is_some() && key != "role" {
            self.report(
                def,
                format!("{key}: `values` applies only to `role`; remove it"),
            );
        }
        match (&def.value.column, &def.value.value) {
            (Some(column), None) => Some(Field::Column(column.clone())),
            (None, Some(value)) => {
                if def.value.values.is_some() {
                    self.report(
                        def,
                        format!(
                            "{key}: `values` needs `column`; with `value` write the role id itself"
                        ),
                    );
                }
                let value = value.text();
                if value.trim().is_empty() {
                    self.report(def, format!("{key}: `value` is empty"));
                }
                Some(Field::Value {
                    value,
                    origin: format!("`{key}:` of {}", self.name),
                })
            }
            _ => {
                self.report(
                    def,
                    format!("{key} needs exactly one of `column: HEADER` or `value: TEXT`"),
                );
                None
            }
        }
    }

    fn role_index(&self, role: &str) -> Option<usize> {
        let key = answer_key(role);
        self.instrument
            .roles
            .iter()
            .position(|r| answer_key(&r.id) == key || answer_key(&r.label) == key)
    }

    fn role_ids(&self) -> String {
        self.instrument
            .roles
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn item(&mut self, item_id: &str, at: &Spanned<impl Sized>, key: &str) -> Option<usize> {
        let found = self.instrument.item_index(item_id);
        if found.is_none() {
            self.report(
                at,
                format!(
                    "{key}: `{}` is not an item of instrument `{}`; use an item id",
                    quoted(item_id),
                    self.instrument.id
                ),
            );
        }
        found
    }

    fn columns(&mut self, item_id: &str, headers: &Spanned<ColumnsDef>, reading: &mut Reading) {
        let Some(item) = self.item(item_id, headers, "columns") else {
            return;
        };
        let names = match &headers.value {
            ColumnsDef::Absent(()) => ColumnNames::Absent,
            ColumnsDef::One(h) => ColumnNames::One(h.clone()),
            ColumnsDef::Many(list) => {
                match &self.instrument.items[item].kind {
                    ItemKind::Multi { options, .. } if options.len() == list.len() => {}
                    ItemKind::Multi { options, .. } => self.report(
                        headers,
                        format!(
                            "columns: `{item_id}` lists {} columns but has {} options ({}); give one column per option, in this order",
                            list.len(),
                            options.len(),
                            options.join(", ")
                        ),
                    ),
                    other => self.report(
                        headers,
                        format!(
                            "columns: `{item_id}` is a {} item and takes one column; a list is for multi items (one column per option)",
                            other.name()
                        ),
                    ),
                }
                ColumnNames::PerOption(list.clone())
            }
        };
        reading.columns.insert(item, names);
    }

    fn values(&mut self, item_id: &str, map: &Spanned<ValuesDef>, reading: &mut Reading) {
        let Some(item) = self.item(item_id, map, "values") else {
            return;
        };
        let def = &self.instrument.items[item];
        let mut table = HashMap::new();
        for (answer, meaning) in &map.value {
            let cell = meaning.value.as_ref().map(Scalar::text);
            if let Some(text) = &cell {
                if let Err(reason) = cell::parse(def, text.trim()) {
                    self.report(
                        meaning,
                        format!(
                            "values: `{item_id}` maps `{}` to {reason}; write a code, an option id, true/false, a number, or null",
                            quoted(answer)
                        ),
                    );
                }
            }
            table.insert(answer_key(answer), cell);
        }
        reading.values.insert(item, table);
    }
}

fn yaml_error(error: &serde_saphyr::Error, name: &str) -> Error {
    let (line, column) = error
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    let plain = error.render_with_options(serde_saphyr::render_options! {
        formatter: &serde_saphyr::UserMessageFormatter,
        snippets: serde_saphyr::SnippetMode::Off,
    });
    let mut message = plain.trim().to_string();
    for suffix in [
        format!(" at line {line}, column {column}"),
        format!(" at line {line} column {column}"),
    ] {
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_string();
        }
    }
    if message.contains("untagged enum ColumnsDef") {
        message =
            "columns: give a header, a list of headers (one per option of a multi item), or null for an item the export does not have".into();
    } else if message.contains("untagged enum Scalar") {
        message = "expected a plain value (text, number, true/false) here".into();
    }
    Error::invalid(Diagnostic::new(Location::new(name, line, column), message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instrument() -> Instrument {
        crate::instrument::load_bundled().expect("the bundled instrument")
    }

    fn problems(text: &str) -> Vec<String> {
        match parse(text, "p.yaml", &instrument()) {
            Ok(_) => Vec::new(),
            Err(Error::Invalid(list)) => list.iter().map(ToString::to_string).collect(),
            Err(other) => vec![other.to_string()],
        }
    }

    #[test]
    fn a_full_profile_reads() {
        let text = r#"
format: qualtrics
delimiter: ";"
encoding: windows-1252
keep: { Finished: ["True", 1] }
respondent_id: ResponseId
org: { column: Q_company }
role: { column: Q_role, values: { "HR business partner": hr, "Sales manager": sales_leader } }
wave: { value: 2025-H2 }
columns:
  col_meet: Q1
  cap_tasks: [Q7_1, Q7_2, Q7_3, Q7_4, Q7_5, Q7_6, Q7_7, Q7_8, Q7_9, Q7_10, Q7_11, Q7_12]
values:
  hir_owner: { "1": hr_alone, "2": sales_alone, "3": sales_with_hr_input, "4": joint_panel }
  col_meet: { "-99": null, "A5": 5 }
multi_separator: ", "
"#;
        let r = parse(text, "p.yaml", &instrument()).expect("valid");
        assert_eq!(r.format, Format::Qualtrics);
        assert_eq!(r.delimiter, Some(b';'));
        assert_eq!(r.encoding.map(|e| e.name()), Some("windows-1252"));
        assert_eq!(
            r.keep,
            Some(vec![(
                "Finished".to_string(),
                Filter::Allow(vec!["True".into(), "1".into()])
            )])
        );
        assert_eq!(r.respondent_id, Some(IdSource::Column("ResponseId".into())));
        assert_eq!(r.org, Some(Field::Column("Q_company".into())));
        assert_eq!(
            r.wave,
            Some(Field::Value {
                value: "2025-H2".into(),
                origin: "`wave:` of p.yaml".into()
            })
        );
        assert_eq!(r.role_values.get("hr business partner"), Some(&0));
        let col_meet = instrument().item_index("col_meet").unwrap();
        assert_eq!(r.columns[&col_meet], ColumnNames::One("Q1".into()));
        assert_eq!(r.values[&col_meet]["-99"], None);
        assert_eq!(r.values[&col_meet]["a5"], Some("5".to_string()));
        assert_eq!(r.multi_separator(), ", ");
    }

    #[test]
    fn mistakes_are_located() {
        assert_eq!(
            problems("format: qualtrix\n"),
            ["p.yaml:1:9: unknown format `qualtrix` (formats: csv, qualtrics, google-forms, ms-forms, surveymonkey, limesurvey, kobo, odk)"]
        );
        assert_eq!(
            problems("format: csv\nwaves: { value: x }\n"),
            ["p.yaml:2:1: unknown field `waves`, expected one of format, sheet, delimiter, encoding, keep, respondent_id, panel_id, org, role, wave, columns, values, multi_separator"]
        );
        assert_eq!(
            problems("columns:\n  col_meat: Q1\n"),
            ["p.yaml:2:13: columns: `col_meat` is not an item of instrument `hr-sales-partnership`; use an item id"]
        );
        assert_eq!(
            problems("values:\n  hir_owner: { \"1\": hr_only }\n"),
            ["p.yaml:2:21: values: `hir_owner` maps `1` to `hr_only` is not an option of `hir_owner` (options: hr_alone, sales_alone, sales_with_hr_input, joint_panel); write a code, an option id, true/false, a number, or null"]
        );
        assert_eq!(
            problems("org: { column: a, value: b }\n"),
            ["p.yaml:1:6: org needs exactly one of `column: HEADER` or `value: TEXT`"]
        );
        assert_eq!(
            problems("encoding: klingon\n"),
            ["p.yaml:1:11: unknown encoding `klingon`; use a name such as windows-1252, latin1, utf-16le or utf-8"]
        );
    }

    #[test]
    fn an_empty_profile_is_plain_csv() {
        let r = parse("", "p.yaml", &instrument()).expect("valid");
        assert_eq!(r.format, Format::Csv);
        assert!(r.filters().is_empty());
    }
}
