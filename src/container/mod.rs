//! Container parsers: split a file into its segments or chunks without
//! decoding pixels. Shared by the metadata and JPEG-structure signals.
//!
//! Every parser works on a borrowed byte slice, never allocates in proportion
//! to a length field, and stops at the first inconsistency, reporting it.

// Byte parsers read untrusted input: no unchecked indexing.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub(crate) mod bmff;
pub mod jpeg;
pub mod png;
pub mod riff;

use std::ops::Range;

use crate::input::Format;

/// The items of a container walk (chunks), and why the walk stopped early
/// (truncated or corrupt file), if it did.
#[derive(Debug)]
#[non_exhaustive]
pub struct Walk<T> {
    /// Items in file order.
    pub items: Vec<T>,
    /// Why the walk stopped early, if it did.
    pub problem: Option<String>,
}

impl<T> Default for Walk<T> {
    fn default() -> Self {
        Walk {
            items: Vec::new(),
            problem: None,
        }
    }
}

/// The container structure of a file, parsed once and shared by the signals.
#[derive(Debug)]
#[non_exhaustive]
pub enum Structure<'a> {
    /// JPEG marker segments.
    Jpeg(jpeg::Segments<'a>),
    /// PNG chunks.
    Png(Walk<png::Chunk<'a>>),
    /// WebP RIFF chunks.
    Webp(Walk<riff::Chunk<'a>>),
    /// A format whose structure no signal reads directly (TIFF, HEIF, ...).
    Other,
}

impl<'a> Structure<'a> {
    /// Parses the structure of a file of the given format.
    pub fn parse(bytes: &'a [u8], format: Format) -> Self {
        match format {
            Format::Jpeg => Structure::Jpeg(jpeg::segments(bytes)),
            Format::Png => Structure::Png(png::chunks(bytes)),
            Format::Webp => Structure::Webp(riff::chunks(bytes)),
            _ => Structure::Other,
        }
    }

    /// Bytes of the embedded C2PA manifest store (JPEG APP11 JUMBF
    /// segments, the PNG `caBX` chunk, the WebP `C2PA` chunk); `None` for
    /// formats whose store this parser does not locate.
    pub(crate) fn c2pa_store_bytes(&self) -> Option<usize> {
        match self {
            Structure::Jpeg(s) => Some(
                s.segments
                    .iter()
                    .filter(|g| g.marker == 0xEB && g.data.starts_with(b"JP"))
                    .map(|g| g.data.len())
                    .sum(),
            ),
            Structure::Png(c) => Some(
                c.items
                    .iter()
                    .filter(|k| &k.kind == b"caBX")
                    .map(|k| k.data.len())
                    .sum(),
            ),
            Structure::Webp(c) => Some(
                c.items
                    .iter()
                    .filter(|k| &k.kind == b"C2PA")
                    .map(|k| k.data.len())
                    .sum(),
            ),
            Structure::Other => None,
        }
    }

    /// Where the embedded C2PA manifest store lies, as the byte range a data
    /// hash must leave out: from the first JPEG APP11 JUMBF segment's marker
    /// to the end of the run of such segments that follows it without a gap,
    /// the whole PNG `caBX` chunk (length, type, data, CRC), or the whole
    /// WebP `C2PA` chunk (header and data). `Some(None)` when the container
    /// has no store; `None` for containers this parser does not walk.
    pub fn c2pa_store_range(&self) -> Option<Option<Range<usize>>> {
        match self {
            Structure::Jpeg(s) => {
                let mut run: Option<Range<usize>> = None;
                for g in s
                    .segments
                    .iter()
                    .filter(|g| g.marker == 0xEB && g.data.starts_with(b"JP"))
                {
                    let end = g.offset + 4 + g.data.len();
                    match &mut run {
                        None => run = Some(g.offset..end),
                        Some(r) if r.end == g.offset => r.end = end,
                        Some(_) => break,
                    }
                }
                Some(run)
            }
            Structure::Png(c) => Some(
                c.items
                    .iter()
                    .find(|k| &k.kind == b"caBX")
                    .map(|k| k.offset..k.offset + 12 + k.data.len()),
            ),
            Structure::Webp(c) => Some(
                c.items
                    .iter()
                    .find(|k| &k.kind == b"C2PA")
                    .map(|k| k.offset.saturating_sub(8)..k.offset + k.data.len()),
            ),
            Structure::Other => None,
        }
    }

    /// Why the walk stopped early (truncated or corrupt container), if it did.
    pub(crate) fn problem(&self) -> Option<&str> {
        match self {
            Structure::Jpeg(s) => s.problem.as_deref(),
            Structure::Png(c) => c.problem.as_deref(),
            Structure::Webp(c) => c.problem.as_deref(),
            Structure::Other => None,
        }
    }
}

/// Reads a big-endian u16 at `at`, if in bounds.
pub(crate) fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

/// Reads a big-endian u32 at `at`, if in bounds.
pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// Reads a big-endian u64 at `at`, if in bounds.
pub(crate) fn be64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// Reads a little-endian u32 at `at`, if in bounds.
pub(crate) fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}
