//! Bulk writes for the benchmark generator, in one transaction.

use rusqlite::{Transaction, params};

use super::Store;
use crate::clock::{Day, date_of};
use crate::error::Result;
use crate::scheduler::CardState;
use crate::store::ReviewKind;

pub struct HistoryWriter<'a> {
    tx: &'a Transaction<'a>,
}

impl HistoryWriter<'_> {
    pub fn review(
        &self,
        card: i64,
        day: Day,
        grade: u8,
        kind: ReviewKind,
        b: &CardState,
        a: &CardState,
    ) -> Result<()> {
        let at = date_of(day).map_or_else(String::new, |d| {
            format!("{}T09:00:00.000Z", d.format("%Y-%m-%d"))
        });
        let kind_name = kind.as_str();
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&card, &at, &day, &grade, &kind_name];
        values.extend(super::log::state_columns(b, a));
        values.push(&crate::scheduler::RULES);
        self.tx
            .prepare_cached(
                "INSERT INTO review (card_id, at, day, grade, kind, ms,
                    b_reps, b_ease, b_interval, b_due, b_lapses, b_last_grade, b_last_day,
                    a_reps, a_ease, a_interval, a_due, a_lapses, a_last_grade, a_last_day, rules)
                 VALUES (?1, ?2, ?3, ?4, ?5, 8000, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                    ?18, ?19, ?20)",
            )?
            .execute(rusqlite::params_from_iter(values))?;
        Ok(())
    }

    pub fn state(&self, card: i64, s: &CardState) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE card SET reps = ?2, ease = ?3, interval = ?4, sm2_due = ?5, due = ?5, lapses = ?6, last_grade = ?7, last_day = ?8 WHERE id = ?1",
            )?
            .execute(params![card, s.reps, s.ease, s.interval, s.due, s.lapses, s.last_grade, s.last_day])?;
        Ok(())
    }
}

impl Store {
    pub fn active_card_ids(&self) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM card WHERE retired = 0 ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn write_history(
        &mut self,
        fill: impl FnOnce(&HistoryWriter<'_>) -> Result<()>,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        fill(&HistoryWriter { tx: &tx })?;
        tx.commit()?;
        // The history was written with SM-2's due days: under FSRS, replay.
        if self.sched != crate::fsrs::Scheduler::Sm2 {
            self.rebuild_due()?;
        }
        Ok(())
    }
}
