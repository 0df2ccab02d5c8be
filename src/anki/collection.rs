//! What goes into an exported Anki collection (schema 11): the rows of its
//! notes, cards and review log, and the JSON of its `col` row: settings,
//! note types, decks and the deck options. The store writes them.

use serde_json::{Value, json};

use super::object_id;

/// The note types an export uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteType {
    /// Front, Back, Source, Card id.
    Basic,
    /// Text (with `{{c1::…}}`), Back Extra, Source, Card id.
    Cloze,
}

impl NoteType {
    pub fn name(self) -> &'static str {
        match self {
            NoteType::Basic => "mastery Basic",
            NoteType::Cloze => "mastery Cloze",
        }
    }

    pub fn id(self) -> i64 {
        object_id(&format!("notetype:{}", self.name()))
    }

    fn fields(self) -> [&'static str; 4] {
        match self {
            NoteType::Basic => ["Front", "Back", "Source", "Card id"],
            NoteType::Cloze => ["Text", "Back Extra", "Source", "Card id"],
        }
    }
}

/// One note with its one card.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteRow {
    pub id: i64,
    pub guid: String,
    pub note_type: NoteType,
    /// Seconds: when the card's text last changed.
    pub modified: i64,
    pub tags: String,
    /// The four fields, in the note type's order.
    pub fields: [String; 4],
    pub sort_field: String,
    pub checksum: i64,
}

/// A card's scheduling as Anki stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct CardRow {
    pub id: i64,
    pub note: i64,
    pub deck: i64,
    pub modified: i64,
    /// 0 new, 2 review.
    pub kind: i64,
    /// 0 new, 2 review, -1 suspended.
    pub queue: i64,
    /// A new card's position, or a review card's day (since `CREATED`).
    pub due: i64,
    pub interval: i64,
    /// Ease in thousandths (2500 for 2.5).
    pub factor: i64,
    pub reps: i64,
    pub lapses: i64,
    /// JSON: the last review time (`lrt`, seconds) and FSRS's memory.
    pub data: String,
}

/// One revlog row.
#[derive(Debug, Clone, PartialEq)]
pub struct RevlogRow {
    pub id: i64,
    pub card: i64,
    pub button: i64,
    pub interval: i64,
    pub last_interval: i64,
    pub factor: i64,
    pub ms: i64,
    pub kind: i64,
}

/// A deck of the export: its Anki id and full name (`mastery::Title`).
#[derive(Debug, Clone, PartialEq)]
pub struct DeckRow {
    pub id: i64,
    pub name: String,
}

/// Everything an export writes.
#[derive(Debug, Clone)]
pub struct Collection {
    /// The collection's creation time (seconds); due days count from it.
    pub created: i64,
    /// Seconds: the export's time, the collection's and decks' `mod`.
    pub now: i64,
    pub rollover_hour: u32,
    /// The time zone's offset at the export, minutes west of UTC.
    pub minutes_west: i32,
    pub decks: Vec<DeckRow>,
    pub notes: Vec<NoteRow>,
    pub cards: Vec<CardRow>,
    pub revlog: Vec<RevlogRow>,
}

/// The deck every collection has, and the one deck options group.
const DEFAULT_DECK: i64 = 1;
const OPTIONS: i64 = 1;

impl Collection {
    /// `col.conf`: the settings Anki reads when it opens the file. The
    /// rollover hour and creation offset make Anki count days as mastery
    /// does (see `CREATED`).
    pub fn conf(&self) -> Value {
        json!({
            "activeDecks": [DEFAULT_DECK],
            "curDeck": DEFAULT_DECK,
            "newSpread": 0,
            "collapseTime": 1200,
            "timeLim": 0,
            "estTimes": true,
            "dueCounts": true,
            "curModel": NoteType::Basic.id(),
            "nextPos": self.cards.iter().filter(|c| c.kind == 0).count() + 1,
            "sortType": "noteFld",
            "sortBackwards": false,
            "addToCur": true,
            "schedVer": 2,
            "sched2021": true,
            "rollover": self.rollover_hour,
            "creationOffset": self.minutes_west,
            "dayLearnFirst": false,
        })
    }

    /// `col.models`: the two note types, by id.
    pub fn models(&self) -> Value {
        let mut out = serde_json::Map::new();
        for t in [NoteType::Basic, NoteType::Cloze] {
            out.insert(t.id().to_string(), note_type_json(t));
        }
        Value::Object(out)
    }

    /// `col.decks`: Default, the `mastery` parent and one deck per mastery
    /// deck.
    pub fn decks(&self) -> Value {
        let mut out = serde_json::Map::new();
        let mut all = vec![
            DeckRow {
                id: DEFAULT_DECK,
                name: "Default".into(),
            },
            DeckRow {
                id: object_id("deck:"),
                name: "mastery".into(),
            },
        ];
        all.extend(self.decks.iter().cloned());
        for d in all {
            out.insert(d.id.to_string(), deck_json(&d, self.now));
        }
        Value::Object(out)
    }

    /// `col.dconf`: Anki's default deck options, which every deck uses.
    pub fn dconf(&self) -> Value {
        json!({ OPTIONS.to_string(): {
            "id": OPTIONS,
            "mod": 0,
            "name": "Default",
            "usn": 0,
            "maxTaken": 60,
            "autoplay": true,
            "timer": 0,
            "replayq": true,
            "dyn": false,
            "new": {
                "bury": false,
                "delays": [1.0, 10.0],
                "initialFactor": 2500,
                "ints": [1, 4, 0],
                "order": 1,
                "perDay": 20
            },
            "rev": {
                "bury": false,
                "ease4": 1.3,
                "ivlFct": 1.0,
                "maxIvl": 36500,
                "perDay": 200,
                "hardFactor": 1.2
            },
            "lapse": {
                "delays": [10.0],
                "leechAction": 1,
                "leechFails": 8,
                "minInt": 1,
                "mult": 0.0
            }
        }})
    }
}

fn note_type_json(t: NoteType) -> Value {
    let fields: Vec<Value> = t
        .fields()
        .iter()
        .enumerate()
        .map(|(ord, name)| {
            json!({
                "name": name,
                "ord": ord,
                "sticky": false,
                "rtl": false,
                "font": "Arial",
                "size": 20,
                "description": "",
                "plainText": false,
                "collapsed": false,
                "excludeFromSearch": false,
            })
        })
        .collect();
    let source = "<div class=source>{{Source}}</div>";
    let (kind, question, answer, sort) = match t {
        NoteType::Basic => (
            0,
            "{{Front}}".to_string(),
            format!("{{{{FrontSide}}}}\n\n<hr id=answer>\n\n{{{{Back}}}}\n{source}"),
            0,
        ),
        NoteType::Cloze => (
            1,
            "{{cloze:Text}}".to_string(),
            format!("{{{{cloze:Text}}}}<br>\n{{{{Back Extra}}}}\n{source}"),
            0,
        ),
    };
    json!({
        "id": t.id(),
        "name": t.name(),
        "type": kind,
        "mod": 0,
        "usn": 0,
        "sortf": sort,
        "did": null,
        "tmpls": [{
            "name": if t == NoteType::Basic { "Card 1" } else { "Cloze" },
            "ord": 0,
            "qfmt": question,
            "afmt": answer,
            "bqfmt": "",
            "bafmt": "",
            "did": null,
            "bfont": "",
            "bsize": 0,
        }],
        "flds": fields,
        "css": ".card {\n  font-family: arial;\n  font-size: 20px;\n  text-align: left;\n  color: black;\n  background-color: white;\n}\n.cloze {\n  font-weight: bold;\n  color: blue;\n}\n.source {\n  margin-top: 1em;\n  font-size: 12px;\n  color: gray;\n}\n",
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}",
        "latexsvg": false,
        "req": [[0, "any", [0]]],
        "tags": [],
        "vers": [],
    })
}

fn deck_json(d: &DeckRow, now: i64) -> Value {
    json!({
        "id": d.id,
        "name": d.name,
        "mod": now,
        "usn": 0,
        "lrnToday": [0, 0],
        "revToday": [0, 0],
        "newToday": [0, 0],
        "timeToday": [0, 0],
        "collapsed": false,
        "browserCollapsed": false,
        "desc": "",
        "dyn": 0,
        "conf": OPTIONS,
        "extendNew": 0,
        "extendRev": 0,
    })
}
