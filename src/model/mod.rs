//! The calibrated model: a regularised logistic regression on the named
//! pixel features (standardised, with an indicator for each feature that can
//! be missing), Platt calibration fitted on cross-validated scores, and two
//! thresholds chosen on the real side. Stored as JSON.
//!
//! Only pixel features enter the model: nothing that is a proxy for the
//! container (format, file size, presence of EXIF). Declared evidence
//! (metadata, C2PA) is handled before the model, by rules.

pub mod features;
pub mod logistic;
pub mod metrics;
pub mod training;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use logistic::{sigmoid, Logistic};

/// Identifies the file format.
pub const FORMAT: &str = "provenant-model";
/// Version of the model file format.
pub const VERSION: u32 = 1;
/// Default L2 penalty: the best of 1, 10 and 100 in grouped cross-validation
/// on the dev set (mixed-condition AUC 0.860, 0.865, 0.849).
pub const DEFAULT_LAMBDA: f64 = 10.0;
/// Fewest images of each class `train` accepts.
pub const MIN_PER_CLASS: usize = 20;
/// Lowest cross-validated AUC `train` accepts: below it the model is not
/// clearly better than chance.
pub const MIN_AUC: f64 = 0.6;
/// Largest share of real images (cross-validated) allowed at or above the
/// `likely-synthetic` threshold, over all samples and under each training
/// condition alone. Zero: the threshold sits just above every real
/// training image's out-of-fold probability, so that an unseen real photo
/// crosses it about once in (real images + 1) per condition. (At 1 %, the
/// pipeline's cross-validation called 2 % of real photos re-encoded at
/// JPEG q90 likely-synthetic.)
pub const REAL_ABOVE_SYNTHETIC_THRESHOLD: f64 = 0.0;
/// Largest share of synthetic images (cross-validated) allowed below the
/// `likely-authentic` threshold, over all samples and under each training
/// condition alone.
pub const SYNTHETIC_BELOW_AUTHENTIC_THRESHOLD: f64 = 0.05;

/// How one raw feature is standardised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scale {
    /// Feature name.
    pub name: String,
    /// Mean over the training samples where it is present.
    pub mean: f64,
    /// Standard deviation there (1 if constant).
    pub scale: f64,
    /// Whether the model has a "missing" indicator for it.
    pub indicator: bool,
}

/// Probability thresholds of the verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// At or above: `likely-synthetic`.
    pub likely_synthetic: f64,
    /// At or below: `likely-authentic`.
    pub likely_authentic: f64,
    /// The largest share of synthetic samples at or below
    /// `likely_authentic` in the held-out validation, over all samples,
    /// each condition and each encoder family (NaN if unknown): how often
    /// the pixel verdict `likely-authentic` was wrong there.
    #[serde(default = "unknown")]
    pub synthetic_below_authentic: f64,
}

fn unknown() -> f64 {
    f64::NAN
}

/// Cross-validated metrics of a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvMetrics {
    /// Number of folds.
    pub folds: usize,
    /// Area under the ROC curve.
    pub auc: f64,
    /// True-positive rate at 1 % false positives.
    pub tpr_at_1pct_fpr: f64,
    /// True-positive rate at 5 % false positives.
    pub tpr_at_5pct_fpr: f64,
    /// Expected calibration error (10 bins) of the calibrated probabilities.
    pub ece: f64,
    /// The same per condition, in the order of `Training::conditions`.
    pub per_condition: Vec<ConditionMetrics>,
    /// The same per encoder family of the laundered samples (each scored
    /// by models trained without that family), by family name.
    #[serde(default)]
    pub per_encoder: Vec<(String, ConditionMetrics)>,
    /// What the folds kept apart: `image` or `source` (set by calibrate).
    #[serde(default = "image_grouping")]
    pub grouped_by: String,
}

fn image_grouping() -> String {
    "image".into()
}

/// Cross-validated metrics of the samples made under one condition.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConditionMetrics {
    /// Area under the ROC curve.
    pub auc: f64,
    /// True-positive rate at 1 % false positives.
    pub tpr_at_1pct_fpr: f64,
    /// True-positive rate at 5 % false positives.
    pub tpr_at_5pct_fpr: f64,
    /// Share of synthetic samples at or below the `likely-authentic`
    /// threshold.
    #[serde(default)]
    pub synthetic_below_authentic: f64,
    /// Share of real samples at or above the `likely-synthetic` threshold.
    #[serde(default)]
    pub real_above_synthetic: f64,
}

/// What the model was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Training {
    /// Images (groups).
    pub images: usize,
    /// Samples (an image under several conditions gives several).
    pub samples: usize,
    /// Rows fitted (one per analysis window of each sample).
    #[serde(default)]
    pub rows: usize,
    /// Synthetic samples.
    pub synthetic_samples: usize,
    /// Conditions (transforms) the samples were made under.
    pub conditions: Vec<String>,
    /// SHA-256 of the training list (see `provenant calibrate`).
    pub digest: String,
    /// Cross-validated metrics (folds as the samples' fold keys drew them:
    /// by image unless calibrate was asked to group by source).
    pub cross_validation: CvMetrics,
}

/// A model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// The features in order, with their standardisation.
    pub features: Vec<Scale>,
    /// Weights: one per feature, then one per indicator (in feature order).
    pub weights: Vec<f64>,
    /// Intercept.
    pub bias: f64,
    /// L2 penalty used.
    pub lambda: f64,
    /// Platt calibration: P = σ(a · score + b).
    pub platt: [f64; 2],
    /// Verdict thresholds on the calibrated probability.
    pub thresholds: Thresholds,
    /// Training data and cross-validated metrics.
    pub training: Training,
}

/// One training sample: an image under one condition, the image it comes
/// from (folds never split an image), its label, and one row of feature
/// values per analysis window (in the order of the names given to
/// [`train`]; NaN = missing). Every row is a training example; the
/// sample's score is the mean of its rows' scores, which for this linear
/// model is the score of the mean row, what analysis computes.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Image index.
    pub group: usize,
    /// The validation fold key: the image index by default (so `fold %
    /// folds` draws folds by image), or a fold number from
    /// [`training::assign_folds`] (by source).
    pub fold: usize,
    /// Index of the condition (transform) the image was seen under.
    pub condition: usize,
    /// The encoder family of the condition's last lossy step (none as
    /// delivered): validation scores a sample with models trained
    /// without that family.
    pub encoder: Option<&'static str>,
    /// True for synthetic.
    pub synthetic: bool,
    /// Feature values, one row per analysis window.
    pub rows: Vec<Vec<f32>>,
}

impl Sample {
    /// The mean of the rows (NaN where the rows are NaN).
    pub fn mean_row(&self) -> Vec<f32> {
        crate::stats::mean_rows(&self.rows, self.rows.first().map_or(0, Vec::len))
    }
}

/// The standardisation and linear part of a model.
struct Core {
    scales: Vec<Scale>,
    logistic: Logistic,
}

/// The standardised row of named features (looked up by name, so that a
/// model reads features in any order).
fn design_row(scales: &[Scale], features: &[(&str, f32)]) -> Vec<f64> {
    // Features usually come in the model's order: look there first.
    standardise(scales, |i, name| {
        features
            .get(i)
            .filter(|f| f.0 == name)
            .or_else(|| features.iter().find(|f| f.0 == name))
            .map_or(f64::NAN, |f| f64::from(f.1))
    })
}

/// The standardised row of `value_at(index, name)`: missing values become 0
/// and set their indicator.
fn standardise(scales: &[Scale], value_at: impl Fn(usize, &str) -> f64) -> Vec<f64> {
    let mut row: Vec<f64> = scales
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let v = value_at(i, &s.name);
            if v.is_finite() {
                (v - s.mean) / s.scale
            } else {
                0.0
            }
        })
        .collect();
    row.extend(
        scales
            .iter()
            .enumerate()
            .filter(|(_, s)| s.indicator)
            .map(|(i, s)| f64::from(u8::from(!value_at(i, &s.name).is_finite()))),
    );
    row
}

/// The standardised rows of a sample, whose values are in the order of
/// `scales` ([`fit_scales`]): missing values at 0, then the indicators.
pub fn sample_rows<'a>(
    scales: &'a [Scale],
    sample: &'a Sample,
) -> impl Iterator<Item = Vec<f64>> + 'a {
    sample
        .rows
        .iter()
        .map(|r| standardise(scales, |i, _| r.get(i).map_or(f64::NAN, |&v| f64::from(v))))
}

impl Core {
    /// A sample's score: the mean of its rows' scores.
    fn score(&self, sample: &Sample) -> f64 {
        let n = sample.rows.len().max(1) as f64;
        sample_rows(&self.scales, sample)
            .map(|row| self.logistic.score(&row))
            .sum::<f64>()
            / n
    }
}

/// How each feature of `names` (the samples' rows in that order) is
/// standardised: mean and standard deviation over the rows where it is
/// present, and an indicator if it is missing from any row.
pub fn fit_scales(names: &[&str], samples: &[&Sample]) -> Vec<Scale> {
    let rows = || samples.iter().flat_map(|s| &s.rows);
    let total = rows().count();
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let values: Vec<f64> = rows()
                .filter_map(|r| r.get(i).map(|&v| f64::from(v)))
                .filter(|v| v.is_finite())
                .collect();
            let n = values.len().max(1) as f64;
            let mean = values.iter().sum::<f64>() / n;
            let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            Scale {
                name: name.to_string(),
                mean,
                scale: if sd > 1e-9 { sd } else { 1.0 },
                indicator: values.len() < total,
            }
        })
        .collect()
}

fn fit_core(names: &[&str], samples: &[&Sample], lambda: f64) -> Option<Core> {
    let scales = fit_scales(names, samples);
    // Stored as f32: the fit streams the design once per Hessian product,
    // so half the bytes is about half the time.
    let x: Vec<Vec<f32>> = samples
        .iter()
        .flat_map(|s| sample_rows(&scales, s).map(|r| r.into_iter().map(|v| v as f32).collect()))
        .collect();
    let y: Vec<bool> = samples
        .iter()
        .flat_map(|s| s.rows.iter().map(|_| s.synthetic))
        .collect();
    Some(Core {
        logistic: Logistic::fit(&x, &y, lambda)?,
        scales,
    })
}

/// The default model, trained on `../shared/eval/dev` by
/// `provenant calibrate --manifest ../shared/eval/dev/manifest.csv -o src/model/default.json`.
const EMBEDDED: &str = include_str!("default.json");

impl Model {
    /// The default model embedded in the binary.
    #[allow(clippy::expect_used)] // a constant of the build, checked by a unit test
    pub fn embedded() -> Model {
        Model::from_json(EMBEDDED).expect("the embedded model parses")
    }

    /// A short identity for reports: `v<version>-<first 12 hex digits of
    /// the SHA-256 of the model's JSON>` (two models differ in id as soon
    /// as any weight, feature or threshold differs).
    pub fn id(&self) -> String {
        use sha2::{Digest, Sha256};
        let json = serde_json::to_vec(self).unwrap_or_default();
        let digest = crate::input::hex(&Sha256::digest(json));
        format!("v{}-{}", self.version, &digest[..12])
    }

    /// The uncalibrated score (log-odds) of named features.
    pub fn score(&self, features: &[(&str, f32)]) -> f64 {
        let row = design_row(&self.features, features);
        self.bias
            + self
                .weights
                .iter()
                .zip(&row)
                .map(|(w, v)| w * v)
                .sum::<f64>()
    }

    /// The calibrated probability that the image is synthetic.
    pub fn probability(&self, features: &[(&str, f32)]) -> f64 {
        sigmoid(self.platt[0] * self.score(features) + self.platt[1])
    }

    /// Each term's contribution to the score (weight × standardised value,
    /// scaled by the calibration slope), largest magnitude first.
    pub fn contributions(&self, features: &[(&str, f32)]) -> Vec<(String, f64)> {
        let row = design_row(&self.features, features);
        let names = self.features.iter().map(|s| s.name.clone()).chain(
            self.features
                .iter()
                .filter(|s| s.indicator)
                .map(|s| format!("{} missing", s.name)),
        );
        let mut out: Vec<(String, f64)> = names
            .zip(self.weights.iter().zip(&row))
            .map(|(n, (w, v))| (n, self.platt[0] * w * v))
            .collect();
        out.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        out
    }

    /// Parses and checks a model file.
    pub fn from_json(text: &str) -> Result<Model, String> {
        let m: Model = serde_json::from_str(text).map_err(|e| format!("not a model file: {e}"))?;
        let indicators = m.features.iter().filter(|s| s.indicator).count();
        if m.format != FORMAT || m.version != VERSION {
            return Err(format!(
                "unsupported model format {} version {}",
                m.format, m.version
            ));
        }
        if m.weights.len() != m.features.len() + indicators {
            return Err("model weights do not match its features".into());
        }
        Ok(m)
    }
}

fn to32(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

/// The share of `values` that `hit` (0 if there are none).
fn share(values: &[f64], hit: impl Fn(f64) -> bool) -> f64 {
    values.iter().filter(|&&v| hit(v)).count() as f64 / values.len().max(1) as f64
}

/// How `train` validates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validation {
    /// Folds, drawn by the samples' fold keys.
    pub folds: usize,
    /// Score each laundered sample with models trained without its encoder
    /// family (one fit per fold and family instead of one per fold).
    pub hold_out_encoders: bool,
}

/// Each sample's held-out score: from a model fitted on the other folds
/// (by the samples' fold keys) and, if `validation` asks, for a laundered
/// sample, without any sample of its encoder family. Source- and
/// encoder-held-out when the folds are by source. `fit` returns a scorer
/// of samples fitted on the given training samples (`None`: the fit
/// failed, and so does this); the fits run in parallel.
pub fn held_out_scores<F, S>(samples: &[Sample], validation: Validation, fit: F) -> Option<Vec<f64>>
where
    F: Fn(&[&Sample]) -> Option<S> + Sync,
    S: Fn(&Sample) -> f64 + Send,
{
    let Validation {
        folds,
        hold_out_encoders,
    } = validation;
    let family_of = |s: &Sample| s.encoder.filter(|_| hold_out_encoders);
    let mut families: Vec<Option<&str>> = samples.iter().map(family_of).collect();
    families.sort_unstable();
    families.dedup();
    let tested =
        |k: usize, family: Option<&str>, s: &Sample| s.fold % folds == k && family_of(s) == family;
    let jobs: Vec<(usize, Option<&str>)> = (0..folds)
        .flat_map(|k| families.iter().map(move |&f| (k, f)))
        .filter(|&(k, f)| samples.iter().any(|s| tested(k, f, s)))
        .collect();
    let fitted: Vec<Option<S>> = jobs
        .par_iter()
        .map(|&(k, family)| {
            let train: Vec<&Sample> = samples
                .iter()
                .filter(|s| s.fold % folds != k && (family.is_none() || s.encoder != family))
                .collect();
            fit(&train)
        })
        .collect();
    let mut scores = vec![f64::NAN; samples.len()];
    for (&(k, family), scorer) in jobs.iter().zip(fitted) {
        let scorer = scorer?;
        for (score, s) in scores
            .iter_mut()
            .zip(samples)
            .filter(|(_, s)| tested(k, family, s))
        {
            *score = scorer(s);
        }
    }
    Some(scores)
}

/// Fits a model on `samples`, whose rows hold the features `names` in
/// order, with `folds`-fold cross-validation on the samples' fold keys (by
/// image unless [`training::assign_folds`] grouped them by source), each
/// laundered sample scored by models trained without its encoder family if
/// `validation` asks: these held-out scores (a sample's: the mean over its rows) fit
/// the Platt calibration and choose the thresholds (over all samples, per
/// condition and per encoder family), then the model is refitted on
/// everything. Refuses fewer than
/// [`MIN_PER_CLASS`] images of a class and a cross-validated AUC under
/// [`MIN_AUC`].
pub fn train(
    names: &[&str],
    samples: &[Sample],
    lambda: f64,
    validation: Validation,
    conditions: Vec<String>,
    digest: String,
) -> Result<Model, String> {
    let folds = validation.folds.max(2);
    let validation = Validation {
        folds,
        ..validation
    };
    let mut images: Vec<(usize, bool)> = samples.iter().map(|s| (s.group, s.synthetic)).collect();
    images.sort_unstable();
    images.dedup();
    for (class, name) in [(true, "synthetic"), (false, "real")] {
        let n = images.iter().filter(|i| i.1 == class).count();
        if n < MIN_PER_CLASS {
            return Err(format!(
                "only {n} {name} images; at least {MIN_PER_CLASS} are needed"
            ));
        }
    }
    let oof = held_out_scores(samples, validation, |train| {
        let core = fit_core(names, train, lambda)?;
        Some(move |s: &Sample| core.score(s))
    })
    .ok_or("the fit did not converge")?;
    let labels: Vec<bool> = samples.iter().map(|s| s.synthetic).collect();
    let platt_fit = Logistic::fit(
        &oof.iter().map(|&v| vec![v]).collect::<Vec<_>>(),
        &labels,
        1e-6,
    )
    .ok_or("the calibration did not converge")?;
    let platt = [platt_fit.weights[0], platt_fit.bias];
    if platt[0] <= 0.0 {
        return Err("cross-validated scores do not rise with the label: no model".into());
    }
    let probs: Vec<f64> = oof
        .iter()
        .map(|&s| sigmoid(platt[0] * s + platt[1]))
        .collect();
    // (synthetic, real) probabilities of each condition's samples, then of
    // each encoder family's.
    let pick = |keep: &dyn Fn(&Sample) -> bool| -> (Vec<f64>, Vec<f64>) {
        let side = |synthetic: bool| -> Vec<f64> {
            samples
                .iter()
                .zip(&probs)
                .filter(|(s, _)| s.synthetic == synthetic && keep(s))
                .map(|(_, &p)| p)
                .collect()
        };
        (side(true), side(false))
    };
    let (pos, neg) = pick(&|_| true);
    let by_condition: Vec<(Vec<f64>, Vec<f64>)> = (0..conditions.len().max(1))
        .map(|c| pick(&|s: &Sample| s.condition == c))
        .collect();
    let mut families: Vec<&str> = samples.iter().filter_map(|s| s.encoder).collect();
    families.sort_unstable();
    families.dedup();
    let by_encoder: Vec<(Vec<f64>, Vec<f64>)> = families
        .iter()
        .map(|&f| pick(&|s: &Sample| s.encoder == Some(f)))
        .collect();
    let auc = metrics::auc(&to32(&pos), &to32(&neg)).unwrap_or(0.5);
    if auc <= 0.5 {
        return Err(format!(
            "cross-validated AUC {auc:.3}: no better than chance"
        ));
    }
    // Each threshold holds over all samples, under every condition alone
    // and for every encoder family alone: laundering must not push more
    // real photos over the line, nor more synthetic images under it.
    // The verdict is P ≥ threshold: step above the highest allowed real.
    let synthetic_threshold =
        |neg: &[f64]| metrics::threshold_at_fpr(neg, REAL_ABOVE_SYNTHETIC_THRESHOLD).next_up();
    // The verdict is P ≤ threshold: step below the lowest synthetic
    // sample not allowed under it.
    let authentic_threshold = |pos: &[f64]| {
        let flipped: Vec<f64> = pos.iter().map(|p| -p).collect();
        (-metrics::threshold_at_fpr(&flipped, SYNTHETIC_BELOW_AUTHENTIC_THRESHOLD)).next_down()
    };
    let groups = || by_condition.iter().chain(&by_encoder);
    let thresholds = Thresholds {
        likely_synthetic: groups()
            .map(|(_, neg)| synthetic_threshold(neg))
            .fold(synthetic_threshold(&neg), f64::max)
            .max(0.5),
        likely_authentic: groups()
            .map(|(pos, _)| authentic_threshold(pos))
            .fold(authentic_threshold(&pos), f64::min)
            .min(0.5),
        synthetic_below_authentic: f64::NAN,
    };
    let metrics_of = |(pos, neg): &(Vec<f64>, Vec<f64>)| ConditionMetrics {
        auc: metrics::auc(&to32(pos), &to32(neg)).unwrap_or(f64::NAN),
        tpr_at_1pct_fpr: metrics::tpr_at_fpr(pos, neg, 0.01),
        tpr_at_5pct_fpr: metrics::tpr_at_fpr(pos, neg, 0.05),
        synthetic_below_authentic: share(pos, |p| p <= thresholds.likely_authentic),
        real_above_synthetic: share(neg, |p| p >= thresholds.likely_synthetic),
    };
    let per_condition: Vec<ConditionMetrics> = by_condition.iter().map(metrics_of).collect();
    let per_encoder = families
        .iter()
        .zip(&by_encoder)
        .map(|(f, probs)| (f.to_string(), metrics_of(probs)))
        .collect::<Vec<_>>();
    let thresholds = Thresholds {
        synthetic_below_authentic: per_condition
            .iter()
            .chain(per_encoder.iter().map(|(_, m)| m))
            .map(|m| m.synthetic_below_authentic)
            .fold(share(&pos, |p| p <= thresholds.likely_authentic), f64::max),
        ..thresholds
    };
    let all: Vec<&Sample> = samples.iter().collect();
    let core = fit_core(names, &all, lambda).ok_or("the fit did not converge")?;
    let synthetic_samples = labels.iter().filter(|&&l| l).count();
    Ok(Model {
        format: FORMAT.into(),
        version: VERSION,
        features: core.scales,
        weights: core.logistic.weights,
        bias: core.logistic.bias,
        lambda,
        platt,
        thresholds,
        training: Training {
            images: images.len(),
            samples: samples.len(),
            rows: samples.iter().map(|s| s.rows.len()).sum(),
            synthetic_samples,
            conditions,
            digest,
            cross_validation: CvMetrics {
                folds,
                auc,
                tpr_at_1pct_fpr: metrics::tpr_at_fpr(&pos, &neg, 0.01),
                tpr_at_5pct_fpr: metrics::tpr_at_fpr(&pos, &neg, 0.05),
                ece: metrics::expected_calibration_error(&probs, &labels, 10),
                per_condition,
                per_encoder,
                grouped_by: image_grouping(),
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 2] = ["signal", "gappy"];
    const FIVE: Validation = Validation {
        folds: 5,
        hold_out_encoders: true,
    };

    /// Two features: "signal" separates the classes noisily, "gappy" is
    /// missing in a third of the samples.
    fn samples(n: usize) -> Vec<Sample> {
        let mut s = 11u64;
        let mut next = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f32 / (1u64 << 53) as f32
        };
        (0..n)
            .map(|group| {
                let synthetic = group % 2 == 0;
                let signal = if synthetic { 1.0 } else { 0.0 } + 1.2 * next();
                let gappy = if group % 3 == 0 { f32::NAN } else { next() };
                // Every fourth image has a second, noisier window.
                let mut rows = vec![vec![signal, gappy]];
                if group % 4 == 1 {
                    rows.push(vec![signal + next() - 0.5, gappy]);
                }
                Sample {
                    group,
                    fold: group,
                    condition: 0,
                    encoder: None,
                    synthetic,
                    rows,
                }
            })
            .collect()
    }

    #[test]
    fn the_embedded_model_parses_and_covers_every_pixel_feature() {
        let m = Model::embedded();
        let names: Vec<&str> = m.features.iter().map(|s| s.name.as_str()).collect();
        let wanted = [
            "spectrum_tail_decay",
            "block_grid",
            "residual_kurtosis",
            "npr_ratio",
            "cfa_score",
            "local_noise_outliers",
        ];
        for w in wanted {
            assert!(names.contains(&w), "{w} missing from {names:?}");
        }
        assert!(m.thresholds.likely_synthetic > m.thresholds.likely_authentic);
        assert!(
            m.id().starts_with("v1-") && m.id().len() == 15,
            "{}",
            m.id()
        );
    }

    #[test]
    fn trains_calibrates_and_round_trips_through_json() {
        let data = samples(200);
        let m = train(&NAMES, &data, 1.0, FIVE, vec!["a".into()], "digest".into()).unwrap();
        assert_eq!((m.training.samples, m.training.rows), (200, 250));
        // What training scores (the mean of a sample's rows' scores) is what
        // analysis scores (the score of its mean row).
        let named =
            |row: &[f32]| -> Vec<(&str, f32)> { NAMES.into_iter().zip(row.to_vec()).collect() };
        let two = &data[1];
        assert_eq!(two.rows.len(), 2);
        let mean_of_scores = two.rows.iter().map(|r| m.score(&named(r))).sum::<f64>() / 2.0;
        let diff = m.score(&named(&two.mean_row())) - mean_of_scores;
        assert!(diff.abs() < 1e-5, "{diff}");
        let cv = &m.training.cross_validation;
        assert!(cv.auc > 0.75 && cv.auc < 1.0, "{cv:?}");
        assert!(m.features[1].indicator && !m.features[0].indicator);
        assert_eq!(m.weights.len(), 3);
        assert!(m.weights[0] > 0.0);
        let high = m.probability(&[("signal", 2.0), ("gappy", 0.5)]);
        let low = m.probability(&[("signal", -0.5), ("gappy", f32::NAN)]);
        assert!(high > 0.8 && low < 0.2, "{high} {low}");
        assert_eq!(
            m.contributions(&[("signal", 2.0), ("gappy", 0.5)])[0].0,
            "signal"
        );
        assert!(m.thresholds.likely_synthetic >= 0.5 && m.thresholds.likely_authentic <= 0.5);
        // The promises the thresholds are chosen for, on held-out scores.
        let c = &cv.per_condition[0];
        assert!(
            c.synthetic_below_authentic <= SYNTHETIC_BELOW_AUTHENTIC_THRESHOLD,
            "{c:?}"
        );
        assert!(c.synthetic_below_authentic > 0.0, "{c:?}");
        assert_eq!(c.real_above_synthetic, 0.0);
        assert_eq!(
            m.thresholds.synthetic_below_authentic,
            c.synthetic_below_authentic
        );
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(Model::from_json(&json).unwrap(), m);
        assert!(Model::from_json("{}").is_err());
    }

    #[test]
    fn refuses_too_little_data_and_chance_models() {
        let err = train(&NAMES, &samples(30), 1.0, FIVE, vec![], String::new()).unwrap_err();
        assert!(err.contains("at least"), "{err}");
        // A feature unrelated to the label.
        let mut noise = samples(200);
        let mut state = 5u64;
        for s in &mut noise {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            s.rows = vec![vec![(state >> 40) as f32]];
        }
        assert!(train(&NAMES[..1], &noise, 1.0, FIVE, vec![], String::new()).is_err());
    }
}
