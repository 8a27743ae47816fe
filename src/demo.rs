//! The bundled demo data, compiled in so `partnerscope report` works from any directory.
//!
//! The files under `surveys/demo/` are the output of `simulate` with [`PLAN`] on the bundled
//! instrument (a test keeps them in step), so users can open and inspect them.

use crate::simulate::Plan;

pub const RESPONSES: &str = include_str!("../surveys/demo/responses.csv");
pub const ORGS: &str = include_str!("../surveys/demo/orgs.csv");
pub const RESPONSES_NAME: &str = "surveys/demo/responses.csv";
pub const ORGS_NAME: &str = "surveys/demo/orgs.csv";
/// Invitations per organization, wave and role: `report` without files shows response rates.
pub const ROSTER: &str = include_str!("../surveys/demo/roster.csv");
pub const ROSTER_NAME: &str = "surveys/demo/roster.csv";

/// How the demo data was made: `partnerscope simulate --organizations 14 --respondents 36
/// --waves 3 --seed 2025` (with `--orgs-output` and `--roster-output`).
pub const PLAN: Plan = Plan {
    organizations: 14,
    respondents: 36,
    waves: 3,
    seed: 2025,
};
