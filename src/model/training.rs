//! Building a training set from a labelled manifest: every image under every
//! condition (as delivered, and laundered in memory), features extracted in
//! parallel, in manifest order.

use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::dataset::{Entry, Grouping};
use crate::input;
use crate::limits::Limits;
use crate::model::features::pixel_features;
use crate::model::Sample;
use crate::transform::{Transform, TransformError};

/// The conditions used when none are given: as delivered, and three random
/// platform-like laundering chains per image ([`crate::transform::wild`]:
/// four JPEG implementations and lossy WebP, qualities 60-95, three
/// resamplers, caps, crops and double encodes). Training on laundered
/// copies keeps the model from learning the container (camera JPEG vs
/// generator PNG); drawing them at random keeps it from learning one
/// encoder.
pub const DEFAULT_CONDITIONS: &str = "as-is,wild:1,wild:2,wild:3";

/// How the training images are seen: a fixed transform, the same for every
/// image, or a random laundering chain drawn for each image.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Condition {
    /// The same transform for every image (`as-is` is none).
    Fixed(Transform),
    /// Draw `n` (written `wild:N`): a random chain per image, seeded by the
    /// image's SHA-256 and `n`, so calibrate is deterministic.
    Wild(u32),
}

impl Condition {
    /// The transform this condition applies to the image whose SHA-256 is
    /// `sha`.
    pub fn transform_for(&self, sha: &[u8]) -> Transform {
        match self {
            Condition::Fixed(t) => t.clone(),
            Condition::Wild(n) => {
                let mut seed = [0u8; 8];
                seed.copy_from_slice(sha.get(..8).unwrap_or(&[0; 8]));
                crate::transform::wild(
                    u64::from_le_bytes(seed) ^ u64::from(*n).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                )
            }
        }
    }

    /// Its name: `as-is`, the transform, or `wild:N`.
    pub fn name(&self) -> String {
        match self {
            Condition::Fixed(t) => condition_name(t),
            Condition::Wild(n) => format!("wild:{n}"),
        }
    }
}

/// A transform's name as a condition: the transform, or `as-is`.
pub(crate) fn condition_name(t: &Transform) -> String {
    if t.is_identity() {
        "as-is".into()
    } else {
        t.to_string()
    }
}

/// Parses a comma-separated list of conditions: `as-is`, `wild:N`, or a
/// transform.
pub fn parse_conditions(list: &str) -> Result<Vec<Condition>, TransformError> {
    list.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| match c.strip_prefix("wild:") {
            _ if c == "as-is" => Ok(Condition::Fixed(Transform::default())),
            Some(n) => n.parse().map(Condition::Wild).map_err(|_| {
                TransformError::Syntax(format!("bad condition `{c}` (expected wild:N)"))
            }),
            None => c.parse().map(Condition::Fixed),
        })
        .collect()
}

/// Samples of a manifest (feature values in [`feature_names`](crate::pixels::feature_names)
/// order), the files that gave none (with why), and a digest
/// of what was used (SHA-256 over each used file's SHA-256, label and the
/// conditions).
#[derive(Debug)]
#[non_exhaustive]
pub struct TrainingSet {
    /// One sample per usable image and condition.
    pub samples: Vec<Sample>,
    /// Files left out, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Hex SHA-256 of the training list.
    pub digest: String,
}

/// [`extract`], then each sample's fold drawn by `grouping`
/// ([`crate::dataset::folds`], `folds` of them): the training set of
/// `calibrate` and of `eval --cross-validate`.
pub fn extract_in_folds(
    entries: &[Entry],
    root: &Path,
    conditions: &[Condition],
    limits: &Limits,
    folds: usize,
    grouping: Grouping,
) -> TrainingSet {
    let mut set = extract(entries, root, conditions, limits);
    assign_folds(
        &mut set.samples,
        &crate::dataset::folds(entries, folds, grouping),
    );
    set
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
    conditions: &[Condition],
    limits: &Limits,
) -> TrainingSet {
    let per_entry: Vec<Result<(String, Vec<Sample>), String>> = entries
        .par_iter()
        .enumerate()
        .map(|(group, e)| {
            // Read as analysis reads: a regular file, under the size limit.
            let bytes = input::read_file(&root.join(&e.file), limits.max_file_bytes)
                .map_err(|err| err.to_string())?
                .bytes;
            let digest = Sha256::digest(&bytes);
            // A condition may fail alone (halving a 100-pixel image leaves it
            // too small): the others still count.
            let mut samples = Vec::new();
            let mut why = String::new();
            for (condition, c) in conditions.iter().enumerate() {
                let t = c.transform_for(&digest);
                match pixel_features(&bytes, &t, limits) {
                    Ok(rows) => samples.push(Sample::new(
                        group,
                        condition,
                        t.encoder_family(),
                        e.synthetic,
                        rows,
                    )),
                    Err(err) => why = err.to_string(),
                }
            }
            if samples.is_empty() {
                return Err(why);
            }
            Ok((input::hex(&digest), samples))
        })
        .collect();
    let mut hasher = Sha256::new();
    for c in conditions {
        hasher.update(c.name().as_bytes());
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
        let c = parse_conditions("as-is, jpeg:90:libjpeg,wild:2").unwrap();
        let names: Vec<String> = c.iter().map(Condition::name).collect();
        assert_eq!(names, ["as-is", "jpeg:90:libjpeg", "wild:2"]);
        assert!(parse_conditions("as-is,blur:3").is_err());
        assert!(parse_conditions("wild:x").is_err());
        // A wild draw depends on the image and the draw, and only on them.
        let (a, b) = ([1u8; 32], [2u8; 32]);
        let draws: Vec<Transform> = (1..=8)
            .map(|n| Condition::Wild(n).transform_for(&a))
            .collect();
        assert_eq!(draws[0], Condition::Wild(1).transform_for(&a));
        assert!(draws.iter().any(|t| *t != draws[0]));
        assert!((1..=8).any(|n| Condition::Wild(n).transform_for(&b) != draws[n as usize - 1]));
        assert_eq!(c[1].transform_for(&a), c[1].transform_for(&b));
    }
}
