//! Quiz sessions and answers. An answer, its running score and (with
//! `--reschedule`) its review row commit together.

use rusqlite::params;
use serde::Serialize;

use super::Store;
use super::log::{Decide, Grading, insert_review};
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
    /// The study day of its first answer, as recorded when answered; `None`
    /// for a quiz that was never answered.
    #[serde(skip)]
    pub day: Option<Day>,
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

    /// The distinct answers of a card's siblings: same deck, same generator
    /// (all cloze deletions count as one generator).
    pub fn sibling_backs(&self, card_id: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT st.back FROM card c JOIN card_text ct ON ct.card_id = c.id
               JOIN card s ON s.deck_id = c.deck_id
               AND (s.gen = c.gen OR (s.gen GLOB 'c[0-9]*' AND c.gen GLOB 'c[0-9]*'))
               JOIN card_text st ON st.card_id = s.id
             WHERE c.id = ?1 AND s.id != c.id AND s.retired = 0 AND st.back != ct.back ORDER BY s.pos",
        )?;
        let rows = stmt.query_map([card_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn start_quiz(&mut self, q: &NewQuiz<'_>) -> Result<i64> {
        let scope = serde_json::to_string(q.scope).unwrap_or_else(|_| "{}".into());
        Ok(self.conn.query_row(
            "INSERT INTO quiz (scope, seed, format, threshold, reschedule, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
            params![
                scope,
                seed_to_sql(q.seed),
                q.format,
                q.threshold,
                q.reschedule,
                q.at
            ],
            |r| r.get(0),
        )?)
    }

    /// Stores one answer (and its review, when the quiz reschedules).
    pub fn record_quiz_answer(
        &mut self,
        a: &QuizAnswer<'_>,
        review: Option<(&Grading<'_>, Decide<'_>)>,
    ) -> Result<()> {
        self.durable()?;
        let leech = self.leech_rule();
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
        tx.prepare_cached(
            "INSERT INTO quiz_answer (quiz_id, card_id, format, answer, correct, ms, at, day)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            a.quiz_id, a.card_id, a.format, a.answer, a.correct, a.ms, a.at, a.day
        ])?;
        tx.prepare_cached(
            "UPDATE quiz SET asked = asked + 1, correct = correct + ?2 WHERE id = ?1",
        )?
        .execute(params![a.quiz_id, a.correct])?;
        if let Some((g, decide)) = review {
            insert_review(&tx, g, decide, leech)?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn finish_quiz(&mut self, id: i64, at: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE quiz SET ended_at = ?2 WHERE id = ?1",
            params![id, at],
        )?;
        Ok(())
    }

    /// Past quizzes, newest first; with a module, only quizzes that asked
    /// about it, scored on its cards alone.
    pub fn quiz_history(&self, module: Option<u8>) -> Result<Vec<QuizSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT q.id, q.started_at, q.ended_at, q.scope, q.threshold,
                    count(a.id), coalesce(sum(a.correct), 0), q.seed, min(a.day)
             FROM quiz q
             LEFT JOIN quiz_answer a ON a.quiz_id = q.id
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
