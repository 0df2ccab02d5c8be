//! Issue 13, sections 1, 2, the CSV bullet of 6, and 7: every file mastery
//! writes goes through one safe writer, `weak -o` keeps the learner's words,
//! CSV cells can't run as formulas, and no number or byte a user can type
//! panics, aborts or contradicts itself.
//!
//! Each test is a real run of the binary in a temporary folder. Where
//! something is refused, every file in that folder (the database included)
//! is compared byte for byte with how it was before.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use common::*;

/// Long enough for a debug build on a busy machine; a FIFO that is opened
/// would block forever, so every run that could hang has this timeout.
const LIMIT: Duration = Duration::from_secs(60);

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/codex-training");

const M1: &str = "+++\ntitle = \"Module 1: Basics\"\nmodule = 1\n+++\n# Hooks\n\
## Q: h1? {#h1}\nA1.\n## Q: h2? {#h2}\nA2.\n## Q: h3? {#h3}\nA3.\n## Q: h4? {#h4}\nA4.\n\
# Memory\n## Q: k1? {#k1}\nB1.\n## Q: k2? {#k2}\nB2.\n";
const M2: &str = "+++\ntitle = \"Module 2: More\"\nmodule = 2\n+++\n# Plans\n\
## Q: p1? {#p1}\nC1.\n## Q: p2? {#p2}\nC2.\n## Q: p3? {#p3}\nC3.\n";

// ---------------------------------------------------------------------------
// Helpers

/// Every entry under `root`, without following links: file bytes, link
/// targets, and the kind of anything else.
fn tree(root: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path.strip_prefix(root).unwrap().to_path_buf();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let kind = meta.file_type();
        let mode = meta.permissions().mode() & 0o7777;
        let value = if kind.is_symlink() {
            format!("link -> {}", std::fs::read_link(&path).unwrap().display())
        } else if kind.is_dir() {
            walk(root, &path, out);
            format!("dir {mode:o}")
        } else if kind.is_file() {
            format!(
                "file {mode:o} {:?}",
                String::from_utf8_lossy(&std::fs::read(&path).unwrap())
            )
        } else {
            format!("special {mode:o} {kind:?}")
        };
        out.insert(rel, value);
    }
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A copy of the system's /dev/null device inside the temp dir.
fn mknod_null(path: &Path) -> bool {
    if !is_root() {
        eprintln!("skipped the device-node case: creating one needs root");
        return false;
    }
    std::process::Command::new("mknod")
        .arg(path)
        .args(["c", "1", "3"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn run(env: &Env, now: &str, args: &[&str], stdin: impl Into<Vec<u8>>) -> Output {
    env.cmd(now)
        .env("MASTERY_DECKS", "decks")
        .args(args)
        .write_stdin(stdin.into())
        .timeout(LIMIT)
        .output()
        .unwrap()
}

/// A refusal: one line on stderr that never names a temporary file.
fn refusal_line(out: &Output, code: i32) -> String {
    let err = one_line_failure(out, code);
    assert!(!err.contains(".tmp"), "names a temporary file: {err}");
    err
}

/// Runs `args`, expects a one-line refusal with `message` and `code`, and
/// checks that nothing at all changed in the environment's folder.
fn refused(env: &Env, args: &[&str], code: i32, message: &str) {
    let before = tree(env.dir.path());
    let out = run(env, DAY3, args, "");
    assert_eq!(refusal_line(&out, code), message, "mastery {args:?}");
    assert_eq!(
        tree(env.dir.path()),
        before,
        "mastery {args:?} changed files"
    );
}

/// Two modules with a scripted history: on DAY3 the Hooks and Plans topics
/// are weak (the same history as tests/weak.rs).
fn weak_env() -> Env {
    let env = Env::with_decks(&[("m1.md", M1), ("m2.md", M2)]);
    env.review_grades(Path::new("decks"), DAY1, "555555555");
    // Day 2, all due by id: h1 h2 h3 h4 k1 k2 p1 p2 p3, then re-drills
    // h1 4, h2 3 (again), p1 4, h2 4.
    env.review_grades(Path::new("decks"), DAY2, "1255550554344");
    env.review_grades(Path::new("decks"), DAY3, "14244");
    env
}

// ---------------------------------------------------------------------------
// 1. One safe writer

#[test]
fn weak_output_refuses_every_target_that_is_not_a_regular_file() {
    let env = weak_env();
    mkfifo(&env.path("pipe.md"));
    std::fs::create_dir(env.path("folder.md")).unwrap();
    let _socket = std::os::unix::net::UnixListener::bind(env.path("socket.md")).unwrap();
    std::fs::write(env.path("real.md"), "my own notes\n").unwrap();
    std::os::unix::fs::symlink("real.md", env.path("link.md")).unwrap();
    let mut cases = vec![
        ("pipe.md", "is a named pipe (FIFO)"),
        ("folder.md", "is a folder"),
        ("socket.md", "is a socket"),
    ];
    if mknod_null(&env.path("null.md")) {
        cases.push(("null.md", "is a character device"));
    }
    for (name, what) in cases {
        refused(
            &env,
            &["weak", "-o", name],
            2,
            &format!(
                "mastery: {name} {what}, not a regular file: mastery replaces only regular files; name another file"
            ),
        );
    }
    refused(
        &env,
        &["weak", "-o", "link.md"],
        2,
        "mastery: link.md is a symbolic link to real.md: pass the real file's path to write there",
    );
}

#[test]
fn a_failed_write_names_the_users_path_and_its_cause_once() {
    let env = weak_env();
    refused(
        &env,
        &["weak", "-o", "missing/list.md"],
        1,
        "mastery: cannot write missing/list.md: No such file or directory (os error 2)",
    );
    std::fs::write(env.path("plain"), "a file, not a folder\n").unwrap();
    refused(
        &env,
        &["weak", "-o", "plain/list.md"],
        1,
        "mastery: cannot write plain/list.md: Not a directory (os error 20)",
    );
}

#[test]
fn a_new_list_is_written_without_leftovers_and_a_replaced_one_keeps_its_mode() {
    let env = weak_env();
    let out = run(&env, DAY3, &["weak", "-o", "list.md"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "temporary files left: {names:?}");
    std::fs::set_permissions(env.path("list.md"), std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = run(&env, DAY3, &["weak", "-o", "list.md"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = std::fs::metadata(env.path("list.md"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}

const NO_IDS_A: &str = "# T\n\n## Q: alpha question\nA.\n";
const NO_IDS_B: &str = "# T\n\n## Q: beta question\nB.\n";

#[test]
fn fix_ids_refuses_a_symlinked_deck_and_then_writes_no_deck() {
    let env = Env::with_decks(&[("a.md", NO_IDS_A)]);
    std::fs::create_dir(env.path("elsewhere")).unwrap();
    std::fs::write(env.path("elsewhere/b.md"), NO_IDS_B).unwrap();
    std::os::unix::fs::symlink("../elsewhere/b.md", env.path("decks/b.md")).unwrap();
    refused(
        &env,
        &["check", "--fix-ids"],
        2,
        "mastery: decks/b.md is a symbolic link to ../elsewhere/b.md: pass the real file's path to write there",
    );
}

#[test]
fn fix_ids_with_a_read_only_deck_writes_no_deck() {
    let env = Env::with_decks(&[("a.md", NO_IDS_A), ("b.md", NO_IDS_B)]);
    std::fs::set_permissions(
        env.path("decks/b.md"),
        std::fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    refused(
        &env,
        &["check", "--fix-ids"],
        2,
        "mastery: decks/b.md is read-only: make it writable (chmod u+w) or leave it out",
    );
}

#[test]
fn fix_ids_writes_the_ids_and_keeps_the_file_mode() {
    let env = Env::with_decks(&[("a.md", NO_IDS_A)]);
    let out = run(&env, DAY1, &["check", "--fix-ids"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let fixed = std::fs::read_to_string(env.path("decks/a.md")).unwrap();
    assert_eq!(
        fixed,
        "# T\n\n## Q: alpha question {#a/alpha-question}\nA.\n"
    );
    let mode = std::fs::metadata(env.path("decks/a.md"))
        .unwrap()
        .permissions()
        .mode();
    std::fs::set_permissions(
        env.path("decks/a.md"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    std::fs::write(env.path("decks/a.md"), NO_IDS_A).unwrap();
    let out = run(&env, DAY1, &["check", "--fix-ids"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let mode_after = std::fs::metadata(env.path("decks/a.md"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode_after & 0o777, 0o600, "was {mode:o}");
}

fn docs_env() -> Env {
    let env = Env::new();
    copy_dir(Path::new(FIXTURE), &env.path("codex-training"));
    env
}

fn import(env: &Env, out_dir: &str, force: bool) -> Output {
    let mut args = vec!["import", "docs", "codex-training", "--out", out_dir];
    if force {
        args.push("--force");
    }
    run(env, DAY1, &args, "")
}

#[test]
fn import_docs_writes_all_or_nothing_and_replaces_only_its_own_unchanged_files() {
    let env = docs_env();
    // Learn which files an import writes, then start over.
    assert!(import(&env, "probe", false).status.success());
    let written: Vec<PathBuf> = tree(&env.path("probe"))
        .into_iter()
        .filter(|(_, v)| v.starts_with("file"))
        .map(|(p, _)| p)
        .collect();
    assert_eq!(written.len(), 6, "{written:?}");
    std::fs::remove_dir_all(env.path("probe")).unwrap();

    // A file of the learner's at the last target: nothing is written.
    let last = Path::new("out").join(written.last().unwrap());
    let mine = env.dir.path().join(&last);
    std::fs::create_dir_all(mine.parent().unwrap()).unwrap();
    std::fs::write(&mine, "my own deck\n").unwrap();
    let message = format!(
        "mastery: {} already exists and was not written by `mastery import docs`, or was edited since: move it away, or pass --force to replace it",
        last.display()
    );
    let before = tree(env.dir.path());
    let out = import(&env, "out", false);
    assert_eq!(refusal_line(&out, 2), message);
    assert_eq!(tree(env.dir.path()), before);

    // --force replaces it; a second import replaces its own unchanged files.
    let out = import(&env, "out", true);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = tree(&env.path("out"));
    let out = import(&env, "out", false);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(tree(&env.path("out")), first);

    // Once the learner edits an imported deck, it is theirs again.
    let text = std::fs::read_to_string(&mine).unwrap();
    assert!(
        text.starts_with("+++\n# written by mastery import docs;"),
        "{text}"
    );
    std::fs::write(&mine, text + "\n## Q: mine? {#mine}\nYes.\n").unwrap();
    let before = tree(env.dir.path());
    let out = import(&env, "out", false);
    assert_eq!(refusal_line(&out, 2), message);
    assert_eq!(tree(env.dir.path()), before);

    // A FIFO among the targets is refused even with --force, before any write.
    std::fs::remove_dir_all(env.path("out")).unwrap();
    std::fs::create_dir(env.path("out")).unwrap();
    let pipe = Path::new("out").join(&written[0]);
    std::fs::create_dir_all(env.dir.path().join(pipe.parent().unwrap())).unwrap();
    mkfifo(&env.dir.path().join(&pipe));
    let before = tree(env.dir.path());
    let out = import(&env, "out", true);
    assert_eq!(
        refusal_line(&out, 2),
        format!(
            "mastery: {} is a named pipe (FIFO), not a regular file: mastery replaces only regular files; name another file",
            pipe.display()
        )
    );
    assert_eq!(tree(env.dir.path()), before);
}

// ---------------------------------------------------------------------------
// 2. `weak -o` never deletes the learner's words

#[test]
fn weak_update_keeps_the_learners_lines_and_a_renamed_topic_keeps_its_tick() {
    let env = weak_env();
    let out = run(&env, DAY3, &["weak", "-o", "list.md"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let first = std::fs::read_to_string(env.path("list.md")).unwrap();
    // The learner ticks the Hooks topic and writes around the items.
    let mut edited = String::from("Kept above the title.\n\n");
    for line in first.lines() {
        if line.contains("Re-read Module 1 › Hooks") {
            edited.push_str(&line.replace("- [ ]", "- [x]"));
            edited.push_str("\n  - my note: exit codes again\n    and a second line\n");
        } else {
            edited.push_str(line);
            edited.push('\n');
        }
        if line.starts_with("# Weak areas") {
            edited.push_str("\nWhy I keep this list.\n");
        }
    }
    edited.push_str("\nLast words.\n");
    std::fs::write(env.path("list.md"), &edited).unwrap();
    // The deck's topic is renamed; its notes keep their ids.
    let m1 = std::fs::read_to_string(env.path("decks/m1.md")).unwrap();
    std::fs::write(
        env.path("decks/m1.md"),
        m1.replace("# Hooks", "# Hook events"),
    )
    .unwrap();
    let out = run(&env, DAY3, &["weak", "-o", "list.md"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let second = std::fs::read_to_string(env.path("list.md")).unwrap();
    let lines: Vec<&str> = second.lines().collect();
    assert_eq!(lines[0], "Kept above the title.", "{second}");
    let title = lines
        .iter()
        .position(|l| l.starts_with("# Weak areas"))
        .unwrap();
    assert_eq!(lines[title + 2], "Why I keep this list.", "{second}");
    let item = lines
        .iter()
        .position(|l| l.contains("Re-read Module 1 › Hook events"))
        .unwrap_or_else(|| panic!("{second}"));
    assert!(lines[item].starts_with("- [x] "), "tick lost: {second}");
    assert_eq!(lines[item + 1], "  - my note: exit codes again", "{second}");
    assert_eq!(lines[item + 2], "    and a second line", "{second}");
    assert!(second.ends_with("\nLast words.\n"), "{second}");
    assert!(!second.contains("Resolved since"), "{second}");
    // And the update is stable: running it again changes nothing.
    let out = run(&env, DAY3, &["weak", "-o", "list.md"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(env.path("list.md")).unwrap(),
        second
    );
}

// ---------------------------------------------------------------------------
// 6. CSV cells can't run as formulas

#[test]
fn csv_cells_a_spreadsheet_would_run_are_neutralised() {
    let env = weak_env();
    let m2 = std::fs::read_to_string(env.path("decks/m2.md")).unwrap();
    std::fs::write(
        env.path("decks/m2.md"),
        m2.replace("# Plans", "# =HYPERLINK(\"http://x\";\"y\")"),
    )
    .unwrap();
    let out = run(&env, DAY3, &["weak", "--format", "csv"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    assert!(
        csv.contains("p1,m2,2,\"'=HYPERLINK(\"\"http://x\"\";\"\"y\"\")\",decks/m2.md:6,"),
        "{csv}"
    );
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
}

// ---------------------------------------------------------------------------
// 7. Numbers and sizes

#[test]
fn numeric_options_are_bounded_and_say_the_bound() {
    let env = Env::basics();
    let huge = "18446744073709551615";
    let cases: &[(&[&str], &str)] = &[
        (
            &["quiz", "--count", huge],
            "mastery: invalid value '18446744073709551615' for '--count <N>': expected a whole number from 1 to 1000 (see --help)",
        ),
        (
            &["quiz", "--count", "1001"],
            "mastery: invalid value '1001' for '--count <N>': expected a whole number from 1 to 1000 (see --help)",
        ),
        (
            &["review", "--new", huge],
            "mastery: invalid value '18446744073709551615' for '--new <N>': expected a whole number from 0 to 9999 (see --help)",
        ),
        (
            &["review", "--limit", huge],
            "mastery: invalid value '18446744073709551615' for '--limit <N>': expected a whole number from 1 to 100000 (see --help)",
        ),
        (
            &["weak", "--limit", huge],
            "mastery: invalid value '18446744073709551615' for '--limit <N>': expected a whole number from 1 to 1000 (see --help)",
        ),
        (
            &["weak", "--leech-lapses", huge],
            "mastery: invalid value '18446744073709551615' for '--leech-lapses <N>': expected a whole number from 1 to 1000 (see --help)",
        ),
        (
            &["dev", "generate", "--cards", huge, "--out", "x"],
            "mastery: invalid value '18446744073709551615' for '--cards <N>': expected a whole number from 1 to 1000000 (see --help)",
        ),
        (
            &["dev", "history", "--reviews", huge],
            "mastery: invalid value '18446744073709551615' for '--reviews <N>': expected a whole number from 0 to 10000000 (see --help)",
        ),
        (
            &["stats", "--module", "256"],
            "mastery: invalid value '256' for '--module <N>': expected a whole number from 1 to 8 (see --help)",
        ),
        (
            &["quiz", "--threshold", huge],
            "mastery: invalid value '18446744073709551615' for '--threshold <P>': expected a whole number from 0 to 100 (see --help)",
        ),
        (
            &["--rollover-hour", "4294967296", "status"],
            "mastery: invalid value '4294967296' for '--rollover-hour <HOUR>': expected a whole number from 0 to 23 (see --help)",
        ),
        (
            &["quiz", "--seed", "18446744073709551616"],
            "mastery: invalid value '18446744073709551616' for '--seed <S>': expected a whole number, 0 or more (see --help)",
        ),
        (
            &["quiz", "--count", "ten"],
            "mastery: invalid value 'ten' for '--count <N>': expected a whole number from 1 to 1000 (see --help)",
        ),
        (
            &["dev", "history", "--reviews", "1", "--due-share", "NaN"],
            "mastery: invalid value 'NaN' for '--due-share <SHARE>': the share must be a number from 0 to 1 (see --help)",
        ),
    ];
    for (args, message) in cases {
        refused(&env, args, 2, message);
    }
}

const FILES: &str = "+++\ntitle = \"Files\"\nmodule = 2\n+++\n# Memory\n\
## Q: Memory file of Claude Code? {#f1}\nCLAUDE.md\n\
## Q: Memory file of Codex CLI? {#f2}\nAGENTS.md\n\
## Q: Codex config file? {#f4}\nconfig.toml\n";

#[test]
fn quiz_seeds_round_trip_through_history_and_replay() {
    let env = Env::with_decks(&[("files.md", FILES)]);
    let seed = "18446744073709551615";
    let args = ["quiz", "--seed", seed, "--count", "3", "--format", "flip"];
    let first = run(&env, DAY1, &args, "\ny\n".repeat(3));
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).starts_with(&format!("quiz 1: 3 questions, seed {seed}\n")),
        "{}",
        stdout(&first)
    );
    let history = env.json(DAY1, &["quiz", "history", "--json"]);
    assert_eq!(history[0]["seed"].to_string(), seed, "{history}");
    let table = env.ok(DAY1, &["quiz", "history"]);
    assert!(table.contains(seed), "{table}");
    // Replaying with the seed shown asks the same questions in the same order.
    let again = run(&env, DAY1, &args, "\ny\n".repeat(3));
    let body = |o: &Output| stdout(o).lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&first), body(&again));
}

/// A 20,000-character expected answer and a 50,000-character reply: an
/// unbounded edit distance takes a billion steps (47 s before the fix). The
/// run is capped at 2 GB of address space and 10 s of CPU and must finish
/// with a plain "wrong".
#[test]
fn a_huge_typed_answer_is_judged_in_bounded_memory() {
    let long = "x".repeat(20_000);
    let deck = format!("# T\n\n## Q: The long one? {{#long}}\n{long}\n");
    let env = Env::with_decks(&[("long.md", &deck)]);
    env.ok(DAY1, &["compile"]);
    let bin = env!("CARGO_BIN_EXE_mastery");
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg("ulimit -v 2000000 && ulimit -t 10 && exec \"$MASTERY_BIN\" quiz --card long --format typed --json")
        .current_dir(env.dir.path())
        .env("MASTERY_BIN", bin)
        .env("MASTERY_DB", env.db())
        .env("MASTERY_DECKS", "decks")
        .env("MASTERY_CONFIG", env.path("config.toml"))
        .env("MASTERY_NOW", DAY1)
        .env("TZ", "UTC")
        .env("NO_COLOR", "1");
    let out = assert_cmd::Command::from_std(sh)
        .write_stdin(format!("{}\n", "y".repeat(50_000)))
        .timeout(LIMIT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["correct"], 0, "{report}");
    assert_eq!(
        env.sql_count(
            "SELECT count(*) FROM quiz_answer WHERE correct = 0 AND length(answer) = 50000"
        ),
        1
    );
}

#[test]
fn a_prompt_line_that_is_not_utf8_is_asked_again() {
    let env = Env::with_decks(&[("files.md", FILES)]);
    let mut script = b"\xff\xfe config\n".to_vec();
    script.extend_from_slice(b"config.toml\n");
    let out = run(
        &env,
        DAY1,
        &["quiz", "--card", "f4", "--format", "typed"],
        script,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("that line is not valid UTF-8: type it again"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        env.sql_text("SELECT answer || ' ' || correct FROM quiz_answer"),
        "config.toml 1"
    );
    // The same at a grade prompt: the review goes on.
    let mut script = b"\n\xc3\x28\n".to_vec();
    script.extend_from_slice(b"4\n");
    let out = run(
        &env,
        DAY1,
        &["review", "--deck", "files", "--new", "1"],
        script,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("that line is not valid UTF-8: type it again"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        env.sql_count("SELECT count(*) FROM review WHERE grade = 4"),
        1
    );
}

#[test]
fn an_oversized_deck_says_its_exact_size() {
    let env = Env::new();
    let mut text = String::from("# T\n\n## Q: big? {#big}\n");
    text.push_str(&"a".repeat((1 << 20) + 1 - text.len()));
    env.deck("big.md", &text);
    let out = run(&env, DAY1, &["check"], "");
    assert_eq!(
        refusal_line(&out, 1),
        "decks/big.md: file is 1048577 bytes; decks over 1048576 bytes (1 MiB) are refused: split it into several files"
    );
}

#[test]
fn mastery_now_outside_the_years_says_the_year_in_utc() {
    let env = Env::basics();
    let before = tree(env.dir.path());
    let out = env
        .cmd("2999-12-31T23:59:59-05:00")
        .arg("status")
        .timeout(LIMIT)
        .output()
        .unwrap();
    assert_eq!(
        refusal_line(&out, 1),
        "mastery: MASTERY_NOW: '2999-12-31T23:59:59-05:00' is 3000-01-01T04:59:59Z in UTC, outside the years 1970 to 2999; use a current instant such as 2026-01-31T09:00:00Z"
    );
    assert_eq!(tree(env.dir.path()), before);
}

#[test]
fn an_empty_environment_path_names_the_variable() {
    let env = Env::basics();
    let before = tree(env.dir.path());
    for (var, flag) in [
        ("MASTERY_DB", "--db PATH"),
        ("MASTERY_DECKS", "--decks DIR"),
    ] {
        let out = env
            .cmd(DAY1)
            .env(var, "")
            .arg("status")
            .timeout(LIMIT)
            .output()
            .unwrap();
        assert_eq!(
            refusal_line(&out, 2),
            format!("mastery: {var} is set but empty: set it to a path, unset it, or pass {flag}")
        );
    }
    assert_eq!(tree(env.dir.path()), before);
}
