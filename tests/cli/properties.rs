//! Property tests (SPEC §10): generated instruments, response files and norms files, with
//! hostile values among the ordinary ones, must never panic, never produce a non-finite number,
//! account for every row (`read = scored + rejected + blank + filtered`) and locate every
//! problem.
//!
//! Instruments are checked in-process (thousands of cases are cheap); response and norms files
//! through the built binary, as a user runs it. `cargo test` runs a bounded number of cases per
//! property; `PROPTEST_CASES=N cargo test --test cli properties` runs N of each.

use std::path::Path;

use partnerscope::instrument::{load::parse, Instrument, ItemKind};
use partnerscope::Error;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::support::{fixtures, run, temp, Table};

/// `PROPTEST_CASES` when set, otherwise `default` (kept small: the binary runs per case).
fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        // Failing inputs are printed (shrunk); nothing is written into the repository.
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs `test` on values of `strategy`, failing with the shrunk input.
fn check<S: Strategy>(
    default_cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(config(default_cases));
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Instruments

/// Words that ids, labels and options are drawn from: ordinary ones, case variants of each
/// other, reserved words, numbers, separators and text that YAML reads specially.
const WORDS: &[&str] = &[
    "hr",
    "HR",
    " Hr ",
    "sales_leader",
    "Sales leadership",
    "sales",
    "exec",
    "none",
    "None",
    "index",
    "3",
    "nan",
    "Never",
    "never",
    "Strongly agree",
    "",
    "a,b",
    "x;y",
    "Ärger",
    "ÄRGER",
    "col_1",
    "dim",
    "yes",
    "~",
    "é",
];

/// Numbers as YAML text: ordinary, at and beyond every bound, not finite, not numbers.
const NUMBERS: &[&str] = &[
    "0", "1", "2.5", "-1", "4", "50", "100", "1000", "1000.5", "1e308", "-1e308", "1e12", "-1e12",
    "1e13", "1e-300", "5e-324", ".inf", "-.inf", ".nan", "0.5", "true", "\"7\"", "[]", "~",
];

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(WORDS).prop_map(|w| format!("{w:?}"))
}

/// An ordinary number most of the time, a hostile one otherwise.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0u32..=100).prop_map(|n| n.to_string()),
        2 => prop::sample::select(NUMBERS).prop_map(str::to_string),
    ]
}

fn item() -> impl Strategy<Value = String> {
    let id = prop_oneof![
        4 => (0u32..6).prop_map(|n| format!("i{n}")),
        1 => word(),
    ];
    let options = prop::collection::vec(
        prop_oneof![
            word(),
            (word(), word()).prop_map(|(id, label)| format!("{{ id: {id}, label: {label} }}")),
            (word(), word(), number()).prop_map(|(id, label, score)| format!(
                "{{ id: {id}, label: {label}, score: {score} }}"
            )),
        ],
        0..5,
    )
    .prop_map(|o| format!("[{}]", o.join(", ")));
    let weight =
        prop_oneof![3 => Just(String::new()), 1 => number().prop_map(|w| format!(", weight: {w}"))];
    (
        id,
        0u8..7,
        options,
        number(),
        number(),
        weight,
        any::<bool>(),
    )
        .prop_map(|(id, kind, options, a, b, weight, reverse)| {
            let body = match kind {
                0 | 1 => "scale: s1".to_string(),
                2 => format!("type: number, min: {a}, max: {b}"),
                3 => "type: boolean".to_string(),
                4 => format!("type: choice, options: {options}"),
                5 => format!("type: multi, options: {options}, full_at: {a}"),
                _ => "scale: s2".to_string(),
            };
            format!("{{ id: {id}, text: t, {body}{weight}, reverse: {reverse} }}")
        })
}

/// A whole instrument as YAML text; now and then cut or spliced to break the YAML itself.
fn instrument_text() -> impl Strategy<Value = String> {
    let roles = prop::collection::vec(
        (word(), word()).prop_map(|(id, label)| format!("  - {{ id: {id}, label: {label} }}")),
        0..5,
    );
    let scale = |name: &'static str| {
        (
            prop::collection::vec(word(), 0..6),
            prop::collection::vec(word(), 0..2),
        )
            .prop_map(move |(labels, na)| {
                format!(
                    "  {name}:\n    labels: [{}]\n    na: [{}]",
                    labels.join(", "),
                    na.join(", ")
                )
            })
    };
    let dimension = (
        prop_oneof![4 => (0u32..3).prop_map(|n| format!("d{n}")), 1 => word()],
        prop_oneof![3 => Just("1".to_string()), 1 => number()],
        prop::collection::vec(item(), 0..4),
    )
        .prop_map(|(id, weight, items)| {
            format!(
                "  - id: {id}\n    title: T\n    weight: {weight}\n    items:\n{}",
                items
                    .iter()
                    .map(|i| format!("      - {i}\n"))
                    .collect::<String>()
            )
        });
    let levels =
        prop::collection::vec((number(), prop::option::of(number())), 0..4).prop_map(|levels| {
            levels
                .iter()
                .enumerate()
                .map(|(i, (min, gate))| {
                    let gate = gate
                        .as_ref()
                        .map_or(String::new(), |g| format!(", min_each_dimension: {g}"));
                    format!("  - {{ id: l{i}, label: L, min: {min}{gate} }}\n")
                })
                .collect::<String>()
        });
    let settings = (number(), number(), number(), number(), number());
    let damage = prop_oneof![
        6 => Just(None),
        1 => (any::<prop::sample::Index>(), prop::sample::select(&[
            "", ":", "{", "\"", "\t", "- ", "&a x", "*a", "<<: *a", "\u{feff}", "\0", "]",
        ][..]))
            .prop_map(Some),
    ];
    (
        roles,
        scale("s1"),
        scale("s2"),
        prop::collection::vec(dimension, 0..3),
        levels,
        prop::collection::vec((word(), number()), 0..3),
        settings,
        damage,
    )
        .prop_map(
            |(roles, s1, s2, dimensions, levels, recommendations, settings, damage)| {
                let (threshold, answered, gap, p, points) = settings;
                let recommendations: String = recommendations
                    .iter()
                    .map(|(d, below)| format!("  {d}:\n    - {{ below: {below}, text: r }}\n"))
                    .collect();
                let mut text = format!(
                    "id: gen\nversion: 1.0.0\ntitle: Generated\nanonymity_threshold: {threshold}\nmin_answered: {answered}\ngap_alert: {gap}\nmeaningful_change: {{ p: {p}, points: {points} }}\nroles:\n{}\nperception_gaps:\n  - [hr, sales_leader]\nscales:\n{s1}\n{s2}\ndimensions:\n{}levels:\n{levels}recommendations:\n{recommendations}",
                    roles.join("\n"),
                    dimensions.concat(),
                );
                if let Some((at, splice)) = damage {
                    let mut cut = at.index(text.len() + 1);
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    text.insert_str(cut, splice);
                    if splice.is_empty() {
                        text.truncate(cut);
                    }
                }
                text
            },
        )
}

/// What validation promises about an instrument it accepts (SPEC §2).
fn promised(instrument: &Instrument) -> Result<(), String> {
    let fold = |s: &str| s.trim().to_lowercase();
    let mut names: Vec<(String, usize)> = Vec::new();
    for (r, role) in instrument.roles.iter().enumerate() {
        for text in [&role.id, &role.label] {
            let key = fold(text);
            if key.is_empty() {
                continue;
            }
            if let Some((_, other)) = names.iter().find(|(k, o)| *k == key && *o != r) {
                return Err(format!("roles {r} and {other} share `{text}`"));
            }
            names.push((key, r));
        }
    }
    let weight_ok = |w: f64| w > 0.0 && w <= 1000.0;
    if !instrument.dimensions.iter().all(|d| weight_ok(d.weight)) {
        return Err("a dimension weight outside (0, 1000]".into());
    }
    for item in &instrument.items {
        if !weight_ok(item.weight) {
            return Err(format!("item {} has weight {}", item.id, item.weight));
        }
        match &item.kind {
            ItemKind::Number { min, max } => {
                if !(min < max && min.abs() <= 1e12 && max.abs() <= 1e12) {
                    return Err(format!("item {} has range {min}..{max}", item.id));
                }
                for x in [*min, *max, (min + max) / 2.0] {
                    let s = partnerscope::score::item_score(
                        &item.kind,
                        item.reverse,
                        partnerscope::score::Answer::Number(x),
                    );
                    if !(0.0..=100.0).contains(&s) {
                        return Err(format!("item {} scores {x} as {s}", item.id));
                    }
                }
            }
            ItemKind::Choice { options } => {
                if options.iter().any(|o| !(0.0..=100.0).contains(&o.score)) {
                    return Err(format!("item {} has a score outside 0–100", item.id));
                }
            }
            ItemKind::Scale { labels, .. } if labels.len() < 2 => {
                return Err(format!("item {} has fewer than 2 labels", item.id));
            }
            _ => {}
        }
    }
    let levels = &instrument.levels;
    if levels.first().map(|l| l.min) != Some(0.0)
        || levels.windows(2).any(|w| w[0].min >= w[1].min)
        || levels.iter().any(|l| !(0.0..=100.0).contains(&l.min))
    {
        return Err("levels do not ascend from 0 within 0–100".into());
    }
    let finite = [
        instrument.min_answered,
        instrument.gap_alert,
        instrument.meaningful_change.p,
        instrument.meaningful_change.points,
    ];
    if finite.iter().any(|x| !x.is_finite()) {
        return Err(format!("a setting is not finite: {finite:?}"));
    }
    Ok(())
}

#[test]
fn generated_instruments_are_valid_or_refused_with_located_messages() {
    check(400, instrument_text(), |text| {
        match parse(&text, "gen.yaml") {
            Ok(instrument) => {
                promised(&instrument).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?
            }
            Err(Error::Invalid(problems)) => {
                prop_assert!(!problems.is_empty());
                for p in &problems {
                    prop_assert!(
                        p.location.file == "gen.yaml"
                            && p.location.line >= 1
                            && p.location.column >= 1,
                        "not located: {p}\n{text}"
                    );
                    prop_assert!(
                        !p.message.is_empty() && p.message.chars().count() < 2000,
                        "{p}"
                    );
                }
            }
            Err(other) => prop_assert!(false, "unexpected error {other}\n{text}"),
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Response files

/// The cells a column of the mini instrument may hold: mostly valid, often not.
fn cell(column: &str) -> BoxedStrategy<String> {
    let pick = |valid: &'static [&'static str], invalid: &'static [&'static str]| {
        prop_oneof![
            4 => prop::sample::select(valid),
            1 => prop::sample::select(invalid),
        ]
        .prop_map(str::to_string)
        .boxed()
    };
    match column {
        "respondent_id" => prop_oneof![
            8 => (0u32..40).prop_map(|n| format!("r{n}")),
            1 => Just(String::new()),
            1 => Just(" r1 ".to_string()),
        ]
        .boxed(),
        "org" => pick(
            &["alpha", "beta", "gamma", "delta", "epsilon", "zeta"],
            &["", "=HYPERLINK(1)", "a,b", "Alpha", "ø\"q"],
        ),
        "role" => pick(
            &["hr", "sales_leader", "sales_rep", "HR", "Sales leadership"],
            &["intern", "", "hr;sales_rep"],
        ),
        "wave" => pick(&["w1", "w2", "2025-H1"], &["", "+w3"]),
        "col_1" => pick(
            &["1", "2", "3", "4", "Never", "MONTHLY", ""],
            &["9", "3.5", "0", "+1", "x"],
        ),
        "col_2" => pick(
            &[
                "1",
                "2",
                "3",
                "4",
                "5",
                "Agree",
                "strongly agree",
                "Don't know",
                "",
            ],
            &["6", "-1", "Agreed"],
        ),
        "cap_tasks" => pick(
            &[
                "recruiting",
                "none",
                "recruiting;training",
                " training ; recruiting ",
                "onboarding;onboarding",
                "",
            ],
            &["a;;b", "none;recruiting", "golf", ";"],
        ),
        "cap_staff" => pick(
            &["0", "1", "2.5", "4", "3.999999999999999", ""],
            &[
                "5", "-1", "1e308", "NaN", "inf", "-inf", "2,5", "1e-400", "0x1",
            ],
        ),
        "cap_bp" => pick(
            &["yes", "No", "TRUE", "false", "1", "0", ""],
            &["maybe", "2"],
        ),
        "cap_owner" => pick(
            &["joint", "sales_alone", "Jointly", ""],
            &["shared", "none"],
        ),
        "turnover_pct" => pick(
            &["0", "10", "55.5", "100", "-0", ""],
            &["140", "1e-320", "nan"],
        ),
        _ => pick(&["", "x"], &["\u{0}", "é", "\"\""]),
    }
}

const COLUMNS: &[&str] = &[
    "respondent_id",
    "org",
    "role",
    "wave",
    "col_1",
    "col_2",
    "cap_tasks",
    "cap_staff",
    "cap_bp",
    "cap_owner",
    "turnover_pct",
];

/// One field as a CSV writer would write it, or (`raw`) exactly as given.
fn field(text: &str, raw: bool) -> String {
    if !raw && text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[derive(Debug, Clone)]
struct CsvCase {
    bytes: Vec<u8>,
    threshold: u32,
}

fn csv_file() -> impl Strategy<Value = CsvCase> {
    // The header: the reserved columns and a selection of the items, shuffled; sometimes an
    // unknown, repeated, differently cased or empty column.
    let extra = prop::sample::select(&["", "comments", "Org", "col_1", " ROLE ", ""][..]);
    let header = (
        prop::sample::subsequence(&COLUMNS[4..], 0..=7),
        prop::option::weighted(0.2, extra),
        any::<bool>(),
    )
        .prop_flat_map(|(items, extra, wave)| {
            let mut columns: Vec<String> = ["respondent_id", "org", "role"]
                .iter()
                .chain(wave.then_some(&"wave"))
                .chain(items.iter())
                .map(|c| c.to_string())
                .collect();
            columns.extend(extra.map(str::to_string));
            Just(columns).prop_shuffle()
        });
    header.prop_flat_map(|columns| {
        let row = {
            let cells: Vec<BoxedStrategy<String>> = columns
                .iter()
                .map(|c| cell(c.trim().to_lowercase().as_str()))
                .collect();
            (cells, prop::option::weighted(0.05, 0usize..4))
        };
        let rows = prop::collection::vec(row, 0..60);
        let ending = prop::sample::select(&["\n", "\r\n"][..]);
        let damage = prop_oneof![
            8 => Just(None),
            1 => (any::<prop::sample::Index>(), prop::sample::select(&["\"", "\n", "\n\n", ",", "\r", "\u{feff}"][..])).prop_map(Some),
        ];
        (
            Just(columns),
            rows,
            ending,
            any::<bool>(),
            any::<bool>(),
            damage,
            prop::sample::select(&[1u32, 5][..]),
        )
            .prop_map(|(columns, rows, ending, bom, last_end, damage, threshold)| {
                let mut text = String::new();
                if bom {
                    text.push('\u{feff}');
                }
                text.push_str(&columns.iter().map(|c| field(c, false)).collect::<Vec<_>>().join(","));
                for (cells, odd) in rows {
                    text.push_str(ending);
                    let mut cells: Vec<String> = cells.iter().map(|c| field(c, false)).collect();
                    match odd {
                        Some(0) => {
                            cells.pop();
                        }
                        Some(1) => cells.push("extra".into()),
                        Some(2) => cells.iter_mut().for_each(String::clear),
                        Some(_) => cells.clear(),
                        None => {}
                    }
                    text.push_str(&cells.join(","));
                }
                if last_end {
                    text.push_str(ending);
                }
                if let Some((at, splice)) = damage {
                    let mut cut = at.index(text.len() + 1);
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    text.insert_str(cut, splice);
                }
                CsvCase {
                    bytes: text.into_bytes(),
                    threshold,
                }
            })
    })
}

/// `read N rows: scored S, rejected R[, skipped B blank][, filtered F]` → (N, S + R + B + F, R).
fn reconciliation(line: &str) -> Option<(u64, u64, u64)> {
    let rest = line.strip_prefix("read ")?;
    let (read, rest) = rest.split_once(' ')?;
    let (_, counts) = rest.split_once(": ")?;
    let mut total = 0;
    let mut rejected = 0;
    for part in counts.split(", ") {
        let number: u64 = part.split(' ').find_map(|w| w.parse().ok())?;
        if part.starts_with("rejected") {
            rejected = number;
        }
        total += number;
    }
    Some((read.parse().ok()?, total, rejected))
}

/// Every CSV output under `dir`: no cell that reads as an infinite or NaN number.
fn all_finite(dir: &Path) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            all_finite(&path)?;
        } else if path.extension().is_some_and(|e| e == "csv") {
            let table = Table::read(&path);
            for row in &table.rows {
                for (c, cell) in row.iter().enumerate() {
                    if cell.parse::<f64>().is_ok_and(|x| !x.is_finite()) {
                        return Err(format!(
                            "{}: column {} holds `{cell}`",
                            path.display(),
                            table.header[c]
                        ));
                    }
                }
            }
        } else if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let json: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
            finite_json(&json).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// serde_json writes a non-finite f64 as `null`; a number field that is `null` where a
/// percentile or mean should be is indistinguishable, so JSON numbers are only checked to be
/// finite (which `from_str` guarantees) and percentiles to lie in 0–100.
fn finite_json(json: &serde_json::Value) -> Result<(), String> {
    match json {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                if key == "percentile" {
                    if let Some(p) = value.as_f64() {
                        if !(0.0..=100.0).contains(&p) {
                            return Err(format!("percentile {p}"));
                        }
                    }
                }
                finite_json(value)?;
            }
            Ok(())
        }
        serde_json::Value::Array(list) => list.iter().try_for_each(finite_json),
        _ => Ok(()),
    }
}

/// The mini instrument with `anonymity_threshold` replaced, so that small generated files show
/// their groups too.
fn mini_with_threshold(dir: &Path, threshold: u32) -> String {
    let text = std::fs::read_to_string(fixtures().join("mini.yaml")).unwrap();
    let path = dir.join("mini.yaml");
    std::fs::write(
        &path,
        text.replace(
            "anonymity_threshold: 5",
            &format!("anonymity_threshold: {threshold}"),
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn generated_response_files_are_reconciled_located_and_finite() {
    check(24, csv_file(), |case| {
        let dir = temp();
        let file = dir.path().join("responses.csv");
        std::fs::write(&file, &case.bytes).unwrap();
        let survey = mini_with_threshold(dir.path(), case.threshold);
        let out = dir.path().join("out");
        let name = file.to_str().unwrap();
        let r = run(&[
            "score",
            "--survey",
            &survey,
            name,
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]);
        let text = String::from_utf8_lossy(&case.bytes);
        prop_assert!(!r.stderr.contains("panicked"), "{}\n{text}", r.stderr);
        match r.code {
            0 => {
                let last = r.stdout.lines().last().unwrap_or("");
                let (read, total, rejected) = reconciliation(last).ok_or_else(|| {
                    TestCaseError::fail(format!("no reconciliation line: {last}"))
                })?;
                prop_assert_eq!(read, total, "{}", last);
                let rejects = Table::read(&out.join("rejects.csv"));
                prop_assert_eq!(rejects.rows.len() as u64, rejected);
                for reject in &rejects.rows {
                    let line: u64 = reject[1].parse().unwrap_or(0);
                    prop_assert!(
                        reject[0] == name && line >= 2 && !reject[4].is_empty(),
                        "reject not located: {:?}\n{}",
                        reject,
                        text
                    );
                }
                all_finite(&out).map_err(TestCaseError::fail)?;
            }
            2 => {
                // A file-level problem: the message names the file and a line.
                let first = r.stderr.lines().next().unwrap_or("");
                prop_assert!(
                    first.contains(&format!("{name}:")),
                    "not located: {}\n{text}",
                    r.stderr
                );
            }
            code => prop_assert!(false, "exit {code}: {}\n{text}", r.stderr),
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// Norms files

#[derive(Debug, Clone, serde::Serialize)]
struct NormsPopulation {
    group: String,
    measure: String,
    n: usize,
    mean: f64,
    sd: Option<f64>,
    values: Vec<f64>,
}

fn norm_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => (0u32..=1000).prop_map(|v| f64::from(v) / 10.0),
        1 => prop::sample::select(&[-1e308, 1e308, -0.0, 100.000001, -1.0, 5e-324, 1e300][..]),
    ]
}

fn population() -> impl Strategy<Value = NormsPopulation> {
    (
        prop::sample::select(
            &[
                "all",
                "all",
                "role:hr",
                "role:sales_rep",
                "role:intern",
                "ALL",
            ][..],
        ),
        prop::sample::select(&["index", "collaboration", "capability", "index", "x"][..]),
        prop::collection::vec(norm_value(), 0..9),
        // Whether n, mean, sd and the order are made consistent (a valid population).
        prop::sample::select(&[true, true, true, false][..]),
        0usize..20,
        norm_value(),
    )
        .prop_map(|(group, measure, mut values, consistent, n, mean)| {
            if consistent {
                values.sort_by(f64::total_cmp);
                let count = values.len() as f64;
                let m = values.iter().sum::<f64>() / count;
                let sd = (values.len() > 1).then(|| {
                    (values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (count - 1.0)).sqrt()
                });
                NormsPopulation {
                    group: group.into(),
                    measure: measure.into(),
                    n: values.len(),
                    mean: if m.is_finite() { m } else { 0.0 },
                    sd: sd.filter(|s| s.is_finite()),
                    values,
                }
            } else {
                NormsPopulation {
                    group: group.into(),
                    measure: measure.into(),
                    n,
                    mean,
                    sd: Some(mean),
                    values,
                }
            }
        })
}

fn norms_text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["partnerscope-norms/1", "partnerscope-norms/1", "other/2"][..]),
        prop::sample::select(&["mini", "mini", "other"][..]),
        prop::sample::select(&["1.2.0", "1.0.0", "1.9.9", "2.0.0", "x"][..]),
        0usize..10,
        prop::collection::vec(population(), 0..5),
        prop::option::weighted(0.1, any::<prop::sample::Index>()),
    )
        .prop_map(|(format, id, version, organizations, populations, cut)| {
            let json = serde_json::json!({
                "format": format,
                "instrument": { "id": id, "version": version, "sha256": "0".repeat(64) },
                "waves": ["w1"],
                "organizations": organizations,
                "organization_waves": organizations,
                "respondents": 40,
                "created": "2026-01-01T00:00:00Z",
                "partnerscope_version": "0.1.0",
                "populations": populations,
            });
            let mut text = serde_json::to_string_pretty(&json).unwrap();
            if let Some(at) = cut {
                text.truncate(at.index(text.len()));
            }
            text
        })
}

#[test]
fn generated_norms_files_are_used_or_refused_naming_the_file() {
    check(24, norms_text(), |text| {
        let dir = temp();
        let norms = dir.path().join("norms.json");
        std::fs::write(&norms, &text).unwrap();
        let out = dir.path().join("out");
        let name = norms.to_str().unwrap();
        let r = run(&[
            "score",
            "--survey",
            "mini.yaml",
            "hand/2025-H2.csv",
            "--norms",
            name,
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]);
        prop_assert!(!r.stderr.contains("panicked"), "{}\n{text}", r.stderr);
        match r.code {
            0 => all_finite(&out).map_err(TestCaseError::fail)?,
            2 => prop_assert!(
                r.stderr.starts_with(&format!("{name}:")),
                "the message does not start with the file: {}\n{text}",
                r.stderr
            ),
            code => prop_assert!(false, "exit {code}: {}\n{text}", r.stderr),
        }
        Ok(())
    });
}
