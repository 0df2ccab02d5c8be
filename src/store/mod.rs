//! The only module that talks to SQLite. Opening applies the migrations in
//! `schema.sql`; every write is one short transaction.

mod anki;
mod backup;
mod bulk;
mod compile;
mod doctor;
mod log;
mod marks;
mod query;
mod quiz;
mod read;
mod revlog;
mod sched;
mod search;
mod stats;
mod weak;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
use crate::scheduler::CardState;

pub use anki::{
    AnkiCollection, AnkiNote, CardKey, Incoming, ReviewOut, read_collection, write_collection,
};
pub use bulk::HistoryWriter;
pub use compile::{
    CardOwners, CompileTx, DeckPrint, NoteRow, Stat, StoredCard, accept_sql, stored_card_owners,
};
pub use doctor::{CardLog, LogRow, Replayed};
pub use log::{Decide, Grading, Leeched, Logged, ReviewKind, UndoneReview};
pub use marks::{Marks, Suspension};
pub use query::{CardRow, DeckInfo, DeckStatus, ReviewEntry};
pub use quiz::{CardRef, NewQuiz, PoolEntry, QuizAnswer, QuizScope, QuizSummary};
pub use read::{CompletionKeys, ReadTarget, completion_keys};
pub use revlog::LogEntry;
pub use sched::Switch;
pub use search::{ListTexts, Listed, SortBy};
pub use stats::{DeckCounts, DeckQuiz, MATURE_DAYS, Retention, StatsScope};
pub use weak::{CardEvents, LastQuiz, NotePlace, Recent, ScoreRow};

const SCHEMA: &str = include_str!("../../schema.sql");
/// 'mast' in ASCII: tells our databases from other applications'.
const APPLICATION_ID: i64 = 0x6d61_7374;

/// The migration blocks of `schema.sql`, in order; block N upgrades N-1 to N.
fn migrations() -> Vec<&'static str> {
    SCHEMA
        .split("\n-- migration: ")
        .skip(1)
        .map(|block| block.split_once('\n').map_or("", |(_, sql)| sql))
        .collect()
}

pub fn latest_version() -> i64 {
    migrations().len() as i64
}

/// (type, name) of every table, index and view the migrations leave
/// behind, read from `schema.sql`'s text: every command checks them, so
/// this must cost microseconds, not a scratch database (`expected_objects`,
/// which `tests` keep in step with this).
pub(crate) fn expected_names() -> Vec<(String, String)> {
    let mut names: Vec<(String, String)> = Vec::new();
    for statement in SCHEMA
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n")
        .split(';')
    {
        let words: Vec<&str> = statement.split_whitespace().collect();
        let upper: Vec<String> = words.iter().take(4).map(|w| w.to_uppercase()).collect();
        let upper: Vec<&str> = upper.iter().map(String::as_str).collect();
        let (kind, name) = match upper.as_slice() {
            ["CREATE", "TABLE", ..] => ("table", words.get(2)),
            ["CREATE", "VIEW", ..] => ("view", words.get(2)),
            ["CREATE", "INDEX", ..] => ("index", words.get(2)),
            ["CREATE", "UNIQUE", "INDEX", ..] => ("index", words.get(3)),
            ["DROP", "INDEX", ..] => {
                if let Some(n) = words.get(2) {
                    names.retain(|(k, x)| !(k == "index" && x == n));
                }
                continue;
            }
            _ => continue,
        };
        if let Some(name) = name {
            names.push((kind.to_string(), name.trim_end_matches('(').to_string()));
        }
    }
    names
}

/// (type, name, CREATE statement) of every table and index the migrations
/// leave behind, read from a scratch in-memory database built from
/// `schema.sql`, so the list can never drift from the schema.
pub(crate) fn expected_objects() -> Vec<(String, String, String)> {
    static OBJECTS: std::sync::OnceLock<Vec<(String, String, String)>> = std::sync::OnceLock::new();
    let build = || -> rusqlite::Result<Vec<(String, String, String)>> {
        let conn = Connection::open_in_memory()?;
        for sql in migrations() {
            conn.execute_batch(sql)?;
        }
        let mut stmt = conn.prepare(
            "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND type IN ('table', 'index', 'view')",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect()
    };
    OBJECTS.get_or_init(|| build().unwrap_or_default()).clone()
}

/// A card's scheduling state from seven columns starting at `at`, in the
/// order reps, ease, interval, due, lapses, last_grade, last_day.
fn card_state(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<CardState> {
    Ok(CardState {
        reps: r.get(at)?,
        ease: r.get(at + 1)?,
        interval: r.get(at + 2)?,
        due: r.get(at + 3)?,
        lapses: r.get(at + 4)?,
        last_grade: r.get(at + 5)?,
        last_day: r.get(at + 6)?,
    })
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Opened by `doctor`: damage is reported by it, not refused here.
    lenient: bool,
    /// What a lapse that reaches the leech threshold does.
    leech: crate::scheduler::LeechRule,
    /// The scheduler that sets due days (`set_scheduler`).
    sched: crate::fsrs::Scheduler,
    /// Grades are given in a custom study session (`review QUERY`).
    custom_study: bool,
}

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, false)
    }

    /// Opens for `doctor`: a missing index, a negative schema version or a
    /// read-only file are reported by the diagnosis instead of refused.
    pub fn open_for_doctor(path: &Path) -> Result<Store> {
        Store::open_with(path, true)
    }

    fn open_with(path: &Path, lenient: bool) -> Result<Store> {
        let shown = path.display().to_string();
        let refuse = |message: String| Error::Database {
            path: shown.clone(),
            message,
        };
        if let Ok(link) = std::fs::symlink_metadata(path)
            && link.file_type().is_symlink()
            && let Err(e) = std::fs::metadata(path)
        {
            // ELOOP: the links lead back to themselves.
            if e.raw_os_error() == Some(40) {
                return Err(refuse(
                    "is a symbolic link that leads back to itself: point it at a file, or pass another --db"
                        .to_string(),
                ));
            }
            let target = std::fs::read_link(path)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            return Err(refuse(format!(
                "is a symbolic link to {target}, which does not exist: restore the target or pass another --db"
            )));
        }
        if let Ok(meta) = std::fs::metadata(path)
            && !meta.is_file()
        {
            return Err(refuse(format!(
                "is a {}, not a database file: pass a file path with --db",
                crate::deck::source::file_type_name(&meta)
            )));
        }
        if !path.exists() {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| Error::Database {
                    path: shown.clone(),
                    message: format!("cannot create its folder {}: {e}", parent.display()),
                })?;
            }
            Store::create(path, lenient)?;
        } else if std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) == 0 {
            return Err(Error::Database {
                path: shown,
                message: "is an empty file, not a mastery database: remove it or pass another --db"
                    .into(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| Error::Database {
            path: shown.clone(),
            message: format!("cannot open: {e}"),
        })?;
        register_functions(&conn).map_err(|e| open_failed(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            lenient,
            leech: Default::default(),
            sched: Default::default(),
            custom_study: false,
        };
        store.setup(false)?;
        if !lenient {
            store.check_usable()?;
        }
        Ok(store)
    }

    /// Creates a new database at `path`. It is built and migrated in a
    /// private temporary file beside `path`, then moved there unless another
    /// process created one first: `path` is never an empty or half-built
    /// database that a second process could open meanwhile.
    fn create(path: &Path, lenient: bool) -> Result<()> {
        let shown = path.display().to_string();
        let failed = |e: &dyn std::fmt::Display| Error::Database {
            path: shown.clone(),
            message: format!("cannot create the database: {e}"),
        };
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".mastery-new-")
            .suffix(".db")
            .tempfile_in(folder)
            .map_err(|e| failed(&e))?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(temp.path(), flags).map_err(|e| failed(&e))?;
        // Messages name the database being created, not the scratch file.
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            lenient,
            leech: Default::default(),
            sched: Default::default(),
            custom_study: false,
        };
        store.setup(true)?;
        // Closing checkpoints the WAL into the file and removes it.
        store.conn.close().map_err(|(_, e)| failed(&e))?;
        temp.as_file().sync_all().map_err(|e| failed(&e))?;
        match temp.persist_noclobber(path) {
            Ok(_) => Ok(()),
            // Another process created it first: open theirs.
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(failed(&e.error)),
        }
    }

    /// Refuses a database that would fail later, at the first grade or the
    /// first query, with a message that says why and what to do.
    fn check_usable(&self) -> Result<()> {
        let missing = self.missing_objects()?;
        if let Some((kind, name)) = missing.first() {
            return Err(Error::Database {
                path: self.path.display().to_string(),
                message: format!(
                    "its {kind} '{name}' is missing{}: run `mastery doctor --repair` to recreate it",
                    if missing.len() > 1 {
                        format!(" (and {} more)", missing.len() - 1)
                    } else {
                        String::new()
                    }
                ),
            });
        }
        // Take the write lock once: a read-only file, or a folder where the
        // journal can't be written, fails here rather than at the first grade.
        self.conn
            .execute_batch("BEGIN IMMEDIATE; ROLLBACK;")
            .map_err(|e| self.open_failed(e))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// From here on, commits are durable across a power cut or an OS crash,
    /// not only a process crash: WAL with `synchronous=NORMAL` may lose the
    /// last commits then, and a grade shown as saved must not be lost.
    /// Called before every answer is recorded; BENCHMARKS.md has the cost.
    fn durable(&self) -> Result<()> {
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        Ok(())
    }

    /// A value of the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    fn not_ours(&self, e: impl std::fmt::Display) -> Error {
        Error::Database {
            path: self.path.display().to_string(),
            message: format!(
                "is not a readable mastery database ({e}): restore a backup or pass another --db"
            ),
        }
    }

    /// A failure while opening: a database we may not write is told apart
    /// from one that is not ours.
    fn open_failed(&self, e: rusqlite::Error) -> Error {
        open_failed(&self.path, e)
    }

    fn setup(&mut self, created: bool) -> Result<()> {
        self.conn
            .busy_timeout(Duration::from_secs(10))
            .map_err(|e| self.open_failed(e))?;
        let (version, app_id): (i64, i64) = self
            .conn
            .query_row("SELECT user_version, application_id FROM pragma_user_version, pragma_application_id", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| self.open_failed(e))?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(|e| self.open_failed(e))?;
        if !created && tables > 0 && app_id != APPLICATION_ID {
            return Err(self.not_ours("it belongs to another application"));
        }
        let latest = latest_version();
        if version < 0 && !self.lenient {
            return Err(Error::Database {
                path: self.path.display().to_string(),
                message: format!(
                    "has a negative schema version ({version}), which mastery never writes: run `mastery doctor` to diagnose it"
                ),
            });
        }
        if version > latest {
            return Err(Error::SchemaTooNew {
                path: self.path.display().to_string(),
                found: version,
                known: latest,
            });
        }
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| self.open_failed(e))?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        // NORMAL here: a compile, a migration or a repair can be redone.
        // The learner's answers are committed with FULL (`durable`).
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        if (0..latest).contains(&version) {
            self.migrate()?;
        }
        Ok(())
    }

    /// Applies the migrations this database lacks, all in one transaction
    /// under the write lock. Processes that open an old database together
    /// queue for the lock and read the version again inside it: the first
    /// backs up and migrates, the others find nothing left to do.
    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let latest = latest_version();
        let tx = match self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        {
            Ok(tx) => tx,
            Err(e) => return Err(open_failed(&path, e)),
        };
        let version: i64 =
            tx.query_row("SELECT user_version FROM pragma_user_version", [], |r| {
                r.get(0)
            })?;
        if version > latest {
            return Err(Error::SchemaTooNew {
                path: path.display().to_string(),
                found: version,
                known: latest,
            });
        }
        if !(0..latest).contains(&version) {
            return Ok(());
        }
        if version > 0 {
            backup::backup(&path, &version.to_string())?;
        }
        for sql in migrations()
            .iter()
            .skip(usize::try_from(version).unwrap_or(usize::MAX))
        {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", latest)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }

    /// Copies the database beside itself, as `<db>.bak-<suffix>`.
    fn backup(&self, suffix: &str) -> Result<PathBuf> {
        backup::backup(&self.path, suffix)
    }
}

/// SQL functions mastery's queries use beyond SQLite's own.
///
/// `fold(text)`: the text in lowercase for all of Unicode, without accents
/// (`search::fold`). SQLite's `lower()` and `LIKE` fold ASCII letters only,
/// so `--topic über` would miss a topic named "Über". Folding as the query
/// runs, rather than keeping a folded copy of every card's text, costs a
/// word search that reads every card about 130 ms at 100k cards
/// (BENCHMARKS.md), and keeps one copy of the text.
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(ctx
                .get_raw(0)
                .as_str_or_null()
                .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?
                .map(crate::search::fold))
        },
    )
}

/// A failure while opening the database at `path`: one we may not write is
/// told apart from one that is not ours.
fn open_failed(path: &Path, e: rusqlite::Error) -> Error {
    let message = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen) => format!(
            "can't be written ({e}): make the file, its -wal and -shm files and its folder writable, or pass another --db"
        ),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            "is busy: another process has held a write lock on it for 10 s; try again when it is done".to_string()
        }
        _ => format!(
            "is not a readable mastery database ({e}): restore a backup or pass another --db"
        ),
    };
    Error::Database {
        path: path.display().to_string(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use crate::scheduler::{Grade, review_of};

    /// A grade is acknowledged only after a commit that survives a power
    /// cut: WAL with `synchronous=FULL` (2), not NORMAL (1).
    #[test]
    fn grades_are_committed_with_full_durability() {
        let (_d, mut store, clock) = crate::testing::store_with("## Q: a {#a}\nb\n");
        let sync = |s: &Store| -> i64 {
            s.conn
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(sync(&store), 1, "compiles run with NORMAL");
        let (day, at) = (clock.today(), clock.stamp());
        let g = Grade::new(4).unwrap();
        store
            .record(
                &log::Grading {
                    card_id: 1,
                    grade: 4,
                    at: &at,
                    day,
                    ms: 1,
                },
                &|before| Some(review_of(before, g, day)),
            )
            .unwrap();
        assert_eq!(sync(&store), 2);
    }

    use super::*;

    /// Migration 6 counts lapses as Anki does: a card passed, then failed
    /// on two days running, had one lapse under mastery 0.1 and has two
    /// now, on each row of its log and on the card; the chain still holds.
    #[test]
    fn migration_six_recounts_lapses_from_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.db");
        let conn = Connection::open(&path).unwrap();
        for sql in &migrations()[..5] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 5).unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .unwrap();
        // 0.1's rows: new 4, review 1 (lapse 1), review 1 (no lapse then),
        // a drill, and an undone fail.
        conn.execute_batch(
            "INSERT INTO deck (id, key, title, path) VALUES (1, 'd', 'D', 'd.md');
             INSERT INTO note (id, key, deck_id, kind, title, topic, line) VALUES (1, 'n', 1, 'q', 'n', 't', 1);
             INSERT INTO card (id, key, note_id, deck_id, gen, pos, reps, ease, interval, due, lapses, last_grade, last_day)
                 VALUES (1, 'n', 1, 1, 'q', 0, 1, 142, 1, 13, 1, 1, 12);
             INSERT INTO card_text (card_id, front, back) VALUES (1, 'f', 'b');
             INSERT INTO review (id, card_id, at, day, grade, kind, ms, b_reps, b_ease, b_interval, b_due, b_lapses, b_last_grade, b_last_day,
                 a_reps, a_ease, a_interval, a_due, a_lapses, a_last_grade, a_last_day, undone) VALUES
                 (1, 1, 'a', 10, 4, 'new', 1, 0, 250, 0, NULL, 0, NULL, NULL, 1, 250, 1, 11, 0, 4, 10, 0),
                 (2, 1, 'a', 11, 1, 'review', 1, 1, 250, 1, 11, 0, 4, 10, 1, 196, 1, 12, 1, 1, 11, 0),
                 (3, 1, 'a', 11, 4, 'drill', 1, 1, 196, 1, 12, 1, 1, 11, 1, 196, 1, 12, 1, 1, 11, 0),
                 (4, 1, 'a', 12, 1, 'review', 1, 1, 196, 1, 12, 1, 1, 11, 1, 142, 1, 13, 1, 1, 12, 0),
                 (5, 1, 'a', 13, 0, 'review', 1, 1, 142, 1, 13, 1, 1, 12, 1, 130, 1, 14, 1, 0, 13, 1);
             INSERT INTO undo (review_id, at) VALUES (5, 'b');",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        let rows: Vec<(i64, i64)> = store
            .conn
            .prepare("SELECT b_lapses, a_lapses FROM review ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows, [(0, 0), (0, 1), (1, 1), (1, 2), (2, 3)]);
        assert_eq!(store.card_by_id(1).unwrap().unwrap().state.lapses, 2);
        let mut chain_ok = true;
        store
            .each_card_log(|card| {
                let mut prev = CardState::default();
                for row in &card.rows {
                    chain_ok &= row.before.as_ref().ok() == Some(&prev);
                    prev = row.after.clone().unwrap();
                }
                chain_ok &= card.state.as_ref().ok() == Some(&prev);
                Ok(())
            })
            .unwrap();
        assert!(
            chain_ok,
            "the log's chain of states holds after the recount"
        );
    }

    /// The quick name scan every command uses agrees with a database
    /// actually built from the migrations.
    #[test]
    fn expected_names_match_the_built_schema() {
        let mut quick = expected_names();
        let mut built: Vec<(String, String)> = expected_objects()
            .into_iter()
            .map(|(k, n, _)| (k, n))
            .collect();
        quick.sort();
        built.sort();
        assert_eq!(quick, built);
    }

    #[test]
    fn schema_splits_into_numbered_migrations() {
        let blocks = migrations();
        assert!(!blocks.is_empty());
        assert!(blocks[0].contains("CREATE TABLE card"));
    }

    #[test]
    fn opens_fresh_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/m.db");
        drop(Store::open(&path).unwrap());
        let store = Store::open(&path).unwrap();
        let v: i64 = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, latest_version());
    }
}
