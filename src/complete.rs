//! Dynamic shell completion of ids: card, note and deck ids read from the
//! learner's database while the shell completes (`MASTERY_COMPLETE=bash mastery`,
//! clap's completion protocol). Completion must never fail loudly or
//! change anything: the database is opened read-only, and any error gives
//! no candidates.

use std::ffi::OsStr;

use clap_complete::engine::CompletionCandidate;

use crate::store::CompletionKeys;

/// The database a completion reads: `MASTERY_DB`, or the default. A
/// `--db` typed on the same line isn't seen here (clap hands a completer
/// only the word being completed).
fn database() -> Option<std::path::PathBuf> {
    match std::env::var_os("MASTERY_DB") {
        Some(p) if !p.is_empty() => Some(p.into()),
        _ => crate::app::default_db().ok(),
    }
}

fn candidates(kind: CompletionKeys, current: &OsStr) -> Vec<CompletionCandidate> {
    let (Some(db), Some(prefix)) = (database(), current.to_str()) else {
        return Vec::new();
    };
    crate::store::completion_keys(&db, kind, prefix)
        .into_iter()
        .map(CompletionCandidate::new)
        .collect()
}

/// Card and note ids (`show`, `suspend`, `reset`, `quiz --card`).
pub fn card_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(CompletionKeys::Cards, current)
}

/// Deck ids (`--deck`).
pub fn deck_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    candidates(CompletionKeys::Decks, current)
}

/// What `read` takes: card, note and deck ids.
pub fn read_targets(current: &OsStr) -> Vec<CompletionCandidate> {
    let mut out = card_ids(current);
    out.extend(deck_ids(current));
    out
}
