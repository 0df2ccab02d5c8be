//! Building an export from mastery's cards and log: one Anki note and card
//! per mastery card, its scheduling, and its reviews as Anki's revlog; and
//! the same notes as Anki's "Notes in Plain Text".

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::collection::{CardRow as AnkiCard, Collection, DeckRow, NoteRow, NoteType, RevlogRow};
use super::fields::{checksum, cloze_text, escape, html, strip_html, tag, tags_column};
use super::{CREATED, MAX_MS, anki_due, button, guid, object_id, revlog_type};
use crate::store::{CardRow, ReviewOut, Suspension};

/// What an export reads.
pub struct Input<'a> {
    /// The cards, in curriculum order (new cards keep it in Anki).
    pub cards: &'a [CardRow],
    /// Their live reviews, each card's oldest first.
    pub reviews: &'a [ReviewOut],
    /// Every Anki revlog id already given out or received.
    pub known_ids: &'a HashSet<i64>,
    /// What the last export wrote of each card's text: (hash, mod).
    pub marks: &'a HashMap<i64, (String, i64)>,
    pub now: DateTime<Utc>,
    /// Today, as mastery counts study days.
    pub today: crate::clock::Day,
    pub rollover_hour: u32,
    pub minutes_west: i32,
    /// The decks folder as the cards' paths start with it, if it is one:
    /// Anki gets paths from there on, not the machine's.
    pub root: Option<&'a str>,
}

/// An export: the collection, and what to remember of it.
pub struct Export {
    pub collection: Collection,
    /// New (Anki revlog id, review id) pairs.
    pub new_ids: Vec<(i64, i64)>,
    /// (card id, text hash, mod) of every exported note.
    pub notes: Vec<(i64, String, i64)>,
}

pub fn build(input: &Input<'_>) -> Export {
    let now = input.now.timestamp();
    let mut by_card: HashMap<i64, Vec<&ReviewOut>> = HashMap::new();
    for r in input.reviews {
        by_card.entry(r.card_id).or_default().push(r);
    }
    let mut used: HashSet<i64> = input.known_ids.clone();
    let mut next_free: HashMap<i64, i64> = HashMap::new();
    let mut taken_ids: HashSet<i64> = HashSet::new();
    let mut decks: Vec<DeckRow> = Vec::new();
    let mut deck_ids: HashMap<&str, i64> = HashMap::new();
    let mut col = Collection {
        created: created_at(input.rollover_hour, input.minutes_west),
        now,
        rollover_hour: input.rollover_hour,
        minutes_west: input.minutes_west,
        decks: Vec::new(),
        notes: Vec::new(),
        cards: Vec::new(),
        revlog: Vec::new(),
    };
    let mut new_ids = Vec::new();
    let mut notes = Vec::new();
    let mut position = 0;
    for card in input.cards {
        let deck = *deck_ids.entry(&card.deck_key).or_insert_with(|| {
            let id = object_id(&format!("deck:{}", card.deck_key));
            decks.push(DeckRow {
                id,
                name: deck_name(&card.deck_title),
            });
            id
        });
        // Ids from the card's own; a rare collision moves on to the next.
        let mut id = object_id(&format!("card:{}", card.key));
        while !taken_ids.insert(id) {
            id += 1;
        }
        let note = note_of(card, id, input.root);
        let hash = format!(
            "{:016x}",
            xxhash_rust::xxh3::xxh3_64(format!("{:?}{}", note.fields, note.tags).as_bytes())
        );
        let modified = match input.marks.get(&card.id) {
            Some((old, at)) if *old == hash => *at,
            Some((_, at)) => now.max(at + 1),
            None => now,
        };
        notes.push((card.id, hash, modified));
        let reviews = by_card.get(&card.id).map_or(&[][..], |v| v.as_slice());
        for r in reviews {
            let anki_id = r.anki_id.unwrap_or_else(|| {
                // Reviews in the same millisecond (a scripted clock, a
                // bulk import) take the next free ones; each millisecond
                // remembers how far it got, so a thousand of them cost a
                // thousand steps, not half a million.
                let at = r.at;
                let start = next_free.get(&at).copied().unwrap_or(at);
                let mut candidate = start;
                while used.contains(&candidate) {
                    candidate += 1;
                }
                used.insert(candidate);
                next_free.insert(at, candidate + 1);
                new_ids.push((candidate, r.review_id));
                candidate
            });
            col.revlog.push(RevlogRow {
                id: anki_id,
                card: id,
                button: i64::from(button(r.grade)),
                interval: i64::from(r.interval_after),
                last_interval: i64::from(r.interval_before),
                factor: i64::from(r.ease_after) * 10,
                ms: r.ms.clamp(0, MAX_MS),
                kind: revlog_type(r.kind, r.failed_before, r.first_day),
            });
        }
        let scheduled = card_of(card, id, deck, modified, reviews, input.today);
        if scheduled.kind == 0 {
            position += 1;
        }
        col.cards.push(AnkiCard {
            due: if scheduled.kind == 0 {
                position
            } else {
                scheduled.due
            },
            ..scheduled
        });
        col.notes.push(NoteRow { modified, ..note });
    }
    col.decks = decks;
    Export {
        collection: col,
        new_ids,
        notes,
    }
}

/// The collection's creation time: 2000-01-01 at the rollover hour, in the
/// time zone's offset, so that Anki's day count is mastery's minus
/// `CREATED`.
fn created_at(rollover_hour: u32, minutes_west: i32) -> i64 {
    CREATED * 86_400 + i64::from(rollover_hour) * 3600 + i64::from(minutes_west) * 60
}

/// `mastery::<title>`. A `::` inside a title would make a sub-deck, and a
/// tab or newline would split a line of the text export: both become
/// plain.
pub fn deck_name(title: &str) -> String {
    let mut plain: String = title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    while plain.contains("::") {
        plain = plain.replace("::", ":");
    }
    format!("mastery::{}", plain.trim())
}

fn is_cloze(card: &CardRow) -> bool {
    card.note_kind.eq_ignore_ascii_case("cloze")
}

/// The card's source: its deck file, from the decks folder on, and where
/// the fact comes from. No line number: an edit above a note would move it
/// and rewrite every later note in Anki; `mastery read` (the Card id
/// field) finds the line.
fn source_field(card: &CardRow, root: Option<&str>) -> String {
    let file = root
        .and_then(|r| {
            let rest = card.path.strip_prefix(r)?.trim_start_matches('/');
            let name = std::path::Path::new(r).file_name()?.to_string_lossy();
            Some(format!("{name}/{rest}"))
        })
        .unwrap_or_else(|| card.path.clone());
    let mut out = escape(&file);
    if let Some(cites) = &card.cites {
        out.push_str("<br>");
        out.push_str(&escape(cites));
    }
    out
}

/// Module, category and topic as hierarchical tags, then the deck's and
/// the note's own.
fn tags_of(card: &CardRow) -> Vec<String> {
    let mut tags = Vec::new();
    if let Some(m) = card.module {
        tags.push(format!("mastery::module::{m}"));
    }
    if let Some(c) = &card.category {
        tags.push(format!("mastery::category::{}", tag(c)));
    }
    if !card.topic.trim().is_empty() {
        tags.push(format!("mastery::topic::{}", tag(&card.topic)));
    }
    for t in &card.tags {
        let t = tag(t);
        if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    tags
}

fn note_of(card: &CardRow, id: i64, root: Option<&str>) -> NoteRow {
    let (note_type, first, second) = if is_cloze(card) {
        (
            NoteType::Cloze,
            cloze_text(&card.front, &card.back),
            String::new(),
        )
    } else {
        (NoteType::Basic, html(&card.front), html(&card.back))
    };
    let sort_field = strip_html(&first);
    NoteRow {
        id,
        guid: guid(&card.key),
        note_type,
        modified: 0,
        tags: tags_column(&tags_of(card)),
        checksum: checksum(&sort_field),
        sort_field,
        fields: [first, second, source_field(card, root), escape(&card.key)],
    }
}

/// The card's scheduling in Anki's terms. A reviewed card is a review card
/// due on the active scheduler's day, with SM-2's ease, the interval it is
/// on and FSRS's memory when FSRS is active.
fn card_of(
    card: &CardRow,
    id: i64,
    deck: i64,
    modified: i64,
    reviews: &[&ReviewOut],
    today: crate::clock::Day,
) -> AnkiCard {
    let suspended = card.marks.suspended != Suspension::None;
    let buried = card.marks.buried_on(today);
    let queue = |normal: i64| {
        if suspended {
            -1
        } else if buried {
            -3
        } else {
            normal
        }
    };
    let Some(due) = card.due.filter(|_| !card.state.is_new()) else {
        return AnkiCard {
            id,
            note: id,
            deck,
            modified,
            kind: 0,
            queue: queue(0),
            due: 0,
            interval: 0,
            factor: 0,
            reps: 0,
            lapses: 0,
            data: "{}".into(),
        };
    };
    let interval = card
        .fsrs()
        .map_or(card.state.interval, |f| f.interval)
        .max(1);
    let mut data = serde_json::Map::new();
    if let Some(last) = reviews.last() {
        data.insert("lrt".into(), serde_json::json!(last.at.div_euclid(1000)));
    }
    if let Some(m) = &card.memory {
        data.insert("s".into(), serde_json::json!(round4(m.stability)));
        data.insert("d".into(), serde_json::json!(round4(m.difficulty)));
    }
    AnkiCard {
        id,
        note: id,
        deck,
        modified,
        kind: 2,
        queue: queue(2),
        due: anki_due(due),
        interval: i64::from(interval),
        factor: i64::from(card.state.ease) * 10,
        reps: reviews.len() as i64,
        lapses: i64::from(card.state.lapses),
        data: serde_json::Value::Object(data).to_string(),
    }
}

fn round4(x: f32) -> f64 {
    (f64::from(x) * 10_000.0).round() / 10_000.0
}

/// Anki's "Notes in Plain Text": a tab-separated file whose headers say
/// which column holds the GUID, note type, deck and tags, with the note
/// types every profile has (Basic: Front, Back; Cloze: Text, Back Extra).
/// The source goes under the answer.
pub fn notes_text(cards: &[CardRow], root: Option<&str>) -> String {
    let mut out = String::from(
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n",
    );
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b'\t')
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    for card in cards {
        let source = format!("<div class=source>{}</div>", source_field(card, root));
        let (kind, first, second) = if is_cloze(card) {
            ("Cloze", cloze_text(&card.front, &card.back), source)
        } else {
            (
                "Basic",
                html(&card.front),
                format!("{}{source}", html(&card.back)),
            )
        };
        let record = [
            guid(&card.key),
            kind.to_string(),
            deck_name(&card.deck_title),
            first,
            second,
            tags_of(card).join(" "),
        ];
        // Writing to memory can't fail.
        let _ = writer.write_record(&record);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    out.push_str(&String::from_utf8_lossy(&bytes));
    out
}
