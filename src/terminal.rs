//! What partnerscope prints on the terminal: text from data files (ids, cells, headers) is
//! shown with its control characters escaped, so a cell cannot move the cursor, recolour or
//! clear the screen, set the window title or reorder the line (bidirectional overrides); and a
//! standard output closed early (`partnerscope validate x.csv | head -1`) ends the printing
//! quietly instead of a panic, as does a closed or full standard error. Files are written elsewhere, unescaped.

use std::borrow::Cow;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether a character would act on the terminal instead of being shown: C0 and C1 controls
/// and DEL (but not the line end), and the bidirectional formatting characters (Unicode
/// UAX #9: embeddings, overrides, isolates and marks).
fn acts(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every control character written as `\u{…}` (a tab as `\t`).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            c if acts(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Set once standard output is closed: later lines are dropped.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Prints one line on standard output, escaped. A closed output (a pipe whose reader has
/// gone) is not an error of the run: the rest of its output is dropped.
pub fn line(text: &str) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    let written = out
        .write_all(escape(text).as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    if written.is_err() {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Prints one line on standard error, escaped. A closed or full standard error
/// (`2>&-`, `2>/dev/full`) cannot be told about itself: the line is dropped, and the run goes
/// on to its exit code.
pub fn error_line(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err
        .write_all(escape(text).as_bytes())
        .and_then(|()| err.write_all(b"\n"));
}

/// `println!` for text that may carry data: escaped, quiet on a closed output.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::terminal::line(&format!($($arg)*))
    };
}

/// `eprintln!` for messages: escaped, and never a panic when standard error is closed or full.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::terminal::error_line(&format!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_not_obeyed() {
        assert_eq!(escape("plain é text"), "plain é text");
        assert_eq!(escape("a\x1b[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape("bell\x07\ttab"), "bell\\u{7}\\ttab");
        assert_eq!(escape("two\nlines"), "two\nlines");
        assert_eq!(escape("\u{202e}gnp.exe"), "\\u{202e}gnp.exe");
        assert_eq!(escape("c1\u{9b}31m"), "c1\\u{9b}31m");
    }
}
