//! Output folders (SPEC §14): the only code that decides where a run's files land and what
//! it may replace.
//!
//! A run that writes a folder `DIR` opens an [`OutputDir`] before any work: it refuses a
//! `DIR` that is a symbolic link, lies inside another output folder, holds an input, or holds
//! anything partnerscope did not write (unless `--force`); it takes an exclusive lock beside
//! `DIR` (a second run waits); it removes staging folders that killed runs left behind; and it
//! creates a new staging folder beside `DIR`. Renderers write into [`OutputDir::path`].
//! [`OutputDir::publish`] writes `partnerscope-manifest.json`, then swaps the staging folder
//! and `DIR` in one atomic step (Linux `renameat2(RENAME_EXCHANGE)`), so a reader sees the
//! complete old or the complete new output, and removes the old one. With `--force` into a
//! folder of the user's, the run's files are placed one by one and only files of the previous
//! manifest are removed. A run that fails before publishing leaves `DIR` untouched.
//!
//! What the files contain is the renderers' business; how one file is written (a unique
//! temporary name created exclusively, renamed when complete) is [`crate::output::AtomicFile`].

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const MANIFEST: &str = "partnerscope-manifest.json";
const MANIFEST_FORMAT: &str = "partnerscope-manifest/1";
/// The lock file inside `DIR` when a run writes in place.
const INNER_LOCK: &str = ".partnerscope-lock";
/// Files an operating system drops into folders: neither foreign nor removed.
const LITTER: [&str; 3] = [".DS_Store", "Thumbs.db", "desktop.ini"];
/// How many offending paths a refusal lists.
const SHOWN_PATHS: usize = 5;

/// What a command asks of its output folder.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Write into a folder holding files partnerscope did not write, keeping them.
    pub force: bool,
    /// Stop instead of waiting when another run holds the folder.
    pub no_wait: bool,
    /// Every file and folder the run reads: none may lie inside `DIR`.
    pub inputs: Vec<PathBuf>,
    /// Quiet runs print nothing but errors.
    pub quiet: bool,
}

/// `partnerscope-manifest.json`: what a run wrote, so a later run knows what it owns.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub partnerscope_version: String,
    pub command: String,
    pub instrument: InstrumentRef,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InstrumentRef {
    pub id: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// How the staged output reaches `DIR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `DIR` is new, empty or ours: swap it with the staging folder.
    Replace,
    /// `DIR` holds the user's files (`--force`) or the current directory: place file by file.
    InPlace,
}

/// A folder being written: staged beside its destination until [`OutputDir::publish`].
pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    mode: Mode,
    /// The manifest `DIR` held when the run started, for `--force` runs to clean up after.
    previous: Option<Manifest>,
    /// What `DIR` held when its ownership was checked, to be found again before the swap
    /// removes it: a file the user adds meanwhile stops the run instead of being removed.
    checked: Option<Found>,
    /// Held until the old output is removed; released on drop.
    _locks: Vec<File>,
    published: bool,
}

/// What [`OutputDir::publish`] did, for the message the command prints.
#[derive(Debug)]
pub struct Published {
    pub target: PathBuf,
    pub files: usize,
    /// Whether files were placed one by one instead of swapping the folder.
    pub in_place: bool,
}

impl OutputDir {
    /// Checks `dir`, takes its lock and creates the staging folder. Nothing is written into
    /// `dir` itself until [`OutputDir::publish`].
    pub fn open(dir: &Path, options: &Options) -> Result<OutputDir> {
        let target = resolve(dir)?;
        let parent = target
            .parent()
            .ok_or_else(|| {
                Error::Usage(format!(
                    "{}: cannot write into the root folder; choose a folder below it",
                    dir.display()
                ))
            })?
            .to_path_buf();
        let name = file_name(&target);
        refuse_link_or_file(dir, &target)?;
        refuse_nesting(dir, &target)?;
        refuse_inputs_inside(dir, &target, &options.inputs)?;

        let mut locks = vec![lock(
            &parent.join(format!(".{name}.partnerscope-lock")),
            dir,
            options,
        )?];
        fault::pause("pause:");
        remove_stale_staging(&parent, &name);

        let (mut mode, previous) = match ownership(&target)? {
            Ownership::Absent | Ownership::Empty => (Mode::Replace, None),
            Ownership::Owned(manifest) => (Mode::Replace, manifest),
            Ownership::Foreign(_) if options.force => {
                (Mode::InPlace, read_manifest(&target).ok().flatten())
            }
            Ownership::Foreign(paths) => return Err(foreign(dir, &paths)),
        };
        // Swapping out the folder a shell stands in would leave the user in a deleted folder.
        if mode == Mode::Replace && target.exists() && holds_current_dir(&target) {
            mode = Mode::InPlace;
        }
        let checked = match mode {
            Mode::Replace if target.exists() => Some(walk(&target)?),
            _ => None,
        };
        if mode == Mode::InPlace {
            locks.push(lock(&target.join(INNER_LOCK), dir, options)?);
        }
        let staging = create_staging(&parent, &name)?;
        Ok(OutputDir {
            target,
            staging,
            mode,
            previous,
            checked,
            _locks: locks,
            published: false,
        })
    }

    /// Where renderers write: the staging folder.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// A file that could not be written into the staging folder, named where the user will
    /// look for it (in `DIR`), with the news that `DIR` was left as it was. Other errors pass
    /// unchanged.
    pub fn unpublished(&self, error: Error) -> Error {
        match error {
            Error::Io {
                path,
                action,
                error,
            } => match path.strip_prefix(&self.staging) {
                Ok(inside) => Error::NotPublished {
                    target: self.target.clone(),
                    error: Box::new(Error::Io {
                        path: self.target.join(inside),
                        action,
                        error,
                    }),
                },
                Err(_) => Error::Io {
                    path,
                    action,
                    error,
                },
            },
            other => other,
        }
    }

    /// Writes the manifest and makes the staged output the content of `DIR`.
    pub fn publish(mut self, command: &str, instrument: InstrumentRef) -> Result<Published> {
        // An empty folder is listed nowhere, so a later run would take it for the user's.
        prune_empty_folders(&self.staging);
        let manifest = Manifest {
            format: MANIFEST_FORMAT.into(),
            partnerscope_version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            instrument,
            files: list_files(&self.staging)?,
        };
        let mut json = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| Error::Other(format!("cannot serialise the manifest: {e}")))?;
        json.push(b'\n');
        crate::output::write_atomic(&self.staging.join(MANIFEST), &json)
            .map_err(|e| self.unpublished(e))?;
        fault::stop_at("before-publish");

        let mut in_place = self.mode == Mode::InPlace;
        if !in_place {
            match self.swap() {
                Ok(()) => {}
                Err(Swap::Unsupported) => in_place = true,
                Err(Swap::Failed(error)) => return Err(error),
            }
        }
        if in_place {
            self.place_one_by_one(&manifest)?;
        }
        self.published = true;
        // The staging folder now holds the old output (or nothing): ours to remove.
        remove_tree(&self.staging);
        Ok(Published {
            target: self.target.clone(),
            files: manifest.files.len(),
            in_place,
        })
    }

    /// Replaces `DIR` by the staging folder in one step.
    fn swap(&self) -> std::result::Result<(), Swap> {
        if fs::symlink_metadata(&self.target).is_err() {
            fs::rename(&self.staging, &self.target).map_err(|e| {
                Swap::Failed(Error::io(
                    &self.target,
                    "cannot publish the output folder",
                    e,
                ))
            })?;
            fault::stop_at("after-exchange");
            return Ok(());
        }
        fault::pause("pause-publish:");
        let now = walk(&self.target).map_err(Swap::Failed)?;
        if self.checked.as_ref() != Some(&now) {
            return Err(Swap::Failed(Error::Usage(format!(
                "{}: changed while this run was writing (a file was added, removed or resized); nothing was replaced: run again",
                self.target.display()
            ))));
        }
        carry_litter(&self.target, &self.staging);
        exchange(&self.staging, &self.target)?;
        fault::stop_at("after-exchange");
        Ok(())
    }

    /// Moves each staged file into `DIR` by an atomic rename, removes what the previous
    /// manifest listed and this run did not write, and places the manifest last.
    fn place_one_by_one(&self, manifest: &Manifest) -> Result<()> {
        // Check every destination before moving anything: no link followed, no folder
        // where a file goes.
        for entry in &manifest.files {
            check_destination(&self.target, &entry.path)?;
        }
        check_destination(&self.target, MANIFEST)?;
        fs::create_dir_all(&self.target)
            .map_err(|e| Error::io(&self.target, "cannot create the folder", e))?;
        for entry in &manifest.files {
            let to = self.target.join(&entry.path);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| Error::io(parent, "cannot create the folder", e))?;
            }
            fs::rename(self.staging.join(&entry.path), &to)
                .map_err(|e| Error::io(&to, "cannot place the file", e))?;
            fault::stop_at("placing");
        }
        if let Some(previous) = &self.previous {
            let written: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
            for old in previous
                .files
                .iter()
                .filter(|f| !written.contains(f.path.as_str()))
            {
                // Only a file still as partnerscope wrote it, reached without passing through a
                // link: an edited one is the user's now.
                let path = self.target.join(&old.path);
                if !passes_a_link(&self.target, &old.path) && matches_entry(&path, old) {
                    let _ = fs::remove_file(&path);
                    remove_empty_parents(&self.target, &path);
                }
            }
        }
        let manifest_path = self.target.join(MANIFEST);
        fs::rename(self.staging.join(MANIFEST), &manifest_path)
            .map_err(|e| Error::io(&manifest_path, "cannot place the file", e))
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.published {
            remove_tree(&self.staging);
        }
    }
}

enum Swap {
    /// The system or file system has no atomic exchange: place files one by one instead.
    Unsupported,
    Failed(Error),
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::result::Result<(), Swap> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(|_| Swap::Unsupported);
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: both arguments are valid NUL-terminated paths that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let error = io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Err(Swap::Unsupported),
        _ => Err(Swap::Failed(Error::io(
            b,
            "cannot publish the output folder",
            error,
        ))),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::result::Result<(), Swap> {
    Err(Swap::Unsupported)
}

/// An absolute `DIR` whose parent has no symbolic links left and exists.
fn resolve(dir: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(dir)
        .map_err(|e| Error::io(dir, "cannot resolve the output folder", e))?;
    let ends_in_name = matches!(
        absolute.components().next_back(),
        Some(Component::Normal(_))
    );
    if !ends_in_name {
        // `.`, `..` or `/`: the folder exists; its real path has a name.
        return fs::canonicalize(&absolute)
            .map_err(|e| Error::io(dir, "cannot resolve the output folder", e));
    }
    let parent = absolute.parent().unwrap_or(Path::new("/"));
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, "cannot create the folder", e))?;
    let parent =
        fs::canonicalize(parent).map_err(|e| Error::io(parent, "cannot resolve the folder", e))?;
    Ok(parent.join(absolute.file_name().unwrap_or_default()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned())
}

fn refuse_link_or_file(dir: &Path, target: &Path) -> Result<()> {
    match fs::symlink_metadata(target) {
        Ok(meta) if meta.file_type().is_symlink() => Err(Error::Usage(format!(
            "{}: the output folder is a symbolic link; partnerscope never writes through links: give the folder it points to, or another folder",
            dir.display()
        ))),
        Ok(meta) if !meta.is_dir() => Err(Error::Usage(format!(
            "{}: exists and is not a folder; choose another --out",
            dir.display()
        ))),
        _ => Ok(()),
    }
}

/// An output folder never nests inside another one.
fn refuse_nesting(dir: &Path, target: &Path) -> Result<()> {
    for ancestor in target.ancestors().skip(1) {
        if is_file(&ancestor.join(MANIFEST)) {
            return Err(Error::Usage(format!(
                "{}: lies inside {}, a partnerscope output folder (it holds {MANIFEST}); output folders never nest: choose a folder outside it",
                dir.display(),
                ancestor.display()
            )));
        }
    }
    Ok(())
}

fn refuse_inputs_inside(dir: &Path, target: &Path, inputs: &[PathBuf]) -> Result<()> {
    for input in inputs {
        let Ok(real) = fs::canonicalize(input) else {
            continue;
        };
        if real.starts_with(target) {
            return Err(Error::Usage(format!(
                "{}: the input {} lies inside the output folder, which a run replaces; write the output elsewhere (e.g. --out reports) or move the input out",
                dir.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

fn holds_current_dir(target: &Path) -> bool {
    std::env::current_dir()
        .and_then(fs::canonicalize)
        .is_ok_and(|cwd| cwd.starts_with(target))
}

/// Opens (creating it, never through a link) and locks `path`, waiting unless `--no-wait`.
fn lock(path: &Path, dir: &Path, options: &Options) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| Error::io(path, "cannot create the lock file", e))?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(fs::TryLockError::WouldBlock) => {}
        Err(fs::TryLockError::Error(e)) => return Err(Error::io(path, "cannot lock", e)),
    }
    if options.no_wait {
        return Err(Error::Other(format!(
            "{}: another partnerscope run is writing this folder; try again when it has finished (without --no-wait the run waits for it)",
            dir.display()
        )));
    }
    if !options.quiet {
        eprintln!(
            "waiting for another partnerscope run to finish writing {} …",
            dir.display()
        );
    }
    file.lock().map_err(|e| Error::io(path, "cannot lock", e))?;
    Ok(file)
}

fn staging_prefix(name: &str) -> String {
    format!(".{name}.partnerscope-staging-")
}

/// Staging folders of `DIR` left by runs that were killed. Called with the lock held, so no
/// live run owns one.
fn remove_stale_staging(parent: &Path, name: &str) {
    let prefix = staging_prefix(name);
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(&prefix)
            && entry.file_type().is_ok_and(|t| t.is_dir());
        if stale {
            remove_tree(&entry.path());
        }
    }
}

fn create_staging(parent: &Path, name: &str) -> Result<PathBuf> {
    let prefix = staging_prefix(name);
    for attempt in 0..100u32 {
        let path = parent.join(format!("{prefix}{}", unique_suffix(attempt)));
        match fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&path, "cannot create the staging folder", e)),
        }
    }
    Err(Error::Other(format!(
        "{}: cannot find a free name for the staging folder",
        parent.display()
    )))
}

/// A name part no other process uses now: the process id, the time and a counter.
pub fn unique_suffix(attempt: u32) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{}-{nanos:08x}-{}-{attempt}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Removes a folder partnerscope made (staging, or the old output after a swap). Links inside
/// are removed as links, never followed (`remove_dir_all` does not follow them).
fn remove_tree(path: &Path) {
    if fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) {
        let _ = fs::remove_dir_all(path);
    }
}

enum Ownership {
    Absent,
    Empty,
    /// Every file is listed in the manifest (or, without one, is a name earlier versions wrote).
    Owned(Option<Manifest>),
    /// The paths (relative to `DIR`) partnerscope did not write.
    Foreign(Vec<String>),
}

fn ownership(target: &Path) -> Result<Ownership> {
    if fs::symlink_metadata(target).is_err() {
        return Ok(Ownership::Absent);
    }
    let found = walk(target)?;
    if found.files.is_empty() && found.others.is_empty() && found.folders.is_empty() {
        return Ok(Ownership::Empty);
    }
    let manifest = match read_manifest(target) {
        Ok(manifest) => manifest,
        Err(reason) => {
            let mut paths = vec![format!("{MANIFEST} ({reason})")];
            paths.extend(found.files.keys().filter(|p| *p != MANIFEST).cloned());
            return Ok(Ownership::Foreign(paths));
        }
    };
    let mut foreign: Vec<String> = found.others.clone();
    match &manifest {
        Some(manifest) => {
            let listed: BTreeMap<&str, &FileEntry> = manifest
                .files
                .iter()
                .map(|f| (f.path.as_str(), f))
                .collect();
            let unlisted: Vec<&String> = found
                .files
                .keys()
                .filter(|p| *p != MANIFEST && !listed.contains_key(p.as_str()))
                .collect();
            foreign.extend(unlisted.into_iter().cloned());
            let edited: Vec<String> = found
                .files
                .par_iter()
                .filter_map(|(path, size)| {
                    let entry = listed.get(path.as_str())?;
                    let same = *size == entry.bytes && matches_entry(&target.join(path), entry);
                    (!same).then(|| format!("{path} (changed since partnerscope wrote it)"))
                })
                .collect();
            foreign.extend(edited);
        }
        None => foreign.extend(
            found
                .files
                .keys()
                .filter(|p| !legacy::is_output_name(p))
                .cloned(),
        ),
    }
    // A folder is ours when it holds (or held) files of ours; an unrelated one is the user's.
    let listed_dirs: BTreeSet<String> = found
        .files
        .keys()
        .flat_map(|p| parents(p))
        .chain(
            manifest
                .iter()
                .flat_map(|m| m.files.iter().flat_map(|f| parents(&f.path))),
        )
        .collect();
    foreign.extend(
        found
            .folders
            .iter()
            .filter(|d| !listed_dirs.contains(*d))
            .cloned(),
    );
    if foreign.is_empty() {
        Ok(Ownership::Owned(manifest))
    } else {
        foreign.sort();
        Ok(Ownership::Foreign(foreign))
    }
}

fn parents(path: &str) -> Vec<String> {
    Path::new(path)
        .ancestors()
        .skip(1)
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.to_string_lossy().into_owned())
        .collect()
}

fn foreign(dir: &Path, paths: &[String]) -> Error {
    let mut shown: Vec<String> = paths.iter().take(SHOWN_PATHS).cloned().collect();
    if paths.len() > SHOWN_PATHS {
        shown.push(format!("… and {} more", paths.len() - SHOWN_PATHS));
    }
    Error::Usage(format!(
        "{}: holds files partnerscope did not write ({}); choose a new or empty folder, or add --force to write beside them (they are kept)",
        dir.display(),
        shown.join(", ")
    ))
}

/// The content of a folder, without following links: regular files with their sizes,
/// folders, and anything else (links, sockets …), as paths relative to the folder.
#[derive(Default, Debug, PartialEq)]
struct Found {
    files: BTreeMap<String, u64>,
    folders: Vec<String>,
    others: Vec<String>,
}

fn walk(root: &Path) -> Result<Found> {
    let mut found = Found::default();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let dir = root.join(&relative);
        let entries =
            fs::read_dir(&dir).map_err(|e| Error::io(&dir, "cannot read the folder", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, "cannot read the folder", e))?;
            let name = entry.file_name();
            let name_text = name.to_string_lossy();
            if LITTER.contains(&name_text.as_ref())
                || (relative.as_os_str().is_empty() && name_text == INNER_LOCK)
            {
                continue;
            }
            let path = relative.join(&name);
            let text = path.to_string_lossy().into_owned();
            let kind = entry
                .file_type()
                .map_err(|e| Error::io(entry.path(), "cannot read the folder", e))?;
            if kind.is_dir() {
                if is_file(&entry.path().join(MANIFEST)) {
                    found.others.push(format!("{text} (another output folder)"));
                    continue;
                }
                found.folders.push(text);
                pending.push(path);
            } else if kind.is_file() {
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                found.files.insert(text, size);
            } else {
                found.others.push(text);
            }
        }
    }
    // read_dir's order is the file system's: sort, so two walks of one folder compare equal.
    found.folders.sort();
    found.others.sort();
    Ok(found)
}

fn is_file(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// The manifest of `DIR`: `Ok(None)` when it has none, `Err(reason)` when it is invalid.
fn read_manifest(target: &Path) -> std::result::Result<Option<Manifest>, String> {
    let path = target.join(MANIFEST);
    match fs::symlink_metadata(&path) {
        Err(_) => return Ok(None),
        Ok(meta) if !meta.is_file() => return Err("not a regular file".into()),
        Ok(_) => {}
    }
    let bytes = fs::read(&path).map_err(|e| e.to_string())?;
    let manifest: Manifest =
        serde_json::from_slice(&bytes).map_err(|_| "not a partnerscope manifest".to_string())?;
    if manifest.format != MANIFEST_FORMAT {
        return Err(format!(
            "format `{}` is not `{MANIFEST_FORMAT}`",
            manifest.format
        ));
    }
    if let Some(bad) = manifest.files.iter().find(|f| !is_plain_relative(&f.path)) {
        return Err(format!("lists `{}`, which leaves the folder", bad.path));
    }
    Ok(Some(manifest))
}

/// A relative path with no `..`, root or prefix: it cannot leave the folder.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Whether the file at `path` is the one `entry` describes (size and SHA-256), read without
/// following a link.
fn matches_entry(path: &Path, entry: &FileEntry) -> bool {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == entry.bytes => {
            sha256_file(path).is_ok_and(|hash| hash == entry.sha256)
        }
        _ => false,
    }
}

fn sha256_file(path: &Path) -> io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(crate::output::file::hex(&hasher.finalize()))
}

/// Every file of the staging folder, sorted by path, with its size and hash.
fn list_files(staging: &Path) -> Result<Vec<FileEntry>> {
    let found = walk(staging)?;
    if let Some(other) = found.others.first() {
        return Err(Error::Other(format!(
            "{}: the staging folder holds `{other}`, which is not a regular file",
            staging.display()
        )));
    }
    let mut files: Vec<FileEntry> = found
        .files
        .par_iter()
        .filter(|(path, _)| path.as_str() != MANIFEST)
        .map(|(path, &bytes)| {
            let full = staging.join(path);
            // Files written through `AtomicFile` were hashed as they were written.
            let sha256 = match crate::output::file::committed(&full) {
                Some((size, hash)) if size == bytes => hash,
                _ => sha256_file(&full).map_err(|e| Error::io(&full, "cannot read", e))?,
            };
            Ok(FileEntry {
                path: path.replace('\\', "/"),
                bytes,
                sha256,
            })
        })
        .collect::<Result<_>>()?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Refuses a destination that would be written through a link or onto a folder.
fn check_destination(target: &Path, relative: &str) -> Result<()> {
    let mut path = target.to_path_buf();
    let parts: Vec<&str> = relative.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let last = i + 1 == parts.len();
        match fs::symlink_metadata(&path) {
            Err(_) => return Ok(()),
            Ok(meta) if meta.file_type().is_symlink() && !last => {
                return Err(Error::Usage(format!(
                    "{}: is a symbolic link; partnerscope never writes through links: remove it or choose another --out",
                    path.display()
                )))
            }
            Ok(meta) if last && meta.is_dir() => {
                return Err(Error::Usage(format!(
                    "{}: is a folder where partnerscope writes a file; move it or choose another --out",
                    path.display()
                )))
            }
            Ok(meta) if !last && !meta.is_dir() => {
                return Err(Error::Usage(format!(
                    "{}: is a file where partnerscope needs a folder; move it or choose another --out",
                    path.display()
                )))
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Removes the empty folders under `root` (not `root` itself), deepest first.
fn prune_empty_folders(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let path = entry.path();
            prune_empty_folders(&path);
            let _ = fs::remove_dir(&path);
        }
    }
}

/// Whether a folder on the way from `target` to `relative` is a symbolic link (or missing).
fn passes_a_link(target: &Path, relative: &str) -> bool {
    let mut path = target.to_path_buf();
    let parts: Vec<&str> = relative.split('/').collect();
    parts[..parts.len().saturating_sub(1)].iter().any(|part| {
        path.push(part);
        !fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir())
    })
}

fn remove_empty_parents(target: &Path, path: &Path) {
    for parent in path.ancestors().skip(1) {
        if parent == target || !parent.starts_with(target) || fs::remove_dir(parent).is_err() {
            break;
        }
    }
}

/// Moves the operating system's litter files of the old output into the new one, so a swap
/// does not remove them.
fn carry_litter(from: &Path, to: &Path) {
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let Ok(entries) = fs::read_dir(from.join(&relative)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let path = relative.join(&name);
            let kind = entry.file_type();
            if kind.as_ref().is_ok_and(|t| t.is_dir()) {
                pending.push(path);
            } else if LITTER.contains(&name.to_string_lossy().as_ref())
                && fs::symlink_metadata(to.join(&relative)).is_ok_and(|m| m.is_dir())
            {
                let _ = fs::rename(from.join(&path), to.join(&path));
            }
        }
    }
}

/// Names earlier versions wrote, before folders carried a manifest: a folder holding only
/// these is accepted as partnerscope's once.
mod legacy {
    const DATA_FILES: [&str; 7] = [
        "respondent_scores.csv",
        "org_scores.csv",
        "org_summary.csv",
        "perception_gaps.csv",
        "changes.csv",
        "rejects.csv",
        "scores.json",
    ];
    const STATS_FILES: [&str; 6] = [
        "reliability.csv",
        "items.csv",
        "correlations.csv",
        "quality.csv",
        "stats.json",
        "stats.html",
    ];

    pub fn is_output_name(path: &str) -> bool {
        match path.split_once('/') {
            None => {
                path == "index.html" || DATA_FILES.contains(&path) || STATS_FILES.contains(&path)
            }
            Some(("data", name)) => DATA_FILES.contains(&name),
            Some(("orgs", name)) => !name.contains('/') && name.ends_with(".html"),
            Some(_) => false,
        }
    }
}

/// Faults for tests (`PARTNERSCOPE_FAULT`, SPEC §14): `before-publish`, `after-exchange` and
/// `placing` stop the run there as a kill would (no clean-up); `write:N` makes the N-th file
/// write fail as a full disk does.
pub mod fault {
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn setting() -> Option<String> {
        std::env::var("PARTNERSCOPE_FAULT").ok()
    }

    /// Ends the process at a named point, leaving everything as a kill would.
    pub fn stop_at(point: &str) {
        if setting().as_deref() == Some(point) {
            eprintln!("PARTNERSCOPE_FAULT={point}: stopping here");
            std::process::exit(1);
        }
    }

    /// `pause:MS` holds the lock this long before working, so tests can start a second run
    /// while the first one certainly holds the folder; `pause-publish:MS` waits just before
    /// the swap, so a test can change the folder meanwhile.
    pub fn pause(point: &str) {
        if let Some(ms) = setting()
            .as_deref()
            .and_then(|s| s.strip_prefix(point))
            .and_then(|ms| ms.parse::<u64>().ok())
        {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
    }

    /// Called before each file write; fails the N-th one.
    pub fn check_write() -> std::io::Result<()> {
        static WRITES: AtomicUsize = AtomicUsize::new(0);
        let Some(n) = setting()
            .as_deref()
            .and_then(|s| s.strip_prefix("write:"))
            .and_then(|n| n.parse::<usize>().ok())
        else {
            return Ok(());
        };
        if WRITES.fetch_add(1, Ordering::SeqCst) + 1 == n {
            return Err(std::io::Error::from_raw_os_error(libc::ENOSPC));
        }
        Ok(())
    }
}

/// Places one file of a command that writes loose files (`templates --export`,
/// `questionnaire`).
/// Places `bytes` at `path`: written to a new temporary file beside it (created exclusively,
/// so never through a symbolic link), then moved into place. Without `force` the move is a
/// hard link, which fails when `path` exists, so a file that appeared meanwhile is not replaced
/// either; with `force` it is a rename, which replaces a file or a link, never its target.
pub fn place_file(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let (temp, mut file) = (0..100)
        .find_map(|attempt| {
            let temp = dir.join(format!(".{name}.{}-{attempt}.tmp", std::process::id()));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)
            {
                Ok(file) => Some(Ok((temp, file))),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => None,
                Err(e) => Some(Err(Error::io(&temp, "cannot write", e))),
            }
        })
        .unwrap_or_else(|| {
            Err(Error::Other(format!(
                "{}: no free temporary name beside it",
                path.display()
            )))
        })?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(&temp, "cannot write", e));
    drop(file);
    let placed = written.and_then(|()| {
        if force {
            std::fs::rename(&temp, path).map_err(|e| Error::io(path, "cannot write", e))
        } else {
            let exists = || {
                Error::Usage(format!(
                    "{} already exists; partnerscope does not replace it: choose another --out or add --force",
                    path.display()
                ))
            };
            match std::fs::hard_link(&temp, path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
                // A file system without hard links (FAT, some network shares): check, then
                // rename; only a file created in between could still be replaced.
                Err(_) if path.symlink_metadata().is_ok() => Err(exists()),
                Err(_) => std::fs::rename(&temp, path)
                    .map_err(|e| Error::io(path, "cannot write", e)),
            }
        }
    });
    if placed.is_err() || !force {
        // After a hard link the temporary name is a second name of the placed file.
        let _ = std::fs::remove_file(&temp);
    }
    placed
}

/// Checks a single output file (`norms -o`, `simulate -o`) before any work: not an input,
/// not a link, and, when it exists, either `ours(content)` says partnerscope wrote it or
/// `force` is given.
pub fn check_single_file(
    path: &Path,
    inputs: &[PathBuf],
    force: bool,
    ours: impl Fn(&[u8]) -> bool,
) -> Result<()> {
    let meta = match fs::symlink_metadata(path) {
        Err(_) => return Ok(()),
        Ok(meta) => meta,
    };
    if meta.file_type().is_symlink() {
        return Err(Error::Usage(format!(
            "{}: is a symbolic link; partnerscope never writes through links: choose another file",
            path.display()
        )));
    }
    if meta.is_dir() {
        return Err(Error::Usage(format!(
            "{}: is a folder; give a file name",
            path.display()
        )));
    }
    let real = fs::canonicalize(path).ok();
    if inputs
        .iter()
        .any(|i| real.is_some() && fs::canonicalize(i).ok() == real)
    {
        return Err(Error::Usage(format!(
            "{}: is also an input of this run; write the output to another file",
            path.display()
        )));
    }
    if force {
        return Ok(());
    }
    let mut head = Vec::new();
    let _ = File::open(path).and_then(|f| f.take(1 << 20).read_to_end(&mut head));
    if ours(&head) {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{}: exists and partnerscope cannot tell that it wrote it; add --force to replace it, or choose another file",
            path.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_refuses_an_existing_file_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("form.html");
        place_file(&path, b"one", false).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        let error = place_file(&path, b"two", false).unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        place_file(&path, b"two", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn manifest_paths_must_stay_inside() {
        assert!(is_plain_relative("data/org_scores.csv"));
        assert!(!is_plain_relative("../x"));
        assert!(!is_plain_relative("/etc/passwd"));
        assert!(!is_plain_relative("data/../../x"));
        assert!(!is_plain_relative(""));
    }

    #[test]
    fn removal_never_passes_a_link() {
        let dir = tempfile::tempdir().expect("folder");
        let elsewhere = tempfile::tempdir().expect("folder");
        std::fs::create_dir(dir.path().join("data")).expect("folder");
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("linked")).expect("link");
        assert!(!passes_a_link(dir.path(), "data/x.csv"));
        assert!(!passes_a_link(dir.path(), "x.csv"));
        assert!(passes_a_link(dir.path(), "linked/x.csv"));
        assert!(passes_a_link(dir.path(), "missing/x.csv"));
    }

    #[test]
    fn legacy_names() {
        assert!(legacy::is_output_name("index.html"));
        assert!(legacy::is_output_name("orgs/acme.html"));
        assert!(legacy::is_output_name("data/scores.json"));
        assert!(legacy::is_output_name("reliability.csv"));
        assert!(!legacy::is_output_name("data/responses.csv"));
        assert!(!legacy::is_output_name("orgs/x/y.html"));
        assert!(!legacy::is_output_name("thesis.docx"));
    }

    #[test]
    fn parents_of_a_path() {
        assert_eq!(
            parents("a/b/c.csv"),
            vec!["a/b".to_string(), "a".to_string()]
        );
        assert!(parents("c.csv").is_empty());
    }
}
