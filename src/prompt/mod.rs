//! Asking the learner: a small trait with a terminal implementation
//! (dialoguer/console), a line-based one for pipes, and a scripted fake.

mod line;
mod screen;
mod script;
mod term;

pub use line::LinePrompter;
pub use screen::ScreenPrompter;
pub use script::ScriptedPrompter;
pub use term::TermPrompter;

use crate::error::Result;
use crate::render::Frame;

/// What the learner did at a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// One of the keys offered; Enter and Space arrive as '\n'.
    Key(char),
    /// A typed line.
    Text(String),
    /// `q`, Esc or end of input: end the session normally.
    Quit,
    /// Ctrl-C.
    Interrupt,
}

pub const ENTER: char = '\n';

pub trait Prompter {
    /// Shows text, followed by a newline.
    fn show(&mut self, text: &str) -> Result<()>;
    /// Waits for one of `keys` (`ENTER` stands for Enter or Space); other
    /// input is refused with a message and asked again. `q` always quits.
    fn key(&mut self, prompt: &str, keys: &str) -> Result<Reply>;
    /// Reads one line of text.
    fn line(&mut self, prompt: &str) -> Result<Reply>;
    /// Shows secondary text (where a card comes from): dimmed on a colour
    /// terminal, plain elsewhere.
    fn note(&mut self, text: &str) -> Result<()> {
        self.show(text)
    }
    /// Shows a review screen. A full-screen terminal redraws it whole at
    /// its width; elsewhere only the sections not shown before are printed.
    fn frame(&mut self, frame: &Frame) -> Result<()> {
        for line in frame.new_lines() {
            self.show(&line)?;
        }
        Ok(())
    }
    /// A one-line message about what just happened ("saved grade 4"): a
    /// full-screen terminal shows it with the next screen; elsewhere it is
    /// printed at once.
    fn status(&mut self, text: &str) -> Result<()> {
        self.show(text)
    }
    /// A page of Markdown (card info, the keys) that stays until a key is
    /// pressed on a terminal; printed elsewhere.
    fn page(&mut self, text: &str) -> Result<()> {
        for line in crate::render::markdown(text, 80) {
            self.show(&crate::render::plain(&line))?;
        }
        Ok(())
    }
    /// Gives the terminal to `run` (an editor) and takes it back after.
    fn hand_over(&mut self, run: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        run()
    }
    /// Whether a person at a terminal is answering: an editor can only be
    /// opened for one.
    fn interactive(&self) -> bool {
        false
    }
    /// Gives the terminal back (leaves a full screen), so that what is
    /// printed next stays on the ordinary screen.
    fn close(&mut self) {}
    /// Reads a typed answer. Unlike [`Prompter::line`], `q` is text here
    /// (an answer may be `q`); only end of input (Ctrl-D) quits. The default
    /// is `line`, for prompters that can't tell the two apart.
    fn answer(&mut self, prompt: &str) -> Result<Reply> {
        self.line(prompt)
    }
}

/// Prompts for an interactive command: single keys on a terminal, lines
/// otherwise; on stderr when stdout carries JSON.
pub fn for_stdio(to_stderr: bool) -> Box<dyn Prompter> {
    use std::io::IsTerminal;
    let terminal = std::io::stdin().is_terminal()
        && if to_stderr {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        };
    match (terminal, to_stderr) {
        (true, false) => Box::new(TermPrompter::new()),
        (true, true) => Box::new(TermPrompter::on_stderr()),
        (false, false) => Box::new(LinePrompter::new(
            std::io::stdin().lock(),
            std::io::stdout(),
        )),
        (false, true) => Box::new(LinePrompter::new(
            std::io::stdin().lock(),
            std::io::stderr(),
        )),
    }
}

/// Prompts for the review screen: the full-screen terminal screen when
/// stdin and stdout are a terminal, lines otherwise.
pub fn for_review() -> Box<dyn Prompter> {
    use std::io::IsTerminal;
    // A dumb terminal can't position the cursor: lines, as in a pipe.
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() && !dumb {
        Box::new(ScreenPrompter::new())
    } else {
        for_stdio(false)
    }
}

/// The message for input that is not one of `keys`.
pub fn refusal(input: &str, keys: &str) -> String {
    let names: Vec<String> = keys
        .chars()
        .filter(|c| *c != 'q')
        .map(|c| {
            if c == ENTER {
                "Enter".to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    if keys.contains('0') && keys.contains('5') && input.trim().parse::<i64>().is_ok() {
        return format!("'{}' is not a grade: use 0 to 5", input.trim());
    }
    format!(
        "'{}' is not valid here: use {} or q",
        input.trim(),
        names.join(", ")
    )
}
