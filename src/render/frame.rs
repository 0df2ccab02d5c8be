//! A screen's content, independent of how it is shown: a title with
//! counts, then sections of Markdown. A terminal lays it out at its width
//! and redraws it whole; a line prompter prints only the sections a step
//! added (the back after the front), so piped output reads top to bottom.

use super::style::{Line, Span, Style};
use super::wrap::{truncate, width_of};

/// One part of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Markdown, or plain text when `markdown` is false.
    pub text: String,
    /// Added to every span (bold for a front, the answer colour for a back).
    pub base: Style,
    /// A rule goes before it (between a front and its back).
    pub rule: bool,
    pub markdown: bool,
}

impl Section {
    pub fn markdown(text: impl Into<String>, base: Style) -> Section {
        Section {
            text: text.into(),
            base,
            rule: false,
            markdown: true,
        }
    }

    pub fn plain(text: impl Into<String>, base: Style) -> Section {
        Section {
            markdown: false,
            ..Section::markdown(text, base)
        }
    }

    pub fn after_rule(self) -> Section {
        Section { rule: true, ..self }
    }

    fn lines(&self, width: usize) -> Vec<Line> {
        let mut lines = if self.markdown {
            super::markdown(&self.text, width)
        } else {
            self.text
                .lines()
                .flat_map(|l| super::wrap_spans("", "", &[Span::plain(super::sanitize(l))], width))
                .collect()
        };
        for line in &mut lines {
            for span in line.iter_mut() {
                span.style.bold |= self.base.bold;
                span.style.dim |= self.base.dim;
                span.style.answer |= self.base.answer;
                span.style.alert |= self.base.alert;
            }
        }
        lines
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frame {
    /// Left of the title line: where the card comes from.
    pub title: String,
    /// After the title, never cut: the card's marks (`[⚑ flagged]`).
    pub marks: String,
    /// Right of the title line: progress and counts.
    pub info: String,
    pub sections: Vec<Section>,
    /// Sections before this index were shown by the previous frame of the
    /// same card; a line prompter prints only the rest.
    pub shown: usize,
}

/// The body's left margin on a terminal.
const MARGIN: usize = 2;

impl Frame {
    /// The marks as they follow the title: two spaces, then the marks.
    fn marks_after_title(&self) -> String {
        if self.marks.is_empty() {
            String::new()
        } else {
            format!("  {}", self.marks)
        }
    }

    /// The two header lines at `width`: the title, cut with an ellipsis
    /// rather than wrapped, then the counts followed by a rule.
    pub fn header(&self, width: usize) -> [Line; 2] {
        // Deck titles and topics come from deck files: through the one door.
        let title = super::sanitize(&self.title);
        // The title is cut before the marks are: a flag must show.
        let marks = self.marks_after_title();
        let room = width.saturating_sub(width_of(&marks));
        let title = format!("{}{marks}", truncate(&title, room));
        let title = vec![Span::new(truncate(&title, width), Style::BOLD)];
        let info = truncate(&super::sanitize(&self.info), width);
        let rule = width.saturating_sub(width_of(&info) + 1);
        let mut second = vec![Span::new(info, Style::DIM)];
        if rule > 0 {
            second.push(Span::new(format!(" {}", "─".repeat(rule)), Style::DIM));
        }
        [title, second]
    }

    /// The body at `width`, with a margin: sections apart by a blank line,
    /// a rule where a section asks for one.
    pub fn body(&self, width: usize) -> Vec<Line> {
        let inner = width.saturating_sub(2 * MARGIN).max(16);
        let mut out: Vec<Line> = Vec::new();
        for (i, section) in self.sections.iter().enumerate() {
            if i > 0 {
                out.push(Vec::new());
            }
            if section.rule {
                out.push(vec![Span::new("─".repeat(inner.min(60)), Style::DIM)]);
                out.push(Vec::new());
            }
            out.extend(section.lines(inner));
        }
        for line in &mut out {
            if !line.is_empty() {
                line.insert(0, Span::plain(" ".repeat(MARGIN)));
            }
        }
        out
    }

    /// What a line prompter prints for this frame: the title line and the
    /// sections not shown before, at 80 columns, without styling.
    pub fn new_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.shown == 0 {
            out.push(String::new());
            out.push(format!(
                "{}{}    {}",
                self.title,
                self.marks_after_title(),
                self.info
            ));
            out.push(String::new());
        }
        for section in &self.sections[self.shown.min(self.sections.len())..] {
            if section.rule {
                out.push("―――".to_string());
            }
            out.extend(section.lines(80).iter().map(|l| super::plain(l)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame {
        Frame {
            title: "Module 1 · Codex Code Internals › Hooks and their exit codes".into(),
            marks: String::new(),
            info: "card 1/14 · 9 due · 5 new · 0 again".into(),
            sections: vec![
                Section::markdown("Which exit code **blocks** a tool call?", Style::BOLD),
                Section::markdown("Exit code `2`.", Style::PLAIN).after_rule(),
            ],
            shown: 0,
        }
    }

    #[test]
    fn the_header_fits_any_width_with_its_counts_whole() {
        for width in [40, 60, 80, 100] {
            let [title, info] = frame().header(width);
            let (title, info) = (super::super::plain(&title), super::super::plain(&info));
            assert!(width_of(&title) <= width, "{title}");
            assert_eq!(width_of(&info), width, "{info}");
            assert!(
                info.starts_with("card 1/14 · 9 due · 5 new · 0 again ─"),
                "{info}"
            );
        }
        let [title, _] = frame().header(40);
        assert_eq!(
            super::super::plain(&title),
            "Module 1 · Codex Code Internals › Hooks…"
        );
    }

    #[test]
    fn a_long_title_is_cut_before_the_marks() {
        let mut f = frame();
        f.marks = "[⚑ flagged]  [leech]".into();
        let [title, _] = f.header(60);
        assert_eq!(
            super::super::plain(&title),
            "Module 1 · Codex Code Internals › Hoo…  [⚑ flagged]  [leech]"
        );
        assert_eq!(
            f.new_lines()[1].split("    ").next(),
            Some(
                "Module 1 · Codex Code Internals › Hooks and their exit codes  [⚑ flagged]  [leech]"
            )
        );
    }

    #[test]
    fn a_line_prompter_gets_only_what_is_new() {
        let mut f = frame();
        f.shown = 1;
        assert_eq!(f.new_lines(), ["―――", "Exit code 2."]);
    }
}
