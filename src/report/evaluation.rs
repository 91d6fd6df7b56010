//! Printing an [`Evaluation`]: plain text for people, an ROC plot as SVG.

use std::io::{self, Write};

use plotters::prelude::*;

use crate::eval::{Evaluation, Rate};

fn metric(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{v:.3}"))
}

fn rate(r: Rate) -> String {
    format!("{}/{} ({:.1}%)", r.count, r.of, 100.0 * r.share())
}

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
        "real called synthetic: {}   synthetic called authentic: {}   declared verdicts correct: {}",
        rate(e.real_called_synthetic),
        rate(e.synthetic_called_authentic),
        rate(e.declared_correct)
    )?;
    let verdicts = [
        "declared-synthetic",
        "likely-synthetic",
        "inconclusive",
        "likely-authentic",
        "verified-authentic",
        "failed",
    ];
    let row = |name: &str, cells: &dyn Fn(&str) -> usize| -> String {
        let counts: String = verdicts
            .iter()
            .map(|v| format!("{:>20}", cells(v)))
            .collect();
        format!("{name:<44}{counts}")
    };
    writeln!(
        out,
        "\n{:<44}{}",
        "label \\ verdict",
        verdicts.map(|v| format!("{v:>20}")).concat()
    )?;
    for (label, counts) in &e.confusion {
        writeln!(
            out,
            "{}",
            row(label, &|v| counts.get(v).copied().unwrap_or(0))
        )?;
    }
    writeln!(out, "\nper source (mean score):")?;
    for s in &e.sources {
        let name = format!(
            "{} {} ({})",
            s.label,
            crate::sanitize::excerpt(&s.source, 28),
            metric(s.mean_score)
        );
        writeln!(
            out,
            "{}",
            row(&name, &|v| s.verdicts.get(v).copied().unwrap_or(0))
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
