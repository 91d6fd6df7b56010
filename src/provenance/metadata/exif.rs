//! EXIF (CIPA DC-008) through kamadak-exif: camera fields, dates, and the
//! free-text fields where generators leave their parameters.

use exif::{Context, Exif, Field, In, Tag, Value};
use serde::{Deserialize, Serialize};
use std::io::Cursor;

/// The EXIF fields an analyst looks at, as the file states them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExifSummary {
    /// Camera maker (0x010F).
    pub make: Option<String>,
    /// Camera model (0x0110).
    pub model: Option<String>,
    /// Lens model (0xA434).
    pub lens_model: Option<String>,
    /// Exposure time in seconds (0x829A).
    pub exposure_time: Option<f64>,
    /// F-number (0x829D).
    pub f_number: Option<f64>,
    /// ISO sensitivity (0x8827).
    pub iso: Option<u32>,
    /// Focal length in mm (0x920A).
    pub focal_length: Option<f64>,
    /// DateTimeOriginal as written, "YYYY:MM:DD HH:MM:SS" (0x9003).
    pub date_time_original: Option<String>,
    /// SubSecTimeOriginal (0x9291).
    pub sub_sec_time_original: Option<String>,
    /// OffsetTimeOriginal, e.g. "+02:00" (0x9011).
    pub offset_time_original: Option<String>,
    /// DateTime of the last change (0x0132).
    pub date_time: Option<String>,
    /// Software (0x0131).
    pub software: Option<String>,
    /// ImageDescription (0x010E).
    pub image_description: Option<String>,
    /// UserComment decoded from its charset header (0x9286), from the Exif
    /// sub-IFD or, as DALL-E 2 writes it, from IFD0.
    pub user_comment: Option<String>,
    /// The maker note when it is plain text and the file names no camera
    /// make, i.e. not a camera's binary block (0x927C; exiftool's
    /// MakerNoteUnknownText), e.g. DALL-E 2's
    /// "OpenAI--ImageGeneration--generation-…".
    pub maker_note_text: Option<String>,
    /// XPComment (0x9C9C, Windows' UTF-16 comment).
    pub xp_comment: Option<String>,
    /// CompositeImage (0xA460): 1 not a composite, 2 a general composite
    /// (Apple's computational photos), 3 composited while shooting.
    pub composite_image: Option<u32>,
    /// Artist (0x013B).
    pub artist: Option<String>,
    /// Orientation (0x0112), 1-8. Not applied to the pixels.
    pub orientation: Option<u32>,
    /// GPS latitude and longitude are present (the values are not reported).
    pub gps_present: bool,
    /// Size in bytes of the maker note, if any: cameras write one, software
    /// rarely keeps it.
    pub maker_note_bytes: Option<usize>,
    /// An embedded thumbnail (IFD1) is present.
    pub thumbnail_present: bool,
    /// Number of EXIF entries.
    pub entries: usize,
}

impl ExifSummary {
    /// Make, model and at least two exposure settings plus a capture date:
    /// what a camera writes and a generator does not.
    pub(crate) fn has_camera_fields(&self) -> bool {
        let exposure = [
            self.exposure_time.is_some(),
            self.f_number.is_some(),
            self.iso.is_some(),
            self.focal_length.is_some(),
        ];
        self.make.is_some()
            && self.model.is_some()
            && self.date_time_original.is_some()
            && exposure.iter().filter(|&&x| x).count() >= 2
    }
}

/// Reads EXIF from any container kamadak-exif supports (JPEG, PNG eXIf, WebP,
/// TIFF, HEIF/AVIF). Returns `Ok(None)` when there is no EXIF, `Err` with the
/// parser's message when it is corrupt (partial results are kept). EXIF
/// with more than `max_entries` entries is set aside with an error.
pub fn read(bytes: &[u8], max_entries: usize) -> (Option<ExifSummary>, Option<String>) {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    let bounded = |exif: Exif, problem: Option<String>| {
        let n = exif.fields().len();
        if n > max_entries {
            let why = format!("EXIF has {n} entries, over the limit of {max_entries}: ignored");
            return (None, Some(why));
        }
        (Some(summarize(&exif)), problem)
    };
    match reader.read_from_container(&mut Cursor::new(bytes)) {
        Ok(exif) => bounded(exif, None),
        Err(exif::Error::NotFound(_)) => (None, None),
        Err(exif::Error::PartialResult(partial)) => {
            let (exif, errors) = partial.into_inner();
            // A sub-IFD that links to a next IFD loses nothing: every field
            // is read (exiftool does not warn either).
            let msg = errors
                .iter()
                .find(|e| !matches!(e, exif::Error::InvalidFormat("Unexpected next IFD")))
                .map(|e| format!("EXIF partly corrupt: {e}"));
            bounded(exif, msg)
        }
        Err(e @ exif::Error::InvalidFormat(_)) | Err(e @ exif::Error::BlankValue(_)) => {
            (None, Some(format!("EXIF unreadable: {e}")))
        }
        Err(e) => (None, Some(format!("EXIF unreadable: {e}"))),
    }
}

fn summarize(exif: &Exif) -> ExifSummary {
    let get = |tag| exif.get_field(tag, In::PRIMARY);
    let text = |tag| get(tag).and_then(ascii);
    // A tag of the Exif sub-IFD that some writers put in IFD0.
    let anywhere = |tag: Tag| {
        get(tag).or_else(|| exif.get_field(Tag(Context::Tiff, tag.number()), In::PRIMARY))
    };
    ExifSummary {
        make: text(Tag::Make),
        model: text(Tag::Model),
        lens_model: text(Tag::LensModel),
        exposure_time: get(Tag::ExposureTime).and_then(rational),
        f_number: get(Tag::FNumber).and_then(rational),
        iso: get(Tag::PhotographicSensitivity).and_then(|f| f.value.get_uint(0)),
        focal_length: get(Tag::FocalLength).and_then(rational),
        date_time_original: text(Tag::DateTimeOriginal),
        sub_sec_time_original: text(Tag::SubSecTimeOriginal),
        offset_time_original: text(Tag::OffsetTimeOriginal),
        date_time: text(Tag::DateTime),
        software: text(Tag::Software),
        image_description: text(Tag::ImageDescription),
        user_comment: anywhere(Tag::UserComment).and_then(user_comment),
        maker_note_text: anywhere(Tag::MakerNote)
            .filter(|_| get(Tag::Make).is_none())
            .and_then(plain_text),
        xp_comment: get(Tag(Context::Tiff, 0x9C9C)).and_then(xp_text),
        composite_image: anywhere(Tag::CompositeImage).and_then(|f| f.value.get_uint(0)),
        artist: text(Tag::Artist),
        orientation: get(Tag::Orientation).and_then(|f| f.value.get_uint(0)),
        gps_present: exif
            .fields()
            .any(|f| f.tag == Tag::GPSLatitude || f.tag == Tag::GPSLongitude),
        maker_note_bytes: get(Tag::MakerNote).map(|f| match &f.value {
            Value::Undefined(v, _) | Value::Byte(v) => v.len(),
            _ => 0,
        }),
        thumbnail_present: exif
            .fields()
            .any(|f| f.ifd_num == In::THUMBNAIL && f.tag.context() == Context::Tiff),
        entries: exif.fields().len(),
    }
}

/// The first ASCII value (kamadak-exif splits at NULs, so the text stops at
/// the first one, as exiftool's does), trimmed; `None` if empty.
fn ascii(field: &Field) -> Option<String> {
    let Value::Ascii(parts) = &field.value else {
        return None;
    };
    trimmed(&String::from_utf8_lossy(parts.first()?))
}

/// Text trimmed of spaces and control characters at both ends; `None` if
/// nothing is left.
fn trimmed(text: &str) -> Option<String> {
    let t = text.trim_matches(|c: char| c.is_control() || c.is_whitespace());
    (!t.is_empty()).then(|| t.to_string())
}

/// Bytes up to the first NUL, as text.
fn until_nul(bytes: &[u8]) -> String {
    let end = memchr::memchr(0, bytes).unwrap_or(bytes.len());
    String::from_utf8_lossy(bytes.get(..end).unwrap_or_default()).into_owned()
}

/// A maker note that is all printable text (NUL padding aside), on a file
/// with no camera make: a generator's tag, not a camera's binary block
/// (which starts with its maker's name, "Nikon\0…").
fn plain_text(field: &Field) -> Option<String> {
    let bytes = match &field.value {
        Value::Undefined(v, _) | Value::Byte(v) => v.as_slice(),
        Value::Ascii(parts) => parts.first()?.as_slice(),
        _ => return None,
    };
    let text = until_nul(bytes);
    let padding_only = bytes
        .get(text.len()..)
        .is_some_and(|rest| rest.iter().all(|&b| b == 0));
    let printable = text.chars().all(|c| !c.is_control() && c != '\u{FFFD}');
    trimmed(&text).filter(|_| padding_only && printable)
}

/// XPComment: UTF-16LE in BYTE values, NUL-terminated.
fn xp_text(field: &Field) -> Option<String> {
    let Value::Byte(raw) = &field.value else {
        return None;
    };
    let units = raw
        .as_chunks::<2>()
        .0
        .iter()
        .map(|&pair| u16::from_le_bytes(pair))
        .take_while(|&u| u != 0);
    let text: String = char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    trimmed(&text)
}
fn rational(field: &Field) -> Option<f64> {
    match &field.value {
        Value::Rational(v) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        Value::SRational(v) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        _ => None,
    }
}

/// Decodes UserComment as exiftool does: an 8-byte charset header, then the
/// text. "ASCII" or an undefined (NUL) header: the text up to the first NUL.
/// "UNICODE": UTF-16 (A1111 writes it big-endian through piexif, sometimes
/// little-endian, so the byte order is inferred). "JIS": read as bytes.
/// Any other header is not a header: the whole value up to the first NUL
/// (DALL-E 2 writes plain ASCII with no header).
fn user_comment(field: &Field) -> Option<String> {
    let Value::Undefined(raw, _) = &field.value else {
        return ascii(field);
    };
    let (header, body) = raw.split_at(raw.len().min(8));
    let pad = |at: usize| header.get(at).is_some_and(|&b| b == 0 || b == b' ');
    let text = if header.first() == Some(&0) || (header.starts_with(b"ASCII") && pad(5)) {
        until_nul(body)
    } else if header.starts_with(b"UNICODE") && pad(7) {
        decode_utf16_guess(body)
    } else if header.starts_with(b"JIS") && (3..8).all(pad) {
        until_nul(body)
    } else {
        until_nul(raw)
    };
    trimmed(&text)
}

/// Decodes UTF-16 whose byte order is unknown: ASCII-heavy text has its zero
/// bytes on the high side, which tells the order.
pub(crate) fn decode_utf16_guess(body: &[u8]) -> String {
    let zeros_even = body.iter().step_by(2).filter(|&&b| b == 0).count();
    let zeros_odd = body.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let big_endian = zeros_even >= zeros_odd;
    let units = body.as_chunks::<2>().0.iter().map(|&pair| {
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_byte_order_is_inferred() {
        let be: Vec<u8> = "Steps: 20"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        let le: Vec<u8> = "Steps: 20"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode_utf16_guess(&be), "Steps: 20");
        assert_eq!(decode_utf16_guess(&le), "Steps: 20");
    }

    #[test]
    fn garbage_is_not_exif() {
        let (summary, _problem) = read(b"\xFF\xD8\xFF\xE1\x00\x10Exif\0\0garbage!", 100);
        assert!(summary.is_none_or(|s| s.make.is_none()));
    }
}
