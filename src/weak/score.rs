//! How weak a card is: pure functions over its state and grouped events.
//! Every weight is documented in the README's "Weak areas" section.

use serde::Serialize;

use crate::clock::Day;
use crate::scheduler::CardState;
use crate::store::CardEvents;

/// Events lose half their weight every 30 days.
pub const HALF_LIFE_DAYS: f64 = 30.0;
pub const W_LAPSE: f64 = 3.0;
pub const W_LOW_EASE: f64 = 2.0;
pub const W_LAST_FAILED: f64 = 2.0;
pub const W_REDRILL_DAY: f64 = 1.0;
pub const W_QUIZ_MISS: f64 = 1.5;
pub const W_OVERDUE: f64 = 1.0;
/// Ease at or below 1.80 counts as low.
pub const LOW_EASE: u32 = 180;
pub const OVERDUE_DAYS: i64 = 7;
pub const QUIZ_WINDOW_DAYS: i64 = 30;
/// A card at or above this score is weak.
pub const WEAK_CARD: f64 = 2.0;
/// A topic is weak when this share of its cards is weak…
pub const WEAK_SHARE: f64 = 0.3;
/// …or when its cards' scores add up to this much.
pub const WEAK_TOPIC_SCORE: f64 = 6.0;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Signals {
    pub lapses: u32,
    pub low_ease: bool,
    pub last_grade_failed: bool,
    pub redrill_days: u32,
    pub quiz_misses: u32,
    pub overdue_days: i64,
}

pub fn recency(today: Day, day: Day) -> f64 {
    let age = (today - day).max(0) as f64;
    0.5f64.powf(age / HALF_LIFE_DAYS)
}

fn weighted(today: Day, events: &[(Day, u32)]) -> f64 {
    events
        .iter()
        .map(|(day, n)| f64::from(*n) * recency(today, *day))
        .sum()
}

fn count(events: &[(Day, u32)]) -> u32 {
    events.iter().map(|(_, n)| n).sum()
}

/// The card's signals and its score.
pub fn score(state: &CardState, events: &CardEvents, today: Day) -> (Signals, f64) {
    let quiz: Vec<(Day, u32)> = events
        .quiz_misses
        .iter()
        .copied()
        .filter(|(d, _)| today - d < QUIZ_WINDOW_DAYS)
        .collect();
    let overdue_days = state.due.map_or(0, |due| (today - due).max(0));
    let signals = Signals {
        lapses: state.lapses.max(count(&events.lapses)),
        low_ease: !state.is_new() && state.ease <= LOW_EASE,
        last_grade_failed: state.last_grade.is_some_and(|g| g < 3),
        redrill_days: events.redrills.len() as u32,
        quiz_misses: count(&quiz),
        overdue_days,
    };
    let mut total = W_LAPSE * weighted(today, &events.lapses)
        + W_REDRILL_DAY
            * events
                .redrills
                .iter()
                .map(|(d, _)| recency(today, *d))
                .sum::<f64>()
        + W_QUIZ_MISS * weighted(today, &quiz);
    if signals.low_ease {
        total += W_LOW_EASE;
    }
    if signals.last_grade_failed {
        total += W_LAST_FAILED;
    }
    if overdue_days > OVERDUE_DAYS {
        total += W_OVERDUE;
    }
    (signals, total)
}

pub fn is_weak(score: f64) -> bool {
    score >= WEAK_CARD
}

pub fn topic_is_weak(weak: usize, cards: usize, total_score: f64) -> bool {
    (cards > 0 && weak as f64 / cards as f64 >= WEAK_SHARE) || total_score >= WEAK_TOPIC_SCORE
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const TODAY: Day = 1000;

    fn state(ease: u32, last: Option<u8>, lapses: u32, due: Option<Day>) -> CardState {
        CardState {
            reps: 3,
            ease,
            interval: 6,
            due,
            lapses,
            last_grade: last,
            last_day: Some(TODAY - 1),
        }
    }

    fn events(lapses: &[(Day, u32)], redrills: &[(Day, u32)], quiz: &[(Day, u32)]) -> CardEvents {
        CardEvents {
            lapses: lapses.to_vec(),
            redrills: redrills.to_vec(),
            quiz_misses: quiz.to_vec(),
        }
    }

    #[rstest]
    #[case::healthy(state(250, Some(5), 0, Some(TODAY + 5)), events(&[], &[], &[]), 0.0)]
    #[case::fresh_lapse(state(250, Some(5), 1, Some(TODAY + 1)), events(&[(TODAY, 1)], &[], &[]), 3.0)]
    #[case::old_lapse_halves(state(250, Some(5), 1, Some(TODAY + 1)), events(&[(TODAY - 30, 1)], &[], &[]), 1.5)]
    #[case::low_ease_and_failed(state(170, Some(1), 0, Some(TODAY + 1)), events(&[], &[], &[]), 4.0)]
    #[case::redrills(state(250, Some(4), 0, Some(TODAY + 6)), events(&[], &[(TODAY, 3), (TODAY - 30, 2)], &[]), 1.5)]
    #[case::quiz_misses_in_window(state(250, Some(4), 0, Some(TODAY + 6)), events(&[], &[], &[(TODAY, 2), (TODAY - 30, 1)]), 3.0)]
    #[case::overdue(state(250, Some(4), 0, Some(TODAY - 8)), events(&[], &[], &[]), 1.0)]
    #[case::just_due(state(250, Some(4), 0, Some(TODAY - 7)), events(&[], &[], &[]), 0.0)]
    fn scores(#[case] s: CardState, #[case] e: CardEvents, #[case] expected: f64) {
        let (_, got) = score(&s, &e, TODAY);
        assert!(
            (got - expected).abs() < 1e-9,
            "got {got}, expected {expected}"
        );
    }

    /// Histories ranked from weakest to strongest.
    #[test]
    fn ranking_puts_recent_repeated_failure_first() {
        let cases = [
            (
                "leech",
                state(130, Some(1), 6, Some(TODAY)),
                events(
                    &[(TODAY, 2), (TODAY - 3, 2), (TODAY - 10, 2)],
                    &[(TODAY, 2)],
                    &[(TODAY, 1)],
                ),
            ),
            (
                "recent lapse",
                state(220, Some(2), 1, Some(TODAY + 1)),
                events(&[(TODAY - 1, 1)], &[], &[]),
            ),
            (
                "quiz misses",
                state(250, Some(4), 0, Some(TODAY + 3)),
                events(&[], &[], &[(TODAY - 2, 1)]),
            ),
            (
                "old lapse",
                state(240, Some(5), 1, Some(TODAY + 30)),
                events(&[(TODAY - 120, 1)], &[], &[]),
            ),
            (
                "healthy",
                state(260, Some(5), 0, Some(TODAY + 40)),
                events(&[], &[], &[]),
            ),
        ];
        let mut ranked: Vec<(&str, f64)> = cases
            .iter()
            .map(|(n, s, e)| (*n, score(s, e, TODAY).1))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let names: Vec<&str> = ranked.iter().map(|r| r.0).collect();
        assert_eq!(
            names,
            [
                "leech",
                "recent lapse",
                "quiz misses",
                "old lapse",
                "healthy"
            ]
        );
        assert!(is_weak(ranked[1].1) && !is_weak(ranked[2].1));
    }

    #[rstest]
    #[case(3, 10, 0.0, true)]
    #[case(2, 10, 5.9, false)]
    #[case(1, 10, 6.0, true)]
    #[case(0, 0, 0.0, false)]
    fn topic_thresholds(
        #[case] weak: usize,
        #[case] cards: usize,
        #[case] total: f64,
        #[case] expected: bool,
    ) {
        assert_eq!(topic_is_weak(weak, cards, total), expected);
    }
}
