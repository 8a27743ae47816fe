//! Text rules shared by headers, answers and messages: how a header is normalised before it is
//! compared (SPEC §11), how an exported answer is compared with a profile's `values`, and how
//! much of a user's value a message may quote (SPEC §3: 80 characters, then `…`).

use unicode_normalization::UnicodeNormalization;

/// The most characters of one value a message quotes.
pub const QUOTED_CHARS: usize = 80;

/// `value` as a message quotes it: at most [`QUOTED_CHARS`] characters, then `…`.
pub fn quoted(value: &str) -> std::borrow::Cow<'_, str> {
    match value.char_indices().nth(QUOTED_CHARS) {
        None => value.into(),
        Some((cut, _)) => format!("{}…", &value[..cut]).into(),
    }
}

/// A long header as a list of headers quotes it: its end, where the rows of a grid differ
/// (`…[It can influence the CPS.]`), at most [`QUOTED_CHARS`] characters.
pub fn quoted_end(value: &str) -> std::borrow::Cow<'_, str> {
    let count = value.chars().count();
    if count <= QUOTED_CHARS {
        return value.into();
    }
    let (cut, _) = value
        .char_indices()
        .nth(count - (QUOTED_CHARS - 1))
        .expect("a character at the cut");
    format!("…{}", &value[cut..]).into()
}

/// A header as it is compared: Unicode NFKC, lowercased, every run of white space one space,
/// leading and trailing punctuation and spaces removed (`" Org: "` → `org`).
pub fn normalize(header: &str) -> String {
    let folded: String = header.nfkc().flat_map(char::to_lowercase).collect();
    let words = collapse_spaces(&folded);
    words
        .trim_matches(|c: char| c.is_whitespace() || is_punctuation(c))
        .to_string()
}

/// An answer as it is compared with a profile's `values`: NFKC, lowercased, runs of white space
/// as one space, trimmed (punctuation kept: `-99` stays `-99`).
pub fn answer_key(answer: &str) -> String {
    let folded: String = answer.nfkc().flat_map(char::to_lowercase).collect();
    collapse_spaces(&folded).trim().to_string()
}

fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// ASCII punctuation and the general punctuation Unicode writes around questions (`¿`, `“`,
/// `…`).
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(
            c,
            '\u{a1}' | '\u{ab}' | '\u{bb}' | '\u{bf}' | '\u{2010}'
                ..='\u{205e}' | '\u{3001}' | '\u{3002}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_at_80_characters() {
        assert_eq!(quoted("short"), "short");
        let exact = "é".repeat(80);
        assert_eq!(quoted(&exact), exact);
        let long = "x".repeat(81);
        assert_eq!(quoted(&long), format!("{}…", "x".repeat(80)));
    }

    #[test]
    fn headers_normalise() {
        assert_eq!(normalize(" Org "), "org");
        assert_eq!(normalize("Respondent_ID"), "respondent_id");
        assert_eq!(normalize("How often do we meet?"), "how often do we meet");
        assert_eq!(normalize("“Quoted”  text\u{a0}here…"), "quoted” text here");
        // NFKC: the full-width letters and the ligature become plain ones.
        assert_eq!(normalize("ＯＲＧ"), "org");
        assert_eq!(normalize("ﬁnance"), "finance");
        assert_eq!(normalize("_uuid"), "uuid");
        assert_eq!(normalize("Q2[SQ001]"), "q2[sq001");
        assert_eq!(normalize("..."), "");
    }

    #[test]
    fn answers_keep_their_punctuation() {
        assert_eq!(answer_key(" -99 "), "-99");
        assert_eq!(answer_key("HR   business\tpartner"), "hr business partner");
    }
}
