//! Response import (SPEC §3, §11): response files → scored respondents, plus every rejected
//! row with its reason and place.
//!
//! How a file is read — its format, profile, encoding — is said by [`crate::sources`]; this
//! module reads it: [`pieces`] cuts CSV text into pieces of whole records (in parallel, bounded
//! memory), [`header`] maps the header rows to fields, items and options, [`rows`] parses and
//! scores each record ([`cell`] for one cell), [`loader`] merges the rows of every file in
//! input order into the [`Dataset`], and [`repeats`] refuses repeated respondent ids. Cells are
//! parsed once and scored on the spot; only the respondent's dimension scores, index, level
//! and outcomes are kept (item scores too when `stats` asks, canonical rows for `import`).

pub mod canonical;
pub mod cell;
pub mod dataset;
mod header;
mod loader;
mod lookalike;
pub mod orgs;
mod pieces;
mod repeats;
pub mod roster;
mod rows;
pub mod text;
pub mod unasked;

use std::io::Read;
use std::path::Path;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::instrument::Instrument;
use crate::sources::{decode, workbook, Reading};

pub use dataset::{
    answered_words, Dataset, ItemMatrix, Lines, Reject, Respondents, ANSWERED, EMPTY, NA, NOT_ASKED,
};
pub use header::MAX_LISTED;
pub use lookalike::shown as lookalike_shown;
pub use orgs::Organizations;
pub use roster::{Roster, RosterRow};

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

impl Source<'static> {
    /// Opens a file as UTF-8 text: decoded from UTF-16 by its byte order mark or from the
    /// reading's encoding, or the file itself (the fast path) when it is UTF-8 already. The
    /// first bytes are looked at and the file rewound, so a UTF-8 file is read as it is.
    pub fn open_decoded(path: &Path, reading: &Reading) -> Result<Source<'static>> {
        use std::io::{Seek, SeekFrom};
        let failed = |e| Error::io(path, "cannot read the response file", e);
        let mut file = std::fs::File::open(path).map_err(failed)?;
        let size = file.metadata().ok().map(|m| m.len());
        let mut head = [0u8; 3];
        let mut filled = 0;
        while filled < head.len() {
            match file.read(&mut head[filled..]).map_err(failed)? {
                0 => break,
                n => filled += n,
            }
        }
        file.seek(SeekFrom::Start(0)).map_err(failed)?;
        let reader = match decode::decoding_for(&head[..filled], reading.encoding) {
            Some(encoding) => decode::decoding(Box::new(file), encoding),
            // Unbuffered: the import reads large pieces at once.
            None => Box::new(file),
        };
        Ok(Source {
            name: path.display().to_string(),
            reader,
            size,
        })
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    pub ignore_unknown_columns: bool,
    /// Keep every item score (for `stats`); otherwise only respondent-level results.
    pub keep_items: bool,
    /// Keep each accepted row as a line of the canonical CSV (for `import`).
    pub canonical: bool,
}

/// Reads response files (CSV, or workbooks by their extension) as `reading` says.
pub fn load_files(
    instrument: &Instrument,
    paths: &[impl AsRef<Path>],
    options: LoadOptions,
    reading: &Reading,
) -> Result<Dataset> {
    let mut loader = loader::Loader::new(instrument, options, reading);
    for path in paths {
        let path = path.as_ref();
        if workbook::is_legacy_excel(path) || is_ole_file(path) {
            return Err(Error::invalid(Diagnostic::new(
                Location::new(path.display().to_string(), 0, 0),
                "this is an Excel 97–2003 workbook (.xls), which partnerscope does not read; open it in Excel or LibreOffice and save it as .xlsx or CSV",
            )));
        }
        if workbook::is_workbook(path) {
            let sheet = workbook::read(path, reading.sheet.as_deref())?;
            loader.load_sheet(&path.display().to_string(), &sheet)?;
        } else {
            loader.load_source(Source::open_decoded(path, reading)?)?;
        }
    }
    loader.refuse_repeated_ids();
    lookalike::warn(&mut loader.data);
    let unasked = unasked::warnings(instrument, &loader.data.unasked);
    loader.data.warnings.extend(unasked);
    Ok(loader.data)
}

/// Whether a file starts with the signature of an OLE compound file (`.xls` and other
/// Office 97–2003 documents), whatever its name.
fn is_ole_file(path: &Path) -> bool {
    let mut head = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

/// Reads CSV sources as `reading` says.
pub fn load(
    instrument: &Instrument,
    sources: Vec<Source>,
    options: LoadOptions,
    reading: &Reading,
) -> Result<Dataset> {
    let mut loader = loader::Loader::new(instrument, options, reading);
    for source in sources {
        loader.load_source(decoded(source, reading)?)?;
    }
    loader.refuse_repeated_ids();
    lookalike::warn(&mut loader.data);
    let unasked = unasked::warnings(instrument, &loader.data.unasked);
    loader.data.warnings.extend(unasked);
    Ok(loader.data)
}

/// The source as UTF-8: decoded from UTF-16 by its byte order mark or from the reading's
/// encoding, untouched otherwise.
fn decoded<'a>(source: Source<'a>, reading: &Reading) -> Result<Source<'a>> {
    let name = source.name;
    let reader = decode::utf8_reader(source.reader, reading.encoding)
        .map_err(|e| Error::io(&name, "cannot read the response file", e))?;
    Ok(Source {
        name,
        reader,
        size: source.size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::Format;

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
        let reading = Reading::for_format(Format::Csv);
        let data = load(
            &instrument,
            vec![source("a.csv", a), source("b.csv", b)],
            options,
            &reading,
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
        let again = "respondent_id `r1` was already used in wave w1 by the row on line 2 of a.csv";
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

    #[test]
    fn comment_columns_are_kept_trimmed_and_cut_and_never_scored() {
        let yaml = format!(
            "{}comments:\n  - {{ id: why, text: \"Why not?\", max_chars: 5 }}\n",
            include_str!("../../tests/fixtures/mini.yaml")
        );
        let instrument = crate::instrument::load::parse(&yaml, "s.yaml").expect("valid");
        let with = "respondent_id,org,role,wave,col_1,Why not?\n\
                    r1,acme,hr,w1,3,  hello  \n\
                    r2,acme,hr,w1,2,\n\
                    r3,acme,hr,w1,4,\"far, too long\"\n";
        let without = "respondent_id,org,role,wave,col_1\nr1,acme,hr,w1,3\nr2,acme,hr,w1,2\nr3,acme,hr,w1,4\n";
        let reading = Reading::for_format(Format::Csv);
        let load = |name: &str, text: &'static str| {
            load(
                &instrument,
                vec![source(name, text)],
                LoadOptions::default(),
                &reading,
            )
            .expect("loads")
        };
        let data = load("a.csv", with);
        let r = &data.respondents;
        assert_eq!(
            (0..3).map(|row| r.comment(row, 0)).collect::<Vec<_>>(),
            ["hello", "", "far,"]
        );
        assert!(
            data.warnings.iter().any(|w| w
                == "a.csv: 1 answer(s) to comment `why` are longer than 5 characters (its max_chars) and were cut there"),
            "{:?}",
            data.warnings
        );
        // The scores are those of the same rows without the column.
        let plain = load("b.csv", without);
        assert_eq!(
            format!("{:?}", r.index),
            format!("{:?}", plain.respondents.index)
        );
        assert_eq!(
            format!("{:?}", r.dimensions),
            format!("{:?}", plain.respondents.dimensions)
        );
    }
}
