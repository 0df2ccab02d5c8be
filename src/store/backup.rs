//! Copies of the database beside itself: before a migration and before
//! `doctor --repair`. The caller holds the write lock, so no other process
//! changes the database or makes a second copy meanwhile.

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// Copies the database at `db` to `<db>.bak-<suffix>`, as last committed.
///
/// SQLite's online backup API writes the copy into a temporary file in the
/// database's folder, created private (0600) and renamed over the target
/// only once complete: the copy is never readable by others, and an
/// interrupted one never takes the place of an older good one.
///
/// It reads through a connection of its own: SQLite refuses to back up
/// from a connection inside a write transaction (SQLITE_BUSY), and the
/// caller's holds one. WAL readers are not blocked by that lock.
pub(super) fn backup(db: &Path, suffix: &str) -> Result<PathBuf> {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".bak-{suffix}"));
    let target = db.with_file_name(&name);
    let folder = match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(&name);
    prefix.push(".");
    let temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(|e| Error::io(folder, e))?;
    let failed = |e: rusqlite::Error| Error::Database {
        path: target.display().to_string(),
        message: format!(
            "cannot write the backup ({e}): free some space or make its folder writable, then try again"
        ),
    };
    {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let source = Connection::open_with_flags(db, flags).map_err(failed)?;
        let mut copy = Connection::open(temp.path()).map_err(failed)?;
        let step = Backup::new(&source, &mut copy)
            .and_then(|b| b.step(-1))
            .map_err(failed)?;
        // All pages in one step, under our own lock: anything but Done
        // means the copy is incomplete.
        if step != StepResult::Done {
            return Err(failed(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                Some(format!("the copy stopped early ({step:?})")),
            )));
        }
        copy.close().map_err(|(_, e)| failed(e))?;
    }
    let mut file = temp.as_file();
    file.flush().map_err(|e| Error::io(temp.path(), e))?;
    file.sync_all().map_err(|e| Error::io(temp.path(), e))?;
    temp.persist(&target)
        .map_err(|e| Error::io(&target, e.error))?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_inside_a_write_transaction_to_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("m.db");
        let mut conn = Connection::open(&db).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);",
        )
        .unwrap();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        // An older copy is replaced.
        std::fs::write(dir.path().join("m.db.bak-1"), "old").unwrap();
        let copy = backup(&db, "1").unwrap();
        drop(tx);
        assert_eq!(copy, dir.path().join("m.db.bak-1"));
        let n: i64 = Connection::open(&copy)
            .unwrap()
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
