//! SPAM features (Pevný, Bas & Fridrich 2010, "Steganalysis by Subtractive
//! Pixel Adjacency Matrix"): the second-order Markov transition
//! probabilities of neighbouring-pixel differences, truncated to ±3, in 8
//! directions, averaged over the 4 straight and the 4 diagonal ones:
//! 2 × 7³ = 686 numbers per image. They describe the fine texture of the
//! noise, which camera pipelines and generators leave differently.
//!
//! Computed on the luminance of the analysis tiles, rounded to integers
//! (the pixel grid), and on the three colour differences R−G, B−G and R−B
//! ("colour SPAM", 3 × 686 more): demosaicing and chroma subsampling tie
//! the colour channels' fine texture together in a camera photograph, and
//! a generator's decoder ties them differently; the differences keep that
//! trace after a halving and a JPEG re-encoding better than the luminance
//! does (docs/METHOD.md, ablation).

use std::sync::LazyLock;

use crate::pixels::kernels;
use crate::pixels::windows::Tile;

/// Truncation threshold of the differences.
pub const T: i32 = 3;
/// Values a truncated difference takes.
const LEVELS: usize = (2 * T + 1) as usize;
/// Transition probabilities per group of directions.
pub(crate) const PER_GROUP: usize = LEVELS * LEVELS * LEVELS;
/// Features in all (what the tests check the tables against).
#[cfg(test)]
pub(crate) const LEN: usize = 2 * PER_GROUP;

/// Forward straight (→ ↓) and diagonal (↘ ↙) steps, as (dy, dx). Their
/// opposites (← ↑ ↖ ↗) see the same triples of pixels in reverse, whose
/// differences are (−c, −b, −a): they are counted by mirroring.
const STRAIGHT: [(isize, isize); 2] = [(0, 1), (1, 0)];
const DIAGONAL: [(isize, isize); 2] = [(1, 1), (1, -1)];

/// The colour differences of colour SPAM: (minuend, subtrahend) planes
/// and the name of the pair.
const COLOUR_PAIRS: [(usize, usize, &str); 3] = [(0, 1, "rg"), (2, 1, "bg"), (0, 2, "rb")];

/// The names of one plane's features: `<prefix>_s_<a>_<b>_<c>` (straight)
/// and `<prefix>_d_…` (diagonal), for P(next difference c | previous two
/// a, b), a, b, c in -3..=3 (written m3..p3).
fn plane_names(prefix: &str) -> impl Iterator<Item = String> + '_ {
    let level = |i: usize| {
        let v = i as i32 - T;
        if v < 0 {
            format!("m{}", -v)
        } else {
            format!("p{v}")
        }
    };
    ["s", "d"].into_iter().flat_map(move |group| {
        (0..PER_GROUP).map(move |k| {
            let (a, b, c) = (k / (LEVELS * LEVELS), (k / LEVELS) % LEVELS, k % LEVELS);
            format!("{prefix}_{group}_{}_{}_{}", level(a), level(b), level(c))
        })
    })
}

/// Feature names of the luminance: `spam_s_…` and `spam_d_…`.
pub static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| plane_names("spam").collect());

/// Feature names of the colour differences: `cspam_<pair>_s_…` and
/// `cspam_<pair>_d_…`, pair `rg`, `bg`, `rb`.
pub static COLOUR_NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    COLOUR_PAIRS
        .iter()
        .flat_map(|(_, _, pair)| plane_names(&format!("cspam_{pair}")).collect::<Vec<_>>())
        .collect()
});

/// Joint counts of (a, b, c) for one group of directions over all tiles.
type Counts = Vec<u64>;

/// Counts the triples of one step and of its opposite. The truncated
/// differences along the step are computed once into a map; a triple is
/// then three entries of that map one step apart, and its bin codes are
/// computed a row at a time (loops that vectorise), then counted by the
/// histogram counter shared with the SRM. The opposite step's counts are a
/// permutation of the step's: counted once.
fn count_direction(pixels: &[i32], n: usize, (dy, dx): (isize, isize), counts: &mut Counts) {
    const L: u16 = LEVELS as u16;
    // Rows or columns [lo, hi) where a walk of `k` steps of `d` stays in.
    let range = |d: isize, k: usize| -> (usize, usize) {
        let reach = k * d.unsigned_abs();
        if d >= 0 {
            (0, n.saturating_sub(reach))
        } else {
            (reach.min(n), n)
        }
    };
    let offset = |y: usize, x: usize, k: isize| {
        ((y as isize + k * dy) as usize) * n + (x as isize + k * dx) as usize
    };
    // Differences p(i) - p(i + step), truncated and shifted to 0..LEVELS.
    let mut diff = vec![0u8; n * n];
    let ((y0, y1), (x0, x1)) = (range(dy, 1), range(dx, 1));
    for y in y0..y1 {
        let here = &pixels[offset(y, x0, 0)..][..x1 - x0];
        let next = &pixels[offset(y, x0, 1)..][..x1 - x0];
        for ((o, &a), &b) in diff[y * n + x0..][..x1 - x0].iter_mut().zip(here).zip(next) {
            *o = ((a - b).clamp(-T, T) + T) as u8;
        }
    }
    // Triples start where three differences (four pixels) fit.
    let ((y0, y1), (x0, x1)) = (range(dy, 3), range(dx, 3));
    let width = x1.saturating_sub(x0);
    let mut codes = vec![0u16; width];
    let mut h = [[0u32; PER_GROUP.next_power_of_two()]; 4];
    for y in y0..y1 {
        let d = |k: isize| &diff[offset(y, x0, k)..][..width];
        let (a, b, c) = (d(0), d(1), d(2));
        for (((code, &a), &b), &c) in codes.iter_mut().zip(a).zip(b).zip(c) {
            *code = (u16::from(a) * L + u16::from(b)) * L + u16::from(c);
        }
        kernels::count_codes(&codes, &mut h);
    }
    // The opposite step sees (−c, −b, −a): level v becomes L−1−v in every
    // place, reversed, so its code is L³−1 minus the code of (c, b, a).
    for code in 0..PER_GROUP {
        let n: u64 = h.iter().map(|part| u64::from(part[code])).sum();
        let (a, b, c) = (
            code / (LEVELS * LEVELS),
            (code / LEVELS) % LEVELS,
            code % LEVELS,
        );
        counts[code] += n;
        counts[PER_GROUP - 1 - ((c * LEVELS + b) * LEVELS + a)] += n;
    }
}

/// Turns joint counts into conditional probabilities P(c | a, b).
fn transitions(counts: &Counts) -> impl Iterator<Item = f32> + '_ {
    counts.chunks_exact(LEVELS).flat_map(|row| {
        let total: u64 = row.iter().sum();
        row.iter().map(move |&c| {
            if total == 0 {
                0.0
            } else {
                c as f32 / total as f32
            }
        })
    })
}

/// The 686 transition probabilities of integer planes of side `n` counted
/// together: the straight directions, then the diagonal ones.
fn plane_features(planes: impl Iterator<Item = (Vec<i32>, usize)>) -> Vec<f32> {
    let mut straight: Counts = vec![0; PER_GROUP];
    let mut diagonal: Counts = vec![0; PER_GROUP];
    for (pixels, n) in planes.filter(|(_, n)| *n >= 4) {
        for d in STRAIGHT {
            count_direction(&pixels, n, d, &mut straight);
        }
        for d in DIAGONAL {
            count_direction(&pixels, n, d, &mut diagonal);
        }
    }
    transitions(&straight)
        .chain(transitions(&diagonal))
        .collect()
}

/// Rounds to the nearest integer, ties to even, for |v| < 2²² (see
/// [`kernels::ROUND`]).
fn nearest(v: f32) -> i32 {
    (v + kernels::ROUND).to_bits() as i32 - kernels::ROUND.to_bits() as i32
}

/// The 686 SPAM features of the tiles' luminance, in [`NAMES`] order.
pub fn features(tiles: &[Tile]) -> Vec<f32> {
    plane_features(
        tiles
            .iter()
            .map(|t| (t.luma.iter().map(|&v| nearest(v)).collect(), t.size)),
    )
}

/// The 3 × 686 colour SPAM features of one tile (the SPAM of R−G, B−G and
/// R−B), in [`COLOUR_NAMES`] order. A grey tile has flat differences.
pub fn colour_features(tile: &Tile) -> Vec<f32> {
    COLOUR_PAIRS
        .iter()
        .flat_map(|&(a, b, _)| {
            let difference = tile.rgb[a]
                .iter()
                .zip(&tile.rgb[b])
                .map(|(x, y)| nearest(x - y))
                .collect();
            plane_features(std::iter::once((difference, tile.size)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::test_images::{grey_tile as tile, noise};

    /// All 8 directions walked explicitly.
    fn explicit(pixels: &[i32], n: usize) -> Vec<u64> {
        let dirs = [
            [(0, 1), (0, -1), (1, 0), (-1, 0)],
            [(1, 1), (-1, -1), (1, -1), (-1, 1)],
        ];
        let mut out = Vec::new();
        for group in dirs {
            let mut counts = vec![0u64; PER_GROUP];
            for (dy, dx) in group {
                for y in 0..n as isize {
                    for x in 0..n as isize {
                        let at = |k: isize| {
                            let (yy, xx) = (y + k * dy, x + k * dx);
                            ((0..n as isize).contains(&yy) && (0..n as isize).contains(&xx))
                                .then(|| pixels[(yy * n as isize + xx) as usize])
                        };
                        let (Some(p0), Some(p1), Some(p2), Some(p3)) = (at(0), at(1), at(2), at(3))
                        else {
                            continue;
                        };
                        let q = |d: i32| (d.clamp(-T, T) + T) as usize;
                        counts[(q(p0 - p1) * LEVELS + q(p1 - p2)) * LEVELS + q(p2 - p3)] += 1;
                    }
                }
            }
            out.extend(counts);
        }
        out
    }

    #[test]
    fn nearest_rounds_to_the_nearest_integer_ties_to_even() {
        for (v, n) in [
            (0.4, 0),
            (-0.4, 0),
            (2.5, 2),
            (3.5, 4),
            (-2.5, -2),
            (254.6, 255),
            (-254.6, -255),
            (17.0, 17),
        ] {
            assert_eq!(nearest(v), n, "{v}");
        }
    }

    #[test]
    fn mirrored_counts_equal_walking_all_eight_directions() {
        let n = 40;
        let pixels: Vec<i32> = noise(n, 9)
            .iter()
            .map(|v| (v / 40.0).round() as i32)
            .collect();
        let mut straight = vec![0; PER_GROUP];
        let mut diagonal = vec![0; PER_GROUP];
        for d in STRAIGHT {
            count_direction(&pixels, n, d, &mut straight);
        }
        for d in DIAGONAL {
            count_direction(&pixels, n, d, &mut diagonal);
        }
        straight.extend(diagonal);
        assert_eq!(straight, explicit(&pixels, n));
    }

    #[test]
    fn a_flat_tile_always_stays_at_zero_difference() {
        let f = features(&[tile(vec![100.0; 64 * 64], 64)]);
        assert_eq!(f.len(), LEN);
        assert_eq!(NAMES.len(), LEN);
        let zero = (3 * LEVELS + 3) * LEVELS + 3; // P(0 | 0, 0)
        assert_eq!(NAMES[zero], "spam_s_p0_p0_p0");
        assert_eq!(f[zero], 1.0);
        assert_eq!(f[PER_GROUP + zero], 1.0);
        assert_eq!(f.iter().sum::<f32>(), 2.0);
    }

    #[test]
    fn colour_spam_is_the_spam_of_each_colour_difference() {
        let n = 64;
        let (r, g, b) = (noise(n, 1), noise(n, 2), noise(n, 3));
        let rgb = [r.clone(), g.clone(), b.clone()];
        let colour = colour_features(&crate::pixels::windows::Tile::from_planes(0, 0, n, rgb));
        assert_eq!(colour.len(), 3 * LEN);
        assert_eq!(COLOUR_NAMES.len(), 3 * LEN);
        assert_eq!(COLOUR_NAMES[LEN], "cspam_bg_s_m3_m3_m3");
        let minus = |p: &[f32], q: &[f32]| p.iter().zip(q).map(|(x, y)| x - y).collect();
        for (k, (p, q)) in [(&r, &g), (&b, &g), (&r, &b)].into_iter().enumerate() {
            assert_eq!(colour[k * LEN..][..LEN], features(&[tile(minus(p, q), n)]));
        }
        // A grey tile, or one whose channels differ by constants, has flat
        // differences: all the mass at P(0 | 0, 0) in every pair.
        let shifted = [g.iter().map(|v| v + 7.0).collect(), g.clone(), g.clone()];
        let flat = colour_features(&crate::pixels::windows::Tile::from_planes(0, 0, n, shifted));
        let grey = features(&[tile(vec![100.0; n * n], n)]);
        assert_eq!(flat, [grey.clone(), grey.clone(), grey].concat());
    }

    #[test]
    fn rows_of_probabilities_sum_to_one_and_smooth_images_differ_from_noise() {
        let n = 128;
        let rough = tile(noise(n, 5), n);
        // A smooth ramp: every horizontal difference is -1 or 0.
        let ramp: Vec<f32> = (0..n * n).map(|i| ((i % n) as f32 * 0.5).floor()).collect();
        let smooth = tile(ramp, n);
        let (fr, fs) = (features(&[rough]), features(&[smooth]));
        for row in fr.chunks_exact(LEVELS) {
            let s: f32 = row.iter().sum();
            assert!(s == 0.0 || (s - 1.0).abs() < 1e-5, "{s}");
        }
        // Uniform noise saturates the differences at ±3, and after two big
        // drops the next step tends to climb; the ramp never saturates.
        let sat = (6 * LEVELS + 6) * LEVELS; // P(-3 | +3, +3)
        assert!(fr[sat] > 0.5, "{}", fr[sat]);
        assert_eq!(fs[sat], 0.0);
    }
}
