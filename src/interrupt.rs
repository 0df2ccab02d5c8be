//! Ctrl-C and SIGTERM. Every answer is committed before the next card is
//! shown, so the process may end at once; what it must not lose is the
//! learner's view of the session. The running session leaves its summary
//! here after every answer, and the handler prints it before exiting: the
//! main thread may be blocked reading a key, so it can't be asked to.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The review screen holds the terminal (alternate screen, raw mode).
static SCREEN: AtomicBool = AtomicBool::new(false);

/// Called as the full screen is entered: from now on every way out gives
/// the terminal back, a panic included.
pub fn screen_entered() {
    static HOOKED: std::sync::Once = std::sync::Once::new();
    HOOKED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
    });
    SCREEN.store(true, Ordering::SeqCst);
}

/// Leaves the alternate screen and raw mode and shows the cursor, once,
/// if the review screen holds the terminal.
pub fn restore_terminal() {
    if SCREEN.swap(false, Ordering::SeqCst) {
        let mut out = std::io::stdout();
        let _ = crossterm::execute!(
            out,
            crossterm::terminal::LeaveAlternateScreen,
            crossterm::cursor::Show
        );
        let _ = crossterm::terminal::disable_raw_mode();
        let _ = out.flush();
    }
}

/// What to print if the process is interrupted now, and on which stream.
struct Farewell {
    text: String,
    to_stderr: bool,
}

static FAREWELL: Mutex<Option<Farewell>> = Mutex::new(None);

/// Sets the text printed on interruption (`None` clears it).
pub fn farewell(text: Option<String>, to_stderr: bool) {
    if let Ok(mut slot) = FAREWELL.lock() {
        *slot = text.map(|text| Farewell { text, to_stderr });
    }
}

/// Ends the session's watch: runs `print` (the final summary) while no
/// interruption can print its own, so the summary appears exactly once,
/// whether the learner quit or a Ctrl-C raced the end of the loop.
pub fn finish<T>(print: impl FnOnce() -> T) -> T {
    let mut slot = FAREWELL.lock().unwrap_or_else(|e| e.into_inner());
    *slot = None;
    let out = print();
    drop(slot);
    out
}

/// A scratch folder to remove, and what to say, if the process is
/// interrupted while a command that is not a session (an import, an
/// export) works in it: the exit skips the folder's own cleanup.
struct Scratch {
    dir: std::path::PathBuf,
    message: &'static str,
}

static SCRATCH: Mutex<Option<Scratch>> = Mutex::new(None);

/// Removes the scratch folder registered with `scratch` when dropped.
pub struct ScratchGuard;

impl Drop for ScratchGuard {
    fn drop(&mut self) {
        if let Ok(mut slot) = SCRATCH.lock() {
            *slot = None;
        }
    }
}

/// Registers `dir` to be removed, and `message` to be said instead of the
/// session's, if the process is interrupted before the guard is dropped.
pub fn scratch(dir: &std::path::Path, message: &'static str) -> ScratchGuard {
    if let Ok(mut slot) = SCRATCH.lock() {
        *slot = Some(Scratch {
            dir: dir.to_path_buf(),
            message,
        });
    }
    ScratchGuard
}

/// Installs the handler for Ctrl-C and SIGTERM.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        restore_terminal();
        // Escape codes only to a terminal: piped output stays plain.
        if std::io::stdout().is_terminal() {
            let _ = dialoguer::console::Term::stdout().show_cursor();
        }
        // Both held until the process ends: the session can't draw another
        // card after the summary, nor print its own. Always this order
        // (farewell, then stdout), as in `finish`.
        let mut slot = FAREWELL.lock().unwrap_or_else(|e| e.into_inner());
        let mut stdout = std::io::stdout().lock();
        let last = slot.take();
        if let Some(f) = last {
            let text = format!("\n{}\n", crate::render::sanitize(&f.text));
            let _ = if f.to_stderr {
                std::io::stderr().write_all(text.as_bytes())
            } else {
                stdout
                    .write_all(text.as_bytes())
                    .and_then(|_| stdout.flush())
            };
        }
        let mut message = "interrupted; every answer given so far is saved";
        if let Some(scratch) = SCRATCH.lock().ok().and_then(|mut s| s.take()) {
            let _ = std::fs::remove_dir_all(&scratch.dir);
            message = scratch.message;
        }
        // Not eprintln!: it panics when stderr is gone (a hung-up terminal),
        // and a panic here would kill the handler thread before the exit.
        let _ = writeln!(std::io::stderr(), "\nmastery: {message}");
        std::process::exit(130);
    });
}
