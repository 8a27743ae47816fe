//! Responses where they live (SPEC §11): one export of each survey tool in
//! `tests/fixtures/sources/` (structure of genuine exports, see its PROVENANCE.md) scored with a
//! profile naming only what the file cannot say; `import` round trips; the files Excel saves.

use std::path::Path;

use crate::support::{run, temp, Table};

/// (fixture, reconciliation line, rejects as `line, column, respondent_id, reason`)
type Expected = (&'static str, &'static str, &'static [[&'static str; 4]]);

const HR_OWNER: &str = "(options: hr_alone, sales_alone, sales_with_hr_input, joint_panel)";
const STAFF: &str = "How many full-time HR staff work mainly for the sales organization? (0 to 3 or more; enter 3 for three or more)";

const FORMATS: &[Expected] = &[
    (
        "qualtrics.csv",
        "read 15 rows: scored 10, rejected 2, filtered 3 (1 × Status is \"Survey Preview\": Qualtrics previews, 1 × Finished is \"False\": unfinished responses, 1 × Status is \"Spam\": marked as spam by Qualtrics; add `keep: {}` to the profile to score them)",
        &[
            ["10", "Q2", "R_VbuNazZuYx7Jp5N", "`Every two weeks` is not a code 1–5 or a label of scale `freq5`"],
            ["15", "Q7", "R_zP7sNcD7CaKn2Hs", "`7` is outside the allowed range 0–3"],
        ],
    ),
    (
        "qualtrics-utf16.tsv",
        "read 15 rows: scored 10, rejected 2, filtered 3 (1 × Status is \"1\": Qualtrics previews, 1 × Finished is \"0\": unfinished responses, 1 × Status is \"8\": marked as spam by Qualtrics; add `keep: {}` to the profile to score them)",
        &[
            ["10", "Q2", "R_VbuNazZuYx7Jp5N", "`7` is not a code 1–5 or a label of scale `freq5`"],
            ["15", "Q7", "R_zP7sNcD7CaKn2Hs", "`7` is outside the allowed range 0–3"],
        ],
    ),
    (
        "google-forms.csv",
        "read 12 rows: scored 10, rejected 2",
        &[
            ["5", "Who makes the final decision on hiring a sales representative?", "google-forms.csv:5", "`Depends on the region` is not an option of `hir_owner` (options: hr_alone, sales_alone, sales_with_hr_input, joint_panel)"],
            ["11", STAFF, "google-forms.csv:11", "`5` is outside the allowed range 0–3"],
        ],
    ),
    (
        "ms-forms.xlsx",
        // Row 7's "Other" text (`Shadowing on customer visits`) is ignored, with a warning.
        "read 12 rows: scored 11, rejected 1",
        &[
            ["11", STAFF, "10", "`4` is outside the allowed range 0–3"],
        ],
    ),
    (
        "surveymonkey.csv",
        "read 13 rows: scored 11, rejected 2",
        &[
            ["6", "How often are there informal contacts (lunches, events, conversations) between HR and sales staff?", "11482317310", "`Daily` is not a code 1–5 or a label of scale `freq5`"],
            ["13", STAFF, "11482336427", "`4` is outside the allowed range 0–3"],
        ],
    ),
    (
        "limesurvey.csv",
        "read 11 rows: scored 9, rejected 2",
        &[
            ["7", "TRUA[SQ002]", "36", "`A7` is not a code 1–5 or a label of scale `agree5`"],
            ["11", "RESSTAFF", "40", "`5` is outside the allowed range 0–3"],
        ],
    ),
    (
        "kobo.csv",
        "read 12 rows: scored 10, rejected 2",
        &[
            ["10", "hiring/hir_owner", "98222f44-1d0c-4c8b-828d-1177b752d847", "`other` is not an option of `hir_owner` (options: hr_alone, sales_alone, sales_with_hr_input, joint_panel)"],
            ["14", "resources/res_staff", "7129fb64-5cf0-4932-9c5d-5889696ca8fb", "`5` is outside the allowed range 0–3"],
        ],
    ),
    (
        "odk.csv",
        "read 11 rows: scored 9, rejected 2",
        &[
            ["5", "hiring-hir_owner", "uuid:22a04170-57cb-4893-b36a-abdace43cabb", "`joint` is not an option of `hir_owner` (options: hr_alone, sales_alone, sales_with_hr_input, joint_panel)"],
            ["10", "resources-res_staff", "uuid:71ea0098-a7a8-4864-a3af-04b0ece40f9c", "`6` is outside the allowed range 0–3"],
        ],
    ),
];

fn profile(fixture: &str) -> String {
    let stem = fixture.rsplit_once('.').map_or(fixture, |(stem, _)| stem);
    format!("sources/{stem}.profile.yaml")
}

/// Runs `score` into a fresh folder; returns the run and the folder.
fn score(args: &[&str]) -> (crate::support::Run, tempfile::TempDir) {
    let dir = temp();
    let out = dir.path().to_str().unwrap().to_string();
    let mut all = vec!["score"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", &out]);
    (run(&all), dir)
}

#[test]
fn every_format_scores_with_a_profile_naming_only_what_the_file_cannot_say() {
    for (fixture, reconciliation, expected) in FORMATS {
        let file = format!("sources/{fixture}");
        let (r, dir) = score(&[&file, "--profile", &profile(fixture)]);
        assert_eq!(r.code, 0, "{fixture}: {}", r.stderr);
        // Every data row is accounted for: read = scored + rejected + filtered.
        assert_eq!(r.stdout.trim(), *reconciliation, "{fixture}");
        let rejects = Table::read(&dir.path().join("rejects.csv"));
        let expected: Vec<Vec<String>> = expected
            .iter()
            .map(|[line, column, id, reason]| {
                [file.as_str(), line, column, id, reason]
                    .map(String::from)
                    .to_vec()
            })
            .collect();
        assert_eq!(rejects.rows, expected, "{fixture}");
    }
}

#[test]
fn known_metadata_is_silent_and_other_unmatched_columns_are_one_warning() {
    let (r, _dir) = score(&["sources/kobo.csv", "--profile", "sources/kobo.profile.yaml"]);
    let warnings: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(
        warnings,
        ["warning: sources/kobo.csv: 1 column(s) match no item of instrument `hr-sales-partnership` and are ignored: `hiring/hir_owner_other`"]
    );
}

#[test]
fn a_form_made_from_the_instrument_needs_no_profile() {
    let (r, dir) = score(&[
        "sources/google-forms-plain.csv",
        "--format",
        "google-forms",
        "--org",
        "Acme Ltd",
        "--role",
        "hr",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 6 rows: scored 6, rejected 0");
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let scores = Table::read(&dir.path().join("respondent_scores.csv"));
    let first = &scores.rows[0];
    assert_eq!(
        first[..4],
        [
            "google-forms-plain.csv:2",
            "Acme Ltd",
            "hr",
            "google-forms-plain"
        ]
    );
    assert!(scores
        .rows
        .iter()
        .all(|row| !scores.get(row, "index").is_empty()));
}

#[test]
fn import_writes_a_csv_that_scores_byte_identically() {
    let files = [
        "respondent_scores.csv",
        "org_scores.csv",
        "org_summary.csv",
        "perception_gaps.csv",
        "changes.csv",
    ];
    for (fixture, _, rejected) in FORMATS {
        let dir = temp();
        let imported = dir.path().join("imported.csv");
        let file = format!("sources/{fixture}");
        let r = run(&[
            "import",
            &file,
            "--profile",
            &profile(fixture),
            "-o",
            imported.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{fixture}: {}", r.stderr);
        // The rows import rejected sit beside the output, on the export's own lines.
        let rejects = Table::read(&dir.path().join("imported.rejects.csv"));
        let lines: Vec<&str> = rejects.rows.iter().map(|r| r[1].as_str()).collect();
        let expected: Vec<&str> = rejected.iter().map(|r| r[0]).collect();
        assert_eq!(lines, expected, "{fixture}");

        let (direct, direct_dir) = score(&[&file, "--profile", &profile(fixture)]);
        let (again, again_dir) = score(&[imported.to_str().unwrap()]);
        assert_eq!((direct.code, again.code), (0, 0), "{fixture}");
        for name in files {
            let a = std::fs::read(direct_dir.path().join(name)).unwrap();
            let b = std::fs::read(again_dir.path().join(name)).unwrap();
            assert!(a == b, "{fixture}: {name} differs after import");
        }
    }
}

#[test]
fn import_refuses_to_replace_a_file_or_an_input() {
    let dir = temp();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "mine\n").unwrap();
    let args = |force: bool| {
        let mut a = vec![
            "import".to_string(),
            "sources/odk.csv".into(),
            "--profile".into(),
            "sources/odk.profile.yaml".into(),
            "-o".into(),
            out.to_str().unwrap().into(),
        ];
        if force {
            a.push("--force".into());
        }
        a
    };
    let refused = run(&args(false).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(refused.code, 2);
    assert_eq!(
        refused.stderr.trim_end(),
        format!(
            "error: {}: exists and partnerscope cannot tell that it wrote it; add --force to replace it, or choose another file",
            out.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine\n");
    let forced = run(&args(true).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(forced.stdout.trim(), "read 11 rows: scored 9, rejected 2");

    let input = dir.path().join("in.csv");
    std::fs::copy(crate::support::fixtures().join("hand/2025-H1.csv"), &input).unwrap();
    let path = input.to_str().unwrap();
    let own = run(&[
        "import",
        "--survey",
        "mini.yaml",
        path,
        "-o",
        path,
        "--force",
    ]);
    assert_eq!(own.code, 2);
    assert_eq!(
        own.stderr.trim_end(),
        format!("error: {path}: is also an input of this run; write the output to another file")
    );
}

#[test]
fn profile_mistakes_are_located() {
    let dir = temp();
    let p = dir.path().join("p.yaml");
    std::fs::write(
        &p,
        "format: qualtrics\ncolumns:\n  col_meat: Q1\nvalues:\n  hir_owner: { \"1\": hr_only }\nwaves: { value: x }\n",
    )
    .unwrap();
    let path = p.to_str().unwrap();
    let r = run(&["validate", "sources/qualtrics.csv", "--profile", path]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        format!("{path}:6:1: unknown field `waves`, expected one of format, sheet, delimiter, encoding, keep, respondent_id, panel_id, org, role, wave, columns, values, multi_separator")
    );
    std::fs::write(
        &p,
        "format: qualtrix\ncolumns:\n  col_meat: Q1\nvalues:\n  hir_owner: { \"1\": hr_only }\n",
    )
    .unwrap();
    let r = run(&["validate", "sources/qualtrics.csv", "--profile", path]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "{path}:1:9: unknown format `qualtrix` (formats: csv, qualtrics, google-forms, ms-forms, surveymonkey, limesurvey, kobo, odk)\n\
             {path}:3:13: columns: `col_meat` is not an item of instrument `hr-sales-partnership`; use an item id\n\
             {path}:5:21: values: `hir_owner` maps `1` to `hr_only` is not an option of `hir_owner` {HR_OWNER}; write a code, an option id, true/false, a number, or null"
        )
    );
}

#[test]
fn a_folder_is_its_response_files_in_name_order() {
    let dir = temp();
    let hand = crate::support::fixtures().join("hand");
    for name in ["2025-H2.csv", "2025-H1.csv"] {
        std::fs::copy(hand.join(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(dir.path().join("notes.txt"), "not responses").unwrap();
    let folder = dir.path().to_str().unwrap();
    let a = run(&["validate", "--survey", "mini.yaml", folder]);
    let b = run(&[
        "validate",
        "--survey",
        "mini.yaml",
        "hand/2025-H1.csv",
        "hand/2025-H2.csv",
    ]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(
        a.stdout.lines().last(),
        b.stdout.lines().last(),
        "the folder reads like its two files"
    );
}

// ------------------------------------------------------------------------------------------
// Files saved by Excel (issue 11): written here from one small canonical file.

const MINI: &str =
    "respondent_id,org,role,wave,col_1,col_2,cap_tasks,cap_staff,cap_bp,cap_owner,turnover_pct\n\
r1,acme,hr,w1,Monthly,Agree,recruiting;training,2,yes,Jointly,10\n\
r2,acme,Sales leadership,w1,3,4,onboarding,1,no,sales_alone,\n\
r3,beta,sales_rep,w1,2,,,0,TRUE,joint,5\n";

/// Scores `bytes` written as `name` with the mini instrument; returns the run and the
/// respondent scores.
fn score_mini(name: &str, bytes: &[u8], extra: &[&str]) -> (crate::support::Run, Table) {
    let (r, file, _dir) = crate::support::score_file(name, bytes, extra);
    let out = file.with_file_name("out");
    let table = if r.code == 0 {
        Table::read(&out.join("respondent_scores.csv"))
    } else {
        Table {
            header: Vec::new(),
            rows: Vec::new(),
        }
    };
    (r, table)
}

fn reference() -> Table {
    score_mini("plain.csv", MINI.as_bytes(), &[]).1
}

#[test]
fn semicolon_and_tab_files_read_like_commas() {
    let expected = reference();
    assert_eq!(expected.rows.len(), 3);
    for (name, delimiter) in [("semicolon.csv", ";"), ("tabs.csv", "\t")] {
        // Excel quotes a field holding the delimiter; `;` also separates multiple answers.
        let text: String = MINI
            .lines()
            .map(|line| {
                let fields: Vec<String> = line
                    .split(',')
                    .map(|f| {
                        if f.contains(delimiter) {
                            format!("\"{f}\"")
                        } else {
                            f.to_string()
                        }
                    })
                    .collect();
                fields.join(delimiter) + "\r\n"
            })
            .collect();
        let (r, table) = score_mini(name, text.as_bytes(), &[]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert_eq!(
            r.stdout.trim(),
            "read 3 rows: scored 3, rejected 0",
            "{name}"
        );
        assert_eq!(table.rows, expected.rows, "{name}");
    }
}

#[test]
fn utf16_files_are_decoded_by_their_byte_order_mark() {
    let expected = reference();
    let text = MINI.replace(',', "\t").replace("acme", "Société");
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let (r, table) = score_mini("unicode.txt", &bytes, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 3 rows: scored 3, rejected 0");
    assert_eq!(table.rows[0][1], "Société");
    assert_eq!(table.rows[2], expected.rows[2]);
}

#[test]
fn a_trailing_empty_column_and_blank_rows_are_skipped() {
    let expected = reference();
    let mut lines = MINI.lines();
    let mut text = format!("{},\r\n", lines.next().unwrap());
    text.push_str(&format!("{},\r\n", lines.next().unwrap()));
    text.push_str(",,,,,,,,,,,\r\n");
    text.push_str(&format!("{}\r\n", lines.next().unwrap()));
    text.push_str(",,,,,,,,,,,\r\n\r\n");
    text.push_str(&format!("{},\r\n", lines.next().unwrap()));
    let (r, table) = score_mini("excel.csv", text.as_bytes(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.trim(),
        "read 5 rows: scored 3, rejected 0, skipped 2 blank"
    );
    assert_eq!(table.rows, expected.rows);
}

#[test]
fn headers_match_ignoring_case_and_spaces_and_unknown_ones_get_a_suggestion() {
    let expected = reference();
    let text = MINI.replacen("respondent_id,org,role", " Respondent_ID ,Org,ROLE", 1);
    let (r, table) = score_mini("cased.csv", text.as_bytes(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(table.rows, expected.rows);

    let text = MINI.replacen(",org,", ",organisation,", 1);
    let (r, _) = score_mini("organisation.csv", text.as_bytes(), &[]);
    assert_eq!(r.code, 2);
    let file = r.stderr.split(':').next().unwrap_or_default().to_string();
    assert!(file.ends_with("organisation.csv"), "{}", r.stderr);
    assert_eq!(
        r.stderr.trim_end(),
        format!(
            "{file}:1:15: column `organisation` is not an item of instrument `mini` 1.2.0; did you mean `org`? Rename it, or pass --ignore-unknown-columns to skip it\n\
             {file}:1:1: the header has no `org` column; every response file needs respondent_id, org and role"
        )
    );
}

#[test]
fn a_windows_1252_file_is_refused_with_the_hint_and_read_with_it() {
    let text = MINI.replace("acme", "Café").replace("Agree", "Agree ");
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| if c == 'é' { 0xe9 } else { c as u8 })
        .collect();
    let (r, _) = score_mini("windows.csv", &bytes, &[]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    let message = r.stderr.trim_end();
    assert!(
        message.ends_with("windows.csv:2:7: the file is not UTF-8 text (byte 0xE9 here); if Excel saved it on Windows, read it with --encoding windows-1252, or save it as UTF-8"),
        "{message}"
    );
    let (r, table) = score_mini("windows.csv", &bytes, &["--encoding", "windows-1252"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 3 rows: scored 3, rejected 0");
    assert_eq!(table.rows[0][1], "Café");
    assert_eq!(table.rows.len(), 3);
}

#[test]
fn choice_and_multi_answers_by_label_and_command_line_values() {
    // `--wave` wins over the file's wave column, with one warning.
    let (r, table) = score_mini("labels.csv", MINI.as_bytes(), &["--wave", "2026"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(table.rows.iter().all(|row| row[3] == "2026"));
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{}", r.stderr);
    assert!(
        warnings[0]
            .ends_with(":1:24: column `wave` is ignored: --wave gives the value of every row"),
        "{}",
        warnings[0]
    );
}

#[test]
fn unknown_formats_and_encodings_are_usage_errors() {
    let r = run(&["validate", "hand/2025-H1.csv", "--format", "excel"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        "error: --format excel: unknown format (formats: csv, qualtrics, google-forms, ms-forms, surveymonkey, limesurvey, kobo, odk)"
    );
    let r = run(&["validate", "hand/2025-H1.csv", "--encoding", "klingon"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        "error: --encoding klingon: unknown encoding; use a name such as windows-1252, latin1, utf-16le or utf-8"
    );
}

/// The fixtures folder holds what the README promises about it.
#[test]
fn the_provenance_note_is_there() {
    let note =
        std::fs::read_to_string(crate::support::fixtures().join("sources/PROVENANCE.md")).unwrap();
    for fixture in FORMATS.iter().map(|f| f.0) {
        assert!(note.contains(fixture), "{fixture} has no provenance entry");
    }
    assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sources/ms-forms.xlsx")
        .exists());
}

#[test]
fn an_ods_sheet_reads_cells_as_shown_and_rejects_on_sheet_rows() {
    let dir = temp();
    let out = dir.path().to_str().unwrap();
    let r = run(&[
        "score",
        "--survey",
        "mini.yaml",
        "sources/answers.ods",
        "--out",
        out,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.trim(),
        "read 4 rows: scored 2, rejected 1, skipped 1 blank"
    );
    let rejects = Table::read(&dir.path().join("rejects.csv"));
    assert_eq!(
        rejects.rows,
        [[
            "sources/answers.ods",
            "5",
            "col_1",
            "r3",
            "`9` is not a code 1–4 or a label of scale `freq4`"
        ]]
    );
    // A sheet the workbook does not have is named with the ones it has.
    let p = dir.path().join("p.yaml");
    std::fs::write(&p, "sheet: Results\n").unwrap();
    let r = run(&[
        "validate",
        "--survey",
        "mini.yaml",
        "sources/answers.ods",
        "--profile",
        p.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        "sources/answers.ods: the workbook has no sheet `Results` (sheets: Answers); check `sheet:` in the profile"
    );
}

#[test]
fn a_legacy_qualtrics_export_has_two_header_rows() {
    let text = "V1,V2,V3,V4,V5,V6,V7,V8,V9,V10,Q1,Q2,Q3\r\n\
ResponseID,ResponseSet,Name,ExternalDataReference,EmailAddress,IPAddress,Status,StartDate,EndDate,Finished,HR and Sales leaders meet on business issues.,client,role\r\n\
R_1,Default Response Set,Anonymous,,,198.51.100.1,0,2014-01-01 10:00:00,2014-01-01 10:05:00,1,Monthly,acme,hr\r\n\
R_2,Default Response Set,Anonymous,,,,1,2014-01-01 10:00:00,2014-01-01 10:05:00,1,Never,acme,hr\r\n\
R_3,Default Response Set,Anonymous,,,198.51.100.3,0,2014-01-01 10:00:00,2014-01-01 10:05:00,0,,acme,hr\r\n\
R_4,Default Response Set,Anonymous,,,198.51.100.4,0,2014-01-01 10:00:00,2014-01-01 10:05:00,1,Sometimes,acme,hr\r\n";
    // The export has one item; the profile says the others are not in it.
    let dir = temp();
    let profile = dir.path().join("legacy.profile.yaml");
    std::fs::write(
        &profile,
        "format: qualtrics\norg: { value: acme }\nwave: { value: \"2014\" }\ncolumns: { col_2: null, cap_tasks: null, cap_staff: null, cap_bp: null, cap_owner: null, turnover_pct: null }\n",
    )
    .unwrap();
    let (r, _) = score_mini(
        "legacy.csv",
        text.as_bytes(),
        &["--profile", profile.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.trim(),
        "read 4 rows: scored 1, rejected 1, filtered 2 (1 × Status is \"1\": Qualtrics previews, 1 × Finished is \"0\": unfinished responses; add `keep: {}` to the profile to score them)"
    );
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.contains("warning")).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w
                .ends_with("1 column(s) match no item of instrument `mini` and are ignored: `Q2`")),
        "{}",
        r.stderr
    );
}

/// Runs `import` on `bytes` written as `name` with the mini instrument; returns the run and the
/// canonical CSV it wrote (empty when it failed).
fn import_mini(name: &str, bytes: &[u8], extra: &[&str]) -> (crate::support::Run, String) {
    let dir = temp();
    let file = dir.path().join(name);
    std::fs::write(&file, bytes).unwrap();
    let out = dir.path().join("canonical.csv");
    let mut args = vec![
        "import",
        "--survey",
        "mini.yaml",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    (r, text)
}

/// `import_mini` with a source profile of `yaml`.
fn import_with_profile(name: &str, bytes: &[u8], yaml: &str) -> (crate::support::Run, String) {
    let dir = temp();
    let profile = dir.path().join("p.yaml");
    std::fs::write(&profile, yaml).unwrap();
    import_mini(name, bytes, &["--profile", profile.to_str().unwrap()])
}

const CONSTANTS: [&str; 6] = ["--org", "acme", "--role", "hr", "--wave", "w1"];

fn with_format(format: &str) -> Vec<&str> {
    let mut args = vec!["--format", format];
    args.extend_from_slice(&CONSTANTS);
    args
}

const CANONICAL_HEADER: &str =
    "respondent_id,org,role,wave,col_1,col_2,cap_tasks,cap_staff,cap_bp,cap_owner,turnover_pct";

#[test]
fn a_limesurvey_export_with_full_texts_reads_grid_rows_ids_and_its_na() {
    // `;`, a byte-order mark, `Answer ID`, `<question> [<row>]` headings, one Yes/No/N/A
    // column per option, and `N/A` for a question not shown.
    let text = "\u{feff}Answer ID;Date submitted;Last page;Grid question [HR and Sales leaders meet on business issues.];Grid question [HR and Sales compete for influence.];Which tasks does HR perform for Sales? [recruiting];Which tasks does HR perform for Sales? [onboarding];Which tasks does HR perform for Sales? [training];Which tasks does HR perform for Sales? [benchmarking];HR staff dedicated to Sales;A named HR partner serves Sales.;Who decides on sales hires?;Sales turnover (%)\n\
1;2025-01-01 10:00:00;3;Monthly;Agree;Yes;No;Yes;No;2;Yes;Jointly;10\n\
2;2025-01-02 10:00:00;3;N/A;Disagree;N/A;N/A;N/A;N/A;1;N/A;Sales alone;5\n\
3;2025-01-03 10:00:00;3;Never;N/A;No;No;No;No;0;No;Jointly;\n";
    let (r, csv) = import_mini("results.csv", text.as_bytes(), &with_format("limesurvey"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    // `N/A` never counts as chosen: respondent 2 answered no option question at all.
    assert_eq!(
        csv,
        format!(
            "{CANONICAL_HEADER}\n\
1,acme,hr,w1,4,4,recruiting;training,2,yes,joint,10\n\
2,acme,hr,w1,,2,,1,,sales_alone,5\n\
3,acme,hr,w1,1,,none,0,no,joint,\n"
        )
    );
}

#[test]
fn limesurvey_code_headings_and_the_response_id_spelling() {
    let text = "id. Response ID,submitdate. Date submitted,G1[SQ001]. Grid question [HR and Sales leaders meet on business issues.],G2. HR and Sales compete for influence.\n\
7,2025-01-01,Quarterly,Neither\n";
    let (r, csv) = import_mini("codes.csv", text.as_bytes(), &with_format("limesurvey"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(csv, format!("{CANONICAL_HEADER}\n7,acme,hr,w1,3,3,,,,,\n"));
    // Every column is read, so the items without one are a warning, not an error.
    assert!(
        r.stderr.contains("no column for 5 item(s), counted as missing in every row: cap_tasks, cap_staff, cap_bp, cap_owner, turnover_pct"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_qualtrics_export_reads_matrix_rows_option_columns_and_an_introduced_question() {
    // Row 2 of Q1 carries an introduction before the question; Q2 is a multiple answer with one
    // column per choice (`<question> - <choice>`); Q3 a matrix row.
    let text = "StartDate,Status,Finished,ResponseId,Q1,Q2_1,Q2_2,Q2_3,Q2_4,Q3_1,Q3_2\n\
Start Date,Response Type,Finished,Response ID,\"Thank you for taking part.\nHR and Sales leaders meet on business issues.\",Which tasks does HR perform for Sales? - recruiting,Which tasks does HR perform for Sales? - onboarding,Which tasks does HR perform for Sales? - training,Which tasks does HR perform for Sales? - benchmarking,How far do you agree? - HR and Sales compete for influence.,How far do you agree? - A named HR partner serves Sales.\n\
\"{\"\"ImportId\"\":\"\"startDate\"\"}\",\"{\"\"ImportId\"\":\"\"status\"\"}\",\"{\"\"ImportId\"\":\"\"finished\"\"}\",\"{\"\"ImportId\"\":\"\"_recordId\"\"}\",\"{\"\"ImportId\"\":\"\"QID1\"\"}\",\"{\"\"ImportId\"\":\"\"QID2_1\"\"}\",\"{\"\"ImportId\"\":\"\"QID2_2\"\"}\",\"{\"\"ImportId\"\":\"\"QID2_3\"\"}\",\"{\"\"ImportId\"\":\"\"QID2_4\"\"}\",\"{\"\"ImportId\"\":\"\"QID3_1\"\"}\",\"{\"\"ImportId\"\":\"\"QID3_2\"\"}\"\n\
2025-01-01,IP Address,True,R_a,Monthly,recruiting,,training,,Agree,Yes\n\
2025-01-01,IP Address,True,R_b,Never,,,,,Disagree,No\n\
2025-01-01,Survey Test,True,R_c,Never,,,,,Disagree,No\n";
    let (r, csv) = import_mini("q.csv", text.as_bytes(), &with_format("qualtrics"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        csv,
        format!(
            "{CANONICAL_HEADER}\n\
R_a,acme,hr,w1,4,4,recruiting;training,,yes,,\n\
R_b,acme,hr,w1,1,2,,,no,,\n"
        )
    );
    assert_eq!(
        r.stdout.trim(),
        "read 3 rows: scored 2, rejected 0, filtered 1 (Status is \"Survey Test\": Qualtrics test responses; add `keep: {}` to the profile to score them)"
    );
}

#[test]
fn an_unread_item_is_shown_the_columns_whose_question_text_starts_like_it() {
    // A choice task: row 2 is the question followed by the lines of the table the respondent
    // compared, and the same task is asked twice (Q1, Q4). Neither header is the item's text,
    // so the run stops, and the closest headers name the columns by code and question line.
    let text = std::fs::read(crate::support::fixtures().join("sources/qualtrics-choice-tasks.csv"))
        .unwrap();
    let (r, csv) = import_mini("tasks.csv", &text, &with_format("qualtrics"));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(csv, "");
    assert!(
        r.stderr.contains("item `col_1` (\"HR and Sales leaders meet on business issues.\") is read from no column; closest headers: `Q1` (\"HR and Sales leaders meet on business issues.\"), `Q4` (\"HR and Sales leaders meet on business issues.\"); name its column in the profile's `columns: { col_1: \"header\" }`"),
        "{}",
        r.stderr
    );
}

#[test]
fn surveymonkey_ids_spelled_without_a_space_and_grid_rows_in_the_second_header_row() {
    let text = "RespondentID,CollectorID,How often?,Please rate each statement.,\n\
,,Response,HR and Sales compete for influence.,A named HR partner serves Sales.\n\
101,9,Monthly,Agree,Yes\n\
102,9,Never,Strongly disagree,No\n";
    let (r, csv) = import_mini("sm.csv", text.as_bytes(), &with_format("surveymonkey"));
    assert_eq!(r.code, 2, "{}", r.stderr);
    // `How often?` names no item, and col_1 is read from no column: both are named.
    assert!(
        r.stderr.contains("item `col_1` (\"HR and Sales leaders meet on business issues.\") is read from no column"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("`How often?`"), "{}", r.stderr);
    assert_eq!(csv, "");
    let text = text.replace(
        "How often?",
        "HR and Sales leaders meet on business issues.",
    );
    let (r, csv) = import_mini("sm.csv", text.as_bytes(), &with_format("surveymonkey"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        csv,
        format!("{CANONICAL_HEADER}\n101,acme,hr,w1,4,4,,,yes,,\n102,acme,hr,w1,1,1,,,no,,\n")
    );
    // Without any id column, rows are named by their line, with a warning.
    let text = text.replace("RespondentID", "StartDate");
    let (r, csv) = import_mini("sm.csv", text.as_bytes(), &with_format("surveymonkey"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(csv.contains("\nline-3,acme,hr,w1,4,4,"), "{csv}");
    assert!(
        r.stderr.contains("no respondent id column (the surveymonkey preset reads `Respondent ID` or `RespondentID`); each row's id is its line"),
        "{}",
        r.stderr
    );
}

#[test]
fn kobo_and_odk_answers_by_option_name_and_headers_by_xml_name() {
    // XML names as headers (`_` for spaces), choice names as answers.
    let text =
        "start;HR_and_Sales_leaders_meet_on_business_issues;grp/col_2;cap_tasks;cap_owner;_uuid\n\
2025-01-01;monthly;strongly_agree;recruiting training;sales_alone;u-1\n\
2025-01-01;never;don't_know;none;joint;u-2\n";
    let (r, csv) = import_mini("kobo.csv", text.as_bytes(), &with_format("kobo"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        csv,
        format!(
            "{CANONICAL_HEADER}\nu-1,acme,hr,w1,4,5,recruiting;training,,,sales_alone,\nu-2,acme,hr,w1,1,Don't know,none,,,joint,\n"
        )
    );
}

#[test]
fn odk_rows_one_trailing_field_short_are_accepted_with_a_warning() {
    let text = "SubmissionDate,grp-col_1,KEY,SubmitterID,Status\n\
2025-01-01,Monthly,uuid:1,5\n\
2025-01-02,Never,uuid:2,5,\n";
    let profile = "format: odk\norg: { value: acme }\nrole: { value: hr }\nwave: { value: w1 }\ncolumns: { col_2: null, cap_tasks: null, cap_staff: null, cap_bp: null, cap_owner: null, turnover_pct: null }\n";
    let (r, csv) = import_with_profile("odk.csv", text.as_bytes(), profile);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        csv,
        format!("{CANONICAL_HEADER}\nuuid:1,acme,hr,w1,4,,,,,,\nuuid:2,acme,hr,w1,1,,,,,,\n")
    );
    assert!(
        r.stderr
            .contains("1 row(s) have fewer fields than the header (5 columns)"),
        "{}",
        r.stderr
    );
    // A short row whose missing field an item reads is still refused.
    let text = "SubmissionDate,KEY,grp-col_1\n2025-01-01,uuid:1\n";
    let (r, csv) = import_with_profile("odk.csv", text.as_bytes(), profile);
    assert_eq!(csv, format!("{CANONICAL_HEADER}\n"));
    assert!(r.stderr.contains("1 row(s) rejected"), "{}", r.stderr);
}

#[test]
fn microsoft_forms_other_text_in_a_checkbox_cell_is_ignored_and_counted() {
    let text = "ID,Start time,Completion time,Email,Name,Which tasks does HR perform for Sales?\n\
1,2025-01-01,2025-01-01,anonymous,,recruiting;Coaching the sales managers;\n\
2,2025-01-01,2025-01-01,anonymous,,onboarding;training;\n\
3,2025-01-01,2025-01-01,anonymous,,Something else entirely;\n";
    let (r, csv) = import_with_profile("forms.csv", text.as_bytes(), "format: ms-forms\norg: { value: acme }\nrole: { value: hr }\nwave: { value: w1 }\ncolumns: { col_1: null, col_2: null, cap_staff: null, cap_bp: null, cap_owner: null, turnover_pct: null }\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        csv,
        format!("{CANONICAL_HEADER}\n1,acme,hr,w1,,,recruiting,,,,\n2,acme,hr,w1,,,onboarding;training,,,,\n3,acme,hr,w1,,,none,,,,\n")
    );
    assert!(
        r.stderr
            .contains("2 checkbox answer(s) held text that is no option of the item"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_columns_header_always_wins_and_one_that_names_no_header_gets_the_closest() {
    // Two matrices with the same row texts: the profile names the right one.
    let text = "respondent_id,First round - HR and Sales compete for influence.,Second round - HR and Sales compete for influence.\n\
r1,Agree,Disagree\n";
    let dir = temp();
    let profile = dir.path().join("p.yaml");
    let write = |columns: &str| {
        std::fs::write(
            &profile,
            format!("format: google-forms\norg: {{ value: acme }}\nrole: {{ value: hr }}\nwave: {{ value: w1 }}\ncolumns: {{ {columns}, col_1: null, cap_tasks: null, cap_staff: null, cap_bp: null, cap_owner: null, turnover_pct: null }}\n"),
        )
        .unwrap();
    };
    write("col_2: \"Second round - HR and Sales compete for influence.\"");
    let args = ["--profile", profile.to_str().unwrap()];
    let (r, csv) = import_mini("two.csv", text.as_bytes(), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(csv, format!("{CANONICAL_HEADER}\nr1,acme,hr,w1,,2,,,,,\n"));
    write("col_2: \"Second round - HR and Sales compete\"");
    let (r, _) = import_mini("two.csv", text.as_bytes(), &args);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("columns: `Second round - HR and Sales compete` (item `col_2`) is not a header of the file; closest headers: `Second round - HR and Sales compete for influence.`"),
        "{}",
        r.stderr
    );
}

/// A zip archive of `parts` (name, text), as workbooks are.
fn archive(parts: &[(&str, String)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        out.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// An xlsx workbook: a very hidden sheet first, then `Form1` with `rows` (cell XML per row).
fn xlsx(rows: &str, shared: &[&str]) -> Vec<u8> {
    let strings: String = shared
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    archive(&[
        ("[Content_Types].xml", "<Types/>".to_string()),
        (
            "xl/workbook.xml",
            r#"<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="_56F9DC" sheetId="1" state="veryHidden" r:id="rId1"/><sheet name="Form1" sheetId="2" r:id="rId2"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="worksheets/sheet2.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/styles.xml",
            r#"<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="9"/><xf numFmtId="164"/></cellXfs></styleSheet>"#.to_string(),
        ),
        (
            "xl/sharedStrings.xml",
            format!(r#"<sst count="4294967295" uniqueCount="4294967295">{strings}</sst>"#),
        ),
        (
            "xl/worksheets/sheet1.xml",
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>not the answers</t></is></c></row></sheetData></worksheet>"#.to_string(),
        ),
        (
            "xl/worksheets/sheet2.xml",
            format!("<worksheet><sheetData>{rows}</sheetData></worksheet>"),
        ),
    ])
}

#[test]
fn workbook_cells_read_as_shown_from_the_first_visible_sheet() {
    // Header by shared strings; a percentage (25%), a date-formatted wave, a whole number.
    let shared = [
        "respondent_id",
        "org",
        "role",
        "wave",
        "turnover_pct",
        "cap_staff",
        "r1",
        "acme",
        "hr",
    ];
    let header: String = (0..6)
        .map(|i| {
            format!(
                r#"<c r="{}1" t="s"><v>{i}</v></c>"#,
                (b'A' + i as u8) as char
            )
        })
        .collect();
    let rows = format!(
        r#"<row r="1">{header}</row><row r="2"><c r="A2" t="s"><v>6</v></c><c r="B2" t="s"><v>7</v></c><c r="C2" t="s"><v>8</v></c><c r="D2" s="2"><v>45943</v></c><c r="E2" s="1"><v>0.25</v></c><c r="F2"><v>2.0</v></c></row>"#
    );
    let dir = temp();
    let file = dir.path().join("answers.xlsx");
    std::fs::write(&file, xlsx(&rows, &shared)).unwrap();
    let out = dir.path().join("canonical.csv");
    let r = run(&[
        "import",
        "--survey",
        "mini.yaml",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!("{CANONICAL_HEADER}\nr1,acme,hr,2025-10-13,,,,2,,,25\n")
    );
    // The hidden sheet is read only when `sheet:` names it.
    let profile = dir.path().join("p.yaml");
    std::fs::write(&profile, "sheet: _56F9DC\n").unwrap();
    let r = run(&[
        "import",
        "--survey",
        "mini.yaml",
        file.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
        "-o",
        dir.path().join("hidden.csv").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("column `not the answers`"),
        "{}",
        r.stderr
    );
}

#[test]
fn workbook_bombs_are_refused_with_where_and_why() {
    let dir = temp();
    let score = |name: &str, bytes: &[u8]| {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        run(&[
            "score",
            "--survey",
            "mini.yaml",
            file.to_str().unwrap(),
            "-o",
            dir.path().join("out").to_str().unwrap(),
        ])
    };
    // Two cells at opposite corners of the sheet: 17 billion cells if the range were filled.
    let sparse = xlsx(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>respondent_id</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
        &[],
    );
    let r = score("sparse.xlsx", &sparse);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("sparse.xlsx: sheet `Form1` spans 1048576 rows × 16384 columns (to row 1048576), more than the 5000000 cells partnerscope reads from a workbook"),
        "{}",
        r.stderr
    );
    // Repeated rows and columns of an .ods count as the cells they stand for.
    let content = r#"<office:document-content><office:body><office:spreadsheet><table:table table:name="Answers"><table:table-row><table:table-cell office:value-type="string"><text:p>respondent_id</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="1024" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let ods = archive(&[
        (
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet".to_string(),
        ),
        ("content.xml", content.to_string()),
    ]);
    let r = score("repeated.ods", &ods);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("repeated.ods: sheet `Answers` spans")
            && r.stderr.contains("cells partnerscope reads"),
        "{}",
        r.stderr
    );
    // A legacy .xls, by name or by content.
    let ole = [0xD0u8, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
    for name in ["old.xls", "renamed.csv"] {
        let r = score(name, &ole);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("is an Excel 97–2003 workbook (.xls), which partnerscope does not read; open it in Excel or LibreOffice and save it as .xlsx or CSV"),
            "{}",
            r.stderr
        );
    }
    // Not a zip at all.
    let r = score("broken.xlsx", b"respondent_id,org\n");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot read the workbook"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_profile_is_size_capped() {
    let dir = temp();
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, "# x\n".repeat(300_000)).unwrap();
    for profile in [big.to_str().unwrap(), "/dev/zero"] {
        let r = run(&[
            "score",
            "--survey",
            "mini.yaml",
            "sources/google-forms.csv",
            "--profile",
            profile,
            "-o",
            dir.path().join("out").to_str().unwrap(),
        ]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains("the profile is larger than 1024 KB; a source profile is a short YAML file: check the path"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn import_carries_the_panel_code_named_by_the_profile() {
    let text = "ResponseId,Panel code,grp-col_1\nR1,kx-17,Monthly\nR2,,Never\n";
    let profile = "respondent_id: ResponseId\npanel_id: Panel code\norg: { value: acme }\nrole: { value: hr }\nwave: { value: w1 }\ncolumns: { col_1: grp-col_1, col_2: null, cap_tasks: null, cap_staff: null, cap_bp: null, cap_owner: null, turnover_pct: null }\n";
    let (r, csv) = import_with_profile("panel.csv", text.as_bytes(), profile);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let header = CANONICAL_HEADER.replacen(",wave,", ",wave,panel_id,", 1);
    assert_eq!(
        csv,
        format!("{header}\nR1,acme,hr,w1,kx-17,4,,,,,,\nR2,acme,hr,w1,,1,,,,,,\n")
    );
    // Without panel codes the canonical file has no such column.
    let text = "ResponseId,grp-col_1\nR1,Monthly\n";
    let (r, csv) = import_with_profile("plain.csv", text.as_bytes(), profile);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(csv, format!("{CANONICAL_HEADER}\nR1,acme,hr,w1,4,,,,,,\n"));
}
