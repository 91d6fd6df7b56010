//! Known-file hash lists (`--hashlist FILE`): MD5, SHA-1, SHA-256 and PDQ
//! entries, e.g. a known synthetic series or a known victim series. Files
//! whose digest equals an entry, or whose PDQ hash is within the distance
//! threshold of one, are tagged in their report.
//!
//! Format, one entry per line, `#` starts a comment:
//! `HASH[,LABEL]` with a bare MD5 (32 hex), SHA-1 (40) or SHA-256 (64), or
//! `KIND:HASH[,LABEL]` with KIND one of `md5`, `sha1`, `sha256`, `pdq`
//! (PDQ hashes are 64 hex digits too, so they must say `pdq:`).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::input::Hashes;
use crate::pdq;

/// Default largest PDQ distance counted as a match (Meta's suggested 31).
pub const DEFAULT_PDQ_DISTANCE: u32 = 31;

/// Which digest matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Kind {
    /// MD5.
    Md5,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
    /// PDQ, within the distance threshold.
    Pdq,
}

/// One match of a file against a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HashMatch {
    /// The list's file name.
    pub list: String,
    /// The entry's label (empty if none).
    pub label: String,
    /// Which digest matched.
    pub kind: Kind,
    /// PDQ Hamming distance (0 for exact digests).
    pub distance: u32,
}

/// Loaded hash lists; empty by default, with the PDQ distance
/// [`DEFAULT_PDQ_DISTANCE`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HashLists {
    exact: HashMap<(Kind, String), (String, String)>,
    pdq: Vec<([u8; 32], String, String)>,
    /// Largest PDQ distance counted as a match.
    pub pdq_distance: u32,
}

impl Default for HashLists {
    fn default() -> Self {
        HashLists::new(DEFAULT_PDQ_DISTANCE)
    }
}

impl HashLists {
    /// An empty set with the given PDQ threshold.
    pub fn new(pdq_distance: u32) -> Self {
        HashLists {
            exact: HashMap::new(),
            pdq: Vec::new(),
            pdq_distance,
        }
    }

    /// Entries loaded.
    pub fn len(&self) -> usize {
        self.exact.len() + self.pdq.len()
    }

    /// True if no entry is loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds the entries of a list file; an error names the first bad line.
    pub fn load(&mut self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
        let list = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = || {
                Error::Config(format!(
                    "{} line {}: expected [md5:|sha1:|sha256:|pdq:]HEX[,LABEL]",
                    path.display(),
                    i + 1
                ))
            };
            let (hash, label) = line.split_once(',').unwrap_or((line, ""));
            let (kind, hex) = match hash.split_once(':') {
                Some(("md5", h)) => (Kind::Md5, h),
                Some(("sha1", h)) => (Kind::Sha1, h),
                Some(("sha256", h)) => (Kind::Sha256, h),
                Some(("pdq", h)) => (Kind::Pdq, h),
                Some(_) => return Err(bad()),
                None => match hash.len() {
                    32 => (Kind::Md5, hash),
                    40 => (Kind::Sha1, hash),
                    64 => (Kind::Sha256, hash),
                    _ => return Err(bad()),
                },
            };
            let hex = hex.trim().to_ascii_lowercase();
            let want = match kind {
                Kind::Md5 => 32,
                Kind::Sha1 => 40,
                Kind::Sha256 | Kind::Pdq => 64,
            };
            if hex.len() != want || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad());
            }
            let entry = (list.clone(), label.trim().to_string());
            if kind == Kind::Pdq {
                let bits = pdq::parse(&hex).ok_or_else(bad)?;
                self.pdq.push((bits, entry.0, entry.1));
            } else {
                self.exact.insert((kind, hex), entry);
            }
        }
        Ok(())
    }

    /// The entries a file matches.
    pub fn matches(&self, hashes: Option<&Hashes>, pdq_hash: Option<&str>) -> Vec<HashMatch> {
        let mut out = Vec::new();
        if let Some(h) = hashes {
            for (kind, value) in [
                (Kind::Md5, &h.md5),
                (Kind::Sha1, &h.sha1),
                (Kind::Sha256, &h.sha256),
            ] {
                if let Some((list, label)) = self.exact.get(&(kind, value.clone())) {
                    out.push(HashMatch {
                        list: list.clone(),
                        label: label.clone(),
                        kind,
                        distance: 0,
                    });
                }
            }
        }
        if let Some(bits) = pdq_hash.and_then(pdq::parse) {
            for (entry, list, label) in &self.pdq {
                let distance = pdq::distance(&bits, entry);
                if distance <= self.pdq_distance {
                    out.push(HashMatch {
                        list: list.clone(),
                        label: label.clone(),
                        kind: Kind::Pdq,
                        distance,
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_match_exactly_or_within_the_pdq_distance() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("known.txt");
        let pdq_a = "f".repeat(64);
        let pdq_near = format!("{}{}", "0".repeat(2), "f".repeat(62)); // 8 bits off
        std::fs::write(
            &path,
            format!(
                "# a list\n900150983cd24fb0d6963f7d28e17f72,series A\nPDQ:{pdq_a}\npdq:{pdq_a},series B # note\n"
            ),
        )
        .unwrap();
        let mut lists = HashLists::new(DEFAULT_PDQ_DISTANCE);
        let err = lists.load(&path).unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
        std::fs::write(
            &path,
            format!("# a list\n900150983cd24fb0d6963f7d28e17f72,series A\npdq:{pdq_a},series B # note\n"),
        )
        .unwrap();
        lists.load(&path).unwrap();
        assert_eq!(lists.len(), 2);
        let hashes = crate::input::hash_bytes(b"abc");
        let m = lists.matches(Some(&hashes), Some(&pdq_near));
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].kind, m[0].label.as_str()), (Kind::Md5, "series A"));
        assert_eq!((m[1].kind, m[1].distance), (Kind::Pdq, 8));
        assert_eq!(m[1].list, "known.txt");
        let far = "0".repeat(64);
        assert!(lists.matches(None, Some(&far)).is_empty());
    }
}
