//! The classifier comparison of docs/METHOD.md: the default model's L2
//! logistic regression against a linear support vector machine (squared
//! hinge loss, the same fitter) and an ensemble of Fisher linear
//! discriminants on random feature subspaces (Kodovský, Fridrich & Holub
//! 2012, the steganalysis standard for rich models), on the same rows (one per
//! analysis window, three training conditions), standardised on each
//! training fold as the default model is, with 5-fold cross-validation
//! grouped by image.
//!
//! ```text
//! cargo run --release --example classifiers -- ../shared/eval/dev
//! ```
//! Prints a Markdown table: AUC per condition, TPR at 1 % and 5 % FPR under
//! the last condition. The ensemble's discriminants are averaged (not
//! voted), so it is one linear model, like the other two.

use std::path::PathBuf;
use std::time::Instant;

use ndarray::{Array1, Array2, Axis};
use provenant::dataset;
use provenant::model::logistic::{Logistic, Loss};
use provenant::model::training::{self, parse_conditions, Condition};
use provenant::model::{self, metrics, Sample, DEFAULT_LAMBDA};
use provenant::pixels::feature_names;
use provenant::Limits;
use rayon::prelude::*;

const FOLDS: usize = 5;

/// A classifier: fits standardised rows to labels, giving a linear score
/// (held as a [`Logistic`]: bias + weights · row); `None` if the fit fails.
type Fit<'a> = &'a dyn Fn(&[Vec<f64>], &[bool]) -> Option<Logistic>;

/// Solves A·x = b for a symmetric positive definite A (Cholesky).
fn cholesky_solve(mut a: Array2<f64>, b: &[f64]) -> Vec<f64> {
    let n = b.len();
    for j in 0..n {
        let d = (a[[j, j]] - (0..j).map(|k| a[[j, k]] * a[[j, k]]).sum::<f64>())
            .max(1e-12)
            .sqrt();
        a[[j, j]] = d;
        for i in j + 1..n {
            let s = a[[i, j]] - (0..j).map(|k| a[[i, k]] * a[[j, k]]).sum::<f64>();
            a[[i, j]] = s / d;
        }
    }
    let mut y = b.to_vec();
    for i in 0..n {
        y[i] = (y[i] - (0..i).map(|k| a[[i, k]] * y[k]).sum::<f64>()) / a[[i, i]];
    }
    for i in (0..n).rev() {
        y[i] = (y[i] - (i + 1..n).map(|k| a[[k, i]] * y[k]).sum::<f64>()) / a[[i, i]];
    }
    y
}

/// `learners` Fisher discriminants, each on `dims` features drawn at
/// random, with the within-class scatter shrunk by `shrink` × its mean
/// diagonal; each scaled so that the class means project to ±1, then
/// averaged. `None` if a class has no rows.
fn fld_ensemble(
    x: &Array2<f64>,
    y: &[bool],
    dims: usize,
    learners: usize,
    shrink: f64,
) -> Option<Logistic> {
    let p = x.ncols();
    let dims = dims.min(p);
    // Each learner: its features and its discriminant on them.
    let parts: Option<Vec<(Vec<usize>, Logistic)>> = (0..learners)
        .into_par_iter()
        .map(|l| {
            // Partial Fisher-Yates with xorshift, seeded by the learner.
            let mut state = (l as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let mut features: Vec<usize> = (0..p).collect();
            for i in 0..dims {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                features.swap(i, i + (state % (p - i) as u64) as usize);
            }
            features.truncate(dims);
            let sub = x.select(Axis(1), &features);
            let class_mean = |label: bool| -> Option<Array1<f64>> {
                let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == label).collect();
                sub.select(Axis(0), &rows).mean_axis(Axis(0))
            };
            let (m0, m1) = (class_mean(false)?, class_mean(true)?);
            let mut centred = sub;
            for (mut row, &label) in centred.outer_iter_mut().zip(y) {
                row -= if label { &m1 } else { &m0 };
            }
            let mut scatter = centred.t().dot(&centred);
            let ridge = shrink * scatter.diag().sum() / dims as f64;
            scatter.diag_mut().iter_mut().for_each(|v| *v += ridge);
            let gap = (&m1 - &m0).to_vec();
            let mut w = cholesky_solve(scatter, &gap);
            let separation: f64 = w.iter().zip(&gap).map(|(a, b)| a * b).sum();
            w.iter_mut().for_each(|v| *v *= 2.0 / separation);
            let middle: f64 = w
                .iter()
                .zip(m0.iter().zip(&m1))
                .map(|(w, (a, b))| w * (a + b) / 2.0)
                .sum();
            Some((features, Logistic::new(w, -middle)))
        })
        .collect();
    let mut out = Logistic::new(vec![0.0; p], 0.0);
    for (features, learner) in parts? {
        for (&i, v) in features.iter().zip(learner.weights) {
            out.weights[i] += v / learners as f64;
        }
        out.bias += learner.bias / learners as f64;
    }
    Some(out)
}

/// Out-of-fold scores (a sample's: the mean of its rows' scores) of the
/// classifier `fit(rows, labels)`.
fn cross_validate(samples: &[Sample], fit: Fit) -> Option<Vec<f64>> {
    let mut scores = vec![f64::NAN; samples.len()];
    for k in 0..FOLDS {
        let train: Vec<&Sample> = samples.iter().filter(|s| s.group % FOLDS != k).collect();
        // Standardised as the default model is (missing-value indicators
        // included), on the training fold.
        let scales = model::fit_scales(feature_names(), &train);
        let x: Vec<Vec<f64>> = train
            .iter()
            .flat_map(|s| model::sample_rows(&scales, s))
            .collect();
        let labels: Vec<bool> = train
            .iter()
            .flat_map(|s| s.rows.iter().map(|_| s.synthetic))
            .collect();
        let fitted = fit(&x, &labels)?;
        for (i, s) in samples.iter().enumerate() {
            if s.group % FOLDS == k {
                let total: f64 = model::sample_rows(&scales, s)
                    .map(|row| fitted.score(&row))
                    .sum();
                scores[i] = total / s.rows.len() as f64;
            }
        }
    }
    Some(scores)
}

/// Prints one table row.
fn report(label: &str, samples: &[Sample], scores: &[f64], conditions: usize, seconds: f64) {
    let mut cells = Vec::new();
    for c in 0..conditions {
        let pick = |synthetic: bool| -> Vec<f64> {
            samples
                .iter()
                .zip(scores)
                .filter(|(s, _)| s.condition == c && s.synthetic == synthetic)
                .map(|(_, &v)| v)
                .collect()
        };
        let (pos, neg) = (pick(true), pick(false));
        let to32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<_>>();
        let auc = metrics::auc(&to32(&pos), &to32(&neg)).unwrap_or(f64::NAN);
        cells.push(format!("{auc:.3}"));
        if c + 1 == conditions {
            cells.push(format!("{:.2}", metrics::tpr_at_fpr(&pos, &neg, 0.01)));
            cells.push(format!("{:.2}", metrics::tpr_at_fpr(&pos, &neg, 0.05)));
        }
    }
    println!("| {label} | {} | {seconds:.0} s |", cells.join(" | "));
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or("../shared/eval/dev".into()),
    );
    let entries = dataset::read_manifest(&root.join("manifest.csv"))?;
    let conditions = parse_conditions(training::DEFAULT_CONDITIONS)?;
    let set = training::extract(&entries, &root, &conditions, &Limits::default());
    let names: Vec<String> = conditions.iter().map(Condition::name).collect();
    let samples = &set.samples;
    let aucs: Vec<String> = names.iter().map(|n| format!("AUC {n}")).collect();
    let last = &names[names.len() - 1];
    println!(
        "| classifier | {} | TPR 1 % ({last}) | TPR 5 % ({last}) | time |",
        aucs.join(" | ")
    );
    println!("|---|{}---|---|---|", "---|".repeat(names.len()));
    let timed = |label: &str, fit: Fit| {
        let start = Instant::now();
        match cross_validate(samples, fit) {
            Some(scores) => report(
                label,
                samples,
                &scores,
                names.len(),
                start.elapsed().as_secs_f64(),
            ),
            None => println!("| {label} | the fit failed |"),
        }
    };
    timed(
        &format!("L2 logistic regression, λ = {DEFAULT_LAMBDA}"),
        &|x, y| Logistic::fit(x, y, DEFAULT_LAMBDA),
    );
    for lambda in [10.0, 100.0, 1000.0] {
        timed(
            &format!("linear SVM (squared hinge), λ = {lambda}"),
            &|x, y| Logistic::fit_loss(x, y, lambda, Loss::SquaredHinge),
        );
    }
    for (dims, learners, shrink) in [(600, 200, 1e-3), (600, 200, 1e-2), (300, 200, 1e-3)] {
        timed(
            &format!("FLD ensemble, {learners} × {dims} features, shrinkage {shrink}"),
            &|x, y| {
                let rows = Array2::from_shape_vec((x.len(), x[0].len()), x.concat()).ok()?;
                fld_ensemble(&rows, y, dims, learners, shrink)
            },
        );
    }
    Ok(())
}
