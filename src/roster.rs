//! Participation (SPEC §17): response rates from a roster of invitations. A rate is accepted
//! rows ÷ invited, per organization-wave and per role and breakdown unit the roster names.
//!
//! A rate is a figure over the same respondents as its group's count, so it is shown exactly
//! where that count is (SPEC §15): an organization-wave's where it is reported (T or more
//! accepted rows), a role's or a unit's where its index is shown. The roster itself is read by
//! [`crate::responses::roster`].

use crate::analysis::Analysis;
use crate::responses::Roster;
use crate::results::Measure;

/// The default `--target-rate`.
pub const DEFAULT_TARGET: f64 = 0.6;

/// Responses against invitations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub responses: usize,
    pub invited: u64,
}

impl Rate {
    pub fn value(&self) -> f64 {
        self.responses as f64 / self.invited as f64
    }
}

/// The shown rates of one organization-wave.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgRates {
    pub all: Rate,
    /// `(role, rate)` for every shown role the roster names, in instrument order.
    pub roles: Vec<(usize, Rate)>,
    /// `(breakdown, unit, rate)` for every shown unit the roster names.
    pub units: Vec<(usize, usize, Rate)>,
}

#[derive(Debug, Clone)]
pub struct Participation {
    pub target_rate: f64,
    /// Per organization-wave (as `Analysis::results`): its rates, `None` where the roster has
    /// no row for it or it is not reported.
    pub rates: Vec<Option<OrgRates>>,
    /// Located warnings: rates above 100%, roster rows no response matches.
    pub warnings: Vec<String>,
}

impl Participation {
    /// Whether an organization-wave's rate is below the target.
    pub fn below_target(&self, org_wave: usize) -> Option<&OrgRates> {
        self.rates[org_wave]
            .as_ref()
            .filter(|r| crate::score::below(r.all.value(), self.target_rate))
    }
}

pub fn participation(analysis: &Analysis, roster: &Roster, target_rate: f64) -> Participation {
    let instrument = analysis.instrument;
    let file = &roster.file;
    let mut warnings = Vec::new();
    for row in &roster.rows {
        let waves: Vec<usize> = (0..analysis.results.len())
            .filter(|&i| analysis.org_id(i) == row.org)
            .collect();
        if waves.is_empty() {
            warnings.push(format!(
                "{file}:{}: organization `{}` is in the roster but has no accepted responses; check its id against the responses",
                row.line,
                crate::responses::text::quoted(&row.org)
            ));
        } else if let Some(wave) = &row.wave {
            if !waves.iter().any(|&i| analysis.wave(i) == wave) {
                warnings.push(format!(
                    "{file}:{}: organization `{}` has no accepted responses in wave `{}`",
                    row.line,
                    crate::responses::text::quoted(&row.org),
                    crate::responses::text::quoted(wave)
                ));
            }
        }
    }
    let rates = (0..analysis.results.len())
        .map(|i| {
            let (org, wave) = (analysis.org_id(i), analysis.wave(i));
            let rows: Vec<_> = roster
                .rows
                .iter()
                .filter(|r| r.org == org && r.wave.as_deref().is_none_or(|w| w == wave))
                .collect();
            rows.first()?;
            // The invitations of the rows `keep` takes, and the line of the first of them.
            let invited = |keep: &dyn Fn(&crate::responses::RosterRow) -> bool| -> (u64, u64) {
                let taken = rows.iter().filter(|r| keep(r));
                let first = taken.clone().next().map_or(0, |r| r.line);
                (taken.map(|r| r.invited).sum(), first)
            };
            let (total, first_all) = invited(&|_| true);
            let all = Rate {
                responses: analysis.results[i].rows.len(),
                invited: total,
            };
            let mut over = |what: String, rate: &Rate, first: u64, counts: bool| {
                if rate.responses as u64 > rate.invited {
                    warnings.push(if counts {
                        format!(
                            "{file}:{first}: {org}, wave {wave}: {} accepted responses but {} invited ({:.0}%); check the roster",
                            rate.responses,
                            rate.invited,
                            rate.value() * 100.0
                        )
                    } else {
                        format!(
                            "{file}:{first}: {org}, wave {wave}{what}: more accepted responses than invited (a rate above 100%); check the roster"
                        )
                    });
                }
            };
            let reported = analysis.results[i].reported();
            over(String::new(), &all, first_all, reported.is_some());
            let reported = reported?;
            let mut out = OrgRates {
                all,
                roles: Vec::new(),
                units: Vec::new(),
            };
            for group in reported.roles() {
                let crate::aggregate::Group::Role(role) = group.group else {
                    continue;
                };
                let (count, first) = invited(&|r| r.role == Some(role));
                let rate = Rate {
                    responses: group.rows,
                    invited: count,
                };
                if rate.invited == 0 || group.shown(Measure::Index).is_none() {
                    continue;
                }
                over(format!(", role {}", instrument.roles[role].id), &rate, first, false);
                out.roles.push((role, rate));
            }
            for unit in &reported.units {
                let (count, first) = invited(&|r| r.units[unit.breakdown] == Some(unit.unit));
                let rate = Rate {
                    responses: unit.rows,
                    invited: count,
                };
                if rate.invited == 0 || unit.figure(Measure::Index).shown().is_none() {
                    continue;
                }
                let (b, u) = unit.ids(instrument);
                over(format!(", {b} {u}"), &rate, first, false);
                out.units.push((unit.breakdown, unit.unit, rate));
            }
            Some(out)
        })
        .collect();
    Participation {
        target_rate,
        rates,
        warnings,
    }
}
