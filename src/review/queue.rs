//! Today's queue: cards to relearn from an earlier session of the day,
//! due cards most overdue first, then new cards in curriculum order, gated
//! by prerequisites and the daily new-card limit. Suspended cards and
//! cards buried today are in none of them.

use std::collections::{HashMap, HashSet};

use crate::clock::Day;
use crate::error::Result;
use crate::store::{DeckInfo, Store};

#[derive(Debug, Clone)]
pub struct ReviewOptions {
    /// New cards allowed per study day.
    pub new_per_day: u32,
    /// Cap on the session's cards (relearning and due first).
    pub limit: Option<usize>,
    /// Only these decks (row ids); `None` is every deck.
    pub decks: Option<Vec<i64>>,
    /// Introduce new cards even when prerequisites are unseen.
    pub ignore_prerequisites: bool,
    /// Percent of a prerequisite deck's cards that must have been seen
    /// before the decks that require it start.
    pub prerequisite_share: u32,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        ReviewOptions {
            new_per_day: 10,
            limit: None,
            decks: None,
            ignore_prerequisites: false,
            prerequisite_share: 90,
        }
    }
}

/// Card ids; each card is loaded when it is shown.
#[derive(Debug, Default)]
pub struct Queue {
    /// Failed earlier today and not passed since: first, as re-drills.
    pub relearn: Vec<i64>,
    pub due: Vec<i64>,
    pub new: Vec<i64>,
    /// What the screen calls the `due` cards when they were picked for
    /// another reason ("weak"); `None` for today's due cards.
    pub picked: Option<&'static str>,
}

pub fn build_queue(store: &Store, today: Day, opts: &ReviewOptions) -> Result<Queue> {
    let cap = opts.limit.unwrap_or(usize::MAX / 2);
    let mut relearn = store.relearn_cards(today, opts.decks.as_deref())?;
    relearn.truncate(cap);
    let due = store.due_cards(today, opts.decks.as_deref(), cap - relearn.len())?;
    let room = cap.saturating_sub(relearn.len() + due.len());
    let new = new_cards(store, today, opts, room)?;
    Ok(Queue {
        relearn,
        due,
        new,
        picked: None,
    })
}

/// The new cards allowed today, at most `room`: the daily limit counts
/// across sessions, a deck waits for its prerequisites, and, as Anki buries
/// siblings, no new card of a note that was studied or is due today, so
/// that a term's definition card does not answer its naming card minutes
/// later.
pub fn new_cards(store: &Store, today: Day, opts: &ReviewOptions, room: usize) -> Result<Vec<i64>> {
    let seen_today = store.new_seen_on(today)?;
    let quota = ((i64::from(opts.new_per_day) - seen_today).max(0) as usize).min(room);
    let mut new = Vec::new();
    if quota == 0 {
        return Ok(new);
    }
    let decks = store.decks()?;
    let unseen = store.decks_with_unseen()?;
    if unseen.is_empty() {
        return Ok(new);
    }
    let gate = Gate::load(store, &decks, &unseen, opts.prerequisite_share)?;
    let mut notes = store.notes_busy_on(today)?;
    for deck in decks
        .iter()
        .filter(|d| in_scope(d, opts) && unseen.contains(&d.id))
    {
        if new.len() >= quota {
            break;
        }
        if !opts.ignore_prerequisites && gate.waits(deck).is_some() {
            continue;
        }
        for (card, note) in store.new_cards(deck.id, today)? {
            if new.len() >= quota {
                break;
            }
            if notes.insert(note) {
                new.push(card);
            }
        }
    }
    Ok(new)
}

fn in_scope(deck: &DeckInfo, opts: &ReviewOptions) -> bool {
    opts.decks.as_ref().is_none_or(|ids| ids.contains(&deck.id))
}

/// Why a deck's new cards wait: the first prerequisite below the share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    pub deck: String,
    pub requires: String,
    /// Percent of the prerequisite's cards seen, rounded down.
    pub seen: u32,
    pub needs: u32,
}

impl std::fmt::Display for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "waiting for {}: {} % seen, needs {} %",
            self.requires, self.seen, self.needs
        )
    }
}

/// Every deck whose new cards wait, and why, in curriculum order.
pub fn waiting(store: &Store, share: u32) -> Result<Vec<Wait>> {
    let decks = store.decks()?;
    let unseen = store.decks_with_unseen()?;
    let gate = Gate::load(store, &decks, &unseen, share)?;
    Ok(decks
        .iter()
        .filter(|d| unseen.contains(&d.id))
        .filter_map(|d| gate.waits(d))
        .collect())
}

/// The prerequisite rule over one snapshot of the decks.
struct Gate<'a> {
    decks: &'a [DeckInfo],
    /// (seen, total) of each deck that still has never-seen cards; a deck
    /// not here has been seen whole.
    seen: HashMap<i64, (i64, i64)>,
    share: u32,
}

impl<'a> Gate<'a> {
    fn load(
        store: &Store,
        decks: &'a [DeckInfo],
        unseen: &HashSet<i64>,
        share: u32,
    ) -> Result<Gate<'a>> {
        // Only decks some other deck requires need counting.
        let required: HashSet<&str> = decks
            .iter()
            .flat_map(|d| d.requires.iter().map(String::as_str))
            .collect();
        let ids: Vec<i64> = decks
            .iter()
            .filter(|d| unseen.contains(&d.id) && required.contains(d.key.as_str()))
            .map(|d| d.id)
            .collect();
        let seen = if ids.is_empty() {
            HashMap::new()
        } else {
            store.seen_counts(&ids)?
        };
        Ok(Gate { decks, seen, share })
    }

    /// The first prerequisite of `deck` seen below the share. A deck on a
    /// `requires` cycle (which `compile` and `check` refuse, but another
    /// command may meet before it is fixed) waits for nothing, or its cards
    /// would never come.
    fn waits(&self, deck: &DeckInfo) -> Option<Wait> {
        if on_cycle(deck, self.decks) {
            return None;
        }
        deck.requires.iter().find_map(|req| {
            let d = self.decks.iter().find(|d| &d.key == req)?;
            let &(seen, total) = self.seen.get(&d.id)?;
            let met = total == 0 || seen * 100 >= i64::from(self.share) * total;
            (!met).then(|| Wait {
                deck: deck.key.clone(),
                requires: d.key.clone(),
                seen: (seen * 100 / total.max(1)) as u32,
                needs: self.share,
            })
        })
    }
}

/// Whether following `requires` from `deck` leads back to it.
fn on_cycle(deck: &DeckInfo, all: &[DeckInfo]) -> bool {
    let mut stack: Vec<&str> = deck.requires.iter().map(String::as_str).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    while let Some(key) = stack.pop() {
        if key == deck.key {
            return true;
        }
        if seen.insert(key)
            && let Some(d) = all.iter().find(|d| d.key == key)
        {
            stack.extend(d.requires.iter().map(String::as_str));
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn deck(id: i64, key: &str, requires: &[&str]) -> DeckInfo {
        DeckInfo {
            id,
            key: key.into(),
            title: key.into(),
            module: None,
            category: None,
            requires: requires.iter().map(|s| s.to_string()).collect(),
            path: format!("{key}.md"),
        }
    }

    /// (prerequisite seen of total, share) → does the next deck wait?
    #[rstest]
    #[case::nothing_seen(0, 10, 90, true)]
    #[case::one_short(8, 10, 90, true)]
    #[case::at_the_share(9, 10, 90, false)]
    #[case::all_but_one_of_many(99, 100, 90, false)]
    #[case::eighty_eight_percent(88, 100, 90, true)]
    #[case::share_zero(0, 10, 0, false)]
    #[case::share_hundred(99, 100, 100, true)]
    fn a_prerequisite_is_met_at_its_share(
        #[case] seen: i64,
        #[case] total: i64,
        #[case] share: u32,
        #[case] waits: bool,
    ) {
        let decks = vec![
            deck(1, "01-internals", &[]),
            deck(2, "02-custom", &["01-internals"]),
        ];
        let gate = Gate {
            decks: &decks,
            seen: HashMap::from([(1, (seen, total))]),
            share,
        };
        assert_eq!(gate.waits(&decks[1]).is_some(), waits);
    }

    #[test]
    fn the_wait_says_how_far_the_prerequisite_is() {
        let decks = vec![
            deck(1, "01-internals", &[]),
            deck(2, "02-custom", &["01-internals"]),
        ];
        let gate = Gate {
            decks: &decks,
            seen: HashMap::from([(1, (88, 100))]),
            share: 90,
        };
        assert_eq!(
            gate.waits(&decks[1]).unwrap().to_string(),
            "waiting for 01-internals: 88 % seen, needs 90 %"
        );
    }

    #[test]
    fn a_deck_seen_whole_or_on_a_cycle_waits_for_nothing() {
        let decks = vec![
            deck(1, "a", &["b"]),
            deck(2, "b", &["a"]),
            deck(3, "c", &["d"]),
            deck(4, "d", &[]),
        ];
        let gate = Gate {
            decks: &decks,
            seen: HashMap::from([(1, (0, 5)), (2, (0, 5))]),
            share: 90,
        };
        assert_eq!(gate.waits(&decks[0]), None, "on a cycle");
        assert_eq!(gate.waits(&decks[2]), None, "d has no unseen cards");
    }
}
