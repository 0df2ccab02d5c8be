//! `mastery quiz` without a terminal: reproducible with --seed, recorded,
//! reported, and never moving the schedule.

mod common;

use std::collections::HashMap;

use common::*;
use predicates::prelude::*;

const FILES: &str = "+++\ntitle = \"Files\"\nmodule = 2\n+++\n# Memory\n\
## Q: Memory file of Claude Code? {#f1}\nCLAUDE.md\n\
## Q: Memory file of Codex CLI? {#f2}\nAGENTS.md\n\
# Config\n\
## Q: Project MCP config file? {#f3}\n.mcp.json\n\
## Q: Codex config file? {#f4}\nconfig.toml\n\
## Q: Claude Code settings file? {#f5}\nsettings.json\n\
## Q: Local memory file? {#f6}\nCLAUDE.local.md\n";

fn env() -> Env {
    let env = Env::basics();
    env.deck("files.md", FILES);
    env
}

fn card_states(env: &Env) -> String {
    let conn = rusqlite::Connection::open(env.db()).unwrap();
    let mut stmt = conn
        .prepare("SELECT key, reps, ease, interval, due, lapses, last_grade FROM card ORDER BY key")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok(format!(
                "{} {} {} {} {:?} {} {:?}",
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<i64>>(6)?
            ))
        })
        .unwrap();
    rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
}

fn quiz_json(env: &Env, args: &[&str], script: &str) -> (serde_json::Value, String) {
    let mut full = vec!["quiz", "--json"];
    full.extend_from_slice(args);
    let out = env.run(DAY2, &full, script);
    assert!(out.status.success(), "{}", stderr(&out));
    (
        serde_json::from_slice(&out.stdout).expect("json report"),
        stderr(&out),
    )
}

#[test]
fn a_quiz_never_moves_the_schedule() {
    let env = env();
    env.run(DAY1, &["review", "--new", "20"], &"\n4\n".repeat(6));
    let before = card_states(&env);
    let (report, _) = quiz_json(
        &env,
        &["--seed", "1", "--format", "flip", "--count", "8"],
        &"\ny\n\nn\n".repeat(4),
    );
    assert_eq!(report["asked"], 8);
    assert_eq!(card_states(&env), before);
    assert_eq!(env.sql_count("SELECT count(*) FROM quiz_answer"), 8);
}

#[test]
fn reschedule_lets_the_first_answer_of_the_day_count() {
    let env = env();
    quiz_json(
        &env,
        &[
            "--seed",
            "1",
            "--format",
            "flip",
            "--card",
            "f1",
            "--reschedule",
        ],
        "\ny\n",
    );
    let card = env.json(DAY2, &["show", "f1", "--json"]);
    assert_eq!(card["repetitions"], 1);
    assert_eq!(card["due"], "2026-03-04");
}

#[test]
fn the_report_counts_scores_topics_and_misses() {
    let env = env();
    let (r, _) = quiz_json(
        &env,
        &[
            "--deck",
            "files",
            "--format",
            "flip",
            "--seed",
            "5",
            "--count",
            "6",
            "--threshold",
            "60",
            // Memory is 1/2 in this script: under the default 60 % topic
            // floor it would block "ready" (see
            // a_weak_topic_blocks_ready_and_is_named).
            "--topic-floor",
            "50",
        ],
        "\ny\n\ny\n\ny\n\nn\n\ny\n\nn\n",
    );
    assert_eq!(
        (
            r["asked"].as_u64(),
            r["correct"].as_u64(),
            r["score"].as_u64()
        ),
        (Some(6), Some(4), Some(66))
    );
    assert_eq!(r["threshold"], 60);
    assert_eq!(r["ready"], true);
    let topics: HashMap<String, (u64, u64)> = r["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["topic"].as_str().unwrap().to_string(),
                (t["correct"].as_u64().unwrap(), t["asked"].as_u64().unwrap()),
            )
        })
        .collect();
    assert_eq!(topics.values().map(|t| t.1).sum::<u64>(), 6);
    assert_eq!(topics["Memory"].1, 2);
    assert_eq!(topics["Config"].1, 4);
    assert_eq!(r["misses"].as_array().unwrap().len(), 2);
    for miss in r["misses"].as_array().unwrap() {
        assert!(
            miss["source"].as_str().unwrap().contains("files.md:"),
            "{miss}"
        );
        assert!(!miss["answer"].as_str().unwrap().is_empty());
    }
    let history = env.json(DAY2, &["quiz", "history", "--json"]);
    assert_eq!(history[0]["asked"], 6);
    assert_eq!(history[0]["correct"], 4);
    assert_eq!(history[0]["score"], 66);
}

#[test]
fn the_same_seed_asks_the_same_questions() {
    let env = env();
    let script = "\ny\n2\nconfig.toml\n".repeat(5);
    let (a, first) = quiz_json(&env, &["--seed", "42", "--count", "5"], &script);
    let (b, again) = quiz_json(&env, &["--seed", "42", "--count", "5"], &script);
    let (_, other) = quiz_json(&env, &["--seed", "43", "--count", "5"], &script);
    assert!(first.starts_with("quiz 1: 5 questions, seed 42"));
    let body = |s: &str| s.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&first), body(&again));
    assert_ne!(body(&first), body(&other));
    assert_eq!(
        (a["misses"].clone(), a["score"].clone()),
        (b["misses"].clone(), b["score"].clone())
    );
}

#[test]
fn choice_distractors_come_from_the_same_deck_and_exclude_the_answer() {
    let env = env();
    let backs: HashMap<&str, &str> = [
        ("Memory file of Claude Code?", "CLAUDE.md"),
        ("Memory file of Codex CLI?", "AGENTS.md"),
        ("Project MCP config file?", ".mcp.json"),
        ("Codex config file?", "config.toml"),
        ("Claude Code settings file?", "settings.json"),
        ("Local memory file?", "CLAUDE.local.md"),
    ]
    .into_iter()
    .collect();
    for seed in 0..5 {
        let (_, shown) = quiz_json(
            &env,
            &[
                "--deck",
                "files",
                "--format",
                "choice",
                "--seed",
                &seed.to_string(),
                "--count",
                "6",
            ],
            &"1\n".repeat(6),
        );
        let (mut asked, mut choice) = (0, 0);
        let lines: Vec<&str> = shown.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(answer) = backs.get(line.trim()) else {
                continue;
            };
            asked += 1;
            // A card whose answer alone repeats the question's words
            // ("Local memory file?" → CLAUDE.local.md, "Codex config
            // file?" → config.toml) gives itself away and is asked another
            // way (issue 15).
            if !lines[i + 1].starts_with("  1) ") {
                assert!(
                    ["Local memory file?", "Codex config file?"].contains(&line.trim()),
                    "{shown}"
                );
                continue;
            }
            let options: Vec<&str> = lines[i + 1..i + 5]
                .iter()
                .map(|l| l.trim().split_once(") ").unwrap().1)
                .collect();
            assert_eq!(
                options.iter().filter(|o| *o == answer).count(),
                1,
                "{options:?}"
            );
            assert!(
                options.iter().all(|o| backs.values().any(|b| b == o)),
                "{options:?}"
            );
            let mut unique = options.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), 4);
            choice += 1;
        }
        assert_eq!(asked, 6, "{shown}");
        assert_eq!(choice, 4, "{shown}");
    }
}

#[test]
fn typed_answers_forgive_one_typo_per_eight_characters() {
    let env = env();
    let (r, shown) = quiz_json(
        &env,
        &["--card", "f6", "--format", "typed"],
        "claude.locl.md\n",
    );
    assert_eq!(r["correct"], 1, "{shown}");
    assert!(
        shown.contains("right, with 1 typo: CLAUDE.loc[a]l.md"),
        "{shown}"
    );
    let (r, shown) = quiz_json(&env, &["--card", "f4", "--format", "typed"], "confg.tml\n");
    assert_eq!(r["correct"], 0, "{shown}");
    assert!(
        shown.contains("near miss: the answer is conf[i]g.t[o]ml"),
        "{shown}"
    );
    assert_eq!(r["misses"][0]["given"], "confg.tml");
}

#[test]
fn an_interrupted_quiz_keeps_its_answers_and_reports_them() {
    let env = env();
    let out = env.run(
        DAY2,
        &["quiz", "--deck", "files", "--format", "flip", "--seed", "3"],
        "\ny\n\nn\n\n",
    );
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("score 50% (1/2) · threshold 80% · not yet"),
        "{text}"
    );
    assert!(text.contains("re-read:"), "{text}");
    let history = env.json(DAY2, &["quiz", "history", "--json"]);
    assert_eq!(history[0]["asked"], 2);
    assert_eq!(history[0]["ended_at"], "2026-03-03T09:00:00.000Z");
}

#[test]
fn history_filters_by_module() {
    let env = env();
    quiz_json(
        &env,
        &["--module", "1", "--format", "flip", "--seed", "1"],
        "\ny\n",
    );
    quiz_json(
        &env,
        &["--module", "2", "--format", "flip", "--seed", "1"],
        "\nn\n",
    );
    let all = env.json(DAY2, &["quiz", "history", "--json"]);
    assert_eq!(all.as_array().unwrap().len(), 2);
    let m2 = env.json(DAY2, &["quiz", "history", "--module", "2", "--json"]);
    assert_eq!(m2.as_array().unwrap().len(), 1);
    assert_eq!(m2[0]["correct"], 0);
    let text = env.ok(DAY2, &["quiz", "history"]);
    assert!(
        text.contains("module 2") && text.contains("module 1"),
        "{text}"
    );
}

#[test]
fn history_shows_local_study_days() {
    let env = env();
    // 02:00 UTC is before the 04:00 rollover: the 2nd's study day.
    let early = "2026-03-03T02:00:00Z";
    env.cmd(early)
        .args(["quiz", "--module", "1", "--format", "flip", "--seed", "1"])
        .write_stdin("\ny\n")
        .assert()
        .success();
    let text = env.ok(early, &["quiz", "history"]);
    assert!(text.contains("2026-03-02"), "{text}");
    assert!(!text.contains("2026-03-03"), "{text}");
    assert_eq!(
        env.json(early, &["quiz", "history", "--json"])[0]["day"],
        "2026-03-02"
    );
    // 23:30 UTC on the 3rd is 08:30 on the 4th in Tokyo.
    let tokyo = "2026-03-03T23:30:00Z";
    let out = env
        .cmd(tokyo)
        .env("TZ", "Asia/Tokyo")
        .args(["quiz", "history"])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("2026-03-02"), "{text}");
    env.cmd(tokyo)
        .env("TZ", "Asia/Tokyo")
        .args(["quiz", "--module", "1", "--format", "flip", "--seed", "1"])
        .write_stdin("\ny\n")
        .assert()
        .success();
    let out = env
        .cmd(tokyo)
        .env("TZ", "Asia/Tokyo")
        .args(["quiz", "history", "--json"])
        .output()
        .unwrap();
    let history: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(history[0]["day"], "2026-03-04");
}

#[test]
fn bad_quiz_options_fail_cleanly() {
    let env = env();
    env.cmd(DAY2)
        .args(["quiz", "--count", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--count"));
    env.cmd(DAY2)
        .args(["quiz", "--card", "nope"])
        .assert()
        .code(1)
        .stderr("mastery: unknown card id 'nope': list card ids with `mastery cards`\n");
    env.cmd(DAY2)
        .args(["quiz", "--deck", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown deck id 'nope'"));
    env.cmd(DAY2)
        .args(["quiz", "--topic", "zzz"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no cards match this quiz scope"));
    env.cmd(DAY2)
        .args(["quiz", "--format", "essay"])
        .assert()
        .code(2);
}
