//! Shared helpers: paths, the dev-set manifest, an analyzer.

use std::path::PathBuf;

use provenant::{Analyzer, Config};

/// The project root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/eval/dev`, beside the project.
pub(crate) fn dev_dir() -> PathBuf {
    eval_set("dev")
}

/// `../shared/eval/extra`, beside the project.
pub(crate) fn extra_dir() -> PathBuf {
    eval_set("extra")
}

fn eval_set(name: &str) -> PathBuf {
    let dir = root().join("../shared/eval").join(name);
    assert!(
        dir.join("manifest.csv").is_file(),
        "the {name} set is expected at {}",
        dir.display()
    );
    dir
}

/// The official C2PA trust list in `../shared`.
pub(crate) fn official_trust_list() -> PathBuf {
    root().join("../shared/c2pa/trust-list/C2PA-TRUST-LIST.pem")
}

/// One row of `manifest.csv`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Row {
    pub file: String,
    pub label: String,
    pub generator_or_camera: String,
    pub sha256: String,
}

/// All rows of the dev manifest.
pub(crate) fn dev_rows() -> Vec<Row> {
    let mut rdr = csv::Reader::from_path(dev_dir().join("manifest.csv")).expect("manifest.csv");
    rdr.deserialize()
        .map(|r| r.expect("manifest row"))
        .collect()
}

/// An analyzer with the official trust list.
pub(crate) fn analyzer() -> Analyzer {
    let config = Config::default()
        .with_trust_anchors(&official_trust_list())
        .expect("trust list");
    Analyzer::new(config).expect("analyzer")
}

/// An analyzer without a model: the declared-evidence rules alone decide
/// (for fixtures whose pixels are test patterns, not photographs).
pub(crate) fn rules_only_analyzer() -> Analyzer {
    let mut config = Config::default()
        .with_trust_anchors(&official_trust_list())
        .expect("trust list");
    config.model = None;
    Analyzer::new(config).expect("analyzer")
}

/// A fixture path.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}
