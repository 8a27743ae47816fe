//! partnerscope scores partnership-maturity questionnaires and benchmarks organizations
//! against each other.
//!
//! Data flows one way through plain stages:
//!
//! ```text
//! YAML ─instrument::load─► Instrument (validated)
//! exports (CSV/XLSX/ODS, any survey tool) ─sources (format, profile, encoding)─►
//!     ─responses::load (parse + score::score_respondent, parallel)─► Dataset (+ rejects)
//! Dataset ─aggregate─► OrgWave groups ─confidential─► Visibility ─benchmark─► Standings
//!         ─compare─► perception gaps, wave changes        (all gathered in analysis::Analysis)
//! Analysis ─output─► CSV/JSON    ─report─► HTML pages with SVG charts
//! Dataset (+ item scores) ─research─► reliability, item diagnostics, correlations
//! ```
//!
//! Only `instrument::load` and `sources::profile` know YAML, only `responses` knows CSV input,
//! only `sources` knows workbooks and text encodings, only `report` knows tera and plotters.

pub mod aggregate;
pub mod aggregation;
pub mod analysis;
pub mod benchmark;
pub mod breakdowns;
pub mod cli;
pub mod commands;
pub mod comments;
pub mod compare;
pub mod confidential;
pub mod demo;
pub mod error;
pub mod instrument;
pub mod output;
pub mod output_dir;
pub mod questionnaire;
pub mod renderer;
pub mod report;
pub mod research;
pub mod responses;
pub mod results;
pub mod rng;
pub mod roster;
pub mod score;
pub mod simulate;
pub mod sources;
pub mod stats;
pub mod terminal;

pub use error::{Error, Result};
