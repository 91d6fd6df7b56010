//! The ablation of docs/METHOD.md under the default model's validation:
//! folds keep every source whole, and each laundered sample is scored by
//! models trained without its encoder family. The pixel features of the
//! labelled sets are extracted once under the default conditions (as
//! delivered and three `wild` laundering draws per image), one row per
//! image (the mean of its windows, so that a row costs 26 fits of seconds),
//! in three views: as the model sees them; after a fixed normalising
//! resample (`resize:0.5:bilinear`, which overwrites the encoder's finest
//! traces with a known resampler's); and the difference between the image
//! and its own re-compression (`jpeg:90:jpeg-encoder`). Rows: the model;
//! each family alone (its transfer across encoders) and removed; the shift
//! views; models per condition; the learning curve.
//!
//! ```text
//! cargo run --release --example ablation -- ../shared/eval/dev/manifest.csv ../shared/eval/extra/manifest.csv
//! ```
//! Prints Markdown tables.

mod common;

use std::path::PathBuf;
use std::time::Instant;

use provenant::dataset::{self, Entry};
use provenant::model::features::pixel_features;
use provenant::model::training::{self, parse_conditions, Condition};
use provenant::model::{self, Sample, DEFAULT_LAMBDA};
use provenant::pixels::feature_names;
use provenant::stats;
use provenant::transform::{Step, Transform};
use provenant::Limits;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

/// The family of a feature.
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

/// Feature names and the samples (one row each) that hold their values.
struct Set<'a> {
    names: Vec<&'a str>,
    samples: Vec<Sample>,
}

impl<'a> Set<'a> {
    /// Only the features whose name is `wanted`.
    fn keep(&self, wanted: impl Fn(&str) -> bool) -> Set<'a> {
        let columns: Vec<usize> = (0..self.names.len())
            .filter(|&i| wanted(self.names[i]))
            .collect();
        Set {
            names: columns.iter().map(|&i| self.names[i]).collect(),
            samples: self
                .samples
                .iter()
                .map(|s| {
                    let mut kept = s.clone();
                    kept.rows = vec![columns.iter().map(|&i| s.rows[0][i]).collect()];
                    kept
                })
                .collect(),
        }
    }

    /// The samples of a random, class-stratified share of the images.
    fn subset(&self, share: f64, seed: u64) -> Set<'a> {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut chosen = Vec::new();
        for class in [false, true] {
            let mut groups: Vec<usize> = self
                .samples
                .iter()
                .filter(|s| s.synthetic == class)
                .map(|s| s.group)
                .collect();
            groups.dedup();
            rng.shuffle(&mut groups);
            let n = (share * groups.len() as f64).round() as usize;
            chosen.extend(groups.into_iter().take(n));
        }
        Set {
            names: self.names.clone(),
            samples: self
                .samples
                .iter()
                .filter(|s| chosen.contains(&s.group))
                .cloned()
                .collect(),
        }
    }

    /// One table row: the held-out scores of a logistic model fitted on
    /// the training samples `pick` keeps (all by default), and if `other`
    /// is given, laundered samples scored by a second model fitted on the
    /// samples `other` keeps.
    fn row(&self, label: &str, pick: fn(&Sample) -> bool, other: Option<fn(&Sample) -> bool>) {
        let start = Instant::now();
        let fit = |train: &[&Sample], keep: fn(&Sample) -> bool| {
            let train: Vec<&Sample> = train.iter().copied().filter(|s| keep(s)).collect();
            model::fit_scorer(&self.names, &train, DEFAULT_LAMBDA)
        };
        let scores = model::held_out_scores(&self.samples, common::VALIDATION, |train| {
            let first = fit(train, pick)?;
            let second = match other {
                Some(keep) => Some(fit(train, keep)?),
                None => None,
            };
            Some(move |s: &Sample| match &second {
                Some(f) if s.encoder.is_some() => f(s),
                _ => first(s),
            })
        });
        match scores {
            Some(scores) => common::row(
                label,
                self.names.len(),
                &self.samples,
                &scores,
                start.elapsed().as_secs_f64(),
            ),
            None => println!("| {label} | {} | the fit failed |", self.names.len()),
        }
    }
}

/// Every training sample.
fn any(_: &Sample) -> bool {
    true
}

/// A sample as delivered.
fn delivered(s: &Sample) -> bool {
    s.encoder.is_none()
}

/// A laundered sample.
fn laundered(s: &Sample) -> bool {
    s.encoder.is_some()
}

/// For every entry under every condition, one mean row per view: the
/// condition's transform followed by each of `views`' steps. A sample is
/// kept where every view could be analysed.
fn extract(
    entries: &[Entry],
    root: &std::path::Path,
    conditions: &[Condition],
    views: &[&[Step]],
) -> Vec<Vec<Sample>> {
    let limits = Limits::default();
    let per_entry: Vec<Vec<Vec<Sample>>> = entries
        .par_iter()
        .enumerate()
        .map(|(group, e)| {
            let Ok(bytes) = std::fs::read(root.join(&e.file)) else {
                return Vec::new();
            };
            let sha = Sha256::digest(&bytes);
            conditions
                .iter()
                .enumerate()
                .filter_map(|(condition, c)| {
                    let t = c.transform_for(&sha);
                    views
                        .iter()
                        .map(|steps| {
                            let mut v = t.clone();
                            v.steps.extend_from_slice(steps);
                            let rows = pixel_features(&bytes, &v, &limits).ok()?;
                            let mean = stats::mean_rows(&rows, rows.first().map_or(0, Vec::len));
                            Some(Sample::new(
                                group,
                                condition,
                                t.encoder_family(),
                                e.synthetic,
                                vec![mean],
                            ))
                        })
                        .collect::<Option<Vec<Sample>>>()
                })
                .collect()
        })
        .collect();
    (0..views.len())
        .map(|v| per_entry.iter().flatten().map(|s| s[v].clone()).collect())
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifests: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let (entries, root) = dataset::read_manifests(&manifests, None)?;
    let conditions = parse_conditions(training::DEFAULT_CONDITIONS)?;
    let start = Instant::now();
    let normalise = "resize:0.5:bilinear".parse::<Transform>()?.steps;
    let recompress = "jpeg:90:jpeg-encoder".parse::<Transform>()?.steps;
    let mut views = extract(
        &entries,
        &root,
        &conditions,
        &[&[], &normalise, &recompress],
    );
    let fold_of = dataset::folds(
        &entries,
        common::VALIDATION.folds,
        dataset::Grouping::Source,
    );
    for v in &mut views {
        training::assign_folds(v, &fold_of);
    }
    let [plain, normalised, recompressed] =
        <[Vec<Sample>; 3]>::try_from(views).map_err(|_| "three views")?;
    eprintln!(
        "{} samples of {} images in three views, extracted in {:.0} s",
        plain.len(),
        entries.len(),
        start.elapsed().as_secs_f64()
    );
    let names = feature_names().to_vec();
    let all = Set {
        names: names.clone(),
        samples: plain,
    };
    println!("One row per image, λ = {DEFAULT_LAMBDA}, source- and encoder-held-out\n");
    common::header("features", &common::families(&all.samples));
    all.row("all", any, None);
    all.keep(|n| !compression_history(n)).row(
        "all but compression history (block grid, period-8 peak)",
        any,
        None,
    );
    for f in ["simple", "SPAM", "colour SPAM", "SRM", "cross-channel"] {
        all.keep(|n| family(n) == f)
            .row(&format!("{f} alone"), any, None);
    }
    for f in ["simple", "SPAM", "colour SPAM", "SRM", "cross-channel"] {
        all.keep(|n| family(n) != f)
            .row(&format!("all but {f}"), any, None);
    }

    println!("\nShift: views and models per condition\n");
    common::header("model", &common::families(&all.samples));
    Set {
        names: names.clone(),
        samples: normalised,
    }
    .row("all, after resize:0.5:bilinear", any, None);
    let difference: Vec<Sample> = all
        .samples
        .iter()
        .zip(&recompressed)
        .map(|(a, b)| {
            let mut difference = a.clone();
            difference.rows = vec![a.rows[0]
                .iter()
                .zip(&b.rows[0])
                .map(|(x, y)| x - y)
                .collect()];
            difference
        })
        .collect();
    let difference_names: Vec<String> = names.iter().map(|n| format!("recompressed_{n}")).collect();
    let difference = Set {
        names: difference_names.iter().map(String::as_str).collect(),
        samples: difference,
    };
    difference.row("image − its jpeg:90:jpeg-encoder re-compression", any, None);
    Set {
        names: names
            .iter()
            .copied()
            .chain(difference.names.iter().copied())
            .collect(),
        samples: all
            .samples
            .iter()
            .zip(&difference.samples)
            .map(|(a, d)| {
                let mut both = a.clone();
                both.rows = vec![a.rows[0].iter().chain(&d.rows[0]).copied().collect()];
                both
            })
            .collect(),
    }
    .row("all and the re-compression difference", any, None);
    all.row("trained as delivered only", delivered, None);
    all.row("trained laundered only", laundered, None);
    all.row(
        "one model per condition, chosen by the true condition",
        delivered,
        Some(laundered),
    );

    println!("\nLearning curve (all features, share of the images, seed 1)\n");
    common::header("share", &common::families(&all.samples));
    for share in [0.25, 0.5, 0.75] {
        all.subset(share, 1).row(&format!("{share}"), any, None);
    }
    all.row("1.0", any, None);
    Ok(())
}
