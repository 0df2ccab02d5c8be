//! A query's syntax tree as one SQL condition over `card c`, `note n`,
//! `deck d` and `card_text t`, with its parameters. Every term is pushed
//! down to SQLite: state terms use the card indexes, review terms the
//! `review_day` index, and words are found with `fold` as the rows are
//! read, so nothing is filtered in Rust.

use rusqlite::types::Value;

use super::Store;
use super::marks::{Marks, Suspension};
use super::query::{CARD_SELECT, card_row, fsrs_card, memory};
use crate::clock::Day;
use crate::error::Result;
use crate::fsrs::Memory;
use crate::scheduler::CardState;
use crate::search::{
    Cmp, Located, Node, Pattern, Prop, Query, QueryError, State, Term, did_you_mean,
};
use crate::store::CardRow;

/// How a listing is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Curriculum order: module, deck, then file order.
    #[default]
    Curriculum,
    /// Soonest due first; new cards last.
    Due,
    /// Shortest interval first; new cards last.
    Interval,
    /// Lowest ease first: the hardest cards; new cards last.
    Ease,
    /// Most lapses first.
    Lapses,
    /// Most recently added first.
    Added,
    /// Most recently answered first; never answered last.
    Reviewed,
}

/// What a listing's order reads from a card. The deck is its rank among
/// the deck keys in order, so that every key is a number.
pub(super) struct SortFields<'a> {
    pub id: i64,
    pub module: Option<u8>,
    pub deck_rank: i64,
    pub pos: i64,
    pub due: Option<Day>,
    /// The interval the active scheduler set (FSRS's, under FSRS).
    pub interval: u32,
    pub state: &'a CardState,
}

impl SortBy {
    /// Every order.
    pub const ALL: [SortBy; 7] = [
        SortBy::Curriculum,
        SortBy::Due,
        SortBy::Interval,
        SortBy::Ease,
        SortBy::Lapses,
        SortBy::Added,
        SortBy::Reviewed,
    ];

    /// Orders rows in Rust: SQLite would sort whole rows, card text and
    /// all, in a temporary B-tree, which costs more than the query itself
    /// when a third of 100k cards match.
    pub fn sort(self, rows: &mut [CardRow]) {
        // The few distinct keys, owned: the rows are reordered below.
        let keys: Vec<String> = rows
            .iter()
            .map(|c| c.deck_key.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let rank = |key: &String| keys.binary_search(key).map_or(0, |i| i as i64);
        rows.sort_by_cached_key(|c| {
            self.key(&SortFields {
                id: c.id,
                module: c.module,
                deck_rank: rank(&c.deck_key),
                pos: c.pos,
                due: c.due,
                interval: c.fsrs().map_or(c.state.interval, |f| f.interval),
                state: &c.state,
            })
        });
    }

    /// A card's place in this order: numbers compared in turn, smallest
    /// first (a negated number puts the largest first), the card id last,
    /// so that no two cards tie (a retired card keeps its place number,
    /// which a live card may take).
    pub(super) fn key(self, c: &SortFields<'_>) -> [i64; 5] {
        let s = c.state;
        // Cards with no value for the sort (new, never answered) go last.
        let missing = |absent: bool| i64::from(absent);
        match self {
            SortBy::Curriculum => [
                missing(c.module.is_none()),
                c.module.map_or(0, i64::from),
                c.deck_rank,
                c.pos,
                c.id,
            ],
            SortBy::Due => [missing(c.due.is_none()), c.due.unwrap_or(0), c.id, 0, 0],
            SortBy::Interval => [missing(s.due.is_none()), i64::from(c.interval), c.id, 0, 0],
            SortBy::Ease => [missing(s.due.is_none()), i64::from(s.ease), c.id, 0, 0],
            SortBy::Lapses => [-i64::from(s.lapses), c.id, 0, 0, 0],
            SortBy::Added => [-c.id, 0, 0, 0, 0],
            SortBy::Reviewed => [
                missing(s.last_day.is_none()),
                -s.last_day.unwrap_or(0),
                c.id,
                0,
                0,
            ],
        }
    }

    /// The same order as `key`, for SQL's `ORDER BY`.
    fn sql(self) -> String {
        match self {
            SortBy::Curriculum => "d.module IS NULL, d.module, d.key, c.pos, c.id".into(),
            SortBy::Due => "c.due IS NULL, c.due, c.id".into(),
            SortBy::Interval => format!("c.due IS NULL, {ACTIVE_INTERVAL}, c.id"),
            SortBy::Ease => "c.due IS NULL, c.ease, c.id".into(),
            SortBy::Lapses => "c.lapses DESC, c.id".into(),
            SortBy::Added => "c.id DESC".into(),
            SortBy::Reviewed => "c.last_day IS NULL, c.last_day DESC, c.id".into(),
        }
    }
}

/// Which texts a listing reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListTexts {
    pub key: bool,
    pub front: bool,
    pub back: bool,
    pub topic: bool,
    /// The note's kind.
    pub kind: bool,
    /// The deck file and line.
    pub source: bool,
}

/// A card as a listing reads it, borrowed from its row. A text that was not
/// asked for (`ListTexts`) is empty.
pub struct Listed<'a> {
    pub id: i64,
    pub key: &'a str,
    pub deck_key: &'a str,
    pub module: Option<u8>,
    pub pos: i64,
    pub front: &'a str,
    pub back: &'a str,
    pub topic: &'a str,
    pub note_kind: &'a str,
    pub path: &'a str,
    pub line: i64,
    /// SM-2's state.
    pub state: CardState,
    /// The due day the active scheduler set.
    pub due: Option<Day>,
    pub memory: Option<Memory>,
    pub retired: bool,
    pub marks: Marks,
}

impl Listed<'_> {
    /// The interval the active scheduler set: under FSRS, from the last
    /// review to the due day.
    pub fn interval(&self) -> u32 {
        fsrs_card(self.memory, self.state.last_day, self.due)
            .map_or(self.state.interval, |f| f.interval)
    }
}

/// A translated query: the condition and its parameters, in order.
struct Condition {
    sql: String,
    params: Vec<Value>,
    /// The condition reads `card_text` (a word or phrase).
    text: bool,
    /// It reads `note n` (topic, kind, note ids).
    note: bool,
    /// It reads `deck d` (module, category).
    deck: bool,
}

struct Translator<'a> {
    store: &'a Store,
    today: Day,
    params: Vec<Value>,
    text: bool,
    note: bool,
    deck: bool,
    decks: Option<Vec<String>>,
}

impl Store {
    /// The cards a query matches, with their text and state, in `sort`
    /// order. Retired cards are left out unless the query asks for
    /// `is:retired`.
    pub fn search(&self, query: &Query, today: Day, sort: SortBy) -> Result<Vec<CardRow>> {
        let cond = self.condition(query, today)?;
        let mut stmt = self
            .conn
            .prepare(&format!("{CARD_SELECT} WHERE {}", cond.sql))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(cond.params), card_row)?;
        let mut rows: Vec<CardRow> = rows.collect::<rusqlite::Result<_>>()?;
        sort.sort(&mut rows);
        Ok(rows)
    }

    /// The cards a query matches, in `sort` order, each turned by `keep`
    /// into what the caller prints while its row is read: a listing of
    /// 30k cards owns no text it doesn't print. Only the texts in `texts`
    /// are read; the others are empty.
    pub fn list<T>(
        &self,
        query: &Query,
        today: Day,
        sort: SortBy,
        texts: ListTexts,
        mut keep: impl FnMut(&Listed<'_>) -> T,
    ) -> Result<Vec<T>> {
        let cond = self.condition(query, today)?;
        let text = |wanted: bool, column: &str| {
            if wanted {
                column.to_string()
            } else {
                "NULL".into()
            }
        };
        // Only the tables the condition or the texts read are joined: a
        // row read from each for 30k cards is most of a listing's time.
        let mut joins = String::new();
        if cond.note || texts.topic || texts.kind || texts.source {
            joins.push_str(" JOIN note n ON n.id = c.note_id");
        }
        if cond.deck || texts.source {
            joins.push_str(" JOIN deck d ON d.id = c.deck_id");
        }
        if cond.text || texts.front || texts.back {
            joins.push_str(" JOIN card_text t ON t.card_id = c.id");
        }
        let sql = format!(
            "SELECT c.id, c.deck_id, c.pos, c.due, c.reps, c.ease, c.interval, c.sm2_due,
                    c.lapses, c.last_grade, c.last_day, c.stability, c.difficulty, c.retired,
                    c.suspended, c.buried, c.flagged, c.leech, {}, {}, {}, {}, {}, {}, {}
             FROM card c{joins}
             WHERE {}",
            text(texts.key, "c.key"),
            text(texts.front, "t.front"),
            text(texts.back, "t.back"),
            text(texts.topic, "n.topic"),
            text(texts.kind, "n.kind"),
            text(texts.source, "coalesce(n.path, d.path)"),
            text(texts.source, "n.line"),
            cond.sql
        );
        // Every deck, once: its key and module for each of its cards, and
        // its rank among the keys, so that the curriculum order compares
        // numbers, not strings, for every pair of rows.
        let mut decks: Vec<(String, i64, Option<u8>)> = self
            .conn
            .prepare_cached("SELECT key, id, module FROM deck")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        decks.sort_unstable();
        let deck: std::collections::HashMap<i64, (i64, &str, Option<u8>)> = decks
            .iter()
            .enumerate()
            .map(|(rank, (key, id, module))| (*id, (rank as i64, key.as_str(), *module)))
            .collect();
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(cond.params))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let text = |i: usize| -> rusqlite::Result<&str> {
                Ok(r.get_ref(i)?.as_str_or_null()?.unwrap_or(""))
            };
            let state = CardState {
                reps: r.get(4)?,
                ease: r.get(5)?,
                interval: r.get(6)?,
                due: r.get(7)?,
                lapses: r.get(8)?,
                last_grade: r.get(9)?,
                last_day: r.get(10)?,
            };
            // The card's deck is there: a foreign key.
            let (deck_rank, deck_key, module) =
                deck.get(&r.get(1)?).copied().unwrap_or((0, "", None));
            let card = Listed {
                id: r.get(0)?,
                deck_key,
                module,
                pos: r.get(2)?,
                due: r.get(3)?,
                memory: memory(r.get(11)?, r.get(12)?),
                retired: r.get(13)?,
                marks: Marks {
                    suspended: Suspension::from_column(r.get(14)?),
                    buried: r.get(15)?,
                    flagged: r.get(16)?,
                    leech: r.get(17)?,
                },
                key: text(18)?,
                front: text(19)?,
                back: text(20)?,
                topic: text(21)?,
                note_kind: text(22)?,
                path: text(23)?,
                line: r.get::<_, Option<i64>>(24)?.unwrap_or(0),
                state,
            };
            let order = sort.key(&SortFields {
                id: card.id,
                module: card.module,
                deck_rank,
                pos: card.pos,
                due: card.due,
                interval: card.interval(),
                state: &card.state,
            });
            out.push((order, keep(&card)));
        }
        out.sort_by_key(|(order, _)| *order);
        Ok(out.into_iter().map(|(_, t)| t).collect())
    }

    /// The ids of the cards a query matches, in `sort` order, without
    /// reading their text unless the query searches it.
    pub fn search_ids(&self, query: &Query, today: Day, sort: SortBy) -> Result<Vec<i64>> {
        let cond = self.condition(query, today)?;
        let text_join = if cond.text {
            "JOIN card_text t ON t.card_id = c.id"
        } else {
            ""
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT c.id FROM card c JOIN note n ON n.id = c.note_id JOIN deck d ON d.id = c.deck_id {text_join}
             WHERE {} ORDER BY {}",
            cond.sql,
            sort.sql()
        ))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(cond.params), |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn condition(&self, query: &Query, today: Day) -> Result<Condition> {
        let mut t = Translator {
            store: self,
            today,
            params: Vec::new(),
            text: false,
            note: false,
            deck: false,
            decks: None,
        };
        let base = if query.wants_retired() {
            "1"
        } else {
            "c.retired = 0"
        };
        let sql = match &query.root {
            None => base.to_string(),
            Some(node) => format!("{base} AND {}", t.node(node)?),
        };
        Ok(Condition {
            sql,
            params: t.params,
            text: t.text,
            note: t.note,
            deck: t.deck,
        })
    }
}

impl Translator<'_> {
    fn param(&mut self, v: impl Into<Value>) -> String {
        self.params.push(v.into());
        format!("?{}", self.params.len())
    }

    /// Every condition is true or false, never NULL, so that `NOT` flips it.
    fn node(&mut self, node: &Node) -> Result<String> {
        Ok(match node {
            Node::And(v) => format!(
                "({})",
                v.iter()
                    .map(|n| self.node(n))
                    .collect::<Result<Vec<_>>>()?
                    .join(" AND ")
            ),
            Node::Or(v) => format!(
                "({})",
                v.iter()
                    .map(|n| self.node(n))
                    .collect::<Result<Vec<_>>>()?
                    .join(" OR ")
            ),
            Node::Not(n) => format!("NOT {}", self.node(n)?),
            Node::Term(l) => format!("({})", self.term(l)?),
        })
    }

    fn term(&mut self, l: &Located) -> Result<String> {
        let today = self.today;
        Ok(match &l.term {
            Term::Text(p) => {
                self.text = true;
                // Front and back apart: a phrase never spans the two.
                let front = self.matches("fold(t.front)", p, true);
                let back = self.matches("fold(t.back)", p, true);
                format!("{front} OR {back}")
            }
            Term::Deck(p) => self.deck(p, l.column)?,
            Term::Module(m) => {
                self.deck = true;
                format!("d.module IS {}", self.param(i64::from(*m)))
            }
            Term::Category(p) => {
                self.deck = true;
                let m = self.matches("fold(d.category)", p, false);
                format!("coalesce({m}, 0)")
            }
            Term::Topic(p) => {
                self.note = true;
                self.matches("fold(n.topic)", p, true)
            }
            Term::Tag(p) => {
                let like = self.param(like_pattern(p, false));
                let child = self.param(format!("{}/%", like_pattern(p, false)));
                let cond = format!(
                    "(fold(j.value) LIKE {like} ESCAPE '\\' OR fold(j.value) LIKE {child} ESCAPE '\\')"
                );
                // Tags are the deck's (front matter) and the note's (`Tags:`):
                // the few matching decks and notes are found once, not per
                // card, the notes from the `note_tagged` index.
                format!(
                    "c.deck_id IN (SELECT d2.id FROM deck d2, json_each(d2.tags) j WHERE {cond})
                     OR c.note_id IN (SELECT n2.id FROM note n2 INDEXED BY note_tagged, json_each(n2.tags) j
                                      WHERE n2.tags IS NOT NULL AND {cond})"
                )
            }
            Term::Id(ids) => {
                self.note = true;
                let list = self.param(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()));
                format!(
                    "c.key IN (SELECT value FROM json_each({list})) OR n.key IN (SELECT value FROM json_each({list}))"
                )
            }
            Term::Kind(k) => {
                self.note = true;
                format!("n.kind = {}", self.param(k.name().to_string()))
            }
            Term::Is(s) => self.state(*s),
            Term::Flag(on) => format!("c.flagged = {}", i64::from(*on)),
            Term::Prop(p, cmp, v) => self.prop(*p, *cmp, *v),
            Term::Rated { days, grade } => {
                let since = self.param(today - i64::from(*days));
                let grade = match grade {
                    Some(g) => format!(" AND grade = {}", self.param(i64::from(*g))),
                    None => String::new(),
                };
                format!("c.id IN (SELECT card_id FROM live_review WHERE day > {since}{grade})")
            }
            Term::Introduced(days) => {
                let since = self.param(today - i64::from(*days));
                format!(
                    "c.id IN (SELECT card_id FROM live_review WHERE day > {since} AND kind = 'new')"
                )
            }
        })
    }

    /// `column` matches a pattern: a substring (`part`) or the whole text,
    /// `*` standing for any run of characters.
    fn matches(&mut self, column: &str, p: &Pattern, part: bool) -> String {
        if p.wildcard || !part {
            let like = self.param(like_pattern(p, part));
            format!("{column} LIKE {like} ESCAPE '\\'")
        } else {
            let text = self.param(p.text.clone());
            format!("instr({column}, {text}) > 0")
        }
    }

    /// `deck:` names a deck id, or the decks under it (`patterns` covers
    /// `patterns/speed`). A name without wildcards that matches no deck is
    /// an error, so that a typo doesn't read as "no cards".
    fn deck(&mut self, p: &Pattern, column: usize) -> Result<String> {
        if !p.wildcard {
            let decks = match &self.decks {
                Some(d) => d.clone(),
                None => {
                    let d: Vec<String> = self
                        .store
                        .decks()?
                        .into_iter()
                        .map(|d| crate::search::fold(&d.key))
                        .collect();
                    self.decks = Some(d.clone());
                    d
                }
            };
            let under = format!("{}/", p.text);
            if !decks.iter().any(|k| *k == p.text || k.starts_with(&under)) {
                // Parents too: `patern` is closest to `patterns`.
                let mut names: Vec<&str> = decks.iter().map(String::as_str).collect();
                names.extend(
                    decks
                        .iter()
                        .flat_map(|k| k.match_indices('/').map(move |(i, _)| &k[..i])),
                );
                return Err(QueryError::new(
                    column,
                    format!(
                        "unknown deck '{}'{}; list decks with `mastery status`",
                        p.text,
                        did_you_mean(&p.text, names)
                    ),
                )
                .into());
            }
        }
        let like = self.param(like_pattern(p, false));
        let child = self.param(format!("{}/%", like_pattern(p, false)));
        Ok(format!(
            "c.deck_id IN (SELECT id FROM deck WHERE retired = 0 AND (fold(key) LIKE {like} ESCAPE '\\' OR fold(key) LIKE {child} ESCAPE '\\'))"
        ))
    }

    fn state(&mut self, s: State) -> String {
        let today = match s {
            State::Due | State::Buried => self.param(self.today),
            _ => String::new(),
        };
        match s {
            State::New => "c.due IS NULL".into(),
            // What `mastery review` would show today.
            State::Due => format!(
                "c.due IS NOT NULL AND c.due <= {today} AND c.suspended = 0 AND (c.buried IS NULL OR c.buried < {today})"
            ),
            // SM-2 has no learning steps within a day: a card failed at its
            // last scheduling review is (re)learning, one passed is in
            // review, and, as in Anki, a lapsed card is in both.
            State::Learn => format!("{SEEN} AND c.last_grade < 3"),
            State::Review => format!("{SEEN} AND (c.last_grade >= 3 OR c.lapses > 0)"),
            State::Suspended => "c.suspended != 0".into(),
            State::Buried => format!("c.buried IS NOT NULL AND c.buried >= {today}"),
            State::Leech => "c.leech = 1".into(),
            State::Flagged => "c.flagged = 1".into(),
            State::Retired => "c.retired = 1".into(),
        }
    }

    fn prop(&mut self, p: Prop, cmp: Cmp, v: f64) -> String {
        let op = cmp.sql();
        match p {
            // Ease is kept in hundredths; a new card has none yet.
            Prop::Ease => format!(
                "{SEEN} AND c.ease {op} {}",
                self.param((v * 100.0).round() as i64)
            ),
            // The interval the `ivl` column shows: FSRS's under FSRS.
            Prop::Ivl => format!("{SEEN} AND {ACTIVE_INTERVAL} {op} {}", self.param(v as i64)),
            Prop::Lapses => format!("c.lapses {op} {}", self.param(v as i64)),
            // SM-2's repetition count, as `show` prints it: passes in a
            // row (a lapse starts it again at 1), read from the card row.
            Prop::Reps => format!("c.reps {op} {}", self.param(v as i64)),
            // Days from today: 1 is tomorrow, -7 a week overdue.
            Prop::Due => format!(
                "c.due IS NOT NULL AND c.due - {} {op} {}",
                self.param(self.today),
                self.param(v as i64)
            ),
        }
    }
}

/// The interval the active scheduler set, as `CardRow::fsrs` reads it: a
/// card with FSRS's memory has the days from its last review to its due
/// day, any other SM-2's interval.
const ACTIVE_INTERVAL: &str = "(CASE WHEN c.stability IS NOT NULL AND c.difficulty IS NOT NULL
      AND c.last_day IS NOT NULL AND c.due IS NOT NULL
    THEN max(c.due - c.last_day, 0) ELSE c.interval END)";

/// "Seen at least once", for terms whose own column has no index. The `+`
/// keeps SQLite from walking the `card_due` index for it: most cards are
/// seen, and reading the card table in order is about twice as fast as
/// jumping from index entry to card row 100k times.
const SEEN: &str = "+c.due IS NOT NULL";

/// A pattern as a LIKE pattern escaped with `\`: `*` is `%`, a literal
/// `%`, `_` or `\` is escaped; `part` adds `%` at both ends.
fn like_pattern(p: &Pattern, part: bool) -> String {
    let mut out = String::new();
    if part {
        out.push('%');
    }
    let mut chars = p.text.chars();
    while let Some(c) = chars.next() {
        match c {
            // In a wildcard pattern `\x` is a literal x (see `search::parse`).
            '\\' if p.wildcard => {
                if let Some(n) = chars.next() {
                    push_literal(&mut out, n);
                }
            }
            '*' if p.wildcard => out.push('%'),
            c => push_literal(&mut out, c),
        }
    }
    if part {
        out.push('%');
    }
    out
}

fn push_literal(out: &mut String, c: char) {
    if matches!(c, '%' | '_' | '\\') {
        out.push('\\');
    }
    out.push(c);
}
