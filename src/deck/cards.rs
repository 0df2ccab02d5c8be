//! Card generation: each note kind yields a fixed set of prompts, and each
//! card's key is the note key plus the generator's name.

use super::{Content, Note, alternatives};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardDraft {
    pub key: String,
    /// The generator: q, define, name, when, how, tradeoffs, which, steps, c1…
    pub generator: String,
    pub front: String,
    pub back: String,
    /// Other accepted answers (`{{shown|other}}`), never shown as the answer.
    pub accept: Vec<String>,
}

/// What a cloze shows in place of the hidden deletion.
pub const BLANK: &str = "[…]";

/// The card ids `cards_of` gives a note, without building the cards' text:
/// what the id checks of every compile need.
pub fn card_keys(note: &Note) -> Vec<String> {
    let with = |suffix: &str| format!("{}/{suffix}", note.key);
    match &note.content {
        Content::Answer(_) => vec![note.key.clone()],
        Content::Definition(_) => vec![with("define"), with("name")],
        Content::Pattern { .. } => ["when", "how", "tradeoffs", "which"]
            .into_iter()
            .map(with)
            .collect(),
        Content::Cloze { deletions, .. } => cloze_keys(deletions).iter().map(|s| with(s)).collect(),
        Content::Checklist(_) => vec![with("steps")],
    }
}

pub fn cards_of(note: &Note) -> Vec<CardDraft> {
    let card = |generator: &str, front: String, back: &str| CardDraft {
        key: if generator == "q" {
            note.key.clone()
        } else {
            format!("{}/{generator}", note.key)
        },
        generator: generator.to_string(),
        front,
        back: back.to_string(),
        accept: Vec::new(),
    };
    let title = &note.title;
    match &note.content {
        Content::Answer(answer) => match alternatives::answer_group(answer) {
            Some(group) => {
                let (shown, accept) = alternatives::split(group);
                vec![CardDraft {
                    accept,
                    ..card("q", title.clone(), &shown)
                }]
            }
            None => vec![card("q", title.clone(), answer)],
        },
        Content::Definition(def) => vec![
            card("define", format!("Define: {title}"), def),
            card("name", format!("Which term is this?\n\n{def}"), title),
        ],
        Content::Pattern {
            when,
            how,
            tradeoffs,
            ..
        } => vec![
            card(
                "when",
                format!("When do you use the pattern “{title}”?"),
                when,
            ),
            card("how", format!("How do you apply “{title}”?"), how),
            card(
                "tradeoffs",
                format!("What are the trade-offs of “{title}”?"),
                tradeoffs,
            ),
            card("which", format!("Which pattern fits?\n\n{when}"), title),
        ],
        Content::Cloze { text, deletions } => cloze_keys(deletions)
            .into_iter()
            .enumerate()
            .map(|(i, suffix)| {
                let (shown, accept) = alternatives::split(&deletions[i]);
                CardDraft {
                    key: format!("{}/{suffix}", note.key),
                    accept,
                    ..card(&format!("c{}", i + 1), cloze_front(text, i), &shown)
                }
            })
            .collect(),
        Content::Checklist(steps) => {
            vec![card(
                "steps",
                format!("List the steps, in order: {title}"),
                steps,
            )]
        }
    }
}

/// Each deletion's card id suffix, from its content: inserting a deletion
/// before another must not move the other's history onto it, as position
/// keys (`c1`, `c2`) would. A counter tells apart only repeated deletions.
pub fn cloze_keys(deletions: &[String]) -> Vec<String> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    deletions
        .iter()
        .map(|d| {
            // The shown answer names the card: adding an alternative keeps
            // the deletion's history.
            let base = format!("c-{}", super::derived_slug(&alternatives::split(d).0));
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}-{n}") }
        })
        .collect()
}

/// The cloze text with deletion `hide` blanked and the others shown plainly.
pub fn cloze_front(text: &str, hide: usize) -> String {
    cloze_with(text, |index, shown| {
        if index == hide {
            BLANK.to_string()
        } else {
            shown.to_string()
        }
    })
}

/// The cloze text with each deletion replaced by `fill(index, shown
/// answer)`; text after an unclosed `{{` is kept as written.
pub fn cloze_with(text: &str, fill: impl Fn(usize, &str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut index = 0;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            break;
        };
        out.push_str(&fill(index, &alternatives::split(&after[..close]).0));
        index += 1;
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}
