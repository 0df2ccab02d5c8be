//! Weak areas: score every card from its history, aggregate to topics and
//! modules, and list what to re-study with links back to the source.

pub mod render;
pub mod score;
pub mod update;

use std::collections::HashMap;

use crate::clock::Day;
use crate::error::Result;
use crate::store::{CardRow, LastQuiz, Store};
use score::Signals;

#[derive(Debug, Clone)]
pub struct WeakOptions {
    pub module: Option<u8>,
    pub deck: Option<String>,
    /// Topics listed at most.
    pub limit: usize,
    /// Lapses that make a card a leech.
    pub leech_lapses: u32,
}

#[derive(Debug, Clone)]
pub struct WeakCard {
    pub card: CardRow,
    pub signals: Signals,
    pub score: f64,
    pub leech: bool,
}

#[derive(Debug, Clone)]
pub struct Topic {
    pub deck: String,
    pub topic: String,
    /// Where the topic starts: its first note.
    pub source: String,
    pub cards: usize,
    pub lapses: u32,
    pub score: f64,
    pub last_quiz: Option<LastQuiz>,
    /// Weak cards, weakest first.
    pub weak: Vec<WeakCard>,
}

#[derive(Debug, Clone)]
pub struct Group {
    /// "Module 4" or a deck title.
    pub name: String,
    pub title: String,
    pub topics: Vec<Topic>,
}

#[derive(Debug, Clone, Default)]
pub struct WeakReport {
    pub groups: Vec<Group>,
}

impl WeakReport {
    pub fn cards(&self) -> impl Iterator<Item = &WeakCard> {
        self.groups
            .iter()
            .flat_map(|g| &g.topics)
            .flat_map(|t| &t.weak)
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// Curriculum position of a card's group: modules in order, then the other
/// decks by id.
fn group_key(card: &CardRow) -> (bool, u8, String) {
    match card.module {
        Some(m) => (false, m, String::new()),
        None => (true, 0, card.deck_key.clone()),
    }
}

pub fn analyse(store: &Store, today: Day, opts: &WeakOptions) -> Result<WeakReport> {
    let events = store.weak_events(today - score::QUIZ_WINDOW_DAYS + 1)?;
    let quizzes = store.last_quiz_by_topic()?;
    let cards = store.card_states(opts.deck.as_deref())?;
    let mut topics: Vec<Topic> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut keys: Vec<(bool, u8, String)> = Vec::new();
    for card in cards
        .into_iter()
        .filter(|c| opts.module.is_none_or(|m| c.module == Some(m)))
    {
        let id = (card.deck_key.clone(), card.topic.clone());
        let slot = *index.entry(id.clone()).or_insert_with(|| {
            topics.push(Topic {
                deck: card.deck_key.clone(),
                topic: card.topic.clone(),
                source: card.source(),
                cards: 0,
                lapses: 0,
                score: 0.0,
                last_quiz: quizzes.get(&id).copied(),
                weak: Vec::new(),
            });
            keys.push(group_key(&card));
            topics.len() - 1
        });
        let (signals, value) = score::score(
            &card.state,
            &events.get(&card.id).cloned().unwrap_or_default(),
            today,
        );
        let topic = &mut topics[slot];
        topic.cards += 1;
        topic.lapses += signals.lapses;
        topic.score += value;
        let leech = signals.lapses >= opts.leech_lapses;
        if score::is_weak(value) || leech {
            topic.weak.push(WeakCard {
                card,
                signals,
                score: value,
                leech,
            });
        }
    }
    let mut listed: Vec<usize> = (0..topics.len())
        .filter(|&i| {
            let t = &topics[i];
            score::topic_is_weak(t.weak.len(), t.cards, t.score) || t.weak.iter().any(|w| w.leech)
        })
        .collect();
    listed.sort_by(|&a, &b| topics[b].score.total_cmp(&topics[a].score));
    listed.truncate(opts.limit);
    listed.sort_by(|&a, &b| {
        keys[a]
            .cmp(&keys[b])
            .then(topics[b].score.total_cmp(&topics[a].score))
    });
    let mut report = WeakReport::default();
    for i in listed {
        let mut topic = topics[i].clone();
        topic.weak.sort_by(|a, b| b.score.total_cmp(&a.score));
        // Leeches are named by their question; only they need their text.
        for w in topic.weak.iter_mut().filter(|w| w.leech) {
            if let Some(full) = store.card_by_id(w.card.id)? {
                w.card = full;
            }
        }
        let first = &topic.weak.first().map(|w| w.card.clone());
        let (name, title) = match (&keys[i], first) {
            ((false, m, _), Some(c)) => (format!("Module {m}"), c.deck_title.clone()),
            (_, Some(c)) => (c.deck_title.clone(), c.deck_title.clone()),
            ((false, m, _), None) => (format!("Module {m}"), topic.deck.clone()),
            (_, None) => (topic.deck.clone(), topic.deck.clone()),
        };
        match report.groups.last_mut() {
            Some(g) if g.name == name => g.topics.push(topic),
            _ => report.groups.push(Group {
                name,
                title,
                topics: vec![topic],
            }),
        }
    }
    Ok(report)
}
