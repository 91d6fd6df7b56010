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

use std::path::PathBuf;

use provenant::dataset;
use provenant::model::training::{self, parse_conditions};
use provenant::model::Sample;
use provenant::pixels::feature_names;
use provenant::stats::auc;
use provenant::Limits;

/// "0.83 +" (higher means synthetic) or "0.83 −" (lower means synthetic).
fn oriented_auc(samples: &[&Sample], feature: usize) -> String {
    let values = |synthetic: bool| -> Vec<f32> {
        samples
            .iter()
            .filter(|s| s.synthetic == synthetic)
            .map(|s| s.mean_row()[feature])
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
    let entries = dataset::read_manifest(&root.join("manifest.csv"))?;
    let conditions = parse_conditions(training::DEFAULT_CONDITIONS)?;
    let set = training::extract(&entries, &root, &conditions, &Limits::default());
    let names = feature_names();
    let mut table: Vec<Vec<String>> = names.iter().map(|n| vec![n.to_string()]).collect();
    let mut dump = format!("condition,file,synthetic,{}\n", names.join(","));
    for (c, condition) in conditions.iter().enumerate() {
        let samples: Vec<&Sample> = set.samples.iter().filter(|s| s.condition == c).collect();
        for (i, row) in table.iter_mut().enumerate() {
            row.push(oriented_auc(&samples, i));
        }
        for s in &samples {
            let values: Vec<String> = s.mean_row().iter().map(f32::to_string).collect();
            dump.push_str(&format!(
                "{},{},{},{}\n",
                condition.name(),
                entries[s.group].file,
                u8::from(s.synthetic),
                values.join(",")
            ));
        }
        let synthetic = samples.iter().filter(|s| s.synthetic).count();
        eprintln!(
            "{}: {} images ({synthetic} synthetic)",
            condition.name(),
            samples.len()
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
