//! Which scheduler sets `card.due`, and keeping the stored due days in
//! step with it. SM-2's state (with its own due day, `sm2_due`) is kept
//! under both, as the log records it; under FSRS each card's memory and
//! due day are replayed from its live log whenever the log changes, and
//! for every card when the scheduler or its parameters change.

use rusqlite::params;

use super::Store;
use crate::clock::Day;
use crate::error::Result;
use crate::fsrs::{FsrsCard, Model, Scheduler};
use crate::scheduler::{Grade, ReviewKind};

/// What a change of scheduler did to the stored due days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Switch {
    /// The scheduler the due days were computed with, and the new one.
    pub from: String,
    pub to: String,
    /// Cards with a review log, all replayed.
    pub cards: usize,
    /// Of those, the cards whose due day moved.
    pub moved: usize,
}

/// The meta row naming what the stored due days were computed with.
const DUE_BY: &str = "due_by";
/// The meta row holding parameters saved by `mastery optimize --save`.
const FITTED: &str = "fsrs_parameters";

fn kind_of(kind: &str) -> Option<ReviewKind> {
    match kind {
        "new" => Some(ReviewKind::New),
        "review" => Some(ReviewKind::Review),
        "drill" => Some(ReviewKind::Drill),
        _ => None,
    }
}

/// Replays one card's live log under `model`. Rows `doctor` would flag
/// (a grade or kind that can't be read) are left out here.
fn replay_card(tx: &rusqlite::Connection, model: &Model, card_id: i64) -> Result<Option<FsrsCard>> {
    let mut stmt = tx.prepare_cached(
        "SELECT grade, day, kind FROM review WHERE card_id = ?1 AND undone = 0 ORDER BY id",
    )?;
    let rows = stmt.query_map([card_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, Day>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut log = Vec::new();
    for row in rows {
        let (grade, day, kind) = row?;
        if let (Some(g), Some(k)) = (Grade::new(grade), kind_of(&kind)) {
            log.push((g, day, k));
        }
    }
    Ok(model.replay(log))
}

/// Brings one card's due day in step with the active scheduler after its
/// log or SM-2 state changed (a grade, an undo, a reset).
pub(super) fn refresh_card(
    tx: &rusqlite::Connection,
    card_id: i64,
    sched: &Scheduler,
) -> Result<()> {
    match sched {
        Scheduler::Sm2 => {
            tx.prepare_cached(
                "UPDATE card SET due = sm2_due, stability = NULL, difficulty = NULL WHERE id = ?1",
            )?
            .execute([card_id])?;
        }
        Scheduler::Fsrs(model) => {
            let card = replay_card(tx, model, card_id)?;
            tx.prepare_cached(
                "UPDATE card SET due = ?2, stability = ?3, difficulty = ?4 WHERE id = ?1",
            )?
            .execute(params![
                card_id,
                card.map(|c| c.due),
                card.map(|c| f64::from(c.memory.stability)),
                card.map(|c| f64::from(c.memory.difficulty))
            ])?;
        }
    }
    Ok(())
}

impl Store {
    pub fn scheduler(&self) -> &Scheduler {
        &self.sched
    }

    /// Takes `sched` as the active scheduler without touching any due day:
    /// `doctor` compares, and repairs only when asked.
    pub fn assume_scheduler(&mut self, sched: Scheduler) {
        self.sched = sched;
    }

    /// Makes `sched` the scheduler of every grade from now on. When the
    /// stored due days were computed with another scheduler (or other
    /// parameters), every card is replayed first, in one transaction.
    pub fn set_scheduler(&mut self, sched: Scheduler) -> Result<Option<Switch>> {
        self.sched = sched;
        let stored = self.meta(DUE_BY)?.unwrap_or_else(|| "sm2".to_string());
        if stored == self.sched.signature() {
            return Ok(None);
        }
        self.rebuild_due().map(Some)
    }

    /// Replays every card's due day under the active scheduler.
    pub fn rebuild_due(&mut self) -> Result<Switch> {
        let sched = self.sched.clone();
        let from = self.meta(DUE_BY)?.unwrap_or_else(|| "sm2".to_string());
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let before: Vec<(i64, Option<Day>)> = tx
            .prepare("SELECT id, due FROM card WHERE sm2_due IS NOT NULL OR due IS NOT NULL")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        tx.execute(
            "UPDATE card SET due = sm2_due, stability = NULL, difficulty = NULL",
            [],
        )?;
        if let Scheduler::Fsrs(model) = &sched {
            replay_all(&tx, model)?;
        }
        let mut moved = 0;
        {
            let mut now = tx.prepare_cached("SELECT due FROM card WHERE id = ?1")?;
            for (id, due) in &before {
                let after: Option<Day> = now.query_row([id], |r| r.get(0))?;
                moved += usize::from(after != *due);
            }
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![DUE_BY, sched.signature()],
        )?;
        tx.commit()?;
        Ok(Switch {
            from: name_of(&from).to_string(),
            to: sched.name().to_string(),
            cards: before.len(),
            moved,
        })
    }

    /// Cards whose stored due day or FSRS memory differ from a replay
    /// under the active scheduler: `doctor`'s check.
    pub fn due_mismatches(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let stored = self.meta(DUE_BY)?.unwrap_or_else(|| "sm2".to_string());
        if stored != self.sched.signature() {
            out.push(format!(
                "due days were computed with {} but the active scheduler is {}",
                name_of(&stored),
                self.sched.name()
            ));
            return Ok(out);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT id, key, due, sm2_due, stability, difficulty FROM card ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<Day>>(2)?,
                r.get::<_, Option<Day>>(3)?,
                r.get::<_, Option<f64>>(4)?,
                r.get::<_, Option<f64>>(5)?,
            ))
        })?;
        for row in rows {
            let (id, key, due, sm2_due, s, d) = row?;
            let (want_due, want) = match &self.sched {
                Scheduler::Sm2 => (sm2_due, None),
                Scheduler::Fsrs(model) => {
                    let card = replay_card(&self.conn, model, id)?;
                    (card.map(|c| c.due), card.map(|c| c.memory))
                }
            };
            let close = |a: Option<f64>, b: Option<f32>| match (a, b) {
                (None, None) => true,
                (Some(a), Some(b)) => (a - f64::from(b)).abs() <= 1e-3 * a.abs().max(1.0),
                _ => false,
            };
            if due != want_due
                || !close(s, want.map(|m| m.stability))
                || !close(d, want.map(|m| m.difficulty))
            {
                out.push(format!(
                    "card {key}: its due day or FSRS memory differs from a replay of its log under {}",
                    self.sched.name()
                ));
            }
        }
        Ok(out)
    }

    /// FSRS parameters saved by `mastery optimize --save`.
    pub fn saved_parameters(&self) -> Result<Option<Vec<f32>>> {
        Ok(self
            .meta(FITTED)?
            .and_then(|text| serde_json::from_str::<Vec<f32>>(&text).ok()))
    }

    pub fn save_parameters(&mut self, params: &[f32]) -> Result<()> {
        let text = serde_json::to_string(params).unwrap_or_else(|_| "[]".into());
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![FITTED, text],
        )?;
        Ok(())
    }
}

/// "sm2" or "fsrs" from a stored signature.
fn name_of(signature: &str) -> &str {
    if signature.starts_with("fsrs") {
        "fsrs"
    } else {
        "sm2"
    }
}

/// Replays every card with a live log in one pass over the log.
fn replay_all(tx: &rusqlite::Transaction<'_>, model: &Model) -> Result<()> {
    let mut read = tx.prepare(
        "SELECT card_id, grade, day, kind FROM review WHERE undone = 0 ORDER BY card_id, id",
    )?;
    let mut write = tx.prepare_cached(
        "UPDATE card SET due = ?2, stability = ?3, difficulty = ?4 WHERE id = ?1",
    )?;
    let mut rows = read.query([])?;
    let mut current: Option<(i64, Option<FsrsCard>)> = None;
    let mut flush = |entry: Option<(i64, Option<FsrsCard>)>| -> Result<()> {
        if let Some((id, Some(c))) = entry {
            write.execute(params![
                id,
                c.due,
                f64::from(c.memory.stability),
                f64::from(c.memory.difficulty)
            ])?;
        }
        Ok(())
    };
    while let Some(r) = rows.next()? {
        let (card, grade, day, kind): (i64, i64, Day, String) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        if current.as_ref().is_none_or(|(id, _)| *id != card) {
            flush(current.take())?;
            current = Some((card, None));
        }
        if let (Some((_, state)), Some(g), Some(k)) =
            (current.as_mut(), Grade::new(grade), kind_of(&kind))
        {
            *state = Some(model.review(*state, g, day, k));
        }
    }
    flush(current)
}
