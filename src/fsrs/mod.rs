//! The optional FSRS-6 scheduler: the model (pure), the choice between it
//! and SM-2, the evaluation of both on a review history, and the
//! optimizer that fits FSRS to the learner's own log.

pub mod compare;
pub mod eval;
pub mod model;
pub mod optimize;
pub mod revlog;

pub use model::{DEFAULT_PARAMETERS, DEFAULT_RETENTION, FsrsCard, Memory, Model, rating};

use crate::clock::Day;
use crate::scheduler::{CardState, Grade, review_of};

/// The scheduler that sets due dates. SM-2's state is kept under both (it
/// is what the log records and checks), so switching back restores it.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Scheduler {
    #[default]
    Sm2,
    Fsrs(Model),
}

impl Scheduler {
    pub fn name(&self) -> &'static str {
        match self {
            Scheduler::Sm2 => "sm2",
            Scheduler::Fsrs(_) => "fsrs",
        }
    }

    /// What the stored due dates were computed with; a different one
    /// means replaying them.
    pub fn signature(&self) -> String {
        match self {
            Scheduler::Sm2 => "sm2".to_string(),
            Scheduler::Fsrs(m) => m.signature(),
        }
    }

    /// The interval `grade` would give today, for the previews on the
    /// grade keys. `fsrs` is the card's FSRS state when it has one.
    pub fn preview(
        &self,
        sm2: &CardState,
        fsrs: Option<FsrsCard>,
        grade: Grade,
        today: Day,
    ) -> u32 {
        match self {
            Scheduler::Sm2 => review_of(sm2, grade, today).1.interval,
            Scheduler::Fsrs(m) => m.preview(fsrs, grade, today),
        }
    }
}
