//! Pixel decoding with `image`, under dimension and allocation limits, on the
//! sensor grid (EXIF orientation is not applied: later signals need it).

use image::{DynamicImage, ImageFormat, ImageReader};
use std::io::Cursor;

use crate::input::Format;
use crate::limits::Limits;

/// Why pixels could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes are not an image format this tool knows.
    #[error("not a supported image format")]
    UnknownFormat,
    /// The format has no pixel decoder in this build (HEIF, AVIF).
    #[error("no decoder for HEIF/AVIF pixels in this build: metadata and C2PA only")]
    NoDecoder,
    /// The image is over the decode limits.
    #[error("refused: {reason} (limits: {max_dimension} pixels a side, {max_alloc} bytes of decoder memory)")]
    Refused {
        /// The decoder's words.
        reason: String,
        /// The dimension limit.
        max_dimension: u32,
        /// The decoder memory limit, in bytes.
        max_alloc: u64,
    },
    /// The decoder failed on the bytes (truncated or corrupt).
    #[error("{0}")]
    Malformed(String),
}

/// Decodes the pixels of a file already in memory.
pub fn decode(bytes: &[u8], format: Format, limits: &Limits) -> Result<DynamicImage, DecodeError> {
    let image_format = match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::Webp => ImageFormat::WebP,
        Format::Tiff => ImageFormat::Tiff,
        Format::Gif => ImageFormat::Gif,
        Format::Bmp => ImageFormat::Bmp,
        Format::Heif | Format::Avif => return Err(DecodeError::NoDecoder),
    };
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = Some(limits.max_dimension);
    image_limits.max_image_height = Some(limits.max_dimension);
    image_limits.max_alloc = Some(limits.max_decode_alloc);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    reader.limits(image_limits);
    reader.decode().map_err(|e| match e {
        image::ImageError::Limits(e) => DecodeError::Refused {
            reason: e.to_string(),
            max_dimension: limits.max_dimension,
            max_alloc: limits.max_decode_alloc,
        },
        e => DecodeError::Malformed(e.to_string()),
    })
}

/// Detects the format of bytes in memory and decodes their pixels: what
/// the laundering transforms, the training features and the thumbnails
/// start from (the [`crate::pipeline`] runs the two stages apart, to
/// report the format of a file it cannot decode).
pub(crate) fn detect_and_decode(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(DynamicImage, Format), DecodeError> {
    let format = Format::detect(bytes).ok_or(DecodeError::UnknownFormat)?;
    Ok((decode(bytes, format, limits)?, format))
}

/// A short name of the decoded colour type, e.g. "rgb8".
pub(crate) fn color_name(img: &DynamicImage) -> String {
    format!("{:?}", img.color()).to_lowercase()
}
