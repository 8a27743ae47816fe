//! The command line (SPEC §8): clap derive only. Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Score partnership-maturity questionnaires and benchmark organizations against each other.
#[derive(Debug, Parser)]
#[command(name = "partnerscope", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct Common {
    /// Instrument file (YAML). Default: the bundled HR–Sales partnership instrument.
    #[arg(long, value_name = "FILE", global = true)]
    pub survey: Option<PathBuf>,
    /// Treat response columns that are not items of the instrument as a warning, not an error.
    #[arg(long, global = true)]
    pub ignore_unknown_columns: bool,
    /// Print only errors and the final reconciliation line.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// How response files are read (SPEC §11): a survey tool's export through a source profile or
/// a format's preset, and the fields its files lack.
#[derive(Debug, Args, Clone, Default)]
pub struct SourceArgs {
    /// Source profile (YAML): the survey tool's format and what its export cannot say
    /// (organization, role, wave, column names, coded answers).
    #[arg(long, value_name = "FILE", conflicts_with = "format")]
    pub profile: Option<PathBuf>,
    /// The survey tool that exported the files: csv (default), qualtrics, google-forms,
    /// ms-forms, surveymonkey, limesurvey, kobo, odk.
    #[arg(long, value_name = "NAME")]
    pub format: Option<String>,
    /// The organization of every row (files without an organization column).
    #[arg(long, value_name = "VALUE")]
    pub org: Option<String>,
    /// The role of every row: a role id or label of the instrument.
    #[arg(long, value_name = "VALUE")]
    pub role: Option<String>,
    /// The wave of every row (default: a `wave` column, or the file's name).
    #[arg(long, value_name = "VALUE")]
    pub wave: Option<String>,
    /// Text encoding of the files, e.g. windows-1252 (default: UTF-8, or UTF-16 by its
    /// byte-order mark).
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
}

#[derive(Debug, Args, Clone)]
pub struct Benchmarking {
    /// Organizations file (CSV with `org`, optional `name`, attribute columns).
    #[arg(long, value_name = "FILE")]
    pub orgs: Option<PathBuf>,
    /// Benchmark against a norms file (see `partnerscope norms`) instead of the wave.
    #[arg(long, value_name = "FILE")]
    pub norms: Option<PathBuf>,
    /// Compare each organization with those sharing its value of this attribute of --orgs.
    #[arg(long, value_name = "ATTR")]
    pub peer_group: Option<String>,
    /// Roster of invitations (CSV: org, optional wave, role and breakdown columns, invited):
    /// response rates per organization-wave, role and breakdown unit.
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// Response rate below which the portfolio lists an organization (with --roster).
    #[arg(long, value_name = "SHARE", default_value_t = crate::roster::DEFAULT_TARGET, value_parser = target_rate)]
    pub target_rate: f64,
}

/// A share between 0 and 1 (`0.6`), or a percentage (`60%`).
fn target_rate(text: &str) -> Result<f64, String> {
    let (number, scale) = match text.trim().strip_suffix('%') {
        Some(pct) => (pct, 100.0),
        None => (text.trim(), 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=1.0).contains(&(x / scale)) => Ok(x / scale),
        _ => Err(format!(
            "`{text}` is not a share between 0 and 1 (such as 0.6) or a percentage (60%)"
        )),
    }
}

/// How a command treats its output folder (SPEC §14).
#[derive(Debug, Args, Clone, Default)]
pub struct OutputFlags {
    /// Write into a folder that holds files partnerscope did not write: the run's files are
    /// placed beside them, and they are kept.
    #[arg(long)]
    pub force: bool,
    /// Stop with exit code 1 instead of waiting when another run is writing the same folder.
    #[arg(long)]
    pub no_wait: bool,
}

/// What `report` writes besides the pages and data files (SPEC §13).
#[derive(Debug, Args, Clone)]
pub struct Deliverables {
    /// Also print every page to PDF (orgs/<slug>.pdf and index.pdf) with Chromium or Chrome.
    #[arg(long)]
    pub pdf: bool,
    /// The browser executable --pdf prints with. Default: the first of chromium,
    /// chromium-browser, google-chrome… found on PATH.
    #[arg(long, value_name = "PATH", requires = "pdf")]
    pub browser: Option<PathBuf>,
    /// Paper size of the PDFs.
    #[arg(long, value_enum, default_value = "a4", requires = "pdf")]
    pub paper: crate::report::pdf::Paper,
    /// Also write data/results.xlsx: every data file as a sheet of one Excel workbook.
    #[arg(long)]
    pub xlsx: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The main job: validate, score, benchmark and write HTML reports plus data files.
    /// With no response files it runs on the bundled demo data.
    Report {
        /// Response files (CSV, .xlsx, .ods, or folders of them). None: the bundled demo data.
        files: Vec<PathBuf>,
        #[command(flatten)]
        bench: Benchmarking,
        /// Output folder.
        #[arg(long, short, default_value = "reports", value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        output: OutputFlags,
        /// Folder whose templates replace the built-in ones of the same file name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// One organization's own answers (even one person's): the anonymity threshold is 1
        /// for this run and the page speaks of "your answers". Refused for several
        /// organizations.
        #[arg(long)]
        self_assessment: bool,
        #[command(flatten)]
        sources: SourceArgs,
        #[command(flatten)]
        deliverables: Deliverables,
        #[command(flatten)]
        common: Common,
    },
    /// Check the instrument and response files; report every problem and write nothing.
    Validate {
        /// Response files (CSV, .xlsx, .ods, or folders of them). None: check the instrument
        /// only.
        files: Vec<PathBuf>,
        /// Exit with code 2 when any row would be rejected, or any answer given to a question
        /// that was not asked (`show_if`) would be ignored.
        #[arg(long)]
        strict: bool,
        /// Organizations file to check as well.
        #[arg(long, value_name = "FILE")]
        orgs: Option<PathBuf>,
        #[command(flatten)]
        sources: SourceArgs,
        #[command(flatten)]
        common: Common,
    },
    /// Write only the data files (CSV and JSON) into the output folder.
    Score {
        /// Response files (CSV, .xlsx, .ods, or folders of them).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        bench: Benchmarking,
        /// Output folder.
        #[arg(long, short, default_value = "results", value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        output: OutputFlags,
        #[command(flatten)]
        sources: SourceArgs,
        #[command(flatten)]
        common: Common,
    },
    /// Build a norms file: the population of organization scores, without organization ids.
    Norms {
        /// Response files (CSV, .xlsx, .ods, or folders of them).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Where to write the norms file.
        #[arg(long, short, value_name = "FILE")]
        output: PathBuf,
        /// What the pages benchmarked against these norms call them, e.g. "Retail clients
        /// 2024–2025" (default: "earlier assessments").
        #[arg(long, value_name = "TEXT", default_value = crate::benchmark::DEFAULT_TITLE)]
        title: String,
        /// Replace an existing file that is not a partnerscope norms file.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        sources: SourceArgs,
        #[command(flatten)]
        common: Common,
    },
    /// Research statistics: reliability, item diagnostics, correlations, wave change.
    Stats {
        /// Response files (CSV, .xlsx, .ods, or folders of them).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Organizations file (display names).
        #[arg(long, value_name = "FILE")]
        orgs: Option<PathBuf>,
        /// Also compute reliability per wave.
        #[arg(long)]
        by_wave: bool,
        /// Also write invariance.R and items_wide.csv: a lavaan/semTools script testing
        /// measurement invariance across waves or roles, and the item scores it reads.
        #[arg(long)]
        lavaan: bool,
        /// Output folder.
        #[arg(long, short, default_value = "stats", value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        output: OutputFlags,
        #[command(flatten)]
        sources: SourceArgs,
        #[command(flatten)]
        common: Common,
    },
    /// Write realistic synthetic responses for the instrument.
    Simulate {
        /// Number of organizations.
        #[arg(long, default_value_t = 20)]
        organizations: usize,
        /// Average respondents per organization and wave.
        #[arg(long, default_value_t = 30)]
        respondents: usize,
        /// Number of waves.
        #[arg(long, default_value_t = 2)]
        waves: usize,
        /// Random seed; the same seed gives the same file.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the responses (CSV).
        #[arg(long, short, value_name = "FILE")]
        output: PathBuf,
        /// Also write an organizations file with names and attributes.
        #[arg(long, value_name = "FILE")]
        orgs_output: Option<PathBuf>,
        /// Also write a roster (org, wave, role, invited) to use with --roster.
        #[arg(long, value_name = "FILE")]
        roster_output: Option<PathBuf>,
        /// Replace existing files (a CSV cannot say that partnerscope wrote it).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Write the offline answer form (form.html), a spreadsheet template (template.csv) and a
    /// printable questionnaire (questionnaire.html) for the instrument.
    Questionnaire {
        /// Organization fixed in the form; without it each respondent types it.
        #[arg(long, value_name = "NAME")]
        org: Option<String>,
        /// Role fixed in the form (id or label); without it each respondent picks one.
        #[arg(long, value_name = "ROLE")]
        role: Option<String>,
        /// Wave written into every saved answer. Default: the month the form is made,
        /// YYYY-MM (from SOURCE_DATE_EPOCH when set).
        #[arg(long, value_name = "W")]
        wave: Option<String>,
        /// Output folder.
        #[arg(long, short, default_value = "questionnaire", value_name = "DIR")]
        out: PathBuf,
        /// Replace files that already exist in the output folder.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Read survey-tool exports (or any response files) and write them as one response CSV in
    /// partnerscope's own layout, for inspection; rejected rows go to `<FILE>.rejects.csv`.
    Import {
        /// Exports or response files (CSV, .xlsx, .ods, or folders of them).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        sources: SourceArgs,
        /// Where to write the responses (CSV).
        #[arg(long, short, value_name = "FILE")]
        output: PathBuf,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Work with the report templates.
    Templates {
        /// Write the built-in templates into this folder as a starting point.
        #[arg(long, value_name = "DIR")]
        export: PathBuf,
        /// Overwrite templates that already exist in the folder.
        #[arg(long)]
        force: bool,
    },
}
