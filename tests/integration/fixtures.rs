//! The project's own fixtures (`fixtures/`): how each is made, and what the
//! analysis must say about it. Regenerate with
//! `cargo test --release --test integration -- --ignored write_fixtures`.

use image::{ImageEncoder, RgbImage, RgbaImage};
use provenant::provenance::metadata::stealth;
use provenant::report::{Flag, Verdict};

use crate::common::{analyzer, fixture, rules_only_analyzer};

const DST: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/";

/// A deterministic 96x64 test pattern (no photograph involved).
fn pattern() -> RgbImage {
    RgbImage::from_fn(96, 64, |x, y| {
        image::Rgb([
            (x * 5 + y * 3) as u8,
            (x * y % 251) as u8,
            ((x ^ y) * 4) as u8,
        ])
    })
}

fn png_bytes(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img,
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgba8,
        )
        .unwrap();
    out
}

/// A PNG of the pattern with extra chunks inserted before IEND.
pub(crate) fn png_with_chunks(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let rgba = image::DynamicImage::ImageRgb8(pattern()).to_rgba8();
    let png = png_bytes(&rgba);
    let iend = png.len() - 12;
    let mut out = png[..iend].to_vec();
    for (kind, data) in chunks {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(*kind);
        out.extend_from_slice(data);
        let mut crc = crc32fast::Hasher::new();
        crc.update(*kind);
        crc.update(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    }
    out.extend_from_slice(&png[iend..]);
    out
}

fn text(key: &str, value: &str) -> (&'static [u8; 4], Vec<u8>) {
    let mut d = key.as_bytes().to_vec();
    d.push(0);
    d.extend_from_slice(value.as_bytes());
    (b"tEXt", d)
}

/// A JPEG of the pattern (IJG quality 90) with APPn segments after SOI.
pub(crate) fn jpeg_with_segments(segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut jpg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpg, 90)
        .encode_image(&pattern())
        .unwrap();
    let mut out = jpg[..2].to_vec();
    for (marker, payload) in segments {
        out.extend_from_slice(&[0xFF, *marker]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(payload);
    }
    out.extend_from_slice(&jpg[2..]);
    out
}

/// An EXIF APP1 payload with one UserComment (UNICODE, UTF-16 big-endian, as
/// A1111 writes through piexif).
fn exif_user_comment(comment: &str) -> Vec<u8> {
    let mut value = b"UNICODE\0".to_vec();
    value.extend(comment.encode_utf16().flat_map(|u| u.to_be_bytes()));
    let mut t = b"MM\0\x2A\0\0\0\x08".to_vec();
    // IFD0: one entry, ExifIFDPointer -> offset 26.
    t.extend_from_slice(&1u16.to_be_bytes());
    t.extend_from_slice(&[0x87, 0x69, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26]);
    t.extend_from_slice(&0u32.to_be_bytes());
    // Exif IFD at 26: one entry, UserComment (UNDEFINED) at offset 44.
    t.extend_from_slice(&1u16.to_be_bytes());
    t.extend_from_slice(&[0x92, 0x86, 0, 7]);
    t.extend_from_slice(&(value.len() as u32).to_be_bytes());
    t.extend_from_slice(&44u32.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(&value);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(t);
    app1
}

/// An EXIF APP1 payload whose IFD0 holds ASCII tags (big-endian), as
/// DALL-E 2 wrote UserComment (0x9286) and MakerNote (0x927C) there, with
/// no charset header.
fn exif_ifd0_ascii(tags: &[(u16, &str)]) -> Vec<u8> {
    let mut t = b"MM\0\x2A\0\0\0\x08".to_vec();
    t.extend_from_slice(&(tags.len() as u16).to_be_bytes());
    let mut data_at = 8 + 2 + 12 * tags.len() + 4;
    let mut data = Vec::new();
    for (tag, value) in tags {
        let mut bytes = value.as_bytes().to_vec();
        bytes.push(0);
        t.extend_from_slice(&tag.to_be_bytes());
        t.extend_from_slice(&2u16.to_be_bytes());
        t.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        t.extend_from_slice(&(data_at as u32).to_be_bytes());
        data_at += bytes.len();
        data.extend(bytes);
    }
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend(data);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(t);
    app1
}

fn xmp_app1(dst_code: &str) -> Vec<u8> {
    let mut p = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    p.extend_from_slice(
        format!(
            r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" Iptc4xmpExt:DigitalSourceType="{DST}{dst_code}"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#
        )
        .as_bytes(),
    );
    p
}

const A1111: &str = "portrait photo of a lighthouse\nNegative prompt: blurry\nSteps: 25, Sampler: DPM++ 2M Karras, CFG scale: 6.5, Seed: 1234567890, Size: 96x64, Model hash: 0123456789, Model: testModel_v1, Version: v1.10.1";

/// Every DigitalSourceType fixture: (code, expected verdict, AI-edited flag).
const DST_CASES: &[(&str, Verdict, bool)] = &[
    ("trainedAlgorithmicMedia", Verdict::DeclaredSynthetic, false),
    (
        "compositeWithTrainedAlgorithmicMedia",
        Verdict::Inconclusive,
        true,
    ),
    ("algorithmicMedia", Verdict::Inconclusive, false),
    ("digitalCapture", Verdict::Inconclusive, false),
    ("computationalCapture", Verdict::Inconclusive, false),
    ("screenCapture", Verdict::Inconclusive, false),
];

/// (file name, bytes) of every deterministic fixture.
fn build_all() -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        (
            "ok/openai-labs-exif.jpg".to_string(),
            jpeg_with_segments(&[(
                0xE1,
                exif_ifd0_ascii(&[
                    (
                        0x927C,
                        "OpenAI--ImageGeneration--generation-TestFixture0001",
                    ),
                    (0x9286, "Made with OpenAI Labs"),
                ]),
            )]),
        ),
        (
            "ok/a1111-parameters.png".to_string(),
            png_with_chunks(&[text("parameters", A1111)]),
        ),
        (
            "ok/comfyui.png".into(),
            png_with_chunks(&[
                text(
                    "prompt",
                    r#"{"3": {"inputs": {"seed": 42, "steps": 20, "cfg": 7.0, "sampler_name": "euler", "model": ["4", 0]}, "class_type": "KSampler"}, "4": {"inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}, "class_type": "CheckpointLoaderSimple"}, "5": {"inputs": {"width": 96, "height": 64, "batch_size": 1}, "class_type": "EmptyLatentImage"}, "6": {"inputs": {"text": "a lighthouse at dusk"}, "class_type": "CLIPTextEncode"}}"#,
                ),
                text(
                    "workflow",
                    r#"{"last_node_id": 6, "nodes": [], "links": []}"#,
                ),
            ]),
        ),
        (
            "ok/invokeai.png".into(),
            png_with_chunks(&[text(
                "invokeai_metadata",
                r#"{"app_version": "3.0.2", "generation_mode": "txt2img", "positive_prompt": "a lighthouse", "width": 96, "height": 64, "seed": 7, "steps": 30, "cfg_scale": 7.5, "scheduler": "euler", "model": {"model_name": "stable-diffusion-v1-5"}}"#,
            )]),
        ),
        (
            "ok/swarmui.png".into(),
            png_with_chunks(&[text(
                "sui_image_params",
                r#"{"sui_image_params": {"prompt": "a lighthouse", "model": "OfficialStableDiffusion/sd_xl_base_1.0", "seed": 99, "steps": 20, "cfgscale": 7, "width": 96, "height": 64}}"#,
            )]),
        ),
        (
            "ok/novelai-comment.png".into(),
            png_with_chunks(&[
                text("Software", "NovelAI"),
                text("Source", "NovelAI Diffusion V3 7BCCAA2C"),
                text("Description", "a lighthouse"),
                text(
                    "Comment",
                    r#"{"prompt": "a lighthouse", "steps": 28, "height": 64, "width": 96, "scale": 5.0, "seed": 12345, "sampler": "k_euler"}"#,
                ),
            ]),
        ),
        ("ok/novelai-stealth.png".into(), stealth_png()),
        (
            "ok/a1111-usercomment.jpg".into(),
            jpeg_with_segments(&[(0xE1, exif_user_comment(A1111))]),
        ),
        ("ok/plain-pattern.png".into(), png_with_chunks(&[])),
        (
            "bad/garbage.bin".into(),
            b"this is not an image, just text bytes\n".to_vec(),
        ),
        ("bad/empty.jpg".into(), vec![0xFF, 0xD8, 0xFF]),
    ];
    for (code, _, _) in DST_CASES {
        files.push((
            format!("ok/xmp-{code}.jpg"),
            jpeg_with_segments(&[(0xE1, xmp_app1(code))]),
        ));
    }
    let whole = jpeg_with_segments(&[(0xE1, exif_user_comment(A1111))]);
    files.push((
        "bad/truncated.jpg".into(),
        whole[..whole.len() / 2].to_vec(),
    ));
    let png = png_with_chunks(&[text("parameters", A1111)]);
    files.push((
        "bad/truncated.png".into(),
        png[..png.len() * 2 / 3].to_vec(),
    ));
    files
}

/// NovelAI's stealth format: gzip JSON of the text fields in alpha LSBs.
fn stealth_png() -> Vec<u8> {
    use std::io::Write;
    let mut img = image::DynamicImage::ImageRgb8(pattern()).to_rgba8();
    let json = r#"{"Software": "NovelAI", "Source": "NovelAI Diffusion V3 7BCCAA2C", "Description": "a lighthouse", "Comment": "{\"steps\": 28, \"seed\": 777, \"sampler\": \"k_euler\", \"scale\": 5.0}"}"#;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(json.as_bytes()).unwrap();
    assert!(stealth::embed_alpha(
        &mut img,
        b"stealth_pngcomp",
        &gz.finish().unwrap()
    ));
    png_bytes(&img)
}

/// Writes the fixtures (and signs the C2PA one). Not run by default: run it
/// after changing a builder, then commit the files.
#[test]
#[ignore]
fn write_fixtures() {
    for (name, bytes) in build_all() {
        let path = fixture(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let source = jpeg_with_segments(&[]);
    let signed = crate::c2pa_signing::sign_genai(&source);
    std::fs::write(fixture("ok/c2pa-genai-signed.jpg"), signed).unwrap();
}

#[test]
fn committed_fixtures_match_their_builders() {
    for (name, bytes) in build_all() {
        let on_disk = std::fs::read(fixture(&name)).unwrap_or_default();
        assert!(
            on_disk == bytes,
            "{name} differs from its builder: run `cargo test --release --test integration -- --ignored write_fixtures`"
        );
    }
}

#[test]
fn generator_fixtures_are_declared_synthetic_with_parameters() {
    let a = analyzer();
    let cases = [
        (
            "ok/a1111-parameters.png",
            "Stable Diffusion WebUI (A1111)",
            Some("1234567890"),
        ),
        (
            "ok/a1111-usercomment.jpg",
            "Stable Diffusion WebUI (A1111)",
            Some("1234567890"),
        ),
        ("ok/comfyui.png", "ComfyUI", Some("42")),
        ("ok/openai-labs-exif.jpg", "OpenAI DALL-E 2", None),
        ("ok/invokeai.png", "InvokeAI", Some("7")),
        ("ok/swarmui.png", "SwarmUI", Some("99")),
        ("ok/novelai-comment.png", "NovelAI", Some("12345")),
        ("ok/novelai-stealth.png", "NovelAI", Some("777")),
    ];
    for (file, tool, seed) in cases {
        let r = a.analyze_path(&fixture(file));
        assert_eq!(
            r.verdict,
            Verdict::DeclaredSynthetic,
            "{file}: {:?}",
            r.explanations
        );
        let g = r
            .metadata
            .evidence()
            .unwrap()
            .generator
            .clone()
            .expect(file);
        assert_eq!(g.tool, tool, "{file}");
        assert_eq!(g.seed.as_deref(), seed, "{file}");
        assert!(r.errors.is_empty(), "{file}: {:?}", r.errors);
    }
    let stealth = a.analyze_path(&fixture("ok/novelai-stealth.png"));
    assert!(stealth.flags.contains(&Flag::StealthPayload));
}

#[test]
fn each_digital_source_type_gets_its_verdict() {
    // The fixtures' pixels are noise: the rules alone are under test.
    let a = rules_only_analyzer();
    for (code, verdict, ai_edited) in DST_CASES {
        let r = a.analyze_path(&fixture(&format!("ok/xmp-{code}.jpg")));
        assert_eq!(r.verdict, *verdict, "{code}: {:?}", r.explanations);
        assert_eq!(r.flags.contains(&Flag::AiEdited), *ai_edited, "{code}");
        let m = r.metadata.evidence().unwrap();
        assert_eq!(m.digital_source_types, vec![format!("{DST}{code}")]);
        // With the pixel model, a declared screenshot or non-camera creation
        // is never called a camera photo on pixels alone.
        if matches!(*code, "algorithmicMedia" | "screenCapture") {
            let r = analyzer().analyze_path(&fixture(&format!("ok/xmp-{code}.jpg")));
            assert_ne!(
                r.verdict,
                Verdict::LikelyAuthentic,
                "{code}: {:?}",
                r.explanations
            );
        }
        if *ai_edited {
            assert_eq!(
                r.priority, 1,
                "AI-edited real photos rank with the real ones"
            );
        }
    }
}

#[test]
fn missing_metadata_alone_never_makes_a_file_synthetic() {
    // By the rules, a file that declares nothing is inconclusive.
    let r = rules_only_analyzer().analyze_path(&fixture("ok/plain-pattern.png"));
    assert_eq!(r.verdict, Verdict::Inconclusive);
    assert!(r.errors.is_empty());
    // With the model, the verdict rests on the pixels (a computer-made
    // pattern), and says so.
    let r = analyzer().analyze_path(&fixture("ok/plain-pattern.png"));
    assert!(
        r.explanations[0].contains("pixel model"),
        "{:?}",
        r.explanations
    );
}

#[test]
fn bad_files_give_errors_not_panics() {
    let a = analyzer();
    for entry in std::fs::read_dir(fixture("bad")).unwrap() {
        let path = entry.unwrap().path();
        let before = std::fs::read(&path).unwrap();
        let r = a.analyze_path(&path);
        assert!(
            !r.errors.is_empty(),
            "{} should report an error",
            path.display()
        );
        assert_eq!(std::fs::read(&path).unwrap(), before, "input changed");
    }
    // A truncated PNG is reported where it breaks: its chunk structure.
    let r = a.analyze_path(&fixture("bad/truncated.png"));
    assert!(
        r.errors
            .iter()
            .any(|e| e.stage == provenant::report::Stage::Container),
        "{:?}",
        r.errors
    );
    // The truncated JPEG still yields its metadata evidence, and, having no
    // manifest store, is not called a broken one.
    let r = a.analyze_path(&fixture("bad/truncated.jpg"));
    assert!(r.metadata.evidence().unwrap().generator.is_some());
    assert_eq!(
        r.c2pa.evidence().map(|c| c.state),
        Some(provenant::provenance::content_credentials::C2paState::Absent)
    );
    assert!(!r.flags.contains(&Flag::C2paInvalid), "{:?}", r.flags);
    // Every error is one line (decoders end some messages with a newline,
    // which would break a CSV cell).
    for name in [
        "bad/truncated.jpg",
        "bad/truncated.png",
        "bad/garbage.bin",
        "bad/empty.jpg",
    ] {
        for e in &a.analyze_path(&fixture(name)).errors {
            assert!(!e.message.contains('\n'), "{name}: {:?}", e.message);
        }
    }
}
