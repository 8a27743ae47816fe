//! Text encodings (SPEC §3, §11): a file starting with a UTF-16 byte order mark is decoded as
//! UTF-16, a file read with `encoding:` (or `--encoding`) through that encoding; everything
//! else passes through untouched as UTF-8, the fast path. Decoding streams: memory does not
//! grow with the file. The only code that knows `encoding_rs`.

use std::io::Read;

/// An encoding named by a profile or `--encoding` (WHATWG labels: `windows-1252`, `latin1`,
/// `utf-16le`, `shift_jis`, …).
#[derive(Clone, Copy)]
pub struct Encoding(&'static encoding_rs::Encoding);

impl std::fmt::Debug for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name())
    }
}

impl PartialEq for Encoding {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Encoding {
    pub fn for_label(label: &str) -> Option<Encoding> {
        encoding_rs::Encoding::for_label(label.trim().as_bytes()).map(Encoding)
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    fn is_utf8(&self) -> bool {
        self.0 == encoding_rs::UTF_8
    }
}

/// The reader's bytes as UTF-8: decoded from UTF-16 when they start with its byte order mark,
/// from `encoding` when one is given (a byte order mark still wins), untouched otherwise.
pub fn utf8_reader<'a>(
    mut reader: Box<dyn Read + Send + 'a>,
    encoding: Option<Encoding>,
) -> std::io::Result<Box<dyn Read + Send + 'a>> {
    let mut start = [0u8; 3];
    let mut filled = 0;
    while filled < start.len() {
        match reader.read(&mut start[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    let head = start[..filled].to_vec();
    let chosen = decoding_for(&head, encoding);
    let whole: Box<dyn Read + Send + 'a> = Box::new(std::io::Cursor::new(head).chain(reader));
    Ok(match chosen {
        Some(e) => decoding(whole, e),
        None => whole,
    })
}

/// The encoding to decode from, for a file starting with `head` (its first bytes) read with
/// `encoding`: `None` when the bytes are UTF-8 already. A byte order mark wins.
pub fn decoding_for(head: &[u8], encoding: Option<Encoding>) -> Option<Encoding> {
    let bom = encoding_rs::Encoding::for_bom(head).map(|(e, _)| Encoding(e));
    bom.or(encoding).filter(|e| !e.is_utf8())
}

/// A reader giving `reader`'s bytes decoded from `encoding` as UTF-8.
pub fn decoding<'a>(
    reader: Box<dyn Read + Send + 'a>,
    encoding: Encoding,
) -> Box<dyn Read + Send + 'a> {
    Box::new(Decoding::new(reader, encoding.0))
}

/// A reader that decodes another reader's bytes into UTF-8 (malformed sequences become
/// U+FFFD, as every text editor shows them).
struct Decoding<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    /// Undecoded bytes are `input[at..end]`.
    at: usize,
    end: usize,
    eof: bool,
    /// Decoded bytes not yet handed out are `output[given..decoded]`.
    output: Vec<u8>,
    given: usize,
    decoded: usize,
    finished: bool,
}

const BUFFER: usize = 64 * 1024;

impl<R: Read> Decoding<R> {
    fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        Decoding {
            inner,
            // The byte order mark, if any, is removed.
            decoder: encoding.new_decoder_with_bom_removal(),
            input: vec![0; BUFFER],
            at: 0,
            end: 0,
            eof: false,
            output: vec![0; BUFFER],
            given: 0,
            decoded: 0,
            finished: false,
        }
    }

    /// Decodes the next stretch into `output`; false at the end.
    fn decode_more(&mut self) -> std::io::Result<bool> {
        while !self.finished {
            if self.at == self.end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.at = 0;
                self.end = n;
                self.eof = n == 0;
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.at..self.end],
                &mut self.output,
                self.eof,
            );
            self.at += read;
            if self.eof && result == encoding_rs::CoderResult::InputEmpty {
                self.finished = true;
            }
            if written > 0 {
                (self.given, self.decoded) = (0, written);
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.given == self.decoded && !self.decode_more()? {
            return Ok(0);
        }
        let n = out.len().min(self.decoded - self.given);
        out[..n].copy_from_slice(&self.output[self.given..self.given + n]);
        self.given += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], encoding: Option<&str>) -> String {
        let encoding = encoding.map(|e| Encoding::for_label(e).expect("known label"));
        let mut reader = utf8_reader(Box::new(bytes), encoding).expect("readable");
        let mut out = String::new();
        reader.read_to_string(&mut out).expect("UTF-8");
        out
    }

    #[test]
    fn utf16_by_byte_order_mark() {
        let text = "org;rôle\r\nacme;hr\r\n";
        let mut le = vec![0xff, 0xfe];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = vec![0xfe, 0xff];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&le, None), text);
        assert_eq!(decode(&be, None), text);
        // A byte order mark wins over a named encoding.
        assert_eq!(decode(&le, Some("windows-1252")), text);
    }

    #[test]
    fn named_encodings_and_untouched_utf8() {
        assert_eq!(decode(b"Caf\xe9,\x80", Some("windows-1252")), "Café,€");
        assert_eq!(decode("Café".as_bytes(), None), "Café");
        assert_eq!(decode(b"\xef\xbb\xbfa", None), "\u{feff}a");
        assert_eq!(decode(b"", Some("latin1")), "");
        assert_eq!(decode(b"ab", None), "ab");
        assert!(Encoding::for_label("klingon").is_none());
    }

    #[test]
    fn long_input_in_small_reads() {
        let text = "é".repeat(100_000);
        let latin1: Vec<u8> = text.chars().map(|_| 0xe9).collect();
        let encoding = Encoding::for_label("latin1");
        let mut reader = utf8_reader(Box::new(&latin1[..]), encoding).unwrap();
        let mut out = Vec::new();
        let mut buffer = [0u8; 7];
        loop {
            let n = reader.read(&mut buffer).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buffer[..n]);
        }
        assert_eq!(String::from_utf8(out).unwrap(), text);
    }
}
