//! Building a training set from a labelled manifest: every image under every
//! condition (as delivered, and laundered in memory), features extracted in
//! parallel, in manifest order.

use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::config::Limits;
use crate::dataset::Entry;
use crate::input;
use crate::model::features::pixel_features;
use crate::model::Sample;
use crate::transform::Transform;

/// The conditions used when none are given: as delivered, re-encoded at
/// JPEG q90, halved then JPEG q80. Training on all three keeps the model from
/// learning the container (camera JPEG vs generator PNG).
pub const DEFAULT_CONDITIONS: &str = "as-is,jpeg:90,resize:0.5+jpeg:80";

/// Parses a comma-separated list of conditions; `as-is` is no transform.
pub fn parse_conditions(list: &str) -> Result<Vec<Transform>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            if c == "as-is" {
                Ok(Transform::default())
            } else {
                c.parse()
            }
        })
        .collect()
}

/// A condition's name: its transform, or `as-is`.
pub fn condition_name(t: &Transform) -> String {
    if t.is_identity() {
        "as-is".into()
    } else {
        t.to_string()
    }
}

/// Samples of a manifest (feature values in [`feature_names`](crate::signals::pixels::feature_names)
/// order), the files that gave none (with why), and a digest
/// of what was used (SHA-256 over each used file's SHA-256, label and the
/// conditions).
#[derive(Debug)]
pub struct TrainingSet {
    /// One sample per usable image and condition.
    pub samples: Vec<Sample>,
    /// Files left out, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Hex SHA-256 of the training list.
    pub digest: String,
}

/// Sets every sample's fold to that of its image (`fold_of`, one per
/// entry, from [`crate::dataset::folds`]), for source-held-out validation.
pub fn assign_folds(samples: &mut [Sample], fold_of: &[usize]) {
    for s in samples {
        s.fold = fold_of.get(s.group).copied().unwrap_or(s.group);
    }
}

/// Extracts the features of every entry under every condition.
pub fn extract(
    entries: &[Entry],
    root: &Path,
    conditions: &[Transform],
    limits: &Limits,
) -> TrainingSet {
    let per_entry: Vec<Result<(String, Vec<Sample>), String>> = entries
        .par_iter()
        .enumerate()
        .map(|(group, e)| {
            let bytes = std::fs::read(root.join(&e.file)).map_err(|err| err.to_string())?;
            let sha = input::hex(&Sha256::digest(&bytes));
            // A condition may fail alone (halving a 100-pixel image leaves it
            // too small): the others still count.
            let mut samples = Vec::new();
            let mut why = String::new();
            for (condition, t) in conditions.iter().enumerate() {
                match pixel_features(&bytes, t, limits) {
                    Ok(rows) => samples.push(Sample {
                        group,
                        fold: group,
                        condition,
                        synthetic: e.synthetic,
                        rows,
                    }),
                    Err(err) => why = err,
                }
            }
            if samples.is_empty() {
                return Err(why);
            }
            Ok((sha, samples))
        })
        .collect();
    let mut hasher = Sha256::new();
    for c in conditions {
        hasher.update(condition_name(c).as_bytes());
        hasher.update(b"\n");
    }
    let (mut samples, mut skipped) = (Vec::new(), Vec::new());
    for (e, result) in entries.iter().zip(per_entry) {
        match result {
            Ok((sha, s)) => {
                hasher.update(format!(
                    "{sha},{}\n",
                    if e.synthetic { "synthetic" } else { "real" }
                ));
                samples.extend(s);
            }
            Err(why) => skipped.push((e.file.clone(), why)),
        }
    }
    TrainingSet {
        samples,
        skipped,
        digest: input::hex(&hasher.finalize()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_parse_and_print() {
        let c = parse_conditions(DEFAULT_CONDITIONS).unwrap();
        let names: Vec<String> = c.iter().map(condition_name).collect();
        assert_eq!(names, ["as-is", "jpeg:90", "resize:0.5+jpeg:80"]);
        assert!(parse_conditions("as-is,blur:3").is_err());
    }
}
