//! The scope flags (`--module`, `--deck`, `--topic`, `--category`,
//! `--card`, …) as shorthands for query terms: one path narrows every
//! command, whether the learner typed `deck:x` or `--deck x`.

use crate::cli::CardsArgs;
use crate::error::Result;
use crate::search::{Pattern, Query, State, Term};
use crate::store::Store;

/// Values of one flag combine with "or", different flags with "and".
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    pub modules: Vec<u8>,
    pub decks: Vec<String>,
    pub topics: Vec<String>,
    pub categories: Vec<String>,
    pub cards: Vec<String>,
    /// Text in the front or back (`cards --search`).
    pub text: Option<String>,
    pub states: Vec<State>,
}

impl Scope {
    pub fn of_cards(args: &CardsArgs) -> Scope {
        let states = [
            (args.flagged, State::Flagged),
            (args.suspended, State::Suspended),
            (args.leech, State::Leech),
        ]
        .into_iter()
        .filter_map(|(on, s)| on.then_some(s))
        .collect();
        Scope {
            decks: args.deck.iter().cloned().collect(),
            topics: args.topic.iter().cloned().collect(),
            text: args.search.clone(),
            states,
            ..Scope::default()
        }
    }
}

/// ANDs the scope's flags to `query`. A deck id that names no deck is
/// refused, as it always was, rather than listing nothing.
pub(crate) fn narrow(store: &Store, query: &mut Query, scope: &Scope) -> Result<()> {
    if !scope.decks.is_empty() {
        super::known_decks(&store.decks()?, &scope.decks)?;
    }
    query.and_any(scope.modules.iter().map(|m| Term::Module(*m)).collect());
    query.and_any(
        scope
            .decks
            .iter()
            .map(|d| Term::Deck(Pattern::literal(d)))
            .collect(),
    );
    query.and_any(
        scope
            .topics
            .iter()
            .map(|t| Term::Topic(Pattern::literal(t)))
            .collect(),
    );
    query.and_any(
        scope
            .categories
            .iter()
            .map(|c| Term::Category(Pattern::literal(c)))
            .collect(),
    );
    query.and_any(if scope.cards.is_empty() {
        Vec::new()
    } else {
        vec![Term::Id(scope.cards.clone())]
    });
    if let Some(text) = &scope.text {
        query.and(Term::Text(Pattern::literal(text)));
    }
    for s in &scope.states {
        query.and(Term::Is(*s));
    }
    Ok(())
}
