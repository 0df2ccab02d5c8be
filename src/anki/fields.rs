//! A card's text as Anki fields: Markdown rendered to HTML (text escaped),
//! a cloze's hidden part as Anki's `{{c1::…}}`, the stripped sort field and
//! its checksum, and tags without spaces.

use pulldown_cmark::{Options, Parser, html};

use crate::deck::cards::BLANK;

/// Markdown as HTML. `<`, `>` and `&` in text come out escaped; raw HTML
/// in a deck is escaped too, so a card never injects markup into Anki.
pub fn html(markdown: &str) -> String {
    let events = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|e| match e {
        pulldown_cmark::Event::Html(t) | pulldown_cmark::Event::InlineHtml(t) => {
            pulldown_cmark::Event::Text(t)
        }
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    // A one-paragraph field shows as Anki's own text does, without the
    // paragraph's margins.
    let trimmed = out.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|t| t.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => trimmed.to_string(),
    }
}

/// Text for inside HTML, escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// A cloze card's text for Anki's Cloze note type: the front with its
/// blank filled by `{{c1::answer}}`. The answer is escaped so that a `}}`
/// or `::` in it can't end the deletion or start a hint.
pub fn cloze_text(front: &str, answer: &str) -> String {
    const HOLE: &str = "MASTERYCLOZEHOLE";
    let rendered = html(&front.replacen(BLANK, HOLE, 1));
    let inner = escape(answer)
        .replace("}}", "}&#125;")
        .replace("::", ":&#58;");
    rendered.replacen(HOLE, &format!("{{{{c1::{inner}}}}}"), 1)
}

/// Anki's sort field: the field's text without tags, entities decoded.
pub fn strip_html(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut in_tag = false;
    for c in field.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// Anki's field checksum: the first 8 hex digits of the SHA-1 of the
/// stripped sort field, as a number (its duplicate check reads it).
pub fn checksum(sort_field: &str) -> i64 {
    let digest = sha1_smol::Sha1::from(sort_field).digest().bytes();
    i64::from(u32::from_be_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]))
}

/// A tag as Anki stores it: no spaces (they separate tags), no control
/// characters, `::` kept as its hierarchy separator.
pub fn tag(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| {
            if c.is_whitespace() || c.is_control() || c == '"' {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// Anki's `notes.tags`: space-separated, with a space at either end.
pub fn tags_column(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!(" {} ", tags.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        "Exit code `2` & <stderr>",
        "Exit code <code>2</code> &amp; &lt;stderr&gt;"
    )]
    #[case("**bold**", "<strong>bold</strong>")]
    #[case("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;")]
    #[case("a\n\nb", "<p>a</p>\n<p>b</p>")]
    fn markdown_becomes_escaped_html(#[case] md: &str, #[case] out: &str) {
        assert_eq!(html(md), out);
    }

    #[test]
    fn code_blocks_keep_their_text_escaped() {
        let h = html("```sh\nls <dir> && echo\n```");
        assert!(h.contains("ls &lt;dir&gt; &amp;&amp; echo"), "{h}");
        assert!(h.starts_with("<pre><code"), "{h}");
    }

    #[rstest]
    #[case(
        "A hook that exits […] succeeded.",
        "0",
        "A hook that exits {{c1::0}} succeeded."
    )]
    #[case("Use […] here", "a}}b::c<", "Use {{c1::a}&#125;b:&#58;c&lt;}} here")]
    #[case("[…] and […]", "x", "{{c1::x}} and […]")]
    fn a_cloze_hides_its_own_deletion(
        #[case] front: &str,
        #[case] answer: &str,
        #[case] out: &str,
    ) {
        assert_eq!(cloze_text(front, answer), out);
    }

    #[test]
    fn the_sort_field_is_stripped_and_its_checksum_is_anki_s() {
        assert_eq!(strip_html("hello <b>x</b> &amp; y"), "hello x & y");
        // The checksum Anki itself stored for the sort field "hello x".
        assert_eq!(checksum("hello x"), 1_759_323_011);
    }

    #[rstest]
    #[case("Codex session architecture", "Codex_session_architecture")]
    #[case(" hooks ", "hooks")]
    #[case("a\tb\"c", "a_b_c")]
    fn tags_have_no_spaces(#[case] text: &str, #[case] out: &str) {
        assert_eq!(tag(text), out);
    }
}
