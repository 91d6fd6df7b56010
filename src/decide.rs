//! The decision: from the evidence of all signals to one verdict, the rule
//! that decided, flags, a triage priority and typed reasons. Pure: it reads
//! [`Evidence`] and writes nothing; [`crate::report::reasons`] puts the
//! reasons into words.
//!
//! The rule table (in order; the first that applies decides):
//!
//! | # | [`Rule`] | evidence | verdict |
//! |---|---|---|---|
//! | 1 | `declared-synthetic` | metadata or C2PA *declares* AI generation | `declared-synthetic` |
//! | 2 | `trusted-capture` | a *trusted* C2PA manifest declares a camera capture | `verified-authentic` |
//! | 3 | `camera-evidence` | strong camera evidence (full camera EXIF, or a valid C2PA capture), nothing pointing to AI, no declaration that it is not a capture (a screenshot, a procedural or digital creation), no sign of a software re-save, and the pixel model not at `likely-synthetic` | `likely-authentic` |
//! | 4 | `camera-contradicted` | the same camera evidence, but the pixel model at `likely-synthetic` | `inconclusive` (a contradiction: metadata can be copied) |
//! | 5 | `pixels-synthetic` | the pixel model's calibrated P(synthetic) ≥ its `likely_synthetic` threshold | `likely-synthetic` |
//! | 6 | `pixels-authentic` | P(synthetic) ≤ its `likely_authentic` threshold, and the file does not declare a screenshot or a non-camera creation (else `not-a-capture`, `inconclusive`) | `likely-authentic` |
//! | 7 | `pixels-between`, `undecided` | anything else (P between the thresholds, or no pixel evidence) | `inconclusive` |
//!
//! The thresholds come from the model file, chosen on source- and
//! encoder-held-out scores: no real photo of its training set scores
//! `likely-synthetic`, and at most 5 % of its synthetic images score
//! `likely-authentic`, over all samples, under each laundering condition
//! and for each encoder family left out of training.
//! A declared AI edit of a capture (IPTC `compositeWithTrainedAlgorithmicMedia`,
//! a C2PA GenAI edit) sets the flag `ai-edited` on top of the verdict.

use serde::{Deserialize, Serialize};

use crate::hashlist::HashMatch;
use crate::model::Thresholds;
use crate::pixels::local_noise::Region;
use crate::pixels::PixelForensics;
use crate::provenance::content_credentials::{C2paEvidence, C2paState};
use crate::provenance::jpeg_structure::JpegStructure;
use crate::provenance::metadata::{stealth, MetadataEvidence};
use crate::provenance::{Finding, Meaning, Strength};

/// The answer for one file. The strings are fixed: downstream tools rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Verdict {
    /// The file itself declares AI generation (metadata or C2PA).
    DeclaredSynthetic,
    /// The evidence points to AI generation.
    LikelySynthetic,
    /// The evidence does not decide.
    #[default]
    Inconclusive,
    /// Strong, consistent evidence of a camera capture.
    LikelyAuthentic,
    /// A trusted C2PA manifest declares a camera capture.
    VerifiedAuthentic,
}

impl Verdict {
    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::DeclaredSynthetic => "declared-synthetic",
            Verdict::LikelySynthetic => "likely-synthetic",
            Verdict::Inconclusive => "inconclusive",
            Verdict::LikelyAuthentic => "likely-authentic",
            Verdict::VerifiedAuthentic => "verified-authentic",
        }
    }
}

/// Facts worth a filter in a triage table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Flag {
    /// A real photo edited by AI (declared composite or GenAI edit): shows a
    /// real person, ranks with the real photos.
    AiEdited,
    /// EXIF names a camera but the JPEG was re-saved by software.
    CameraExifOnResave,
    /// A C2PA manifest is present but fails validation.
    C2paInvalid,
    /// XMP references a C2PA manifest that is no longer embedded.
    C2paStripped,
    /// Pixels were not analysed (format without decoder, decode error, or
    /// `--no-pixels`).
    PixelsNotAnalysed,
    /// Generation parameters hidden in pixel least significant bits.
    StealthPayload,
    /// A region whose noise is much lower than the rest of the image: weak
    /// evidence of a local edit (inpainting, face swap), worth a look. Not
    /// `ai-edited`: flat and strongly compressed areas of real photos do it too.
    LocalNoiseRegion,
    /// The file matches an entry of a `--hashlist` (exact digest or PDQ).
    HashlistMatch,
}

/// What the decision reads: each signal's evidence (where it was
/// analysed), the pixel model's calibrated probability and contributions
/// at full precision, and the hash-list matches.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Evidence<'a> {
    /// Metadata signal.
    pub metadata: Option<&'a MetadataEvidence>,
    /// Content Credentials signal.
    pub c2pa: Option<&'a C2paEvidence>,
    /// JPEG structure signal.
    pub jpeg: Option<&'a JpegStructure>,
    /// Pixel signals.
    pub forensics: Option<&'a PixelForensics>,
    /// True if the pixels were decoded.
    pub pixels_decoded: bool,
    /// Calibrated P(synthetic) of the pixel model.
    pub synthetic_probability: Option<f64>,
    /// The model's largest contributions (feature family, log-odds).
    pub contributions: &'a [(String, f64)],
    /// Hash-list matches.
    pub hashlist_matches: &'a [HashMatch],
}

impl<'a> Evidence<'a> {
    /// Every finding, in signal order (C2PA, metadata, JPEG structure).
    fn findings(&self) -> impl Iterator<Item = &'a Finding> + Clone {
        let c2pa = self.c2pa.into_iter().flat_map(|c| &c.findings);
        let metadata = self.metadata.into_iter().flat_map(|m| &m.findings);
        let jpeg = self.jpeg.into_iter().flat_map(|j| &j.findings);
        c2pa.chain(metadata).chain(jpeg)
    }

    /// The first finding that means `m` at strength `s` or more.
    fn first(&self, m: Meaning, s: Strength) -> Option<&'a Finding> {
        self.findings().find(|f| f.meaning == m && f.strength >= s)
    }
}

/// The rule of the table that decided (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// 1: metadata or C2PA declares AI generation.
    DeclaredSynthetic,
    /// 2: a trusted C2PA manifest declares a capture.
    TrustedCapture,
    /// 3: strong, uncontradicted camera evidence.
    CameraEvidence,
    /// 4: camera evidence, but the pixels look synthetic.
    CameraContradicted,
    /// 5: the pixel model at or above its likely-synthetic threshold.
    PixelsSynthetic,
    /// 6: the pixel model at or below its likely-authentic threshold.
    PixelsAuthentic,
    /// 6, voided: camera-like pixels, but the file declares it is not a
    /// camera capture.
    NotACapture,
    /// 7: the pixel model between its thresholds.
    PixelsBetween,
    /// 7: no pixel model and nothing decisive.
    #[default]
    Undecided,
}

impl Rule {
    /// Its number in the rule table.
    pub fn number(self) -> u8 {
        match self {
            Rule::DeclaredSynthetic => 1,
            Rule::TrustedCapture => 2,
            Rule::CameraEvidence => 3,
            Rule::CameraContradicted => 4,
            Rule::PixelsSynthetic => 5,
            Rule::PixelsAuthentic | Rule::NotACapture => 6,
            Rule::PixelsBetween | Rule::Undecided => 7,
        }
    }
}

/// Why nothing decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Undecided {
    /// Camera EXIF in a JPEG re-saved by software.
    ResavedCameraExif,
    /// Some camera evidence, not strong enough.
    SomeCameraEvidence,
    /// No finding at all.
    NothingDeclared,
    /// Findings, none decisive.
    NoDecisiveDeclaration,
}

/// One typed reason of a decision: which evidence, which rule, which
/// numbers. The deciding reason comes first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Reason {
    /// Rule 1: a declaration of AI generation.
    DeclaredSynthetic {
        /// The declaring finding.
        finding: Finding,
    },
    /// Rule 2: a trusted C2PA capture.
    TrustedCapture {
        /// The C2PA capture finding.
        finding: Finding,
    },
    /// Rule 3: camera evidence.
    CameraEvidence {
        /// The camera finding.
        finding: Finding,
    },
    /// Rule 4: camera evidence contradicted by the pixels.
    CameraContradicted {
        /// The camera finding.
        finding: Finding,
        /// P(synthetic).
        p: f64,
    },
    /// Rule 5: P at or above the likely-synthetic threshold.
    PixelsSynthetic {
        /// P(synthetic).
        p: f64,
        /// The model's thresholds.
        thresholds: Thresholds,
    },
    /// Rule 6: P at or below the likely-authentic threshold.
    PixelsAuthentic {
        /// P(synthetic).
        p: f64,
        /// The model's thresholds (with the held-out miss rate).
        thresholds: Thresholds,
    },
    /// Rule 6 voided: camera-like pixels in a declared non-capture.
    NotACapture {
        /// P(synthetic).
        p: f64,
        /// The model's thresholds.
        thresholds: Thresholds,
        /// The declaration.
        finding: Finding,
    },
    /// Rule 7: P between the thresholds.
    PixelsBetween {
        /// P(synthetic).
        p: f64,
        /// The model's thresholds.
        thresholds: Thresholds,
        /// What the rest of the evidence lacks.
        why: Undecided,
    },
    /// Rule 7: nothing decided and no pixel model.
    Undecided {
        /// What the evidence lacks.
        why: Undecided,
    },
    /// A declared AI edit of a capture.
    AiEdited {
        /// The declaring finding.
        finding: Finding,
    },
    /// A smooth region: weak evidence of a local edit.
    LocalNoiseRegion {
        /// The region.
        region: Region,
    },
    /// A match in a known-file list.
    HashlistMatch {
        /// The match.
        matched: HashMatch,
    },
    /// The state of present Content Credentials.
    ContentCredentials {
        /// Validation state.
        state: C2paState,
        /// Signer common name, else issuer, if known.
        signer: Option<String>,
        /// Manifests in the store.
        manifests: usize,
        /// Validation failure codes.
        failure_codes: Vec<String>,
    },
    /// The pixel signals' measurements (worded by the pixel evidence).
    PixelSignals,
    /// The pixel model's probability and largest contributions.
    PixelModel {
        /// P(synthetic).
        p: f64,
        /// Contributions (feature family, log-odds).
        contributions: Vec<(String, f64)>,
    },
    /// Another finding worth a line.
    Finding {
        /// The finding.
        finding: Finding,
    },
}

/// What the rule table concluded.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Decision {
    /// The verdict.
    pub verdict: Verdict,
    /// The rule that decided.
    pub rule: Rule,
    /// Triage priority: 1 = look first.
    pub priority: u8,
    /// Facts for filtering.
    pub flags: Vec<Flag>,
    /// The reasons, the deciding one first.
    pub reasons: Vec<Reason>,
}

/// Triage priority of a verdict: 1 = look first. Likely-real images (and
/// AI-edited real photos, which still show a real person) come first.
pub fn priority(verdict: Verdict, ai_edited: bool) -> u8 {
    match verdict {
        _ if ai_edited => 1,
        Verdict::VerifiedAuthentic | Verdict::LikelyAuthentic => 1,
        Verdict::Inconclusive => 2,
        Verdict::LikelySynthetic => 3,
        Verdict::DeclaredSynthetic => 4,
    }
}

/// How many other findings a decision cites, strongest first.
const OTHER_FINDINGS: usize = 4;

/// Applies the rule table to the evidence; `thresholds` are the model's
/// (`None`: rules 5-6 never apply).
pub fn decide(e: &Evidence<'_>, thresholds: Option<Thresholds>) -> Decision {
    let has = |m: Meaning, s: Strength| e.first(m, s).is_some();
    let resaved = e.jpeg.is_some_and(|j| j.camera_exif_on_resave);
    // A file that declares it is not a camera capture (a screenshot, a
    // procedural or digital creation) has no camera evidence to stand on.
    let not_a_capture = e
        .first(Meaning::ScreenCapture, Strength::Declared)
        .or_else(|| e.first(Meaning::NonCapture, Strength::Declared));
    let camera = e
        .first(Meaning::CameraCapture, Strength::Strong)
        .filter(|_| {
            !has(Meaning::AiGenerated, Strength::Weak) && !resaved && not_a_capture.is_none()
        });
    let trusted_capture = e
        .c2pa
        .filter(|c| c.state == C2paState::Trusted)
        .and_then(|c| {
            c.findings
                .iter()
                .find(|f| f.meaning == Meaning::CameraCapture && f.strength >= Strength::Declared)
        });
    let model = e.synthetic_probability.zip(thresholds);
    let pixels_synthetic = model.is_some_and(|(p, t)| p >= t.likely_synthetic);
    let undecided = || {
        if resaved {
            Undecided::ResavedCameraExif
        } else if e.findings().any(|f| f.meaning == Meaning::CameraCapture) {
            Undecided::SomeCameraEvidence
        } else if e.findings().next().is_none() {
            Undecided::NothingDeclared
        } else {
            Undecided::NoDecisiveDeclaration
        }
    };

    let (verdict, rule, first) = if let Some(f) = e.first(Meaning::AiGenerated, Strength::Declared)
    {
        let reason = Reason::DeclaredSynthetic { finding: f.clone() };
        (Verdict::DeclaredSynthetic, Rule::DeclaredSynthetic, reason)
    } else if let Some(f) = trusted_capture {
        let reason = Reason::TrustedCapture { finding: f.clone() };
        (Verdict::VerifiedAuthentic, Rule::TrustedCapture, reason)
    } else if let Some(f) = camera.filter(|_| pixels_synthetic) {
        let reason = Reason::CameraContradicted {
            finding: f.clone(),
            p: e.synthetic_probability.unwrap_or(f64::NAN),
        };
        (Verdict::Inconclusive, Rule::CameraContradicted, reason)
    } else if let Some(f) = camera {
        let reason = Reason::CameraEvidence { finding: f.clone() };
        (Verdict::LikelyAuthentic, Rule::CameraEvidence, reason)
    } else if let Some((p, thresholds)) = model {
        if p >= thresholds.likely_synthetic {
            let reason = Reason::PixelsSynthetic { p, thresholds };
            (Verdict::LikelySynthetic, Rule::PixelsSynthetic, reason)
        } else if let Some(f) = not_a_capture.filter(|_| p <= thresholds.likely_authentic) {
            let reason = Reason::NotACapture {
                p,
                thresholds,
                finding: f.clone(),
            };
            (Verdict::Inconclusive, Rule::NotACapture, reason)
        } else if p <= thresholds.likely_authentic {
            let reason = Reason::PixelsAuthentic { p, thresholds };
            (Verdict::LikelyAuthentic, Rule::PixelsAuthentic, reason)
        } else {
            let reason = Reason::PixelsBetween {
                p,
                thresholds,
                why: undecided(),
            };
            (Verdict::Inconclusive, Rule::PixelsBetween, reason)
        }
    } else {
        let reason = Reason::Undecided { why: undecided() };
        (Verdict::Inconclusive, Rule::Undecided, reason)
    };
    let mut reasons = vec![first];
    let mut flags = Vec::new();

    // A declared AI edit flags a real photo; a fully generated image edited
    // again by AI stays synthetic.
    let ai_edited = e
        .first(Meaning::AiEdited, Strength::Declared)
        .filter(|_| verdict != Verdict::DeclaredSynthetic);
    if let Some(f) = ai_edited {
        flags.push(Flag::AiEdited);
        reasons.push(Reason::AiEdited { finding: f.clone() });
    }
    if resaved {
        flags.push(Flag::CameraExifOnResave);
    }
    match e.c2pa.map(|c| c.state) {
        Some(C2paState::Invalid) => flags.push(Flag::C2paInvalid),
        Some(C2paState::ReferencedButMissing) => flags.push(Flag::C2paStripped),
        _ => {}
    }
    if !e.pixels_decoded {
        flags.push(Flag::PixelsNotAnalysed);
    }
    if e.findings().any(|f| f.source == stealth::SOURCE) {
        flags.push(Flag::StealthPayload);
    }
    let local = e.forensics.and_then(|p| p.local_noise.as_ref());
    if let Some(region) = local.and_then(|l| l.edit_candidate()) {
        flags.push(Flag::LocalNoiseRegion);
        reasons.push(Reason::LocalNoiseRegion {
            region: region.clone(),
        });
    }
    if !e.hashlist_matches.is_empty() {
        flags.push(Flag::HashlistMatch);
        reasons.extend(
            e.hashlist_matches
                .iter()
                .map(|m| Reason::HashlistMatch { matched: m.clone() }),
        );
    }
    reasons.extend(supporting(e, &reasons));
    Decision {
        verdict,
        rule,
        priority: priority(verdict, ai_edited.is_some()),
        flags,
        reasons,
    }
}

/// Other evidence worth a line: Content Credentials, the pixel signals and
/// model, then the strongest findings not already cited (nor saying what a
/// cited finding says, in another field).
fn supporting(e: &Evidence<'_>, cited: &[Reason]) -> Vec<Reason> {
    let mut out = Vec::new();
    if let Some(c) = e.c2pa.filter(|c| c.state != C2paState::Absent) {
        out.push(Reason::ContentCredentials {
            state: c.state,
            signer: c.signer_common_name.clone().or(c.signer_issuer.clone()),
            manifests: c.manifests,
            failure_codes: c.failure_codes.clone(),
        });
    }
    if e.forensics.is_some() {
        out.push(Reason::PixelSignals);
    }
    if let Some(p) = e.synthetic_probability {
        out.push(Reason::PixelModel {
            p,
            contributions: e.contributions.to_vec(),
        });
    }
    let is_cited = |f: &Finding| {
        cited.iter().any(|r| match r {
            Reason::DeclaredSynthetic { finding }
            | Reason::TrustedCapture { finding }
            | Reason::CameraEvidence { finding }
            | Reason::CameraContradicted { finding, .. }
            | Reason::NotACapture { finding, .. }
            | Reason::AiEdited { finding } => finding.excerpt == f.excerpt,
            _ => false,
        })
    };
    let mut rest: Vec<&Finding> = e.findings().filter(|f| !is_cited(f)).collect();
    rest.sort_by_key(|f| std::cmp::Reverse(f.strength));
    out.extend(
        rest.into_iter()
            .take(OTHER_FINDINGS)
            .map(|f| Reason::Finding { finding: f.clone() }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::FileReport;

    #[test]
    fn priorities_rank_real_first_and_ai_edited_with_them() {
        assert_eq!(priority(Verdict::LikelyAuthentic, false), 1);
        assert_eq!(priority(Verdict::Inconclusive, false), 2);
        assert_eq!(priority(Verdict::DeclaredSynthetic, false), 4);
        assert_eq!(priority(Verdict::Inconclusive, true), 1);
    }

    #[test]
    fn without_declarations_the_model_thresholds_decide() {
        let t = Thresholds {
            likely_synthetic: 0.8,
            likely_authentic: 0.2,
            synthetic_below_authentic: 0.04,
        };
        let decided = |p: Option<f64>, t: Option<Thresholds>| {
            let mut r = FileReport::empty("x".into());
            r.synthetic_probability = p;
            decide(&r.evidence(), t)
        };
        let d = decided(Some(0.85), Some(t));
        assert_eq!(
            (d.verdict, d.rule, d.priority),
            (Verdict::LikelySynthetic, Rule::PixelsSynthetic, 3)
        );
        assert_eq!(
            d.reasons[0],
            Reason::PixelsSynthetic {
                p: 0.85,
                thresholds: t
            }
        );
        assert_eq!(decided(Some(0.8), Some(t)).rule, Rule::PixelsSynthetic);
        // Full precision: a hair under the threshold is under it.
        assert_eq!(
            decided(Some(0.8f64.next_down()), Some(t)).rule,
            Rule::PixelsBetween
        );
        let d = decided(Some(0.2), Some(t));
        assert_eq!(
            (d.verdict, d.rule),
            (Verdict::LikelyAuthentic, Rule::PixelsAuthentic)
        );
        assert_eq!(decided(Some(0.5), Some(t)).verdict, Verdict::Inconclusive);
        let d = decided(Some(0.95), None);
        assert_eq!(
            (d.verdict, d.rule),
            (Verdict::Inconclusive, Rule::Undecided)
        );
        assert_eq!(
            d.reasons[0],
            Reason::Undecided {
                why: Undecided::NothingDeclared
            }
        );
        assert_eq!(decided(None, Some(t)).rule, Rule::Undecided);
        assert_eq!(Rule::NotACapture.number(), 6);
    }
}
