//! Reading a `codex-training/` docs tree as decks: module docs, one pattern
//! per file, and the playbook's checklists, by the conventions in the
//! README's "Your training repo" section.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::markdown::{Fences, heading};
use super::parse::{decode, parse_deck, valid_id};
use super::{Content, Deck, Note, NoteKind, derived_slug, slug};
use crate::error::{Diag, Error, Result};

pub const CATEGORIES: [&str; 5] = ["speed", "quality", "debugging", "planning", "architecture"];
const PITFALL_HEADINGS: [&str; 3] = ["common pitfalls", "pitfalls", "anti-patterns"];

/// The `docs/` folder of a training repo, given its root or the folder
/// itself; `None` for an ordinary decks folder.
pub fn docs_root(dir: &Path) -> Option<PathBuf> {
    let has_layout = |d: &Path| d.join("modules").is_dir() || d.join("patterns").is_dir();
    if dir.join("docs").is_dir() && has_layout(&dir.join("docs")) {
        return Some(dir.join("docs"));
    }
    let named_docs = dir.file_name().is_some_and(|n| n == "docs");
    (named_docs && has_layout(dir)).then(|| dir.to_path_buf())
}

/// What one compiled deck of a docs tree is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    /// `modules/NN-name.md`, module N.
    Module { number: u8 },
    /// `patterns/<category>/`, every `*.md` in it.
    Patterns { category: String },
    /// `playbook/checklists.md`.
    Playbook,
}

/// Prerequisites by deck id, from the program or `mastery.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    #[serde(default)]
    pub requires: HashMap<String, Vec<String>>,
}

/// The program's path: 2–4 need 1, 5–6 need 2–4, 7–8 need 5–6.
pub fn program_requires(module: u8) -> &'static [u8] {
    match module {
        2..=4 => &[1],
        5 | 6 => &[2, 3, 4],
        7 | 8 => &[5, 6],
        _ => &[],
    }
}

pub fn read_overrides(docs: &Path) -> Result<(Overrides, Option<PathBuf>)> {
    let candidates = [
        docs.join("mastery.toml"),
        docs.parent()
            .map(|p| p.join("mastery.toml"))
            .unwrap_or_default(),
    ];
    if let Some(path) = candidates.iter().find(|p| p.is_file()) {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let parsed = toml::from_str::<Overrides>(&text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                1 + text[..s.start.min(text.len())].matches('\n').count()
            });
            Error::Invalid(Diag::new(
                &path.display().to_string(),
                line,
                e.message().trim().to_string(),
            ))
        })?;
        return Ok((parsed, Some(path.clone())));
    }
    Ok((Overrides::default(), None))
}

/// One source file's text, as shown to the learner.
pub struct Part<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
}

/// Parses one unit. `module_keys` maps module numbers to deck ids, for the
/// default prerequisites.
pub fn parse_unit(
    unit: &Unit,
    key: &str,
    shown: &str,
    parts: &[Part<'_>],
    module_keys: &HashMap<u8, String>,
    overrides: &Overrides,
) -> Result<Deck, Vec<Diag>> {
    match unit {
        Unit::Module { number } => {
            let part = parts.first().ok_or_else(Vec::new)?;
            let mut deck = module_doc(key, part)?;
            deck.module = Some(*number);
            deck.requires = overrides.requires.get(key).cloned().unwrap_or_else(|| {
                program_requires(*number)
                    .iter()
                    .filter_map(|m| module_keys.get(m).cloned())
                    .collect()
            });
            Ok(deck)
        }
        Unit::Patterns { category } => pattern_dir(key, shown, category, parts, overrides),
        Unit::Playbook => {
            let part = parts.first().ok_or_else(Vec::new)?;
            playbook(key, part, overrides)
        }
    }
}

fn text<'a>(part: &Part<'a>) -> Result<&'a str, Vec<Diag>> {
    decode(part.path, part.bytes).map_err(|d| vec![d])
}

fn strip_marker(line: &str) -> Option<&str> {
    let t = line.trim_start();
    if let Some(rest) = t
        .strip_prefix("- ")
        .or_else(|| t.strip_prefix("* "))
        .or_else(|| t.strip_prefix("+ "))
    {
        return Some(rest);
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        return t[digits..]
            .strip_prefix(". ")
            .or_else(|| t[digits..].strip_prefix(") "));
    }
    None
}

/// `**Term**: definition`, `**Term:** definition` or `**Term** — definition`.
fn bold_term(line: &str) -> Option<(String, String)> {
    let body = strip_marker(line).unwrap_or(line.trim_start());
    let inner = body.strip_prefix("**")?;
    let close = inner.find("**")?;
    let term = inner[..close].trim();
    let rest = inner[close + 2..].trim_start();
    let (term, def) = if let Some(t) = term.strip_suffix(':') {
        (t.trim(), rest)
    } else {
        let def = rest
            .strip_prefix(':')
            .or_else(|| rest.strip_prefix('—'))
            .or_else(|| rest.strip_prefix('–'))
            .or_else(|| rest.strip_prefix("- "))?;
        (term, def)
    };
    let def = def.trim();
    (!term.is_empty()).then(|| (term.to_string(), def.to_string()))
}

/// A pitfall item's head and explanation.
fn pitfall(item: &str) -> (String, String) {
    if let Some((term, def)) = bold_term(item) {
        return (term, def);
    }
    for sep in [": ", " — ", " – ", " - "] {
        if let Some((head, why)) = item.split_once(sep) {
            return (head.trim().to_string(), why.trim().to_string());
        }
    }
    (item.trim().trim_end_matches(':').to_string(), String::new())
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if !chars.clone().next().is_some_and(char::is_uppercase) => {
            c.to_lowercase().chain(chars).collect()
        }
        Some(c) => std::iter::once(c).chain(chars).collect(),
        None => String::new(),
    }
}

struct NoteBuilder<'a> {
    deck: &'a str,
    path: &'a str,
    notes: Vec<Note>,
    warnings: Vec<Diag>,
    errors: Vec<Diag>,
}

impl NoteBuilder<'_> {
    /// Adds a note whose id is the deck, the topic's slug and `name`'s slug.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: NoteKind,
        topic: &str,
        name: &str,
        title: String,
        content: Content,
        body: String,
        line: usize,
    ) {
        let key = format!("{}/{}/{}", self.deck, slug(topic), derived_slug(name));
        self.notes.push(Note {
            key,
            // Generated from headings: carry-over may move it.
            explicit_id: false,
            kind,
            title,
            topic: topic.to_string(),
            body,
            content,
            line,
            path: Some(self.path.to_string()),
            cites: None,
            tags: Vec::new(),
            was: None,
        });
    }
}

/// A module doc: `##` topics, bold-term concepts, pitfall items, and notes
/// in mastery's own syntax.
fn module_doc(key: &str, part: &Part<'_>) -> Result<Deck, Vec<Diag>> {
    let text = text(part)?;
    let lines: Vec<&str> = text.lines().collect();
    let mut b = NoteBuilder {
        deck: key,
        path: part.path,
        notes: Vec::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    let mut title: Option<String> = None;
    let mut topic = String::new();
    let mut pitfall_level: Option<usize> = None;
    let mut fences = Fences::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let fence = fences.code(line, i + 1);
        let h = if fence { None } else { heading(line) };
        match h {
            Some((1, t)) => {
                if title.is_none() {
                    title = Some(t.to_string());
                    topic = t.to_string();
                }
                pitfall_level = None;
            }
            Some((2, t)) if is_native(t) => {
                // A note in mastery's own syntax runs to the next #/##
                // heading outside a code fence.
                let mut inner = Fences::default();
                let end = (i + 1..lines.len())
                    .find(|&j| {
                        !inner.code(lines[j], j + 1)
                            && matches!(heading(lines[j]), Some((1 | 2, _)))
                    })
                    .unwrap_or(lines.len());
                let mut snippet = format!("# {topic}\n");
                snippet.push_str(&lines[i..end].join("\n"));
                match parse_deck(part.path, key, snippet.as_bytes()) {
                    Ok(d) => {
                        for mut n in d.notes {
                            n.line += i; // the snippet's line 2 is file line i + 1
                            n.line -= 1;
                            n.path = Some(part.path.to_string());
                            b.notes.push(n);
                        }
                    }
                    Err(errs) => b.errors.extend(errs.into_iter().map(|mut d| {
                        d.line = d.line + i - 1;
                        d
                    })),
                }
                i = end;
                continue;
            }
            Some((level, t)) => {
                let pitfalls = PITFALL_HEADINGS.contains(&t.to_lowercase().as_str());
                if level == 2 {
                    topic = t.to_string();
                }
                if pitfalls {
                    pitfall_level = Some(level);
                } else if pitfall_level.is_some_and(|p| level <= p) {
                    pitfall_level = None;
                }
            }
            None if !fence => {
                let (item, consumed) = item_text(&lines, i);
                if pitfall_level.is_some() {
                    if let Some(item) = item.as_deref().filter(|_| strip_marker(line).is_some()) {
                        let (head, why) = pitfall(item);
                        if why.is_empty() {
                            b.warnings.push(Diag::new(part.path, i + 1, format!("pitfall '{head}' has no explanation, so no card was made: add ': why it is a mistake' after it")));
                        } else {
                            let head = head.trim_end_matches('.');
                            let question = format!("Why is it a mistake to {}?", lower_first(head));
                            let why = capitalize(&why);
                            b.push(
                                NoteKind::Q,
                                &topic,
                                head,
                                question,
                                Content::Answer(why.clone()),
                                why,
                                i + 1,
                            );
                        }
                    }
                } else if let Some((term, def)) = item.as_deref().and_then(bold_term)
                    && !def.is_empty()
                {
                    let def = capitalize(&def);
                    b.push(
                        NoteKind::Concept,
                        &topic,
                        &term.clone(),
                        term,
                        Content::Definition(def.clone()),
                        def,
                        i + 1,
                    );
                }
                i += consumed.max(1);
                continue;
            }
            None => {}
        }
        i += 1;
    }
    if let Some(open) = fences.unclosed() {
        let fence: String = std::iter::repeat_n(open.marker, open.len).collect();
        b.errors.push(Diag::new(
            part.path,
            open.line,
            format!("code fence '{fence}' is never closed: add a closing '{fence}' line, or every later note is swallowed by it"),
        ));
    }
    if !b.errors.is_empty() {
        return Err(b.errors);
    }
    Ok(Deck {
        key: key.to_string(),
        title: title.unwrap_or_else(|| key.to_string()),
        module: None,
        category: None,
        requires: Vec::new(),
        tags: Vec::new(),
        path: part.path.to_string(),
        notes: b.notes,
        warnings: b.warnings,
    })
}

fn is_native(heading: &str) -> bool {
    heading
        .split_once(':')
        .is_some_and(|(kind, _)| NoteKind::from_name(kind.trim()).is_some())
}

/// A paragraph or list item starting at `i`, with its indented continuation
/// lines joined; returns the text and how many lines it used.
fn item_text(lines: &[&str], i: usize) -> (Option<String>, usize) {
    let first = lines[i];
    if first.trim().is_empty() {
        return (None, 1);
    }
    let mut text = strip_marker(first).unwrap_or(first.trim()).to_string();
    let mut n = 1;
    while let Some(next) = lines.get(i + n) {
        let continues =
            next.starts_with("  ") && !next.trim().is_empty() && strip_marker(next).is_none();
        if !continues {
            break;
        }
        text.push(' ');
        text.push_str(next.trim());
        n += 1;
    }
    (Some(text), n)
}

/// Section bodies of a document by lowercased `##` heading, with the line
/// of each heading, and the `#` title.
/// (line, text) of a heading.
type Titled = (usize, String);
/// (lowercased heading, its line, the section body).
type Section = (String, usize, String);

fn sections(text: &str) -> (Option<Titled>, Vec<Section>) {
    let mut title = None;
    let mut out: Vec<Section> = Vec::new();
    let mut fences = Fences::default();
    for (i, line) in text.lines().enumerate() {
        let fence = fences.code(line, i + 1);
        match (fence, heading(line)) {
            (false, Some((1, t))) if title.is_none() => title = Some((i + 1, t.to_string())),
            (false, Some((2, t))) => out.push((t.to_lowercase(), i + 1, String::new())),
            _ => {
                if let Some(last) = out.last_mut() {
                    last.2.push_str(line);
                    last.2.push('\n');
                }
            }
        }
    }
    for s in &mut out {
        s.2 = s.2.trim().to_string();
    }
    (title, out)
}

/// One `Pattern` note per file in a category folder.
fn pattern_dir(
    key: &str,
    shown: &str,
    category: &str,
    parts: &[Part<'_>],
    overrides: &Overrides,
) -> Result<Deck, Vec<Diag>> {
    let mut notes = Vec::new();
    let mut errors = Vec::new();
    let topic = capitalize(category);
    for part in parts {
        let text = match text(part) {
            Ok(t) => t,
            Err(mut e) => {
                errors.append(&mut e);
                continue;
            }
        };
        let (title, secs) = sections(text);
        let Some((line, name)) = title else {
            errors.push(Diag::new(
                part.path,
                1,
                "pattern doc has no '# Title' heading: the title names the pattern",
            ));
            continue;
        };
        let find = |names: &[&str]| {
            secs.iter()
                .find(|(h, _, _)| names.contains(&h.as_str()))
                .map(|(_, _, body)| body.clone())
        };
        let when = find(&["when to use", "when"]);
        let how = find(&["how to apply", "how"]);
        let tradeoffs = find(&["trade-offs", "tradeoffs", "trade-offs and alternatives"]);
        let example = find(&["example", "examples"]).filter(|e| !e.is_empty());
        // A `## Source` section, or a closing `Source:` line, names where
        // the pattern comes from.
        let cites = find(&["source", "sources"])
            .filter(|s| !s.is_empty())
            .or_else(|| super::parse::split_cites(text.trim_end()).1);
        let mut missing = Vec::new();
        for (value, section) in [
            (&when, "When to use"),
            (&how, "How to apply"),
            (&tradeoffs, "Trade-offs"),
        ] {
            if value.as_ref().is_none_or(|v| v.is_empty()) {
                missing.push(section);
            }
        }
        if !missing.is_empty() {
            for section in missing {
                errors.push(Diag::new(
                    part.path,
                    line,
                    format!("pattern '{name}' is missing its '## {section}' section"),
                ));
            }
            continue;
        }
        let (when, how, tradeoffs) = (
            when.unwrap_or_default(),
            how.unwrap_or_default(),
            tradeoffs.unwrap_or_default(),
        );
        let stem = Path::new(part.path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let note_key = format!("{key}/{stem}");
        if !valid_id(&note_key) {
            errors.push(Diag::new(
                part.path,
                1,
                format!(
                    "file name gives the invalid id '{note_key}': use letters, digits, '-' and '_'"
                ),
            ));
            continue;
        }
        let content = Content::Pattern {
            when,
            how,
            tradeoffs,
            example,
        };
        notes.push(Note {
            key: note_key,
            // Generated from headings: carry-over may move it.
            explicit_id: false,
            kind: NoteKind::Pattern,
            title: name,
            topic: topic.clone(),
            body: content.to_source(),
            content,
            line,
            path: Some(part.path.to_string()),
            cites,
            tags: Vec::new(),
            was: None,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Deck {
        key: key.to_string(),
        title: format!("Patterns: {topic}"),
        module: None,
        category: Some(category.to_string()),
        requires: overrides.requires.get(key).cloned().unwrap_or_default(),
        tags: Vec::new(),
        path: shown.to_string(),
        notes,
        warnings: Vec::new(),
    })
}

/// Each `##` section of the checklists file whose body is a list.
fn playbook(key: &str, part: &Part<'_>, overrides: &Overrides) -> Result<Deck, Vec<Diag>> {
    let text = text(part)?;
    let (title, secs) = sections(text);
    let original: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| heading(l).filter(|h| h.0 == 2).map(|h| (i + 1, h.1)))
        .collect();
    let topic = title.map_or_else(|| "Checklists".to_string(), |t| t.1);
    let mut notes = Vec::new();
    for (_, line, body) in secs {
        if !body.lines().any(|l| strip_marker(l).is_some()) {
            continue;
        }
        let name = original
            .iter()
            .find(|(l, _)| *l == line)
            .map_or("", |(_, n)| n)
            .to_string();
        notes.push(Note {
            key: format!("{key}/{}", slug(&name)),
            // Generated from headings: carry-over may move it.
            explicit_id: false,
            kind: NoteKind::Checklist,
            title: name,
            topic: topic.clone(),
            body: body.clone(),
            content: Content::Checklist(body),
            line,
            path: Some(part.path.to_string()),
            cites: None,
            tags: Vec::new(),
            was: None,
        });
    }
    Ok(Deck {
        key: key.to_string(),
        title: "Playbook".to_string(),
        module: None,
        category: None,
        requires: overrides.requires.get(key).cloned().unwrap_or_default(),
        tags: Vec::new(),
        path: part.path.to_string(),
        notes,
        warnings: Vec::new(),
    })
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// The module number of `NN-name.md`.
pub fn module_number(file_name: &str) -> Option<u8> {
    let digits: String = file_name.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|n| (1..=8).contains(n))
}
