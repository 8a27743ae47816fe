//! Response scales (SPEC §2): at least 2 labels, every label and `na` label non-empty, not a
//! number (a cell `3` is read as a code) and unique ignoring case, `na` labels included.

use super::super::model::{Ordered, ScaleDef};
use super::{quote, Checker};

/// A checked scale: id, labels (codes 1..k) and `na` labels, trimmed.
pub(super) struct Scale {
    pub id: String,
    pub labels: Vec<String>,
    pub na: Vec<String>,
}

pub(super) fn check(c: &mut Checker, defs: &Ordered<ScaleDef>) -> Vec<Scale> {
    let mut scales: Vec<Scale> = Vec::new();
    for (id, scale) in &defs.0 {
        let name = quote(&id.value);
        if scales.iter().any(|s| s.id == id.value) {
            c.report(id, format!("scale `{name}` is defined twice"));
            continue;
        }
        let labels = &scale.labels.value;
        if labels.len() < 2 {
            c.report(
                &scale.labels,
                format!(
                    "scale `{name}` has {} label(s); a scale needs at least 2",
                    labels.len()
                ),
            );
        }
        let mut seen: Vec<String> = Vec::new();
        for label in labels.iter().chain(&scale.na) {
            let text = label.value.trim();
            let folded = text.to_lowercase();
            if text.is_empty() {
                c.report(label, format!("scale `{name}` has an empty label"));
            } else if text.parse::<f64>().is_ok() {
                c.report(
                    label,
                    format!(
                        "scale `{name}` label `{}` is a number, which would be read as a code; use words",
                        quote(text)
                    ),
                );
            } else if seen.contains(&folded) {
                c.report(
                    label,
                    format!(
                        "scale `{name}` label `{}` appears twice (labels are compared ignoring case, `na` labels included)",
                        quote(text)
                    ),
                );
            }
            seen.push(folded);
        }
        scales.push(Scale {
            id: id.value.clone(),
            labels: labels.iter().map(|l| l.value.trim().to_string()).collect(),
            na: scale
                .na
                .iter()
                .map(|l| l.value.trim().to_string())
                .collect(),
        });
    }
    scales
}
