//! `summary.csv`: one row per file, most urgent first (priority, then
//! P(synthetic) from the most camera-like, then path), with the scan's
//! provenance (tool, model, start time) on every row.

use super::FileReport;
use super::ScanInfo;
use crate::error::{Error, Result};

/// Column names of `summary.csv`.
pub const COLUMNS: [&str; 19] = [
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

/// The files sorted for triage: priority; within a priority, P(synthetic)
/// from the most camera-like (files with no P last: no number is not "most
/// real"); then path.
pub fn triage_order(files: &[FileReport]) -> Vec<&FileReport> {
    let mut sorted: Vec<&FileReport> = files.iter().collect();
    sorted.sort_by(|a, b| {
        let p = |r: &FileReport| r.synthetic_probability.unwrap_or(f64::INFINITY);
        a.priority
            .cmp(&b.priority)
            .then(p(a).total_cmp(&p(b)))
            .then(a.path.cmp(&b.path))
    });
    sorted
}

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
pub fn hashlist_matches(r: &FileReport) -> String {
    r.hashlist_matches
        .iter()
        .map(|m| format!("{}:{}", m.list, m.label))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Renders the CSV; `parts` say who made the scan and when.
pub fn csv(files: &[FileReport], parts: &[ScanInfo]) -> Result<Vec<u8>> {
    let [tool, model, started] = provenance(parts);
    let err = |e: csv::Error| Error::Config(format!("writing CSV: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS).map_err(err)?;
    let opt = |v: Option<String>| v.unwrap_or_default();
    for r in triage_order(files) {
        let hash =
            |f: fn(&crate::input::Hashes) -> &String| opt(r.hashes.as_ref().map(|h| f(h).clone()));
        w.write_record([
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
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Config(format!("writing CSV: {e}")))
}
