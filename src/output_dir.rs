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
//! folder of the user's, or into a folder holding the current directory, the run's files are
//! placed one by one and only files of the previous manifest are removed; a journal beside
//! `DIR` lists them first, so the next run completes an update that was killed midway. A file
//! the user edited is never replaced or removed, `--force` or not. A run that fails before
//! publishing leaves `DIR` untouched.
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
    /// Files of the output this run replaced that it did not write again, sorted.
    pub previous_only: Vec<String>,
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
        // An interrupted file-by-file update is finished (or undone) before anything else.
        journal::recover(&parent, &name, &target, options.quiet)?;
        remove_stale_staging(&parent, &name);

        let (mut mode, previous) = match ownership(&target)? {
            Ownership::Absent | Ownership::Empty => (Mode::Replace, None),
            Ownership::Owned(manifest) => (Mode::Replace, Some(manifest)),
            Ownership::Foreign { edited, .. } if !edited.is_empty() => {
                return Err(edited_files(dir, &edited))
            }
            Ownership::Foreign { manifest, .. } if options.force => (Mode::InPlace, manifest),
            Ownership::Foreign { paths, .. } => return Err(foreign(dir, &paths)),
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
            self.place_one_by_one(&manifest, &json)?;
        }
        self.published = true;
        // The staging folder now holds the old output (or nothing): ours to remove.
        remove_tree(&self.staging);
        let written: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
        Ok(Published {
            target: self.target.clone(),
            files: manifest.files.len(),
            in_place,
            previous_only: self
                .previous
                .iter()
                .flat_map(|m| &m.files)
                .filter(|f| !written.contains(f.path.as_str()))
                .map(|f| f.path.clone())
                .collect(),
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

    /// Places the staged files into `DIR` one by one, crash-safe: a journal beside `DIR`
    /// lists every file to place and to remove, with its hash, before anything moves, and
    /// the manifest is placed last; a run killed midway leaves the journal, and the next run
    /// on `DIR` completes it before anything else ([`journal::recover`]).
    fn place_one_by_one(&mut self, manifest: &Manifest, manifest_bytes: &[u8]) -> Result<()> {
        // Check every destination before moving anything: no link followed, no folder
        // where a file goes, no file of the user's replaced.
        let owned: BTreeMap<&str, &FileEntry> = self
            .previous
            .iter()
            .flat_map(|m| &m.files)
            .map(|f| (f.path.as_str(), f))
            .collect();
        for entry in &manifest.files {
            check_destination(&self.target, &entry.path)?;
            let to = self.target.join(&entry.path);
            if fs::symlink_metadata(&to).is_ok()
                && !owned
                    .get(entry.path.as_str())
                    .is_some_and(|o| matches_entry(&to, o))
            {
                return Err(not_replaced(&self.target, &entry.path));
            }
        }
        check_destination(&self.target, MANIFEST)?;
        let written: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
        let mut place = manifest.files.clone();
        place.push(FileEntry {
            path: MANIFEST.into(),
            bytes: manifest_bytes.len() as u64,
            sha256: sha256_bytes(manifest_bytes),
        });
        let journal = journal::Journal {
            format: journal::FORMAT.into(),
            staging: file_name(&self.staging),
            place,
            remove: self
                .previous
                .iter()
                .flat_map(|m| &m.files)
                .filter(|f| !written.contains(f.path.as_str()))
                .cloned()
                .collect(),
        };
        let parent = self.target.parent().unwrap_or(Path::new("/"));
        journal::write(parent, &file_name(&self.target), &self.staging, &journal)?;
        // From here on the staging folder belongs to the journal: a failure leaves both for
        // the next run to complete.
        self.published = true;
        fault::stop_at("journal-written");
        journal::apply(&self.target, &self.staging, &journal)?;
        journal::remove(parent, &file_name(&self.target));
        Ok(())
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
        crate::errln!(
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
    /// Every file is listed in the manifest, unchanged (or, without one, is a file an earlier
    /// version wrote: then the manifest describes the files as found).
    Owned(Manifest),
    Foreign {
        /// The paths (relative to `DIR`) partnerscope did not write.
        paths: Vec<String>,
        /// Files the manifest lists whose size or hash changed: edited by the user.
        edited: Vec<String>,
        manifest: Option<Manifest>,
    },
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
            return Ok(Ownership::Foreign {
                paths,
                edited: Vec::new(),
                manifest: None,
            });
        }
    };
    let mut foreign: Vec<String> = found.others.clone();
    let mut edited: Vec<String> = Vec::new();
    let legacy = manifest.is_none();
    let manifest = match manifest {
        Some(manifest) => {
            let listed: BTreeMap<&str, &FileEntry> = manifest
                .files
                .iter()
                .map(|f| (f.path.as_str(), f))
                .collect();
            foreign.extend(
                found
                    .files
                    .keys()
                    .filter(|p| *p != MANIFEST && !listed.contains_key(p.as_str()))
                    .cloned(),
            );
            edited = found
                .files
                .par_iter()
                .filter_map(|(path, size)| {
                    let entry = listed.get(path.as_str())?;
                    let same = *size == entry.bytes && matches_entry(&target.join(path), entry);
                    (!same).then(|| path.clone())
                })
                .collect();
            edited.sort();
            Some(manifest)
        }
        None => {
            let (ours, theirs): (Vec<_>, Vec<_>) = found
                .files
                .par_iter()
                .map(|(path, &bytes)| {
                    let full = target.join(path);
                    let mut head = Vec::new();
                    let _ = File::open(&full)
                        .and_then(|f| f.take(legacy::HEAD_BYTES).read_to_end(&mut head));
                    let entry = (legacy::is_output(path, &head))
                        .then(|| sha256_file(&full).ok())
                        .flatten()
                        .map(|sha256| FileEntry {
                            path: path.clone(),
                            bytes,
                            sha256,
                        });
                    (path.clone(), entry)
                })
                .partition(|(_, entry)| entry.is_some());
            foreign.extend(theirs.into_iter().map(|(path, _)| path));
            Some(Manifest {
                format: MANIFEST_FORMAT.into(),
                partnerscope_version: "earlier".into(),
                command: String::new(),
                instrument: InstrumentRef {
                    id: String::new(),
                    version: String::new(),
                },
                files: ours.into_iter().filter_map(|(_, entry)| entry).collect(),
            })
        }
    };
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
    match manifest {
        Some(manifest) if foreign.is_empty() && edited.is_empty() => Ok(Ownership::Owned(manifest)),
        manifest => {
            foreign.sort();
            Ok(Ownership::Foreign {
                paths: foreign,
                edited,
                // Files recognised in a folder that is not ours are the user's like the rest.
                manifest: manifest.filter(|_| !legacy),
            })
        }
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

/// Edited files are the user's work: never overwritten or removed, `--force` or not.
fn edited_files(dir: &Path, paths: &[String]) -> Error {
    let mut shown: Vec<String> = paths
        .iter()
        .take(SHOWN_PATHS)
        .map(|p| format!("{p} (changed since partnerscope wrote it)"))
        .collect();
    if paths.len() > SHOWN_PATHS {
        shown.push(format!("… and {} more", paths.len() - SHOWN_PATHS));
    }
    let (them, it) = if paths.len() == 1 {
        ("it", "it")
    } else {
        ("them", "they")
    };
    Error::Usage(format!(
        "{}: holds {}; partnerscope never overwrites or removes a file you edited, with or without --force: move {them} out of {} to keep {them}, then run again ({it} will not be rewritten in place)",
        dir.display(),
        shown.join(", "),
        dir.display()
    ))
}

/// A file of the user's where this run writes one of its own.
fn not_replaced(target: &Path, relative: &str) -> Error {
    Error::Usage(format!(
        "{}: partnerscope did not write this file and would replace it; nothing was changed: move it out of {} and run again, or choose another --out",
        target.join(relative).display(),
        target.display()
    ))
}

/// What of the previous output a run did not write again (SPEC §14), e.g. "15 PDFs and
/// data/results.xlsx of the previous run are not in this one (no --pdf, --xlsx)". `pdf` and
/// `xlsx` say whether this run was asked for them; `None` when nothing is missing.
pub fn not_in_this_one(paths: &[String], pdf: bool, xlsx: bool) -> Option<String> {
    if paths.is_empty() {
        return None;
    }
    let is_page = |p: &str| p.starts_with("orgs/") && p.ends_with(".html");
    let pdfs: Vec<&String> = paths.iter().filter(|p| p.ends_with(".pdf")).collect();
    let workbooks: Vec<&String> = paths.iter().filter(|p| p.ends_with(".xlsx")).collect();
    let pages: Vec<&String> = paths.iter().filter(|p| is_page(p)).collect();
    let others: Vec<&String> = paths
        .iter()
        .filter(|p| !(p.ends_with(".pdf") || p.ends_with(".xlsx") || is_page(p)))
        .collect();
    let group = |list: &[&String], plural: &str| match list.len() {
        0 => None,
        1 => Some(list[0].clone()),
        n => Some(format!("{n} {plural}")),
    };
    let mut parts: Vec<String> = Vec::new();
    parts.extend(group(&pdfs, "PDFs"));
    parts.extend(workbooks.iter().map(|w| (*w).clone()));
    parts.extend(group(&pages, "organization pages"));
    const NAMED: usize = 3;
    if others.len() <= NAMED {
        parts.extend(others.iter().map(|p| (*p).clone()));
    } else {
        parts.extend(others[..NAMED - 1].iter().map(|p| (*p).clone()));
        parts.push(format!("{} other files", others.len() - (NAMED - 1)));
    }
    let listed = match parts.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => return None,
    };
    let verb = if paths.len() == 1 { "is" } else { "are" };
    let mut flags = Vec::new();
    if !pdfs.is_empty() && !pdf {
        flags.push("--pdf");
    }
    if !workbooks.is_empty() && !xlsx {
        flags.push("--xlsx");
    }
    let why = if flags.is_empty() {
        String::new()
    } else {
        format!(" (no {})", flags.join(", "))
    };
    Some(format!(
        "{listed} of the previous run {verb} not in this one{why}"
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

fn sha256_bytes(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    crate::output::file::hex(&Sha256::digest(bytes))
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

/// Earlier versions' outputs, before folders carried a manifest: a folder is taken for one
/// (once) only by what its files hold: pages carrying partnerscope's `generator` meta tag, CSVs
/// with exactly the header that version wrote, JSON opening with its `partnerscope_version`.
/// A name alone never makes a file partnerscope's (a researcher's own `items.csv` is not).
mod legacy {
    /// How many bytes of a file are read to recognise it.
    pub const HEAD_BYTES: u64 = 64 << 10;

    const DATA_HEADERS: [(&str, &str); 5] = [
        (
            "org_scores.csv",
            "org,wave,group,measure,n,mean,sd,ci_low,ci_high,percentile,p25,median,p75",
        ),
        (
            "org_summary.csv",
            "org,name,wave,n,index,level,percentile,population,next_level,points_to_next,blocking_dimensions",
        ),
        (
            "perception_gaps.csv",
            "org,wave,measure,first_role,second_role,first_mean,second_mean,gap,flag",
        ),
        (
            "changes.csv",
            "org,measure,from_wave,to_wave,from_mean,to_mean,difference,t,df,p,hedges_g,meaningful",
        ),
        ("rejects.csv", "file,line,column,respondent_id,reason"),
    ];
    const STATS_HEADERS: [(&str, &str); 4] = [
        (
            "reliability.csv",
            "dimension,wave,k,n,alpha,alpha_ci_low,alpha_ci_high,warning",
        ),
        (
            "items.csv",
            "dimension,item,n,mean,sd,share_missing,share_na,item_total_r,alpha_if_dropped,warning",
        ),
        ("correlations.csv", "first,second,n,r,p"),
        ("quality.csv", "respondent_id,org,role,wave,problem"),
    ];
    const GENERATOR: &[u8] = b"<meta name=\"generator\" content=\"partnerscope ";

    /// What an earlier version wrote under a name.
    #[derive(Debug, PartialEq)]
    enum Kind {
        Page,
        Csv(&'static str),
        RespondentScores,
        Json,
    }

    fn kind(path: &str) -> Option<Kind> {
        let data = |name: &str| {
            if name == "respondent_scores.csv" {
                return Some(Kind::RespondentScores);
            }
            if name == "scores.json" {
                return Some(Kind::Json);
            }
            DATA_HEADERS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, h)| Kind::Csv(h))
        };
        match path.split_once('/') {
            None if path == "index.html" || path == "stats.html" => Some(Kind::Page),
            None if path == "stats.json" => Some(Kind::Json),
            None => data(path).or_else(|| {
                STATS_HEADERS
                    .iter()
                    .find(|(n, _)| *n == path)
                    .map(|(_, h)| Kind::Csv(h))
            }),
            Some(("data", name)) => data(name),
            Some(("orgs", name)) if !name.contains('/') && name.ends_with(".html") => {
                Some(Kind::Page)
            }
            Some(_) => None,
        }
    }

    /// Whether the file at `path` (relative), beginning with `head`, is one an earlier version
    /// wrote.
    pub fn is_output(path: &str, head: &[u8]) -> bool {
        let first_line = || {
            let end = memchr::memchr(b'\n', head).unwrap_or(head.len());
            head[..end].strip_suffix(b"\r").unwrap_or(&head[..end])
        };
        match kind(path) {
            None => false,
            Some(Kind::Page) => memchr::memmem::find(head, GENERATOR).is_some(),
            Some(Kind::Csv(header)) => first_line() == header.as_bytes(),
            Some(Kind::RespondentScores) => {
                let line = first_line();
                line.starts_with(b"respondent_id,org,role,wave,")
                    && memchr::memmem::find(line, b",index,level").is_some()
            }
            Some(Kind::Json) => {
                let rest = head.strip_prefix(b"{").unwrap_or(b"");
                let start = rest
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(rest.len());
                rest[start..].starts_with(b"\"partnerscope_version\"")
            }
        }
    }
}

/// The journal of a file-by-file update (SPEC §14): `.<name>.partnerscope-journal` beside
/// `DIR`, written (whole, by a rename) before the first file moves and removed after the
/// manifest is placed. It names the staging folder the files come from and lists, with their
/// sizes and hashes, every file to place (the manifest last) and every file of the previous
/// output to remove. Placing a file is a rename and removing one checks its hash, so applying
/// a journal twice does what applying it once does: a later run completes a killed one by
/// applying its journal again.
mod journal {
    use super::*;

    pub const FORMAT: &str = "partnerscope-journal/1";

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Journal {
        pub format: String,
        /// The staging folder's name, beside `DIR`.
        pub staging: String,
        pub place: Vec<FileEntry>,
        pub remove: Vec<FileEntry>,
    }

    fn path(parent: &Path, name: &str) -> PathBuf {
        parent.join(format!(".{name}.partnerscope-journal"))
    }

    /// Writes the journal into the staging folder, then renames it beside `DIR`.
    pub fn write(parent: &Path, name: &str, staging: &Path, journal: &Journal) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(journal)
            .map_err(|e| Error::Other(format!("cannot serialise the journal: {e}")))?;
        json.push(b'\n');
        let temp = staging.join(".partnerscope-journal");
        let final_path = path(parent, name);
        let written = (|| {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)?;
            file.write_all(&json)?;
            file.sync_all()?;
            fs::rename(&temp, &final_path)
        })();
        written.map_err(|e| Error::io(&final_path, "cannot write the journal", e))
    }

    pub fn remove(parent: &Path, name: &str) {
        let _ = fs::remove_file(path(parent, name));
    }

    /// Places what is still to place, removes what is to remove, manifest last.
    pub fn apply(target: &Path, staging: &Path, journal: &Journal) -> Result<()> {
        fs::create_dir_all(target).map_err(|e| Error::io(target, "cannot create the folder", e))?;
        let (manifest, files) = journal
            .place
            .split_last()
            .ok_or_else(|| Error::Other("the journal lists no manifest".into()))?;
        for entry in files {
            place(target, staging, entry)?;
            fault::stop_at("placing");
        }
        for old in &journal.remove {
            // Only a file still as partnerscope wrote it, reached without passing through a
            // link: an edited one is the user's now.
            let path = target.join(&old.path);
            if !passes_a_link(target, &old.path) && matches_entry(&path, old) {
                let _ = fs::remove_file(&path);
                remove_empty_parents(target, &path);
            }
        }
        place(target, staging, manifest)
    }

    /// Moves one staged file into place; a file no longer staged must already be in place.
    fn place(target: &Path, staging: &Path, entry: &FileEntry) -> Result<()> {
        let from = staging.join(&entry.path);
        let to = target.join(&entry.path);
        if fs::symlink_metadata(&from).is_ok_and(|m| m.is_file()) {
            check_destination(target, &entry.path)?;
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| Error::io(parent, "cannot create the folder", e))?;
            }
            return fs::rename(&from, &to).map_err(|e| Error::io(&to, "cannot place the file", e));
        }
        if matches_entry(&to, entry) {
            return Ok(());
        }
        Err(Error::Other(format!(
            "{}: an interrupted update of this folder cannot be completed: the file is neither staged in {} nor in place; the folder holds a mix of two runs: move it away and run again",
            to.display(),
            staging.display()
        )))
    }

    /// Completes the update a killed run left (its journal beside `DIR`). Called with the
    /// lock held, before the stale staging folders (the journal's among them) are removed.
    pub fn recover(parent: &Path, name: &str, target: &Path, quiet: bool) -> Result<()> {
        let at = path(parent, name);
        match fs::symlink_metadata(&at) {
            Err(_) => return Ok(()),
            Ok(meta) if meta.is_file() => {}
            Ok(_) => {
                return Err(Error::Usage(format!(
                "{}: is not a file; partnerscope keeps the journal of an update there: remove it",
                at.display()
            )))
            }
        }
        let unreadable = || {
            Error::Usage(format!(
                "{}: is not a journal partnerscope can read, so {} may hold a mix of two runs; remove the journal and check the folder",
                at.display(),
                target.display()
            ))
        };
        let bytes = fs::read(&at).map_err(|e| Error::io(&at, "cannot read the journal", e))?;
        let journal: Journal = serde_json::from_slice(&bytes).map_err(|_| unreadable())?;
        let staging_ok = journal.format == FORMAT
            && journal.staging.starts_with(&staging_prefix(name))
            && is_plain_relative(&journal.staging)
            && !journal.staging.contains('/');
        let paths_ok = journal
            .place
            .iter()
            .chain(&journal.remove)
            .all(|f| is_plain_relative(&f.path));
        if !staging_ok || !paths_ok {
            return Err(unreadable());
        }
        let staging = parent.join(&journal.staging);
        apply(target, &staging, &journal)?;
        remove(parent, name);
        remove_tree(&staging);
        if !quiet {
            crate::errln!(
                "note: completed the update of {} that an interrupted run had begun",
                target.display()
            );
        }
        Ok(())
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
            crate::errln!("PARTNERSCOPE_FAULT={point}: stopping here");
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
    fn earlier_outputs_are_recognised_by_content_not_name() {
        let page = b"<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"generator\" content=\"partnerscope 0.1.0\">";
        assert!(legacy::is_output("index.html", page));
        assert!(legacy::is_output("orgs/acme.html", page));
        assert!(!legacy::is_output(
            "orgs/acme.html",
            b"<html><h1>Team</h1></html>"
        ));
        assert!(!legacy::is_output("notes.html", page));
        assert!(legacy::is_output(
            "data/rejects.csv",
            b"file,line,column,respondent_id,reason\n"
        ));
        assert!(legacy::is_output(
            "rejects.csv",
            b"file,line,column,respondent_id,reason\r\nx,1,,r1,why\r\n"
        ));
        assert!(!legacy::is_output(
            "data/rejects.csv",
            b"file,line,reason\n"
        ));
        assert!(legacy::is_output(
            "data/respondent_scores.csv",
            b"respondent_id,org,role,wave,collaboration,index,level,sat\n"
        ));
        assert!(!legacy::is_output("items.csv", b"id,text\nq1,How often\n"));
        assert!(legacy::is_output(
            "scores.json",
            b"{\"partnerscope_version\":\"0.1.0\",\"instrument\":{}}"
        ));
        assert!(legacy::is_output(
            "stats.json",
            b"{\n  \"partnerscope_version\": \"0.1.0\""
        ));
        assert!(!legacy::is_output("scores.json", b"{\"subject\": 12}"));
        assert!(!legacy::is_output("data/responses.csv", b"respondent_id\n"));
        assert!(!legacy::is_output("thesis.docx", page));
    }

    #[test]
    fn the_previous_output_not_written_again_is_named_by_kind() {
        let mut paths: Vec<String> = (0..14).map(|i| format!("orgs/o{i}.pdf")).collect();
        paths.push("index.pdf".into());
        paths.push("data/results.xlsx".into());
        assert_eq!(
            not_in_this_one(&paths, false, false).unwrap(),
            "15 PDFs and data/results.xlsx of the previous run are not in this one (no --pdf, --xlsx)"
        );
        assert_eq!(
            not_in_this_one(&["data/results.xlsx".to_string()], true, false).unwrap(),
            "data/results.xlsx of the previous run is not in this one (no --xlsx)"
        );
        let gone = ["orgs/a.html", "orgs/a.pdf", "orgs/b.html"].map(String::from);
        assert_eq!(
            not_in_this_one(&gone, true, false).unwrap(),
            "orgs/a.pdf and 2 organization pages of the previous run are not in this one"
        );
        let others = ["a.csv", "b.csv", "c.csv", "d.csv"].map(String::from);
        assert_eq!(
            not_in_this_one(&others, false, false).unwrap(),
            "a.csv, b.csv and 2 other files of the previous run are not in this one"
        );
        assert_eq!(not_in_this_one(&[], false, false), None);
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
