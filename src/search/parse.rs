//! Query text into a syntax tree, in two steps: tokens (words, quoted
//! phrases, parentheses, `-` and `or`), then terms joined by `and`
//! (implicit), `or` and `-`. Every error names the column it was found at.
//!
//! Grammar, loosest first:
//!
//! ```text
//! query := and ("or" and)*
//! and   := unary+            ("and" between terms is allowed and ignored)
//! unary := "-" unary | "(" query ")" | term
//! ```

use super::{Cmp, Located, Node, Pattern, Prop, Query, QueryError, State, Term, did_you_mean};
use crate::deck::NoteKind;

/// The search keys, as typed before the colon.
const KEYS: [&str; 13] = [
    "deck",
    "module",
    "category",
    "topic",
    "tag",
    "id",
    "kind",
    "is",
    "flag",
    "prop",
    "rated",
    "introduced",
    "note",
];

/// Days a `rated:` or `introduced:` window may span: ten years.
const MAX_DAYS: u32 = 3650;

/// Parses a query; the empty query (or only spaces) matches every card.
pub fn parse(text: &str) -> Result<Query, QueryError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        end: text.chars().count() + 1,
    };
    let root = if parser.tokens.is_empty() {
        None
    } else {
        let node = parser.query()?;
        if let Some(t) = parser.peek() {
            // Only a `)` without its `(` stops a query early.
            return Err(QueryError::new(
                t.column,
                "')' closes nothing: remove it or add the '(' it closes",
            ));
        }
        Some(node)
    };
    Ok(Query {
        text: text.to_string(),
        root,
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Neg,
    Or,
    And,
    /// A bare word, escapes resolved; `escaped` tells, per character,
    /// whether it was escaped (or quoted), so that it is taken literally.
    Word {
        text: String,
        escaped: Vec<bool>,
    },
    Phrase(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    column: usize,
}

fn lex(text: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' => {
                tokens.push(Token {
                    tok: Tok::Open,
                    column,
                });
                i += 1;
            }
            ')' => {
                tokens.push(Token {
                    tok: Tok::Close,
                    column,
                });
                i += 1;
            }
            '-' if chars
                .get(i + 1)
                .is_some_and(|n| !n.is_whitespace() && *n != ')') =>
            {
                tokens.push(Token {
                    tok: Tok::Neg,
                    column,
                });
                i += 1;
            }
            '-' => {
                return Err(QueryError::new(
                    column,
                    "'-' must be followed by the term it excludes, as in -is:new",
                ));
            }
            '"' => {
                let (phrase, next) = quoted(&chars, i)?;
                tokens.push(Token {
                    tok: Tok::Phrase(phrase),
                    column,
                });
                i = next;
            }
            _ => {
                let mut word = String::new();
                let mut escaped = Vec::new();
                while i < chars.len() {
                    let c = chars[i];
                    if c.is_whitespace() || c == '(' || c == ')' {
                        break;
                    }
                    if c == '\\' {
                        let Some(&n) = chars.get(i + 1) else {
                            return Err(QueryError::new(
                                i + 1,
                                "a '\\' at the end escapes nothing: write '\\\\' for a backslash",
                            ));
                        };
                        word.push(n);
                        escaped.push(true);
                        i += 2;
                        continue;
                    }
                    // `key:"a value with spaces"`: the quotes belong to the word.
                    if c == '"' && word.ends_with(':') {
                        let (value, next) = quoted(&chars, i)?;
                        for v in value.chars() {
                            word.push(v);
                            // A quoted value is taken literally, except `*`.
                            escaped.push(v != '*');
                        }
                        i = next;
                        continue;
                    }
                    word.push(c);
                    escaped.push(false);
                    i += 1;
                }
                let tok = match word.as_str() {
                    w if w.eq_ignore_ascii_case("or") && !escaped.iter().any(|e| *e) => Tok::Or,
                    w if w.eq_ignore_ascii_case("and") && !escaped.iter().any(|e| *e) => Tok::And,
                    _ => Tok::Word {
                        text: word,
                        escaped,
                    },
                };
                tokens.push(Token { tok, column });
            }
        }
    }
    Ok(tokens)
}

/// The text of a quoted string starting at `chars[start]` (a `"`), with
/// `\"` and `\\` unescaped, and the index after its closing quote.
fn quoted(chars: &[char], start: usize) -> Result<(String, usize), QueryError> {
    let mut out = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '"' => return Ok((out, i + 1)),
            '\\' if i + 1 < chars.len() => {
                out.push(chars[i + 1]);
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err(QueryError::new(
        start + 1,
        "this quote is never closed: add a '\"' after the phrase",
    ))
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    /// The column just past the query, for "expected a term" at the end.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn query(&mut self) -> Result<Node, QueryError> {
        let mut alternatives = vec![self.and()?];
        while let Some(Token { tok: Tok::Or, .. }) = self.peek() {
            self.next();
            alternatives.push(self.and()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            Node::Or(alternatives)
        })
    }

    fn and(&mut self) -> Result<Node, QueryError> {
        let mut terms = Vec::new();
        loop {
            match self.peek().map(|t| (&t.tok, t.column)) {
                None | Some((Tok::Close | Tok::Or, _)) => break,
                Some((Tok::And, _)) => {
                    self.next();
                }
                _ => terms.push(self.unary()?),
            }
        }
        if terms.is_empty() {
            let (column, what) = match self.peek() {
                Some(t) if t.tok == Tok::Or => (t.column, "before 'or'"),
                Some(t) => (t.column, "here"),
                None => (self.end, "at the end"),
            };
            return Err(QueryError::new(
                column,
                format!("expected a search term {what}: a word, a \"phrase\" or key:value"),
            ));
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Node::And(terms)
        })
    }

    fn unary(&mut self) -> Result<Node, QueryError> {
        let Some(token) = self.next() else {
            return Err(QueryError::new(
                self.end,
                "expected a search term at the end",
            ));
        };
        match token.tok {
            Tok::Neg => Ok(Node::Not(Box::new(self.unary()?))),
            Tok::Open => {
                if let Some(Token {
                    tok: Tok::Close,
                    column,
                }) = self.peek()
                {
                    return Err(QueryError::new(
                        *column,
                        "empty parentheses: put terms in them",
                    ));
                }
                let inner = self.query()?;
                match self.next() {
                    Some(Token {
                        tok: Tok::Close, ..
                    }) => Ok(inner),
                    _ => Err(QueryError::new(
                        token.column,
                        "this '(' is never closed: add a ')'",
                    )),
                }
            }
            Tok::Phrase(text) => Ok(term(token.column, Term::Text(pattern(&text, &[])))),
            Tok::Word { text, escaped } => {
                Ok(term(token.column, word(&text, &escaped, token.column)?))
            }
            Tok::Close | Tok::Or | Tok::And => Err(QueryError::new(
                token.column,
                "expected a search term here: a word, a \"phrase\" or key:value",
            )),
        }
    }
}

fn term(column: usize, term: Term) -> Node {
    Node::Term(Located { column, term })
}

/// A folded pattern; an unescaped `*` is a wildcard.
fn pattern(text: &str, escaped: &[bool]) -> Pattern {
    let wildcard = text
        .chars()
        .zip(escaped.iter().copied().chain(std::iter::repeat(true)))
        .any(|(c, e)| c == '*' && !e);
    Pattern {
        // In a wildcard pattern, a literal `*` or `\` is written `\*` or
        // `\\`, so that the store tells it from the wildcards.
        text: if wildcard {
            text.chars()
                .zip(escaped.iter().copied().chain(std::iter::repeat(true)))
                .map(|(c, e)| {
                    if (c == '*' && e) || c == '\\' {
                        format!("\\{c}")
                    } else {
                        super::fold(&c.to_string())
                    }
                })
                .collect()
        } else {
            super::fold(text)
        },
        wildcard,
    }
}

/// A bare word: `key:value`, or text to find.
fn word(text: &str, escaped: &[bool], column: usize) -> Result<Term, QueryError> {
    // The first unescaped colon after a run of letters makes a key.
    let colon = text
        .char_indices()
        .zip(escaped)
        .find(|((_, c), e)| *c == ':' && !**e)
        .map(|((i, _), _)| i);
    let Some(colon) =
        colon.filter(|&i| i > 0 && text[..i].chars().all(|c| c.is_ascii_alphabetic()))
    else {
        return Ok(Term::Text(pattern(text, escaped)));
    };
    let key = text[..colon].to_ascii_lowercase();
    let value = &text[colon + 1..];
    let value_escaped = &escaped[text[..=colon].chars().count()..];
    let vcol = column + text[..=colon].chars().count();
    if !KEYS.contains(&key.as_str()) {
        return Err(QueryError::new(
            column,
            format!(
                "unknown search key '{}'{}; to find the text itself, escape the colon (\\:) or quote it",
                &text[..colon],
                did_you_mean(&key, KEYS)
            ),
        ));
    }
    if value.is_empty() {
        return Err(QueryError::new(
            vcol,
            format!("{key}: needs a value, as in {}", example(&key)),
        ));
    }
    let text_pattern = || pattern(value, value_escaped);
    Ok(match key.as_str() {
        "deck" => Term::Deck(text_pattern()),
        "category" => Term::Category(text_pattern()),
        "topic" => Term::Topic(text_pattern()),
        "tag" => Term::Tag(text_pattern()),
        "module" => Term::Module(whole(value, vcol, 1, 8, "module:")? as u8),
        "id" | "note" => Term::Id(
            value
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        "kind" => Term::Kind(NoteKind::from_name(value).ok_or_else(|| {
            let names: Vec<String> = NoteKind::ALL
                .iter()
                .map(|k| k.name().to_lowercase())
                .collect();
            QueryError::new(
                vcol,
                format!(
                    "unknown note kind '{value}'{}; kinds are {}",
                    did_you_mean(value, names.iter().map(String::as_str)),
                    names.join(", ")
                ),
            )
        })?),
        "is" => {
            let lower = value.to_ascii_lowercase();
            Term::Is(
                State::ALL
                    .iter()
                    .find(|(n, _)| *n == lower)
                    .map(|(_, s)| *s)
                    .ok_or_else(|| {
                        QueryError::new(
                            vcol,
                            format!(
                                "unknown state 'is:{value}'{}; states are {}",
                                did_you_mean(&lower, State::ALL.iter().map(|(n, _)| *n)),
                                State::ALL
                                    .iter()
                                    .map(|(n, _)| *n)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    })?,
            )
        }
        "flag" => match value {
            "0" => Term::Flag(false),
            "1" => Term::Flag(true),
            _ => {
                return Err(QueryError::new(
                    vcol,
                    format!(
                        "flag:{value}: mastery has one flag, so flag: takes 0 (not flagged) or 1 (flagged)"
                    ),
                ));
            }
        },
        "prop" => prop(value, vcol)?,
        "rated" => {
            let (days, grade) = match value.split_once(':') {
                Some((d, g)) => {
                    let gcol = vcol + d.chars().count() + 1;
                    (
                        d,
                        Some(whole(g, gcol, 0, 5, "the grade of rated:N:")? as u8),
                    )
                }
                None => (value, None),
            };
            Term::Rated {
                days: whole(days, vcol, 1, u64::from(MAX_DAYS), "rated:")? as u32,
                grade,
            }
        }
        "introduced" => {
            Term::Introduced(whole(value, vcol, 1, u64::from(MAX_DAYS), "introduced:")? as u32)
        }
        _ => unreachable!("every key in KEYS is handled"),
    })
}

fn example(key: &str) -> &'static str {
    match key {
        "deck" => "deck:01-internals or deck:patterns/*",
        "module" => "module:3",
        "category" => "category:debugging",
        "topic" => "topic:\"context management\"",
        "tag" => "tag:hooks",
        "id" | "note" => "id:m01-hook-exit-codes",
        "kind" => "kind:cloze",
        "is" => "is:due",
        "flag" => "flag:1",
        "prop" => "prop:ease<1.8",
        "rated" => "rated:7 or rated:7:1",
        _ => "introduced:7",
    }
}

/// A whole number from `lo` to `hi`, in the words of the CLI's counts.
fn whole(text: &str, column: usize, lo: u64, hi: u64, what: &str) -> Result<u64, QueryError> {
    text.parse::<u64>()
        .ok()
        .filter(|v| (lo..=hi).contains(v) && text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            QueryError::new(
                column,
                format!("{what} takes a whole number from {lo} to {hi}, not '{text}'"),
            )
        })
}

/// `prop:NAME OP NUMBER`, as in `prop:ease<1.8` or `prop:due<=-7`.
fn prop(value: &str, column: usize) -> Result<Term, QueryError> {
    let name_len = value
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(value.len());
    let (name, rest) = value.split_at(name_len);
    let lower = name.to_ascii_lowercase();
    let Some(&(_, prop)) = Prop::ALL.iter().find(|(n, _)| *n == lower) else {
        return Err(QueryError::new(
            column,
            if name.is_empty() {
                "prop: needs a property, as in prop:ease<1.8".to_string()
            } else {
                format!(
                    "unknown property '{name}'{}; properties are {}",
                    did_you_mean(&lower, Prop::ALL.iter().map(|(n, _)| *n)),
                    Prop::ALL
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        ));
    };
    let op_col = column + name.chars().count();
    let (cmp, number) = [
        ("<=", Cmp::Le),
        (">=", Cmp::Ge),
        ("!=", Cmp::Ne),
        ("<", Cmp::Lt),
        (">", Cmp::Gt),
        ("=", Cmp::Eq),
    ]
    .iter()
    .find_map(|(op, cmp)| rest.strip_prefix(op).map(|n| (*cmp, n)))
    .ok_or_else(|| {
        QueryError::new(
            op_col,
            format!("prop:{name} needs a comparison (<, <=, >, >=, = or !=) and a number, as in prop:{lower}>=3"),
        )
    })?;
    let num_col = op_col + (rest.len() - number.len());
    let parsed = match prop {
        // Ease is a factor with two decimals (2.50); the rest count days
        // or answers.
        Prop::Ease => number
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && (0.0..=100.0).contains(v)),
        Prop::Due => number
            .parse::<i64>()
            .ok()
            .filter(|v| v.abs() <= 100_000)
            .map(|v| v as f64),
        _ => number
            .parse::<u64>()
            .ok()
            .filter(|v| *v <= 100_000)
            .map(|v| v as f64),
    };
    let Some(number) = parsed else {
        let wanted = match prop {
            Prop::Ease => "a number such as 2.5",
            Prop::Due => "a whole number of days from today (negative for overdue)",
            _ => "a whole number",
        };
        return Err(QueryError::new(
            num_col,
            format!("prop:{lower} compares with {wanted}, not '{number}'"),
        ));
    };
    Ok(Term::Prop(prop, cmp, number))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn t(term: Term) -> Term {
        term
    }

    fn only(q: &str) -> Term {
        match parse(q).unwrap().root {
            Some(Node::Term(l)) => l.term,
            other => panic!("{q}: one term expected, got {other:?}"),
        }
    }

    fn text(s: &str) -> Term {
        Term::Text(Pattern {
            text: s.into(),
            wildcard: false,
        })
    }

    #[rstest]
    #[case("hook", text("hook"))]
    #[case("\"Exit Code 2\"", text("exit code 2"))]
    #[case("Über", text("uber"))]
    #[case("is:due", t(Term::Is(State::Due)))]
    #[case("IS:Due", t(Term::Is(State::Due)))]
    #[case("prop:ease<1.8", t(Term::Prop(Prop::Ease, Cmp::Lt, 1.8)))]
    #[case("prop:ivl>=21", t(Term::Prop(Prop::Ivl, Cmp::Ge, 21.0)))]
    #[case("prop:due<=-7", t(Term::Prop(Prop::Due, Cmp::Le, -7.0)))]
    #[case("prop:due=1", t(Term::Prop(Prop::Due, Cmp::Eq, 1.0)))]
    #[case("prop:lapses!=0", t(Term::Prop(Prop::Lapses, Cmp::Ne, 0.0)))]
    #[case("rated:7", t(Term::Rated { days: 7, grade: None }))]
    #[case("rated:2:1", t(Term::Rated { days: 2, grade: Some(1) }))]
    #[case("introduced:3", t(Term::Introduced(3)))]
    #[case("flag:1", t(Term::Flag(true)))]
    #[case("module:3", t(Term::Module(3)))]
    #[case("kind:Cloze", t(Term::Kind(NoteKind::Cloze)))]
    #[case("id:a,b", t(Term::Id(vec!["a".into(), "b".into()])))]
    #[case("deck:patterns/*", t(Term::Deck(Pattern { text: "patterns/*".into(), wildcard: true })))]
    #[case("topic:\"context management\"", t(Term::Topic(Pattern { text: "context management".into(), wildcard: false })))]
    #[case("CLAUDE.md\\:", text("claude.md:"))]
    #[case("\"is:due\"", text("is:due"))]
    #[case("a\\*b", text("a*b"))]
    fn terms(#[case] query: &str, #[case] want: Term) {
        assert_eq!(only(query), want);
    }

    #[test]
    fn and_binds_tighter_than_or_and_minus_tighter_than_both() {
        let q = parse("a -b or c and d").unwrap().root.unwrap();
        let word = |s: &str| {
            Node::Term(Located {
                column: 0,
                term: text(s),
            })
        };
        fn strip(n: Node) -> Node {
            match n {
                Node::And(v) => Node::And(v.into_iter().map(strip).collect()),
                Node::Or(v) => Node::Or(v.into_iter().map(strip).collect()),
                Node::Not(n) => Node::Not(Box::new(strip(*n))),
                Node::Term(l) => Node::Term(Located { column: 0, ..l }),
            }
        }
        assert_eq!(
            strip(q),
            Node::Or(vec![
                Node::And(vec![word("a"), Node::Not(Box::new(word("b")))]),
                Node::And(vec![word("c"), word("d")]),
            ])
        );
    }

    #[test]
    fn parentheses_group_and_minus_applies_to_a_group() {
        let q = parse("-(a or b) c").unwrap().root.unwrap();
        let Node::And(v) = q else { panic!("{q:?}") };
        assert!(matches!(&v[0], Node::Not(n) if matches!(**n, Node::Or(_))));
    }

    #[test]
    fn the_empty_query_matches_everything() {
        assert!(parse("   ").unwrap().is_empty());
    }

    /// Errors point at the column of the offending part.
    #[rstest]
    #[case("prop:eas<2", "query:6: unknown property 'eas'; did you mean 'ease'?")]
    #[case(
        "is:due prop:eas<2",
        "query:13: unknown property 'eas'; did you mean 'ease'?"
    )]
    #[case("is:duee", "query:4: unknown state 'is:duee'; did you mean 'due'?")]
    #[case("dek:x", "query:1: unknown search key 'dek'; did you mean 'deck'?")]
    #[case(
        "kind:clozee",
        "query:6: unknown note kind 'clozee'; did you mean 'cloze'?"
    )]
    #[case("prop:ease", "query:10: prop:ease needs a comparison")]
    #[case(
        "prop:ivl>x",
        "query:10: prop:ivl compares with a whole number, not 'x'"
    )]
    #[case(
        "module:9",
        "query:8: module: takes a whole number from 1 to 8, not '9'"
    )]
    #[case(
        "rated:7:9",
        "query:9: the grade of rated:N: takes a whole number from 0 to 5"
    )]
    #[case("flag:3", "query:6: flag:3: mastery has one flag")]
    #[case("(a or b", "query:1: this '(' is never closed")]
    #[case("a )", "query:3: ')' closes nothing")]
    #[case("a or", "query:5: expected a search term at the end")]
    #[case("or a", "query:1: expected a search term before 'or'")]
    #[case("a \"b", "query:3: this quote is never closed")]
    #[case("a - b", "query:3: '-' must be followed by the term it excludes")]
    #[case("()", "query:2: empty parentheses")]
    #[case("deck:", "query:6: deck: needs a value")]
    fn errors_name_their_column(#[case] query: &str, #[case] starts: &str) {
        let e = parse(query).unwrap_err().to_string();
        assert!(e.starts_with(starts), "{query}: {e}");
    }
}
