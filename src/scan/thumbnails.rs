//! Small, strongly blurred thumbnails for `--thumbnails`: enough to tell a
//! landscape from a portrait, not to see a person. Only made when asked.
//!
//! They are made by the scan's workers from the image the pipeline already
//! decoded, and kept in a [`Store`] in the output folder until the HTML
//! report is rendered, so that no file is read or decoded twice. A file the
//! store lacks (recorded by an earlier part of a resumed scan that made no
//! thumbnails) is read and decoded again, under the same limits.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Cursor, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use image::codecs::jpeg::JpegEncoder;
use image::DynamicImage;
use rayon::prelude::*;

use crate::decode;
use crate::error::{Error, Result};
use crate::input;
use crate::limits::Limits;
use crate::record::{FileKey, FileReport};

/// Longest side of a thumbnail, in pixels.
pub const SIDE: u32 = 64;
/// Gaussian blur radius (σ) applied to it.
pub(crate) const BLUR: f32 = 3.0;
/// Name of the thumbnail store in the output folder.
pub(crate) const STORE: &str = ".provenant-thumbnails";

/// The thumbnail of a decoded image, as a `data:` URI.
pub(crate) fn of_image(img: &DynamicImage) -> Option<String> {
    let small = img.thumbnail(SIDE, SIDE).blur(BLUR).to_rgb8();
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 70)
        .encode_image(&small)
        .ok()?;
    Some(format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    ))
}

/// The thumbnail of a file read and decoded again, for a file the store
/// lacks.
fn of_file(path: &Path, limits: &Limits) -> Option<String> {
    let inp = input::read_file(path, limits.max_file_bytes).ok()?;
    of_image(&decode::detect_and_decode(&inp.bytes, limits).ok()?.0)
}

/// Thumbnails appended as the scan writes its journal: one line per file,
/// its key in hex, a tab, the `data:` URI.
#[derive(Debug)]
#[non_exhaustive]
pub struct Store {
    out: BufWriter<File>,
    path: PathBuf,
}

impl Store {
    /// Opens the store at `path` for appending (a resumed scan keeps the
    /// thumbnails of its earlier parts).
    pub(crate) fn append(path: &Path) -> Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(Error::io(path))?;
        Ok(Store {
            out: BufWriter::new(file),
            path: path.to_path_buf(),
        })
    }

    /// Adds the thumbnail of the file whose key is `key`.
    pub(crate) fn add(&mut self, key: &FileKey, uri: &str) -> Result<()> {
        writeln!(self.out, "{}\t{uri}", input::hex(key)).map_err(Error::io(&self.path))
    }

    /// Writes what is buffered.
    pub(crate) fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(Error::io(&self.path))
    }
}

/// The thumbnails of a store, found by key: the store's offsets are held
/// (24 bytes a file), the thumbnails are read when asked for.
#[derive(Debug)]
#[non_exhaustive]
pub struct Thumbnails {
    limits: Limits,
    store: Option<(BufReader<File>, HashMap<FileKey, u64>)>,
}

impl Thumbnails {
    /// The thumbnails of the store at `path` (none if it does not exist);
    /// files it lacks are decoded under `limits`.
    pub fn open(path: &Path, limits: Limits) -> Result<Self> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Thumbnails {
                    limits,
                    store: None,
                })
            }
            Err(e) => return Err(Error::io(path)(e)),
        };
        let mut reader = BufReader::new(file);
        let mut offsets = HashMap::new();
        let (mut offset, mut line) = (0u64, Vec::new());
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(Error::io(path))?;
            if n == 0 {
                break;
            }
            if let Some(key) = line.get(..32).and_then(parse_key) {
                offsets.insert(key, offset);
            }
            offset += n as u64;
        }
        Ok(Thumbnails {
            limits,
            store: Some((reader, offsets)),
        })
    }

    /// The thumbnails of a batch of reports' files, in order: from the
    /// store, else made again in parallel.
    pub(crate) fn batch(&mut self, files: &[FileReport]) -> Vec<Option<String>> {
        let stored: Vec<Option<String>> = files.iter().map(|f| self.stored(&f.key())).collect();
        files
            .par_iter()
            .zip(stored)
            .map(|(f, s)| s.or_else(|| of_file(Path::new(&f.path), &self.limits)))
            .collect()
    }

    fn stored(&mut self, key: &FileKey) -> Option<String> {
        let (reader, offsets) = self.store.as_mut()?;
        reader.seek(SeekFrom::Start(*offsets.get(key)?)).ok()?;
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let uri = line.trim_end().split_once('\t')?.1;
        uri.starts_with("data:image/jpeg;base64,")
            .then(|| uri.to_string())
    }
}

/// A key from its 32 hex digits.
fn parse_key(hex: &[u8]) -> Option<FileKey> {
    let mut key = [0u8; 16];
    for (k, pair) in key.iter_mut().zip(hex.chunks(2)) {
        *k = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_gives_back_what_was_added_and_decodes_what_it_lacks() {
        let dir = tempfile::tempdir().unwrap();
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(200, 100, |x, y| {
            image::Rgb([x as u8, y as u8, 90])
        }));
        let uri = of_image(&img).unwrap();
        let png = dir.path().join("a.png");
        img.save(&png).unwrap();

        let mut stored = FileReport::empty("stored.png".into());
        stored.size = Some(7);
        let mut lacking = FileReport::empty(png.display().to_string());
        lacking.size = Some(1);
        let path = dir.path().join(STORE);
        let mut store = Store::append(&path).unwrap();
        store.add(&stored.key(), &uri).unwrap();
        store.flush().unwrap();
        drop(store);

        let mut thumbs = Thumbnails::open(&path, Limits::default()).unwrap();
        let got = thumbs.batch(&[lacking.clone(), stored.clone()]);
        assert_eq!(got[1].as_deref(), Some(uri.as_str()));
        assert_eq!(got[0].as_deref(), Some(uri.as_str()), "decoded again");
        let mut none = Thumbnails::open(&dir.path().join("none"), Limits::default()).unwrap();
        assert_eq!(none.batch(&[stored]), vec![None]);
    }
}
