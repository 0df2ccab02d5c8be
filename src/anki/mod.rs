//! The Anki round trip's rules, as pure functions: which Anki ids, GUIDs,
//! buttons and card states stand for mastery's cards and reviews, and which
//! Anki reviews come back as grades. Writing and reading the Anki
//! collection itself is the store's (`store::anki`); the package around it
//! is `package`'s.

pub mod collection;
pub mod export;
pub mod fields;
pub mod package;

use crate::clock::Day;
use crate::scheduler::ReviewKind;

/// The Anki note (and card) GUID of a mastery card: a hash of its id, so a
/// re-export updates the notes an earlier one created instead of adding
/// new ones. Anki allows any text; this keeps to `[A-Za-z0-9_-]`.
pub fn guid(card_key: &str) -> String {
    const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut hash = xxhash_rust::xxh3::xxh3_64(card_key.as_bytes());
    let mut out = String::from("m");
    for _ in 0..11 {
        out.push(char::from(DIGITS[(hash & 63) as usize]));
        hash >>= 6;
    }
    out
}

/// An Anki object id for `what` (a card, deck or note type), stable across
/// exports. Anki's ids are creation times in milliseconds, and its Check
/// Database renumbers one that lies in the future; these lie in 2001–2017.
pub fn object_id(what: &str) -> i64 {
    const BASE: i64 = 1_000_000_000_000;
    const SPAN: u64 = 500_000_000_000;
    BASE + (xxhash_rust::xxh3::xxh3_64(what.as_bytes()) % SPAN) as i64
}

/// Anki's answer button for a mastery grade: 0–2 Again, 3 Hard, 4 Good,
/// 5 Easy. Anki's four buttons are FSRS's four ratings, so this is FSRS's
/// mapping.
pub fn button(grade: u8) -> u8 {
    crate::scheduler::Grade::new(i64::from(grade))
        .map_or(1, |g| crate::fsrs::model::rating(g) as u8)
}

/// The mastery grade an Anki button stands for: Again 1, Hard 3, Good 4,
/// Easy 5. Again is 1, not 0: a failed recall that was still attempted.
pub fn grade(button: i64) -> Option<u8> {
    match button {
        1 => Some(1),
        2 => Some(3),
        3 => Some(4),
        4 => Some(5),
        _ => None,
    }
}

/// Anki's revlog `type` for a mastery review: 0 learning, 1 review,
/// 2 relearning.
pub fn revlog_type(kind: ReviewKind, failed_before: bool, first_day: bool) -> i64 {
    match kind {
        ReviewKind::New => 0,
        ReviewKind::Review if failed_before => 2,
        ReviewKind::Review => 1,
        // A same-day repeat: still learning on the day the card was first
        // seen, relearning after that.
        _ if first_day => 0,
        _ => 2,
    }
}

/// The longest an answer counts for, as Anki caps it by default (60 s):
/// on export, and on import, where a stuck timer must not add hours.
pub const MAX_MS: i64 = 60_000;

/// One entry of an Anki collection's review log, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnkiReview {
    /// Milliseconds since 1970: when it was answered, and its identity.
    pub id: i64,
    pub card: i64,
    pub button: i64,
    pub interval: i64,
    pub factor: i64,
    pub ms: i64,
    pub kind: i64,
}

/// What an import does with one Anki review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A recall graded `grade`: appended to the log.
    Recall(u8),
    /// A reschedule, reset or "set due date" (type 4 or 5, or no button):
    /// not a recall.
    Manual,
    /// A review in a filtered deck that did not reschedule (type 3 with no
    /// interval): a cram, not a recall that counts.
    Cram,
}

/// Whether an Anki review is a recall to bring back, and its grade.
pub fn verdict(r: &AnkiReview) -> Verdict {
    match (r.kind, grade(r.button)) {
        (4 | 5, _) | (_, None) => Verdict::Manual,
        // Anki logs a preview in a filtered deck that keeps the schedule as
        // type 3 with no interval, or with the preview's delay as negative
        // seconds; older Anki's early reviews that did reschedule carry an
        // interval in days.
        (3, _) if r.interval <= 0 => Verdict::Cram,
        (_, Some(g)) => Verdict::Recall(g),
    }
}

/// The day Anki's collection was "created", as the day count it keeps its
/// due days from: 2000-01-01. With the study day's rollover hour and time
/// zone written into the collection, Anki's day number is mastery's minus
/// this, on either side of an import.
pub const CREATED: Day = 10_957;

/// A review card's due in Anki: days since `CREATED`.
pub fn anki_due(due: Day) -> i64 {
    due - CREATED
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn guids_are_stable_short_and_safe() {
        let g = guid("m01-hooks/c-2");
        assert_eq!(g, guid("m01-hooks/c-2"));
        assert_ne!(g, guid("m01-hooks/c-0"));
        assert_eq!(g.len(), 12);
        assert!(
            g.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{g}"
        );
    }

    #[test]
    fn object_ids_lie_in_anki_s_millisecond_range() {
        for what in ["deck:01-internals", "card:x", ""] {
            let id = object_id(what);
            // 2001-09-09 to 2017-07-14: never in the future.
            assert!((1_000_000_000_000..1_500_000_000_000).contains(&id), "{id}");
        }
    }

    #[rstest]
    #[case(1, Some(1))]
    #[case(2, Some(3))]
    #[case(3, Some(4))]
    #[case(4, Some(5))]
    #[case(0, None)]
    #[case(5, None)]
    #[case(-1, None)]
    fn buttons_map_back_to_grades(#[case] b: i64, #[case] g: Option<u8>) {
        assert_eq!(grade(b), g);
    }

    #[test]
    fn a_button_survives_the_round_trip() {
        for b in 1..=4 {
            assert_eq!(button(grade(b).unwrap()), b as u8);
        }
    }

    fn review(kind: i64, button: i64, interval: i64) -> AnkiReview {
        AnkiReview {
            id: 1,
            card: 1,
            button,
            interval,
            factor: 2500,
            ms: 5000,
            kind,
        }
    }

    #[rstest]
    #[case(review(0, 3, -600), Verdict::Recall(4))]
    #[case(review(1, 1, 1), Verdict::Recall(1))]
    #[case(review(2, 4, 3), Verdict::Recall(5))]
    #[case(review(3, 3, 5), Verdict::Recall(4))]
    #[case(review(3, 3, 0), Verdict::Cram)]
    #[case(review(3, 1, -60), Verdict::Cram)]
    #[case(review(3, 2, -600), Verdict::Cram)]
    #[case(review(4, 0, 10), Verdict::Manual)]
    #[case(review(5, 3, 10), Verdict::Manual)]
    #[case(review(1, 0, 10), Verdict::Manual)]
    fn reviews_are_sorted_into_recalls_and_the_rest(#[case] r: AnkiReview, #[case] v: Verdict) {
        assert_eq!(verdict(&r), v);
    }

    #[rstest]
    #[case(ReviewKind::New, false, true, 0)]
    #[case(ReviewKind::Review, false, false, 1)]
    #[case(ReviewKind::Review, true, false, 2)]
    #[case(ReviewKind::Drill, false, true, 0)]
    #[case(ReviewKind::Drill, true, false, 2)]
    fn revlog_types(
        #[case] kind: ReviewKind,
        #[case] failed: bool,
        #[case] first: bool,
        #[case] t: i64,
    ) {
        assert_eq!(revlog_type(kind, failed, first), t);
    }
}
