//! Human-readable report: the verdict and the sentence that decided it,
//! then (with `verbose`) every other line of evidence. Every untrusted
//! string is sanitized.

use std::io::{self, Write};

use super::{kebab_name, FileReport};
use crate::sanitize::sanitize;

/// What a terminal report shows.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Options {
    /// Every line of evidence, not only the deciding one.
    pub verbose: bool,
    /// The words of a generator prompt (by default: that there is one, and
    /// its length).
    pub show_prompts: bool,
}

/// Writes one report for a terminal.
pub fn write<W: Write>(w: &mut W, r: &FileReport, options: Options) -> io::Result<()> {
    writeln!(w, "{}", sanitize(&r.path))?;
    let probability = r
        .synthetic_probability
        .map_or_else(|| "n/a".to_string(), |p| format!("{p:.4}"));
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
    let shown = if options.verbose {
        r.explanations.len()
    } else {
        1
    };
    for line in r.explanations.iter().take(shown) {
        writeln!(w, "  - {}", sanitize(line))?;
    }
    let hidden = r.explanations.len().saturating_sub(shown);
    if hidden > 0 {
        writeln!(w, "  ({hidden} more lines of evidence: --verbose)")?;
    }
    let prompt = r
        .metadata
        .evidence()
        .and_then(|m| m.generator.as_ref())
        .and_then(|g| g.prompt.as_deref());
    if let (true, Some(p)) = (options.show_prompts, prompt) {
        writeln!(w, "  prompt: \"{}\"", sanitize(p))?;
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
