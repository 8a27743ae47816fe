//! One function per command: wire the stages together and talk to the user.
//!
//! Messages: warnings and progress go to stderr; the reconciliation line
//! `read N rows: scored S, rejected R` ends every run that reads responses, on stdout.

use std::cmp::Reverse;
use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::benchmark::{Benchmark, Norms};
use crate::cli::{Benchmarking, Cli, Command, Common, OutputFlags, SourceArgs};
use crate::error::{Error, Result};
use crate::instrument::{self, Instrument};
use crate::output_dir::{self, InstrumentRef, OutputDir, Published};
use crate::renderer::Renderer;
use crate::responses::{self, Dataset, LoadOptions, Organizations, Source};
use crate::sources::{Encoding, Format, Reading};
use crate::{demo, outln, output, simulate, sources};

pub fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Report {
            files,
            bench,
            out,
            output,
            templates,
            self_assessment,
            sources,
            deliverables,
            common,
        } => report(
            &files,
            &bench,
            &out,
            &output,
            &Pages {
                templates: templates.as_deref(),
                self_assessment,
                deliverables: &deliverables,
            },
            &sources,
            &common,
        ),
        Command::Validate {
            files,
            strict,
            orgs,
            sources,
            common,
        } => validate(&files, strict, orgs.as_deref(), &sources, &common),
        Command::Score {
            files,
            bench,
            out,
            output,
            sources,
            common,
        } => score(&files, &bench, &out, &output, &sources, &common),
        Command::Norms {
            files,
            output,
            title,
            force,
            sources,
            common,
        } => norms(&files, &output, &title, force, &sources, &common),
        Command::Stats {
            files,
            orgs,
            by_wave,
            lavaan,
            out,
            output,
            sources,
            common,
        } => stats(
            &files,
            orgs.as_deref(),
            (by_wave, lavaan),
            &out,
            &output,
            &sources,
            &common,
        ),
        Command::Import {
            files,
            sources,
            output,
            force,
            common,
        } => import(&files, &sources, &output, force, &common),
        Command::Simulate {
            organizations,
            respondents,
            waves,
            seed,
            output,
            orgs_output,
            roster_output,
            force,
            common,
        } => {
            let plan = simulate::Plan {
                organizations,
                respondents,
                waves,
                seed,
            };
            simulate_files(
                &plan,
                &output,
                [orgs_output.as_deref(), roster_output.as_deref()],
                force,
                &common,
            )
        }
        Command::Questionnaire {
            org,
            role,
            wave,
            out,
            force,
            common,
        } => questionnaire(
            org.as_deref(),
            role.as_deref(),
            wave.as_deref(),
            &out,
            force,
            &common,
        ),
        Command::Templates { export, force } => {
            crate::report::templates::export(&export, force)?;
            outln!("wrote the built-in templates to {}", export.display());
            Ok(0)
        }
    }
}

/// Opens the output folder before any work (SPEC §14): refusals come first, and the run holds
/// the folder's lock until it has published. `files` and the profile are the responses read;
/// `others` the other inputs (organizations, norms, templates).
fn open_output<'a>(
    out: &Path,
    flags: &OutputFlags,
    common: &Common,
    files: &'a [PathBuf],
    sources_args: &'a SourceArgs,
    others: impl IntoIterator<Item = &'a Path>,
) -> Result<OutputDir> {
    let mut inputs: Vec<PathBuf> = files.to_vec();
    inputs.extend(sources_args.profile.iter().cloned());
    inputs.extend(others.into_iter().map(Path::to_path_buf));
    inputs.extend(common.survey.iter().cloned());
    OutputDir::open(
        out,
        &output_dir::Options {
            force: flags.force,
            no_wait: flags.no_wait,
            inputs,
            quiet: common.quiet,
        },
    )
}

/// `asked` says whether this run was asked for PDFs and the workbook, for the note on what of
/// the previous output it did not write again.
fn publish(
    dir: OutputDir,
    command: &str,
    instrument: &Instrument,
    common: &Common,
    asked: (bool, bool),
) -> Result<Published> {
    let published = dir.publish(
        command,
        InstrumentRef {
            id: instrument.id.clone(),
            version: instrument.version.to_string(),
        },
    )?;
    if published.in_place && !common.quiet {
        crate::errln!(
            "note: {} was updated in place, file by file (its other files are kept)",
            published.target.display()
        );
    }
    if let Some(note) = output_dir::not_in_this_one(&published.previous_only, asked.0, asked.1) {
        if !common.quiet {
            crate::errln!("note: {note}");
        }
    }
    Ok(published)
}

fn bench_inputs(bench: &Benchmarking) -> impl Iterator<Item = &Path> {
    bench
        .orgs
        .iter()
        .chain(&bench.norms)
        .chain(&bench.roster)
        .map(PathBuf::as_path)
}

/// Reads `--roster` (before any work, so a bad roster stops the run early).
fn load_roster(
    bench: &Benchmarking,
    instrument: &Instrument,
) -> Result<Option<crate::responses::Roster>> {
    bench
        .roster
        .as_deref()
        .map(|path| crate::responses::Roster::load(path, instrument))
        .transpose()
}

/// Response rates from the roster, with its warnings printed.
fn add_participation(
    analysis: &mut Analysis,
    roster: Option<&crate::responses::Roster>,
    bench: &Benchmarking,
    common: &Common,
) {
    if let Some(roster) = roster {
        let participation = crate::roster::participation(analysis, roster, bench.target_rate);
        print_capped(common, &participation.warnings);
        analysis.participation = Some(participation);
    }
}

/// At most 20 warnings, then how many more (SPEC §3).
fn print_capped(common: &Common, warnings: &[String]) {
    const MAX: usize = 20;
    for w in warnings.iter().take(MAX) {
        warn(common, w);
    }
    if warnings.len() > MAX {
        warn(
            common,
            &format!("… and {} more warnings like these", warnings.len() - MAX),
        );
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
        crate::errln!("warning: {}", crate::terminal::escape(message));
    }
}

/// How the files of this run are read (SPEC §11): the profile or `--format`, then the
/// command line's `--encoding`, `--org`, `--role` and `--wave` over it.
fn reading(instrument: &Instrument, args: &SourceArgs) -> Result<Reading> {
    let mut reading = match (&args.profile, &args.format) {
        (Some(profile), _) => sources::profile::load(profile, instrument)?,
        (None, Some(name)) => Reading::for_format(Format::from_name(name).ok_or_else(|| {
            Error::Usage(format!(
                "--format {name}: unknown format (formats: {})",
                Format::names()
            ))
        })?),
        (None, None) => Reading::for_format(Format::Csv),
    };
    if let Some(label) = &args.encoding {
        reading.encoding = Some(Encoding::for_label(label).ok_or_else(|| {
            Error::Usage(format!(
                "--encoding {label}: unknown encoding; use a name such as windows-1252, latin1, utf-16le or utf-8"
            ))
        })?);
    }
    refuse_file_as_org(args.org.as_deref())?;
    for (key, value) in [
        ("org", &args.org),
        ("role", &args.role),
        ("wave", &args.wave),
    ] {
        if let Some(value) = value {
            reading.override_field(key, value);
        }
    }
    Ok(reading)
}

/// `--org` sets one organization id for every row; a value that is a file (or reads like one)
/// was meant for `--orgs`, and would merge every client into one organization (SPEC §14).
fn refuse_file_as_org(org: Option<&str>) -> Result<()> {
    let Some(value) = org else { return Ok(()) };
    let lower = value.to_ascii_lowercase();
    if Path::new(value).is_file() || lower.ends_with(".csv") || lower.ends_with(".xlsx") {
        return Err(Error::Usage(format!(
            "--org {value}: --org gives every row this one organization id, and this reads like a file; did you mean --orgs? (--orgs FILE reads the organizations file)"
        )));
    }
    Ok(())
}

/// Prints the import's warnings: each at most [`responses::MAX_LISTED`] times in a row of the
/// same kind is not needed here, as the import already lists and counts.
fn warn_all(common: &Common, warnings: &[String]) {
    for warning in warnings {
        warn(common, warning);
    }
}

/// Reads the response files (or the demo data when `files` is empty and `demo_allowed`).
/// `rejects_at` is where this run lists rejected rows, named when there are any.
fn load_responses(
    instrument: &Instrument,
    files: &[PathBuf],
    sources_args: &SourceArgs,
    common: &Common,
    keep_items: bool,
    rejects_at: Option<&Path>,
) -> Result<Dataset> {
    let options = LoadOptions {
        ignore_unknown_columns: common.ignore_unknown_columns,
        keep_items,
        canonical: false,
    };
    let reading = reading(instrument, sources_args)?;
    let data = if files.is_empty() {
        let source = Source {
            name: demo::RESPONSES_NAME.to_string(),
            reader: Box::new(demo::RESPONSES.as_bytes()),
            size: Some(demo::RESPONSES.len() as u64),
        };
        responses::load(instrument, vec![source], options, &reading)?
    } else {
        responses::load_files(instrument, &sources::expand(files)?, options, &reading)?
    };
    warn_all(common, &data.warnings);
    if !data.rejects.is_empty() && !common.quiet {
        match rejects_at {
            Some(path) => crate::errln!(
                "{} row(s) rejected; each is listed with its reason in {}",
                data.rejects.len(),
                path.display()
            ),
            None => crate::errln!(
                "{} row(s) rejected; `partnerscope validate` with the same files lists each with its reason",
                data.rejects.len()
            ),
        }
    }
    Ok(data)
}

fn load_orgs(path: Option<&Path>, demo_data: bool, common: &Common) -> Result<Organizations> {
    let orgs = match path {
        Some(path) => Organizations::load(path)?,
        None if demo_data => Organizations::parse(demo::ORGS.as_bytes(), demo::ORGS_NAME)?,
        None => Organizations::default(),
    };
    if let Some(path) = path {
        for warning in orgs.lookalike_warnings(&path.display().to_string()) {
            warn(common, &warning);
        }
    }
    Ok(orgs)
}

/// Checks the benchmarking flags against each other and loads the norms file.
fn benchmark_choice(
    bench: &Benchmarking,
    orgs: &Organizations,
    has_orgs: bool,
    instrument: &Instrument,
    common: &Common,
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
    let norms = bench
        .norms
        .as_ref()
        .map(|path| Norms::load(path, instrument))
        .transpose()?;
    for warning in norms.iter().flat_map(|n| &n.warnings) {
        warn(common, warning);
    }
    Ok(norms)
}

fn warn_unlisted(analysis: &Analysis, common: &Common) {
    // An unlisted id that looks like a listed one is most likely that organization misspelt.
    for (org, listed, line) in analysis.orgs.lookalikes_of(&analysis.unlisted_orgs) {
        warn(
            common,
            &format!(
                "organization id {} of the responses is not in the organizations file, but looks like {} listed on its line {line}: they differ in invisible or look-alike characters; write the id the same way in both files",
                responses::lookalike_shown(org),
                responses::lookalike_shown(listed)
            ),
        );
    }
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

fn score(
    files: &[PathBuf],
    bench: &Benchmarking,
    out: &Path,
    flags: &OutputFlags,
    sources_args: &SourceArgs,
    common: &Common,
) -> Result<i32> {
    let dir = open_output(out, flags, common, files, sources_args, bench_inputs(bench))?;
    let instrument = load_instrument(common)?;
    let orgs = load_orgs(bench.orgs.as_deref(), false, common)?;
    let norms = benchmark_choice(bench, &orgs, bench.orgs.is_some(), &instrument, common)?;
    let roster = load_roster(bench, &instrument)?;
    let clock = Stopwatch::start();
    let data = load_responses(
        &instrument,
        files,
        sources_args,
        common,
        false,
        Some(&out.join("rejects.csv")),
    )?;
    clock.lap("import");
    let benchmark = choose(bench, &orgs, norms.as_ref());
    let (analysis, written) = output::analyse_and_write(&instrument, &data, dir.path(), || {
        let mut analysis = Analysis::run(&instrument, &data, &orgs, &benchmark);
        add_participation(&mut analysis, roster.as_ref(), bench, common);
        clock.lap("analysis (respondent_scores.csv being written)");
        analysis
    })
    .map_err(|e| dir.unpublished(e))?;
    let published = publish(dir, "score", &instrument, common, (false, false))?;
    clock.lap("output");
    warn_unlisted(&analysis, common);
    if !common.quiet {
        crate::errln!(
            "wrote {} data files and the manifest to {}",
            written.len(),
            published.target.display()
        );
    }
    outln!("{}", data.reconciliation());
    Ok(0)
}

fn choose<'a>(
    bench: &'a Benchmarking,
    orgs: &'a Organizations,
    norms: Option<&'a Norms>,
) -> Benchmark<'a> {
    match (norms, &bench.peer_group) {
        (Some(norms), _) => Benchmark::Norms { norms },
        (None, Some(attribute)) => Benchmark::PeerGroup { attribute, orgs },
        (None, None) => Benchmark::Wave,
    }
}

/// What `report` makes of its pages beyond the defaults.
struct Pages<'a> {
    templates: Option<&'a Path>,
    self_assessment: bool,
    deliverables: &'a crate::cli::Deliverables,
}

fn report(
    files: &[PathBuf],
    bench: &Benchmarking,
    out: &Path,
    flags: &OutputFlags,
    pages: &Pages,
    sources_args: &SourceArgs,
    common: &Common,
) -> Result<i32> {
    let Pages {
        templates,
        self_assessment,
        deliverables,
    } = *pages;
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
    let others = bench_inputs(bench).chain(templates);
    let dir = open_output(out, flags, common, files, sources_args, others)?;
    let mut instrument = load_instrument(common)?;
    if self_assessment {
        // SPEC §12: one organization's own answers are shown even when only one person gave
        // them; `refuse_several_orgs` keeps this from exposing anyone in a multi-org run.
        instrument.anonymity_threshold = 1;
        instrument.comment_threshold = 1;
    }
    let demo_data = files.is_empty();
    if demo_data && common.survey.is_some() {
        return Err(Error::Usage(
            "the demo data belongs to the bundled instrument; give response files for --survey"
                .into(),
        ));
    }
    let orgs = load_orgs(bench.orgs.as_deref(), demo_data, common)?;
    let has_orgs = bench.orgs.is_some() || demo_data;
    let norms = benchmark_choice(bench, &orgs, has_orgs, &instrument, common)?;
    let roster = match load_roster(bench, &instrument)? {
        // The demo data comes with its roster, so the first run shows response rates.
        None if demo_data => Some(crate::responses::Roster::parse(
            demo::ROSTER.as_bytes(),
            demo::ROSTER_NAME,
            &instrument,
        )?),
        roster => roster,
    };
    let clock = Stopwatch::start();
    // Item scores feed the per-item distributions of the pages.
    let rejects_at = out.join("data").join("rejects.csv");
    let data = load_responses(
        &instrument,
        files,
        sources_args,
        common,
        true,
        Some(&rejects_at),
    )?;
    if self_assessment {
        refuse_several_orgs(&data)?;
        refuse_large_self_assessment(&data, instrument.part_threshold)?;
    }
    clock.lap("import");
    let benchmark = choose(bench, &orgs, norms.as_ref());
    let mut analysis = Analysis::run(&instrument, &data, &orgs, &benchmark);
    add_participation(&mut analysis, roster.as_ref(), bench, common);
    clock.lap("analysis");
    warn_unlisted(&analysis, common);
    let pages = crate::report::Pages {
        templates_dir: templates,
        self_assessment,
        quiet: common.quiet,
        extras: &extras,
    }
    .render(&analysis, dir.path())
    .map_err(|e| dir.unpublished(e))?;
    clock.lap("data files and pages");
    let asked = (extras.pdf.is_some(), extras.xlsx);
    let published = publish(dir, "report", &instrument, common, asked)?;
    clock.lap("publishing");
    if !common.quiet && pages > 0 && self_assessment {
        // One organization's own page: name it, not the assessor's portfolio.
        crate::errln!(
            "wrote your self-assessment {}",
            own_page(&published.target.join("orgs")).display()
        );
    } else if !common.quiet && pages > 0 {
        crate::errln!(
            "wrote {} organization report(s), the portfolio {} and the data files{}",
            pages,
            published.target.join("index.html").display(),
            match (extras.pdf.is_some(), extras.xlsx) {
                (true, true) => ", with a PDF of every page and data/results.xlsx",
                (true, false) => ", with a PDF of every page",
                (false, true) => ", with data/results.xlsx",
                (false, false) => "",
            }
        );
    }
    outln!("{}", data.reconciliation());
    if pages == 0 {
        // The user asked for reports and got none: say why, and fail (SPEC §12).
        crate::errln!(
            "error: {}",
            no_page_reason(&data, instrument.anonymity_threshold, &rejects_at)
        );
        return Ok(2);
    }
    Ok(0)
}

/// Why a run wrote no organization page, and what to do about it.
/// The one organization page of a self-assessment (`orgs/<slug>.html`), or the folder.
fn own_page(orgs: &std::path::Path) -> std::path::PathBuf {
    std::fs::read_dir(orgs)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "html"))
        .unwrap_or_else(|| orgs.to_path_buf())
}

fn no_page_reason(data: &Dataset, threshold: usize, rejects_at: &Path) -> String {
    if data.rows_scored() == 0 && !data.rejects.is_empty() {
        format!(
            "no organization page was written: every row was rejected; see {}",
            rejects_at.display()
        )
    } else if data.rows_scored() == 0 && data.rows_filtered > 0 {
        format!(
            "no organization page was written: every row was filtered ({})",
            data.filter_why()
        )
    } else if data.rows_scored() == 0 {
        "no organization page was written: the response files hold no rows".to_string()
    } else {
        format!(
            "no organization page was written: no organization has {threshold} or more accepted responses; for one person's self-assessment use --self-assessment"
        )
    }
}

/// A self-assessment shows the answers of the whole organization at threshold 1 but keeps T for
/// its roles; with more than T answers in a wave, one colleague's scores would show beside a
/// group of others (SPEC §15), so such a run is refused: it is an assessment, not a
/// self-assessment.
fn refuse_large_self_assessment(data: &Dataset, threshold: usize) -> Result<()> {
    let mut per_wave = vec![0usize; data.waves.len()];
    for &wave in &data.respondents.wave {
        per_wave[wave as usize] += 1;
    }
    match per_wave.iter().enumerate().max_by_key(|&(w, &n)| (n, Reverse(w))) {
        Some((wave, &n)) if n > threshold => Err(Error::Usage(format!(
            "--self-assessment is for one person's or a few colleagues' answers, but wave {} holds {n} accepted responses, more than the anonymity threshold of {threshold}; run report without --self-assessment, which shows the organization's figures and hides every group smaller than {threshold}",
            data.waves[wave]
        ))),
        _ => Ok(()),
    }
}

/// A self-assessment shows every answer (threshold 1), so it may cover one organization only.
fn refuse_several_orgs(data: &Dataset) -> Result<()> {
    let mut present: Vec<u32> = data.respondents.org.clone();
    present.sort_unstable();
    present.dedup();
    if present.len() <= 1 {
        return Ok(());
    }
    let mut names: Vec<&str> = present
        .iter()
        .map(|&o| data.orgs[o as usize].as_str())
        .collect();
    names.sort_unstable();
    let shown = names.len().min(5);
    Err(Error::Usage(format!(
        "--self-assessment is for one organization's own answers, but the responses hold {} organizations ({}{}); with a threshold of 1 their pages would show individual answers. Give only your organization's file(s), or leave out --self-assessment",
        names.len(),
        names[..shown].join(", "),
        if names.len() > shown { ", …" } else { "" }
    )))
}

fn questionnaire(
    org: Option<&str>,
    role: Option<&str>,
    wave: Option<&str>,
    out: &Path,
    force: bool,
    common: &Common,
) -> Result<i32> {
    refuse_file_as_org(org)?;
    let instrument = load_instrument(common)?;
    let month = creation_time()[..7].to_string();
    let options =
        crate::questionnaire::options(&instrument, org, role, wave.unwrap_or(&month), force)?;
    let paths = crate::questionnaire::write(&instrument, &options, out)?;
    if !common.quiet {
        for path in &paths {
            crate::errln!("wrote {}", path.display());
        }
        crate::errln!(
            "send form.html to each respondent (it works offline in any browser); put the files they send back in one folder and run `partnerscope report FOLDER/*.csv`"
        );
    }
    Ok(0)
}

fn validate(
    files: &[PathBuf],
    strict: bool,
    orgs: Option<&Path>,
    sources_args: &SourceArgs,
    common: &Common,
) -> Result<i32> {
    let instrument = load_instrument(common)?;
    outln!(
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
        let orgs = load_orgs(Some(path), false, common)?;
        outln!("{}: {} organizations", path.display(), orgs.entries.len());
    }
    if files.is_empty() {
        return Ok(0);
    }
    let data = responses::load_files(
        &instrument,
        &sources::expand(files)?,
        LoadOptions {
            ignore_unknown_columns: common.ignore_unknown_columns,
            keep_items: false,
            canonical: false,
        },
        &reading(&instrument, sources_args)?,
    )?;
    warn_all(common, &data.warnings);
    // SPEC §12: `validate` lists rejected rows on the terminal, the first 20, then a count.
    const SHOWN_REJECTS: usize = 20;
    for r in data.rejects.iter().take(SHOWN_REJECTS) {
        let column = if r.column.is_empty() {
            String::new()
        } else {
            format!(" column `{}`:", r.column)
        };
        outln!("{}:{}:{column} rejected: {}", r.file, r.line, r.reason);
    }
    if data.rejects.len() > SHOWN_REJECTS {
        outln!(
            "… and {} more rejected rows",
            data.rejects.len() - SHOWN_REJECTS
        );
    }
    outln!("{}", data.reconciliation());
    // SPEC §16: an answer to a question that was not asked makes `--strict` fail too.
    Ok(
        if strict && (!data.rejects.is_empty() || !data.unasked.is_empty()) {
            2
        } else {
            0
        },
    )
}

fn norms(
    files: &[PathBuf],
    path: &Path,
    title: &str,
    force: bool,
    sources_args: &SourceArgs,
    common: &Common,
) -> Result<i32> {
    let mut inputs = files.to_vec();
    inputs.extend(common.survey.iter().cloned());
    inputs.extend(sources_args.profile.iter().cloned());
    output_dir::check_single_file(path, &inputs, force, |head| {
        serde_json::from_slice::<serde_json::Value>(head)
            .ok()
            .and_then(|v| {
                v.get("format")?
                    .as_str()
                    .map(|f| f == crate::benchmark::NORMS_FORMAT)
            })
            .unwrap_or(false)
    })?;
    if title.trim().is_empty() {
        return Err(Error::Usage(
            "--title is empty: give the name the pages should use for these norms, e.g. --title \"earlier assessments\"".into(),
        ));
    }
    let instrument = load_instrument(common)?;
    let data = load_responses(&instrument, files, sources_args, common, false, None)?;
    let orgs = Organizations::default();
    let analysis = Analysis::run(&instrument, &data, &orgs, &Benchmark::Wave);
    let norms = Norms::build(
        &instrument,
        &data,
        &analysis.results,
        creation_time(),
        title.trim().to_string(),
    )?;
    let json = serde_json::to_vec_pretty(&norms)
        .map_err(|e| Error::Other(format!("cannot serialise the norms: {e}")))?;
    output::write_atomic(path, &json)?;
    if !common.quiet {
        crate::errln!(
            "wrote {}: {} organizations, {} organization-waves, {} respondents, {} populations",
            path.display(),
            norms.organizations,
            norms.organization_waves,
            norms.respondents,
            norms.populations.len()
        );
    }
    outln!("{}", data.reconciliation());
    Ok(0)
}

fn stats(
    files: &[PathBuf],
    orgs: Option<&Path>,
    (by_wave, lavaan): (bool, bool),
    out: &Path,
    flags: &OutputFlags,
    sources_args: &SourceArgs,
    common: &Common,
) -> Result<i32> {
    let dir = open_output(out, flags, common, files, sources_args, orgs)?;
    let instrument = load_instrument(common)?;
    let orgs = load_orgs(orgs, false, common)?;
    let data = load_responses(
        &instrument,
        files,
        sources_args,
        common,
        true,
        Some(&out.join("rejects.csv")),
    )?;
    let results = crate::research::analyse(&instrument, &data, &orgs, by_wave)?;
    let summary = crate::research::StatsFiles { lavaan }
        .render(&results, dir.path())
        .map_err(|e| dir.unpublished(e))?;
    // The summary names the staging folder it was written in: name the published one.
    let staging = dir.path().display().to_string();
    let published = publish(dir, "stats", &instrument, common, (false, false))?;
    if !common.quiet {
        crate::errln!(
            "{}",
            summary.replace(&staging, &published.target.display().to_string())
        );
    }
    outln!("{}", data.reconciliation());
    Ok(0)
}

/// `import`: the files as one canonical response CSV (SPEC §11), rejects beside it.
fn import(
    files: &[PathBuf],
    sources_args: &SourceArgs,
    output: &Path,
    force: bool,
    common: &Common,
) -> Result<i32> {
    let instrument = load_instrument(common)?;
    let reading = reading(&instrument, sources_args)?;
    let files = sources::expand(files)?;
    responses::canonical::check_target(output, &files, force)?;
    let options = LoadOptions {
        ignore_unknown_columns: common.ignore_unknown_columns,
        keep_items: false,
        canonical: true,
    };
    let data = responses::load_files(&instrument, &files, options, &reading)?;
    warn_all(common, &data.warnings);
    responses::canonical::write(&instrument, &data, output, &files, force)?;
    if !common.quiet {
        crate::errln!(
            "wrote {} ({} respondents)",
            output.display(),
            data.rows_scored()
        );
        if !data.rejects.is_empty() {
            crate::errln!(
                "{} row(s) rejected; each is listed with its reason in {}",
                data.rejects.len(),
                responses::canonical::rejects_path(output).display()
            );
        }
    }
    outln!("{}", data.reconciliation());
    Ok(0)
}

fn simulate_files(
    plan: &simulate::Plan,
    path: &Path,
    [orgs_path, roster_path]: [Option<&Path>; 2],
    force: bool,
    common: &Common,
) -> Result<i32> {
    let inputs: Vec<PathBuf> = common.survey.iter().cloned().collect();
    for target in std::iter::once(path).chain(orgs_path).chain(roster_path) {
        output_dir::check_single_file(target, &inputs, force, |_| false)?;
    }
    let instrument = load_instrument(common)?;
    let written = simulate::write(&instrument, plan, path, orgs_path, roster_path)?;
    if !common.quiet {
        crate::errln!(
            "wrote {} ({} bytes) for {} organizations over {} wave(s)",
            path.display(),
            written.bytes,
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
            crate::errln!(
                "timing: {stage} {:.3} s (total {:.3} s){}",
                (now - previous).as_secs_f64(),
                (now - start).as_secs_f64(),
                peak_memory().map_or(String::new(), |m| format!(", peak memory {m}"))
            );
            *last = Some(now);
        }
    }
}

/// The process's peak resident memory so far (`VmHWM` on Linux), for the stage timings.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{} MiB", kib / 1024))
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
