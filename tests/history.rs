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
         UPDATE card SET interval = 9, due = due + 3;",
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
        stdout(&out).contains("problem: card q: review 2 starts from (n 1, ease 300, interval 1, lapses 0), but the review before it left (n 1, ease 260, interval 1, lapses 0)"),
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
         UPDATE card SET interval = 15, due = (SELECT a_due FROM review WHERE id = 3);",
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
