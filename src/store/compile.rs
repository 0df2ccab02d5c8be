//! The writes of one compile, all inside one transaction.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, Transaction, params};

use super::Store;
use crate::deck::{CardDraft, Deck, Note};
use crate::error::Result;

/// A note's card answers in order, for similarity carry-over; the note's
/// own text is not stored twice.
const ANSWERS: &str = "coalesce((SELECT group_concat(t.back, char(10) ORDER BY c.pos) FROM card c
    JOIN card_text t ON t.card_id = c.id WHERE c.note_id = note.id AND c.retired = 0), '')";

/// The columns `note_row` reads.
const NOTE_COLUMNS: &str = "id, key, deck_id, kind, title, topic, line, retired, derived,
    (SELECT key FROM deck WHERE id = note.deck_id)";

/// What the database knows of a deck file, to skip unchanged ones.
#[derive(Debug, Clone)]
pub struct DeckPrint {
    pub id: i64,
    pub key: String,
    pub path: String,
    pub stat: Stat,
    pub hash: String,
}

/// A file's stat fingerprint: when all three match, the file is unchanged
/// and need not be read. Zero mtime means "always read" (built-in decks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stat {
    pub size: i64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
}

#[derive(Debug, Clone)]
pub struct NoteRow {
    pub id: i64,
    pub key: String,
    pub deck_id: i64,
    pub kind: String,
    pub title: String,
    pub topic: String,
    /// The note's card answers, one a line: what carry-over compares.
    pub answers: String,
    pub line: i64,
    pub retired: bool,
    /// Its id was derived from its title, so carry-over may move it.
    pub derived: bool,
    pub deck_key: String,
}

/// A card's other accepted answers as stored: a JSON array, NULL for none.
pub fn accept_sql(card: &CardDraft) -> Option<String> {
    (!card.accept.is_empty()).then(|| serde_json::to_string(&card.accept).unwrap_or_default())
}

#[derive(Debug, Clone)]
pub struct StoredCard {
    pub id: i64,
    pub key: String,
    pub front: String,
    pub back: String,
    /// Other accepted answers, as stored (a JSON array, or NULL).
    pub accept: Option<String>,
    pub pos: i64,
    pub deck_id: i64,
    pub retired: bool,
}

/// The owner of a note id, for the cross-deck duplicate check.
#[derive(Debug, Clone)]
pub struct NoteOwner {
    pub deck_key: String,
    pub path: String,
    pub line: i64,
    pub retired: bool,
}

/// Card id → (its note's id, whether that note is retired).
pub type CardOwners = std::collections::HashMap<String, (String, bool)>;

fn card_owners(conn: &rusqlite::Connection) -> Result<CardOwners> {
    let mut stmt =
        conn.prepare("SELECT c.key, n.key, n.retired FROM card c JOIN note n ON n.id = c.note_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The card ids an existing database holds, read without writing to it or
/// migrating it, for `check`; `None` when there is no readable database.
pub fn stored_card_owners(path: &std::path::Path) -> Option<CardOwners> {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() > 0) {
        return None;
    }
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = rusqlite::Connection::open_with_flags(path, flags).ok()?;
    card_owners(&conn).ok()
}

fn note_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<NoteRow> {
    let key: String = r.get(1)?;
    let deck_key: Option<String> = r.get(9)?;
    // Rows written before the flag existed: a derived id starts with its
    // deck's id and a slash; the house style for explicit ids does not.
    let derived = match r.get::<_, Option<bool>>(8)? {
        Some(d) => d,
        None => deck_key
            .as_ref()
            .is_some_and(|d| key.starts_with(&format!("{d}/"))),
    };
    Ok(NoteRow {
        id: r.get(0)?,
        key,
        deck_id: r.get(2)?,
        kind: r.get(3)?,
        title: r.get(4)?,
        topic: r.get(5)?,
        line: r.get(6)?,
        retired: r.get(7)?,
        derived,
        deck_key: deck_key.unwrap_or_default(),
        answers: r.get(10)?,
    })
}

fn note_keys(conn: &rusqlite::Connection) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare("SELECT key FROM note")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn deck_notes(conn: &rusqlite::Connection, deck_id: i64) -> Result<Vec<NoteRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {NOTE_COLUMNS}, {ANSWERS} FROM note WHERE deck_id = ?1"
    ))?;
    let rows = stmt.query_map([deck_id], note_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Every note id, read before the compile takes the write lock.
    pub fn note_keys(&self) -> Result<HashSet<String>> {
        note_keys(&self.conn)
    }

    /// A deck's notes, read before the compile takes the write lock.
    pub fn deck_notes(&self, deck_id: i64) -> Result<Vec<NoteRow>> {
        deck_notes(&self.conn, deck_id)
    }

    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Fingerprints of the decks currently in use.
    pub fn deck_prints(&self) -> Result<Vec<DeckPrint>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, key, path, size, mtime_ns, ctime_ns, hash FROM deck WHERE retired = 0",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DeckPrint {
                id: r.get(0)?,
                key: r.get(1)?,
                path: r.get(2)?,
                stat: Stat {
                    size: r.get(3)?,
                    mtime_ns: r.get(4)?,
                    ctime_ns: r.get(5)?,
                },
                hash: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn active_card_count(&self) -> Result<i64> {
        // Kept on the deck rows by every compile that writes.
        Ok(self
            .conn
            .query_row("SELECT coalesce(sum(cards), 0) FROM deck", [], |r| r.get(0))?)
    }

    pub fn begin_compile(&mut self) -> Result<CompileTx<'_>> {
        Ok(CompileTx {
            tx: self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?,
        })
    }
}

pub struct CompileTx<'a> {
    tx: Transaction<'a>,
}

impl CompileTx<'_> {
    /// Every note id in the database, to look up only those that exist.
    pub fn note_keys(&self) -> Result<HashSet<String>> {
        note_keys(&self.tx)
    }

    /// Changes committed by other connections since the snapshot a plan
    /// was made from: the plan is used only if this equals its own.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.tx.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub fn note_owner(&self, key: &str) -> Result<Option<NoteOwner>> {
        // Subqueries, not a join: with SQLite's STAT4 build a join on a bound
        // parameter is re-prepared on every call.
        Ok(self
            .tx
            .prepare_cached(
                "SELECT (SELECT key FROM deck WHERE id = n.deck_id),
                        coalesce(n.path, (SELECT path FROM deck WHERE id = n.deck_id)), n.line, n.retired
                 FROM note n WHERE n.key = ?1",
            )?
            .query_row([key], |r| {
                Ok(NoteOwner {
                    deck_key: r.get(0)?,
                    path: r.get(1)?,
                    line: r.get(2)?,
                    retired: r.get(3)?,
                })
            })
            .optional()?)
    }

    pub fn commit(self) -> Result<()> {
        Ok(self.tx.commit()?)
    }

    pub fn touch_deck(&self, id: i64, stat: Stat) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE deck SET size = ?2, mtime_ns = ?3, ctime_ns = ?4 WHERE id = ?1",
            )?
            .execute(params![id, stat.size, stat.mtime_ns, stat.ctime_ns])?;
        Ok(())
    }

    /// A value of the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .tx
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }

    /// Every card id with its note's id, for the shared id namespace:
    /// a card id may not be taken by another note's card.
    pub fn card_owners(&self) -> Result<CardOwners> {
        card_owners(&self.tx)
    }

    /// The ids of a deck's active notes, to name what retiring it retires.
    pub fn active_note_keys(&self, deck_id: i64) -> Result<Vec<String>> {
        let mut stmt = self
            .tx
            .prepare("SELECT key FROM note WHERE deck_id = ?1 AND retired = 0 ORDER BY line")?;
        let rows = stmt.query_map([deck_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every active deck's (key, requires, path), for the cycle check.
    pub fn active_requires(&self) -> Result<Vec<(String, Vec<String>, String)>> {
        let mut stmt = self
            .tx
            .prepare("SELECT key, requires, path FROM deck WHERE retired = 0 ORDER BY path")?;
        let rows = stmt.query_map([], |r| {
            let requires: String = r.get(1)?;
            Ok((
                r.get(0)?,
                serde_json::from_str(&requires).unwrap_or_default(),
                r.get(2)?,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Inserts or refreshes a deck by key, un-retiring it; returns its row id.
    pub fn upsert_deck(&self, deck: &Deck, stat: Stat, hash: &str) -> Result<i64> {
        let requires = serde_json::to_string(&deck.requires).unwrap_or_else(|_| "[]".into());
        let tags = serde_json::to_string(&deck.tags).unwrap_or_else(|_| "[]".into());
        Ok(self
            .tx
            .prepare_cached(
                "INSERT INTO deck (key, title, module, category, requires, tags, path, size, mtime_ns, ctime_ns, hash, retired)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0)
                 ON CONFLICT(key) DO UPDATE SET title = excluded.title, module = excluded.module,
                   category = excluded.category, requires = excluded.requires, tags = excluded.tags,
                   path = excluded.path, size = excluded.size, mtime_ns = excluded.mtime_ns,
                   ctime_ns = excluded.ctime_ns, hash = excluded.hash, retired = 0
                 RETURNING id",
            )?
            .query_row(
                params![deck.key, deck.title, deck.module, deck.category, requires, tags, deck.path, stat.size, stat.mtime_ns, stat.ctime_ns, hash],
                |r| r.get(0),
            )?)
    }

    /// Retires a deck whose file is gone, with all its notes and cards.
    /// Retires a deck row; its notes go through the carry-over first, and
    /// whatever is not carried is retired note by note.
    pub fn retire_deck(&self, id: i64) -> Result<()> {
        self.tx
            .execute("UPDATE deck SET retired = 1 WHERE id = ?1", [id])?;
        Ok(())
    }

    pub fn deck_notes(&self, deck_id: i64) -> Result<Vec<NoteRow>> {
        deck_notes(&self.tx, deck_id)
    }

    pub fn note_by_key(&self, key: &str) -> Result<Option<NoteRow>> {
        Ok(self
            .tx
            .prepare_cached(&format!(
                "SELECT {NOTE_COLUMNS}, {ANSWERS} FROM note WHERE key = ?1"
            ))?
            .query_row([key], note_row)
            .optional()?)
    }

    pub fn insert_note(&self, deck_id: i64, note: &Note) -> Result<i64> {
        // A plain INSERT: RETURNING costs a temporary table per row.
        self.tx
            .prepare_cached(
                "INSERT INTO note (key, deck_id, kind, title, topic, line, path, cites, derived, tags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                note.key,
                deck_id,
                note.kind.name(),
                note.title,
                note.topic,
                note.line as i64,
                note.path,
                note.cites,
                !note.explicit_id,
                note_tags(note)
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    pub fn update_note(&self, id: i64, deck_id: i64, note: &Note) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE note SET key = ?2, deck_id = ?3, kind = ?4, title = ?5, topic = ?6, line = ?7, path = ?8, cites = ?9, derived = ?10, tags = ?11, retired = 0 WHERE id = ?1",
            )?
            .execute(params![id, note.key, deck_id, note.kind.name(), note.title, note.topic, note.line as i64, note.path, note.cites, !note.explicit_id, note_tags(note)])?;
        Ok(())
    }

    /// Renames a note's cards after a similarity carry-over: `old/gen` → `new/gen`.
    pub fn rekey_cards(&self, note_id: i64, old_key: &str, new_key: &str) -> Result<()> {
        let cards = self.note_cards(note_id)?;
        let mut stmt = self
            .tx
            .prepare_cached("UPDATE card SET key = ?2 WHERE id = ?1")?;
        for card in cards {
            let renamed = if card.key == old_key {
                new_key.to_string()
            } else if let Some(generator) = card.key.strip_prefix(&format!("{old_key}/")) {
                format!("{new_key}/{generator}")
            } else {
                continue;
            };
            stmt.execute(params![card.id, renamed])?;
        }
        Ok(())
    }

    /// Gives a note (and its cards) another id, to free its own.
    pub fn rename_note(&self, id: i64, old_key: &str, new_key: &str) -> Result<()> {
        self.rekey_cards(id, old_key, new_key)?;
        self.tx.execute(
            "UPDATE note SET key = ?2 WHERE id = ?1",
            params![id, new_key],
        )?;
        Ok(())
    }

    pub fn retire_note(&self, id: i64) -> Result<usize> {
        self.tx
            .execute("UPDATE note SET retired = 1 WHERE id = ?1", [id])?;
        Ok(self.tx.execute(
            "UPDATE card SET retired = 1 WHERE note_id = ?1 AND retired = 0",
            [id],
        )?)
    }

    pub fn note_cards(&self, note_id: i64) -> Result<Vec<StoredCard>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT c.id, c.key, t.front, t.back, c.pos, c.retired, c.deck_id, t.accept FROM card c JOIN card_text t ON t.card_id = c.id WHERE c.note_id = ?1",
        )?;
        let rows = stmt.query_map([note_id], |r| {
            Ok(StoredCard {
                id: r.get(0)?,
                key: r.get(1)?,
                front: r.get(2)?,
                back: r.get(3)?,
                pos: r.get(4)?,
                retired: r.get(5)?,
                deck_id: r.get(6)?,
                accept: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn insert_card(
        &self,
        note_id: i64,
        deck_id: i64,
        pos: i64,
        card: &CardDraft,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO card (key, note_id, deck_id, gen, pos) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![card.key, note_id, deck_id, card.generator, pos])?;
        let id = self.tx.last_insert_rowid();
        self.tx
            .prepare_cached(
                "INSERT INTO card_text (card_id, front, back, accept) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![id, card.front, card.back, accept_sql(card)])?;
        Ok(())
    }

    pub fn update_card(&self, id: i64, deck_id: i64, pos: i64, card: &CardDraft) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE card SET key = ?2, deck_id = ?3, gen = ?4, pos = ?5, retired = 0 WHERE id = ?1",
            )?
            .execute(params![id, card.key, deck_id, card.generator, pos])?;
        self.tx
            .prepare_cached(
                "UPDATE card_text SET front = ?2, back = ?3, accept = ?4 WHERE card_id = ?1",
            )?
            .execute(params![id, card.front, card.back, accept_sql(card)])?;
        Ok(())
    }

    pub fn retire_card(&self, id: i64) -> Result<()> {
        self.tx
            .execute("UPDATE card SET retired = 1 WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Refreshes every deck's card counts; the last step of a compile.
    pub fn count_deck_cards(&self) -> Result<()> {
        self.tx.execute(
            "UPDATE deck SET
               cards = (SELECT count(*) FROM card c WHERE c.deck_id = deck.id AND c.retired = 0),
               retired_cards = (SELECT count(*) FROM card c WHERE c.deck_id = deck.id AND c.retired = 1)",
            [],
        )?;
        Ok(())
    }

    /// Deletes retired cards, notes and decks, and the history of those cards.
    pub fn prune(&self) -> Result<usize> {
        let retired = "SELECT id FROM card WHERE retired = 1";
        for table in ["undo", "anki_revlog"] {
            self.tx.execute(&format!("DELETE FROM {table} WHERE review_id IN (SELECT id FROM review WHERE card_id IN ({retired}))"), [])?;
        }
        self.tx.execute(
            &format!("DELETE FROM anki_note WHERE card_id IN ({retired})"),
            [],
        )?;
        self.tx.execute(
            &format!("DELETE FROM review WHERE card_id IN ({retired})"),
            [],
        )?;
        self.tx.execute(
            &format!("DELETE FROM quiz_answer WHERE card_id IN ({retired})"),
            [],
        )?;
        self.tx.execute(
            &format!("DELETE FROM teach_point WHERE card_id IN ({retired})"),
            [],
        )?;
        self.tx.execute(
            &format!("DELETE FROM card_text WHERE card_id IN ({retired})"),
            [],
        )?;
        let cards = self.tx.execute("DELETE FROM card WHERE retired = 1", [])?;
        self.tx.execute(
            "DELETE FROM note WHERE retired = 1 AND id NOT IN (SELECT note_id FROM card)",
            [],
        )?;
        self.tx.execute(
            "DELETE FROM deck WHERE retired = 1 AND id NOT IN (SELECT deck_id FROM card) AND id NOT IN (SELECT deck_id FROM note)",
            [],
        )?;
        Ok(cards)
    }
}

/// A note's tags as stored: a JSON list, or NULL when it has none (so the
/// `note_tagged` index holds only tagged notes).
fn note_tags(note: &Note) -> Option<String> {
    (!note.tags.is_empty())
        .then(|| serde_json::to_string(&note.tags).unwrap_or_else(|_| "[]".into()))
}
