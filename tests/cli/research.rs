//! `stats` on simulated data: reliability, item diagnostics, a mis-keyed item, response quality.

use crate::support::{run, temp, Table};

#[test]
fn a_miskeyed_item_is_named_and_the_outputs_are_complete() {
    let dir = temp();
    let data = dir.path().join("sim.csv");
    let out = dir.path().join("stats");
    let sim = run(&[
        "simulate",
        "--organizations",
        "12",
        "--respondents",
        "30",
        "--waves",
        "2",
        "--seed",
        "9",
        "-o",
        data.to_str().unwrap(),
    ]);
    assert_eq!(sim.code, 0, "{}", sim.stderr);
    // The data were made with `col_late` reverse-keyed; this instrument forgets that.
    let r = run(&[
        "stats",
        "--survey",
        "miskeyed.yaml",
        data.to_str().unwrap(),
        "--by-wave",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 720 rows: scored 720, rejected 0");
    assert!(
        r.stderr
            .contains("warning: item `col_late` correlates negatively (r = -0."),
        "{}",
        r.stderr
    );
    assert!(r
        .stderr
        .contains("check whether `reverse: true` is missing or wrong"));
    let items = Table::read(&out.join("items.csv"));
    let late = items.row(&["collaboration", "col_late"]);
    assert!(items.num(late, "item_total_r") < 0.0);
    // Every other collaboration item correlates positively with the rest … minus col_late.
    assert!(items
        .get(items.row(&["collaboration", "col_meet"]), "warning")
        .is_empty());

    let reliability = Table::read(&out.join("reliability.csv"));
    assert_eq!(
        reliability.header,
        [
            "dimension",
            "wave",
            "k",
            "n",
            "alpha",
            "alpha_ci_low",
            "alpha_ci_high",
            "warning"
        ]
    );
    // Pooled rows first, then one block per wave: 10 dimensions × (1 + 2).
    assert_eq!(reliability.rows.len(), 30);
    assert!(reliability.rows[..10].iter().all(|r| r[1] == "all"));
    let collaboration = reliability.row(&["collaboration", "all"]);
    let alpha = reliability.num(collaboration, "alpha");
    assert!(reliability.num(collaboration, "alpha_ci_low") < alpha);
    assert!(alpha < reliability.num(collaboration, "alpha_ci_high"));
    assert!(reliability
        .get(collaboration, "warning")
        .contains("is below 0.7"));

    let quality = Table::read(&out.join("quality.csv"));
    assert_eq!(
        quality.header,
        ["respondent_id", "org", "role", "wave", "problem"]
    );
    assert!(quality.rows.iter().any(|r| r[4] == "straight_lining"));
    assert!(quality.rows.iter().any(|r| r[4] == "too_few_answered"));

    let correlations = Table::read(&out.join("correlations.csv"));
    // 10 dimensions: 45 pairs, then the index with each of the 3 outcomes.
    assert_eq!(correlations.rows.len(), 48);
    let turnover = correlations.row(&["index", "sales_turnover_pct"]);
    assert!(
        correlations.num(turnover, "r") < 0.0,
        "turnover falls as maturity rises"
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("stats.json")).unwrap()).unwrap();
    assert_eq!(json["respondents"], 720);
    assert!(json["wave_changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["scope"] == "all"));
    let html = std::fs::read_to_string(out.join("stats.html")).unwrap();
    assert!(html.contains("<title id=\"corr-title\">"));
}

#[test]
fn stats_never_reports_an_organization_below_the_threshold() {
    let dir = temp();
    let out = dir.path().join("stats");
    let r = run(&[
        "stats",
        "--survey",
        "mini.yaml",
        "hand/2025-H1.csv",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("stats.json")).unwrap()).unwrap();
    let orgs: Vec<&str> = json["quality"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["org"].as_str().unwrap())
        .collect();
    assert_eq!(
        orgs,
        ["alpha", "beta", "delta", "epsilon", "gamma"],
        "tiny (3 rows) is left out"
    );
    assert!(!std::fs::read_to_string(out.join("stats.html"))
        .unwrap()
        .contains(">tiny<"));
}
