//! What the learner does to a card besides grading it: suspend, bury,
//! flag; and what the leech rule did. Each change is one statement, so it
//! is committed (with full durability) before the next card is drawn.

use rusqlite::types::Value;

use super::Store;
use crate::clock::Day;
use crate::error::Result;

/// Why a card is out of every queue, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Suspension {
    #[default]
    None,
    /// By the learner (`s`, `mastery suspend`).
    Learner,
    /// By the leech rule.
    Leech,
}

impl Suspension {
    pub(super) fn from_column(v: i64) -> Suspension {
        match v {
            0 => Suspension::None,
            2 => Suspension::Leech,
            _ => Suspension::Learner,
        }
    }

    fn column(self) -> i64 {
        match self {
            Suspension::None => 0,
            Suspension::Learner => 1,
            Suspension::Leech => 2,
        }
    }

    pub fn is_suspended(self) -> bool {
        self != Suspension::None
    }
}

/// A card's marks, as one value so an undo can put all of them back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Marks {
    pub suspended: Suspension,
    /// The study day the card is buried on.
    pub buried: Option<Day>,
    pub flagged: bool,
    pub leech: bool,
}

impl Marks {
    /// Buried on `today`: out of today's queues.
    pub fn buried_on(&self, today: Day) -> bool {
        self.buried.is_some_and(|d| d >= today)
    }
}

impl Store {
    /// Suspends (or lets back in) every given card; returns how many
    /// changed. Letting a leech back in keeps its leech tag.
    pub fn set_suspended(&mut self, card_ids: &[i64], on: bool) -> Result<usize> {
        let value = if on {
            Suspension::Learner
        } else {
            Suspension::None
        };
        self.each_card(
            card_ids,
            "UPDATE card SET suspended = ?2 WHERE id = ?1 AND (suspended != 0) != ?3",
            |id| {
                vec![
                    Value::Integer(*id),
                    Value::Integer(value.column()),
                    Value::Integer(i64::from(on)),
                ]
            },
        )
    }

    /// Buries every given card until the next study day after `today`.
    pub fn bury(&mut self, card_ids: &[i64], today: Day) -> Result<usize> {
        self.each_card(
            card_ids,
            "UPDATE card SET buried = ?2 WHERE id = ?1 AND (buried IS NULL OR buried < ?2)",
            |id| vec![Value::Integer(*id), Value::Integer(today)],
        )
    }

    pub fn set_flagged(&mut self, card_id: i64, on: bool) -> Result<usize> {
        self.each_card(
            &[card_id],
            "UPDATE card SET flagged = ?2 WHERE id = ?1 AND flagged != ?2",
            |id| vec![Value::Integer(*id), Value::Integer(i64::from(on))],
        )
    }

    /// Takes back one in-session action (`what`: suspend, bury, flag or
    /// unflag): only the mark it set, and only while it is still as that
    /// action left it, so a change made meanwhile from another terminal
    /// stays.
    pub fn undo_mark(
        &mut self,
        card_id: i64,
        what: &str,
        before: &Marks,
        today: Day,
    ) -> Result<()> {
        let (sql, value) = match what {
            "suspend" => (
                "UPDATE card SET suspended = ?2 WHERE id = ?1 AND suspended = 1",
                Value::Integer(before.suspended.column()),
            ),
            "bury" => (
                "UPDATE card SET buried = ?2 WHERE id = ?1 AND buried = ?3",
                before.buried.map_or(Value::Null, Value::Integer),
            ),
            _ => (
                "UPDATE card SET flagged = ?2 WHERE id = ?1 AND flagged != ?2",
                Value::Integer(i64::from(before.flagged)),
            ),
        };
        self.each_card(&[card_id], sql, |id| {
            let mut v = vec![Value::Integer(*id), value.clone()];
            if what == "bury" {
                v.push(Value::Integer(today));
            }
            v
        })?;
        Ok(())
    }

    /// Runs `sql` once per card in one durable transaction, binding what
    /// `bind` gives; the count of rows it changed.
    fn each_card(
        &mut self,
        card_ids: &[i64],
        sql: &str,
        bind: impl Fn(&i64) -> Vec<Value>,
    ) -> Result<usize> {
        self.durable()?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut changed = 0;
        {
            let mut stmt = tx.prepare(sql)?;
            for id in card_ids {
                changed += stmt.execute(rusqlite::params_from_iter(bind(id)))?;
            }
        }
        tx.commit()?;
        Ok(changed)
    }
}

impl Store {
    /// Cards to relearn on `today`: graded below 4 today and not graded 4
    /// or 5 since, so the session that failed them ended before a re-drill
    /// passed.
    /// Oldest failure first.
    pub fn relearn_cards(&self, today: Day, decks: Option<&[i64]>) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            // From the day's failed scheduling grades (a covering range of
            // review_day), those not passed by a later re-drill.
            "SELECT r.card_id FROM live_review r JOIN card c ON c.id = r.card_id
             WHERE r.day = ?1 AND r.kind IN ('new', 'review') AND r.grade < 4
               AND NOT EXISTS (SELECT 1 FROM live_review x
                               WHERE x.card_id = r.card_id AND x.id > r.id AND x.grade >= 4)
               AND c.retired = 0 AND c.suspended = 0 AND (c.buried IS NULL OR c.buried < ?1)
               AND (?2 IS NULL OR c.deck_id IN (SELECT value FROM json_each(?2)))
             ORDER BY r.id",
        )?;
        let rows = stmt.query_map(
            rusqlite::params![today, super::query::scope_json(decks)],
            |r| r.get(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// (seen, total) active cards of each given deck, suspended cards left
    /// out: a suspended card (a leech, say) can't be seen, so it must not
    /// hold the next deck back.
    pub fn seen_counts(
        &self,
        deck_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, (i64, i64)>> {
        let ids = super::query::scope_json(Some(deck_ids));
        let count = |sql: &str| -> Result<std::collections::HashMap<i64, (i64, i64)>> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map([&ids], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        // Both from indexes alone (card_deck, card_suspended).
        let mut all = count(
            "SELECT deck_id, count(due), count(*) FROM card
             WHERE retired = 0 AND deck_id IN (SELECT value FROM json_each(?1))
             GROUP BY deck_id",
        )?;
        let held = count(
            "SELECT deck_id, count(due), count(*) FROM card
             WHERE suspended != 0 AND retired = 0 AND deck_id IN (SELECT value FROM json_each(?1))
             GROUP BY deck_id",
        )?;
        for (deck, (seen, total)) in held {
            if let Some(counts) = all.get_mut(&deck) {
                *counts = (counts.0 - seen, counts.1 - total);
            }
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(store: &Store) -> Marks {
        store.card_by_id(1).unwrap().unwrap().marks
    }

    /// An in-session undo takes back only its own mark, and only while the
    /// mark is as it left it: what another terminal did meanwhile stays.
    #[test]
    fn an_undo_keeps_what_another_terminal_did_meanwhile() {
        let (_d, mut store, clock) = crate::testing::store_with("## Q: a {#a}\nb\n");
        let today = clock.today();
        let before = marks(&store);
        store.set_flagged(1, true).unwrap();
        store.set_suspended(&[1], true).unwrap(); // the other terminal
        store.undo_mark(1, "flag", &before, today).unwrap();
        let now = marks(&store);
        assert!(!now.flagged);
        assert_eq!(now.suspended, Suspension::Learner);

        let before = marks(&store);
        store.bury(&[1], today).unwrap();
        store.set_suspended(&[1], false).unwrap(); // the other terminal
        store.undo_mark(1, "bury", &before, today).unwrap();
        assert_eq!(marks(&store).buried, None);
        assert_eq!(marks(&store).suspended, Suspension::None);

        // Our suspend, then the other terminal lets it in and the leech
        // rule suspends it again: undoing ours leaves the leech's.
        let before = marks(&store);
        store.set_suspended(&[1], true).unwrap();
        store
            .conn
            .execute("UPDATE card SET suspended = 2 WHERE id = 1", [])
            .unwrap();
        store.undo_mark(1, "suspend", &before, today).unwrap();
        assert_eq!(marks(&store).suspended, Suspension::Leech);
    }
}
