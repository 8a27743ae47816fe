//! Response import (SPEC §3): CSV files → scored respondents, plus every rejected row.
//!
//! Each file streams through in chunks of rows. While one chunk is parsed and scored in
//! parallel (rayon, order kept), the next is read; a sequential merge then interns
//! organizations and waves, refuses repeated respondent ids and appends the results in input
//! order. Cells are parsed once into [`Answer`]s and scored on the spot; only the respondent's
//! dimension scores, index, level and outcomes are kept (item scores too when `stats` asks).

mod cell;
pub mod lines;
pub mod orgs;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::instrument::Instrument;
use crate::score::{self, Answer};
use lines::LineCounter;

pub use orgs::Organizations;

/// Rows parsed together; large enough to keep both cores busy, small enough to bound memory.
const CHUNK_ROWS: usize = 16 * 1024;

/// A response file or an in-memory source with the name used in messages and for the wave.
pub struct Source<'a> {
    pub name: String,
    pub reader: Box<dyn Read + Send + 'a>,
}

impl Source<'_> {
    pub fn open(path: &Path) -> Result<Source<'static>> {
        let file = std::fs::File::open(path)
            .map_err(|e| Error::io(path, "cannot read the response file", e))?;
        Ok(Source {
            name: path.display().to_string(),
            reader: Box::new(std::io::BufReader::with_capacity(1 << 16, file)),
        })
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    pub ignore_unknown_columns: bool,
    /// Keep every item score (for `stats`); otherwise only respondent-level results.
    pub keep_items: bool,
}

/// A row that was not scored, with its first problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub file: String,
    pub line: u64,
    /// Header name of the offending column; empty for a row-level problem.
    pub column: String,
    pub respondent_id: String,
    pub reason: String,
}

/// Per item, how each accepted respondent answered (kept only with `keep_items`).
#[derive(Debug, Default, Clone)]
pub struct ItemMatrix {
    /// Row-major `respondents × scored items + outcomes`, item score or NaN.
    pub scores: Vec<f64>,
    /// Same shape: 0 answered, 1 empty cell or absent column, 2 an `na` label.
    pub status: Vec<u8>,
}

pub const ANSWERED: u8 = 0;
pub const EMPTY: u8 = 1;
pub const NA: u8 = 2;

/// Accepted respondents in input order, columnar. Missing scores are NaN.
#[derive(Debug, Default, Clone)]
pub struct Respondents {
    pub ids: Vec<Box<str>>,
    pub org: Vec<u32>,
    pub role: Vec<u16>,
    pub wave: Vec<u32>,
    /// Row-major `respondents × dimensions`.
    pub dimensions: Vec<f64>,
    pub index: Vec<f64>,
    /// Level index, or `u8::MAX` when the index is missing.
    pub level: Vec<u8>,
    /// Row-major `respondents × outcomes`, the raw numbers (not 0–100 scores).
    pub outcomes: Vec<f64>,
    pub items: Option<ItemMatrix>,
}

impl Respondents {
    pub fn len(&self) -> usize {
        self.org.len()
    }

    pub fn is_empty(&self) -> bool {
        self.org.is_empty()
    }
}

/// Everything the import produced.
#[derive(Debug, Default)]
pub struct Dataset {
    /// Organization ids in order of first appearance.
    pub orgs: Vec<String>,
    /// Wave names in order of first appearance (sort them for display).
    pub waves: Vec<String>,
    pub respondents: Respondents,
    pub rows_read: usize,
    pub rejects: Vec<Reject>,
    pub warnings: Vec<String>,
}

impl Dataset {
    pub fn rows_scored(&self) -> usize {
        self.respondents.len()
    }

    /// The line every run ends with (SPEC §3).
    pub fn reconciliation(&self) -> String {
        format!(
            "read {} rows: scored {}, rejected {}",
            self.rows_read,
            self.rows_scored(),
            self.rejects.len()
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Column {
    RespondentId,
    Org,
    Role,
    Wave,
    Item(usize),
    Ignored,
}

/// What the header of one file says about its columns.
struct Layout {
    columns: Vec<Column>,
    names: Vec<String>,
    id: usize,
    org: usize,
    wave: Option<usize>,
}

pub fn load_files(
    instrument: &Instrument,
    paths: &[impl AsRef<Path>],
    options: LoadOptions,
) -> Result<Dataset> {
    let mut sources = Vec::new();
    for path in paths {
        sources.push(Source::open(path.as_ref())?);
    }
    load(instrument, sources, options)
}

pub fn load(instrument: &Instrument, sources: Vec<Source>, options: LoadOptions) -> Result<Dataset> {
    let mut loader = Loader {
        instrument,
        options,
        data: Dataset::default(),
        org_index: HashMap::new(),
        wave_index: HashMap::new(),
        seen_ids: HashMap::new(),
    };
    if options.keep_items {
        loader.data.respondents.items = Some(ItemMatrix::default());
    }
    for source in sources {
        loader.load_source(source)?;
    }
    Ok(loader.data)
}

struct Loader<'a> {
    instrument: &'a Instrument,
    options: LoadOptions,
    data: Dataset,
    org_index: HashMap<String, u32>,
    wave_index: HashMap<String, u32>,
    /// (wave, respondent id) → line of the accepted row that used it.
    seen_ids: HashMap<(u32, Box<str>), u64>,
}

/// A row read but not yet parsed.
struct RawRow {
    record: csv::ByteRecord,
    line: u64,
}

/// The parallel part's result for one row.
struct ScoredRow {
    role: u16,
    dimensions: Vec<f64>,
    index: f64,
    outcomes: Vec<f64>,
    items: Option<(Vec<f64>, Vec<u8>)>,
}

type RowResult = std::result::Result<ScoredRow, (usize, String)>;

impl Loader<'_> {
    fn load_source(&mut self, source: Source) -> Result<()> {
        let name = source.name;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineCounter::new(source.reader));
        let mut header = csv::ByteRecord::new();
        let has_header = reader
            .read_byte_record(&mut header)
            .map_err(|e| csv_error(&name, e))?;
        if !has_header {
            return Err(Error::invalid(Diagnostic::new(
                Location::new(&name, 1, 1),
                "the file is empty; the first row must name the columns (respondent_id, org, role, item ids)",
            )));
        }
        let layout = self.layout(&name, &header)?;
        let wave_from_name = Path::new(&name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();

        let mut next = read_chunk(&mut reader, &name)?;
        while !next.is_empty() {
            let chunk = next;
            let (parsed, following) = rayon::join(
                || {
                    chunk
                        .par_iter()
                        .map(|row| self.parse_row(&layout, &row.record))
                        .collect::<Vec<_>>()
                },
                || read_chunk(&mut reader, &name),
            );
            self.merge(&name, &layout, &wave_from_name, &chunk, parsed);
            next = following?;
        }
        Ok(())
    }

    fn layout(&mut self, name: &str, header: &csv::ByteRecord) -> Result<Layout> {
        let instrument = self.instrument;
        let mut problems = Vec::new();
        let mut columns = Vec::new();
        let mut names = Vec::new();
        let mut item_column = vec![None; instrument.items.len()];
        let (mut id, mut org, mut role, mut wave) = (None, None, None, None);
        let starts = field_columns(header);
        for (i, raw) in header.iter().enumerate() {
            let at = Location::new(name, 1, starts[i]);
            let text = String::from_utf8_lossy(raw);
            let text = text.trim_start_matches('\u{feff}').trim();
            names.push(text.to_string());
            let column = match text {
                "respondent_id" => Column::RespondentId,
                "org" => Column::Org,
                "role" => Column::Role,
                "wave" => Column::Wave,
                other => match instrument.item_index(other) {
                    Some(item) => Column::Item(item),
                    None if self.options.ignore_unknown_columns => {
                        self.data.warnings.push(format!(
                            "{at}: column `{other}` is not an item of instrument `{}`; ignored",
                            instrument.id
                        ));
                        Column::Ignored
                    }
                    None => {
                        problems.push(Diagnostic::new(
                            at,
                            format!(
                                "column `{other}` is not an item of instrument `{}` {}; rename it to an item id, or pass --ignore-unknown-columns to skip it",
                                instrument.id, instrument.version
                            ),
                        ));
                        Column::Ignored
                    }
                },
            };
            let slot = match column {
                Column::RespondentId => Some(&mut id),
                Column::Org => Some(&mut org),
                Column::Role => Some(&mut role),
                Column::Wave => Some(&mut wave),
                Column::Item(item) => {
                    if item_column[item].is_some() {
                        problems.push(Diagnostic::new(
                            Location::new(name, 1, starts[i]),
                            format!("column `{text}` appears twice; keep one"),
                        ));
                    }
                    item_column[item] = Some(i);
                    None
                }
                Column::Ignored => None,
            };
            if let Some(slot) = slot {
                if slot.is_some() {
                    problems.push(Diagnostic::new(
                        Location::new(name, 1, starts[i]),
                        format!("column `{text}` appears twice; keep one"),
                    ));
                }
                *slot = Some(i);
            }
            columns.push(column);
        }
        for (slot, column) in [(id, "respondent_id"), (org, "org"), (role, "role")] {
            if slot.is_none() {
                problems.push(Diagnostic::new(
                    Location::new(name, 1, 1),
                    format!("the header has no `{column}` column; every response file needs respondent_id, org and role"),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let absent: Vec<&str> = instrument
            .items
            .iter()
            .zip(&item_column)
            .filter(|(_, c)| c.is_none())
            .map(|(item, _)| item.id.as_str())
            .collect();
        if !absent.is_empty() {
            self.data.warnings.push(format!(
                "{name}: no column for {} item(s), counted as missing in every row: {}",
                absent.len(),
                absent.join(", ")
            ));
        }
        Ok(Layout {
            columns,
            names,
            id: id.unwrap_or(0),
            org: org.unwrap_or(0),
            wave,
        })
    }

    /// Parses and scores one row. Runs in parallel: touches nothing shared.
    fn parse_row(&self, layout: &Layout, record: &csv::ByteRecord) -> RowResult {
        let instrument = self.instrument;
        if record.len() != layout.columns.len() {
            return Err((
                usize::MAX,
                format!(
                    "the row has {} fields but the header has {}; check for a missing or extra comma or an unclosed quote",
                    record.len(),
                    layout.columns.len()
                ),
            ));
        }
        let n_items = instrument.items.len();
        let mut scores = vec![f64::NAN; n_items];
        let mut status = vec![EMPTY; n_items];
        let mut role = 0u16;
        for (i, raw) in record.iter().enumerate() {
            let Ok(text) = std::str::from_utf8(raw) else {
                return Err((i, "the cell is not valid UTF-8; save the file as UTF-8".into()));
            };
            let cell = text.trim();
            match layout.columns[i] {
                Column::RespondentId if cell.is_empty() => {
                    return Err((i, "respondent_id is empty".into()))
                }
                Column::Org if cell.is_empty() => return Err((i, "org is empty".into())),
                Column::Wave if cell.is_empty() => return Err((i, "wave is empty".into())),
                Column::Role => match role_of(instrument, cell) {
                    Some(r) => role = r as u16,
                    None => {
                        return Err((
                            i,
                            format!(
                                "role `{cell}` is not defined (roles: {})",
                                instrument
                                    .roles
                                    .iter()
                                    .map(|r| r.id.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ))
                    }
                },
                Column::Item(item) => {
                    let def = &instrument.items[item];
                    let (answer, na) = cell::parse(def, cell).map_err(|reason| (i, reason))?;
                    status[item] = if na {
                        NA
                    } else if answer == Answer::Missing {
                        EMPTY
                    } else {
                        ANSWERED
                    };
                    scores[item] = match (answer, def.dimension) {
                        // Outcomes keep the number as given; scored items become 0–100.
                        (Answer::Number(x), None) => x,
                        _ => score::item_score(&def.kind, def.reverse, answer),
                    };
                }
                _ => {}
            }
        }
        let mut dimensions = vec![f64::NAN; instrument.dimensions.len()];
        let index = score::score_respondent(instrument, &scores, &mut dimensions);
        let outcomes = scores[instrument.outcomes.clone()].to_vec();
        Ok(ScoredRow {
            role,
            dimensions,
            index,
            outcomes,
            items: self.options.keep_items.then_some((scores, status)),
        })
    }

    fn merge(
        &mut self,
        name: &str,
        layout: &Layout,
        wave_from_name: &str,
        chunk: &[RawRow],
        parsed: Vec<RowResult>,
    ) {
        for (row, result) in chunk.iter().zip(parsed) {
            self.data.rows_read += 1;
            let cell = |i: usize| {
                row.record
                    .get(i)
                    .map(|c| String::from_utf8_lossy(c).trim().to_string())
                    .unwrap_or_default()
            };
            let respondent_id = cell(layout.id);
            let mut reject = |column: usize, reason: String| {
                self.data.rejects.push(Reject {
                    file: name.to_string(),
                    line: row.line,
                    column: layout.names.get(column).cloned().unwrap_or_default(),
                    respondent_id: respondent_id.clone(),
                    reason,
                })
            };
            let scored = match result {
                Ok(scored) => scored,
                Err((column, reason)) => {
                    reject(column, reason);
                    continue;
                }
            };
            let wave_name = match layout.wave {
                Some(w) => cell(w),
                None => wave_from_name.to_string(),
            };
            if wave_name.is_empty() {
                reject(usize::MAX, "the wave is empty: add a `wave` column or name the file after the wave".into());
                continue;
            }
            let wave = intern(&mut self.wave_index, &mut self.data.waves, &wave_name);
            let key = (wave, respondent_id.clone().into_boxed_str());
            if let Some(&first) = self.seen_ids.get(&key) {
                reject(
                    layout.id,
                    format!(
                        "respondent_id `{respondent_id}` was already used in wave {wave_name} by the row on line {first}"
                    ),
                );
                continue;
            }
            self.seen_ids.insert(key, row.line);
            let org = intern(&mut self.org_index, &mut self.data.orgs, &cell(layout.org));
            let r = &mut self.data.respondents;
            r.ids.push(respondent_id.into_boxed_str());
            r.org.push(org);
            r.role.push(scored.role);
            r.wave.push(wave);
            let dims: Vec<Option<f64>> = scored.dimensions.iter().map(|&d| score::present(d)).collect();
            r.level.push(
                self.instrument
                    .level_of(score::present(scored.index), &dims)
                    .map_or(u8::MAX, |l| l as u8),
            );
            r.dimensions.extend_from_slice(&scored.dimensions);
            r.index.push(scored.index);
            r.outcomes.extend_from_slice(&scored.outcomes);
            if let (Some(matrix), Some((scores, status))) = (&mut r.items, scored.items) {
                matrix.scores.extend_from_slice(&scores);
                matrix.status.extend_from_slice(&status);
            }
        }
    }
}

fn role_of(instrument: &Instrument, cell: &str) -> Option<usize> {
    instrument.roles.iter().position(|r| {
        r.id.eq_ignore_ascii_case(cell) || (!r.label.is_empty() && r.label.to_lowercase() == cell.to_lowercase())
    })
}

fn intern(index: &mut HashMap<String, u32>, list: &mut Vec<String>, value: &str) -> u32 {
    if let Some(&i) = index.get(value) {
        return i;
    }
    let i = list.len() as u32;
    list.push(value.to_string());
    index.insert(value.to_string(), i);
    i
}

fn read_chunk<R: Read>(reader: &mut csv::Reader<LineCounter<R>>, name: &str) -> Result<Vec<RawRow>> {
    let mut rows = Vec::with_capacity(CHUNK_ROWS);
    while rows.len() < CHUNK_ROWS {
        let mut record = csv::ByteRecord::new();
        if !reader.read_byte_record(&mut record).map_err(|e| csv_error(name, e))? {
            break;
        }
        let offset = record.position().map_or(0, |p| p.byte());
        let line = reader.get_mut().line_at(offset);
        rows.push(RawRow { record, line });
    }
    Ok(rows)
}

fn csv_error(name: &str, error: csv::Error) -> Error {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => Error::io(name, "cannot read the response file", e),
        other => Error::Other(format!("{name}: {other:?}")),
    }
}

/// 1-based character column at which each header field starts (quotes included).
fn field_columns(header: &csv::ByteRecord) -> Vec<u64> {
    // Reconstruct from the raw fields: each field occupies its text plus a separator; a quoted
    // field is counted as written without quotes, which is exact for ordinary headers.
    let mut starts = Vec::with_capacity(header.len());
    let mut column = 1u64;
    for (i, field) in header.iter().enumerate() {
        let text = String::from_utf8_lossy(field);
        let text = if i == 0 { text.trim_start_matches('\u{feff}').to_string() } else { text.into_owned() };
        let leading = text.len() - text.trim_start().len();
        starts.push(column + leading as u64);
        column += text.chars().count() as u64 + 1;
    }
    starts
}
