//! The review screen in a real pseudo-terminal of 80×24 (and other
//! sizes), read back through a terminal emulator: what the learner sees.

mod common;

use common::tty::Tty;
use common::*;

/// A deck whose texts are long, full of long words and Markdown.
const WORDY: &str = r#"+++
title = "Internals"
module = 1
+++
# Context management and compaction

## Q: What does **automatic compaction** do when the conversation approaches the context window limit of the current model? {#auto-compact}
It *summarises* the earlier conversation into a shorter message, keeping
recent turns, so that work continues; `/compact` triggers it on demand and
accepts focus instructions. Instructions in CLAUDE.md survive compaction
because they are loaded again from disk.

## Q: Which exit code of a command hook blocks the tool call? {#exit-two}
Exit code `2`: its stderr is fed back to the model as the reason.

## Cloze: Where memory lives {#memory}
Claude Code loads project memory from {{CLAUDE.md}} at the start of every session.
"#;

fn tty(env: &Env, args: &[&str], cols: u16, rows: u16) -> Tty {
    let mut cmd = env.command(DAY1);
    cmd.args(args).env("TERM", "xterm-256color");
    Tty::spawn(cmd, cols, rows)
}

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace())
        .map(|w| w.trim_matches(|c: char| "*`\\".contains(c)).to_string())
        .filter(|w| w.len() > 2)
        .collect()
}

/// Every word of `text` stands whole on one row of the screen.
fn assert_whole_words(screen: &str, text: &str) {
    let tokens: Vec<&str> = screen.split_whitespace().collect();
    for word in words_of(text) {
        assert!(
            tokens.iter().any(|t| t.contains(word.as_str())),
            "{word:?} is split or missing:\n{screen}"
        );
    }
}

#[test]
fn at_80x24_nothing_breaks_mid_word_and_markdown_is_rendered() {
    let env = Env::with_decks(&[("internals.md", WORDY)]);
    let mut t = tty(&env, &["review"], 80, 24);
    let screen = t.wait_for("reveal");
    let front = "What does automatic compaction do when the conversation approaches the context window limit of the current model?";
    assert_whole_words(&screen, front);
    assert!(!screen.contains("**"), "raw Markdown:\n{screen}");
    let lines = t.lines();
    assert!(
        lines[0].starts_with("Internals › Context management"),
        "{screen}"
    );
    assert!(
        lines[1].starts_with("card 1/3 · 0 due · 3 new · 0 again ───"),
        "{screen}"
    );
    assert!(lines[23].starts_with("[Space] reveal"), "{screen}");
    t.send(" ");
    let screen = t.wait_for("grade [0-5]");
    assert_whole_words(
        &screen,
        "It summarises the earlier conversation into a shorter message, keeping recent turns, so that work continues; /compact triggers it on demand and accepts focus instructions. Instructions in CLAUDE.md survive compaction because they are loaded again from disk.",
    );
    assert!(!screen.contains('`'), "raw Markdown:\n{screen}");
    let lines = t.lines();
    assert!(
        lines[23].starts_with("grade [0-5]:  0-2 again·1d  3 hard·1d  4 good·1d  5 easy·1d"),
        "{screen}"
    );
    t.quit();
}

#[test]
fn the_screen_is_rewrapped_when_the_terminal_is_resized() {
    let env = Env::with_decks(&[("internals.md", WORDY)]);
    let mut t = tty(&env, &["review"], 100, 32);
    t.wait_for("reveal");
    t.send(" ");
    t.wait_for("grade [0-5]");
    t.resize(50, 20);
    // The keys wrap to fit 50 columns after the redraw.
    let screen = t.wait_for("5 easy·1d");
    assert_whole_words(
        &screen,
        "It summarises the earlier conversation into a shorter message",
    );
    assert!(t.lines().iter().all(|l| l.chars().count() <= 50));
    t.quit();
}

#[test]
fn counts_go_down_after_each_grade_and_back_up_on_undo() {
    let env = Env::basics();
    let mut t = tty(&env, &["review"], 80, 24);
    t.wait_for("card 1/3 · 0 due · 3 new · 0 again");
    t.send(" ");
    t.wait_for("grade [0-5]");
    t.send("2");
    // Failed: one new card fewer, one waiting to be re-drilled.
    let screen = t.wait_for("card 2/4 · 0 due · 2 new · 1 again");
    assert!(screen.contains("saved grade 2"), "{screen}");
    t.send("u");
    let screen = t.wait_for("card 1/3 · 0 due · 3 new · 0 again");
    assert!(screen.contains("undone: q-exit"), "{screen}");
    t.quit();
}

#[test]
fn a_cloze_back_shows_the_whole_sentence() {
    let env = Env::with_decks(&[("internals.md", WORDY)]);
    env.ok(DAY1, &["compile"]);
    let mut t = tty(&env, &["review", "--deck", "internals"], 80, 24);
    for _ in 0..2 {
        t.wait_for("reveal");
        t.send(" ");
        t.wait_for("grade [0-5]");
        t.send("5");
    }
    t.wait_for("[…]");
    t.send(" ");
    let screen = t.wait_for("grade [0-5]");
    assert!(
        screen.contains("Claude Code loads project memory from CLAUDE.md at the start of every"),
        "{screen}"
    );
    t.quit();
}

#[test]
fn suspend_bury_and_flag_each_undo_with_u() {
    let env = Env::basics();
    let mut t = tty(&env, &["review"], 80, 24);
    t.wait_for("Which exit code blocks a tool call?");
    t.send("s");
    let screen = t.wait_for("suspended q-exit");
    assert!(!screen.contains("Which exit code"), "{screen}");
    assert_eq!(
        env.sql_count("SELECT suspended FROM card WHERE key = 'q-exit'"),
        1
    );
    t.send("u");
    t.wait_for("undone: suspend of q-exit");
    t.wait_for("Which exit code blocks a tool call?");
    assert_eq!(
        env.sql_count("SELECT suspended FROM card WHERE key = 'q-exit'"),
        0
    );
    t.send("b");
    t.wait_for("buried q-exit until the next study day");
    assert_eq!(
        env.sql_count("SELECT count(*) FROM card WHERE buried IS NOT NULL"),
        1
    );
    t.send("u");
    t.wait_for("undone: bury of q-exit");
    assert_eq!(
        env.sql_count("SELECT count(*) FROM card WHERE buried IS NOT NULL"),
        0
    );
    t.send("f");
    let screen = t.wait_for("flagged q-exit");
    assert!(t.lines()[0].contains("[⚑ flagged]"), "{screen}");
    assert_eq!(
        env.sql_count("SELECT flagged FROM card WHERE key = 'q-exit'"),
        1
    );
    t.send("u");
    t.wait_for("undone: flag of q-exit");
    assert_eq!(
        env.sql_count("SELECT flagged FROM card WHERE key = 'q-exit'"),
        0
    );
    t.quit();
}

#[test]
fn info_and_keys_pages_come_and_go() {
    let env = Env::basics();
    let mut t = tty(&env, &["review"], 80, 24);
    t.grade("4");
    t.send("u");
    t.wait_for("undone: q-exit");
    t.send("i");
    let screen = t.wait_for("History");
    assert!(screen.contains("q-exit"), "{screen}");
    assert!(screen.contains("never reviewed"), "{screen}");
    assert!(screen.contains("basics.md:7"), "{screen}");
    t.send("x");
    t.wait_for("[Space] reveal");
    t.send("?");
    let screen = t.wait_for("Keys");
    assert!(screen.contains("bury until tomorrow"), "{screen}");
    t.send(" ");
    t.wait_for("[Space] reveal");
    t.quit();
}

/// `mastery review` at 80×24 with `editor` as `$EDITOR`.
fn review_with_editor(env: &Env, editor: &str) -> Tty {
    let mut cmd = env.command(DAY1);
    cmd.arg("review")
        .env("TERM", "xterm")
        .env("EDITOR", editor)
        .env_remove("VISUAL");
    Tty::spawn(cmd, 80, 24)
}

fn editor_script(env: &Env, body: &str) -> String {
    let path = env.path("editor.sh");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[test]
fn e_edits_the_note_and_shows_the_edited_card() {
    let env = Env::basics();
    // Called as `editor +LINE FILE`: the test checks the line it was given.
    let editor = editor_script(
        &env,
        "[ \"$1\" = +7 ] || exit 1\nsed -i 's/^Exit code 2.$/Exit code 2, from any command hook./' \"$2\"",
    );
    let mut t = review_with_editor(&env, &editor);
    t.wait_for("reveal");
    t.send(" ");
    t.wait_for("Exit code 2.");
    t.send("e");
    let screen = t.wait_for("Exit code 2, from any command hook.");
    assert!(screen.contains("recompiled"), "{screen}");
    t.send("5");
    t.wait_for("saved grade 5");
    t.quit();
    assert_eq!(
        env.show("q-exit")["back"],
        "Exit code 2, from any command hook."
    );
    assert_eq!(env.show("q-exit")["reviews"][0]["grade"], 5);
}

#[test]
fn an_edit_that_breaks_the_file_names_the_line_and_keeps_the_card() {
    let env = Env::basics();
    let editor = editor_script(&env, "printf '## Q: broken {#q-exit}\\n' >> \"$2\"");
    let mut t = review_with_editor(&env, &editor);
    t.wait_for("reveal");
    t.send("e");
    let screen = t.wait_for("the old card stays");
    assert!(screen.contains("basics.md:"), "{screen}");
    assert!(
        screen.contains("Which exit code blocks a tool call?"),
        "{screen}"
    );
    t.quit();
}

#[test]
fn the_built_in_decks_are_read_only() {
    let env = Env::new();
    // No decks folder anywhere: the decks built into the binary.
    std::fs::remove_dir(env.decks()).unwrap();
    let mut cmd = env.command(DAY1);
    cmd.arg("review")
        .env_remove("MASTERY_DECKS")
        .env("TERM", "xterm");
    let mut t = Tty::spawn(cmd, 80, 24);
    t.wait_for("reveal");
    t.send("e");
    t.wait_for("the built-in decks are read-only");
    t.quit();
}

#[test]
fn q_gives_the_terminal_back_and_prints_the_summary() {
    let env = Env::basics();
    let mut t = tty(&env, &["review"], 80, 24);
    t.wait_for("reveal");
    assert!(t.alternate_screen() && t.cursor_hidden());
    t.send(" ");
    t.wait_for("grade [0-5]");
    t.send("5");
    t.wait_for("saved grade 5");
    t.send("q");
    let status = t.wait_exit();
    assert!(status.contains(", 0)"), "{status}");
    assert!(!t.alternate_screen() && !t.cursor_hidden());
    assert!(t.text().contains("session: 1 reviewed"), "{}", t.text());
}

/// Runs `mastery review` and then `stty -a` in one terminal, as a shell
/// would after it: the terminal mode `stty` reports is what mastery left.
/// With `editor`, `e` opens it after the keys, and the signal comes while
/// it is open (it must print EDITOR-OPEN).
fn mode_after(env: &Env, keys: &[&str], signal: bool, editor: Option<&str>) -> String {
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "echo MODE $(stty -g) BEFORE; \"{}\" review; echo; echo MODE $(stty -g) AFTER",
            env!("CARGO_BIN_EXE_mastery")
        ))
        .current_dir(env.dir.path())
        .env("MASTERY_DB", env.db())
        .env("MASTERY_DECKS", env.decks())
        .env("MASTERY_CONFIG", env.path("config.toml"))
        .env("MASTERY_NOW", DAY1)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("EDITOR", editor.unwrap_or("vi"))
        .env_remove("VISUAL");
    let mut t = Tty::spawn(cmd, 80, 24);
    t.wait_for("reveal");
    for k in keys {
        t.send(k);
        t.wait_for(if *k == " " { "grade [0-5]" } else { "saved" });
    }
    if editor.is_some() {
        t.send("e");
        t.wait_for("EDITOR-OPEN");
    }
    if signal {
        // SIGTERM to mastery alone, the child of this test's shell: other
        // tests run `mastery review` at the same time.
        let shell = t.session.get_process().pid().to_string();
        let out = std::process::Command::new("pkill")
            .args([
                "-TERM",
                "-P",
                &shell,
                "-f",
                "-x",
                &format!("{} review", env!("CARGO_BIN_EXE_mastery")),
            ])
            .status()
            .expect("pkill");
        assert!(out.success());
    } else {
        t.send("q");
    }
    t.wait_exit();
    t.text()
}

/// The terminal's mode after mastery is exactly the mode it had before
/// (`stty -g` prints all of it).
fn assert_sane(screen: &str) {
    let flat: String = screen.split_whitespace().collect();
    let modes: Vec<&str> = flat
        .split("MODE")
        .skip(1)
        .filter_map(|m| m.split_once("BEFORE").or_else(|| m.split_once("AFTER")))
        .map(|(mode, _)| mode)
        .collect();
    assert_eq!(modes.len(), 2, "{screen}");
    assert_eq!(modes[0], modes[1], "the terminal mode changed:\n{screen}");
}

#[test]
fn the_terminal_mode_is_restored_after_q_and_sigterm() {
    let env = Env::basics();
    assert_sane(&mode_after(&env, &[" ", "5"], false, None));
    assert_sane(&mode_after(&env, &[" ", "4"], true, None));
}

#[test]
fn ctrl_c_gives_the_terminal_back_with_130_and_keeps_answers() {
    let env = Env::basics();
    let mut t = tty(&env, &["review"], 80, 24);
    t.grade("2");
    t.send("\x03");
    let status = t.wait_exit();
    assert!(status.contains(", 130)"), "{status}");
    assert!(!t.alternate_screen() && !t.cursor_hidden());
    let text = t.text();
    assert!(text.contains("session: 1 reviewed"), "{text}");
    assert!(
        text.contains("every answer given so far is saved"),
        "{text}"
    );
    assert_eq!(env.show("q-exit")["reviews"][0]["grade"], 2);
}

#[test]
fn sigterm_gives_the_terminal_back() {
    let env = Env::basics();
    let mut t = tty(&env, &["review"], 80, 24);
    t.grade("4");
    let status = t.terminate();
    assert!(status.contains(", 130)"), "{status}");
    assert!(!t.alternate_screen() && !t.cursor_hidden());
    assert!(t.text().contains("session: 1 reviewed"), "{}", t.text());
}

#[test]
fn a_colour_terminal_gets_a_bold_front_and_no_color_the_same_layout() {
    let env = Env::basics();
    let mut cmd = env.command(DAY1);
    cmd.arg("review")
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
    let mut colour = Tty::spawn(cmd, 80, 24);
    let coloured = colour.wait_for("reveal");
    let mut plain = tty(&env, &["review"], 80, 24);
    let plain_text = plain.wait_for("reveal");
    assert_eq!(
        coloured, plain_text,
        "the same layout with and without colour"
    );
    assert!(colour.bold_at_start(3), "the front stands out");
    assert!(!plain.bold_at_start(3), "NO_COLOR is plain");
    colour.send("q");
    plain.send("q");
    colour.wait_exit();
    plain.wait_exit();
}

#[test]
fn escape_sequences_in_a_deck_title_or_topic_are_shown_not_obeyed() {
    let env = Env::with_decks(&[(
        "evil.md",
        "+++\ntitle = \"T \\u001b]52;c;SGk=\\u0007\"\nmodule = 1\n+++\n# Topic \u{1b}]0;OWNED\u{7} \u{202e}rtl\n## Q: q1 {#e1}\nA\n",
    )]);
    let mut t = tty(&env, &["review"], 80, 24);
    let screen = t.wait_for("reveal");
    let header = &t.lines()[0];
    assert!(header.contains("\\x1b]52;c;SGk=\\x07"), "{screen}");
    assert!(header.contains("\\x1b]0;OWNED\\x07"), "{screen}");
    assert!(header.contains("\\u{202e}rtl"), "{screen}");
    t.quit();
}

#[test]
fn an_editor_that_cannot_run_is_named_and_nothing_changes() {
    let env = Env::basics();
    let mut t = review_with_editor(&env, "/nonexistent/editor");
    t.wait_for("reveal");
    t.send("e");
    let screen = t.wait_for("cannot run the editor `/nonexistent/editor`");
    assert!(
        screen.contains("Which exit code blocks a tool call?"),
        "{screen}"
    );
    t.quit();
}

#[test]
fn a_card_whose_note_the_edit_removed_leaves_the_screen() {
    let env = Env::basics();
    let editor = editor_script(
        &env,
        "sed -i 's/{#q-exit}/{#q-renamed}/; s/^Exit code 2.$/Exit code two./' \"$2\"",
    );
    let mut t = review_with_editor(&env, &editor);
    t.wait_for("Which exit code blocks a tool call?");
    t.send("e");
    let screen = t.wait_for("it leaves this session");
    assert!(!screen.contains("Which exit code blocks"), "{screen}");
    t.quit();
    assert_eq!(env.sql_count("SELECT count(*) FROM review"), 0);
}

/// Whether process `pid` still exists.
fn alive(pid: &str) -> bool {
    std::process::Command::new("kill")
        .args(["-0", pid])
        .stderr(std::process::Stdio::null())
        .status()
        .expect("kill")
        .success()
}

/// `mastery review` with an editor script of `body`: runs `before`, then
/// opens the editor with `e` and waits until it shows `marker`.
fn with_editor_open(
    env: &Env,
    body: &str,
    marker: &str,
    before: impl FnOnce(&mut Tty),
) -> (Tty, String) {
    let editor = editor_script(env, body);
    let mut t = review_with_editor(env, &editor);
    before(&mut t);
    t.wait_for("reveal");
    t.send("e");
    let screen = t.wait_for(marker);
    (t, screen)
}

#[test]
fn sigterm_while_the_editor_is_open_ends_the_editor_first() {
    let env = Env::basics();
    // An editor that says its pid and then waits a long time.
    let (mut t, screen) = with_editor_open(
        &env,
        "echo \"EDITOR-PID $$ .\"\nexec sleep 600",
        "EDITOR-PID",
        |t| {
            t.grade("4");
        },
    );
    let pid = screen
        .split("EDITOR-PID ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("a pid")
        .to_string();
    assert!(alive(&pid));
    let status = t.terminate();
    assert!(status.contains(", 130)"), "{status}");
    assert!(
        !alive(&pid),
        "the editor was left running on the terminal after mastery exited"
    );
    assert!(t.text().contains("session: 1 reviewed"), "{}", t.text());
    assert_eq!(env.show("q-exit")["reviews"][0]["grade"], 4);
}

/// An editor ended by the signal may leave its own terminal mode (vim
/// leaves raw mode): mastery puts back the mode from before the editor.
#[test]
fn the_terminal_mode_is_restored_after_sigterm_ends_the_editor() {
    let env = Env::basics();
    let editor = editor_script(&env, "stty raw -echo\necho EDITOR-OPEN\nexec sleep 600");
    assert_sane(&mode_after(&env, &[" ", "4"], true, Some(&editor)));
}

/// Ctrl-C and Ctrl-\\ go to the whole foreground group.
#[rstest::rstest]
#[case::ctrl_c("\x03")]
#[case::ctrl_backslash("\x1c")]
fn ctrl_c_in_the_editor_is_the_editors_and_the_session_goes_on(#[case] key: &str) {
    let env = Env::basics();
    // An editor that waits for a line: Ctrl-C ends it (sh's default).
    let (mut t, _) = with_editor_open(&env, "echo EDITOR-OPEN\nread line", "EDITOR-OPEN", |_| {});
    t.send(key);
    // Back on the review screen, which says what became of the editor.
    let screen = t.wait_for("[Space] reveal");
    assert!(screen.contains("editor"), "{screen}");
    t.grade("5");
    let status = t.quit();
    assert!(status.contains(", 0)"), "{status}");
    assert_eq!(env.show("q-exit")["reviews"][0]["grade"], 5);
}

#[test]
fn an_editor_with_variable_settings_in_front_runs() {
    let env = Env::basics();
    let script = editor_script(
        &env,
        "[ \"$EDITOR_TEST\" = yes ] || exit 1\nsed -i 's/^Exit code 2.$/Exit code 2, set./' \"$2\"",
    );
    let mut t = review_with_editor(&env, &format!("EDITOR_TEST=yes {script}"));
    t.wait_for("reveal");
    t.send(" ");
    t.wait_for("Exit code 2.");
    t.send("e");
    let screen = t.wait_for("Exit code 2, set.");
    assert!(screen.contains("recompiled"), "{screen}");
    t.quit();
}

/// The typed-answer prompt wraps on a narrow terminal: when the first key
/// hands the line to the editor, every row of the prompt is redrawn once.
#[test]
fn a_typed_answer_at_a_narrow_terminal_shows_its_prompt_once() {
    let env = Env::basics();
    let mut t = tty(
        &env,
        &[
            "quiz", "--card", "z-mem", "--format", "typed", "--seed", "1",
        ],
        20,
        24,
    );
    t.wait_for("quits)");
    t.send("C");
    let screen = t.wait_for("quits): C");
    assert_eq!(screen.matches("your answer").count(), 1, "{screen}");
    t.send("\r");
    t.wait_exit();
}
