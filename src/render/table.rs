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
pub fn render(columns: &[Column], rows: &[Vec<String>], width: usize) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| one_line(c)).collect())
        .collect();
    let mut widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .map(|r| r.get(i).map_or(0, |s| width_of(s)))
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
    let mut out = String::new();
    let header: Vec<String> = columns.iter().map(|c| c.header.to_string()).collect();
    for row in std::iter::once(&header).chain(rows.iter()) {
        let mut line = String::new();
        for (i, col) in columns.iter().enumerate() {
            let cell = row.get(i).map_or("", String::as_str);
            let cell = if col.cut {
                truncate(cell, widths[i])
            } else {
                cell.to_string()
            };
            let pad = widths[i].saturating_sub(width_of(&cell));
            if i > 0 {
                line.push_str(GAP);
            }
            match col.align {
                Align::Left => {
                    line.push_str(&cell);
                    line.push_str(&" ".repeat(pad));
                }
                Align::Right => {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(&cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A cell's text on one line: runs of white space become one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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
        let rows = vec![vec!["a long front that goes on\nand on".to_string(), "21d".into()]];
        let text = render(&cols(), &rows, 20);
        assert_eq!(text, "front            ivl\na long front th…  21d\n");
        assert!(text.lines().all(|l| width_of(l) <= 20));
    }

    #[test]
    fn a_wide_terminal_cuts_nothing() {
        let rows = vec![vec!["short".to_string(), "1d".into()]];
        assert_eq!(render(&cols(), &rows, 80), "front  ivl\nshort   1d\n");
    }
}
