//! ISO base media file format boxes (ISO/IEC 14496-12) of HEIF and AVIF
//! files, read only as far as the `meta` box's handler: its name is the
//! encoder that wrote the file ("libavif", "cavif - …"), which exiftool
//! calls HandlerDescription.

use super::{be32, be64};

/// One box: its type and its payload.
struct IsoBox<'a> {
    kind: [u8; 4],
    payload: &'a [u8],
}

/// The boxes of a payload in order; stops at the first inconsistent size.
fn boxes(mut data: &[u8]) -> impl Iterator<Item = IsoBox<'_>> {
    std::iter::from_fn(move || {
        let size = be32(data, 0)? as usize;
        let kind: [u8; 4] = data.get(4..8)?.try_into().ok()?;
        let (header, total) = match size {
            // The box runs to the end of its container.
            0 => (8, data.len()),
            // A 64-bit size follows the type.
            1 => (16, usize::try_from(be64(data, 8)?).ok()?),
            n => (8, n),
        };
        let payload = data.get(header..total)?;
        data = data.get(total..)?;
        Some(IsoBox { kind, payload })
    })
}

/// The name of the `meta` box's `hdlr` handler, trimmed; `None` when there
/// is no such box or the name is empty.
pub(crate) fn handler_name(bytes: &[u8]) -> Option<String> {
    let meta = boxes(bytes).find(|b| &b.kind == b"meta")?;
    // `meta` is a full box: version and flags come first.
    let hdlr = boxes(meta.payload.get(4..)?).find(|b| &b.kind == b"hdlr")?;
    // version/flags (4), pre_defined (4), handler_type (4), reserved (12), name.
    let name = hdlr.payload.get(24..)?;
    let end = memchr::memchr(0, name).unwrap_or(name.len());
    let text = String::from_utf8_lossy(name.get(..end)?);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut b = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(payload);
        b
    }

    #[test]
    fn reads_the_handler_name_of_the_meta_box() {
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(b"pict");
        hdlr.extend_from_slice(&[0; 12]);
        hdlr.extend_from_slice(b"libavif\0");
        let mut meta = vec![0u8; 4];
        meta.extend(boxed(b"hdlr", &hdlr));
        let mut file = boxed(b"ftyp", b"avifmif1");
        file.extend(boxed(b"meta", &meta));
        assert_eq!(handler_name(&file).as_deref(), Some("libavif"));
        // Truncated anywhere: no name, no panic.
        for cut in 0..file.len() {
            let _ = handler_name(&file[..cut]);
        }
        assert_eq!(handler_name(b"garbage"), None);
    }
}
