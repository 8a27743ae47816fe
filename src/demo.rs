//! The bundled demo data, compiled in so `partnerscope report` works from any directory.
//!
//! The files under `surveys/demo/` are the output of `simulate` with [`PLAN`] on the bundled
//! instrument (a test keeps them in step), so users can open and inspect them.

use crate::simulate::Plan;

pub const RESPONSES: &str = include_str!("../surveys/demo/responses.csv");
pub const ORGS: &str = include_str!("../surveys/demo/orgs.csv");
pub const RESPONSES_NAME: &str = "surveys/demo/responses.csv";
pub const ORGS_NAME: &str = "surveys/demo/orgs.csv";

/// How the demo data was made: `partnerscope simulate --organizations 14 --respondents 36
/// --waves 3 --seed 2025`.
pub const PLAN: Plan = Plan {
    organizations: 14,
    respondents: 36,
    waves: 3,
    seed: 2025,
};
