//! `stats` on simulated data: reliability, item diagnostics, a mis-keyed item, response quality.

use crate::support::{close, fixtures, run, temp, Table};

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

    // `stats` lists its rejected rows too (SPEC §12), here none.
    let rejects = Table::read(&out.join("rejects.csv"));
    assert_eq!(
        rejects.header,
        ["file", "line", "column", "respondent_id", "reason"]
    );
    assert!(rejects.rows.is_empty());

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

/// The rows of a CSV file in `tests/fixtures/aggregation/`.
fn expected(name: &str) -> Table {
    Table::read(&fixtures().join("aggregation").join(name))
}

/// Compares a result table with R's: same rows in the same order, same empty cells, numbers to
/// 1e-9.
fn assert_matches_r(got: &Table, want: &Table, columns: &[&str]) {
    assert_eq!(got.rows.len(), want.rows.len());
    for (g, w) in got.rows.iter().zip(&want.rows) {
        for column in columns {
            let (a, b) = (got.get(g, column), want.get(w, column));
            if b.is_empty() {
                assert_eq!(a, "", "{column} of {g:?} should be empty");
            } else {
                close(got.num(g, column), want.num(w, column));
            }
        }
    }
}

#[test]
fn aggregation_statistics_match_r_multilevel() {
    // lq2002 (R's multilevel package) as partnerscope data, with a reverse-keyed item and
    // organizations below and around T = 5; reference.R computed the expected files.
    let dir = temp();
    let out = dir.path().join("stats");
    let r = run(&[
        "stats",
        "--survey",
        "aggregation/survey.yaml",
        "aggregation/responses.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 2061 rows: scored 2061, rejected 0");
    assert!(r
        .stderr
        .contains("  leadership                   J=51    icc1=0.088  icc2=0.795  agree=100%"));

    let aggregation = Table::read(&out.join("aggregation.csv"));
    assert_eq!(
        aggregation.header,
        [
            "measure",
            "wave",
            "organizations",
            "respondents",
            "icc1",
            "icc2",
            "rwg_j_median",
            "ad_m_median",
            "warning"
        ]
    );
    let want = expected("expected-aggregation.csv");
    let keys = |t: &Table| -> Vec<String> {
        t.rows
            .iter()
            .map(|r| format!("{} {}", r[0], r[1]))
            .collect()
    };
    assert_eq!(
        keys(&aggregation),
        keys(&want),
        "pooled rows first, then each wave"
    );
    assert_matches_r(
        &aggregation,
        &want,
        &[
            "organizations",
            "respondents",
            "icc1",
            "icc2",
            "rwg_j_median",
            "ad_m_median",
        ],
    );
    assert_eq!(
        aggregation.get(aggregation.row(&["leadership", "2003"]), "warning"),
        "fewer than 2 organizations with at least 5 respondents: no ICC"
    );
    assert_eq!(
        aggregation.get(aggregation.row(&["index", "all"]), "warning"),
        "rwg(j) and AD_M are computed per dimension, not for the index"
    );

    let agreement = Table::read(&out.join("agreement.csv"));
    assert_eq!(
        agreement.header,
        ["org", "wave", "dimension", "n", "rwg_j", "ad_m", "warning"]
    );
    let want = expected("expected-agreement.csv");
    let keys = |t: &Table| -> Vec<String> { t.rows.iter().map(|r| r[..3].join(" ")).collect() };
    assert_eq!(keys(&agreement), keys(&want));
    assert_matches_r(&agreement, &want, &["n", "rwg_j", "ad_m"]);
    // `tiny` has 3 and 4 respondents: no row at all.
    assert!(agreement.find(&["tiny"]).is_empty());
    // Only 4 of `patchy`'s 6 answered every significance item: the row keeps its keys only.
    assert_eq!(
        agreement.row(&["patchy", "2002", "significance"])[3..],
        ["", "", "", "fewer than 5 respondents"]
    );
    // Answers more varied than random ones: s̄² capped at σ²_EU, rwg(j) 0 (as in R).
    let hostile = agreement.row(&["patchy", "2002", "hostility"]);
    assert_eq!(agreement.get(hostile, "rwg_j"), "0");
    assert_eq!(
        agreement.get(hostile, "warning"),
        "answers vary more than random answers would (mean item variance 2.12 > 2.00): rwg(j) is 0, respondents do not agree"
    );
    let zeros = agreement
        .rows
        .iter()
        .filter(|r| agreement.get(r, "rwg_j") == "0")
        .count();
    assert!(zeros >= 3, "lq2002 companies with s̄² > 2 give 0 too");

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("stats.json")).unwrap()).unwrap();
    let entries = json["agreement"].as_array().unwrap();
    assert_eq!(entries.len(), agreement.rows.len());
    let patchy = entries
        .iter()
        .find(|e| e["org"] == "patchy" && e["dimension"] == "significance")
        .unwrap();
    assert_eq!(
        patchy,
        &serde_json::json!({"org": "patchy", "wave": "2002", "dimension": "significance",
            "suppressed": true, "warning": "fewer than 5 respondents"})
    );
    assert_eq!(json["aggregation"][0]["measure"], "leadership");
    close(
        json["aggregation"][0]["icc1"].as_f64().unwrap(),
        aggregation.num(&aggregation.rows[0], "icc1"),
    );
    assert_eq!(json["aggregation"][0]["rwg_j_share_agreeing"], 1.0);

    let html = std::fs::read_to_string(out.join("stats.html")).unwrap();
    assert!(
        html.contains("<th scope=\"row\">Leadership climate</th><td>9% of the variance lies between organizations (ICC(1) 0.09, a small organization effect)</td><td>organization means are reliable (ICC(2) 0.79 ≥ 0.70)</td><td>respondents agree enough to aggregate in 100% of organizations (rwg(j) ≥ 0.70)</td>"),
        "plain-words reading"
    );
    assert!(html.contains(
        "<td>organization means are only moderately reliable (ICC(2) 0.698, below 0.70): rank organizations with care</td>"
    ));
    assert!(html.contains("<td>respondents agree enough to aggregate only in 28% of organizations (rwg(j) ≥ 0.70)</td>"));
    assert!(!html.contains(">tiny<") && !html.contains("tiny-"));
}

#[test]
fn stats_by_wave_shows_no_figure_of_fewer_than_t_respondents() {
    // Wave 2025-H3 has 3 respondents (T = 5).
    let dir = temp();
    let out = dir.path().join("stats");
    let r = run(&[
        "stats",
        "--survey",
        "mini.yaml",
        "hand/2025-H1.csv",
        "hand/2025-H2.csv",
        "aggregation/2025-H3.csv",
        "--by-wave",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reliability = Table::read(&out.join("reliability.csv"));
    assert_eq!(
        reliability.row(&["collaboration", "2025-H3"]),
        &[
            "collaboration",
            "2025-H3",
            "2",
            "",
            "",
            "",
            "",
            "fewer than 5 respondents"
        ]
    );
    assert_eq!(
        reliability.get(reliability.row(&["capability", "2025-H3"]), "warning"),
        "fewer than 5 respondents"
    );
    assert_eq!(
        reliability.get(reliability.row(&["capability", "2025-H2"]), "n"),
        "26"
    );
    let aggregation = Table::read(&out.join("aggregation.csv"));
    let h3 = aggregation.row(&["index", "2025-H3"]);
    assert_eq!(h3[2..6], ["0", "0", "", ""]);
    assert!(aggregation
        .get(h3, "warning")
        .starts_with("fewer than 2 organizations with at least 5 respondents: no ICC"));
    // Every row of a small organization or wave is left out or emptied.
    for name in ["agreement.csv", "aggregation.csv", "reliability.csv"] {
        let table = Table::read(&out.join(name));
        for row in &table.rows {
            for column in ["n", "respondents"] {
                if table.header.iter().any(|h| h == column) && !table.get(row, column).is_empty() {
                    let n = table.num(row, column);
                    assert!(n == 0.0 || n >= 5.0, "{name}: {row:?}");
                }
            }
        }
    }

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("stats.json")).unwrap()).unwrap();
    assert_eq!(json["anonymity_threshold"], 5);
    let h3: Vec<&serde_json::Value> = json["reliability"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["wave"] == "2025-H3")
        .collect();
    assert_eq!(
        h3[0],
        &serde_json::json!({"dimension": "collaboration", "wave": "2025-H3", "k": 2,
            "suppressed": true, "warning": "fewer than 5 respondents"})
    );
    let changes = json["wave_changes"].as_array().unwrap();
    let into_h3: Vec<&serde_json::Value> = changes
        .iter()
        .filter(|c| c["to_wave"] == "2025-H3")
        .collect();
    assert_eq!(into_h3.len(), 3, "collaboration, capability, index");
    for c in into_h3 {
        assert_eq!(c["suppressed"], true);
        assert!(
            c.get("from_n").is_none() && c.get("to_mean").is_none(),
            "{c}"
        );
        assert_eq!(c["warning"], "fewer than 5 respondents");
    }
    // No figure in the whole file comes from fewer than 5 respondents.
    fn walk(v: &serde_json::Value, path: &str) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, x) in map {
                    if ["n", "from_n", "to_n"].contains(&k.as_str()) {
                        assert!(x.as_u64().unwrap() >= 5, "{path}.{k} = {x}");
                    }
                    walk(x, &format!("{path}.{k}"));
                }
            }
            serde_json::Value::Array(list) => {
                for (i, x) in list.iter().enumerate() {
                    walk(x, &format!("{path}[{i}]"));
                }
            }
            _ => {}
        }
    }
    walk(&json, "stats");

    let html = std::fs::read_to_string(out.join("stats.html")).unwrap();
    assert!(html.contains(
        "<td>Senior collaboration</td><td>2025-H3</td><td class=\"num\">2</td><td colspan=\"3\" class=\"hidden-note\">fewer than 5 respondents</td>"
    ));
    // Per-organization changes are on the page, with display titles, not ids.
    // 14 rows: alpha's capability change is not shown, since its 2025-H1 capability (6 of 7)
    // is hidden beside its index (SPEC §15).
    assert!(html.contains("Every organization's change (14 rows)"));
    assert!(html.contains("<td>alpha</td><td>Senior collaboration</td><td>2025-H1 → 2025-H2</td>"));
    assert!(!html.contains(">collaboration<"));
}

#[test]
fn stats_on_fewer_than_t_respondents_has_keys_and_warnings_only() {
    let dir = temp();
    let out = dir.path().join("stats");
    let r = run(&[
        "stats",
        "--survey",
        "mini.yaml",
        "aggregation/2025-H3.csv",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let correlations = Table::read(&out.join("correlations.csv"));
    assert_eq!(
        correlations.header,
        ["first", "second", "n", "r", "p", "warning"]
    );
    assert_eq!(
        correlations.rows,
        [
            [
                "collaboration",
                "capability",
                "",
                "",
                "",
                "fewer than 5 respondents"
            ],
            [
                "index",
                "turnover_pct",
                "",
                "",
                "",
                "fewer than 5 respondents"
            ]
        ]
    );
    let items = Table::read(&out.join("items.csv"));
    for row in &items.rows {
        assert!(row[2..9].iter().all(String::is_empty), "{row:?}");
        assert_eq!(items.get(row, "warning"), "fewer than 5 respondents");
    }
    let agreement = std::fs::read_to_string(out.join("agreement.csv")).unwrap();
    assert_eq!(agreement, "org,wave,dimension,n,rwg_j,ad_m,warning\n");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("stats.json")).unwrap()).unwrap();
    for part in ["reliability", "items", "correlations"] {
        for entry in json[part].as_array().unwrap() {
            assert_eq!(entry["suppressed"], true, "{entry}");
            assert!(entry.get("n").is_none(), "{entry}");
        }
    }
    assert_eq!(json["agreement"], serde_json::json!([]));
    let html = std::fs::read_to_string(out.join("stats.html")).unwrap();
    assert!(html.contains(
        "<td>Index</td><td>Sales turnover (%)</td><td colspan=\"3\" class=\"hidden-note\">fewer than 5 respondents</td>"
    ));
}
