use dialoguer::console::{Key, Term};

use super::{ENTER, Prompter, Reply};
use crate::error::{Error, Result};
use crate::render::sanitize;

/// Single-key prompts on a real terminal.
pub struct TermPrompter {
    term: Term,
}

impl TermPrompter {
    pub fn new() -> Self {
        TermPrompter {
            term: Term::stdout(),
        }
    }

    /// Prompts on stderr, leaving stdout for a JSON report.
    pub fn on_stderr() -> Self {
        TermPrompter {
            term: Term::stderr(),
        }
    }
}

impl Default for TermPrompter {
    fn default() -> Self {
        Self::new()
    }
}

/// Each line wider than the terminal wrapped at word boundaries, so the
/// terminal never breaks one mid-word, under its own indent; lines that fit
/// stay as they are, and so does a command (`  mastery quiz --card …`),
/// which must be copied whole.
fn fit(text: &str, width: usize) -> String {
    use crate::render::{Span, plain, width_of, wrap_spans};
    if width == 0 || text.lines().all(|l| width_of(l) <= width) {
        return text.to_string();
    }
    text.split('\n')
        .flat_map(|line| {
            let body = line.trim_start();
            let indent = &line[..line.len() - body.len()];
            // A command is printed indented; a card's text may start with
            // the word too.
            let command = !indent.is_empty() && body.starts_with("mastery ");
            if width_of(line) <= width || command {
                vec![line.to_string()]
            } else {
                wrap_spans(indent, indent, &[Span::plain(body)], width)
                    .iter()
                    .map(|l| plain(l))
                    .collect()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn term_err(action: &'static str) -> impl Fn(std::io::Error) -> Error {
    move |source| {
        if source.kind() == std::io::ErrorKind::Interrupted {
            Error::Interrupted
        } else {
            Error::Terminal {
                action,
                cause: source,
            }
        }
    }
}

impl Prompter for TermPrompter {
    fn note(&mut self, text: &str) -> Result<()> {
        let text = fit(&sanitize(text), self.term.size().1 as usize);
        let styled = dialoguer::console::Style::new()
            .dim()
            .force_styling(crate::stats::render::colour_wanted())
            .apply_to(text);
        self.term
            .write_line(&styled.to_string())
            .map_err(term_err("write to the terminal"))
    }

    fn show(&mut self, text: &str) -> Result<()> {
        self.term
            .write_line(&fit(&sanitize(text), self.term.size().1 as usize))
            .map_err(term_err("write to the terminal"))
    }

    fn key(&mut self, prompt: &str, keys: &str) -> Result<Reply> {
        self.term
            .write_str(&sanitize(prompt))
            .map_err(term_err("write to the terminal"))?;
        let reply = loop {
            let key = match self.term.read_key() {
                Ok(k) => k,
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break Reply::Quit,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => break Reply::Interrupt,
                Err(e) => return Err(term_err("read a key")(e)),
            };
            match key {
                Key::CtrlC => break Reply::Interrupt,
                Key::Escape => break Reply::Quit,
                Key::Enter if keys.contains(ENTER) => break Reply::Key(ENTER),
                Key::Char(' ') if keys.contains(ENTER) => break Reply::Key(ENTER),
                Key::Char('\u{3}') => break Reply::Interrupt,
                Key::Char('\u{4}') => break Reply::Quit,
                Key::Char(c) if c == 'q' || c == 'Q' => break Reply::Quit,
                Key::Char(c) if keys.contains(c) => break Reply::Key(c),
                _ => {}
            }
        };
        self.term
            .write_line("")
            .map_err(term_err("write to the terminal"))?;
        Ok(reply)
    }

    fn line(&mut self, prompt: &str) -> Result<Reply> {
        Ok(match self.answer(prompt)? {
            Reply::Text(text) if text.trim().eq_ignore_ascii_case("q") => Reply::Quit,
            other => other,
        })
    }

    // As `line`, but `q` is an answer here; Ctrl-D (end of input) quits.
    fn answer(&mut self, prompt: &str) -> Result<Reply> {
        let prompt = sanitize(prompt.trim_end().trim_end_matches(':')).into_owned();
        // dialoguer's line editor ignores Ctrl-D (it reads raw keys): the
        // first key is read here, where Ctrl-D on the empty line quits, as
        // end of input does in a pipe. What else starts the line is handed
        // to the editor as its first text.
        let write = term_err("write to the terminal");
        self.term
            .write_str(&format!("{prompt}: "))
            .map_err(&write)?;
        let first = loop {
            let key = match self.term.read_key() {
                Ok(k) => k,
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(Reply::Quit),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                    return Ok(Reply::Interrupt);
                }
                Err(e) => return Err(term_err("read a key")(e)),
            };
            match key {
                Key::CtrlC | Key::Char('\u{3}') => return Ok(Reply::Interrupt),
                Key::Char('\u{4}') => {
                    self.term.write_line("").map_err(&write)?;
                    return Ok(Reply::Quit);
                }
                Key::Enter => {
                    self.term.write_line("").map_err(&write)?;
                    return Ok(Reply::Text(String::new()));
                }
                Key::Char(c) if !c.is_control() => break c.to_string(),
                _ => {}
            }
        };
        // The prompt may have wrapped: clear every row it took.
        let width = usize::from(self.term.size().1).max(1);
        let rows = (crate::render::width_of(&prompt) + 2).div_ceil(width);
        self.term.clear_line().map_err(&write)?;
        if rows > 1 {
            self.term.clear_last_lines(rows - 1).map_err(&write)?;
        }
        let input = dialoguer::Input::<String>::new()
            .with_prompt(prompt)
            .with_initial_text(first)
            .allow_empty(true)
            .interact_text_on(&self.term);
        match input {
            Ok(text) => Ok(Reply::Text(text)),
            Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
                Ok(Reply::Interrupt)
            }
            Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                Ok(Reply::Quit)
            }
            Err(dialoguer::Error::IO(e)) => Err(term_err("read a line")(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn long_lines_wrap_between_words_and_short_ones_stay() {
        let text = "short line\nIf the script path is mistyped or not executable, the shell exits";
        assert_eq!(
            fit(text, 30),
            "short line\nIf the script path is mistyped\nor not executable, the shell\nexits"
        );
        assert_eq!(
            fit("a  b", 30),
            "a  b",
            "a line that fits keeps its spacing"
        );
        assert_eq!(
            fit(
                "  - a question that is long enough to wrap\n  mastery quiz --card a --card b",
                20
            ),
            "  - a question that\n  is long enough to\n  wrap\n  mastery quiz --card a --card b",
            "indented lines wrap under their indent, commands stay whole"
        );
        assert_eq!(
            fit("mastery of hooks means knowing exit codes", 20),
            "mastery of hooks\nmeans knowing exit\ncodes",
            "text that starts with the word is not a command"
        );
    }
}
