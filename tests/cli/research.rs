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
    // 10 dimensions: 45 pairs, then the index with each of the 3 outcomes; over respondents,
    // then over organization means.
    assert_eq!(correlations.rows.len(), 96);
    let turnover = correlations.row(&["index", "sales_turnover_pct", "respondent"]);
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
            "icc1_ci_low",
            "icc1_ci_high",
            "f",
            "df1",
            "df2",
            "p",
            "p_holm",
            "q_bh",
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
        html.contains("<th scope=\"row\">Leadership climate</th><td>9% of the variance lies between organizations (ICC(1) 0.09, 95% CI 0.06 to 0.14, a small organization effect); organizations differ more than chance would make them (F(50, 2003) = 4.88, p &lt; 0.001)</td><td>organization means are reliable (ICC(2) 0.79 ≥ 0.70)</td><td>respondents agree enough to aggregate in 100% of organizations (rwg(j) ≥ 0.70)</td>"),
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
        [
            "first", "second", "level", "n", "r", "ci_low", "ci_high", "p", "p_holm", "q_bh",
            "warning"
        ]
    );
    let keys: Vec<String> = correlations.rows.iter().map(|r| r[..3].join(" ")).collect();
    assert_eq!(
        keys,
        [
            "collaboration capability respondent",
            "index turnover_pct respondent",
            "collaboration capability organization",
            "index turnover_pct organization"
        ]
    );
    for row in &correlations.rows {
        assert!(row[3..10].iter().all(String::is_empty), "{row:?}");
        assert_eq!(correlations.get(row, "warning"), "fewer than 5 respondents");
    }
    let items = Table::read(&out.join("items.csv"));
    for row in &items.rows {
        assert!(row[3..11].iter().all(String::is_empty), "{row:?}");
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
        "<td>Index</td><td>Sales turnover (%)</td><td>respondents</td><td colspan=\"6\" class=\"hidden-note\">fewer than 5 respondents</td>"
    ));
}

/// The rows of a CSV file in `tests/fixtures/reference-r/` (see reference.R there).
fn reference_r(name: &str) -> Table {
    Table::read(&fixtures().join("reference-r").join(name))
}

/// Every row of R's table has one row in ours with the same `keys`, and its `columns` agree
/// to 1e-9 (empty where R's are). Returns how many figures were compared.
fn assert_rows_match_r(got: &Table, want: &Table, keys: &[&str], columns: &[&str]) -> usize {
    let mut compared = 0;
    for w in &want.rows {
        let key: Vec<&str> = keys.iter().map(|k| want.get(w, k)).collect();
        let found: Vec<&Vec<String>> = got
            .rows
            .iter()
            .filter(|g| keys.iter().zip(&key).all(|(k, v)| got.get(g, k) == *v))
            .collect();
        assert_eq!(found.len(), 1, "one row for {key:?}");
        let g = found[0];
        for column in columns {
            let (a, b) = (got.get(g, column), want.get(w, column));
            if b.is_empty() {
                assert_eq!(a, "", "{column} of {key:?} should be empty");
            } else {
                let (a, b) = (got.num(g, column), want.num(w, column));
                assert!(
                    (a - b).abs() <= 1e-9,
                    "{column} of {key:?}: {a} against R's {b}"
                );
                compared += 1;
            }
        }
    }
    compared
}

fn stats_on_msqr(extra: &[&str]) -> (tempfile::TempDir, std::path::PathBuf, crate::support::Run) {
    let dir = temp();
    let out = dir.path().join("stats");
    let mut args = vec![
        "stats",
        "--survey",
        "reference-r/survey.yaml",
        "reference-r/responses.csv",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (dir, out, r)
}

#[test]
fn reviewer_statistics_match_r_on_msqr() {
    // psychTools' msqR: 6,409 answers in 28 studies of 40 to 342 (unequal), up to four times
    // each, with missing answers; reference.R computed every expected value with R.
    let (_dir, out, r) = stats_on_msqr(&["--by-wave"]);
    assert_eq!(r.stdout.trim(), "read 6409 rows: scored 6409, rejected 0");
    let mut figures = 0;

    let descriptives = Table::read(&out.join("descriptives.csv"));
    assert_eq!(
        descriptives.header,
        ["measure", "wave", "n", "mean", "sd", "min", "max", "skew", "kurtosis", "warning"]
    );
    let want = reference_r("expected-descriptives.csv");
    assert_eq!(descriptives.rows.len(), want.rows.len());
    figures += assert_rows_match_r(
        &descriptives,
        &want,
        &["measure", "wave"],
        &["n", "mean", "sd", "min", "max", "skew", "kurtosis"],
    );

    let correlations = Table::read(&out.join("correlations.csv"));
    assert_eq!(
        correlations.header,
        [
            "first", "second", "level", "n", "r", "ci_low", "ci_high", "p", "p_holm", "q_bh",
            "warning"
        ]
    );
    let want = reference_r("expected-correlations.csv");
    assert_eq!(correlations.rows.len(), want.rows.len());
    figures += assert_rows_match_r(
        &correlations,
        &want,
        &["first", "second", "level"],
        &["n", "r", "ci_low", "ci_high", "p", "p_holm", "q_bh"],
    );

    let aggregation = Table::read(&out.join("aggregation.csv"));
    figures += assert_rows_match_r(
        &aggregation,
        &reference_r("expected-aggregation.csv"),
        &["measure", "wave"],
        &[
            "organizations",
            "respondents",
            "icc1",
            "icc2",
            "f",
            "df1",
            "df2",
            "p",
            "icc1_ci_low",
            "icc1_ci_high",
            "p_holm",
            "q_bh",
        ],
    );

    // Welch's changes of every organization, with Holm and BH over all of them (stats.json).
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("stats.json")).unwrap()).unwrap();
    let changes: Vec<&serde_json::Value> = json["wave_changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["scope"] != "all")
        .collect();
    let want = reference_r("expected-changes.csv");
    assert_eq!(changes.len(), want.rows.len());
    for w in &want.rows {
        let key = |c: &&&serde_json::Value| {
            ["scope", "measure", "from_wave", "to_wave"]
                .iter()
                .all(|k| c[*k] == want.get(w, k))
        };
        let c = changes.iter().find(|c| key(c)).expect("the change R has");
        for column in ["from_n", "to_n", "p", "p_holm", "q_bh"] {
            close(c[column].as_f64().unwrap(), want.num(w, column));
            figures += 1;
        }
    }

    // Paired changes by panel id; R leaves out the rows that §15 hides, which keep their keys.
    let paired = Table::read(&out.join("paired_changes.csv"));
    let want = reference_r("expected-paired.csv");
    figures += assert_rows_match_r(
        &paired,
        &want,
        &["org", "measure", "from_wave", "to_wave"],
        &[
            "n",
            "mean_difference",
            "t",
            "df",
            "p",
            "p_holm",
            "q_bh",
            "d_z",
            "ci_low",
            "ci_high",
        ],
    );
    let protected: Vec<&Vec<String>> = paired
        .rows
        .iter()
        .filter(|r| paired.get(r, "n").is_empty())
        .collect();
    assert_eq!(protected.len() + want.rows.len(), paired.rows.len());
    assert!(protected
        .iter()
        .all(|r| paired.get(r, "warning") == "not shown, to protect a smaller group"));
    let text = std::fs::read_to_string(out.join("paired_changes.csv")).unwrap()
        + &std::fs::read_to_string(out.join("stats.json")).unwrap()
        + &std::fs::read_to_string(out.join("stats.html")).unwrap();
    assert!(!text.contains("p-AGES-"), "panel ids appear in no output");

    let drivers = Table::read(&out.join("drivers.csv"));
    assert_eq!(
        drivers.header,
        [
            "outcome",
            "dimension",
            "weight",
            "share",
            "r2",
            "n",
            "warning"
        ]
    );
    figures += assert_rows_match_r(
        &drivers,
        &reference_r("expected-drivers.csv"),
        &["outcome", "dimension"],
        &["weight", "share", "r2", "n"],
    );

    let items = Table::read(&out.join("items.csv"));
    let want = reference_r("expected-loadings.csv");
    figures += assert_rows_match_r(&items, &want, &["dimension", "item"], &["pc1_loading"]);
    assert_eq!(
        items.get(items.row(&["tense_arousal", "calm"]), "reversed"),
        "true"
    );
    assert_eq!(
        items.get(items.row(&["tense_arousal", "tense"]), "reversed"),
        "false"
    );
    assert!(items
        .rows
        .iter()
        .all(|r| !items.get(r, "warning").contains("reverse-keyed")));

    let reliability = Table::read(&out.join("reliability.csv"));
    assert_eq!(
        reliability.get(reliability.row(&["sociability", "all"]), "warning"),
        "alpha is undefined for one item"
    );
    assert!(figures > 1500, "{figures} figures compared");

    // The page reads the new figures in plain words.
    let html = std::fs::read_to_string(out.join("stats.html")).unwrap();
    for words in [
        "<li>Energetic arousal: mean 36.9 (sd 24.6) over 6391 respondents, from 0.0 to 100.0; close enough to normal for t-tests and correlations (skew 0.41, excess kurtosis -0.58).</li>",
        "8% of the variance lies between organizations (ICC(1) 0.08, 95% CI 0.06 to 0.12, a small organization effect); organizations differ more than chance would make them (F(57, 6005) = 10.19, p &lt; 0.001)",
        "16 correlations were tested together: 12 have a Holm-adjusted p below 0.05",
        "Neuroticism (EPI scale score): the dimensions together explain 12% of its variance (R² 0.121, 5912 respondents); Tense arousal carries the largest share of that, 44% (general dominance weight 0.053).",
        "paired changes were tested together",
        "changes of organizations were tested together",
    ] {
        assert!(html.contains(words), "{words}");
    }
}

#[test]
fn the_miskey_flag_names_the_reverse_keys_that_were_removed() {
    // The same answers, read by an instrument that forgot the five reverse keys of tense arousal.
    let dir = temp();
    let out = dir.path().join("stats");
    let r = run(&[
        "stats",
        "--survey",
        "reference-r/survey-miskeyed.yaml",
        "reference-r/responses.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let items = Table::read(&out.join("items.csv"));
    let want = reference_r("expected-loadings-miskeyed.csv");
    assert_rows_match_r(&items, &want, &["dimension", "item"], &["pc1_loading"]);
    let flagged: Vec<&str> = items
        .rows
        .iter()
        .filter(|r| items.get(r, "warning").contains("may be reverse-keyed"))
        .map(|r| r[1].as_str())
        .collect();
    let suspected: Vec<&str> = want
        .rows
        .iter()
        .filter(|r| want.get(r, "reverse_suspected") == "true")
        .map(|r| r[1].as_str())
        .collect();
    assert_eq!(flagged, ["at_ease", "calm", "relaxed", "at_rest", "placid"]);
    assert_eq!(flagged, suspected, "as psych::alpha(check.keys = TRUE)");
    assert!(r.stderr.contains(
        "item `calm` loads negatively (-0.72) on the first principal component of its dimension: it may be reverse-keyed (check whether `reverse: true` is missing)"
    ), "{}", r.stderr);
    assert!(items
        .rows
        .iter()
        .filter(|r| r[0] == "tense_arousal")
        .all(|r| items.get(r, "reversed") == "false"));
}

#[test]
fn p_values_are_written_in_at_most_17_significant_digits() {
    let (_dir, out, _) = stats_on_msqr(&[]);
    for name in ["correlations.csv", "aggregation.csv", "paired_changes.csv"] {
        let table = Table::read(&out.join(name));
        let mut small = 0;
        for row in &table.rows {
            for column in ["p", "p_holm", "q_bh"] {
                let cell = table.get(row, column);
                let digits = cell
                    .split('e')
                    .next()
                    .unwrap()
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect::<String>();
                assert!(
                    digits.trim_start_matches('0').len() <= 17,
                    "{name} {column}: {cell}"
                );
                small += usize::from(cell.contains("e-"));
            }
        }
        if name == "aggregation.csv" {
            assert!(
                small > 0,
                "ICC F tests on 6,000 respondents give p below 1e-5"
            );
        }
    }
}

/// For each key of a table with a `wave` column, the pooled row's count against the sum of
/// its shown wave rows' counts: the respondents of the pooled row outside the shown waves.
fn outside_shown_waves(table: &Table, key: &str, count: &str) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for pooled in table.rows.iter().filter(|r| table.get(r, "wave") == "all") {
        let k = table.get(pooled, key);
        let Ok(total) = table.get(pooled, count).parse::<i64>() else {
            continue;
        };
        let shown: i64 = table
            .rows
            .iter()
            .filter(|r| table.get(r, key) == k && table.get(r, "wave") != "all")
            .filter_map(|r| table.get(r, count).parse::<i64>().ok())
            .sum();
        out.push((format!("{k} {count}"), total - shown));
    }
    out
}

#[test]
fn a_pooled_row_never_gives_away_a_hidden_wave_by_subtraction() {
    // msqR's four waves plus a wave `t5` of 3 respondents (T = 5): its rows are hidden, and no
    // pooled n minus the shown waves' n may give its 3 (SPEC §15).
    let dir = temp();
    let small = dir.path().join("t5.csv");
    let responses = std::fs::read_to_string(fixtures().join("reference-r/responses.csv")).unwrap();
    let mut lines = responses.lines();
    let mut text = format!("{}\n", lines.next().unwrap());
    for line in lines.take(3) {
        let line = line.replacen("-t1,", "-t5,", 1).replacen(",t1,", ",t5,", 1);
        text.push_str(&line);
        text.push('\n');
    }
    std::fs::write(&small, text).unwrap();
    let out = dir.path().join("stats");
    let r = run(&[
        "stats",
        "--survey",
        "reference-r/survey.yaml",
        "reference-r/responses.csv",
        small.to_str().unwrap(),
        "--by-wave",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 6412 rows: scored 6412, rejected 0");
    let threshold = 5;
    let mut checked = 0;
    for (file, key, counts) in [
        ("reliability.csv", "dimension", &["n"][..]),
        ("descriptives.csv", "measure", &["n"][..]),
        (
            "aggregation.csv",
            "measure",
            &["organizations", "respondents"][..],
        ),
    ] {
        let table = Table::read(&out.join(file));
        let t5: Vec<&Vec<String>> = table
            .rows
            .iter()
            .filter(|r| table.get(r, "wave") == "t5")
            .collect();
        if file != "aggregation.csv" {
            assert!(!t5.is_empty(), "{file} has t5 rows");
            assert!(
                t5.iter().all(|r| table.get(r, "n").is_empty()),
                "{file}: t5 hidden"
            );
        }
        for count in counts {
            for (what, outside) in outside_shown_waves(&table, key, count) {
                assert!(
                    outside == 0 || outside >= threshold,
                    "{file}: {what}: the pooled row holds {outside} respondents outside the shown waves"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "{checked}");
    let reliability = Table::read(&out.join("reliability.csv"));
    assert!(reliability
        .get(reliability.row(&["tense_arousal", "all"]), "warning")
        .starts_with("pooled over the shown waves only: t5 left out (fewer than 5 respondents)"));
}

#[test]
fn the_invariance_script_run_with_r_on_holzinger_swineford_is_the_one_written_today() {
    // reference-r/lavaan/holzinger: lavaan's HolzingerSwineford1939 (two schools as two
    // waves); its invariance.R and items_wide.csv were run with R once, output beside them.
    let dir = temp();
    let out = dir.path().join("stats");
    let r = run(&[
        "stats",
        "--lavaan",
        "--survey",
        "reference-r/lavaan/holzinger/survey.yaml",
        "reference-r/lavaan/holzinger/responses.csv",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let kept = fixtures().join("reference-r/lavaan/holzinger");
    for name in ["invariance.R", "items_wide.csv"] {
        let written = std::fs::read_to_string(out.join(name)).unwrap();
        let run_with_r = std::fs::read_to_string(kept.join(name)).unwrap();
        assert!(
            written == run_with_r,
            "{name} differs from the one run with R"
        );
    }
    // What R printed: the three models of lavaan's tutorial, fitted on the 0–100 scores as on
    // the raw test scores (a change of scale leaves every fit measure as it is).
    let fit = Table::read(&kept.join("invariance-fit.csv"));
    let expected = Table::read(&kept.join("expected-fit.csv"));
    assert_eq!(fit.rows.len(), 3);
    for (got, want) in fit.rows.iter().zip(&expected.rows) {
        assert_eq!(got[0], want[0]);
        for measure in ["chisq.scaled", "cfi.robust", "rmsea.robust", "srmr"] {
            let (g, w) = (fit.num(got, measure), expected.num(want, measure));
            assert!(
                (g - w).abs() <= 1e-4 * w.abs(),
                "{} {measure}: {g} vs {w}",
                got[0]
            );
        }
    }
}

#[test]
fn lavaan_writes_the_invariance_script_and_the_item_scores_it_reads() {
    let (_dir, out, r) = stats_on_msqr(&["--lavaan"]);
    assert!(
        r.stderr.contains("items_wide.csv, invariance.R, "),
        "{}",
        r.stderr
    );
    // The script as it was run with R once (its output is beside it in the fixtures).
    let script = std::fs::read_to_string(out.join("invariance.R")).unwrap();
    let kept = std::fs::read_to_string(fixtures().join("reference-r/lavaan/invariance.R")).unwrap();
    assert_eq!(script, kept);
    assert!(script.contains(
        "  tense_arousal =~ tense + clutched_up + jittery + nervous + anxious + at_ease + calm + relaxed + at_rest + placid"
    ));
    assert!(script
        .contains("# Left out (fewer than 2 items, not identified as a factor): sociability."));
    let wide = Table::read(&out.join("items_wide.csv"));
    assert_eq!(wide.header[..4], ["org", "role", "wave", "active"]);
    assert_eq!(wide.header.len(), 3 + 29, "the scored items, no outcomes");
    assert_eq!(wide.rows.len(), 6409);
    let text = std::fs::read_to_string(out.join("items_wide.csv")).unwrap();
    assert!(
        !text.contains("AGES-1-t1") && !text.contains("p-AGES-1"),
        "no respondent or panel ids"
    );
    // The first row answered 3 of 4 to `calm` (reverse-keyed: 100 − 66.7) and to `active`.
    let first = &wide.rows[0];
    close(wide.num(first, "calm"), 100.0 / 3.0);
    close(wide.num(first, "active"), 200.0 / 3.0);
}
