use serde::Serialize;

use super::{Scope, json, out};
use crate::app::App;
use crate::cli::{CardsArgs, Column, Sort};
use crate::clock::{Day, format_day};
use crate::error::{Error, Result};
use crate::render::{plural, table};
use crate::store::{CardRow, ListTexts, Listed, Marks, SortBy, Suspension};

/// A card's marks, as `cards` and `show` print them in JSON.
#[derive(Serialize)]
struct MarksJson {
    flagged: bool,
    suspended: Suspension,
    buried_until: Option<String>,
    leech: bool,
}

fn marks_json(c: &CardRow) -> MarksJson {
    MarksJson {
        flagged: c.marks.flagged,
        suspended: c.marks.suspended,
        // Buried on a day: back the day after.
        buried_until: c.marks.buried.map(|d| format_day(d + 1)),
        leech: c.marks.leech,
    }
}

/// The marks as words, for text output.
fn marks_text(marks: &Marks) -> String {
    let mut out = Vec::new();
    if marks.flagged {
        out.push("flagged");
    }
    match marks.suspended {
        Suspension::None => {}
        Suspension::Learner => out.push("suspended"),
        Suspension::Leech => out.push("suspended (leech)"),
    }
    if marks.leech && marks.suspended != Suspension::Leech {
        out.push("leech");
    }
    if marks.buried.is_some() {
        out.push("buried");
    }
    out.join(", ")
}

#[derive(Serialize)]
struct CardJson<'a> {
    id: &'a str,
    deck: &'a str,
    module: Option<u8>,
    topic: &'a str,
    /// The card's generator (q, define, name, when, …).
    kind: &'a str,
    /// The note's kind (Q, Concept, Pattern, Cloze, Checklist).
    note_kind: &'a str,
    tags: &'a [String],
    front: &'a str,
    source: String,
    /// Where the fact comes from: its note's `Source:` line.
    cites: Option<&'a str>,
    due: Option<String>,
    interval_days: u32,
    ease: f64,
    lapses: u32,
    repetitions: u32,
    #[serde(flatten)]
    marks: MarksJson,
}

/// `cards`: the cards a query and the shorthand flags match, as a table,
/// JSON or CSV.
pub fn list(app: &App, args: &CardsArgs) -> Result<()> {
    let (store, _) = app.open()?;
    let mut query = crate::search::parse(args.query.as_deref().unwrap_or(""))?;
    super::narrow(&store, &mut query, &Scope::of_cards(args))?;
    let today = app.clock.today();
    let sort = match args.sort {
        None => SortBy::Curriculum,
        Some(Sort::Due) => SortBy::Due,
        Some(Sort::Ivl) => SortBy::Interval,
        Some(Sort::Ease) => SortBy::Ease,
        Some(Sort::Lapses) => SortBy::Lapses,
        Some(Sort::Added) => SortBy::Added,
        Some(Sort::Reviewed) => SortBy::Reviewed,
    };
    if args.json {
        let cards = store.search(&query, today, sort)?;
        let rows: Vec<CardJson<'_>> = cards
            .iter()
            .map(|c| CardJson {
                id: &c.key,
                deck: &c.deck_key,
                module: c.module,
                topic: &c.topic,
                kind: &c.generator,
                note_kind: &c.note_kind,
                tags: &c.tags,
                front: &c.front,
                source: c.source(),
                cites: c.cites.as_deref(),
                due: c.due.map(format_day),
                interval_days: c.state.interval,
                ease: f64::from(c.state.ease) / 100.0,
                lapses: c.state.lapses,
                repetitions: c.state.reps,
                marks: marks_json(c),
            })
            .collect();
        return json(&rows);
    }
    if args.csv {
        let columns = if args.columns.is_empty() {
            ALL_COLUMNS.to_vec()
        } else {
            args.columns.clone()
        };
        let rows = store.list(&query, today, sort, texts_for(&columns), |c| {
            columns
                .iter()
                .map(|col| {
                    let mut text = String::new();
                    write_cell(&mut text, c, *col, today, true);
                    text
                })
                .collect::<Vec<_>>()
        })?;
        return csv_out(&rows, &columns);
    }
    let columns = if args.columns.is_empty() {
        DEFAULT_COLUMNS.to_vec()
    } else {
        args.columns.clone()
    };
    let mut marked = false;
    let mut cells = table::Cells::new(columns.len());
    let mut scratch = String::new();
    let mut added = 0;
    // Cells go into one buffer as rows are read; each row keeps its number,
    // and the rows are put in order afterwards.
    let order = store.list(&query, today, sort, texts_for(&columns), |c| {
        marked |= !flags_text(&c.marks, c.retired).is_empty();
        for col in &columns {
            scratch.clear();
            write_cell(&mut scratch, c, *col, today, false);
            cells.push(&scratch);
        }
        added += 1;
        added - 1
    })?;
    if order.is_empty() {
        return out(&if query.is_empty() {
            "no cards: the decks have none yet (see `mastery check`)\n".to_string()
        } else {
            format!(
                "no card matches {}\n",
                crate::render::single_line(&describe(args))
            )
        });
    }
    // An empty flags column would take from the front's width: shown only
    // when some card has a mark or is retired, or when asked for.
    let hide_flags = args.columns.is_empty() && !marked;
    let shown = |c: &Column| !(hide_flags && *c == Column::Flags);
    let cells = cells.select(&order, |i| shown(&columns[i]));
    let spec: Vec<table::Column> = columns
        .iter()
        .filter(|c| shown(c))
        .map(|c| column_spec(*c))
        .collect();
    let width = super::read::terminal_width().unwrap_or(super::read::PIPE_WIDTH);
    let mut text = table::render(&spec, &cells, width);
    text.push_str(&format!("{}\n", plural(order.len(), "card", "cards")));
    out(&text)
}

/// The texts a listing's columns print.
fn texts_for(columns: &[Column]) -> ListTexts {
    let has = |c: Column| columns.contains(&c);
    ListTexts {
        key: has(Column::Id),
        front: has(Column::Front),
        back: has(Column::Back),
        topic: has(Column::Topic),
        kind: has(Column::Kind),
        source: has(Column::Source),
    }
}

/// What `cards` printed nothing for, in the learner's words.
fn describe(args: &CardsArgs) -> String {
    let mut parts = Vec::new();
    if let Some(q) = &args.query {
        parts.push(format!("'{q}'"));
    }
    for (flag, value) in [
        ("--deck", &args.deck),
        ("--topic", &args.topic),
        ("--search", &args.search),
    ] {
        if let Some(v) = value {
            parts.push(format!("{flag} {v}"));
        }
    }
    for (flag, on) in [
        ("--flagged", args.flagged),
        ("--suspended", args.suspended),
        ("--leech", args.leech),
    ] {
        if on {
            parts.push(flag.to_string());
        }
    }
    parts.join(" ")
}

const DEFAULT_COLUMNS: [Column; 8] = [
    Column::Front,
    Column::Deck,
    Column::Due,
    Column::Ivl,
    Column::Ease,
    Column::Lapses,
    Column::Reps,
    Column::Flags,
];

const ALL_COLUMNS: [Column; 13] = [
    Column::Id,
    Column::Deck,
    Column::Topic,
    Column::Kind,
    Column::Front,
    Column::Back,
    Column::Due,
    Column::Ivl,
    Column::Ease,
    Column::Lapses,
    Column::Reps,
    Column::Flags,
    Column::Source,
];

fn column_spec(c: Column) -> table::Column {
    use table::Align::{Left, Right};
    let (header, align, cut) = match c {
        Column::Id => ("id", Left, false),
        Column::Front => ("front", Left, true),
        Column::Back => ("back", Left, true),
        Column::Deck => ("deck", Left, false),
        Column::Topic => ("topic", Left, true),
        Column::Kind => ("kind", Left, false),
        Column::Due => ("due", Right, false),
        Column::Ivl => ("ivl", Right, false),
        Column::Ease => ("ease", Right, false),
        Column::Lapses => ("lapses", Right, false),
        Column::Reps => ("reps", Right, false),
        Column::Flags => ("flags", Left, false),
        Column::Source => ("source", Left, false),
    };
    table::Column { header, align, cut }
}

/// One cell. The table shows the due day relative to today (`+3d`), CSV
/// the date.
fn write_cell(out: &mut String, c: &Listed<'_>, col: Column, today: Day, dates: bool) {
    use std::fmt::Write;
    let s = &c.state;
    let seen = !s.is_new();
    // Writing to a String can't fail.
    let _ = match col {
        Column::Id => write!(out, "{}", c.key),
        Column::Front => write!(out, "{}", c.front),
        Column::Back => write!(out, "{}", c.back),
        Column::Deck => write!(out, "{}", c.deck_key),
        Column::Topic => write!(out, "{}", c.topic),
        Column::Kind => write!(out, "{}", c.note_kind),
        Column::Due => match c.due {
            None if dates => Ok(()),
            None => write!(out, "new"),
            Some(d) if dates => write!(out, "{}", format_day(d)),
            Some(d) if d == today => write!(out, "today"),
            Some(d) => write!(out, "{:+}d", d - today),
        },
        // Under FSRS, the interval FSRS set (its due day from the last review).
        Column::Ivl if seen => write!(out, "{}d", c.interval()),
        // Kept in hundredths: printed as such, without a float.
        Column::Ease if seen => write!(out, "{}.{:02}", s.ease / 100, s.ease % 100),
        Column::Ivl | Column::Ease if dates => Ok(()),
        Column::Ivl | Column::Ease => write!(out, "-"),
        Column::Lapses => write!(out, "{}", s.lapses),
        Column::Reps => write!(out, "{}", s.reps),
        Column::Flags => write!(out, "{}", flags_text(&c.marks, c.retired)),
        Column::Source => write!(out, "{}:{}", c.path, c.line),
    };
}

/// The marks in short words, for the table and CSV.
fn flags_text(marks: &Marks, retired: bool) -> String {
    let mut out = marks_text(marks);
    if retired {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push_str("retired");
    }
    out
}

fn csv_out(rows: &[Vec<String>], columns: &[Column]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>, record: &[String]| {
        w.write_record(record)
            .map_err(|e| Error::Usage(format!("cannot write CSV: {e}")))
    };
    let header: Vec<String> = columns
        .iter()
        .map(|c| column_spec(*c).header.to_string())
        .collect();
    write(&mut w, &header)?;
    for row in rows {
        write(&mut w, row)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Usage(format!("cannot write CSV: {e}")))?;
    out(&String::from_utf8_lossy(&bytes))
}

/// What `suspend`, `unsuspend` and `bury` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Suspend,
    Unsuspend,
    Bury,
}

/// Marks cards, or every card of a note, by id; all ids are checked
/// before anything is written.
pub fn mark(app: &App, ids: &[String], mark: Mark) -> Result<()> {
    let (mut store, _) = app.open()?;
    let mut cards = Vec::new();
    for id in ids {
        let found = store.cards_of_id(id)?;
        if found.is_empty() {
            return Err(Error::UnknownCard(id.clone()));
        }
        cards.extend(found);
    }
    cards.sort_unstable();
    cards.dedup();
    let today = app.clock.today();
    let (changed, verb) = match mark {
        Mark::Suspend => (store.set_suspended(&cards, true)?, "suspended"),
        Mark::Unsuspend => (store.set_suspended(&cards, false)?, "let back in"),
        Mark::Bury => (
            store.bury(&cards, today)?,
            "buried until the next study day",
        ),
    };
    out(&format!(
        "{verb}: {changed} of {}; {} unchanged\n",
        plural(cards.len(), "card", "cards"),
        cards.len() - changed
    ))
}

#[derive(Serialize)]
struct ShowJson<'a> {
    id: &'a str,
    deck: &'a str,
    topic: &'a str,
    front: &'a str,
    back: &'a str,
    source: String,
    /// Where the fact comes from: the note's `Source:` line.
    cites: Option<&'a str>,
    repetitions: u32,
    ease: f64,
    /// SM-2's interval (kept under FSRS too).
    interval_days: u32,
    /// The due day the active scheduler set.
    due: Option<String>,
    /// "sm2" or "fsrs".
    scheduler: &'static str,
    /// FSRS's memory and today's chance of recall, under FSRS.
    stability: Option<f32>,
    difficulty: Option<f32>,
    retrievability: Option<f32>,
    lapses: u32,
    retired: bool,
    #[serde(flatten)]
    marks: MarksJson,
    reviews: Vec<ReviewJson>,
}

#[derive(Serialize)]
struct ReviewJson {
    at: String,
    grade: u8,
    kind: String,
    /// Answered in Anki and brought back by `import anki`.
    anki: bool,
}

/// `show ID`: a card, or each card of a note (text one after another;
/// JSON a list). A retired card is shown by its card id only.
pub fn show(app: &App, key: &str, as_json: bool) -> Result<()> {
    let (store, _) = app.open()?;
    let cards: Vec<CardRow> = match store.card_by_key(key)? {
        Some(card) => vec![card],
        None => store
            .cards_of_id(key)?
            .into_iter()
            .filter_map(|id| store.card_by_id(id).transpose())
            .collect::<Result<_>>()?,
    };
    if cards.is_empty() {
        return Err(Error::UnknownCard(key.to_string()));
    }
    let note = cards.len() > 1 || cards[0].key != key;
    let mut shown = Vec::new();
    let mut text = String::new();
    for card in &cards {
        let reviews = store.card_reviews(card.id)?;
        if as_json {
            shown.push(show_json(
                card,
                reviews,
                store.scheduler(),
                app.clock.today(),
            ));
        } else {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&show_text(
                card,
                &reviews,
                store.scheduler(),
                app.clock.today(),
            ));
        }
    }
    if !as_json {
        return out(&text);
    }
    if note { json(&shown) } else { json(&shown[0]) }
}

fn show_json<'a>(
    card: &'a CardRow,
    reviews: Vec<crate::store::ReviewEntry>,
    sched: &crate::fsrs::Scheduler,
    today: crate::clock::Day,
) -> ShowJson<'a> {
    let s = &card.state;
    ShowJson {
        id: &card.key,
        deck: &card.deck_key,
        topic: &card.topic,
        front: &card.front,
        back: &card.back,
        source: card.source(),
        cites: card.cites.as_deref(),
        repetitions: s.reps,
        ease: f64::from(s.ease) / 100.0,
        interval_days: s.interval,
        due: card.due.map(format_day),
        scheduler: sched.name(),
        stability: card.memory.map(|m| m.stability),
        difficulty: card.memory.map(|m| m.difficulty),
        retrievability: match (sched, card.fsrs()) {
            (crate::fsrs::Scheduler::Fsrs(m), Some(f)) => {
                Some(m.recall(f.memory, (today - f.last_day) as f32))
            }
            _ => None,
        },
        lapses: s.lapses,
        retired: card.retired,
        marks: marks_json(card),
        reviews: reviews
            .into_iter()
            .map(|r| ReviewJson {
                at: r.at,
                grade: r.grade,
                kind: r.kind,
                anki: r.anki,
            })
            .collect(),
    }
}

fn show_text(
    card: &CardRow,
    reviews: &[crate::store::ReviewEntry],
    sched: &crate::fsrs::Scheduler,
    today: crate::clock::Day,
) -> String {
    // Wrapped at the terminal's width (80 in a pipe), at word boundaries:
    // the sides as Markdown, as the review screen and `read` show them,
    // the heading and the source as plain text.
    let width = super::read::terminal_width().unwrap_or(super::read::PIPE_WIDTH);
    let lines = |lines: Vec<crate::render::Line>| {
        lines
            .iter()
            .map(|l| crate::render::plain(l))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let wrapped = |side: &str| lines(crate::render::markdown(side, width));
    let plain = |text: &str, indent: &str| {
        lines(crate::render::wrap_spans(
            "",
            indent,
            &[crate::render::Span::plain(text)],
            width,
        ))
    };
    let cites = card.cites.as_deref().map_or_else(String::new, |c| {
        format!("\n{}\n", plain(&format!("Source: {c}"), "  "))
    });
    let marks = marks_text(&card.marks);
    let heading = plain(
        &format!(
            "{}  ({} › {}, {})",
            card.key,
            card.deck_title,
            card.topic,
            card.source()
        ),
        "  ",
    );
    let mut text = format!(
        "{heading}\n\n{}\n―――\n{}\n{cites}\n{}{}{}\n",
        wrapped(&card.front),
        wrapped(&card.back),
        crate::review::screen::state_line(card, sched, today),
        if card.retired { " · retired" } else { "" },
        if marks.is_empty() {
            String::new()
        } else {
            format!(" · {marks}")
        }
    );
    for r in reviews {
        let place = if r.anki { "  (in Anki)" } else { "" };
        text.push_str(&format!(
            "  {}  grade {}  {}{place}\n",
            r.at, r.grade, r.kind
        ));
    }
    text
}
