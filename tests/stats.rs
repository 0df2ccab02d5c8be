//! `mastery stats` over a scripted month of reviews.

mod common;

use common::*;

const M1: &str = "+++\ntitle = \"Module 1: Basics\"\nmodule = 1\n+++\n# Hooks\n## Q: a? {#a}\nA.\n## Q: b? {#b}\nB.\n";
const M2: &str = "+++\ntitle = \"Module 2: More\"\nmodule = 2\nrequires = [\"m1\"]\n+++\n# Plans\n## Q: c? {#c}\nC.\n## Q: d? {#d}\nD.\n";
const SPEED: &str = "+++\ntitle = \"Patterns: Speed\"\ncategory = \"speed\"\n+++\n# Speed\n\
## Pattern: Fan out {#spd-fan}\nWhen: many independent files.\nHow: one helper each.\nTrade-offs: merge cost.\n";

fn env() -> Env {
    Env::with_decks(&[("m1.md", M1), ("m2.md", M2), ("speed.md", SPEED)])
}

fn review(env: &Env, now: &str, grades: &str) {
    env.review_grades(&env.decks(), now, grades);
}

const END: &str = "2026-03-26T09:00:00Z";

/// A month of sessions. New cards come one per note a day, so the pattern's
/// four cards start on the 2nd, 4th, 6th and 8th. Card c (module 2) fails on
/// the 3rd and 4th; everything else is graded 5. Grades per session, in
/// queue order (due by day then id, then new, then re-drills):
fn history(env: &Env) {
    for (day, grades) in [
        ("02", "55555"),  // new a b c d, pattern/when
        ("03", "552555"), // a b c=2 d when, c re-drilled
        ("04", "155"),    // c=1, new pattern/how, c re-drilled
        ("05", "55"),     // c how
        ("06", "5"),      // new pattern/tradeoffs
        ("07", "5"),      // tradeoffs
        ("08", "5"),      // new pattern/which
        ("09", "55555"),  // a b d when which
        ("11", "55"),     // c how
        ("13", "5"),      // tradeoffs
        ("15", "5"),      // which
        ("23", "5"),      // c, now mature
        ("26", "5555"),   // a b d when, now mature
    ] {
        review(env, &format!("2026-03-{day}T09:00:00Z"), grades);
    }
    let out = env
        .cmd(END)
        .args(["quiz", "--module", "1", "--format", "flip", "--seed", "1"])
        .write_stdin("\ny\n\nn\n")
        .output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn text_report_snapshot() {
    let env = env();
    history(&env);
    let text = env.ok(END, &["stats"]);
    assert!(
        !text.contains('\x1b'),
        "piped output must have no escape codes"
    );
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "wider than 80 columns: {line:?}"
        );
    }
    insta::assert_snapshot!("stats_text", text);
}

#[test]
fn json_holds_every_figure_without_chart_characters() {
    let env = env();
    history(&env);
    let s = env.json(END, &["stats", "--json"]);
    for key in ["program", "modules", "categories", "forecast", "heatmap"] {
        assert!(s.get(key).is_some(), "missing {key}");
    }
    let text = s.to_string();
    for c in ['█', '░', '▒', '▓', '▏'] {
        assert!(!text.contains(c), "chart character {c} in JSON");
    }
    let p = &s["program"];
    assert_eq!(p["modules_mastered"], 1);
    assert_eq!(p["modules_total"], 8);
    assert_eq!(p["patterns_learned"], 1);
    assert_eq!(p["patterns_total"], 1);
    assert_eq!(p["longest_streak"], 8);
    assert_eq!(p["current_streak"], 1);
    assert_eq!(p["last_quiz_by_module"]["1"]["correct"], 1);
    assert_eq!(p["last_quiz_by_module"]["1"]["asked"], 2);
    let m1 = &s["modules"][0];
    assert_eq!(
        (
            m1["module"].as_u64(),
            m1["cards"].as_u64(),
            m1["mature"].as_u64()
        ),
        (Some(1), Some(2), Some(2))
    );
    assert_eq!(m1["retention_30d"], 100.0);
    assert_eq!(m1["mastered"], true);
    let m2 = &s["modules"][1];
    assert_eq!(m2["mastered"], false);
    // c: 5 2 1 5 5 5 and d: 5 5 5 5 are 8 passes in 10 scheduling grades.
    assert_eq!(m2["retention_30d"], 80.0);
    assert_eq!(
        (m2["learning"].as_u64(), m2["mature"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(s["categories"][0]["category"], "speed");
    assert_eq!(
        (
            s["categories"][0]["learning"].as_u64(),
            s["categories"][0]["mature"].as_u64()
        ),
        (Some(3), Some(1))
    );
    assert_eq!(s["forecast"].as_array().unwrap().len(), 14);
    assert_eq!(s["heatmap"]["days"].as_array().unwrap().len(), 112);
    assert_eq!(s["heatmap"]["busiest"]["date"], "2026-03-03");
    assert_eq!(s["heatmap"]["busiest"]["count"], 6);
}

#[test]
fn module_narrows_everything() {
    let env = env();
    history(&env);
    let s = env.json(END, &["stats", "--module", "2", "--json"]);
    assert_eq!(s["modules"].as_array().unwrap().len(), 1);
    assert_eq!(s["modules"][0]["module"], 2);
    assert_eq!(s["categories"].as_array().unwrap().len(), 0);
    assert_eq!(s["program"]["patterns_total"], 0);
    assert_eq!(s["heatmap"]["busiest"]["count"], 3);
    assert_eq!(s["program"]["modules_mastered"], 0);
}

#[test]
fn retention_and_mastery_count_only_live_cards() {
    let env = env();
    history(&env);
    // Card c, which failed twice, leaves the deck: module 2 is then card d
    // alone, mature and never failed.
    env.deck(
        "m2.md",
        "+++\ntitle = \"Module 2: More\"\nmodule = 2\nrequires = [\"m1\"]\n+++\n# Plans\n## Q: d? {#d}\nD.\n",
    );
    env.ok(END, &["compile"]);
    let s = env.json(END, &["stats", "--json"]);
    let m2 = &s["modules"][1];
    assert_eq!(m2["cards"], 1);
    assert_eq!(m2["retention_30d"], 100.0);
    assert_eq!(m2["mastered"], true);
    assert_eq!(s["program"]["modules_mastered"], 2);
}

#[test]
fn last_quiz_is_dated_by_local_study_day() {
    let env = env();
    history(&env);
    // 02:00 UTC is before the 04:00 rollover: still the 26th's study day.
    let late = "2026-03-27T02:00:00Z";
    env.cmd(late)
        .args(["quiz", "--module", "1", "--format", "flip", "--seed", "1"])
        .write_stdin("\ny\n\ny\n")
        .assert()
        .success();
    let s = env.json(late, &["stats", "--json"]);
    assert_eq!(s["modules"][0]["last_quiz"]["date"], "2026-03-26");
    // 23:30 UTC is 08:30 the next morning in Tokyo.
    let tokyo = "2026-03-27T23:30:00Z";
    env.cmd(tokyo)
        .env("TZ", "Asia/Tokyo")
        .args(["quiz", "--module", "1", "--format", "flip", "--seed", "1"])
        .write_stdin("\ny\n\ny\n")
        .assert()
        .success();
    let s: serde_json::Value = serde_json::from_slice(
        &env.cmd(tokyo)
            .env("TZ", "Asia/Tokyo")
            .args(["stats", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(s["modules"][0]["last_quiz"]["date"], "2026-03-28");
    assert_eq!(
        s["program"]["last_quiz_by_module"]["1"]["date"],
        "2026-03-28"
    );
}

#[test]
fn a_query_narrows_every_figure_to_its_cards() {
    let env = Env::basics();
    let out = env.run(DAY1, &["review"], "\n4\n\n5\n\n1\n\n4\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let all = env.json(DAY1, &["stats", "--json"]);
    assert_eq!(all["modules"][0]["cards"], 4);
    // The Hooks topic: q-exit and the subagent's two cards, two reviewed.
    let hooks = env.json(DAY1, &["stats", "topic:Hooks", "--json"]);
    assert_eq!(hooks["modules"][0]["cards"], 3, "{hooks}");
    assert_eq!(hooks["modules"][0]["new"], 1, "{hooks}");
    // Its forecast counts only its own cards: both due tomorrow.
    assert_eq!(hooks["forecast"][1]["count"], 2, "{hooks}");
    let memory = env.json(DAY1, &["stats", "topic:Memory", "--json"]);
    assert_eq!(memory["modules"][0]["cards"], 1, "{memory}");
    // Its heatmap counts the failed card's re-drill too: two reviews.
    let today = memory["heatmap"]["days"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(today["count"], 2, "{memory}");
    let text = env.ok(DAY1, &["stats", "topic:Hooks"]);
    assert!(
        text.starts_with("Figures for 'topic:Hooks': 3 cards\n"),
        "{text}"
    );
    assert_eq!(
        env.ok(DAY1, &["stats", "tag:none"]),
        "no card matches 'tag:none'\n"
    );
    // JSON stays JSON when nothing matches: every figure zero.
    let none = env.json(DAY1, &["stats", "tag:none", "--json"]);
    assert_eq!(none["modules"].as_array().map(Vec::len), Some(0), "{none}");
    // The heading counts the cards both the query and --module take.
    assert_eq!(
        env.ok(DAY1, &["stats", "topic:Hooks", "--module", "2"]),
        "no card matches 'topic:Hooks'\n"
    );
    // An empty query is no query.
    assert!(!env.ok(DAY1, &["stats", ""]).starts_with("Figures"));
    let out = env.run(DAY1, &["stats", "eas:1"], "");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// A quiz left unfinished marks its module's row with `*` and adds a note
/// under the table: the table stays within 80 columns, with no trailing
/// spaces (a padded row used to wrap into an empty line on the terminal).
#[test]
fn an_unfinished_quiz_keeps_the_table_within_80_columns() {
    let env = env();
    history(&env);
    let out = env
        .cmd(END)
        .args([
            "quiz", "--module", "1", "--format", "flip", "--seed", "2", "--count", "2",
        ])
        .write_stdin("\ny\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = env.ok(END, &["stats"]);
    assert!(
        text.contains(" * module 1: then 1/1 incomplete (a quiz stopped early, 03-26)"),
        "{text}"
    );
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "wider than 80 columns: {line:?}"
        );
        assert_eq!(line.trim_end(), line, "trailing spaces: {line:?}");
    }
}
