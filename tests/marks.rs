//! Suspend, bury and flag from the command line; leeches caught as Anki
//! catches them; cards failed earlier in the day coming back; decks that
//! wait for a share of their prerequisites, not for every card.

mod common;

use common::*;
use rstest::rstest;

/// 09:00 UTC on March `n`, 2026.
fn day(n: u32) -> String {
    format!("2026-03-{n:02}T09:00:00Z")
}

fn review(env: &Env, now: &str, args: &[&str], script: &str) -> String {
    let mut full = vec!["review"];
    full.extend_from_slice(args);
    let out = env.run(now, &full, script);
    assert!(out.status.success(), "review failed: {}", stderr(&out));
    stdout(&out)
}

const ONE: &str = "## Q: The one question? {#one}\nThe one answer.\n";

/// The card is learned on day 1, then failed every day after (each fail
/// re-drilled to a pass). Returns each day's output.
fn fail_daily(env: &Env, days: u32) -> Vec<String> {
    let mut outs = vec![review(env, &day(1), &[], "\n4\n")];
    for d in 2..=days + 1 {
        outs.push(review(env, &day(d), &[], "\n1\n\n4\n"));
    }
    outs
}

#[test]
fn a_card_failed_eight_days_running_is_a_leech_and_suspended() {
    let env = Env::with_decks(&[("one.md", ONE)]);
    let outs = fail_daily(&env, 8);
    for (i, out) in outs.iter().enumerate().take(8) {
        assert!(!out.contains("leech"), "day {}: {out}", i + 1);
    }
    let last = &outs[8];
    assert!(
        last.contains("leech: one has lapsed 8 times and is suspended until `mastery unsuspend one`; rewrite or split it"),
        "{last}"
    );
    // Suspended: no re-drill, and nothing the day after.
    assert!(last.contains("session: 1 reviewed"), "{last}");
    assert!(review(&env, &day(11), &[], "").contains("Nothing is due"));
    let card = env.json(&day(11), &["show", "one", "--json"]);
    assert_eq!(card["lapses"], 8);
    assert_eq!(card["leech"], true);
    assert_eq!(card["suspended"], "leech");
    let leeches = env.json(&day(11), &["cards", "--leech", "--json"]);
    assert_eq!(leeches.as_array().unwrap().len(), 1);
    // Let back in, it is due again and keeps its leech tag.
    env.ok(&day(11), &["unsuspend", "one"]);
    assert!(review(&env, &day(11), &[], "q\n").contains("The one question?"));
    let card = env.json(&day(11), &["show", "one", "--json"]);
    assert_eq!(
        (card["leech"].clone(), card["suspended"].clone()),
        (true.into(), "none".into())
    );
}

#[test]
fn undoing_the_grade_that_caught_a_leech_lets_it_go() {
    let env = Env::with_decks(&[("one.md", ONE)]);
    fail_daily(&env, 8);
    env.ok(&day(10), &["undo"]);
    let card = env.json(&day(10), &["show", "one", "--json"]);
    assert_eq!(card["lapses"], 7);
    assert_eq!(card["leech"], false);
    assert_eq!(card["suspended"], "none");
}

#[rstest]
#[case::tagged_only("leech_action = \"tag\"\nleech_lapses = 3\n", 3, "none")]
#[case::suspended_early("leech_lapses = 2\n", 2, "leech")]
fn the_leech_rule_follows_the_config(
    #[case] config: &str,
    #[case] lapses: u32,
    #[case] suspended: &str,
) {
    let env = Env::with_decks(&[("one.md", ONE)]);
    std::fs::write(env.path("config.toml"), config).unwrap();
    let outs = fail_daily(&env, lapses);
    let last = outs.last().unwrap();
    assert!(
        last.contains(&format!("leech: one has lapsed {lapses} times")),
        "{last}"
    );
    let card = env.json(&day(20), &["show", "one", "--json"]);
    assert_eq!(card["leech"], true);
    assert_eq!(card["suspended"], suspended);
}

#[test]
fn doctor_checks_lapse_counts_and_recounts_them() {
    let env = Env::with_decks(&[("one.md", ONE)]);
    fail_daily(&env, 3);
    assert!(env.ok(&day(5), &["doctor"]).ends_with("healthy\n"));
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    conn.execute_batch("UPDATE review SET a_lapses = 0, b_lapses = 0; UPDATE card SET lapses = 0;")
        .unwrap();
    drop(conn);
    let out = env.run(&day(5), &["doctor"], "");
    assert!(!out.status.success());
    assert!(
        stdout(&out).contains("where the log counts 1"),
        "{}",
        stdout(&out)
    );
    env.ok(&day(5), &["doctor", "--repair"]);
    assert!(env.ok(&day(5), &["doctor"]).ends_with("healthy\n"));
    assert_eq!(env.json(&day(5), &["show", "one", "--json"])["lapses"], 3);
}

#[test]
fn a_card_failed_in_an_earlier_session_comes_back_first_the_same_day() {
    let env = Env::basics();
    // Fail the first card, then quit before its re-drill.
    let out = review(&env, DAY1, &[], "\n1\nq\n");
    assert!(out.contains("saved grade 1"), "{out}");
    // The afternoon: it comes first, counted as a re-drill, before new cards.
    let out = review(&env, "2026-03-02T15:00:00Z", &[], "\n4\nq\n");
    assert!(out.contains("card 1/3 · 0 due · 2 new · 1 again"), "{out}");
    let first = out.find("Which exit code blocks a tool call?").unwrap();
    assert!(first < out.find("Define").unwrap_or(usize::MAX), "{out}");
    assert!(out.contains("saved grade 4 · drill"), "{out}");
    // Passed now: the evening has nothing to relearn.
    let out = review(&env, "2026-03-02T20:00:00Z", &[], "q\n");
    assert!(out.contains("0 again"), "{out}");
    assert!(!out.contains("Which exit code"), "{out}");
    let card = env.show("q-exit");
    let kinds: Vec<&str> = card["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["new", "drill"], "the repeat never schedules");
}

#[test]
fn suspend_unsuspend_and_bury_from_the_command_line() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    // A note id takes all of its cards.
    let out = env.ok(DAY1, &["suspend", "q-exit", "c-sub"]);
    assert!(out.starts_with("suspended: "), "{out}");
    let out = review(&env, DAY1, &[], "q\n");
    assert!(out.contains("card 1/1 · 0 due · 1 new"), "{out}");
    assert!(out.contains("CLAUDE.md") || out.contains("[…]"), "{out}");
    let listed = env.json(DAY1, &["cards", "--suspended", "--json"]);
    assert!(listed.as_array().unwrap().len() >= 2);
    env.ok(DAY1, &["unsuspend", "q-exit", "c-sub"]);
    env.ok(DAY1, &["bury", "q-exit"]);
    let out = review(&env, DAY1, &["--new", "20"], "q\n");
    assert!(!out.contains("Which exit code"), "buried today: {out}");
    let out = review(&env, DAY2, &["--new", "20"], "q\n");
    assert!(out.contains("Which exit code"), "back the next day: {out}");
    let shown = env.show("q-exit");
    assert_eq!(shown["buried_until"], "2026-03-03");
}

#[test]
fn an_unknown_id_marks_nothing() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let out = env.run(DAY1, &["suspend", "q-exit", "nope"], "");
    let err = one_line_failure(&out, 1);
    assert!(err.contains("nope"), "{err}");
    assert_eq!(
        env.sql_count("SELECT count(*) FROM card WHERE suspended != 0"),
        0
    );
}

#[test]
fn flags_are_listed_and_kept_in_json() {
    let env = Env::basics();
    review(&env, DAY1, &[], "f\nq\n");
    let flagged = env.json(DAY1, &["cards", "--flagged", "--json"]);
    let flagged = flagged.as_array().unwrap();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0]["id"], "q-exit");
    assert_eq!(flagged[0]["flagged"], true);
    let text = env.ok(DAY1, &["cards", "--flagged"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "header, one row, count: {text}");
    assert!(lines[1].starts_with("Which exit code"), "{text}");
    assert!(lines[1].ends_with("flagged"), "{text}");
    assert_eq!(lines[2], "1 card");
}

#[test]
fn a_deck_starts_once_its_prerequisite_is_ninety_percent_seen() {
    let env = Env::new();
    env.deck("a.md", &q_deck("a", 10, "module = 1"));
    env.deck("b.md", &q_deck("b", 2, "module = 2\nrequires = [\"a\"]"));
    // Eight of a's ten cards seen: b waits, and status says why.
    review(&env, DAY1, &["--new", "8"], &"\n5\n".repeat(8));
    let status = env.ok(DAY1, &["status"]);
    assert!(
        status.contains("b: new cards waiting for a: 80 % seen, needs 90 %"),
        "{status}"
    );
    let waiting = env.json(DAY1, &["status", "--json"]);
    assert_eq!(waiting["waiting"][0]["seen_percent"], 80);
    // The ninth: b starts, though a's last card is still unseen.
    review(&env, DAY2, &["--new", "1"], &"\n5\n".repeat(9));
    let out = review(&env, DAY3, &["--new", "5"], &"\n5\n".repeat(4));
    assert!(out.contains("card 1/4 · 1 due · 3 new"), "{out}");
    assert!(out.contains("b question 1?"), "{out}");
    let status = env.ok(DAY3, &["status"]);
    assert!(!status.contains("waiting for"), "{status}");
}

/// Half of a's cards seen: with a share of 50 % b starts, with the
/// default 90 % it waits.
#[rstest]
#[case::half_is_enough(Some("prerequisite_share = 50\n"), "card 1/5 · 2 due · 3 new")]
#[case::default_waits(None, "card 1/4 · 2 due · 2 new")]
fn the_prerequisite_share_follows_the_config(#[case] config: Option<&str>, #[case] header: &str) {
    let env = Env::new();
    env.deck("a.md", &q_deck("a", 4, "module = 1"));
    env.deck("b.md", &q_deck("b", 2, "module = 2\nrequires = [\"a\"]"));
    if let Some(config) = config {
        std::fs::write(env.path("config.toml"), config).unwrap();
    }
    review(&env, DAY1, &["--new", "2"], &"\n5\n".repeat(2));
    let out = review(&env, DAY2, &["--new", "3"], "q\n");
    assert!(out.contains(header), "{out}");
}

#[test]
fn export_decks_writes_an_editable_copy_once() {
    let env = Env::new();
    let out = env.ok(DAY1, &["export-decks", "mine"]);
    assert!(out.starts_with("wrote "), "{out}");
    assert!(env.path("mine/01-internals.md").is_file());
    // The copy is a decks folder that checks clean.
    let mut check = env.cmd(DAY1);
    check.args(["--decks", "mine", "check"]);
    check.assert().success();
    let again = env.run(DAY1, &["export-decks", "mine"], "");
    let err = one_line_failure(&again, 2);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn suspended_cards_never_hold_the_next_deck_back() {
    let env = Env::new();
    env.deck("a.md", &q_deck("a", 10, "module = 1"));
    env.deck("b.md", &q_deck("b", 2, "module = 2\nrequires = [\"a\"]"));
    env.ok(DAY1, &["suspend", "a-9", "a-10"]);
    // Every card of a that can be studied is seen: b starts.
    review(&env, DAY1, &["--new", "8"], &"\n5\n".repeat(8));
    let status = env.ok(DAY1, &["status"]);
    assert!(!status.contains("waiting for"), "{status}");
    let out = review(&env, DAY2, &["--new", "5"], "q\n");
    assert!(out.contains("card 1/10 · 8 due · 2 new"), "{out}");
}
