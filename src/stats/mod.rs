//! Progress against the program's success metrics: per-module mastery,
//! patterns learned, hours, streaks, a due forecast and a review heatmap.

pub mod render;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::clock::{Day, format_day};
use crate::error::Result;
use crate::store::{DeckCounts, DeckInfo, DeckQuiz, Retention, StatsScope, Store};

pub const MODULES: u8 = 8;
/// A module is mastered when this share of its cards is mature…
pub const MASTERED_MATURE_PERCENT: i64 = 80;
/// …and its 30-day retention reaches this.
pub const MASTERED_RETENTION_PERCENT: i64 = 85;
pub const RETENTION_DAYS: i64 = 30;
/// A pattern is learned when all its cards have at least this interval.
pub const PATTERN_LEARNED_DAYS: i64 = 6;
pub const FORECAST_DAYS: i64 = 14;
pub const HEATMAP_WEEKS: i64 = 16;

/// Whether a module is mastered, from its counts and 30-day retention.
pub fn is_mastered(counts: &DeckCounts, retention: Retention) -> bool {
    counts.cards > 0
        && counts.mature * 100 >= MASTERED_MATURE_PERCENT * counts.cards
        && retention.graded > 0
        && retention.passed * 100 >= MASTERED_RETENTION_PERCENT * retention.graded
}

pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (1000.0 * part as f64 / whole as f64).round() / 10.0)
}

/// The current streak (ending today, or yesterday when today has no
/// activity yet) and the longest one, in study days.
pub fn streaks(days: &[Day], today: Day) -> (i64, i64) {
    let mut longest = 0;
    let mut run = 0;
    let mut last: Option<Day> = None;
    for &d in days {
        run = if last == Some(d - 1) {
            run + 1
        } else if last == Some(d) {
            run
        } else {
            1
        };
        longest = longest.max(run);
        last = Some(d);
    }
    let current = match last {
        Some(d) if d == today || d == today - 1 => run,
        _ => 0,
    };
    (current, longest)
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct QuizScore {
    pub quiz: i64,
    pub score: f64,
    pub correct: i64,
    pub asked: i64,
    pub date: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    pub name: String,
    pub module: Option<u8>,
    pub category: Option<String>,
    pub cards: i64,
    pub new: i64,
    pub learning: i64,
    pub mature: i64,
    pub due_today: i64,
    pub retention_30d: Option<f64>,
    pub average_ease: Option<f64>,
    pub mastery: Option<f64>,
    pub mastered: bool,
    /// The newest complete quiz: a quiz stopped early gives no verdict.
    pub last_quiz: Option<QuizScore>,
    /// A quiz newer than `last_quiz` that was stopped early, shown as such.
    pub incomplete_quiz: Option<QuizScore>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Program {
    pub modules_mastered: usize,
    pub modules_total: u8,
    pub patterns_learned: i64,
    pub patterns_total: i64,
    pub hours: f64,
    pub current_streak: i64,
    pub longest_streak: i64,
    pub last_quiz_by_module: BTreeMap<u8, Option<QuizScore>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DayCount {
    pub date: String,
    #[serde(skip)]
    pub day: Day,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Heatmap {
    pub start: String,
    pub end: String,
    pub busiest: Option<DayCount>,
    pub days: Vec<DayCount>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    pub today: String,
    pub program: Program,
    pub modules: Vec<Row>,
    pub categories: Vec<Row>,
    pub forecast: Vec<DayCount>,
    pub heatmap: Heatmap,
}

fn add(total: &mut DeckCounts, c: &DeckCounts) {
    total.cards += c.cards;
    total.new += c.new;
    total.learning += c.learning;
    total.mature += c.mature;
    total.due += c.due;
    total.ease_sum += c.ease_sum;
    total.reviewed += c.reviewed;
}

/// Sums a set of decks' figures into one row.
struct Group {
    counts: DeckCounts,
    retention: Retention,
    deck_ids: Vec<i64>,
}

fn row(
    name: String,
    module: Option<u8>,
    category: Option<String>,
    g: &Group,
    quizzes: &[(i64, DeckQuiz)],
) -> Row {
    Row {
        name,
        module,
        category,
        cards: g.counts.cards,
        new: g.counts.new,
        learning: g.counts.learning,
        mature: g.counts.mature,
        due_today: g.counts.due,
        retention_30d: percent(g.retention.passed, g.retention.graded),
        average_ease: (g.counts.reviewed > 0)
            .then(|| (g.counts.ease_sum as f64 / g.counts.reviewed as f64).round() / 100.0),
        mastery: percent(g.counts.mature, g.counts.cards),
        mastered: is_mastered(&g.counts, g.retention),
        last_quiz: last_quiz(&g.deck_ids, quizzes, true),
        incomplete_quiz: last_quiz(&g.deck_ids, quizzes, false)
            .filter(|q| last_quiz(&g.deck_ids, quizzes, true).is_none_or(|c| c.quiz < q.quiz)),
    }
}

/// The newest complete (or incomplete) quiz that asked about any of these
/// decks, scored on them.
fn last_quiz(deck_ids: &[i64], quizzes: &[(i64, DeckQuiz)], complete: bool) -> Option<QuizScore> {
    let newest = quizzes
        .iter()
        .find(|(d, q)| deck_ids.contains(d) && q.complete == complete)?
        .1
        .quiz;
    let mine: Vec<&DeckQuiz> = quizzes
        .iter()
        .filter(|(d, q)| q.quiz == newest && deck_ids.contains(d))
        .map(|(_, q)| q)
        .collect();
    let correct = mine.iter().map(|q| q.correct).sum();
    let asked = mine.iter().map(|q| q.asked).sum();
    let day = mine.iter().map(|q| q.day).max().unwrap_or_default();
    Some(QuizScore {
        quiz: newest,
        score: percent(correct, asked).unwrap_or(0.0),
        correct,
        asked,
        // The study day, local and after the rollover hour, as every other
        // date mastery shows; not the UTC date of the stamp.
        date: format_day(day),
    })
}

/// Every figure, over the decks of `module` (or all) and, with `cards`,
/// only those cards (a search query's).
pub fn compute(
    store: &Store,
    today: Day,
    module: Option<u8>,
    cards: Option<&[i64]>,
) -> Result<Stats> {
    let mut decks: Vec<DeckInfo> = store
        .decks()?
        .into_iter()
        .filter(|d| module.is_none_or(|m| d.module == Some(m)))
        .collect();
    let ids: Vec<i64> = decks.iter().map(|d| d.id).collect();
    let scope = StatsScope {
        decks: module.map(|_| ids.as_slice()),
        cards,
    };
    let counts = store.deck_counts(today, scope)?;
    if cards.is_some() {
        // A query's figures are about its decks only.
        decks.retain(|d| counts.contains_key(&d.id));
    }
    let retention = store.retention_since(today - RETENTION_DAYS, scope)?;
    let quizzes = store.quiz_results_by_deck(scope)?;
    let mut modules: BTreeMap<u8, (String, Group)> = BTreeMap::new();
    let mut categories: BTreeMap<String, Group> = BTreeMap::new();
    for deck in &decks {
        let c = counts.get(&deck.id).cloned().unwrap_or_default();
        let r = retention.get(&deck.id).copied().unwrap_or_default();
        let mut target = match (deck.module, &deck.category) {
            (Some(m), _) => Some(
                &mut modules
                    .entry(m)
                    .or_insert_with(|| (deck.title.clone(), empty()))
                    .1,
            ),
            (None, Some(cat)) => Some(categories.entry(cat.clone()).or_insert_with(empty)),
            (None, None) => None,
        };
        if let Some(g) = target.as_mut() {
            add(&mut g.counts, &c);
            g.retention.graded += r.graded;
            g.retention.passed += r.passed;
            g.deck_ids.push(deck.id);
        }
    }
    let module_rows: Vec<Row> = modules
        .iter()
        .map(|(m, (title, g))| row(title.clone(), Some(*m), None, g, &quizzes))
        .collect();
    let category_rows: Vec<Row> = categories
        .iter()
        .map(|(cat, g)| row(cat.clone(), None, Some(cat.clone()), g, &quizzes))
        .collect();
    let (patterns_learned, patterns_total) = store
        .patterns_learned(PATTERN_LEARNED_DAYS, scope)?
        .iter()
        .fold((0, 0), |(l, t), (_, learned, total)| {
            (l + learned, t + total)
        });
    let reviews = store.review_days(scope)?;
    let quizzes_by_day = store.quiz_days(scope)?;
    let mut active: Vec<Day> = reviews
        .keys()
        .chain(quizzes_by_day.keys())
        .copied()
        .collect();
    active.sort_unstable();
    active.dedup();
    let (current_streak, longest_streak) = streaks(&active, today);
    let millis: i64 = reviews
        .values()
        .chain(quizzes_by_day.values())
        .map(|(_, ms)| ms)
        .sum();
    let program = Program {
        modules_mastered: module_rows.iter().filter(|r| r.mastered).count(),
        modules_total: MODULES,
        patterns_learned,
        patterns_total,
        hours: (millis as f64 / 36_000.0).round() / 100.0,
        current_streak,
        longest_streak,
        last_quiz_by_module: module_rows
            .iter()
            .filter_map(|r| Some((r.module?, r.last_quiz.clone())))
            .collect(),
    };
    let due = store.forecast(today, FORECAST_DAYS, scope)?;
    let forecast = (0..FORECAST_DAYS)
        .map(|i| day_count(today + i, &due))
        .collect();
    let start = today - HEATMAP_WEEKS * 7 + 1;
    let per_day: HashMap<Day, i64> = reviews
        .range(start..=today)
        .map(|(d, (n, _))| (*d, *n))
        .collect();
    let days: Vec<DayCount> = (start..=today).map(|d| day_count(d, &per_day)).collect();
    let busiest = days
        .iter()
        .filter(|d| d.count > 0)
        .max_by_key(|d| (d.count, -d.day))
        .cloned();
    Ok(Stats {
        today: format_day(today),
        program,
        modules: module_rows,
        categories: category_rows,
        forecast,
        heatmap: Heatmap {
            start: format_day(start),
            end: format_day(today),
            busiest,
            days,
        },
    })
}

fn empty() -> Group {
    Group {
        counts: DeckCounts::default(),
        retention: Retention::default(),
        deck_ids: Vec::new(),
    }
}

fn day_count(day: Day, counts: &HashMap<Day, i64>) -> DayCount {
    DayCount {
        date: format_day(day),
        day,
        count: counts.get(&day).copied().unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn counts(cards: i64, mature: i64) -> DeckCounts {
        DeckCounts {
            cards,
            mature,
            ..DeckCounts::default()
        }
    }

    #[rstest]
    #[case::all_mature_good_retention(counts(10, 10), Retention { graded: 20, passed: 17 }, true)]
    #[case::eighty_percent_exactly(counts(10, 8), Retention { graded: 100, passed: 85 }, true)]
    #[case::too_few_mature(counts(10, 7), Retention { graded: 20, passed: 20 }, false)]
    #[case::retention_just_short(counts(10, 10), Retention { graded: 100, passed: 84 }, false)]
    #[case::no_recent_grades(counts(10, 10), Retention { graded: 0, passed: 0 }, false)]
    #[case::empty_module(counts(0, 0), Retention { graded: 5, passed: 5 }, false)]
    fn mastered(#[case] c: DeckCounts, #[case] r: Retention, #[case] expected: bool) {
        assert_eq!(is_mastered(&c, r), expected);
    }

    #[rstest]
    #[case(17, 20, Some(85.0))]
    #[case(2, 3, Some(66.7))]
    #[case(0, 0, None)]
    fn retention_percent(#[case] part: i64, #[case] whole: i64, #[case] expected: Option<f64>) {
        assert_eq!(percent(part, whole), expected);
    }

    #[rstest]
    #[case::none(&[], 100, (0, 0))]
    #[case::today_only(&[100], 100, (1, 1))]
    #[case::through_yesterday(&[97, 98, 99], 100, (3, 3))]
    #[case::broken_by_a_gap(&[90, 91, 92, 93, 98, 99, 100], 100, (3, 4))]
    #[case::lapsed(&[90, 91], 100, (0, 2))]
    #[case::duplicates(&[99, 99, 100], 100, (2, 2))]
    fn streak_runs(#[case] days: &[Day], #[case] today: Day, #[case] expected: (i64, i64)) {
        assert_eq!(streaks(days, today), expected);
    }

    /// Sessions are placed on study days by local time and the 04:00
    /// rollover, so a 01:30 session extends yesterday's streak, and a DST
    /// switch does not open a gap.
    #[rstest]
    #[case::late_night_counts_for_the_day_before(&["2026-03-02T20:00:00Z", "2026-03-04T01:30:00Z", "2026-03-04T20:00:00Z"], "Etc/UTC", (3, 3))]
    #[case::across_spring_forward(&["2026-03-28T10:00:00Z", "2026-03-29T02:30:00Z", "2026-03-30T10:00:00Z"], "Europe/Paris", (3, 3))]
    // 02:30 UTC on the fall-back night is 03:30 CET, before the rollover:
    // it belongs to the 24th, so the 26th starts a new streak.
    #[case::across_fall_back(&["2026-10-24T10:00:00Z", "2026-10-25T02:30:00Z", "2026-10-26T10:00:00Z"], "Europe/Paris", (1, 1))]
    fn streaks_follow_the_study_day(
        #[case] instants: &[&str],
        #[case] zone: &str,
        #[case] expected: (i64, i64),
    ) {
        let tz = zone_offsets(zone);
        let days: Vec<Day> = instants
            .iter()
            .map(|t| crate::clock::study_day(&tz, crate::clock::parse_now(t).unwrap(), 4))
            .collect();
        let today = *days.last().unwrap();
        assert_eq!(streaks(&days, today), expected, "{days:?}");
    }

    /// Europe/Paris rules for 2026 as a fixed-rule zone (CET/CEST), so the
    /// test does not depend on the machine's tz database.
    fn zone_offsets(zone: &str) -> Paris {
        Paris {
            utc: zone == "Etc/UTC",
        }
    }

    #[derive(Clone, Copy)]
    struct Paris {
        utc: bool,
    }

    impl chrono::TimeZone for Paris {
        type Offset = chrono::FixedOffset;
        fn from_offset(_: &chrono::FixedOffset) -> Self {
            Paris { utc: false }
        }
        fn offset_from_local_date(
            &self,
            _: &chrono::NaiveDate,
        ) -> chrono::LocalResult<chrono::FixedOffset> {
            chrono::LocalResult::None
        }
        fn offset_from_local_datetime(
            &self,
            _: &chrono::NaiveDateTime,
        ) -> chrono::LocalResult<chrono::FixedOffset> {
            chrono::LocalResult::None
        }
        fn offset_from_utc_date(&self, d: &chrono::NaiveDate) -> chrono::FixedOffset {
            self.offset_from_utc_datetime(&d.and_hms_opt(12, 0, 0).unwrap_or_default())
        }
        fn offset_from_utc_datetime(&self, t: &chrono::NaiveDateTime) -> chrono::FixedOffset {
            use chrono::NaiveDate;
            let summer_start =
                NaiveDate::from_ymd_opt(2026, 3, 29).and_then(|d| d.and_hms_opt(1, 0, 0));
            let summer_end =
                NaiveDate::from_ymd_opt(2026, 10, 25).and_then(|d| d.and_hms_opt(1, 0, 0));
            let summer = Some(*t) >= summer_start && Some(*t) < summer_end;
            let hours = if self.utc {
                0
            } else if summer {
                2
            } else {
                1
            };
            chrono::FixedOffset::east_opt(hours * 3600).unwrap_or_else(|| unreachable!())
        }
    }
}
