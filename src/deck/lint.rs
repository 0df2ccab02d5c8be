//! Warnings for `mastery check`, and the cross-deck id check that is an
//! error everywhere.

use std::collections::HashMap;
use std::rc::Rc;

use super::cards::{card_keys, cards_of};
use super::{Content, Deck};
use crate::error::Diag;

/// One fact per card: an answer longer than this holds several.
pub const MAX_ANSWER_WORDS: usize = 60;
/// Two "which pattern fits?" cards sharing more than this share of their
/// content words can't be told apart.
pub const MAX_WHEN_OVERLAP: f64 = 0.5;
pub const MAX_DELETIONS: usize = 5;

/// Warnings about one deck's notes.
pub fn lint_deck(deck: &Deck) -> Vec<Diag> {
    let mut out = deck.warnings.clone();
    for note in &deck.notes {
        let path = note.path.as_deref().unwrap_or(&deck.path);
        let warn = |m: String| Diag::new(path, note.line, m);
        // Docs-tree notes (their own `path`) get generated ids by design.
        if !note.explicit_id && note.path.is_none() {
            out.push(warn(format!(
                "note '{}' has no {{#id}}: editing its title will change its identity; run `mastery check --fix-ids`",
                note.title
            )));
        }
        for answer in note.answers() {
            let words = answer.split_whitespace().count();
            if words > MAX_ANSWER_WORDS {
                out.push(warn(format!(
                    "answer of '{}' has {words} words (over {MAX_ANSWER_WORDS}): split this card",
                    note.title
                )));
            }
        }
        if let Content::Pattern { when, .. } = &note.content {
            let title = content_words(&note.title);
            if let Some(word) = content_word_list(when)
                .into_iter()
                .find(|w| title.contains(w))
            {
                out.push(warn(format!(
                    "the When text of pattern '{}' holds '{word}', a word of its own title: its \"which pattern fits?\" card gives the answer away",
                    note.title
                )));
            }
        }
        if let Content::Cloze { deletions, .. } = &note.content
            && deletions.len() > MAX_DELETIONS
        {
            out.push(warn(format!(
                "cloze '{}' has {} deletions (over {MAX_DELETIONS}): split it",
                note.title,
                deletions.len()
            )));
        }
    }
    out.extend(alike_when_texts(deck));
    out
}

/// Pairs of patterns in one deck whose When texts share more than half of
/// their content words: their "which pattern fits?" cards can't be told
/// apart.
fn alike_when_texts(deck: &Deck) -> Vec<Diag> {
    let whens: Vec<(&super::Note, std::collections::HashSet<String>)> = deck
        .notes
        .iter()
        .filter_map(|n| match &n.content {
            Content::Pattern { when, .. } => Some((n, content_words(when))),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (i, (a, wa)) in whens.iter().enumerate() {
        for (b, wb) in &whens[i + 1..] {
            let smaller = wa.len().min(wb.len());
            if smaller == 0 {
                continue;
            }
            let shared = wa.intersection(wb).count();
            let share = shared as f64 / smaller as f64;
            if share > MAX_WHEN_OVERLAP {
                out.push(Diag::new(
                    b.path.as_deref().unwrap_or(&deck.path),
                    b.line,
                    format!(
                        "the When texts of patterns '{}' and '{}' (line {}) share {:.0}% of their content words: make each situation distinct",
                        b.title,
                        a.title,
                        a.line,
                        share * 100.0
                    ),
                ));
            }
        }
    }
    out
}

/// Words that carry no meaning of their own, for the pattern lints.
const STOPWORDS: &[&str] = &[
    "the", "and", "for", "with", "you", "your", "are", "that", "this", "from", "into", "when",
    "what", "which", "while", "than", "then", "them", "they", "their", "its", "one", "two", "all",
    "any", "can", "not", "but", "has", "have", "had", "was", "were", "will", "would", "should",
    "could", "about", "over", "under", "each", "every", "more", "most", "some", "such", "only",
    "own", "same", "other", "into", "out", "how", "why", "who", "where", "there", "here", "been",
    "being", "does", "did", "doing", "just", "also", "yet", "need", "needs", "want", "wants",
    "use", "using", "used", "before", "after", "without", "within", "between", "through",
    "because", "these", "those", "many", "much", "very", "like", "get", "gets", "make", "makes",
    "still", "even",
];

/// Lowercase content words of a text (three letters or more, no stopwords),
/// with a plural `s` dropped so that "hook" and "hooks" match.
pub fn content_words(text: &str) -> std::collections::HashSet<String> {
    content_word_list(text).into_iter().collect()
}

/// The content words of a text in their order, repeats included.
fn content_word_list(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3 && !STOPWORDS.contains(&w.as_str()))
        .map(|w| match w.strip_suffix('s') {
            Some(stem) if stem.chars().count() >= 3 && !w.ends_with("ss") => stem.to_string(),
            _ => w,
        })
        .collect()
}

/// Warnings across decks: duplicate questions and unknown prerequisites.
pub fn lint_all(decks: &[Deck]) -> Vec<Diag> {
    let mut out = Vec::new();
    let mut fronts: HashMap<String, (String, usize)> = HashMap::new();
    for deck in decks {
        for note in &deck.notes {
            for card in cards_of(note) {
                let norm = card.front.to_lowercase();
                let here = note.path.clone().unwrap_or_else(|| deck.path.clone());
                match fronts.get(&norm) {
                    Some((path, line)) => out.push(Diag::new(
                        &here,
                        note.line,
                        format!(
                            "duplicate question '{}': also at {path}:{line}",
                            first_line(&card.front)
                        ),
                    )),
                    None => {
                        fronts.insert(norm, (here, note.line));
                    }
                }
            }
        }
    }
    let keys: std::collections::HashSet<&str> = decks.iter().map(|d| d.key.as_str()).collect();
    for deck in decks {
        for req in &deck.requires {
            if !keys.contains(req.as_str()) {
                out.push(Diag::new(
                    &deck.path,
                    1,
                    format!("requires unknown deck '{req}'"),
                ));
            }
        }
    }
    out
}

fn first_line(text: &str) -> &str {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or(text)
}

/// The same deck, note or card id twice is an error; the message names
/// both places.
pub fn duplicate_ids(decks: &[Deck]) -> Vec<Diag> {
    let mut space = IdSpace::default();
    let mut out = Vec::new();
    for deck in decks {
        let (errors, claims) = space.check(deck);
        out.extend(errors);
        space.record(claims);
    }
    out.extend(renames_of_live_ids(decks));
    out
}

/// `{#new was=old}` must name an id that is gone from the decks: renaming
/// a note that still exists would take its history from it.
pub fn renames_of_live_ids(decks: &[Deck]) -> Vec<Diag> {
    let places: HashMap<&str, (&str, usize)> = decks
        .iter()
        .flat_map(|d| {
            d.notes.iter().map(move |n| {
                (
                    n.key.as_str(),
                    (n.path.as_deref().unwrap_or(&d.path), n.line),
                )
            })
        })
        .collect();
    let mut out = Vec::new();
    let mut claimed: HashMap<&str, (&str, usize)> = HashMap::new();
    for deck in decks {
        for note in &deck.notes {
            let here = (note.path.as_deref().unwrap_or(&deck.path), note.line);
            if let Some(old) = &note.was
                && let Some((path, line)) = claimed.insert(old.as_str(), here)
            {
                out.push(Diag::new(
                    here.0,
                    here.1,
                    format!("`was={old}` is claimed by more than one note: keep it on one (also at {path}:{line})"),
                ));
                continue;
            }
            if let Some(old) = &note.was
                && let Some((path, line)) = places.get(old.as_str())
            {
                out.push(Diag::new(
                    note.path.as_deref().unwrap_or(&deck.path),
                    note.line,
                    format!(
                        "`was={old}` renames a note that still exists at {path}:{line}: drop `was=`, or remove or rename that note"
                    ),
                ));
            }
        }
    }
    out
}

/// Cross-deck checks while files stream through: every deck id once, and
/// note and card ids in one namespace (a pattern `{#p}` owns `p/when`).
#[derive(Default)]
pub struct IdSpace {
    decks: HashMap<String, String>,
    /// Note and card id → its owner, an index into `owners`. A first
    /// compile records some 140k ids: small entries keep that table small.
    ids: HashMap<Box<str>, u32>,
    owners: Vec<Owner>,
}

struct Owner {
    note: Rc<str>,
    path: Rc<str>,
    line: usize,
}

impl IdSpace {
    /// The errors `deck` would cause, and what `record` would add; nothing
    /// is recorded yet.
    pub fn check(&self, deck: &Deck) -> (Vec<Diag>, Claims) {
        let mut errors = Vec::new();
        if let Some(other) = self.decks.get(&deck.key) {
            errors.push(Diag::new(
                &deck.path,
                1,
                format!("duplicate deck id '{}': also used by {other}", deck.key),
            ));
        }
        let mut claims = Claims {
            deck: (deck.key.clone(), deck.path.clone()),
            ids: HashMap::new(),
            owners: Vec::with_capacity(deck.notes.len()),
        };
        let deck_path: Rc<str> = deck.path.as_str().into();
        for note in &deck.notes {
            let here = note.path.as_deref().unwrap_or(&deck.path);
            let index = claims.owners.len() as u32;
            claims.owners.push(Owner {
                note: note.key.as_str().into(),
                path: note
                    .path
                    .as_deref()
                    .map_or_else(|| Rc::clone(&deck_path), Rc::from),
                line: note.line,
            });
            // The note's own id is in the namespace too: two notes of
            // different kinds under one derived id would clash in the
            // database even where their card ids don't.
            let mut ids = card_keys(note);
            if !ids.contains(&note.key) {
                ids.insert(0, note.key.clone());
            }
            for id in ids {
                let clash = match self.ids.get(id.as_str()) {
                    Some(&i) => Some(&self.owners[i as usize]),
                    None => claims
                        .ids
                        .get(id.as_str())
                        .map(|&i| &claims.owners[i as usize]),
                };
                if let Some(o) = clash {
                    let (path, line) = (&o.path, o.line);
                    let message = if *o.note == note.key {
                        format!("duplicate id '{}': also at {path}:{line}", note.key)
                    } else {
                        format!(
                            "id '{id}' is already a card of note '{}' at {path}:{line}: note and card ids share one namespace; choose another id",
                            o.note
                        )
                    };
                    errors.push(Diag::new(here, note.line, message));
                    break;
                }
                claims.ids.insert(id.into_boxed_str(), index);
            }
        }
        (errors, claims)
    }

    /// Records a checked deck's ids, so later decks are checked against it.
    pub fn record(&mut self, claims: Claims) {
        self.decks.insert(claims.deck.0, claims.deck.1);
        let offset = self.owners.len() as u32;
        self.owners.extend(claims.owners);
        for (id, index) in claims.ids {
            self.ids.entry(id).or_insert(offset + index);
        }
    }
}

/// A deck's ids, as `IdSpace::check` found them: its card ids are worked
/// out once per compile.
pub struct Claims {
    deck: (String, String),
    ids: HashMap<Box<str>, u32>,
    owners: Vec<Owner>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::parse_deck;

    fn warnings(text: &str) -> Vec<String> {
        let deck = parse_deck("d.md", "d", text.as_bytes()).unwrap();
        lint_deck(&deck).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_when_text_that_names_its_own_pattern_is_flagged() {
        let w = warnings(
            "## Pattern: Worktree per session {#p}\nWhen: Two sessions edit one repo and need separate worktrees.\nHow: h\nTrade-offs: t\n",
        );
        assert_eq!(
            w,
            vec![
                "d.md:1: the When text of pattern 'Worktree per session' holds 'session', a word of its own title: its \"which pattern fits?\" card gives the answer away"
            ]
        );
    }

    #[test]
    fn when_texts_too_alike_are_flagged_and_distinct_ones_pass() {
        let alike = "## Pattern: A {#a}\nWhen: a flaky test fails only in CI after a dependency upgrade\nHow: h\nTrade-offs: t\n\
                     ## Pattern: B {#b}\nWhen: a flaky test fails only in CI after a refactor\nHow: h\nTrade-offs: t\n";
        let w = warnings(alike);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("d.md:5: the When texts of patterns 'B' and 'A' (line 1) share"),
            "{w:?}"
        );
        let distinct = "## Pattern: A {#a}\nWhen: a flaky test fails only in CI\nHow: h\nTrade-offs: t\n\
                        ## Pattern: B {#b}\nWhen: planning a migration across many services\nHow: h\nTrade-offs: t\n";
        assert!(warnings(distinct).is_empty());
    }

    #[test]
    fn answers_over_sixty_words_are_flagged() {
        let long = vec!["word"; 61].join(" ");
        let w = warnings(&format!("## Q: q {{#q}}\n{long}\n"));
        assert_eq!(
            w,
            vec!["d.md:1: answer of 'q' has 61 words (over 60): split this card"]
        );
        let ok = vec!["word"; 60].join(" ");
        assert!(warnings(&format!("## Q: q {{#q}}\n{ok}\n")).is_empty());
    }
}
