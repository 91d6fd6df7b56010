//! Local inconsistency: a map of the noise level in 64×64 blocks over the
//! whole image. A camera's sensor noise covers the frame evenly (it does not
//! drop in defocused areas: it is added after the optics); a region painted
//! in by a generator (an inpainted face or body, a swapped face) often has a
//! different, usually lower, noise level. Per block, the noise is estimated
//! robustly from the Laplacian-like kernel of Immerkær (1996): the median
//! absolute response, scaled so that Gaussian noise of σ gives σ.

use serde::{Deserialize, Serialize};

use image::DynamicImage;

use crate::pixels::windows;

/// Block side in pixels.
pub(crate) const BLOCK: usize = 64;
/// Fewest usable blocks for outliers to mean anything.
const MIN_BLOCKS: usize = 16;
/// Robust z-score from which a block is an outlier.
const Z_OUTLIER: f32 = 3.0;
/// And the least factor between its noise and the image's median noise.
const MIN_FACTOR: f32 = 2.0;
/// Fewest blocks for a region to be reported.
const MIN_REGION_BLOCKS: usize = 2;
/// Most regions reported.
const MAX_REGIONS: usize = 5;
/// A smooth region is an edit candidate if its noise is at most this
/// fraction of the image's...
const EDIT_MAX_RATIO: f32 = 0.3;
/// ...the image has at least this much noise to lose (8-bit levels)...
const EDIT_MIN_SIGMA: f32 = 1.0;
/// ...and the region covers at least this many blocks...
const EDIT_MIN_BLOCKS: usize = 4;
/// ...but at most this fraction of the image (beyond it, it is the image's
/// own character: a sky, a studio background).
const EDIT_MAX_FRACTION: f32 = 0.25;

/// The noise level of each block, row-major; `None` for blocks that are
/// clipped (mostly black or white: no noise survives there).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NoiseMap {
    /// Blocks per row.
    pub cols: usize,
    /// Block rows.
    pub rows: usize,
    /// Estimated noise standard deviation per block, in 8-bit levels.
    pub sigma: Vec<Option<f32>>,
}

/// A connected group of outlier blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Region {
    /// Bounding box in pixels: left column.
    pub x: u32,
    /// Top row.
    pub y: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Number of blocks.
    pub blocks: usize,
    /// Median noise of the region over the image's median noise (< 1:
    /// smoother than the rest).
    #[serde(serialize_with = "crate::rounding::three")]
    pub noise_ratio: f32,
}

/// What the local noise map shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LocalNoiseEvidence {
    /// Block side in pixels.
    pub block: usize,
    /// Blocks analysed (not clipped).
    pub blocks: usize,
    /// Median block noise, in 8-bit levels.
    #[serde(serialize_with = "crate::rounding::three")]
    pub median_sigma: f32,
    /// Heterogeneity: robust spread (1.4826 × MAD) of the log block noise.
    #[serde(serialize_with = "crate::rounding::three")]
    pub spread: f32,
    /// Fraction of blocks that are outliers.
    #[serde(serialize_with = "crate::rounding::four")]
    pub outlier_fraction: f32,
    /// Outlier regions, largest first.
    pub regions: Vec<Region>,
}

impl LocalNoiseEvidence {
    /// The largest region smoother than the rest of the image, if any: the
    /// shape an inpainted or pasted generated region takes.
    pub(crate) fn smooth_region(&self) -> Option<&Region> {
        self.regions.iter().find(|r| r.noise_ratio < 1.0)
    }

    /// The smooth region, if it looks like a local edit rather than the
    /// image's character: much smoother than an image that has noise, at
    /// least four blocks, at most a quarter of the image. On the dev set 4 %
    /// of real photos have one (flat, clipped or compressed areas), so this
    /// is weak evidence.
    pub(crate) fn edit_candidate(&self) -> Option<&Region> {
        self.smooth_region().filter(|r| {
            r.noise_ratio <= EDIT_MAX_RATIO
                && self.median_sigma >= EDIT_MIN_SIGMA
                && r.blocks >= EDIT_MIN_BLOCKS
                && (r.blocks as f32) <= EDIT_MAX_FRACTION * self.blocks as f32
        })
    }

    /// One plain sentence with the numbers.
    pub fn sentence(&self) -> String {
        let head = format!(
            "Local noise over {} blocks of {}x{}: median {:.2} levels, spread {:.2}",
            self.blocks, self.block, self.block, self.median_sigma, self.spread
        );
        match self.regions.first() {
            None => format!("{head}; no region stands out"),
            Some(r) => format!(
                "{head}; {} region(s) stand out, the largest {}x{} px at ({}, {}) with {:.1}x the image's noise",
                self.regions.len(),
                r.width,
                r.height,
                r.x,
                r.y,
                r.noise_ratio
            ),
        }
    }
}

/// Robust noise estimate of the n×n block at column `x0` of a strip of
/// luminance rows `stride` wide, from |Immerkær kernel| on every other pixel
/// of every other row, scaled to a Gaussian σ. `None` if the block is mostly
/// clipped.
fn block_sigma(strip: &[f32], stride: usize, x0: usize, n: usize) -> Option<f32> {
    let line = |y: usize| &strip[y * stride + x0..][..n];
    let clipped: usize = (0..n)
        .map(|y| {
            line(y)
                .iter()
                .filter(|&&v| !(2.5..=252.5).contains(&v))
                .count()
        })
        .sum();
    if clipped * 2 > n * n {
        return None;
    }
    let mut responses = Vec::with_capacity((n / 2) * (n / 2));
    for y in (1..n - 1).step_by(2) {
        let (up, row, down) = (line(y - 1), line(y), line(y + 1));
        for x in (1..n - 1).step_by(2) {
            let (l, r) = (x - 1, x + 1);
            let corners = up[l] + up[r] + down[l] + down[r];
            let edges = up[x] + down[x] + row[l] + row[r];
            responses.push((corners - 2.0 * edges + 4.0 * row[x]).abs());
        }
    }
    // The interquartile mean of |response|: robust to the edges and texture
    // in the top quarter, and smooth on 8-bit data where a median would jump
    // by whole levels. The kernel's response to unit Gaussian noise has
    // σ = 6; the interquartile mean of a half-normal |N(0, 1)| is 0.69337.
    // Two selections instead of a sort: ranks [n/4, n - n/4).
    let quarter = responses.len() / 4;
    responses.select_nth_unstable_by(quarter, f32::total_cmp);
    let rest = &mut responses[quarter..];
    let keep = rest.len() - quarter;
    rest.select_nth_unstable_by(keep, f32::total_cmp);
    Some(crate::stats::mean(&rest[..keep]) / (6.0 * 0.69337))
}

/// Measures the noise map of the whole image (blocks that do not fit at the
/// right and bottom edges are left out). `None` if the image is smaller than
/// one block.
pub fn map(img: &DynamicImage) -> Option<NoiseMap> {
    let cols = img.width() as usize / BLOCK;
    let rows = img.height() as usize / BLOCK;
    if cols == 0 || rows == 0 {
        return None;
    }
    // One strip of block rows at a time: the image is read sequentially.
    let stride = cols * BLOCK;
    let mut sigma = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        match windows::luma_rect(img, 0, r * BLOCK, stride, BLOCK) {
            Some(strip) => {
                sigma.extend((0..cols).map(|c| block_sigma(&strip, stride, c * BLOCK, BLOCK)))
            }
            None => sigma.extend(std::iter::repeat_n(None, cols)),
        }
    }
    Some(NoiseMap { cols, rows, sigma })
}

fn median(values: &mut [f32]) -> f32 {
    values.sort_by(f32::total_cmp);
    values[values.len() / 2]
}

/// Finds the outlier blocks and their regions; `None` with too few usable
/// blocks.
pub fn analyze(map: &NoiseMap) -> Option<LocalNoiseEvidence> {
    // log(σ + 0.1): a perfectly flat block is not minus infinity.
    let logs: Vec<Option<f32>> = map
        .sigma
        .iter()
        .map(|s| s.map(|s| (s + 0.1).ln()))
        .collect();
    let mut valid: Vec<f32> = logs.iter().flatten().copied().collect();
    if valid.len() < MIN_BLOCKS {
        return None;
    }
    let centre = median(&mut valid);
    let mut deviations: Vec<f32> = valid.iter().map(|v| (v - centre).abs()).collect();
    let spread = 1.4826 * median(&mut deviations);
    let outlier =
        |l: f32| (l - centre).abs() >= MIN_FACTOR.ln() && (l - centre).abs() >= Z_OUTLIER * spread;
    let flags: Vec<i8> = logs
        .iter()
        .map(|l| match l {
            Some(l) if outlier(*l) => {
                if *l < centre {
                    -1
                } else {
                    1
                }
            }
            _ => 0,
        })
        .collect();
    let outliers = flags.iter().filter(|&&f| f != 0).count();
    let mut regions = regions(map, &flags, &logs, centre);
    regions.sort_by(|a, b| {
        b.blocks
            .cmp(&a.blocks)
            .then(a.y.cmp(&b.y))
            .then(a.x.cmp(&b.x))
    });
    regions.truncate(MAX_REGIONS);
    Some(LocalNoiseEvidence {
        block: BLOCK,
        blocks: valid.len(),
        median_sigma: centre.exp() - 0.1,
        spread,
        outlier_fraction: outliers as f32 / valid.len() as f32,
        regions,
    })
}

/// Connected components (4-neighbourhood) of outlier blocks of the same sign.
fn regions(map: &NoiseMap, flags: &[i8], logs: &[Option<f32>], centre: f32) -> Vec<Region> {
    let mut seen = vec![false; flags.len()];
    let mut out = Vec::new();
    for start in 0..flags.len() {
        if flags[start] == 0 || seen[start] {
            continue;
        }
        let sign = flags[start];
        let (mut stack, mut members) = (vec![start], Vec::new());
        seen[start] = true;
        while let Some(i) = stack.pop() {
            members.push(i);
            let (c, r) = (i % map.cols, i / map.cols);
            let mut visit = |j: usize| {
                if !seen[j] && flags[j] == sign {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if c > 0 {
                visit(i - 1);
            }
            if c + 1 < map.cols {
                visit(i + 1);
            }
            if r > 0 {
                visit(i - map.cols);
            }
            if r + 1 < map.rows {
                visit(i + map.cols);
            }
        }
        if members.len() < MIN_REGION_BLOCKS {
            continue;
        }
        let cols = members.iter().map(|i| i % map.cols);
        let rows = members.iter().map(|i| i / map.cols);
        let (c0, c1) = (cols.clone().min().unwrap_or(0), cols.max().unwrap_or(0));
        let (r0, r1) = (rows.clone().min().unwrap_or(0), rows.max().unwrap_or(0));
        let mut member_logs: Vec<f32> = members.iter().filter_map(|&i| logs[i]).collect();
        let ratio = (median(&mut member_logs) - centre).exp();
        out.push(Region {
            x: (c0 * BLOCK) as u32,
            y: (r0 * BLOCK) as u32,
            width: ((c1 - c0 + 1) * BLOCK) as u32,
            height: ((r1 - r0 + 1) * BLOCK) as u32,
            blocks: members.len(),
            noise_ratio: ratio,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::test_images::{gaussian, Rng};

    /// A 640×512 mid-grey image with Gaussian noise σ = 4, and a 128×192
    /// region at (256, 128) whose noise has σ = `inner`.
    fn pasted(inner: f32) -> DynamicImage {
        let mut rng = Rng(21);
        DynamicImage::ImageLuma8(image::GrayImage::from_fn(640, 512, |x, y| {
            let inside = (256..384).contains(&x) && (128..320).contains(&y);
            let sigma = if inside { inner } else { 4.0 };
            image::Luma([(128.0 + sigma * gaussian(&mut rng)).round() as u8])
        }))
    }

    #[test]
    fn the_noise_estimate_recovers_gaussian_noise() {
        let m = map(&pasted(4.0)).unwrap();
        assert_eq!((m.cols, m.rows), (10, 8));
        for s in m.sigma.iter().flatten() {
            assert!((s - 4.0).abs() < 0.6, "{s}");
        }
        let e = analyze(&m).unwrap();
        assert!(e.regions.is_empty(), "{e:?}");
        assert!(e.sentence().contains("no region stands out"));
    }

    #[test]
    fn a_pasted_region_with_different_noise_is_found() {
        for inner in [0.5f32, 14.0] {
            let e = analyze(&map(&pasted(inner)).unwrap()).unwrap();
            let r = &e.regions[0];
            assert_eq!(
                (r.x, r.y, r.width, r.height, r.blocks),
                (256, 128, 128, 192, 6),
                "{e:?}"
            );
            assert_eq!(e.regions.len(), 1);
            assert_eq!(e.smooth_region().is_some(), inner < 4.0);
            assert_eq!(e.edit_candidate().is_some(), inner < 4.0);
            assert!(e.sentence().contains("128x192 px at (256, 128)"));
        }
    }

    #[test]
    fn clipped_and_tiny_images_give_no_map_or_no_verdict() {
        assert!(map(&DynamicImage::ImageLuma8(image::GrayImage::new(63, 500))).is_none());
        let black = map(&DynamicImage::ImageLuma8(image::GrayImage::new(640, 640))).unwrap();
        assert!(black.sigma.iter().all(Option::is_none));
        assert!(analyze(&black).is_none());
    }
}
