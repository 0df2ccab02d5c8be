//! Updating an existing checklist in place. Every line mastery did not
//! write is kept where it was: it belongs to the mastery line above it (an
//! item, a group heading, the title, the footer) and moves with it. Items
//! are matched by the card and note ids in their markers, so a renamed topic
//! is the same item and keeps its tick. Items no longer weak move, with
//! their notes, to a "Resolved since" section instead of vanishing.

use super::render::{
    Entry, FOOTER, Marker, NOTHING_WEAK, OLD_FOOTER, is_footer_line, is_nothing_in_scope, marker,
};

const TITLE: &str = "# Weak areas (";
const RESOLVED: &str = "## Resolved since ";

/// The mastery line a run of the learner's lines follows.
#[derive(Debug, Clone, PartialEq)]
enum Anchor {
    /// Before the title.
    Top,
    Title,
    Group(String),
    Item {
        marker: Marker,
        ticked: bool,
        line: String,
    },
    Footer,
    Resolved(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Block {
    anchor: Anchor,
    /// Inside a "Resolved since" section.
    resolved: bool,
    /// The learner's lines after the anchor, without blank lines at
    /// either end.
    notes: Vec<String>,
}

/// An earlier export, as blocks of (mastery line, learner lines).
#[derive(Debug, Default, PartialEq)]
pub struct Previous {
    pub date: Option<String>,
    blocks: Vec<Block>,
}

/// Reads an earlier list. `headings` are the group headings mastery may
/// have written (`## ` + every deck title); any other line without a
/// marker is the learner's.
pub fn parse(text: &str, headings: &[String]) -> Previous {
    let mut prev = Previous::default();
    let mut blocks = vec![Block {
        anchor: Anchor::Top,
        resolved: false,
        notes: Vec::new(),
    }];
    let mut resolved = false;
    let mut footer = false;
    for line in text.lines() {
        let anchor = if prev.date.is_none() && line.starts_with(TITLE) {
            prev.date = line[TITLE.len()..].strip_suffix(')').map(str::to_string);
            Some(Anchor::Title)
        } else if line.starts_with(RESOLVED) {
            resolved = true;
            Some(Anchor::Resolved(line.to_string()))
        } else if let Some(m) = marker(line) {
            let t = line.trim_start();
            Some(Anchor::Item {
                marker: m,
                ticked: t.starts_with("- [x]") || t.starts_with("- [X]"),
                line: line.to_string(),
            })
        } else if resolved {
            None
        } else if line
            .strip_prefix("## ")
            .is_some_and(|h| headings.iter().any(|t| t == h))
        {
            Some(Anchor::Group(line.to_string()))
        } else if line == FOOTER
            || line == OLD_FOOTER
            || line == NOTHING_WEAK
            // Scoped, in one line (before 2026-12-05) or two.
            || is_nothing_in_scope(line)
        {
            Some(Anchor::Footer)
        } else if footer && is_footer_line(line) {
            // The footer's commands and sentences: mastery's, rewritten
            // fresh.
            continue;
        } else {
            None
        };
        match anchor {
            Some(anchor) => {
                footer = anchor == Anchor::Footer;
                blocks.push(Block {
                    anchor,
                    resolved,
                    notes: Vec::new(),
                });
            }
            None => {
                if let Some(b) = blocks.last_mut() {
                    b.notes.push(line.to_string());
                }
            }
        }
    }
    for b in &mut blocks {
        trim_blank(&mut b.notes);
    }
    prev.blocks = blocks;
    prev
}

fn trim_blank(lines: &mut Vec<String>) {
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let start = lines.iter().take_while(|l| l.trim().is_empty()).count();
    lines.drain(..start);
}

/// The fresh checklist with the earlier list's ticks and every line of the
/// learner's, followed by what was resolved since then.
pub fn merge(fresh: &[Entry], prev: &Previous) -> String {
    let blocks = &prev.blocks;
    // Each earlier item goes to the first fresh item that is the same one.
    let mut claimed: Vec<Vec<usize>> = vec![Vec::new(); fresh.len()];
    let mut taken = vec![false; blocks.len()];
    for (bi, b) in blocks.iter().enumerate() {
        if let Anchor::Item { marker, .. } = &b.anchor
            && let Some(fi) = fresh
                .iter()
                .position(|e| matches!(e, Entry::Item(item) if item.matches(marker)))
        {
            claimed[fi].push(bi);
            taken[bi] = true;
        }
    }
    // Notes under a group heading that is gone travel with the group's
    // first item.
    let mut before: Vec<Vec<&str>> = vec![Vec::new(); blocks.len()];
    for (bi, b) in blocks.iter().enumerate() {
        if let Anchor::Group(h) = &b.anchor
            && !fresh.contains(&Entry::Group(h.clone()))
            && let Some(first) =
                (bi + 1..blocks.len()).find(|&i| matches!(blocks[i].anchor, Anchor::Item { .. }))
        {
            before[first].extend(b.notes.iter().map(String::as_str));
        }
    }
    let notes_of = |pick: &dyn Fn(&Block) -> bool| -> Vec<&str> {
        blocks
            .iter()
            .filter(|b| pick(b))
            .flat_map(|b| b.notes.iter().map(String::as_str))
            .collect()
    };

    let mut out: Vec<String> = Vec::new();
    let top = notes_of(&|b| b.anchor == Anchor::Top);
    if !top.is_empty() {
        out.extend(top.iter().map(|l| l.to_string()));
        out.push(String::new());
    }
    let paragraph = |out: &mut Vec<String>, notes: Vec<&str>| {
        if !notes.is_empty() {
            out.push(String::new());
            out.extend(notes.iter().map(|l| l.to_string()));
        }
    };
    for (fi, entry) in fresh.iter().enumerate() {
        match entry {
            Entry::Title(line) => {
                out.push(line.clone());
                paragraph(&mut out, notes_of(&|b| b.anchor == Anchor::Title));
            }
            Entry::Group(line) => {
                out.push(line.clone());
                let anchor = Anchor::Group(line.clone());
                paragraph(&mut out, notes_of(&|b| !b.resolved && b.anchor == anchor));
            }
            Entry::Item(item) => {
                let ticked = claimed[fi].iter().any(|&bi| {
                    !blocks[bi].resolved
                        && matches!(blocks[bi].anchor, Anchor::Item { ticked: true, .. })
                });
                for &bi in &claimed[fi] {
                    out.extend(before[bi].iter().map(|l| l.to_string()));
                }
                out.push(item.line(ticked));
                for &bi in &claimed[fi] {
                    out.extend(blocks[bi].notes.iter().cloned());
                }
            }
            Entry::Footer(lines) => {
                out.extend(lines.iter().cloned());
                paragraph(&mut out, notes_of(&|b| b.anchor == Anchor::Footer));
            }
            Entry::Blank => out.push(String::new()),
        }
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }

    // Items of the live list that are no longer weak.
    let gone: Vec<usize> = (0..blocks.len())
        .filter(|&bi| !blocks[bi].resolved && !taken[bi])
        .filter(|&bi| matches!(blocks[bi].anchor, Anchor::Item { .. }))
        .collect();
    if !gone.is_empty() {
        let date = prev.date.as_deref().unwrap_or("the last export");
        out.extend([String::new(), format!("{RESOLVED}{date}"), String::new()]);
        for bi in gone {
            out.extend(before[bi].iter().map(|l| l.to_string()));
            if let Anchor::Item { line, .. } = &blocks[bi].anchor {
                out.push(line.trim_start().to_string());
            }
            out.extend(blocks[bi].notes.iter().cloned());
        }
    }

    // Older resolved sections stay, without the items that are weak again
    // (their notes went with them); a section left with neither items nor
    // notes is dropped.
    let mut bi = 0;
    while bi < blocks.len() {
        let Anchor::Resolved(heading) = &blocks[bi].anchor else {
            bi += 1;
            continue;
        };
        let end = (bi + 1..blocks.len())
            .find(|&i| matches!(blocks[i].anchor, Anchor::Resolved(_)))
            .unwrap_or(blocks.len());
        let items: Vec<usize> = (bi + 1..end).filter(|&i| !taken[i]).collect();
        let has_items = items
            .iter()
            .any(|&i| matches!(blocks[i].anchor, Anchor::Item { .. }));
        if has_items || !blocks[bi].notes.is_empty() {
            out.extend([String::new(), heading.clone()]);
            paragraph(
                &mut out,
                blocks[bi].notes.iter().map(String::as_str).collect(),
            );
            out.push(String::new());
            for i in items {
                if let Anchor::Item { line, .. } = &blocks[i].anchor {
                    out.push(line.clone());
                }
                out.extend(blocks[i].notes.iter().cloned());
            }
            while out.last().is_some_and(String::is_empty) {
                out.pop();
            }
        }
        bi = end;
    }
    out.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weak::render::Item;
    use rstest::rstest;

    fn item(
        indent: usize,
        kind: &'static str,
        ids: &[&str],
        aliases: &[&str],
        text: &str,
    ) -> Entry {
        Entry::Item(Item {
            indent,
            kind,
            ids: ids.iter().map(|s| s.to_string()).collect(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            text: text.to_string(),
        })
    }

    /// Module 1 with topic A (notes a1, a2; drill a1) and topic B (note
    /// b1; drill b1), as rendered on `date`.
    fn fresh(date: &str, topics: &[&str]) -> Vec<Entry> {
        let mut out = vec![
            Entry::Title(format!("# Weak areas ({date})")),
            Entry::Blank,
            Entry::Group("## M".into()),
            Entry::Blank,
        ];
        for t in topics {
            match *t {
                "A" => {
                    out.push(item(0, "topic", &["a1"], &["a1", "a2", "m#A"], "Re-read A"));
                    out.push(item(2, "drill", &["a1"], &["m#A"], "Drill a1"));
                }
                "A renamed" => {
                    out.push(item(
                        0,
                        "topic",
                        &["a1"],
                        &["a1", "a2", "m#Renamed"],
                        "Re-read Renamed",
                    ));
                }
                "B" => {
                    out.push(item(0, "topic", &["b1"], &["b1", "m#B"], "Re-read B"));
                    out.push(item(2, "drill", &["b1"], &["m#B"], "Drill b1"));
                }
                _ => unreachable!(),
            }
        }
        out.push(Entry::Blank);
        out.push(Entry::Footer(
            NEW_FOOTER.lines().map(str::to_string).collect(),
        ));
        out
    }

    /// The footer a fresh list ends with.
    const NEW_FOOTER: &str = "Re-study every weak card, scheduled as in a review:\n\n    mastery review --weak\n\nOr test yourself on them without touching the schedule:\n\n    mastery quiz --weak";

    fn update(old: &str, fresh: &[Entry]) -> String {
        merge(fresh, &parse(old, &["M".to_string()]))
    }

    const OLD: &str = "# Weak areas (2026-03-01)\n\n## M\n\n\
- [x] Re-read A <!-- weak:topic:a1 -->\n  - my note on A\n\n    more on A\n  - [ ] Drill a1 <!-- weak:drill:a1 -->\n\
- [ ] Re-read B <!-- weak:topic:b1 -->\n  - [x] Drill b1 <!-- weak:drill:b1 -->\n  - note on drill b1\n\n\
Drill exactly these cards:\n\n    mastery quiz --card a1 --card b1\n\nMy closing words.\n";

    #[rstest]
    // The learner's lines stay under their item, and ticks stay.
    #[case::unchanged(fresh("2026-03-05", &["A", "B"]), "# Weak areas (2026-03-05)\n\n## M\n\n\
- [x] Re-read A <!-- weak:topic:a1 -->\n  - my note on A\n\n    more on A\n  - [ ] Drill a1 <!-- weak:drill:a1 -->\n\
- [ ] Re-read B <!-- weak:topic:b1 -->\n  - [x] Drill b1 <!-- weak:drill:b1 -->\n  - note on drill b1\n\n\
Re-study every weak card, scheduled as in a review:\n\n    mastery review --weak\n\nOr test yourself on them without touching the schedule:\n\n    mastery quiz --weak\n\nMy closing words.\n")]
    // A renamed topic is matched by its note ids; B is resolved and takes
    // its notes along.
    #[case::renamed_and_resolved(fresh("2026-03-05", &["A renamed"]), "# Weak areas (2026-03-05)\n\n## M\n\n\
- [x] Re-read Renamed <!-- weak:topic:a1 -->\n  - my note on A\n\n    more on A\n\n\
Re-study every weak card, scheduled as in a review:\n\n    mastery review --weak\n\nOr test yourself on them without touching the schedule:\n\n    mastery quiz --weak\n\nMy closing words.\n\n\
## Resolved since 2026-03-01\n\n\
- [ ] Drill a1 <!-- weak:drill:a1 -->\n\
- [ ] Re-read B <!-- weak:topic:b1 -->\n- [x] Drill b1 <!-- weak:drill:b1 -->\n  - note on drill b1\n")]
    fn learner_lines_and_ticks_survive(#[case] fresh: Vec<Entry>, #[case] expected: &str) {
        let merged = update(OLD, &fresh);
        assert_eq!(merged, expected);
        // Updating the result again changes nothing.
        assert_eq!(update(&merged, &fresh), expected);
    }

    #[test]
    fn an_item_weak_again_comes_back_with_its_notes() {
        let resolved = update(OLD, &fresh("2026-03-05", &["A"]));
        let back = update(&resolved, &fresh("2026-03-09", &["A", "B"]));
        assert!(
            back.contains("- [ ] Re-read B <!-- weak:topic:b1 -->\n  - [ ] Drill b1 <!-- weak:drill:b1 -->\n  - note on drill b1\n"),
            "{back}"
        );
        assert!(!back.contains("Resolved since"), "{back}");
    }

    #[test]
    fn lists_written_before_ids_match_by_deck_and_topic() {
        let old = "# Weak areas (2026-03-01)\n\n## M\n\n- [x] Re-read A <!-- weak:topic:m#A -->\n  note\n";
        let merged = update(old, &fresh("2026-03-05", &["A"]));
        assert!(
            merged.contains("- [x] Re-read A <!-- weak:topic:a1 -->\n  note\n"),
            "{merged}"
        );
        assert!(!merged.contains("Resolved"), "{merged}");
    }

    #[test]
    fn a_file_that_is_no_list_is_kept_above_it() {
        let old = "My own file\n\n## Not a group\ntext\n";
        let merged = update(old, &fresh("2026-03-05", &["B"]));
        assert!(
            merged.starts_with("My own file\n\n## Not a group\ntext\n\n# Weak areas"),
            "{merged}"
        );
    }

    #[test]
    fn nothing_weak_keeps_notes_and_resolves_everything() {
        let fresh = vec![
            Entry::Title("# Weak areas (2026-03-09)".into()),
            Entry::Blank,
            Entry::Footer(vec![NOTHING_WEAK.into()]),
        ];
        let merged = update(OLD, &fresh);
        assert!(merged.contains(&format!("{NOTHING_WEAK}\n\nMy closing words.\n\n## Resolved since 2026-03-01\n\n- [x] Re-read A <!-- weak:topic:a1 -->\n  - my note on A\n")), "{merged}");
    }
}
