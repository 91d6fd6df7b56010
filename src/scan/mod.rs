//! `provenant scan`: a whole collection, in parallel, with a journal that
//! survives interruption and reports rendered from it.
//!
//! Files are analysed by `jobs` rayon workers taking the next file in walk
//! order from a shared counter; a single writer puts the reports into
//! `report.jsonl` in walk order (each line flushed as soon as the reports
//! before it are written), so two runs give the same file records whatever
//! the thread count. At most `jobs` files are being analysed at once, and
//! workers wait when the writer is more than [`WINDOW`] files behind.

pub mod journal;
pub mod render;
pub mod thumbnails;
pub mod triage;
pub mod walk;

use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use crate::error::{Error, Result};
use crate::pipeline::Analyzer;
use crate::record::{file_key, FileKey};
use crate::report::{self, jsonl, FileReport};
use journal::{Footer, Header, Settings};
use thumbnails::Thumbnails;
use triage::Index;

/// Most reports waiting for the writer, per worker.
pub const WINDOW: usize = 64;

/// Name of the journal in the output folder.
pub(crate) const JOURNAL: &str = "report.jsonl";

/// What to scan and where to write.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScanOptions {
    /// Files and folders to scan.
    pub roots: Vec<PathBuf>,
    /// More files, from `--files-from` (its source, and the paths).
    pub files_from: Option<(String, Vec<PathBuf>)>,
    /// Output folder.
    pub out: PathBuf,
    /// Worker threads.
    pub jobs: usize,
    /// Follow symbolic links while walking.
    pub follow_symlinks: bool,
    /// Continue the journal in `out` instead of refusing to overwrite it.
    pub resume: bool,
    /// Start a new journal in `out`, replacing an existing one.
    pub overwrite: bool,
    /// Also write `vics.json`.
    pub vics: bool,
    /// Embed blurred thumbnails in `report.html`.
    pub thumbnails: bool,
    /// The command line, recorded in the header.
    pub command_line: Vec<String>,
}

impl ScanOptions {
    /// Scan `roots` into `out` on every core, refusing to overwrite or
    /// resume an existing journal, without VICS or thumbnails.
    pub fn new(roots: Vec<PathBuf>, out: PathBuf) -> Self {
        ScanOptions {
            roots,
            files_from: None,
            out,
            jobs: std::thread::available_parallelism().map_or(1, usize::from),
            follow_symlinks: false,
            resume: false,
            overwrite: false,
            vics: false,
            thumbnails: false,
            command_line: Vec::new(),
        }
    }
}

/// Progress, reported after each file written.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Progress {
    /// Files written in this run.
    pub done: usize,
    /// Files to analyse in this run.
    pub total: usize,
    /// Of the written ones, with errors.
    pub with_errors: usize,
}

/// The outcome of a scan.
#[derive(Debug)]
#[non_exhaustive]
pub struct ScanSummary {
    /// Totals over the whole journal (the footer written).
    pub footer: Footer,
    /// Files analysed in this run.
    pub analysed: usize,
    /// Wall time of this run.
    pub elapsed: Duration,
    /// The report files written.
    pub written: Vec<PathBuf>,
}

/// The identity of a file for `--resume`: its path, size and modification
/// time, as its record would have them.
fn key_of(path: &Path) -> FileKey {
    let meta = std::fs::metadata(path).ok();
    file_key(
        &path.display().to_string(),
        meta.as_ref().map(std::fs::Metadata::len),
        meta.as_ref().and_then(crate::input::modified_ns),
    )
}

/// Runs a scan; `progress` is called after each file is written.
pub fn run(
    analyzer: &Analyzer,
    opts: &ScanOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ScanSummary> {
    let started = Instant::now();
    let journal_path = opts.out.join(JOURNAL);
    walk::check_roots(&opts.roots)?;
    check_output(&opts.out)?;

    // What an earlier, interrupted part already recorded (16 bytes a file).
    let mut done: HashSet<FileKey> = HashSet::new();
    let store_path = opts.out.join(thumbnails::STORE);
    if opts.overwrite && !opts.resume {
        for path in [&journal_path, &store_path] {
            if path.exists() {
                std::fs::remove_file(path).map_err(Error::io(path))?;
            }
        }
    }
    if journal_path.exists() {
        if !opts.resume {
            return Err(Error::OutputExists { path: journal_path });
        }
        let (earlier, tail) = journal::seen(&journal_path)?;
        // Drop a half-written last line before appending.
        OpenOptions::new()
            .write(true)
            .open(&journal_path)
            .and_then(|f| f.set_len(tail.complete_len))
            .map_err(Error::io(&journal_path))?;
        done = earlier;
    }

    let mut walked = walk::walk(&opts.roots, opts.follow_symlinks);
    if let Some((_, list)) = &opts.files_from {
        walked.files.extend(list.iter().cloned());
    }
    let found = walked.files.len();
    let todo: Vec<PathBuf> = std::mem::take(&mut walked.files)
        .into_iter()
        .filter(|p| done.is_empty() || !done.contains(&key_of(p)))
        .collect();

    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&journal_path)
        .map_err(Error::io(&journal_path))?;
    let mut out = BufWriter::new(file);
    let header = header(analyzer, opts, !done.is_empty());
    jsonl::write_record(&mut out, "header", &header).map_err(Error::io(&journal_path))?;
    out.flush().map_err(Error::io(&journal_path))?;

    let mut store = if opts.thumbnails {
        Some(thumbnails::Store::append(&store_path)?)
    } else {
        None
    };
    analyse_in_order(
        analyzer,
        &todo,
        opts.jobs,
        Writers {
            journal: &mut out,
            journal_path: &journal_path,
            thumbnails: store.as_mut(),
        },
        progress,
    )?;

    let index = Index::build(std::slice::from_ref(&journal_path), &opts.out)?;
    let footer = Footer {
        resumed_skipped: found - todo.len(),
        not_images: walked.count(walk::Skip::NotAnImage),
        empty: walked.count(walk::Skip::Empty),
        special_files: walked.count(walk::Skip::SpecialFile),
        symlinks_skipped: walked.count(walk::Skip::Link),
        ..index.footer()
    };
    jsonl::write_record(&mut out, "footer", &footer).map_err(Error::io(&journal_path))?;
    out.flush().map_err(Error::io(&journal_path))?;

    let sink = |name: &str| Some(render::Sink::File(opts.out.join(name)));
    let outputs = render::Outputs {
        csv: sink("summary.csv"),
        html: sink("report.html"),
        vics: if opts.vics { sink("vics.json") } else { None },
        thumbnails: if opts.thumbnails {
            Some(Thumbnails::open(
                &store_path,
                analyzer.config().limits.clone(),
            )?)
        } else {
            None
        },
        page_rows: 0,
    };
    let mut written = vec![journal_path.clone()];
    written.extend(render::render(index, outputs)?);
    written.push(write_skipped(&opts.out, &walked.skipped)?);
    Ok(ScanSummary {
        footer,
        analysed: todo.len(),
        elapsed: started.elapsed(),
        written,
    })
}

/// Creates the output folder and checks that it is writable, so that a bad
/// output path fails before any work.
fn check_output(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Config(format!(
            "the output folder {} is a file, not a folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
    let probe = dir.join(".provenant-write-test");
    File::create(&probe)
        .and_then(|mut f| f.write_all(b"ok"))
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(Error::io(dir))
}

fn header(analyzer: &Analyzer, opts: &ScanOptions, resumed: bool) -> Header {
    let config = analyzer.config();
    Header {
        tool: format!("provenant {}", env!("CARGO_PKG_VERSION")),
        schema_version: report::SCHEMA_VERSION,
        model: config.model.as_ref().map(crate::model::Model::id),
        command_line: opts.command_line.clone(),
        started: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        resumed,
        settings: Settings {
            roots: opts.roots.iter().map(|p| p.display().to_string()).collect(),
            files_from: opts.files_from.as_ref().map(|(from, _)| from.clone()),
            jobs: opts.jobs,
            follow_symlinks: opts.follow_symlinks,
            no_pixels: config.no_pixels,
            max_file_size: config.limits.max_file_bytes,
            file_timeout_s: config.limits.max_seconds,
            trust_anchors: config
                .trust_anchors_path
                .as_ref()
                .map(|p| p.display().to_string()),
        },
    }
}

/// Where the scan's writer puts what the workers made.
struct Writers<'a> {
    journal: &'a mut BufWriter<File>,
    journal_path: &'a Path,
    /// With `--thumbnails`: the thumbnails made from the decoded images.
    thumbnails: Option<&'a mut thumbnails::Store>,
}

/// Analyses `todo` with `jobs` workers and writes the reports in order
/// (and, if asked, the thumbnails of the images they decoded).
fn analyse_in_order(
    analyzer: &Analyzer,
    todo: &[PathBuf],
    jobs: usize,
    mut to: Writers<'_>,
    progress: &mut dyn FnMut(Progress),
) -> Result<()> {
    let thumbnails = to.thumbnails.is_some();
    let jobs = jobs.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| Error::Config(format!("starting {jobs} workers: {e}")))?;
    let next = AtomicUsize::new(0);
    let written = AtomicUsize::new(0);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, FileReport, Option<String>)>();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            pool.scope(|s| {
                for _ in 0..jobs {
                    let tx = tx.clone();
                    let (next, written, stop) = (&next, &written, &stop);
                    s.spawn(move |_| loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= todo.len() || stop.load(Ordering::Relaxed) {
                            break;
                        }
                        while i >= written.load(Ordering::Acquire) + WINDOW * jobs
                            && !stop.load(Ordering::Relaxed)
                        {
                            std::thread::sleep(Duration::from_millis(2));
                        }
                        let analysis = analyzer.run_path(&todo[i]);
                        let thumbnail = analysis
                            .image
                            .as_ref()
                            .filter(|_| thumbnails)
                            .and_then(thumbnails::of_image);
                        if tx.send((i, analysis.report, thumbnail)).is_err() {
                            break;
                        }
                    });
                }
            });
            drop(tx);
        });

        let mut pending: BTreeMap<usize, (FileReport, Option<String>)> = BTreeMap::new();
        let mut state = Progress {
            done: 0,
            total: todo.len(),
            with_errors: 0,
        };
        for (i, report, thumbnail) in rx {
            pending.insert(i, (report, thumbnail));
            while let Some((r, thumbnail)) = pending.remove(&state.done) {
                let write = write_one(&mut to, &r, thumbnail.as_deref());
                if write.is_err() {
                    stop.store(true, Ordering::Relaxed);
                    return write;
                }
                state.done += 1;
                state.with_errors += usize::from(!r.errors.is_empty());
                written.store(state.done, Ordering::Release);
                progress(state);
            }
        }
        Ok(())
    })
}

/// Writes one report to the journal (flushed: the journal is the record of
/// what was done) and its thumbnail to the store (first, so that a recorded
/// file has its thumbnail).
fn write_one(to: &mut Writers<'_>, r: &FileReport, thumbnail: Option<&str>) -> Result<()> {
    if let (Some(store), Some(uri)) = (to.thumbnails.as_deref_mut(), thumbnail) {
        store.add(&r.key(), uri)?;
        store.flush()?;
    }
    jsonl::write(to.journal, r)
        .and_then(|()| to.journal.flush())
        .map_err(Error::io(to.journal_path))
}

/// Writes `skipped.csv`: every entry the walk passed over, with why.
fn write_skipped(dir: &Path, skipped: &[(PathBuf, walk::Skip)]) -> Result<PathBuf> {
    let path = dir.join("skipped.csv");
    let csv_error = |e: csv::Error| Error::io(&path)(std::io::Error::other(e));
    render::write_to(&render::Sink::File(path.clone()), |out| {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(["path", "reason"]).map_err(csv_error)?;
        for (p, reason) in skipped {
            let shown = crate::sanitize::sanitize(&p.display().to_string());
            csv.write_record([shown.as_str(), reason.as_str()])
                .map_err(csv_error)?;
        }
        csv.flush().map_err(Error::io(&path))
    })?;
    Ok(path)
}
