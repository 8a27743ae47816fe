//! HTML reports (SPEC §8–§9): a portfolio page for the assessor, one self-contained page per
//! organization, and the data files, all under one output folder.
//!
//! The pipeline here is: figures from the [`Analysis`] → view models ([`view`]) with numbers
//! already formatted and charts already drawn ([`charts`]) → tera templates ([`templates`]).
//! Pages are rendered in parallel into the run's staging folder ([`crate::output_dir`]), which
//! is published as a whole, so the folder never mixes runs.
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

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::output;
use crate::renderer::Renderer;

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

/// The pages renderer: `index.html`, `orgs/<slug>.html` and the data files under `data/`,
/// plus the workbook and the PDFs that `extras` asks for. Returns the number of organization
/// pages.
pub struct Pages<'a> {
    pub templates_dir: Option<&'a Path>,
    /// `report --self-assessment` (SPEC §12): one organization's own answers.
    pub self_assessment: bool,
    pub quiet: bool,
    pub extras: &'a Extras,
}

impl Renderer<Analysis<'_>> for Pages<'_> {
    type Written = usize;

    fn render(&self, analysis: &Analysis<'_>, out: &Path) -> Result<usize> {
        write(analysis, out, self)
    }
}

fn write(analysis: &Analysis, out: &Path, options: &Pages) -> Result<usize> {
    let Pages {
        templates_dir,
        self_assessment,
        quiet,
        extras,
    } = *options;
    let (tera, warnings) = templates::load(templates_dir)?;
    if !quiet {
        for w in &warnings {
            crate::errln!("warning: {w}");
        }
    }
    let orgs_dir = out.join("orgs");
    let data_dir = out.join("data");
    for dir in [out, &orgs_dir, &data_dir] {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the folder", e))?;
    }
    output::DataFiles.render(analysis, &data_dir)?;
    if extras.xlsx {
        let names = |id: &str| analysis.orgs.display_name(id).to_string();
        xlsx::write(analysis.instrument, &names, &data_dir)?;
    }

    // Each organization's reported waves in wave order, with its latest one.
    let by_org: Vec<(usize, Vec<usize>)> = analysis
        .reportable_by_org()
        .into_iter()
        .filter_map(|list| Some((*list.last()?, list)))
        .collect();
    let slugs = slug::slugs(by_org.iter().map(|(latest, _)| analysis.org_id(*latest)));
    for collision in slug::collisions(&slugs).iter().filter(|_| !quiet) {
        crate::errln!("warning: {}", crate::terminal::escape(collision));
    }
    let figures = items::all_figures(analysis);
    // Population medians of item means, once per wave.
    let mut medians = std::collections::BTreeMap::new();
    for (latest, _) in &by_org {
        let wave = analysis.results[*latest].wave;
        medians
            .entry(wave)
            .or_insert_with(|| items::population_medians(analysis, &figures, wave));
    }

    let progress = progress_bar(by_org.len() as u64, quiet);
    let written: Vec<String> = by_org
        .par_iter()
        .map(|(latest, list)| {
            let latest = *latest;
            let slug = &slugs[analysis.org_id(latest)];
            let wave = analysis.results[latest].wave;
            let page = view::org_page(
                analysis,
                list,
                &figures[latest],
                &medians[&wave],
                "c-",
                self_assessment,
            );
            let name = format!("{slug}.html");
            if let Some(page) = page {
                let html = templates::render(&tera, "org.html", &page)?;
                output::write_atomic(&orgs_dir.join(&name), html.as_bytes())?;
            }
            progress.inc(1);
            Ok(name)
        })
        .collect::<Result<_>>()?;
    progress.finish_and_clear();

    let latest: Vec<(usize, String)> = by_org
        .iter()
        .map(|(latest, _)| (*latest, slugs[analysis.org_id(*latest)].clone()))
        .collect();
    let hidden: Vec<usize> = (0..analysis.results.len())
        .filter(|&i| analysis.results[i].reported().is_none())
        .collect();
    let mut links = view::data_links(
        extras.xlsx,
        !analysis.instrument.breakdowns.is_empty(),
        analysis.participation.is_some(),
    );
    if !analysis.instrument.comments.is_empty() {
        // The shown comments of open questions (SPEC §16), after the changes.
        let at = links
            .iter()
            .position(|l| l.href == "data/changes.csv")
            .map_or(links.len(), |p| p + 1);
        links.insert(
            at,
            view::DataLink {
                href: format!("data/{}", output::comments::FILE_NAME),
                what: "the comments shown on the pages, with their themes (no respondent id)"
                    .into(),
            },
        );
    }
    let portfolio = view::portfolio(analysis, &latest, &hidden, links, self_assessment);
    let html = templates::render(&tera, "portfolio.html", &portfolio)?;
    output::write_atomic(&out.join("index.html"), html.as_bytes())?;

    if let Some(options) = &extras.pdf {
        let pages: Vec<PathBuf> = written.iter().map(|name| orgs_dir.join(name)).collect();
        print_pdfs(out, &pages, options, quiet)?;
    }
    Ok(written.len())
}

/// Prints the organization pages and the portfolio with one browser: `orgs/<slug>.pdf` next to
/// each page, `index.pdf` next to `index.html`. Returns the names written in `orgs/`.
fn print_pdfs(
    out: &Path,
    pages: &[PathBuf],
    options: &PdfOptions,
    quiet: bool,
) -> Result<Vec<String>> {
    let mut printer = pdf::Printer::start(&options.browser, options.paper, out)?;
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
