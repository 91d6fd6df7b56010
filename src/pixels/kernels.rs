//! The residual toolkit shared by the rich models ([`crate::pixels::srm`],
//! [`crate::pixels::spam`], [`crate::pixels::cross_channel`]): the linear
//! predictors of the spatial rich model (Fridrich & Kodovský 2012) as
//! stencils, their residuals computed block by block and quantised with
//! steps q ∈ {c, 2c} and truncated to ±2, the counting of co-occurrence
//! codes, and the folding of co-occurrences into symmetry classes.

use std::sync::LazyLock;

/// Truncation of the quantised residuals.
const T: i32 = 2;
/// Values a quantised residual takes.
pub(crate) const LEVELS: usize = (2 * T + 1) as usize;
/// Border the largest kernel (5×5) needs.
pub(crate) const BORDER: usize = 2;
/// 1.5·2²³: adding it to a float under 2²² in magnitude rounds it to the
/// nearest integer, ties to even, in the FPU's default mode (a libm call
/// per value otherwise on baseline x86-64), and leaves that integer in the
/// low bits of the sum, whose spacing is 1 there: read back with integer
/// operations, loops vectorise (a float-to-integer conversion per value
/// does not).
pub(crate) const ROUND: f32 = 12_582_912.0;
/// Quantisation steps, as multiples of the kernel's scale.
pub(crate) const STEPS: [f32; 2] = [1.0, 2.0];

/// One linear predictor's residual: taps (dy, dx, coefficient).
pub(crate) type Stencil = Vec<(isize, isize, f32)>;

/// A family of residuals: one stencil per direction, the scale c, and
/// which directions form the row and column co-occurrences of the "spam"
/// submodel.
pub(crate) struct Kind {
    /// Short name in feature names.
    pub name: &'static str,
    /// Scale of the kernel: q = c · step.
    pub scale: f32,
    /// One stencil per direction.
    pub stencils: Vec<Stencil>,
    /// Directions counted along rows in the "spam" submodel.
    pub rows: &'static [usize],
    /// Directions counted along columns in the "spam" submodel.
    pub cols: &'static [usize],
}

/// The taps of a square kernel centred on the pixel.
fn taps<const N: usize>(k: [[f32; N]; N]) -> Stencil {
    let half = (N / 2) as isize;
    let mut out = Vec::new();
    for (a, row) in k.iter().enumerate() {
        for (b, &v) in row.iter().enumerate() {
            if v != 0.0 {
                out.push((a as isize - half, b as isize - half, v));
            }
        }
    }
    out
}

/// The residual families, in feature order.
pub(crate) static KINDS: LazyLock<Vec<Kind>> = LazyLock::new(|| {
    let edge = [[-1.0, 2.0, -1.0], [2.0, -4.0, 2.0], [0.0, 0.0, 0.0]];
    let flip_rows = |k: [[f32; 3]; 3]| [k[2], k[1], k[0]];
    let transpose = |k: [[f32; 3]; 3]| {
        let mut t = [[0.0; 3]; 3];
        for (a, row) in k.iter().enumerate() {
            for (b, &v) in row.iter().enumerate() {
                t[b][a] = v;
            }
        }
        t
    };
    let flip_cols = |k: [[f32; 3]; 3]| k.map(|r| [r[2], r[1], r[0]]);
    vec![
        Kind {
            name: "1st",
            scale: 1.0,
            // right, left, up, down
            stencils: vec![
                vec![(0, 1, 1.0), (0, 0, -1.0)],
                vec![(0, -1, 1.0), (0, 0, -1.0)],
                vec![(-1, 0, 1.0), (0, 0, -1.0)],
                vec![(1, 0, 1.0), (0, 0, -1.0)],
            ],
            rows: &[0],
            cols: &[3],
        },
        Kind {
            name: "2nd",
            scale: 2.0,
            // horizontal, vertical
            stencils: vec![
                vec![(0, -1, 1.0), (0, 1, 1.0), (0, 0, -2.0)],
                vec![(-1, 0, 1.0), (1, 0, 1.0), (0, 0, -2.0)],
            ],
            rows: &[0],
            cols: &[1],
        },
        Kind {
            name: "3rd",
            scale: 3.0,
            // right, left, up, down
            stencils: vec![
                vec![(0, 2, -1.0), (0, 1, 3.0), (0, 0, -3.0), (0, -1, 1.0)],
                vec![(0, -2, -1.0), (0, -1, 3.0), (0, 0, -3.0), (0, 1, 1.0)],
                vec![(-2, 0, -1.0), (-1, 0, 3.0), (0, 0, -3.0), (1, 0, 1.0)],
                vec![(2, 0, -1.0), (1, 0, 3.0), (0, 0, -3.0), (-1, 0, 1.0)],
            ],
            rows: &[0],
            cols: &[3],
        },
        Kind {
            name: "sq3",
            scale: 4.0,
            stencils: vec![taps([
                [-1.0, 2.0, -1.0],
                [2.0, -4.0, 2.0],
                [-1.0, 2.0, -1.0],
            ])],
            rows: &[0],
            cols: &[0],
        },
        Kind {
            name: "sq5",
            scale: 12.0,
            stencils: vec![taps([
                [-1.0, 2.0, -2.0, 2.0, -1.0],
                [2.0, -6.0, 8.0, -6.0, 2.0],
                [-2.0, 8.0, -12.0, 8.0, -2.0],
                [2.0, -6.0, 8.0, -6.0, 2.0],
                [-1.0, 2.0, -2.0, 2.0, -1.0],
            ])],
            rows: &[0],
            cols: &[0],
        },
        Kind {
            name: "edge3",
            scale: 4.0,
            // up, down, left, right
            stencils: vec![
                taps(edge),
                taps(flip_rows(edge)),
                taps(transpose(edge)),
                taps(flip_cols(transpose(edge))),
            ],
            rows: &[0, 1],
            cols: &[2, 3],
        },
    ]
});

/// A residual map on the tile's interior (side − 4, so that every kernel
/// fits), row-major.
#[cfg(test)]
fn residual(plane: &[f32], size: usize, stencil: &Stencil) -> Vec<f32> {
    let m = size - 2 * BORDER;
    let taps = row_taps(stencil, size);
    let mut out = vec![0.0f32; m * m];
    for (y, row) in out.chunks_exact_mut(m).enumerate() {
        residual_row(plane, &taps, y * size, m, |x, values| {
            row[x..x + values.len()].copy_from_slice(values);
        });
    }
    out
}

/// The stencil's taps as (offset in the plane of the tap for the first
/// interior pixel, coefficient); a row `y` further down adds `y · size`.
fn row_taps(stencil: &Stencil, size: usize) -> Vec<(usize, f32)> {
    stencil
        .iter()
        .map(|&(dy, dx, coef)| {
            let start = (BORDER as isize + dy) as usize * size + (BORDER as isize + dx) as usize;
            (start, coef)
        })
        .collect()
}

/// Outputs computed together: a block's sums stay in registers while
/// every tap is added (adding each tap to a whole row in memory costs a
/// load and a store per tap instead).
const BLOCK: usize = 32;

/// The `m` residuals of the interior row starting `row_start` samples into
/// the plane ([`row_taps`]), given to `emit(x, values)` block by block. The
/// taps are added in stencil order from 0, so every block sums the same
/// way; the last block overlaps its predecessor rather than being shorter
/// (a row shorter than a block, which windows never are, is summed whole).
#[inline(always)]
fn residual_row(
    plane: &[f32],
    taps: &[(usize, f32)],
    row_start: usize,
    m: usize,
    mut emit: impl FnMut(usize, &[f32]),
) {
    if m < BLOCK {
        let mut row = vec![0.0f32; m];
        for &(start, coef) in taps {
            let values = &plane[row_start + start..][..m];
            for (o, &v) in row.iter_mut().zip(values) {
                *o += coef * v;
            }
        }
        emit(0, &row);
        return;
    }
    let mut x = 0;
    loop {
        let x0 = x.min(m - BLOCK);
        let mut sums = [0.0f32; BLOCK];
        for &(start, coef) in taps {
            if let Some(values) = plane[row_start + start + x0..].first_chunk::<BLOCK>() {
                for (o, &v) in sums.iter_mut().zip(values) {
                    *o += coef * v;
                }
            }
        }
        emit(x0, &sums);
        if x0 == m - BLOCK {
            return;
        }
        x += BLOCK;
    }
}

/// The residual quantised with each step of [`STEPS`] (scaled by
/// `scale`), computed block by block without keeping the float map.
/// Compiled twice, for baseline x86-64 and for AVX2 (chosen at run time):
/// the same operations in the same order, so the same maps, twice as wide.
#[multiversion::multiversion(targets("x86_64+avx+avx2"))]
pub(crate) fn quantised_residual(
    plane: &[f32],
    size: usize,
    stencil: &Stencil,
    scale: f32,
) -> [Vec<u8>; 2] {
    let m = size - 2 * BORDER;
    let taps = row_taps(stencil, size);
    let mut maps = [vec![0u8; m * m], vec![0u8; m * m]];
    for y in 0..m {
        residual_row(plane, &taps, y * size, m, |x, values| {
            for (map, step) in maps.iter_mut().zip(STEPS) {
                let at = y * m + x;
                quantise_into(values, scale * step, &mut map[at..at + values.len()]);
            }
        });
    }
    maps
}

/// Quantises a residual with step `q`: round(r / q) (ties to even)
/// truncated to ±T, shifted to 0..LEVELS.
#[cfg(test)]
fn quantise(r: &[f32], q: f32) -> Vec<u8> {
    let mut out = vec![0u8; r.len()];
    quantise_into(r, q, &mut out);
    out
}

#[inline(always)]
fn quantise_into(r: &[f32], q: f32, out: &mut [u8]) {
    let inv = 1.0 / q;
    // Clamping first gives the same result as rounding first.
    const ZERO: u32 = ROUND.to_bits() - T as u32;
    let (lo, hi) = (-T as f32, T as f32);
    for (o, &v) in out.iter_mut().zip(r) {
        let bits = ((v * inv).clamp(lo, hi) + ROUND).to_bits();
        // `min` keeps a NaN residual in range.
        *o = bits.wrapping_sub(ZERO).min(2 * T as u32) as u8;
    }
}

/// Counts bin codes into four interleaved histograms (consecutive codes
/// into different ones, so that runs of the same bin, as in flat areas, do
/// not wait on each other's increments). The histograms are a power of two
/// long and indexed by `code & (SLOTS - 1)`: the same bin for codes under
/// SLOTS, without a bounds check per count.
pub(crate) fn count_codes<const SLOTS: usize>(codes: &[u16], h: &mut [[u32; SLOTS]; 4]) {
    const { assert!(SLOTS.is_power_of_two()) };
    let slot = |code: u16| usize::from(code) & (SLOTS - 1);
    let mut quads = codes.chunks_exact(4);
    for quad in &mut quads {
        for (part, &code) in h.iter_mut().zip(quad) {
            part[slot(code)] += 1;
        }
    }
    for (part, &code) in h.iter_mut().zip(quads.remainder()) {
        part[slot(code)] += 1;
    }
}

/// Maps each index of a tuple of `order` values in -T..=T (base LEVELS,
/// first value most significant) to its class under a group of
/// symmetries; returns the map and the number of classes.
pub(crate) fn classes(order: usize, symmetries: &[fn(&mut [i32])]) -> (Vec<usize>, usize) {
    let total = LEVELS.pow(order as u32);
    let decode = |mut i: usize| {
        let mut t = vec![0i32; order];
        for v in t.iter_mut().rev() {
            *v = (i % LEVELS) as i32 - T;
            i /= LEVELS;
        }
        t
    };
    let encode = |t: &[i32]| t.iter().fold(0, |acc, &v| acc * LEVELS + (v + T) as usize);
    let mut class = vec![usize::MAX; total];
    let mut next = 0;
    for i in 0..total {
        if class[i] != usize::MAX {
            continue;
        }
        for sym in symmetries {
            let mut t = decode(i);
            sym(&mut t);
            class[encode(&t)] = next;
        }
        next += 1;
    }
    (class, next)
}

/// The identity symmetry.
pub(crate) fn same(_: &mut [i32]) {}
/// Sign symmetry.
pub(crate) fn negate(t: &mut [i32]) {
    t.iter_mut().for_each(|v| *v = -*v);
}
pub(crate) fn reverse(t: &mut [i32]) {
    t.reverse();
}
pub(crate) fn negate_reverse(t: &mut [i32]) {
    negate(t);
    reverse(t);
}

/// Sums counts into classes and normalises them to sum 1 (all zero if
/// there were no counts).
pub(crate) fn fold(counts: &[u64], (class, n): &(Vec<usize>, usize)) -> Vec<f32> {
    let mut out = vec![0u64; *n];
    for (&c, &k) in counts.iter().zip(class) {
        out[k] += c;
    }
    let total: u64 = out.iter().sum();
    out.iter()
        .map(|&c| {
            if total == 0 {
                0.0
            } else {
                c as f32 / total as f32
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::test_images::noise;

    #[test]
    fn quantisation_rounds_ties_to_even_and_truncates() {
        let r = [
            -9.0, -2.5, -1.5, -0.5, -0.0, 0.0, 0.49, 0.5, 0.51, 1.5, 2.5, 3.0, 1e9,
        ];
        let expected: Vec<u8> = r
            .iter()
            .map(|&v: &f32| (v.round_ties_even().clamp(-2.0, 2.0) as i32 + 2) as u8)
            .collect();
        assert_eq!(quantise(&r, 1.0), expected);
        assert_eq!(expected, vec![0, 0, 0, 2, 2, 2, 2, 2, 3, 4, 4, 4, 4]);
        assert_eq!(quantise(&[3.0, -3.0, 6.0], 2.0), vec![4, 0, 4]);
        let odd = [f32::INFINITY, f32::NEG_INFINITY, f32::NAN];
        assert_eq!(quantise(&odd, 1.0)[..2], [4, 0]);
        assert!(quantise(&odd, 1.0)[2] <= 4, "NaN stays in range");
    }

    #[test]
    fn every_kernel_sums_to_zero() {
        for kind in KINDS.iter() {
            for s in &kind.stencils {
                assert_eq!(s.iter().map(|t| t.2).sum::<f32>(), 0.0, "{}", kind.name);
            }
        }
    }

    #[test]
    fn a_horizontal_ramp_shows_only_in_the_horizontal_first_difference() {
        let n = 32;
        let ramp: Vec<f32> = (0..n * n).map(|i| (i % n) as f32).collect();
        let right = residual(&ramp, n, &KINDS[0].stencils[0]);
        let down = residual(&ramp, n, &KINDS[0].stencils[3]);
        assert!(right.iter().all(|&v| v == 1.0));
        assert!(down.iter().all(|&v| v == 0.0));
        // A linear ramp has no second or third order residual.
        for k in 1..5 {
            for s in &KINDS[k].stencils {
                assert!(residual(&ramp, n, s).iter().all(|&v| v == 0.0));
            }
        }
    }

    #[test]
    fn block_sums_match_a_direct_sum_per_pixel_at_every_width() {
        // Interiors of 20 (shorter than a block), 64 (whole blocks) and 71
        // (the last block overlaps) pixels.
        for n in [24, 68, 75] {
            let plane = noise(n, 9);
            let m = n - 2 * BORDER;
            for s in KINDS.iter().flat_map(|k| &k.stencils) {
                let direct: Vec<f32> = (0..m * m)
                    .map(|i| {
                        let (y, x) = ((i / m + BORDER) as isize, (i % m + BORDER) as isize);
                        s.iter().fold(0.0, |acc, &(dy, dx, c)| {
                            acc + c * plane[((y + dy) * n as isize + x + dx) as usize]
                        })
                    })
                    .collect();
                assert_eq!(residual(&plane, n, s), direct, "side {n}");
            }
        }
    }
}
