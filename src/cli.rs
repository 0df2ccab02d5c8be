//! The command line, as clap types. `main` parses these and calls `run`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::quiz::FormatChoice;

// Every count a user can type is bounded here, so that no value reaches a
// conversion, an allocation or SQL that it could overflow; clap's error
// names the bound ("... is not in 1..=1000").
/// `review --new`: the same bound as `new_per_day` in the config file.
pub const MAX_NEW_PER_DAY: u64 = 9999;
/// `review --limit`: cards in one session.
pub const MAX_SESSION: u64 = 100_000;
/// `review --ahead`: days to look ahead, a year.
pub const MAX_AHEAD: u64 = 365;
/// `quiz --count`: questions in one quiz.
pub const MAX_QUESTIONS: u64 = 1000;
/// `weak --limit`: topics listed.
pub const MAX_LISTED: u64 = 1000;
/// `weak --leech-lapses`.
pub const MAX_LAPSES: u64 = 1000;
/// `dev generate --cards` and `dev history --reviews`.
pub const MAX_SYNTH_CARDS: u64 = 1_000_000;
pub const MAX_SYNTH_REVIEWS: u64 = 10_000_000;

/// The one line printed for a command line clap refused, without clap's
/// "error: " prefix. An empty `MASTERY_DB` or `MASTERY_DECKS` reaches clap
/// as an empty `--db`/`--decks`; the learner never typed those, so the
/// message names the variable instead.
pub fn parse_error_line(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let arg = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(a)) => a.as_str(),
        _ => "",
    };
    for (var, flag, shown) in [
        ("MASTERY_DB", "--db", "--db PATH"),
        ("MASTERY_DECKS", "--decks", "--decks DIR"),
    ] {
        let typed = std::env::args_os()
            .any(|a| a == flag || a.to_string_lossy().starts_with(&format!("{flag}=")));
        if arg.starts_with(flag) && !typed && std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            return format!("{var} is set but empty: set it to a path, unset it, or pass {shown}");
        }
    }
    error_text_line(&e.to_string())
}

/// clap's error text as one line: the message, what it lists below it, and
/// its tips.
pub fn error_text_line(text: &str) -> String {
    let mut lines = text.lines();
    let mut first = lines.next().unwrap_or_default().to_string();
    // "the following required arguments were not provided:" names them on
    // the lines after it.
    if first.ends_with(':') {
        let named: Vec<&str> = lines
            .take_while(|l| l.starts_with("  "))
            .map(str::trim)
            .collect();
        first = format!("{} {}", first, named.join(", "));
    }
    // clap's "tip: a similar subcommand exists: 'review'" stays with it.
    let tips: String = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("tip: "))
        .map(|t| format!("; {t}"))
        .collect();
    format!("{}{tips} (see --help)", first.trim_start_matches("error: "))
}

/// A search query as typed. It may start with `-`, a negation as in Anki
/// (`mastery cards "-is:new"`), so clap lets such a value through; one that
/// starts with `--` is a mistyped flag and is refused as clap would,
/// suggesting the closest flag.
#[derive(Debug, Clone, Copy)]
pub struct QueryText;

impl clap::builder::TypedValueParser for QueryText {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        use clap::error::ErrorKind;
        let Some(text) = value.to_str() else {
            return Err(clap::Error::raw(
                ErrorKind::InvalidUtf8,
                "the query is not valid UTF-8\n",
            ));
        };
        let Some(flag) = text.strip_prefix("--") else {
            return Ok(text.to_string());
        };
        // After a bare `--` the learner said it is a value.
        let after_separator = std::env::args_os()
            .skip_while(|a| a != "--")
            .skip(1)
            .any(|a| a == value);
        if after_separator {
            return Ok(text.to_string());
        }
        Err(clap::Error::raw(
            ErrorKind::UnknownArgument,
            unknown_flag(cmd, flag) + "\n",
        ))
    }
}

/// "unexpected argument '--lmit' found", with clap's tip naming the
/// closest long flag of `cmd`.
fn unknown_flag(cmd: &clap::Command, flag: &str) -> String {
    let name = flag.split('=').next().unwrap_or(flag);
    let closest = cmd
        .get_arguments()
        .filter_map(clap::Arg::get_long)
        .map(|long| (strsim::jaro(name, long), long))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let mut message = format!("unexpected argument '--{flag}' found");
    if let Some((_, long)) = closest {
        message.push_str(&format!("\n\n  tip: a similar argument exists: '--{long}'"));
    }
    message
}

/// The real mistake behind a command line clap refused, when clap's own
/// message would mislead: a mistyped `--flag` (named with the closest
/// one), or a second query term outside the quotes (`cards -is:new
/// -is:due`, which clap reads as the flag `-i`).
pub fn argument_mistake(args: &[std::ffi::OsString], e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if let Some(text) = mistyped_flag(args) {
        return Some(error_text_line(&text));
    }
    let Some(ContextValue::String(invalid)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    if e.kind() != ErrorKind::UnknownArgument
        || invalid.starts_with("--")
        || !invalid.starts_with('-')
    {
        return None;
    }
    let token = args
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .take_while(|a| *a != "--")
        // The last: an earlier one was taken as the query.
        .filter(|a| a.len() > 2 && a.starts_with(invalid.as_str()) && !a.starts_with("--"))
        .last()?;
    Some(format!(
        "unexpected argument '{token}' found; a query of several terms goes in one pair of quotes, as in \"is:due -is:new\" (see --help)"
    ))
}

/// When clap refuses an argument after a QUERY took a mistyped flag
/// (`review --lmit 3`: `--lmit` became the query, so clap complains of
/// `3`), the error about the flag itself: the first `--word` before a bare
/// `--` that the subcommand does not know.
pub fn mistyped_flag(args: &[std::ffi::OsString]) -> Option<String> {
    use clap::CommandFactory;
    let root = Cli::command();
    let mut cmd = &root;
    let mut globals: Vec<String> = root
        .get_arguments()
        .filter_map(clap::Arg::get_long)
        .map(str::to_string)
        .collect();
    for arg in args.iter().skip(1) {
        let text = arg.to_str()?;
        if text == "--" {
            return None;
        }
        if let Some(sub) = cmd.find_subcommand(text) {
            cmd = sub;
            globals.extend(
                cmd.get_arguments()
                    .filter_map(clap::Arg::get_long)
                    .map(str::to_string),
            );
            continue;
        }
        if let Some(flag) = text.strip_prefix("--") {
            let name = flag.split('=').next().unwrap_or(flag);
            if !globals.iter().any(|g| g == name) && name != "help" {
                let text = unknown_flag(cmd, flag);
                return Some(
                    clap::Error::raw(clap::error::ErrorKind::UnknownArgument, text + "\n")
                        .to_string(),
                );
            }
        }
    }
    None
}

/// A whole number in `range`, parsed as `T`. Any other input, however many
/// digits it has, gets an error that names the bound in words: "expected a
/// whole number from 1 to 1000", never a type name or Rust's range syntax.
fn count<T: TryFrom<u64>>(
    range: std::ops::RangeInclusive<u64>,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {
    move |text: &str| {
        let bound = if *range.end() == u64::MAX {
            format!("a whole number, {} or more", range.start())
        } else {
            format!("a whole number from {} to {}", range.start(), range.end())
        };
        text.parse::<u64>()
            .ok()
            .filter(|v| range.contains(v) && text.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| T::try_from(v).ok())
            .ok_or_else(|| format!("expected {bound}"))
    }
}

/// A share from 0 to 1 (NaN and infinities are refused).
fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err("the share must be a number from 0 to 1".to_string()),
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "mastery",
    version,
    about = "Spaced-repetition drills and self-tests for the Codex Code mastery program"
)]
pub struct Cli {
    /// Database file [default: mastery/mastery.db in the user's data dir]
    #[arg(
        long,
        global = true,
        env = "MASTERY_DB",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub db: Option<PathBuf>,

    /// Decks folder [default: ./decks if it exists, else the built-in decks]
    #[arg(
        long,
        global = true,
        env = "MASTERY_DECKS",
        hide_env_values = true,
        value_name = "DIR"
    )]
    pub decks: Option<PathBuf>,

    /// Local hour at which a new study day starts, 0 to 23, for this run
    #[arg(long, global = true, value_name = "HOUR", value_parser = count::<u32>(0..=23))]
    pub rollover_hour: Option<u32>,

    /// The scheduler that sets due days, for this run (config: `scheduler`)
    #[arg(long, global = true, value_name = "NAME")]
    pub scheduler: Option<crate::config::SchedulerChoice>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum ExportWhat {
    /// The review log, for FSRS's official optimizers
    Revlog {
        /// The file format: `fsrs` is the optimizer's CSV (card_id,
        /// review_time, review_rating, review_state, review_duration)
        #[arg(long, value_enum)]
        format: RevlogFormat,
        /// Write to this file instead of standard output
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        scope: ExportScope,
    },
    /// An Anki package (.apkg) of the cards, with their scheduling and
    /// review log, to study in Anki, AnkiDroid or AnkiMobile
    Anki {
        /// The package to write (.apkg); an existing file is replaced
        #[arg(long, short, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        scope: ExportScope,
    },
    /// The cards as notes for another tool, without scheduling
    Notes {
        /// The file format
        #[arg(long, value_enum)]
        format: NotesFormat,
        /// Write to this file instead of standard output
        #[arg(long, short, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        scope: ExportScope,
    },
}

/// Which cards an export takes: a query and the scope shorthands.
#[derive(Debug, Args)]
pub struct ExportScope {
    /// Only the cards this search query matches, as in `mastery export anki
    /// --out m4.apkg module:4` (syntax: `mastery cards --help`); without
    /// one, every card
    #[arg(value_name = "QUERY", allow_hyphen_values = true, value_parser = QueryText)]
    pub query: Option<String>,
    /// Only this module's decks (a shorthand for module:N)
    #[arg(long, value_name = "N", value_parser = count::<u8>(1..=8))]
    pub module: Option<u8>,
    /// Only this deck (a shorthand for deck:ID)
    #[arg(long, value_name = "ID", add = clap_complete::ArgValueCompleter::new(crate::complete::deck_ids))]
    pub deck: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NotesFormat {
    /// Anki's "Notes in Plain Text" (File > Import in Anki), tab-separated
    AnkiTxt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RevlogFormat {
    // The FSRS optimizer's CSV, ratings 1 to 4.
    Fsrs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Today's drill: due cards, then new ones; or custom study of a query
    #[command(after_help = QUERY_HELP)]
    Review(ReviewArgs),
    /// Self-test before teaching: a scoped quiz with a readiness verdict
    Quiz(QuizCommand),
    /// What to re-study: weak topics ranked, grouped by module, linked to the source
    Weak(WeakArgs),
    /// Print the notes of a card, note, topic or deck again, as formatted text
    Read {
        /// A card or note id, a deck id, DECK#TOPIC, or a topic's title (or
        /// a unique part of it)
        #[arg(add = clap_complete::ArgValueCompleter::new(crate::complete::read_targets))]
        target: String,
    },
    /// Fit FSRS parameters to your review log with FSRS's optimizer
    Optimize {
        /// Keep the fitted parameters (in the database) for FSRS to use
        #[arg(long)]
        save: bool,
        /// Print the fit as JSON
        #[arg(long)]
        json: bool,
    },
    /// Which scheduler predicts your recall better: SM-2 and FSRS scored on
    /// your review log, or on an Anki review log
    Eval {
        /// An Anki review log as CSV: id,cid,usn,ease,ivl,lastIvl,factor,time,type
        #[arg(long, value_name = "FILE")]
        revlog: Option<PathBuf>,
        /// The time zone the --revlog reviews were made in (IANA name); the
        /// study day starts at --rollover-hour there
        #[arg(long, value_name = "ZONE", default_value = "UTC", requires = "revlog")]
        timezone: String,
        /// Skip fitting FSRS on the earlier half of the history (faster)
        #[arg(long)]
        no_fit: bool,
        /// Print the table as JSON
        #[arg(long)]
        json: bool,
    },
    /// Write data out: an Anki package to study on a phone, notes for Anki,
    /// the review log for FSRS
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Progress: per-module mastery, success metrics, forecast and heatmap
    Stats {
        /// Only the cards this search query matches, as in `mastery stats
        /// tag:hooks` (syntax: `mastery cards --help`)
        #[arg(value_name = "QUERY", allow_hyphen_values = true, value_parser = QueryText)]
        query: Option<String>,
        /// Narrow every figure to one module
        #[arg(long, value_name = "N", value_parser = count::<u8>(1..=8))]
        module: Option<u8>,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
    /// Bring data in: Anki's reviews, or a training repo's docs tree as decks
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Check the database: integrity, foreign keys, card states against the log
    Doctor {
        /// Rebuild card states from the review log (after a backup)
        #[arg(long)]
        repair: bool,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
    /// Take cards out of every queue until `unsuspend` (cards or whole notes)
    Suspend {
        /// Card ids, or note ids for all of their cards
        #[arg(required = true, value_name = "ID", add = clap_complete::ArgValueCompleter::new(crate::complete::card_ids))]
        ids: Vec<String>,
    },
    /// Let suspended cards (leeches too) back into the queues
    Unsuspend {
        /// Card ids, or note ids for all of their cards
        #[arg(required = true, value_name = "ID", add = clap_complete::ArgValueCompleter::new(crate::complete::card_ids))]
        ids: Vec<String>,
    },
    /// Hide cards until the next study day
    Bury {
        /// Card ids, or note ids for all of their cards
        #[arg(required = true, value_name = "ID", add = clap_complete::ArgValueCompleter::new(crate::complete::card_ids))]
        ids: Vec<String>,
    },
    /// Write the built-in decks to a new folder, to edit and study with --decks
    ExportDecks {
        /// A folder that does not exist yet
        dir: PathBuf,
    },
    /// Start a card over as new: its reviews are undone (kept in the log)
    Reset {
        /// A card id, or a note id for all of its cards
        #[arg(add = clap_complete::ArgValueCompleter::new(crate::complete::card_ids))]
        id: String,
    },
    /// Replay every card's review log with today's scheduling rules
    Reschedule {
        /// Every card (required: the replay is never partial)
        #[arg(long, required = true)]
        all: bool,
        /// Apply, after writing a backup; without it, only show what would move
        #[arg(long)]
        yes: bool,
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
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
    /// Validate and lint the decks without touching the database
    Check {
        /// Write derived ids into headings that have none
        #[arg(long)]
        fix_ids: bool,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
    /// Find cards with a search query and list them as a table
    #[command(after_help = QUERY_HELP)]
    Cards(CardsArgs),
    /// Counts per deck: due, new, learned, retired
    Status {
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
    /// One card, or every card of a note, with its source and scheduling state
    Show {
        /// A card id, or a note id for each of its cards
        #[arg(value_name = "ID", add = clap_complete::ArgValueCompleter::new(crate::complete::card_ids))]
        card: String,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
    /// Undo the last grade, even after the session ended
    Undo,
    /// Print each effective setting and where it comes from
    Config,
    /// Print a shell completion script
    #[command(after_help = "Install, for example, with
  mastery completions bash > ~/.local/share/bash-completion/completions/mastery
  mastery completions zsh > ~/.zfunc/_mastery      (with ~/.zfunc in $fpath)
  mastery completions fish > ~/.config/fish/completions/mastery.fish
Commands, flags and their values complete; card and deck ids don't, because the \
scripts are static: list them with `mastery cards --columns id` and `mastery status`.")]
    Completions {
        /// The shell to write the script for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page, in roff
    #[command(after_help = "Read it with `mastery man > mastery.1 && man -l mastery.1`.")]
    Man,
}

/// The query syntax, printed after the options of every command that
/// takes a query. README.md's "Finding cards" has the full table.
pub const QUERY_HELP: &str = "\
Query syntax (terms are ANDed; case and accents don't matter):
  hook exit            both words, in the front or the back
  \"exit code 2\"        the exact phrase
  a or b, -a, ( )      either, not, grouping
  deck:ID  deck:patterns/*   a deck and its sub-decks, * as a wildcard
  module:N  category:NAME  topic:TEXT  tag:NAME  id:ID  kind:cloze
  is:new is:due is:learn is:review is:suspended is:buried is:leech
  is:flagged is:retired  flag:0|1
  prop:ease<1.8  prop:ivl>=21  prop:lapses>3  prop:reps>=2
  prop:due=1 (due tomorrow)  prop:due<=-7 (a week overdue)
  rated:7  rated:7:1 (graded 1)  introduced:7   (in the last N days)";

/// Which columns `cards` can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Column {
    /// The card id (what `show`, `suspend` and `id:` take)
    Id,
    /// The question side, on one line
    Front,
    /// The answer side, on one line
    Back,
    /// The deck id
    Deck,
    /// The topic (the `#` heading above the note)
    Topic,
    /// The note kind: Q, Concept, Pattern, Cloze or Checklist
    Kind,
    /// Days until due: today, +3d, -7d (overdue), or new
    Due,
    /// The interval in days
    Ivl,
    /// The ease factor (2.50 to start)
    Ease,
    /// Times failed after being learned
    Lapses,
    /// Passes in a row (SM-2's repetition count)
    Reps,
    /// flagged, suspended, leech, buried, retired
    Flags,
    /// The deck file and line the card comes from
    Source,
}

/// How `cards` orders its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Sort {
    /// Soonest due first, new cards last
    Due,
    /// Shortest interval first
    Ivl,
    /// Lowest ease first: the hardest cards
    Ease,
    /// Most lapses first
    Lapses,
    /// Newest cards first
    Added,
    /// Most recently answered first
    Reviewed,
}

#[derive(Debug, Args, Default)]
pub struct CardsArgs {
    /// A search query, as in `mastery cards "tag:hooks is:due"` (syntax
    /// below); without one, every card
    #[arg(value_name = "QUERY", allow_hyphen_values = true, value_parser = QueryText)]
    pub query: Option<String>,
    /// Only this deck (a shorthand for deck:ID)
    #[arg(long, value_name = "ID", add = clap_complete::ArgValueCompleter::new(crate::complete::deck_ids))]
    pub deck: Option<String>,
    /// Only topics containing TEXT (a shorthand for topic:TEXT)
    #[arg(long, value_name = "TEXT")]
    pub topic: Option<String>,
    /// Only cards whose front or back contains TEXT (a shorthand for a
    /// quoted phrase)
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only flagged cards (`f` on the review screen; is:flagged)
    #[arg(long)]
    pub flagged: bool,
    /// Only suspended cards (by `s`, `mastery suspend` or as leeches;
    /// is:suspended)
    #[arg(long)]
    pub suspended: bool,
    /// Only leeches (is:leech)
    #[arg(long)]
    pub leech: bool,
    /// Order of the rows [default: curriculum order]
    #[arg(long, value_enum, value_name = "KEY")]
    pub sort: Option<Sort>,
    /// Columns to print, comma-separated [default:
    /// front,deck,due,ivl,ease,lapses,reps,flags]
    #[arg(long, value_enum, value_delimiter = ',', value_name = "LIST")]
    pub columns: Vec<Column>,
    /// Print every matching card as JSON
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the columns as CSV with a header row (all columns unless
    /// --columns)
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Args, Default)]
pub struct ReviewArgs {
    /// Custom study: review the cards this query matches, due or not (see
    /// "Query syntax" below); without one, today's drill
    #[arg(value_name = "QUERY", allow_hyphen_values = true, value_parser = QueryText)]
    pub query: Option<String>,
    /// Custom study: the cards due in the next N days too (1 is tomorrow)
    #[arg(long, value_name = "N", value_parser = count::<u32>(1..=MAX_AHEAD))]
    pub ahead: Option<u32>,
    /// New cards per study day [default: new_per_day from config, or 10];
    /// in custom study, N new cards from the matching set, on top of the
    /// day's
    #[arg(long, value_name = "N", value_parser = count::<u32>(0..=MAX_NEW_PER_DAY))]
    pub new: Option<u32>,
    /// Cap the number of cards in this session
    #[arg(long, value_name = "N", value_parser = count::<u64>(1..=MAX_SESSION))]
    pub limit: Option<u64>,
    /// Only this module's decks (ignores prerequisites)
    #[arg(long, value_name = "N", value_parser = count::<u8>(1..=8))]
    pub module: Option<u8>,
    /// Only this deck (ignores prerequisites)
    #[arg(long, value_name = "ID", add = clap_complete::ArgValueCompleter::new(crate::complete::deck_ids))]
    pub deck: Option<String>,
    /// Introduce new cards even when prerequisite decks are unfinished
    #[arg(long)]
    pub all_new: bool,
    /// Review exactly the cards `mastery weak` lists (due or not), scheduled
    /// as in any review; with a QUERY, those it matches
    #[arg(long, conflicts_with_all = ["new", "all_new", "ahead"])]
    pub weak: bool,
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
        #[arg(long, value_name = "N", value_parser = count::<u8>(1..=8))]
        module: Option<u8>,
        /// Print the result as JSON
        #[arg(long)]
        json: bool,
    },
}

/// Scope flags may be repeated; values of one flag combine with "or",
/// different flags with "and".
#[derive(Debug, Args)]
pub struct QuizArgs {
    /// Only cards this search query matches, as in `mastery quiz "tag:hooks
    /// -is:new"` (syntax: `mastery cards --help`); ANDed with the flags
    #[arg(value_name = "QUERY", allow_hyphen_values = true, value_parser = QueryText)]
    pub query: Option<String>,
    /// Module number
    #[arg(long, value_name = "N", value_parser = count::<u8>(1..=8))]
    pub module: Vec<u8>,
    /// Deck id
    #[arg(long, value_name = "ID", add = clap_complete::ArgValueCompleter::new(crate::complete::deck_ids))]
    pub deck: Vec<String>,
    /// Topic (case-insensitive substring)
    #[arg(long, value_name = "TEXT")]
    pub topic: Vec<String>,
    /// Pattern category
    #[arg(long, value_name = "NAME")]
    pub category: Vec<String>,
    /// Card or note id
    #[arg(long, value_name = "ID", add = clap_complete::ArgValueCompleter::new(crate::complete::card_ids))]
    pub card: Vec<String>,
    /// Only the cards `mastery weak` lists; never moves the schedule
    /// unless --reschedule
    #[arg(long, conflicts_with_all = ["teach_back", "card"])]
    pub weak: bool,
    /// Questions to ask, drawn evenly across topics [default: 20, or every
    /// card named when the scope is only --card flags or --weak]
    #[arg(long, value_name = "N", value_parser = count::<u64>(1..=MAX_QUESTIONS))]
    pub count: Option<u64>,
    /// Seed for a reproducible order and choice of options
    #[arg(long, value_name = "S", value_parser = count::<u64>(0..=u64::MAX))]
    pub seed: Option<u64>,
    /// Question format: flip, choice (1-4), typed, or mixed by card
    #[arg(long, value_enum, default_value_t = FormatChoice::Mixed)]
    pub format: FormatChoice,
    /// Percent correct needed for "ready"
    #[arg(long, value_name = "P", default_value_t = 80, value_parser = count::<u32>(0..=100))]
    pub threshold: u32,
    /// Percent correct every topic asked at least twice needs for "ready"
    #[arg(long, value_name = "P", default_value_t = 60, value_parser = count::<u32>(0..=100))]
    pub topic_floor: u32,
    /// Write the drawn quiz as a worksheet instead of asking it; records nothing
    #[arg(long, value_enum, value_name = "FORMAT", conflicts_with_all = ["teach_back", "reschedule"])]
    pub print: Option<SheetFormat>,
    /// With --print: add an answer key with sources
    #[arg(long, requires = "print")]
    pub answers: bool,
    /// Explain each topic in scope, then tick the key points you covered
    #[arg(long, conflicts_with_all = ["reschedule", "format", "count", "seed"])]
    pub teach_back: bool,
    /// Let the first answer of a study day count as a review
    #[arg(long)]
    pub reschedule: bool,
    /// Print the report as JSON (questions go to stderr)
    #[arg(long)]
    pub json: bool,
}

/// A worksheet's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SheetFormat {
    Md,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WeakFormat {
    Md,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct WeakArgs {
    /// Only weak cards this search query matches, as in `mastery weak
    /// module:4` (syntax: `mastery cards --help`)
    #[arg(value_name = "QUERY", allow_hyphen_values = true, value_parser = QueryText)]
    pub query: Option<String>,
    /// Only this module's decks
    #[arg(long, value_name = "N", value_parser = count::<u8>(1..=8))]
    pub module: Option<u8>,
    /// Only this deck
    #[arg(long, value_name = "ID", add = clap_complete::ArgValueCompleter::new(crate::complete::deck_ids))]
    pub deck: Option<String>,
    /// Topics listed at most
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = count::<u64>(1..=MAX_LISTED))]
    pub limit: u64,
    /// Output format: a Markdown checklist, or one record per weak card
    #[arg(long, value_enum, default_value_t = WeakFormat::Md)]
    pub format: WeakFormat,
    /// Write to FILE; an existing Markdown list is updated in place
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Lapses that make a card a leech [default: leech_lapses from config, or 8]
    #[arg(long, value_name = "N", value_parser = count::<u32>(1..=MAX_LAPSES))]
    pub leech_lapses: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// Bring the reviews made in Anki back into the log: an .apkg or
    /// .colpkg exported from Anki (legacy or current format), or a
    /// collection file
    Anki {
        /// The Anki package or collection
        file: PathBuf,
        /// Print the report as JSON
        #[arg(long)]
        json: bool,
    },
    /// Write a docs tree's notes as decks: one per module, one per pattern
    /// category, and the playbook, all with explicit ids
    Docs {
        /// The training repo, or its docs/ folder
        path: PathBuf,
        /// Folder to write the decks into
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Replace existing files even if this command did not write them
        /// or they were edited since
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Write synthetic decks of N cards in 100-card files
    Generate {
        /// Cards to write
        #[arg(long, value_name = "N", value_parser = count::<u64>(1..=MAX_SYNTH_CARDS))]
        cards: u64,
        /// Folder to write them into
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Seed of the generator: the same seed writes the same decks
        #[arg(long, default_value_t = 1, value_parser = count::<u64>(0..=u64::MAX))]
        seed: u64,
    },
    /// Compile the decks, then fill the review log over two years
    History {
        /// Reviews to write, at least (each card's replay runs to its end)
        #[arg(long, value_name = "N", value_parser = count::<u64>(0..=MAX_SYNTH_REVIEWS))]
        reviews: u64,
        /// Share of cards left due today
        #[arg(long, value_name = "SHARE", default_value_t = 0.08, value_parser = share)]
        due_share: f64,
        /// Seed of the generator: the same seed writes the same log
        #[arg(long, default_value_t = 1, value_parser = count::<u64>(0..=u64::MAX))]
        seed: u64,
    },
    /// Write an Anki revlog CSV of a simulated learner whose recall follows
    /// FSRS-6 (the ground truth for `eval`)
    FsrsRevlog {
        /// Cards simulated
        #[arg(long, value_name = "N", value_parser = count::<u64>(1..=MAX_SYNTH_CARDS))]
        cards: u64,
        /// Days simulated
        #[arg(long, value_name = "N", default_value_t = 365, value_parser = count::<u64>(1..=36_500))]
        days: u64,
        /// Seed of the simulation: the same seed writes the same file
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The CSV file to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}
