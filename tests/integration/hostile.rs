//! Hostile input: bombs made here are refused quickly with a clear error and
//! without large allocations; truncated and bit-flipped dev files give a
//! report or an error, never a panic; a scan makes no network call.

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::common::{analyzer, dev_dir, dev_rows, root};
use crate::fixtures::{jpeg_with_segments, png_with_chunks};

/// Runs `provenant analyze --json FILE` under GNU time: the report, the
/// wall time and the peak resident memory in MB.
fn analyze_measured(file: &Path) -> (serde_json::Value, f64, f64) {
    let bin = assert_cmd::cargo::cargo_bin("provenant");
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%e %M"])
        .arg(&bin)
        .args(["analyze", "--json"])
        .arg(file)
        .output()
        .expect("GNU time (/usr/bin/time, installed by scripts/deps.sh)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default().to_string();
    let mut it = last.split_whitespace().map(|v| v.parse::<f64>().unwrap());
    let (secs, kb) = (it.next().unwrap(), it.next().unwrap());
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: no JSON report ({e}): {stderr}", file.display()));
    (report, secs, kb / 1024.0)
}

fn errors(report: &serde_json::Value) -> String {
    report["errors"].to_string()
}

fn patched(mut bytes: Vec<u8>, at: usize, value: &[u8]) -> Vec<u8> {
    bytes[at..at + value.len()].copy_from_slice(value);
    bytes
}

#[test]
fn bombs_are_refused_quickly_without_large_allocations() {
    let dir = tempfile::tempdir().unwrap();
    // A PNG whose header declares 100000 x 100000 pixels (IHDR CRC fixed).
    let png = png_with_chunks(&[]);
    let mut huge_png = patched(png.clone(), 16, &100_000u32.to_be_bytes());
    huge_png = patched(huge_png, 20, &100_000u32.to_be_bytes());
    let crc = crc32fast::hash(&huge_png[12..29]).to_be_bytes();
    huge_png = patched(huge_png, 29, &crc);
    // A JPEG whose frame header declares 65500 x 65500 pixels.
    let jpg = jpeg_with_segments(&[]);
    let sof = jpg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    let huge_jpg = patched(jpg, sof + 5, &[0xFF, 0xDC, 0xFF, 0xDC]);
    // A zTXt chunk inflating to 256 MiB of zeros (about 250 kB compressed).
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..256 {
        z.write_all(&zeros).unwrap();
    }
    let mut ztxt = b"parameters\0\0".to_vec();
    ztxt.extend(z.finish().unwrap());
    let zip_bomb = png_with_chunks(&[(b"zTXt", ztxt)]);
    // An XMP packet nested 200 000 elements deep (iTXt XML:com.adobe.xmp).
    let depth = 200_000;
    let mut xmp = b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta xmlns:x='adobe:ns:meta/'>".to_vec();
    xmp.extend("<a>".repeat(depth).bytes());
    xmp.extend("</a>".repeat(depth).bytes());
    xmp.extend(b"</x:xmpmeta>");
    let nested = png_with_chunks(&[(b"iTXt", xmp)]);

    let cases: [(&str, Vec<u8>, &str, &str); 4] = [
        ("png-100000x100000.png", huge_png, "decode", "limit"),
        ("jpeg-65500x65500.jpg", huge_jpg, "decode", "limit"),
        ("ztxt-256mib.png", zip_bomb, "metadata", "limit"),
        ("xmp-nested-200000.png", nested, "metadata", "deep"),
    ];
    for (name, bytes, stage, word) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let (report, secs, mb) = analyze_measured(&path);
        let errs = errors(&report);
        println!(
            "{name}: {} bytes, refused in {secs:.2} s, peak RSS {mb:.0} MB: {errs}",
            bytes.len()
        );
        assert!(
            report["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["stage"] == stage && e["message"].as_str().unwrap().contains(word)),
            "{name}: expected a {stage} error about '{word}', got {errs}"
        );
        // The process would need gigabytes to honour these headers.
        assert!(mb < 200.0, "{name}: peak RSS {mb:.0} MB");
        // A hang detector, not a speed test.
        assert!(secs < 30.0, "{name}: {secs:.1} s");
    }
}

/// Seeded xorshift.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn truncated_and_bit_flipped_dev_files_never_panic() {
    // Every 20th file of the dev manifest: JPEG, PNG and WebP, cameras and
    // generators.
    let rows = dev_rows();
    let files: Vec<_> = rows
        .iter()
        .step_by(20)
        .map(|r| dev_dir().join(&r.file))
        .collect();
    let mut mutants: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let n = bytes.len();
        for cut in [
            1,
            2,
            8,
            64,
            n / 100,
            n / 10,
            n / 4,
            n / 2,
            3 * n / 4,
            9 * n / 10,
            n - 1,
        ] {
            mutants.push((format!("{name} cut at {cut}"), bytes[..cut.min(n)].to_vec()));
        }
        for (k, flips) in [1usize, 4, 16, 64, 256].iter().enumerate() {
            let mut rng = Rng(0x5EED ^ ((i as u64) << 8) ^ k as u64);
            let mut m = bytes.clone();
            for _ in 0..*flips {
                let bit = (rng.next() % (8 * n as u64)) as usize;
                m[bit / 8] ^= 1 << (bit % 8);
            }
            mutants.push((format!("{name} with {flips} bits flipped"), m));
        }
    }
    let a = analyzer();
    let failures: Vec<String> = mutants
        .par_iter()
        .filter_map(|(what, bytes)| {
            let start = Instant::now();
            match catch_unwind(AssertUnwindSafe(|| a.analyze_bytes(what, bytes))) {
                Err(_) => Some(format!("{what}: panicked")),
                // A hang detector, not a speed test.
                Ok(_) if start.elapsed() > Duration::from_secs(60) => {
                    Some(format!("{what}: {:.0} s", start.elapsed().as_secs_f64()))
                }
                Ok(_) => None,
            }
        })
        .collect();
    println!("{} files, {} mutants analysed", files.len(), mutants.len());
    assert!(files.len() >= 15);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_scan_makes_no_network_call() {
    let out_dir = tempfile::tempdir().unwrap();
    let trace = out_dir.path().join("strace.txt");
    let bin = assert_cmd::cargo::cargo_bin("provenant");
    let status = Command::new("strace")
        .args(["-f", "-e", "trace=network", "-o"])
        .arg(&trace)
        .arg(&bin)
        .args(["scan", "--quiet", "--out"])
        .arg(out_dir.path().join("out"))
        .arg(root().join("fixtures"))
        .status()
        .expect("strace (installed by scripts/deps.sh)");
    assert!(status.code().is_some(), "scan did not exit");
    let log = std::fs::read_to_string(&trace).unwrap();
    // The trace is not empty: strace did follow the process.
    assert!(log.contains("+++ exited with"), "{log}");
    let calls: Vec<&str> = log
        .lines()
        .filter(|l| !l.contains("+++") && !l.contains("---"))
        .collect();
    assert!(calls.is_empty(), "network system calls: {calls:#?}");
    assert!(out_dir.path().join("out/report.jsonl").is_file());
}

#[test]
fn exif_and_c2pa_over_their_limits_are_set_aside_with_an_error() {
    use provenant::outcome::Outcome;
    use provenant::{Analyzer, Config, Limits};
    let analyzer = |limits: Limits| {
        let mut config = Config::default();
        config.limits = limits;
        Analyzer::new(config).unwrap()
    };
    let mut tight = Limits::default();
    tight.max_exif_entries = 0;
    tight.max_c2pa_bytes = 100;
    let strict = analyzer(tight);
    let relaxed = analyzer(Limits::default());
    let errors = |r: &provenant::FileReport| serde_json::to_string(&r.errors).unwrap();

    let exif = crate::common::fixture("ok/a1111-usercomment.jpg");
    let r = relaxed.analyze_path(&exif);
    let Outcome::Analysed(m) = &r.metadata else {
        panic!("metadata analysed")
    };
    assert!(m.exif.as_ref().is_some_and(|e| e.entries >= 1), "{m:?}");
    let r = strict.analyze_path(&exif);
    let Outcome::Analysed(m) = &r.metadata else {
        panic!("metadata analysed")
    };
    assert!(m.exif.is_none());
    assert!(errors(&r).contains("over the limit of 0"), "{}", errors(&r));

    let signed = crate::common::fixture("ok/c2pa-genai-signed.jpg");
    assert!(matches!(
        relaxed.analyze_path(&signed).c2pa,
        Outcome::Analysed(_)
    ));
    let r = strict.analyze_path(&signed);
    assert!(
        matches!(r.c2pa, Outcome::NotApplicable { .. }),
        "{:?}",
        r.c2pa
    );
    assert!(errors(&r).contains("C2PA size limit"), "{}", errors(&r));
}
