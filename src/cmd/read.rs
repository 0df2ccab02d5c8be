use super::out_styled;
use crate::app::App;
use crate::error::Result;
use crate::render::{markdown, paint};

/// Width when stdout is no terminal: a pipe or a file gets lines a pager
/// and a diff read well.
pub(crate) const PIPE_WIDTH: usize = 80;

pub fn run(app: &App, target: &str) -> Result<()> {
    let (store, _) = app.open()?;
    let reading = crate::read::read(&store, &app.source, target, app.clock.today())?;
    let colour = crate::render::colour_wanted();
    let width = terminal_width().unwrap_or(PIPE_WIDTH);
    let text: String = markdown(&reading.markdown, width)
        .iter()
        .map(|line| paint(line, colour) + "\n")
        .collect();
    out_styled(&text)
}

pub(crate) fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size()
        .ok()
        .map(|(cols, _)| usize::from(cols).max(20))
}
