//! mastery: spaced-repetition drills, self-tests and weak-area reports for
//! the Codex Code mastery program. See the README's "Architecture" section.

pub mod anki;
pub mod app;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod compile;
pub mod complete;
pub mod config;
pub mod deck;
pub mod doctor;
pub mod error;
pub mod files;
pub mod fsrs;
pub mod interrupt;
pub mod prompt;
pub mod quiz;
pub mod read;
pub mod render;
pub mod reschedule;
pub mod review;
pub mod scheduler;
pub mod search;
pub mod stats;
pub mod store;
pub mod synth;
pub mod weak;

pub use cmd::run;
pub use error::{Error, Result};

/// Fixtures for the crate's unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use crate::clock::{Clock, parse_now};
    use crate::compile::{Options, compile};
    use crate::deck::source::Source;
    use crate::store::Store;

    /// A fresh database holding one compiled deck, and a clock on 2026-03-02.
    pub fn store_with(deck: &str) -> (tempfile::TempDir, Store, Clock) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("decks")).expect("decks");
        std::fs::write(dir.path().join("decks/d.md"), deck).expect("deck");
        let mut store = Store::open(&dir.path().join("m.db")).expect("store");
        compile(
            &mut store,
            &Source::Dir(dir.path().join("decks")),
            &Options::default(),
        )
        .expect("compile");
        let clock = Clock::utc(parse_now("2026-03-02T09:00:00Z").expect("now"), 4);
        (dir, store, clock)
    }
}
