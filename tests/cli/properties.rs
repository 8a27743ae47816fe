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

fn word() -> BoxedStrategy<String> {
    prop::sample::select(WORDS)
        .prop_map(|w| format!("{w:?}"))
        .boxed()
}

fn hostile_number() -> BoxedStrategy<String> {
    prop::sample::select(NUMBERS)
        .prop_map(str::to_string)
        .boxed()
}

/// Usually `sane`, now and then `hostile`: with some forty such choices per instrument, about
/// a third of the instruments are valid and most others have one or two faults.
fn mostly(sane: BoxedStrategy<String>, hostile: BoxedStrategy<String>) -> BoxedStrategy<String> {
    prop_oneof![30 => sane, 1 => hostile].boxed()
}

/// A number between `lo` and `hi` in tenths, as YAML text.
fn tenths(lo: i32, hi: i32) -> BoxedStrategy<String> {
    (lo * 10..=hi * 10)
        .prop_map(|t| format!("{}", f64::from(t) / 10.0))
        .boxed()
}

fn plain(text: String) -> BoxedStrategy<String> {
    Just(text).boxed()
}

/// Item `i` of dimension `d` (`d` = 9 for outcomes), in YAML flow style.
fn item(d: usize, i: usize) -> BoxedStrategy<String> {
    let option = move |o: usize| {
        (
            mostly(plain(format!("o{o}")), word()),
            mostly(plain(format!("Option {o}")), word()),
            mostly(tenths(0, 100), hostile_number()),
        )
    };
    let options = prop::collection::vec(0..1usize, 1..6)
        .prop_flat_map(move |slots| (0..slots.len()).map(option).collect::<Vec<_>>());
    (
        mostly(plain(format!("i{d}_{i}")), word()),
        0u8..6,
        options,
        (tenths(-1000, 1000), tenths(1, 1000)),
        mostly(
            tenths(0, 1000)
                .prop_filter("positive", |w| w != "0")
                .boxed(),
            hostile_number(),
        ),
        any::<bool>(),
        mostly(plain("a".into()), plain("b".into())),
    )
        .prop_map(
            move |(id, kind, options, (min, span), weight, reverse, scale)| {
                let plain_ids: Vec<String> = options.iter().map(|o| o.0.clone()).collect();
                let choice: Vec<String> = options
                    .iter()
                    .map(|(id, label, score)| {
                        format!("{{ id: {id}, label: {label}, score: {score} }}")
                    })
                    .collect();
                let max = min.parse::<f64>().unwrap() + span.parse::<f64>().unwrap();
                let body = match kind {
                    0 | 1 => format!("scale: {scale}"),
                    2 => format!("type: number, min: {min}, max: {max}"),
                    3 => "type: boolean".to_string(),
                    4 => format!("type: choice, options: [{}]", choice.join(", ")),
                    _ => format!(
                        "type: multi, options: [{}], full_at: {}",
                        plain_ids.join(", "),
                        plain_ids.len()
                    ),
                };
                let reverse = reverse && d != 9;
                format!("{{ id: {id}, text: t, {body}, weight: {weight}, reverse: {reverse} }}")
            },
        )
        .boxed()
}

fn scale(name: &'static str) -> BoxedStrategy<String> {
    let label = |l: usize| mostly(plain(format!("Label {l}")), word());
    (
        prop::collection::vec(0..1usize, 2..7),
        mostly(plain(String::new()), word()),
    )
        .prop_flat_map(move |(slots, na)| {
            ((0..slots.len()).map(label).collect::<Vec<_>>(), Just(na))
        })
        .prop_map(move |(labels, na)| {
            format!(
                "  {name}:\n    labels: [{}]\n    na: [{na}]",
                labels.join(", ")
            )
        })
        .boxed()
}

fn dimension(d: usize) -> BoxedStrategy<String> {
    (
        mostly(plain(format!("d{d}")), word()),
        mostly(
            tenths(0, 1000)
                .prop_filter("positive", |w| w != "0")
                .boxed(),
            hostile_number(),
        ),
        prop::collection::vec(0..1usize, 1..4),
    )
        .prop_flat_map(move |(id, weight, slots)| {
            let items: Vec<_> = (0..slots.len()).map(|i| item(d, i)).collect();
            (Just(id), Just(weight), items)
        })
        .prop_map(|(id, weight, items)| {
            format!(
                "  - id: {id}\n    title: T\n    weight: {weight}\n    items:\n{}",
                items
                    .iter()
                    .map(|i| format!("      - {i}\n"))
                    .collect::<String>()
            )
        })
        .boxed()
}

/// A whole instrument as YAML text; now and then cut or spliced to break the YAML itself.
fn instrument_text() -> impl Strategy<Value = String> {
    let role = |r: usize| {
        (
            mostly(
                plain(["hr", "sales_leader", "sales_rep", "exec"][r].into()),
                word(),
            ),
            mostly(plain(format!("Role {r}")), word()),
        )
            .prop_map(|(id, label)| format!("  - {{ id: {id}, label: {label} }}"))
    };
    let roles = (1..5usize).prop_flat_map(move |n| (0..n).map(role).collect::<Vec<_>>());
    let dimensions = (1..4usize).prop_flat_map(|n| (0..n).map(dimension).collect::<Vec<_>>());
    let outcomes = (0..3usize).prop_flat_map(|n| (0..n).map(|i| item(9, i)).collect::<Vec<_>>());
    // Ascending thresholds from 0, each gated or not.
    let levels =
        prop::collection::vec((1u32..40, prop::option::of(0u32..=100)), 0..4).prop_map(|steps| {
            let mut min = 0;
            let mut text = "  - { id: l0, label: L, min: 0 }\n".to_string();
            for (i, (step, gate)) in steps.iter().enumerate() {
                min += step;
                let gate = gate.map_or(String::new(), |g| format!(", min_each_dimension: {g}"));
                text.push_str(&format!(
                    "  - {{ id: l{}, label: L, min: {min}{gate} }}\n",
                    i + 1
                ));
            }
            text
        });
    let levels = mostly(
        levels.boxed(),
        (hostile_number(), hostile_number())
            .prop_map(|(a, b)| {
                format!(
                    "  - {{ id: l0, label: L, min: {a} }}\n  - {{ id: l1, label: L, min: {b} }}\n"
                )
            })
            .boxed(),
    );
    let recommendations = prop::sample::subsequence(vec![0], 0..=1).prop_flat_map(|ds| {
        ds.into_iter()
            .map(|d| {
                (
                    mostly(plain(format!("d{d}")), word()),
                    mostly(tenths(1, 100), hostile_number()),
                )
            })
            .collect::<Vec<_>>()
    });
    let settings = (
        mostly(plain("5".into()), plain("1".into())),
        mostly(plain("0.5".into()), hostile_number()),
        mostly(tenths(1, 50), hostile_number()),
        mostly(plain("0.05".into()), hostile_number()),
        mostly(tenths(0, 20), hostile_number()),
    );
    let damage = prop_oneof![
        12 => Just(None),
        1 => (any::<prop::sample::Index>(), prop::sample::select(&[
            "", ":", "{", "\"", "\t", "- ", "&a x", "*a", "<<: *a", "\u{feff}", "\0", "]",
        ][..]))
            .prop_map(Some),
    ];
    (
        roles,
        scale("a"),
        scale("b"),
        dimensions,
        outcomes,
        levels,
        recommendations,
        settings,
        damage,
    )
        .prop_map(
            |(roles, a, b, dimensions, outcomes, levels, recommendations, settings, damage)| {
                let (threshold, answered, gap, p, points) = settings;
                let recommendations: String = recommendations
                    .iter()
                    .map(|(d, below)| format!("  {d}:\n    - {{ below: {below}, text: r }}\n"))
                    .collect();
                let outcomes: String = outcomes.iter().map(|o| format!("  - {o}\n")).collect();
                let gaps = if roles.len() > 1 { "perception_gaps:\n  - [hr, sales_leader]\n" } else { "" };
                let mut text = format!(
                    "id: gen\nversion: 1.0.0\ntitle: Generated\nanonymity_threshold: {threshold}\nmin_answered: {answered}\ngap_alert: {gap}\nmeaningful_change: {{ p: {p}, points: {points} }}\nroles:\n{}\n{gaps}scales:\n{a}\n{b}\ndimensions:\n{}outcomes:\n{outcomes}levels:\n{levels}recommendations:\n{recommendations}",
                    roles.join("\n"),
                    dimensions.concat(),
                );
                if outcomes.is_empty() {
                    text = text.replace("outcomes:\nlevels", "levels");
                }
                if recommendations.is_empty() {
                    text = text.replace("recommendations:\n", "");
                }
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
            ItemKind::Choice { options }
                if options.iter().any(|o| !(0.0..=100.0).contains(&o.score)) =>
            {
                return Err(format!("item {} has a score outside 0–100", item.id));
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

/// The cells a column of the mini instrument may hold: valid ones, and invalid ones one time
/// in `odds + 1`.
fn cell(column: &str, odds: u32) -> BoxedStrategy<String> {
    let pick = move |valid: &'static [&'static str], invalid: &'static [&'static str]| {
        prop_oneof![
            odds => prop::sample::select(valid),
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
        "wave" => pick(&["w1", "w1", "w2"], &["", "+w3"]),
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
        prop::option::weighted(0.1, extra),
        any::<bool>(),
        // How hostile the cells are: an invalid cell one time in 4, or in 100.
        prop::sample::select(&[4u32, 100][..]),
    )
        .prop_flat_map(|(items, extra, wave, odds)| {
            let mut columns: Vec<String> = ["respondent_id", "org", "role"]
                .iter()
                .chain(wave.then_some(&"wave"))
                .chain(items.iter())
                .map(|c| c.to_string())
                .collect();
            columns.extend(extra.map(str::to_string));
            (Just(columns).prop_shuffle(), Just(odds))
        });
    header.prop_flat_map(|(columns, odds)| {
        let row = {
            let cells: Vec<BoxedStrategy<String>> = columns
                .iter()
                .map(|c| cell(c.trim().to_lowercase().as_str(), odds))
                .collect();
            (cells, prop::option::weighted(0.02, 0usize..4))
        };
        let rows = prop::collection::vec(row, 0..150);
        let ending = prop::sample::select(&["\n", "\r\n"][..]);
        let damage = prop_oneof![
            12 => Just(None),
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

/// Columns that hold text from the input (ids, names, reasons), which may read `NaN` as
/// written by the user; every other column holds numbers partnerscope computed.
const TEXT_COLUMNS: &[&str] = &[
    "file",
    "column",
    "reason",
    "respondent_id",
    "org",
    "name",
    "role",
    "wave",
    "group",
    "measure",
    "level",
    "next_level",
    "population",
    "blocking_dimensions",
    "first_role",
    "second_role",
    "from_wave",
    "to_wave",
];

/// Every CSV output under `dir`: no number column holds an infinite or NaN value.
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
                    if TEXT_COLUMNS.contains(&table.header[c].as_str()) {
                        continue;
                    }
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

/// The population of `group` and `measure`: consistent (sorted, its own n, mean and sd) most of
/// the time, with at least 5 values most of the time.
fn population(
    group: &'static str,
    measure: &'static str,
) -> impl Strategy<Value = NormsPopulation> {
    (
        prop_oneof![8 => Just(group), 1 => prop::sample::select(&["role:intern", "ALL", "all"][..])],
        prop_oneof![8 => Just(measure), 1 => prop::sample::select(&["x", "index"][..])],
        prop_oneof![
            8 => prop::collection::vec((0u32..=1000).prop_map(|v| f64::from(v) / 10.0), 5..12),
            1 => prop::collection::vec(norm_value(), 0..9),
        ],
        prop::sample::select(&[true, true, true, true, true, false][..]),
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
    const KEYS: [(&str, &str); 6] = [
        ("all", "collaboration"),
        ("all", "capability"),
        ("all", "index"),
        ("role:hr", "index"),
        ("role:sales_leader", "collaboration"),
        ("role:sales_rep", "index"),
    ];
    let populations = prop::sample::subsequence(KEYS.to_vec(), 0..=6).prop_flat_map(|keys| {
        keys.into_iter()
            .map(|(g, m)| population(g, m))
            .collect::<Vec<_>>()
    });
    (
        prop_oneof![9 => Just("partnerscope-norms/1"), 1 => Just("other/2")],
        prop_oneof![9 => Just("mini"), 1 => Just("other")],
        prop_oneof![8 => prop::sample::select(&["1.2.0", "1.0.0", "1.9.9"][..]), 1 => prop::sample::select(&["2.0.0", "x", ""][..])],
        prop_oneof![9 => 5usize..40, 1 => 0usize..5],
        populations,
        prop::option::weighted(0.05, any::<prop::sample::Index>()),
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
