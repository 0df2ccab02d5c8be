//! The one clock. `MASTERY_NOW` (RFC 3339) overrides the system time, and
//! study days roll over at a configurable local hour rather than midnight.

use chrono::{DateTime, Datelike, Duration, Local, NaiveDate, TimeZone, Utc};

use crate::error::{Diag, Error, Result};

pub const NOW_VAR: &str = "MASTERY_NOW";

/// Days since 1970-01-01 of a study day's calendar date.
pub type Day = i64;

const EPOCH_FROM_CE: i64 = 719_163;

/// Where "now" comes from. A long session reads the system clock at every
/// grade, so a grade given after the 04:00 rollover is filed under the new
/// study day; `MASTERY_NOW` pins one instant for the whole run.
#[derive(Debug, Clone)]
enum Now {
    System,
    Fixed(DateTime<Utc>),
    /// Tests: each reading returns the next instant, `step` later.
    #[cfg(test)]
    Ticking {
        next: std::rc::Rc<std::cell::Cell<DateTime<Utc>>>,
        step: Duration,
    },
}

#[derive(Debug, Clone)]
pub struct Clock {
    now: Now,
    rollover_hour: u32,
    /// Study days in UTC rather than local time: for tests and benchmarks
    /// that must not depend on the machine's time zone.
    utc: bool,
}

impl Clock {
    /// A clock pinned to `now`.
    pub fn new(now: DateTime<Utc>, rollover_hour: u32) -> Self {
        Clock {
            now: Now::Fixed(now),
            rollover_hour,
            utc: false,
        }
    }

    /// A clock pinned to `now`, with study days in UTC.
    pub fn utc(now: DateTime<Utc>, rollover_hour: u32) -> Self {
        Clock {
            utc: true,
            ..Clock::new(now, rollover_hour)
        }
    }

    /// A UTC clock that moves `step` on at every reading, for tests of long
    /// sessions.
    #[cfg(test)]
    pub fn ticking(start: DateTime<Utc>, step: Duration, rollover_hour: u32) -> Self {
        Clock {
            now: Now::Ticking {
                next: std::rc::Rc::new(std::cell::Cell::new(start)),
                step,
            },
            rollover_hour,
            utc: true,
        }
    }

    /// Reads `MASTERY_NOW`, falling back to the system clock.
    pub fn from_env(rollover_hour: u32) -> Result<Self> {
        let now = match std::env::var(NOW_VAR) {
            Ok(text) => Now::Fixed(parse_now(&text)?),
            Err(_) => Now::System,
        };
        Ok(Clock {
            now,
            rollover_hour,
            utc: false,
        })
    }

    /// The current instant: read afresh each time unless pinned.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.now {
            Now::System => Utc::now(),
            Now::Fixed(t) => *t,
            #[cfg(test)]
            Now::Ticking { next, step } => {
                let t = next.get();
                next.set(t + *step);
                t
            }
        }
    }

    /// An instant as stored in the database.
    pub fn stamp_of(instant: DateTime<Utc>) -> String {
        instant.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    /// The current instant as stored in the database.
    pub fn stamp(&self) -> String {
        Clock::stamp_of(self.now())
    }

    /// The local hour at which a study day starts.
    pub fn rollover_hour(&self) -> u32 {
        self.rollover_hour
    }

    /// How far the study days' time zone is behind UTC at `instant`, in
    /// minutes (Anki's "minutes west").
    pub fn minutes_west(&self, instant: DateTime<Utc>) -> i32 {
        if self.utc {
            0
        } else {
            -instant.with_timezone(&Local).offset().local_minus_utc() / 60
        }
    }

    pub fn today(&self) -> Day {
        self.day_of(self.now())
    }

    /// The study day of a stored stamp; `None` if it is not RFC 3339.
    pub fn day_of_stamp(&self, stamp: &str) -> Option<Day> {
        let instant = DateTime::parse_from_rfc3339(stamp).ok()?;
        Some(self.day_of(instant.with_timezone(&Utc)))
    }

    pub fn day_of(&self, instant: DateTime<Utc>) -> Day {
        if self.utc {
            study_day(&Utc, instant, self.rollover_hour)
        } else {
            study_day(&Local, instant, self.rollover_hour)
        }
    }
}

/// The study day of an instant in a time zone: the local date, shifted back
/// by the rollover hour so that a 01:00 session still counts as yesterday.
pub fn study_day<Tz: TimeZone>(tz: &Tz, instant: DateTime<Utc>, rollover_hour: u32) -> Day {
    let local = instant.with_timezone(tz).naive_local() - Duration::hours(i64::from(rollover_hour));
    i64::from(local.date().num_days_from_ce()) - EPOCH_FROM_CE
}

/// Years a clock may be set to: a review log from outside them is a typo,
/// and it would push due dates out of any useful range.
pub const YEARS: std::ops::Range<i32> = 1970..3000;

pub fn parse_now(text: &str) -> Result<DateTime<Utc>> {
    let bad = |why: String| Error::Invalid(Diag::new(NOW_VAR, 0, why));
    let now = DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            bad(format!(
                "'{text}' is not an RFC 3339 instant ({e}); use e.g. 2026-01-31T09:00:00Z"
            ))
        })?;
    if !YEARS.contains(&now.year()) {
        // The years are UTC years: an instant written with an offset may
        // fall in another year there, so say which instant was checked.
        let utc = now.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let shown = if utc == text.trim() {
            format!("'{text}' is")
        } else {
            format!("'{text}' is {utc} in UTC,")
        };
        return Err(bad(format!(
            "{shown} outside the years {} to {}; use a current instant such as 2026-01-31T09:00:00Z",
            YEARS.start,
            YEARS.end - 1
        )));
    }
    Ok(now)
}

/// The calendar date of a study day, if it is representable.
pub fn date_of(day: Day) -> Option<NaiveDate> {
    let ce = i32::try_from(day.checked_add(EPOCH_FROM_CE)?).ok()?;
    NaiveDate::from_num_days_from_ce_opt(ce)
}

/// A study day as `YYYY-MM-DD`, or a plain day number when out of range.
pub fn format_day(day: Day) -> String {
    match date_of(day) {
        Some(d) => d.format("%Y-%m-%d").to_string(),
        None => format!("day {day}"),
    }
}

pub fn day_from_date(date: NaiveDate) -> Day {
    i64::from(date.num_days_from_ce()) - EPOCH_FROM_CE
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;
    use rstest::rstest;

    #[rstest]
    #[case("2026-03-10T03:59:00Z", 4, "2026-03-09")]
    #[case("2026-03-10T04:00:00Z", 4, "2026-03-10")]
    #[case("2026-03-10T23:59:00Z", 4, "2026-03-10")]
    #[case("2026-03-10T00:30:00Z", 0, "2026-03-10")]
    fn rollover_in_utc(#[case] now: &str, #[case] hour: u32, #[case] expected: &str) {
        let day = study_day(&Utc, parse_now(now).unwrap(), hour);
        assert_eq!(format_day(day), expected);
    }

    #[test]
    fn local_offset_moves_the_day() {
        // 02:00 UTC is 21:00 the previous evening in UTC-5.
        let tz = FixedOffset::west_opt(5 * 3600).unwrap();
        let day = study_day(&tz, parse_now("2026-03-10T02:00:00Z").unwrap(), 4);
        assert_eq!(format_day(day), "2026-03-09");
    }

    #[test]
    fn bad_now_names_the_variable() {
        let err = parse_now("yesterday").unwrap_err().to_string();
        assert!(
            err.starts_with("MASTERY_NOW: 'yesterday' is not an RFC 3339 instant"),
            "{err}"
        );
    }

    #[test]
    fn far_years_are_refused() {
        let err = parse_now("9999-12-31T00:00:00Z").unwrap_err().to_string();
        assert_eq!(
            err,
            "MASTERY_NOW: '9999-12-31T00:00:00Z' is outside the years 1970 to 2999; use a current instant such as 2026-01-31T09:00:00Z"
        );
        assert!(parse_now("2999-12-31T23:59:59Z").is_ok());
        let err = parse_now("2999-12-31T23:59:59-05:00")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "MASTERY_NOW: '2999-12-31T23:59:59-05:00' is 3000-01-01T04:59:59Z in UTC, outside the years 1970 to 2999; use a current instant such as 2026-01-31T09:00:00Z"
        );
    }

    #[test]
    fn far_days_format_without_panic() {
        assert_eq!(format_day(0), "1970-01-01");
        assert_eq!(format_day(i64::MAX), format!("day {}", i64::MAX));
    }
}
