//! The weak-area list as a Markdown checklist, JSON or CSV.

use std::collections::HashSet;

use serde::Serialize;

use super::score::Signals;
use super::{Topic, WeakCard, WeakReport};

pub const NOTHING_WEAK: &str =
    "Nothing is weak right now: no topic passes the thresholds. Keep reviewing.";

/// Every checklist item ends with a hidden id, so that an update can find
/// the items the learner ticked.
pub fn item_id(line: &str) -> Option<&str> {
    let start = line.rfind("<!-- weak:")?;
    line[start + 10..].strip_suffix("-->").map(str::trim)
}

fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() > 70 {
        format!("{}…", joined.chars().take(69).collect::<String>())
    } else {
        joined
    }
}

fn tick(ticked: &HashSet<String>, id: &str) -> &'static str {
    if ticked.contains(id) { "x" } else { " " }
}

fn topic_numbers(t: &Topic) -> String {
    let mut s = format!(
        "{}/{} weak, {} lapse{}",
        t.weak.len(),
        t.cards,
        t.lapses,
        if t.lapses == 1 { "" } else { "s" }
    );
    if let Some(q) = t.last_quiz {
        s.push_str(&format!(", last quiz {}/{}", q.correct, q.asked));
    }
    s
}

/// The checklist, grouped by module in curriculum order, topics by score.
pub fn markdown(report: &WeakReport, date: &str, ticked: &HashSet<String>) -> String {
    let mut out = format!("# Weak areas ({date})\n\n");
    if report.is_empty() {
        out.push_str(NOTHING_WEAK);
        out.push('\n');
        return out;
    }
    for group in &report.groups {
        out.push_str(&format!("## {}\n\n", group.title));
        for t in &group.topics {
            let id = format!("topic:{}#{}", t.deck, t.topic);
            out.push_str(&format!(
                "- [{}] Re-read {} › {} ({}): {} <!-- weak:{id} -->\n",
                tick(ticked, &id),
                group.name,
                t.topic,
                t.source,
                topic_numbers(t)
            ));
            for w in t.weak.iter().filter(|w| w.leech) {
                let id = format!("leech:{}", w.card.key);
                out.push_str(&format!(
                    "  - [{}] Rewrite the leech '{}' ({}): {} lapses; rewrite or split this card, don't just review it <!-- weak:{id} -->\n",
                    tick(ticked, &id),
                    one_line(&w.card.front),
                    w.card.source(),
                    w.signals.lapses
                ));
            }
            let drill: Vec<&WeakCard> = t.weak.iter().filter(|w| !w.leech).collect();
            if !drill.is_empty() {
                let id = format!("drill:{}#{}", t.deck, t.topic);
                let list: Vec<String> = drill
                    .iter()
                    .map(|w| format!("{} ({})", w.card.key, w.card.source()))
                    .collect();
                out.push_str(&format!(
                    "  - [{}] Drill {} card{}: {} <!-- weak:{id} -->\n",
                    tick(ticked, &id),
                    drill.len(),
                    if drill.len() == 1 { "" } else { "s" },
                    list.join(", ")
                ));
            }
        }
        out.push('\n');
    }
    let cards: Vec<String> = report
        .cards()
        .map(|w| format!("--card {}", w.card.key))
        .collect();
    if !cards.is_empty() {
        out.push_str(&format!(
            "Drill exactly these cards:\n\n    mastery quiz {}\n",
            cards.join(" ")
        ));
    }
    out
}

#[derive(Serialize)]
pub struct Record<'a> {
    pub id: &'a str,
    pub deck: &'a str,
    pub module: Option<u8>,
    pub topic: &'a str,
    pub source: String,
    pub score: f64,
    pub signals: &'a Signals,
    pub leech: bool,
}

pub fn records(report: &WeakReport) -> Vec<Record<'_>> {
    report
        .cards()
        .map(|w| Record {
            id: &w.card.key,
            deck: &w.card.deck_key,
            module: w.card.module,
            topic: &w.card.topic,
            source: w.card.source(),
            score: (w.score * 100.0).round() / 100.0,
            signals: &w.signals,
            leech: w.leech,
        })
        .collect()
}

pub fn csv(report: &WeakReport) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "deck",
        "module",
        "topic",
        "source",
        "score",
        "lapses",
        "low_ease",
        "last_grade_failed",
        "redrill_days",
        "quiz_misses",
        "overdue_days",
        "leech",
    ])?;
    for r in records(report) {
        let s = r.signals;
        w.write_record([
            r.id.to_string(),
            r.deck.to_string(),
            r.module.map_or_else(String::new, |m| m.to_string()),
            r.topic.to_string(),
            r.source,
            format!("{:.2}", r.score),
            s.lapses.to_string(),
            s.low_ease.to_string(),
            s.last_grade_failed.to_string(),
            s.redrill_days.to_string(),
            s.quiz_misses.to_string(),
            s.overdue_days.to_string(),
            r.leech.to_string(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
