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
    pub state: CardState,
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
            Ok(CardHistory {
                id: r.get(0)?,
                key: r.get(1)?,
                state: card_state(r, 2)?,
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

    /// A copy of the database beside it, before a repair.
    pub fn backup_before_repair(&self) -> Result<std::path::PathBuf> {
        self.backup("repair")
    }
}
