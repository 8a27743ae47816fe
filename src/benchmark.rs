//! Populations and where an organization stands in them (SPEC §5): percentile ranks, type-7
//! quartiles and z against its wave, a peer group (`--peer-group`) or a norms file.
//!
//! Only shown groups (see `confidential`) enter a population, and a population of fewer than
//! [`MIN_POPULATION`] values yields no percentile, quartiles or z: with two organizations a
//! median would reveal the other one's score.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Group, OrgWave};
use crate::confidential::Visibility;
use crate::error::{Diagnostic, Error, Location, Result};
use crate::instrument::load::{read_at_most, Input};
use crate::instrument::validate::{number as short, quote};
use crate::instrument::Instrument;
use crate::responses::{Dataset, Organizations};
use crate::results::{Measure, OrgWaveResult, Reported};
use crate::{score, stats};

/// Smallest population that gives percentiles and quartiles, and smallest norms file.
pub const MIN_POPULATION: usize = 5;

/// Where an organization stands for one group and measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub percentile: Option<f64>,
    pub quartiles: Option<stats::Quartiles>,
    pub z: Option<f64>,
    pub population: Population,
}

/// Which population was used, for the output's `population` column.
#[derive(Debug, Clone, PartialEq)]
pub enum Population {
    Wave {
        wave: String,
        n: usize,
    },
    Peer {
        attribute: String,
        value: String,
        n: usize,
    },
    /// A peer group too small, replaced by the wave.
    Fallback {
        wave: String,
        n: usize,
    },
    /// A norms file: its title, its values (organization-waves) and the distinct
    /// organizations behind them, which is what the pages count.
    Norms {
        title: String,
        n: usize,
        organizations: usize,
    },
}

impl std::fmt::Display for Population {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Population::Wave { wave, n } => write!(f, "wave {wave} (N={n})"),
            Population::Peer {
                attribute,
                value,
                n,
            } => write!(f, "{attribute}={value} (N={n})"),
            Population::Fallback { wave, n } => {
                write!(f, "wave {wave} (N={n}; peer group too small)")
            }
            Population::Norms {
                title,
                organizations,
                ..
            } => write!(
                f,
                "{title} ({organizations} organization{})",
                if *organizations == 1 { "" } else { "s" }
            ),
        }
    }
}

impl Population {
    pub fn n(&self) -> usize {
        match self {
            Population::Wave { n, .. }
            | Population::Peer { n, .. }
            | Population::Fallback { n, .. }
            | Population::Norms { n, .. } => *n,
        }
    }
}

/// How to choose the population of each organization.
pub enum Benchmark<'a> {
    Wave,
    PeerGroup {
        attribute: &'a str,
        orgs: &'a Organizations,
    },
    /// A norms file, named on the pages by its title.
    Norms {
        norms: &'a Norms,
    },
}

/// Key of a population value list: wave (ignored for norms), group, measure.
type Key = (u32, Group, usize);

/// A population, sorted once, with the figures every organization compared with it needs.
struct Pool {
    sorted: Vec<f64>,
    groups: TieGroups,
    quartiles: Option<stats::Quartiles>,
    mean: Option<f64>,
    sd: Option<f64>,
}

/// Sorted values cut into tie groups (SPEC §4): a group starts at a value and takes every
/// following value equal to that first one within the tolerance of [`score::compare`].
/// Sorting itself stays exact (`total_cmp`): a tolerant comparator is not a total order.
#[derive(Debug, PartialEq)]
struct TieGroups {
    /// Where each group starts in the sorted values.
    starts: Vec<usize>,
    /// The first value of each group, side by side, so that a search reads one array.
    firsts: Vec<f64>,
    /// How many values there are.
    len: usize,
}

impl TieGroups {
    fn new(sorted: &[f64]) -> TieGroups {
        let mut starts: Vec<usize> = Vec::new();
        let mut firsts: Vec<f64> = Vec::new();
        for (i, &v) in sorted.iter().enumerate() {
            match firsts.last() {
                Some(&first) if score::compare(first, v) == Some(Ordering::Equal) => {}
                _ => {
                    starts.push(i);
                    firsts.push(v);
                }
            }
        }
        TieGroups {
            starts,
            firsts,
            len: sorted.len(),
        }
    }

    /// `(below, equal)` counts of `x`: the values of the groups before x's group are below it,
    /// those of x's group equal to it. x's group is the first whose first value equals x; when
    /// none does, nothing is equal.
    fn rank_counts(&self, x: f64) -> (usize, usize) {
        // Groups whose first value lies below x come first (the values ascend).
        let g = self.firsts.partition_point(|&first| score::below(first, x));
        let below = self.starts.get(g).copied().unwrap_or(self.len);
        let equal = match self.firsts.get(g) {
            Some(&first) if score::compare(first, x) == Some(Ordering::Equal) => {
                self.starts.get(g + 1).copied().unwrap_or(self.len) - below
            }
            _ => 0,
        };
        (below, equal)
    }
}

impl Pool {
    fn new(mut values: Vec<f64>) -> Pool {
        values.sort_by(|a, b| a.total_cmp(b));
        let large = values.len() >= MIN_POPULATION;
        Pool {
            quartiles: if large {
                stats::quartiles(&values)
            } else {
                None
            },
            mean: stats::mean(&values),
            sd: stats::sample_sd(&values),
            groups: TieGroups::new(&values),
            sorted: values,
        }
    }

    fn standing(&self, x: f64, population: Population) -> Standing {
        if self.sorted.len() < MIN_POPULATION {
            return Standing {
                percentile: None,
                quartiles: None,
                z: None,
                population,
            };
        }
        // 100·(#{v < x} + 0.5·#{v = x})/N, counted over tie groups by binary search.
        let (below, equal) = self.groups.rank_counts(x);
        let n = self.sorted.len() as f64;
        Standing {
            percentile: Some(100.0 * (below as f64 + 0.5 * equal as f64) / n),
            quartiles: self.quartiles.clone(),
            z: match (self.mean, self.sd) {
                // A population whose values are all equal (to the tolerance) has no spread:
                // its sd is rounding noise, and so would z be.
                (Some(mean), Some(sd)) if score::below(mean, mean + sd) => Some((x - mean) / sd),
                _ => None,
            },
            population,
        }
    }
}

/// The populations an organization-wave is placed in, built once from every shown value of a
/// run (or from a norms file); [`Pools::standings`] then places one organization-wave.
pub struct Pools<'a> {
    data: &'a Dataset,
    benchmark: &'a Benchmark<'a>,
    /// Every shown value, by wave, group and measure.
    waves: BTreeMap<Key, Pool>,
    /// Peer pools by (key, attribute value), built only for --peer-group.
    peers: BTreeMap<(Key, &'a str), Pool>,
    /// Norms populations by group and measure, with their number of organizations, built
    /// only for --norms.
    norms: BTreeMap<(Group, usize), (Pool, usize)>,
}

impl<'a> Pools<'a> {
    pub fn new(
        data: &'a Dataset,
        org_waves: &[OrgWave],
        visibility: &[Visibility],
        benchmark: &'a Benchmark<'a>,
    ) -> Pools<'a> {
        // Every shown value, by wave, group and measure, with its organization.
        let mut values: BTreeMap<Key, Vec<(u32, f64)>> = BTreeMap::new();
        for (ow, vis) in org_waves.iter().zip(visibility) {
            for (group, m, mean) in vis.shown_means(ow) {
                values
                    .entry((ow.wave, group, m))
                    .or_default()
                    .push((ow.org, mean));
            }
        }
        let waves: BTreeMap<Key, Pool> = values
            .iter()
            .map(|(k, v)| (*k, Pool::new(v.iter().map(|p| p.1).collect())))
            .collect();
        let mut peers: BTreeMap<(Key, &str), Pool> = BTreeMap::new();
        if let Benchmark::PeerGroup { attribute, orgs } = benchmark {
            for (key, list) in &values {
                let mut split: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
                for (org, mean) in list {
                    if let Some(value) = orgs.attribute(&data.orgs[*org as usize], attribute) {
                        split.entry(value).or_default().push(*mean);
                    }
                }
                for (value, list) in split {
                    peers.insert((*key, value), Pool::new(list));
                }
            }
        }
        let norms = match benchmark {
            Benchmark::Norms { norms } => norms
                .resolved
                .iter()
                .map(|(k, &p)| {
                    let population = &norms.populations[p];
                    // Files written before populations counted their organizations: the
                    // file's count, never more than the values.
                    let organizations = population
                        .organizations
                        .unwrap_or(norms.organizations)
                        .min(population.n);
                    (*k, (Pool::new(population.values.clone()), organizations))
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        Pools {
            data,
            benchmark,
            waves,
            peers,
            norms,
        }
    }

    /// For each group of `ow` (in its order) and measure, the standing, or `None` where the
    /// group's measure is not shown.
    pub fn standings(&self, ow: &OrgWave, vis: &Visibility) -> Vec<Vec<Option<Standing>>> {
        let wave = &self.data.waves[ow.wave as usize];
        ow.groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                group
                    .measures
                    .iter()
                    .enumerate()
                    .map(|(m, summary)| {
                        let x = summary.mean.filter(|_| vis.shown[g][m])?;
                        let key = (ow.wave, group.group, m);
                        let wave_pool = &self.waves[&key];
                        let whole_wave = || Population::Wave {
                            wave: wave.clone(),
                            n: wave_pool.sorted.len(),
                        };
                        Some(match self.benchmark {
                            Benchmark::Wave => wave_pool.standing(x, whole_wave()),
                            Benchmark::PeerGroup { attribute, orgs } => {
                                match orgs.attribute(&self.data.orgs[ow.org as usize], attribute) {
                                    Some(value) => match self.peers.get(&(key, value)) {
                                        Some(pool) if pool.sorted.len() >= MIN_POPULATION => pool
                                            .standing(
                                                x,
                                                Population::Peer {
                                                    attribute: attribute.to_string(),
                                                    value: value.to_string(),
                                                    n: pool.sorted.len(),
                                                },
                                            ),
                                        _ => wave_pool.standing(
                                            x,
                                            Population::Fallback {
                                                wave: wave.clone(),
                                                n: wave_pool.sorted.len(),
                                            },
                                        ),
                                    },
                                    // No value for the attribute: the wave.
                                    None => wave_pool.standing(x, whole_wave()),
                                }
                            }
                            Benchmark::Norms { norms } => {
                                let empty = (Pool::new(Vec::new()), 0);
                                let (pool, organizations) =
                                    self.norms.get(&(group.group, m)).unwrap_or(&empty);
                                pool.standing(
                                    x,
                                    Population::Norms {
                                        title: norms.title.clone(),
                                        n: pool.sorted.len(),
                                        organizations: *organizations,
                                    },
                                )
                            }
                        })
                    })
                    .collect()
            })
            .collect()
    }
}

/// Percentile, quartiles and z of `x` in a population (any order).
pub fn standing(x: f64, values: &[f64], population: Population) -> Standing {
    Pool::new(values.to_vec()).standing(x, population)
}

// ----------------------------------------------------------------------------------------------
// Norms files

/// A saved population: per group and measure the sorted organization scores (SPEC §5).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Norms {
    pub format: String,
    /// What the pages call this population (`norms --title`; SPEC §5, §13).
    #[serde(default = "default_title")]
    pub title: String,
    pub instrument: NormsInstrument,
    pub waves: Vec<String>,
    pub organizations: usize,
    pub organization_waves: usize,
    pub respondents: usize,
    pub created: String,
    pub partnerscope_version: String,
    pub populations: Vec<NormsPopulation>,
    /// Group names resolved to indices when loaded against an instrument.
    #[serde(skip)]
    pub resolved: BTreeMap<(Group, usize), usize>,
    /// What loading found worth saying but not refusing (another file of the instrument).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormsInstrument {
    pub id: String,
    pub version: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormsPopulation {
    pub group: String,
    pub measure: String,
    pub n: usize,
    /// Distinct organizations behind the values (an organization may bring several waves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizations: Option<usize>,
    pub mean: f64,
    pub sd: Option<f64>,
    pub values: Vec<f64>,
}

pub const NORMS_FORMAT: &str = "partnerscope-norms/1";

/// The title of a norms file built without `--title`.
pub const DEFAULT_TITLE: &str = "earlier assessments";

fn default_title() -> String {
    DEFAULT_TITLE.into()
}

/// The largest norms file read: ten thousand organization-waves with every measure and role
/// take about 10 MiB.
pub const MAX_NORMS_BYTES: u64 = 256 << 20;

impl Norms {
    /// Pools every shown organization-wave of the data into a norms file.
    pub fn build(
        instrument: &Instrument,
        data: &Dataset,
        results: &[OrgWaveResult],
        created: String,
        title: String,
    ) -> Result<Norms> {
        let shown: Vec<(&OrgWaveResult, &Reported)> = results
            .iter()
            .filter_map(|r| Some((r, r.reported()?)))
            .collect();
        let mut orgs: Vec<u32> = shown.iter().map(|(r, _)| r.org).collect();
        orgs.sort_unstable();
        orgs.dedup();
        if orgs.len() < MIN_POPULATION {
            return Err(Error::Usage(format!(
                "a norms file needs at least {MIN_POPULATION} organizations with {} or more responses in a wave; these files have {}",
                instrument.anonymity_threshold,
                orgs.len()
            )));
        }
        let mut waves: Vec<String> = shown
            .iter()
            .map(|(r, _)| data.waves[r.wave as usize].clone())
            .collect();
        waves.sort();
        waves.dedup();
        // Every shown figure of every shown organization-wave, and nothing else.
        let mut pools: BTreeMap<(Group, Measure), Vec<(u32, f64)>> = BTreeMap::new();
        for (result, reported) in &shown {
            for group in reported.groups() {
                for (measure, figure) in group.figures() {
                    if let Some(shown) = figure.shown() {
                        pools
                            .entry((group.group, measure))
                            .or_default()
                            .push((result.org, shown.mean));
                    }
                }
            }
        }
        let mut populations = Vec::new();
        for ((group, m), pairs) in pools {
            let mut ids: Vec<u32> = pairs.iter().map(|p| p.0).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut values: Vec<f64> = pairs.into_iter().map(|p| p.1).collect();
            if values.len() < MIN_POPULATION {
                continue;
            }
            let summary = stats::summarize(&values);
            let Some(mean) = summary.mean else {
                continue;
            };
            values.sort_by(|a, b| a.total_cmp(b));
            populations.push(NormsPopulation {
                group: group.name(instrument),
                measure: m.id(instrument).to_string(),
                n: values.len(),
                organizations: Some(ids.len()),
                mean,
                sd: summary.sd,
                values,
            });
        }
        Ok(Norms {
            format: NORMS_FORMAT.into(),
            title,
            instrument: NormsInstrument {
                id: instrument.id.clone(),
                version: instrument.version.to_string(),
                sha256: instrument.sha256.clone(),
            },
            waves,
            organizations: orgs.len(),
            organization_waves: shown.len(),
            respondents: shown.iter().map(|(r, _)| r.rows.len()).sum(),
            created,
            partnerscope_version: env!("CARGO_PKG_VERSION").into(),
            populations,
            resolved: BTreeMap::new(),
            warnings: Vec::new(),
        })
    }

    /// Reads a norms file and checks it (SPEC §5): the same instrument id and major version,
    /// and every population sorted, finite, within 0–100, at least [`MIN_POPULATION`] values,
    /// `n`, `mean` and `sd` those of its values, its group and measure known to the
    /// instrument. A different instrument file with the same id and major version is a
    /// warning (in `warnings`), anything else an error naming the file and the field.
    pub fn load(path: &std::path::Path, instrument: &Instrument) -> Result<Norms> {
        let name = path.display().to_string();
        let input = Input {
            what: "the norms file",
            action: "cannot read the norms file",
        };
        let bytes = read_at_most(path, MAX_NORMS_BYTES, input)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::invalid(Diagnostic::new(
                Location::new(&name, 0, 0),
                "not a partnerscope norms file: the file is not UTF-8 text",
            ))
        })?;
        let mut norms: Norms = serde_json::from_str(&text).map_err(|e| {
            Error::invalid(Diagnostic::new(
                Location::new(&name, e.line() as u64, e.column() as u64),
                format!("not a partnerscope norms file: {e}"),
            ))
        })?;
        let at = Location::new(&name, 0, 0);
        if norms.title.trim().is_empty() {
            norms.title = default_title();
        }
        if norms.format != NORMS_FORMAT {
            return Err(Error::invalid(Diagnostic::new(
                at,
                format!(
                    "norms format `{}` is not supported (expected `{NORMS_FORMAT}`)",
                    quote(&norms.format)
                ),
            )));
        }
        let built_for = &norms.instrument;
        let major = built_for.version.split('.').next().unwrap_or("");
        if built_for.id != instrument.id || major != instrument.version.major.to_string() {
            return Err(Error::invalid(Diagnostic::new(
                at,
                format!(
                    "these norms were built for instrument `{}` {} and cannot benchmark `{}` {}; build norms from responses to the same instrument and major version",
                    quote(&built_for.id), quote(&built_for.version), instrument.id, instrument.version
                ),
            )));
        }
        if norms.organizations < MIN_POPULATION {
            return Err(Error::invalid(Diagnostic::new(
                at,
                format!(
                    "these norms hold {} organizations; at least {MIN_POPULATION} are needed to benchmark against them",
                    norms.organizations
                ),
            )));
        }
        let mut problems = Vec::new();
        for (p, population) in norms.populations.iter().enumerate() {
            let problem = match check_population(instrument, population) {
                Ok(key) => match norms.resolved.get(&key) {
                    Some(&first) => format!(
                        "{}: the same group and measure as populations[{first}]",
                        field(p, population)
                    ),
                    None => {
                        norms.resolved.insert(key, p);
                        continue;
                    }
                },
                Err(problem) => format!("{}{problem}", field(p, population)),
            };
            let (line, column) = element_position(&text, "populations", p);
            problems.push(Diagnostic::new(
                Location::new(&name, line, column),
                format!("{problem}; rebuild the file with `partnerscope norms`"),
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        if built_for.sha256 != instrument.sha256 {
            norms.warnings.push(format!(
                "{name}: these norms were built from instrument `{}` {} and this is `{}` {}, a different file with the same id and major version; the percentiles assume both versions score alike",
                quote(&built_for.id),
                quote(&built_for.version),
                instrument.id,
                instrument.version
            ));
        }
        Ok(norms)
    }
}

/// Line and column (1-based) where element `index` of the array under the top-level `key`
/// of a JSON document starts; (0, 0) when there is no such element. serde_json keeps no
/// positions of values, so this walks the text once, minding strings and nesting.
fn element_position(text: &str, key: &str, index: usize) -> (u64, u64) {
    let bytes = text.as_bytes();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut string_start, mut last_string) = (0, "");
    let (mut in_array, mut element, mut awaiting) = (false, 0, false);
    for (at, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => {
                    in_string = false;
                    last_string = &text[string_start..at];
                }
                _ => {}
            }
            continue;
        }
        if in_array && depth == 2 && awaiting && !b.is_ascii_whitespace() && b != b']' {
            if element == index {
                let before = &bytes[..at];
                let line = 1 + before.iter().filter(|&&c| c == b'\n').count();
                let start = before
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |p| p + 1);
                let column = 1 + text[start..at].chars().count();
                return (line as u64, column as u64);
            }
            awaiting = false;
        }
        match b {
            b'"' => {
                in_string = true;
                string_start = at + 1;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth == 2 && b == b'[' && last_string == key {
                    (in_array, element, awaiting) = (true, 0, true);
                }
            }
            b'}' | b']' => {
                if depth == 2 && in_array {
                    in_array = false;
                }
                depth = depth.saturating_sub(1);
            }
            b',' if in_array && depth == 2 => {
                element += 1;
                awaiting = true;
            }
            _ => {}
        }
    }
    (0, 0)
}

/// How messages name population `p`: `populations[7] (all/index)`.
fn field(p: usize, population: &NormsPopulation) -> String {
    format!(
        "populations[{p}] ({}/{})",
        quote(&population.group),
        quote(&population.measure)
    )
}

/// The group and measure of a norms population, or what is wrong with it, as the rest of a
/// field path: `.values: not sorted`.
fn check_population(
    instrument: &Instrument,
    population: &NormsPopulation,
) -> std::result::Result<(Group, usize), String> {
    let group = if population.group == "all" {
        Some(Group::All)
    } else {
        population
            .group
            .strip_prefix("role:")
            .and_then(|r| instrument.role_index(r))
            .map(Group::Role)
    };
    let Some(group) = group else {
        let groups: Vec<String> = std::iter::once("all".to_string())
            .chain(instrument.roles.iter().map(|r| format!("role:{}", r.id)))
            .collect();
        return Err(format!(
            ".group: `{}` is not a group of instrument `{}` (groups: {})",
            quote(&population.group),
            instrument.id,
            groups.join(", ")
        ));
    };
    let d = instrument.dimensions.len();
    let measure = if population.measure == "index" {
        Some(d)
    } else {
        instrument
            .dimensions
            .iter()
            .position(|x| x.id == population.measure)
    };
    let Some(measure) = measure else {
        let measures: Vec<&str> = Measure::all(d).map(|m| m.id(instrument)).collect();
        return Err(format!(
            ".measure: `{}` is not a measure of instrument `{}` (measures: {})",
            quote(&population.measure),
            instrument.id,
            measures.join(", ")
        ));
    };
    let values = &population.values;
    if let Some(i) = values
        .iter()
        .position(|v| !(v.is_finite() && (0.0..=100.0).contains(v)))
    {
        return Err(format!(
            ".values[{i}]: {} is outside 0–100",
            short(values[i])
        ));
    }
    if values.len() < MIN_POPULATION {
        return Err(format!(
            ".values: {} value(s); a population needs at least {MIN_POPULATION}",
            values.len()
        ));
    }
    if !values.windows(2).all(|w| w[0] <= w[1]) {
        return Err(".values: not sorted".to_string());
    }
    if population.n != values.len() {
        return Err(format!(
            ".n: {}, but there are {} values",
            population.n,
            values.len()
        ));
    }
    let summary = stats::summarize(values);
    let differs = |written: Option<f64>, actual: Option<f64>| match (written, actual) {
        (Some(a), Some(b)) => score::compare(a, b) != Some(Ordering::Equal),
        (a, b) => a.is_some() != b.is_some(),
    };
    let shown = |x: Option<f64>| x.map_or("missing".to_string(), short);
    if differs(Some(population.mean), summary.mean) {
        return Err(format!(
            ".mean: {}, but the values' mean is {}",
            short(population.mean),
            shown(summary.mean)
        ));
    }
    if differs(population.sd, summary.sd) {
        return Err(format!(
            ".sd: {}, but the values' sd is {}",
            shown(population.sd),
            shown(summary.sd)
        ));
    }
    Ok((group, measure))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_populations_give_no_percentile() {
        let s = standing(
            50.0,
            &[40.0, 50.0, 60.0, 70.0],
            Population::Wave {
                wave: "w".into(),
                n: 4,
            },
        );
        assert_eq!(s.percentile, None);
        assert!(s.quartiles.is_none());
        assert_eq!(s.z, None);
    }

    #[test]
    fn percentile_with_ties_counts_half() {
        // below: 20, 30 → 2; equal: 50, 50 → 1; N = 6 → 100·3/6 = 50
        let sorted = [20.0, 30.0, 50.0, 50.0, 80.0, 90.0];
        let s = standing(
            50.0,
            &sorted,
            Population::Wave {
                wave: "w".into(),
                n: 6,
            },
        );
        assert_eq!(s.percentile, Some(50.0));
        let q = s.quartiles.unwrap();
        // type 7: position 5·0.25 = 1.25 → 30 + 0.25·(50 − 30) = 35; median 50; 5·0.75 = 3.75 → 50 + 0.75·30 = 72.5
        assert_eq!((q.p25, q.median, q.p75), (35.0, 50.0, 72.5));
    }

    #[test]
    fn binary_search_ranks_equal_the_counting_definition() {
        // Pool::standing counts with partition_point; stats::percentile_rank counts linearly.
        let population = [
            56.3, 79.1, 63.5, 62.2, 32.5, 59.7, 36.4, 36.0, 62.6, 25.4, 87.3, 50.0, 50.0, 50.0,
        ];
        for x in [50.0, 20.0, 90.0, 65.3, 10.0, 36.0, 87.3] {
            let s = standing(
                x,
                &population,
                Population::Wave {
                    wave: "w".into(),
                    n: 14,
                },
            );
            assert_eq!(
                s.percentile,
                stats::percentile_rank(x, &population),
                "x = {x}"
            );
            let z = stats::z_score(x, &population).unwrap();
            assert!((s.z.unwrap() - z).abs() < 1e-12, "x = {x}");
        }
    }

    #[test]
    fn means_that_differ_in_the_last_bit_share_a_percentile() {
        // 70.69444444444444 and 70.69444444444446: the same sum in two orders.
        let (a, b) = (70.69444444444444, 70.69444444444446);
        let population = [40.0, b, 55.0, a, 90.0, 12.5];
        let wave = || Population::Wave {
            wave: "w".into(),
            n: 6,
        };
        let (sa, sb) = (
            standing(a, &population, wave()),
            standing(b, &population, wave()),
        );
        // below: 12.5, 40, 55 → 3; equal: a, b → 2; 100·(3 + 1)/6
        assert_eq!(sa.percentile, Some(100.0 * 4.0 / 6.0));
        assert_eq!(sa.percentile, sb.percentile);
    }

    #[test]
    fn tie_groups_start_at_a_value_and_take_what_equals_it() {
        // Each step is below the tolerance (1e-9·100 = 1e-7), two steps are not: the chain
        // 100, 100 + 6e-8, 100 + 1.2e-7 splits after the second value, never transitively.
        let sorted = [1.0, 100.0, 100.0 + 6e-8, 100.0 + 1.2e-7, 200.0];
        let groups = TieGroups::new(&sorted);
        assert_eq!(groups.starts, [0, 1, 3, 4]);
        assert_eq!(groups.firsts, [1.0, 100.0, 100.0 + 1.2e-7, 200.0]);
        assert_eq!(groups.rank_counts(100.0 + 6e-8), (1, 2));
        // The third starts its own group, although it equals the second.
        assert_eq!(groups.rank_counts(100.0 + 1.2e-7), (3, 1));
        // Not in the population: between groups nothing is equal.
        assert_eq!(groups.rank_counts(150.0), (4, 0));
        assert_eq!(groups.rank_counts(0.0), (0, 0));
        assert_eq!(groups.rank_counts(300.0), (5, 0));
        assert_eq!(TieGroups::new(&[]).rank_counts(1.0), (0, 0));
    }

    #[test]
    fn elements_of_a_top_level_array_are_located() {
        let text = "{\n  \"waves\": [\"a]\", \"b\"],\n  \"populations\": [\n    {\"values\": [1, 2]},\n    {\"group\": \"x\\\"{\"}\n  ]\n}";
        assert_eq!(element_position(text, "populations", 0), (4, 5));
        assert_eq!(element_position(text, "populations", 1), (5, 5));
        assert_eq!(element_position(text, "populations", 2), (0, 0));
        assert_eq!(element_position(text, "waves", 1), (2, 19));
        assert_eq!(
            element_position("{\"populations\": []}", "populations", 0),
            (0, 0)
        );
    }

    #[test]
    fn a_population_of_equal_values_gives_no_z() {
        // Equal up to the last bit: the sd is rounding noise.
        let a = 70.69444444444444;
        let values = [a, 70.69444444444446, a, a, a];
        let wave = Population::Wave {
            wave: "w".into(),
            n: 5,
        };
        let s = standing(a, &values, wave);
        assert_eq!(s.z, None);
        assert_eq!(s.percentile, Some(50.0));
    }

    #[test]
    fn population_labels() {
        assert_eq!(
            Population::Wave {
                wave: "2025-H2".into(),
                n: 40
            }
            .to_string(),
            "wave 2025-H2 (N=40)"
        );
        assert_eq!(
            Population::Peer {
                attribute: "industry".into(),
                value: "Retail".into(),
                n: 12
            }
            .to_string(),
            "industry=Retail (N=12)"
        );
        assert_eq!(
            Population::Fallback {
                wave: "2025-H2".into(),
                n: 40
            }
            .to_string(),
            "wave 2025-H2 (N=40; peer group too small)"
        );
    }
}
