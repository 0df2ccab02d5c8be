//! Nothing lost, nothing confusing: bad input, bad databases, crashes,
//! signals, concurrency, migrations and `mastery doctor`.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::*;
use predicates::prelude::*;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/decks");

/// Everything a command could have changed, as text.
fn fingerprint(env: &Env) -> String {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let mut out = String::new();
    for table in [
        "deck",
        "note",
        "card",
        "review",
        "undo",
        "quiz",
        "quiz_answer",
    ] {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        out.push_str(&format!("{table}={n} "));
    }
    let cards: String = conn
        .query_row(
            "SELECT coalesce(group_concat(key || reps || ease || interval || coalesce(due, '') || retired || front, '|'), '') FROM card JOIN card_text ON card_id = id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    out + &cards
}

#[test]
fn malformed_deck_corpus_gets_exact_errors_and_writes_nothing() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let before = fingerprint(&env);
    let expected = std::fs::read_to_string(Path::new(CORPUS).join("expected.txt")).unwrap();
    let mut cases = 0;
    for line in expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut parts = line.splitn(3, ' ');
        let (case, code, message) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let out = env
            .cmd(DAY1)
            .current_dir(CORPUS)
            .env("MASTERY_DECKS", case)
            .arg("compile")
            .output()
            .unwrap();
        let err = one_line_failure(&out, code.parse().unwrap());
        assert_eq!(err, message, "case {case}");
        assert_eq!(
            fingerprint(&env),
            before,
            "case {case} changed the database"
        );
        cases += 1;
    }
    assert_eq!(cases, 8);
}

#[test]
fn hostile_deck_files_are_refused_with_their_name() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let before = fingerprint(&env);
    type Make = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Make, &str)> = vec![
        (
            "big",
            Box::new(|p: &Path| std::fs::write(p.join("big.md"), vec![b'a'; 10 << 20]).unwrap()),
            "big/big.md: file is 10485760 bytes; decks over 1048576 bytes (1 MiB) are refused: split it into several files",
        ),
        (
            "binary",
            Box::new(|p: &Path| {
                std::fs::write(p.join("blob.md"), b"\x7fELF\x02\x01\x01\x00\x00").unwrap()
            }),
            "binary/blob.md:1: binary data (a NUL byte), not a Markdown deck",
        ),
        (
            "latin1",
            Box::new(|p: &Path| {
                std::fs::write(p.join("old.md"), b"# Caf\xe9\n## Q: ok {#x}\ny\n").unwrap()
            }),
            "latin1/old.md:1: invalid UTF-8: save the file as UTF-8",
        ),
        (
            "symlink",
            Box::new(|p: &Path| {
                std::os::unix::fs::symlink(p.join("missing-target.md"), p.join("gone.md")).unwrap()
            }),
            "symlink/gone.md: cannot read deck file: broken symlink",
        ),
    ];
    for (name, make, message) in cases {
        std::fs::create_dir_all(env.path(name)).unwrap();
        make(&env.path(name));
        let out = env
            .cmd(DAY1)
            .env("MASTERY_DECKS", name)
            .arg("compile")
            .output()
            .unwrap();
        assert_eq!(one_line_failure(&out, 1), message);
        assert_eq!(
            fingerprint(&env),
            before,
            "case {name} changed the database"
        );
    }
}

#[test]
fn bad_command_line_values_fail_in_one_line() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let before = fingerprint(&env);
    let cases: [(&[&str], &str, i32, &str); 6] = [
        (
            &["show", "no-such-card"],
            DAY1,
            1,
            "mastery: unknown card id 'no-such-card': list card ids with `mastery cards`",
        ),
        (
            &["quiz", "--count", "0"],
            DAY1,
            2,
            "mastery: invalid value '0' for '--count <N>': expected a whole number from 1 to 1000 (see --help)",
        ),
        (
            &["quiz", "--card", "no-such-card"],
            DAY1,
            1,
            "mastery: unknown card id 'no-such-card': list card ids with `mastery cards`",
        ),
        (
            &["status"],
            "not-a-time",
            1,
            "mastery: MASTERY_NOW: 'not-a-time' is not an RFC 3339 instant (premature end of input); use e.g. 2026-01-31T09:00:00Z",
        ),
        (
            &["status"],
            "9999-06-01T00:00:00Z",
            1,
            "mastery: MASTERY_NOW: '9999-06-01T00:00:00Z' is outside the years 1970 to 2999; use a current instant such as 2026-01-31T09:00:00Z",
        ),
        (
            &["review", "--module", "9"],
            DAY1,
            2,
            "mastery: invalid value '9' for '--module <N>': expected a whole number from 1 to 8 (see --help)",
        ),
    ];
    for (args, now, code, message) in cases {
        let out = env.cmd(now).args(args).output().unwrap();
        assert_eq!(one_line_failure(&out, code), message, "{args:?}");
        assert_eq!(fingerprint(&env), before, "{args:?} changed the database");
    }
    // Grades of 6, -1 and "x" are refused at the prompt; nothing is stored.
    let out = env.run(DAY1, &["review"], "\n6\n-1\nx\nq\n");
    assert!(out.status.success());
    assert_eq!(
        stdout(&out).matches("is not a grade").count()
            + stdout(&out).matches("is not valid here").count(),
        3
    );
    assert_eq!(fingerprint(&env), before);
}

#[test]
fn bad_database_files_are_refused_untouched() {
    let env = Env::basics();
    let other = env.path("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos (name) VALUES ('cat');").unwrap();
    drop(conn);
    env.ok(DAY1, &["compile"]);
    let real = std::fs::read(env.db()).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "empty.db",
            Vec::new(),
            "is an empty file, not a mastery database: remove it or pass another --db",
        ),
        (
            "notes.db",
            b"these are my notes, not a database\n".repeat(200),
            "is not a readable mastery database (file is not a database): restore a backup or pass another --db",
        ),
        (
            "other.db",
            std::fs::read(&other).unwrap(),
            "is not a readable mastery database (it belongs to another application): restore a backup or pass another --db",
        ),
        ("truncated.db", real[..6000].to_vec(), ""),
    ];
    for (name, bytes, message) in cases {
        let path = env.path(name);
        std::fs::write(&path, &bytes).unwrap();
        let out = env
            .cmd(DAY1)
            .env("MASTERY_DB", &path)
            .arg("status")
            .output()
            .unwrap();
        let err = one_line_failure(&out, 1);
        assert!(
            err.starts_with(&format!("mastery: {}: ", path.display())),
            "{name}: {err}"
        );
        assert!(err.ends_with(message), "{name}: {err}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} was modified");
    }
}

#[test]
fn an_unusable_database_folder_is_a_clear_error() {
    let env = Env::new();
    std::fs::write(env.path("a-file"), "x").unwrap();
    let db = env.path("a-file/mastery.db");
    let out = env
        .cmd(DAY1)
        .env("MASTERY_DB", &db)
        .arg("status")
        .output()
        .unwrap();
    let err = one_line_failure(&out, 1);
    assert!(
        err.starts_with(&format!(
            "mastery: {}: cannot create its folder",
            db.display()
        )),
        "{err}"
    );
}

#[test]
fn a_full_disk_is_a_clear_error() {
    let env = Env::basics();
    // The shell caps file size and ignores SIGXFSZ, so writes fail with EFBIG
    // as on a full disk.
    let bin = env!("CARGO_BIN_EXE_mastery");
    let out = Command::new("sh")
        .args(["-c", "ulimit -f 64; trap '' XFSZ; exec \"$BIN\" compile"])
        .env("BIN", bin)
        .env("MASTERY_DB", env.db())
        .env(
            "MASTERY_DECKS",
            concat!(env!("CARGO_MANIFEST_DIR"), "/decks"),
        )
        .env("MASTERY_CONFIG", env.path("config.toml"))
        .env("MASTERY_NOW", DAY1)
        .output()
        .unwrap();
    let err = one_line_failure(&out, 1);
    assert!(
        err.starts_with(&format!("mastery: {}", env.db().display())),
        "{err}"
    );
    assert!(
        err.ends_with(
            "the disk may be full; free some space and try again (nothing half-written was kept)"
        ),
        "{err}"
    );
}

#[test]
fn databases_and_backups_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let mode = std::fs::metadata(env.db()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

/// Builds a database at schema version 1, as the first release wrote it.
fn version_one_database(env: &Env) {
    let schema = include_str!("../schema.sql");
    let v1 = schema
        .split("\n-- migration: ")
        .nth(1)
        .unwrap()
        .split_once('\n')
        .unwrap()
        .1;
    std::fs::create_dir_all(env.db().parent().unwrap()).unwrap();
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(v1).unwrap();
    conn.execute_batch(
        "PRAGMA user_version = 1; PRAGMA application_id = 1835103092;
         INSERT INTO deck (key, title, path) VALUES ('old', 'Old', 'gone.md');
         INSERT INTO note (key, deck_id, kind, title, topic, line) VALUES ('n', 1, 'Q', 'q', 't', 1);
         INSERT INTO card (key, note_id, deck_id, gen, pos, reps, due) VALUES ('n', 1, 1, 'q', 0, 1, 20000);
         INSERT INTO card_text (card_id, front, back) VALUES (1, 'q', 'b');",
    )
    .unwrap();
}

#[test]
fn an_older_schema_is_backed_up_then_migrated() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::basics();
    version_one_database(&env);
    let out = env.run(DAY1, &["show", "n", "--json"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let backup = env.path("data/mastery.db.bak-1");
    assert!(backup.exists(), "no backup beside the database");
    assert_eq!(
        std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let old = rusqlite::Connection::open(&backup).unwrap();
    let v: i64 = old
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1);
    assert_eq!(
        env.sql_count("PRAGMA user_version"),
        mastery::store::latest_version()
    );
    assert_eq!(env.sql_count("SELECT count(*) FROM quiz"), 0);
    assert_eq!(env.sql_count("SELECT reps FROM card WHERE key = 'n'"), 1);
}

#[test]
fn a_newer_schema_is_refused_naming_both_versions() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    rusqlite::Connection::open(env.db())
        .unwrap()
        .execute_batch("PRAGMA user_version = 42")
        .unwrap();
    let out = env.run(DAY1, &["status"], "");
    let err = one_line_failure(&out, 1);
    assert_eq!(
        err,
        format!(
            "mastery: {}: written by a newer mastery (schema version 42, this build knows up to {}); upgrade mastery to open it",
            env.db().display(),
            mastery::store::latest_version()
        )
    );
}

fn spawn(env: &Env, args: &[&str], now: &str) -> Child {
    env.command(now)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Feeds `answer` once per acknowledgement until `acks` were seen, then
/// sends one more answer and kills the process at once, mid-flight.
fn answer_then_kill(child: &mut Child, answer: &[u8], ack: &str, acks: usize) -> usize {
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 8192];
    let mut got = 0;
    while got < acks {
        stdin.write_all(answer).unwrap();
        while seen.matches(ack).count() <= got {
            let n = stdout.read(&mut buf).unwrap();
            assert!(n > 0, "session ended early: {seen}");
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        got = seen.matches(ack).count();
    }
    let _ = stdin.write_all(answer);
    child.kill().unwrap();
    child.wait().unwrap();
    got
}

fn deck_of(n: usize) -> String {
    let mut text = String::from("+++\nmodule = 1\n+++\n# T\n");
    for i in 0..n {
        text.push_str(&format!("## Q: question {i}? {{#k{i}}}\nanswer {i}.\n"));
    }
    text
}

#[test]
fn killed_reviews_and_quizzes_lose_no_acknowledged_answer() {
    let env = Env::new();
    env.deck("many.md", &deck_of(400));
    env.ok(DAY1, &["compile"]);
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n) as usize
    };
    let (mut reviews, mut answers) = (0i64, 0i64);
    for round in 0..56 {
        let now = format!("2026-{:02}-{:02}T09:00:00Z", 3 + round / 28, 1 + round % 28);
        if round % 2 == 0 {
            let mut child = spawn(&env, &["review", "--new", "400"], &now);
            reviews += answer_then_kill(&mut child, b"\n4\n", "saved grade", next(6)) as i64;
            let stored = env.sql_count("SELECT count(*) FROM review");
            assert!(
                stored >= reviews,
                "round {round}: {stored} stored < {reviews} acknowledged"
            );
            reviews = stored;
        } else {
            let mut child = spawn(&env, &["quiz", "--format", "flip", "--count", "30"], &now);
            answers += answer_then_kill(&mut child, b"\ny\n", "saved: ", next(6)) as i64;
            let stored = env.sql_count("SELECT count(*) FROM quiz_answer");
            assert!(
                stored >= answers,
                "round {round}: {stored} stored < {answers} acknowledged"
            );
            assert_eq!(
                env.sql_count("SELECT coalesce(sum(asked), 0) FROM quiz"),
                stored,
                "quiz scores out of step"
            );
            answers = stored;
        }
        assert_eq!(env.sql_text("PRAGMA integrity_check"), "ok");
    }
    // The next session starts normally and the log still explains every card.
    env.cmd("2026-05-01T09:00:00Z")
        .args(["review", "--limit", "1"])
        .write_stdin("\n5\n")
        .assert()
        .success();
    env.cmd("2026-05-01T09:00:00Z")
        .arg("doctor")
        .assert()
        .success();
}

#[test]
fn sigterm_ends_a_session_cleanly() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let mut child = spawn(&env, &["review"], DAY1);
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    stdin.write_all(b"\n5\n").unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !seen.contains("saved grade 5") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0);
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(matches!(status.code(), Some(130) | Some(143)), "{status:?}");
    assert_eq!(env.sql_count("SELECT count(*) FROM review"), 1);
}

#[test]
fn two_sessions_and_a_compile_at_once_lose_nothing() {
    let env = Env::new();
    env.deck("many.md", &deck_of(60));
    env.ok(DAY1, &["compile"]);
    env.run(DAY1, &["review", "--new", "60"], &"\n4\n".repeat(60));
    // Day 2: all 60 are due; a review, a quiz and a compile run at once on
    // the same database.
    let script = "\n4\n".repeat(60);
    let mut a = spawn(&env, &["review"], DAY2);
    let mut b = spawn(&env, &["quiz", "--format", "flip", "--count", "60"], DAY2);
    env.deck("many.md", &deck_of(70));
    let mut c = spawn(&env, &["compile"], DAY2);
    a.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    b.stdin
        .take()
        .unwrap()
        .write_all("\ny\n".repeat(60).as_bytes())
        .unwrap();
    drop(c.stdin.take());
    let (oa, ob, oc) = (
        a.wait_with_output().unwrap(),
        b.wait_with_output().unwrap(),
        c.wait_with_output().unwrap(),
    );
    for (name, o) in [("review", &oa), ("quiz", &ob), ("compile", &oc)] {
        assert!(o.status.success(), "{name} failed: {}", stderr(o));
        assert!(!stderr(o).contains("locked"), "{name}: {}", stderr(o));
    }
    let acked_reviews = stdout(&oa).matches("saved grade").count() as i64;
    let acked_answers = stdout(&ob).matches("saved: ").count() as i64;
    assert_eq!(acked_reviews, 60, "{}", stdout(&oa));
    assert_eq!(acked_answers, 60);
    assert_eq!(
        env.sql_count("SELECT count(*) FROM quiz_answer"),
        acked_answers
    );
    let day2 =
        env.sql_count("SELECT count(*) FROM review WHERE day = (SELECT max(day) FROM review)");
    assert_eq!(
        day2, acked_reviews,
        "every acknowledged grade is logged, once"
    );
    assert_eq!(env.sql_count("SELECT count(*) FROM card"), 70);
    env.cmd(DAY2).arg("doctor").assert().success();
}

#[test]
fn an_interrupted_compile_leaves_the_database_as_it_was() {
    let env = Env::new();
    env.deck("seed.md", &deck_of(5));
    env.ok(DAY1, &["compile"]);
    for i in 0..400 {
        env.deck(
            &format!("bulk/{i:03}.md"),
            &deck_of(100).replace("{#k", &format!("{{#b{i}-")),
        );
    }
    let wal = env.path("data/mastery.db-wal");
    let mut child = spawn(&env, &["compile"], DAY1);
    // Kill once the transaction has started writing, without sleeping.
    // SQLite spills to the WAL once its 2 MB page cache is full, long
    // before the commit of this ~8 MB transaction.
    while !std::fs::metadata(&wal).is_ok_and(|m| m.len() > 4_000_000) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the compile finished before it could be interrupted"
        );
        std::thread::yield_now();
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        env.sql_count("SELECT count(*) FROM card"),
        5,
        "half a compile was kept"
    );
    assert_eq!(env.sql_text("PRAGMA integrity_check"), "ok");
    env.ok(DAY1, &["compile"]);
    assert_eq!(env.sql_count("SELECT count(*) FROM card"), 5 + 400 * 100);
}

#[test]
fn doctor_finds_tampering_and_repairs_it_from_the_log() {
    let env = Env::basics();
    env.run(DAY1, &["review"], &"\n5\n".repeat(4));
    env.run(DAY2, &["review"], &"\n3\n".repeat(4));
    env.cmd(DAY2)
        .arg("doctor")
        .assert()
        .success()
        .stdout(predicate::str::ends_with("healthy\n"));
    rusqlite::Connection::open(env.db())
        .unwrap()
        .execute_batch("UPDATE card SET ease = 400, interval = 99 WHERE key = 'q-exit'")
        .unwrap();
    let out = env.run(DAY2, &["doctor"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("problem: card q-exit: stored state (n 2, ease 400, interval 99, due 2026-03-09, lapses 0, last grade 3, last day 2026-03-03) differs from its review log's last state (n 2, ease 246, interval 6, due 2026-03-09, lapses 0, last grade 3, last day 2026-03-03)"), "{}", stdout(&out));
    assert!(stdout(&out).contains("fix: run `mastery doctor --repair`"));
    let repaired = env.run(DAY2, &["doctor", "--repair"], "");
    assert!(repaired.status.success(), "{}", stdout(&repaired));
    assert!(stdout(&repaired).contains("rebuilt 1 card states from the review log (backup: "));
    assert!(env.path("data/mastery.db.bak-repair").exists());
    assert_eq!(env.show("q-exit")["ease"], 2.46);
    // A deck file that vanished is reported (doctor does not compile).
    std::fs::remove_file(env.decks().join("basics.md")).unwrap();
    let out = env.run(DAY2, &["doctor", "--json"], "");
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["problems"][0]["problem"]
            .as_str()
            .unwrap()
            .starts_with("deck basics: its source")
    );
}
