//! `score` on hand-made files, against values computed independently from SPEC §4–§5 by
//! `tests/fixtures/hand/reference.py` (numpy 2.4.6, scipy 1.17.1).

use crate::support::{close, run, temp, Table};

fn score_hand(extra: &[&str]) -> (tempfile::TempDir, crate::support::Run) {
    let dir = temp();
    let out = dir.path().to_str().unwrap().to_string();
    let mut args = vec![
        "score",
        "--survey",
        "mini.yaml",
        "hand/2025-H1.csv",
        "hand/2025-H2.csv",
        "--out",
        &out,
    ];
    args.extend_from_slice(extra);
    let result = run(&args);
    (dir, result)
}

#[test]
fn respondent_scores_match_the_reference() {
    let (dir, result) = score_hand(&[]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.stdout.trim(), "read 56 rows: scored 56, rejected 0");
    let t = Table::read(&dir.path().join("respondent_scores.csv"));
    assert_eq!(
        t.header,
        [
            "respondent_id",
            "org",
            "role",
            "wave",
            "collaboration",
            "capability",
            "index",
            "level",
            "turnover_pct"
        ]
    );
    // (id, collaboration, capability, index) from reference.py
    let expected = [
        ("a1", 100.0, Some(87.5), 95.83333333333333),
        ("a2", 87.5, Some(62.5), 79.16666666666667),
        ("a3", 29.166666666666668, Some(0.0), 19.444444444444446),
        ("a4", 58.333333333333336, Some(81.25), 65.97222222222223),
        ("a5", 0.0, None, 0.0),
        ("a6", 66.66666666666667, Some(56.25), 63.19444444444445),
        ("a7", 29.166666666666668, Some(50.0), 36.111111111111114),
    ];
    for (id, col, cap, index) in expected {
        let row = first_wave(&t, id);
        close(t.num(row, "collaboration"), col);
        match cap {
            Some(cap) => close(t.num(row, "capability"), cap),
            None => assert_eq!(
                t.get(row, "capability"),
                "",
                "a5 answered no capability item"
            ),
        }
        close(t.num(row, "index"), index);
    }
    // Levels: a1 95.8 ≥ 75 with both dimensions ≥ 60 → strategic; a4 66.0 ≥ 50 → partner
    // (the gate would hold, the threshold does not); a3 19.4 → support.
    let level = |id: &str| t.get(first_wave(&t, id), "level").to_string();
    assert_eq!(level("a1"), "strategic");
    assert_eq!(level("a4"), "partner");
    assert_eq!(level("a3"), "support");
}

/// The respondent's row in wave 2025-H1 (ids repeat in 2025-H2).
fn first_wave<'a>(t: &'a Table, id: &str) -> &'a Vec<String> {
    let rows: Vec<_> = t
        .rows
        .iter()
        .filter(|r| r[0] == id && r[3] == "2025-H1")
        .collect();
    assert_eq!(rows.len(), 1, "{id}");
    rows[0]
}

#[test]
fn organization_statistics_match_the_reference() {
    let (dir, _) = score_hand(&[]);
    let t = Table::read(&dir.path().join("org_scores.csv"));
    // measure: (n, mean, sd, ci_low, ci_high)
    let expected = [
        (
            "collaboration",
            7,
            52.97619047619048,
            35.4953607520847,
            20.148456999609763,
            85.8039239527712,
        ),
        (
            "index",
            7,
            51.3888888888889,
            34.1409682035607,
            19.81375960236424,
            82.96401817541356,
        ),
    ];
    for (measure, n, mean, sd, lo, hi) in expected {
        let row = t.row(&["alpha", "2025-H1", "all", measure]);
        assert_eq!(t.get(row, "n"), n.to_string());
        close(t.num(row, "mean"), mean);
        close(t.num(row, "sd"), sd);
        close(t.num(row, "ci_low"), lo);
        close(t.num(row, "ci_high"), hi);
    }
    // Capability (6 of the 7, mean 56.25 by hand) beside the index over all 7 would give the
    // seventh respondent's index by subtraction: not shown (SPEC §15).
    assert!(t
        .find(&["alpha", "2025-H1", "all", "capability"])
        .is_empty());
    // Percentile of alpha's index among the five shown organizations (tiny has 3 rows: out).
    let index = t.row(&["alpha", "2025-H1", "all", "index"]);
    close(t.num(index, "percentile"), 70.0);
    close(t.num(index, "p25"), 41.80555555555556);
    close(t.num(index, "median"), 48.47222222222222);
    close(t.num(index, "p75"), 51.3888888888889);
    // Roles of 2–3 respondents are never shown; tiny never appears.
    assert!(t.find(&["alpha", "2025-H1", "role:hr"]).is_empty());
    assert!(t.find(&["tiny"]).is_empty());
}

#[test]
fn wave_change_matches_scipy() {
    let (dir, _) = score_hand(&[]);
    let t = Table::read(&dir.path().join("changes.csv"));
    let row = t.row(&["alpha", "index", "2025-H1", "2025-H2"]);
    close(t.num(row, "difference"), -8.449074074074083);
    close(t.num(row, "t"), -0.6172076482429966);
    close(t.num(row, "df"), 7.458269019772742);
    close(t.num(row, "p"), 0.5554661295089157);
    close(t.num(row, "hedges_g"), -0.2986204131420684);
    assert_eq!(t.get(row, "meaningful"), "false");
}

#[test]
fn summary_explains_the_level() {
    let (dir, _) = score_hand(&[]);
    let t = Table::read(&dir.path().join("org_summary.csv"));
    let row = t.row(&["alpha", "alpha", "2025-H1"]);
    assert_eq!(t.get(row, "n"), "7");
    assert_eq!(t.get(row, "level"), "partner");
    assert_eq!(t.get(row, "population"), "wave 2025-H1 (N=5)");
    assert_eq!(t.get(row, "next_level"), "strategic");
    // 75 − 51.3888888888889
    close(t.num(row, "points_to_next"), 75.0 - 51.3888888888889);
    // collaboration 52.98 and capability 56.25 are both below the gate of 60.
    assert_eq!(
        t.get(row, "blocking_dimensions"),
        "collaboration;capability"
    );
    assert!(t.find(&["tiny"]).is_empty());
}

#[test]
fn complementary_suppression_hides_the_role_that_would_reveal_a_small_one() {
    let dir = temp();
    let out = dir.path().to_str().unwrap();
    let result = run(&[
        "score",
        "--survey",
        "mini.yaml",
        "hand/suppress.csv",
        "--out",
        out,
    ]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    // omega: hr 2, sales_leader 6, sales_rep 7. hr is below 5; with sales_leader and
    // sales_rep shown it would be all − the two, so sales_leader (the smaller) is hidden too.
    let t = Table::read(&dir.path().join("org_scores.csv"));
    let groups: std::collections::BTreeSet<&str> = t.rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        groups.into_iter().collect::<Vec<_>>(),
        ["all", "role:sales_rep"]
    );
    // The only configured gap (sales_leader − hr) needs both roles: no row.
    let gaps = Table::read(&dir.path().join("perception_gaps.csv"));
    assert!(gaps.rows.is_empty());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("scores.json")).unwrap())
            .unwrap();
    let groups = &json["organizations"][0]["waves"][0]["groups"];
    let hr = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "role:hr")
        .unwrap();
    for m in hr["measures"].as_array().unwrap() {
        assert_eq!(m["suppressed"], true);
        assert!(m.get("mean").is_none() && m.get("n").is_none());
    }
    assert!(hr.get("respondent_levels").is_none());
}

/// SPEC §6: a page says why a role is hidden, never its n: "fewer than 5 responses" for the
/// role below the threshold, "not shown, to protect a smaller group" for the one hidden with it.
#[test]
fn pages_name_the_reason_a_role_is_hidden() {
    let dir = temp();
    let out = dir.path().to_str().unwrap();
    let result = run(&[
        "report",
        "--survey",
        "mini.yaml",
        "hand/suppress.csv",
        "--out",
        out,
        "-q",
    ]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let page = std::fs::read_to_string(dir.path().join("orgs/omega.html")).unwrap();
    let subtitle = page
        .lines()
        .find(|l| l.contains("by role:"))
        .expect("the respondents by role");
    assert!(
        subtitle.contains("Human Resources: fewer than 5 responses"),
        "{subtitle}"
    );
    assert!(
        subtitle.contains("Sales leadership: not shown, to protect a smaller group"),
        "{subtitle}"
    );
    assert!(subtitle.contains("Sales representatives: 7"), "{subtitle}");
}

#[test]
fn outputs_are_byte_identical_across_thread_counts() {
    let dir = temp();
    let data = dir.path().join("sim.csv");
    // 9,600 rows (about 2.9 MB): many import pieces and chunks, several output blocks.
    let sim = run(&[
        "simulate",
        "--organizations",
        "40",
        "--respondents",
        "120",
        "--waves",
        "2",
        "--seed",
        "11",
        "-o",
        data.to_str().unwrap(),
    ]);
    assert_eq!(sim.code, 0, "{}", sim.stderr);
    let mut outputs = Vec::new();
    for threads in ["1", "2", "4"] {
        let out = dir.path().join(format!("out{threads}"));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_partnerscope"))
            .args([
                "score",
                data.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "-q",
            ])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(status.status.success());
        outputs.push(out);
    }
    for name in [
        "respondent_scores.csv",
        "org_scores.csv",
        "org_summary.csv",
        "perception_gaps.csv",
        "changes.csv",
        "rejects.csv",
        "scores.json",
    ] {
        let first = std::fs::read(outputs[0].join(name)).unwrap();
        assert!(!first.is_empty());
        for other in &outputs[1..] {
            assert!(
                first == std::fs::read(other.join(name)).unwrap(),
                "{name} differs between thread counts"
            );
        }
    }
}

#[test]
fn respondent_level_view_counts_each_respondents_own_level() {
    let (dir, _) = score_hand(&[]);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("scores.json")).unwrap())
            .unwrap();
    let alpha = &json["organizations"][0];
    assert_eq!(alpha["org"], "alpha");
    let all = &alpha["waves"][0]["groups"][0];
    assert_eq!(all["group"], "all");
    // a3, a5, a7 support; a4, a6 partner; a1, a2 strategic (index ≥ 75, both dimensions ≥ 60).
    let shares: Vec<(String, u64, f64)> = all["respondent_levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["level"].as_str().unwrap().to_string(),
                l["count"].as_u64().unwrap(),
                l["share"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shares,
        vec![
            ("support".to_string(), 3, 3.0 / 7.0),
            ("partner".to_string(), 2, 2.0 / 7.0),
            ("strategic".to_string(), 2, 2.0 / 7.0),
        ]
    );
    // Roles of 2–3 respondents: suppressed, no distribution.
    let hr = &alpha["waves"][0]["groups"][1];
    assert_eq!(hr["group"], "role:hr");
    assert!(hr.get("respondent_levels").is_none());
    assert_eq!(hr["measures"][0]["suppressed"], true);
}

/// SPEC §9: text a spreadsheet would run as a formula gets a leading `'` in every result CSV;
/// numbers never change; JSON keeps the raw text.
#[test]
fn result_csvs_guard_against_formula_injection() {
    let dir = temp();
    let mut csv = String::from(
        "respondent_id,org,role,wave,col_1,col_2,cap_tasks,cap_staff,cap_bp,cap_owner,turnover_pct\n",
    );
    for i in 0..5 {
        csv.push_str(&format!(
            "@r{i},\"=HYPERLINK(\"\"http://x\"\")\",hr,+cmd|' /C calc'!A0,4,2,recruiting,2,yes,joint,10\n"
        ));
    }
    csv.push_str("-bad,=org,hr,+w,9,2,recruiting,2,yes,joint,10\n");
    let input = dir.path().join("in.csv");
    std::fs::write(&input, csv).expect("write");
    let out = dir.path().join("out");
    let r = run(&[
        "score",
        "--survey",
        "mini.yaml",
        input.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let scores = Table::read(&out.join("respondent_scores.csv"));
    assert_eq!(
        scores.rows[0][..4],
        [
            "'@r0",
            "'=HYPERLINK(\"http://x\")",
            "hr",
            "'+cmd|' /C calc'!A0"
        ]
    );
    let org = Table::read(&out.join("org_scores.csv"));
    assert_eq!(org.rows[0][0], "'=HYPERLINK(\"http://x\")");
    assert_eq!(org.get(&org.rows[0], "n"), "5");
    let summary = Table::read(&out.join("org_summary.csv"));
    assert_eq!(
        summary.rows[0][..3],
        [
            "'=HYPERLINK(\"http://x\")",
            "'=HYPERLINK(\"http://x\")",
            "'+cmd|' /C calc'!A0"
        ]
    );
    let rejects = Table::read(&out.join("rejects.csv"));
    assert_eq!(rejects.get(&rejects.rows[0], "respondent_id"), "'-bad");
    let json = std::fs::read_to_string(out.join("scores.json")).expect("json");
    assert!(json.contains("\"=HYPERLINK(\\\"http://x\\\")\""), "{json}");
}
