//! Peer groups, norms files, perception gaps and explained levels (SPEC §5), on fixture files.

use crate::support::{close, run, temp, Table};

#[test]
fn peer_group_without_orgs_is_a_usage_error() {
    let r = run(&[
        "score",
        "--survey",
        "mini.yaml",
        "hand/2025-H1.csv",
        "--peer-group",
        "industry",
        "--out",
        "/tmp/unused-ps",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "error: --peer-group needs --orgs: the attribute comes from the organizations file"
    );
}

#[test]
fn too_small_peer_groups_fall_back_to_the_wave() {
    let dir = temp();
    let out = dir.path().to_str().unwrap();
    let r = run(&[
        "score",
        "--survey",
        "mini.yaml",
        "hand/2025-H1.csv",
        "--orgs",
        "hand/orgs.csv",
        "--peer-group",
        "industry",
        "--out",
        out,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Retail has 3 shown organizations, Technology 2: both fall back to the wave of 5.
    let t = Table::read(&dir.path().join("org_summary.csv"));
    let alpha = t.row(&["alpha"]);
    assert_eq!(t.get(alpha, "name"), "Alpha Retail Group");
    assert_eq!(
        t.get(alpha, "population"),
        "wave 2025-H1 (N=5; peer group too small)"
    );
    close(t.num(alpha, "percentile"), 70.0);
    // tiny is not in the organizations file: a warning names it.
    assert!(r.stderr.contains("are not in the organizations file and are scored under their id without attributes: tiny"), "{}", r.stderr);
}

#[test]
fn peer_groups_rank_within_the_attribute_value() {
    let dir = temp();
    let data = dir.path().join("sim.csv");
    let orgs = dir.path().join("orgs.csv");
    let out = dir.path().join("out");
    let sim = run(&[
        "simulate",
        "--organizations",
        "40",
        "--respondents",
        "12",
        "--waves",
        "1",
        "--seed",
        "5",
        "-o",
        data.to_str().unwrap(),
        "--orgs-output",
        orgs.to_str().unwrap(),
    ]);
    assert_eq!(sim.code, 0, "{}", sim.stderr);
    let r = run(&[
        "score",
        data.to_str().unwrap(),
        "--orgs",
        orgs.to_str().unwrap(),
        "--peer-group",
        "industry",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Recompute every organization's index percentile from org_scores.csv and the orgs file.
    let industry: std::collections::BTreeMap<String, String> = Table::read(&orgs)
        .rows
        .iter()
        .map(|r| (r[0].clone(), r[2].clone()))
        .collect();
    let scores = Table::read(&out.join("org_scores.csv"));
    let index: Vec<(String, f64)> = scores
        .rows
        .iter()
        .filter(|r| r[2] == "all" && r[3] == "index")
        .map(|r| (r[0].clone(), r[5].parse().unwrap()))
        .collect();
    let summary = Table::read(&out.join("org_summary.csv"));
    // The fallback path is covered by too_small_peer_groups_fall_back_to_the_wave.
    let mut peer = 0;
    for (org, x) in &index {
        let value = &industry[org];
        let peers: Vec<f64> = index
            .iter()
            .filter(|(o, _)| &industry[o] == value)
            .map(|p| p.1)
            .collect();
        let (population, label) = if peers.len() >= 5 {
            peer += 1;
            (
                peers.clone(),
                format!("industry={value} (N={})", peers.len()),
            )
        } else {
            (
                index.iter().map(|p| p.1).collect(),
                format!("wave 2024-H1 (N={}; peer group too small)", index.len()),
            )
        };
        let below = population.iter().filter(|v| *v < x).count() as f64;
        let equal = population.iter().filter(|v| *v == x).count() as f64;
        let expected = 100.0 * (below + 0.5 * equal) / population.len() as f64;
        let row = summary.row(&[org]);
        assert_eq!(summary.get(row, "population"), label);
        close(summary.num(row, "percentile"), expected);
    }
    assert!(
        peer > 0,
        "the simulation should give at least one peer group of 5 or more"
    );
}

#[test]
fn norms_files_benchmark_without_the_raw_data() {
    let dir = temp();
    let norms = dir.path().join("norms.json");
    let out = dir.path().join("out");
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .current_dir(crate::support::fixtures())
        .args([
            "norms",
            "--survey",
            "mini.yaml",
            "hand/2025-H1.csv",
            "-o",
            norms.to_str().unwrap(),
        ])
        .env("SOURCE_DATE_EPOCH", "1795532400")
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&norms).unwrap()).unwrap();
    assert_eq!(json["created"], "2026-11-24T15:00:00Z");
    assert_eq!(json["instrument"]["id"], "mini");
    assert_eq!(json["instrument"]["version"], "1.2.0");
    assert_eq!(json["organizations"], 5);
    assert_eq!(json["respondents"], 27);
    assert_eq!(json["waves"], serde_json::json!(["2025-H1"]));
    assert_eq!(json["instrument"]["sha256"].as_str().unwrap().len(), 64);
    // No organization id anywhere in the file.
    let text = std::fs::read_to_string(&norms).unwrap();
    for org in ["alpha", "beta", "gamma", "delta", "epsilon", "tiny"] {
        assert!(!text.contains(org), "{org} leaked into the norms file");
    }
    // Benchmark wave 2025-H2 against the 2025-H1 norms: alpha's H2 index 42.93981481481482
    // against H1's five indices (27.78, 41.81, 48.47, 51.39, 59.17): 2 below → 40.
    let r = run(&[
        "score",
        "--survey",
        "mini.yaml",
        "hand/2025-H2.csv",
        "--norms",
        norms.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = Table::read(&out.join("org_scores.csv"));
    let row = t.row(&["alpha", "2025-H2", "all", "index"]);
    close(t.num(row, "mean"), 42.93981481481482);
    close(t.num(row, "percentile"), 40.0);
    close(t.num(row, "p25"), 41.80555555555556);
    close(t.num(row, "median"), 48.47222222222222);
    close(t.num(row, "p75"), 51.3888888888889);
    let s = Table::read(&out.join("org_summary.csv"));
    // Named by the norms' title (the default), never by the file name.
    assert_eq!(
        s.get(s.row(&["alpha"]), "population"),
        "earlier assessments (5 organizations)"
    );
}

#[test]
fn norms_are_named_by_their_title_and_counted_in_organizations() {
    let dir = temp();
    let norms = dir.path().join("norms.json");
    let out = dir.path().join("out");
    let built = run(&[
        "norms",
        "--survey",
        "mini.yaml",
        "hand/2025-H1.csv",
        "hand/2025-H2.csv",
        "--title",
        "Retail clients 2025",
        "-o",
        norms.to_str().unwrap(),
    ]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&norms).unwrap()).unwrap();
    assert_eq!(json["title"], "Retail clients 2025");
    let waves = json["organization_waves"].as_u64().unwrap();
    let orgs = json["organizations"].as_u64().unwrap();
    assert!(
        waves > orgs,
        "two waves of the same organizations: {waves} > {orgs}"
    );
    let r = run(&[
        "score",
        "--survey",
        "mini.yaml",
        "hand/2025-H2.csv",
        "--norms",
        norms.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = Table::read(&out.join("org_summary.csv"));
    assert_eq!(
        s.get(s.row(&["alpha"]), "population"),
        format!("Retail clients 2025 ({orgs} organizations)")
    );
    let empty = run(&[
        "norms",
        "--survey",
        "mini.yaml",
        "hand/2025-H1.csv",
        "--title",
        " ",
        "-o",
        norms.to_str().unwrap(),
    ]);
    assert_eq!(empty.code, 2);
    assert!(
        empty.stderr.contains("--title is empty"),
        "{}",
        empty.stderr
    );
}

#[test]
fn norms_from_too_few_organizations_are_refused() {
    let dir = temp();
    let norms = dir.path().join("norms.json");
    let r = run(&[
        "norms",
        "--survey",
        "mini.yaml",
        "hand/suppress.csv",
        "-o",
        norms.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "error: a norms file needs at least 5 organizations with 5 or more responses in a wave; these files have 1"
    );
    assert!(!norms.exists());
}

#[test]
fn norms_for_another_major_version_are_refused() {
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
    let r = run(&[
        "score",
        "--survey",
        "mini-v2.yaml",
        "hand/2025-H2.csv",
        "--norms",
        norms.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        format!(
            "{}: these norms were built for instrument `mini` 1.2.0 and cannot benchmark `mini` 2.0.0; build norms from responses to the same instrument and major version",
            norms.display()
        )
    );
}

#[test]
fn perception_gaps_are_first_minus_second_when_both_roles_are_shown() {
    let dir = temp();
    let data = dir.path().join("gaps.csv");
    // 5 sales leaders all answer col_1 = 4 (100) and col_2 = 1 (reverse: 100); 5 HR all 1 and 5
    // (0 and 0): collaboration gap = 100 − 0 = 100, flagged. Capability is not answered.
    let mut csv = String::from("respondent_id,org,role,wave,col_1,col_2\n");
    for i in 0..5 {
        csv.push_str(&format!("l{i},acme,sales_leader,w1,4,1\n"));
        csv.push_str(&format!("h{i},acme,hr,w1,Never,strongly agree\n"));
    }
    std::fs::write(&data, csv).unwrap();
    let out = dir.path().join("out");
    let r = run(&[
        "score",
        "--survey",
        "mini.yaml",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("no column for 5 item(s), counted as missing in every row: cap_tasks, cap_staff, cap_bp, cap_owner, turnover_pct"), "{}", r.stderr);
    let t = Table::read(&out.join("perception_gaps.csv"));
    assert_eq!(
        t.rows,
        vec![
            [
                "acme",
                "w1",
                "collaboration",
                "sales_leader",
                "hr",
                "100",
                "0",
                "100",
                "true"
            ]
            .map(String::from)
            .to_vec(),
            [
                "acme",
                "w1",
                "index",
                "sales_leader",
                "hr",
                "100",
                "0",
                "100",
                "true"
            ]
            .map(String::from)
            .to_vec(),
        ]
    );
}

#[test]
fn means_that_differ_only_in_the_last_bit_get_the_same_percentile() {
    let dir = temp();
    let data = dir.path().join("ties.csv");
    // Only col_1 is answered (freq4: codes 1, 2, 4 score 0, 33.33…, 100), so each index is the
    // col_1 score. alpha and beta hold the same six answers in another order: their means are
    // mathematically 55.5…, but summed in row order they are 55.555555555555564 and
    // 55.55555555555555.
    let mut csv = String::from("respondent_id,org,role,wave,col_1\n");
    let orders = [
        ("alpha", [4, 2, 1, 4, 4, 1]),
        ("beta", [1, 4, 1, 4, 4, 2]),
        ("gamma", [1, 1, 1, 1, 2, 2]),
        ("delta", [4, 4, 4, 4, 4, 3]),
        ("epsilon", [2, 2, 2, 3, 3, 3]),
    ];
    for (org, codes) in orders {
        for (i, code) in codes.iter().enumerate() {
            csv.push_str(&format!("{org}{i},{org},hr,w1,{code}\n"));
        }
    }
    std::fs::write(&data, csv).unwrap();
    let out = dir.path().join("out");
    let r = run(&[
        "score",
        "--survey",
        "mini.yaml",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = Table::read(&out.join("org_scores.csv"));
    let alpha = t.row(&["alpha", "w1", "all", "index"]);
    let beta = t.row(&["beta", "w1", "all", "index"]);
    assert_eq!(t.get(alpha, "mean"), "55.555555555555564");
    assert_eq!(t.get(beta, "mean"), "55.55555555555555");
    // below: gamma (11.1), epsilon (50) → 2; equal: alpha, beta → 2; 100·(2 + 1)/5 = 60.
    assert_eq!(t.get(alpha, "percentile"), "60");
    assert_eq!(t.get(beta, "percentile"), "60");
}

#[test]
fn thirty_five_simulated_organizations_rank_equal_means_equally() {
    // Seed 2 gives three pairs of organizations whose means agree up to the last bit (rewards
    // 80.59895833333334 / 80.59895833333333, trust 46.180555555555564 / 46.18055555555555,
    // analytics 56.94444444444444 / 56.944444444444436); each pair must share its percentile.
    let dir = temp();
    let data = dir.path().join("sim.csv");
    let out = dir.path().join("out");
    let sim = run(&[
        "simulate",
        "--organizations",
        "35",
        "--respondents",
        "12",
        "--waves",
        "1",
        "--seed",
        "2",
        "-o",
        data.to_str().unwrap(),
    ]);
    assert_eq!(sim.code, 0, "{}", sim.stderr);
    // Without the bundled `region` breakdown, whose units would hide the sales leaders'
    // figures beside them (SPEC §15); its column is then ignored.
    let bundled = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/hr-sales-partnership.yaml"),
    )
    .unwrap();
    let (start, end) = (
        bundled.find("\nbreakdowns:").unwrap(),
        bundled.find("\nlevels:").unwrap(),
    );
    let survey = dir.path().join("no-breakdowns.yaml");
    std::fs::write(&survey, format!("{}{}", &bundled[..start], &bundled[end..])).unwrap();
    let r = run(&[
        "score",
        "--survey",
        survey.to_str().unwrap(),
        "--ignore-unknown-columns",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = Table::read(&out.join("org_scores.csv"));
    let mut pairs = 0;
    for (i, a) in t.rows.iter().enumerate() {
        for b in &t.rows[i + 1..] {
            if a[1..4] != b[1..4] {
                continue;
            }
            let (x, y) = (t.num(a, "mean"), t.num(b, "mean"));
            if x != y && (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0) {
                pairs += 1;
                assert_eq!(
                    t.get(a, "percentile"),
                    t.get(b, "percentile"),
                    "{} and {} ({:?}): {x} and {y}",
                    a[0],
                    b[0],
                    &a[1..4]
                );
            }
        }
    }
    assert_eq!(
        pairs, 3,
        "the simulated data should hold three last-bit pairs"
    );
}

#[test]
fn a_threshold_reached_up_to_the_last_bit_is_reached() {
    // Eight col_1 answers (0, 33.3…, 100) whose mean is mathematically 50 but sums to
    // 49.99999999999999; each index is the col_1 score (capability is not answered).
    let dir = temp();
    let data = dir.path().join("edge.csv");
    let mut csv = String::from("respondent_id,org,role,wave,col_1\n");
    for (i, code) in [4, 4, 4, 1, 2, 1, 2, 2].iter().enumerate() {
        csv.push_str(&format!("r{i},alpha,hr,w1,{code}\n"));
    }
    std::fs::write(&data, csv).unwrap();
    let summary = |survey: &str| {
        let out = dir.path().join(format!("out-{}", survey.len()));
        let r = run(&[
            "score",
            "--survey",
            survey,
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let t = Table::read(&out.join("org_summary.csv"));
        let row = t.row(&["alpha"]).clone();
        [
            "index",
            "level",
            "next_level",
            "points_to_next",
            "blocking_dimensions",
        ]
        .map(|c| t.get(&row, c).to_string())
    };
    // mini: partner at 50 without a gate.
    assert_eq!(
        summary("mini.yaml"),
        [
            "49.99999999999999",
            "partner",
            "strategic",
            "25.000000000000007",
            "collaboration;capability"
        ]
    );
    // The same levels with a gate of 60 on partner: the threshold is reached, the gate is not,
    // so no points are missing, only the dimensions.
    let gated = dir.path().join("gated.yaml");
    let text = std::fs::read_to_string(crate::support::fixtures().join("mini.yaml")).unwrap();
    std::fs::write(
        &gated,
        text.replace(
            "{ id: partner, label: Business Partner, min: 50 }",
            "{ id: partner, label: Business Partner, min: 50, min_each_dimension: 60 }",
        ),
    )
    .unwrap();
    assert_eq!(
        summary(gated.to_str().unwrap()),
        [
            "49.99999999999999",
            "support",
            "partner",
            "0",
            "collaboration;capability"
        ]
    );
}
