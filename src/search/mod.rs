//! The query language of `cards`, `review`, `quiz`, `weak` and `read`,
//! modelled on Anki's search syntax: text in, a syntax tree out. The store
//! turns the tree into SQL (`store::search`); nothing here touches the
//! database.
//!
//! ```text
//! hook exit                 both words, in front or back
//! "exit code 2"             the phrase
//! deck:patterns/* -is:new   a deck (wildcards, sub-decks), not new
//! (tag:hooks or tag:mcp) prop:ease<1.8
//! ```

mod fold;
mod parse;

pub use fold::fold;
pub use parse::parse;

use std::fmt;

/// A parsed query and the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub text: String,
    /// `None` for an empty query: every card.
    pub root: Option<Node>,
}

impl Query {
    /// The query that matches every active card.
    pub fn all() -> Query {
        Query {
            text: String::new(),
            root: None,
        }
    }

    /// Whether any term asks for retired cards, which are otherwise left out.
    pub fn wants_retired(&self) -> bool {
        fn walk(n: &Node) -> bool {
            match n {
                Node::And(v) | Node::Or(v) => v.iter().any(walk),
                Node::Not(n) => walk(n),
                Node::Term(t) => t.term == Term::Is(State::Retired),
            }
        }
        self.root.as_ref().is_some_and(walk)
    }

    /// This query and `term` too: how the scope flags (`--deck`,
    /// `--topic`, …) narrow a query, as shorthands for its terms.
    pub fn and(&mut self, term: Term) {
        self.and_any(vec![term]);
    }

    /// This query and any one of `terms` (nothing when `terms` is empty):
    /// a repeated scope flag (`--deck a --deck b`) means either.
    pub fn and_any(&mut self, terms: Vec<Term>) {
        let mut nodes: Vec<Node> = terms
            .into_iter()
            .map(|term| Node::Term(Located { column: 0, term }))
            .collect();
        let node = match nodes.len() {
            0 => return,
            1 => nodes.remove(0),
            _ => Node::Or(nodes),
        };
        self.and_node(node);
    }

    /// This query and `node` too.
    pub fn and_node(&mut self, node: Node) {
        self.root = Some(match self.root.take() {
            None => node,
            Some(Node::And(mut v)) => {
                v.push(node);
                Node::And(v)
            }
            Some(other) => Node::And(vec![other, node]),
        });
    }

    /// This query, without the cards `term` matches.
    pub fn and_not(&mut self, term: Term) {
        self.and_node(Node::Not(Box::new(Node::Term(Located { column: 0, term }))));
    }

    /// Whether the query is empty.
    pub fn is_empty(&self) -> bool {
        self.root.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Term(Located),
}

/// A term and the 1-based column where it starts, for errors found later
/// (an unknown deck is only known once the store is asked).
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub column: usize,
    pub term: Term,
}

/// A text pattern: folded (lowercase, accents removed), with `*` standing
/// for any run of characters when `wildcard` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub text: String,
    pub wildcard: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// A word or a quoted phrase, found anywhere in the front or the back.
    Text(Pattern),
    /// A deck id, or the decks below it (`patterns` finds `patterns/speed`).
    Deck(Pattern),
    Module(u8),
    Category(Pattern),
    /// Part of the topic (the `# heading` above the note).
    Topic(Pattern),
    /// A tag of the note or of its deck's front matter.
    Tag(Pattern),
    /// A card id, or a note id for all of its cards.
    Id(Vec<String>),
    /// A note kind: q, concept, pattern, cloze, checklist.
    Kind(crate::deck::NoteKind),
    Is(State),
    /// `flag:1` flagged, `flag:0` not.
    Flag(bool),
    Prop(Prop, Cmp, f64),
    /// Answered in the last `days` study days, with this grade if given.
    Rated {
        days: u32,
        grade: Option<u8>,
    },
    /// First answered in the last `days` study days.
    Introduced(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    New,
    Due,
    Learn,
    Review,
    Suspended,
    Buried,
    Leech,
    Flagged,
    Retired,
}

impl State {
    pub const ALL: [(&'static str, State); 9] = [
        ("new", State::New),
        ("due", State::Due),
        ("learn", State::Learn),
        ("review", State::Review),
        ("suspended", State::Suspended),
        ("buried", State::Buried),
        ("leech", State::Leech),
        ("flagged", State::Flagged),
        ("retired", State::Retired),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prop {
    Ease,
    Ivl,
    Lapses,
    Reps,
    Due,
}

impl Prop {
    pub const ALL: [(&'static str, Prop); 5] = [
        ("ease", Prop::Ease),
        ("ivl", Prop::Ivl),
        ("lapses", Prop::Lapses),
        ("reps", Prop::Reps),
        ("due", Prop::Due),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Cmp {
    pub fn sql(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Eq => "=",
            Cmp::Ne => "!=",
        }
    }
}

/// A query that could not be read, or names something that doesn't exist:
/// printed as `query:COLUMN: message`, the column counted in characters
/// from 1, as compilers point into a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

impl Pattern {
    /// Text taken literally (no wildcards), folded.
    pub fn literal(text: &str) -> Pattern {
        Pattern {
            text: fold(text),
            wildcard: false,
        }
    }
}

impl QueryError {
    pub fn new(column: usize, message: impl Into<String>) -> QueryError {
        QueryError {
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "query:{}: {}", self.column, self.message)
    }
}

/// The closest of `known` to `typed`, if close enough to be a likely typo:
/// "; did you mean 'ease'?", or nothing.
pub fn did_you_mean<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let typed = typed.to_lowercase();
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(&typed, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3) && *d < k.len().max(typed.len()))
        .min_by_key(|(d, _)| *d)
        .map_or_else(String::new, |(_, k)| format!("; did you mean '{k}'?"))
}
