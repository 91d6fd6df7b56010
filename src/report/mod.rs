//! The printers of reports, and the record they print
//! ([`crate::record`], re-exported here); printers never compute,
//! analyzers never print.

pub mod evaluation;
pub mod html;
pub mod human;
pub mod jsonl;
pub mod reasons;
#[cfg(feature = "cli")]
pub mod roc;
pub mod summary;
pub mod training;
pub mod vics;

pub use crate::decide::{Flag, Verdict};
pub use crate::record::{kebab_name, FileReport, PixelSummary, Stage, StageError, SCHEMA_VERSION};

/// Who made a scan's records and when, as the printers show it (one per
/// part of the journal: a resumed scan has several).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanInfo {
    /// `provenant <version>`.
    pub tool: String,
    /// The model's identity, if one was used.
    pub model: Option<String>,
    /// Start time, RFC 3339 UTC.
    pub started: String,
    /// The scanned roots.
    pub roots: Vec<String>,
    /// The command line.
    pub command_line: Vec<String>,
}
