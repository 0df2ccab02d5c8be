use serde::Serialize;

use super::{json, out};
use crate::app::App;
use crate::clock::format_day;
use crate::error::{Error, Result};
use crate::store::CardFilter;

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
}

pub fn list(
    app: &App,
    deck: Option<String>,
    topic: Option<String>,
    search: Option<String>,
    as_json: bool,
) -> Result<()> {
    let (store, _) = app.open()?;
    let cards = store.cards(&CardFilter {
        deck,
        topic,
        search,
    })?;
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
            })
            .collect();
        return json(&rows);
    }
    let mut text = String::new();
    for c in &cards {
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            c.key,
            c.deck_key,
            c.topic,
            c.source()
        ));
    }
    out(&text)
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
    interval_days: u32,
    due: Option<String>,
    lapses: u32,
    retired: bool,
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
            due: s.due.map(format_day),
            lapses: s.lapses,
            retired: card.retired,
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
    let mut text = format!(
        "{}  ({} › {}, {})\n\n{}\n―――\n{}\n{cites}\nrepetitions {} · ease {}.{:02} · interval {} d · due {} · lapses {}{}\n",
        card.key,
        card.deck_title,
        card.topic,
        card.source(),
        card.front,
        card.back,
        s.reps,
        s.ease / 100,
        s.ease % 100,
        s.interval,
        s.due
            .map_or_else(|| "never reviewed".to_string(), format_day),
        s.lapses,
        if card.retired { " · retired" } else { "" }
    );
    for r in &reviews {
        text.push_str(&format!("  {}  grade {}  {}\n", r.at, r.grade, r.kind));
    }
    out(&text)
}
