//! Errors of every stage, and the `file:line:column: message` form users see.
//!
//! A [`Diagnostic`] is one problem at one place. Stages that can find many problems at once
//! (instrument validation, response headers) collect them and return [`Error::Invalid`], which
//! prints each on its own line, capped at [`MAX_SHOWN`] with "… and N more".

use std::fmt;
use std::path::PathBuf;

/// How many diagnostics an [`Error::Invalid`] prints before summarising the rest.
pub const MAX_SHOWN: usize = 50;

/// A place in a user's file; line and column are 1-based, 0 when unknown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: String,
    pub line: u64,
    pub column: u64,
}

impl Location {
    pub fn new(file: impl Into<String>, line: u64, column: u64) -> Self {
        Location {
            file: file.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}", self.file),
            (line, 0) => write!(f, "{}:{line}", self.file),
            (line, column) => write!(f, "{}:{line}:{column}", self.file),
        }
    }
}

/// One problem at one place, worded for the person who has to fix the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub location: Location,
    pub message: String,
}

impl Diagnostic {
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            location,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input found by validation: every problem, in file order.
    #[error("{}", list(.0))]
    Invalid(Vec<Diagnostic>),
    /// A file that could not be read or written.
    #[error("{}: {action}: {error}", .path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        /// Printed in the message itself, so it is not also a `source()`.
        error: std::io::Error,
    },
    /// A command line that cannot work (e.g. `--peer-group` without `--orgs`).
    #[error("{0}")]
    Usage(String),
    /// A template that does not parse or render; the source chain has the position.
    #[error("template `{name}` failed")]
    Template {
        name: String,
        #[source]
        source: tera::Error,
    },
    /// Anything else (an internal invariant, an output that cannot be serialised).
    #[error("{0}")]
    Other(String),
    /// Writing the output failed before it was published: `DIR` was left as it was (SPEC §14).
    #[error("{error}; {} was left as it was{}", .target.display(), remedy(error))]
    NotPublished { target: PathBuf, error: Box<Error> },
}

impl Error {
    pub fn invalid(diagnostic: Diagnostic) -> Self {
        Error::Invalid(vec![diagnostic])
    }

    pub fn io(path: impl Into<PathBuf>, action: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            action,
            error: source,
        }
    }

    /// Exit code of SPEC §8: 2 for bad input (including a user's template that does not
    /// parse), 1 for anything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::NotPublished { error, .. } => error.exit_code(),
            Error::Invalid(_) | Error::Usage(_) | Error::Template { .. } => 2,
            Error::Io { action, .. } if action.starts_with("cannot read") => 2,
            _ => 1,
        }
    }
}

/// What to do about a failed write, where the cause says it.
fn remedy(error: &Error) -> &'static str {
    match error {
        Error::Io { error, .. } => match error.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                " (free space on that disk, or choose another --out, and run again)"
            }
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                " (choose an --out folder you may write to)"
            }
            _ => "",
        },
        _ => "",
    }
}

fn list(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diagnostics.iter().take(MAX_SHOWN).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&d.to_string());
    }
    if diagnostics.len() > MAX_SHOWN {
        out.push_str(&format!("\n… and {} more", diagnostics.len() - MAX_SHOWN));
    }
    out
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_omits_unknown_parts() {
        assert_eq!(Location::new("a.csv", 3, 7).to_string(), "a.csv:3:7");
        assert_eq!(Location::new("a.csv", 3, 0).to_string(), "a.csv:3");
        assert_eq!(Location::new("a.csv", 0, 0).to_string(), "a.csv");
    }

    #[test]
    fn long_lists_are_capped() {
        let many: Vec<_> = (1..=MAX_SHOWN as u64 + 3)
            .map(|i| Diagnostic::new(Location::new("f", i, 1), "bad"))
            .collect();
        let text = Error::Invalid(many).to_string();
        assert!(text.ends_with("… and 3 more"));
        assert_eq!(text.lines().count(), MAX_SHOWN + 1);
    }
}
