//! Breakdowns inside an organization (SPEC §17): for every organization-wave, one group per
//! unit (an option of a breakdown, such as the `north` of `region`) with at least one row, with
//! n, mean, sd and 95% CI per measure exactly as a role group has them.
//!
//! Units are parts of a partition of the organization-wave, as roles are: what of them may be
//! shown is decided with the roles and `all` in [`crate::confidential`], where respondents who
//! gave no value are one more part that is never shown. Nothing here decides visibility, and
//! role × unit intersections are never computed.

use crate::aggregate;
use crate::instrument::Instrument;
use crate::responses::Dataset;
use crate::results::{Figure, Measure};
use crate::stats::Summary;

/// One unit of one breakdown in one organization-wave.
#[derive(Debug, Clone)]
pub struct UnitStats {
    /// Position of the breakdown in the instrument.
    pub breakdown: usize,
    /// Position of the unit among the breakdown's options.
    pub unit: usize,
    /// Accepted rows in the unit.
    pub rows: usize,
    /// One summary per measure: dimensions in instrument order, then the index.
    pub measures: Vec<Summary>,
}

/// The rows of `rows` (in order) in each unit of breakdown `b`: index 0 holds the rows that
/// gave no value, index `u + 1` those of option `u`.
pub fn members(instrument: &Instrument, data: &Dataset, rows: &[u32], b: usize) -> Vec<Vec<u32>> {
    let breakdowns = instrument.breakdowns.len();
    let mut parts = vec![Vec::new(); instrument.breakdowns[b].options.len() + 1];
    for &row in rows {
        let unit = data.respondents.unit(row as usize, b, breakdowns);
        parts[usize::from(unit)].push(row);
    }
    parts
}

/// Every unit with at least one row, breakdowns in instrument order, units in option order.
pub fn unit_stats(
    instrument: &Instrument,
    data: &Dataset,
    rows: &[u32],
    t975: &[f64],
) -> Vec<UnitStats> {
    let mut out = Vec::new();
    for b in 0..instrument.breakdowns.len() {
        for (u, members) in members(instrument, data, rows, b)
            .into_iter()
            .enumerate()
            .skip(1)
        {
            if members.is_empty() {
                continue;
            }
            out.push(UnitStats {
                breakdown: b,
                unit: u - 1,
                rows: members.len(),
                measures: aggregate::summaries(instrument, data, &members, t975),
            });
        }
    }
    out
}

/// One unit of a reported organization-wave: a figure per measure, shown or suppressed.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitResult {
    pub breakdown: usize,
    pub unit: usize,
    /// Accepted rows in the unit.
    pub rows: usize,
    /// One figure per measure, in [`Measure::all`] order.
    pub figures: Vec<Figure>,
}

impl UnitResult {
    pub fn figure(&self, measure: Measure) -> &Figure {
        &self.figures[measure.slot(self.figures.len() - 1)]
    }

    /// Every measure with its figure, in output order.
    pub fn figures(&self) -> impl Iterator<Item = (Measure, &Figure)> {
        let d = self.figures.len() - 1;
        self.figures
            .iter()
            .enumerate()
            .map(move |(slot, f)| (Measure::from_slot(slot, d), f))
    }

    /// `region`, `north`: the breakdown's and the unit's ids.
    pub fn ids<'a>(&self, instrument: &'a Instrument) -> (&'a str, &'a str) {
        let breakdown = &instrument.breakdowns[self.breakdown];
        (&breakdown.id, &breakdown.options[self.unit].id)
    }
}
