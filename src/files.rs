//! The one writer of the learner's files (`weak -o`, `check --fix-ids`,
//! `import docs --out`). Every write goes to an unpredictable temporary file
//! created exclusively beside its target, then is renamed over it, so a
//! crash leaves the old file or the new one, never half of one, and a link
//! planted at a guessable name can't redirect it.
//!
//! Only regular files are replaced: a symlink, folder, FIFO, socket or
//! device at a target is refused, as is a file the learner made read-only.
//! Several files are written all or nothing as far as the OS allows: every
//! target is checked and every temporary file is written before the first
//! rename.

use std::fs::{Metadata, Permissions};
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::TempPath;

use crate::error::{Error, Result};

/// What is at a target path now.
#[derive(Debug)]
pub enum Target {
    /// Nothing yet: the file will be created.
    New,
    /// A regular file the learner may write, to be replaced keeping its
    /// permissions.
    Regular(Metadata),
}

/// Checks that `path` may be written: nothing there, or a writable regular
/// file, in an existing folder. Errors name `path` as the user gave it.
pub fn check_target(path: &Path) -> Result<Target> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // The folder must exist: say so now, before anything is written.
            return match std::fs::metadata(folder(path)) {
                Ok(m) if m.is_dir() => Ok(Target::New),
                Ok(_) => Err(Error::write(path, not_a_directory())),
                Err(e) => Err(Error::write(path, e)),
            };
        }
        Err(e) => return Err(Error::write(path, e)),
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        let target = std::fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        return Err(Error::Usage(format!(
            "{} is a symbolic link to {target}: pass the real file's path to write there",
            path.display()
        )));
    }
    if !kind.is_file() {
        return Err(Error::Usage(format!(
            "{} {}, not a regular file: mastery replaces only regular files; name another file",
            path.display(),
            describe(&meta)
        )));
    }
    // Renaming over a file ignores its mode; a learner who made a file
    // read-only meant it not to change, so that is honoured here (also for
    // root, whom the OS would let through).
    if meta.permissions().readonly() {
        return Err(Error::Usage(format!(
            "{} is read-only: make it writable (chmod u+w) or leave it out",
            path.display()
        )));
    }
    Ok(Target::Regular(meta))
}

/// "is a folder", "is a named pipe (FIFO)", ... for a file that is not
/// regular.
fn describe(meta: &Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "is a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "is a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "is a socket";
        }
        if kind.is_char_device() {
            return "is a character device";
        }
        if kind.is_block_device() {
            return "is a block device";
        }
    }
    "is not a file"
}

fn not_a_directory() -> std::io::Error {
    std::io::Error::from(std::io::ErrorKind::NotADirectory)
}

/// The folder a file is created in: its parent, or "." for a bare name.
fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes one file safely (see the module comment).
pub fn write_file(path: &Path, text: &str) -> Result<()> {
    write_files(&[(path.to_path_buf(), text)])
}

/// Writes one binary file safely (an export's package).
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_files(&[(path.to_path_buf(), bytes)])
}

/// Writes several files all or nothing: every target is checked and every
/// new content staged in a temporary file beside its target before the
/// first one is renamed into place. Missing folders are created, and
/// removed again if nothing could be written.
pub fn write_files<C: AsRef<[u8]>>(files: &[(PathBuf, C)]) -> Result<()> {
    let mut created = Vec::new();
    let staged = stage_all(files, &mut created);
    let staged = match staged {
        Ok(staged) => staged,
        Err(e) => {
            // Nothing was renamed yet: leave no empty folders behind.
            for dir in created.iter().rev() {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(e);
        }
    };
    let total = staged.len();
    for (done, (tmp, path)) in staged.into_iter().enumerate() {
        if let Err(e) = tmp.persist(path) {
            // A rename can't be undone; say exactly what state is left.
            let cause = e.error;
            return Err(if done == 0 {
                Error::write(path, cause)
            } else {
                let written: Vec<String> = files[..done]
                    .iter()
                    .map(|(p, _)| p.display().to_string())
                    .collect();
                Error::Usage(format!(
                    "cannot write {}: {cause}; {done} of {total} files were already replaced ({}) and the rest are unchanged",
                    path.display(),
                    written.join(", ")
                ))
            });
        }
    }
    for dir in files.iter().map(|(p, _)| folder(p)) {
        sync_folder(dir);
    }
    Ok(())
}

/// Checks every target, creates missing folders (recorded in `created`),
/// and writes each content to a synced temporary file beside its target.
fn stage_all<'a, C: AsRef<[u8]>>(
    files: &'a [(PathBuf, C)],
    created: &mut Vec<PathBuf>,
) -> Result<Vec<(TempPath, &'a Path)>> {
    // Every target first, so that a refusal comes before any side effect.
    let mut targets = Vec::with_capacity(files.len());
    for (path, _) in files {
        targets.push(match check_target(path) {
            Err(Error::Write { cause, .. }) if cause.kind() == std::io::ErrorKind::NotFound => None,
            other => Some(other?),
        });
    }
    let mut ready = Vec::with_capacity(files.len());
    for ((path, _), target) in files.iter().zip(targets) {
        ready.push(match target {
            Some(t) => t,
            None => {
                create_folders(folder(path), created).map_err(|e| Error::write(path, e))?;
                check_target(path)?
            }
        });
    }
    let targets = ready;
    let mut staged = Vec::with_capacity(files.len());
    for ((path, text), target) in files.iter().zip(&targets) {
        let tmp = stage(path, text.as_ref(), target).map_err(|e| Error::write(path, e))?;
        staged.push((tmp, path.as_path()));
    }
    Ok(staged)
}

/// Writes `text` to a new temporary file beside `path`. Only its path is
/// kept, not an open handle, so that a thousand decks don't exhaust the
/// process's file descriptors; the file is still deleted if dropped.
fn stage(path: &Path, text: &[u8], target: &Target) -> std::io::Result<TempPath> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".mastery-tmp");
    // A new file gets the usual 0666 less the umask, as any editor would
    // give it; a replaced one keeps its own mode (set below).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(folder(path))?;
    tmp.write_all(text)?;
    if let Target::Regular(meta) = target {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.as_file().sync_all()?;
    Ok(tmp.into_temp_path())
}

/// Creates `dir` and any missing parents, recording each one created.
fn create_folders(dir: &Path, created: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        missing.push(d.to_path_buf());
        at = d.parent();
    }
    for d in missing.into_iter().rev() {
        std::fs::create_dir(&d)?;
        created.push(d);
    }
    Ok(())
}

/// Makes the renames durable; a failure here loses nothing already
/// written, so it is not reported.
fn sync_folder(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Reads a file the learner names as input (`eval --revlog`): only a
/// regular file (a FIFO would hang the read, a device never ends), at most
/// `max_bytes`, as UTF-8.
pub fn read_input(path: &Path, max_bytes: u64) -> Result<String> {
    use std::io::Read;
    let shown = path.display().to_string();
    let refuse = |why: String| Error::Usage(format!("{}: {why}", crate::render::sanitize(&shown)));
    let meta = input_metadata(path)?;
    let too_big = || refuse(format!("is larger than {} MB: split it", max_bytes >> 20));
    if meta.len() > max_bytes {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max_bytes + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|e| {
        refuse(format!(
            "is not UTF-8 text (byte {}): export the review log as CSV",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// The metadata of a file the learner names as input, refusing anything
/// but a regular file: a FIFO would hang the read, a device never ends.
pub fn input_metadata(path: &Path) -> Result<Metadata> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::Usage(format!(
            "{}: is a {}, not a regular file: name a file",
            crate::render::sanitize(&path.display().to_string()),
            crate::deck::source::file_type_name(&meta)
        )));
    }
    Ok(meta)
}

/// Opens a file the learner names as input (`import anki`), only if it is
/// a regular file.
pub fn open_input(path: &Path) -> Result<std::fs::File> {
    input_metadata(path)?;
    std::fs::File::open(path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_new_and_replaces_keeping_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        write_file(&path, "one\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
            write_file(&path, "two\n").unwrap();
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_refused_target_writes_nothing_and_removes_new_folders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("taken")).unwrap();
        let files = vec![
            (dir.path().join("new/deep/a.md"), "a".to_string()),
            (dir.path().join("taken"), "b".to_string()),
        ];
        let err = write_files(&files).unwrap_err().to_string();
        assert!(err.ends_with("taken is a folder, not a regular file: mastery replaces only regular files; name another file"), "{err}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }
}
