//! Numbers as every output writes them (SPEC §9): Rust's shortest round-trip `Display`, `50`
//! not `50.0`, `-0` as `0`, missing as an empty cell.

/// `50` not `50.0`, `-0` as `0`, shortest form that reads back to the same value.
pub fn num(x: f64) -> String {
    let mut out = String::new();
    push_num(&mut out, x);
    out
}

/// Appends [`num`]'s text for `x`. The digits are those of Rust's `Display` (the shortest that
/// read back to `x`), produced by `zmij` (the formatter serde_json already uses), several
/// times faster than `Display` on the millions of scores a large run writes: 5% of the wall
/// time of `score` on 1M respondents (BENCHMARKS.md). A test compares the two on four million
/// values.
pub fn push_num(out: &mut String, x: f64) {
    use std::fmt::Write as _;
    if x == 0.0 {
        out.push('0');
        return;
    }
    if x.is_finite() && !may_tie(x) {
        let mut buffer = zmij::Buffer::new();
        let text = buffer.format_finite(x);
        // zmij writes `50.0` where Display writes `50`, and switches to `1e-7` notation
        // outside about 1e-5..1e16, where Display never does; those rare values take the
        // slow path.
        if !text.contains('e') {
            out.push_str(text.strip_suffix(".0").unwrap_or(text));
            return;
        }
    }
    let _ = write!(out, "{x}");
}

/// Whether two shortest representations of `x` could be equally close to it, where zmij and
/// `Display` break the tie differently (`…699.2` against `…699.3`). Two candidates of L digits
/// both read back to `x` only for L ≥ 16, and `x` lies exactly halfway only if its exact
/// decimal value has L + 1 significant digits: `x = m · 2^-k` with `m · 5^k` of 17 or 18
/// digits. Integers below 2^53 are exact and never tie. Scores such as 100/3 have about 50
/// exact digits, and short ones such as 56.25 have fewer than 17.
fn may_tie(x: f64) -> bool {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mut m, mut e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    if m == 0 {
        return true;
    }
    let zeros = m.trailing_zeros();
    m >>= zeros;
    e += zeros as i32;
    if e >= 0 {
        return x.abs() >= 2f64.powi(53);
    }
    let k = e.unsigned_abs();
    // 5^27 alone exceeds 10^18.
    k <= 26 && (10u128.pow(16)..10u128.pow(18)).contains(&(u128::from(m) * 5u128.pow(k)))
}

pub fn opt(x: Option<f64>) -> String {
    x.map(num).unwrap_or_default()
}

/// [`push_num`] with a memory of recent numbers. A respondent's dimension scores are means of a
/// few item scores, so a large file holds only a few hundred distinct values per dimension
/// (101 in the 1M-row benchmark): most numbers are copied instead of formatted again.
pub(crate) struct NumberCache {
    /// Direct-mapped: a number's slot is chosen by its bits; a new number replaces the old.
    slots: Vec<(u64, String)>,
}

impl NumberCache {
    const SLOT_BITS: u32 = 12;

    pub(crate) fn new() -> Self {
        // NaN never enters the cache, so its bits mark an empty slot.
        NumberCache {
            slots: vec![(f64::NAN.to_bits(), String::new()); 1 << Self::SLOT_BITS],
        }
    }

    /// Appends `x` as [`push_num`] would; `x` must not be NaN.
    pub(crate) fn push(&mut self, out: &mut String, x: f64) {
        let bits = x.to_bits();
        let slot = bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::SLOT_BITS);
        let (key, text) = &mut self.slots[slot as usize];
        if *key != bits {
            *key = bits;
            text.clear();
            push_num(text, x);
        }
        out.push_str(text);
    }
}

// Numbers for readers: pages and the terminal round where data files never do. Every page
// and message formats its numbers here, so the same figure reads the same everywhere.

/// `x` rounded to `digits` decimals, never `-0.0`: a value that rounds to zero reads as zero.
pub fn decimals(x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => s,
    }
}

/// One decimal (scores on pages): `41.8`, `0.0` (never `-0.0`).
pub fn one(x: f64) -> String {
    decimals(x, 1)
}

/// [`one`], or `–` when missing.
pub fn one_opt(x: Option<f64>) -> String {
    x.map(one).unwrap_or_else(|| "–".into())
}

/// One decimal with its sign: `+3.2`, `−1.0` (a true minus sign), `0.0`.
pub fn signed(x: f64) -> String {
    let s = one(x);
    if s == "0.0" {
        s
    } else if x > 0.0 {
        format!("+{s}")
    } else {
        s.replacen('-', "−", 1)
    }
}

/// A whole number (percentile ranks), or empty when missing.
pub fn whole(x: Option<f64>) -> String {
    x.map_or_else(String::new, |x| decimals(x, 0))
}

/// `digits` decimals (coefficients on pages, such as alpha, r or t), with a true minus sign
/// like [`signed`], or empty when missing.
pub fn fixed(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(String::new, |v| decimals(v, digits).replacen('-', "−", 1))
}

/// A p-value: three decimals, `< 0.001` below that, or empty when missing.
pub fn p_value(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| {
        if v < 0.001 {
            "< 0.001".into()
        } else {
            decimals(v, 3)
        }
    })
}

/// A share of 1 as a whole percentage: `0.8` → `80%`.
pub fn share(x: f64) -> String {
    format!("{}%", decimals(100.0 * x, 0))
}

/// [`share`], or empty when missing.
pub fn percent(x: Option<f64>) -> String {
    x.map_or_else(String::new, share)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_shortest_display() {
        assert_eq!(num(50.0), "50");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(62.5), "62.5");
        assert_eq!(num(100.0 / 3.0), "33.333333333333336");
        assert_eq!(opt(None), "");
        assert_eq!(num(1e-7), "0.0000001");
        assert_eq!(num(1e21), "1000000000000000000000");
        assert_eq!(num(f64::INFINITY), "inf");
        // Ties between two shortest forms (the second is exactly -1618162129551699.25): Display's choice.
        assert_eq!(num(1.0 + 2f64.powi(-17)), "1.0000076293945313");
        assert_eq!(
            num(f64::from_bits(0xc316_fed6_ebaf_054d)),
            "-1618162129551699.3"
        );
    }

    #[test]
    fn numbers_for_readers() {
        assert_eq!(one(-0.04), "0.0");
        assert_eq!(decimals(-0.0004, 3), "0.000");
        assert_eq!(decimals(-0.0006, 3), "-0.001");
        assert_eq!(decimals(-0.4, 0), "0");
        assert_eq!(decimals(12.345, 2), "12.35");
        assert_eq!(share(0.125), "12%");
        assert_eq!(share(2.0 / 3.0), "67%");
        assert_eq!(percent(None), "");
        assert_eq!(one(41.75), "41.8");
        assert_eq!(signed(-1.0), "−1.0");
        assert_eq!(signed(3.24), "+3.2");
        assert_eq!(whole(Some(24.6)), "25");
        assert_eq!(fixed(Some(0.7717), 2), "0.77");
        assert_eq!(fixed(Some(-1.344), 2), "−1.34");
        assert_eq!(fixed(Some(-0.001), 2), "0.00");
        assert_eq!(p_value(Some(0.0004)), "< 0.001");
        assert_eq!(percent(Some(0.8)), "80%");
        assert_eq!(one_opt(None), "–");
    }

    #[test]
    fn cached_numbers_are_the_numbers() {
        let mut cache = NumberCache::new();
        let mut text = String::new();
        // Repeats, and values that share a slot, come back as themselves.
        let values: Vec<f64> = (0..20_000).map(|i| f64::from(i % 7_000) / 3.0).collect();
        for &x in &values {
            text.clear();
            cache.push(&mut text, x);
            assert_eq!(text, num(x));
        }
    }

    /// `push_num` must give exactly `Display`'s text: random bit patterns (every magnitude) and
    /// values shaped like scores (ratios of small integers in 0–100).
    #[test]
    fn fast_numbers_equal_display() {
        let mut rng = crate::rng::SplitMix64::new(0x9E37_79B9_7F4A_7C15);
        let mut next = || rng.next_u64();
        let mut text = String::new();
        for i in 0..4_000_000u64 {
            let i = i % 4;
            let bits = next();
            let x = match i {
                0 => f64::from_bits(bits),
                1 => (bits % 10_001) as f64 / ((bits >> 32) % 97 + 1) as f64,
                // Dyadic fractions, where ties happen: 1 + 2^-17 is 1.00000762939453125.
                2 => (bits >> (11 + (bits >> 58) % 40)) as f64 / 2f64.powi((bits % 64) as i32),
                _ => (bits % 1_000_000) as f64 * 10f64.powi((bits >> 40) as i32 % 40 - 20),
            };
            text.clear();
            push_num(&mut text, x);
            let expected = if x == 0.0 {
                "0".to_string()
            } else {
                x.to_string()
            };
            assert_eq!(text, expected, "bits {:#x}", x.to_bits());
        }
    }
}
