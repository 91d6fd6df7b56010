//! Finding the files of a scan: folders walked recursively in file-name
//! order, images recognised by their first bytes (never by extension),
//! symbolic links skipped unless asked for. Files named explicitly are
//! always analysed.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::Format;

/// Bytes read to recognise a format.
const SNIFF: usize = 64;

/// Why the walk passed over an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Skip {
    /// Its first bytes are not a known image format.
    NotAnImage,
    /// It is empty.
    Empty,
    /// A FIFO, socket or device: reading it could block or never end.
    SpecialFile,
    /// A symbolic link, not followed.
    Link,
}

impl Skip {
    /// The kebab-case name used in `skipped.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::NotAnImage => "not-an-image",
            Skip::Empty => "empty",
            Skip::SpecialFile => "special-file",
            Skip::Link => "link-not-followed",
        }
    }
}

/// The files to analyse, in walk order, and what was passed over.
#[derive(Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Walked {
    /// Files to analyse (unreadable ones included: their report says why).
    pub files: Vec<PathBuf>,
    /// Entries passed over, in walk order, with the reason.
    pub skipped: Vec<(PathBuf, Skip)>,
}

impl Walked {
    /// How many entries were passed over for `reason`.
    pub fn count(&self, reason: Skip) -> usize {
        self.skipped.iter().filter(|(_, r)| *r == reason).count()
    }
}

/// A root that is neither a folder nor something to read: missing or
/// unreadable. A scan refuses to start on one (a usage error).
pub(crate) fn check_roots(roots: &[PathBuf]) -> Result<()> {
    for root in roots {
        std::fs::metadata(root).map_err(Error::io(root))?;
    }
    Ok(())
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
            let skip = if kind.is_symlink() {
                Some(Skip::Link)
            } else if kind.is_dir() {
                continue;
            } else if !kind.is_file() {
                Some(Skip::SpecialFile)
            } else {
                match sniff(entry.path()) {
                    Some(Sniffed::Image) | None => None,
                    Some(Sniffed::Empty) => Some(Skip::Empty),
                    Some(Sniffed::Other) => Some(Skip::NotAnImage),
                }
            };
            match skip {
                Some(reason) => out.skipped.push((entry.into_path(), reason)),
                None => out.files.push(entry.into_path()),
            }
        }
    }
    out
}

/// What a file's first bytes say.
enum Sniffed {
    Image,
    Empty,
    Other,
}

/// Reads a file's first bytes; `None` if it cannot be read (its report
/// will say why).
fn sniff(path: &Path) -> Option<Sniffed> {
    let mut head = Vec::with_capacity(SNIFF);
    File::open(path)
        .ok()?
        .take(SNIFF as u64)
        .read_to_end(&mut head)
        .ok()?;
    Some(if head.is_empty() {
        Sniffed::Empty
    } else if Format::detect(&head).is_some() {
        Sniffed::Image
    } else {
        Sniffed::Other
    })
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
        std::fs::write(d.join("empty.png"), b"").unwrap();
        let w = walk(&[d.to_path_buf()], false);
        assert_eq!(w.files, vec![d.join("b.txt"), d.join("sub/c")]);
        assert_eq!(w.count(Skip::NotAnImage), 1);
        assert_eq!(w.count(Skip::Empty), 1);
        #[cfg(unix)]
        {
            assert_eq!(w.count(Skip::Link), 1);
            assert_eq!(walk(&[d.to_path_buf()], true).files.len(), 3);
            let fifo = d.join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                let w = walk(&[d.to_path_buf()], false);
                assert!(w.skipped.contains(&(fifo, Skip::SpecialFile)));
            }
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
