//! HTML reports (placeholder while the pages are built).
pub mod templates;
use std::path::Path;
use crate::analysis::Analysis;
use crate::error::Result;
pub fn write(analysis: &Analysis, out: &Path, _templates: Option<&Path>, _quiet: bool) -> Result<usize> {
    crate::output::write_data(analysis, &out.join("data"))?;
    Ok(0)
}
