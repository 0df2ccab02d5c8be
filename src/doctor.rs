//! `mastery doctor`: is the database sound, and does every card's state
//! match what its review log says it should be?

use std::collections::HashSet;

use serde::Serialize;

use crate::deck::source::{Source, list};
use crate::error::Result;
use crate::scheduler::CardState;
use crate::store::{CardLog, Store};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    pub problem: String,
    pub fix: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Diagnosis {
    pub problems: Vec<Problem>,
    /// Cards whose stored state differs from their log's last state.
    #[serde(skip)]
    pub rebuilt: Vec<i64>,
    /// Cards whose log counts lapses otherwise than the rule.
    #[serde(skip)]
    pub recount: Vec<i64>,
    /// Missing tables or indexes, or a bad schema version, to recreate.
    #[serde(skip)]
    pub schema: bool,
    /// Due days (or FSRS memories) that differ from the active scheduler's
    /// replay of the log.
    #[serde(skip)]
    pub redue: bool,
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

/// Checks a card's log as a chain: each live row starts from the state the
/// previous one left (a new card's state for the first), and the card holds
/// the last row's result. Rows are taken as written, whatever rules wrote
/// them: a rule change is not corruption.
fn check_chain(card: &CardLog, d: &mut Diagnosis) {
    let mut prev = Ok(CardState::default());
    let mut recounted = false;
    for row in &card.rows {
        // A lapse is a failed scheduling review of a card that was not new.
        if let (Ok(b), Ok(a)) = (&row.before, &row.after) {
            let lapse = row.kind == "review" && row.grade < 3;
            let expected = b.lapses + u32::from(lapse);
            if a.lapses != expected && !recounted {
                recounted = true;
                d.problems.push(problem(
                    format!(
                        "card {}: review {} leaves {} lapses where the log counts {expected}",
                        card.key, row.id, a.lapses
                    ),
                    "run `mastery doctor --repair` to count the lapses again from the log",
                ));
                d.recount.push(card.id);
            }
        }
        if row.before != prev {
            d.problems.push(problem(
                format!(
                    "card {}: review {} starts from {}, but the review before it left {}",
                    card.key,
                    row.id,
                    describe_result(&row.before),
                    describe_result(&prev)
                ),
                "restore a backup (mastery.db.bak-*): the review log was edited outside mastery",
            ));
        }
        prev = row.after.clone();
    }
    let Ok(expected) = prev else {
        d.problems.push(problem(
            format!(
                "card {}: its newest review holds a value out of range",
                card.key
            ),
            "restore a backup (mastery.db.bak-*)",
        ));
        return;
    };
    match &card.state {
        Ok(stored) if *stored == expected => {}
        Ok(stored) => {
            d.problems.push(problem(
                format!(
                    "card {}: stored state {} differs from its review log's last state {}",
                    card.key,
                    describe(stored),
                    describe(&expected)
                ),
                "run `mastery doctor --repair` to set it to its log's last state",
            ));
            d.rebuilt.push(card.id);
        }
        Err(why) => {
            d.problems.push(problem(
                format!("card {}: {why}", card.key),
                "run `mastery doctor --repair` to set it to its log's last state",
            ));
            d.rebuilt.push(card.id);
        }
    }
}

fn describe_result(s: &std::result::Result<CardState, String>) -> String {
    match s {
        Ok(s) => describe(s),
        Err(why) => why.clone(),
    }
}

pub fn diagnose(store: &Store, source: &Source) -> Result<Diagnosis> {
    let mut d = Diagnosis::default();
    let missing = store.missing_objects()?;
    for (kind, name) in &missing {
        d.problems.push(problem(
            format!("the {kind} '{name}' is missing"),
            if kind == "table" || kind == "view" {
                "run `mastery doctor --repair` to recreate it empty, or restore a backup (mastery.db.bak-*) to get its rows back"
            } else {
                "run `mastery doctor --repair` to recreate it"
            },
        ));
    }
    let version = store.user_version()?;
    if version < 0 {
        d.problems.push(problem(
            format!("the schema version is {version}, which mastery never writes"),
            "run `mastery doctor --repair` to set it to this build's version",
        ));
    }
    let shared = store.shared_deck_paths()?;
    for (path, keys) in &shared {
        d.problems.push(problem(
            format!("decks {keys} are all active for one file, {path}"),
            "run `mastery doctor --repair` to retire all but the newest (their history is kept)",
        ));
    }
    d.schema = !missing.is_empty() || version < 0 || !shared.is_empty();
    if missing
        .iter()
        .any(|(kind, _)| kind == "table" || kind == "view")
    {
        // Every check below reads every table (and the live_review view).
        return Ok(d);
    }
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
    store.each_card_log(|card| {
        check_chain(&card, &mut d);
        Ok(())
    })?;
    // Due days come from the active scheduler's replay of the log.
    let mismatches = store.due_mismatches()?;
    const SHOWN: usize = 5;
    for line in mismatches.iter().take(SHOWN) {
        d.problems.push(problem(
            line.clone(),
            "run `mastery doctor --repair` to replay due days with the active scheduler",
        ));
    }
    if mismatches.len() > SHOWN {
        d.problems.push(problem(
            format!("{} more cards like these", mismatches.len() - SHOWN),
            "run `mastery doctor --repair` to replay due days with the active scheduler",
        ));
    }
    d.redue = !mismatches.is_empty();
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
    let day = |d: Option<i64>| d.map_or_else(|| "—".to_string(), crate::clock::format_day);
    format!(
        "(n {}, ease {}, interval {}, due {}, lapses {}, last grade {}, last day {})",
        s.reps,
        s.ease,
        s.interval,
        day(s.due),
        s.lapses,
        s.last_grade
            .map_or_else(|| "—".to_string(), |g| g.to_string()),
        day(s.last_day)
    )
}

/// Rebuilds the mismatched card states after backing the database up.
pub fn repair(store: &mut Store, d: &Diagnosis) -> Result<Option<std::path::PathBuf>> {
    if d.rebuilt.is_empty() && d.recount.is_empty() && !d.schema && !d.redue {
        return Ok(None);
    }
    let backup = store.backup_before_repair()?;
    if d.schema {
        store.repair_schema()?;
    }
    store.recount_lapses(&d.recount)?;
    let mut rebuilt = d.rebuilt.clone();
    rebuilt.extend(&d.recount);
    store.repair_states(&rebuilt)?;
    if d.redue {
        store.rebuild_due()?;
    }
    Ok(Some(backup))
}
