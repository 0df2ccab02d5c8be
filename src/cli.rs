//! The command line, as clap types. `main` parses these and calls `run`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::quiz::FormatChoice;

#[derive(Debug, Parser)]
#[command(
    name = "mastery",
    version,
    about = "Spaced-repetition drills and self-tests for the Codex Code mastery program"
)]
pub struct Cli {
    /// Database file [default: mastery/mastery.db in the user's data dir]
    #[arg(long, global = true, env = "MASTERY_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Decks folder [default: ./decks if it exists, else the built-in decks]
    #[arg(long, global = true, env = "MASTERY_DECKS", value_name = "DIR")]
    pub decks: Option<PathBuf>,

    /// Local hour at which a new study day starts, for this run
    #[arg(long, global = true, value_name = "HOUR", value_parser = clap::value_parser!(u32).range(0..24))]
    pub rollover_hour: Option<u32>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Today's drill: due cards, then new ones
    Review(ReviewArgs),
    /// Self-test before teaching: a scoped quiz with a readiness verdict
    Quiz(QuizCommand),
    /// What to re-study: weak topics ranked, grouped by module, linked to the source
    Weak(WeakArgs),
    /// Progress: per-module mastery, success metrics, forecast and heatmap
    Stats {
        /// Narrow every figure to one module
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=8))]
        module: Option<u8>,
        #[arg(long)]
        json: bool,
    },
    /// Convert a training repo's docs tree into deck files
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Check the database: integrity, foreign keys, card states against the log
    Doctor {
        /// Rebuild card states from the review log (after a backup)
        #[arg(long)]
        repair: bool,
        #[arg(long)]
        json: bool,
    },
    /// Developer tools: synthetic data for the benchmarks
    #[command(hide = true)]
    Dev {
        #[command(subcommand)]
        what: DevCommand,
    },
    /// Compile the decks into the database (every command does this first)
    Compile {
        /// Delete retired cards and their history
        #[arg(long)]
        prune: bool,
        /// Accept a decks folder other than the one this database was
        /// compiled from, retiring the notes it lacks (their history is kept)
        #[arg(long)]
        switch_decks: bool,
        #[arg(long)]
        json: bool,
    },
    /// Validate and lint the decks without touching the database
    Check {
        /// Write derived ids into headings that have none
        #[arg(long)]
        fix_ids: bool,
        #[arg(long)]
        json: bool,
    },
    /// List cards with their source
    Cards {
        #[arg(long, value_name = "ID")]
        deck: Option<String>,
        #[arg(long, value_name = "TEXT")]
        topic: Option<String>,
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Counts per deck: due, new, learned, retired
    Status {
        #[arg(long)]
        json: bool,
    },
    /// One card, its source and its scheduling state
    Show {
        card: String,
        #[arg(long)]
        json: bool,
    },
    /// Undo the last grade, even after the session ended
    Undo,
    /// Print each effective setting and where it comes from
    Config,
}

#[derive(Debug, Args, Default)]
pub struct ReviewArgs {
    /// New cards per study day [default: new_per_day from config, or 10]
    #[arg(long, value_name = "N")]
    pub new: Option<u32>,
    /// Cap the number of cards in this session
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Only this module's decks (ignores prerequisites)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=8))]
    pub module: Option<u8>,
    /// Only this deck (ignores prerequisites)
    #[arg(long, value_name = "ID")]
    pub deck: Option<String>,
    /// Introduce new cards even when prerequisite decks are unfinished
    #[arg(long)]
    pub all_new: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct QuizCommand {
    #[command(subcommand)]
    pub action: Option<QuizAction>,
    #[command(flatten)]
    pub args: QuizArgs,
}

#[derive(Debug, Subcommand)]
pub enum QuizAction {
    /// List past quizzes with their scores, newest first
    History {
        /// Only quizzes that asked about this module, scored on its cards
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=8))]
        module: Option<u8>,
        #[arg(long)]
        json: bool,
    },
}

/// Scope flags may be repeated; values of one flag combine with "or",
/// different flags with "and".
#[derive(Debug, Args)]
pub struct QuizArgs {
    /// Module number
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=8))]
    pub module: Vec<u8>,
    /// Deck id
    #[arg(long, value_name = "ID")]
    pub deck: Vec<String>,
    /// Topic (case-insensitive substring)
    #[arg(long, value_name = "TEXT")]
    pub topic: Vec<String>,
    /// Pattern category
    #[arg(long, value_name = "NAME")]
    pub category: Vec<String>,
    /// Card or note id
    #[arg(long, value_name = "ID")]
    pub card: Vec<String>,
    /// Questions to ask, drawn evenly across topics
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub count: u64,
    /// Seed for a reproducible order and choice of options
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Question format: flip, choice (1-4), typed, or mixed by card
    #[arg(long, value_enum, default_value_t = FormatChoice::Mixed)]
    pub format: FormatChoice,
    /// Percent correct needed for "ready"
    #[arg(long, value_name = "P", default_value_t = 80, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub threshold: u32,
    /// Let the first answer of a study day count as a review
    #[arg(long)]
    pub reschedule: bool,
    /// Print the report as JSON (questions go to stderr)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WeakFormat {
    Md,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct WeakArgs {
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=8))]
    pub module: Option<u8>,
    #[arg(long, value_name = "ID")]
    pub deck: Option<String>,
    /// Topics listed at most
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    /// Output format: a Markdown checklist, or one record per weak card
    #[arg(long, value_enum, default_value_t = WeakFormat::Md)]
    pub format: WeakFormat,
    /// Write to FILE; an existing Markdown list is updated in place
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Lapses that make a card a leech
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..))]
    pub leech_lapses: u32,
}

#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// Write a docs tree's notes as decks: one per module, one per pattern
    /// category, and the playbook, all with explicit ids
    Docs {
        /// The training repo, or its docs/ folder
        path: PathBuf,
        /// Folder to write the decks into
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Write synthetic decks of N cards in 100-card files
    Generate {
        #[arg(long, value_name = "N")]
        cards: usize,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Compile the decks, then fill the review log over two years
    History {
        #[arg(long, value_name = "N")]
        reviews: usize,
        /// Share of cards left due today
        #[arg(long, default_value_t = 0.08)]
        due_share: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}
