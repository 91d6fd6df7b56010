//! C2PA with a self-made test certificate (`fixtures/c2pa/`, made by
//! `make-test-cert.sh`): signing through c2pa's Builder, then reading back.

use std::io::Cursor;

use provenant::provenance::content_credentials::C2paState;
use provenant::report::Verdict;
use provenant::{Analyzer, Config};

use crate::common::{analyzer, dev_dir, fixture, rules_only_analyzer};

/// The project's test signer (`fixtures/c2pa/`).
fn test_signer() -> Box<dyn c2pa::Signer> {
    let chain = std::fs::read(fixture("c2pa/test-signer-chain.pem")).unwrap();
    let key = std::fs::read(fixture("c2pa/test-signer.key")).unwrap();
    c2pa::create_signer::from_keys(&chain, &key, c2pa::SigningAlg::Es256, None).expect("signer")
}

/// A builder for a manifest with one `c2pa.created` action.
fn builder(title: &str, action: serde_json::Value) -> c2pa::Builder {
    let definition = serde_json::json!({
        "claim_generator_info": [{"name": "provenant-test-fixtures", "version": "1"}],
        "title": title,
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [action]}}]
    });
    c2pa::Builder::from_context(c2pa::Context::new())
        .with_definition(definition.to_string().as_str())
        .expect("builder")
}

/// Signs a JPEG with a manifest built by `builder`.
fn sign(jpeg: &[u8], mut builder: c2pa::Builder) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    builder
        .sign(
            &*test_signer(),
            "image/jpeg",
            &mut Cursor::new(jpeg),
            &mut out,
        )
        .expect("sign");
    out.into_inner()
}

/// Signs a JPEG with a manifest declaring `c2pa.created` as
/// trainedAlgorithmicMedia by a test generator.
pub(crate) fn sign_genai(jpeg: &[u8]) -> Vec<u8> {
    let action = serde_json::json!({
        "action": "c2pa.created",
        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
        "softwareAgent": {"name": "Test Generator 1.0"}
    });
    sign(jpeg, builder("c2pa-genai-signed.jpg", action))
}

/// A capture manifest embedded by hand (c2pa's data-hashed workflow): the
/// manifest store right after SOI, then `extra` (a COM segment), then the
/// rest of the JPEG. The data hash leaves out the store and the first
/// `extra_excluded` bytes of `extra`, so with `extra_excluded > 0` the
/// exclusion covers bytes that are not the manifest: what C2PA 2.x
/// §15.12.1 forbids, and what a forger uses to change content unseen.
fn embed_capture_by_hand(jpeg: &[u8], extra: &[u8], extra_excluded: usize) -> Vec<u8> {
    use c2pa::assertions::DataHash;
    let signer = test_signer();
    let action = serde_json::json!({
        "action": "c2pa.created",
        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
        "softwareAgent": {"name": "Test Camera 1.0"}
    });
    let mut builder = builder("capture.jpg", action);
    let placeholder = builder
        .data_hashed_placeholder(signer.reserve_size(), "image/jpeg")
        .expect("placeholder");
    let mut file = jpeg[..2].to_vec();
    file.extend_from_slice(&placeholder);
    file.extend_from_slice(extra);
    file.extend_from_slice(&jpeg[2..]);
    let excluded = c2pa::HashRange::new(2, (placeholder.len() + extra_excluded) as u64);
    let mut hash = DataHash::new("jumbf manifest", "sha256");
    hash.add_exclusion(excluded.clone());
    hash.set_hash(
        c2pa::hash_stream_by_alg(
            "sha256",
            &mut Cursor::new(&file),
            Some(vec![excluded]),
            true,
        )
        .expect("hash"),
    );
    let manifest = builder
        .sign_data_hashed_embeddable(&*signer, &hash, "image/jpeg")
        .expect("sign");
    assert_eq!(manifest.len(), placeholder.len());
    file[2..2 + manifest.len()].copy_from_slice(&manifest);
    file
}

/// A JPEG comment segment.
fn comment(text: &[u8]) -> Vec<u8> {
    let mut segment = vec![0xFF, 0xFE];
    segment.extend_from_slice(&((text.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(text);
    segment
}

#[test]
fn a_data_hash_exclusion_beyond_the_manifest_store_is_invalid() {
    let extra = comment(b"bytes the signature was never meant to leave out");
    // Control: the exclusion is exactly the store, so the capture stands.
    let honest = embed_capture_by_hand(&plain_jpeg(), &extra, 0);
    let r = analyzer().analyze_bytes("honest.jpg", &honest);
    let c = r.c2pa.evidence().unwrap();
    assert_eq!(c.state, C2paState::ValidUntrusted, "{:?}", c.failure_codes);
    assert!(c.exclusion_problem.is_none());

    // The same manifest whose exclusion also covers the comment: c2pa-rs
    // 0.90 calls it valid; current validators, and provenant, do not.
    let forged = embed_capture_by_hand(&plain_jpeg(), &extra, extra.len());
    let r = analyzer().analyze_bytes("forged.jpg", &forged);
    let c = r.c2pa.evidence().unwrap();
    assert_eq!(c.state, C2paState::Invalid, "{:?}", c.failure_codes);
    assert!(c
        .failure_codes
        .iter()
        .any(|code| code == "assertion.dataHash.mismatch"));
    assert!(c
        .exclusion_problem
        .as_deref()
        .unwrap()
        .contains("not covered"));
    assert!(r.flags.contains(&provenant::report::Flag::C2paInvalid));
    assert_ne!(r.verdict, Verdict::LikelyAuthentic, "{:?}", r.explanations);
    // The capture the manifest claims is not evidence any more.
    assert!(!c
        .findings
        .iter()
        .any(|f| f.meaning == provenant::provenance::Meaning::CameraCapture));
}

/// What Bing Image Creator writes: no digital source type, only the
/// service's name as the software agent and "AI Generated Image".
#[test]
fn a_signed_ai_service_name_without_a_source_type_is_declared() {
    let action = serde_json::json!({
        "action": "c2pa.created",
        "softwareAgent": "Image Creator from Designer",
        "description": "AI Generated Image"
    });
    let signed = sign(&plain_jpeg(), builder("bing.jpg", action));
    let r = rules_only_analyzer().analyze_bytes("bing.jpg", &signed);
    assert_eq!(
        r.verdict,
        Verdict::DeclaredSynthetic,
        "{:?}",
        r.explanations
    );
    assert!(
        r.explanations[0].contains("softwareAgent")
            && r.explanations[0].contains("Image Creator from Designer"),
        "{:?}",
        r.explanations
    );

    // The same service editing a capture states a source type: it is
    // believed over the name, so the image is not declared synthetic.
    let edit = serde_json::json!({
        "action": "c2pa.created",
        "softwareAgent": "Image Creator from Designer",
        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
    });
    let signed = sign(&plain_jpeg(), builder("capture.jpg", edit));
    let r = rules_only_analyzer().analyze_bytes("capture.jpg", &signed);
    assert_ne!(
        r.verdict,
        Verdict::DeclaredSynthetic,
        "{:?}",
        r.explanations
    );
}

/// A signed non-capture source type is never "a camera photo", even on a
/// real photo that the camera EXIF (dev `mei-13`) or the pixels alone (dev
/// `mei-56`) would otherwise call likely authentic.
#[test]
fn signed_non_capture_source_types_are_never_a_camera_photo() {
    let codes = [
        "algorithmicMedia",
        "digitalCreation",
        "virtualRecording",
        "screenCapture",
    ];
    for (base, code) in ["real/mei-13.jpg", "real/mei-56.jpg"]
        .iter()
        .flat_map(|b| codes.iter().map(move |c| (b, c)))
    {
        let photo = std::fs::read(dev_dir().join(base)).unwrap();
        assert_eq!(
            analyzer().analyze_bytes(base, &photo).verdict,
            Verdict::LikelyAuthentic
        );
        let action = serde_json::json!({
            "action": "c2pa.created",
            "digitalSourceType": format!("http://cv.iptc.org/newscodes/digitalsourcetype/{code}"),
        });
        let signed = sign(&photo, builder("made.jpg", action));
        let r = analyzer().analyze_bytes("made.jpg", &signed);
        assert_ne!(
            r.verdict,
            Verdict::LikelyAuthentic,
            "{code}: {:?}",
            r.explanations
        );
        assert!(
            !r.explanations
                .iter()
                .any(|e| e.contains("Likely a camera photo")),
            "{code}: {:?}",
            r.explanations
        );
    }
}

fn plain_jpeg() -> Vec<u8> {
    std::fs::read(fixture("ok/xmp-digitalCapture.jpg")).unwrap()
}

#[test]
fn self_signed_genai_manifest_is_trusted_only_with_its_anchor() {
    let signed = sign_genai(&plain_jpeg());
    let with_anchor = Analyzer::new(
        Config::default()
            .with_trust_anchors(&fixture("c2pa/test-ca.pem"))
            .unwrap(),
    )
    .unwrap()
    .analyze_bytes("signed.jpg", &signed);
    let c = with_anchor.c2pa.evidence().unwrap();
    assert_eq!(c.state, C2paState::Trusted, "{:?}", c.failure_codes);
    assert_eq!(with_anchor.verdict, Verdict::DeclaredSynthetic);
    assert_eq!(
        c.signer_common_name.as_deref(),
        Some("provenant test signer")
    );
    assert!(c
        .actions
        .iter()
        .any(|a| a.action == "c2pa.created"
            && a.software_agent.as_deref() == Some("Test Generator 1.0")));

    let official = analyzer().analyze_bytes("signed.jpg", &signed);
    assert_eq!(
        official.c2pa.evidence().unwrap().state,
        C2paState::ValidUntrusted
    );
    assert_eq!(official.verdict, Verdict::DeclaredSynthetic);
}

#[test]
fn tampered_pixels_make_the_manifest_invalid() {
    let mut signed = sign_genai(&plain_jpeg());
    // Flip a byte of entropy-coded data near the end (before EOI).
    let n = signed.len();
    signed[n - 20] ^= 0x55;
    let r = analyzer().analyze_bytes("tampered.jpg", &signed);
    let c = r.c2pa.evidence().unwrap();
    assert_eq!(c.state, C2paState::Invalid);
    assert!(!c.failure_codes.is_empty());
    assert!(r.flags.contains(&provenant::report::Flag::C2paInvalid));
}

#[test]
fn committed_signed_fixture_is_declared_synthetic() {
    let r = analyzer().analyze_path(&fixture("ok/c2pa-genai-signed.jpg"));
    assert_eq!(
        r.verdict,
        Verdict::DeclaredSynthetic,
        "{:?}",
        r.explanations
    );
    assert_eq!(r.c2pa.evidence().unwrap().state, C2paState::ValidUntrusted);
}
