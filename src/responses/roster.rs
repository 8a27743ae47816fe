//! The roster file (`--roster`, SPEC §17): how many people were invited, per organization and
//! optionally per wave, role and breakdown unit. Read as the organizations file is read
//! ([`super::pieces`]), so lines are counted the same way; every problem is collected and
//! named by file, line and column.
//!
//! Each row counts a distinct set of invited people: an organization-wave's invitations are
//! the sum of its rows, a role's the sum of the rows naming it, a unit's likewise. What the
//! invitations are compared with is [`crate::roster`]'s.

use std::path::Path;

use super::pieces::{self, Piece, Scratch, Splitter};
use super::text::quoted;
use crate::error::{Diagnostic, Error, Location, Result};
use crate::instrument::Instrument;

/// One row of the roster.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRow {
    pub line: u64,
    pub org: String,
    /// `None`: every wave of the organization.
    pub wave: Option<String>,
    pub role: Option<usize>,
    /// Per breakdown of the instrument: the option the row names, if any.
    pub units: Vec<Option<usize>>,
    pub invited: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Roster {
    /// The file as messages name it.
    pub file: String,
    pub rows: Vec<RosterRow>,
}

/// What a roster column holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Col {
    Org,
    Wave,
    Role,
    Breakdown(usize),
    Invited,
}

impl Roster {
    pub fn load(path: &Path, instrument: &Instrument) -> Result<Roster> {
        let file =
            std::fs::File::open(path).map_err(|e| Error::io(path, "cannot read the roster", e))?;
        Self::parse(file, &path.display().to_string(), instrument)
    }

    pub fn parse(
        reader: impl std::io::Read,
        name: &str,
        instrument: &Instrument,
    ) -> Result<Roster> {
        let io = |e| super::loader::read_error(name, "cannot read the roster", e);
        let mut splitter = Splitter::new(reader);
        let header = super::orgs::header_cells(
            &mut splitter,
            name,
            "cannot read the roster",
            "the roster is empty; its first row must name the columns: org, then optional wave, role and breakdown columns, then invited",
        )?;
        let starts = super::header::field_columns(&header);
        let mut problems = Vec::new();
        let mut columns: Vec<Col> = Vec::new();
        for (i, h) in header.iter().enumerate() {
            let lower = h.to_lowercase();
            let col = match lower.as_str() {
                "org" => Some(Col::Org),
                "wave" => Some(Col::Wave),
                "role" => Some(Col::Role),
                "invited" => Some(Col::Invited),
                _ => instrument
                    .breakdowns
                    .iter()
                    .position(|b| b.id == lower || b.label.to_lowercase() == lower)
                    .map(Col::Breakdown),
            };
            match col {
                Some(col) if columns.contains(&col) => problems.push(Diagnostic::new(
                    Location::new(name, 1, starts[i]),
                    format!("column `{}` appears twice; keep one", quoted(h)),
                )),
                Some(col) => columns.push(col),
                None => {
                    let breakdowns: Vec<&str> = instrument
                        .breakdowns
                        .iter()
                        .map(|b| b.id.as_str())
                        .collect();
                    problems.push(Diagnostic::new(
                        Location::new(name, 1, starts[i]),
                        format!(
                            "column `{}` is not a roster column (org, wave, role, invited{}{})",
                            quoted(h),
                            if breakdowns.is_empty() { "" } else { ", " },
                            breakdowns.join(", ")
                        ),
                    ));
                    columns.push(Col::Wave); // placeholder; the file is refused anyway
                }
            }
        }
        for (wanted, what) in [(Col::Org, "org"), (Col::Invited, "invited")] {
            if !columns.contains(&wanted) {
                problems.push(Diagnostic::new(
                    Location::new(name, 1, 1),
                    format!("the roster has no `{what}` column; its columns are org, then optional wave, role and breakdown columns, then invited"),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let mut out = Roster {
            file: name.to_string(),
            rows: Vec::new(),
        };
        let (mut piece, mut scratch) = (Piece::default(), Scratch::default());
        while splitter.next_piece(&mut piece).map_err(io)? {
            pieces::each_record(&piece, b',', &mut scratch, |record, line| {
                let line = piece.lines_before + line;
                let Ok(cells) = record
                    .iter()
                    .map(|c| std::str::from_utf8(c).map(|s| s.trim().to_string()))
                    .collect::<std::result::Result<Vec<_>, _>>()
                else {
                    problems.push(Diagnostic::new(
                        Location::new(name, line, 1),
                        "the roster is not UTF-8 text; save it as UTF-8",
                    ));
                    return;
                };
                if cells.iter().all(String::is_empty) {
                    return;
                }
                if cells.len() != header.len() {
                    problems.push(Diagnostic::new(
                        Location::new(name, line, 1),
                        format!(
                            "the row has {} fields but the header has {}",
                            cells.len(),
                            header.len()
                        ),
                    ));
                    return;
                }
                let field_starts = super::header::field_columns(&cells);
                let mut row = RosterRow {
                    line,
                    org: String::new(),
                    wave: None,
                    role: None,
                    units: vec![None; instrument.breakdowns.len()],
                    invited: 0,
                };
                for (i, (cell, col)) in cells.iter().zip(&columns).enumerate() {
                    let at = Location::new(name, line, field_starts[i]);
                    match col {
                        Col::Org if cell.is_empty() => problems.push(Diagnostic::new(
                            at,
                            "the org cell is empty; write the organization id used in the responses",
                        )),
                        Col::Org => row.org = cell.clone(),
                        Col::Wave => row.wave = (!cell.is_empty()).then(|| cell.clone()),
                        Col::Role if cell.is_empty() => {}
                        Col::Role => match super::rows::role_of(instrument, cell) {
                            Some(r) => row.role = Some(r),
                            None => problems.push(Diagnostic::new(
                                at,
                                format!(
                                    "role `{}` is not a role of instrument `{}` (roles: {}); leave the cell empty for every role",
                                    quoted(cell),
                                    instrument.id,
                                    instrument.roles.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(", ")
                                ),
                            )),
                        },
                        Col::Breakdown(_) if cell.is_empty() => {}
                        Col::Breakdown(b) => {
                            let breakdown = &instrument.breakdowns[*b];
                            match breakdown.option_of(cell) {
                                Some(u) => row.units[*b] = Some(u),
                                None => problems.push(Diagnostic::new(
                                    at,
                                    format!(
                                        "`{}` is not an option of breakdown `{}` (options: {})",
                                        quoted(cell),
                                        breakdown.id,
                                        breakdown.options.iter().map(|o| o.id.as_str()).collect::<Vec<_>>().join(", ")
                                    ),
                                )),
                            }
                        }
                        Col::Invited => match cell.parse::<u64>() {
                            Ok(n) if n > 0 => row.invited = n,
                            _ => problems.push(Diagnostic::new(
                                at,
                                format!(
                                    "invited `{}` is not a whole number above 0; write how many people were invited",
                                    quoted(cell)
                                ),
                            )),
                        },
                    }
                }
                out.rows.push(row);
            });
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(out)
    }
}
