//! Which vanished note a new note *is*: the carry-over matcher, as a pure
//! function (old notes and new notes in, pairs out), so that it can run
//! before the compile takes the write lock and be tested on its own.
//!
//! The two invariants it serves: a fact whose text did not change keeps its
//! history whatever else moved (its deck id, its file, its heading), and a
//! fact never inherits a history it doesn't own. So: only notes whose ids
//! were derived from their titles take part (an explicit id *is* the
//! identity; renaming one is the explicit `{#new was=old}`); an identical
//! text pairs first; then the best-scoring pairs across every deck, each
//! note used once, never below the threshold.

use std::collections::HashMap;

/// A note that vanished from the decks in this compile.
#[derive(Debug, Clone)]
pub struct Gone {
    /// Its id was written by the author: it may pass its history on only
    /// to the very same text (its id was removed), never by similarity.
    pub explicit: bool,
    pub kind: String,
    pub topic: String,
    pub deck: String,
    pub title: String,
    /// Its live cards' answers, one a line.
    pub answers: String,
}

/// A note that appeared in this compile under an id no note has.
#[derive(Debug, Clone)]
pub struct Fresh {
    pub kind: String,
    pub topic: String,
    pub deck: String,
    pub title: String,
    pub answers: String,
}

/// `gone[old]` carries its history to `fresh[new]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    pub old: usize,
    pub new: usize,
    pub similarity: f64,
}

/// The closest vanished note of a new note that stayed below the threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Refused {
    pub old: usize,
    pub new: usize,
    pub similarity: f64,
}

/// Above this many open (new × vanished) pairs, near misses below the
/// threshold are not measured, only pairs that could carry.
const LOOSE_PAIRS: usize = 20_000;
/// How far below the threshold a refused carry-over is still reported.
const REPORT_FLOOR: f64 = 0.5;

/// The text's character trigrams, hashed and sorted: two texts within k
/// edits of each other share at least max(len) − 2 − 3k of them (the
/// q-gram lemma), a cheap test that rules most pairs out before any edit
/// distance is computed.
fn trigrams(text: &[char]) -> Vec<u32> {
    let mut grams: Vec<u32> = text
        .windows(3)
        .map(|w| {
            let mut h = 2_166_136_261u32;
            for c in w {
                h = (h ^ *c as u32).wrapping_mul(16_777_619);
            }
            h
        })
        .collect();
    grams.sort_unstable();
    grams
}

/// How many trigrams two sorted multisets share.
fn shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// The answers without the lines that repeat the title (a concept's name
/// card, a pattern's which card): what stays the same when only a title is
/// renamed.
fn core(title: &str, answers: &str) -> String {
    answers
        .lines()
        .filter(|l| *l != title)
        .collect::<Vec<_>>()
        .join("\n")
}

fn text(title: &str, answers: &str) -> String {
    format!("{title}\n{answers}")
}

/// Pairs vanished and new notes; returns the pairs and, for each new note
/// left unpaired that had a same-kind candidate, the closest one.
pub fn pair(gone: &[Gone], fresh: &[Fresh], threshold: f64) -> (Vec<Pair>, Vec<Refused>) {
    let mut used_old = vec![false; gone.len()];
    let mut used_new = vec![false; fresh.len()];
    let mut pairs = Vec::new();
    // 1. The same text (title and answers) and kind: the same fact. Among
    //    several, prefer the same topic, then the same deck.
    let mut by_text: HashMap<(&str, String), Vec<usize>> = HashMap::new();
    for (i, g) in gone.iter().enumerate() {
        by_text
            .entry((g.kind.as_str(), text(&g.title, &g.answers)))
            .or_default()
            .push(i);
    }
    for (j, f) in fresh.iter().enumerate() {
        let Some(olds) = by_text.get(&(f.kind.as_str(), text(&f.title, &f.answers))) else {
            continue;
        };
        let best = olds.iter().filter(|&&i| !used_old[i]).max_by_key(|&&i| {
            (
                gone[i].topic == f.topic,
                gone[i].deck == f.deck,
                std::cmp::Reverse(i),
            )
        });
        if let Some(&i) = best {
            used_old[i] = true;
            used_new[j] = true;
            pairs.push(Pair {
                old: i,
                new: j,
                similarity: 1.0,
            });
        }
    }
    // 2. Everything else by score, best first across all decks. Candidate
    //    pairs come cheaply first (the same answers under a renamed title,
    //    or the same title over edited answers); then every remaining pair
    //    passes a length filter and a character-count bound before a banded
    //    edit distance, which keeps this far from fresh × gone × text².
    let old_texts: Vec<Vec<char>> = gone
        .iter()
        .map(|g| text(&g.title, &g.answers).chars().collect())
        .collect();
    let old_grams: Vec<Vec<u32>> = old_texts.iter().map(|t| trigrams(t)).collect();
    let mut by_answers: HashMap<(&str, String), Vec<usize>> = HashMap::new();
    let mut by_title: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, g) in gone
        .iter()
        .enumerate()
        .filter(|(i, g)| !used_old[*i] && !g.explicit)
    {
        by_answers
            .entry((&g.kind, core(&g.title, &g.answers)))
            .or_default()
            .push(i);
        by_title.entry((&g.kind, &g.title)).or_default().push(i);
    }
    let open_new: Vec<usize> = (0..fresh.len()).filter(|j| !used_new[*j]).collect();
    let open_old = used_old.iter().filter(|u| !**u).count();
    // The closest refused candidate is reported only where that costs
    // little: a looser bound means a wider band.
    let floor = if open_new.len() * open_old <= LOOSE_PAIRS {
        threshold.min(REPORT_FLOOR)
    } else {
        threshold
    };
    let mut candidates: Vec<(f64, bool, bool, usize, usize)> = Vec::new();
    let mut closest: HashMap<usize, (usize, f64)> = HashMap::new();
    for &j in &open_new {
        let f = &fresh[j];
        let new_text: Vec<char> = text(&f.title, &f.answers).chars().collect();
        let new_grams = trigrams(&new_text);
        let mut consider = |i: usize, floor: f64| {
            if used_old[i] || gone[i].explicit || gone[i].kind != f.kind {
                return;
            }
            let longest = old_texts[i].len().max(new_text.len());
            let max_edits = ((1.0 - floor) * longest as f64).floor() as usize;
            // Each edit destroys at most three trigrams: too few shared
            // ones and the distance can't be within bounds.
            let needed = longest.saturating_sub(2).saturating_sub(3 * max_edits);
            if needed > 0 && shared(&old_grams[i], &new_grams) < needed {
                return;
            }
            let Some(s) = bounded_similarity(&old_texts[i], &new_text, floor) else {
                return;
            };
            let entry = closest.entry(j).or_insert((i, s));
            if s > entry.1 {
                *entry = (i, s);
            }
            if s >= threshold {
                candidates.push((s, gone[i].topic == f.topic, gone[i].deck == f.deck, i, j));
            }
        };
        let quick: Vec<usize> = by_answers
            .get(&(f.kind.as_str(), core(&f.title, &f.answers)))
            .into_iter()
            .chain(by_title.get(&(f.kind.as_str(), f.title.as_str())))
            .flatten()
            .copied()
            .collect();
        if quick.is_empty() {
            for i in 0..gone.len() {
                consider(i, floor);
            }
        } else {
            for i in quick {
                consider(i, floor);
            }
        }
    }
    candidates.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(b.2.cmp(&a.2))
            .then(a.3.cmp(&b.3))
            .then(a.4.cmp(&b.4))
    });
    for (s, _, _, i, j) in candidates {
        if !used_old[i] && !used_new[j] {
            used_old[i] = true;
            used_new[j] = true;
            pairs.push(Pair {
                old: i,
                new: j,
                similarity: s,
            });
        }
    }
    let mut refused: Vec<Refused> = closest
        .into_iter()
        .filter(|(j, _)| !used_new[*j])
        .map(|(j, (i, s))| Refused {
            old: i,
            new: j,
            similarity: s,
        })
        .collect();
    refused.sort_by_key(|r| r.new);
    pairs.sort_by_key(|p| p.new);
    (pairs, refused)
}

/// Normalised edit similarity in [0, 1], or `None` when it is certainly
/// below `floor`: the length difference alone rules it out, or the banded
/// edit distance passes the most edits `floor` allows.
pub fn bounded_similarity(a: &[char], b: &[char], floor: f64) -> Option<f64> {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return Some(1.0);
    }
    let max_edits = ((1.0 - floor) * longest as f64).floor() as usize;
    if a.len().abs_diff(b.len()) > max_edits {
        return None;
    }
    let distance = bounded_levenshtein(a, b, max_edits)?;
    Some(1.0 - distance as f64 / longest as f64)
}

/// Levenshtein distance if it is at most `k`, computed in a diagonal band
/// of width 2k + 1 (O(k · n) instead of O(n²)).
fn bounded_levenshtein(a: &[char], b: &[char], k: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > k {
        return None;
    }
    let big = k + 1;
    let mut prev = vec![big; m + 1];
    let mut cur = vec![big; m + 1];
    for (j, cell) in prev.iter_mut().enumerate().take(k.min(m) + 1) {
        *cell = j;
    }
    for i in 1..=n {
        let lo = i.saturating_sub(k).max(1);
        let hi = (i + k).min(m);
        cur.fill(big);
        if i <= k {
            cur[0] = i;
        }
        let mut row_min = cur[0];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let v = (prev[j - 1] + cost)
                .min(prev[j] + 1)
                .min(cur[j - 1] + 1)
                .min(big);
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > k {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[m] <= k).then_some(prev[m])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    fn gone(kind: &str, topic: &str, deck: &str, title: &str, answers: &str) -> Gone {
        Gone {
            explicit: false,
            kind: kind.into(),
            topic: topic.into(),
            deck: deck.into(),
            title: title.into(),
            answers: answers.into(),
        }
    }

    fn fresh(kind: &str, topic: &str, deck: &str, title: &str, answers: &str) -> Fresh {
        Fresh {
            kind: kind.into(),
            topic: topic.into(),
            deck: deck.into(),
            title: title.into(),
            answers: answers.into(),
        }
    }

    #[test]
    fn the_same_text_pairs_across_decks_and_topics() {
        // A moved file (new deck id) and a renamed heading (new topic).
        let (pairs, _) = pair(
            &[gone(
                "Q",
                "Hooks",
                "old",
                "Which exit code blocks?",
                "Exit code 2.",
            )],
            &[fresh(
                "Q",
                "Hook basics",
                "new",
                "Which exit code blocks?",
                "Exit code 2.",
            )],
            0.8,
        );
        assert_eq!(
            pairs,
            vec![Pair {
                old: 0,
                new: 0,
                similarity: 1.0
            }]
        );
    }

    #[test]
    fn the_best_pair_wins_not_the_first_in_file_order() {
        // New note 0 is close to both; new note 1 is close only to old 0.
        // Greedy file order would give old 0 to new 0 and strand new 1.
        let g = [
            gone(
                "Q",
                "T",
                "d",
                "Exit code of a blocking hook",
                "Exit code 2 blocks the call.",
            ),
            gone(
                "Q",
                "T",
                "d",
                "Exit code of a passing hook",
                "Exit code 0 lets it through.",
            ),
        ];
        let f = [
            fresh(
                "Q",
                "T",
                "d",
                "Exit code of a passing hook?",
                "Exit code 0 lets it through.",
            ),
            fresh(
                "Q",
                "T",
                "d",
                "Exit code of a blocking hook?",
                "Exit code 2 blocks the call.",
            ),
        ];
        let (pairs, _) = pair(&g, &f, 0.8);
        let got: Vec<(usize, usize)> = pairs.iter().map(|p| (p.old, p.new)).collect();
        assert_eq!(got, vec![(1, 0), (0, 1)]);
    }

    #[rstest]
    // Another kind never pairs.
    #[case::kind(
        gone("Concept", "T", "d", "Subagent", "A helper."),
        fresh("Q", "T", "d", "Subagent", "A helper.")
    )]
    // Too different.
    #[case::different(
        gone("Q", "T", "d", "PreToolUse blocks", "Exit 2."),
        fresh("Q", "T", "d", "Which model does Haiku use?", "The fastest one.")
    )]
    fn some_notes_never_pair(#[case] g: Gone, #[case] f: Fresh) {
        let (pairs, _) = pair(&[g], &[f], 0.8);
        assert!(pairs.is_empty());
    }

    #[test]
    fn a_refused_carry_over_reports_its_closest_candidate() {
        let (pairs, refused) = pair(
            &[gone(
                "Q",
                "T",
                "d",
                "Which exit code blocks a tool call?",
                "Exit code 2.",
            )],
            &[fresh(
                "Q",
                "T",
                "d",
                "Which hook event can block a tool call?",
                "PreToolUse.",
            )],
            0.8,
        );
        assert!(pairs.is_empty());
        assert_eq!(refused.len(), 1);
        assert!(
            refused[0].similarity > 0.5 && refused[0].similarity < 0.8,
            "{refused:?}"
        );
    }

    #[rstest]
    #[case("kitten", "sitting", 3)]
    #[case("", "abc", 3)]
    #[case("same", "same", 0)]
    #[case("flaw", "lawn", 2)]
    fn banded_distance_matches_levenshtein(#[case] a: &str, #[case] b: &str, #[case] d: usize) {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        assert_eq!(bounded_levenshtein(&a, &b, 10), Some(d));
        assert_eq!(bounded_levenshtein(&a, &b, d), Some(d));
        if d > 0 {
            assert_eq!(bounded_levenshtein(&a, &b, d - 1), None);
        }
    }

    proptest! {
        /// Within its bound, the banded distance is exactly strsim's.
        #[test]
        fn banded_distance_is_exact_within_its_bound(a in "[abc]{0,30}", b in "[abc]{0,30}", k in 0usize..40) {
            let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let exact = strsim::levenshtein(&a, &b);
            let got = bounded_levenshtein(&ca, &cb, k);
            if exact <= k {
                prop_assert_eq!(got, Some(exact));
            } else {
                prop_assert_eq!(got, None);
            }
        }
    }
}
