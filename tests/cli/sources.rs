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
            ["15", "Q6", "R_zP7sNcD7CaKn2Hs", "`7` is outside the allowed range 0–3"],
        ],
    ),
    (
        "qualtrics-utf16.tsv",
        "read 15 rows: scored 10, rejected 2, filtered 3 (1 × Status is \"1\": Qualtrics previews, 1 × Finished is \"0\": unfinished responses, 1 × Status is \"8\": marked as spam by Qualtrics; add `keep: {}` to the profile to score them)",
        &[
            ["10", "Q2", "R_VbuNazZuYx7Jp5N", "`7` is not a code 1–5 or a label of scale `freq5`"],
            ["15", "Q6", "R_zP7sNcD7CaKn2Hs", "`7` is outside the allowed range 0–3"],
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
        "read 12 rows: scored 10, rejected 2",
        &[
            ["7", "Which of these tasks does HR currently perform for the sales organization? (select all that apply)", "6", "`Shadowing on customer visits` is not an option of `cap_tasks` (options: recruiting, candidate_screening, onboarding, sales_training, manager_training, performance_benchmarking, compensation_design, coaching, succession_planning, people_analytics, employee_relations, policy_advice, or none)"],
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
        format!("{path}:6:1: unknown field `waves`, expected one of format, sheet, delimiter, encoding, keep, respondent_id, org, role, wave, columns, values, multi_separator")
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
