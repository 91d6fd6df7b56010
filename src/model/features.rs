//! The model's inputs: the named pixel features of an image, optionally
//! after an in-memory transform (how images are laundered in the wild).

use crate::decode;
use crate::input::Format;
use crate::limits::Limits;
use crate::pixels;
use crate::transform::Transform;

/// Decodes `bytes`, applies `transform` (none if empty), and returns the
/// pixel features, one row per analysis window in
/// [`pixels::feature_names`] order; an error if the pixels cannot be
/// decoded or analysed.
pub fn pixel_features(
    bytes: &[u8],
    transform: &Transform,
    limits: &Limits,
) -> Result<Vec<Vec<f32>>, String> {
    let (img, format) = if transform.steps.is_empty() {
        decode::detect_and_decode(bytes, limits)?
    } else {
        decode::detect_and_decode(&transform.apply_to_bytes(bytes, limits)?, limits)?
    };
    match pixels::analyze(&img, format == Format::Jpeg) {
        crate::outcome::Outcome::Analysed(p) => Ok(p.tile_rows()),
        crate::outcome::Outcome::NotApplicable { reason } => Err(reason),
    }
}
