//! Checking typed answers: forgiving of typography (see `normalize`), case, surrounding punctuation,
//! spacing and one typo per 8 characters, but only in words where a typo
//! can't be another fact: numbers, identifiers in backticks and words of up
//! to three characters must be typed exactly.

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

/// Words of this many characters or fewer must be typed exactly: one typo
/// turns `pre` into `pro`, `add` into `and`.
pub const EXACT_WORD_CHARS: usize = 3;

/// A word of an answer, normalised as by [`normalize`], and whether it must
/// be typed exactly: it holds a digit, lies in backticks, or is short.
fn words(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut in_code = false;
    for raw in text.split_whitespace() {
        let mut code = false;
        for c in raw.chars() {
            if c == '`' {
                in_code = !in_code;
            } else if in_code {
                code = true;
            }
        }
        let word = normalize(raw);
        if word.is_empty() {
            continue;
        }
        let exact = code
            || word.chars().any(|c| c.is_ascii_digit())
            || word.chars().count() <= EXACT_WORD_CHARS;
        out.push((word, exact));
    }
    out
}

/// Whether every exact word of `expected` is in `given` as typed: word by
/// word when both have as many words, else in order among the given ones
/// (a missing space elsewhere is still a typo).
fn exact_words_match(given: &[(String, bool)], expected: &[(String, bool)]) -> bool {
    if given.len() == expected.len() {
        return given
            .iter()
            .zip(expected)
            .all(|((g, _), (e, exact))| !exact || g == e);
    }
    let mut rest = given.iter();
    expected
        .iter()
        .filter(|(_, exact)| *exact)
        .all(|(e, _)| rest.any(|(g, _)| g == e))
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

    /// Best first: exact, fewest typos, nearest miss, wrong.
    pub fn rank(self) -> (u8, usize) {
        match self {
            Verdict::Exact => (0, 0),
            Verdict::Typos(n) => (1, n),
            Verdict::NearMiss(n) => (2, n),
            Verdict::Wrong => (3, 0),
        }
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
    // The same answer in other typography: dashes, chords, units, number
    // words, an article, a plural, a qualifier in brackets, quotes.
    if g == e || super::normalize::canonical(given) == super::normalize::canonical(expected) {
        return Verdict::Exact;
    }
    let (given_words, expected_words) = (words(given), words(expected));
    // The typo budget comes from the words that may have typos.
    let loose: String = expected_words
        .iter()
        .filter(|(_, exact)| !exact)
        .map(|(w, _)| w.as_str())
        .collect();
    let allowed = allowed_typos(&loose);
    let exact_ok = exact_words_match(&given_words, &expected_words);
    let (gl, el) = (g.chars().count(), e.chars().count());
    // The length difference is a lower bound of the distance: far apart
    // is wrong without building any table.
    if gl.abs_diff(el) > allowed + 2 || gl > MAX_COMPARED_CHARS || el > MAX_COMPARED_CHARS {
        return Verdict::Wrong;
    }
    let distance = strsim::damerau_levenshtein(&g, &e);
    match distance {
        0 => Verdict::Exact,
        d if d <= allowed && exact_ok => Verdict::Typos(d),
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
    // Numbers are the fact: one digit off is wrong, however long the rest.
    #[case::other_number("exit code 0", "Exit code 2.", Verdict::NearMiss(1))]
    #[case::number_transposed("listens on port 8008", "Listens on port 8080", Verdict::NearMiss(1))]
    #[case::typo_beside_a_number("exot code 2", "Exit code 2.", Verdict::Typos(1))]
    #[case::missing_space_keeps_the_number("exitcode 2", "Exit code 2.", Verdict::Typos(1))]
    #[case::number_dropped("exit code", "Exit code 2.", Verdict::NearMiss(2))]
    // An identifier in backticks is typed as written (case aside).
    #[case::identifier_typo("claud.md", "`CLAUDE.md`", Verdict::NearMiss(1))]
    #[case::identifier_case("claude.md", "`CLAUDE.md`", Verdict::Exact)]
    #[case::identifier_in_a_phrase(
        "the settings.jsn file",
        "The `settings.json` file",
        Verdict::NearMiss(1)
    )]
    #[case::plain_word_beside_identifier(
        "the settings.json fiel",
        "The `settings.json` file",
        Verdict::NearMiss(1)
    )]
    #[case::typo_in_long_word_beside_identifier(
        "the settings.json configuraton",
        "The `settings.json` configuration",
        Verdict::Typos(1)
    )]
    // Words of up to three letters: a typo there is another word.
    #[case::short_word("teh subagent context", "the subagent context", Verdict::NearMiss(1))]
    #[case::short_word_swapped("pro hook", "pre hook", Verdict::NearMiss(1))]
    // The budget counts only the words that may have typos.
    #[case::budget_from_long_words("the subagnet", "the subagent", Verdict::Typos(1))]
    #[case::no_budget_from_short_words("a b c d e f g h", "a b c d e f g x", Verdict::NearMiss(1))]
    fn exact_words_and_spread_budget(
        #[case] given: &str,
        #[case] expected: &str,
        #[case] verdict: Verdict,
    ) {
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
