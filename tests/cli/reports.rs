//! `report`: the output tree, the demo data, confidentiality and escaping in pages.

use std::path::Path;

use crate::support::{run, run_in, temp};

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_dir() {
            out.extend(
                files_under(&entry.path())
                    .into_iter()
                    .map(|f| format!("{name}/{f}")),
            );
        } else {
            out.push(name);
        }
    }
    out.sort();
    out
}

#[test]
fn report_without_files_runs_the_demo_from_any_directory() {
    let dir = temp();
    let r = run_in(Some(dir.path()), &["report", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 1512 rows: scored 1512, rejected 0");
    let mut expected: Vec<String> = [
        "data/changes.csv",
        "data/org_scores.csv",
        "data/org_summary.csv",
        "data/perception_gaps.csv",
        "data/rejects.csv",
        "data/respondent_scores.csv",
        "data/scores.json",
        "index.html",
    ]
    .map(String::from)
    .to_vec();
    expected.extend((1..=14).map(|i| format!("orgs/org-{i:04}.html")));
    expected.sort();
    assert_eq!(files_under(&dir.path().join("reports")), expected);
}

#[test]
fn committed_demo_data_is_what_simulate_makes() {
    let dir = temp();
    let responses = dir.path().join("responses.csv");
    let orgs = dir.path().join("orgs.csv");
    let r = run(&[
        "simulate",
        "--organizations",
        "14",
        "--respondents",
        "36",
        "--waves",
        "3",
        "--seed",
        "2025",
        "-o",
        responses.to_str().unwrap(),
        "--orgs-output",
        orgs.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/demo");
    assert!(
        std::fs::read(root.join("responses.csv")).unwrap() == std::fs::read(&responses).unwrap()
    );
    assert!(std::fs::read(root.join("orgs.csv")).unwrap() == std::fs::read(&orgs).unwrap());
}

#[test]
fn stale_pages_are_removed_and_reruns_are_identical() {
    let dir = temp();
    let out = dir.path().join("reports");
    std::fs::create_dir_all(out.join("orgs")).unwrap();
    std::fs::write(out.join("orgs/old-client.html"), "old").unwrap();
    let first = run(&["report", "--out", out.to_str().unwrap(), "-q"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(!out.join("orgs/old-client.html").exists());
    let page = std::fs::read(out.join("orgs/org-0001.html")).unwrap();
    let again = run(&["report", "--out", out.to_str().unwrap(), "-q"]);
    assert_eq!(again.code, 0);
    assert!(page == std::fs::read(out.join("orgs/org-0001.html")).unwrap());
}
