//! The verdict: "ready" only when the whole quiz was answered, the total
//! is at or above the threshold, and no topic asked at least twice is
//! below the topic floor. Otherwise it names the weakest topics.

use serde::Serialize;

/// One topic's score in a quiz.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TopicScore {
    pub deck: String,
    pub topic: String,
    pub correct: usize,
    pub asked: usize,
}

impl TopicScore {
    /// Percent correct, rounded down.
    pub fn percent(&self) -> u32 {
        (100 * self.correct).checked_div(self.asked).unwrap_or(0) as u32
    }

    /// Judged against the floor: one question is too little to judge.
    pub fn judged(&self) -> bool {
        self.asked >= MIN_ASKED
    }
}

/// A topic is held to the floor once it was asked this many times.
pub const MIN_ASKED: usize = 2;

/// Topic names in a verdict line are cut to this many characters.
const NAME_CHARS: usize = 24;

/// Weakest first: lowest share correct, then the most asked (more
/// evidence), then by name for a stable order.
pub fn order_weakest_first(topics: &mut [TopicScore]) {
    topics.sort_by(|a, b| {
        // a.correct / a.asked < b.correct / b.asked, without division.
        (a.correct * b.asked)
            .cmp(&(b.correct * a.asked))
            .then(b.asked.cmp(&a.asked))
            .then_with(|| (&a.deck, &a.topic).cmp(&(&b.deck, &b.topic)))
    });
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Verdict {
    pub ready: bool,
    /// One line: `ready`, or `not yet: …` with the reason.
    pub text: String,
    /// The topics the verdict names, weakest first.
    pub weakest: Vec<TopicScore>,
}

pub struct Inputs<'a> {
    pub asked: usize,
    pub correct: usize,
    pub planned: usize,
    pub complete: bool,
    pub threshold: u32,
    pub topic_floor: u32,
    /// Weakest first.
    pub topics: &'a [TopicScore],
}

fn short(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        name.to_string()
    } else {
        let cut: String = name.chars().take(NAME_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

fn named(topics: &[TopicScore]) -> String {
    topics
        .iter()
        .map(|t| format!("{} {}/{}", short(&t.topic), t.correct, t.asked))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn judge(i: &Inputs<'_>) -> Verdict {
    let score = (100 * i.correct).checked_div(i.asked).unwrap_or(0) as u32;
    let below: Vec<TopicScore> = i
        .topics
        .iter()
        .filter(|t| t.judged() && t.percent() < i.topic_floor)
        .cloned()
        .collect();
    let not_yet = |reason: String, weakest: Vec<TopicScore>| Verdict {
        ready: false,
        text: format!("not yet: {reason}"),
        weakest,
    };
    if !i.complete {
        return not_yet(
            format!(
                "incomplete, {} of {} questions answered",
                i.asked, i.planned
            ),
            Vec::new(),
        );
    }
    if i.asked == 0 {
        return not_yet("nothing answered".into(), Vec::new());
    }
    if !below.is_empty() {
        return not_yet(
            format!(
                "{} (below the {}% topic floor)",
                named(&below),
                i.topic_floor
            ),
            below,
        );
    }
    if score < i.threshold {
        let weakest: Vec<TopicScore> = i
            .topics
            .iter()
            .filter(|t| t.correct < t.asked)
            .take(2)
            .cloned()
            .collect();
        let reason = if weakest.is_empty() {
            format!("{score}% is below {}%", i.threshold)
        } else {
            format!(
                "{score}% is below {}%; weakest {}",
                i.threshold,
                named(&weakest)
            )
        };
        return not_yet(reason, weakest);
    }
    Verdict {
        ready: true,
        text: "ready".into(),
        weakest: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn topic(name: &str, correct: usize, asked: usize) -> TopicScore {
        TopicScore {
            deck: "d".into(),
            topic: name.into(),
            correct,
            asked,
        }
    }

    fn inputs(topics: &[TopicScore], complete: bool) -> Inputs<'_> {
        let asked = topics.iter().map(|t| t.asked).sum();
        Inputs {
            asked,
            correct: topics.iter().map(|t| t.correct).sum(),
            planned: 20,
            complete,
            threshold: 80,
            topic_floor: 60,
            topics,
        }
    }

    #[test]
    fn a_weak_topic_blocks_ready_and_is_named() {
        // Issue 15: 17/20 with one topic at 1/4 is not ready.
        let mut topics = vec![
            topic("Context compaction", 8, 8),
            topic("Validation scripts, logging hooks, and guard rails", 1, 4),
            topic("Subagents", 8, 8),
        ];
        order_weakest_first(&mut topics);
        let v = judge(&inputs(&topics, true));
        assert!(!v.ready);
        assert_eq!(
            v.text,
            "not yet: Validation scripts, log… 1/4 (below the 60% topic floor)"
        );
        assert_eq!(v.weakest.len(), 1);
    }

    #[test]
    fn an_incomplete_quiz_is_never_ready() {
        let topics = vec![topic("A", 1, 1)];
        let v = judge(&inputs(&topics, false));
        assert!(!v.ready);
        assert_eq!(v.text, "not yet: incomplete, 1 of 20 questions answered");
    }

    #[rstest]
    #[case::all_right(&[(4, 4), (4, 4)], true)]
    #[case::one_asked_once_is_not_judged(&[(8, 8), (0, 1)], true)]
    #[case::at_the_floor(&[(9, 9), (3, 5)], true)]
    #[case::below_the_floor(&[(9, 9), (1, 2)], false)]
    #[case::below_threshold(&[(3, 4), (3, 4)], false)]
    fn verdicts(#[case] scores: &[(usize, usize)], #[case] ready: bool) {
        let topics: Vec<TopicScore> = scores
            .iter()
            .enumerate()
            .map(|(i, (c, a))| topic(&format!("t{i}"), *c, *a))
            .collect();
        assert_eq!(judge(&inputs(&topics, true)).ready, ready);
    }

    #[test]
    fn weakest_first() {
        let mut topics = vec![
            topic("b", 3, 4),
            topic("a", 1, 2),
            topic("c", 1, 4),
            topic("d", 4, 4),
        ];
        order_weakest_first(&mut topics);
        let names: Vec<&str> = topics.iter().map(|t| t.topic.as_str()).collect();
        assert_eq!(names, ["c", "a", "b", "d"]);
    }
}
