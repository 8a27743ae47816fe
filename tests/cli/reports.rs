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
        "data/breakdown_scores.csv",
        "data/changes.csv",
        "data/comments.csv",
        "data/org_scores.csv",
        "data/org_summary.csv",
        "data/perception_gaps.csv",
        "data/rejects.csv",
        "data/respondent_scores.csv",
        "data/response_rates.csv",
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
    let roster = dir.path().join("roster.csv");
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
        "--roster-output",
        roster.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys/demo");
    assert!(
        std::fs::read(root.join("responses.csv")).unwrap() == std::fs::read(&responses).unwrap()
    );
    assert!(std::fs::read(root.join("orgs.csv")).unwrap() == std::fs::read(&orgs).unwrap());
    assert!(std::fs::read(root.join("roster.csv")).unwrap() == std::fs::read(&roster).unwrap());
}

#[test]
fn stale_pages_are_removed_and_reruns_are_identical() {
    let dir = temp();
    let out = dir.path().join("reports");
    std::fs::create_dir_all(out.join("orgs")).unwrap();
    // A page of an earlier version (no manifest): recognised by its generator tag.
    std::fs::write(
        out.join("orgs/old-client.html"),
        "<meta name=\"generator\" content=\"partnerscope 0.0.9\">old",
    )
    .unwrap();
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
    assert!(acme.contains("Sales leadership: not shown, to protect a smaller group"));
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
    // Without a population the summary names the highest and the lowest scores.
    let summary = &page[page.find("id=\"summary\"").unwrap()..page.find("id=\"profile\"").unwrap()];
    assert!(summary.contains("these are your highest and lowest scores"));
    let strongest = summary.find("Highest scores").unwrap();
    let weakest = summary.find("Lowest scores").unwrap();
    let collaboration =
        summary.find("<strong>Senior collaboration</strong> <span class=\"why\">29.2</span>");
    let capability = summary.find("<strong>HR capability</strong> <span class=\"why\">18.8</span>");
    assert!(
        collaboration.is_some_and(|at| strongest < at && at < weakest),
        "{summary}"
    );
    assert!(capability.is_some_and(|at| weakest < at), "{summary}");
}

/// The text of every `<text>` element of the SVGs in `html`, entities decoded.
fn svg_texts(html: &str) -> Vec<String> {
    html.split("<text")
        .skip(1)
        .filter_map(|part| {
            let start = part.find('>')? + 1;
            let end = part.find("</text>")?;
            Some(
                part[start..end]
                    .trim()
                    .replace("&#39;", "'")
                    .replace("&apos;", "'")
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

/// The item charts of one dimension's section of an organization page.
fn item_section<'a>(html: &'a str, title: &str) -> &'a str {
    let items = &html[html.find("id=\"items\"").expect("an items section")..];
    let start = items
        .find(&format!("<h3>{title}</h3>"))
        .unwrap_or_else(|| panic!("a section for {title}"));
    let rest = &items[start..];
    let end = rest.find("<table").expect("the section's table");
    &rest[..end]
}

#[test]
fn item_charts_show_every_item_of_every_dimension_whatever_its_type() {
    // The demo (scale items on two scales, a yes/no and a number item) and the mini
    // instrument (boolean, number, choice and multi items).
    let demo = temp();
    let r = run_in(Some(demo.path()), &["report", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mini = pages_report();
    for (page, survey) in [
        (
            demo.path().join("reports/orgs/org-0013.html"),
            partnerscope::instrument::load_bundled().unwrap(),
        ),
        (
            mini.path().join("reports/orgs/beta.html"),
            partnerscope::instrument::load_file(&crate::support::fixtures().join("mini.yaml"))
                .unwrap(),
        ),
    ] {
        let html = std::fs::read_to_string(&page).unwrap();
        let mut drawn = 0;
        for dimension in &survey.dimensions {
            let section = item_section(&html, &dimension.title);
            let texts = svg_texts(section).join(" ");
            for item in &survey.items[dimension.items.clone()] {
                let label = if item.reverse {
                    format!("(R) {}", item.text)
                } else {
                    item.text.clone()
                };
                assert!(
                    texts.contains(&label),
                    "{}: `{label}` is not in the charts of {}",
                    page.display(),
                    dimension.title
                );
                drawn += 1;
            }
        }
        assert_eq!(drawn, survey.scored_items().len(), "{}", page.display());
    }
}

#[test]
fn the_organization_page_opens_with_its_summary_and_ends_with_the_methods() {
    let dir = pages_report();
    let html = std::fs::read_to_string(dir.path().join("reports/orgs/beta.html")).unwrap();
    let main = main_of(&html);
    let order: Vec<usize> = [
        "id=\"summary\"",
        "id=\"profile\"",
        "id=\"gaps\"",
        "id=\"items\"",
        "id=\"methods\"",
    ]
    .iter()
    .map(|id| main.find(id).unwrap_or_else(|| panic!("{id}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let summary = &main[order[0]..order[1]];
    for part in [
        "Strongest dimensions",
        "Weakest dimensions",
        "Largest perception gap",
        "What to do first",
    ] {
        assert!(summary.contains(part), "{part} in the summary");
    }
    // Test statistics stand only in the methods appendix, collapsed on screen.
    let methods = &main[order[4]..];
    assert!(methods.contains("<details class=\"appendix\">"));
    assert!(!main[..order[4]].contains("Hedges"));
    assert!(methods.contains("Hedges' g"));
    // The printed page's running header names the organization and the instrument.
    assert!(
        main.contains("@top-left { content: \"Beta Stores\""),
        "{main}"
    );
    assert!(main.contains("counter(page)"));
    assert!(main.contains("content: \"Confidential\""));
}

#[test]
fn xlsx_holds_the_csv_files_cell_for_cell_with_numbers_as_numbers() {
    use calamine::{Data, Reader, Xlsx};
    let dir = temp();
    let out = dir.path().join("reports");
    let r = run(&["report", "--xlsx", "--out", out.to_str().unwrap(), "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let path = out.join("data/results.xlsx");
    let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let sheets = [
        "org_summary",
        "org_scores",
        "breakdown_scores",
        "perception_gaps",
        "changes",
        "comments",
        "response_rates",
        "respondent_scores",
        "rejects",
    ];
    let mut names = vec!["Read me"];
    names.extend(sheets);
    assert_eq!(book.sheet_names(), names);
    // "Read me" lists every column of every sheet with its meaning.
    let read_me = book.worksheet_range("Read me").unwrap();
    let listed: Vec<(String, String, String)> = read_me
        .rows()
        .skip(1)
        .map(|r| (r[0].to_string(), r[1].to_string(), r[2].to_string()))
        .collect();
    let text_columns = [
        "org",
        "name",
        "wave",
        "group",
        "measure",
        "level",
        "population",
        "next_level",
        "blocking_dimensions",
        "first_role",
        "second_role",
        "from_wave",
        "to_wave",
        "respondent_id",
        "role",
        "file",
        "column",
        "reason",
        "comment",
        "text",
        "themes",
        "breakdown",
        "unit",
        "below_target",
    ];
    let mut numbers = 0;
    for sheet in sheets {
        let range = book.worksheet_range(sheet).unwrap();
        let mut csv = csv::Reader::from_path(out.join(format!("data/{sheet}.csv"))).unwrap();
        let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
        assert_eq!(range.height(), rows.len() + 1, "{sheet}: rows");
        let sheet_header: Vec<String> = (0..range.width())
            .map(|c| range.get_value((0, c as u32)).unwrap().to_string())
            .collect();
        for name in &sheet_header {
            let meaning = listed
                .iter()
                .find(|(s, c, _)| s == sheet && c == name)
                .map(|l| l.2.as_str());
            assert!(
                meaning.is_some_and(|m| !m.is_empty()),
                "{sheet}.{name} unexplained"
            );
        }
        // Every CSV column, in order, each code followed by its label.
        let at: Vec<usize> = header
            .iter()
            .map(|name| {
                sheet_header
                    .iter()
                    .position(|h| h == name)
                    .unwrap_or_else(|| panic!("{sheet}: no column {name}"))
            })
            .collect();
        assert!(
            at.windows(2).all(|w| w[0] < w[1]),
            "{sheet}: {sheet_header:?}"
        );
        if header.contains(&"org".to_string()) {
            assert!(
                sheet_header.contains(&"org_name".to_string())
                    || sheet_header.contains(&"name".to_string()),
                "{sheet}: no organization name beside the id"
            );
        }
        for code in ["measure", "group", "level", "role"] {
            if header.contains(&code.to_string()) {
                let c = sheet_header.iter().position(|h| h == code).unwrap();
                assert_eq!(sheet_header[c + 1], format!("{code}_label"), "{sheet}");
            }
        }
        if sheet == "org_scores" && !rows.is_empty() {
            let label = |name: &str| {
                range
                    .get_value((
                        1,
                        sheet_header.iter().position(|h| h == name).unwrap() as u32,
                    ))
                    .unwrap()
                    .to_string()
            };
            assert_eq!(label("org_name"), "Northwind Group");
            assert_eq!(label("group_label"), "All respondents");
            // The first shown row (collaboration is hidden by SPEC §15 there).
            assert_eq!(label("measure"), "hiring");
            assert_eq!(label("measure_label"), "Talent selection and hiring");
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let got = range
                    .get_value((r as u32 + 1, at[c] as u32))
                    .cloned()
                    .unwrap_or(Data::Empty);
                let expected = if cell.is_empty() {
                    Data::Empty
                } else if text_columns.contains(&header[c].as_str()) {
                    Data::String(cell.to_string())
                } else if cell == "true" || cell == "false" {
                    Data::Bool(cell == "true")
                } else {
                    numbers += 1;
                    Data::Float(cell.parse::<f64>().unwrap_or_else(|_| {
                        panic!("{sheet} row {r} `{}`: `{cell}` is not a number", header[c])
                    }))
                };
                assert_eq!(got, expected, "{sheet} row {} column {}", r + 2, header[c]);
            }
        }
    }
    assert!(numbers > 10_000, "numbers are numbers ({numbers})");
    // Formats and filters: one decimal for scores, three for p, an autofilter on every sheet.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("formatCode=\"0.0\""), "{styles}");
    assert!(styles.contains("formatCode=\"0.000\""), "{styles}");
    for n in 1..=names.len() {
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name(&format!("xl/worksheets/sheet{n}.xml")).unwrap(),
            &mut xml,
        )
        .unwrap();
        assert!(xml.contains("<autoFilter "), "sheet {n} has no autofilter");
    }
    // Without SOURCE_DATE_EPOCH the workbook is the same from run to run.
    let first = std::fs::read(&path).unwrap();
    let again = run(&["report", "--xlsx", "--out", out.to_str().unwrap(), "-q"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        first == std::fs::read(&path).unwrap(),
        "the workbook changed"
    );
}

#[test]
fn pdf_without_a_browser_stops_before_any_work_and_says_how_to_get_one() {
    let dir = temp();
    let out = dir.path().join("reports");
    let missing = run(&[
        "report",
        "--pdf",
        "--browser",
        "/nonexistent/chromium",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(missing.code, 2);
    assert_eq!(
        missing.stderr.trim(),
        "error: --browser /nonexistent/chromium: no such file; give the path of a Chromium or Chrome executable"
    );
    assert!(!out.exists(), "nothing was written");
    let none = std::process::Command::new(env!("CARGO_BIN_EXE_partnerscope"))
        .args(["report", "--pdf", "--out", out.to_str().unwrap()])
        .env("PATH", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&none.stderr);
    // On a machine with a browser in /Applications (macOS) the run goes ahead instead.
    if !std::path::Path::new("/Applications").exists() {
        assert_eq!(none.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("--pdf needs Chromium or Google Chrome"),
            "{stderr}"
        );
        assert!(stderr.contains("sudo apt-get install chromium"), "{stderr}");
        assert!(!out.exists(), "nothing was written");
    }
}

/// A Chromium or Chrome on `PATH`, as `report --pdf` looks for it.
fn browser() -> Option<std::path::PathBuf> {
    let paths = std::env::var_os("PATH")?;
    partnerscope::report::pdf::BROWSER_NAMES
        .iter()
        .find_map(|name| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
}

/// Pages of a PDF as Chromium writes it (one `/Type /Page` object per page).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(at, m)| !text[at + m.len()..].starts_with('s'))
        .count()
}

#[test]
fn pdf_prints_every_page_within_eight_pages_on_a4_and_letter() {
    let Some(browser) = browser() else {
        println!("skipped: no Chromium or Chrome on PATH to print with");
        return;
    };
    let dir = temp();
    for paper in ["a4", "letter"] {
        let out = dir.path().join(paper);
        let r = run(&[
            "report",
            "--pdf",
            "--browser",
            browser.to_str().unwrap(),
            "--paper",
            paper,
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let index = std::fs::read(out.join("index.pdf")).unwrap();
        assert!(index.starts_with(b"%PDF-"));
        for i in 1..=14 {
            let pdf = std::fs::read(out.join(format!("orgs/org-{i:04}.pdf"))).unwrap();
            assert!(pdf.starts_with(b"%PDF-"));
            let pages = pdf_pages(&pdf);
            // Comments (SPEC §16) are free text of any length: a page that lists them may take
            // one page more than the eight of SPEC §13.
            let html = std::fs::read_to_string(out.join(format!("orgs/org-{i:04}.html"))).unwrap();
            let most = if html.contains("<ul class=\"comment-list\">") {
                9
            } else {
                8
            };
            assert!(
                (3..=most).contains(&pages),
                "org-{i:04} on {paper}: {pages} pages"
            );
        }
    }
}

/// The text of an HTML fragment without its tags, entities of the pages decoded.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&#39;", "'")
}

/// The list items of the summary list under the heading `heading`, as plain text.
fn summary_list(summary: &str, heading: &str) -> Vec<String> {
    let at = summary.find(heading).unwrap_or_else(|| panic!("{heading}"));
    let rest = &summary[at..];
    let end = rest.find("</div>").unwrap();
    rest[..end]
        .split("<li>")
        .skip(1)
        .map(|li| plain(&li[..li.find("</li>").unwrap()]))
        .collect()
}

/// The signed difference in "81.8, +32.0 against the population median of 49.7".
fn difference(line: &str) -> f64 {
    let part = line.split(", ").nth(1).unwrap_or_else(|| panic!("{line}"));
    let number = part.split(' ').next().unwrap();
    number.replace('−', "-").replace('+', "").parse().unwrap()
}

#[test]
fn on_every_demo_page_the_strongest_are_above_the_median_and_the_weakest_below() {
    let dir = temp();
    let r = run_in(Some(dir.path()), &["report", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let orgs = dir.path().join("reports/orgs");
    let mut pages = 0;
    for entry in std::fs::read_dir(&orgs).unwrap() {
        let html = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let start = html.find("id=\"summary\"").unwrap();
        let summary = &html[start..start + html[start..].find("</section>").unwrap()];
        if summary.contains("Every dimension of this wave is hidden") {
            // SPEC §15 hid every dimension: no list, and the page says why.
            assert!(summary.contains("No dimension can be shown."), "{summary}");
            pages += 1;
            continue;
        }
        let strongest = summary_list(summary, "Strongest dimensions");
        let weakest = summary_list(summary, "Weakest dimensions");
        assert!(strongest.len() <= 3 && weakest.len() <= 3, "{summary}");
        for line in &strongest {
            assert!(difference(line) > 0.0, "strongest but not above: {line}");
        }
        for line in &weakest {
            assert!(difference(line) < 0.0, "weakest but not below: {line}");
        }
        // A short list says why it is short.
        if strongest.len() < 3 {
            assert!(
                summary.contains("dimension is above the population median"),
                "{summary}"
            );
        }
        if weakest.len() < 3 {
            assert!(
                summary.contains("dimension is below the population median"),
                "{summary}"
            );
        }
        // One respondent count on the first screen: the index sentence repeats none.
        assert!(!summary.contains("given "), "{summary}");
        pages += 1;
    }
    assert_eq!(pages, 14);
}

#[test]
fn without_peers_actions_are_ordered_by_the_room_to_100_times_the_weight() {
    let dir = temp();
    let out = dir.path().join("acme");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let answers: Vec<String> = std::fs::read_dir(root.join("examples/answers"))
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["report", "--out", out.to_str().unwrap(), "-q"];
    args.extend(answers.iter().map(String::as_str));
    let r = run_in(Some(root), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(out.join("orgs/acme-retail.html")).unwrap();
    let start = html.find("id=\"recommendations\"").unwrap();
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    assert!(
        section.contains("Ordered by how far each score lies below 100, times the dimension&#39;s weight, largest first.")
            || section.contains("Ordered by how far each score lies below 100, times the dimension's weight, largest first."),
        "{section}"
    );
    assert!(
        section.contains("Weights: Senior collaboration on business issues 1.5, Dedicated HR resources for Sales 1.5, every other dimension 1."),
        "{section}"
    );
    assert!(
        !html.contains("population median;"),
        "no median without peers"
    );
    // (100 − score) × weight, from each item's dimension and score.
    let weight = |dimension: &str| match dimension {
        "Senior collaboration on business issues" | "Dedicated HR resources for Sales" => 1.5,
        _ => 1.0,
    };
    let priorities: Vec<f64> = section
        .split("<li ")
        .skip(1)
        .map(|li| {
            let li = plain(&li[li.find('>').unwrap() + 1..li.find("</li>").unwrap()]);
            let dimension = li.split(" — ").next().unwrap().split(" (").next().unwrap();
            let score: f64 = li
                .split("core ")
                .nth(1)
                .unwrap_or_else(|| panic!("{li}"))
                .split(|c: char| c != '.' && !c.is_ascii_digit())
                .next()
                .unwrap()
                .parse()
                .unwrap();
            (100.0 - score) * weight(dimension.trim())
        })
        .collect();
    assert!(priorities.len() >= 3, "{section}");
    assert!(
        priorities.windows(2).all(|w| w[0] >= w[1] - 0.15),
        "{priorities:?}"
    );
    // The weakest dimension (Trust and working relationship, 45.4) is among the first three.
    let first: Vec<&str> = html[html.find("What to do first").unwrap()..]
        .split("<li><strong>")
        .skip(1)
        .take(3)
        .map(|s| &s[..s.find("</strong>").unwrap()])
        .collect();
    assert!(
        first.contains(&"Trust and working relationship"),
        "{first:?}"
    );
    // Without a population: the page says these are your highest and lowest scores.
    assert!(html.contains("your highest and lowest scores"));
}

#[test]
fn a_demo_page_with_every_figure_of_its_wave_hidden_says_why_in_words() {
    let dir = temp();
    let r = run_in(Some(dir.path()), &["report", "-q"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Northwind Holdings' latest wave (2025-H1): every dimension hidden by SPEC §15.
    let html = std::fs::read_to_string(dir.path().join("reports/orgs/org-0013.html")).unwrap();
    let profile = &html[html.find("id=\"profile\"").unwrap()..];
    let profile = &profile[..profile.find("</section>").unwrap()];
    // No radar and no chart of bands with "not shown" on every row: a sentence instead.
    assert!(!profile.contains("<svg"), "{profile}");
    assert!(
        plain(profile).contains("No chart of the profile: no dimension of Northwind Holdings is shown for this wave (2025-H1)"),
        "{profile}"
    );
    // The trend's panels of measures hidden in every wave say so instead of an empty plot.
    let trend = &html[html.find("id=\"trend\"").unwrap()..];
    let trend = &trend[..trend.find("</section>").unwrap()];
    let panels = trend.matches("<svg").count();
    let empty = svg_texts(trend)
        .iter()
        .filter(|t| *t == "not shown in any wave")
        .count();
    assert!(
        empty > 0 && empty < panels,
        "{empty} of {panels} panels empty"
    );
    // A page whose figures are shown draws both charts, and its radar legend names it.
    let shown = std::fs::read_to_string(dir.path().join("reports/orgs/org-0001.html")).unwrap();
    let profile = &shown[shown.find("id=\"profile\"").unwrap()..];
    let profile = &profile[..profile.find("</section>").unwrap()];
    assert_eq!(profile.matches("<svg").count(), 2, "radar and bands");
    assert!(!profile.contains("No chart of the profile"));
    let radar = &profile[profile.find("class=\"chart radar\"").expect("a radar")..];
    let radar = &radar[..radar.find("</svg>").expect("end of the radar")];
    assert!(
        svg_texts(radar).contains(&"Northwind Group".to_string()),
        "{radar}"
    );
}
