//! The one error type of the library: what spoils a whole file or a whole run.
//!
//! A signal that merely cannot run on a file is not an error: it reports
//! `NotApplicable { reason }` inside its evidence (see [`crate::outcome::Outcome`]).

use std::path::{Path, PathBuf};

/// Everything that can stop the analysis of one file, or the whole run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened or read. The operating system's error
    /// is part of the message, not a separate source, so that it is said
    /// once however the chain is printed.
    #[error("cannot read {}: {reason}", path.display())]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// The operating system's error.
        reason: std::io::Error,
    },
    /// The path is not a regular file (a FIFO, socket or device would block
    /// or never end): refused before it is opened.
    #[error("{} is not a regular file ({kind}): not read", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is: "a folder", "a FIFO", "a socket", "a device".
        kind: &'static str,
    },
    /// The file is larger than the configured limit.
    #[error("file is {size} bytes, over the file-size limit of {limit} bytes")]
    TooLarge {
        /// Size of the file in bytes.
        size: u64,
        /// The configured limit in bytes.
        limit: u64,
    },
    /// The bytes are not an image format this tool knows.
    #[error("not a supported image format (magic bytes {magic})")]
    Unsupported {
        /// The first bytes of the file, as hex.
        magic: String,
    },
    /// The pixels cannot be analysed (no decoder, decode error, too small).
    #[error("cannot analyse the pixels: {0}")]
    Pixels(String),
    /// The output folder already holds a scan's journal, and the scan was
    /// asked neither to resume nor to overwrite it.
    #[error("{} exists: an earlier scan's journal", path.display())]
    OutputExists {
        /// The journal.
        path: PathBuf,
    },
    /// A configuration value is invalid (bad trust-anchor file, bad limit).
    #[error("configuration: {0}")]
    Config(String),
}

impl Error {
    /// Wraps an I/O error met on `path`: `.map_err(Error::io(path))`.
    pub fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + Copy + '_ {
        move |reason| Error::Io {
            path: path.to_path_buf(),
            reason,
        }
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
