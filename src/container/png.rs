//! PNG chunks (PNG specification, 3rd edition, §5), read without decoding.

use super::{be32, Walk};

/// One chunk: its four-letter type and its data.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Chunk<'a> {
    /// Chunk type, e.g. `b"tEXt"`.
    pub kind: [u8; 4],
    /// Offset of the chunk (its length field) in the file.
    pub offset: usize,
    /// Chunk data (CRC not included).
    pub data: &'a [u8],
}

impl<'a> Chunk<'a> {
    /// A chunk of type `kind` at `offset` holding `data`.
    pub fn new(kind: [u8; 4], offset: usize, data: &'a [u8]) -> Self {
        Chunk { kind, offset, data }
    }
}

/// Walks the chunks of a PNG file (after the 8-byte signature).
pub fn chunks(bytes: &[u8]) -> Walk<Chunk<'_>> {
    let mut out = Walk::default();
    let mut pos = 8;
    while pos < bytes.len() {
        let (Some(len), Some(kind)) = (be32(bytes, pos), bytes.get(pos + 4..pos + 8)) else {
            out.problem = Some(format!("truncated chunk header at byte {pos}"));
            return out;
        };
        let start = pos + 8;
        let Some((end, data)) = start
            .checked_add(len as usize)
            .and_then(|e| Some((e, bytes.get(start..e)?)))
        else {
            out.problem = Some(format!(
                "chunk {} at byte {pos} declares {len} bytes past the end of the file",
                String::from_utf8_lossy(kind)
            ));
            return out;
        };
        let k: [u8; 4] = kind.try_into().unwrap_or_default();
        out.items.push(Chunk {
            kind: k,
            offset: pos,
            data,
        });
        if &k == b"IEND" {
            return out;
        }
        pos = end + 4; // skip CRC
    }
    out.problem = Some("file ends before the IEND chunk (truncated)".to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_chunks_and_detects_truncation() {
        let mut f = b"\x89PNG\r\n\x1a\n".to_vec();
        f.extend_from_slice(b"\0\0\0\x03tEXtabc\0\0\0\0");
        f.extend_from_slice(b"\0\0\0\0IEND\xAE\x42\x60\x82");
        let c = chunks(&f);
        assert_eq!(c.items.len(), 2);
        assert_eq!(&c.items[0].kind, b"tEXt");
        assert_eq!(c.items[0].data, b"abc");
        assert!(c.problem.is_none());
        let c = chunks(&f[..20]);
        assert!(c.problem.is_some());
        let mut bad = b"\x89PNG\r\n\x1a\n".to_vec();
        bad.extend_from_slice(b"\xFF\xFF\xFF\xFFtEXt");
        assert!(chunks(&bad).problem.is_some());
    }
}
