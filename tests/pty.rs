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
