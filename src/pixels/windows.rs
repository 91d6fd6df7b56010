//! Analysis windows: a bounded, deterministic set of square tiles read on the
//! original pixel grid (no resampling, no orientation), so that the cost and
//! memory of the pixel signals do not grow with the megapixels. Flat and
//! clipped areas (sky, black borders, blown highlights) are skipped when the
//! image has better ones: they carry no noise and no spectrum.

use image::DynamicImage;

use crate::stats::Moments;

/// Tile side in pixels.
pub(crate) const TILE: usize = 256;
/// Most tiles analysed per image.
pub const MAX_TILES: usize = 5;
/// Images smaller than this on either side are too small to analyse.
pub(crate) const MIN_SIDE: usize = 64;

/// Candidate tile positions as fractions of the free range, in order of
/// preference: the centre, then a spread over the frame.
const CANDIDATES: [(f64, f64); 9] = [
    (0.5, 0.5),
    (0.2, 0.2),
    (0.8, 0.2),
    (0.2, 0.8),
    (0.8, 0.8),
    (0.5, 0.15),
    (0.5, 0.85),
    (0.15, 0.5),
    (0.85, 0.5),
];

/// One square window of an image: its three colour planes as f32 on the
/// 8-bit scale (whatever the bit depth), row-major. A grey image has three
/// equal planes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Tile {
    /// Left column in the image.
    pub x: usize,
    /// Top row in the image.
    pub y: usize,
    /// Side in pixels.
    pub size: usize,
    /// Red, green and blue planes.
    pub rgb: [Vec<f32>; 3],
    /// Luminance (ITU-R BT.601 weights), computed once.
    pub luma: Vec<f32>,
}

impl Tile {
    /// Reads the `size`×`size` tile whose top-left corner is (x, y), or
    /// `None` if it does not fit in the image.
    pub fn read(img: &DynamicImage, x: usize, y: usize, size: usize) -> Option<Tile> {
        let mut rgb = [
            Vec::with_capacity(size * size),
            Vec::with_capacity(size * size),
            Vec::with_capacity(size * size),
        ];
        for_each_pixel(img, (x, y, size, size), |r, g, b| {
            rgb[0].push(r);
            rgb[1].push(g);
            rgb[2].push(b);
        })?;
        Some(Tile::from_planes(x, y, size, rgb))
    }

    /// A tile from its colour planes (luminance computed here).
    pub(crate) fn from_planes(x: usize, y: usize, size: usize, rgb: [Vec<f32>; 3]) -> Tile {
        let [r, g, b] = &rgb;
        let luma = r
            .iter()
            .zip(g)
            .zip(b)
            .map(|((&r, &g), &b)| bt601(r, g, b))
            .collect();
        Tile {
            x,
            y,
            size,
            rgb,
            luma,
        }
    }

    /// Whether the three planes are identical (a grey image).
    pub(crate) fn is_grey(&self) -> bool {
        self.rgb[0] == self.rgb[1] && self.rgb[1] == self.rgb[2]
    }
}

/// The luminance of the `width`×`height` rectangle at (x, y), row-major, or
/// `None` if it does not fit.
pub(crate) fn luma_rect(
    img: &DynamicImage,
    x: usize,
    y: usize,
    width: usize,
    height: usize,
) -> Option<Vec<f32>> {
    let mut out = Vec::with_capacity(width * height);
    for_each_pixel(img, (x, y, width, height), |r, g, b| {
        out.push(bt601(r, g, b))
    })?;
    Some(out)
}

/// Calls `f(r, g, b)` for each pixel of the rectangle (x, y, width, height)
/// in row-major order, on the 8-bit scale. 8-bit buffers (nearly all images)
/// are read in place; other depths convert only the rectangle. `None` if it
/// does not fit.
fn for_each_pixel(
    img: &DynamicImage,
    (x, y, w, h): (usize, usize, usize, usize),
    mut f: impl FnMut(f32, f32, f32),
) -> Option<()> {
    let width = img.width() as usize;
    if x + w > width || y + h > img.height() as usize {
        return None;
    }
    let rect = (x, y, w, h);
    match img {
        DynamicImage::ImageLuma8(b) => each_pixel::<1>(b.as_raw(), width, rect, f),
        DynamicImage::ImageLumaA8(b) => each_pixel::<2>(b.as_raw(), width, rect, f),
        DynamicImage::ImageRgb8(b) => each_pixel::<3>(b.as_raw(), width, rect, f),
        DynamicImage::ImageRgba8(b) => each_pixel::<4>(b.as_raw(), width, rect, f),
        other => {
            let tile = other.crop_imm(x as u32, y as u32, w as u32, h as u32);
            for p in tile.to_rgb32f().pixels() {
                f(255.0 * p.0[0], 255.0 * p.0[1], 255.0 * p.0[2]);
            }
            Some(())
        }
    }
}

/// [`for_each_pixel`] on an 8-bit buffer of `C` channels per pixel (grey,
/// grey + alpha, RGB, RGBA), `width` pixels per row; monomorphised per
/// layout so that the inner loop has no branch.
fn each_pixel<const C: usize>(
    raw: &[u8],
    width: usize,
    (x, y, w, h): (usize, usize, usize, usize),
    mut f: impl FnMut(f32, f32, f32),
) -> Option<()> {
    for row in y..y + h {
        let start = (row * width + x) * C;
        let samples = raw.get(start..start + w * C)?;
        for p in samples.chunks_exact(C) {
            if C >= 3 {
                f(f32::from(p[0]), f32::from(p[1]), f32::from(p[2]));
            } else {
                let l = f32::from(p[0]);
                f(l, l, l);
            }
        }
    }
    Some(())
}

/// ITU-R BT.601 luma weights.
pub(crate) fn bt601(r: f32, g: f32, b: f32) -> f32 {
    0.299 * r + 0.587 * g + 0.114 * b
}

/// The tile side for an image (the largest power of two up to [`TILE`] that
/// fits) and the candidate corners, on even coordinates multiple of 8 (keeps
/// the Bayer phase and the JPEG grid), duplicates removed. `None` if the
/// image is too small to analyse.
pub(crate) fn layout(width: usize, height: usize) -> Option<(usize, Vec<(usize, usize)>)> {
    if width < MIN_SIDE || height < MIN_SIDE {
        return None;
    }
    let fit = width.min(height).min(TILE);
    let size = 1 << (usize::BITS - 1 - fit.leading_zeros());
    let mut out = Vec::new();
    for (fx, fy) in CANDIDATES {
        let x = (((width - size) as f64 * fx) as usize) & !7;
        let y = (((height - size) as f64 * fy) as usize) & !7;
        if !out.contains(&(x, y)) {
            out.push((x, y));
        }
    }
    Some((size, out))
}

/// Whether a tile is too flat or too clipped to carry noise: luminance
/// standard deviation under 2 levels, or more than half its pixels at 0-2 or
/// 253-255.
fn is_uninformative(luma: &[f32]) -> bool {
    let mut moments = Moments::default();
    moments.extend(luma);
    let clipped = luma
        .iter()
        .filter(|&&v| !(2.5..=252.5).contains(&v))
        .count();
    moments.variance() < 4.0 || clipped * 2 > luma.len()
}

/// Picks up to [`MAX_TILES`] tiles: candidates in order of preference,
/// skipping flat or clipped ones; if every candidate is, the first ones are
/// used anyway (the image has nothing better). `None` if the image is too
/// small to analyse.
pub fn select(img: &DynamicImage) -> Option<Vec<Tile>> {
    let (size, corners) = layout(img.width() as usize, img.height() as usize)?;
    let mut chosen = Vec::new();
    let mut fallback = Vec::new();
    for (x, y) in corners {
        let Some(tile) = Tile::read(img, x, y, size) else {
            continue;
        };
        if is_uninformative(&tile.luma) {
            if fallback.len() < MAX_TILES {
                fallback.push(tile);
            }
        } else {
            chosen.push(tile);
            if chosen.len() == MAX_TILES {
                break;
            }
        }
    }
    if chosen.is_empty() {
        chosen = fallback;
    }
    (!chosen.is_empty()).then_some(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_are_the_same_from_8_and_16_bit_images() {
        let rgb =
            image::RgbImage::from_fn(6, 5, |x, y| image::Rgb([x as u8 * 40, y as u8 * 50, 200]));
        let eight = DynamicImage::ImageRgb8(rgb.clone());
        let sixteen = DynamicImage::ImageRgb16(DynamicImage::ImageRgb8(rgb).to_rgb16());
        let a = Tile::read(&eight, 2, 1, 4).unwrap();
        let b = Tile::read(&sixteen, 2, 1, 4).unwrap();
        for c in 0..3 {
            for (x, y) in a.rgb[c].iter().zip(&b.rgb[c]) {
                assert!((x - y).abs() < 0.01, "{x} vs {y}");
            }
        }
        // Pixel (2, 1): r = 80, g = 50, b = 200.
        assert_eq!((a.rgb[0][0], a.rgb[1][0], a.rgb[2][0]), (80.0, 50.0, 200.0));
        let luma = luma_rect(&eight, 2, 1, 4, 4).unwrap();
        assert_eq!(luma, a.luma);
        assert!((luma[0] - (0.299 * 80.0 + 0.587 * 50.0 + 0.114 * 200.0)).abs() < 1e-3);
        assert!(Tile::read(&eight, 3, 0, 4).is_none());
        assert!(!a.is_grey());
    }

    #[test]
    fn layouts_are_aligned_and_inside() {
        for (w, h) in [(4000, 3000), (512, 512), (300, 200), (64, 64), (100, 1000)] {
            let (size, t) = layout(w, h).unwrap();
            assert!(size.is_power_of_two() && size <= TILE && size <= w.min(h));
            for (x, y) in t {
                assert!(x + size <= w && y + size <= h);
                assert_eq!((x % 8, y % 8), (0, 0));
            }
        }
        assert!(layout(63, 500).is_none());
        assert_eq!(layout(256, 256).unwrap().1, vec![(0, 0)]);
    }

    #[test]
    fn flat_areas_are_skipped_when_the_image_has_better() {
        // Left half flat grey, right half a texture.
        let img = image::GrayImage::from_fn(1024, 512, |x, y| {
            image::Luma([if x < 512 {
                128
            } else {
                ((x * 7 + y * 13) % 97) as u8 + 80
            }])
        });
        let tiles = select(&DynamicImage::ImageLuma8(img.clone())).unwrap();
        assert!(!tiles.is_empty() && tiles.len() <= MAX_TILES);
        let xs: Vec<usize> = tiles.iter().map(|t| t.x).collect();
        assert!(xs.iter().all(|x| x + 256 > 512), "{xs:?}");
        assert!(tiles[0].is_grey());
        // All flat: the image has nothing better, tiles are still returned.
        let flat = image::GrayImage::from_pixel(300, 300, image::Luma([0]));
        assert!(!select(&DynamicImage::ImageLuma8(flat)).unwrap().is_empty());
    }
}
