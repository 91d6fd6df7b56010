//! In-memory transforms that launder an image the way platforms and people
//! do (strip metadata, re-encode, resize, crop), to measure how the evidence
//! holds up. They never touch the input file: pixel steps return new encoded
//! bytes, which carry no metadata (as on most platforms); `strip` alone keeps
//! the pixels and tells the analysis to ignore metadata and C2PA.

use std::fmt;
use std::io::Cursor;
use std::str::FromStr;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat};

/// Largest side a resize may produce (the default decode limit).
const MAX_SIDE: u32 = 65_535;

/// One transform step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Re-encode as a baseline JPEG at this quality (1-100).
    Jpeg(u8),
    /// Resize both sides by this factor (Lanczos3), 0 < factor ≤ 4.
    Resize(f32),
    /// Crop this many pixels from every side.
    Crop(u32),
}

/// A chain of steps, written `jpeg:90`, `strip+resize:0.5+jpeg:80`, `crop:16`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transform {
    /// Ignore metadata and C2PA (written `strip`).
    pub strip: bool,
    /// The pixel steps, applied in order.
    pub steps: Vec<Step>,
}

impl FromStr for Transform {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('+').filter(|p| !p.is_empty()).collect();
        let strip = parts.contains(&"strip");
        let steps = parts
            .into_iter()
            .filter(|p| *p != "strip")
            .map(|part| {
                let (name, arg) = part.split_once(':').unwrap_or((part, ""));
                let bad = || {
                    format!("bad transform `{part}` (expected strip, jpeg:Q, resize:F or crop:N)")
                };
                match name {
                    "jpeg" => match arg.parse::<u8>() {
                        Ok(q) if (1..=100).contains(&q) => Ok(Step::Jpeg(q)),
                        _ => Err(bad()),
                    },
                    "resize" => match arg.parse::<f32>() {
                        Ok(f) if f > 0.0 && f <= 4.0 => Ok(Step::Resize(f)),
                        _ => Err(bad()),
                    },
                    "crop" => arg.parse().map(Step::Crop).map_err(|_| bad()),
                    _ => Err(bad()),
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(Transform { strip, steps })
    }
}

impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let strip = self.strip.then(|| "strip".to_string());
        let parts: Vec<String> = strip
            .into_iter()
            .chain(self.steps.iter().map(|s| match s {
                Step::Jpeg(q) => format!("jpeg:{q}"),
                Step::Resize(r) => format!("resize:{r}"),
                Step::Crop(n) => format!("crop:{n}"),
            }))
            .collect();
        f.write_str(&parts.join("+"))
    }
}

impl Transform {
    /// True if the transform changes nothing.
    pub fn is_identity(&self) -> bool {
        !self.strip && self.steps.is_empty()
    }

    /// Decodes an encoded image under `limits` and applies the pixel steps
    /// ([`Transform::apply`]): laundering a file in memory.
    pub fn apply_to_bytes(&self, bytes: &[u8], limits: &crate::Limits) -> Result<Vec<u8>, String> {
        let format = crate::input::Format::detect(bytes).ok_or("not a supported image format")?;
        self.apply(&crate::decode::decode(bytes, format, limits)?)
    }

    /// Applies the pixel steps and encodes the result: JPEG if the last encoding
    /// step was a JPEG, else PNG (lossless). Alpha is dropped (JPEG has none).
    pub fn apply(&self, img: &DynamicImage) -> Result<Vec<u8>, String> {
        let mut current = DynamicImage::ImageRgb8(img.to_rgb8());
        let mut encoded: Option<Vec<u8>> = None;
        for step in &self.steps {
            if let Some(bytes) = encoded.take() {
                current = image::load_from_memory(&bytes).map_err(|e| e.to_string())?;
            }
            match *step {
                Step::Jpeg(q) => {
                    let mut out = Vec::new();
                    JpegEncoder::new_with_quality(&mut out, q)
                        .encode_image(&current.to_rgb8())
                        .map_err(|e| e.to_string())?;
                    encoded = Some(out);
                }
                Step::Resize(f) => {
                    let w = ((current.width() as f32 * f).round() as u32).max(1);
                    let h = ((current.height() as f32 * f).round() as u32).max(1);
                    if w > MAX_SIDE || h > MAX_SIDE {
                        return Err(format!("resize:{f} would make a {w}x{h} image"));
                    }
                    current = current.resize_exact(w, h, FilterType::Lanczos3);
                }
                Step::Crop(n) => {
                    let (w, h) = (current.width(), current.height());
                    if 2 * n >= w || 2 * n >= h {
                        return Err(format!("crop:{n} leaves nothing of a {w}x{h} image"));
                    }
                    current = current.crop_imm(n, n, w - 2 * n, h - 2 * n);
                }
            }
        }
        match encoded {
            Some(bytes) => Ok(bytes),
            None => {
                let mut out = Cursor::new(Vec::new());
                current
                    .write_to(&mut out, ImageFormat::Png)
                    .map_err(|e| e.to_string())?;
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
        assert_eq!(t.steps, vec![Step::Resize(0.5), Step::Jpeg(80)]);
        assert_eq!(t.to_string(), "resize:0.5+jpeg:80");
        let stripped: Transform = "jpeg:90+strip".parse().unwrap();
        assert!(stripped.strip && !stripped.is_identity());
        assert_eq!(stripped.to_string(), "strip+jpeg:90");
        assert!(Transform::default().is_identity());
        for bad in ["jpeg:0", "jpeg:101", "resize:-1", "crop:x", "blur:2"] {
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
    }
}
