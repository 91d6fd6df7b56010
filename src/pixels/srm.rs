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
//! Co-occurrences start on every other row (`ROW_STRIDE`): neighbouring
//! rows' counts are nearly the same information, and counting them was
//! most of the SRM's cost (half the counts: the same cross-validated AUCs,
//! half the time; docs/METHOD.md).
//!
//! The residual kernels, their quantisation and the class folding are in
//! `pixels::kernels`, shared with the other rich models.

use std::sync::LazyLock;

use crate::pixels::kernels::{
    classes, count_codes, fold, negate, negate_reverse, quantised_residual, reverse, same, BORDER,
    KINDS, LEVELS, STEPS,
};
use crate::pixels::windows::Tile;

/// Bins of a co-occurrence of four quantised values.
const BINS: usize = LEVELS * LEVELS * LEVELS * LEVELS;
/// Co-occurrences start on rows 0, ROW_STRIDE, 2·ROW_STRIDE, … of a
/// residual map (both along rows and along columns).
const ROW_STRIDE: usize = 2;

/// Adds the co-occurrences of four horizontally (`along_rows`) or
/// vertically consecutive values of a quantised `m`×`m` map that start on
/// every `ROW_STRIDE`-th row. The bin codes
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
    use crate::pixels::test_images::{grey_tile as tile, noise};

    #[test]
    fn a_flat_tile_concentrates_every_submodel_on_zero() {
        let f = features(&[tile(vec![77.0; 32 * 32], 32)]);
        // Every submodel is a distribution concentrated on (0,0,0,0).
        let zero = 2 * LEVELS * LEVELS * LEVELS + 2 * LEVELS * LEVELS + 2 * LEVELS + 2;
        let spam_zero = SPAM_CLASSES.0[zero];
        assert_eq!(f[spam_zero], 1.0);
        assert!((f.iter().sum::<f32>() - 20.0).abs() < 1e-4);
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
