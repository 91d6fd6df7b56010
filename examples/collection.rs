//! Makes a synthetic collection for the scale benchmark (`benches/scale.sh`):
//! `COUNT` distinct small JPEGs, thumbnails of the images of `SOURCE`
//! (longest side `SIDE`, default 256) used in turn, each with a counter
//! appended after its end-of-image marker so that every file has its own
//! digests, in folders of 1,000.
//!
//! ```text
//! cargo run --release --example collection -- ../shared/eval/dev 20000 /tmp/c20k [SIDE]
//! ```

use std::io::Cursor;
use std::path::PathBuf;

use image::codecs::jpeg::JpegEncoder;

use provenant::input::{self, Format};
use provenant::scan::walk;
use provenant::{decode, Limits};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: collection SOURCE COUNT OUT [SIDE]";
    let source = PathBuf::from(args.next().ok_or(usage)?);
    let count: usize = args.next().ok_or(usage)?.parse()?;
    let out = PathBuf::from(args.next().ok_or(usage)?);
    let side: u32 = args.next().map_or(Ok(256), |s| s.parse())?;
    let limits = Limits::default();

    let mut thumbnails = Vec::new();
    for path in walk::walk(&[source], false).files {
        let Ok(inp) = input::read_file(&path, limits.max_file_bytes) else {
            continue;
        };
        let Some(format) = Format::detect(&inp.bytes) else {
            continue;
        };
        let Ok(img) = decode::decode(&inp.bytes, format, &limits) else {
            continue;
        };
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 85)
            .encode_image(&img.thumbnail(side, side).to_rgb8())?;
        thumbnails.push(jpeg);
    }
    if thumbnails.is_empty() {
        return Err("no decodable image in SOURCE".into());
    }
    for i in 0..count {
        let dir = out.join(format!("{:04}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&dir)?;
        }
        let mut bytes = thumbnails[i % thumbnails.len()].clone();
        bytes.extend_from_slice(format!("provenant-collection-{i}").as_bytes());
        std::fs::write(dir.join(format!("{i:07}.jpg")), bytes)?;
    }
    println!(
        "{count} files from {} thumbnails in {}",
        thumbnails.len(),
        out.display()
    );
    Ok(())
}
