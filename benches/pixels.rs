//! Cost of each pixel signal against decoding the same image, for a 1 MP and
//! a 12 MP camera-like JPEG made in memory (a textured scene with noise,
//! JPEG q90). `cargo bench --bench pixels`. The number that matters is the
//! ratio of "all pixel signals" to "decode" in the same run.

// `criterion_group!` defines an undocumented public function, and a
// benchmark stops on a broken set-up.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, Criterion};
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, RgbImage};

use provenant::pixels::windows::{self, Tile};
use provenant::pixels::{
    self, block_grid, cfa, cross_channel, local_noise, npr, residual, spam, spectrum, srm,
};

/// A textured, noisy scene encoded as JPEG q90.
fn camera_like_jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let img = RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state >> 59) as f32 - 16.0;
        let (fx, fy) = (x as f32, y as f32);
        let base =
            128.0 + 60.0 * (fx / 37.0).sin() * (fy / 53.0).cos() + 30.0 * (fx * fy / 9000.0).sin();
        image::Rgb(std::array::from_fn(|c| {
            (base + noise * 0.5 + c as f32 * 10.0).clamp(0.0, 255.0) as u8
        }))
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .expect("encode");
    out
}

fn stages(c: &mut Criterion) {
    for (name, w, h) in [("1MP", 1152, 864), ("12MP", 4000, 3000)] {
        let jpeg = camera_like_jpeg(w, h);
        let img: DynamicImage = image::load_from_memory(&jpeg).expect("decode");
        let tiles: Vec<Tile> = windows::select(&img).expect("tiles");
        let size = tiles[0].size;
        let luma: Vec<&[f32]> = tiles.iter().map(|t| t.luma.as_slice()).collect();
        let mut group = c.benchmark_group(format!("pixels {name}"));
        group.sample_size(10);
        group.bench_function("decode (baseline)", |b| {
            b.iter(|| image::load_from_memory(std::hint::black_box(&jpeg)).expect("decode"))
        });
        group.bench_function("all pixel signals", |b| {
            b.iter(|| pixels::analyze(&img, true))
        });
        group.bench_function("windows", |b| b.iter(|| windows::select(&img)));
        let residuals: Vec<Vec<f32>> = luma.iter().map(|l| residual::residual(l, size)).collect();
        group.bench_function("spectrum", |b| {
            b.iter(|| {
                let power = spectrum::mean_log_power(&luma, size);
                spectrum::analyze(&power, &luma, &residuals, size)
            })
        });
        group.bench_function("block grid", |b| b.iter(|| block_grid::analyze(&tiles)));
        group.bench_function("residual", |b| {
            b.iter(|| {
                let residuals: Vec<Vec<f32>> =
                    luma.iter().map(|l| residual::residual(l, size)).collect();
                residual::analyze(&tiles, &residuals)
            })
        });
        group.bench_function("npr", |b| b.iter(|| npr::analyze(&tiles)));
        group.bench_function("cfa", |b| b.iter(|| cfa::analyze(&tiles)));
        group.bench_function("spam", |b| b.iter(|| spam::features(&tiles)));
        group.bench_function("srm", |b| b.iter(|| srm::features(&tiles)));
        group.bench_function("cross-channel", |b| {
            b.iter(|| cross_channel::features(&tiles))
        });
        group.bench_function("local noise", |b| {
            b.iter(|| {
                local_noise::map(&img)
                    .as_ref()
                    .and_then(local_noise::analyze)
            })
        });
        group.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
