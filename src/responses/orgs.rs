//! The organizations file (`--orgs`): display names and attributes usable as peer groups.

use std::collections::BTreeMap;
use std::path::Path;

use super::lines::LineCounter;
use crate::error::{Diagnostic, Error, Location, Result};

#[derive(Debug, Clone, Default)]
pub struct Organizations {
    /// Attribute column names, in file order (`org` and `name` excluded).
    pub attributes: Vec<String>,
    pub entries: BTreeMap<String, OrgInfo>,
}

#[derive(Debug, Clone, Default)]
pub struct OrgInfo {
    pub name: Option<String>,
    /// One value per attribute; empty means "no value".
    pub values: Vec<String>,
}

impl Organizations {
    pub fn load(path: &Path) -> Result<Organizations> {
        let file = std::fs::File::open(path)
            .map_err(|e| Error::io(path, "cannot read the organizations file", e))?;
        Self::parse(std::io::BufReader::new(file), &path.display().to_string())
    }

    pub fn parse(reader: impl std::io::Read, name: &str) -> Result<Organizations> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineCounter::new(reader));
        let mut records = reader.byte_records();
        let mut problems = Vec::new();
        let header: Vec<String> = match records.next() {
            Some(Ok(h)) => h
                .iter()
                .map(|f| String::from_utf8_lossy(f).trim_start_matches('\u{feff}').trim().to_string())
                .collect(),
            Some(Err(e)) => return Err(Error::Other(format!("{name}: {e}"))),
            None => {
                return Err(Error::invalid(Diagnostic::new(
                    Location::new(name, 1, 1),
                    "the organizations file is empty; its first row must name the columns, starting with `org`",
                )))
            }
        };
        let Some(org_col) = header.iter().position(|h| h == "org") else {
            return Err(Error::invalid(Diagnostic::new(
                Location::new(name, 1, 1),
                "the organizations file has no `org` column; add one with the organization ids used in the responses",
            )));
        };
        let name_col = header.iter().position(|h| h == "name");
        let attribute_cols: Vec<usize> = (0..header.len())
            .filter(|&i| i != org_col && Some(i) != name_col)
            .collect();
        let mut out = Organizations {
            attributes: attribute_cols.iter().map(|&i| header[i].clone()).collect(),
            entries: BTreeMap::new(),
        };
        let mut first_line: BTreeMap<String, u64> = BTreeMap::new();
        drop(records);
        let mut record = csv::ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(Error::Other(format!("{name}: {e}"))),
            }
            let offset = record.position().map_or(0, |p| p.byte());
            let line = reader.get_mut().line_at(offset);
            let at = Location::new(name, line, 1);
            if record.len() != header.len() {
                problems.push(Diagnostic::new(
                    at,
                    format!(
                        "the row has {} fields but the header has {}",
                        record.len(),
                        header.len()
                    ),
                ));
                continue;
            }
            let Ok(cells) = record
                .iter()
                .map(|c| std::str::from_utf8(c).map(|s| s.trim().to_string()))
                .collect::<std::result::Result<Vec<_>, _>>()
            else {
                problems.push(Diagnostic::new(
                    at,
                    "the row is not valid UTF-8; save the file as UTF-8",
                ));
                continue;
            };
            let org = cells[org_col].clone();
            if org.is_empty() {
                problems.push(Diagnostic::new(at, "the org cell is empty"));
                continue;
            }
            if let Some(first) = first_line.get(&org) {
                problems.push(Diagnostic::new(
                    at,
                    format!("organization `{org}` is already listed on line {first}; keep one row per organization"),
                ));
                continue;
            }
            first_line.insert(org.clone(), line);
            out.entries.insert(
                org,
                OrgInfo {
                    name: name_col.map(|i| cells[i].clone()).filter(|n| !n.is_empty()),
                    values: attribute_cols.iter().map(|&i| cells[i].clone()).collect(),
                },
            );
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(out)
    }

    /// The display name of an organization: its `name`, or its id.
    pub fn display_name<'a>(&'a self, org: &'a str) -> &'a str {
        self.entries
            .get(org)
            .and_then(|o| o.name.as_deref())
            .unwrap_or(org)
    }

    /// The organization's value of an attribute, if it has a non-empty one.
    pub fn attribute(&self, org: &str, attribute: &str) -> Option<&str> {
        let column = self.attributes.iter().position(|a| a == attribute)?;
        let value = self.entries.get(org)?.values[column].as_str();
        (!value.is_empty()).then_some(value)
    }
}
