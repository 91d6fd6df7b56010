//! A non-linear learner on a compact feature set against logistic
//! regression, under the default model's honest validation (docs/METHOD.md,
//! "Which learner"): the pixel features of the labelled sets are extracted
//! under the default conditions (as delivered and three `wild` laundering
//! draws per image), folds keep every source whole, and each laundered
//! sample is scored by models trained without its encoder family. Learners:
//! L2 logistic regression on the 22 simple features, and gradient-boosted
//! trees (the `gbdt` crate) on the same 22. The default model (logistic on
//! all 8,654 features, the same folds) is `calibrate`'s output.
//!
//! ```text
//! cargo run --release --example boosting -- ../shared/eval/dev/manifest.csv ../shared/eval/extra/manifest.csv
//! ```
//! Prints a Markdown table: AUC over all held-out samples, as delivered,
//! per encoder family held out, and TPR at 1 % FPR over all.

use std::path::PathBuf;
use std::time::Instant;

use gbdt::config::Config;
use gbdt::decision_tree::{Data, DataVec};
use gbdt::gradient_boost::GBDT;
use provenant::dataset;
use provenant::model::logistic::Logistic;
use provenant::model::training::{self, parse_conditions};
use provenant::model::{self, metrics, Sample, Validation, DEFAULT_LAMBDA};
use provenant::signals::pixels::feature_names;
use provenant::Limits;

/// The validation of the default model.
const VALIDATION: Validation = Validation {
    folds: 5,
    hold_out_encoders: true,
};

/// The simple features: not one of the rich residual models.
fn simple(name: &str) -> bool {
    !["spam_", "cspam_", "srm_", "xch_"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// The samples with only the columns `keep` of their rows.
fn project(samples: &[Sample], keep: &[usize]) -> Vec<Sample> {
    samples
        .iter()
        .map(|s| Sample {
            rows: s
                .rows
                .iter()
                .map(|r| keep.iter().map(|&i| r[i]).collect())
                .collect(),
            ..s.clone()
        })
        .collect()
}

/// Boosted trees fitted on every row of `train` (labels ±1); missing
/// values become a value no feature takes, which a split can isolate.
fn boosted(train: &[&Sample], features: usize) -> Option<impl Fn(&Sample) -> f64 + Send> {
    let row = |r: &[f32]| -> Vec<f32> {
        r.iter()
            .map(|&v| if v.is_finite() { v } else { -1e30 })
            .collect()
    };
    let mut data: DataVec = train
        .iter()
        .flat_map(|s| {
            let label = if s.synthetic { 1.0 } else { -1.0 };
            s.rows
                .iter()
                .map(move |r| Data::new_training_data(row(r), 1.0, label, None))
        })
        .collect();
    let mut config = Config::new();
    config.set_feature_size(features);
    config.set_max_depth(4);
    config.set_min_leaf_size(20);
    config.set_iterations(300);
    config.set_shrinkage(0.05);
    config.set_data_sample_ratio(1.0);
    config.set_feature_sample_ratio(1.0);
    config.set_loss("LogLikelyhood");
    config.set_training_optimization_level(2);
    let mut trees = GBDT::new(&config);
    trees.fit(&mut data);
    Some(move |s: &Sample| {
        let test: DataVec = s
            .rows
            .iter()
            .map(|r| Data::new_test_data(row(r), None))
            .collect();
        let p = trees.predict(&test);
        p.iter().map(|&v| f64::from(v)).sum::<f64>() / p.len().max(1) as f64
    })
}

/// One table row from held-out scores.
fn report(label: &str, samples: &[Sample], scores: &[f64], families: &[&str], seconds: f64) {
    let auc = |keep: &dyn Fn(&Sample) -> bool| -> (f64, f64) {
        let side = |synthetic: bool| -> Vec<f64> {
            samples
                .iter()
                .zip(scores)
                .filter(|(s, _)| s.synthetic == synthetic && keep(s))
                .map(|(_, &v)| v)
                .collect()
        };
        let (pos, neg) = (side(true), side(false));
        let to32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<_>>();
        (
            metrics::auc(&to32(&pos), &to32(&neg)).unwrap_or(f64::NAN),
            metrics::tpr_at_fpr(&pos, &neg, 0.01),
        )
    };
    let (all, tpr) = auc(&|_| true);
    let mut cells = vec![
        format!("{all:.3}"),
        format!("{:.3}", auc(&|s| s.encoder.is_none()).0),
    ];
    for f in families {
        cells.push(format!("{:.3}", auc(&|s| s.encoder == Some(*f)).0));
    }
    cells.push(format!("{tpr:.2}"));
    println!("| {label} | {} | {seconds:.0} s |", cells.join(" | "));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifests: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let (entries, root) = dataset::read_manifests(&manifests, None)?;
    let conditions = parse_conditions(training::DEFAULT_CONDITIONS)?;
    let mut set = training::extract(&entries, &root, &conditions, &Limits::default());
    let fold_of = dataset::folds(&entries, VALIDATION.folds, dataset::Grouping::Source);
    training::assign_folds(&mut set.samples, &fold_of);
    let keep: Vec<usize> = (0..feature_names().len())
        .filter(|&i| simple(feature_names()[i]))
        .collect();
    let names: Vec<&str> = keep.iter().map(|&i| feature_names()[i]).collect();
    let samples = project(&set.samples, &keep);
    let mut families: Vec<&str> = samples.iter().filter_map(|s| s.encoder).collect();
    families.sort_unstable();
    families.dedup();
    let held_out: Vec<String> = families
        .iter()
        .map(|f| format!("AUC, {f} held out"))
        .collect();
    println!(
        "| learner ({} features) | AUC, all | AUC, as delivered | {} | TPR 1 %, all | time |",
        names.len(),
        held_out.join(" | ")
    );
    println!("|---|---|---|{}---|---|", "---|".repeat(families.len()));

    let start = Instant::now();
    // Standardised and fitted as the default model is, on each training set.
    let scores = model::held_out_scores(&samples, VALIDATION, |train| {
        let scales = model::fit_scales(&names, train);
        let x: Vec<Vec<f64>> = train
            .iter()
            .flat_map(|s| model::sample_rows(&scales, s))
            .collect();
        let y: Vec<bool> = train
            .iter()
            .flat_map(|s| s.rows.iter().map(|_| s.synthetic))
            .collect();
        let fit = Logistic::fit(&x, &y, DEFAULT_LAMBDA)?;
        Some(move |s: &Sample| {
            let total: f64 = model::sample_rows(&scales, s).map(|r| fit.score(&r)).sum();
            total / s.rows.len().max(1) as f64
        })
    })
    .ok_or("the logistic fit failed")?;
    report(
        &format!("L2 logistic regression, λ = {DEFAULT_LAMBDA}"),
        &samples,
        &scores,
        &families,
        start.elapsed().as_secs_f64(),
    );

    let start = Instant::now();
    let scores = model::held_out_scores(&samples, VALIDATION, |train| boosted(train, names.len()))
        .ok_or("boosting failed")?;
    report(
        "gradient-boosted trees (depth 4, 300 × 0.05)",
        &samples,
        &scores,
        &families,
        start.elapsed().as_secs_f64(),
    );
    Ok(())
}
