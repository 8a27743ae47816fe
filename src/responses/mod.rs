//! Response import (SPEC §3): CSV files → scored respondents, plus every rejected row.
//!
//! Each file streams through in chunks of pieces of whole records ([`pieces`]). While one
//! chunk is tokenised, parsed and scored in parallel (rayon, one piece per task, order kept),
//! the next is read; a sequential merge then interns organizations and waves and appends the
//! results in input order. Repeated respondent ids are refused once the files are read. Cells
//! are parsed once into [`Answer`]s and scored on the spot; only the respondent's dimension
//! scores, index, level and outcomes are kept (item scores too when `stats` asks).

mod cell;
pub mod orgs;
mod pieces;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::instrument::Instrument;
use crate::score::{self, Answer};
use pieces::{Piece, Record, Scratch, Splitter};

pub use orgs::Organizations;

/// Pieces (of about 128 KiB each) read, then parsed in parallel, together: enough to keep every
/// core busy, few enough to bound memory.
const CHUNK_PIECES: usize = 16;

/// A response file or an in-memory source with the name used in messages and for the wave.
pub struct Source<'a> {
    pub name: String,
    pub reader: Box<dyn Read + Send + 'a>,
    /// The size in bytes, when known: lets the import reserve memory once instead of growing.
    pub size: Option<u64>,
}

impl Source<'_> {
    pub fn open(path: &Path) -> Result<Source<'static>> {
        let file = std::fs::File::open(path)
            .map_err(|e| Error::io(path, "cannot read the response file", e))?;
        let size = file.metadata().ok().map(|m| m.len());
        Ok(Source {
            name: path.display().to_string(),
            // Unbuffered: the import reads large pieces at once.
            reader: Box::new(file),
            size,
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
    /// Respondent ids, concatenated; `id_ends[i]` is where the i-th ends.
    pub id_text: String,
    pub id_ends: Vec<usize>,
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
    pub fn id(&self, row: usize) -> &str {
        let start = if row == 0 { 0 } else { self.id_ends[row - 1] };
        &self.id_text[start..self.id_ends[row]]
    }

    pub fn len(&self) -> usize {
        self.org.len()
    }

    pub fn is_empty(&self) -> bool {
        self.org.is_empty()
    }

    /// The rows whose `keep` is true, in order.
    fn retain(&self, keep: &[bool], instrument: &Instrument) -> Respondents {
        let mut kept = Respondents::default();
        for row in (0..self.len()).filter(|&row| keep[row]) {
            kept.id_text.push_str(self.id(row));
            kept.id_ends.push(kept.id_text.len());
        }
        kept.org = kept_rows(&self.org, 1, keep);
        kept.role = kept_rows(&self.role, 1, keep);
        kept.wave = kept_rows(&self.wave, 1, keep);
        kept.index = kept_rows(&self.index, 1, keep);
        kept.level = kept_rows(&self.level, 1, keep);
        kept.dimensions = kept_rows(&self.dimensions, instrument.dimensions.len(), keep);
        kept.outcomes = kept_rows(&self.outcomes, instrument.outcomes.len(), keep);
        kept.items = self.items.as_ref().map(|items| ItemMatrix {
            scores: kept_rows(&items.scores, instrument.items.len(), keep),
            status: kept_rows(&items.status, instrument.items.len(), keep),
        });
        kept
    }
}

/// The rows of row-major `values` (`width` per row) whose `keep` is true.
fn kept_rows<T: Copy>(values: &[T], width: usize, keep: &[bool]) -> Vec<T> {
    if width == 0 {
        return Vec::new();
    }
    values
        .chunks_exact(width)
        .zip(keep)
        .filter(|(_, &k)| k)
        .flat_map(|(row, _)| row.iter().copied())
        .collect()
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

pub fn load(
    instrument: &Instrument,
    sources: Vec<Source>,
    options: LoadOptions,
) -> Result<Dataset> {
    let mut loader = Loader {
        instrument,
        options,
        data: Dataset::default(),
        org_index: FastMap::default(),
        wave_index: FastMap::default(),
        id_hashes: Vec::new(),
        lines: Vec::new(),
        files: Vec::new(),
        reject_files: Vec::new(),
    };
    if options.keep_items {
        loader.data.respondents.items = Some(ItemMatrix::default());
    }
    for source in sources {
        loader.load_source(source)?;
    }
    loader.refuse_repeated_ids();
    Ok(loader.data)
}

struct Loader<'a> {
    instrument: &'a Instrument,
    options: LoadOptions,
    data: Dataset,
    org_index: FastMap<String, u32>,
    wave_index: FastMap<String, u32>,
    /// Per accepted row: the hash of its respondent id, and its line. Repeated ids are found
    /// after the import ([`Loader::refuse_repeated_ids`]), in parallel, instead of through a
    /// table probed once per row on the sequential path.
    id_hashes: Vec<u64>,
    lines: Vec<u32>,
    /// Per source: its name, the header name of its id column and its first accepted row.
    files: Vec<FileRows>,
    /// Per reject, the index of its source in `files` (rejects are kept in input order).
    reject_files: Vec<u32>,
}

struct FileRows {
    name: String,
    id_column: String,
    first_row: usize,
}

/// FxHash (the rustc hasher) with a final avalanche: much faster than SipHash on short keys.
/// Input files are the user's own, so hash flooding is not a concern here.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    /// FxHash's multiply leaves the low bits depending only on the inputs' low bits, and the
    /// table picks buckets by the low bits; ids that differ only in their digits would collide.
    /// A final avalanche (the SplitMix64 finaliser) spreads every input bit.
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

fn hash_id(id: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = FxHasher::default();
    h.write(id.as_bytes());
    h.write_u8(0xff);
    h.finish()
}

/// The parallel part of the import: turns raw rows into scored blocks. Holds only shared,
/// read-only state, so it can run while the previous blocks are merged.
#[derive(Clone, Copy)]
struct Parser<'a> {
    instrument: &'a Instrument,
    keep_items: bool,
    /// Per item: for scale items, the score of each code (reverse keying applied), so the
    /// common one-digit cell needs no further parsing.
    code_scores: &'a [Option<Vec<f64>>],
}

impl Parser<'_> {
    /// Tokenises, parses and scores a piece's records into a block. Runs in parallel: touches
    /// nothing shared.
    fn parse_piece(&self, layout: &Layout, piece: &Piece, scratch: &mut Scratch) -> Block {
        let instrument = self.instrument;
        let n_items = instrument.items.len();
        let mut block = Block {
            lines_before: piece.lines_before,
            bytes: piece.bytes.len(),
            ..Block::default()
        };
        let mut scores = vec![f64::NAN; n_items];
        let mut status = vec![EMPTY; n_items];
        let mut dimensions = vec![f64::NAN; instrument.dimensions.len()];
        pieces::each_record(piece, scratch, |record, line| {
            scores.fill(f64::NAN);
            status.fill(EMPTY);
            let result = self.parse_row(layout, record, &mut scores, &mut status);
            block.lines.push(line);
            // The id, organization and wave cells, for the sequential merge.
            let cell = |i: Option<usize>| {
                i.and_then(|i| record.get(i))
                    .and_then(|c| std::str::from_utf8(c).ok())
                    .map_or("", trim)
            };
            let id = cell(Some(layout.id));
            for text in [id, cell(Some(layout.org)), cell(layout.wave)] {
                block.text.push_str(text);
                block.ends.push(block.text.len());
            }
            if result.is_ok() {
                block.id_hashes.push(hash_id(id));
                let index = score::score_respondent(instrument, &scores, &mut dimensions);
                block.dimensions.extend_from_slice(&dimensions);
                block.index.push(index);
                block
                    .level
                    .push(score::level(instrument, index, &dimensions));
                block
                    .outcomes
                    .extend_from_slice(&scores[instrument.outcomes.clone()]);
                if self.keep_items {
                    block.scores.extend_from_slice(&scores);
                    block.status.extend_from_slice(&status);
                }
            }
            block.rows.push(result);
        });
        block
    }

    /// Parses one row's cells into `scores`/`status`; returns its role.
    fn parse_row(
        &self,
        layout: &Layout,
        record: &Record,
        scores: &mut [f64],
        status: &mut [u8],
    ) -> std::result::Result<u16, (usize, String)> {
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
        let mut role = 0u16;
        // Validate the row's text once; a cell is then a slice of it (`get` refuses a slice
        // that would split a character, which a per-cell check would refuse too).
        let bytes = record.as_slice();
        let whole = std::str::from_utf8(bytes).ok();
        for i in 0..record.len() {
            let range = record.range(i).unwrap_or(0..0);
            // Fast path, before any text handling: a one-digit scale code, looked up (the same
            // score that `cell::parse` and `item_score` give; a unit test checks it).
            if let (Column::Item(item), &[digit]) = (layout.columns[i], &bytes[range.clone()]) {
                if let Some(table) = &self.code_scores[item] {
                    let code = digit.wrapping_sub(b'0') as usize;
                    if (1..=table.len()).contains(&code) {
                        scores[item] = table[code - 1];
                        status[item] = ANSWERED;
                        continue;
                    }
                }
            }
            let text = match whole {
                Some(whole) => whole.get(range),
                None => record.get(i).and_then(|raw| std::str::from_utf8(raw).ok()),
            };
            let Some(text) = text else {
                return Err((
                    i,
                    "the cell is not valid UTF-8; save the file as UTF-8".into(),
                ));
            };
            let cell = trim(text);
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
                // An empty cell leaves the item missing, as `cell::parse` would.
                Column::Item(_) if cell.is_empty() => {}
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
        Ok(role)
    }
}

/// The rows of one piece, parsed by one task, in flat buffers (one allocation per buffer, not
/// per row).
#[derive(Default)]
struct Block {
    /// Line ends in the file before the piece, and the piece's size in bytes.
    lines_before: u64,
    bytes: usize,
    /// Per row: the line it starts on, counted from the start of the piece (1-based).
    lines: Vec<u64>,
    /// Per row: the role, or the column (`usize::MAX` for the row) and reason of its rejection.
    rows: Vec<std::result::Result<u16, (usize, String)>>,
    /// Per row, three trimmed cells (respondent id, org, wave; empty when absent) concatenated
    /// in `text`; `ends` holds where each ends.
    text: String,
    ends: Vec<usize>,
    /// For accepted rows only, in order: dimension scores, index, outcomes, item scores/status.
    /// Hash of each accepted row's respondent id, for the duplicate check.
    id_hashes: Vec<u64>,
    dimensions: Vec<f64>,
    index: Vec<f64>,
    level: Vec<u8>,
    outcomes: Vec<f64>,
    scores: Vec<f64>,
    status: Vec<u8>,
}

impl Loader<'_> {
    fn load_source(&mut self, source: Source) -> Result<()> {
        let name = source.name.clone();
        let io = |e| Error::io(&name, "cannot read the response file", e);
        let mut splitter = Splitter::new(source.reader);
        let Some(header) = splitter.header().map_err(io)? else {
            return Err(Error::invalid(Diagnostic::new(
                Location::new(&name, 1, 1),
                "the file is empty; the first row must name the columns (respondent_id, org, role, item ids)",
            )));
        };
        let layout = self.layout(&name, &csv::ByteRecord::from(header))?;
        self.files.push(FileRows {
            name: name.clone(),
            id_column: layout.names[layout.id].clone(),
            first_row: self.data.respondents.len(),
        });
        let wave_from_name = Path::new(&name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();

        // A three-stage pipeline over chunks of pieces: while chunk i is merged (sequential,
        // into the dataset), chunk i + 1 is tokenised, parsed and scored in parallel and chunk
        // i + 2 is read. Three piece buffers rotate, so their memory is reused.
        let code_scores = code_scores(self.instrument);
        let parser = Parser {
            instrument: self.instrument,
            keep_items: self.options.keep_items,
            code_scores: &code_scores,
        };
        let mut current = Vec::new();
        let mut spare = Vec::new();
        let mut pending: Option<(Vec<Piece>, Vec<Block>)> = None;
        let mut first = true;
        read_chunk(&mut splitter, &mut current).map_err(io)?;
        while !current.is_empty() || pending.is_some() {
            let to_merge = pending.take();
            let (merged, (blocks, filled)) = rayon::join(
                || {
                    to_merge.map(|(pieces, blocks)| {
                        if std::mem::take(&mut first) {
                            self.reserve_for(source.size, &blocks);
                        }
                        for block in blocks {
                            self.merge(&name, &layout, &wave_from_name, block);
                        }
                        pieces
                    })
                },
                || {
                    rayon::join(
                        || {
                            current
                                .par_iter()
                                .map_init(Scratch::default, |scratch, piece| {
                                    parser.parse_piece(&layout, piece, scratch)
                                })
                                .collect::<Vec<_>>()
                        },
                        || read_chunk(&mut splitter, &mut spare),
                    )
                },
            );
            filled.map_err(io)?;
            if !current.is_empty() {
                pending = Some((std::mem::take(&mut current), blocks));
            }
            current = std::mem::take(&mut spare);
            spare = merged.unwrap_or_default();
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

    fn merge(&mut self, name: &str, layout: &Layout, wave_from_name: &str, block: Block) {
        let d = self.instrument.dimensions.len();
        let o = self.instrument.outcomes.len();
        let width = self.instrument.items.len();
        let file = (self.files.len() - 1) as u32;
        let mut accepted = 0usize;
        for (i, result) in block.rows.into_iter().enumerate() {
            self.data.rows_read += 1;
            let line = block.lines_before + block.lines[i];
            let cell = |k: usize| {
                let start = if i + k == 0 {
                    0
                } else {
                    block.ends[3 * i + k - 1]
                };
                &block.text[start..block.ends[3 * i + k]]
            };
            let (respondent_id, org, wave_cell) = (cell(0), cell(1), cell(2));
            let mut reject = |column: usize, reason: String| {
                self.data.rejects.push(Reject {
                    file: name.to_string(),
                    line,
                    column: layout.names.get(column).cloned().unwrap_or_default(),
                    respondent_id: respondent_id.to_string(),
                    reason,
                });
                self.reject_files.push(file);
            };
            let role = match result {
                Ok(role) => role,
                Err((column, reason)) => {
                    reject(column, reason);
                    continue;
                }
            };
            // This row's slot in the block's buffers (accepted rows only).
            let slot = accepted;
            accepted += 1;
            let wave_name = match layout.wave {
                Some(_) => wave_cell,
                None => wave_from_name,
            };
            if wave_name.is_empty() {
                reject(
                    usize::MAX,
                    "the wave is empty: add a `wave` column or name the file after the wave".into(),
                );
                continue;
            }
            let wave = intern(&mut self.wave_index, &mut self.data.waves, wave_name);
            let org = intern(&mut self.org_index, &mut self.data.orgs, org);
            self.id_hashes.push(block.id_hashes[slot]);
            self.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
            let r = &mut self.data.respondents;
            r.id_text.push_str(respondent_id);
            r.id_ends.push(r.id_text.len());
            r.org.push(org);
            r.role.push(role);
            r.wave.push(wave);
            r.level.push(block.level[slot]);
            r.dimensions
                .extend_from_slice(&block.dimensions[slot * d..(slot + 1) * d]);
            r.index.push(block.index[slot]);
            r.outcomes
                .extend_from_slice(&block.outcomes[slot * o..(slot + 1) * o]);
            if let Some(matrix) = &mut r.items {
                matrix
                    .scores
                    .extend_from_slice(&block.scores[slot * width..(slot + 1) * width]);
                matrix
                    .status
                    .extend_from_slice(&block.status[slot * width..(slot + 1) * width]);
            }
        }
    }

    /// Room for the rows of a file of `size` bytes, estimated from its first blocks (+5%), so
    /// columns are allocated once, not doubled.
    fn reserve_for(&mut self, size: Option<u64>, blocks: &[Block]) {
        let bytes: usize = blocks.iter().map(|b| b.bytes).sum();
        let rows: usize = blocks.iter().map(|b| b.rows.len()).sum();
        if let Some(size) = size.filter(|_| bytes > 0) {
            let estimate = size as f64 / bytes as f64 * rows as f64 * 1.05;
            self.reserve((estimate as usize).min(50_000_000));
        }
    }

    /// Room for `rows` more respondents.
    fn reserve(&mut self, rows: usize) {
        let (d, o) = (
            self.instrument.dimensions.len(),
            self.instrument.outcomes.len(),
        );
        let r = &mut self.data.respondents;
        r.id_ends.reserve(rows);
        r.org.reserve(rows);
        r.role.reserve(rows);
        r.wave.reserve(rows);
        r.dimensions.reserve(rows * d);
        r.index.reserve(rows);
        r.level.reserve(rows);
        r.outcomes.reserve(rows * o);
        self.lines.reserve(rows);
        self.id_hashes.reserve(rows);
    }

    /// Refuses every accepted row whose respondent id an earlier accepted row used in the same
    /// wave (SPEC §3): the first use stays. Rows are grouped by a hash of (wave, id) with a
    /// parallel sort and compared in full within a group, so hash collisions cost nothing but
    /// a comparison. The refused rows join the rejects in input order.
    fn refuse_repeated_ids(&mut self) {
        let r = &self.data.respondents;
        let mut keys: Vec<(u64, u32)> = self
            .id_hashes
            .par_iter()
            .zip(&r.wave)
            .enumerate()
            .map(|(row, (&hash, &wave))| {
                let key = hash ^ u64::from(wave).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                (key, row as u32)
            })
            .collect();
        keys.par_sort_unstable();
        // (repeated row, first row), in input order.
        let mut repeats: Vec<(usize, usize)> = keys
            .par_chunk_by(|a, b| a.0 == b.0)
            .filter(|group| group.len() > 1)
            .flat_map_iter(|group| {
                // The group's rows in input order; each is compared with the first row of each
                // distinct (wave, id) seen so far (more than one only on a hash collision).
                let same = |a: usize, b: usize| r.wave[a] == r.wave[b] && r.id(a) == r.id(b);
                let mut firsts: Vec<usize> = Vec::new();
                let mut found = Vec::new();
                for &(_, row) in group {
                    let row = row as usize;
                    match firsts.iter().find(|&&first| same(first, row)) {
                        Some(&first) => found.push((row, first)),
                        None => firsts.push(row),
                    }
                }
                found
            })
            .collect();
        if repeats.is_empty() {
            return;
        }
        repeats.sort_unstable();

        let file_of = |row: usize| self.files.partition_point(|f| f.first_row <= row) - 1;
        let refused: Vec<(Reject, u32)> = repeats
            .iter()
            .map(|&(row, first)| {
                let file = &self.files[file_of(row)];
                let id = r.id(row);
                let wave = &self.data.waves[r.wave[row] as usize];
                let reason = format!(
                    "respondent_id `{id}` was already used in wave {wave} by the row on line {}",
                    self.lines[first]
                );
                let reject = Reject {
                    file: file.name.clone(),
                    line: u64::from(self.lines[row]),
                    column: file.id_column.clone(),
                    respondent_id: id.to_string(),
                    reason,
                };
                (reject, file_of(row) as u32)
            })
            .collect();

        // Rejects of both kinds, in input order (file, then line).
        let earlier = std::mem::take(&mut self.data.rejects)
            .into_iter()
            .zip(std::mem::take(&mut self.reject_files));
        let mut merged: Vec<(Reject, u32)> = earlier.chain(refused).collect();
        merged.sort_by_key(|(reject, file)| (*file, reject.line));
        (self.data.rejects, self.reject_files) = merged.into_iter().unzip();

        let keep: Vec<bool> = {
            let mut keep = vec![true; r.len()];
            for &(row, _) in &repeats {
                keep[row] = false;
            }
            keep
        };
        self.data.respondents = self.data.respondents.retain(&keep, self.instrument);
    }
}

/// For each scale item, the item score of every code `1..=k` (reverse keying applied).
fn code_scores(instrument: &Instrument) -> Vec<Option<Vec<f64>>> {
    instrument
        .items
        .iter()
        .map(|item| match &item.kind {
            crate::instrument::ItemKind::Scale { labels, .. } => Some(
                (1..=labels.len() as u32)
                    .map(|c| score::item_score(&item.kind, item.reverse, Answer::Code(c)))
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

/// `str::trim`, skipping the Unicode scan for the usual cell that starts and ends with a
/// visible ASCII character (ASCII whitespace and control characters are not graphic).
fn trim(text: &str) -> &str {
    match text.as_bytes() {
        [] => text,
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        [only] if only.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

fn role_of(instrument: &Instrument, cell: &str) -> Option<usize> {
    instrument.roles.iter().position(|r| {
        r.id.eq_ignore_ascii_case(cell)
            || (!r.label.is_empty() && r.label.to_lowercase() == cell.to_lowercase())
    })
}

fn intern(index: &mut FastMap<String, u32>, list: &mut Vec<String>, value: &str) -> u32 {
    // Consecutive rows usually belong to the same organization and wave.
    if list.last().is_some_and(|last| last == value) {
        return list.len() as u32 - 1;
    }
    if let Some(&i) = index.get(value) {
        return i;
    }
    let i = list.len() as u32;
    list.push(value.to_string());
    index.insert(value.to_string(), i);
    i
}

/// Fills `pieces` with the next chunk, reusing their buffers; empty at the end.
fn read_chunk<R: Read>(splitter: &mut Splitter<R>, pieces: &mut Vec<Piece>) -> std::io::Result<()> {
    let mut filled = 0;
    while filled < CHUNK_PIECES {
        if filled == pieces.len() {
            pieces.push(Piece::default());
        }
        if !splitter.next_piece(&mut pieces[filled])? {
            break;
        }
        filled += 1;
    }
    pieces.truncate(filled);
    Ok(())
}

/// 1-based character column at which each header field starts (quotes included).
fn field_columns(header: &csv::ByteRecord) -> Vec<u64> {
    // Reconstruct from the raw fields: each field occupies its text plus a separator; a quoted
    // field is counted as written without quotes, which is exact for ordinary headers.
    let mut starts = Vec::with_capacity(header.len());
    let mut column = 1u64;
    for (i, field) in header.iter().enumerate() {
        let text = String::from_utf8_lossy(field);
        let text = if i == 0 {
            text.trim_start_matches('\u{feff}').to_string()
        } else {
            text.into_owned()
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
    fn looked_up_code_scores_equal_parsed_ones() {
        let instrument = crate::instrument::load_bundled().expect("the bundled instrument");
        let tables = code_scores(&instrument);
        for (item, table) in instrument.items.iter().zip(&tables) {
            let Some(table) = table else { continue };
            for (c, &looked_up) in table.iter().enumerate() {
                let (answer, _) = cell::parse(item, &(c + 1).to_string()).unwrap();
                let parsed = score::item_score(&item.kind, item.reverse, answer);
                assert_eq!(
                    looked_up.to_bits(),
                    parsed.to_bits(),
                    "{} code {}",
                    item.id,
                    c + 1
                );
            }
        }
    }

    fn source(name: &str, text: &'static str) -> Source<'static> {
        Source {
            name: name.into(),
            reader: Box::new(text.as_bytes()),
            size: None,
        }
    }

    #[test]
    fn repeated_ids_are_refused_after_their_first_use_across_files_in_input_order() {
        let instrument = crate::instrument::load_bundled().expect("the bundled instrument");
        let a = "respondent_id,org,role,wave,col_meet\n\
                 r1,acme,hr,w1,4\n\
                 r2,acme,intern,w1,4\n\
                 r1,acme,hr,w1,2\n\
                 r3,acme,hr,w1,9\n\
                 r1,acme,hr,w1,1\n";
        let b = "respondent_id,org,role,wave,col_meet\n\
                 r1,beta,hr,w1,3\n\
                 r1,beta,hr,w2,3\n\
                 r4,beta,hr,w1,5\n";
        let options = LoadOptions {
            keep_items: true,
            ..LoadOptions::default()
        };
        let data = load(
            &instrument,
            vec![source("a.csv", a), source("b.csv", b)],
            options,
        )
        .expect("both files load");
        assert_eq!(data.reconciliation(), "read 8 rows: scored 3, rejected 5");
        let refused: Vec<(&str, u64, &str, &str)> = data
            .rejects
            .iter()
            .map(|r| {
                (
                    r.file.as_str(),
                    r.line,
                    r.column.as_str(),
                    r.reason.as_str(),
                )
            })
            .collect();
        let again = "respondent_id `r1` was already used in wave w1 by the row on line 2";
        assert_eq!(
            refused,
            vec![
                (
                    "a.csv",
                    3,
                    "role",
                    "role `intern` is not defined (roles: hr, sales_leader, sales_rep, executive)"
                ),
                ("a.csv", 4, "respondent_id", again),
                (
                    "a.csv",
                    5,
                    "col_meet",
                    "`9` is not a code 1–5 or a label of scale `freq5`"
                ),
                ("a.csv", 6, "respondent_id", again),
                ("b.csv", 2, "respondent_id", again),
            ]
        );
        let r = &data.respondents;
        let ids: Vec<(&str, &str)> = (0..r.len())
            .map(|row| (r.id(row), data.waves[r.wave[row] as usize].as_str()))
            .collect();
        assert_eq!(ids, vec![("r1", "w1"), ("r1", "w2"), ("r4", "w1")]);
        // The kept rows keep their own scores: col_meet answered 4, 3 and 5.
        let item = instrument.item_index("col_meet").expect("col_meet");
        let width = instrument.items.len();
        let items = r.items.as_ref().expect("item scores kept");
        let answered: Vec<f64> = (0..3).map(|row| items.scores[row * width + item]).collect();
        assert_eq!(answered, vec![75.0, 50.0, 100.0]);
        assert_eq!(r.dimensions.len(), 3 * instrument.dimensions.len());
    }

    /// Every later row points at the first; the grouping compares each row with the first of
    /// its id only (comparing with every earlier row would make this test take minutes).
    #[test]
    fn one_id_repeated_thousands_of_times_keeps_its_first_row() {
        let instrument = crate::instrument::load_bundled().expect("the bundled instrument");
        let mut text = String::from("respondent_id,org,role,wave\n");
        for _ in 0..20_000 {
            text.push_str("same,acme,hr,w1\n");
        }
        let source = Source {
            name: "same.csv".into(),
            reader: Box::new(std::io::Cursor::new(text.into_bytes())),
            size: None,
        };
        let data = load(&instrument, vec![source], LoadOptions::default()).expect("loads");
        assert_eq!(
            data.reconciliation(),
            "read 20000 rows: scored 1, rejected 19999"
        );
        assert_eq!(data.rejects[0].line, 3);
        assert_eq!(data.rejects[19_998].line, 20_001);
        assert!(data
            .rejects
            .iter()
            .all(|r| r.reason.ends_with("by the row on line 2")));
    }

    #[test]
    fn quick_trim_equals_str_trim() {
        for text in [
            "",
            "a",
            " ",
            "ab",
            " a",
            "a ",
            "\ta\t",
            "\u{b}x",
            "x\u{c}",
            "\u{a0}x",
            "x\u{3000}",
            "é",
            "é ",
            "Agree",
            " Strongly agree ",
            "\r4\n",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn hashes_spread_ids_that_differ_in_one_digit() {
        // Ten thousand ids like org-0001-1-0042: every low byte value should occur.
        let mut low = std::collections::BTreeSet::new();
        for i in 0..10_000 {
            low.insert(hash_id(&format!("org-0001-1-{i:04}")) & 0xff);
        }
        assert_eq!(low.len(), 256);
    }
}
