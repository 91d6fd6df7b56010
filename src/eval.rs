//! Measuring the tool on a labelled set (`provenant eval`): every file of a
//! manifest is analysed, optionally after an in-memory transform, and its
//! verdict and score compared with its label.
//!
//! The score of a file is 1 for `declared-synthetic`, 0 for
//! `verified-authentic`, else the pixel model's calibrated P(synthetic);
//! files without one (too small, not decodable, no model) are counted but
//! left out of the score metrics. Files are analysed in parallel and the
//! results kept in manifest order, so the output does not depend on the
//! number of threads.
//!
//! [`cross_validate`] measures the whole pipeline on the set a model is
//! trained from (the default model's dev set) without testing on training
//! images: each file is scored by a model fitted on the other folds.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::dataset::{Entry, Grouping};
use crate::decide::Verdict;
use crate::error::{Error, Result};
use crate::input;
use crate::model::{metrics, Sample};
use crate::pipeline::Analyzer;
use crate::record::FileReport;
use crate::transform::Transform;

/// Decimal places kept for rates and scores in the output.
const DECIMALS: i32 = 4;

/// A count out of a total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Rate {
    /// How many.
    pub count: usize,
    /// Out of.
    pub of: usize,
}

impl Rate {
    /// The share (0 when `of` is 0).
    pub fn share(self) -> f64 {
        if self.of == 0 {
            0.0
        } else {
            self.count as f64 / self.of as f64
        }
    }
}

/// Verdict counts of one label and source (generator or camera).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SourceRow {
    /// `real` or `synthetic`.
    pub label: &'static str,
    /// The manifest's `generator_or_camera`, or `unknown`.
    pub source: String,
    /// Files.
    pub files: usize,
    /// Mean score of the scored files.
    pub mean_score: Option<f64>,
    /// Files per verdict.
    pub verdicts: BTreeMap<&'static str, usize>,
}

/// A file that could not be evaluated cleanly.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Failure {
    /// Path from the manifest.
    pub file: String,
    /// What went wrong (the first error of its report).
    pub error: String,
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Evaluation {
    /// The transform applied before analysis (`as-is` for none).
    pub transform: String,
    /// The model used, if any (see `Model::id`).
    pub model: Option<String>,
    /// Files in the manifest.
    pub files: usize,
    /// Files with a score.
    pub scored: usize,
    /// Area under the ROC curve of the scores.
    pub auc: Option<f64>,
    /// Share of scored files on the right side of 0.5.
    pub accuracy: Option<f64>,
    /// Synthetic files caught when at most 1 % of real ones are flagged.
    pub tpr_at_1pct_fpr: Option<f64>,
    /// The same at 5 %.
    pub tpr_at_5pct_fpr: Option<f64>,
    /// Expected calibration error of the scores (10 bins).
    pub ece: Option<f64>,
    /// Real files called `likely-synthetic` or `declared-synthetic`.
    pub real_called_synthetic: Rate,
    /// Synthetic files called `likely-authentic` or `verified-authentic`.
    pub synthetic_called_authentic: Rate,
    /// Declared verdicts (`declared-synthetic`, `verified-authentic`) that
    /// match the label.
    pub declared_correct: Rate,
    /// Files per label and verdict.
    pub confusion: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
    /// Per label and source.
    pub sources: Vec<SourceRow>,
    /// Files that could not be read or transformed: no verdict.
    pub failed: usize,
    /// Files with an error in their report (including the failed ones).
    pub failures: Vec<Failure>,
    /// The ROC curve: (false-positive rate, true-positive rate) points.
    pub roc: Vec<[f64; 2]>,
}

/// Running counts of one source.
#[derive(Default)]
struct Tally {
    files: usize,
    scores: Vec<f64>,
    verdicts: BTreeMap<&'static str, usize>,
}

/// What one file gave.
struct Outcome {
    verdict: Option<Verdict>,
    score: Option<f64>,
    error: Option<String>,
}

fn label(synthetic: bool) -> &'static str {
    if synthetic {
        "synthetic"
    } else {
        "real"
    }
}

fn round(v: f64) -> f64 {
    let k = 10f64.powi(DECIMALS);
    (v * k).round() / k
}

/// A report's score (see the module documentation).
pub fn score(r: &FileReport) -> Option<f64> {
    match r.verdict {
        Verdict::DeclaredSynthetic => Some(1.0),
        Verdict::VerifiedAuthentic => Some(0.0),
        _ => r.synthetic_probability,
    }
}

/// Evaluates every entry under `transform` with the configuration's model;
/// `config.strip` is set from the transform.
pub fn evaluate(
    entries: &[Entry],
    root: &Path,
    transform: &Transform,
    mut config: Config,
) -> Result<Evaluation> {
    config.strip = transform.strip;
    let model = config.model.as_ref().map(|m| m.id());
    let analyzer = Analyzer::new(config)?;
    let one_fold = vec![0; entries.len()];
    Ok(run(entries, root, transform, &[analyzer], &one_fold, model))
}

/// How `cross_validate` retrains.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Retraining {
    /// Number of folds.
    pub folds: usize,
    /// What the folds keep apart.
    pub grouping: Grouping,
    /// L2 penalty.
    pub lambda: f64,
    /// Also leave out of training every sample laundered by the encoder
    /// family of the transform's last lossy step: encoder-held-out.
    pub hold_out_encoder: bool,
}

impl Retraining {
    /// `folds` folds drawn by `grouping`, with the default penalty
    /// ([`crate::model::DEFAULT_LAMBDA`]) and no encoder held out.
    pub fn new(folds: usize, grouping: Grouping) -> Self {
        Retraining {
            folds,
            grouping,
            lambda: crate::model::DEFAULT_LAMBDA,
            hold_out_encoder: false,
        }
    }
}

/// Evaluates every entry under `transform`, each with a model trained (like
/// `provenant calibrate`, same conditions) on the entries of the other
/// folds, the folds drawn by image or by source ([`crate::dataset::folds`]),
/// and if asked without the transform's encoder.
pub fn cross_validate(
    entries: &[Entry],
    root: &Path,
    transform: &Transform,
    mut config: Config,
    retraining: Retraining,
) -> Result<Evaluation> {
    use crate::model::training;
    let Retraining {
        folds,
        grouping,
        lambda,
        hold_out_encoder,
    } = retraining;
    let folds = folds.max(2);
    config.strip = transform.strip;
    let conditions = training::parse_conditions(training::DEFAULT_CONDITIONS)
        .map_err(|e| Error::Config(e.to_string()))?;
    let names: Vec<String> = conditions.iter().map(training::Condition::name).collect();
    let mut set = training::extract(entries, root, &conditions, &config.limits);
    let fold_of = crate::dataset::folds(entries, folds, grouping);
    training::assign_folds(&mut set.samples, &fold_of);
    let held_out = transform.encoder_family().filter(|_| hold_out_encoder);
    let analyzers = (0..folds)
        .map(|k| {
            let train: Vec<Sample> = set
                .samples
                .iter()
                .filter(|s| s.fold % folds != k && (held_out.is_none() || s.encoder != held_out))
                .cloned()
                .collect();
            let model = crate::model::train(
                crate::pixels::feature_names(),
                &train,
                lambda,
                // Source-held-out inner folds; encoders are held out
                // outside, by `hold_out_encoder` (26 fits per fold else).
                crate::model::Validation {
                    folds,
                    hold_out_encoders: false,
                },
                names.clone(),
                set.digest.clone(),
            )
            .map_err(|e| Error::Config(format!("fold {k}: {e}")))?;
            Analyzer::new(Config {
                model: Some(model),
                ..config.clone()
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let by = match grouping {
        Grouping::Image => "image",
        Grouping::Source => "source",
    };
    let without = held_out.map_or(String::new(), |f| format!(", without the {f} encoder"));
    let label =
        format!("cross-validated: {folds} folds grouped by {by}, retrained on this set{without}");
    Ok(run(
        entries,
        root,
        transform,
        &analyzers,
        &fold_of,
        Some(label),
    ))
}

/// Analyses entry `i` with `analyzers[fold_of[i] % analyzers.len()]`, in
/// parallel, and summarises.
fn run(
    entries: &[Entry],
    root: &Path,
    transform: &Transform,
    analyzers: &[Analyzer],
    fold_of: &[usize],
    model: Option<String>,
) -> Evaluation {
    let outcomes: Vec<Outcome> = entries
        .par_iter()
        .zip(fold_of)
        .map(|(e, &fold)| {
            let analyzer = &analyzers[fold % analyzers.len()];
            evaluate_one(analyzer, &root.join(&e.file), &e.file, transform)
        })
        .collect();
    summarise(entries, &outcomes, transform, model)
}

fn evaluate_one(analyzer: &Analyzer, path: &Path, name: &str, transform: &Transform) -> Outcome {
    let failed = |error: String| Outcome {
        verdict: None,
        score: None,
        error: Some(error),
    };
    let limits = &analyzer.config().limits;
    let report = match input::read_file(path, limits.max_file_bytes) {
        Err(e) => return failed(format!("read: {e}")),
        Ok(inp) if transform.steps.is_empty() => analyzer.run(name, inp).report,
        Ok(inp) => match transform.apply_to_bytes(&inp.bytes, limits) {
            Ok(bytes) => analyzer.analyze_bytes(name, &bytes),
            Err(e) => return failed(format!("transform: {e}")),
        },
    };
    Outcome {
        verdict: Some(report.verdict),
        score: score(&report),
        error: report
            .errors
            .first()
            .map(|e| format!("{}: {}", e.stage, e.message)),
    }
}

fn summarise(
    entries: &[Entry],
    outcomes: &[Outcome],
    transform: &Transform,
    model: Option<String>,
) -> Evaluation {
    let scores = |synthetic: bool| -> Vec<f64> {
        entries
            .iter()
            .zip(outcomes)
            .filter(|(e, _)| e.synthetic == synthetic)
            .filter_map(|(_, o)| o.score)
            .collect()
    };
    let (pos, neg) = (scores(true), scores(false));
    let scored = pos.len() + neg.len();
    let both = !pos.is_empty() && !neg.is_empty();
    let to_f32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let auc = metrics::auc(&to_f32(&pos), &to_f32(&neg));
    let correct =
        pos.iter().filter(|&&p| p >= 0.5).count() + neg.iter().filter(|&&p| p < 0.5).count();
    let (probabilities, labels): (Vec<f64>, Vec<bool>) = pos
        .iter()
        .map(|&p| (p, true))
        .chain(neg.iter().map(|&p| (p, false)))
        .unzip();

    let mut confusion: BTreeMap<&'static str, BTreeMap<&'static str, usize>> = BTreeMap::new();
    let mut sources: BTreeMap<(&'static str, String), Tally> = BTreeMap::new();
    let mut real_called_synthetic = Rate::default();
    let mut synthetic_called_authentic = Rate::default();
    let mut declared_correct = Rate::default();
    let mut failures = Vec::new();
    for (e, o) in entries.iter().zip(outcomes) {
        if let Some(error) = &o.error {
            failures.push(Failure {
                file: e.file.clone(),
                error: error.clone(),
            });
        }
        let verdict = o.verdict.map_or("failed", Verdict::as_str);
        *confusion
            .entry(label(e.synthetic))
            .or_default()
            .entry(verdict)
            .or_default() += 1;
        let source = e.source.clone().unwrap_or_else(|| "unknown".into());
        let row = sources.entry((label(e.synthetic), source)).or_default();
        row.files += 1;
        row.scores.extend(o.score);
        *row.verdicts.entry(verdict).or_default() += 1;
        let Some(v) = o.verdict else { continue };
        let (says_synthetic, says_authentic) = (
            matches!(v, Verdict::LikelySynthetic | Verdict::DeclaredSynthetic),
            matches!(v, Verdict::LikelyAuthentic | Verdict::VerifiedAuthentic),
        );
        let rate = if e.synthetic {
            synthetic_called_authentic.count += usize::from(says_authentic);
            &mut synthetic_called_authentic
        } else {
            real_called_synthetic.count += usize::from(says_synthetic);
            &mut real_called_synthetic
        };
        rate.of += 1;
        if matches!(v, Verdict::DeclaredSynthetic | Verdict::VerifiedAuthentic) {
            declared_correct.of += 1;
            declared_correct.count += usize::from((v == Verdict::DeclaredSynthetic) == e.synthetic);
        }
    }
    Evaluation {
        transform: crate::model::training::condition_name(transform),
        model,
        files: entries.len(),
        scored,
        auc: auc.map(round),
        accuracy: (scored > 0).then(|| round(correct as f64 / scored as f64)),
        tpr_at_1pct_fpr: both.then(|| round(metrics::tpr_at_fpr(&pos, &neg, 0.01))),
        tpr_at_5pct_fpr: both.then(|| round(metrics::tpr_at_fpr(&pos, &neg, 0.05))),
        ece: (scored > 0).then(|| {
            round(metrics::expected_calibration_error(
                &probabilities,
                &labels,
                10,
            ))
        }),
        real_called_synthetic,
        synthetic_called_authentic,
        declared_correct,
        confusion,
        sources: sources
            .into_iter()
            .map(
                |(
                    (label, source),
                    Tally {
                        files,
                        scores: s,
                        verdicts,
                    },
                )| SourceRow {
                    label,
                    source,
                    files,
                    mean_score: (!s.is_empty())
                        .then(|| round(s.iter().sum::<f64>() / s.len() as f64)),
                    verdicts,
                },
            )
            .collect(),
        failed: outcomes.iter().filter(|o| o.verdict.is_none()).count(),
        failures,
        roc: if both { roc(&pos, &neg) } else { Vec::new() },
    }
}

/// The ROC curve of scores: one point per distinct threshold, from (0, 0)
/// to (1, 1).
pub fn roc(positives: &[f64], negatives: &[f64]) -> Vec<[f64; 2]> {
    let mut all: Vec<(f64, bool)> = positives
        .iter()
        .map(|&p| (p, true))
        .chain(negatives.iter().map(|&n| (n, false)))
        .collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (np, nn) = (positives.len() as f64, negatives.len() as f64);
    let mut points = vec![[0.0, 0.0]];
    let (mut tp, mut fp) = (0.0, 0.0);
    for (i, (score, positive)) in all.iter().enumerate() {
        if *positive {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        if all.get(i + 1).is_none_or(|next| next.0 != *score) {
            points.push([round(fp / nn), round(tp / np)]);
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roc_steps_through_ties_to_the_corner() {
        let r = roc(&[0.9, 0.6, 0.6], &[0.6, 0.1]);
        assert_eq!(r, vec![[0.0, 0.0], [0.0, 0.3333], [0.5, 1.0], [1.0, 1.0]]);
    }

    #[test]
    fn summary_counts_verdicts_rates_and_failures() {
        let entry = |file: &str, synthetic: bool| Entry {
            file: file.into(),
            synthetic,
            source: Some(if synthetic { "gen" } else { "cam" }.into()),
            sha256: None,
            group: String::new(),
        };
        let outcome = |verdict: Option<Verdict>, score: Option<f64>| Outcome {
            verdict,
            score,
            error: verdict.is_none().then(|| "read: gone".to_string()),
        };
        let entries = [
            entry("a", true),
            entry("b", true),
            entry("c", false),
            entry("d", false),
            entry("e", false),
        ];
        let outcomes = [
            outcome(Some(Verdict::DeclaredSynthetic), Some(1.0)),
            outcome(Some(Verdict::LikelyAuthentic), Some(0.2)),
            outcome(Some(Verdict::LikelyAuthentic), Some(0.1)),
            outcome(Some(Verdict::LikelySynthetic), Some(0.9)),
            outcome(None, None),
        ];
        let e = summarise(&entries, &outcomes, &Transform::default(), None);
        assert_eq!((e.files, e.scored), (5, 4));
        // Pairs (synthetic, real): (1, .1) (1, .9) (.2, .1) right, (.2, .9) wrong.
        assert_eq!(e.auc, Some(0.75));
        assert_eq!(e.accuracy, Some(0.5));
        assert_eq!(e.real_called_synthetic, Rate { count: 1, of: 2 });
        assert_eq!(e.synthetic_called_authentic, Rate { count: 1, of: 2 });
        assert_eq!(e.declared_correct, Rate { count: 1, of: 1 });
        assert_eq!(e.confusion["real"]["failed"], 1);
        assert_eq!(e.failures.len(), 1);
        assert_eq!(e.sources.len(), 2);
        assert_eq!(e.sources[0].mean_score, Some(0.5));
        assert_eq!(e.transform, "as-is");
    }
}
