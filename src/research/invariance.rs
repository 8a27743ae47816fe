//! `stats --lavaan` (SPEC §7): `items_wide.csv` (one row per accepted row: org, role, wave and
//! the item scores, 0–100 with reverse keying applied; no respondent or panel ids) and
//! `invariance.R`, a lavaan/semTools script that fits the configural, metric and scalar models
//! of the instrument's dimensions across waves (or roles) and compares them.

use crate::instrument::Instrument;

/// Dimensions with at least this many items become factors; a one-item factor is not
/// identified.
const MIN_ITEMS: usize = 2;

/// The lavaan model: one factor per dimension of at least two items asked of everyone,
/// measured by those items. A conditional item (`show_if`, SPEC §16) is left out: its empty
/// cells where it was not asked are structural, not missing at random, so full-information
/// maximum likelihood must not fill them in (as alpha and rwg(j) use only the items asked of
/// everyone). Returns the model, the dimensions left out and the conditional items left out.
fn model(instrument: &Instrument) -> (String, Vec<&str>, Vec<&str>) {
    let mut lines = Vec::new();
    let mut left_out = Vec::new();
    let conditional: Vec<&str> = instrument
        .scored_items()
        .iter()
        .filter(|i| i.show_if.is_some())
        .map(|i| i.id.as_str())
        .collect();
    for (d, dim) in instrument.dimensions.iter().enumerate() {
        let items = instrument.unconditional_items(d);
        if items.len() < MIN_ITEMS {
            left_out.push(dim.id.as_str());
            continue;
        }
        let ids: Vec<&str> = items
            .iter()
            .map(|&i| instrument.items[i].id.as_str())
            .collect();
        lines.push(format!("  {} =~ {}", dim.id, ids.join(" + ")));
    }
    (lines.join("\n"), left_out, conditional)
}

/// The text of `invariance.R`.
pub fn script(instrument: &Instrument) -> String {
    let (model, left_out, conditional) = model(instrument);
    let mut note = String::new();
    if !conditional.is_empty() {
        note.push_str(&format!(
            "# Conditional items (show_if) are not in the model: where one is not asked its cell is\n\
             # empty by design, not missing at random, so FIML must not fill it in. Left out: {}.\n",
            conditional.join(", ")
        ));
    }
    if !left_out.is_empty() {
        note.push_str(&format!(
            "# Left out (fewer than {MIN_ITEMS} items, not identified as a factor): {}.\n",
            left_out.join(", ")
        ));
    }
    format!(
        r#"# Measurement invariance of {title} ({id} {version}) across waves or roles, written by
# `partnerscope stats --lavaan`. Needs R with the lavaan and semTools packages
# (Debian: apt-get install r-cran-lavaan r-cran-semtools). Run in the folder of items_wide.csv:
#   Rscript invariance.R          # across waves
#   Rscript invariance.R role     # across roles
# Item scores run from 0 to 100 with reverse keying applied; an empty cell is a missing answer
# (full-information maximum likelihood, robust standard errors). Writes invariance-fit.csv.
# Configural: the same factors in every group; metric: equal loadings; scalar: equal loadings
# and intercepts. A drop in CFI of more than 0.01 from one model to the next (Cheung &
# Rensvold 2002) says that the stricter equality does not hold.
{note}suppressMessages({{
  library(lavaan)
  library(semTools)
}})
args <- commandArgs(trailingOnly = TRUE)
group <- if (length(args) > 0) args[1] else "wave"
data <- read.csv("items_wide.csv", na.strings = "", colClasses = c(org = "character",
                 role = "character", wave = "character"))
model <- '
{model}
'
fit <- function(equal) {{
  cfa(model, data = data, group = group, group.equal = equal, missing = "fiml",
      estimator = "MLR")
}}
fits <- list(configural = fit(""), metric = fit("loadings"),
             scalar = fit(c("loadings", "intercepts")))
measures <- c("chisq.scaled", "df.scaled", "pvalue.scaled", "cfi.robust", "tli.robust",
              "rmsea.robust", "srmr")
table <- do.call(rbind, lapply(names(fits), function(name) {{
  m <- fitMeasures(fits[[name]], measures)
  data.frame(model = name, group = group, groups = lavInspect(fits[[name]], "ngroups"),
             n = lavInspect(fits[[name]], "ntotal"),
             as.list(setNames(as.numeric(m), names(m))))
}}))
table$delta_cfi <- c(NA, diff(table$cfi.robust))
print(table, row.names = FALSE)
write.csv(table, "invariance-fit.csv", row.names = FALSE)
# semTools' comparison (scaled chi-square difference tests); slow on large data.
print(summary(compareFit(fits$configural, fits$metric, fits$scalar, nested = TRUE)))
"#,
        title = instrument.title,
        id = instrument.id,
        version = instrument.version,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_has_one_factor_per_dimension_of_two_or_more_items() {
        let instrument = crate::instrument::load_bundled().unwrap();
        let text = script(&instrument);
        for dim in &instrument.dimensions {
            assert!(text.contains(&format!("  {} =~ ", dim.id)), "{}", dim.id);
        }
        assert!(text.contains("group.equal = equal"));
        assert!(!text.contains("respondent_id"));
        // The bundled instrument's two conditional items are named, not measured.
        assert!(text.contains("Left out: res_partner_time, ali_own_work.\n"));
        assert!(!text.contains("+ res_partner_time") && !text.contains("+ ali_own_work"));
    }

    #[test]
    fn conditional_items_are_left_out_of_the_model_and_named() {
        let instrument = crate::instrument::load::parse(
            include_str!("../../tests/fixtures/conditions/conditional.yaml"),
            "conditional.yaml",
        )
        .unwrap();
        let text = script(&instrument);
        let conditional: Vec<&str> = instrument
            .scored_items()
            .iter()
            .filter(|i| i.show_if.is_some())
            .map(|i| i.id.as_str())
            .collect();
        assert!(!conditional.is_empty());
        let model = text
            .split("model <- '")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        for id in &conditional {
            assert!(!model.contains(&format!(" {id}")), "{id} in {model}");
        }
        assert!(text.contains(&format!(
            "# empty by design, not missing at random, so FIML must not fill it in. Left out: {}.\n",
            conditional.join(", ")
        )));
    }
}
