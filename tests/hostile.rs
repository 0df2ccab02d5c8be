//! Hostile input, part 1: reading decks, the database and its decks
//! source, time, and the terminal. Each test runs the binary in a temp dir
//! and checks the exit code, the message, and that nothing else changed.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;

/// Every row of every table, and every file under the temp dir, as text:
/// what a refused command must leave exactly as it was.
fn snapshot(env: &Env) -> String {
    let mut out = String::new();
    if env.db().exists() {
        let conn = rusqlite::Connection::open(env.db()).unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for table in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
                .unwrap();
            let n = stmt.column_count();
            let rows: Vec<String> = stmt
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join(","))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            out.push_str(&format!("{table}: {}\n", rows.join(" | ")));
        }
    }
    let mut files = Vec::new();
    collect(&env.decks(), &mut files);
    files.sort();
    for f in files {
        out.push_str(&format!("{}: {:?}\n", f.display(), std::fs::read(&f).ok()));
    }
    out
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let t = e.file_type().unwrap();
        if t.is_dir() {
            collect(&e.path(), out);
        } else if t.is_file() {
            out.push(e.path());
        }
    }
}

/// Runs with a deadline, so a hang is a failure, not a stuck suite.
fn run_timed(env: &Env, args: &[&str]) -> std::process::Output {
    env.cmd(DAY1)
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap()
}

// ---- 3. Reading decks ----

#[test]
fn a_fifo_named_like_a_deck_is_skipped_not_opened() {
    let env = Env::basics();
    let status = std::process::Command::new("mkfifo")
        .arg(env.decks().join("pipe.md"))
        .status()
        .unwrap();
    assert!(status.success());
    for args in [&["status"][..], &["check"]] {
        let out = run_timed(&env, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            all.contains("pipe.md: skipped: a FIFO is not a deck file, so it was not opened"),
            "{args:?}: {all}"
        );
    }
}

#[test]
fn a_device_named_like_a_deck_is_skipped() {
    if !is_root() {
        eprintln!("skipped: mknod needs root");
        return;
    }
    let env = Env::basics();
    let status = std::process::Command::new("mknod")
        .arg(env.decks().join("zero.md"))
        .args(["c", "1", "5"])
        .status()
        .unwrap();
    assert!(status.success());
    let out = run_timed(&env, &["status"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("zero.md: skipped: a device is not a deck file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_oversized_deck_is_refused_from_its_size_without_being_read() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let before = snapshot(&env);
    // 1.5 GiB, sparse: reading it whole would take seconds and the memory.
    let f = std::fs::File::create(env.decks().join("huge.md")).unwrap();
    f.set_len(1536 << 20).unwrap();
    let out = run_timed(&env, &["compile"]);
    assert_eq!(
        one_line_failure(&out, 1),
        format!(
            "{}/huge.md: file is 1610612736 bytes; decks over 1048576 bytes (1 MiB) are refused: split it into several files",
            env.decks().display()
        )
    );
    std::fs::remove_file(env.decks().join("huge.md")).unwrap();
    assert_eq!(snapshot(&env), before);
}

#[test]
fn a_symlink_loop_reads_each_folder_once() {
    let env = Env::basics();
    std::os::unix::fs::symlink(".", env.decks().join("loop")).unwrap();
    std::fs::create_dir(env.decks().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", env.decks().join("sub/up")).unwrap();
    let out = run_timed(&env, &["compile", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["decks"], 1, "{report}");
    assert_eq!(report["cards"], 4);
}

#[test]
fn a_byte_order_mark_does_not_hide_the_front_matter() {
    let env = Env::new();
    env.deck(
        "bom.md",
        "\u{feff}+++\nid = \"named\"\nmodule = 2\n+++\n# T\n## Q: a? {#a}\nb\n",
    );
    let cards = env.json(DAY1, &["cards", "--json"]);
    assert_eq!(cards[0]["deck"], "named", "{cards}");
}

#[rstest::rstest]
#[case::unclosed_fence(
    "## Q: a {#a}\n```sh\nls\n## Q: b {#b}\nc\n",
    "d.md:2: code fence '```' is never closed: add a closing '```' line, or every later note is swallowed by it"
)]
#[case::nested_cloze(
    "## Cloze: c {#c}\nExit {{ {{2}} }} blocks.\n",
    "d.md:2: nested cloze deletion '{{ {{…}} }}': deletions can't hold deletions; make them two"
)]
#[case::card_id_taken_by_a_note(
    "## Pattern: P {#p}\nWhen: w\nHow: h\nTrade-offs: t\n## Q: clash {#p/when}\nx\n",
    "d.md:5: id 'p/when' is already a card of note 'p' at d.md:1: note and card ids share one namespace; choose another id"
)]
#[case::requires_self(
    "+++\nid = \"c\"\nrequires = [\"c\"]\n+++\n## Q: a {#a}\nb\n",
    "d.md: prerequisite cycle c (d.md) → c: these decks would wait for each other for ever; remove one `requires` entry"
)]
fn a_broken_deck_is_an_error_at_its_line(#[case] text: &str, #[case] message: &str) {
    let env = Env::with_decks(&[("d.md", text)]);
    let out = env
        .cmd(DAY1)
        .current_dir(env.decks())
        .args(["--decks", ".", "check"])
        .output()
        .unwrap();
    assert_eq!(one_line_failure(&out, 1), message, "check");
    let out = env
        .cmd(DAY1)
        .current_dir(env.decks())
        .args(["--decks", ".", "compile"])
        .output()
        .unwrap();
    assert_eq!(one_line_failure(&out, 1), message, "compile");
}

#[test]
fn a_four_backtick_fence_holds_a_three_backtick_one() {
    let env = Env::with_decks(&[(
        "d.md",
        "## Q: How is a fence shown? {#a}\n````md\n```\n## Q: not a note\n```\n````\n## Q: next {#b}\nc\n",
    )]);
    assert_eq!(env.card_ids(DAY1), ["a", "b"]);
}

#[test]
fn a_parse_error_does_not_hide_duplicate_ids_in_the_same_file() {
    let env = Env::with_decks(&[(
        "d.md",
        "## Q: a {#same}\nx\n## Q: b {#same}\ny\n## Foo: z\nw\n",
    )]);
    let out = env.run(DAY1, &["check"], "");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let decks = env.decks().display().to_string();
    assert!(
        err.contains(&format!(
            "{decks}/d.md:3: duplicate id 'same': also at {decks}/d.md:1"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{decks}/d.md:5: '## Foo: z' is not a note"))
            || err.contains("unknown note kind 'Foo'"),
        "{err}"
    );
}

#[test]
fn two_decks_with_one_id_are_named_both_even_when_one_is_unchanged() {
    let env = Env::with_decks(&[("a.md", "+++\nid = \"x\"\n+++\n## Q: a {#a}\nb\n")]);
    env.ok(DAY1, &["compile"]);
    env.deck("b.md", "+++\nid = \"x\"\n+++\n## Q: c {#c}\nd\n");
    let before = snapshot(&env);
    let out = env.run(DAY1, &["compile"], "");
    let decks = env.decks().display().to_string();
    assert_eq!(
        one_line_failure(&out, 1),
        format!("{decks}/b.md:1: duplicate deck id 'x': also used by {decks}/a.md")
    );
    assert_eq!(snapshot(&env), before);
}

#[test]
fn a_requires_cycle_names_both_files() {
    let env = Env::with_decks(&[
        ("a.md", "+++\nrequires = [\"b\"]\n+++\n## Q: a {#a}\nb\n"),
        ("b.md", "+++\nrequires = [\"a\"]\n+++\n## Q: c {#c}\nd\n"),
    ]);
    let out = env.run(DAY1, &["compile"], "");
    let err = one_line_failure(&out, 1);
    let decks = env.decks().display().to_string();
    assert!(
        err.contains(&format!(
            "prerequisite cycle a ({decks}/a.md) → b ({decks}/b.md) → a"
        )),
        "{err}"
    );
}

#[test]
fn a_new_note_reusing_a_retired_card_id_is_an_error_not_a_crash() {
    let env = Env::with_decks(&[(
        "d.md",
        "## Pattern: P {#p}\nWhen: w\nHow: h\nTrade-offs: t\n",
    )]);
    env.ok(DAY1, &["compile"]);
    env.deck("d.md", "## Q: other {#o}\ny\n");
    env.ok(DAY1, &["compile"]);
    env.deck("d.md", "## Q: other {#o}\ny\n## Q: reused {#p/how}\nx\n");
    let before = snapshot(&env);
    let message = format!(
        "{}/d.md:3: id 'p/how' belonged to a card of retired note 'p': choose another id, or forget the old one with `mastery compile --prune`",
        env.decks().display()
    );
    let out = env.run(DAY1, &["check"], "");
    assert_eq!(one_line_failure(&out, 1), message, "check");
    let out = env.run(DAY1, &["compile"], "");
    assert_eq!(
        one_line_failure(&out, 1),
        format!(
            "{}/d.md:3: id 'p/how' belonged to a card of retired note 'p': choose another id, or forget the old one with `mastery compile --prune`",
            env.decks().display()
        )
    );
    assert_eq!(snapshot(&env), before);
}

#[test]
fn fix_ids_writes_ids_the_parser_accepts_for_any_title() {
    let env = Env::with_decks(&[("d.md", "## Q: Qué es café\na\n## Q: 🚀🚀\nb\n## Q: 🔥\nc\n")]);
    env.ok(DAY1, &["check", "--fix-ids"]);
    let text = std::fs::read_to_string(env.decks().join("d.md")).unwrap();
    assert!(text.contains("{#d/qué-es-café}"), "{text}");
    let out = env.ok(DAY1, &["check"]);
    assert!(out.contains("3 notes: 0 errors, 0 warnings"), "{out}");
}

// ---- 4. The database and its decks ----

const OTHER: &str = "## Q: Something else entirely? {#o}\nYes.\n";

#[test]
fn another_decks_folder_is_refused_when_it_would_retire_notes() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    std::fs::create_dir(env.path("elsewhere")).unwrap();
    std::fs::write(env.path("elsewhere/o.md"), OTHER).unwrap();
    let before = snapshot(&env);
    let out = env
        .cmd(DAY1)
        .env("MASTERY_DECKS", env.path("elsewhere"))
        .arg("status")
        .output()
        .unwrap();
    let recorded = std::fs::canonicalize(env.decks()).unwrap();
    let now = std::fs::canonicalize(env.path("elsewhere")).unwrap();
    assert_eq!(
        one_line_failure(&out, 1),
        format!(
            "mastery: this database was compiled from {0}, not {1}: compiling {1} would retire 3 notes (c-sub, q-exit, z-mem); pass --decks with the recorded folder, or run `mastery compile --switch-decks` to switch and retire them",
            recorded.display(),
            now.display()
        )
    );
    assert_eq!(snapshot(&env), before);
    // The explicit switch goes ahead and says what it retired.
    let out = env
        .cmd(DAY1)
        .env("MASTERY_DECKS", env.path("elsewhere"))
        .args(["compile", "--switch-decks"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("retired: q-exit (history kept"), "{text}");
    assert!(text.contains("decks source changed from"), "{text}");
}

#[test]
fn the_built_in_decks_take_over_from_the_checkout_copy_without_a_fuss() {
    // A newcomer ran `cargo run -- review` in the checkout (./decks), then
    // the installed binary elsewhere (the built-in copy of the same decks).
    let env = Env::new();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("decks");
    let copy = std::process::Command::new("cp")
        .args(["-r"])
        .arg(&shipped)
        .arg(env.path("checkout"))
        .status()
        .unwrap();
    assert!(copy.success());
    env.cmd(DAY1)
        .current_dir(env.path("checkout/.."))
        .env("MASTERY_DECKS", env.path("checkout"))
        .arg("status")
        .assert()
        .success();
    let out = env
        .cmd(DAY1)
        .current_dir(env.path("data"))
        .env_remove("MASTERY_DECKS")
        .arg("status")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("note: decks source changed from")
            && stderr(&out).contains("to built-in decks; nothing was retired"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_broken_file_keeps_its_last_good_compile_for_the_daily_drill() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    env.deck(
        "basics.md",
        &format!("{BASICS}\n## Q: broken {{#x}}\n```\nnever closed\n"),
    );
    let out = env.run(DAY1, &["review", "--new", "1"], "\n5\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "warning: {}/basics.md:19: code fence",
            env.decks().display()
        )) && err
            .trim_end()
            .ends_with("its last good compile, if any, stays in use (run `mastery check`)"),
        "{err}"
    );
    assert!(stdout(&out).contains("Which exit code blocks a tool call?"));
    // compile and check stay strict.
    let out = env.run(DAY1, &["compile"], "");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_compile_names_what_it_retired_and_what_it_would_not_carry() {
    let env = Env::with_decks(&[(
        "d.md",
        "# T\n## Q: Which exit code blocks a tool call?\nExit code 2.\n## Q: Keep {#k}\nx\n",
    )]);
    env.ok(DAY1, &["compile"]);
    env.deck(
        "d.md",
        "# T\n## Q: Which hook event can block a tool call?\nPreToolUse.\n## Q: Keep {#k}\nx\n",
    );
    let out = env.ok(DAY1, &["compile"]);
    assert!(
        out.contains("not carried: d/which-exit-code-blocks-a-tool-call → d/which-hook-event-can-block-a-tool-call (similarity"),
        "{out}"
    );
    assert!(
        out.contains("retired: d/which-exit-code-blocks-a-tool-call (history kept"),
        "{out}"
    );
}

#[test]
fn a_dropped_index_is_named_and_repaired_by_doctor() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    rusqlite::Connection::open(env.db())
        .unwrap()
        .execute_batch("DROP INDEX card_due")
        .unwrap();
    let out = env.run(DAY1, &["status"], "");
    assert_eq!(
        one_line_failure(&out, 1),
        format!(
            "mastery: {}: its index 'card_due' is missing: run `mastery doctor --repair` to recreate it",
            env.db().display()
        )
    );
    let out = env.run(DAY1, &["doctor"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("problem: the index 'card_due' is missing"),
        "{}",
        stdout(&out)
    );
    env.ok(DAY1, &["doctor", "--repair"]);
    env.ok(DAY1, &["status"]);
    assert!(env.ok(DAY1, &["doctor"]).contains("healthy"));
}

#[test]
fn doctor_reports_out_of_range_values_and_a_negative_version() {
    let env = Env::basics();
    env.review_grades(&env.decks(), DAY1, "555");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch("UPDATE card SET ease = -7 WHERE key = 'q-exit'; PRAGMA user_version = -1;")
        .unwrap();
    drop(conn);
    let out = env.run(DAY1, &["status"], "");
    assert!(one_line_failure(&out, 1).contains(
        "has a negative schema version (-1), which mastery never writes: run `mastery doctor`"
    ));
    let out = env.run(DAY1, &["doctor"], "");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("problem: the schema version is -1"), "{text}");
    assert!(
        text.contains("problem: card q-exit: ease -7 is out of range"),
        "{text}"
    );
    env.ok(DAY1, &["doctor", "--repair"]);
    assert!(env.ok(DAY1, &["doctor"]).contains("healthy"));
    assert_eq!(env.show("q-exit")["ease"], 2.6);
}

#[test]
fn a_dangling_symlink_database_names_its_target() {
    let env = Env::basics();
    std::fs::create_dir_all(env.path("data")).unwrap();
    std::os::unix::fs::symlink(env.path("gone/real.db"), env.db()).unwrap();
    let out = env.run(DAY1, &["status"], "");
    assert_eq!(
        one_line_failure(&out, 1).replace("mastery: ", ""),
        format!(
            "{}: is a symbolic link to {}, which does not exist: restore the target or pass another --db",
            env.db().display(),
            env.path("gone/real.db").display()
        )
    );
    assert!(!env.path("gone").exists());
}

#[test]
fn a_read_only_database_is_refused_before_the_first_card() {
    if !is_root() {
        eprintln!("skipped: needs root to run the binary as another user");
        return;
    }
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    // Run as nobody, who can read the database but not write it or its folder.
    std::process::Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(env.dir.path())
        .status()
        .unwrap();
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_mastery"))
        .args(["review"])
        .env("MASTERY_DB", env.db())
        .env("MASTERY_DECKS", env.decks())
        .env("MASTERY_CONFIG", env.path("config.toml"))
        .env("MASTERY_NOW", DAY1)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("can't be written")
            && err.contains("make the file, its -wal and -shm files and its folder writable"),
        "{err}"
    );
    assert!(
        !stdout(&out).contains("Which exit code"),
        "a card was shown"
    );
}

// ---- 6. The terminal ----

const HOSTILE: &str = "+++\ntitle = \"Evil\\u001b]0;pwned\\u0007\"\n+++\n# T\u{1b}[2J\n## Q: Clear? {#e}\nAnswer \u{1b}[2J with \u{1b}]52;c;aGk=\u{7} and \u{9b}31m.\n";

#[test]
fn deck_text_cannot_drive_the_terminal() {
    let env = Env::with_decks(&[("evil.md", HOSTILE)]);
    let outputs = [
        env.run(DAY1, &["review", "--new", "5"], "\n5\n"),
        env.run(DAY1, &["cards"], ""),
        env.run(DAY1, &["show", "e"], ""),
        env.run(DAY1, &["show", "e", "--json"], ""),
        env.run(DAY1, &["status"], ""),
        env.run(DAY1, &["quiz", "--card", "e", "--format", "flip"], "\ny\n"),
        env.run(DAY1, &["weak"], ""),
        env.run(DAY1, &["stats"], ""),
    ];
    for out in &outputs {
        for stream in [&out.stdout, &out.stderr] {
            assert!(
                !stream.iter().any(|b| *b == 0x1b || *b == 0x07)
                    && !String::from_utf8_lossy(stream).contains('\u{9b}'),
                "raw control bytes in {:?}",
                String::from_utf8_lossy(stream)
            );
        }
    }
    let review = stdout(&outputs[0]);
    assert!(
        review.contains("Answer \\x1b[2J with \\x1b]52;c;aGk=\\x07 and \\u{9b}31m."),
        "{review}"
    );
    let json: serde_json::Value = serde_json::from_slice(&outputs[3].stdout).unwrap();
    assert_eq!(
        json["back"],
        "Answer \u{1b}[2J with \u{1b}]52;c;aGk=\u{7} and \u{9b}31m."
    );
}

#[test]
fn sigterm_writes_no_escape_codes_into_a_pipe_and_prints_the_summary() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let mut child = env
        .command(DAY1)
        .args(["review"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::{BufRead, Write};
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\n4\n").unwrap();
    stdin.flush().unwrap();
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("saved grade 4") {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
    }
    unsafe_kill(child.id(), "TERM");
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut reader, &mut rest).unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    let all = format!("{seen}{}", String::from_utf8_lossy(&rest));
    assert_eq!(status.code(), Some(130));
    assert!(
        !all.contains('\u{1b}'),
        "escape codes in piped output: {all:?}"
    );
    assert!(all.contains("session: 1 reviewed"), "{all}");
}

fn unsafe_kill(pid: u32, signal: &str) {
    std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
}

#[test]
fn a_file_reached_twice_through_a_symlink_is_read_once() {
    let env = Env::basics();
    std::os::unix::fs::symlink(
        env.decks().join("basics.md"),
        env.decks().join("0-alias.md"),
    )
    .unwrap();
    let out = run_timed(&env, &["compile", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["cards"], 4, "{report}");
    assert_eq!(env.show("q-exit")["deck"], "basics");
}

#[test]
fn import_docs_never_writes_into_the_tree_it_reads() {
    let env = Env::new();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/codex-training"),
        &env.path("ct"),
    );
    let before = std::fs::read(env.path("ct/docs/modules/01-internals.md")).unwrap();
    let out = env
        .cmd(DAY1)
        .args(["import", "docs", "ct", "--out", "ct/docs", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is inside the docs tree being imported"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(env.path("ct/docs/modules/01-internals.md")).unwrap(),
        before
    );
}
