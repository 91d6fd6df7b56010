//! JSON Lines: one record per line, each with a `"type"` tag (as ripgrep's
//! JSON output), so headers, files and footers can share one stream.

use serde::Serialize;
use std::io::{self, Write};

use super::FileReport;

#[derive(Serialize)]
struct Tagged<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    record: &'a T,
}

/// Writes one `{"type":"file", ...}` line.
pub fn write<W: Write + ?Sized>(w: &mut W, r: &FileReport) -> io::Result<()> {
    write_record(w, "file", r)
}

/// Writes any serializable record as one tagged line.
pub(crate) fn write_record<W: Write + ?Sized, T: Serialize>(
    w: &mut W,
    kind: &'static str,
    record: &T,
) -> io::Result<()> {
    serde_json::to_writer(&mut *w, &Tagged { kind, record })?;
    w.write_all(b"\n")
}
