//! `report --xlsx` (SPEC §13): the data files of SPEC §9 as one Excel workbook,
//! `data/results.xlsx`, for consultants who work in Excel.
//!
//! The workbook is made from the CSV files this run has just written, so that it holds the
//! same cells by construction: one sheet per CSV file, named after it, numbers as numbers,
//! `true`/`false` as booleans, text as text (a cell written as a string is never a formula,
//! whatever it starts with), the header row bold and frozen, columns sized to their content.
//! A sheet past [`MAX_ROWS`] data rows continues in `name (2)`, `name (3)`… Text cells carry
//! the raw text: the leading `'` with which the CSV files guard a text that starts like a
//! formula (`=`, `+`, `-`, `@`, tab, return) is taken off again. No timestamp is written
//! unless `SOURCE_DATE_EPOCH` is set, so two runs write the same bytes.
//!
//! `scores.json` is not tabular and has no sheet. Only this file knows `rust_xlsxwriter`.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet};

use crate::error::{Error, Result};
use crate::instrument::Instrument;

pub const FILE_NAME: &str = "results.xlsx";

/// Data rows per sheet before the rest continues on the next (Excel's limit is 1,048,576
/// rows, header included).
pub const MAX_ROWS: usize = 1_000_000;

/// The CSV files that become sheets, in sheet order: the summaries first, raw rows last.
pub const SHEETS: [&str; 6] = [
    "org_summary",
    "org_scores",
    "perception_gaps",
    "changes",
    "respondent_scores",
    "rejects",
];

/// Widest column, in characters.
const MAX_WIDTH: usize = 60;

/// How a column's cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    Boolean,
}

/// The kind of every column of a data file, from its header. Columns are known by name, and
/// in `respondent_scores.csv` by position (its dimension and outcome columns are named after
/// the instrument's ids, which could be any word).
pub fn kinds(sheet: &str, header: &[String], instrument: &Instrument) -> Vec<Kind> {
    let by_name = |numbers: &[&str], booleans: &[&str]| -> Vec<Kind> {
        header
            .iter()
            .map(|h| {
                if numbers.contains(&h.as_str()) {
                    Kind::Number
                } else if booleans.contains(&h.as_str()) {
                    Kind::Boolean
                } else {
                    Kind::Text
                }
            })
            .collect()
    };
    match sheet {
        "org_summary" => by_name(&["n", "index", "percentile", "points_to_next"], &[]),
        "org_scores" => by_name(
            &[
                "n",
                "mean",
                "sd",
                "ci_low",
                "ci_high",
                "percentile",
                "p25",
                "median",
                "p75",
            ],
            &[],
        ),
        "perception_gaps" => by_name(&["first_mean", "second_mean", "gap"], &["flag"]),
        "changes" => by_name(
            &[
                "from_mean",
                "to_mean",
                "difference",
                "t",
                "df",
                "p",
                "hedges_g",
            ],
            &["meaningful"],
        ),
        "rejects" => by_name(&["line"], &[]),
        "respondent_scores" => {
            // respondent_id, org, role, wave, <dimensions>, index, level, <outcomes>
            let level = 4 + instrument.dimensions.len() + 1;
            (0..header.len())
                .map(|c| {
                    if c < 4 || c == level {
                        Kind::Text
                    } else {
                        Kind::Number
                    }
                })
                .collect()
        }
        _ => vec![Kind::Text; header.len()],
    }
}

/// The raw text of a CSV text cell: without the `'` that guards a text starting like a
/// formula.
pub fn unguard(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

/// Writes `dir/results.xlsx` from the CSV files in `dir`.
pub fn write(instrument: &Instrument, dir: &Path) -> Result<()> {
    let bytes = workbook(instrument, dir, MAX_ROWS)?;
    crate::output::write_atomic(&dir.join(FILE_NAME), &bytes)
}

/// The workbook's bytes, with at most `max_rows` data rows per sheet.
pub fn workbook(instrument: &Instrument, dir: &Path, max_rows: usize) -> Result<Vec<u8>> {
    let target = dir.join(FILE_NAME);
    let fail = |e: rust_xlsxwriter::XlsxError| {
        Error::Other(format!(
            "{}: cannot write the workbook: {e}",
            target.display()
        ))
    };
    let mut book = Workbook::new();
    book.set_properties(&DocProperties::new().set_creation_datetime(&creation_time()?));
    for sheet in SHEETS {
        let path = dir.join(format!("{sheet}.csv"));
        let (header, widths) = measure(&path)?;
        let kinds = kinds(sheet, &header, instrument);
        let mut reader = open(&path)?;
        let mut part = 1;
        let mut ws = new_sheet(&mut book, sheet.to_string(), &header, &widths).map_err(fail)?;
        let mut row_in_part = 0;
        let mut record = csv::StringRecord::new();
        while reader
            .read_record(&mut record)
            .map_err(|e| csv_error(&path, e))?
        {
            if row_in_part == max_rows {
                part += 1;
                let name = format!("{sheet} ({part})");
                ws = new_sheet(&mut book, name, &header, &widths).map_err(fail)?;
                row_in_part = 0;
            }
            row_in_part += 1;
            let row = row_in_part as u32;
            for (c, cell) in record.iter().enumerate() {
                if cell.is_empty() {
                    continue;
                }
                let col = c as u16;
                let number = cell.parse::<f64>();
                match (kinds.get(c).copied().unwrap_or(Kind::Text), cell, number) {
                    (Kind::Number, _, Ok(x)) => ws.write_number(row, col, x),
                    (Kind::Boolean, "true", _) => ws.write_boolean(row, col, true),
                    (Kind::Boolean, "false", _) => ws.write_boolean(row, col, false),
                    _ => ws.write_string(row, col, unguard(cell)),
                }
                .map_err(fail)?;
            }
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// Adds a sheet with the file's header (bold, frozen) and its columns sized.
fn new_sheet<'a>(
    book: &'a mut Workbook,
    name: String,
    header: &[String],
    widths: &[usize],
) -> Result<&'a mut Worksheet, rust_xlsxwriter::XlsxError> {
    let bold = Format::new().set_bold();
    let ws = book.add_worksheet_with_constant_memory()?;
    ws.set_name(name)?;
    for (c, (name, width)) in header.iter().zip(widths).enumerate() {
        let c = c as u16;
        ws.set_column_width(c, (*width).min(MAX_WIDTH) as f64 + 2.0)?;
        ws.write_string_with_format(0, c, name, &bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(ws)
}

fn open(path: &Path) -> Result<csv::Reader<std::fs::File>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, "cannot read", e))?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(file))
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    Error::Other(format!("{}: cannot read back: {e}", path.display()))
}

/// The header of a CSV file and the width of each column (its longest cell, in characters).
fn measure(path: &Path) -> Result<(Vec<String>, Vec<usize>)> {
    let mut reader = open(path)?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(path, e))?
        .iter()
        .map(String::from)
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(path, e))?
    {
        for (w, cell) in widths.iter_mut().zip(record.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    Ok((header, widths))
}

/// The workbook's creation time: `SOURCE_DATE_EPOCH` when set, else a fixed date (the zip
/// format's epoch, 1980-01-01), so that the file does not change from run to run.
fn creation_time() -> Result<ExcelDateTime> {
    let fixed = || ExcelDateTime::from_ymd(1980, 1, 1);
    let time = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) => {
            let seconds: i64 = text.trim().parse().map_err(|_| {
                Error::Usage(format!(
                    "SOURCE_DATE_EPOCH={text}: not a number of seconds since 1970-01-01"
                ))
            })?;
            ExcelDateTime::from_timestamp(seconds)
        }
        Err(_) => fixed(),
    };
    time.map_err(|e| Error::Usage(format!("SOURCE_DATE_EPOCH: not a date Excel can hold: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_formula_guard_is_taken_off_text_and_nothing_else() {
        assert_eq!(unguard("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unguard("'-3"), "-3");
        assert_eq!(unguard("'@x"), "@x");
        assert_eq!(unguard("'quoted'"), "'quoted'");
        assert_eq!(unguard("plain"), "plain");
        assert_eq!(unguard("'"), "'");
    }

    #[test]
    fn respondent_columns_are_numbers_except_ids_and_level() {
        let instrument = crate::instrument::load_bundled().unwrap();
        let d = instrument.dimensions.len();
        let mut header: Vec<String> = ["respondent_id", "org", "role", "wave"]
            .map(String::from)
            .to_vec();
        header.extend(instrument.dimensions.iter().map(|x| x.id.clone()));
        header.extend(["index".to_string(), "level".to_string()]);
        header.extend(instrument.outcome_items().iter().map(|x| x.id.clone()));
        let kinds = kinds("respondent_scores", &header, &instrument);
        assert_eq!(kinds[..4], [Kind::Text; 4]);
        assert!(kinds[4..4 + d + 1].iter().all(|&k| k == Kind::Number));
        assert_eq!(kinds[4 + d + 1], Kind::Text);
        assert!(kinds[4 + d + 2..].iter().all(|&k| k == Kind::Number));
    }

    #[test]
    fn sheets_past_the_row_limit_continue_in_numbered_sheets() {
        let dir = tempfile::tempdir().unwrap();
        let instrument = crate::instrument::load_bundled().unwrap();
        for sheet in SHEETS {
            let body = if sheet == "rejects" {
                "file,line,column,respondent_id,reason\na.csv,2,x,r1,bad\na.csv,3,x,r2,bad\na.csv,4,x,'=r3,bad\n"
            } else {
                "org\n"
            };
            std::fs::write(dir.path().join(format!("{sheet}.csv")), body).unwrap();
        }
        let bytes = workbook(&instrument, dir.path(), 2).unwrap();
        use calamine::{Reader, Xlsx};
        let mut xlsx = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = xlsx.sheet_names();
        assert_eq!(
            names,
            [
                "org_summary",
                "org_scores",
                "perception_gaps",
                "changes",
                "respondent_scores",
                "rejects",
                "rejects (2)"
            ]
        );
        let second = xlsx.worksheet_range("rejects (2)").unwrap();
        assert_eq!(second.height(), 2, "a header and the third row");
        assert_eq!(
            second.get_value((1, 3)),
            Some(&calamine::Data::String("=r3".into()))
        );
        assert_eq!(second.get_value((1, 1)), Some(&calamine::Data::Float(4.0)));
    }
}
