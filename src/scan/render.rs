//! Rendering `summary.csv`, `report.html` (and its pages) and `vics.json`
//! from indexed journals: the records come back in triage order one batch
//! at a time and go to every report at once, so memory holds a batch and a
//! page, whatever the size of the collection. Each file is written under a
//! temporary name and renamed when complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::record::FileReport;
use crate::report::html::{self, Paging};
use crate::report::summary::CsvWriter;
use crate::report::vics::VicsWriter;
use crate::report::{ScanInfo, Totals};

use super::thumbnails::Thumbnails;
use super::triage::Index;

/// Records read back and printed together (their thumbnails, if asked,
/// are made in parallel).
const BATCH: usize = 256;

/// Where a report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sink {
    /// A file, written under a temporary name and renamed when complete.
    File(PathBuf),
    /// Standard output.
    Stdout,
}

/// Which reports to render, and how.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Outputs {
    /// `summary.csv`.
    pub csv: Option<Sink>,
    /// `report.html`; its further pages go in a folder beside it.
    pub html: Option<Sink>,
    /// `vics.json`; paths in it are relative to its folder (standard
    /// output: the working directory).
    pub vics: Option<Sink>,
    /// Embed these blurred thumbnails in the HTML.
    pub thumbnails: Option<Thumbnails>,
    /// Rows per HTML page (0: [`html::PAGE_ROWS`]).
    pub page_rows: usize,
}

/// A report being written: to a temporary file, or to standard output.
struct Staged {
    out: Box<dyn Write>,
    /// The temporary name and the final one.
    rename: Option<(PathBuf, PathBuf)>,
}

impl Staged {
    fn open(sink: &Sink) -> Result<Self> {
        Ok(match sink {
            Sink::Stdout => Staged {
                out: Box::new(BufWriter::new(std::io::stdout().lock())),
                rename: None,
            },
            Sink::File(path) => {
                let tmp = temporary(path);
                let file = File::create(&tmp).map_err(Error::io(&tmp))?;
                Staged {
                    out: Box::new(BufWriter::new(file)),
                    rename: Some((tmp, path.clone())),
                }
            }
        })
    }

    /// Flushes `out` (the writer given back by a printer) and renames the
    /// file into place; the path written, if a file.
    fn commit(
        rename: Option<(PathBuf, PathBuf)>,
        mut out: Box<dyn Write>,
    ) -> Result<Option<PathBuf>> {
        let name = rename
            .as_ref()
            .map_or(Path::new("standard output"), |(tmp, _)| tmp);
        out.flush().map_err(Error::io(name))?;
        drop(out);
        match rename {
            None => Ok(None),
            Some((tmp, path)) => {
                std::fs::rename(&tmp, &path).map_err(Error::io(&path))?;
                Ok(Some(path))
            }
        }
    }
}

/// Writes to `sink` with `write`: a file under a temporary name, renamed
/// when `write` succeeded; what `write` returned.
pub fn write_to<T>(sink: &Sink, write: impl FnOnce(&mut dyn Write) -> Result<T>) -> Result<T> {
    let mut staged = Staged::open(sink)?;
    let value = write(&mut staged.out)?;
    Staged::commit(staged.rename, staged.out)?;
    Ok(value)
}

/// `path` with `.tmp` appended.
fn temporary(path: &Path) -> PathBuf {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    PathBuf::from(tmp)
}

/// The folder a report's relative paths start from.
fn folder_of(sink: &Sink) -> PathBuf {
    match sink {
        Sink::File(path) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        Sink::Stdout => PathBuf::new(),
    }
}

/// The HTML pages being filled.
struct Pages {
    sink: Sink,
    paging: Paging,
    parts: Vec<ScanInfo>,
    totals: Totals,
    thumbnails: bool,
    rows: String,
    in_page: usize,
    number: usize,
    written: Vec<PathBuf>,
}

impl Pages {
    fn new(sink: &Sink, outputs: &Outputs, parts: &[ScanInfo], totals: &Totals) -> Result<Self> {
        let summary = match sink {
            Sink::File(path) => path.file_name().map_or_else(
                || "report.html".into(),
                |n| n.to_string_lossy().into_owned(),
            ),
            Sink::Stdout => "report.html".into(),
        };
        let mut paging = Paging::for_summary(&summary);
        if outputs.page_rows > 0 {
            paging.rows = outputs.page_rows;
        }
        let pages = paging.pages(totals.files);
        if *sink == Sink::Stdout && pages > 1 {
            return Err(Error::Config(format!(
                "the HTML report of {} files has {pages} pages of {}: it must be written to a file, beside which its pages go",
                totals.files, paging.rows
            )));
        }
        Ok(Pages {
            sink: sink.clone(),
            paging,
            parts: parts.to_vec(),
            totals: totals.clone(),
            thumbnails: outputs.thumbnails.is_some(),
            rows: String::new(),
            in_page: 0,
            number: 1,
            written: Vec::new(),
        })
    }

    fn row(&mut self, rank: usize, r: &FileReport, thumbnail: Option<&str>) -> Result<()> {
        self.rows
            .push_str(&html::row(rank, r, thumbnail, self.thumbnails));
        self.in_page += 1;
        if self.in_page == self.paging.rows {
            self.write_page()?;
        }
        Ok(())
    }

    fn write_page(&mut self) -> Result<()> {
        let page = html::page(
            self.number,
            &self.rows,
            &self.parts,
            &self.totals,
            &self.paging,
            self.thumbnails,
        );
        let target = match (&self.sink, self.number) {
            (Sink::File(_), n) if n > 1 => {
                let dir = folder_of(&self.sink).join(&self.paging.folder);
                if n == 2 {
                    std::fs::create_dir_all(&dir).map_err(Error::io(&dir))?;
                    self.written.push(dir.clone());
                }
                Sink::File(dir.join(Paging::file_name(n)))
            }
            (sink, _) => sink.clone(),
        };
        let mut staged = Staged::open(&target)?;
        staged
            .out
            .write_all(page.as_bytes())
            .map_err(Error::io(Path::new(&self.paging.summary)))?;
        let path = Staged::commit(staged.rename, staged.out)?;
        if self.number == 1 {
            self.written.extend(path);
        }
        self.rows.clear();
        self.in_page = 0;
        self.number += 1;
        Ok(())
    }

    /// Writes the last page (page 1 if there were no files) and removes the
    /// pages an earlier, longer report left beyond the last.
    fn finish(mut self) -> Result<Vec<PathBuf>> {
        if self.in_page > 0 || self.number == 1 {
            self.write_page()?;
        }
        let pages = self.number - 1;
        let dir = folder_of(&self.sink).join(&self.paging.folder);
        if let (Sink::File(_), Ok(entries)) = (&self.sink, std::fs::read_dir(&dir)) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let stale = name
                    .strip_prefix("page-")
                    .and_then(|n| n.strip_suffix(".html"))
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n > pages);
                if stale {
                    std::fs::remove_file(entry.path()).map_err(Error::io(&entry.path()))?;
                }
            }
            if pages == 1 {
                let _ = std::fs::remove_dir(&dir); // only if empty
            }
        }
        Ok(self.written)
    }
}

/// Renders the reports `outputs` asks for from `index`; the files written
/// (for an HTML report of more than one page, its first page and the folder
/// of the others).
pub fn render(index: Index, mut outputs: Outputs) -> Result<Vec<PathBuf>> {
    let parts = index.parts();
    let mut csv = outputs
        .csv
        .as_ref()
        .map(|sink| {
            let staged = Staged::open(sink)?;
            Ok::<_, Error>((CsvWriter::new(staged.out, &parts)?, staged.rename))
        })
        .transpose()?;
    let mut vics = outputs
        .vics
        .as_ref()
        .map(|sink| {
            let staged = Staged::open(sink)?;
            let base = folder_of(sink);
            Ok::<_, Error>((VicsWriter::new(staged.out, &base)?, staged.rename))
        })
        .transpose()?;
    let mut pages = outputs
        .html
        .as_ref()
        .map(|sink| Pages::new(sink, &outputs, &parts, &index.totals))
        .transpose()?;

    let mut records = index.records()?;
    let mut rank = 0;
    loop {
        let batch: Vec<FileReport> = records.by_ref().take(BATCH).collect::<Result<_>>()?;
        if batch.is_empty() {
            break;
        }
        let thumbs = match (&mut outputs.thumbnails, &pages) {
            (Some(thumbnails), Some(_)) => thumbnails.batch(&batch),
            _ => vec![None; batch.len()],
        };
        for (r, thumb) in batch.iter().zip(&thumbs) {
            if let Some((w, _)) = &mut csv {
                w.row(r)?;
            }
            if let Some((w, _)) = &mut vics {
                w.record(r)?;
            }
            if let Some(p) = &mut pages {
                p.row(rank, r, thumb.as_deref())?;
            }
            rank += 1;
        }
    }

    let mut written = Vec::new();
    if let Some((w, rename)) = csv {
        written.extend(Staged::commit(rename, w.finish()?)?);
    }
    if let Some(p) = pages {
        written.extend(p.finish()?);
    }
    if let Some((w, rename)) = vics {
        written.extend(Staged::commit(rename, w.finish()?)?);
    }
    Ok(written)
}
