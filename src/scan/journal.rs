//! The scan journal, `report.jsonl`: a header record, one `file` record per
//! file written and flushed as it completes, a footer with totals. Reading
//! it back tolerates the half-written last line a killed scan leaves, and
//! streams: a line at a time, so a journal of any length is read in
//! constant memory.

// Byte parsers read untrusted input: no unchecked indexing.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::record::{Brief, FileKey};
use crate::report::{jsonl, FileReport, Totals};

/// The settings of a scan, recorded in its header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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
#[non_exhaustive]
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
    pub(crate) fn info(&self) -> crate::report::ScanInfo {
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
#[non_exhaustive]
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

/// A journal read back whole (small journals and tests; scans and
/// reports stream it with `for_each_record`).
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Journal {
    /// Header records, one per part.
    pub headers: Vec<Header>,
    /// File records in journal order.
    pub files: Vec<FileReport>,
    /// The footer, if the last part completed.
    pub footer: Option<Footer>,
    /// Where the complete records end.
    pub tail: Tail,
}

/// Where a journal's complete records end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tail {
    /// Length in bytes of the complete records (where to append).
    pub complete_len: u64,
    /// True if a half-written last line was found (and ignored).
    pub partial_tail: bool,
}

/// Which record a journal line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Kind {
    /// A [`Header`].
    Header,
    /// A [`FileReport`].
    File,
    /// A [`Footer`].
    Footer,
}

#[derive(Deserialize)]
struct Tag {
    #[serde(rename = "type")]
    kind: Kind,
}

/// One complete line of a journal.
#[derive(Debug)]
pub(crate) struct Line<'a> {
    /// The record it holds.
    pub kind: Kind,
    /// Where it starts in its journal, in bytes.
    pub offset: u64,
    /// Its bytes, newline included.
    pub bytes: &'a [u8],
    number: usize,
    path: &'a Path,
}

impl Line<'_> {
    /// The record, or an error naming the journal and the line.
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(self.bytes).map_err(|e| bad_line(self.path, self.number, &e))
    }
}

fn bad_line(path: &Path, number: usize, e: &dyn std::fmt::Display) -> Error {
    Error::Config(format!(
        "{} line {number}: not a provenant record ({e})",
        path.display()
    ))
}

/// Calls `f` on each complete line of a journal, in order. A last line
/// without its newline is a half-written record (the writer was killed):
/// left out and reported in the [`Tail`]. A complete line that is not a
/// record is an error.
pub(crate) fn for_each_record(
    mut reader: impl BufRead,
    path: &Path,
    mut f: impl FnMut(&Line<'_>) -> Result<()>,
) -> Result<Tail> {
    let mut tail = Tail::default();
    let mut bytes = Vec::new();
    for number in 1.. {
        bytes.clear();
        let n = reader
            .read_until(b'\n', &mut bytes)
            .map_err(Error::io(path))?;
        if n == 0 {
            break;
        }
        if bytes.last() != Some(&b'\n') {
            tail.partial_tail = true;
            break;
        }
        let tag: Tag = serde_json::from_slice(&bytes).map_err(|e| bad_line(path, number, &e))?;
        f(&Line {
            kind: tag.kind,
            offset: tail.complete_len,
            bytes: &bytes,
            number,
            path,
        })?;
        tail.complete_len += n as u64;
    }
    Ok(tail)
}

/// Opens a journal for `for_each_record`.
pub fn open(path: &Path) -> Result<BufReader<File>> {
    Ok(BufReader::new(File::open(path).map_err(Error::io(path))?))
}

/// Reads a whole journal into memory.
pub fn read(path: &Path) -> Result<Journal> {
    read_from(open(path)?, path)
}

/// [`read`] on any reader; `path` names it in errors.
pub fn read_from(reader: impl BufRead, path: &Path) -> Result<Journal> {
    let mut journal = Journal::default();
    journal.tail = for_each_record(reader, path, |line| {
        match line.kind {
            Kind::Header => journal.headers.push(line.parse()?),
            Kind::File => journal.files.push(line.parse()?),
            Kind::Footer => journal.footer = Some(line.parse()?),
        }
        Ok(())
    })?;
    Ok(journal)
}

/// The files a journal records, by key, and where its complete records
/// end: what `--resume` needs, in 16 bytes per file.
pub(crate) fn seen(path: &Path) -> Result<(HashSet<FileKey>, Tail)> {
    let mut keys = HashSet::new();
    let tail = for_each_record(open(path)?, path, |line| {
        if line.kind == Kind::File {
            keys.insert(line.parse::<Brief>()?.key());
        }
        Ok(())
    })?;
    Ok((keys, tail))
}

impl Footer {
    /// Adds the counts of the walk (files passed over, by kind) of `other`.
    pub(crate) fn add_walk(&mut self, other: &Footer) {
        self.not_images += other.not_images;
        self.empty += other.empty;
        self.special_files += other.special_files;
        self.symlinks_skipped += other.symlinks_skipped;
    }

    /// This footer's walk counts with `totals`' file counts.
    pub(crate) fn with_totals(&self, totals: &Totals) -> Footer {
        Footer {
            files: totals.files,
            with_errors: totals.with_errors,
            verdicts: totals
                .verdicts
                .iter()
                .map(|(v, n)| (v.to_string(), *n))
                .collect(),
            ..self.clone()
        }
    }
}

/// Merges several journals (e.g. shards scanned on several machines) into
/// one, streaming, in two passes: all headers first, then each file once
/// (the first record of a path, size and modification time wins) in input
/// order, then a footer over the merged files whose walk counts are the
/// sums of the shards' footers (a shard without a footer adds none).
/// Returns true if a shard ended in a half-written record (left out).
pub fn merge(paths: &[PathBuf], out: &mut dyn Write) -> Result<bool> {
    let mut walk = Footer::default();
    let mut partial = false;
    for path in paths {
        let tail = for_each_record(open(path)?, path, |line| {
            match line.kind {
                Kind::Header => out.write_all(line.bytes).map_err(Error::io(path))?,
                Kind::Footer => walk.add_walk(&line.parse()?),
                Kind::File => {}
            }
            Ok(())
        })?;
        partial |= tail.partial_tail;
    }
    let mut seen = HashSet::new();
    let mut totals = Totals::default();
    for path in paths {
        for_each_record(open(path)?, path, |line| {
            if line.kind == Kind::File {
                let brief: Brief = line.parse()?;
                if seen.insert(brief.key()) {
                    totals.add(&brief);
                    out.write_all(line.bytes).map_err(Error::io(path))?;
                }
            }
            Ok(())
        })?;
    }
    let footer = walk.with_totals(&totals);
    jsonl::write_record(out, "footer", &footer).map_err(Error::io(Path::new("output")))?;
    Ok(partial)
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
        assert!(j.tail.partial_tail);
        assert_eq!(j.tail.complete_len, complete);

        std::fs::write(&path, b"{\"type\":\"file\"}\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn merged_shards_keep_their_walk_counts_and_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let shard = |name: &str, files: &[&str], not_images: usize| {
            let mut bytes = Vec::new();
            for f in files {
                jsonl::write(&mut bytes, &FileReport::empty(f.to_string())).unwrap();
            }
            let footer = Footer {
                not_images,
                symlinks_skipped: 1,
                ..Footer::default()
            };
            jsonl::write_record(&mut bytes, "footer", &footer).unwrap();
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        };
        let paths = [
            shard("a.jsonl", &["x", "y"], 2),
            shard("b.jsonl", &["y", "z"], 3),
        ];
        let mut out = Vec::new();
        assert!(!merge(&paths, &mut out).unwrap());
        let merged = read_from(out.as_slice(), Path::new("merged")).unwrap();
        let names: Vec<&str> = merged.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(names, ["x", "y", "z"]);
        let footer = merged.footer.unwrap();
        assert_eq!(
            (footer.files, footer.not_images, footer.symlinks_skipped),
            (3, 5, 2)
        );
        assert_eq!(footer.verdicts["inconclusive"], 3);

        let (keys, tail) = seen(&paths[1]).unwrap();
        assert_eq!(keys.len(), 2);
        assert!(keys.contains(&crate::record::file_key("z", None, None)));
        assert_eq!(
            tail.complete_len,
            std::fs::metadata(&paths[1]).unwrap().len()
        );
    }
}
