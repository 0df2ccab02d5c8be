//! Writing decks back out in mastery's own format, with explicit ids, so
//! that compiling the output gives the same cards (and history).

use super::Deck;

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

pub fn to_markdown(deck: &Deck) -> String {
    let mut out = String::from("+++\n");
    out.push_str(&format!("id = {}\n", toml_string(&deck.key)));
    out.push_str(&format!("title = {}\n", toml_string(&deck.title)));
    if let Some(m) = deck.module {
        out.push_str(&format!("module = {m}\n"));
    }
    if let Some(c) = &deck.category {
        out.push_str(&format!("category = {}\n", toml_string(c)));
    }
    if !deck.requires.is_empty() {
        let list: Vec<String> = deck.requires.iter().map(|r| toml_string(r)).collect();
        out.push_str(&format!("requires = [{}]\n", list.join(", ")));
    }
    out.push_str("+++\n");
    let mut topic: Option<&str> = None;
    for note in &deck.notes {
        if topic != Some(note.topic.as_str()) {
            out.push_str(&format!("\n# {}\n", note.topic));
            topic = Some(&note.topic);
        }
        out.push_str(&format!(
            "\n## {}: {} {{#{}}}\n",
            note.kind.name(),
            note.title,
            note.key
        ));
        let body = note.content.to_source();
        out.push_str(&body);
        out.push('\n');
        if !note.tags.is_empty() {
            out.push_str(&format!("Tags: {}\n", note.tags.join(" ")));
        }
        if let Some(cites) = &note.cites {
            out.push_str(&format!("Source: {cites}\n"));
        }
    }
    out
}
