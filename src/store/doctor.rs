//! Integrity queries for `mastery doctor`, and the repair that rebuilds
//! card states from the review log in one transaction.

use rusqlite::params;

use super::{Store, card_state};
use crate::error::Result;
use crate::scheduler::CardState;

/// One card's stored state and its scheduling grades, oldest first.
#[derive(Debug, Clone)]
pub struct CardHistory {
    pub id: i64,
    pub key: String,
    /// The stored state, or what is wrong with it (a value out of range).
    pub state: std::result::Result<CardState, String>,
    /// (grade, study day) of every review that schedules and was not undone.
    pub grades: Vec<(u8, i64)>,
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

    /// Every card with its stored state and its scheduling history.
    pub fn card_histories(&self) -> Result<Vec<CardHistory>> {
        let mut out: Vec<CardHistory> = Vec::new();
        let mut cards = self.conn.prepare(
            "SELECT id, key, reps, ease, interval, due, lapses, last_grade, last_day FROM card ORDER BY id",
        )?;
        let rows = cards.query_map([], |r| {
            // Read as plain numbers: a value out of range is a finding,
            // not a reason for doctor itself to fail.
            let state = card_state(r, 2).map_err(|_| {
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
                        let v: rusqlite::types::Value = r.get(2 + i).ok()?;
                        let ok = match (&v, *name) {
                            (rusqlite::types::Value::Null, "due" | "last_grade" | "last_day") => {
                                true
                            }
                            (rusqlite::types::Value::Integer(n), "last_grade") => {
                                (0..=5).contains(n)
                            }
                            (rusqlite::types::Value::Integer(_), "due" | "last_day") => true,
                            (rusqlite::types::Value::Integer(n), _) => u32::try_from(*n).is_ok(),
                            _ => false,
                        };
                        (!ok).then(|| format!("{name} {v:?} is out of range"))
                    })
                    .unwrap_or_else(|| "a value is out of range".to_string())
            });
            Ok(CardHistory {
                id: r.get(0)?,
                key: r.get(1)?,
                state,
                grades: Vec::new(),
            })
        })?;
        for row in rows {
            out.push(row?);
        }
        let mut reviews = self.conn.prepare(
            "SELECT card_id, grade, day FROM review r WHERE kind != 'drill'
               AND NOT EXISTS (SELECT 1 FROM undo u WHERE u.review_id = r.id) ORDER BY card_id, id",
        )?;
        let mut rows = reviews.query([])?;
        let mut i = 0;
        while let Some(r) = rows.next()? {
            let card: i64 = r.get(0)?;
            while i < out.len() && out[i].id < card {
                i += 1;
            }
            if let Some(h) = out.get_mut(i).filter(|h| h.id == card) {
                h.grades.push((r.get(1)?, r.get(2)?));
            }
        }
        Ok(out)
    }

    /// Sets each (card id, state) in one transaction.
    pub fn repair_states(&mut self, states: &[(i64, CardState)]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare(
                "UPDATE card SET reps = ?2, ease = ?3, interval = ?4, due = ?5, lapses = ?6, last_grade = ?7, last_day = ?8 WHERE id = ?1",
            )?;
            for (id, s) in states {
                stmt.execute(params![
                    id,
                    s.reps,
                    s.ease,
                    s.interval,
                    s.due,
                    s.lapses,
                    s.last_grade,
                    s.last_day
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
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
        Ok(super::expected_objects()
            .into_iter()
            .filter(|(kind, name, _)| !present.contains(&(kind.clone(), name.clone())))
            .map(|(kind, name, _)| (kind, name))
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

    /// A copy of the database beside it, before a repair.
    pub fn backup_before_repair(&self) -> Result<std::path::PathBuf> {
        self.backup("repair")
    }
}
