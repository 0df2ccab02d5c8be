//! Everything that turns text into what the terminal shows: the one safety
//! door for untrusted text (`sanitize`), Markdown into styled blocks, and
//! blocks into lines wrapped at word boundaries for a given width.

mod frame;
mod markdown;
mod sanitize;
mod style;
pub mod table;
mod wrap;

pub use frame::{Frame, Section};
pub use markdown::{Block, HIGHLIGHT_END, HIGHLIGHT_START, Item, blocks};
pub use sanitize::{sanitize, sanitize_json, single_line};
pub use style::{Line, Span, Style, paint, plain};
pub use wrap::{layout, truncate, width_of, wrap_spans};

/// Markdown text laid out at `width` columns: the lines a screen prints.
pub fn markdown(text: &str, width: usize) -> Vec<Line> {
    layout(&blocks(text), width)
}

/// A count and its noun: "1 card", "2 cards", "0 errors".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Whether styled output is wanted on stdout: a terminal, and `NO_COLOR`
/// unset or empty (no-color.org).
pub fn colour_wanted() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests;
