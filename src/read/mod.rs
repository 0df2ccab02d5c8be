//! `mastery read TARGET`: the notes of a card, a note, a topic or a deck,
//! read again from their source and laid out as Markdown, so that a weak
//! item or a quiz miss can be re-studied where the learner is.

mod links;

pub use links::{Links, shell_word, topic_target};

use crate::clock::Day;
use crate::compile::parse_one;
use crate::deck::cards::cloze_with;
use crate::deck::source::Source;
use crate::deck::{Content, Deck, Note};
use crate::error::{Error, Result};
use crate::store::Store;

/// What a target named, and the Markdown of its notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// "card m01-hooks/2 of note m01-hooks", "topic Hooks of 01-internals"…
    pub what: String,
    pub markdown: String,
}

/// Finds `target` (a card id, a note id, a deck id, `DECK#TOPIC`, or a
/// topic's title or a unique part of it) and reads its notes from `source`.
/// A target that names none of these but is a search query with a
/// `key:` term (`tag:hooks is:due`) reads the notes of the cards it
/// matches.
pub fn read(store: &Store, source: &Source, target: &str, today: Day) -> Result<Reading> {
    let found = store.read_target(target)?;
    let selection = match found.as_slice() {
        [one] => one.clone(),
        [] if target.contains(':') => return read_query(store, source, target, today),
        [] => return Err(Error::Usage(unknown(store, target)?)),
        many => {
            let names: Vec<String> = many
                .iter()
                .take(6)
                .map(|t| shell_word(&topic_target(&t.deck, t.topic.as_deref().unwrap_or(""))))
                .collect();
            return Err(Error::Usage(format!(
                "'{}' matches {} topics: name one, e.g. `mastery read {}`",
                shown(target),
                many.len(),
                names.join("` or `mastery read ")
            )));
        }
    };
    let deck = parse_one(source, &selection.path)?.ok_or_else(|| {
        Error::Usage(format!(
            "{} is not in the decks being read ({}): pass the decks folder it came from with --decks",
            selection.path,
            source.describe()
        ))
    })?;
    let links = Links::of(source);
    let notes: Vec<&Note> = deck
        .notes
        .iter()
        .filter(|n| selection.notes.is_empty() || selection.notes.contains(&n.key))
        .collect();
    if notes.is_empty() {
        return Err(Error::Usage(format!(
            "{} no longer holds what '{}' names: run `mastery check` to see the file's problems",
            selection.path,
            shown(target)
        )));
    }
    Ok(Reading {
        what: selection.what.clone(),
        markdown: document(
            &deck,
            &notes,
            links,
            selection.topic.is_none() && selection.notes.is_empty(),
        ),
    })
}

/// The notes of the cards a query matches, deck by deck, each note once.
fn read_query(store: &Store, source: &Source, text: &str, today: Day) -> Result<Reading> {
    let query = crate::search::parse(text)?;
    let cards = store.search(&query, today, crate::store::SortBy::Curriculum)?;
    if cards.is_empty() {
        return Err(Error::Usage(format!(
            "no card matches '{}': try the query with `mastery cards` first",
            shown(text)
        )));
    }
    // (deck path, note keys) in curriculum order.
    let mut places: Vec<(String, Vec<String>)> = Vec::new();
    for card in &cards {
        for t in store.read_target(&card.key)? {
            match places.iter_mut().find(|(p, _)| *p == t.path) {
                Some((_, notes)) => notes.extend(t.notes),
                None => places.push((t.path, t.notes)),
            }
        }
    }
    let links = Links::of(source);
    let mut markdown = String::new();
    let mut count = 0;
    for (path, keys) in &places {
        let Some(deck) = parse_one(source, path)? else {
            continue;
        };
        let notes: Vec<&Note> = deck
            .notes
            .iter()
            .filter(|n| keys.contains(&n.key))
            .collect();
        count += notes.len();
        if !notes.is_empty() {
            if !markdown.is_empty() {
                markdown.push('\n');
            }
            markdown.push_str(&document(&deck, &notes, links, false));
        }
    }
    Ok(Reading {
        what: format!("{count} notes matching '{}'", shown(text)),
        markdown,
    })
}

/// The notes as one Markdown document: the deck's title, then each topic
/// with its notes in source order, each note with its id and, for the
/// learner's own decks, its `file:line`.
pub fn document(deck: &Deck, notes: &[&Note], links: Links, whole_deck: bool) -> String {
    let mut out = format!("# {}\n", inline(&deck.title));
    if whole_deck {
        out.push_str(&format!("\n{} notes in `{}`\n", notes.len(), deck.key));
    }
    let mut topic: Option<&str> = None;
    for note in notes {
        if topic != Some(note.topic.as_str()) {
            topic = Some(&note.topic);
            // A rule before each topic keeps the outline visible when
            // piped, where headings lose their bold.
            out.push_str(&format!("\n---\n\n## {}\n", inline(&note.topic)));
        }
        out.push_str(&format!(
            "\n### {}: {}\n\n",
            note.kind.name(),
            inline(&note.title)
        ));
        out.push_str(&body(&note.content));
        out.push('\n');
        if let Some(cites) = &note.cites {
            out.push_str(&format!("\n*Source: {}*\n", inline(cites)));
        }
        let path = note.path.as_deref().unwrap_or(&deck.path);
        out.push_str(&match links {
            Links::Files => format!("\nid `{}` · {}:{}\n", note.key, path, note.line),
            Links::Read => format!("\nid `{}`\n", note.key),
        });
    }
    out
}

/// A note's body as Markdown: a pattern's fields as a list, a cloze with
/// its deletions in bold.
fn body(content: &Content) -> String {
    match content {
        Content::Answer(text) | Content::Definition(text) | Content::Checklist(text) => {
            text.trim().to_string()
        }
        Content::Cloze { text, .. } => cloze_with(text.trim(), |_, shown| format!("**{shown}**")),
        Content::Pattern { .. } => content
            .fields()
            .iter()
            .map(|(name, text)| format!("- **{name}:** {}", indent(text.trim())))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// A field's later lines, indented to stay inside its list item.
fn indent(text: &str) -> String {
    text.lines().collect::<Vec<_>>().join("\n  ")
}

/// Text that sits on a heading line: on one line.
fn inline(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most this many characters of a target are echoed or compared.
const SHOWN: usize = 80;

/// The target as an error shows it: one line, cut at `SHOWN` characters.
fn shown(target: &str) -> String {
    let mut s: String = target.chars().take(SHOWN).collect();
    if target.chars().count() > SHOWN {
        s.push('…');
    }
    s
}

/// "no card, note, deck or topic is called 'x'", with the nearest id.
fn unknown(store: &Store, target: &str) -> Result<String> {
    let mut msg = format!("no card, note, deck or topic is called '{}'", shown(target));
    if target.chars().count() > SHOWN {
        return Ok(msg + ": list ids with `mastery cards`, decks with `mastery status`");
    }
    let lower = target.to_lowercase();
    let nearest = store
        .read_names()?
        .into_iter()
        .map(|name| (strsim::jaro_winkler(&lower, &name.to_lowercase()), name))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match nearest {
        Some((_, name)) => msg.push_str(&format!("; did you mean '{name}'?")),
        None => msg.push_str(": list ids with `mastery cards`, decks with `mastery status`"),
    }
    Ok(msg)
}
