//! One meaning of "the same text" for searching: case and accents don't
//! matter, so `uber` finds "Über" and `ECOLE` finds "école". The store
//! registers this as the SQL function `fold`, so that the query's words
//! and the cards' text are folded by the same code.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// `text` in lowercase, with accents and other combining marks removed.
pub fn fold(text: &str) -> String {
    // Most card text is ASCII: skip the decomposition for it (the word
    // search folds every card's text once per query).
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::fold;

    #[rstest]
    #[case("Hook EXIT", "hook exit")]
    #[case("Über", "uber")]
    #[case("ÉCOLE", "ecole")]
    #[case("naïve café", "naive cafe")]
    #[case("ΣΟΦΙΑ", "σοφια")]
    #[case("", "")]
    fn folds_case_and_accents(#[case] text: &str, #[case] folded: &str) {
        assert_eq!(fold(text), folded);
    }
}
