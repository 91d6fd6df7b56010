//! Untrusted strings (metadata, file names) made safe for terminals and
//! reports: control characters and escape sequences are replaced, length is
//! bounded.

/// Replaces control characters (including ESC, so no terminal escape
/// sequence survives) and Unicode bidirectional overrides with `\u{FFFD}`-free
/// visible escapes, keeping ordinary text intact.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' => out.push(' '),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Sanitizes and shortens to at most `max_chars` characters (with an
/// ellipsis when cut), collapsing runs of white space.
pub(crate) fn excerpt(s: &str, max_chars: usize) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let clean = sanitize(&collapsed);
    if clean.chars().count() <= max_chars {
        clean
    } else {
        let mut cut: String = clean.chars().take(max_chars.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_escape_sequences_and_bidi() {
        assert_eq!(sanitize("a\x1b[31mred"), "a\\u{1b}[31mred");
        assert_eq!(sanitize("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(sanitize("Canon EOS"), "Canon EOS");
    }

    #[test]
    fn excerpt_bounds_length() {
        assert_eq!(excerpt("a  b\n c", 10), "a b c");
        assert_eq!(excerpt("abcdefghij", 5), "abcd…");
    }
}
