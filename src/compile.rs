//! Compiling decks into the database: skip unchanged files, diff each
//! changed deck against its stored notes, carry history across edits, and
//! write it all in one transaction.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::deck::cards::cards_of;
use crate::deck::docs;
use crate::deck::lint::{IdSpace, lint_deck};
use crate::deck::parse::parse_deck_all;
use crate::deck::source::{DeckFile, Kind, Part, Source, list};
use crate::deck::{Deck, Note, identity};
use crate::error::{Diag, Error, Result};
use crate::store::{CompileTx, NoteRow, Stat, Store, StoredCard};

/// How similar a vanished note and a new one must be to share history.
pub const CARRY_SIMILARITY: f64 = 0.8;

/// How a compile treats a file with errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// `compile` and `check`: any error anywhere, and nothing is written.
    #[default]
    Strict,
    /// Every other command: a file with errors keeps its last good compile
    /// and its errors come back as warnings, so one typo doesn't stop the
    /// daily drill.
    KeepLastGood,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub mode: Mode,
    /// Delete retired cards and their history.
    pub prune: bool,
    /// Accept a decks source other than the recorded one, retiring what it
    /// lacks.
    pub switch_decks: bool,
}

/// The meta key under which the decks source is recorded.
const DECKS_SOURCE: &str = "decks_source";

/// A card whose answer changed beyond the carry-over threshold under the
/// same id: its history was kept, which may not be what the author meant.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerChanged {
    pub card: String,
    pub similarity: f64,
}

/// A carry-over that was considered and refused.
#[derive(Debug, Clone, Serialize)]
pub struct NotCarried {
    pub old: String,
    pub new: String,
    pub similarity: f64,
}

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
    pub carried_notes: Vec<(String, String)>,
    /// Notes retired by this compile, by id.
    pub retired_notes: Vec<String>,
    /// Notes that moved to another deck, by id.
    pub moved_notes: Vec<String>,
    /// New notes that were not given a retired note's history.
    pub not_carried: Vec<NotCarried>,
    /// Cards that kept their history although their answer changed a lot.
    pub answer_changed: Vec<AnswerChanged>,
    /// Files whose errors kept their last good compile (`Mode::KeepLastGood`).
    pub kept: Vec<String>,
    /// `was=` renames refused (`Mode::KeepLastGood`): the note started fresh.
    pub refused_renames: Vec<String>,
    /// (recorded, now) when the decks source changed.
    pub switched: Option<(String, String)>,
}

impl CompileReport {
    /// Fills in the card totals, which a compile itself does not need.
    pub fn count_cards(&mut self, store: &Store) -> Result<()> {
        self.cards = store.active_card_count()?;
        self.unchanged = self.cards - self.added - self.updated - self.carried;
        Ok(())
    }
}

/// Reads and parses every deck of a source, for `check`: every error of
/// every file, and every deck that parsed at least in part, so that checks
/// across notes still run on a file with other errors.
pub fn parse_all(source: &Source) -> Result<(Vec<Deck>, Vec<Diag>, Vec<Diag>)> {
    let listing = list(source)?;
    let mut errors = listing.errors;
    let mut decks = Vec::new();
    for file in &listing.files {
        match file.read() {
            Ok(parts) => {
                let (deck, mut e) = parse_file(file, &parts);
                errors.append(&mut e);
                decks.extend(deck);
            }
            Err(e) => errors.push(e),
        }
    }
    errors.extend(requires_cycles(
        decks
            .iter()
            .map(|d| (d.key.clone(), d.requires.clone(), d.path.clone())),
    ));
    Ok((decks, errors, listing.warnings))
}

/// The deck whose file is shown as `path`, read and parsed again (for
/// `mastery read`), or `None` when the source has no such file. A file with
/// errors gives the notes that parsed.
pub fn parse_one(source: &Source, path: &str) -> Result<Option<Deck>> {
    let listing = list(source)?;
    let Some(file) = listing.files.iter().find(|f| f.display == path) else {
        return Ok(None);
    };
    let parts = file.read().map_err(|d| Error::Usage(d.to_string()))?;
    Ok(parse_file(file, &parts).0)
}

fn parse_file(file: &DeckFile, parts: &[Part]) -> (Option<Deck>, Vec<Diag>) {
    match &file.kind {
        Kind::Deck => match parts.first() {
            Some(part) => parse_deck_all(&file.display, &file.default_key(), &part.bytes),
            None => (None, Vec::new()),
        },
        Kind::Docs(unit, ctx) => {
            let parts: Vec<docs::Part<'_>> = parts
                .iter()
                .map(|p| docs::Part {
                    path: &p.path,
                    bytes: &p.bytes,
                })
                .collect();
            match docs::parse_unit(
                unit,
                &file.default_key(),
                &file.display,
                &parts,
                &ctx.module_keys,
                &ctx.overrides,
            ) {
                Ok(deck) => (Some(deck), Vec::new()),
                Err(e) => (None, e),
            }
        }
    }
}

/// Bumped when the same bytes parse differently (a new `Source:` line, say),
/// so that an upgrade re-reads every deck once.
const PARSER_VERSION: &str = "parser 2";
/// The meta key under which the parser version of the last compile is kept.
const PARSER: &str = "parser";

/// A fingerprint of a deck's files (names and bytes), its salt and the
/// parser's version.
fn hash(parts: &[Part], salt: &str) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(PARSER_VERSION.as_bytes());
    for p in parts {
        h.update(p.path.as_bytes());
        h.update(&[0]);
        h.update(&p.bytes);
    }
    h.update(salt.as_bytes());
    format!("{:016x}", h.digest())
}

/// Every `requires` cycle among decks, one error per cycle, naming the
/// files: decks in a cycle would wait for each other for ever.
pub fn requires_cycles(
    decks: impl IntoIterator<Item = (String, Vec<String>, String)>,
) -> Vec<Diag> {
    let decks: Vec<_> = decks.into_iter().collect();
    let index: HashMap<&str, usize> = decks
        .iter()
        .enumerate()
        .map(|(i, d)| (d.0.as_str(), i))
        .collect();
    // 0 unvisited, 1 on the current path, 2 done.
    let mut state = vec![0u8; decks.len()];
    let mut out = Vec::new();
    fn visit(
        at: usize,
        decks: &[(String, Vec<String>, String)],
        index: &HashMap<&str, usize>,
        state: &mut [u8],
        path: &mut Vec<usize>,
        out: &mut Vec<Diag>,
    ) {
        state[at] = 1;
        path.push(at);
        for req in &decks[at].1 {
            let Some(&next) = index.get(req.as_str()) else {
                continue;
            };
            match state[next] {
                0 => visit(next, decks, index, state, path, out),
                1 => {
                    let from = path.iter().position(|p| *p == next).unwrap_or(0);
                    let mut cycle: Vec<String> = path[from..]
                        .iter()
                        .map(|i| format!("{} ({})", decks[*i].0, decks[*i].2))
                        .collect();
                    cycle.push(decks[next].0.clone());
                    out.push(Diag::new(
                        &decks[at].2,
                        0,
                        format!(
                            "prerequisite cycle {}: these decks would wait for each other for ever; remove one `requires` entry",
                            cycle.join(" → ")
                        ),
                    ));
                }
                _ => {}
            }
        }
        path.pop();
        state[at] = 2;
    }
    for start in 0..decks.len() {
        if state[start] == 0 {
            visit(start, &decks, &index, &mut state, &mut Vec::new(), &mut out);
        }
    }
    out
}

/// Compiles a source in one transaction, a file at a time: unchanged files
/// (same size, mtime and ctime, or same hash) are skipped, each changed
/// file is parsed, checked and written before the next is read. In strict
/// mode any error in any file rolls everything back; otherwise a file with
/// errors keeps its last good compile.
pub fn compile(store: &mut Store, source: &Source, opts: &Options) -> Result<CompileReport> {
    let strict = opts.mode == Mode::Strict;
    let listing = list(source)?;
    let files = &listing.files;
    let mut report = CompileReport {
        decks: files.len(),
        warnings: listing.warnings.iter().map(ToString::to_string).collect(),
        ..CompileReport::default()
    };
    let mut errors = Vec::new();
    let keep = |file_errors: Vec<Diag>, errors: &mut Vec<Diag>, report: &mut CompileReport| {
        if strict {
            errors.extend(file_errors);
        } else if let Some(first) = file_errors.first() {
            report.kept.push(first.to_string());
        }
    };
    keep(listing.errors, &mut errors, &mut report);
    let prints: HashMap<String, _> = store
        .deck_prints()?
        .into_iter()
        .map(|p| (p.path.clone(), p))
        .collect();
    let identity = source.identity();
    let recorded = store.meta(DECKS_SOURCE)?;
    let source_changed = recorded.as_deref() != Some(identity.as_str());
    // After an upgrade whose parser reads the same bytes differently, every
    // file is read once, whatever its stat says.
    let reparse = store.meta(PARSER)?.as_deref() != Some(PARSER_VERSION);
    let mut changed = Vec::new();
    let mut touched = Vec::new();
    // Deck ids of files that are not rewritten, with their paths.
    let mut unchanged_keys: HashMap<String, String> = HashMap::new();
    for file in files {
        let print = prints.get(&file.display);
        if let Some(p) =
            print.filter(|p| !reparse && p.stat == file.stat && file.stat.mtime_ns != 0)
        {
            unchanged_keys.insert(p.key.clone(), p.path.clone());
            continue;
        }
        let Some(print) = print else {
            // A new file: read once, when it is compiled.
            changed.push(file);
            continue;
        };
        match file.read() {
            Ok(parts) if hash(&parts, file.salt()) == print.hash => {
                unchanged_keys.insert(print.key.clone(), print.path.clone());
                touched.push((print.id, file.stat));
            }
            Ok(_) => changed.push(file),
            Err(e) => {
                unchanged_keys.insert(print.key.clone(), print.path.clone());
                keep(vec![e], &mut errors, &mut report);
            }
        }
    }
    let listed: HashSet<&str> = files.iter().map(|f| f.display.as_str()).collect();
    let mut seen = IdSpace::default();
    let mut synced = HashSet::new();
    let mut rewritten: HashSet<&str> = HashSet::new();
    let mut pending = Pending::default();
    let gone = prints.values().any(|p| !listed.contains(p.path.as_str()));
    if changed.is_empty()
        && touched.is_empty()
        && !gone
        && !opts.prune
        && errors.is_empty()
        && !source_changed
        && !reparse
    {
        // Nothing to write: the common case, kept free of any transaction.
        return Ok(report);
    }
    let plan = plan_carry(store, &changed, &prints, &listed)?;
    let tx = store.begin_compile()?;
    let (existing, card_owners) = if changed.is_empty() {
        (HashSet::new(), HashMap::new())
    } else {
        (tx.note_keys()?, tx.card_owners()?)
    };
    for file in changed {
        let (parsed, digest) = match file.read() {
            Ok(parts) => (parse_file(file, &parts), hash(&parts, file.salt())),
            Err(e) => ((None, vec![e]), String::new()),
        };
        let (deck, mut file_errors) = parsed;
        let Some(deck) = deck else {
            if let Some(p) = prints.get(&file.display) {
                unchanged_keys.insert(p.key.clone(), p.path.clone());
            }
            keep(file_errors, &mut errors, &mut report);
            continue;
        };
        let (clashes, claims) = seen.check(&deck);
        file_errors.extend(clashes);
        if let Some(other) = unchanged_keys.get(&deck.key) {
            file_errors.push(Diag::new(
                &deck.path,
                1,
                format!("duplicate deck id '{}': also used by {other}", deck.key),
            ));
        }
        for note in &deck.notes {
            let here = note.path.as_deref().unwrap_or(&deck.path);
            if existing.contains(&note.key)
                && let Some(owner) = tx.note_owner(&note.key)?
                && !owner.retired
                && unchanged_keys.contains_key(&owner.deck_key)
            {
                file_errors.push(Diag::new(
                    here,
                    note.line,
                    format!(
                        "duplicate id '{}': also at {}:{}",
                        note.key, owner.path, owner.line
                    ),
                ));
                continue;
            }
            if let Some(problem) = taken_card_id(note, &card_owners) {
                file_errors.push(Diag::new(here, note.line, problem));
            }
        }
        if strict || file_errors.is_empty() {
            seen.record(claims);
        }
        if !file_errors.is_empty() {
            if let Some(p) = prints.get(&file.display) {
                unchanged_keys.insert(p.key.clone(), p.path.clone());
            }
            keep(file_errors, &mut errors, &mut report);
            continue;
        }
        if errors.is_empty() {
            report
                .warnings
                .extend(lint_deck(&deck).iter().map(ToString::to_string));
            // The file now holds another deck id: its old row makes way
            // (one active deck per path), its notes join the carry-over;
            // unless another file already took that row this compile (two
            // files swapped paths).
            if let Some(old) = prints
                .get(&file.display)
                .filter(|p| p.key != deck.key && !synced.contains(&p.id))
            {
                pending
                    .gone
                    .extend(tx.deck_notes(old.id)?.into_iter().filter(|n| !n.retired));
                tx.retire_deck(old.id)?;
            }
            let read = FileRead {
                stat: file.stat,
                hash: &digest,
                prev: prints.get(&file.display).map(|p| p.id),
            };
            synced.insert(sync_deck(
                &tx,
                &deck,
                read,
                &existing,
                &mut pending,
                &mut report,
            )?);
            rewritten.insert(file.display.as_str());
        }
    }
    if !errors.is_empty() {
        // Dropping the transaction rolls back whatever was written.
        return Err(Error::Decks(errors));
    }
    for (id, stat) in touched {
        tx.touch_deck(id, stat)?;
    }
    // A deck row is retired when its file is gone, or when its file now
    // holds another deck id (a file's path is part of its identity), unless
    // its id lives on in another file. Its notes join the carry-over.
    for print in prints.values().filter(|p| {
        !synced.contains(&p.id)
            && (!listed.contains(p.path.as_str()) || rewritten.contains(p.path.as_str()))
    }) {
        pending
            .gone
            .extend(tx.deck_notes(print.id)?.into_iter().filter(|n| !n.retired));
        tx.retire_deck(print.id)?;
    }
    carry_over(&tx, pending, plan, strict, &mut report)?;
    report.retired_notes.sort();
    let cycles = requires_cycles(tx.active_requires()?);
    if strict && !cycles.is_empty() {
        return Err(Error::Decks(cycles));
    }
    report
        .warnings
        .extend(cycles.iter().map(ToString::to_string));
    if source_changed {
        if let Some(old) = recorded {
            if !report.retired_notes.is_empty() && !opts.switch_decks {
                return Err(Error::DecksSwitch {
                    recorded: old,
                    current: identity,
                    retired: std::mem::take(&mut report.retired_notes),
                });
            }
            report.switched = Some((old, identity.clone()));
        }
        tx.set_meta(DECKS_SOURCE, &identity)?;
    }
    if reparse {
        tx.set_meta(PARSER, PARSER_VERSION)?;
    }
    if opts.prune {
        report.pruned = tx.prune()? as i64;
    }
    tx.count_deck_cards()?;
    tx.commit()?;
    Ok(report)
}

/// Why a note can't have its card ids, if another note's card (live or
/// retired) already holds one of them.
pub fn taken_card_id(note: &Note, owners: &crate::store::CardOwners) -> Option<String> {
    crate::deck::cards::card_keys(note).into_iter().find_map(|card| {
        let (owner, retired) = owners.get(&card)?;
        (owner != &note.key).then(|| {
            if *retired {
                format!(
                    "id '{}' belonged to a card of retired note '{owner}': choose another id, or forget the old one with `mastery compile --prune`",
                    card
                )
            } else {
                format!(
                    "id '{}' is already a card of note '{owner}': note and card ids share one namespace; choose another id",
                    card
                )
            }
        })
    })
}

/// What the per-deck pass leaves for the one carry-over across all decks.
#[derive(Default)]
struct Pending {
    /// (deck row, position in its deck, note) of notes under ids no note has.
    fresh: Vec<(i64, usize, Note)>,
    /// Deck ids by row, for the carry-over's tie-break.
    deck_keys: HashMap<i64, String>,
    /// Live notes of rewritten or retired decks, not yet seen this compile.
    gone: Vec<NoteRow>,
    /// Note rows seen under their key (or renamed) this compile.
    seen: HashSet<i64>,
    /// Notes renamed with `{#new was=old}`.
    renames: Vec<(i64, usize, Note, String)>,
    /// Notes without ids whose id names a retired note: revived only if no
    /// live vanished note is the same fact (that one's history is newer).
    revivals: Vec<(i64, usize, Note, NoteRow)>,
}

/// Writes one changed deck's row and every note whose id is known; returns
/// the deck's row id. Notes under new ids wait in `pending`.
/// A changed file as read: its fingerprint, and the deck row its path had.
struct FileRead<'a> {
    stat: Stat,
    hash: &'a str,
    prev: Option<i64>,
}

fn sync_deck(
    tx: &CompileTx<'_>,
    deck: &Deck,
    file: FileRead<'_>,
    known: &HashSet<String>,
    pending: &mut Pending,
    report: &mut CompileReport,
) -> Result<i64> {
    let prev = file.prev;
    let deck_id = tx.upsert_deck(deck, file.stat, file.hash)?;
    pending.deck_keys.insert(deck_id, deck.key.clone());
    let existing: HashMap<String, NoteRow> = tx
        .deck_notes(deck_id)?
        .into_iter()
        .map(|n| (n.key.clone(), n))
        .collect();
    for (index, note) in deck.notes.iter().enumerate() {
        let row = match existing.get(&note.key) {
            Some(row) => Some(row.clone()),
            None if known.contains(&note.key) => tx.note_by_key(&note.key)?,
            None => None,
        };
        // A note without an id is named by its title in its file's deck: it
        // is not the note of an explicit id that happens to read the same,
        // nor, when its file's deck id changed, a note of the deck row that
        // now has that id but belonged to another file (two files swapped
        // ids). Such rows go through the carry-over instead.
        let foreign = |row: &NoteRow| {
            !note.explicit_id
                && (!row.derived || prev.is_some_and(|p| p != deck_id && row.deck_id != p))
        };
        match row {
            Some(row) if foreign(&row) => {
                if !row.retired && row.deck_id != deck_id {
                    pending.gone.push(row.clone());
                }
                pending.fresh.push((deck_id, index, note.clone()));
            }
            Some(row) if row.retired && !note.explicit_id => {
                pending.revivals.push((deck_id, index, note.clone(), row));
            }
            Some(row) => {
                if row.deck_id != deck_id && !row.retired {
                    report.moved_notes.push(note.key.clone());
                }
                pending.seen.insert(row.id);
                tx.update_note(row.id, deck_id, note)?;
                sync_cards(tx, row.id, deck_id, index, note, Sync::Updated, report)?;
            }
            // `{#new was=old}`: decided once every deck is read, when it is
            // known whether `old` still lives somewhere.
            None if note.was.is_some() => {
                let here = note.path.clone().unwrap_or_else(|| deck.path.clone());
                pending.renames.push((deck_id, index, note.clone(), here));
            }
            // A database without notes has nothing to carry: write at once
            // (a first compile of 100k cards keeps one file in memory).
            None if known.is_empty() => {
                let id = tx.insert_note(deck_id, note)?;
                sync_cards(tx, id, deck_id, index, note, Sync::Inserted, report)?;
            }
            None => pending.fresh.push((deck_id, index, note.clone())),
        }
    }
    pending
        .gone
        .extend(existing.into_values().filter(|n| !n.retired));
    Ok(deck_id)
}

/// The one carry-over across every deck of the source: vanished notes with
/// derived ids pass their history to new notes with derived ids
/// (`deck::identity`); every other new note starts fresh, and every other
/// vanished note is retired.
fn carry_over(
    tx: &CompileTx<'_>,
    pending: Pending,
    plan: Option<Plan>,
    strict: bool,
    report: &mut CompileReport,
) -> Result<()> {
    let Pending {
        mut fresh,
        gone,
        mut seen,
        renames,
        revivals,
        deck_keys,
    } = pending;
    // Explicit renames first: `old` must be gone from the decks (retired,
    // or vanished in this compile), or the rename would take a living
    // note's history.
    let vanished: HashSet<i64> = gone.iter().map(|n| n.id).collect();
    // The same rules as `check`: `was=` may not name a note that is in the
    // decks, nor be claimed by two notes.
    let new_keys: HashSet<String> = fresh
        .iter()
        .map(|f| f.2.key.clone())
        .chain(renames.iter().map(|r| r.2.key.clone()))
        .collect();
    let mut claims: HashMap<String, usize> = HashMap::new();
    for r in &renames {
        *claims
            .entry(r.2.was.clone().unwrap_or_default())
            .or_default() += 1;
    }
    for (deck_id, index, note, here) in renames {
        let old_key = note.was.clone().unwrap_or_default();
        let row = tx.note_by_key(&old_key)?;
        // `old` is still in the decks: a note of this compile, a note seen
        // under its id, or a live note of a deck this compile left alone.
        let still_there = new_keys.contains(&old_key)
            || row
                .as_ref()
                .is_some_and(|r| !r.retired && (seen.contains(&r.id) || !vanished.contains(&r.id)));
        let refusal = if still_there {
            Some(format!(
                "`was={old_key}` renames a note that still exists: drop `was=`, or remove or rename that note"
            ))
        } else if claims.get(&old_key).copied().unwrap_or(0) > 1 {
            Some(format!(
                "`was={old_key}` is claimed by more than one note: keep it on one"
            ))
        } else {
            None
        };
        if let Some(message) = refusal {
            if strict {
                return Err(Error::Decks(vec![Diag::new(&here, note.line, message)]));
            }
            report
                .refused_renames
                .push(Diag::new(&here, note.line, message).to_string());
            fresh.push((deck_id, index, note));
            continue;
        }
        match row {
            // An id no note ever had: nothing to take over.
            None => fresh.push((deck_id, index, note)),
            Some(old) if !seen.contains(&old.id) && (old.retired || vanished.contains(&old.id)) => {
                seen.insert(old.id);
                report
                    .carried_notes
                    .push((old.key.clone(), note.key.clone()));
                tx.rekey_cards(old.id, &old.key, &note.key)?;
                tx.update_note(old.id, deck_id, &note)?;
                sync_cards(tx, old.id, deck_id, index, &note, Sync::Carried, report)?;
            }
            _ => {
                let message = format!(
                    "`was={old_key}` renames a note that still exists: drop `was=`, or remove or rename that note"
                );
                if strict {
                    return Err(Error::Decks(vec![Diag::new(&here, note.line, message)]));
                }
                report.warnings.push(message);
                fresh.push((deck_id, index, note));
            }
        }
    }
    let mut ids = HashSet::new();
    let gone: Vec<NoteRow> = gone
        .into_iter()
        .filter(|n| !seen.contains(&n.id) && ids.insert(n.id))
        .collect();
    // Notes whose id names a retired note compete like new ones: a live
    // vanished note that is the same fact has the newer history.
    let revived_from: HashMap<String, NoteRow> = revivals
        .iter()
        .map(|(_, _, note, row)| (note.key.clone(), row.clone()))
        .collect();
    fresh.extend(revivals.into_iter().map(|(d, i, note, _)| (d, i, note)));
    let fresh_refs: Vec<(&str, &Note)> = fresh
        .iter()
        .map(|(deck_id, _, note)| {
            let deck = deck_keys.get(deck_id).map_or("", String::as_str);
            (deck, note)
        })
        .collect();
    // Planned before the lock, if nothing changed since: the same
    // database version, and the same vanished and new notes.
    let matching = match plan {
        Some(p)
            if p.version == tx.data_version()?
                && p.gone == gone.iter().map(|n| n.id).collect()
                && p.fresh == fresh.iter().map(|f| f.2.key.clone()).collect() =>
        {
            p.matching
        }
        _ => match_notes(&gone, &fresh_refs),
    };
    // A row still holding an id a new note takes (a vanished note, a
    // retired one, one whose deck row changed files) steps aside first,
    // under `id~row`, with its history: so the writes below can't collide,
    // and two notes can trade ids in one compile. A row carried onto its
    // own id, or a retired row about to be revived, keeps it.
    let mut gone = gone;
    let mut original: HashMap<i64, String> = HashMap::new();
    for (_, _, note) in &fresh {
        let Some(holder) = tx.note_by_key(&note.key)? else {
            continue;
        };
        let carried_here = matching.carried.get(&note.key) == Some(&holder.id);
        let revived_here = !matching.carried.contains_key(&note.key)
            && revived_from
                .get(&note.key)
                .is_some_and(|r| r.id == holder.id);
        if carried_here || revived_here {
            continue;
        }
        let aside = format!("{}~{}", holder.key, holder.id);
        tx.rename_note(holder.id, &holder.key, &aside)?;
        original.insert(holder.id, holder.key.clone());
        if let Some(g) = gone.iter_mut().find(|g| g.id == holder.id) {
            g.key = aside;
        }
    }
    let mut kept = HashSet::new();
    for (deck_id, index, note) in &fresh {
        let old = matching
            .carried
            .get(&note.key)
            .and_then(|id| gone.iter().find(|n| n.id == *id));
        match (old, revived_from.get(&note.key)) {
            (Some(old), _) => {
                kept.insert(old.id);
                let shown = original.get(&old.id).unwrap_or(&old.key);
                report.carried_notes.push((shown.clone(), note.key.clone()));
                tx.rekey_cards(old.id, &old.key, &note.key)?;
                tx.update_note(old.id, *deck_id, note)?;
                sync_cards(tx, old.id, *deck_id, *index, note, Sync::Carried, report)?;
            }
            (None, Some(retired)) => {
                tx.update_note(retired.id, *deck_id, note)?;
                sync_cards(
                    tx,
                    retired.id,
                    *deck_id,
                    *index,
                    note,
                    Sync::Updated,
                    report,
                )?;
            }
            (None, None) => {
                let id = tx.insert_note(*deck_id, note)?;
                sync_cards(tx, id, *deck_id, *index, note, Sync::Inserted, report)?;
            }
        }
    }
    report.not_carried.extend(matching.refused);
    for old in gone.iter().filter(|n| !kept.contains(&n.id)) {
        report
            .retired_notes
            .push(original.get(&old.id).unwrap_or(&old.key).clone());
        report.retired += tx.retire_note(old.id)? as i64;
    }
    Ok(())
}

/// The carry-over decided: which vanished note (row id) each new note (id)
/// takes, and the near misses to report.
#[derive(Debug, Default)]
struct Matching {
    carried: HashMap<String, i64>,
    refused: Vec<NotCarried>,
}

/// Pairs vanished and new notes with `deck::identity`: only derived ids on
/// both sides take part.
fn match_notes(gone: &[NoteRow], fresh: &[(&str, &Note)]) -> Matching {
    let mut carried: HashMap<String, i64> = HashMap::new();
    // A note without an id is named by its deck and title. When its deck's
    // id changed (a new front-matter id, a moved or swapped file), only the
    // deck part of its id changed: the one vanished note of that kind and
    // title is the same note, however much its answers changed in the same
    // edit. Only a unique match counts.
    let slug = |key: &str, deck: &str| {
        key.strip_prefix(deck)
            .and_then(|k| k.strip_prefix('/'))
            .map(str::to_string)
    };
    let mut by_slug: HashMap<(String, String), Vec<&NoteRow>> = HashMap::new();
    for n in gone.iter().filter(|n| n.derived) {
        if let Some(s) = slug(&n.key, &n.deck_key) {
            by_slug.entry((n.kind.clone(), s)).or_default().push(n);
        }
    }
    let mut fresh_slugs: HashMap<(String, String), usize> = HashMap::new();
    for (deck, note) in fresh.iter().filter(|(_, n)| !n.explicit_id) {
        if let Some(s) = slug(&note.key, deck) {
            *fresh_slugs
                .entry((note.kind.name().to_string(), s))
                .or_default() += 1;
        }
    }
    let mut taken: HashSet<i64> = HashSet::new();
    for (deck, note) in fresh.iter().filter(|(_, n)| !n.explicit_id) {
        let Some(s) = slug(&note.key, deck) else {
            continue;
        };
        let key = (note.kind.name().to_string(), s);
        if let (Some([old]), Some(1)) =
            (by_slug.get(&key).map(Vec::as_slice), fresh_slugs.get(&key))
        {
            taken.insert(old.id);
            carried.insert(note.key.clone(), old.id);
        }
    }
    // Notes with explicit ids take part only to pass their history to the
    // very same text (their id was removed); `identity` knows.
    let old: Vec<&NoteRow> = gone.iter().filter(|n| !taken.contains(&n.id)).collect();
    let new: Vec<(&str, &Note)> = fresh
        .iter()
        .copied()
        .filter(|(_, n)| !n.explicit_id && !carried.contains_key(&n.key))
        .collect();
    let gone_in: Vec<identity::Gone> = old
        .iter()
        .map(|n| identity::Gone {
            explicit: !n.derived,
            kind: n.kind.clone(),
            topic: n.topic.clone(),
            deck: n.deck_key.clone(),
            title: n.title.clone(),
            answers: n.answers.clone(),
        })
        .collect();
    let fresh_in: Vec<identity::Fresh> = new
        .iter()
        .map(|(deck, note)| identity::Fresh {
            kind: note.kind.name().to_string(),
            topic: note.topic.clone(),
            deck: deck.to_string(),
            title: note.title.clone(),
            answers: answers_of(note),
        })
        .collect();
    let (pairs, refused) = identity::pair(&gone_in, &fresh_in, CARRY_SIMILARITY);
    carried.extend(
        pairs
            .iter()
            .map(|p| (new[p.new].1.key.clone(), old[p.old].id)),
    );
    Matching {
        carried,
        refused: refused
            .iter()
            .map(|r| NotCarried {
                old: old[r.old].key.clone(),
                new: new[r.new].1.key.clone(),
                similarity: r.similarity,
            })
            .collect(),
    }
}

/// A carry-over matched before the compile takes the write lock, so that
/// other commands are not kept waiting while notes are compared; used
/// inside the lock only if nothing changed meanwhile.
struct Plan {
    /// `PRAGMA data_version` when the snapshot was read.
    version: i64,
    gone: HashSet<i64>,
    fresh: HashSet<String>,
    matching: Matching,
}

/// Changed files read beyond this are matched inside the lock instead: a
/// plan holds every parsed note in memory, and a compile that big is a
/// first compile, with nothing to carry.
const PLAN_BUDGET_BYTES: i64 = 16 << 20;

/// Parses the changed files and matches vanished and new notes from a
/// read-only snapshot; `None` when there is nothing to plan or the plan
/// would not be cheap (a first compile, a file with errors).
fn plan_carry(
    store: &Store,
    changed: &[&DeckFile],
    prints: &HashMap<String, crate::store::DeckPrint>,
    listed: &HashSet<&str>,
) -> Result<Option<Plan>> {
    if changed.is_empty() || changed.iter().map(|f| f.stat.size).sum::<i64>() > PLAN_BUDGET_BYTES {
        return Ok(None);
    }
    let known = store.note_keys()?;
    if known.is_empty() {
        return Ok(None);
    }
    let version = store.data_version()?;
    let mut decks = Vec::new();
    for file in changed {
        let Ok(parts) = file.read() else {
            return Ok(None);
        };
        match parse_file(file, &parts) {
            (Some(deck), errors) if errors.is_empty() => decks.push(deck),
            _ => return Ok(None),
        }
    }
    let parsed: HashSet<&str> = decks
        .iter()
        .flat_map(|d| d.notes.iter().map(|n| n.key.as_str()))
        .collect();
    let renamed_from: HashSet<&str> = decks
        .iter()
        .flat_map(|d| d.notes.iter())
        .filter(|n| !known.contains(&n.key))
        .filter_map(|n| n.was.as_deref().filter(|w| known.contains(*w)))
        .collect();
    let rewritten: HashSet<&str> = changed.iter().map(|f| f.display.as_str()).collect();
    let mut gone: Vec<NoteRow> = Vec::new();
    let mut ids = HashSet::new();
    for p in prints
        .values()
        .filter(|p| rewritten.contains(p.path.as_str()) || !listed.contains(p.path.as_str()))
    {
        gone.extend(store.deck_notes(p.id)?.into_iter().filter(|n| {
            !n.retired
                && !parsed.contains(n.key.as_str())
                && !renamed_from.contains(n.key.as_str())
                && ids.insert(n.id)
        }));
    }
    let fresh: Vec<(&str, &Note)> = decks
        .iter()
        .flat_map(|d| d.notes.iter().map(move |n| (d.key.as_str(), n)))
        .filter(|(_, n)| {
            !known.contains(&n.key) && !n.was.as_ref().is_some_and(|w| known.contains(w))
        })
        .collect();
    Ok(Some(Plan {
        version,
        gone: gone.iter().map(|n| n.id).collect(),
        fresh: fresh.iter().map(|(_, n)| n.key.clone()).collect(),
        matching: match_notes(&gone, &fresh),
    }))
}

/// A note's card answers, one a line: what carry-over compares.
fn answers_of(note: &Note) -> String {
    cards_of(note)
        .into_iter()
        .map(|c| c.back)
        .collect::<Vec<_>>()
        .join("\n")
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
    let stored = if how == Sync::Inserted {
        Vec::new()
    } else {
        tx.note_cards(note_id)?
    };
    let drafts = cards_of(note);
    let matched = match_cards(&stored, &drafts);
    let mut kept = HashSet::new();
    for (i, draft) in drafts.iter().enumerate() {
        let pos = index as i64 * CARDS_PER_NOTE + i as i64;
        match matched[i].map(|s| &stored[s]) {
            Some(card) => {
                kept.insert(card.id);
                let changed = card.front != draft.front
                    || card.back != draft.back
                    || card.accept != crate::store::accept_sql(draft)
                    || card.retired
                    || card.key != draft.key;
                if changed || card.pos != pos || card.deck_id != deck_id {
                    tx.update_card(card.id, deck_id, pos, draft)?;
                }
                if card.back != draft.back && !card.retired {
                    let s = similarity(&card.back, &draft.back);
                    if s < CARRY_SIMILARITY {
                        report.answer_changed.push(AnswerChanged {
                            card: draft.key.clone(),
                            similarity: s,
                        });
                    }
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
        .iter()
        .filter(|c| !c.retired && !kept.contains(&c.id))
    {
        tx.retire_card(card.id)?;
        report.retired += 1;
        // A card retired while its note lives on (a removed deletion).
        report.retired_notes.push(card.key.clone());
    }
    Ok(())
}

/// For each new card of a note, the stored card it is: the one with its id;
/// else the one with its exact answer (a cloze stored under a position key,
/// `c1`, now keyed by its content); else, one to one, the most similar
/// answer above the carry-over threshold (a typo fixed in a deletion).
fn match_cards(stored: &[StoredCard], drafts: &[crate::deck::CardDraft]) -> Vec<Option<usize>> {
    let mut taken = vec![false; stored.len()];
    let mut out: Vec<Option<usize>> = drafts
        .iter()
        .map(|d| {
            let i = stored.iter().position(|c| c.key == d.key)?;
            taken[i] = true;
            Some(i)
        })
        .collect();
    for (j, d) in drafts.iter().enumerate() {
        if out[j].is_none()
            && let Some(i) = (0..stored.len()).find(|&i| !taken[i] && stored[i].back == d.back)
        {
            taken[i] = true;
            out[j] = Some(i);
        }
    }
    let mut scored: Vec<(f64, usize, usize)> = Vec::new();
    for (j, d) in drafts.iter().enumerate().filter(|(j, _)| out[*j].is_none()) {
        for (i, c) in stored.iter().enumerate().filter(|(i, _)| !taken[*i]) {
            let s = similarity(&c.back, &d.back);
            if s >= CARRY_SIMILARITY {
                scored.push((s, i, j));
            }
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for (_, i, j) in scored {
        if !taken[i] && out[j].is_none() {
            taken[i] = true;
            out[j] = Some(i);
        }
    }
    out
}
