//! Frequency-domain signal: the Hann-windowed power spectrum of luminance
//! tiles, its azimuthally averaged radial profile (Durall et al. 2020), the
//! decay of its high-frequency tail (after Dzanic et al. 2020), and periodic
//! peaks at N/2, N/4 and N/8 in the spectra of the noise residual and of the
//! local first- and second-difference energy (upsampling makes them
//! periodic) — the footprint of 2×/4×/8× upsampling in generator decoders
//! (Corvi et al. 2023).
//! The JPEG 8×8 block grid puts peaks at every multiple of N/8, which covers
//! all three frequencies: peaks are read against the block grid measured in
//! the same tiles ([`crate::pixels::block_grid`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner};
use serde::{Deserialize, Serialize};

use crate::pixels::block_grid::BlockGrid;

/// Number of radial bins between 0 and the Nyquist frequency.
pub(crate) const RADIAL_BINS: usize = 32;

/// What the spectrum shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SpectrumEvidence {
    /// Tile side used.
    pub tile: usize,
    /// Number of tiles averaged.
    pub tiles: usize,
    /// Mean log power per radial bin, from low to high frequency.
    #[serde(serialize_with = "crate::rounding::three")]
    pub radial_profile: Vec<f32>,
    /// Decay exponent of the high-frequency tail: minus the slope of log power
    /// against log frequency over 0.25-0.5 cycles/pixel (natural images ≈ 2).
    pub tail_decay: f32,
    /// RMS residual of that fit (a bumpy tail fits badly).
    pub tail_fit_rms: f32,
    /// Peak-to-neighbourhood ratio at period 2: the strongest over the
    /// spectra of the noise residual and of the difference energies.
    #[serde(serialize_with = "crate::rounding::two")]
    pub peak_period_2: f32,
    /// Same at period 4.
    #[serde(serialize_with = "crate::rounding::two")]
    pub peak_period_4: f32,
    /// Same at period 8. In a JPEG all three periods are harmonics of the
    /// 8×8 block grid.
    #[serde(serialize_with = "crate::rounding::two")]
    pub peak_period_8: f32,
}

thread_local! {
    /// FFT plans per tile size, made once per thread and reused for every image.
    static PLANS: RefCell<HashMap<usize, Rc<Spectrum2d>>> = RefCell::new(HashMap::new());
}

/// The plans for N×N tiles on this thread.
fn planned(n: usize) -> Rc<Spectrum2d> {
    PLANS.with(|plans| {
        Rc::clone(
            plans
                .borrow_mut()
                .entry(n)
                .or_insert_with(|| Rc::new(Spectrum2d::new(n))),
        )
    })
}

/// Rows moved together from the row transforms to the column buffer.
const BATCH: usize = 8;

/// A 2-D FFT of N×N real tiles.
pub(crate) struct Spectrum2d {
    n: usize,
    rows: Arc<dyn RealToComplex<f32>>,
    cols: Arc<dyn Fft<f32>>,
    hann: Vec<f32>,
}

impl Spectrum2d {
    /// Plans the transforms for N×N tiles.
    pub(crate) fn new(n: usize) -> Self {
        let rows = RealFftPlanner::<f32>::new().plan_fft_forward(n);
        let cols = FftPlanner::<f32>::new().plan_fft_forward(n);
        let hann = (0..n)
            .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / n as f32).cos())
            .collect();
        Spectrum2d {
            n,
            rows,
            cols,
            hann,
        }
    }

    /// Power spectrum of a mean-removed, Hann-windowed tile: N rows (ky) of
    /// N/2+1 columns (kx ≥ 0; the other half is its mirror image).
    pub(crate) fn power(&self, tile: &[f32]) -> Vec<f32> {
        let n = self.n;
        let half = n / 2 + 1;
        let mean = crate::stats::mean(tile);
        // Row transforms, stored transposed (column kx is `columns[kx·N..]`,
        // contiguous, so that one call transforms all the columns), moved
        // BATCH rows at a time so that each store fills a cache line.
        let mut row = self.rows.make_input_vec();
        let mut scratch = self.rows.make_scratch_vec();
        let mut batch = vec![Complex::new(0.0f32, 0.0); BATCH * half];
        let mut columns = vec![Complex::new(0.0f32, 0.0); half * n];
        for (b, lines) in tile.chunks(BATCH * n).enumerate() {
            let rows = lines.len() / n;
            for (k, line) in lines.chunks_exact(n).enumerate() {
                let wy = self.hann[b * BATCH + k];
                for ((r, &v), &wx) in row.iter_mut().zip(line).zip(&self.hann) {
                    *r = (v - mean) * wx * wy;
                }
                // Lengths match the plan, so the transform cannot fail.
                let out = &mut batch[k * half..][..half];
                let _ = self.rows.process_with_scratch(&mut row, out, &mut scratch);
            }
            for (x, column) in columns.chunks_exact_mut(n).enumerate() {
                for (k, c) in column[b * BATCH..][..rows].iter_mut().enumerate() {
                    *c = batch[k * half + x];
                }
            }
        }
        let mut scratch = vec![Complex::new(0.0f32, 0.0); self.cols.get_inplace_scratch_len()];
        self.cols.process_with_scratch(&mut columns, &mut scratch);
        let mut power = vec![0.0f32; n * half];
        for (y, line) in power.chunks_exact_mut(half).enumerate() {
            for (p, column) in line.iter_mut().zip(columns.chunks_exact(n)) {
                *p = column[y].norm_sqr();
            }
        }
        power
    }
}

impl SpectrumEvidence {
    /// The strongest periodic peak: (period, ratio).
    pub fn strongest_peak(&self) -> (usize, f32) {
        [
            (2, self.peak_period_2),
            (4, self.peak_period_4),
            (8, self.peak_period_8),
        ]
        .into_iter()
        .fold((2, f32::MIN), |best, p| if p.1 > best.1 { p } else { best })
    }

    /// What explains the strongest periodic peak, given whether the file
    /// is a JPEG and the block grid found in the same tiles.
    pub fn peak_source(&self, jpeg: bool, grid: Option<&BlockGrid>) -> PeakSource {
        if self.strongest_peak().1 < PEAK {
            PeakSource::None
        } else if jpeg {
            PeakSource::JpegGrid
        } else if grid.is_some_and(BlockGrid::present) {
            PeakSource::BlockStructure
        } else {
            PeakSource::Upsampling
        }
    }

    /// One plain sentence with the numbers and the reading of the peaks.
    pub fn sentence(&self, source: PeakSource) -> String {
        let (period, ratio) = self.strongest_peak();
        let reading = match source {
            PeakSource::None => "no periodic peak stands out",
            PeakSource::JpegGrid => {
                "at harmonics of the file's 8x8 JPEG block grid (periods 2, 4 and 8), so not evidence of upsampling"
            }
            PeakSource::BlockStructure => {
                "with an 8-pixel block structure in the pixels: an earlier JPEG compression or the 8x upsampling of a latent-diffusion decoder"
            }
            PeakSource::Upsampling => {
                "with no JPEG block grid to explain it: the footprint of upsampling, typical of generator decoders"
            }
        };
        format!(
            "Spectrum over {} tile(s) of {}x{}: high-frequency decay exponent {:.2} (fit RMS {:.2}); strongest periodic peak at period {period}, {ratio:.1}x its neighbourhood: {reading}",
            self.tiles, self.tile, self.tile, self.tail_decay, self.tail_fit_rms
        )
    }
}

/// Peak-to-neighbourhood ratio from which a periodic peak is read.
pub const PEAK: f32 = 10.0;

/// What explains the periodic peaks of the spectrum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum PeakSource {
    /// No peak above [`PEAK`].
    None,
    /// The file is a JPEG: its 8×8 block grid has harmonics at the same
    /// frequencies.
    JpegGrid,
    /// Not a JPEG, but the pixels have an 8-pixel block structure: an
    /// earlier JPEG compression or an 8× upsampling decoder.
    BlockStructure,
    /// A peak with no block structure to explain it: upsampling.
    Upsampling,
}

/// Local energy of the first (order 1) or second (order 2) differences:
/// |Δx| + |Δy| at each pixel, borders replicated. Upsampling makes this
/// energy periodic: nearest-neighbour copies zero the first differences inside
/// each copied block, linear interpolation zeroes the second differences at
/// the interpolated pixels.
pub(crate) fn difference_energy(tile: &[f32], n: usize, order: u8) -> Vec<f32> {
    if n == 0 {
        return Vec::new();
    }
    let energy = if order == 1 {
        |[_, c, right, _, down]: [f32; 5]| (right - c).abs() + (down - c).abs()
    } else {
        |[left, c, right, up, down]: [f32; 5]| {
            (left - 2.0 * c + right).abs() + (up - 2.0 * c + down).abs()
        }
    };
    let line = |y: usize| &tile[y.min(n - 1) * n..][..n];
    let mut out = vec![0.0f32; n * n];
    for (y, o) in out.chunks_exact_mut(n).enumerate() {
        let (up, row, down) = (line(y.saturating_sub(1)), line(y), line(y + 1));
        let at = |x: usize| {
            let (l, r) = (x.saturating_sub(1), (x + 1).min(n - 1));
            [row[l], row[x], row[r], up[x], down[x]]
        };
        // Interior pixels over shifted slices (a loop that vectorises), then
        // the two border columns.
        if n > 2 {
            let neighbours = row
                .iter()
                .zip(&row[1..])
                .zip(&row[2..])
                .zip(&up[1..])
                .zip(&down[1..]);
            for (o, ((((&l, &c), &r), &u), &d)) in o[1..n - 1].iter_mut().zip(neighbours) {
                *o = energy([l, c, r, u, d]);
            }
        }
        o[0] = energy(at(0));
        o[n - 1] = energy(at(n - 1));
    }
    out
}

/// Analyses `size`×`size` luminance tiles (row-major), given their
/// [`mean_log_power`], and their noise residuals (see
/// [`crate::pixels::residual::residual`]).
pub fn analyze<T: AsRef<[f32]>, R: AsRef<[f32]>>(
    image_power: &[f32],
    tiles: &[T],
    residuals: &[R],
    size: usize,
) -> SpectrumEvidence {
    let fft = planned(size);
    let half = size / 2 + 1;
    let mut residual_power = vec![0.0f32; size * half];
    let mut first_power = vec![0.0f32; size * half];
    let mut second_power = vec![0.0f32; size * half];
    for residual in residuals {
        add(&mut residual_power, &fft.power(residual.as_ref()));
    }
    for tile in tiles {
        add(
            &mut first_power,
            &fft.power(&difference_energy(tile.as_ref(), size, 1)),
        );
        add(
            &mut second_power,
            &fft.power(&difference_energy(tile.as_ref(), size, 2)),
        );
    }
    let profile = radial_profile(image_power, size);
    let (tail_decay, tail_fit_rms) = tail_fit(&profile);
    let peak = |period: usize| {
        [&residual_power, &first_power, &second_power]
            .map(|p| peak_ratio(p, size, period))
            .into_iter()
            .fold(0.0, f32::max)
    };
    SpectrumEvidence {
        tile: size,
        tiles: tiles.len(),
        radial_profile: profile,
        tail_decay,
        tail_fit_rms,
        peak_period_2: peak(2),
        peak_period_4: peak(4),
        peak_period_8: peak(8),
    }
}

/// Mean over the tiles of the log power spectrum: N rows (ky) of N/2+1
/// columns (kx ≥ 0), as `Spectrum2d::power`.
pub fn mean_log_power<T: AsRef<[f32]>>(tiles: &[T], size: usize) -> Vec<f32> {
    let fft = planned(size);
    let mut acc = vec![0.0f32; size * (size / 2 + 1)];
    for tile in tiles {
        acc.iter_mut()
            .zip(fft.power(tile.as_ref()))
            .for_each(|(a, v)| *a += (v + 1e-6).ln());
    }
    let k = tiles.len().max(1) as f32;
    acc.iter_mut().for_each(|v| *v /= k);
    acc
}

fn add(acc: &mut [f32], p: &[f32]) {
    acc.iter_mut().zip(p).for_each(|(a, v)| *a += v);
}

/// Signed frequency of index k of an N-point transform, in cycles/pixel.
fn freq(k: usize, n: usize) -> f32 {
    let k = if k > n / 2 {
        k as f32 - n as f32
    } else {
        k as f32
    };
    k / n as f32
}

/// Mean of log power per radial bin over (0, 0.5] cycles/pixel.
pub(crate) fn radial_profile(log_power: &[f32], n: usize) -> Vec<f32> {
    let half = n / 2 + 1;
    let mut sum = [0.0f32; RADIAL_BINS];
    let mut count = [0u32; RADIAL_BINS];
    for ky in 0..n {
        for kx in 0..half {
            let r = (freq(ky, n).powi(2) + freq(kx, n).powi(2)).sqrt();
            if r == 0.0 || r > 0.5 {
                continue;
            }
            let bin = ((r / 0.5 * RADIAL_BINS as f32) as usize).min(RADIAL_BINS - 1);
            sum[bin] += log_power[ky * half + kx];
            count[bin] += 1;
        }
    }
    sum.iter()
        .zip(&count)
        .map(|(s, &c)| if c > 0 { s / c as f32 } else { 0.0 })
        .collect()
}

/// Least-squares line of log power against log frequency over the upper half
/// of the band: (decay exponent, RMS residual).
pub(crate) fn tail_fit(profile: &[f32]) -> (f32, f32) {
    let pts: Vec<(f32, f32)> = profile
        .iter()
        .enumerate()
        .skip(RADIAL_BINS / 2)
        .map(|(i, &v)| (((i as f32 + 0.5) / RADIAL_BINS as f32 * 0.5).ln(), v))
        .collect();
    crate::stats::fit_line(&pts).map_or((0.0, 0.0), |l| (-l.slope, l.rms))
}

/// Strongest peak-to-neighbourhood ratio among the frequencies of a period:
/// (0, N/p), (N/p, 0), (N/p, N/p). The centre bin over the median of a 9×9
/// neighbourhood without its 3×3 core.
fn peak_ratio(power: &[f32], n: usize, period: usize) -> f32 {
    let half = n / 2 + 1;
    let k = n / period;
    let get = |ky: isize, kx: isize| {
        let ky = ky.rem_euclid(n as isize) as usize;
        let kx = kx.rem_euclid(n as isize) as usize;
        // Only kx <= N/2 is stored: P(ky, kx) = P(-ky, -kx) for real input.
        let (ky, kx) = if kx > n / 2 {
            ((n - ky) % n, n - kx)
        } else {
            (ky, kx)
        };
        power[ky * half + kx]
    };
    let mut best = 0.0f32;
    for (cy, cx) in [(0, k as isize), (k as isize, 0), (k as isize, k as isize)] {
        let mut ring = Vec::with_capacity(72);
        for dy in -4..=4isize {
            for dx in -4..=4isize {
                if dy.abs() > 1 || dx.abs() > 1 {
                    ring.push(get(cy + dy, cx + dx));
                }
            }
        }
        ring.sort_by(f32::total_cmp);
        let median = ring[ring.len() / 2];
        best = best.max(get(cy, cx) / (median + 1e-9));
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::residual::residual;
    use crate::pixels::test_images::{noise, upsample_bilinear_2x, upsample_nearest, Rng};

    fn spectrum_of(plane: Vec<f32>) -> SpectrumEvidence {
        let r = residual(&plane, 256);
        analyze(&mean_log_power(&[&plane], 256), &[&plane], &[r], 256)
    }

    #[test]
    fn difference_energy_matches_the_formula_with_replicated_borders() {
        let mut rng = Rng(5);
        for n in [1, 2, 3, 16] {
            let tile: Vec<f32> = (0..n * n).map(|_| rng.uniform() * 255.0).collect();
            let at = |x: isize, y: isize| {
                let c = |v: isize| v.clamp(0, n as isize - 1) as usize;
                tile[c(y) * n + c(x)]
            };
            for order in [1, 2] {
                let mut direct = Vec::new();
                for y in 0..n as isize {
                    for x in 0..n as isize {
                        let c = at(x, y);
                        direct.push(if order == 1 {
                            (at(x + 1, y) - c).abs() + (at(x, y + 1) - c).abs()
                        } else {
                            (at(x - 1, y) - 2.0 * c + at(x + 1, y)).abs()
                                + (at(x, y - 1) - 2.0 * c + at(x, y + 1)).abs()
                        });
                    }
                }
                assert_eq!(difference_energy(&tile, n, order), direct, "side {n}");
            }
        }
    }

    #[test]
    fn white_noise_has_a_flat_spectrum_and_no_peaks() {
        let e = spectrum_of(noise(256, 7));
        assert!(e.tail_decay.abs() < 0.3, "decay {}", e.tail_decay);
        for v in [e.peak_period_2, e.peak_period_4, e.peak_period_8] {
            // One tile: single-bin power is exponential, so chance ratios of
            // a few are normal; upsampling gives tens to hundreds.
            assert!(v < 10.0, "peak {v}: {e:?}");
        }
    }

    #[test]
    fn nearest_upsampled_noise_shows_the_peak_of_its_factor() {
        for factor in [2usize, 8] {
            let e = spectrum_of(upsample_nearest(&noise(256 / factor, 11), 256, factor));
            let peak = if factor == 2 {
                e.peak_period_2
            } else {
                e.peak_period_8
            };
            assert!(peak > 20.0, "factor {factor}: {e:?}");
        }
    }

    #[test]
    fn bilinear_upsampled_noise_shows_a_peak_at_period_2() {
        let e = spectrum_of(upsample_bilinear_2x(&noise(128, 13), 256));
        assert!(e.peak_period_2 > 20.0, "{e:?}");
        assert_eq!(e.strongest_peak().0, 2);
    }

    #[test]
    fn smooth_images_decay_faster_than_noise() {
        let data: Vec<f32> = (0..256 * 256)
            .map(|i| {
                let (x, y) = ((i % 256) as f32, (i / 256) as f32);
                128.0 + 60.0 * (x / 17.0).sin() * (y / 23.0).cos()
            })
            .collect();
        let mut noisy = noise(256, 3);
        noisy
            .iter_mut()
            .zip(&data)
            .for_each(|(n, d)| *n = d + 0.02 * *n);
        let smooth = spectrum_of(noisy);
        let white = spectrum_of(noise(256, 5));
        assert!(
            smooth.radial_profile[2] - smooth.radial_profile[30]
                > white.radial_profile[2] - white.radial_profile[30]
        );
    }
}
