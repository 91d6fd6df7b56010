//! C2PA with a self-made test certificate (`fixtures/c2pa/`, made by
//! `make-test-cert.sh`): signing through c2pa's Builder, then reading back.

use std::io::Cursor;

use provenant::report::Verdict;
use provenant::signals::content_credentials::C2paState;
use provenant::{Analyzer, Config};

use crate::common::{analyzer, fixture};

/// Signs a JPEG with a manifest declaring `c2pa.created` as
/// trainedAlgorithmicMedia by a test generator.
pub fn sign_genai(jpeg: &[u8]) -> Vec<u8> {
    let chain = std::fs::read(fixture("c2pa/test-signer-chain.pem")).unwrap();
    let key = std::fs::read(fixture("c2pa/test-signer.key")).unwrap();
    let signer = c2pa::create_signer::from_keys(&chain, &key, c2pa::SigningAlg::Es256, None)
        .expect("signer");
    let definition = serde_json::json!({
        "claim_generator_info": [{"name": "provenant-test-fixtures", "version": "1"}],
        "title": "c2pa-genai-signed.jpg",
        "assertions": [{
            "label": "c2pa.actions",
            "data": {"actions": [{
                "action": "c2pa.created",
                "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
                "softwareAgent": {"name": "Test Generator 1.0"}
            }]}
        }]
    });
    let mut builder = c2pa::Builder::from_context(c2pa::Context::new())
        .with_definition(definition.to_string().as_str())
        .expect("builder");
    let mut out = Cursor::new(Vec::new());
    builder
        .sign(&*signer, "image/jpeg", &mut Cursor::new(jpeg), &mut out)
        .expect("sign");
    out.into_inner()
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
