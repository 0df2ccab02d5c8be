//! mastery: spaced-repetition drills, self-tests and weak-area reports for
//! the Codex Code mastery program. See the README's "Architecture" section.

pub mod app;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod compile;
pub mod config;
pub mod deck;
pub mod doctor;
pub mod error;
pub mod files;
pub mod prompt;
pub mod quiz;
pub mod review;
pub mod scheduler;
pub mod stats;
pub mod store;
pub mod synth;
pub mod weak;

pub use cmd::run;
pub use error::{Error, Result};
