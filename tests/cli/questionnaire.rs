//! `questionnaire` (the answer form, template and printable questionnaire) and
//! `report --self-assessment`, with the messages of a run that writes no organization page.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{close, fixtures, run, temp, Run, Table};

const FORM: &str = "questionnaire/form.yaml";

/// Runs the binary in the fixtures folder with `SOURCE_DATE_EPOCH` set, so the default wave
/// is fixed: 1795532400 is 2026-11-24T15:00:00Z.
fn run_dated(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args(args)
        .current_dir(fixtures())
        .env("SOURCE_DATE_EPOCH", "1795532400")
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// Makes the questionnaire of the form fixture into `dir/q` and returns that folder.
fn made(dir: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.join("q");
    let mut args = vec!["questionnaire", "--survey", FORM, "--out", path_str(&out)];
    args.extend_from_slice(extra);
    let r = run_dated(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    out
}

#[test]
fn questionnaire_writes_the_form_the_template_and_the_printable_questionnaire() {
    let dir = temp();
    let out = made(dir.path(), &[]);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["form.html", "questionnaire.html", "template.csv"]);
    // The default wave is the month the form was made, from SOURCE_DATE_EPOCH.
    assert_eq!(
        read(&out.join("template.csv")),
        "respondent_id,org,role,wave,col_meet,col_compete,col_goals,cap_tasks,cap_staff,cap_bp,cap_owner,turnover_pct\n\
         example-1,Example organization,hr,2026-11,Yearly,Neither,Neither,recruiting,0,yes,sales_alone,0\n"
    );
    assert!(read(&out.join("form.html")).contains("data-wave=\"2026-11\""));
    // The same instrument and time give the same bytes.
    let again = made(&dir.path().join("again"), &[]);
    for name in &names {
        assert!(
            std::fs::read(out.join(name)).unwrap() == std::fs::read(again.join(name)).unwrap(),
            "{name} differs between two runs"
        );
    }
}

#[test]
fn existing_files_are_never_replaced_without_force() {
    let dir = temp();
    let out = made(dir.path(), &[]);
    std::fs::write(out.join("template.csv"), "my own answers\n").unwrap();
    std::fs::remove_file(out.join("form.html")).unwrap();
    std::fs::remove_file(out.join("questionnaire.html")).unwrap();
    let r = run_dated(&["questionnaire", "--survey", FORM, "--out", path_str(&out)]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        format!(
            "error: {}/template.csv already exists; partnerscope does not replace them: choose another --out or add --force",
            out.display()
        )
    );
    assert_eq!(read(&out.join("template.csv")), "my own answers\n");
    assert!(
        !out.join("form.html").exists(),
        "nothing is written when one file is in the way"
    );
    let r = run_dated(&[
        "questionnaire",
        "--survey",
        FORM,
        "--out",
        path_str(&out),
        "--force",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(read(&out.join("template.csv")).starts_with("respondent_id,"));
    assert!(out.join("form.html").exists());
}

#[test]
fn the_form_allows_exactly_its_one_script_by_hash() {
    let dir = temp();
    let html = read(&made(dir.path(), &[]).join("form.html"));
    assert_eq!(html.matches("<script").count(), 1);
    let start = html.find("<script>").unwrap() + "<script>".len();
    let end = html.find("</script>").unwrap();
    let script = &html[start..end];
    assert_eq!(script, partnerscope::questionnaire::FORM_SCRIPT);
    let csp = format!(
        "script-src 'sha256-{}';",
        partnerscope::questionnaire::script_hash(script)
    );
    assert!(html.contains(&csp), "the CSP allows the script by its hash");
    let directive = &html[html.find("script-src").unwrap()..];
    let directive = &directive[..directive.find(';').unwrap()];
    assert!(!directive.contains("unsafe"), "{directive}");
    for external in ["src=\"http", "href=\"http", "url(http", "@import", "<link "] {
        assert!(!html.contains(external), "{external}");
    }
}

#[test]
fn the_form_shows_the_right_control_for_every_item_type_and_escapes_texts() {
    let dir = temp();
    let html = read(&made(dir.path(), &[]).join("form.html"));
    for snippet in [
        // The instrument's questionnaire texts, escaped.
        "<p class=\"intro\">Answer for your own company &lt;b&gt;as it is today&lt;/b&gt; &amp; skip what you cannot judge.</p>",
        "<legend>Which company do you work for?</legend>",
        "<legend>Which side of the partnership are you on?</legend>",
        "<h1>Partnership &lt;check&gt; &amp; form</h1>",
        // Role: radio buttons with the role labels.
        "<input type=\"radio\" name=\"role\" value=\"sales_leader\" required> Sales leadership</label>",
        // Scale: the labels as radio buttons, codes as values, the `na` label last.
        "<input type=\"radio\" name=\"col_meet\" value=\"4\"> Monthly</label>",
        "<label class=\"choice na\"><input type=\"radio\" name=\"col_compete\" value=\"Don&#39;t know\"> Don&#39;t know</label>",
        // Number: its range.
        "<input type=\"number\" id=\"in-cap_staff\" name=\"cap_staff\" min=\"0\" max=\"4\" step=\"any\"",
        // Boolean: yes and no.
        "<input type=\"radio\" name=\"cap_bp\" value=\"yes\"> Yes</label>",
        "<input type=\"radio\" name=\"cap_bp\" value=\"no\"> No</label>",
        // Single choice: the option labels.
        "<input type=\"radio\" name=\"cap_owner\" value=\"sales_alone\"> Sales alone, without HR</label>",
        // Multiple choice: check boxes and "None of these".
        "<input type=\"checkbox\" name=\"cap_tasks\" value=\"training\"> Training</label>",
        "<input type=\"checkbox\" name=\"cap_tasks\" value=\"none\"> None of these</label>",
        // Progress, unanswered marks, the save button.
        "<progress id=\"progress\" max=\"8\" value=\"0\">",
        "<p class=\"status\" id=\"status-col_goals\">Not answered yet</p>",
        "<button type=\"submit\" id=\"save\">Save my answers</button>",
    ] {
        assert!(html.contains(snippet), "form.html lacks {snippet}");
    }
    assert!(
        !html.contains("<b>"),
        "instrument text reaches the page unescaped"
    );
    // Every item is one fieldset named by its legend.
    assert_eq!(
        html.matches("<fieldset class=\"item unanswered\"").count(),
        8
    );
}

#[test]
fn org_and_role_given_on_the_command_line_are_fixed_in_the_form() {
    let dir = temp();
    let out = made(
        dir.path(),
        &[
            "--org",
            "Acme <Retail>",
            "--role",
            "Sales leadership",
            "--wave",
            "2026-H1",
        ],
    );
    let html = read(&out.join("form.html"));
    assert!(html.contains(
        "data-wave=\"2026-H1\" data-org=\"Acme &lt;Retail&gt;\" data-role=\"sales_leader\""
    ));
    assert!(html.contains("<p class=\"fixed\">Role: <strong>Sales leadership</strong></p>"));
    assert!(!html.contains("name=\"role\"") && !html.contains("id=\"org\""));
    assert!(
        read(&out.join("template.csv")).contains("\nexample-1,Acme <Retail>,sales_leader,2026-H1,")
    );

    let r = run(&[
        "questionnaire",
        "--survey",
        FORM,
        "--role",
        "boss",
        "--out",
        path_str(&dir.path().join("x")),
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "error: --role boss: the instrument has no such role (roles: hr, sales_leader, sales_rep)"
    );
}

#[test]
fn the_printable_questionnaire_lists_every_item_with_its_options() {
    let dir = temp();
    let html = read(&made(dir.path(), &[]).join("questionnaire.html"));
    assert!(!html.contains("<script"));
    // Each item in instrument order, then its options in order, before the next item.
    let expected: [(&str, &[&str]); 8] = [
        ("col_meet", &["Never", "Yearly", "Quarterly", "Monthly"]),
        (
            "col_compete",
            &[
                "Strongly disagree",
                "Disagree",
                "Neither",
                "Agree",
                "Strongly agree",
                "Don&#39;t know",
            ],
        ),
        (
            "col_goals",
            &["Strongly disagree", "Strongly agree", "Don&#39;t know"],
        ),
        (
            "cap_tasks",
            &[
                "Recruiting",
                "Onboarding",
                "Training",
                "Benchmarking",
                "None of these",
            ],
        ),
        ("cap_staff", &["Answer (0 to 4)"]),
        ("cap_bp", &["Yes", "No"]),
        ("cap_owner", &["Sales alone, without HR", "Jointly"]),
        ("turnover_pct", &["Answer (0 to 100)"]),
    ];
    let mut at = 0;
    for (id, options) in expected {
        let start = html[at..]
            .find(&format!("<div class=\"question\" id=\"q-{id}\">"))
            .unwrap_or_else(|| panic!("{id} missing or out of order"))
            + at;
        let end = start + html[start..].find("</div>").unwrap();
        let block = &html[start..end];
        let mut pos = 0;
        for option in options {
            pos += block[pos..]
                .find(*option)
                .unwrap_or_else(|| panic!("{id}: option {option} missing or out of order"));
        }
        assert!(block.contains(&format!("column: {id}")));
        at = end;
    }
    for role in [
        "Human Resources",
        "Sales leadership",
        "Sales representatives",
    ] {
        assert!(html.contains(&format!("<li>{role}</li>")));
    }
}

#[test]
fn the_filled_template_scores_without_rejects() {
    let dir = temp();
    let out = made(dir.path(), &[]);
    // The example row as written scores, and so does the row a person types over it.
    let template = read(&out.join("template.csv"));
    let header = template.lines().next().unwrap();
    let filled = dir.path().join("my-answers.csv");
    std::fs::write(
        &filled,
        format!("{header}\nme,Acme,hr,2026-11,Monthly,2,agree,onboarding;training,2,no,joint,8\n"),
    )
    .unwrap();
    for file in [out.join("template.csv"), filled] {
        let report = dir.path().join("report");
        let r = run(&[
            "report",
            "--survey",
            FORM,
            "--self-assessment",
            "--out",
            path_str(&report),
            path_str(&file),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stdout.trim(), "read 1 row: scored 1, rejected 0");
        let rejects = read(&report.join("data/rejects.csv"));
        assert_eq!(rejects, "file,line,column,respondent_id,reason\n");
        std::fs::remove_dir_all(&report).unwrap();
    }
}

#[test]
fn five_saved_forms_of_one_organization_give_its_page() {
    let dir = temp();
    let folder = fixtures().join("questionnaire/saved");
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    let out = dir.path().join("reports");
    let mut args = vec!["report", "--survey", FORM, "--out", path_str(&out)];
    args.extend(files.iter().map(String::as_str));
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 5 rows: scored 5, rejected 0");
    let pages: Vec<String> = std::fs::read_dir(out.join("orgs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(pages, ["globex-corp.html"]);
    let summary = Table::read(&out.join("data/org_summary.csv"));
    let row = summary.row(&["Globex Corp", "Globex Corp", "2026-05"]);
    assert_eq!(summary.get(row, "n"), "5");
}

/// The self-assessment of the answers saved in the browser check (`self.csv`).
fn self_assessment(extra: &[&str]) -> (tempfile::TempDir, Run) {
    let dir = temp();
    let out = dir.path().join("reports");
    let mut args = vec![
        "report",
        "--survey",
        FORM,
        "--self-assessment",
        "--out",
        path_str(&out),
    ];
    args.extend_from_slice(extra);
    args.push("questionnaire/self.csv");
    let r = run(&args);
    (dir, r)
}

fn main_of(html: &str) -> String {
    let start = html.find("<main>").expect("a <main>");
    let end = html.find("</main>").expect("a </main>") + "</main>".len();
    // The wording is what this snapshot is about: charts have their own tests.
    let mut text = html[start..end].to_string();
    while let Some(open) = text.find("<svg") {
        let close = open + text[open..].find("</svg>").expect("closed svg") + "</svg>".len();
        text.replace_range(open..close, "[chart]");
    }
    text
}

#[test]
fn self_assessment_page_speaks_of_your_answers() {
    let (dir, r) = self_assessment(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = read(&dir.path().join("reports/orgs/acme-co-ltd.html"));
    insta::assert_snapshot!("self_assessment_main", main_of(&html));
    // Singular forms, and nothing that needs a population or a second role.
    for absent in [
        "1 respondents",
        "Population median",
        "Population P75",
        "<th scope=\"col\" class=\"num\">Median</th>",
        "<th scope=\"col\" class=\"num\">P75</th>",
        "Perception gaps",
        "fewer than 1 responses",
        "Percentile",
    ] {
        assert!(!html.contains(absent), "the page shows {absent}");
    }
    // Roles keep T = 5 (SPEC §15): the page names no role of one person.
    assert!(html.contains("· 1 respondent</p>"));
    assert!(!html.contains("Sales leadership: 1"));
    let portfolio = read(&dir.path().join("reports/index.html"));
    assert!(!portfolio.contains("fewer than 1 responses"));
    assert!(portfolio.contains("Self-assessment: every answer is shown (anonymity threshold 1)."));
    assert!(html.contains("the anonymity threshold is 1 for your organization as a whole"));
    // The hand-computed index of the browser check: (2·62.5 + 93.75) / 3.
    let scores = Table::read(&dir.path().join("reports/data/respondent_scores.csv"));
    close(
        scores.num(&scores.rows[0], "index"),
        (2.0 * 62.5 + 93.75) / 3.0,
    );
}

#[test]
fn self_assessment_orders_recommendations_by_room_to_100_times_weight() {
    // collaboration has weight 2, capability 1. Two respondents' answers, each alone:
    // A: collaboration 50 → (100 − 50)·2 = 100; capability 20 → 80: collaboration first
    //    (by the distance below the recommendation's threshold it would be 60 against 80);
    // B: collaboration 75 → 50; capability 40 → 60: capability first.
    let header = "respondent_id,org,role,wave,col_meet,col_compete,col_goals,cap_tasks,cap_staff,cap_bp,cap_owner,turnover_pct";
    for (answers, first, second) in [
        (",,3,3,,1.6,no,,", "Senior collaboration", "HR capability"),
        (",,2,4,,3.2,no,,", "HR capability", "Senior collaboration"),
    ] {
        let dir = temp();
        let file = dir.path().join("me.csv");
        std::fs::write(&file, format!("{header}\nme,Acme,hr,2026-05{answers}\n")).unwrap();
        let out = dir.path().join("reports");
        let r = run(&[
            "report",
            "--survey",
            FORM,
            "--self-assessment",
            "--out",
            path_str(&out),
            path_str(&file),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let html = read(&out.join("orgs/acme.html"));
        let recs = &html[html.find("<ol class=\"recs\">").unwrap()..];
        let a = recs.find(&format!("<strong>{first}</strong>")).unwrap();
        let b = recs.find(&format!("<strong>{second}</strong>")).unwrap();
        assert!(a < b, "{first} should come before {second}");
    }
}

#[test]
fn self_assessment_refuses_several_organizations() {
    let dir = temp();
    let r = run(&[
        "report",
        "--survey",
        FORM,
        "--self-assessment",
        "--out",
        path_str(&dir.path().join("reports")),
        "questionnaire/two-orgs.csv",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "error: --self-assessment is for one organization's own answers, but the responses hold 2 organizations (Acme, Initech); with a threshold of 1 their pages would show individual answers. Give only your organization's file(s), or leave out --self-assessment"
    );
    assert!(!dir.path().join("reports").exists(), "nothing is written");
}

#[test]
fn self_assessment_against_norms_says_one_view_meets_organization_averages() {
    let dir = temp();
    let simulated = dir.path().join("sim.csv");
    let norms = dir.path().join("norms.json");
    let r = run(&[
        "simulate",
        "--survey",
        FORM,
        "--organizations",
        "8",
        "--respondents",
        "10",
        "--waves",
        "1",
        "-o",
        path_str(&simulated),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&[
        "norms",
        "--survey",
        FORM,
        path_str(&simulated),
        "-o",
        path_str(&norms),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (out, r) = self_assessment(&["--norms", path_str(&norms)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = read(&out.path().join("reports/orgs/acme-co-ltd.html"));
    assert!(html.contains(
        "your answers, one person's view when you answered alone, are compared with organization averages"
    ));
    assert!(
        html.contains("<th scope=\"col\" class=\"num\">Median</th>"),
        "norms give a population"
    );
}

#[test]
fn a_run_without_an_organization_page_says_why_and_fails() {
    let dir = temp();
    let out = dir.path().join("reports");
    let r = run(&[
        "report",
        "--survey",
        FORM,
        "--out",
        path_str(&out),
        "questionnaire/too-few.csv",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout.trim(), "read 2 rows: scored 2, rejected 0");
    assert_eq!(
        r.stderr.trim(),
        "error: no organization page was written: no organization has 5 or more accepted responses; for one person's self-assessment use --self-assessment"
    );

    let r = run(&[
        "report",
        "--survey",
        FORM,
        "--out",
        path_str(&out),
        "questionnaire/all-rejected.csv",
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout.trim(), "read 2 rows: scored 0, rejected 2");
    let rejects = out.join("data").join("rejects.csv");
    assert_eq!(
        r.stderr.trim(),
        format!(
            "2 row(s) rejected; each is listed with its reason in {}\n\
             error: no organization page was written: every row was rejected; see {}",
            rejects.display(),
            rejects.display()
        )
    );
    assert_eq!(Table::read(&rejects).rows.len(), 2);
}

#[test]
fn questionnaire_texts_are_validated() {
    let dir = temp();
    let yaml = read(&fixtures().join(FORM));
    for (from, to, message) in [
        (
            "  intro: Answer",
            "  intro: \"  \"\n  outro: Answer",
            "form.yaml:12:3: unknown field `outro`, expected one of intro, role_question, org_question",
        ),
        (
            "  intro: Answer for your own company <b>as it is today</b> & skip what you cannot judge.",
            "  intro: \"  \"",
            "form.yaml:11:10: questionnaire.intro is empty; write the text or remove the key to use the default",
        ),
    ] {
        let path = dir.path().join("form.yaml");
        std::fs::write(&path, yaml.replacen(from, to, 1)).unwrap();
        let r = crate::support::run_in(
            Some(dir.path()),
            &["validate", "--survey", "form.yaml"],
        );
        assert_eq!(r.code, 2);
        assert_eq!(r.stderr.trim(), message);
    }
}

#[test]
fn validate_lists_the_first_20_rejected_rows_then_a_count() {
    let dir = temp();
    let file = dir.path().join("many.csv");
    let mut text = String::from("respondent_id,org,role,wave,col_meet\n");
    for i in 1..=23 {
        text.push_str(&format!("r{i},Acme,hr,2026-05,9\n"));
    }
    std::fs::write(&file, text).unwrap();
    let r = run(&["validate", "--survey", FORM, path_str(&file)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let listed: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains(" rejected: "))
        .collect();
    assert_eq!(listed.len(), 20);
    assert!(listed[19].starts_with(&format!("{}:21: column `col_meet`", file.display())));
    assert!(r
        .stdout
        .ends_with("… and 3 more rejected rows\nread 23 rows: scored 0, rejected 23\n"));
}

#[test]
fn self_assessment_shows_no_role_beside_another() {
    let dir = temp();
    let file = dir.path().join("us.csv");
    std::fs::write(
        &file,
        "respondent_id,org,role,wave,col_meet,col_compete,col_goals,cap_tasks,cap_staff,cap_bp,cap_owner,turnover_pct\n\
         me,Acme,hr,2026-05,4,2,4,recruiting,2,yes,joint,\n\
         boss,Acme,sales_leader,2026-05,2,4,2,none,0,no,sales_alone,\n",
    )
    .unwrap();
    let out = dir.path().join("reports");
    let r = run(&[
        "report",
        "--survey",
        FORM,
        "--self-assessment",
        "--out",
        path_str(&out),
        path_str(&file),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = read(&out.join("orgs/acme.html"));
    // Roles keep the threshold of 5 in a self-assessment (SPEC §15): the organization's two
    // answers are shown together, never one colleague's beside the other's, so no gap either.
    assert!(html.contains("2 respondents"));
    assert!(!html.contains("Human Resources: 1"));
    assert!(!html.contains("<h3>Sales leadership vs Human Resources</h3>"));
    assert!(!html.contains("Sales representatives vs Human Resources"));
    // Two answers give an interval far wider than the 0–100 scale: none is shown.
    assert!(!html.contains("95% confidence interval "));
    assert!(!html.contains("95% CI"));
}

#[test]
fn a_panel_instrument_asks_for_the_personal_code_in_every_form() {
    let dir = temp();
    let survey = dir.path().join("panel.yaml");
    let yaml = read(&fixtures().join(FORM));
    std::fs::write(&survey, format!("{yaml}\npanel: true\n")).unwrap();
    let out = dir.path().join("q");
    let r = run_dated(&[
        "questionnaire",
        "--survey",
        path_str(&survey),
        "--out",
        path_str(&out),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let form = read(&out.join("form.html"));
    assert!(form.contains(r#"<input type="text" id="panel_id" name="panel_id""#));
    let printable = read(&out.join("questionnaire.html"));
    assert!(printable.contains("column: panel_id"), "{printable}");
    let template = read(&out.join("template.csv"));
    assert!(
        template.starts_with("respondent_id,org,role,wave,panel_id,col_meet,"),
        "{template}"
    );
    // The example row scores, its code read as the panel id and never written out.
    let report = dir.path().join("report");
    let r = run(&[
        "report",
        "--survey",
        path_str(&survey),
        "--self-assessment",
        "--out",
        path_str(&report),
        path_str(&out.join("template.csv")),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 1 row: scored 1, rejected 0");
    for entry in walk(&report) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("example-code"), "{}", entry.display());
    }
    // Without `panel: true` nobody is asked.
    let plain = made(&dir.path().join("plain"), &[]);
    assert!(!read(&plain.join("form.html")).contains(r#"id="panel_id""#));
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
