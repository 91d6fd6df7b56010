//! EXIF (CIPA DC-008) through kamadak-exif: camera fields, dates, and the
//! free-text fields where generators leave their parameters.

use exif::{Context, Exif, Field, In, Tag, Value};
use serde::{Deserialize, Serialize};
use std::io::Cursor;

/// The EXIF fields an analyst looks at, as the file states them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// UserComment decoded from its charset header (0x9286).
    pub user_comment: Option<String>,
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
    pub fn has_camera_fields(&self) -> bool {
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
            let msg = errors
                .first()
                .map(|e| format!("EXIF partly corrupt: {e}"))
                .unwrap_or_default();
            bounded(exif, Some(msg))
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
        user_comment: get(Tag::UserComment).and_then(user_comment),
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

/// The first ASCII value, trimmed of NULs and spaces; `None` if empty.
fn ascii(field: &Field) -> Option<String> {
    let Value::Ascii(parts) = &field.value else {
        return None;
    };
    let raw = parts.first()?;
    let s = String::from_utf8_lossy(raw);
    let t = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!t.is_empty()).then(|| t.to_string())
}

fn rational(field: &Field) -> Option<f64> {
    match &field.value {
        Value::Rational(v) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        Value::SRational(v) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        _ => None,
    }
}

/// Decodes UserComment: an 8-byte charset header ("ASCII", "UNICODE",
/// "JIS" or undefined) then the text. A1111 writes UTF-16 here (big-endian
/// through piexif, sometimes little-endian), so the byte order is inferred.
fn user_comment(field: &Field) -> Option<String> {
    let Value::Undefined(raw, _) = &field.value else {
        return ascii(field);
    };
    let (header, body) = raw.split_at(raw.len().min(8));
    let text = if header.starts_with(b"UNICODE") {
        decode_utf16_guess(body)
    } else {
        String::from_utf8_lossy(body).into_owned()
    };
    let t = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!t.is_empty()).then(|| t.to_string())
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
