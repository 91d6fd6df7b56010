//! Fusion: from the evidence of all signals to one verdict, flags, a triage
//! priority and plain-language explanations.
//!
//! The rule table (in order; the first that applies decides):
//!
//! | # | evidence | verdict |
//! |---|---|---|
//! | 1 | metadata or C2PA *declares* AI generation | `declared-synthetic` |
//! | 2 | a *trusted* C2PA manifest declares a camera capture | `verified-authentic` |
//! | 3 | strong camera evidence (full camera EXIF, or a valid C2PA capture), nothing pointing to AI, no declaration that it is not a capture (a screenshot, a procedural or digital creation), no sign of a software re-save, and the pixel model not at `likely-synthetic` | `likely-authentic` |
//! | 4 | the same camera evidence, but the pixel model at `likely-synthetic` | `inconclusive` (a contradiction: metadata can be copied) |
//! | 5 | the pixel model's calibrated P(synthetic) ≥ its `likely_synthetic` threshold | `likely-synthetic` |
//! | 6 | P(synthetic) ≤ its `likely_authentic` threshold, and the file does not declare a screenshot or a non-camera creation | `likely-authentic` |
//! | 7 | anything else (P between the thresholds, or no pixel evidence) | `inconclusive` |
//!
//! The thresholds come from the model file, chosen on source- and
//! encoder-held-out scores: no real photo of its training set scores
//! `likely-synthetic`, and at most 5 % of its synthetic images score
//! `likely-authentic`, over all samples, under each laundering condition
//! and for each encoder family left out of training.
//! A declared AI edit of a capture (IPTC `compositeWithTrainedAlgorithmicMedia`,
//! a C2PA GenAI edit) sets the flag `ai-edited` on top of the verdict.

use crate::model::Thresholds;
use crate::report::{kebab_name, FileReport, Flag, Verdict};
use crate::signals::content_credentials::C2paState;
use crate::signals::{pixels, Finding, Meaning, Strength};

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
/// its verdict, flags, priority and explanations; `thresholds` are the
/// model's (`None`: rules 5-6 never apply).
pub fn decide(r: &mut FileReport, thresholds: Option<Thresholds>) {
    let all = findings(r);
    let has = |m: Meaning, s: Strength| all.iter().any(|f| f.meaning == m && f.strength >= s);
    let first = |m: Meaning, s: Strength| {
        all.iter()
            .find(|f| f.meaning == m && f.strength >= s)
            .copied()
    };
    let c2pa_state = r.c2pa.evidence().map(|c| c.state);
    let resaved = r.jpeg.evidence().is_some_and(|j| j.camera_exif_on_resave);
    // A file that declares it is not a camera capture (a screenshot, a
    // procedural or digital creation) has no camera evidence to stand on.
    let not_a_capture = has(Meaning::ScreenCapture, Strength::Declared)
        || has(Meaning::NonCapture, Strength::Declared);
    let camera = first(Meaning::CameraCapture, Strength::Strong)
        .filter(|_| !has(Meaning::AiGenerated, Strength::Weak) && !resaved && !not_a_capture);
    let model = r.synthetic_probability.zip(thresholds);
    let pixels_synthetic = model.is_some_and(|(p, t)| p >= t.likely_synthetic);

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
    } else if let Some(f) = camera.filter(|_| pixels_synthetic) {
        explanations.push(format!(
            "Inconclusive: camera metadata ({}), but the pixels look synthetic (P(synthetic) {:.2}); metadata can be copied onto any image.",
            describe(f),
            r.synthetic_probability.unwrap_or(f64::NAN)
        ));
        Verdict::Inconclusive
    } else if let Some(f) = camera {
        explanations.push(format!("Likely a camera photo: {}.", describe(f)));
        Verdict::LikelyAuthentic
    } else if let Some((p, t)) = model {
        // Enough digits that P and the thresholds never look equal when
        // they are not.
        let d = digits_apart(&[p, t.likely_synthetic, t.likely_authentic]);
        if p >= t.likely_synthetic {
            explanations.push(format!(
                "Likely synthetic: the pixel model gives P(synthetic) {p:.d$}, at or above its likely-synthetic threshold {:.d$}.",
                t.likely_synthetic
            ));
            Verdict::LikelySynthetic
        } else if let Some(f) = first(Meaning::ScreenCapture, Strength::Declared)
            .or_else(|| first(Meaning::NonCapture, Strength::Declared))
            .filter(|_| p <= t.likely_authentic)
        {
            explanations.push(format!(
                "Inconclusive: the pixel model finds it camera-like (P(synthetic) {p:.d$}), but {}: not a camera photo by its own account.",
                describe(f)
            ));
            Verdict::Inconclusive
        } else if p <= t.likely_authentic {
            let wrong = if t.synthetic_below_authentic.is_finite() {
                format!(
                    " In the model's held-out validation, up to {:.1} % of synthetic images (the worst laundering condition or encoder) scored this low: this rests on pixel statistics alone, not on any declaration.",
                    100.0 * t.synthetic_below_authentic
                )
            } else {
                String::new()
            };
            explanations.push(format!(
                "Likely a camera photo: the pixel model gives P(synthetic) {p:.d$}, at or below its likely-authentic threshold {:.d$}.{wrong}",
                t.likely_authentic
            ));
            Verdict::LikelyAuthentic
        } else {
            explanations.push(format!(
                "Inconclusive: the pixel model gives P(synthetic) {p:.d$}, between its thresholds {:.d$} and {:.d$}; {}",
                t.likely_authentic,
                t.likely_synthetic,
                lowercase_first(&inconclusive_reason(&all, resaved))
            ));
            Verdict::Inconclusive
        }
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
    if !r.hashlist_matches.is_empty() {
        flags.push(Flag::HashlistMatch);
        for m in &r.hashlist_matches {
            explanations.push(format!(
                "Matches known-file list {} ({}{}, {}).",
                crate::sanitize::excerpt(&m.list, 60),
                kebab_name(&m.kind),
                if m.kind == crate::hashlist::Kind::Pdq {
                    format!(" distance {}", m.distance)
                } else {
                    String::new()
                },
                if m.label.is_empty() {
                    "no label".to_string()
                } else {
                    format!("label \"{}\"", crate::sanitize::excerpt(&m.label, 80))
                }
            ));
        }
    }
    explanations.extend(supporting(r, &all, &explanations));

    r.priority = priority(verdict, ai_edited);
    r.verdict = verdict;
    r.flags = flags;
    r.explanations = explanations;
}

/// The fewest decimals, from 2 to 6, at which values that differ print
/// differently.
fn digits_apart(values: &[f64]) -> usize {
    (2..=6)
        .find(|&d| {
            let scale = 10f64.powi(d as i32);
            values.iter().enumerate().all(|(i, a)| {
                values[i + 1..]
                    .iter()
                    .all(|b| a == b || (a * scale).round() != (b * scale).round())
            })
        })
        .unwrap_or(6)
}

/// One finding as a clause: "PNG tEXt `prompt`: ComfyUI: {...}".
fn describe(f: &Finding) -> String {
    format!("{} `{}` says \"{}\"", f.source, f.key, f.excerpt)
}

fn lowercase_first(s: &str) -> String {
    let s = s.strip_prefix("Inconclusive: ").unwrap_or(s);
    let mut chars = s.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_lowercase().chain(chars).collect())
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
    lines.extend(model_sentence(r));
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

/// The pixel model's probability and its largest contributions, in words.
fn model_sentence(r: &FileReport) -> Option<String> {
    let p = r.synthetic_probability?;
    let side = |toward_synthetic: bool| -> Vec<String> {
        r.contributions
            .iter()
            .filter(|(_, c)| (*c > 0.0) == toward_synthetic && c.abs() >= 0.05)
            .map(|(name, c)| format!("{} ({c:+.2})", pixels::describe_feature(name)))
            .collect()
    };
    let (up, down) = (side(true), side(false));
    let mut line = format!("Pixel model: P(synthetic) {p:.4}");
    if !up.is_empty() {
        line.push_str(&format!("; toward synthetic: {}", up.join(", ")));
    }
    if !down.is_empty() {
        line.push_str(&format!("; toward a camera photo: {}", down.join(", ")));
    }
    Some(line + " (log-odds).")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_and_thresholds_never_look_equal_when_they_differ() {
        assert_eq!(digits_apart(&[0.1576, 0.156, 0.99]), 3);
        assert_eq!(digits_apart(&[0.5, 0.16, 0.99]), 2);
        assert_eq!(digits_apart(&[0.156, 0.156, 0.99]), 2);
    }

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
            r.contributions = vec![
                ("block_grid".into(), 1.5),
                ("cfa_score missing".into(), -0.7),
                ("npr_ratio".into(), 0.01),
            ];
            decide(&mut r, t);
            r
        };
        let r = decided(Some(0.85), Some(t));
        assert_eq!((r.verdict, r.priority), (Verdict::LikelySynthetic, 3));
        assert!(r.explanations[0].contains("0.85"), "{:?}", r.explanations);
        let words = r.explanations.last().unwrap();
        assert!(
            words.contains("toward synthetic: 8x8 block grid strength (+1.50)")
                && words.contains("toward a camera photo: no demosaicing trace (-0.70)")
                && !words.contains("upsampling"),
            "{words}"
        );
        assert_eq!(
            decided(Some(0.8), Some(t)).verdict,
            Verdict::LikelySynthetic
        );
        assert_eq!(
            decided(Some(0.2), Some(t)).verdict,
            Verdict::LikelyAuthentic
        );
        assert_eq!(decided(Some(0.5), Some(t)).verdict, Verdict::Inconclusive);
        assert_eq!(decided(Some(0.95), None).verdict, Verdict::Inconclusive);
        assert_eq!(decided(None, Some(t)).verdict, Verdict::Inconclusive);
    }
}
