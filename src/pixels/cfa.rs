//! Demosaicing (colour filter array) traces, after Popescu & Farid (2005) and
//! Ferrara et al. (2012). A camera sensor samples one colour per pixel through
//! a 2×2 Bayer pattern and interpolates the other two; interpolated values are
//! well predicted by their neighbours, sampled ones are not. So the error of a
//! 4-neighbour prediction has a period-2 structure whose phase names the
//! pattern. Generators, resizing and strong recompression leave none.

use serde::{Deserialize, Serialize};

use crate::pixels::windows::Tile;

/// Score above which the report speaks of a demosaicing trace.
pub(crate) const TRACE: f32 = 0.2;

/// The four Bayer patterns, named by the top-left 2×2 cell read row by row,
/// with the 2×2 position (dx + 2·dy) of red and of blue.
const PATTERNS: [(&str, usize, usize); 4] = [
    ("RGGB", 0, 3),
    ("BGGR", 3, 0),
    ("GRBG", 1, 2),
    ("GBRG", 2, 1),
];

/// What the demosaicing analysis shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CfaEvidence {
    /// Strength of the period-2 structure under the best Bayer pattern: the
    /// mean of the log ratios of prediction-error variance (sampled over
    /// interpolated positions) in the green, red and blue planes. ≈ 0 without
    /// a trace; bilinear demosaicing gives several units.
    #[serde(serialize_with = "crate::rounding::three")]
    pub score: f32,
    /// The Bayer pattern that fits best, e.g. "RGGB".
    pub pattern: String,
    /// Log ratio of the green prediction-error variance on its two
    /// quincunx lattices (the green part of the score).
    #[serde(serialize_with = "crate::rounding::three")]
    pub green: f32,
}

impl CfaEvidence {
    /// One plain sentence with the numbers.
    pub fn sentence(&self) -> String {
        if self.score >= TRACE {
            format!(
                "Demosaicing trace: the colour planes have the period-2 structure of a {} Bayer sensor (score {:.2}), as camera photos that were not resized do",
                self.pattern, self.score
            )
        } else {
            format!(
                "No demosaicing trace (score {:.2}; camera photos lose it to JPEG compression and resizing, so its absence says little)",
                self.score
            )
        }
    }
}

/// Variance of the 4-neighbour prediction error of a plane at each of the
/// four 2×2 positions (dx + 2·dy). Tiles start on even coordinates, so the
/// positions are those of the image.
fn phase_variances(plane: &[f32], n: usize) -> [f64; 4] {
    let mut sum = [0.0f64; 4];
    let mut count = [0usize; 4];
    let inner = n.saturating_sub(2);
    // Squared errors of a row's inner pixels: `errors[k]` is at x = k + 1.
    let mut errors = vec![0.0f32; inner];
    for y in 1..n.saturating_sub(1) {
        let line = |y: usize| &plane[y * n..][..n];
        let (up, row, down) = (line(y - 1), line(y), line(y + 1));
        let neighbours = row.iter().zip(&row[2..]).zip(&up[1..]).zip(&down[1..]);
        for ((e, &c), (((&l, &r), &u), &d)) in errors.iter_mut().zip(&row[1..]).zip(neighbours) {
            let v = c - 0.25 * (l + r + u + d);
            *e = v * v;
        }
        let at = |k: usize| errors.get(k).map_or(0.0, |&e| f64::from(e));
        let [at_even_k, at_odd_k] =
            crate::stats::lane_sums(inner.div_ceil(2), |i| [at(2 * i), at(2 * i + 1)]);
        // Even k is odd x.
        let phase = 2 * (y % 2);
        sum[phase + 1] += at_even_k;
        sum[phase] += at_odd_k;
        count[phase + 1] += inner.div_ceil(2);
        count[phase] += inner / 2;
    }
    std::array::from_fn(|p| sum[p] / count[p].max(1) as f64 + 1e-9)
}

/// Analyses the tiles; `None` for grey images (no colour planes).
pub fn analyze(tiles: &[Tile]) -> Option<CfaEvidence> {
    if tiles.iter().all(Tile::is_grey) {
        return None;
    }
    let mut v = [[0.0f64; 4]; 3];
    for tile in tiles.iter().filter(|t| t.size >= 4) {
        for (acc, plane) in v.iter_mut().zip(&tile.rgb) {
            let p = phase_variances(plane, tile.size);
            acc.iter_mut().zip(p).for_each(|(a, b)| *a += b);
        }
    }
    let [red, green, blue] = v;
    // Green samples sit on one quincunx lattice: positions 1 and 2 for RGGB
    // and BGGR, 0 and 3 for GRBG and GBRG.
    let diagonal = green[0] + green[3];
    let anti = green[1] + green[2];
    let single = |plane: &[f64; 4], at: usize| {
        let others = (plane.iter().sum::<f64>() - plane[at]) / 3.0;
        (plane[at] / others).ln()
    };
    let (score, pattern, green_part) = PATTERNS
        .iter()
        .map(|&(name, r, b)| {
            let g = if r == 0 || r == 3 {
                (anti / diagonal).ln()
            } else {
                (diagonal / anti).ln()
            };
            ((g + single(&red, r) + single(&blue, b)) / 3.0, name, g)
        })
        .fold(
            (f64::MIN, "", 0.0),
            |best, c| if c.0 > best.0 { c } else { best },
        );
    Some(CfaEvidence {
        score: score as f32,
        pattern: pattern.to_string(),
        green: green_part as f32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::test_images::{bayer_bilinear, noise};

    fn tile(rgb: [Vec<f32>; 3], n: usize) -> Tile {
        Tile::from_planes(0, 0, n, rgb)
    }

    /// Smooth colour noise: uniform noise blurred by a 3×3 box, like a
    /// natural scene seen at the sensor.
    fn scene(n: usize) -> [Vec<f32>; 3] {
        std::array::from_fn(|c| {
            let raw = noise(n, 31 + c as u64);
            (0..n * n)
                .map(|i| {
                    let (x, y) = ((i % n) as isize, (i / n) as isize);
                    let mut s = 0.0;
                    for dy in -1..=1 {
                        for dx in -1..=1 {
                            let xx = (x + dx).clamp(0, n as isize - 1) as usize;
                            let yy = (y + dy).clamp(0, n as isize - 1) as usize;
                            s += raw[yy * n + xx];
                        }
                    }
                    s / 9.0
                })
                .collect()
        })
    }

    #[test]
    fn phase_variances_match_the_direct_sums() {
        for n in [3, 4, 7, 64] {
            let plane = noise(n, 7);
            let (mut sum, mut count) = ([0.0f64; 4], [0.0f64; 4]);
            for y in 1..n - 1 {
                for x in 1..n - 1 {
                    let at = |x: usize, y: usize| f64::from(plane[y * n + x]);
                    let e = at(x, y)
                        - 0.25 * (at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1));
                    sum[x % 2 + 2 * (y % 2)] += e * e;
                    count[x % 2 + 2 * (y % 2)] += 1.0;
                }
            }
            let fast = phase_variances(&plane, n);
            for p in 0..4 {
                let direct = sum[p] / count[p].max(1.0) + 1e-9;
                assert!(
                    (fast[p] - direct).abs() <= 1e-5 * direct,
                    "side {n}, phase {p}"
                );
            }
        }
    }

    #[test]
    fn bilinear_demosaicing_shows_its_trace_and_pattern_and_resizing_removes_it() {
        let n = 256;
        let demosaicked = bayer_bilinear(&scene(n), n);
        let e = analyze(&[tile(demosaicked.clone(), n)]).unwrap();
        assert_eq!(e.pattern, "RGGB", "{e:?}");
        assert!(e.score > 1.0 && e.green > 1.0, "{e:?}");
        assert!(e.sentence().contains("RGGB"));

        // The same image resized by 0.75 (Lanczos): no trace.
        let rgb = image::RgbImage::from_fn(n as u32, n as u32, |x, y| {
            let i = y as usize * n + x as usize;
            image::Rgb(std::array::from_fn(|c| demosaicked[c][i].round() as u8))
        });
        let small = image::imageops::resize(&rgb, 192, 192, image::imageops::FilterType::Lanczos3);
        let m = 192;
        let planes = std::array::from_fn(|c| small.pixels().map(|p| f32::from(p.0[c])).collect());
        let resized = analyze(&[tile(planes, m)]).unwrap();
        assert!(resized.score < TRACE, "{resized:?}");
        assert!(resized.sentence().starts_with("No demosaicing trace"));

        // The scene without a colour filter array: no trace either.
        let plain = analyze(&[tile(scene(n), n)]).unwrap();
        assert!(plain.score < TRACE, "{plain:?}");
    }

    #[test]
    fn grey_images_have_no_colour_planes_to_analyse() {
        let p = noise(64, 3);
        assert_eq!(analyze(&[tile([p.clone(), p.clone(), p], 64)]), None);
    }
}
