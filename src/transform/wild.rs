//! Random platform-like laundering chains, drawn from a seed: what a file
//! goes through between the generator (or camera) and a seized device.
//! Training draws a few per image instead of one fixed set, so that the
//! model cannot learn one encoder, one quality or one resampler.

use super::{Chroma, Filter, JpegCodec, Step, Transform};

/// Long-side caps of common upload pipelines.
const CAPS: [u32; 3] = [1080, 1600, 2048];

/// A laundering chain drawn from `seed` (the same seed, the same chain):
/// metadata stripped, then one of
/// - a single re-encode;
/// - a resize (factor 0.3-0.9, or a long-side cap) then a re-encode;
/// - a re-encode at high quality, a resize, and a second re-encode (what a
///   photo goes through when it is shared twice);
/// - a crop of 1-15 pixels a side (off the 8×8 grid), then a re-encode.
///
/// The encoder is one of the four JPEG implementations or lossy WebP,
/// the same for every encode of a chain; quality 60-95; chroma 4:2:0 seven
/// times in ten, else 4:4:4; one of the three resampling filters.
pub fn wild(seed: u64) -> Transform {
    let mut rng = fastrand::Rng::with_seed(seed);
    let codec = rng.usize(0..=JpegCodec::ALL.len());
    let chroma = if rng.f32() < 0.7 {
        Chroma::Half
    } else {
        Chroma::Full
    };
    let encode = |quality: u8| match JpegCodec::ALL.get(codec) {
        Some(&codec) => Step::Jpeg {
            quality,
            codec,
            chroma: if codec == JpegCodec::Image {
                Chroma::Half
            } else {
                chroma
            },
        },
        None => Step::Webp(quality),
    };
    let filter = Filter::ALL[rng.usize(..Filter::ALL.len())];
    let resize = if rng.bool() {
        // Two decimals, so that the chain prints as it is.
        Step::Resize(f32::from(rng.u8(30..=90)) / 100.0, filter)
    } else {
        Step::Fit(CAPS[rng.usize(..CAPS.len())], filter)
    };
    let steps = match rng.u8(0..4) {
        0 => vec![encode(rng.u8(60..=95))],
        1 => vec![resize, encode(rng.u8(60..=95))],
        2 => {
            let first = encode(rng.u8(80..=95));
            vec![first, resize, encode(rng.u8(60..=90))]
        }
        _ => vec![
            Step::Crop(u32::from(rng.u8(1..=15))),
            encode(rng.u8(60..=95)),
        ],
    };
    Transform { strip: true, steps }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_are_reproducible_varied_and_print_as_they_parse() {
        let chains: Vec<Transform> = (0..200).map(wild).collect();
        assert_eq!(chains[17], wild(17));
        for c in &chains {
            assert!(c.strip && c.encoder_family().is_some(), "{c}");
            assert_eq!(c.to_string().parse::<Transform>().as_ref(), Ok(c), "{c}");
        }
        let mut families: Vec<&str> = chains
            .iter()
            .filter_map(Transform::encoder_family)
            .collect();
        families.sort_unstable();
        families.dedup();
        assert_eq!(families, ["image", "jpeg-encoder", "libjpeg", "webp"]);
        let shapes = |n: usize| chains.iter().filter(|c| c.steps.len() == n).count();
        assert!(
            shapes(1) > 20 && shapes(2) > 60 && shapes(3) > 20,
            "{} {} {}",
            shapes(1),
            shapes(2),
            shapes(3)
        );
    }
}
