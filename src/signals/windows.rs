//! Analysis windows: a bounded, deterministic set of square tiles and their
//! luminance on the original pixel grid (no resampling, no orientation), so
//! that the cost and memory of the pixel signals do not grow with the
//! megapixels.

use image::DynamicImage;

/// Tile side in pixels.
pub const TILE: usize = 256;
/// Most tiles analysed per image.
pub const MAX_TILES: usize = 5;
/// Images smaller than this on either side are too small to analyse.
pub const MIN_SIDE: usize = 64;

/// The luminance (ITU-R BT.601 weights, 8-bit scale whatever the bit depth)
/// of the `size`×`size` tile whose top-left corner is (x, y), row-major.
/// 8-bit buffers (nearly all images) are read in place; other depths convert
/// only the tile. `None` if the tile does not fit in the image.
pub fn luma_tile(img: &DynamicImage, x: usize, y: usize, size: usize) -> Option<Vec<f32>> {
    let width = img.width() as usize;
    if x + size > width || y + size > img.height() as usize {
        return None;
    }
    let rows = |raw: &[u8], channels: usize| -> Option<Vec<f32>> {
        let mut out = Vec::with_capacity(size * size);
        for row in y..y + size {
            let start = (row * width + x) * channels;
            let samples = raw.get(start..start + size * channels)?;
            out.extend(samples.chunks_exact(channels).map(|p| match p {
                [r, g, b, ..] => bt601(f32::from(*r), f32::from(*g), f32::from(*b)),
                [l, ..] => f32::from(*l),
                [] => 0.0,
            }));
        }
        Some(out)
    };
    match img {
        DynamicImage::ImageLuma8(b) => rows(b.as_raw(), 1),
        DynamicImage::ImageLumaA8(b) => rows(b.as_raw(), 2),
        DynamicImage::ImageRgb8(b) => rows(b.as_raw(), 3),
        DynamicImage::ImageRgba8(b) => rows(b.as_raw(), 4),
        other => Some(
            other
                .crop_imm(x as u32, y as u32, size as u32, size as u32)
                .to_rgb32f()
                .pixels()
                .map(|p| 255.0 * bt601(p.0[0], p.0[1], p.0[2]))
                .collect(),
        ),
    }
}

/// ITU-R BT.601 luma weights.
fn bt601(r: f32, g: f32, b: f32) -> f32 {
    0.299 * r + 0.587 * g + 0.114 * b
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
            image::RgbImage::from_fn(6, 5, |x, y| image::Rgb([x as u8 * 40, y as u8 * 50, 200]));
        let eight = DynamicImage::ImageRgb8(rgb.clone());
        let sixteen = DynamicImage::ImageRgb16(DynamicImage::ImageRgb8(rgb).to_rgb16());
        let a = luma_tile(&eight, 2, 1, 4).unwrap();
        let b = luma_tile(&sixteen, 2, 1, 4).unwrap();
        assert_eq!(a.len(), 16);
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 0.01, "{x} vs {y}");
        }
        // Pixel (2, 1): r = 80, g = 50, b = 200.
        assert!((a[0] - (0.299 * 80.0 + 0.587 * 50.0 + 0.114 * 200.0)).abs() < 1e-3);
        assert!(luma_tile(&eight, 3, 0, 4).is_none());
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
