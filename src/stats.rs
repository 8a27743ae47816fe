//! Estimators, named and cited. Every sum is a plain left-to-right loop over the slice as
//! given, so a result depends only on its input order, never on threads.
//!
//! Distributions (Student's t, Fisher's F) come from `statrs`; nothing here approximates a
//! special function by hand. Functions return `None` where the estimator is undefined
//! (too few values, zero variance) and never a NaN inside `Some`.

use statrs::distribution::{ContinuousCDF, FisherSnedecor, Normal, StudentsT};

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

/// Size, mean and within-group sum of squares of one group: what a one-way ANOVA needs of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupMoments {
    pub n: usize,
    pub mean: f64,
    /// `Σ (x − mean)²`, two-pass.
    pub ss: f64,
}

impl GroupMoments {
    /// The moments of one group's values; `None` for an empty group (it takes no part).
    pub fn of(xs: &[f64]) -> Option<GroupMoments> {
        let mean = mean(xs)?;
        let mut ss = 0.0;
        for x in xs {
            ss += (x - mean) * (x - mean);
        }
        Some(GroupMoments {
            n: xs.len(),
            mean,
            ss,
        })
    }
}

/// ICC(1) and ICC(2) of a one-way random-effects ANOVA of individual scores by group (Bliese
/// 2000; Bartko 1976), exactly as R's `multilevel::ICC1` and `ICC2` compute them from
/// `aov(y ~ group)`: with J groups and N individuals, `MSB = SSB/(J − 1)`,
/// `MSW = SSW/(N − J)`, `k = N/J`,
/// `ICC(1) = (MSB − MSW)/(MSB + (k − 1)·MSW)` (the share of the variance of individual scores
/// that lies between groups) and `ICC(2) = (MSB − MSW)/MSB` (the reliability of the group
/// means). ICC(1) may be negative, as in R.
#[derive(Debug, Clone, PartialEq)]
pub struct Icc {
    pub groups: usize,
    pub n: usize,
    pub msb: f64,
    pub msw: f64,
    /// `None` when `MSB + (k − 1)·MSW` is 0 (every score equal).
    pub icc1: Option<f64>,
    /// `None` when `MSB` is 0 (every group mean equal).
    pub icc2: Option<f64>,
}

/// [`Icc`] over `groups` (empty groups left out beforehand); `None` for fewer than 2 groups or
/// no within-group degree of freedom (every group of one).
pub fn icc(groups: &[GroupMoments]) -> Option<Icc> {
    let j = groups.len();
    let mut n = 0usize;
    let mut total = 0.0;
    let mut ssw = 0.0;
    for g in groups {
        n += g.n;
        total += g.n as f64 * g.mean;
        ssw += g.ss;
    }
    if j < 2 || n <= j {
        return None;
    }
    let grand = total / n as f64;
    let mut ssb = 0.0;
    for g in groups {
        ssb += g.n as f64 * (g.mean - grand) * (g.mean - grand);
    }
    let msb = ssb / (j - 1) as f64;
    let msw = ssw / (n - j) as f64;
    let k = n as f64 / j as f64;
    let denominator = msb + (k - 1.0) * msw;
    Some(Icc {
        groups: j,
        n,
        msb,
        msw,
        icc1: (denominator > 0.0).then(|| (msb - msw) / denominator),
        icc2: (msb > 0.0).then(|| (msb - msw) / msb),
    })
}

/// The variance of answers given uniformly at random on a scale of `options` answer options,
/// `σ²_EU = (A² − 1)/12`: the "no agreement" null of rwg(j) (James, Demaree & Wolf 1984).
pub fn uniform_null_variance(options: usize) -> f64 {
    let a = options as f64;
    (a * a - 1.0) / 12.0
}

/// Within-group agreement over J items, rwg(j) (James, Demaree & Wolf 1984), exactly as R's
/// `multilevel::rwg.j(x, grpid, ranvar = (A² − 1)/12)` computes it for one group:
/// `s̄²` the mean of the items' sample variances (n − 1), capped at `σ²_EU`, then
/// `rwg(j) = J(1 − s̄²/σ²_EU) / (J(1 − s̄²/σ²_EU) + s̄²/σ²_EU)`. 1 is perfect agreement; 0 is
/// answers as varied as random ones or more (the cap keeps rwg(j) from turning negative).
///
/// `items[j]` holds the answer codes of item j of the respondents who answered every item
/// (listwise), all of the same length; `options` is A. `None` for fewer than 2 respondents, no
/// item, or fewer than 2 options.
pub fn rwg_j(items: &[Vec<f64>], options: usize) -> Option<f64> {
    if options < 2 {
        return None;
    }
    let null = uniform_null_variance(options);
    let ratio = mean_item_variance(items)?.min(null) / null;
    let j = items.len() as f64;
    Some(j * (1.0 - ratio) / (j * (1.0 - ratio) + ratio))
}

/// The mean of the items' sample variances, `s̄²` of [`rwg_j`] before the cap; `None` as there.
pub fn mean_item_variance(items: &[Vec<f64>]) -> Option<f64> {
    let n = items.first()?.len();
    if n < 2 || items.iter().any(|c| c.len() != n) {
        return None;
    }
    let mut variances = 0.0;
    for column in items {
        variances += sample_variance(column)?;
    }
    Some(variances / items.len() as f64)
}

/// The average deviation index over J items, AD_M(J) (Burke, Finkelstein & Dusig 1999), exactly
/// as R's `multilevel::ad.m(x, grpid, type = "mean")` computes it for one group: for each item
/// the mean absolute deviation of the answers from the item's mean (divided by n), then the
/// mean over the items. 0 is perfect agreement; Burke & Dunlap (2002) read AD_M ≤ A/6 as
/// agreement on a scale of A options. Same input as [`rwg_j`]; `None` for fewer than 2
/// respondents or no item.
pub fn ad_m(items: &[Vec<f64>]) -> Option<f64> {
    let n = items.first()?.len();
    if n < 2 || items.iter().any(|c| c.len() != n) {
        return None;
    }
    let mut total = 0.0;
    for column in items {
        let m = mean(column)?;
        let mut deviation = 0.0;
        for x in column {
            deviation += (x - m).abs();
        }
        total += deviation / n as f64;
    }
    Some(total / items.len() as f64)
}

/// The F test of ICC(1) and its 95% interval, as R's `psych::ICC` computes the ICC1 row
/// (Shrout & Fleiss 1979; McGraw & Wong 1996), from the one-way ANOVA of [`icc`]:
/// `F = MSB/MSW` on `J − 1` and `N − J` degrees of freedom, `p = P(F' > F)`; with
/// `F_L = F / F(0.975; J − 1, N − J)` and `F_U = F · F(0.975; N − J, J − 1)`, the bounds are
/// `(F_L − 1)/(F_L + k − 1)` and `(F_U − 1)/(F_U + k − 1)` for `k = N/J` (psych's number of
/// judges; for unequal groups the same mean group size that ICC(1) uses).
#[derive(Debug, Clone, PartialEq)]
pub struct IccTest {
    pub f: f64,
    pub df1: f64,
    pub df2: f64,
    pub p: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// [`IccTest`] of an [`Icc`]; `None` when `MSW` is 0 (F is infinite).
pub fn icc_test(icc: &Icc) -> Option<IccTest> {
    if icc.msw <= 0.0 || !icc.msw.is_finite() {
        return None;
    }
    let (df1, df2) = ((icc.groups - 1) as f64, (icc.n - icc.groups) as f64);
    let k = icc.n as f64 / icc.groups as f64;
    let f = icc.msb / icc.msw;
    let p = FisherSnedecor::new(df1, df2).ok()?.sf(f);
    let upper = FisherSnedecor::new(df1, df2).ok()?.inverse_cdf(0.975);
    let lower = FisherSnedecor::new(df2, df1).ok()?.inverse_cdf(0.975);
    let (fl, fu) = (f / upper, f * lower);
    let test = IccTest {
        f,
        df1,
        df2,
        p,
        ci_low: (fl - 1.0) / (fl + k - 1.0),
        ci_high: (fu - 1.0) / (fu + k - 1.0),
    };
    [test.f, test.p, test.ci_low, test.ci_high]
        .iter()
        .all(|x| x.is_finite())
        .then_some(test)
}

/// Holm's (1979) step-down adjustment of a family of p-values, as R's
/// `p.adjust(p, "holm")`: sorted ascending, `p₍ᵢ₎·(m − i + 1)`, made monotone by a running
/// maximum and capped at 1; returned in the input order.
pub fn p_holm(ps: &[f64]) -> Vec<f64> {
    let m = ps.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| ps[a].total_cmp(&ps[b]));
    let mut out = vec![0.0; m];
    let mut running = 0.0f64;
    for (i, &j) in order.iter().enumerate() {
        running = running.max((m - i) as f64 * ps[j]);
        out[j] = running.min(1.0);
    }
    out
}

/// Benjamini & Hochberg's (1995) false-discovery-rate q-values, as R's `p.adjust(p, "BH")`:
/// sorted descending, `p₍ᵢ₎·m/i`, made monotone by a running minimum and capped at 1;
/// returned in the input order.
pub fn q_bh(ps: &[f64]) -> Vec<f64> {
    let m = ps.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| ps[b].total_cmp(&ps[a]));
    let mut out = vec![0.0; m];
    let mut running = f64::INFINITY;
    for (i, &j) in order.iter().enumerate() {
        let rank = (m - i) as f64;
        running = running.min(m as f64 / rank * ps[j]);
        out[j] = running.min(1.0);
    }
    out
}

/// Descriptive statistics of one variable, as R's `psych::describe` (default `type = 3`):
/// sample sd (n − 1); skew `b₁ = m₃/s³` and excess kurtosis `b₂ = m₄/s⁴ − 3` with the central
/// moments `m_r = Σ(x − x̄)^r / n` and the sample sd `s` (Joanes & Gill 1998's type 3).
#[derive(Debug, Clone, PartialEq)]
pub struct Describe {
    pub n: usize,
    pub mean: f64,
    pub sd: Option<f64>,
    pub min: f64,
    pub max: f64,
    pub skew: Option<f64>,
    pub kurtosis: Option<f64>,
}

/// [`Describe`] of `xs`; `None` when empty. sd needs 2 values, skew and kurtosis a sd above 0.
pub fn describe(xs: &[f64]) -> Option<Describe> {
    let mean = mean(xs)?;
    let n = xs.len() as f64;
    let (mut m3, mut m4) = (0.0, 0.0);
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for &x in xs {
        let d = x - mean;
        m3 += d * d * d;
        m4 += d * d * d * d;
        min = min.min(x);
        max = max.max(x);
    }
    let sd = sample_sd(xs);
    let spread = sd.filter(|&s| s > 0.0);
    Some(Describe {
        n: xs.len(),
        mean,
        sd,
        min,
        max,
        skew: spread.map(|s| m3 / n / s.powi(3)),
        kurtosis: spread.map(|s| m4 / n / s.powi(4) - 3.0),
    })
}

/// The paired t-test of later against earlier scores of the same respondents (R's
/// `t.test(later, earlier, paired = TRUE)`): the differences `d = later − earlier`, `t =
/// mean(d)/(sd(d)/√n)` on n − 1 degrees of freedom, two-sided p, the 95% interval
/// `mean(d) ± t(0.975, n − 1)·sd(d)/√n`, and Cohen's `d_z = mean(d)/sd(d)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Paired {
    pub n: usize,
    pub mean_difference: f64,
    pub sd_difference: f64,
    pub t: f64,
    pub df: f64,
    pub p: f64,
    pub d_z: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// [`Paired`] of equally long slices; `None` for fewer than 2 pairs or differences that are
/// all equal.
pub fn paired(later: &[f64], earlier: &[f64]) -> Option<Paired> {
    let differences: Vec<f64> = later.iter().zip(earlier).map(|(a, b)| a - b).collect();
    let n = differences.len();
    let m = mean(&differences)?;
    let sd = sample_sd(&differences).filter(|&s| s > 0.0)?;
    let df = (n - 1) as f64;
    let se = sd / (n as f64).sqrt();
    let t = m / se;
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    let q = dist.inverse_cdf(0.975);
    Some(Paired {
        n,
        mean_difference: m,
        sd_difference: sd,
        t,
        df,
        p: (2.0 * dist.sf(t.abs())).min(1.0),
        d_z: m / sd,
        ci_low: m - q * se,
        ci_high: m + q * se,
    })
}

/// The 95% interval of a Pearson r by Fisher's z (Fisher 1921), as R's `cor.test`:
/// `tanh(atanh(r) ± z(0.975)/√(n − 3))`; `None` for n < 4 or |r| = 1.
pub fn fisher_interval(r: f64, n: usize) -> Option<(f64, f64)> {
    if n < 4 || r.abs() >= 1.0 {
        return None;
    }
    let z = r.atanh();
    let q = Normal::new(0.0, 1.0).ok()?.inverse_cdf(0.975);
    let se = 1.0 / ((n - 3) as f64).sqrt();
    Some(((z - q * se).tanh(), (z + q * se).tanh()))
}

/// Pearson correlation matrix of the columns of complete rows; `None` when a column has no
/// variance or there are fewer than 2 rows.
fn correlation_matrix(rows: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let k = rows.first()?.len();
    if rows.len() < 2 {
        return None;
    }
    let cov = covariance_matrix(rows)?;
    let sd: Vec<f64> = (0..k).map(|j| cov[j][j].sqrt()).collect();
    if sd.iter().any(|&s| s <= 0.0) {
        return None;
    }
    Some(
        (0..k)
            .map(|a| (0..k).map(|b| cov[a][b] / (sd[a] * sd[b])).collect())
            .collect(),
    )
}

/// Sample covariance matrix (n − 1) of the columns of complete rows, two-pass.
fn covariance_matrix(rows: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let k = rows.first()?.len();
    covariance(rows.len(), k, |row, column| rows[row][column])
}

/// Sample covariance matrix (n − 1) of `k` variables over `n` complete rows, `value(row,
/// column)` giving each value; two-pass (means first), rows in order. `None` for n < 2.
#[allow(clippy::needless_range_loop)] // matrix indices read plainer than zipped iterators
pub fn covariance(
    n: usize,
    k: usize,
    value: impl Fn(usize, usize) -> f64,
) -> Option<Vec<Vec<f64>>> {
    if n < 2 || k == 0 {
        return None;
    }
    let mut means = vec![0.0; k];
    for row in 0..n {
        for (j, m) in means.iter_mut().enumerate() {
            *m += value(row, j);
        }
    }
    for m in &mut means {
        *m /= n as f64;
    }
    let mut cov = vec![vec![0.0; k]; k];
    let mut deviations = vec![0.0; k];
    for row in 0..n {
        for (j, d) in deviations.iter_mut().enumerate() {
            *d = value(row, j) - means[j];
        }
        for a in 0..k {
            for b in a..k {
                cov[a][b] += deviations[a] * deviations[b];
            }
        }
    }
    for a in 0..k {
        for b in a..k {
            cov[a][b] /= (n - 1) as f64;
            cov[b][a] = cov[a][b];
        }
    }
    Some(cov)
}

/// Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations (Golub & Van
/// Loan 2013, §8.5), the eigenvalues in decreasing order, `vectors[j]` the eigenvector of
/// `values[j]`.
#[allow(clippy::needless_range_loop)] // matrix indices read plainer than zipped iterators
fn symmetric_eigen(matrix: &[Vec<f64>]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = matrix.len();
    let mut a: Vec<Vec<f64>> = matrix.to_vec();
    let mut v: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for _sweep in 0..100 {
        let mut off = 0.0;
        for p in 0..k {
            for q in p + 1..k {
                off += a[p][q] * a[p][q];
            }
        }
        if off < 1e-30 {
            break;
        }
        for p in 0..k {
            for q in p + 1..k {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..k {
                    let (arp, arq) = (a[r][p], a[r][q]);
                    a[r][p] = c * arp - s * arq;
                    a[r][q] = s * arp + c * arq;
                }
                for r in 0..k {
                    let (apr, aqr) = (a[p][r], a[q][r]);
                    a[p][r] = c * apr - s * aqr;
                    a[q][r] = s * apr + c * aqr;
                }
                for row in v.iter_mut() {
                    let (vp, vq) = (row[p], row[q]);
                    row[p] = c * vp - s * vq;
                    row[q] = s * vp + c * vq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&x, &y| a[y][y].total_cmp(&a[x][x]));
    let values = order.iter().map(|&j| a[j][j]).collect();
    let vectors = order
        .iter()
        .map(|&j| (0..k).map(|i| v[i][j]).collect())
        .collect();
    (values, vectors)
}

/// Loadings of the items on the first principal component of their correlation matrix, as R's
/// `psych::principal(x, nfactors = 1)`: the first eigenvector times the square root of its
/// eigenvalue, its sign chosen so that the loadings sum to a positive number. An item with a
/// negative loading runs against the others, which `psych::alpha(check.keys = TRUE)` reads as
/// "may be reverse-keyed". `None` for fewer than 2 items or rows, or an item without variance.
pub fn first_component_loadings(rows: &[Vec<f64>]) -> Option<Vec<f64>> {
    let corr = correlation_matrix(rows)?;
    if corr.len() < 2 {
        return None;
    }
    let (values, vectors) = symmetric_eigen(&corr);
    let scale = values[0].max(0.0).sqrt();
    let mut loadings: Vec<f64> = vectors[0].iter().map(|x| x * scale).collect();
    if sum(&loadings) < 0.0 {
        for l in &mut loadings {
            *l = -*l;
        }
    }
    Some(loadings)
}

/// R² of the least-squares regression of `y` on the predictors in `subset` (bit j set:
/// predictor j), from the covariance matrix `cov` of the predictors (first `p` rows) and `y`
/// (last row), by Cholesky: `R² = c'C⁻¹c / var(y)`. 0 for the empty subset.
fn r_squared(cov: &[Vec<f64>], subset: u32) -> f64 {
    let p = cov.len() - 1;
    let chosen: Vec<usize> = (0..p).filter(|j| subset & (1 << j) != 0).collect();
    let m = chosen.len();
    if m == 0 {
        return 0.0;
    }
    // Cholesky factor L of the predictors' covariance, then solve L z = c; R² = z'z / var(y).
    let mut l = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            let mut s = cov[chosen[i]][chosen[j]];
            for t in 0..j {
                s -= l[i * m + t] * l[j * m + t];
            }
            if i == j {
                if s <= 0.0 {
                    return f64::NAN;
                }
                l[i * m + i] = s.sqrt();
            } else {
                l[i * m + j] = s / l[j * m + j];
            }
        }
    }
    let mut z = vec![0.0; m];
    let mut explained = 0.0;
    for i in 0..m {
        let mut s = cov[chosen[i]][p];
        for t in 0..i {
            s -= l[i * m + t] * z[t];
        }
        z[i] = s / l[i * m + i];
        explained += z[i] * z[i];
    }
    explained / cov[p][p]
}

/// Most predictors [`dominance`] takes: 2^15 regressions.
pub const DOMINANCE_MAX: usize = 15;

/// General dominance weights (Budescu 1993; Azen & Budescu 2003), the same as the LMG/Shapley
/// decomposition of R² (Lindeman, Merenda & Gold 1980; R's `relaimpo` `lmg`, `domir`): for each
/// predictor, the mean over subset sizes of the mean gain in R² from adding it to the subsets
/// of the other predictors of that size. The weights sum to the R² of the full model.
#[derive(Debug, Clone, PartialEq)]
pub struct Dominance {
    pub n: usize,
    pub r2: f64,
    pub weights: Vec<f64>,
}

/// [`Dominance`] of `y` (last column of each complete row) on the other columns; `None` for
/// more than [`DOMINANCE_MAX`] predictors, no predictor, fewer rows than predictors + 2, a
/// constant outcome, or collinear predictors.
pub fn dominance(rows: &[Vec<f64>]) -> Option<Dominance> {
    dominance_of_covariance(&covariance_matrix(rows)?, rows.len())
}

/// [`dominance`] from the covariance matrix of the predictors and the outcome (last) over `n`
/// complete rows.
pub fn dominance_of_covariance(cov: &[Vec<f64>], n: usize) -> Option<Dominance> {
    let p = cov.len().checked_sub(1)?;
    if p == 0 || p > DOMINANCE_MAX || n < p + 2 {
        return None;
    }
    if cov[p][p] <= 0.0 {
        return None;
    }
    let models = 1u32 << p;
    let r2: Vec<f64> = (0..models).map(|s| r_squared(cov, s)).collect();
    if r2.iter().any(|x| !x.is_finite()) {
        return None;
    }
    // Shapley weights: a subset S of size s without j counts s!(p − s − 1)!/p!, which is the
    // mean over sizes of the mean over the C(p − 1, s) subsets of that size.
    let mut per_size = vec![0.0; p];
    for (s, w) in per_size.iter_mut().enumerate() {
        *w = 1.0 / (p as f64 * binomial(p - 1, s));
    }
    let mut weights = vec![0.0; p];
    for (j, weight) in weights.iter_mut().enumerate() {
        let bit = 1u32 << j;
        let mut total = 0.0;
        for s in 0..models {
            if s & bit == 0 {
                total +=
                    per_size[s.count_ones() as usize] * (r2[(s | bit) as usize] - r2[s as usize]);
            }
        }
        *weight = total;
    }
    Some(Dominance {
        n,
        r2: r2[(models - 1) as usize],
        weights,
    })
}

fn binomial(n: usize, k: usize) -> f64 {
    let mut c = 1.0;
    for i in 0..k {
        c = c * (n - i) as f64 / (i + 1) as f64;
    }
    c
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

    /// Reads one of the CSV files in `tests/fixtures/aggregation/` (written by `reference.R`).
    fn aggregation_fixture(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let path = format!(
            "{}/tests/fixtures/aggregation/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).expect("aggregation fixture");
        let mut lines = text.lines();
        let split = |l: &str| l.split(',').map(String::from).collect::<Vec<_>>();
        let header = split(lines.next().unwrap());
        (header, lines.map(split).collect())
    }

    fn column_of(header: &[String], name: &str) -> usize {
        header.iter().position(|h| h == name).unwrap()
    }

    #[test]
    fn icc_matches_r_multilevel_on_bh1996() {
        let (header, rows) = aggregation_fixture("bh1996.csv");
        let grp = column_of(&header, "GRP");
        let (_, expected) = aggregation_fixture("bh1996-icc.csv");
        assert_eq!(expected.len(), 4);
        for want in expected {
            let v = column_of(&header, &want[0]);
            // Groups in order of first appearance; the data are sorted by GRP.
            let mut groups: Vec<(String, Vec<f64>)> = Vec::new();
            for row in &rows {
                let x: f64 = row[v].parse().unwrap();
                match groups.last_mut() {
                    Some((g, values)) if *g == row[grp] => values.push(x),
                    _ => groups.push((row[grp].clone(), vec![x])),
                }
            }
            let moments: Vec<GroupMoments> = groups
                .iter()
                .map(|(_, values)| GroupMoments::of(values).unwrap())
                .collect();
            let got = icc(&moments).unwrap();
            assert_eq!(got.groups.to_string(), want[1]);
            assert_eq!(got.n.to_string(), want[2]);
            close(got.icc1.unwrap(), want[3].parse().unwrap());
            close(got.icc2.unwrap(), want[4].parse().unwrap());
        }
    }

    #[test]
    fn rwg_j_and_ad_m_match_r_multilevel_on_lq2002() {
        let (header, rows) = aggregation_fixture("lq2002.csv");
        let company = column_of(&header, "COMPID");
        let (_, expected) = aggregation_fixture("lq2002-agreement.csv");
        assert_eq!(expected.len(), 3 * 49);
        let mut capped = 0;
        for want in expected {
            let items: Vec<usize> = (0..header.len())
                .filter(|&i| header[i].starts_with(&want[0]) && header[i].len() > 4)
                .collect();
            let group: Vec<&Vec<String>> = rows.iter().filter(|r| r[company] == want[1]).collect();
            let columns: Vec<Vec<f64>> = items
                .iter()
                .map(|&i| group.iter().map(|r| r[i].parse().unwrap()).collect())
                .collect();
            assert_eq!(columns[0].len().to_string(), want[2]);
            let rwg = rwg_j(&columns, 5).unwrap();
            close(rwg, want[3].parse().unwrap());
            close(ad_m(&columns).unwrap(), want[4].parse().unwrap());
            if mean_item_variance(&columns).unwrap() > uniform_null_variance(5) {
                assert_eq!(rwg, 0.0, "s̄² above σ²_EU gives 0 ({} {})", want[0], want[1]);
                capped += 1;
            }
        }
        assert!(capped >= 2, "the data include groups with s̄² > σ²_EU");
    }

    #[test]
    fn aggregation_estimators_on_hand_values() {
        // Groups {1, 2} and {3, 4}: grand mean 2.5, SSB = 2·1² + 2·1² = 4 on 1 df, SSW = 0.5 +
        // 0.5 = 1 on 2 df; MSB 4, MSW 0.5, k 2: ICC(1) = 3.5/4.5, ICC(2) = 3.5/4.
        let groups = [
            GroupMoments::of(&[1.0, 2.0]).unwrap(),
            GroupMoments::of(&[3.0, 4.0]).unwrap(),
        ];
        let i = icc(&groups).unwrap();
        assert_eq!((i.groups, i.n, i.msb, i.msw), (2, 4, 4.0, 0.5));
        close(i.icc1.unwrap(), 7.0 / 9.0);
        close(i.icc2.unwrap(), 0.875);
        // Unequal sizes {0, 2, 4} and {10}: grand mean 4, SSB = 3·2² + 1·6² = 48, SSW = 8 on 2
        // df; MSB 48, MSW 4, k 2: ICC(1) = 44/52, ICC(2) = 44/48.
        let groups = [
            GroupMoments::of(&[0.0, 2.0, 4.0]).unwrap(),
            GroupMoments::of(&[10.0]).unwrap(),
        ];
        let i = icc(&groups).unwrap();
        close(i.icc1.unwrap(), 44.0 / 52.0);
        close(i.icc2.unwrap(), 44.0 / 48.0);
        // Equal group means: MSB 0, so ICC(1) = −MSW/((k − 1)·MSW) = −1 and ICC(2) undefined.
        let same = [
            GroupMoments::of(&[1.0, 3.0]).unwrap(),
            GroupMoments::of(&[1.0, 3.0]).unwrap(),
        ];
        let i = icc(&same).unwrap();
        assert_eq!((i.icc1, i.icc2), (Some(-1.0), None));
        // Two respondents, two items on 5 options: variances 2 and 0, s̄² = 1, σ²_EU = 24/12 = 2,
        // rwg(j) = 2·0.5/(2·0.5 + 0.5) = 2/3; AD: item 1 |1−2| + |3−2| over 2 = 1, item 2 0.
        let items = vec![vec![1.0, 3.0], vec![2.0, 2.0]];
        close(rwg_j(&items, 5).unwrap(), 2.0 / 3.0);
        close(ad_m(&items).unwrap(), 0.5);
        // Opposite answers: s̄² = 8 > 2 is capped, rwg(j) = 0. The same answers: 1 and AD 0.
        assert_eq!(rwg_j(&[vec![1.0, 5.0], vec![5.0, 1.0]], 5), Some(0.0));
        assert_eq!(
            mean_item_variance(&[vec![1.0, 5.0], vec![5.0, 1.0]]),
            Some(8.0)
        );
        assert_eq!(rwg_j(&[vec![4.0, 4.0, 4.0]], 5), Some(1.0));
        assert_eq!(ad_m(&[vec![4.0, 4.0, 4.0]]), Some(0.0));
        // σ²_EU of a 4-option scale: 15/12.
        close(uniform_null_variance(4), 1.25);
    }

    #[test]
    fn aggregation_estimators_with_too_few_values_give_none() {
        assert_eq!(GroupMoments::of(&[]), None);
        let one = GroupMoments::of(&[5.0]).unwrap();
        assert_eq!((one.n, one.mean, one.ss), (1, 5.0, 0.0));
        // No group, one group, or groups of one (no within-group degree of freedom).
        assert_eq!(icc(&[]), None);
        assert_eq!(icc(&[GroupMoments::of(&[1.0, 2.0]).unwrap()]), None);
        assert_eq!(icc(&[one, GroupMoments::of(&[7.0]).unwrap()]), None);
        // Every score equal: both undefined.
        let flat = GroupMoments::of(&[2.0, 2.0]).unwrap();
        let i = icc(&[flat, flat]).unwrap();
        assert_eq!((i.icc1, i.icc2), (None, None));
        // rwg(j) and AD_M need 2 respondents, an item, equal lengths and 2 options.
        assert_eq!(rwg_j(&[], 5), None);
        assert_eq!(rwg_j(&[vec![]], 5), None);
        assert_eq!(rwg_j(&[vec![3.0]], 5), None);
        assert_eq!(rwg_j(&[vec![3.0, 4.0], vec![3.0]], 5), None);
        assert_eq!(rwg_j(&[vec![1.0, 1.0]], 1), None);
        assert_eq!(ad_m(&[]), None);
        assert_eq!(ad_m(&[vec![3.0]]), None);
        assert_eq!(mean_item_variance(&[vec![]]), None);
    }

    /// A CSV of `tests/fixtures/reference-r/` (written by `reference.R` there with R's
    /// psych and stats packages; versions in `versions.txt`), as rows of numbers.
    fn r_reference(name: &str) -> (Vec<String>, Vec<Vec<f64>>) {
        let path = format!(
            "{}/tests/fixtures/reference-r/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).expect(&path);
        let mut lines = text.lines();
        let header = lines.next().unwrap().split(',').map(String::from).collect();
        let rows = lines
            .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
            .collect();
        (header, rows)
    }

    #[test]
    fn holm_and_benjamini_hochberg_match_p_adjust() {
        let (_, rows) = r_reference("p-adjust.csv");
        let ps: Vec<f64> = rows.iter().map(|r| r[0]).collect();
        for ((got_holm, got_bh), row) in p_holm(&ps).iter().zip(q_bh(&ps)).zip(&rows) {
            close(*got_holm, row[1]);
            close(got_bh, row[2]);
        }
        // The smallest p is kept exactly, not rounded to 0.
        let smallest = p_holm(&ps)[7];
        assert!(smallest > 0.0 && (smallest - 3.2e-300).abs() < 1e-310);
        assert!(p_holm(&[]).is_empty() && q_bh(&[]).is_empty());
    }

    #[test]
    fn icc1_f_test_and_interval_match_psych_icc_on_balanced_groups() {
        let (_, values) = r_reference("balanced-icc.csv");
        let (_, want) = r_reference("balanced-icc-psych.csv");
        let want = &want[0];
        let mut groups = Vec::new();
        for chunk in values.chunk_by(|a, b| a[0] == b[0]) {
            let xs: Vec<f64> = chunk.iter().map(|r| r[1]).collect();
            groups.push(GroupMoments::of(&xs).unwrap());
        }
        assert_eq!(groups.len() as f64, want[0]);
        let icc = icc(&groups).unwrap();
        close(icc.icc1.unwrap(), want[2]);
        let test = icc_test(&icc).unwrap();
        close(test.f, want[3]);
        close(test.df1, want[4]);
        close(test.df2, want[5]);
        close(test.p, want[6]);
        close(test.ci_low, want[7]);
        close(test.ci_high, want[8]);
    }

    #[test]
    fn dominance_weights_sum_to_r2_and_follow_the_correlations() {
        // y = x0 + 0.5·x1 exactly plus an unrelated x2: all of R² is x0's and x1's.
        let rows: Vec<Vec<f64>> = (0..40)
            .map(|i| {
                let (a, b, c) = ((i % 7) as f64, ((i * 3) % 11) as f64, ((i * 5) % 13) as f64);
                vec![a, b, c, a + 0.5 * b + 0.01 * ((i % 2) as f64)]
            })
            .collect();
        let d = dominance(&rows).unwrap();
        close(d.weights.iter().sum::<f64>(), d.r2);
        assert!(d.weights[0] > d.weights[1] && d.weights[1] > d.weights[2]);
        assert!(
            dominance(&rows[..4]).is_none(),
            "fewer rows than predictors + 2"
        );
        let loadings = first_component_loadings(&rows).unwrap();
        assert_eq!(loadings.len(), 4);
        assert!(loadings.iter().sum::<f64>() > 0.0);
    }

    #[test]
    fn describe_type_3_and_the_paired_test() {
        // psych::describe(c(1, 2, 4, 8, 16), type = 3): skew 0.6978, kurtosis -1.4027 (b1, b2).
        let d = describe(&[1.0, 2.0, 4.0, 8.0, 16.0]).unwrap();
        let (m, n) = (6.2, 5.0);
        let dev: Vec<f64> = [1.0f64, 2.0, 4.0, 8.0, 16.0]
            .iter()
            .map(|x| x - m)
            .collect();
        let s = (dev.iter().map(|d| d * d).sum::<f64>() / (n - 1.0)).sqrt();
        close(
            d.skew.unwrap(),
            dev.iter().map(|d| d.powi(3)).sum::<f64>() / n / s.powi(3),
        );
        close(
            d.kurtosis.unwrap(),
            dev.iter().map(|d| d.powi(4)).sum::<f64>() / n / s.powi(4) - 3.0,
        );
        assert_eq!(describe(&[3.0]).unwrap().skew, None);
        let p = paired(&[2.0, 4.0, 7.0], &[1.0, 2.0, 3.0]).unwrap();
        close(p.mean_difference, 7.0 / 3.0);
        close(p.df, 2.0);
        assert!(p.ci_low < p.mean_difference && p.mean_difference < p.ci_high);
        assert!(
            paired(&[2.0, 3.0], &[1.0, 2.0]).is_none(),
            "differences all equal"
        );
    }
}
