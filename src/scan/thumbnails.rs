//! Small, strongly blurred thumbnails for `--thumbnails`: enough to tell a
//! landscape from a portrait, not to see a person. Only made when asked.

use std::io::Cursor;
use std::path::Path;

use base64::Engine as _;
use image::codecs::jpeg::JpegEncoder;
use rayon::prelude::*;

use crate::decode;
use crate::input::{self, Format};
use crate::limits::Limits;
use crate::report::FileReport;

/// Longest side of a thumbnail, in pixels.
pub const SIDE: u32 = 64;
/// Gaussian blur radius (σ) applied to it.
pub const BLUR: f32 = 3.0;

/// One thumbnail as a `data:` URI, if the file can be read and decoded.
pub fn thumbnail(path: &Path, limits: &Limits) -> Option<String> {
    let inp = input::read_file(path, limits.max_file_bytes).ok()?;
    let format = Format::detect(&inp.bytes)?;
    let img = decode::decode(&inp.bytes, format, limits).ok()?;
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

/// Thumbnails of a batch of reports' files, in order, made in parallel.
pub fn batch(files: &[FileReport], limits: &Limits) -> Vec<Option<String>> {
    files
        .par_iter()
        .map(|f| thumbnail(Path::new(&f.path), limits))
        .collect()
}
