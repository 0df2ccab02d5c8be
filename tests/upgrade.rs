//! Many processes at once: databases of every released schema version,
//! opened by several processes together, and a `status` while another
//! process compiles.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};

use common::*;
use rstest::rstest;

/// Processes started together on one database.
const PROCESSES: usize = 8;

/// A database at `version`, from its text dump in tests/fixtures/db, with
/// the decks it was compiled from; in WAL mode, as mastery leaves it.
fn fixture(version: i64) -> Env {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/db");
    let env = Env::new();
    for name in ["basics.md", "files.md"] {
        let text = std::fs::read_to_string(fixtures.join("decks").join(name)).unwrap();
        env.deck(name, &text);
    }
    let dump = std::fs::read_to_string(fixtures.join(format!("v{version}.sql"))).unwrap();
    let decks = env.decks().display().to_string();
    std::fs::create_dir_all(env.path("data")).unwrap();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(&dump.replace("{DECKS}", &decks))
        .unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    drop(conn);
    env
}

/// Every review row, as text, in id order.
fn reviews(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            // By card row, not card id: the first compile after an upgrade
            // rekeys position-keyed cloze cards (`c1`) by their content.
            "SELECT r.id, r.card_id, r.at, r.grade, r.kind, r.a_interval, r.id IN (SELECT review_id FROM undo)
             FROM review r ORDER BY r.id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok(format!(
            "{} {} {} {} {} {} {}",
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, bool>(6)?
        ))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn user_version(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

fn spawn(env: &Env, args: &[&str]) -> Child {
    env.command(DAY3)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mastery")
}

// Version 3 is what mastery 0.1 shipped; 1 and 2 are older releases.
#[rstest]
#[case::v1(1)]
#[case::v2(2)]
#[case::v3(3)]
fn processes_opening_an_old_database_together_all_succeed(#[case] version: i64) {
    let env = fixture(version);
    let before = reviews(&env.db());
    assert!(before.len() > 10, "the fixture holds a real log");
    let children: Vec<Child> = (0..PROCESSES).map(|_| spawn(&env, &["status"])).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a status failed: {}", stderr(&out));
    }
    // Exactly one backup, private, of the old version, holding every
    // review; no temporary file left behind.
    let mut names: Vec<String> = std::fs::read_dir(env.path("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            !matches!(
                n.as_str(),
                "mastery.db" | "mastery.db-wal" | "mastery.db-shm"
            )
        })
        .collect();
    names.sort();
    assert_eq!(names, [format!("mastery.db.bak-{version}")]);
    let backup = env.path(&format!("data/mastery.db.bak-{version}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the backup is private");
    }
    assert_eq!(user_version(&backup), version);
    assert_eq!(reviews(&backup), before);
    assert_eq!(reviews(&env.db()), before, "every review is kept");
    assert!(user_version(&env.db()) > version);
}

#[test]
fn processes_creating_a_database_together_all_succeed() {
    let env = Env::basics();
    let children: Vec<Child> = (0..PROCESSES).map(|_| spawn(&env, &["status"])).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a status failed: {}", stderr(&out));
    }
    assert_eq!(
        env.sql_count("SELECT count(*) FROM card WHERE retired = 0"),
        4
    );
}

#[test]
fn a_status_during_a_long_compile_succeeds() {
    let env = Env::new();
    env.ok(
        DAY1,
        &["dev", "generate", "--cards", "30000", "--out", "decks"],
    );
    let compile = spawn(&env, &["compile"]);
    // Start once the compile has created the database, so that the two
    // overlap; a compile that is already done proves nothing.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !env.db().exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let status = spawn(&env, &["status"]);
    let status = status.wait_with_output().unwrap();
    let compile = compile.wait_with_output().unwrap();
    assert!(compile.status.success(), "compile: {}", stderr(&compile));
    assert!(status.status.success(), "status: {}", stderr(&status));
    assert!(stdout(&status).contains("30"), "{}", stdout(&status));
}

/// Card states, as text, in id order.
fn card_states(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT id, key, reps, ease, interval, due, lapses, last_grade, last_day FROM card ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((0..9)
            .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
            .collect::<Vec<_>>()
            .join(" "))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

/// The log written by an earlier release checks out as written: doctor
/// calls it healthy and changes no card.
#[rstest]
#[case::v1(1)]
#[case::v2(2)]
#[case::v3(3)]
fn doctor_calls_an_older_database_healthy_and_changes_no_card(#[case] version: i64) {
    let env = fixture(version);
    let before = card_states(&env.db());
    let out = env.run(DAY3, &["doctor"], "");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).ends_with("healthy\n"), "{}", stdout(&out));
    assert_eq!(card_states(&env.db()), before);
}
