//! The one door between text mastery did not write (deck files, file
//! names, typed input, database rows) and the terminal: control characters
//! are shown as visible escapes, so a deck can't clear the screen, set the
//! window title or write the clipboard (OSC 52).

use std::borrow::Cow;

/// Is `c` a character that would drive the terminal rather than print?
/// Newline and tab are layout and pass; every other C0 control, DEL, the
/// C1 controls, and the bidirectional overrides that can reorder what is
/// shown ("Trojan Source") are escaped.
pub(super) fn is_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character replaced by a visible escape:
/// `\x1b` for ESC, `\u{9b}` for a C1 control.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

/// Adds `c` as `sanitize` shows it: itself, or the visible escape of a
/// control character. Returns whether it was escaped.
pub(super) fn push_visible(out: &mut String, c: char) -> bool {
    use std::fmt::Write;
    if !is_control(c) {
        out.push(c);
        return false;
    }
    // Writing to a String can't fail.
    let _ = if (c as u32) < 0x80 {
        write!(out, "\\x{:02x}", c as u32)
    } else {
        write!(out, "\\u{{{:x}}}", c as u32)
    };
    true
}

/// Text that must stay on one line (a message quoting what the learner
/// typed): a line break in it is shown as `\n` or `\r`, not obeyed.
/// `sanitize` keeps line breaks, which multi-line text needs.
pub fn single_line(text: &str) -> Cow<'_, str> {
    if !text.contains(['\n', '\r']) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace('\r', "\\r").replace('\n', "\\n"))
}

/// JSON text with the control characters that JSON allows raw (DEL, C1,
/// bidirectional overrides) written as `\uXXXX` escapes, so that JSON
/// printed to a terminal is as inert as plain text and still valid JSON.
pub fn sanitize_json(json: &str) -> Cow<'_, str> {
    if !json.chars().any(is_control) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if is_control(c) {
            // Raw C0 controls can't occur: serde_json escapes them.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("tag:hooks", "tag:hooks")]
    #[case("zz\nqq", "zz\\nqq")]
    #[case("a\r\nb", "a\\r\\nb")]
    fn single_line_shows_line_breaks(#[case] text: &str, #[case] shown: &str) {
        assert_eq!(single_line(text), shown);
    }

    #[rstest]
    #[case::plain("Exit code 2\n\tblocks", "Exit code 2\n\tblocks")]
    #[case::clear_screen("a\u{1b}[2Jb", "a\\x1b[2Jb")]
    #[case::osc52("\u{1b}]52;c;aGk=\u{7}", "\\x1b]52;c;aGk=\\x07")]
    #[case::carriage_return("shown\rhidden", "shown\\x0dhidden")]
    #[case::del_and_c1("\u{7f}\u{9b}31m", "\\x7f\\u{9b}31m")]
    #[case::bidi("abc\u{202e}fed", "abc\\u{202e}fed")]
    #[case::unicode_text("café ✓ 日本", "café ✓ 日本")]
    fn controls_become_visible(#[case] text: &str, #[case] expected: &str) {
        assert_eq!(sanitize(text), expected);
    }

    #[test]
    fn json_stays_valid_and_inert() {
        let json = serde_json::to_string(&"a\u{1b}[2J\u{9b}\u{202e}").unwrap();
        let safe = sanitize_json(&json);
        assert!(!safe.chars().any(is_control), "{safe}");
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "a\u{1b}[2J\u{9b}\u{202e}");
    }
}
