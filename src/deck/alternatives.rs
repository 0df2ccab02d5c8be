//! Accepted alternatives: `{{Ctrl+V|Cmd+V}}` in a cloze deletion, or as the
//! whole answer of a `Q` note, accepts either answer. The first is the one
//! shown; the others are accepted when typed and never offered as wrong
//! options. `mastery check` refuses an empty alternative and two that are
//! the same answer after the quiz's normalisation.

/// The separator between alternatives inside `{{…}}`.
pub const SEPARATOR: char = '|';

/// The answer shown and the other accepted ones, from a deletion's text.
pub fn split(deletion: &str) -> (String, Vec<String>) {
    let mut parts = deletion.split(SEPARATOR).map(|p| p.trim().to_string());
    let shown = parts.next().unwrap_or_default();
    (shown, parts.collect())
}

/// A `Q` answer written as one `{{a|b}}` group, its inside; `None` for an
/// ordinary answer (which may hold `{{` or `|` as plain text).
pub fn answer_group(answer: &str) -> Option<&str> {
    let inner = answer.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    (inner.contains(SEPARATOR) && !inner.contains("{{") && !inner.contains("}}")).then_some(inner)
}

/// What is wrong with a group of alternatives, if anything.
pub fn problem(group: &str) -> Option<String> {
    if !group.contains(SEPARATOR) {
        return None;
    }
    let parts: Vec<&str> = group.split(SEPARATOR).map(str::trim).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Some(format!(
            "empty alternative in '{{{{{group}}}}}': write each accepted answer between the '|' marks"
        ));
    }
    for (i, a) in parts.iter().enumerate() {
        let key = crate::quiz::normalize::canonical(a);
        if let Some(b) = parts[..i]
            .iter()
            .find(|b| crate::quiz::normalize::canonical(b) == key)
        {
            return Some(format!(
                "alternatives '{b}' and '{a}' in '{{{{{group}}}}}' are the same answer once normalised: keep one"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_shown_answer_from_the_accepted_ones() {
        assert_eq!(
            split("Ctrl+V|Cmd+V"),
            ("Ctrl+V".into(), vec!["Cmd+V".into()])
        );
        assert_eq!(split("2"), ("2".into(), vec![]));
    }

    #[test]
    fn a_q_answer_is_a_group_only_when_it_is_one_whole() {
        assert_eq!(answer_group(" {{Ctrl+V|Cmd+V}} "), Some("Ctrl+V|Cmd+V"));
        assert_eq!(answer_group("{{2}}"), None);
        assert_eq!(answer_group("Use {{a|b}} here"), None);
        assert_eq!(answer_group("a | b"), None);
    }

    #[test]
    fn problems_are_named() {
        assert_eq!(problem("Ctrl+V|Cmd+V"), None);
        assert!(problem("Ctrl+V|").unwrap().contains("empty alternative"));
        assert!(problem("Ctrl+V|Ctrl-V").unwrap().contains("same answer"));
        assert_eq!(problem("plain"), None);
    }
}
