//! HTML reports (SPEC §8–§9): a portfolio page for the assessor, one self-contained page per
//! organization, and the data files, all under one output folder.
//!
//! The pipeline here is: figures from the [`Analysis`] → view models ([`view`]) with numbers
//! already formatted and charts already drawn ([`charts`]) → tera templates ([`templates`]).
//! Pages are rendered in parallel and written atomically; files in `orgs/` and `data/` that
//! this run did not write are removed, so the folder never mixes runs.
//!
//! On request the deliverables of SPEC §13 follow the pages: the data files as one workbook
//! ([`xlsx`]) and every page printed to PDF by a browser ([`pdf`]).

pub mod charts;
pub mod items;
pub mod pdf;
pub mod slug;
pub mod templates;
pub mod view;
pub mod xlsx;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::output;

/// What a run writes besides the pages and the data files.
#[derive(Debug, Default)]
pub struct Extras {
    /// Print every page to PDF with this browser.
    pub pdf: Option<PdfOptions>,
    /// Write `data/results.xlsx`.
    pub xlsx: bool,
}

#[derive(Debug)]
pub struct PdfOptions {
    pub browser: PathBuf,
    pub paper: pdf::Paper,
}

/// Writes `out/index.html`, `out/orgs/<slug>.html` and `out/data/…`; returns the number of
/// organization pages.
pub fn write(
    analysis: &Analysis,
    out: &Path,
    templates_dir: Option<&Path>,
    quiet: bool,
) -> Result<usize> {
    write_with(analysis, out, templates_dir, quiet, &Extras::default())
}

/// [`write`], plus the workbook and the PDFs that `extras` asks for.
pub fn write_with(
    analysis: &Analysis,
    out: &Path,
    templates_dir: Option<&Path>,
    quiet: bool,
    extras: &Extras,
) -> Result<usize> {
    let (tera, warnings) = templates::load(templates_dir)?;
    if !quiet {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
    let orgs_dir = out.join("orgs");
    let data_dir = out.join("data");
    for dir in [out, &orgs_dir, &data_dir] {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the folder", e))?;
    }
    let mut data_files = output::write_data(analysis, &data_dir)?;
    if extras.xlsx {
        xlsx::write(analysis.instrument, &data_dir)?;
        data_files.push(xlsx::FILE_NAME);
    }

    let by_org = analysis.reportable_by_org();
    let slugs = slug::slugs(by_org.iter().map(|list| analysis.org_id(list[0])));
    let figures = items::all_figures(analysis);
    // Population medians of item means, once per wave.
    let mut medians = std::collections::BTreeMap::new();
    for list in &by_org {
        let wave = analysis.org_waves[*list.last().expect("non-empty")].wave;
        medians
            .entry(wave)
            .or_insert_with(|| items::population_medians(analysis, &figures, wave));
    }

    let progress = progress_bar(by_org.len() as u64, quiet);
    let mut written: Vec<String> = by_org
        .par_iter()
        .map(|list| {
            let latest = *list.last().expect("non-empty");
            let org = analysis.org_id(latest);
            let slug = &slugs[org];
            let page = view::org_page(
                analysis,
                list,
                &figures[latest],
                &medians[&analysis.org_waves[latest].wave],
                "c-",
            );
            let html = templates::render(&tera, "org.html", &page)?;
            let name = format!("{slug}.html");
            output::write_atomic(&orgs_dir.join(&name), html.as_bytes())?;
            progress.inc(1);
            Ok(name)
        })
        .collect::<Result<_>>()?;
    progress.finish_and_clear();

    let latest: Vec<(usize, String)> = by_org
        .iter()
        .map(|list| {
            let i = *list.last().expect("non-empty");
            (i, slugs[analysis.org_id(i)].clone())
        })
        .collect();
    let hidden: Vec<usize> = (0..analysis.org_waves.len())
        .filter(|&i| !analysis.visibility[i].reportable)
        .collect();
    let portfolio = view::portfolio(analysis, &latest, &hidden, view::data_links(extras.xlsx));
    let html = templates::render(&tera, "portfolio.html", &portfolio)?;
    output::write_atomic(&out.join("index.html"), html.as_bytes())?;

    let pages = written.len();
    match &extras.pdf {
        Some(options) => {
            let html: Vec<PathBuf> = written.iter().map(|name| orgs_dir.join(name)).collect();
            written.extend(print_pdfs(out, &html, options, quiet)?);
        }
        None => remove_stale_file(&out.join("index.pdf"))?,
    }

    remove_stale(&orgs_dir, &written.iter().map(String::as_str).collect())?;
    remove_stale(&data_dir, &data_files.iter().copied().collect())?;
    Ok(pages)
}

/// Prints the organization pages and the portfolio with one browser: `orgs/<slug>.pdf` next to
/// each page, `index.pdf` next to `index.html`. Returns the names written in `orgs/`.
fn print_pdfs(
    out: &Path,
    pages: &[PathBuf],
    options: &PdfOptions,
    quiet: bool,
) -> Result<Vec<String>> {
    let mut printer = pdf::Printer::start(&options.browser, options.paper)?;
    let progress = progress_bar(pages.len() as u64 + 1, quiet);
    progress.set_message("printing PDFs");
    let mut names = Vec::with_capacity(pages.len());
    for page in pages {
        let target = page.with_extension("pdf");
        output::write_atomic(&target, &printer.print(page)?)?;
        if let Some(name) = target.file_name() {
            names.push(name.to_string_lossy().into_owned());
        }
        progress.inc(1);
    }
    output::write_atomic(
        &out.join("index.pdf"),
        &printer.print(&out.join("index.html"))?,
    )?;
    progress.finish_and_clear();
    Ok(names)
}

/// Removes one file left by an earlier run, if it is there.
fn remove_stale_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::io(path, "cannot remove a stale file", e))
        }
        _ => Ok(()),
    }
}

/// Removes files in `dir` that are not in `keep` (left over from earlier runs).
fn remove_stale(dir: &Path, keep: &BTreeSet<&str>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Error::io(dir, "cannot read the folder", e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && !keep.contains(name.to_string_lossy().as_ref()) {
            std::fs::remove_file(entry.path())
                .map_err(|e| Error::io(entry.path(), "cannot remove a stale file", e))?;
        }
    }
    Ok(())
}

/// A progress bar on stderr, hidden when stderr is not a terminal or with `--quiet`.
fn progress_bar(len: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} pages") {
        bar.set_style(style);
    }
    bar.set_message("writing reports");
    bar
}
