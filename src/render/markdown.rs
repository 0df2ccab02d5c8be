//! Card text is CommonMark. pulldown-cmark parses it (a maintained parser
//! gets nesting, code spans and escapes right where regexes would not), and
//! this turns its events into blocks of styled spans for the wrapper.

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::sanitize;
use super::style::{Span, Style};

/// Private-use characters that bracket a highlighted run (a revealed cloze
/// deletion): Markdown has no syntax for it, and these can't be typed by
/// accident in a deck.
pub const HIGHLIGHT_START: char = '\u{e000}';
pub const HIGHLIGHT_END: char = '\u{e001}';

/// A block of the rendered text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Flowing text, wrapped at word boundaries: `first` prefixes its first
    /// line (a list marker), `rest` the others (the hanging indent).
    Text {
        first: String,
        rest: String,
        spans: Vec<Span>,
        /// The list it is an item of: no blank line between the items
        /// of one list.
        item: Option<Item>,
    },
    /// A fenced or indented code block: lines kept exactly as written.
    Code { indent: String, lines: Vec<String> },
    /// A thematic break.
    Rule,
}

/// Which list a block is an item of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub list: usize,
    pub depth: usize,
}

/// One open list: its next number (`None` for bullets) and its serial.
struct List {
    next: Option<u64>,
    serial: usize,
}

#[derive(Default)]
struct Builder {
    blocks: Vec<Block>,
    spans: Vec<Span>,
    first: String,
    rest: String,
    item: Option<Item>,
    lists: Vec<List>,
    /// Lists opened so far, to tell one list from the next.
    serials: usize,
    quote: usize,
    styles: Vec<Style>,
    links: Vec<String>,
    /// The text of the open code block.
    code: Option<String>,
    highlight: bool,
}

impl Builder {
    fn style(&self) -> Style {
        let mut s = self.styles.last().copied().unwrap_or_default();
        s.mark |= self.highlight;
        s
    }

    fn push_style(&mut self, change: impl FnOnce(&mut Style)) {
        let mut s = self.styles.last().copied().unwrap_or_default();
        change(&mut s);
        self.styles.push(s);
    }

    /// The prefix every line of the current nesting carries.
    fn indent(&self) -> String {
        let mut out = "│ ".repeat(self.quote);
        for _ in 0..self.lists.len().saturating_sub(1) {
            out.push_str("   ");
        }
        out
    }

    fn text(&mut self, text: &str, base: Style) {
        let text = sanitize(text).replace('\t', "    ");
        // Highlight markers split the text into runs.
        let mut run = String::new();
        for c in text.chars() {
            if c == HIGHLIGHT_START || c == HIGHLIGHT_END {
                self.push_run(&mut run, base);
                self.highlight = c == HIGHLIGHT_START;
            } else {
                run.push(c);
            }
        }
        self.push_run(&mut run, base);
    }

    fn push_run(&mut self, run: &mut String, base: Style) {
        if run.is_empty() {
            return;
        }
        let mut style = base;
        style.mark |= self.highlight;
        self.spans.push(Span::new(std::mem::take(run), style));
    }

    /// Ends the current flowing block, if it has text.
    fn flush(&mut self) {
        if self.spans.iter().all(|s| s.text.trim().is_empty()) {
            self.spans.clear();
            return;
        }
        let first = if self.first.is_empty() {
            self.rest.clone()
        } else {
            std::mem::take(&mut self.first)
        };
        self.blocks.push(Block::Text {
            first,
            rest: self.rest.clone(),
            spans: std::mem::take(&mut self.spans),
            item: self.item.take(),
        });
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                if self.first.is_empty() {
                    self.flush();
                    self.rest = self.indent_for_text();
                }
            }
            Tag::Heading { level, .. } => {
                self.flush();
                self.rest = self.indent_for_text();
                self.push_style(|s| {
                    s.bold = true;
                    s.italic |= level > HeadingLevel::H2;
                });
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.quote += 1;
            }
            Tag::CodeBlock(_) => {
                self.flush();
                self.code = Some(String::new());
            }
            Tag::List(start) => {
                self.flush();
                self.serials += 1;
                self.lists.push(List {
                    next: start,
                    serial: self.serials,
                });
            }
            Tag::Item => {
                self.flush();
                let depth = self.lists.len();
                let list = self.lists.last().map_or(0, |l| l.serial);
                let marker = match self.lists.last_mut() {
                    Some(List { next: Some(n), .. }) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "• ".to_string(),
                };
                let base = self.indent();
                self.rest = format!("{base}{}", " ".repeat(marker.chars().count()));
                self.first = format!("{base}{marker}");
                self.item = Some(Item { list, depth });
            }
            Tag::Emphasis => self.push_style(|s| s.italic = true),
            Tag::Strong => self.push_style(|s| s.bold = true),
            Tag::Strikethrough => self.push_style(|s| s.dim = true),
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                self.links.push(dest_url.to_string());
                self.push_style(|_| {});
            }
            _ => self.push_style(|_| {}),
        }
    }

    /// The hanging indent of text inside the current list item or quote.
    fn indent_for_text(&self) -> String {
        if self.lists.is_empty() {
            "│ ".repeat(self.quote)
        } else {
            self.rest.clone()
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Item => self.flush(),
            TagEnd::Heading(_) => {
                self.flush();
                self.styles.pop();
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote = self.quote.saturating_sub(1);
                self.rest = self.indent_for_text();
            }
            TagEnd::CodeBlock => {
                let lines = code_lines(&self.code.take().unwrap_or_default());
                let indent = if self.lists.is_empty() {
                    "│ ".repeat(self.quote)
                } else {
                    self.rest.clone()
                };
                self.blocks.push(Block::Code { indent, lines });
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                self.rest = self.indent_for_text();
            }
            TagEnd::Link | TagEnd::Image => {
                self.styles.pop();
                if let Some(url) = self.links.pop() {
                    let shown: String = self.spans.iter().map(|s| s.text.as_str()).collect();
                    // A bare URL already shows itself.
                    if !url.is_empty() && !shown.ends_with(url.as_str()) {
                        let dim = Style {
                            dim: true,
                            ..self.style()
                        };
                        self.text(&format!(" ({url})"), dim);
                    }
                }
            }
            _ => {
                self.styles.pop();
            }
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => match &mut self.code {
                Some(code) => code.push_str(&text),
                None => {
                    let style = self.style();
                    self.text(&text, style);
                }
            },
            Event::Code(text) => {
                let style = Style {
                    code: true,
                    ..self.style()
                };
                self.text(&text, style);
            }
            Event::Html(text) | Event::InlineHtml(text) => {
                let style = self.style();
                self.text(text.trim_end_matches('\n'), style);
            }
            Event::SoftBreak => self.spans.push(Span::plain(" ")),
            Event::HardBreak => self.spans.push(Span::plain("\n")),
            Event::Rule => {
                self.flush();
                self.blocks.push(Block::Rule);
            }
            Event::TaskListMarker(done) => {
                let style = self.style();
                self.text(if done { "[x] " } else { "[ ] " }, style);
            }
            Event::FootnoteReference(name) => {
                let style = self.style();
                self.text(&format!("[^{name}]"), style);
            }
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                let style = self.style();
                self.text(&text, style);
            }
        }
    }
}

/// `text` as blocks of styled spans. Code block lines keep their text
/// exactly; every other run is sanitized and has tabs expanded.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut b = Builder::default();
    for event in Parser::new(text) {
        b.event(event);
    }
    b.flush();
    b.blocks
}

/// A code block's lines: sanitized, tabs expanded (a tab's width depends on
/// the terminal), nothing else changed; trailing blank lines dropped.
fn code_lines(code: &str) -> Vec<String> {
    let text = sanitize(code).replace('\t', "    ");
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines
}
