//! The parallel part of the import: records → scored rows, one block of rows per task.
//!
//! A row is blank (every cell empty: skipped), filtered (a `keep:` rule drops it), rejected
//! (its first problem) or accepted (scored on the spot). Only shared, read-only state is
//! used, so blocks are parsed while earlier ones are merged.

use super::cell::{self, Joined};
use super::dataset::{Lines, ANSWERED, EMPTY, NA, NOT_ASKED};
use super::header::{Column, Layout};
use super::pieces::Record;
use super::repeats::hash_id;
use super::text::{answer_key, quoted};
use super::unasked::Question;
use crate::instrument::condition::{Condition, Given};
use crate::instrument::{Instrument, ItemKind};
use crate::score::{self, Answer};

/// What became of one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// Scored, with its role.
    Accepted(u16),
    /// Not scored: the column of its first problem (`None`: the row as a whole) and the reason.
    Rejected(Option<usize>, String),
    /// Every cell empty.
    Blank,
    /// Dropped by a `keep:` rule, and why.
    Filtered(String),
    /// The file cannot be read on: the 1-based character column and the message.
    Fatal(u64, String),
}

/// The rows of one piece, parsed by one task, in flat buffers (one allocation per buffer, not
/// per row).
#[derive(Default)]
pub struct Block {
    /// Line ends in the file before the piece, and the piece's size in bytes.
    pub lines_before: u64,
    pub bytes: usize,
    /// Per row: the line it starts on, counted from the start of the piece (1-based).
    pub lines: Vec<u64>,
    pub rows: Vec<Row>,
    /// Per row, four trimmed cells (respondent id, org, wave, panel id; empty when absent) concatenated
    /// in `text`; `ends` holds where each ends.
    pub text: String,
    pub ends: Vec<usize>,
    /// For accepted rows only, in order: the hash of the respondent id cell (for the
    /// duplicate check), dimension scores, index, level, outcomes, item scores/status.
    pub id_hashes: Vec<u64>,
    pub dimensions: Vec<f64>,
    pub index: Vec<f64>,
    pub level: Vec<Option<u8>>,
    pub outcomes: Vec<f64>,
    pub scores: Vec<f64>,
    pub status: Vec<u8>,
    /// For accepted rows: which scored items were answered (`Respondents::answered`).
    pub answered: Vec<u64>,
    /// For accepted rows, per breakdown: the unit (option + 1), 0 when not given.
    pub units: Vec<u8>,
    /// For accepted rows, with `canonical`: the item cells of the canonical CSV line.
    pub canonical: Lines,
    /// For accepted rows, per open question: the answer (trimmed, cut at `max_chars`; empty
    /// when none).
    pub comments: Vec<Lines>,
    /// Per open question: accepted answers cut at `max_chars`.
    pub cut: Vec<usize>,
    /// Accepted rows shorter than the header by trailing columns that nothing reads.
    pub short_rows: usize,
    /// Accepted multi cells whose text no option has (Microsoft Forms' "Other"), ignored.
    pub others: usize,
    /// Answers given to questions that were not asked (SPEC §16), ignored: the row (its
    /// position in `rows`), the question and whether the cell was unreadable too, in row order.
    pub unasked: Vec<(usize, Question, bool)>,
}

impl Block {
    /// Row `i`'s respondent id, organization, wave and panel id cells.
    pub fn cells(&self, i: usize) -> (&str, &str, &str, &str) {
        let cell = |k: usize| {
            let start = if i + k == 0 {
                0
            } else {
                self.ends[4 * i + k - 1]
            };
            &self.text[start..self.ends[4 * i + k]]
        };
        (cell(0), cell(1), cell(2), cell(3))
    }
}

/// Per-row working buffers, reused from row to row.
struct Work {
    scores: Vec<f64>,
    status: Vec<u8>,
    dimensions: Vec<f64>,
    /// Per option slot: options chosen, whether any cell was filled, which were chosen.
    chosen: Vec<u32>,
    answered: Vec<bool>,
    picked: Vec<Vec<bool>>,
    /// With `canonical`: each item's canonical cell.
    cells: Vec<String>,
    /// Multi cells of this row that held text no option has ("Other" answers), ignored.
    others: usize,
    /// Per open question: this row's answer, and whether it was cut at `max_chars`.
    comments: Vec<String>,
    cut: Vec<bool>,
    /// With conditional items (SPEC §16): each item's answer as a condition sees it, and per
    /// option slot which of the first 64 options were chosen.
    given: Vec<Given>,
    bits: Vec<u64>,
    /// Per item: whether a condition names it (only then are a multi cell's options read).
    named: Vec<bool>,
    /// Questions of this row answered although not asked, and whether the cell was unreadable.
    unasked: Vec<(Question, bool)>,
    /// Cells of conditional items that are no answer the item can take, in column order: the
    /// item, the column and why. Whether the item was asked decides, once the row is read.
    unreadable: Vec<(usize, usize, String)>,
    /// Per breakdown: the unit (option + 1), 0 when not given.
    units: Vec<u8>,
}

/// Turns records into scored blocks.
#[derive(Clone, Copy)]
pub struct Parser<'a> {
    pub instrument: &'a Instrument,
    pub keep_items: bool,
    /// Keep each accepted row's canonical CSV cells (for `import`).
    pub canonical: bool,
    /// Per item: for scale items, the score of each code (reverse keying applied), so the
    /// common one-digit cell needs no further parsing.
    pub code_scores: &'a [Option<Vec<f64>>],
    /// Per item: for scale items, the ASCII labels and their codes (0: an `na` label).
    pub label_codes: &'a [Labels],
    /// The items with a `show_if`, in instrument order, with their conditions.
    pub conditional: &'a [(usize, &'a Condition)],
}

impl Parser<'_> {
    /// Parses and scores records into a block; `records` calls its argument with each record
    /// and the line it starts on (counted from the start of the piece).
    pub fn parse(
        &self,
        layout: &Layout,
        lines_before: u64,
        bytes: usize,
        records: impl FnOnce(&mut dyn FnMut(&Record, u64)),
    ) -> Block {
        let instrument = self.instrument;
        let n_items = instrument.items.len();
        let n_comments = instrument.comments.len();
        let conditional = instrument.has_conditions();
        let mut block = Block {
            lines_before,
            bytes,
            comments: vec![Lines::default(); n_comments],
            cut: vec![0; n_comments],
            ..Block::default()
        };
        let mut work = Work {
            scores: vec![f64::NAN; n_items],
            status: vec![EMPTY; n_items],
            dimensions: vec![f64::NAN; instrument.dimensions.len()],
            chosen: vec![0; layout.option_items.len()],
            answered: vec![false; layout.option_items.len()],
            picked: layout
                .option_items
                .iter()
                .map(|&item| vec![false; options_of(instrument, item)])
                .collect(),
            cells: vec![String::new(); if self.canonical { n_items } else { 0 }],
            others: 0,
            comments: vec![String::new(); n_comments],
            cut: vec![false; n_comments],
            given: vec![Given::Missing; if conditional { n_items } else { 0 }],
            bits: vec![0; layout.option_items.len()],
            named: named_by_conditions(instrument),
            unasked: Vec::new(),
            unreadable: Vec::new(),
            units: vec![0; instrument.breakdowns.len()],
        };
        records(&mut |record, line| {
            work.scores.fill(f64::NAN);
            work.status.fill(EMPTY);
            work.others = 0;
            work.comments.iter_mut().for_each(String::clear);
            work.cut.fill(false);
            work.given.fill(Given::Missing);
            work.unasked.clear();
            work.unreadable.clear();
            work.units.fill(0);
            // The row's text, validated once for its cells here and in `parse_row`.
            let whole = std::str::from_utf8(record.as_slice());
            let mut row = self.parse_row(layout, record, whole, &mut work);
            if let Row::Accepted(role) = row {
                if conditional {
                    if let Some(rejected) =
                        self.leave_out_unasked(layout, usize::from(role), &mut work)
                    {
                        row = rejected;
                    }
                }
            }
            block.lines.push(line);
            // The id, organization and wave cells, for the sequential merge (of a row that is
            // not UTF-8, each cell that is).
            let cell = |i: Option<usize>| {
                let text = match (i.and_then(|i| record.range(i)), whole) {
                    (Some(range), Ok(whole)) => whole.get(range),
                    (Some(range), Err(_)) => std::str::from_utf8(&record.as_slice()[range]).ok(),
                    (None, _) => None,
                };
                text.map_or("", trim)
            };
            for text in [
                cell(layout.id),
                cell(layout.org),
                cell(layout.wave),
                cell(layout.panel),
            ] {
                block.text.push_str(text);
                block.ends.push(block.text.len());
            }
            if let Row::Accepted(_) = row {
                let position = block.rows.len();
                block.unasked.extend(
                    work.unasked
                        .iter()
                        .map(|&(question, unreadable)| (position, question, unreadable)),
                );
                block.others += work.others;
                for (c, text) in work.comments.iter().enumerate() {
                    block.comments[c].push(text);
                    block.cut[c] += usize::from(work.cut[c]);
                }
                if layout.is_short(record.len()) {
                    block.short_rows += 1;
                }
                block.id_hashes.push(hash_id(cell(layout.id)));
                block.units.extend_from_slice(&work.units);
                let asked = |i: usize| work.status[i] != NOT_ASKED;
                let index = score::score_respondent(
                    instrument,
                    &work.scores,
                    conditional.then_some(&asked),
                    &mut work.dimensions,
                );
                block.dimensions.extend_from_slice(&work.dimensions);
                block.index.push(index);
                block.level.push(score::level_of_asked(
                    instrument,
                    index,
                    &work.dimensions,
                    conditional.then_some(&asked),
                ));
                block
                    .outcomes
                    .extend_from_slice(&work.scores[instrument.outcomes.clone()]);
                let scored = &work.status[..instrument.outcomes.start];
                for chunk in scored.chunks(64) {
                    let word = chunk
                        .iter()
                        .enumerate()
                        .filter(|(_, &s)| s == ANSWERED)
                        .fold(0u64, |word, (bit, _)| word | 1 << bit);
                    block.answered.push(word);
                }
                if self.keep_items {
                    block.scores.extend_from_slice(&work.scores);
                    block.status.extend_from_slice(&work.status);
                }
                if self.canonical {
                    let mut line = String::new();
                    for (i, cell) in work.cells.iter().enumerate() {
                        if i > 0 {
                            line.push(',');
                        }
                        push_csv_field(&mut line, cell);
                    }
                    block.canonical.push(&line);
                }
            }
            block.rows.push(row);
        });
        block
    }

    /// Decides, item by item in instrument order and then for each open question, which
    /// questions the row was asked (SPEC §16). An item not asked gets no score and the status
    /// [`NOT_ASKED`], an open question not asked no answer; an answer given anyway is ignored
    /// and remembered for the warning, also one that could not be read. Blank or unchosen
    /// option columns of a multi item are no answer. Returns the rejected row when a cell that
    /// could not be read belongs to an item that was asked.
    fn leave_out_unasked(&self, layout: &Layout, role: usize, work: &mut Work) -> Option<Row> {
        for &(i, condition) in self.conditional {
            let given = &work.given;
            if condition.holds(&|j| given[j], role) {
                continue;
            }
            if let Some(k) = work.unreadable.iter().position(|u| u.0 == i) {
                work.unreadable.remove(k);
                work.unasked.push((Question::Item(i), true));
            } else if work.status[i] != EMPTY && !only_unchosen(layout, i, work) {
                work.unasked.push((Question::Item(i), false));
            }
            work.scores[i] = f64::NAN;
            work.status[i] = NOT_ASKED;
            work.given[i] = Given::NotAsked;
            if self.canonical {
                work.cells[i].clear();
            }
        }
        for (c, comment) in self.instrument.comments.iter().enumerate() {
            let Some(condition) = &comment.show_if else {
                continue;
            };
            let given = &work.given;
            if condition.holds(&|j| given[j], role) {
                continue;
            }
            if !work.comments[c].is_empty() {
                work.unasked.push((Question::Comment(c), false));
            }
            work.comments[c].clear();
            work.cut[c] = false;
        }
        // The first unreadable cell (in column order) of an item that was asked.
        work.unreadable
            .first()
            .map(|(_, column, reason)| Row::Rejected(Some(*column), reason.clone()))
    }

    /// A cell that is no answer of its item: the row is rejected, unless the item is asked
    /// only under a condition (SPEC §16); then the cell is set aside and the row read on.
    fn unreadable(
        &self,
        item: usize,
        column: usize,
        reason: String,
        work: &mut Work,
    ) -> Option<Row> {
        if self.instrument.items[item].show_if.is_none() {
            return Some(Row::Rejected(Some(column), reason));
        }
        work.scores[item] = f64::NAN;
        work.status[item] = EMPTY;
        if let Some(given) = work.given.get_mut(item) {
            *given = Given::Missing;
        }
        if self.canonical {
            work.cells[item].clear();
        }
        work.unreadable.push((item, column, reason));
        None
    }

    /// Parses one row's cells into `work`; returns what became of the row. `whole` is the
    /// record's text (`Record::as_slice`) as UTF-8.
    fn parse_row(
        &self,
        layout: &Layout,
        record: &Record,
        whole: Result<&str, std::str::Utf8Error>,
        work: &mut Work,
    ) -> Row {
        let instrument = self.instrument;
        let bytes = record.as_slice();
        if is_blank(record) {
            return Row::Blank;
        }
        // The row's text is validated once; a cell is then a slice of it (`get` refuses a
        // slice that would split a character, which a per-cell check would refuse too).
        let whole = match whole {
            Ok(whole) => whole,
            Err(e) => return not_utf8(record, e.valid_up_to()),
        };
        if !layout.accepts_width(record.len()) {
            return Row::Rejected(
                None,
                format!(
                    "the row has {} fields but the header has {}; check for a missing or extra {} or an unclosed quote",
                    record.len(),
                    layout.columns.len(),
                    layout.delimiter
                ),
            );
        }
        for (k, (column, allow, values)) in layout.filters.iter().enumerate() {
            let cell = record
                .range(*column)
                .and_then(|r| whole.get(r))
                .unwrap_or("");
            if values.iter().any(|v| same_key(cell, v)) != *allow {
                return Row::Filtered(layout.filter_reason(k, cell));
            }
        }
        if !layout.option_items.is_empty() {
            work.chosen.fill(0);
            work.answered.fill(false);
            work.bits.fill(0);
        }
        if self.canonical {
            work.cells.iter_mut().for_each(String::clear);
            work.picked.iter_mut().for_each(|p| p.fill(false));
        }
        let mut role = layout.role_value.unwrap_or(0);
        for i in 0..record.len() {
            let column = layout.columns[i];
            if column == Column::Ignored {
                continue;
            }
            let range = record.range(i).unwrap_or(0..0);
            // Fast path, before any text handling: a one-digit scale code, looked up (the same
            // score that `cell::parse` and `item_score` give; a unit test checks it).
            if let (Column::Item(item), &[digit]) = (column, &bytes[range.clone()]) {
                if let (Some(table), None) = (&self.code_scores[item], &layout.values[item]) {
                    let code = digit.wrapping_sub(b'0') as usize;
                    if (1..=table.len()).contains(&code) {
                        work.scores[item] = table[code - 1];
                        work.status[item] = ANSWERED;
                        if let Some(given) = work.given.get_mut(item) {
                            *given = Given::Code(code as u32);
                        }
                        if self.canonical {
                            work.cells[item].push(char::from(digit));
                        }
                        continue;
                    }
                }
            }
            let cell = trim(whole.get(range).unwrap_or(""));
            match column {
                Column::RespondentId if cell.is_empty() => {
                    return Row::Rejected(Some(i), "respondent_id is empty".into())
                }
                Column::Org if cell.is_empty() => {
                    return Row::Rejected(Some(i), "org is empty".into())
                }
                Column::Wave if cell.is_empty() => {
                    return Row::Rejected(Some(i), "wave is empty".into())
                }
                Column::Role => {
                    let mapped = if layout.role_values.is_empty() {
                        None
                    } else {
                        layout.role_values.get(&answer_key(cell)).copied()
                    };
                    match mapped.or_else(|| role_of(instrument, cell)) {
                        Some(r) => role = r as u16,
                        None => {
                            let roles = instrument
                                .roles
                                .iter()
                                .map(|r| r.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ");
                            let reason = if cell.is_empty() {
                                format!("role is empty (roles: {roles})")
                            } else {
                                format!("role `{}` is not defined (roles: {roles})", quoted(cell))
                            };
                            return Row::Rejected(Some(i), reason);
                        }
                    }
                }
                Column::Breakdown(b) if !cell.is_empty() => {
                    let breakdown = &instrument.breakdowns[b];
                    match breakdown.option_of(cell) {
                        // At most 255 options fit a unit code; validation keeps them fewer.
                        Some(option) => work.units[b] = (option + 1) as u8,
                        None => {
                            return Row::Rejected(
                                Some(i),
                                format!(
                                    "`{}` is not an option of breakdown `{}` (options: {}); leave the cell empty if it was not given",
                                    quoted(cell),
                                    breakdown.id,
                                    breakdown
                                        .options
                                        .iter()
                                        .map(|o| o.id.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            )
                        }
                    }
                }
                Column::Unnamed if !cell.is_empty() => {
                    return Row::Rejected(
                        Some(i),
                        format!(
                        "`{}` is in a column without a header; name the column or clear the cell",
                        quoted(cell)
                    ),
                    )
                }
                // An empty cell leaves the item missing, as `cell::parse` would.
                Column::Item(_) if cell.is_empty() => {}
                // LimeSurvey's `N/A`: the question was not answered.
                Column::Item(_) if layout.limesurvey_tokens && is_na(cell) => {}
                // A scale label, looked up (the answer `cell::parse` gives, a unit test checks).
                Column::Item(item)
                    if !self.label_codes[item].is_empty()
                        && !self.canonical
                        && layout.values[item].is_none() =>
                {
                    let found = self.label_codes[item].find(cell);
                    match (found, &self.code_scores[item]) {
                        (Some(0), _) => work.status[item] = NA,
                        (Some(code), Some(table)) => {
                            work.scores[item] = table[code as usize - 1];
                            work.status[item] = ANSWERED;
                            if let Some(given) = work.given.get_mut(item) {
                                *given = Given::Code(code);
                            }
                        }
                        _ => {
                            if let Err(reason) = self.item_cell(layout, item, cell, work) {
                                if let Some(rejected) = self.unreadable(item, i, reason, work) {
                                    return rejected;
                                }
                            }
                        }
                    }
                }
                Column::Item(item) => {
                    if let Err(reason) = self.item_cell(layout, item, cell, work) {
                        if let Some(rejected) = self.unreadable(item, i, reason, work) {
                            return rejected;
                        }
                    }
                }
                Column::Comment(c) => {
                    let max = instrument.comments[c].max_chars;
                    let (text, cut) = crate::comments::cut(cell, max);
                    work.comments[c].push_str(text);
                    work.cut[c] = cut;
                }
                // `N/A` in an option column is no answer, never a choice.
                Column::Option { .. } if is_na(cell) => {}
                Column::Option { slot, option } if !cell.is_empty() => {
                    work.answered[slot] = true;
                    let chosen = if layout.limesurvey_tokens {
                        let item = &instrument.items[layout.option_items[slot]];
                        cell::marks_chosen_strictly(item, option, cell)
                    } else {
                        cell::marks_chosen(cell)
                    };
                    if chosen {
                        work.chosen[slot] += 1;
                        if option < 64 {
                            work.bits[slot] |= 1 << option;
                        }
                        if self.canonical {
                            work.picked[slot][option] = true;
                        }
                    }
                }
                _ => {}
            }
        }
        for (slot, &item) in layout.option_items.iter().enumerate() {
            if work.answered[slot] {
                let def = &instrument.items[item];
                let answer = Answer::Count(work.chosen[slot]);
                work.scores[item] = score::item_score(&def.kind, def.reverse, answer);
                work.status[item] = ANSWERED;
                if let Some(given) = work.given.get_mut(item) {
                    *given = Given::Multi {
                        count: work.chosen[slot],
                        first_64: work.bits[slot],
                    };
                }
                if let (true, ItemKind::Multi { options, .. }) = (self.canonical, &def.kind) {
                    work.cells[item] = cell::options_cell(options, &work.picked[slot]);
                }
            }
        }
        Row::Accepted(role)
    }

    /// Reads one non-empty item cell into `work`, through the profile's `values`.
    fn item_cell(
        &self,
        layout: &Layout,
        item: usize,
        cell: &str,
        work: &mut Work,
    ) -> Result<(), String> {
        let def = &self.instrument.items[item];
        let mapped;
        let (cell, joined) = match &layout.values[item] {
            None => (cell, &layout.joined),
            Some(values) => {
                mapped = map_values(def, values, cell, &layout.joined);
                match &mapped {
                    Mapped::Missing => return Ok(()),
                    Mapped::Cell(text) => (text.as_str(), &Joined::Semicolons),
                    Mapped::Unchanged => (cell, &layout.joined),
                }
            }
        };
        let kept;
        let (cell, joined, (answer, na)) = match cell::parse_joined(def, cell, joined) {
            Ok(parsed) => (cell, joined, parsed),
            Err(_) if layout.other_text && matches!(def.kind, ItemKind::Multi { .. }) => {
                // Microsoft Forms writes an "Other" answer's text as one more choice.
                kept = cell::known_options(def, cell, joined);
                work.others += 1;
                let parsed = cell::parse_joined(def, &kept, &Joined::Semicolons)?;
                (kept.as_str(), &Joined::Semicolons, parsed)
            }
            Err(reason) => return Err(reason),
        };
        work.status[item] = if na {
            NA
        } else if answer == Answer::Missing {
            EMPTY
        } else {
            ANSWERED
        };
        work.scores[item] = match (answer, def.dimension) {
            // Outcomes keep the number as given; scored items become 0–100.
            (Answer::Number(x), None) => x,
            _ => score::item_score(&def.kind, def.reverse, answer),
        };
        if let Some(given) = work.given.get_mut(item) {
            *given = match answer {
                Answer::Missing => Given::Missing,
                Answer::Code(c) => Given::Code(c),
                Answer::Number(x) => Given::Number(x),
                Answer::Bool(b) => Given::Bool(b),
                Answer::Choice(o) => Given::Choice(o),
                Answer::Count(count) => Given::Multi {
                    count,
                    first_64: if work.named[item] {
                        cell::first_64_chosen(def, cell, joined)
                    } else {
                        0
                    },
                },
            };
        }
        if self.canonical {
            work.cells[item] = cell::canonical(def, cell, joined)?;
        }
        Ok(())
    }
}

/// Whether item `item` was read from one column per option and none of them marks an option
/// chosen (each is blank, `0`, `no`, …): for an item that was not asked, no answer at all.
fn only_unchosen(layout: &Layout, item: usize, work: &Work) -> bool {
    layout
        .option_items
        .iter()
        .position(|&i| i == item)
        .is_some_and(|slot| work.chosen[slot] == 0)
}

/// Per item, whether some item's or open question's `show_if` names it.
fn named_by_conditions(instrument: &Instrument) -> Vec<bool> {
    let mut named = vec![false; instrument.items.len()];
    let conditions = instrument
        .items
        .iter()
        .filter_map(|i| i.show_if.as_ref())
        .chain(
            instrument
                .comments
                .iter()
                .filter_map(|c| c.show_if.as_ref()),
        );
    for condition in conditions {
        for item in condition.items() {
            named[item] = true;
        }
    }
    named
}

/// `N/A` (any case, spaces around the slash allowed): a survey tool's "not answered".
fn is_na(cell: &str) -> bool {
    let mut parts = cell.split('/').map(str::trim);
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(n), Some(a), None) if n.eq_ignore_ascii_case("n") && a.eq_ignore_ascii_case("a")
    )
}

/// A cell after the profile's `values`.
enum Mapped {
    Unchanged,
    Missing,
    /// The cell it stands for (a multi cell's options joined by `;`).
    Cell(String),
}

fn map_values(
    def: &crate::instrument::Item,
    values: &std::collections::HashMap<String, Option<String>>,
    cell: &str,
    joined: &Joined,
) -> Mapped {
    if let Some(meaning) = values.get(&answer_key(cell)) {
        return match meaning {
            None => Mapped::Missing,
            Some(text) => Mapped::Cell(text.clone()),
        };
    }
    if !matches!(def.kind, ItemKind::Multi { .. }) {
        return Mapped::Unchanged;
    }
    // A multiple answer: each token through `values` (one trailing separator ignored).
    let cell = match joined {
        Joined::By {
            separator,
            trailing: true,
        } => cell
            .trim_end()
            .strip_suffix(separator.trim())
            .unwrap_or(cell),
        _ => cell,
    };
    let tokens: Vec<&str> = match joined {
        Joined::Semicolons => cell.split(';').collect(),
        Joined::By { separator, .. } if separator.trim().is_empty() => {
            cell.split_whitespace().collect()
        }
        Joined::By { separator, .. } => cell.split(separator.trim()).collect(),
    };
    let mut out: Vec<String> = Vec::new();
    let mut changed = false;
    for token in tokens {
        match values.get(&answer_key(token)) {
            Some(Some(text)) => {
                out.push(text.clone());
                changed = true;
            }
            Some(None) => changed = true,
            None => out.push(token.trim().to_string()),
        }
    }
    match (changed, out.is_empty()) {
        (false, _) => Mapped::Unchanged,
        (true, true) => Mapped::Missing,
        (true, false) => Mapped::Cell(out.join(";")),
    }
}

/// Whether every cell of the record is empty or white space.
fn is_blank(record: &Record) -> bool {
    // The usual row has a visible ASCII character early on.
    if record.has_visible_ascii() {
        return false;
    }
    record
        .iter()
        .all(|c| std::str::from_utf8(c).is_ok_and(|t| t.trim().is_empty()))
}

/// The row is not UTF-8: where (the character column of the first bad byte, counting each
/// delimiter as one) and what to do.
fn not_utf8(record: &Record, valid_up_to: usize) -> Row {
    let bytes = record.as_slice();
    let field = (0..record.len())
        .find(|&i| record.range(i).is_some_and(|r| r.end > valid_up_to))
        .unwrap_or(0);
    let before = String::from_utf8_lossy(&bytes[..valid_up_to])
        .chars()
        .count();
    let column = before + field - record.delimiters_before(field) + 1;
    Row::Fatal(
        column as u64,
        format!(
            "the file is not UTF-8 text (byte 0x{:02X} here); if Excel saved it on Windows, read it with --encoding windows-1252, or save it as UTF-8",
            bytes[valid_up_to]
        ),
    )
}

fn options_of(instrument: &Instrument, item: usize) -> usize {
    match &instrument.items[item].kind {
        ItemKind::Multi { options, .. } => options.len(),
        _ => 0,
    }
}

/// Appends a field of the canonical CSV, quoted when it holds a comma, quote or line end.
pub fn push_csv_field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// For each scale item, the item score of every code `1..=k` (reverse keying applied).
pub fn code_scores(instrument: &Instrument) -> Vec<Option<Vec<f64>>> {
    instrument
        .items
        .iter()
        .map(|item| match &item.kind {
            ItemKind::Scale { labels, .. } => Some(
                (1..=labels.len() as u32)
                    .map(|c| score::item_score(&item.kind, item.reverse, Answer::Code(c)))
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

/// `str::trim`, skipping the Unicode scan for the usual cell that starts and ends with a
/// visible ASCII character (ASCII whitespace and control characters are not graphic).
pub fn trim(text: &str) -> &str {
    match text.as_bytes() {
        [] => text,
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        [only] if only.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// The role a cell names: a role id or label, ignoring case.
pub fn role_of(instrument: &Instrument, cell: &str) -> Option<usize> {
    let ascii = cell.is_ascii();
    instrument.roles.iter().position(|r| {
        r.id.eq_ignore_ascii_case(cell)
            || (!r.label.is_empty() && cell::same_text(&r.label, cell, ascii))
    })
}

/// A scale item's ASCII labels and `na` labels, found by their length first: the common cell
/// that is a label costs one comparison.
#[derive(Debug)]
pub struct Labels {
    /// Each label and its code (0: an `na` label).
    entries: Vec<(String, u32)>,
    /// Per byte length below 64: the entry of that length + 1; 0 for none, `u8::MAX` for
    /// several.
    by_length: [u8; 64],
}

impl Default for Labels {
    fn default() -> Self {
        Labels::new(Vec::new())
    }
}

impl Labels {
    fn new(entries: Vec<(String, u32)>) -> Labels {
        let mut by_length = [0u8; 64];
        for (i, (label, _)) in entries.iter().enumerate() {
            if let Some(slot) = by_length.get_mut(label.len()) {
                *slot = if *slot == 0 && i < 254 {
                    i as u8 + 1
                } else {
                    u8::MAX
                };
            }
        }
        Labels { entries, by_length }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The code of the label `cell` is, ignoring ASCII case (0: an `na` label). Labels are
    /// ASCII, so a cell with other characters never matches.
    pub fn find(&self, cell: &str) -> Option<u32> {
        // Exports usually write a label exactly as the instrument does.
        let same = |label: &String| {
            label.as_bytes() == cell.as_bytes()
                || label.as_bytes().eq_ignore_ascii_case(cell.as_bytes())
        };
        match self.by_length.get(cell.len()).copied().unwrap_or(u8::MAX) {
            0 => None,
            u8::MAX => self.entries.iter().find(|(l, _)| same(l)).map(|e| e.1),
            k => {
                let (label, code) = &self.entries[usize::from(k) - 1];
                same(label).then_some(*code)
            }
        }
    }
}

/// For each scale item, its ASCII labels (code 1..k) and `na` labels (code 0).
pub fn label_codes(instrument: &Instrument) -> Vec<Labels> {
    instrument
        .items
        .iter()
        .map(|item| match &item.kind {
            ItemKind::Scale { labels, na, .. } => Labels::new(
                labels
                    .iter()
                    .zip(1..)
                    .chain(na.iter().map(|l| (l, 0)))
                    .filter(|(l, _)| l.is_ascii())
                    .map(|(l, c)| (l.clone(), c))
                    .collect(),
            ),
            _ => Labels::default(),
        })
        .collect()
}

/// Whether a cell equals a filter value (an [`answer_key`]): ASCII cells without runs of white
/// space are compared directly, others normalised first.
fn same_key(cell: &str, key: &str) -> bool {
    let trimmed = cell.trim();
    // ASCII, and every white space a single space between two other characters.
    let plain = trimmed.is_ascii()
        && !trimmed
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_whitespace() && (w[0] != b' ' || w[1].is_ascii_whitespace()));
    if plain {
        key.eq_ignore_ascii_case(trimmed)
    } else {
        answer_key(cell) == key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looked_up_code_scores_equal_parsed_ones() {
        let instrument = crate::instrument::load_bundled().expect("the bundled instrument");
        let tables = code_scores(&instrument);
        for (item, table) in instrument.items.iter().zip(&tables) {
            let Some(table) = table else { continue };
            for (c, &looked_up) in table.iter().enumerate() {
                let (answer, _) = cell::parse(item, &(c + 1).to_string()).unwrap();
                let parsed = score::item_score(&item.kind, item.reverse, answer);
                assert_eq!(
                    looked_up.to_bits(),
                    parsed.to_bits(),
                    "{} code {}",
                    item.id,
                    c + 1
                );
            }
        }
    }

    #[test]
    fn looked_up_labels_equal_parsed_ones() {
        let instrument = crate::instrument::load_bundled().expect("the bundled instrument");
        let tables = label_codes(&instrument);
        let mut seen = 0;
        for (item, table) in instrument.items.iter().zip(&tables) {
            for (label, code) in &table.entries {
                assert_eq!(table.find(&label.to_lowercase()), Some(*code));
                let upper = label.to_uppercase();
                let parsed = cell::parse(item, &upper).unwrap();
                let looked_up = match code {
                    0 => (Answer::Missing, true),
                    c => (Answer::Code(*c), false),
                };
                assert_eq!(parsed, looked_up, "{} {label}", item.id);
                seen += 1;
            }
        }
        assert!(seen > 200);
    }

    #[test]
    fn filter_values_compare_as_answer_keys() {
        for (cell, key, same) in [
            ("True", "true", true),
            (" Survey  Preview ", "survey preview", true),
            ("Survey Preview", "survey preview", true),
            ("Spam", "preview spam", false),
            ("ÉTÉ", "été", true),
        ] {
            assert_eq!(same_key(cell, key), same, "{cell}");
            assert_eq!(same_key(cell, key), answer_key(cell) == key, "{cell}");
        }
    }

    #[test]
    fn quick_trim_equals_str_trim() {
        for text in [
            "",
            "a",
            " ",
            "ab",
            " a",
            "a ",
            "\ta\t",
            "\u{b}x",
            "x\u{c}",
            "\u{a0}x",
            "x\u{3000}",
            "é",
            "é ",
            "Agree",
            " Strongly agree ",
            "\r4\n",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn canonical_fields_are_quoted_only_when_needed() {
        let mut line = String::new();
        for (i, field) in ["a", "b,c", "say \"hi\"", ""].iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            push_csv_field(&mut line, field);
        }
        assert_eq!(line, "a,\"b,c\",\"say \"\"hi\"\"\",");
    }
}
