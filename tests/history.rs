//! History that stays with its fact: early answers, a log that checks
//! itself, one meaning of "live", and explicit rescheduling.

mod common;

use common::*;

const ONE: &str = "## Q: Which exit code blocks a tool call? {#q}\nExit code 2.\n";

/// The day `n` days after 2026-03-02, at 09:00 UTC.
fn day(n: i64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap() + chrono::Duration::days(n);
    format!("{}T09:00:00Z", d.format("%Y-%m-%d"))
}

fn interval(env: &Env, card: &str, now: &str) -> (u64, String) {
    let s = env.json(now, &["show", card, "--json"]);
    (
        s["interval_days"].as_u64().unwrap(),
        s["due"].as_str().unwrap_or("").to_string(),
    )
}

// ---- 2. Early answers ----

#[test]
fn quizzing_a_card_on_five_mornings_before_it_is_due_keeps_its_interval() {
    let env = Env::with_decks(&[("d.md", ONE)]);
    // Learned to a 6-day interval: grade 4 on day 0 (1 day), then day 1 (6 days).
    env.run(&day(0), &["review"], "\n4\n");
    env.run(&day(1), &["review"], "\n4\n");
    assert_eq!(interval(&env, "q", &day(1)), (6, "2026-03-09".into()));
    let mut seen = Vec::new();
    for n in 2..=6 {
        let out = env.run(
            &day(n),
            &["quiz", "--card", "q", "--format", "flip", "--reschedule"],
            "\ny\n",
        );
        assert!(out.status.success(), "{}", stderr(&out));
        seen.push(interval(&env, "q", &day(n)));
    }
    // Plain SM-2 gave 17, 46, 125, 338 and 913 days here.
    assert_eq!(
        seen,
        vec![
            (6, "2026-03-10".into()),
            (6, "2026-03-11".into()),
            (6, "2026-03-12".into()),
            (6, "2026-03-13".into()),
            (6, "2026-03-14".into()),
        ]
    );
    // And the log still checks out.
    assert!(env.ok(&day(6), &["doctor"]).contains("healthy"));
}

// ---- 3. A log that checks itself ----

#[test]
fn doctor_checks_the_chain_of_states_not_todays_rules() {
    let env = Env::with_decks(&[("d.md", ONE)]);
    env.run(&day(0), &["review"], "\n5\n");
    env.run(&day(1), &["review"], "\n5\n");
    // A row written by older rules is valid as written: pretend the second
    // review was scheduled to 9 days by another rule set.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "UPDATE review SET a_interval = 9, a_due = a_due + 3, rules = 'sm2/1' WHERE id = 2;
         UPDATE card SET interval = 9, sm2_due = sm2_due + 3, due = due + 3;",
    )
    .unwrap();
    drop(conn);
    assert!(env.ok(&day(1), &["doctor"]).contains("healthy"));
    // A broken link is not.
    rusqlite::Connection::open(env.db())
        .unwrap()
        .execute_batch("UPDATE review SET b_ease = 300 WHERE id = 2")
        .unwrap();
    let out = env.run(&day(1), &["doctor"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("problem: card q: review 2 starts from (n 1, ease 300, interval 1, due 2026-03-03, lapses 0, last grade 5, last day 2026-03-02), but the review before it left (n 1, ease 260, interval 1, due 2026-03-03, lapses 0, last grade 5, last day 2026-03-02)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn rescheduling_is_explicit_shows_what_moves_and_keeps_a_backup() {
    let env = Env::with_decks(&[("d.md", ONE)]);
    env.run(&day(0), &["review"], "\n4\n");
    env.run(&day(1), &["review"], "\n4\n");
    env.run(
        &day(2),
        &["quiz", "--card", "q", "--format", "flip", "--reschedule"],
        "\ny\n",
    );
    // The quiz's early answer as mastery 0.1 scheduled it: 6 → 15 days.
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "UPDATE review SET a_interval = 15, a_due = 17 + a_last_day - 2, rules = 'sm2/1' WHERE id = 3;
         UPDATE card SET interval = 15, sm2_due = (SELECT a_due FROM review WHERE id = 3),
             due = (SELECT a_due FROM review WHERE id = 3);",
    )
    .unwrap();
    drop(conn);
    let before = interval(&env, "q", &day(2));
    let dry = env.ok(&day(2), &["reschedule", "--all"]);
    assert_eq!(
        dry,
        "today's rules (sm2/2) would move the due day of 1 cards, and change the logged states of 1 cards\n\
         run `mastery reschedule --all --yes` to apply; a backup is written first\n"
    );
    assert_eq!(
        interval(&env, "q", &day(2)),
        before,
        "a dry run changed the card"
    );
    let done = env.ok(&day(2), &["reschedule", "--all", "--yes"]);
    assert!(
        done.contains("rescheduled 1 cards; to undo, restore the backup"),
        "{done}"
    );
    assert!(env.path("data/mastery.db.bak-reschedule").exists());
    assert_eq!(interval(&env, "q", &day(2)), (6, "2026-03-10".into()));
    assert!(env.ok(&day(2), &["doctor"]).contains("healthy"));
    assert!(
        env.ok(&day(2), &["reschedule", "--all"])
            .starts_with("every card's log already follows")
    );
}

// ---- 4. One meaning of "live" ----

#[test]
fn an_undone_new_card_is_offered_again_the_same_day() {
    let env = Env::with_decks(&[("d.md", "## Q: one? {#a}\n1\n## Q: two? {#b}\n2\n")]);
    let first = env.run(&day(0), &["review", "--new", "1"], "\n5\n");
    assert!(stdout(&first).contains("one?"));
    assert!(
        env.ok(&day(0), &["undo"])
            .contains("undone: grade 5 (new) of a")
    );
    let again = env.run(&day(0), &["review", "--new", "1"], "\n5\n");
    assert!(stdout(&again).contains("one?"), "{}", stdout(&again));
    assert_eq!(env.show("a")["reviews"].as_array().unwrap().len(), 1);
}

#[test]
fn undo_says_what_it_refuses() {
    let env = Env::with_decks(&[("d.md", ONE)]);
    let out = env.run(&day(0), &["undo"], "");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        "mastery: nothing to undo: no grade has been given yet"
    );
}

// ---- 1. Identity across edits ----

/// A deck of id-less notes, as many learners write them.
const IDLESS: &str = "+++\ntitle = \"Hooks\"\n+++\n# Hooks\n\n## Q: Which exit code blocks a tool call?\nExit code 2.\n\n## Concept: Subagent\nA helper with its own context window.\n";

fn reviews(env: &Env, now: &str, card: &str) -> usize {
    env.json(now, &["show", card, "--json"])["reviews"]
        .as_array()
        .unwrap()
        .len()
}

fn active_decks(env: &Env) -> i64 {
    env.sql_count("SELECT count(*) FROM deck WHERE retired = 0")
}

#[test]
fn changing_a_decks_id_keeps_every_history_and_leaves_one_deck() {
    let env = Env::with_decks(&[("hooks.md", IDLESS)]);
    env.review_grades(&env.decks(), &day(0), "555");
    env.deck(
        "hooks.md",
        &IDLESS.replace("+++\ntitle", "+++\nid = \"m02-hooks\"\ntitle"),
    );
    let out = env.ok(&day(1), &["compile"]);
    assert!(out.contains("carried history: hooks/which-exit-code-blocks-a-tool-call → m02-hooks/which-exit-code-blocks-a-tool-call"), "{out}");
    assert_eq!(
        reviews(
            &env,
            &day(1),
            "m02-hooks/which-exit-code-blocks-a-tool-call"
        ),
        1
    );
    assert_eq!(reviews(&env, &day(1), "m02-hooks/subagent/define"), 1);
    assert_eq!(active_decks(&env), 1);
    assert_eq!(
        env.json(&day(1), &["status", "--json"])["total"]["cards"],
        3
    );
    assert!(env.ok(&day(1), &["doctor"]).contains("healthy"));
}

#[test]
fn moving_or_renaming_a_deck_file_keeps_id_less_history() {
    let env = Env::with_decks(&[("hooks.md", IDLESS)]);
    env.review_grades(&env.decks(), &day(0), "555");
    std::fs::remove_file(env.decks().join("hooks.md")).unwrap();
    env.deck("module-2/hooks-and-gates.md", IDLESS);
    let out = env.ok(&day(1), &["compile"]);
    assert!(!out.contains("retired:"), "{out}");
    assert_eq!(
        reviews(
            &env,
            &day(1),
            "module-2/hooks-and-gates/which-exit-code-blocks-a-tool-call"
        ),
        1
    );
    assert_eq!(active_decks(&env), 1);
}

#[test]
fn inserting_a_cloze_deletion_keeps_each_deletions_own_history() {
    let env = Env::with_decks(&[(
        "d.md",
        "## Cloze: Exit codes {#z}\nExit code {{0}} lets the call proceed.\n",
    )]);
    env.review_grades(&env.decks(), &day(0), "5");
    assert_eq!(reviews(&env, &day(0), "z/c-0"), 1);
    env.deck(
        "d.md",
        "## Cloze: Exit codes {#z}\nA {{bash}} hook's exit code {{0}} lets the call proceed.\n",
    );
    env.ok(&day(1), &["compile"]);
    assert_eq!(reviews(&env, &day(1), "z/c-0"), 1, "0 lost its history");
    assert_eq!(
        reviews(&env, &day(1), "z/c-bash"),
        0,
        "bash inherited 0's history"
    );
}

#[test]
fn a_cloze_stored_under_a_position_key_keeps_its_history() {
    // mastery 0.1 keyed deletions c1, c2…: the first compile now finds each
    // by its answer.
    let env = Env::with_decks(&[(
        "d.md",
        "## Cloze: Exit codes {#z}\nExit {{0}} passes; exit {{2}} blocks.\n",
    )]);
    // A note's new card waits while its sibling is due: three days.
    env.review_grades(&env.decks(), &day(0), "5");
    env.review_grades(&env.decks(), &day(1), "5");
    env.review_grades(&env.decks(), &day(2), "5");
    let counts = (
        reviews(&env, &day(2), "z/c-0"),
        reviews(&env, &day(2), "z/c-2"),
    );
    assert!(counts.0 > 0 && counts.1 > 0, "{counts:?}");
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch(
        "UPDATE card SET key = 'z/c1' WHERE key = 'z/c-0'; UPDATE card SET key = 'z/c2' WHERE key = 'z/c-2';
         UPDATE deck SET hash = 'stale';",
    )
    .unwrap();
    drop(conn);
    env.deck(
        "d.md",
        "## Cloze: Exit codes {#z}\nExit {{0}} passes; exit {{2}} blocks the call.\n",
    );
    env.ok(&day(2), &["compile"]);
    assert_eq!(
        (
            reviews(&env, &day(2), "z/c-0"),
            reviews(&env, &day(2), "z/c-2")
        ),
        counts
    );
}

#[test]
fn an_answer_rewritten_under_its_id_is_reported_and_can_be_reset() {
    let env = Env::with_decks(&[("d.md", ONE)]);
    env.review_grades(&env.decks(), &day(0), "5");
    env.deck("d.md", "## Q: Which exit code blocks a tool call? {#q}\nA PreToolUse hook's exit status 2, on stderr.\n");
    let out = env.ok(&day(1), &["compile"]);
    assert!(
        out.contains("answer changed, history kept: q (similarity"),
        "{out}"
    );
    assert!(out.contains("`mastery reset q` starts it over"), "{out}");
    let reset = env.ok(&day(1), &["reset", "q"]);
    assert_eq!(
        reset,
        "reset q: 1 card starts over as new; 1 review undone (kept in the log)\n"
    );
    let card = env.show("q");
    assert_eq!(card["due"], serde_json::Value::Null);
    assert_eq!(card["reviews"].as_array().unwrap().len(), 0);
    assert!(env.ok(&day(1), &["doctor"]).contains("healthy"));
    let out = env.run(&day(1), &["reset", "nope"], "");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn renaming_a_docs_topic_heading_or_module_file_keeps_history() {
    let env = Env::new();
    let module = "# Module 1: Internals\n\n## Context management\n\n- **Compaction**: replacing older turns with a summary to free room.\n";
    let docs = env.path("training/docs/modules");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("01-internals.md"), module).unwrap();
    let run = |now: &str, args: &[&str], stdin: &str| {
        env.cmd(now)
            .env("MASTERY_DECKS", env.path("training"))
            .args(args)
            .write_stdin(stdin.to_string())
            .output()
            .unwrap()
    };
    let out = run(&day(0), &["review", "--new", "5"], "\n5\n\n5\n");
    assert!(out.status.success(), "{}", stderr(&out));
    // Rename the heading and the module file.
    std::fs::remove_file(docs.join("01-internals.md")).unwrap();
    std::fs::write(
        docs.join("01-codex-internals.md"),
        module.replace("## Context management", "## Managing context"),
    )
    .unwrap();
    let out = run(&day(1), &["compile"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).contains("retired:"), "{}", stdout(&out));
    let out = run(
        &day(1),
        &[
            "show",
            "modules/01-codex-internals/managing-context/compaction/define",
            "--json",
        ],
        "",
    );
    let card: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(card["reviews"].as_array().unwrap().len(), 1, "{card}");
}

#[test]
fn renaming_module_one_refreshes_the_prerequisites_of_the_others() {
    let env = Env::new();
    let docs = env.path("training/docs/modules");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(
        docs.join("01-internals.md"),
        "# M1\n\n## T\n\n- **A**: the first thing.\n",
    )
    .unwrap();
    std::fs::write(
        docs.join("02-custom.md"),
        "# M2\n\n## T\n\n- **B**: the second thing.\n",
    )
    .unwrap();
    let decks_of = |now: &str| {
        let out = env
            .cmd(now)
            .env("MASTERY_DECKS", env.path("training"))
            .args(["status", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        env.sql_text("SELECT group_concat(key || ':' || requires, ' ') FROM (SELECT * FROM deck WHERE retired = 0 ORDER BY key)")
    };
    assert_eq!(
        decks_of(&day(0)),
        "modules/01-internals:[] modules/02-custom:[\"modules/01-internals\"]"
    );
    std::fs::rename(
        docs.join("01-internals.md"),
        docs.join("01-codex-internals.md"),
    )
    .unwrap();
    assert_eq!(
        decks_of(&day(1)),
        "modules/01-codex-internals:[] modules/02-custom:[\"modules/01-codex-internals\"]"
    );
}

#[test]
fn a_rename_may_not_take_a_living_notes_history() {
    let env = Env::with_decks(&[("d.md", "## Q: one? {#a}\n1\n## Q: two? {#b}\n2\n")]);
    env.review_grades(&env.decks(), &day(0), "55");
    env.deck(
        "d.md",
        "## Q: one? {#a}\n1\n## Q: two? {#b}\n2\n## Q: three? {#c was=a}\n3\n",
    );
    for cmd in ["check", "compile"] {
        let out = env.run(&day(1), &[cmd], "");
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        assert!(
            stderr(&out).contains("`was=a` renames a note that still exists"),
            "{cmd}: {}",
            stderr(&out)
        );
    }
    assert_eq!(reviews(&env, &day(1), "a"), 1);
}

#[test]
fn two_active_decks_for_one_file_are_a_doctor_finding() {
    let env = Env::with_decks(&[("d.md", ONE)]);
    env.ok(&day(0), &["compile"]);
    rusqlite::Connection::open(env.db())
        .unwrap()
        .execute_batch(
            "DROP INDEX deck_active_path;
             INSERT INTO deck (key, title, path) SELECT 'ghost', 'Ghost', path FROM deck;",
        )
        .unwrap();
    let out = env.run(&day(0), &["doctor"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("problem: decks d, ghost are all active for one file"),
        "{}",
        stdout(&out)
    );
    env.ok(&day(0), &["doctor", "--repair"]);
    assert!(env.ok(&day(0), &["doctor"]).contains("healthy"));
    assert_eq!(
        env.sql_count("SELECT count(*) FROM deck WHERE retired = 0"),
        1
    );
}

#[test]
fn doctor_repairs_a_dropped_view_or_review_table_in_one_pass() {
    for drop in [
        "DROP VIEW live_review",
        "DROP TABLE undo; DROP VIEW live_review; DROP TABLE review",
    ] {
        let env = Env::with_decks(&[("d.md", ONE)]);
        env.review_grades(&env.decks(), &day(0), "5");
        rusqlite::Connection::open(env.db())
            .unwrap()
            .execute_batch(drop)
            .unwrap();
        let out = env.run(&day(0), &["doctor"], "");
        assert_eq!(out.status.code(), Some(1), "{drop}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("is missing"),
            "{drop}: {}",
            stdout(&out)
        );
        let out = env.run(&day(0), &["doctor", "--repair"], "");
        assert!(
            out.status.success(),
            "{drop}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(env.ok(&day(0), &["doctor"]).contains("healthy"), "{drop}");
    }
}

#[test]
fn two_id_less_notes_of_different_kinds_with_one_title_are_a_clash() {
    let env = Env::with_decks(&[(
        "a.md",
        "# T\n## Q: Same title\nanswer\n## Q: other {#o}\nx\n",
    )]);
    env.review_grades(&env.decks(), &day(0), "5");
    env.deck(
        "a.md",
        "# T\n## Q: Same title\nanswer\n## Q: other {#o}\nx\n## Concept: Same title\ndefinition\n",
    );
    let out = env.run(&day(1), &["compile"], "");
    let err = one_line_failure(&out, 1);
    assert!(
        err.contains("a.md:6: duplicate id 'a/same-title': also at"),
        "{err}"
    );
    // The daily drill keeps the last good compile, and the learned card.
    let out = env.run(&day(1), &["status"], "");
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("its last good compile, if any, stays in use"),
        "{}",
        stderr(&out)
    );
    assert_eq!(reviews(&env, &day(1), "a/same-title"), 1);
}

#[test]
fn swapping_two_decks_ids_keeps_each_facts_history_with_it() {
    let env = Env::with_decks(&[
        (
            "a.md",
            "+++\nid = \"x\"\n+++\n# T\n## Q: Shared title\nParis is in France.\n",
        ),
        (
            "b.md",
            "+++\nid = \"y\"\n+++\n# T\n## Q: Shared title\nBerlin hosts the government.\n",
        ),
    ]);
    env.run(&day(0), &["review"], "\n5\n\n0\n\n5\n");
    let grades = |key: &str| -> (String, Vec<u64>) {
        let s = env.show(key);
        (
            s["back"].as_str().unwrap().to_string(),
            s["reviews"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["grade"].as_u64().unwrap())
                .collect(),
        )
    };
    let (paris, berlin) = (grades("x/shared-title"), grades("y/shared-title"));
    env.deck(
        "a.md",
        "+++\nid = \"y\"\n+++\n# T\n## Q: Shared title\nParis is in France.\n",
    );
    env.deck(
        "b.md",
        "+++\nid = \"x\"\n+++\n# T\n## Q: Shared title\nBerlin hosts the government.\n",
    );
    env.ok(&day(1), &["compile"]);
    assert_eq!(grades("y/shared-title"), paris);
    assert_eq!(grades("x/shared-title"), berlin);
    assert!(env.ok(&day(1), &["doctor"]).contains("healthy"));
}

#[test]
fn removing_an_explicit_id_keeps_the_history_of_the_same_text() {
    let env = Env::with_decks(&[("a.md", "# T\n## Q: Q one {#a}\nA one.\n")]);
    env.review_grades(&env.decks(), &day(0), "5");
    env.deck("a.md", "# T\n## Q: Q one\nA one.\n");
    assert!(
        env.ok(&day(1), &["compile"])
            .contains("carried history: a → a/q-one")
    );
    assert_eq!(reviews(&env, &day(1), "a/q-one"), 1);
}

#[test]
fn a_derived_id_never_takes_the_history_of_a_vanished_explicit_id() {
    let env = Env::with_decks(&[("a.md", "# T\n## Q: Old {#a/new-one}\nA\n")]);
    env.review_grades(&env.decks(), &day(0), "5");
    env.deck("a.md", "# T\n## Q: New one\nB\n");
    let out = env.ok(&day(1), &["compile"]);
    assert!(out.contains("retired: a/new-one"), "{out}");
    assert_eq!(reviews(&env, &day(1), "a/new-one"), 0);
    assert!(env.ok(&day(1), &["doctor"]).contains("healthy"));
}

#[test]
fn check_and_compile_agree_on_renames() {
    let env = Env::with_decks(&[(
        "a.md",
        "# T\n## Q: Q one {#a}\nA one.\n## Q: Q two {#b}\nB two.\n",
    )]);
    env.review_grades(&env.decks(), &day(0), "53");
    for (text, message) in [
        (
            "# T\n## Q: Q one {#f was=b}\nA one.\n## Q: Q 2 {#g was=b}\nA one.\n",
            "`was=b` is claimed by more than one note",
        ),
        (
            "# T\n## Q: Q one {#c was=a}\nA one.\n## Q: Q two {#d was=c}\nB two.\n",
            "`was=c` renames a note that still exists",
        ),
    ] {
        env.deck("a.md", text);
        for cmd in ["check", "compile"] {
            let out = env.run(&day(1), &[cmd], "");
            assert_eq!(out.status.code(), Some(1), "{cmd}: {text}");
            assert!(stderr(&out).contains(message), "{cmd}: {}", stderr(&out));
        }
        let out = env.run(&day(1), &["status"], "");
        assert!(
            stderr(&out).contains(message)
                && stderr(&out).contains("starts fresh until this is fixed"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_requires_cycle_met_by_the_daily_drill_is_a_warning_and_cards_still_come() {
    let env = Env::with_decks(&[
        ("a.md", "+++\nid = \"a\"\n+++\n# T\n## Q: qa {#qa}\nA\n"),
        (
            "b.md",
            "+++\nid = \"b\"\nrequires = [\"a\"]\n+++\n# T\n## Q: qb {#qb}\nB\n",
        ),
    ]);
    env.ok(&day(0), &["compile"]);
    env.deck(
        "a.md",
        "+++\nid = \"a\"\nrequires = [\"b\"]\n+++\n# T\n## Q: qa {#qa}\nA\n",
    );
    let out = env.run(&day(0), &["review", "--new", "5"], "\n5\n\n5\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("prerequisite cycle"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("qa") && stdout(&out).contains("qb"),
        "{}",
        stdout(&out)
    );
}
