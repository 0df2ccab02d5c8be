//! How weak a card is: pure functions over its state and grouped events.
//! Every weight is documented in the README's "Weak areas" section.

use serde::Serialize;

use crate::clock::Day;
use crate::scheduler::CardState;
use crate::store::{CardEvents, Recent};

/// Events lose half their weight every 30 days.
pub const HALF_LIFE_DAYS: f64 = 30.0;
pub const W_LAPSE: f64 = 3.0;
pub const W_LOW_EASE: f64 = 2.0;
pub const W_LAST_FAILED: f64 = 2.0;
pub const W_REDRILL_DAY: f64 = 1.0;
pub const W_QUIZ_MISS: f64 = 1.5;
pub const W_OVERDUE: f64 = 1.0;
/// Ease at or below 1.80 counts as low, but only beside a failure this
/// recent: SM-2 raises the ease by only 0.10 per perfect grade, so a low
/// ease alone would keep a fixed card "weak" for months.
pub const LOW_EASE: u32 = 180;
pub const RECENT_FAILURE_DAYS: i64 = 30;
/// Scheduling grades in a row, each at least `RECOVERY_GRADE`, that clear a
/// card whatever its history.
pub const RECOVERY_GRADES: usize = 3;
pub const RECOVERY_GRADE: u8 = 4;
/// Right quiz answers in a row that clear a card whose last scheduling
/// grade was a pass.
pub const RECOVERY_ANSWERS: usize = 2;
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
    /// Recalled since its failures (see `recovered`): not weak.
    pub recovered: bool,
}

/// Whether the card has been recalled since it failed, so that it is not
/// weak whatever its ease or its older lapses:
/// - its last three scheduling grades are 4 or 5, and no quiz miss came
///   after the first of them; or
/// - its last two quiz answers were right, its last scheduling grade was a
///   pass (3 or more), and both answers came after its last failed grade.
pub fn recovered(r: &Recent) -> bool {
    let streak = r.grades.len() == RECOVERY_GRADES
        && r.grades.iter().all(|(_, g)| *g >= RECOVERY_GRADE)
        && r.last_miss
            .as_ref()
            .is_none_or(|miss| *miss < r.grades[RECOVERY_GRADES - 1].0);
    let quizzed = r.answers.len() == RECOVERY_ANSWERS
        && r.answers.iter().all(|(_, right)| *right)
        && r.grades.first().is_some_and(|(_, g)| *g >= 3)
        && r.last_fail
            .as_ref()
            .is_none_or(|fail| *fail < r.answers[RECOVERY_ANSWERS - 1].0);
    streak || quizzed
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
        recovered: false,
    };
    let recent_failure = signals.last_grade_failed
        || events
            .lapses
            .iter()
            .any(|(d, _)| today - d < RECENT_FAILURE_DAYS)
        || !quiz.is_empty();
    let mut total = W_LAPSE * weighted(today, &events.lapses)
        + W_REDRILL_DAY
            * events
                .redrills
                .iter()
                .map(|(d, _)| recency(today, *d))
                .sum::<f64>()
        + W_QUIZ_MISS * weighted(today, &quiz);
    if signals.low_ease && recent_failure {
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
    // A low ease alone is the trace of old failures, not a weakness.
    #[case::low_ease_alone(state(170, Some(5), 3, Some(TODAY + 20)), events(&[(TODAY - 90, 3)], &[], &[]), 0.375 * 3.0)]
    #[case::low_ease_beside_a_recent_lapse(state(170, Some(4), 1, Some(TODAY + 1)), events(&[(TODAY - 29, 1)], &[], &[]), 3.0 * 0.5f64.powf(29.0 / 30.0) + 2.0)]
    #[case::low_ease_beside_a_quiz_miss(state(170, Some(4), 0, Some(TODAY + 6)), events(&[], &[], &[(TODAY - 3, 1)]), 1.5 * 0.5f64.powf(0.1) + 2.0)]
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

    fn at(day: u32) -> String {
        format!("2026-01-{day:02}T09:00:00.000Z")
    }

    fn recent(
        grades: &[(u32, u8)],
        answers: &[(u32, bool)],
        fail: Option<u32>,
        miss: Option<u32>,
    ) -> Recent {
        Recent {
            grades: grades.iter().map(|(d, g)| (at(*d), *g)).collect(),
            answers: answers.iter().map(|(d, r)| (at(*d), *r)).collect(),
            last_fail: fail.map(at),
            last_miss: miss.map(at),
        }
    }

    #[rstest]
    #[case::three_good_grades(recent(&[(20, 5), (12, 4), (9, 5)], &[], Some(8), None), true)]
    #[case::a_three_among_them(recent(&[(20, 5), (12, 3), (9, 5)], &[], Some(8), None), false)]
    #[case::only_two_grades(recent(&[(20, 5), (12, 5)], &[], Some(8), None), false)]
    #[case::quiz_miss_after_the_streak_began(recent(&[(20, 5), (12, 4), (9, 5)], &[(10, false)], Some(8), Some(10)), false)]
    #[case::quiz_miss_before_it(recent(&[(20, 5), (12, 4), (9, 5)], &[(7, false)], Some(8), Some(7)), true)]
    #[case::two_right_answers_and_a_pass(recent(&[(20, 3), (8, 1)], &[(22, true), (21, true)], Some(8), None), true)]
    #[case::answers_before_the_last_fail(recent(&[(20, 3), (15, 1)], &[(14, true), (13, true)], Some(15), None), false)]
    #[case::last_grade_failed(recent(&[(20, 2)], &[(22, true), (21, true)], Some(20), None), false)]
    #[case::one_answer_wrong(recent(&[(20, 4)], &[(22, true), (21, false)], Some(8), Some(21)), false)]
    #[case::no_history(recent(&[], &[], None, None), false)]
    fn recovery(#[case] r: Recent, #[case] expected: bool) {
        assert_eq!(recovered(&r), expected);
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
