//! PNG text chunks: tEXt (Latin-1), zTXt and iTXt (zlib, bounded
//! decompression so that a text bomb cannot exhaust memory).

use flate2::read::ZlibDecoder;
use std::io::Read;

use crate::container::png::Chunk;

/// A key/value text entry from any container (PNG text chunk, EXIF text field).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TextEntry {
    /// Where: "PNG tEXt", "PNG iTXt", "EXIF UserComment"...
    pub source: &'static str,
    /// The keyword (PNG) or field name (EXIF).
    pub key: String,
    /// The decoded text.
    pub value: String,
}

/// Why an embedded text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The chunk or payload is cut short or badly formed.
    #[error("{0}")]
    Malformed(&'static str),
    /// The compressed text does not inflate (the decompressor's words).
    #[error("compressed text is corrupt: {0}")]
    Corrupt(String),
    /// The compressed text inflates past the limit.
    #[error("compressed text expands past the limit of {limit} bytes (possible zip bomb)")]
    Bomb {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A stealth payload declares more bytes than the limit.
    #[error("stealth payload declares {declared} bytes, over the limit of {limit}")]
    Oversized {
        /// The bytes declared.
        declared: usize,
        /// The limit, in bytes.
        limit: usize,
    },
}

/// Decodes one text chunk. Returns `Ok(None)` for chunks that are not text,
/// `Err` with a reason for malformed or oversized ones.
pub fn decode(chunk: &Chunk<'_>, max_len: usize) -> Result<Option<TextEntry>, TextError> {
    let source = match &chunk.kind {
        b"tEXt" => "PNG tEXt",
        b"zTXt" => "PNG zTXt",
        b"iTXt" => "PNG iTXt",
        _ => return Ok(None),
    };
    let (key, body) = keyword(chunk.data)?;
    let value = match &chunk.kind {
        b"tEXt" => latin1(prefix(body, max_len)),
        b"zTXt" => {
            // compression method byte (0 = zlib), then the stream
            let stream = body
                .get(1..)
                .ok_or(TextError::Malformed("zTXt without compression method"))?;
            latin1(&inflate(stream, max_len)?)
        }
        _ => {
            let (&flag, rest) = body
                .split_first()
                .ok_or(TextError::Malformed("iTXt truncated"))?;
            let rest = rest
                .get(1..)
                .ok_or(TextError::Malformed("iTXt truncated"))?; // compression method
            let rest = skip_nul_terminated(rest)?; // language tag
            let text = skip_nul_terminated(rest)?; // translated keyword
            if flag == 1 {
                String::from_utf8_lossy(&inflate(text, max_len)?).into_owned()
            } else {
                String::from_utf8_lossy(prefix(text, max_len)).into_owned()
            }
        }
    };
    Ok(Some(TextEntry {
        source,
        key: latin1(key),
        value,
    }))
}

/// The keyword (NUL-terminated, at most 79 bytes) and what follows it.
fn keyword(data: &[u8]) -> Result<(&[u8], &[u8]), TextError> {
    data.iter()
        .take(80)
        .position(|&b| b == 0)
        .and_then(|n| Some((data.get(..n)?, data.get(n + 1..)?)))
        .ok_or(TextError::Malformed(
            "text chunk keyword not terminated within 80 bytes",
        ))
}

fn skip_nul_terminated(data: &[u8]) -> Result<&[u8], TextError> {
    data.iter()
        .position(|&b| b == 0)
        .and_then(|n| data.get(n + 1..))
        .ok_or(TextError::Malformed("iTXt field not terminated"))
}

/// At most the first `n` bytes.
fn prefix(b: &[u8], n: usize) -> &[u8] {
    b.get(..n).unwrap_or(b)
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| c as char).collect()
}

/// Inflates a zlib stream, refusing output larger than `max_len`.
pub(crate) fn inflate(stream: &[u8], max_len: usize) -> Result<Vec<u8>, TextError> {
    inflate_with(ZlibDecoder::new(stream), max_len)
}

/// Reads a decompressor to the end, refusing output larger than `max_len`.
pub(crate) fn inflate_with(decoder: impl Read, max_len: usize) -> Result<Vec<u8>, TextError> {
    let mut out = Vec::new();
    let limit = u64::try_from(max_len).unwrap_or(u64::MAX).saturating_add(1);
    decoder
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| TextError::Corrupt(e.to_string()))?;
    if out.len() > max_len {
        return Err(TextError::Bomb { limit: max_len });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn decodes_the_three_text_chunks() {
        let t = decode(
            &Chunk {
                offset: 0,
                kind: *b"tEXt",
                data: b"parameters\0a cat",
            },
            100,
        )
        .unwrap();
        assert_eq!(t.unwrap().value, "a cat");
        let mut z = b"prompt\0\0".to_vec();
        z.extend(zlib(b"{\"a\":1}"));
        let t = decode(
            &Chunk {
                offset: 0,
                kind: *b"zTXt",
                data: &z,
            },
            100,
        )
        .unwrap()
        .unwrap();
        assert_eq!((t.key.as_str(), t.value.as_str()), ("prompt", "{\"a\":1}"));
        let mut i = b"XML:com.adobe.xmp\0\x01\0en\0\0".to_vec();
        i.extend(zlib("<x:xmpmeta/> é".as_bytes()));
        let t = decode(
            &Chunk {
                offset: 0,
                kind: *b"iTXt",
                data: &i,
            },
            100,
        )
        .unwrap()
        .unwrap();
        assert_eq!(t.value, "<x:xmpmeta/> é");
    }

    #[test]
    fn refuses_a_zip_bomb() {
        let bomb = zlib(&vec![b'a'; 10_000_000]);
        let mut z = b"k\0\0".to_vec();
        z.extend(bomb);
        let err = decode(
            &Chunk {
                offset: 0,
                kind: *b"zTXt",
                data: &z,
            },
            1 << 20,
        )
        .unwrap_err();
        assert!(err.to_string().contains("zip bomb"));
    }

    #[test]
    fn malformed_chunks_are_errors_not_panics() {
        assert!(decode(
            &Chunk {
                offset: 0,
                kind: *b"tEXt",
                data: b"no-nul"
            },
            10
        )
        .is_err());
        assert!(decode(
            &Chunk {
                offset: 0,
                kind: *b"iTXt",
                data: b"k\0"
            },
            10
        )
        .is_err());
        assert!(decode(
            &Chunk {
                offset: 0,
                kind: *b"zTXt",
                data: b"k\0\0garbage"
            },
            10
        )
        .is_err());
    }
}
