//! The report model (`FileReport`, stable `schema_version`) and the printers
//! that write it; printers never compute, analyzers never print.

pub mod evaluation;
pub mod html;
pub mod human;
pub mod jsonl;
pub mod summary;
pub mod vics;

use serde::{Deserialize, Serialize};

use crate::input::{Format, Hashes};
use crate::signals::content_credentials::C2paEvidence;
use crate::signals::jpeg_structure::JpegStructure;
use crate::signals::metadata::MetadataEvidence;
use crate::signals::pixels::PixelForensics;
use crate::signals::Outcome;

/// Version of the report schema; bumped when a field changes meaning or is
/// removed (adding fields does not bump it).
pub const SCHEMA_VERSION: u32 = 3;

/// The kebab-case name a unit enum has in reports (its serde name).
pub fn kebab_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The answer for one file. The strings are fixed: downstream tools rely on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The file itself declares AI generation (metadata or C2PA).
    DeclaredSynthetic,
    /// The evidence points to AI generation.
    LikelySynthetic,
    /// The evidence does not decide.
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

/// What decoding the pixels gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PixelSummary {
    /// Width in pixels (sensor grid: EXIF orientation not applied).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Colour type as decoded, e.g. "rgb8", "rgba16".
    pub color: String,
}

/// An error met while analysing a file: which stage, and what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageError {
    /// Stage: "read", "format", "decode", "metadata", "c2pa", "jpeg".
    pub stage: String,
    /// What went wrong, in plain words.
    pub message: String,
}

/// The full report for one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    /// Schema version of this record.
    pub schema_version: u32,
    /// The path as given (sanitize before showing on a terminal).
    pub path: String,
    /// Size in bytes.
    pub size: Option<u64>,
    /// Modification time in nanoseconds since the Unix epoch (null for
    /// bytes analysed from memory).
    pub modified_ns: Option<i64>,
    /// Digests of the bytes, if the file could be read.
    pub hashes: Option<Hashes>,
    /// PDQ perceptual hash of the pixels, if decoded (5×5 or larger).
    pub pdq: Option<crate::pdq::Pdq>,
    /// Entries of `--hashlist` files this file matches.
    pub hashlist_matches: Vec<crate::hashlist::HashMatch>,
    /// Format detected from magic bytes.
    pub format: Option<Format>,
    /// Width in pixels, if known.
    pub width: Option<u32>,
    /// Height in pixels, if known.
    pub height: Option<u32>,
    /// Pixel decoding.
    pub pixels: Outcome<PixelSummary>,
    /// Metadata signal.
    pub metadata: Outcome<MetadataEvidence>,
    /// Content Credentials signal.
    pub c2pa: Outcome<C2paEvidence>,
    /// JPEG structure signal.
    pub jpeg: Outcome<JpegStructure>,
    /// Pixel signals: spectrum, block grid, noise residual, NPR, demosaicing
    /// and local noise; their features feed the model.
    pub forensics: Outcome<PixelForensics>,
    /// Calibrated probability that the image is synthetic, from the pixel
    /// features (null when the pixels were not analysed).
    pub synthetic_probability: Option<f64>,
    /// The model's largest contributions to that probability (feature,
    /// log-odds), largest magnitude first.
    pub contributions: Vec<(String, f64)>,
    /// The verdict.
    pub verdict: Verdict,
    /// Triage priority: 1 = look first (likely real victims), 4 = last.
    pub priority: u8,
    /// Facts for filtering.
    pub flags: Vec<Flag>,
    /// Plain sentences, the deciding evidence first.
    pub explanations: Vec<String>,
    /// Errors met; the rest of the evidence is still reported.
    pub errors: Vec<StageError>,
}

impl FileReport {
    /// A report with no evidence yet (all signals not applicable).
    pub fn empty(path: String) -> Self {
        const NOT_REACHED: &str = "not reached";
        FileReport {
            schema_version: SCHEMA_VERSION,
            path,
            size: None,
            modified_ns: None,
            hashes: None,
            pdq: None,
            hashlist_matches: Vec::new(),
            format: None,
            width: None,
            height: None,
            pixels: Outcome::not_applicable(NOT_REACHED),
            metadata: Outcome::not_applicable(NOT_REACHED),
            c2pa: Outcome::not_applicable(NOT_REACHED),
            jpeg: Outcome::not_applicable(NOT_REACHED),
            forensics: Outcome::not_applicable(NOT_REACHED),
            synthetic_probability: None,
            contributions: Vec::new(),
            verdict: Verdict::Inconclusive,
            priority: 2,
            flags: Vec::new(),
            explanations: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Records an error of a stage.
    pub fn error(&mut self, stage: &str, message: impl Into<String>) {
        // One line: decoders end some messages with a newline, which would
        // break a CSV cell or a terminal line.
        let message: String = message.into();
        let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
        self.errors.push(StageError {
            stage: stage.to_string(),
            message: one_line,
        });
    }
}

/// Who made a scan's records and when, as the printers show it (one per
/// part of the journal: a resumed scan has several).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanInfo {
    /// `provenant <version>`.
    pub tool: String,
    /// The model's identity, if one was used.
    pub model: Option<String>,
    /// Start time, RFC 3339 UTC.
    pub started: String,
    /// The scanned roots.
    pub roots: Vec<String>,
    /// The command line.
    pub command_line: Vec<String>,
}
