//! Printing an [`Evaluation`] as plain text for people (the ROC plot is
//! [`super::roc`]).

use std::io::{self, Write};

use crate::eval::{Evaluation, Rate};

/// A metric with three decimals, or "n/a".
pub(super) fn metric(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{v:.3}"))
}

fn rate(r: Rate) -> String {
    if r.of == 0 {
        return "n/a (none)".into();
    }
    format!("{}/{} ({:.1}%)", r.count, r.of, 100.0 * r.share())
}

/// Short column names for the verdicts, so that a row fits in 100 columns.
const VERDICT_COLUMNS: [(&str, &str); 6] = [
    ("declared-synthetic", "declared"),
    ("likely-synthetic", "likely-syn"),
    ("inconclusive", "inconcl"),
    ("likely-authentic", "likely-auth"),
    ("verified-authentic", "verified"),
    ("failed", "failed"),
];

/// Width of the name column of the verdict tables.
const NAME_WIDTH: usize = 34;

/// Writes the evaluation as text: the metrics, the verdict confusion table,
/// the per-source rows and the failures.
pub fn write_text<W: Write>(out: &mut W, e: &Evaluation) -> io::Result<()> {
    writeln!(
        out,
        "{} files under {}, {} scored; model {}",
        e.files,
        e.transform,
        e.scored,
        e.model.as_deref().unwrap_or("none")
    )?;
    writeln!(
        out,
        "AUC {}   accuracy {}   TPR at 1% FPR {}   at 5% FPR {}   ECE {}",
        metric(e.auc),
        metric(e.accuracy),
        metric(e.tpr_at_1pct_fpr),
        metric(e.tpr_at_5pct_fpr),
        metric(e.ece)
    )?;
    writeln!(
        out,
        "real called synthetic: {}   synthetic called authentic: {}",
        rate(e.real_called_synthetic),
        rate(e.synthetic_called_authentic),
    )?;
    writeln!(
        out,
        "declared verdicts correct: {}",
        rate(e.declared_correct)
    )?;
    let row = |name: &str, cells: &dyn Fn(&str) -> usize| -> String {
        let counts: String = VERDICT_COLUMNS
            .iter()
            .map(|(v, _)| format!("{:>11}", cells(v)))
            .collect();
        format!("{name:<NAME_WIDTH$}{counts}")
    };
    writeln!(
        out,
        "\n{:<NAME_WIDTH$}{}",
        "label \\ verdict",
        VERDICT_COLUMNS
            .map(|(_, short)| format!("{short:>11}"))
            .concat()
    )?;
    for (label, counts) in &e.confusion {
        writeln!(
            out,
            "{}",
            row(label, &|v| counts.get(v).copied().unwrap_or(0))
        )?;
    }
    // A source's whole name on its own line (cut names look alike), then
    // its counts.
    writeln!(
        out,
        "\nper source (label, source, mean score; then verdicts):"
    )?;
    for s in &e.sources {
        writeln!(
            out,
            "{} {} (mean score {})",
            s.label,
            crate::sanitize::sanitize(&s.source),
            metric(s.mean_score)
        )?;
        writeln!(
            out,
            "{}",
            row("", &|v| s.verdicts.get(v).copied().unwrap_or(0))
        )?;
    }
    if !e.failures.is_empty() {
        writeln!(out, "\n{} files with errors:", e.failures.len())?;
        for f in &e.failures {
            writeln!(
                out,
                "  {}: {}",
                crate::sanitize::sanitize(&f.file),
                crate::sanitize::sanitize(&f.error)
            )?;
        }
    }
    Ok(())
}
