//! Conditional items (SPEC §16) through the binary: `score` on `conditions/answers.csv`, whose
//! expected scores are worked out by hand below, the warning for answers to questions that
//! were not asked, `validate --strict`, and the located validation errors.

use crate::support::{close, run, temp, Table};

const SURVEY: &str = "conditions/conditional.yaml";
const ANSWERS: &str = "conditions/answers.csv";

fn score() -> (tempfile::TempDir, crate::support::Run) {
    let dir = temp();
    let out = dir.path().to_str().unwrap().to_string();
    let result = run(&["score", "--survey", SURVEY, ANSWERS, "--out", &out]);
    (dir, result)
}

/// A respondent's id, resources, sales_view, practice, index and level.
type Expected = (
    &'static str,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    &'static str,
);

/// Items: resources = hrbp_named, hrbp_meet (if named), hrbp_count; sales_view (weight 2) =
/// quota_clarity (sales roles), territory (sales reps); practice = tasks, training_quality (if
/// training is a task), owner (if 2+ HR staff or hrbp_named unanswered), coaching (if 2+ tasks,
/// training rated Agree or better and owner joint); outcome turnover_pct (if at most 3 staff).
#[test]
fn dimensions_score_over_the_asked_items_as_worked_out_by_hand() {
    let (dir, result) = score();
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.stdout.trim(), "read 6 rows: scored 6, rejected 0");
    let t = Table::read(&dir.path().join("respondent_scores.csv"));
    // (id, resources, sales_view, practice, index, level)
    let expected: [Expected; 6] = [
        // h1 (hr): resources (100 + 100 + 50)/3; sales_view not asked (no score, not in the
        // index); practice (66.67 + 75 + 100 + 100)/4; index (83.33 + 85.42)/2; the gate of
        // `strategic` holds over the dimensions asked.
        (
            "h1",
            Some(250.0 / 3.0),
            None,
            Some((200.0 / 3.0 + 275.0) / 4.0),
            Some(84.375),
            "strategic",
        ),
        // h2: named no, so hrbp_meet is not asked: (0 + 25)/2; practice = tasks alone, 1 of 3
        // (owner and coaching not asked); index (12.5 + 33.33)/2.
        (
            "h2",
            Some(12.5),
            None,
            Some(100.0 / 3.0),
            Some((12.5 + 100.0 / 3.0) / 2.0),
            "support",
        ),
        // h3: hrbp_named unanswered: hrbp_meet not asked (a comparison on a missing answer is
        // false), owner asked (4 staff); resources 1 of 2 asked answered = 0.5 → 100.
        ("h3", Some(100.0), None, Some(0.0), Some(50.0), "partner"),
        // r1: practice asks tasks, training_quality (`Don't know`) and owner (empty): 1 of 3 is
        // below min_answered, so practice is missing though asked; index (83.33 + 2·87.5)/3;
        // the missing dimension fails the gate.
        (
            "r1",
            Some(250.0 / 3.0),
            Some(87.5),
            None,
            Some((250.0 / 3.0 + 175.0) / 3.0),
            "partner",
        ),
        // r2: hrbp_meet, owner and coaching answered though not asked: ignored.
        // index (0 + 2·12.5 + 87.5)/4.
        (
            "r2",
            Some(0.0),
            Some(12.5),
            Some(87.5),
            Some(28.125),
            "support",
        ),
        // l1: resources 1 of 3 answered; practice asks only tasks (empty); index 1 of 3
        // dimensions present: missing. territory (for reps only) answered: ignored.
        ("l1", None, Some(100.0), None, None, ""),
    ];
    for (id, resources, sales_view, practice, index, level) in expected {
        let row = t.row(&[id]);
        for (column, value) in [
            ("resources", resources),
            ("sales_view", sales_view),
            ("practice", practice),
            ("index", index),
        ] {
            match value {
                Some(v) => close(t.num(row, column), v),
                None => assert_eq!(t.get(row, column), "", "{id} {column}"),
            }
        }
        assert_eq!(t.get(row, "level"), level, "{id}");
    }
    // A conditional outcome: h3 (4 staff) and l1 (staff unanswered) were not asked it.
    let turnover: Vec<&str> = t.rows.iter().map(|r| t.get(r, "turnover_pct")).collect();
    assert_eq!(turnover, ["10", "", "", "40", "20", ""]);
}

#[test]
fn answers_to_questions_not_asked_are_ignored_counted_per_item_and_fail_strict() {
    let (_dir, result) = score();
    let warnings: Vec<&str> = result
        .stderr
        .lines()
        .filter(|l| l.contains("not asked"))
        .collect();
    let line = |item: &str, at: u32| {
        format!("warning: item `{item}`: 1 answer given where the question is not asked (its `show_if` does not hold) was ignored (conditions/answers.csv:{at}); clear that cell or check the condition")
    };
    assert_eq!(
        warnings,
        [
            line("hrbp_meet", 6),
            line("territory", 7),
            line("owner", 6),
            line("coaching", 6)
        ]
    );
    let plain = run(&["validate", "--survey", SURVEY, ANSWERS]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    let strict = run(&["validate", "--survey", SURVEY, ANSWERS, "--strict"]);
    assert_eq!(strict.code, 2);
    assert!(
        strict.stderr.contains(&line("owner", 6)),
        "{}",
        strict.stderr
    );
}

#[test]
fn item_statistics_count_only_the_respondents_asked() {
    let dir = temp();
    let out = dir.path().to_str().unwrap().to_string();
    let result = run(&["stats", "--survey", SURVEY, ANSWERS, "--out", &out]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let items = Table::read(&dir.path().join("items.csv"));
    // hrbp_meet: asked of h1, r1 and l1 (named yes), answered by h1 and r1; r2's answer is
    // ignored. training_quality: asked of h1, r1, r2; r1 said `Don't know`.
    let meet = items.row(&["resources", "hrbp_meet"]);
    assert_eq!(items.get(meet, "n"), "2");
    close(items.num(meet, "mean"), 87.5);
    close(items.num(meet, "share_missing"), 1.0 / 3.0);
    let quality = items.row(&["practice", "training_quality"]);
    assert_eq!(items.get(quality, "n"), "2");
    close(items.num(quality, "share_na"), 1.0 / 3.0);
    // turnover_pct asked of 4, answered by 3.
    let turnover = items.row(&["outcome", "turnover_pct"]);
    close(items.num(turnover, "share_missing"), 0.25);
    // Alpha over the items asked of everyone: resources has two (hrbp_named, hrbp_count).
    let reliability = Table::read(&dir.path().join("reliability.csv"));
    let resources = reliability.row(&["resources", "all"]);
    assert_eq!(reliability.get(resources, "k"), "2");
    let sales_view = reliability.row(&["sales_view", "all"]);
    assert_eq!(reliability.get(sales_view, "k"), "0");
    assert_eq!(reliability.get(sales_view, "alpha"), "");
}

#[test]
fn a_forward_reference_a_cycle_and_impossible_values_are_located() {
    for (file, expected) in [
        (
            "conditions/forward.yaml",
            "conditions/forward.yaml:25:26: the condition of `hrbp_meet` names `tasks`, which comes later; a condition may name only questions that come earlier (dimensions in order, their items, then outcomes), so move `tasks` before `hrbp_meet`",
        ),
        (
            "conditions/cycle.yaml",
            "conditions/cycle.yaml:25:26: the condition of `hrbp_meet` names `hrbp_meet` itself; a question cannot depend on its own answer, so name an earlier question",
        ),
        (
            "conditions/bad_value.yaml",
            "conditions/bad_value.yaml:50:37: `tasks` has no option `coaching` (options: recruiting, onboarding, training)\n\
             conditions/bad_value.yaml:68:43: `hrbp_named` is a boolean item, so `at_most` does not apply; use `is: true` or `is: false`",
        ),
    ] {
        let r = run(&["validate", "--survey", file]);
        assert_eq!(r.code, 2, "{file}");
        assert_eq!(r.stderr.trim_end(), expected, "{file}");
        assert!(r.stdout.is_empty(), "{file}");
    }
}

#[test]
fn the_questionnaire_carries_conditions_as_data_and_in_words() {
    let dir = temp();
    let out = dir.path().join("q");
    let r = run(&[
        "questionnaire",
        "--survey",
        SURVEY,
        "--wave",
        "2026",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Every column stays; the example row (role hr, hrbp_named yes, one task, 0 staff) leaves
    // blank what it would not be asked, so it reads back without a warning.
    let template = std::fs::read_to_string(out.join("template.csv")).unwrap();
    assert_eq!(
        template,
        "respondent_id,org,role,wave,hrbp_named,hrbp_meet,hrbp_count,quota_clarity,territory,tasks,training_quality,owner,coaching,turnover_pct\n\
         example-1,Example organization,hr,2026,yes,Quarterly,0,,,recruiting,,,,0\n"
    );
    let check = run(&[
        "validate",
        "--survey",
        SURVEY,
        out.join("template.csv").to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    // The form: the condition as JSON in an attribute (escaped), no inline code, same CSP.
    let form = std::fs::read_to_string(out.join("form.html")).unwrap();
    assert!(form.contains(
        r#"id="q-hrbp_meet" data-item="hrbp_meet" data-type="scale" data-show-if="{&quot;in&quot;:[true],&quot;item&quot;:&quot;hrbp_named&quot;}""#
    ));
    assert_eq!(form.matches("data-show-if=").count(), 7);
    assert_eq!(form.matches("<script").count(), 1);
    assert!(form.contains("up to 10 questions (7 of them appear only after certain answers)"));
    // The printable questionnaire says when to answer, in words.
    let printable = std::fs::read_to_string(out.join("questionnaire.html")).unwrap();
    for words in [
        "Answer only if the answer to question 1 is yes.",
        "Answer only if your role is Sales leadership or Sales representatives.",
        "Answer only if the answer to question 6 includes “Training”.",
        "Answer only if the answer to question 3 is at least 2 or question 1 is not answered.",
        "Answer only if at least 2 options are chosen in question 6 and the answer to question 7 is “Agree” or “Strongly agree” and the answer to question 8 is “Jointly”.",
        "Answer only if the answer to question 3 is at most 3.",
    ] {
        assert!(printable.contains(words), "{words}");
    }
}

const FOLLOWUPS: &str = "conditions/followups.yaml";

/// `conditions/followups.csv` read through its profile (the multi `partner_help` in one
/// column per option) by `command`, writing to a temporary folder.
fn followups(command: &str) -> (tempfile::TempDir, crate::support::Run) {
    let dir = temp();
    let out = dir.path().join("out");
    let result = run(&[
        command,
        "--survey",
        FOLLOWUPS,
        "--profile",
        "conditions/followups.profile.yaml",
        "conditions/followups.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    (dir, result)
}

fn not_asked_warnings(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains("not asked")).collect()
}

/// a2 and a3 were not asked `partner_help` and left its option columns `0` or blank: no
/// answer. a4 chose an option anyway, and wrote to `partner_wish`, which it was not asked.
/// a5's `partner_meetings` is no number, but a5 was not asked it: ignored, not a reject; a6
/// was asked it, so a6 is rejected. a5 answered `rep_wish`, asked only up to `Neither`.
#[test]
fn unasked_option_columns_unreadable_cells_and_comments_are_ignored_and_counted() {
    let (dir, result) = followups("score");
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert_eq!(result.stdout.trim(), "read 7 rows: scored 6, rejected 1");
    let warning = |question: &str, at: u32, unreadable: &str| {
        format!("warning: {question}: 1 answer given where the question is not asked (its `show_if` does not hold) was ignored (conditions/followups.csv:{at}){unreadable}; clear that cell or check the condition")
    };
    assert_eq!(
        not_asked_warnings(&result.stderr),
        [
            warning("item `partner_help`", 5, ""),
            warning(
                "item `partner_meetings`",
                6,
                ", and it is no answer the item can take"
            ),
            warning("comment `partner_wish`", 5, ""),
            warning("comment `rep_wish`", 6, ""),
        ]
    );
    let rejects = Table::read(&dir.path().join("out/rejects.csv"));
    assert_eq!(
        rejects.rows,
        [[
            "conditions/followups.csv",
            "7",
            "partner_meetings",
            "a6",
            "`lots` is not a number"
        ]]
    );
    // Scores over the asked items: a1 (100 + 100 + 100·4/52 + 75)/4; a7 chose no option
    // (asked: `none`) and met twice: (100 + 0 + 100·2/52 + 100)/4; the others (0 + clarity)/2.
    let t = Table::read(&dir.path().join("out/respondent_scores.csv"));
    let expected = [
        ("a1", (275.0 + 400.0 / 52.0) / 4.0),
        ("a2", 12.5),
        ("a3", 37.5),
        ("a4", 25.0),
        ("a5", 37.5),
        ("a7", (200.0 + 200.0 / 52.0) / 4.0),
    ];
    assert_eq!(t.rows.len(), expected.len());
    for (id, support) in expected {
        close(t.num(t.row(&[id]), "support"), support);
    }
    let strict = run(&[
        "validate",
        "--survey",
        FOLLOWUPS,
        "--profile",
        "conditions/followups.profile.yaml",
        "conditions/followups.csv",
        "--strict",
    ]);
    assert_eq!(strict.code, 2);
    assert!(
        strict
            .stderr
            .contains(&warning("comment `partner_wish`", 5, "")),
        "{}",
        strict.stderr
    );
}

/// `comment_threshold` is 2: `partner_wish` and `rep_wish` each have one asked respondent who
/// wrote (the ignored answers do not count), so only `anything` is shown; `import` leaves the
/// ignored cells out.
#[test]
fn commenters_are_the_respondents_asked_who_wrote() {
    let (dir, result) = followups("report");
    assert_eq!(result.code, 0, "{}", result.stderr);
    let comments = Table::read(&dir.path().join("out/data/comments.csv"));
    let shown: Vec<(&str, &str)> = comments
        .rows
        .iter()
        .map(|r| (r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(shown, [("anything", "Thanks"), ("anything", "Good")]);
    let page = std::fs::read_to_string(dir.path().join("out/orgs/acme.html")).unwrap();
    assert_eq!(
        page.matches("Fewer than 2 respondents answered this question")
            .count(),
        2
    );
    assert!(!page.contains("Pay reviews") && !page.contains("Shorter forms"));

    let dir = temp();
    let canonical = dir.path().join("responses.csv");
    let import = run(&[
        "import",
        "--survey",
        FOLLOWUPS,
        "--profile",
        "conditions/followups.profile.yaml",
        "conditions/followups.csv",
        "-o",
        canonical.to_str().unwrap(),
    ]);
    assert_eq!(import.code, 0, "{}", import.stderr);
    let text = std::fs::read_to_string(&canonical).unwrap();
    assert_eq!(
        text,
        "respondent_id,org,role,wave,partner,partner_help,partner_meetings,clarity,partner_wish,rep_wish,anything\n\
         a1,acme,hr,2026,yes,hiring;pay,4,4,More coaching please,,\n\
         a2,acme,hr,2026,no,,,2,,,\n\
         a3,acme,hr,2026,no,,,4,,,\n\
         a4,acme,sales_rep,2026,no,,,3,,Leads from marketing,Thanks\n\
         a5,acme,sales_rep,2026,no,,,4,,,\n\
         a7,acme,hr,2026,yes,none,2,5,,,Good\n"
    );
    let back = run(&[
        "validate",
        "--survey",
        FOLLOWUPS,
        canonical.to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(back.code, 0, "{}", back.stderr);
}

#[test]
fn an_open_question_s_condition_is_validated_like_an_item_s() {
    let yaml = std::fs::read_to_string(crate::support::fixtures().join(FOLLOWUPS)).unwrap();
    let dir = temp();
    for (show_if, expected) in [
        (
            "{ item: anything, answered: true }",
            "the condition of `partner_wish` names `anything`, an open question; a condition names an item or outcome, never a comment (free text has no value to compare)",
        ),
        (
            "{ item: partner, is: maybe }",
            "`partner` is a boolean item, so it cannot be `maybe`; write `true` or `false`",
        ),
        (
            "{ item: parnter, is: true }",
            "the condition of `partner_wish` names `parnter`, which is not an item or outcome of this instrument; check the spelling",
        ),
        (
            "{ role: [sales] }",
            "role `sales` is not defined (roles: hr, sales_rep)",
        ),
    ] {
        let text = yaml.replace(
            "    show_if: { item: partner, is: true }\n  - id: rep_wish",
            &format!("    show_if: {show_if}\n  - id: rep_wish"),
        );
        assert_ne!(text, yaml);
        let path = dir.path().join("survey.yaml");
        std::fs::write(&path, text).unwrap();
        let r = run(&["validate", "--survey", path.to_str().unwrap()]);
        assert_eq!(r.code, 2, "{show_if}");
        let message = r.stderr.trim_end();
        assert!(message.starts_with(&format!("{}:38:", path.display())), "{message}");
        assert!(message.ends_with(expected), "{message}");
    }
}

#[test]
fn the_questionnaire_asks_an_open_question_only_when_its_condition_holds() {
    let dir = temp();
    let out = dir.path().join("q");
    let r = run(&[
        "questionnaire",
        "--survey",
        FOLLOWUPS,
        "--wave",
        "2026",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let form = std::fs::read_to_string(out.join("form.html")).unwrap();
    assert!(form.contains(
        r#"id="q-partner_wish" data-item="partner_wish" data-type="comment" data-show-if="{&quot;in&quot;:[true],&quot;item&quot;:&quot;partner&quot;}""#
    ));
    assert!(form.contains("up to 7 questions (4 of them appear only after certain answers)"));
    let printable = std::fs::read_to_string(out.join("questionnaire.html")).unwrap();
    for words in [
        "Answer only if the answer to question 1 is yes.",
        "Answer only if your role is Sales representatives and the answer to question 4 is at most “Neither”.",
    ] {
        assert!(printable.contains(words), "{words}");
    }
    // The example row (role hr, partner yes) would be asked `partner_wish`, not `rep_wish`;
    // open questions stay empty in it. It reads back without a warning.
    let check = run(&[
        "validate",
        "--survey",
        FOLLOWUPS,
        out.join("template.csv").to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}
