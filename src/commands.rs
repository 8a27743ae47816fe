//! One function per command: wire the stages together and talk to the user.
//!
//! Messages: warnings and progress go to stderr; the reconciliation line
//! `read N rows: scored S, rejected R` ends every run that reads responses, on stdout.

use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::benchmark::{Benchmark, Norms};
use crate::cli::{Benchmarking, Cli, Command, Common};
use crate::error::{Error, Result};
use crate::instrument::{self, Instrument};
use crate::responses::{self, Dataset, LoadOptions, Organizations, Source};
use crate::{demo, output, simulate};

pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Report {
            files,
            bench,
            out,
            templates,
            deliverables,
            common,
        } => report(
            &files,
            &bench,
            &out,
            templates.as_deref(),
            &deliverables,
            &common,
        ),
        Command::Validate {
            files,
            strict,
            orgs,
            common,
        } => validate(&files, strict, orgs.as_deref(), &common),
        Command::Score {
            files,
            bench,
            out,
            common,
        } => score(&files, &bench, &out, &common),
        Command::Norms {
            files,
            output,
            common,
        } => norms(&files, &output, &common),
        Command::Stats {
            files,
            orgs,
            by_wave,
            out,
            common,
        } => stats(&files, orgs.as_deref(), by_wave, &out, &common),
        Command::Simulate {
            organizations,
            respondents,
            waves,
            seed,
            output,
            orgs_output,
            common,
        } => {
            let plan = simulate::Plan {
                organizations,
                respondents,
                waves,
                seed,
            };
            simulate_files(&plan, &output, orgs_output.as_deref(), &common)
        }
        Command::Templates { export } => {
            crate::report::templates::export(&export)?;
            println!("wrote the built-in templates to {}", export.display());
            Ok(0)
        }
    }
}

pub fn load_instrument(common: &Common) -> Result<Instrument> {
    match &common.survey {
        Some(path) => instrument::load_file(path),
        None => instrument::load_bundled(),
    }
}

fn warn(common: &Common, message: &str) {
    if !common.quiet {
        eprintln!("warning: {message}");
    }
}

/// Reads the response files (or the demo data when `files` is empty and `demo_allowed`).
fn load_responses(
    instrument: &Instrument,
    files: &[PathBuf],
    common: &Common,
    keep_items: bool,
) -> Result<Dataset> {
    let options = LoadOptions {
        ignore_unknown_columns: common.ignore_unknown_columns,
        keep_items,
    };
    let data = if files.is_empty() {
        let source = Source {
            name: demo::RESPONSES_NAME.to_string(),
            reader: Box::new(demo::RESPONSES.as_bytes()),
            size: Some(demo::RESPONSES.len() as u64),
        };
        responses::load(instrument, vec![source], options)?
    } else {
        responses::load_files(instrument, files, options)?
    };
    for warning in &data.warnings {
        warn(common, warning);
    }
    if !data.rejects.is_empty() && !common.quiet {
        eprintln!(
            "{} row(s) rejected; each is listed with its reason in rejects.csv",
            data.rejects.len()
        );
    }
    Ok(data)
}

fn load_orgs(path: Option<&Path>, demo_data: bool) -> Result<Organizations> {
    match path {
        Some(path) => Organizations::load(path),
        None if demo_data => Organizations::parse(demo::ORGS.as_bytes(), demo::ORGS_NAME),
        None => Ok(Organizations::default()),
    }
}

/// Checks the benchmarking flags against each other and loads the norms file.
fn benchmark_choice(
    bench: &Benchmarking,
    orgs: &Organizations,
    has_orgs: bool,
    instrument: &Instrument,
) -> Result<Option<Norms>> {
    if let Some(attribute) = &bench.peer_group {
        if !has_orgs {
            return Err(Error::Usage(
                "--peer-group needs --orgs: the attribute comes from the organizations file".into(),
            ));
        }
        if !orgs.attributes.iter().any(|a| a == attribute) {
            return Err(Error::Usage(format!(
                "--peer-group {attribute}: the organizations file has no such column (attributes: {})",
                orgs.attributes.join(", ")
            )));
        }
        if bench.norms.is_some() {
            return Err(Error::Usage(
                "--peer-group and --norms exclude each other: choose one population".into(),
            ));
        }
    }
    bench
        .norms
        .as_ref()
        .map(|path| Norms::load(path, instrument))
        .transpose()
}

fn warn_unlisted(analysis: &Analysis, common: &Common) {
    if !analysis.unlisted_orgs.is_empty() {
        warn(
            common,
            &format!(
                "{} organization(s) are not in the organizations file and are scored under their id without attributes: {}",
                analysis.unlisted_orgs.len(),
                analysis.unlisted_orgs.join(", ")
            ),
        );
    }
}

fn score(files: &[PathBuf], bench: &Benchmarking, out: &Path, common: &Common) -> Result<i32> {
    let instrument = load_instrument(common)?;
    let orgs = load_orgs(bench.orgs.as_deref(), false)?;
    let norms = benchmark_choice(bench, &orgs, bench.orgs.is_some(), &instrument)?;
    let clock = Stopwatch::start();
    let data = load_responses(&instrument, files, common, false)?;
    clock.lap("import");
    let benchmark = choose(bench, &orgs, norms.as_ref());
    let (analysis, written) = output::analyse_and_write(&instrument, &data, out, || {
        let analysis = Analysis::run(&instrument, &data, &orgs, &benchmark);
        clock.lap("analysis (respondent_scores.csv being written)");
        analysis
    })?;
    clock.lap("output");
    warn_unlisted(&analysis, common);
    if !common.quiet {
        eprintln!("wrote {} files to {}", written.len(), out.display());
    }
    println!("{}", data.reconciliation());
    Ok(0)
}

fn choose<'a>(
    bench: &'a Benchmarking,
    orgs: &'a Organizations,
    norms: Option<&'a Norms>,
) -> Benchmark<'a> {
    match (norms, &bench.peer_group) {
        (Some(norms), _) => Benchmark::Norms {
            norms,
            name: bench
                .norms
                .as_ref()
                .and_then(|p| p.file_name())
                .and_then(|n| n.to_str())
                .unwrap_or("norms"),
        },
        (None, Some(attribute)) => Benchmark::PeerGroup { attribute, orgs },
        (None, None) => Benchmark::Wave,
    }
}

fn report(
    files: &[PathBuf],
    bench: &Benchmarking,
    out: &Path,
    templates: Option<&Path>,
    deliverables: &crate::cli::Deliverables,
    common: &Common,
) -> Result<i32> {
    // A run asked for PDFs stops here, before any work, when there is no browser to print with.
    let extras = crate::report::Extras {
        pdf: match deliverables.pdf {
            true => Some(crate::report::PdfOptions {
                browser: crate::report::pdf::find_browser(deliverables.browser.as_deref())?,
                paper: deliverables.paper,
            }),
            false => None,
        },
        xlsx: deliverables.xlsx,
    };
    let instrument = load_instrument(common)?;
    let demo_data = files.is_empty();
    if demo_data && common.survey.is_some() {
        return Err(Error::Usage(
            "the demo data belongs to the bundled instrument; give response files for --survey"
                .into(),
        ));
    }
    let orgs = load_orgs(bench.orgs.as_deref(), demo_data)?;
    let has_orgs = bench.orgs.is_some() || demo_data;
    let norms = benchmark_choice(bench, &orgs, has_orgs, &instrument)?;
    // Item scores feed the per-item distributions of the pages.
    let data = load_responses(&instrument, files, common, true)?;
    let benchmark = choose(bench, &orgs, norms.as_ref());
    let analysis = Analysis::run(&instrument, &data, &orgs, &benchmark);
    warn_unlisted(&analysis, common);
    let pages = crate::report::write_with(&analysis, out, templates, common.quiet, &extras)?;
    if !common.quiet {
        eprintln!(
            "wrote {} organization report(s), the portfolio {} and the data files{}",
            pages,
            out.join("index.html").display(),
            match (extras.pdf.is_some(), extras.xlsx) {
                (true, true) => ", with a PDF of every page and data/results.xlsx",
                (true, false) => ", with a PDF of every page",
                (false, true) => ", with data/results.xlsx",
                (false, false) => "",
            }
        );
    }
    println!("{}", data.reconciliation());
    Ok(0)
}

fn validate(files: &[PathBuf], strict: bool, orgs: Option<&Path>, common: &Common) -> Result<i32> {
    let instrument = load_instrument(common)?;
    println!(
        "{}: instrument `{}` {} is valid ({} dimensions, {} items, {} outcomes)",
        common
            .survey
            .as_ref()
            .map_or(instrument::BUNDLED_NAME.to_string(), |p| p
                .display()
                .to_string()),
        instrument.id,
        instrument.version,
        instrument.dimensions.len(),
        instrument.scored_items().len(),
        instrument.outcome_items().len()
    );
    if let Some(path) = orgs {
        let orgs = Organizations::load(path)?;
        println!("{}: {} organizations", path.display(), orgs.entries.len());
    }
    if files.is_empty() {
        return Ok(0);
    }
    let data = responses::load_files(
        &instrument,
        files,
        LoadOptions {
            ignore_unknown_columns: common.ignore_unknown_columns,
            keep_items: false,
        },
    )?;
    for warning in &data.warnings {
        warn(common, warning);
    }
    for r in &data.rejects {
        let column = if r.column.is_empty() {
            String::new()
        } else {
            format!(" column `{}`:", r.column)
        };
        println!("{}:{}:{column} rejected: {}", r.file, r.line, r.reason);
    }
    println!("{}", data.reconciliation());
    Ok(if strict && !data.rejects.is_empty() {
        2
    } else {
        0
    })
}

fn norms(files: &[PathBuf], path: &Path, common: &Common) -> Result<i32> {
    let instrument = load_instrument(common)?;
    let data = load_responses(&instrument, files, common, false)?;
    let orgs = Organizations::default();
    let analysis = Analysis::run(&instrument, &data, &orgs, &Benchmark::Wave);
    let norms = Norms::build(
        &instrument,
        &data,
        &analysis.org_waves,
        &analysis.visibility,
        creation_time(),
    )?;
    let json = serde_json::to_vec_pretty(&norms)
        .map_err(|e| Error::Other(format!("cannot serialise the norms: {e}")))?;
    output::write_atomic(path, &json)?;
    if !common.quiet {
        eprintln!(
            "wrote {}: {} organizations, {} organization-waves, {} respondents, {} populations",
            path.display(),
            norms.organizations,
            norms.organization_waves,
            norms.respondents,
            norms.populations.len()
        );
    }
    println!("{}", data.reconciliation());
    Ok(0)
}

fn stats(
    files: &[PathBuf],
    orgs: Option<&Path>,
    by_wave: bool,
    out: &Path,
    common: &Common,
) -> Result<i32> {
    let instrument = load_instrument(common)?;
    let orgs = load_orgs(orgs, false)?;
    let data = load_responses(&instrument, files, common, true)?;
    let summary = crate::research::run(&instrument, &data, &orgs, by_wave, out)?;
    if !common.quiet {
        eprintln!("{summary}");
    }
    println!("{}", data.reconciliation());
    Ok(0)
}

fn simulate_files(
    plan: &simulate::Plan,
    path: &Path,
    orgs_path: Option<&Path>,
    common: &Common,
) -> Result<i32> {
    let instrument = load_instrument(common)?;
    if plan.organizations == 0 || plan.respondents == 0 || plan.waves == 0 {
        return Err(Error::Usage(
            "--organizations, --respondents and --waves must each be at least 1".into(),
        ));
    }
    let (responses, orgs) = simulate::simulate(&instrument, plan);
    output::write_atomic(path, responses.as_bytes())?;
    if let Some(orgs_path) = orgs_path {
        output::write_atomic(orgs_path, orgs.as_bytes())?;
    }
    if !common.quiet {
        eprintln!(
            "wrote {} ({} bytes) for {} organizations over {} wave(s)",
            path.display(),
            responses.len(),
            plan.organizations,
            plan.waves
        );
    }
    Ok(0)
}

/// Stage timings on stderr when `PARTNERSCOPE_TIMINGS` is set (for profiling; never in
/// outputs).
struct Stopwatch {
    start: Option<std::time::Instant>,
    last: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Stopwatch {
    fn start() -> Self {
        let now = std::env::var_os("PARTNERSCOPE_TIMINGS").map(|_| std::time::Instant::now());
        Stopwatch {
            start: now,
            last: std::sync::Mutex::new(now),
        }
    }

    fn lap(&self, stage: &str) {
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let (Some(start), Some(previous)) = (self.start, *last) {
            let now = std::time::Instant::now();
            eprintln!(
                "timing: {stage} {:.3} s (total {:.3} s)",
                (now - previous).as_secs_f64(),
                (now - start).as_secs_f64()
            );
            *last = Some(now);
        }
    }
}

/// Creation time for norms files: `SOURCE_DATE_EPOCH` when set, otherwise now (UTC, RFC 3339).
pub fn creation_time() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    rfc3339(seconds)
}

/// Civil date from days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn rfc3339(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        // 2026-11-24T15:00:00Z = 1_795_532_400 (date -u -d @1795532400)
        assert_eq!(super::rfc3339(1_795_532_400), "2026-11-24T15:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
