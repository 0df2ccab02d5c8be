use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{json, out};
use crate::app::App;
use crate::compile::parse_all;
use crate::deck::cards::cards_of;
use crate::deck::lint::{duplicate_ids, lint_all, lint_deck};
use crate::deck::source::Source;
use crate::deck::{Deck, Note};
use crate::error::{Diag, Error, Result};
use crate::render::plural;

#[derive(Serialize)]
struct CheckJson {
    decks: usize,
    notes: usize,
    errors: Vec<String>,
    warnings: Vec<String>,
}

pub fn run(app: &App, fix_ids: bool, as_json: bool) -> Result<()> {
    let (decks, mut errors, skipped) = parse_all(&app.source)?;
    errors.extend(duplicate_ids(&decks));
    // Ids the database already gave to other notes' cards, retired ones
    // included: compile would refuse them, so check does too.
    let owners = crate::store::stored_card_owners(&app.db_path);
    if let Some(owners) = &owners {
        for deck in &decks {
            for note in &deck.notes {
                if let Some(problem) = crate::compile::taken_card_id(note, owners) {
                    let here = note.path.as_deref().unwrap_or(&deck.path);
                    errors.push(Diag::new(here, note.line, problem));
                }
            }
        }
    }
    let mut fixed = 0;
    if fix_ids {
        let Source::Dir(_) = &app.source else {
            return Err(Error::Usage(
                "the built-in decks cannot be edited: pass --decks DIR to fix ids in your own decks".into(),
            ));
        };
        // Every deck's new text first, then one all-or-nothing write.
        let taken = TakenIds::new(&decks, owners.as_ref());
        let mut files = Vec::new();
        let mut clashes = Vec::new();
        for deck in &decks {
            let mut missing = Vec::new();
            for note in deck.notes.iter().filter(|n| !n.explicit_id) {
                match taken.clash(note) {
                    Some(why) => {
                        let here = note.path.as_deref().unwrap_or(&deck.path);
                        clashes.push(Diag::new(
                            here,
                            note.line,
                            format!(
                                "not writing id '{}': {why}; give this note another {{#id}} by hand",
                                note.key
                            ),
                        ));
                    }
                    None => missing.push(note),
                }
            }
            if let Some((path, text, n)) = fix_deck_ids(deck, &missing)? {
                files.push((path, text));
                fixed += n;
            }
        }
        crate::files::write_files(&files)?;
        // A clash is reported once, as the id not written, rather than also
        // as the duplicate the id-less note would have caused.
        errors.retain(|e| !clashes.iter().any(|c| c.path == e.path && c.line == e.line));
        errors.extend(clashes);
    }
    let mut warnings: Vec<Diag> = skipped;
    for deck in &decks {
        warnings.extend(
            lint_deck(deck)
                .into_iter()
                .filter(|w| !(fix_ids && w.message.contains("has no {#id}"))),
        );
    }
    warnings.extend(lint_all(&decks));
    let notes = decks.iter().map(|d| d.notes.len()).sum();
    if as_json {
        json(&CheckJson {
            decks: decks.len(),
            notes,
            errors: errors.iter().map(ToString::to_string).collect(),
            warnings: warnings.iter().map(ToString::to_string).collect(),
        })?;
    } else {
        let mut text = String::new();
        for w in &warnings {
            text.push_str(&format!("warning: {w}\n"));
        }
        if fix_ids {
            text.push_str(&format!("wrote {}\n", plural(fixed, "id", "ids")));
        }
        text.push_str(&format!(
            "checked {}, {}: {}, {}\n",
            plural(decks.len(), "deck", "decks"),
            plural(notes, "note", "notes"),
            plural(errors.len(), "error", "errors"),
            plural(warnings.len(), "warning", "warnings")
        ));
        out(&text)?;
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Decks(errors))
    }
}

/// Every id the decks and the database hold, for `--fix-ids` to write only
/// ids no other note has: a note's id and its cards' ids share one
/// namespace, and the database keeps the ids of retired notes' cards.
struct TakenIds<'a> {
    /// Note or card id → (note, the file it is in).
    ids: HashMap<String, Vec<(&'a Note, &'a str)>>,
    stored: Option<&'a crate::store::CardOwners>,
}

impl<'a> TakenIds<'a> {
    fn new(decks: &'a [Deck], stored: Option<&'a crate::store::CardOwners>) -> Self {
        let mut ids: HashMap<String, Vec<(&Note, &str)>> = HashMap::new();
        for deck in decks {
            for note in &deck.notes {
                let here = note.path.as_deref().unwrap_or(&deck.path);
                for id in ids_of(note) {
                    ids.entry(id).or_default().push((note, here));
                }
            }
        }
        TakenIds { ids, stored }
    }

    /// Who else holds one of the ids `note` would get, if anyone.
    fn clash(&self, note: &Note) -> Option<String> {
        for id in ids_of(note) {
            let other = self
                .ids
                .get(&id)
                .into_iter()
                .flatten()
                .find(|(n, _)| !std::ptr::eq(*n, note));
            if let Some((other, path)) = other {
                return Some(if other.key == id {
                    format!("it is already the id of a note at {path}:{}", other.line)
                } else {
                    format!(
                        "'{id}' is already a card id of note '{}' at {path}:{}",
                        other.key, other.line
                    )
                });
            }
            if let Some((owner, retired)) = self.stored.and_then(|s| s.get(&id))
                && owner != &note.key
            {
                let state = if *retired { "retired " } else { "" };
                return Some(format!(
                    "the database holds '{id}' as a card of {state}note '{owner}'"
                ));
            }
        }
        None
    }
}

/// A note's id and its cards' ids.
fn ids_of(note: &Note) -> Vec<String> {
    let mut ids: Vec<String> = cards_of(note).into_iter().map(|c| c.key).collect();
    if !ids.contains(&note.key) {
        ids.push(note.key.clone());
    }
    ids
}

/// The deck's text with ` {#id}` appended to the heading of each of the
/// `missing` notes, changing nothing else; `None` when there are none.
fn fix_deck_ids(deck: &Deck, missing: &[&Note]) -> Result<Option<(PathBuf, String, usize)>> {
    if missing.is_empty() {
        return Ok(None);
    }
    let path = Path::new(&deck.path);
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    for note in missing {
        if let Some(line) = lines.get_mut(note.line - 1) {
            let body_len = line.trim_end_matches(['\n', '\r']).len();
            let ending = line[body_len..].to_string();
            line.truncate(body_len);
            line.push_str(&format!(" {{#{}}}{ending}", note.key));
        }
    }
    Ok(Some((path.to_path_buf(), lines.concat(), missing.len())))
}

/// `mastery import docs PATH --out DIR [--force]`.
/// `mastery export-decks DIR`: the built-in decks as files to edit. The
/// folder must not exist yet, so nothing of the learner's is replaced.
pub fn export_decks(dir: &Path) -> Result<()> {
    if std::fs::symlink_metadata(dir).is_ok() {
        return Err(Error::Usage(format!(
            "{} already exists: name a new folder, so that nothing in it is replaced",
            crate::render::sanitize(&dir.display().to_string())
        )));
    }
    let mut files = Vec::new();
    for (rel, bytes) in crate::deck::source::embedded_files() {
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| Error::Usage(format!("the built-in file {rel} is not UTF-8 text")))?;
        files.push((dir.join(rel), text));
    }
    crate::files::write_files(&files)?;
    out(&format!(
        "wrote {} files of the built-in decks to {}; study them with `mastery --decks {} review` (or set MASTERY_DECKS)\n",
        files.len(),
        crate::render::sanitize(&dir.display().to_string()),
        crate::render::sanitize(&dir.display().to_string())
    ))
}

pub fn import_docs(path: &Path, dir: &Path, force: bool) -> Result<()> {
    let source = Source::from_dir(path.to_path_buf());
    let Source::Docs(docs) = &source else {
        return Err(Error::Usage(format!(
            "{} is not a training repo: expected docs/modules or docs/patterns inside it",
            path.display()
        )));
    };
    // Writing into the tree being read would replace the learner's own
    // docs, `--force` or not.
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let out_dir = canonical(dir);
    if out_dir.starts_with(canonical(docs)) {
        return Err(Error::Usage(format!(
            "{} is inside the docs tree being imported ({}): write the decks to a folder outside it",
            dir.display(),
            docs.display()
        )));
    }
    let (decks, mut errors, _) = parse_all(&source)?;
    errors.extend(duplicate_ids(&decks));
    if !errors.is_empty() {
        return Err(Error::Decks(errors));
    }
    let files: Vec<(PathBuf, String)> = decks
        .iter()
        .map(|deck| {
            let text = crate::deck::write::to_markdown(deck);
            (dir.join(format!("{}.md", deck.key)), stamp(&text))
        })
        .collect();
    if !force {
        for (target, _) in &files {
            refuse_foreign(target)?;
        }
    }
    crate::files::write_files(&files)?;
    let notes: usize = decks.iter().map(|d| d.notes.len()).sum();
    out(&format!(
        "wrote {} decks with {notes} notes to {}\n",
        decks.len(),
        dir.display()
    ))
}

/// How an imported deck says it was written by `import docs`: a TOML comment
/// as the second line of its front matter, with a hash of every other line.
/// A later import may replace the file only while that hash still matches,
/// so an edit of the learner's (or a file that was never imported) needs
/// `--force`.
const STAMP: &str =
    "# written by mastery import docs; a re-import replaces this file only while unchanged (xxh3 ";

fn digest(text: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

/// The deck text with the stamp after its opening `+++` line.
fn stamp(text: &str) -> String {
    let (first, rest) = text.split_at(text.find('\n').map_or(0, |i| i + 1));
    format!("{first}{STAMP}{})\n{rest}", digest(text))
}

/// Whether `text` is exactly what an import wrote, stamp included.
fn is_unchanged_import(text: &str) -> bool {
    let mut lines = text.split_inclusive('\n');
    let (Some(first), Some(mark)) = (lines.next(), lines.next()) else {
        return false;
    };
    let Some(hash) = mark
        .strip_prefix(STAMP)
        .and_then(|m| m.trim_end().strip_suffix(')'))
    else {
        return false;
    };
    let rest: String = lines.collect();
    digest(&format!("{first}{rest}")) == hash
}

/// Refuses an existing regular file that is not an unchanged import. Other
/// kinds of file are left to the writer, which refuses them without
/// opening them.
fn refuse_foreign(target: &Path) -> Result<()> {
    match std::fs::symlink_metadata(target) {
        Ok(meta) if meta.is_file() => {
            let text = std::fs::read(target).map_err(|e| Error::io(target, e))?;
            if std::str::from_utf8(&text).is_ok_and(is_unchanged_import) {
                Ok(())
            } else {
                Err(Error::Usage(format!(
                    "{} already exists and was not written by `mastery import docs`, or was edited since: move it away, or pass --force to replace it",
                    target.display()
                )))
            }
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const DECK: &str = "+++\nid = \"d\"\n+++\n\n# T\n\n## Q: a {#a}\nA.\n";

    #[rstest]
    // What an import wrote, untouched.
    #[case::as_written(stamp(DECK), true)]
    // Any edit, even one character or a new line at the end.
    #[case::edited(stamp(DECK).replace("A.", "B."), false)]
    #[case::appended(stamp(DECK) + "\n", false)]
    // A file that never had a stamp, or a stamp copied onto other text.
    #[case::unstamped(DECK.to_string(), false)]
    #[case::copied_stamp(stamp(DECK).replace("# T", "# U"), false)]
    #[case::empty(String::new(), false)]
    fn only_unchanged_imports_are_recognised(#[case] text: String, #[case] ours: bool) {
        assert_eq!(is_unchanged_import(&text), ours, "{text}");
    }
}
