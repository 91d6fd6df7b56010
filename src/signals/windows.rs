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
    pub fn luma(img: &DynamicImage) -> Plane {
        let rgb = img.to_rgb32f();
        let (w, h) = rgb.dimensions();
        let data = rgb
            .pixels()
            .map(|p| 255.0 * (0.299 * p.0[0] + 0.587 * p.0[1] + 0.114 * p.0[2]))
            .collect();
        Plane {
            width: w as usize,
            height: h as usize,
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
