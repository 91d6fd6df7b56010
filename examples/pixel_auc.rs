//! Per-feature AUC of the pixel signals, real vs synthetic, on a labelled
//! set, with metadata ignored: as delivered (a), re-encoded JPEG q90 (b), and
//! halved then JPEG q80 (c). Condition c is the one where the file format
//! can no longer separate the classes (in b the real JPEGs become
//! double-compressed while the synthetic PNGs are compressed once).
//!
//! ```text
//! cargo run --release --example pixel_auc -- ../shared/eval/dev [features.csv]
//! ```
//! Prints a Markdown table (the one in docs/METHOD.md); with a second
//! argument, also writes every feature of every image and condition as CSV.

use std::path::{Path, PathBuf};

use provenant::dataset;
use provenant::model::features::pixel_features;
use provenant::stats::auc;
use provenant::transform::Transform;
use provenant::Limits;
use rayon::prelude::*;

const CONDITIONS: [(&str, &str); 3] = [("a", ""), ("b", "jpeg:90"), ("c", "resize:0.5+jpeg:80")];

/// Features of one image under one condition; `None` if it cannot be
/// decoded or is too small.
fn features(path: &Path, transform: &Transform) -> Option<Vec<(&'static str, f32)>> {
    let bytes = std::fs::read(path).ok()?;
    pixel_features(&bytes, transform, &Limits::default()).ok()
}

/// The features of one image under one condition.
struct Measured<'a> {
    file: &'a str,
    synthetic: bool,
    features: Vec<(&'static str, f32)>,
}

/// "0.83 +" (higher means synthetic) or "0.83 −" (lower means synthetic).
fn oriented_auc(measured: &[Measured], feature: usize) -> String {
    let values = |synthetic: bool| -> Vec<f32> {
        measured
            .iter()
            .filter(|m| m.synthetic == synthetic)
            .map(|m| m.features[feature].1)
            .collect()
    };
    match auc(&values(true), &values(false)) {
        Some(a) if a >= 0.5 => format!("{a:.2} +"),
        Some(a) => format!("{:.2} −", 1.0 - a),
        None => "n/a".into(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let root = PathBuf::from(args.get(1).map_or("../shared/eval/dev", String::as_str));
    let rows = dataset::read_manifest(&root.join("manifest.csv"))?;
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut dump = String::new();
    for (cond, spec) in CONDITIONS {
        let transform: Transform = spec.parse()?;
        let measured: Vec<Measured> = rows
            .par_iter()
            .filter_map(|r| {
                Some(Measured {
                    file: &r.file,
                    synthetic: r.synthetic,
                    features: features(&root.join(&r.file), &transform)?,
                })
            })
            .collect();
        let Some(first) = measured.first() else {
            return Err(format!("no image could be analysed under condition {cond}").into());
        };
        let names: Vec<&str> = first.features.iter().map(|f| f.0).collect();
        if table.is_empty() {
            table = names.iter().map(|n| vec![n.to_string()]).collect();
            dump.push_str(&format!("condition,file,synthetic,{}\n", names.join(",")));
        }
        for (i, row) in table.iter_mut().enumerate() {
            row.push(oriented_auc(&measured, i));
        }
        for m in &measured {
            let values: Vec<String> = m.features.iter().map(|v| v.1.to_string()).collect();
            dump.push_str(&format!(
                "{cond},{},{},{}\n",
                m.file,
                u8::from(m.synthetic),
                values.join(",")
            ));
        }
        let synthetic = measured.iter().filter(|m| m.synthetic).count();
        eprintln!(
            "condition {cond}: {} images ({synthetic} synthetic)",
            measured.len()
        );
    }
    println!("| feature | a: as delivered | b: JPEG q90 | c: halved + JPEG q80 |");
    println!("|---|---|---|---|");
    for row in table {
        println!("| {} |", row.join(" | "));
    }
    if let Some(out) = args.get(2) {
        std::fs::write(out, dump)?;
    }
    Ok(())
}
