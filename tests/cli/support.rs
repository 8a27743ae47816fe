//! A small builder around the built binary.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The outcome of one run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `partnerscope` with `args` in `dir` (the fixtures folder when `None`).
pub fn run_in(dir: Option<&Path>, args: &[&str]) -> Run {
    let fixtures = fixtures();
    let output = Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args(args)
        .current_dir(dir.unwrap_or(&fixtures))
        .env_remove("RAYON_NUM_THREADS")
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `partnerscope` with `args` in the fixtures folder.
pub fn run(args: &[&str]) -> Run {
    run_in(None, args)
}

/// A CSV output file as header-keyed rows.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn read(path: &Path) -> Table {
        let mut reader = csv::Reader::from_path(path).expect("output file exists");
        let header = reader
            .headers()
            .expect("header")
            .iter()
            .map(String::from)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.expect("record").iter().map(String::from).collect())
            .collect();
        Table { header, rows }
    }

    /// The rows whose leading cells equal `key`.
    pub fn find(&self, key: &[&str]) -> Vec<&Vec<String>> {
        self.rows
            .iter()
            .filter(|r| key.iter().zip(r.iter()).all(|(k, c)| k == c))
            .collect()
    }

    /// The one row whose leading cells equal `key`.
    pub fn row(&self, key: &[&str]) -> &Vec<String> {
        let found = self.find(key);
        assert_eq!(
            found.len(),
            1,
            "expected one row for {key:?}, found {}",
            found.len()
        );
        found[0]
    }

    pub fn get<'a>(&self, row: &'a [String], column: &str) -> &'a str {
        let i = self
            .header
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("no column {column}"));
        &row[i]
    }

    pub fn num(&self, row: &[String], column: &str) -> f64 {
        self.get(row, column)
            .parse()
            .unwrap_or_else(|_| panic!("{column} is not a number"))
    }
}

/// Asserts two numbers agree to 1e-9.
#[track_caller]
pub fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-9,
        "{actual} differs from {expected} by more than 1e-9"
    );
}

/// A fresh temporary folder.
pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// Writes `bytes` to `name` in a fresh folder and runs `score` on it with the mini instrument.
pub fn score_file(
    name: &str,
    bytes: &[u8],
    extra: &[&str],
) -> (Run, std::path::PathBuf, tempfile::TempDir) {
    let dir = temp();
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).expect("write");
    let out = dir.path().join("out");
    let mut args = vec![
        "score",
        "--survey",
        "mini.yaml",
        file.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    (run(&args), file, dir)
}
