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
    ("negative_weight", "bad/negative_weight.yaml:23:13: dimension `collaboration` has weight -1; weights must be above 0 and at most 1000"),
    ("min_not_below_max", "bad/min_not_below_max.yaml:35:82: item `cap_staff` has min 4 and max 4; min must be below max"),
    ("full_at_too_large", "bad/full_at_too_large.yaml:34:18: multi item `cap_tasks` has full_at 9; it must be between 1 and the number of options (4)"),
    ("choice_without_score", "bad/choice_without_score.yaml:42:13: choice item `cap_owner` option `joint` has no score; add `score: 0..100`"),
    ("numeric_label", "bad/numeric_label.yaml:19:29: scale `freq4` label `4` is a number, which would be read as a code; use words"),
    ("duplicate_label", "bad/duplicate_label.yaml:19:40: scale `freq4` label `never` appears twice (labels are compared ignoring case, `na` labels included)"),
    ("bad_id_and_version", "bad/bad_id_and_version.yaml:2:5: instrument id `Mini Check` must start with a lowercase letter and contain only lowercase letters, digits, `_` and `-`\nbad/bad_id_and_version.yaml:3:10: version `1.2` must be MAJOR.MINOR.PATCH, e.g. 1.0.0"),
    ("wrong_type", "bad/wrong_type.yaml:6:22: expected a whole number here"),
    ("invalid_yaml", "bad/invalid_yaml.yaml:14:7: illegal placement of ':' indicator"),
    ("reserved_id", "bad/reserved_id.yaml:36:15: `none` is reserved and cannot be the id of an item; choose another"),
    ("misplaced_key", "bad/misplaced_key.yaml:36:15: item `cap_bp` is of type boolean, so `options` does not apply (it is for choice and multi items); remove it"),
    ("unknown_type", "bad/unknown_type.yaml:32:15: unknown variant `multiple`, expected one of scale, number, boolean, choice, multi"),
    ("not_utf8", "bad/not_utf8.yaml:2:11: the file is not UTF-8 text; save it as UTF-8"),
    // Ids and labels a cell is matched against are distinct ignoring case (SPEC §2).
    ("role_label_is_another_id", "bad/role_label_is_another_id.yaml:10:32: the label `HR` of role `sales_leader` is also the id of role `hr` (ignoring case), so a `role` cell `HR` would mean two roles; give each role an id and a label no other role uses"),
    ("role_ids_differ_in_case", "bad/role_ids_differ_in_case.yaml:12:11: role id `HR` is also the id of role `hr` (ignoring case), so a `role` cell `HR` would mean two roles; give each role an id and a label no other role uses"),
    ("option_label_is_another_id", "bad/option_label_is_another_id.yaml:42:13: choice item `cap_owner`: option id `joint` is also the label of option `sales_alone` (ignoring case), so a cell `joint` would mean two options; give each option an id and a label no other option of the item uses"),
    ("multi_option_named_none", "bad/multi_option_named_none.yaml:33:53: multi item `cap_tasks` option `benchmarking` has the label `None`, which a cell reads as \"no option chosen\"; choose another label"),
    ("na_label_repeats_label", "bad/na_label_repeats_label.yaml:17:10: scale `agree5` label `NEITHER` appears twice (labels are compared ignoring case, `na` labels included)"),
    // Every number finite, weights in (0, 1000], number ranges within ±1e12.
    ("huge_weight", "bad/huge_weight.yaml:23:13: dimension `collaboration` has weight 1e308; weights must be above 0 and at most 1000"),
    ("infinite_weight", "bad/infinite_weight.yaml:23:13: dimension `collaboration` has weight inf; weights must be above 0 and at most 1000"),
    ("nan_score", "bad/nan_score.yaml:42:49: value `.nan` is not a finite number"),
    ("huge_range", "bad/huge_range.yaml:35:82: item `cap_staff` has min -1e308 and max 1e308; min and max must lie between -1e12 and 1e12"),
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
    assert_eq!(stdout.trim(), "read 9 rows: scored 2, rejected 7");
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
            [f, "10", "role", "r7", "role is empty (roles: hr, sales_leader, sales_rep)"],
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

/// A change made to a norms file.
type Edit = dyn FnOnce(&mut serde_json::Value);

/// Builds norms from `hand/2025-H1.csv`, lets `edit` tamper with them, and benchmarks
/// `hand/2025-H2.csv` against the result; returns the run and the norms file's path.
fn tampered_norms(edit: impl FnOnce(&mut serde_json::Value)) -> (crate::support::Run, String) {
    let dir = temp();
    let norms = dir.path().join("norms.json");
    let built = run(&[
        "norms",
        "--survey",
        "mini.yaml",
        "hand/2025-H1.csv",
        "-o",
        norms.to_str().unwrap(),
    ]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&norms).unwrap()).unwrap();
    edit(&mut json);
    std::fs::write(&norms, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let r = run(&[
        "score",
        "--survey",
        "mini.yaml",
        "hand/2025-H2.csv",
        "--norms",
        norms.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    (r, norms.display().to_string())
}

#[test]
fn tampered_norms_files_are_refused_naming_the_field() {
    // populations: [0] all/collaboration, [1] all/index, five values each, starting on lines 13
    // and 28 of the pretty-printed file (capability is left out: one organization's is hidden
    // by SPEC §15, which leaves four).
    let rebuild = "; rebuild the file with `partnerscope norms`";
    let cases: Vec<(&str, Box<Edit>, String)> = vec![
        (
            "unsorted",
            Box::new(|j| j["populations"][1]["values"][0] = 99.0.into()),
            format!("28:5: populations[1] (all/index).values: not sorted{rebuild}"),
        ),
        (
            "out of range",
            Box::new(|j| j["populations"][1]["values"][0] = (-1e308).into()),
            format!("28:5: populations[1] (all/index).values[0]: -1e308 is outside 0–100{rebuild}"),
        ),
        (
            "too short",
            Box::new(|j| {
                let p = &mut j["populations"][0];
                p["values"] = serde_json::json!([10.0, 20.0, 30.0]);
                p["n"] = 3.into();
            }),
            format!("13:5: populations[0] (all/collaboration).values: 3 value(s); a population needs at least 5{rebuild}"),
        ),
        (
            "n not the count",
            Box::new(|j| j["populations"][1]["n"] = 12.into()),
            format!("28:5: populations[1] (all/index).n: 12, but there are 5 values{rebuild}"),
        ),
        (
            "mean",
            Box::new(|j| j["populations"][1]["mean"] = 60.0.into()),
            format!("28:5: populations[1] (all/index).mean: 60, but the values' mean is 45.72222222222222{rebuild}"),
        ),
        (
            "sd",
            Box::new(|j| j["populations"][1]["sd"] = serde_json::Value::Null),
            format!("28:5: populations[1] (all/index).sd: missing, but the values' sd is 11.80857804445983{rebuild}"),
        ),
        (
            "unknown group",
            Box::new(|j| j["populations"][0]["group"] = "role:intern".into()),
            format!("13:5: populations[0] (role:intern/collaboration).group: `role:intern` is not a group of instrument `mini` (groups: all, role:hr, role:sales_leader, role:sales_rep){rebuild}"),
        ),
        (
            "unknown measure",
            Box::new(|j| j["populations"][0]["measure"] = "colaboration".into()),
            format!("13:5: populations[0] (all/colaboration).measure: `colaboration` is not a measure of instrument `mini` (measures: collaboration, capability, index){rebuild}"),
        ),
        (
            "repeated",
            Box::new(|j| j["populations"][1]["measure"] = "collaboration".into()),
            "28:5: populations[1] (all/collaboration): the same group and measure as populations[0]; rebuild the file with `partnerscope norms`".to_string(),
        ),
    ];
    for (case, edit, message) in cases {
        let (r, norms) = tampered_norms(edit);
        assert_eq!(r.code, 2, "{case}: {}", r.stderr);
        assert_eq!(r.stderr.trim_end(), format!("{norms}:{message}"), "{case}");
        assert!(r.stdout.is_empty(), "{case}: nothing is scored");
    }
}

#[test]
fn norms_from_another_file_of_the_same_major_version_warn_naming_both_versions() {
    let (r, norms) = tampered_norms(|j| {
        j["instrument"]["version"] = "1.1.0".into();
        j["instrument"]["sha256"] = "0".repeat(64).into();
    });
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("warning: {norms}: these norms were built from instrument `mini` 1.1.0 and this is `mini` 1.2.0, a different file with the same id and major version; the percentiles assume both versions score alike")),
        "{}",
        r.stderr
    );
}

#[test]
fn simulate_refuses_more_than_a_billion_rows_before_writing() {
    let dir = temp();
    let path = dir.path().join("never.csv");
    let r = run(&[
        "simulate",
        "--organizations",
        "1000000",
        "--respondents",
        "1000",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        "error: --organizations 1000000 × --respondents 1000 × --waves 2 asks for 2000000000 rows; simulate writes at most 1000000000 (10^9): lower a count"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

/// Runs `report` on `hand/2025-H1.csv` with the templates of `templates`, `env` set.
fn report_with_templates(templates: &std::path::Path, env: &[(&str, &str)]) -> (i32, String) {
    let out = temp();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .current_dir(crate::support::fixtures())
        .args(["report", "--survey", "mini.yaml", "hand/2025-H1.csv", "-q"])
        .arg("--templates")
        .arg(templates)
        .arg("--out")
        .arg(out.path().join("report"))
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn a_template_linked_from_outside_the_templates_folder_is_refused() {
    let dir = temp();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "root:x:0:0").unwrap();
    std::os::unix::fs::symlink(&secret, templates.join("org.html")).unwrap();
    let (code, stderr) = report_with_templates(&templates, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "{}: a symbolic link to {}, outside the templates folder; copy the file into {} instead of linking to it",
            templates.join("org.html").display(),
            std::fs::canonicalize(&secret).unwrap().display(),
            templates.display()
        )
    );
    // A link that stays inside the folder is fine.
    std::fs::remove_file(templates.join("org.html")).unwrap();
    std::fs::write(templates.join("mine.html"), "<p>own page</p>").unwrap();
    std::os::unix::fs::symlink(templates.join("mine.html"), templates.join("org.html")).unwrap();
    let (code, stderr) = report_with_templates(&templates, &[]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_template_that_renders_too_long_stops_the_run_naming_it() {
    let dir = temp();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    // 10^10 steps: runs for hours without the watchdog.
    std::fs::write(
        templates.join("org.html"),
        "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let (code, stderr) =
        report_with_templates(&templates, &[("PARTNERSCOPE_TEMPLATE_TIMEOUT", "0.5")]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: template `org.html` took more than 0.5 s to render one page, so the run stops; simplify its loops, or raise PARTNERSCOPE_TEMPLATE_TIMEOUT (seconds)"
    );
    assert!(started.elapsed().as_secs() < 60, "the watchdog fired late");
    let (code, stderr) =
        report_with_templates(&templates, &[("PARTNERSCOPE_TEMPLATE_TIMEOUT", "soon")]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim_end(),
        "error: PARTNERSCOPE_TEMPLATE_TIMEOUT=soon: expected a number of seconds above 0 (the default is 30)"
    );
}

#[cfg(unix)]
#[test]
fn an_endless_instrument_file_is_refused_with_bounded_memory() {
    let r = run(&["validate", "--survey", "/dev/zero"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim_end(),
        "/dev/zero: the instrument is larger than 16 MiB, far more than such a file holds; check that the path names the right file"
    );
}
