//! Breakdowns inside an organization and response rates (SPEC §17): units follow §6 and §15
//! as roles do, the rows without a value being one more hidden part; rates come from a roster
//! and are shown where their counts are.
//!
//! The fixture `breakdowns/responses.csv` holds `acme` (30 sales representatives: north 3,
//! south 6, east 10, West coast 10, one without a region) and `bolt` (north 10 = its HR
//! respondents, south 10 = its sales representatives).

use crate::support::{close, run, temp, Table};

const SURVEY: &str = "breakdowns/instrument.yaml";
const RESPONSES: &str = "breakdowns/responses.csv";

fn report(extra: &[&str]) -> (tempfile::TempDir, crate::support::Run) {
    let dir = temp();
    let out = dir.path().join("r");
    let mut args = vec![
        "report",
        "--survey",
        SURVEY,
        RESPONSES,
        "--out",
        out.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    let run = run(&args);
    (dir, run)
}

fn units(table: &Table, org: &str) -> Vec<String> {
    let mut units: Vec<String> = table
        .find(&[org, "w1", "region"])
        .iter()
        .map(|r| r[3].clone())
        .collect();
    units.dedup();
    units
}

#[test]
fn a_unit_of_three_is_never_shown_and_its_complement_is_hidden_too() {
    let (dir, run) = report(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let data = dir.path().join("r/data");
    let table = Table::read(&data.join("breakdown_scores.csv"));
    assert_eq!(
        table.header,
        [
            "org",
            "wave",
            "breakdown",
            "unit",
            "measure",
            "n",
            "mean",
            "sd",
            "ci_low",
            "ci_high"
        ]
    );
    // north (3) is below T; 3 + the one blank = 4 < 5, so south (6), the smallest shown
    // unit, is hidden as well: otherwise all − east − west would give north + blank.
    assert_eq!(units(&table, "acme"), ["east", "west"]);
    assert_eq!(units(&table, "bolt"), ["north", "south"]);
    let east = table.row(&["acme", "w1", "region", "east", "index"]);
    assert_eq!(table.get(east, "n"), "10");
    // The unit's mean is the mean of its respondents' indices (respondent_scores.csv).
    let respondents = Table::read(&data.join("respondent_scores.csv"));
    let responses = Table::read(&crate::support::fixtures().join(RESPONSES));
    let east_ids: Vec<&str> = responses
        .rows
        .iter()
        .filter(|r| r[0].starts_with('a') && r[4] == "east")
        .map(|r| r[0].as_str())
        .collect();
    let indices: Vec<f64> = respondents
        .rows
        .iter()
        .filter(|r| east_ids.contains(&r[0].as_str()))
        .map(|r| respondents.num(r, "index"))
        .collect();
    assert_eq!(indices.len(), 10);
    close(table.num(east, "mean"), indices.iter().sum::<f64>() / 10.0);
    // scores.json marks the hidden units and carries no number for them.
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("scores.json")).expect("scores.json"),
    )
    .expect("JSON");
    let acme = &json["organizations"][0]["waves"][0]["breakdowns"];
    let north = acme
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == "north")
        .expect("north");
    for m in north["measures"].as_array().expect("measures") {
        assert_eq!(m["suppressed"], true);
        assert!(m.get("n").is_none() && m.get("mean").is_none());
    }
    // The page says why, in the words of SPEC §6, and never gives a hidden unit's number.
    let page = std::fs::read_to_string(dir.path().join("r/orgs/acme.html")).expect("page");
    let section = &page[page.find("id=\"breakdowns\"").expect("breakdowns section")..];
    let section = &section[..section.find("</section>").expect("end")];
    assert!(section.contains("fewer than 5 responses"));
    assert!(section.contains("not shown, to protect a smaller group"));
    assert!(section.contains("<svg"), "a heat map per breakdown");
    assert!(section.contains("By Time with the company"));
    // No role × unit intersection anywhere.
    assert!(!page.contains("sales_rep × "));
}

#[test]
fn the_portfolio_filters_organizations_by_the_units_they_show() {
    let (dir, run) = report(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = std::fs::read_to_string(dir.path().join("r/index.html")).expect("portfolio");
    // One filter per breakdown with shown units, offering the units shown somewhere.
    let select = &page[page
        .find("<select class=\"filter-unit\" data-breakdown=\"0\">")
        .expect("a region filter")..];
    let select = &select[..select.find("</select>").expect("end")];
    for unit in ["north", "south", "east", "west"] {
        assert!(
            select.contains(&format!("<option value=\"{unit}\">")),
            "{select}"
        );
    }
    // Each organization's row names the units whose index it shows: those of
    // breakdown_scores.csv (acme: north and south hidden; bolt: both shown).
    let table = Table::read(&dir.path().join("r/data/breakdown_scores.csv"));
    for org in ["acme", "bolt"] {
        let at = page
            .find(&format!("<tr data-name=\"{org}\""))
            .unwrap_or_else(|| panic!("a row for {org}"));
        let row = &page[at..at + page[at..].find('>').expect("end of tag")];
        assert!(
            row.contains(&format!("data-units0=\"{}\"", units(&table, org).join(" "))),
            "{row}"
        );
    }
}

#[test]
fn a_value_that_is_not_an_option_is_rejected_with_its_reason() {
    let dir = temp();
    let file = dir.path().join("w1.csv");
    let mut text = std::fs::read_to_string(crate::support::fixtures().join(RESPONSES)).unwrap();
    text = text.replacen(
        "a01,acme,sales_rep,w1,north",
        "a01,acme,sales_rep,w1,Nowhere",
        1,
    );
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("o");
    let r = run(&[
        "score",
        "--survey",
        SURVEY,
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "read 50 rows: scored 49, rejected 1");
    let rejects = Table::read(&out.join("rejects.csv"));
    assert_eq!(
        rejects.rows,
        [[
            file.to_str().unwrap(),
            "2",
            "region",
            "a01",
            "`Nowhere` is not an option of breakdown `region` (options: north, south, east, west); leave the cell empty if it was not given"
        ]]
    );
}

#[test]
fn import_carries_each_breakdown_as_its_option_id() {
    let dir = temp();
    let imported = dir.path().join("imported.csv");
    let i = run(&[
        "import",
        "--survey",
        SURVEY,
        RESPONSES,
        "-o",
        imported.to_str().unwrap(),
    ]);
    assert_eq!(i.code, 0, "{}", i.stderr);
    let table = Table::read(&imported);
    assert_eq!(table.header[table.header.len() - 2..], ["region", "tenure"]);
    // A label is written as its option's id; a unit not given stays blank.
    let a20 = table.row(&["a20"]);
    assert_eq!(
        (table.get(a20, "region"), table.get(a20, "tenure")),
        ("west", "under_1y")
    );
    let blank = table
        .rows
        .iter()
        .filter(|r| table.get(r, "region").is_empty());
    assert_eq!(blank.count(), 1, "the one acme row without a region");
    // Read back, the file gives the same breakdown figures as the original.
    let score = |file: &str, out: &str| {
        let out = dir.path().join(out);
        let r = run(&[
            "score",
            "--survey",
            SURVEY,
            file,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        std::fs::read(out.join("breakdown_scores.csv")).expect("breakdown_scores.csv")
    };
    let direct = score(RESPONSES, "direct");
    assert!(direct.len() > 200, "units are shown");
    assert!(direct == score(imported.to_str().unwrap(), "again"));
}

#[test]
fn breakdowns_are_validated_with_their_place() {
    let dir = temp();
    let base = std::fs::read_to_string(crate::support::fixtures().join(SURVEY)).unwrap();
    let at = base.find("breakdowns:").unwrap();
    let bad = format!(
        "{}breakdowns:\n  - {{ id: col_1, label: Collaboration, options: [a] }}\n  - {{ id: team, label: Team, options: [red, Red] }}\n  - {{ id: site, label: Site, options: [] }}\n",
        &base[..at]
    );
    let line = base[..at].lines().count() + 2;
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, bad).unwrap();
    let r = run(&["validate", "--survey", path.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let p = path.display();
    for expected in [
        format!("{p}:{line}:11: breakdown `col_1` has the id of an item; a response column can mean one of them only, so choose another id"),
        format!("{p}:{}:45: in breakdown `team`, the id `Red` of option `Red` is also the id of option `red` (ignoring case), so a cell would mean two options", line + 1),
        format!("{p}:{}:39: breakdown `site` has no options; list the values a respondent may give", line + 2),
    ] {
        assert!(r.stderr.contains(&expected), "{expected}\n---\n{}", r.stderr);
    }
}

#[test]
fn response_rates_are_accepted_rows_over_invited_where_the_count_is_shown() {
    let (dir, run) = report(&["--roster", "breakdowns/roster.csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rates = Table::read(&dir.path().join("r/data/response_rates.csv"));
    let rows: Vec<Vec<&str>> = rates
        .rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["acme", "w1", "all", "40", "30", "0.75", "no"],
            ["acme", "w1", "role:sales_rep", "40", "30", "0.75", ""],
            // north and south are hidden, so are their rates (SPEC §15).
            [
                "acme",
                "w1",
                "region:east",
                "12",
                "10",
                "0.8333333333333334",
                ""
            ],
            ["acme", "w1", "region:west", "16", "10", "0.625", ""],
            ["bolt", "w1", "all", "18", "20", "1.1111111111111112", "no"],
            ["bolt", "w1", "role:hr", "8", "10", "1.25", ""],
            ["bolt", "w1", "role:sales_rep", "10", "10", "1", ""],
            ["bolt", "w1", "region:north", "8", "10", "1.25", ""],
            ["bolt", "w1", "region:south", "10", "10", "1", ""],
        ]
    );
    // Located warnings: a rate above 100% and an organization with no responses.
    for expected in [
        "warning: breakdowns/roster.csv:8: organization `ghost` is in the roster but has no accepted responses; check its id against the responses",
        "warning: breakdowns/roster.csv:6: bolt, wave w1: 20 accepted responses but 18 invited (111%); check the roster",
        "warning: breakdowns/roster.csv:6: bolt, wave w1, role hr: more accepted responses than invited (a rate above 100%); check the roster",
    ] {
        assert!(run.stderr.contains(expected), "{expected}\n---\n{}", run.stderr);
    }
    let page = std::fs::read_to_string(dir.path().join("r/orgs/acme.html")).expect("page");
    assert!(
        page.contains("<strong>Response rate</strong> (accepted responses ÷ invited): all respondents 75% (30 of 40); Sales representatives 75% (30 of 40); Region: east 83% (10 of 12); Region: West coast 62% (10 of 16).</p>"),
        "{page}"
    );
    // The portfolio lists who is below the target.
    let (dir, run) = report(&["--roster", "breakdowns/roster.csv", "--target-rate", "80%"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let portfolio = std::fs::read_to_string(dir.path().join("r/index.html")).expect("portfolio");
    let below = &portfolio[portfolio.find("id=\"below-target\"").expect("list")..];
    let below = &below[..below.find("</ul>").expect("end")];
    assert!(below.contains("Below the target response rate of 80%"));
    assert!(
        below.contains("acme</a> (w1): 75% of 40 invited"),
        "{below}"
    );
    assert!(!below.contains("bolt"));
}

#[test]
fn a_bad_roster_stops_the_run_with_its_place() {
    let dir = temp();
    let roster = dir.path().join("roster.csv");
    std::fs::write(&roster, "org,role,invited,team\nacme,boss,x,\n").unwrap();
    let (_out, r) = report(&["--roster", roster.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let p = roster.display();
    assert!(
        r.stderr.contains(&format!(
            "{p}:1:18: column `team` is not a roster column (org, wave, role, invited, region, tenure)"
        )),
        "{}",
        r.stderr
    );
    std::fs::write(&roster, "org,role,invited\nacme,boss,x\n").unwrap();
    let (_out, r) = report(&["--roster", roster.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    for expected in [
        format!("{p}:2:6: role `boss` is not a role of instrument `mini` (roles: hr, sales_leader, sales_rep); leave the cell empty for every role"),
        format!("{p}:2:11: invited `x` is not a whole number above 0; write how many people were invited"),
    ] {
        assert!(r.stderr.contains(&expected), "{expected}\n---\n{}", r.stderr);
    }
}
