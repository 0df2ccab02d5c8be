//! Compiling decks into the database: skip unchanged files, diff each
//! changed deck against its stored notes, carry history across edits, and
//! write it all in one transaction.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::deck::cards::cards_of;
use crate::deck::docs;
use crate::deck::lint::lint_deck;
use crate::deck::source::{DeckFile, Kind, Part, Source, list};
use crate::deck::{Deck, Note, parse_deck};
use crate::error::{Diag, Error, Result};
use crate::store::{CompileTx, NoteRow, Store};

/// How similar a vanished note and a new one must be to share history.
pub const CARRY_SIMILARITY: f64 = 0.8;

#[derive(Debug, Default, Serialize)]
pub struct CompileReport {
    pub decks: usize,
    /// Active cards; filled in by `count_cards`, which `compile` skips.
    pub cards: i64,
    pub added: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub carried: i64,
    pub retired: i64,
    pub pruned: i64,
    pub warnings: Vec<String>,
    /// (old id, new id) for each note matched by similarity.
    #[serde(skip)]
    pub carried_notes: Vec<(String, String)>,
}

impl CompileReport {
    /// Fills in the card totals, which a compile itself does not need.
    pub fn count_cards(&mut self, store: &Store) -> Result<()> {
        self.cards = store.active_card_count()?;
        self.unchanged = self.cards - self.added - self.updated - self.carried;
        Ok(())
    }
}

/// Reads and parses every deck of a source, for `check`.
pub fn parse_all(source: &Source) -> Result<(Vec<Deck>, Vec<Diag>)> {
    let (files, mut errors) = list(source)?;
    let mut decks = Vec::new();
    for file in &files {
        match file
            .read()
            .and_then(|b| parse_file(file, &b).map_err(|mut e| e.remove(0)))
        {
            Ok(deck) => decks.push(deck),
            Err(e) => errors.push(e),
        }
    }
    Ok((decks, errors))
}

fn parse_file(file: &DeckFile, parts: &[Part]) -> Result<Deck, Vec<Diag>> {
    match &file.kind {
        Kind::Deck => {
            let part = parts.first().ok_or_else(Vec::new)?;
            parse_deck(&file.display, &file.default_key(), &part.bytes)
        }
        Kind::Docs(unit, ctx) => {
            let parts: Vec<docs::Part<'_>> = parts
                .iter()
                .map(|p| docs::Part {
                    path: &p.path,
                    bytes: &p.bytes,
                })
                .collect();
            docs::parse_unit(
                unit,
                &file.default_key(),
                &file.display,
                &parts,
                &ctx.module_keys,
                &ctx.overrides,
            )
        }
    }
}

/// A fingerprint of a deck's files (names and bytes) and its salt.
fn hash(parts: &[Part], salt: &str) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for p in parts {
        h.update(p.path.as_bytes());
        h.update(&[0]);
        h.update(&p.bytes);
    }
    h.update(salt.as_bytes());
    format!("{:016x}", h.digest())
}

/// A deck file to parse and write, with its fingerprint.
struct Changed<'f> {
    file: &'f DeckFile,
}

/// Cross-deck checks while files stream through: every id once.
#[derive(Default)]
struct Seen {
    decks: HashMap<String, String>,
    notes: HashMap<String, (String, usize)>,
}

impl Seen {
    fn check(&mut self, deck: &Deck, errors: &mut Vec<Diag>) {
        if let Some(other) = self.decks.insert(deck.key.clone(), deck.path.clone()) {
            errors.push(Diag::new(
                &deck.path,
                1,
                format!("duplicate deck id '{}': also used by {other}", deck.key),
            ));
        }
        for note in &deck.notes {
            let here = note.path.as_deref().unwrap_or(&deck.path);
            match self.notes.get(&note.key) {
                Some((path, line)) => errors.push(Diag::new(
                    here,
                    note.line,
                    format!("duplicate id '{}': also at {path}:{line}", note.key),
                )),
                None => {
                    self.notes
                        .insert(note.key.clone(), (here.to_string(), note.line));
                }
            }
        }
    }
}

/// Compiles a source in one transaction, a file at a time: unchanged files
/// (same size and mtime, or same hash) are skipped, each changed file is
/// parsed, checked and written before the next is read, and any error in
/// any file rolls everything back.
pub fn compile(store: &mut Store, source: &Source, prune: bool) -> Result<CompileReport> {
    let (files, mut errors) = list(source)?;
    let prints: HashMap<String, _> = store
        .deck_prints()?
        .into_iter()
        .map(|p| (p.path.clone(), p))
        .collect();
    let mut changed = Vec::new();
    let mut touched = Vec::new();
    let mut unchanged_keys = HashSet::new();
    for file in &files {
        let print = prints.get(&file.display);
        if let Some(p) = print
            .filter(|p| p.size == file.size && p.mtime_ns == file.mtime_ns && file.mtime_ns != 0)
        {
            unchanged_keys.insert(p.key.clone());
            continue;
        }
        let Some(print) = print else {
            // A new file: read once, when it is compiled.
            changed.push(Changed { file });
            continue;
        };
        match file.read() {
            Ok(parts) if hash(&parts, file.salt()) == print.hash => {
                unchanged_keys.insert(print.key.clone());
                touched.push((print.id, file.size, file.mtime_ns));
            }
            Ok(_) => changed.push(Changed { file }),
            Err(e) => errors.push(e),
        }
    }
    let mut report = CompileReport {
        decks: files.len(),
        ..CompileReport::default()
    };
    let listed: HashSet<&str> = files.iter().map(|f| f.display.as_str()).collect();
    let mut seen = Seen::default();
    let mut synced = HashSet::new();
    let gone = prints.values().any(|p| !listed.contains(p.path.as_str()));
    if changed.is_empty() && touched.is_empty() && !gone && !prune && errors.is_empty() {
        // Nothing to write: the common case, kept free of any transaction.
        return Ok(report);
    }
    let tx = store.begin_compile()?;
    let existing = if changed.is_empty() {
        HashSet::new()
    } else {
        tx.note_keys()?
    };
    for c in &changed {
        let (parsed, digest) = match c.file.read() {
            Ok(parts) => (parse_file(c.file, &parts), hash(&parts, c.file.salt())),
            Err(e) => (Err(vec![e]), String::new()),
        };
        let deck = match parsed {
            Ok(deck) => deck,
            Err(mut e) => {
                errors.append(&mut e);
                continue;
            }
        };
        seen.check(&deck, &mut errors);
        if unchanged_keys.contains(&deck.key) {
            errors.push(Diag::new(
                &deck.path,
                1,
                format!(
                    "duplicate deck id '{}': another deck file uses it",
                    deck.key
                ),
            ));
        }
        for note in deck.notes.iter().filter(|n| existing.contains(&n.key)) {
            if let Some(owner) = tx.note_owner(&note.key)?
                && !owner.retired
                && unchanged_keys.contains(&owner.deck_key)
            {
                errors.push(Diag::new(
                    note.path.as_deref().unwrap_or(&deck.path),
                    note.line,
                    format!(
                        "duplicate id '{}': also at {}:{}",
                        note.key, owner.path, owner.line
                    ),
                ));
            }
        }
        if errors.is_empty() {
            report
                .warnings
                .extend(lint_deck(&deck).iter().map(ToString::to_string));
            synced.insert(sync_deck(
                &tx,
                &deck,
                c.file.size,
                c.file.mtime_ns,
                &digest,
                &existing,
                &mut report,
            )?);
        }
    }
    if !errors.is_empty() {
        // Dropping the transaction rolls back whatever was written.
        return Err(Error::Decks(errors));
    }
    for (id, size, mtime) in touched {
        tx.touch_deck(id, size, mtime)?;
    }
    // A deck whose file is gone is retired, unless its id now lives in
    // another file (a move, or a switch from a docs tree to decks).
    for print in prints
        .values()
        .filter(|p| !listed.contains(p.path.as_str()) && !synced.contains(&p.id))
    {
        report.retired += tx.retire_deck(print.id)? as i64;
    }
    if prune {
        report.pruned = tx.prune()? as i64;
    }
    tx.count_deck_cards()?;
    tx.commit()?;
    Ok(report)
}

/// Writes one changed deck; returns its row id.
fn sync_deck(
    tx: &CompileTx<'_>,
    deck: &Deck,
    size: i64,
    mtime_ns: i64,
    hash: &str,
    known: &HashSet<String>,
    report: &mut CompileReport,
) -> Result<i64> {
    let deck_id = tx.upsert_deck(deck, size, mtime_ns, hash)?;
    let existing: HashMap<String, NoteRow> = tx
        .deck_notes(deck_id)?
        .into_iter()
        .map(|n| (n.key.clone(), n))
        .collect();
    let mut seen = HashSet::new();
    let mut fresh = Vec::new();
    for (index, note) in deck.notes.iter().enumerate() {
        let row = match existing.get(&note.key) {
            Some(row) => Some(row.clone()),
            None if known.contains(&note.key) => tx.note_by_key(&note.key)?,
            None => None,
        };
        match row {
            Some(row) => {
                seen.insert(row.id);
                tx.update_note(row.id, deck_id, note)?;
                sync_cards(tx, row.id, deck_id, index, note, Sync::Updated, report)?;
            }
            None => fresh.push((index, note)),
        }
    }
    let mut gone: Vec<&NoteRow> = existing
        .values()
        .filter(|n| !n.retired && !seen.contains(&n.id))
        .collect();
    gone.sort_by(|a, b| a.key.cmp(&b.key));
    for (index, note) in fresh {
        let matched = best_match(&gone, note);
        if let Some(pos) = matched {
            let old = gone.remove(pos);
            report
                .carried_notes
                .push((old.key.clone(), note.key.clone()));
            tx.rekey_cards(old.id, &old.key, &note.key)?;
            tx.update_note(old.id, deck_id, note)?;
            sync_cards(tx, old.id, deck_id, index, note, Sync::Carried, report)?;
        } else {
            let id = tx.insert_note(deck_id, note)?;
            sync_cards(tx, id, deck_id, index, note, Sync::Inserted, report)?;
        }
    }
    for old in gone {
        report.retired += tx.retire_note(old.id)? as i64;
    }
    Ok(deck_id)
}

/// The vanished note of the same kind and topic that is most similar to
/// `note`, if it reaches the carry-over threshold.
fn best_match(gone: &[&NoteRow], note: &Note) -> Option<usize> {
    let answers: Vec<String> = cards_of(note).into_iter().map(|c| c.back).collect();
    let text = format!("{}\n{}", note.title, answers.join("\n"));
    gone.iter()
        .enumerate()
        .filter(|(_, old)| old.kind == note.kind.name() && old.topic == note.topic)
        .map(|(i, old)| {
            (
                i,
                similarity(&format!("{}\n{}", old.title, old.answers), &text),
            )
        })
        .filter(|(_, s)| *s >= CARRY_SIMILARITY)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Normalised edit similarity in [0, 1].
pub fn similarity(a: &str, b: &str) -> f64 {
    strsim::normalized_levenshtein(a, b)
}

/// How a note came to be written: its cards are matched accordingly.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sync {
    Updated,
    Carried,
    Inserted,
}

/// Cards per note slot: keeps `pos` increasing in file order.
const CARDS_PER_NOTE: i64 = 1000;

fn sync_cards(
    tx: &CompileTx<'_>,
    note_id: i64,
    deck_id: i64,
    index: usize,
    note: &Note,
    how: Sync,
    report: &mut CompileReport,
) -> Result<()> {
    let carried = how == Sync::Carried;
    let stored: HashMap<String, _> = if how == Sync::Inserted {
        HashMap::new()
    } else {
        tx.note_cards(note_id)?
            .into_iter()
            .map(|c| (c.key.clone(), c))
            .collect()
    };
    let mut kept = HashSet::new();
    for (i, draft) in cards_of(note).iter().enumerate() {
        let pos = index as i64 * CARDS_PER_NOTE + i as i64;
        match stored.get(&draft.key) {
            Some(card) => {
                kept.insert(card.id);
                let changed = card.front != draft.front || card.back != draft.back || card.retired;
                if changed || card.pos != pos || card.deck_id != deck_id {
                    tx.update_card(card.id, deck_id, pos, draft)?;
                }
                if carried {
                    report.carried += 1;
                } else if changed {
                    report.updated += 1;
                }
            }
            None => {
                tx.insert_card(note_id, deck_id, pos, draft)?;
                report.added += 1;
            }
        }
    }
    for card in stored
        .values()
        .filter(|c| !c.retired && !kept.contains(&c.id))
    {
        tx.retire_card(card.id)?;
        report.retired += 1;
    }
    Ok(())
}
