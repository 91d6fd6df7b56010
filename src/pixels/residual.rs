//! Noise residual: what is left when a small denoiser (the 3×3 median) is
//! subtracted from the image. Cameras leave sensor noise whose variance grows
//! with the signal (photon shot noise) and whose colour planes are correlated
//! by demosaicing; generators leave a residual shaped by their decoder.
//! Statistics: level, excess kurtosis, noise level function (residual
//! variance binned by local intensity, with its slope and fit), cross-channel
//! correlation and spatial autocorrelation.

use serde::{Deserialize, Serialize};

use crate::pixels::windows::Tile;
use crate::stats::{self, Correlation, Moments};

/// Intensity bins of the noise level function over 0-255.
const NLF_BINS: usize = 8;
/// Fewest pixels for a bin of the noise level function to count.
const NLF_MIN_PIXELS: usize = 200;

/// What the noise residual shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResidualEvidence {
    /// Standard deviation of the luminance residual, in 8-bit levels.
    #[serde(serialize_with = "crate::rounding::three")]
    pub sigma: f32,
    /// Excess kurtosis of the luminance residual (0 for Gaussian noise).
    #[serde(serialize_with = "crate::rounding::three")]
    pub kurtosis: f32,
    /// Noise level function: (mean intensity 0-1, residual variance) per
    /// populated intensity bin.
    #[serde(serialize_with = "crate::rounding::three")]
    pub nlf: Vec<(f32, f32)>,
    /// Slope of residual variance against intensity (0-1), divided by the
    /// overall residual variance: > 0 when noise grows with brightness.
    /// `None` with fewer than three populated bins.
    #[serde(serialize_with = "crate::rounding::three")]
    pub nlf_slope: Option<f32>,
    /// R² of that line (how well a straight line explains the variances).
    #[serde(serialize_with = "crate::rounding::three")]
    pub nlf_fit: Option<f32>,
    /// Correlation of the red and green residuals (`None` for grey images).
    #[serde(serialize_with = "crate::rounding::three")]
    pub corr_rg: Option<f32>,
    /// Correlation of the green and blue residuals.
    #[serde(serialize_with = "crate::rounding::three")]
    pub corr_gb: Option<f32>,
    /// Correlation of the red and blue residuals.
    #[serde(serialize_with = "crate::rounding::three")]
    pub corr_rb: Option<f32>,
    /// Autocorrelation of the luminance residual at 1 pixel (mean of
    /// horizontal and vertical).
    #[serde(serialize_with = "crate::rounding::three")]
    pub autocorr_1: f32,
    /// Same at 2 pixels.
    #[serde(serialize_with = "crate::rounding::three")]
    pub autocorr_2: f32,
}

impl ResidualEvidence {
    /// One plain sentence with the numbers.
    pub fn sentence(&self) -> String {
        let nlf = match self.nlf_slope {
            Some(s) if s > 0.5 => format!(
                "the residual grows with brightness (relative slope {s:.2}, fit R² {:.2}), as sensor shot noise would",
                self.nlf_fit.unwrap_or(0.0)
            ),
            Some(s) => format!(
                "the residual does not grow with brightness (relative slope {s:.2}, fit R² {:.2})",
                self.nlf_fit.unwrap_or(0.0)
            ),
            None => "too few intensity levels to measure how noise follows brightness".into(),
        };
        let corr = match self.corr_rg.zip(self.corr_gb) {
            Some((rg, gb)) => {
                format!("; red-green and green-blue residual correlation {rg:.2} and {gb:.2}")
            }
            None => "; grey image (no colour correlation)".into(),
        };
        format!(
            "Noise residual (image minus its 3x3 median): {:.2} levels RMS, excess kurtosis {:.1}; {nlf}{corr}",
            self.sigma, self.kurtosis
        )
    }
}

/// The 3×3 median of a `width`-wide plane, borders replicated. Uses the
/// separable form: sort each column triple once, then the median of nine is
/// med(max of lows, med of mids, min of highs) over three neighbouring columns.
pub(crate) fn median3(plane: &[f32], width: usize) -> Vec<f32> {
    let (w, h) = (width, plane.len() / width.max(1));
    let mut out = vec![0.0f32; w * h];
    // The sorted column triples of a row, one array per rank, with the
    // border columns replicated on each side, so that the loops below run
    // over equal-length slices (and vectorise).
    let mut ranks = [
        vec![0.0f32; w + 2],
        vec![0.0f32; w + 2],
        vec![0.0f32; w + 2],
    ];
    for (y, line) in out.chunks_exact_mut(w.max(1)).enumerate() {
        let up = &plane[y.saturating_sub(1) * w..][..w];
        let row = &plane[y * w..][..w];
        let down = &plane[(y + 1).min(h - 1) * w..][..w];
        let [lo, mid, hi] = &mut ranks;
        for ((((l, m), t), (&a, &b)), &c) in lo[1..=w]
            .iter_mut()
            .zip(&mut mid[1..=w])
            .zip(&mut hi[1..=w])
            .zip(up.iter().zip(row))
            .zip(down)
        {
            [*l, *m, *t] = sort3(a, b, c);
        }
        for rank in [&mut *lo, &mut *mid, &mut *hi] {
            rank[0] = rank[1];
            rank[w + 1] = rank[w];
        }
        let ([l0, l1, l2], [m0, m1, m2], [h0, h1, h2]) =
            (shifted3(lo, w), shifted3(mid, w), shifted3(hi, w));
        for (x, o) in line.iter_mut().enumerate() {
            let low = max(max(l0[x], l1[x]), l2[x]);
            let middle = sort3(m0[x], m1[x], m2[x])[1];
            let high = min(min(h0[x], h1[x]), h2[x]);
            *o = sort3(low, middle, high)[1];
        }
    }
    out
}

/// The three `w`-long windows of a `w + 2`-long slice.
fn shifted3(r: &[f32], w: usize) -> [&[f32]; 3] {
    [&r[..w], &r[1..=w], &r[2..]]
}

/// Sorts three values with compare-and-select only (branch-free; no NaN
/// in pixel data, so the plain comparisons are exact).
fn sort3(a: f32, b: f32, c: f32) -> [f32; 3] {
    let (lo, hi) = (min(a, b), max(a, b));
    let (mid, top) = (max(lo, min(hi, c)), max(hi, c));
    [min(lo, c), mid, top]
}

fn min(a: f32, b: f32) -> f32 {
    if a < b {
        a
    } else {
        b
    }
}

fn max(a: f32, b: f32) -> f32 {
    if a > b {
        a
    } else {
        b
    }
}

/// A `width`-wide plane minus its 3×3 median.
pub fn residual(plane: &[f32], width: usize) -> Vec<f32> {
    plane
        .iter()
        .zip(median3(plane, width))
        .map(|(v, m)| v - m)
        .collect()
}

/// Mean over the 5×5 neighbourhood of each pixel of an N×N plane (the
/// window is cut at the borders): 5-wide sums along rows, then sums of five
/// rows, both over contiguous memory.
fn local_mean5(plane: &[f32], n: usize) -> Vec<f32> {
    let span = |i: usize| i.saturating_sub(2)..(i + 3).min(n);
    let mut rows = vec![0.0f32; n * n];
    let interior = 2..n.saturating_sub(2).max(2);
    for (out, row) in rows.chunks_exact_mut(n).zip(plane.chunks_exact(n)) {
        // Full windows, in the order `sum` adds them (a loop that vectorises).
        if let Some(inner) = out.get_mut(interior.clone()) {
            let shifted = inner
                .iter_mut()
                .zip(row)
                .zip(&row[1..])
                .zip(&row[2..])
                .zip(&row[3..])
                .zip(&row[4..]);
            for (((((o, a), b), c), d), e) in shifted {
                *o = a + b + c + d + e;
            }
        }
        for x in (0..n).filter(|x| !interior.contains(x)) {
            out[x] = row[span(x)].iter().sum();
        }
    }
    let widths: Vec<f32> = (0..n).map(|x| span(x).len() as f32).collect();
    let mut out = vec![0.0f32; n * n];
    for (y, line) in out.chunks_exact_mut(n).enumerate() {
        let ys = span(y);
        let height = ys.len() as f32;
        for yy in ys {
            line.iter_mut()
                .zip(&rows[yy * n..][..n])
                .for_each(|(o, v)| *o += v);
        }
        line.iter_mut()
            .zip(&widths)
            .for_each(|(o, w)| *o /= w * height);
    }
    out
}

/// Autocorrelation of an N×N plane at lags 1 and 2, each the mean of the
/// horizontal and vertical values, given the plane's moments.
fn autocorr(plane: &[f32], n: usize, moments: &Moments) -> [f32; 2] {
    let var = f64::from(moments.variance());
    if var <= 0.0 || n < 3 {
        return [0.0; 2];
    }
    let m = moments.mean();
    let centred: Vec<f32> = plane.iter().map(|v| v - m).collect();
    let rows: Vec<&[f32]> = centred.chunks_exact(n).collect();
    [1, 2].map(|lag| {
        let along: f64 = rows.iter().map(|r| stats::dot(r, &r[lag..])).sum();
        let across: f64 = rows
            .iter()
            .zip(&rows[lag..])
            .map(|(a, b)| stats::dot(a, b))
            .sum();
        ((along + across) / (2 * n * (n - lag)) as f64 / var) as f32
    })
}

/// Analyses the tiles, given their luminance residuals (one per tile, from
/// [`residual`]). Statistics are accumulated as the tiles are read: nothing
/// image-sized is kept.
pub fn analyze(tiles: &[Tile], residuals: &[Vec<f32>]) -> ResidualEvidence {
    let mut moments = Moments::default();
    let mut bins = [(Moments::default(), 0.0f64); NLF_BINS];
    let mut pairs = [Correlation::default(); 3];
    let (mut ac1, mut ac2) = (0.0, 0.0);
    let grey = tiles.iter().all(Tile::is_grey);
    for (tile, r) in tiles.iter().zip(residuals) {
        let n = tile.size;
        let mut own = Moments::default();
        own.extend(r);
        let [a1, a2] = autocorr(r, n, &own);
        ac1 += a1;
        ac2 += a2;
        moments.merge(&own);
        for (&v, m) in r.iter().zip(local_mean5(&tile.luma, n)) {
            // Near-clipped pixels are left out: clipping removes noise.
            if (3.0..=252.0).contains(&m) {
                let b = ((m / 256.0 * NLF_BINS as f32) as usize).min(NLF_BINS - 1);
                bins[b].0.push(v);
                bins[b].1 += f64::from(m);
            }
        }
        if !grey {
            let [red, green, blue] = tile.rgb.each_ref().map(|p| residual(p, n));
            pairs[0].extend(&red, &green);
            pairs[1].extend(&green, &blue);
            pairs[2].extend(&red, &blue);
        }
    }
    let k = tiles.len().max(1) as f32;
    let variance = moments.variance();
    // Noise level function: (mean intensity on 0-1, residual variance).
    let nlf: Vec<(f32, f32)> = bins
        .iter()
        .filter(|(m, _)| m.count() >= NLF_MIN_PIXELS)
        .map(|(m, sum)| ((sum / m.count() as f64 / 255.0) as f32, m.variance()))
        .collect();
    let line = (nlf.len() >= 3).then(|| stats::fit_line(&nlf)).flatten();
    let corr = |i: usize| (!grey).then(|| pairs[i].value()).flatten();
    ResidualEvidence {
        sigma: variance.sqrt(),
        kurtosis: moments.excess_kurtosis(),
        nlf_slope: line.map(|l| l.slope / variance.max(1e-6)),
        nlf_fit: line.map(|l| l.r2),
        nlf,
        corr_rg: corr(0),
        corr_gb: corr(1),
        corr_rb: corr(2),
        autocorr_1: ac1 / k,
        autocorr_2: ac2 / k,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::test_images::{gaussian, noise, Rng};

    #[test]
    fn local_mean_and_autocorrelation_match_direct_sums() {
        let n = 9;
        let plane = noise(n, 2);
        let fast = local_mean5(&plane, n);
        for y in 0..n {
            for x in 0..n {
                let (mut sum, mut count) = (0.0, 0.0);
                for yy in y.saturating_sub(2)..(y + 3).min(n) {
                    for xx in x.saturating_sub(2)..(x + 3).min(n) {
                        sum += plane[yy * n + xx];
                        count += 1.0;
                    }
                }
                assert!((fast[y * n + x] - sum / count).abs() < 1e-3, "({x}, {y})");
            }
        }
        // A plane alternating by column: lag 1 horizontally -1, vertically
        // +1 → 0; lag 2: +1 both ways.
        let stripes: Vec<f32> = (0..64 * 64)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let mut moments = Moments::default();
        moments.extend(&stripes);
        let [a1, a2] = autocorr(&stripes, 64, &moments);
        assert!(a1.abs() < 1e-3 && (a2 - 1.0).abs() < 1e-3, "{a1} {a2}");
    }

    #[test]
    fn median3_matches_a_sort_of_nine() {
        let mut rng = Rng(9);
        let n = 17;
        let plane: Vec<f32> = (0..n * n).map(|_| rng.uniform() * 255.0).collect();
        let fast = median3(&plane, n);
        for y in 0..n {
            for x in 0..n {
                let mut v = Vec::new();
                for dy in -1..=1isize {
                    for dx in -1..=1isize {
                        let yy = (y as isize + dy).clamp(0, n as isize - 1) as usize;
                        let xx = (x as isize + dx).clamp(0, n as isize - 1) as usize;
                        v.push(plane[yy * n + xx]);
                    }
                }
                v.sort_by(f32::total_cmp);
                assert_eq!(fast[y * n + x], v[4], "at ({x}, {y})");
            }
        }
    }

    /// A horizontal intensity ramp from 20 to 235 with noise whose standard
    /// deviation is `sigma(intensity)`.
    fn ramp_with_noise(sigma: impl Fn(f32) -> f32) -> Tile {
        let n = 256;
        let mut rng = Rng(4);
        let plane: Vec<f32> = (0..n * n)
            .map(|i| {
                let level = 20.0 + 215.0 * (i % n) as f32 / (n - 1) as f32;
                level + sigma(level) * gaussian(&mut rng)
            })
            .collect();
        Tile::from_planes(0, 0, n, [plane.clone(), plane.clone(), plane])
    }

    #[test]
    fn shot_noise_gives_a_rising_noise_level_function_and_constant_noise_a_flat_one() {
        // Poisson-like: variance proportional to the signal (gain 0.1).
        let run = |tile: Tile| {
            let r = residual(&tile.luma, tile.size);
            analyze(&[tile], &[r])
        };
        let shot = run(ramp_with_noise(|level| (0.1 * level).sqrt()));
        let flat = run(ramp_with_noise(|_| 3.0));
        let (s, f) = (shot.nlf_slope.unwrap(), flat.nlf_slope.unwrap());
        assert!(s > 1.0 && shot.nlf_fit.unwrap() > 0.8, "shot: {shot:?}");
        assert!(f.abs() < 0.3, "flat: {flat:?}");
        assert!(shot.sentence().contains("grows with brightness"));
        assert!(flat.sentence().contains("does not grow"));
        // Gaussian noise: kurtosis near 0 (the median residual is not exactly
        // the noise, so allow some slack); grey planes give no correlation.
        assert!(flat.kurtosis.abs() < 1.0, "{flat:?}");
        assert_eq!(flat.corr_rg, None);
    }
}
