//! The weak-area list as a Markdown checklist, JSON or CSV.

use std::borrow::Cow;

use serde::Serialize;

use super::score::Signals;
use super::{Topic, WeakCard, WeakReport};

pub const NOTHING_WEAK: &str =
    "Nothing is weak right now: no topic passes the thresholds. Keep reviewing.";

/// A checklist item's hidden marker, `<!-- weak:KIND:ID ID -->`: the card or
/// note ids an update matches it by. Lists written before ids were used
/// carry `deck#topic` instead, which still matches as an alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub kind: String,
    pub ids: Vec<String>,
}

pub fn marker(line: &str) -> Option<Marker> {
    let start = line.rfind("<!-- weak:")?;
    let body = line[start + 10..].trim_end().strip_suffix("-->")?.trim();
    let (kind, ids) = body.split_once(':')?;
    Some(Marker {
        kind: kind.to_string(),
        ids: ids.split_whitespace().map(str::to_string).collect(),
    })
}

/// One line of a fresh checklist, as an update needs to see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// `# Weak areas (date)`
    Title(String),
    /// `## Module 1: Basics`
    Group(String),
    Item(Item),
    /// What follows the list: the quiz command, or "nothing is weak".
    Footer(Vec<String>),
    Blank,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub indent: usize,
    pub kind: &'static str,
    /// Written in the marker.
    pub ids: Vec<String>,
    /// Other ids an older list may know this item by: every note of a
    /// topic, and the `deck#topic` of lists written before ids.
    pub aliases: Vec<String>,
    pub text: String,
}

impl Item {
    pub fn line(&self, ticked: bool) -> String {
        format!(
            "{}- [{}] {} <!-- weak:{}:{} -->",
            " ".repeat(self.indent),
            if ticked { "x" } else { " " },
            self.text,
            self.kind,
            self.ids.join(" ")
        )
    }

    /// Whether an older list's item is this one: same kind, and an id in
    /// common.
    pub fn matches(&self, m: &Marker) -> bool {
        m.kind == self.kind
            && m.ids
                .iter()
                .any(|id| self.ids.contains(id) || self.aliases.contains(id))
    }
}

/// Card text on one line, at most 70 characters, cut between grapheme
/// clusters (an accent or a joined emoji stays with its character).
fn one_line(text: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= 70 {
        return joined;
    }
    let mut chars = 0;
    let mut end = 0;
    for (i, g) in joined.grapheme_indices(true) {
        chars += g.chars().count();
        if chars > 69 {
            break;
        }
        end = i + g.len();
    }
    format!("{}…", &joined[..end])
}

fn topic_numbers(t: &Topic) -> String {
    let weak = t.weak.len() + t.leeches;
    let mut s = format!("{weak}/{} weak", t.cards);
    if t.leeches > 0 {
        s.push_str(&format!(
            " ({} leech{})",
            t.leeches,
            if t.leeches == 1 { "" } else { "es" }
        ));
    }
    s.push_str(&format!(
        ", {} lapse{}",
        t.lapses,
        if t.lapses == 1 { "" } else { "s" }
    ));
    if let Some(q) = t.last_quiz {
        s.push_str(&format!(", last quiz {}/{}", q.correct, q.asked));
    }
    s
}

/// The checklist, leeches first, then grouped by module in curriculum
/// order, topics by score, with nothing ticked.
pub fn markdown(report: &WeakReport, date: &str, scope: &str) -> String {
    let mut out = String::new();
    for entry in checklist(report, date, scope) {
        match entry {
            Entry::Title(l) | Entry::Group(l) => out.push_str(&l),
            Entry::Item(item) => out.push_str(&item.line(false)),
            Entry::Footer(lines) => out.push_str(&lines.join("\n")),
            Entry::Blank => {}
        }
        out.push('\n');
    }
    out
}

/// The checklist for a terminal `width` columns wide: each item wrapped at
/// word boundaries under its box, without the hidden markers, which only a
/// list kept in a file for `-o` updates needs. Commands stay whole, on
/// their own lines, to be copied.
pub fn for_terminal(report: &WeakReport, date: &str, scope: &str, width: usize) -> String {
    use crate::render::{Span, plain, sanitize, wrap_spans};
    let wrapped = |first: &str, rest: &str, text: &str| -> Vec<String> {
        wrap_spans(first, rest, &[Span::plain(sanitize(text))], width)
            .iter()
            .map(|l| plain(l).trim_end().to_string())
            .collect()
    };
    let mut out: Vec<String> = Vec::new();
    for entry in checklist(report, date, scope) {
        match entry {
            Entry::Title(l) | Entry::Group(l) => out.extend(wrapped("", "", &l)),
            Entry::Item(item) => {
                let first = format!("{}- [ ] ", " ".repeat(item.indent));
                let rest = " ".repeat(first.len());
                out.extend(wrapped(&first, &rest, &item.text));
            }
            Entry::Footer(lines) => {
                for l in lines {
                    if l.starts_with(COMMAND) || l.is_empty() {
                        out.push(l);
                    } else {
                        out.extend(wrapped("", "", &l));
                    }
                }
            }
            Entry::Blank => out.push(String::new()),
        }
    }
    out.iter().map(|l| format!("{l}\n")).collect()
}

/// The heading of the leeches, listed before every module.
pub const LEECHES: &str = "Leeches: rewrite or split these cards";

/// Where a card is, with its id unless the place is the `read` command,
/// which names it.
fn place(w: &WeakCard) -> String {
    if w.place.starts_with("mastery read ") {
        w.place.clone()
    } else {
        format!("{}, {}", w.card.key, w.place)
    }
}

fn leech_item(w: &WeakCard) -> Item {
    let mut text = format!(
        "Rewrite or split “{}” → “{}” ({}): {} lapses",
        one_line(&w.card.front),
        one_line(&w.card.back),
        place(w),
        w.signals.lapses
    );
    if w.card.marks.suspended.is_suspended() {
        text.push_str(&format!(
            ", suspended until `mastery unsuspend {}`",
            crate::read::shell_word(&w.card.key)
        ));
    }
    Item {
        indent: 0,
        kind: "leech",
        ids: vec![w.card.key.clone()],
        aliases: Vec::new(),
        text,
    }
}

/// The checklist as entries, for printing or for updating an older list.
/// `scope` is the scope flags the list was made with (` --module 4`), which
/// its commands repeat.
pub fn checklist(report: &WeakReport, date: &str, scope: &str) -> Vec<Entry> {
    let mut out = vec![Entry::Title(format!("# Weak areas ({date})")), Entry::Blank];
    if report.is_empty() {
        let nothing = if scope.is_empty() {
            vec![NOTHING_WEAK.to_string()]
        } else {
            // Two lines: with its scope the sentence would pass 80 columns.
            vec![
                format!("{NOTHING_IN_SCOPE}{scope})."),
                EVERY_DECK.to_string(),
            ]
        };
        out.push(Entry::Footer(nothing));
        return out;
    }
    if !report.leeches.is_empty() {
        out.push(Entry::Group(format!("## {LEECHES}")));
        out.push(Entry::Blank);
        out.extend(report.leeches.iter().map(|w| Entry::Item(leech_item(w))));
        out.push(Entry::Blank);
    }
    for group in &report.groups {
        out.push(Entry::Group(format!("## {}", group.title)));
        out.push(Entry::Blank);
        for t in &group.topics {
            let legacy = format!("{}#{}", t.deck, t.topic);
            out.push(Entry::Item(Item {
                indent: 0,
                kind: "topic",
                ids: t.notes.iter().take(1).cloned().collect(),
                aliases: t.notes.iter().cloned().chain([legacy.clone()]).collect(),
                text: format!(
                    "Re-read {} › {} ({}): {}",
                    group.name,
                    t.topic,
                    t.source,
                    topic_numbers(t)
                ),
            }));
            for w in &t.weak {
                out.push(Entry::Item(Item {
                    indent: 2,
                    kind: "drill",
                    ids: vec![w.card.key.clone()],
                    aliases: Vec::new(),
                    text: format!("Drill “{}” ({})", one_line(&w.card.front), place(w)),
                }));
            }
        }
        out.push(Entry::Blank);
    }
    let mut footer = vec![
        FOOTER.to_string(),
        String::new(),
        format!("{COMMAND}review --weak{scope}"),
        String::new(),
        QUIZ_FOOTER.to_string(),
        String::new(),
        format!("{COMMAND}quiz --weak{scope}"),
    ];
    if report.unlisted > 0 {
        footer.push(String::new());
        footer.push(format!(
            "{UNLISTED}{} more weak topic{} (`mastery weak --limit 1000{scope}` lists them); these commands take their cards too.",
            report.unlisted,
            if report.unlisted == 1 { "" } else { "s" }
        ));
    }
    out.push(Entry::Footer(footer));
    out
}

/// The footer's first line, and how its command lines start.
pub const FOOTER: &str = "Re-study every weak card, scheduled as in a review:";
pub const QUIZ_FOOTER: &str = "Or test yourself on them without touching the schedule:";
pub const COMMAND: &str = "    mastery ";
const UNLISTED: &str = "Not listed: ";
/// The footer of lists written before `review --weak`.
pub const OLD_FOOTER: &str = "Drill exactly these cards:";
/// The commands a footer holds (the last in lists written before `review
/// --weak`): a learner's own `    mastery …` line is not one of them.
const FOOTER_COMMANDS: [&str; 3] = [
    "    mastery review --weak",
    "    mastery quiz --weak",
    "    mastery quiz --card ",
];
/// How the footer of a scoped list with nothing weak starts (its scope
/// follows), and its second line.
const NOTHING_IN_SCOPE: &str = "No weak card in this scope (mastery weak";
const EVERY_DECK: &str = "`mastery weak` looks at every deck.";

/// Whether `line` starts the footer of a scoped list with nothing weak:
/// in two lines, or in one (lists written before 2026-12-05), but not a
/// learner's sentence that starts the same way.
pub fn is_nothing_in_scope(line: &str) -> bool {
    line.starts_with(NOTHING_IN_SCOPE) && (line.ends_with(").") || line.ends_with(EVERY_DECK))
}

/// Whether a line after the footer's first is mastery's own, rewritten
/// fresh by every update.
pub fn is_footer_line(line: &str) -> bool {
    FOOTER_COMMANDS.iter().any(|c| line.starts_with(c))
        || line == QUIZ_FOOTER
        || line.starts_with(UNLISTED)
        || line == EVERY_DECK
}

#[derive(Serialize)]
pub struct Record<'a> {
    pub id: &'a str,
    pub front: String,
    pub deck: &'a str,
    pub module: Option<u8>,
    pub topic: &'a str,
    pub source: String,
    pub score: f64,
    pub signals: &'a Signals,
    pub leech: bool,
}

pub fn records(report: &WeakReport) -> Vec<Record<'_>> {
    report
        .cards()
        .map(|w| Record {
            id: &w.card.key,
            front: one_line(&w.card.front),
            deck: &w.card.deck_key,
            module: w.card.module,
            topic: &w.card.topic,
            source: w.place.clone(),
            score: (w.score * 100.0).round() / 100.0,
            signals: &w.signals,
            leech: w.leech,
        })
        .collect()
}

/// A cell that a spreadsheet would run as a formula (leading `=`, `+`, `-`,
/// `@`, tab or CR) is prefixed with `'`, which spreadsheets show as text.
/// Deck text is the learner's, but decks are shared: a topic must not be
/// able to run a formula in whoever opens the export.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

pub fn csv(report: &WeakReport) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "deck",
        "module",
        "topic",
        "source",
        "score",
        "lapses",
        "low_ease",
        "last_grade_failed",
        "redrill_days",
        "quiz_misses",
        "overdue_days",
        "leech",
        "front",
    ])?;
    for r in records(report) {
        let s = r.signals;
        w.write_record(
            [
                r.id.to_string(),
                r.deck.to_string(),
                r.module.map_or_else(String::new, |m| m.to_string()),
                r.topic.to_string(),
                r.source,
                format!("{:.2}", r.score),
                s.lapses.to_string(),
                s.low_ease.to_string(),
                s.last_grade_failed.to_string(),
                s.redrill_days.to_string(),
                s.quiz_misses.to_string(),
                s.overdue_days.to_string(),
                r.leech.to_string(),
                r.front,
            ]
            .map(|c| neutralise(&c).into_owned()),
        )?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::short("a  short\nfront", "a short front")]
    #[case::ascii(&"x".repeat(80), &format!("{}…", "x".repeat(69)))]
    // 8 + 30 × 2 code points kept: a 31st é would make 70.
    #[case::accent(
        &format!("Accents {}", "e\u{301}".repeat(40)),
        &format!("Accents {}…", "e\u{301}".repeat(30))
    )]
    #[case::zwj(
        &format!("Emojis {}", "👩\u{200d}👩\u{200d}👧\u{200d}👦".repeat(14)),
        &format!("Emojis {}…", "👩\u{200d}👩\u{200d}👧\u{200d}👦".repeat(8))
    )]
    fn fronts_are_cut_between_whole_clusters(#[case] front: &str, #[case] shown: &str) {
        assert_eq!(one_line(front), shown);
    }

    #[rstest]
    // What a spreadsheet runs: formulas, and the DDE/+/- forms.
    #[case::equals("=SUM(A1)", "'=SUM(A1)")]
    #[case::plus("+1+1", "'+1+1")]
    #[case::minus("-2+3", "'-2+3")]
    #[case::at("@cmd", "'@cmd")]
    #[case::tab("\t=1", "'\t=1")]
    #[case::cr("\r=1", "'\r=1")]
    // Everything else is left exactly as it is.
    #[case::plain("Hooks", "Hooks")]
    #[case::inner("a=b", "a=b")]
    #[case::number("0.75", "0.75")]
    #[case::empty("", "")]
    #[case::space_first(" =1", " =1")]
    fn formula_cells_are_neutralised(#[case] cell: &str, #[case] expected: &str) {
        assert_eq!(neutralise(cell), expected);
    }
}
