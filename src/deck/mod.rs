//! Decks as the author wrote them: parsing Markdown, generating cards,
//! finding deck files, and linting.

pub mod alternatives;
pub mod cards;
pub mod docs;
pub mod identity;
pub mod lint;
pub mod markdown;
pub mod parse;
pub mod source;
pub mod write;

pub use cards::CardDraft;
pub use parse::parse_deck;

/// One parsed deck file.
#[derive(Debug, Clone, PartialEq)]
pub struct Deck {
    pub key: String,
    pub title: String,
    pub module: Option<u8>,
    pub category: Option<String>,
    pub requires: Vec<String>,
    pub tags: Vec<String>,
    /// The source path as shown to the learner.
    pub path: String,
    pub notes: Vec<Note>,
    /// Problems found while reading that do not stop a compile.
    pub warnings: Vec<crate::error::Diag>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoteKind {
    Q,
    Concept,
    Pattern,
    Cloze,
    Checklist,
}

impl NoteKind {
    pub const ALL: [NoteKind; 5] = [
        NoteKind::Q,
        NoteKind::Concept,
        NoteKind::Pattern,
        NoteKind::Cloze,
        NoteKind::Checklist,
    ];

    pub fn name(self) -> &'static str {
        match self {
            NoteKind::Q => "Q",
            NoteKind::Concept => "Concept",
            NoteKind::Pattern => "Pattern",
            NoteKind::Cloze => "Cloze",
            NoteKind::Checklist => "Checklist",
        }
    }

    pub fn from_name(name: &str) -> Option<NoteKind> {
        NoteKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name))
    }
}

/// The parsed content of a note, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Answer(String),
    Definition(String),
    Pattern {
        when: String,
        how: String,
        tradeoffs: String,
        example: Option<String>,
    },
    Cloze {
        text: String,
        deletions: Vec<String>,
    },
    Checklist(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub key: String,
    /// False when the id was derived from the title.
    pub explicit_id: bool,
    pub kind: NoteKind,
    pub title: String,
    pub topic: String,
    /// The raw body, kept for similarity matching and storage.
    pub body: String,
    pub content: Content,
    /// The 1-based line of the note's heading.
    pub line: usize,
    /// The note's own source file, when it is not the deck's (docs trees).
    pub path: Option<String>,
    /// Where the fact comes from (the note's closing `Source:` line).
    pub cites: Option<String>,
    /// The note's own tags (a `Tags:` line before its `Source:` line), for
    /// `tag:` searches beside its deck's.
    pub tags: Vec<String>,
    /// The id this note had before an explicit rename (`{#new was=old}`).
    pub was: Option<String>,
}

impl Content {
    /// A pattern's fields as (name, text) in deck order; nothing for the
    /// other kinds.
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        match self {
            Content::Pattern {
                when,
                how,
                tradeoffs,
                example,
            } => {
                let mut v = vec![
                    ("When", when.as_str()),
                    ("How", how),
                    ("Trade-offs", tradeoffs),
                ];
                v.extend(example.as_deref().map(|e| ("Example", e)));
                v
            }
            _ => Vec::new(),
        }
    }

    /// The body as it is written in a deck file.
    pub fn to_source(&self) -> String {
        match self {
            Content::Answer(a) | Content::Definition(a) | Content::Checklist(a) => a.clone(),
            Content::Cloze { text, .. } => text.clone(),
            Content::Pattern { .. } => self
                .fields()
                .iter()
                .map(|(name, text)| format!("{name}: {}", parse::escape_fields(text)))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

impl Note {
    /// The answers a learner must recall, for word-count lints.
    pub fn answers(&self) -> Vec<&str> {
        match &self.content {
            Content::Answer(a) | Content::Definition(a) | Content::Checklist(a) => vec![a],
            Content::Pattern { .. } => self.content.fields().into_iter().map(|(_, t)| t).collect(),
            Content::Cloze { text, .. } => vec![text],
        }
    }
}

/// Lowercase words (of any script) joined by dashes: the derived-id
/// convention. Every character it keeps is one `parse::valid_id` accepts.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            // Some lowercase forms add a combining mark ('İ' → "i̇"): keep
            // only what an id may hold.
            out.extend(c.to_lowercase().filter(|l| l.is_alphanumeric()));
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The slug of a title, or, for a title with no letters or digits (emoji
/// only, say), a short hash of it, so that two such titles don't share an id.
pub fn derived_slug(title: &str) -> String {
    let s = slug(title);
    if s.is_empty() {
        format!(
            "note-{:08x}",
            xxhash_rust::xxh3::xxh3_64(title.as_bytes()) as u32
        )
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("Why hooks? (exit 2)", "why-hooks-exit-2")]
    #[case("  --Trim--  ", "trim")]
    #[case("CLAUDE.md scopes", "claude-md-scopes")]
    #[case("Qué es café", "qué-es-café")]
    #[case("İstanbul", "istanbul")]
    fn slugs(#[case] text: &str, #[case] expected: &str) {
        assert_eq!(slug(text), expected);
        assert!(parse::valid_id(&slug(text)));
    }

    #[test]
    fn titles_without_letters_get_distinct_valid_ids() {
        let (a, b) = (derived_slug("🚀🚀"), derived_slug("🔥"));
        assert_ne!(a, b);
        assert!(parse::valid_id(&a) && parse::valid_id(&b), "{a} {b}");
    }

    proptest::proptest! {
        /// Whatever the title, the derived id is one the parser accepts.
        #[test]
        fn derived_ids_always_parse(title in "\\PC{0,40}") {
            proptest::prop_assert!(parse::valid_id(&derived_slug(&title)));
        }
    }
}
