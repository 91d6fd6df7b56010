//! The PDQ perceptual hash (Meta, 2017: "The TMK+PDQF video-hashing
//! algorithm and the PDQ image similarity algorithm"), written from its
//! published description: luminance, a two-pass Jarosz (box) blur and
//! decimation to 64×64, the 16×16 lowest non-DC frequencies of a 2-D DCT,
//! one bit per coefficient above their median; a quality score from
//! gradients. Two images are "the same picture" at a Hamming distance of
//! about 31 or less (of 256).

use std::sync::LazyLock;

use image::DynamicImage;
use serde::{Deserialize, Serialize};

/// Side of the downsampled image.
const SIDE: usize = 64;
/// Side of the kept DCT block.
const KEPT: usize = 16;
/// Images smaller than this on a side get no hash.
const MIN_SIDE: usize = 5;
/// Blur passes (each along rows then columns).
const PASSES: usize = 2;
/// Image rows blurred together.
const ROWS: usize = 8;

/// A PDQ hash and its quality (0-100; under ~50 the hash is unreliable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Pdq {
    /// 256 bits as 64 lowercase hex digits, in the reference tools' order.
    pub hash: String,
    /// Gradient-based quality, 0-100.
    pub quality: u8,
}

/// Hashes an image (`None` under 5 pixels on a side).
///
/// The blur is separable, so it runs along each row first (twice), keeping
/// only the 64 columns the decimation will read, then along those columns
/// (twice): the full-size image is never copied, and memory stays at one
/// row plus a rows×64 strip. (The reference alternates row and column
/// passes; the result is the same up to float rounding.)
pub fn hash(img: &DynamicImage) -> Option<Pdq> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w < MIN_SIDE || h < MIN_SIDE {
        return None;
    }
    let small = downsample(img, h, w);
    let quality = quality(&small);
    let dct = dct_16(&small);
    Some(Pdq {
        hash: to_hex(&bits(&dct)),
        quality,
    })
}

/// Blur window for shrinking `old` samples to `new`: a round-up of
/// old / (2·new), since two passes of it span one output sample.
fn window(old: usize, new: usize) -> usize {
    old.div_ceil(2 * new)
}

/// Box blur of `L` lines at once, stored interleaved (sample `i` of line
/// `l` at `i·L + l`), into `out`, with a window centred as in the
/// reference: shorter windows at both ends. Each line is summed in the same
/// order as alone; the lines only share the loop, so that their running
/// sums proceed side by side (in vector lanes) instead of waiting on one
/// another.
fn box_lanes<const L: usize>(input: &[f32], out: &mut [f32], win: usize) {
    let (input, _) = input.as_chunks::<L>();
    let (out, _) = out.as_chunks_mut::<L>();
    let len = input.len().min(out.len());
    let half = (win + 2) / 2;
    let mut sum = [0.0f32; L];
    let mut count = 0usize;
    let (mut left, mut right, mut o) = (0usize, 0usize, 0usize);
    let add = |sum: &mut [f32; L], v: &[f32; L]| sum.iter_mut().zip(v).for_each(|(s, &v)| *s += v);
    let sub = |sum: &mut [f32; L], v: &[f32; L]| sum.iter_mut().zip(v).for_each(|(s, &v)| *s -= v);
    let mean = |out: &mut [f32; L], sum: &[f32; L], count: usize| {
        out.iter_mut()
            .zip(sum)
            .for_each(|(o, &s)| *o = s / count as f32);
    };
    // The window grows to full size, slides, then shrinks.
    for _ in 0..half - 1 {
        add(&mut sum, &input[right]);
        count += 1;
        right += 1;
    }
    for _ in 0..(win + 1 - half) {
        add(&mut sum, &input[right]);
        count += 1;
        right += 1;
        mean(&mut out[o], &sum, count);
        o += 1;
    }
    for _ in 0..len - win {
        add(&mut sum, &input[right]);
        sub(&mut sum, &input[left]);
        right += 1;
        left += 1;
        mean(&mut out[o], &sum, count);
        o += 1;
    }
    for _ in 0..half - 1 {
        sub(&mut sum, &input[left]);
        count -= 1;
        left += 1;
        mean(&mut out[o], &sum, count);
        o += 1;
    }
}

/// The sample a 64-wide grid reads at output index `i` of `n` inputs:
/// the centre of its cell.
fn pick(i: usize, n: usize) -> usize {
    ((i as f64 + 0.5) * n as f64 / SIDE as f64) as usize
}

/// Writes the luminance of row `y` into `out` (BT.601 weights on 8-bit
/// values), reading the image's own buffer when it is 8-bit.
fn luma_row(img: &DynamicImage, y: usize, out: &mut [f32]) {
    let w = out.len();
    let weigh =
        |px: &[u8]| 0.299 * f32::from(px[0]) + 0.587 * f32::from(px[1]) + 0.114 * f32::from(px[2]);
    match img {
        DynamicImage::ImageRgb8(b) => {
            for (o, px) in out
                .iter_mut()
                .zip(b.as_raw()[y * w * 3..(y + 1) * w * 3].chunks_exact(3))
            {
                *o = weigh(px);
            }
        }
        DynamicImage::ImageRgba8(b) => {
            for (o, px) in out
                .iter_mut()
                .zip(b.as_raw()[y * w * 4..(y + 1) * w * 4].chunks_exact(4))
            {
                *o = weigh(px);
            }
        }
        DynamicImage::ImageLuma8(b) => {
            for (o, &v) in out.iter_mut().zip(&b.as_raw()[y * w..(y + 1) * w]) {
                *o = f32::from(v);
            }
        }
        other => {
            // Rare formats (16-bit, float, grey with alpha): one row at a time.
            let row = other.crop_imm(0, y as u32, w as u32, 1).to_rgb8();
            for (o, px) in out.iter_mut().zip(row.as_raw().chunks_exact(3)) {
                *o = weigh(px);
            }
        }
    }
}

/// Blurs the image's luminance and picks 64×64 samples at the centres of a
/// 64×64 grid.
fn downsample(img: &DynamicImage, rows: usize, cols: usize) -> Vec<f32> {
    // A window longer than the line is cut to it.
    let (win_x, win_y) = (
        window(cols, SIDE).clamp(1, cols),
        window(rows, SIDE).clamp(1, rows),
    );
    let blur = rows != SIDE || cols != SIDE;
    let columns: Vec<usize> = (0..SIDE).map(|j| pick(j, cols)).collect();
    // rows × 64: each row blurred, at the picked columns; ROWS rows at a
    // time, interleaved (the last group padded with zero rows).
    let mut strip = vec![0.0f32; rows * SIDE];
    let mut line = vec![0.0f32; cols];
    let (mut group, mut scratch) = (vec![0.0f32; cols * ROWS], vec![0.0f32; cols * ROWS]);
    for y0 in (0..rows).step_by(ROWS) {
        let n = ROWS.min(rows - y0);
        group.fill(0.0);
        for r in 0..n {
            luma_row(img, y0 + r, &mut line);
            for (x, &v) in line.iter().enumerate() {
                group[x * ROWS + r] = v;
            }
        }
        if blur {
            for _ in 0..PASSES {
                box_lanes::<ROWS>(&group, &mut scratch, win_x);
                std::mem::swap(&mut group, &mut scratch);
            }
        }
        for r in 0..n {
            for (j, &c) in columns.iter().enumerate() {
                strip[(y0 + r) * SIDE + j] = group[c * ROWS + r];
            }
        }
    }
    if blur {
        // The 64 columns of the strip are its lanes.
        let mut scratch = vec![0.0f32; rows * SIDE];
        for _ in 0..PASSES {
            box_lanes::<SIDE>(&strip, &mut scratch, win_y);
            std::mem::swap(&mut strip, &mut scratch);
        }
    }
    let mut out = Vec::with_capacity(SIDE * SIDE);
    for i in 0..SIDE {
        let r = pick(i, rows);
        out.extend_from_slice(&strip[r * SIDE..(r + 1) * SIDE]);
    }
    out
}

/// Sum of significant gradients of the 64×64 image, scaled to 0-100.
fn quality(a: &[f32]) -> u8 {
    let step = |u: f32, v: f32| (((u - v) * 100.0) / 255.0) as i32;
    let mut sum = 0i64;
    for i in 0..SIDE - 1 {
        for j in 0..SIDE {
            sum += i64::from(step(a[i * SIDE + j], a[(i + 1) * SIDE + j]).abs());
        }
    }
    for i in 0..SIDE {
        for j in 0..SIDE - 1 {
            sum += i64::from(step(a[i * SIDE + j], a[i * SIDE + j + 1]).abs());
        }
    }
    (sum / 90).min(100) as u8
}

/// The DCT rows used: D[i][j] = √(2/64)·cos(π/128·(i+1)·(2j+1)), i < 16.
static DCT: LazyLock<Vec<f32>> = LazyLock::new(|| {
    let scale = (2.0 / SIDE as f64).sqrt();
    (0..KEPT * SIDE)
        .map(|k| {
            let (i, j) = ((k / SIDE) as f64, (k % SIDE) as f64);
            (scale * (std::f64::consts::PI / 2.0 / SIDE as f64 * (i + 1.0) * (2.0 * j + 1.0)).cos())
                as f32
        })
        .collect()
});

/// Frequencies 1-16 of the 2-D DCT-II of the 64×64 image: D·A·Dᵀ with D
/// the rows of [`DCT`].
fn dct_16(a: &[f32]) -> [f32; KEPT * KEPT] {
    let d = &*DCT;
    let mut t = vec![0.0f32; KEPT * SIDE];
    for i in 0..KEPT {
        for j in 0..SIDE {
            t[i * SIDE + j] = (0..SIDE).map(|k| d[i * SIDE + k] * a[k * SIDE + j]).sum();
        }
    }
    let mut b = [0.0f32; KEPT * KEPT];
    for i in 0..KEPT {
        for j in 0..KEPT {
            b[i * KEPT + j] = (0..SIDE).map(|k| t[i * SIDE + k] * d[j * SIDE + k]).sum();
        }
    }
    b
}

/// One bit per coefficient: above the (lower) median.
fn bits(dct: &[f32; KEPT * KEPT]) -> [u16; 16] {
    let mut sorted = *dct;
    sorted.sort_by(f32::total_cmp);
    let median = sorted[KEPT * KEPT / 2 - 1];
    let mut words = [0u16; 16];
    for (k, &v) in dct.iter().enumerate() {
        if v > median {
            words[k / 16] |= 1 << (k % 16);
        }
    }
    words
}

/// The reference tools print the last 16-bit word first.
fn to_hex(words: &[u16; 16]) -> String {
    words.iter().rev().map(|w| format!("{w:04x}")).collect()
}

/// Parses 64 hex digits into 256 bits.
pub fn parse(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// Hamming distance between two hashes.
pub fn distance(a: &[u8; 32], b: &[u8; 32]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    /// A scene of 8×6 blocks of pseudo-random brightness over a gradient.
    fn scene(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
            let (bx, by) = (u64::from(8 * x / w), u64::from(6 * y / h));
            let mut rng = crate::pixels::test_images::Rng(bx * 131 + by * 7 + 1);
            for _ in 0..4 {
                rng.next_u64(); // small seeds start small
            }
            let v = 40.0 + 150.0 * rng.uniform() + 50.0 * x as f32 / w as f32;
            Rgb([v as u8, (v * 0.8) as u8, (255.0 - v) as u8])
        }))
    }

    #[test]
    fn the_same_picture_rescaled_or_recompressed_stays_close_and_others_do_not() {
        let img = scene(640, 480);
        let h = hash(&img).unwrap();
        assert_eq!(h.hash.len(), 64);
        let a = parse(&h.hash).unwrap();
        let half =
            hash(&img.resize_exact(320, 240, image::imageops::FilterType::Triangle)).unwrap();
        let mut jpeg = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
        let recompressed = hash(&image::load_from_memory(&jpeg).unwrap()).unwrap();
        for (what, other) in [("halved", half), ("recompressed", recompressed)] {
            let d = distance(&a, &parse(&other.hash).unwrap());
            assert!(d <= 31, "{what}: distance {d}");
        }
        let flipped = hash(&img.fliph()).unwrap();
        assert!(distance(&a, &parse(&flipped.hash).unwrap()) > 64);
        // Half the bits are set: the median splits the coefficients.
        let ones: u32 = a.iter().map(|b| b.count_ones()).sum();
        assert!((120..=128).contains(&ones), "{ones}");
        assert!(hash(&scene(4, 100)).is_none());
    }

    #[test]
    fn box_lines_average_like_the_reference_window() {
        // Window 3 (half 2) over 0..6: sums of the growing, sliding and
        // shrinking windows, divided by their sizes.
        let input: Vec<f32> = (0..6).map(|v| v as f32).collect();
        let mut out = vec![0.0; 6];
        box_lanes::<1>(&input, &mut out, 3);
        assert_eq!(out, vec![0.5, 1.0, 2.0, 3.0, 4.0, 4.5]);
        // Interleaved lines give each line's own blur.
        let lines: Vec<Vec<f32>> = (0..3)
            .map(|l| {
                (0..50)
                    .map(|i| ((i * 37 + l * 11) % 23) as f32 * 0.7)
                    .collect()
            })
            .collect();
        let interleaved: Vec<f32> = (0..50)
            .flat_map(|i| lines.iter().map(move |l| l[i]))
            .collect();
        let mut together = vec![0.0; 150];
        box_lanes::<3>(&interleaved, &mut together, 7);
        for (l, line) in lines.iter().enumerate() {
            let mut alone = vec![0.0; 50];
            box_lanes::<1>(line, &mut alone, 7);
            let lane: Vec<f32> = together.iter().skip(l).step_by(3).copied().collect();
            assert_eq!(lane, alone);
        }
    }
}
