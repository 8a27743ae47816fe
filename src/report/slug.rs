//! File names for organization pages (SPEC §9): lowercase ASCII letters and digits joined by
//! `-`, at most 64 characters, `org` when nothing is left, collisions numbered `-2`, `-3`… in
//! bytewise order of the ids. Slugs never contain `/` or `.`, so a page cannot leave its folder.
//!
//! A numbered slug never takes another id's own slug (ids `ACME`, `acme` and `acme-2`: the
//! page `acme-2.html` is `acme-2`'s, and `acme` gets `acme-3`), so which organization a page
//! belongs to does not depend on which others are in the run; every collision is named
//! ([`collisions`]).

use std::collections::{BTreeMap, BTreeSet};

pub fn slug(id: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    out.truncate(64);
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "org".to_string()
    } else {
        out
    }
}

/// Unique slugs for a set of organization ids.
pub fn slugs<'a>(ids: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, String> {
    let sorted: BTreeSet<&str> = ids.into_iter().collect();
    // Every id's own slug is reserved for it: a numbered one skips them.
    let own: BTreeSet<String> = sorted.iter().map(|id| slug(id)).collect();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut out = BTreeMap::new();
    for id in sorted {
        let base = slug(id);
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate) || (candidate != base && own.contains(&candidate)) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        taken.insert(candidate.clone());
        out.insert(id.to_string(), candidate);
    }
    out
}

/// One message per group of ids whose pages would have had one name, saying which page is
/// whose.
pub fn collisions(slugs: &BTreeMap<String, String>) -> Vec<String> {
    let mut by_base: BTreeMap<String, Vec<(&str, &str)>> = BTreeMap::new();
    for (id, page) in slugs {
        by_base
            .entry(slug(id))
            .or_default()
            .push((id.as_str(), page.as_str()));
    }
    by_base
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .map(|(base, ids)| {
            let pages: Vec<String> = ids
                .iter()
                .map(|(id, page)| format!("`{id}` is orgs/{page}.html"))
                .collect();
            format!(
                "{} organization ids share the page name `{base}`: {}",
                ids.len(),
                pages.join(", ")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_spec() {
        assert_eq!(slug("Acme Corp."), "acme-corp");
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
        assert_eq!(slug("<script>alert(1)</script>"), "script-alert-1-script");
        assert_eq!(slug("Ünïcode ørg"), "n-code-rg");
        assert_eq!(slug("!!!"), "org");
        assert_eq!(slug(&"a".repeat(80)).len(), 64);
        // Truncation must not leave a trailing dash.
        assert_eq!(slug(&format!("{}-b", "a".repeat(63))), "a".repeat(63));
    }

    #[test]
    fn collisions_are_numbered_in_bytewise_order() {
        let s = slugs(["acme corp", "Acme-Corp", "ACME_CORP", "other"]);
        // bytewise: "ACME_CORP" < "Acme-Corp" < "acme corp"
        assert_eq!(s["ACME_CORP"], "acme-corp");
        assert_eq!(s["Acme-Corp"], "acme-corp-2");
        assert_eq!(s["acme corp"], "acme-corp-3");
        assert_eq!(s["other"], "other");
    }

    #[test]
    fn a_numbered_slug_never_takes_another_ids_own() {
        let s = slugs(["acme", "ACME", "acme-2"]);
        assert_eq!(s["ACME"], "acme");
        assert_eq!(s["acme-2"], "acme-2");
        assert_eq!(s["acme"], "acme-3");
        assert_eq!(
            collisions(&s),
            vec!["2 organization ids share the page name `acme`: `ACME` is orgs/acme.html, `acme` is orgs/acme-3.html".to_string()]
        );
    }
}
