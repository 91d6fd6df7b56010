//! The fuzzed entry points, shared by the cargo-fuzz targets
//! (`fuzz_targets/*.rs`) and the corpus replay in the normal test suite
//! (`tests/integration/fuzz_replay.rs`). Each takes arbitrary bytes and
//! must return without panicking, whatever they are.

// Each fuzz binary uses one target.
#![allow(dead_code)]

use std::io::Cursor;
use std::path::Path;
use std::sync::OnceLock;

use provenant::container::{jpeg, png, riff};
use provenant::provenance::jpeg_structure;
use provenant::provenance::metadata::{exif, iptc, png_text, stealth, xmp};
use provenant::{Analyzer, Config, Limits};

/// Limits small enough that one input stays fast.
fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_text_chunk = 1 << 20;
    limits.max_xmp_bytes = 1 << 20;
    limits
}

/// The whole per-file pipeline (container, metadata, C2PA, pixels,
/// model, decision) on the bytes of one file.
pub(super) fn analyze_file(data: &[u8]) {
    static ANALYZER: OnceLock<Option<Analyzer>> = OnceLock::new();
    let analyzer = ANALYZER.get_or_init(|| {
        let mut config = Config::default();
        config.limits = limits();
        Analyzer::new(config).ok()
    });
    if let Some(a) = analyzer {
        a.analyze_bytes("fuzz", data);
    }
}

/// JPEG marker segments, the JPEG structure signal (DQT, DHT, SOF) and the
/// IPTC records of APP13.
pub(super) fn jpeg_markers(data: &[u8]) {
    let segs = jpeg::segments(data);
    jpeg_structure::analyze(&segs, Some("Canon"));
    for (_, payload) in jpeg::app_payloads(&segs, 0xED, b"Photoshop 3.0\0") {
        if let Some(iim) = iptc::iim_from_photoshop(payload) {
            iptc::parse(iim);
        }
    }
    iptc::parse(data);
}

/// PNG chunks and their text (tEXt, zTXt, iTXt with decompression).
pub(super) fn png_chunks(data: &[u8]) {
    for chunk in png::chunks(data).items {
        let _ = png_text::decode(&chunk, 1 << 20);
    }
    // The bytes as a chunk body of each text kind, signature or not.
    for kind in [*b"tEXt", *b"zTXt", *b"iTXt"] {
        let _ = png_text::decode(&png::Chunk::new(kind, 0, data), 1 << 20);
    }
}

/// WebP RIFF chunks.
pub(super) fn webp_chunks(data: &[u8]) {
    riff::chunks(data);
}

/// XMP packets: found in raw bytes, then parsed.
pub(super) fn xmp_packets(data: &[u8]) {
    let l = limits();
    for (_, packet) in xmp::scan_raw(data, &[], &l) {
        xmp::parse(&packet, &l);
    }
    xmp::parse(&String::from_utf8_lossy(data), &l);
}

/// EXIF through kamadak-exif and the summary.
pub(super) fn exif_block(data: &[u8]) {
    exif::read(data, 1000);
}

/// The NovelAI stealth reader on an RGBA image made of the bytes: the
/// first byte sets the width (1-64), the rest are pixels.
pub(super) fn stealth_pixels(data: &[u8]) {
    let Some((&w, rest)) = data.split_first() else {
        return;
    };
    let width = u32::from(w % 64) + 1;
    let height = (rest.len() / 4) as u32 / width;
    if height == 0 {
        return;
    }
    let n = (width * height * 4) as usize;
    if let Some(img) = image::RgbaImage::from_raw(width, height, rest[..n].to_vec()) {
        let _ = stealth::read(&image::DynamicImage::ImageRgba8(img), 1 << 20);
    }
}

/// The scan journal reader used by `--resume` and `provenant report`.
pub(super) fn journal(data: &[u8]) {
    let _ = provenant::scan::journal::read_from(Cursor::new(data), Path::new("fuzz"));
}

/// A fuzz target.
pub(super) type Target = fn(&[u8]);

/// Every target by name.
pub(super) const ALL: &[(&str, Target)] = &[
    ("analyze_file", analyze_file),
    ("jpeg_markers", jpeg_markers),
    ("png_chunks", png_chunks),
    ("webp_chunks", webp_chunks),
    ("xmp_packets", xmp_packets),
    ("exif_block", exif_block),
    ("stealth_pixels", stealth_pixels),
    ("journal", journal),
];
