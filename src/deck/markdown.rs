//! The one Markdown line classifier shared by the deck parser and the
//! docs-tree reader, so the two can never disagree on where a code block,
//! and so a note, ends. Fences follow CommonMark: a closing fence uses the
//! opening fence's character and is at least as long.

/// An open code fence: its character, length and 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence {
    pub marker: char,
    pub len: usize,
    pub line: usize,
}

/// Tracks code fences line by line.
#[derive(Debug, Default, Clone)]
pub struct Fences {
    open: Option<Fence>,
}

impl Fences {
    /// Feeds the next line; returns true when the line is code (inside a
    /// fence, or a fence line itself), so it can't be a heading or a field.
    pub fn code(&mut self, line: &str, number: usize) -> bool {
        match self.open {
            Some(open) => {
                if closes(line, open) {
                    self.open = None;
                }
                true
            }
            None => match opening(line) {
                Some((marker, len)) => {
                    self.open = Some(Fence {
                        marker,
                        len,
                        line: number,
                    });
                    true
                }
                None => false,
            },
        }
    }

    /// The fence still open at the end of the text, if any.
    pub fn unclosed(&self) -> Option<Fence> {
        self.open
    }
}

/// Leading indentation of at most three spaces, as CommonMark allows.
fn unindent(line: &str) -> Option<&str> {
    let spaces = line.bytes().take_while(|b| *b == b' ').count();
    (spaces <= 3).then(|| &line[spaces..])
}

fn opening(line: &str) -> Option<(char, usize)> {
    let t = unindent(line)?;
    let marker = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = t.chars().take_while(|c| *c == marker).count();
    if len < 3 {
        return None;
    }
    // A backtick fence's info string may not hold a backtick.
    if marker == '`' && t[len..].contains('`') {
        return None;
    }
    Some((marker, len))
}

fn closes(line: &str, open: Fence) -> bool {
    let Some(t) = unindent(line) else {
        return false;
    };
    let len = t.chars().take_while(|c| *c == open.marker).count();
    len >= open.len && t[len * open.marker.len_utf8()..].trim().is_empty()
}

/// `(level, text)` for an ATX heading of level 1 to 6.
pub fn heading(line: &str) -> Option<(usize, &str)> {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    Some((hashes, rest.trim().trim_end_matches('#').trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// Which lines of `text` are code.
    fn code_lines(text: &str) -> Vec<bool> {
        let mut f = Fences::default();
        text.lines()
            .enumerate()
            .map(|(i, l)| f.code(l, i + 1))
            .collect()
    }

    #[rstest]
    // A longer fence is closed only by one at least as long.
    #[case::four_holds_three("````\n```\nx\n```\n````\nafter", vec![true, true, true, true, true, false])]
    // Tildes and backticks don't close each other.
    #[case::kinds("~~~\n```\n~~~\nafter", vec![true, true, true, false])]
    #[case::closing_may_be_longer("```\nx\n`````\nafter", vec![true, true, true, false])]
    #[case::closing_has_no_info("```\n``` rust\n```\nafter", vec![true, true, true, false])]
    #[case::four_spaces_is_not_a_fence("    ```\nafter", vec![false, false])]
    #[case::backtick_info_with_backtick("``` a`b\nafter", vec![false, false])]
    fn fences_follow_commonmark(#[case] text: &str, #[case] expected: Vec<bool>) {
        assert_eq!(code_lines(text), expected);
    }

    #[test]
    fn an_unclosed_fence_is_remembered_with_its_line() {
        let mut f = Fences::default();
        for (i, l) in "a\n~~~~\nb".lines().enumerate() {
            f.code(l, i + 1);
        }
        assert_eq!(
            f.unclosed(),
            Some(Fence {
                marker: '~',
                len: 4,
                line: 2
            })
        );
    }

    #[rstest]
    #[case("# T", Some((1, "T")))]
    #[case("## Q: a ##", Some((2, "Q: a")))]
    #[case("#no", None)]
    #[case("####### seven", None)]
    fn headings(#[case] line: &str, #[case] expected: Option<(usize, &str)>) {
        assert_eq!(heading(line), expected);
    }
}
