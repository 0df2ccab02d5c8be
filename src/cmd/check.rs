use std::path::Path;

use serde::Serialize;

use super::{json, out};
use crate::app::App;
use crate::compile::parse_all;
use crate::deck::Deck;
use crate::deck::lint::{duplicate_ids, lint_all, lint_deck};
use crate::deck::source::Source;
use crate::error::{Diag, Error, Result};

#[derive(Serialize)]
struct CheckJson {
    decks: usize,
    notes: usize,
    errors: Vec<String>,
    warnings: Vec<String>,
}

pub fn run(app: &App, fix_ids: bool, as_json: bool) -> Result<()> {
    let (decks, mut errors, skipped) = parse_all(&app.source)?;
    errors.extend(duplicate_ids(&decks));
    // Ids the database already gave to other notes' cards, retired ones
    // included: compile would refuse them, so check does too.
    if let Some(owners) = crate::store::stored_card_owners(&app.db_path) {
        for deck in &decks {
            for note in &deck.notes {
                if let Some(problem) = crate::compile::taken_card_id(note, &owners) {
                    let here = note.path.as_deref().unwrap_or(&deck.path);
                    errors.push(Diag::new(here, note.line, problem));
                }
            }
        }
    }
    let mut fixed = 0;
    if fix_ids {
        let Source::Dir(_) = &app.source else {
            return Err(Error::Usage(
                "the built-in decks cannot be edited: pass --decks DIR to fix ids in your own decks".into(),
            ));
        };
        for deck in &decks {
            fixed += fix_deck_ids(deck)?;
        }
    }
    let mut warnings: Vec<Diag> = skipped;
    for deck in &decks {
        warnings.extend(
            lint_deck(deck)
                .into_iter()
                .filter(|w| !(fix_ids && w.message.contains("has no {#id}"))),
        );
    }
    warnings.extend(lint_all(&decks));
    let notes = decks.iter().map(|d| d.notes.len()).sum();
    if as_json {
        json(&CheckJson {
            decks: decks.len(),
            notes,
            errors: errors.iter().map(ToString::to_string).collect(),
            warnings: warnings.iter().map(ToString::to_string).collect(),
        })?;
    } else {
        let mut text = String::new();
        for w in &warnings {
            text.push_str(&format!("warning: {w}\n"));
        }
        if fix_ids {
            text.push_str(&format!("wrote {fixed} ids\n"));
        }
        text.push_str(&format!(
            "checked {} decks, {notes} notes: {} errors, {} warnings\n",
            decks.len(),
            errors.len(),
            warnings.len()
        ));
        out(&text)?;
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Decks(errors))
    }
}

/// Appends ` {#id}` to the heading of each note without one, changing
/// nothing else, and replaces the file atomically.
fn fix_deck_ids(deck: &Deck) -> Result<usize> {
    let missing: Vec<_> = deck.notes.iter().filter(|n| !n.explicit_id).collect();
    if missing.is_empty() {
        return Ok(0);
    }
    let path = Path::new(&deck.path);
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    for note in &missing {
        if let Some(line) = lines.get_mut(note.line - 1) {
            let body_len = line.trim_end_matches(['\n', '\r']).len();
            let ending = line[body_len..].to_string();
            line.truncate(body_len);
            line.push_str(&format!(" {{#{}}}{ending}", note.key));
        }
    }
    crate::files::write_atomic(path, &lines.concat())?;
    Ok(missing.len())
}

/// `mastery import docs PATH --out DIR`.
pub fn import_docs(path: &Path, dir: &Path) -> Result<()> {
    let source = Source::from_dir(path.to_path_buf());
    let Source::Docs(_) = &source else {
        return Err(Error::Usage(format!(
            "{} is not a training repo: expected docs/modules or docs/patterns inside it",
            path.display()
        )));
    };
    let (decks, mut errors, _) = parse_all(&source)?;
    errors.extend(duplicate_ids(&decks));
    if !errors.is_empty() {
        return Err(Error::Decks(errors));
    }
    let mut notes = 0;
    for deck in &decks {
        let target = dir.join(format!("{}.md", deck.key));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        crate::files::refuse_symlink(&target)?;
        crate::files::write_atomic(&target, &crate::deck::write::to_markdown(deck))?;
        notes += deck.notes.len();
    }
    out(&format!(
        "wrote {} decks with {notes} notes to {}\n",
        decks.len(),
        dir.display()
    ))
}
