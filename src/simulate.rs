//! Synthetic responses for any instrument, seeded and reproducible.
//!
//! Each organization has a latent maturity (a mix of Strategic-Partner-like and
//! Support-Function-like organizations) that improves from wave to wave; each role sees it with
//! an offset (HR rates itself higher than sales representatives do), so perception gaps exist;
//! each respondent adds noise. Cells use every item type, labels as well as codes, `na` labels
//! and empty cells. Outcomes are tied to maturity so correlations have something to find.
//!
//! Rows are written as they are made, so memory does not grow with the counts; a plan of more
//! than [`MAX_ROWS`] rows is refused. Where the files go (a temporary file renamed into place)
//! is `output`'s business.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result};
use crate::instrument::condition::Given;
use crate::instrument::{Instrument, ItemKind};
use crate::output::AtomicFile;
use crate::responses::cell;
use crate::rng::SplitMix64;
use crate::score::Answer;

/// The most respondent rows a plan may ask for (`organizations × respondents × waves`): a
/// billion rows is about 300 GB of CSV.
pub const MAX_ROWS: u128 = 1_000_000_000;

/// The simulation's random draws, from a [`SplitMix64`] stream.
pub struct Rng(SplitMix64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(SplitMix64::new(seed ^ 0x5DEE_CE66_D1CE_4E5B))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal by the Box–Muller transform.
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.uniform() * n as f64) as usize % n.max(1)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }
}

pub struct Plan {
    pub organizations: usize,
    pub respondents: usize,
    pub waves: usize,
    pub seed: u64,
}

const INDUSTRIES: [&str; 5] = [
    "Retail",
    "Manufacturing",
    "Financial services",
    "Technology",
    "Healthcare",
];
const SIZES: [&str; 3] = ["small", "medium", "large"];
const REGIONS: [&str; 4] = ["North", "South", "East", "West"];
const FIRST: [&str; 12] = [
    "Northwind",
    "Bluefield",
    "Harbor",
    "Summit",
    "Redwood",
    "Lakeside",
    "Ironbridge",
    "Clearwater",
    "Oakridge",
    "Silverline",
    "Brightpath",
    "Stonegate",
];
const SECOND: [&str; 6] = [
    "Group",
    "Holdings",
    "Systems",
    "Partners",
    "Industries",
    "Co.",
];

/// Wave names: half-years from 2024-H1.
pub fn wave_name(w: usize) -> String {
    format!("{}-H{}", 2024 + w / 2, w % 2 + 1)
}

/// Respondents of organization `o` in wave `w`: the average ± up to 40%, in pairs of
/// organizations whose deviations cancel, so the total over an even number of organizations is
/// exactly `organizations × respondents` per wave.
fn group_size(plan: &Plan, o: usize, w: usize) -> usize {
    let spread = plan.respondents * 2 / 5;
    let unpaired = o + 1 == plan.organizations && o.is_multiple_of(2);
    if spread == 0 || unpaired {
        return plan.respondents;
    }
    let delta = ((o / 2) * 7919 + w * 104_729) % (spread + 1);
    if o.is_multiple_of(2) {
        plan.respondents + delta
    } else {
        plan.respondents - delta
    }
}

impl Plan {
    /// Refuses a plan with a zero count or more than [`MAX_ROWS`] rows.
    pub fn check(&self) -> Result<()> {
        if self.organizations == 0 || self.respondents == 0 || self.waves == 0 {
            return Err(Error::Usage(
                "--organizations, --respondents and --waves must each be at least 1".into(),
            ));
        }
        let rows = (self.organizations as u128)
            .checked_mul(self.respondents as u128)
            .and_then(|r| r.checked_mul(self.waves as u128));
        match rows {
            Some(rows) if rows <= MAX_ROWS => Ok(()),
            _ => Err(Error::Usage(format!(
                "--organizations {} × --respondents {} × --waves {} asks for {} rows; simulate writes at most {MAX_ROWS} (10^9): lower a count",
                self.organizations,
                self.respondents,
                self.waves,
                rows.map_or("more than 10^38".to_string(), |r| r.to_string())
            ))),
        }
    }
}

/// What [`write`] wrote.
pub struct Written {
    pub bytes: u64,
    pub rows: u64,
}

/// Simulates `plan` into a responses file at `path` (and an organizations file at
/// `orgs_path`, a roster at `roster_path`), each written as its rows are made, so memory does
/// not grow with the counts.
pub fn write(
    instrument: &Instrument,
    plan: &Plan,
    path: &Path,
    orgs_path: Option<&Path>,
    roster_path: Option<&Path>,
) -> Result<Written> {
    plan.check()?;
    let mut responses = AtomicFile::create(path)?;
    let mut orgs = orgs_path.map(AtomicFile::create).transpose()?;
    let mut roster = roster_path.map(AtomicFile::create).transpose()?;
    let (mut sink, mut roster_sink) = (std::io::sink(), std::io::sink());
    let orgs_out: &mut dyn std::io::Write = match orgs.as_mut() {
        Some(file) => file,
        None => &mut sink,
    };
    let roster_out: &mut dyn std::io::Write = match roster.as_mut() {
        Some(file) => file,
        None => &mut roster_sink,
    };
    let mut outputs = Outputs {
        csv: &mut responses,
        orgs: orgs_out,
        roster: roster_out,
    };
    let written = simulate(instrument, plan, &mut outputs).map_err(|(e, which)| {
        let failed = match which {
            Output::Orgs => orgs_path.unwrap_or(path),
            Output::Roster => roster_path.unwrap_or(path),
            Output::Responses => path,
        };
        Error::io(failed, "cannot write", e)
    })?;
    responses.commit()?;
    if let Some(orgs) = orgs {
        orgs.commit()?;
    }
    if let Some(roster) = roster {
        roster.commit()?;
    }
    Ok(written)
}

/// Where the simulation writes: the responses, the organizations file and the roster.
pub struct Outputs<'a> {
    pub csv: &'a mut dyn std::io::Write,
    pub orgs: &'a mut dyn std::io::Write,
    pub roster: &'a mut dyn std::io::Write,
}

/// Which output a write error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Responses,
    Orgs,
    Roster,
}

/// Writes the responses as CSV, the organizations file and the roster (SPEC §17: how many
/// were invited per organization, wave and role), row by row. An error says which output it
/// came from.
///
/// Breakdown values and invitations come from draws of their own, so the answers are the same
/// with or without breakdowns in the instrument.
pub fn simulate(
    instrument: &Instrument,
    plan: &Plan,
    out: &mut Outputs,
) -> std::result::Result<Written, (std::io::Error, Output)> {
    let mut rng = Rng::new(plan.seed);
    let mut unit_rng = Rng::new(plan.seed ^ 0xB2EA_4D0A_5E6C_0017);
    let mut written = Written { bytes: 0, rows: 0 };
    let emit = |out: &mut dyn std::io::Write, text: &str, which: Output| {
        out.write_all(text.as_bytes()).map_err(|e| (e, which))
    };
    let (csv, orgs, roster) = (&mut *out.csv, &mut *out.orgs, &mut *out.roster);
    emit(roster, "org,wave,role,invited\n", Output::Roster)?;
    let mut line = String::from("respondent_id,org,role,wave");
    for breakdown in &instrument.breakdowns {
        line.push(',');
        line.push_str(&breakdown.id);
    }
    for item in &instrument.items {
        line.push(',');
        line.push_str(&item.id);
    }
    for comment in &instrument.comments {
        line.push(',');
        line.push_str(&comment.id);
    }
    line.push('\n');
    emit(csv, &line, Output::Responses)?;
    written.bytes += line.len() as u64;
    emit(orgs, "org,name,industry,size,region\n", Output::Orgs)?;

    let role_offsets: Vec<f64> = instrument
        .roles
        .iter()
        .map(|r| match r.id.as_str() {
            "hr" => 9.0,
            "executive" => 4.0,
            "sales_leader" => 0.0,
            "sales_rep" => -7.0,
            _ => 0.0,
        })
        .collect();
    // Typical respondent mix: many representatives, fewer leaders, few HR and executives.
    let role_weights: Vec<f64> = instrument
        .roles
        .iter()
        .map(|r| match r.id.as_str() {
            "hr" => 0.2,
            "sales_leader" => 0.25,
            "sales_rep" => 0.4,
            "executive" => 0.15,
            _ => 0.2,
        })
        .collect();
    let total_weight: f64 = role_weights.iter().sum();
    // Comments draw from a stream of their own, so the answers are those of the same plan
    // without open questions.
    let mut talk = Rng::new(plan.seed ^ 0xC033_E475_0F7E_A11D);
    // Each item's answer in the row being written, for the conditions of later items.
    let mut given: Vec<Given> = Vec::with_capacity(instrument.items.len());

    for o in 0..plan.organizations {
        let org = format!("org-{:04}", o + 1);
        let strategic = rng.chance(0.35);
        let base = if strategic { 70.0 } else { 42.0 } + 9.0 * rng.normal();
        let growth = 2.5 + 2.0 * rng.normal();
        // Dimension profile: each organization is stronger in some practices than others.
        let profile: Vec<f64> = instrument
            .dimensions
            .iter()
            .map(|_| 8.0 * rng.normal())
            .collect();
        line.clear();
        let _ = writeln!(
            line,
            "{org},{} {},{},{},{}",
            FIRST[o % FIRST.len()],
            SECOND[(o / FIRST.len()) % SECOND.len()],
            INDUSTRIES[rng.below(INDUSTRIES.len())],
            SIZES[rng.below(SIZES.len())],
            REGIONS[rng.below(REGIONS.len())]
        );
        emit(orgs, &line, Output::Orgs)?;
        for w in 0..plan.waves {
            let wave = wave_name(w);
            let n = group_size(plan, o, w);
            let mut per_role = vec![0usize; instrument.roles.len()];
            for r in 0..n {
                let mut pick = rng.uniform() * total_weight;
                let mut role = 0;
                for (i, weight) in role_weights.iter().enumerate() {
                    if pick < *weight {
                        role = i;
                        break;
                    }
                    pick -= weight;
                    role = i;
                }
                let theta = base + growth * w as f64 + role_offsets[role] + 10.0 * rng.normal();
                line.clear();
                let _ = write!(
                    line,
                    "{org}-{}-{:04},{org},{},{wave}",
                    w + 1,
                    r + 1,
                    instrument.roles[role].id
                );
                per_role[role] += 1;
                // Units: the first options common, the last rare; some give no value.
                for breakdown in &instrument.breakdowns {
                    line.push(',');
                    if unit_rng.chance(0.08) {
                        continue;
                    }
                    let k = breakdown.options.len();
                    let total = k * (k + 1) / 2;
                    let mut pick = unit_rng.below(total);
                    let mut unit = 0;
                    while pick >= k - unit {
                        pick -= k - unit;
                        unit += 1;
                    }
                    line.push_str(&breakdown.options[unit].id);
                }
                // A few careless respondents: some tick the same box on every scale item, some
                // skip most of the questionnaire.
                let straight = rng.chance(0.015).then(|| 1 + rng.below(5));
                let sparse = rng.chance(0.015);
                given.clear();
                for item in &instrument.items {
                    line.push(',');
                    // A question the respondent is not asked (SPEC §16) stays blank, as a
                    // survey tool with skip logic leaves it.
                    let asked = item
                        .show_if
                        .as_ref()
                        .is_none_or(|c| c.holds(&|j| given[j], role));
                    if !asked {
                        given.push(Given::NotAsked);
                        continue;
                    }
                    let start = line.len();
                    if sparse && item.dimension.is_some() && rng.chance(0.7) {
                        given.push(Given::Missing);
                        continue;
                    }
                    if let (Some(code), ItemKind::Scale { labels, .. }) = (straight, &item.kind) {
                        let _ = write!(line, "{}", code.min(labels.len()));
                    } else {
                        let level = match item.dimension {
                            Some(d) => theta + profile[d] + 12.0 * rng.normal(),
                            None => theta,
                        };
                        write_cell(&mut line, item, level, &mut rng);
                    }
                    given.push(given_of(item, &line[start..]));
                }
                for comment in &instrument.comments {
                    line.push(',');
                    // An open question not asked stays blank too.
                    let asked = comment
                        .show_if
                        .as_ref()
                        .is_none_or(|c| c.holds(&|j| given[j], role));
                    if asked && talk.chance(0.45) {
                        write_comment(&mut line, theta, &mut talk);
                    }
                }
                line.push('\n');
                emit(csv, &line, Output::Responses)?;
                written.bytes += line.len() as u64;
                written.rows += 1;
            }
            // Invitations: a response rate between 40% and 95% per organization-wave.
            let rate = 0.4 + 0.55 * unit_rng.uniform();
            for (role, &count) in per_role.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let invited = (count as f64 / rate).ceil() as usize;
                line.clear();
                let _ = writeln!(line, "{org},{wave},{},{invited}", instrument.roles[role].id);
                emit(roster, &line, Output::Roster)?;
            }
        }
    }
    Ok(written)
}

/// What respondents ask of HR, in fragments: a short comment is an opener, a request and
/// sometimes a reason, chosen by how well the partnership works for the respondent (`level`).
const OPENERS_LOW: [&str; 4] = ["Honestly,", "Please", "HR should", "We need HR to"];
const OPENERS_HIGH: [&str; 4] = [
    "Keep going and",
    "It works well; next,",
    "Good progress. Now",
    "HR could",
];
const REQUESTS: [&str; 14] = [
    "run sales training with our managers, not just onboarding",
    "give us a named HR partner who knows our territories",
    "write candidate profiles with us before hiring starts",
    "coach new sales managers in their first year",
    "share turnover data by team every quarter",
    "sit in our pipeline meetings once a month",
    "review the incentive plan against the strategy",
    "answer our people questions within two days",
    "help us with sensitive cases instead of sending a policy",
    "visit the field and talk to reps",
    "explain the evaluation criteria to every team",
    "set up exit interviews and tell us what they show",
    "stop recruiting generalists for major accounts",
    "meet with sales leadership before a reorganization",
];
const REASONS: [&str; 5] = [
    "; we lose good people too early.",
    ", because managers are left alone.",
    ". Hiring takes far too long.",
    "; the data would change our decisions.",
    ".",
];

fn write_comment(out: &mut String, level: f64, rng: &mut Rng) {
    let openers = if level < 55.0 {
        &OPENERS_LOW
    } else {
        &OPENERS_HIGH
    };
    let text = format!(
        "{} {}{}",
        openers[rng.below(openers.len())],
        REQUESTS[rng.below(REQUESTS.len())],
        REASONS[rng.below(REASONS.len())]
    );
    // Quoted: the fragments hold commas.
    let _ = write!(out, "\"{}\"", text.replace('"', "\"\""));
}

/// A written cell as a condition sees it (the importer reads it the same way).
fn given_of(item: &crate::instrument::Item, cell: &str) -> Given {
    let unquoted;
    let cell = match cell.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
        Some(inner) => {
            unquoted = inner.replace("\"\"", "\"");
            unquoted.as_str()
        }
        None => cell,
    };
    match cell::parse(item, cell) {
        Ok((Answer::Code(c), _)) => Given::Code(c),
        Ok((Answer::Number(x), _)) => Given::Number(x),
        Ok((Answer::Bool(b), _)) => Given::Bool(b),
        Ok((Answer::Choice(o), _)) => Given::Choice(o),
        Ok((Answer::Count(count), _)) => Given::Multi {
            count,
            first_64: cell::first_64_chosen(item, cell, &cell::Joined::Semicolons),
        },
        _ => Given::Missing,
    }
}

fn write_cell(out: &mut String, item: &crate::instrument::Item, level: f64, rng: &mut Rng) {
    if item.dimension.is_some() && rng.chance(0.04) {
        return; // skipped question
    }
    let p = (if item.reverse { 100.0 - level } else { level }).clamp(0.0, 100.0) / 100.0;
    match &item.kind {
        ItemKind::Scale { labels, na, .. } => {
            if !na.is_empty() && rng.chance(0.015) {
                out.push_str(&na[0]);
                return;
            }
            let k = labels.len();
            let code = (1.0 + p * (k - 1) as f64 + 0.5 * rng.normal())
                .round()
                .clamp(1.0, k as f64) as usize;
            if rng.chance(0.12) {
                let label = &labels[code - 1];
                if label.contains(',') || label.contains('"') {
                    let _ = write!(out, "\"{}\"", label.replace('"', "\"\""));
                } else {
                    out.push_str(label);
                }
            } else {
                let _ = write!(out, "{code}");
            }
        }
        ItemKind::Number { min, max } => {
            let x = if item.dimension.is_some() {
                min + (max - min) * (p + 0.1 * rng.normal()).clamp(0.0, 1.0)
            } else {
                // Outcomes: percentages that fall as maturity rises (turnover, failures) or rise
                // with it (quota attainment), decided by the item id.
                let rising = item.id.contains("quota");
                let share = if rising {
                    0.35 + 0.45 * p
                } else {
                    0.45 - 0.3 * p
                };
                min + (max - min) * (share + 0.06 * rng.normal()).clamp(0.0, 1.0)
            };
            let _ = write!(out, "{}", x.round());
        }
        ItemKind::Boolean => {
            let yes = rng.chance(p);
            out.push_str(match (yes, rng.below(3)) {
                (true, 0) => "yes",
                (true, 1) => "Yes",
                (true, _) => "1",
                (false, 0) => "no",
                (false, 1) => "No",
                (false, _) => "0",
            });
        }
        ItemKind::Choice { options } => {
            let target = 100.0 * p + 15.0 * rng.normal();
            let best = options
                .iter()
                .min_by(|a, b| {
                    (a.score - target)
                        .abs()
                        .total_cmp(&(b.score - target).abs())
                })
                .map(|o| o.id.as_str())
                .unwrap_or("");
            out.push_str(best);
        }
        ItemKind::Multi { options, .. } => {
            let chosen: Vec<&str> = options
                .iter()
                .filter(|_| rng.chance((0.15 + 0.7 * p).clamp(0.0, 1.0)))
                .map(|s| s.as_str())
                .collect();
            if chosen.is_empty() {
                out.push_str("none");
            } else {
                out.push_str(&chosen.join(";"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(organizations: usize, respondents: usize, waves: usize) -> Plan {
        Plan {
            organizations,
            respondents,
            waves,
            seed: 1,
        }
    }

    #[test]
    fn plans_of_more_than_a_billion_rows_are_refused() {
        assert!(plan(1000, 1000, 1000).check().is_ok());
        let too_many = plan(1000, 1000, 1001).check().unwrap_err();
        assert_eq!(too_many.exit_code(), 2);
        assert_eq!(
            too_many.to_string(),
            "--organizations 1000 × --respondents 1000 × --waves 1001 asks for 1001000000 rows; simulate writes at most 1000000000 (10^9): lower a count"
        );
        let huge = plan(usize::MAX, usize::MAX, usize::MAX)
            .check()
            .unwrap_err();
        assert!(
            huge.to_string().contains("asks for more than 10^38 rows"),
            "{huge}"
        );
        assert!(plan(0, 1, 1).check().is_err());
    }

    #[test]
    fn rows_are_written_as_they_are_made() {
        // Each row reaches the writer as soon as it is made (one write per row), so nothing
        // holds the whole file.
        struct Counting(Vec<usize>);
        impl std::io::Write for Counting {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.push(buf.len());
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let instrument = crate::instrument::load_bundled().unwrap();
        let (mut csv, mut orgs) = (Counting(Vec::new()), Counting(Vec::new()));
        let mut roster = std::io::sink();
        let written = simulate(
            &instrument,
            &plan(3, 4, 2),
            &mut Outputs {
                csv: &mut csv,
                orgs: &mut orgs,
                roster: &mut roster,
            },
        )
        .unwrap();
        assert_eq!(written.rows, 24);
        assert_eq!(csv.0.len(), 25, "one write for the header and one per row");
        assert_eq!(
            orgs.0.len(),
            4,
            "one write for the header and one per organization"
        );
        assert_eq!(written.bytes, csv.0.iter().sum::<usize>() as u64);
    }
}
