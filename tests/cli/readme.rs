//! The README's commands run as written (SPEC §10): every `partnerscope` line of its `sh`
//! blocks, in order, in a scratch folder holding copies of the files the repository ships.

use std::path::Path;
use std::process::Command;

use crate::support::temp;

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("folder");
    for entry in std::fs::read_dir(from).expect("readable folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The `partnerscope` command lines of the README's `sh` blocks, in order.
fn readme_commands(readme: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        let trimmed = line.trim();
        if let Some(fence) = trimmed.strip_prefix("```") {
            in_sh = !in_sh && fence == "sh";
            continue;
        }
        if in_sh && trimmed.starts_with("partnerscope ") {
            commands.push(trimmed.to_string());
        }
    }
    commands
}

#[test]
fn every_readme_command_runs_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let commands = readme_commands(&readme);
    assert!(commands.len() >= 10, "found only {commands:?}");
    let scratch = temp();
    for folder in ["surveys", "examples", "tests/fixtures"] {
        if root.join(folder).is_dir() {
            copy_tree(&root.join(folder), &scratch.path().join(folder));
        }
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_partnerscope"));
    let path = format!(
        "{}:{}",
        binary.parent().expect("folder").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for command in &commands {
        // Through a shell, as a reader would type it (globs, quotes).
        let output = Command::new("sh")
            .args(["-c", command])
            .current_dir(scratch.path())
            .env("PATH", &path)
            .env("SOURCE_DATE_EPOCH", "1795532400")
            .env_remove("RAYON_NUM_THREADS")
            .output()
            .expect("sh runs");
        assert!(
            output.status.success(),
            "README command failed: {command}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn only_sh_blocks_count() {
    let text = "```sh\npartnerscope a\n# partnerscope b\n```\n```text\npartnerscope c\n```\n```sh\ncargo test\n partnerscope d\n```\n";
    assert_eq!(readme_commands(text), ["partnerscope a", "partnerscope d"]);
}
