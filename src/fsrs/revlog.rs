//! Anki's review log as CSV (`id,cid,usn,ease,ivl,lastIvl,factor,time,type`,
//! as srs-benchmark's datasets and Anki's revlog table have it), read into
//! the evaluation's reviews: the protocol's step 1 (drop manual and cram
//! rows) and step 3 (study days in the learner's time zone).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::eval::Review;
use crate::clock::study_day;
use crate::error::{Diag, Error, Result};
use crate::scheduler::Grade;

/// Where the study day starts: a time zone and the rollover hour.
#[derive(Debug, Clone, Copy)]
pub struct DayRule {
    pub zone: Tz,
    pub rollover_hour: u32,
}

/// What was read and what was left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Revlog {
    pub reviews: Vec<Review>,
    /// Manual rows (ease 0, type 4 or 5) and cram rows (factor 0).
    pub skipped: usize,
}

/// A time zone name (`Europe/Berlin`, `UTC`), with a hint when unknown.
pub fn parse_zone(name: &str) -> std::result::Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        format!(
            "unknown time zone '{}': use an IANA name such as UTC, Europe/Berlin or America/New_York",
            crate::render::sanitize(name)
        )
    })
}

const COLUMNS: [&str; 9] = [
    "id", "cid", "usn", "ease", "ivl", "lastIvl", "factor", "time", "type",
];

/// Parses the CSV text of `path` (named in errors as `file:line`).
pub fn parse(path: &str, text: &str, rule: DayRule) -> Result<Revlog> {
    let mut out = Revlog::default();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line
            .split(',')
            .map(|f| f.trim().trim_matches('"'))
            .collect();
        if n == 1 && fields.first() == Some(&"id") {
            if fields != COLUMNS {
                return Err(bad(
                    path,
                    n,
                    format!(
                        "the header must be {}, not {}",
                        COLUMNS.join(","),
                        crate::render::sanitize(line)
                    ),
                ));
            }
            continue;
        }
        if fields.len() != COLUMNS.len() {
            return Err(bad(
                path,
                n,
                format!(
                    "expected {} comma-separated columns ({}), found {}",
                    COLUMNS.len(),
                    COLUMNS.join(","),
                    fields.len()
                ),
            ));
        }
        let mut v = [0i64; 9];
        for (k, f) in fields.iter().enumerate() {
            v[k] = f.parse::<i64>().map_err(|_| {
                bad(
                    path,
                    n,
                    format!(
                        "column {} must be a whole number, not '{}'",
                        COLUMNS[k],
                        crate::render::sanitize(f)
                    ),
                )
            })?;
        }
        let [id, cid, _usn, ease, _ivl, _last, factor, _time, kind] = v;
        if !(0..=5).contains(&kind) {
            return Err(bad(path, n, format!("type must be 0 to 5, not {kind}")));
        }
        if !(0..=4).contains(&ease) {
            return Err(bad(
                path,
                n,
                format!("ease (the button) must be 0 to 4, not {ease}"),
            ));
        }
        // Step 1: manual reschedules and cram reviews are not recalls.
        if ease == 0 || kind == 4 || kind == 5 || (kind == 3 && factor == 0) {
            out.skipped += 1;
            continue;
        }
        let instant = DateTime::<Utc>::from_timestamp_millis(id)
            .filter(|t| crate::clock::YEARS.contains(&chrono::Datelike::year(t)))
            .ok_or_else(|| {
                bad(
                    path,
                    n,
                    format!(
                        "id {id} is not a review time in epoch milliseconds between 1970 and 3000"
                    ),
                )
            })?;
        let grade = Grade::new(ease + 1).unwrap_or(Grade::HESITANT);
        out.reviews.push(Review {
            card: cid,
            order: id,
            day: study_day(&rule.zone, instant, rule.rollover_hour),
            grade,
            learning: kind == 0,
        });
    }
    Ok(out)
}

fn bad(path: &str, line: usize, message: String) -> Error {
    Error::Invalid(Diag::new(path, line, message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn rule(zone: &str, hour: u32) -> DayRule {
        DayRule {
            zone: parse_zone(zone).unwrap(),
            rollover_hour: hour,
        }
    }

    #[test]
    fn rows_become_reviews_and_manual_rows_are_skipped() {
        // 2026-03-02T02:30Z and 2026-03-02T05:00Z, then a manual row and a
        // cram row.
        let text = "id,cid,usn,ease,ivl,lastIvl,factor,time,type\n\
                    1772418600000,7,-1,3,-600,0,0,5000,0\n\
                    1772427600000,7,-1,1,1,-600,2500,4000,1\n\
                    1772427700000,7,-1,0,3,1,2500,0,4\n\
                    1772427800000,7,-1,3,0,0,0,3000,3\n";
        let log = parse("r.csv", text, rule("UTC", 4)).unwrap();
        assert_eq!(log.skipped, 2);
        let days: Vec<(i64, u8, bool)> = log
            .reviews
            .iter()
            .map(|r| (r.day, r.grade.value(), r.learning))
            .collect();
        // 02:30 is before the 04:00 rollover: still 2026-03-01 (day 20513).
        assert_eq!(days, [(20513, 4, true), (20514, 2, false)]);
    }

    #[test]
    fn the_time_zone_moves_the_day() {
        let text = "1772418600000,7,-1,3,1,0,2500,5000,0\n";
        // 02:30 UTC is 11:30 in Tokyo: 2026-03-02.
        let tokyo = parse("r.csv", text, rule("Asia/Tokyo", 4)).unwrap();
        assert_eq!(tokyo.reviews[0].day, 20514);
    }

    #[rstest]
    #[case("1,2,3\n", "r.csv:1: expected 9 comma-separated columns")]
    #[case("id,cid\n", "r.csv:1: the header must be")]
    #[case(
        "\n1772418600000,x,-1,3,1,0,2500,5000,0\n",
        "r.csv:2: column cid must be a whole number, not 'x'"
    )]
    #[case(
        "1772418600000,7,-1,9,1,0,2500,5000,0\n",
        "r.csv:1: ease (the button) must be 0 to 4, not 9"
    )]
    #[case(
        "1772418600000,7,-1,3,1,0,2500,5000,8\n",
        "r.csv:1: type must be 0 to 5, not 8"
    )]
    #[case(
        "99999999999999999,7,-1,3,1,0,2500,5000,0\n",
        "r.csv:1: id 99999999999999999 is not a review time"
    )]
    #[case(
        "99999999999999999999,7,-1,3,1,0,2500,5000,0\n",
        "r.csv:1: column id must be a whole number"
    )]
    fn malformed_rows_name_the_line(#[case] text: &str, #[case] expected: &str) {
        let e = parse("r.csv", text, rule("UTC", 4))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with(expected), "{e}");
    }

    #[test]
    fn unknown_zones_suggest_names() {
        assert!(
            parse_zone("Mars/Olympus")
                .unwrap_err()
                .contains("IANA name")
        );
    }
}
