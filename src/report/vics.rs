//! `vics.json`: Project VIC (VICS 2.0) Media records, for triage suites that
//! import them (Griffeye Analyze DI, XAMN, FTK, IPED, Clees4All, GLEAPP).
//! The mapping is documented in `docs/REPORTS.md`. We do not categorise
//! content, so no record has a `Category` (readers map 0 to "known", which
//! a verdict is not); our verdict travels in `Tags` (one string, as every
//! open reader expects) and `Comments`. Paths are relative to the folder
//! the `vics.json` is written in.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

use super::FileReport;
use crate::error::{Error, Result};

/// The OData context of a VICS 2.0 Media list.
pub(crate) const CONTEXT: &str =
    "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media";

/// `path` relative to the folder `base` (both made absolute against the
/// working directory, without resolving links); as recorded if that fails.
fn relative(path: &str, base: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).ok();
    absolute(Path::new(path))
        .zip(absolute(base))
        .and_then(|(p, b)| pathdiff::diff_paths(p, b))
        .map_or_else(|| path.to_string(), |p| p.display().to_string())
}

/// The file's name and its folder relative to `base`, as `MediaFiles`
/// records them.
fn name_and_folder(path: &str, base: &Path) -> (String, String) {
    let rel = PathBuf::from(relative(path, base));
    let name = rel
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned());
    let folder = rel
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    (name, folder)
}

/// The file's MD5, upper-case, as VICS writes hashes.
fn md5(r: &FileReport) -> Option<String> {
    r.hashes.as_ref().map(|h| h.md5.to_uppercase())
}

fn exifs(r: &FileReport) -> Vec<Value> {
    let Some(e) = r.metadata.evidence().and_then(|m| m.exif.as_ref()) else {
        return Vec::new();
    };
    [
        ("Make", e.make.as_deref()),
        ("Model", e.model.as_deref()),
        ("LensModel", e.lens_model.as_deref()),
        ("DateTimeOriginal", e.date_time_original.as_deref()),
        ("Software", e.software.as_deref()),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        let value = crate::sanitize::excerpt(value?, 200);
        Some(json!({"PropertyName": name, "PropertyValue": value, "MD5": md5(r)}))
    })
    .collect()
}

/// The file on the seized medium: name, folder, last write time, MD5.
fn media_file(r: &FileReport, base: &Path) -> Value {
    let (name, folder) = name_and_folder(&r.path, base);
    let written = r.modified_ns.and_then(|ns| {
        let t = std::time::UNIX_EPOCH
            .checked_add(std::time::Duration::from_nanos(u64::try_from(ns).ok()?))?;
        Some(humantime::format_rfc3339_seconds(t).to_string())
    });
    let mut file = Map::new();
    file.insert("FileName".into(), name.into());
    file.insert("FilePath".into(), folder.into());
    if let Some(w) = written {
        file.insert("Written".into(), w.into());
    }
    if let Some(m) = md5(r) {
        file.insert("MD5".into(), m.into());
    }
    Value::Object(file)
}

/// One Media record; `id` is its `MediaID`. Hashes are left out, not
/// null, when the file could not be read (readers call `trim()` on them).
fn media(r: &FileReport, id: usize, base: &Path) -> Value {
    let mut tags = vec![format!("provenant:{}", r.verdict.as_str())];
    tags.extend(
        r.flags
            .iter()
            .map(|f| format!("provenant:{}", super::kebab_name(f))),
    );
    let probability = r
        .synthetic_probability
        .map_or("n/a".to_string(), |p| format!("{p:.3}"));
    let comments = format!(
        "provenant: {} (priority {}), P(synthetic) {probability}. {}",
        r.verdict.as_str(),
        r.priority,
        r.explanations.first().map_or("", String::as_str)
    );
    let mut record = Map::new();
    record.insert("MediaID".into(), id.into());
    if let Some(h) = &r.hashes {
        record.insert("MD5".into(), h.md5.to_uppercase().into());
        record.insert("SHA1".into(), h.sha1.to_uppercase().into());
    }
    record.insert("MediaSize".into(), r.size.into());
    record.insert("RelativeFilePath".into(), relative(&r.path, base).into());
    record.insert(
        "MimeType".into(),
        r.format.map(crate::input::Format::mime).into(),
    );
    record.insert("Tags".into(), tags.join(", ").into());
    record.insert("Comments".into(), comments.into());
    record.insert("MediaFiles".into(), json!([media_file(r, base)]));
    record.insert("Exifs".into(), exifs(r).into());
    Value::Object(record)
}

/// Writes the VICS JSON a record at a time, the records given in triage
/// order; `base` is the folder the file will be written in (paths are
/// relative to it).
#[derive(Debug)]
pub(crate) struct VicsWriter<W: Write> {
    out: W,
    base: PathBuf,
    written: usize,
}

fn vics_error(e: impl std::fmt::Display) -> Error {
    Error::Config(format!("writing VICS: {e}"))
}

impl<W: Write> VicsWriter<W> {
    /// Opens the Media list.
    pub(crate) fn new(mut out: W, base: &Path) -> Result<Self> {
        let context = serde_json::to_string(CONTEXT).map_err(vics_error)?;
        write!(out, "{{\n  \"@odata.context\": {context},\n  \"value\": [").map_err(vics_error)?;
        Ok(VicsWriter {
            out,
            base: base.to_path_buf(),
            written: 0,
        })
    }

    /// Writes one file's Media record (its `MediaID` is its rank).
    pub(crate) fn record(&mut self, r: &FileReport) -> Result<()> {
        self.written += 1;
        let sep = if self.written == 1 { "\n" } else { ",\n" };
        self.out.write_all(sep.as_bytes()).map_err(vics_error)?;
        serde_json::to_writer(&mut self.out, &media(r, self.written, &self.base))
            .map_err(vics_error)
    }

    /// Closes the list and gives the output back.
    pub(crate) fn finish(mut self) -> Result<W> {
        self.out.write_all(b"\n  ]\n}\n").map_err(vics_error)?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_folder_of_the_vics_file() {
        let base = Path::new("/cases/phone-report");
        assert_eq!(
            relative("/cases/phone/DCIM/a.jpg", base),
            "../phone/DCIM/a.jpg"
        );
        assert_eq!(relative("/cases/phone-report/b.jpg", base), "b.jpg");
        assert_eq!(
            name_and_folder("/cases/phone/DCIM/a.jpg", base),
            ("a.jpg".to_string(), "../phone/DCIM".to_string())
        );
    }
}
