//! Cost of every stage of the per-file pipeline, on the dev set's files
//! held in memory, split by size: small (under 0.5 MP), medium (0.5-4 MP),
//! large (over 4 MP). Throughput is files per second; compare each stage
//! with "decode" in the same run. Skips when the dev set is missing.
//! `cargo bench --bench stages`.

// `criterion_group!` defines an undocumented public function, and a
// benchmark stops on a broken set-up.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use image::DynamicImage;
use std::hint::black_box;
use std::path::Path;

use provenant::container::Structure;
use provenant::input::{self, Format};
use provenant::model::Model;
use provenant::pixels::{self, cross_channel, spam, srm, windows};
use provenant::provenance::content_credentials::Verifier;
use provenant::provenance::{jpeg_structure, metadata};
use provenant::report::{jsonl, FileReport};
use provenant::{decode, pdq, Analyzer, Config, Limits};

/// One dev file: bytes, format, decoded image, its full report.
struct File {
    bytes: Vec<u8>,
    format: Format,
    image: DynamicImage,
    report: FileReport,
}

fn dev_files(analyzer: &Analyzer) -> Vec<File> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/dev");
    let mut paths: Vec<_> = ["real", "synthetic", "c2pa"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(dir.join(sub)).ok())
        .flat_map(|d| d.flatten().map(|e| e.path()))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            let format = Format::detect(&bytes)?;
            let image = decode::decode(&bytes, format, &Limits::default()).ok()?;
            let report = analyzer.analyze_bytes(&p.display().to_string(), &bytes);
            Some(File {
                bytes,
                format,
                image,
                report,
            })
        })
        .collect()
}

fn stages(c: &mut Criterion) {
    let analyzer = Analyzer::new(Config::default()).expect("analyzer");
    let files = dev_files(&analyzer);
    if files.is_empty() {
        eprintln!("dev set not found: skipping");
        return;
    }
    let verifier = Verifier::new(None).expect("verifier");
    let model = Model::embedded();
    let limits = Limits::default();
    let megapixels = |f: &File| f64::from(f.image.width()) * f64::from(f.image.height()) / 1e6;
    for (class, range) in [
        ("small", 0.0..0.5),
        ("medium", 0.5..4.0),
        ("large", 4.0..f64::MAX),
    ] {
        let set: Vec<&File> = files
            .iter()
            .filter(|f| range.contains(&megapixels(f)))
            .collect();
        if set.is_empty() {
            continue;
        }
        let mut group = c.benchmark_group(format!("stages/{class}"));
        group.sample_size(10);
        group.throughput(Throughput::Elements(set.len() as u64));
        let mut run = |name: &str, stage: &dyn Fn(&File)| {
            group.bench_function(BenchmarkId::new(name, set.len()), |b| {
                b.iter(|| set.iter().for_each(|f| stage(f)))
            });
        };
        run("hash", &|f| {
            black_box(input::hash_bytes(&f.bytes));
        });
        run("decode (baseline)", &|f| {
            black_box(decode::decode(&f.bytes, f.format, &limits).ok());
        });
        run("container + metadata", &|f| {
            let s = Structure::parse(&f.bytes, f.format);
            black_box(metadata::analyze(&f.bytes, &s, Some(&f.image), &limits));
        });
        run("c2pa", &|f| {
            let store = Structure::parse(&f.bytes, f.format).c2pa_store_range();
            black_box(verifier.analyze(&f.bytes, f.format, None, store));
        });
        run("jpeg structure", &|f| {
            if let Structure::Jpeg(segs) = Structure::parse(&f.bytes, f.format) {
                black_box(jpeg_structure::analyze(&segs, None));
            }
        });
        run("pixel signals", &|f| {
            black_box(pixels::analyze(&f.image, f.format == Format::Jpeg));
        });
        run("pdq", &|f| {
            black_box(pdq::hash(&f.image));
        });
        // The rich residual families alone, on each file's analysis windows
        // (part of "pixel signals" above).
        let tiles: Vec<Vec<windows::Tile>> = set
            .iter()
            .map(|f| windows::select(&f.image).unwrap_or_default())
            .collect();
        for (name, family) in [
            (
                "pixel signals: SPAM",
                spam::features as fn(&[windows::Tile]) -> Vec<f32>,
            ),
            ("pixel signals: colour SPAM", |t| {
                t.iter().flat_map(spam::colour_features).collect()
            }),
            ("pixel signals: SRM subset", srm::features),
            ("pixel signals: cross-channel", cross_channel::features),
        ] {
            group.bench_function(BenchmarkId::new(name, set.len()), |b| {
                b.iter(|| {
                    for t in &tiles {
                        for tile in t {
                            black_box(family(std::slice::from_ref(tile)));
                        }
                    }
                })
            });
        }
        let features: Vec<_> = set
            .iter()
            .map(
                |f| match pixels::analyze(&f.image, f.format == Format::Jpeg) {
                    provenant::outcome::Outcome::Analysed(p) => p.features(),
                    _ => Vec::new(),
                },
            )
            .collect();
        group.bench_function(BenchmarkId::new("model", set.len()), |b| {
            b.iter(|| {
                for f in &features {
                    black_box(model.probability(f));
                }
            })
        });
        group.bench_function(BenchmarkId::new("decision and its words", set.len()), |b| {
            b.iter(|| {
                for f in &set {
                    let mut r = f.report.clone();
                    r.conclude(Some(model.thresholds));
                    black_box(r);
                }
            })
        });
        group.bench_function(BenchmarkId::new("report writing (JSONL)", set.len()), |b| {
            b.iter(|| {
                let mut out = Vec::new();
                for f in &set {
                    jsonl::write(&mut out, &f.report).expect("write");
                }
                black_box(out)
            })
        });
        group.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
