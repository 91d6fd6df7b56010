//! The ROC curve of an [`Evaluation`] as SVG (plotters; the `cli` feature).

use std::io;

use plotters::prelude::*;

use super::evaluation::metric;
use crate::eval::Evaluation;

/// The ROC curve as a self-contained SVG document.
pub fn roc_svg(e: &Evaluation) -> io::Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (480, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(io::Error::other)?;
        let caption = format!("ROC under {} (AUC {})", e.transform, metric(e.auc));
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .map_err(io::Error::other)?;
        chart
            .configure_mesh()
            .x_desc("false-positive rate (real called synthetic)")
            .y_desc("true-positive rate")
            .draw()
            .map_err(io::Error::other)?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (1.0, 1.0)],
                &RGBColor(180, 180, 180),
            ))
            .map_err(io::Error::other)?;
        chart
            .draw_series(LineSeries::new(
                e.roc.iter().map(|p| (p[0], p[1])),
                BLUE.stroke_width(2),
            ))
            .map_err(io::Error::other)?;
        root.present().map_err(io::Error::other)?;
    }
    Ok(svg)
}
