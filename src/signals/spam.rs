//! SPAM features (Pevný, Bas & Fridrich 2010, "Steganalysis by Subtractive
//! Pixel Adjacency Matrix"): the second-order Markov transition
//! probabilities of neighbouring-pixel differences, truncated to ±3, in 8
//! directions, averaged over the 4 straight and the 4 diagonal ones:
//! 2 × 7³ = 686 numbers per image. They describe the fine texture of the
//! noise, which camera pipelines and generators leave differently.
//!
//! Computed on the luminance of the analysis tiles, rounded to integers
//! (the pixel grid).

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

/// Counts the triples of one step and of its opposite. The truncated
/// differences along the step are computed once into a map; a triple is
/// then three entries of that map one step apart, and its bin codes are
/// computed a row at a time (loops that vectorise) before counting.
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
    let mut mirrored = vec![0u16; width];
    let mut h = [[0u32; PER_GROUP]; 2];
    for y in y0..y1 {
        let d = |k: isize| &diff[offset(y, x0, k)..][..width];
        let (a, b, c) = (d(0), d(1), d(2));
        for ((((code, back), &a), &b), &c) in
            codes.iter_mut().zip(&mut mirrored).zip(a).zip(b).zip(c)
        {
            let (a, b, c) = (u16::from(a), u16::from(b), u16::from(c));
            *code = (a * L + b) * L + c;
            // The opposite step sees (−c, −b, −a): level v becomes L−1−v.
            *back = (L * L * L - 1) - ((c * L + b) * L + a);
        }
        for (&code, &back) in codes.iter().zip(&mirrored) {
            h[0][usize::from(code)] += 1;
            h[1][usize::from(back)] += 1;
        }
    }
    for part in &h {
        for (c, &v) in counts.iter_mut().zip(part) {
            *c += u64::from(v);
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
