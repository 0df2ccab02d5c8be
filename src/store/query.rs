//! Read-only queries. Due state lives on the card row and is indexed, so no
//! query here scans the review log to find what is due.

use std::collections::{HashMap, HashSet};

use rusqlite::{OptionalExtension, Row, params};

use super::marks::{Marks, Suspension};
use super::{Store, card_state};
use crate::clock::Day;
use crate::error::Result;
use crate::fsrs::Memory;
use crate::scheduler::CardState;

/// A card with where it came from and its scheduling state.
#[derive(Debug, Clone, PartialEq)]
pub struct CardRow {
    pub id: i64,
    pub key: String,
    pub deck_key: String,
    pub deck_title: String,
    pub module: Option<u8>,
    pub category: Option<String>,
    pub topic: String,
    pub path: String,
    pub line: i64,
    pub generator: String,
    pub front: String,
    pub back: String,
    /// SM-2's state (its `due` is SM-2's own due day).
    pub state: CardState,
    /// The due day the active scheduler set: what queues and counts use.
    pub due: Option<Day>,
    /// FSRS's memory, while FSRS is the active scheduler.
    pub memory: Option<crate::fsrs::Memory>,
    pub retired: bool,
    /// Where the fact comes from (its note's `Source:` line).
    pub cites: Option<String>,
    /// Suspended, buried, flagged, leech.
    pub marks: Marks,
    /// Other accepted answers (`{{shown|other}}` in the deck).
    pub accept: Vec<String>,
    /// The note's kind: Q, Concept, Pattern, Cloze or Checklist.
    pub note_kind: String,
    /// Its deck's tags (front matter), then its note's own (`Tags:`).
    pub tags: Vec<String>,
    /// Its place in its deck's file order.
    pub pos: i64,
}

impl CardRow {
    pub fn source(&self) -> String {
        format!("{}:{}", self.path, self.line)
    }

    /// The card as FSRS sees it, while FSRS is active and it was reviewed.
    /// Its latest review (re-drills included) was on SM-2's last day: a
    /// re-drill is always on the day of a scheduling review.
    pub fn fsrs(&self) -> Option<crate::fsrs::FsrsCard> {
        fsrs_card(self.memory, self.state.last_day, self.due)
    }
}

/// A card as FSRS sees it, from the columns that hold its memory, its
/// latest review day and its due day.
pub(super) fn fsrs_card(
    memory: Option<Memory>,
    last_day: Option<Day>,
    due: Option<Day>,
) -> Option<crate::fsrs::FsrsCard> {
    let (memory, last_day, due) = (memory?, last_day?, due?);
    Some(crate::fsrs::FsrsCard {
        memory,
        last_day,
        interval: u32::try_from(due - last_day).unwrap_or(0),
        due,
    })
}

/// FSRS's memory from its two columns: both set while FSRS is active.
pub(super) fn memory(stability: Option<f64>, difficulty: Option<f64>) -> Option<Memory> {
    match (stability, difficulty) {
        (Some(s), Some(d)) => Some(Memory {
            stability: s as f32,
            difficulty: d as f32,
        }),
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub struct DeckInfo {
    pub id: i64,
    pub key: String,
    pub title: String,
    pub module: Option<u8>,
    pub category: Option<String>,
    pub requires: Vec<String>,
    pub path: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DeckStatus {
    pub deck: String,
    pub title: String,
    pub cards: i64,
    pub due: i64,
    pub unseen: i64,
    pub learned: i64,
    pub retired: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReviewEntry {
    pub at: String,
    /// The study day the review was filed under.
    pub day: i64,
    pub grade: u8,
    pub kind: String,
    /// Answered in Anki and brought back by `import anki`.
    pub anki: bool,
}

pub(super) const CARD_SELECT: &str = "SELECT c.id, c.key, d.key, d.title, d.module, d.category, n.topic, coalesce(n.path, d.path), n.line,
    c.gen, t.front, t.back, c.reps, c.ease, c.interval, c.sm2_due, c.lapses, c.last_grade, c.last_day, c.retired, n.cites,
    c.suspended, c.buried, c.flagged, c.leech, t.accept, n.kind, d.tags, n.tags, c.pos, c.due, c.stability, c.difficulty
    FROM card c JOIN card_text t ON t.card_id = c.id JOIN note n ON n.id = c.note_id JOIN deck d ON d.id = c.deck_id";

pub(super) fn card_row(r: &Row<'_>) -> rusqlite::Result<CardRow> {
    Ok(CardRow {
        id: r.get(0)?,
        key: r.get(1)?,
        deck_key: r.get(2)?,
        deck_title: r.get(3)?,
        module: r.get(4)?,
        category: r.get(5)?,
        topic: r.get(6)?,
        path: r.get(7)?,
        line: r.get(8)?,
        generator: r.get(9)?,
        front: r.get(10)?,
        back: r.get(11)?,
        state: card_state(r, 12)?,
        due: r.get(30)?,
        memory: memory(r.get(31)?, r.get(32)?),
        retired: r.get(19)?,
        cites: r.get(20)?,
        marks: Marks {
            suspended: Suspension::from_column(r.get(21)?),
            buried: r.get(22)?,
            flagged: r.get(23)?,
            leech: r.get(24)?,
        },
        accept: r
            .get::<_, Option<String>>(25)?
            .and_then(|a| serde_json::from_str(&a).ok())
            .unwrap_or_default(),
        note_kind: r.get(26)?,
        tags: {
            // Most decks and notes have no tags: skip the JSON parser then
            // (a listing reads tens of thousands of rows).
            let list = |text: Option<String>| -> Vec<String> {
                match text.as_deref() {
                    None | Some("[]") => Vec::new(),
                    Some(t) => serde_json::from_str(t).unwrap_or_default(),
                }
            };
            let mut tags = list(r.get(27)?);
            for t in list(r.get(28)?) {
                if !tags.contains(&t) {
                    tags.push(t);
                }
            }
            tags
        },
        pos: r.get(29)?,
    })
}

/// The deck ids a scope allows, as the JSON list SQLite's json_each reads.
pub(super) fn scope_json(decks: Option<&[i64]>) -> Option<String> {
    decks.map(|ids| serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()))
}

impl Store {
    pub fn card_by_key(&self, key: &str) -> Result<Option<CardRow>> {
        Ok(self
            .conn
            .prepare_cached(&format!("{CARD_SELECT} WHERE c.key = ?1"))?
            .query_row([key], card_row)
            .optional()?)
    }

    pub fn card_by_id(&self, id: i64) -> Result<Option<CardRow>> {
        Ok(self
            .conn
            .prepare_cached(&format!("{CARD_SELECT} WHERE c.id = ?1"))?
            .query_row([id], card_row)
            .optional()?)
    }

    /// Several cards at once, by id; ids that name no card are left out.
    pub fn cards_by_ids(&self, ids: &[i64]) -> Result<HashMap<i64, CardRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{CARD_SELECT} WHERE c.id IN (SELECT value FROM json_each(?1))"
        ))?;
        let rows = stmt.query_map([scope_json(Some(ids))], card_row)?;
        let mut out = HashMap::with_capacity(ids.len());
        for row in rows {
            let row = row?;
            out.insert(row.id, row);
        }
        Ok(out)
    }

    /// Cards due on or before `today`, most overdue first.
    /// Ids only: a session loads each card's text when it is shown.
    pub fn due_cards(&self, today: Day, decks: Option<&[i64]>, limit: usize) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id FROM card c WHERE c.retired = 0 AND c.due IS NOT NULL AND c.due <= ?1
               AND c.suspended = 0 AND (c.buried IS NULL OR c.buried < ?1)
               AND (?2 IS NULL OR c.deck_id IN (SELECT value FROM json_each(?2)))
             ORDER BY c.due, c.id LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![today, scope_json(decks), limit as i64], |r| {
            r.get(0)
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn count_due(&self, today: Day, decks: Option<&[i64]>) -> Result<i64> {
        Ok(self.conn.prepare_cached(
            "SELECT count(*) FROM card c WHERE c.retired = 0 AND c.due IS NOT NULL AND c.due <= ?1
               AND c.suspended = 0 AND (c.buried IS NULL OR c.buried < ?1)
               AND (?2 IS NULL OR c.deck_id IN (SELECT value FROM json_each(?2)))",
        )?
        .query_row(params![today, scope_json(decks)], |r| r.get(0))?)
    }

    /// A deck's never-seen cards in file order, as (card id, note id),
    /// without the suspended ones and those buried on `today`.
    pub fn new_cards(&self, deck_id: i64, today: Day) -> Result<Vec<(i64, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, note_id FROM card WHERE deck_id = ?1 AND retired = 0 AND due IS NULL
               AND suspended = 0 AND (buried IS NULL OR buried < ?2)
             ORDER BY pos",
        )?;
        let rows = stmt.query_map([deck_id, today], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Notes with a card reviewed on a study day, or due by then.
    pub fn notes_busy_on(&self, day: Day) -> Result<HashSet<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.note_id FROM live_review r CROSS JOIN card c ON c.id = r.card_id WHERE r.day = ?1
             UNION SELECT note_id FROM card WHERE retired = 0 AND due IS NOT NULL AND due <= ?1",
        )?;
        let rows = stmt.query_map([day], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Decks that still have never-seen cards.
    pub fn decks_with_unseen(&self) -> Result<HashSet<i64>> {
        let mut stmt = self
            .conn
            // One seek per deck into card_deck (deck_id, retired, due, …).
            .prepare_cached(
                "SELECT d.id FROM deck d WHERE EXISTS
                   (SELECT 1 FROM card c WHERE c.deck_id = d.id AND c.retired = 0 AND c.due IS NULL)",
            )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Active decks in curriculum order: by module, then the rest, by id.
    pub fn decks(&self) -> Result<Vec<DeckInfo>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, key, title, module, category, requires, path FROM deck WHERE retired = 0
             ORDER BY module IS NULL, module, key",
        )?;
        let rows = stmt.query_map([], |r| {
            let requires: String = r.get(5)?;
            Ok(DeckInfo {
                id: r.get(0)?,
                key: r.get(1)?,
                title: r.get(2)?,
                module: r.get(3)?,
                category: r.get(4)?,
                requires: serde_json::from_str(&requires).unwrap_or_default(),
                path: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// New cards introduced on a study day, for the daily limit; those a
    /// custom study session introduced (`review QUERY --new N`) are extra.
    pub fn new_seen_on(&self, day: Day) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM live_review r WHERE r.day = ?1 AND r.kind = 'new' AND r.custom = 0",
            )?
            .query_row([day], |r| r.get(0))?)
    }

    pub fn next_due_after(&self, day: Day) -> Result<Option<Day>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT min(due) FROM card WHERE retired = 0 AND due IS NOT NULL AND due > ?1
                   AND suspended = 0",
            )?
            .query_row([day], |r| r.get(0))?)
    }

    pub fn due_through(&self, day: Day) -> Result<i64> {
        self.count_due(day, None)
    }

    /// Per-deck counts for `mastery status`, in curriculum order: totals
    /// kept on the deck rows by compile, due cards from the card_queue index,
    /// never-seen cards by one seek per deck.
    pub fn status(&self, today: Day) -> Result<Vec<DeckStatus>> {
        let mut due: HashMap<i64, i64> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT deck_id, count(*) FROM card INDEXED BY card_queue
             WHERE retired = 0 AND due IS NOT NULL AND due <= ?1
               AND suspended = 0 AND (buried IS NULL OR buried < ?1)
             GROUP BY deck_id",
        )?;
        let mut rows = stmt.query([today])?;
        while let Some(r) = rows.next()? {
            due.insert(r.get(0)?, r.get(1)?);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.key, d.title, d.cards, d.retired_cards,
                    (SELECT count(*) FROM card c WHERE c.deck_id = d.id AND c.retired = 0 AND c.due IS NULL)
             FROM deck d WHERE d.retired = 0 OR d.retired_cards > 0
             ORDER BY d.module IS NULL, d.module, d.key",
        )?;
        let rows = stmt.query_map([], |r| {
            let cards: i64 = r.get(3)?;
            let unseen: i64 = r.get(5)?;
            Ok(DeckStatus {
                due: due.get(&r.get::<_, i64>(0)?).copied().unwrap_or(0),
                deck: r.get(1)?,
                title: r.get(2)?,
                cards,
                unseen,
                learned: cards - unseen,
                retired: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A card's reviews, oldest first, without undone ones.
    pub fn card_reviews(&self, card_id: i64) -> Result<Vec<ReviewEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, grade, kind, day, origin IS 'anki' FROM live_review WHERE card_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([card_id], |r| {
            Ok(ReviewEntry {
                at: r.get(0)?,
                grade: r.get(1)?,
                kind: r.get(2)?,
                day: r.get(3)?,
                anki: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
