//! `summary.csv`: one row per file, most urgent first (priority, then
//! P(synthetic) from the most camera-like, then path: the order of
//! [`crate::scan::triage`]), with the scan's provenance (tool, model, start
//! time) on every row.

use std::io::Write;

use super::FileReport;
use super::ScanInfo;
use crate::error::{Error, Result};

/// Column names of `summary.csv`.
pub(crate) const COLUMNS: [&str; 19] = [
    "priority",
    "verdict",
    "synthetic_probability",
    "path",
    "flags",
    "deciding_evidence",
    "size",
    "format",
    "width",
    "height",
    "sha256",
    "md5",
    "sha1",
    "pdq",
    "hashlist_matches",
    "errors",
    "tool",
    "model",
    "scan_started",
];

/// The scan's provenance, from the first part: tool, model and start time
/// (empty for files analysed outside a scan).
pub fn provenance(parts: &[ScanInfo]) -> [String; 3] {
    parts.first().map_or_else(Default::default, |h| {
        [
            h.tool.clone(),
            h.model.clone().unwrap_or_default(),
            h.started.clone(),
        ]
    })
}

/// A report's flags joined by spaces.
pub fn flags(r: &FileReport) -> String {
    r.flags
        .iter()
        .map(super::kebab_name)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A report's errors as `stage: message` joined by `; `.
pub fn errors(r: &FileReport) -> String {
    r.errors
        .iter()
        .map(|e| format!("{}: {}", e.stage, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A report's hash-list matches as `list:label` joined by `; `.
pub(crate) fn hashlist_matches(r: &FileReport) -> String {
    r.hashlist_matches
        .iter()
        .map(|m| format!("{}:{}", m.list, m.label))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Writes `summary.csv` a row at a time, the rows given in triage order.
#[derive(Debug)]
pub(crate) struct CsvWriter<W: Write> {
    w: csv::Writer<W>,
    provenance: [String; 3],
}

fn csv_error(e: impl std::fmt::Display) -> Error {
    Error::Config(format!("writing CSV: {e}"))
}

impl<W: Write> CsvWriter<W> {
    /// Writes the column names; `parts` say who made the scan and when.
    pub(crate) fn new(out: W, parts: &[ScanInfo]) -> Result<Self> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(COLUMNS).map_err(csv_error)?;
        Ok(CsvWriter {
            w,
            provenance: provenance(parts),
        })
    }

    /// Writes one file's row.
    pub(crate) fn row(&mut self, r: &FileReport) -> Result<()> {
        let opt = |v: Option<String>| v.unwrap_or_default();
        let hash =
            |f: fn(&crate::input::Hashes) -> &String| opt(r.hashes.as_ref().map(|h| f(h).clone()));
        let [tool, model, started] = &self.provenance;
        self.w
            .write_record([
                r.priority.to_string(),
                r.verdict.as_str().to_string(),
                opt(r.synthetic_probability.map(|p| format!("{p:.4}"))),
                r.path.clone(),
                flags(r),
                r.explanations.first().cloned().unwrap_or_default(),
                opt(r.size.map(|s| s.to_string())),
                opt(r.format.map(|f| super::kebab_name(&f))),
                opt(r.width.map(|v| v.to_string())),
                opt(r.height.map(|v| v.to_string())),
                hash(|h| &h.sha256),
                hash(|h| &h.md5),
                hash(|h| &h.sha1),
                opt(r.pdq.as_ref().map(|p| p.hash.clone())),
                hashlist_matches(r),
                errors(r),
                tool.clone(),
                model.clone(),
                started.clone(),
            ])
            .map_err(csv_error)
    }

    /// Flushes the rows and gives the output back.
    pub(crate) fn finish(self) -> Result<W> {
        self.w.into_inner().map_err(csv_error)
    }
}
