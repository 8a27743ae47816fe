//! One cell of a response file → one [`Answer`], or the reason it cannot be read (SPEC §3),
//! and the canonical text of a cell for `import` (SPEC §11).
//!
//! Cells arrive trimmed. Options and labels are matched ignoring case. A multiple answer is
//! `;`-separated (§3) or joined the way its survey tool joins it ([`Joined`]). The reasons are
//! written for the person who will correct the file and quote at most 80 characters of it.

use super::text::quoted;
use crate::instrument::{Item, ItemKind};
use crate::score::Answer;

/// A parsed cell: the answer and whether it was an explicit `na` label.
pub type Parsed = Result<(Answer, bool), String>;

/// How the options of a multiple answer are joined in one cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Joined {
    /// `;`-separated tokens, each trimmed (SPEC §3).
    Semicolons,
    /// Joined by `separator` (`, ` for Google Forms, a space for Kobo and ODK); options are
    /// matched longest first, so a label that contains the separator still works. With
    /// `trailing`, one separator after the last option is ignored (Microsoft Forms).
    By { separator: String, trailing: bool },
}

pub fn parse(item: &Item, cell: &str) -> Parsed {
    parse_joined(item, cell, &Joined::Semicolons)
}

pub fn parse_joined(item: &Item, cell: &str, joined: &Joined) -> Parsed {
    let parsed = parse_one(item, cell, joined);
    // An answer written as a name (Kobo, ODK: `strongly_agree`) is its label in words.
    if parsed.is_err() && cell.contains('_') && !matches!(item.kind, ItemKind::Multi { .. }) {
        if let Ok(found) = parse_one(item, &cell.replace('_', " "), joined) {
            return Ok(found);
        }
    }
    parsed
}

fn parse_one(item: &Item, cell: &str, joined: &Joined) -> Parsed {
    if cell.is_empty() {
        return Ok((Answer::Missing, false));
    }
    match &item.kind {
        ItemKind::Scale { scale, labels, na } => {
            let ascii = cell.is_ascii();
            if let Ok(code) = cell.parse::<u32>() {
                if (1..=labels.len() as u32).contains(&code) && !cell.starts_with('+') {
                    return Ok((Answer::Code(code), false));
                }
            } else if let Some(i) = labels.iter().position(|l| same_text(l, cell, ascii)) {
                return Ok((Answer::Code(i as u32 + 1), false));
            } else if na.iter().any(|l| same_text(l, cell, ascii)) {
                return Ok((Answer::Missing, true));
            }
            Err(format!(
                "`{}` is not a code 1–{} or a label of scale `{scale}`",
                quoted(cell),
                labels.len()
            ))
        }
        ItemKind::Number { min, max } => match cell.parse::<f64>() {
            Ok(x) if x.is_finite() && cell.bytes().any(|b| b.is_ascii_digit()) => {
                if x < *min || x > *max {
                    Err(format!(
                        "`{}` is outside the allowed range {min}–{max}",
                        quoted(cell)
                    ))
                } else {
                    Ok((Answer::Number(x), false))
                }
            }
            _ if cell.contains(',') && cell.replace(',', ".").parse::<f64>().is_ok() => {
                Err(format!(
                    "`{}` is not a number; write decimals with a point, not a comma",
                    quoted(cell)
                ))
            }
            _ => Err(format!("`{}` is not a number", quoted(cell))),
        },
        ItemKind::Boolean => {
            let is = |word: &str| cell.eq_ignore_ascii_case(word);
            if is("yes") || is("true") || cell == "1" {
                Ok((Answer::Bool(true), false))
            } else if is("no") || is("false") || cell == "0" {
                Ok((Answer::Bool(false), false))
            } else {
                Err(format!(
                    "`{}` is not yes/no, true/false or 1/0",
                    quoted(cell)
                ))
            }
        }
        ItemKind::Choice { options } => {
            let ascii = cell.is_ascii();
            let exact = options.iter().position(|o| o.id == cell);
            match exact.or_else(|| {
                options
                    .iter()
                    .position(|o| same_text(&o.id, cell, ascii) || same_text(&o.label, cell, ascii))
            }) {
                Some(i) => Ok((Answer::Choice(i), false)),
                None => Err(format!(
                    "`{}` is not an option of `{}` (options: {})",
                    quoted(cell),
                    item.id,
                    options
                        .iter()
                        .map(|o| o.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        }
        ItemKind::Multi { .. } => {
            // Distinct options chosen: a token repeated in one cell counts once. The first 64
            // options are marked in a bit set (no allocation per cell), any further in a list.
            let mut first_64 = 0u64;
            let mut beyond: Vec<usize> = Vec::new();
            each_option(item, cell, joined, |i| match i {
                i if i < 64 => first_64 |= 1 << i,
                i => {
                    if !beyond.contains(&i) {
                        beyond.push(i);
                    }
                }
            })?;
            Ok((
                Answer::Count(first_64.count_ones() + beyond.len() as u32),
                false,
            ))
        }
    }
}

/// `text.split(separator)` for an ASCII separator, by a plain byte loop: on the short parts
/// of a cell, faster than the searcher `str::split` sets up for each part.
fn split_ascii(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.bytes().position(|b| b == separator) {
            Some(at) => {
                rest = Some(&current[at + 1..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// The labels of a multi item's options, in option order (an option without a label is
/// labelled by its id).
pub fn multi_labels(item: &Item) -> &[String] {
    match &item.kind {
        ItemKind::Multi {
            labels: Some(labels),
            ..
        } => labels,
        ItemKind::Multi { options, .. } => options,
        _ => &[],
    }
}

/// Calls `chosen` with the index of every option named in a multi cell (`none` names none).
fn each_option(
    item: &Item,
    cell: &str,
    joined: &Joined,
    mut chosen: impl FnMut(usize),
) -> Result<(), String> {
    let ItemKind::Multi { options, .. } = &item.kind else {
        return Ok(());
    };
    let labels = multi_labels(item);
    // Labels that are the ids themselves need no second look.
    let distinct_labels = matches!(
        item.kind,
        ItemKind::Multi {
            labels: Some(_),
            ..
        }
    );
    // Tokens usually come in option order, so the search for an id starts after the option
    // found last (ids are unique within an item: where the search starts changes nothing).
    let mut after = 0;
    let mut find = |token: &str| {
        // The usual token is an id exactly as written in the instrument.
        let n = options.len();
        let exact = (0..n)
            .map(|k| (after + k) % n)
            .find(|&i| options[i] == token);
        if let Some(i) = exact {
            after = i + 1;
            return Some(i);
        }
        let ascii = token.is_ascii();
        options
            .iter()
            .zip(labels)
            .position(|(id, label)| {
                same_text(id, token, ascii) || (distinct_labels && same_text(label, token, ascii))
            })
            .or_else(|| {
                // An option name (Kobo, ODK) is its label in words.
                let words = token.contains('_').then(|| token.replace('_', " "))?;
                labels
                    .iter()
                    .position(|label| same_text(label, &words, ascii))
            })
    };
    let unknown = |token: &str| {
        format!(
            "`{}` is not an option of `{}` (options: {}, or none)",
            quoted(token),
            item.id,
            options.join(", ")
        )
    };
    let mut saw_none = false;
    let mut tokens = 0;
    match joined {
        Joined::Semicolons => {
            for token in split_ascii(cell, b';') {
                let token = token.trim();
                tokens += 1;
                if token.is_empty() {
                    return Err(format!(
                        "`{}` has an empty option between `;` separators",
                        quoted(cell)
                    ));
                }
                if token.eq_ignore_ascii_case("none") {
                    saw_none = true;
                    continue;
                }
                chosen(find(token).ok_or_else(|| unknown(token))?);
            }
        }
        Joined::By {
            separator,
            trailing,
        } => {
            let core = separator.trim();
            // Every part of an ASCII cell is ASCII.
            let ascii = cell.is_ascii();
            let mut rest = cell.trim();
            if *trailing && !core.is_empty() {
                rest = rest.strip_suffix(core).map_or(rest, str::trim_end);
            }
            // The common case: no option contains the separator, so the cell splits at every
            // separator into options.
            // A one-character separator is searched as a character (much faster than a string).
            let one = match core.as_bytes() {
                [b] if b.is_ascii() => Some(char::from(*b)),
                _ => None,
            };
            let splits = |text: &str| match (core.is_empty(), one) {
                (true, _) => !text.contains(char::is_whitespace),
                (false, Some(c)) => !text.contains(c),
                (false, None) => !text.contains(core),
            };
            let simple = options.iter().all(|o| splits(o))
                && (!distinct_labels || labels.iter().all(|l| splits(l)));
            if simple {
                let pieces: Box<dyn Iterator<Item = &str>> = match (core.is_empty(), one) {
                    (true, _) => Box::new(rest.split_whitespace()),
                    (false, Some(c)) => Box::new(rest.split(c).map(str::trim)),
                    (false, None) => Box::new(rest.split(core).map(str::trim)),
                };
                for token in pieces {
                    tokens += 1;
                    if token.is_empty() {
                        return Err(format!(
                            "`{}` has an empty option between `{core}` separators",
                            quoted(cell)
                        ));
                    }
                    if token.eq_ignore_ascii_case("none") {
                        saw_none = true;
                        continue;
                    }
                    chosen(find(token).ok_or_else(|| unknown(token))?);
                }
                rest = "";
            }
            // After a token: the end, or the separator (spaces around it allowed).
            let ends_token = |after: &str| {
                after.is_empty()
                    || if core.is_empty() {
                        after.starts_with(char::is_whitespace)
                    } else {
                        after.trim_start().starts_with(core)
                    }
            };
            let skip_separator = |after: &str| -> usize {
                let trimmed = after.trim_start();
                let trimmed = trimmed.strip_prefix(core).unwrap_or(trimmed).trim_start();
                after.len() - trimmed.len()
            };
            while !rest.is_empty() {
                tokens += 1;
                // The longest option id or label that starts here and ends at a separator.
                let mut best: Option<(usize, Option<usize>)> = None;
                let candidates = options
                    .iter()
                    .zip(labels)
                    .enumerate()
                    .flat_map(|(i, (id, label))| {
                        let label = distinct_labels.then_some((Some(i), label.as_str()));
                        [Some((Some(i), id.as_str())), label]
                    })
                    .flatten()
                    .chain([(None, "none")]);
                for (option, text) in candidates {
                    let fits = !text.is_empty()
                        && rest.get(..text.len()).is_some_and(|head| {
                            same_text(text, head, ascii) && ends_token(&rest[text.len()..])
                        });
                    if fits && best.is_none_or(|(len, _)| text.len() > len) {
                        best = Some((text.len(), option));
                    }
                }
                let Some((len, option)) = best else {
                    let token = match (core.is_empty(), rest.find(core)) {
                        (true, _) => rest.split(char::is_whitespace).next().unwrap_or(rest),
                        (false, Some(at)) => rest[..at].trim(),
                        (false, None) => rest,
                    };
                    if token.is_empty() {
                        return Err(format!(
                            "`{}` has an empty option between `{core}` separators",
                            quoted(cell)
                        ));
                    }
                    return Err(unknown(token));
                };
                match option {
                    Some(i) => chosen(i),
                    None => saw_none = true,
                }
                let after = &rest[len..];
                rest = &after[skip_separator(after)..];
            }
        }
    }
    if saw_none && tokens > 1 {
        return Err(format!(
            "`{}` combines `none` with other options; `none` must stand alone",
            quoted(cell)
        ));
    }
    Ok(())
}

/// The cell as the canonical CSV of §3 writes it (what `import` writes): a scale code or the
/// `na` label, a number, `yes`/`no`, an option id, option ids joined by `;` or `none`; empty
/// for a missing answer.
pub fn canonical(item: &Item, cell: &str, joined: &Joined) -> Result<String, String> {
    let (answer, na) = parse_joined(item, cell, joined)?;
    Ok(match (&item.kind, answer) {
        (ItemKind::Scale { na: labels, .. }, Answer::Missing) if na => {
            let ascii = cell.is_ascii();
            labels
                .iter()
                .find(|l| same_text(l, cell, ascii) || same_text(l, &cell.replace('_', " "), ascii))
                .cloned()
                .unwrap_or_default()
        }
        (_, Answer::Missing) => String::new(),
        (_, Answer::Code(c)) => c.to_string(),
        (_, Answer::Number(x)) => x.to_string(),
        (_, Answer::Bool(b)) => if b { "yes" } else { "no" }.to_string(),
        (ItemKind::Choice { options }, Answer::Choice(i)) => options[i].id.clone(),
        (ItemKind::Multi { options, .. }, Answer::Count(_)) => {
            let mut picked = vec![false; options.len()];
            each_option(item, cell, joined, |i| picked[i] = true)?;
            options_cell(options, &picked)
        }
        _ => String::new(),
    })
}

/// Which of the first 64 options a multi cell chooses, as bits (for conditions, SPEC §16);
/// 0 for a cell that does not parse.
pub fn first_64_chosen(item: &Item, cell: &str, joined: &Joined) -> u64 {
    let mut bits = 0u64;
    let _ = each_option(item, cell, joined, |i| {
        if i < 64 {
            bits |= 1 << i;
        }
    });
    bits
}

/// Chosen options as a canonical multi cell: ids joined by `;` in option order, or `none`.
pub fn options_cell(options: &[String], picked: &[bool]) -> String {
    let ids: Vec<&str> = options
        .iter()
        .zip(picked)
        .filter(|(_, &p)| p)
        .map(|(id, _)| id.as_str())
        .collect();
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.join(";")
    }
}

/// Whether a cell of a one-column-per-option export marks its option as chosen: non-empty and
/// not `0`, `0.0`, `false`, `no` or `n` (SPEC §11).
pub fn marks_chosen(cell: &str) -> bool {
    !(cell.is_empty()
        || cell.parse::<f64>().is_ok_and(|x| x == 0.0)
        || ["false", "no", "n"]
            .iter()
            .any(|w| cell.eq_ignore_ascii_case(w)))
}

/// A multi cell joined by `;` (Microsoft Forms) with only the tokens that name an option, as
/// a `;`-separated cell (`none` when no token does): the text of an "Other" answer dropped.
pub fn known_options(item: &Item, cell: &str, joined: &Joined) -> String {
    let separator = match joined {
        Joined::By { separator, .. } if !separator.trim().is_empty() => separator.trim(),
        _ => ";",
    };
    let kept: Vec<&str> = cell
        .split(separator)
        .map(str::trim)
        .filter(|t| !t.is_empty() && parse(item, t).is_ok() && !t.eq_ignore_ascii_case("none"))
        .collect();
    if kept.is_empty() {
        "none".to_string()
    } else {
        kept.join(";")
    }
}

/// Whether a LimeSurvey option cell marks option `option` of `item` chosen: `Yes`, `Y`, `1`
/// or the option's own id or label (SPEC §11); `No`, `N/A` and anything else do not.
pub fn marks_chosen_strictly(item: &Item, option: usize, cell: &str) -> bool {
    let ascii = cell.is_ascii();
    let own = match &item.kind {
        ItemKind::Multi { options, .. } => options
            .get(option)
            .zip(multi_labels(item).get(option))
            .is_some_and(|(id, label)| same_text(id, cell, ascii) || same_text(label, cell, ascii)),
        _ => false,
    };
    own || cell == "1" || cell.eq_ignore_ascii_case("yes") || cell.eq_ignore_ascii_case("y")
}

/// Case-insensitive comparison of a label with a cell (`cell_ascii`: whether the cell is ASCII;
/// an ASCII cell equals a label only in ASCII letters).
pub fn same_text(label: &str, cell: &str, cell_ascii: bool) -> bool {
    if cell_ascii {
        label.eq_ignore_ascii_case(cell)
    } else {
        // Lowercasing keeps a character's UTF-8 length within a factor of three; texts further
        // apart in length cannot be equal.
        label.len() <= 3 * cell.len()
            && cell.len() <= 3 * label.len()
            && label
                .chars()
                .flat_map(char::to_lowercase)
                .eq(cell.chars().flat_map(char::to_lowercase))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_splits_equal_str_split() {
        for text in ["", ";", "a", "a;b", ";a;;b;", "é;ü;", " x ; y "] {
            assert_eq!(
                split_ascii(text, b';').collect::<Vec<_>>(),
                text.split(';').collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }
    use crate::instrument::ChoiceOption;

    fn item(kind: ItemKind) -> Item {
        Item {
            id: "q".into(),
            text: String::new(),
            kind,
            reverse: false,
            weight: 1.0,
            dimension: Some(0),
            show_if: None,
        }
    }

    fn agree() -> Item {
        item(ItemKind::Scale {
            scale: "agree5".into(),
            labels: [
                "Strongly disagree",
                "Disagree",
                "Neither",
                "Agree",
                "Strongly agree",
            ]
            .map(String::from)
            .to_vec(),
            na: vec!["Don't know".into()],
        })
    }

    #[test]
    fn scale_cells() {
        let q = agree();
        assert_eq!(parse(&q, "4"), Ok((Answer::Code(4), false)));
        assert_eq!(parse(&q, "strongly AGREE"), Ok((Answer::Code(5), false)));
        assert_eq!(parse(&q, "don't know"), Ok((Answer::Missing, true)));
        assert_eq!(parse(&q, ""), Ok((Answer::Missing, false)));
        assert_eq!(
            parse(&q, "3.5"),
            Err("`3.5` is not a code 1–5 or a label of scale `agree5`".into())
        );
        assert!(parse(&q, "9").is_err());
        assert!(parse(&q, "0").is_err());
        assert!(parse(&q, "+3").is_err());
    }

    #[test]
    fn number_boolean_choice_cells() {
        let n = item(ItemKind::Number { min: 0.0, max: 3.0 });
        assert_eq!(parse(&n, "2.5"), Ok((Answer::Number(2.5), false)));
        assert_eq!(
            parse(&n, "4"),
            Err("`4` is outside the allowed range 0–3".into())
        );
        assert!(parse(&n, "NaN").is_err());
        assert!(parse(&n, "inf").is_err());
        assert_eq!(
            parse(&n, "2,5"),
            Err("`2,5` is not a number; write decimals with a point, not a comma".into())
        );
        let b = item(ItemKind::Boolean);
        assert_eq!(parse(&b, "YES"), Ok((Answer::Bool(true), false)));
        assert_eq!(parse(&b, "0"), Ok((Answer::Bool(false), false)));
        assert_eq!(
            parse(&b, "maybe"),
            Err("`maybe` is not yes/no, true/false or 1/0".into())
        );
        let c = item(ItemKind::Choice {
            options: vec![
                ChoiceOption {
                    id: "low".into(),
                    label: "Low".into(),
                    score: 0.0,
                },
                ChoiceOption {
                    id: "high".into(),
                    label: "High".into(),
                    score: 100.0,
                },
            ],
        });
        assert_eq!(parse(&c, "high"), Ok((Answer::Choice(1), false)));
        assert_eq!(
            parse(&c, "mid"),
            Err("`mid` is not an option of `q` (options: low, high)".into())
        );
    }

    #[test]
    fn multi_cells() {
        let m = item(ItemKind::Multi {
            labels: None,
            options: vec!["a".into(), "b".into(), "c".into()],
            full_at: 2,
        });
        assert_eq!(parse(&m, "a; b ;a"), Ok((Answer::Count(2), false)));
        assert_eq!(parse(&m, "none"), Ok((Answer::Count(0), false)));
        assert_eq!(
            parse(&m, "a;;b"),
            Err("`a;;b` has an empty option between `;` separators".into())
        );
        assert_eq!(
            parse(&m, "none;a"),
            Err("`none;a` combines `none` with other options; `none` must stand alone".into())
        );
        assert_eq!(
            parse(&m, "d"),
            Err("`d` is not an option of `q` (options: a, b, c, or none)".into())
        );
    }

    /// SPEC §3: multi answers by option id or label, ignoring case.
    #[test]
    fn multi_cells_by_label() {
        let m = item(ItemKind::Multi {
            labels: Some(vec!["Recruiting".into(), "Sales training".into()]),
            options: vec!["recruiting".into(), "sales_training".into()],
            full_at: 2,
        });
        assert_eq!(
            parse(&m, "sales training; recruiting"),
            Ok((Answer::Count(2), false))
        );
        assert_eq!(
            parse(&m, "Sales training;sales_training"),
            Ok((Answer::Count(1), false))
        );
        assert!(parse(&m, "Training").is_err());
    }

    #[test]
    fn multi_cells_joined_the_survey_tools_way() {
        let m = item(ItemKind::Multi {
            labels: None,
            options: vec!["a".into(), "b_c".into(), "d".into()],
            full_at: 2,
        });
        let by = |separator: &str, trailing: bool| Joined::By {
            separator: separator.into(),
            trailing,
        };
        assert_eq!(
            parse_joined(&m, "A, b_c", &by(", ", false)),
            Ok((Answer::Count(2), false))
        );
        assert_eq!(
            parse_joined(&m, "a b_c d", &by(" ", false)),
            Ok((Answer::Count(3), false))
        );
        assert_eq!(
            parse_joined(&m, "a;d;", &by(";", true)),
            Ok((Answer::Count(2), false))
        );
        assert_eq!(
            parse_joined(&m, "none", &by(", ", false)),
            Ok((Answer::Count(0), false))
        );
        assert_eq!(
            parse_joined(&m, "a, Other text", &by(", ", false)),
            Err("`Other text` is not an option of `q` (options: a, b_c, d, or none)".into())
        );
        assert_eq!(
            parse_joined(&m, "a, , d", &by(", ", false)),
            Err("`a, , d` has an empty option between `,` separators".into())
        );
        assert_eq!(
            canonical(&m, "d, A", &by(", ", false)),
            Ok("a;d".to_string())
        );
        assert_eq!(
            canonical(&m, "none", &Joined::Semicolons),
            Ok("none".to_string())
        );
    }

    #[test]
    fn choice_cells_by_label_and_canonical_cells() {
        let c = item(ItemKind::Choice {
            options: vec![ChoiceOption {
                id: "joint".into(),
                label: "Jointly, with HR".into(),
                score: 100.0,
            }],
        });
        assert_eq!(
            parse(&c, "JOINTLY, WITH HR"),
            Ok((Answer::Choice(0), false))
        );
        assert_eq!(
            canonical(&c, "jointly, with hr", &Joined::Semicolons),
            Ok("joint".into())
        );
        let q = agree();
        assert_eq!(
            canonical(&q, "strongly agree", &Joined::Semicolons),
            Ok("5".into())
        );
        assert_eq!(
            canonical(&q, "DON'T KNOW", &Joined::Semicolons),
            Ok("Don't know".into())
        );
        assert!(marks_chosen("Y") && marks_chosen("Recruiting") && marks_chosen("1"));
        assert!(!marks_chosen("0") && !marks_chosen("0.0") && !marks_chosen("N"));
        assert!(!marks_chosen("false") && !marks_chosen("no") && !marks_chosen(""));
    }

    #[test]
    fn multi_cells_count_distinct_options_past_the_64th() {
        let m = item(ItemKind::Multi {
            labels: None,
            options: (0..70).map(|i| format!("o{i}")).collect(),
            full_at: 10,
        });
        assert_eq!(
            parse(&m, "o0;o63;o64;o69;o64;o0;o69"),
            Ok((Answer::Count(4), false))
        );
    }

    #[test]
    fn boolean_cells_in_any_case() {
        let b = item(ItemKind::Boolean);
        for (cell, value) in [
            ("YES", true),
            ("True", true),
            ("1", true),
            ("no", false),
            ("FALSE", false),
            ("0", false),
        ] {
            assert_eq!(parse(&b, cell), Ok((Answer::Bool(value), false)), "{cell}");
        }
        assert_eq!(
            parse(&b, "yes please"),
            Err("`yes please` is not yes/no, true/false or 1/0".into())
        );
    }
}
