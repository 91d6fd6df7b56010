//! Metadata signal: what the file declares about its origin in EXIF, XMP,
//! IPTC, PNG text chunks, generator parameters and stealth pixel payloads.
//!
//! Absence of metadata proves nothing (platforms strip it) and never counts
//! as evidence of AI generation.

// Byte parsers read untrusted input: no unchecked indexing.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub(crate) mod ai_services;
pub mod exif;
pub mod generators;
pub mod iptc;
pub mod png_text;
pub mod stealth;
pub mod xmp;

use image::DynamicImage;
use serde::{Deserialize, Serialize};

use crate::container::{jpeg, Structure};
use crate::limits::Limits;
use crate::provenance::{Finding, Meaning, Strength};
use exif::ExifSummary;
use generators::GeneratorParams;
use iptc::IptcSummary;
use png_text::TextEntry;

/// Everything the metadata signal found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MetadataEvidence {
    /// EXIF fields, if the file has EXIF.
    pub exif: Option<ExifSummary>,
    /// Number of XMP packets read.
    pub xmp_packets: usize,
    /// IPTC digital source types declared in XMP (full URIs).
    pub digital_source_types: Vec<String>,
    /// XMP `xmp:CreatorTool`.
    pub creator_tool: Option<String>,
    /// XMP `tiff:Software`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xmp_software: Option<String>,
    /// The encoder a HEIF/AVIF file names in its `meta` handler (exiftool's
    /// HandlerDescription), e.g. "libavif".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heif_handler: Option<String>,
    /// XMP `dcterms:provenance` (points to a C2PA manifest).
    pub provenance_reference: Option<String>,
    /// Software agents in the XMP history.
    pub history_agents: Vec<String>,
    /// IPTC IIM fields, if present.
    pub iptc: Option<IptcSummary>,
    /// Text chunk keys present (PNG tEXt/zTXt/iTXt, JPEG COM).
    pub text_keys: Vec<String>,
    /// Parsed generator parameters, if a generator payload was recognised.
    pub generator: Option<GeneratorParams>,
    /// Every observation that bears on the origin.
    pub findings: Vec<Finding>,
}

/// Reads the metadata of a file. `image` is the decoded image when pixels
/// were decoded (needed for the stealth payload). Problems met on the way
/// (corrupt EXIF, malformed XMP, text bombs) are returned as messages; the
/// evidence gathered before them is kept.
pub fn analyze(
    bytes: &[u8],
    structure: &Structure<'_>,
    image: Option<&DynamicImage>,
    limits: &Limits,
) -> (MetadataEvidence, Vec<String>) {
    let mut ev = MetadataEvidence::default();
    let mut problems = Vec::new();
    let mut texts: Vec<TextEntry> = Vec::new();
    let mut xmp_packets: Vec<String> = Vec::new();
    let mut xmp_ranges: Vec<(usize, usize)> = Vec::new();

    match structure {
        Structure::Jpeg(segs) => read_jpeg(
            segs,
            limits,
            &mut ev,
            &mut texts,
            &mut xmp_packets,
            &mut xmp_ranges,
        ),
        Structure::Png(chunks) => {
            for c in &chunks.items {
                match png_text::decode(c, limits.max_text_chunk) {
                    Ok(Some(t)) if t.key == "XML:com.adobe.xmp" => xmp_packets.push(t.value),
                    Ok(Some(t)) => texts.push(t),
                    Ok(None) => {}
                    Err(e) => problems.push(format!("PNG text chunk: {e}")),
                }
            }
        }
        Structure::Webp(chunks) => {
            for c in chunks.items.iter().filter(|c| &c.kind == b"XMP ") {
                xmp_packets.push(String::from_utf8_lossy(c.data).into_owned());
                xmp_ranges.push((c.offset, c.offset + c.data.len()));
            }
        }
        Structure::Other => {
            if bytes.get(4..8) == Some(b"ftyp") {
                ev.heif_handler = crate::container::bmff::handler_name(bytes);
            }
        }
    }

    let (exif, exif_problem) = exif::read(bytes, limits.max_exif_entries);
    problems.extend(exif_problem);
    if let Some(e) = &exif {
        let fields = [
            ("Software", &e.software),
            ("UserComment", &e.user_comment),
            ("ImageDescription", &e.image_description),
            ("Artist", &e.artist),
            ("Make", &e.make),
            ("MakerNote", &e.maker_note_text),
            ("XPComment", &e.xp_comment),
        ];
        for (key, value) in fields {
            if let Some(v) = value {
                texts.push(TextEntry {
                    source: "EXIF",
                    key: key.into(),
                    value: v.clone(),
                });
            }
        }
        camera_findings(e, &mut ev.findings);
    }
    ev.exif = exif;

    for (_, packet) in xmp::scan_raw(bytes, &xmp_ranges, limits) {
        if xmp_packets.len() < limits.max_xmp_packets {
            xmp_packets.push(packet);
        }
    }
    ev.xmp_packets = xmp_packets.len();
    for packet in &xmp_packets {
        let (props, problem) = xmp::parse(packet, limits);
        problems.extend(problem);
        interpret_xmp(&props, &mut ev, &mut texts);
    }

    // A lossy JPEG cannot carry a pixel LSB payload.
    if let Some(img) = image.filter(|_| !matches!(structure, Structure::Jpeg(_))) {
        match stealth::read(img, limits.max_text_chunk) {
            Ok(found) => texts.extend(found),
            Err(e) => problems.push(format!("stealth payload: {e}")),
        }
    }

    if let Some(iptc) = &ev.iptc {
        for (key, value) in [
            ("Credit", &iptc.credit),
            ("OriginatingProgram", &iptc.originating_program),
        ] {
            if let Some(v) = value {
                texts.push(TextEntry {
                    source: "IPTC",
                    key: key.into(),
                    value: v.clone(),
                });
            }
        }
    }

    ev.text_keys = texts
        .iter()
        .filter(|t| t.source.starts_with("PNG") || t.source == "JPEG COM")
        .map(|t| t.key.clone())
        .collect();
    let (generator, findings) = generators::recognise(&texts);
    ev.generator = generator;
    ev.findings.extend(findings);
    editing_findings(&texts, &mut ev.findings);
    (ev, problems)
}

/// JPEG: EXIF is read by kamadak-exif; here XMP (standard and extended),
/// IPTC (APP13) and comments.
fn read_jpeg(
    segs: &jpeg::Segments<'_>,
    limits: &Limits,
    ev: &mut MetadataEvidence,
    texts: &mut Vec<TextEntry>,
    xmp_packets: &mut Vec<String>,
    xmp_ranges: &mut Vec<(usize, usize)>,
) {
    const XMP_SIG: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
    const EXT_SIG: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";
    for (seg, payload) in jpeg::app_payloads(segs, 0xE1, XMP_SIG) {
        xmp_packets.push(String::from_utf8_lossy(payload).into_owned());
        xmp_ranges.push((seg.offset, seg.offset + seg.data.len() + 4));
    }
    let mut extension_chunks = Vec::new();
    for (seg, payload) in jpeg::app_payloads(segs, 0xE1, EXT_SIG) {
        xmp_ranges.push((seg.offset, seg.offset + seg.data.len() + 4));
        extension_chunks.push(payload);
    }
    xmp_packets.extend(assemble_extended_xmp(
        extension_chunks.into_iter(),
        limits.max_xmp_bytes,
    ));
    if let Some((_, ps)) = jpeg::app_payloads(segs, 0xED, b"Photoshop 3.0\0").next() {
        if let Some(iim) = iptc::iim_from_photoshop(ps) {
            ev.iptc = Some(iptc::parse(iim));
        }
    }
    for seg in segs.segments.iter().filter(|s| s.marker == 0xFE) {
        texts.push(TextEntry {
            source: "JPEG COM",
            key: "Comment".into(),
            value: String::from_utf8_lossy(seg.data).into_owned(),
        });
    }
}

/// Extended XMP (XMP Specification Part 3, §1.1.3.1): chunks carry a GUID,
/// the full length and an offset; reassembled per GUID within the limit.
fn assemble_extended_xmp<'a>(chunks: impl Iterator<Item = &'a [u8]>, max: usize) -> Vec<String> {
    let mut parts: Vec<(&[u8], usize, Vec<u8>)> = Vec::new();
    for c in chunks {
        let (Some(guid), Some(total), Some(offset), Some(data)) = (
            c.get(..32),
            crate::container::be32(c, 32),
            crate::container::be32(c, 36),
            c.get(40..),
        ) else {
            continue;
        };
        let (total, offset) = (total as usize, offset as usize);
        if total > max || offset.saturating_add(data.len()) > total {
            continue;
        }
        if !parts.iter().any(|(g, _, _)| *g == guid) {
            parts.push((guid, total, vec![b' '; total]));
        }
        let Some((_, len, buf)) = parts.iter_mut().find(|(g, _, _)| *g == guid) else {
            continue;
        };
        if let Some(slot) = buf
            .get_mut(offset..offset + data.len())
            .filter(|_| *len == total)
        {
            slot.copy_from_slice(data);
        }
    }
    parts
        .into_iter()
        .map(|(_, _, buf)| String::from_utf8_lossy(&buf).into_owned())
        .collect()
}

/// What a digital source type says, and whether it was written exactly as
/// the standard spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DigitalSource {
    /// Its meaning for the verdict.
    pub meaning: Meaning,
    /// False when the code was recognised only after trimming and
    /// case-folding (a non-conforming writer): a capture claim written so
    /// is weak evidence.
    pub exact: bool,
}

/// The meaning of each IPTC digital source type code
/// (<https://cv.iptc.org/newscodes/digitalsourcetype/>), plus C2PA's
/// `trainedAlgorithmicData` and c2pa-rs's `empty` placeholder; GenAI types
/// as in the C2PA Conformance rubrics (`$genai_dst_types`). The code is the
/// last path segment of the URI, trimmed and case-folded. The table is in
/// docs/METHOD.md; only the capture codes can support a camera verdict.
pub(crate) fn digital_source(uri: &str) -> DigitalSource {
    let trimmed = uri.trim();
    let code = trimmed.rsplit('/').next().unwrap_or(trimmed);
    const CODES: &[(&str, Meaning)] = &[
        ("trainedAlgorithmicMedia", Meaning::AiGenerated),
        ("trainedAlgorithmicData", Meaning::AiGenerated),
        ("compositeWithTrainedAlgorithmicMedia", Meaning::AiEdited),
        ("compositeSynthetic", Meaning::AiEdited),
        ("digitalCapture", Meaning::CameraCapture),
        ("computationalCapture", Meaning::CameraCapture),
        ("negativeFilm", Meaning::CameraCapture),
        ("positiveFilm", Meaning::CameraCapture),
        ("print", Meaning::CameraCapture),
        ("compositeCapture", Meaning::CameraCapture),
        ("screenCapture", Meaning::ScreenCapture),
        // Made without a camera and without trained AI: procedural
        // (`algorithmicMedia` is "not based on sampled training data"),
        // drawn, recorded from a virtual scene, or a data rendering.
        ("algorithmicMedia", Meaning::NonCapture),
        ("digitalCreation", Meaning::NonCapture),
        ("digitalArt", Meaning::NonCapture),
        ("virtualRecording", Meaning::NonCapture),
        ("dataDrivenMedia", Meaning::NonCapture),
        // Changed by people or by non-AI software.
        ("composite", Meaning::EditingSoftware),
        ("minorHumanEdits", Meaning::EditingSoftware),
        ("humanEdits", Meaning::EditingSoftware),
        ("algorithmicallyEnhanced", Meaning::EditingSoftware),
        // c2pa-rs's placeholder when no type was given.
        ("empty", Meaning::Context),
    ];
    let found = CODES.iter().find(|(c, _)| c.eq_ignore_ascii_case(code));
    match found {
        Some((c, meaning)) => DigitalSource {
            meaning: *meaning,
            exact: *c == code && trimmed == uri,
        },
        None => DigitalSource {
            meaning: Meaning::Context,
            exact: false,
        },
    }
}

/// The strength of a declared digital source type: an unsigned (or
/// misspelled) capture claim costs nothing to write, so it is weak;
/// every other declaration is declared.
pub(crate) fn declared_strength(source: DigitalSource, signed_capture: Strength) -> Strength {
    match source.meaning {
        Meaning::CameraCapture if source.exact => signed_capture,
        Meaning::CameraCapture => Strength::Weak,
        _ => Strength::Declared,
    }
}

fn interpret_xmp(props: &[xmp::Property], ev: &mut MetadataEvidence, texts: &mut Vec<TextEntry>) {
    for p in props {
        match p.name.as_str() {
            "Iptc4xmpExt:DigitalSourceType" if !ev.digital_source_types.contains(&p.value) => {
                ev.digital_source_types.push(p.value.clone());
                let source = digital_source(&p.value);
                let strength = declared_strength(source, Strength::Weak);
                ev.findings.push(Finding::new(
                    "XMP",
                    &p.name,
                    &p.value,
                    source.meaning,
                    strength,
                ));
            }
            "xmp:CreatorTool" => {
                ev.creator_tool.get_or_insert_with(|| p.value.clone());
                texts.push(xmp_text(p));
            }
            "photoshop:Credit" => texts.push(xmp_text(p)),
            "tiff:Software" | "xmp:Software" => {
                ev.xmp_software.get_or_insert_with(|| p.value.clone());
                texts.push(xmp_text(p));
            }
            "dcterms:provenance" => {
                ev.provenance_reference
                    .get_or_insert_with(|| p.value.clone());
            }
            "stEvt:softwareAgent"
                if ev.history_agents.len() < 32 && !ev.history_agents.contains(&p.value) =>
            {
                ev.history_agents.push(p.value.clone());
                texts.push(xmp_text(p));
            }
            _ => {}
        }
    }
}

fn xmp_text(p: &xmp::Property) -> TextEntry {
    TextEntry {
        source: "XMP",
        key: p.name.clone(),
        value: p.value.clone(),
    }
}

/// Camera EXIF: strong when make, model, exposure settings and a capture
/// date are all present (generators do not write them), weak otherwise.
/// A declared composite (CompositeImage 2 or 3: phones' computational
/// photos, in-camera HDR or panoramas) is context: still a capture.
fn camera_findings(e: &ExifSummary, findings: &mut Vec<Finding>) {
    if let Some(kind @ (2 | 3)) = e.composite_image {
        let what = if kind == 2 {
            "general composite image (several captures merged, as phones' computational photos are)"
        } else {
            "composite image captured while shooting (in-camera HDR or panorama)"
        };
        findings.push(Finding::new(
            "EXIF",
            "CompositeImage",
            what,
            Meaning::Context,
            Strength::Weak,
        ));
    }
    let (Some(make), Some(model)) = (&e.make, &e.model) else {
        return;
    };
    if ai_services::find(make, ai_services::Field::Software).is_some() {
        return;
    }
    let strength = if e.has_camera_fields() {
        Strength::Strong
    } else {
        Strength::Weak
    };
    let mut value = format!("{make} {model}");
    if let Some(t) = &e.date_time_original {
        value.push_str(&format!(", taken {t}"));
    }
    if e.maker_note_bytes.is_some() {
        value.push_str(", maker note present");
    }
    findings.push(Finding::new(
        "EXIF",
        "Make/Model",
        &value,
        Meaning::CameraCapture,
        strength,
    ));
}

/// Known editing software in Software/CreatorTool/history (context: the
/// file was re-saved, which removes sensor traces).
fn editing_findings(texts: &[TextEntry], findings: &mut Vec<Finding>) {
    const EDITORS: &[&str] = &[
        "photoshop",
        "lightroom",
        "gimp",
        "affinity",
        "snapseed",
        "picasa",
        "paint.net",
        "imagemagick",
        "capture one",
        "darktable",
        "pixelmator",
        "canva",
        "facetune",
    ];
    for t in texts {
        let software_field = matches!(
            t.key.as_str(),
            "Software" | "xmp:CreatorTool" | "stEvt:softwareAgent" | "OriginatingProgram"
        );
        let lower = t.value.to_lowercase();
        if software_field
            && ai_services::find(&t.value, ai_services::Field::Software).is_none()
            && EDITORS.iter().any(|e| lower.contains(e))
            && !findings
                .iter()
                .any(|f| f.meaning == Meaning::EditingSoftware && f.key == t.key)
        {
            findings.push(Finding::new(
                t.source,
                &t.key,
                &t.value,
                Meaning::EditingSoftware,
                Strength::Weak,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digital_source_types_map_to_meanings() {
        let base = "http://cv.iptc.org/newscodes/digitalsourcetype/";
        let meaning = |code: &str| digital_source(&format!("{base}{code}")).meaning;
        assert_eq!(meaning("trainedAlgorithmicMedia"), Meaning::AiGenerated);
        assert_eq!(
            meaning("compositeWithTrainedAlgorithmicMedia"),
            Meaning::AiEdited
        );
        assert_eq!(meaning("digitalCapture"), Meaning::CameraCapture);
        assert_eq!(meaning("screenCapture"), Meaning::ScreenCapture);
        for never_a_camera in [
            "algorithmicMedia",
            "digitalCreation",
            "digitalArt",
            "virtualRecording",
            "dataDrivenMedia",
        ] {
            assert_eq!(
                meaning(never_a_camera),
                Meaning::NonCapture,
                "{never_a_camera}"
            );
        }
        assert_eq!(meaning("humanEdits"), Meaning::EditingSoftware);
        assert_eq!(meaning("empty"), Meaning::Context);
        assert_eq!(digital_source("garbage").meaning, Meaning::Context);
        // Trimmed and case-folded, but a capture claim spelled so is weak.
        let spaced = digital_source(&format!(" {base}digitalCapture"));
        assert_eq!(spaced.meaning, Meaning::CameraCapture);
        assert!(!spaced.exact);
        assert_eq!(declared_strength(spaced, Strength::Strong), Strength::Weak);
        let shouted = digital_source(&format!("{base}TRAINEDALGORITHMICMEDIA"));
        assert_eq!(shouted.meaning, Meaning::AiGenerated);
        assert_eq!(
            declared_strength(shouted, Strength::Weak),
            Strength::Declared
        );
    }

    #[test]
    fn extended_xmp_is_reassembled() {
        let guid = [b'A'; 32];
        let mk = |offset: u32, data: &[u8]| {
            let mut c = guid.to_vec();
            c.extend_from_slice(&6u32.to_be_bytes());
            c.extend_from_slice(&offset.to_be_bytes());
            c.extend_from_slice(data);
            c
        };
        let (a, b) = (mk(3, b"def"), mk(0, b"abc"));
        let out = assemble_extended_xmp([&a[..], &b[..]].into_iter(), 100);
        assert_eq!(out, vec!["abcdef".to_string()]);
        let bad = mk(5, b"toolong");
        assert_eq!(
            assemble_extended_xmp([&bad[..]].into_iter(), 100),
            vec![] as Vec<String>
        );
    }
}
