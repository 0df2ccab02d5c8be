//! Integrity queries for `mastery doctor`, and the repair that rebuilds
//! card states from the review log in one transaction.

use rusqlite::{OptionalExtension, params};

use super::{Store, card_state};
use crate::error::Result;
use crate::scheduler::CardState;

/// One card's stored state and its live review rows, oldest first.
#[derive(Debug, Clone)]
pub struct CardLog {
    pub id: i64,
    pub key: String,
    /// The stored state, or what is wrong with it (a value out of range).
    pub state: std::result::Result<CardState, String>,
    pub rows: Vec<LogRow>,
}

/// A card's log replayed with today's rules: (review id, before, after)
/// per live row, and the card's resulting state.
#[derive(Debug, Clone)]
pub struct Replayed {
    pub card_id: i64,
    pub rows: Vec<(i64, CardState, CardState)>,
    pub state: CardState,
}

/// One live review row: what it was, and the states either side of it.
#[derive(Debug, Clone)]
pub struct LogRow {
    pub id: i64,
    pub grade: u8,
    pub day: i64,
    pub kind: String,
    /// The rules that produced `after`.
    pub rules: String,
    /// The states, or what is wrong with them (a value out of range).
    pub before: std::result::Result<CardState, String>,
    pub after: std::result::Result<CardState, String>,
}

fn read_log_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, LogRow)> {
    Ok((
        r.get(0)?,
        LogRow {
            id: r.get(1)?,
            grade: r.get(2)?,
            day: r.get(3)?,
            kind: r.get(4)?,
            rules: r.get(5)?,
            before: card_state(r, 6).map_err(|_| "a value out of range".to_string()),
            after: card_state(r, 13).map_err(|_| "a value out of range".to_string()),
        },
    ))
}

/// What is out of range in a card row read as plain numbers: a finding,
/// not a reason for doctor itself to fail.
fn out_of_range(r: &rusqlite::Row<'_>) -> String {
    use rusqlite::types::Value;
    let names = [
        "reps",
        "ease",
        "interval",
        "due",
        "lapses",
        "last_grade",
        "last_day",
    ];
    names
        .iter()
        .enumerate()
        .find_map(|(i, name)| {
            let v: Value = r.get(2 + i).ok()?;
            let ok = match (&v, *name) {
                (Value::Null, "due" | "last_grade" | "last_day") => true,
                (Value::Integer(n), "last_grade") => (0..=5).contains(n),
                (Value::Integer(_), "due" | "last_day") => true,
                (Value::Integer(n), _) => u32::try_from(*n).is_ok(),
                _ => false,
            };
            let shown = match &v {
                Value::Integer(n) => n.to_string(),
                Value::Real(x) => x.to_string(),
                Value::Text(t) => format!("'{t}'"),
                Value::Null => "empty".to_string(),
                Value::Blob(_) => "a blob".to_string(),
            };
            (!ok).then(|| format!("{name} {shown} is out of range"))
        })
        .unwrap_or_else(|| "a value is out of range".to_string())
}

impl Store {
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|l| l != "ok")
            .collect())
    }

    /// `table: rowid → parent` for each broken foreign key.
    pub fn foreign_key_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "{} row {} points to a missing {} row",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Rows nothing refers to or that refer to retired parents wrongly.
    pub fn orphans(&self) -> Result<Vec<String>> {
        let checks = [
            (
                "notes without any card",
                "SELECT count(*) FROM note n WHERE NOT EXISTS (SELECT 1 FROM card c WHERE c.note_id = n.id)",
            ),
            (
                "active cards of retired notes",
                "SELECT count(*) FROM card c JOIN note n ON n.id = c.note_id WHERE c.retired = 0 AND n.retired = 1",
            ),
            (
                "undo rows for missing reviews",
                "SELECT count(*) FROM undo u WHERE NOT EXISTS (SELECT 1 FROM review r WHERE r.id = u.review_id)",
            ),
            (
                "quiz answers of missing quizzes",
                "SELECT count(*) FROM quiz_answer a WHERE NOT EXISTS (SELECT 1 FROM quiz q WHERE q.id = a.quiz_id)",
            ),
        ];
        let mut out = Vec::new();
        for (what, sql) in checks {
            let n: i64 = self.conn.query_row(sql, [], |r| r.get(0))?;
            if n > 0 {
                out.push(format!("{n} {what}"));
            }
        }
        Ok(out)
    }

    /// Calls `visit` with every card, in id order: its stored state and its
    /// live review rows, oldest first. Streams, so a million reviews are
    /// never all in memory.
    pub fn each_card_log(&self, mut visit: impl FnMut(CardLog) -> Result<()>) -> Result<()> {
        let mut cards = self.conn.prepare(
            "SELECT id, key, reps, ease, interval, sm2_due, lapses, last_grade, last_day FROM card ORDER BY id",
        )?;
        let mut reviews = self.conn.prepare(
            "SELECT card_id, id, grade, day, kind, rules,
                    b_reps, b_ease, b_interval, b_due, b_lapses, b_last_grade, b_last_day,
                    a_reps, a_ease, a_interval, a_due, a_lapses, a_last_grade, a_last_day
             FROM live_review ORDER BY card_id, id",
        )?;
        let mut card_rows = cards.query([])?;
        let mut review_rows = reviews.query([])?;
        let mut pending = review_rows.next()?.map(read_log_row).transpose()?;
        while let Some(r) = card_rows.next()? {
            let id: i64 = r.get(0)?;
            let mut log = CardLog {
                id,
                key: r.get(1)?,
                state: card_state(r, 2).map_err(|_| out_of_range(r)),
                rows: Vec::new(),
            };
            while let Some((card, row)) = pending.take() {
                if card > id {
                    pending = Some((card, row));
                    break;
                }
                if card == id {
                    log.rows.push(row);
                }
                pending = review_rows.next()?.map(read_log_row).transpose()?;
            }
            visit(log)?;
        }
        Ok(())
    }

    /// Sets each card's state to its log's last live after-state (a new
    /// card's state when it has none), reading and writing in one write
    /// transaction so that a grade committed meanwhile is not overwritten.
    pub fn repair_states(&mut self, card_ids: &[i64]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut last = tx.prepare(
                "SELECT a_reps, a_ease, a_interval, a_due, a_lapses, a_last_grade, a_last_day
                 FROM live_review WHERE card_id = ?1 ORDER BY id DESC LIMIT 1",
            )?;
            let mut set = tx.prepare(
                "UPDATE card SET reps = ?2, ease = ?3, interval = ?4, sm2_due = ?5, lapses = ?6, last_grade = ?7, last_day = ?8 WHERE id = ?1",
            )?;
            for id in card_ids {
                let s = last
                    .query_row([id], |r| card_state(r, 0))
                    .optional()?
                    .unwrap_or_default();
                set.execute(params![
                    id,
                    s.reps,
                    s.ease,
                    s.interval,
                    s.due,
                    s.lapses,
                    s.last_grade,
                    s.last_day
                ])?;
                super::sched::refresh_card(&tx, *id, &self.sched)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Paths that more than one active deck claims: (path, deck ids).
    /// Counts the lapses of these cards' review rows again from their log,
    /// as migration 6 did for every card, in one transaction.
    pub fn recount_lapses(&mut self, card_ids: &[i64]) -> Result<()> {
        if card_ids.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        tx.execute(
            "WITH counted AS (
                SELECT id,
                       (kind = 'review' AND grade < 3) AS own,
                       sum(CASE WHEN undone = 0 AND kind = 'review' AND grade < 3 THEN 1 ELSE 0 END)
                           OVER (PARTITION BY card_id ORDER BY id ROWS UNBOUNDED PRECEDING) AS upto
                FROM review WHERE card_id IN (SELECT value FROM json_each(?1))
             )
             UPDATE review SET
                b_lapses = counted.upto - (counted.own AND review.undone = 0),
                a_lapses = counted.upto - (counted.own AND review.undone = 0) + counted.own
             FROM counted WHERE counted.id = review.id",
            [super::query::scope_json(Some(card_ids))],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn shared_deck_paths(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT path, group_concat(key, ', ') FROM deck WHERE retired = 0 GROUP BY path HAVING count(*) > 1",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn user_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Tables and indexes `schema.sql` defines that the database lacks.
    pub fn missing_objects(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare("SELECT type, name FROM sqlite_schema")?;
        let present: std::collections::HashSet<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(super::expected_names()
            .into_iter()
            .filter(|object| !present.contains(object))
            .collect())
    }

    /// Recreates missing tables (empty) and indexes from `schema.sql`, and
    /// sets a negative or stale schema version to this build's, all in one
    /// transaction.
    pub fn repair_schema(&mut self) -> Result<usize> {
        let missing = self.missing_objects()?;
        let sql: std::collections::HashMap<(String, String), String> = super::expected_objects()
            .into_iter()
            .map(|(k, n, s)| ((k, n), s))
            .collect();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // One active deck per path, as the unique index demands: the older
        // rows of a shared path are retired (their history is kept).
        for sql in [
            "UPDATE card SET retired = 1 WHERE deck_id IN (SELECT id FROM deck d WHERE d.retired = 0
               AND EXISTS (SELECT 1 FROM deck n WHERE n.path = d.path AND n.retired = 0 AND n.id > d.id))",
            "UPDATE note SET retired = 1 WHERE deck_id IN (SELECT id FROM deck d WHERE d.retired = 0
               AND EXISTS (SELECT 1 FROM deck n WHERE n.path = d.path AND n.retired = 0 AND n.id > d.id))",
            "UPDATE deck SET retired = 1 WHERE retired = 0
               AND EXISTS (SELECT 1 FROM deck n WHERE n.path = deck.path AND n.retired = 0 AND n.id > deck.id)",
        ] {
            tx.execute(sql, [])?;
        }
        // Tables before the indexes on them.
        let mut ordered = missing.clone();
        ordered.sort_by_key(|(kind, _)| kind != "table");
        for key in &ordered {
            if let Some(create) = sql.get(key) {
                tx.execute_batch(create)?;
            }
        }
        tx.pragma_update(None, "user_version", super::latest_version())?;
        tx.commit()?;
        Ok(missing.len())
    }

    /// Writes replayed states: each live row's before- and after-state and
    /// rules, and the card's state, all cards in one transaction.
    pub fn rewrite_log(&mut self, cards: &[Replayed]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut row = tx.prepare(
                "UPDATE review SET b_reps = ?2, b_ease = ?3, b_interval = ?4, b_due = ?5, b_lapses = ?6,
                    b_last_grade = ?7, b_last_day = ?8, a_reps = ?9, a_ease = ?10, a_interval = ?11,
                    a_due = ?12, a_lapses = ?13, a_last_grade = ?14, a_last_day = ?15, rules = ?16
                 WHERE id = ?1 AND undone = 0",
            )?;
            for card in cards {
                for (id, b, a) in &card.rows {
                    let mut values: Vec<&dyn rusqlite::ToSql> = vec![id];
                    values.extend(super::log::state_columns(b, a));
                    values.push(&crate::scheduler::RULES);
                    row.execute(rusqlite::params_from_iter(values))?;
                }
                super::log::set_state(&tx, card.card_id, &card.state, &self.sched)?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// A copy of the database beside it, before a repair.
    pub fn backup_before_repair(&self) -> Result<std::path::PathBuf> {
        self.backup("repair")
    }

    /// A copy of the database beside it, named for what is about to change.
    pub fn backup_before(&self, what: &str) -> Result<std::path::PathBuf> {
        self.backup(what)
    }
}
