//! The organizations file (`--orgs`): display names and attributes usable as peer groups.

use std::collections::BTreeMap;
use std::path::Path;

use super::pieces::{self, Piece, Scratch, Splitter};
use super::text::quoted;
use crate::error::{Diagnostic, Error, Location, Result};

#[derive(Debug, Clone, Default)]
pub struct Organizations {
    /// Attribute column names, in file order (`org` and `name` excluded).
    pub attributes: Vec<String>,
    pub entries: BTreeMap<String, OrgInfo>,
}

#[derive(Debug, Clone, Default)]
pub struct OrgInfo {
    /// The line of the file the organization is listed on.
    pub line: u64,
    pub name: Option<String>,
    /// One value per attribute; empty means "no value".
    pub values: Vec<String>,
}

/// The trimmed header cells of a small CSV file (`--orgs`, `--roster`), without a byte-order
/// mark; an empty file is `empty`, located at line 1.
pub(super) fn header_cells<R: std::io::Read>(
    splitter: &mut Splitter<R>,
    name: &str,
    action: &'static str,
    empty: &str,
) -> Result<Vec<String>> {
    let io = |e| super::loader::read_error(name, action, e);
    let Some(header) = splitter.header().map_err(io)? else {
        return Err(Error::invalid(Diagnostic::new(
            Location::new(name, 1, 1),
            empty,
        )));
    };
    Ok(header
        .iter()
        .map(|f| {
            String::from_utf8_lossy(f)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string()
        })
        .collect())
}

impl Organizations {
    pub fn load(path: &Path) -> Result<Organizations> {
        let file = std::fs::File::open(path)
            .map_err(|e| Error::io(path, "cannot read the organizations file", e))?;
        Self::parse(file, &path.display().to_string())
    }

    /// Reads the file as the response files are read ([`super::pieces`]), so lines are
    /// counted the same way.
    pub fn parse(reader: impl std::io::Read, name: &str) -> Result<Organizations> {
        let io = |e| super::loader::read_error(name, "cannot read the organizations file", e);
        let mut splitter = Splitter::new(reader);
        let header = header_cells(
            &mut splitter,
            name,
            "cannot read the organizations file",
            "the organizations file is empty; its first row must name the columns, starting with `org`",
        )?;
        let mut problems = Vec::new();
        let starts = super::header::field_columns(&header);
        for (i, h) in header.iter().enumerate() {
            if let Some(first) = header[..i]
                .iter()
                .position(|earlier| earlier.eq_ignore_ascii_case(h))
            {
                problems.push(Diagnostic::new(
                    Location::new(name, 1, starts[i]),
                    format!(
                        "column `{}` appears twice (also column {}); keep one",
                        quoted(h),
                        first + 1
                    ),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let Some(org_col) = header.iter().position(|h| h.eq_ignore_ascii_case("org")) else {
            return Err(Error::invalid(Diagnostic::new(
                Location::new(name, 1, 1),
                "the organizations file has no `org` column; add one with the organization ids used in the responses",
            )));
        };
        let name_col = header.iter().position(|h| h.eq_ignore_ascii_case("name"));
        let attribute_cols: Vec<usize> = (0..header.len())
            .filter(|&i| i != org_col && Some(i) != name_col)
            .collect();
        let mut out = Organizations {
            attributes: attribute_cols.iter().map(|&i| header[i].clone()).collect(),
            entries: BTreeMap::new(),
        };
        let mut first_line: BTreeMap<String, u64> = BTreeMap::new();
        let (mut piece, mut scratch) = (Piece::default(), Scratch::default());
        while splitter.next_piece(&mut piece).map_err(io)? {
            pieces::each_record(&piece, b',', &mut scratch, |record, line| {
                let line = piece.lines_before + line;
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
                    return;
                }
                let Ok(cells) = record
                    .iter()
                    .map(|c| std::str::from_utf8(c).map(|s| s.trim().to_string()))
                    .collect::<std::result::Result<Vec<_>, _>>()
                else {
                    problems.push(Diagnostic::new(
                        at,
                        "the file is not UTF-8 text; save it as UTF-8",
                    ));
                    return;
                };
                let org = cells[org_col].clone();
                if org.is_empty() {
                    problems.push(Diagnostic::new(at, "the org cell is empty"));
                    return;
                }
                if let Some(first) = first_line.get(&org) {
                    problems.push(Diagnostic::new(
                        at,
                        format!("organization `{}` is already listed on line {first}; keep one row per organization", quoted(&org)),
                    ));
                    return;
                }
                first_line.insert(org.clone(), line);
                out.entries.insert(
                    org,
                    OrgInfo {
                        line,
                        name: name_col.map(|i| cells[i].clone()).filter(|n| !n.is_empty()),
                        values: attribute_cols.iter().map(|&i| cells[i].clone()).collect(),
                    },
                );
            });
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        Ok(out)
    }

    /// Warnings about ids of the file that look alike (SPEC §14; [`super::lookalike`]), each
    /// naming the lines of every spelling.
    pub fn lookalike_warnings(&self, name: &str) -> Vec<String> {
        let mut groups: BTreeMap<String, Vec<(&String, u64)>> = BTreeMap::new();
        for (id, info) in &self.entries {
            groups
                .entry(super::lookalike::skeleton(id))
                .or_default()
                .push((id, info.line));
        }
        groups
            .into_values()
            .filter(|ids| ids.len() > 1)
            .map(|mut ids| {
                ids.sort_by_key(|&(_, line)| line);
                let listed: Vec<String> = ids
                    .iter()
                    .map(|(id, line)| format!("{} on line {line}", super::lookalike::shown(id)))
                    .collect();
                format!(
                    "{name}: organization ids {} look alike but differ in invisible or look-alike characters; if they are one organization, keep one row and write its id the same way in the responses",
                    listed.join(" and ")
                )
            })
            .collect()
    }

    /// For each of `orgs` (ids not in the file) the organization of the file whose id looks
    /// like it, with its line.
    pub fn lookalikes_of<'a>(&'a self, orgs: &'a [String]) -> Vec<(&'a str, &'a str, u64)> {
        let mut by_skeleton: BTreeMap<String, (&str, u64)> = BTreeMap::new();
        for (id, info) in &self.entries {
            by_skeleton
                .entry(super::lookalike::skeleton(id))
                .or_insert((id, info.line));
        }
        orgs.iter()
            .filter_map(|org| {
                let &(listed, line) = by_skeleton.get(&super::lookalike::skeleton(org))?;
                (listed != org).then_some((org.as_str(), listed, line))
            })
            .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_the_physical_line_of_their_row() {
        // CRLF with a byte order mark: header on 1, acme on 2, beta's quoted name spans 3–4,
        // a blank line 5, a repeated acme on 6, an empty org on 7.
        let text = "\u{feff}org,name,industry\r\nacme,Acme,retail\r\nbeta,\"Beta\r\nGroup\",tech\r\n\r\nacme,Again,retail\r\n,Nobody,tech";
        let Err(Error::Invalid(problems)) = Organizations::parse(text.as_bytes(), "orgs.csv")
        else {
            panic!("the repeated and the empty org are problems");
        };
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "orgs.csv:6:1: organization `acme` is already listed on line 2; keep one row per organization",
                "orgs.csv:7:1: the org cell is empty",
            ]
        );
    }

    #[test]
    fn repeated_headers_are_refused() {
        let text = "org,name,Name\nacme,Acme,Again\n";
        let Err(Error::Invalid(problems)) = Organizations::parse(text.as_bytes(), "orgs.csv")
        else {
            panic!("a repeated header is a problem");
        };
        assert_eq!(
            problems[0].to_string(),
            "orgs.csv:1:10: column `Name` appears twice (also column 2); keep one"
        );
    }

    #[test]
    fn names_and_attributes_are_read() {
        let text = "org,name,industry\nacme,Acme,retail\nbeta,\"Beta, Group\",\n";
        let orgs = Organizations::parse(text.as_bytes(), "orgs.csv").expect("valid");
        assert_eq!(orgs.attributes, ["industry"]);
        assert_eq!(orgs.display_name("beta"), "Beta, Group");
        assert_eq!(orgs.attribute("acme", "industry"), Some("retail"));
        assert_eq!(orgs.attribute("beta", "industry"), None);
    }
}
