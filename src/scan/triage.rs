//! The triage order of a collection (priority, then P(synthetic) from the
//! most camera-like, files with no P last, then path) in bounded memory.
//!
//! A first pass over the journals reads each file record in brief
//! ([`Brief`]): it counts the [`Totals`], drops files repeated across
//! merged journals (by their 16-byte key) and keeps a small sort key per file (priority, P, path and
//! where the record is). Keys are sorted in runs of [`RUN`]; a full run is
//! written to a spill file in the output folder, and the runs are merged
//! (a k-way merge) as the records are read back, one at a time, from where
//! the keys say they are. Memory holds one run, not the collection.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::record::{Brief, FileReport};
use crate::report::{ScanInfo, Totals};

use super::journal::{self, Footer, Header, Kind};

/// Sort keys held in memory before a run is spilled (about 100 bytes each
/// plus the path).
pub const RUN: usize = 65_536;

/// Where a file record is, and what it is sorted by.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    priority: u8,
    /// P(synthetic); +∞ for files with none, so they sort last.
    p: f64,
    path: String,
    /// Which journal, and where in it.
    journal: u32,
    offset: u64,
}

impl Eq for Key {}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority
            .cmp(&other.priority)
            .then(self.p.total_cmp(&other.p))
            .then_with(|| self.path.cmp(&other.path))
            .then(self.journal.cmp(&other.journal))
            .then(self.offset.cmp(&other.offset))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Key {
    fn write(&self, w: &mut impl Write) -> std::io::Result<()> {
        w.write_all(&[self.priority])?;
        w.write_all(&self.p.to_bits().to_le_bytes())?;
        w.write_all(&self.journal.to_le_bytes())?;
        w.write_all(&self.offset.to_le_bytes())?;
        w.write_all(&(self.path.len() as u64).to_le_bytes())?;
        w.write_all(self.path.as_bytes())
    }

    /// The next key of a spill file, `None` at its end.
    fn read(r: &mut impl Read) -> std::io::Result<Option<Key>> {
        let mut priority = [0u8; 1];
        match r.read_exact(&mut priority) {
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            other => other?,
        }
        let mut b8 = [0u8; 8];
        let mut b4 = [0u8; 4];
        r.read_exact(&mut b8)?;
        let p = f64::from_bits(u64::from_le_bytes(b8));
        r.read_exact(&mut b4)?;
        let journal = u32::from_le_bytes(b4);
        r.read_exact(&mut b8)?;
        let offset = u64::from_le_bytes(b8);
        r.read_exact(&mut b8)?;
        let mut path = Vec::new();
        r.take(u64::from_le_bytes(b8)).read_to_end(&mut path)?;
        let path = String::from_utf8(path)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Ok(Some(Key {
            priority: priority[0],
            p,
            path,
            journal,
            offset,
        }))
    }
}

/// Sorts keys in runs of at most `run` in memory, spilling full runs to
/// files in a temporary folder made (on the first spill) in `dir`.
#[derive(Debug)]
struct Sorter {
    run: usize,
    dir: PathBuf,
    spill: Option<tempfile::TempDir>,
    buffer: Vec<Key>,
    runs: Vec<PathBuf>,
}

impl Sorter {
    fn new(dir: &Path, run: usize) -> Self {
        Sorter {
            run: run.max(1),
            dir: dir.to_path_buf(),
            spill: None,
            buffer: Vec::new(),
            runs: Vec::new(),
        }
    }

    fn push(&mut self, key: Key) -> Result<()> {
        self.buffer.push(key);
        if self.buffer.len() >= self.run {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> Result<()> {
        let dir = match &self.spill {
            Some(d) => d.path().to_path_buf(),
            None => {
                let d = tempfile::Builder::new()
                    .prefix(".provenant-sort-")
                    .tempdir_in(&self.dir)
                    .map_err(Error::io(&self.dir))?;
                let path = d.path().to_path_buf();
                self.spill = Some(d);
                path
            }
        };
        self.buffer.sort_unstable();
        let path = dir.join(format!("run-{}", self.runs.len()));
        let mut w = BufWriter::new(File::create(&path).map_err(Error::io(&path))?);
        for key in self.buffer.drain(..) {
            key.write(&mut w).map_err(Error::io(&path))?;
        }
        w.flush().map_err(Error::io(&path))?;
        self.runs.push(path);
        Ok(())
    }

    /// The keys in order: from memory if they fit in one run, else merged
    /// from the spill files.
    fn finish(mut self) -> Result<Sorted> {
        if self.runs.is_empty() {
            self.buffer.sort_unstable_by(|a, b| b.cmp(a));
            return Ok(Sorted::Memory(self.buffer));
        }
        if !self.buffer.is_empty() {
            self.spill()?;
        }
        let mut readers = Vec::with_capacity(self.runs.len());
        let mut heap = BinaryHeap::new();
        for (i, path) in self.runs.iter().enumerate() {
            let mut r = BufReader::new(File::open(path).map_err(Error::io(path))?);
            if let Some(key) = Key::read(&mut r).map_err(Error::io(path))? {
                heap.push(Reverse((key, i)));
            }
            readers.push((r, path.clone()));
        }
        Ok(Sorted::Merge {
            readers,
            heap,
            _dir: self.spill,
        })
    }
}

/// Keys in triage order.
#[derive(Debug)]
enum Sorted {
    /// Sorted backwards, so that `pop` gives the next.
    Memory(Vec<Key>),
    /// The runs' readers and the smallest unread key of each.
    Merge {
        readers: Vec<(BufReader<File>, PathBuf)>,
        heap: BinaryHeap<Reverse<(Key, usize)>>,
        _dir: Option<tempfile::TempDir>,
    },
}

impl Sorted {
    fn next(&mut self) -> Result<Option<Key>> {
        match self {
            Sorted::Memory(keys) => Ok(keys.pop()),
            Sorted::Merge { readers, heap, .. } => {
                let Some(Reverse((key, i))) = heap.pop() else {
                    return Ok(None);
                };
                if let Some((r, path)) = readers.get_mut(i) {
                    if let Some(next) = Key::read(r).map_err(Error::io(path))? {
                        heap.push(Reverse((next, i)));
                    }
                }
                Ok(Some(key))
            }
        }
    }
}

/// One or more journals, counted and ordered for triage.
#[derive(Debug)]
#[non_exhaustive]
pub struct Index {
    /// Header records of every journal, in order.
    pub headers: Vec<Header>,
    /// Counts over the file records (each file once).
    pub totals: Totals,
    /// The sums of the journals' footers' walk counts.
    pub walk: Footer,
    /// True if a journal ended in a half-written record (left out).
    pub partial_tail: bool,
    journals: Vec<PathBuf>,
    sorter: Sorter,
}

impl Index {
    /// Reads `journals` in brief; spill files (if any) go to a temporary
    /// folder in `spill_dir`, removed when the records have been read.
    /// Merging several journals, each file is counted and ordered once (the
    /// first record of a path, size and modification time wins), which
    /// keeps 16 bytes a file; a single journal is taken as it is.
    pub fn build(journals: &[PathBuf], spill_dir: &Path) -> Result<Index> {
        Self::with_run(journals, spill_dir, RUN)
    }

    /// [`Index::build`] with runs of `run` keys.
    pub fn with_run(journals: &[PathBuf], spill_dir: &Path, run: usize) -> Result<Index> {
        let mut index = Index {
            headers: Vec::new(),
            totals: Totals::default(),
            walk: Footer::default(),
            partial_tail: false,
            journals: journals.to_vec(),
            sorter: Sorter::new(spill_dir, run),
        };
        // One scan's journal never records a file twice (`--resume` skips
        // recorded files): only a merge keeps keys to drop repeats.
        let merging = journals.len() > 1;
        let mut seen = HashSet::new();
        for (number, path) in journals.iter().enumerate() {
            let journal = u32::try_from(number)
                .map_err(|_| Error::Config("too many journals to merge".into()))?;
            let tail = journal::for_each_record(journal::open(path)?, path, |line| {
                match line.kind {
                    Kind::Header => index.headers.push(line.parse()?),
                    Kind::Footer => index.walk.add_walk(&line.parse()?),
                    Kind::File => {
                        let brief: Brief = line.parse()?;
                        if !merging || seen.insert(brief.key()) {
                            index.totals.add(&brief);
                            index.sorter.push(Key {
                                priority: brief.priority,
                                p: brief.synthetic_probability.unwrap_or(f64::INFINITY),
                                path: brief.path,
                                journal,
                                offset: line.offset,
                            })?;
                        }
                    }
                }
                Ok(())
            })?;
            index.partial_tail |= tail.partial_tail;
        }
        Ok(index)
    }

    /// What the printers show of who made the scan: one entry per part.
    pub fn parts(&self) -> Vec<ScanInfo> {
        self.headers.iter().map(Header::info).collect()
    }

    /// A footer for the indexed records: their totals, the walk counts.
    pub fn footer(&self) -> Footer {
        self.walk.with_totals(&self.totals)
    }

    /// The file records in triage order, read back one at a time.
    pub fn records(self) -> Result<Records> {
        let readers = self
            .journals
            .iter()
            .map(|p| journal::open(p).map(|r| (r, p.clone())))
            .collect::<Result<_>>()?;
        Ok(Records {
            sorted: self.sorter.finish()?,
            readers,
            line: Vec::new(),
        })
    }
}

/// File records in triage order ([`Index::records`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct Records {
    sorted: Sorted,
    readers: Vec<(BufReader<File>, PathBuf)>,
    line: Vec<u8>,
}

impl Records {
    /// The next record, `None` after the last.
    pub(crate) fn next_record(&mut self) -> Result<Option<FileReport>> {
        let Some(key) = self.sorted.next()? else {
            return Ok(None);
        };
        let (reader, path) = usize::try_from(key.journal)
            .ok()
            .and_then(|i| self.readers.get_mut(i))
            .ok_or_else(|| Error::Config("a sort key names no journal".into()))?;
        let io = Error::io(path);
        reader.seek(SeekFrom::Start(key.offset)).map_err(io)?;
        self.line.clear();
        reader.read_until(b'\n', &mut self.line).map_err(io)?;
        serde_json::from_slice(&self.line).map(Some).map_err(|e| {
            Error::Config(format!(
                "{} at byte {}: the record changed while the reports were written ({e})",
                path.display(),
                key.offset
            ))
        })
    }
}

impl Iterator for Records {
    type Item = Result<FileReport>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::jsonl;

    fn journal(dir: &Path, name: &str, records: &[(&str, u8, Option<f64>)]) -> PathBuf {
        let mut bytes = Vec::new();
        for &(path, priority, p) in records {
            let mut r = FileReport::empty(path.into());
            r.priority = priority;
            r.synthetic_probability = p;
            jsonl::write(&mut bytes, &r).unwrap();
        }
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn order(index: Index) -> Vec<String> {
        index.records().unwrap().map(|r| r.unwrap().path).collect()
    }

    #[test]
    fn spilled_runs_merge_into_the_in_memory_order_and_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let records: Vec<(String, u8, Option<f64>)> = (0..50)
            .map(|i| {
                let p = (i % 7 != 0).then(|| f64::from((i * 37) % 101) / 100.0);
                (format!("f{:02}", (i * 13) % 50), 1 + (i % 4) as u8, p)
            })
            .collect();
        let borrowed: Vec<(&str, u8, Option<f64>)> = records
            .iter()
            .map(|(a, b, c)| (a.as_str(), *b, *c))
            .collect();
        let a = journal(dir.path(), "a.jsonl", &borrowed[..30]);
        // The second shard repeats five files of the first: each is kept once.
        let b = journal(dir.path(), "b.jsonl", &borrowed[25..]);
        let journals = [a, b];

        let in_memory = Index::build(&journals, dir.path()).unwrap();
        assert_eq!(in_memory.totals.files, 50);
        let expected = order(in_memory);

        let spilled = Index::with_run(&journals, dir.path(), 3).unwrap();
        let mut records = spilled.records().unwrap();
        let spill_dirs = || {
            std::fs::read_dir(dir.path())
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .starts_with(".provenant-sort-")
                })
                .count()
        };
        assert_eq!(spill_dirs(), 1, "runs of 3 keys spill");
        let first = records.next_record().unwrap().unwrap().path;
        let rest: Vec<String> = records.by_ref().map(|r| r.unwrap().path).collect();
        drop(records);
        assert_eq!(spill_dirs(), 0, "the spill files are removed");
        assert_eq!([vec![first], rest].concat(), expected);

        // The triage order: priority, then P (none last), then path.
        let mut want: Vec<(u8, f64, &str)> = borrowed
            .iter()
            .map(|&(path, priority, p)| (priority, p.unwrap_or(f64::INFINITY), path))
            .collect();
        want.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)).then(x.2.cmp(y.2)));
        want.dedup_by_key(|w| w.2);
        let want: Vec<String> = want.iter().map(|w| w.2.to_string()).collect();
        assert_eq!(expected, want);
    }
}
