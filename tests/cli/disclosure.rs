//! The reader who subtracts (SPEC §15): generated responses with missing answers, small roles
//! and small waves go through every command; every published figure is read back (data files,
//! `scores.json`, the item tables of the pages) and matched with the respondents it was
//! computed over. Then every pair of figures, every remainder `all` minus the shown roles, the
//! union of the roles where `all` is hidden, and the identity `Σ index − Σ_d (w_d/W)·Σ dim_d`
//! are tried: none may isolate between 1 and T − 1 respondents.
//!
//! A group is named as the outputs name it (`all`, `role:hr`); a further partition of `all`
//! (the units of a breakdown) plugs in as more groups with their own prefix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::{fixtures, run_in, Table};

const T: usize = 5;
const ROLES: [&str; 3] = ["hr", "sales_leader", "sales_rep"];
/// The units of the survey's one breakdown, `region` (SPEC §17).
const UNITS: [&str; 3] = ["north", "south", "east"];
/// The instrument's dimensions: id, weight, its items (columns of the answers).
const DIMENSIONS: [(&str, f64, &[&str]); 3] = [
    ("collaboration", 1.5, &["col_a", "col_b"]),
    ("resources", 1.0, &["res_a", "res_b", "res_c"]),
    ("capability", 2.0, &["cap_a", "cap_b", "cap_c", "cap_d"]),
];
const ITEM_TEXTS: [(&str, &str); 9] = [
    ("col_a", "HR and Sales leaders meet on business issues."),
    ("col_b", "HR takes part in sales planning."),
    ("res_a", "A named HR partner serves Sales."),
    ("res_b", "HR has people dedicated to Sales."),
    ("res_c", "The HR budget for Sales is adequate."),
    ("cap_a", "HR understands how Sales is paid."),
    ("cap_b", "HR coaches sales managers."),
    ("cap_c", "HR analyses sales turnover."),
    ("cap_d", "HR designs sales training."),
];

/// A small deterministic generator (SplitMix64), so a failing case is reproduced by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 1.0 < p
    }
}

#[derive(Debug, Clone)]
struct Respondent {
    org: String,
    wave: String,
    role: usize,
    /// The respondent's region (a position in `UNITS`), `None` when not given.
    region: Option<usize>,
    /// Per item column, in `ITEM_TEXTS` order.
    answers: Vec<Option<u8>>,
    /// The answer to the open question `remark` (SPEC §16), if any.
    comment: Option<String>,
}

impl Respondent {
    fn answered(&self, item: &str) -> bool {
        let at = ITEM_TEXTS.iter().position(|(id, _)| *id == item);
        at.is_some_and(|at| self.answers[at].is_some())
    }

    /// SPEC §4: a dimension is scored when at least half of its items were answered.
    fn has_dimension(&self, d: usize) -> bool {
        let items = DIMENSIONS[d].2;
        let answered = items.iter().filter(|i| self.answered(i)).count();
        answered as f64 / items.len() as f64 >= 0.5
    }

    fn has_index(&self) -> bool {
        let present = (0..DIMENSIONS.len())
            .filter(|&d| self.has_dimension(d))
            .count();
        present as f64 / DIMENSIONS.len() as f64 >= 0.5
    }

    fn has(&self, subject: &str) -> bool {
        if subject == "index" {
            return self.has_index();
        }
        if subject == "comment:remark" {
            return self.comment.is_some();
        }
        if let Some(d) = DIMENSIONS.iter().position(|(id, ..)| *id == subject) {
            return self.has_dimension(d);
        }
        self.answered(subject.trim_start_matches("item:"))
    }

    fn in_group(&self, group: &str) -> bool {
        if let Some(unit) = group.strip_prefix("unit:region:") {
            return self.region.is_some_and(|r| UNITS[r] == unit);
        }
        match group.strip_prefix("role:") {
            Some(role) => ROLES[self.role] == role,
            None => group == "all",
        }
    }
}

/// Responses with the hard cases: small roles, small waves, respondents who skip a dimension,
/// who answer too little for an index, or who leave single items out.
fn generate(seed: u64, orgs: usize) -> Vec<Respondent> {
    let mut rng = Rng(seed);
    // Comments come from a stream of their own, so the answers of a seed stay as they were.
    let mut talk = Rng(seed ^ 0x0c0e_e475_5eed_0001);
    let mut out = Vec::new();
    let waves = 1 + rng.below(2) as usize;
    for o in 0..orgs {
        for w in 0..waves {
            let n = 5 + rng.below(12) as usize;
            // Role weights: often one role of one or two people.
            let weights: Vec<u64> = (0..ROLES.len()).map(|_| 1 + rng.below(6)).collect();
            let total: u64 = weights.iter().sum();
            let skip = [0.0, 0.05, 0.15, 0.3][rng.below(4) as usize];
            let commenting = [0.0, 0.5, 0.9, 1.0][talk.below(4) as usize];
            for _ in 0..n {
                let mut pick = rng.below(total);
                let mut role = 0;
                while pick >= weights[role] {
                    pick -= weights[role];
                    role += 1;
                }
                let style = rng.below(10);
                let answers = ITEM_TEXTS
                    .iter()
                    .enumerate()
                    .map(|(i, _)| {
                        let missing = match style {
                            // Answers only the first dimension: no index.
                            0 => i >= 2,
                            // Skips the capability dimension.
                            1 => i >= 5,
                            _ => rng.chance(skip),
                        };
                        (!missing).then(|| 1 + rng.below(5) as u8)
                    })
                    .collect();
                let comment = talk
                    .chance(commenting)
                    .then(|| format!("remark {}", out.len()));
                // Regions: often a small unit, sometimes no answer.
                let region = match rng.below(12) {
                    0 | 1 => None,
                    2 => Some(2),
                    k => Some(usize::from(k % 2 == 0)),
                };
                out.push(Respondent {
                    org: format!("org-{}", (b'a' + o as u8) as char),
                    wave: format!("2025-w{}", w + 1),
                    role,
                    region,
                    answers,
                    comment,
                });
            }
        }
    }
    out
}

fn write_csv(path: &Path, rows: &[Respondent]) {
    let mut text = String::from("respondent_id,org,role,wave,region");
    for (id, _) in ITEM_TEXTS {
        text.push(',');
        text.push_str(id);
    }
    text.push_str(",remark\n");
    for (i, r) in rows.iter().enumerate() {
        text.push_str(&format!(
            "r{i},{},{},{},{}",
            r.org,
            ROLES[r.role],
            r.wave,
            r.region.map_or("", |u| UNITS[u])
        ));
        for a in &r.answers {
            text.push(',');
            if let Some(a) = a {
                text.push_str(&a.to_string());
            }
        }
        text.push(',');
        text.push_str(r.comment.as_deref().unwrap_or(""));
        text.push('\n');
    }
    std::fs::write(path, text).expect("write responses");
}

/// One figure as published: where, of which group and subject (a measure id, or `item:<id>`),
/// over how many respondents.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Figure {
    org: String,
    wave: String,
    group: String,
    subject: String,
    n: usize,
    source: String,
}

/// `org_scores.csv` or `breakdown_scores.csv`: a row is a figure; a unit of a breakdown is the
/// group `unit:<breakdown>:<unit>`.
fn from_score_table(path: &Path, source: &str) -> Vec<Figure> {
    let table = Table::read(path);
    let col = |name: &str| table.header.iter().position(|h| h == name);
    let cell = |r: &[String], name: &str| r[col(name).expect(name)].clone();
    let unit = col("breakdown").is_some();
    table
        .rows
        .iter()
        .map(|r| Figure {
            org: cell(r, "org"),
            wave: cell(r, "wave"),
            group: if unit {
                format!("unit:{}:{}", cell(r, "breakdown"), cell(r, "unit"))
            } else {
                cell(r, "group")
            },
            subject: cell(r, "measure"),
            n: cell(r, "n").parse().expect("n is a count"),
            source: source.to_string(),
        })
        .collect()
}

/// The partition a group is a part of (`role`, `unit:region`); `None` for `all`.
fn partition(group: &str) -> Option<&str> {
    group.rfind(':').map(|at| &group[..at])
}

fn from_scores_json(path: &Path) -> Vec<Figure> {
    let text = std::fs::read_to_string(path).expect("scores.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut out = Vec::new();
    for org in json["organizations"].as_array().expect("organizations") {
        for wave in org["waves"].as_array().expect("waves") {
            for group in wave["groups"].as_array().into_iter().flatten() {
                for m in group["measures"].as_array().expect("measures") {
                    if m["suppressed"] == serde_json::Value::Bool(true) {
                        // A hidden figure carries no number at all.
                        assert!(m.get("n").is_none() && m.get("mean").is_none(), "{m}");
                        continue;
                    }
                    out.push(Figure {
                        org: org["org"].as_str().expect("org").to_string(),
                        wave: wave["wave"].as_str().expect("wave").to_string(),
                        group: group["group"].as_str().expect("group").to_string(),
                        subject: m["measure"].as_str().expect("measure").to_string(),
                        n: m["n"].as_u64().expect("n") as usize,
                        source: "scores.json".into(),
                    });
                }
            }
            for unit in wave["breakdowns"].as_array().into_iter().flatten() {
                for m in unit["measures"].as_array().expect("measures") {
                    if m["suppressed"] == serde_json::Value::Bool(true) {
                        assert!(m.get("n").is_none() && m.get("mean").is_none(), "{m}");
                        continue;
                    }
                    out.push(Figure {
                        org: org["org"].as_str().expect("org").to_string(),
                        wave: wave["wave"].as_str().expect("wave").to_string(),
                        group: format!(
                            "unit:{}:{}",
                            unit["breakdown"].as_str().expect("breakdown"),
                            unit["unit"].as_str().expect("unit")
                        ),
                        subject: m["measure"].as_str().expect("measure").to_string(),
                        n: m["n"].as_u64().expect("n") as usize,
                        source: "scores.json".into(),
                    });
                }
            }
        }
    }
    out
}

/// The `all` group's item figures on an organization page (its latest wave): each row of the
/// item tables whose `n` cell is a number.
fn from_page(path: &Path, org: &str, wave: &str) -> Vec<Figure> {
    let html = std::fs::read_to_string(path).expect("page");
    let mut out = Vec::new();
    for (id, text) in ITEM_TEXTS {
        let marker = format!("<th scope=\"row\">{text}");
        let Some(at) = html.find(&marker) else {
            continue;
        };
        let rest = &html[at..];
        let cell = rest
            .find("<td class=\"num\">")
            .map(|i| &rest[i + 16..])
            .and_then(|r| r.find("</td>").map(|j| &r[..j]));
        if let Some(n) = cell.and_then(|c| c.trim().parse::<usize>().ok()) {
            out.push(Figure {
                org: org.into(),
                wave: wave.into(),
                group: "all".into(),
                subject: format!("item:{id}"),
                n,
                source: format!("page {}", path.display()),
            });
        }
    }
    out
}

/// The comments of `comments.csv`: one figure per organization-wave, over its commenters.
fn from_comments(path: &Path, source: &str) -> Vec<Figure> {
    let table = Table::read(path);
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in &table.rows {
        assert_eq!(r[2], "remark", "{r:?}");
        *counts.entry((r[0].clone(), r[1].clone())).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((org, wave), n)| Figure {
            org,
            wave,
            group: "all".into(),
            subject: "comment:remark".into(),
            n,
            source: source.to_string(),
        })
        .collect()
}

/// The number of comments an organization page shows ("12 comments"), as a figure.
fn comments_on_page(path: &Path, org: &str, wave: &str) -> Vec<Figure> {
    let html = std::fs::read_to_string(path).expect("page");
    let Some(at) = html.find("id=\"comments\"") else {
        return Vec::new();
    };
    let section = &html[at..];
    let count = section
        .find("<p class=\"why\">")
        .map(|i| &section[i + 15..])
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok());
    let listed = section
        .split("</section>")
        .next()
        .map_or(0, |s| s.matches("<li>").count());
    match count {
        Some(n) => {
            assert_eq!(
                n,
                listed,
                "{}: the count is the comments listed",
                path.display()
            );
            vec![Figure {
                org: org.into(),
                wave: wave.into(),
                group: "all".into(),
                subject: "comment:remark".into(),
                n,
                source: format!("page {}", path.display()),
            }]
        }
        None => {
            assert_eq!(listed, 0, "{}: comments without a count", path.display());
            Vec::new()
        }
    }
}

/// Respondent positions of a figure's set.
fn set_of(
    data: &[Respondent],
    org: &str,
    wave: &str,
    group: &str,
    subject: &str,
) -> BTreeSet<usize> {
    data.iter()
        .enumerate()
        .filter(|(_, r)| r.org == org && r.wave == wave && r.in_group(group) && r.has(subject))
        .map(|(i, _)| i)
        .collect()
}

/// The shown figures of one organization-wave: (group, subject) → respondent set.
type Shown = BTreeMap<(String, String), BTreeSet<usize>>;

fn isolates(a: &BTreeSet<usize>, b: &BTreeSet<usize>, t: usize) -> Option<usize> {
    let small = |k: usize| (k > 0 && k < t).then_some(k);
    small(a.difference(b).count()).or_else(|| small(b.difference(a).count()))
}

/// Everything a reader could isolate from `figures` (all from one run), as messages.
fn attacks(data: &[Respondent], figures: &[Figure], t_all: usize) -> Vec<String> {
    let mut found = Vec::new();
    let threshold = |group: &str| if group == "all" { t_all } else { T };
    // One entry per distinct figure (several sources publish the same one).
    let mut by_org_wave: BTreeMap<(String, String), Shown> = BTreeMap::new();
    for f in figures {
        let set = set_of(data, &f.org, &f.wave, &f.group, &f.subject);
        if set.len() != f.n {
            found.push(format!(
                "{f:?}: published n {} but {} respondents have it",
                f.n,
                set.len()
            ));
        }
        if f.n < threshold(&f.group) {
            found.push(format!("{f:?}: below the threshold"));
        }
        by_org_wave
            .entry((f.org.clone(), f.wave.clone()))
            .or_default()
            .insert((f.group.clone(), f.subject.clone()), set);
    }
    for ((org, wave), shown) in &by_org_wave {
        let entries: Vec<(&(String, String), &BTreeSet<usize>)> = shown.iter().collect();
        // Pairs: two figures of one group, or one subject in two groups that may overlap.
        for (i, ((g1, s1), a)) in entries.iter().enumerate() {
            for ((g2, s2), b) in &entries[i + 1..] {
                // Two parts of one partition are disjoint.
                let two_parts =
                    g1 != g2 && partition(g1).is_some() && partition(g1) == partition(g2);
                if (g1 == g2 || s1 == s2) && !two_parts {
                    let t = if g1 == "all" && g2 == "all" { t_all } else { T };
                    if let Some(k) = isolates(a, b, t) {
                        found.push(format!(
                            "{org} {wave}: {g1}/{s1} (n {}) and {g2}/{s2} (n {}) isolate {k}",
                            a.len(),
                            b.len()
                        ));
                    }
                }
            }
        }
        // Derived figures: `all` minus the shown parts of a partition (roles, or the units of
        // the breakdown), and the parts' union where `all` is hidden, per subject.
        let subjects: BTreeSet<&String> = shown.keys().map(|(_, s)| s).collect();
        let mut derived: Vec<(String, BTreeSet<usize>)> = Vec::new();
        let partitions: [Vec<String>; 2] = [
            ROLES.iter().map(|r| format!("role:{r}")).collect(),
            UNITS.iter().map(|u| format!("unit:region:{u}")).collect(),
        ];
        for (parts, subject) in partitions
            .iter()
            .flat_map(|p| subjects.iter().map(move |s| (p, *s)))
        {
            let roles: Vec<&BTreeSet<usize>> = parts
                .iter()
                .filter_map(|g| shown.get(&(g.clone(), subject.clone())))
                .collect();
            if roles.is_empty() {
                continue;
            }
            let union: BTreeSet<usize> = roles.iter().flat_map(|s| s.iter().copied()).collect();
            match shown.get(&("all".to_string(), subject.clone())) {
                Some(all) => {
                    let rest: BTreeSet<usize> = all.difference(&union).copied().collect();
                    if !rest.is_empty() {
                        derived.push((format!("all minus shown {} / {subject}", parts[0]), rest));
                    }
                }
                None => {
                    let all = set_of(data, org, wave, "all", subject);
                    if all == union {
                        derived.push((format!("union of the {} / {subject}", parts[0]), union));
                    }
                }
            }
        }
        for (i, (name, set)) in derived.iter().enumerate() {
            if set.len() < T {
                found.push(format!(
                    "{org} {wave}: {name} holds {} respondents",
                    set.len()
                ));
            }
            for ((g, s), other) in shown {
                if name.ends_with(&format!("/ {s}")) {
                    if let Some(k) = isolates(set, other, T) {
                        found.push(format!("{org} {wave}: {name} and {g}/{s} isolate {k}"));
                    }
                }
            }
            for (other_name, other) in &derived[i + 1..] {
                if let Some(k) = isolates(set, other, T) {
                    found.push(format!("{org} {wave}: {name} and {other_name} isolate {k}"));
                }
            }
        }
        // The identity Σ index − Σ_d (w_d/W)·Σ dim_d, for each group showing the index and every
        // dimension: it sums the respondents whose dimensions and index are not all present.
        let groups: BTreeSet<&String> = shown.keys().map(|(g, _)| g).collect();
        for group in groups {
            let has = |s: &str| shown.contains_key(&(group.clone(), s.to_string()));
            if !has("index") || !DIMENSIONS.iter().all(|(d, ..)| has(d)) {
                continue;
            }
            let partial = data
                .iter()
                .filter(|r| &r.org == org && &r.wave == wave && r.in_group(group))
                .filter(|r| {
                    let dims = (0..DIMENSIONS.len())
                        .filter(|&d| r.has_dimension(d))
                        .count();
                    let any = r.has_index() || dims > 0;
                    let complete = r.has_index() && dims == DIMENSIONS.len();
                    any && !complete
                })
                .count();
            let t = threshold(group);
            if partial > 0 && partial < t {
                found.push(format!(
                    "{org} {wave}: {group}'s index against its dimensions isolates {partial}"
                ));
            }
        }
    }
    found
}

/// Runs `report` and `score` on one generated data set and returns every figure they publish.
fn published(dir: &Path, _data: &[Respondent], extra: &[&str]) -> Vec<Figure> {
    let survey = fixtures().join("disclosure/survey.yaml");
    let survey = survey.to_str().expect("path");
    let reports = dir.join("reports");
    let run = run_in(
        Some(dir),
        &[
            &[
                "report",
                "--survey",
                survey,
                "responses.csv",
                "--out",
                "reports",
                "--quiet",
            ],
            extra,
        ]
        .concat(),
    );
    assert!(run.code == 0 || run.code == 2, "report: {}", run.stderr);
    let mut figures = Vec::new();
    if run.code == 0 {
        figures.extend(from_score_table(
            &reports.join("data/org_scores.csv"),
            "report",
        ));
        figures.extend(from_scores_json(&reports.join("data/scores.json")));
        figures.extend(from_comments(&reports.join("data/comments.csv"), "report"));
        figures.extend(from_score_table(
            &reports.join("data/breakdown_scores.csv"),
            "report",
        ));
        // Each page shows its organization's latest reported wave.
        let text = std::fs::read_to_string(reports.join("data/scores.json")).expect("json");
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        for org in json["organizations"].as_array().expect("organizations") {
            let id = org["org"].as_str().expect("org");
            let latest = org["waves"]
                .as_array()
                .expect("waves")
                .iter()
                .filter(|w| w["suppressed"] != serde_json::Value::Bool(true))
                .filter_map(|w| w["wave"].as_str())
                .max();
            let page = reports.join(format!("orgs/{id}.html"));
            if let (true, Some(wave)) = (page.exists(), latest) {
                figures.extend(from_page(&page, id, wave));
                figures.extend(comments_on_page(&page, id, wave));
            }
        }
    }
    if extra.is_empty() {
        let run = run_in(
            Some(dir),
            &[
                "score",
                "--survey",
                survey,
                "responses.csv",
                "--out",
                "results",
                "--quiet",
            ],
        );
        assert_eq!(run.code, 0, "score: {}", run.stderr);
        figures.extend(from_score_table(
            &dir.join("results/org_scores.csv"),
            "score",
        ));
        figures.extend(from_comments(&dir.join("results/comments.csv"), "score"));
        figures.extend(from_score_table(
            &dir.join("results/breakdown_scores.csv"),
            "score",
        ));
    }
    figures
}

fn cases() -> u64 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

#[test]
fn no_published_pair_isolates_anyone() {
    let total = cases();
    let seeds: Vec<u64> = (0..total).collect();
    let shown_comments = std::sync::atomic::AtomicUsize::new(0);
    let shown_comments = &shown_comments;
    let mut unit_figures = 0usize;
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = seeds
            .chunks(seeds.len().div_ceil(2).max(1))
            .map(|chunk| {
                scope.spawn(move || {
                    let (mut failures, mut units) = (Vec::new(), 0usize);
                    for &seed in chunk {
                        let dir = tempfile::tempdir().expect("temp dir");
                        let data = generate(seed, 1 + (seed % 3) as usize);
                        write_csv(&dir.path().join("responses.csv"), &data);
                        let figures = published(dir.path(), &data, &[]);
                        units += figures
                            .iter()
                            .filter(|f| f.group.starts_with("unit:"))
                            .count();
                        for attack in attacks(&data, &figures, T) {
                            failures.push(format!("seed {seed}: {attack}"));
                        }
                        if figures.iter().any(|f| f.subject == "comment:remark") {
                            shown_comments.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                    (failures, units)
                })
            })
            .collect();
        let mut failures = Vec::new();
        for worker in workers {
            let (found, units) = worker.join().expect("worker");
            failures.extend(found);
            unit_figures += units;
        }
        failures
    });
    // The reader had comments to read: some cases show them (SPEC §16 on §15).
    assert!(
        total < 20 || shown_comments.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "no case showed a comment"
    );
    // The breakdown's units are published somewhere, so the attacks on them are tried.
    assert!(
        total < 20 || unit_figures > 0,
        "no unit figure was published"
    );
    assert!(
        failures.is_empty(),
        "{} attacks succeeded, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
}

/// The cases the reader must find something in when nothing is hidden: a sanity check that the
/// attacks above can fail (on the raw sets, as a build without §15 would publish them).
#[test]
fn the_attacks_find_what_an_unprotected_output_would_give_away() {
    // One organization of 7; one respondent skips the capability dimension.
    let mut data = Vec::new();
    for i in 0..7 {
        data.push(Respondent {
            org: "org-a".into(),
            wave: "2025-w1".into(),
            role: 0,
            region: None,
            answers: (0..9).map(|j| (i != 0 || j < 5).then_some(3)).collect(),
            // Six of the seven write a comment.
            comment: (i != 0).then(|| format!("remark {i}")),
        });
    }
    let figure = |subject: &str, n| Figure {
        org: "org-a".into(),
        wave: "2025-w1".into(),
        group: "all".into(),
        subject: subject.into(),
        n,
        source: "raw".into(),
    };
    let raw = vec![
        figure("index", 7),
        figure("collaboration", 7),
        figure("resources", 7),
        figure("capability", 6),
        figure("comment:remark", 6),
    ];
    let found = attacks(&data, &raw, T);
    assert!(found.iter().any(|f| f.contains("isolate 1")), "{found:?}");
    assert!(
        found
            .iter()
            .any(|f| f.contains("all/comment:remark (n 6)") && f.contains("isolate 1")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.contains("index against its dimensions")),
        "{found:?}"
    );
}

/// SPEC §15: in a self-assessment, `all` is shown from one answer, but roles keep T, and more
/// than T answers are refused.
#[test]
fn a_self_assessment_shows_no_colleague_beside_the_others() {
    let survey = fixtures().join("disclosure/survey.yaml");
    let survey = survey.to_str().expect("path");
    for seed in 0..20u64 {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut data = generate(1000 + seed, 1);
        let wave = data[0].wave.clone();
        data.retain(|r| r.wave == wave);
        data.truncate(1 + (seed % 5) as usize);
        write_csv(&dir.path().join("responses.csv"), &data);
        let figures = published(dir.path(), &data, &["--self-assessment"]);
        let found = attacks(&data, &figures, 1);
        assert!(found.is_empty(), "seed {seed}: {found:#?}");
        assert!(
            figures.iter().all(|f| f.group == "all" || f.n >= T),
            "seed {seed}: {figures:#?}"
        );
    }
    // Six answers in one wave: more than T, refused.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut data = generate(7, 1);
    let wave = data[0].wave.clone();
    data.retain(|r| r.wave == wave);
    while data.len() < 6 {
        data.push(data[0].clone());
    }
    data.truncate(6);
    write_csv(&dir.path().join("responses.csv"), &data);
    let run = run_in(
        Some(dir.path()),
        &[
            "report",
            "--survey",
            survey,
            "responses.csv",
            "--self-assessment",
            "--out",
            "r",
        ],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("holds 6 accepted responses, more than the anonymity threshold of 5"),
        "{}",
        run.stderr
    );
}

/// The red-team case: seven respondents, one of whom skipped the capability dimension. The
/// index over 7 and capability over 6 would give that respondent's index from
/// `org_scores.csv`; capability (the smaller set) is not shown, and says why on the page.
#[test]
fn one_skipped_dimension_of_seven_is_not_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data: Vec<Respondent> = (0..7)
        .map(|i| Respondent {
            org: "org-a".into(),
            wave: "2025-w1".into(),
            role: 0,
            region: None,
            answers: (0..9)
                .map(|j| (i != 0 || j < 5).then_some(1 + (i + j) as u8 % 5))
                .collect(),
            comment: None,
        })
        .collect();
    write_csv(&dir.path().join("responses.csv"), &data);
    let figures = published(dir.path(), &data, &[]);
    let shown = |source: &str, subject: &str| {
        figures
            .iter()
            .any(|f| f.source == source && f.group == "all" && f.subject == subject)
    };
    for source in ["score", "report", "scores.json"] {
        assert!(shown(source, "index"), "{source}: {figures:#?}");
        assert!(shown(source, "collaboration"), "{source}");
        assert!(!shown(source, "capability"), "{source}: {figures:#?}");
    }
    let page = std::fs::read_to_string(dir.path().join("reports/orgs/org-a.html")).expect("page");
    assert!(page.contains("not shown, to protect a smaller group"));
    assert!(attacks(&data, &figures, T).is_empty());
}

/// `stats --by-wave`: every shown count is at least T, and a pooled row counts exactly its
/// shown waves, so no pooled n minus the shown waves gives a hidden wave away (SPEC §15).
/// `norms`: every pooled value is a figure the reports show.
#[test]
fn stats_and_norms_give_no_hidden_wave_or_figure_away() {
    let survey = fixtures().join("disclosure/survey.yaml");
    let survey = survey.to_str().expect("path");
    let (mut checked, mut norms_checked) = (0, 0);
    for seed in 0..40u64 {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = generate(5000 + seed, 5 + (seed % 3) as usize);
        write_csv(&dir.path().join("responses.csv"), &data);
        let run = run_in(
            Some(dir.path()),
            &[
                "stats",
                "--survey",
                survey,
                "responses.csv",
                "--by-wave",
                "--out",
                "stats",
                "-q",
            ],
        );
        assert_eq!(run.code, 0, "seed {seed}: {}", run.stderr);
        for (file, key) in [
            ("reliability.csv", "dimension"),
            ("descriptives.csv", "measure"),
        ] {
            let table = Table::read(&dir.path().join("stats").join(file));
            let col = |name: &str| table.header.iter().position(|h| h == name).expect(name);
            let (k, wave, n) = (col(key), col("wave"), col("n"));
            let mut pooled: BTreeMap<String, usize> = BTreeMap::new();
            let mut waves: BTreeMap<String, usize> = BTreeMap::new();
            for row in &table.rows {
                let Ok(count) = row[n].parse::<usize>() else {
                    continue;
                };
                assert!(count >= T, "seed {seed}: {file} {row:?}");
                if row[wave] == "all" {
                    pooled.insert(row[k].clone(), count);
                } else {
                    *waves.entry(row[k].clone()).or_default() += count;
                }
            }
            for (subject, n) in &pooled {
                let shown = waves.get(subject).copied().unwrap_or(0);
                let hidden = n.saturating_sub(shown);
                assert!(
                    shown == 0 || hidden == 0 || hidden >= T,
                    "seed {seed}: {file} {subject}: pooled {n}, shown waves {shown}"
                );
                checked += 1;
            }
        }
        // Norms pool shown figures only.
        let run = run_in(
            Some(dir.path()),
            &[
                "norms",
                "--survey",
                survey,
                "responses.csv",
                "-o",
                "norms.json",
                "-q",
            ],
        );
        if run.code != 0 {
            continue; // fewer than five organizations shown: refused
        }
        let figures = published(dir.path(), &data, &[]);
        let text = std::fs::read_to_string(dir.path().join("norms.json")).expect("norms");
        let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let means = Table::read(&dir.path().join("reports/data/org_scores.csv"));
        let col = |name: &str| means.header.iter().position(|h| h == name).expect(name);
        for population in json["populations"].as_array().expect("populations") {
            let (group, measure) = (
                population["group"].as_str().expect("group"),
                population["measure"].as_str().expect("measure"),
            );
            let shown: Vec<f64> = means
                .rows
                .iter()
                .filter(|r| r[col("group")] == group && r[col("measure")] == measure)
                .map(|r| r[col("mean")].parse().expect("mean"))
                .collect();
            for v in population["values"].as_array().expect("values") {
                let v = v.as_f64().expect("value");
                assert!(
                    shown.iter().any(|s| (s - v).abs() <= 1e-9),
                    "seed {seed}: norms {group}/{measure} holds {v}, which no report shows"
                );
                norms_checked += 1;
            }
        }
        assert!(attacks(&data, &figures, T).is_empty(), "seed {seed}");
    }
    assert!(
        checked > 0 && norms_checked > 0,
        "{checked} pooled rows, {norms_checked} norms values"
    );
}
