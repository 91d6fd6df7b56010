//! Resource limits: how much of a hostile file is read, decoded and parsed.

use serde::{Deserialize, Serialize};

/// Resource limits applied to every file. Hostile files must be refused
/// quickly, not allowed to allocate without bound.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[non_exhaustive]
pub struct Limits {
    /// Largest file read, in bytes. Default 512 MiB.
    pub max_file_bytes: u64,
    /// Largest width or height decoded, in pixels. Default 65 535.
    pub max_dimension: u32,
    /// Largest decoder allocation, in bytes. Default 1 GiB.
    pub max_decode_alloc: u64,
    /// Largest decompressed PNG text chunk (zTXt/iTXt), in bytes. Default 8 MiB.
    pub max_text_chunk: usize,
    /// Largest XMP packet parsed, in bytes. Default 4 MiB.
    pub max_xmp_bytes: usize,
    /// Deepest XML nesting accepted in XMP. Default 64.
    pub max_xmp_depth: usize,
    /// Most XMP packets read from one file. Default 16.
    pub max_xmp_packets: usize,
    /// Most EXIF entries summarised; a file with more has its EXIF set
    /// aside with an error (real cameras write a few hundred). Default 10 000.
    pub max_exif_entries: usize,
    /// Largest embedded C2PA manifest store handed to the validator, in
    /// bytes (real stores with thumbnails and ingredients are a few MB).
    /// Default 64 MiB.
    pub max_c2pa_bytes: usize,
    /// Per-file time limit in seconds, checked between stages (a file over
    /// it gets a `time` error and no further stages). Default: none.
    pub max_seconds: Option<f64>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 512 * 1024 * 1024,
            max_dimension: 65_535,
            max_decode_alloc: 1024 * 1024 * 1024,
            max_text_chunk: 8 * 1024 * 1024,
            max_xmp_bytes: 4 * 1024 * 1024,
            max_xmp_depth: 64,
            max_xmp_packets: 16,
            max_exif_entries: 10_000,
            max_c2pa_bytes: 64 * 1024 * 1024,
            max_seconds: None,
        }
    }
}
