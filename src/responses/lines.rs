//! Physical line numbers for the records of the organizations file (response files count
//! their lines piece by piece, in [`super::pieces`]).
//!
//! The `csv` crate's own line counter disagrees with editors on CRLF files, so we count line
//! ends ourselves as bytes stream past: `\n`, `\r\n` and a lone `\r` each end one line. The
//! reader remembers the offsets of line ends it has passed but that no record has reached yet,
//! so memory stays bounded by the CSV reader's look-ahead.

use std::collections::VecDeque;
use std::io::Read;

pub struct LineCounter<R> {
    inner: R,
    offset: u64,
    after_cr: bool,
    pending: VecDeque<u64>,
    passed: u64,
}

impl<R: Read> LineCounter<R> {
    pub fn new(inner: R) -> Self {
        LineCounter {
            inner,
            offset: 0,
            after_cr: false,
            pending: VecDeque::new(),
            passed: 0,
        }
    }

    /// The 1-based line on which the byte at `offset` lies. Offsets must not decrease between
    /// calls (records are read in order).
    pub fn line_at(&mut self, offset: u64) -> u64 {
        while self.pending.front().is_some_and(|&end| end < offset) {
            self.pending.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let after_cr = match i {
                0 => self.after_cr,
                _ => bytes[i - 1] == b'\r',
            };
            if !(bytes[i] == b'\n' && after_cr) {
                self.pending.push_back(self.offset + i as u64);
            }
        }
        if let Some(&last) = bytes.last() {
            self.after_cr = last == b'\r';
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &str, offsets: &[u64]) -> Vec<u64> {
        let mut counter = LineCounter::new(text.as_bytes());
        let mut sink = Vec::new();
        counter.read_to_end(&mut sink).unwrap();
        offsets.iter().map(|&o| counter.line_at(o)).collect()
    }

    #[test]
    fn counts_lf_crlf_and_lone_cr() {
        // "a\nb\r\nc\rd": a on 1, b on 2, c on 3, d on 4
        assert_eq!(lines_of("a\nb\r\nc\rd", &[0, 2, 5, 7]), vec![1, 2, 3, 4]);
    }

    /// A reader that hands out one byte per call, so a CRLF arrives in two reads.
    struct ByteByByte<'a>(&'a [u8]);

    impl Read for ByteByByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((&byte, rest)), Some(slot)) => {
                    *slot = byte;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn a_crlf_split_between_reads_ends_one_line() {
        let mut counter = LineCounter::new(ByteByByte(b"a\r\nb\r\r\nc"));
        std::io::copy(&mut counter, &mut std::io::sink()).unwrap();
        // a on 1, b on 2, an empty line 3, c on 4
        let lines: Vec<u64> = [0, 3, 5, 7].iter().map(|&o| counter.line_at(o)).collect();
        assert_eq!(lines, vec![1, 2, 3, 4]);
    }
}
