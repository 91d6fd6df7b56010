//! IPTC IIM (IPTC-NAA Information Interchange Model 4.2) inside a Photoshop
//! APP13 image-resource block (8BIM resource 0x0404).

use serde::{Deserialize, Serialize};

use crate::container::{be16, be32};

/// The IIM application-record fields an analyst reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IptcSummary {
    /// 2:05 Object Name (title).
    pub object_name: Option<String>,
    /// 2:80 By-line (creator).
    pub byline: Option<String>,
    /// 2:110 Credit ("Made with Google AI" on some generated images).
    pub credit: Option<String>,
    /// 2:115 Source.
    pub source: Option<String>,
    /// 2:116 Copyright Notice.
    pub copyright: Option<String>,
    /// 2:120 Caption/Abstract.
    pub caption: Option<String>,
    /// 2:65 Originating Program.
    pub originating_program: Option<String>,
    /// 2:55 Date Created (CCYYMMDD).
    pub date_created: Option<String>,
    /// 2:25 Keywords.
    pub keywords: Vec<String>,
}

/// Most keywords kept.
const MAX_KEYWORDS: usize = 64;

/// Extracts the IIM block from a Photoshop "Photoshop 3.0\0" APP13 payload
/// (after the signature): walks `8BIM` resources until 0x0404.
pub fn iim_from_photoshop(mut data: &[u8]) -> Option<&[u8]> {
    while data.len() >= 12 && data.starts_with(b"8BIM") {
        let id = be16(data, 4)?;
        // Pascal string name, padded to an even total length (incl. length byte).
        let name_len = usize::from(*data.get(6)?);
        let name_total = (name_len + 1 + 1) & !1;
        let size_at = 6 + name_total;
        let size = be32(data, size_at)? as usize;
        let start = size_at + 4;
        let end = start.checked_add(size)?;
        let body = data.get(start..end)?;
        if id == 0x0404 {
            return Some(body);
        }
        let next = end + (size & 1);
        data = data.get(next..)?;
    }
    None
}

/// Parses IIM datasets (tag marker 0x1C, record, dataset, length).
pub fn parse(mut iim: &[u8]) -> IptcSummary {
    let mut s = IptcSummary::default();
    while let Some(&[0x1C, record, dataset]) = iim.get(..3) {
        let Some(len) = be16(iim, 3) else { break };
        // Extended lengths (high bit set) are only used for huge objects we skip.
        if len & 0x8000 != 0 {
            break;
        }
        let Some(value) = iim.get(5..5 + usize::from(len)) else {
            break;
        };
        if record == 2 {
            // IIM text is UTF-8 when record 1:90 says so, else (in practice)
            // Latin-1, as exiftool reads it: UTF-8 if valid, Latin-1 if not.
            let text = match std::str::from_utf8(value) {
                Ok(utf8) => utf8.trim().to_string(),
                Err(_) => value
                    .iter()
                    .map(|&b| char::from(b))
                    .collect::<String>()
                    .trim()
                    .to_string(),
            };
            let slot = match dataset {
                5 => Some(&mut s.object_name),
                80 => Some(&mut s.byline),
                110 => Some(&mut s.credit),
                115 => Some(&mut s.source),
                116 => Some(&mut s.copyright),
                120 => Some(&mut s.caption),
                65 => Some(&mut s.originating_program),
                55 => Some(&mut s.date_created),
                25 => {
                    if s.keywords.len() < MAX_KEYWORDS && !text.is_empty() {
                        s.keywords.push(text.clone());
                    }
                    None
                }
                _ => None,
            };
            if let Some(slot) = slot {
                if slot.is_none() && !text.is_empty() {
                    *slot = Some(text);
                }
            }
        }
        iim = iim.get(5 + usize::from(len)..).unwrap_or_default();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iim_inside_8bim() {
        let mut iim = Vec::new();
        for (ds, v) in [(110u8, "Made with Google AI"), (25, "a"), (25, "b")] {
            iim.extend_from_slice(&[0x1C, 2, ds]);
            iim.extend_from_slice(&(v.len() as u16).to_be_bytes());
            iim.extend_from_slice(v.as_bytes());
        }
        let mut res = b"8BIM\x04\x04\0\0".to_vec();
        res.extend_from_slice(&(iim.len() as u32).to_be_bytes());
        res.extend_from_slice(&iim);
        let body = iim_from_photoshop(&res).unwrap();
        let s = parse(body);
        assert_eq!(s.credit.as_deref(), Some("Made with Google AI"));
        assert_eq!(s.keywords, vec!["a", "b"]);
        assert!(iim_from_photoshop(b"8BIM\x04\x04\0\0\xFF\xFF\xFF\xFF").is_none());
    }
}
