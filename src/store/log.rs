//! The review log: each grade is one transaction that appends a row and
//! moves the card; an undo appends to `undo` and puts the card back.

use rusqlite::{OptionalExtension, params};

use super::sched::refresh_card;
use super::{Store, card_state};
use crate::clock::Day;
use crate::error::{Error, Result};
use crate::fsrs::Scheduler;
use crate::scheduler::{CardState, LeechRule, is_leech_lapse};

pub use crate::scheduler::ReviewKind;

/// A grade to record. The card's current state is read inside the write
/// transaction, so two sessions grading one card never lose an update.
#[derive(Debug, Clone, Copy)]
pub struct Grading<'a> {
    pub card_id: i64,
    pub grade: u8,
    pub at: &'a str,
    pub day: Day,
    pub ms: i64,
}

/// Turns the card's current state into the review to log (its kind and the
/// state after it), or `None` to log nothing.
pub type Decide<'d> = &'d dyn Fn(&CardState) -> Option<(ReviewKind, CardState)>;

/// What was logged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logged {
    pub review_id: i64,
    pub kind: ReviewKind,
    pub before: CardState,
    pub after: CardState,
    /// The card's due day after it under the active scheduler.
    pub due: Option<Day>,
    /// This grade caught the card as a leech.
    pub leech: Option<Leeched>,
}

/// What catching a leech did, as recorded on its review row (`leeched`):
/// undoing the grade undoes exactly this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leeched {
    /// The card was not tagged leech before.
    pub tagged: bool,
    /// The card was suspended by it.
    pub suspended: bool,
}

impl Leeched {
    fn bits(self) -> i64 {
        i64::from(self.tagged) | (i64::from(self.suspended) << 1)
    }

    fn from_bits(bits: i64) -> Leeched {
        Leeched {
            tagged: bits & 1 != 0,
            suspended: bits & 2 != 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UndoneReview {
    pub review_id: i64,
    pub card_id: i64,
    pub card_key: String,
    pub grade: u8,
    pub kind: String,
}

impl Store {
    /// Appends a grade and applies its state, committed before returning.
    pub fn record(&mut self, g: &Grading<'_>, decide: Decide<'_>) -> Result<Option<Logged>> {
        self.durable()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let logged = insert_review(&tx, g, decide, self.leech, &self.sched)?;
        if self.custom_study
            && let Some(l) = &logged
        {
            tx.execute("UPDATE review SET custom = 1 WHERE id = ?1", [l.review_id])?;
        }
        tx.commit()?;
        Ok(logged)
    }

    /// Marks the grades recorded from now on as custom study: the new
    /// cards they introduce don't count against the daily limit.
    pub fn set_custom_study(&mut self, on: bool) {
        self.custom_study = on;
    }

    /// Sets what a lapse that reaches the leech threshold does.
    pub fn set_leech_rule(&mut self, rule: LeechRule) {
        self.leech = rule;
    }

    pub(super) fn leech_rule(&self) -> LeechRule {
        self.leech
    }

    /// Undoes the newest live review of all, chosen inside the write
    /// transaction so that a grade committed meanwhile is the one undone.
    pub fn undo_last(&mut self, at: &str) -> Result<Option<UndoneReview>> {
        self.durable()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // The newest in time: an Anki import puts reviews, and moves
        // later ones, behind the newest ids. Within a card, time order is
        // id order, so this is also its card's newest. The day bound keeps
        // the search on the day index.
        let newest: Option<i64> = tx
            .query_row(
                "SELECT id FROM live_review
                 WHERE day >= (SELECT max(day) FROM live_review) - 1
                 ORDER BY at DESC, id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let Some(review_id) = newest else {
            return Ok(None);
        };
        let undone = undo_in(&tx, review_id, at, &self.sched)?;
        tx.commit()?;
        Ok(Some(undone))
    }

    /// Whether any grade was ever logged, undone or not.
    pub fn has_reviews(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM review)", [], |r| r.get(0))?)
    }

    /// Undoes one review: the card gets back the exact state it had before.
    /// Only its card's newest live review can be undone: the states after
    /// it were built on it.
    pub fn undo_review(&mut self, review_id: i64, at: &str) -> Result<UndoneReview> {
        self.durable()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let undone = undo_in(&tx, review_id, at, &self.sched)?;
        tx.commit()?;
        Ok(undone)
    }
}

impl Store {
    /// Starts a card over: every live review is undone, newest first, in
    /// one transaction, so the log's chain still holds and the history
    /// stays readable. Returns how many reviews were undone.
    pub fn reset_card(&mut self, card_id: i64, at: &str) -> Result<usize> {
        self.durable()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let ids: Vec<i64> = tx
            .prepare("SELECT id FROM live_review WHERE card_id = ?1 ORDER BY id DESC")?
            .query_map([card_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in &ids {
            undo_in(&tx, *id, at, &self.sched)?;
        }
        set_state(&tx, card_id, &CardState::default(), &self.sched)?;
        tx.commit()?;
        Ok(ids.len())
    }

    /// A card's row id, or every card of a note, by id.
    pub fn cards_of_id(&self, id: &str) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.id FROM card c WHERE c.key = ?1 AND c.retired = 0
             UNION SELECT c.id FROM card c JOIN note n ON n.id = c.note_id WHERE n.key = ?1 AND c.retired = 0",
        )?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

pub(super) fn undo_in(
    tx: &rusqlite::Transaction<'_>,
    review_id: i64,
    at: &str,
    sched: &Scheduler,
) -> Result<UndoneReview> {
    let found = tx
        .query_row(
            "SELECT r.card_id, r.grade, r.kind, r.b_reps, r.b_ease, r.b_interval, r.b_due, r.b_lapses,
                    r.b_last_grade, r.b_last_day, r.undone, c.key,
                    (SELECT max(id) FROM live_review l WHERE l.card_id = r.card_id), r.leeched
             FROM review r JOIN card c ON c.id = r.card_id WHERE r.id = ?1",
            [review_id],
            |r| {
                Ok((
                    UndoneReview {
                        review_id,
                        card_id: r.get(0)?,
                        grade: r.get(1)?,
                        kind: r.get(2)?,
                        card_key: r.get(11)?,
                    },
                    card_state(r, 3)?,
                    r.get::<_, bool>(10)?,
                    r.get::<_, Option<i64>>(12)?,
                    r.get::<_, i64>(13)?,
                ))
            },
        )
        .optional()?;
    let Some((undone, before, already, newest, leeched)) = found else {
        return Err(Error::UndoRefused(format!("no review {review_id} to undo")));
    };
    if already {
        return Err(Error::UndoRefused(format!(
            "the grade of {} was already undone (in another session?)",
            undone.card_key
        )));
    }
    if newest != Some(review_id) {
        return Err(Error::UndoRefused(format!(
            "{} was graded again since; undo its newest grade first",
            undone.card_key
        )));
    }
    // Marked first, so that the replay under FSRS leaves the row out.
    tx.execute("UPDATE review SET undone = 1 WHERE id = ?1", [review_id])?;
    if undone.kind != ReviewKind::Drill.as_str() {
        set_state(tx, undone.card_id, &before, sched)?;
    } else {
        // A re-drill moved only FSRS's memory.
        refresh_card(tx, undone.card_id, sched)?;
    }
    let leeched = Leeched::from_bits(leeched);
    if leeched.tagged || leeched.suspended {
        tx.execute(
            "UPDATE card SET leech = CASE WHEN ?2 THEN 0 ELSE leech END,
                             suspended = CASE WHEN ?3 THEN 0 ELSE suspended END
             WHERE id = ?1",
            params![undone.card_id, leeched.tagged, leeched.suspended],
        )?;
    }
    tx.execute(
        "INSERT INTO undo (review_id, at) VALUES (?1, ?2)",
        params![review_id, at],
    )?;
    Ok(undone)
}

/// The card's state, read inside the write transaction; a card deleted
/// meanwhile (`compile --prune` in another terminal) is `CardGone`.
fn current_state(tx: &rusqlite::Transaction<'_>, card_id: i64) -> Result<CardState> {
    tx.prepare_cached(
        "SELECT reps, ease, interval, sm2_due, lapses, last_grade, last_day FROM card WHERE id = ?1",
    )?
    .query_row([card_id], |r| card_state(r, 0))
    .optional()?
    .ok_or(Error::CardGone)
}

/// Appends one review row and, unless it is a drill, moves the card.
pub(super) fn insert_review(
    tx: &rusqlite::Transaction<'_>,
    g: &Grading<'_>,
    decide: Decide<'_>,
    rule: LeechRule,
    sched: &Scheduler,
) -> Result<Option<Logged>> {
    let before = current_state(tx, g.card_id)?;
    let Some((kind, after)) = decide(&before) else {
        return Ok(None);
    };
    let (b, a) = (&before, &after);
    let kind_name = kind.as_str();
    let mut values: Vec<&dyn rusqlite::ToSql> =
        vec![&g.card_id, &g.at, &g.day, &g.grade, &kind_name, &g.ms];
    values.extend(state_columns(b, a));
    values.push(&crate::scheduler::RULES);
    let review_id: i64 = tx
        .prepare_cached(
            "INSERT INTO review (card_id, at, day, grade, kind, ms,
                b_reps, b_ease, b_interval, b_due, b_lapses, b_last_grade, b_last_day,
                a_reps, a_ease, a_interval, a_due, a_lapses, a_last_grade, a_last_day, rules)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                ?19, ?20, ?21)
             RETURNING id",
        )?
        .query_row(rusqlite::params_from_iter(values), |row| row.get(0))?;
    let mut leech = None;
    if kind != ReviewKind::Drill {
        set_state(tx, g.card_id, a, sched)?;
        if is_leech_lapse(b.lapses, a.lapses, rule) {
            let caught = catch_leech(tx, g.card_id, review_id, rule)?;
            leech = Some(caught);
        }
    }
    if kind == ReviewKind::Drill {
        // A re-drill moves FSRS's memory (SM-2's state stays).
        refresh_card(tx, g.card_id, sched)?;
    }
    let due = tx
        .prepare_cached("SELECT due FROM card WHERE id = ?1")?
        .query_row([g.card_id], |r| r.get(0))?;
    Ok(Some(Logged {
        review_id,
        kind,
        before,
        after,
        due,
        leech,
    }))
}

/// Tags the card leech and, by the rule, suspends it; the review row
/// records which of the two it changed.
pub(super) fn catch_leech(
    tx: &rusqlite::Transaction<'_>,
    card_id: i64,
    review_id: i64,
    rule: LeechRule,
) -> Result<Leeched> {
    let (leech, suspended): (bool, i64) = tx.query_row(
        "SELECT leech, suspended FROM card WHERE id = ?1",
        [card_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let caught = Leeched {
        tagged: !leech,
        suspended: rule.suspend && suspended == 0,
    };
    tx.execute(
        "UPDATE card SET leech = 1, suspended = CASE WHEN ?2 THEN 2 ELSE suspended END WHERE id = ?1",
        params![card_id, caught.suspended],
    )?;
    tx.execute(
        "UPDATE review SET leeched = ?2 WHERE id = ?1",
        params![review_id, caught.bits()],
    )?;
    Ok(caught)
}

/// A review row's fourteen state columns, before then after, in the
/// order `b_reps … b_last_day, a_reps … a_last_day`.
pub(super) fn state_columns<'a>(
    b: &'a CardState,
    a: &'a CardState,
) -> [&'a dyn rusqlite::ToSql; 14] {
    [
        &b.reps,
        &b.ease,
        &b.interval,
        &b.due,
        &b.lapses,
        &b.last_grade,
        &b.last_day,
        &a.reps,
        &a.ease,
        &a.interval,
        &a.due,
        &a.lapses,
        &a.last_grade,
        &a.last_day,
    ]
}

/// Sets a card's SM-2 state, then its due day under the active scheduler.
pub(super) fn set_state(
    tx: &rusqlite::Transaction<'_>,
    card_id: i64,
    s: &CardState,
    sched: &Scheduler,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE card SET reps = ?2, ease = ?3, interval = ?4, sm2_due = ?5, lapses = ?6, last_grade = ?7, last_day = ?8
         WHERE id = ?1",
    )?
    .execute(params![card_id, s.reps, s.ease, s.interval, s.due, s.lapses, s.last_grade, s.last_day])?;
    refresh_card(tx, card_id, sched)
}
