//! Compiling a `codex-training/` docs tree directly, and converting it.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use predicates::prelude::*;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/codex-training");

/// Copies the fixture into the environment and points the decks at it.
fn env() -> Env {
    let env = Env::new();
    copy_dir(Path::new(FIXTURE), &env.path("codex-training"));
    env
}

fn run(env: &Env, decks: &str, args: &[&str]) -> std::process::Output {
    env.cmd(DAY1)
        .env("MASTERY_DECKS", decks)
        .args(args)
        .output()
        .unwrap()
}

fn card_ids(env: &Env, decks: &str) -> BTreeSet<String> {
    let out = run(env, decks, &["cards", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let cards: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    cards
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_tree_yields_the_expected_cards() {
    let env = env();
    let ids = card_ids(&env, "codex-training");
    assert_eq!(ids.len(), 45, "{ids:#?}");
    for id in [
        "modules/01-internals/session-architecture/agent-loop/define",
        "modules/01-internals/context-management/context-budget/name",
        "modules/01-internals/context-management/compaction/define",
        "modules/01-internals/context-management/pasting-whole-logs",
        "modules/01-internals/common-pitfalls/trusting-a-summary-blindly",
        "m1-compact-command",
        "m2-exit-code/c-2",
        "modules/04-quality/systematic-debugging/root-cause/define",
        "patterns/debugging/reproduce-first/which",
        "patterns/debugging/trace-to-source/tradeoffs",
        "patterns/speed/narrow-loop/how",
        "playbook/before-merging/steps",
        "playbook/debugging-a-failure/steps",
    ] {
        assert!(ids.contains(id), "missing {id}");
    }
    assert!(!ids.iter().any(|i| i.contains("ignored")
        || i.contains("scratch")
        || i.contains("why-checklists-help")));
    // The docs/ folder itself works too.
    assert_eq!(card_ids(&env, "codex-training/docs"), ids);
}

#[test]
fn conventions_shape_the_cards() {
    let env = env();
    let show = |id: &str| {
        let out = run(&env, "codex-training", &["show", id, "--json"]);
        assert!(out.status.success(), "{id}: {}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let budget = show("modules/01-internals/context-management/context-budget/define");
    assert_eq!(budget["front"], "Define: Context budget");
    assert_eq!(
        budget["back"],
        "The share of the context window a task may spend before it should compact or hand work to a helper."
    );
    assert_eq!(
        budget["source"],
        "codex-training/docs/modules/01-internals.md:14"
    );
    assert_eq!(budget["topic"], "Context management");
    let pitfall = show("modules/01-internals/context-management/reading-every-file-up-front");
    assert_eq!(
        pitfall["front"],
        "Why is it a mistake to reading every file up front?"
    );
    assert!(
        pitfall["back"]
            .as_str()
            .unwrap()
            .starts_with("Most of them never matter")
    );
    let how = show("patterns/debugging/trace-to-source/how");
    assert_eq!(
        how["back"],
        "1. Follow the bad value backwards one call at a time.\n2. Fix it where it is first created."
    );
    assert_eq!(
        how["source"],
        "codex-training/docs/patterns/debugging/trace-to-source.md:1"
    );
    let steps = show("playbook/before-merging/steps");
    assert_eq!(
        steps["back"],
        "1. Run the full test suite.\n2. Read the whole diff once more."
    );
    let status = env.json(DAY1, &["--decks", "codex-training", "status", "--json"]);
    let decks: Vec<&str> = status["decks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["deck"].as_str().unwrap())
        .collect();
    assert_eq!(
        decks,
        [
            "modules/01-internals",
            "modules/02-customization",
            "modules/04-quality",
            "patterns/debugging",
            "patterns/speed",
            "playbook"
        ]
    );
}

/// What a review of the training repo offers, quitting at once.
fn first_session_header(env: &Env) -> String {
    let out = env
        .cmd(DAY1)
        .env("MASTERY_DECKS", "codex-training")
        .args(["review", "--new", "50"])
        .write_stdin("q\n")
        .output()
        .unwrap();
    stdout(&out)
}

#[test]
fn prerequisites_follow_the_program_and_mastery_toml() {
    let env = env();
    // Modules 2 and 4 wait for module 1; the patterns and playbook do not.
    // One new card per note a day: 8 module-1 notes, 6 patterns, 2 checklists.
    let offered = first_session_header(&env);
    assert!(offered.contains("card 1/16 · 0 due · 16 new"), "{offered}");
    std::fs::write(
        env.path("codex-training/mastery.toml"),
        "[requires]\n\"modules/02-customization\" = []\n\"modules/04-quality\" = []\n",
    )
    .unwrap();
    let offered = first_session_header(&env);
    assert!(offered.contains("card 1/20 · 0 due · 20 new"), "{offered}");
}

#[test]
fn check_warns_about_pitfalls_without_an_explanation() {
    let env = env();
    let out = run(&env, "codex-training", &["check"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains(
        "warning: codex-training/docs/modules/01-internals.md:22: pitfall 'Ignoring the budget' has no explanation, so no card was made"
    ), "{}", stdout(&out));
}

#[test]
fn a_pattern_without_a_required_section_is_an_error() {
    let env = env();
    std::fs::write(
        env.path("codex-training/docs/patterns/speed/broken.md"),
        "# Broken\n\n## When to use\nAlways.\n\n## Examples\nNone.\n",
    )
    .unwrap();
    env.cmd(DAY1)
        .env("MASTERY_DECKS", "codex-training")
        .arg("compile")
        .assert()
        .code(1)
        .stderr(
            "codex-training/docs/patterns/speed/broken.md:1: pattern 'Broken' is missing its '## How to apply' section\n\
             codex-training/docs/patterns/speed/broken.md:1: pattern 'Broken' is missing its '## Trade-offs' section\n",
        );
}

#[test]
fn editing_a_patterns_prose_keeps_its_history() {
    let env = env();
    let script = "\n5\n".repeat(60);
    let out = env
        .cmd(DAY1)
        .env("MASTERY_DECKS", "codex-training")
        .args(["review", "--new", "60", "--all-new"])
        .write_stdin(script)
        .output()
        .unwrap();
    assert!(out.status.success());
    let file = env.path("codex-training/docs/patterns/debugging/reproduce-first.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("Only then change the code.", "Only then touch the code."),
    )
    .unwrap();
    let report = env.json(DAY2, &["--decks", "codex-training", "compile", "--json"]);
    assert_eq!(report["updated"], 1);
    let card = env.json(
        DAY2,
        &[
            "--decks",
            "codex-training",
            "show",
            "patterns/debugging/reproduce-first/how",
            "--json",
        ],
    );
    assert!(card["back"].as_str().unwrap().contains("touch the code"));
    // The note's first card was the one reviewed (its siblings wait a day
    // each); it keeps its history through the edit.
    let when = env.json(
        DAY2,
        &[
            "--decks",
            "codex-training",
            "show",
            "patterns/debugging/reproduce-first/when",
            "--json",
        ],
    );
    assert_eq!(when["reviews"].as_array().unwrap().len(), 1);
    // A renamed term is matched by similarity.
    let module = env.path("codex-training/docs/modules/04-quality.md");
    let text = std::fs::read_to_string(&module).unwrap();
    std::fs::write(&module, text.replace("**Root cause**", "**Root causes**")).unwrap();
    let out = env.ok(DAY2, &["--decks", "codex-training", "compile"]);
    assert!(out.contains("carried history: modules/04-quality/systematic-debugging/root-cause → modules/04-quality/systematic-debugging/root-causes"), "{out}");
}

#[test]
fn import_docs_round_trips_to_the_same_ids_and_history() {
    let env = env();
    let before = card_ids(&env, "codex-training");
    let out = env
        .cmd(DAY1)
        .args(["import", "docs", "codex-training", "--out", "converted"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "wrote 6 decks with 20 notes to converted\n");
    assert!(env.path("converted/patterns/debugging.md").is_file());
    // Review from the docs tree, then switch the same database to the decks.
    let script = "\n4\n".repeat(5);
    env.cmd(DAY1)
        .env("MASTERY_DECKS", "codex-training")
        .args(["review"])
        .write_stdin(script)
        .assert()
        .success();
    assert_eq!(card_ids(&env, "converted"), before);
    let report = env.json(DAY1, &["--decks", "converted", "compile", "--json"]);
    assert_eq!(report["added"], 0, "{report}");
    assert_eq!(report["retired"], 0, "{report}");
    assert_eq!(
        env.sql_count("SELECT count(*) FROM card WHERE reps > 0 AND retired = 0"),
        5
    );
    env.cmd(DAY1)
        .args(["import", "docs", "converted", "--out", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a training repo"));
}
