//! TEMPORARY placeholder; replaced by the real estimators.
use statrs::distribution::{ContinuousCDF, StudentsT};
#[derive(Debug, Clone, PartialEq)]
pub struct Summary { pub n: usize, pub mean: Option<f64>, pub sd: Option<f64>, pub ci_low: Option<f64>, pub ci_high: Option<f64> }
pub fn mean(xs: &[f64]) -> Option<f64> { if xs.is_empty() { None } else { let mut s = 0.0; for x in xs { s += x; } Some(s / xs.len() as f64) } }
pub fn sample_sd(xs: &[f64]) -> Option<f64> { if xs.len() < 2 { return None; } let m = mean(xs)?; let mut s = 0.0; for x in xs { s += (x - m) * (x - m); } Some((s / (xs.len() - 1) as f64).sqrt()) }
pub fn summarize(xs: &[f64]) -> Summary { let n = xs.len(); let m = mean(xs); let sd = sample_sd(xs); let (lo, hi) = match (m, sd) { (Some(m), Some(sd)) => { let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).unwrap().inverse_cdf(0.975); let h = t * sd / (n as f64).sqrt(); (Some(m - h), Some(m + h)) } _ => (None, None) }; Summary { n, mean: m, sd, ci_low: lo, ci_high: hi } }
pub fn percentile_rank(x: f64, population: &[f64]) -> Option<f64> { if population.is_empty() { return None; } let b = population.iter().filter(|v| **v < x).count() as f64; let e = population.iter().filter(|v| **v == x).count() as f64; Some(100.0 * (b + 0.5 * e) / population.len() as f64) }
pub fn quantile_type7(sorted: &[f64], p: f64) -> Option<f64> { if sorted.is_empty() { return None; } let h = (sorted.len() - 1) as f64 * p; let lo = h.floor() as usize; let hi = (lo + 1).min(sorted.len() - 1); Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])) }
#[derive(Debug, Clone, PartialEq)]
pub struct Quartiles { pub p25: f64, pub median: f64, pub p75: f64 }
pub fn quartiles(sorted: &[f64]) -> Option<Quartiles> { Some(Quartiles { p25: quantile_type7(sorted, 0.25)?, median: quantile_type7(sorted, 0.5)?, p75: quantile_type7(sorted, 0.75)? }) }
pub fn z_score(x: f64, population: &[f64]) -> Option<f64> { let sd = sample_sd(population)?; if sd == 0.0 { return None; } Some((x - mean(population)?) / sd) }
#[derive(Debug, Clone, PartialEq)]
pub struct Welch { pub t: f64, pub df: f64, pub p: f64 }
pub fn welch(_later: &[f64], _earlier: &[f64]) -> Option<Welch> { None }
pub fn hedges_g(_later: &[f64], _earlier: &[f64]) -> Option<f64> { None }
pub struct Alpha { pub k: usize, pub n: usize, pub alpha: Option<f64>, pub ci_low: Option<f64>, pub ci_high: Option<f64> }
pub fn cronbach_alpha(rows: &[Vec<f64>]) -> Alpha { Alpha { k: rows.first().map_or(0, |r| r.len()), n: rows.len(), alpha: None, ci_low: None, ci_high: None } }
pub fn alpha_if_dropped(rows: &[Vec<f64>]) -> Vec<Option<f64>> { vec![None; rows.first().map_or(0, |r| r.len())] }
pub fn corrected_item_total(rows: &[Vec<f64>]) -> Vec<Option<f64>> { vec![None; rows.first().map_or(0, |r| r.len())] }
pub struct Pearson { pub r: f64, pub n: usize, pub p: Option<f64> }
pub fn pearson(_x: &[f64], _y: &[f64]) -> Option<Pearson> { None }
