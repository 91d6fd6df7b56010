//! Cross-channel residual co-occurrences: the joint histogram of the red,
//! green and blue quantised residuals at the same pixel (first-order
//! horizontal and vertical, second-order horizontal and vertical, the 3×3
//! SQUARE kernel; q ∈ {c, 2c}, truncated to ±2, folded by sign: 63 classes
//! each), counted apart in the flatter and the busier half of each window's
//! pixels (split at the median of the luminance's local activity): 1,260
//! numbers from the tiles given (the pipeline gives one at a time).
//!
//! Demosaicing interpolates two colours out of three at every pixel, so a
//! camera's residuals are tied across channels in a way a generator's
//! decoder need not reproduce (Fridrich & Kodovský 2012 use colour
//! co-occurrences for the same reason in colour steganalysis). Flat areas
//! and textured ones keep these ties differently under compression (JPEG
//! flattens smooth areas first), so mixing them blurs both: split, the
//! family gains 0.008 AUC under JPEG q90 and under halving + JPEG q80 in
//! cross-validation (docs/METHOD.md).

use std::sync::LazyLock;

use crate::pixels::kernels::{
    self, classes, fold, negate, quantised_residual, same, BORDER, KINDS, LEVELS,
};
use crate::pixels::windows::Tile;

/// The residuals used, as (kind index in [`kernels::KINDS`], direction index,
/// name): 1st right and down, 2nd horizontal and vertical, SQUARE 3×3.
const RESIDUALS: [(usize, usize, &str); 5] = [
    (0, 0, "1st_h"),
    (0, 3, "1st_v"),
    (1, 0, "2nd_h"),
    (1, 1, "2nd_v"),
    (3, 0, "sq3"),
];

/// Bins of a joint (R, G, B) histogram.
const BINS: usize = LEVELS * LEVELS * LEVELS;

/// Sign-symmetric classes of three values (63).
static CLASSES: LazyLock<(Vec<usize>, usize)> = LazyLock::new(|| classes(3, &[same, negate]));

/// The halves of a window's pixels, in feature order.
const HALVES: [&str; 2] = ["flat", "busy"];

/// Feature names: `xch_q<step>_<residual>_<flat|busy>_<class>`.
pub static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    kernels::STEPS
        .iter()
        .flat_map(|step| {
            RESIDUALS.iter().flat_map(move |(_, _, name)| {
                HALVES.iter().flat_map(move |half| {
                    (0..CLASSES.1).map(move |c| format!("xch_q{step}_{name}_{half}_{c}"))
                })
            })
        })
        .collect()
});

/// The cross-channel features of the tiles, in [`NAMES`] order. Grey
/// tiles (identical channels) put all their mass on the diagonal classes:
/// nothing beyond what the luminance models see.
pub fn features(tiles: &[Tile]) -> Vec<f32> {
    const L: u16 = LEVELS as u16;
    let mut counts = vec![vec![0u64; HALVES.len() * BINS]; kernels::STEPS.len() * RESIDUALS.len()];
    let mut codes: Vec<u16> = Vec::new();
    for t in tiles.iter().filter(|t| t.size >= 8) {
        let half = busy_half(&t.luma, t.size);
        for (r_index, &(kind, dir, _)) in RESIDUALS.iter().enumerate() {
            let k = &KINDS[kind];
            let [r, g, b] = &t.rgb;
            let q: Vec<[Vec<u8>; 2]> = [r, g, b]
                .iter()
                .map(|plane| quantised_residual(plane, t.size, &k.stencils[dir], k.scale))
                .collect();
            for s in 0..kernels::STEPS.len() {
                // Joint bin codes of the three channels (offset in the busy
                // half), then counted.
                codes.resize(q[0][s].len(), 0);
                for (((o, &a), (&b, &d)), &offset) in codes
                    .iter_mut()
                    .zip(&q[0][s])
                    .zip(q[1][s].iter().zip(&q[2][s]))
                    .zip(&half)
                {
                    *o = (u16::from(a) * L + u16::from(b)) * L + u16::from(d) + offset;
                }
                let mut h = [[0u32; (HALVES.len() * BINS).next_power_of_two()]; 4];
                kernels::count_codes(&codes, &mut h);
                let c = &mut counts[s * RESIDUALS.len() + r_index];
                for part in &h {
                    for (c, &v) in c.iter_mut().zip(part) {
                        *c += u64::from(v);
                    }
                }
            }
        }
    }
    counts
        .iter()
        .flat_map(|c| c.chunks_exact(BINS).flat_map(|half| fold(half, &CLASSES)))
        .collect()
}

/// Per interior pixel (the residual maps' positions), `BINS` where the
/// luminance's local activity (the sum of the absolute differences to the
/// right and down neighbours) is above the window's median, else 0: the
/// code offset that counts the busier half in a histogram of its own.
fn busy_half(luma: &[f32], size: usize) -> Vec<u16> {
    let m = size - 2 * BORDER;
    let activity: Vec<f32> = (0..m * m)
        .map(|i| {
            let at = (i / m + BORDER) * size + i % m + BORDER;
            let p = luma[at];
            (luma[at + 1] - p).abs() + (luma[at + size] - p).abs()
        })
        .collect();
    let mut scratch = activity.clone();
    let middle = scratch.len() / 2;
    let median = *scratch.select_nth_unstable_by(middle, f32::total_cmp).1;
    activity
        .iter()
        .map(|&a| if a > median { BINS as u16 } else { 0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::test_images::noise;

    fn colour_tile(rgb: [Vec<f32>; 3], size: usize) -> Tile {
        Tile::from_planes(0, 0, size, rgb)
    }

    #[test]
    fn names_and_classes() {
        assert_eq!(CLASSES.1, 63);
        assert_eq!(NAMES.len(), 1260);
        assert_eq!(NAMES[63], "xch_q1_1st_h_busy_0");
        assert_eq!(NAMES[126], "xch_q1_1st_v_flat_0");
    }

    #[test]
    fn identical_channels_stay_on_the_diagonal_independent_ones_do_not() {
        let n = 64;
        let same_noise = noise(n, 4);
        let tied = features(&[colour_tile(
            [same_noise.clone(), same_noise.clone(), same_noise],
            n,
        )]);
        let free = features(&[colour_tile([noise(n, 4), noise(n, 5), noise(n, 6)], n)]);
        // Mass on classes where the three values are equal.
        let classes: std::collections::BTreeSet<usize> = (0..LEVELS)
            .map(|v| CLASSES.0[(v * LEVELS + v) * LEVELS + v])
            .collect();
        // Each half of each histogram sums to one on its own.
        for half in [0, CLASSES.1] {
            let diagonal = |f: &[f32]| -> f32 { classes.iter().map(|&c| f[half + c]).sum() };
            assert!((diagonal(&tied) - 1.0).abs() < 1e-5);
            assert!(diagonal(&free) < 0.5, "{}", diagonal(&free));
        }
    }

    #[test]
    fn the_busy_half_is_where_the_luminance_moves() {
        // Left half flat, right half noisy.
        let n = 36;
        let m = n - 2 * BORDER;
        let rough = noise(n, 7);
        let luma: Vec<f32> = (0..n * n)
            .map(|i| if i % n < n / 2 { 100.0 } else { rough[i] })
            .collect();
        let half = busy_half(&luma, n);
        let busy = |x: usize| (0..m).filter(|&y| half[y * m + x] > 0).count();
        // Interior columns 0..16 are flat (one, at the edge, sees the noise).
        assert!((0..15).all(|x| busy(x) == 0));
        let right: usize = (16..m).map(busy).sum();
        assert!(right * 10 >= 9 * m * (m - 16), "{right}");
        assert_eq!(
            half.iter().filter(|&&o| o == BINS as u16).count(),
            half.iter().filter(|&&o| o > 0).count()
        );
        // All flat: nothing above the median.
        assert!(busy_half(&vec![5.0; n * n], n).iter().all(|&o| o == 0));
    }
}
