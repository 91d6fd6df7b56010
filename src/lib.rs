//! provenant: offline, explainable triage of camera photographs versus
//! AI-generated images.
//!
//! Each file is read once and hashed, its format detected from magic bytes,
//! its pixels decoded under limits ([`Analyzer`], the one pipeline); the
//! declared provenance ([`provenance`]) and the pixel statistics ([`pixels`])
//! gather typed evidence; [`decide`] turns it into a [`Decision`]: a
//! [`Verdict`], the [`Rule`] that decided, flags and typed reasons; [`report`]
//! words them, and the [`FileReport`] ([`record`]) carries it all. [`scan`]
//! runs a whole collection ([`ScanOptions`]) into a resumable journal and its
//! ranked reports.
//!
//! The API is what this page lists. The two modules hidden from it
//! (`sanitize`, `stats`) are public only for the project's own binary and
//! examples, and carry no promise.
//!
//! ```
//! use provenant::{Analyzer, Config, Rule, Verdict};
//!
//! // A 128×128 PNG made in memory, with no metadata: the pixels decide.
//! let img = image::RgbImage::from_fn(128, 128, |x, y| {
//!     image::Rgb([(x * 2) as u8, (y * 2) as u8, ((x * y) % 251) as u8])
//! });
//! let mut png = std::io::Cursor::new(Vec::new());
//! img.write_to(&mut png, image::ImageFormat::Png)?;
//!
//! let analyzer = Analyzer::new(Config::default())?;
//! let report = analyzer.analyze_bytes("gradient.png", png.get_ref());
//! assert!(report.synthetic_probability.is_some());
//! assert!(matches!(
//!     report.decision.rule,
//!     Rule::PixelsSynthetic | Rule::PixelsAuthentic | Rule::PixelsBetween
//! ));
//! assert_eq!(report.verdict, report.decision.verdict);
//! println!("{}: {}", report.verdict.as_str(), report.explanations[0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Hostile input must never bring the process down: no unwrap, expect or
// panic in library code (tests may use them) — denied by the `[lints]` of
// Cargo.toml and clippy.toml.

pub mod config;
pub mod container;
pub mod dataset;
pub mod decide;
pub mod decode;
pub mod error;
pub mod eval;
pub mod explain;
pub mod hashlist;
pub mod input;
pub mod limits;
pub mod model;
pub mod outcome;
pub mod pdq;
pub mod pipeline;
pub mod pixels;
pub mod provenance;
pub mod record;
pub mod report;
mod rounding;
pub mod scan;
pub mod transform;

#[doc(hidden)]
pub mod sanitize;
#[doc(hidden)]
pub mod stats;

/// The library's version, as reports record it (`provenant <VERSION>`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub use config::Config;
pub use decide::{Decision, Rule, Verdict};
pub use error::{Error, Result};
pub use limits::Limits;
pub use model::Model;
pub use pipeline::{Analysis, Analyzer};
pub use record::FileReport;
pub use scan::{ScanOptions, ScanSummary};
