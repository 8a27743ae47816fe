//! The one CSV configuration of result files: `\n` line ends, the `csv` crate's quoting, and
//! the formula guard of SPEC §9. Small tables go through the `csv` crate ([`writer`]); large
//! ones are formatted by hand in parallel ([`write_large_csv`]) with the same bytes, which a test
//! checks against the `csv` crate.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

use super::file::AtomicFile;
use super::number::{push_num, NumberCache};
use crate::error::{Error, Result};

/// A text cell that a spreadsheet would run as a formula (OWASP's CSV injection list) gets a
/// leading `'`. Number columns never pass through here.
pub fn guard(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A result table written through the `csv` crate. Text cells go through [`Record`], which
/// applies the guard.
pub struct Table {
    path: std::path::PathBuf,
    writer: csv::Writer<AtomicFile>,
}

impl Table {
    pub fn create(path: &Path, header: &[&str]) -> Result<Table> {
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(AtomicFile::create(path)?);
        let mut table = Table {
            path: path.to_path_buf(),
            writer,
        };
        table.row(header.iter().map(|h| Cell::Text(h)))?;
        Ok(table)
    }

    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = Cell<'a>>) -> Result<()> {
        let mut text = String::new();
        let mut record = csv::ByteRecord::new();
        for cell in cells {
            text.clear();
            match cell {
                Cell::Text(t) => text.push_str(&guard(t)),
                Cell::Number(x) => push_num(&mut text, x),
                Cell::Optional(Some(x)) => push_num(&mut text, x),
                Cell::Optional(None) => {}
                Cell::Count(n) => text.push_str(&n.to_string()),
                Cell::Flag(b) => text.push_str(if b { "true" } else { "false" }),
            }
            record.push_field(text.as_bytes());
        }
        self.writer
            .write_byte_record(&record)
            .map_err(|e| Error::Other(format!("{}: cannot write: {e}", self.path.display())))
    }

    pub fn finish(self) -> Result<()> {
        let path = self.path;
        self.writer
            .into_inner()
            .map_err(|e| Error::io(&path, "cannot write", e.into_error()))?
            .commit()
    }
}

/// One cell of a result table, typed so that only text is guarded.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Optional(Option<f64>),
    Count(usize),
    Flag(bool),
}

/// Writes a large CSV file formatted by hand: `items` (rows, or groups of rows) are formatted
/// in parallel blocks of `per_block` by `format`, and the blocks written in order. Fields are
/// quoted as the `csv` crate, which writes the small files, quotes them.
pub fn write_large_csv(
    path: &Path,
    header: &[&str],
    items: usize,
    per_block: usize,
    format: impl Fn(&mut Line, usize) + Sync,
) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    let io = |e: std::io::Error| Error::io(path, "cannot write", e);
    let mut cache = NumberCache::new();
    let mut line = Line::new(&mut cache);
    for name in header {
        line.text(name);
    }
    line.end();
    file.write_all(line.out.as_bytes()).map_err(io)?;
    let blocks = items.div_ceil(per_block);
    write_in_order(&mut file, path, blocks, |cache, block| {
        let mut line = Line::new(cache);
        for item in block * per_block..((block + 1) * per_block).min(items) {
            format(&mut line, item);
        }
        Ok(line.out.into_bytes())
    })?;
    file.commit()
}

/// Makes blocks `0..count` in parallel, a few at a time, and writes them in order; each batch
/// is written while the next one is made, so formatting never waits for the disk.
pub fn write_in_order(
    file: &mut AtomicFile,
    path: &Path,
    count: usize,
    make: impl Fn(&mut NumberCache, usize) -> Result<Vec<u8>> + Sync,
) -> Result<()> {
    use rayon::prelude::*;
    // Four blocks at a time: every core busy, memory bounded (two batches are in memory).
    const BATCH: usize = 4;
    let make_batch = |start: usize| -> Result<Vec<Vec<u8>>> {
        (start..(start + BATCH).min(count))
            .into_par_iter()
            .map_init(NumberCache::new, |cache, block| make(cache, block))
            .collect()
    };
    let write = |file: &mut AtomicFile, blocks: Vec<Vec<u8>>| -> Result<()> {
        for block in blocks {
            file.write_all(&block)
                .map_err(|e| Error::io(path, "cannot write", e))?;
        }
        Ok(())
    };
    let mut made = Vec::new();
    for start in (0..count).step_by(BATCH) {
        let (written, next) = rayon::join(|| write(file, made), || make_batch(start));
        written?;
        made = next?;
    }
    write(file, made)
}

/// CSV lines being built by hand, field by field.
pub struct Line<'a> {
    out: String,
    cache: &'a mut NumberCache,
    /// Whether the next field starts a line (no separator before it).
    first: bool,
}

impl<'a> Line<'a> {
    fn new(cache: &'a mut NumberCache) -> Self {
        Line {
            out: String::new(),
            cache,
            first: true,
        }
    }

    fn separate(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.out.push(',');
        }
    }

    pub fn text(&mut self, text: &str) {
        self.separate();
        csv_text(&mut self.out, &guard(text));
    }

    pub fn count(&mut self, n: usize) {
        use std::fmt::Write as _;
        self.separate();
        let _ = write!(self.out, "{n}");
    }

    /// A number as [`num`] writes it.
    pub fn num(&mut self, x: f64) {
        self.separate();
        if x.is_nan() {
            push_num(&mut self.out, x);
        } else {
            self.cache.push(&mut self.out, x);
        }
    }

    /// `true` or `false`: not text a spreadsheet could run.
    pub fn flag(&mut self, value: bool) {
        self.separate();
        self.out.push_str(if value { "true" } else { "false" });
    }

    /// A number, or an empty field.
    pub fn opt(&mut self, x: Option<f64>) {
        match x {
            Some(x) => self.num(x),
            None => self.separate(),
        }
    }

    pub fn end(&mut self) {
        self.out.push('\n');
        self.first = true;
    }
}

/// A CSV field: quoted (with doubled quotes) when it holds a comma, quote or line break.
fn csv_text(out: &mut String, text: &str) {
    if text
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_quotes_formula_starts_only() {
        for (text, guarded) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("acme", "acme"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(guard(text), guarded);
        }
    }

    /// The hand-formatted lines of large files are byte for byte what the `csv` crate writes,
    /// guard included, for every kind of field.
    #[test]
    fn hand_lines_equal_the_csv_crate() {
        let texts = [
            "plain",
            "",
            "with,comma",
            "with \"quote\"",
            "line\nbreak",
            "cr\rhere",
            " spaced ",
            "=1+1",
            "-3",
            "@x",
            "\ttab",
            "ünïcode",
            "\"",
            ",",
        ];
        let numbers = [0.0, -0.0, 50.0, 62.5, 100.0 / 3.0, -1.5, 1e-7, 1e21];
        let mut cache = NumberCache::new();
        let mut line = Line::new(&mut cache);
        let mut expected = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        for (i, text) in texts.iter().enumerate() {
            let x = numbers[i % numbers.len()];
            line.text(text);
            line.num(x);
            line.opt(None);
            line.count(i);
            line.flag(i % 2 == 0);
            line.end();
            let mut number = String::new();
            push_num(&mut number, x);
            let flag = if i % 2 == 0 { "true" } else { "false" };
            expected
                .write_record([guard(text).as_ref(), &number, "", &i.to_string(), flag])
                .expect("in memory");
        }
        let expected = String::from_utf8(expected.into_inner().expect("flushed")).expect("utf-8");
        assert_eq!(line.out, expected);
    }

    #[test]
    fn tables_guard_text_and_leave_numbers() {
        let dir = tempfile::tempdir().expect("folder");
        let path = dir.path().join("t.csv");
        let mut table = Table::create(&path, &["org", "mean"]).expect("created");
        table
            .row([Cell::Text("=cmd"), Cell::Number(-2.5)])
            .expect("row");
        table.finish().expect("written");
        assert_eq!(
            std::fs::read_to_string(&path).expect("file"),
            "org,mean\n'=cmd,-2.5\n"
        );
    }
}
