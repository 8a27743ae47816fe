//! Roles and the perception gaps between them (SPEC §2). A `role` cell is matched against
//! role ids and labels ignoring case, so all of them must be distinct ignoring case: a role
//! `sales_leader` labelled `HR` beside a role `hr` would make `HR` mean two roles.

use serde_saphyr::Spanned;

use super::super::model::{RoleDef, Text};
use super::super::Role;
use super::names::Names;
use super::{list, quote, Checker};

pub(super) fn roles(c: &mut Checker, defs: &Spanned<Vec<RoleDef>>) -> Vec<Role> {
    let mut roles: Vec<Role> = Vec::new();
    let mut names = Names::new();
    if defs.value.is_empty() {
        c.report(defs, "no roles are defined; list at least one role");
    }
    for role in &defs.value {
        let id = &role.id.value;
        if id.trim().is_empty() || id.chars().any(|ch| ch.is_whitespace() || ch == ',') {
            c.report(
                &role.id,
                format!(
                    "role id `{}` must be a non-empty word without spaces or commas",
                    quote(id)
                ),
            );
        }
        if roles.iter().any(|r| r.id == *id) {
            c.report(&role.id, format!("role `{}` is defined twice", quote(id)));
            continue;
        }
        let owner = roles.len();
        let claims: [(&Text, &str); 2] = [(&role.id, "id"), (&role.label, "label")];
        for (text, what) in claims {
            let claimed = names.claim(&text.value, owner, || {
                format!("the {what} of role `{}`", quote(id))
            });
            if let Err(other) = claimed {
                let text = quote(text.value.trim());
                let subject = if what == "id" {
                    format!("role id `{text}`")
                } else {
                    format!("the label `{text}` of role `{}`", quote(id))
                };
                c.report(
                    text_span(role, what),
                    format!(
                        "{subject} is also {other} (ignoring case), so a `role` cell `{text}` would mean two roles; give each role an id and a label no other role uses"
                    ),
                );
            }
        }
        roles.push(Role {
            id: id.clone(),
            label: role.label.value.clone(),
        });
    }
    roles
}

fn text_span<'a>(role: &'a RoleDef, what: &str) -> &'a Text {
    if what == "id" {
        &role.id
    } else {
        &role.label
    }
}

/// Role pairs `(first, second)` as indices into `roles`.
pub(super) fn perception_gaps(
    c: &mut Checker,
    pairs: &[Spanned<Vec<Text>>],
    roles: &[Role],
) -> Vec<(usize, usize)> {
    let mut gaps = Vec::new();
    for pair in pairs {
        if pair.value.len() != 2 {
            c.report(
                pair,
                format!(
                    "a perception gap names two roles, [first, second]; this one names {}",
                    pair.value.len()
                ),
            );
            continue;
        }
        let mut found = [None, None];
        for (slot, role) in found.iter_mut().zip(&pair.value) {
            *slot = roles.iter().position(|r| r.id == role.value);
            if slot.is_none() {
                c.report(
                    role,
                    format!(
                        "perception gap names role `{}`, which is not defined (defined: {})",
                        quote(&role.value),
                        list(roles.iter().map(|r| &r.id))
                    ),
                );
            }
        }
        if let [Some(first), Some(second)] = found {
            if first == second {
                c.report(pair, "a perception gap compares two different roles");
            } else {
                gaps.push((first, second));
            }
        }
    }
    gaps
}
