//! A response file cut into pieces of whole records, so that each piece can be tokenised and
//! scored on one core, in parallel with the others.
//!
//! Reading stays cheap: when the bytes read hold no quote character, every line end ends a
//! record and a piece simply ends after the last one (`memchr`). A quoted field may span
//! lines, so in bytes with quotes the quotes are followed (again with `memchr`) to find where
//! records end. A piece never ends between the `\r` and `\n` of a CRLF. Header rows are
//! tokenised by `csv_core`; the records of a piece by [`split_record`], which reads exactly as
//! `csv_core` does but looks only at delimiters, quotes and line ends (the oracle test below
//! compares both with the `csv` crate).
//!
//! Physical line numbers follow editors: `\n`, `\r\n` and a lone `\r` each end one line.
//!
//! Memory stays bounded on hostile input (SPEC §3): a header row longer than [`MAX_HEADER`] or
//! a record longer than [`MAX_RECORD`] stops the reading with its line; a quote that is never
//! closed is found by streaming to the end of the input without keeping it, and named with the
//! line where it opened.

use std::io::Read;

/// Bytes read per piece (more when a record is longer).
const PIECE_BYTES: usize = 128 * 1024;

/// The longest header row read (SPEC §3: 1 MiB).
pub const MAX_HEADER: usize = 1 << 20;
/// The longest record read (SPEC §3: 16 MiB).
pub const MAX_RECORD: usize = 16 << 20;

/// Why reading stopped before the end of the input.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// A header row (`header: true`) or record longer than its limit, starting on `line`.
    TooLong {
        header: bool,
        line: u64,
    },
    /// A quote opened on `line`, `column` (1-based characters) is never closed; `lines_after`
    /// lines follow that line.
    UnclosedQuote {
        line: u64,
        column: u64,
        lines_after: u64,
    },
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        ReadError::Io(e)
    }
}

type ReadResult<T> = Result<T, ReadError>;

/// Whole records, and how many line ends precede them in the file.
#[derive(Default)]
pub struct Piece {
    pub bytes: Vec<u8>,
    pub lines_before: u64,
}

/// One record's fields: `text[ends[i - 1]..ends[i]]` is field i (unquoted, unescaped), or,
/// for a record read as written (no quotes), `text` is the record with its delimiters and
/// `ends[i]` where field i ends, so field i is `text[ends[i - 1] + 1..ends[i]]`.
pub struct Record<'a> {
    text: &'a [u8],
    ends: &'a [usize],
    /// The delimiter between the fields of `text`, for a record read as written.
    raw: Option<u8>,
}

impl<'a> Record<'a> {
    /// A record from fields already split: field i is `text[ends[i - 1]..ends[i]]`.
    pub fn new(text: &'a [u8], ends: &'a [usize]) -> Self {
        Record {
            text,
            ends,
            raw: None,
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Where field i lies in [`Record::as_slice`].
    pub fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.ends.get(i)?;
        let start = match (i, self.raw) {
            (0, _) => 0,
            (_, None) => self.ends[i - 1],
            (_, Some(_)) => self.ends[i - 1] + 1,
        };
        Some(start..end)
    }

    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.range(i).map(|r| &self.text[r])
    }

    /// Every field, concatenated, or, for a record read as written, with its delimiters.
    pub fn as_slice(&self) -> &'a [u8] {
        &self.text[..self.ends.last().copied().unwrap_or(0)]
    }

    /// Delimiters between the fields of [`Record::as_slice`] before field i (0 when the
    /// fields are concatenated).
    pub fn delimiters_before(&self, i: usize) -> usize {
        if self.raw.is_some() {
            i
        } else {
            0
        }
    }

    /// Whether some field holds a visible ASCII character.
    pub fn has_visible_ascii(&self) -> bool {
        let visible = |b: &u8| b.is_ascii_graphic() && Some(*b) != self.raw;
        self.as_slice().iter().any(visible)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// Reusable buffers for tokenising.
#[derive(Default)]
pub struct Scratch {
    text: Vec<u8>,
    ends: Vec<usize>,
}

/// A tokeniser for `delimiter`. Not `csv_core::Reader::default()`: that one has no transition
/// table built and never completes a record; the builder builds it.
fn tokeniser(delimiter: u8) -> csv_core::Reader {
    csv_core::ReaderBuilder::new().delimiter(delimiter).build()
}

/// Cuts a reader's bytes into pieces; the header rows are taken apart first.
pub struct Splitter<R> {
    reader: R,
    /// Bytes read but not yet handed out; they start at a record boundary.
    carry: Vec<u8>,
    eof: bool,
    /// Line ends before `carry`.
    lines_before: u64,
    /// Bytes read per piece (more when a record is longer).
    piece_bytes: usize,
    delimiter: u8,
    /// The longest record (tests lower it).
    max_record: usize,
}

impl<R: Read> Splitter<R> {
    pub fn new(reader: R) -> Self {
        Splitter {
            reader,
            carry: Vec::new(),
            eof: false,
            lines_before: 0,
            piece_bytes: PIECE_BYTES,
            delimiter: b',',
            max_record: MAX_RECORD,
        }
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    pub fn set_delimiter(&mut self, delimiter: u8) {
        self.delimiter = delimiter;
    }

    /// Line ends before the bytes not yet handed out.
    pub fn lines_read(&self) -> u64 {
        self.lines_before
    }

    /// Chooses the delimiter the first line uses most outside quotes among `,`, `;` and tab
    /// (`,` when none or a tie with `,`): Excel writes `;` where the decimal mark is a comma,
    /// and tab in its "Unicode text".
    pub fn detect_delimiter(&mut self) -> ReadResult<u8> {
        self.fill_carry(64 * 1024)?;
        let mut counts = [0usize; 3];
        let mut quoted = false;
        for &b in &self.carry {
            match b {
                b'"' => quoted = !quoted,
                b'\n' | b'\r' if !quoted => break,
                b',' if !quoted => counts[0] += 1,
                b';' if !quoted => counts[1] += 1,
                b'\t' if !quoted => counts[2] += 1,
                _ => {}
            }
        }
        let best = (0..3)
            .max_by_key(|&i| (counts[i], usize::from(i == 0)))
            .unwrap_or(0);
        self.delimiter = if counts[best] == 0 {
            b','
        } else {
            [b',', b';', b'\t'][best]
        };
        Ok(self.delimiter)
    }

    /// Takes the next record as a header row: its fields, or `None` at the end of the input.
    /// `csv_core` drops a UTF-8 byte order mark at the start of the file here.
    pub fn header(&mut self) -> ReadResult<Option<Vec<Vec<u8>>>> {
        let Some((fields, end)) = self.front(MAX_HEADER)? else {
            return Ok(None);
        };
        self.lines_before += count_line_ends(&self.carry[..end]);
        self.carry.drain(..end);
        Ok(Some(fields))
    }

    /// The next record's fields without taking it (to decide whether it is a header row).
    pub fn peek(&mut self) -> ReadResult<Option<Vec<Vec<u8>>>> {
        Ok(self.front(MAX_HEADER)?.map(|(fields, _)| fields))
    }

    /// The next record of `carry` (read as far as needed, up to `limit` bytes) and where it
    /// ends.
    fn front(&mut self, limit: usize) -> ReadResult<Option<(Vec<Vec<u8>>, usize)>> {
        let mut want = self.piece_bytes.min(limit + 1);
        loop {
            self.fill_carry(want)?;
            let mut reader = tokeniser(self.delimiter);
            let mut scratch = Scratch::default();
            match next_record(&mut reader, &self.carry, 0, self.eof, &mut scratch) {
                Some((end, record)) => {
                    if let Some(end) = safe_end(&self.carry, end, self.eof) {
                        if end > limit {
                            return Err(self.beyond_limit(true));
                        }
                        let fields = record.iter().map(<[u8]>::to_vec).collect();
                        if self.eof && end == self.carry.len() {
                            self.refuse_unclosed_quote(end)?;
                        }
                        return Ok(Some((fields, end)));
                    }
                }
                None if self.eof => {
                    // Only blank lines (or a byte order mark) were left.
                    self.carry.clear();
                    return Ok(None);
                }
                None => {}
            }
            if self.carry.len() > limit {
                return Err(self.beyond_limit(true));
            }
            want = (self.carry.len() * 2).clamp(1, limit + 1);
        }
    }

    /// Fills `piece` with the next whole records; false at the end of the input.
    pub fn next_piece(&mut self, piece: &mut Piece) -> ReadResult<bool> {
        piece.bytes.clear();
        let mut want = self.piece_bytes;
        loop {
            self.fill(&mut piece.bytes, want)?;
            if piece.bytes.is_empty() {
                return Ok(false);
            }
            if let Some(cut) = cut_point(&piece.bytes, self.eof, self.delimiter) {
                if self.eof && cut == piece.bytes.len() {
                    // The last piece: a quote still open at its end was never closed.
                    std::mem::swap(&mut self.carry, &mut piece.bytes);
                    let refused = self.refuse_unclosed_quote(cut);
                    std::mem::swap(&mut self.carry, &mut piece.bytes);
                    refused?;
                }
                self.carry.extend_from_slice(&piece.bytes[cut..]);
                piece.bytes.truncate(cut);
                piece.lines_before = self.lines_before;
                self.lines_before += count_line_ends(&piece.bytes);
                return Ok(true);
            }
            // One record longer than the bytes read: read on, up to the limit.
            if piece.bytes.len() > self.max_record {
                std::mem::swap(&mut self.carry, &mut piece.bytes);
                return Err(self.beyond_limit(false));
            }
            want = (piece.bytes.len() * 2).clamp(1, self.max_record + 1);
        }
    }

    /// Moves the carried bytes into `bytes`, then reads until it holds `want` bytes or the
    /// input ends.
    fn fill(&mut self, bytes: &mut Vec<u8>, want: usize) -> std::io::Result<()> {
        bytes.append(&mut self.carry);
        self.read_into(bytes, want)
    }

    /// Reads into `carry` until it holds `want` bytes or the input ends.
    fn fill_carry(&mut self, want: usize) -> std::io::Result<()> {
        let mut carry = std::mem::take(&mut self.carry);
        let read = self.read_into(&mut carry, want);
        self.carry = carry;
        read
    }

    fn read_into(&mut self, bytes: &mut Vec<u8>, want: usize) -> std::io::Result<()> {
        while !self.eof && bytes.len() < want {
            let asked = (want - bytes.len()) as u64;
            if (&mut self.reader).take(asked).read_to_end(bytes)? == 0 {
                self.eof = true;
            }
        }
        Ok(())
    }

    /// An error when the first `end` bytes of `carry`, which reach the end of the input, leave
    /// a quote open.
    fn refuse_unclosed_quote(&self, end: usize) -> ReadResult<()> {
        let mut scan = QuoteScan::new(self.delimiter);
        scan.feed(&self.carry[..end]);
        match scan.open {
            Some((line, column)) => Err(ReadError::UnclosedQuote {
                line: self.lines_before + line,
                column,
                lines_after: scan.lines_total() - line,
            }),
            None => Ok(()),
        }
    }

    /// The record at the start of `carry` is longer than its limit. If a quote it opened is
    /// still open, the rest of the input is read (not kept) to see whether it ever closes.
    fn beyond_limit(&mut self, header: bool) -> ReadError {
        let mut scan = QuoteScan::new(self.delimiter);
        scan.feed(&self.carry);
        let start = self.carry.iter().take_while(|&&b| b == b'\n' || b == b'\r');
        let line = self.lines_before + count_line_ends(&self.carry[..start.count()]) + 1;
        if scan.open.is_some() {
            self.carry = Vec::new();
            let mut block = vec![0u8; 1 << 20];
            while scan.open.is_some() {
                match self.reader.read(&mut block) {
                    Ok(0) => break,
                    Ok(n) => scan.feed(&block[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return ReadError::Io(e),
                }
            }
            if let Some((open, column)) = scan.open {
                return ReadError::UnclosedQuote {
                    line: self.lines_before + open,
                    column,
                    lines_after: scan.lines_total() - open,
                };
            }
        }
        ReadError::TooLong { header, line }
    }
}

/// Follows quotes through bytes that start at a record boundary, as `csv_core` reads them: a
/// quote opens a quoted field only at the start of a field, `""` inside is a quote.
struct QuoteScan {
    delimiter: u8,
    state: QuoteState,
    /// Line ends seen, and whether the last byte seen ended a line.
    line_ends: u64,
    at_line_start: bool,
    last_was_cr: bool,
    /// Characters since the start of the current line.
    column: u64,
    /// Where the open quote is: 1-based line (relative to the start) and column.
    open: Option<(u64, u64)>,
}

#[derive(Clone, Copy, PartialEq)]
enum QuoteState {
    FieldStart,
    Field,
    Quoted,
    QuoteInQuoted,
}

impl QuoteScan {
    fn new(delimiter: u8) -> Self {
        QuoteScan {
            delimiter,
            state: QuoteState::FieldStart,
            line_ends: 0,
            at_line_start: true,
            last_was_cr: false,
            column: 0,
            open: None,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        use QuoteState::*;
        for &b in bytes {
            let line_end = b == b'\r' || (b == b'\n' && !self.last_was_cr);
            if b == b'\n' || b == b'\r' {
                if line_end {
                    self.line_ends += 1;
                }
                self.column = 0;
                self.at_line_start = true;
            } else {
                self.at_line_start = false;
                // A UTF-8 continuation byte is not a new character.
                if b & 0xc0 != 0x80 {
                    self.column += 1;
                }
            }
            self.last_was_cr = b == b'\r';
            self.state = match (self.state, b) {
                (FieldStart, b'"') => {
                    self.open = Some((self.line_ends + 1, self.column));
                    Quoted
                }
                (Quoted, b'"') => QuoteInQuoted,
                (Quoted, _) => Quoted,
                (QuoteInQuoted, b'"') => Quoted,
                (_, b'\n' | b'\r') => FieldStart,
                (_, d) if d == self.delimiter => FieldStart,
                _ => Field,
            };
            if self.state != Quoted {
                self.open = None;
            }
        }
    }

    /// Lines seen: line ends, plus a last line without one.
    fn lines_total(&self) -> u64 {
        self.line_ends + u64::from(!self.at_line_start)
    }
}

/// Where the first piece of `bytes` (which start at a record boundary) may end: after the last
/// record end that is certain, or `None` when no record is complete yet.
fn cut_point(bytes: &[u8], eof: bool, delimiter: u8) -> Option<usize> {
    if eof {
        return Some(bytes.len());
    }
    if memchr::memchr(b'"', bytes).is_none() {
        if let Some(i) = memchr::memrchr(b'\n', bytes) {
            return Some(i + 1);
        }
        // No `\n` at all: a `\r` followed by something else is a line end of its own.
        let before_last = &bytes[..bytes.len().saturating_sub(1)];
        return memchr::memrchr(b'\r', before_last).map(|i| i + 1);
    }
    // Quoted fields may hold line ends: follow the quotes, as the tokeniser reads them (a
    // quote opens a field only at its start; `""` inside is a quote), touching only quotes and
    // line ends.
    let (mut at, mut cut, mut quoted) = (0, None, false);
    loop {
        if quoted {
            let Some(i) = memchr::memchr(b'"', &bytes[at..]) else {
                return cut;
            };
            let q = at + i;
            match bytes.get(q + 1) {
                // Whether this quote closes the field depends on the next byte, not read yet.
                None => return cut,
                Some(b'"') => at = q + 2,
                Some(_) => {
                    quoted = false;
                    at = q + 1;
                }
            }
            continue;
        }
        let Some(i) = memchr::memchr3(b'"', b'\n', b'\r', &bytes[at..]) else {
            return cut;
        };
        let p = at + i;
        match bytes[p] {
            b'"' => {
                quoted =
                    p == 0 || matches!(bytes[p - 1], b'\n' | b'\r') || bytes[p - 1] == delimiter;
                at = p + 1;
            }
            b'\r' => match bytes.get(p + 1) {
                // A CRLF may be split here: cut before it.
                None => return cut,
                Some(b'\n') => {
                    cut = Some(p + 2);
                    at = p + 2;
                }
                Some(_) => {
                    cut = Some(p + 1);
                    at = p + 1;
                }
            },
            _ => {
                cut = Some(p + 1);
                at = p + 1;
            }
        }
    }
}

/// A record that ends at `end` may be cut there once it is certain that no `\n` completing a
/// CRLF follows; the cut then comes after that `\n`.
fn safe_end(bytes: &[u8], end: usize, eof: bool) -> Option<usize> {
    match (end.checked_sub(1).map(|i| bytes[i]), bytes.get(end)) {
        (Some(b'\r'), Some(b'\n')) => Some(end + 1),
        (Some(b'\r'), None) if !eof => None,
        _ => Some(end),
    }
}

/// Tokenises the record that starts at or after `at` (blank lines are skipped): returns where
/// it ends and its fields, or `None` when no whole record follows. With `last`, the bytes end
/// the input, so a final record needs no line end.
fn next_record<'s>(
    reader: &mut csv_core::Reader,
    bytes: &[u8],
    mut at: usize,
    last: bool,
    scratch: &'s mut Scratch,
) -> Option<(usize, Record<'s>)> {
    use csv_core::ReadRecordResult as Read;
    if scratch.text.is_empty() {
        scratch.text.resize(1024, 0);
        scratch.ends.resize(64, 0);
    }
    let (mut written, mut ended) = (0, 0);
    loop {
        let input = &bytes[at..];
        let (result, n_in, n_out, n_ends) = reader.read_record(
            input,
            &mut scratch.text[written..],
            &mut scratch.ends[ended..],
        );
        at += n_in;
        written += n_out;
        ended += n_ends;
        match result {
            Read::Record => {
                let record = Record::new(&scratch.text[..written], &scratch.ends[..ended]);
                return Some((at, record));
            }
            Read::OutputFull => {
                let len = scratch.text.len();
                scratch.text.resize(len * 2, 0);
            }
            Read::OutputEndsFull => {
                let len = scratch.ends.len();
                scratch.ends.resize(len * 2, 0);
            }
            // All bytes read: at the end of the input, the next turn passes no bytes, which
            // tells the tokeniser so and completes a record without a line end.
            Read::InputEmpty if last && !input.is_empty() => {}
            Read::InputEmpty | Read::End => return None,
        }
    }
}

/// Calls `each` with every record of a piece and the 1-based line it starts on, counted from
/// the start of the piece.
pub fn each_record(
    piece: &Piece,
    delimiter: u8,
    scratch: &mut Scratch,
    mut each: impl FnMut(&Record, u64),
) {
    let bytes = &piece.bytes;
    let (mut at, mut counted, mut line) = (0, 0, 1);
    while let Some((start, end, raw)) = split_record(bytes, at, delimiter, scratch) {
        line += count_line_ends(&bytes[counted..start]);
        counted = start;
        let record = match raw {
            Some(written) => Record {
                text: &bytes[written],
                ends: &scratch.ends,
                raw: Some(delimiter),
            },
            None => Record::new(&scratch.text, &scratch.ends),
        };
        each(&record, line);
        at = end;
    }
}

/// Where each field of a record without quotes ends: the positions of its delimiters, then
/// its length. Eight bytes are compared at a time, as one word: a byte of `word ^ pattern` is
/// zero where the delimiter is, and the word arithmetic below marks exactly those bytes (no
/// carry crosses a byte), so only the delimiters found cost a step each.
fn delimiter_ends(record: &[u8], delimiter: u8, ends: &mut Vec<usize>) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let pattern = u64::from_ne_bytes([delimiter; 8]);
    let (words, rest) = record.as_chunks::<8>();
    for (k, word) in words.iter().enumerate() {
        let x = u64::from_le_bytes(*word) ^ pattern;
        // Bit 7 of each byte: set exactly where that byte of `x` is zero.
        let mut found = !(((x & LOW7) + LOW7) | x | LOW7);
        while found != 0 {
            ends.push(8 * k + (found.trailing_zeros() / 8) as usize);
            found &= found - 1;
        }
    }
    let base = 8 * words.len();
    for (j, &b) in rest.iter().enumerate() {
        if b == delimiter {
            ends.push(base + j);
        }
    }
    ends.push(record.len());
}

/// Splits the record that starts at or after `at` (blank lines are skipped) into
/// `scratch.text` and `scratch.ends`, exactly as `csv_core` reads it with its defaults (the
/// oracle test compares the two through the `csv` crate): a quote opens a quoted field only
/// at the start of a field, `""` inside it is a quote, what follows its closing quote up to
/// the next delimiter is kept as written, and `\n`, `\r` or `\r\n` end the record. The bytes
/// are the whole input (a last record needs no line end). Returns where the record starts,
/// where the next one may start and, for a record without any quote, where it is written in
/// `bytes`: its text is then not copied, and `scratch.ends` holds where its fields end there
/// (see [`Record`]); `None` when no record follows.
///
/// Faster than a byte-by-byte automaton: only delimiters, quotes and line ends are looked for
/// (`memchr`), and the text between them is copied in one piece.
fn split_record(
    bytes: &[u8],
    mut at: usize,
    delimiter: u8,
    scratch: &mut Scratch,
) -> Option<(usize, usize, Option<std::ops::Range<usize>>)> {
    while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
        at += 1;
    }
    if at == bytes.len() {
        return None;
    }
    let start = at;
    let (text, ends) = (&mut scratch.text, &mut scratch.ends);
    text.clear();
    ends.clear();
    // The usual record has no quote: its fields are read where they are written.
    let stop = memchr::memchr3(b'\n', b'\r', b'"', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    if bytes.get(stop) != Some(&b'"') {
        delimiter_ends(&bytes[start..stop], delimiter, ends);
        let next = match bytes.get(stop..stop + 2) {
            Some(b"\r\n") => stop + 2,
            _ => (stop + 1).min(bytes.len()),
        };
        return Some((start, next, Some(start..stop)));
    }
    // The fields before the one holding the first quote have neither quotes nor line ends:
    // their ends are found as in a record without quotes, then each is copied.
    if let Some(last) = memchr::memrchr(delimiter, &bytes[start..stop]) {
        delimiter_ends(&bytes[start..start + last], delimiter, ends);
        let mut from = start;
        for end in ends.iter_mut() {
            text.extend_from_slice(&bytes[from..start + *end]);
            from = start + *end + 1;
            *end = text.len();
        }
        at = start + last + 1;
    }
    loop {
        // One field, starting at `at`.
        if bytes.get(at) == Some(&b'"') {
            at += 1;
            loop {
                match memchr::memchr(b'"', &bytes[at..]) {
                    // Never closed: the rest of the input is the field (the reader refuses
                    // such a file before it gets here).
                    None => {
                        text.extend_from_slice(&bytes[at..]);
                        ends.push(text.len());
                        return Some((start, bytes.len(), None));
                    }
                    Some(i) => {
                        text.extend_from_slice(&bytes[at..at + i]);
                        at += i + 1;
                        if bytes.get(at) == Some(&b'"') {
                            text.push(b'"');
                            at += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
        }
        match memchr::memchr3(delimiter, b'\n', b'\r', &bytes[at..]) {
            None => {
                text.extend_from_slice(&bytes[at..]);
                ends.push(text.len());
                return Some((start, bytes.len(), None));
            }
            Some(i) => {
                text.extend_from_slice(&bytes[at..at + i]);
                ends.push(text.len());
                let stop = at + i;
                if bytes[stop] == delimiter {
                    at = stop + 1;
                    continue;
                }
                let next = if bytes[stop] == b'\r' && bytes.get(stop + 1) == Some(&b'\n') {
                    stop + 2
                } else {
                    stop + 1
                };
                return Some((start, next, None));
            }
        }
    }
}

/// Line ends in `bytes`, which do not start between the `\r` and `\n` of a CRLF.
fn count_line_ends(bytes: &[u8]) -> u64 {
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&i| !(bytes[i] == b'\n' && i > 0 && bytes[i - 1] == b'\r'))
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `step` bytes per read, so pieces and reads split records anywhere.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    type Rows = Vec<(u64, Vec<Vec<u8>>)>;

    /// Header and records with their lines, through pieces of `piece_bytes`.
    fn split(text: &[u8], piece_bytes: usize, step: usize) -> (Option<Vec<Vec<u8>>>, Rows) {
        split_with(text, piece_bytes, step, b',')
    }

    fn split_with(
        text: &[u8],
        piece_bytes: usize,
        step: usize,
        delimiter: u8,
    ) -> (Option<Vec<Vec<u8>>>, Rows) {
        let mut splitter = Splitter::new(Trickle { bytes: text, step });
        splitter.piece_bytes = piece_bytes;
        splitter.set_delimiter(delimiter);
        let header = splitter.header().map_err(|e| format!("{e:?}")).unwrap();
        let mut rows = Vec::new();
        let (mut piece, mut scratch) = (Piece::default(), Scratch::default());
        while splitter
            .next_piece(&mut piece)
            .map_err(|e| format!("{e:?}"))
            .unwrap()
        {
            each_record(&piece, delimiter, &mut scratch, |record, line| {
                let fields = record.iter().map(<[u8]>::to_vec).collect();
                rows.push((piece.lines_before + line, fields));
            });
        }
        (header, rows)
    }

    /// The same through the `csv` crate, with each record's line counted naively: the line of
    /// its first byte after skipped blank lines.
    fn oracle(text: &[u8], delimiter: u8) -> (Option<Vec<Vec<u8>>>, Rows) {
        let mut line_of = Vec::with_capacity(text.len() + 1);
        let mut line = 1;
        for (i, &b) in text.iter().enumerate() {
            line_of.push(line);
            let crlf = b == b'\r' && text.get(i + 1) == Some(&b'\n');
            if (b == b'\n' || b == b'\r') && !crlf {
                line += 1;
            }
        }
        line_of.push(line);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text);
        let mut records = Vec::new();
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let mut start = record.position().unwrap().byte() as usize;
            while matches!(text.get(start), Some(b'\n' | b'\r')) {
                start += 1;
            }
            let fields = record.iter().map(<[u8]>::to_vec).collect();
            records.push((line_of[start], fields));
        }
        let mut records = records.into_iter();
        let header = records.next().map(|(_, fields)| fields);
        (header, records.collect())
    }

    /// Random CSV text: quoted fields with commas, quotes and line ends of every kind, blank
    /// lines, a byte order mark, a last record with or without a line end.
    fn random_csv(seed: u64, delimiter: u8) -> Vec<u8> {
        let mut rng = crate::rng::SplitMix64::new(seed);
        let mut next = move |n: u64| rng.next_u64() % n;
        let fields: [&[u8]; 12] = [
            b"",
            b"a",
            b"r1",
            b" Agree ",
            b"\"x,y\"",
            b"\"two\nlines\"",
            b"\"cr\r\nlf\"",
            b"\"say \"\"hi\"\"\"",
            "é".as_bytes(),
            // A quote inside an unquoted field is a plain character; so is one after a closed
            // quoted field.
            b"ab\"c",
            b"\"q\"x\"",
            b"\"\"",
        ];
        let ends: [&[u8]; 3] = [b"\n", b"\r\n", b"\r"];
        let mut text = Vec::new();
        if next(4) == 0 {
            text.extend_from_slice(b"\xef\xbb\xbf");
        }
        let rows = next(30);
        for row in 0..rows {
            if next(6) == 0 {
                text.extend_from_slice(ends[next(3) as usize]);
            }
            for field in 0..1 + next(8) {
                if field > 0 {
                    text.push(delimiter);
                }
                text.extend_from_slice(fields[next(12) as usize]);
            }
            if row + 1 < rows || next(2) == 0 {
                text.extend_from_slice(ends[next(3) as usize]);
            }
        }
        text
    }

    #[test]
    fn pieces_give_the_records_and_lines_of_the_csv_crate() {
        for seed in 0..250 {
            // Every third seed with `;` (whose fields then hold plain commas).
            let delimiter = if seed % 3 == 0 { b';' } else { b',' };
            let text = random_csv(seed, delimiter);
            let expected = oracle(&text, delimiter);
            for (piece_bytes, step) in [(1, 1), (5, 3), (16, 7), (1 << 17, 1 << 16)] {
                assert_eq!(
                    split_with(&text, piece_bytes, step, delimiter),
                    expected,
                    "seed {seed}, pieces of {piece_bytes}: {:?}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    #[test]
    fn an_empty_input_has_no_header() {
        assert_eq!(split(b"", 16, 16), (None, Vec::new()));
        assert_eq!(split(b"\r\n\n", 16, 16), (None, Vec::new()));
    }

    #[test]
    fn blank_lines_before_a_record_count() {
        let (_, rows) = split(b"h\n\n\r\nr1\rr2", 4, 2);
        assert_eq!(
            rows,
            vec![(4, vec![b"r1".to_vec()]), (5, vec![b"r2".to_vec()])]
        );
    }

    /// The error reading `text` ends with, through pieces of `piece_bytes` and records of at
    /// most `max_record` bytes.
    fn failure(text: &[u8], piece_bytes: usize, max_record: usize) -> String {
        let mut splitter = Splitter::new(Trickle {
            bytes: text,
            step: 3,
        });
        splitter.piece_bytes = piece_bytes;
        splitter.max_record = max_record;
        let outcome = (|| {
            splitter.header()?;
            let mut piece = Piece::default();
            while splitter.next_piece(&mut piece)? {}
            Ok::<(), ReadError>(())
        })();
        match outcome {
            Ok(()) => "read".into(),
            Err(ReadError::Io(e)) => format!("io {e}"),
            Err(ReadError::TooLong { header, line }) => format!("too long {header} {line}"),
            Err(ReadError::UnclosedQuote {
                line,
                column,
                lines_after,
            }) => format!("unclosed {line}:{column} +{lines_after}"),
        }
    }

    #[test]
    fn an_unclosed_quote_names_where_it_opened_and_the_lines_after_it() {
        let text = b"h1,h2\na,b\nc,\"d\ne,f\r\ng,h\n";
        for piece_bytes in [1, 4, 64, 1 << 17] {
            assert_eq!(failure(text, piece_bytes, 1 << 20), "unclosed 3:3 +2");
        }
        // Without a final line end, and in the header itself.
        assert_eq!(failure(b"h\n\"x\ny", 8, 1 << 20), "unclosed 2:1 +1");
        assert_eq!(failure(b"a,\"b\nc\nd", 8, 1 << 20), "unclosed 1:3 +2");
        // A quote inside an unquoted field is a plain character; `""` is an escaped quote.
        assert_eq!(failure(b"h\nab\"c\n\"x\"\"y\"\n", 4, 1 << 20), "read");
    }

    #[test]
    fn long_records_stop_with_their_line_and_unclosed_quotes_still_win() {
        let mut text = b"h\nok\n\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 100));
        text.extend_from_slice(b"\nlast\n");
        assert_eq!(failure(&text, 8, 64), "too long false 4");
        assert_eq!(failure(&text, 8, 128), "read");
        // Past the limit inside a quote that never closes: the whole rest is read.
        let mut open = b"h\nok\n\"".to_vec();
        open.extend(std::iter::repeat_n(b'x', 100));
        open.extend_from_slice(b"\n1\n2\n3");
        assert_eq!(failure(&open, 8, 64), "unclosed 3:1 +3");
        // A quote that closes after the limit: the record is too long.
        let mut closed = b"h\n\"".to_vec();
        closed.extend(std::iter::repeat_n(b'x', 100));
        closed.extend_from_slice(b"\"\nz\n");
        assert_eq!(failure(&closed, 8, 64), "too long false 2");
    }

    #[test]
    fn a_header_longer_than_a_mebibyte_is_refused_without_reading_on() {
        let huge = vec![b'a'; MAX_HEADER + 10];
        assert_eq!(failure(&huge, 1 << 17, MAX_RECORD), "too long true 1");
    }

    #[test]
    fn delimiters_are_detected_from_the_first_line() {
        for (text, expected) in [
            (&b"a;b;c\n1,5;2;3\n"[..], b';'),
            (b"a\tb\n", b'\t'),
            (b"a,b;c,d\n", b','),
            (b"\"x;y\",b\n", b','),
            (b"single\n", b','),
            (b"", b','),
        ] {
            let mut splitter = Splitter::new(text);
            assert_eq!(splitter.detect_delimiter().unwrap(), expected, "{text:?}");
        }
    }

    #[test]
    fn semicolon_pieces_split_on_semicolons() {
        let mut splitter = Splitter::new(&b"a;b\n\"x;y\";2\n"[..]);
        splitter.set_delimiter(b';');
        assert_eq!(
            splitter.header().unwrap(),
            Some(vec![b"a".to_vec(), b"b".to_vec()])
        );
        let (mut piece, mut scratch) = (Piece::default(), Scratch::default());
        let mut rows = Vec::new();
        while splitter.next_piece(&mut piece).unwrap() {
            each_record(&piece, b';', &mut scratch, |record, line| {
                rows.push((line, record.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()));
            });
        }
        assert_eq!(rows, vec![(1, vec![b"x;y".to_vec(), b"2".to_vec()])]);
    }

    #[test]
    fn delimiters_are_found_in_every_byte_of_a_word() {
        let mut rng = crate::rng::SplitMix64::new(21);
        let mut ends = Vec::new();
        for len in 0..300 {
            let record: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.next_u64().is_multiple_of(5) {
                        b';'
                    } else {
                        b'x'
                    }
                })
                .collect();
            ends.clear();
            delimiter_ends(&record, b';', &mut ends);
            let mut naive: Vec<usize> = (0..len).filter(|&i| record[i] == b';').collect();
            naive.push(len);
            assert_eq!(ends, naive, "length {len}");
        }
    }

    #[test]
    fn a_record_read_as_written_has_the_fields_of_a_copied_one() {
        for text in [&b",,"[..], b" , ;", b"a,,bc", b""] {
            let mut ends = Vec::new();
            delimiter_ends(text, b',', &mut ends);
            let raw = Record {
                text,
                ends: &ends,
                raw: Some(b','),
            };
            let fields: Vec<&[u8]> = text.split(|&b| b == b',').collect();
            let joined = fields.concat();
            let mut copied_ends = Vec::new();
            for f in &fields {
                copied_ends.push(copied_ends.last().copied().unwrap_or(0) + f.len());
            }
            let copied = Record::new(&joined, &copied_ends);
            assert_eq!(
                raw.iter().collect::<Vec<_>>(),
                copied.iter().collect::<Vec<_>>()
            );
            assert_eq!(raw.has_visible_ascii(), copied.has_visible_ascii());
            assert_eq!(raw.len(), copied.len());
        }
    }
}
