//! FSRS-6 as pure functions over plain data, through the `fsrs` crate: no
//! I/O, no clock. A card's FSRS state is never the source of truth: it is
//! replayed from the card's log, so switching schedulers loses nothing.

use crate::clock::Day;
use crate::scheduler::{Grade, MAX_INTERVAL, ReviewKind};

/// FSRS-6's published default parameters (w0 … w20).
pub const DEFAULT_PARAMETERS: [f32; 21] = ::fsrs::DEFAULT_PARAMETERS;
/// The share of cards the schedule aims to have remembered when due.
pub const DEFAULT_RETENTION: f32 = 0.9;
/// `desired_retention` outside this range makes intervals either absurdly
/// long or a daily review of everything; Anki allows the same range.
pub const RETENTION_RANGE: std::ops::RangeInclusive<f32> = 0.70..=0.99;

/// How well a card is known: stability (days until recall falls to 90 %)
/// and difficulty (1 to 10).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Memory {
    pub stability: f32,
    pub difficulty: f32,
}

impl From<::fsrs::MemoryState> for Memory {
    fn from(m: ::fsrs::MemoryState) -> Self {
        Memory {
            stability: m.stability,
            difficulty: m.difficulty,
        }
    }
}

impl From<Memory> for ::fsrs::MemoryState {
    fn from(m: Memory) -> Self {
        ::fsrs::MemoryState {
            stability: m.stability,
            difficulty: m.difficulty,
        }
    }
}

/// A reviewed card under FSRS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FsrsCard {
    pub memory: Memory,
    /// The day of its latest review (re-drills included).
    pub last_day: Day,
    /// Set by the latest scheduling review; re-drills leave it.
    pub interval: u32,
    pub due: Day,
}

/// A 0–5 grade as an FSRS rating, as the FSRS authors map SuperMemo
/// grades: 0–2 Again (1), 3 Hard (2), 4 Good (3), 5 Easy (4).
pub fn rating(grade: Grade) -> u32 {
    match grade.value() {
        0..=2 => 1,
        3 => 2,
        4 => 3,
        _ => 4,
    }
}

/// FSRS with one set of parameters and a desired retention.
#[derive(Debug, Clone)]
pub struct Model {
    fsrs: ::fsrs::FSRS,
    params: Vec<f32>,
    retention: f32,
}

impl PartialEq for Model {
    fn eq(&self, other: &Self) -> bool {
        self.params == other.params && self.retention == other.retention
    }
}

impl Model {
    /// FSRS with `params` (21 values; 17 or 19 from older FSRS versions are
    /// filled in as the crate does) aiming at `retention`.
    pub fn new(params: &[f32], retention: f32) -> Result<Model, String> {
        if !RETENTION_RANGE.contains(&retention) {
            return Err(format!(
                "desired_retention must be from {} to {}, not {retention}",
                RETENTION_RANGE.start(),
                RETENTION_RANGE.end()
            ));
        }
        let params = ::fsrs::check_and_fill_parameters(params).map_err(|_| {
            format!(
                "FSRS parameters must be 21 finite numbers (or 17 or 19 from FSRS 4.5 and 5), not {} values",
                params.len()
            )
        })?;
        let fsrs = ::fsrs::FSRS::new(&params)
            .map_err(|e| format!("the FSRS parameters were refused ({e:?})"))?;
        Ok(Model {
            fsrs,
            params,
            retention,
        })
    }

    /// FSRS-6's defaults at 90 % retention.
    pub fn default_model() -> Model {
        Model {
            fsrs: ::fsrs::FSRS::default(),
            params: DEFAULT_PARAMETERS.to_vec(),
            retention: DEFAULT_RETENTION,
        }
    }

    pub fn params(&self) -> &[f32] {
        &self.params
    }

    pub fn retention(&self) -> f32 {
        self.retention
    }

    /// Everything that decides a due date, as text: when it changes, the
    /// stored FSRS states are replayed again.
    pub fn signature(&self) -> String {
        let w: Vec<String> = self.params.iter().map(|w| format!("{w:.4}")).collect();
        format!("fsrs6 r={:.4} w={}", self.retention, w.join(","))
    }

    /// The memory after one review graded `grade`, `elapsed` days after the
    /// previous one (0 for a same-day review; `None` for a first review).
    pub fn step(&self, memory: Option<Memory>, elapsed: u32, grade: Grade) -> Memory {
        let first = memory.is_none();
        let next = self
            .fsrs
            .next_states(memory.map(Into::into), self.retention, elapsed)
            .ok()
            .map(|n| match rating(grade) {
                1 => n.again.memory,
                2 => n.hard.memory,
                3 => n.good.memory,
                _ => n.easy.memory,
            });
        // The crate refuses only non-finite states; a memory this model
        // produced is finite, so the fallbacks keep a card schedulable
        // rather than panicking on a case that does not occur.
        match (next, memory) {
            (Some(m), _) => m.into(),
            (None, Some(m)) if !first => m,
            _ => Memory {
                stability: 1.0,
                difficulty: 5.0,
            },
        }
    }

    /// The interval, in whole days, for a memory: where recall is expected
    /// to fall to the desired retention; at least a day.
    pub fn interval(&self, memory: Memory) -> u32 {
        let days = self
            .fsrs
            .next_interval(Some(memory.stability), self.retention, 3);
        if days.is_finite() {
            (days.round().max(1.0) as u64).min(u64::from(MAX_INTERVAL)) as u32
        } else {
            MAX_INTERVAL
        }
    }

    /// Probability of recall `elapsed` days after the last review.
    pub fn recall(&self, memory: Memory, elapsed: f32) -> f32 {
        let decay = self
            .params
            .get(20)
            .copied()
            .unwrap_or(::fsrs::FSRS6_DEFAULT_DECAY);
        ::fsrs::current_retrievability(memory.into(), elapsed.max(0.0), decay)
    }

    /// One review on top of `card` (`None` for a new card): its new state.
    /// A re-drill is an input to the memory but does not schedule.
    pub fn review(
        &self,
        card: Option<FsrsCard>,
        grade: Grade,
        day: Day,
        kind: ReviewKind,
    ) -> FsrsCard {
        let elapsed = card.map_or(0, |c| {
            u32::try_from((day - c.last_day).max(0)).unwrap_or(u32::MAX)
        });
        let memory = self.step(card.map(|c| c.memory), elapsed, grade);
        match card {
            Some(c) if kind == ReviewKind::Drill => FsrsCard {
                memory,
                last_day: day,
                ..c
            },
            _ => {
                let interval = self.interval(memory);
                FsrsCard {
                    memory,
                    last_day: day,
                    interval,
                    due: day + i64::from(interval),
                }
            }
        }
    }

    /// A card's state from its live reviews, (grade, day, kind) oldest
    /// first; `None` when it has none.
    pub fn replay(
        &self,
        reviews: impl IntoIterator<Item = (Grade, Day, ReviewKind)>,
    ) -> Option<FsrsCard> {
        reviews.into_iter().fold(None, |card, (grade, day, kind)| {
            Some(self.review(card, grade, day, kind))
        })
    }

    /// The interval each grade would give today: the previews on the keys.
    pub fn preview(&self, card: Option<FsrsCard>, grade: Grade, today: Day) -> u32 {
        self.review(card, grade, today, ReviewKind::Review).interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn g(v: u8) -> Grade {
        Grade::new(i64::from(v)).unwrap()
    }

    #[rstest]
    #[case(0, 1)]
    #[case(1, 1)]
    #[case(2, 1)]
    #[case(3, 2)]
    #[case(4, 3)]
    #[case(5, 4)]
    fn grades_map_to_ratings(#[case] grade: u8, #[case] expected: u32) {
        assert_eq!(rating(g(grade)), expected);
    }

    /// A new card's first review takes FSRS-6's initial stability for the
    /// rating (w0 … w3), and its interval at 90 % retention is that
    /// stability rounded: Again 0.212 → 1 day, Hard 1.2931 → 1, Good
    /// 2.3065 → 2, Easy 8.2956 → 8.
    #[rstest]
    #[case(1, 0.212, 1)]
    #[case(3, 1.2931, 1)]
    #[case(4, 2.3065, 2)]
    #[case(5, 8.2956, 8)]
    fn first_reviews_take_the_initial_stability(
        #[case] grade: u8,
        #[case] stability: f32,
        #[case] interval: u32,
    ) {
        let m = Model::default_model();
        let card = m.review(None, g(grade), 100, ReviewKind::New);
        assert!((card.memory.stability - stability).abs() < 1e-4, "{card:?}");
        assert_eq!(card.interval, interval);
        assert_eq!(card.due, 100 + i64::from(interval));
    }

    #[test]
    fn at_the_stability_recall_is_ninety_percent() {
        let m = Model::default_model();
        let memory = Memory {
            stability: 10.0,
            difficulty: 5.0,
        };
        assert!((m.recall(memory, 10.0) - 0.9).abs() < 1e-4);
        assert!((m.recall(memory, 0.0) - 1.0).abs() < 1e-6);
        assert!(m.recall(memory, 30.0) < m.recall(memory, 20.0));
    }

    #[test]
    fn a_drill_moves_the_memory_but_not_the_due_day() {
        let m = Model::default_model();
        let failed = m.review(None, g(1), 100, ReviewKind::New);
        let drilled = m.review(Some(failed), g(4), 100, ReviewKind::Drill);
        assert_eq!(
            (drilled.due, drilled.interval),
            (failed.due, failed.interval)
        );
        assert_ne!(drilled.memory, failed.memory);
    }

    #[test]
    fn successes_grow_the_interval_and_a_lapse_shrinks_it() {
        let m = Model::default_model();
        let mut card = m.review(None, g(4), 0, ReviewKind::New);
        let mut intervals = vec![card.interval];
        for _ in 0..4 {
            card = m.review(Some(card), g(4), card.due, ReviewKind::Review);
            intervals.push(card.interval);
        }
        assert!(intervals.windows(2).all(|w| w[1] > w[0]), "{intervals:?}");
        let lapsed = m.review(Some(card), g(1), card.due, ReviewKind::Review);
        assert!(lapsed.interval < card.interval / 4, "{lapsed:?}");
    }

    #[test]
    fn replay_is_the_same_as_reviewing_one_by_one() {
        let m = Model::default_model();
        let log = [
            (g(4), 0, ReviewKind::New),
            (g(2), 3, ReviewKind::Review),
            (g(4), 3, ReviewKind::Drill),
            (g(5), 5, ReviewKind::Review),
        ];
        let mut card = None;
        for (grade, day, kind) in log {
            card = Some(m.review(card, grade, day, kind));
        }
        assert_eq!(m.replay(log), card);
        assert_eq!(m.replay([]), None);
    }

    #[rstest]
    #[case(&[0.5; 20], "21 finite numbers")]
    #[case(&[f32::NAN; 21], "21 finite numbers")]
    fn bad_parameters_are_refused(#[case] params: &[f32], #[case] expected: &str) {
        let e = Model::new(params, 0.9).unwrap_err();
        assert!(e.contains(expected), "{e}");
    }

    #[rstest]
    #[case(0.5)]
    #[case(1.0)]
    #[case(f32::NAN)]
    fn retention_out_of_range_is_refused(#[case] r: f32) {
        assert!(
            Model::new(&DEFAULT_PARAMETERS, r)
                .unwrap_err()
                .contains("desired_retention")
        );
    }

    #[test]
    fn a_higher_retention_gives_shorter_intervals() {
        let strict = Model::new(&DEFAULT_PARAMETERS, 0.95).unwrap();
        let loose = Model::new(&DEFAULT_PARAMETERS, 0.8).unwrap();
        let memory = Memory {
            stability: 20.0,
            difficulty: 5.0,
        };
        assert!(strict.interval(memory) < 20 && loose.interval(memory) > 20);
        assert_eq!(Model::default_model().interval(memory), 20);
    }
}
