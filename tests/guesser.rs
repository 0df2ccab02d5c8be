//! Issue 15's measure of fair multiple choice: a guesser that knows nothing
//! and picks the option sharing the most content words with the question
//! (ties to the first) must score at most 35 % on every module deck and
//! pattern category of the shipped decks. Chance is 25 %.
//!
//! The guesser is written here, apart from the distractor code, so that the
//! test measures the quiz rather than agreeing with it.

use std::collections::HashSet;
use std::path::Path;

use mastery::compile::{Options, compile};
use mastery::deck::source::Source;
use mastery::quiz::{self, Format, FormatChoice};
use mastery::store::{QuizScope, Store};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Choice questions measured per deck.
const QUESTIONS: usize = 40;
/// The most a no-knowledge guesser may score, in percent.
const CEILING: f64 = 35.0;

/// Words too common to say what a question is about.
const STOP: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with",
    "from", "into", "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that",
    "these", "those", "what", "which", "who", "when", "where", "why", "how", "do", "does", "did",
    "you", "your", "can", "not", "no", "if", "than", "then", "so", "there", "their", "they",
    "them", "one", "two", "all", "any", "each", "only", "also", "about", "after", "before", "use",
    "used", "uses", "using", "same", "other", "between", "its", "has", "have", "will", "would",
    "should",
];

fn content_words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty() && !STOP.contains(&w.as_str()))
        .collect()
}

/// The option sharing the most content words with the question (or, with
/// `most` false, the fewest: the guesser who expects the right answer to be
/// the odd one out); ties to the first.
fn guess(question: &str, options: &[String], most: bool) -> usize {
    let asked = content_words(question);
    let mut best = (0, 0);
    for (i, option) in options.iter().enumerate() {
        let shared = content_words(option).intersection(&asked).count();
        let better = if most {
            shared > best.1
        } else {
            shared < best.1
        };
        if better || i == 0 {
            best = (i, shared);
        }
    }
    best.0
}

fn shipped_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("guesser.db")).expect("store");
    let decks = Path::new(env!("CARGO_MANIFEST_DIR")).join("decks");
    compile(&mut store, &Source::Dir(decks), &Options::default()).expect("compile");
    (dir, store)
}

/// The guesser's hits over the first `QUESTIONS` choice questions of quizzes
/// drawn with seeds 1, 2, 3 …, and how many questions were drawn to get them.
fn measure(store: &Store, scope: &QuizScope, most: bool) -> (usize, usize, usize) {
    let (mut choice, mut hits, mut drawn) = (0, 0, 0);
    for seed in 1..=50u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let cards = store.scope_cards(scope).expect("scope");
        let count = cards.len();
        let picked = quiz::draw_evenly(cards, count, &mut rng);
        let questions = quiz::plan(store, picked, FormatChoice::Choice, &mut rng).expect("plan");
        for q in questions {
            drawn += 1;
            if q.format != Format::Choice {
                continue;
            }
            let right = q
                .options
                .iter()
                .position(|o| *o == q.card.back)
                .expect("the right answer is an option");
            hits += usize::from(guess(&q.card.front, &q.options, most) == right);
            choice += 1;
            if choice == QUESTIONS {
                return (choice, hits, drawn);
            }
        }
    }
    (choice, hits, drawn)
}

#[test]
fn word_matching_guessers_score_at_most_35_percent_on_every_deck() {
    let (_dir, store) = shipped_store();
    let mut scopes: Vec<(String, QuizScope)> = (1..=8u8)
        .map(|m| {
            (
                format!("module {m}"),
                QuizScope {
                    modules: vec![m],
                    ..QuizScope::default()
                },
            )
        })
        .collect();
    for category in ["architecture", "debugging", "planning", "quality", "speed"] {
        scopes.push((
            format!("patterns: {category}"),
            QuizScope {
                categories: vec![category.to_string()],
                ..QuizScope::default()
            },
        ));
    }
    let mut table =
        String::from("scope                    drawn  choice  most shared  fewest shared\n");
    let mut failures = Vec::new();
    for (name, scope) in &scopes {
        let (choice, hits, drawn) = measure(&store, scope, true);
        let (_, odd_hits, _) = measure(&store, scope, false);
        let score = 100.0 * hits as f64 / choice.max(1) as f64;
        let odd = 100.0 * odd_hits as f64 / choice.max(1) as f64;
        table.push_str(&format!(
            "{name:<24} {drawn:>5}  {choice:>6}  {score:>9.0} %  {odd:>11.0} %\n"
        ));
        if choice < QUESTIONS {
            failures.push(format!("{name}: only {choice} choice questions"));
        }
        for (who, s) in [("most", score), ("fewest", odd)] {
            if s > CEILING {
                failures.push(format!(
                    "{name}: the {who}-shared-words guesser scores {s:.0} %"
                ));
            }
        }
    }
    println!("{table}");
    assert!(failures.is_empty(), "{}\n{table}", failures.join("\n"));
}

#[test]
fn the_guessers_pick_the_most_or_fewest_shared_words_and_tie_to_the_first() {
    let options = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let asked = "Which hook event fires before a tool call?";
    let offered = options(&[
        "exit code 2",
        "PreToolUse fires before a tool call",
        "nothing",
        "a hook",
    ]);
    assert_eq!(guess(asked, &offered, true), 1);
    assert_eq!(guess(asked, &offered, false), 0);
    assert_eq!(
        guess("Which file?", &options(&["a", "b", "c", "d"]), true),
        0
    );
    assert_eq!(
        guess("Which file?", &options(&["a", "b", "c", "d"]), false),
        0
    );
}
