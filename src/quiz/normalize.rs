//! The canonical form of a typed answer: two answers that say the same thing
//! in different typography compare equal. `hooks` is `hook`, `2-5` is `2–5`,
//! `Ctrl-V` is `Ctrl+V`, `32KiB` is `32 KiB`, `4` is `four`, `a subagent` is
//! `subagent`, and a trailing "(Claude Code)" is dropped.

/// Number words a learner may type for a digit answer, and the reverse.
const NUMBER_WORDS: [&str; 21] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

/// Modifier keys, as written in key chords (`Ctrl+V`, `Cmd-V`, `C-x`).
const MODIFIERS: [(&str, &str); 9] = [
    ("ctrl", "ctrl"),
    ("control", "ctrl"),
    ("cmd", "cmd"),
    ("command", "cmd"),
    ("alt", "alt"),
    ("option", "alt"),
    ("opt", "alt"),
    ("shift", "shift"),
    ("meta", "alt"),
];

/// Every Unicode hyphen and dash a keyboard or a copy-paste may produce.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
            | '\u{FE63}'
            | '\u{FF0D}'
    )
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '`' | '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' | '«' | '»'
    )
}

/// The canonical form: lowercase, plain hyphens, key chords with `+`, a
/// space between a number and its unit, digits for number words, no leading
/// article, no trailing parenthetical, no plural `s`, no surrounding quotes
/// or Markdown marks, single spaces and no punctuation at either end.
pub fn canonical(text: &str) -> String {
    let plain: String = text
        .chars()
        .filter(|c| !matches!(c, '*' | '`'))
        .map(|c| if is_dash(c) { '-' } else { c })
        .collect::<String>()
        .to_lowercase();
    let mut s = trim_ends(&plain).to_string();
    // A trailing parenthetical qualifies the answer; it is not the answer.
    if s.ends_with(')')
        && let Some(open) = s.rfind(" (")
    {
        s.truncate(open);
        s = trim_ends(&s).to_string();
    }
    let spaced = split_units(&s);
    let mut words: Vec<String> = spaced.split_whitespace().map(word).collect();
    if words.len() > 1 && matches!(words[0].as_str(), "a" | "an" | "the") {
        words.remove(0);
    }
    trim_ends(&words.join(" ")).to_string()
}

/// Quotes and punctuation at either end go; brackets stay, as they may be
/// the answer (`[…]`, `(1)`).
fn trim_ends(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace() || is_quote(c) || matches!(c, '.' | ',' | ';' | ':' | '!' | '?')
    })
}

/// `32kib` → `32 kib`: a number glued to its unit is the same answer. A
/// letter before the digits (`v2`, `h1`) is a name and stays whole.
fn split_units(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    let mut prev: Option<char> = None;
    let mut word_started_with_digit = false;
    for c in s.chars() {
        if prev.is_none_or(char::is_whitespace) {
            word_started_with_digit = c.is_ascii_digit();
        }
        if let Some(p) = prev
            && p.is_ascii_digit()
            && c.is_alphabetic()
            && word_started_with_digit
        {
            out.push(' ');
            word_started_with_digit = false;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// One word's canonical form: key chords, number words, plural `s`.
fn word(w: &str) -> String {
    let bare = w.trim_matches(|c: char| is_quote(c) || matches!(c, ',' | ';' | ':' | '!' | '?'));
    if let Some(chord) = chord(bare) {
        return chord;
    }
    if let Some(n) = NUMBER_WORDS.iter().position(|n| *n == bare) {
        return n.to_string();
    }
    if bare.chars().count() > 3
        && bare.chars().all(char::is_alphabetic)
        && bare.ends_with('s')
        && !bare.ends_with("ss")
    {
        return bare[..bare.len() - 1].to_string();
    }
    bare.to_string()
}

/// `ctrl-v`, `ctrl+v`, `control+v` and `c-v` are one chord: `ctrl+v`.
fn chord(w: &str) -> Option<String> {
    let (head, key) = w.split_once(['+', '-'])?;
    if key.is_empty() {
        return None;
    }
    let modifier = if head == "c" && key.chars().count() == 1 {
        "ctrl"
    } else if head == "m" && key.chars().count() == 1 {
        "alt"
    } else {
        MODIFIERS.iter().find(|(name, _)| *name == head)?.1
    };
    let rest = chord(key).unwrap_or_else(|| key.to_string());
    Some(format!("{modifier}+{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// Every example of issue 15, and the neighbours that must stay apart.
    #[rstest]
    #[case::plural("hooks", "hook")]
    #[case::article("a subagent", "subagent")]
    #[case::article_an("an agent", "agent")]
    #[case::article_the("The `settings.json` file", "settings.json file")]
    #[case::en_dash("2-5", "2–5")]
    #[case::em_dash("2-5", "2—5")]
    #[case::minus_sign("-1", "−1")]
    #[case::non_breaking_hyphen("sub-agent", "sub\u{2011}agent")]
    #[case::ctrl_dash("Ctrl-V", "Ctrl+V")]
    #[case::emacs_chord("C-x", "Ctrl+X")]
    #[case::control_word("Control+V", "Ctrl+V")]
    #[case::two_modifiers("Ctrl-Shift-P", "Ctrl+Shift+P")]
    #[case::unit_glued("32KiB", "32 KiB")]
    #[case::unit_glued_ms("500ms", "500 ms")]
    #[case::number_word("four", "4")]
    #[case::number_word_zero("zero", "0")]
    #[case::number_word_twenty("twenty", "20")]
    #[case::trailing_parenthetical("CLAUDE.md", "CLAUDE.md (Claude Code)")]
    #[case::name_without_qualifier("Agent", "Agent (Claude Code)")]
    #[case::double_quotes("\"PreToolUse\"", "PreToolUse")]
    #[case::curly_quotes("“compact”", "compact")]
    #[case::single_quotes("'manual'", "manual")]
    #[case::backticks("`--resume`", "--resume")]
    #[case::case_and_spaces("  Exit   code 2. ", "exit code 2")]
    fn the_same_answer(#[case] typed: &str, #[case] expected: &str) {
        assert_eq!(canonical(typed), canonical(expected));
    }

    #[rstest]
    #[case::other_number("3", "2")]
    #[case::other_range("2-6", "2–5")]
    #[case::other_chord("Ctrl+C", "Ctrl+V")]
    #[case::other_unit("32 MiB", "32 KiB")]
    #[case::version_is_a_name("v2", "v 2")]
    #[case::double_s_is_not_a_plural("process", "proces")]
    #[case::short_word_keeps_its_s("its", "it")]
    #[case::lone_article("a", "")]
    #[case::number_word_past_twenty("twenty-one", "21")]
    #[case::flag_is_not_a_chord("--continue", "continue")]
    fn different_answers(#[case] typed: &str, #[case] expected: &str) {
        assert_ne!(canonical(typed), canonical(expected));
    }

    #[test]
    fn canonical_forms_read_plainly() {
        assert_eq!(canonical("The Ctrl-V keys (macOS)"), "ctrl+v key");
        assert_eq!(canonical("“32KiB”"), "32 kib");
    }
}
