//! A pseudo-terminal of a fixed size with a terminal emulator (vt100)
//! behind it, so that tests read the screen a learner sees, not the byte
//! stream: what is on row 0, whether the alternate screen is up.

use std::time::{Duration, Instant};

use std::num::NonZeroU16;

use expectrl::{Expect, NBytes, Session};

pub struct Tty {
    pub session: expectrl::session::OsSession,
    parser: vt100::Parser,
    pub cols: u16,
    pub rows: u16,
}

const WAIT: Duration = Duration::from_secs(20);

impl Tty {
    pub fn spawn(cmd: std::process::Command, cols: u16, rows: u16) -> Tty {
        let mut session = Session::spawn(cmd).expect("spawn in a pty");
        session
            .get_process_mut()
            .set_window_size(cols, rows)
            .expect("set the window size");
        session.set_expect_timeout(Some(Duration::from_millis(200)));
        Tty {
            session,
            parser: vt100::Parser::new(nonzero(rows), nonzero(cols), 0),
            cols,
            rows,
        }
    }

    /// Feeds what the program wrote so far to the emulator; false at the
    /// end of output or when nothing came within the expect timeout.
    fn pump(&mut self) -> bool {
        match self.session.expect(NBytes(1)) {
            Ok(found) => {
                self.parser.process(found.as_bytes());
                let mut buf = [0u8; 16 * 1024];
                while let Ok(n) = self.session.try_read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    self.parser.process(&buf[..n]);
                }
                true
            }
            Err(_) => false,
        }
    }

    /// The screen's rows, without trailing blanks.
    pub fn lines(&self) -> Vec<String> {
        self.parser
            .screen()
            .rows(0, self.cols)
            .map(|r| r.trim_end().to_string())
            .collect()
    }

    pub fn text(&self) -> String {
        self.lines().join("\n")
    }

    /// Waits until the screen shows `what`, and returns the screen.
    pub fn wait_for(&mut self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let text = self.text();
            if text.contains(what) {
                return text;
            }
            assert!(
                start.elapsed() < WAIT,
                "the screen never showed {what:?}; it shows:\n{text}"
            );
            self.pump();
        }
    }

    /// Waits until the program ends, feeding its last output; its exit
    /// status.
    pub fn wait_exit(&mut self) -> String {
        let start = Instant::now();
        loop {
            self.pump();
            match self.session.get_process().status() {
                Ok(expectrl::process::unix::WaitStatus::StillAlive) => {}
                Ok(status) => {
                    while self.pump() {}
                    return format!("{status:?}");
                }
                Err(e) => panic!("cannot wait for the program: {e}"),
            }
            assert!(start.elapsed() < WAIT, "the program did not end");
        }
    }

    /// Reveals the card on screen and grades it `grade`; the screen after.
    pub fn grade(&mut self, grade: &str) -> String {
        self.wait_for("reveal");
        self.send(" ");
        self.wait_for("grade [0-5]");
        self.send(grade);
        self.wait_for(&format!("saved grade {grade}"))
    }

    /// Sends SIGTERM and waits for the end; the exit status.
    pub fn terminate(&mut self) -> String {
        self.session
            .get_process_mut()
            .signal(expectrl::process::unix::Signal::SIGTERM)
            .expect("SIGTERM");
        self.wait_exit()
    }

    /// Quits with `q` and waits for the end; the exit status.
    pub fn quit(&mut self) -> String {
        self.send("q");
        self.wait_exit()
    }

    pub fn send(&mut self, keys: &str) {
        self.session.send(keys).expect("send keys");
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.session
            .get_process_mut()
            .set_window_size(cols, rows)
            .expect("resize");
        self.parser.set_size(nonzero(rows), nonzero(cols));
        self.cols = cols;
        self.rows = rows;
    }

    /// Whether the first visible character of `row` is bold.
    pub fn bold_at_start(&self, row: u16) -> bool {
        let screen = self.parser.screen();
        (0..self.cols)
            .filter_map(|c| screen.cell(row, c))
            .find(|cell| !cell.contents().trim().is_empty())
            .is_some_and(|cell| cell.bold())
    }

    pub fn alternate_screen(&self) -> bool {
        self.parser.screen().alternate_screen()
    }

    pub fn cursor_hidden(&self) -> bool {
        self.parser.screen().hide_cursor()
    }
}

fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap_or(NonZeroU16::MIN)
}
