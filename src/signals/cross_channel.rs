//! Cross-channel residual co-occurrences: the joint histogram of the red,
//! green and blue quantised residuals at the same pixel (first-order
//! horizontal and vertical, second-order horizontal and vertical, the 3×3
//! SQUARE kernel; q ∈ {c, 2c}, truncated to ±2, folded by sign: 63 classes
//! each), 630 numbers from the tiles given (the pipeline gives one at a
//! time).
//!
//! Demosaicing interpolates two colours out of three at every pixel, so a
//! camera's residuals are tied across channels in a way a generator's
//! decoder need not reproduce (Fridrich & Kodovský 2012 use colour
//! co-occurrences for the same reason in colour steganalysis).

use std::sync::LazyLock;

use crate::signals::srm::{self, classes, fold, negate, quantised_residual, same, KINDS, LEVELS};
use crate::signals::windows::Tile;

/// The residuals used, as (kind index in [`srm::KINDS`], direction index,
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

/// Feature names: `xch_q<step>_<residual>_<class>`.
pub static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    srm::STEPS
        .iter()
        .flat_map(|step| {
            RESIDUALS.iter().flat_map(move |(_, _, name)| {
                (0..CLASSES.1).map(move |c| format!("xch_q{step}_{name}_{c}"))
            })
        })
        .collect()
});

/// The cross-channel features of the tiles, in [`NAMES`] order; all zero
/// for grey tiles (identical channels carry no joint information beyond
/// the luminance models).
pub fn features(tiles: &[Tile]) -> Vec<f32> {
    const L: u16 = LEVELS as u16;
    let mut counts = vec![vec![0u64; BINS]; srm::STEPS.len() * RESIDUALS.len()];
    let mut codes: Vec<u16> = Vec::new();
    for t in tiles.iter().filter(|t| t.size >= 8) {
        for (r_index, &(kind, dir, _)) in RESIDUALS.iter().enumerate() {
            let k = &KINDS[kind];
            let [r, g, b] = &t.rgb;
            let q: Vec<[Vec<u8>; 2]> = [r, g, b]
                .iter()
                .map(|plane| quantised_residual(plane, t.size, &k.stencils[dir], k.scale))
                .collect();
            for s in 0..srm::STEPS.len() {
                // Joint bin codes of the three channels, then counted.
                codes.resize(q[0][s].len(), 0);
                for ((o, &a), (&b, &d)) in codes
                    .iter_mut()
                    .zip(&q[0][s])
                    .zip(q[1][s].iter().zip(&q[2][s]))
                {
                    *o = (u16::from(a) * L + u16::from(b)) * L + u16::from(d);
                }
                let mut h = [[0u32; BINS.next_power_of_two()]; 4];
                srm::count_codes(&codes, &mut h);
                let c = &mut counts[s * RESIDUALS.len() + r_index];
                for part in &h {
                    for (c, &v) in c.iter_mut().zip(part) {
                        *c += u64::from(v);
                    }
                }
            }
        }
    }
    counts.iter().flat_map(|c| fold(c, &CLASSES)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::test_images::noise;

    fn colour_tile(rgb: [Vec<f32>; 3], size: usize) -> Tile {
        Tile::from_planes(0, 0, size, rgb)
    }

    #[test]
    fn names_and_classes() {
        assert_eq!(CLASSES.1, 63);
        assert_eq!(NAMES.len(), 630);
        assert_eq!(NAMES[63], "xch_q1_1st_v_0");
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
        let diagonal = |f: &[f32]| -> f32 { classes.iter().map(|&c| f[c]).sum() };
        assert!((diagonal(&tied) - 1.0).abs() < 1e-5);
        assert!(diagonal(&free) < 0.5, "{}", diagonal(&free));
    }
}
