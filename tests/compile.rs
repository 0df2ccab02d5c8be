//! Compiling decks: idempotence, history across edits, carry-over,
//! retiring and restoring, and errors that write nothing.

mod common;

use common::*;
use predicates::prelude::*;
use rstest::rstest;

#[test]
fn compile_reports_and_is_idempotent() {
    let env = Env::basics();
    let first = env.json(DAY1, &["compile", "--json"]);
    for key in [
        "decks",
        "cards",
        "added",
        "updated",
        "unchanged",
        "carried",
        "retired",
        "warnings",
    ] {
        assert!(first.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(first["decks"], 1);
    assert_eq!(first["cards"], 4);
    assert_eq!(first["added"], 4);
    let again = env.json(DAY1, &["compile", "--json"]);
    assert_eq!(again["added"], 0);
    assert_eq!(again["unchanged"], 4);
    assert_eq!(env.sql_count("SELECT count(*) FROM card"), 4);
}

#[test]
fn cards_lists_ids_topics_and_sources() {
    let env = Env::basics();
    assert_eq!(
        env.card_ids(DAY1),
        ["q-exit", "c-sub/define", "c-sub/name", "z-mem/c-claude-md"]
    );
    let cards = env.json(DAY1, &["cards", "--json"]);
    assert_eq!(
        cards[0]["source"],
        "decks/basics.md".replace("decks", &env.decks().display().to_string()) + ":7"
    );
    assert_eq!(cards[3]["topic"], "Memory");
    let memory = env.json(DAY1, &["cards", "--topic", "mem", "--json"]);
    assert_eq!(memory.as_array().unwrap().len(), 1);
    let search = env.json(DAY1, &["cards", "--search", "context window", "--json"]);
    assert_eq!(search.as_array().unwrap().len(), 2);
}

#[test]
fn topic_and_search_ignore_case_beyond_ascii() {
    let env = Env::with_decks(&[(
        "umlaut.md",
        "+++\ntitle = \"Ü\"\n+++\n# Über Hooks\n\n## Q: Wann greift ÄRGER-Schutz? {#u1}\nBei Ölwechsel.\n\n# Ελληνικά\n\n## Q: Τι είναι ΣΟΦΙΑ; {#u2}\nΓΝΩΣΗ.\n",
    )]);
    let ids = |args: &[&str]| -> Vec<String> {
        let mut full = vec!["cards", "--json"];
        full.extend_from_slice(args);
        env.json(DAY1, &full)
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&["--topic", "über"]), ["u1"]);
    assert_eq!(ids(&["--topic", "ÜBER"]), ["u1"]);
    assert_eq!(ids(&["--topic", "ελληνικά"]), ["u2"]);
    assert_eq!(ids(&["--search", "ärger"]), ["u1"]);
    assert_eq!(ids(&["--search", "ÖLWECHSEL"]), ["u1"]);
    assert_eq!(ids(&["--search", "σοφια"]), ["u2"]);
    let out = env.run(
        DAY1,
        &[
            "quiz", "--topic", "über", "--format", "flip", "--seed", "1", "--json",
        ],
        "\ny\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["asked"], 1, "{report}");
}

/// Grades a card once on DAY1 through the line-based review loop.
fn review_all(env: &Env, grade: &str) {
    let script = format!("\n{grade}\n").repeat(10);
    let out = env.run(DAY1, &["review"], &script);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn editing_a_note_with_an_id_keeps_its_history() {
    let env = Env::basics();
    review_all(&env, "5");
    let before = env.show("q-exit");
    assert_eq!(before["repetitions"], 1);
    env.deck(
        "basics.md",
        &BASICS.replace("Exit code 2.", "Exit code 2; stderr goes to the model."),
    );
    let report = env.json(DAY2, &["compile", "--json"]);
    assert_eq!(report["updated"], 1);
    let after = env.show("q-exit");
    assert_eq!(after["back"], "Exit code 2; stderr goes to the model.");
    assert_eq!(after["repetitions"], 1);
    assert_eq!(after["reviews"].as_array().unwrap().len(), 1);
}

#[test]
fn an_explicit_id_is_the_identity_and_was_renames_it() {
    // A new explicit id is a new fact, however similar its text: no
    // similarity carry-over between explicit ids.
    let env = Env::basics();
    review_all(&env, "4");
    env.deck(
        "basics.md",
        &BASICS
            .replace("{#q-exit}", "{#q-exit-code}")
            .replace("Exit code 2.", "Exit code 2!"),
    );
    let out = env.ok(DAY2, &["compile"]);
    assert!(!out.contains("carried history"), "{out}");
    assert!(out.contains("retired: q-exit"), "{out}");
    assert_eq!(
        env.show("q-exit-code")["reviews"].as_array().unwrap().len(),
        0
    );
    // Renaming an id is an explicit act that keeps the history.
    let env = Env::basics();
    review_all(&env, "4");
    env.deck(
        "basics.md",
        &BASICS
            .replace("{#q-exit}", "{#q-exit-code was=q-exit}")
            .replace("Exit code 2.", "Exit code 2!"),
    );
    let out = env.ok(DAY2, &["compile"]);
    assert!(
        out.contains("carried history: q-exit → q-exit-code"),
        "{out}"
    );
    let card = env.show("q-exit-code");
    assert_eq!(card["reviews"].as_array().unwrap().len(), 1);
    env.cmd(DAY2)
        .args(["show", "q-exit"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown card id 'q-exit'"));
}

#[test]
fn a_dissimilar_note_does_not_inherit_history() {
    let env = Env::basics();
    review_all(&env, "4");
    env.deck(
        "basics.md",
        &BASICS.replace(
            "## Q: Which exit code blocks a tool call? {#q-exit}\nExit code 2.",
            "## Q: What does MCP stand for? {#q-mcp}\nModel Context Protocol.",
        ),
    );
    let report = env.json(DAY2, &["compile", "--json"]);
    assert_eq!(report["carried"], 0);
    assert_eq!(report["added"], 1);
    assert_eq!(report["retired"], 1);
    assert_eq!(env.show("q-mcp")["reviews"].as_array().unwrap().len(), 0);
}

#[test]
fn removed_notes_are_retired_and_come_back_with_their_history() {
    let env = Env::basics();
    review_all(&env, "5");
    let without = BASICS.replace(
        "## Concept: Subagent {#c-sub}\nA helper with its own context window.\n",
        "",
    );
    env.deck("basics.md", &without);
    let report = env.json(DAY2, &["compile", "--json"]);
    assert_eq!(report["retired"], 2);
    assert_eq!(report["cards"], 2);
    assert_eq!(env.show("c-sub/define")["retired"], true);
    let status = env.json(DAY2, &["status", "--json"]);
    assert_eq!(status["total"]["retired"], 2);
    env.deck("basics.md", BASICS);
    env.ok(DAY2, &["compile"]);
    let card = env.show("c-sub/define");
    assert_eq!(card["retired"], false);
    assert_eq!(card["reviews"].as_array().unwrap().len(), 1);
}

#[test]
fn prune_deletes_retired_cards_and_their_history() {
    let env = Env::basics();
    review_all(&env, "5");
    env.deck(
        "basics.md",
        &BASICS.replace(
            "## Q: Which exit code blocks a tool call? {#q-exit}\nExit code 2.\n",
            "",
        ),
    );
    env.ok(DAY2, &["compile"]);
    // Day 1 reviewed three cards (the concept's second card waits a day).
    assert_eq!(env.sql_count("SELECT count(*) FROM review"), 3);
    let report = env.json(DAY2, &["compile", "--prune", "--json"]);
    assert_eq!(report["pruned"], 1);
    assert_eq!(env.sql_count("SELECT count(*) FROM review"), 2);
    assert_eq!(env.sql_count("SELECT count(*) FROM card"), 3);
}

#[test]
fn a_deleted_deck_file_retires_its_cards() {
    let env = Env::basics();
    env.deck("other.md", "## Q: Other? {#o1}\nYes.\n");
    env.ok(DAY1, &["compile"]);
    std::fs::remove_file(env.decks().join("other.md")).unwrap();
    let report = env.json(DAY1, &["compile", "--json"]);
    assert_eq!(report["retired"], 1);
    assert_eq!(report["cards"], 4);
}

#[test]
fn errors_in_every_file_are_reported_and_nothing_is_written() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    env.deck(
        "a.md",
        "## Q: Empty {#a1}\n\n## Cloze: C {#a2}\nno blanks\n",
    );
    env.deck("b.md", "## Quiz: x {#b1}\ny\n");
    env.deck("basics.md", &BASICS.replace("Exit code 2.", "Exit code 3."));
    let out = env.run(DAY1, &["compile"], "");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let decks = env.decks().display().to_string();
    assert_eq!(
        err.lines().collect::<Vec<_>>(),
        vec![
            format!("{decks}/a.md:1: empty answer for 'Empty': write the answer below the heading"),
            format!("{decks}/a.md:3: cloze 'C' has no deletions: mark them as {{{{text}}}}"),
            format!(
                "{decks}/b.md:1: unknown note kind 'Quiz': expected Q, Concept, Pattern, Cloze or Checklist"
            ),
        ]
    );
    assert_eq!(
        env.sql_text(
            "SELECT back FROM card_text WHERE card_id = (SELECT id FROM card WHERE key = 'q-exit')"
        ),
        "Exit code 2."
    );
}

#[test]
fn the_same_id_in_two_files_names_both_places() {
    let env = Env::basics();
    env.deck("dup.md", "# T\n\n## Q: Another? {#q-exit}\nYes.\n");
    let decks = env.decks().display().to_string();
    env.cmd(DAY1)
        .arg("compile")
        .assert()
        .code(1)
        .stderr(format!(
            "{decks}/dup.md:3: duplicate id 'q-exit': also at {decks}/basics.md:7\n"
        ));
}

#[test]
fn a_duplicate_id_against_an_unchanged_deck_is_caught() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    env.deck("dup.md", "## Q: Another? {#c-sub}\nYes.\n");
    let decks = env.decks().display().to_string();
    env.cmd(DAY1)
        .arg("compile")
        .assert()
        .code(1)
        .stderr(format!(
            "{decks}/dup.md:1: duplicate id 'c-sub': also at {decks}/basics.md:10\n"
        ));
}

#[test]
fn a_missing_decks_folder_is_a_usage_error() {
    let env = Env::new();
    env.cmd(DAY1)
        .env("MASTERY_DECKS", env.path("nope"))
        .arg("compile")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("decks folder")
                .and(predicate::str::contains("does not exist")),
        );
}

#[rstest]
#[case::no_id(
    "## Q: Untitled question\nAnswer.\n",
    "has no {#id}: editing its title will change its identity"
)]
#[case::long_answer(&format!("## Q: Long {{#l}}\n{}\n", "word ".repeat(61)), "has 61 words (over 60): split this card")]
#[case::many_deletions(
    "## Cloze: Many {#m}\n{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}\n",
    "has 6 deletions (over 5): split it"
)]
#[case::duplicate_question(
    "## Q: Same? {#s1}\nA.\n## Q: Same? {#s2}\nB.\n",
    "duplicate question 'Same?'"
)]
#[case::unknown_requires(
    "+++\nrequires = [\"ghost\"]\n+++\n## Q: R {#r}\nA.\n",
    "requires unknown deck 'ghost'"
)]
fn check_warns(#[case] deck: &str, #[case] warning: &str) {
    let env = Env::new();
    env.deck("w.md", deck);
    env.cmd(DAY1)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains(warning));
    assert!(!env.db().exists(), "check must not touch the database");
}

#[test]
fn fix_ids_writes_derived_ids_and_nothing_else() {
    let env = Env::new();
    let text = "# T\r\n## Q: First one\r\nA.\r\n## Q: Kept {#k}\r\nB.\r\n## Concept: Second\nC.\n";
    env.deck("f.md", text);
    env.cmd(DAY1)
        .args(["check", "--fix-ids"])
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote 2 ids"));
    let fixed = std::fs::read_to_string(env.decks().join("f.md")).unwrap();
    assert_eq!(
        fixed,
        "# T\r\n## Q: First one {#f/first-one}\r\nA.\r\n## Q: Kept {#k}\r\nB.\r\n## Concept: Second {#f/second}\nC.\n"
    );
    env.cmd(DAY1)
        .arg("check")
        .assert()
        .success()
        .stdout(predicate::str::contains("0 errors, 0 warnings"));
}

#[test]
fn fix_ids_never_writes_an_id_that_is_taken() {
    let env = Env::new();
    let f = "# T\n## Q: First one\nA.\n## Q: Define\nB.\n## Q: Twin\nC.\n## Q: Twin\nD.\n## Q: Fine\nE.\n";
    env.deck("f.md", f);
    // Another deck's note already has f/first-one as its id, and a concept
    // {#f} owns the card ids f/define and f/name.
    env.deck(
        "g.md",
        "# G\n## Q: Taken {#f/first-one}\nX.\n## Concept: Effect {#f}\nY.\n",
    );
    let out = env.run(DAY1, &["check", "--fix-ids"], "");
    assert!(!out.status.success());
    let err = stderr(&out);
    let decks = env.decks().display().to_string();
    for (line, id, other) in [
        (2, "f/first-one", "g.md:2"),
        (4, "f/define", "g.md:4"),
        (6, "f/twin", "f.md:8"),
        (8, "f/twin", "f.md:6"),
    ] {
        let wanted = format!("{decks}/f.md:{line}: not writing id '{id}'");
        let found = err.lines().find(|l| l.contains(&wanted));
        assert!(
            found.is_some_and(|l| l.contains(other)),
            "no line {wanted} naming {other}: {err}"
        );
    }
    assert!(stdout(&out).contains("wrote 1 id\n"), "{}", stdout(&out));
    assert_eq!(
        std::fs::read_to_string(env.decks().join("f.md")).unwrap(),
        f.replace("## Q: Fine\n", "## Q: Fine {#f/fine}\n")
    );
}

#[test]
fn fix_ids_never_writes_an_id_the_database_gave_another_note() {
    let env = Env::new();
    env.deck("g.md", "# G\n## Concept: Effect {#f}\nY.\n");
    env.ok(DAY1, &["compile"]);
    // The concept leaves; its cards f/define and f/name stay in the
    // database, retired, with their history.
    env.deck("g.md", "# G\n## Q: Other {#g1}\nZ.\n");
    env.ok(DAY1, &["compile"]);
    env.deck("f.md", "# T\n## Q: Define\nB.\n");
    let out = env.run(DAY1, &["check", "--fix-ids"], "");
    assert!(!out.status.success());
    let err = stderr(&out);
    let wanted = format!(
        "{}/f.md:2: not writing id 'f/define'",
        env.decks().display()
    );
    assert!(err.contains(&wanted), "{err}");
    assert_eq!(
        std::fs::read_to_string(env.decks().join("f.md")).unwrap(),
        "# T\n## Q: Define\nB.\n"
    );
}

#[test]
fn an_edit_that_keeps_size_and_mtime_is_still_noticed() {
    // `cp -p` and `rsync -t` keep both; the inode change time still moves.
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let path = env.decks().join("basics.md");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, BASICS.replace("Exit code 2.", "Exit code 9.")).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(env.json(DAY1, &["compile", "--json"])["updated"], 1);
    assert_eq!(env.show("q-exit")["back"], "Exit code 9.");
}

#[test]
fn a_deck_moved_to_another_file_keeps_its_history() {
    let env = Env::basics();
    review_all(&env, "5");
    std::fs::remove_file(env.decks().join("basics.md")).unwrap();
    env.deck("renamed/basics-v2.md", BASICS);
    let report = env.json(DAY2, &["compile", "--json"]);
    assert_eq!(report["retired"], 0, "{report}");
    assert_eq!(report["cards"], 4);
    let card = env.show("q-exit");
    assert_eq!(card["deck"], "renamed/basics-v2");
    assert_eq!(card["reviews"].as_array().unwrap().len(), 1);
    let status = env.json(DAY2, &["status", "--json"]);
    assert_eq!(status["total"]["due"], 3);
}
