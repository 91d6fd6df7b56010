//! In-memory transforms that launder an image the way platforms and people
//! do (strip metadata, re-encode, resize, crop), to measure how the evidence
//! holds up. They never touch the input file: pixel steps return new encoded
//! bytes, which carry no metadata (as on most platforms); `strip` alone keeps
//! the pixels and tells the analysis to ignore metadata and C2PA.

mod encode;
mod wild;

use std::fmt;
use std::io::Cursor;
use std::str::FromStr;

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat};

use crate::decode::DecodeError;

pub(crate) use encode::WEBP_FAMILY;
pub use encode::{Chroma, JpegCodec};
pub use wild::wild;

/// Why a transform could not be parsed or applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TransformError {
    /// The text is not a transform (or a training condition).
    #[error("{0}")]
    Syntax(String),
    /// The image to transform could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A step cannot apply to this image (a resize too large, a crop
    /// leaving nothing).
    #[error("{0}")]
    Geometry(String),
    /// An encoder, or the decoder of an encoded step, failed.
    #[error("{0}")]
    Codec(String),
}

/// Largest side a resize may produce (the default decode limit).
const MAX_SIDE: u32 = 65_535;

/// A resampling filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Filter {
    /// Bilinear (triangle), what most browsers and quick thumbnailers use.
    Bilinear,
    /// Bicubic (Catmull-Rom).
    Bicubic,
    /// Lanczos with three lobes (the default).
    Lanczos,
}

impl Filter {
    /// Every filter.
    pub const ALL: [Filter; 3] = [Filter::Bilinear, Filter::Bicubic, Filter::Lanczos];

    /// The name written in a transform.
    pub fn name(self) -> &'static str {
        match self {
            Filter::Bilinear => "bilinear",
            Filter::Bicubic => "bicubic",
            Filter::Lanczos => "lanczos",
        }
    }

    fn image_filter(self) -> FilterType {
        match self {
            Filter::Bilinear => FilterType::Triangle,
            Filter::Bicubic => FilterType::CatmullRom,
            Filter::Lanczos => FilterType::Lanczos3,
        }
    }
}

/// One transform step.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Step {
    /// Re-encode as JPEG at this quality (1-100) with this implementation
    /// and chroma subsampling (`jpeg:90`, `jpeg:90:libjpeg`,
    /// `jpeg:75:mozjpeg:444`; the `image` codec has fixed 4:2:2 chroma).
    Jpeg {
        /// Quality, 1-100.
        quality: u8,
        /// The encoder implementation.
        codec: JpegCodec,
        /// Chroma subsampling (ignored by the `image` codec).
        chroma: Chroma,
    },
    /// Re-encode as lossy WebP at this quality, 1-100 (`webp:80`).
    Webp(u8),
    /// Resize both sides by this factor, 0 < factor ≤ 4 (`resize:0.5`,
    /// `resize:0.5:bilinear`).
    Resize(f32, Filter),
    /// Shrink so that the long side is at most this many pixels, as
    /// platforms cap uploads (`fit:1080`, `fit:2048:bicubic`).
    Fit(u32, Filter),
    /// Crop this many pixels from every side (`crop:16`; an odd number
    /// breaks the 8×8 grid of an earlier JPEG).
    Crop(u32),
}

impl Step {
    /// The encoder family of a lossy step (for encoder-held-out validation).
    pub fn encoder_family(&self) -> Option<&'static str> {
        match self {
            Step::Jpeg { codec, .. } => Some(codec.family()),
            Step::Webp(_) => Some(WEBP_FAMILY),
            _ => None,
        }
    }

    fn parse(part: &str) -> Result<Step, TransformError> {
        let bad = || {
            TransformError::Syntax(format!(
                "bad transform `{part}` (expected strip, jpeg:Q[:CODEC][:420|444], webp:Q, \
                 resize:F[:FILTER], fit:N[:FILTER] or crop:N; codecs {}; filters {})",
                JpegCodec::ALL.map(JpegCodec::name).join(", "),
                Filter::ALL.map(Filter::name).join(", ")
            ))
        };
        let mut args = part.split(':');
        let name = args.next().unwrap_or_default();
        let first = args.next().ok_or_else(bad)?;
        let rest: Vec<&str> = args.collect();
        let quality = || match first.parse::<u8>() {
            Ok(q) if (1..=100).contains(&q) => Ok(q),
            _ => Err(bad()),
        };
        let filter = || match rest.as_slice() {
            [] => Ok(Filter::Lanczos),
            [f] => Filter::ALL
                .into_iter()
                .find(|x| x.name() == *f)
                .ok_or_else(bad),
            _ => Err(bad()),
        };
        match name {
            "jpeg" => {
                let (mut codec, mut chroma) = (JpegCodec::Image, Chroma::Half);
                for arg in &rest {
                    if let Some(c) = JpegCodec::ALL.into_iter().find(|c| c.name() == *arg) {
                        codec = c;
                    } else if let Some(c) = [Chroma::Half, Chroma::Full]
                        .into_iter()
                        .find(|c| c.name() == *arg)
                    {
                        chroma = c;
                    } else {
                        return Err(bad());
                    }
                }
                if codec == JpegCodec::Image && chroma == Chroma::Full {
                    return Err(TransformError::Syntax(format!(
                        "`{part}`: the image codec has fixed 4:2:2 chroma"
                    )));
                }
                Ok(Step::Jpeg {
                    quality: quality()?,
                    codec,
                    chroma,
                })
            }
            "webp" if rest.is_empty() => Ok(Step::Webp(quality()?)),
            "resize" => match first.parse::<f32>() {
                Ok(f) if f > 0.0 && f <= 4.0 => Ok(Step::Resize(f, filter()?)),
                _ => Err(bad()),
            },
            "fit" => match first.parse::<u32>() {
                Ok(n) if (1..=MAX_SIDE).contains(&n) => Ok(Step::Fit(n, filter()?)),
                _ => Err(bad()),
            },
            "crop" if rest.is_empty() => first.parse().map(Step::Crop).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let filter = |x: &Filter| match x {
            Filter::Lanczos => String::new(),
            other => format!(":{}", other.name()),
        };
        match self {
            Step::Jpeg {
                quality,
                codec,
                chroma,
            } => {
                write!(f, "jpeg:{quality}")?;
                if *codec != JpegCodec::Image {
                    write!(f, ":{}", codec.name())?;
                    if *chroma != Chroma::Half {
                        write!(f, ":{}", chroma.name())?;
                    }
                }
                Ok(())
            }
            Step::Webp(q) => write!(f, "webp:{q}"),
            Step::Resize(r, x) => write!(f, "resize:{r}{}", filter(x)),
            Step::Fit(n, x) => write!(f, "fit:{n}{}", filter(x)),
            Step::Crop(n) => write!(f, "crop:{n}"),
        }
    }
}

/// A chain of steps, written `jpeg:90`, `strip+resize:0.5+jpeg:80`,
/// `strip+jpeg:92:mozjpeg+fit:1080:bilinear+webp:75`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Transform {
    /// Ignore metadata and C2PA (written `strip`).
    pub strip: bool,
    /// The pixel steps, applied in order.
    pub steps: Vec<Step>,
}

impl FromStr for Transform {
    type Err = TransformError;

    fn from_str(s: &str) -> Result<Self, TransformError> {
        let parts: Vec<&str> = s.split('+').filter(|p| !p.is_empty()).collect();
        let strip = parts.contains(&"strip");
        let steps = parts
            .into_iter()
            .filter(|p| *p != "strip")
            .map(Step::parse)
            .collect::<Result<_, _>>()?;
        Ok(Transform { strip, steps })
    }
}

impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let strip = self.strip.then(|| "strip".to_string());
        let parts: Vec<String> = strip
            .into_iter()
            .chain(self.steps.iter().map(Step::to_string))
            .collect();
        f.write_str(&parts.join("+"))
    }
}

impl Transform {
    /// True if the transform changes nothing.
    pub(crate) fn is_identity(&self) -> bool {
        !self.strip && self.steps.is_empty()
    }

    /// The encoder family of the last lossy step, if any: what an
    /// encoder-held-out validation leaves out of training.
    pub fn encoder_family(&self) -> Option<&'static str> {
        self.steps.iter().rev().find_map(Step::encoder_family)
    }

    /// Decodes an encoded image under `limits` and applies the pixel steps
    /// ([`Transform::apply`]): laundering a file in memory.
    pub(crate) fn apply_to_bytes(
        &self,
        bytes: &[u8],
        limits: &crate::Limits,
    ) -> Result<Vec<u8>, TransformError> {
        self.apply(&crate::decode::detect_and_decode(bytes, limits)?.0)
    }

    /// Applies the pixel steps and encodes the result: as the last lossy
    /// step encoded it, else PNG (lossless). Alpha is dropped (JPEG has
    /// none). Each step after an encode works on the decoded encode.
    pub fn apply(&self, img: &DynamicImage) -> Result<Vec<u8>, TransformError> {
        let mut current = img.to_rgb8();
        let mut encoded: Option<Vec<u8>> = None;
        for step in &self.steps {
            if let Some(bytes) = encoded.take() {
                current = image::load_from_memory(&bytes)
                    .map_err(|e| TransformError::Codec(e.to_string()))?
                    .to_rgb8();
            }
            match *step {
                Step::Jpeg {
                    quality,
                    codec,
                    chroma,
                } => {
                    encoded = Some(encode::jpeg(&current, quality, codec, chroma)?);
                }
                Step::Webp(quality) => encoded = Some(encode::webp(&current, quality)?),
                Step::Resize(f, filter) => {
                    let w = ((current.width() as f32 * f).round() as u32).max(1);
                    let h = ((current.height() as f32 * f).round() as u32).max(1);
                    if w > MAX_SIDE || h > MAX_SIDE {
                        return Err(TransformError::Geometry(format!(
                            "resize:{f} would make a {w}x{h} image"
                        )));
                    }
                    current = image::imageops::resize(&current, w, h, filter.image_filter());
                }
                Step::Fit(side, filter) => {
                    let (w, h) = current.dimensions();
                    let long = w.max(h);
                    if long > side {
                        let f = f64::from(side) / f64::from(long);
                        let w = ((f64::from(w) * f).round() as u32).max(1);
                        let h = ((f64::from(h) * f).round() as u32).max(1);
                        current = image::imageops::resize(&current, w, h, filter.image_filter());
                    }
                }
                Step::Crop(n) => {
                    let (w, h) = current.dimensions();
                    if 2 * n >= w || 2 * n >= h {
                        return Err(TransformError::Geometry(format!(
                            "crop:{n} leaves nothing of a {w}x{h} image"
                        )));
                    }
                    current =
                        image::imageops::crop_imm(&current, n, n, w - 2 * n, h - 2 * n).to_image();
                }
            }
        }
        match encoded {
            Some(bytes) => Ok(bytes),
            None => {
                let mut out = Cursor::new(Vec::new());
                DynamicImage::ImageRgb8(current)
                    .write_to(&mut out, ImageFormat::Png)
                    .map_err(|e| TransformError::Codec(e.to_string()))?;
                Ok(out.into_inner())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prints_and_applies_chains() {
        let t: Transform = "resize:0.5+jpeg:80".parse().unwrap();
        assert_eq!(
            t.steps,
            vec![
                Step::Resize(0.5, Filter::Lanczos),
                Step::Jpeg {
                    quality: 80,
                    codec: JpegCodec::Image,
                    chroma: Chroma::Half
                }
            ]
        );
        assert_eq!(t.to_string(), "resize:0.5+jpeg:80");
        let stripped: Transform = "jpeg:90+strip".parse().unwrap();
        assert!(stripped.strip && !stripped.is_identity());
        assert_eq!(stripped.to_string(), "strip+jpeg:90");
        assert!(Transform::default().is_identity());
        let wild = "strip+jpeg:92:mozjpeg:444+fit:1080:bilinear+crop:3+webp:75";
        let parsed: Transform = wild.parse().unwrap();
        assert_eq!(parsed.to_string(), wild);
        assert_eq!(parsed.encoder_family(), Some(WEBP_FAMILY));
        assert_eq!(
            "jpeg:80:mozjpeg"
                .parse::<Transform>()
                .unwrap()
                .encoder_family(),
            Some("libjpeg")
        );
        assert_eq!(
            "resize:0.5:bicubic"
                .parse::<Transform>()
                .unwrap()
                .encoder_family(),
            None
        );
        for bad in [
            "jpeg:0",
            "jpeg:101",
            "resize:-1",
            "crop:x",
            "blur:2",
            "jpeg:90:gimp",
            "jpeg:90:444",
            "resize:0.5:box",
            "webp:80:444",
            "fit:0",
            "jpeg",
        ] {
            assert!(bad.parse::<Transform>().is_err(), "{bad}");
        }
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(100, 80, |x, y| {
            image::Rgb([x as u8, y as u8, 7])
        }));
        let out = t.apply(&img).unwrap();
        assert_eq!(&out[..2], &[0xFF, 0xD8]);
        let back = image::load_from_memory(&out).unwrap();
        assert_eq!((back.width(), back.height()), (50, 40));
        let cropped = "crop:10".parse::<Transform>().unwrap().apply(&img).unwrap();
        assert_eq!(&cropped[1..4], b"PNG");
        let back = image::load_from_memory(&cropped).unwrap();
        assert_eq!((back.width(), back.height()), (80, 60));
        assert!("crop:40".parse::<Transform>().unwrap().apply(&img).is_err());
        let fitted = "fit:50:bilinear+webp:80"
            .parse::<Transform>()
            .unwrap()
            .apply(&img)
            .unwrap();
        let back = image::load_from_memory(&fitted).unwrap();
        assert_eq!((back.width(), back.height()), (50, 40));
        assert_eq!(&fitted[8..12], b"WEBP");
    }
}
