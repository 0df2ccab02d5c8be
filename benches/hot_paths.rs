//! In-process hot paths: parsing a deck file, SM-2 scheduling, building the
//! review queue, and computing weak areas and stats. The collection size is
//! MASTERY_BENCH_CARDS (default 10,000 cards, ten reviews per card).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mastery::clock::{Clock, parse_now};
use mastery::compile::{Options, compile};
use mastery::deck::parse_deck;
use mastery::deck::source::Source;
use mastery::review::{ReviewOptions, build_queue};
use mastery::scheduler::{CardState, Grade, schedule};
use mastery::store::Store;
use mastery::weak::{WeakOptions, analyse};

fn collection() -> (tempfile::TempDir, Store, i64) {
    let cards: usize = std::env::var("MASTERY_BENCH_CARDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let decks = dir.path().join("decks");
    mastery::synth::write_decks(&decks, cards, 1).expect("decks");
    let mut store = Store::open(&dir.path().join("bench.db")).expect("store");
    compile(&mut store, &Source::Dir(decks), &Options::default()).expect("compile");
    let today = Clock::utc(parse_now("2026-11-24T10:00:00Z").expect("now"), 4).today();
    mastery::synth::write_history(&mut store, today, cards * 10, 0.08, 1).expect("history");
    (dir, store, today)
}

fn benches(c: &mut Criterion) {
    let text = mastery::synth::deck_text(1, 0);
    c.bench_function("parse a 100-card deck file", |b| {
        b.iter(|| parse_deck("deck.md", "deck", black_box(text.as_bytes())).expect("parses"))
    });
    let grades: Vec<Grade> = (0..1000)
        .map(|i| Grade::new([5, 4, 3, 4, 2, 5, 4][i % 7]).expect("grade"))
        .collect();
    c.bench_function("schedule 1000 SM-2 reviews", |b| {
        b.iter(|| {
            let mut s = CardState::default();
            let mut day = 0;
            for g in &grades {
                s = schedule(&s, *g, day);
                day = s.due.unwrap_or(day + 1);
            }
            black_box(s)
        })
    });
    let (_dir, store, today) = collection();
    let opts = ReviewOptions {
        new_per_day: 10,
        ..ReviewOptions::default()
    };
    c.bench_function("build today's review queue", |b| {
        b.iter(|| build_queue(&store, today, &opts).expect("queue"))
    });
    let weak = WeakOptions {
        module: None,
        deck: None,
        limit: 20,
        leech_lapses: 6,
        links: mastery::read::Links::Files,
        cards: None,
    };
    c.bench_function("weak areas", |b| {
        b.iter(|| analyse(&store, today, &weak).expect("weak"))
    });
    c.bench_function("stats", |b| {
        b.iter(|| mastery::stats::compute(&store, today, None, None).expect("stats"))
    });
}

criterion_group! {
    name = hot_paths;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(hot_paths);
