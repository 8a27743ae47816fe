//! Responses where they already live (SPEC §11): the survey tools' formats and their presets,
//! source profiles, text encodings and workbooks. This folder says how a file is to be read;
//! `responses` reads it (CSV tokenising, header mapping, cells, rejects).
//!
//! The only code that knows `zip` and `quick-xml` ([`workbook`]) and `encoding_rs` ([`decode`]).

pub mod decode;
pub mod format;
pub mod profile;
pub mod workbook;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub use decode::Encoding;
pub use format::{Filter, Format};
pub use profile::{Field, IdSource, Reading};

/// The files a run reads: each argument that is a folder stands for its `*.csv`, `*.xlsx` and
/// `*.ods` files (not recursively), in bytewise order of their names (SPEC §3).
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let entries =
            std::fs::read_dir(path).map_err(|e| Error::io(path, "cannot read the folder", e))?;
        let mut found: Vec<PathBuf> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(path, "cannot read the folder", e))?;
            let file = entry.path();
            if is_response_file(&file) && !file.is_dir() {
                found.push(file);
            }
        }
        if found.is_empty() {
            return Err(Error::Usage(format!(
                "{}: the folder holds no .csv, .xlsx or .ods file",
                path.display()
            )));
        }
        found.sort_by(|a, b| {
            let name = |p: &Path| p.file_name().map(|n| n.as_encoded_bytes().to_vec());
            name(a).cmp(&name(b))
        });
        files.extend(found);
    }
    Ok(files)
}

fn is_response_file(path: &Path) -> bool {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    extension.eq_ignore_ascii_case("csv") || workbook::is_workbook(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_expand_to_their_response_files_in_bytewise_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.csv", "B.xlsx", "a.ods", "notes.txt", "c.CSV"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("sub.csv")).unwrap();
        let files = expand(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ["B.xlsx", "a.ods", "b.csv", "c.CSV"]);
        let empty = tempfile::tempdir().unwrap();
        assert!(expand(&[empty.path().to_path_buf()]).is_err());
    }
}
