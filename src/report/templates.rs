//! Templates (placeholder).
use std::path::Path;
use crate::error::Result;
pub fn export(_dir: &Path) -> Result<()> { Ok(()) }
