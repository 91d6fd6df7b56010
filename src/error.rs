//! The one error type of the library: what spoils a whole file or a whole run.
//!
//! A signal that merely cannot run on a file is not an error: it reports
//! `NotApplicable { reason }` inside its evidence (see [`crate::report::Outcome`]).

use std::path::PathBuf;

/// Everything that can stop the analysis of one file, or the whole run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than the configured limit.
    #[error("file is {size} bytes, over the limit of {limit} bytes (--max-file-size)")]
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
    /// A configuration value is invalid (bad trust-anchor file, bad limit).
    #[error("configuration: {0}")]
    Config(String),
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
