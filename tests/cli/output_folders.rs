//! Output folders (SPEC §14): the user's files are never lost, a folder never mixes two runs.

use std::collections::BTreeMap;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{fixtures, temp, Run};

/// Runs the binary in `dir` with extra environment variables.
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_partnerscope"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("RAYON_NUM_THREADS")
        .env_remove("PARTNERSCOPE_FAULT");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every file under `dir` (links as their target text) with its bytes, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let relative = path
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            let kind = entry.file_type().expect("file type");
            // Lock files are created beside output folders and never removed (SPEC §14).
            if relative.ends_with("partnerscope-lock") {
                continue;
            }
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_symlink() {
                let target = std::fs::read_link(&path).expect("link");
                out.insert(relative, target.to_string_lossy().as_bytes().to_vec());
            } else {
                out.insert(relative, std::fs::read(&path).expect("readable"));
            }
        }
    }
    out
}

/// Copies the hand fixtures (two waves) into `dir/data`.
fn hand_data(dir: &Path) {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).expect("folder");
    for name in ["2025-H1.csv", "2025-H2.csv", "orgs.csv"] {
        std::fs::copy(fixtures().join("hand").join(name), data.join(name)).expect("copy");
    }
}

const SURVEY: &str = "--survey";

fn survey() -> String {
    fixtures().join("mini.yaml").to_string_lossy().into_owned()
}

/// `score` of the hand fixtures into `out` (relative to `dir`).
fn score(dir: &Path, out: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let survey = survey();
    let mut args = vec![
        "score",
        "data/2025-H1.csv",
        "data/2025-H2.csv",
        SURVEY,
        &survey,
        "--out",
        out,
        "-q",
    ];
    args.extend(extra);
    run_env(dir, &args, env)
}

#[test]
fn out_dot_with_inputs_inside_is_refused_and_inputs_stay() {
    let dir = temp();
    hand_data(dir.path());
    let before = tree(dir.path());
    for extra in [&[][..], &["--force"][..]] {
        let r = score(dir.path(), ".", extra, &[]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr
                .contains("the input data/2025-H1.csv lies inside the output folder"),
            "{}",
            r.stderr
        );
        assert!(tree(dir.path()) == before, "{extra:?}: the folder changed");
    }
    // Inputs elsewhere: `.` still holds the user's files.
    let elsewhere = temp();
    hand_data(elsewhere.path());
    std::fs::write(dir.path().join("notes.txt"), "mine").expect("write");
    let input = elsewhere.path().join("data/2025-H1.csv");
    let survey = survey();
    let r = run_env(
        dir.path(),
        &[
            "score",
            input.to_str().expect("utf-8"),
            SURVEY,
            &survey,
            "--out",
            ".",
            "-q",
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("holds files partnerscope did not write (data/2025-H1.csv"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_input_folder_as_output_is_refused() {
    let dir = temp();
    hand_data(dir.path());
    let before = tree(dir.path());
    let r = score(dir.path(), "data", &["--force"], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("the input data/2025-H1.csv lies inside the output folder"),
        "{}",
        r.stderr
    );
    assert_eq!(tree(dir.path()), before);
}

#[test]
fn a_symlinked_folder_inside_the_output_is_never_written_through() {
    let dir = temp();
    hand_data(dir.path());
    let precious = dir.path().join("precious");
    std::fs::create_dir(&precious).expect("folder");
    std::fs::write(precious.join("thesis.docx"), "four years").expect("write");
    let out = dir.path().join("B");
    std::fs::create_dir(&out).expect("folder");
    symlink("../precious", out.join("data")).expect("link");
    let before = tree(dir.path());
    for extra in [&[][..], &["--force"][..]] {
        let survey = survey();
        let mut args = vec![
            "report",
            "data/2025-H1.csv",
            SURVEY,
            &survey,
            "--out",
            "B",
            "-q",
        ];
        args.extend(extra);
        let r = run_env(dir.path(), &args, &[]);
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert!(tree(dir.path()) == before, "{extra:?}: the folder changed");
    }
    // The output folder itself a link: refused.
    symlink("precious", dir.path().join("linked")).expect("link");
    let r = score(dir.path(), "linked", &["--force"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is a symbolic link"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_dir(&precious).expect("folder").count(),
        1,
        "nothing written into the link's target"
    );
}

#[test]
fn a_rerun_replaces_its_own_output_and_nothing_else() {
    let dir = temp();
    hand_data(dir.path());
    assert_eq!(score(dir.path(), "out", &[], &[]).code, 0);
    let first = tree(&dir.path().join("out"));
    assert!(first.contains_key("partnerscope-manifest.json"));
    let manifest = String::from_utf8(first["partnerscope-manifest.json"].clone()).expect("text");
    assert!(
        manifest.contains("\"format\": \"partnerscope-manifest/1\""),
        "{manifest}"
    );
    assert!(manifest.contains("\"path\": \"changes.csv\""), "{manifest}");
    assert!(
        !manifest.contains("manifest.json\""),
        "the manifest does not list itself"
    );
    // Same input: byte-identical output. Operating-system litter survives.
    std::fs::write(dir.path().join("out/.DS_Store"), "finder").expect("write");
    let r = score(dir.path(), "out", &[], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut second = tree(&dir.path().join("out"));
    assert_eq!(second.remove(".DS_Store").as_deref(), Some(&b"finder"[..]));
    assert_eq!(second, first);
    // No staging folder or lock left but the lock file beside the folder.
    let beside: Vec<String> = std::fs::read_dir(dir.path())
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert_eq!(beside, vec![".out.partnerscope-lock".to_string()]);
}

#[test]
fn an_edited_or_added_file_makes_the_folder_the_users() {
    let dir = temp();
    hand_data(dir.path());
    assert_eq!(score(dir.path(), "out", &[], &[]).code, 0);
    std::fs::write(dir.path().join("out/notes.txt"), "mine").expect("write");
    let r = score(dir.path(), "out", &[], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("(notes.txt)"), "{}", r.stderr);
    std::fs::remove_file(dir.path().join("out/notes.txt")).expect("remove");
    std::fs::write(dir.path().join("out/changes.csv"), "edited").expect("write");
    let r = score(dir.path(), "out", &[], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("changes.csv (changed since partnerscope wrote it)"),
        "{}",
        r.stderr
    );
    // A manifest listing a path outside the folder is invalid: the folder is foreign.
    let manifest = dir.path().join("out/partnerscope-manifest.json");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(
        &manifest,
        text.replace("\"changes.csv\"", "\"../changes.csv\""),
    )
    .expect("write");
    let r = score(dir.path(), "out", &[], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("which leaves the folder"), "{}", r.stderr);
}

#[test]
fn force_keeps_every_file_the_run_did_not_write() {
    let dir = temp();
    hand_data(dir.path());
    let out = dir.path().join("mine");
    std::fs::create_dir(&out).expect("folder");
    std::fs::write(out.join("thesis.docx"), "four years").expect("write");
    std::fs::create_dir(out.join("drafts")).expect("folder");
    std::fs::write(out.join("drafts/a.txt"), "a").expect("write");
    let r = score(dir.path(), "mine", &["--force"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files = tree(&out);
    assert_eq!(files["thesis.docx"], b"four years");
    assert_eq!(files["drafts/a.txt"], b"a");
    assert!(files.contains_key("org_scores.csv"));
    assert!(
        out.join(".partnerscope-lock").exists(),
        "the lock of a run in place"
    );
    // A second forced run of one wave: files of the previous manifest it did not write go,
    // the user's stay.
    std::fs::write(out.join("changes.csv.bak"), "mine too").expect("write");
    let survey = survey();
    let r = run_env(
        dir.path(),
        &[
            "report",
            "data/2025-H2.csv",
            SURVEY,
            &survey,
            "--out",
            "mine",
            "--force",
            "-q",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files = tree(&out);
    assert!(
        !files.contains_key("org_scores.csv"),
        "the score run's file is gone"
    );
    assert!(files.contains_key("data/org_scores.csv"));
    assert_eq!(files["thesis.docx"], b"four years");
    assert_eq!(files["changes.csv.bak"], b"mine too");
    assert_eq!(files["drafts/a.txt"], b"a");
}

#[test]
fn a_folder_of_an_earlier_version_is_accepted_once() {
    let dir = temp();
    hand_data(dir.path());
    assert_eq!(score(dir.path(), "out", &[], &[]).code, 0);
    std::fs::remove_file(dir.path().join("out/partnerscope-manifest.json")).expect("remove");
    let r = score(dir.path(), "out", &[], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.path().join("out/partnerscope-manifest.json").exists());
    // Without a manifest, a name earlier versions never wrote is the user's.
    std::fs::remove_file(dir.path().join("out/partnerscope-manifest.json")).expect("remove");
    std::fs::write(dir.path().join("out/responses.csv"), "x").expect("write");
    assert_eq!(score(dir.path(), "out", &[], &[]).code, 2);
}

#[test]
fn output_folders_never_nest() {
    let dir = temp();
    hand_data(dir.path());
    assert_eq!(score(dir.path(), "reports", &[], &[]).code, 0);
    let r = score(dir.path(), "reports/stats", &[], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("output folders never nest"),
        "{}",
        r.stderr
    );
    // A folder holding an output folder is not an output folder either.
    let r = score(dir.path(), ".", &[], &[]);
    assert_eq!(r.code, 2);
}

#[test]
fn every_step_of_publishing_leaves_the_old_or_the_new_output() {
    let dir = temp();
    hand_data(dir.path());
    // Old output: one wave. New output: two waves. Both complete, different.
    let survey = survey();
    let one = |out: &str, env: &[(&str, &str)]| {
        run_env(
            dir.path(),
            &[
                "score",
                "data/2025-H1.csv",
                SURVEY,
                &survey,
                "--out",
                out,
                "-q",
            ],
            env,
        )
    };
    assert_eq!(one("out", &[]).code, 0);
    let old = tree(&dir.path().join("out"));
    assert_eq!(score(dir.path(), "new", &[], &[]).code, 0);
    let new = tree(&dir.path().join("new"));
    assert_ne!(old, new);
    for fault in [
        "before-publish",
        "write:1",
        "write:3",
        "write:8",
        "after-exchange",
    ] {
        assert_eq!(one("out", &[]).code, 0);
        let r = score(dir.path(), "out", &[], &[("PARTNERSCOPE_FAULT", fault)]);
        assert_ne!(r.code, 0, "{fault}");
        let now = tree(&dir.path().join("out"));
        if fault == "after-exchange" {
            assert_eq!(now, new, "{fault}");
        } else {
            assert_eq!(now, old, "{fault}");
        }
        if fault.starts_with("write:") {
            assert_eq!(r.code, 1);
            assert!(r.stderr.contains("No space left on device"), "{}", r.stderr);
            // The file is named where the user will look for it, with what happened to DIR
            // and what to do.
            let out = dir.path().join("out");
            assert!(
                r.stderr.contains(&format!("error: {}/", out.display())),
                "{}",
                r.stderr
            );
            assert!(!r.stderr.contains("staging"), "{}", r.stderr);
            assert!(
                r.stderr
                    .contains(&format!("{} was left as it was (free space", out.display())),
                "{}",
                r.stderr
            );
        }
        // The next run cleans up what the stopped one left beside the folder.
        assert_eq!(score(dir.path(), "out", &[], &[]).code, 0);
        assert_eq!(tree(&dir.path().join("out")), new, "{fault}");
        let leftovers: Vec<String> = std::fs::read_dir(dir.path())
            .expect("folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("staging"))
            .collect();
        assert!(leftovers.is_empty(), "{fault}: {leftovers:?}");
    }
    // Placing file by file (--force into the user's folder), stopped midway: the user's
    // file is intact.
    std::fs::write(dir.path().join("out/mine.txt"), "mine").expect("write");
    let r = score(
        dir.path(),
        "out",
        &["--force"],
        &[("PARTNERSCOPE_FAULT", "placing")],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        std::fs::read(dir.path().join("out/mine.txt")).expect("kept"),
        b"mine"
    );
}

#[test]
fn a_planted_link_at_a_temporary_name_is_not_followed() {
    let dir = temp();
    hand_data(dir.path());
    assert_eq!(score(dir.path(), "out", &[], &[]).code, 0);
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "untouched").expect("write");
    // Names earlier versions used for temporary files, and the lock beside the folder.
    symlink(&victim, dir.path().join("out/.scores.json.partial")).expect("link");
    let r = score(dir.path(), "out", &[], &[]);
    assert_eq!(
        r.code, 2,
        "a planted link makes the folder foreign: {}",
        r.stderr
    );
    std::fs::remove_file(dir.path().join("out/.scores.json.partial")).expect("remove");
    std::fs::remove_file(dir.path().join(".out.partnerscope-lock")).expect("remove");
    symlink(&victim, dir.path().join(".out.partnerscope-lock")).expect("link");
    let r = score(dir.path(), "out", &[], &[]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("cannot create the lock file"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&victim).expect("victim"), b"untouched");
}

#[test]
fn two_runs_into_one_folder_run_one_after_the_other() {
    let dir = temp();
    hand_data(dir.path());
    assert_eq!(score(dir.path(), "solo", &[], &[]).code, 0);
    let solo = tree(&dir.path().join("solo"));
    let survey = survey();
    let args = [
        "score",
        "data/2025-H1.csv",
        "data/2025-H2.csv",
        SURVEY,
        &survey,
        "--out",
        "out",
    ];
    let spawn = |pause: &str| {
        Command::new(env!("CARGO_BIN_EXE_partnerscope"))
            .args(args)
            .current_dir(dir.path())
            .env("PARTNERSCOPE_FAULT", pause)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs")
    };
    // The first run holds the folder for a second; the second is started meanwhile.
    let first = spawn("pause:1000");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let busy = score(dir.path(), "out", &["--no-wait"], &[]);
    assert_eq!(busy.code, 1, "{}", busy.stderr);
    assert!(
        busy.stderr.contains("another partnerscope run is writing"),
        "{}",
        busy.stderr
    );
    let second = spawn("pause:0");
    let second = second.wait_with_output().expect("second");
    let first = first.wait_with_output().expect("first");
    assert!(first.status.success());
    assert!(second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("waiting for another partnerscope run"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(tree(&dir.path().join("out")), solo);
}

#[test]
fn a_killed_run_leaves_the_old_output() {
    let dir = temp();
    let big = dir.path().join("big.csv");
    let r = run_env(
        dir.path(),
        &[
            "simulate",
            "--organizations",
            "300",
            "--respondents",
            "40",
            "--waves",
            "1",
            "--seed",
            "3",
            "-o",
            "big.csv",
            "-q",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = |out: &str| {
        Command::new(env!("CARGO_BIN_EXE_partnerscope"))
            .args(["report", big.to_str().expect("utf-8"), "--out", out, "-q"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("runs")
    };
    assert!(report("new").wait().expect("runs").success());
    let new = tree(&dir.path().join("new"));
    let survey = survey();
    hand_data(dir.path());
    let r = run_env(
        dir.path(),
        &[
            "report",
            "data/2025-H1.csv",
            SURVEY,
            &survey,
            "--out",
            "out",
            "-q",
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let old = tree(&dir.path().join("out"));
    for delay in [50, 150, 300, 600, 1000, 1500] {
        let mut child = report("out");
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let now = tree(&dir.path().join("out"));
        assert!(
            now == old || now == new,
            "killed after {delay} ms: a mixed folder"
        );
        if now == new {
            break;
        }
    }
}

#[test]
fn templates_export_never_overwrites_edited_templates() {
    let dir = temp();
    let r = run_env(dir.path(), &["templates", "--export", "t"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(dir.path().join("t/org.html"), "my edit").expect("write");
    let r = run_env(dir.path(), &["templates", "--export", "t"], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("does not overwrite templates"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read(dir.path().join("t/org.html")).expect("kept"),
        b"my edit"
    );
    let r = run_env(dir.path(), &["templates", "--export", "t", "--force"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_ne!(
        std::fs::read(dir.path().join("t/org.html")).expect("file"),
        b"my edit"
    );
}

#[test]
fn single_file_outputs_refuse_files_they_did_not_write() {
    let dir = temp();
    hand_data(dir.path());
    std::fs::write(dir.path().join("notes.json"), "{}").expect("write");
    let survey = survey();
    let norms = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "norms",
            "data/2025-H1.csv",
            SURVEY,
            &survey,
            "-o",
            out,
            "-q",
        ];
        args.extend(extra);
        run_env(dir.path(), &args, &[])
    };
    let r = norms("notes.json", &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot tell that it wrote it"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read(dir.path().join("notes.json")).expect("kept"),
        b"{}"
    );
    // A norms file partnerscope wrote is replaced; an input never is.
    std::fs::remove_file(dir.path().join("notes.json")).expect("remove");
    let r = norms("norms.json", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(norms("norms.json", &[]).code, 0);
    let r = norms("data/2025-H1.csv", &["--force"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is also an input"), "{}", r.stderr);
    let r = run_env(
        dir.path(),
        &[
            "simulate",
            "-o",
            "data/orgs.csv",
            "--organizations",
            "2",
            "-q",
        ],
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("add --force"), "{}", r.stderr);
}

/// A file the user adds while a run is writing is not swapped away with the old output: the
/// run stops (exit 2) and the folder keeps both.
#[test]
fn a_file_added_during_the_run_stops_the_swap() {
    let dir = temp();
    hand_data(dir.path());
    assert_eq!(score(dir.path(), "out", &[], &[]).code, 0);
    let old = tree(&dir.path().join("out"));
    let survey = survey();
    let child = Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args([
            "score",
            "data/2025-H1.csv",
            SURVEY,
            &survey,
            "--out",
            "out",
            "-q",
        ])
        .current_dir(dir.path())
        .env("PARTNERSCOPE_FAULT", "pause-publish:1500")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    std::thread::sleep(std::time::Duration::from_millis(700));
    std::fs::write(dir.path().join("out/late.txt"), "mine").expect("write");
    let done = child.wait_with_output().expect("waits");
    assert_eq!(done.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(
        stderr.contains("changed while this run was writing"),
        "{stderr}"
    );
    let mut now = tree(&dir.path().join("out"));
    assert_eq!(now.remove("late.txt").as_deref(), Some(&b"mine"[..]));
    assert!(now == old, "the old output is intact");
}

/// A folder holding only names partnerscope once used is not an old output: the pages must
/// carry partnerscope's generator tag and the CSVs its exact headers.
#[test]
fn names_alone_never_make_a_folder_an_old_output() {
    let dir = temp();
    hand_data(dir.path());
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("orgs")).expect("folder");
    std::fs::write(site.join("index.html"), "<h1>Our team</h1>").expect("write");
    std::fs::write(site.join("orgs/team.html"), "<h1>Team</h1>").expect("write");
    let before = tree(dir.path());
    let survey = survey();
    let r = run_env(
        dir.path(),
        &[
            "report",
            "data/2025-H1.csv",
            SURVEY,
            &survey,
            "--out",
            "site",
            "-q",
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("holds files partnerscope did not write (index.html, orgs/team.html)"),
        "{}",
        r.stderr
    );
    assert!(tree(dir.path()) == before, "the folder changed");
    // A researcher's own items.csv and scores.json.
    let mine = dir.path().join("analysis");
    std::fs::create_dir(&mine).expect("folder");
    std::fs::write(mine.join("items.csv"), "id,text\nq1,How often\n").expect("write");
    std::fs::write(mine.join("scores.json"), "{\"subject\": 12}").expect("write");
    let before = tree(dir.path());
    let r = score(dir.path(), "analysis", &[], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(tree(dir.path()) == before, "the folder changed");
}

/// An edited file is the user's work: the run stops, `--force` or not, and says to move it.
#[test]
fn an_edited_file_is_never_overwritten_even_with_force() {
    let dir = temp();
    hand_data(dir.path());
    assert_eq!(score(dir.path(), "out", &[], &[]).code, 0);
    std::fs::write(dir.path().join("out/changes.csv"), "my notes").expect("write");
    let before = tree(dir.path());
    for extra in [&[][..], &["--force"][..]] {
        let r = score(dir.path(), "out", extra, &[]);
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stderr);
        assert_eq!(
            r.stderr.trim_end(),
            "error: out: holds changes.csv (changed since partnerscope wrote it); partnerscope never overwrites or removes a file you edited, with or without --force: move it out of out to keep it, then run again (it will not be rewritten in place)",
            "{extra:?}"
        );
        assert!(tree(dir.path()) == before, "{extra:?}: the folder changed");
    }
    // A file of the user's where a forced run writes one of its own is not replaced either.
    let mine = dir.path().join("mine");
    std::fs::create_dir(&mine).expect("folder");
    std::fs::write(mine.join("org_scores.csv"), "my own table").expect("write");
    let before = tree(dir.path());
    let r = score(dir.path(), "mine", &["--force"], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("org_scores.csv: partnerscope did not write this file and would replace it; nothing was changed"),
        "{}",
        r.stderr
    );
    assert!(tree(dir.path()) == before, "the folder changed");
}

/// Placing file by file (`--force`, or a `DIR` holding the current directory) writes a
/// journal first: a run stopped midway is completed by the next run on the folder.
#[test]
fn a_file_by_file_update_stopped_midway_is_completed_by_the_next_run() {
    let dir = temp();
    hand_data(dir.path());
    let survey = survey();
    // Into the user's folder with --force, then from inside the output folder.
    std::fs::create_dir(dir.path().join("mine")).expect("folder");
    std::fs::write(dir.path().join("mine/thesis.docx"), "four years").expect("write");
    assert_eq!(score(dir.path(), "out", &[], &[]).code, 0);
    let cases: [(&Path, &str, &str, &[&str]); 2] = [
        (dir.path(), "data", "mine", &["--force"]),
        (&dir.path().join("out"), "../data", ".", &[]),
    ];
    for (cwd, data, out, extra) in cases {
        let run = |files: &[&str], env: &[(&str, &str)]| {
            let inputs: Vec<String> = files.iter().map(|f| format!("{data}/{f}")).collect();
            let mut args: Vec<&str> = vec!["score"];
            args.extend(inputs.iter().map(String::as_str));
            args.extend([SURVEY, &survey, "--out", out, "-q"]);
            args.extend(extra);
            run_env(cwd, &args, env)
        };
        let folder = cwd.join(out);
        let both = ["2025-H1.csv", "2025-H2.csv"];
        let r = run(&both, &[]);
        assert_eq!(r.code, 0, "{out}: {}", r.stderr);
        let new = tree(&folder);
        for fault in ["journal-written", "placing"] {
            let r = run(&["2025-H1.csv"], &[]);
            assert_eq!(r.code, 0, "{out}: {}", r.stderr);
            let old = tree(&folder);
            assert_ne!(old, new);
            let r = run(&both, &[("PARTNERSCOPE_FAULT", fault)]);
            assert_eq!(r.code, 1, "{out} {fault}: {}", r.stderr);
            // Any later run on the folder completes the update before anything else, even
            // one that then fails.
            let r = run(&["missing.csv"], &[]);
            assert_eq!(r.code, 2, "{out} {fault}: {}", r.stderr);
            assert!(
                tree(&folder) == new,
                "{out} {fault}: not the complete new output"
            );
            let beside: Vec<String> = std::fs::read_dir(folder.parent().expect("parent"))
                .expect("folder")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains("journal") || n.contains("staging"))
                .collect();
            assert!(beside.is_empty(), "{out} {fault}: {beside:?}");
        }
    }
    assert_eq!(
        std::fs::read(dir.path().join("mine/thesis.docx")).expect("kept"),
        b"four years"
    );
}

/// A run replacing an output says what of it it did not write again.
#[test]
fn a_replacing_run_names_what_it_did_not_write_again() {
    let dir = temp();
    hand_data(dir.path());
    let survey = survey();
    let report = |extra: &[&str]| {
        let mut args = vec![
            "report",
            "data/2025-H1.csv",
            SURVEY,
            &survey,
            "--out",
            "out",
        ];
        args.extend(extra);
        run_env(dir.path(), &args, &[])
    };
    let r = report(&["--xlsx"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("previous run"), "{}", r.stderr);
    let r = report(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .lines()
            .any(|l| l
                == "note: data/results.xlsx of the previous run is not in this one (no --xlsx)"),
        "{}",
        r.stderr
    );
}

/// `stats` names the folder it published, not the staging folder it wrote in.
#[test]
fn stats_names_the_published_folder() {
    let dir = temp();
    hand_data(dir.path());
    let survey = survey();
    let r = run_env(
        dir.path(),
        &["stats", "data/2025-H1.csv", SURVEY, &survey, "--out", "st"],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("staging"), "{}", r.stderr);
    let target = std::fs::canonicalize(dir.path()).expect("real").join("st");
    assert!(
        r.stderr
            .contains(&format!("stats.html to {}", target.display())),
        "{}",
        r.stderr
    );
}
