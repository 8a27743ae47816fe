//! Hostile response and organizations files (issue 10, SPEC §3): each refused or read with
//! bounded effort, and the whole message it gives.

use crate::support::{run, score_file, temp, Table};

const HEADER: &str = "respondent_id,org,role,wave,col_1";

#[test]
fn a_stray_quote_is_a_file_level_error_at_the_line_where_it_opens() {
    let mut text = format!("{HEADER}\nr1,acme,hr,w1,3\nr2,acme,hr,w1,4\nr3,\"acme,hr,w1,2\n");
    for i in 4..41 {
        text.push_str(&format!("r{i},acme,hr,w1,1\n"));
    }
    let (r, file, _dir) = score_file("stray.csv", text.as_bytes(), &[]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "{}:4:4: a quote opens here and is never closed, so the 37 line(s) after it cannot be read; close the quote or remove it",
            file.display()
        )
    );
}

#[test]
fn a_file_of_nul_bytes_gives_one_short_message() {
    let (r, file, _dir) = score_file("zeros.csv", &vec![0u8; 30 << 20], &[]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "{}:1:1: the header row is longer than 1 MiB; is this a CSV file? Its first row must name the columns",
            file.display()
        )
    );
    // A short file of NUL bytes with a line end is named for what it is.
    let (r, file, _dir) = score_file("nul.csv", b"\0\0\0\n\0\0\n", &[]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "{}:1:1: the file holds NUL bytes, so it is not CSV text; if it is UTF-16 without a byte order mark, read it with --encoding utf-16le",
            file.display()
        )
    );
}

#[test]
fn a_record_longer_than_16_mib_stops_with_its_line() {
    let mut bytes = format!("{HEADER}\nr1,acme,hr,w1,3\n\nr2,acme,hr,w1,").into_bytes();
    bytes.resize(bytes.len() + (17 << 20), b'4');
    let (r, file, _dir) = score_file("long.csv", &bytes, &[]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "{}:4:1: the row starting here is longer than 16 MiB; check for a missing line end, or a file that is not CSV",
            file.display()
        )
    );
}

#[test]
fn utf16_files_are_read_not_garbled() {
    let text = format!("{HEADER}\r\nr1,acme,hr,w1,3\r\nr2,acme,hr,w1,Monthly\r\n");
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let (r, _, _dir) = score_file("utf16.csv", &bytes, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 2 rows: scored 2, rejected 0");
}

#[test]
fn a_hundred_thousand_unknown_columns_give_twenty_messages_and_a_count() {
    let mut header = String::from(HEADER);
    let mut row = String::from("r1,acme,hr,w1,3");
    for i in 0..100_000 {
        header.push_str(&format!(",x{i}"));
        row.push(',');
    }
    let text = format!("{header}\n{row}\n");
    let (r, file, _dir) = score_file("wide.csv", text.as_bytes(), &["--ignore-unknown-columns"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 1 row: scored 1, rejected 0");
    let warnings: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(
        warnings.len(),
        22,
        "{}",
        &r.stderr[..2000.min(r.stderr.len())]
    );
    let name = file.display();
    assert_eq!(
        warnings[0],
        format!("warning: {name}:1:35: column `x0` is not an item of instrument `mini`; ignored")
    );
    assert_eq!(
        warnings[20],
        format!("warning: {name}: … and 99980 more columns that are not items, ignored")
    );
    assert!(warnings[21].starts_with(&format!("warning: {name}: no column for 6 item(s)")));

    // Without the flag: twenty errors and a count.
    let (r, file, _dir) = score_file("wide.csv", text.as_bytes(), &[]);
    let name = file.display();
    assert_eq!(r.code, 2);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 21);
    assert_eq!(
        lines[20],
        format!("{name}:1: … and 99980 more columns that are not items, refused")
    );
}

#[test]
fn messages_quote_at_most_80_characters() {
    let long = "x".repeat(300);
    let text = format!("{HEADER}\nr1,acme,{long},w1,3\n");
    let (r, file, dir) = score_file("long-cell.csv", text.as_bytes(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rejects = Table::read(&dir.path().join("out/rejects.csv"));
    assert_eq!(
        rejects.rows,
        vec![vec![
            file.display().to_string(),
            "2".into(),
            "role".into(),
            "r1".into(),
            format!(
                "role `{}…` is not defined (roles: hr, sales_leader, sales_rep)",
                "x".repeat(80)
            ),
        ]]
    );
}

#[test]
fn a_repeated_id_across_files_names_the_file_of_the_accepted_row() {
    let dir = temp();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, format!("{HEADER}\nr1,acme,hr,w1,3\n")).unwrap();
    std::fs::write(&b, format!("{HEADER}\n\nr1,beta,hr,w1,2\n")).unwrap();
    let out = dir.path().join("out");
    let r = run(&[
        "score",
        "--survey",
        "mini.yaml",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 2 rows: scored 1, rejected 1");
    let rejects = Table::read(&out.join("rejects.csv"));
    assert_eq!(
        rejects.rows[0],
        [
            b.display().to_string(),
            "3".into(),
            "respondent_id".into(),
            "r1".into(),
            format!(
                "respondent_id `r1` was already used in wave w1 by the row on line 2 of {}",
                a.display()
            ),
        ]
    );
}

#[test]
fn an_organizations_file_with_a_repeated_header_is_refused() {
    let dir = temp();
    let orgs = dir.path().join("orgs.csv");
    std::fs::write(&orgs, "org,name,name\nacme,Acme,Acme Ltd\n").unwrap();
    let path = orgs.to_str().unwrap();
    let r = run(&["validate", "--survey", "mini.yaml", "--orgs", path]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        format!("{path}:1:10: column `name` appears twice (also column 2); keep one")
    );
}

#[test]
fn an_organizations_file_with_an_unclosed_quote_is_refused() {
    let dir = temp();
    let orgs = dir.path().join("orgs.csv");
    std::fs::write(&orgs, "org,name\nacme,\"Acme\nbeta,Beta\n").unwrap();
    let path = orgs.to_str().unwrap();
    let r = run(&["validate", "--survey", "mini.yaml", "--orgs", path]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        format!("{path}:2:6: a quote opens here and is never closed, so the 1 line(s) after it cannot be read; close the quote or remove it")
    );
}

/// Five rows of one organization per id, in one wave.
fn rows_for(orgs: &[&str]) -> String {
    let mut text = format!("{HEADER}\n");
    for (o, org) in orgs.iter().enumerate() {
        for i in 0..5 {
            text.push_str(&format!("r{o}-{i},{org},hr,w1,{}\n", 1 + i % 4));
        }
    }
    text
}

#[test]
fn an_org_flag_naming_a_file_is_refused() {
    let dir = temp();
    let file = dir.path().join("responses.csv");
    std::fs::write(&file, rows_for(&["acme"])).unwrap();
    let file = file.to_str().unwrap();
    for value in ["hand/orgs.csv", "clients.xlsx", "Clients.CSV"] {
        let r = run(&["validate", "--survey", "mini.yaml", file, "--org", value]);
        assert_eq!(r.code, 2, "{value}: {}", r.stderr);
        assert_eq!(
            r.stderr.trim_end(),
            format!("error: --org {value}: --org gives every row this one organization id, and this reads like a file; did you mean --orgs? (--orgs FILE reads the organizations file)")
        );
    }
    let r = run(&["validate", "--survey", "mini.yaml", file, "--org", "acme"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_closed_standard_output_ends_quietly() {
    use std::os::fd::{FromRawFd, OwnedFd};
    let dir = temp();
    let file = dir.path().join("responses.csv");
    let mut text = rows_for(&["acme"]);
    for i in 0..50 {
        text.push_str(&format!("x{i},acme,intern,w1,3\n"));
    }
    std::fs::write(&file, text).unwrap();
    // A pipe whose reading end is closed before the run writes: `validate … | head -0`.
    let mut fds = [0; 2];
    // SAFETY: `pipe` fills two new descriptors, each owned once below.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created and are not used elsewhere.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args(["validate", "--survey", "mini.yaml", file.to_str().unwrap()])
        .current_dir(crate::support::fixtures())
        .stdout(std::process::Stdio::from(write))
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

#[test]
fn a_closed_or_full_standard_error_is_no_panic() {
    let dir = temp();
    let file = dir.path().join("responses.csv");
    let mut text = rows_for(&["acme"]);
    text.push_str("x1,acme,intern,w1,3\n");
    std::fs::write(&file, text).unwrap();
    let run_with = |stderr: std::process::Stdio, args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_partnerscope"))
            .args(args)
            .current_dir(crate::support::fixtures())
            .stdout(std::process::Stdio::null())
            .stderr(stderr)
            .status()
            .expect("runs")
            .code()
    };
    let path = file.to_str().unwrap();
    // A warning (a rejected row), and an error (a missing file): each with its own exit code.
    for (args, code) in [
        (vec!["validate", "--survey", "mini.yaml", path], 0),
        (vec!["validate", "--survey", "mini.yaml", "missing.csv"], 2),
    ] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
        if let Ok(full) = full {
            assert_eq!(
                run_with(full.into(), &args),
                Some(code),
                "{args:?} 2>/dev/full"
            );
        }
        // A standard error whose reader has gone: every write fails with a broken pipe.
        let closed = {
            use std::os::fd::{FromRawFd, OwnedFd};
            let mut fds = [0; 2];
            // SAFETY: `pipe` fills two new descriptors, each owned once below.
            assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
            // SAFETY: both descriptors were just created and are not used elsewhere.
            let (read, write) =
                unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
            drop(read);
            write
        };
        assert_eq!(run_with(closed.into(), &args), Some(code), "{args:?} 2>&-");
    }
}

#[test]
fn control_characters_from_data_cells_are_escaped_on_the_terminal() {
    let dir = temp();
    let file = dir.path().join("responses.csv");
    let mut text = rows_for(&["acme"]);
    text.push_str("r9,acme,\u{1b}]0;owned\u{7}\u{1b}[2J,w1,3\n");
    std::fs::write(&file, text).unwrap();
    let r = run(&["validate", "--survey", "mini.yaml", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains('\u{1b}') && !r.stdout.contains('\u{7}'));
    assert!(
        r.stdout.contains(&format!(
            "{}:7: column `role`: rejected: role `\\u{{1b}}]0;owned\\u{{7}}\\u{{1b}}[2J` is not defined",
            file.display()
        )),
        "{}",
        r.stdout
    );
    // A header that is not an item, in a warning on stderr.
    let text = format!("{HEADER},\u{1b}[31mred\nr1,acme,hr,w1,3,\n");
    let (r, _, _dir) = score_file("header.csv", text.as_bytes(), &["--ignore-unknown-columns"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains('\u{1b}'), "{}", r.stderr);
    assert!(r.stderr.contains("column `\\u{1b}[31mred`"), "{}", r.stderr);
}

#[test]
fn look_alike_organization_ids_are_named_with_both_spellings() {
    let (r, _, _dir) = score_file(
        "alike.csv",
        rows_for(&["Acme", "Acme\u{200b}", "\u{410}cme", "Beta"]).as_bytes(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.lines().any(|l| l == "warning: organization ids `Acme` (Acme) and `Acme\u{200b}` (Acme\\u{200b}) and `\u{410}cme` (\\u{410}cme) look alike but differ in invisible or look-alike characters, so they are scored as 3 separate organizations; if they are one, write its id the same way in every row"),
        "{}",
        r.stderr
    );
}

#[test]
fn look_alike_ids_of_the_organizations_file_are_named_with_their_lines() {
    let dir = temp();
    let orgs = dir.path().join("orgs.csv");
    std::fs::write(
        &orgs,
        "org,name\nAcme,Acme Corp\n\u{410}cme,Acme again\nBeta,Beta AG\n",
    )
    .unwrap();
    let orgs = orgs.to_str().unwrap();
    let (r, _, _dir) = score_file(
        "alike.csv",
        rows_for(&["Acme\u{200b}", "Beta"]).as_bytes(),
        &["--orgs", orgs],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert!(
        lines.contains(&format!("warning: {orgs}: organization ids `Acme` (Acme) on line 2 and `\u{410}cme` (\\u{{410}}cme) on line 3 look alike but differ in invisible or look-alike characters; if they are one organization, keep one row and write its id the same way in the responses").as_str()),
        "{}",
        r.stderr
    );
    assert!(
        lines.contains(&"warning: organization id `Acme\u{200b}` (Acme\\u{200b}) of the responses is not in the organizations file, but looks like `Acme` (Acme) listed on its line 2: they differ in invisible or look-alike characters; write the id the same way in both files"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_page_name_is_never_taken_by_another_organization() {
    let dir = temp();
    let file = dir.path().join("responses.csv");
    std::fs::write(&file, rows_for(&["acme-2", "acme", "ACME"])).unwrap();
    let out = dir.path().join("out");
    let r = run(&[
        "report",
        "--survey",
        "mini.yaml",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let title = |page: &str| {
        let html = std::fs::read_to_string(out.join("orgs").join(page)).unwrap();
        let start = html.find("<title>").unwrap() + 7;
        html[start..].split(" · ").next().unwrap().to_string()
    };
    assert_eq!(title("acme-2.html"), "acme-2");
    assert_eq!(title("acme.html"), "ACME");
    assert_eq!(title("acme-3.html"), "acme");
    assert!(
        r.stderr.lines().any(|l| l
            == "warning: 2 organization ids share the page name `acme`: `ACME` is orgs/acme.html, `acme` is orgs/acme-3.html"),
        "{}",
        r.stderr
    );
}

/// `report` time grows with one organization's waves as `score`'s does: linearly (it grew
/// with their cube: 2,000 waves took 28 s).
#[test]
fn report_time_is_linear_in_one_organizations_waves() {
    let dir = temp();
    let time = |waves: usize| {
        let file = dir.path().join(format!("w{waves}.csv"));
        let out = dir.path().join(format!("out{waves}"));
        let waves = waves.to_string();
        let r = run(&[
            "simulate",
            "--organizations",
            "1",
            "--respondents",
            "6",
            "--waves",
            &waves,
            "--seed",
            "1",
            "-o",
            file.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let start = std::time::Instant::now();
        let r = run(&[
            "report",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        start.elapsed().as_secs_f64()
    };
    let (short, long) = (time(100), time(400));
    // Four times the waves: about four times the time when linear, 64 when cubic.
    assert!(
        long < 10.0 * short,
        "100 waves: {short:.2} s, 400 waves: {long:.2} s"
    );
}

/// A 121-byte template that doubles a string forty times stops at the memory bound, naming
/// itself, long before memory runs out or the timeout.
#[test]
fn a_template_that_fills_memory_stops_the_run() {
    let dir = temp();
    let file = dir.path().join("responses.csv");
    std::fs::write(&file, rows_for(&["acme"])).unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        templates.join("org.html"),
        "{% set_global s = \"xxxxxxxxxxxxxxxx\" %}{% for i in range(end=40) %}{% set_global s = s ~ s %}{% endfor %}{{ s | length }}",
    )
    .unwrap();
    let out = dir.path().join("out");
    let r = run(&[
        "report",
        "--survey",
        "mini.yaml",
        file.to_str().unwrap(),
        "--templates",
        templates.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim_end(),
        "error: template `org.html` needed more than 512 MiB of memory to render one page, so the run stops; simplify its loops (a string joined to itself in a loop doubles each time)"
    );
    assert!(!out.exists());
}

/// A stand-in for the browser: a shell script run as `--browser`.
fn fake_browser(dir: &std::path::Path, script: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("fake-chromium");
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_browser_that_never_ends_a_message_stops_the_run() {
    let dir = temp();
    let file = dir.path().join("responses.csv");
    std::fs::write(&file, rows_for(&["acme"])).unwrap();
    // Replies go to descriptor 4; this one sends 200 MB without the NUL that ends a message.
    let browser = fake_browser(
        dir.path(),
        "head -c 200000000 /dev/zero | tr '\\0' x >&4\nexec sleep 20",
    );
    let out = dir.path().join("out");
    let r = run(&[
        "report",
        "--survey",
        "mini.yaml",
        file.to_str().unwrap(),
        "--pdf",
        "--browser",
        browser.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim_end(),
        "error: printing to PDF failed at `Target.createTarget`: the browser sent a message longer than 128 MiB; check that the browser runs (e.g. `chromium --headless --version`) or choose another with --browser PATH"
    );
}

#[test]
fn a_killed_pdf_run_leaves_no_browser_profile_in_the_temporary_folder() {
    let dir = temp();
    let file = dir.path().join("responses.csv");
    std::fs::write(&file, rows_for(&["acme"])).unwrap();
    let browser = fake_browser(dir.path(), "exec sleep 20");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let out = dir.path().join("out");
    let args = [
        "report",
        "--survey",
        "mini.yaml",
        file.to_str().unwrap(),
        "--pdf",
        "--browser",
        browser.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args(args)
        .current_dir(crate::support::fixtures())
        .env("TMPDIR", &tmp)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("runs");
    // Until the browser has started (its profile exists somewhere), then a kill.
    let started = std::time::Instant::now();
    let profile_beside = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with("-browser"))
    };
    while std::fs::read_dir(&tmp).unwrap().count() == 0
        && !profile_beside()
        && started.elapsed().as_secs() < 30
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let left: Vec<String> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left in the temporary folder: {left:?}");
    // The next run on the folder removes what the killed one left beside it.
    let r = run(&[
        "report",
        "--survey",
        "mini.yaml",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!profile_beside(), "the profile is left beside the output");
}
