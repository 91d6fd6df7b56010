//! The ablation table and learning curve of docs/METHOD.md: the pixel
//! features of a labelled set are extracted once under the three training
//! conditions (a as delivered, b JPEG q90, c halved then JPEG q80), then
//! the model is trained with 5-fold cross-validation grouped by image: as
//! the default model is (one row per analysis window), with one row per
//! image instead, for each feature family alone and with each family
//! removed; the learning curve retrains on growing shares of the images.
//!
//! ```text
//! cargo run --release --example ablation -- ../shared/eval/dev [LAMBDA,...]
//! ```
//! With several penalties, the full model is also compared across them.
//! Prints Markdown tables.

use std::path::PathBuf;
use std::time::Instant;

use provenant::dataset;
use provenant::model::training::{self, parse_conditions, Condition};
use provenant::model::{self, Sample, DEFAULT_LAMBDA};
use provenant::signals::pixels::feature_names;
use provenant::Limits;

/// The three fixed conditions of the tables in docs/METHOD.md (the
/// default model now trains on random `wild` chains instead).
const CONDITIONS: &str = "as-is,jpeg:90,resize:0.5+jpeg:80";

/// The family of a feature, for ablation.
fn family(name: &str) -> &'static str {
    match name.split('_').next() {
        Some("spam") => "SPAM",
        Some("cspam") => "colour SPAM",
        Some("srm") => "SRM",
        Some("xch") => "cross-channel",
        _ => "simple",
    }
}

/// Features that record compression history rather than generation: the
/// JPEG 8×8 block grid and the spectral peak at period 8.
fn compression_history(name: &str) -> bool {
    name.starts_with("block_grid") || name.starts_with("spectrum_peak_8")
}

/// Feature names and the samples whose rows hold their values.
struct Set {
    names: Vec<&'static str>,
    samples: Vec<Sample>,
}

impl Set {
    /// The same samples with the rows `rows(sample)`, under `names`.
    fn with_rows(&self, names: Vec<&'static str>, rows: impl Fn(&Sample) -> Vec<Vec<f32>>) -> Set {
        let samples = self
            .samples
            .iter()
            .map(|s| Sample {
                rows: rows(s),
                ..s.clone()
            })
            .collect();
        Set { names, samples }
    }

    /// Every value of every row mapped by `f(name, value)`.
    fn map(&self, f: impl Fn(&str, f32) -> f32) -> Set {
        self.with_rows(self.names.clone(), |s| {
            s.rows
                .iter()
                .map(|r| r.iter().zip(&self.names).map(|(&v, n)| f(n, v)).collect())
                .collect()
        })
    }

    /// Only the features whose name is `wanted`.
    fn keep(&self, wanted: impl Fn(&str) -> bool) -> Set {
        let columns: Vec<usize> = (0..self.names.len())
            .filter(|&i| wanted(self.names[i]))
            .collect();
        let names = columns.iter().map(|&i| self.names[i]).collect();
        self.with_rows(names, |s| {
            s.rows
                .iter()
                .map(|r| columns.iter().map(|&i| r[i]).collect())
                .collect()
        })
    }

    /// One row per sample, the mean of its windows: the model fitted on
    /// images rather than on windows.
    fn per_image(&self) -> Set {
        self.with_rows(self.names.clone(), |s| vec![s.mean_row()])
    }
}

/// One table row: trains and prints AUC per condition, TPR at 1 % and 5 %
/// FPR under condition c, and the time the training took.
fn row(label: &str, set: &Set, lambda: f64, conditions: &[String]) {
    let start = Instant::now();
    let dims = set.names.len();
    match model::train(
        &set.names,
        &set.samples,
        lambda,
        model::Validation {
            folds: 5,
            hold_out_encoders: false,
        },
        conditions.to_vec(),
        String::new(),
    ) {
        Ok(m) => {
            let per = &m.training.cross_validation.per_condition;
            let aucs: Vec<String> = per.iter().map(|c| format!("{:.3}", c.auc)).collect();
            let c = per.last().copied();
            println!(
                "| {label} | {dims} | {} | {:.2} | {:.2} | {:.0} s |",
                aucs.join(" | "),
                c.map_or(f64::NAN, |c| c.tpr_at_1pct_fpr),
                c.map_or(f64::NAN, |c| c.tpr_at_5pct_fpr),
                start.elapsed().as_secs_f64()
            );
        }
        Err(e) => println!("| {label} | {dims} | {e} |"),
    }
}

/// The images (groups) of a random, class-stratified share of the set.
fn subset(set: &Set, share: f64, seed: u64) -> Set {
    let samples = &set.samples;
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut groups: Vec<(usize, bool)> = samples.iter().map(|s| (s.group, s.synthetic)).collect();
    groups.sort_unstable();
    groups.dedup();
    let mut chosen = Vec::new();
    for class in [false, true] {
        let mut g: Vec<usize> = groups
            .iter()
            .filter(|x| x.1 == class)
            .map(|x| x.0)
            .collect();
        // Fisher-Yates with xorshift.
        for i in (1..g.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            g.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let n = (share * g.len() as f64).round() as usize;
        chosen.extend(g.into_iter().take(n));
    }
    Set {
        names: set.names.clone(),
        samples: samples
            .iter()
            .filter(|s| chosen.contains(&s.group))
            .cloned()
            .collect(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let root = PathBuf::from(args.get(1).map_or("../shared/eval/dev", String::as_str));
    let lambdas: Vec<f64> = match args.get(2) {
        Some(list) => list.split(',').map(str::parse).collect::<Result<_, _>>()?,
        None => vec![DEFAULT_LAMBDA],
    };
    let lambda = lambdas[0];
    let entries = dataset::read_manifest(&root.join("manifest.csv"))?;
    let conditions = parse_conditions(CONDITIONS)?;
    let start = Instant::now();
    let set = training::extract(&entries, &root, &conditions, &Limits::default());
    let names: Vec<String> = conditions.iter().map(Condition::name).collect();
    eprintln!(
        "{} samples extracted in {:.0} s, {} images skipped",
        set.samples.len(),
        start.elapsed().as_secs_f64(),
        set.skipped.len()
    );
    let all = &Set {
        names: feature_names().to_vec(),
        samples: set.samples,
    };
    let header = |first: &str| {
        println!(
            "| {first} | dims | AUC a ({}) | AUC b ({}) | AUC c ({}) | TPR 1 % (c) | TPR 5 % (c) | time |",
            names[0], names[1], names[2]
        );
        println!("|---|---|---|---|---|---|---|---|");
    };
    if lambdas.len() > 1 {
        header("all features, λ");
        for &l in &lambdas {
            row(&format!("{l}"), all, l, &names);
        }
        println!();
    }
    println!("λ = {lambda}\n");
    header("features");
    row("all", all, lambda, &names);
    row(
        "all, one row per image (mean of its windows)",
        &all.per_image(),
        lambda,
        &names,
    );
    row(
        "all but compression history (block grid, period-8 peak)",
        &all.keep(|n| !compression_history(n)),
        lambda,
        &names,
    );
    for f in ["simple", "SPAM", "colour SPAM", "SRM", "cross-channel"] {
        row(
            &format!("{f} alone"),
            &all.keep(|n| family(n) == f),
            lambda,
            &names,
        );
    }
    for f in ["simple", "SPAM", "colour SPAM", "SRM", "cross-channel"] {
        row(
            &format!("all but {f}"),
            &all.keep(|n| family(n) != f),
            lambda,
            &names,
        );
    }
    row(
        "all, co-occurrence probabilities not square-rooted",
        &all.map(|n, v| if family(n) == "simple" { v } else { v * v }),
        lambda,
        &names,
    );
    println!("\nLearning curve (all features, share of the images, seeds 1 and 2 below 100 %)\n");
    header("share of images");
    for share in [0.25, 0.5, 0.75] {
        for seed in [1, 2] {
            row(
                &format!("{share} (seed {seed})"),
                &subset(all, share, seed),
                lambda,
                &names,
            );
        }
    }
    row("1.0", all, lambda, &names);
    Ok(())
}
