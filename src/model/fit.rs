//! Fitting a model: training samples, the held-out scoring by source fold
//! and encoder family, Platt calibration, the thresholds, the final fit.
//! Inference is the parent module's [`Model`].

use rayon::prelude::*;

use super::logistic::{sigmoid, Logistic};
use super::{
    image_grouping, metrics, standardise, ConditionMetrics, CvMetrics, Model, ModelError, Scale,
    Thresholds, Training, FORMAT, VERSION,
};

/// Default L2 penalty: in image-grouped cross-validation on dev, λ = 3, 10
/// and 30 gave the same AUC within 0.002 and 100 a lower one
/// (docs/METHOD.md); not re-tuned under source-held-out folds.
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
pub(crate) const REAL_ABOVE_SYNTHETIC_THRESHOLD: f64 = 0.0;
/// Largest share of synthetic images (cross-validated) allowed below the
/// `likely-authentic` threshold, over all samples and under each training
/// condition alone.
pub(crate) const SYNTHETIC_BELOW_AUTHENTIC_THRESHOLD: f64 = 0.05;

/// One training sample: an image under one condition, the image it comes
/// from (folds never split an image), its label, and one row of feature
/// values per analysis window (in the order of the names given to
/// [`train`]; NaN = missing). Every row is a training example; the
/// sample's score is the mean of its rows' scores, which for this linear
/// model is the score of the mean row, what analysis computes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Sample {
    /// Image index.
    pub group: usize,
    /// The validation fold key: the image index by default (so `fold %
    /// folds` draws folds by image), or a fold number from
    /// [`super::training::assign_folds`] (by source).
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
    /// Image `group` seen under `condition`, its folds drawn by image
    /// (`fold` = `group`) until [`super::training::assign_folds`] says otherwise.
    pub fn new(
        group: usize,
        condition: usize,
        encoder: Option<&'static str>,
        synthetic: bool,
        rows: Vec<Vec<f32>>,
    ) -> Self {
        Sample {
            group,
            fold: group,
            condition,
            encoder,
            synthetic,
            rows,
        }
    }

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

/// A scorer of samples fitted as the default model is (standardised on
/// `train`, L2 logistic regression on every row, a sample's score the mean
/// of its rows'), for [`held_out_scores`]; `None` if the fit fails.
pub fn fit_scorer(
    names: &[&str],
    train: &[&Sample],
    lambda: f64,
) -> Option<impl Fn(&Sample) -> f64 + Send> {
    let core = fit_core(names, train, lambda)?;
    Some(move |s: &Sample| core.score(s))
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
#[non_exhaustive]
pub struct Validation {
    /// Folds, drawn by the samples' fold keys.
    pub folds: usize,
    /// Score each laundered sample with models trained without its encoder
    /// family (one fit per fold and family instead of one per fold).
    pub hold_out_encoders: bool,
}

impl Validation {
    /// `folds` folds, encoder-held-out or not.
    pub const fn new(folds: usize, hold_out_encoders: bool) -> Self {
        Validation {
            folds,
            hold_out_encoders,
        }
    }
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
/// image unless [`super::training::assign_folds`] grouped them by source), each
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
) -> Result<Model, ModelError> {
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
            return Err(ModelError::TooFewImages {
                found: n,
                class: name,
                needed: MIN_PER_CLASS,
            });
        }
    }
    let oof = held_out_scores(samples, validation, |train| {
        fit_scorer(names, train, lambda)
    })
    .ok_or(ModelError::NoConvergence { what: "fit" })?;
    let labels: Vec<bool> = samples.iter().map(|s| s.synthetic).collect();
    let platt_fit = Logistic::fit(
        &oof.iter().map(|&v| vec![v]).collect::<Vec<_>>(),
        &labels,
        1e-6,
    )
    .ok_or(ModelError::NoConvergence {
        what: "calibration",
    })?;
    let platt = [platt_fit.weights[0], platt_fit.bias];
    if platt[0] <= 0.0 {
        return Err(ModelError::Inverted);
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
    if auc < MIN_AUC {
        return Err(ModelError::TooWeak {
            auc,
            needed: MIN_AUC,
        });
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
    let core = fit_core(names, &all, lambda).ok_or(ModelError::NoConvergence { what: "fit" })?;
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
