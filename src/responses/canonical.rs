//! The canonical CSV of SPEC §3, as `import` writes it (SPEC §11): the accepted rows of a
//! survey tool's export, each answer as its code, number, option id or `;`-joined ids, so the
//! file read back scores exactly as the export did. Written without the formula guard (it is
//! input, and must round-trip) to a unique temporary file, then renamed into place; the rows
//! the import rejected go to `<output>.rejects.csv` beside it.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::dataset::{Dataset, Reject};
use super::rows::push_csv_field;
use crate::error::{Error, Result};
use crate::instrument::Instrument;

/// Writes the canonical CSV of `data` (loaded with `canonical`) to `path`, and its rejects to
/// [`rejects_path`] (removing a stale one when there are none). Refuses to replace an existing
/// file without `force`, and a path that is one of the `inputs`.
pub fn write(
    instrument: &Instrument,
    data: &Dataset,
    path: &Path,
    inputs: &[PathBuf],
    force: bool,
) -> Result<()> {
    check_target(path, inputs, force)?;
    let rejects = rejects_path(path);
    let mut text = String::from("respondent_id,org,role,wave");
    for item in &instrument.items {
        text.push(',');
        push_csv_field(&mut text, &item.id);
    }
    text.push('\n');
    if let Some(lines) = &data.respondents.canonical {
        for i in 0..lines.ends.len() {
            text.push_str(lines.get(i));
            text.push('\n');
        }
    }
    write_new(path, text.as_bytes())?;
    if data.rejects.is_empty() {
        if rejects.exists() {
            std::fs::remove_file(&rejects)
                .map_err(|e| Error::io(&rejects, "cannot remove the old rejects file", e))?;
        }
    } else {
        write_new(&rejects, &rejects_csv(&data.rejects))?;
    }
    Ok(())
}

/// Refuses, before any work, an output that would replace an input, or an existing file
/// without `force`.
pub fn check_target(path: &Path, inputs: &[PathBuf], force: bool) -> Result<()> {
    let rejects = rejects_path(path);
    for target in [path, rejects.as_path()] {
        if inputs.iter().any(|input| same_file(input, target)) {
            return Err(Error::Usage(format!(
                "{} is also an input; write the import to another file",
                target.display()
            )));
        }
    }
    if path.exists() && !force {
        return Err(Error::Usage(format!(
            "{} already exists; pass --force to replace it",
            path.display()
        )));
    }
    Ok(())
}

/// `<output>.rejects.csv` beside the output (`responses.csv` → `responses.rejects.csv`).
pub fn rejects_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "import".into(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.rejects.csv"))
}

/// `file,line,column,respondent_id,reason`, text cells guarded against formula injection (a
/// leading `'` before `=`, `+`, `-`, `@`, tab or carriage return).
fn rejects_csv(rejects: &[Reject]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let guard = |text: &str| -> String {
        if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{text}")
        } else {
            text.to_string()
        }
    };
    let _ = writer.write_record(["file", "line", "column", "respondent_id", "reason"]);
    for r in rejects {
        let _ = writer.write_record([
            guard(&r.file),
            r.line.to_string(),
            guard(&r.column),
            guard(&r.respondent_id),
            guard(&r.reason),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

/// Writes `bytes` to a temporary file created exclusively beside `path` under a unique name,
/// then renames it into place, so `path` is never half-written.
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map_or_else(|| "import".into(), |n| n.to_string_lossy().into_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut attempt = 0u32;
    let (temp, mut file) = loop {
        let temp = path.with_file_name(format!(
            ".{name}.{}-{nanos}-{attempt}.partial",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(file) => break (temp, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(Error::io(&temp, "cannot write", e)),
        }
    };
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(Error::io(path, "cannot write", e));
    }
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        Error::io(path, "cannot write", e)
    })
}

/// Whether two paths name the same file (the same file on disk, or the same path when it does
/// not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_sit_beside_the_output() {
        assert_eq!(
            rejects_path(Path::new("out/responses.csv")),
            Path::new("out/responses.rejects.csv")
        );
    }

    #[test]
    fn reject_cells_are_guarded() {
        let text = rejects_csv(&[Reject {
            file: "a.csv".into(),
            line: 3,
            column: "q".into(),
            respondent_id: "=cmd()".into(),
            reason: "bad".into(),
        }]);
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "file,line,column,respondent_id,reason\na.csv,3,q,'=cmd(),bad\n"
        );
    }

    #[test]
    fn existing_files_and_inputs_are_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let instrument = crate::instrument::load_bundled().unwrap();
        let out = dir.path().join("out.csv");
        let data = Dataset::default();
        write(&instrument, &data, &out, &[], false).unwrap();
        assert!(std::fs::read_to_string(&out)
            .unwrap()
            .starts_with("respondent_id,org,role,wave,col_meet,"));
        assert!(write(&instrument, &data, &out, &[], false).is_err());
        write(&instrument, &data, &out, &[], true).unwrap();
        assert!(write(&instrument, &data, &out, std::slice::from_ref(&out), true).is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.csv"]);
    }
}
