//! Content Credentials (C2PA) signal: reads and validates the manifest store
//! with c2pa-rs, offline (no OCSP, no remote manifest, no timestamp query),
//! and maps the manifest's actions to origin evidence following the C2PA
//! Conformance asset rubrics (fully GenAI, captured, partly GenAI).

use std::io::Cursor;
use std::ops::Range;
use std::sync::Arc;

use c2pa::{Context, Ingredient, Manifest, Reader, Relationship, ValidationState};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::input::Format;
use crate::provenance::metadata::ai_services::{self, Field};
use crate::provenance::metadata::{declared_strength, digital_source};
use crate::provenance::{Finding, Meaning, Strength};

/// The validation state in words analysts understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
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
#[non_exhaustive]
pub struct C2paAction {
    /// Action label, e.g. `c2pa.created`.
    pub action: String,
    /// Digital source type URI, if given.
    pub digital_source_type: Option<String>,
    /// The software that performed it.
    pub software_agent: Option<String>,
    /// The action's description, if given (Bing Image Creator writes "AI
    /// Generated Image").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// True if the action belongs to the active manifest, false if to an
    /// earlier manifest in its parent chain.
    pub active: bool,
}

/// What the C2PA manifest store says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// Why the data hash's exclusion is rejected, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusion_problem: Option<String>,
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
            exclusion_problem: None,
            findings: Vec::new(),
        }
    }
}

/// A C2PA validator configured once per run and shared by all threads.
#[non_exhaustive]
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
    /// `provenance_reference` is XMP `dcterms:provenance`, if any;
    /// `store` is where the container parser found the manifest store:
    /// `Some(None)` when it found none (c2pa-rs is then not asked), `None`
    /// for containers it does not parse.
    pub fn analyze(
        &self,
        bytes: &[u8],
        format: Format,
        provenance_reference: Option<&str>,
        store: Option<Option<Range<usize>>>,
    ) -> C2paEvidence {
        let missing = || {
            C2paEvidence::with_state(if provenance_reference.is_some() {
                C2paState::ReferencedButMissing
            } else {
                C2paState::Absent
            })
        };
        if store == Some(None) {
            return missing();
        }
        let reader = Reader::from_shared_context(&self.context)
            .with_stream(format.mime(), Cursor::new(bytes));
        let reader = match reader {
            Ok(r) => r,
            Err(c2pa::Error::JumbfNotFound) | Err(c2pa::Error::ProvenanceMissing) => {
                return missing();
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
        let mut ev = summarize(&reader);
        if let Some(Some(range)) = store {
            check_exclusion(&reader, range, &mut ev);
        }
        ev
    }
}

/// The failure code current validators give a data hash whose exclusion is
/// not the manifest store (C2PA 2.x §15.12.1).
pub(crate) const DATA_HASH_MISMATCH: &str = "assertion.dataHash.mismatch";

/// C2PA 2.x §15.12.1: the bytes a data hash leaves out must be the manifest
/// store and nothing else, so one exclusion must be exactly the store as the
/// container parser found it. c2pa-rs 0.91 checks this (c2pa-rs #2653,
/// #2673); 0.90, which this toolchain builds, does not, so it is checked
/// here: a manifest that fails it is `invalid`, whatever its signature.
fn check_exclusion(reader: &Reader, store: Range<usize>, ev: &mut C2paEvidence) {
    if ev.state == C2paState::Invalid {
        return;
    }
    let Some(exclusions) = data_hash_exclusions(reader) else {
        return;
    };
    let covers_store = exclusions
        .iter()
        .any(|&(start, length)| start == store.start as u64 && length == store.len() as u64);
    if !exclusions.is_empty() && !covers_store {
        ev.state = C2paState::Invalid;
        ev.failure_codes.push(DATA_HASH_MISMATCH.to_string());
        let found = exclusions
            .iter()
            .map(|(s, l)| format!("{s}+{l}"))
            .collect::<Vec<_>>()
            .join(", ");
        ev.exclusion_problem = Some(format!(
            "the data hash leaves out bytes {found}, but the manifest store is at {}+{}: bytes outside the manifest are not covered by the signature",
            store.start,
            store.len()
        ));
        ev.findings.retain(|f| f.meaning != Meaning::CameraCapture);
    }
}

/// The (start, length) exclusions of the active manifest's data hash
/// (`c2pa.hash.data`), if it has one.
fn data_hash_exclusions(reader: &Reader) -> Option<Vec<(u64, u64)>> {
    let report: Value = serde_json::from_str(&reader.detailed_json()).ok()?;
    let label = report.get("active_manifest")?.as_str()?;
    let assertions = report
        .get("manifests")?
        .get(label)?
        .get("assertion_store")?
        .as_object()?;
    let hash = assertions
        .iter()
        .find(|(name, _)| name.starts_with("c2pa.hash.data"))?
        .1;
    let exclusions = hash.get("exclusions").and_then(Value::as_array);
    Some(
        exclusions
            .into_iter()
            .flatten()
            .filter_map(|e| Some((e.get("start")?.as_u64()?, e.get("length")?.as_u64()?)))
            .collect(),
    )
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
    let mut signed_names: Vec<(&'static str, String)> = Vec::new();
    for depth in 0..MAX_CHAIN {
        let Some(m) = manifest else { break };
        signed_names.extend(
            m.claim_generator()
                .map(|g| ("claim generator", g.to_string())),
        );
        for info in m.claim_generator_info.iter().flatten() {
            signed_names.push(("claim_generator_info", info.name.clone()));
        }
        if let Some(sig) = m.signature_info() {
            signed_names.extend(sig.issuer.iter().map(|i| ("signer", i.clone())));
            signed_names.extend(sig.common_name.iter().map(|n| ("signer", n.clone())));
        }
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
    service_findings(&mut ev, signed_names);
    ev
}

/// Names of AI services (`data/ai-services.csv`) in the signed fields of
/// the chain: claim generators, signers, action software agents and
/// descriptions. A declaration when no action states a digital source
/// type; when one does, the type is more precise than the name (an AI
/// service can also edit a photo), and the name is context.
fn service_findings(ev: &mut C2paEvidence, mut names: Vec<(&'static str, String)>) {
    for a in &ev.actions {
        names.extend(
            a.software_agent
                .iter()
                .map(|s| ("softwareAgent", s.clone())),
        );
    }
    let described = ev.actions.iter().filter_map(|a| {
        a.description
            .as_ref()
            .map(|d| ("action description", d.clone()))
    });
    let fields = names
        .into_iter()
        .map(|n| (n, Field::Signed))
        .chain(described.map(|d| (d, Field::Text)));
    let typed = ev.actions.iter().any(|a| {
        a.digital_source_type
            .as_deref()
            .is_some_and(|d| digital_source(d).meaning != Meaning::Context)
    });
    for ((key, value), field) in fields {
        let Some(m) = ai_services::find(&value, field) else {
            continue;
        };
        let (meaning, strength) = match m.strength {
            Strength::Declared if !typed => (m.service.meaning, Strength::Declared),
            _ => (Meaning::Context, Strength::Weak),
        };
        if ev
            .findings
            .iter()
            .any(|f| f.key == key && f.meaning == meaning)
        {
            continue;
        }
        ev.findings.push(Finding::new(
            "C2PA",
            key,
            &ai_services::quoted(&value, &m, field),
            meaning,
            strength,
        ));
    }
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
                    .is_some_and(|d| digital_source(d).meaning == Meaning::AiGenerated)
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
            description: a
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            active,
        })
        .collect()
}

/// Rubric mapping: an inception action (`c2pa.created`/`c2pa.opened`) with a
/// GenAI source type is fully GenAI media; with a composite-GenAI type it is a
/// partly GenAI creation; any other action with a GenAI source type is a
/// perceptible GenAI edit; inception with a capture type is captured media.
fn action_findings(ev: &mut C2paEvidence) {
    let capture = match ev.state {
        C2paState::Trusted => Strength::Declared,
        C2paState::ValidUntrusted => Strength::Strong,
        _ => Strength::Weak,
    };
    let mut seen = Vec::new();
    for a in &ev.actions {
        let Some(dst) = &a.digital_source_type else {
            continue;
        };
        let source = digital_source(dst);
        let inception = matches!(a.action.as_str(), "c2pa.created" | "c2pa.opened");
        let meaning = match (source.meaning, inception) {
            (Meaning::AiGenerated, true) => Meaning::AiGenerated,
            (Meaning::AiGenerated, false) | (Meaning::AiEdited, _) => Meaning::AiEdited,
            (m @ (Meaning::CameraCapture | Meaning::NonCapture | Meaning::ScreenCapture), true) => {
                m
            }
            _ => continue,
        };
        if seen.contains(&(meaning, a.action.clone())) {
            continue;
        }
        seen.push((meaning, a.action.clone()));
        let agent = a.software_agent.as_deref().unwrap_or("unnamed software");
        let trimmed = dst.trim();
        let code = trimmed.rsplit('/').next().unwrap_or(trimmed);
        let spelled = if source.exact {
            ""
        } else {
            " (not spelled as the standard does)"
        };
        ev.findings.push(Finding::new(
            "C2PA",
            &a.action,
            &format!("{} as {code} by {agent}{spelled}", a.action),
            meaning,
            declared_strength(source, capture),
        ));
    }
}
