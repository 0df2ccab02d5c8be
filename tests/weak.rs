//! `mastery weak` over a scripted multi-day history.

mod common;

use std::path::Path;

use common::*;
use predicates::prelude::*;

const M1: &str = "+++\ntitle = \"Module 1: Basics\"\nmodule = 1\n+++\n# Hooks\n\
## Q: h1? {#h1}\nA1.\n## Q: h2? {#h2}\nA2.\n## Q: h3? {#h3}\nA3.\n## Q: h4? {#h4}\nA4.\n\
# Memory\n## Q: k1? {#k1}\nB1.\n## Q: k2? {#k2}\nB2.\n";
const M2: &str = "+++\ntitle = \"Module 2: More\"\nmodule = 2\n+++\n# Plans\n\
## Q: p1? {#p1}\nC1.\n## Q: p2? {#p2}\nC2.\n## Q: p3? {#p3}\nC3.\n";
const SPEED: &str = "+++\ntitle = \"Patterns: Speed\"\ncategory = \"speed\"\n+++\n# Speed\n\
## Q: s1? {#s1}\nD1.\n## Q: s2? {#s2}\nD2.\n";

fn env() -> Env {
    Env::with_decks(&[("m1.md", M1), ("m2.md", M2), ("speed.md", SPEED)])
}

fn run(env: &Env, now: &str, args: &[&str], stdin: &str) -> std::process::Output {
    env.run_here(now, args, stdin)
}

/// Grades each card shown, in order, from `grades` (one char per answer).
fn review(env: &Env, now: &str, grades: &str) {
    env.review_grades(Path::new("decks"), now, grades);
}

/// Day 1 everything is learned; day 2 h1, h2 and p1 lapse and h2 needs two
/// re-drills; day 3 h1 and p1 fail again, a second lapse each (every fail of
/// a card that is not new is a lapse, as Anki counts them); k1 is missed in
/// a quiz and the hooks are quizzed 2/4.
fn history(env: &Env) {
    review(env, DAY1, "55555555555");
    // Order on day 2 (all due, by id): h1 h2 h3 h4 k1 k2 p1 p2 p3 s1 s2, then re-drills.
    // Re-drills after the 11 due cards: h1 4, h2 3 (again), p1 4, h2 4.
    review(env, DAY2, "125555055554344");
    review(env, DAY3, "14244");
    let out = run(
        env,
        DAY3,
        &["quiz", "--card", "k1", "--format", "flip"],
        "\nn\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(
        env,
        DAY3,
        &[
            "quiz", "--topic", "hooks", "--format", "flip", "--count", "4", "--seed", "1",
        ],
        "\ny\n\nn\n\ny\n\nn\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_checklist_is_grouped_ranked_and_linked() {
    let env = env();
    history(&env);
    let out = run(&env, DAY3, &["weak"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    insta::assert_snapshot!("weak_markdown", stdout(&out));
}

#[test]
fn leeches_are_called_out_for_rewriting() {
    let env = env();
    history(&env);
    let out = stdout(&run(&env, DAY3, &["weak", "--leech-lapses", "2"], ""));
    // Leeches come first, with the card's text, before any module.
    let (leeches, rest) = out
        .split_once("## Module 1: Basics")
        .expect("a module group after the leeches");
    assert!(
        leeches.contains("## Leeches: rewrite or split these cards\n\n- [ ] Rewrite or split “h1?” → “A1.” (h1, decks/m1.md:6): 2 lapses <!-- weak:leech:h1 -->\n- [ ] Rewrite or split “p1?” → “C1.” (p1, decks/m2.md:6): 2 lapses <!-- weak:leech:p1 -->\n"),
        "{out}"
    );
    // A leech is not drilled again under its topic.
    assert!(!rest.contains("Drill “h1?”"), "{out}");
    assert!(rest.contains("Drill “h2?”"), "{out}");
    assert!(rest.contains("2/4 weak (1 leech)"), "{out}");
    let default = stdout(&run(&env, DAY3, &["weak"], ""));
    assert!(!default.contains("leech"), "{default}");
    // Without the flag, the threshold is the review screen's, from config.
    std::fs::write(env.path("config.toml"), "leech_lapses = 2\n").unwrap();
    let configured = stdout(&run(&env, DAY3, &["weak"], ""));
    assert!(
        configured.contains("Rewrite or split “h1?”"),
        "{configured}"
    );
    assert!(
        !configured.contains("Rewrite or split “h2?”"),
        "{configured}"
    );
}

#[test]
fn json_and_csv_hold_one_record_per_weak_card() {
    let env = env();
    history(&env);
    let out = run(&env, DAY3, &["weak", "--format", "json"], "");
    let records: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["h1", "h2", "p1"]);
    let h1 = &records[0];
    assert_eq!(h1["deck"], "m1");
    assert_eq!(h1["module"], 1);
    assert_eq!(h1["topic"], "Hooks");
    assert_eq!(h1["source"], "decks/m1.md:6");
    assert_eq!(h1["leech"], false);
    assert_eq!(h1["signals"]["lapses"], 2);
    assert_eq!(h1["signals"]["low_ease"], true);
    assert_eq!(h1["signals"]["last_grade_failed"], true);
    assert!(h1["score"].as_f64().unwrap() > records[1]["score"].as_f64().unwrap());
    let csv = stdout(&run(&env, DAY3, &["weak", "--format", "csv"], ""));
    insta::assert_snapshot!("weak_csv", csv);
}

#[test]
fn scope_and_limit_narrow_the_list() {
    let env = env();
    history(&env);
    let m2 = stdout(&run(&env, DAY3, &["weak", "--module", "2"], ""));
    assert!(m2.contains("Plans") && !m2.contains("Hooks"), "{m2}");
    let top = stdout(&run(&env, DAY3, &["weak", "--limit", "1"], ""));
    assert_eq!(top.matches("Re-read").count(), 1, "{top}");
    assert!(top.contains("Hooks"), "{top}");
    run(&env, DAY3, &["weak", "--deck", "nope"], "");
    env.cmd(DAY3)
        .args(["weak", "--deck", "nope"])
        .assert()
        .code(2);
}

#[test]
fn an_existing_list_is_updated_in_place() {
    let env = env();
    history(&env);
    let file = env.path("weak.md");
    run(&env, DAY3, &["weak", "-o", file.to_str().unwrap()], "");
    let first = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        first.replace(
            "- [ ] Re-read Module 2 › Plans",
            "- [x] Re-read Module 2 › Plans",
        ),
    )
    .unwrap();
    // Six weeks of good recall: every card that failed is recalled three
    // times in a row at 4 or 5, so nothing is weak any more, whatever the
    // ease factors say; the ticked item keeps its tick in the resolved
    // section.
    review(&env, "2026-03-05T09:00:00Z", "55");
    review(&env, "2026-03-20T09:00:00Z", "55555555555");
    review(&env, "2026-04-10T09:00:00Z", "55555555555");
    let out = run(
        &env,
        "2026-04-20T09:00:00Z",
        &["weak", "-o", file.to_str().unwrap()],
        "",
    );
    assert!(stdout(&out).starts_with("wrote "), "{}", stdout(&out));
    let second = std::fs::read_to_string(&file).unwrap();
    insta::assert_snapshot!("weak_updated", second);
    let (live, resolved) = second
        .split_once("## Resolved since 2026-03-04")
        .expect("a resolved section");
    assert!(live.contains("Nothing is weak right now"), "{second}");
    assert!(
        resolved.contains("- [ ] Re-read Module 1 › Hooks")
            && resolved.contains("- [x] Re-read Module 2 › Plans"),
        "{second}"
    );
}

#[test]
fn nothing_weak_says_so_and_exits_zero() {
    let env = env();
    review(&env, DAY1, "55555555555");
    let out = run(&env, DAY1, &["weak"], "");
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        "# Weak areas (2026-03-02)\n\nNothing is weak right now: no topic passes the thresholds. Keep reviewing.\n"
    );
    let json = run(&env, DAY1, &["weak", "--format", "json"], "");
    assert_eq!(stdout(&json).trim(), "[]");
}

#[cfg(unix)]
#[test]
fn output_through_a_symlink_is_refused() {
    let env = env();
    let target = env.path("elsewhere.md");
    std::fs::write(&target, "keep").unwrap();
    let link = env.path("weak.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    env.cmd(DAY1)
        .args(["weak", "-o", link.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a symbolic link to"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
}

#[test]
fn json_or_csv_never_replace_a_file_mastery_did_not_write() {
    let env = env();
    history(&env);
    std::fs::write(env.path("notes.md"), "My precious notes\n- remember X\n").unwrap();
    for format in ["csv", "json"] {
        let out = run(
            &env,
            DAY3,
            &["weak", "-o", "notes.md", "--format", format],
            "",
        );
        assert_eq!(out.status.code(), Some(2), "{format}");
        assert!(
            stderr(&out).contains("holds a file mastery did not write"),
            "{format}: {}",
            stderr(&out)
        );
        assert_eq!(
            std::fs::read_to_string(env.path("notes.md")).unwrap(),
            "My precious notes\n- remember X\n"
        );
        // An earlier export of the same kind is replaced.
        let file = format!("weak.{format}");
        for _ in 0..2 {
            let out = run(&env, DAY3, &["weak", "-o", &file, "--format", format], "");
            assert!(out.status.success(), "{format}: {}", stderr(&out));
        }
    }
}

#[test]
fn a_scoped_list_with_nothing_weak_keeps_one_footer_when_updated() {
    let env = env();
    history(&env);
    let file = env.path("weak.md");
    let path = file.to_str().unwrap();
    // A list written by an earlier version: the scoped footer in one line,
    // and a note of the learner's under it.
    std::fs::write(
        &file,
        "# Weak areas (2026-03-02)\n\nNo weak card in this scope (mastery weak deck:speed); \
         `mastery weak` looks at every deck.\n\nmy own note\n\n\
         No weak card in this scope is what I hoped for.\n\n    mastery stats --module 1\n",
    )
    .unwrap();
    for day in [DAY3, "2026-03-04T09:00:00Z"] {
        let out = run(&env, day, &["weak", "deck:speed", "-o", path], "");
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let list = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        list.matches("No weak card in this scope (").count(),
        1,
        "{list}"
    );
    // The learner's lines that look like mastery's stay.
    assert!(
        list.contains("No weak card in this scope is what I hoped for.\n"),
        "{list}"
    );
    assert!(list.contains("    mastery stats --module 1\n"), "{list}");
    assert_eq!(list.matches("looks at every deck").count(), 1, "{list}");
    assert!(
        list.contains(
            "No weak card in this scope (mastery weak deck:speed).\n`mastery weak` looks at every deck.\n"
        ),
        "{list}"
    );
    assert!(list.contains("my own note"), "{list}");
}

/// On a terminal the checklist is wrapped to its width, under each box,
/// without the markers a file keeps for updates; commands stay whole.
#[test]
fn on_a_terminal_the_list_is_wrapped_without_markers() {
    let env = env();
    history(&env);
    let weak = || {
        let mut cmd = env.command(DAY3);
        cmd.arg("weak");
        cmd
    };
    let piped = stdout(&weak().output().unwrap());
    assert!(piped.contains("<!-- weak:"), "{piped}");
    let mut t = common::tty::Tty::spawn(weak(), 50, 100);
    t.wait_exit();
    let screen = t.text();
    assert!(!screen.contains("<!--"), "{screen}");
    assert!(screen.contains("    mastery review --weak"), "{screen}");
    // The same words in the same order as the Markdown, markers left out:
    // a line the terminal had to break would split a word in two.
    let words = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split("<!--").next().unwrap_or(""))
            .flat_map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect()
    };
    assert_eq!(words(&screen), words(&piped));
    // A wrapped item goes on under its text, not under its box.
    let lines: Vec<&str> = screen.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.starts_with("- [ ] Re-read"))
        .expect("a topic item");
    assert!(lines[first + 1].starts_with("      "), "{screen}");
}
