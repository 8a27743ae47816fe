//! Research statistics (placeholder).
use std::path::Path;
use crate::error::Result;
use crate::instrument::Instrument;
use crate::responses::{Dataset, Organizations};
pub fn run(_i: &Instrument, _d: &Dataset, _o: &Organizations, _by_wave: bool, _out: &Path) -> Result<String> { Ok(String::new()) }
