//! Labelled image sets: a CSV manifest with at least the columns `file` and
//! `label` (`real` or `synthetic`), optionally `generator_or_camera` and
//! `sha256` — the format of `../shared/eval/dev/manifest.csv`. Paths are
//! relative to a root (by default the manifest's folder).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// One labelled image.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Entry {
    /// Path relative to the root, as written in the manifest.
    pub file: String,
    /// True for `synthetic`, false for `real`.
    pub synthetic: bool,
    /// The generator or camera, if the manifest says (for per-source rows).
    pub source: Option<String>,
    /// Expected SHA-256 of the file, if the manifest gives it.
    pub sha256: Option<String>,
    /// Where the file was collected from, the unit of source-held-out
    /// validation: the manifest's `group` column, else the repository or
    /// package of its `source` column (`github:owner/repo`, without the
    /// commit; `debian:NAME`, without the version), else the generator or
    /// camera, else the file's folder.
    pub group: String,
}

#[derive(serde::Deserialize)]
struct Row {
    file: String,
    label: String,
    generator_or_camera: Option<String>,
    sha256: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    group: Option<String>,
}

/// The repository or package a `source` cell names: `github:owner/repo@c`
/// → `github:owner/repo`, `debian:name=1.2` → `debian:name`.
fn origin(source: &str) -> &str {
    let end = source.find(['@', '=']).unwrap_or(source.len());
    source.get(..end).unwrap_or(source).trim()
}

/// A file's folder, the group of last resort.
fn folder_of(file: &str) -> String {
    Path::new(file)
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

/// How validation folds are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Grouping {
    /// Each image is its own group: other images of its source and
    /// generator can sit in the training folds (optimistic).
    Image,
    /// All images of a source share a fold: no source is both trained and
    /// tested on.
    #[default]
    Source,
}

/// The fold (0..`folds`) of each entry. By image: entry `i` in fold
/// `i % folds`. By source: whole groups, the largest first, each put in
/// the fold that holds the fewest images so far (ties: the lower fold), so
/// that folds are as even as whole sources allow. Deterministic.
pub fn folds(entries: &[Entry], folds: usize, grouping: Grouping) -> Vec<usize> {
    let folds = folds.max(1);
    match grouping {
        Grouping::Image => (0..entries.len()).map(|i| i % folds).collect(),
        Grouping::Source => {
            let mut sizes: std::collections::BTreeMap<&str, usize> = Default::default();
            for e in entries {
                *sizes.entry(e.group.as_str()).or_default() += 1;
            }
            let mut groups: Vec<(&str, usize)> = sizes.into_iter().collect();
            groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let mut load = vec![0usize; folds];
            let mut fold_of: std::collections::HashMap<&str, usize> = Default::default();
            for (group, size) in groups {
                let (fold, _) = load
                    .iter()
                    .enumerate()
                    .min_by_key(|&(f, &l)| (l, f))
                    .unwrap_or((0, &0));
                load[fold] += size;
                fold_of.insert(group, fold);
            }
            entries
                .iter()
                .map(|e| fold_of.get(e.group.as_str()).copied().unwrap_or(0))
                .collect()
        }
    }
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
        let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let generator = nonempty(row.generator_or_camera);
        let group = nonempty(row.group)
            .or_else(|| nonempty(row.source).map(|s| origin(&s).to_string()))
            .or_else(|| generator.clone())
            .unwrap_or_else(|| folder_of(&row.file));
        out.push(Entry {
            group,
            file: row.file,
            synthetic,
            source: generator,
            sha256: nonempty(row.sha256),
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
            let file = item.path().to_string_lossy().into_owned();
            out.push(Entry {
                group: source.clone().unwrap_or_else(|| folder_of(&file)),
                file,
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
pub(crate) fn root_for(manifest: &Path, root: Option<&Path>) -> PathBuf {
    root.map(Path::to_path_buf).unwrap_or_else(|| {
        manifest
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    })
}

/// The entries of several manifests and the folder their paths are
/// relative to. One manifest: its entries as written, relative to `root`
/// (default: its folder). Several (`root` must be `None`): each entry's
/// path joined to its own manifest's folder, relative to the working
/// directory; sources are grouped across manifests by name, so two sets
/// that share a source keep it in one fold.
pub fn read_manifests(manifests: &[PathBuf], root: Option<&Path>) -> Result<(Vec<Entry>, PathBuf)> {
    match manifests {
        [one] => Ok((read_manifest(one)?, root_for(one, root))),
        _ if root.is_some() => Err(Error::Config(
            "a root folder applies to a single manifest".into(),
        )),
        _ => {
            let mut all = Vec::new();
            for m in manifests {
                let dir = root_for(m, None);
                all.extend(read_manifest(m)?.into_iter().map(|mut e| {
                    e.file = dir.join(&e.file).display().to_string();
                    e
                }));
            }
            Ok((all, PathBuf::new()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_folds_keep_each_source_whole_and_balance_the_rest() {
        let entry = |file: &str, group: &str| Entry {
            file: file.into(),
            synthetic: false,
            source: None,
            sha256: None,
            group: group.into(),
        };
        let entries: Vec<Entry> = (0..6)
            .map(|i| entry(&format!("a{i}"), "a"))
            .chain((0..3).map(|i| entry(&format!("b{i}"), "b")))
            .chain((0..3).map(|i| entry(&format!("c{i}"), "c")))
            .collect();
        let f = folds(&entries, 2, Grouping::Source);
        assert!(f[..6].iter().all(|&x| x == f[0]), "{f:?}");
        assert!(f[6..].iter().all(|&x| x != f[0]), "{f:?}");
        assert_eq!(folds(&entries, 2, Grouping::Image)[..3], [0, 1, 0]);
        assert_eq!(origin("github:owner/repo@0123abcd"), "github:owner/repo");
        assert_eq!(
            origin("debian:mate-backgrounds=1.26.0-1"),
            "debian:mate-backgrounds"
        );
    }

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
