//! `mastery doctor`: is the database sound, and does every card's state
//! match what its review log says it should be?

use std::collections::HashSet;

use serde::Serialize;

use crate::deck::source::{Source, list};
use crate::error::Result;
use crate::scheduler::{CardState, Grade, schedule};
use crate::store::Store;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    pub problem: String,
    pub fix: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Diagnosis {
    pub problems: Vec<Problem>,
    /// Cards whose stored state differs from their replayed log.
    #[serde(skip)]
    pub rebuilt: Vec<(i64, CardState)>,
}

impl Diagnosis {
    pub fn healthy(&self) -> bool {
        self.problems.is_empty()
    }
}

fn problem(problem: String, fix: &str) -> Problem {
    Problem {
        problem,
        fix: fix.to_string(),
    }
}

/// Replays scheduling grades from a new card's state.
pub fn replay(grades: &[(u8, i64)]) -> Option<CardState> {
    grades.iter().try_fold(CardState::default(), |s, (g, day)| {
        Grade::new(i64::from(*g)).map(|g| schedule(&s, g, *day))
    })
}

pub fn diagnose(store: &Store, source: &Source) -> Result<Diagnosis> {
    let mut d = Diagnosis::default();
    for line in store.integrity_check()? {
        d.problems.push(problem(
            format!("integrity check: {line}"),
            "restore the newest backup (mastery.db.bak-*) or a copy of your own",
        ));
    }
    for line in store.foreign_key_check()? {
        d.problems.push(problem(
            format!("foreign key: {line}"),
            "restore a backup; this database was edited outside mastery",
        ));
    }
    for line in store.orphans()? {
        d.problems.push(problem(
            format!("orphaned rows: {line}"),
            "run `mastery compile --prune` to clear retired rows, or restore a backup",
        ));
    }
    for card in store.card_histories()? {
        match replay(&card.grades) {
            Some(state) if state == card.state => {}
            Some(state) => {
                d.problems.push(problem(
                    format!(
                        "card {}: stored state {} differs from its review log, which gives {}",
                        card.key,
                        describe(&card.state),
                        describe(&state)
                    ),
                    "run `mastery doctor --repair` to rebuild card states from the log",
                ));
                d.rebuilt.push((card.id, state));
            }
            None => d.problems.push(problem(
                format!(
                    "card {}: its review log holds a grade outside 0–5",
                    card.key
                ),
                "restore a backup",
            )),
        }
    }
    if let Ok(listing) = list(source) {
        let listed: HashSet<String> = listing.files.iter().map(|f| f.display.clone()).collect();
        for print in store.deck_prints()? {
            if !listed.contains(&print.path) {
                d.problems.push(problem(
                    format!("deck {}: its source {} is gone", print.key, print.path),
                    "restore the file, or run `mastery compile` to retire its cards (their history is kept)",
                ));
            }
        }
    }
    Ok(d)
}

fn describe(s: &CardState) -> String {
    format!(
        "(n {}, ease {}, interval {}, lapses {})",
        s.reps, s.ease, s.interval, s.lapses
    )
}

/// Rebuilds the mismatched card states after backing the database up.
pub fn repair(store: &mut Store, d: &Diagnosis) -> Result<Option<std::path::PathBuf>> {
    if d.rebuilt.is_empty() {
        return Ok(None);
    }
    let backup = store.backup_before_repair()?;
    store.repair_states(&d.rebuilt)?;
    Ok(Some(backup))
}
