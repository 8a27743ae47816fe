//! Numbers as every output writes them (SPEC §9): Rust's shortest round-trip `Display`, `50`
//! not `50.0`, `-0` as `0`, missing as an empty cell.

/// `50` not `50.0`, `-0` as `0`, shortest form that reads back to the same value.
pub fn num(x: f64) -> String {
    let mut out = String::new();
    push_num(&mut out, x);
    out
}

/// Appends [`num`]'s text for `x`: Rust's `Display` (the shortest digits that read back to
/// `x`), `0` for both zeros. A faster formatter (`zmij`) was measured against this on the
/// 1M-respondent benchmark and gained about 3% of wall time, within run-to-run noise, so the
/// standard library does it; [`NumberCache`] spares the repeats.
pub fn push_num(out: &mut String, x: f64) {
    use std::fmt::Write as _;
    if x == 0.0 {
        out.push('0');
        return;
    }
    let _ = write!(out, "{x}");
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

/// One decimal (scores on pages): `41.8`, `0.0` (never `-0.0`).
pub fn one(x: f64) -> String {
    let s = format!("{x:.1}");
    if s == "-0.0" {
        "0.0".into()
    } else {
        s
    }
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
    x.map_or_else(String::new, |x| format!("{x:.0}"))
}

/// `digits` decimals (coefficients such as alpha or r), or empty when missing.
pub fn fixed(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(String::new, |v| format!("{v:.digits$}"))
}

/// A p-value: three decimals, `< 0.001` below that, or empty when missing.
pub fn p_value(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| {
        if v < 0.001 {
            "< 0.001".into()
        } else {
            format!("{v:.3}")
        }
    })
}

/// A share as a whole percentage: `80%`, or empty when missing.
pub fn percent(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| format!("{:.0}%", 100.0 * v))
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
        assert_eq!(one(41.75), "41.8");
        assert_eq!(signed(-1.0), "−1.0");
        assert_eq!(signed(3.24), "+3.2");
        assert_eq!(whole(Some(24.6)), "25");
        assert_eq!(fixed(Some(0.7717), 2), "0.77");
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
}
