//! JPEG structure signal: frame type, subsampling, marker layout, Huffman and
//! quantization tables, read without decoding. Standard IJG-scaled tables
//! (ITU T.81 Annex K scaled as libjpeg's `jpeg_set_quality`) are typical of
//! libraries, web re-saves and generator pipelines; cameras and Photoshop
//! use their own tables.

// Byte parsers read untrusted input: no unchecked indexing.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use serde::{Deserialize, Serialize};

use crate::container::jpeg::{self, Segment};
use crate::provenance::{Finding, Meaning, Strength};

/// One quantization table and how it compares to the IJG tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QuantTable {
    /// Table slot (0-3).
    pub id: u8,
    /// IJG quality (1-100) whose table is closest.
    pub ijg_quality: u8,
    /// Whether the table equals that IJG table exactly.
    pub ijg_exact: bool,
    /// Mean absolute difference to the closest IJG table.
    pub ijg_mean_abs_diff: f64,
}

/// The structure of a JPEG file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JpegStructure {
    /// Frame type: baseline, extended, progressive, lossless, other.
    pub frame: String,
    /// Number of colour components.
    pub components: u8,
    /// Chroma subsampling, e.g. "4:2:0", "4:4:4", "gray".
    pub subsampling: String,
    /// Restart interval in MCUs, if any.
    pub restart_interval: Option<u16>,
    /// Application segments in file order, e.g. "APP1 Exif".
    pub app_segments: Vec<String>,
    /// Number of comment (COM) segments.
    pub comments: usize,
    /// Huffman tables: "standard" (Annex K), "optimised", or "none".
    pub huffman: String,
    /// Quantization tables.
    pub quant_tables: Vec<QuantTable>,
    /// Quality estimated from the luminance table (IJG scale).
    pub estimated_quality: Option<u8>,
    /// All tables are exactly IJG-scaled at one quality.
    pub standard_ijg_tables: bool,
    /// EXIF names a camera but tables and layout look like a library re-save.
    pub camera_exif_on_resave: bool,
    /// Bytes after the end-of-image marker.
    pub trailing_bytes: usize,
    /// Observations that bear on the origin.
    pub findings: Vec<Finding>,
}

/// ITU T.81 Table K.1 (luminance), natural order.
const LUMA: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
    92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/// ITU T.81 Table K.2 (chrominance), natural order.
const CHROMA: [u16; 64] = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
    47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/// Zigzag index → natural (row-major) index.
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// Code-length counts (BITS) of the four Annex K.3 Huffman tables.
const STANDARD_HUFFMAN_BITS: [[u8; 16]; 4] = [
    [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
    [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
    [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
];

/// The IJG table for a base table at `quality` (libjpeg `jpeg_quality_scaling`
/// with baseline clamping), natural order.
pub(crate) fn ijg_table(base: &[u16; 64], quality: u8) -> [u16; 64] {
    let q = u32::from(quality.clamp(1, 100));
    let scale = if q < 50 { 5000 / q } else { 200 - 2 * q };
    base.map(|b| ((u32::from(b) * scale + 50) / 100).clamp(1, 255) as u16)
}

/// Finds the IJG quality whose table is closest to `table` (natural order).
fn closest_ijg(table: &[u16; 64], base: &[u16; 64]) -> (u8, f64) {
    (1..=100u8)
        .map(|q| {
            let t = ijg_table(base, q);
            let diff: u32 = t
                .iter()
                .zip(table)
                .map(|(a, b)| u32::from(a.abs_diff(*b)))
                .sum();
            (q, f64::from(diff) / 64.0)
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((0, f64::INFINITY))
}

/// Analyses the structure of a JPEG from its marker segments. `exif_make` is
/// the camera maker EXIF declares, if any.
pub fn analyze(segs: &jpeg::Segments<'_>, exif_make: Option<&str>) -> JpegStructure {
    let mut s = JpegStructure {
        frame: "unknown".into(),
        components: 0,
        subsampling: "unknown".into(),
        restart_interval: None,
        app_segments: Vec::new(),
        comments: 0,
        huffman: "none".into(),
        quant_tables: Vec::new(),
        estimated_quality: None,
        standard_ijg_tables: false,
        camera_exif_on_resave: false,
        trailing_bytes: segs.trailing_bytes,
        findings: Vec::new(),
    };
    let mut huffman_seen = (false, true); // (any table, all standard)
    for seg in &segs.segments {
        match seg.marker {
            0xC0..=0xCF if !matches!(seg.marker, 0xC4 | 0xC8 | 0xCC) => read_frame(seg, &mut s),
            0xC4 => {
                for bits in huffman_bits(seg.data) {
                    huffman_seen.0 = true;
                    huffman_seen.1 &= STANDARD_HUFFMAN_BITS.contains(&bits);
                }
            }
            0xDB => s.quant_tables.extend(read_dqt(seg.data)),
            0xDD => s.restart_interval = crate::container::be16(seg.data, 0).filter(|&r| r > 0),
            0xE0..=0xEF => s.app_segments.push(app_name(seg)),
            0xFE => s.comments += 1,
            _ => {}
        }
    }
    s.huffman = match huffman_seen {
        (false, _) => "none",
        (true, true) => "standard",
        (true, false) => "optimised",
    }
    .into();
    s.estimated_quality = s
        .quant_tables
        .iter()
        .find(|t| t.id == 0)
        .map(|t| t.ijg_quality);
    s.standard_ijg_tables = !s.quant_tables.is_empty()
        && s.quant_tables.iter().all(|t| t.ijg_exact)
        && s.quant_tables
            .windows(2)
            .all(|w| w.first().map(|t| t.ijg_quality) == w.last().map(|t| t.ijg_quality));
    interpret(&mut s, exif_make);
    s
}

fn read_frame(seg: &Segment<'_>, s: &mut JpegStructure) {
    s.frame = match seg.marker {
        0xC0 => "baseline",
        0xC1 => "extended",
        0xC2 | 0xC6 | 0xCA | 0xCE => "progressive",
        0xC3 | 0xC7 | 0xCB | 0xCF => "lossless",
        _ => "other",
    }
    .into();
    let d = seg.data;
    let Some(&n) = d.get(5) else { return };
    s.components = n;
    let factors: Vec<(u8, u8)> = (0..usize::from(n))
        .filter_map(|i| d.get(6 + 3 * i + 1).map(|&f| (f >> 4, f & 0x0F)))
        .collect();
    s.subsampling = match factors.as_slice() {
        [_] => "gray".into(),
        [(h0, v0), rest @ ..] if rest.iter().all(|&(h, v)| h == 1 && v == 1) => match (h0, v0) {
            (1, 1) => "4:4:4",
            (2, 1) => "4:2:2",
            (2, 2) => "4:2:0",
            (1, 2) => "4:4:0",
            (4, 1) => "4:1:1",
            _ => "other",
        }
        .into(),
        _ => "other".into(),
    };
}

/// BITS arrays of every table in a DHT segment.
fn huffman_bits(mut d: &[u8]) -> Vec<[u8; 16]> {
    let mut out = Vec::new();
    while let Some(slice) = d.get(1..17) {
        let mut bits = [0u8; 16];
        bits.copy_from_slice(slice);
        let n: usize = bits.iter().map(|&b| usize::from(b)).sum();
        out.push(bits);
        let Some(rest) = d.get(17 + n..) else { break };
        d = rest;
    }
    out
}

fn read_dqt(mut d: &[u8]) -> Vec<QuantTable> {
    let mut out = Vec::new();
    while let Some(&pq_tq) = d.first() {
        let (precision16, id) = (pq_tq >> 4 == 1, pq_tq & 0x0F);
        let size = if precision16 { 128 } else { 64 };
        let Some(values) = d.get(1..1 + size) else {
            break;
        };
        let mut natural = [0u16; 64];
        let zigzag: Vec<u16> = if precision16 {
            values
                .as_chunks::<2>()
                .0
                .iter()
                .map(|&pair| u16::from_be_bytes(pair))
                .collect()
        } else {
            values.iter().map(|&v| u16::from(v)).collect()
        };
        for (&pos, v) in ZIGZAG.iter().zip(zigzag) {
            if let Some(slot) = natural.get_mut(pos) {
                *slot = v;
            }
        }
        let base = if id == 0 { &LUMA } else { &CHROMA };
        let (q, diff) = closest_ijg(&natural, base);
        out.push(QuantTable {
            id,
            ijg_quality: q,
            ijg_exact: diff == 0.0,
            ijg_mean_abs_diff: (diff * 100.0).round() / 100.0,
        });
        d = d.get(1 + size..).unwrap_or_default();
    }
    out
}

fn app_name(seg: &Segment<'_>) -> String {
    let n = seg.marker - 0xE0;
    let sig: String = seg
        .data
        .iter()
        .take(12)
        .take_while(|&&b| b != 0 && b.is_ascii_graphic() || b == b' ')
        .map(|&b| b as char)
        .collect();
    let sig = if sig.starts_with("http://ns.adobe.com/xap") {
        "XMP".to_string()
    } else if sig.starts_with("http://ns.adobe.com/xmp/ext") {
        "XMP extension".to_string()
    } else {
        sig.trim().to_string()
    };
    format!("APP{n} {sig}").trim().to_string()
}

fn interpret(s: &mut JpegStructure, exif_make: Option<&str>) {
    let Some(q) = s.estimated_quality else { return };
    if s.standard_ijg_tables {
        s.findings.push(Finding::new(
            "JPEG tables",
            "DQT",
            &format!("standard IJG tables at quality {q}: typical of software encoders (libraries, web re-saves, generator pipelines)"),
            Meaning::EditingSoftware,
            Strength::Weak,
        ));
    } else {
        s.findings.push(Finding::new(
            "JPEG tables",
            "DQT",
            &format!(
                "non-standard tables (closest IJG quality {q}): typical of cameras and Photoshop"
            ),
            Meaning::CameraCapture,
            Strength::Weak,
        ));
    }
    // A camera writes EXIF first (APP1), not a JFIF header, and its own tables.
    let jfif_first = s
        .app_segments
        .first()
        .is_some_and(|a| a.starts_with("APP0 JFIF"));
    if let Some(make) = exif_make {
        if s.standard_ijg_tables && (jfif_first || s.huffman == "optimised") {
            s.camera_exif_on_resave = true;
            s.findings.push(Finding::new(
                "JPEG tables",
                "layout",
                &format!(
                    "EXIF names a {make} camera but the file has standard IJG tables (quality {q}){}: re-saved by software after capture",
                    if jfif_first { " and a JFIF header first" } else { " and optimised Huffman tables" }
                ),
                Meaning::EditingSoftware,
                Strength::Strong,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dqt_segment(quality: u8) -> Vec<u8> {
        let mut v = Vec::new();
        for (id, base) in [(0u8, &LUMA), (1, &CHROMA)] {
            v.push(id);
            let t = ijg_table(base, quality);
            v.extend(ZIGZAG.iter().map(|&pos| t[pos] as u8));
        }
        v
    }

    #[test]
    fn recognises_ijg_tables_at_every_quality() {
        for q in [10u8, 50, 75, 90, 95, 100] {
            let tables = read_dqt(&dqt_segment(q));
            assert_eq!(tables.len(), 2);
            assert!(tables.iter().all(|t| t.ijg_exact), "q={q}");
            assert_eq!(tables[0].ijg_quality, q);
        }
    }

    #[test]
    fn ijg_quality_50_is_the_annex_k_table() {
        assert_eq!(ijg_table(&LUMA, 50), LUMA);
        assert_eq!(ijg_table(&LUMA, 100), [1; 64]);
    }

    #[test]
    fn perturbed_tables_are_not_exact() {
        let mut seg = dqt_segment(90);
        seg[10] += 3;
        let tables = read_dqt(&seg);
        assert!(!tables[0].ijg_exact);
        assert_eq!(tables[0].ijg_quality, 90);
    }

    #[test]
    fn truncated_dqt_does_not_panic() {
        assert!(read_dqt(&[0, 1, 2]).is_empty());
        assert!(huffman_bits(&[0; 5]).is_empty());
    }
}
