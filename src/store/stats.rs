//! Grouped queries behind `mastery stats`: one pass per figure, never a
//! loop over cards.

use std::collections::{BTreeMap, HashMap};

use rusqlite::named_params;

use super::Store;
use crate::clock::Day;
use crate::error::Result;

/// Card counts of one deck.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeckCounts {
    pub cards: i64,
    pub new: i64,
    pub learning: i64,
    pub mature: i64,
    pub due: i64,
    /// Sum of ease over reviewed cards, in hundredths, and their number.
    pub ease_sum: i64,
    pub reviewed: i64,
}

/// Scheduling grades of one deck in a window: how many, how many ≥ 3.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Retention {
    pub graded: i64,
    pub passed: i64,
}

/// A quiz's result on one deck.
#[derive(Debug, Clone, PartialEq)]
pub struct DeckQuiz {
    pub quiz: i64,
    pub correct: i64,
    pub asked: i64,
    /// The study day of its last answer, as recorded when answered.
    pub day: Day,
    /// Answered to its last question; only complete quizzes give a verdict.
    pub complete: bool,
}

/// The interval from which a card counts as mature.
pub const MATURE_DAYS: i64 = 21;

/// What the figures cover: some decks (a module), some cards (a query), or
/// both; `None` is everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct StatsScope<'a> {
    pub decks: Option<&'a [i64]>,
    pub cards: Option<&'a [i64]>,
}

fn ids(list: Option<&[i64]>) -> Option<String> {
    list.map(|d| serde_json::to_string(d).unwrap_or_else(|_| "[]".into()))
}

const IN_SCOPE: &str = "(:scope IS NULL OR c.deck_id IN (SELECT value FROM json_each(:scope)))
    AND (:cards IS NULL OR c.id IN (SELECT value FROM json_each(:cards)))";

impl Store {
    pub fn deck_counts(
        &self,
        today: Day,
        scope: StatsScope<'_>,
    ) -> Result<HashMap<i64, DeckCounts>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT c.deck_id, count(*), count(*) FILTER (WHERE c.due IS NULL),
                    count(*) FILTER (WHERE c.due IS NOT NULL AND c.interval < :mature),
                    count(*) FILTER (WHERE c.due IS NOT NULL AND c.interval >= :mature),
                    count(*) FILTER (WHERE c.due <= :today),
                    coalesce(sum(c.ease) FILTER (WHERE c.due IS NOT NULL), 0),
                    count(*) FILTER (WHERE c.due IS NOT NULL)
             FROM card c WHERE c.retired = 0 AND {IN_SCOPE} GROUP BY c.deck_id"
        ))?;
        let rows = stmt.query_map(
            named_params! {":today": today, ":mature": MATURE_DAYS, ":scope": ids(scope.decks), ":cards": ids(scope.cards)},
            |r| {
                Ok((
                    r.get(0)?,
                    DeckCounts {
                        cards: r.get(1)?,
                        new: r.get(2)?,
                        learning: r.get(3)?,
                        mature: r.get(4)?,
                        due: r.get(5)?,
                        ease_sum: r.get(6)?,
                        reviewed: r.get(7)?,
                    },
                ))
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Scheduling grades of live cards per deck on study days after `since`. Grouped by
    /// card over the covering index, then summed per deck here: cheaper
    /// than joining every review to its card.
    pub fn retention_since(
        &self,
        since: Day,
        scope: StatsScope<'_>,
    ) -> Result<HashMap<i64, Retention>> {
        // Live cards only: a retired card's reviews are about a fact the
        // decks no longer hold.
        let mut deck_of: HashMap<i64, i64> = HashMap::new();
        let mut stmt = self.conn.prepare(&format!(
            "SELECT c.id, c.deck_id FROM card c WHERE c.retired = 0 AND {IN_SCOPE}"
        ))?;
        let mut rows =
            stmt.query(named_params! {":scope": ids(scope.decks), ":cards": ids(scope.cards)})?;
        while let Some(r) = rows.next()? {
            deck_of.insert(r.get(0)?, r.get(1)?);
        }
        let mut out: HashMap<i64, Retention> = HashMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT r.card_id, count(*), count(*) FILTER (WHERE r.grade >= 3) FROM live_review r
             WHERE r.day > :since AND r.kind != 'drill'
             GROUP BY +r.card_id", // `+`: range-scan the day index, not every review by card
        )?;
        let mut rows = stmt.query(named_params! {":since": since})?;
        while let Some(r) = rows.next()? {
            if let Some(deck) = deck_of.get(&r.get::<_, i64>(0)?) {
                let e = out.entry(*deck).or_default();
                e.graded += r.get::<_, i64>(1)?;
                e.passed += r.get::<_, i64>(2)?;
            }
        }
        Ok(out)
    }

    /// Live reviews and answer time per study day, in one pass over the
    /// day index (which holds only live rows).
    pub fn review_days(&self, scope: StatsScope<'_>) -> Result<BTreeMap<Day, (i64, i64)>> {
        let mut out: BTreeMap<Day, (i64, i64)> = BTreeMap::new();
        let whole = scope.decks.is_none() && scope.cards.is_none();
        let sql = if whole {
            "SELECT day, count(*), coalesce(sum(ms), 0) FROM live_review GROUP BY day".to_string()
        } else {
            format!(
                "SELECT r.day, count(*), coalesce(sum(r.ms), 0) FROM live_review r
                 WHERE r.card_id IN (SELECT c.id FROM card c WHERE {IN_SCOPE})
                 GROUP BY r.day"
            )
        };
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = if whole {
            stmt.query([])?
        } else {
            stmt.query(named_params! {":scope": ids(scope.decks), ":cards": ids(scope.cards)})?
        };
        while let Some(r) = rows.next()? {
            let e = out.entry(r.get(0)?).or_default();
            e.0 += r.get::<_, i64>(1)?;
            e.1 += r.get::<_, i64>(2)?;
        }
        out.retain(|_, (n, _)| *n > 0);
        Ok(out)
    }

    /// Quiz answers and their time per study day.
    pub fn quiz_days(&self, scope: StatsScope<'_>) -> Result<BTreeMap<Day, (i64, i64)>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT a.day, count(*), coalesce(sum(a.ms), 0) FROM quiz_answer a JOIN card c ON c.id = a.card_id
             WHERE a.undone = 0 AND {IN_SCOPE} GROUP BY a.day"
        ))?;
        let rows = stmt.query_map(
            named_params! {":scope": ids(scope.decks), ":cards": ids(scope.cards)},
            |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Cards due on each day from `today` to `today + days - 1`; overdue
    /// cards count on today.
    pub fn forecast(
        &self,
        today: Day,
        days: i64,
        scope: StatsScope<'_>,
    ) -> Result<HashMap<Day, i64>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT max(c.due, :today), count(*) FROM card c
             WHERE c.retired = 0 AND c.due IS NOT NULL AND c.due < :today + :days AND {IN_SCOPE}
             GROUP BY 1"
        ))?;
        let rows = stmt.query_map(
            named_params! {":today": today, ":days": days, ":scope": ids(scope.decks), ":cards": ids(scope.cards)},
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// (deck id, learned, total) patterns: a pattern is learned when every
    /// card of it has an interval of `min_interval` days or more.
    pub fn patterns_learned(
        &self,
        min_interval: i64,
        scope: StatsScope<'_>,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT deck_id, sum(learned), count(*) FROM (
                SELECT c.deck_id AS deck_id, min(c.due IS NOT NULL AND c.interval >= :min) AS learned
                FROM note n JOIN card c ON c.note_id = n.id
                WHERE n.kind = 'Pattern' AND n.retired = 0 AND c.retired = 0 AND {IN_SCOPE}
                GROUP BY n.id)
             GROUP BY deck_id"
        ))?;
        let rows = stmt.query_map(
            named_params! {":min": min_interval, ":scope": ids(scope.decks), ":cards": ids(scope.cards)},
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every quiz's result per deck, newest quiz first.
    pub fn quiz_results_by_deck(&self, scope: StatsScope<'_>) -> Result<Vec<(i64, DeckQuiz)>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT c.deck_id, a.quiz_id, sum(a.correct), count(*), max(a.day), q.complete
             FROM quiz_answer a JOIN card c ON c.id = a.card_id JOIN quiz q ON q.id = a.quiz_id
             WHERE a.undone = 0 AND {IN_SCOPE}
             GROUP BY c.deck_id, a.quiz_id ORDER BY a.quiz_id DESC"
        ))?;
        let rows = stmt.query_map(
            named_params! {":scope": ids(scope.decks), ":cards": ids(scope.cards)},
            |r| {
                Ok((
                    r.get(0)?,
                    DeckQuiz {
                        quiz: r.get(1)?,
                        correct: r.get(2)?,
                        asked: r.get(3)?,
                        day: r.get(4)?,
                        complete: r.get(5)?,
                    },
                ))
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
