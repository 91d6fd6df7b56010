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

use std::collections::BTreeMap;

pub use crate::decide::{Flag, Verdict};
pub(crate) use crate::record::{kebab_name, Brief};
pub use crate::record::{FileReport, PixelSummary, Stage, StageError, SCHEMA_VERSION};

/// Bins of the histogram of P(synthetic) over [0, 1].
pub(crate) const BINS: usize = 10;

/// Who made a scan's records and when, as the printers show it (one per
/// part of the journal: a resumed scan has several).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
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

/// Counts over a collection's file records: the journal's footer and the
/// summary page show them. Gathered a record at a time, so a collection of
/// any size is counted in constant memory.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Totals {
    /// File records.
    pub files: usize,
    /// Of which with errors.
    pub with_errors: usize,
    /// Files per verdict (kebab-case name).
    pub verdicts: BTreeMap<&'static str, usize>,
    /// Files per triage priority.
    pub priorities: BTreeMap<u8, usize>,
    /// Files per flag (kebab-case name).
    pub flags: BTreeMap<String, usize>,
    /// Errors per stage (kebab-case name).
    pub errors: BTreeMap<String, usize>,
    /// Files per P(synthetic) bin (files without a P not counted).
    pub histogram: [usize; BINS],
}

impl Totals {
    /// Counts one file record.
    pub fn add(&mut self, r: &Brief) {
        self.files += 1;
        self.with_errors += usize::from(!r.errors.is_empty());
        *self.verdicts.entry(r.verdict.as_str()).or_default() += 1;
        *self.priorities.entry(r.priority).or_default() += 1;
        for f in &r.flags {
            *self.flags.entry(kebab_name(f)).or_default() += 1;
        }
        for e in &r.errors {
            *self.errors.entry(e.stage.to_string()).or_default() += 1;
        }
        if let Some(p) = r.synthetic_probability {
            let bin = (p * BINS as f64) as usize;
            if let Some(n) = self.histogram.get_mut(bin.min(BINS - 1)) {
                *n += 1;
            }
        }
    }
}
