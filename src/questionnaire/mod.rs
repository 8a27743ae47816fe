//! The questionnaire as something to answer (SPEC §12): an offline answer form, a spreadsheet
//! template and a printable questionnaire, made from the instrument alone.
//!
//! The form saves one row in the response format of SPEC §3, so what people send back is read
//! by `report` like any response file. This module builds the view models ([`view`]), renders
//! them with the templates compiled in from `templates/`, and places the three files without
//! ever replacing one unless asked ([`place`]). Scoring, and everything done with the answers
//! afterwards, is left to the other stages.

pub mod view;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::instrument::condition::Given;
use crate::instrument::Instrument;

/// The templates of this module, compiled in.
const TEMPLATES: [(&str, &str); 3] = [
    ("style.css", include_str!("../../templates/style.css")),
    ("form.html", include_str!("../../templates/form.html")),
    (
        "questionnaire.html",
        include_str!("../../templates/questionnaire.html"),
    ),
];

/// The form's one script. It is placed verbatim in the page, and the page's
/// Content-Security-Policy allows exactly this text by its hash.
pub const FORM_SCRIPT: &str = include_str!("../../templates/form.js");

/// The files `questionnaire` writes, in the order it writes them.
pub const FILES: [&str; 3] = ["form.html", "template.csv", "questionnaire.html"];

/// What the form fixes for everyone who answers it.
#[derive(Debug, Clone)]
pub struct Options {
    /// An organization written into every saved row instead of asked.
    pub org: Option<String>,
    /// A role id written into every saved row instead of asked.
    pub role: Option<String>,
    /// The wave of every saved row.
    pub wave: String,
    /// Replace files that already exist.
    pub force: bool,
}

/// Checks `--org`, `--role` and `--wave` against the instrument. A role may be given by its id
/// or its label (ignoring case); the id is what the form writes.
pub fn options(
    instrument: &Instrument,
    org: Option<&str>,
    role: Option<&str>,
    wave: &str,
    force: bool,
) -> Result<Options> {
    let cell = |flag: &str, value: &str| -> Result<String> {
        let value = value.trim();
        if value.is_empty() {
            return Err(Error::Usage(format!(
                "--{flag} is empty; give a value or leave the flag out"
            )));
        }
        if value.chars().any(char::is_control) {
            return Err(Error::Usage(format!(
                "--{flag} contains a line break or another control character; give one line of text"
            )));
        }
        Ok(value.to_string())
    };
    let role = match role {
        None => None,
        Some(given) => {
            let given = cell("role", given)?;
            let found = instrument.roles.iter().find(|r| {
                r.id.eq_ignore_ascii_case(&given) || r.label.to_lowercase() == given.to_lowercase()
            });
            match found {
                Some(r) => Some(r.id.clone()),
                None => {
                    return Err(Error::Usage(format!(
                        "--role {given}: the instrument has no such role (roles: {})",
                        instrument
                            .roles
                            .iter()
                            .map(|r| r.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
            }
        }
    };
    Ok(Options {
        org: org.map(|o| cell("org", o)).transpose()?,
        role,
        wave: cell("wave", wave)?,
        force,
    })
}

/// Writes `form.html`, `template.csv` and `questionnaire.html` into `out`; returns their
/// paths. Nothing is written when any of them exists and `force` is not set.
pub fn write(instrument: &Instrument, options: &Options, out: &Path) -> Result<Vec<PathBuf>> {
    let paths: Vec<PathBuf> = FILES.iter().map(|name| out.join(name)).collect();
    if !options.force {
        let existing: Vec<String> = paths
            .iter()
            .filter(|p| p.symlink_metadata().is_ok())
            .map(|p| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(Error::Usage(format!(
                "{} already exist{}; partnerscope does not replace them: choose another --out or add --force",
                existing.join(", "),
                if existing.len() == 1 { "s" } else { "" }
            )));
        }
    }
    let mut tera = tera::Tera::new();
    tera.add_raw_templates(TEMPLATES)
        .map_err(|source| Error::Template {
            name: "built-in questionnaire templates".into(),
            source,
        })?;
    let form = view::form(instrument, options, FORM_SCRIPT, &script_hash(FORM_SCRIPT));
    let form_html = crate::report::templates::render(&tera, "form.html", &form)?;
    let printable = view::printable(instrument, options);
    let printable_html = crate::report::templates::render(&tera, "questionnaire.html", &printable)?;
    let template = template_csv(instrument, options);

    std::fs::create_dir_all(out).map_err(|e| Error::io(out, "cannot create the folder", e))?;
    for (path, bytes) in paths.iter().zip([
        form_html.as_bytes(),
        template.as_bytes(),
        printable_html.as_bytes(),
    ]) {
        crate::output_dir::place_file(path, bytes, options.force)?;
    }
    Ok(paths)
}

/// The value of a CSP `script-src` hash source for `script`: base64 of its SHA-256.
pub fn script_hash(script: &str) -> String {
    base64(&Sha256::digest(script.as_bytes()))
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> shift & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `template.csv`: the header of SPEC §3 for this instrument and one example row that scores
/// without rejects, to be overwritten by people who answer in a spreadsheet. Written without
/// the formula guard of result files, so it reads back as it was written.
pub fn template_csv(instrument: &Instrument, options: &Options) -> String {
    let mut header = vec!["respondent_id", "org", "role", "wave"];
    if instrument.panel {
        header.push("panel_id");
    }
    header.extend(instrument.breakdowns.iter().map(|b| b.id.as_str()));
    header.extend(instrument.items.iter().map(|i| i.id.as_str()));
    header.extend(instrument.comments.iter().map(|c| c.id.as_str()));
    let mut row = vec![
        "example-1".to_string(),
        options
            .org
            .clone()
            .unwrap_or_else(|| "Example organization".into()),
        options
            .role
            .clone()
            .unwrap_or_else(|| instrument.roles[0].id.clone()),
        options.wave.clone(),
    ];
    if instrument.panel {
        row.push("example-code".into());
    }
    // A breakdown's example is its first option (an empty cell: "Prefer not to say").
    row.extend(
        instrument
            .breakdowns
            .iter()
            .map(|b| b.options[0].id.clone()),
    );
    // An item the example row would not be asked stays blank (SPEC §16), so the row reads
    // back without a warning; the column is kept.
    let role = options
        .role
        .as_deref()
        .and_then(|id| instrument.role_index(id))
        .unwrap_or(0);
    let mut given: Vec<Given> = Vec::with_capacity(instrument.items.len());
    for item in &instrument.items {
        let asked = item
            .show_if
            .as_ref()
            .is_none_or(|c| c.holds(&|j| given[j], role));
        if asked {
            given.push(view::example_given(item));
            row.push(view::example_answer(item));
        } else {
            given.push(Given::NotAsked);
            row.push(String::new());
        }
    }
    // Open questions are left empty in the example: an answer is the respondent's own words.
    row.extend(instrument.comments.iter().map(|_| String::new()));
    let mut out = String::new();
    for cells in [
        header.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        row,
    ] {
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// A CSV cell, quoted when it holds a comma, a quote or a line break (RFC 4180).
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn script_hash_is_the_csp_form_of_sha256() {
        // printf 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            script_hash("alert(1)"),
            "bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="
        );
    }

    #[test]
    fn csv_cells_are_quoted_only_when_needed() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(
            csv_cell("=1+1"),
            "=1+1",
            "input files carry no formula guard"
        );
    }

    #[cfg(unix)]
    #[test]
    fn place_replaces_a_link_never_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.txt");
        std::fs::write(&target, b"keep").unwrap();
        let link = dir.path().join("template.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(crate::output_dir::place_file(&link, b"new", false).is_err());
        crate::output_dir::place_file(&link, b"new", true).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        assert!(!link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&link).unwrap(), b"new");

        // No temporary file is left behind.
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["target.txt", "template.csv"]);
    }
}
