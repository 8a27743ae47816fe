//! The data-files renderer (SPEC §9): tidy CSV for analysts and one JSON document, from the
//! analysis of a run. Rows follow the order SPEC §9 fixes, so files are byte-identical between
//! runs and thread counts.
//!
//! - [`number`]: how numbers are written, everywhere;
//! - [`file`]: one file written whole or not at all;
//! - `csv_writer`: the one CSV configuration (quoting, line ends, formula guard);
//! - `tables`: one function per table; [`scores_json`]: the JSON document.

pub mod comments;
mod csv_writer;
pub mod file;
pub mod number;
pub mod scores_json;
mod tables;

use std::path::Path;

pub use csv_writer::{guard, Cell, Table};
pub use file::{write_atomic, AtomicFile};
pub use number::{num, opt, push_num};
pub use scores_json::{ChangeJson, ShiftJson};
pub use tables::rejects as write_rejects;

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::instrument::Instrument;
use crate::renderer::Renderer;
use crate::responses::Dataset;

/// The data files, in the order [`write_data`] reports them.
const DATA_FILES: [&str; 7] = [
    "respondent_scores.csv",
    "org_scores.csv",
    "org_summary.csv",
    "perception_gaps.csv",
    "changes.csv",
    "rejects.csv",
    "scores.json",
];

/// The data-files renderer: every file of SPEC §9 but the pages, into one folder (`DIR` for
/// `score`, `DIR/data` for `report`).
pub struct DataFiles;

impl Renderer<Analysis<'_>> for DataFiles {
    /// The names of the files written.
    type Written = Vec<&'static str>;

    fn render(&self, analysis: &Analysis<'_>, dir: &Path) -> Result<Self::Written> {
        write_data(analysis, dir)
    }
}

/// Writes every data file into `dir` and returns their names.
fn write_data(analysis: &Analysis, dir: &Path) -> Result<Vec<&'static str>> {
    create_folder(dir)?;
    // The files are independent: write the large ones concurrently.
    let (respondents, rest) = rayon::join(
        || tables::respondent_scores(analysis.instrument, analysis.data, dir),
        || write_analysis_files(analysis, dir),
    );
    respondents?;
    rest?;
    Ok(data_files(analysis))
}

/// The data files a run writes: `breakdown_scores.csv` only where the instrument has
/// breakdowns, `response_rates.csv` only with a roster (SPEC §17), `comments.csv` last where
/// it has open questions (SPEC §16).
fn data_files(analysis: &Analysis) -> Vec<&'static str> {
    let mut files = DATA_FILES.to_vec();
    if !analysis.instrument.breakdowns.is_empty() {
        files.insert(2, BREAKDOWN_SCORES);
    }
    if analysis.participation.is_some() {
        files.insert(files.len() - 2, RESPONSE_RATES);
    }
    if !analysis.instrument.comments.is_empty() {
        files.push(comments::FILE_NAME);
    }
    files
}

const BREAKDOWN_SCORES: &str = "breakdown_scores.csv";
const RESPONSE_RATES: &str = "response_rates.csv";

/// Runs `analyse` while `respondent_scores.csv`, which needs only the import, is written; then
/// writes the other data files. Same files as [`write_data`], sooner on a large import.
pub fn analyse_and_write<'a>(
    instrument: &Instrument,
    data: &Dataset,
    dir: &Path,
    analyse: impl FnOnce() -> Analysis<'a> + Send,
) -> Result<(Analysis<'a>, Vec<&'static str>)> {
    create_folder(dir)?;
    let (analysis, respondents) =
        rayon::join(analyse, || tables::respondent_scores(instrument, data, dir));
    respondents?;
    write_analysis_files(&analysis, dir)?;
    let files = data_files(&analysis);
    Ok((analysis, files))
}

fn create_folder(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the folder", e))
}

/// Every data file but `respondent_scores.csv`.
fn write_analysis_files(analysis: &Analysis, dir: &Path) -> Result<()> {
    let (json, tables) = rayon::join(
        || scores_json::write_scores_json(analysis, &dir.join("scores.json")),
        || {
            tables::org_scores(analysis, &dir.join("org_scores.csv"))?;
            if !analysis.instrument.breakdowns.is_empty() {
                tables::breakdown_scores(analysis, &dir.join(BREAKDOWN_SCORES))?;
            }
            tables::org_summary(analysis, &dir.join("org_summary.csv"))?;
            tables::perception_gaps(analysis, &dir.join("perception_gaps.csv"))?;
            tables::changes(analysis, &dir.join("changes.csv"))?;
            comments::write(analysis, dir)?;
            if let Some(participation) = &analysis.participation {
                tables::response_rates(analysis, participation, &dir.join(RESPONSE_RATES))?;
            }
            tables::rejects(analysis.data, &dir.join("rejects.csv"))
        },
    );
    json?;
    tables
}
