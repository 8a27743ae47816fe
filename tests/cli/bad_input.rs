//! The bad-input corpus: every malformed instrument and response file in `tests/fixtures/bad/`
//! with the exact message and location it must produce. These tests are the specification of
//! the wording.

use crate::support::{run, temp, Table};

/// (fixture, the complete error output)
const INSTRUMENTS: &[(&str, &str)] = &[
    ("typo_key", "bad/typo_key.yaml:23:5: unknown field `wieght`, expected one of id, title, description, weight, items"),
    ("missing_title", "bad/missing_title.yaml:48:1: missing key `title`; add it (the instrument format is described in the README)"),
    ("duplicate_key", "bad/duplicate_key.yaml:8:1: duplicate mapping key `min_answered` is not allowed here"),
    ("undefined_scale", "bad/undefined_scale.yaml:25:84: item `col_1` uses scale `freq5`, which is not defined (defined: agree5, freq4)"),
    ("duplicate_item_id", "bad/duplicate_item_id.yaml:26:15: id `col_1` is already used at line 25; dimension, item and outcome ids must be unique"),
    ("empty_dimension", "bad/empty_dimension.yaml:24:12: dimension `collaboration` has no items; add at least one"),
    ("levels_not_ascending", "bad/levels_not_ascending.yaml:48:53: level `strategic` has min 40, not above the previous level `partner` (min 50); list levels with strictly ascending thresholds"),
    ("first_level_not_zero", "bad/first_level_not_zero.yaml:46:50: the first level `support` has min 10; it must be 0 so that every score has a level"),
    ("recommendation_unknown_dimension", "bad/recommendation_unknown_dimension.yaml:50:3: recommendations for `colaboration`, which is not a dimension (dimensions: collaboration, capability)"),
    ("gap_unknown_role", "bad/gap_unknown_role.yaml:13:20: perception gap names role `hrr`, which is not defined (defined: hr, sales_leader, sales_rep)"),
    ("negative_weight", "bad/negative_weight.yaml:23:13: dimension `collaboration` has weight -1; weights must be positive"),
    ("min_not_below_max", "bad/min_not_below_max.yaml:35:82: item `cap_staff` has min 4 and max 4; min must be below max"),
    ("full_at_too_large", "bad/full_at_too_large.yaml:34:18: multi item `cap_tasks` has full_at 9; it must be between 1 and the number of options (4)"),
    ("choice_without_score", "bad/choice_without_score.yaml:41:11: choice item `cap_owner` option `joint` has no score; add `score: 0..100`"),
    ("numeric_label", "bad/numeric_label.yaml:19:29: scale `freq4` label `4` is a number, which would be read as a code; use words"),
    ("duplicate_label", "bad/duplicate_label.yaml:19:40: scale `freq4` label `never` appears twice (labels are compared ignoring case, `na` labels included)"),
    ("bad_id_and_version", "bad/bad_id_and_version.yaml:2:5: instrument id `Mini Check` must start with a lowercase letter and contain only lowercase letters, digits, `_` and `-`\nbad/bad_id_and_version.yaml:3:10: version `1.2` must be MAJOR.MINOR.PATCH, e.g. 1.0.0"),
    ("wrong_type", "bad/wrong_type.yaml:6:22: expected a whole number here"),
    ("invalid_yaml", "bad/invalid_yaml.yaml:14:7: illegal placement of ':' indicator"),
    ("reserved_id", "bad/reserved_id.yaml:36:15: `none` is reserved and cannot be the id of an item; choose another"),
    ("misplaced_key", "bad/misplaced_key.yaml:36:15: item `cap_bp` is of type boolean, so `options` does not apply (it is for choice and multi items); remove it"),
    ("unknown_type", "bad/unknown_type.yaml:32:15: unknown variant `multiple`, expected one of scale, number, boolean, choice, multi"),
    ("not_utf8", "bad/not_utf8.yaml:2:11: the file is not UTF-8 text; save it as UTF-8"),
];

#[test]
fn malformed_instruments_are_refused_with_every_problem_located() {
    for (name, expected) in INSTRUMENTS {
        let path = format!("bad/{name}.yaml");
        let r = run(&["validate", "--survey", &path]);
        assert_eq!(r.code, 2, "{name}: exit code");
        assert_eq!(r.stderr.trim_end(), *expected, "{name}");
        assert!(r.stdout.is_empty(), "{name}: nothing else runs");
        // Every command refuses the same way.
        let s = run(&[
            "score",
            "--survey",
            &path,
            "hand/2025-H1.csv",
            "--out",
            "/nonexistent/never-written",
        ]);
        assert_eq!(
            (s.code, s.stderr.trim_end()),
            (2, *expected),
            "{name} under score"
        );
    }
}

/// Runs `score` on a bad response file; returns (exit code, stdout, stderr, rejects rows).
fn score_rejects(file: &str, extra: &[&str]) -> (i32, String, String, Vec<Vec<String>>) {
    let dir = temp();
    let out = dir.path().to_str().unwrap().to_string();
    let mut args = vec!["score", "--survey", "mini.yaml", file, "--out", &out];
    args.extend_from_slice(extra);
    let r = run(&args);
    let rows = if r.code == 0 {
        Table::read(&dir.path().join("rejects.csv")).rows
    } else {
        Vec::new()
    };
    (r.code, r.stdout, r.stderr, rows)
}

fn rejects(expected: &[[&str; 5]]) -> Vec<Vec<String>> {
    expected
        .iter()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn unparsable_cells_are_rejected_with_line_column_and_reason() {
    let (code, stdout, _, rows) = score_rejects("bad/cells.csv", &[]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), "read 13 rows: scored 2, rejected 11");
    let f = "bad/cells.csv";
    assert_eq!(
        rows,
        rejects(&[
            [f, "2", "col_1", "r1", "`9` is not a code 1–4 or a label of scale `freq4`"],
            [f, "3", "col_1", "r2", "`3.5` is not a code 1–4 or a label of scale `freq4`"],
            [f, "4", "col_1", "r3", "`Sometimes` is not a code 1–4 or a label of scale `freq4`"],
            [f, "5", "cap_bp", "r4", "`maybe` is not yes/no, true/false or 1/0"],
            [f, "6", "cap_staff", "r5", "`5` is outside the allowed range 0–4"],
            [f, "7", "cap_staff", "r6", "`2,5` is not a number; write decimals with a point, not a comma"],
            [f, "8", "cap_owner", "r7", "`shared` is not an option of `cap_owner` (options: sales_alone, joint)"],
            [f, "9", "cap_tasks", "r8", "`golf` is not an option of `cap_tasks` (options: recruiting, onboarding, training, benchmarking, or none)"],
            [f, "10", "cap_tasks", "r9", "`none;recruiting` combines `none` with other options; `none` must stand alone"],
            [f, "11", "cap_tasks", "r10", "`recruiting;;training` has an empty option between `;` separators"],
            [f, "12", "turnover_pct", "r11", "`140` is outside the allowed range 0–100"],
        ])
    );
}

#[test]
fn labels_in_any_case_trimmed_tokens_and_na_labels_are_accepted() {
    let dir = temp();
    let out = dir.path().to_str().unwrap();
    let r = run(&[
        "score",
        "--survey",
        "mini.yaml",
        "bad/cells.csv",
        "--out",
        out,
    ]);
    assert_eq!(r.code, 0);
    let t = Table::read(&dir.path().join("respondent_scores.csv"));
    // r12: MONTHLY → 100, "strongly AGREE" → 100 reversed → 0: collaboration 50; tasks
    // " training ; recruiting " → 2 of full_at 2 → 100, staff 2/4 → 50, TRUE → 100, joint → 100:
    // capability 87.5; index (2·50 + 87.5)/3 = 62.5.
    assert_eq!(
        t.rows[0][..7],
        ["r12", "acme", "hr", "w1", "50", "87.5", "62.5"]
    );
    // r13: 3 → 66.67 and "don't know" (na) on col_2: 1 of 2 answered still scores.
    assert_eq!(
        t.rows[1][..6],
        ["r13", "acme", "hr", "w1", "66.66666666666667", ""]
    );
}

#[test]
fn row_level_problems_are_rejected_and_ids_repeat_only_across_waves() {
    let (code, stdout, _, rows) = score_rejects("bad/rows.csv", &[]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), "read 8 rows: scored 2, rejected 6");
    let f = "bad/rows.csv";
    assert_eq!(
        rows,
        rejects(&[
            [f, "2", "role", "r1", "role `intern` is not defined (roles: hr, sales_leader, sales_rep)"],
            [f, "3", "respondent_id", "", "respondent_id is empty"],
            [f, "4", "org", "r3", "org is empty"],
            [f, "5", "wave", "r4", "wave is empty"],
            [f, "6", "", "r5", "the row has 6 fields but the header has 11; check for a missing or extra comma or an unclosed quote"],
            [f, "8", "respondent_id", "r6", "respondent_id `r6` was already used in wave w1 by the row on line 7 of bad/rows.csv"],
        ])
    );
}

#[test]
fn crlf_with_byte_order_mark_counts_physical_lines() {
    let (code, stdout, _, rows) = score_rejects("bad/crlf_bom.csv", &[]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), "read 4 rows: scored 3, rejected 1");
    assert_eq!(
        rows,
        rejects(&[[
            "bad/crlf_bom.csv",
            "4",
            "col_1",
            "r3",
            "`7` is not a code 1–4 or a label of scale `freq4`"
        ]])
    );
}

#[test]
fn a_quoted_line_break_shifts_later_line_numbers() {
    let (code, stdout, _, rows) = score_rejects("bad/quoted_newline.csv", &[]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), "read 3 rows: scored 2, rejected 1");
    // Row 3 starts on physical line 5: the second row spans lines 3 and 4.
    assert_eq!(
        rows,
        rejects(&[[
            "bad/quoted_newline.csv",
            "5",
            "turnover_pct",
            "r3",
            "`oops` is not a number"
        ]])
    );
}

#[test]
fn blank_lines_count_and_rows_start_where_their_text_starts() {
    // CRLF file: header on 1, a blank line, r1 on 3, two blank lines, r2 on 6–7 (a quoted
    // line break), r3 on 8 without a final line end.
    let (code, stdout, _, rows) = score_rejects("bad/blank_lines.csv", &[]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), "read 3 rows: scored 2, rejected 1");
    assert_eq!(
        rows,
        rejects(&[[
            "bad/blank_lines.csv",
            "8",
            "cap_bp",
            "r3",
            "`maybe` is not yes/no, true/false or 1/0"
        ]])
    );
}

#[test]
fn the_wave_comes_from_the_file_name_without_a_wave_column() {
    let (code, stdout, stderr, rows) = score_rejects("bad/2025-H1.csv", &[]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), "read 2 rows: scored 1, rejected 1");
    assert!(stderr.contains("warning: bad/2025-H1.csv: no column for 6 item(s), counted as missing in every row: col_2, cap_tasks, cap_staff, cap_bp, cap_owner, turnover_pct"), "{stderr}");
    assert_eq!(
        rows,
        rejects(&[[
            "bad/2025-H1.csv",
            "3",
            "respondent_id",
            "r1",
            "respondent_id `r1` was already used in wave 2025-H1 by the row on line 2 of bad/2025-H1.csv"
        ]])
    );
}

#[test]
fn absent_item_columns_warn_and_still_score() {
    let (code, stdout, stderr, rows) = score_rejects("bad/absent_items.csv", &[]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), "read 2 rows: scored 2, rejected 0");
    assert!(rows.is_empty());
    assert!(stderr.contains("warning: bad/absent_items.csv: no column for 5 item(s), counted as missing in every row: cap_tasks, cap_staff, cap_bp, cap_owner, turnover_pct"), "{stderr}");
}

#[test]
fn file_level_problems_stop_with_exit_code_2() {
    for (file, message) in [
        ("bad/no_role_column.csv", "bad/no_role_column.csv:1:1: the header has no `role` column; every response file needs respondent_id, org and role"),
        ("bad/unknown_column.csv", "bad/unknown_column.csv:1:35: column `comments` is not an item of instrument `mini` 1.2.0; rename it to an item id, or pass --ignore-unknown-columns to skip it"),
        ("bad/duplicate_column.csv", "bad/duplicate_column.csv:1:35: column `col_1` appears twice; keep one"),
        ("bad/empty.csv", "bad/empty.csv:1:1: the file is empty; the first row must name the columns (respondent_id, org, role, item ids)"),
    ] {
        let (code, stdout, stderr, _) = score_rejects(file, &[]);
        assert_eq!(code, 2, "{file}");
        assert_eq!(stderr.trim_end(), message, "{file}");
        assert!(stdout.is_empty(), "{file}");
    }
    let missing = run(&[
        "score",
        "--survey",
        "mini.yaml",
        "bad/no-such-file.csv",
        "--out",
        "/tmp/never",
    ]);
    assert_eq!(missing.code, 2);
    assert_eq!(
        missing.stderr.trim_end(),
        "error: bad/no-such-file.csv: cannot read the response file: No such file or directory (os error 2)"
    );
}

#[test]
fn unknown_columns_can_be_ignored_with_a_warning() {
    let (code, stdout, stderr, _) =
        score_rejects("bad/unknown_column.csv", &["--ignore-unknown-columns"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.trim(), "read 1 row: scored 1, rejected 0");
    assert!(stderr.contains("warning: bad/unknown_column.csv:1:35: column `comments` is not an item of instrument `mini`; ignored"), "{stderr}");
}

#[test]
fn validate_lists_rejected_rows_and_strict_fails() {
    let r = run(&["validate", "--survey", "mini.yaml", "bad/crlf_bom.csv"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "mini.yaml: instrument `mini` 1.2.0 is valid (2 dimensions, 6 items, 1 outcomes)\n\
         bad/crlf_bom.csv:4: column `col_1`: rejected: `7` is not a code 1–4 or a label of scale `freq4`\n\
         read 4 rows: scored 3, rejected 1\n"
    );
    let strict = run(&[
        "validate",
        "--survey",
        "mini.yaml",
        "bad/crlf_bom.csv",
        "--strict",
    ]);
    assert_eq!(strict.code, 2);
}

#[test]
fn a_file_that_is_not_utf8_is_refused_with_the_line_and_the_encoding_hint() {
    let dir = temp();
    let file = dir.path().join("latin1.csv");
    let mut bytes = b"respondent_id,org,role,wave,col_1\nr1,acme,hr,w1,3\nr2,Caf".to_vec();
    bytes.extend_from_slice(&[0xe9]); // é in Latin-1
    bytes.extend_from_slice(b",hr,w1,3\nr3,acme,hr,w1,4\n");
    std::fs::write(&file, bytes).unwrap();
    let path = file.to_str().unwrap();
    let (code, stdout, stderr, _) = score_rejects(path, &[]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(
        stderr.trim_end(),
        format!("{path}:3:7: the file is not UTF-8 text (byte 0xE9 here); if Excel saved it on Windows, read it with --encoding windows-1252, or save it as UTF-8")
    );
}
