//! Updating an existing checklist in place: ticks survive while an item is
//! still weak, and items that are no longer weak move to a "Resolved since"
//! section instead of vanishing.

use std::collections::HashSet;

use super::render::item_id;

const RESOLVED: &str = "## Resolved since ";

/// What an earlier export holds: its date, ticked ids, items, and the
/// resolved sections it already had.
#[derive(Debug, Default, PartialEq)]
pub struct Previous {
    pub date: Option<String>,
    pub ticked: HashSet<String>,
    /// (id, line) of every item in the live list.
    pub items: Vec<(String, String)>,
    pub resolved: String,
}

pub fn parse(text: &str) -> Previous {
    let mut prev = Previous::default();
    let mut in_resolved = false;
    for line in text.lines() {
        if prev.date.is_none()
            && let Some(rest) = line.strip_prefix("# Weak areas (")
        {
            prev.date = rest.strip_suffix(')').map(str::to_string);
        }
        if line.starts_with(RESOLVED) {
            in_resolved = true;
        }
        if in_resolved {
            prev.resolved.push_str(line);
            prev.resolved.push('\n');
            continue;
        }
        if let Some(id) = item_id(line) {
            if line.trim_start().starts_with("- [x]") || line.trim_start().starts_with("- [X]") {
                prev.ticked.insert(id.to_string());
            }
            prev.items.push((id.to_string(), line.to_string()));
        }
    }
    prev
}

/// The new checklist followed by what was resolved since the last export.
pub fn merge(fresh: &str, prev: &Previous) -> String {
    let live: HashSet<&str> = fresh.lines().filter_map(item_id).collect();
    let gone: Vec<&str> = prev
        .items
        .iter()
        .filter(|(id, _)| !live.contains(id.as_str()))
        .map(|(_, line)| line.as_str())
        .collect();
    let mut out = fresh.trim_end().to_string();
    out.push('\n');
    if !gone.is_empty() {
        let date = prev.date.as_deref().unwrap_or("the last export");
        out.push_str(&format!("\n{RESOLVED}{date}\n\n"));
        for line in gone {
            out.push_str(line.trim_start());
            out.push('\n');
        }
    }
    // Older resolved items stay, unless they are weak again.
    let older: Vec<&str> = prev
        .resolved
        .lines()
        .filter(|l| item_id(l).is_none_or(|id| !live.contains(id)))
        .collect();
    if older.iter().any(|l| item_id(l).is_some()) {
        out.push('\n');
        out.push_str(older.join("\n").trim());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "# Weak areas (2026-03-01)\n\n## M\n\n- [x] Re-read A <!-- weak:topic:a -->\n- [ ] Re-read B <!-- weak:topic:b -->\n  - [x] Drill 1 card: b1 <!-- weak:drill:b -->\n\n## Resolved since 2026-02-01\n\n- [x] Re-read Z <!-- weak:topic:z -->\n- [ ] Re-read A <!-- weak:topic:a -->\n";

    #[test]
    fn parses_date_ticks_and_items() {
        let p = parse(OLD);
        assert_eq!(p.date.as_deref(), Some("2026-03-01"));
        assert_eq!(
            p.ticked,
            HashSet::from(["topic:a".to_string(), "drill:b".to_string()])
        );
        assert_eq!(p.items.len(), 3);
        assert!(p.resolved.starts_with("## Resolved since 2026-02-01"));
    }

    #[test]
    fn resolved_items_move_and_older_sections_stay() {
        let fresh =
            "# Weak areas (2026-03-05)\n\n## M\n\n- [x] Re-read A now <!-- weak:topic:a -->\n";
        let merged = merge(fresh, &parse(OLD));
        assert_eq!(
            merged,
            "# Weak areas (2026-03-05)\n\n## M\n\n- [x] Re-read A now <!-- weak:topic:a -->\n\n## Resolved since 2026-03-01\n\n- [ ] Re-read B <!-- weak:topic:b -->\n- [x] Drill 1 card: b1 <!-- weak:drill:b -->\n\n## Resolved since 2026-02-01\n\n- [x] Re-read Z <!-- weak:topic:z -->\n"
        );
    }
}
