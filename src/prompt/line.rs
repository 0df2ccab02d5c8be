use std::io::{BufRead, Write};

use super::{ENTER, Prompter, Reply, refusal};
use crate::error::{Error, Result};
use crate::render::sanitize;

/// Reads one line per prompt: what scripts and tests drive.
pub struct LinePrompter<R, W> {
    input: R,
    output: W,
}

impl<R: BufRead, W: Write> LinePrompter<R, W> {
    pub fn new(input: R, output: W) -> Self {
        LinePrompter { input, output }
    }

    /// One line, without its ending; `None` at the end of input. A line
    /// that is not UTF-8 is refused and asked again: one stray byte must not
    /// end a session.
    fn read(&mut self, prompt: &str) -> Result<Option<String>> {
        loop {
            write!(self.output, "{} ", sanitize(prompt))
                .and_then(|_| self.output.flush())
                .map_err(out_err)?;
            let mut buf = Vec::new();
            match self.input.read_until(b'\n', &mut buf) {
                Ok(0) => {
                    writeln!(self.output).map_err(out_err)?;
                    return Ok(None);
                }
                Ok(_) => {
                    // Piped input is not echoed; end the prompt line ourselves.
                    writeln!(self.output).map_err(out_err)?;
                    match String::from_utf8(buf) {
                        Ok(line) => {
                            return Ok(Some(line.trim_end_matches(['\n', '\r']).to_string()));
                        }
                        Err(_) => writeln!(self.output, "{NOT_UTF8}").map_err(out_err)?,
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                    return Err(Error::Interrupted);
                }
                Err(e) => {
                    return Err(Error::Terminal {
                        action: "read input",
                        cause: e,
                    });
                }
            }
        }
    }
}

const NOT_UTF8: &str = "that line is not valid UTF-8: type it again";

fn out_err(e: std::io::Error) -> Error {
    Error::Terminal {
        action: "write output",
        cause: e,
    }
}

impl<R: BufRead, W: Write> Prompter for LinePrompter<R, W> {
    fn show(&mut self, text: &str) -> Result<()> {
        writeln!(self.output, "{}", sanitize(text)).map_err(out_err)
    }

    fn key(&mut self, prompt: &str, keys: &str) -> Result<Reply> {
        loop {
            let Some(line) = self.read(prompt)? else {
                return Ok(Reply::Quit);
            };
            let t = line.trim();
            if t.eq_ignore_ascii_case("q") {
                return Ok(Reply::Quit);
            }
            if t.is_empty() && keys.contains(ENTER) {
                return Ok(Reply::Key(ENTER));
            }
            let mut chars = t.chars();
            if let (Some(c), None) = (chars.next(), chars.next())
                && keys.contains(c)
            {
                return Ok(Reply::Key(c));
            }
            if keys.contains(ENTER) {
                // At a reveal prompt any line reveals, as the README promises.
                return Ok(Reply::Key(ENTER));
            }
            self.show(&refusal(t, keys))?;
        }
    }

    fn line(&mut self, prompt: &str) -> Result<Reply> {
        Ok(match self.read(prompt)? {
            None => Reply::Quit,
            Some(l) if l.trim().eq_ignore_ascii_case("q") => Reply::Quit,
            Some(l) => Reply::Text(l),
        })
    }

    fn answer(&mut self, prompt: &str) -> Result<Reply> {
        Ok(match self.read(prompt)? {
            None => Reply::Quit,
            Some(l) => Reply::Text(l),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &str, keys: &str) -> (Vec<Reply>, String) {
        let mut out = Vec::new();
        let mut p = LinePrompter::new(input.as_bytes(), &mut out);
        let mut replies = Vec::new();
        loop {
            let r = p.key(">", keys).unwrap();
            let done = r == Reply::Quit;
            replies.push(r);
            if done {
                break;
            }
        }
        (replies, String::from_utf8(out).unwrap())
    }

    #[test]
    fn grades_are_checked_and_asked_again() {
        let (replies, out) = run("6\n-1\nx\n3\n", "012345uq");
        assert_eq!(replies, vec![Reply::Key('3'), Reply::Quit]);
        assert!(out.contains("'6' is not a grade: use 0 to 5"), "{out}");
        assert!(out.contains("'-1' is not a grade: use 0 to 5"), "{out}");
        assert!(
            out.contains("'x' is not valid here: use 0, 1, 2, 3, 4, 5, u or q"),
            "{out}"
        );
    }

    #[test]
    fn a_line_that_is_not_utf8_is_asked_again() {
        let mut out = Vec::new();
        let input: &[u8] = b"\xff\xfe\n\xc3\x28\n3\n";
        let mut p = LinePrompter::new(input, &mut out);
        assert_eq!(p.key(">", "012345uq").unwrap(), Reply::Key('3'));
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches(NOT_UTF8).count(), 2, "{out}");
    }

    #[test]
    fn any_line_reveals_and_q_quits() {
        let (replies, _) = run("\nanything\nq\n", "\nuq");
        assert_eq!(
            replies,
            vec![Reply::Key(ENTER), Reply::Key(ENTER), Reply::Quit]
        );
    }
}
