//! Workbooks (`.xlsx`, `.ods`; SPEC §11): one sheet read as rows of text, each cell as a person
//! sees it: a whole number without `.0`, a percentage as its number of percent (`25%` is 25), a
//! date as ISO 8601, a boolean as `true`/`false`. Rows keep their 1-based sheet row, which
//! rejects name. Hidden sheets are skipped unless `sheet:` names one.
//!
//! The reader streams each part of the archive and holds only the cells with a value, so memory
//! follows the answers, not the file: a part may expand to at most [`MAX_PART_BYTES`], a sheet
//! may hold at most [`MAX_TEXT_BYTES`] of cell text and span at most [`MAX_CELLS`] cells (rows
//! × columns, repeated rows and columns counted). A workbook beyond these is refused with where
//! and why, never read half-way. The only code that knows `zip` and `quick-xml`.

use std::collections::HashMap;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use crate::error::{Diagnostic, Error, Location, Result};
use crate::responses::text::quoted;

/// The extensions read as workbooks.
pub const EXTENSIONS: [&str; 2] = ["xlsx", "ods"];

/// The most bytes one part of a workbook (a sheet, the shared strings) may expand to.
pub const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;
/// The most cell text a sheet (with its shared strings) may hold.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
/// The most cells (rows × columns, from the first row to the last with a value) a sheet may
/// span.
pub const MAX_CELLS: u64 = 5_000_000;
/// The largest column a sheet may use (Excel's `XFD`).
const MAX_COLUMNS: u64 = 16_384;
/// The most bytes one XML event (a tag, or the text between two tags) may take. A cell holds
/// at most 32,767 characters, so no workbook a tool wrote comes near; without this bound, one
/// run of blank text inside a part would be held whole before the part's budget stops it.
const MAX_EVENT_BYTES: u64 = 16 * 1024 * 1024;

/// Whether a path names a workbook, by its extension (ignoring case).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|w| e.eq_ignore_ascii_case(w)))
}

/// Whether a path names a legacy Excel workbook (`.xls`), which is not read.
pub fn is_legacy_excel(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xls"))
}

/// A sheet's rows, cells concatenated: row `r` has the cells `text[starts[r]..]` cut at
/// `ends[cells[r]..cells[r + 1]]` (ends relative to the row's start).
#[derive(Debug, Default)]
pub struct Sheet {
    pub text: Vec<u8>,
    pub ends: Vec<usize>,
    /// Per row: where its text starts, where its cell ends start, and its sheet row.
    pub rows: Vec<(usize, usize, u64)>,
}

impl Sheet {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row `r`: its text, its cell ends (relative to the text) and its sheet row.
    pub fn row(&self, r: usize) -> (&[u8], &[usize], u64) {
        let (text, ends, line) = self.rows[r];
        let ends_end = self.rows.get(r + 1).map_or(self.ends.len(), |next| next.1);
        (&self.text[text..], &self.ends[ends..ends_end], line)
    }

    #[cfg(test)]
    fn push_row(&mut self, cells: impl Iterator<Item = String>, line: u64) {
        let start = self.text.len();
        self.rows.push((start, self.ends.len(), line));
        for cell in cells {
            self.text.extend_from_slice(cell.as_bytes());
            self.ends.push(self.text.len() - start);
        }
    }
}

/// The cells with a value, as read: (sheet row, 0-based column, text range in `text`).
#[derive(Default)]
struct Cells {
    text: String,
    cells: Vec<(u32, u16, u32, u32)>,
    /// The first row with a value and the widest row's width so far.
    first: Option<u64>,
    last: u64,
    width: u64,
    /// The sheet's name and the file's, for messages.
    sheet: String,
    file: String,
}

impl Cells {
    fn push(&mut self, row: u64, column: u64, value: &str) -> Result<()> {
        if value.is_empty() {
            return Ok(());
        }
        if column >= MAX_COLUMNS || row > u64::from(u32::MAX) {
            return Err(self.refuse(format!(
                "sheet `{}` has a cell at row {row}, column {}, outside any sheet; save the workbook again or export the sheet as CSV",
                self.sheet,
                column + 1
            )));
        }
        if self.text.len() + value.len() > MAX_TEXT_BYTES {
            return Err(self.refuse(format!(
                "sheet `{}` holds more than {} MB of text (at row {row}); partnerscope reads workbooks up to that size: export the sheet as CSV",
                self.sheet,
                MAX_TEXT_BYTES / (1024 * 1024)
            )));
        }
        let start = self.text.len() as u32;
        self.text.push_str(value);
        self.cells
            .push((row as u32, column as u16, start, self.text.len() as u32));
        self.check_span(row, column)
    }

    /// Refuses a sheet whose cells would span more than [`MAX_CELLS`].
    fn check_span(&mut self, row: u64, column: u64) -> Result<()> {
        let first = self.first.map_or(row, |f| f.min(row));
        self.first = Some(first);
        self.width = self.width.max(column + 1);
        let width = self.width;
        self.last = self.last.max(row);
        let rows = self.last.saturating_sub(first) + 1;
        if rows.saturating_mul(width) > MAX_CELLS {
            return Err(self.refuse(format!(
                "sheet `{}` spans {rows} rows × {width} columns (to row {row}), more than the {MAX_CELLS} cells partnerscope reads from a workbook; delete the rows and columns outside the answers, or export the sheet as CSV",
                self.sheet
            )));
        }
        Ok(())
    }

    fn refuse(&self, message: String) -> Error {
        Error::invalid(Diagnostic::new(Location::new(&self.file, 0, 0), message))
    }

    /// The rows from the first with a value to the last, each as wide as the widest.
    fn into_sheet(mut self) -> Sheet {
        self.cells.sort_by_key(|c| (c.0, c.1));
        self.cells.dedup_by_key(|c| (c.0, c.1));
        let mut out = Sheet::default();
        let Some(first) = self.cells.first().map(|c| c.0) else {
            return out;
        };
        let last = self.cells.last().map_or(first, |c| c.0);
        let width = self
            .cells
            .iter()
            .map(|c| usize::from(c.1) + 1)
            .max()
            .unwrap_or(0);
        // The sheet's size is known now: no buffer grows past it while `self` is still held.
        self.cells.shrink_to_fit();
        out.text.reserve_exact(self.text.len());
        out.ends.reserve_exact((last - first + 1) as usize * width);
        out.rows.reserve_exact((last - first + 1) as usize);
        let mut next = 0;
        for row in first..=last {
            let start = out.text.len();
            out.rows.push((start, out.ends.len(), u64::from(row)));
            let mut column = 0;
            while next < self.cells.len() && self.cells[next].0 == row {
                let (_, c, from, to) = self.cells[next];
                while column < usize::from(c) {
                    out.ends.push(out.text.len() - start);
                    column += 1;
                }
                out.text
                    .extend_from_slice(&self.text.as_bytes()[from as usize..to as usize]);
                out.ends.push(out.text.len() - start);
                column += 1;
                next += 1;
            }
            while column < width {
                out.ends.push(out.text.len() - start);
                column += 1;
            }
        }
        out
    }
}

/// Reads `sheet` (default: the first visible one) of the workbook at `path`.
pub fn read(path: &Path, sheet: Option<&str>) -> Result<Sheet> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| Error::io(path, "cannot read the response file", e))?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| {
        Error::invalid(Diagnostic::new(
            Location::new(&name, 0, 0),
            format!(
                "cannot read the workbook ({}); save it again as .xlsx or .ods, or export the sheet as CSV",
                quoted(&e.to_string())
            ),
        ))
    })?;
    let mut book = Book {
        archive: &mut archive,
        file: name.clone(),
    };
    let ods = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ods"));
    let cells = if ods {
        book.ods(sheet)?
    } else {
        book.xlsx(sheet)?
    };
    Ok(cells.into_sheet())
}

struct Book<'a, R: Read + Seek> {
    archive: &'a mut zip::ZipArchive<R>,
    file: String,
}

/// A part's bytes, capped at [`MAX_PART_BYTES`], and at [`MAX_EVENT_BYTES`] read since the
/// last XML event ended (`since_event`, reset by the event loop): the reader fails past either.
struct Capped<R> {
    inner: R,
    left: u64,
    since_event: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(format!(
                "it expands to more than {} MB",
                MAX_PART_BYTES / (1024 * 1024)
            )));
        }
        self.left -= n as u64;
        self.since_event += n as u64;
        if self.since_event > MAX_EVENT_BYTES {
            return Err(std::io::Error::other(format!(
                "one tag or text of more than {} MB",
                MAX_EVENT_BYTES / (1024 * 1024)
            )));
        }
        Ok(n)
    }
}

impl<R: Read + Seek> Book<'_, R> {
    fn refuse(&self, message: String) -> Error {
        Error::invalid(Diagnostic::new(Location::new(&self.file, 0, 0), message))
    }

    fn broken(&self, part: &str, e: impl std::fmt::Display) -> Error {
        self.refuse(format!(
            "cannot read the workbook ({}: {}); save it again as .xlsx or .ods, or export the sheet as CSV",
            part,
            quoted(&e.to_string())
        ))
    }

    fn has(&mut self, part: &str) -> bool {
        self.archive.index_for_name(part).is_some()
    }

    /// Streams the events of `part` to `each` (with the reader, for its decoder).
    fn events(
        &mut self,
        part: &str,
        mut each: impl FnMut(Event<'_>) -> Result<bool>,
    ) -> Result<()> {
        let file = self.file.clone();
        let broken = |e: &dyn std::fmt::Display| {
            Error::invalid(Diagnostic::new(
                Location::new(&file, 0, 0),
                format!(
                    "cannot read the workbook ({part}: {}); save it again as .xlsx or .ods, or export the sheet as CSV",
                    quoted(&e.to_string())
                ),
            ))
        };
        let entry = self.archive.by_name(part).map_err(|e| broken(&e))?;
        let capped = Capped {
            inner: entry,
            left: MAX_PART_BYTES,
            since_event: 0,
        };
        let mut reader = quick_xml::Reader::from_reader(BufReader::new(capped));
        let mut buf = Vec::new();
        loop {
            buf.clear();
            reader.get_mut().get_mut().since_event = 0;
            let event = reader.read_event_into(&mut buf).map_err(|e| broken(&e))?;
            if matches!(event, Event::Eof) {
                return Ok(());
            }
            if !each(event)? {
                return Ok(());
            }
        }
    }

    // ---- xlsx ----

    fn xlsx(&mut self, wanted: Option<&str>) -> Result<Cells> {
        // The sheets in order, with their state and relationship id.
        let mut sheets: Vec<(String, bool, String)> = Vec::new();
        let mut date1904 = false;
        self.events("xl/workbook.xml", |event| {
            if let Event::Start(e) | Event::Empty(e) = &event {
                match e.local_name().as_ref() {
                    b"sheet" => {
                        let name = attr(e, b"name").unwrap_or_default();
                        let hidden = attr(e, b"state").is_some_and(|s| s != "visible");
                        let id = attr(e, b"id").unwrap_or_default();
                        sheets.push((name, hidden, id));
                    }
                    b"workbookPr" => {
                        date1904 = attr(e, b"date1904").is_some_and(|v| v == "1" || v == "true");
                    }
                    _ => {}
                }
            }
            Ok(true)
        })?;
        let (chosen, id) = self.choose(&sheets, wanted)?;
        let mut targets: HashMap<String, String> = HashMap::new();
        if self.has("xl/_rels/workbook.xml.rels") {
            self.events("xl/_rels/workbook.xml.rels", |event| {
                if let Event::Start(e) | Event::Empty(e) = &event {
                    if e.local_name().as_ref() == b"Relationship" {
                        if let (Some(id), Some(target)) = (attr(e, b"Id"), attr(e, b"Target")) {
                            targets.insert(id, target);
                        }
                    }
                }
                Ok(true)
            })?;
        }
        let part = match targets.get(&id) {
            Some(target) => match target.strip_prefix('/') {
                Some(absolute) => absolute.to_string(),
                None => format!("xl/{target}"),
            },
            None => format!(
                "xl/worksheets/sheet{}.xml",
                1 + sheets.iter().position(|s| s.0 == chosen).unwrap_or(0)
            ),
        };
        let styles = if self.has("xl/styles.xml") {
            self.styles()?
        } else {
            Vec::new()
        };
        let shared = if self.has("xl/sharedStrings.xml") {
            self.shared_strings()?
        } else {
            SharedStrings::default()
        };
        let mut cells = Cells {
            sheet: chosen.clone(),
            file: self.file.clone(),
            ..Cells::default()
        };
        if !self.has(&part) {
            return Err(self.broken(&part, "the sheet's part is missing"));
        }
        // Per cell: its reference, type, style, and value text.
        let mut row: u64 = 0;
        let mut column: u64 = 0;
        let mut kind = String::new();
        let mut style = 0usize;
        let mut value = String::new();
        let mut inline = String::new();
        let mut in_value = false;
        let mut in_inline = false;
        let mut in_cell = false;
        let mut failure: Option<Error> = None;
        let file = self.file.clone();
        self.events(&part, |event| {
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let empty = matches!(event, Event::Empty(_));
                    match e.local_name().as_ref() {
                        b"row" => {
                            row = match attr(e, b"r").and_then(|r| r.parse::<u64>().ok()) {
                                Some(r) => r,
                                None => row + 1,
                            };
                            column = 0;
                        }
                        b"c" => {
                            let reference = attr(e, b"r");
                            match reference.as_deref().and_then(cell_reference) {
                                Some((r, c)) => {
                                    row = r.max(1);
                                    column = c;
                                }
                                None if reference.is_some() => {
                                    failure = Some(Error::invalid(Diagnostic::new(
                                        Location::new(&file, 0, 0),
                                        format!(
                                            "sheet `{chosen}` has a cell reference `{}` that names no cell; save the workbook again or export the sheet as CSV",
                                            quoted(reference.as_deref().unwrap_or(""))
                                        ),
                                    )));
                                    return Ok(false);
                                }
                                None => {}
                            }
                            kind = attr(e, b"t").unwrap_or_default();
                            style = attr(e, b"s").and_then(|s| s.parse().ok()).unwrap_or(0);
                            value.clear();
                            inline.clear();
                            in_cell = !empty;
                            if empty {
                                column += 1;
                            }
                        }
                        b"v" if in_cell && !empty => in_value = true,
                        b"is" if in_cell && !empty => in_inline = true,
                        b"rPh" => in_inline = false,
                        _ => {}
                    }
                }
                Event::End(e) => match e.local_name().as_ref() {
                    b"v" => in_value = false,
                    b"is" => in_inline = false,
                    b"c" if in_cell => {
                        in_cell = false;
                        let text = match kind.as_str() {
                            "s" => match value.trim().parse::<usize>().ok().and_then(|i| shared.get(i)) {
                                Some(text) => text.to_string(),
                                None => String::new(),
                            },
                            "inlineStr" => std::mem::take(&mut inline),
                            "b" => match value.trim() {
                                "1" | "true" => "true".to_string(),
                                "0" | "false" => "false".to_string(),
                                other => other.to_string(),
                            },
                            "str" | "e" | "d" => value.clone(),
                            _ => number_cell(&value, styles.get(style).copied(), date1904),
                        };
                        if let Err(e) = cells.push(row, column, &text) {
                            failure = Some(e);
                            return Ok(false);
                        }
                        column += 1;
                    }
                    _ => {}
                },
                Event::Text(t) => {
                    let text = t.xml10_content().map_err(|e| xml_error(&file, &e))?;
                    if in_value {
                        value.push_str(&text);
                    } else if in_inline {
                        inline.push_str(&text);
                    }
                }
                Event::CData(t) => {
                    let text = String::from_utf8_lossy(t.as_ref()).into_owned();
                    if in_value {
                        value.push_str(&text);
                    } else if in_inline {
                        inline.push_str(&text);
                    }
                }
                Event::GeneralRef(r) => {
                    let text = entity(&r.decode().map_err(|e| xml_error(&file, &e))?);
                    if in_value {
                        value.push_str(&text);
                    } else if in_inline {
                        inline.push_str(&text);
                    }
                }
                _ => {}
            }
            Ok(true)
        })?;
        match failure {
            Some(e) => Err(e),
            None => Ok(cells),
        }
    }

    /// The sheet to read: the one `sheet:` names, else the first visible one.
    fn choose(
        &self,
        sheets: &[(String, bool, String)],
        wanted: Option<&str>,
    ) -> Result<(String, String)> {
        let names = || {
            sheets
                .iter()
                .map(|s| {
                    if s.1 {
                        format!("{} (hidden)", s.0)
                    } else {
                        s.0.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match wanted {
            Some(wanted) => sheets
                .iter()
                .find(|s| s.0 == wanted)
                .map(|s| (s.0.clone(), s.2.clone()))
                .ok_or_else(|| {
                    self.refuse(format!(
                        "the workbook has no sheet `{}` (sheets: {}); check `sheet:` in the profile",
                        quoted(wanted),
                        names()
                    ))
                }),
            None => sheets
                .iter()
                .find(|s| !s.1)
                .map(|s| (s.0.clone(), s.2.clone()))
                .ok_or_else(|| {
                    self.refuse(if sheets.is_empty() {
                        "the workbook has no sheet".to_string()
                    } else {
                        format!(
                            "every sheet of the workbook is hidden ({}); name one with `sheet:` in a profile",
                            names()
                        )
                    })
                }),
        }
    }

    /// Per cell style (`cellXfs` position): how its numbers are shown.
    fn styles(&mut self) -> Result<Vec<Shown>> {
        let mut custom: HashMap<u32, String> = HashMap::new();
        let mut xfs: Vec<u32> = Vec::new();
        let mut in_xfs = false;
        let mut depth = 0usize;
        self.events("xl/styles.xml", |event| {
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let empty = matches!(event, Event::Empty(_));
                    match e.local_name().as_ref() {
                        b"numFmt" => {
                            if let (Some(id), Some(code)) = (
                                attr(e, b"numFmtId").and_then(|i| i.parse().ok()),
                                attr(e, b"formatCode"),
                            ) {
                                custom.insert(id, code);
                            }
                        }
                        b"cellXfs" if !empty => in_xfs = true,
                        b"xf" if in_xfs => {
                            if depth == 0 {
                                xfs.push(
                                    attr(e, b"numFmtId")
                                        .and_then(|i| i.parse().ok())
                                        .unwrap_or(0),
                                );
                            }
                            if !empty {
                                depth += 1;
                            }
                        }
                        _ => {}
                    }
                }
                Event::End(e) => match e.local_name().as_ref() {
                    b"cellXfs" => in_xfs = false,
                    b"xf" if in_xfs => depth = depth.saturating_sub(1),
                    _ => {}
                },
                _ => {}
            }
            Ok(xfs.len() < 1_000_000)
        })?;
        Ok(xfs
            .into_iter()
            .map(|id| shown_by(id, custom.get(&id).map(String::as_str)))
            .collect())
    }

    fn shared_strings(&mut self) -> Result<SharedStrings> {
        let mut out = SharedStrings::default();
        let mut in_t = false;
        let mut in_phonetic = false;
        let mut current = String::new();
        let mut too_big = false;
        let file = self.file.clone();
        self.events("xl/sharedStrings.xml", |event| {
            match &event {
                Event::Start(e) => match e.local_name().as_ref() {
                    b"si" => current.clear(),
                    b"t" if !in_phonetic => in_t = true,
                    b"rPh" => in_phonetic = true,
                    _ => {}
                },
                Event::Empty(e) if e.local_name().as_ref() == b"si" => out.push(""),
                Event::End(e) => match e.local_name().as_ref() {
                    b"t" => in_t = false,
                    b"rPh" => in_phonetic = false,
                    b"si" => out.push(&current),
                    _ => {}
                },
                Event::Text(t) if in_t => {
                    current.push_str(&t.xml10_content().map_err(|e| xml_error(&file, &e))?)
                }
                Event::CData(t) if in_t => current.push_str(&String::from_utf8_lossy(t.as_ref())),
                Event::GeneralRef(r) if in_t => {
                    current.push_str(&entity(&r.decode().map_err(|e| xml_error(&file, &e))?))
                }
                _ => {}
            }
            if out.text.len() + current.len() > MAX_TEXT_BYTES {
                too_big = true;
                return Ok(false);
            }
            Ok(true)
        })?;
        if too_big {
            return Err(self.refuse(format!(
                "the workbook's shared strings hold more than {} MB of text; partnerscope reads workbooks up to that size: export the sheet as CSV",
                MAX_TEXT_BYTES / (1024 * 1024)
            )));
        }
        Ok(out)
    }

    // ---- ods ----

    fn ods(&mut self, wanted: Option<&str>) -> Result<Cells> {
        // Table styles that hide their table.
        let mut hidden_styles: Vec<String> = Vec::new();
        let mut sheets: Vec<(String, bool, String)> = Vec::new();
        let mut style_name: Option<String> = None;
        let mut found: Option<String> = None;
        let mut cells = Cells {
            file: self.file.clone(),
            ..Cells::default()
        };
        // Reading state.
        let mut reading = false;
        let mut table_depth = 0usize;
        let mut row: u64 = 0;
        let mut row_repeat: u64 = 1;
        let mut column: u64 = 0;
        let mut cell: Option<(String, u64)> = None;
        let mut cell_text = String::new();
        let mut paragraphs = 0usize;
        let mut in_text = 0usize;
        let mut failure: Option<Error> = None;
        let mut row_cells: Vec<(u64, u64, String)> = Vec::new();
        let file = self.file.clone();
        let wanted = wanted.map(str::to_string);
        self.events("content.xml", |event| {
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let empty = matches!(event, Event::Empty(_));
                    let name = e.name();
                    match name.as_ref() {
                        b"style:style" => {
                            style_name = attr_q(e, b"style:name");
                        }
                        b"style:table-properties"
                            if attr_q(e, b"table:display").is_some_and(|d| d == "false") =>
                        {
                            if let Some(s) = &style_name {
                                hidden_styles.push(s.clone());
                            }
                        }
                        b"table:table" if !reading && found.is_none() => {
                            let name = attr_q(e, b"table:name").unwrap_or_default();
                            let hidden = attr_q(e, b"table:style-name")
                                .is_some_and(|s| hidden_styles.contains(&s));
                            sheets.push((name.clone(), hidden, String::new()));
                            let take = match &wanted {
                                Some(w) => *w == name,
                                None => !hidden,
                            };
                            if take && !empty {
                                reading = true;
                                table_depth = 1;
                                found = Some(name.clone());
                                cells.sheet = name;
                                row = 0;
                            }
                        }
                        b"table:table" if reading && !empty => table_depth += 1,
                        b"table:table-row" if reading && table_depth == 1 => {
                            row_repeat = attr_q(e, b"table:number-rows-repeated")
                                .and_then(|r| r.parse().ok())
                                .unwrap_or(1)
                                .max(1);
                            row += 1;
                            column = 0;
                            row_cells.clear();
                            if empty {
                                row += row_repeat - 1;
                            }
                        }
                        b"table:table-cell" | b"table:covered-table-cell"
                            if reading && table_depth == 1 =>
                        {
                            let repeat: u64 = attr_q(e, b"table:number-columns-repeated")
                                .and_then(|r| r.parse().ok())
                                .unwrap_or(1)
                                .max(1);
                            let value = ods_value(e);
                            cell_text.clear();
                            paragraphs = 0;
                            if empty {
                                if let Some(v) = value {
                                    row_cells.push((column, repeat, v));
                                }
                                column = column.saturating_add(repeat);
                            } else {
                                cell = Some((value.unwrap_or_default(), repeat));
                            }
                        }
                        b"text:p" | b"text:h" if cell.is_some() && in_text < usize::MAX / 2 => {
                            if paragraphs > 0 {
                                cell_text.push('\n');
                            }
                            paragraphs += 1;
                            if !empty {
                                in_text += 1;
                            }
                        }
                        b"text:s" if in_text > 0 => {
                            let n: usize = attr_q(e, b"text:c").and_then(|c| c.parse().ok()).unwrap_or(1);
                            cell_text.push_str(&" ".repeat(n.min(1000)));
                        }
                        b"text:tab" if in_text > 0 => cell_text.push('\t'),
                        b"text:line-break" if in_text > 0 => cell_text.push('\n'),
                        b"office:annotation" if cell.is_some() && !empty => in_text = usize::MAX / 2,
                        _ => {}
                    }
                }
                Event::End(e) => match e.name().as_ref() {
                    b"table:table" if reading => {
                        table_depth -= 1;
                        if table_depth == 0 {
                            reading = false;
                            return Ok(false);
                        }
                    }
                    b"text:p" | b"text:h" if in_text > 0 && in_text < usize::MAX / 2 => in_text -= 1,
                    b"office:annotation" if in_text >= usize::MAX / 2 => in_text = 0,
                    b"table:table-cell" | b"table:covered-table-cell" if reading && table_depth == 1 => {
                        if let Some((value, repeat)) = cell.take() {
                            let text = if value.is_empty() { std::mem::take(&mut cell_text) } else { value };
                            if !text.is_empty() {
                                row_cells.push((column, repeat, text));
                            }
                            column = column.saturating_add(repeat);
                        }
                    }
                    b"table:table-row" if reading && table_depth == 1 => {
                        for r in 0..row_repeat {
                            if row_cells.is_empty() {
                                break;
                            }
                            for (c, repeat, text) in &row_cells {
                                let end = c.saturating_add(*repeat);
                                if end > MAX_COLUMNS {
                                    failure = Some(cells.refuse(format!(
                                        "sheet `{}` row {} repeats a cell past column {MAX_COLUMNS}; save the workbook again or export the sheet as CSV",
                                        cells.sheet, row + r
                                    )));
                                    return Ok(false);
                                }
                                for k in *c..end {
                                    if let Err(e) = cells.push(row + r, k, text) {
                                        failure = Some(e);
                                        return Ok(false);
                                    }
                                }
                            }
                        }
                        row += row_repeat - 1;
                    }
                    _ => {}
                },
                Event::Text(t) if in_text > 0 && in_text < usize::MAX / 2 => {
                    cell_text.push_str(&t.xml10_content().map_err(|e| xml_error(&file, &e))?);
                }
                Event::GeneralRef(r) if in_text > 0 && in_text < usize::MAX / 2 => {
                    cell_text.push_str(&entity(&r.decode().map_err(|e| xml_error(&file, &e))?));
                }
                _ => {}
            }
            if cell_text.len() > MAX_TEXT_BYTES {
                failure = Some(cells.refuse(format!(
                    "sheet `{}` holds more than {} MB of text; export the sheet as CSV",
                    cells.sheet,
                    MAX_TEXT_BYTES / (1024 * 1024)
                )));
                return Ok(false);
            }
            Ok(true)
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        if found.is_none() {
            // Name the sheets, as for xlsx.
            self.choose(&sheets, wanted.as_deref())?;
            return Err(self.refuse("the workbook has no sheet".to_string()));
        }
        Ok(cells)
    }
}

/// The shared strings of an xlsx workbook, concatenated.
#[derive(Default)]
struct SharedStrings {
    text: String,
    ends: Vec<usize>,
}

impl SharedStrings {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }
}

/// How a number cell is shown, from its number format.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shown {
    Number,
    Percent,
    Date,
    DateTime,
    Time,
}

/// The way number format `id` (with its code, for a custom one) shows a number.
fn shown_by(id: u32, code: Option<&str>) -> Shown {
    match id {
        9 | 10 => return Shown::Percent,
        14..=17 => return Shown::Date,
        22 => return Shown::DateTime,
        18..=21 | 45..=47 => return Shown::Time,
        _ => {}
    }
    let Some(code) = code else {
        return Shown::Number;
    };
    // The format's own tokens: outside quotes, `\`-escapes and `[…]` (colours, locales).
    let mut tokens = String::new();
    let mut chars = code.chars();
    let mut quote = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => quote = !quote,
            _ if quote => {}
            '\\' | '_' | '*' => {
                chars.next();
            }
            '[' => {
                let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
                if matches!(
                    inner.to_ascii_lowercase().as_str(),
                    "h" | "hh" | "m" | "mm" | "s" | "ss"
                ) {
                    tokens.push('h');
                }
            }
            ';' => break,
            c => tokens.push(c.to_ascii_lowercase()),
        }
    }
    if tokens.contains('%') {
        Shown::Percent
    } else if tokens.contains('y') || tokens.contains('d') {
        if tokens.contains('h') || tokens.contains('s') {
            Shown::DateTime
        } else {
            Shown::Date
        }
    } else if tokens.contains('h') || tokens.contains('s') {
        Shown::Time
    } else {
        Shown::Number
    }
}

/// A number cell's text, as its format shows it.
fn number_cell(value: &str, shown: Option<Shown>, date1904: bool) -> String {
    let value = value.trim();
    let Ok(x) = value.parse::<f64>() else {
        return value.to_string();
    };
    if !x.is_finite() {
        return value.to_string();
    }
    match shown.unwrap_or(Shown::Number) {
        Shown::Number => number(x),
        Shown::Percent => number((x * 100.0 * 1e9).round() / 1e9),
        Shown::Date | Shown::DateTime => serial_date(x, date1904).unwrap_or_else(|| number(x)),
        Shown::Time if (0.0..1.0).contains(&x) => clock(x),
        Shown::Time => serial_date(x, date1904).unwrap_or_else(|| number(x)),
    }
}

/// A date serial number as ISO 8601: the date alone at midnight, else with the time.
fn serial_date(x: f64, date1904: bool) -> Option<String> {
    if !(0.0..2_958_466.0).contains(&x) {
        return None;
    }
    let mut days = x.floor() as i64;
    let fraction = x - x.floor();
    // Days from 1970-01-01.
    let epoch_days = if date1904 {
        days - 24_107
    } else {
        // Excel counts 1900-02-29, which did not exist.
        if days < 60 {
            days += 1;
        }
        days - 25_569
    };
    let (year, month, day) = civil_from_days(epoch_days);
    let date = format!("{year:04}-{month:02}-{day:02}");
    let millis = (fraction * 86_400_000.0).round() as i64;
    if millis == 0 || millis >= 86_400_000 {
        return Some(date);
    }
    Some(format!("{date}T{}", clock(fraction)))
}

/// A fraction of a day as `HH:MM:SS` (with `.mmm` when not whole seconds).
fn clock(fraction: f64) -> String {
    let millis = ((fraction * 86_400_000.0).round() as i64).clamp(0, 86_399_999);
    let (h, m, s, ms) = (
        millis / 3_600_000,
        millis / 60_000 % 60,
        millis / 1000 % 60,
        millis % 1000,
    );
    if ms == 0 {
        format!("{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}.{ms:03}")
    }
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// An ODS cell's value as a person sees it, from its typed attributes (`None`: its text).
fn ods_value(e: &BytesStart) -> Option<String> {
    let kind = attr_q(e, b"office:value-type")?;
    match kind.as_str() {
        "float" | "currency" => attr_q(e, b"office:value")
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(number),
        "percentage" => attr_q(e, b"office:value")
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(|x| number((x * 100.0 * 1e9).round() / 1e9)),
        "date" => attr_q(e, b"office:date-value").map(|d| {
            d.strip_suffix("T00:00:00")
                .map_or_else(|| d.clone(), str::to_string)
        }),
        "boolean" => attr_q(e, b"office:boolean-value"),
        _ => None,
    }
}

/// An attribute by local name (any prefix), unescaped.
fn attr(e: &BytesStart, local: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| attribute_text(&a.value))
            .flatten()
    })
}

/// An attribute by its qualified name (`table:name`), unescaped.
fn attr_q(e: &BytesStart, name: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.as_ref() == name)
            .then(|| attribute_text(&a.value))
            .flatten()
    })
}

/// An attribute's value, unescaped (`&amp;` → `&`; an unknown entity kept as written).
fn attribute_text(raw: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    Some(match quick_xml::escape::unescape(&text) {
        Ok(unescaped) => unescaped.into_owned(),
        Err(_) => text.into_owned(),
    })
}

/// An entity or character reference's text (`amp` → `&`, `#10` → a line break).
fn entity(name: &str) -> String {
    let code = match name {
        "amp" => return "&".into(),
        "lt" => return "<".into(),
        "gt" => return ">".into(),
        "quot" => return "\"".into(),
        "apos" => return "'".into(),
        _ => name.strip_prefix('#'),
    };
    code.and_then(|c| match c.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => c.parse().ok(),
    })
    .and_then(char::from_u32)
    .map_or_else(String::new, String::from)
}

fn xml_error(file: &str, e: &dyn std::fmt::Display) -> Error {
    Error::invalid(Diagnostic::new(
        Location::new(file, 0, 0),
        format!(
            "cannot read the workbook ({}); save it again as .xlsx or .ods, or export the sheet as CSV",
            quoted(&e.to_string())
        ),
    ))
}

/// `B12` → (row 12, column 1).
fn cell_reference(reference: &str) -> Option<(u64, u64)> {
    let letters = reference
        .bytes()
        .take_while(u8::is_ascii_alphabetic)
        .count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let mut column: u64 = 0;
    for b in reference[..letters].bytes() {
        column = column * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    let row: u64 = reference[letters..].parse().ok()?;
    (row >= 1 && column >= 1).then_some((row, column - 1))
}

/// A whole number without `.0`; other numbers in Rust's shortest round-trip form.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_shown() {
        assert_eq!(number_cell("4", None, false), "4");
        assert_eq!(number_cell("2.5", None, false), "2.5");
        assert_eq!(number_cell("-0", None, false), "0");
        assert_eq!(number_cell("0.25", Some(Shown::Percent), false), "25");
        assert_eq!(number_cell("0.07", Some(Shown::Percent), false), "7");
        assert_eq!(number_cell("0.125", Some(Shown::Percent), false), "12.5");
        assert_eq!(
            number_cell("45943.5", Some(Shown::DateTime), false),
            "2025-10-13T12:00:00"
        );
        assert_eq!(number_cell("45943", Some(Shown::Date), false), "2025-10-13");
        assert_eq!(number_cell("1", Some(Shown::Date), false), "1900-01-01");
        assert_eq!(number_cell("61", Some(Shown::Date), false), "1900-03-01");
        assert_eq!(number_cell("0", Some(Shown::Date), true), "1904-01-01");
        assert_eq!(number_cell("0.75", Some(Shown::Time), false), "18:00:00");
    }

    #[test]
    fn number_formats_are_recognised() {
        assert_eq!(shown_by(0, None), Shown::Number);
        assert_eq!(shown_by(9, None), Shown::Percent);
        assert_eq!(shown_by(14, None), Shown::Date);
        assert_eq!(shown_by(164, Some("0.0%")), Shown::Percent);
        assert_eq!(shown_by(165, Some("yyyy-mm-dd")), Shown::Date);
        assert_eq!(shown_by(166, Some("dd/mm/yyyy hh:mm")), Shown::DateTime);
        assert_eq!(shown_by(167, Some("\"days\" 0")), Shown::Number);
        assert_eq!(shown_by(168, Some("[Red]0.00")), Shown::Number);
        assert_eq!(shown_by(169, Some("#,##0 \"%\"")), Shown::Number);
    }

    #[test]
    fn references_and_entities() {
        assert_eq!(cell_reference("A1"), Some((1, 0)));
        assert_eq!(cell_reference("AB12"), Some((12, 27)));
        assert_eq!(cell_reference("XFD1048576"), Some((1_048_576, 16_383)));
        assert_eq!(cell_reference("1A"), None);
        assert_eq!(cell_reference("A0"), None);
        assert_eq!(entity("amp"), "&");
        assert_eq!(entity("#10"), "\n");
        assert_eq!(entity("#x41"), "A");
        assert_eq!(entity("bogus"), "");
    }

    #[test]
    fn rows_keep_their_cells_and_lines() {
        let mut sheet = Sheet::default();
        sheet.push_row(["a", "bc", ""].map(String::from).into_iter(), 1);
        sheet.push_row(["", "d"].map(String::from).into_iter(), 3);
        assert_eq!(sheet.row(0), (&b"abcd"[..], &[1, 3, 3][..], 1));
        assert_eq!(sheet.row(1), (&b"d"[..], &[0, 1][..], 3));
    }

    #[test]
    fn sparse_cells_become_rows_as_wide_as_the_widest() {
        let mut cells = Cells::default();
        cells.push(2, 0, "a").unwrap();
        cells.push(2, 2, "c").unwrap();
        cells.push(4, 1, "x").unwrap();
        let sheet = cells.into_sheet();
        assert_eq!(sheet.len(), 3);
        assert_eq!(&sheet.row(0).0[..2], b"ac");
        assert_eq!((sheet.row(0).1, sheet.row(0).2), (&[1, 1, 2][..], 2));
        assert_eq!(sheet.row(1).1, &[0, 0, 0][..]);
        assert_eq!(sheet.row(2), (&b"x"[..], &[0, 1, 1][..], 4));
    }

    #[test]
    fn a_part_past_its_budget_fails_to_read() {
        let mut capped = Capped {
            inner: &[b'x'; 100][..],
            left: 10,
            since_event: 0,
        };
        let mut out = Vec::new();
        let err = capped.read_to_end(&mut out).unwrap_err().to_string();
        assert!(err.contains("expands to more than"), "{err}");
    }

    #[test]
    fn one_event_past_its_budget_fails_to_read() {
        // A sheet of one blank text of 17 MiB: refused before it is held whole.
        let mut sheet = b"<worksheet><sheetData>".to_vec();
        sheet.resize(sheet.len() + 17 * 1024 * 1024, b' ');
        sheet.extend_from_slice(b"</sheetData></worksheet>");
        let err = read_bytes(&xlsx_parts(&sheet, b"<sst/>"), "xlsx")
            .expect_err("refused")
            .to_string();
        assert!(
            err.contains(
                "xl/worksheets/sheet1.xml: I/O error: one tag or text of more than 16 MB)"
            ),
            "{err}"
        );
    }

    /// A zip archive of `parts`.
    fn archive(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in parts {
            out.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(bytes).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    const WORKBOOK: &str =
        r#"<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    const RELS: &str = r#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>"#;
    const STYLES: &str = r#"<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>"#;
    const SHARED: &str = r#"<sst count="2" uniqueCount="2"><si><t>id</t></si><si><r><t>a</t></r><r><t>b</t></r></si></sst>"#;
    const SHEET: &str = r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></c><c r="B2" s="1"><v>0.5</v></c><c r="C2" t="b"><v>1</v></c></row></sheetData></worksheet>"#;
    const CONTENT: &str = r#"<office:document-content><office:automatic-styles><style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style></office:automatic-styles><office:body><office:spreadsheet><table:table table:name="Hidden" table:style-name="ta2"><table:table-row><table:table-cell><text:p>no</text:p></table:table-cell></table:table-row></table:table><table:table table:name="S"><table:table-row table:number-rows-repeated="2"><table:table-cell office:value-type="percentage" office:value="0.25"><text:p>25%</text:p></table:table-cell><table:table-cell table:number-columns-repeated="3"/><table:table-cell office:value-type="date" office:date-value="2025-10-13"><text:p>13/10/25</text:p></table:table-cell><table:table-cell office:value-type="string"><office:annotation><text:p>note</text:p></office:annotation><text:p>a<text:s text:c="2"/>&amp;</text:p><text:p>b</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;

    fn xlsx_parts(sheet: &[u8], shared: &[u8]) -> Vec<u8> {
        archive(&[
            ("xl/workbook.xml", WORKBOOK.into()),
            ("xl/_rels/workbook.xml.rels", RELS.into()),
            ("xl/styles.xml", STYLES.into()),
            ("xl/sharedStrings.xml", shared.to_vec()),
            ("xl/worksheets/sheet1.xml", sheet.to_vec()),
        ])
    }

    fn read_bytes(bytes: &[u8], extension: &str) -> Result<Sheet> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("book.{extension}"));
        std::fs::write(&path, bytes).unwrap();
        read(&path, None)
    }

    fn rows(sheet: &Sheet) -> Vec<(u64, Vec<String>)> {
        (0..sheet.len())
            .map(|r| {
                let (text, ends, line) = sheet.row(r);
                let mut start = 0;
                let cells = ends
                    .iter()
                    .map(|&end| {
                        let cell = String::from_utf8_lossy(&text[start..end]).into_owned();
                        start = end;
                        cell
                    })
                    .collect();
                (line, cells)
            })
            .collect()
    }

    #[test]
    fn an_xlsx_and_an_ods_read_as_shown() {
        let sheet = read_bytes(&xlsx_parts(SHEET.as_bytes(), SHARED.as_bytes()), "xlsx").unwrap();
        let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            rows(&sheet),
            [(1, s(&["id", "ab", ""])), (2, s(&["1", "50", "true"]))]
        );
        let ods = archive(&[("content.xml", CONTENT.into())]);
        let sheet = read_bytes(&ods, "ods").unwrap();
        assert_eq!(
            rows(&sheet),
            [
                (1, s(&["25", "", "", "", "2025-10-13", "a  &\nb"])),
                (2, s(&["25", "", "", "", "2025-10-13", "a  &\nb"]))
            ]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]

        /// Mutated workbooks never panic: each reads, or fails with a message (the budgets
        /// bound what any mutation can make the reader hold).
        #[test]
        fn mutated_workbooks_never_panic(
            part in 0usize..3,
            at in 0usize..10_000,
            len in 0usize..12,
            insert in proptest::sample::select(vec![
                "", "<", ">", "\"", "9", "99999999999", "XFD1048576", "-1", "&amp;", "&#0;", "&bogus;",
                "<row r=\"4294967296\">", "<c r=\"ZZZZ1\">", " t=\"s\"", "<v>4294967295</v>",
                " table:number-rows-repeated=\"4000000000\"", " table:number-columns-repeated=\"99999\"",
                " office:value-type=\"percentage\" office:value=\"1e308\"", "</table:table>", "<![CDATA[x]]>",
            ]),
        ) {
            let mutate = |text: &str| {
                let mut bytes = text.as_bytes().to_vec();
                let at = at % (bytes.len() + 1);
                let end = (at + len).min(bytes.len());
                bytes.splice(at..end, insert.bytes());
                bytes
            };
            match part {
                0 => { let _ = read_bytes(&xlsx_parts(&mutate(SHEET), SHARED.as_bytes()), "xlsx"); }
                1 => { let _ = read_bytes(&xlsx_parts(SHEET.as_bytes(), &mutate(SHARED)), "xlsx"); }
                _ => { let _ = read_bytes(&archive(&[("content.xml", mutate(CONTENT))]), "ods"); }
            }
        }
    }

    #[test]
    fn a_sparse_span_is_refused() {
        let mut cells = Cells::default();
        cells.push(1, 0, "a").unwrap();
        let err = cells.push(1_048_576, 16_000, "z").unwrap_err().to_string();
        assert!(err.contains("cells partnerscope reads"), "{err}");
    }
}
