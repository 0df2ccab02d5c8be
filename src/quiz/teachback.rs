//! Teach-back: for each topic in scope the learner explains it, out loud or
//! in writing, then ticks which of the topic's key points the explanation
//! covered. Each topic's ticks are committed before the next topic; the
//! report gives coverage per topic and names the points missed. It never
//! touches the schedule.

use serde::Serialize;

use crate::clock::Clock;
use crate::error::Result;
use crate::prompt::{Prompter, Reply};
use crate::store::{CardRow, Store};

/// Key points longer than this are cut, with an ellipsis.
const POINT_CHARS: usize = 110;

/// One topic to explain and its key points, one per card.
#[derive(Debug, Clone)]
pub struct Topic {
    pub deck: String,
    pub deck_title: String,
    pub name: String,
    pub cards: Vec<CardRow>,
}

/// A card's key point in one line: what it asks and the gist of its answer.
/// Reverse cards (term from definition, pattern from situation) repeat
/// their note's forward card and are left out by [`topics`].
pub fn key_point(card: &CardRow) -> String {
    let one_line = |t: &str| {
        t.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let front = one_line(&card.front);
    let back = one_line(&card.back);
    // The first sentence of the answer is its short form.
    let gist = back
        .find(". ")
        .map_or(back.as_str(), |end| &back[..=end])
        .trim();
    let line = if card.generator.starts_with('c') {
        front.replacen(crate::deck::cards::BLANK, gist, 1)
    } else if card.generator == "steps" {
        // A checklist's gist is its steps in one line, without numbers.
        let steps: Vec<&str> = card
            .back
            .lines()
            .map(|l| {
                l.trim()
                    .trim_start_matches(|c: char| {
                        c.is_ascii_digit() || matches!(c, '.' | ')' | '-' | '*')
                    })
                    .trim()
                    .trim_end_matches('.')
            })
            .filter(|l| !l.is_empty())
            .collect();
        format!(
            "{}: {}",
            front.trim_start_matches("List the steps, in order: "),
            steps.join("; ")
        )
    } else {
        format!("{}: {gist}", front.trim_start_matches("Define: "))
    };
    if line.chars().count() > POINT_CHARS {
        let cut: String = line.chars().take(POINT_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        line
    }
}

/// The cards grouped by topic, in the order given (curriculum order),
/// without reverse cards.
pub fn topics(cards: Vec<CardRow>) -> Vec<Topic> {
    let mut out: Vec<Topic> = Vec::new();
    for card in cards {
        if card.generator == "name" || card.generator == "which" {
            continue;
        }
        match out
            .iter_mut()
            .find(|t| t.deck == card.deck_key && t.name == card.topic)
        {
            Some(t) => t.cards.push(card),
            None => out.push(Topic {
                deck: card.deck_key.clone(),
                deck_title: card.deck_title.clone(),
                name: card.topic.clone(),
                cards: vec![card],
            }),
        }
    }
    out
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Coverage {
    pub deck: String,
    pub topic: String,
    pub covered: usize,
    pub points: usize,
    /// The key points the explanation missed.
    pub missed: Vec<MissedPoint>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MissedPoint {
    pub id: String,
    pub point: String,
    pub source: String,
}

#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Outcome {
    pub topics: Vec<Coverage>,
    pub interrupted: bool,
    pub complete: bool,
}

/// Which points were ticked: numbers from 1, `a` for all, nothing for
/// none. `None` when the line holds anything else.
pub fn parse_ticks(line: &str, points: usize) -> Option<Vec<bool>> {
    let t = line.trim();
    if t.eq_ignore_ascii_case("a") || t.eq_ignore_ascii_case("all") {
        return Some(vec![true; points]);
    }
    let mut ticks = vec![false; points];
    for token in t.split(|c: char| c.is_whitespace() || c == ',') {
        if token.is_empty() {
            continue;
        }
        let n: usize = token.parse().ok()?;
        if n == 0 || n > points {
            return None;
        }
        ticks[n - 1] = true;
    }
    Some(ticks)
}

pub fn run(
    store: &mut Store,
    clock: &Clock,
    prompter: &mut dyn Prompter,
    quiz_id: i64,
    topics: &[Topic],
    links: crate::read::Links,
    on_topic: &mut dyn FnMut(&[Coverage]),
) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    let total = topics.len();
    'topics: for (i, topic) in topics.iter().enumerate() {
        prompter.show(&format!(
            "\n{} › {}    topic {}/{total} · teach-back\n",
            topic.deck_title,
            topic.name,
            i + 1
        ))?;
        prompter.show(&format!(
            "Explain {} as you would to a colleague: out loud, or in writing here.",
            topic.name
        ))?;
        match prompter.answer("your explanation (Enter when you have said it; Ctrl-D quits):")? {
            Reply::Quit => break,
            Reply::Interrupt => {
                outcome.interrupted = true;
                break;
            }
            _ => {}
        }
        prompter.show("Key points:")?;
        let points: Vec<String> = topic.cards.iter().map(key_point).collect();
        for (n, p) in points.iter().enumerate() {
            prompter.show(&format!("  {}) {p}", n + 1))?;
        }
        let ticks = loop {
            match prompter.answer(
                "which did your explanation cover? (numbers such as 1 3, a = all, Enter = none):",
            )? {
                Reply::Text(t) => match parse_ticks(&t, points.len()) {
                    Some(ticks) => break ticks,
                    None => prompter.show(&format!(
                        "'{}' is not a list of points: use numbers from 1 to {}, a or Enter",
                        t.trim(),
                        points.len()
                    ))?,
                },
                Reply::Key(_) => break vec![false; points.len()],
                Reply::Quit => break 'topics,
                Reply::Interrupt => {
                    outcome.interrupted = true;
                    break 'topics;
                }
            }
        };
        let rows: Vec<(i64, bool)> = topic
            .cards
            .iter()
            .zip(&ticks)
            .map(|(c, t)| (c.id, *t))
            .collect();
        store.record_teach_points(quiz_id, &rows, &clock.stamp())?;
        let missed: Vec<MissedPoint> = topic
            .cards
            .iter()
            .zip(&ticks)
            .zip(&points)
            .filter(|((_, t), _)| !**t)
            .map(|((c, _), p)| MissedPoint {
                id: c.key.clone(),
                point: p.clone(),
                source: links.card(c),
            })
            .collect();
        let covered = ticks.iter().filter(|t| **t).count();
        outcome.topics.push(Coverage {
            deck: topic.deck.clone(),
            topic: topic.name.clone(),
            covered,
            points: points.len(),
            missed,
        });
        on_topic(&outcome.topics);
        prompter.show(&format!("saved: {covered}/{} points covered", points.len()))?;
    }
    outcome.complete = outcome.topics.len() == total && !outcome.interrupted;
    Ok(outcome)
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Report {
    pub quiz: i64,
    pub kind: &'static str,
    pub complete: bool,
    pub topics_planned: usize,
    pub points: usize,
    pub covered: usize,
    /// Percent of the key points covered, rounded down.
    pub coverage: u32,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub by_topic: Vec<Coverage>,
}

pub fn report(
    quiz: i64,
    planned: usize,
    outcome: &Outcome,
    started_at: &str,
    ended_at: Option<String>,
) -> Report {
    let points = outcome.topics.iter().map(|t| t.points).sum();
    let covered = outcome.topics.iter().map(|t| t.covered).sum();
    Report {
        quiz,
        kind: "teach-back",
        complete: outcome.complete,
        topics_planned: planned,
        points,
        covered,
        coverage: (100 * covered).checked_div(points).unwrap_or(0) as u32,
        started_at: started_at.to_string(),
        ended_at,
        by_topic: outcome.topics.clone(),
    }
}

pub fn render(r: &Report) -> String {
    let mut out = format!(
        "\nteach-back {}: {}% of key points covered ({}/{}) over {} of {} topics{}\n",
        r.quiz,
        r.coverage,
        r.covered,
        r.points,
        r.by_topic.len(),
        r.topics_planned,
        if r.complete { "" } else { " · incomplete" }
    );
    if !r.by_topic.is_empty() {
        out.push_str("\nby topic:\n");
        for t in &r.by_topic {
            out.push_str(&format!(
                "  {} › {}  {}/{}\n",
                t.deck, t.topic, t.covered, t.points
            ));
        }
    }
    let missed: Vec<&MissedPoint> = r.by_topic.iter().flat_map(|t| &t.missed).collect();
    if !missed.is_empty() {
        out.push_str("\npoints your explanation missed:\n");
        for m in missed {
            out.push_str(&format!("  - {}\n    source: {}\n", m.point, m.source));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("1 3", 3, Some(vec![true, false, true]))]
    #[case("2,3", 3, Some(vec![false, true, true]))]
    #[case("a", 2, Some(vec![true, true]))]
    #[case("", 2, Some(vec![false, false]))]
    #[case("4", 3, None)]
    #[case("0", 3, None)]
    #[case("yes", 3, None)]
    fn ticks(#[case] line: &str, #[case] points: usize, #[case] expected: Option<Vec<bool>>) {
        assert_eq!(parse_ticks(line, points), expected);
    }
}
