//! The instrument's identity (`id`, `version`, `title`) and its instrument-wide numbers:
//! `anonymity_threshold`, `min_answered`, `gap_alert` and `meaningful_change`, with their
//! defaults (SPEC §2).

use super::super::model::InstrumentFile;
use super::super::{MeaningfulChange, Version};
use super::{number, quote, Checker};

pub(super) struct Settings {
    pub version: Version,
    pub anonymity_threshold: usize,
    pub min_answered: f64,
    pub gap_alert: f64,
    pub meaningful_change: MeaningfulChange,
}

pub(super) fn check(c: &mut Checker, file: &InstrumentFile) -> Settings {
    if !is_instrument_id(&file.id.value) {
        c.report(
            &file.id,
            format!(
                "instrument id `{}` must start with a lowercase letter and contain only lowercase letters, digits, `_` and `-`",
                quote(&file.id.value)
            ),
        );
    }
    let version = parse_version(&file.version.value).unwrap_or_else(|| {
        c.report(
            &file.version,
            format!(
                "version `{}` must be MAJOR.MINOR.PATCH, e.g. 1.0.0",
                quote(&file.version.value)
            ),
        );
        Version {
            major: 0,
            minor: 0,
            patch: 0,
        }
    });
    if file.title.value.trim().is_empty() {
        c.report(
            &file.title,
            "the title is empty; give the instrument a title",
        );
    }

    let anonymity_threshold = match &file.anonymity_threshold {
        None => 5,
        Some(t) if t.value >= 1 => t.value as usize,
        Some(t) => {
            c.report(
                t,
                format!(
                    "anonymity_threshold is {}; it must be a whole number of at least 1",
                    t.value
                ),
            );
            5
        }
    };
    let min_answered = match &file.min_answered {
        None => 0.5,
        Some(m) if m.value > 0.0 && m.value <= 1.0 => m.value,
        Some(m) => {
            c.report(
                m,
                format!(
                    "min_answered is {}; it must be a share above 0 and at most 1 (e.g. 0.5)",
                    number(m.value)
                ),
            );
            0.5
        }
    };
    let gap_alert = match &file.gap_alert {
        None => 10.0,
        Some(g) if g.value > 0.0 && g.value.is_finite() => g.value,
        Some(g) => {
            c.report(
                g,
                format!(
                    "gap_alert is {}; it must be a positive number of points",
                    number(g.value)
                ),
            );
            10.0
        }
    };
    let mut meaningful_change = MeaningfulChange {
        p: 0.05,
        points: 5.0,
    };
    if let Some(m) = &file.meaningful_change {
        if let Some(p) = m.value.p {
            if p > 0.0 && p < 1.0 {
                meaningful_change.p = p;
            } else {
                c.report(
                    m,
                    format!(
                        "meaningful_change.p is {}; it must lie between 0 and 1",
                        number(p)
                    ),
                );
            }
        }
        if let Some(points) = m.value.points {
            if points >= 0.0 && points.is_finite() {
                meaningful_change.points = points;
            } else {
                c.report(
                    m,
                    format!(
                        "meaningful_change.points is {}; it must be 0 or more",
                        number(points)
                    ),
                );
            }
        }
    }
    Settings {
        version,
        anonymity_threshold,
        min_answered,
        gap_alert,
        meaningful_change,
    }
}

fn is_instrument_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-'))
}

fn parse_version(text: &str) -> Option<Version> {
    let mut parts = text.split('.');
    let mut next = || -> Option<u64> {
        let part = parts.next()?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let version = Version {
        major: next()?,
        minor: next()?,
        patch: next()?,
    };
    parts.next().is_none().then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_have_three_numeric_parts() {
        assert_eq!(
            parse_version("1.20.3"),
            Some(Version {
                major: 1,
                minor: 20,
                patch: 3
            })
        );
        for bad in [
            "1.2",
            "1.2.3.4",
            "1..3",
            "1.2.x",
            "+1.2.3",
            "",
            "99999999999999999999.0.0",
        ] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
    }

    #[test]
    fn instrument_ids_are_lowercase_words() {
        assert!(is_instrument_id("hr-sales_2"));
        for bad in ["", "2x", "Hr", "a b", "a.b"] {
            assert!(!is_instrument_id(bad), "{bad}");
        }
    }
}
