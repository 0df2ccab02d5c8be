//! The weak-area loop over simulated months: what enters the list, when it
//! leaves, `review --weak` and `quiz --weak`, and `mastery read`.

mod common;

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use common::*;

/// One card per deck, so that `review --deck` shows exactly that card.
fn subject(key: &str, title: &str, topic: &str) -> String {
    format!(
        "+++\ntitle = \"{title}\"\n+++\n# {topic}\n\n## Q: What is {key}? {{#{key}}}\nThe answer to {key}.\n"
    )
}

fn run(env: &Env, now: &str, args: &[&str], stdin: &str) -> std::process::Output {
    env.run_here(now, args, stdin)
}

fn ok(env: &Env, now: &str, args: &[&str]) -> String {
    let out = run(env, now, args, "");
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

fn json(env: &Env, now: &str, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(env, now, args)).expect("json")
}

fn at(day: NaiveDate) -> String {
    format!("{day}T09:00:00Z")
}

/// Grades the card of `deck` once with `grade`; a fail is re-drilled once
/// at 4, as the session asks.
fn grade(env: &Env, now: &str, deck: &str, grade: u8) {
    let script = if grade < 4 {
        format!("\n{grade}\n\n4\n")
    } else {
        format!("\n{grade}\n")
    };
    let out = run(env, now, &["review", "--deck", deck, "--new", "5"], &script);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Decks with a card due today.
fn due_decks(env: &Env, now: &str) -> Vec<String> {
    json(env, now, &["status", "--json"])["decks"]
        .as_array()
        .expect("decks")
        .iter()
        .filter(|d| d["due"].as_i64().unwrap_or(0) > 0)
        .map(|d| d["deck"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn weak_ids(env: &Env, now: &str) -> Vec<String> {
    json(env, now, &["weak", "--format", "json"])
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Ninety days of daily reviews. `fixed` fails three times, then is
/// recalled perfectly; `hard` fails every third review (never eight
/// times, so it is no leech); `leech` fails every
/// time until the leech rule suspends it; `easy` is always recalled.
#[test]
fn ninety_days_a_fixed_card_leaves_a_failing_topic_stays_a_leech_comes_first() {
    let env = Env::with_decks(&[
        ("fixed.md", &subject("fixed", "Fixed", "Recovered topic")),
        ("hard.md", &subject("hard", "Hard", "Failing topic")),
        ("leech.md", &subject("leech", "Leech", "Leech topic")),
        ("easy.md", &subject("easy", "Easy", "Easy topic")),
    ]);
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
    let mut plans: HashMap<&str, Vec<u8>> = HashMap::from([
        ("fixed", vec![5, 1, 1, 1, 5, 5, 5, 5, 5, 5, 5]),
        (
            "hard",
            [5].into_iter().chain([2, 4, 4].repeat(20)).collect(),
        ),
        ("leech", [5].into_iter().chain([1; 20]).collect()),
        ("easy", vec![5; 20]),
    ]);
    let list = env.path("todo.md");
    let list_arg = list.to_str().expect("a utf-8 path").to_string();
    let mut fives = 0;
    let mut left_on = None;
    for offset in 0..=90 {
        let day = start + Duration::days(offset);
        let now = at(day);
        let due = if offset == 0 {
            vec!["fixed".into(), "hard".into(), "leech".into(), "easy".into()]
        } else {
            due_decks(&env, &now)
        };
        for deck in due {
            let plan = plans.get_mut(deck.as_str()).expect("a planned deck");
            assert!(!plan.is_empty(), "{deck} ran out of grades on {day}");
            let g = plan.remove(0);
            grade(&env, &now, &deck, g);
            if deck == "fixed" && offset > 0 && g == 5 {
                fives += 1;
                let weak = weak_ids(&env, &now);
                // Weak through the first two good grades after its lapses,
                // not after the third: the rule's day.
                match fives {
                    1 | 2 => assert!(weak.contains(&"fixed".into()), "{day}: {weak:?}"),
                    3 => {
                        assert!(!weak.contains(&"fixed".into()), "{day}: {weak:?}");
                        left_on = Some(day);
                    }
                    _ => assert!(!weak.contains(&"fixed".into()), "{day}: {weak:?}"),
                }
            }
        }
        // The learner refreshes the to-do list every week.
        if offset % 7 == 0 {
            ok(&env, &now, &["weak", "-o", &list_arg]);
        }
    }
    assert!(
        left_on.is_some(),
        "the fixed card was never recalled three times"
    );
    let end = at(start + Duration::days(90));
    ok(&env, &end, &["weak", "-o", &list_arg]);
    let todo = std::fs::read_to_string(&list).expect("the list");
    let (live, resolved) = todo
        .split_once("## Resolved since")
        .expect("a resolved section");
    // The leech comes first, with its text and the way back in.
    let leech = live
        .find("## Leeches: rewrite or split these cards")
        .expect("leeches");
    let hard = live.find("## Hard").expect("the failing topic");
    assert!(leech < hard, "{todo}");
    assert!(
        live.contains(
            "- [ ] Rewrite or split “What is leech?” → “The answer to leech.” (leech, decks/leech.md:6): 8 lapses, suspended until `mastery unsuspend leech` <!-- weak:leech:leech -->"
        ),
        "{todo}"
    );
    assert!(
        live.contains(
            "  - [ ] Drill “What is hard?” (hard, decks/hard.md:6) <!-- weak:drill:hard -->"
        ),
        "{todo}"
    );
    assert!(!live.contains("fixed") && !live.contains("easy"), "{todo}");
    assert!(
        resolved.contains("Re-read Fixed › Recovered topic"),
        "{todo}"
    );
    assert!(!todo.contains("Easy"), "{todo}");
}

const DECK: &str = "+++\ntitle = \"Module 1: Basics\"\nmodule = 1\n+++\n# Hooks\n\n\
## Q: q1? {#q1}\nA1.\n\n## Q: q2? {#q2}\nA2.\n\n## Q: q3? {#q3}\nA3.\n";

fn day(n: i64) -> String {
    at(NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date") + Duration::days(n))
}

/// Day 0 all three are learned; day 1 q1 fails (and is re-drilled).
fn failed_q1() -> Env {
    let env = Env::with_decks(&[("m1.md", DECK)]);
    let learn = |now: &str, grades: &str| {
        let script: String = grades.chars().map(|g| format!("\n{g}\n")).collect();
        let out = run(&env, now, &["review", "--new", "20"], &script);
        assert!(out.status.success(), "{}", stderr(&out));
    };
    learn(&day(0), "555");
    learn(&day(1), "1554");
    assert_eq!(weak_ids(&env, &day(1)), ["q1"]);
    env
}

fn kinds(env: &Env) -> String {
    let conn = rusqlite::Connection::open(env.db()).expect("open db");
    let mut stmt = conn
        .prepare(
            "SELECT group_concat(r.kind || '@' || r.day, ' ') FROM review r JOIN card c ON c.id = r.card_id
             WHERE c.key = 'q1' ORDER BY r.id",
        )
        .expect("prepare");
    stmt.query_row([], |r| r.get(0)).expect("query")
}

#[test]
fn review_weak_schedules_like_a_review_and_clears_the_card_within_days() {
    let env = failed_q1();
    let due = |env: &Env| {
        json(env, &day(0), &["show", "q1", "--json"])["due"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    // Later the same day: a re-drill, which moves nothing.
    let before = due(&env);
    let out = run(&env, &day(1), &["review", "--weak"], "\n5\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("q1?"), "{}", stdout(&out));
    // The counts call the picked cards weak, not due.
    assert!(
        stdout(&out).contains("card 1/1 · 1 weak · 0 new"),
        "{}",
        stdout(&out)
    );
    assert_eq!(due(&env), before);
    // Day 2, due: a scheduling review (after a lapse, SM-2 gives 6 days).
    run(&env, &day(2), &["review", "--weak"], "\n5\n");
    assert_eq!(due(&env), "2026-03-10");
    assert_eq!(weak_ids(&env, &day(2)), ["q1"]);
    // Day 3, not due for a week: shown anyway, and scheduled as an early
    // review, which never shortens the interval it had earned.
    let out = run(&env, &day(3), &["review", "--weak"], "\n5\n");
    assert!(stdout(&out).contains("q1?"), "{}", stdout(&out));
    assert_eq!(due(&env), "2026-03-11");
    // Day 4: a third 5 in a row, and q1 is no longer weak.
    run(&env, &day(4), &["review", "--weak"], "\n5\n");
    assert_eq!(weak_ids(&env, &day(4)), Vec::<String>::new());
    assert_eq!(
        kinds(&env),
        "new@20514 review@20515 drill@20515 drill@20515 review@20516 review@20517 review@20518"
    );
    let out = run(&env, &day(4), &["review", "--weak"], "");
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("Nothing is weak right now"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_weak_list_s_commands_carry_its_query_and_review_weak_takes_one() {
    let env = failed_q1();
    let list = ok(&env, &day(1), &["weak", "id:q1,q2"]);
    assert!(
        list.contains("    mastery review --weak id:q1,q2\n"),
        "{list}"
    );
    assert!(list.contains("    mastery quiz --weak id:q1,q2"), "{list}");
    // The weak card the query matches is re-studied; one it leaves out is
    // not, and a query that leaves every weak card out has nothing.
    let out = run(&env, &day(2), &["review", "--weak", "id:q1,q2"], "\n5\n");
    assert!(
        stdout(&out).contains("card 1/1 · 1 weak"),
        "{}",
        stdout(&out)
    );
    let out = run(&env, &day(2), &["review", "--weak", "id:q3"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("No weak card in this scope"),
        "{}",
        stdout(&out)
    );
    let list = ok(&env, &day(2), &["weak", "id:q3"]);
    assert!(
        list.contains(
            "No weak card in this scope (mastery weak id:q3).\n`mastery weak` looks at every deck."
        ),
        "{list}"
    );
    // A query that starts with a minus goes after `--` in the commands,
    // where the shell line can't take it for a flag.
    let list = ok(&env, &day(2), &["weak", "-id:q3"]);
    assert!(
        list.contains("    mastery review --weak -- -id:q3\n"),
        "{list}"
    );
}

#[test]
fn review_weak_takes_the_scope_flags_and_no_new_card_budget() {
    let env = failed_q1();
    for args in [
        &["review", "--weak", "--new", "3"][..],
        &["review", "--weak", "--all-new"],
        &["review", "--weak", "--deck", "nope"],
    ] {
        let out = run(&env, &day(1), args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = run(&env, &day(2), &["review", "--weak", "--module", "2"], "");
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
}

#[test]
fn quiz_weak_asks_every_weak_card_and_leaves_the_schedule_alone() {
    let env = failed_q1();
    let show = |env: &Env| json(env, &day(0), &["show", "q1", "--json"]);
    let before = show(&env);
    let out = run(
        &env,
        &day(1),
        &["quiz", "--weak", "--format", "flip"],
        "\ny\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("q1?") && !text.contains("q2?"), "{text}");
    let after = show(&env);
    assert_eq!(before["due"], after["due"]);
    assert_eq!(before["reviews"], after["reviews"]);
    assert_eq!(
        env.sql_count(
            "SELECT count(*) FROM quiz_answer a JOIN card c ON c.id = a.card_id WHERE c.key = 'q1'"
        ),
        1
    );
    // A second right answer after the pass: two right answers in a row
    // clear it too.
    run(&env, &day(2), &["review", "--deck", "m1"], "\n3\n");
    run(
        &env,
        &day(2),
        &["quiz", "--weak", "--format", "flip"],
        "\ny\n",
    );
    run(
        &env,
        &day(2),
        &["quiz", "--weak", "--format", "flip"],
        "\ny\n",
    );
    assert_eq!(weak_ids(&env, &day(2)), Vec::<String>::new());
    let out = run(&env, &day(2), &["quiz", "--weak"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nothing is weak right now"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn read_prints_a_card_a_topic_and_a_deck_with_their_source_lines() {
    let env = Env::with_decks(&[
        ("m1.md", DECK),
        (
            "p.md",
            "+++\ntitle = \"Patterns: Speed\"\ncategory = \"speed\"\n+++\n# Batching\n\n\
## Pattern: Batch the edits {#batch}\nWhen: many small edits\nHow: one pass\nTrade-offs: a bigger diff\n\n\
## Cloze: Exit codes {#codes}\nExit {{2}} blocks; {{0|success}} passes.\n",
        ),
    ]);
    insta::assert_snapshot!("read_card", ok(&env, DAY1, &["read", "q2"]));
    insta::assert_snapshot!("read_topic", ok(&env, DAY1, &["read", "batching"]));
    insta::assert_snapshot!("read_deck", ok(&env, DAY1, &["read", "m1"]));
    assert_eq!(
        ok(&env, DAY1, &["read", "m1#hooks"]),
        ok(&env, DAY1, &["read", "HOOKS"])
    );
    let out = run(&env, DAY1, &["read", "btach"], "");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "mastery: no card, note, deck or topic is called 'btach'; did you mean 'batch'?\n"
    );
    let out = run(&env, DAY1, &["read", "zzzz"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("list ids with `mastery cards`"),
        "{}",
        stderr(&out)
    );
}

/// The built-in decks are files the learner doesn't have: everything points
/// at `mastery read` instead.
#[test]
fn built_in_decks_point_at_mastery_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |now: &str, args: &[&str], stdin: &str| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mastery"));
        cmd.current_dir(dir.path())
            .env("MASTERY_DB", dir.path().join("m.db"))
            .env("MASTERY_CONFIG", dir.path().join("c.toml"))
            .env("MASTERY_NOW", now)
            .env("TZ", "UTC")
            .env("NO_COLOR", "1")
            .env_remove("MASTERY_DECKS");
        assert_cmd::Command::from_std(cmd)
            .args(args)
            .write_stdin(stdin)
            .output()
            .expect("run mastery")
    };
    let card = stdout(&run(DAY1, &["read", "m01-api-roles"], ""));
    assert!(card.contains("id m01-api-roles"), "{card}");
    assert!(card.contains("tool_result"), "{card}");
    assert!(!card.contains("decks/"), "{card}");
    // Ten new cards, all failed.
    let out = run(DAY1, &["review", "--new", "10"], &"\n1\n".repeat(10));
    assert!(out.status.success(), "{}", stderr(&out));
    let weak = stdout(&run(DAY1, &["weak"], ""));
    assert!(
        weak.contains("(mastery read '01-internals#Codex session architecture (system/user/function messages)')"),
        "{weak}"
    );
    assert!(weak.contains("(mastery read m01-api-roles)"), "{weak}");
    assert!(!weak.contains("decks/01-internals.md"), "{weak}");
    // The command the list gives prints the topic.
    let topic = stdout(&run(
        DAY1,
        &[
            "read",
            "01-internals#Codex session architecture (system/user/function messages)",
        ],
        "",
    ));
    assert!(
        topic.contains("agentic harness") && topic.contains("id m01-api-roles"),
        "{topic}"
    );
    let quiz = stdout(&run(
        DAY1,
        &["quiz", "--card", "m01-api-roles", "--format", "flip"],
        "\nn\n",
    ));
    assert!(
        quiz.contains("source: mastery read m01-api-roles"),
        "{quiz}"
    );
}
