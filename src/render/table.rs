//! Plain-text tables that fit a width: each column as wide as its widest
//! cell, and the columns marked as text (a card's front, say) cut with an
//! ellipsis when the row would be wider than the terminal. Ids and numbers
//! are never cut: a cut id can't be pasted into the next command.

use super::wrap::{cut_before_ellipsis, is_printable_ascii, width_of};

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

/// A table's cells, row after row, in one buffer: a listing of 30k cards
/// would otherwise own a string per cell. Each cell is made printable and
/// put on one line as it is added, and measured once.
#[derive(Debug, Clone)]
pub struct Cells {
    columns: usize,
    text: String,
    /// Where each cell ends in `text`, and its display width.
    cells: Vec<(usize, usize)>,
}

impl Cells {
    pub fn new(columns: usize) -> Cells {
        Cells {
            columns,
            text: String::new(),
            cells: Vec::new(),
        }
    }

    /// Adds the next cell, filling rows left to right: control characters
    /// become visible escapes (an escape printed as `\x1b` is wider than
    /// the raw byte, so this comes before measuring), then runs of white
    /// space become one space.
    pub fn push(&mut self, text: &str) {
        let start = self.text.len();
        let plain = is_printable_ascii(text)
            && !text.starts_with(' ')
            && !text.ends_with(' ')
            && !text.contains("  ");
        let width = if plain {
            self.text.push_str(text);
            text.len()
        } else {
            // One pass: a control character that counts as white space
            // (`\r`) is escaped, not folded, as `sanitize` then folding
            // would do.
            let mut space = false;
            for c in text.chars() {
                if c.is_whitespace() && !super::sanitize::is_control(c) {
                    space = self.text.len() > start;
                    continue;
                }
                if space {
                    self.text.push(' ');
                    space = false;
                }
                if c.is_ascii_graphic() {
                    self.text.push(c);
                } else {
                    super::sanitize::push_visible(&mut self.text, c);
                }
            }
            measure(&self.text[start..])
        };
        self.cells.push((self.text.len(), width));
    }

    /// The number of complete rows.
    pub fn rows(&self) -> usize {
        self.cells.len() / self.columns.max(1)
    }

    /// Cell `column` of row `row`, and its width.
    fn get(&self, row: usize, column: usize) -> (&str, usize) {
        let i = row * self.columns + column;
        let start = if i == 0 { 0 } else { self.cells[i - 1].0 };
        let (end, width) = self.cells[i];
        (&self.text[start..end], width)
    }

    /// The rows in `order` (numbered as they were added), with the columns
    /// `keep` allows: a listing is sorted, and an empty column dropped,
    /// after its cells are read.
    pub fn select(&self, order: &[usize], keep: impl Fn(usize) -> bool) -> Cells {
        let columns: Vec<usize> = (0..self.columns).filter(|c| keep(*c)).collect();
        let mut out = Cells::new(columns.len());
        out.text.reserve(self.text.len());
        out.cells.reserve(order.len() * columns.len());
        for &row in order {
            for &column in &columns {
                let (text, width) = self.get(row, column);
                out.text.push_str(text);
                out.cells.push((out.text.len(), width));
            }
        }
        out
    }
}

/// Display columns, counted by bytes for printable ASCII.
fn measure(text: &str) -> usize {
    if is_printable_ascii(text) {
        text.len()
    } else {
        width_of(text)
    }
}

/// The table as lines of at most `width` columns (when the fixed columns
/// leave room), header first, without trailing spaces.
pub fn render(columns: &[Column], cells: &Cells, width: usize) -> String {
    let rows = cells.rows();
    let mut widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (0..rows)
                .map(|r| cells.get(r, i).1)
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
    let mut out = String::with_capacity((rows + 1) * (width + 1));
    let header = columns.iter().map(|c| (c.header, width_of(c.header)));
    let header: Vec<(&str, usize)> = header.collect();
    let mut line = String::new();
    for row in std::iter::once(None).chain((0..rows).map(Some)) {
        line.clear();
        for (i, col) in columns.iter().enumerate() {
            let (text, mut shown) = match row {
                None => header[i],
                Some(r) => cells.get(r, i),
            };
            let cut = col.cut && shown > widths[i];
            let text = if cut {
                let kept = cut_before_ellipsis(text, widths[i]);
                shown = measure(kept) + 1;
                kept
            } else {
                text
            };
            let pad = widths[i].saturating_sub(shown);
            if i > 0 {
                line.push_str(GAP);
            }
            if col.align == Align::Right {
                line.extend(std::iter::repeat_n(' ', pad));
            }
            line.push_str(text);
            if cut {
                line.push('…');
            }
            if col.align == Align::Left {
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(texts: &[&str]) -> Cells {
        let mut cells = Cells::new(2);
        for t in texts {
            cells.push(t);
        }
        cells
    }

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
        let text = render(
            &cols(),
            &cells(&["a long front that goes on\nand on", "21d"]),
            20,
        );
        assert_eq!(text, "front            ivl\na long front t…  21d\n");
        assert!(text.lines().all(|l| width_of(l) <= 20));
    }

    #[test]
    fn a_wide_terminal_cuts_nothing() {
        assert_eq!(
            render(&cols(), &cells(&["short", "1d"]), 80),
            "front  ivl\nshort   1d\n"
        );
    }

    #[test]
    fn cells_are_made_visible_and_put_on_one_line_before_measuring() {
        let c = cells(&["  two  spaces\tand\nlines ", "a\u{1b}[2J", "日本", "plain"]);
        assert_eq!(c.get(0, 0), ("two spaces and lines", 20));
        assert_eq!(c.get(0, 1), ("a\\x1b[2J", 8));
        assert_eq!(c.get(1, 0), ("日本", 4));
        assert_eq!(c.get(1, 1), ("plain", 5));
        assert_eq!(c.rows(), 2);
    }

    #[test]
    fn select_puts_rows_in_order_and_leaves_columns_out() {
        let c = cells(&["a", "1", "b", "2", "c", "3"]).select(&[2, 0, 1], |col| col == 1);
        let rows: Vec<&str> = (0..c.rows()).map(|r| c.get(r, 0).0).collect();
        assert_eq!(rows, ["3", "1", "2"]);
    }

    #[test]
    fn a_cut_wide_text_keeps_whole_characters() {
        // 12 columns for the front: a sixth two-column character and the
        // ellipsis would take 13.
        let text = render(&cols(), &cells(&["日本語のテキストです", "1d"]), 17);
        assert_eq!(text, "front         ivl\n日本語のテ…    1d\n");
    }
}
