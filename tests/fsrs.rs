//! FSRS as an option: grading and previews under FSRS, a switch back and
//! forth that leaves SM-2's state exactly as it was, `optimize`, `eval` on
//! a simulated FSRS learner and on a hand-computed fixture, and the FSRS
//! optimizer's CSV.

mod common;

use common::*;

const THREE: &str = "## Q: Which exit code blocks a tool call? {#q1}\nExit code 2.\n\n\
## Q: Which file holds project memory? {#q2}\nCLAUDE.md.\n\n\
## Q: Which command compacts the context? {#q3}\n/compact.\n";

/// The day `n` days after 2026-03-02, at 09:00 UTC.
fn day(n: i64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap() + chrono::Duration::days(n);
    format!("{}T09:00:00Z", d.format("%Y-%m-%d"))
}

fn fsrs_config(env: &Env) {
    std::fs::write(env.path("config.toml"), "scheduler = \"fsrs\"\n").unwrap();
}

/// Every card's SM-2 state and active due day, one line per card.
fn states(env: &Env) -> String {
    env.sql_text(
        "SELECT group_concat(key || ' ' || reps || ' ' || ease || ' ' || interval || ' ' ||
                coalesce(sm2_due, '-') || ' ' || lapses || ' ' || coalesce(last_grade, '-') || ' ' ||
                coalesce(last_day, '-') || ' due ' || coalesce(due, '-'), char(10))
         FROM (SELECT * FROM card ORDER BY key)",
    )
}

#[test]
fn fsrs_schedules_a_new_card_from_its_initial_stability() {
    let env = Env::with_decks(&[("d.md", THREE)]);
    fsrs_config(&env);
    // Good (4) and Easy (5) on a first sight: FSRS-6's initial stabilities
    // 2.31 and 8.30 days give 2 and 8 days at 90 % retention; SM-2 gives 1.
    let out = env.run(&day(0), &["review"], "\n4\n\n5\n\n3\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("4 good·2d  5 easy·8d"), "{text}");
    assert!(
        text.contains("saved grade 4 · next due 2026-03-04"),
        "{text}"
    );
    assert!(
        text.contains("saved grade 5 · next due 2026-03-10"),
        "{text}"
    );
    let q1 = env.json(&day(0), &["show", "q1", "--json"]);
    assert_eq!(q1["scheduler"], "fsrs");
    assert_eq!(q1["due"], "2026-03-04");
    assert!(
        (q1["stability"].as_f64().unwrap() - 2.3065).abs() < 1e-3,
        "{q1}"
    );
    // SM-2's own state is kept beside it.
    assert_eq!(q1["interval_days"], 1);
    // Two days on, recall has fallen to the target: 90 %.
    let later = env.json(&day(2), &["show", "q1", "--json"]);
    let r = later["retrievability"].as_f64().unwrap();
    assert!((r - 0.9).abs() < 0.02, "{later}");
    let shown = env.ok(&day(2), &["show", "q1"]);
    assert!(shown.contains("FSRS: stability 2.3 d"), "{shown}");
    assert!(shown.contains("recall today 9"), "{shown}");
}

#[test]
fn switching_to_fsrs_and_back_leaves_sm2_states_identical() {
    let env = Env::with_decks(&[("d.md", THREE)]);
    env.run(&day(0), &["review"], "\n4\n\n5\n\n2\n\n4\n");
    env.run(&day(1), &["review"], "\n4\n\n5\n");
    let before = states(&env);
    // One run under FSRS: every reviewed card is replayed, due days move.
    let out = env.run(&day(1), &["status", "--scheduler", "fsrs"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let note = stderr(&out);
    assert!(
        note.contains("due days follow FSRS-6 (desired retention 0.90), replayed from the log of 3 reviewed cards (was sm2)"),
        "{note}"
    );
    assert!(note.contains("due days moved"), "{note}");
    let under_fsrs = states(&env);
    assert_ne!(under_fsrs, before);
    assert!(
        env.ok(&day(1), &["doctor", "--scheduler", "fsrs"])
            .contains("healthy")
    );
    // Grading under FSRS keeps SM-2's state moving as SM-2 would.
    let quiz = ["quiz", "--card", "q1", "--format", "flip", "--reschedule"];
    let out = env.run(
        &day(3),
        &[&quiz[..], &["--scheduler", "fsrs"]].concat(),
        "\ny\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // Back to SM-2: the due days are SM-2's again, exactly.
    let out = env.run(&day(3), &["status"], "");
    assert!(
        stderr(&out).contains("due days follow SM-2"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        env.sql_count(
            "SELECT count(*) FROM card WHERE due IS NOT sm2_due OR stability IS NOT NULL"
        ),
        0
    );
    assert!(env.ok(&day(3), &["doctor"]).contains("healthy"));
    // The same answers under SM-2 alone give the very same states.
    let twin = Env::with_decks(&[("d.md", THREE)]);
    twin.run(&day(0), &["review"], "\n4\n\n5\n\n2\n\n4\n");
    twin.run(&day(1), &["review"], "\n4\n\n5\n");
    twin.run(&day(3), &quiz, "\ny\n");
    assert_eq!(states(&env), states(&twin));
    assert_ne!(states(&twin), before);
}

#[test]
fn a_round_trip_with_no_grades_between_changes_nothing() {
    let env = Env::with_decks(&[("d.md", THREE)]);
    env.run(&day(0), &["review"], "\n4\n\n5\n\n2\n\n4\n");
    env.run(&day(1), &["review"], "\n4\n\n5\n");
    let before = states(&env);
    env.ok(&day(1), &["status", "--scheduler", "fsrs"]);
    env.ok(&day(1), &["status"]);
    assert_eq!(states(&env), before);
    // Nothing to replay when nothing changed: no note.
    let out = env.run(&day(1), &["status"], "");
    assert_eq!(stderr(&out), "");
}

#[test]
fn undo_under_fsrs_restores_the_due_day() {
    let env = Env::with_decks(&[("d.md", THREE)]);
    fsrs_config(&env);
    env.run(&day(0), &["review"], "\n4\n\n4\n\n4\n");
    let due = |env: &Env| env.json(&day(2), &["show", "q1", "--json"])["due"].clone();
    let before = due(&env);
    env.run(&day(2), &["review", "--limit", "1"], "\n1\n");
    assert_ne!(due(&env), before);
    env.ok(&day(2), &["undo"]);
    assert_eq!(due(&env), before);
    assert!(env.ok(&day(2), &["doctor"]).contains("healthy"));
}

#[test]
fn doctor_finds_a_due_day_that_no_replay_gives_and_repairs_it() {
    let env = Env::with_decks(&[("d.md", THREE)]);
    fsrs_config(&env);
    env.run(&day(0), &["review"], "\n4\n\n4\n\n4\n");
    rusqlite::Connection::open(env.db())
        .unwrap()
        .execute_batch("UPDATE card SET due = due + 30 WHERE key = 'q2'")
        .unwrap();
    let out = env.run(&day(1), &["doctor"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(
            "card q2: its due day or FSRS memory differs from a replay of its log under fsrs"
        ),
        "{}",
        stdout(&out)
    );
    env.ok(&day(1), &["doctor", "--repair"]);
    assert!(env.ok(&day(1), &["doctor"]).contains("healthy"));
}

#[test]
fn optimize_says_how_many_more_reviews_it_needs() {
    let env = Env::with_decks(&[("d.md", THREE)]);
    env.run(&day(0), &["review"], "\n4\n\n4\n\n4\n");
    env.run(&day(1), &["review"], "\n4\n\n4\n\n4\n");
    let out = env.run(&day(1), &["optimize"], "");
    let line = one_line_failure(&out, 2);
    assert!(
        line.contains("fitting needs at least 64 reviews made a day or more after the card's previous review; there are 3, so 61 more are needed"),
        "{line}"
    );
}

#[test]
fn optimize_fits_and_saves_parameters_that_fsrs_then_uses() {
    let env = Env::new();
    let decks = env.path("gen");
    env.cmd(&day(0))
        .args(["dev", "generate", "--cards", "150", "--out"])
        .arg(&decks)
        .assert()
        .success();
    let run = |args: &[&str]| {
        env.cmd(&day(400))
            .env("MASTERY_DECKS", &decks)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(
        run(&["dev", "history", "--reviews", "1500"])
            .status
            .success()
    );
    let out = run(&["optimize", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let fit: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(fit["parameters"].as_array().unwrap().len(), 21);
    assert_eq!(fit["saved"], false);
    assert!(
        fit["log_loss_after"].as_f64().unwrap() <= fit["log_loss_before"].as_f64().unwrap() + 1e-9,
        "{fit}"
    );
    assert!(env.sql_count("SELECT count(*) FROM meta WHERE key = 'fsrs_parameters'") == 0);
    let out = run(&["optimize", "--save", "--scheduler", "fsrs"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("saved in the database"),
        "{}",
        stdout(&out)
    );
    let saved = env.sql_text("SELECT value FROM meta WHERE key = 'fsrs_parameters'");
    let saved: Vec<f64> = serde_json::from_str(&saved).unwrap();
    assert_eq!(saved.len(), 21);
    // FSRS now replays with them: doctor agrees with the stored due days.
    let out = run(&["doctor", "--scheduler", "fsrs"]);
    assert!(out.status.success(), "{}", stdout(&out));
}

#[test]
fn eval_finds_fsrs_better_on_a_learner_whose_recall_follows_fsrs() {
    let env = Env::new();
    let csv = env.path("revlog.csv");
    env.cmd(&day(0))
        .args([
            "dev",
            "fsrs-revlog",
            "--cards",
            "400",
            "--days",
            "365",
            "--out",
        ])
        .arg(&csv)
        .assert()
        .success();
    let out = env
        .cmd(&day(0))
        .args(["eval", "--no-fit", "--json", "--revlog"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let table: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = |name: &str| {
        table["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["model"].as_str().unwrap().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row in {table}"))
            .clone()
    };
    let (fsrs, sm2, avg) = (row("FSRS-6 (defaults)"), row("SM-2"), row("AVG"));
    let loss = |r: &serde_json::Value| r["log_loss"].as_f64().unwrap();
    let rmse = |r: &serde_json::Value| r["rmse_bins"].as_f64().unwrap();
    assert!(
        loss(&fsrs) < loss(&sm2) && loss(&fsrs) < loss(&avg),
        "{table}"
    );
    assert!(
        rmse(&fsrs) < rmse(&sm2) && rmse(&fsrs) < rmse(&avg),
        "{table}"
    );
    assert!(fsrs["auc"].as_f64().unwrap() > 0.55, "{table}");
    assert_eq!(table["cards"], 400);
    assert!(table["scored"].as_u64().unwrap() > 2000, "{table}");
}

#[test]
fn eval_with_a_fit_scores_every_row_on_the_later_half() {
    let env = Env::new();
    let csv = env.path("revlog.csv");
    env.cmd(&day(0))
        .args(["dev", "fsrs-revlog", "--cards", "300", "--out"])
        .arg(&csv)
        .assert()
        .success();
    let all = env.json(
        &day(0),
        &[
            "eval",
            "--no-fit",
            "--json",
            "--revlog",
            csv.to_str().unwrap(),
        ],
    );
    let sliced = env.json(
        &day(0),
        &["eval", "--json", "--revlog", csv.to_str().unwrap()],
    );
    assert_eq!(sliced["fitted_parameters"].as_array().unwrap().len(), 21);
    assert_eq!(sliced["rows"][0]["model"], "FSRS-6 (fitted)");
    let (n_all, n_late) = (
        all["scored"].as_u64().unwrap(),
        sliced["scored"].as_u64().unwrap(),
    );
    assert!(
        n_late * 2 >= n_all - 1 && n_late * 2 <= n_all + 1,
        "{n_all} {n_late}"
    );
    assert!(sliced["trained_on"].as_u64().unwrap() > 64);
    let text = env.ok(&day(0), &["eval", "--revlog", csv.to_str().unwrap()]);
    // Prose is wrapped at 80 columns: read it as one line.
    assert!(
        text.replace('\n', " ")
            .contains("every row is scored on the later half only"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
}

/// The ten-review fixture of `fsrs::eval`'s unit test, as an Anki revlog:
/// SM-2's predictions are 0.9, 0.9, 0.9, 0.81, 0.9^(8/6), 0.9^(30/17)
/// and 0.9 against outcomes ✓ ✗ ✓ ✓ ✓ ✗ ✓; log loss 0.67768, AUC 0.55.
#[test]
fn eval_metrics_match_the_hand_computed_fixture() {
    let env = Env::new();
    // 2026-03-02T10:00Z is day 0; one row per (card, day, button, type).
    let base: i64 = 1_772_445_600_000;
    let day_ms = 86_400_000;
    let rows = [
        (1, 0, 3, 0),
        (1, 1, 3, 1),
        (1, 7, 1, 1),
        (1, 7, 3, 2),
        (1, 8, 4, 1),
        (2, 0, 4, 0),
        (2, 2, 4, 1),
        (2, 10, 3, 1),
        (2, 40, 1, 1),
        (2, 41, 2, 1),
    ];
    let mut csv = String::from("id,cid,usn,ease,ivl,lastIvl,factor,time,type\n");
    for (i, (card, d, button, kind)) in rows.iter().enumerate() {
        let id = base + d * day_ms + i as i64 * 60_000;
        csv.push_str(&format!("{id},{card},-1,{button},1,0,2500,6000,{kind}\n"));
    }
    // A manual reschedule and a cram review: dropped by step 1.
    csv.push_str(&format!("{},1,-1,0,5,1,2500,0,4\n", base + 9 * day_ms));
    csv.push_str(&format!("{},2,-1,3,0,0,0,4000,3\n", base + 20 * day_ms));
    std::fs::write(env.path("fixture.csv"), csv).unwrap();
    let table = env.json(
        &day(0),
        &[
            "eval",
            "--no-fit",
            "--json",
            "--timezone",
            "Europe/Berlin",
            "--revlog",
            "fixture.csv",
        ],
    );
    let sm2 = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == "SM-2 (mastery)")
        .unwrap()
        .clone();
    assert_eq!(table["scored"], 7);
    assert!(
        (sm2["log_loss"].as_f64().unwrap() - 0.677_682_4).abs() < 1e-6,
        "{sm2}"
    );
    assert!((sm2["auc"].as_f64().unwrap() - 0.55).abs() < 1e-12, "{sm2}");
}

#[rstest::rstest]
#[case::missing(&["eval", "--revlog", "nope.csv"], 1, "nope.csv: No such file")]
#[case::folder(&["eval", "--revlog", "."], 2, "is a folder, not a regular file")]
#[case::fifo(&["eval", "--revlog", "fifo"], 2, "is a FIFO, not a regular file")]
#[case::zone(&["eval", "--revlog", "r.csv", "--timezone", "Mars/Base"], 2, "unknown time zone 'Mars/Base'")]
#[case::line(&["eval", "--revlog", "bad.csv"], 1, "bad.csv:2: column ease must be a whole number, not 'x'")]
#[case::binary(&["eval", "--revlog", "bin.csv"], 2, "is not UTF-8 text")]
#[case::zone_without_file(&["eval", "--timezone", "UTC"], 2, "not provided: --revlog <FILE>")]
#[case::format(&["export", "revlog", "--format", "anki"], 2, "invalid value 'anki'")]
#[case::retention(&["status", "--scheduler", "fsrs"], 1, "desired_retention must be from 0.7 to 0.99, not 0.5")]
fn eval_and_export_refuse_bad_input_in_one_line(
    #[case] args: &[&str],
    #[case] code: i32,
    #[case] expected: &str,
) {
    let env = Env::new();
    std::fs::write(env.path("r.csv"), "1772445600000,1,-1,3,1,0,2500,6000,0\n").unwrap();
    std::fs::write(
        env.path("bad.csv"),
        "1772445600000,1,-1,3,1,0,2500,6000,0\n1772445600001,1,-1,x,1,0,2500,6000,1\n",
    )
    .unwrap();
    std::fs::write(env.path("bin.csv"), b"id,cid\xff\n").unwrap();
    if args[0] == "status" {
        std::fs::write(env.path("config.toml"), "desired_retention = 0.5\n").unwrap();
    }
    let fifo = std::process::Command::new("mkfifo")
        .arg(env.path("fifo"))
        .status();
    assert!(fifo.is_ok_and(|s| s.success()));
    let out = env.run(&day(0), args, "");
    let line = one_line_failure(&out, code);
    assert!(line.contains(expected), "{line}");
}

#[test]
fn export_revlog_writes_the_fsrs_optimizer_csv() {
    let env = Env::with_decks(&[("d.md", THREE)]);
    env.run(&day(0), &["review"], "\n4\n\n5\n\n2\n\n4\n");
    env.run(&day(1), &["review"], "\n3\n");
    let text = env.ok(&day(1), &["export", "revlog", "--format", "fsrs"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "card_id,review_time,review_rating,review_state,review_duration"
    );
    // Grades 4, 5, 2 (new), the re-drill 4 of the failed card, then 3.
    let cols: Vec<(String, String)> = lines[1..]
        .iter()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[2].to_string(), c[3].to_string())
        })
        .collect();
    let want = [("3", "0"), ("4", "0"), ("1", "0"), ("3", "1"), ("2", "2")];
    assert_eq!(
        cols,
        want.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(lines[1].split(',').nth(1).unwrap().parse::<i64>().unwrap() >= 1_772_409_600_000);
    env.ok(
        &day(1),
        &["export", "revlog", "--format", "fsrs", "--out", "log.csv"],
    );
    assert_eq!(std::fs::read_to_string(env.path("log.csv")).unwrap(), text);
    // A query narrows it to its cards: q3 was answered twice (2, then 4).
    let q3 = env.ok(&day(1), &["export", "revlog", "--format", "fsrs", "id:q3"]);
    let ratings: Vec<&str> = q3
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(ratings, ["1", "3"], "{q3}");
    let out = env.run(
        &day(1),
        &["export", "revlog", "--format", "fsrs", "id:nope"],
        "",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
