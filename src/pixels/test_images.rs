//! Images whose truth is known, made in the tests: deterministic noise,
//! colour planes and a Bayer mosaic with bilinear demosaicing.

/// A deterministic pseudo-random generator (xorshift64).
pub(crate) struct Rng(pub u64);

impl Rng {
    /// Next raw value.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform on [0, 1).
    pub(crate) fn uniform(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// A standard normal sample (Box-Muller).
pub(crate) fn gaussian(rng: &mut Rng) -> f32 {
    let u = rng.uniform().max(1e-7);
    let v = rng.uniform();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f32::consts::PI * v).cos()
}

/// An N×N plane of uniform noise on 0-255.
pub(crate) fn noise(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = Rng(seed);
    (0..n * n).map(|_| rng.uniform() * 255.0).collect()
}

/// An N×N plane upsampled from an (N/factor)² plane by nearest neighbour:
/// each sample copied into a factor×factor block.
pub(crate) fn upsample_nearest(small: &[f32], n: usize, factor: usize) -> Vec<f32> {
    let m = n / factor;
    (0..n * n)
        .map(|i| small[(i / n / factor) * m + (i % n) / factor])
        .collect()
}

/// An N×N plane upsampled 2× from an (N/2)² plane by bilinear
/// interpolation: samples at even positions, half-way means between them
/// (the last row and column repeat their neighbour).
pub(crate) fn upsample_bilinear_2x(small: &[f32], n: usize) -> Vec<f32> {
    let m = n / 2;
    let s = |x: usize, y: usize| small[y.min(m - 1) * m + x.min(m - 1)];
    (0..n * n)
        .map(|i| {
            let (x, y) = (i % n, i / n);
            let (x0, y0) = (x / 2, y / 2);
            let (fx, fy) = ((x % 2) as f32 * 0.5, (y % 2) as f32 * 0.5);
            let top = s(x0, y0) * (1.0 - fx) + s(x0 + 1, y0) * fx;
            let bottom = s(x0, y0 + 1) * (1.0 - fx) + s(x0 + 1, y0 + 1) * fx;
            top * (1.0 - fy) + bottom * fy
        })
        .collect()
}

/// Which colour the Bayer pattern "RGGB" samples at (x, y): 0 red, 1 green,
/// 2 blue.
fn rggb(x: usize, y: usize) -> usize {
    match (x % 2, y % 2) {
        (0, 0) => 0,
        (1, 1) => 2,
        _ => 1,
    }
}

/// Samples an N×N RGB image through an RGGB colour filter array and
/// demosaics it bilinearly: each missing value is the mean of the same-colour
/// samples among its eight neighbours (for green, the four direct ones).
pub(crate) fn bayer_bilinear(rgb: &[Vec<f32>; 3], n: usize) -> [Vec<f32>; 3] {
    let mut out: [Vec<f32>; 3] = Default::default();
    for (c, plane) in out.iter_mut().enumerate() {
        *plane = (0..n * n)
            .map(|i| {
                let (x, y) = (i % n, i / n);
                if rggb(x, y) == c {
                    return rgb[c][i];
                }
                let (mut sum, mut count) = (0.0, 0.0);
                for dy in -1..=1isize {
                    for dx in -1..=1isize {
                        let (xx, yy) = (x as isize + dx, y as isize + dy);
                        if (dx, dy) == (0, 0)
                            || xx < 0
                            || yy < 0
                            || xx >= n as isize
                            || yy >= n as isize
                        {
                            continue;
                        }
                        let (xx, yy) = (xx as usize, yy as usize);
                        if rggb(xx, yy) == c {
                            sum += rgb[c][yy * n + xx];
                            count += 1.0;
                        }
                    }
                }
                sum / count
            })
            .collect();
    }
    out
}

/// A tile whose three channels all equal `luma`.
pub(crate) fn grey_tile(luma: Vec<f32>, size: usize) -> crate::pixels::windows::Tile {
    crate::pixels::windows::Tile {
        x: 0,
        y: 0,
        size,
        rgb: [luma.clone(), luma.clone(), luma.clone()],
        luma,
    }
}
