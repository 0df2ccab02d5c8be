//! Where deck files come from: a folder on disk, or the decks built into
//! the binary. Listing is cheap (one stat per file) so that an unchanged
//! collection compiles without reading anything.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::error::{Diag, Error, Result};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_decks.rs"));
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Dir(PathBuf),
    Embedded,
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Dir(p) => display(p),
            Source::Embedded => "built-in decks".to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct DeckFile {
    /// Path below the source root, with `/` separators.
    pub rel: String,
    /// Path as shown to the learner.
    pub display: String,
    pub size: i64,
    pub mtime_ns: i64,
    origin: Origin,
}

#[derive(Debug, Clone)]
enum Origin {
    Disk(PathBuf),
    Embedded(&'static [u8]),
}

impl DeckFile {
    /// The deck id a file gets when its front matter sets none.
    pub fn default_key(&self) -> String {
        self.rel
            .strip_suffix(".md")
            .unwrap_or(&self.rel)
            .to_string()
    }

    pub fn read(&self) -> Result<Vec<u8>, Diag> {
        match &self.origin {
            Origin::Embedded(bytes) => Ok(bytes.to_vec()),
            Origin::Disk(path) => std::fs::read(path)
                .map_err(|e| Diag::new(&self.display, 0, format!("cannot read deck file: {e}"))),
        }
    }

    pub fn disk_path(&self) -> Option<&Path> {
        match &self.origin {
            Origin::Disk(p) => Some(p),
            Origin::Embedded(_) => None,
        }
    }
}

/// A path as the learner typed it, without a leading `./`.
pub fn display(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn is_deck_name(name: &str) -> bool {
    name.ends_with(".md") && !name.eq_ignore_ascii_case("readme.md")
}

/// Lists the deck files of a source in path order. Entries that cannot be
/// read (a broken symlink, say) come back as diagnostics, not as errors, so
/// that every problem is reported at once.
pub fn list(source: &Source) -> Result<(Vec<DeckFile>, Vec<Diag>)> {
    match source {
        Source::Embedded => Ok((
            embedded::EMBEDDED
                .iter()
                .filter(|(rel, _)| is_deck_name(rel.rsplit('/').next().unwrap_or(rel)))
                .map(|(rel, bytes)| DeckFile {
                    rel: rel.to_string(),
                    display: format!("decks/{rel}"),
                    size: bytes.len() as i64,
                    mtime_ns: 0,
                    origin: Origin::Embedded(bytes),
                })
                .collect(),
            Vec::new(),
        )),
        Source::Dir(root) => {
            match std::fs::metadata(root) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(Error::Usage(format!(
                        "decks folder '{}' is a file, not a folder: pass the folder that holds the decks",
                        display(root)
                    )));
                }
                Err(_) => {
                    return Err(Error::Usage(format!(
                        "decks folder '{}' does not exist: pass an existing folder with --decks or MASTERY_DECKS",
                        display(root)
                    )));
                }
            }
            let mut files = Vec::new();
            let mut diags = Vec::new();
            walk(root, root, 0, &mut files, &mut diags)?;
            files.sort_by(|a, b| a.rel.cmp(&b.rel));
            Ok((files, diags))
        }
    }
}

const MAX_DEPTH: usize = 16;

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    files: &mut Vec<DeckFile>,
    diags: &mut Vec<Diag>,
) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let shown = display(&path);
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                if is_deck_name(&name) {
                    let why = if path.symlink_metadata().is_ok() {
                        "broken symlink".to_string()
                    } else {
                        e.to_string()
                    };
                    diags.push(Diag::new(
                        &shown,
                        0,
                        format!("cannot read deck file: {why}"),
                    ));
                }
                continue;
            }
        };
        if meta.is_dir() {
            if depth < MAX_DEPTH {
                walk(root, &path, depth + 1, files, diags)?;
            }
        } else if is_deck_name(&name) {
            let rel = path
                .strip_prefix(root)
                .map(display)
                .unwrap_or_else(|_| shown.clone());
            let mtime_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i64);
            files.push(DeckFile {
                rel,
                display: shown,
                size: meta.len() as i64,
                mtime_ns,
                origin: Origin::Disk(path),
            });
        }
    }
    Ok(())
}
