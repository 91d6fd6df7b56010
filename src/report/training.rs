//! Printing what `calibrate` trained: the training set, the source- and
//! encoder-held-out metrics per condition and encoder, the thresholds.

use std::io::{self, Write};
use std::path::Path;

use crate::model::Model;

/// Writes the summary of a trained model for people; `skipped` images were
/// left out, `output` is where the model was written.
pub fn write_text<W: Write>(
    w: &mut W,
    model: &Model,
    skipped: usize,
    output: &Path,
) -> io::Result<()> {
    let t = &model.training;
    let cv = &t.cross_validation;
    writeln!(
        w,
        "{} images, {} samples ({} synthetic; {} window rows) under {}; {} skipped",
        t.images,
        t.samples,
        t.synthetic_samples,
        t.rows,
        t.conditions.join(", "),
        skipped
    )?;
    writeln!(
        w,
        "{}-fold cross-validation grouped by {}, laundered samples scored without their encoder: AUC {:.3}, TPR {:.2} at 1% FPR, {:.2} at 5% FPR, ECE {:.3}",
        cv.folds, cv.grouped_by, cv.auc, cv.tpr_at_1pct_fpr, cv.tpr_at_5pct_fpr, cv.ece
    )?;
    let conditions = t.conditions.iter().map(|n| format!("under {n}"));
    let encoders = cv
        .per_encoder
        .iter()
        .map(|(n, _)| format!("encoder {n} held out"));
    let rows = cv
        .per_condition
        .iter()
        .chain(cv.per_encoder.iter().map(|(_, m)| m));
    for (name, c) in conditions.chain(encoders).zip(rows) {
        writeln!(
        w,
            "  {name}: AUC {:.3}, TPR {:.2} at 1% FPR, {:.2} at 5% FPR; synthetic -> likely-authentic {:.1}%, real -> likely-synthetic {:.1}%",
            c.auc,
            c.tpr_at_1pct_fpr,
            c.tpr_at_5pct_fpr,
            100.0 * c.synthetic_below_authentic,
            100.0 * c.real_above_synthetic
        )?;
    }
    writeln!(
        w,
        "thresholds: likely-synthetic at P >= {:.3}, likely-authentic at P <= {:.3}; model written to {}",
        model.thresholds.likely_synthetic,
        model.thresholds.likely_authentic,
        output.display()
    )
}
