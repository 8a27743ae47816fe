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
//! The workbook is for analysts (SPEC §13): a first sheet "Read me" lists every sheet and
//! column with its meaning; beside every organization id stands its name, beside every code
//! (measure, group, role, level) its label, in a column of its own that the CSV files do not
//! have; scores are shown with one decimal and p with three (the cells keep full precision);
//! every sheet has an autofilter on its header.
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

/// Sheets written only where their file exists (SPEC §16: open questions; §17: breakdowns, a
/// roster), each after the sheet named beside it.
pub const OPTIONAL_SHEETS: [(&str, &str); 3] = [
    ("breakdown_scores", "org_scores"),
    ("response_rates", "changes"),
    ("comments", "changes"),
];

/// The sheets of a workbook made from the data files in `dir`, in order.
pub fn sheets(dir: &Path) -> Vec<&'static str> {
    let mut sheets = SHEETS.to_vec();
    for (sheet, after) in OPTIONAL_SHEETS {
        if dir.join(format!("{sheet}.csv")).exists() {
            let at = sheets
                .iter()
                .position(|s| *s == after)
                .map_or(sheets.len(), |i| i + 1);
            sheets.insert(at, sheet);
        }
    }
    sheets
}

/// The first sheet: every sheet and column with its meaning.
pub const READ_ME: &str = "Read me";

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
        "breakdown_scores" => by_name(&["n", "mean", "sd", "ci_low", "ci_high"], &[]),
        "response_rates" => by_name(&["invited", "responses", "rate"], &[]),
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

/// What a label column stands beside, and how its text is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    OrgName,
    Measure,
    Group,
    Role,
    Level,
    /// A `;`-separated list of dimension ids.
    Dimensions,
}

/// The label column written right after a code column of a sheet, with its header.
fn label_of(sheet: &str, column: &str) -> Option<(Label, String)> {
    let label = match column {
        // org_summary has the name already, in its `name` column.
        "org" if sheet != "org_summary" => Label::OrgName,
        "measure" => Label::Measure,
        "group" => Label::Group,
        "role" | "first_role" | "second_role" => Label::Role,
        "level" | "next_level" => Label::Level,
        "blocking_dimensions" => Label::Dimensions,
        _ => return None,
    };
    let header = if label == Label::OrgName {
        "org_name".to_string()
    } else {
        format!("{column}_label")
    };
    Some((label, header))
}

/// Labels for the codes of the data files: organization names, and the instrument's titles.
struct Labels<'a> {
    instrument: &'a Instrument,
    names: &'a dyn Fn(&str) -> String,
}

impl Labels<'_> {
    fn text(&self, label: Label, code: &str) -> String {
        let i = self.instrument;
        let dimension = |id: &str| {
            i.dimensions
                .iter()
                .find(|d| d.id == id)
                .map_or_else(|| id.to_string(), |d| d.title.clone())
        };
        let role = |id: &str| {
            i.roles
                .iter()
                .find(|r| r.id == id)
                .map_or_else(|| id.to_string(), |r| r.label.clone())
        };
        match label {
            Label::OrgName => (self.names)(code),
            Label::Measure if code == "index" => "Partnership index".into(),
            Label::Measure => dimension(code),
            Label::Group if code == "all" => "All respondents".into(),
            Label::Group => code
                .strip_prefix("role:")
                .map_or_else(|| code.to_string(), role),
            Label::Role => role(code),
            Label::Level => i
                .levels
                .iter()
                .find(|l| l.id == code)
                .map_or_else(|| code.to_string(), |l| l.label.clone()),
            Label::Dimensions => code
                .split(';')
                .map(dimension)
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// How a number column is shown (the cell keeps every digit).
fn number_format(column: &str, kind: Kind) -> Option<&'static str> {
    if kind != Kind::Number {
        return None;
    }
    match column {
        "n" | "line" => None,
        "p" => Some("0.000"),
        "t" | "df" | "hedges_g" => Some("0.00"),
        "percentile" => Some("0"),
        // Scores (0–100) and points; outcomes of respondent_scores alike.
        _ => Some("0.0"),
    }
}

/// What a column of a sheet means, for the "Read me" sheet.
fn meaning(sheet: &str, column: &str, instrument: &Instrument) -> String {
    let known = match column {
        "org" => "organization id, as in the response files",
        "org_name" => {
            "the organization's name (from the organizations file; the id when it has none)"
        }
        "name" => "the organization's name",
        "wave" => "survey wave",
        "n" if sheet == "org_summary" => "respondents of the organization in the wave",
        "n" => "respondents behind the figure",
        "index" => "partnership index, 0–100 (weighted mean of the dimension scores)",
        "level" => "maturity level id",
        "level_label" => "maturity level",
        "percentile" => "percentile rank against the population (empty below 5 organizations)",
        "population" => "the organizations compared with, and their number N",
        "next_level" => "the next maturity level's id",
        "next_level_label" => "the next maturity level",
        "points_to_next" => "index points to the next level",
        "blocking_dimensions" => {
            "dimensions below the next level's minimum for every dimension (ids)"
        }
        "blocking_dimensions_label" => "the same dimensions, by title",
        "group" if sheet == "response_rates" => {
            "respondent group: all, role:<role id>, or <breakdown id>:<unit id>"
        }
        "group" => "respondent group: all, or role:<role id>",
        "breakdown" => "breakdown id (a respondent attribute, SPEC §17)",
        "unit" => "the unit: an option id of the breakdown",
        "invited" => "people invited, from the roster",
        "responses" => "accepted responses of the group",
        "rate" => "response rate: responses ÷ invited",
        "below_target" => "whether the organization's rate is below --target-rate (yes/no)",
        "group_label" => "respondent group",
        "measure" => "a dimension id, or index",
        "measure_label" => "the dimension, or the partnership index",
        "mean" => "mean score, 0–100",
        "sd" => "sample standard deviation (n − 1)",
        "ci_low" | "ci_high" => "95% confidence interval of the mean (t distribution)",
        "p25" | "median" | "p75" => "population quartile (type 7), empty below 5 organizations",
        "first_role" | "second_role" => "role id of the pair",
        "first_role_label" | "second_role_label" => "role of the pair",
        "first_mean" | "second_mean" => "the role's mean score, 0–100",
        "gap" => "first role's mean minus the second's, in points",
        "flag" => "TRUE when the gap reaches the instrument's gap_alert",
        "from_wave" | "to_wave" => "the two consecutive shown waves compared",
        "from_mean" | "to_mean" => "mean score in each wave",
        "difference" => "later minus earlier, in points",
        "t" => "Welch's t statistic",
        "df" => "Welch–Satterthwaite degrees of freedom",
        "p" => "two-sided p of Welch's t-test",
        "hedges_g" => "Hedges' g effect size (pooled sd, small-sample correction)",
        "meaningful" => {
            "TRUE when the Holm-adjusted p (over the organization's measures between the same two waves) is below meaningful_change.p and the difference reaches its points"
        }
        "respondent_id" => "respondent id, as in the response files",
        "role" => "role id",
        "role_label" => "role",
        "file" => "the response file",
        "line" => "physical line in the file",
        "column" => "the column at fault (empty: the row as a whole)",
        "reason" => "why the row was rejected",
        "comment" => "open question id",
        "text" => "the comment as written (trimmed, cut at the question's max_chars)",
        "themes" => "ids of the themes whose words the comment contains, ;-separated",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    if let Some(d) = instrument.dimensions.iter().find(|d| d.id == column) {
        return format!("dimension score, 0–100: {}", d.title);
    }
    if let Some(o) = instrument.outcome_items().iter().find(|o| o.id == column) {
        return format!("outcome as answered: {}", o.text);
    }
    String::new()
}

/// What a sheet holds, for the "Read me" sheet.
fn sheet_meaning(sheet: &str) -> &'static str {
    match sheet {
        "org_summary" => "one row per organization and wave: index, level, percentile, next level",
        "org_scores" => "one row per organization, wave, group and measure: n, mean, spread, population quartiles",
        "breakdown_scores" => "one row per organization, wave, unit of a breakdown and measure: n, mean, spread (shown units only)",
        "response_rates" => "one row per organization and wave, then per shown role and unit the roster names: invited, responses, rate",
        "perception_gaps" => "one row per organization, wave, role pair and measure: the two roles' means and the gap",
        "changes" => "one row per organization, measure and pair of consecutive waves: difference and Welch's test",
        "comments" => "one row per shown comment: organization, wave, open question, text and themes (no respondent id, role or score)",
        "respondent_scores" => "one row per accepted respondent: dimension scores, index, level and outcomes",
        "rejects" => "one row per rejected response row, with the reason",
        _ => "",
    }
}

/// Writes `dir/results.xlsx` from the CSV files in `dir`; `names` gives an organization id's
/// name.
pub fn write(instrument: &Instrument, names: &dyn Fn(&str) -> String, dir: &Path) -> Result<()> {
    let bytes = workbook(instrument, names, dir, MAX_ROWS)?;
    crate::output::write_atomic(&dir.join(FILE_NAME), &bytes)
}

/// The workbook's bytes, with at most `max_rows` data rows per sheet.
pub fn workbook(
    instrument: &Instrument,
    names: &dyn Fn(&str) -> String,
    dir: &Path,
    max_rows: usize,
) -> Result<Vec<u8>> {
    let target = dir.join(FILE_NAME);
    let fail = |e: rust_xlsxwriter::XlsxError| {
        Error::Other(format!(
            "{}: cannot write the workbook: {e}",
            target.display()
        ))
    };
    let labels = Labels { instrument, names };
    let mut book = Workbook::new();
    book.set_properties(&DocProperties::new().set_creation_datetime(&creation_time()?));
    // The "Read me" rows: each sheet, then each of its columns, with its meaning.
    let mut read_me: Vec<[String; 3]> = Vec::new();
    let mut layouts = Vec::new();
    for sheet in sheets(dir) {
        let path = dir.join(format!("{sheet}.csv"));
        let (header, widths) = measure(&path)?;
        let layout = Layout::new(sheet, &header, &widths, instrument);
        read_me.push([sheet.into(), String::new(), sheet_meaning(sheet).into()]);
        for name in &layout.header {
            read_me.push([sheet.into(), name.clone(), meaning(sheet, name, instrument)]);
        }
        layouts.push((sheet, path, layout));
    }
    write_read_me(&mut book, &read_me).map_err(fail)?;
    for (sheet, path, layout) in layouts {
        let kinds = kinds(sheet, &layout.csv_header, instrument);
        let formats: Vec<Option<Format>> = layout
            .csv_header
            .iter()
            .zip(&kinds)
            .map(|(h, &k)| number_format(h, k).map(|f| Format::new().set_num_format(f)))
            .collect();
        let mut reader = open(&path)?;
        let mut part = 1;
        let mut ws = new_sheet(&mut book, sheet.to_string(), &layout).map_err(fail)?;
        let mut row_in_part = 0;
        let mut record = csv::StringRecord::new();
        while reader
            .read_record(&mut record)
            .map_err(|e| csv_error(&path, e))?
        {
            if row_in_part == max_rows {
                filter(ws, row_in_part, &layout).map_err(fail)?;
                part += 1;
                let name = format!("{sheet} ({part})");
                ws = new_sheet(&mut book, name, &layout).map_err(fail)?;
                row_in_part = 0;
            }
            row_in_part += 1;
            let row = row_in_part as u32;
            for (c, cell) in record.iter().enumerate() {
                if cell.is_empty() {
                    continue;
                }
                let col = layout.at[c];
                let number = cell.parse::<f64>();
                match (kinds.get(c).copied().unwrap_or(Kind::Text), cell, number) {
                    (Kind::Number, _, Ok(x)) => match &formats[c] {
                        Some(format) => ws.write_number_with_format(row, col, x, format),
                        None => ws.write_number(row, col, x),
                    },
                    (Kind::Boolean, "true", _) => ws.write_boolean(row, col, true),
                    (Kind::Boolean, "false", _) => ws.write_boolean(row, col, false),
                    _ => ws.write_string(row, col, unguard(cell)),
                }
                .map_err(fail)?;
                if let Some(label) = layout.labels[c] {
                    ws.write_string(row, col + 1, labels.text(label, unguard(cell)))
                        .map_err(fail)?;
                }
            }
        }
        filter(ws, row_in_part, &layout).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

/// A sheet's columns: the CSV file's, each code column followed by its label column.
struct Layout {
    csv_header: Vec<String>,
    /// The sheet's header, label columns included.
    header: Vec<String>,
    widths: Vec<usize>,
    /// The sheet column of each CSV column.
    at: Vec<u16>,
    /// The label column that follows each CSV column, if any.
    labels: Vec<Option<Label>>,
}

impl Layout {
    fn new(sheet: &str, csv_header: &[String], widths: &[usize], instrument: &Instrument) -> Self {
        let mut layout = Layout {
            csv_header: csv_header.to_vec(),
            header: Vec::new(),
            widths: Vec::new(),
            at: Vec::new(),
            labels: Vec::new(),
        };
        // Label columns are sized for their longest possible text.
        let longest = instrument
            .dimensions
            .iter()
            .map(|d| d.title.chars().count())
            .chain(instrument.roles.iter().map(|r| r.label.chars().count() + 6))
            .chain(instrument.levels.iter().map(|l| l.label.chars().count()))
            .max()
            .unwrap_or(10)
            .max(24);
        for (c, name) in csv_header.iter().enumerate() {
            layout.at.push(layout.header.len() as u16);
            layout.header.push(name.clone());
            layout.widths.push(widths.get(c).copied().unwrap_or(8));
            let label = label_of(sheet, name);
            layout.labels.push(label.as_ref().map(|l| l.0));
            if let Some((_, header)) = label {
                layout.header.push(header);
                layout.widths.push(longest);
            }
        }
        layout
    }
}

/// Adds a sheet with the header (bold, frozen) and its columns sized.
fn new_sheet<'a>(
    book: &'a mut Workbook,
    name: String,
    layout: &Layout,
) -> Result<&'a mut Worksheet, rust_xlsxwriter::XlsxError> {
    let bold = Format::new().set_bold();
    let ws = book.add_worksheet_with_constant_memory()?;
    ws.set_name(name)?;
    for (c, (name, width)) in layout.header.iter().zip(&layout.widths).enumerate() {
        let c = c as u16;
        ws.set_column_width(c, (*width).min(MAX_WIDTH) as f64 + 2.0)?;
        ws.write_string_with_format(0, c, name, &bold)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(ws)
}

/// The autofilter over a sheet's header and its `rows` data rows.
fn filter(
    ws: &mut Worksheet,
    rows: usize,
    layout: &Layout,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let last = layout.header.len().max(1) as u16 - 1;
    ws.autofilter(0, 0, rows as u32, last)?;
    Ok(())
}

/// The first sheet: every sheet and column of the workbook with its meaning.
fn write_read_me(
    book: &mut Workbook,
    rows: &[[String; 3]],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let bold = Format::new().set_bold();
    let ws = book.add_worksheet();
    ws.set_name(READ_ME)?;
    for (c, (name, width)) in [("sheet", 20.0), ("column", 28.0), ("meaning", 90.0)]
        .into_iter()
        .enumerate()
    {
        ws.set_column_width(c as u16, width)?;
        ws.write_string_with_format(0, c as u16, name, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, text)?;
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.len() as u32, 2)?;
    Ok(())
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
        // A run of the bundled instrument writes `comments.csv` (it has an open question).
        for sheet in SHEETS.iter().copied().chain(["comments"]) {
            let body = if sheet == "rejects" {
                "file,line,column,respondent_id,reason\na.csv,2,x,r1,bad\na.csv,3,x,r2,bad\na.csv,4,x,'=r3,bad\n"
            } else {
                "org\n"
            };
            std::fs::write(dir.path().join(format!("{sheet}.csv")), body).unwrap();
        }
        let bytes = workbook(&instrument, &|id: &str| id.to_string(), dir.path(), 2).unwrap();
        use calamine::{Reader, Xlsx};
        let mut xlsx = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = xlsx.sheet_names();
        assert_eq!(
            names,
            [
                READ_ME,
                "org_summary",
                "org_scores",
                "perception_gaps",
                "changes",
                "comments",
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
