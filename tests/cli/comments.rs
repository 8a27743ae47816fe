//! Open questions (SPEC §16): comments are shown for an organization-wave from
//! `comment_threshold` commenters on, never beside a respondent id, role or score, in the
//! order of their SHA-256, escaped on the page, counted by theme, and cut at `max_chars` with
//! a warning. The instrument is the mini one with one open question (`max_chars: 60`,
//! `comment_threshold: 10`) and two themes.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::support::{fixtures, run_in, temp, Table};

/// Ten comments of organization `ten`: markup, a formula, theme words in several cases, a
/// word that only starts like a theme word, a phrase, a long answer and one padded with spaces.
const TEN: [&str; 10] = [
    "<script>alert(\"x\")</script>",
    "=HYPERLINK(\"http://example.com\")",
    "More TRAINING for new managers",
    "Coaching, please",
    "Write candidate profiles with us",
    "Onboarding and hiring together",
    "A coach for every new manager",
    "Answer within two days",
    "Please sit in our pipeline meetings once a month and visit the field every quarter",
    "  Spaces around  ",
];

/// A fully answered row of the mini instrument, with a comment cell.
fn row(id: &str, org: &str, comment: &str) -> String {
    format!(
        "{id},{org},sales_rep,2025,3,2,recruiting,2,yes,joint,10,\"{}\"\n",
        comment.replace('"', "\"\"")
    )
}

/// Organizations `ten` (15 respondents, 10 comments), `nine` (14, 9) and `twelve` (12, 10: the
/// two who wrote nothing would be set apart from the index's 12).
fn responses() -> String {
    let mut text = String::from(
        "respondent_id,org,role,wave,col_1,col_2,cap_tasks,cap_staff,cap_bp,cap_owner,turnover_pct,one_change\n",
    );
    for (org, n, comments) in [
        ("ten", 15, TEN.to_vec()),
        ("nine", 14, vec!["Nine says hello"; 9]),
        ("twelve", 12, vec!["Twelve says hello"; 10]),
    ] {
        for i in 0..n {
            text.push_str(&row(
                &format!("{org}-{i}"),
                org,
                comments.get(i).copied().unwrap_or(""),
            ));
        }
    }
    text
}

fn report(dir: &Path, extra: &[&str]) -> crate::support::Run {
    std::fs::write(dir.join("responses.csv"), responses()).unwrap();
    let survey = fixtures().join("comments/survey.yaml");
    let mut args = vec![
        "report",
        "--survey",
        survey.to_str().unwrap(),
        "responses.csv",
        "--out",
        "reports",
    ];
    args.extend_from_slice(extra);
    run_in(Some(dir), &args)
}

fn page(dir: &Path, org: &str) -> String {
    std::fs::read_to_string(dir.join(format!("reports/orgs/{org}.html"))).unwrap()
}

/// The raw text of a guarded CSV cell.
fn unguard(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => text,
    }
}

#[test]
fn ten_commenters_are_shown_and_nine_are_not() {
    let dir = temp();
    let r = report(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let table = Table::read(&dir.path().join("reports/data/comments.csv"));
    assert_eq!(table.header, ["org", "wave", "comment", "text", "themes"]);
    let orgs: Vec<&str> = table.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(orgs, ["ten"; 10], "only `ten` shows its comments");
    assert!(page(dir.path(), "ten").contains("10 comments"));
    let nine = page(dir.path(), "nine");
    assert!(
        nine.contains("Fewer than 10 respondents answered this question"),
        "nine"
    );
    assert!(!nine.contains("Nine says hello"));
    // Twelve has ten commenters, but beside its index over 12 they would set two apart.
    let twelve = page(dir.path(), "twelve");
    assert!(twelve.contains("Not shown, to protect a smaller group"));
    assert!(!twelve.contains("Twelve says hello"));
}

#[test]
fn comments_are_sorted_by_their_hash_and_carry_nothing_else() {
    let dir = temp();
    let r = report(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let table = Table::read(&dir.path().join("reports/data/comments.csv"));
    let texts: Vec<&str> = table.rows.iter().map(|r| unguard(&r[3])).collect();
    let hashes: Vec<Vec<u8>> = texts
        .iter()
        .map(|t| Sha256::digest(t.as_bytes()).to_vec())
        .collect();
    assert!(hashes.windows(2).all(|w| w[0] <= w[1]), "{texts:?}");
    // Input order is not kept: the first input row does not come first.
    assert_ne!(texts, TEN.iter().map(|t| t.trim()).collect::<Vec<_>>());
    // The formula guard applies; the text is trimmed.
    assert!(table
        .rows
        .iter()
        .any(|r| r[3] == "'=HYPERLINK(\"http://example.com\")"));
    assert!(texts.contains(&"Spaces around"));
    // Nothing about the respondent: not in the comments file, and no comment in theirs.
    let scores =
        std::fs::read_to_string(dir.path().join("reports/data/respondent_scores.csv")).unwrap();
    assert!(!scores.contains("one_change"));
    for text in TEN {
        assert!(
            !scores.contains(text.trim()),
            "{text} in respondent_scores.csv"
        );
    }
    assert!(!table
        .rows
        .iter()
        .any(|r| r.iter().any(|c| c.starts_with("ten-"))));
    let json = std::fs::read_to_string(dir.path().join("reports/data/scores.json")).unwrap();
    assert!(!json.contains("TRAINING"));
}

#[test]
fn comments_are_escaped_on_the_page() {
    let dir = temp();
    let r = report(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = page(dir.path(), "ten");
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("<li>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</li>"));
    assert!(html.contains("<h3>What one thing should HR do differently for Sales?</h3>"));
}

#[test]
fn themes_count_whole_words_ignoring_case() {
    let dir = temp();
    let r = report(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let table = Table::read(&dir.path().join("reports/data/comments.csv"));
    let themes = |text: &str| {
        table
            .rows
            .iter()
            .find(|r| r[3] == text)
            .map(|r| r[4].clone())
            .unwrap_or_else(|| panic!("{text}"))
    };
    assert_eq!(themes("More TRAINING for new managers"), "training");
    assert_eq!(
        themes("Coaching, please"),
        "",
        "coaching is not the word coach"
    );
    assert_eq!(themes("A coach for every new manager"), "training");
    assert_eq!(themes("Write candidate profiles with us"), "hiring");
    assert_eq!(themes("Onboarding and hiring together"), "training;hiring");
    let html = page(dir.path(), "ten");
    assert!(html.contains(
        "<tr><th scope=\"row\">Training and coaching</th><td class=\"num\">3</td><td class=\"num\">30%</td></tr>"
    ));
    assert!(html.contains(
        "<tr><th scope=\"row\">Hiring</th><td class=\"num\">2</td><td class=\"num\">20%</td></tr>"
    ));
    // A theme's count is shown only where the comments are.
    assert!(!page(dir.path(), "nine").contains("Training and coaching"));
}

#[test]
fn answers_longer_than_max_chars_are_cut_and_counted_in_a_warning() {
    let dir = temp();
    let r = report(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "responses.csv: 1 answer(s) to comment `one_change` are longer than 60 characters (its max_chars) and were cut there"
        ),
        "{}",
        r.stderr
    );
    let table = Table::read(&dir.path().join("reports/data/comments.csv"));
    assert!(table
        .rows
        .iter()
        .any(|r| r[3] == "Please sit in our pipeline meetings once a month and visit t"));
}

#[test]
fn the_workbook_has_a_comments_sheet() {
    use calamine::{Reader, Xlsx};
    let dir = temp();
    let r = report(dir.path(), &["--xlsx"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut book: Xlsx<_> =
        calamine::open_workbook(dir.path().join("reports/data/results.xlsx")).unwrap();
    assert!(book.sheet_names().contains(&"comments".to_string()));
    let range = book.worksheet_range("comments").unwrap();
    assert_eq!(range.height(), 11, "the header and ten comments");
    let cells: Vec<String> = range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    // The workbook carries the raw text: a string cell is never a formula.
    assert!(cells.contains(&"=HYPERLINK(\"http://example.com\")".to_string()));
}

#[test]
fn a_self_assessment_shows_its_own_comment() {
    let dir = temp();
    std::fs::write(
        dir.path().join("me.csv"),
        format!(
            "respondent_id,org,role,wave,col_1,col_2,cap_tasks,cap_staff,cap_bp,cap_owner,turnover_pct,one_change\n{}",
            row("me", "solo", "More training, please")
        ),
    )
    .unwrap();
    let survey = fixtures().join("comments/survey.yaml");
    let r = run_in(
        Some(dir.path()),
        &[
            "report",
            "--survey",
            survey.to_str().unwrap(),
            "me.csv",
            "--self-assessment",
            "--out",
            "reports",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = page(dir.path(), "solo");
    assert!(html.contains("<li>More training, please</li>"));
    assert!(html.contains("1 comment<"));
}

#[test]
fn a_self_assessment_says_an_open_question_may_not_have_been_asked() {
    let dir = temp();
    // The open question asked only of those with a named HR partner; this person has none.
    let survey = std::fs::read_to_string(fixtures().join("comments/survey.yaml"))
        .unwrap()
        .replace(
            "max_chars: 60 }",
            "max_chars: 60, show_if: { item: cap_bp, is: true } }",
        );
    std::fs::write(dir.path().join("survey.yaml"), survey).unwrap();
    let header = "respondent_id,org,role,wave,col_1,col_2,cap_tasks,cap_staff,cap_bp,cap_owner,turnover_pct,one_change\n";
    let me = row("me", "solo", "").replace(",yes,", ",no,");
    let page_of = |answers: &str, out: &str| {
        std::fs::write(dir.path().join("me.csv"), format!("{header}{answers}")).unwrap();
        let r = run_in(
            Some(dir.path()),
            &[
                "report",
                "--survey",
                "survey.yaml",
                "me.csv",
                "--self-assessment",
                "--out",
                out,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        std::fs::read_to_string(dir.path().join(out).join("orgs/solo.html")).unwrap()
    };
    let html = page_of(&me, "conditional");
    assert!(
        html.contains("No answer to this question: it was left blank, or an earlier answer meant it was not asked."),
        "{html}"
    );
    // Without a condition, a blank answer is just that.
    std::fs::copy(
        fixtures().join("comments/survey.yaml"),
        dir.path().join("survey.yaml"),
    )
    .unwrap();
    let html = page_of(&me, "plain");
    assert!(html.contains("No answer to this question.<"), "{html}");
}

/// Writes the mini instrument with `extra` appended and returns `validate`'s message.
fn invalid(extra: &str) -> String {
    let dir = temp();
    let mini = std::fs::read_to_string(fixtures().join("mini.yaml")).unwrap();
    std::fs::write(dir.path().join("s.yaml"), format!("{mini}{extra}")).unwrap();
    let r = run_in(Some(dir.path()), &["validate", "--survey", "s.yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    r.stderr.trim_end().to_string()
}

#[test]
fn open_question_mistakes_are_located() {
    // mini.yaml has 52 lines; what is appended starts on line 53.
    let lines = std::fs::read_to_string(fixtures().join("mini.yaml"))
        .unwrap()
        .lines()
        .count();
    let at = |n: usize| format!("s.yaml:{}", lines + n);
    assert_eq!(
        invalid("comment_threshold: 3\n"),
        format!(
            "{}:20: comment_threshold is 3; it must be a whole number no smaller than anonymity_threshold (5)",
            at(1)
        )
    );
    assert_eq!(
        invalid("comments:\n  - { id: col_1, text: Why? }\n  - { id: why, text: Why? }\n  - { id: why, text: \" \", max_chars: 0 }\n"),
        [
            format!("{}:11: comment id `col_1` is already the id of a dimension, item or outcome; a comment needs a column of its own, so choose another", at(2)),
            format!("{}:11: comment id `why` is already used at line {}; comment ids must be unique", at(4), lines + 3),
            format!("{}:22: comment `why` has an empty text; write the question", at(4)),
            format!("{}:38: max_chars of comment `why` is 0; it must be a whole number from 1 to 100000", at(4)),
        ]
        .join("\n")
    );
    assert_eq!(
        invalid("themes:\n  - { id: t, label: T, words: [x] }\n"),
        format!(
            "{}:11: themes code the answers to open questions, but no `comments` are defined; add one or remove `themes`",
            at(2)
        )
    );
    assert_eq!(
        invalid("comments:\n  - { id: why, text: Why? }\nthemes:\n  - { id: t, label: T, words: [Coach, coach, \"--\"] }\n"),
        [
            format!("{}:39: word `coach` is listed twice in theme `t` (ignoring case); keep one", at(4)),
            format!("{}:46: word `--` of theme `t` has no letter or digit, so it can match nothing; remove it", at(4)),
        ]
        .join("\n")
    );
}

/// The page's open-question section, as a reader meets it.
#[test]
fn the_comments_section_snapshot() {
    let dir = temp();
    let r = report(dir.path(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = page(dir.path(), "ten");
    let start = html
        .find("<section class=\"block\" id=\"comments\"")
        .expect("section");
    let end = start + html[start..].find("</section>").expect("end") + "</section>".len();
    insta::assert_snapshot!("comments_section", &html[start..end]);
}
