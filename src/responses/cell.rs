//! One cell of a response file → one [`Answer`], or the reason it cannot be read (SPEC §3).
//!
//! Cells arrive trimmed. The reasons are written for the person who will correct the file.

use crate::instrument::{Item, ItemKind};
use crate::score::Answer;

/// A parsed cell: the answer and whether it was an explicit `na` label.
pub type Parsed = Result<(Answer, bool), String>;

pub fn parse(item: &Item, cell: &str) -> Parsed {
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
                "`{cell}` is not a code 1–{} or a label of scale `{scale}`",
                labels.len()
            ))
        }
        ItemKind::Number { min, max } => match cell.parse::<f64>() {
            Ok(x) if x.is_finite() && cell.bytes().any(|b| b.is_ascii_digit()) => {
                if x < *min || x > *max {
                    Err(format!("`{cell}` is outside the allowed range {min}–{max}"))
                } else {
                    Ok((Answer::Number(x), false))
                }
            }
            _ if cell.contains(',') && cell.replace(',', ".").parse::<f64>().is_ok() => Err(
                format!("`{cell}` is not a number; write decimals with a point, not a comma"),
            ),
            _ => Err(format!("`{cell}` is not a number")),
        },
        ItemKind::Boolean => {
            let is = |word: &str| cell.eq_ignore_ascii_case(word);
            if is("yes") || is("true") || cell == "1" {
                Ok((Answer::Bool(true), false))
            } else if is("no") || is("false") || cell == "0" {
                Ok((Answer::Bool(false), false))
            } else {
                Err(format!("`{cell}` is not yes/no, true/false or 1/0"))
            }
        }
        ItemKind::Choice { options } => match options.iter().position(|o| o.id == cell) {
            Some(i) => Ok((Answer::Choice(i), false)),
            None => Err(format!(
                "`{cell}` is not an option of `{}` (options: {})",
                item.id,
                options
                    .iter()
                    .map(|o| o.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        },
        ItemKind::Multi { options, .. } => {
            // Distinct options chosen: a token repeated in one cell counts once. The first 64
            // options are marked in a bit set (no allocation per cell), any further in a list.
            let mut first_64 = 0u64;
            let mut beyond: Vec<usize> = Vec::new();
            let mut saw_none = false;
            let mut tokens = 0;
            for token in cell.split(';') {
                let token = token.trim();
                tokens += 1;
                if token.is_empty() {
                    return Err(format!(
                        "`{cell}` has an empty option between `;` separators"
                    ));
                }
                if token == "none" {
                    saw_none = true;
                    continue;
                }
                match options.iter().position(|o| o == token) {
                    Some(i) if i < 64 => first_64 |= 1 << i,
                    Some(i) => {
                        if !beyond.contains(&i) {
                            beyond.push(i);
                        }
                    }
                    None => {
                        return Err(format!(
                            "`{token}` is not an option of `{}` (options: {}, or none)",
                            item.id,
                            options.join(", ")
                        ))
                    }
                }
            }
            if saw_none && tokens > 1 {
                return Err(format!(
                    "`{cell}` combines `none` with other options; `none` must stand alone"
                ));
            }
            Ok((
                Answer::Count(first_64.count_ones() + beyond.len() as u32),
                false,
            ))
        }
    }
}

/// Case-insensitive comparison of a label with a cell (`cell_ascii`: whether the cell is ASCII).
fn same_text(label: &str, cell: &str, cell_ascii: bool) -> bool {
    if cell_ascii && label.is_ascii() {
        label.eq_ignore_ascii_case(cell)
    } else {
        label.to_lowercase() == cell.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::ChoiceOption;

    fn item(kind: ItemKind) -> Item {
        Item {
            id: "q".into(),
            text: String::new(),
            kind,
            reverse: false,
            weight: 1.0,
            dimension: Some(0),
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

    #[test]
    fn multi_cells_count_distinct_options_past_the_64th() {
        let m = item(ItemKind::Multi {
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
