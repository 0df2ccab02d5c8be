//! Weak areas: score every card from its history, aggregate to topics and
//! modules, and list what to re-study with links back to the source.

pub mod render;
pub mod score;
pub mod update;

use std::collections::HashMap;

use crate::clock::Day;
use crate::error::Result;
use crate::read::Links;
use crate::store::{CardEvents, CardRow, DeckInfo, LastQuiz, Store};
use score::Signals;

#[derive(Debug, Clone)]
pub struct WeakOptions {
    pub module: Option<u8>,
    pub deck: Option<String>,
    /// Topics listed at most.
    pub limit: usize,
    /// Lapses that make a card a leech.
    pub leech_lapses: u32,
    /// How items point back at their notes.
    pub links: Links,
    /// Only these cards (a search query's matches), when given.
    pub cards: Option<std::collections::HashSet<i64>>,
}

#[derive(Debug, Clone)]
pub struct WeakCard {
    pub card: CardRow,
    pub signals: Signals,
    pub score: f64,
    pub leech: bool,
    /// Where its note is: `file:line` or a `mastery read` command.
    pub place: String,
}

#[derive(Debug, Clone)]
pub struct Topic {
    pub deck: String,
    pub topic: String,
    /// Where the topic starts (its first note's `file:line`), or the
    /// `mastery read` command for the topic.
    pub source: String,
    /// The ids of the topic's notes in source order: what identifies the
    /// topic in an exported list, whatever its heading is called.
    pub notes: Vec<String>,
    pub cards: usize,
    pub lapses: u32,
    /// The sum of its weak cards' scores.
    pub score: f64,
    pub last_quiz: Option<LastQuiz>,
    /// Weak cards, weakest first, leeches left out (they are listed first,
    /// on their own).
    pub weak: Vec<WeakCard>,
    /// Its leeches.
    pub leeches: usize,
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
    /// Every leech in scope, most lapses first: listed before everything,
    /// because another review won't fix them.
    pub leeches: Vec<WeakCard>,
    pub groups: Vec<Group>,
    /// Every deck title, weak or not: the group headings an earlier list
    /// may hold.
    pub titles: Vec<String>,
    /// Weak topics left out by the limit.
    pub unlisted: usize,
}

impl WeakReport {
    /// Every weak card listed: leeches first, then by module and topic.
    pub fn cards(&self) -> impl Iterator<Item = &WeakCard> {
        self.leeches.iter().chain(
            self.groups
                .iter()
                .flat_map(|g| &g.topics)
                .flat_map(|t| &t.weak),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.leeches.is_empty()
    }
}

/// Curriculum position of a deck's group: modules in order, then the
/// other decks by id.
fn group_key(deck: &DeckInfo) -> (bool, u8, String) {
    match deck.module {
        Some(m) => (false, m, String::new()),
        None => (true, 0, deck.key.clone()),
    }
}

/// A weak card before its text is loaded.
struct Candidate {
    id: i64,
    signals: Signals,
    score: f64,
    leech: bool,
}

pub fn analyse(store: &Store, today: Day, opts: &WeakOptions) -> Result<WeakReport> {
    let events = store.weak_events(today - score::QUIZ_WINDOW_DAYS + 1)?;
    let quizzes = store.last_quiz_by_topic()?;
    let decks: HashMap<i64, DeckInfo> = store.decks()?.into_iter().map(|d| (d.id, d)).collect();
    let notes = store.note_places()?;
    let deck_filter = opts
        .deck
        .as_ref()
        .map(|key| decks.values().find(|d| &d.key == key).map(|d| d.id));
    let mut topics: Vec<Topic> = Vec::new();
    // Borrowed from `decks` and `notes`: nothing is allocated per card.
    let mut firsts: Vec<(&str, i64)> = Vec::new();
    let mut note_ids: Vec<Vec<i64>> = Vec::new();
    let mut deck_paths: Vec<&str> = Vec::new();
    let mut titles: Vec<String> = Vec::new();
    let mut candidates: Vec<Vec<Candidate>> = Vec::new();
    let mut keys: Vec<(bool, u8, String)> = Vec::new();
    let mut index: HashMap<(i64, &str), usize> = HashMap::new();
    let no_events = CardEvents::default();
    // Scheduling state only: text is loaded for the few cards listed.
    for row in store.scoring_rows()? {
        let (Some(deck), Some(note)) = (decks.get(&row.deck_id), notes.get(&row.note_id)) else {
            continue;
        };
        if deck_filter.is_some_and(|d| d != Some(row.deck_id))
            || opts.module.is_some_and(|m| deck.module != Some(m))
            || opts.cards.as_ref().is_some_and(|c| !c.contains(&row.id))
        {
            continue;
        }
        let place = (note.path.as_deref().unwrap_or(&deck.path), note.line);
        let slot = *index
            .entry((row.deck_id, note.topic.as_str()))
            .or_insert_with(|| {
                topics.push(Topic {
                    deck: deck.key.clone(),
                    topic: note.topic.clone(),
                    source: String::new(),
                    notes: Vec::new(),
                    cards: 0,
                    lapses: 0,
                    score: 0.0,
                    last_quiz: quizzes
                        .get(&(deck.key.clone(), note.topic.clone()))
                        .copied(),
                    weak: Vec::new(),
                    leeches: 0,
                });
                firsts.push(place);
                note_ids.push(Vec::new());
                deck_paths.push(&deck.path);
                titles.push(deck.title.clone());
                candidates.push(Vec::new());
                keys.push(group_key(deck));
                topics.len() - 1
            });
        note_ids[slot].push(row.note_id);
        if place < firsts[slot] {
            firsts[slot] = place;
        }
        // Overdue counts from the due day the active scheduler set.
        let state = crate::scheduler::CardState {
            due: row.due,
            ..row.state
        };
        let (signals, value) =
            score::score(&state, events.get(&row.id).unwrap_or(&no_events), today);
        let topic = &mut topics[slot];
        topic.cards += 1;
        topic.lapses += signals.lapses;
        let leech = signals.lapses >= opts.leech_lapses;
        if score::is_weak(value) || leech {
            candidates[slot].push(Candidate {
                id: row.id,
                signals,
                score: value,
                leech,
            });
        }
    }
    // A card recalled since its failures is not weak, whatever it scored.
    let ids: Vec<i64> = candidates.iter().flatten().map(|c| c.id).collect();
    let recent = store.recent_evidence(&ids, score::RECOVERY_GRADES, score::RECOVERY_ANSWERS)?;
    for (slot, found) in candidates.iter_mut().enumerate() {
        found.retain_mut(|c| {
            c.signals.recovered = recent.get(&c.id).is_some_and(score::recovered);
            !c.signals.recovered
        });
        topics[slot].score = found.iter().map(|c| c.score).sum();
        topics[slot].leeches = found.iter().filter(|c| c.leech).count();
    }
    let weak_topics: Vec<usize> = (0..topics.len())
        .filter(|&i| {
            let found = &candidates[i];
            !found.is_empty() && score::topic_is_weak(found.len(), topics[i].cards, topics[i].score)
        })
        .collect();
    let mut listed = weak_topics.clone();
    listed.sort_by(|&a, &b| topics[b].score.total_cmp(&topics[a].score));
    listed.truncate(opts.limit);
    let unlisted = weak_topics.len() - listed.len();
    listed.sort_by(|&a, &b| {
        keys[a]
            .cmp(&keys[b])
            .then(topics[b].score.total_cmp(&topics[a].score))
    });
    // Leeches of every topic, listed or not: each needs rewriting.
    let leech_found: Vec<Candidate> = candidates
        .iter_mut()
        .flat_map(|found| found.extract_if(.., |c| c.leech).collect::<Vec<_>>())
        .collect();
    // Text only for what is listed, read in one query.
    let wanted: Vec<i64> = leech_found
        .iter()
        .chain(listed.iter().flat_map(|&i| &candidates[i]))
        .map(|c| c.id)
        .collect();
    let mut texts = store.cards_by_ids(&wanted)?;
    let mut load = |c: Candidate| -> Option<WeakCard> {
        texts.remove(&c.id).map(|card| WeakCard {
            place: opts.links.card(&card),
            card,
            signals: c.signals,
            score: c.score,
            leech: c.leech,
        })
    };
    let mut leeches: Vec<WeakCard> = leech_found.into_iter().filter_map(&mut load).collect();
    leeches.sort_by(|a, b| {
        b.signals
            .lapses
            .cmp(&a.signals.lapses)
            .then(a.card.key.cmp(&b.card.key))
    });
    for &i in &listed {
        topics[i].source = opts.links.topic(
            &topics[i].deck,
            &topics[i].topic,
            &format!("{}:{}", firsts[i].0, firsts[i].1),
        );
        let mut keys: Vec<(&str, i64, &str)> = note_ids[i]
            .iter()
            .filter_map(|id| notes.get(id))
            .map(|n| {
                (
                    n.path.as_deref().unwrap_or(deck_paths[i]),
                    n.line,
                    n.key.as_str(),
                )
            })
            .collect();
        keys.sort();
        keys.dedup();
        topics[i].notes = keys
            .into_iter()
            .map(|(_, _, key)| key.to_string())
            .collect();
        topics[i].weak = std::mem::take(&mut candidates[i])
            .into_iter()
            .filter_map(&mut load)
            .collect();
    }
    let mut report = WeakReport {
        leeches,
        groups: Vec::new(),
        titles: decks.values().map(|d| d.title.clone()).collect(),
        unlisted,
    };
    for i in listed {
        let mut topic = topics[i].clone();
        topic.weak.sort_by(|a, b| b.score.total_cmp(&a.score));
        let title = titles[i].clone();
        let name = match &keys[i] {
            (false, m, _) => format!("Module {m}"),
            _ => title.clone(),
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
