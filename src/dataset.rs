//! Labelled image sets: a CSV manifest with at least the columns `file` and
//! `label` (`real` or `synthetic`), optionally `generator_or_camera` and
//! `sha256` — the format of `../shared/eval/dev/manifest.csv`. Paths are
//! relative to a root (by default the manifest's folder).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One labelled image.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Path relative to the root, as written in the manifest.
    pub file: String,
    /// True for `synthetic`, false for `real`.
    pub synthetic: bool,
    /// The generator or camera, if the manifest says (for per-source rows).
    pub source: Option<String>,
    /// Expected SHA-256 of the file, if the manifest gives it.
    pub sha256: Option<String>,
}

#[derive(serde::Deserialize)]
struct Row {
    file: String,
    label: String,
    generator_or_camera: Option<String>,
    sha256: Option<String>,
}

/// Reads a manifest; an error names the first bad row.
pub fn read_manifest(path: &Path) -> Result<Vec<Entry>> {
    let bad = |msg: String| Error::Config(format!("{}: {msg}", path.display()));
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let mut out = Vec::new();
    for (i, row) in reader.deserialize::<Row>().enumerate() {
        let row = row.map_err(|e| bad(format!("row {}: {e}", i + 2)))?;
        let synthetic = match row.label.trim() {
            "synthetic" => true,
            "real" => false,
            other => {
                return Err(bad(format!(
                    "row {}: label `{other}` is not real or synthetic",
                    i + 2
                )))
            }
        };
        out.push(Entry {
            file: row.file,
            synthetic,
            source: row.generator_or_camera.filter(|s| !s.is_empty()),
            sha256: row.sha256.filter(|s| !s.is_empty()),
        });
    }
    Ok(out)
}

/// Every file under a folder of real and a folder of synthetic images
/// (recursively, symbolic links not followed, sorted by path), as entries
/// whose source is the subfolder they sit in (or `unknown`).
pub fn from_folders(real: &Path, synthetic: &Path) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    for (dir, is_synthetic) in [(real, false), (synthetic, true)] {
        for item in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let item = item.map_err(|e| Error::Config(format!("{}: {e}", dir.display())))?;
            if !item.file_type().is_file() {
                continue;
            }
            let source = item
                .path()
                .parent()
                .filter(|p| *p != dir)
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned());
            out.push(Entry {
                file: item.path().to_string_lossy().into_owned(),
                synthetic: is_synthetic,
                source,
                sha256: None,
            });
        }
    }
    Ok(out)
}

/// The root for a manifest's relative paths: `root` if given, else the
/// manifest's folder.
pub fn root_for(manifest: &Path, root: Option<&Path>) -> PathBuf {
    root.map(Path::to_path_buf).unwrap_or_else(|| {
        manifest
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_labels_and_names_a_bad_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.csv");
        std::fs::write(&path, "file,label,extra\na.png,synthetic,x\nb.jpg,real,y\n").unwrap();
        let rows = read_manifest(&path).unwrap();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].synthetic && !rows[1].synthetic);
        assert_eq!(rows[0].source, None);
        assert_eq!(root_for(&path, None), dir.path());
        std::fs::write(&path, "file,label\na.png,fake\n").unwrap();
        let err = read_manifest(&path).unwrap_err().to_string();
        assert!(err.contains("row 2") && err.contains("fake"), "{err}");
    }

    #[test]
    fn folders_give_labelled_entries_with_their_subfolder_as_source() {
        let dir = tempfile::tempdir().unwrap();
        let (real, synth) = (dir.path().join("real"), dir.path().join("synth"));
        std::fs::create_dir_all(real.join("canon")).unwrap();
        std::fs::create_dir_all(&synth).unwrap();
        std::fs::write(real.join("canon/b.jpg"), b"x").unwrap();
        std::fs::write(real.join("a.jpg"), b"x").unwrap();
        std::fs::write(synth.join("c.png"), b"x").unwrap();
        let e = from_folders(&real, &synth).unwrap();
        let got: Vec<(bool, Option<&str>)> = e
            .iter()
            .map(|e| (e.synthetic, e.source.as_deref()))
            .collect();
        assert_eq!(got, [(false, None), (false, Some("canon")), (true, None)]);
        assert!(e[1].file.ends_with("canon/b.jpg"));
        assert!(from_folders(&dir.path().join("missing"), &synth).is_err());
    }
}
