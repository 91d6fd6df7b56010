//! Reading a file once: size limit, SHA-256/SHA-1/MD5 in the same pass, and
//! format detection by magic bytes (never by extension).

use md5::Md5;
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Image container formats recognised by their magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// JPEG / JFIF / EXIF.
    Jpeg,
    /// PNG.
    Png,
    /// WebP (RIFF).
    Webp,
    /// TIFF, little or big endian (also DNG and many raw files).
    Tiff,
    /// GIF 87a/89a.
    Gif,
    /// Windows bitmap.
    Bmp,
    /// HEIF/HEIC (ISO-BMFF `ftyp` with a HEIF brand).
    Heif,
    /// AVIF (ISO-BMFF `ftyp` with an AVIF brand).
    Avif,
}

impl Format {
    /// Detects the format from the first bytes of a file.
    pub fn detect(bytes: &[u8]) -> Option<Format> {
        let starts = |m: &[u8]| bytes.starts_with(m);
        if starts(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if starts(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
            Some(Format::Webp)
        } else if starts(b"II*\0") || starts(b"MM\0*") {
            Some(Format::Tiff)
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            Some(Format::Gif)
        } else if starts(b"BM") && bytes.len() > 26 {
            Some(Format::Bmp)
        } else if bytes.get(4..8) == Some(b"ftyp") {
            Self::detect_isobmff(bytes)
        } else {
            None
        }
    }

    /// Reads the major and compatible brands of an ISO-BMFF `ftyp` box.
    fn detect_isobmff(bytes: &[u8]) -> Option<Format> {
        let size = u32::from_be_bytes(bytes.get(0..4)?.try_into().ok()?) as usize;
        let end = size.clamp(16, 256).min(bytes.len());
        let brands: Vec<&[u8]> = std::iter::once(bytes.get(8..12)?)
            .chain(bytes.get(16..end)?.chunks_exact(4))
            .collect();
        if brands.iter().any(|b| matches!(*b, b"avif" | b"avis")) {
            Some(Format::Avif)
        } else if brands.iter().any(|b| {
            matches!(
                *b,
                b"heic" | b"heix" | b"heim" | b"heis" | b"mif1" | b"msf1"
            )
        }) {
            Some(Format::Heif)
        } else {
            None
        }
    }

    /// The MIME type, as used by C2PA and VICS.
    pub(crate) fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Tiff => "image/tiff",
            Format::Gif => "image/gif",
            Format::Bmp => "image/bmp",
            Format::Heif => "image/heif",
            Format::Avif => "image/avif",
        }
    }

    /// Whether this tool decodes the pixels of the format (HEIF/AVIF: no
    /// acceptable decoder, so metadata and C2PA only).
    pub(crate) fn pixels_supported(self) -> bool {
        !matches!(self, Format::Heif | Format::Avif)
    }
}

/// The three digests of a file, lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hashes {
    /// SHA-256.
    pub sha256: String,
    /// SHA-1 (for hash lists and VICS).
    pub sha1: String,
    /// MD5 (for hash lists and VICS).
    pub md5: String,
}

/// A file read into memory, with its digests.
#[derive(Debug)]
#[non_exhaustive]
pub struct Input {
    /// The whole file.
    pub bytes: Vec<u8>,
    /// Its digests, computed while reading.
    pub hashes: Hashes,
    /// Modification time, nanoseconds since the Unix epoch, if the file
    /// system gives one (used with path and size to recognise a file on resume).
    pub modified_ns: Option<i64>,
}

/// A file's modification time in nanoseconds since the Unix epoch.
pub(crate) fn modified_ns(meta: &std::fs::Metadata) -> Option<i64> {
    let t = meta.modified().ok()?;
    let ns = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).ok()?,
        Err(before) => -i64::try_from(before.duration().as_nanos()).ok()?,
    };
    Some(ns)
}

/// Refuses a path that cannot be read as a regular file (missing,
/// unreadable, a folder, a FIFO, a socket or a device), before opening
/// it: opening a FIFO blocks until a writer comes.
pub fn check_file(path: &Path) -> Result<()> {
    let kind = std::fs::metadata(path)
        .map_err(Error::io(path))?
        .file_type();
    if kind.is_file() {
        Ok(())
    } else {
        Err(Error::NotAFile {
            path: path.to_path_buf(),
            kind: kind_name(kind),
        })
    }
}

/// Reads a file once, refusing files over `max_bytes`, hashing as it reads.
/// The file is opened read-only.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<Input> {
    let io_err = Error::io(path);
    check_file(path)?;
    let file = std::fs::File::open(path).map_err(io_err)?;
    let meta = file.metadata().map_err(io_err)?;
    let size = meta.len();
    if size > max_bytes {
        return Err(Error::TooLarge {
            size,
            limit: max_bytes,
        });
    }
    // The size comes from the file system and is bounded by the limit above;
    // `take` guards against a file that grows while we read it.
    let mut reader = file.take(max_bytes + 1);
    let mut bytes = Vec::with_capacity(size as usize);
    let mut hasher = MultiHasher::default();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = reader.read(&mut chunk).map_err(io_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&chunk[..n]);
        bytes.extend_from_slice(&chunk[..n]);
    }
    if bytes.len() as u64 > max_bytes {
        return Err(Error::TooLarge {
            size: bytes.len() as u64,
            limit: max_bytes,
        });
    }
    Ok(Input {
        bytes,
        hashes: hasher.finish(),
        modified_ns: modified_ns(&meta),
    })
}

/// What a file that is not a regular file is, in words.
pub(crate) fn kind_name(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

/// Hashes bytes already in memory (for callers that have no file).
pub fn hash_bytes(bytes: &[u8]) -> Hashes {
    let mut hasher = MultiHasher::default();
    hasher.update(bytes);
    hasher.finish()
}

#[derive(Default)]
struct MultiHasher {
    sha256: Sha256,
    sha1: Sha1,
    md5: Md5,
}

impl MultiHasher {
    fn update(&mut self, data: &[u8]) {
        self.sha256.update(data);
        self.sha1.update(data);
        self.md5.update(data);
    }

    fn finish(self) -> Hashes {
        Hashes {
            sha256: hex(&self.sha256.finalize()),
            sha1: hex(&self.sha1.finalize()),
            md5: hex(&self.md5.finalize()),
        }
    }
}

/// Lowercase hex of a byte slice.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_by_magic() {
        assert_eq!(Format::detect(b"\xFF\xD8\xFF\xE0rest"), Some(Format::Jpeg));
        assert_eq!(Format::detect(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
        assert_eq!(Format::detect(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(Format::detect(b"II*\0\x08\0\0\0"), Some(Format::Tiff));
        assert_eq!(
            Format::detect(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1"),
            Some(Format::Avif)
        );
        assert_eq!(
            Format::detect(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"),
            Some(Format::Heif)
        );
        assert_eq!(Format::detect(b"\0\0\0\x18ftypisom\0\0\0\0isom"), None);
        assert_eq!(Format::detect(b"hello"), None);
        assert_eq!(Format::detect(b""), None);
    }

    #[test]
    fn hashes_match_known_vectors() {
        let h = hash_bytes(b"abc");
        assert_eq!(
            h.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(h.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(h.md5, "900150983cd24fb0d6963f7d28e17f72");
    }
}
