//! The lossy encoders a laundering step can use: four JPEG implementations,
//! each with its own quantisation tables, DCT rounding and chroma handling,
//! and libwebp's lossy WebP. Training on several keeps the model from
//! learning one encoder's fingerprint.

use std::panic::{catch_unwind, AssertUnwindSafe};

use image::codecs::jpeg::JpegEncoder;
use image::RgbImage;

use super::TransformError;

/// A JPEG encoder implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JpegCodec {
    /// The `image` crate's encoder (4:2:2 chroma, fixed).
    Image,
    /// The pure-Rust `jpeg-encoder` crate.
    JpegEncoder,
    /// libjpeg-turbo's behaviour: mozjpeg reset to libjpeg v6 defaults
    /// (standard tables, baseline, no trellis), which gives files identical
    /// to libjpeg-turbo's.
    Libjpeg,
    /// mozjpeg's own defaults: its tables, trellis quantisation, progressive.
    Mozjpeg,
}

impl JpegCodec {
    /// Every codec, in the order of their names.
    pub const ALL: [JpegCodec; 4] = [
        JpegCodec::Image,
        JpegCodec::JpegEncoder,
        JpegCodec::Libjpeg,
        JpegCodec::Mozjpeg,
    ];

    /// The name written in a transform (`jpeg:90:mozjpeg`).
    pub fn name(self) -> &'static str {
        match self {
            JpegCodec::Image => "image",
            JpegCodec::JpegEncoder => "jpeg-encoder",
            JpegCodec::Libjpeg => "libjpeg",
            JpegCodec::Mozjpeg => "mozjpeg",
        }
    }

    /// The code base it shares with others, the unit an encoder-held-out
    /// validation leaves out: mozjpeg is a fork of libjpeg-turbo (same DCT,
    /// colour conversion and chroma downsampling), so both are `libjpeg`.
    pub fn family(self) -> &'static str {
        match self {
            JpegCodec::Mozjpeg => JpegCodec::Libjpeg.name(),
            other => other.name(),
        }
    }
}

/// Chroma subsampling of a JPEG encode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Chroma {
    /// Chroma at half resolution both ways (what most platforms use).
    Half,
    /// Chroma at full resolution.
    Full,
}

impl Chroma {
    /// The name written in a transform.
    pub fn name(self) -> &'static str {
        match self {
            Chroma::Half => "420",
            Chroma::Full => "444",
        }
    }
}

/// The encoder family of lossy WebP (for encoder-held-out validation).
pub(crate) const WEBP_FAMILY: &str = "webp";

/// Encodes `img` as JPEG at `quality` (1-100).
pub(super) fn jpeg(
    img: &RgbImage,
    quality: u8,
    codec: JpegCodec,
    chroma: Chroma,
) -> Result<Vec<u8>, TransformError> {
    let (w, h) = img.dimensions();
    let mut out = Vec::new();
    match codec {
        JpegCodec::Image => {
            JpegEncoder::new_with_quality(&mut out, quality)
                .encode_image(img)
                .map_err(|e| TransformError::Codec(e.to_string()))?;
        }
        JpegCodec::JpegEncoder => {
            let (w16, h16) = match (u16::try_from(w), u16::try_from(h)) {
                (Ok(w), Ok(h)) => (w, h),
                _ => {
                    return Err(TransformError::Codec(format!(
                        "jpeg-encoder cannot write a {w}x{h} image"
                    )))
                }
            };
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
            encoder.set_sampling_factor(match chroma {
                Chroma::Half => jpeg_encoder::SamplingFactor::R_4_2_0,
                Chroma::Full => jpeg_encoder::SamplingFactor::R_4_4_4,
            });
            encoder
                .encode(img.as_raw(), w16, h16, jpeg_encoder::ColorType::Rgb)
                .map_err(|e| TransformError::Codec(e.to_string()))?;
        }
        JpegCodec::Libjpeg | JpegCodec::Mozjpeg => {
            out = libjpeg(img, quality, codec == JpegCodec::Libjpeg, chroma)?;
        }
    }
    Ok(out)
}

/// Encodes with mozjpeg, reset to libjpeg-turbo's defaults if `fastest`.
/// libjpeg reports errors by unwinding: they are caught here.
fn libjpeg(
    img: &RgbImage,
    quality: u8,
    fastest: bool,
    chroma: Chroma,
) -> Result<Vec<u8>, TransformError> {
    let (w, h) = img.dimensions();
    let encode = || -> std::io::Result<Vec<u8>> {
        let mut comp = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
        if fastest {
            comp.set_fastest_defaults();
        }
        comp.set_size(w as usize, h as usize);
        comp.set_quality(f32::from(quality));
        let px = match chroma {
            Chroma::Half => (2, 2),
            Chroma::Full => (1, 1),
        };
        comp.set_chroma_sampling_pixel_sizes(px, px);
        let mut started = comp.start_compress(Vec::new())?;
        started.write_scanlines(img.as_raw())?;
        started.finish()
    };
    match catch_unwind(AssertUnwindSafe(encode)) {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(TransformError::Codec(format!("libjpeg: {e}"))),
        Err(_) => Err(TransformError::Codec(format!(
            "libjpeg failed on a {w}x{h} image"
        ))),
    }
}

/// Encodes `img` as lossy WebP at `quality` (1-100) with libwebp.
pub(super) fn webp(img: &RgbImage, quality: u8) -> Result<Vec<u8>, TransformError> {
    let (w, h) = img.dimensions();
    if w > 16_383 || h > 16_383 {
        return Err(TransformError::Codec(format!(
            "WebP cannot hold a {w}x{h} image"
        )));
    }
    Ok(webp::Encoder::from_rgb(img.as_raw(), w, h)
        .encode(f32::from(quality))
        .to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient() -> RgbImage {
        RgbImage::from_fn(96, 64, |x, y| {
            image::Rgb([(x * 2) as u8, (y * 3) as u8, ((x + y) % 256) as u8])
        })
    }

    #[test]
    fn every_codec_writes_a_jpeg_that_decodes_to_the_same_size() {
        let img = gradient();
        let mut seen = Vec::new();
        for codec in JpegCodec::ALL {
            for chroma in [Chroma::Half, Chroma::Full] {
                let bytes = jpeg(&img, 85, codec, chroma).unwrap();
                assert_eq!(&bytes[..2], &[0xFF, 0xD8], "{codec:?}");
                let back = image::load_from_memory(&bytes).unwrap();
                assert_eq!((back.width(), back.height()), (96, 64), "{codec:?}");
                seen.push(bytes);
            }
        }
        // Four implementations: four different files at the same settings.
        let half: Vec<&Vec<u8>> = seen.iter().step_by(2).collect();
        for (i, a) in half.iter().enumerate() {
            for b in &half[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn webp_is_lossy_and_decodes() {
        let bytes = webp(&gradient(), 75).unwrap();
        assert_eq!(&bytes[8..12], b"WEBP");
        assert_eq!(&bytes[12..16], b"VP8 ", "lossy, not VP8L");
        let back = image::load_from_memory(&bytes).unwrap().to_rgb8();
        assert_eq!(back.dimensions(), (96, 64));
        assert_ne!(back, gradient());
    }
}
