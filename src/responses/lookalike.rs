//! Organization ids that look the same on a page but are different strings: `Acme`, `Acme`
//! with a zero-width space, `Аcme` with a Cyrillic `А`, `Ａcme` in full width. Each would be
//! scored as an organization of its own and shown as "Acme" four times. Ids are compared by a
//! skeleton in the manner of Unicode UTS #39 §4 (confusable detection): NFKC, without default
//! ignorable characters (UAX #44: zero-width, joiners, bidirectional marks, variation
//! selectors, the soft hyphen), runs of white space as one space, and the Cyrillic and Greek
//! letters that are drawn like Latin ones mapped to them (a subset of UTS #39's
//! `confusables.txt`: the letters survey exports mix in). Two ids with one skeleton are warned
//! about, naming both spellings; what to merge is the user's decision.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

/// Default ignorable code points (UAX #44 `Default_Ignorable_Code_Point`, the ranges that
/// occur in text).
fn ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{061c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// The Latin letter a Cyrillic or Greek letter is drawn like (UTS #39 `confusables.txt`).
fn latin(c: char) -> char {
    match c {
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'С' | 'Ϲ' => 'C',
        'Е' | 'Ε' => 'E',
        'Н' | 'Η' => 'H',
        'І' | 'Ι' | 'Ӏ' => 'I',
        'Ј' => 'J',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'О' | 'Ο' => 'O',
        'Р' | 'Ρ' => 'P',
        'Ѕ' => 'S',
        'Т' | 'Τ' => 'T',
        'Х' | 'Χ' => 'X',
        'Υ' | 'Ү' => 'Y',
        'Ζ' => 'Z',
        'а' | 'α' => 'a',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' => 'e',
        'һ' => 'h',
        'і' | 'ι' => 'i',
        'ј' => 'j',
        'κ' => 'k',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'υ' => 'u',
        'ν' => 'v',
        'ԝ' => 'w',
        'х' => 'x',
        'у' => 'y',
        c => c,
    }
}

/// The form two look-alike ids share.
pub fn skeleton(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    let mut space = false;
    for c in id.nfkc().filter(|&c| !ignorable(c)).map(latin) {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// An id with every character outside printable ASCII written as its code point, so two
/// look-alike spellings read differently.
fn spelled(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

/// An id as a message shows it: escaped, then spelled out by code point.
pub fn shown(id: &str) -> String {
    format!("`{}` ({})", crate::terminal::escape(id), spelled(id))
}

/// One warning per group of organization ids that look alike, naming every spelling.
pub fn warnings(orgs: &[String]) -> Vec<String> {
    let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for id in orgs {
        groups.entry(skeleton(id)).or_default().push(id);
    }
    groups
        .into_values()
        .filter(|ids| ids.len() > 1)
        .map(|mut ids| {
            ids.sort_unstable();
            let listed: Vec<String> = ids.iter().map(|id| shown(id)).collect();
            format!(
                "organization ids {} look alike but differ in invisible or look-alike characters, so they are scored as {} separate organizations; if they are one, write its id the same way in every row",
                listed.join(" and "),
                ids.len()
            )
        })
        .collect()
}

/// Adds the look-alike warnings to the dataset's.
pub fn warn(data: &mut super::Dataset) {
    let found = warnings(&data.orgs);
    data.warnings.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alike_ids_share_a_skeleton() {
        let acme = skeleton("Acme");
        assert_eq!(skeleton("Acme\u{200b}"), acme);
        assert_eq!(skeleton("\u{0410}cme"), acme);
        assert_eq!(skeleton("\u{ff21}cme"), acme);
        assert_eq!(skeleton("Acme\u{00a0}"), acme);
        assert_ne!(skeleton("acme"), acme);
        assert_ne!(skeleton("Acne"), acme);
    }

    #[test]
    fn a_warning_names_every_spelling() {
        let orgs = ["Acme", "Beta", "\u{0410}cme"].map(String::from);
        assert_eq!(
            warnings(&orgs),
            vec!["organization ids `Acme` (Acme) and `\u{0410}cme` (\\u{410}cme) look alike but differ in invisible or look-alike characters, so they are scored as 2 separate organizations; if they are one, write its id the same way in every row".to_string()]
        );
        assert!(warnings(&["Acme".to_string(), "acme".to_string()]).is_empty());
    }
}
