//! The report templates: built in with `include_str!`, replaceable one by one by file name
//! from `--templates DIR`, and exportable as a starting point (`partnerscope templates
//! --export DIR`).
//!
//! `.html` templates autoescape everything; only SVG produced by our chart code is passed
//! through with `| safe`.
//!
//! A user's templates are contained: a file reached through a symbolic link that leaves the
//! templates folder is refused, and a page that renders longer than
//! `PARTNERSCOPE_TEMPLATE_TIMEOUT` seconds (default 30) ends the run (SPEC §14). tera cannot
//! cancel a render, so a watchdog thread exits the process instead. Memory is bounded the same
//! way: a 150-byte template that doubles a string in a loop fills memory long before the
//! timeout, so the binary's allocator ([`Budgeted`]) counts what the rendering thread holds
//! and ends the run, naming the template, past [`RENDER_MEMORY`].

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Diagnostic, Error, Location, Result};
use crate::instrument::load::{read_at_most, Input};

/// The environment variable bounding one page's rendering, in seconds.
pub const TIMEOUT_VARIABLE: &str = "PARTNERSCOPE_TEMPLATE_TIMEOUT";
/// The bound when the variable is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest template file read (the built-in ones are a few KiB).
pub const MAX_TEMPLATE_BYTES: u64 = 16 << 20;

/// Every built-in template: file name and content.
pub const BUILT_IN: [(&str, &str); 5] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("style.css", include_str!("../../templates/style.css")),
    ("org.html", include_str!("../../templates/org.html")),
    (
        "portfolio.html",
        include_str!("../../templates/portfolio.html"),
    ),
    ("stats.html", include_str!("../../templates/stats.html")),
];

/// The templates to render with: the built-ins, each replaced by a same-named file in `dir`.
/// Returns the engine and warnings about files in `dir` that replace nothing.
pub fn load(dir: Option<&Path>) -> Result<(tera::Tera, Vec<String>)> {
    let mut tera = tera::Tera::new();
    let mut warnings = Vec::new();
    if let Some(dir) = dir {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "--templates {}: no such folder; export the defaults with `partnerscope templates --export {}`",
                dir.display(),
                dir.display()
            )));
        }
        let entries = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, "cannot read the templates folder", e))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !BUILT_IN.iter().any(|(n, _)| *n == name) {
                warnings.push(format!(
                    "{}: not a template name partnerscope uses ({}); ignored",
                    entry.path().display(),
                    BUILT_IN.map(|(n, _)| n).join(", ")
                ));
            }
        }
    }
    let mut sources = Vec::new();
    let mut shown_names = Vec::new();
    let root = dir
        .map(|d| {
            std::fs::canonicalize(d)
                .map_err(|e| Error::io(d, "cannot read the templates folder", e))
        })
        .transpose()?;
    for (name, built_in) in BUILT_IN {
        let own = match (dir, &root) {
            (Some(dir), Some(root)) => own_template(dir, root, name)?,
            _ => None,
        };
        let text = match &own {
            Some((path, target)) => {
                let input = Input {
                    what: "the template",
                    action: "cannot read the template",
                };
                // The checked target, not the link, which could change in between.
                let bytes = read_at_most(target, MAX_TEMPLATE_BYTES, input)?;
                String::from_utf8(bytes).map_err(|e| {
                    Error::io(
                        path,
                        "cannot read the template",
                        std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                    )
                })?
            }
            None => built_in.to_string(),
        };
        if let Some((path, _)) = &own {
            shown_names.push(path.display().to_string());
        }
        sources.push((name, text));
    }
    // All at once: templates include and extend each other.
    tera.add_raw_templates(sources)
        .map_err(|source| Error::Template {
            name: if shown_names.is_empty() {
                "built-in templates".into()
            } else {
                shown_names.join(", ")
            },
            source,
        })?;
    Ok((tera, warnings))
}

/// The user's template `name` in `dir` (whose canonical path is `root`), as written and as
/// resolved; `None` when there is no such file. A symbolic link that leads outside the folder
/// is refused (a link to `/etc/passwd` would put that file into every page).
fn own_template(dir: &Path, root: &Path, name: &str) -> Result<Option<(PathBuf, PathBuf)>> {
    let path = dir.join(name);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let target = std::fs::canonicalize(&path)
        .map_err(|e| Error::io(&path, "cannot read the template", e))?;
    if !target.starts_with(root) {
        return Err(Error::invalid(Diagnostic::new(
            Location::new(path.display().to_string(), 0, 0),
            format!(
                "a symbolic link to {}, outside the templates folder; copy the file into {} instead of linking to it",
                target.display(),
                dir.display()
            ),
        )));
    }
    Ok(target.is_file().then_some((path, target)))
}

pub fn render(tera: &tera::Tera, name: &str, context: &impl serde::Serialize) -> Result<String> {
    let context = tera::Context::from_serialize(context).map_err(|source| Error::Template {
        name: name.to_string(),
        source,
    })?;
    let _watchdog = Watchdog::start(name, timeout()?);
    let _budget = Budget::start(name);
    tera.render(name, &context)
        .map_err(|source| Error::Template {
            name: name.to_string(),
            source,
        })
}

/// The most memory one page's rendering may hold, net of what it frees. The built-in
/// portfolio of 7,500 organizations holds 30 MiB at most.
pub const RENDER_MEMORY: isize = 512 << 20;

thread_local! {
    /// The template this thread is rendering, if any.
    static RENDERING: Cell<Option<&'static str>> = const { Cell::new(None) };
    /// Bytes allocated minus bytes freed on this thread since its rendering began.
    static HELD: Cell<isize> = const { Cell::new(0) };
}

/// The system allocator, counting what a thread that renders a template holds (SPEC §14's
/// bound on rendering, for memory): past [`RENDER_MEMORY`] the run ends with exit 1 naming the
/// template, before the allocation that would pass it. Other threads, and this one outside
/// rendering, pay one thread-local read per allocation. Declared `#[global_allocator]` by the
/// binary.
pub struct Budgeted;

// SAFETY: every call is passed to `System` unchanged; the bookkeeping only reads and writes
// const-initialised thread-locals (no allocation, no destructor) and may end the process.
unsafe impl GlobalAlloc for Budgeted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        charge(layout.size() as isize);
        // SAFETY: the caller's contract for `alloc` is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        charge(layout.size() as isize);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        charge(-(layout.size() as isize));
        // SAFETY: the caller's contract for `dealloc` is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        charge(new_size as isize - layout.size() as isize);
        // SAFETY: the caller's contract for `realloc` is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

fn charge(bytes: isize) {
    let _ = RENDERING.try_with(|rendering| {
        let Some(name) = rendering.get() else { return };
        let _ = HELD.try_with(|held| {
            let now = held.get().saturating_add(bytes);
            held.set(now);
            if now > RENDER_MEMORY {
                over_budget(name);
            }
        });
    });
}

/// Ends the process from inside the allocator: written with `write(2)` and left with
/// `_exit`, since printing or unwinding would allocate.
fn over_budget(name: &str) -> ! {
    let mb = RENDER_MEMORY >> 20;
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = mb;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let parts: [&[u8]; 5] = [
        b"error: template `",
        name.as_bytes(),
        b"` needed more than ",
        &digits[at..],
        b" MiB of memory to render one page, so the run stops; simplify its loops (a string joined to itself in a loop doubles each time)\n",
    ];
    for part in parts {
        // SAFETY: writes initialised bytes to standard error; the result does not matter.
        unsafe {
            libc::write(2, part.as_ptr().cast(), part.len());
        }
    }
    // SAFETY: ends the process at once, as a kill would; the staging folder is removed by
    // the next run.
    unsafe { libc::_exit(1) }
}

/// Counts this thread's memory while it renders `name`; dropping it stops counting.
struct Budget;

impl Budget {
    fn start(name: &str) -> Budget {
        // A name that lives as long as the process: the built-in list's.
        let name = BUILT_IN
            .iter()
            .map(|(n, _)| *n)
            .find(|n| *n == name)
            .unwrap_or("template");
        HELD.with(|held| held.set(0));
        RENDERING.with(|rendering| rendering.set(Some(name)));
        Budget
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        RENDERING.with(|rendering| rendering.set(None));
    }
}

/// The rendering bound: `PARTNERSCOPE_TEMPLATE_TIMEOUT` seconds, or [`DEFAULT_TIMEOUT`].
fn timeout() -> Result<Duration> {
    let Some(text) = std::env::var_os(TIMEOUT_VARIABLE) else {
        return Ok(DEFAULT_TIMEOUT);
    };
    let text = text.to_string_lossy();
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0 && *s <= 1e9)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            Error::Usage(format!(
                "{TIMEOUT_VARIABLE}={}: expected a number of seconds above 0 (the default is {})",
                crate::instrument::validate::quote(&text),
                DEFAULT_TIMEOUT.as_secs()
            ))
        })
}

/// Ends the process with exit code 1 when the page it watches is not rendered in time; a
/// render that finishes drops the watchdog, which wakes its thread to leave quietly.
struct Watchdog {
    finished: Arc<(Mutex<bool>, Condvar)>,
}

impl Watchdog {
    fn start(name: &str, limit: Duration) -> Watchdog {
        let finished = Arc::new((Mutex::new(false), Condvar::new()));
        let shared = Arc::clone(&finished);
        let name = name.to_string();
        std::thread::spawn(move || {
            let (lock, wake) = &*shared;
            let deadline = Instant::now() + limit;
            let mut done = lock.lock().unwrap_or_else(|p| p.into_inner());
            while !*done {
                let now = Instant::now();
                if now >= deadline {
                    // Pages render in parallel: only the first watchdog to fire speaks.
                    static FIRED: AtomicBool = AtomicBool::new(false);
                    if FIRED.swap(true, Ordering::SeqCst) {
                        return;
                    }
                    crate::errln!(
                        "error: template `{name}` took more than {} s to render one page, so the run stops; simplify its loops, or raise {TIMEOUT_VARIABLE} (seconds)",
                        limit.as_secs_f64()
                    );
                    std::process::exit(1);
                }
                done = wake
                    .wait_timeout(done, deadline - now)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
        });
        Watchdog { finished }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let (lock, wake) = &*self.finished;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        wake.notify_one();
    }
}

/// Writes the built-in templates into `dir`, file by file. Without `force` an existing file
/// (a template the user may have edited) is never replaced: the export stops before writing
/// anything.
pub fn export(dir: &Path, force: bool) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the folder", e))?;
    if !force {
        if let Some((name, _)) = BUILT_IN
            .iter()
            .find(|(name, _)| std::fs::symlink_metadata(dir.join(name)).is_ok())
        {
            return Err(Error::Usage(format!(
                "{}: exists; partnerscope does not overwrite templates you may have edited (add --force to replace them, or export into another folder)",
                dir.join(name).display()
            )));
        }
    }
    for (name, text) in BUILT_IN {
        crate::output_dir::place_file(&dir.join(name), text.as_bytes(), force)?;
    }
    Ok(())
}
