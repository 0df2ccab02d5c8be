//! Synthetic decks and review history for the benchmarks: deterministic
//! for a seed, in mastery's own format, with a realistic mix of note kinds
//! and answer lengths.

use std::fmt::Write as _;
use std::path::Path;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::clock::Day;
use crate::error::Result;
use crate::scheduler::{CardState, Grade, schedule};
use crate::store::{ReviewKind, Store};

pub const CARDS_PER_FILE: usize = 100;

const WORDS: [&str; 24] = [
    "agent", "context", "hook", "subagent", "plan", "test", "review", "budget", "tool", "prompt",
    "summary", "cache", "session", "memory", "pattern", "debug", "trace", "commit", "branch",
    "skill", "server", "config", "guard", "loop",
];

fn words(rng: &mut StdRng, n: usize) -> String {
    (0..n)
        .map(|_| WORDS[rng.random_range(0..WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

/// One deck file of about `CARDS_PER_FILE` cards.
pub fn deck_text(seed: u64, file: usize) -> String {
    let mut rng = StdRng::seed_from_u64(seed ^ (file as u64).wrapping_mul(0x9e37_79b9));
    let mut text = format!(
        "+++\ntitle = \"Synthetic {file}\"\nmodule = {}\n+++\n",
        file % 8 + 1
    );
    let mut cards = 0;
    let mut note = 0;
    while cards < CARDS_PER_FILE {
        if note % 12 == 0 {
            let _ = writeln!(text, "\n# Topic {}", note / 12);
        }
        let id = format!("s{file}-{note}");
        let answer_len = rng.random_range(5..60);
        match rng.random_range(0..10) {
            0..=4 => {
                let _ = writeln!(
                    text,
                    "\n## Q: {}? {{#{id}}}\n{}",
                    words(&mut rng, 8),
                    words(&mut rng, answer_len)
                );
                // About one Q note in 14 is tagged `x`, for the tag:
                // search benchmark (no random draw, so the text of every
                // other note stays as it was).
                if note % 7 == 3 {
                    text.push_str("Tags: x\n");
                }
                cards += 1;
            }
            5 | 6 => {
                let _ = writeln!(
                    text,
                    "\n## Concept: {} {note} {{#{id}}}\n{}",
                    words(&mut rng, 2),
                    words(&mut rng, answer_len)
                );
                cards += 2;
            }
            7 if cards + 4 <= CARDS_PER_FILE => {
                let _ = writeln!(
                    text,
                    "\n## Pattern: {} {note} {{#{id}}}\nWhen: {}\nHow:\n1. {}\n2. {}\nTrade-offs: {}",
                    words(&mut rng, 3),
                    words(&mut rng, 20),
                    words(&mut rng, 10),
                    words(&mut rng, 10),
                    words(&mut rng, 15)
                );
                cards += 4;
            }
            8 => {
                let _ = writeln!(
                    text,
                    "\n## Cloze: {} {{#{id}}}\n{} {{{{{}}}}} {}",
                    words(&mut rng, 3),
                    words(&mut rng, 10),
                    words(&mut rng, 2),
                    words(&mut rng, 10)
                );
                cards += 1;
            }
            _ => {
                let _ = writeln!(
                    text,
                    "\n## Checklist: {} {note} {{#{id}}}\n1. {}\n2. {}\n3. {}",
                    words(&mut rng, 3),
                    words(&mut rng, 6),
                    words(&mut rng, 6),
                    words(&mut rng, 6)
                );
                cards += 1;
            }
        }
        note += 1;
    }
    text
}

/// Writes `cards` cards in 100-card files under `dir`; returns the file count.
pub fn write_decks(dir: &Path, cards: usize, seed: u64) -> Result<usize> {
    let files: Vec<_> = (0..cards.div_ceil(CARDS_PER_FILE))
        .map(|file| {
            let sub = dir.join(format!("m{}", file % 8 + 1));
            (
                sub.join(format!("deck-{file:05}.md")),
                deck_text(seed, file),
            )
        })
        .collect();
    crate::files::write_files(&files)?;
    Ok(files.len())
}

fn random_grade(rng: &mut StdRng) -> Grade {
    let q = match rng.random_range(0..100) {
        0..=1 => 0,
        2..=6 => 1,
        7..=14 => 2,
        15..=29 => 3,
        30..=64 => 4,
        _ => 5,
    };
    Grade::new(q).unwrap_or(Grade::HESITANT)
}

/// Fills the review log with `reviews` rows over the two years before
/// `today`, replaying SM-2 so card states match their logs; about
/// `due_share` of the cards end up due today.
pub fn write_history(
    store: &mut Store,
    today: Day,
    reviews: usize,
    due_share: f64,
    seed: u64,
) -> Result<usize> {
    let ids = store.active_card_ids()?;
    if ids.is_empty() {
        return Ok(0);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let per_card = reviews / ids.len();
    let mut written = 0;
    store.write_history(|w| {
        for (i, &card) in ids.iter().enumerate() {
            let quota = per_card + usize::from(i < reviews % ids.len());
            let due_today = rng.random_bool(due_share);
            let mut day = today - rng.random_range(60..730);
            let mut state = CardState::default();
            let mut log: Vec<(Day, Grade, ReviewKind, CardState, CardState)> = Vec::new();
            loop {
                let grade = random_grade(&mut rng);
                let kind = if state.is_new() {
                    ReviewKind::New
                } else {
                    ReviewKind::Review
                };
                let after = schedule(&state, grade, day);
                let next = after.due.unwrap_or(today + 1);
                if next > today && due_today {
                    break;
                }
                log.push((day, grade, kind, state, after));
                state = after;
                if next > today {
                    break;
                }
                day = next;
            }
            // Re-drills on the days already studied make up the quota, each
            // written right after its day's review so that the log's order
            // is the order of time (the chain `doctor` checks, and FSRS's
            // replay, follow row ids).
            let extra = quota.saturating_sub(log.len());
            let n = log.len().max(1);
            for (j, (day, grade, kind, before, after)) in log.iter().enumerate() {
                w.review(card, *day, grade.value(), *kind, before, after)?;
                written += 1;
                let drills = extra / n + usize::from(j < extra % n);
                for _ in 0..drills {
                    w.review(card, *day, 4, ReviewKind::Drill, after, after)?;
                    written += 1;
                }
            }
            w.state(card, &state)?;
        }
        Ok(())
    })?;
    Ok(written)
}

/// An Anki review log (`id,cid,usn,ease,ivl,lastIvl,factor,time,type`) of a
/// simulated learner whose true chance of recall follows FSRS-6 with its
/// default parameters, scheduled by SM-2 as Anki's old scheduler would:
/// the ground truth `eval` must find (FSRS predicting better than SM-2 and
/// the constant baseline). Each card is introduced on a random day of the
/// first half, then reviewed whenever SM-2 says, until `days` have passed;
/// a recall is Good, or Hard when it was a near thing, or Easy when it was
/// a sure thing; a lapse is Again. Deterministic for a seed.
pub fn fsrs_learner_revlog(cards: usize, days: i64, seed: u64) -> String {
    use crate::fsrs::Model;
    let truth = Model::default_model();
    let mut rng = StdRng::seed_from_u64(seed);
    // 2026-01-01T10:00Z: reviews start here, one a minute within a day.
    const START_MS: i64 = 1_767_261_600_000;
    const DAY_MS: i64 = 86_400_000;
    let mut rows: Vec<(i64, String)> = Vec::new();
    for card in 0..cards {
        let cid = 1_700_000_000_000 + card as i64;
        let mut day = rng.random_range(0..(days / 2).max(1));
        let mut sm2 = CardState::default();
        let mut memory: Option<crate::fsrs::FsrsCard> = None;
        let mut first = true;
        while day < days {
            let recall = memory.map_or(0.0, |m| truth.recall(m.memory, (day - m.last_day) as f32));
            let remembered = !first && rng.random::<f32>() < recall;
            let ease: u8 = if first {
                // A first sight: rated by how familiar it felt.
                [1, 3, 3, 3, 4][rng.random_range(0..5)]
            } else if !remembered {
                1
            } else if recall < 0.75 {
                2
            } else if recall > 0.97 {
                4
            } else {
                3
            };
            let grade = Grade::new(i64::from(ease) + 1).unwrap_or(Grade::HESITANT);
            let kind = if first {
                0
            } else if ease == 1 {
                2
            } else {
                1
            };
            let last_ivl = sm2.interval;
            sm2 = schedule(&sm2, grade, day);
            memory = Some(truth.review(
                memory,
                grade,
                day,
                if first {
                    ReviewKind::New
                } else {
                    ReviewKind::Review
                },
            ));
            let id = START_MS + day * DAY_MS + (card as i64 % 600) * 60_000;
            rows.push((
                id,
                format!(
                    "{id},{cid},-1,{ease},{},{last_ivl},{},{},{kind}",
                    sm2.interval,
                    sm2.ease * 10,
                    rng.random_range(2_000..12_000)
                ),
            ));
            first = false;
            day += i64::from(sm2.interval.max(1));
        }
    }
    rows.sort_by_key(|(id, _)| *id);
    let mut text = String::from("id,cid,usn,ease,ivl,lastIvl,factor,time,type\n");
    for (_, row) in rows {
        text.push_str(&row);
        text.push('\n');
    }
    text
}
