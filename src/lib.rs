//! provenant: offline, explainable triage of camera photographs versus
//! AI-generated images.
//!
//! Each file is read once and hashed, its format detected from magic bytes,
//! its pixels decoded under limits; the signals in [`signals`] gather typed
//! evidence; [`fusion`] turns it into a verdict, flags, a triage priority and
//! plain-language explanations, carried by a [`report::FileReport`].

// Hostile input must never bring the process down: no unwrap, expect or
// panic in library code (tests may use them).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod analyze;
pub mod config;
pub mod container;
pub mod dataset;
pub mod decode;
pub mod error;
pub mod eval;
pub mod explain;
pub mod fusion;
pub mod hashlist;
pub mod input;
pub mod model;
pub mod pdq;
pub mod report;
pub mod sanitize;
pub mod scan;
pub mod signals;
pub mod stats;
pub mod transform;

pub use analyze::Analyzer;
pub use config::{Config, Limits};
pub use error::{Error, Result};
pub use report::{FileReport, Verdict};
