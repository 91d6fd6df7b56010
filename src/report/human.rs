//! Human-readable report: the verdict, then the few lines of evidence that
//! decided it. Every untrusted string is sanitized.

use std::io::{self, Write};

use super::{kebab_name, FileReport};
use crate::sanitize::sanitize;

/// Writes one report for a terminal.
pub fn write<W: Write>(w: &mut W, r: &FileReport) -> io::Result<()> {
    writeln!(w, "{}", sanitize(&r.path))?;
    let probability = r
        .synthetic_probability
        .map_or_else(|| "n/a".to_string(), |p| format!("{p:.2}"));
    writeln!(
        w,
        "  verdict: {}   priority: {}   P(synthetic): {}",
        r.verdict.as_str(),
        r.priority,
        probability
    )?;
    let format = r.format.map_or_else(
        || "unknown".to_string(),
        |f| format!("{f:?}").to_lowercase(),
    );
    let dims = match (r.width, r.height) {
        (Some(w), Some(h)) => format!(" {w}x{h}"),
        _ => String::new(),
    };
    let sha = r.hashes.as_ref().map_or("", |h| h.sha256.as_str());
    writeln!(
        w,
        "  file: {format}{dims}, {} bytes, sha256 {sha}",
        r.size.unwrap_or(0)
    )?;
    for line in &r.explanations {
        writeln!(w, "  - {}", sanitize(line))?;
    }
    if !r.flags.is_empty() {
        let flags: Vec<String> = r.flags.iter().map(kebab_name).collect();
        writeln!(w, "  flags: {}", flags.join(", "))?;
    }
    for e in &r.errors {
        writeln!(w, "  error ({}): {}", e.stage, sanitize(&e.message))?;
    }
    Ok(())
}
