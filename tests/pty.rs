//! Real pseudo-terminal sessions of the quiz: single keys through the
//! dialoguer/console loop, as a learner would type them. The review screen
//! has its own, read through a terminal emulator: tests/screen.rs.

mod common;

use std::time::Duration;

use common::*;
use expectrl::{Eof, Expect, Session};

fn spawn(env: &Env, args: &[&str]) -> expectrl::session::OsSession {
    let mut cmd = env.command(DAY1);
    cmd.args(args).env("TERM", "xterm");
    let mut session = Session::spawn(cmd).expect("spawn in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

fn exit_code(session: &expectrl::session::OsSession) -> String {
    format!("{:?}", session.get_process().wait().expect("wait"))
}

#[test]
fn ctrl_c_in_a_quiz_prints_the_report_so_far() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let mut p = spawn(&env, &["quiz", "--format", "flip", "--seed", "1"]);
    p.expect("reveal").unwrap();
    p.send(" ").unwrap();
    p.expect("did you know it").unwrap();
    p.send("y").unwrap();
    p.expect("saved: correct").unwrap();
    p.expect("reveal").unwrap();
    p.send("\x03").unwrap();
    p.expect("score 100% (1/1)").unwrap();
    p.expect("interrupted; every answer given so far is saved")
        .unwrap();
    p.expect(Eof).unwrap();
    assert!(exit_code(&p).contains(", 130)"), "{}", exit_code(&p));
}

#[test]
fn a_choice_question_is_answered_with_one_key() {
    let env = Env::new();
    env.deck(
        "files.md",
        "## Q: Memory file of Claude Code? {#f1}\nCLAUDE.md\n## Q: Memory file of Codex CLI? {#f2}\nAGENTS.md\n\
         ## Q: Project MCP config file? {#f3}\n.mcp.json\n## Q: Codex config file? {#f4}\nconfig.toml\n",
    );
    env.ok(DAY1, &["compile"]);
    let mut p = spawn(
        &env,
        &["quiz", "--card", "f2", "--format", "choice", "--seed", "4"],
    );
    p.expect("Memory file of Codex CLI?").unwrap();
    let found = p.expect(expectrl::Regex(r"([1-4])\) AGENTS\.md")).unwrap();
    let key = String::from_utf8_lossy(&found[1]).to_string();
    p.expect("answer [1-4]").unwrap();
    p.send(&key).unwrap();
    p.expect("right").unwrap();
    p.expect("score 100% (1/1) · threshold 80% · ready")
        .unwrap();
    p.expect(Eof).unwrap();
    assert!(exit_code(&p).contains(", 0)"), "{}", exit_code(&p));
}

#[test]
fn a_choice_quiz_takes_back_an_answer_with_u() {
    let env = Env::new();
    env.deck(
        "events.md",
        "## Q: Which event fires before a tool runs? {#e1}\nPreToolUse\n\
         ## Q: Which event fires after a tool succeeds? {#e2}\nPostToolUse\n\
         ## Q: Which event fires when a session starts? {#e3}\nSessionStart\n\
         ## Q: Which event fires when Claude finishes responding? {#e4}\nStop\n",
    );
    env.ok(DAY1, &["compile"]);
    let mut p = spawn(
        &env,
        &[
            "quiz", "--card", "e1", "--card", "e2", "--format", "choice", "--seed", "4",
        ],
    );
    p.expect("question 1/2 · choice").unwrap();
    p.expect("answer [1-4]").unwrap();
    p.send("1").unwrap();
    p.expect("saved:").unwrap();
    p.expect("question 2/2 · choice").unwrap();
    p.expect("[u] undo").unwrap();
    p.send("u").unwrap();
    p.expect("undone: e").unwrap();
    p.expect("question 1/2 · choice").unwrap();
    p.expect("answer [1-4]").unwrap();
    p.send("2").unwrap();
    p.expect("question 2/2 · choice").unwrap();
    p.expect("answer [1-4]").unwrap();
    p.send("3").unwrap();
    p.expect(expectrl::Regex(r"score \d+% \(\d/2\)")).unwrap();
    p.expect("2 of 2 questions were multiple choice: guessing alone would score 25%")
        .unwrap();
    p.expect(Eof).unwrap();
    assert!(exit_code(&p).contains(", 0)"), "{}", exit_code(&p));
    assert_eq!(
        env.sql_count("SELECT count(*) FROM quiz_answer WHERE undone = 0"),
        2
    );
    assert_eq!(
        env.sql_count("SELECT count(*) FROM quiz_answer WHERE undone = 1"),
        1
    );
}

#[test]
fn teach_back_on_a_terminal() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let mut p = spawn(&env, &["quiz", "--teach-back", "--card", "q-exit"]);
    p.expect("as you would to a colleague").unwrap();
    p.expect("your explanation").unwrap();
    p.send_line("exit code 2 blocks the call").unwrap();
    p.expect("1) Which exit code blocks a tool call?: Exit code 2.")
        .unwrap();
    p.expect("which did your explanation cover?").unwrap();
    p.send_line("1").unwrap();
    p.expect("saved: 1/1 points covered").unwrap();
    p.expect("100% of key points covered (1/1) over 1 of 1 topics")
        .unwrap();
    p.expect(Eof).unwrap();
    assert!(exit_code(&p).contains(", 0)"), "{}", exit_code(&p));
    assert_eq!(
        env.sql_count("SELECT count(*) FROM teach_point WHERE covered = 1"),
        1
    );
    assert_eq!(env.show("q-exit")["reviews"].as_array().unwrap().len(), 0);
}

#[test]
fn a_typed_q_is_an_answer_until_quitting_is_confirmed() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let mut p = spawn(
        &env,
        &[
            "quiz", "--card", "z-mem", "--format", "typed", "--seed", "1",
        ],
    );
    p.expect("your answer").unwrap();
    p.send_line("q").unwrap();
    p.expect("quit the quiz? [y/N]").unwrap();
    p.send("n").unwrap();
    p.expect("wrong: the answer is CLAUDE.md").unwrap();
    p.expect("score 0% (0/1) · threshold 80% · not yet")
        .unwrap();
    p.expect("you answered: q").unwrap();
    p.expect(Eof).unwrap();
    assert!(exit_code(&p).contains(", 0)"), "{}", exit_code(&p));
    let mut p = spawn(
        &env,
        &[
            "quiz", "--card", "z-mem", "--format", "typed", "--seed", "1",
        ],
    );
    p.expect("your answer").unwrap();
    p.send_line("q").unwrap();
    p.expect("quit the quiz? [y/N]").unwrap();
    p.send("y").unwrap();
    p.expect("not yet: incomplete, 0 of 1 questions answered")
        .unwrap();
    p.expect(Eof).unwrap();
}

/// The typed prompt says "Ctrl-D quits": on an empty line it ends the quiz
/// with the report so far, as end of input does in a pipe.
#[test]
fn ctrl_d_at_a_typed_answer_quits_the_quiz() {
    let env = Env::basics();
    env.ok(DAY1, &["compile"]);
    let mut p = spawn(
        &env,
        &[
            "quiz", "--card", "z-mem", "--format", "typed", "--seed", "1",
        ],
    );
    p.expect("Ctrl-D quits").unwrap();
    // The prompt is written before the key is read in raw mode; a Ctrl-D
    // typed ahead of that reaches the line discipline as end of file.
    // Wait for the terminal to stop echoing: the raw read has begun.
    let start = std::time::Instant::now();
    while p.get_process().get_echo().unwrap() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "never read a key"
        );
        std::thread::yield_now();
    }
    p.send("\x04").unwrap();
    p.expect(Eof).unwrap();
    assert_eq!(env.sql_count("SELECT count(*) FROM quiz_answer"), 0);
}
