//! `mastery import docs` round-trips: for any docs tree that compiles, the
//! decks it writes compile to the same card ids and texts. Checked on
//! generated trees, with the hostile details that broke it before: field-like
//! lines inside a section, non-ASCII headings, hidden folders, code fences.

use std::collections::BTreeSet;
use std::path::Path;

use mastery::compile::parse_all;
use mastery::deck::cards::cards_of;
use mastery::deck::source::Source;
use mastery::deck::{Deck, parse_deck, write::to_markdown};
use proptest::prelude::*;

/// (card id, front, back, cited source) of every card of some decks.
fn cards(decks: &[Deck]) -> BTreeSet<(String, String, String, Option<String>)> {
    decks
        .iter()
        .flat_map(|d| d.notes.iter())
        .flat_map(|n| {
            cards_of(n)
                .into_iter()
                .map(|c| (c.key, c.front, c.back, n.cites.clone()))
        })
        .collect()
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{3,9}",
        Just("Qué".to_string()),
        Just("café".to_string()),
        Just("日本語".to_string()),
        Just("naïve".to_string()),
        Just("When:".to_string()),
        Just("How:".to_string()),
    ]
}

fn phrase(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(word(), min..max).prop_map(|w| w.join(" "))
}

/// One `##` section of a module doc: concepts, prose with field-like
/// lines, pitfalls, a code block.
fn section() -> impl Strategy<Value = String> {
    (
        phrase(1, 3),
        prop::collection::vec((phrase(1, 3), phrase(3, 8)), 0..3),
        phrase(2, 6),
        prop::collection::vec((phrase(1, 3), phrase(3, 6)), 0..3),
        any::<bool>(),
    )
        .prop_map(|(title, concepts, prose, pitfalls, fence)| {
            let mut s = format!("## {title}\n\n");
            for (term, def) in concepts {
                s.push_str(&format!("- **{term}**: {def}.\n"));
            }
            s.push_str(&format!("\nWhen: {prose} in prose, not a field.\n\n"));
            if fence {
                s.push_str("````md\n```\n## Q: not a note\n```\n````\n\n");
            }
            if !pitfalls.is_empty() {
                s.push_str("### Common pitfalls\n\n");
                for (head, why) in pitfalls {
                    s.push_str(&format!("- {head}: {why}.\n"));
                }
                s.push('\n');
            }
            s
        })
}

fn module_doc() -> impl Strategy<Value = String> {
    (phrase(1, 4), prop::collection::vec(section(), 1..4)).prop_map(|(title, sections)| {
        format!(
            "# Module: {title}\n\nIntro prose.\n\n{}## Q: A native note? {{#n-{}}}\nIts answer.\nSource: ericbuess/claude-code-docs:docs/hooks.md\n",
            sections.concat(),
            title.len()
        )
    })
}

fn pattern_doc() -> impl Strategy<Value = String> {
    (
        phrase(1, 4),
        phrase(3, 8),
        phrase(3, 8),
        phrase(3, 8),
        phrase(0, 6),
        any::<bool>(),
    )
        .prop_map(|(title, when, how, trade, example, cited)| {
            let mut s = format!(
                "# {title}\n\n## When to use\n{when}.\nHow: a field-like line inside a section.\n\n## How to apply\n1. {how}.\n\n## Trade-offs\n{trade}.\n"
            );
            if !example.is_empty() {
                s.push_str(&format!("\n## Example\n{example}.\nSource: looks like a citation.\n"));
            }
            if cited {
                s.push_str("\n## Source\nobra/superpowers:skills/x/SKILL.md\n");
            }
            s
        })
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn imported_decks_compile_to_the_same_cards(
        modules in prop::collection::btree_map(1u8..=8, module_doc(), 1..4),
        patterns in prop::collection::vec(pattern_doc(), 0..3),
        checklist in prop::collection::vec(phrase(1, 4), 1..4),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("docs");
        for (n, text) in &modules {
            write(&docs.join(format!("modules/{n:02}-m{n}.md")), text);
        }
        for (i, text) in patterns.iter().enumerate() {
            write(&docs.join(format!("patterns/speed/p{i}.md")), text);
        }
        let steps: String = checklist.iter().map(|s| format!("- {s}\n")).collect();
        write(&docs.join("playbook/checklists.md"), &format!("# Checklists\n\n## Před merge\n{steps}"));
        // Hidden folders are never read, in either direction.
        write(&docs.join("modules/.drafts/09-x.md"), "# Broken\n## Q: {#}\n");
        write(&docs.join(".cache/patterns/x.md"), "garbage");

        let (direct, errors, _) = parse_all(&Source::Docs(docs.clone())).unwrap();
        // Only trees that compile are in scope.
        prop_assume!(errors.is_empty());
        let mut imported = Vec::new();
        for deck in &direct {
            let text = to_markdown(deck);
            let parsed = parse_deck(&format!("{}.md", deck.key), &deck.key, text.as_bytes());
            prop_assert!(parsed.is_ok(), "import of {} does not parse: {:?}\n{text}", deck.key, parsed.err());
            imported.extend(parsed.ok());
        }
        prop_assert_eq!(cards(&imported), cards(&direct));
    }
}
