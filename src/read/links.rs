//! How a to-do item or a quiz miss points back at what to re-read: the
//! `file:line` of the learner's own decks, or, for the decks built into the
//! binary (files the learner doesn't have), the `mastery read` command that
//! prints the same notes anywhere the binary runs.

use crate::deck::source::Source;
use crate::store::CardRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Links {
    /// `decks/m1.md:6`
    #[default]
    Files,
    /// `mastery read m01-hooks`
    Read,
}

impl Links {
    pub fn of(source: &Source) -> Links {
        match source {
            Source::Embedded => Links::Read,
            _ => Links::Files,
        }
    }

    /// Where a card's note is.
    pub fn card(self, card: &CardRow) -> String {
        match self {
            Links::Files => card.source(),
            Links::Read => format!("mastery read {}", shell_word(&card.key)),
        }
    }

    /// Where a topic is: its first note's `file:line`, or the `read`
    /// command for the whole topic.
    pub fn topic(self, deck: &str, topic: &str, first: &str) -> String {
        match self {
            Links::Files => first.to_string(),
            Links::Read => format!("mastery read {}", shell_word(&topic_target(deck, topic))),
        }
    }
}

/// The `read` target that names one topic of one deck.
pub fn topic_target(deck: &str, topic: &str) -> String {
    format!("{deck}#{topic}")
}

/// `word` as one shell word: as it is when it needs no quoting, else in
/// single quotes (a quote inside becomes `'\''`).
pub fn shell_word(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:#=+@%,".contains(c);
    if !word.is_empty() && word.chars().all(safe) && !word.starts_with('#') {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("m01-hooks", "m01-hooks")]
    #[case("patterns/speed#Batching", "patterns/speed#Batching")]
    #[case(
        "01-internals#Codex session (system)",
        "'01-internals#Codex session (system)'"
    )]
    #[case("d#It's", r"'d#It'\''s'")]
    #[case("#x", "'#x'")]
    #[case("", "''")]
    #[case("a;rm -rf ~", "'a;rm -rf ~'")]
    fn shell_words(#[case] word: &str, #[case] expected: &str) {
        assert_eq!(shell_word(word), expected);
    }
}
