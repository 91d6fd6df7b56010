//! The scan journal, `report.jsonl`: a header record, one `file` record per
//! file written and flushed as it completes, a footer with totals. Reading
//! it back tolerates the half-written last line a killed scan leaves.

// Byte parsers read untrusted input: no unchecked indexing.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::report::{jsonl, FileReport};

/// The settings of a scan, recorded in its header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Folders and files given on the command line.
    pub roots: Vec<String>,
    /// Where `--files-from` read its list, if used.
    pub files_from: Option<String>,
    /// Worker threads.
    pub jobs: usize,
    /// Whether symbolic links were followed.
    pub follow_symlinks: bool,
    /// Provenance only (no pixel decoding).
    pub no_pixels: bool,
    /// Largest file analysed, in bytes.
    pub max_file_size: u64,
    /// Per-file time limit in seconds, if any.
    pub file_timeout_s: Option<f64>,
    /// Trust anchors used for C2PA, if any.
    pub trust_anchors: Option<String>,
}

/// First record of a scan (and of each resumed part).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// `provenant <version>`.
    pub tool: String,
    /// Schema version of the file records.
    pub schema_version: u32,
    /// The model's identity (`Model::id`), if one was used.
    pub model: Option<String>,
    /// The command line, as given.
    pub command_line: Vec<String>,
    /// Start time, RFC 3339 UTC.
    pub started: String,
    /// True when this part continues an interrupted scan.
    pub resumed: bool,
    /// Settings.
    pub settings: Settings,
}

impl Header {
    /// What the printers show of this part.
    pub fn info(&self) -> crate::report::ScanInfo {
        crate::report::ScanInfo {
            tool: self.tool.clone(),
            model: self.model.clone(),
            started: self.started.clone(),
            roots: self.settings.roots.clone(),
            command_line: self.command_line.clone(),
        }
    }
}

/// Last record of a complete scan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Footer {
    /// File records in the journal (all parts).
    pub files: usize,
    /// Of which with errors.
    pub with_errors: usize,
    /// Files skipped because an earlier part recorded them.
    pub resumed_skipped: usize,
    /// Files the walk passed over because their first bytes are not a
    /// known image format.
    pub not_images: usize,
    /// Empty files the walk passed over.
    #[serde(default)]
    pub empty: usize,
    /// FIFOs, sockets and devices the walk passed over.
    #[serde(default)]
    pub special_files: usize,
    /// Symbolic links not followed.
    pub symlinks_skipped: usize,
    /// File records per verdict.
    pub verdicts: BTreeMap<String, usize>,
}

/// A journal read back.
#[derive(Debug, Default)]
pub struct Journal {
    /// Header records, one per part.
    pub headers: Vec<Header>,
    /// File records in journal order.
    pub files: Vec<FileReport>,
    /// The footer, if the last part completed.
    pub footer: Option<Footer>,
    /// Length in bytes of the complete records (where to append).
    pub complete_len: u64,
    /// True if a half-written last line was found (and ignored).
    pub partial_tail: bool,
}

#[derive(Deserialize)]
struct Tag {
    #[serde(rename = "type")]
    kind: String,
}

/// Reads a journal. A last line without its newline is a half-written
/// record (the writer was killed): ignored and reported in `partial_tail`.
/// A complete line that is not a record is an error.
pub fn read(path: &Path) -> Result<Journal> {
    let file = File::open(path).map_err(Error::io(path))?;
    read_from(BufReader::new(file), path)
}

/// [`read`] on any reader; `path` names it in errors.
pub fn read_from(mut reader: impl BufRead, path: &Path) -> Result<Journal> {
    let io_err = Error::io(path);
    let mut journal = Journal::default();
    let mut line = Vec::new();
    for number in 1.. {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(io_err)?;
        if n == 0 {
            break;
        }
        if line.last() != Some(&b'\n') {
            journal.partial_tail = true;
            break;
        }
        add_record(&line, &mut journal).map_err(|e| {
            Error::Config(format!(
                "{} line {number}: not a provenant record ({e})",
                path.display()
            ))
        })?;
        journal.complete_len += n as u64;
    }
    Ok(journal)
}

fn add_record(line: &[u8], journal: &mut Journal) -> serde_json::Result<()> {
    let tag: Tag = serde_json::from_slice(line)?;
    match tag.kind.as_str() {
        "header" => journal.headers.push(serde_json::from_slice(line)?),
        "file" => journal.files.push(serde_json::from_slice(line)?),
        "footer" => journal.footer = Some(serde_json::from_slice(line)?),
        other => {
            return Err(serde::de::Error::custom(format!(
                "unknown record type `{other}`"
            )))
        }
    }
    Ok(())
}

/// Reads several journals (e.g. shards scanned on several machines) into
/// one: all headers, each file once (the first record of a path, size and
/// modification time wins), in input order, and a footer over the merged
/// files whose walk counts (files passed over by kind) are the sums of the
/// shards' footers (a shard without a footer adds none).
pub fn merge(paths: &[std::path::PathBuf]) -> Result<Journal> {
    let mut merged = Journal::default();
    let mut seen = std::collections::HashSet::new();
    let mut walk = Footer::default();
    for path in paths {
        let j = read(path)?;
        merged.headers.extend(j.headers);
        merged.partial_tail |= j.partial_tail;
        for f in j.files {
            if seen.insert((f.path.clone(), f.size, f.modified_ns)) {
                merged.files.push(f);
            }
        }
        if let Some(f) = j.footer {
            walk.not_images += f.not_images;
            walk.empty += f.empty;
            walk.special_files += f.special_files;
            walk.symlinks_skipped += f.symlinks_skipped;
        }
    }
    merged.footer = Some(Footer {
        not_images: walk.not_images,
        empty: walk.empty,
        special_files: walk.special_files,
        symlinks_skipped: walk.symlinks_skipped,
        ..totals(&merged.files)
    });
    Ok(merged)
}

/// Writes a journal: its headers, file records and footer (if any).
pub fn write(out: &mut impl std::io::Write, journal: &Journal) -> std::io::Result<()> {
    for h in &journal.headers {
        jsonl::write_record(out, "header", h)?;
    }
    for f in &journal.files {
        jsonl::write(out, f)?;
    }
    match &journal.footer {
        Some(footer) => jsonl::write_record(out, "footer", footer),
        None => Ok(()),
    }
}

/// Totals of file records.
pub fn totals(files: &[FileReport]) -> Footer {
    let mut footer = Footer {
        files: files.len(),
        with_errors: files.iter().filter(|f| !f.errors.is_empty()).count(),
        ..Footer::default()
    };
    for f in files {
        *footer
            .verdicts
            .entry(f.verdict.as_str().to_string())
            .or_default() += 1;
    }
    footer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_half_written_last_line_is_dropped_and_a_bad_line_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.jsonl");
        let mut bytes = Vec::new();
        jsonl::write(&mut bytes, &FileReport::empty("a.jpg".into())).unwrap();
        let complete = bytes.len() as u64;
        jsonl::write(&mut bytes, &FileReport::empty("b.jpg".into())).unwrap();
        bytes.truncate(bytes.len() - 7);
        std::fs::write(&path, &bytes).unwrap();
        let j = read(&path).unwrap();
        assert_eq!(j.files.len(), 1);
        assert_eq!(j.files[0].path, "a.jpg");
        assert!(j.partial_tail);
        assert_eq!(j.complete_len, complete);

        std::fs::write(&path, b"{\"type\":\"file\"}\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn merged_shards_keep_their_walk_counts_and_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let shard = |name: &str, files: &[&str], not_images: usize| {
            let journal = Journal {
                files: files
                    .iter()
                    .map(|f| FileReport::empty(f.to_string()))
                    .collect(),
                footer: Some(Footer {
                    not_images,
                    symlinks_skipped: 1,
                    ..Footer::default()
                }),
                ..Journal::default()
            };
            let path = dir.path().join(name);
            let mut bytes = Vec::new();
            write(&mut bytes, &journal).unwrap();
            std::fs::write(&path, bytes).unwrap();
            path
        };
        let paths = [
            shard("a.jsonl", &["x", "y"], 2),
            shard("b.jsonl", &["y", "z"], 3),
        ];
        let merged = merge(&paths).unwrap();
        let names: Vec<&str> = merged.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(names, ["x", "y", "z"]);
        let footer = merged.footer.unwrap();
        assert_eq!(
            (footer.files, footer.not_images, footer.symlinks_skipped),
            (3, 5, 2)
        );
        assert_eq!(footer.verdicts["inconclusive"], 3);
    }
}
