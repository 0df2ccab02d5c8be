//! Quiz sessions and answers. An answer, its running score and (with
//! `--reschedule`) its review row commit together.

use rusqlite::params;
use serde::Serialize;

use super::Store;
use super::log::{Decide, Grading, insert_review, undo_in};
use crate::clock::Day;
use crate::error::Result;

/// A card's id and where it belongs, for drawing a quiz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRef {
    pub id: i64,
    pub deck: String,
    pub topic: String,
}

/// What a quiz covers. Within one list any value matches; across lists all
/// must match.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct QuizScope {
    pub modules: Vec<u8>,
    pub decks: Vec<String>,
    pub topics: Vec<String>,
    pub categories: Vec<String>,
    pub cards: Vec<String>,
    /// A search query the cards must match too (`mastery quiz QUERY`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

fn list<T: Serialize>(values: &[T]) -> Option<String> {
    (!values.is_empty()).then(|| serde_json::to_string(values).unwrap_or_else(|_| "[]".into()))
}

#[derive(Debug, Clone)]
pub struct NewQuiz<'a> {
    pub scope: &'a QuizScope,
    pub seed: u64,
    pub format: &'a str,
    pub threshold: u32,
    pub reschedule: bool,
    pub at: &'a str,
    /// `quiz` or `teach-back`.
    pub kind: &'a str,
    /// Questions drawn (topics, for a teach-back): fewer answers than this
    /// is an incomplete quiz.
    pub planned: usize,
    pub topic_floor: u32,
}

#[derive(Debug, Clone)]
pub struct QuizAnswer<'a> {
    pub quiz_id: i64,
    pub card_id: i64,
    pub format: &'a str,
    pub answer: &'a str,
    pub correct: bool,
    pub ms: i64,
    pub at: &'a str,
    pub day: i64,
    /// A near miss the learner counted as right.
    pub overridden: bool,
}

/// One past quiz, scored over all its answers or one module's.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QuizSummary {
    pub id: i64,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub scope: serde_json::Value,
    /// The seed as the learner typed or was shown it: `--seed` replays it.
    pub seed: u64,
    pub threshold: u32,
    pub asked: i64,
    pub correct: i64,
    /// `quiz` or `teach-back`.
    pub kind: String,
    /// Answered to its last question.
    pub complete: bool,
    /// The topic floor its verdict used (0 before topic floors existed).
    pub topic_floor: u32,
    /// The study day of its first answer, as recorded when answered; `None`
    /// for a quiz that was never answered.
    #[serde(skip)]
    pub day: Option<Day>,
}

/// One answer a distractor may be drawn from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolEntry {
    pub back: String,
    /// The question it answers, which tells an exit code from a number.
    pub front: String,
    pub same_note: bool,
    pub same_topic: bool,
}

/// SQLite integers are i64 and seeds are u64: a seed is stored as the i64
/// with the same 64 bits, so seeds above i64::MAX are stored negative, and
/// read back through `seed_from_sql` only. The pair is lossless.
fn seed_to_sql(seed: u64) -> i64 {
    i64::from_ne_bytes(seed.to_ne_bytes())
}

fn seed_from_sql(stored: i64) -> u64 {
    u64::from_ne_bytes(stored.to_ne_bytes())
}

impl Store {
    /// Active cards in a quiz scope, in curriculum order: ids and topics
    /// only, since a quiz draws a few of possibly very many.
    pub fn scope_cards(&self, scope: &QuizScope) -> Result<Vec<CardRef>> {
        let mut stmt = self.conn.prepare(
            "SELECT c.id, d.key, n.topic FROM card c JOIN note n ON n.id = c.note_id JOIN deck d ON d.id = c.deck_id
             WHERE c.retired = 0
               AND (?1 IS NULL OR d.module IN (SELECT value FROM json_each(?1)))
               AND (?2 IS NULL OR d.key IN (SELECT value FROM json_each(?2)))
               AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(?3) t WHERE instr(fold(n.topic), fold(t.value)) > 0))
               AND (?4 IS NULL OR d.category IN (SELECT value FROM json_each(?4)))
               AND (?5 IS NULL OR c.key IN (SELECT value FROM json_each(?5)) OR n.key IN (SELECT value FROM json_each(?5)))
             ORDER BY d.module IS NULL, d.module, d.key, c.pos",
        )?;
        let rows = stmt.query_map(
            params![
                list(&scope.modules),
                list(&scope.decks),
                list(&scope.topics),
                list(&scope.categories),
                list(&scope.cards)
            ],
            |r| {
                Ok(CardRef {
                    id: r.get(0)?,
                    deck: r.get(1)?,
                    topic: r.get(2)?,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether an id names an active card or note.
    pub fn card_or_note_exists(&self, key: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM card WHERE key = ?1 AND retired = 0)
                     OR EXISTS (SELECT 1 FROM note WHERE key = ?1 AND retired = 0)",
            )?
            .query_row([key], |r| r.get(0))?)
    }

    pub fn start_quiz(&mut self, q: &NewQuiz<'_>) -> Result<i64> {
        let scope = serde_json::to_string(q.scope).unwrap_or_else(|_| "{}".into());
        Ok(self.conn.query_row(
            "INSERT INTO quiz (scope, seed, format, threshold, reschedule, started_at, kind, planned, topic_floor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
            params![
                scope,
                seed_to_sql(q.seed),
                q.format,
                q.threshold,
                q.reschedule,
                q.at,
                q.kind,
                q.planned as i64,
                q.topic_floor
            ],
            |r| r.get(0),
        )?)
    }

    /// Stores one answer (and its review, when the quiz reschedules);
    /// returns the answer's id, for `u`.
    pub fn record_quiz_answer(
        &mut self,
        a: &QuizAnswer<'_>,
        review: Option<(&Grading<'_>, Decide<'_>)>,
    ) -> Result<i64> {
        self.durable()?;
        let leech = self.leech_rule();
        let sched = self.sched.clone();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM card WHERE id = ?1)",
            [a.card_id],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(crate::error::Error::CardGone);
        }
        let review_id = match review {
            Some((g, decide)) => insert_review(&tx, g, decide, leech, &sched)?.map(|l| l.review_id),
            None => None,
        };
        let id: i64 = tx
            .prepare_cached(
                "INSERT INTO quiz_answer (quiz_id, card_id, format, answer, correct, ms, at, day, override, review_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
            )?
            .query_row(
                params![
                    a.quiz_id,
                    a.card_id,
                    a.format,
                    a.answer,
                    a.correct,
                    a.ms,
                    a.at,
                    a.day,
                    a.overridden,
                    review_id
                ],
                |r| r.get(0),
            )?;
        tx.prepare_cached(
            "UPDATE quiz SET asked = asked + 1, correct = correct + ?2 WHERE id = ?1",
        )?
        .execute(params![a.quiz_id, a.correct])?;
        tx.commit()?;
        Ok(id)
    }

    /// Takes back one answer (`u` in a quiz): it stays in the table,
    /// flagged undone, the running score drops it, and the review it made
    /// (when the quiz rescheduled) is undone in the same transaction.
    pub fn undo_quiz_answer(&mut self, answer_id: i64, at: &str) -> Result<()> {
        self.durable()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let (quiz_id, correct, review_id): (i64, bool, Option<i64>) = tx.query_row(
            "SELECT quiz_id, correct, review_id FROM quiz_answer WHERE id = ?1 AND undone = 0",
            [answer_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        tx.execute(
            "UPDATE quiz_answer SET undone = 1 WHERE id = ?1",
            [answer_id],
        )?;
        tx.execute(
            "UPDATE quiz SET asked = asked - 1, correct = correct - ?2 WHERE id = ?1",
            params![quiz_id, correct],
        )?;
        if let Some(review_id) = review_id {
            undo_in(&tx, review_id, at, &self.sched)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Ends a quiz; `complete` when every drawn question was answered.
    pub fn finish_quiz(&mut self, id: i64, at: &str, complete: bool) -> Result<()> {
        self.conn.execute(
            "UPDATE quiz SET ended_at = ?2, complete = ?3 WHERE id = ?1",
            params![id, at, complete],
        )?;
        Ok(())
    }

    /// Records which key points of one topic a teach-back covered, in one
    /// transaction, before the next topic is asked.
    pub fn record_teach_points(
        &mut self,
        quiz_id: i64,
        points: &[(i64, bool)],
        at: &str,
    ) -> Result<()> {
        self.durable()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for (card_id, covered) in points {
            tx.prepare_cached(
                "INSERT INTO teach_point (quiz_id, card_id, covered, at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![quiz_id, card_id, covered, at])?;
        }
        tx.prepare_cached(
            "UPDATE quiz SET asked = asked + ?2, correct = correct + ?3 WHERE id = ?1",
        )?
        .execute(params![
            quiz_id,
            points.len() as i64,
            points.iter().filter(|p| p.1).count() as i64
        ])?;
        tx.commit()?;
        Ok(())
    }

    /// Every answer a distractor could be drawn from for one card: the
    /// other active cards of its deck asked the same way (all cloze
    /// deletions count as one way), with whether each shares its note and
    /// its topic.
    pub fn distractor_pool(&self, card_id: i64) -> Result<Vec<PoolEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT st.back, st.front, s.note_id = c.note_id, sn.topic = n.topic FROM card c
               JOIN note n ON n.id = c.note_id
               JOIN card s ON s.deck_id = c.deck_id
               AND (s.gen = c.gen OR (s.gen GLOB 'c[0-9]*' AND c.gen GLOB 'c[0-9]*'))
               JOIN note sn ON sn.id = s.note_id
               JOIN card_text st ON st.card_id = s.id
             WHERE c.id = ?1 AND s.id != c.id AND s.retired = 0 ORDER BY s.pos",
        )?;
        let rows = stmt.query_map([card_id], |r| {
            Ok(PoolEntry {
                back: r.get(0)?,
                front: r.get(1)?,
                same_note: r.get(2)?,
                same_topic: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One quiz's score per topic (live answers only), for its verdict;
    /// with a module, only that module's topics.
    pub fn quiz_topic_scores(
        &self,
        quiz_id: i64,
        module: Option<u8>,
    ) -> Result<Vec<crate::quiz::readiness::TopicScore>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.key, n.topic, sum(a.correct), count(*)
             FROM quiz_answer a JOIN card c ON c.id = a.card_id
             JOIN note n ON n.id = c.note_id JOIN deck d ON d.id = c.deck_id
             WHERE a.quiz_id = ?1 AND a.undone = 0 AND (?2 IS NULL OR d.module = ?2)
             GROUP BY d.key, n.topic",
        )?;
        let rows = stmt.query_map(params![quiz_id, module], |r| {
            Ok(crate::quiz::readiness::TopicScore {
                deck: r.get(0)?,
                topic: r.get(1)?,
                correct: r.get::<_, i64>(2)? as usize,
                asked: r.get::<_, i64>(3)? as usize,
            })
        })?;
        let mut topics: Vec<_> = rows.collect::<rusqlite::Result<_>>()?;
        crate::quiz::readiness::order_weakest_first(&mut topics);
        Ok(topics)
    }

    /// Past quizzes, newest first; with a module, only quizzes that asked
    /// about it, scored on its cards alone.
    pub fn quiz_history(&self, module: Option<u8>) -> Result<Vec<QuizSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT q.id, q.started_at, q.ended_at, q.scope, q.threshold,
                    CASE q.kind WHEN 'quiz' THEN count(a.id) ELSE q.asked END,
                    CASE q.kind WHEN 'quiz' THEN coalesce(sum(a.correct), 0) ELSE q.correct END,
                    q.seed, min(a.day), q.kind, q.complete, q.topic_floor
             FROM quiz q
             LEFT JOIN quiz_answer a ON a.quiz_id = q.id AND a.undone = 0
             LEFT JOIN card c ON c.id = a.card_id
             LEFT JOIN deck d ON d.id = c.deck_id
             WHERE ?1 IS NULL OR d.module = ?1
             GROUP BY q.id HAVING ?1 IS NULL OR count(a.id) > 0
             ORDER BY q.id DESC",
        )?;
        let rows = stmt.query_map([module], |r| {
            let scope: String = r.get(3)?;
            Ok(QuizSummary {
                id: r.get(0)?,
                started_at: r.get(1)?,
                ended_at: r.get(2)?,
                scope: serde_json::from_str(&scope).unwrap_or(serde_json::Value::Null),
                seed: seed_from_sql(r.get(7)?),
                threshold: r.get(4)?,
                asked: r.get(5)?,
                correct: r.get(6)?,
                day: r.get(8)?,
                kind: r.get(9)?,
                complete: r.get(10)?,
                topic_floor: r.get(11)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(0)]
    #[case(42)]
    #[case(i64::MAX as u64)]
    #[case(i64::MAX as u64 + 1)]
    #[case(u64::MAX)]
    fn seeds_round_trip_through_sql(#[case] seed: u64) {
        assert_eq!(seed_from_sql(seed_to_sql(seed)), seed);
    }
}
