//! Checking typed answers: forgiving of case, surrounding punctuation,
//! spacing and one typo per 8 characters.

/// Lowercase, no Markdown emphasis or code marks, single spaces, no
/// punctuation at either end.
pub fn normalize(text: &str) -> String {
    let plain: String = text.chars().filter(|c| !matches!(c, '`' | '*')).collect();
    let words: Vec<&str> = plain.split_whitespace().collect();
    words
        .join(" ")
        .to_lowercase()
        .trim_matches(|c: char| c.is_ascii_punctuation() || c == '“' || c == '”')
        .to_string()
}

/// Typos forgiven for an expected answer of this many characters.
pub fn allowed_typos(expected: &str) -> usize {
    expected.chars().count() / 8
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Exact,
    /// Accepted with this many typos.
    Typos(usize),
    /// Wrong, but within two edits of being accepted.
    NearMiss(usize),
    Wrong,
}

impl Verdict {
    pub fn correct(self) -> bool {
        matches!(self, Verdict::Exact | Verdict::Typos(_))
    }
}

/// Longest answer, in characters after normalising, compared letter by
/// letter; a longer one must match exactly. Typed questions have answers of
/// five words at most, so this is far above any real answer, and it bounds
/// the edit-distance table at 200 × 200 cells whatever is pasted in.
pub const MAX_COMPARED_CHARS: usize = 200;

pub fn check(given: &str, expected: &str) -> Verdict {
    let (g, e) = (normalize(given), normalize(expected));
    if g.is_empty() {
        return Verdict::Wrong;
    }
    if g == e {
        return Verdict::Exact;
    }
    let allowed = allowed_typos(&e);
    let (gl, el) = (g.chars().count(), e.chars().count());
    // The length difference is a lower bound of the distance: far apart
    // is wrong without building any table.
    if gl.abs_diff(el) > allowed + 2 || gl > MAX_COMPARED_CHARS || el > MAX_COMPARED_CHARS {
        return Verdict::Wrong;
    }
    let distance = strsim::damerau_levenshtein(&g, &e);
    match distance {
        0 => Verdict::Exact,
        d if d <= allowed => Verdict::Typos(d),
        d if d <= allowed + 2 => Verdict::NearMiss(d),
        _ => Verdict::Wrong,
    }
}

/// Short enough to type: one line of five words or fewer, no code block.
pub fn is_short(answer: &str) -> bool {
    !answer.contains('\n') && !answer.contains("```") && answer.split_whitespace().count() <= 5
}

/// The expected answer with the letters the learner got wrong bracketed:
/// `CLAUD[E].md`.
pub fn mark_difference(given: &str, expected: &str) -> String {
    let g: Vec<char> = normalize(given).chars().collect();
    let e: Vec<char> = expected.chars().collect();
    let el: Vec<char> = expected.to_lowercase().chars().collect();
    if el.len() != e.len() || g.len() > MAX_COMPARED_CHARS || e.len() > MAX_COMPARED_CHARS {
        return expected.to_string();
    }
    // Longest common subsequence, then walk it to find unmatched letters.
    let (n, m) = (g.len(), e.len());
    let mut lcs = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if g[i] == el[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    let mut open = false;
    while j < m {
        let matched = i < n && g[i] == el[j];
        if matched {
            if open {
                out.push(']');
                open = false;
            }
            out.push(e[j]);
            i += 1;
            j += 1;
        } else if i < n && lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            if !open {
                out.push('[');
                open = true;
            }
            out.push(e[j]);
            j += 1;
        }
    }
    if open {
        out.push(']');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("  `CLAUDE.md`. ", "claude.md")]
    #[case("Exit   code\t2!", "exit code 2")]
    #[case("“PreToolUse”", "pretooluse")]
    fn normalizes(#[case] text: &str, #[case] expected: &str) {
        assert_eq!(normalize(text), expected);
    }

    #[rstest]
    #[case::exact("claude.md", "`CLAUDE.md`", Verdict::Exact)]
    #[case::seven_chars_no_typo("abcdefx", "abcdefg", Verdict::NearMiss(1))]
    #[case::eight_chars_one_typo("abcdefgx", "abcdefgh", Verdict::Typos(1))]
    #[case::transposition_is_one("pretoolsue", "PreToolUse", Verdict::Typos(1))]
    #[case::sixteen_chars_two_typos(
        "subagent-drivxn-dev",
        "subagent-driven-dev",
        Verdict::Typos(1)
    )]
    #[case::two_typos_in_sixteen("abcdefghijklmnxx", "abcdefghijklmnop", Verdict::Typos(2))]
    #[case::three_typos_in_sixteen("abcdefghijklmxxx", "abcdefghijklmnop", Verdict::NearMiss(3))]
    #[case::far("hello", "PreToolUse", Verdict::Wrong)]
    #[case::empty("", "2", Verdict::Wrong)]
    #[case::short_exact("2", "2", Verdict::Exact)]
    #[case::short_wrong("3", "2", Verdict::NearMiss(1))]
    // Bounded cost: lengths far apart are wrong without a table, and past
    // the cap only an exact answer counts.
    #[case::huge_reply(&"y".repeat(50_000), "config.toml", Verdict::Wrong)]
    #[case::huge_both(&"y".repeat(50_000), &"x".repeat(20_000), Verdict::Wrong)]
    #[case::huge_exact(&"x".repeat(20_000), &"x".repeat(20_000), Verdict::Exact)]
    #[case::over_cap_typo(&format!("{}y", "x".repeat(300)), &"x".repeat(301), Verdict::Wrong)]
    #[case::at_cap_typo(&format!("{}y", "x".repeat(199)), &"x".repeat(200), Verdict::Typos(1))]
    fn typo_tolerance_edges(#[case] given: &str, #[case] expected: &str, #[case] verdict: Verdict) {
        assert_eq!(check(given, expected), verdict);
    }

    #[rstest]
    #[case("claud.md", "CLAUDE.md", "CLAUD[E].md")]
    #[case("claude.md", "CLAUDE.md", "CLAUDE.md")]
    #[case("pre", "PreToolUse", "Pre[ToolUse]")]
    #[case(&"y".repeat(50_000), "config.toml", "config.toml")]
    fn differences_are_marked(#[case] given: &str, #[case] expected: &str, #[case] marked: &str) {
        assert_eq!(mark_difference(given, expected), marked);
    }

    #[rstest]
    #[case("Exit code 2.", true)]
    #[case("one two three four five", true)]
    #[case("one two three four five six", false)]
    #[case("a\nb", false)]
    fn short_answers(#[case] answer: &str, #[case] short: bool) {
        assert_eq!(is_short(answer), short);
    }
}
