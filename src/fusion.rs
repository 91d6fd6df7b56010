//! Fusion: from the evidence of all signals to one verdict, flags, a triage
//! priority and plain-language explanations.
//!
//! The rule table (in order; the first that applies decides):
//!
//! | # | evidence | verdict |
//! |---|---|---|
//! | 1 | metadata or C2PA *declares* AI generation | `declared-synthetic` |
//! | 2 | a *trusted* C2PA manifest declares a camera capture | `verified-authentic` |
//! | 3 | strong camera evidence (full camera EXIF, or a valid C2PA capture), nothing pointing to AI, no sign of a software re-save | `likely-authentic` |
//! | 4 | anything else | `inconclusive` |
//!
//! A declared AI edit of a capture (IPTC `compositeWithTrainedAlgorithmicMedia`,
//! a C2PA GenAI edit) sets the flag `ai-edited` on top of the verdict.
//! The learned, calibrated fusion replaces rules 3-4 with a probability.

use crate::report::{kebab_name, FileReport, Flag, Verdict};
use crate::signals::content_credentials::C2paState;
use crate::signals::{Finding, Meaning, Strength};

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

/// Every finding of the report, in signal order.
fn findings(r: &FileReport) -> Vec<&Finding> {
    let mut all: Vec<&Finding> = Vec::new();
    if let Some(c) = r.c2pa.evidence() {
        all.extend(&c.findings);
    }
    if let Some(m) = r.metadata.evidence() {
        all.extend(&m.findings);
    }
    if let Some(j) = r.jpeg.evidence() {
        all.extend(&j.findings);
    }
    all
}

/// Applies the rule table to a report whose signals are filled in, setting
/// its verdict, flags, priority and explanations.
pub fn decide(r: &mut FileReport) {
    let all = findings(r);
    let has = |m: Meaning, s: Strength| all.iter().any(|f| f.meaning == m && f.strength >= s);
    let first = |m: Meaning, s: Strength| {
        all.iter()
            .find(|f| f.meaning == m && f.strength >= s)
            .copied()
    };
    let c2pa_state = r.c2pa.evidence().map(|c| c.state);
    let resaved = r.jpeg.evidence().is_some_and(|j| j.camera_exif_on_resave);

    let mut flags = Vec::new();
    let mut explanations = Vec::new();

    let verdict = if let Some(f) = first(Meaning::AiGenerated, Strength::Declared) {
        explanations.push(format!("Declared synthetic: {}.", describe(f)));
        Verdict::DeclaredSynthetic
    } else if let (Some(C2paState::Trusted), Some(f)) = (
        c2pa_state,
        first(Meaning::CameraCapture, Strength::Declared).filter(|f| f.source == "C2PA"),
    ) {
        explanations.push(format!(
            "Verified capture: trusted Content Credentials, {}.",
            f.excerpt
        ));
        Verdict::VerifiedAuthentic
    } else if let Some(f) = first(Meaning::CameraCapture, Strength::Strong)
        .filter(|_| !has(Meaning::AiGenerated, Strength::Weak) && !resaved)
    {
        explanations.push(format!("Likely a camera photo: {}.", describe(f)));
        Verdict::LikelyAuthentic
    } else {
        explanations.push(inconclusive_reason(&all, resaved));
        Verdict::Inconclusive
    };

    // A declared AI edit flags a real photo; a fully generated image edited
    // again by AI stays synthetic.
    let ai_edited =
        verdict != Verdict::DeclaredSynthetic && has(Meaning::AiEdited, Strength::Declared);
    if ai_edited {
        flags.push(Flag::AiEdited);
        if let Some(f) = first(Meaning::AiEdited, Strength::Declared) {
            explanations.push(format!("AI-edited: {}.", describe(f)));
        }
    }
    if resaved {
        flags.push(Flag::CameraExifOnResave);
    }
    match c2pa_state {
        Some(C2paState::Invalid) => flags.push(Flag::C2paInvalid),
        Some(C2paState::ReferencedButMissing) => flags.push(Flag::C2paStripped),
        _ => {}
    }
    if r.pixels.evidence().is_none() {
        flags.push(Flag::PixelsNotAnalysed);
    }
    if all.iter().any(|f| f.source.contains("stealth")) {
        flags.push(Flag::StealthPayload);
    }
    let local = r.forensics.evidence().and_then(|p| p.local_noise.as_ref());
    if let Some(region) = local.and_then(|l| l.edit_candidate()) {
        flags.push(Flag::LocalNoiseRegion);
        explanations.push(format!(
            "A {}x{} px region at ({}, {}) has {:.0}% of the image's noise: consistent with a local edit (inpainting, face swap), but flat or strongly compressed areas do the same; weak evidence.",
            region.width,
            region.height,
            region.x,
            region.y,
            100.0 * region.noise_ratio
        ));
    }
    explanations.extend(supporting(r, &all, &explanations));

    r.priority = priority(verdict, ai_edited);
    r.verdict = verdict;
    r.flags = flags;
    r.explanations = explanations;
}

/// One finding as a clause: "PNG tEXt `prompt`: ComfyUI: {...}".
fn describe(f: &Finding) -> String {
    format!("{} `{}` says \"{}\"", f.source, f.key, f.excerpt)
}

fn inconclusive_reason(all: &[&Finding], resaved: bool) -> String {
    if resaved {
        "Inconclusive: camera EXIF, but the JPEG was re-saved by software, so the EXIF may not belong to these pixels.".into()
    } else if all.iter().any(|f| f.meaning == Meaning::CameraCapture) {
        "Inconclusive: some camera evidence, not enough to decide.".into()
    } else if all.is_empty() {
        "Inconclusive: the file declares nothing about its origin (absence of metadata proves nothing).".into()
    } else {
        "Inconclusive: no decisive declaration in the file.".into()
    }
}

/// Other findings worth a line, strongest first, not repeating the deciding ones.
fn supporting(r: &FileReport, all: &[&Finding], already: &[String]) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(c) = r.c2pa.evidence().filter(|c| c.state != C2paState::Absent) {
        let signer = c
            .signer_common_name
            .as_deref()
            .or(c.signer_issuer.as_deref())
            .unwrap_or("unknown signer");
        let mut line = format!("Content Credentials: {}", kebab_name(&c.state));
        if c.manifests > 0 {
            line.push_str(&format!(
                ", signed by {}",
                crate::sanitize::excerpt(signer, 60)
            ));
        }
        if !c.failure_codes.is_empty() {
            line.push_str(&format!(" (failures: {})", c.failure_codes.join(", ")));
        }
        lines.push(line + ".");
    }
    if let Some(p) = r.forensics.evidence() {
        let jpeg = r.jpeg.evidence().is_some();
        lines.extend(p.sentences(jpeg).into_iter().map(|s| s + "."));
    }
    if let Some(prob) = r.synthetic_probability {
        let top: Vec<String> = r
            .contributions
            .iter()
            .take(3)
            .map(|(name, c)| format!("{name} {c:+.2}"))
            .collect();
        lines.push(format!(
            "Pixel model (not deciding the verdict yet): P(synthetic) {prob:.2}; largest contributions in log-odds: {}.",
            top.join(", ")
        ));
    }
    let mut rest: Vec<&&Finding> = all
        .iter()
        .filter(|f| !already.iter().any(|a| a.contains(&f.excerpt)))
        .collect();
    rest.sort_by_key(|f| std::cmp::Reverse(f.strength));
    for f in rest.into_iter().take(4) {
        lines.push(format!("{} `{}`: {}.", f.source, f.key, f.excerpt));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_rank_real_first_and_ai_edited_with_them() {
        assert_eq!(priority(Verdict::LikelyAuthentic, false), 1);
        assert_eq!(priority(Verdict::Inconclusive, false), 2);
        assert_eq!(priority(Verdict::DeclaredSynthetic, false), 4);
        assert_eq!(priority(Verdict::Inconclusive, true), 1);
    }
}
