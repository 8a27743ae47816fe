//! Recommendations (SPEC §2): keyed by a dimension id, each with a `below` threshold in
//! (0, 100]; kept per dimension in file order (the first match wins).

use super::super::model::{Ordered, RecommendationDef};
use super::super::{Dimension, Recommendation};
use super::{list, number, quote, Checker};

pub(super) fn check(
    c: &mut Checker,
    defs: &Ordered<Vec<RecommendationDef>>,
    dimensions: &[Dimension],
) -> Vec<Vec<Recommendation>> {
    let mut recommendations = vec![Vec::new(); dimensions.len()];
    for (id, entries) in &defs.0 {
        let Some(d) = dimensions.iter().position(|dim| dim.id == id.value) else {
            c.report(
                id,
                format!(
                    "recommendations for `{}`, which is not a dimension (dimensions: {})",
                    quote(&id.value),
                    list(dimensions.iter().map(|d| &d.id))
                ),
            );
            continue;
        };
        for entry in entries {
            let below = entry.below.value;
            if !(below > 0.0 && below <= 100.0) {
                c.report(
                    &entry.below,
                    format!(
                        "`below` is {}; it must be above 0 and at most 100",
                        number(below)
                    ),
                );
            }
            recommendations[d].push(Recommendation {
                below,
                text: entry.text.clone(),
            });
        }
    }
    recommendations
}
