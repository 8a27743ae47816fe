//! A response file cut into pieces of whole records, so that each piece can be tokenised (by
//! `csv_core`) and scored on one core, in parallel with the others.
//!
//! Reading stays cheap: when the bytes read hold no quote character, every line end ends a
//! record and a piece simply ends after the last one (`memchr`). A quoted field may span
//! lines, so bytes with quotes are tokenised once on the reading side to find where records
//! end. A piece never ends between the `\r` and `\n` of a CRLF.
//!
//! Physical line numbers follow editors: `\n`, `\r\n` and a lone `\r` each end one line.

use std::io::Read;

/// Bytes read per piece (more when a record is longer).
const PIECE_BYTES: usize = 128 * 1024;

/// Whole records, and how many line ends precede them in the file.
#[derive(Default)]
pub struct Piece {
    pub bytes: Vec<u8>,
    pub lines_before: u64,
}

/// One record's fields: `text[ends[i - 1]..ends[i]]` is field i (unquoted, unescaped).
pub struct Record<'a> {
    text: &'a [u8],
    ends: &'a [usize],
}

impl<'a> Record<'a> {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(start..end)
    }

    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        self.range(i).map(|r| &self.text[r])
    }

    /// Every field, concatenated.
    pub fn as_slice(&self) -> &'a [u8] {
        &self.text[..self.ends.last().copied().unwrap_or(0)]
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

/// Reusable buffers for tokenising, and a tokeniser (building one takes a while).
#[derive(Default)]
pub struct Scratch {
    text: Vec<u8>,
    ends: Vec<usize>,
    reader: Option<csv_core::Reader>,
}

/// Cuts a reader's bytes into pieces; the first record (the header) is taken apart.
pub struct Splitter<R> {
    reader: R,
    /// Bytes read but not yet handed out; they start at a record boundary.
    carry: Vec<u8>,
    eof: bool,
    /// Line ends before `carry`.
    lines_before: u64,
    /// Bytes read per piece (more when a record is longer).
    piece_bytes: usize,
}

impl<R: Read> Splitter<R> {
    pub fn new(reader: R) -> Self {
        Splitter {
            reader,
            carry: Vec::new(),
            eof: false,
            lines_before: 0,
            piece_bytes: PIECE_BYTES,
        }
    }

    /// The first record's fields, or `None` for a file without one. `csv_core` drops a UTF-8
    /// byte order mark at the start of the file here.
    pub fn header(&mut self) -> std::io::Result<Option<Vec<Vec<u8>>>> {
        let mut bytes = Vec::new();
        let mut want = self.piece_bytes;
        loop {
            self.fill(&mut bytes, want)?;
            let mut reader = csv_core::Reader::new();
            let mut scratch = Scratch::default();
            match next_record(&mut reader, &bytes, 0, self.eof, &mut scratch) {
                Some((end, record)) => {
                    if let Some(end) = safe_end(&bytes, end, self.eof) {
                        let fields = record.iter().map(<[u8]>::to_vec).collect();
                        self.lines_before = count_line_ends(&bytes[..end]);
                        self.carry = bytes.split_off(end);
                        return Ok(Some(fields));
                    }
                }
                None if self.eof => return Ok(None),
                None => {}
            }
            want = (bytes.len() * 2).max(1);
        }
    }

    /// Fills `piece` with the next whole records; false at the end of the input.
    pub fn next_piece(&mut self, piece: &mut Piece) -> std::io::Result<bool> {
        piece.bytes.clear();
        let mut want = self.piece_bytes;
        loop {
            self.fill(&mut piece.bytes, want)?;
            if piece.bytes.is_empty() {
                return Ok(false);
            }
            if let Some(cut) = cut_point(&piece.bytes, self.eof) {
                self.carry.extend_from_slice(&piece.bytes[cut..]);
                piece.bytes.truncate(cut);
                piece.lines_before = self.lines_before;
                self.lines_before += count_line_ends(&piece.bytes);
                return Ok(true);
            }
            // One record longer than the bytes read: read on.
            want = (piece.bytes.len() * 2).max(1);
        }
    }

    /// Moves the carried bytes into `bytes`, then reads until it holds `want` bytes or the
    /// input ends.
    fn fill(&mut self, bytes: &mut Vec<u8>, want: usize) -> std::io::Result<()> {
        bytes.append(&mut self.carry);
        while !self.eof && bytes.len() < want {
            let asked = (want - bytes.len()) as u64;
            if (&mut self.reader).take(asked).read_to_end(bytes)? == 0 {
                self.eof = true;
            }
        }
        Ok(())
    }
}

/// Where the first piece of `bytes` (which start at a record boundary) may end: after the last
/// record end that is certain, or `None` when no record is complete yet.
fn cut_point(bytes: &[u8], eof: bool) -> Option<usize> {
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
    // Quoted fields may hold line ends: let the tokeniser say where records end.
    let mut reader = csv_core::Reader::new();
    let mut scratch = Scratch::default();
    let (mut at, mut cut) = (0, None);
    while let Some((end, _)) = next_record(&mut reader, bytes, at, false, &mut scratch) {
        match safe_end(bytes, end, false) {
            Some(safe) => cut = Some(safe),
            None => break,
        }
        at = end;
    }
    cut
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
                let record = Record {
                    text: &scratch.text[..written],
                    ends: &scratch.ends[..ended],
                };
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
pub fn each_record(piece: &Piece, scratch: &mut Scratch, mut each: impl FnMut(&Record, u64)) {
    let bytes = &piece.bytes;
    // Not `unwrap_or_default`: csv_core's `Reader::default()` has no transition table built
    // and never completes a record; `Reader::new()` builds it.
    #[allow(clippy::unwrap_or_default)]
    let mut reader = scratch.reader.take().unwrap_or_else(csv_core::Reader::new);
    reader.reset();
    // csv_core drops a byte order mark at the start of its first input; a piece is not the
    // start of the file, so the reader first sees a line end, which it skips.
    reader.read_record(b"\n", &mut [0; 1], &mut [0; 1]);
    let (mut at, mut counted, mut line) = (0, 0, 1);
    while let Some((end, record)) = next_record(&mut reader, bytes, at, true, scratch) {
        // The record starts after the blank lines the tokeniser skipped.
        let start = at
            + bytes[at..]
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
        line += count_line_ends(&bytes[counted..start]);
        counted = start;
        each(&record, line);
        at = end;
    }
    scratch.reader = Some(reader);
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
        let mut splitter = Splitter::new(Trickle { bytes: text, step });
        splitter.piece_bytes = piece_bytes;
        let header = splitter.header().unwrap();
        let mut rows = Vec::new();
        let (mut piece, mut scratch) = (Piece::default(), Scratch::default());
        while splitter.next_piece(&mut piece).unwrap() {
            each_record(&piece, &mut scratch, |record, line| {
                let fields = record.iter().map(<[u8]>::to_vec).collect();
                rows.push((piece.lines_before + line, fields));
            });
        }
        (header, rows)
    }

    /// The same through the `csv` crate, with each record's line counted naively: the line of
    /// its first byte after skipped blank lines.
    fn oracle(text: &[u8]) -> (Option<Vec<Vec<u8>>>, Rows) {
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
    fn random_csv(seed: u64) -> Vec<u8> {
        let mut state = seed;
        let mut next = move |n: u64| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) % n
        };
        let fields: [&[u8]; 9] = [
            b"",
            b"a",
            b"r1",
            b" Agree ",
            b"\"x,y\"",
            b"\"two\nlines\"",
            b"\"cr\r\nlf\"",
            b"\"say \"\"hi\"\"\"",
            "é".as_bytes(),
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
            for field in 0..1 + next(4) {
                if field > 0 {
                    text.push(b',');
                }
                text.extend_from_slice(fields[next(9) as usize]);
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
            let text = random_csv(seed);
            let expected = oracle(&text);
            for (piece_bytes, step) in [(1, 1), (5, 3), (16, 7), (1 << 17, 1 << 16)] {
                assert_eq!(
                    split(&text, piece_bytes, step),
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
}
