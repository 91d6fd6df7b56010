//! Neighbouring pixel relationships (NPR, Tan et al., CVPR 2024): the
//! difference of each pixel from the top-left pixel of its 2×2 cell. The
//! upsampling layers of generator decoders copy or interpolate values inside
//! 2×2 cells, so in-cell differences are smaller than the same one-pixel
//! differences across cells; in a camera image they are alike.

use serde::{Deserialize, Serialize};

use crate::pixels::windows::Tile;

/// What the NPR analysis shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NprEvidence {
    /// Mean squared in-cell difference over mean squared difference at the
    /// same offset anywhere, for the right, lower and diagonal neighbours of
    /// the cell's top-left pixel. ≈ 1 without upsampling, → 0 for
    /// nearest-neighbour 2× upsampling.
    #[serde(serialize_with = "crate::rounding::three")]
    pub ratios: [f32; 3],
    /// The mean of the three ratios.
    #[serde(serialize_with = "crate::rounding::three")]
    pub ratio: f32,
    /// Correlation of the horizontal in-cell difference between horizontally
    /// neighbouring cells (2 pixels apart): ≈ 0 for independent pixels;
    /// 2× linear interpolation makes it about -0.5.
    #[serde(serialize_with = "crate::rounding::three")]
    pub autocorr: f32,
}

impl NprEvidence {
    /// One plain sentence with the numbers.
    pub fn sentence(&self) -> String {
        let reading = if self.ratio < 0.8 {
            "pixels inside 2x2 cells are more alike than across cells, as after 2x upsampling"
        } else {
            "pixels inside 2x2 cells differ as much as across cells (no 2x upsampling trace)"
        };
        format!(
            "Neighbouring pixel relationships: in-cell to overall difference ratio {:.2}; {reading}",
            self.ratio
        )
    }
}

/// Analyses the luminance of the tiles.
pub fn analyze(tiles: &[Tile]) -> NprEvidence {
    // Offsets (dx, dy) of the right, lower and diagonal neighbours.
    const OFFSETS: [(usize, usize); 3] = [(1, 0), (0, 1), (1, 1)];
    let mut in_cell = [0.0f64; 3];
    let mut cells = 0.0f64;
    let mut all = [0.0f64; 3];
    let mut pairs = 0.0f64;
    let (mut sab, mut saa, mut sbb) = (0.0f64, 0.0f64, 0.0f64);
    for tile in tiles {
        let n = tile.size;
        let luma = &tile.luma;
        let at = |x: usize, y: usize| f64::from(luma[y * n + x]);
        for y in 0..n - 1 {
            for x in 0..n - 1 {
                let c = at(x, y);
                let d = OFFSETS.map(|(dx, dy)| at(x + dx, y + dy) - c);
                all.iter_mut().zip(d).for_each(|(a, v)| *a += v * v);
                pairs += 1.0;
                if x % 2 == 0 && y % 2 == 0 {
                    in_cell.iter_mut().zip(d).for_each(|(a, v)| *a += v * v);
                    cells += 1.0;
                    if x + 3 < n {
                        let next = at(x + 3, y) - at(x + 2, y);
                        sab += d[0] * next;
                        saa += d[0] * d[0];
                        sbb += next * next;
                    }
                }
            }
        }
    }
    let ratios: [f32; 3] = std::array::from_fn(|i| {
        let inside = in_cell[i] / cells.max(1.0);
        let overall = all[i] / pairs.max(1.0);
        (inside / (overall + 1e-9)) as f32
    });
    let autocorr = if saa > 0.0 && sbb > 0.0 {
        sab / (saa * sbb).sqrt()
    } else {
        0.0
    };
    NprEvidence {
        ratios,
        ratio: ratios.iter().sum::<f32>() / 3.0,
        autocorr: autocorr as f32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::test_images::{noise, upsample_bilinear_2x, upsample_nearest};

    fn grey_tile(plane: Vec<f32>, n: usize) -> Tile {
        Tile::from_planes(0, 0, n, [plane.clone(), plane.clone(), plane])
    }

    #[test]
    fn upsampling_by_two_shrinks_in_cell_differences() {
        let n = 256;
        let white = analyze(&[grey_tile(noise(n, 5), n)]);
        assert!((white.ratio - 1.0).abs() < 0.1, "{white:?}");
        assert!(white.autocorr.abs() < 0.1, "{white:?}");
        let small = noise(n / 2, 6);
        // Nearest: in-cell differences vanish.
        let e = analyze(&[grey_tile(upsample_nearest(&small, n, 2), n)]);
        assert!(e.ratio < 0.05, "{e:?}");
        assert!(e.sentence().contains("2x upsampling"));
        let linear = upsample_bilinear_2x(&small, n);
        // Every one-pixel step is a half step, so the ratio stays near 1, but
        // in-cell steps of neighbouring cells share a sample: -0.5.
        let e = analyze(&[grey_tile(linear, n)]);
        assert!(e.autocorr < -0.3, "{e:?}");
    }
}
