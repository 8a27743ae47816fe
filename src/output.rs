//! The data files of SPEC §9: tidy CSV for analysts and one JSON document, written atomically.
//!
//! Numbers are formatted in one place ([`num`]): Rust's shortest round-trip `Display`, `-0`
//! as `0`, missing as an empty cell. Rows follow the order SPEC §9 fixes, so files are
//! byte-identical between runs and thread counts.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::aggregate::Group;
use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::instrument::Instrument;
use crate::responses::Dataset;

/// `50` not `50.0`, `-0` as `0`, shortest form that reads back to the same value.
pub fn num(x: f64) -> String {
    let mut out = String::new();
    push_num(&mut out, x);
    out
}

/// Appends [`num`]'s text for `x`. The digits are those of Rust's `Display` (the shortest that
/// read back to `x`), produced by `zmij`, several times faster than `Display` on the millions
/// of scores a large run writes; a test compares the two on four million values.
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

/// A file written under a unique temporary name beside its destination (created exclusively,
/// so no planted file or link is ever written through) and renamed into place when complete:
/// an interrupted write never leaves a half-written file under the real name.
pub struct AtomicFile {
    path: PathBuf,
    temp: PathBuf,
    writer: std::io::BufWriter<std::fs::File>,
    committed: bool,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let io = |temp: &Path, e| Error::io(temp, "cannot write", e);
        for attempt in 0..100 {
            let temp = path.with_file_name(format!(
                ".{name}.{}.partial",
                crate::output_dir::unique_suffix(attempt)
            ));
            crate::output_dir::fault::check_write().map_err(|e| io(&temp, e))?;
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)
            {
                Ok(file) => {
                    return Ok(AtomicFile {
                        path: path.to_path_buf(),
                        temp,
                        writer: std::io::BufWriter::with_capacity(1 << 16, file),
                        committed: false,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(&temp, e)),
            }
        }
        Err(Error::Other(format!(
            "{}: cannot find a free temporary name",
            path.display()
        )))
    }

    pub fn commit(mut self) -> Result<()> {
        self.writer
            .flush()
            .map_err(|e| Error::io(&self.temp, "cannot write", e))?;
        std::fs::rename(&self.temp, &self.path)
            .map_err(|e| Error::io(&self.path, "cannot write", e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for AtomicFile {
    /// An uncommitted file (the run failed) leaves no temporary file behind.
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)
        .map_err(|e| Error::io(path, "cannot write", e))?;
    file.commit()
}

fn csv_file(path: &Path) -> Result<csv::Writer<AtomicFile>> {
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(AtomicFile::create(path)?))
}

fn finish(path: &Path, writer: csv::Writer<AtomicFile>) -> Result<()> {
    writer
        .into_inner()
        .map_err(|e| Error::io(path, "cannot write", e.into_error()))?
        .commit()
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::Other(format!("{}: cannot write: {e}", path.display()))
}

/// The data files, in the order [`write_data`] reports them.
const DATA_FILES: [&str; 7] = [
    "respondent_scores.csv",
    "org_scores.csv",
    "org_summary.csv",
    "perception_gaps.csv",
    "changes.csv",
    "rejects.csv",
    "scores.json",
];

/// Writes every data file into `dir` and returns their names in writing order.
pub fn write_data(analysis: &Analysis, dir: &Path) -> Result<Vec<&'static str>> {
    create_folder(dir)?;
    // The files are independent: write the large ones concurrently.
    let (respondents, rest) = rayon::join(
        || respondent_scores(analysis.instrument, analysis.data, dir),
        || write_analysis_files(analysis, dir),
    );
    respondents?;
    rest?;
    Ok(DATA_FILES.to_vec())
}

/// Runs `analyse` while `respondent_scores.csv`, which needs only the import, is written; then
/// writes the other data files. Same files as [`write_data`], sooner on a large import.
pub fn analyse_and_write<'a>(
    instrument: &Instrument,
    data: &Dataset,
    dir: &Path,
    analyse: impl FnOnce() -> Analysis<'a> + Send,
) -> Result<(Analysis<'a>, Vec<&'static str>)> {
    create_folder(dir)?;
    let (analysis, respondents) = rayon::join(analyse, || respondent_scores(instrument, data, dir));
    respondents?;
    write_analysis_files(&analysis, dir)?;
    Ok((analysis, DATA_FILES.to_vec()))
}

fn create_folder(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the folder", e))
}

/// Every data file but `respondent_scores.csv`.
fn write_analysis_files(analysis: &Analysis, dir: &Path) -> Result<()> {
    let (json, tables) = rayon::join(
        || write_scores_json(analysis, &dir.join("scores.json")),
        || {
            org_scores(analysis, &dir.join("org_scores.csv"))?;
            org_summary(analysis, &dir.join("org_summary.csv"))?;
            perception_gaps(analysis, &dir.join("perception_gaps.csv"))?;
            changes(analysis, &dir.join("changes.csv"))?;
            rejects(analysis, &dir.join("rejects.csv"))
        },
    );
    json?;
    tables
}

/// Rows formatted per parallel task; blocks are written in order.
const FORMAT_ROWS: usize = 4 * 1024;

/// [`push_num`] with a memory of recent numbers. A respondent's dimension scores are means of a
/// few item scores, so a large file holds only a few hundred distinct values per dimension
/// (101 in the 1M-row benchmark): most numbers are copied instead of formatted again.
struct NumberCache {
    /// Direct-mapped: a number's slot is chosen by its bits; a new number replaces the old.
    slots: Vec<(u64, String)>,
}

impl NumberCache {
    const SLOT_BITS: u32 = 12;

    fn new() -> Self {
        // NaN never enters the cache, so its bits mark an empty slot.
        NumberCache {
            slots: vec![(f64::NAN.to_bits(), String::new()); 1 << Self::SLOT_BITS],
        }
    }

    /// Appends `x` as [`push_num`] would; `x` must not be NaN.
    fn push(&mut self, out: &mut String, x: f64) {
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

fn respondent_scores(instrument: &Instrument, data: &Dataset, dir: &Path) -> Result<()> {
    let r = &data.respondents;
    let d = instrument.dimensions.len();
    let o = instrument.outcomes.len();
    let mut header = vec!["respondent_id", "org", "role", "wave"];
    header.extend(instrument.dimensions.iter().map(|x| x.id.as_str()));
    header.extend(["index", "level"]);
    header.extend(instrument.outcome_items().iter().map(|x| x.id.as_str()));
    let path = dir.join("respondent_scores.csv");
    let present = |x: f64| (!x.is_nan()).then_some(x);
    write_large_csv(&path, &header, r.len(), FORMAT_ROWS, |line, row| {
        line.text(r.id(row));
        line.text(&data.orgs[r.org[row] as usize]);
        line.text(&instrument.roles[r.role[row] as usize].id);
        line.text(&data.waves[r.wave[row] as usize]);
        for &x in &r.dimensions[row * d..(row + 1) * d] {
            line.opt(present(x));
        }
        line.opt(present(r.index[row]));
        match instrument.levels.get(r.level[row] as usize) {
            Some(level) => line.text(&level.id),
            None => line.text(""),
        }
        for &x in &r.outcomes[row * o..(row + 1) * o] {
            line.opt(present(x));
        }
        line.end();
    })
}

/// Writes a large CSV file formatted by hand: `items` (rows, or groups of rows) are formatted
/// in parallel blocks of `per_block` by `format`, and the blocks written in order. Fields are
/// quoted as the `csv` crate, which writes the small files, quotes them.
fn write_large_csv(
    path: &Path,
    header: &[&str],
    items: usize,
    per_block: usize,
    format: impl Fn(&mut Line, usize) + Sync,
) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    let io = |e: std::io::Error| Error::io(path, "cannot write", e);
    let mut cache = NumberCache::new();
    let mut line = Line::new(&mut cache);
    for name in header {
        line.text(name);
    }
    line.end();
    file.write_all(line.out.as_bytes()).map_err(io)?;
    let blocks = items.div_ceil(per_block);
    write_in_order(&mut file, path, blocks, |cache, block| {
        let mut line = Line::new(cache);
        for item in block * per_block..((block + 1) * per_block).min(items) {
            format(&mut line, item);
        }
        Ok(line.out.into_bytes())
    })?;
    file.commit()
}

/// Makes blocks `0..count` in parallel, a few at a time, and writes them in order; each batch
/// is written while the next one is made, so formatting never waits for the disk.
fn write_in_order(
    file: &mut AtomicFile,
    path: &Path,
    count: usize,
    make: impl Fn(&mut NumberCache, usize) -> Result<Vec<u8>> + Sync,
) -> Result<()> {
    use rayon::prelude::*;
    // Four blocks at a time: every core busy, memory bounded (two batches are in memory).
    const BATCH: usize = 4;
    let make_batch = |start: usize| -> Result<Vec<Vec<u8>>> {
        (start..(start + BATCH).min(count))
            .into_par_iter()
            .map_init(NumberCache::new, |cache, block| make(cache, block))
            .collect()
    };
    let write = |file: &mut AtomicFile, blocks: Vec<Vec<u8>>| -> Result<()> {
        for block in blocks {
            file.write_all(&block)
                .map_err(|e| Error::io(path, "cannot write", e))?;
        }
        Ok(())
    };
    let mut made = Vec::new();
    for start in (0..count).step_by(BATCH) {
        let (written, next) = rayon::join(|| write(file, made), || make_batch(start));
        written?;
        made = next?;
    }
    write(file, made)
}

/// CSV lines being built by hand, field by field.
struct Line<'a> {
    out: String,
    cache: &'a mut NumberCache,
    /// Whether the next field starts a line (no separator before it).
    first: bool,
}

impl<'a> Line<'a> {
    fn new(cache: &'a mut NumberCache) -> Self {
        Line {
            out: String::new(),
            cache,
            first: true,
        }
    }

    fn separate(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.out.push(',');
        }
    }

    fn text(&mut self, text: &str) {
        self.separate();
        csv_text(&mut self.out, text);
    }

    fn count(&mut self, n: usize) {
        use std::fmt::Write as _;
        self.separate();
        let _ = write!(self.out, "{n}");
    }

    /// A number as [`num`] writes it.
    fn num(&mut self, x: f64) {
        self.separate();
        if x.is_nan() {
            push_num(&mut self.out, x);
        } else {
            self.cache.push(&mut self.out, x);
        }
    }

    /// A number, or an empty field.
    fn opt(&mut self, x: Option<f64>) {
        match x {
            Some(x) => self.num(x),
            None => self.separate(),
        }
    }

    fn end(&mut self) {
        self.out.push('\n');
        self.first = true;
    }
}

/// A CSV field: quoted (with doubled quotes) when it holds a comma, quote or line break.
fn csv_text(out: &mut String, text: &str) {
    if text
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

fn org_scores(analysis: &Analysis, path: &Path) -> Result<()> {
    let header = [
        "org",
        "wave",
        "group",
        "measure",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "percentile",
        "p25",
        "median",
        "p75",
    ];
    let instrument = analysis.instrument;
    let org_waves = analysis.org_waves.len();
    write_large_csv(path, &header, org_waves, 64, |line, i| {
        let vis = &analysis.visibility[i];
        for (g, group) in analysis.org_waves[i].groups.iter().enumerate() {
            let group_name = group.group.name(instrument);
            for (m, s) in group.measures.iter().enumerate() {
                if !vis.shown[g][m] {
                    continue;
                }
                let standing = analysis.standings[i][g][m].as_ref();
                let q = standing.and_then(|s| s.quartiles.as_ref());
                line.text(analysis.org_id(i));
                line.text(analysis.wave(i));
                line.text(&group_name);
                line.text(instrument.measure_id(m));
                line.count(s.n);
                line.opt(s.mean);
                line.opt(s.sd);
                line.opt(s.ci_low);
                line.opt(s.ci_high);
                line.opt(standing.and_then(|s| s.percentile));
                line.opt(q.map(|q| q.p25));
                line.opt(q.map(|q| q.median));
                line.opt(q.map(|q| q.p75));
                line.end();
            }
        }
    })
}

fn org_summary(analysis: &Analysis, path: &Path) -> Result<()> {
    let instrument = analysis.instrument;
    let d = instrument.dimensions.len();
    let mut w = csv_file(path)?;
    w.write_record([
        "org",
        "name",
        "wave",
        "n",
        "index",
        "level",
        "percentile",
        "population",
        "next_level",
        "points_to_next",
        "blocking_dimensions",
    ])
    .map_err(csv_err(path))?;
    for (i, summary) in analysis.summaries.iter().enumerate() {
        let Some(s) = summary else { continue };
        let org = analysis.org_id(i);
        let standing = analysis.standing(i, Group::All, d);
        w.write_record([
            org.to_string(),
            analysis.orgs.display_name(org).to_string(),
            analysis.wave(i).to_string(),
            analysis.org_waves[i].rows.len().to_string(),
            opt(s.index),
            s.level
                .map(|l| instrument.levels[l].id.clone())
                .unwrap_or_default(),
            opt(standing.and_then(|s| s.percentile)),
            standing
                .map(|s| s.population.to_string())
                .unwrap_or_default(),
            s.next_level
                .map(|l| instrument.levels[l].id.clone())
                .unwrap_or_default(),
            opt(s.points_to_next),
            s.blocking
                .iter()
                .map(|&m| instrument.dimensions[m].id.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        ])
        .map_err(csv_err(path))?;
    }
    finish(path, w)
}

fn perception_gaps(analysis: &Analysis, path: &Path) -> Result<()> {
    let header = [
        "org",
        "wave",
        "measure",
        "first_role",
        "second_role",
        "first_mean",
        "second_mean",
        "gap",
        "flag",
    ];
    let roles = &analysis.instrument.roles;
    write_large_csv(path, &header, analysis.gaps.len(), 4096, |line, i| {
        let gap = &analysis.gaps[i];
        line.text(analysis.org_id(gap.org_wave));
        line.text(analysis.wave(gap.org_wave));
        line.text(analysis.instrument.measure_id(gap.measure));
        line.text(&roles[gap.first_role].id);
        line.text(&roles[gap.second_role].id);
        line.num(gap.first_mean);
        line.num(gap.second_mean);
        line.num(gap.gap);
        line.text(if gap.flag { "true" } else { "false" });
        line.end();
    })
}

fn changes(analysis: &Analysis, path: &Path) -> Result<()> {
    let mut w = csv_file(path)?;
    w.write_record([
        "org",
        "measure",
        "from_wave",
        "to_wave",
        "from_mean",
        "to_mean",
        "difference",
        "t",
        "df",
        "p",
        "hedges_g",
        "meaningful",
    ])
    .map_err(csv_err(path))?;
    for c in &analysis.changes {
        let s = &c.shift;
        w.write_record([
            analysis.org_id(c.from).to_string(),
            analysis.instrument.measure_id(c.measure).to_string(),
            analysis.wave(c.from).to_string(),
            analysis.wave(c.to).to_string(),
            num(s.from_mean),
            num(s.to_mean),
            num(s.difference),
            opt(s.welch.as_ref().map(|w| w.t)),
            opt(s.welch.as_ref().map(|w| w.df)),
            opt(s.welch.as_ref().map(|w| w.p)),
            opt(s.hedges_g),
            s.meaningful.to_string(),
        ])
        .map_err(csv_err(path))?;
    }
    finish(path, w)
}

fn rejects(analysis: &Analysis, path: &Path) -> Result<()> {
    let mut w = csv_file(path)?;
    w.write_record(["file", "line", "column", "respondent_id", "reason"])
        .map_err(csv_err(path))?;
    for r in &analysis.data.rejects {
        w.write_record([
            r.file.as_str(),
            &r.line.to_string(),
            &r.column,
            &r.respondent_id,
            &r.reason,
        ])
        .map_err(csv_err(path))?;
    }
    finish(path, w)
}

// ----------------------------------------------------------------------------------------------
// scores.json

#[derive(Serialize)]
pub struct InstrumentJson {
    pub id: String,
    pub version: String,
    pub title: String,
}

#[derive(Serialize)]
pub struct RowsJson {
    pub read: usize,
    pub scored: usize,
    pub rejected: usize,
}

#[derive(Serialize)]
pub struct OrgJson {
    pub org: String,
    pub name: String,
    pub waves: Vec<WaveJson>,
    pub changes: Vec<ChangeJson>,
}

#[derive(Serialize)]
pub struct WaveJson {
    pub wave: String,
    pub suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<LevelJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub perception_gaps: Vec<GapJson>,
}

#[derive(Serialize)]
pub struct LevelJson {
    pub index: Option<f64>,
    pub level: Option<String>,
    pub percentile: Option<f64>,
    pub population: Option<String>,
    pub next_level: Option<String>,
    pub points_to_next: Option<f64>,
    pub blocking_dimensions: Vec<String>,
}

#[derive(Serialize)]
pub struct GroupJson {
    pub group: String,
    pub measures: Vec<MeasureJson>,
    /// Share of the group's respondents whose own scores put them at each level; absent when
    /// the group's index is not shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub respondent_levels: Option<Vec<LevelShareJson>>,
}

#[derive(Serialize)]
pub struct LevelShareJson {
    pub level: String,
    pub count: usize,
    pub share: f64,
}

#[derive(Serialize)]
pub struct MeasureJson {
    pub measure: String,
    pub suppressed: bool,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub stats: Option<MeasureStatsJson>,
}

#[derive(Serialize)]
pub struct MeasureStatsJson {
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub percentile: Option<f64>,
    pub p25: Option<f64>,
    pub median: Option<f64>,
    pub p75: Option<f64>,
    pub z: Option<f64>,
    pub population: Option<String>,
}

#[derive(Serialize)]
pub struct GapJson {
    pub measure: String,
    pub first_role: String,
    pub second_role: String,
    pub first_mean: f64,
    pub second_mean: f64,
    pub gap: f64,
    pub flag: bool,
}

#[derive(Serialize)]
pub struct ChangeJson {
    pub measure: String,
    pub from_wave: String,
    pub to_wave: String,
    pub from_mean: f64,
    pub to_mean: f64,
    pub difference: f64,
    pub t: Option<f64>,
    pub df: Option<f64>,
    pub p: Option<f64>,
    pub hedges_g: Option<f64>,
    pub meaningful: bool,
}

impl ChangeJson {
    pub fn new(
        measure: String,
        from_wave: &str,
        to_wave: &str,
        shift: &crate::compare::Shift,
    ) -> Self {
        ChangeJson {
            measure,
            from_wave: from_wave.to_string(),
            to_wave: to_wave.to_string(),
            from_mean: shift.from_mean,
            to_mean: shift.to_mean,
            difference: shift.difference,
            t: shift.welch.as_ref().map(|w| w.t),
            df: shift.welch.as_ref().map(|w| w.df),
            p: shift.welch.as_ref().map(|w| w.p),
            hedges_g: shift.hedges_g,
            meaningful: shift.meaningful,
        }
    }
}

/// Writes `scores.json` one organization at a time (one line each), so memory stays flat
/// however many organizations there are.
fn write_scores_json(analysis: &Analysis, path: &Path) -> Result<()> {
    let instrument = analysis.instrument;
    let fail = |e: serde_json::Error| Error::Other(format!("cannot write {}: {e}", path.display()));
    let io = |e: std::io::Error| Error::io(path, "cannot write", e);
    let mut file = AtomicFile::create(path)?;
    let head = ScoresHead {
        partnerscope_version: env!("CARGO_PKG_VERSION"),
        instrument: InstrumentJson {
            id: instrument.id.clone(),
            version: instrument.version.to_string(),
            title: instrument.title.clone(),
        },
        anonymity_threshold: instrument.anonymity_threshold,
        rows: RowsJson {
            read: analysis.data.rows_read,
            scored: analysis.data.rows_scored(),
            rejected: analysis.data.rejects.len(),
        },
    };
    let head = serde_json::to_string(&head).map_err(fail)?;
    // `{…head fields…, "organizations": [` — the head object without its closing brace.
    file.write_all(&head.as_bytes()[..head.len() - 1])
        .map_err(io)?;
    file.write_all(b",\"organizations\":[\n").map_err(io)?;
    // Organizations (runs of org-waves with the same org), serialised in parallel batches and
    // written in order.
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < analysis.org_waves.len() {
        let org = analysis.org_waves[start].org;
        let end = (start..analysis.org_waves.len())
            .find(|&i| analysis.org_waves[i].org != org)
            .unwrap_or(analysis.org_waves.len());
        ranges.push(start..end);
        start = end;
    }
    // Blocks of 32 organizations, each entry but the very first after a separator.
    const ORGS: usize = 32;
    write_in_order(&mut file, path, ranges.len().div_ceil(ORGS), |_, block| {
        let mut text = Vec::new();
        for (k, range) in ranges.iter().enumerate().skip(block * ORGS).take(ORGS) {
            if k > 0 {
                text.extend_from_slice(b",\n");
            }
            serde_json::to_writer(&mut text, &org_json(analysis, range.clone())).map_err(fail)?;
        }
        Ok(text)
    })?;
    file.write_all(b"\n]}\n").map_err(io)?;
    file.commit()
}

#[derive(Serialize)]
struct ScoresHead {
    partnerscope_version: &'static str,
    instrument: InstrumentJson,
    anonymity_threshold: usize,
    rows: RowsJson,
}

/// One organization's entry: its org-waves `range` (consecutive, same organization).
pub fn org_json(analysis: &Analysis, range: std::ops::Range<usize>) -> OrgJson {
    let instrument = analysis.instrument;
    let d = instrument.dimensions.len();
    let org = analysis.org_id(range.start);
    let mut entry = OrgJson {
        org: org.to_string(),
        name: analysis.orgs.display_name(org).to_string(),
        waves: Vec::new(),
        changes: Vec::new(),
    };
    for i in range.clone() {
        let ow = &analysis.org_waves[i];
        let vis = &analysis.visibility[i];
        if !vis.reportable {
            entry.waves.push(WaveJson {
                wave: analysis.wave(i).to_string(),
                suppressed: true,
                n: None,
                level: None,
                groups: Vec::new(),
                perception_gaps: Vec::new(),
            });
            continue;
        }
        let summary = analysis.summaries[i].as_ref().expect("reportable");
        let standing = analysis.standing(i, Group::All, d);
        let level_name = |l: Option<usize>| l.map(|l| instrument.levels[l].id.clone());
        let groups = ow
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let measures = group
                    .measures
                    .iter()
                    .enumerate()
                    .map(|(m, s)| {
                        let shown = vis.shown[g][m];
                        let st = analysis.standings[i][g][m].as_ref();
                        let q = st.and_then(|s| s.quartiles.as_ref());
                        MeasureJson {
                            measure: analysis.instrument.measure_id(m).to_string(),
                            suppressed: !shown,
                            stats: shown.then(|| MeasureStatsJson {
                                n: s.n,
                                mean: s.mean,
                                sd: s.sd,
                                ci_low: s.ci_low,
                                ci_high: s.ci_high,
                                percentile: st.and_then(|s| s.percentile),
                                p25: q.map(|q| q.p25),
                                median: q.map(|q| q.median),
                                p75: q.map(|q| q.p75),
                                z: st.and_then(|s| s.z),
                                population: st.map(|s| s.population.to_string()),
                            }),
                        }
                    })
                    .collect();
                let index_shown = vis.shown[g][d];
                let total: usize = group.level_counts.iter().sum();
                GroupJson {
                    group: group.group.name(instrument),
                    measures,
                    respondent_levels: (index_shown && total > 0).then(|| {
                        group
                            .level_counts
                            .iter()
                            .zip(&instrument.levels)
                            .map(|(&count, level)| LevelShareJson {
                                level: level.id.clone(),
                                count,
                                share: count as f64 / total as f64,
                            })
                            .collect()
                    }),
                }
            })
            .collect();
        let perception_gaps = analysis
            .gaps_of(i)
            .iter()
            .map(|g| GapJson {
                measure: analysis.instrument.measure_id(g.measure).to_string(),
                first_role: instrument.roles[g.first_role].id.clone(),
                second_role: instrument.roles[g.second_role].id.clone(),
                first_mean: g.first_mean,
                second_mean: g.second_mean,
                gap: g.gap,
                flag: g.flag,
            })
            .collect();
        entry.waves.push(WaveJson {
            wave: analysis.wave(i).to_string(),
            suppressed: false,
            n: Some(ow.rows.len()),
            level: Some(LevelJson {
                index: summary.index,
                level: level_name(summary.level),
                percentile: standing.and_then(|s| s.percentile),
                population: standing.map(|s| s.population.to_string()),
                next_level: level_name(summary.next_level),
                points_to_next: summary.points_to_next,
                blocking_dimensions: summary
                    .blocking
                    .iter()
                    .map(|&m| instrument.dimensions[m].id.clone())
                    .collect(),
            }),
            groups,
            perception_gaps,
        });
    }
    for c in analysis.changes_from(range) {
        entry.changes.push(ChangeJson::new(
            analysis.instrument.measure_id(c.measure).to_string(),
            analysis.wave(c.from),
            analysis.wave(c.to),
            &c.shift,
        ));
    }
    entry
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
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
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
