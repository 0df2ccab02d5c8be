//! The library's error type. Every message starts lowercase, names what
//! failed and where, and suggests a fix when there is one.

use std::fmt;
use std::path::PathBuf;

/// A problem at a place in a source file, printed as `path:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    pub path: String,
    pub line: usize,
    pub message: String,
}

impl Diag {
    pub fn new(path: &str, line: usize, message: impl Into<String>) -> Self {
        Diag {
            path: path.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}:{}: {}", self.path, self.line, self.message)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Every error found in the deck files, one per line.
    #[error("{}", join_lines(.0))]
    Decks(Vec<Diag>),

    /// A bad value in a config file, environment variable or option.
    #[error("{0}")]
    Invalid(Diag),

    /// Wrong use of the command line; exits with 2.
    #[error("{0}")]
    Usage(String),

    /// A card deleted while a session showed it (`compile --prune` in
    /// another terminal): the session says so and goes on.
    #[error(
        "this card was deleted from the database meanwhile (a `compile --prune`?): nothing was saved for it"
    )]
    CardGone,

    /// An undo that would break the chain of states, or is already done.
    #[error("cannot undo: {0}")]
    UndoRefused(String),

    /// A search query that can't be read or names what doesn't exist:
    /// `query:COLUMN: message`; exits with 2.
    #[error("{0}")]
    Query(crate::search::QueryError),

    #[error("unknown card id '{0}': list card ids with `mastery cards`")]
    UnknownCard(String),

    #[error("{path}: {message}")]
    Database { path: String, message: String },

    /// An Anki package or collection that can't be read as one.
    #[error("{path}: {message}")]
    Anki { path: String, message: String },

    #[error(
        "{path}: written by a newer mastery (schema version {found}, this build knows up to {known}); upgrade mastery to open it"
    )]
    SchemaTooNew {
        path: String,
        found: i64,
        known: i64,
    },

    // The OS or SQLite cause is part of each message below and is not also
    // reported as a `source()`: a chain printer (anyhow's `{:#}`) would
    // otherwise print it twice.
    #[error("database error: {0}")]
    Sql(rusqlite::Error),

    #[error("{}: {cause}", .path.display())]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },

    /// A file mastery was asked to write could not be written. `path` is the
    /// user's name for it, never the temporary file beside it.
    #[error("cannot write {}: {cause}", .path.display())]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },

    #[error("cannot {action}: {cause}")]
    Terminal {
        action: &'static str,
        cause: std::io::Error,
    },

    /// The decks source is not the one the database was compiled from, and
    /// compiling it would retire notes.
    #[error(
        "this database was compiled from {recorded}, not {current}: compiling {current} would retire {} notes ({}); pass --decks with the recorded folder, or run `mastery compile --switch-decks` to switch and retire them",
        .retired.len(), preview(.retired)
    )]
    DecksSwitch {
        recorded: String,
        current: String,
        retired: Vec<String>,
    },

    /// `doctor` found problems; they were already printed.
    #[error("{} found; run `mastery doctor --repair` for those it can fix", crate::render::plural(*.0, "problem", "problems"))]
    Unhealthy(usize),

    /// The learner pressed Ctrl-C; everything answered was already saved.
    #[error("interrupted; every answer given so far is saved")]
    Interrupted,
}

/// The first few ids of a list, for a one-line message.
fn preview(ids: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = ids
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        text.push_str(&format!(" and {} more", ids.len() - SHOWN));
    }
    text
}

impl From<crate::search::QueryError> for Error {
    fn from(e: crate::search::QueryError) -> Self {
        Error::Query(e)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Sql(e)
    }
}

fn join_lines(diags: &[Diag]) -> String {
    diags
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            cause,
        }
    }

    pub fn write(path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        Error::Write {
            path: path.into(),
            cause,
        }
    }

    /// The process exit code this error maps to.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::UndoRefused(_) | Error::Query(_) => 2,
            Error::Interrupted => 130,
            _ => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
