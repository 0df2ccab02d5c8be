//! The command line as a helper: help on every flag, the command list for
//! a bare `mastery`, clap's typo hints, completions, the man page, and
//! wording (plurals, bounds, where settings come from).

mod common;

use clap::CommandFactory;
use common::*;
use mastery::cli::Cli;

/// Every argument of every command, hidden ones too, says what it is for.
#[test]
fn every_flag_and_argument_has_help() {
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if matches!(id, "help" | "version") {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{path} {id}"));
            }
        }
        for sub in cmd.get_subcommands() {
            if sub.get_about().is_none() {
                missing.push(format!("{path} {} (the command)", sub.get_name()));
            }
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    walk(&Cli::command(), "mastery", &mut missing);
    assert!(missing.is_empty(), "no help for: {missing:#?}");
}

/// The help as the learner sees it: the environment's paths are not
/// printed (`hide_env_values`), so the snapshots hold on any machine.
#[test]
fn help_snapshots() {
    let env = Env::new();
    let help = |args: &[&str]| {
        let text = env.ok(DAY1, args);
        assert!(!text.contains(env.dir.path().to_str().unwrap()), "{text}");
        text
    };
    insta::assert_snapshot!("help_main", help(&["--help"]));
    insta::assert_snapshot!("help_cards", help(&["cards", "--help"]));
    insta::assert_snapshot!("help_review", help(&["review", "--help"]));
    insta::assert_snapshot!("help_export_anki", help(&["export", "anki", "--help"]));
    insta::assert_snapshot!("help_import_anki", help(&["import", "anki", "--help"]));
}

#[test]
fn bare_mastery_lists_the_commands() {
    let env = Env::new();
    let with_variables = env.run(DAY1, &[], "");
    // A newcomer has no MASTERY_* variable set: clap then takes another
    // path to its help.
    let without = std::process::Command::new(env!("CARGO_BIN_EXE_mastery"))
        .env_clear()
        .env("HOME", env.path("home"))
        .current_dir(env.dir.path())
        .output()
        .unwrap();
    for out in [with_variables, without] {
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(text.contains("Commands:"), "{text}");
        for command in ["review", "cards", "quiz", "completions", "man"] {
            assert!(text.contains(&format!("  {command} ")), "{command}: {text}");
        }
        assert!(!text.contains("requires a subcommand"), "{text}");
        assert_eq!(out.status.code(), Some(2));
    }
}

#[test]
fn typos_get_clap_suggestions() {
    let env = Env::new();
    let sub = env.run(DAY1, &["revew"], "");
    assert_eq!(sub.status.code(), Some(2));
    assert_eq!(
        stderr(&sub).trim(),
        "mastery: unrecognized subcommand 'revew'; some similar subcommands exist: 'reset', 'review' (see --help)"
    );
    // Queries may start with `-` (Anki's negation), so a mistyped flag
    // could pass for one: it is still named, with the closest flag.
    for args in [&["review", "--lmit", "3"][..], &["review", "--lmit"]] {
        let flag = env.run(DAY1, args, "");
        assert_eq!(flag.status.code(), Some(2));
        assert_eq!(
            stderr(&flag).trim(),
            "mastery: unexpected argument '--lmit' found; a similar argument exists: '--limit' (see --help)",
            "{args:?}"
        );
    }
}

#[test]
fn a_query_may_start_with_a_minus() {
    let env = Env::basics();
    let all = env.ok(DAY1, &["cards", "--columns", "id"]);
    let not_cloze = env.ok(DAY1, &["cards", "-kind:cloze", "--columns", "id"]);
    assert!(all.contains("z-mem"), "{all}");
    assert!(!not_cloze.contains("z-mem"), "{not_cloze}");
    assert!(not_cloze.ends_with("3 cards\n"), "{not_cloze}");
}

#[test]
fn numbers_out_of_range_name_the_range_in_words() {
    let env = Env::new();
    let hour = env.run(DAY1, &["--rollover-hour", "24", "status"], "");
    assert_eq!(
        stderr(&hour).trim(),
        "mastery: invalid value '24' for '--rollover-hour <HOUR>': expected a whole number from 0 to 23 (see --help)"
    );
    let seed = env.run(
        DAY1,
        &[
            "dev", "generate", "--cards", "1", "--out", "x", "--seed", "ten",
        ],
        "",
    );
    assert!(
        stderr(&seed).contains("expected a whole number, 0 or more"),
        "{}",
        stderr(&seed)
    );
}

#[test]
fn counts_agree_with_their_nouns() {
    let env = Env::basics();
    let check = env.ok(DAY1, &["check"]);
    assert!(
        check.ends_with("checked 1 deck, 3 notes: 0 errors, 0 warnings\n"),
        "{check}"
    );
    let bury = env.ok(DAY1, &["bury", "q-exit"]);
    assert_eq!(
        bury,
        "buried until the next study day: 1 of 1 card; 0 unchanged\n"
    );
}

#[test]
fn config_says_where_the_database_and_decks_come_from() {
    let env = Env::basics();
    let text = env.ok(DAY1, &["config"]);
    assert!(text.contains("    (MASTERY_DB)\n"), "{text}");
    assert!(text.contains("    (MASTERY_DECKS)\n"), "{text}");
    assert!(
        text.contains("(not present)    (MASTERY_CONFIG)\n"),
        "{text}"
    );
    let flag = env.ok(DAY1, &["--db", "other.db", "config"]);
    assert!(flag.contains("other.db    (--db)\n"), "{flag}");
    let default = env
        .cmd(DAY1)
        .env_remove("MASTERY_DECKS")
        .arg("config")
        .output()
        .unwrap();
    assert!(
        stdout(&default).contains("(default: ./decks, found in the current folder)"),
        "{}",
        stdout(&default)
    );
    // A line break in a path is shown, not obeyed.
    let odd = env
        .cmd(DAY1)
        .env("MASTERY_DB", env.path("a\nb.db"))
        .arg("config")
        .output()
        .unwrap();
    let text = stdout(&odd);
    assert!(text.contains("a\\nb.db"), "{text}");
    assert!(!text.lines().any(|l| l.starts_with("b.db")), "{text}");
}

#[test]
fn show_takes_a_note_id_for_each_of_its_cards() {
    let env = Env::basics();
    let text = env.ok(DAY1, &["show", "c-sub"]);
    assert!(text.starts_with("c-sub/define (Basics"), "{text}");
    assert!(text.contains("\nc-sub/name (Basics"), "{text}");
    let list = env.json(DAY1, &["show", "c-sub", "--json"]);
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    // Wrapped at 80 columns in a pipe, the long heading included.
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    let one = env.json(DAY1, &["show", "q-exit", "--json"]);
    assert_eq!(one["id"], "q-exit");
    let read = env.ok(DAY1, &["read", "c-sub"]);
    assert!(read.contains("Subagent"), "{read}");
}

/// Each shell's script is generated; those whose shell is installed must
/// parse (`-n`), the others are skipped with the reason printed.
#[test]
fn completion_scripts_parse() {
    let env = Env::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = env.ok(DAY1, &["completions", shell]);
        assert!(script.contains("mastery"), "{shell}");
        assert!(script.contains("review"), "{shell}: the commands are in it");
        if !["bash", "zsh", "fish"].contains(&shell) {
            continue;
        }
        let path = env.path(&format!("mastery.{shell}"));
        std::fs::write(&path, &script).unwrap();
        match std::process::Command::new(shell)
            .arg("-n")
            .arg(&path)
            .output()
        {
            Ok(out) => assert!(
                out.status.success(),
                "{shell} -n: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) if shell != "bash" => {
                println!("skipped `{shell} -n`: {shell} is not installed here ({e})")
            }
            Err(e) => panic!("bash is needed to check the bash script: {e}"),
        }
    }
}

#[test]
fn the_man_page_renders() {
    let env = Env::new();
    let page = env.ok(DAY1, &["man"]);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "roff: {}",
        &page[..40.min(page.len())]
    );
    assert!(
        page.contains(".SH SUBCOMMANDS") || page.contains(".SH COMMANDS"),
        "{page}"
    );
    let path = env.path("mastery.1");
    std::fs::write(&path, &page).unwrap();
    match std::process::Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(&path)
        .env("MANWIDTH", "80")
        .output()
    {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("NAME"), "{text}");
            assert!(text.contains("mastery-review"), "{text}");
        }
        Ok(out) => panic!("man -l failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => println!("skipped `man -l`: man is not installed here ({e})"),
    }
}

#[test]
fn card_and_deck_ids_complete_from_the_database() {
    let env = Env::basics();
    env.ok(DAY1, &["status"]);
    let complete = |words: &[&str]| {
        let mut args = vec!["--", "mastery"];
        args.extend_from_slice(words);
        let out = env
            .cmd(DAY1)
            .env("MASTERY_COMPLETE", "fish")
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    assert_eq!(
        complete(&["show", "c-"]),
        "c-sub\nc-sub/define\nc-sub/name\n"
    );
    assert_eq!(
        complete(&["suspend", "q-exit", "z"]),
        "z-mem\nz-mem/c-claude-md\n"
    );
    assert_eq!(complete(&["review", "--deck", "ba"]), "basics\n");
    assert_eq!(complete(&["read", "bas"]), "basics\n");
    // No database yet: no candidates, and none is created.
    let fresh = Env::basics();
    let out = fresh
        .cmd(DAY1)
        .env("MASTERY_COMPLETE", "fish")
        .args(["--", "mastery", "show", "q"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout(&out), "");
    assert!(!fresh.db().exists());
    // The registration script for bash.
    let script = env
        .cmd(DAY1)
        .env("MASTERY_COMPLETE", "bash")
        .output()
        .unwrap();
    assert!(stdout(&script).contains("complete "), "{}", stdout(&script));
    // Completing leaves no -wal or -shm beside the database, and doesn't
    // hang on a FIFO named as one.
    for side in ["mastery.db-wal", "mastery.db-shm"] {
        let _ = std::fs::remove_file(env.path(&format!("data/{side}")));
    }
    assert_eq!(complete(&["show", "q"]), "q-exit\n");
    let left: Vec<String> = std::fs::read_dir(env.path("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["mastery.db"]);
    #[cfg(unix)]
    {
        let fifo = env.path("fifo.db");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let out = env
            .cmd(DAY1)
            .env("MASTERY_COMPLETE", "fish")
            .env("MASTERY_DB", &fifo)
            .args(["--", "mastery", "show", "q"])
            .timeout(std::time::Duration::from_secs(10))
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(stdout(&out), "");
    }
    // A variable named COMPLETE, set for another tool, changes nothing.
    let out = env
        .cmd(DAY1)
        .env("COMPLETE", "1")
        .args(["status"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn mistakes_around_queries_are_named_for_what_they_are() {
    let env = Env::basics();
    let line = |args: &[&str]| {
        let out = env.run(DAY1, args, "");
        one_line_failure(&out, 2)
    };
    // Two query terms outside one pair of quotes: clap alone blames `-i`.
    assert_eq!(
        line(&["cards", "-is:new", "-is:due"]),
        "mastery: unexpected argument '-is:due' found; a query of several terms goes in one pair of quotes, as in \"is:due -is:new\" (see --help)"
    );
    // A mistyped flag is named whatever else clap found wrong first.
    assert_eq!(
        line(&["quiz", "--jsn", "history"]),
        "mastery: unexpected argument '--jsn' found; a similar argument exists: '--json' (see --help)"
    );
    // After `--`, a value that looks like a flag is the query asked for.
    let out = env.run(DAY1, &["cards", "--columns", "id", "--", "--x"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    // A newline typed into a query stays inside one line of error.
    let out = env.run(DAY1, &["export", "anki", "-o", "x.apkg", "zz\nqq"], "");
    assert_eq!(
        one_line_failure(&out, 2),
        "mastery: no card matches 'zz\\nqq': nothing to export"
    );
}
