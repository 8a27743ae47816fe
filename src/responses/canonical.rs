//! The canonical CSV of SPEC §3, as `import` writes it (SPEC §11): the accepted rows of a
//! survey tool's export, each answer as its code, number, option id or `;`-joined ids, then the
//! open questions' text and each breakdown's option id, so the file read back scores exactly as
//! the export did. Written without the formula guard (it is
//! input, and must round-trip) like every single output file ([`crate::output_dir`]); the rows
//! the import rejected go to `<output>.rejects.csv` beside it.

use std::path::{Path, PathBuf};

use super::dataset::Dataset;
use super::rows::push_csv_field;
use crate::error::Result;
use crate::instrument::Instrument;
use crate::output_dir;

/// Writes the canonical CSV of `data` (loaded with `canonical`) to `path`, and its rejected
/// rows to [`rejects_path`] (a header alone when there are none, so no stale list remains).
pub fn write(
    instrument: &Instrument,
    data: &Dataset,
    path: &Path,
    inputs: &[PathBuf],
    force: bool,
) -> Result<()> {
    check_target(path, inputs, force)?;
    let r = &data.respondents;
    // Panel codes travel with their rows (SPEC §7); the column is written only when one is given.
    let panel = (0..r.len()).any(|i| !r.panel_id(i).is_empty());
    let mut text = String::from("respondent_id,org,role,wave");
    if panel {
        text.push_str(",panel_id");
    }
    for item in &instrument.items {
        text.push(',');
        push_csv_field(&mut text, &item.id);
    }
    for comment in &instrument.comments {
        text.push(',');
        push_csv_field(&mut text, &comment.id);
    }
    for breakdown in &instrument.breakdowns {
        text.push(',');
        push_csv_field(&mut text, &breakdown.id);
    }
    text.push('\n');
    if let Some(lines) = &r.canonical {
        for i in 0..lines.ends.len() {
            let line = lines.get(i);
            if panel {
                // The line starts with its four fields, as the loader wrote them.
                let mut fields = String::new();
                let role = &instrument.roles[usize::from(r.role[i])].id;
                let org = &data.orgs[r.org[i] as usize];
                let wave = &data.waves[r.wave[i] as usize];
                for field in [r.id(i), org.as_str(), role.as_str(), wave.as_str()] {
                    push_csv_field(&mut fields, field);
                    fields.push(',');
                }
                debug_assert!(line.starts_with(&fields));
                text.push_str(&fields);
                push_csv_field(&mut text, r.panel_id(i));
                text.push(',');
                text.push_str(&line[fields.len()..]);
            } else {
                text.push_str(line);
            }
            // The open questions' answers follow the items (SPEC §16).
            for c in 0..instrument.comments.len() {
                text.push(',');
                push_csv_field(&mut text, r.comment(i, c));
            }
            // Then each breakdown's option id, blank where none was given (SPEC §17).
            let breakdowns = &instrument.breakdowns;
            for (b, breakdown) in breakdowns.iter().enumerate() {
                text.push(',');
                if let Some(unit) = usize::from(r.unit(i, b, breakdowns.len())).checked_sub(1) {
                    push_csv_field(&mut text, &breakdown.options[unit].id);
                }
            }
            text.push('\n');
        }
    }
    crate::output::write_atomic(path, text.as_bytes())?;
    crate::output::write_rejects(data, &rejects_path(path))
}

/// Refuses, before any work, a path that is also an input, an existing CSV without `force`
/// (a CSV cannot say that partnerscope wrote it), and a rejects file partnerscope did not
/// write (SPEC §14).
pub fn check_target(path: &Path, inputs: &[PathBuf], force: bool) -> Result<()> {
    output_dir::check_single_file(path, inputs, force, |_| false)?;
    output_dir::check_single_file(&rejects_path(path), inputs, force, |head| {
        head.starts_with(REJECTS_HEADER)
    })
}

const REJECTS_HEADER: &[u8] = b"file,line,column,respondent_id,reason\n";

/// `<output>.rejects.csv` beside the output (`responses.csv` → `responses.rejects.csv`).
pub fn rejects_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "import".into(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.rejects.csv"))
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
        assert_eq!(
            names.len(),
            2,
            "{names:?}: the CSV and its rejects file, no temporary file"
        );
    }
}
