//! Resolving where things are (database, decks, config, clock) and opening
//! the store with the decks freshly compiled.

use std::path::PathBuf;

use crate::cli::Cli;
use crate::clock::Clock;
use crate::compile::{CompileReport, Mode, Options, compile};
use crate::config::{self, Settings};
use crate::deck::source::Source;
use crate::error::{Error, Result};
use crate::store::Store;

pub struct App {
    pub settings: Settings,
    pub clock: Clock,
    pub source: Source,
    pub db_path: PathBuf,
    /// Where the database path and the decks folder came from, as
    /// `config` prints them: "--db", "MASTERY_DB", "default: …".
    pub db_origin: String,
    pub decks_origin: String,
}

impl App {
    pub fn from_cli(cli: &Cli) -> Result<App> {
        let mut settings = config::load(config::default_path().as_deref())?;
        settings
            .rollover_hour
            .set_by_flag(cli.rollover_hour, "--rollover-hour");
        settings.scheduler.set_by_flag(cli.scheduler, "--scheduler");
        let clock = Clock::from_env(settings.rollover_hour.value)?;
        let decks_origin = match origin("--decks", "MASTERY_DECKS") {
            Some(o) => o.to_string(),
            None if PathBuf::from("decks").is_dir() => {
                "default: ./decks, found in the current folder".to_string()
            }
            None => "default: the built-in decks, as there is no ./decks here".to_string(),
        };
        Ok(App {
            clock,
            source: deck_source(cli.decks.clone()),
            db_path: match &cli.db {
                Some(p) => p.clone(),
                None => default_db()?,
            },
            db_origin: origin("--db", "MASTERY_DB")
                .unwrap_or("default: the user's data dir")
                .to_string(),
            decks_origin,
            settings,
        })
    }

    /// Opens the database, compiling the decks first so they are current.
    /// A deck file with errors keeps its last good compile, with a warning
    /// line on stderr, so that one typo doesn't stop the daily drill.
    pub fn open(&self) -> Result<(Store, CompileReport)> {
        let mut store = Store::open(&self.db_path)?;
        store.set_leech_rule(self.settings.leech_rule());
        let sched = self.settings.scheduler(store.saved_parameters()?)?;
        // A database with no reviews has nothing to replay: no note.
        if let Some(switch) = store.set_scheduler(sched)?
            && switch.cards > 0
        {
            warn_switch(&switch, store.scheduler());
        }
        let opts = Options {
            mode: Mode::KeepLastGood,
            ..Options::default()
        };
        let report = compile(&mut store, &self.source, &opts)?;
        warn_compile(&report);
        Ok((store, report))
    }
}

/// Whether a path setting came from its flag or its variable (clap reads
/// both into one field), or neither.
fn origin(flag: &'static str, var: &'static str) -> Option<&'static str> {
    let typed = std::env::args_os()
        .any(|a| a == flag || a.to_string_lossy().starts_with(&format!("{flag}=")));
    if typed {
        Some(flag)
    } else if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
        Some(var)
    } else {
        None
    }
}

/// `--decks`/`MASTERY_DECKS`, else `./decks` if present, else built in.
pub fn deck_source(flag: Option<PathBuf>) -> Source {
    match flag {
        Some(dir) => Source::from_dir(dir),
        None if PathBuf::from("decks").is_dir() => Source::Dir(PathBuf::from("decks")),
        None => Source::Embedded,
    }
}

pub fn default_db() -> Result<PathBuf> {
    use etcetera::BaseStrategy;
    let dirs = etcetera::choose_base_strategy().map_err(|e| {
        Error::Usage(format!(
            "cannot find the user's data dir ({e}): pass --db PATH or set MASTERY_DB"
        ))
    })?;
    Ok(dirs.data_dir().join("mastery").join("mastery.db"))
}

/// One line on stderr when the due days were replayed for another
/// scheduler (or other FSRS parameters).
fn warn_switch(switch: &crate::store::Switch, now: &crate::fsrs::Scheduler) {
    let cards = if switch.cards == 1 { "card" } else { "cards" };
    let days = if switch.moved == 1 { "day" } else { "days" };
    match now {
        crate::fsrs::Scheduler::Sm2 => eprintln!(
            "note: due days follow SM-2 again (was {}), restored from SM-2's kept state for {} reviewed {cards}; {} due {days} moved",
            switch.from, switch.cards, switch.moved
        ),
        crate::fsrs::Scheduler::Fsrs(m) => eprintln!(
            "note: due days follow FSRS-6 (desired retention {:.2}), replayed from the log of {} reviewed {cards} (was {}); {} due {days} moved. SM-2's state is kept, so switching back restores it",
            m.retention(),
            switch.cards,
            switch.from,
            switch.moved
        ),
    }
}

/// One line on stderr for each thing a compile skipped or changed that the
/// learner should know of before studying.
pub fn warn_compile(report: &CompileReport) {
    use crate::render::sanitize;
    for kept in &report.kept {
        eprintln!(
            "warning: {}; the file is skipped until it is fixed, and its last good compile, if any, stays in use (run `mastery check`)",
            sanitize(kept)
        );
    }
    for w in report.warnings.iter().filter(|w| w.contains("skipped:")) {
        eprintln!("warning: {}", sanitize(w));
    }
    for w in report
        .warnings
        .iter()
        .filter(|w| w.contains("prerequisite cycle"))
    {
        eprintln!(
            "warning: {}; until it is fixed those decks wait for nothing (run `mastery check`)",
            sanitize(w)
        );
    }
    for refused in &report.refused_renames {
        eprintln!(
            "warning: {}; the note starts fresh until this is fixed (run `mastery check`)",
            sanitize(refused)
        );
    }
    if let Some((old, new)) = &report.switched {
        eprintln!(
            "note: decks source changed from {} to {}; nothing was retired",
            sanitize(old),
            sanitize(new)
        );
    }
}
