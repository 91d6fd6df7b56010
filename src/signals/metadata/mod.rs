//! Metadata signal: what the file declares about its origin in EXIF, XMP,
//! IPTC, PNG text chunks, generator parameters and stealth pixel payloads.
//!
//! Absence of metadata proves nothing (platforms strip it) and never counts
//! as evidence of AI generation.

// Byte parsers read untrusted input: no unchecked indexing.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod exif;
pub mod generators;
pub mod iptc;
pub mod png_text;
pub mod stealth;
pub mod xmp;

use image::DynamicImage;
use serde::{Deserialize, Serialize};

use crate::config::Limits;
use crate::container::{jpeg, Structure};
use crate::signals::{Finding, Meaning, Strength};
use exif::ExifSummary;
use generators::GeneratorParams;
use iptc::IptcSummary;
use png_text::TextEntry;

/// Everything the metadata signal found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetadataEvidence {
    /// EXIF fields, if the file has EXIF.
    pub exif: Option<ExifSummary>,
    /// Number of XMP packets read.
    pub xmp_packets: usize,
    /// IPTC digital source types declared in XMP (full URIs).
    pub digital_source_types: Vec<String>,
    /// XMP `xmp:CreatorTool`.
    pub creator_tool: Option<String>,
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
        Structure::Other => {}
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

/// The meaning of each IPTC digital source type code
/// (<https://cv.iptc.org/newscodes/digitalsourcetype/>), plus C2PA's
/// `trainedAlgorithmicData`; GenAI types as in the C2PA Conformance rubrics
/// (`$genai_dst_types`).
pub fn digital_source_meaning(uri: &str) -> Meaning {
    let code = uri.rsplit('/').next().unwrap_or(uri);
    match code {
        "trainedAlgorithmicMedia" | "trainedAlgorithmicData" => Meaning::AiGenerated,
        "compositeWithTrainedAlgorithmicMedia" | "compositeSynthetic" => Meaning::AiEdited,
        "digitalCapture"
        | "computationalCapture"
        | "negativeFilm"
        | "positiveFilm"
        | "print"
        | "compositeCapture" => Meaning::CameraCapture,
        "screenCapture" => Meaning::ScreenCapture,
        // Made by people or non-AI software, not by a camera, not by AI
        // (`algorithmicMedia` is procedural, "not based on sampled training
        // data").
        "algorithmicMedia" | "digitalCreation" | "digitalArt" | "dataDrivenMedia" => {
            Meaning::NonCapture
        }
        // Changed by people or non-AI software.
        "composite" | "minorHumanEdits" | "algorithmicallyEnhanced" | "humanEdits" => {
            Meaning::EditingSoftware
        }
        _ => Meaning::Context,
    }
}

fn interpret_xmp(props: &[xmp::Property], ev: &mut MetadataEvidence, texts: &mut Vec<TextEntry>) {
    for p in props {
        match p.name.as_str() {
            "Iptc4xmpExt:DigitalSourceType" if !ev.digital_source_types.contains(&p.value) => {
                ev.digital_source_types.push(p.value.clone());
                // An unsigned capture claim costs nothing to write: weak.
                let meaning = digital_source_meaning(&p.value);
                let strength = match meaning {
                    Meaning::CameraCapture => Strength::Weak,
                    _ => Strength::Declared,
                };
                ev.findings
                    .push(Finding::new("XMP", &p.name, &p.value, meaning, strength));
            }
            "xmp:CreatorTool" => {
                ev.creator_tool.get_or_insert_with(|| p.value.clone());
                texts.push(xmp_text(p));
            }
            "photoshop:Credit" => texts.push(xmp_text(p)),
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
fn camera_findings(e: &ExifSummary, findings: &mut Vec<Finding>) {
    let (Some(make), Some(model)) = (&e.make, &e.model) else {
        return;
    };
    if generators::generator_name(make).is_some() {
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
            && generators::generator_name(&t.value).is_none()
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
        assert_eq!(
            digital_source_meaning(&format!("{base}trainedAlgorithmicMedia")),
            Meaning::AiGenerated
        );
        assert_eq!(
            digital_source_meaning(&format!("{base}compositeWithTrainedAlgorithmicMedia")),
            Meaning::AiEdited
        );
        assert_eq!(
            digital_source_meaning(&format!("{base}digitalCapture")),
            Meaning::CameraCapture
        );
        assert_eq!(
            digital_source_meaning(&format!("{base}screenCapture")),
            Meaning::ScreenCapture
        );
        assert_eq!(
            digital_source_meaning(&format!("{base}algorithmicMedia")),
            Meaning::NonCapture
        );
        assert_eq!(
            digital_source_meaning(&format!("{base}humanEdits")),
            Meaning::EditingSoftware
        );
        assert_eq!(digital_source_meaning("garbage"), Meaning::Context);
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
