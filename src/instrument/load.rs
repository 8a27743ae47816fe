//! Reading an instrument file: the only place that knows the YAML library.
//!
//! serde-saphyr refuses duplicate keys, caps aliases and nesting, and reports the line and
//! column of type errors and unknown keys; we keep that location and reword nothing but the
//! prefix, so every message reads `file:line:column: message`.

use sha2::{Digest, Sha256};

use super::model::InstrumentFile;
use super::{validate, Instrument};
use crate::error::{Diagnostic, Error, Location, Result};

/// The bundled HR–Sales partnership instrument, compiled into the binary.
pub const BUNDLED_INSTRUMENT: &str = include_str!("../../surveys/hr-sales-partnership.yaml");
/// The name messages use for the bundled instrument.
pub const BUNDLED_NAME: &str = "surveys/hr-sales-partnership.yaml";

pub fn load_bundled() -> Result<Instrument> {
    parse(BUNDLED_INSTRUMENT, BUNDLED_NAME)
}

/// The largest instrument file read: the bundled one is about 10 KiB.
pub const MAX_INSTRUMENT_BYTES: u64 = 16 << 20;

pub fn load_file(path: &std::path::Path) -> Result<Instrument> {
    let bytes = read_at_most(path, MAX_INSTRUMENT_BYTES, INSTRUMENT)?;
    let name = path.display().to_string();
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let (line, column) = line_column(&e.as_bytes()[..offset]);
        Error::invalid(Diagnostic::new(
            Location::new(&name, line, column),
            "the file is not UTF-8 text; save it as UTF-8",
        ))
    })?;
    parse(&text, &name)
}

/// Parses and validates instrument text; `name` is used in messages.
pub fn parse(text: &str, name: &str) -> Result<Instrument> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = serde_saphyr::options! {
        strict_booleans: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
    };
    let file: InstrumentFile =
        serde_saphyr::from_str_with_options(text, options).map_err(|e| yaml_error(&e, name))?;
    let sha256 = hex(&Sha256::digest(text.as_bytes()));
    validate::validate(file, name, sha256)
}

/// What [`read_at_most`] reads: how messages name it, and the action its I/O errors name.
pub(crate) struct Input {
    pub what: &'static str,
    pub action: &'static str,
}

pub(crate) const INSTRUMENT: Input = Input {
    what: "the instrument",
    action: "cannot read the instrument",
};

/// Reads a whole file of at most `limit` bytes; a larger one (or an endless one such as
/// `/dev/zero`) is refused after reading `limit + 1` bytes, so memory stays bounded.
pub(crate) fn read_at_most(path: &std::path::Path, limit: u64, input: Input) -> Result<Vec<u8>> {
    use std::io::Read;
    let Input { what, action } = input;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, action, e))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, action, e))?;
    if bytes.len() as u64 > limit {
        return Err(Error::invalid(Diagnostic::new(
            Location::new(path.display().to_string(), 0, 0),
            format!(
                "{what} is larger than {} MiB, far more than such a file holds; check that the path names the right file",
                limit >> 20
            ),
        )));
    }
    Ok(bytes)
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
    Error::invalid(Diagnostic::new(
        Location::new(name, line, column),
        tidy_message(&plain, line, column),
    ))
}

/// serde-saphyr appends the location to plain messages; ours is already in front.
fn tidy_message(message: &str, line: u64, column: u64) -> String {
    let mut text = message.trim().to_string();
    for suffix in [
        format!(" at line {line}, column {column}"),
        format!(" at line {line} column {column}"),
    ] {
        if let Some(stripped) = text.strip_suffix(&suffix) {
            text = stripped.to_string();
        }
    }
    // Reword the messages that name Rust types or serde internals.
    if let Some(rest) = text.strip_prefix("missing field ") {
        return format!(
            "missing key {rest}; add it (the instrument format is described in the README)"
        );
    }
    match text.as_str() {
        "invalid i64" | "invalid u64" | "invalid i32" | "invalid u32" => {
            "expected a whole number here".to_string()
        }
        "invalid f64" | "invalid f32" => "expected a number here".to_string(),
        "invalid bool" => "expected true or false here".to_string(),
        t if t.contains("untagged enum OptionDef") => {
            "an option is either a plain id (multi items) or `{ id, label, score }` (choice items); check this option's keys".to_string()
        }
        _ => text,
    }
}

fn line_column(prefix: &[u8]) -> (u64, u64) {
    let line = 1 + prefix.iter().filter(|&&b| b == b'\n').count() as u64;
    let start = prefix
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = 1 + String::from_utf8_lossy(&prefix[start..]).chars().count() as u64;
    (line, column)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
