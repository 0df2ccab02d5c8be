//! `e` on the review screen: the card's note opens in the learner's editor
//! at its line, and the decks are compiled again on return. A file the
//! edit broke keeps its last good compile, so the old card stays.

use std::path::PathBuf;

use crate::compile::{Mode, Options, compile};
use crate::deck::source::Source;
use crate::error::{Error, Result};
use crate::prompt::Prompter;
use crate::render::sanitize;
use crate::store::{CardRow, Store};

/// Opens a card's source for editing and compiles the result.
pub trait Editor {
    /// Edits `card`'s note and compiles the decks again; the message to
    /// show after.
    fn edit(
        &self,
        store: &mut Store,
        card: &CardRow,
        prompter: &mut dyn Prompter,
    ) -> Result<String>;
}

/// Edits deck files with `$VISUAL`, else `$EDITOR`, else `vi`.
pub struct DeckEditor {
    pub source: Source,
}

impl DeckEditor {
    fn command() -> String {
        ["VISUAL", "EDITOR"]
            .iter()
            .filter_map(std::env::var_os)
            .map(|v| v.to_string_lossy().trim().to_string())
            .find(|v| !v.is_empty())
            .unwrap_or_else(|| "vi".to_string())
    }
}

/// The shell line that runs `editor` on the file. `exec`, so that the
/// editor is the child a SIGTERM is passed on to, not a shell that would
/// die and leave it running (dash does not exec a lone command itself);
/// through `env` when the editor starts with variable settings
/// (`FOO=1 vim`), which `exec` would take for the command.
fn shell_line(editor: &str) -> String {
    let first = editor.split_whitespace().next().unwrap_or("");
    let assignment = first.split_once('=').is_some_and(|(name, _)| {
        name.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    let env = if assignment { "env " } else { "" };
    format!("exec {env}{editor} \"$@\"")
}

/// The message for the built-in decks, which live inside the binary.
pub const READ_ONLY: &str = "the built-in decks are read-only: write an editable copy with `mastery export-decks DIR`, then study from it with `--decks DIR` (or MASTERY_DECKS)";

impl Editor for DeckEditor {
    fn edit(
        &self,
        store: &mut Store,
        card: &CardRow,
        prompter: &mut dyn Prompter,
    ) -> Result<String> {
        if self.source == Source::Embedded {
            return Ok(READ_ONLY.to_string());
        }
        let path = PathBuf::from(&card.path);
        if !path.is_file() {
            return Ok(format!(
                "cannot edit {}: it is not a file here",
                sanitize(&card.path)
            ));
        }
        let editor = Self::command();
        let mut outcome = Ok(Some(0));
        prompter.hand_over(&mut || {
            // Through the shell, as git runs its editor: `$EDITOR` may
            // carry arguments ("code --wait").
            let mut editor_command = std::process::Command::new("sh");
            editor_command
                .arg("-c")
                .arg(shell_line(&editor))
                .arg(&editor)
                .arg(format!("+{}", card.line))
                .arg(&path);
            outcome = crate::interrupt::run_editor(&mut editor_command)
                .map_err(|e| Error::Terminal {
                    action: "start the editor",
                    cause: e,
                })
                .map(|status| status.code());
            Ok(())
        })?;
        let code = match outcome {
            Err(e) => return Ok(format!("{e}: set VISUAL or EDITOR to your editor")),
            Ok(code) => code,
        };
        // 126 and 127: the shell could not run it at all.
        if matches!(code, Some(126 | 127)) {
            return Ok(format!(
                "cannot run the editor `{}`: set VISUAL or EDITOR to an editor on your PATH",
                sanitize(&editor)
            ));
        }
        // Any other failure may still have saved: the compile decides, and
        // the message says the editor failed.
        let failed = match code {
            Some(0) => String::new(),
            Some(c) => format!("the editor exited with status {c}; "),
            None => "the editor was killed by a signal; ".to_string(),
        };
        let report = compile(
            store,
            &self.source,
            &Options {
                mode: Mode::KeepLastGood,
                ..Options::default()
            },
        )?;
        if let Some(kept) = report.kept.iter().find(|k| k.starts_with(&card.path)) {
            return Ok(format!(
                "{failed}{kept}; the old card stays until the file is fixed"
            ));
        }
        Ok(format!("{failed}recompiled {}", card.path))
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::shell_line;

    #[rstest]
    #[case("vi", r#"exec vi "$@""#)]
    #[case("code --wait", r#"exec code --wait "$@""#)]
    #[case("FOO=1 vim", r#"exec env FOO=1 vim "$@""#)]
    #[case("_X=a B=2 vim -u NONE", r#"exec env _X=a B=2 vim -u NONE "$@""#)]
    #[case("/opt/my=ed/bin/ed", r#"exec /opt/my=ed/bin/ed "$@""#)]
    #[case("=x vi", r#"exec =x vi "$@""#)]
    fn an_editor_is_execed_through_env_only_after_variable_settings(
        #[case] editor: &str,
        #[case] line: &str,
    ) {
        assert_eq!(shell_line(editor), line);
    }
}
