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

mod common;

use std::path::PathBuf;
use std::time::Instant;

use gbdt::config::Config;
use gbdt::decision_tree::{Data, DataVec};
use gbdt::gradient_boost::GBDT;
use provenant::dataset;
use provenant::model::training::{self, parse_conditions};
use provenant::model::{self, Sample, DEFAULT_LAMBDA};
use provenant::pixels::feature_names;
use provenant::Limits;

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
        .map(|s| {
            let mut kept = s.clone();
            kept.rows = s
                .rows
                .iter()
                .map(|r| keep.iter().map(|&i| r[i]).collect())
                .collect();
            kept
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifests: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let (entries, root) = dataset::read_manifests(&manifests, None)?;
    let conditions = parse_conditions(training::DEFAULT_CONDITIONS)?;
    let set = training::extract_in_folds(
        &entries,
        &root,
        &conditions,
        &Limits::default(),
        common::VALIDATION.folds,
        dataset::Grouping::Source,
    );
    let keep: Vec<usize> = (0..feature_names().len())
        .filter(|&i| simple(feature_names()[i]))
        .collect();
    let names: Vec<&str> = keep.iter().map(|&i| feature_names()[i]).collect();
    let samples = project(&set.samples, &keep);
    common::header("learner", &common::families(&samples));

    let start = Instant::now();
    let scores = model::held_out_scores(&samples, common::VALIDATION, |train| {
        model::fit_scorer(&names, train, DEFAULT_LAMBDA)
    })
    .ok_or("the logistic fit failed")?;
    common::row(
        &format!("L2 logistic regression, λ = {DEFAULT_LAMBDA}"),
        names.len(),
        &samples,
        &scores,
        start.elapsed().as_secs_f64(),
    );

    let start = Instant::now();
    let scores = model::held_out_scores(&samples, common::VALIDATION, |train| {
        boosted(train, names.len())
    })
    .ok_or("boosting failed")?;
    common::row(
        "gradient-boosted trees (depth 4, 300 × 0.05)",
        names.len(),
        &samples,
        &scores,
        start.elapsed().as_secs_f64(),
    );
    Ok(())
}
