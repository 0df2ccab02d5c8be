//! Warnings for `mastery check`, and the cross-deck id check that is an
//! error everywhere.

use std::collections::HashMap;

use super::cards::cards_of;
use super::{Content, Deck};
use crate::error::Diag;

pub const MAX_ANSWER_WORDS: usize = 80;
pub const MAX_DELETIONS: usize = 5;

/// Warnings about one deck's notes.
pub fn lint_deck(deck: &Deck) -> Vec<Diag> {
    let mut out = deck.warnings.clone();
    for note in &deck.notes {
        let path = note.path.as_deref().unwrap_or(&deck.path);
        let warn = |m: String| Diag::new(path, note.line, m);
        if !note.explicit_id {
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
    out
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
        out.extend(space.check(deck));
        space.record(deck);
    }
    out
}

/// Cross-deck checks while files stream through: every deck id once, and
/// note and card ids in one namespace (a pattern `{#p}` owns `p/when`).
#[derive(Default)]
pub struct IdSpace {
    decks: HashMap<String, String>,
    /// Card id → (its note's id, path, line).
    cards: HashMap<String, (String, String, usize)>,
}

impl IdSpace {
    /// The errors `deck` would cause; nothing is recorded.
    pub fn check(&self, deck: &Deck) -> Vec<Diag> {
        let mut errors = Vec::new();
        if let Some(other) = self.decks.get(&deck.key) {
            errors.push(Diag::new(
                &deck.path,
                1,
                format!("duplicate deck id '{}': also used by {other}", deck.key),
            ));
        }
        let mut own: HashMap<String, (String, String, usize)> = HashMap::new();
        for note in &deck.notes {
            let here = note.path.as_deref().unwrap_or(&deck.path);
            for card in cards_of(note) {
                let clash = self.cards.get(&card.key).or_else(|| own.get(&card.key));
                if let Some((owner, path, line)) = clash {
                    let message = if owner == &note.key {
                        format!("duplicate id '{}': also at {path}:{line}", note.key)
                    } else {
                        format!(
                            "id '{}' is already a card of note '{owner}' at {path}:{line}: note and card ids share one namespace; choose another id",
                            card.key
                        )
                    };
                    errors.push(Diag::new(here, note.line, message));
                    break;
                }
                own.insert(card.key, (note.key.clone(), here.to_string(), note.line));
            }
        }
        errors
    }

    pub fn record(&mut self, deck: &Deck) {
        self.decks.insert(deck.key.clone(), deck.path.clone());
        for note in &deck.notes {
            let here = note.path.as_deref().unwrap_or(&deck.path);
            for card in cards_of(note) {
                self.cards
                    .entry(card.key)
                    .or_insert_with(|| (note.key.clone(), here.to_string(), note.line));
            }
        }
    }
}
