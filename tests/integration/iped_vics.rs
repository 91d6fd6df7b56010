//! An independent reader of `vics.json`, written from the token loop of
//! IPED's `HashDBTool.readProjectVIC` (sepinf-inc/IPED,
//! iped-engine/src/main/java/iped/engine/hashdb/HashDBTool.java): a
//! Jackson-style token stream, the same depth counting, the same fields.
//! It shares no type with the project, so it fails where IPED fails.

use std::collections::BTreeMap;

/// One JSON token, as Jackson names them.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    StartObject,
    EndObject,
    StartArray,
    EndArray,
    FieldName(String),
    Text(String),
    Int(i64),
    Number,
    True,
    False,
    Null,
}

/// A pull tokenizer over a JSON text.
struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    /// The field name before the current token (Jackson's `currentName`
    /// for a value), or the current field name.
    name: Option<String>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            text: text.as_bytes(),
            at: 0,
            name: None,
        }
    }

    fn skip_space(&mut self) {
        while self
            .text
            .get(self.at)
            .is_some_and(|&b| b.is_ascii_whitespace() || b == b',' || b == b':')
        {
            self.at += 1;
        }
    }

    fn string(&mut self) -> String {
        let start = self.at;
        self.at += 1;
        while self.text[self.at] != b'"' {
            self.at += if self.text[self.at] == b'\\' { 2 } else { 1 };
        }
        self.at += 1;
        serde_json::from_slice(&self.text[start..self.at]).expect("a JSON string")
    }

    fn next_token(&mut self) -> Option<Token> {
        self.skip_space();
        let previous_name = self.name.take();
        let token = match *self.text.get(self.at)? {
            b'{' => Token::StartObject,
            b'}' => Token::EndObject,
            b'[' => Token::StartArray,
            b']' => Token::EndArray,
            b'"' => {
                let s = self.string();
                self.skip_inline_space();
                if self.text.get(self.at) == Some(&b':') {
                    self.name = Some(s.clone());
                    return Some(Token::FieldName(s));
                }
                self.name = previous_name;
                return Some(Token::Text(s));
            }
            b't' => self.literal(4, Token::True),
            b'f' => self.literal(5, Token::False),
            b'n' => self.literal(4, Token::Null),
            _ => {
                let start = self.at;
                while self
                    .text
                    .get(self.at)
                    .is_some_and(|b| b"+-0123456789.eE".contains(b))
                {
                    self.at += 1;
                }
                let n = std::str::from_utf8(&self.text[start..self.at]).unwrap();
                self.name = previous_name;
                return Some(n.parse().map_or(Token::Number, Token::Int));
            }
        };
        if matches!(token, Token::True | Token::False | Token::Null) {
            self.name = previous_name;
        } else {
            self.at += 1;
        }
        Some(token)
    }

    fn skip_inline_space(&mut self) {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn literal(&mut self, len: usize, token: Token) -> Token {
        self.at += len;
        token
    }

    /// Jackson's `nextTextValue`: the next token's text if it is a string.
    fn next_text_value(&mut self) -> Option<String> {
        match self.next_token()? {
            Token::Text(s) => Some(s),
            _ => None,
        }
    }

    /// Jackson's `nextIntValue(default)`.
    fn next_int_value(&mut self, default: i64) -> i64 {
        match self.next_token() {
            Some(Token::Int(n)) => n,
            _ => default,
        }
    }

    /// Jackson's `currentName` for the token just read.
    fn current_name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

/// One imported hash record: its hashes and the properties IPED stores
/// (`vicTags`, `vicCategory`, `status`, `set`, …).
#[derive(Debug, Default, Clone)]
pub(crate) struct Imported {
    pub md5: Option<String>,
    pub sha1: Option<String>,
    pub properties: BTreeMap<String, String>,
}

const MODEL: &str =
    "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media";
const STATUS: [&str; 3] = ["known", "pedo", "pedo"];

/// Reads a VICS 2.0 Media file as IPED does; `Err` with IPED's message
/// where IPED throws.
pub(crate) fn read_project_vic(json: &str) -> Result<Vec<Imported>, String> {
    let mut jp = Parser::new(json);
    if jp.next_token() != Some(Token::StartObject) {
        return Err("Error: root JSON should be an object.".into());
    }
    let mut imported = Vec::new();
    let mut record = Imported::default();
    let mut has_hash = false;
    loop {
        let Some(Token::FieldName(key)) = jp.next_token() else {
            // END_OBJECT of the root ends the file.
            return Ok(imported);
        };
        let value = jp.next_text_value();
        if key != "@odata.context" || value.as_deref() != Some(MODEL) {
            return Err("Error: Unknown ProjectVic JSON data model!".into());
        }
        if jp.next_token() != Some(Token::FieldName("value".into())) {
            return Err("Error: Unexpected property in ProjectVic JSON".into());
        }
        let mut depth = 0;
        loop {
            let token = jp.next_token().ok_or("unexpected end of the file")?;
            match token {
                Token::StartArray => depth += 1,
                Token::EndArray => depth -= 1,
                _ if depth == 1 => {
                    let name = jp.current_name().map(str::to_string);
                    let field = |n: &str| {
                        matches!(&token, Token::FieldName(_))
                            && name.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(n))
                    };
                    if token == Token::StartObject {
                        record = Imported::default();
                        has_hash = false;
                    } else if field("Category") {
                        let cat = jp.next_int_value(-1);
                        if cat >= 0 {
                            record
                                .properties
                                .insert("vicCategory".into(), cat.to_string());
                            if let Some(s) = STATUS.get(cat as usize) {
                                record.properties.insert("status".into(), s.to_string());
                            }
                        }
                    } else if field("MD5") || field("SHA1") {
                        // Java: jp.nextTextValue().trim(): a null throws.
                        let value = jp
                            .next_text_value()
                            .ok_or("NullPointerException: a hash is not a string")?;
                        let value = value.trim().to_string();
                        if field("MD5") {
                            record.md5 = Some(value);
                        } else {
                            record.sha1 = Some(value);
                        }
                        has_hash = true;
                    } else if ["VictimIdentified", "OffenderIdentified", "IsDistributed"]
                        .iter()
                        .chain(&["Series", "IsPrecategorized", "Tags"])
                        .any(|n| field(n))
                    {
                        let value = match jp.next_token() {
                            Some(Token::Text(s)) => Some(s.replace('|', " ").trim().to_string()),
                            Some(Token::True) => Some("true".into()),
                            Some(Token::False) => Some("false".into()),
                            _ => None,
                        };
                        if let Some(v) = value.filter(|v| !v.is_empty()) {
                            record.properties.insert(format!("vic{}", name.unwrap()), v);
                        }
                    } else if token == Token::EndObject && has_hash && !record.properties.is_empty()
                    {
                        record.properties.insert("set".into(), "ProjectVIC".into());
                        imported.push(record.clone());
                        has_hash = false;
                    }
                }
                _ => {}
            }
            if depth == 0 {
                break;
            }
        }
    }
}

#[test]
fn the_reader_fails_where_iped_fails() {
    let ok = format!(
        r#"{{"@odata.context": "{MODEL}", "value": [{{"MediaID": 1, "MD5": "AB", "SHA1": "CD", "Tags": "provenant:inconclusive", "Exifs": [{{"PropertyName": "Make", "MD5": "AB"}}]}}]}}"#
    );
    let records = read_project_vic(&ok).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].properties["vicTags"], "provenant:inconclusive");
    assert!(!records[0].properties.contains_key("status"));
    // Tags as an array: the depth count breaks and the reader throws.
    let array = ok.replace(
        r#""provenant:inconclusive""#,
        r#"["provenant:inconclusive"]"#,
    );
    assert!(read_project_vic(&array).is_err());
    // Category 0 imports as "known".
    let zero = ok.replace(r#""MediaID": 1,"#, r#""MediaID": 1, "Category": 0,"#);
    assert_eq!(
        read_project_vic(&zero).unwrap()[0].properties["status"],
        "known"
    );
    // A null hash throws.
    assert!(read_project_vic(&ok.replace(r#""AB","#, "null,")).is_err());
}
