//! Behaviour on the labelled dev set.

use std::process::Command;

use provenant::report::Verdict;
use provenant::signals::content_credentials::C2paState;

use crate::common::{analyzer, dev_dir, dev_rows, official_trust_list};

#[test]
fn every_comfyui_file_is_declared_synthetic_naming_comfyui() {
    let a = analyzer();
    let rows: Vec<_> = dev_rows()
        .into_iter()
        .filter(|r| r.file.contains("comfyui"))
        .collect();
    assert!(rows.len() >= 8, "expected the ComfyUI files in dev");
    for row in rows {
        let r = a.analyze_path(&dev_dir().join(&row.file));
        assert_eq!(r.verdict, Verdict::DeclaredSynthetic, "{}", row.file);
        let meta = r.metadata.evidence().expect("metadata");
        assert_eq!(
            meta.generator.as_ref().map(|g| g.tool.as_str()),
            Some("ComfyUI"),
            "{}",
            row.file
        );
        assert!(
            r.explanations[0].contains("ComfyUI"),
            "{}: {:?}",
            row.file,
            r.explanations
        );
    }
}

#[test]
fn firefly_file_is_declared_synthetic_from_its_c2pa_actions() {
    let row = dev_rows()
        .into_iter()
        .find(|r| r.generator_or_camera.contains("Firefly") && r.label == "synthetic")
        .expect("the Firefly file");
    let r = analyzer().analyze_path(&dev_dir().join(&row.file));
    assert_eq!(r.verdict, Verdict::DeclaredSynthetic);
    assert!(r.explanations[0].contains("C2PA"), "{:?}", r.explanations);
    assert!(
        r.explanations[0].contains("trainedAlgorithmicMedia"),
        "{:?}",
        r.explanations
    );
    // Test-signed: never trusted.
    assert_ne!(r.c2pa.evidence().unwrap().state, C2paState::Trusted);
}

#[test]
fn c2pa_states_match_what_the_c2pa_library_says() {
    let pem = std::fs::read_to_string(official_trust_list()).unwrap();
    let settings = serde_json::json!({
        "verify": {"ocsp_fetch": false, "remote_manifest_fetch": false},
        "trust": {"trust_anchors": pem}
    });
    let ctx = c2pa::Context::new()
        .with_settings(settings.to_string().as_str())
        .unwrap()
        .into_shared();
    let a = analyzer();
    let mut checked = 0;
    for row in dev_rows()
        .into_iter()
        .filter(|r| r.file.starts_with("c2pa/"))
    {
        let path = dev_dir().join(&row.file);
        let bytes = std::fs::read(&path).unwrap();
        // None = no manifest embedded (absent, or referenced but stripped).
        let expected = match c2pa::Reader::from_shared_context(&ctx)
            .with_stream("image/jpeg", std::io::Cursor::new(&bytes))
        {
            Ok(reader) => Some(match reader.validation_state() {
                c2pa::ValidationState::Trusted => C2paState::Trusted,
                c2pa::ValidationState::Valid => C2paState::ValidUntrusted,
                c2pa::ValidationState::Invalid => C2paState::Invalid,
            }),
            Err(c2pa::Error::JumbfNotFound) => None,
            Err(_) => Some(C2paState::Invalid),
        };
        let got = match a.analyze_path(&path).c2pa.evidence().unwrap().state {
            C2paState::Absent | C2paState::ReferencedButMissing => None,
            state => Some(state),
        };
        assert_eq!(got, expected, "{}", row.file);
        checked += 1;
    }
    assert!(checked >= 14);
}

#[test]
fn no_real_photo_is_ever_declared_synthetic() {
    let a = analyzer();
    for row in dev_rows().into_iter().filter(|r| r.label == "real") {
        let r = a.analyze_path(&dev_dir().join(&row.file));
        assert_ne!(
            r.verdict,
            Verdict::DeclaredSynthetic,
            "{}: {:?}",
            row.file,
            r.explanations
        );
    }
}

#[test]
fn every_dev_file_gets_a_report_with_hashes_matching_the_manifest() {
    let a = analyzer();
    for row in dev_rows() {
        let r = a.analyze_path(&dev_dir().join(&row.file));
        let sha = r.hashes.as_ref().map(|h| h.sha256.as_str());
        assert_eq!(sha, Some(row.sha256.as_str()), "{}", row.file);
        assert!(r.format.is_some(), "{}", row.file);
    }
}

#[test]
fn pixel_signals_run_on_every_decoded_image_and_explain_themselves() {
    let a = analyzer();
    let (mut analysed, mut too_small) = (0, 0);
    for row in dev_rows() {
        let r = a.analyze_path(&dev_dir().join(&row.file));
        let (Some(w), Some(h)) = (r.width, r.height) else {
            continue;
        };
        match r.forensics.evidence() {
            Some(p) => {
                analysed += 1;
                assert!(w >= 64 && h >= 64, "{}", row.file);
                let s = &p.spectrum;
                assert!(s.tiles >= 1 && s.tiles <= 5 && p.windows.len() == s.tiles);
                assert!(s.tail_decay.is_finite() && s.tail_fit_rms.is_finite());
                let (_, peak) = s.strongest_peak();
                assert!(peak.is_finite() && peak >= 0.0, "{}", row.file);
                let res = &p.residual;
                for v in [res.sigma, res.kurtosis, res.autocorr_1, p.npr.ratio] {
                    assert!(v.is_finite(), "{}: {p:?}", row.file);
                }
                for prefix in ["Spectrum over", "Noise residual", "Neighbouring pixel"] {
                    assert!(
                        r.explanations.iter().any(|l| l.starts_with(prefix)),
                        "{}: no sentence {prefix}",
                        row.file
                    );
                }
            }
            None => {
                too_small += 1;
                assert!(w < 64 || h < 64, "{} ({w}x{h}) was not analysed", row.file);
            }
        }
    }
    // The 1x1 metadata fixtures of sdparsers are too small; the rest is analysed.
    assert!(analysed > 250, "{analysed} analysed");
    assert!(too_small >= 11, "{too_small} too small");
}

/// exiftool is the oracle for EXIF: for every dev JPEG, make, model and
/// DateTimeOriginal match what `exiftool -json` reports.
#[test]
fn exif_fields_match_exiftool_on_every_dev_jpeg() {
    let out = Command::new("exiftool")
        .args([
            "-json",
            "-r",
            "-ext",
            "jpg",
            "-ext",
            "jpeg",
            "-EXIF:Make",
            "-EXIF:Model",
        ])
        .args(["-EXIF:DateTimeOriginal", "-charset", "exif=utf8"])
        .arg(dev_dir())
        .output()
        .expect("exiftool must be installed (Debian: libimage-exiftool-perl; .ci/run installs it)");
    let records: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).expect("exiftool JSON");
    assert!(records.len() > 100, "exiftool saw {} JPEGs", records.len());
    let text = |v: Option<&serde_json::Value>| -> Option<String> {
        match v? {
            serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            other => Some(other.to_string()),
        }
    };
    let a = analyzer();
    let mut compared = 0;
    for rec in &records {
        let path = rec["SourceFile"].as_str().unwrap();
        let r = a.analyze_path(std::path::Path::new(path));
        let exif = r
            .metadata
            .evidence()
            .and_then(|m| m.exif.clone())
            .unwrap_or_default();
        assert_eq!(exif.make, text(rec.get("Make")), "Make of {path}");
        assert_eq!(exif.model, text(rec.get("Model")), "Model of {path}");
        assert_eq!(
            exif.date_time_original,
            text(rec.get("DateTimeOriginal")),
            "DateTimeOriginal of {path}"
        );
        compared += 1;
    }
    assert!(compared > 100);
}

/// What the block grid and the peak reading measure on real files: camera
/// JPEGs carry their compression grid, generator PNGs mostly do not, and a
/// periodic peak with no block structure to explain it (read as upsampling)
/// never comes from a real photo of the dev set. Rates, not single files.
#[test]
fn block_grid_follows_compression_and_upsampling_peaks_come_from_generators() {
    use provenant::signals::spectrum::PeakSource;
    let a = analyzer();
    let (mut jpeg, mut jpeg_grid, mut png, mut png_grid) = (0, 0, 0, 0);
    let (mut real_upsampling, mut synthetic, mut synthetic_upsampling) = (0, 0, 0);
    for row in dev_rows() {
        let r = a.analyze_path(&dev_dir().join(&row.file));
        let Some(p) = r.forensics.evidence() else {
            continue;
        };
        let grid = p
            .block_grid
            .as_ref()
            .is_some_and(|g| g.present() && g.aligned());
        match r.format {
            Some(provenant::input::Format::Jpeg) => {
                jpeg += 1;
                jpeg_grid += usize::from(grid);
            }
            Some(provenant::input::Format::Png) => {
                png += 1;
                png_grid += usize::from(grid);
            }
            _ => {}
        }
        let upsampling = p.peak_source == PeakSource::Upsampling;
        if row.label == "real" {
            real_upsampling += usize::from(upsampling);
        } else {
            synthetic += 1;
            synthetic_upsampling += usize::from(upsampling);
        }
    }
    eprintln!(
        "aligned grid: {jpeg_grid}/{jpeg} JPEG, {png_grid}/{png} PNG; upsampling peaks: {real_upsampling} real, {synthetic_upsampling}/{synthetic} synthetic"
    );
    assert!(
        jpeg_grid * 3 >= jpeg * 2,
        "{jpeg_grid}/{jpeg} JPEGs with a grid"
    );
    assert!(png_grid * 10 <= png, "{png_grid}/{png} PNGs with a grid");
    assert_eq!(real_upsampling, 0);
    assert!(
        synthetic_upsampling * 5 >= synthetic,
        "{synthetic_upsampling}/{synthetic}"
    );
}

#[test]
fn pdq_survives_laundering_and_tells_different_images_apart() {
    use provenant::pdq;
    let laundering: provenant::transform::Transform = "resize:0.5+jpeg:80".parse().unwrap();
    let mut pairs = Vec::new();
    for row in dev_rows().iter().filter(|r| r.label == "real").take(40) {
        let Ok(img) = image::open(dev_dir().join(&row.file)) else {
            continue;
        };
        if img.width() < 128 || img.height() < 128 {
            continue;
        }
        let original = pdq::hash(&img).unwrap();
        let laundered = image::load_from_memory(&laundering.apply(&img).unwrap()).unwrap();
        let copy = pdq::hash(&laundered).unwrap();
        pairs.push((
            pdq::parse(&original.hash).unwrap(),
            pdq::parse(&copy.hash).unwrap(),
        ));
    }
    assert!(pairs.len() >= 30, "{} images", pairs.len());
    let same: Vec<u32> = pairs.iter().map(|(a, b)| pdq::distance(a, b)).collect();
    let close = same.iter().filter(|&&d| d <= 31).count();
    assert!(
        close * 10 >= pairs.len() * 9,
        "laundered copies within 31: {close}/{} {same:?}",
        pairs.len()
    );
    let different: Vec<u32> = pairs
        .windows(2)
        .map(|w| pdq::distance(&w[0].0, &w[1].0))
        .collect();
    let apart = different.iter().filter(|&&d| d > 31).count();
    assert!(
        apart * 10 >= different.len() * 9,
        "different images over 31: {apart}/{} {different:?}",
        different.len()
    );
}
