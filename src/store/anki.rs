//! The Anki round trip's database work. On Anki's side: writing an export's
//! collection (its own SQLite file, schema 11) and reading the notes, cards
//! and review log of a collection to import. On mastery's side: the ids
//! that tie reviews and notes to Anki's, and the import that folds Anki's
//! reviews into the log in time order, in one transaction.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::{Store, card_state};
use crate::anki::AnkiReview;
use crate::anki::collection::Collection;
use crate::clock::Day;
use crate::error::{Error, Result};
use crate::fsrs::Scheduler;
use crate::scheduler::{CardState, Grade, LeechRule, ReviewKind, is_leech_lapse, review_of};

const SCHEMA11: &str = include_str!("anki_schema11.sql");

/// Anki's field separator inside `notes.flds`.
const FIELD_SEPARATOR: char = '\u{1f}';

/// Writes an export's collection into a new SQLite file at `path`.
pub fn write_collection(path: &Path, col: &Collection) -> Result<()> {
    let fail = |e: rusqlite::Error| Error::Anki {
        path: path.display().to_string(),
        message: format!("cannot write the Anki collection: {e}"),
    };
    let mut conn = Connection::open(path).map_err(fail)?;
    // A scratch file that is zipped and deleted: a crash loses nothing, so
    // no journal and no syncs.
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;",
    )
    .map_err(fail)?;
    let tx = conn.transaction().map_err(fail)?;
    fill(&tx, col).map_err(fail)?;
    tx.commit().map_err(fail)
}

fn fill(tx: &rusqlite::Transaction<'_>, col: &Collection) -> rusqlite::Result<()> {
    // Tables first, indexes after the rows: building an index once is
    // cheaper than keeping it sorted through a million inserts.
    let (tables, indexes) =
        SCHEMA11.split_at(SCHEMA11.find("CREATE INDEX").unwrap_or(SCHEMA11.len()));
    tx.execute_batch(tables)?;
    tx.execute(
        "INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
        params![
            col.created,
            col.now * 1000,
            col.conf().to_string(),
            col.models().to_string(),
            col.decks().to_string(),
            col.dconf().to_string()
        ],
    )?;
    let mut note =
        tx.prepare("INSERT INTO notes VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8, 0, '')")?;
    for n in &col.notes {
        let fields = n.fields.join(&FIELD_SEPARATOR.to_string());
        note.execute(params![
            n.id,
            n.guid,
            n.note_type.id(),
            n.modified,
            n.tags,
            fields,
            n.sort_field,
            n.checksum
        ])?;
    }
    let mut card = tx.prepare(
        "INSERT INTO cards VALUES (?1, ?2, ?3, 0, ?4, 0, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, 0, 0, 0, ?12)",
    )?;
    for c in &col.cards {
        card.execute(params![
            c.id, c.note, c.deck, c.modified, c.kind, c.queue, c.due, c.interval, c.factor, c.reps,
            c.lapses, c.data
        ])?;
    }
    let mut revlog = tx.prepare("INSERT INTO revlog VALUES (?1, ?2, 0, ?3, ?4, ?5, ?6, ?7, ?8)")?;
    for r in &col.revlog {
        revlog.execute(params![
            r.id,
            r.card,
            r.button,
            r.interval,
            r.last_interval,
            r.factor,
            r.ms,
            r.kind
        ])?;
    }
    tx.execute_batch(indexes)
}

/// A note of an imported collection.
#[derive(Debug, Clone, PartialEq)]
pub struct AnkiNote {
    pub id: i64,
    pub guid: String,
    /// Its first field as plain text, cut short: how it is named in a
    /// report.
    pub title: String,
}

/// What an import reads of an Anki collection.
#[derive(Debug, Clone, Default)]
pub struct AnkiCollection {
    pub notes: Vec<AnkiNote>,
    /// Card id → note id, for each note's first card: the one mastery
    /// exported. Cards of other templates (a reverse card, a second cloze
    /// added in Anki) are left out.
    pub cards: HashMap<i64, i64>,
    pub revlog: Vec<AnkiReview>,
    /// Review log rows with a value that is not a number.
    pub unreadable: usize,
}

/// A number as Anki stores it: an integer, or a real that its own Check
/// Database would round.
fn number(v: rusqlite::types::ValueRef<'_>) -> Option<i64> {
    match v {
        rusqlite::types::ValueRef::Integer(i) => Some(i),
        rusqlite::types::ValueRef::Real(x) if x.is_finite() && x.abs() < 9.0e15 => {
            Some(x.round() as i64)
        }
        _ => None,
    }
}

/// Text as Anki stores it; anything else reads as empty.
fn text(v: rusqlite::types::ValueRef<'_>) -> String {
    match v {
        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
            String::from_utf8_lossy(t).into_owned()
        }
        _ => String::new(),
    }
}

/// A note's first field as one line of plain text, for a report.
fn title(flds: &str) -> String {
    let first = flds.split(FIELD_SEPARATOR).next().unwrap_or_default();
    crate::anki::fields::strip_html(first)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(60)
        .collect()
}

/// Reads the notes, cards and review log of the Anki collection at `path`
/// (a copy: nothing is written to it). `shown` names the learner's file
/// in errors.
pub fn read_collection(path: &Path, shown: &Path) -> Result<AnkiCollection> {
    let fail = |message: String| Error::Anki {
        path: shown.display().to_string(),
        message,
    };
    let sql = |e: rusqlite::Error| fail(format!("cannot read the Anki collection: {e}"));
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('notes', 'cards', 'revlog')",
            [],
            |r| r.get(0),
        )
        .map_err(sql)?;
    if tables != 3 {
        return Err(fail(
            "this SQLite file is not an Anki collection (it has no notes, cards and revlog tables)"
                .into(),
        ));
    }
    // Values are read as loosely as Anki reads them: a text or blob where
    // a number belongs skips that row (counted), never the whole import.
    let mut out = AnkiCollection::default();
    let mut notes = conn
        .prepare("SELECT id, guid, flds FROM notes")
        .map_err(sql)?;
    let mut rows = notes.query([]).map_err(sql)?;
    while let Some(r) = rows.next().map_err(sql)? {
        let Some(id) = number(r.get_ref(0).map_err(sql)?) else {
            continue;
        };
        out.notes.push(AnkiNote {
            id,
            guid: text(r.get_ref(1).map_err(sql)?),
            title: title(&text(r.get_ref(2).map_err(sql)?)),
        });
    }
    let mut cards = conn
        .prepare("SELECT id, nid, ord FROM cards")
        .map_err(sql)?;
    let mut rows = cards.query([]).map_err(sql)?;
    while let Some(r) = rows.next().map_err(sql)? {
        let values: Option<Vec<i64>> = (0..3).map(|i| r.get_ref(i).ok().and_then(number)).collect();
        if let Some([id, nid, 0]) = values.as_deref() {
            out.cards.insert(*id, *nid);
        }
    }
    let mut revlog = conn
        .prepare("SELECT id, cid, ease, ivl, factor, time, type FROM revlog ORDER BY id")
        .map_err(sql)?;
    let mut rows = revlog.query([]).map_err(sql)?;
    while let Some(r) = rows.next().map_err(sql)? {
        let values: Option<Vec<i64>> = (0..7).map(|i| r.get_ref(i).ok().and_then(number)).collect();
        let Some(&[id, card, button, interval, factor, ms, kind]) = values.as_deref() else {
            out.unreadable += 1;
            continue;
        };
        out.revlog.push(AnkiReview {
            id,
            card,
            button,
            interval,
            factor,
            ms,
            kind,
        });
    }
    Ok(out)
}

/// A live review as an export writes it into Anki's log.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewOut {
    pub review_id: i64,
    pub card_id: i64,
    /// When it was answered, in milliseconds since 1970.
    pub at: i64,
    pub day: Day,
    pub grade: u8,
    pub kind: ReviewKind,
    pub ms: i64,
    pub interval_before: u32,
    pub interval_after: u32,
    pub ease_after: u32,
    /// The scheduling review before it failed (a relearning step).
    pub failed_before: bool,
    /// On the day of the card's first review.
    pub first_day: bool,
    /// The Anki id an earlier export gave it, or the one it came with.
    pub anki_id: Option<i64>,
}

/// A card as an import matches it: by the GUID of its id.
#[derive(Debug, Clone, PartialEq)]
pub struct CardKey {
    pub id: i64,
    pub key: String,
    pub retired: bool,
    pub deck_title: String,
}

/// An Anki review to append to a card's log.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub card_id: i64,
    pub anki_id: i64,
    pub at: String,
    pub day: Day,
    pub grade: u8,
    pub ms: i64,
}

impl Store {
    /// Every live review of `cards`, each card's oldest first.
    pub fn reviews_for_anki(&self, cards: &HashSet<i64>) -> Result<Vec<ReviewOut>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.id, r.card_id, r.at, r.day, r.grade, r.kind, r.ms, r.b_interval, r.a_interval,
                    r.a_ease, r.b_last_grade, a.id
             FROM live_review r LEFT JOIN anki_revlog a ON a.review_id = r.id
             ORDER BY r.card_id, r.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        let mut first: Option<(i64, Day)> = None;
        while let Some(r) = rows.next()? {
            let card_id: i64 = r.get(1)?;
            if !cards.contains(&card_id) {
                continue;
            }
            let day: Day = r.get(3)?;
            let first_day = match first {
                Some((card, d)) if card == card_id => d,
                _ => {
                    first = Some((card_id, day));
                    day
                }
            };
            let at: String = r.get(2)?;
            let kind = match r.get_ref(5)?.as_str().unwrap_or_default() {
                "new" => ReviewKind::New,
                "review" => ReviewKind::Review,
                _ => ReviewKind::Drill,
            };
            out.push(ReviewOut {
                review_id: r.get(0)?,
                card_id,
                at: chrono::DateTime::parse_from_rfc3339(&at).map_or(0, |t| t.timestamp_millis()),
                day,
                grade: r.get(4)?,
                kind,
                ms: r.get(6)?,
                interval_before: r.get(7)?,
                interval_after: r.get(8)?,
                ease_after: r.get(9)?,
                failed_before: r.get::<_, Option<u8>>(10)?.is_some_and(|g| g < 3),
                first_day: day == first_day,
                anki_id: r.get(11)?,
            });
        }
        Ok(out)
    }

    /// Every Anki revlog id mastery has sent or received.
    pub fn anki_revlog_ids(&self) -> Result<HashSet<i64>> {
        let mut stmt = self.conn.prepare("SELECT id FROM anki_revlog")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What the last export wrote of each card's text: (hash, mod).
    pub fn anki_note_marks(&self) -> Result<HashMap<i64, (String, i64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT card_id, hash, mod FROM anki_note")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records an export's new revlog ids and note texts, then runs
    /// `write` (which writes the package) inside the same transaction: the
    /// records are kept only if the file was written.
    pub fn record_anki_export(
        &mut self,
        revlog: &[(i64, i64)],
        notes: &[(i64, String, i64)],
        write: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        self.durable()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut ids =
                tx.prepare("INSERT OR IGNORE INTO anki_revlog (id, review_id) VALUES (?1, ?2)")?;
            for (anki_id, review_id) in revlog {
                ids.execute(params![anki_id, review_id])?;
            }
            let mut marks = tx.prepare(
                "INSERT INTO anki_note (card_id, hash, mod) VALUES (?1, ?2, ?3)
                 ON CONFLICT (card_id) DO UPDATE SET hash = excluded.hash, mod = excluded.mod",
            )?;
            for (card, hash, modified) in notes {
                marks.execute(params![card, hash, modified])?;
            }
        }
        write()?;
        tx.commit()?;
        Ok(())
    }

    /// Every card, with what an import reports of it.
    pub fn card_keys(&self) -> Result<Vec<CardKey>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.id, c.key, c.retired, d.title FROM card c JOIN deck d ON d.id = c.deck_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CardKey {
                id: r.get(0)?,
                key: r.get(1)?,
                retired: r.get(2)?,
                deck_title: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Appends Anki's reviews to their cards' logs, each card's in time
    /// order among the reviews it has, and replays the states from the
    /// first one on under the active scheduler; all in one transaction.
    /// Reviews whose Anki id is already known are skipped (another import
    /// may have run meanwhile). Returns how many were added.
    pub fn import_anki_reviews(&mut self, incoming: &[Incoming]) -> Result<usize> {
        self.durable()?;
        let (rule, sched) = (self.leech_rule(), self.sched.clone());
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let known: HashSet<i64> = tx
            .prepare("SELECT id FROM anki_revlog")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut by_card: HashMap<i64, Vec<&Incoming>> = HashMap::new();
        for r in incoming.iter().filter(|r| !known.contains(&r.anki_id)) {
            by_card.entry(r.card_id).or_default().push(r);
        }
        let mut added = 0;
        let mut cards: Vec<_> = by_card.into_iter().collect();
        cards.sort_by_key(|(card, _)| *card);
        for (card, mut reviews) in cards {
            reviews.sort_by(|a, b| (&a.at, a.anki_id).cmp(&(&b.at, b.anki_id)));
            reviews.dedup_by_key(|r| r.anki_id);
            added += reviews.len();
            fold_in(&tx, card, &reviews, rule, &sched)?;
        }
        tx.commit()?;
        Ok(added)
    }
}

/// One row of a card's log after the first imported review: one already
/// there (moved behind the new ones that came before it), or a new one.
enum Item<'a> {
    Kept {
        id: i64,
        at: String,
        live: bool,
        grade: u8,
        day: Day,
        /// It caught its card as a leech when it was recorded.
        leeched: bool,
    },
    New(&'a Incoming),
}

impl Item<'_> {
    fn at(&self) -> &str {
        match self {
            Item::Kept { at, .. } => at,
            Item::New(r) => &r.at,
        }
    }
}

/// Folds `reviews` (sorted by time) into one card's log. Row ids order a
/// card's log, so the rows later in time than the first new review are
/// copied behind it in time order (their undo records and links follow
/// them), and every live row from there on gets its state replayed.
fn fold_in(
    tx: &rusqlite::Transaction<'_>,
    card_id: i64,
    reviews: &[&Incoming],
    rule: LeechRule,
    sched: &Scheduler,
) -> Result<()> {
    let Some(first) = reviews.first() else {
        return Ok(());
    };
    // The first row (by id) later in time than the first new review: it
    // and every row after it are replayed.
    let from: Option<i64> = tx
        .query_row(
            "SELECT min(id) FROM review WHERE card_id = ?1 AND at > ?2",
            params![card_id, first.at],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let mut state = tx
        .query_row(
            "SELECT a_reps, a_ease, a_interval, a_due, a_lapses, a_last_grade, a_last_day
             FROM live_review WHERE card_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT 1",
            params![card_id, from.unwrap_or(i64::MAX)],
            |r| card_state(r, 0),
        )
        .optional()?
        .unwrap_or_default();
    let mut items: Vec<Item<'_>> = Vec::new();
    if let Some(from) = from {
        let mut stmt = tx.prepare(
            "SELECT id, at, undone, grade, day, leeched FROM review WHERE card_id = ?1 AND id >= ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![card_id, from], |r| {
            Ok(Item::Kept {
                id: r.get(0)?,
                at: r.get(1)?,
                live: !r.get::<_, bool>(2)?,
                grade: r.get(3)?,
                day: r.get(4)?,
                leeched: r.get::<_, i64>(5)? != 0,
            })
        })?;
        for row in rows {
            items.push(row?);
        }
    }
    items.extend(reviews.iter().map(|r| Item::New(r)));
    // Stable: on a tie in time, the row already there stays first.
    items.sort_by(|a, b| a.at().cmp(b.at()));
    let columns = copy_columns(tx)?;
    let mut moved = Vec::new();
    for item in &items {
        match item {
            Item::Kept {
                id,
                live,
                grade,
                day,
                leeched,
                ..
            } => {
                let new_id: i64 = tx.query_row(
                    &format!("INSERT INTO review ({columns}) SELECT {columns} FROM review WHERE id = ?1 RETURNING id"),
                    [id],
                    |r| r.get(0),
                )?;
                for (table, column) in [
                    ("undo", "review_id"),
                    ("anki_revlog", "review_id"),
                    ("quiz_answer", "review_id"),
                ] {
                    tx.execute(
                        &format!("UPDATE {table} SET {column} = ?2 WHERE {column} = ?1"),
                        params![id, new_id],
                    )?;
                }
                moved.push(*id);
                if *live {
                    let Some(g) = Grade::new(i64::from(*grade)) else {
                        continue;
                    };
                    let (kind, after) = review_of(&state, g, *day);
                    write_states(tx, new_id, kind, &state, &after)?;
                    // A lapse from Anki before it may make this one reach
                    // the leech threshold now. One that caught the leech
                    // when recorded keeps what it did, for its undo.
                    if !*leeched && catches_leech(kind, &state, &after, rule) {
                        super::log::catch_leech(tx, card_id, new_id, rule)?;
                    }
                    state = after;
                }
            }
            Item::New(r) => {
                let Some(g) = Grade::new(i64::from(r.grade)) else {
                    continue;
                };
                let (kind, after) = review_of(&state, g, r.day);
                let review_id: i64 = tx.query_row(
                    "INSERT INTO review (card_id, at, day, grade, kind, ms, b_reps, b_ease, b_interval,
                        b_lapses, a_reps, a_ease, a_interval, a_lapses, origin)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0, 0, 0, 0, 0, 0, 0, 'anki') RETURNING id",
                    params![card_id, r.at, r.day, r.grade, kind.as_str(), r.ms],
                    |row| row.get(0),
                )?;
                write_states(tx, review_id, kind, &state, &after)?;
                tx.execute(
                    "INSERT INTO anki_revlog (id, review_id) VALUES (?1, ?2)",
                    params![r.anki_id, review_id],
                )?;
                if catches_leech(kind, &state, &after, rule) {
                    super::log::catch_leech(tx, card_id, review_id, rule)?;
                }
                state = after;
            }
        }
    }
    for id in moved {
        tx.execute("DELETE FROM review WHERE id = ?1", [id])?;
    }
    super::log::set_state(tx, card_id, &state, sched)
}

/// Whether a scheduling review that took the card from `before` to
/// `after` reaches the leech threshold (a re-drill never does).
fn catches_leech(kind: ReviewKind, before: &CardState, after: &CardState, rule: LeechRule) -> bool {
    kind != ReviewKind::Drill && is_leech_lapse(before.lapses, after.lapses, rule)
}

/// Every column of `review` but its id, for copying a row.
fn copy_columns(tx: &rusqlite::Transaction<'_>) -> Result<String> {
    let mut stmt = tx.prepare("SELECT name FROM pragma_table_info('review') WHERE name != 'id'")?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names.join(", "))
}

fn write_states(
    tx: &rusqlite::Transaction<'_>,
    review_id: i64,
    kind: ReviewKind,
    before: &CardState,
    after: &CardState,
) -> Result<()> {
    let kind_name = kind.as_str();
    let mut values: Vec<&dyn rusqlite::ToSql> = vec![&review_id, &kind_name];
    values.extend(super::log::state_columns(before, after));
    values.push(&crate::scheduler::RULES);
    tx.prepare_cached(
        "UPDATE review SET kind = ?2, b_reps = ?3, b_ease = ?4, b_interval = ?5, b_due = ?6,
            b_lapses = ?7, b_last_grade = ?8, b_last_day = ?9, a_reps = ?10, a_ease = ?11,
            a_interval = ?12, a_due = ?13, a_lapses = ?14, a_last_grade = ?15, a_last_day = ?16,
            rules = ?17
         WHERE id = ?1",
    )?
    .execute(rusqlite::params_from_iter(values))?;
    Ok(())
}
