//! The readiness report: score, verdict, topics weakest first, every miss
//! with what was answered and its source, how much guessing alone would
//! score, and the command that re-asks the misses; as text or JSON.

use serde::Serialize;

pub use super::readiness::TopicScore;
use super::readiness::{Inputs, judge, order_weakest_first};
use super::{Answered, Format};

#[derive(Debug, Serialize, PartialEq)]
pub struct Miss {
    pub id: String,
    pub topic: String,
    pub front: String,
    pub answer: String,
    pub given: String,
    pub format: Format,
    pub source: String,
    /// The note's `Source:` line, when it has one.
    pub cites: Option<String>,
}

/// How many questions were asked in each format.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Formats {
    pub flip: usize,
    pub choice: usize,
    pub typed: usize,
}

/// What the report says about the quiz besides its answers.
#[derive(Debug, Clone)]
pub struct Meta {
    pub quiz: i64,
    pub seed: u64,
    pub format: String,
    pub threshold: u32,
    pub topic_floor: u32,
    pub planned: usize,
    pub complete: bool,
    pub started_at: String,
    pub ended_at: Option<String>,
    /// How a miss points back at its note.
    pub links: crate::read::Links,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Report {
    pub quiz: i64,
    pub seed: u64,
    pub format: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    /// Every drawn question was answered.
    pub complete: bool,
    pub planned: usize,
    pub asked: usize,
    pub correct: usize,
    /// Percent correct, rounded down.
    pub score: u32,
    pub threshold: u32,
    pub topic_floor: u32,
    pub ready: bool,
    /// `ready`, or `not yet: …` naming the weakest topics.
    pub verdict: String,
    pub weakest: Vec<TopicScore>,
    pub formats: Formats,
    /// Percent a learner who knows nothing would score by guessing the
    /// choice questions (one in four) and missing the rest.
    pub guessing_score: u32,
    /// Near misses the learner counted as right.
    pub overrides: usize,
    /// Weakest first.
    pub topics: Vec<TopicScore>,
    pub misses: Vec<Miss>,
    /// The command that asks exactly the missed cards again.
    pub reask: Option<String>,
}

pub fn build(meta: &Meta, answers: &[Answered]) -> Report {
    let asked = answers.len();
    let correct = answers.iter().filter(|a| a.correct).count();
    let score = (100 * correct).checked_div(asked).unwrap_or(0) as u32;
    let mut topics: Vec<TopicScore> = Vec::new();
    let mut formats = Formats::default();
    for a in answers {
        match a.format {
            Format::Flip => formats.flip += 1,
            Format::Choice => formats.choice += 1,
            Format::Typed => formats.typed += 1,
        }
        let pos = topics
            .iter()
            .position(|t| t.deck == a.card.deck_key && t.topic == a.card.topic);
        let t = match pos {
            Some(p) => &mut topics[p],
            None => {
                topics.push(TopicScore {
                    deck: a.card.deck_key.clone(),
                    topic: a.card.topic.clone(),
                    correct: 0,
                    asked: 0,
                });
                let last = topics.len() - 1;
                &mut topics[last]
            }
        };
        t.asked += 1;
        t.correct += usize::from(a.correct);
    }
    order_weakest_first(&mut topics);
    let verdict = judge(&Inputs {
        asked,
        correct,
        planned: meta.planned,
        complete: meta.complete,
        threshold: meta.threshold,
        topic_floor: meta.topic_floor,
        topics: &topics,
    });
    let misses: Vec<Miss> = answers
        .iter()
        .filter(|a| !a.correct)
        .map(|a| Miss {
            id: a.card.key.clone(),
            topic: a.card.topic.clone(),
            front: a.card.front.clone(),
            answer: a.card.back.clone(),
            given: a.given.clone(),
            format: a.format,
            source: meta.links.card(&a.card),
            cites: a.card.cites.clone(),
        })
        .collect();
    let reask = reask_command(&misses, &meta.format);
    Report {
        quiz: meta.quiz,
        seed: meta.seed,
        format: meta.format.clone(),
        started_at: meta.started_at.clone(),
        ended_at: meta.ended_at.clone(),
        complete: meta.complete,
        planned: meta.planned,
        asked,
        correct,
        score,
        threshold: meta.threshold,
        topic_floor: meta.topic_floor,
        ready: verdict.ready,
        verdict: verdict.text,
        weakest: verdict.weakest,
        guessing_score: (25 * formats.choice).checked_div(asked).unwrap_or(0) as u32,
        formats,
        overrides: answers.iter().filter(|a| a.overridden).count(),
        topics,
        misses,
        reask,
    }
}

/// `mastery quiz --card a --card b --format typed`: with only `--card`
/// flags a quiz asks every card named, so this re-asks exactly the misses.
fn reask_command(misses: &[Miss], format: &str) -> Option<String> {
    if misses.is_empty() {
        return None;
    }
    let mut ids: Vec<&str> = misses.iter().map(|m| m.id.as_str()).collect();
    ids.dedup();
    let cards: Vec<String> = ids
        .iter()
        .map(|id| format!("--card {}", quote(id)))
        .collect();
    Some(format!(
        "mastery quiz {} --format {format}",
        cards.join(" ")
    ))
}

/// A card id as one shell word: ids are slugs, but a hand-written one may
/// hold anything.
fn quote(id: &str) -> String {
    if id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.' | '~'))
    {
        id.to_string()
    } else {
        format!("'{}'", id.replace('\'', r"'\''"))
    }
}

fn one_line(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn render(r: &Report) -> String {
    let mut out = format!(
        "\nscore {}% ({}/{}) · threshold {}% · {}\n",
        r.score, r.correct, r.asked, r.threshold, r.verdict
    );
    if r.asked > 0 {
        out.push_str(&format!(
            "{} of {} questions were multiple choice: guessing alone would score {}%\n",
            r.formats.choice, r.asked, r.guessing_score
        ));
    }
    if r.overrides > 0 {
        out.push_str(&format!(
            "{} near miss{} counted as right by you\n",
            r.overrides,
            if r.overrides == 1 { "" } else { "es" }
        ));
    }
    if !r.topics.is_empty() {
        out.push_str(&format!(
            "\nby topic, weakest first (floor {}% once asked twice):\n",
            r.topic_floor
        ));
        let width = r
            .topics
            .iter()
            .map(|t| t.deck.chars().count() + t.topic.chars().count() + 3)
            .max()
            .unwrap_or(0);
        for t in &r.topics {
            let name = format!("{} › {}", t.deck, t.topic);
            let pad = width.saturating_sub(name.chars().count());
            out.push_str(&format!(
                "  {name}{}  {}/{}\n",
                " ".repeat(pad),
                t.correct,
                t.asked
            ));
        }
    }
    if !r.misses.is_empty() {
        out.push_str("\nre-read:\n");
        for m in &r.misses {
            let given = if m.given.trim().is_empty() {
                "(nothing)".to_string()
            } else {
                one_line(&m.given)
            };
            out.push_str(&format!(
                "  - {}\n    you answered: {given}\n    answer: {}\n    source: {}{}\n",
                one_line(&m.front),
                one_line(&m.answer),
                m.source,
                m.cites
                    .as_ref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default()
            ));
        }
    }
    if let Some(cmd) = &r.reask {
        out.push_str(&format!("\nask the misses again:\n  {cmd}\n"));
    }
    out
}
