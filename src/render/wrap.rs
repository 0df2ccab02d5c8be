//! Blocks into screen lines: flowing text breaks only between words, at the
//! display width of each character (CJK and emoji take two columns), so
//! nothing is cut mid-word at any width. Only a word longer than a whole
//! line is broken, because it can't fit otherwise.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::markdown::Block;
use super::style::{Line, Span, Style};

/// Display columns of `text`.
pub fn width_of(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Text whose every byte is one column wide: its width is its length.
pub fn is_printable_ascii(text: &str) -> bool {
    text.bytes().all(is_printable_byte)
}

/// A printable ASCII character: one byte, one column.
fn is_printable_byte(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

fn line_width(line: &[Span]) -> usize {
    line.iter().map(|s| width_of(&s.text)).sum()
}

/// `text` cut to `width` columns, with an ellipsis when anything was cut:
/// for headers, which must stay on one line.
pub fn truncate(text: &str, width: usize) -> String {
    if width_of(text) <= width {
        return text.to_string();
    }
    let mut out = cut_before_ellipsis(text, width).to_string();
    out.push('…');
    out
}

/// The start of `text` that leaves room for an ellipsis within `width`
/// columns, without trailing spaces. Printable ASCII is cut by bytes.
pub fn cut_before_ellipsis(text: &str, width: usize) -> &str {
    let room = width.saturating_sub(1);
    // Printable ASCII up to the cut and one character past it: a byte
    // each, and a cluster boundary at the cut (no ASCII character extends
    // the one before it).
    let ascii = text
        .bytes()
        .take(room + 1)
        .take_while(|b| is_printable_byte(*b))
        .count();
    let end = if ascii > room || ascii == text.len() {
        room.min(text.len())
    } else {
        // By grapheme cluster: a flag or a family emoji is kept whole or
        // left out whole. The clusters start at the last ASCII character,
        // which what follows it may extend (an accent); before it, one
        // byte is one column.
        let from = ascii.saturating_sub(1);
        let mut used = from;
        text[from..]
            .grapheme_indices(true)
            .find(|(_, g)| {
                used += width_of(g);
                used > room
            })
            .map_or(text.len(), |(i, _)| from + i)
    };
    text[..end].trim_end()
}

enum Token {
    /// Pieces of one word, each in its own style (`**bold**.` is one word).
    Word(Vec<Span>),
    /// A hard line break.
    Break,
}

fn tokens(spans: &[Span]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut word: Vec<Span> = Vec::new();
    let end_word = |word: &mut Vec<Span>, out: &mut Vec<Token>| {
        if !word.is_empty() {
            out.push(Token::Word(std::mem::take(word)));
        }
    };
    for span in spans {
        for c in span.text.chars() {
            match c {
                '\n' => {
                    end_word(&mut word, &mut out);
                    out.push(Token::Break);
                }
                c if c.is_whitespace() && c != '\u{a0}' => end_word(&mut word, &mut out),
                c => match word.last_mut() {
                    Some(last) if last.style == span.style => last.text.push(c),
                    _ => word.push(Span::new(c.to_string(), span.style)),
                },
            }
        }
    }
    end_word(&mut word, &mut out);
    out
}

fn prefix_span(prefix: &str) -> Span {
    if prefix.contains('│') {
        Span::new(prefix, Style::DIM)
    } else {
        Span::plain(prefix)
    }
}

/// Splits a word too long for any line into pieces of at most `room`
/// columns (at least one character each), after a `/` or `-` where one
/// falls in the second half of a piece (a URL breaks between its parts).
/// Pieces end between grapheme clusters: a family emoji, a flag or a
/// letter with its accent is never cut in two.
fn split_word(word: &[Span], room: usize) -> Vec<Vec<Span>> {
    let text: String = word.iter().map(|s| s.text.as_str()).collect();
    // Each cluster with the style of the span it starts in.
    let mut ends = word.iter().scan(0, |end, s| {
        *end += s.text.len();
        Some((*end, s.style))
    });
    let mut span = ends.next();
    let mut units: Vec<(&str, Style)> = Vec::new();
    for (at, g) in text.grapheme_indices(true) {
        while let Some((end, _)) = span
            && at >= end
        {
            span = ends.next();
        }
        units.push((g, span.map_or(Style::PLAIN, |(_, style)| style)));
    }
    let mut cuts = Vec::new();
    let (mut start, mut used) = (0, 0);
    for (i, (g, _)) in units.iter().enumerate() {
        let w = width_of(g);
        if used + w > room && i > start {
            let soft = (start + 1..i)
                .rev()
                .take_while(|j| j - start > (i - start) / 2)
                .find(|j| matches!(units[j - 1].0, "/" | "-"));
            let cut = soft.unwrap_or(i);
            cuts.push(cut);
            start = cut;
            used = units[cut..i].iter().map(|(g, _)| width_of(g)).sum();
        }
        used += w;
    }
    let mut pieces: Vec<Vec<Span>> = Vec::new();
    let mut bounds = vec![0];
    bounds.extend(cuts);
    bounds.push(units.len());
    for pair in bounds.windows(2) {
        let mut piece: Vec<Span> = Vec::new();
        for (g, style) in &units[pair[0]..pair[1]] {
            match piece.last_mut() {
                Some(last) if last.style == *style => last.text.push_str(g),
                _ => piece.push(Span::new(g.to_string(), *style)),
            }
        }
        pieces.push(piece);
    }
    pieces
}

/// Flowing text wrapped at `width` columns, `first` before its first line
/// and `rest` before the others.
pub fn wrap_spans(first: &str, rest: &str, spans: &[Span], width: usize) -> Vec<Line> {
    // A prefix wider than the screen still leaves room for some text.
    let width = width.max(width_of(rest) + 8).max(width_of(first) + 8);
    let mut lines = Vec::new();
    let mut line: Line = vec![prefix_span(first)];
    let mut used = width_of(first);
    let mut empty = true;
    for token in tokens(spans) {
        match token {
            Token::Break => {
                lines.push(std::mem::replace(&mut line, vec![prefix_span(rest)]));
                used = width_of(rest);
                empty = true;
            }
            Token::Word(word) => {
                let w = line_width(&word);
                let gap = usize::from(!empty);
                if used + gap + w > width && !empty {
                    lines.push(std::mem::replace(&mut line, vec![prefix_span(rest)]));
                    used = width_of(rest);
                    empty = true;
                }
                if !empty {
                    // The space between two words of one style takes that
                    // style, so a bold phrase is one run.
                    let before = line.last().map(|s| s.style);
                    let after = word.first().map(|s| s.style);
                    let style = if before == after {
                        before.unwrap_or_default()
                    } else {
                        Style::PLAIN
                    };
                    line.push(Span::new(" ", style));
                    used += 1;
                }
                if used + w <= width {
                    used += w;
                    line.extend(word);
                } else {
                    let pieces = split_word(&word, width - used);
                    let count = pieces.len();
                    for (i, piece) in pieces.into_iter().enumerate() {
                        used += line_width(&piece);
                        line.extend(piece);
                        if i + 1 < count {
                            lines.push(std::mem::replace(&mut line, vec![prefix_span(rest)]));
                            used = width_of(rest);
                        }
                    }
                }
                empty = false;
            }
        }
    }
    lines.push(line);
    for l in &mut lines {
        *l = merge(std::mem::take(l));
    }
    // Prefix-only spans on empty lines would leave trailing spaces.
    for l in &mut lines {
        if let Some(last) = l.last_mut() {
            let trimmed = last.text.trim_end().len();
            last.text.truncate(trimmed);
        }
        l.retain(|s| !s.text.is_empty());
    }
    lines
}

/// Adjacent runs of one style as one span.
fn merge(line: Line) -> Line {
    let mut out: Line = Vec::with_capacity(line.len());
    for span in line {
        match out.last_mut() {
            Some(last) if last.style == span.style => last.text.push_str(&span.text),
            _ => out.push(span),
        }
    }
    out
}

const CODE: Style = Style {
    code: true,
    ..Style::PLAIN
};

/// A code line wider than the screen is broken at the edge, each piece
/// after the first marked with `↪`: it is never reflowed, and no character
/// is lost off the edge.
fn code_line(indent: &str, text: &str, width: usize) -> Vec<Line> {
    let room = width.saturating_sub(width_of(indent)).max(8);
    if width_of(text) <= room {
        let mut line = vec![prefix_span(indent)];
        if !text.is_empty() {
            line.push(Span::new(text, CODE));
        }
        line.retain(|s| !s.text.is_empty());
        return vec![line];
    }
    let pieces = split_word(&[Span::new(text, CODE)], room - 2);
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let mut line = vec![prefix_span(indent)];
            if i > 0 {
                line.push(Span::new("↪ ", Style::DIM));
            }
            line.extend(piece);
            line.retain(|s| !s.text.is_empty());
            line
        })
        .collect()
}

/// Blocks laid out at `width` columns, a blank line between blocks (none
/// between the items of a list).
pub fn layout(blocks: &[Block], width: usize) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        // Items of one list follow each other; a nested list is part of
        // its item.
        let joined = match (i.checked_sub(1).map(|p| &blocks[p]), block) {
            (Some(Block::Text { item: Some(a), .. }), Block::Text { item: Some(b), .. }) => {
                a.list == b.list || a.depth != b.depth
            }
            _ => false,
        };
        if i > 0 && !joined {
            lines.push(Vec::new());
        }
        match block {
            Block::Text {
                first, rest, spans, ..
            } => lines.extend(wrap_spans(first, rest, spans, width)),
            Block::Code {
                indent,
                lines: code,
            } => {
                for l in code {
                    lines.extend(code_line(indent, l, width));
                }
            }
            Block::Rule => lines.push(vec![Span::new("─".repeat(width.clamp(1, 40)), Style::DIM)]),
        }
    }
    lines
}
