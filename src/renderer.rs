//! Renderers: each turns a run's results into files in a folder, as mdBook's `Renderer` and
//! hyperfine's `Exporter` do. A renderer never decides where the folder is or what it may
//! replace: it writes into the staging folder [`crate::output_dir::OutputDir`] gives it.
//!
//! - [`crate::output::DataFiles`]: the data files of SPEC §9 (CSV and `scores.json`);
//! - [`crate::report::Pages`]: the portfolio and organization pages (and their PDF, workbook);
//! - [`crate::research::StatsFiles`]: the files and page of `stats`.

use std::path::Path;

use crate::error::Result;

pub trait Renderer<Results: ?Sized> {
    /// What the renderer reports back to its command (a count of pages, a summary …).
    type Written;

    fn render(&self, results: &Results, dir: &Path) -> Result<Self::Written>;
}
