//! Printing an [`Evaluation`]: plain text for people, an ROC plot as SVG.

use std::io::{self, Write};

use plotters::prelude::*;

use crate::eval::{Evaluation, Rate};

fn metric(v: Option<f64>) -> String {
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

/// The ROC curve as a self-contained SVG document.
pub fn roc_svg(e: &Evaluation) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (480, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let caption = format!("ROC under {} (AUC {})", e.transform, metric(e.auc));
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("false-positive rate (real called synthetic)")
            .y_desc("true-positive rate")
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (1.0, 1.0)],
                &RGBColor(180, 180, 180),
            ))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                e.roc.iter().map(|p| (p[0], p[1])),
                BLUE.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}
