//! A decision's typed reasons in plain words: the report's `explanations`.
//! Numbers are rounded here, for reading, and nowhere before.

use crate::decide::{decide, Decision, Evidence, Reason, Undecided};
use crate::hashlist::{HashMatch, Kind};
use crate::model::Thresholds;
use crate::pixels;
use crate::provenance::Finding;
use crate::record::{kebab_name, FileReport};
use crate::sanitize::excerpt;

impl FileReport {
    /// Decides on the evidence gathered so far and records the decision
    /// and its words: the one place a report gets its verdict.
    pub fn conclude(&mut self, thresholds: Option<Thresholds>) {
        let evidence = self.evidence();
        let decision = decide(&evidence, thresholds);
        self.explanations = explanations(&decision, &evidence);
        self.verdict = decision.verdict;
        self.priority = decision.priority;
        self.flags = decision.flags.clone();
        self.decision = decision;
    }
}

/// The sentences of a decision, in its reasons' order (the pixel signals
/// give one sentence per measurement).
pub fn explanations(decision: &Decision, evidence: &Evidence<'_>) -> Vec<String> {
    decision
        .reasons
        .iter()
        .flat_map(|r| sentences(r, evidence))
        .collect()
}

/// The sentences of one reason.
fn sentences(reason: &Reason, evidence: &Evidence<'_>) -> Vec<String> {
    let one = match reason {
        Reason::DeclaredSynthetic { finding } => format!("Declared synthetic: {}.", describe(finding)),
        Reason::TrustedCapture { finding } => format!(
            "Verified capture: trusted Content Credentials, {}.",
            finding.excerpt
        ),
        Reason::CameraContradicted { finding, p } => format!(
            "Inconclusive: camera metadata ({}), but the pixels look synthetic (P(synthetic) {p:.2}); metadata can be copied onto any image.",
            describe(finding)
        ),
        Reason::CameraEvidence { finding } => {
            format!("Likely a camera photo: {}.", describe(finding))
        }
        Reason::PixelsSynthetic { p, thresholds } => {
            let [p, high, _] = apart(*p, thresholds);
            format!("Likely synthetic: the pixel model gives P(synthetic) {p}, at or above its likely-synthetic threshold {high}.")
        }
        Reason::NotACapture { p, thresholds, finding } => {
            let [p, ..] = apart(*p, thresholds);
            format!(
                "Inconclusive: the pixel model finds it camera-like (P(synthetic) {p}), but {}: not a camera photo by its own account.",
                describe(finding)
            )
        }
        Reason::PixelsAuthentic { p, thresholds } => {
            let [p, _, low] = apart(*p, thresholds);
            let share = thresholds.synthetic_below_authentic;
            let wrong = if share.is_finite() {
                format!(
                    " In the model's held-out validation, up to {:.1} % of synthetic images (the worst laundering condition or encoder) scored this low: this rests on pixel statistics alone, not on any declaration.",
                    100.0 * share
                )
            } else {
                String::new()
            };
            format!("Likely a camera photo: the pixel model gives P(synthetic) {p}, at or below its likely-authentic threshold {low}.{wrong}")
        }
        Reason::PixelsBetween { p, thresholds, why } => {
            let [p, high, low] = apart(*p, thresholds);
            format!(
                "Inconclusive: the pixel model gives P(synthetic) {p}, between its thresholds {low} and {high}; {}",
                undecided(*why)
            )
        }
        Reason::Undecided { why } => format!("Inconclusive: {}", undecided(*why)),
        Reason::AiEdited { finding } => format!("AI-edited: {}.", describe(finding)),
        Reason::LocalNoiseRegion { region } => format!(
            "A {}x{} px region at ({}, {}) has {:.0}% of the image's noise: consistent with a local edit (inpainting, face swap), but flat or strongly compressed areas do the same; weak evidence.",
            region.width,
            region.height,
            region.x,
            region.y,
            100.0 * region.noise_ratio
        ),
        Reason::HashlistMatch { matched } => hashlist_match(matched),
        Reason::ContentCredentials {
            state,
            signer,
            manifests,
            failure_codes,
        } => {
            let mut line = format!("Content Credentials: {}", kebab_name(state));
            if *manifests > 0 {
                let signer = signer.as_deref().unwrap_or("unknown signer");
                line.push_str(&format!(", signed by {}", excerpt(signer, 60)));
            }
            if !failure_codes.is_empty() {
                line.push_str(&format!(" (failures: {})", failure_codes.join(", ")));
            }
            line + "."
        }
        Reason::PixelSignals => {
            let jpeg = evidence.jpeg.is_some();
            return evidence
                .forensics
                .map(|p| p.sentences(jpeg).into_iter().map(|s| s + ".").collect())
                .unwrap_or_default();
        }
        Reason::PixelModel { p, contributions } => model_sentence(*p, contributions),
        Reason::Finding { finding } => {
            format!("{} `{}`: {}.", finding.source, finding.key, finding.excerpt)
        }
    };
    vec![one]
}

/// P and the likely-synthetic and likely-authentic thresholds, printed with
/// the fewest decimals (2 to 6) at which the values that differ print
/// differently.
fn apart(p: f64, t: &Thresholds) -> [String; 3] {
    let values = [p, t.likely_synthetic, t.likely_authentic];
    let d = (2..=6)
        .find(|&d| {
            let scale = 10f64.powi(d as i32);
            values.iter().enumerate().all(|(i, a)| {
                values[i + 1..]
                    .iter()
                    .all(|b| a == b || (a * scale).round() != (b * scale).round())
            })
        })
        .unwrap_or(6);
    values.map(|v| format!("{v:.d$}"))
}

/// One finding as a clause: "PNG tEXt `prompt` says "ComfyUI: {...}"".
fn describe(f: &Finding) -> String {
    format!("{} `{}` says \"{}\"", f.source, f.key, f.excerpt)
}

/// What the evidence lacks, as the end of a sentence.
fn undecided(why: Undecided) -> &'static str {
    match why {
        Undecided::ResavedCameraExif => "camera EXIF, but the JPEG was re-saved by software, so the EXIF may not belong to these pixels.",
        Undecided::SomeCameraEvidence => "some camera evidence, not enough to decide.",
        Undecided::NothingDeclared => "the file declares nothing about its origin (absence of metadata proves nothing).",
        Undecided::NoDecisiveDeclaration => "no decisive declaration in the file.",
    }
}

/// A known-file list match in words.
fn hashlist_match(m: &HashMatch) -> String {
    format!(
        "Matches known-file list {} ({}{}, {}).",
        excerpt(&m.list, 60),
        kebab_name(&m.kind),
        if m.kind == Kind::Pdq {
            format!(" distance {}", m.distance)
        } else {
            String::new()
        },
        if m.label.is_empty() {
            "no label".to_string()
        } else {
            format!("label \"{}\"", excerpt(&m.label, 80))
        }
    )
}

/// The pixel model's probability and its largest contributions, in words.
fn model_sentence(p: f64, contributions: &[(String, f64)]) -> String {
    let side = |toward_synthetic: bool| -> Vec<String> {
        contributions
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
    line + " (log-odds)."
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thresholds(high: f64, low: f64) -> Thresholds {
        Thresholds {
            likely_synthetic: high,
            likely_authentic: low,
            synthetic_below_authentic: 0.04,
        }
    }

    #[test]
    fn probabilities_and_thresholds_never_look_equal_when_they_differ() {
        assert_eq!(apart(0.1576, &thresholds(0.99, 0.156))[0], "0.158");
        assert_eq!(apart(0.5, &thresholds(0.99, 0.16))[0], "0.50");
        assert_eq!(apart(0.156, &thresholds(0.99, 0.156))[2], "0.16");
    }

    #[test]
    fn the_model_sentence_names_both_sides() {
        let mut r = FileReport::empty("x".into());
        r.synthetic_probability = Some(0.85);
        r.contributions = vec![
            ("block_grid".into(), 1.5),
            ("cfa_score missing".into(), -0.7),
            ("npr_ratio".into(), 0.01),
        ];
        let e = r.evidence();
        let words = explanations(&decide(&e, Some(thresholds(0.8, 0.2))), &e);
        assert!(words[0].contains("0.85"), "{words:?}");
        let last = words.last().unwrap();
        assert!(
            last.contains("toward synthetic: 8x8 block grid strength (+1.50)")
                && last.contains("toward a camera photo: no demosaicing trace (-0.70)")
                && !last.contains("upsampling"),
            "{last}"
        );
        let none = explanations(&decide(&e, None), &e);
        assert!(
            none[0].starts_with("Inconclusive: the file declares nothing"),
            "{none:?}"
        );
    }
}
