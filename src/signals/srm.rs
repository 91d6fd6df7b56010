//! A subset of the spatial rich model (Fridrich & Kodovský 2012, "Rich
//! Models for Steganalysis of Digital Images"): noise residuals from several
//! linear predictors (1st, 2nd and 3rd order differences, the 3×3 and 5×5
//! "SQUARE" kernels, the 3×3 "EDGE" kernels), quantised with step q ∈
//! {c, 2c} (c the kernel's scale), truncated to ±2, and described by the
//! co-occurrences of four neighbouring quantised values along rows and
//! columns.
//!
//! Two submodels per residual: "spam" (the directional residual's
//! co-occurrences, folded by sign and direction symmetry: 169 classes) and,
//! for residuals with several directions, "minmax" (the co-occurrences of
//! the minimum and of the maximum over the directions, the maximum folded
//! onto the minimum of the negated residual: 325 classes). 4,628 numbers
//! from the luminance of the tiles given (the pipeline gives one at a time).
//!
//! Co-occurrences start on every other row ([`ROW_STRIDE`]): neighbouring
//! rows' counts are nearly the same information, and counting them was
//! most of the SRM's cost (half the counts: the same cross-validated AUCs,
//! half the time; docs/METHOD.md).
//!
//! The residual kernels are shared with [`crate::signals::cross_channel`].

use std::sync::LazyLock;

use crate::signals::windows::Tile;

/// Truncation of the quantised residuals.
const T: i32 = 2;
/// Values a quantised residual takes.
pub(crate) const LEVELS: usize = (2 * T + 1) as usize;
/// Bins of a co-occurrence of four quantised values.
const BINS: usize = LEVELS * LEVELS * LEVELS * LEVELS;
/// Border the largest kernel (5×5) needs.
pub(crate) const BORDER: usize = 2;
/// Co-occurrences start on rows 0, ROW_STRIDE, 2·ROW_STRIDE, … of a
/// residual map (both along rows and along columns).
const ROW_STRIDE: usize = 2;
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
    rows: &'static [usize],
    /// Directions counted along columns in the "spam" submodel.
    cols: &'static [usize],
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

/// Adds the co-occurrences of four horizontally (`along_rows`) or
/// vertically consecutive values of a quantised `m`×`m` map that start on
/// every [`ROW_STRIDE`]-th row. The bin codes
/// of a row are computed first (a loop the compiler vectorises), then
/// counted into four interleaved histograms, so that runs of the same bin
/// (flat areas) do not wait on each other's increments.
fn cooccur(q: &[u8], m: usize, along_rows: bool, counts: &mut [u64]) {
    const L: u16 = LEVELS as u16;
    let mut h = [[0u32; BINS.next_power_of_two()]; 4];
    let mut codes = vec![0u16; m];
    let mut code_row = |a: &[u8], b: &[u8], c: &[u8], d: &[u8]| {
        let n = a.len().min(b.len()).min(c.len()).min(d.len());
        let out = &mut codes[..n];
        for ((((o, &a), &b), &c), &d) in out.iter_mut().zip(a).zip(b).zip(c).zip(d) {
            *o = ((u16::from(a) * L + u16::from(b)) * L + u16::from(c)) * L + u16::from(d);
        }
        count_codes(out, &mut h);
    };
    if along_rows {
        for row in q.chunks_exact(m).step_by(ROW_STRIDE) {
            code_row(row, &row[1..], &row[2..], &row[3..]);
        }
    } else {
        for y in (0..m.saturating_sub(3)).step_by(ROW_STRIDE) {
            let r = |k: usize| &q[(y + k) * m..(y + k + 1) * m];
            code_row(r(0), r(1), r(2), r(3));
        }
    }
    for part in &h {
        for (c, &v) in counts.iter_mut().zip(part) {
            *c += u64::from(v);
        }
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
fn reverse(t: &mut [i32]) {
    t.reverse();
}
fn negate_reverse(t: &mut [i32]) {
    negate(t);
    reverse(t);
}

/// Sign- and direction-symmetric classes of four values (169).
static SPAM_CLASSES: LazyLock<(Vec<usize>, usize)> =
    LazyLock::new(|| classes(4, &[same, negate, reverse, negate_reverse]));
/// Direction-symmetric classes of four values (325).
static MINMAX_CLASSES: LazyLock<(Vec<usize>, usize)> =
    LazyLock::new(|| classes(4, &[same, reverse]));
/// Index of the negated tuple of four values.
static NEGATED: LazyLock<Vec<usize>> = LazyLock::new(|| {
    (0..BINS)
        .map(|i| {
            // Negating every value mirrors each base-LEVELS digit.
            let mut j = 0;
            let mut k = i;
            let mut place = 1;
            for _ in 0..4 {
                j += (LEVELS - 1 - k % LEVELS) * place;
                k /= LEVELS;
                place *= LEVELS;
            }
            j
        })
        .collect()
});

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

/// The submodels in feature order: (step index, kind index, minmax?).
fn submodels() -> impl Iterator<Item = (usize, usize, bool)> {
    (0..STEPS.len()).flat_map(|s| {
        (0..KINDS.len()).flat_map(move |k| {
            let minmax = KINDS[k].stencils.len() > 1;
            [(s, k, false)]
                .into_iter()
                .chain(minmax.then_some((s, k, true)))
        })
    })
}

/// Feature names: `srm_q<step>_<kind>_<spam|minmax>_<class>`.
pub static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    submodels()
        .flat_map(|(s, k, minmax)| {
            let (sub, n) = if minmax {
                ("minmax", MINMAX_CLASSES.1)
            } else {
                ("spam", SPAM_CLASSES.1)
            };
            let kind = KINDS[k].name;
            let step = STEPS[s];
            (0..n).map(move |c| format!("srm_q{step}_{kind}_{sub}_{c}"))
        })
        .collect()
});

/// The family of an SRM feature name (`srm_<kind>`), for explanations.
pub fn family(name: &str) -> Option<String> {
    let rest = name.strip_prefix("srm_q")?;
    let kind = rest.split('_').nth(1)?;
    Some(format!("srm_{kind}"))
}

/// The SRM-subset features of the tiles' luminance, in [`NAMES`] order.
pub fn features(tiles: &[Tile]) -> Vec<f32> {
    let subs: Vec<(usize, usize, bool)> = submodels().collect();
    let mut counts = vec![vec![0u64; BINS]; subs.len()];
    let mut minimum = vec![vec![0u64; BINS]; subs.len()];
    for t in tiles.iter().filter(|t| t.size >= 2 * BORDER + 4) {
        let m = t.size - 2 * BORDER;
        for (k, kind) in KINDS.iter().enumerate() {
            // Per direction, one quantised map per step.
            let maps: Vec<[Vec<u8>; 2]> = kind
                .stencils
                .iter()
                .map(|s| quantised_residual(&t.luma, t.size, s, kind.scale))
                .collect();
            for s in 0..STEPS.len() {
                let q: Vec<&[u8]> = maps.iter().map(|pair| pair[s].as_slice()).collect();
                for (i, &(ss, kk, minmax)) in subs.iter().enumerate() {
                    if ss != s || kk != k {
                        continue;
                    }
                    if minmax {
                        let (lo, hi) = min_max(&q);
                        for dir in [true, false] {
                            cooccur(&lo, m, dir, &mut minimum[i]);
                            cooccur(&hi, m, dir, &mut counts[i]);
                        }
                    } else {
                        for &d in kind.rows {
                            cooccur(q[d], m, true, &mut counts[i]);
                        }
                        for &d in kind.cols {
                            cooccur(q[d], m, false, &mut counts[i]);
                        }
                    }
                }
            }
        }
    }
    let mut out = Vec::with_capacity(NAMES.len());
    for (i, &(_, _, minmax)) in subs.iter().enumerate() {
        if minmax {
            // max(X) counted as min(−X): fold the maxima onto negated bins.
            let mut merged = minimum[i].clone();
            for (j, &c) in counts[i].iter().enumerate() {
                merged[NEGATED[j]] += c;
            }
            out.extend(fold(&merged, &MINMAX_CLASSES));
        } else {
            out.extend(fold(&counts[i], &SPAM_CLASSES));
        }
    }
    out
}

/// Element-wise minimum and maximum of quantised maps.
fn min_max(q: &[&[u8]]) -> (Vec<u8>, Vec<u8>) {
    let mut lo = q[0].to_vec();
    let mut hi = q[0].to_vec();
    for map in &q[1..] {
        for ((l, h), &v) in lo.iter_mut().zip(hi.iter_mut()).zip(map.iter()) {
            *l = (*l).min(v);
            *h = (*h).max(v);
        }
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signals::test_images::{grey_tile as tile, noise};

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
    fn class_counts_match_the_rich_model() {
        assert_eq!(SPAM_CLASSES.1, 169);
        assert_eq!(MINMAX_CLASSES.1, 325);
        assert_eq!(NAMES.len(), 2 * (6 * 169 + 4 * 325));
        assert_eq!(NAMES.len(), 4628);
        assert_eq!(
            family("srm_q2_edge3_minmax_7").as_deref(),
            Some("srm_edge3")
        );
    }

    #[test]
    fn every_kernel_sums_to_zero_so_flat_images_give_zero_residuals() {
        for kind in KINDS.iter() {
            for s in &kind.stencils {
                assert_eq!(s.iter().map(|t| t.2).sum::<f32>(), 0.0, "{}", kind.name);
            }
        }
        let f = features(&[tile(vec![77.0; 32 * 32], 32)]);
        // Every submodel is a distribution concentrated on (0,0,0,0).
        let zero = 2 * LEVELS * LEVELS * LEVELS + 2 * LEVELS * LEVELS + 2 * LEVELS + 2;
        let spam_zero = SPAM_CLASSES.0[zero];
        assert_eq!(f[spam_zero], 1.0);
        assert!((f.iter().sum::<f32>() - 20.0).abs() < 1e-4);
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

    #[test]
    fn cooccurrences_start_on_every_other_row_in_both_directions() {
        let m = 9;
        let q: Vec<u8> = (0..m * m)
            .map(|i| ((i * 7 + i / m) % LEVELS) as u8)
            .collect();
        for along_rows in [true, false] {
            let mut counts = vec![0u64; BINS];
            cooccur(&q, m, along_rows, &mut counts);
            let mut expected = vec![0u64; BINS];
            for y in (0..m).step_by(ROW_STRIDE) {
                for x in 0..m {
                    let at = |k: usize| {
                        let (yy, xx) = if along_rows { (y, x + k) } else { (y + k, x) };
                        (yy < m && xx < m).then(|| usize::from(q[yy * m + xx]))
                    };
                    if let (Some(a), Some(b), Some(c), Some(d)) = (at(0), at(1), at(2), at(3)) {
                        expected[((a * LEVELS + b) * LEVELS + c) * LEVELS + d] += 1;
                    }
                }
            }
            assert_eq!(counts, expected, "along rows: {along_rows}");
            // Along rows: rows 0, 2, 4, 6, 8 hold 6 quadruples each; along
            // columns: quadruples start on rows 0, 2, 4, in 9 columns.
            let total = if along_rows { 5 * 6 } else { 3 * 9 };
            assert_eq!(counts.iter().sum::<u64>(), total);
        }
    }

    #[test]
    fn noise_spreads_the_cooccurrences_and_rows_sum_to_one_per_submodel() {
        let f = features(&[tile(noise(64, 3), 64)]);
        let mut at = 0;
        for (_, _, minmax) in submodels() {
            let n = if minmax {
                MINMAX_CLASSES.1
            } else {
                SPAM_CLASSES.1
            };
            let part = &f[at..at + n];
            assert!((part.iter().sum::<f32>() - 1.0).abs() < 1e-4);
            assert!(part.iter().filter(|&&v| v > 0.0).count() > 20);
            at += n;
        }
        assert_eq!(at, f.len());
    }
}
