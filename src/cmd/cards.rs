use serde::Serialize;

use super::{json, out};
use crate::app::App;
use crate::clock::format_day;
use crate::error::{Error, Result};
use crate::store::{CardFilter, CardRow, Suspension};

/// A card's marks, as `cards` and `show` print them in JSON.
#[derive(Serialize)]
struct MarksJson {
    flagged: bool,
    suspended: Suspension,
    buried_until: Option<String>,
    leech: bool,
}

fn marks_json(c: &CardRow) -> MarksJson {
    MarksJson {
        flagged: c.marks.flagged,
        suspended: c.marks.suspended,
        // Buried on a day: back the day after.
        buried_until: c.marks.buried.map(|d| format_day(d + 1)),
        leech: c.marks.leech,
    }
}

/// The marks as words, for text output.
fn marks_text(c: &CardRow) -> String {
    let mut out = Vec::new();
    if c.marks.flagged {
        out.push("flagged");
    }
    match c.marks.suspended {
        Suspension::None => {}
        Suspension::Learner => out.push("suspended"),
        Suspension::Leech => out.push("suspended (leech)"),
    }
    if c.marks.leech && c.marks.suspended != Suspension::Leech {
        out.push("leech");
    }
    if c.marks.buried.is_some() {
        out.push("buried");
    }
    out.join(", ")
}

#[derive(Serialize)]
struct CardJson<'a> {
    id: &'a str,
    deck: &'a str,
    module: Option<u8>,
    topic: &'a str,
    kind: &'a str,
    front: &'a str,
    source: String,
    /// Where the fact comes from: its note's `Source:` line.
    cites: Option<&'a str>,
    #[serde(flatten)]
    marks: MarksJson,
}

pub fn list(app: &App, filter: CardFilter, as_json: bool) -> Result<()> {
    let (store, _) = app.open()?;
    let cards = store.cards(&filter)?;
    if as_json {
        let rows: Vec<CardJson<'_>> = cards
            .iter()
            .map(|c| CardJson {
                id: &c.key,
                deck: &c.deck_key,
                module: c.module,
                topic: &c.topic,
                kind: &c.generator,
                front: &c.front,
                source: c.source(),
                cites: c.cites.as_deref(),
                marks: marks_json(c),
            })
            .collect();
        return json(&rows);
    }
    let mut text = String::new();
    for c in &cards {
        let marks = marks_text(c);
        text.push_str(&format!(
            "{}\t{}\t{}\t{}{}\n",
            c.key,
            c.deck_key,
            c.topic,
            c.source(),
            if marks.is_empty() {
                String::new()
            } else {
                format!("\t{marks}")
            }
        ));
    }
    out(&text)
}

/// What `suspend`, `unsuspend` and `bury` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Suspend,
    Unsuspend,
    Bury,
}

/// Marks cards, or every card of a note, by id; all ids are checked
/// before anything is written.
pub fn mark(app: &App, ids: &[String], mark: Mark) -> Result<()> {
    let (mut store, _) = app.open()?;
    let mut cards = Vec::new();
    for id in ids {
        let found = store.cards_of_id(id)?;
        if found.is_empty() {
            return Err(Error::UnknownCard(id.clone()));
        }
        cards.extend(found);
    }
    cards.sort_unstable();
    cards.dedup();
    let today = app.clock.today();
    let (changed, verb) = match mark {
        Mark::Suspend => (store.set_suspended(&cards, true)?, "suspended"),
        Mark::Unsuspend => (store.set_suspended(&cards, false)?, "let back in"),
        Mark::Bury => (
            store.bury(&cards, today)?,
            "buried until the next study day",
        ),
    };
    out(&format!(
        "{verb}: {changed} of {} card(s); {} unchanged\n",
        cards.len(),
        cards.len() - changed
    ))
}

#[derive(Serialize)]
struct ShowJson<'a> {
    id: &'a str,
    deck: &'a str,
    topic: &'a str,
    front: &'a str,
    back: &'a str,
    source: String,
    /// Where the fact comes from: the note's `Source:` line.
    cites: Option<&'a str>,
    repetitions: u32,
    ease: f64,
    /// SM-2's interval (kept under FSRS too).
    interval_days: u32,
    /// The due day the active scheduler set.
    due: Option<String>,
    /// "sm2" or "fsrs".
    scheduler: &'static str,
    /// FSRS's memory and today's chance of recall, under FSRS.
    stability: Option<f32>,
    difficulty: Option<f32>,
    retrievability: Option<f32>,
    lapses: u32,
    retired: bool,
    #[serde(flatten)]
    marks: MarksJson,
    reviews: Vec<ReviewJson>,
}

#[derive(Serialize)]
struct ReviewJson {
    at: String,
    grade: u8,
    kind: String,
}

pub fn show(app: &App, key: &str, as_json: bool) -> Result<()> {
    let (store, _) = app.open()?;
    let card = store
        .card_by_key(key)?
        .ok_or_else(|| Error::UnknownCard(key.to_string()))?;
    let reviews = store.card_reviews(card.id)?;
    let s = &card.state;
    if as_json {
        return json(&ShowJson {
            id: &card.key,
            deck: &card.deck_key,
            topic: &card.topic,
            front: &card.front,
            back: &card.back,
            source: card.source(),
            cites: card.cites.as_deref(),
            repetitions: s.reps,
            ease: f64::from(s.ease) / 100.0,
            interval_days: s.interval,
            due: card.due.map(format_day),
            scheduler: store.scheduler().name(),
            stability: card.memory.map(|m| m.stability),
            difficulty: card.memory.map(|m| m.difficulty),
            retrievability: match (store.scheduler(), card.fsrs()) {
                (crate::fsrs::Scheduler::Fsrs(m), Some(f)) => {
                    Some(m.recall(f.memory, (app.clock.today() - f.last_day) as f32))
                }
                _ => None,
            },
            lapses: s.lapses,
            retired: card.retired,
            marks: marks_json(&card),
            reviews: reviews
                .into_iter()
                .map(|r| ReviewJson {
                    at: r.at,
                    grade: r.grade,
                    kind: r.kind,
                })
                .collect(),
        });
    }
    let cites = card
        .cites
        .as_deref()
        .map_or_else(String::new, |c| format!("\nSource: {c}\n"));
    let marks = marks_text(&card);
    let mut text = format!(
        "{}  ({} › {}, {})\n\n{}\n―――\n{}\n{cites}\n{}{}{}\n",
        card.key,
        card.deck_title,
        card.topic,
        card.source(),
        card.front,
        card.back,
        crate::review::screen::state_line(&card, store.scheduler(), app.clock.today()),
        if card.retired { " · retired" } else { "" },
        if marks.is_empty() {
            String::new()
        } else {
            format!(" · {marks}")
        }
    );
    for r in &reviews {
        text.push_str(&format!("  {}  grade {}  {}\n", r.at, r.grade, r.kind));
    }
    out(&text)
}
