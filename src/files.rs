//! Writing the learner's files safely: atomically, and never through a
//! symlink without saying so.

use std::path::Path;

use crate::error::{Error, Result};

/// Writes beside the target and renames over it, so a crash leaves either
/// the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.mastery-tmp-{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Output files are written where they are named: a symlink there is
/// refused rather than silently followed elsewhere.
pub fn refuse_symlink(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let target = std::fs::read_link(path)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            Err(Error::Usage(format!(
                "{} is a symbolic link to {target}: pass the real file's path to write there",
                path.display()
            )))
        }
        _ => Ok(()),
    }
}
