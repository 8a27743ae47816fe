//! `report --pdf` (SPEC §13): prints the written pages to PDF with a Chromium or Chrome found
//! on the machine, so that the PDF is the page's own print layout (its `@page` size, margins,
//! running header and footer) and not a second rendering to keep in step.
//!
//! One browser process prints every page. It is driven through the DevTools protocol over
//! `--remote-debugging-pipe`: the browser reads commands on its file descriptor 3 and writes
//! replies and events on descriptor 4, each message a JSON object ended by a NUL byte (see
//! Chromium's `content/browser/devtools/devtools_pipe_handler.cc`). A `/bin/sh` between us and
//! the browser moves our two pipes onto those descriptors (`3<&0 4>&1`), so no unsafe code
//! and no crate beyond `serde_json` is needed. What this leaves to others: finding the pages
//! (the caller passes the files) and writing the PDFs (through `output::write_atomic`).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::error::{Error, Result};

/// Executable names tried on `PATH`, in order.
pub const BROWSER_NAMES: [&str; 7] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "microsoft-edge",
    "msedge",
];

/// Where macOS keeps the browsers' executables (they are not on `PATH`).
const MAC_APPS: [&str; 3] = [
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
];

/// How long one page may take to load or print before the run gives up on the browser.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest message read from the browser. The longest real one is a page's PDF in base64
/// (a few MiB); a browser that never ends a message stops the run here instead of filling
/// memory.
pub const MAX_MESSAGE_BYTES: u64 = 128 << 20;

/// How many messages may wait unread: a browser sending faster than they are read waits.
const QUEUED_MESSAGES: usize = 64;

/// Paper sizes of `--paper`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in inches, as `Page.printToPDF` takes them.
    fn inches(self) -> (f64, f64) {
        match self {
            Paper::A4 => (210.0 / 25.4, 297.0 / 25.4),
            Paper::Letter => (8.5, 11.0),
        }
    }
}

/// The browser to print with: `--browser PATH`, else the first of [`BROWSER_NAMES`] on `PATH`,
/// else (macOS) an installed application. Called before any work, so that a run asked for PDFs
/// stops at once, saying how to get a browser, when there is none.
pub fn find_browser(chosen: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = chosen {
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else {
            match search_path(&path.to_string_lossy()) {
                Some(found) => Ok(found),
                None => Err(Error::Usage(format!(
                    "--browser {}: no such file; give the path of a Chromium or Chrome executable",
                    path.display()
                ))),
            }
        };
    }
    BROWSER_NAMES
        .iter()
        .find_map(|name| search_path(name))
        .or_else(|| {
            MAC_APPS
                .iter()
                .map(PathBuf::from)
                .find(|p| p.is_file())
        })
        .ok_or_else(|| {
            Error::Usage(format!(
                "--pdf needs Chromium or Google Chrome to print the pages, and none was found (looked for {} on PATH). \
                 Install one (Debian or Ubuntu: `sudo apt-get install chromium`; Fedora: `sudo dnf install chromium`; \
                 macOS: `brew install --cask chromium`) or name its executable with --browser PATH",
                BROWSER_NAMES.join(", ")
            ))
        })
}

/// The first executable file called `name` in a folder of `PATH` (`name` itself when it
/// holds a path separator).
fn search_path(name: &str) -> Option<PathBuf> {
    if name.contains(std::path::MAIN_SEPARATOR) {
        let path = PathBuf::from(name);
        return path.is_file().then_some(path);
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// One headless browser, driven over its DevTools pipe, with one tab to print in.
pub struct Printer {
    child: Child,
    commands: ChildStdin,
    /// Replies and events, or why reading them stopped.
    messages: Receiver<std::result::Result<Value, String>>,
    next_id: u64,
    session: String,
    profile: PathBuf,
    paper: Paper,
}

impl Printer {
    /// Starts the browser and opens the tab every page is printed in. Its profile folder is
    /// `<out>-browser`, beside the folder the pages are in: for a report that is the staging
    /// folder, so the profile of a killed run is removed with the staging folder by the next
    /// run instead of being left in the temporary folder.
    pub fn start(browser: &Path, paper: Paper, out: &Path) -> Result<Printer> {
        if !cfg!(unix) {
            return Err(Error::Usage(
                "--pdf drives the browser over a pipe that needs a Unix system (Linux or macOS); print the pages from the browser instead".into(),
            ));
        }
        let mut profile = out.as_os_str().to_os_string();
        profile.push("-browser");
        let profile = PathBuf::from(profile);
        std::fs::create_dir(&profile)
            .map_err(|e| Error::io(&profile, "cannot create the browser's profile folder", e))?;
        let mut flags = vec![
            "--headless".to_string(),
            "--disable-gpu".into(),
            "--no-first-run".into(),
            "--no-default-browser-check".into(),
            "--disable-extensions".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-default-apps".into(),
            "--mute-audio".into(),
            "--hide-scrollbars".into(),
            "--remote-debugging-pipe".into(),
            format!("--user-data-dir={}", profile.display()),
        ];
        // Chromium refuses to start as root with its sandbox on.
        if running_as_root() {
            flags.push("--no-sandbox".into());
        }
        // The shell hands our stdin pipe to the browser as fd 3 (commands) and our stdout pipe
        // as fd 4 (replies), then gets out of the way with `exec`.
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg("exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>/dev/null")
            .arg(browser)
            .args(&flags)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::io(browser, "cannot start the browser", e))?;
        let commands = child.stdin.take().expect("piped stdin");
        let replies = child.stdout.take().expect("piped stdout");
        let (send, messages) = std::sync::mpsc::sync_channel(QUEUED_MESSAGES);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(replies);
            let mut buffer = Vec::new();
            loop {
                buffer.clear();
                match (&mut reader)
                    .take(MAX_MESSAGE_BYTES + 1)
                    .read_until(0, &mut buffer)
                {
                    Ok(0) | Err(_) => break,
                    Ok(_) if buffer.last() == Some(&0) => {
                        buffer.pop();
                        if let Ok(message) = serde_json::from_slice::<Value>(&buffer) {
                            if send.send(Ok(message)).is_err() {
                                break;
                            }
                        }
                    }
                    Ok(n) if n as u64 > MAX_MESSAGE_BYTES => {
                        let _ = send.send(Err(format!(
                            "the browser sent a message longer than {} MiB",
                            MAX_MESSAGE_BYTES >> 20
                        )));
                        break;
                    }
                    // The browser closed its end in the middle of a message.
                    Ok(_) => break,
                }
            }
        });
        let mut printer = Printer {
            child,
            commands,
            messages,
            next_id: 0,
            session: String::new(),
            profile,
            paper,
        };
        let target = printer.call("Target.createTarget", json!({ "url": "about:blank" }), None)?;
        let target_id = target["targetId"].as_str().unwrap_or_default().to_string();
        let attached = printer.call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
            None,
        )?;
        printer.session = attached["sessionId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let session = printer.session.clone();
        printer.call("Page.enable", json!({}), Some(&session))?;
        Ok(printer)
    }

    /// Loads `page` (an HTML file) and returns its PDF.
    pub fn print(&mut self, page: &Path) -> Result<Vec<u8>> {
        let session = self.session.clone();
        let absolute = std::fs::canonicalize(page)
            .map_err(|e| Error::io(page, "cannot read the page to print", e))?;
        let url = file_url(&absolute);
        let navigated = self.call("Page.navigate", json!({ "url": url }), Some(&session))?;
        if let Some(text) = navigated["errorText"].as_str() {
            return Err(Error::Other(format!(
                "{}: the browser could not open the page: {text}",
                page.display()
            )));
        }
        self.wait_for("Page.loadEventFired", &session)?;
        let (width, height) = self.paper.inches();
        let pdf = self.call(
            "Page.printToPDF",
            json!({
                "printBackground": true,
                "preferCSSPageSize": true,
                "displayHeaderFooter": false,
                "paperWidth": width,
                "paperHeight": height,
            }),
            Some(&session),
        )?;
        let data = pdf["data"].as_str().unwrap_or_default();
        base64_decode(data).ok_or_else(|| {
            Error::Other(format!(
                "{}: the browser returned a PDF that is not valid base64",
                page.display()
            ))
        })
    }

    /// Sends one command and waits for its reply; events that arrive meanwhile are dropped.
    fn call(&mut self, method: &str, params: Value, session: Option<&str>) -> Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = Value::from(session);
        }
        let mut bytes = serde_json::to_vec(&message)
            .map_err(|e| Error::Other(format!("cannot encode a browser command: {e}")))?;
        bytes.push(0);
        self.commands
            .write_all(&bytes)
            .and_then(|()| self.commands.flush())
            .map_err(|e| self.failed(method, &e.to_string()))?;
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let reply = self.next_message(method, deadline)?;
            if reply["id"].as_u64() == Some(id) {
                if let Some(error) = reply.get("error") {
                    return Err(self.failed(method, &error["message"].to_string()));
                }
                return Ok(reply["result"].clone());
            }
        }
    }

    /// Waits for an event of `method` from the tab.
    fn wait_for(&mut self, method: &str, session: &str) -> Result<()> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            let event = self.next_message(method, deadline)?;
            if event["method"].as_str() == Some(method)
                && event["sessionId"].as_str() == Some(session)
            {
                return Ok(());
            }
        }
    }

    fn next_message(&mut self, waiting_for: &str, deadline: Instant) -> Result<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(left) {
            Ok(Ok(message)) => Ok(message),
            Ok(Err(why)) => Err(self.failed(waiting_for, &why)),
            Err(RecvTimeoutError::Timeout) => Err(self.failed(
                waiting_for,
                &format!("no answer within {} s", STEP_TIMEOUT.as_secs()),
            )),
            Err(RecvTimeoutError::Disconnected) => {
                Err(self.failed(waiting_for, "the browser stopped"))
            }
        }
    }

    fn failed(&self, method: &str, why: &str) -> Error {
        Error::Other(format!(
            "printing to PDF failed at `{method}`: {why}; check that the browser runs (e.g. `chromium --headless --version`) or choose another with --browser PATH"
        ))
    }
}

impl Drop for Printer {
    fn drop(&mut self) {
        // Ask politely, then make sure: the process must not outlive the run.
        self.next_id += 1;
        let close = json!({ "id": self.next_id, "method": "Browser.close" });
        if let Ok(mut bytes) = serde_json::to_vec(&close) {
            bytes.push(0);
            let _ = self.commands.write_all(&bytes);
            let _ = self.commands.flush();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Whether this process runs as root (Linux: the real uid in `/proc/self/status`).
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().next())
            == Some("0")
    })
}

/// A `file://` URL for an absolute path, with every byte outside the unreserved set
/// percent-encoded (RFC 3986 §2.1, §3.3).
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for &b in path.to_string_lossy().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Decodes standard base64 (RFC 4648 §4, with padding), as `Page.printToPDF` returns it.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let produced = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        out.extend_from_slice(&n.to_be_bytes()[1..1 + produced]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(base64_decode("").unwrap(), b"");
        assert_eq!(base64_decode("TQ==").unwrap(), b"M");
        assert_eq!(base64_decode("TWE=").unwrap(), b"Ma");
        assert_eq!(base64_decode("TWFu").unwrap(), b"Man");
        assert_eq!(base64_decode("JVBERi0xLjQK").unwrap(), b"%PDF-1.4\n");
        assert_eq!(base64_decode("+/+/").unwrap(), [0xfb, 0xff, 0xbf]);
        assert!(base64_decode("T").is_none());
        assert!(base64_decode("T*==").is_none());
    }

    #[test]
    fn file_urls_encode_what_is_not_a_plain_path_character() {
        assert_eq!(
            file_url(Path::new("/tmp/out dir/orgs/a#b.html")),
            "file:///tmp/out%20dir/orgs/a%23b.html"
        );
        assert_eq!(file_url(Path::new("/tmp/é")), "file:///tmp/%C3%A9");
    }

    #[test]
    fn a_browser_that_does_not_exist_is_a_usage_error_naming_it() {
        let error = find_browser(Some(Path::new("/no/such/chromium"))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "--browser /no/such/chromium: no such file; give the path of a Chromium or Chrome executable"
        );
        assert_eq!(error.exit_code(), 2);
    }

    #[test]
    fn paper_sizes_are_in_inches() {
        let (w, h) = Paper::A4.inches();
        assert!((w - 8.2677).abs() < 1e-3 && (h - 11.6929).abs() < 1e-3);
        assert_eq!(Paper::Letter.inches(), (8.5, 11.0));
    }
}
