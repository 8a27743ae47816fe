//! `report`: the output tree, the demo data, confidentiality and escaping in pages.

use std::path::Path;

use crate::support::{run, run_in, temp};

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_dir() {
            out.extend(
                files_under(&entry.path())
                    .into_iter()
                    .map(|f| format!("{name}/{f}")),
            );
        } else {
            out.push(name);
        }
    }
    out.sort();
    out
}

#[test]
fn report_without_files_runs_the_demo_from_any_directory() {
    let dir = temp();
    let r = run_in(Some(dir.path()), &["report", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 1512 rows: scored 1512, rejected 0");
    let mut expected: Vec<String> = [
        "data/changes.csv",
        "data/org_scores.csv",
        "data/org_summary.csv",
        "data/perception_gaps.csv",
        "data/rejects.csv",
        "data/respondent_scores.csv",
        "data/scores.json",
        "index.html",
        "partnerscope-manifest.json",
    ]
    .map(String::from)
    .to_vec();
    expected.extend((1..=14).map(|i| format!("orgs/org-{i:04}.html")));
    expected.sort();
    assert_eq!(files_under(&dir.path().join("reports")), expected);
}

#[test]
fn committed_demo_data_is_what_simulate_makes() {
    let dir = temp();
    let responses = dir.path().join("responses.csv");
    let orgs = dir.path().join("orgs.csv");
    let r = run(&[
        "simulate",
        "--organizations",
        "14",
        "--respondents",
        "36",
        "--waves",
        "3",
        "--seed",
        "2025",
        "-o",
        responses.to_str().unwrap(),
        "--orgs-output",
        orgs.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/demo");
    assert!(
        std::fs::read(root.join("responses.csv")).unwrap() == std::fs::read(&responses).unwrap()
    );
    assert!(std::fs::read(root.join("orgs.csv")).unwrap() == std::fs::read(&orgs).unwrap());
}

#[test]
fn stale_pages_are_removed_and_reruns_are_identical() {
    let dir = temp();
    let out = dir.path().join("reports");
    std::fs::create_dir_all(out.join("orgs")).unwrap();
    std::fs::write(out.join("orgs/old-client.html"), "old").unwrap();
    let first = run(&["report", "--out", out.to_str().unwrap(), "-q"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(!out.join("orgs/old-client.html").exists());
    let page = std::fs::read(out.join("orgs/org-0001.html")).unwrap();
    let again = run(&["report", "--out", out.to_str().unwrap(), "-q"]);
    assert_eq!(again.code, 0);
    assert!(page == std::fs::read(out.join("orgs/org-0001.html")).unwrap());
}

/// `report` on the pages fixture (hostile names, a hidden role, a too-small organization).
fn pages_report() -> tempfile::TempDir {
    let dir = temp();
    let out = dir.path().join("reports");
    let r = run(&[
        "report",
        "--survey",
        "mini.yaml",
        "pages/responses.csv",
        "--orgs",
        "pages/orgs.csv",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    dir
}

fn main_of(html: &str) -> String {
    let start = html.find("<main>").expect("a <main>");
    let end = html.find("</main>").expect("a </main>") + "</main>".len();
    html[start..end].to_string()
}

#[test]
fn user_text_is_escaped_in_every_page() {
    let dir = pages_report();
    let root = dir.path().join("reports");
    let mut pages = vec![root.join("index.html")];
    pages.extend(
        std::fs::read_dir(root.join("orgs"))
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    assert_eq!(
        pages.len(),
        6,
        "portfolio and five organizations (small has 4 rows)"
    );
    for page in pages {
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(
            !html.contains("<script>alert"),
            "{} has a raw script",
            page.display()
        );
        assert!(
            !html.contains("<img src=x"),
            "{} has a raw img",
            page.display()
        );
        assert!(
            !html.contains("Acme & Sons"),
            "{} has a raw ampersand",
            page.display()
        );
    }
    let evil = std::fs::read_to_string(root.join("orgs/evil-script.html")).unwrap();
    assert!(
        evil.contains("<h1>&lt;script&gt;alert(1)&lt;&#x2F;script&gt;</h1>")
            || evil.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"),
        "{}",
        main_of(&evil)
    );
    let index = std::fs::read_to_string(root.join("index.html")).unwrap();
    assert!(index.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn pages_show_no_figure_from_a_hidden_group() {
    let dir = pages_report();
    let root = dir.path().join("reports");
    let acme = std::fs::read_to_string(root.join("orgs/acme.html")).unwrap();
    // HR (3 respondents) scores (66.67 + 25)/2 = 45.83 on collaboration and the index; sales
    // leadership (9) is hidden too, or HR would follow from the whole.
    assert!(!acme.contains("45.8"), "the hidden HR mean leaked");
    assert!(acme.contains("Human Resources: fewer than 5 responses"));
    assert!(acme.contains("Sales leadership: fewer than 5 responses"));
    // The whole organization (12) is shown: (3·45.8333 + 9·100)/12 = 86.46.
    assert!(acme.contains("86.5"));
    // The too-small organization has no page and no figure in the portfolio.
    assert!(!root.join("orgs/small.html").exists());
    let index = std::fs::read_to_string(root.join("index.html")).unwrap();
    assert!(index.contains("Not reported (fewer than 5 responses): Small Co (2025)."));
    // Pages never name another organization.
    for (page, others) in [
        ("acme.html", ["Beta Stores", "Gamma Shops"]),
        ("beta.html", ["Acme &amp; Sons", "Gamma Shops"]),
    ] {
        let html = std::fs::read_to_string(root.join("orgs").join(page)).unwrap();
        for other in others {
            assert!(!html.contains(other), "{page} names {other}");
        }
    }
}

#[test]
fn organization_page_main_snapshot() {
    let dir = pages_report();
    let html = std::fs::read_to_string(dir.path().join("reports/orgs/acme.html")).unwrap();
    insta::assert_snapshot!("acme_main", main_of(&html));
    let index = std::fs::read_to_string(dir.path().join("reports/index.html")).unwrap();
    insta::assert_snapshot!("portfolio_main", main_of(&index));
}

#[test]
fn pages_are_self_contained() {
    let dir = pages_report();
    let html = std::fs::read_to_string(dir.path().join("reports/orgs/acme.html")).unwrap();
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    for external in ["src=\"http", "href=\"http", "url(http", "@import", "<link "] {
        assert!(!html.contains(external), "{external}");
    }
}

#[test]
fn templates_can_be_exported_and_overridden_by_file_name() {
    let dir = temp();
    let templates = dir.path().join("templates");
    let r = run(&["templates", "--export", templates.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut exported: Vec<String> = std::fs::read_dir(&templates)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    exported.sort();
    assert_eq!(
        exported,
        [
            "base.html",
            "org.html",
            "portfolio.html",
            "stats.html",
            "style.css"
        ]
    );
    // Replace only the portfolio; the organization pages keep the built-in template.
    std::fs::write(templates.join("portfolio.html"), "{% extends \"base.html\" %}{% block main %}<p>Custom: {{ rows | length }} organizations</p>{% endblock main %}").unwrap();
    std::fs::write(templates.join("notes.txt"), "not a template").unwrap();
    let out = dir.path().join("reports");
    let r = run(&[
        "report",
        "--templates",
        templates.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::read_to_string(out.join("index.html"))
        .unwrap()
        .contains("<p>Custom: 14 organizations</p>"));
    assert!(std::fs::read_to_string(out.join("orgs/org-0001.html"))
        .unwrap()
        .contains("Perception gaps between roles"));
    assert!(
        r.stderr
            .contains("notes.txt: not a template name partnerscope uses"),
        "{}",
        r.stderr
    );
    // A folder that does not exist is an error, not a silent fallback.
    let missing = run(&[
        "report",
        "--templates",
        "/nonexistent/templates",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(missing.code, 2);
    assert_eq!(
        missing.stderr.trim(),
        "error: --templates /nonexistent/templates: no such folder; export the defaults with `partnerscope templates --export /nonexistent/templates`"
    );
}

#[test]
fn a_broken_template_names_the_file_and_the_position() {
    let dir = temp();
    let templates = dir.path().join("t");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("org.html"),
        "{% extends \"base.html\" %}{% block main %}{{ name {% endblock main %}",
    )
    .unwrap();
    let r = run(&[
        "report",
        "--templates",
        templates.to_str().unwrap(),
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: template `"), "{}", r.stderr);
    assert!(r.stderr.contains("org.html"), "{}", r.stderr);
    assert!(r.stderr.contains("caused by:"), "{}", r.stderr);
}

#[test]
fn a_self_assessment_by_one_person_gets_a_page_without_a_population() {
    let dir = temp();
    let mini = std::fs::read_to_string(crate::support::fixtures().join("mini.yaml")).unwrap();
    let survey = dir.path().join("self.yaml");
    std::fs::write(
        &survey,
        mini.replace("anonymity_threshold: 5", "anonymity_threshold: 1"),
    )
    .unwrap();
    let answers = dir.path().join("mine.csv");
    std::fs::write(
        &answers,
        "respondent_id,org,role,wave,col_1,col_2,cap_tasks,cap_staff,cap_bp,cap_owner\nme,My Company,hr,2026,2,4,recruiting,1,no,sales_alone\n",
    )
    .unwrap();
    let out = dir.path().join("report");
    let r = run(&[
        "report",
        answers.to_str().unwrap(),
        "--survey",
        survey.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(out.join("orgs/my-company.html")).unwrap();
    // collaboration (33.3 + 25)/2 = 29.2, capability (50 + 25 + 0 + 0)/4 = 18.75:
    // index (2·29.17 + 18.75)/3 = 25.7 → Support Function; one recommendation applies.
    assert!(page.contains("<div class=\"value\">Support Function</div>"));
    assert!(page.contains("<div class=\"value\">25.7</div>"));
    assert!(page.contains("population too small to rank"));
    assert!(page.contains("Hold a monthly HR–Sales leadership meeting."));
}
