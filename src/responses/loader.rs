//! The import of one run: each file's header rows become a [`Layout`], its records go through
//! the parallel [`Parser`] in blocks, and a sequential merge appends them to the [`Dataset`] in
//! input order, interning organizations and waves and counting every row.
//!
//! A CSV file streams through in chunks of pieces ([`pieces`]): while one chunk is tokenised,
//! parsed and scored in parallel (rayon, one piece per task, order kept), the next is read
//! and the previous merged. A workbook's sheet is read whole, then parsed in chunks of rows.

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use super::dataset::{Dataset, Lines, Reject};
use super::header::{self, takes_next_row, Context, HeaderText, Layout};
use super::pieces::{self, Piece, ReadError, Record, Scratch, Splitter};
use super::repeats::{hash_id, FastMap};
use super::rows::{code_scores, label_codes, push_csv_field, Block, Labels, Parser, Row};

/// Lookup tables of the parser: scores of scale codes, scale labels with their codes, and the
/// items with a `show_if` with their conditions.
type Tables<'a> = (
    Vec<Option<Vec<f64>>>,
    Vec<Labels>,
    Vec<(usize, &'a Condition)>,
);

fn tables(instrument: &Instrument) -> Tables<'_> {
    let conditional = instrument
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| Some((i, item.show_if.as_ref()?)))
        .collect();
    (
        code_scores(instrument),
        label_codes(instrument),
        conditional,
    )
}
use super::{LoadOptions, Source};
use crate::error::{Diagnostic, Error, Location, Result};
use crate::instrument::condition::Condition;
use crate::instrument::Instrument;
use crate::sources::format::HeaderRows;
use crate::sources::workbook::Sheet;
use crate::sources::Reading;

/// Pieces (of about 128 KiB each) read, then parsed in parallel, together: enough to keep every
/// core busy, few enough to bound memory.
const CHUNK_PIECES: usize = 16;

thread_local! {
    /// Each thread's tokenising buffers, kept from piece to piece. Parsing a piece calls no
    /// rayon work, so the borrow is never nested.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Sheet rows parsed by one task.
const SHEET_ROWS: usize = 4096;

pub struct Loader<'a> {
    pub instrument: &'a Instrument,
    pub options: LoadOptions,
    pub reading: &'a Reading,
    pub data: Dataset,
    org_index: FastMap<String, u32>,
    wave_index: FastMap<String, u32>,
    /// Per accepted row: the hash of its respondent id, and its line. Repeated ids are found
    /// after the import ([`Loader::refuse_repeated_ids`]), in parallel, instead of through a
    /// table probed once per row on the sequential path.
    pub id_hashes: Vec<u64>,
    pub lines: Vec<u32>,
    /// Per file: its name, the header name of its id column and its first accepted row.
    pub files: Vec<FileRows>,
    /// Per reject, the index of its file in `files` (rejects are kept in input order).
    pub reject_files: Vec<u32>,
    /// Accepted rows of the current file shorter than its header (see [`Layout::is_short`]).
    short_rows: usize,
    /// "Other" answers of the current file ignored in multi cells.
    others: usize,
    /// Per open question, answers of the current file cut at `max_chars`.
    cut: Vec<usize>,
}

pub struct FileRows {
    pub name: String,
    pub id_column: String,
    pub first_row: usize,
}

impl<'a> Loader<'a> {
    pub fn new(instrument: &'a Instrument, options: LoadOptions, reading: &'a Reading) -> Self {
        let mut data = Dataset::default();
        if options.keep_items {
            data.respondents.items = Some(Default::default());
        }
        if options.canonical {
            data.respondents.canonical = Some(Lines::default());
        }
        data.respondents.comments = vec![Lines::default(); instrument.comments.len()];
        Loader {
            instrument,
            options,
            reading,
            data,
            org_index: FastMap::default(),
            wave_index: FastMap::default(),
            id_hashes: Vec::new(),
            lines: Vec::new(),
            files: Vec::new(),
            reject_files: Vec::new(),
            short_rows: 0,
            others: 0,
            cut: vec![0; instrument.comments.len()],
        }
    }

    fn parser<'p>(&self, tables: &'p Tables<'a>) -> Parser<'p>
    where
        'a: 'p,
    {
        Parser {
            instrument: self.instrument,
            keep_items: self.options.keep_items,
            canonical: self.options.canonical,
            code_scores: &tables.0,
            label_codes: &tables.1,
            conditional: &tables.2,
        }
    }

    /// The layout of a file from its header rows; its warnings join the dataset's.
    fn start_file(&mut self, name: &str, header: &HeaderText) -> Result<Layout> {
        let context = Context {
            instrument: self.instrument,
            reading: self.reading,
            options: self.options,
        };
        let (layout, warnings) = header::layout(&context, name, header)?;
        self.data.warnings.extend(warnings);
        self.files.push(FileRows {
            name: name.to_string(),
            id_column: layout
                .id
                .map(|i| layout.names[i].clone())
                .unwrap_or_default(),
            first_row: self.data.respondents.len(),
        });
        Ok(layout)
    }

    /// Reads a CSV source.
    pub fn load_source(&mut self, source: Source) -> Result<()> {
        let name = source.name.clone();
        let failed = |e: ReadError| read_error(&name, "cannot read the response file", e);
        let mut splitter = Splitter::new(source.reader);
        match self.reading.delimiter {
            Some(d) => splitter.set_delimiter(d),
            None => {
                splitter.detect_delimiter().map_err(failed)?;
            }
        }
        let delimiter = splitter.delimiter();
        let first_line = splitter.lines_read() + 1;
        let Some(first) = splitter.header().map_err(failed)? else {
            return Err(Error::invalid(Diagnostic::new(
                Location::new(&name, 1, 1),
                "the file is empty; the first row must name the columns (respondent_id, org, role, item ids)",
            )));
        };
        let mut rows = vec![(first_line, header_text(&name, first_line, first)?)];
        let kind = self.reading.format.preset().header_rows;
        // Only formats with several header rows look at the records after the first.
        if kind != HeaderRows::One {
            while let Some(next) = splitter.peek().map_err(failed)? {
                let line = splitter.lines_read() + 1;
                let next = header_text(&name, line, next)?;
                if !takes_next_row(kind, rows.len(), &next) {
                    break;
                }
                splitter.header().map_err(failed)?;
                rows.push((line, next));
            }
        }
        let starts = header::field_columns(&rows[0].1);
        let mut layout = self.start_file(&name, &HeaderText { rows, starts })?;
        layout.delimiter = match delimiter {
            b',' => "comma",
            b';' => "semicolon",
            b'\t' => "tab",
            _ => "delimiter",
        };
        let wave_from_name = file_stem(&name);

        // A three-stage pipeline over chunks of pieces: while chunk i is merged (sequential,
        // into the dataset), chunk i + 1 is tokenised, parsed and scored in parallel and chunk
        // i + 2 is read. Three piece buffers rotate, so their memory is reused.
        let tables = tables(self.instrument);
        let parser = self.parser(&tables);
        let mut current = Vec::new();
        let mut spare = Vec::new();
        let mut pending: Option<(Vec<Piece>, Vec<Block>)> = None;
        let mut first = true;
        read_chunk(&mut splitter, &mut current).map_err(failed)?;
        while !current.is_empty() || pending.is_some() {
            let to_merge = pending.take();
            let (merged, (blocks, filled)) = rayon::join(
                || {
                    to_merge
                        .map(|(pieces, blocks)| {
                            if std::mem::take(&mut first) {
                                self.reserve_for(source.size, &blocks);
                            }
                            for block in blocks {
                                self.merge(&name, &layout, &wave_from_name, block)?;
                            }
                            Ok::<_, Error>(pieces)
                        })
                        .transpose()
                },
                || {
                    rayon::join(
                        || {
                            current
                                .par_iter()
                                .map(|piece| {
                                    SCRATCH.with_borrow_mut(|scratch| {
                                        parser.parse(
                                            &layout,
                                            piece.lines_before,
                                            piece.bytes.len(),
                                            |each| {
                                                pieces::each_record(
                                                    piece,
                                                    delimiter,
                                                    scratch,
                                                    |r, l| each(r, l),
                                                )
                                            },
                                        )
                                    })
                                })
                                .collect::<Vec<_>>()
                        },
                        || read_chunk(&mut splitter, &mut spare),
                    )
                },
            );
            let merged = merged?;
            filled.map_err(failed)?;
            if !current.is_empty() {
                pending = Some((std::mem::take(&mut current), blocks));
            }
            current = std::mem::take(&mut spare);
            spare = merged.unwrap_or_default();
        }
        self.end_file(&name, &layout);
        Ok(())
    }

    /// The warnings of a file read to its end.
    fn end_file(&mut self, name: &str, layout: &Layout) {
        let others = std::mem::take(&mut self.others);
        if others > 0 {
            self.data.warnings.push(format!(
                "{name}: {others} checkbox answer(s) held text that is no option of the item (an \"Other\" answer); the text was ignored and the options named beside it were read"
            ));
        }
        for (c, cut) in self.cut.iter_mut().enumerate() {
            let cut = std::mem::take(cut);
            if cut > 0 {
                let comment = &self.instrument.comments[c];
                self.data.warnings.push(format!(
                    "{name}: {cut} answer(s) to comment `{}` are longer than {} characters (its max_chars) and were cut there",
                    comment.id, comment.max_chars
                ));
            }
        }
        let short = std::mem::take(&mut self.short_rows);
        if short > 0 {
            self.data.warnings.push(format!(
                "{name}: {short} row(s) have fewer fields than the header ({} columns); the missing trailing columns are read by no item, so the rows are accepted",
                layout.columns.len()
            ));
        }
    }

    /// Reads a workbook's sheet.
    pub fn load_sheet(&mut self, name: &str, sheet: &Sheet) -> Result<()> {
        if sheet.is_empty() {
            return Err(Error::invalid(Diagnostic::new(
                Location::new(name, 1, 1),
                "the sheet is empty; its first row must name the columns",
            )));
        }
        let row_text = |r: usize| {
            let (text, ends, line) = sheet.row(r);
            let record = Record::new(text, ends);
            let cells: Vec<String> = record
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect();
            (line, cells)
        };
        let kind = self.reading.format.preset().header_rows;
        let mut rows = vec![row_text(0)];
        while rows.len() < sheet.len() {
            let next = row_text(rows.len());
            if !takes_next_row(kind, rows.len(), &next.1) {
                break;
            }
            rows.push(next);
        }
        let first_data = rows.len();
        let starts = header::field_columns(&rows[0].1);
        let layout = self.start_file(name, &HeaderText { rows, starts })?;
        let wave_from_name = file_stem(name);
        let tables = tables(self.instrument);
        let parser = self.parser(&tables);
        let chunks: Vec<std::ops::Range<usize>> = (first_data..sheet.len())
            .step_by(SHEET_ROWS)
            .map(|start| start..(start + SHEET_ROWS).min(sheet.len()))
            .collect();
        // A few chunks per thread at a time, merged in order before the next: the parsed rows
        // of the whole sheet are never held beside the respondents merged from them.
        let window = 4 * rayon::current_num_threads();
        for chunks in chunks.chunks(window) {
            let blocks: Vec<Block> = chunks
                .par_iter()
                .map(|rows| {
                    parser.parse(&layout, 0, 0, |each| {
                        for r in rows.clone() {
                            let (text, ends, line) = sheet.row(r);
                            each(&Record::new(text, ends), line);
                        }
                    })
                })
                .collect();
            for block in blocks {
                self.merge(name, &layout, &wave_from_name, block)?;
            }
        }
        self.end_file(name, &layout);
        Ok(())
    }

    fn merge(
        &mut self,
        name: &str,
        layout: &Layout,
        wave_from_name: &str,
        block: Block,
    ) -> Result<()> {
        let d = self.instrument.dimensions.len();
        let o = self.instrument.outcomes.len();
        let width = self.instrument.items.len();
        let words = super::dataset::answered_words(self.instrument.scored_items().len());
        let file = (self.files.len() - 1) as u32;
        self.short_rows += block.short_rows;
        self.others += block.others;
        for (total, cut) in self.cut.iter_mut().zip(&block.cut) {
            *total += cut;
        }
        let mut accepted = 0usize;
        let mut line_id = String::new();
        let mut unasked = block.unasked.iter().copied().peekable();
        for (i, row) in block.rows.iter().enumerate() {
            self.data.rows_read += 1;
            let line = block.lines_before + block.lines[i];
            let (id_cell, org_cell, wave_cell, panel_cell) = block.cells(i);
            let respondent_id = match layout.id {
                Some(_) => id_cell,
                None => {
                    line_id.clear();
                    line_id.push_str(&format!("{}{line}", layout.line_prefix));
                    line_id.as_str()
                }
            };
            let mut reject = |column: Option<usize>, reason: String| {
                self.data.rejects.push(Reject {
                    file: name.to_string(),
                    line,
                    column: column
                        .and_then(|c| layout.names.get(c).cloned())
                        .unwrap_or_default(),
                    respondent_id: respondent_id.to_string(),
                    reason,
                });
                self.reject_files.push(file);
            };
            let role = match row {
                Row::Accepted(role) => *role,
                Row::Rejected(column, reason) => {
                    reject(*column, reason.clone());
                    continue;
                }
                Row::Blank => {
                    self.data.rows_blank += 1;
                    continue;
                }
                Row::Filtered(why) => {
                    self.data.rows_filtered += 1;
                    self.data.filter_fix = layout.filter_fix();
                    match self.data.filter_reasons.iter_mut().find(|(w, _)| w == why) {
                        Some((_, n)) => *n += 1,
                        None => self.data.filter_reasons.push((why.clone(), 1)),
                    }
                    continue;
                }
                Row::Fatal(column, message) => {
                    return Err(Error::invalid(Diagnostic::new(
                        Location::new(name, line, *column),
                        message.clone(),
                    )));
                }
            };
            // This row's slot in the block's buffers (accepted rows only).
            let slot = accepted;
            accepted += 1;
            let org = match &layout.org_value {
                Some(value) => value.as_str(),
                None => org_cell,
            };
            let wave_name = match (&layout.wave_value, layout.wave) {
                (Some(value), _) => value.as_str(),
                (None, Some(_)) => wave_cell,
                (None, None) => wave_from_name,
            };
            if org.is_empty() {
                reject(None, "the organization is empty".into());
                continue;
            }
            if wave_name.is_empty() {
                reject(
                    None,
                    "the wave is empty: add a `wave` column or name the file after the wave".into(),
                );
                continue;
            }
            // Answers to items the row was not asked (in row order; earlier rows' skipped).
            while unasked.peek().is_some_and(|(row, _, _)| *row < i) {
                unasked.next();
            }
            while let Some((_, question, unreadable)) = unasked.next_if(|(row, _, _)| *row == i) {
                super::unasked::record(&mut self.data.unasked, question, unreadable, name, line);
            }
            let wave = intern(&mut self.wave_index, &mut self.data.waves, wave_name);
            let org_index = intern(&mut self.org_index, &mut self.data.orgs, org);
            self.id_hashes.push(match layout.id {
                Some(_) => block.id_hashes[slot],
                None => hash_id(respondent_id),
            });
            self.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
            let r = &mut self.data.respondents;
            if let Some(lines) = &mut r.canonical {
                let mut text = String::new();
                let role_id = &self.instrument.roles[usize::from(role)].id;
                for field in [respondent_id, org, role_id, wave_name] {
                    push_csv_field(&mut text, field);
                    text.push(',');
                }
                text.push_str(block.canonical.get(slot));
                lines.push(&text);
            }
            r.id_text.push_str(respondent_id);
            r.id_ends.push(r.id_text.len());
            r.org.push(org_index);
            r.role.push(role);
            r.wave.push(wave);
            r.panel.push(panel_cell);
            for (c, lines) in r.comments.iter_mut().enumerate() {
                lines.push(block.comments[c].get(slot));
            }
            r.level.push(block.level[slot]);
            r.dimensions
                .extend_from_slice(&block.dimensions[slot * d..(slot + 1) * d]);
            r.index.push(block.index[slot]);
            r.outcomes
                .extend_from_slice(&block.outcomes[slot * o..(slot + 1) * o]);
            r.answered
                .extend_from_slice(&block.answered[slot * words..(slot + 1) * words]);
            let b = self.instrument.breakdowns.len();
            r.units
                .extend_from_slice(&block.units[slot * b..(slot + 1) * b]);
            if let Some(matrix) = &mut r.items {
                matrix
                    .scores
                    .extend_from_slice(&block.scores[slot * width..(slot + 1) * width]);
                matrix
                    .status
                    .extend_from_slice(&block.status[slot * width..(slot + 1) * width]);
            }
        }
        Ok(())
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
        r.answered
            .reserve(rows * super::dataset::answered_words(self.instrument.scored_items().len()));
        self.lines.reserve(rows);
        self.id_hashes.reserve(rows);
    }
}

/// A header row's fields as text, or why the file cannot be read.
fn header_text(name: &str, line: u64, fields: Vec<Vec<u8>>) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(fields.len());
    // Characters before the current field, each delimiter counted as one.
    let mut column = 1u64;
    for (i, field) in fields.into_iter().enumerate() {
        let text = match String::from_utf8(field) {
            Ok(text) => text,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.as_bytes();
                let at = column + String::from_utf8_lossy(&bytes[..valid]).chars().count() as u64;
                return Err(Error::invalid(Diagnostic::new(
                    Location::new(name, line, at),
                    format!("the file is not UTF-8 text (byte 0x{:02X} here); if Excel saved it on Windows, read it with --encoding windows-1252, or save it as UTF-8", bytes[valid]),
                )));
            }
        };
        if text.contains('\0') {
            return Err(Error::invalid(Diagnostic::new(
                Location::new(name, line, 1),
                "the file holds NUL bytes, so it is not CSV text; if it is UTF-16 without a byte order mark, read it with --encoding utf-16le",
            )));
        }
        column += text.chars().count() as u64 + 1;
        out.push(if i == 0 {
            text.trim_start_matches('\u{feff}').to_string()
        } else {
            text
        });
    }
    Ok(out)
}

/// The message for a file that cannot be read on; `action` says what failed on an I/O error.
pub fn read_error(name: &str, action: &'static str, error: ReadError) -> Error {
    let (line, column, message) = match error {
        ReadError::Io(e) => return Error::io(name, action, e),
        ReadError::TooLong { header: true, line } => (
            line,
            1,
            "the header row is longer than 1 MiB; is this a CSV file? Its first row must name the columns".to_string(),
        ),
        ReadError::TooLong { header: false, line } => (
            line,
            1,
            "the row starting here is longer than 16 MiB; check for a missing line end, or a file that is not CSV".to_string(),
        ),
        ReadError::UnclosedQuote {
            line,
            column,
            lines_after,
        } => (
            line,
            column,
            format!(
                "a quote opens here and is never closed, so the {lines_after} line(s) after it cannot be read; close the quote or remove it"
            ),
        ),
    };
    Error::invalid(Diagnostic::new(Location::new(name, line, column), message))
}

/// The file name without folder and extension: the wave of a file without a wave column.
fn file_stem(name: &str) -> String {
    Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
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
fn read_chunk<R: Read>(
    splitter: &mut Splitter<R>,
    pieces: &mut Vec<Piece>,
) -> std::result::Result<(), ReadError> {
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
