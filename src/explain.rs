//! Pictures that show the statistics behind the pixel evidence, not the
//! scene: the centred log spectrum of the analysis tiles, the radial profile
//! as SVG, and the outlier regions of the block noise map on a neutral grid.
//! Two pictures do show the scene and are written only on request: the
//! noise heatmap (a block's noise follows its brightness and texture, so a
//! 64-pixel heatmap of a portrait is a recognisable portrait) and the noise
//! residual (the scene's edges).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use image::{GrayImage, Luma, Rgb, RgbImage};

use crate::error::{Error, Result};
use crate::input;
use crate::outcome::Outcome;
use crate::pipeline::{Analysis, Analyzer};
use crate::pixels::local_noise::{NoiseMap, Region, BLOCK};
use crate::pixels::residual;
use crate::pixels::spectrum::{self, RADIAL_BINS};
use crate::pixels::windows;
use crate::record::FileReport;

/// Pixels per block in the noise map picture.
const CELL: u32 = 8;

/// The pictures that show the scene, each written only when asked for.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Revealing {
    /// `noise-heatmap.png`: every block's noise as a colour.
    pub noise_heatmap: bool,
    /// `residual.png`: the noise residual of the whole image.
    pub residual: bool,
}

/// Analyses one file and writes its pictures into `dir` (see
/// [`write_pictures`]): the report and the paths written. The file is read,
/// decoded and analysed once; an error if its pixels cannot be analysed.
pub fn explain_file(
    analyzer: &Analyzer,
    path: &Path,
    dir: &Path,
    revealing: Revealing,
) -> Result<(FileReport, Vec<PathBuf>)> {
    let input = input::read_file(path, analyzer.config().limits.max_file_bytes)?;
    let analysis = analyzer.run(&path.display().to_string(), input);
    let written = write_pictures(&analysis, dir, revealing)?;
    Ok((analysis.report, written))
}

/// Writes `spectrum.png`, `radial-profile.svg`, `noise-map.png` and, as
/// asked in `revealing`, `noise-heatmap.png` and `residual.png` into `dir`
/// (created if missing), from what the analysis computed (nothing is
/// computed again but the whole-image residual, when asked). Returns the
/// paths written; an error if the pixels were not analysed.
pub fn write_pictures(
    analysis: &Analysis,
    dir: &Path,
    revealing: Revealing,
) -> Result<Vec<PathBuf>> {
    let report = &analysis.report;
    let (Some(img), Some(workings), Outcome::Analysed(forensics)) =
        (&analysis.image, &analysis.workings, &report.forensics)
    else {
        let why = match (&report.forensics, &report.pixels) {
            (Outcome::NotApplicable { reason }, Outcome::Analysed(_))
            | (_, Outcome::NotApplicable { reason }) => reason.clone(),
            (Outcome::Analysed(_), Outcome::Analysed(_)) => "not analysed".into(),
        };
        return Err(Error::Pixels(why));
    };
    std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
    let size = workings.tile;
    let mut written = Vec::new();

    let path = dir.join("spectrum.png");
    save(&spectrum_picture(&workings.log_power, size), &path)?;
    written.push(path);

    let profile = spectrum::radial_profile(&workings.log_power, size);
    let path = dir.join("radial-profile.svg");
    let svg = radial_svg(&profile, forensics.spectrum.tail_decay);
    std::fs::write(&path, svg).map_err(Error::io(&path))?;
    written.push(path);

    if let Some(map) = &workings.noise_map {
        let regions = forensics
            .local_noise
            .as_ref()
            .map_or(&[][..], |l| l.regions.as_slice());
        let path = dir.join("noise-map.png");
        save(&outlier_picture(map, regions), &path)?;
        written.push(path);
        if revealing.noise_heatmap {
            let path = dir.join("noise-heatmap.png");
            save(&noise_heatmap(map, regions), &path)?;
            written.push(path);
        }
    }

    if revealing.residual {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let plane = windows::luma_rect(img, 0, 0, w, h)
            .ok_or_else(|| Error::Pixels("cannot read the luminance".into()))?;
        let res = residual::residual(&plane, w);
        let picture = GrayImage::from_fn(w as u32, h as u32, |x, y| {
            let r = res[y as usize * w + x as usize];
            Luma([(128.0 + 10.0 * r).clamp(0.0, 255.0) as u8])
        });
        let path = dir.join("residual.png");
        save(&picture, &path)?;
        written.push(path);
    }
    Ok(written)
}

fn save<P, C>(picture: &image::ImageBuffer<P, C>, path: &Path) -> Result<()>
where
    P: image::PixelWithColorType,
    [P::Subpixel]: image::EncodableLayout,
    C: std::ops::Deref<Target = [P::Subpixel]>,
{
    picture
        .save(path)
        .map_err(|e| Error::io(path)(std::io::Error::other(e)))
}

/// The N×N log power, zero frequency at the centre, stretched between its
/// 1st and 99.9th percentiles. Input: N rows of N/2+1 columns.
fn spectrum_picture(log_power: &[f32], n: usize) -> GrayImage {
    let half = n / 2 + 1;
    let at = |ky: usize, kx: usize| {
        if kx < half {
            log_power[ky * half + kx]
        } else {
            log_power[((n - ky) % n) * half + (n - kx)]
        }
    };
    let mut sorted = log_power.to_vec();
    sorted.sort_by(f32::total_cmp);
    let lo = sorted[sorted.len() / 100];
    let hi = sorted[(sorted.len() * 999 / 1000).min(sorted.len() - 1)];
    GrayImage::from_fn(n as u32, n as u32, |x, y| {
        let ky = (y as usize + n / 2) % n;
        let kx = (x as usize + n / 2) % n;
        let v = (at(ky, kx) - lo) / (hi - lo).max(1e-6);
        Luma([(255.0 * v.clamp(0.0, 1.0)) as u8])
    })
}

/// The radial profile (mean log power per frequency bin) as an SVG line
/// chart, with the band of the tail fit shaded.
fn radial_svg(profile: &[f32], decay: f32) -> String {
    let (w, h, left, bottom, top, right) = (560.0, 340.0, 60.0, 40.0, 30.0, 20.0);
    let (min, max) = profile
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    let span = (max - min).max(1e-3);
    let x_of = |f: f32| left + (w - left - right) * f / 0.5;
    let y_of = |v: f32| top + (h - top - bottom) * (1.0 - (v - min) / span);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<rect x="{:.1}" y="{top}" width="{:.1}" height="{:.1}" fill="#eef"/>
<text x="{left}" y="18">Radial power spectrum (mean log power); tail decay exponent {decay:.2} over the shaded band</text>
"##,
        x_of(0.25),
        x_of(0.5) - x_of(0.25),
        h - top - bottom
    );
    let points: Vec<String> = profile
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let f = (i as f32 + 0.5) / RADIAL_BINS as f32 * 0.5;
            format!("{:.1},{:.1}", x_of(f), y_of(v))
        })
        .collect();
    let _ = writeln!(
        svg,
        r##"<polyline fill="none" stroke="#c22" stroke-width="2" points="{}"/>"##,
        points.join(" ")
    );
    let (x0, y0, x1) = (left, h - bottom, w - right);
    let _ = writeln!(
        svg,
        r##"<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="black"/><line x1="{x0}" y1="{top}" x2="{x0}" y2="{y0}" stroke="black"/>"##
    );
    for tick in [0.0f32, 0.125, 0.25, 0.375, 0.5] {
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">{tick}</text>"##,
            x_of(tick),
            y0 + 16.0
        );
    }
    for v in [min, (min + max) / 2.0, max] {
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{v:.1}</text>"##,
            x0 - 6.0,
            y_of(v) + 4.0
        );
    }
    let _ = writeln!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle">frequency (cycles/pixel)</text>
</svg>"##,
        (x0 + x1) / 2.0,
        h - 6.0
    );
    svg
}

/// The outlier regions of the noise map on a neutral grid: every block the
/// same grey whatever its noise, so that nothing of the scene's brightness
/// or texture survives, and each region's bounding box outlined, blue for
/// a region smoother than the rest, orange for one noisier. Only outlines:
/// a filled box would paint the region's area (often the scene's darkest or
/// flattest part) as a patch of the picture.
fn outlier_picture(map: &NoiseMap, regions: &[Region]) -> RgbImage {
    let mut picture = RgbImage::from_fn(map.cols as u32 * CELL, map.rows as u32 * CELL, |x, y| {
        if x % CELL == 0 || y % CELL == 0 {
            Rgb([176, 176, 176])
        } else {
            Rgb([200, 200, 200])
        }
    });
    for r in regions {
        let colour = if r.noise_ratio < 1.0 {
            Rgb([40, 70, 200])
        } else {
            Rgb([230, 120, 30])
        };
        draw_region(&mut picture, r, colour);
    }
    picture
}

/// The block noise map as a heatmap (blue = low noise, yellow = high, on a
/// log scale; grey = clipped block), outlier regions outlined in white.
/// It shows the scene: written only when asked for.
fn noise_heatmap(map: &NoiseMap, regions: &[Region]) -> RgbImage {
    let logs: Vec<f32> = map.sigma.iter().flatten().map(|s| (s + 0.1).ln()).collect();
    let (lo, hi) = logs
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    let mut picture = RgbImage::from_fn(map.cols as u32 * CELL, map.rows as u32 * CELL, |x, y| {
        let i = (y / CELL) as usize * map.cols + (x / CELL) as usize;
        match map.sigma[i] {
            None => Rgb([96, 96, 96]),
            Some(s) => heat(((s + 0.1).ln() - lo) / (hi - lo).max(1e-6)),
        }
    });
    for r in regions {
        draw_region(&mut picture, r, Rgb([255, 255, 255]));
    }
    picture
}

/// Outlines a region's bounding box in `colour`.
fn draw_region(picture: &mut RgbImage, r: &Region, colour: Rgb<u8>) {
    let scale = CELL as f32 / BLOCK as f32;
    let x0 = (r.x as f32 * scale) as u32;
    let y0 = (r.y as f32 * scale) as u32;
    let x1 = (((r.x + r.width) as f32 * scale) as u32).saturating_sub(1);
    let y1 = (((r.y + r.height) as f32 * scale) as u32).saturating_sub(1);
    for x in x0..=x1 {
        picture.put_pixel(x, y0, colour);
        picture.put_pixel(x, y1, colour);
    }
    for y in y0..=y1 {
        picture.put_pixel(x0, y, colour);
        picture.put_pixel(x1, y, colour);
    }
}

/// A blue → teal → yellow colour ramp for t in [0, 1].
fn heat(t: f32) -> Rgb<u8> {
    const STOPS: [[f32; 3]; 3] = [
        [40.0, 40.0, 160.0],
        [30.0, 160.0, 140.0],
        [250.0, 220.0, 40.0],
    ];
    let t = t.clamp(0.0, 1.0) * 2.0;
    let (a, b, f) = if t < 1.0 {
        (STOPS[0], STOPS[1], t)
    } else {
        (STOPS[1], STOPS[2], t - 1.0)
    };
    Rgb(std::array::from_fn(|c| (a[c] + (b[c] - a[c]) * f) as u8))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::test_images::noise;
    use image::DynamicImage;

    #[test]
    fn pictures_show_statistics_and_the_residual_only_on_request() {
        let n = 320;
        let plane = noise(n, 12);
        let img = DynamicImage::ImageLuma8(GrayImage::from_fn(n as u32, n as u32, |x, y| {
            Luma([plane[(y * n as u32 + x) as usize] as u8])
        }));
        let analyzer = Analyzer::new(crate::Config::default()).unwrap();
        let analysis = analyzer.run_bytes("noise.png", &png(&img));
        let dir = tempfile::tempdir().unwrap();
        let written = write_pictures(&analysis, dir.path(), Revealing::default()).unwrap();
        let names: Vec<_> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            ["spectrum.png", "radial-profile.svg", "noise-map.png"]
        );
        let spectrum = image::open(&written[0]).unwrap();
        assert_eq!((spectrum.width(), spectrum.height()), (256, 256));
        let svg = std::fs::read_to_string(&written[1]).unwrap();
        assert!(
            svg.starts_with("<svg")
                && svg.contains("<polyline")
                && svg.trim_end().ends_with("</svg>")
        );
        let map = image::open(&written[2]).unwrap();
        assert_eq!((map.width(), map.height()), (5 * CELL, 5 * CELL));
        assert!(!dir.path().join("residual.png").exists());

        let all = Revealing {
            noise_heatmap: true,
            residual: true,
        };
        let written = write_pictures(&analysis, dir.path(), all).unwrap();
        assert!(written[3].ends_with("noise-heatmap.png"));
        assert!(written.last().unwrap().ends_with("residual.png"));
        let res = image::open(written.last().unwrap()).unwrap();
        assert_eq!((res.width(), res.height()), (n as u32, n as u32));

        let tiny = DynamicImage::ImageLuma8(GrayImage::new(10, 10));
        let analysis = analyzer.run_bytes("tiny.png", &png(&tiny));
        assert!(matches!(
            write_pictures(&analysis, dir.path(), Revealing::default()),
            Err(Error::Pixels(why)) if why.contains("too small")
        ));
    }

    fn png(img: &DynamicImage) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }
}
