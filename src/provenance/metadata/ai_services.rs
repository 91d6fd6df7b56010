//! The names AI image services write into the files they make, as data:
//! `data/ai-services.csv` (one row per spelling, each with its source), read
//! once. A name in the field family its row names is a declaration; the
//! same name anywhere else is a strong mention, not a declaration.

use std::sync::LazyLock;

use crate::provenance::{Meaning, Strength};

/// The table as shipped, embedded in the binary.
const TABLE: &str = include_str!("../../../data/ai-services.csv");

/// Where a text was found, from the most to the least trustworthy place for
/// a service's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Field {
    /// A signed C2PA field: claim generator, claim_generator_info, an
    /// action's softwareAgent, the signer.
    Signed,
    /// A software field: EXIF Software, XMP CreatorTool / Software / history
    /// agents, IPTC Originating Program, PNG Software, and the credit and
    /// title lines generators sign with their name.
    Software,
    /// Any other text: comments, descriptions, credits, PNG text.
    Text,
}

impl Field {
    /// The family of a text entry's key (EXIF, XMP, IPTC or PNG names).
    pub(crate) fn of_key(key: &str) -> Field {
        match key {
            "Software"
            | "xmp:CreatorTool"
            | "xmp:Software"
            | "tiff:Software"
            | "stEvt:softwareAgent"
            | "OriginatingProgram" => Field::Software,
            // The PNG keys and credit lines generators fill with their own name.
            "Title" | "Source" | "Credit" | "photoshop:Credit" => Field::Software,
            _ => Field::Text,
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Service {
    /// The product, as the report names it.
    pub service: String,
    /// The spelling searched for, lowercased.
    pub pattern: String,
    /// The widest field family in which the spelling is a declaration.
    pub declared_in: Field,
    /// `AiGenerated` or `AiEdited`.
    pub meaning: Meaning,
}

/// A name found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Match {
    /// The row that matched.
    pub service: &'static Service,
    /// `Declared` in the row's field family, `Strong` elsewhere.
    pub strength: Strength,
}

static SERVICES: LazyLock<Vec<Service>> = LazyLock::new(|| parse(TABLE));

/// Parses the table; rows that do not parse are skipped (the unit test
/// checks that every row of the shipped table parses).
fn parse(table: &str) -> Vec<Service> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(table.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|row| {
            let declared_in = match row.get(2)? {
                "signed" => Field::Signed,
                "software" => Field::Software,
                "text" => Field::Text,
                _ => return None,
            };
            let meaning = match row.get(3)? {
                "generated" => Meaning::AiGenerated,
                "edited" => Meaning::AiEdited,
                _ => return None,
            };
            row.get(4).filter(|s| !s.trim().is_empty())?;
            Some(Service {
                service: row.get(0)?.to_string(),
                pattern: row.get(1)?.to_lowercase(),
                declared_in,
                meaning,
            })
        })
        .collect()
}

/// The first service whose name `value` contains as whole words, with the
/// strength the field gives it: rows are tried in table order, declarations
/// before mentions.
pub(crate) fn find(value: &str, field: Field) -> Option<Match> {
    let lower = value.to_lowercase();
    let named: Vec<&'static Service> = SERVICES
        .iter()
        .filter(|s| contains_word(&lower, &s.pattern))
        .collect();
    let declared = named.iter().find(|s| field <= s.declared_in);
    match declared {
        Some(s) => Some(Match {
            service: s,
            strength: Strength::Declared,
        }),
        None => named.first().map(|s| Match {
            service: s,
            strength: Strength::Strong,
        }),
    }
}

/// Longest free text quoted whole in a finding.
const MAX_QUOTED: usize = 80;

/// What a finding quotes of the text a service was named in: a software
/// name or a short phrase whole, but not a long free text (a description or
/// comment may hold a prompt, which reports do not show).
pub(crate) fn quoted(value: &str, m: &Match, field: Field) -> String {
    let n = value.chars().count();
    if field == Field::Text && n > MAX_QUOTED {
        format!(
            "names {} in {n} characters of text (not shown)",
            m.service.service
        )
    } else {
        format!("{value} ({})", m.service.service)
    }
}

/// `needle` occurs in `haystack` with no letter or digit on either side.
fn contains_word(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_shipped_table_parses_and_has_a_source() {
        let rows = TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        // The header line is not a row.
        assert_eq!(SERVICES.len(), rows - 1);
        assert!(SERVICES.len() > 50);
    }

    #[test]
    fn a_name_declares_only_in_its_field_family() {
        let designer = find("Image Creator from Designer", Field::Signed).unwrap();
        assert_eq!(designer.strength, Strength::Declared);
        assert_eq!(
            designer.service.service,
            "Microsoft Designer / Bing Image Creator"
        );
        // The same words in a free-text field are a mention.
        let mention = find("like Image Creator from Designer", Field::Text).unwrap();
        assert_eq!(mention.strength, Strength::Strong);
        // A software-family name declares in software and signed fields.
        assert_eq!(
            find("Midjourney v6", Field::Software).unwrap().strength,
            Strength::Declared
        );
        assert_eq!(
            find("Midjourney", Field::Signed).unwrap().strength,
            Strength::Declared
        );
        assert_eq!(
            find("my midjourney homage", Field::Text).unwrap().strength,
            Strength::Strong
        );
        // A text-family phrase declares anywhere.
        let labs = find("Made with OpenAI Labs", Field::Text).unwrap();
        assert_eq!(
            (labs.strength, labs.service.meaning),
            (Strength::Declared, Meaning::AiGenerated)
        );
        let edited = find("Edited with Google AI", Field::Text).unwrap();
        assert_eq!(edited.service.meaning, Meaning::AiEdited);
    }

    #[test]
    fn long_free_text_is_not_quoted() {
        let long = format!("{} Made with OpenAI Labs", "words ".repeat(30));
        let m = find(&long, Field::Text).unwrap();
        let q = quoted(&long, &m, Field::Text);
        assert!(q.contains("not shown") && !q.contains("words"), "{q}");
        let m = find("Midjourney", Field::Software).unwrap();
        assert_eq!(
            quoted("Midjourney", &m, Field::Software),
            "Midjourney (Midjourney)"
        );
    }

    #[test]
    fn names_match_whole_words_only() {
        assert!(find("Adobe Firefly 2", Field::Software).is_some());
        assert!(find("Imagenomic Portraiture", Field::Software).is_none());
        assert!(find("Adobe Photoshop 25.0", Field::Software).is_none());
        assert!(find("Canon EOS 5D", Field::Software).is_none());
        assert!(find("Soraya", Field::Signed).is_none());
        assert!(
            find("OpenAI--ImageGeneration--generation-LtPok", Field::Text)
                .is_some_and(|m| m.strength == Strength::Declared)
        );
    }
}
