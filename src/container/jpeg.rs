//! JPEG marker segments (ITU T.81 Annex B), read without entropy decoding.

use super::be16;

/// One marker segment: the marker byte (after 0xFF) and its payload.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Segment<'a> {
    /// Marker code, e.g. 0xE1 for APP1, 0xDB for DQT.
    pub marker: u8,
    /// Offset of the 0xFF of the marker in the file.
    pub offset: usize,
    /// Payload after the two length bytes (empty for standalone markers).
    pub data: &'a [u8],
}

/// All segments of a JPEG file, and how the walk ended.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Segments<'a> {
    /// Segments in file order, including those between progressive scans.
    pub segments: Vec<Segment<'a>>,
    /// Whether an EOI marker was reached.
    pub saw_eoi: bool,
    /// Why the walk stopped early, if it did (truncated or corrupt file).
    pub problem: Option<String>,
    /// Bytes after EOI (appended data: other files, trailers).
    pub trailing_bytes: usize,
}

/// Markers with no length field.
fn is_standalone(marker: u8) -> bool {
    matches!(marker, 0x01 | 0xD0..=0xD9)
}

/// Walks the marker segments of a JPEG. Entropy-coded data after each SOS is
/// skipped by scanning for the next marker that is not a stuffed byte or a
/// restart marker.
pub fn segments(bytes: &[u8]) -> Segments<'_> {
    let mut out = Segments::default();
    let mut pos = 2; // after SOI
    while pos < bytes.len() {
        // Skip fill bytes (0xFF padding) before a marker.
        if bytes.get(pos) != Some(&0xFF) {
            out.problem = Some(format!("expected a marker at byte {pos}"));
            return out;
        }
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos) else {
            break;
        };
        let offset = pos - 1;
        pos += 1;
        if marker == 0xD9 {
            out.saw_eoi = true;
            out.trailing_bytes = bytes.len() - pos;
            return out;
        }
        if is_standalone(marker) {
            out.segments.push(Segment {
                marker,
                offset,
                data: &[],
            });
            continue;
        }
        let Some(len) = be16(bytes, pos) else {
            out.problem = Some(format!(
                "truncated marker 0x{marker:02X} length at byte {pos}"
            ));
            return out;
        };
        let len = usize::from(len);
        let Some(data) = bytes.get(pos + 2..pos + len).filter(|_| len >= 2) else {
            out.problem = Some(format!(
                "marker 0x{marker:02X} at byte {offset} declares {len} bytes past the end of the file"
            ));
            return out;
        };
        out.segments.push(Segment {
            marker,
            offset,
            data,
        });
        pos += len;
        if marker == 0xDA {
            pos = skip_entropy_data(bytes, pos);
        }
    }
    out.problem
        .get_or_insert_with(|| "file ends before the EOI marker (truncated)".to_string());
    out
}

/// Returns the offset of the next real marker after entropy-coded data.
fn skip_entropy_data(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(i) = memchr::memchr(0xFF, bytes.get(pos..).unwrap_or_default()) {
        let at = pos + i;
        match bytes.get(at + 1) {
            Some(0x00) | Some(0xD0..=0xD7) | Some(0xFF) => pos = at + 1,
            Some(_) => return at,
            None => return bytes.len(),
        }
    }
    bytes.len()
}

/// The APPn segments whose payload starts with `signature`, payload after it.
pub fn app_payloads<'a>(
    segs: &'a Segments<'a>,
    marker: u8,
    signature: &'a [u8],
) -> impl Iterator<Item = (&'a Segment<'a>, &'a [u8])> + 'a {
    segs.segments
        .iter()
        .filter(move |s| s.marker == marker && s.data.starts_with(signature))
        .filter_map(move |s| Some((s, s.data.get(signature.len()..)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_segments_and_skips_entropy_data() {
        // SOI, APP0 (len 4: "ab"), SOS (len 3, 1 byte), entropy with stuffed
        // 0xFF00 and RST0, then EOI and two trailing bytes.
        let f =
            b"\xFF\xD8\xFF\xE0\x00\x04ab\xFF\xDA\x00\x03x\x12\xFF\x00\x34\xFF\xD0\x56\xFF\xD9zz";
        let s = segments(f);
        assert_eq!(s.segments.len(), 2);
        assert_eq!(s.segments[0].marker, 0xE0);
        assert_eq!(s.segments[0].data, b"ab");
        assert_eq!(s.segments[1].marker, 0xDA);
        assert!(s.saw_eoi);
        assert_eq!(s.trailing_bytes, 2);
        assert!(s.problem.is_none());
    }

    #[test]
    fn reports_truncation_instead_of_panicking() {
        let s = segments(b"\xFF\xD8\xFF\xE1\x10\x00abc");
        assert!(s.problem.is_some());
        assert!(!s.saw_eoi);
        let s = segments(b"\xFF\xD8\xFF");
        assert!(s.problem.is_some());
    }
}
