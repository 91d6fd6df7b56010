//! XMP (ISO 16684-1): locating every packet in a file and flattening each
//! into (property, value) pairs with quick-xml, namespaces resolved so that
//! an unusual prefix cannot hide a property.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::limits::Limits;

/// A property found in XMP: canonical `prefix:LocalName` and its text value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Property {
    /// E.g. `Iptc4xmpExt:DigitalSourceType`.
    pub name: String,
    /// The value (attribute value, element text or `rdf:resource`).
    pub value: String,
}

/// Canonical prefixes of the namespaces this tool reads.
const NAMESPACES: &[(&str, &str)] = &[
    ("http://iptc.org/std/Iptc4xmpExt/2008-02-29/", "Iptc4xmpExt"),
    ("http://ns.adobe.com/photoshop/1.0/", "photoshop"),
    ("http://ns.adobe.com/xap/1.0/", "xmp"),
    ("http://ns.adobe.com/xap/1.0/mm/", "xmpMM"),
    ("http://ns.adobe.com/xap/1.0/sType/ResourceEvent#", "stEvt"),
    ("http://purl.org/dc/terms/", "dcterms"),
    ("http://purl.org/dc/elements/1.1/", "dc"),
    ("http://ns.adobe.com/tiff/1.0/", "tiff"),
    ("http://ns.adobe.com/exif/1.0/", "exif"),
    ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf"),
    ("adobe:ns:meta/", "x"),
];

/// Most properties kept from one packet.
const MAX_PROPERTIES: usize = 10_000;

/// Flattens one XMP packet. Returns the properties and, if parsing stopped
/// early (malformed XML, depth or size limit), why.
pub fn parse(packet: &str, limits: &Limits) -> (Vec<Property>, Option<String>) {
    let mut props = Vec::new();
    if packet.len() > limits.max_xmp_bytes {
        return (
            props,
            Some(format!(
                "XMP packet of {} bytes over the limit of {}",
                packet.len(),
                limits.max_xmp_bytes
            )),
        );
    }
    let mut reader = NsReader::from_str(packet);
    reader.config_mut().trim_text(true);
    // The element names from the root down to the current element.
    let mut stack: Vec<String> = Vec::new();
    loop {
        if props.len() >= MAX_PROPERTIES {
            return (props, Some("XMP has too many properties".into()));
        }
        let event = match reader.read_resolved_event() {
            Ok(ev) => ev,
            Err(e) => {
                return (
                    props,
                    Some(format!(
                        "XMP malformed at byte {}: {e}",
                        reader.buffer_position()
                    )),
                )
            }
        };
        match event {
            (ns, Event::Start(e)) => {
                let name = canonical(&ns, &e);
                push_attributes(&reader, &e, &name, &mut props);
                stack.push(name);
                if stack.len() > limits.max_xmp_depth {
                    return (
                        props,
                        Some(format!(
                            "XMP nested deeper than {} elements",
                            limits.max_xmp_depth
                        )),
                    );
                }
            }
            (ns, Event::Empty(e)) => {
                let name = canonical(&ns, &e);
                push_attributes(&reader, &e, &name, &mut props);
            }
            (_, Event::End(_)) => {
                stack.pop();
            }
            (_, Event::Text(t)) => {
                if let (Some(name), Ok(text)) = (property_owner(&stack), t.unescape()) {
                    push(&mut props, name, &text);
                }
            }
            (_, Event::CData(c)) => {
                if let Some(name) = property_owner(&stack) {
                    push(&mut props, name, &String::from_utf8_lossy(&c));
                }
            }
            (_, Event::Eof) => return (props, None),
            _ => {}
        }
    }
}

/// The property a text node belongs to: the innermost element that is not
/// RDF structure (`rdf:li`, `rdf:Seq`, `rdf:Description`...).
fn property_owner(stack: &[String]) -> Option<&str> {
    stack
        .iter()
        .rev()
        .find(|n| !n.starts_with("rdf:"))
        .map(String::as_str)
        .filter(|n| *n != "x:xmpmeta")
}

fn push(props: &mut Vec<Property>, name: &str, value: &str) {
    let value = value.trim();
    if !value.is_empty() {
        props.push(Property {
            name: name.to_string(),
            value: value.to_string(),
        });
    }
}

/// Attributes of an element are properties (`rdf:resource` belongs to the
/// element itself); namespace declarations and RDF bookkeeping are skipped.
fn push_attributes(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'_>,
    element: &str,
    props: &mut Vec<Property>,
) {
    for attr in e.attributes().with_checks(false).flatten() {
        let key = attr.key;
        if key.as_namespace_binding().is_some() {
            continue;
        }
        let (ns, local) = reader.resolve_attribute(key);
        let prefix = prefix_of(&ns, key.prefix().map(|p| p.into_inner()));
        let local = String::from_utf8_lossy(local.into_inner());
        let Ok(value) = attr.unescape_value() else {
            continue;
        };
        if prefix == "rdf" {
            if local == "resource" {
                push(props, element, &value);
            }
            continue;
        }
        push(props, &format!("{prefix}:{local}"), &value);
    }
}

fn canonical(ns: &ResolveResult<'_>, e: &BytesStart<'_>) -> String {
    let name = e.name();
    let prefix = prefix_of(ns, name.prefix().map(|p| p.into_inner()));
    format!(
        "{prefix}:{}",
        String::from_utf8_lossy(name.local_name().into_inner())
    )
}

fn prefix_of(ns: &ResolveResult<'_>, written: Option<&[u8]>) -> String {
    if let ResolveResult::Bound(uri) = ns {
        if let Some((_, p)) = NAMESPACES.iter().find(|(u, _)| u.as_bytes() == uri.0) {
            return (*p).to_string();
        }
    }
    written
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .unwrap_or_default()
}

/// Finds `<x:xmpmeta ...>...</x:xmpmeta>` packets anywhere in the bytes
/// (TIFF tag 700, HEIF items, generators that write XMP megabytes into a
/// file), skipping the byte ranges in `known` that were already read from
/// their container. At most `limits.max_xmp_packets` packets.
pub fn scan_raw(bytes: &[u8], known: &[(usize, usize)], limits: &Limits) -> Vec<(usize, String)> {
    const OPEN: &[u8] = b"<x:xmpmeta";
    const CLOSE: &[u8] = b"</x:xmpmeta>";
    let mut out = Vec::new();
    let mut from = 0;
    while out.len() < limits.max_xmp_packets {
        let Some(i) = memchr::memmem::find(bytes.get(from..).unwrap_or_default(), OPEN) else {
            break;
        };
        let start = from + i;
        from = start + OPEN.len();
        if known.iter().any(|&(a, b)| start >= a && start < b) {
            continue;
        }
        let window_end = bytes.len().min(start.saturating_add(limits.max_xmp_bytes));
        let window = bytes.get(start..window_end).unwrap_or_default();
        if let Some(j) = memchr::memmem::find(window, CLOSE) {
            let end = start + j + CLOSE.len();
            let packet = window.get(..j + CLOSE.len()).unwrap_or_default();
            out.push((start, String::from_utf8_lossy(packet).into_owned()));
            from = end;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description xmlns:ext="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
         ext:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
         xmp:CreatorTool="Some Tool">
        <photoshop:Credit xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">Made with Google AI</photoshop:Credit>
        <xmpMM:History xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#">
          <rdf:Seq><rdf:li stEvt:action="saved" stEvt:softwareAgent="Editor 1.0"/></rdf:Seq>
        </xmpMM:History>
      </rdf:Description></rdf:RDF></x:xmpmeta>"#;

    #[test]
    fn resolves_namespaces_not_prefixes() {
        let (props, problem) = parse(SAMPLE, &Limits::default());
        assert!(problem.is_none(), "{problem:?}");
        let get = |n: &str| props.iter().find(|p| p.name == n).map(|p| p.value.as_str());
        assert_eq!(
            get("Iptc4xmpExt:DigitalSourceType"),
            Some("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia")
        );
        assert_eq!(get("xmp:CreatorTool"), Some("Some Tool"));
        assert_eq!(get("photoshop:Credit"), Some("Made with Google AI"));
        assert_eq!(get("stEvt:softwareAgent"), Some("Editor 1.0"));
    }

    #[test]
    fn rdf_resource_belongs_to_its_element() {
        let x = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>
          <I:DigitalSourceType xmlns:I="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" rdf:resource="http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"/>
          </rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let (props, _) = parse(x, &Limits::default());
        assert_eq!(props[0].name, "Iptc4xmpExt:DigitalSourceType");
        assert!(props[0].value.ends_with("digitalCapture"));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = "<a>".repeat(1000) + &"</a>".repeat(1000);
        let (_, problem) = parse(&deep, &Limits::default());
        assert!(problem.unwrap().contains("nested"));
    }

    #[test]
    fn raw_scan_finds_packets_and_skips_known_ranges() {
        let mut file = b"junk....".to_vec();
        file.extend_from_slice(SAMPLE.as_bytes());
        file.extend_from_slice(b"tail");
        let found = scan_raw(&file, &[], &Limits::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 8);
        assert!(scan_raw(&file, &[(0, file.len())], &Limits::default()).is_empty());
    }
}
