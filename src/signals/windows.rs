//! Analysis windows: luminance on the original pixel grid (no resampling, no
//! orientation) and a bounded, deterministic set of square tiles, so that the
//! cost of the pixel signals does not grow with the megapixels.

use image::DynamicImage;

/// Tile side in pixels.
pub const TILE: usize = 256;
/// Most tiles analysed per image.
pub const MAX_TILES: usize = 5;
/// Images smaller than this on either side are too small to analyse.
pub const MIN_SIDE: usize = 64;

/// A luminance plane (ITU-R BT.601 weights), row-major, values 0-255.
#[derive(Debug, Clone)]
pub struct Plane {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Row-major values.
    pub data: Vec<f32>,
}

impl Plane {
    /// The luminance of a decoded image, 8-bit scale whatever the bit depth.
    /// 8-bit images (nearly all) are read in place; other depths go through
    /// one conversion.
    pub fn luma(img: &DynamicImage) -> Plane {
        let data: Vec<f32> = match img {
            DynamicImage::ImageLuma8(b) => b.as_raw().iter().map(|&v| f32::from(v)).collect(),
            DynamicImage::ImageLumaA8(b) => b
                .as_raw()
                .iter()
                .step_by(2)
                .map(|&v| f32::from(v))
                .collect(),
            DynamicImage::ImageRgb8(b) => rgb_luma(b.as_raw(), 3),
            DynamicImage::ImageRgba8(b) => rgb_luma(b.as_raw(), 4),
            other => other
                .to_rgb32f()
                .pixels()
                .map(|p| 255.0 * bt601(p.0[0], p.0[1], p.0[2]))
                .collect(),
        };
        Plane {
            width: img.width() as usize,
            height: img.height() as usize,
            data,
        }
    }

    /// Copies a `size`×`size` tile whose top-left corner is (x, y).
    pub fn tile(&self, x: usize, y: usize, size: usize) -> Vec<f32> {
        let mut out = Vec::with_capacity(size * size);
        for row in y..y + size {
            let start = row * self.width + x;
            out.extend_from_slice(&self.data[start..start + size]);
        }
        out
    }
}

/// ITU-R BT.601 luma weights.
fn bt601(r: f32, g: f32, b: f32) -> f32 {
    0.299 * r + 0.587 * g + 0.114 * b
}

/// Luma of interleaved 8-bit RGB(A) samples.
fn rgb_luma(raw: &[u8], channels: usize) -> Vec<f32> {
    raw.chunks_exact(channels)
        .map(|p| bt601(f32::from(p[0]), f32::from(p[1]), f32::from(p[2])))
        .collect()
}

/// Top-left corners of the tiles: the centre and four spread positions, on
/// even coordinates multiple of 8 (keeps the Bayer phase and the JPEG grid),
/// duplicates removed. Returns the tile side used (smaller than [`TILE`] for
/// small images: the largest power of two that fits), or `None` if the image
/// is too small to analyse.
pub fn tiles(width: usize, height: usize) -> Option<(usize, Vec<(usize, usize)>)> {
    if width < MIN_SIDE || height < MIN_SIDE {
        return None;
    }
    let fit = width.min(height).min(TILE);
    let size = 1 << (usize::BITS - 1 - fit.leading_zeros());
    let mut out = Vec::new();
    for (fx, fy) in [(0.5, 0.5), (0.2, 0.2), (0.8, 0.2), (0.2, 0.8), (0.8, 0.8)] {
        let x = (((width - size) as f64 * fx) as usize) & !7;
        let y = (((height - size) as f64 * fy) as usize) & !7;
        if !out.contains(&(x, y)) {
            out.push((x, y));
        }
        if out.len() == MAX_TILES {
            break;
        }
    }
    Some((size, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_is_the_same_from_8_and_16_bit_images() {
        let rgb =
            image::RgbImage::from_fn(4, 3, |x, y| image::Rgb([x as u8 * 60, y as u8 * 90, 200]));
        let a = Plane::luma(&DynamicImage::ImageRgb8(rgb.clone()));
        let b = Plane::luma(&DynamicImage::ImageRgb16(
            DynamicImage::ImageRgb8(rgb).to_rgb16(),
        ));
        assert_eq!((a.width, a.height, a.data.len()), (4, 3, 12));
        for (x, y) in a.data.iter().zip(&b.data) {
            assert!((x - y).abs() < 0.01, "{x} vs {y}");
        }
        assert!((a.data[0] - 0.114 * 200.0).abs() < 1e-3);
    }

    #[test]
    fn tiles_are_bounded_aligned_and_inside() {
        for (w, h) in [(4000, 3000), (512, 512), (300, 200), (64, 64), (100, 1000)] {
            let (size, t) = tiles(w, h).unwrap();
            assert!(size.is_power_of_two() && size <= TILE && size <= w.min(h));
            assert!(!t.is_empty() && t.len() <= MAX_TILES);
            for (x, y) in t {
                assert!(x + size <= w && y + size <= h);
                assert_eq!((x % 8, y % 8), (0, 0));
            }
        }
        assert!(tiles(63, 500).is_none());
        assert_eq!(tiles(256, 256).unwrap().1, vec![(0, 0)]);
    }
}
