//! Styled runs of text and how they are painted: SGR escape codes on a
//! colour terminal, nothing at all elsewhere, so the layout is the same.

/// How a run of text is shown. Each field is one SGR attribute, so styles
/// nest by setting fields (bold inside a link, code inside a list).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    pub bold: bool,
    pub italic: bool,
    pub dim: bool,
    /// Inline code and code blocks.
    pub code: bool,
    /// A revealed cloze deletion.
    pub mark: bool,
    /// The answer side of a card.
    pub answer: bool,
    /// Warnings on the screen (a leech).
    pub alert: bool,
}

impl Style {
    pub const PLAIN: Style = Style {
        bold: false,
        italic: false,
        dim: false,
        code: false,
        mark: false,
        answer: false,
        alert: false,
    };
    pub const BOLD: Style = Style {
        bold: true,
        ..Style::PLAIN
    };
    pub const DIM: Style = Style {
        dim: true,
        ..Style::PLAIN
    };
    pub const ALERT: Style = Style {
        alert: true,
        bold: true,
        ..Style::PLAIN
    };

    fn codes(self) -> Vec<&'static str> {
        let mut codes = Vec::new();
        if self.bold || self.mark {
            codes.push("1");
        }
        if self.dim {
            codes.push("2");
        }
        if self.italic {
            codes.push("3");
        }
        // One colour wins: a mark inside code is still a mark.
        if self.alert {
            codes.push("31");
        } else if self.mark {
            codes.push("33");
        } else if self.code {
            codes.push("36");
        } else if self.answer {
            codes.push("32");
        }
        codes
    }
}

/// A run of text in one style. The text is already sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub style: Style,
}

impl Span {
    pub fn new(text: impl Into<String>, style: Style) -> Span {
        Span {
            text: text.into(),
            style,
        }
    }

    pub fn plain(text: impl Into<String>) -> Span {
        Span::new(text, Style::PLAIN)
    }
}

/// One screen line.
pub type Line = Vec<Span>;

/// A line as the terminal gets it: styled runs wrapped in SGR codes when
/// `colour` is set, plain text otherwise.
pub fn paint(line: &[Span], colour: bool) -> String {
    let mut out = String::new();
    for span in line {
        let codes = span.style.codes();
        if colour && !codes.is_empty() {
            out.push_str(&format!("\x1b[{}m{}\x1b[0m", codes.join(";"), span.text));
        } else {
            out.push_str(&span.text);
        }
    }
    out
}

/// A line's text without any styling.
pub fn plain(line: &[Span]) -> String {
    paint(line, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_output_has_no_escape_codes_and_the_same_text() {
        let line = vec![
            Span::plain("run "),
            Span::new(
                "/compact",
                Style {
                    code: true,
                    ..Style::PLAIN
                },
            ),
        ];
        assert_eq!(paint(&line, false), "run /compact");
        assert_eq!(paint(&line, true), "run \x1b[36m/compact\x1b[0m");
    }
}
