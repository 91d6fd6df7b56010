//! Provenance path (hashes, format, metadata, C2PA, JPEG structure; no pixel
//! decode) over the dev set, files in memory. Skips when the dev set is
//! missing. `cargo bench --bench provenance`.

// `criterion_group!` defines an undocumented public function, and a
// benchmark stops on a broken set-up.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::path::Path;

use provenant::{Analyzer, Config};

fn dev_files() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/dev");
    let mut files = Vec::new();
    for sub in ["real", "synthetic", "c2pa"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            if let Ok(bytes) = std::fs::read(e.path()) {
                files.push((e.path().display().to_string(), bytes));
            }
        }
    }
    files.sort();
    files
}

fn provenance(c: &mut Criterion) {
    let files = dev_files();
    if files.is_empty() {
        eprintln!("dev set not found: skipping");
        return;
    }
    let mut config = Config::default();
    config.no_pixels = true;
    let analyzer = Analyzer::new(config).expect("analyzer");
    let bytes: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    let mut group = c.benchmark_group("provenance");
    group.sample_size(10);
    group.throughput(Throughput::Elements(files.len() as u64));
    group.bench_function("dev-set files", |b| {
        b.iter(|| {
            for (name, data) in &files {
                std::hint::black_box(analyzer.analyze_bytes(name, data));
            }
        })
    });
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("dev-set hashing only (baseline)", |b| {
        b.iter(|| {
            for (_, data) in &files {
                std::hint::black_box(provenant::input::hash_bytes(data));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, provenance);
criterion_main!(benches);
