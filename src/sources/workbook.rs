//! Workbooks (`.xlsx`, `.ods`; SPEC §11): one sheet read as rows of text, each cell as a person
//! sees it: a whole number without `.0`, a date as ISO 8601, a boolean as `true`/`false`.
//! Rows keep their 1-based sheet row, which rejects name. The only code that knows `calamine`.

use std::path::Path;

use calamine::{Data, Reader};

use crate::error::{Diagnostic, Error, Location, Result};

/// The extensions read as workbooks.
pub const EXTENSIONS: [&str; 2] = ["xlsx", "ods"];

/// Whether a path names a workbook, by its extension (ignoring case).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|w| e.eq_ignore_ascii_case(w)))
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

    fn push_row(&mut self, cells: impl Iterator<Item = String>, line: u64) {
        let start = self.text.len();
        self.rows.push((start, self.ends.len(), line));
        for cell in cells {
            self.text.extend_from_slice(cell.as_bytes());
            self.ends.push(self.text.len() - start);
        }
    }
}

/// Reads `sheet` (default: the first) of the workbook at `path`.
pub fn read(path: &Path, sheet: Option<&str>) -> Result<Sheet> {
    let name = path.display().to_string();
    let refuse =
        |message: String| Error::invalid(Diagnostic::new(Location::new(&name, 0, 0), message));
    let mut workbook = calamine::open_workbook_auto(path).map_err(|e| match e {
        calamine::Error::Io(e) => Error::io(path, "cannot read the response file", e),
        other => refuse(format!(
            "cannot read the workbook ({}); save it again as .xlsx or .ods, or export the sheet as CSV",
            crate::responses::text::quoted(&other.to_string())
        )),
    })?;
    let names = workbook.sheet_names();
    let chosen = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| {
                refuse(format!(
                    "the workbook has no sheet `{}` (sheets: {}); check `sheet:` in the profile",
                    crate::responses::text::quoted(wanted),
                    names.join(", ")
                ))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| refuse("the workbook has no sheet".to_string()))?,
    };
    let range = workbook.worksheet_range(&chosen).map_err(|e| {
        refuse(format!(
            "cannot read sheet `{chosen}` ({}); save the workbook again or export the sheet as CSV",
            crate::responses::text::quoted(&e.to_string())
        ))
    })?;
    let first_row = range.start().map_or(0, |(row, _)| u64::from(row));
    let mut out = Sheet::default();
    for (i, row) in range.rows().enumerate() {
        out.push_row(row.iter().map(cell_text), first_row + i as u64 + 1);
    }
    Ok(out)
}

/// A cell as a person sees it in the sheet.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(x) => number(*x),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (year, month, day, hour, minute, second, milli) = d.to_ymd_hms_milli();
            let date = format!("{year:04}-{month:02}-{day:02}");
            match (hour, minute, second, milli) {
                (0, 0, 0, 0) => date,
                (_, _, _, 0) => format!("{date}T{hour:02}:{minute:02}:{second:02}"),
                _ => format!("{date}T{hour:02}:{minute:02}:{second:02}.{milli:03}"),
            }
        }
        Data::DateTime(d) => number(d.as_f64()),
        Data::Error(e) => format!("#{e:?}"),
    }
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
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn cells_read_as_shown() {
        assert_eq!(cell_text(&Data::Float(4.0)), "4");
        assert_eq!(cell_text(&Data::Float(2.5)), "2.5");
        assert_eq!(cell_text(&Data::Float(-0.0)), "0");
        assert_eq!(cell_text(&Data::Int(12)), "12");
        assert_eq!(cell_text(&Data::Bool(true)), "true");
        assert_eq!(cell_text(&Data::Empty), "");
        let noon = ExcelDateTime::new(45943.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(noon)), "2025-10-13T12:00:00");
        let day = ExcelDateTime::new(45943.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(day)), "2025-10-13");
    }

    #[test]
    fn rows_keep_their_cells_and_lines() {
        let mut sheet = Sheet::default();
        sheet.push_row(["a", "bc", ""].map(String::from).into_iter(), 1);
        sheet.push_row(["", "d"].map(String::from).into_iter(), 3);
        assert_eq!(sheet.row(0), (&b"abcd"[..], &[1, 3, 3][..], 1));
        assert_eq!(sheet.row(1), (&b"d"[..], &[0, 1][..], 3));
    }
}
