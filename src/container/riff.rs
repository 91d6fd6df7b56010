//! RIFF chunks of a WebP file (Google's WebP container specification).

use super::{le32, Walk};

/// One top-level chunk of a WebP file.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Chunk<'a> {
    /// FourCC, e.g. `b"EXIF"`, `b"XMP "`, `b"VP8L"`.
    pub kind: [u8; 4],
    /// Offset of the payload in the file.
    pub offset: usize,
    /// Chunk payload.
    pub data: &'a [u8],
}

/// Walks the chunks after the 12-byte `RIFF....WEBP` header. Stops quietly at
/// the end of the data; records the problem if a chunk is truncated.
pub fn chunks(bytes: &[u8]) -> Walk<Chunk<'_>> {
    let mut out = Walk::default();
    let mut pos = 12;
    while pos + 8 <= bytes.len() {
        let (Some(kind), Some(len)) = (bytes.get(pos..pos + 4), le32(bytes, pos + 4)) else {
            break;
        };
        let start = pos + 8;
        let Some((end, data)) = start
            .checked_add(len as usize)
            .and_then(|e| Some((e, bytes.get(start..e)?)))
        else {
            out.problem = Some(format!(
                "WebP chunk at byte {pos} runs past the end of the file"
            ));
            return out;
        };
        let k: [u8; 4] = kind.try_into().unwrap_or_default();
        out.items.push(Chunk {
            kind: k,
            offset: start,
            data,
        });
        pos = end + (len as usize & 1); // chunks are padded to even sizes
    }
    out
}
