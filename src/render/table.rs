//! Plain-text tables that fit a width: each column as wide as its widest
//! cell, and the columns marked as text (a card's front, say) cut with an
//! ellipsis when the row would be wider than the terminal. Ids and numbers
//! are never cut: a cut id can't be pasted into the next command.

use super::wrap::{truncate, width_of};

/// The narrowest a text column is cut to before the line overflows.
const MIN_TEXT: usize = 12;
const GAP: &str = "  ";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub header: &'static str,
    pub align: Align,
    /// Text that may be cut to fit.
    pub cut: bool,
}

/// The table as lines of at most `width` columns (when the fixed columns
/// leave room), header first, without trailing spaces.
pub fn render(columns: &[Column], mut rows: Vec<Vec<String>>, width: usize) -> String {
    // Each cell's width is measured once: a listing can have 30k rows.
    let mut cell_widths: Vec<Vec<usize>> = Vec::with_capacity(rows.len());
    for row in &mut rows {
        for cell in row.iter_mut() {
            one_line(cell);
        }
        cell_widths.push(row.iter().map(|c| width_fast(c)).collect());
    }
    let mut widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cell_widths
                .iter()
                .map(|r| r.get(i).copied().unwrap_or(0))
                .max()
                .unwrap_or(0)
                .max(width_of(c.header))
        })
        .collect();
    let total = |w: &[usize]| w.iter().sum::<usize>() + GAP.len() * w.len().saturating_sub(1);
    let mut over = total(&widths).saturating_sub(width);
    // Cut the widest text column first, down to MIN_TEXT, then the next.
    while over > 0 {
        let Some((i, _)) = widths
            .iter()
            .enumerate()
            .filter(|(i, w)| columns[*i].cut && **w > MIN_TEXT)
            .max_by_key(|(_, w)| **w)
        else {
            break;
        };
        let others = widths
            .iter()
            .enumerate()
            .filter(|(j, w)| *j != i && columns[*j].cut && **w > MIN_TEXT)
            .map(|(_, w)| *w)
            .max()
            .unwrap_or(MIN_TEXT);
        let cut = (widths[i] - others.max(MIN_TEXT)).clamp(1, over);
        widths[i] -= cut;
        over -= cut;
    }
    let header: Vec<String> = columns.iter().map(|c| c.header.to_string()).collect();
    let header_widths: Vec<usize> = header.iter().map(|h| width_of(h)).collect();
    let mut out = String::with_capacity((rows.len() + 1) * (width + 1));
    let mut line = String::new();
    for (row, cell_widths) in
        std::iter::once((&header, &header_widths)).chain(rows.iter().zip(cell_widths.iter()))
    {
        line.clear();
        for (i, col) in columns.iter().enumerate() {
            let text = row.get(i).map_or("", String::as_str);
            let mut shown = cell_widths.get(i).copied().unwrap_or(0);
            let cut;
            let cell = if col.cut && shown > widths[i] {
                cut = truncate(text, widths[i]);
                shown = width_of(&cut);
                cut.as_str()
            } else {
                text
            };
            let pad = widths[i].saturating_sub(shown);
            if i > 0 {
                line.push_str(GAP);
            }
            match col.align {
                Align::Left => {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                Align::Right => {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Display columns, counted by bytes for ASCII text.
fn width_fast(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        width_of(text)
    }
}

/// A cell's text on one line: runs of white space become one space. Most
/// cells have none to fold and are left as they are.
fn one_line(text: &mut String) {
    let folded = text
        .as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_whitespace() && w[1].is_ascii_whitespace())
        || text.chars().any(|c| c.is_whitespace() && c != ' ')
        || text.starts_with(' ')
        || text.ends_with(' ');
    if folded {
        *text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> Vec<Column> {
        vec![
            Column {
                header: "front",
                align: Align::Left,
                cut: true,
            },
            Column {
                header: "ivl",
                align: Align::Right,
                cut: false,
            },
        ]
    }

    #[test]
    fn fits_the_width_by_cutting_text_columns_only() {
        let rows = vec![vec![
            "a long front that goes on\nand on".to_string(),
            "21d".into(),
        ]];
        let text = render(&cols(), rows, 20);
        assert_eq!(text, "front            ivl\na long front t…  21d\n");
        assert!(text.lines().all(|l| width_of(l) <= 20));
    }

    #[test]
    fn a_wide_terminal_cuts_nothing() {
        let rows = vec![vec!["short".to_string(), "1d".into()]];
        assert_eq!(render(&cols(), rows, 80), "front  ivl\nshort   1d\n");
    }
}
