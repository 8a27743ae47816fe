//! What the import produces: accepted respondents in compact columns, every rejected row with
//! its reason, the counts of the reconciliation line (SPEC §3) and the warnings.

use crate::instrument::Instrument;

/// A row that was not scored, with its first problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub file: String,
    pub line: u64,
    /// Header name of the offending column; empty for a row-level problem.
    pub column: String,
    pub respondent_id: String,
    pub reason: String,
}

/// Per item, how each accepted respondent answered (kept only with `keep_items`).
#[derive(Debug, Default, Clone)]
pub struct ItemMatrix {
    /// Row-major `respondents × scored items + outcomes`, item score or NaN.
    pub scores: Vec<f64>,
    /// Same shape: 0 answered, 1 empty cell or absent column, 2 an `na` label, 3 not asked.
    pub status: Vec<u8>,
}

pub const ANSWERED: u8 = 0;

/// Words of [`Respondents::answered`] per respondent for `items` scored items.
pub fn answered_words(items: usize) -> usize {
    items.div_ceil(64)
}
pub const EMPTY: u8 = 1;
pub const NA: u8 = 2;
/// The item's condition was false (SPEC §16): neither answered nor unanswered.
pub const NOT_ASKED: u8 = 3;

/// Accepted respondents in input order, columnar. Missing scores are NaN.
#[derive(Debug, Default, Clone)]
pub struct Respondents {
    /// Respondent ids, concatenated; `id_ends[i]` is where the i-th ends.
    pub id_text: String,
    pub id_ends: Vec<usize>,
    pub org: Vec<u32>,
    pub role: Vec<u16>,
    pub wave: Vec<u32>,
    /// Panel ids (SPEC §7), empty where the row has none; never written to any output.
    pub panel: Lines,
    /// Row-major `respondents × dimensions`.
    pub dimensions: Vec<f64>,
    pub index: Vec<f64>,
    /// Level position, `None` when the index is missing.
    pub level: Vec<Option<u8>>,
    /// Row-major `respondents × outcomes`, the raw numbers (not 0–100 scores).
    pub outcomes: Vec<f64>,
    pub items: Option<ItemMatrix>,
    /// Row-major `respondents × answered_words(scored items)`: bit `i % 64` of word `i / 64`
    /// is set when scored item `i` was answered (not empty, not `na`). Kept for every command,
    /// since which items each respondent answered decides what may be shown (SPEC §15).
    pub answered: Vec<u64>,
    /// Row-major `respondents × breakdowns`: the unit of each breakdown (its option + 1), 0
    /// when the respondent did not give it (SPEC §17).
    pub units: Vec<u8>,
    /// Each accepted row as a line of the canonical CSV (kept only for `import`).
    pub canonical: Option<Lines>,
    /// Per open question of the instrument, each row's answer (empty: none). Never scored,
    /// never written beside a respondent id, a role or a score (SPEC §16).
    pub comments: Vec<Lines>,
}

/// Lines of text, concatenated; `ends[i]` is where the i-th ends.
#[derive(Debug, Default, Clone)]
pub struct Lines {
    pub text: String,
    pub ends: Vec<usize>,
}

impl Lines {
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    pub fn push(&mut self, line: &str) {
        self.text.push_str(line);
        self.ends.push(self.text.len());
    }
}

impl Respondents {
    /// The panel id of a row, empty when it has none.
    pub fn panel_id(&self, row: usize) -> &str {
        if row < self.panel.ends.len() {
            self.panel.get(row)
        } else {
            ""
        }
    }

    /// Row `row`'s answer to open question `comment`; empty when it gave none.
    pub fn comment(&self, row: usize, comment: usize) -> &str {
        self.comments[comment].get(row)
    }

    pub fn id(&self, row: usize) -> &str {
        let start = if row == 0 { 0 } else { self.id_ends[row - 1] };
        &self.id_text[start..self.id_ends[row]]
    }

    pub fn len(&self) -> usize {
        self.org.len()
    }

    /// Whether respondent `row` answered scored item `item`.
    pub fn answered(&self, row: usize, item: usize, words: usize) -> bool {
        self.answered[row * words + item / 64] >> (item % 64) & 1 == 1
    }

    pub fn is_empty(&self) -> bool {
        self.org.is_empty()
    }

    /// The unit of breakdown `b` of a row (option + 1), 0 when not given.
    pub fn unit(&self, row: usize, b: usize, breakdowns: usize) -> u8 {
        self.units[row * breakdowns + b]
    }

    /// The rows whose `keep` is true, in order.
    pub(super) fn retain(&self, keep: &[bool], instrument: &Instrument) -> Respondents {
        let mut kept = Respondents::default();
        for row in (0..self.len()).filter(|&row| keep[row]) {
            kept.id_text.push_str(self.id(row));
            kept.id_ends.push(kept.id_text.len());
        }
        kept.org = kept_rows(&self.org, 1, keep);
        kept.role = kept_rows(&self.role, 1, keep);
        kept.wave = kept_rows(&self.wave, 1, keep);
        for row in (0..self.len()).filter(|&row| keep[row]) {
            kept.panel.push(self.panel_id(row));
        }
        kept.index = kept_rows(&self.index, 1, keep);
        kept.level = kept_rows(&self.level, 1, keep);
        kept.dimensions = kept_rows(&self.dimensions, instrument.dimensions.len(), keep);
        kept.outcomes = kept_rows(&self.outcomes, instrument.outcomes.len(), keep);
        kept.answered = kept_rows(
            &self.answered,
            answered_words(instrument.scored_items().len()),
            keep,
        );
        kept.units = kept_rows(&self.units, instrument.breakdowns.len(), keep);
        kept.items = self.items.as_ref().map(|items| ItemMatrix {
            scores: kept_rows(&items.scores, instrument.items.len(), keep),
            status: kept_rows(&items.status, instrument.items.len(), keep),
        });
        kept.comments = self
            .comments
            .iter()
            .map(|lines| {
                let mut out = Lines::default();
                for row in (0..self.len()).filter(|&row| keep[row]) {
                    out.push(lines.get(row));
                }
                out
            })
            .collect();
        kept.canonical = self.canonical.as_ref().map(|lines| {
            let mut out = Lines::default();
            for row in (0..self.len()).filter(|&row| keep[row]) {
                out.push(lines.get(row));
            }
            out
        });
        kept
    }
}

/// The rows of row-major `values` (`width` per row) whose `keep` is true.
fn kept_rows<T: Copy>(values: &[T], width: usize, keep: &[bool]) -> Vec<T> {
    if width == 0 {
        return Vec::new();
    }
    values
        .chunks_exact(width)
        .zip(keep)
        .filter(|(_, &k)| k)
        .flat_map(|(row, _)| row.iter().copied())
        .collect()
}

/// Everything the import produced.
#[derive(Debug, Default)]
pub struct Dataset {
    /// Organization ids in order of first appearance.
    pub orgs: Vec<String>,
    /// Wave names in order of first appearance (sort them for display).
    pub waves: Vec<String>,
    pub respondents: Respondents,
    /// Rows read: scored + rejected + blank + filtered.
    pub rows_read: usize,
    /// Rows whose cells are all empty, skipped.
    pub rows_blank: usize,
    /// Rows dropped by a profile's or preset's `keep:` rules.
    pub rows_filtered: usize,
    /// Why rows were filtered, each reason with its count, in order of first appearance.
    pub filter_reasons: Vec<(String, usize)>,
    /// What to do about filtered rows.
    pub filter_fix: &'static str,
    pub rejects: Vec<Reject>,
    pub warnings: Vec<String>,
    /// Answers to items that were not asked, ignored (SPEC §16), per item.
    pub unasked: Vec<super::unasked::Unasked>,
}

impl Dataset {
    pub fn rows_scored(&self) -> usize {
        self.respondents.len()
    }

    /// The line every run ends with (SPEC §3): `read N rows: scored S, rejected R`, then
    /// `, skipped B blank` and `, filtered F` when those are not zero.
    pub fn reconciliation(&self) -> String {
        let mut line = format!(
            "read {} {}: scored {}, rejected {}",
            self.rows_read,
            if self.rows_read == 1 { "row" } else { "rows" },
            self.rows_scored(),
            self.rejects.len()
        );
        if self.rows_blank > 0 {
            line.push_str(&format!(", skipped {} blank", self.rows_blank));
        }
        if self.rows_filtered > 0 {
            line.push_str(&format!(", filtered {}", self.rows_filtered));
            if !self.filter_reasons.is_empty() {
                line.push_str(&format!(" ({})", self.filter_why()));
            }
        }
        line
    }

    /// Why rows were filtered: each reason (with its count when there are several).
    pub fn filter_why(&self) -> String {
        let mut reasons: Vec<String> = Vec::new();
        for (why, n) in self.filter_reasons.iter().take(3) {
            if self.filter_reasons.len() == 1 {
                reasons.push(why.clone());
            } else {
                reasons.push(format!("{n} × {why}"));
            }
        }
        if self.filter_reasons.len() > 3 {
            reasons.push(format!(
                "… and {} more reasons",
                self.filter_reasons.len() - 3
            ));
        }
        if self.filter_fix.is_empty() {
            reasons.join(", ")
        } else {
            format!("{}; {}", reasons.join(", "), self.filter_fix)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reconciliation_line_names_only_what_happened() {
        let mut data = Dataset {
            rows_read: 1,
            ..Dataset::default()
        };
        assert_eq!(data.reconciliation(), "read 1 row: scored 0, rejected 0");
        data.rows_read = 7;
        data.rows_blank = 2;
        assert_eq!(
            data.reconciliation(),
            "read 7 rows: scored 0, rejected 0, skipped 2 blank"
        );
        data.rows_filtered = 5;
        assert_eq!(
            data.reconciliation(),
            "read 7 rows: scored 0, rejected 0, skipped 2 blank, filtered 5"
        );
        data.rows_blank = 0;
        assert_eq!(
            data.reconciliation(),
            "read 7 rows: scored 0, rejected 0, filtered 5"
        );
    }
}
