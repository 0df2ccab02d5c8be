//! The card browser (`cards [QUERY]`) and custom study (`review QUERY`)
//! through the binary.

mod common;

use common::*;

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

const HOOKS: &str = r#"+++
title = "Hooks"
module = 2
tags = ["hooks"]
+++
# Exit codes

## Q: Which exit code of a hook blocks the action? {#h-block}
Exit code 2: stderr is fed back to Claude.

## Q: What does a hook's exit code 0 mean? {#h-ok}
Success: stdout is shown in the transcript.

## Q: Where are hooks configured? {#h-where}
In the settings files, under `hooks`.
"#;

/// basics.md (3 notes, 4 cards) and hooks.md (3 new cards). On day 1
/// q-exit, c-sub/define and z-mem are learned (c-sub/name waits for its
/// sibling); on day 2 q-exit is failed (due day 3, ease 1.96, one lapse)
/// and the other two passed (due day 8).
fn studied() -> Env {
    let env = Env::with_decks(&[("basics.md", BASICS), ("hooks.md", HOOKS)]);
    review(&env, &day(1), &["--deck", "basics"], "\n4\n\n5\n\n3\n");
    review(&env, &day(2), &["--deck", "basics"], "\n1\n\n4\n\n4\n\n4\n");
    env
}

fn ids(env: &Env, now: &str, args: &[&str]) -> Vec<String> {
    let mut full = vec!["cards", "--json"];
    full.extend_from_slice(args);
    env.json(now, &full)
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["id"].as_str().expect("an id").to_string())
        .collect()
}

#[test]
fn the_table_fits_80_columns() {
    let env = studied();
    env.ok(&day(3), &["suspend", "h-where"]);
    let text = env.ok(&day(3), &["cards"]);
    assert!(
        text.lines().all(|l| mastery::render::width_of(l) <= 80),
        "{text}"
    );
    insta::assert_snapshot!("cards_table_80", text);
    // With no card marked, the empty flags column gives its width to the
    // fronts.
    // A query may start with a minus, as in Anki: no `--` needed.
    let plain = env.ok(&day(3), &["cards", "-is:suspended"]);
    let header = plain.lines().next().unwrap();
    assert!(!header.contains("flags"), "{plain}");
    assert!(header.ends_with("reps"), "{plain}");
}

#[test]
fn a_query_narrows_the_table_and_the_count_says_how_many() {
    let env = studied();
    let text = env.ok(
        &day(3),
        &["cards", "tag:hooks is:new", "--columns", "id,due"],
    );
    assert_eq!(
        text,
        "id       due\nh-block  new\nh-ok     new\nh-where  new\n3 cards\n"
    );
    let one = env.ok(
        &day(3),
        &["cards", "\"blocks a tool call\"", "--columns", "id"],
    );
    assert_eq!(one, "id\nq-exit\n1 card\n");
}

#[test]
fn words_are_found_in_front_and_back_in_any_order() {
    let env = studied();
    assert_eq!(
        ids(&env, &day(3), &["hook exit"]),
        ["h-block", "h-ok"],
        "both words, wherever they are"
    );
    assert_eq!(ids(&env, &day(3), &["hook -exit"]), ["h-where"]);
    assert_eq!(ids(&env, &day(3), &["TRANSCRIPT"]), ["h-ok"]);
}

#[test]
fn sort_orders_rows_by_the_chosen_key() {
    let env = studied();
    // q-exit failed on day 2: the lowest ease, and the only lapse.
    let by_ease = ids(&env, &day(3), &["is:review or is:learn", "--sort", "ease"]);
    assert_eq!(by_ease[0], "q-exit");
    let by_lapses = ids(&env, &day(3), &["--sort", "lapses"]);
    assert_eq!(by_lapses[0], "q-exit");
    let by_due = ids(&env, &day(3), &["--sort", "due"]);
    assert_eq!(
        by_due.last().map(String::as_str),
        Some("h-where"),
        "new cards last"
    );
    let added = ids(&env, &day(3), &["--sort", "added"]);
    assert_eq!(
        added.last().map(String::as_str),
        Some("q-exit"),
        "newest first"
    );
}

#[test]
fn csv_has_a_header_and_dates() {
    let env = studied();
    let text = env.ok(
        &day(3),
        &[
            "cards",
            "id:q-exit",
            "--csv",
            "--columns",
            "id,due,ivl,ease,lapses",
        ],
    );
    assert_eq!(
        text,
        "id,due,ivl,ease,lapses\nq-exit,2026-03-03,1d,1.96,1\n"
    );
}

#[test]
fn json_carries_state_and_tags() {
    let env = studied();
    let cards = env.json(&day(3), &["cards", "id:h-ok", "--json"]);
    let card = &cards[0];
    assert_eq!(card["tags"], serde_json::json!(["hooks"]));
    assert_eq!(card["note_kind"], "Q");
    assert_eq!(card["due"], serde_json::Value::Null);
    let exit = &env.json(&day(3), &["cards", "id:q-exit", "--json"])[0];
    assert_eq!(exit["lapses"], 1);
    assert_eq!(exit["due"], "2026-03-03");
}

#[test]
fn nothing_matching_and_unknown_decks_say_so() {
    let env = studied();
    let none = env.run(&day(3), &["cards", "zebra"], "");
    assert!(none.status.success());
    assert_eq!(stdout(&none), "no card matches 'zebra'\n");
    let typo = env.run(&day(3), &["cards", "is:new deck:hoks"], "");
    assert_eq!(typo.status.code(), Some(2));
    assert_eq!(
        stderr(&typo).trim(),
        "mastery: query:8: unknown deck 'hoks'; did you mean 'hooks'?; list decks with `mastery status`"
    );
    let flag = env.run(&day(3), &["cards", "--deck", "no-such-deck"], "");
    assert_eq!(flag.status.code(), Some(2));
    assert!(stderr(&flag).contains("unknown deck id 'no-such-deck'"));
    let syntax = env.run(&day(3), &["cards", "prop:eas<2"], "");
    assert_eq!(syntax.status.code(), Some(2));
    assert!(
        stderr(&syntax)
            .starts_with("mastery: query:6: unknown property 'eas'; did you mean 'ease'?"),
        "{}",
        stderr(&syntax)
    );
}

#[test]
fn custom_study_reviews_matching_cards_due_or_not() {
    let env = studied();
    // Day 3: q-exit is due; c-sub/define and z-mem are not (day 8); the
    // rest is new.
    let out = review(
        &env,
        &day(3),
        &["tag:hooks or deck:basics"],
        "\n5\n\n5\n\n5\n",
    );
    assert!(out.contains("session: 3 reviewed"), "{out}");
    let due =
        |id: &str| env.json(&day(3), &["cards", &format!("id:{id}"), "--json"])[0]["due"].clone();
    // c-sub/define: learned day 1 (ivl 1), passed day 2 (ivl 6, due day 8),
    // answered early on day 3: the interval is kept (6, counted from
    // today), not grown to SM-2's next step (6 × 2.7).
    assert_eq!(due("c-sub/define"), "2026-03-09");
    // The hooks cards are new: custom study leaves them out without --new.
    assert_eq!(
        ids(&env, &day(3), &["tag:hooks -is:new"]),
        Vec::<String>::new()
    );
}

#[test]
fn custom_new_cards_do_not_spend_the_daily_budget() {
    let env = Env::with_decks(&[("basics.md", BASICS), ("hooks.md", HOOKS)]);
    std::fs::write(env.path("config.toml"), "new_per_day = 2\n").unwrap();
    let out = review(
        &env,
        &day(1),
        &["tag:hooks", "--new", "3"],
        "\n4\n\n4\n\n4\n",
    );
    assert!(out.contains("session: 3 reviewed"), "{out}");
    assert_eq!(ids(&env, &day(1), &["introduced:1"]).len(), 3);
    // The day's own two new cards are still there.
    let out = review(&env, &day(1), &["--deck", "basics"], "\n4\n\n4\n\n4\n");
    assert!(out.contains("session: 2 reviewed"), "{out}");
}

#[test]
fn ahead_reviews_what_falls_due_in_the_next_days() {
    let env = studied();
    // Day 3: q-exit is due today (failed on day 2); the rest of basics on
    // day 8.
    let out = review(&env, &day(3), &["--ahead", "1"], "\n4\n");
    assert!(out.contains("session: 1 reviewed"), "{out}");
    let week = review(
        &env,
        &day(3),
        &["--ahead", "6", "deck:basics"],
        "\n4\n\n4\n",
    );
    assert!(week.contains("session: 2 reviewed"), "{week}");
    let empty = review(&env, &day(3), &["--ahead", "1"], "");
    assert!(empty.contains("no card is due by tomorrow"), "{empty}");
}

#[test]
fn an_empty_custom_study_says_why() {
    let env = studied();
    let out = review(&env, &day(3), &["tag:hooks"], "");
    assert!(
        out.contains("no card matching 'tag:hooks' has been studied yet")
            && out.contains("--new N"),
        "{out}"
    );
}

#[test]
fn quiz_weak_and_read_take_a_query_too() {
    let env = studied();
    let sheet = env.ok(
        &day(3),
        &["quiz", "tag:hooks", "--print", "md", "--seed", "1"],
    );
    assert!(
        sheet.starts_with("# Quiz worksheet: query 'tag:hooks'"),
        "{sheet}"
    );
    assert!(
        sheet.contains("3 questions"),
        "every hooks card, no other: {sheet}"
    );
    assert!(
        !sheet.contains("Subagent") && !sheet.contains("Memory"),
        "{sheet}"
    );
    let narrowed = env.run(
        &day(3),
        &["quiz", "tag:hooks", "--deck", "basics", "--print", "md"],
        "",
    );
    assert!(
        stderr(&narrowed).contains("no cards match this quiz scope"),
        "the flags AND with the query: {}",
        stderr(&narrowed)
    );
    let read = env.ok(&day(3), &["read", "tag:hooks -exit"]);
    assert!(read.contains("Where are hooks configured?"), "{read}");
    assert!(!read.contains("blocks the action"), "{read}");
    let weak = env.run(&day(3), &["weak", "prop:eas<2"], "");
    assert_eq!(weak.status.code(), Some(2));
    assert!(
        stderr(&weak).contains("query:6: unknown property 'eas'"),
        "{}",
        stderr(&weak)
    );
    assert!(
        env.ok(&day(3), &["weak", "deck:hooks"])
            .contains("No weak card in this scope (mastery weak deck:hooks).\n")
    );
}

#[test]
fn a_control_character_in_a_front_keeps_the_table_aligned() {
    let env = Env::with_decks(&[(
        "c.md",
        "+++\ntitle = \"C\"\n+++\n# T\n\n## Q: Red \u{1b}[31mtext\u{7} here? {#c1}\nA.\n\n## Q: Plain question here? {#c2}\nB.\n",
    )]);
    let text = env.ok(&day(1), &["cards", "--columns", "front,deck"]);
    let lines: Vec<&str> = text.lines().collect();
    // The deck column starts at the same place on every row.
    let at: Vec<usize> = lines[..3].iter().map(|l| l.rfind("  ").unwrap()).collect();
    assert!(at.iter().all(|a| *a == at[0]), "{text}");
    assert!(text.contains("\\x1b[31m"), "{text}");
}

#[test]
fn the_table_and_csv_list_in_the_same_order_as_json() {
    let env = studied();
    for sort in ["due", "ivl", "ease", "lapses", "added", "reviewed"] {
        let json = ids(&env, &day(3), &["--sort", sort]);
        let table = env.ok(&day(3), &["cards", "--sort", sort, "--columns", "id"]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "id");
        assert_eq!(lines[1..=json.len()], json, "--sort {sort}");
        assert_eq!(lines[json.len() + 1], format!("{} cards", json.len()));
        let csv = env.ok(
            &day(3),
            &["cards", "--sort", sort, "--csv", "--columns", "id"],
        );
        assert_eq!(
            csv.lines().skip(1).collect::<Vec<_>>(),
            json,
            "--sort {sort}"
        );
    }
}

#[test]
fn under_fsrs_the_interval_sort_and_prop_read_the_interval_shown() {
    let env = studied();
    let rows = |args: &[&str]| -> Vec<(String, u32)> {
        let mut full = vec!["cards"];
        full.extend_from_slice(args);
        full.extend_from_slice(&["--csv", "--columns", "id,ivl"]);
        env.ok(&day(12), &full)
            .lines()
            .skip(1)
            .map(|l| {
                let (id, ivl) = l.split_once(',').expect("two columns");
                let ivl = ivl.trim_end_matches('d').parse().expect("days");
                (id.to_string(), ivl)
            })
            .collect()
    };
    let sm2 = rows(&["-is:new", "--sort", "ivl"]);
    std::fs::write(env.path("config.toml"), "scheduler = \"fsrs\"\n").unwrap();
    let fsrs = rows(&["-is:new", "--sort", "ivl"]);
    assert_ne!(
        sm2.iter().map(|r| r.1).collect::<Vec<_>>(),
        fsrs.iter().map(|r| r.1).collect::<Vec<_>>(),
        "the schedulers disagree on these intervals"
    );
    assert!(
        fsrs.windows(2).all(|w| w[0].1 <= w[1].1),
        "sorted by the interval shown: {fsrs:?}"
    );
    for n in 0..=30 {
        let mut matched: Vec<String> = rows(&[&format!("prop:ivl<={n}")])
            .into_iter()
            .map(|r| r.0)
            .collect();
        let mut want: Vec<String> = fsrs
            .iter()
            .filter(|r| r.1 <= n)
            .map(|r| r.0.clone())
            .collect();
        matched.sort();
        want.sort();
        assert_eq!(matched, want, "prop:ivl<={n}");
    }
}

#[test]
fn listing_retired_cards_shows_them_as_retired() {
    let env = studied();
    // h-where leaves its deck: its card is retired, history kept.
    env.deck(
        "hooks.md",
        &HOOKS.replace(
            "## Q: Where are hooks configured? {#h-where}\nIn the settings files, under `hooks`.\n",
            "",
        ),
    );
    let table = env.ok(&day(3), &["cards", "is:retired", "--columns", "id,flags"]);
    assert_eq!(table, "id       flags\nh-where  retired\n1 card\n");
    let default = env.ok(&day(3), &["cards", "is:retired"]);
    assert!(
        default.lines().next().unwrap().ends_with("flags"),
        "{default}"
    );
    assert!(default.contains("  retired\n"), "{default}");
}
