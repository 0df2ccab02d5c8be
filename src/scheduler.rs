//! SM-2 (Wozniak, 1990) as pure functions over plain data: no I/O, no clock.
//! The ease factor is kept in integer hundredths so that no float rounding
//! ever moves an interval.

use std::fmt;
use std::str::FromStr;

use crate::clock::Day;

/// The rules a review row was scheduled by, recorded on the row: `doctor`
/// checks old rows as written, and only `mastery reschedule` replays them
/// with today's rules. 1: mastery 0.1's SM-2; 2: early answers can't grow
/// the interval.
pub const RULES: &str = "sm2/2";

pub const START_EASE: u32 = 250;
pub const MIN_EASE: u32 = 130;
/// Anki's default maximum interval; it keeps due days far inside the
/// calendar however many perfect grades a card collects.
pub const MAX_INTERVAL: u32 = 36_500;

/// A recall grade, 0 (blackout) to 5 (perfect).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grade(u8);

impl Grade {
    pub const MEANINGS: [&'static str; 6] = [
        "blackout",
        "wrong, remembered once seen",
        "wrong, seemed easy once seen",
        "correct, serious difficulty",
        "correct after hesitation",
        "perfect",
    ];

    pub const HESITANT: Grade = Grade(4);
    pub const FAMILIAR: Grade = Grade(1);

    pub fn new(value: i64) -> Option<Grade> {
        u8::try_from(value).ok().filter(|v| *v <= 5).map(Grade)
    }

    pub fn value(self) -> u8 {
        self.0
    }

    pub fn passed(self) -> bool {
        self.0 >= 3
    }

    /// SM-2's step 7: below 4 the card is drilled again in the same session.
    pub fn needs_drill(self) -> bool {
        self.0 < 4
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Grade {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse::<i64>()
            .ok()
            .and_then(Grade::new)
            .ok_or_else(|| format!("'{}' is not a grade: use 0 to 5", s.trim()))
    }
}

/// The scheduling state of one card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardState {
    pub reps: u32,
    pub ease: u32,
    pub interval: u32,
    pub due: Option<Day>,
    pub lapses: u32,
    pub last_grade: Option<u8>,
    pub last_day: Option<Day>,
}

impl Default for CardState {
    fn default() -> Self {
        CardState {
            reps: 0,
            ease: START_EASE,
            interval: 0,
            due: None,
            lapses: 0,
            last_grade: None,
            last_day: None,
        }
    }
}

impl CardState {
    pub fn is_new(&self) -> bool {
        self.due.is_none()
    }

    /// Whether a grade given today would schedule, or only re-drill: only the
    /// first grade of a study day moves the card.
    pub fn schedules_on(&self, today: Day) -> bool {
        self.last_day != Some(today)
    }
}

/// The change in ease, in hundredths: EF' = EF + (0.1 - (5-q)(0.08 + (5-q)0.02)).
pub fn ease_delta(grade: Grade) -> i32 {
    let d = 5 - i32::from(grade.value());
    10 - d * (8 + d * 2)
}

/// What kind of review a grade makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewKind {
    /// The first scheduling review of a never-seen card.
    New,
    Review,
    /// A repeat within a study day (SM-2 step 7); it does not schedule.
    Drill,
}

impl ReviewKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::New => "new",
            ReviewKind::Review => "review",
            ReviewKind::Drill => "drill",
        }
    }
}

/// What a grade does to a card: the first grade of a study day schedules
/// it; any later one that day is a re-drill that changes nothing. Every
/// path that answers a card (the drill, `quiz --reschedule`) goes through
/// here, so an early answer gets the early-answer rule.
pub fn review_of(before: &CardState, grade: Grade, today: Day) -> (ReviewKind, CardState) {
    match (before.schedules_on(today), before.is_new()) {
        (false, _) => (ReviewKind::Drill, *before),
        (true, true) => (ReviewKind::New, schedule(before, grade, today)),
        (true, false) => (ReviewKind::Review, schedule(before, grade, today)),
    }
}

/// Applies one scheduling review graded `grade` on study day `today`.
///
/// On or after the due day this is SM-2 exactly. A pass *before* the due
/// day (a quiz the morning after a review, say) never grows the interval
/// from what the card earned: Anki's early-review rule, adapted to SM-2,
/// gives max(current interval, round(elapsed days × EF)), counted from
/// today, with EF moving as SM-2 says. A fail is a fail whenever it comes.
pub fn schedule(state: &CardState, grade: Grade, today: Day) -> CardState {
    let ease = (state.ease as i32 + ease_delta(grade)).max(MIN_EASE as i32) as u32;
    let early = state.due.is_some_and(|due| today < due);
    let (reps, interval, lapses) = if grade.passed() && early {
        let elapsed = state.last_day.map_or(0, |d| (today - d).max(0));
        let grown = (elapsed as u64 * u64::from(ease) + 50) / 100;
        let interval = grown
            .max(u64::from(state.interval))
            .clamp(1, u64::from(MAX_INTERVAL)) as u32;
        (state.reps + 1, interval, state.lapses)
    } else if grade.passed() {
        let reps = state.reps + 1;
        let interval = match reps {
            1 => 1,
            2 => 6,
            _ => next_interval(state.interval, ease),
        };
        (reps, interval, state.lapses)
    } else {
        // A lapse, as Anki counts them: any fail of a card that is not new.
        (1, 1, state.lapses + u32::from(!state.is_new()))
    };
    CardState {
        reps,
        ease,
        interval,
        due: Some(today + i64::from(interval)),
        lapses,
        last_grade: Some(grade.value()),
        last_day: Some(today),
    }
}

/// What the leech rule does when a card lapses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeechRule {
    /// Lapses that make a card a leech (config `leech_lapses`).
    pub lapses: u32,
    /// Suspend a leech (`leech_action = "suspend"`) or only tag it.
    pub suspend: bool,
}

impl Default for LeechRule {
    fn default() -> Self {
        LeechRule {
            lapses: 8,
            suspend: true,
        }
    }
}

/// Whether a review that took the lapse count from `before` to `after`
/// catches the card as a leech: at the threshold, and, as Anki does, again
/// at every half threshold after it (8, 12, 16, … by default), so a leech
/// that was let back in and keeps failing is caught again.
pub fn is_leech_lapse(before: u32, after: u32, rule: LeechRule) -> bool {
    let threshold = rule.lapses.max(1);
    let step = (threshold / 2).max(1);
    after > before && after >= threshold && (after - threshold).is_multiple_of(step)
}

/// ceil(I × EF / 100) in exact integer arithmetic, capped at MAX_INTERVAL.
fn next_interval(interval: u32, ease: u32) -> u32 {
    let product = u64::from(interval.max(1)) * u64::from(ease);
    let days = product.div_ceil(100);
    days.min(u64::from(MAX_INTERVAL)) as u32
}

/// Replays a card's live reviews, (grade, day, kind) oldest first, with
/// today's rules from a new card's state: the (before, after) of each, as
/// `mastery reschedule` rewrites them. A drill stays a drill.
pub fn replay(
    reviews: impl IntoIterator<Item = (Grade, Day, ReviewKind)>,
) -> Vec<(CardState, CardState)> {
    let mut state = CardState::default();
    reviews
        .into_iter()
        .map(|(grade, day, kind)| {
            let before = state;
            if kind != ReviewKind::Drill {
                state = schedule(&state, grade, day);
            }
            (before, state)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    fn g(v: u8) -> Grade {
        Grade::new(i64::from(v)).unwrap()
    }

    #[rstest]
    #[case(5, 10)]
    #[case(4, 0)]
    #[case(3, -14)]
    #[case(2, -32)]
    #[case(1, -54)]
    #[case(0, -80)]
    fn ease_deltas_match_the_formula(#[case] q: u8, #[case] delta: i32) {
        assert_eq!(ease_delta(g(q)), delta);
    }

    /// Each case: grades given on consecutive due days, and the expected
    /// (n, EF, I, lapses) after each, worked out by hand from the rules.
    #[rstest]
    #[case::all_perfect(&[5, 5, 5, 5], &[(1, 260, 1, 0), (2, 270, 6, 0), (3, 280, 17, 0), (4, 290, 50, 0)])]
    #[case::hesitant(&[4, 4, 4, 4], &[(1, 250, 1, 0), (2, 250, 6, 0), (3, 250, 15, 0), (4, 250, 38, 0)])]
    #[case::difficult(&[3, 3, 3, 3], &[(1, 236, 1, 0), (2, 222, 6, 0), (3, 208, 13, 0), (4, 194, 26, 0)])]
    #[case::lapse_restarts(&[5, 5, 5, 2, 4, 4], &[(1, 260, 1, 0), (2, 270, 6, 0), (3, 280, 17, 0), (1, 248, 1, 1), (2, 248, 6, 1), (3, 248, 15, 1)])]
    #[case::fail_new_card_is_no_lapse_but_the_next_fail_is(&[0, 1, 3], &[(1, 170, 1, 0), (1, 130, 1, 1), (2, 130, 6, 1)])]
    #[case::ease_floor(&[0, 0, 0, 5, 5, 5], &[(1, 170, 1, 0), (1, 130, 1, 1), (1, 130, 1, 2), (2, 140, 6, 2), (3, 150, 9, 2), (4, 160, 15, 2)])]
    #[case::repeated_lapses(&[4, 1, 4, 1], &[(1, 250, 1, 0), (1, 196, 1, 1), (2, 196, 6, 1), (1, 142, 1, 2)])]
    fn sequences(#[case] grades: &[u8], #[case] expected: &[(u32, u32, u32, u32)]) {
        let mut state = CardState::default();
        let mut today = 100;
        for (q, want) in grades.iter().zip(expected) {
            state = schedule(&state, g(*q), today);
            assert_eq!(
                (state.reps, state.ease, state.interval, state.lapses),
                *want,
                "after grade {q}"
            );
            assert_eq!(state.due, Some(today + i64::from(state.interval)));
            today += i64::from(state.interval);
        }
    }

    /// Lapses as Anki counts them: every fail of a card that is not new,
    /// after a pass or after a fail. The intervals are SM-2's either way.
    #[rstest]
    #[case::never_failed(&[4, 4, 4], 0)]
    #[case::failed_when_new(&[1, 4, 4], 0)]
    #[case::fail_after_pass(&[4, 2], 1)]
    #[case::ten_fails_in_a_row(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 10)]
    #[case::new_fail_then_fails(&[0, 0, 0], 2)]
    #[case::grade_three_is_a_pass(&[4, 3, 3], 0)]
    fn each_fail_of_a_seen_card_is_a_lapse(#[case] grades: &[u8], #[case] lapses: u32) {
        let mut state = CardState::default();
        let mut today = 100;
        for q in grades {
            state = schedule(&state, g(*q), today);
            today = state.due.unwrap();
        }
        assert_eq!(state.lapses, lapses);
    }

    /// (threshold, lapses before, after) → caught as a leech?
    #[rstest]
    #[case::below(8, 6, 7, false)]
    #[case::at_threshold(8, 7, 8, true)]
    #[case::between(8, 8, 9, false)]
    #[case::half_threshold_after(8, 11, 12, true)]
    #[case::and_again(8, 15, 16, true)]
    #[case::no_new_lapse(8, 8, 8, false)]
    #[case::threshold_one(1, 0, 1, true)]
    #[case::threshold_one_every_lapse(1, 4, 5, true)]
    #[case::threshold_three(3, 3, 4, true)]
    fn leeches_are_caught_at_the_threshold_and_each_half_after(
        #[case] threshold: u32,
        #[case] before: u32,
        #[case] after: u32,
        #[case] caught: bool,
    ) {
        let rule = LeechRule {
            lapses: threshold,
            suspend: true,
        };
        assert_eq!(is_leech_lapse(before, after, rule), caught);
    }

    /// 175 × 1.36 is exactly 238, but in f64 it is 238.00000000000003, which
    /// a float ceil would turn into 239.
    #[rstest]
    #[case::exact_product(CardState { reps: 5, ease: 136, interval: 175, ..CardState::default() }, 4, 238)]
    #[case::just_over(CardState { reps: 5, ease: 136, interval: 176, ..CardState::default() }, 4, 240)]
    #[case::ease_updated_first(CardState { reps: 5, ease: 140, interval: 100, ..CardState::default() }, 3, 130)]
    fn interval_uses_exact_integers(
        #[case] before: CardState,
        #[case] q: u8,
        #[case] interval: u32,
    ) {
        assert_eq!(schedule(&before, g(q), 0).interval, interval);
    }

    /// A card learned to a 6-day interval (reps 2, EF 2.50, reviewed on day
    /// 100, due 106), then quizzed and passed (grade 4: EF unchanged) on the
    /// five mornings after. Under plain SM-2 the intervals went 17, 46,
    /// 125, 338, 913; early answers now keep 6 (round(1 × 2.5) = 3 < 6),
    /// each counted from the day of the answer.
    #[test]
    fn five_early_mornings_do_not_inflate_the_interval() {
        let mut s = CardState {
            reps: 2,
            ease: 250,
            interval: 6,
            due: Some(106),
            lapses: 0,
            last_grade: Some(4),
            last_day: Some(100),
        };
        let mut seen = Vec::new();
        for day in 101..=105 {
            s = schedule(&s, g(4), day);
            seen.push((s.interval, s.due, s.reps, s.ease));
        }
        assert_eq!(
            seen,
            vec![
                (6, Some(107), 3, 250),
                (6, Some(108), 4, 250),
                (6, Some(109), 5, 250),
                (6, Some(110), 6, 250),
                (6, Some(111), 7, 250)
            ]
        );
    }

    /// (state before, grade, day of the answer) → (interval, due, EF,
    /// lapses), worked by hand. The card: reps 3, EF 2.50, interval 10,
    /// reviewed on day 100, due 110.
    #[rstest]
    // On the due day: plain SM-2, ceil(10 × 2.60) = 26.
    #[case::on_time(5, 110, (26, 136, 260, 0))]
    // Late: plain SM-2 too.
    #[case::late(4, 130, (25, 155, 250, 0))]
    // Early, 8 of 10 days elapsed: round(8 × 2.60) = 21 > 10, from day 108.
    #[case::early_grown(5, 108, (21, 129, 260, 0))]
    // Early, 2 days elapsed: round(2 × 2.36) = 5 < 10, so 10, from day 102.
    #[case::early_kept(3, 102, (10, 112, 236, 0))]
    // An early fail is an ordinary fail: interval 1, one lapse.
    #[case::early_fail(1, 102, (1, 103, 196, 1))]
    fn early_answers(#[case] q: u8, #[case] day: Day, #[case] want: (u32, Day, u32, u32)) {
        let before = CardState {
            reps: 3,
            ease: 250,
            interval: 10,
            due: Some(110),
            lapses: 0,
            last_grade: Some(4),
            last_day: Some(100),
        };
        let s = schedule(&before, g(q), day);
        assert_eq!((s.interval, s.due.unwrap(), s.ease, s.lapses), want);
    }

    #[test]
    fn interval_is_capped() {
        let before = CardState {
            reps: 9,
            ease: 300,
            interval: MAX_INTERVAL,
            ..CardState::default()
        };
        assert_eq!(schedule(&before, g(5), 0).interval, MAX_INTERVAL);
    }

    #[rstest]
    #[case("0", Some(0))]
    #[case(" 5 ", Some(5))]
    #[case("6", None)]
    #[case("-1", None)]
    #[case("x", None)]
    fn grades_parse_in_range(#[case] text: &str, #[case] expected: Option<u8>) {
        assert_eq!(text.parse::<Grade>().ok().map(Grade::value), expected);
    }

    #[test]
    fn same_day_grades_do_not_schedule() {
        let s = schedule(&CardState::default(), g(2), 7);
        assert!(!s.schedules_on(7));
        assert!(s.schedules_on(8));
    }

    proptest! {
        #[test]
        fn invariants_hold_for_any_grades(grades in proptest::collection::vec(0u8..=5, 0..60), gaps in proptest::collection::vec(0i64..400, 60)) {
            let mut state = CardState::default();
            let mut today = 0;
            let mut last_due = i64::MIN;
            for (q, gap) in grades.iter().zip(gaps) {
                state = schedule(&state, g(*q), today);
                prop_assert!(state.ease >= MIN_EASE);
                prop_assert!(state.interval >= 1);
                let due = state.due.unwrap();
                prop_assert!(due > today);
                prop_assert!(due > last_due, "due moved back from {} to {}", last_due, due);
                last_due = due;
                today = due + gap;
            }
        }
    }
}
