//! `export anki`, `export notes --format anki-txt` and `import anki`: the
//! round trip through Anki, so that reviews made on a phone come back into
//! mastery's log.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

use super::{Scope, json, out};
use crate::anki::export::{Input, build, notes_text};
use crate::anki::{Verdict, guid, verdict};
use crate::app::App;
use crate::cli::ExportScope;
use crate::clock::{Clock, YEARS};
use crate::error::{Error, Result};
use crate::render::plural;
use crate::store::{CardKey, CardRow, Incoming, SortBy, Store};

/// The decks folder as card paths start with it, when the decks come from
/// one.
fn decks_root(app: &App) -> Option<String> {
    match &app.source {
        crate::deck::source::Source::Dir(d) | crate::deck::source::Source::Docs(d) => {
            Some(d.display().to_string())
        }
        crate::deck::source::Source::Embedded => None,
    }
}

/// The cards an export takes, in curriculum order; none is an error.
pub(super) fn scoped_cards(app: &App, store: &Store, scope: &ExportScope) -> Result<Vec<CardRow>> {
    let mut query = crate::search::parse(scope.query.as_deref().unwrap_or(""))?;
    let shorthand = Scope {
        modules: scope.module.into_iter().collect(),
        decks: scope.deck.iter().cloned().collect(),
        ..Scope::default()
    };
    super::narrow(store, &mut query, &shorthand)?;
    let cards = store.search(&query, app.clock.today(), SortBy::Curriculum)?;
    if cards.is_empty() {
        let mut asked: Vec<String> = scope.query.iter().map(|q| format!("'{q}'")).collect();
        asked.extend(scope.module.map(|m| format!("--module {m}")));
        asked.extend(scope.deck.iter().map(|d| format!("--deck {d}")));
        return Err(Error::Usage(if asked.is_empty() {
            "no cards to export: the decks have none yet (see `mastery check`)".into()
        } else {
            format!("no card matches {}: nothing to export", asked.join(" "))
        }));
    }
    Ok(cards)
}

/// `export anki --out FILE`: a legacy .apkg with the cards' scheduling and
/// review log. The ids it gives reviews and the text it wrote are recorded
/// only if the file was written.
pub fn export_anki(app: &App, to: &Path, scope: &ExportScope) -> Result<()> {
    // Refuse a bad target before any work.
    crate::files::check_target(to)?;
    let (mut store, _) = app.open()?;
    let cards = scoped_cards(app, &store, scope)?;
    let ids: HashSet<i64> = cards.iter().map(|c| c.id).collect();
    let reviews = store.reviews_for_anki(&ids)?;
    let known = store.anki_revlog_ids()?;
    let marks = store.anki_note_marks()?;
    let now = app.clock.now();
    let export = build(&Input {
        cards: &cards,
        reviews: &reviews,
        known_ids: &known,
        marks: &marks,
        now,
        today: app.clock.today(),
        rollover_hour: app.clock.rollover_hour(),
        minutes_west: app.clock.minutes_west(now),
        root: decks_root(app).as_deref(),
    });
    let scratch = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let guard = crate::interrupt::scratch(
        scratch.path(),
        "interrupted; no package was written and nothing was recorded",
    );
    let file = scratch.path().join("collection.anki2");
    crate::store::write_collection(&file, &export.collection)?;
    let mut collection = std::fs::File::open(&file).map_err(|e| Error::io(&file, e))?;
    let package = crate::anki::package::write_apkg(&mut collection)?;
    store.record_anki_export(&export.new_ids, &export.notes, || {
        crate::files::write_bytes(to, &package)
    })?;
    drop(guard);
    let col = &export.collection;
    let reviewed = col.cards.iter().filter(|c| c.kind != 0).count();
    out(&format!(
        "wrote {}: {} in {} ({} reviewed, {} new) and {}\nOpen it in Anki or AnkiDroid (File > Import). To bring your Anki reviews back,\nexport from Anki with scheduling and run `mastery import anki FILE`.\n",
        crate::render::sanitize(&to.display().to_string()),
        plural(col.notes.len(), "note", "notes"),
        plural(col.decks.len(), "deck", "decks"),
        reviewed,
        col.cards.len() - reviewed,
        plural(col.revlog.len(), "review", "reviews"),
    ))
}

/// `export notes --format anki-txt`.
pub fn export_notes(app: &App, to: Option<&Path>, scope: &ExportScope) -> Result<()> {
    let (store, _) = app.open()?;
    let cards = scoped_cards(app, &store, scope)?;
    let text = notes_text(&cards, decks_root(app).as_deref());
    match to {
        Some(path) => {
            crate::files::write_file(path, &text)?;
            eprintln!(
                "wrote {}: {}",
                crate::render::sanitize(&path.display().to_string()),
                plural(cards.len(), "note", "notes")
            );
            Ok(())
        }
        None => out(&text),
    }
}

/// What an import did.
#[derive(Debug, Default, Serialize)]
struct Report {
    /// Reviews appended to the log.
    added: usize,
    /// Reviews already in the log (imported before, or exported from it).
    already_had: usize,
    /// Manual reschedules, resets and "set due date" entries.
    skipped_manual: usize,
    /// Reviews in filtered decks that did not reschedule.
    skipped_cram: usize,
    /// Reviews dated before 1970 or after tomorrow.
    skipped_bad_time: usize,
    /// Review log rows with a value that is not a number, or an id that
    /// came twice.
    skipped_unreadable: usize,
    /// Reviews of cards that are not mastery's: of notes it did not write,
    /// of cards added to its notes in Anki (another template), of cards
    /// retired from the decks, of cards the file does not have.
    other_reviews: usize,
    /// Reviews added, by deck title.
    by_deck: BTreeMap<String, usize>,
    /// Notes that mastery did not write: counted, never imported.
    unknown_notes: usize,
    /// Their first fields, as plain text.
    unknown: Vec<String>,
    /// Notes of cards that are retired from the decks: their reviews are
    /// left out.
    retired_notes: usize,
}

/// `import anki FILE`.
pub fn import_anki(app: &App, file: &Path, as_json: bool) -> Result<()> {
    let mut input = crate::files::open_input(file)?;
    let scratch = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let guard = crate::interrupt::scratch(
        scratch.path(),
        "interrupted; nothing was imported (an import is one transaction)",
    );
    let copy = scratch.path().join("collection");
    {
        let mut target = std::fs::File::create(&copy).map_err(|e| Error::io(&copy, e))?;
        crate::anki::package::extract_collection(file, &mut input, &mut target)?;
    }
    let anki = crate::store::read_collection(&copy, file)?;
    let (mut store, _) = app.open()?;
    let keys = store.card_keys()?;
    let by_guid: HashMap<String, &CardKey> = keys.iter().map(|k| (guid(&k.key), k)).collect();
    let mut report = Report::default();
    // Note id → the active card it stands for.
    let mut notes: HashMap<i64, &CardKey> = HashMap::new();
    for n in &anki.notes {
        match by_guid.get(&n.guid) {
            Some(k) if k.retired => report.retired_notes += 1,
            Some(k) => {
                notes.insert(n.id, k);
            }
            None => {
                report.unknown_notes += 1;
                report.unknown.push(n.title.clone());
            }
        }
    }
    let known = store.anki_revlog_ids()?;
    report.skipped_unreadable = anki.unreadable;
    // A day of slack for a phone whose clock runs ahead.
    let latest = app.clock.now() + chrono::Duration::days(1);
    let mut seen: std::collections::HashSet<i64> = std::collections::HashSet::new();
    let mut incoming = Vec::new();
    let mut decks: HashMap<i64, &str> = HashMap::new();
    for r in &anki.revlog {
        let Some(card) = anki.cards.get(&r.card).and_then(|nid| notes.get(nid)) else {
            report.other_reviews += 1;
            continue;
        };
        if !seen.insert(r.id) {
            report.skipped_unreadable += 1;
            continue;
        }
        let grade = match verdict(r) {
            Verdict::Manual => {
                report.skipped_manual += 1;
                continue;
            }
            Verdict::Cram => {
                report.skipped_cram += 1;
                continue;
            }
            Verdict::Recall(g) => g,
        };
        if known.contains(&r.id) {
            report.already_had += 1;
            continue;
        }
        let Some(at) = chrono::DateTime::from_timestamp_millis(r.id)
            .filter(|t| YEARS.contains(&chrono::Datelike::year(t)) && *t <= latest)
        else {
            report.skipped_bad_time += 1;
            continue;
        };
        decks.insert(card.id, &card.deck_title);
        incoming.push(Incoming {
            card_id: card.id,
            anki_id: r.id,
            at: Clock::stamp_of(at),
            day: app.clock.day_of(at),
            grade,
            ms: r.ms.clamp(0, crate::anki::MAX_MS),
        });
    }
    report.added = store.import_anki_reviews(&incoming)?;
    drop(guard);
    for r in &incoming {
        if let Some(title) = decks.get(&r.card_id) {
            *report.by_deck.entry((*title).to_string()).or_default() += 1;
        }
    }
    if as_json {
        return json(&report);
    }
    out(&report_text(file, &report))
}

fn report_text(file: &Path, r: &Report) -> String {
    let name = crate::render::sanitize(&file.display().to_string()).into_owned();
    let mut text = format!(
        "imported {name}: {} added",
        plural(r.added, "review", "reviews")
    );
    if !r.by_deck.is_empty() {
        // The decks with the most first; a long tail is counted, not listed.
        const SHOWN: usize = 5;
        let mut decks: Vec<(&String, &usize)> = r.by_deck.iter().collect();
        decks.sort_by_key(|(d, n)| (std::cmp::Reverse(**n), *d));
        let mut parts: Vec<String> = decks
            .iter()
            .take(SHOWN)
            .map(|(d, n)| format!("{} {n}", crate::render::sanitize(d)))
            .collect();
        if decks.len() > SHOWN {
            parts.push(format!("and {} more decks", decks.len() - SHOWN));
        }
        text.push_str(&format!(" ({})", parts.join(", ")));
    }
    text.push('\n');
    let skipped = [
        (r.skipped_manual, "rescheduled by hand, not recalled"),
        (
            r.skipped_cram,
            "filtered-deck reviews that kept the schedule",
        ),
        (r.skipped_bad_time, "dated in the future or before 1970"),
        (r.skipped_unreadable, "unreadable rows of the review log"),
    ];
    let mut notes = Vec::new();
    if r.already_had > 0 {
        notes.push(format!("{} already in the log", r.already_had));
    }
    for (n, why) in skipped {
        if n > 0 {
            notes.push(format!("{n} skipped ({why})"));
        }
    }
    if !notes.is_empty() {
        text.push_str(&format!("  {}\n", notes.join(" · ")));
    }
    if r.other_reviews > 0 {
        text.push_str(&format!(
            "  {} of cards that are not mastery's (or no longer in your decks), left alone\n",
            plural(r.other_reviews, "review", "reviews")
        ));
    }
    if r.retired_notes > 0 {
        text.push_str(&format!(
            "  {} of cards no longer in your decks: their reviews were left out\n",
            plural(r.retired_notes, "note", "notes")
        ));
    }
    if r.unknown_notes > 0 {
        const SHOWN: usize = 5;
        let mut names: Vec<String> = r
            .unknown
            .iter()
            .take(SHOWN)
            .map(|t| format!("\"{}\"", crate::render::sanitize(t)))
            .collect();
        if r.unknown.len() > SHOWN {
            names.push(format!("and {} more", r.unknown.len() - SHOWN));
        }
        text.push_str(&format!(
            "  {} not from mastery, left alone: {}\n",
            plural(r.unknown_notes, "note", "notes"),
            names.join(", ")
        ));
    }
    text
}
