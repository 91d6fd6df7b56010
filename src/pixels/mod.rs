//! The pixel signals together: choose the analysis windows once, run every
//! pixel signal on them (and the local noise map on the whole image), and
//! read their results against each other.

pub mod block_grid;
pub mod cfa;
pub mod cross_channel;
pub(crate) mod kernels;
pub mod local_noise;
pub mod npr;
pub mod residual;
pub mod spam;
pub mod spectrum;
pub mod srm;
#[cfg(test)]
pub(crate) mod test_images;
pub mod windows;

use std::sync::LazyLock;

use image::DynamicImage;
use serde::{Deserialize, Serialize};

use crate::outcome::Outcome;
use block_grid::BlockGrid;
use cfa::CfaEvidence;
use local_noise::{LocalNoiseEvidence, NoiseMap};
use npr::NprEvidence;
use residual::ResidualEvidence;
use spectrum::{PeakSource, SpectrumEvidence};

/// One simple pixel feature: its name (in the model file), its value from
/// the pixel evidence, and its words (in explanations), in one place.
struct Simple {
    name: &'static str,
    value: fn(&PixelForensics) -> f32,
    words: &'static str,
}

/// The mean of the radial spectrum profile over bins `a..b`.
fn band(p: &PixelForensics, a: usize, b: usize) -> f32 {
    let bins: Vec<f32> = p.spectrum.radial_profile[a..b]
        .iter()
        .map(|&v| trained(v, 3))
        .collect();
    crate::stats::mean(&bins)
}

/// `v` on the grid the default model was fitted on. The signals used to
/// store their evidence at 3 decimals (the peak ratios at 2, the outlier
/// share at 4), and the model's inputs were those stored values; the
/// evidence is now kept at full precision, and the model's inputs are put
/// back on that grid here, so that its scores stay what they were. A model
/// fitted on full-precision inputs would drop this step.
fn trained(v: f32, decimals: i32) -> f32 {
    crate::rounding::to(v, decimals)
}

/// [`trained`] at 3 decimals, NaN where the value is missing.
fn trained_or_nan(v: Option<f32>) -> f32 {
    v.map_or(f32::NAN, |v| trained(v, 3))
}

/// The simple pixel features, in order (NaN where a signal does not apply).
const SIMPLE: [Simple; 22] = [
    Simple {
        name: "spectrum_tail_decay",
        value: |p| p.spectrum.tail_decay,
        words: "high-frequency decay of the spectrum",
    },
    Simple {
        name: "spectrum_tail_fit_rms",
        value: |p| p.spectrum.tail_fit_rms,
        words: "irregularity of the spectrum's high-frequency tail",
    },
    Simple {
        name: "spectrum_high_over_mid",
        value: |p| band(p, 22, 32) - band(p, 10, 22),
        words: "high- over mid-frequency energy",
    },
    Simple {
        name: "spectrum_peak_2",
        value: |p| trained(p.spectrum.peak_period_2, 2).max(1e-3).ln(),
        words: "periodic peak at period 2",
    },
    Simple {
        name: "spectrum_peak_4",
        value: |p| trained(p.spectrum.peak_period_4, 2).max(1e-3).ln(),
        words: "periodic peak at period 4",
    },
    Simple {
        name: "spectrum_peak_8",
        value: |p| trained(p.spectrum.peak_period_8, 2).max(1e-3).ln(),
        words: "periodic peak at period 8",
    },
    Simple {
        name: "block_grid",
        value: |p| trained_or_nan(p.block_grid.as_ref().map(|g| g.strength)).ln(),
        words: "8x8 block grid strength",
    },
    Simple {
        name: "residual_sigma",
        value: |p| (trained(p.residual.sigma, 3) + 0.01).ln(),
        words: "noise residual level",
    },
    Simple {
        name: "residual_kurtosis",
        value: |p| trained(p.residual.kurtosis, 3),
        words: "heavy tails of the noise residual",
    },
    Simple {
        name: "nlf_slope",
        value: |p| trained_or_nan(p.residual.nlf_slope),
        words: "noise growth with brightness",
    },
    Simple {
        name: "nlf_fit",
        value: |p| trained_or_nan(p.residual.nlf_fit),
        words: "fit of the noise level function",
    },
    Simple {
        name: "corr_rg",
        value: |p| trained_or_nan(p.residual.corr_rg),
        words: "red-green noise correlation",
    },
    Simple {
        name: "corr_gb",
        value: |p| trained_or_nan(p.residual.corr_gb),
        words: "green-blue noise correlation",
    },
    Simple {
        name: "corr_rb",
        value: |p| trained_or_nan(p.residual.corr_rb),
        words: "red-blue noise correlation",
    },
    Simple {
        name: "residual_autocorr_1",
        value: |p| trained(p.residual.autocorr_1, 3),
        words: "noise correlation between neighbouring pixels",
    },
    Simple {
        name: "residual_autocorr_2",
        value: |p| trained(p.residual.autocorr_2, 3),
        words: "noise correlation at 2 pixels",
    },
    Simple {
        name: "npr_ratio",
        value: |p| {
            trained(
                p.npr.ratios.map(|r| trained(r, 3)).iter().sum::<f32>() / 3.0,
                3,
            )
        },
        words: "neighbouring-pixel (upsampling) ratio",
    },
    Simple {
        name: "npr_autocorr",
        value: |p| trained(p.npr.autocorr, 3),
        words: "neighbouring-pixel cross-cell correlation",
    },
    Simple {
        name: "cfa_score",
        value: |p| trained_or_nan(p.cfa.as_ref().map(|c| c.score)),
        words: "demosaicing trace",
    },
    Simple {
        name: "cfa_green",
        value: |p| trained_or_nan(p.cfa.as_ref().map(|c| c.green)),
        words: "green-channel demosaicing trace",
    },
    Simple {
        name: "local_noise_spread",
        value: |p| trained_or_nan(p.local_noise.as_ref().map(|l| l.spread)),
        words: "spread of the local noise map",
    },
    Simple {
        name: "local_noise_outliers",
        value: |p| {
            p.local_noise
                .as_ref()
                .map_or(f32::NAN, |l| trained(l.outlier_fraction, 4))
        },
        words: "share of local noise outlier blocks",
    },
];

/// The evidence of every pixel signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PixelForensics {
    /// Analysis windows: top-left corners of the tiles, all of side `tile`.
    pub windows: Vec<(usize, usize)>,
    /// Tile side in pixels.
    pub tile: usize,
    /// Frequency domain.
    pub spectrum: SpectrumEvidence,
    /// JPEG 8×8 block grid in the pixels (`None` for tiles under 16²).
    pub block_grid: Option<BlockGrid>,
    /// What explains the spectrum's periodic peaks.
    pub peak_source: PeakSource,
    /// Noise residual.
    pub residual: ResidualEvidence,
    /// Neighbouring pixel relationships.
    pub npr: NprEvidence,
    /// Demosaicing traces (`None` for grey images).
    pub cfa: Option<CfaEvidence>,
    /// Local noise map (`None` with fewer than 16 usable 64×64 blocks).
    pub local_noise: Option<LocalNoiseEvidence>,
    /// Per analysis window, the rich residual features (SPAM, colour SPAM,
    /// the SRM subset, the cross-channel histograms; [`rich_names`] order),
    /// square-rooted: model input only, not written to reports.
    #[serde(skip, default)]
    pub tile_features: Vec<Vec<f32>>,
}

impl PixelForensics {
    /// The named numeric features of the pixel signals, in
    /// [`feature_names`] order: the simple features, then the mean over the
    /// windows of the rich residual features. NaN where a signal does not
    /// apply (grey image, too few blocks). Ratios are on a log scale; the
    /// co-occurrence probabilities enter square-rooted (the Hellinger
    /// embedding of a histogram: rare bins weigh more against common ones).
    /// For a linear model, the score of these means is the mean of the
    /// scores of [`PixelForensics::tile_rows`], the rows it was trained on.
    pub fn features(&self) -> Vec<(&'static str, f32)> {
        let mean = crate::stats::mean_rows(&self.tile_features, rich_names().len());
        let mut all = self.simple_features();
        all.extend(rich_names().iter().copied().zip(mean));
        all
    }

    /// One row of feature values per analysis window, in [`feature_names`]
    /// order: the image's simple features, then that window's rich
    /// features. The model is trained on these rows.
    pub fn tile_rows(&self) -> Vec<Vec<f32>> {
        let simple = self.simple_values();
        self.tile_features
            .iter()
            .map(|tile| simple.iter().chain(tile).copied().collect())
            .collect()
    }

    fn simple_features(&self) -> Vec<(&'static str, f32)> {
        SIMPLE
            .iter()
            .map(|f| f.name)
            .zip(self.simple_values())
            .collect()
    }

    /// The simple features' values, in [`SIMPLE`] order.
    fn simple_values(&self) -> Vec<f32> {
        SIMPLE.iter().map(|f| (f.value)(self)).collect()
    }

    /// One plain sentence per signal; `jpeg` says whether the file is a JPEG.
    pub(crate) fn sentences(&self, jpeg: bool) -> Vec<String> {
        let mut out = vec![self.spectrum.sentence(self.peak_source)];
        out.extend(self.block_grid.as_ref().map(|g| g.sentence(jpeg)));
        out.push(self.residual.sentence());
        out.push(self.npr.sentence());
        out.extend(self.cfa.as_ref().map(CfaEvidence::sentence));
        out.extend(self.local_noise.as_ref().map(LocalNoiseEvidence::sentence));
        out
    }
}

/// The names of the rich residual features: SPAM, colour SPAM, the SRM
/// subset, the cross-channel histograms.
pub fn rich_names() -> &'static [&'static str] {
    static NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        [
            &*spam::NAMES,
            &*spam::COLOUR_NAMES,
            &*srm::NAMES,
            &*cross_channel::NAMES,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect()
    });
    &NAMES
}

/// The names of [`PixelForensics::features`] and of the values of
/// [`PixelForensics::tile_rows`], in order.
pub fn feature_names() -> &'static [&'static str] {
    static NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        SIMPLE
            .iter()
            .map(|f| f.name)
            .chain(rich_names().iter().copied())
            .collect()
    });
    &NAMES
}

/// The family a feature belongs to, for explanations: the SPAM features
/// are read as two groups, the SRM subset as one group per residual kind,
/// the cross-channel histograms as one; every other feature alone.
pub(crate) fn feature_family(name: &str) -> String {
    if name.starts_with("spam_s_") {
        "spam_straight".into()
    } else if name.starts_with("spam_d_") {
        "spam_diagonal".into()
    } else if let Some(pair) = name.strip_prefix("cspam_").and_then(|n| n.get(..2)) {
        format!("colour_spam_{pair}")
    } else if name.starts_with("xch_") {
        "cross_channel".into()
    } else {
        srm::family(name).unwrap_or_else(|| name.to_string())
    }
}

/// A feature of [`PixelForensics::features`] or a family of
/// [`feature_family`] (or `"<name> missing"`, the model's indicator) in
/// plain words, for explanations.
pub(crate) fn describe_feature(name: &str) -> String {
    if let Some(base) = name.strip_suffix(" missing") {
        return format!("no {}", describe_feature(base));
    }
    if let Some(f) = SIMPLE.iter().find(|f| f.name == name) {
        return f.words.to_string();
    }
    let words = match name {
        "spam_straight" => "fine-texture co-occurrences, straight neighbours (SPAM)",
        "spam_diagonal" => "fine-texture co-occurrences, diagonal neighbours (SPAM)",
        "colour_spam_rg" => "fine-texture co-occurrences of red minus green (colour SPAM)",
        "colour_spam_bg" => "fine-texture co-occurrences of blue minus green (colour SPAM)",
        "colour_spam_rb" => "fine-texture co-occurrences of red minus blue (colour SPAM)",
        "srm_1st" => "first-order residual co-occurrences (SRM)",
        "srm_2nd" => "second-order residual co-occurrences (SRM)",
        "srm_3rd" => "third-order residual co-occurrences (SRM)",
        "srm_sq3" => "3x3 square-kernel residual co-occurrences (SRM)",
        "srm_sq5" => "5x5 square-kernel residual co-occurrences (SRM)",
        "srm_edge3" => "3x3 edge-kernel residual co-occurrences (SRM)",
        "cross_channel" => "red-green-blue joint residuals (cross-channel)",
        other => other,
    };
    words.to_string()
}

/// What the pixel signals computed on the way to their evidence and a
/// caller may draw from (`provenant explain` pictures them): kept so that
/// nothing is computed twice.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Workings {
    /// Tile side in pixels.
    pub tile: usize,
    /// Mean log power spectrum of the analysis tiles
    /// ([`spectrum::mean_log_power`]).
    pub log_power: Vec<f32>,
    /// The block noise map of the whole image (`None` when too small).
    pub noise_map: Option<NoiseMap>,
}

/// Why an image's pixels cannot be analysed: it is smaller than a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too small to analyse (under {0}x{0} pixels)", windows::MIN_SIDE)]
#[non_exhaustive]
pub struct TooSmall;

/// Runs every pixel signal, or says why the image cannot be analysed;
/// `jpeg` says whether the file is a JPEG (its own block grid explains
/// periodic peaks).
pub fn analyze(img: &DynamicImage, jpeg: bool) -> Outcome<PixelForensics> {
    match analyze_keeping(img, jpeg) {
        Ok((p, _)) => Outcome::Analysed(p),
        Err(too_small) => Outcome::not_applicable(too_small.to_string()),
    }
}

/// [`analyze`], also handing back its [`Workings`].
pub(crate) fn analyze_keeping(
    img: &DynamicImage,
    jpeg: bool,
) -> Result<(PixelForensics, Workings), TooSmall> {
    let Some(tiles) = windows::select(img) else {
        return Err(TooSmall);
    };
    let size = tiles[0].size;
    let luma: Vec<&[f32]> = tiles.iter().map(|t| t.luma.as_slice()).collect();
    let residuals: Vec<Vec<f32>> = luma.iter().map(|l| residual::residual(l, size)).collect();
    let log_power = spectrum::mean_log_power(&luma, size);
    let spectrum = spectrum::analyze(&log_power, &luma, &residuals, size);
    let block_grid = block_grid::analyze(&tiles);
    let noise_map = local_noise::map(img);
    let forensics = PixelForensics {
        windows: tiles.iter().map(|t| (t.x, t.y)).collect(),
        tile: size,
        peak_source: spectrum.peak_source(jpeg, block_grid.as_ref()),
        spectrum,
        block_grid,
        residual: residual::analyze(&tiles, &residuals),
        npr: npr::analyze(&tiles),
        cfa: cfa::analyze(&tiles),
        local_noise: noise_map.as_ref().and_then(local_noise::analyze),
        tile_features: tiles.iter().map(rich_features).collect(),
    };
    let workings = Workings {
        tile: size,
        log_power,
        noise_map,
    };
    Ok((forensics, workings))
}

/// The rich residual features of one window, square-rooted.
fn rich_features(tile: &windows::Tile) -> Vec<f32> {
    let one = std::slice::from_ref(tile);
    let mut out = spam::features(one);
    out.extend(spam::colour_features(tile));
    out.extend(srm::features(one));
    out.extend(cross_channel::features(one));
    out.iter_mut().for_each(|v| *v = v.sqrt());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::test_images::Rng;

    #[test]
    fn every_feature_is_finite_on_a_noisy_gradient_and_has_words() {
        let mut rng = Rng(3);
        // A gradient (so that the noise level function has a range of
        // brightness to fit) plus noise.
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(300, 260, |x, y| {
            let base = 20.0 + 0.4 * x as f32 + 0.3 * y as f32;
            let mut v = || (base + 24.0 * rng.uniform()) as u8;
            image::Rgb([v(), v(), v()])
        }));
        let Outcome::Analysed(p) = analyze(&img, false) else {
            panic!("a 300x260 noise image is analysed");
        };
        for (name, value) in p.features() {
            assert!(value.is_finite(), "{name}");
            let family = feature_family(name);
            assert_ne!(
                describe_feature(&family),
                family,
                "{name} has no description"
            );
        }
        let features = p.features();
        assert_eq!(
            features.len(),
            22 + 4 * spam::LEN + srm::NAMES.len() + cross_channel::NAMES.len()
        );
        // The model's training rows: one per window, the simple features
        // repeated, the rich features averaging to the image's.
        let rows = p.tile_rows();
        assert_eq!(rows.len(), p.windows.len());
        assert!(rows.len() > 1);
        for (i, (name, value)) in features.iter().enumerate() {
            assert_eq!(feature_names()[i], *name);
            let mean = rows.iter().map(|r| r[i]).sum::<f32>() / rows.len() as f32;
            assert!((mean - value).abs() <= 1e-5 * (1.0 + value.abs()), "{name}");
        }
        assert_ne!(rows[0], rows[1], "windows differ in their rich features");
        assert_eq!(
            describe_feature("cfa_score missing"),
            "no demosaicing trace"
        );
    }

    #[test]
    fn evidence_is_full_precision_rounded_when_written_and_the_model_sees_its_trained_grid() {
        let mut rng = Rng(7);
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(256, 256, |_, _| {
            let mut v = || (128.0 + 40.0 * rng.uniform()) as u8;
            image::Rgb([v(), v(), v()])
        }));
        let Outcome::Analysed(mut p) = analyze(&img, false) else {
            panic!("a 256x256 noise image is analysed");
        };
        p.residual.sigma = 11.123_4;
        p.spectrum.peak_period_4 = 9.996;
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["residual"]["sigma"], serde_json::json!(11.123_f32));
        assert_eq!(
            json["spectrum"]["peak_period_4"],
            serde_json::json!(10.0_f32)
        );
        // The peak reading compares the unrounded ratio with its threshold.
        p.spectrum.peak_period_2 = 1.0;
        p.spectrum.peak_period_8 = 1.0;
        assert_eq!(p.spectrum.peak_source(false, None), PeakSource::None);
        // The model's inputs: on the grid the default model was fitted on.
        let sigma = |p: &PixelForensics| p.features()[feature_index("residual_sigma")].1;
        let before = sigma(&p);
        p.residual.sigma = 11.1228;
        assert_eq!(sigma(&p), before);
        assert_eq!(before, (11.123_f32 + 0.01).ln());
    }

    fn feature_index(name: &str) -> usize {
        feature_names().iter().position(|n| *n == name).unwrap()
    }
}
