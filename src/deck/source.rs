//! Where deck files come from: a folder on disk, or the decks built into
//! the binary. Listing is cheap (one stat per file) so that an unchanged
//! collection compiles without reading anything.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::UNIX_EPOCH;

use super::docs;
use super::parse::{MAX_FILE_BYTES, too_big};
use crate::error::{Diag, Error, Result};
use crate::store::Stat;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_decks.rs"));
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Dir(PathBuf),
    Embedded,
    /// The `docs/` folder of a training repo.
    Docs(PathBuf),
}

impl Source {
    /// A folder of decks, or a training repo when it has that layout.
    pub fn from_dir(dir: PathBuf) -> Source {
        match docs::docs_root(&dir) {
            Some(docs) => Source::Docs(docs),
            None => Source::Dir(dir),
        }
    }

    /// What the database records as its decks source: the folder's
    /// canonical path, so that `./decks` and the same folder named another
    /// way are one source.
    pub fn identity(&self) -> String {
        let canonical = |p: &Path| {
            std::fs::canonicalize(p)
                .map(|c| display(&c))
                .unwrap_or_else(|_| display(p))
        };
        match self {
            Source::Dir(p) => canonical(p),
            Source::Embedded => "built-in decks".to_string(),
            Source::Docs(p) => format!("{} (training repo docs)", canonical(p)),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Source::Dir(p) => display(p),
            Source::Embedded => "built-in decks".to_string(),
            Source::Docs(p) => format!("{} (training repo docs)", display(p)),
        }
    }
}

/// How a listed deck is read.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A deck in mastery's own format.
    Deck,
    /// A unit of a docs tree, with the tree's prerequisites.
    Docs(docs::Unit, Rc<DocsContext>),
}

#[derive(Debug, Default)]
pub struct DocsContext {
    pub module_keys: HashMap<u8, String>,
    pub overrides: docs::Overrides,
    /// `mastery.toml`'s text: part of every unit's fingerprint.
    pub salt: String,
}

/// One source file's contents.
#[derive(Debug, Clone)]
pub struct Part {
    pub path: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct DeckFile {
    /// Path below the source root, with `/` separators.
    pub rel: String,
    /// Path as shown to the learner.
    pub display: String,
    /// Its mtime is zero when the file cannot be skipped by its stat alone.
    pub stat: Stat,
    pub kind: Kind,
    origin: Origin,
}

#[derive(Debug, Clone)]
enum Origin {
    Disk(PathBuf),
    Embedded(&'static [u8]),
    Files(Vec<PathBuf>),
}

impl DeckFile {
    /// The deck id a file gets when its front matter sets none.
    pub fn default_key(&self) -> String {
        self.rel
            .strip_suffix(".md")
            .unwrap_or(&self.rel)
            .to_string()
    }

    pub fn read(&self) -> Result<Vec<Part>, Diag> {
        let one = |path: &Path| {
            let shown = display(path);
            read_regular(path)
                .map(|bytes| Part {
                    path: shown.clone(),
                    bytes,
                })
                .map_err(|why| Diag::new(&shown, 0, why))
        };
        match &self.origin {
            Origin::Embedded(bytes) => Ok(vec![Part {
                path: self.display.clone(),
                bytes: bytes.to_vec(),
            }]),
            Origin::Disk(path) => one(path).map(|p| {
                vec![Part {
                    path: self.display.clone(),
                    ..p
                }]
            }),
            Origin::Files(paths) => paths.iter().map(|p| one(p)).collect(),
        }
    }

    /// Extra text that changes the deck when it changes.
    pub fn salt(&self) -> &str {
        match &self.kind {
            Kind::Docs(_, ctx) => &ctx.salt,
            Kind::Deck => "",
        }
    }

    pub fn disk_path(&self) -> Option<&Path> {
        match &self.origin {
            Origin::Disk(p) => Some(p),
            Origin::Embedded(_) | Origin::Files(_) => None,
        }
    }
}

/// Reads a deck file: only a regular file (a FIFO would hang the read and
/// a device never ends), and only up to the size limit, checked from its
/// metadata first and enforced while reading in case it grows meanwhile.
fn read_regular(path: &Path) -> std::result::Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read deck file: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "is a {}, not a regular file: deck files must be regular files",
            file_type_name(&meta)
        ));
    }
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read deck file: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read deck file: {e}"))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// What a non-regular file is, for messages.
pub fn file_type_name(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_socket() {
            return "socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "device";
        }
    }
    if meta.is_dir() {
        "folder"
    } else if meta.file_type().is_symlink() {
        "symbolic link"
    } else {
        "special file"
    }
}

/// A file's stat fingerprint.
fn stat_of(meta: &std::fs::Metadata) -> Stat {
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    #[cfg(unix)]
    let ctime_ns = {
        use std::os::unix::fs::MetadataExt;
        meta.ctime()
            .saturating_mul(1_000_000_000)
            .saturating_add(meta.ctime_nsec())
    };
    #[cfg(not(unix))]
    let ctime_ns = 0;
    Stat {
        size: meta.len() as i64,
        mtime_ns,
        ctime_ns,
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

/// Files of a decks folder that document the decks rather than hold them:
/// `SOURCES.md` and the topic maps under `topics/`, at its top level.
pub fn is_documentation(rel: &str) -> bool {
    rel.eq_ignore_ascii_case("sources.md") || rel == "topics" || rel.starts_with("topics/")
}

/// The deck files of a source, and what was wrong while listing them.
#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<DeckFile>,
    /// Entries that can't be read (a broken symlink, say): reported with
    /// the parse errors, so that every problem is reported at once.
    pub errors: Vec<Diag>,
    /// Entries skipped without harm (a FIFO named `*.md`, a symlink loop).
    pub warnings: Vec<Diag>,
}

/// Every file built into the binary from `decks/`, by path below it.
pub fn embedded_files() -> &'static [(&'static str, &'static [u8])] {
    embedded::EMBEDDED
}

/// Lists the deck files of a source in path order.
pub fn list(source: &Source) -> Result<Listing> {
    match source {
        Source::Embedded => Ok(Listing {
            files: embedded::EMBEDDED
                .iter()
                .filter(|(rel, _)| {
                    is_deck_name(rel.rsplit('/').next().unwrap_or(rel)) && !is_documentation(rel)
                })
                .map(|(rel, bytes)| DeckFile {
                    rel: rel.to_string(),
                    display: format!("decks/{rel}"),
                    stat: Stat {
                        size: bytes.len() as i64,
                        ..Stat::default()
                    },
                    kind: Kind::Deck,
                    origin: Origin::Embedded(bytes),
                })
                .collect(),
            ..Listing::default()
        }),
        Source::Docs(docs) => list_docs(docs),
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
            let mut listing = Listing::default();
            let mut visited = HashSet::new();
            if let Ok(canonical) = std::fs::canonicalize(root) {
                visited.insert(canonical);
            }
            walk(root, root, 0, &mut visited, &mut listing)?;
            listing.files.sort_by(|a, b| a.rel.cmp(&b.rel));
            Ok(listing)
        }
    }
}

const MAX_DEPTH: usize = 16;

/// Walks a decks folder. Each folder is entered once, by its canonical
/// path, so a symlink back up the tree (`decks/loop -> .`) can neither
/// compile a deck twice nor make the walk exponential.
fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    visited: &mut HashSet<PathBuf>,
    listing: &mut Listing,
) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut entries: Vec<_> = entries
        .collect::<std::io::Result<_>>()
        .map_err(|e| Error::io(dir, e))?;
    // Real entries before symlinks, each in name order: of two paths to one
    // file or folder, the real one wins, whatever the names.
    entries.sort_by_key(|e| {
        let link = e.file_type().is_ok_and(|t| t.is_symlink());
        (link, e.file_name())
    });
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let shown = display(&path);
        if path
            .strip_prefix(root)
            .is_ok_and(|rel| is_documentation(&display(rel)))
        {
            continue;
        }
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                if is_deck_name(&name) {
                    let why = if path.symlink_metadata().is_ok() {
                        "broken symlink".to_string()
                    } else {
                        e.to_string()
                    };
                    listing.errors.push(Diag::new(
                        &shown,
                        0,
                        format!("cannot read deck file: {why}"),
                    ));
                }
                continue;
            }
        };
        if meta.is_dir() {
            let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !visited.insert(canonical) {
                listing.warnings.push(Diag::new(
                    &shown,
                    0,
                    "skipped: this folder was already read through another path (a symlink loop?)",
                ));
            } else if depth < MAX_DEPTH {
                walk(root, &path, depth + 1, visited, listing)?;
            }
        } else if is_deck_name(&name) {
            if !meta.is_file() {
                listing.warnings.push(Diag::new(
                    &shown,
                    0,
                    format!(
                        "skipped: a {} is not a deck file, so it was not opened",
                        file_type_name(&meta)
                    ),
                ));
                continue;
            }
            // A file reached twice through symlinks is one deck, read once.
            let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !visited.insert(canonical) {
                listing.warnings.push(Diag::new(
                    &shown,
                    0,
                    "skipped: this file was already read through another path (a symlink?)",
                ));
                continue;
            }
            let rel = path
                .strip_prefix(root)
                .map(display)
                .unwrap_or_else(|_| shown.clone());
            listing.files.push(DeckFile {
                rel,
                display: shown,
                stat: stat_of(&meta),
                kind: Kind::Deck,
                origin: Origin::Disk(path),
            });
        }
    }
    Ok(())
}

fn sorted_md(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.file_name()
                        .is_some_and(|n| is_deck_name(&n.to_string_lossy()))
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io(dir, e)),
    };
    files.sort();
    Ok(files)
}

/// The units of a docs tree: each module doc, each pattern category, and
/// the playbook's checklists. Exercises, plans and practice are not read.
fn list_docs(docs_dir: &Path) -> Result<Listing> {
    let (overrides, toml_path) = docs::read_overrides(docs_dir)?;
    let salt = match &toml_path {
        Some(p) => std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?,
        None => String::new(),
    };
    let mut units: Vec<(String, String, docs::Unit, Vec<PathBuf>)> = Vec::new();
    let mut diags = Vec::new();
    for file in sorted_md(&docs_dir.join("modules"))? {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(number) = docs::module_number(&name) else {
            diags.push(Diag::new(
                &display(&file),
                0,
                "module docs are named NN-name.md with NN from 01 to 08",
            ));
            continue;
        };
        let key = format!("modules/{}", name.trim_end_matches(".md"));
        units.push((
            key,
            display(&file),
            docs::Unit::Module { number },
            vec![file],
        ));
    }
    let mut categories: Vec<PathBuf> = match std::fs::read_dir(docs_dir.join("patterns")) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect(),
        Err(_) => Vec::new(),
    };
    categories.sort();
    for dir in categories {
        let category = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let files = sorted_md(&dir)?;
        if files.is_empty() {
            continue;
        }
        units.push((
            format!("patterns/{category}"),
            display(&dir),
            docs::Unit::Patterns { category },
            files,
        ));
    }
    let checklists = docs_dir.join("playbook").join("checklists.md");
    if checklists.is_file() {
        units.push((
            "playbook".to_string(),
            display(&checklists),
            docs::Unit::Playbook,
            vec![checklists],
        ));
    }
    let module_keys: HashMap<u8, String> = units
        .iter()
        .filter_map(|(key, _, unit, _)| match unit {
            docs::Unit::Module { number } => Some((*number, key.clone())),
            _ => None,
        })
        .collect();
    // Every unit's prerequisites come from the module list, so the list is
    // part of every unit's fingerprint: renaming module 1 must refresh the
    // `requires` stored for module 2.
    let mut modules: Vec<_> = module_keys.iter().collect();
    modules.sort();
    let salt = format!("{salt}\n{modules:?}");
    let ctx = Rc::new(DocsContext {
        module_keys,
        overrides,
        salt,
    });
    let files = units
        .into_iter()
        .map(|(key, shown, unit, paths)| {
            let size = paths
                .iter()
                .filter_map(|p| std::fs::metadata(p).ok())
                .map(|m| m.len() as i64)
                .sum();
            DeckFile {
                rel: format!("{key}.md"),
                display: shown,
                stat: Stat {
                    size,
                    ..Stat::default()
                },
                kind: Kind::Docs(unit, Rc::clone(&ctx)),
                origin: Origin::Files(paths),
            }
        })
        .collect();
    Ok(Listing {
        files,
        errors: diags,
        warnings: Vec::new(),
    })
}
