//! The record of one file (`FileReport`, stable `schema_version`): the
//! evidence of every signal, the decision and its words, the errors. What
//! analysis fills and every printer reads ([`crate::report`]).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::decide::{Decision, Evidence};
use crate::decide::{Flag, Verdict};
use crate::input::{Format, Hashes};
use crate::outcome::Outcome;
use crate::pixels::PixelForensics;
use crate::provenance::content_credentials::C2paEvidence;
use crate::provenance::jpeg_structure::JpegStructure;
use crate::provenance::metadata::MetadataEvidence;

/// Version of the report schema; bumped when a field changes meaning or is
/// removed (adding fields does not bump it).
pub const SCHEMA_VERSION: u32 = 4;

/// The kebab-case name a unit enum has in reports (its serde name).
pub(crate) fn kebab_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// What decoding the pixels gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PixelSummary {
    /// Width in pixels (sensor grid: EXIF orientation not applied).
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Colour type as decoded, e.g. "rgb8", "rgba16".
    pub color: String,
}

/// The stage of the analysis an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Stage {
    /// Reading the file.
    Read,
    /// Detecting the format.
    Format,
    /// Decoding the pixels.
    Decode,
    /// Parsing the container's structure.
    Container,
    /// Reading metadata.
    Metadata,
    /// Validating Content Credentials.
    C2pa,
    /// The per-file time limit.
    Time,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&kebab_name(self))
    }
}

/// An error met while analysing a file: which stage, and what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StageError {
    /// The stage.
    pub stage: Stage,
    /// What went wrong, in plain words.
    pub message: String,
}

/// The full report for one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// features (null when the pixels were not analysed); full precision
    /// in memory, 4 decimals when serialised.
    #[serde(serialize_with = "crate::rounding::four")]
    pub synthetic_probability: Option<f64>,
    /// The model's largest contributions to that probability (feature
    /// family, log-odds), largest magnitude first; 3 decimals when
    /// serialised.
    #[serde(serialize_with = "round_contributions")]
    pub contributions: Vec<(String, f64)>,
    /// The verdict.
    pub verdict: Verdict,
    /// Triage priority: 1 = look first (likely real victims), 4 = last.
    pub priority: u8,
    /// Facts for filtering.
    pub flags: Vec<Flag>,
    /// Plain sentences, the deciding evidence first: `decision`'s reasons
    /// in words.
    pub explanations: Vec<String>,
    /// The rule that decided and the typed reasons (schema 4).
    #[serde(default)]
    pub decision: Decision,
    /// Errors met; the rest of the evidence is still reported.
    pub errors: Vec<StageError>,
}

impl FileReport {
    /// The file's identity for de-duplication, `--resume` and thumbnails.
    pub fn key(&self) -> FileKey {
        file_key(&self.path, self.size, self.modified_ns)
    }

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
            decision: Decision::default(),
            errors: Vec::new(),
        }
    }

    /// The evidence the report holds, as the decision reads it.
    pub fn evidence(&self) -> Evidence<'_> {
        Evidence {
            metadata: self.metadata.evidence(),
            c2pa: self.c2pa.evidence(),
            jpeg: self.jpeg.evidence(),
            forensics: self.forensics.evidence(),
            pixels_decoded: self.pixels.evidence().is_some(),
            synthetic_probability: self.synthetic_probability,
            contributions: &self.contributions,
            hashlist_matches: &self.hashlist_matches,
        }
    }

    /// Records an error of a stage.
    pub fn error(&mut self, stage: Stage, message: impl Into<String>) {
        // One line: decoders end some messages with a newline, which would
        // break a CSV cell or a terminal line.
        let message: String = message.into();
        let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
        self.errors.push(StageError {
            stage,
            message: one_line,
        });
    }
}

/// What the triage order, the totals and de-duplication need of a file
/// record (the rest of the line is skipped, not parsed).
#[derive(Debug, Deserialize)]
#[non_exhaustive]
pub struct Brief {
    /// The path as recorded.
    pub path: String,
    /// Size in bytes.
    pub size: Option<u64>,
    /// Modification time in nanoseconds.
    pub modified_ns: Option<i64>,
    /// The verdict.
    pub verdict: Verdict,
    /// Triage priority.
    pub priority: u8,
    /// P(synthetic), as serialised.
    pub synthetic_probability: Option<f64>,
    /// Facts for filtering.
    pub flags: Vec<Flag>,
    /// The stages of the errors met.
    pub errors: Vec<BriefError>,
}

/// The stage of an error, as [`Brief`] reads it.
#[derive(Debug, Deserialize)]
#[non_exhaustive]
pub struct BriefError {
    /// The stage.
    pub stage: Stage,
}

impl Brief {
    /// The file's identity for de-duplication and `--resume`.
    pub fn key(&self) -> FileKey {
        file_key(&self.path, self.size, self.modified_ns)
    }
}

/// A file's identity (path, size, modification time) as 128 bits of its
/// SHA-256: what `--resume` and merging keep per file, whatever the path's
/// length.
pub(crate) type FileKey = [u8; 16];

/// The [`FileKey`] of a path, size and modification time.
pub(crate) fn file_key(path: &str, size: Option<u64>, modified_ns: Option<i64>) -> FileKey {
    let mut h = Sha256::new();
    h.update((path.len() as u64).to_le_bytes());
    h.update(path.as_bytes());
    for field in [
        size.map(u64::to_le_bytes),
        modified_ns.map(i64::to_le_bytes),
    ] {
        match field {
            Some(bytes) => {
                h.update([1]);
                h.update(bytes);
            }
            None => h.update([0]),
        }
    }
    let mut key = [0; 16];
    for (k, d) in key.iter_mut().zip(h.finalize()) {
        *k = d;
    }
    key
}

fn round_contributions<S: serde::Serializer>(
    terms: &[(String, f64)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(
        terms
            .iter()
            .map(|(name, c)| (name, crate::rounding::to_f64(*c, 3))),
    )
}
