//! Container parsers: split a file into its segments or chunks without
//! decoding pixels. Shared by the metadata and JPEG-structure signals.
//!
//! Every parser works on a borrowed byte slice, never allocates in proportion
//! to a length field, and stops at the first inconsistency, reporting it.

pub mod jpeg;
pub mod png;
pub mod riff;

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

/// Reads a little-endian u32 at `at`, if in bounds.
pub(crate) fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}
