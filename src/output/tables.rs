//! The tables of SPEC §9, one function each, over the analysis.

use std::path::Path;

use super::csv_writer::{write_large_csv, Cell, Line, Table};
use crate::analysis::Analysis;
use crate::error::Result;
use crate::instrument::Instrument;
use crate::responses::Dataset;
use crate::results::{Measure, Shown};

/// Rows formatted per parallel task; blocks are written in order.
const FORMAT_ROWS: usize = 4 * 1024;

pub fn respondent_scores(instrument: &Instrument, data: &Dataset, dir: &Path) -> Result<()> {
    let r = &data.respondents;
    let d = instrument.dimensions.len();
    let o = instrument.outcomes.len();
    let mut header = vec!["respondent_id", "org", "role", "wave"];
    header.extend(instrument.dimensions.iter().map(|x| x.id.as_str()));
    header.extend(["index", "level"]);
    header.extend(instrument.outcome_items().iter().map(|x| x.id.as_str()));
    let path = dir.join("respondent_scores.csv");
    let present = |x: f64| (!x.is_nan()).then_some(x);
    write_large_csv(&path, &header, r.len(), FORMAT_ROWS, |line, row| {
        line.text(r.id(row));
        line.text(&data.orgs[r.org[row] as usize]);
        line.text(&instrument.roles[r.role[row] as usize].id);
        line.text(&data.waves[r.wave[row] as usize]);
        for &x in &r.dimensions[row * d..(row + 1) * d] {
            line.opt(present(x));
        }
        line.opt(present(r.index[row]));
        match r.level[row] {
            Some(level) => line.text(&instrument.levels[usize::from(level)].id),
            None => line.text(""),
        }
        for &x in &r.outcomes[row * o..(row + 1) * o] {
            line.opt(present(x));
        }
        line.end();
    })
}

pub fn org_scores(analysis: &Analysis, path: &Path) -> Result<()> {
    let header = [
        "org",
        "wave",
        "group",
        "measure",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "percentile",
        "p25",
        "median",
        "p75",
    ];
    let instrument = analysis.instrument;
    write_large_csv(path, &header, analysis.results.len(), 64, |line, i| {
        let Some(reported) = analysis.results[i].reported() else {
            return;
        };
        for group in reported.groups() {
            let group_name = group.group.name(instrument);
            for (measure, figure) in group.figures() {
                let Some(s) = figure.shown() else { continue };
                let q = s.standing.as_ref().and_then(|s| s.quartiles.as_ref());
                line.text(analysis.org_id(i));
                line.text(analysis.wave(i));
                line.text(&group_name);
                line.text(measure.id(instrument));
                summary(line, s);
                line.opt(s.percentile());
                line.opt(q.map(|q| q.p25));
                line.opt(q.map(|q| q.median));
                line.opt(q.map(|q| q.p75));
                line.end();
            }
        }
    })
}

/// `breakdown_scores.csv` (SPEC §17): every shown figure of every unit of a breakdown.
pub fn breakdown_scores(analysis: &Analysis, path: &Path) -> Result<()> {
    let header = [
        "org",
        "wave",
        "breakdown",
        "unit",
        "measure",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
    ];
    let instrument = analysis.instrument;
    write_large_csv(path, &header, analysis.results.len(), 64, |line, i| {
        let Some(reported) = analysis.results[i].reported() else {
            return;
        };
        for unit in &reported.units {
            let (breakdown, unit_id) = unit.ids(instrument);
            for (measure, figure) in unit.figures() {
                let Some(s) = figure.shown() else { continue };
                line.text(analysis.org_id(i));
                line.text(analysis.wave(i));
                line.text(breakdown);
                line.text(unit_id);
                line.text(measure.id(instrument));
                summary(line, s);
                line.end();
            }
        }
    })
}

/// The cells `n,mean,sd,ci_low,ci_high` of a shown figure, as both score tables write them.
fn summary(line: &mut Line, s: &Shown) {
    line.count(s.n);
    line.num(s.mean);
    line.opt(s.sd);
    line.opt(s.ci_low);
    line.opt(s.ci_high);
}

/// `response_rates.csv` (SPEC §17): every shown rate, the organization's first, then its
/// roles and units.
pub fn response_rates(
    analysis: &Analysis,
    participation: &crate::roster::Participation,
    path: &Path,
) -> Result<()> {
    let instrument = analysis.instrument;
    let mut table = Table::create(
        path,
        &[
            "org",
            "wave",
            "group",
            "invited",
            "responses",
            "rate",
            "below_target",
        ],
    )?;
    for (i, rates) in participation.rates.iter().enumerate() {
        let Some(rates) = rates else { continue };
        let mut groups: Vec<(String, crate::roster::Rate)> = vec![("all".into(), rates.all)];
        groups.extend(
            rates
                .roles
                .iter()
                .map(|(r, rate)| (format!("role:{}", instrument.roles[*r].id), *rate)),
        );
        groups.extend(rates.units.iter().map(|(b, u, rate)| {
            let breakdown = &instrument.breakdowns[*b];
            (
                format!("{}:{}", breakdown.id, breakdown.options[*u].id),
                *rate,
            )
        }));
        for (k, (group, rate)) in groups.iter().enumerate() {
            let below = crate::score::below(rate.value(), participation.target_rate);
            table.row([
                Cell::Text(analysis.org_id(i)),
                Cell::Text(analysis.wave(i)),
                Cell::Text(group),
                Cell::Count(rate.invited as usize),
                Cell::Count(rate.responses),
                Cell::Number(rate.value()),
                Cell::Text(if k == 0 && below {
                    "yes"
                } else if k == 0 {
                    "no"
                } else {
                    ""
                }),
            ])?;
        }
    }
    table.finish()
}

pub fn org_summary(analysis: &Analysis, path: &Path) -> Result<()> {
    let instrument = analysis.instrument;
    let mut table = Table::create(
        path,
        &[
            "org",
            "name",
            "wave",
            "n",
            "index",
            "level",
            "percentile",
            "population",
            "next_level",
            "points_to_next",
            "blocking_dimensions",
        ],
    )?;
    let level_id = |level: Option<usize>| level.map_or("", |l| instrument.levels[l].id.as_str());
    for (i, result) in analysis.results.iter().enumerate() {
        let Some(reported) = result.reported() else {
            continue;
        };
        let s = &reported.level;
        let org = analysis.org_id(i);
        let standing = reported
            .all
            .shown(Measure::Index)
            .and_then(|s| s.standing.as_ref());
        let population = standing
            .map(|s| s.population.to_string())
            .unwrap_or_default();
        let blocking = s
            .blocking
            .iter()
            .map(|&m| instrument.dimensions[m].id.as_str())
            .collect::<Vec<_>>()
            .join(";");
        table.row([
            Cell::Text(org),
            Cell::Text(analysis.orgs.display_name(org)),
            Cell::Text(analysis.wave(i)),
            Cell::Count(result.rows.len()),
            Cell::Optional(s.index),
            Cell::Text(level_id(s.level)),
            Cell::Optional(standing.and_then(|s| s.percentile)),
            Cell::Text(&population),
            Cell::Text(level_id(s.next_level)),
            Cell::Optional(s.points_to_next),
            Cell::Text(&blocking),
        ])?;
    }
    table.finish()
}

pub fn perception_gaps(analysis: &Analysis, path: &Path) -> Result<()> {
    let header = [
        "org",
        "wave",
        "measure",
        "first_role",
        "second_role",
        "first_mean",
        "second_mean",
        "gap",
        "flag",
    ];
    let roles = &analysis.instrument.roles;
    write_large_csv(path, &header, analysis.gaps.len(), 4096, |line, i| {
        let gap = &analysis.gaps[i];
        line.text(analysis.org_id(gap.org_wave));
        line.text(analysis.wave(gap.org_wave));
        line.text(gap.measure.id(analysis.instrument));
        line.text(&roles[gap.first_role].id);
        line.text(&roles[gap.second_role].id);
        line.num(gap.first_mean);
        line.num(gap.second_mean);
        line.num(gap.gap);
        line.flag(gap.flag);
        line.end();
    })
}

pub fn changes(analysis: &Analysis, path: &Path) -> Result<()> {
    let mut table = Table::create(
        path,
        &[
            "org",
            "measure",
            "from_wave",
            "to_wave",
            "from_mean",
            "to_mean",
            "difference",
            "t",
            "df",
            "p",
            "hedges_g",
            "meaningful",
        ],
    )?;
    for c in &analysis.changes {
        let s = &c.shift;
        table.row([
            Cell::Text(analysis.org_id(c.from)),
            Cell::Text(c.measure.id(analysis.instrument)),
            Cell::Text(analysis.wave(c.from)),
            Cell::Text(analysis.wave(c.to)),
            Cell::Number(s.from_mean),
            Cell::Number(s.to_mean),
            Cell::Number(s.difference),
            Cell::Optional(s.welch.as_ref().map(|w| w.t)),
            Cell::Optional(s.welch.as_ref().map(|w| w.df)),
            Cell::Optional(s.welch.as_ref().map(|w| w.p)),
            Cell::Optional(s.hedges_g),
            Cell::Flag(s.meaningful),
        ])?;
    }
    table.finish()
}

/// `rejects.csv`: every rejected row with its place and reason (`score`, `report`, `stats`).
pub fn rejects(data: &Dataset, path: &Path) -> Result<()> {
    let mut table = Table::create(path, &["file", "line", "column", "respondent_id", "reason"])?;
    for r in &data.rejects {
        table.row([
            Cell::Text(&r.file),
            Cell::Count(r.line as usize),
            Cell::Text(&r.column),
            Cell::Text(&r.respondent_id),
            Cell::Text(&r.reason),
        ])?;
    }
    table.finish()
}
