//! SPAM features (Pevný, Bas & Fridrich 2010, "Steganalysis by Subtractive
//! Pixel Adjacency Matrix"): the second-order Markov transition
//! probabilities of neighbouring-pixel differences, truncated to ±3, in 8
//! directions, averaged over the 4 straight and the 4 diagonal ones:
//! 2 × 7³ = 686 numbers per image. They describe the fine texture of the
//! noise, which camera pipelines and generators leave differently.
//!
//! Computed on the luminance of the analysis tiles, rounded to integers
//! (the pixel grid), and pooled over the tiles.

use std::sync::LazyLock;

use crate::signals::windows::Tile;

/// Truncation threshold of the differences.
pub const T: i32 = 3;
/// Values a truncated difference takes.
const LEVELS: usize = (2 * T + 1) as usize;
/// Transition probabilities per group of directions.
pub const PER_GROUP: usize = LEVELS * LEVELS * LEVELS;
/// Features in all.
pub const LEN: usize = 2 * PER_GROUP;

/// Forward straight (→ ↓) and diagonal (↘ ↙) steps, as (dy, dx). Their
/// opposites (← ↑ ↖ ↗) see the same triples of pixels in reverse, whose
/// differences are (−c, −b, −a): they are counted by mirroring.
const STRAIGHT: [(isize, isize); 2] = [(0, 1), (1, 0)];
const DIAGONAL: [(isize, isize); 2] = [(1, 1), (1, -1)];

/// Feature names: `spam_s_<a>_<b>_<c>` (straight) and `spam_d_…`
/// (diagonal), for P(next difference c | previous two a, b), a, b, c in
/// -3..=3 (written m3..p3).
pub static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let level = |i: usize| {
        let v = i as i32 - T;
        if v < 0 {
            format!("m{}", -v)
        } else {
            format!("p{v}")
        }
    };
    ["s", "d"]
        .iter()
        .flat_map(|group| {
            (0..PER_GROUP).map(move |k| {
                let (a, b, c) = (k / (LEVELS * LEVELS), (k / LEVELS) % LEVELS, k % LEVELS);
                format!("spam_{group}_{}_{}_{}", level(a), level(b), level(c))
            })
        })
        .collect()
});

/// Joint counts of (a, b, c) for one group of directions over all tiles.
type Counts = Vec<u64>;

/// Counts the triples of one step and of its opposite.
fn count_direction(pixels: &[i32], n: usize, (dy, dx): (isize, isize), counts: &mut Counts) {
    // Three consecutive differences need four pixels along the step.
    let span = 3isize;
    let range = |d: isize| -> (usize, usize) {
        if d >= 0 {
            (0, n - (span * d) as usize)
        } else {
            ((span * -d) as usize, n)
        }
    };
    let (y0, y1) = range(dy);
    let (x0, x1) = range(dx);
    let step = dy * n as isize + dx;
    let q = |d: i32| (d.clamp(-T, T) + T) as usize;
    for y in y0..y1 {
        for x in x0..x1 {
            let i = (y * n + x) as isize;
            let p = |k: isize| pixels[(i + k * step) as usize];
            let (p0, p1, p2, p3) = (p(0), p(1), p(2), p(3));
            let a = q(p0 - p1);
            let b = q(p1 - p2);
            let c = q(p2 - p3);
            counts[(a * LEVELS + b) * LEVELS + c] += 1;
            let m = |v: usize| LEVELS - 1 - v;
            counts[(m(c) * LEVELS + m(b)) * LEVELS + m(a)] += 1;
        }
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

/// The 686 SPAM features of the tiles' luminance, in [`NAMES`] order.
pub fn features(tiles: &[Tile]) -> Vec<f32> {
    let mut straight: Counts = vec![0; PER_GROUP];
    let mut diagonal: Counts = vec![0; PER_GROUP];
    for t in tiles.iter().filter(|t| t.size >= 4) {
        let pixels: Vec<i32> = t.luma.iter().map(|&v| v.round() as i32).collect();
        for d in STRAIGHT {
            count_direction(&pixels, t.size, d, &mut straight);
        }
        for d in DIAGONAL {
            count_direction(&pixels, t.size, d, &mut diagonal);
        }
    }
    transitions(&straight)
        .chain(transitions(&diagonal))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::test_images::{grey_tile as tile, noise};

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
