//! The model end to end on the dev set: the embedded default model is
//! reproducible from it, and the whole pipeline's cross-validated verdicts
//! meet the targets that hold today (see docs/METHOD.md for those that don't).

use provenant::eval;
use provenant::model::{self, training, Model};
use provenant::transform::Transform;
use provenant::{Config, Limits};

use crate::common::{dev_dir, extra_dir};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

#[test]
#[ignore = "slow (the whole of calibrate on dev + extra): .ci/run runs it apart"]
fn the_embedded_model_is_reproduced_by_calibrate_on_dev_and_extra() {
    use provenant::dataset;
    let manifests = [dev_dir(), extra_dir()].map(|d| d.join("manifest.csv"));
    let (entries, root) = dataset::read_manifests(&manifests, None).unwrap();
    let conditions = training::parse_conditions(training::DEFAULT_CONDITIONS).unwrap();
    let mut set = training::extract(&entries, &root, &conditions, &Limits::default());
    let fold_of = dataset::folds(&entries, 5, dataset::Grouping::Source);
    training::assign_folds(&mut set.samples, &fold_of);
    let names = conditions.iter().map(training::Condition::name).collect();
    let fitted = model::train(
        provenant::pixels::feature_names(),
        &set.samples,
        model::DEFAULT_LAMBDA,
        model::Validation::new(5, true),
        names,
        set.digest,
    )
    .unwrap();
    let embedded = Model::embedded();
    assert_eq!(fitted.training.digest, embedded.training.digest);
    assert_eq!(fitted.training.samples, embedded.training.samples);
    assert_eq!(fitted.training.rows, embedded.training.rows);
    assert_eq!(fitted.features.len(), embedded.features.len());
    // FFT code paths differ by CPU (SIMD), so allow rounding differences.
    let pairs = fitted
        .weights
        .iter()
        .zip(&embedded.weights)
        .chain([(&fitted.bias, &embedded.bias)])
        .chain(fitted.platt.iter().zip(&embedded.platt));
    for (a, b) in pairs {
        assert!(
            close(*a, *b),
            "{a} vs {b}: retrain with the command in docs/METHOD.md"
        );
    }
    assert!(close(
        fitted.thresholds.likely_synthetic,
        embedded.thresholds.likely_synthetic
    ));
    assert!(close(
        fitted.thresholds.likely_authentic,
        embedded.thresholds.likely_authentic
    ));
    assert_eq!(embedded.training.cross_validation.grouped_by, "source");
    // The pixel verdict likely-authentic keeps its promise in held-out
    // validation: at most 5 % of synthetic samples under it, per condition
    // and per encoder family left out.
    let cv = &embedded.training.cross_validation;
    assert!(cv.per_encoder.len() >= 4, "{:?}", cv.per_encoder);
    for m in cv
        .per_condition
        .iter()
        .chain(cv.per_encoder.iter().map(|(_, m)| m))
    {
        assert!(m.synthetic_below_authentic <= 0.05, "{m:?}");
        assert_eq!(m.real_above_synthetic, 0.0, "{m:?}");
    }
}

#[test]
fn cross_validated_verdicts_keep_real_photos_out_of_likely_synthetic() {
    let manifest = dev_dir().join("manifest.csv");
    let entries = provenant::dataset::read_manifest(&manifest).unwrap();
    let mut config = Config::default()
        .with_trust_anchors(&crate::common::official_trust_list())
        .unwrap();
    config.model = None;
    let e = eval::cross_validate(
        &entries,
        &dev_dir(),
        &Transform::default(),
        config,
        // 3 folds rather than the 5 of docs/METHOD.md: 12 fits instead of
        // 30, a third of the time, the same checks. Grouped by image on
        // dev alone (source-held-out on dev and extra takes 25 minutes):
        // the numbers below are optimistic, image-grouped ones.
        eval::Retraining::new(3, provenant::dataset::Grouping::Image),
    )
    .unwrap();
    assert_eq!(e.files, entries.len());
    assert_eq!(e.failed, 0);
    // Targets of the fusion issue that hold: at most 1% of real photos
    // called synthetic, every declared verdict right.
    assert!(
        e.real_called_synthetic.share() <= 0.01,
        "{:?}",
        e.real_called_synthetic
    );
    assert!(e.declared_correct.of >= 50);
    assert_eq!(e.declared_correct.count, e.declared_correct.of);
    // Above 0.975 with the wild training conditions; before them, measured
    // with 3 folds 0.985 (with 5: 0.986; target 0.97; 0.986 with
    // the SRM counted on every row, 0.984 before colour SPAM, 0.985 before the flat/busy cross-channel split, 0.976
    // with one training row per image, 0.929 with SPAM alone, 0.898 before).
    assert!(e.auc.unwrap() > 0.975, "{:?}", e.auc);
    let synthetic = &e.confusion["synthetic"];
    // Measured 37 with 3 folds, training on random laundering chains of
    // four JPEG encoders and WebP (60 when training on the image crate's
    // JPEG alone, 57 before colour SPAM, 43 with one row per image).
    assert!(
        synthetic.get("likely-synthetic").copied().unwrap_or(0) >= 30,
        "{synthetic:?}"
    );
}
