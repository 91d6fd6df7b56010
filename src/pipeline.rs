//! The per-file pipeline, the one path from bytes to a report that analyze,
//! scan, eval, explain, the thumbnails and the Python binding all take:
//! read once under the size limit and hash, detect the format, decode the
//! pixels under limits, parse the container once, gather every signal's
//! evidence, score, decide. On request it hands back what it decoded and
//! computed ([`Analysis`]), so that no caller decodes or computes twice.

use std::path::Path;
use std::time::Instant;

use image::DynamicImage;

use crate::config::Config;
use crate::container::Structure;
use crate::decode;
use crate::error::{Error, Result};
use crate::input::{self, Format, Hashes, Input};
use crate::outcome::Outcome;
use crate::pixels::{self, Workings};
use crate::provenance::content_credentials::Verifier;
use crate::provenance::{jpeg_structure, metadata};
use crate::record::{FileReport, PixelSummary, Stage};

/// Why metadata and C2PA are absent from a report under `strip`.
const STRIPPED: &str = "ignored (metadata and C2PA stripped: the verdict rests on the pixels)";

/// How many of the model's contributions a report keeps.
const MODEL_CONTRIBUTIONS: usize = 5;

/// A file's report with what the pipeline made on the way, for callers that
/// draw from it ([`crate::explain`], the scan's thumbnails).
#[derive(Debug)]
#[non_exhaustive]
pub struct Analysis {
    /// The report.
    pub report: FileReport,
    /// The decoded image, if the pixels were decoded.
    pub image: Option<DynamicImage>,
    /// What the pixel signals computed, if they ran.
    pub workings: Option<Workings>,
}

/// Analyses files with one configuration. Cheap to share between threads.
#[derive(Debug)]
#[non_exhaustive]
pub struct Analyzer {
    config: Config,
    verifier: Verifier,
}

impl Analyzer {
    /// Builds an analyzer (parses the trust anchors once).
    pub fn new(config: Config) -> Result<Self> {
        let verifier = Verifier::new(config.trust_anchors_pem.as_deref())?;
        Ok(Analyzer { config, verifier })
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Analyses one file. Never fails: errors are recorded in the report.
    pub fn analyze_path(&self, path: &Path) -> FileReport {
        self.run_path(path).report
    }

    /// Analyses one file and keeps what was made on the way ([`Analysis`]).
    /// Never fails: errors are recorded in the report.
    pub fn run_path(&self, path: &Path) -> Analysis {
        match input::read_file(path, self.config.limits.max_file_bytes) {
            Ok(inp) => self.run(&path.display().to_string(), inp),
            Err(e) => {
                let mut report = FileReport::empty(path.display().to_string());
                if let Error::TooLarge { size, .. } = &e {
                    report.size = Some(*size);
                }
                report.error(Stage::Read, e.to_string());
                report.conclude(None);
                Analysis {
                    report,
                    image: None,
                    workings: None,
                }
            }
        }
    }

    /// Analyses bytes already in memory; `name` is recorded as the path.
    pub fn analyze_bytes(&self, name: &str, bytes: &[u8]) -> FileReport {
        self.run_bytes(name, bytes).report
    }

    /// [`Analyzer::analyze_bytes`], keeping what was made on the way.
    pub fn run_bytes(&self, name: &str, bytes: &[u8]) -> Analysis {
        let mut report = FileReport::empty(name.to_string());
        let (image, workings) = self.fill(&mut report, bytes, input::hash_bytes(bytes));
        Analysis {
            report,
            image,
            workings,
        }
    }

    /// Analyses a file already read and hashed ([`input::read_file`]), and
    /// keeps what was made on the way: one read, one hash, one decode.
    pub fn run(&self, name: &str, inp: Input) -> Analysis {
        let mut report = FileReport::empty(name.to_string());
        report.modified_ns = inp.modified_ns;
        let (image, workings) = self.fill(&mut report, &inp.bytes, inp.hashes);
        Analysis {
            report,
            image,
            workings,
        }
    }

    /// True (and the report closed with a `time` error) if the per-file time
    /// limit has passed; checked between stages.
    fn out_of_time(&self, r: &mut FileReport, started: Instant, after: &str) -> bool {
        let Some(limit) = self.config.limits.max_seconds else {
            return false;
        };
        if started.elapsed().as_secs_f64() <= limit {
            return false;
        }
        r.error(
            Stage::Time,
            format!(
                "time limit of {:.1} s passed after {after}; later stages skipped",
                limit
            ),
        );
        r.conclude(None);
        true
    }

    /// Fills the report; returns the decoded image and the pixel signals'
    /// workings, if any.
    fn fill(
        &self,
        r: &mut FileReport,
        bytes: &[u8],
        hashes: Hashes,
    ) -> (Option<DynamicImage>, Option<Workings>) {
        let started = Instant::now();
        let limits = &self.config.limits;
        r.size = Some(bytes.len() as u64);
        r.hashes = Some(hashes);
        let Some(format) = Format::detect(bytes) else {
            let magic = input::hex(&bytes[..bytes.len().min(8)]);
            r.error(Stage::Format, Error::Unsupported { magic }.to_string());
            r.conclude(None);
            return (None, None);
        };
        r.format = Some(format);

        let image = if self.config.no_pixels {
            r.pixels = Outcome::not_applicable("pixels not analysed (turned off)");
            None
        } else {
            match decode::decode(bytes, format, limits) {
                Ok(img) => {
                    r.width = Some(img.width());
                    r.height = Some(img.height());
                    r.pixels = Outcome::Analysed(PixelSummary {
                        width: img.width(),
                        height: img.height(),
                        color: decode::color_name(&img),
                    });
                    Some(img)
                }
                Err(e) => {
                    if format.pixels_supported() {
                        r.error(Stage::Decode, e.to_string());
                    }
                    r.pixels = Outcome::not_applicable(e.to_string());
                    None
                }
            }
        };

        r.pdq = image.as_ref().and_then(crate::pdq::hash);
        if self.out_of_time(r, started, "decoding") {
            return (image, None);
        }
        let structure = Structure::parse(bytes, format);
        if let Some(p) = structure.problem() {
            r.error(Stage::Container, p);
        }
        let make = if self.config.strip {
            r.metadata = Outcome::not_applicable(STRIPPED);
            r.c2pa = Outcome::not_applicable(STRIPPED);
            None
        } else {
            let (meta, problems) = metadata::analyze(bytes, &structure, image.as_ref(), limits);
            for p in problems {
                r.error(Stage::Metadata, p);
            }
            let store = structure.c2pa_store_bytes().unwrap_or(0);
            r.c2pa = if store > limits.max_c2pa_bytes {
                let why = format!(
                    "C2PA manifest store of {store} bytes over the C2PA size limit of {} bytes: not validated",
                    limits.max_c2pa_bytes
                );
                r.error(Stage::C2pa, why.clone());
                Outcome::not_applicable(why)
            } else {
                Outcome::Analysed(self.verifier.analyze(
                    bytes,
                    format,
                    meta.provenance_reference.as_deref(),
                    structure.c2pa_store_range(),
                ))
            };
            let make = meta.exif.as_ref().and_then(|e| e.make.clone());
            r.metadata = Outcome::Analysed(meta);
            make
        };
        r.jpeg = match &structure {
            Structure::Jpeg(segs) => {
                Outcome::Analysed(jpeg_structure::analyze(segs, make.as_deref()))
            }
            _ => Outcome::not_applicable("not a JPEG"),
        };
        if self.out_of_time(r, started, "metadata and C2PA") {
            return (image, None);
        }
        let workings = match image
            .as_ref()
            .map(|img| pixels::analyze_keeping(img, format == Format::Jpeg))
        {
            None => {
                r.forensics = Outcome::not_applicable("pixels not decoded");
                None
            }
            Some(Err(too_small)) => {
                r.forensics = Outcome::not_applicable(too_small.to_string());
                None
            }
            Some(Ok((forensics, workings))) => {
                r.forensics = Outcome::Analysed(forensics);
                Some(workings)
            }
        };
        if self.out_of_time(r, started, "pixel forensics") {
            return (image, workings);
        }
        if let (Some(model), Some(p)) = (&self.config.model, r.forensics.evidence()) {
            let features = p.features();
            r.synthetic_probability = Some(model.probability(&features));
            r.contributions = by_family(model.contributions(&features))
                .into_iter()
                .take(MODEL_CONTRIBUTIONS)
                .collect();
        }
        r.hashlist_matches = self
            .config
            .hash_lists
            .matches(r.hashes.as_ref(), r.pdq.as_ref().map(|p| p.hash.as_str()));
        r.conclude(self.config.model.as_ref().map(|m| m.thresholds));
        (image, workings)
    }
}

/// Contributions summed per feature family ([`pixels::feature_family`]),
/// largest magnitude first.
fn by_family(terms: Vec<(String, f64)>) -> Vec<(String, f64)> {
    let mut families: Vec<(String, f64)> = Vec::new();
    for (name, c) in terms {
        let family = pixels::feature_family(&name);
        match families.iter_mut().find(|(f, _)| *f == family) {
            Some(entry) => entry.1 += c,
            None => families.push((family, c)),
        }
    }
    families.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    families
}
