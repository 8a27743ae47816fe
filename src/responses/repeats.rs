//! Repeated respondent ids (SPEC §3): a respondent id may be used once per wave; every later
//! accepted row with the same id and wave is refused, naming the file and line of the row that
//! keeps it. Rows are grouped by a hash of (wave, id) after the import, in parallel.

use rayon::prelude::*;

use super::dataset::Reject;
use super::loader::Loader;
use super::text::quoted;

/// Maps keyed by short strings (organization and wave names): FxHash, much faster than
/// SipHash on short keys. Input files are the user's own, so hash flooding is not a concern.
pub type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// A 64-bit hash of a respondent id, to group rows by (wave, id) before comparing ids in full.
/// FxHash's low bits depend only on the input's low bits, so the SplitMix64 finaliser spreads
/// every bit before the hashes are sorted.
pub fn hash_id(id: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(id.as_bytes());
    h.write_u8(0xff);
    crate::rng::mix(h.finish())
}

impl Loader<'_> {
    /// Refuses every accepted row whose respondent id an earlier accepted row used in the same
    /// wave (SPEC §3): the first use stays. Rows are grouped by a hash of (wave, id) with a
    /// parallel sort and compared in full within a group, so hash collisions cost nothing but
    /// a comparison. The refused rows join the rejects in input order.
    pub fn refuse_repeated_ids(&mut self) {
        let r = &self.data.respondents;
        let mut keys: Vec<(u64, u32)> = self
            .id_hashes
            .par_iter()
            .zip(&r.wave)
            .enumerate()
            .map(|(row, (&hash, &wave))| {
                let key = hash ^ u64::from(wave).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                (key, row as u32)
            })
            .collect();
        keys.par_sort_unstable();
        // (repeated row, first row), in input order.
        let mut repeats: Vec<(usize, usize)> = keys
            .par_chunk_by(|a, b| a.0 == b.0)
            .filter(|group| group.len() > 1)
            .flat_map_iter(|group| {
                // The group's rows in input order; each is compared with the first row of each
                // distinct (wave, id) seen so far (more than one only on a hash collision).
                let same = |a: usize, b: usize| r.wave[a] == r.wave[b] && r.id(a) == r.id(b);
                let mut firsts: Vec<usize> = Vec::new();
                let mut found = Vec::new();
                for &(_, row) in group {
                    let row = row as usize;
                    match firsts.iter().find(|&&first| same(first, row)) {
                        Some(&first) => found.push((row, first)),
                        None => firsts.push(row),
                    }
                }
                found
            })
            .collect();
        if repeats.is_empty() {
            return;
        }
        repeats.sort_unstable();

        let file_of = |row: usize| self.files.partition_point(|f| f.first_row <= row) - 1;
        let refused: Vec<(Reject, u32)> = repeats
            .iter()
            .map(|&(row, first)| {
                let file = &self.files[file_of(row)];
                let id = r.id(row);
                let wave = &self.data.waves[r.wave[row] as usize];
                let reason = format!(
                    "respondent_id `{}` was already used in wave {} by the row on line {} of {}",
                    quoted(id),
                    quoted(wave),
                    self.lines[first],
                    self.files[file_of(first)].name
                );
                let reject = Reject {
                    file: file.name.clone(),
                    line: u64::from(self.lines[row]),
                    column: file.id_column.clone(),
                    respondent_id: id.to_string(),
                    reason,
                };
                (reject, file_of(row) as u32)
            })
            .collect();

        // Rejects of both kinds, in input order (file, then line).
        let earlier = std::mem::take(&mut self.data.rejects)
            .into_iter()
            .zip(std::mem::take(&mut self.reject_files));
        let mut merged: Vec<(Reject, u32)> = earlier.chain(refused).collect();
        merged.sort_by_key(|(reject, file)| (*file, reject.line));
        (self.data.rejects, self.reject_files) = merged.into_iter().unzip();

        let keep: Vec<bool> = {
            let mut keep = vec![true; r.len()];
            for &(row, _) in &repeats {
                keep[row] = false;
            }
            keep
        };
        self.data.respondents = self.data.respondents.retain(&keep, self.instrument);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{load, LoadOptions, Source};
    use super::*;
    use crate::sources::{Format, Reading};

    /// Every later row points at the first; the grouping compares each row with the first of
    /// its id only (comparing with every earlier row would make this test take minutes).
    #[test]
    fn one_id_repeated_thousands_of_times_keeps_its_first_row() {
        let instrument = crate::instrument::load_bundled().expect("the bundled instrument");
        let mut text = String::from("respondent_id,org,role,wave\n");
        for _ in 0..20_000 {
            text.push_str("same,acme,hr,w1\n");
        }
        let source = Source {
            name: "same.csv".into(),
            reader: Box::new(std::io::Cursor::new(text.into_bytes())),
            size: None,
        };
        let reading = Reading::for_format(Format::Csv);
        let data =
            load(&instrument, vec![source], LoadOptions::default(), &reading).expect("loads");
        assert_eq!(
            data.reconciliation(),
            "read 20000 rows: scored 1, rejected 19999"
        );
        assert_eq!(data.rejects[0].line, 3);
        assert_eq!(data.rejects[19_998].line, 20_001);
        assert!(data
            .rejects
            .iter()
            .all(|r| r.reason.ends_with("by the row on line 2 of same.csv")));
    }

    #[test]
    fn hashes_spread_ids_that_differ_in_one_digit() {
        // Ten thousand ids like org-0001-1-0042: every low byte value should occur.
        let mut low = std::collections::BTreeSet::new();
        for i in 0..10_000 {
            low.insert(hash_id(&format!("org-0001-1-{i:04}")) & 0xff);
        }
        assert_eq!(low.len(), 256);
    }
}
