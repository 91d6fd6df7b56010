//! Finding the files of a scan: folders walked recursively in file-name
//! order, images recognised by their first bytes (never by extension),
//! symbolic links skipped unless asked for. Files named explicitly are
//! always analysed.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::input::Format;

/// Bytes read to recognise a format.
const SNIFF: usize = 64;

/// The files to analyse, in walk order, and what was passed over.
#[derive(Debug, Default, PartialEq)]
pub struct Walked {
    /// Files to analyse (unreadable ones included: their report says why).
    pub files: Vec<PathBuf>,
    /// Files whose first bytes are not a known image format.
    pub not_images: usize,
    /// Symbolic links not followed.
    pub symlinks_skipped: usize,
}

/// Walks `roots` (files or folders).
pub fn walk(roots: &[PathBuf], follow_symlinks: bool) -> Walked {
    let mut out = Walked::default();
    for root in roots {
        if !root.is_dir() {
            out.files.push(root.clone());
            continue;
        }
        let walker = walkdir::WalkDir::new(root)
            .follow_links(follow_symlinks)
            .sort_by_file_name();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    // An unreadable folder or a link loop: recorded as a
                    // file whose report carries the error.
                    if let Some(p) = e.path() {
                        out.files.push(p.to_path_buf());
                    }
                    continue;
                }
            };
            let kind = entry.file_type();
            if kind.is_symlink() {
                out.symlinks_skipped += 1;
            } else if kind.is_file() {
                match looks_like_image(entry.path()) {
                    Some(false) => out.not_images += 1,
                    _ => out.files.push(entry.into_path()),
                }
            }
        }
    }
    out
}

/// Whether a file's first bytes are a known image format; `None` if it
/// cannot be read (its report will say why).
fn looks_like_image(path: &Path) -> Option<bool> {
    let mut head = Vec::with_capacity(SNIFF);
    File::open(path)
        .ok()?
        .take(SNIFF as u64)
        .read_to_end(&mut head)
        .ok()?;
    Some(Format::detect(&head).is_some())
}

/// Parses a `--files-from` list: NUL-separated if it contains a NUL, else
/// one path per line; empty entries ignored.
pub fn parse_list(bytes: &[u8]) -> Vec<PathBuf> {
    let sep = if bytes.contains(&0) { b'\0' } else { b'\n' };
    bytes
        .split(|&b| b == sep)
        .map(|p| p.strip_suffix(b"\r").unwrap_or(p))
        .filter(|p| !p.is_empty())
        .map(path_from_bytes)
        .collect()
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_found_by_magic_in_name_order_and_links_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("b.txt"), b"\x89PNG\r\n\x1a\n....").unwrap();
        std::fs::write(d.join("a.jpg"), b"not an image").unwrap();
        std::fs::write(d.join("sub/c"), b"\xFF\xD8\xFF\xE0....").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(d.join("b.txt"), d.join("link.png")).unwrap();
        let w = walk(&[d.to_path_buf()], false);
        assert_eq!(w.files, vec![d.join("b.txt"), d.join("sub/c")]);
        assert_eq!(w.not_images, 1);
        #[cfg(unix)]
        {
            assert_eq!(w.symlinks_skipped, 1);
            assert_eq!(walk(&[d.to_path_buf()], true).files.len(), 3);
        }
        // A file named explicitly is analysed whatever it holds.
        assert_eq!(walk(&[d.join("a.jpg")], false).files, vec![d.join("a.jpg")]);
    }

    #[test]
    fn lists_split_on_newlines_or_nuls() {
        assert_eq!(
            parse_list(b"a.jpg\r\nb c.png\n\n"),
            vec![PathBuf::from("a.jpg"), PathBuf::from("b c.png")]
        );
        assert_eq!(
            parse_list(b"x\ny\0z\0"),
            vec![PathBuf::from("x\ny"), PathBuf::from("z")]
        );
    }
}
