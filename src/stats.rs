//! Estimators, named and cited. Every sum is a plain left-to-right loop over the slice as
//! given, so a result depends only on its input order, never on threads.
//!
//! Distributions (Student's t, Fisher's F) come from `statrs`; nothing here approximates a
//! special function by hand. Functions return `None` where the estimator is undefined
//! (too few values, zero variance) and never a NaN inside `Some`.

use statrs::distribution::{ContinuousCDF, FisherSnedecor, StudentsT};

fn sum(xs: &[f64]) -> f64 {
    let mut total = 0.0;
    for x in xs {
        total += x;
    }
    total
}

/// Arithmetic mean.
pub fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| sum(xs) / xs.len() as f64)
}

/// Sample variance with the n − 1 (Bessel) denominator, two-pass: mean first, then squared
/// deviations.
pub fn sample_variance(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let m = mean(xs)?;
    let mut ss = 0.0;
    for x in xs {
        ss += (x - m) * (x - m);
    }
    Some(ss / (xs.len() - 1) as f64)
}

/// Sample standard deviation (n − 1).
pub fn sample_sd(xs: &[f64]) -> Option<f64> {
    sample_variance(xs).map(f64::sqrt)
}

/// Quantile `p` of Student's t with `df` degrees of freedom.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |t| t.inverse_cdf(p))
}

/// n, mean, sample sd and the 95% confidence interval of the mean,
/// `mean ± t(0.975, n − 1)·sd/√n` (sd and interval need n ≥ 2).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

pub fn summarize(xs: &[f64]) -> Summary {
    let t = if xs.len() >= 2 {
        t_quantile(0.975, (xs.len() - 1) as f64)
    } else {
        f64::NAN
    };
    summarize_with_t(xs, t)
}

/// [`summarize`] with `t = t(0.975, n − 1)` already known (callers summarising many groups
/// compute each quantile once).
pub fn summarize_with_t(xs: &[f64], t: f64) -> Summary {
    let n = xs.len();
    let mean = mean(xs);
    let sd = sample_sd(xs);
    let half = sd.map(|sd| t * sd / (n as f64).sqrt());
    Summary {
        n,
        mean,
        sd,
        ci_low: mean.zip(half).map(|(m, h)| m - h),
        ci_high: mean.zip(half).map(|(m, h)| m + h),
    }
}

/// Percentile rank with ties counted half: `100·(#{v < x} + 0.5·#{v = x})/N`.
pub fn percentile_rank(x: f64, population: &[f64]) -> Option<f64> {
    if population.is_empty() {
        return None;
    }
    let below = population.iter().filter(|&&v| v < x).count() as f64;
    let equal = population.iter().filter(|&&v| v == x).count() as f64;
    Some(100.0 * (below + 0.5 * equal) / population.len() as f64)
}

/// Sample quantile of sorted values, type 7 of Hyndman & Fan (1996) (R's default, numpy's
/// `linear`): position `h = (N − 1)·p`, linear interpolation between the order statistics
/// around it.
pub fn quantile_type7(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quartiles {
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
}

/// P25, median and P75 (type 7) of sorted values.
pub fn quartiles(sorted: &[f64]) -> Option<Quartiles> {
    Some(Quartiles {
        p25: quantile_type7(sorted, 0.25)?,
        median: quantile_type7(sorted, 0.5)?,
        p75: quantile_type7(sorted, 0.75)?,
    })
}

/// Standard score `(x − mean)/sd` against a population (sample sd).
pub fn z_score(x: f64, population: &[f64]) -> Option<f64> {
    let sd = sample_sd(population).filter(|&sd| sd > 0.0)?;
    Some((x - mean(population)?) / sd)
}

/// Welch's unequal-variances t-test (Welch 1947) with Welch–Satterthwaite degrees of freedom
/// (Satterthwaite 1946) and a two-sided p-value.
#[derive(Debug, Clone, PartialEq)]
pub struct Welch {
    pub t: f64,
    pub df: f64,
    pub p: f64,
}

/// `t = (mean(later) − mean(earlier)) / √(v₁/n₁ + v₂/n₂)`,
/// `df = (v₁/n₁ + v₂/n₂)² / ((v₁/n₁)²/(n₁ − 1) + (v₂/n₂)²/(n₂ − 1))`, `p = 2·P(T > |t|)`.
pub fn welch(later: &[f64], earlier: &[f64]) -> Option<Welch> {
    let (n1, n2) = (later.len() as f64, earlier.len() as f64);
    let a = sample_variance(later)? / n1;
    let b = sample_variance(earlier)? / n2;
    let se2 = a + b;
    if se2 <= 0.0 {
        return None;
    }
    let t = (mean(later)? - mean(earlier)?) / se2.sqrt();
    let df = se2 * se2 / (a * a / (n1 - 1.0) + b * b / (n2 - 1.0));
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some(Welch {
        t,
        df,
        p: (2.0 * dist.sf(t.abs())).min(1.0),
    })
}

/// Hedges' g (Hedges & Olkin 1985): the standardized mean difference with the pooled sd
/// `√(((n₁−1)v₁ + (n₂−1)v₂)/(n₁+n₂−2))`, times the small-sample correction
/// `1 − 3/(4(n₁+n₂) − 9)`.
pub fn hedges_g(later: &[f64], earlier: &[f64]) -> Option<f64> {
    let (n1, n2) = (later.len() as f64, earlier.len() as f64);
    let v1 = sample_variance(later)?;
    let v2 = sample_variance(earlier)?;
    let pooled = (((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / (n1 + n2 - 2.0)).sqrt();
    if pooled <= 0.0 {
        return None;
    }
    let correction = 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0);
    Some((mean(later)? - mean(earlier)?) / pooled * correction)
}

/// Cronbach's alpha (Cronbach 1951) with its 95% confidence interval by Feldt's method
/// (Feldt, Woodruff & Salih 1987).
#[derive(Debug, Clone, PartialEq)]
pub struct Alpha {
    pub k: usize,
    pub n: usize,
    pub alpha: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

fn column(rows: &[Vec<f64>], j: usize) -> Vec<f64> {
    rows.iter().map(|r| r[j]).collect()
}

fn totals(rows: &[Vec<f64>], skip: Option<usize>) -> Vec<f64> {
    rows.iter()
        .map(|r| {
            let mut t = 0.0;
            for (j, x) in r.iter().enumerate() {
                if Some(j) != skip {
                    t += x;
                }
            }
            t
        })
        .collect()
}

fn alpha_value(rows: &[Vec<f64>], skip: Option<usize>) -> Option<f64> {
    let width = rows.first()?.len();
    let k = width - usize::from(skip.is_some());
    if k < 2 || rows.len() < 2 {
        return None;
    }
    let mut item_variances = 0.0;
    for j in (0..width).filter(|&j| Some(j) != skip) {
        item_variances += sample_variance(&column(rows, j))?;
    }
    let total = sample_variance(&totals(rows, skip))?;
    if total <= 0.0 {
        return None;
    }
    let k = k as f64;
    Some(k / (k - 1.0) * (1.0 - item_variances / total))
}

/// `alpha = k/(k−1)·(1 − Σ var_i / var_total)` over complete rows (every item answered), with
/// `CI = 1 − (1 − alpha)·F` for F the 0.975 and 0.025 quantiles of F(n − 1, (n − 1)(k − 1)).
pub fn cronbach_alpha(rows: &[Vec<f64>]) -> Alpha {
    let k = rows.first().map_or(0, Vec::len);
    let n = rows.len();
    let alpha = alpha_value(rows, None);
    let bounds = alpha.and_then(|a| {
        let (d1, d2) = ((n - 1) as f64, ((n - 1) * (k - 1)) as f64);
        let f = FisherSnedecor::new(d1, d2).ok()?;
        Some((
            1.0 - (1.0 - a) * f.inverse_cdf(0.975),
            1.0 - (1.0 - a) * f.inverse_cdf(0.025),
        ))
    });
    Alpha {
        k,
        n,
        alpha,
        ci_low: bounds.map(|b| b.0),
        ci_high: bounds.map(|b| b.1),
    }
}

/// For each item, alpha of the other items.
pub fn alpha_if_dropped(rows: &[Vec<f64>]) -> Vec<Option<f64>> {
    let k = rows.first().map_or(0, Vec::len);
    (0..k).map(|j| alpha_value(rows, Some(j))).collect()
}

/// For each item, the corrected item–total correlation: Pearson r of the item with the sum of
/// the other items.
pub fn corrected_item_total(rows: &[Vec<f64>]) -> Vec<Option<f64>> {
    let k = rows.first().map_or(0, Vec::len);
    (0..k)
        .map(|j| {
            if k < 2 {
                return None;
            }
            pearson(&column(rows, j), &totals(rows, Some(j))).map(|p| p.r)
        })
        .collect()
}

/// Pearson's product-moment correlation with a two-sided p-value from
/// `t = r·√((n − 2)/(1 − r²))` on n − 2 degrees of freedom.
#[derive(Debug, Clone, PartialEq)]
pub struct Pearson {
    pub r: f64,
    pub n: usize,
    pub p: Option<f64>,
}

pub fn pearson(x: &[f64], y: &[f64]) -> Option<Pearson> {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    if n < 2 {
        return None;
    }
    let (mx, my) = (mean(x)?, mean(y)?);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    let r = (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0);
    let p = if n < 3 {
        None
    } else if r.abs() == 1.0 {
        Some(0.0)
    } else {
        let df = (n - 2) as f64;
        let t = r * (df / (1.0 - r * r)).sqrt();
        StudentsT::new(0.0, 1.0, df)
            .ok()
            .map(|d| (2.0 * d.sf(t.abs())).min(1.0))
    };
    Some(Pearson { r, n, p })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `tests/fixtures/reference/statistics.json`: values computed with scipy 1.17.1, pingouin
    /// 0.7.0 and numpy 2.4.6 (provenance in the README beside it).
    fn reference() -> serde_json::Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/reference/statistics.json"
        );
        let text = std::fs::read_to_string(path).expect("tests/fixtures/reference/statistics.json");
        serde_json::from_str(&text).unwrap()
    }

    fn floats(v: &serde_json::Value) -> Vec<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    }

    #[track_caller]
    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-9, "{a} vs {b}");
    }

    #[test]
    fn alpha_and_feldt_interval_match_pingouin() {
        let r = &reference()["cronbach_alpha"];
        let rows: Vec<Vec<f64>> = r["items_0_100"]
            .as_array()
            .unwrap()
            .iter()
            .map(floats)
            .collect();
        let a = cronbach_alpha(&rows);
        assert_eq!((a.k, a.n), (4, 14));
        close(a.alpha.unwrap(), r["alpha"].as_f64().unwrap());
        let ci = floats(&r["feldt_ci95"]);
        close(a.ci_low.unwrap(), ci[0]);
        close(a.ci_high.unwrap(), ci[1]);
        for (got, want) in corrected_item_total(&rows)
            .iter()
            .zip(floats(&r["corrected_item_total_r"]))
        {
            close(got.unwrap(), want);
        }
    }

    #[test]
    fn welch_and_hedges_match_scipy() {
        let r = &reference()["welch_hedges"];
        let (later, earlier) = (floats(&r["later_wave"]), floats(&r["earlier_wave"]));
        let w = welch(&later, &earlier).unwrap();
        close(w.t, r["t"].as_f64().unwrap());
        close(w.df, r["df"].as_f64().unwrap());
        close(w.p, r["p_two_sided"].as_f64().unwrap());
        close(
            hedges_g(&later, &earlier).unwrap(),
            r["hedges_g"].as_f64().unwrap(),
        );
    }

    #[test]
    fn percentile_ranks_and_quartiles_match_numpy() {
        let r = &reference()["percentiles"];
        let population = floats(&r["population"]);
        for (x, want) in floats(&r["values"])
            .iter()
            .zip(floats(&r["percentile_rank"]))
        {
            close(percentile_rank(*x, &population).unwrap(), want);
        }
        let mut sorted = population.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        let q = quartiles(&sorted).unwrap();
        let want = floats(&r["p25_median_p75"]);
        close(q.p25, want[0]);
        close(q.median, want[1]);
        close(q.p75, want[2]);
    }

    #[test]
    fn mean_sd_and_t_interval_match_scipy() {
        let r = &reference()["mean_ci"];
        let s = summarize(&floats(&r["values"]));
        close(s.mean.unwrap(), r["mean"].as_f64().unwrap());
        close(s.sd.unwrap(), r["sd"].as_f64().unwrap());
        let ci = floats(&r["ci95"]);
        close(s.ci_low.unwrap(), ci[0]);
        close(s.ci_high.unwrap(), ci[1]);
    }

    #[test]
    fn pearson_matches_scipy() {
        let r = &reference()["pearson"];
        let p = pearson(&floats(&r["x"]), &floats(&r["y"])).unwrap();
        close(p.r, r["r"].as_f64().unwrap());
        close(p.p.unwrap(), r["p_two_sided"].as_f64().unwrap());
        assert_eq!(p.n, 20);
    }

    #[test]
    fn hand_computed_small_cases() {
        // 2, 4, 6: mean 4, variance ((−2)² + 0 + 2²)/2 = 4, sd 2.
        let s = summarize(&[2.0, 4.0, 6.0]);
        assert_eq!((s.n, s.mean, s.sd), (3, Some(4.0), Some(2.0)));
        // t(0.975, 2) = 4.302652729749462 (scipy.stats.t.ppf); half-width 4.3027·2/√3.
        close(
            s.ci_high.unwrap() - 4.0,
            4.302652729749462 * 2.0 / 3f64.sqrt(),
        );
        // Quantiles of 1..=5: position 4·0.25 = 1 → 2; 4·0.1 = 0.4 → 1.4.
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile_type7(&v, 0.25), Some(2.0));
        close(quantile_type7(&v, 0.1).unwrap(), 1.4);
        // Perfectly linear: r = 1, p = 0.
        let p = pearson(&v, &[2.0, 4.0, 6.0, 8.0, 10.0]).unwrap();
        assert_eq!((p.r, p.p), (1.0, Some(0.0)));
        // Two items always equal: alpha = 2·(1 − 2v/4v) = 1.
        let rows = vec![vec![0.0, 0.0], vec![50.0, 50.0], vec![100.0, 100.0]];
        close(cronbach_alpha(&rows).alpha.unwrap(), 1.0);
    }

    #[test]
    fn undefined_cases_give_none() {
        assert_eq!(mean(&[]), None);
        let one = summarize(&[7.0]);
        assert_eq!(
            (one.n, one.mean, one.sd, one.ci_low),
            (1, Some(7.0), None, None)
        );
        let zero = summarize(&[]);
        assert_eq!((zero.n, zero.mean), (0, None));
        assert_eq!(percentile_rank(1.0, &[]), None);
        // All tied: half of them count → 50.
        assert_eq!(percentile_rank(3.0, &[3.0, 3.0, 3.0]), Some(50.0));
        assert_eq!(quantile_type7(&[4.0], 0.75), Some(4.0));
        assert_eq!(quartiles(&[]), None);
        assert_eq!(z_score(1.0, &[2.0, 2.0]), None);
        assert_eq!(welch(&[1.0], &[1.0, 2.0]), None);
        assert_eq!(welch(&[1.0, 1.0], &[2.0, 2.0]), None);
        assert_eq!(hedges_g(&[1.0, 1.0], &[1.0, 1.0]), None);
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(pearson(&[1.0, 2.0], &[2.0, 1.0]).unwrap().p, None);
        let a = cronbach_alpha(&[vec![1.0, 2.0]]);
        assert_eq!((a.n, a.alpha), (1, None));
        assert_eq!(cronbach_alpha(&[]).k, 0);
        assert_eq!(
            alpha_if_dropped(&[vec![1.0, 2.0], vec![2.0, 3.0]]),
            vec![None, None]
        );
    }
}
