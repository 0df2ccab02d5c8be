//! Issue 15 through the binary and the pipe protocol: per-topic readiness,
//! incomplete quizzes, `--card` counts, the re-ask command, undo, typed `q`,
//! near-miss overrides, accepted alternatives, the worksheet, teach-back and
//! the history's short scopes.

mod common;

use common::*;
use serde_json::Value;

const DECK: &str = "+++\ntitle = \"Verdict\"\nmodule = 3\n+++\n# Hooks\n\
## Q: Which exit code blocks a tool call? {#h1}\nExit code 2.\n\
## Q: Which event fires before a tool runs? {#h2}\nPreToolUse\n\
## Q: Which event fires after a tool succeeds? {#h3}\nPostToolUse\n\
## Q: Which event fires when a session starts? {#h4}\nSessionStart\n\
# Files\n\
## Q: Memory file of Claude Code? {#f1}\nCLAUDE.md\n\
## Q: Memory file of Codex CLI? {#f2}\nAGENTS.md\n\
## Q: Project MCP config file? {#f3}\n.mcp.json\n\
## Q: Claude Code settings file? {#f4}\nsettings.json\n\
# Keys\n\
## Cloze: Stop {#k1}\nPress {{Esc|Escape}} to stop Claude mid-answer.\n\
## Q: Which key ends this test's quiz? {#k2}\nq\n";

fn env() -> Env {
    let env = Env::new();
    env.deck("verdict.md", DECK);
    env
}

/// Runs a quiz with its report as JSON; returns the report and what was
/// shown on stderr.
fn quiz(env: &Env, args: &[&str], script: &str) -> (Value, String) {
    let mut full = vec!["quiz", "--json"];
    full.extend_from_slice(args);
    let out = env.run(DAY2, &full, script);
    assert!(out.status.success(), "{}", stderr(&out));
    (
        serde_json::from_slice(&out.stdout).expect("json report"),
        stderr(&out),
    )
}

fn sheet(env: &Env, args: &[&str]) -> Value {
    let mut full = vec!["quiz", "--print", "json", "--answers"];
    full.extend_from_slice(args);
    env.json(DAY2, &full)
}

/// A flip-card script answering "knew it" where `knew` says so.
fn flips(knew: impl IntoIterator<Item = bool>) -> String {
    knew.into_iter()
        .map(|k| if k { "\ny\n" } else { "\nn\n" })
        .collect()
}

const HOOKS_AND_FILES: [&str; 8] = [
    "--deck", "verdict", "--topic", "Hooks", "--topic", "Files", "--format", "flip",
];

#[test]
fn a_weak_topic_blocks_ready_and_is_named() {
    let env = env();
    let mut args = HOOKS_AND_FILES.to_vec();
    args.extend(["--seed", "7", "--count", "8", "--threshold", "60"]);
    // The worksheet is the quiz the same seed asks: it tells which
    // question is which topic.
    let s = sheet(&env, &args);
    let mut hooks_right = 0;
    let script = flips(s["questions"].as_array().unwrap().iter().map(|q| {
        if q["topic"] == "Hooks" {
            hooks_right += 1;
            hooks_right == 1
        } else {
            true
        }
    }));
    let (r, _) = quiz(&env, &args, &script);
    assert_eq!(
        (r["correct"].as_u64(), r["asked"].as_u64()),
        (Some(5), Some(8))
    );
    assert_eq!(r["score"], 62, "above the 60 % threshold");
    assert_eq!(r["ready"], false);
    assert_eq!(
        r["verdict"],
        "not yet: Hooks 1/4 (below the 60% topic floor)"
    );
    assert_eq!(r["topics"][0]["topic"], "Hooks", "weakest first");
    assert_eq!(r["weakest"][0]["topic"], "Hooks");
    for key in [
        "seed",
        "format",
        "started_at",
        "ended_at",
        "complete",
        "formats",
    ] {
        assert!(r.get(key).is_some(), "{key} missing: {r}");
    }
    assert_eq!(r["seed"], 7);
    assert_eq!(r["format"], "flip");
    assert_eq!(r["formats"]["flip"], 8);
    assert_eq!(r["complete"], true);
    assert_eq!(r["guessing_score"], 0);
    for miss in r["misses"].as_array().unwrap() {
        assert_eq!(miss["given"], "didn't know it");
        assert!(miss["source"].as_str().unwrap().contains("verdict.md:"));
    }
    // The same answers pass under a lower floor.
    let mut lenient = args.clone();
    lenient.extend(["--topic-floor", "25"]);
    let (r2, _) = quiz(&env, &lenient, &script);
    assert_eq!(r2["ready"], true, "{r2}");
    // The re-ask command asks exactly the three misses.
    let reask = r["reask"].as_str().unwrap().to_string();
    assert!(reask.starts_with("mastery quiz --card h"), "{reask}");
    let words: Vec<&str> = reask.split_whitespace().skip(2).collect();
    let (again, shown) = quiz(&env, &words, &flips([true; 3]));
    assert_eq!(again["asked"], 3, "{shown}");
    let mut missed: Vec<String> = r["misses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    let mut asked: Vec<String> = again["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["topic"].as_str().unwrap().to_string())
        .collect();
    missed.sort();
    asked.sort();
    assert_eq!(asked, ["Hooks"]);
    assert_eq!(missed.len(), 3);
}

#[test]
fn the_text_report_shows_your_answer_beside_the_right_one_and_the_reask_command() {
    let env = env();
    let out = env.run(
        DAY2,
        &["quiz", "--card", "h1", "--format", "typed"],
        "exit code 3\nn\n",
    );
    let text = stdout(&out);
    assert!(text.contains("you answered: exit code 3"), "{text}");
    assert!(text.contains("answer: Exit code 2."), "{text}");
    assert!(text.contains("source: "), "{text}");
    assert!(
        text.contains("ask the misses again:\n  mastery quiz --card h1 --format typed"),
        "{text}"
    );
    assert!(
        text.contains("0 of 1 questions were multiple choice"),
        "{text}"
    );
}

#[test]
fn a_stopped_quiz_is_incomplete_never_ready_and_stats_skip_it() {
    let env = env();
    let (done, _) = quiz(
        &env,
        &["--card", "f1", "--format", "flip", "--seed", "1"],
        &flips([true]),
    );
    assert_eq!(done["ready"], true);
    // Quit after one right answer: 1/1 is not "100 % ready".
    let (r, _) = quiz(
        &env,
        &["--deck", "verdict", "--format", "flip", "--seed", "1"],
        "\ny\n",
    );
    assert_eq!(
        (r["asked"].as_u64(), r["correct"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["complete"], false);
    assert_eq!(r["ready"], false);
    assert_eq!(
        r["verdict"],
        "not yet: incomplete, 1 of 10 questions answered"
    );
    let history = env.json(DAY2, &["quiz", "history", "--json"]);
    assert_eq!(history[0]["complete"], false);
    assert_eq!(history[0]["verdict"], "incomplete");
    assert_eq!(history[0]["ready"], false);
    assert_eq!(history[1]["verdict"], "ready");
    let text = env.ok(DAY2, &["quiz", "history"]);
    assert!(text.contains("incomplete"), "{text}");
    let stats = env.json(DAY2, &["stats", "--json"]);
    let m = &stats["modules"][0];
    assert_eq!(m["last_quiz"]["quiz"], done["quiz"], "{m}");
    assert_eq!(m["incomplete_quiz"]["quiz"], r["quiz"], "{m}");
    let text = env.ok(DAY2, &["stats"]);
    assert!(
        text.contains(" * module 3: then 1/1 incomplete (a quiz stopped early, 03-03)"),
        "{text}"
    );
}

#[test]
fn only_card_flags_ask_every_card_named() {
    let env = env();
    let (r, _) = quiz(
        &env,
        &[
            "--card", "f1", "--card", "f2", "--card", "h1", "--format", "flip",
        ],
        &flips([true; 3]),
    );
    assert_eq!(
        (r["asked"].as_u64(), r["planned"].as_u64()),
        (Some(3), Some(3))
    );
    // A note id counts all of its cards.
    let (r, _) = quiz(&env, &["--card", "k1", "--format", "flip"], &flips([true]));
    assert_eq!(r["planned"], 1);
    // With other scope flags the default stays 20, capped by the scope.
    let (r, _) = quiz(
        &env,
        &[
            "--deck", "verdict", "--card", "f1", "--card", "f2", "--format", "flip",
        ],
        &flips([true; 2]),
    );
    assert_eq!(r["planned"], 2);
    let (r, _) = quiz(
        &env,
        &[
            "--card", "f1", "--card", "f2", "--count", "1", "--format", "flip",
        ],
        &flips([true]),
    );
    assert_eq!(r["planned"], 1);
}

#[test]
fn history_counts_long_scopes() {
    let env = env();
    let mut args = vec!["quiz", "--format", "flip"];
    for id in ["f1", "f2", "f3", "f4", "h1", "h2", "h3"] {
        args.extend(["--card", id]);
    }
    env.run(DAY2, &args, &flips([true; 7]));
    let text = env.ok(DAY2, &["quiz", "history"]);
    assert!(text.contains("7 cards"), "{text}");
    assert!(!text.contains("card f1"), "{text}");
    let json = env.json(DAY2, &["quiz", "history", "--json"]);
    assert_eq!(json[0]["scope"]["cards"].as_array().unwrap().len(), 7);
}

#[test]
fn u_takes_back_the_last_answer_and_asks_it_again() {
    let env = env();
    let args = [
        "--card", "f1", "--card", "f2", "--format", "flip", "--seed", "3",
    ];
    // Knew the first, then `u` at the second's reveal prompt, then didn't
    // know the first after all, then knew the second.
    let (r, shown) = quiz(&env, &args, "\ny\nu\n\nn\n\ny\n");
    assert!(shown.contains("undone: f"), "{shown}");
    assert_eq!(
        (r["asked"].as_u64(), r["correct"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(r["complete"], true);
    assert_eq!(
        env.sql_count("SELECT count(*) FROM quiz_answer WHERE undone = 1"),
        1
    );
    assert_eq!(
        env.sql_count("SELECT count(*) FROM quiz_answer WHERE undone = 0"),
        2
    );
    let history = env.json(DAY2, &["quiz", "history", "--json"]);
    assert_eq!(
        (history[0]["asked"].as_u64(), history[0]["correct"].as_u64()),
        (Some(2), Some(1))
    );
}

#[test]
fn q_is_an_answer_until_quitting_is_confirmed() {
    let env = env();
    // "q" then "n" to "quit the quiz?": it is the answer, and right.
    let (r, shown) = quiz(&env, &["--card", "k2", "--format", "typed"], "q\nn\n");
    assert!(shown.contains("quit the quiz? [y/N]"), "{shown}");
    assert_eq!(r["correct"], 1, "{shown}");
    // "q" then "y" quits, leaving the quiz incomplete.
    let (r, _) = quiz(&env, &["--card", "k2", "--format", "typed"], "q\ny\n");
    assert_eq!(
        (r["asked"].as_u64(), r["complete"].as_bool()),
        (Some(0), Some(false))
    );
}

#[test]
fn a_near_miss_may_be_counted_as_right_and_the_override_is_recorded() {
    let env = env();
    let (r, shown) = quiz(
        &env,
        &["--card", "h2", "--format", "typed"],
        "PreTolUs\ny\n",
    );
    assert!(
        shown.contains("near miss: the answer is PreTo[o]lUs[e]"),
        "{shown}"
    );
    assert!(shown.contains("count it as right? [y/N]"), "{shown}");
    assert_eq!(r["correct"], 1);
    assert_eq!(r["overrides"], 1);
    assert_eq!(
        env.sql_count("SELECT count(*) FROM quiz_answer WHERE override = 1 AND correct = 1"),
        1
    );
    let (r, _) = quiz(&env, &["--card", "h2", "--format", "typed"], "PreTolUs\n\n");
    assert_eq!(
        (r["correct"].as_u64(), r["overrides"].as_u64()),
        (Some(0), Some(0))
    );
}

#[test]
fn typed_answers_are_normalised_and_alternatives_accepted() {
    let env = env();
    for (card, typed) in [
        ("k1", "Escape"),
        ("k1", "esc"),
        ("f1", "the claude.md"),
        ("f1", "\"CLAUDE.md\""),
        ("h1", "exit code two"),
    ] {
        let (r, shown) = quiz(
            &env,
            &["--card", card, "--format", "typed"],
            &format!("{typed}\n"),
        );
        assert_eq!(r["correct"], 1, "{typed}: {shown}");
    }
    let (r, shown) = quiz(&env, &["--card", "k1", "--format", "typed"], "Enter\n");
    assert_eq!(r["correct"], 0, "{shown}");
}

#[test]
fn format_typed_says_how_many_it_could_not_type() {
    let env = Env::new();
    env.deck(
        "long.md",
        "## Q: Short? {#s}\nCLAUDE.md\n## Q: Long? {#l}\nA long answer of many more than five words in one line.\n",
    );
    let (_, shown) = quiz(&env, &["--format", "typed", "--seed", "1"], "");
    assert!(
        shown.contains("1 of the 2 questions can't be typed"),
        "{shown}"
    );
    let s = sheet(&env, &["--format", "typed", "--seed", "1"]);
    let mut formats: Vec<&str> = s["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["format"].as_str().unwrap())
        .collect();
    formats.sort();
    assert_eq!(formats, ["flip", "typed"]);
}

#[test]
fn the_worksheet_is_the_quiz_the_same_seed_asks_and_records_nothing() {
    let env = env();
    let args = [
        "--deck", "verdict", "--format", "mixed", "--seed", "11", "--count", "10",
    ];
    let s = sheet(&env, &args);
    assert_eq!(env.sql_count("SELECT count(*) FROM quiz"), 0);
    let questions = s["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 10);
    // Answer every question wrongly-or-not, it doesn't matter: compare
    // what is shown with the sheet.
    let script = "\nn\n1\nx\n\n".repeat(40);
    let (_, shown) = quiz(&env, &args, &script);
    let lines: Vec<&str> = shown.lines().collect();
    let mut asked = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(rest) = line.strip_prefix("question ") {
            let format = rest.rsplit(" · ").next().unwrap().to_string();
            let front = lines[i + 2].to_string();
            let options: Vec<String> = lines[i + 3..]
                .iter()
                .take_while(|l| l.starts_with("  ") && l.contains(") "))
                .map(|l| l.trim().split_once(") ").unwrap().1.to_string())
                .collect();
            asked.push((front, format, options));
        }
    }
    let printed: Vec<(String, String, Vec<String>)> = questions
        .iter()
        .map(|q| {
            (
                q["question"]
                    .as_str()
                    .unwrap()
                    .lines()
                    .next()
                    .unwrap()
                    .to_string(),
                q["format"].as_str().unwrap().to_string(),
                q["options"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| o.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(asked, printed);
    for q in questions {
        assert!(q["card"].is_string() && q["topic"].is_string());
        assert!(q["answer"].is_string() && q["source"].is_string());
        if q["format"] == "choice" {
            let right = q["right"].as_u64().unwrap() as usize;
            assert_eq!(q["options"][right], q["answer"]);
        }
    }
    // Without --answers there is no key; Markdown has one only when asked.
    let bare = env.json(
        DAY2,
        &[
            "quiz", "--print", "json", "--deck", "verdict", "--seed", "11",
        ],
    );
    assert!(bare["questions"][0].get("answer").is_none());
    let md = env.ok(
        DAY2,
        &["quiz", "--print", "md", "--deck", "verdict", "--seed", "11"],
    );
    assert!(md.starts_with("# Quiz worksheet: deck verdict"), "{md}");
    assert!(!md.contains("# Answer key"), "{md}");
    let md = env.ok(
        DAY2,
        &[
            "quiz",
            "--print",
            "md",
            "--answers",
            "--deck",
            "verdict",
            "--seed",
            "11",
        ],
    );
    assert!(md.contains("# Answer key"), "{md}");
    assert!(md.contains("Source: "), "{md}");
    assert_eq!(
        env.sql_count("SELECT count(*) FROM quiz"),
        1,
        "only the asked quiz"
    );
}

#[test]
fn teach_back_ticks_key_points_records_coverage_and_never_moves_the_schedule() {
    let env = env();
    env.ok(DAY1, &["compile"]);
    let before =
        env.sql_text("SELECT group_concat(reps || ':' || coalesce(due, ''), ',') FROM card");
    // Three topics in curriculum order: Hooks (4 points), Files (4), Keys (2).
    let script = "hooks block with exit code 2 and fire around tools\n1 2\n\
        memory files\na\n\
        esc stops\n\n";
    let out = env.run(
        DAY2,
        &["quiz", "--teach-back", "--deck", "verdict", "--json"],
        script,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stderr(&out);
    assert!(
        shown.contains("Explain Hooks as you would to a colleague"),
        "{shown}"
    );
    assert!(
        shown.contains("1) Which exit code blocks a tool call?: Exit code 2."),
        "{shown}"
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["kind"], "teach-back");
    assert_eq!(r["complete"], true);
    let by: Vec<(String, u64, u64)> = r["by_topic"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["topic"].as_str().unwrap().to_string(),
                t["covered"].as_u64().unwrap(),
                t["points"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by,
        [
            ("Hooks".to_string(), 2, 4),
            ("Files".to_string(), 4, 4),
            ("Keys".to_string(), 0, 2)
        ]
    );
    let missed: Vec<&str> = r["by_topic"][0]["missed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(missed, ["h3", "h4"]);
    assert_eq!(r["coverage"], 60);
    assert_eq!(env.sql_count("SELECT count(*) FROM teach_point"), 10);
    assert_eq!(env.sql_count("SELECT count(*) FROM quiz_answer"), 0);
    assert_eq!(env.sql_count("SELECT count(*) FROM review"), 0);
    let after =
        env.sql_text("SELECT group_concat(reps || ':' || coalesce(due, ''), ',') FROM card");
    assert_eq!(before, after);
    let history = env.json(DAY2, &["quiz", "history", "--json"]);
    assert_eq!(history[0]["kind"], "teach-back");
    assert_eq!(history[0]["verdict"], "teach-back");
    assert_eq!(
        (history[0]["asked"].as_u64(), history[0]["correct"].as_u64()),
        (Some(10), Some(6))
    );
    // Stopped after one topic: recorded, incomplete.
    let out = env.run(
        DAY2,
        &["quiz", "--teach-back", "--deck", "verdict", "--json"],
        "x\n1\n",
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            r["complete"].as_bool(),
            r["by_topic"].as_array().unwrap().len()
        ),
        (Some(false), 1)
    );
    let text = env.ok(DAY2, &["quiz", "history"]);
    assert!(text.contains("teach-back"), "{text}");
}

#[test]
fn check_refuses_bad_alternatives() {
    let env = Env::new();
    env.deck(
        "bad.md",
        "## Cloze: C {#c}\nPress {{Esc|}} now.\n## Q: Key? {#q}\n{{Ctrl+V|Ctrl-V}}\n",
    );
    let out = env.run(DAY1, &["check"], "");
    assert!(!out.status.success());
    let err = stderr(&out) + &stdout(&out);
    assert!(err.contains("empty alternative in '{{Esc|}}'"), "{err}");
    assert!(err.contains("are the same answer once normalised"), "{err}");
}

/// Runs with the decks as a relative path, so sources read `decks/…`.
fn relative(env: &Env, args: &[&str], stdin: &str) -> String {
    let out = env
        .cmd(DAY2)
        .env("MASTERY_DECKS", "decks")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn worksheet_markdown_snapshot() {
    let env = env();
    let md = relative(
        &env,
        &[
            "quiz",
            "--print",
            "md",
            "--answers",
            "--deck",
            "verdict",
            "--seed",
            "5",
            "--count",
            "6",
            "--format",
            "choice",
        ],
        "",
    );
    insta::assert_snapshot!("worksheet_markdown", md);
}

#[test]
fn report_text_snapshot() {
    let env = env();
    let text = relative(
        &env,
        &[
            "quiz", "--topic", "Hooks", "--topic", "Files", "--format", "flip", "--seed", "7",
            "--count", "8",
        ],
        &flips([true, false, true, true, false, true, true, true]),
    );
    insta::assert_snapshot!(
        "report_text",
        text.split("\nscore ").nth(1).unwrap_or(&text)
    );
}
