//! The decode-only baseline of `benches/throughput.sh`: the same file walk
//! (images by magic bytes), the same read and the same decoder under the
//! same limits as `provenant scan`, on `--jobs` rayon threads, and nothing
//! else. Prints `files=N megapixels=M seconds=S`.
//!
//! ```text
//! cargo run --release --example decode_only -- ../shared/eval/dev 2
//! ```

use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

use provenant::input::{self, Format};
use provenant::scan::walk;
use provenant::{decode, Limits};

fn main() -> Result<(), rayon::ThreadPoolBuildError> {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(args.next().unwrap_or_else(|| "../shared/eval/dev".into()));
    let jobs: usize = args.next().and_then(|j| j.parse().ok()).unwrap_or(1);
    let limits = Limits::default();
    let started = Instant::now();
    let files = walk::walk(&[root], false).files;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
    let pixels: u64 = pool.install(|| {
        files
            .par_iter()
            .filter_map(|path| {
                let inp = input::read_file(path, limits.max_file_bytes).ok()?;
                let format = Format::detect(&inp.bytes)?;
                let img = decode::decode(&inp.bytes, format, &limits).ok()?;
                Some(u64::from(img.width()) * u64::from(img.height()))
            })
            .sum()
    });
    println!(
        "files={} megapixels={:.1} seconds={:.3}",
        files.len(),
        pixels as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
