//! The Markdown deck parser. It reports every error in a file, each at its
//! line, and never panics on any input.

use serde::Deserialize;

use super::markdown::{Fences, heading};
use super::{Content, Deck, Note, NoteKind, derived_slug};
use crate::error::Diag;

/// Decks are hand-written; anything bigger is a mistake, not a deck.
pub const MAX_FILE_BYTES: usize = 1 << 20;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: Option<String>,
    title: Option<String>,
    module: Option<i64>,
    category: Option<String>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// The refusal of an oversized deck, with its exact size: a rounded one
/// ("1.0 MiB; decks over 1 MiB are refused") would contradict itself.
pub fn too_big(bytes: u64) -> String {
    format!(
        "file is {bytes} bytes; decks over {MAX_FILE_BYTES} bytes (1 MiB) are refused: split it into several files"
    )
}

/// Parses one deck file. `default_key` is the deck id when the front matter
/// sets none (the path without `.md`).
pub fn parse_deck(path: &str, default_key: &str, bytes: &[u8]) -> Result<Deck, Vec<Diag>> {
    match parse_deck_all(path, default_key, bytes) {
        (Some(deck), errors) if errors.is_empty() => Ok(deck),
        (_, errors) => Err(errors),
    }
}

/// Parses one deck file and returns every error with whatever notes did
/// parse, so that checks across notes (duplicate ids) still run on a file
/// that has other errors. `None` when the bytes are not text at all.
pub fn parse_deck_all(path: &str, default_key: &str, bytes: &[u8]) -> (Option<Deck>, Vec<Diag>) {
    match decode(path, bytes) {
        Ok(text) => {
            let (deck, errors) = Parser::new(path, text).run(default_key);
            (Some(deck), errors)
        }
        Err(d) => (None, vec![d]),
    }
}

/// Checks size, binary content and UTF-8 before anything is parsed. A
/// UTF-8 byte order mark is dropped: editors on Windows write one, and left
/// in place it would hide the front matter's opening `+++`.
pub fn decode<'a>(path: &str, bytes: &'a [u8]) -> Result<&'a str, Diag> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Diag::new(path, 0, too_big(bytes.len() as u64)));
    }
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        return Err(Diag::new(
            path,
            line_at(bytes, at),
            "binary data (a NUL byte), not a Markdown deck",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Diag::new(
            path,
            line_at(bytes, e.valid_up_to()),
            "invalid UTF-8: save the file as UTF-8",
        )
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

fn line_at(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

struct Heading<'a> {
    line: usize,
    text: &'a str,
}

struct Parser<'a> {
    path: &'a str,
    lines: Vec<&'a str>,
    errors: Vec<Diag>,
}

impl<'a> Parser<'a> {
    fn new(path: &'a str, text: &'a str) -> Self {
        let lines = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        Parser {
            path,
            lines,
            errors: Vec::new(),
        }
    }

    fn error(&mut self, line: usize, message: impl Into<String>) {
        self.errors.push(Diag::new(self.path, line, message));
    }

    fn run(mut self, default_key: &str) -> (Deck, Vec<Diag>) {
        let (front, body_start) = self.front_matter();
        let key = front.id.clone().unwrap_or_else(|| default_key.to_string());
        if !valid_id(&key) {
            self.error(
                1,
                format!("invalid deck id '{key}': use letters, digits, '-', '_', '.' and '/'"),
            );
        }
        let title = front.title.clone().unwrap_or_else(|| key.clone());
        let notes = self.notes(body_start, &key, &title);
        let deck = Deck {
            key,
            title,
            module: front.module.and_then(|m| u8::try_from(m).ok()),
            category: front.category,
            requires: front.requires,
            tags: front.tags,
            path: self.path.to_string(),
            notes,
            warnings: Vec::new(),
        };
        (deck, self.errors)
    }

    /// Returns the front matter and the index of the first body line.
    fn front_matter(&mut self) -> (FrontMatter, usize) {
        if self.lines.first().map(|l| l.trim_end()) != Some("+++") {
            return (FrontMatter::default(), 0);
        }
        let Some(close) = self
            .lines
            .iter()
            .skip(1)
            .position(|l| l.trim_end() == "+++")
        else {
            self.error(
                1,
                "front matter opened with '+++' is never closed: add a '+++' line after it",
            );
            return (FrontMatter::default(), self.lines.len());
        };
        let close = close + 1;
        let toml_text = self.lines[1..close].join("\n");
        match toml::from_str::<FrontMatter>(&toml_text) {
            Ok(front) => {
                if let Some(m) = front.module.filter(|m| !(1..=8).contains(m)) {
                    let line = self.lines[1..close]
                        .iter()
                        .position(|l| l.trim_start().starts_with("module"))
                        .map_or(1, |i| i + 2);
                    self.error(line, format!("module must be 1 to 8, not {m}"));
                }
                (front, close + 1)
            }
            Err(e) => {
                let line = e
                    .span()
                    .map_or(1, |s| 1 + line_at(toml_text.as_bytes(), s.start));
                let message = e.message().trim().to_string();
                self.error(line, format!("front matter: {message}"));
                (FrontMatter::default(), close + 1)
            }
        }
    }

    fn notes(&mut self, start: usize, deck_key: &str, deck_title: &str) -> Vec<Note> {
        let mut notes = Vec::new();
        let mut topic = deck_title.to_string();
        let mut current: Option<Heading<'a>> = None;
        let mut body: Vec<&'a str> = Vec::new();
        let mut fences = Fences::default();
        for index in start..self.lines.len() {
            let line = self.lines[index];
            let number = index + 1;
            let level = if fences.code(line, number) {
                None
            } else {
                heading(line).filter(|(level, _)| *level <= 2)
            };
            match level {
                Some((1, text)) | Some((2, text)) => {
                    if let Some(h) = current.take() {
                        notes.extend(self.note(h, &body, &topic, deck_key));
                    }
                    body.clear();
                    if level.map(|l| l.0) == Some(1) {
                        topic = text.to_string();
                    } else {
                        current = Some(Heading { line: number, text });
                    }
                }
                _ => body.push(line),
            }
        }
        if let Some(h) = current.take() {
            notes.extend(self.note(h, &body, &topic, deck_key));
        }
        if let Some(open) = fences.unclosed() {
            let fence: String = std::iter::repeat_n(open.marker, open.len).collect();
            self.error(
                open.line,
                format!("code fence '{fence}' is never closed: add a closing '{fence}' line, or every later note is swallowed by it"),
            );
        }
        notes
    }

    fn note(&mut self, h: Heading<'_>, body: &[&str], topic: &str, deck_key: &str) -> Option<Note> {
        let (rest, id, was) = match split_id(h.text) {
            Ok(parts) => parts,
            Err(bad) => {
                self.error(
                    h.line,
                    format!("invalid note id '{bad}': use letters, digits, '-', '_', '.' and '/' (and `was=OLD` to rename an id)"),
                );
                return None;
            }
        };
        if was.is_some() && was == id {
            self.error(h.line, "`was=` names the note's own id: drop it");
            return None;
        }
        let Some((kind_name, title)) = rest.split_once(':') else {
            self.error(
                h.line,
                format!("'## {}' is not a note: write '## Q: …', '## Concept: …', '## Pattern: …', '## Cloze: …' or '## Checklist: …' (topics use '#')", h.text),
            );
            return None;
        };
        let Some(kind) = NoteKind::from_name(kind_name.trim()) else {
            self.error(
                h.line,
                format!(
                    "unknown note kind '{}': expected Q, Concept, Pattern, Cloze or Checklist",
                    kind_name.trim()
                ),
            );
            return None;
        };
        let title = title.trim().to_string();
        if title.is_empty() {
            self.error(h.line, format!("{} note has no title", kind.name()));
            return None;
        }
        let first = h.line + 1;
        let (text, first) = trim_block(body, first);
        // `Tags:` sits before `Source:`; written after it, it is still
        // the note's tags.
        let (text, late_tags) = split_tags(&text);
        let (text, cites) = split_cites(&text);
        if cites.as_deref() == Some("") {
            self.error(
                first + text.lines().count(),
                "empty 'Source:' line: name the page, skill or URL the note comes from",
            );
            return None;
        }
        let (text, tags) = match late_tags {
            Some(tags) => (text, Some(tags)),
            None => split_tags(&text),
        };
        if tags.as_ref().is_some_and(Vec::is_empty) {
            self.error(
                first + text.lines().count(),
                "empty 'Tags:' line: list the note's tags, separated by spaces, or remove the line",
            );
            return None;
        }
        let content = self.content(kind, &title, &text, first, h.line)?;
        let explicit_id = id.is_some();
        let key = id.map_or_else(
            || format!("{deck_key}/{}", derived_slug(&title)),
            str::to_string,
        );
        Some(Note {
            key,
            explicit_id,
            kind,
            title,
            topic: topic.to_string(),
            body: text,
            content,
            line: h.line,
            path: None,
            cites,
            tags: tags.unwrap_or_default(),
            was: was.map(str::to_string),
        })
    }

    fn content(
        &mut self,
        kind: NoteKind,
        title: &str,
        text: &str,
        first: usize,
        line: usize,
    ) -> Option<Content> {
        if text.is_empty() {
            self.error(
                line,
                format!("empty answer for '{title}': write the answer below the heading"),
            );
            return None;
        }
        match kind {
            NoteKind::Q => {
                if let Some(problem) =
                    super::alternatives::answer_group(text).and_then(super::alternatives::problem)
                {
                    self.error(first, problem);
                    return None;
                }
                Some(Content::Answer(text.to_string()))
            }
            NoteKind::Concept => Some(Content::Definition(text.to_string())),
            NoteKind::Pattern => self.pattern(title, text, first, line),
            NoteKind::Cloze => self.cloze(title, text, first, line),
            NoteKind::Checklist => {
                if text.lines().any(is_list_item) {
                    Some(Content::Checklist(text.to_string()))
                } else {
                    self.error(
                        line,
                        format!(
                            "checklist '{title}' has no steps: write them as '- step' or '1. step'"
                        ),
                    );
                    None
                }
            }
        }
    }

    fn pattern(&mut self, title: &str, text: &str, first: usize, line: usize) -> Option<Content> {
        let mut values: [Option<(usize, Vec<&str>)>; 4] = Default::default();
        let mut current: Option<usize> = None;
        let mut ok = true;
        let mut fences = Fences::default();
        for (i, raw) in text.lines().enumerate() {
            let number = first + i;
            let code = fences.code(raw, number);
            // `\How: …` is text that only looks like a field.
            let escaped = !code && unescape_field(raw) != raw;
            let l = if escaped { unescape_field(raw) } else { raw };
            let field = if code || escaped {
                None
            } else {
                field_start(l, &FIELDS)
            };
            if let Some((f, rest)) = field {
                if values[f].is_some() {
                    self.error(
                        number,
                        format!("'{}:' appears twice in pattern '{title}'", FIELDS[f]),
                    );
                    ok = false;
                }
                values[f] = Some((number, vec![rest]));
                current = Some(f);
            } else if let Some(f) = current {
                if let Some((_, v)) = values[f].as_mut() {
                    v.push(l);
                }
            } else if !l.trim().is_empty() {
                self.error(
                    number,
                    format!("text before the first field of pattern '{title}': start with 'When:'"),
                );
                ok = false;
                current = None;
            }
        }
        let mut out: [Option<String>; 4] = Default::default();
        for (f, value) in values.iter().enumerate() {
            match value {
                Some((at, lines)) => {
                    let (joined, _) = trim_block(lines, *at);
                    if joined.is_empty() {
                        self.error(
                            *at,
                            format!("empty '{}:' field in pattern '{title}'", FIELDS[f]),
                        );
                        ok = false;
                    }
                    out[f] = Some(joined);
                }
                None if f < 3 => {
                    self.error(
                        line,
                        format!("pattern '{title}' is missing its '{}:' field", FIELDS[f]),
                    );
                    ok = false;
                }
                None => {}
            }
        }
        let [Some(when), Some(how), Some(tradeoffs), example] = out else {
            return None;
        };
        ok.then_some(Content::Pattern {
            when,
            how,
            tradeoffs,
            example,
        })
    }

    fn cloze(&mut self, title: &str, text: &str, first: usize, line: usize) -> Option<Content> {
        let mut deletions = Vec::new();
        let mut ok = true;
        for (i, l) in text.lines().enumerate() {
            let mut rest = l;
            while let Some(open) = rest.find("{{") {
                let after = &rest[open + 2..];
                match after.find("}}") {
                    Some(close) => {
                        let d = after[..close].trim();
                        if d.is_empty() {
                            self.error(first + i, "empty cloze deletion '{{}}'");
                            ok = false;
                        } else if d.contains("{{") {
                            self.error(
                                first + i,
                                "nested cloze deletion '{{ {{…}} }}': deletions can't hold deletions; make them two",
                            );
                            ok = false;
                            break;
                        }
                        if let Some(problem) = super::alternatives::problem(d) {
                            self.error(first + i, problem);
                            ok = false;
                        }
                        deletions.push(d.to_string());
                        rest = &after[close + 2..];
                    }
                    None => {
                        self.error(
                            first + i,
                            "'{{' without its '}}': close the deletion on the same line",
                        );
                        ok = false;
                        break;
                    }
                }
            }
        }
        if deletions.is_empty() && ok {
            self.error(
                line,
                format!("cloze '{title}' has no deletions: mark them as {{{{text}}}}"),
            );
            ok = false;
        }
        ok.then(|| Content::Cloze {
            text: text.to_string(),
            deletions,
        })
    }
}

fn is_list_item(line: &str) -> bool {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix(['-', '*', '+']) {
        return rest.starts_with(' ');
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && (t[digits..].starts_with(". ") || t[digits..].starts_with(") "))
}

/// A pattern's fields, in order.
const FIELDS: [&str; 4] = ["When", "How", "Trade-offs", "Example"];

/// Would this line start a field of a pattern, or its `Source:` line?
pub fn looks_like_field(line: &str) -> bool {
    field_start(line, &FIELDS).is_some() || line.trim_start().starts_with("Source:")
}

/// A line escaped as `\When: …` is the text `When: …`, not a field.
pub fn unescape_field(line: &str) -> &str {
    match line.trim_start().strip_prefix('\\') {
        Some(rest) if looks_like_field(rest) => rest,
        _ => line,
    }
}

/// Escapes the lines of a field's value that would read as a field.
pub fn escape_fields(value: &str) -> String {
    value
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i > 0 && (looks_like_field(l) || unescape_field(l) != l) {
                format!("\\{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn field_start<'l>(line: &'l str, fields: &[&str]) -> Option<(usize, &'l str)> {
    let (name, rest) = line.split_once(':')?;
    let name = name.trim();
    let index = fields.iter().position(|f| {
        f.eq_ignore_ascii_case(name)
            || (f == &"Trade-offs" && name.eq_ignore_ascii_case("Tradeoffs"))
    })?;
    Some((index, rest.trim_start()))
}

/// Splits a trailing `{#id}` from a heading's text.
/// Splits a trailing `{#id}`, or `{#new was=old}` (an explicit rename that
/// takes the old id's history), from a heading's text.
fn split_id(text: &str) -> Result<(&str, Option<&str>, Option<&str>), String> {
    let trimmed = text.trim_end();
    if let Some(start) = trimmed.rfind("{#")
        && let Some(inner) = trimmed[start + 2..].strip_suffix('}')
    {
        let mut words = inner.split_whitespace();
        let id = words.next().unwrap_or_default();
        let was = match (words.next(), words.next()) {
            (None, _) => None,
            (Some(w), None) => match w.strip_prefix("was=") {
                Some(old) if valid_id(old) => Some(old),
                _ => return Err(inner.trim().to_string()),
            },
            _ => return Err(inner.trim().to_string()),
        };
        return if valid_id(id) {
            Ok((trimmed[..start].trim_end(), Some(id), was))
        } else {
            Err(inner.trim().to_string())
        };
    }
    Ok((trimmed, None, None))
}

/// Ids may hold letters and digits of any script (so that a derived id
/// of "Qué es café" is one the parser accepts), and `-`, `_`, `.`, `/`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

/// Splits a note's closing `Tags: a b/c` line from its body: tags are
/// separated by spaces or commas.
pub fn split_tags(text: &str) -> (String, Option<Vec<String>>) {
    let (rest, last) = text.rsplit_once('\n').unwrap_or(("", text));
    match last.trim_start().strip_prefix("Tags:") {
        Some(tags) => (
            rest.trim_end().to_string(),
            Some(
                tags.split([' ', ',', '\t'])
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
        ),
        None => (text.to_string(), None),
    }
}

/// Splits a note's closing `Source: …` line from its body: it names where
/// the fact comes from, and is metadata, not part of the answer.
pub fn split_cites(text: &str) -> (String, Option<String>) {
    let (rest, last) = text.rsplit_once('\n').unwrap_or(("", text));
    match last.trim_start().strip_prefix("Source:") {
        Some(cites) => (rest.trim_end().to_string(), Some(cites.trim().to_string())),
        // `\Source: …` closing an answer is answer text.
        None if unescape_field(last) != last => {
            let unescaped = unescape_field(last);
            if rest.is_empty() && !text.contains('\n') {
                (unescaped.to_string(), None)
            } else {
                (format!("{rest}\n{unescaped}"), None)
            }
        }
        None => (text.to_string(), None),
    }
}

/// Joins lines without the blank lines at either end; returns the text and
/// the line number of its first line.
fn trim_block(lines: &[&str], first: usize) -> (String, usize) {
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let end = lines.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(s), Some(e)) => (lines[s..=e].join("\n"), first + s),
        _ => (String::new(), first),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn parse(text: &str) -> Result<Deck, Vec<Diag>> {
        parse_deck("d.md", "d", text.as_bytes())
    }

    fn errors(text: &str) -> Vec<String> {
        parse(text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn every_kind_parses() {
        let deck = parse(
            "+++\ntitle = \"T\"\nmodule = 3\nrequires = [\"a\"]\n+++\n# Topic A\n\n## Q: Why? {#q1}\nBecause.\n\n## Concept: Term {#c1}\nA definition.\n# Topic B\n## Pattern: P {#p1}\nWhen: a case\nHow:\n1. one\n2. two\nTrade-offs: cost\nExample: ex\n## Cloze: C {#z1}\nExit code {{2}} blocks; {{0}} passes.\n## Checklist: L {#l1}\n1. a\n2. b\n",
        )
        .unwrap();
        assert_eq!(deck.title, "T");
        assert_eq!(deck.module, Some(3));
        assert_eq!(deck.requires, vec!["a"]);
        let kinds: Vec<_> = deck
            .notes
            .iter()
            .map(|n| (n.kind, n.key.as_str(), n.topic.as_str(), n.line))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (NoteKind::Q, "q1", "Topic A", 8),
                (NoteKind::Concept, "c1", "Topic A", 11),
                (NoteKind::Pattern, "p1", "Topic B", 14),
                (NoteKind::Cloze, "z1", "Topic B", 21),
                (NoteKind::Checklist, "l1", "Topic B", 23),
            ]
        );
        assert_eq!(
            deck.notes[2].content,
            Content::Pattern {
                when: "a case".into(),
                how: "1. one\n2. two".into(),
                tradeoffs: "cost".into(),
                example: Some("ex".into())
            }
        );
        assert_eq!(
            deck.notes[3].content,
            Content::Cloze {
                text: "Exit code {{2}} blocks; {{0}} passes.".into(),
                deletions: vec!["2".into(), "0".into()]
            }
        );
    }

    /// A `Tags:` line before (or after) `Source:` gives the note its tags
    /// and is no part of the answer; an empty one is an error.
    #[test]
    fn a_tags_line_tags_the_note() {
        let deck = parse(
            "## Q: a {#a}\nAnswer.\nTags: hooks, cli/flags\nSource: x\n\
             ## Q: b {#b}\nAnswer.\nSource: y\nTags: late\n\
             ## Q: c {#c}\nAnswer.\n",
        )
        .unwrap();
        assert_eq!(deck.notes[0].tags, ["hooks", "cli/flags"]);
        assert_eq!(deck.notes[0].content, Content::Answer("Answer.".into()));
        assert_eq!(deck.notes[0].cites.as_deref(), Some("x"));
        assert_eq!(deck.notes[1].tags, ["late"]);
        assert_eq!(deck.notes[1].cites.as_deref(), Some("y"));
        assert!(deck.notes[2].tags.is_empty());
        assert_eq!(
            errors("## Q: a {#a}\nb\nTags:\n"),
            vec![
                "d.md:3: empty 'Tags:' line: list the note's tags, separated by spaces, or remove the line"
            ]
        );
    }

    #[test]
    fn a_closing_source_line_is_metadata_not_answer() {
        let deck = parse(
            "## Q: Which exit code blocks? {#q}\nExit code 2.\n\nSource: ericbuess/claude-code-docs:docs/hooks.md\n\
             ## Pattern: P {#p}\nWhen: w\nHow: h\nTrade-offs: t\nExample: e\nSource: https://example.com/a; o/r:x.md:3\n\
             ## Q: no source {#n}\nSource: is in the middle\nof this answer\n",
        )
        .unwrap();
        assert_eq!(
            deck.notes[0].content,
            Content::Answer("Exit code 2.".into())
        );
        assert_eq!(
            deck.notes[0].cites.as_deref(),
            Some("ericbuess/claude-code-docs:docs/hooks.md")
        );
        assert!(
            matches!(&deck.notes[1].content, Content::Pattern { example: Some(e), .. } if e == "e")
        );
        assert_eq!(
            deck.notes[1].cites.as_deref(),
            Some("https://example.com/a; o/r:x.md:3")
        );
        assert_eq!(deck.notes[2].cites, None);
        assert_eq!(
            errors("## Q: a {#a}\nb\nSource:\n"),
            vec!["d.md:3: empty 'Source:' line: name the page, skill or URL the note comes from"]
        );
    }

    #[test]
    fn derived_ids_use_deck_and_slug() {
        let deck = parse("# T\n## Q: What is MCP?\nA protocol.\n").unwrap();
        assert_eq!(deck.notes[0].key, "d/what-is-mcp");
        assert!(!deck.notes[0].explicit_id);
    }

    #[test]
    fn headings_inside_code_fences_are_body() {
        let deck = parse("## Q: Show {#a}\n```md\n# not a topic\n## Q: not a note\n```\n").unwrap();
        assert_eq!(deck.notes.len(), 1);
        assert!(deck.notes[0].body.contains("## Q: not a note"));
    }

    #[rstest]
    #[case::unclosed_front(
        "+++\ntitle = \"x\"\n## Q: a {#a}\nb\n",
        "d.md:1: front matter opened with '+++' is never closed: add a '+++' line after it"
    )]
    #[case::bad_toml_type(
        "+++\ntitle = \"x\"\nmodule = \"four\"\n+++\n",
        "d.md:3: front matter: invalid type: string \"four\", expected i64"
    )]
    #[case::unknown_key(
        "+++\nmodul = 4\n+++\n",
        "d.md:2: front matter: unknown field `modul`, expected one of `id`, `title`, `module`, `category`, `requires`, `tags`"
    )]
    #[case::module_range("+++\nmodule = 9\n+++\n", "d.md:2: module must be 1 to 8, not 9")]
    #[case::unknown_kind(
        "# T\n## Quiz: a {#a}\nb\n",
        "d.md:2: unknown note kind 'Quiz': expected Q, Concept, Pattern, Cloze or Checklist"
    )]
    #[case::not_a_note(
        "## Overview\ntext\n",
        "d.md:1: '## Overview' is not a note: write '## Q: …', '## Concept: …', '## Pattern: …', '## Cloze: …' or '## Checklist: …' (topics use '#')"
    )]
    #[case::empty_answer(
        "## Q: a {#a}\n\n\n## Q: b {#b}\nc\n",
        "d.md:1: empty answer for 'a': write the answer below the heading"
    )]
    #[case::missing_field(
        "## Pattern: P {#p}\nWhen: w\nHow: h\n",
        "d.md:1: pattern 'P' is missing its 'Trade-offs:' field"
    )]
    #[case::empty_field(
        "## Pattern: P {#p}\nWhen: w\nHow:\nTrade-offs: t\n",
        "d.md:3: empty 'How:' field in pattern 'P'"
    )]
    #[case::text_before_field(
        "## Pattern: P {#p}\nintro\nWhen: w\nHow: h\nTrade-offs: t\n",
        "d.md:2: text before the first field of pattern 'P': start with 'When:'"
    )]
    #[case::unclosed_cloze(
        "## Cloze: C {#c}\nfirst line\nexit {{2 blocks\n",
        "d.md:3: '{{' without its '}}': close the deletion on the same line"
    )]
    #[case::cloze_without_deletion(
        "## Cloze: C {#c}\nno blanks\n",
        "d.md:1: cloze 'C' has no deletions: mark them as {{text}}"
    )]
    #[case::empty_deletion("## Cloze: C {#c}\na {{ }} b\n", "d.md:2: empty cloze deletion '{{}}'")]
    #[case::checklist_without_steps(
        "## Checklist: L {#l}\njust prose\n",
        "d.md:1: checklist 'L' has no steps: write them as '- step' or '1. step'"
    )]
    #[case::bad_id(
        "## Q: a {#has space}\nb\n",
        "d.md:1: invalid note id 'has space': use letters, digits, '-', '_', '.' and '/' (and `was=OLD` to rename an id)"
    )]
    #[case::no_title("## Q: {#a}\nb\n", "d.md:1: Q note has no title")]
    fn errors_name_their_line(#[case] text: &str, #[case] expected: &str) {
        assert_eq!(errors(text), vec![expected.to_string()]);
    }

    #[test]
    fn every_error_in_a_file_is_reported() {
        let errs = errors("## Q: a {#a}\n\n## Cloze: c {#c}\nnone\n## Foo: x\ny\n");
        assert_eq!(errs.len(), 3, "{errs:?}");
    }

    #[rstest]
    #[case::nul(b"## Q: a\n\0".to_vec(), "d.md:2: binary data (a NUL byte), not a Markdown deck")]
    #[case::utf8(b"# T\n## Q: a\n\xff\xfe".to_vec(), "d.md:3: invalid UTF-8: save the file as UTF-8")]
    #[case::huge(vec![b'a'; 10 << 20], "d.md: file is 10485760 bytes; decks over 1048576 bytes (1 MiB) are refused: split it into several files")]
    #[case::just_over(vec![b'a'; (1 << 20) + 1], "d.md: file is 1048577 bytes; decks over 1048576 bytes (1 MiB) are refused: split it into several files")]
    fn bad_bytes(#[case] bytes: Vec<u8>, #[case] expected: &str) {
        let errs = parse_deck("d.md", "d", &bytes).unwrap_err();
        assert_eq!(errs[0].to_string(), expected);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "(\\PC|\n|#|\\{|\\}|\\+|:){0,400}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_deck_like_text(lines in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("+++".to_string()),
                proptest::strategy::Just("## Q: q {#a}".to_string()),
                proptest::strategy::Just("## Pattern: p".to_string()),
                proptest::strategy::Just("## Cloze: c".to_string()),
                proptest::strategy::Just("When: w".to_string()),
                proptest::strategy::Just("```".to_string()),
                "[a-z{}#:\\- ]{0,20}",
            ], 0..30)) {
            let _ = parse(&lines.join("\n"));
        }
    }
}
