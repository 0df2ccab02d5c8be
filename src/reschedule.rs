//! `mastery reschedule --all`: replaying every card's log with today's
//! rules. It is never done behind the learner's back: `doctor` checks the
//! log as written, and this is the one explicit act that rewrites it, after
//! showing what would move and writing a backup.

use crate::error::Result;
use crate::scheduler::{Grade, ReviewKind, replay};
use crate::store::{CardLog, Replayed, Store};

/// The cards whose log or state today's rules would change.
#[derive(Debug, Default)]
pub struct Plan {
    pub cards: Vec<Replayed>,
    /// Of those, the cards whose due day would move.
    pub moved: usize,
}

pub fn plan(store: &Store) -> Result<Plan> {
    let mut plan = Plan::default();
    store.each_card_log(|card| {
        if let Some((replayed, moved)) = replay_card(&card) {
            plan.moved += usize::from(moved);
            plan.cards.push(replayed);
        }
        Ok(())
    })?;
    Ok(plan)
}

/// A card's log replayed, if anything differs from what is stored; and
/// whether its due day moves. A row whose grade or kind can't be read is
/// left to `doctor` and the card is skipped.
fn replay_card(card: &CardLog) -> Option<(Replayed, bool)> {
    let reviews: Option<Vec<(Grade, i64, ReviewKind)>> = card
        .rows
        .iter()
        .map(|r| {
            let kind = match r.kind.as_str() {
                "new" => ReviewKind::New,
                "review" => ReviewKind::Review,
                "drill" => ReviewKind::Drill,
                _ => return None,
            };
            Some((Grade::new(i64::from(r.grade))?, r.day, kind))
        })
        .collect();
    let states = replay(reviews?);
    let state = states.last().map(|s| s.1).unwrap_or_default();
    let same_rows = card
        .rows
        .iter()
        .zip(&states)
        .all(|(row, (b, a))| row.before.as_ref() == Ok(b) && row.after.as_ref() == Ok(a));
    let stored = card.state.as_ref().ok();
    if same_rows && stored == Some(&state) {
        return None;
    }
    let moved = stored.map(|s| s.due) != Some(state.due);
    let rows = card
        .rows
        .iter()
        .zip(states)
        .map(|(row, (b, a))| (row.id, b, a))
        .collect();
    Some((
        Replayed {
            card_id: card.id,
            rows,
            state,
        },
        moved,
    ))
}
