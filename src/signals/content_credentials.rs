//! Content Credentials (C2PA) signal: reads and validates the manifest store
//! with c2pa-rs, offline (no OCSP, no remote manifest, no timestamp query),
//! and maps the manifest's actions to origin evidence following the C2PA
//! Conformance asset rubrics (fully GenAI, captured, partly GenAI).

use std::io::Cursor;
use std::sync::Arc;

use c2pa::{Context, Ingredient, Manifest, Reader, Relationship, ValidationState};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::input::Format;
use crate::signals::metadata::digital_source_meaning;
use crate::signals::{Finding, Meaning, Strength};

/// The validation state in words analysts understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum C2paState {
    /// No manifest in the file.
    Absent,
    /// XMP points to a manifest (`dcterms:provenance`) but none is embedded:
    /// it was probably stripped.
    ReferencedButMissing,
    /// Signature valid and the signer chains to a supplied trust anchor.
    Trusted,
    /// Signature and hashes valid, signer not on the trust list.
    ValidUntrusted,
    /// The manifest fails validation (tampering, broken hashes, bad signature).
    Invalid,
}

/// One action of a manifest (`c2pa.actions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct C2paAction {
    /// Action label, e.g. `c2pa.created`.
    pub action: String,
    /// Digital source type URI, if given.
    pub digital_source_type: Option<String>,
    /// The software that performed it.
    pub software_agent: Option<String>,
    /// True if the action belongs to the active manifest, false if to an
    /// earlier manifest in its parent chain.
    pub active: bool,
}

/// What the C2PA manifest store says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct C2paEvidence {
    /// Validation state.
    pub state: C2paState,
    /// Failure codes of the active manifest (C2PA validation status codes).
    pub failure_codes: Vec<String>,
    /// Claim generator of the active manifest.
    pub claim_generator: Option<String>,
    /// Signer certificate issuer (organisation).
    pub signer_issuer: Option<String>,
    /// Signer certificate common name.
    pub signer_common_name: Option<String>,
    /// Signing time, if time-stamped or declared.
    pub signing_time: Option<String>,
    /// Actions of the active manifest and its parent chain.
    pub actions: Vec<C2paAction>,
    /// Number of ingredients of the active manifest.
    pub ingredients: usize,
    /// Number of manifests in the store.
    pub manifests: usize,
    /// Observations that bear on the origin.
    pub findings: Vec<Finding>,
}

impl C2paEvidence {
    fn with_state(state: C2paState) -> Self {
        C2paEvidence {
            state,
            failure_codes: Vec::new(),
            claim_generator: None,
            signer_issuer: None,
            signer_common_name: None,
            signing_time: None,
            actions: Vec::new(),
            ingredients: 0,
            manifests: 0,
            findings: Vec::new(),
        }
    }
}

/// A C2PA validator configured once per run and shared by all threads.
pub struct Verifier {
    context: Arc<Context>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifier")
    }
}

/// Deepest parent chain followed.
const MAX_CHAIN: usize = 16;

impl Verifier {
    /// Builds the validator. `trust_anchors_pem` is a PEM bundle of root
    /// certificates; without it no signer can be `trusted`.
    pub fn new(trust_anchors_pem: Option<&str>) -> Result<Self> {
        let mut settings = serde_json::json!({
            "verify": {
                "verify_after_reading": true,
                "verify_trust": true,
                "ocsp_fetch": false,
                "remote_manifest_fetch": false
            }
        });
        if let Some(pem) = trust_anchors_pem {
            settings["trust"] = serde_json::json!({ "trust_anchors": pem });
        }
        let context = Context::new()
            .with_settings(settings.to_string().as_str())
            .map_err(|e| Error::Config(format!("C2PA settings: {e}")))?;
        Ok(Verifier {
            context: context.into_shared(),
        })
    }

    /// Reads and validates the manifest store of a file held in memory.
    /// `provenance_reference` is XMP `dcterms:provenance`, if any.
    pub fn analyze(
        &self,
        bytes: &[u8],
        format: Format,
        provenance_reference: Option<&str>,
    ) -> C2paEvidence {
        let reader = Reader::from_shared_context(&self.context)
            .with_stream(format.mime(), Cursor::new(bytes));
        let reader = match reader {
            Ok(r) => r,
            Err(c2pa::Error::JumbfNotFound) | Err(c2pa::Error::ProvenanceMissing) => {
                let state = if provenance_reference.is_some() {
                    C2paState::ReferencedButMissing
                } else {
                    C2paState::Absent
                };
                return C2paEvidence::with_state(state);
            }
            Err(c2pa::Error::UnsupportedType) => {
                return C2paEvidence::with_state(C2paState::Absent)
            }
            Err(e) => {
                let mut ev = C2paEvidence::with_state(C2paState::Invalid);
                ev.failure_codes.push(format!("c2pa-rs: {e}"));
                return ev;
            }
        };
        summarize(&reader)
    }
}

fn summarize(reader: &Reader) -> C2paEvidence {
    let state = match reader.validation_state() {
        ValidationState::Trusted => C2paState::Trusted,
        ValidationState::Valid => C2paState::ValidUntrusted,
        ValidationState::Invalid => C2paState::Invalid,
    };
    let mut ev = C2paEvidence::with_state(state);
    ev.manifests = reader.manifests().len();
    ev.failure_codes = reader
        .validation_results()
        .and_then(|r| r.active_manifest())
        .map(|codes| {
            codes
                .failure()
                .iter()
                .map(|s| s.code().to_string())
                .collect()
        })
        .unwrap_or_default();
    let Some(active) = reader.active_manifest() else {
        return ev;
    };
    ev.claim_generator = active.claim_generator().map(str::to_string).or_else(|| {
        active
            .claim_generator_info
            .as_ref()
            .and_then(|v| v.first())
            .map(|i| i.name.clone())
    });
    if let Some(sig) = active.signature_info() {
        ev.signer_issuer = sig.issuer.clone();
        ev.signer_common_name = sig.common_name.clone();
        ev.signing_time = sig.time.clone();
    }
    ev.ingredients = active.ingredients().len();

    // The active manifest, then its parents.
    let mut manifest = Some(active);
    for depth in 0..MAX_CHAIN {
        let Some(m) = manifest else { break };
        let actions = actions_of(m, depth == 0);
        let parent = parent_ingredient(m, &actions);
        for ing in m.ingredients() {
            let is_parent = parent.is_some_and(|p| std::ptr::eq(p, ing));
            if !is_parent && ingredient_declares_ai(ing, reader) {
                ev.findings.push(Finding::new(
                    "C2PA",
                    "ingredient",
                    &format!(
                        "component {} was generated by AI",
                        ing.title().unwrap_or("(untitled)")
                    ),
                    Meaning::AiEdited,
                    Strength::Declared,
                ));
            }
        }
        ev.actions.extend(actions);
        manifest = parent
            .and_then(|i| i.active_manifest())
            .and_then(|label| reader.get_manifest(label));
    }
    action_findings(&mut ev);
    ev
}

/// The ingredient a manifest derives from: the `parentOf` ingredient, or,
/// when a manifest opened a single ingredient without saying how it relates
/// (as some editors do), that ingredient.
fn parent_ingredient<'a>(m: &'a Manifest, actions: &[C2paAction]) -> Option<&'a Ingredient> {
    let ings = m.ingredients();
    ings.iter()
        .find(|i| matches!(i.relationship(), Relationship::ParentOf))
        .or_else(|| {
            let opened = actions.iter().any(|a| a.action == "c2pa.opened");
            ings.first().filter(|_| opened && ings.len() == 1)
        })
}

/// Whether an ingredient's own manifest declares AI generation.
fn ingredient_declares_ai(ing: &Ingredient, reader: &Reader) -> bool {
    ing.active_manifest()
        .and_then(|l| reader.get_manifest(l))
        .is_some_and(|im| {
            actions_of(im, false).iter().any(|a| {
                a.digital_source_type
                    .as_deref()
                    .is_some_and(|d| digital_source_meaning(d) == Meaning::AiGenerated)
            })
        })
}

/// The actions of one manifest, from any `c2pa.actions` assertion version.
fn actions_of(m: &Manifest, active: bool) -> Vec<C2paAction> {
    m.assertions()
        .iter()
        .filter(|a| a.label().starts_with("c2pa.actions"))
        .filter_map(|a| a.value().ok())
        .filter_map(|v| v.get("actions").and_then(Value::as_array).cloned())
        .flatten()
        .map(|a| C2paAction {
            action: a
                .get("action")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            digital_source_type: a
                .get("digitalSourceType")
                .and_then(Value::as_str)
                .map(str::to_string),
            software_agent: match a.get("softwareAgent") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(obj) => obj.get("name").and_then(Value::as_str).map(str::to_string),
                None => None,
            },
            active,
        })
        .collect()
}

/// Rubric mapping: an inception action (`c2pa.created`/`c2pa.opened`) with a
/// GenAI source type is fully GenAI media; with a composite-GenAI type it is a
/// partly GenAI creation; any other action with a GenAI source type is a
/// perceptible GenAI edit; inception with a capture type is captured media.
fn action_findings(ev: &mut C2paEvidence) {
    let trusted = ev.state == C2paState::Trusted;
    let mut seen = Vec::new();
    for a in &ev.actions {
        let Some(dst) = &a.digital_source_type else {
            continue;
        };
        let inception = matches!(a.action.as_str(), "c2pa.created" | "c2pa.opened");
        let meaning = match (digital_source_meaning(dst), inception) {
            (Meaning::AiGenerated, true) => Meaning::AiGenerated,
            (Meaning::AiGenerated, false) | (Meaning::AiEdited, _) => Meaning::AiEdited,
            (Meaning::CameraCapture, true) => Meaning::CameraCapture,
            _ => continue,
        };
        let strength = match meaning {
            Meaning::CameraCapture if trusted => Strength::Declared,
            Meaning::CameraCapture if ev.state == C2paState::ValidUntrusted => Strength::Strong,
            Meaning::CameraCapture => Strength::Weak,
            _ => Strength::Declared,
        };
        if seen.contains(&(meaning, a.action.clone())) {
            continue;
        }
        seen.push((meaning, a.action.clone()));
        let agent = a.software_agent.as_deref().unwrap_or("unnamed software");
        let code = dst.rsplit('/').next().unwrap_or(dst);
        ev.findings.push(Finding::new(
            "C2PA",
            &a.action,
            &format!("{} as {code} by {agent}", a.action),
            meaning,
            strength,
        ));
    }
}
