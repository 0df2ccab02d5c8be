//! Shared fixtures for the integration tests: a temporary home with its own
//! database, decks folder and config, and a pinned clock.
#![allow(dead_code)]

pub mod tty;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

pub const DAY1: &str = "2026-03-02T09:00:00Z";
pub const DAY2: &str = "2026-03-03T09:00:00Z";
pub const DAY3: &str = "2026-03-04T09:00:00Z";

pub const BASICS: &str = r#"+++
title = "Basics"
module = 1
+++
# Hooks

## Q: Which exit code blocks a tool call? {#q-exit}
Exit code 2.

## Concept: Subagent {#c-sub}
A helper with its own context window.

# Memory

## Cloze: Memory file {#z-mem}
Claude Code reads {{CLAUDE.md}} at startup.
"#;

pub struct Env {
    pub dir: TempDir,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("decks")).expect("decks dir");
        Env { dir }
    }

    /// A fresh environment holding these decks.
    pub fn with_decks(decks: &[(&str, &str)]) -> Env {
        let env = Env::new();
        for (rel, text) in decks {
            env.deck(rel, text);
        }
        env
    }

    /// A fresh environment holding the `BASICS` deck.
    pub fn basics() -> Env {
        let env = Env::new();
        env.deck("basics.md", BASICS);
        env
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn decks(&self) -> PathBuf {
        self.path("decks")
    }

    pub fn db(&self) -> PathBuf {
        self.path("data/mastery.db")
    }

    pub fn deck(&self, rel: &str, text: &str) {
        let path = self.decks().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("deck folder");
        }
        std::fs::write(path, text).expect("write deck");
    }

    /// The binary with this environment's database, decks, config and clock.
    pub fn command(&self, now: &str) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mastery"));
        cmd.current_dir(self.dir.path())
            .env("MASTERY_DB", self.db())
            .env("MASTERY_DECKS", self.decks())
            .env("MASTERY_CONFIG", self.path("config.toml"))
            .env("MASTERY_NOW", now)
            .env("TZ", "UTC")
            .env("NO_COLOR", "1")
            .env_remove("XDG_DATA_HOME")
            // Help is wrapped to the terminal; in tests, to clap's default.
            .env_remove("COLUMNS");
        cmd
    }

    pub fn cmd(&self, now: &str) -> Command {
        Command::from_std(self.command(now))
    }

    /// A review session over the decks at `decks`, answering every card
    /// with the next of `grades`.
    pub fn review_grades(&self, decks: &Path, now: &str, grades: &str) {
        let script: String = grades.chars().map(|g| format!("\n{g}\n")).collect();
        let out = self
            .cmd(now)
            .env("MASTERY_DECKS", decks)
            .args(["review", "--new", "20", "--all-new"])
            .write_stdin(script)
            .output()
            .expect("run mastery");
        assert!(out.status.success(), "{}", stderr(&out));
    }

    /// Runs with the decks named `decks`, relative to this environment's
    /// folder, as a learner in the project folder names them, so that
    /// sources read `decks/…`; returns the output whatever the status.
    pub fn run_here(&self, now: &str, args: &[&str], stdin: &str) -> Output {
        self.cmd(now)
            .env("MASTERY_DECKS", "decks")
            .args(args)
            .write_stdin(stdin)
            .output()
            .expect("run mastery")
    }

    /// Runs with `stdin` piped in; returns the output whatever the status.
    pub fn run(&self, now: &str, args: &[&str], stdin: &str) -> Output {
        self.cmd(now)
            .args(args)
            .write_stdin(stdin)
            .output()
            .expect("run mastery")
    }

    pub fn ok(&self, now: &str, args: &[&str]) -> String {
        let out = self.run(now, args, "");
        assert!(
            out.status.success(),
            "mastery {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    pub fn json(&self, now: &str, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(now, args)).expect("json output")
    }

    /// The ids of every card, as `cards --json` lists them.
    pub fn card_ids(&self, now: &str) -> Vec<String> {
        self.json(now, &["cards", "--json"])
            .as_array()
            .expect("a list of cards")
            .iter()
            .map(|c| c["id"].as_str().expect("a card id").to_string())
            .collect()
    }

    pub fn show(&self, card: &str) -> serde_json::Value {
        self.json(DAY1, &["show", card, "--json"])
    }

    pub fn sql_count(&self, sql: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.db()).expect("open db");
        conn.query_row(sql, [], |r| r.get(0)).expect("query")
    }
}

impl Env {
    pub fn sql_text(&self, sql: &str) -> String {
        let conn = rusqlite::Connection::open(self.db()).expect("open db");
        conn.query_row(sql, [], |r| r.get(0)).expect("query")
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}

/// Exit code, one line on stderr, no panic; returns the line.
pub fn one_line_failure(out: &Output, code: i32) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert_ne!(out.status.code(), Some(101), "panicked: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    err.trim_end().to_string()
}

/// Special files (devices) and running as another user need root.
pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Copies a folder tree, for fixtures a test may change.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// A deck of `n` questions `{prefix} question {i}?` with ids `{prefix}-{i}`,
/// under one topic, with `front_matter` lines.
pub fn q_deck(prefix: &str, n: usize, front_matter: &str) -> String {
    let mut text = format!("+++\n{front_matter}\n+++\n# Topic {prefix}\n");
    for i in 1..=n {
        text.push_str(&format!(
            "## Q: {prefix} question {i}? {{#{prefix}-{i}}}\n{prefix} answer {i}.\n"
        ));
    }
    text
}
