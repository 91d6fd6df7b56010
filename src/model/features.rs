//! The model's inputs: the named pixel features of an image, optionally
//! after an in-memory transform (how images are laundered in the wild).

use crate::decode::{self, DecodeError};
use crate::input::Format;
use crate::limits::Limits;
use crate::pixels::{self, TooSmall};
use crate::transform::{Transform, TransformError};

/// Why an image gave no features.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FeatureError {
    /// The image (or its transform) could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The transform could not be applied.
    #[error(transparent)]
    Transform(#[from] TransformError),
    /// The pixels are too few to analyse.
    #[error(transparent)]
    TooSmall(#[from] TooSmall),
}

/// Decodes `bytes`, applies `transform` (none if empty), and returns the
/// pixel features, one row per analysis window in
/// [`pixels::feature_names`] order; an error if the pixels cannot be
/// decoded or analysed.
pub fn pixel_features(
    bytes: &[u8],
    transform: &Transform,
    limits: &Limits,
) -> Result<Vec<Vec<f32>>, FeatureError> {
    let (img, format) = if transform.steps.is_empty() {
        decode::detect_and_decode(bytes, limits)?
    } else {
        decode::detect_and_decode(&transform.apply_to_bytes(bytes, limits)?, limits)?
    };
    let (forensics, _) = pixels::analyze_keeping(&img, format == Format::Jpeg)?;
    Ok(forensics.tile_rows())
}
