//! The review log read whole, for `eval`, `optimize` and
//! `export revlog`: live rows only, each card's oldest first.

use super::Store;
use crate::clock::Day;
use crate::error::Result;
use crate::fsrs::eval::Review;
use crate::scheduler::Grade;

/// One live review row as the FSRS optimizer's CSV describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub card_id: i64,
    pub at: String,
    pub day: Day,
    pub grade: u8,
    pub kind: String,
    pub ms: i64,
    /// The day of the card's first live review.
    pub first_day: Day,
}

impl Store {
    /// Every live review for the evaluation: the row id orders a card's
    /// reviews, and a card's first review (`new`) is its learning entry.
    pub fn log_for_eval(&self) -> Result<Vec<Review>> {
        let mut stmt = self.conn.prepare(
            "SELECT card_id, id, day, grade, kind FROM live_review ORDER BY card_id, id",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let grade: i64 = r.get(3)?;
            // A grade out of range is doctor's finding; it is left out here.
            let Some(grade) = Grade::new(grade) else {
                continue;
            };
            out.push(Review {
                card: r.get(0)?,
                order: r.get(1)?,
                day: r.get(2)?,
                grade,
                learning: r.get::<_, String>(4)? == "new",
            });
        }
        Ok(out)
    }

    /// Calls `visit` with every live review, oldest first.
    pub fn each_log_entry(&self, mut visit: impl FnMut(LogEntry) -> Result<()>) -> Result<()> {
        let first: std::collections::HashMap<i64, Day> = self
            .conn
            .prepare("SELECT card_id, min(day) FROM live_review GROUP BY card_id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self
            .conn
            .prepare("SELECT card_id, at, day, grade, kind, ms FROM live_review ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let card_id: i64 = r.get(0)?;
            visit(LogEntry {
                card_id,
                at: r.get(1)?,
                day: r.get(2)?,
                grade: r.get(3)?,
                kind: r.get(4)?,
                ms: r.get(5)?,
                first_day: first.get(&card_id).copied().unwrap_or_default(),
            })?;
        }
        Ok(())
    }
}
