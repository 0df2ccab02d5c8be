//! The daily drill driven through pipes across several days.

mod common;

use common::*;
use predicates::prelude::*;

fn review(env: &Env, now: &str, args: &[&str], script: &str) -> String {
    let mut full = vec!["review"];
    full.extend_from_slice(args);
    let out = env.run(now, &full, script);
    assert!(out.status.success(), "review failed: {}", stderr(&out));
    stdout(&out)
}

fn kinds(card: &serde_json::Value) -> Vec<String> {
    card["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn cards_come_back_on_the_days_sm2_says() {
    let env = Env::basics();
    // Day 1: three new cards; the concept's second card is a sibling and
    // waits a day.
    let out = review(&env, DAY1, &[], &"\n5\n".repeat(4));
    assert_eq!(
        out.matches("saved grade 5 · next due 2026-03-03").count(),
        3,
        "{out}"
    );
    assert!(
        out.contains("session: 3 reviewed, 100% graded 3 or more"),
        "{out}"
    );
    assert!(
        out.contains("due tomorrow: 3 · next due: 2026-03-03"),
        "{out}"
    );

    // Day 2: its sibling is due, so the concept's second card waits again.
    let out = review(&env, DAY2, &[], &"\n4\n".repeat(4));
    assert!(out.contains("card 1/3 · 3 due · 0 new"), "{out}");
    assert_eq!(out.matches("next due 2026-03-09").count(), 3, "{out}");
    let card = env.show("q-exit");
    assert_eq!(card["repetitions"], 2);
    assert_eq!(card["interval_days"], 6);
    assert_eq!(card["ease"], 2.6);
    assert_eq!(card["due"], "2026-03-09");
    assert_eq!(kinds(&card), ["new", "review"]);

    let out = review(&env, DAY3, &[], "\n5\n");
    assert!(out.contains("card 1/1 · 0 due · 1 new"), "{out}");
    assert!(out.contains("Which term is this?"), "{out}");
    let out = review(&env, DAY3, &[], "");
    assert!(out.contains("Nothing is due"), "{out}");
}

#[test]
fn a_notes_sibling_cards_start_on_different_days() {
    let env = Env::basics();
    let out = review(&env, DAY1, &["--new", "20"], &"\n5\n".repeat(3));
    assert!(out.contains("card 1/3 · 0 due · 3 new"), "{out}");
    assert!(out.contains("Define: Subagent"), "{out}");
    assert!(!out.contains("Which term is this?"), "{out}");
    let out = review(&env, DAY1, &["--new", "20"], "");
    assert!(
        out.contains("Nothing is due"),
        "the sibling waits for tomorrow: {out}"
    );
    // Day 2 its sibling is due; day 3 it is neither due nor studied.
    let out = review(&env, DAY2, &["--new", "20"], &"\n5\n".repeat(3));
    assert!(out.contains("card 1/3 · 3 due · 0 new"), "{out}");
    assert_eq!(env.show("c-sub/name")["due"], serde_json::Value::Null);
    let out = review(&env, DAY3, &["--new", "20"], "q\n");
    assert!(out.contains("card 1/1 · 0 due · 1 new"), "{out}");
    assert!(out.contains("Which term is this?"), "{out}");
}

#[test]
fn the_header_names_deck_topic_and_progress() {
    let env = Env::basics();
    let out = review(&env, DAY1, &[], "\n5\nq\n");
    assert!(
        out.contains("Basics › Hooks    card 1/3 · 0 due · 3 new"),
        "{out}"
    );
    assert!(out.contains("Which exit code blocks a tool call?"), "{out}");
    assert!(out.contains("Exit code 2."), "{out}");
    // The keys line previews each grade's interval (a new card: 1 day).
    assert!(
        out.contains("grade [0-5]:  0-2 again·1d  3 hard·1d  4 good·1d  5 easy·1d"),
        "{out}"
    );
}

#[test]
fn failed_cards_are_drilled_until_good_without_rescheduling() {
    let env = Env::basics();
    // q-exit: 2 then 3 then 4; the other two new cards 5.
    let out = review(&env, DAY1, &[], "\n2\n\n5\n\n5\n\n3\n\n4\n");
    assert!(out.contains("card 4/4"), "{out}");
    assert!(out.contains("card 5/5"), "{out}");
    let card = env.show("q-exit");
    assert_eq!(kinds(&card), ["new", "drill", "drill"]);
    assert_eq!(card["repetitions"], 1);
    assert_eq!(card["interval_days"], 1);
    assert_eq!(card["ease"], 2.18);
    assert_eq!(card["lapses"], 0);
}

#[test]
fn undo_in_session_restores_the_card_and_shows_it_again() {
    let env = Env::basics();
    let out = review(&env, DAY1, &[], "\n5\nu\n\n3\nq\n");
    assert!(out.contains("undone: q-exit"), "{out}");
    assert_eq!(
        out.matches("Which exit code blocks a tool call?").count(),
        2,
        "{out}"
    );
    let card = env.show("q-exit");
    let reviews = card["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 1);
    assert_eq!(reviews[0]["grade"], 3);
    assert_eq!(card["ease"], 2.36);
}

#[test]
fn undo_at_the_grade_prompt_takes_back_the_previous_card() {
    let env = Env::basics();
    let out = review(&env, DAY1, &[], "\n1\n\nu\n\n5\nq\n");
    assert!(out.contains("undone: q-exit"), "{out}");
    let card = env.show("q-exit");
    assert_eq!(card["reviews"][0]["grade"], 5);
    assert_eq!(card["reviews"].as_array().unwrap().len(), 1);
    // The drill copy queued by grade 1 went away with the undo.
    assert!(!out.contains("card 5/5"), "{out}");
}

#[test]
fn mastery_undo_works_after_the_session() {
    let env = Env::basics();
    review(&env, DAY1, &[], "\n4\nq\n");
    env.cmd(DAY1)
        .arg("undo")
        .assert()
        .success()
        .stdout("undone: grade 4 (new) of q-exit\n");
    let card = env.show("q-exit");
    assert_eq!(card["due"], serde_json::Value::Null);
    assert_eq!(card["repetitions"], 0);
    assert_eq!(card["reviews"].as_array().unwrap().len(), 0);
    env.cmd(DAY1)
        .arg("undo")
        .assert()
        .code(2)
        .stderr("mastery: nothing to undo: every grade has been undone already\n");
}

#[test]
fn bad_grades_are_refused_and_asked_again() {
    let env = Env::basics();
    let out = review(&env, DAY1, &[], "\n6\n-1\nx\n5\nq\n");
    assert!(out.contains("'6' is not a grade: use 0 to 5"), "{out}");
    assert!(out.contains("'-1' is not a grade: use 0 to 5"), "{out}");
    assert!(out.contains("'x' is not valid here"), "{out}");
    assert_eq!(env.show("q-exit")["reviews"][0]["grade"], 5);
}

#[test]
fn end_of_input_ends_cleanly_and_keeps_answers() {
    let env = Env::basics();
    let out = review(&env, DAY1, &[], "\n5\n\n4\n\n");
    assert!(out.contains("session: 2 reviewed"), "{out}");
    assert_eq!(env.sql_count("SELECT count(*) FROM review"), 2);
}

#[test]
fn new_cards_are_limited_per_study_day_across_sessions() {
    let env = Env::new();
    env.deck("many.md", &q_deck("m", 12, "module = 1"));
    let out = review(&env, DAY1, &["--new", "5"], &"\n5\n".repeat(3));
    assert!(out.contains("card 1/5 · 0 due · 5 new"), "{out}");
    let out = review(&env, DAY1, &["--new", "5"], &"\n5\n".repeat(5));
    assert!(out.contains("card 1/2 · 0 due · 2 new"), "{out}");
    let out = review(&env, DAY1, &["--new", "5"], "");
    assert!(out.contains("Nothing is due"), "{out}");
    std::fs::write(env.path("config.toml"), "new_per_day = 3\n").unwrap();
    let out = review(&env, DAY2, &[], "q\n");
    assert!(out.contains("card 1/8 · 5 due · 3 new"), "{out}");
}

#[test]
fn limit_caps_the_session() {
    let env = Env::basics();
    let out = review(&env, DAY1, &["--limit", "2"], "");
    assert!(out.contains("card 1/2 · 0 due · 2 new"), "{out}");
}

#[test]
fn new_cards_follow_the_curriculum_and_wait_for_prerequisites() {
    let env = Env::new();
    env.deck("b.md", &q_deck("b", 2, "module = 2\nrequires = [\"a\"]"));
    env.deck("a.md", &q_deck("a", 2, "module = 1"));
    env.deck("p.md", &q_deck("p", 1, "category = \"speed\""));
    let out = review(&env, DAY1, &[], "q\n");
    assert!(out.contains("card 1/3 · 0 due · 3 new"), "{out}");
    assert!(out.contains("a question 1?"), "{out}");
    let all = review(&env, DAY1, &["--all-new"], "q\n");
    assert!(all.contains("card 1/5"), "{all}");
    let only_b = review(&env, DAY1, &["--deck", "b"], "q\n");
    assert!(
        only_b.contains("card 1/2") && only_b.contains("b question 1?"),
        "{only_b}"
    );
    let module2 = review(&env, DAY1, &["--module", "2"], "q\n");
    assert!(module2.contains("b question 1?"), "{module2}");
    review(&env, DAY1, &[], &"\n5\n".repeat(3));
    let out = review(&env, DAY1, &[], "q\n");
    assert!(
        out.contains("card 1/2 · 0 due · 2 new") && out.contains("b question 1?"),
        "{out}"
    );
}

#[test]
fn unknown_scopes_are_usage_errors() {
    let env = Env::basics();
    env.cmd(DAY1)
        .args(["review", "--deck", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown deck id 'nope'"));
    env.cmd(DAY1)
        .args(["review", "--module", "9"])
        .assert()
        .code(2);
}

#[test]
fn the_study_day_rolls_over_at_four() {
    let env = Env::basics();
    review(&env, "2026-03-02T23:00:00Z", &[], &"\n5\n".repeat(4));
    // 03:59 the next morning is still the same study day: nothing due yet.
    assert!(review(&env, "2026-03-03T03:59:00Z", &[], "").contains("Nothing is due"));
    assert!(review(&env, "2026-03-03T04:00:00Z", &[], "q\n").contains("3 due"));
    let out = env
        .cmd("2026-03-03T03:00:00Z")
        .args(["--rollover-hour", "2", "review"])
        .write_stdin("q\n")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("3 due"), "{}", stdout(&out));
}

#[test]
fn show_json_has_every_field() {
    let env = Env::basics();
    review(&env, DAY1, &[], "\n3\nq\n");
    let card = env.show("q-exit");
    let keys: Vec<&str> = card
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "id",
        "deck",
        "topic",
        "front",
        "back",
        "source",
        "repetitions",
        "ease",
        "interval_days",
        "due",
        "lapses",
        "reviews",
    ] {
        assert!(keys.contains(&key), "missing {key} in {keys:?}");
    }
    assert_eq!(card["deck"], "basics");
    assert_eq!(card["topic"], "Hooks");
    assert!(card["source"].as_str().unwrap().ends_with("basics.md:7"));
    assert_eq!(card["reviews"][0]["at"], "2026-03-02T09:00:00.000Z");
    assert_eq!(card["reviews"][0]["grade"], 3);
}

#[test]
fn status_counts_due_new_and_learned() {
    let env = Env::basics();
    review(&env, DAY1, &[], "\n5\n\n5\nq\n");
    let s = env.json(DAY2, &["status", "--json"]);
    assert_eq!(s["today"], "2026-03-03");
    assert_eq!(s["total"]["due"], 2);
    assert_eq!(s["total"]["learned"], 2);
    // z-mem; c-sub/name waits while its sibling is due.
    assert_eq!(s["total"]["new_today"], 1);
    assert_eq!(s["total"]["next_due"], serde_json::Value::Null);
    assert_eq!(s["decks"][0]["deck"], "basics");
    assert_eq!(s["decks"][0]["unseen"], 2);
    let text = env.ok(DAY1, &["status"]);
    assert!(
        text.contains(
            "today 2026-03-02: 0 due, 1 new available; next due 2026-03-03\n2 learned of 4 cards\n"
        ),
        "{text}"
    );
}

#[test]
fn config_prints_each_setting_and_its_origin() {
    let env = Env::basics();
    std::fs::write(env.path("config.toml"), "new_per_day = 7\n").unwrap();
    let out = env.ok(DAY1, &["--rollover-hour", "5", "config"]);
    assert!(
        out.contains("rollover_hour = 5    (flag --rollover-hour)"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "new_per_day = 7    ({})",
            env.path("config.toml").display()
        )),
        "{out}"
    );
    std::fs::write(env.path("config.toml"), "\nrollover_hour = 30\n").unwrap();
    env.cmd(DAY1).arg("config").assert().code(1).stderr(format!(
        "mastery: {}:2: rollover_hour must be 0 to 23, not 30\n",
        env.path("config.toml").display()
    ));
}

#[test]
fn bad_clock_and_unknown_cards_fail_with_one_line() {
    let env = Env::basics();
    env.cmd("yesterday")
        .arg("status")
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "mastery: MASTERY_NOW: 'yesterday' is not an RFC 3339 instant",
        ));
    env.cmd(DAY1)
        .args(["show", "nope"])
        .assert()
        .code(1)
        .stderr("mastery: unknown card id 'nope': list card ids with `mastery cards`\n");
    env.cmd("9999-12-31T12:00:00Z")
        .args(["review"])
        .write_stdin("\n5\nq\n")
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "mastery: MASTERY_NOW: '9999-12-31T12:00:00Z' is outside the years",
        ));
}

/// Through a pipe, colour or not, the drill prints rendered Markdown as
/// plain text: no escape codes, no raw emphasis markers.
#[test]
fn a_pipe_gets_plain_rendered_text_without_escape_codes() {
    let env = Env::with_decks(&[(
        "md.md",
        "## Q: Which **exit code** blocks a `PreToolUse` hook? {#md}\nExit code *2*.\n",
    )]);
    let out = env
        .cmd(DAY1)
        .env_remove("NO_COLOR")
        .args(["review"])
        .write_stdin("\n5\n")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(
        text.contains("Which exit code blocks a PreToolUse hook?"),
        "{text}"
    );
    assert!(text.contains("Exit code 2."), "{text}");
}
