//! One output file written whole or not at all ([`AtomicFile`]). Where files go and what a
//! run may replace is [`crate::output_dir`]'s business.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Size and SHA-256 (hex) of every file this process committed, by final path: the manifest
/// takes them from here instead of reading large files back (SPEC §14).
static COMMITTED: Mutex<Option<HashMap<PathBuf, (u64, String)>>> = Mutex::new(None);

/// The size and SHA-256 of a file this process wrote at `path`, if it did.
pub fn committed(path: &Path) -> Option<(u64, String)> {
    let registry = COMMITTED.lock().unwrap_or_else(|p| p.into_inner());
    registry.as_ref()?.get(path).cloned()
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file written under a unique temporary name beside its destination (created exclusively,
/// so no planted file or link is ever written through) and renamed into place when complete:
/// an interrupted write never leaves a half-written file under the real name.
pub struct AtomicFile {
    path: PathBuf,
    temp: PathBuf,
    writer: std::io::BufWriter<std::fs::File>,
    /// The bytes written so far, hashed as they pass (on the thread that writes them).
    hasher: Sha256,
    bytes: u64,
    committed: bool,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        // Errors name the file being made, not its temporary name.
        let io = |e| Error::io(path, "cannot write", e);
        for attempt in 0..100 {
            let temp = path.with_file_name(format!(
                ".{name}.{}.partial",
                crate::output_dir::unique_suffix(attempt)
            ));
            crate::output_dir::fault::check_write().map_err(io)?;
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
                        hasher: Sha256::new(),
                        bytes: 0,
                        committed: false,
                    })
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(e)),
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
            .map_err(|e| Error::io(&self.path, "cannot write", e))?;
        std::fs::rename(&self.temp, &self.path)
            .map_err(|e| Error::io(&self.path, "cannot write", e))?;
        self.committed = true;
        let digest = hex(&std::mem::take(&mut self.hasher).finalize());
        let mut registry = COMMITTED.lock().unwrap_or_else(|p| p.into_inner());
        registry
            .get_or_insert_with(HashMap::new)
            .insert(self.path.clone(), (self.bytes, digest));
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
        let n = self.writer.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
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
