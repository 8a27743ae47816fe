//! One output file written whole or not at all ([`AtomicFile`]). Where files go and what a
//! run may replace is [`crate::output_dir`]'s business.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

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
