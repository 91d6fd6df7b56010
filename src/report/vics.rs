//! `vics.json`: Project VIC (VICS 2.0) Media records, for triage suites that
//! import them (Griffeye Analyze DI, XAMN, FTK, IPED). The mapping is
//! documented in `docs/REPORTS.md`. We do not categorise content: every
//! record has `Category` 0; our verdict travels in `Tags` and `Comments`.

use std::path::Path;

use serde_json::{json, Value};

use super::summary::triage_order;
use super::FileReport;
use crate::error::{Error, Result};

/// The OData context of a VICS 2.0 Media list.
pub const CONTEXT: &str =
    "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media";

/// The path relative to the scan root it lies under (else as recorded).
fn relative(path: &str, roots: &[String]) -> String {
    roots
        .iter()
        .find_map(|root| {
            let rel = Path::new(path).strip_prefix(root).ok()?;
            let parent = Path::new(root).file_name().map(Path::new);
            Some(match parent {
                Some(p) if !rel.as_os_str().is_empty() => p.join(rel),
                _ => rel.to_path_buf(),
            })
        })
        .map_or_else(|| path.to_string(), |p| p.display().to_string())
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
        value.map(
            |v| json!({"PropertyName": name, "PropertyValue": crate::sanitize::excerpt(v, 200)}),
        )
    })
    .collect()
}

/// One Media record; `id` is its `MediaID`.
fn media(r: &FileReport, id: usize, roots: &[String]) -> Value {
    let upper =
        |f: fn(&crate::input::Hashes) -> &String| r.hashes.as_ref().map(|h| f(h).to_uppercase());
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
    json!({
        "MediaID": id,
        "Category": 0,
        "MD5": upper(|h| &h.md5),
        "SHA1": upper(|h| &h.sha1),
        "MediaSize": r.size,
        "RelativeFilePath": relative(&r.path, roots),
        "MimeType": r.format.map(crate::input::Format::mime),
        "Tags": tags,
        "Comments": comments,
        "Exifs": exifs(r),
    })
}

/// Renders the VICS JSON, records in triage order.
pub fn render(files: &[FileReport], roots: &[String]) -> Result<Vec<u8>> {
    let value: Vec<Value> = triage_order(files)
        .into_iter()
        .enumerate()
        .map(|(i, r)| media(r, i + 1, roots))
        .collect();
    serde_json::to_vec_pretty(&json!({"@odata.context": CONTEXT, "value": value}))
        .map_err(|e| Error::Config(format!("writing VICS: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_scan_root_with_its_name() {
        let roots = vec!["/cases/phone".to_string()];
        assert_eq!(
            relative("/cases/phone/DCIM/a.jpg", &roots),
            "phone/DCIM/a.jpg"
        );
        assert_eq!(relative("/elsewhere/b.jpg", &roots), "/elsewhere/b.jpg");
    }
}
