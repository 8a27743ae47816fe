//! A small builder around the built binary.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(name: &str) -> PathBuf {
    fixtures().join(name)
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
