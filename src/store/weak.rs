//! Raw signals of weakness, gathered with grouped queries: the card state
//! table plus per-day groups of lapses, re-drills and quiz misses.

use std::collections::HashMap;

use super::{Store, card_state};
use crate::clock::Day;
use crate::error::Result;
use crate::scheduler::CardState;

/// Events of one kind on one card, grouped by study day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardEvents {
    /// (day, count) of lapses: grades below 3 after a recall.
    pub lapses: Vec<(Day, u32)>,
    /// (day, count) of days with two or more re-drills.
    pub redrills: Vec<(Day, u32)>,
    /// (day, count) of quiz misses since the cutoff.
    pub quiz_misses: Vec<(Day, u32)>,
}

/// A card's latest evidence, newest first. Instants are RFC 3339 stamps in
/// UTC with milliseconds, so they compare as text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recent {
    /// The last scheduling grades (the first grade of a study day; re-drills
    /// are left out), at most `RECOVERY_GRADES`: (instant, grade).
    pub grades: Vec<(String, u8)>,
    /// The last quiz answers, at most `RECOVERY_ANSWERS`: (instant, right).
    pub answers: Vec<(String, bool)>,
    /// The latest failed scheduling grade (looked up only when the last
    /// answers are all right: nothing else reads it), and the latest quiz
    /// miss.
    pub last_fail: Option<String>,
    pub last_miss: Option<String>,
}

/// A topic's most recent quiz result: correct and asked in that quiz.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastQuiz {
    pub correct: u32,
    pub asked: u32,
}

/// A card's place and scheduling state, without its text.
#[derive(Debug, Clone)]
pub struct ScoreRow {
    pub id: i64,
    pub note_id: i64,
    pub deck_id: i64,
    pub state: CardState,
    /// The active scheduler's due day.
    pub due: Option<Day>,
}

/// Where a note is: its id, topic and source line.
#[derive(Debug, Clone)]
pub struct NotePlace {
    pub key: String,
    pub topic: String,
    pub line: i64,
    pub path: Option<String>,
}

impl Store {
    /// Every active card's state, in no particular order.
    pub fn scoring_rows(&self) -> Result<Vec<ScoreRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, note_id, deck_id, reps, ease, interval, sm2_due, lapses, last_grade, last_day, due FROM card WHERE retired = 0",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ScoreRow {
                id: r.get(0)?,
                note_id: r.get(1)?,
                deck_id: r.get(2)?,
                state: card_state(r, 3)?,
                due: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn note_places(&self) -> Result<HashMap<i64, NotePlace>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, key, topic, line, path FROM note WHERE retired = 0")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                NotePlace {
                    key: r.get(1)?,
                    topic: r.get(2)?,
                    line: r.get(3)?,
                    path: r.get(4)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Lapse, re-drill and recent quiz-miss events per card id.
    pub fn weak_events(&self, quiz_since: Day) -> Result<HashMap<i64, CardEvents>> {
        let mut out: HashMap<i64, CardEvents> = HashMap::new();
        let mut add = |sql: &str,
                       param: Option<Day>,
                       pick: fn(&mut CardEvents) -> &mut Vec<(Day, u32)>|
         -> Result<()> {
            let mut stmt = self.conn.prepare(sql)?;
            let mut rows = match param {
                Some(p) => stmt.query([p])?,
                None => stmt.query([])?,
            };
            while let Some(r) = rows.next()? {
                let entry = out.entry(r.get(0)?).or_default();
                pick(entry).push((r.get(1)?, r.get(2)?));
            }
            Ok(())
        };
        add(
            "SELECT card_id, day, count(*) FROM live_review r
             WHERE r.grade < 3 AND r.kind = 'review'
             GROUP BY card_id, day",
            None,
            |e| &mut e.lapses,
        )?;
        add(
            "SELECT card_id, day, count(*) FROM live_review r WHERE r.kind = 'drill'
             GROUP BY card_id, day HAVING count(*) >= 2",
            None,
            |e| &mut e.redrills,
        )?;
        add(
            "SELECT card_id, day, count(*) FROM quiz_answer WHERE correct = 0 AND undone = 0 AND day >= ?1 GROUP BY card_id, day",
            Some(quiz_since),
            |e| &mut e.quiz_misses,
        )?;
        Ok(out)
    }

    /// The latest evidence on each of `card_ids`: at most `grades`
    /// scheduling grades and `answers` quiz answers each. Each card's
    /// newest grades are read through the card index, a few rows per card,
    /// so even tens of thousands of candidates with long logs stay cheap;
    /// the latest failure is looked up only where the quiz rule needs it.
    pub fn recent_evidence(
        &self,
        card_ids: &[i64],
        grades: usize,
        answers: usize,
    ) -> Result<HashMap<i64, Recent>> {
        let mut out: HashMap<i64, Recent> = HashMap::new();
        if card_ids.is_empty() {
            return Ok(out);
        }
        let ids = serde_json::to_string(card_ids).unwrap_or_else(|_| "[]".into());
        let limit = i64::try_from(grades).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare(
            "SELECT c.value, r.at, r.grade FROM json_each(?1) c JOIN review r
             ON r.id IN (SELECT id FROM review WHERE card_id = c.value AND undone = 0
                         AND kind != 'drill' ORDER BY id DESC LIMIT ?2)
             ORDER BY c.value, r.id DESC",
        )?;
        let mut rows = stmt.query(rusqlite::params![&ids, limit])?;
        while let Some(r) = rows.next()? {
            let (card, at, grade): (i64, String, u8) = (r.get(0)?, r.get(1)?, r.get(2)?);
            out.entry(card).or_default().grades.push((at, grade));
        }
        let mut stmt = self.conn.prepare(
            "SELECT card_id, at, correct FROM quiz_answer
             WHERE undone = 0 AND card_id IN (SELECT value FROM json_each(?1))
             ORDER BY card_id, id DESC",
        )?;
        let mut rows = stmt.query([&ids])?;
        while let Some(r) = rows.next()? {
            let (card, at, right): (i64, String, bool) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let e = out.entry(card).or_default();
            if !right && e.last_miss.is_none() {
                e.last_miss = Some(at.clone());
            }
            if e.answers.len() < answers {
                e.answers.push((at, right));
            }
        }
        // Only a card whose latest answers are all right can recover by
        // the quiz rule, and only that rule asks when it last failed.
        let quizzed: Vec<i64> = out
            .iter()
            .filter(|(_, e)| e.answers.len() == answers && e.answers.iter().all(|(_, ok)| *ok))
            .map(|(id, _)| *id)
            .collect();
        if !quizzed.is_empty() {
            let ids = serde_json::to_string(&quizzed).unwrap_or_else(|_| "[]".into());
            let mut stmt = self.conn.prepare(
                "SELECT c.value, (SELECT at FROM review WHERE card_id = c.value AND undone = 0
                                  AND kind != 'drill' AND grade < 3 ORDER BY id DESC LIMIT 1)
                 FROM json_each(?1) c",
            )?;
            let mut rows = stmt.query([&ids])?;
            while let Some(r) = rows.next()? {
                let (card, at): (i64, Option<String>) = (r.get(0)?, r.get(1)?);
                out.entry(card).or_default().last_fail = at;
            }
        }
        Ok(out)
    }

    /// The last quiz to ask about each topic (deck key, topic), with that
    /// quiz's score on the topic.
    pub fn last_quiz_by_topic(&self) -> Result<HashMap<(String, String), LastQuiz>> {
        let mut stmt = self.conn.prepare(
            "WITH per AS (
                SELECT d.key AS deck, n.topic AS topic, a.quiz_id AS quiz,
                       sum(a.correct) AS correct, count(*) AS asked
                FROM quiz_answer a JOIN card c ON c.id = a.card_id
                JOIN note n ON n.id = c.note_id JOIN deck d ON d.id = c.deck_id
                WHERE a.undone = 0
                GROUP BY d.key, n.topic, a.quiz_id)
             SELECT deck, topic, correct, asked FROM per p
             WHERE quiz = (SELECT max(quiz) FROM per q WHERE q.deck = p.deck AND q.topic = p.topic)",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                (r.get(0)?, r.get(1)?),
                LastQuiz {
                    correct: r.get(2)?,
                    asked: r.get(3)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
