//! The "stealth" generation parameters hidden in the least significant bits
//! of the alpha channel (NovelAI, the A1111 stealth-pnginfo extension) or of
//! the RGB channels: read column by column, most significant bit first; a
//! 15-byte magic (`stealth_pnginfo`, `stealth_pngcomp`, `stealth_rgbinfo`,
//! `stealth_rgbcomp`), a 32-bit payload length in bits, then the payload,
//! gzip-compressed for the `comp` variants.

use flate2::read::GzDecoder;
use image::{DynamicImage, GenericImageView};

use super::png_text::{inflate_with, TextEntry, TextError};

/// Where the payload was found.
pub(crate) const SOURCE: &str = "pixel LSB (stealth)";

/// Which bits of each pixel carry the stream.
#[derive(Clone, Copy)]
enum Plane {
    Alpha,
    Rgb,
}

/// Bits of the image in stealth order: x outer, y inner.
struct Bits<'a> {
    img: &'a DynamicImage,
    plane: Plane,
    pixel: u64,
    pending: Vec<u8>,
}

impl Iterator for Bits<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        if self.pending.is_empty() {
            let (w, h) = self.img.dimensions();
            if h == 0 || self.pixel >= u64::from(w) * u64::from(h) {
                return None;
            }
            let x = (self.pixel / u64::from(h)) as u32;
            let y = (self.pixel % u64::from(h)) as u32;
            self.pixel += 1;
            let p = self.img.get_pixel(x, y).0;
            self.pending = match self.plane {
                Plane::Alpha => vec![p[3] & 1],
                Plane::Rgb => vec![p[2] & 1, p[1] & 1, p[0] & 1], // popped from the end
            };
        }
        self.pending.pop()
    }
}

impl Bits<'_> {
    fn read_bytes(&mut self, n: usize) -> Option<Vec<u8>> {
        (0..n)
            .map(|_| (0..8).try_fold(0u8, |acc, _| Some(acc << 1 | self.next()?)))
            .collect()
    }
}

/// Reads a stealth payload, if any. `Err` when a magic is present but the
/// payload is truncated, oversized or corrupt.
pub fn read(img: &DynamicImage, max_len: usize) -> Result<Vec<TextEntry>, TextError> {
    let mut planes = vec![Plane::Rgb];
    if img.color().has_alpha() {
        planes.insert(0, Plane::Alpha);
    }
    for plane in planes {
        let mut bits = Bits {
            img,
            plane,
            pixel: 0,
            pending: Vec::new(),
        };
        let Some(magic) = bits.read_bytes(15) else {
            continue;
        };
        let compressed = match &magic[..] {
            b"stealth_pnginfo" | b"stealth_rgbinfo" => false,
            b"stealth_pngcomp" | b"stealth_rgbcomp" => true,
            _ => continue,
        };
        let len_bits = bits
            .read_bytes(4)
            .and_then(|b| Some(u32::from_be_bytes(b.try_into().ok()?) as usize))
            .ok_or(TextError::Malformed("stealth payload length truncated"))?;
        let len = len_bits / 8;
        if len > max_len {
            return Err(TextError::Oversized {
                declared: len,
                limit: max_len,
            });
        }
        let payload = bits.read_bytes(len).ok_or(TextError::Malformed(
            "stealth payload runs past the end of the image",
        ))?;
        let data = if compressed {
            inflate_with(GzDecoder::new(&payload[..]), max_len)?
        } else {
            payload
        };
        return Ok(entries(&String::from_utf8_lossy(&data)));
    }
    Ok(Vec::new())
}

/// NovelAI stores a JSON object of its PNG text fields; A1111 stores its
/// `parameters` text.
fn entries(text: &str) -> Vec<TextEntry> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text) {
        return map
            .into_iter()
            .map(|(k, v)| TextEntry {
                source: SOURCE,
                key: k,
                value: match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                },
            })
            .collect();
    }
    vec![TextEntry {
        source: SOURCE,
        key: "parameters".into(),
        value: text.to_string(),
    }]
}

/// Writes a payload into the alpha LSBs the way NovelAI does (used by the
/// tests and the fixture generator).
pub fn embed_alpha(img: &mut image::RgbaImage, magic: &[u8; 15], payload: &[u8]) -> bool {
    let len_bits = (payload.len() as u32).saturating_mul(8).to_be_bytes();
    let stream: Vec<u8> = magic
        .iter()
        .chain(&len_bits)
        .chain(payload)
        .flat_map(|byte| (0..8).rev().map(move |i| (byte >> i) & 1))
        .collect();
    let (w, h) = img.dimensions();
    if (stream.len() as u64) > u64::from(w) * u64::from(h) {
        return false;
    }
    for (i, bit) in stream.into_iter().enumerate() {
        let (x, y) = ((i as u32) / h, (i as u32) % h);
        let p = img.get_pixel_mut(x, y);
        p.0[3] = (p.0[3] & !1) | bit;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    #[test]
    fn reads_a_compressed_alpha_payload() {
        let mut img = image::RgbaImage::from_pixel(64, 48, image::Rgba([10, 20, 30, 255]));
        let json = br#"{"Software": "NovelAI", "Comment": "{\"seed\": 7}"}"#;
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(json).unwrap();
        assert!(embed_alpha(
            &mut img,
            b"stealth_pngcomp",
            &gz.finish().unwrap()
        ));
        let found = read(&DynamicImage::ImageRgba8(img), 1 << 20).unwrap();
        assert!(found
            .iter()
            .any(|e| e.key == "Software" && e.value == "NovelAI"));
    }

    #[test]
    fn plain_images_have_no_payload() {
        let img = image::RgbaImage::from_pixel(32, 32, image::Rgba([1, 2, 3, 255]));
        assert!(read(&DynamicImage::ImageRgba8(img), 1 << 20)
            .unwrap()
            .is_empty());
        let tiny = image::RgbImage::new(2, 2);
        assert!(read(&DynamicImage::ImageRgb8(tiny), 1 << 20)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn truncated_payload_is_an_error() {
        let mut img = image::RgbaImage::from_pixel(16, 16, image::Rgba([0, 0, 0, 255]));
        assert!(embed_alpha(&mut img, b"stealth_pnginfo", b"ab"));
        // Overwrite the length with a huge value that does not fit the image.
        let mut big = image::RgbaImage::from_pixel(16, 16, image::Rgba([0, 0, 0, 255]));
        assert!(embed_alpha(&mut big, b"stealth_pnginfo", &[]));
        for i in 120..152u32 {
            big.get_pixel_mut(i / 16, i % 16).0[3] |= 1;
        }
        assert!(read(&DynamicImage::ImageRgba8(big), 1 << 30).is_err());
        assert!(read(&DynamicImage::ImageRgba8(img), 1 << 20).is_ok());
    }
}
