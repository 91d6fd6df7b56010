//! Run configuration: limits, trust settings, the model and hash lists,
//! recorded in reports.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
pub use crate::limits::Limits;

/// Everything that changes how files are analysed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
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
    /// `None`: the rules alone decide. Not serialized: a deserialized
    /// configuration has the embedded model.
    #[serde(skip, default = "embedded_model")]
    pub model: Option<crate::model::Model>,
    /// Known-file hash lists; empty: none.
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
            model: embedded_model(),
            hash_lists: crate::hashlist::HashLists::default(),
        }
    }
}

/// The embedded model, as every configuration starts.
fn embedded_model() -> Option<crate::model::Model> {
    Some(crate::model::Model::embedded())
}

/// File name of the default trust-anchor bundle, looked up in
/// `$PROVENANT_TRUST_ANCHORS`, then `$XDG_CONFIG_HOME/provenant/`
/// (or `~/.config/provenant/`), then `/etc/provenant/`.
pub(crate) const TRUST_ANCHORS_FILE: &str = "trust-anchors.pem";

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deserialized_config_keeps_the_defaults_it_cannot_carry() {
        let json = serde_json::to_string(&Config::default()).unwrap();
        let back: Config = serde_json::from_str(&json).unwrap();
        let id = back.model.as_ref().map(crate::model::Model::id);
        assert_eq!(id, Some(crate::model::Model::embedded().id()));
        assert_eq!(
            back.hash_lists.pdq_distance,
            crate::hashlist::DEFAULT_PDQ_DISTANCE
        );
        assert_eq!(crate::hashlist::HashLists::default().pdq_distance, 31);
    }
}
