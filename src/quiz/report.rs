//! The readiness report: score, verdict, per-topic breakdown and every miss
//! with its source, as text or JSON.

use serde::Serialize;

use super::Answered;

#[derive(Debug, Serialize, PartialEq)]
pub struct TopicScore {
    pub deck: String,
    pub topic: String,
    pub correct: usize,
    pub asked: usize,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Miss {
    pub id: String,
    pub front: String,
    pub answer: String,
    pub given: String,
    pub source: String,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Report {
    pub quiz: i64,
    pub asked: usize,
    pub correct: usize,
    /// Percent correct, rounded down.
    pub score: u32,
    pub threshold: u32,
    pub ready: bool,
    pub topics: Vec<TopicScore>,
    pub misses: Vec<Miss>,
}

pub fn build(quiz: i64, answers: &[Answered], threshold: u32) -> Report {
    let asked = answers.len();
    let correct = answers.iter().filter(|a| a.correct).count();
    let score = (100 * correct).checked_div(asked).unwrap_or(0) as u32;
    let mut topics: Vec<TopicScore> = Vec::new();
    for a in answers {
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
    topics.sort_by(|a, b| (&a.deck, &a.topic).cmp(&(&b.deck, &b.topic)));
    let misses = answers
        .iter()
        .filter(|a| !a.correct)
        .map(|a| Miss {
            id: a.card.key.clone(),
            front: a.card.front.clone(),
            answer: a.card.back.clone(),
            given: a.given.clone(),
            source: a.card.source(),
        })
        .collect();
    Report {
        quiz,
        asked,
        correct,
        score,
        threshold,
        ready: asked > 0 && score >= threshold,
        topics,
        misses,
    }
}

pub fn render(r: &Report) -> String {
    let verdict = if r.ready { "ready" } else { "not yet" };
    let mut out = format!(
        "\nscore {}% ({}/{}) · threshold {}% · {verdict}\n",
        r.score, r.correct, r.asked, r.threshold
    );
    if !r.topics.is_empty() {
        out.push_str("\nby topic:\n");
        let width = r
            .topics
            .iter()
            .map(|t| t.deck.len() + t.topic.len() + 3)
            .max()
            .unwrap_or(0);
        for t in &r.topics {
            let name = format!("{} › {}", t.deck, t.topic);
            out.push_str(&format!("  {name:<width$}  {}/{}\n", t.correct, t.asked));
        }
    }
    if !r.misses.is_empty() {
        out.push_str("\nre-read:\n");
        for m in &r.misses {
            let front = m
                .front
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let answer = m
                .answer
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            out.push_str(&format!(
                "  - {front}\n    answer: {answer}\n    source: {}\n",
                m.source
            ));
        }
    }
    out
}
