//! What `mastery read` looks up: which deck file, and which of its notes, a
//! target names.

use rusqlite::OptionalExtension;

use super::Store;
use crate::error::Result;

/// The notes a target names, in one deck.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadTarget {
    /// What was found, in words: "card x of note y", "topic T of deck d".
    pub what: String,
    pub deck: String,
    /// The deck's source path, as compile recorded it.
    pub path: String,
    /// The topic, when the target is one.
    pub topic: Option<String>,
    /// Note ids; empty for the whole deck.
    pub notes: Vec<String>,
}

impl Store {
    /// Every reading of `target`: a card id, a note id, a deck id,
    /// `DECK#TOPIC`, a topic's title (any case), or, failing all of those, a
    /// part of topic titles. More than one result is ambiguous.
    pub fn read_target(&self, target: &str) -> Result<Vec<ReadTarget>> {
        let one = |sql: &str, what: &dyn Fn(&str) -> String| -> Result<Option<ReadTarget>> {
            Ok(self
                .conn
                .query_row(sql, [target], |r| {
                    Ok(ReadTarget {
                        what: String::new(),
                        notes: vec![r.get(0)?],
                        deck: r.get(1)?,
                        path: r.get(2)?,
                        topic: None,
                    })
                })
                .optional()?
                .map(|mut t| {
                    t.what = what(&t.notes[0]);
                    t
                }))
        };
        let card = one(
            "SELECT n.key, d.key, d.path FROM card c JOIN note n ON n.id = c.note_id
             JOIN deck d ON d.id = c.deck_id WHERE c.key = ?1 AND c.retired = 0",
            &|note| {
                if note == target {
                    format!("note {note}")
                } else {
                    format!("card {target} of note {note}")
                }
            },
        )?;
        let note = || {
            one(
                "SELECT n.key, d.key, d.path FROM note n JOIN deck d ON d.id = n.deck_id
                 WHERE n.key = ?1 AND n.retired = 0",
                &|note| format!("note {note}"),
            )
        };
        if let Some(found) = card.map_or_else(note, |c| Ok(Some(c)))? {
            return Ok(vec![found]);
        }
        let deck = self
            .conn
            .query_row(
                "SELECT key, path FROM deck WHERE key = ?1 AND retired = 0",
                [target],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?;
        if let Some((key, path)) = deck {
            return Ok(vec![ReadTarget {
                what: format!("deck {key}"),
                deck: key,
                path,
                topic: None,
                notes: Vec::new(),
            }]);
        }
        let topics = self.topics()?;
        let wanted = target.to_lowercase();
        let (deck_part, topic_part) = match target.split_once('#') {
            Some((d, t)) => (Some(d), t.to_lowercase()),
            None => (None, wanted.clone()),
        };
        let pick = |exact: bool| -> Vec<&(String, String, String)> {
            topics
                .iter()
                .filter(|(deck, _, _)| deck_part.is_none_or(|d| d == deck))
                .filter(|(_, _, topic)| {
                    let t = topic.to_lowercase();
                    if exact {
                        t == topic_part
                    } else {
                        t.contains(&topic_part)
                    }
                })
                .collect()
        };
        let mut found = pick(true);
        if found.is_empty() && !topic_part.is_empty() {
            found = pick(false);
        }
        let mut out = Vec::new();
        for (deck, path, topic) in found {
            out.push(ReadTarget {
                what: format!("topic '{topic}' of deck {deck}"),
                notes: self.topic_notes(deck, topic)?,
                deck: deck.clone(),
                path: path.clone(),
                topic: Some(topic.clone()),
            });
        }
        Ok(out)
    }

    /// (deck id, deck path, topic) of every active topic.
    fn topics(&self) -> Result<Vec<(String, String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT d.key, d.path, n.topic FROM note n JOIN deck d ON d.id = n.deck_id
             WHERE n.retired = 0 GROUP BY n.deck_id, n.topic ORDER BY d.key, min(n.line)",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn topic_notes(&self, deck: &str, topic: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT n.key FROM note n JOIN deck d ON d.id = n.deck_id
             WHERE d.key = ?1 AND n.topic = ?2 AND n.retired = 0 ORDER BY n.line",
        )?;
        let rows = stmt.query_map([deck, topic], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every active card, note and deck id, for suggestions.
    pub fn read_names(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT key FROM card WHERE retired = 0 UNION SELECT key FROM note WHERE retired = 0
             UNION SELECT key FROM deck WHERE retired = 0",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Which ids a shell completion asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKeys {
    /// Card ids and note ids.
    Cards,
    Decks,
}

/// At most this many candidates: a shell shows no more usefully.
const MAX_CANDIDATES: i64 = 200;

/// Active ids starting with `prefix`, read from the database at `path`
/// opened read-only (no migration, no compile); none on any error, since
/// a completion must not print one.
pub fn completion_keys(path: &std::path::Path, kind: CompletionKeys, prefix: &str) -> Vec<String> {
    // Only a regular file: a FIFO would hang the shell's completion.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return Vec::new();
    }
    // `immutable`: no lock is taken and no -wal or -shm file is made, so
    // completing never waits on a session's write nor leaves a file
    // behind; it may miss a grade still in the write-ahead log, which
    // doesn't change the ids.
    let mut uri = String::from("file:");
    for byte in path.as_os_str().as_encoded_bytes() {
        match byte {
            b'%' | b'?' | b'#' | 0x80.. => uri.push_str(&format!("%{byte:02X}")),
            _ => uri.push(char::from(*byte)),
        }
    }
    uri.push_str("?immutable=1");
    let read = || -> rusqlite::Result<Vec<String>> {
        let conn = rusqlite::Connection::open_with_flags(
            &uri,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
                | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )?;
        // Keys are compared as text ranges, not with LIKE, so that `_` and
        // `%` in an id are themselves.
        let sql = match kind {
            CompletionKeys::Cards => {
                "SELECT key FROM (
                    SELECT key FROM card WHERE retired = 0 AND key >= ?1 AND key < ?1 || char(1114111)
                    UNION SELECT key FROM note WHERE retired = 0 AND key >= ?1 AND key < ?1 || char(1114111))
                 ORDER BY key LIMIT ?2"
            }
            CompletionKeys::Decks => {
                "SELECT key FROM deck WHERE retired = 0 AND key >= ?1 AND key < ?1 || char(1114111)
                 ORDER BY key LIMIT ?2"
            }
        };
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map(rusqlite::params![prefix, MAX_CANDIDATES], |r| r.get(0))?;
        rows.collect()
    };
    read().unwrap_or_default()
}
