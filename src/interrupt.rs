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

/// The editor `e` runs, while it runs, and the terminal's mode from before
/// it started.
struct Editor {
    pid: u32,
    mode: Option<os::Mode>,
}

static EDITOR: Mutex<Option<Editor>> = Mutex::new(None);

/// Runs an editor on the learner's terminal to its end, as git runs its
/// editor. Ctrl-C and Ctrl-\\ reach both the editor and mastery (the
/// terminal sends them to the foreground group); they are the editor's (vi
/// cancels a command with Ctrl-C), so mastery ignores them meanwhile. A
/// SIGTERM or hang-up sent to mastery is passed on to the editor, and
/// mastery exits once the editor has, with the terminal's mode from before
/// the editor put back, instead of leaving the editor drawing on a
/// terminal the shell has taken back.
pub fn run_editor(cmd: &mut std::process::Command) -> std::io::Result<std::process::ExitStatus> {
    // All before the editor starts: it may change the mode at once, and a
    // Ctrl-C may come as soon as it is on screen.
    let mode = os::terminal_mode();
    let ignored = os::ignore_keys();
    os::default_keys_in(cmd);
    // Held across the spawn: a SIGTERM meanwhile waits for the pid.
    let mut slot = EDITOR.lock().unwrap_or_else(|e| e.into_inner());
    let child = cmd.spawn();
    let status = child.and_then(|mut child| {
        *slot = Some(Editor {
            pid: child.id(),
            mode,
        });
        drop(slot);
        let status = child.wait();
        // Blocks for good if the handler is ending the editor: the process
        // exits from there.
        *EDITOR.lock().unwrap_or_else(|e| e.into_inner()) = None;
        status
    });
    os::restore_keys(ignored);
    status
}

/// Ends the editor, if one is open, and gives the terminal back as it was
/// before the editor started: an editor killed by a signal may leave its
/// own mode (vim leaves raw mode and its alternate screen).
fn end_editor(editor: &Editor) {
    os::terminate(editor.pid);
    if let Some(mode) = &editor.mode {
        os::set_terminal_mode(mode);
        let mut out = std::io::stdout();
        let _ = crossterm::execute!(
            out,
            crossterm::terminal::LeaveAlternateScreen,
            crossterm::cursor::Show
        );
        let _ = out.flush();
    }
}

#[cfg(unix)]
mod os {
    /// A terminal's mode (termios).
    pub type Mode = libc::termios;

    /// The mode of the terminal on stdin, if stdin is one.
    pub fn terminal_mode() -> Option<Mode> {
        // SAFETY: tcgetattr fills the zeroed termios it is given.
        unsafe {
            let mut mode: libc::termios = std::mem::zeroed();
            (libc::tcgetattr(libc::STDIN_FILENO, &mut mode) == 0).then_some(mode)
        }
    }

    pub fn set_terminal_mode(mode: &Mode) {
        // SAFETY: a termios read by tcgetattr, unchanged.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, mode);
        }
    }

    /// The signals the terminal's keys send to the whole foreground group
    /// (Ctrl-C, Ctrl-\\): the editor's while it runs.
    const KEYS: [libc::c_int; 2] = [libc::SIGINT, libc::SIGQUIT];

    /// Ignores the keys' signals; returns the actions they had.
    pub fn ignore_keys() -> Vec<(libc::c_int, libc::sigaction)> {
        KEYS.iter()
            .filter_map(|&signal| {
                // SAFETY: sigaction with a zeroed action whose handler is
                // SIG_IGN, and a valid pointer for the old action.
                unsafe {
                    let mut ignore: libc::sigaction = std::mem::zeroed();
                    ignore.sa_sigaction = libc::SIG_IGN;
                    let mut old: libc::sigaction = std::mem::zeroed();
                    (libc::sigaction(signal, &ignore, &mut old) == 0).then_some((signal, old))
                }
            })
            .collect()
    }

    /// Gives `cmd`'s process the default action for the keys' signals,
    /// which it would otherwise inherit as ignored.
    pub fn default_keys_in(cmd: &mut std::process::Command) {
        use std::os::unix::process::CommandExt;
        // SAFETY: between fork and exec only signal(), which is
        // async-signal-safe, runs.
        unsafe {
            cmd.pre_exec(|| {
                for signal in KEYS {
                    libc::signal(signal, libc::SIG_DFL);
                }
                Ok(())
            });
        }
    }

    pub fn restore_keys(old: Vec<(libc::c_int, libc::sigaction)>) {
        for (signal, action) in old {
            // SAFETY: an action `ignore_keys` read back, unchanged.
            unsafe {
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    }

    /// Sends SIGTERM to `pid` and waits up to five seconds for it to be
    /// gone (reaped by `run_editor`'s wait).
    pub fn terminate(pid: u32) {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return;
        };
        // SAFETY: kill has no memory effects; the pid is the editor's,
        // still unreaped: `run_editor` clears it before it returns.
        unsafe {
            if libc::kill(pid, libc::SIGTERM) != 0 {
                return;
            }
            for _ in 0..500 {
                if libc::kill(pid, 0) != 0 {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }
}

#[cfg(not(unix))]
mod os {
    pub type Mode = ();
    pub fn terminal_mode() -> Option<Mode> {
        None
    }
    pub fn set_terminal_mode(_: &Mode) {}
    pub fn ignore_keys() {}
    pub fn default_keys_in(_: &mut std::process::Command) {}
    pub fn restore_keys(_: ()) {}
    pub fn terminate(_: u32) {}
}

/// Installs the handler for Ctrl-C and SIGTERM.
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        // Only SIGTERM or a hang-up can arrive while the editor runs
        // (Ctrl-C is ignored then). The lock is held until the exit, so
        // that the session can't go on once the editor has ended.
        let editor = EDITOR.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(editor) = &*editor {
            end_editor(editor);
        }
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
