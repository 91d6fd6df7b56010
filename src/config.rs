//! Run configuration: limits and trust settings, recorded in reports.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Resource limits applied to every file. Hostile files must be refused
/// quickly, not allowed to allocate without bound.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Limits {
    /// Largest file read, in bytes. Default 512 MiB.
    pub max_file_bytes: u64,
    /// Largest width or height decoded, in pixels. Default 65 535.
    pub max_dimension: u32,
    /// Largest decoder allocation, in bytes. Default 1 GiB.
    pub max_decode_alloc: u64,
    /// Largest decompressed PNG text chunk (zTXt/iTXt), in bytes. Default 8 MiB.
    pub max_text_chunk: usize,
    /// Largest XMP packet parsed, in bytes. Default 4 MiB.
    pub max_xmp_bytes: usize,
    /// Deepest XML nesting accepted in XMP. Default 64.
    pub max_xmp_depth: usize,
    /// Most XMP packets read from one file. Default 16.
    pub max_xmp_packets: usize,
    /// Most EXIF entries summarised; a file with more has its EXIF set
    /// aside with an error (real cameras write a few hundred). Default 10 000.
    pub max_exif_entries: usize,
    /// Largest embedded C2PA manifest store handed to the validator, in
    /// bytes (real stores with thumbnails and ingredients are a few MB).
    /// Default 64 MiB.
    pub max_c2pa_bytes: usize,
    /// Per-file time limit in seconds, checked between stages (a file over
    /// it gets a `time` error and no further stages). Default: none.
    pub max_seconds: Option<f64>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 512 * 1024 * 1024,
            max_dimension: 65_535,
            max_decode_alloc: 1024 * 1024 * 1024,
            max_text_chunk: 8 * 1024 * 1024,
            max_xmp_bytes: 4 * 1024 * 1024,
            max_xmp_depth: 64,
            max_xmp_packets: 16,
            max_exif_entries: 10_000,
            max_c2pa_bytes: 64 * 1024 * 1024,
            max_seconds: None,
        }
    }
}

/// Everything that changes how files are analysed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Resource limits.
    pub limits: Limits,
    /// Trust anchors (PEM bundle) for C2PA signers. Not serialized: reports
    /// record only where they came from.
    #[serde(skip)]
    pub trust_anchors_pem: Option<String>,
    /// Where the trust anchors were read from, if any.
    pub trust_anchors_path: Option<PathBuf>,
    /// Skip pixel decoding (provenance-only triage).
    pub no_pixels: bool,
    /// Ignore metadata and C2PA (the `strip` transform of `eval`): the
    /// verdict then rests on the pixels alone.
    pub strip: bool,
    /// The calibrated model that turns pixel evidence into
    /// `synthetic_probability` and decides undeclared files: by default the
    /// embedded one ([`Model::embedded`](crate::model::Model::embedded)).
    /// `None`: the rules alone decide.
    #[serde(skip)]
    pub model: Option<crate::model::Model>,
    /// Known-file hash lists (`--hashlist`); empty: none.
    #[serde(skip)]
    pub hash_lists: crate::hashlist::HashLists,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            limits: Limits::default(),
            trust_anchors_pem: None,
            trust_anchors_path: None,
            no_pixels: false,
            strip: false,
            model: Some(crate::model::Model::embedded()),
            hash_lists: crate::hashlist::HashLists::new(crate::hashlist::DEFAULT_PDQ_DISTANCE),
        }
    }
}

/// File name of the default trust-anchor bundle, looked up in
/// `$PROVENANT_TRUST_ANCHORS`, then `$XDG_CONFIG_HOME/provenant/`
/// (or `~/.config/provenant/`), then `/etc/provenant/`.
pub const TRUST_ANCHORS_FILE: &str = "trust-anchors.pem";

impl Config {
    /// Loads a PEM bundle of trust anchors into the configuration.
    pub fn with_trust_anchors(mut self, path: &Path) -> Result<Self> {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("trust anchors {}: {e}", path.display())))?;
        if !pem.contains("-----BEGIN CERTIFICATE-----") {
            return Err(Error::Config(format!(
                "trust anchors {}: no PEM certificate found",
                path.display()
            )));
        }
        self.trust_anchors_pem = Some(pem);
        self.trust_anchors_path = Some(path.to_path_buf());
        Ok(self)
    }

    /// The default trust-anchor location that exists on this machine, if any.
    pub fn default_trust_anchors() -> Option<PathBuf> {
        let mut candidates = Vec::new();
        if let Some(p) = std::env::var_os("PROVENANT_TRUST_ANCHORS") {
            candidates.push(PathBuf::from(p));
        }
        if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME") {
            candidates.push(
                PathBuf::from(dir)
                    .join("provenant")
                    .join(TRUST_ANCHORS_FILE),
            );
        } else if let Some(home) = std::env::var_os("HOME") {
            candidates.push(
                PathBuf::from(home)
                    .join(".config/provenant")
                    .join(TRUST_ANCHORS_FILE),
            );
        }
        candidates.push(PathBuf::from("/etc/provenant").join(TRUST_ANCHORS_FILE));
        candidates.into_iter().find(|p| p.is_file())
    }
}
