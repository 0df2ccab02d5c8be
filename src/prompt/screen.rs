//! The full-screen review on a terminal (crossterm): one card per screen
//! in the alternate screen, redrawn whole for every step and on every
//! resize, with the title, a status line and the keys always in view.
//! The terminal is given back on every way out: drop, an error, a panic,
//! and SIGTERM (see `interrupt`).

use std::io::{Stdout, Write};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::{cursor, queue, terminal};

use super::{ENTER, Prompter, Reply};
use crate::error::{Error, Result};
use crate::render::{
    Frame, Line, Span, Style, paint, plain, sanitize, truncate, width_of, wrap_spans,
};

pub struct ScreenPrompter {
    out: Stdout,
    /// In the alternate screen, in raw mode.
    active: bool,
    colour: bool,
    frame: Frame,
    /// The message shown until the next key.
    status: Option<String>,
    /// The keys line at the bottom.
    prompt: String,
}

impl Default for ScreenPrompter {
    fn default() -> Self {
        Self::new()
    }
}

fn io(action: &'static str) -> impl Fn(std::io::Error) -> Error {
    move |cause| Error::Terminal { action, cause }
}

impl ScreenPrompter {
    pub fn new() -> Self {
        ScreenPrompter {
            out: std::io::stdout(),
            active: false,
            colour: crate::render::colour_wanted(),
            frame: Frame::default(),
            status: None,
            prompt: String::new(),
        }
    }

    fn enter(&mut self) -> Result<()> {
        if self.active {
            return Ok(());
        }
        crate::interrupt::screen_entered();
        terminal::enable_raw_mode().map_err(io("set the terminal to raw mode"))?;
        queue!(self.out, terminal::EnterAlternateScreen, cursor::Hide)
            .and_then(|_| self.out.flush())
            .map_err(io("enter the alternate screen"))?;
        self.active = true;
        Ok(())
    }

    fn leave(&mut self) {
        if self.active {
            self.active = false;
            crate::interrupt::restore_terminal();
        }
    }

    fn size() -> (usize, usize) {
        match terminal::size() {
            Ok((w, h)) if w > 0 && h > 0 => (usize::from(w), usize::from(h)),
            _ => (80, 24),
        }
    }

    /// Draws `body` between the title and the status and keys lines.
    fn draw(&mut self, body: Vec<Line>, header: [Line; 2]) -> Result<()> {
        let (width, height) = Self::size();
        // The status and the keys wrap at word boundaries too (a message
        // may name a long path); only their own extra lines are cut.
        let wrapped = |text: &str, style: Style, max: usize| -> Vec<Line> {
            if text.is_empty() {
                return Vec::new();
            }
            let mut lines = wrap_spans("", "", &[Span::new(sanitize(text), style)], width);
            if lines.len() > max {
                lines.truncate(max);
                if let Some(last) = lines.last_mut() {
                    let text = plain(last);
                    *last = vec![Span::new(truncate(&format!("{text} …"), width), style)];
                }
            }
            lines
        };
        let status = self.status.clone().unwrap_or_default();
        let mut footer = wrapped(&status, Style::BOLD, 3);
        footer.extend(keys_lines(&self.prompt, width));
        let room = height.saturating_sub(3 + footer.len()).max(1);
        let [title, info] = header;
        let mut rows: Vec<Line> = vec![title, info, Vec::new()];
        if body.len() > room {
            let hidden = body.len() - room + 1;
            rows.extend(body.into_iter().take(room - 1));
            rows.push(vec![Span::new(
                format!("  … {hidden} more lines: make the terminal taller to see them"),
                Style::DIM,
            )]);
        } else {
            rows.extend(body);
        }
        let colour = self.colour;
        let out = &mut self.out;
        queue!(out, terminal::Clear(terminal::ClearType::All)).map_err(io("draw the screen"))?;
        let first_footer = height.saturating_sub(footer.len());
        let placed = rows.iter().enumerate().take(first_footer).chain(
            footer
                .iter()
                .enumerate()
                .map(|(i, l)| (first_footer + i, l)),
        );
        for (row, line) in placed {
            queue!(out, cursor::MoveTo(0, row as u16)).map_err(io("draw the screen"))?;
            write!(out, "{}", paint(line, colour)).map_err(io("draw the screen"))?;
        }
        out.flush().map_err(io("draw the screen"))
    }

    fn draw_frame(&mut self) -> Result<()> {
        let (width, _) = Self::size();
        let body = self.frame.body(width);
        let header = self.frame.header(width);
        self.draw(body, header)
    }

    /// The next key press, redrawing with `redraw` on every resize; `None`
    /// when the terminal is gone (hung up), which ends the session.
    fn read_key(&mut self, redraw: fn(&mut Self) -> Result<()>) -> Result<Option<KeyEvent>> {
        loop {
            match next_event()? {
                None => return Ok(None),
                Some(Event::Key(k)) if k.kind != KeyEventKind::Release => return Ok(Some(k)),
                Some(Event::Resize(..)) => redraw(self)?,
                Some(_) => {}
            }
        }
    }
}

/// The next terminal event, or `None` once the terminal has hung up: a
/// closed terminal reads as endless end-of-file, which would otherwise spin
/// here for ever, so the wait is cut into slices and the terminal checked.
fn next_event() -> Result<Option<Event>> {
    use std::io::IsTerminal;
    loop {
        if crossterm::event::poll(std::time::Duration::from_millis(500))
            .map_err(io("read a key"))?
        {
            return crossterm::event::read().map(Some).map_err(io("read a key"));
        }
        if !std::io::stdin().is_terminal() {
            return Ok(None);
        }
    }
}

/// The keys line: its items (apart by two spaces) are kept whole, so a
/// narrow screen breaks it between keys, never inside "5 easy·12d".
fn keys_lines(prompt: &str, width: usize) -> Vec<Line> {
    let mut lines: Vec<String> = Vec::new();
    for item in prompt.split("  ").map(str::trim).filter(|i| !i.is_empty()) {
        match lines.last_mut() {
            Some(line) if width_of(line) + 2 + width_of(item) <= width => {
                line.push_str("  ");
                line.push_str(item);
            }
            _ => lines.push(truncate(item, width)),
        }
    }
    lines
        .into_iter()
        .map(|l| vec![Span::new(sanitize(&l).into_owned(), Style::DIM)])
        .collect()
}

impl Drop for ScreenPrompter {
    fn drop(&mut self) {
        self.leave();
    }
}

impl Prompter for ScreenPrompter {
    fn show(&mut self, text: &str) -> Result<()> {
        if self.active {
            self.status = Some(text.trim().to_string());
            return Ok(());
        }
        writeln!(self.out, "{}", sanitize(text)).map_err(io("write to the terminal"))
    }

    fn status(&mut self, text: &str) -> Result<()> {
        self.status = Some(text.trim().to_string());
        Ok(())
    }

    fn frame(&mut self, frame: &Frame) -> Result<()> {
        self.enter()?;
        self.frame = frame.clone();
        Ok(())
    }

    fn key(&mut self, prompt: &str, keys: &str) -> Result<Reply> {
        self.enter()?;
        self.prompt = prompt.trim().to_string();
        self.draw_frame()?;
        let reply = loop {
            let Some(k) = self.read_key(Self::draw_frame)? else {
                break Reply::Quit;
            };
            let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
            match k.code {
                KeyCode::Char('c') if ctrl => break Reply::Interrupt,
                KeyCode::Char('d') if ctrl => break Reply::Quit,
                KeyCode::Esc | KeyCode::Char('q' | 'Q') => break Reply::Quit,
                KeyCode::Enter | KeyCode::Char(' ') if keys.contains(ENTER) => {
                    break Reply::Key(ENTER);
                }
                KeyCode::Char(c) if !ctrl && keys.contains(c) => break Reply::Key(c),
                _ => {}
            }
        };
        self.status = None;
        Ok(reply)
    }

    fn line(&mut self, prompt: &str) -> Result<Reply> {
        // Typed answers belong to the line editor of an ordinary terminal.
        self.leave();
        super::TermPrompter::new().line(prompt)
    }

    fn page(&mut self, text: &str) -> Result<()> {
        self.enter()?;
        let saved = std::mem::replace(&mut self.prompt, "any key: back to the card".into());
        let text = text.to_string();
        let draw = |me: &mut Self, text: &str| -> Result<()> {
            let (width, _) = Self::size();
            let body = crate::render::markdown(text, width.saturating_sub(4))
                .into_iter()
                .map(|mut l| {
                    if !l.is_empty() {
                        l.insert(0, Span::plain("  "));
                    }
                    l
                })
                .collect();
            let header = me.frame.header(width);
            me.draw(body, header)
        };
        draw(self, &text)?;
        loop {
            match next_event()? {
                None => break,
                Some(Event::Key(k)) if k.kind != KeyEventKind::Release => break,
                Some(Event::Resize(..)) => draw(self, &text)?,
                Some(_) => {}
            }
        }
        self.prompt = saved;
        Ok(())
    }

    fn hand_over(&mut self, run: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        self.leave();
        let result = run();
        self.enter()?;
        result
    }

    fn interactive(&self) -> bool {
        true
    }

    fn close(&mut self) {
        self.leave();
    }
}
