use std::collections::VecDeque;

use super::{Prompter, Reply};
use crate::error::Result;

/// A prompter that plays back scripted replies and records what was shown,
/// for unit tests of the loops. When the script runs out it quits.
#[derive(Debug, Default)]
pub struct ScriptedPrompter {
    replies: VecDeque<Reply>,
    pub shown: Vec<String>,
    pub prompts: Vec<String>,
}

impl ScriptedPrompter {
    pub fn new(replies: impl IntoIterator<Item = Reply>) -> Self {
        ScriptedPrompter {
            replies: replies.into_iter().collect(),
            ..Self::default()
        }
    }

    /// Replies from a compact script: each char is a key; `q` quits.
    pub fn keys(script: &str) -> Self {
        Self::new(
            script
                .chars()
                .map(|c| if c == 'q' { Reply::Quit } else { Reply::Key(c) }),
        )
    }

    pub fn output(&self) -> String {
        self.shown.join("\n")
    }

    fn next(&mut self) -> Reply {
        self.replies.pop_front().unwrap_or(Reply::Quit)
    }
}

impl Prompter for ScriptedPrompter {
    fn show(&mut self, text: &str) -> Result<()> {
        self.shown.push(text.to_string());
        Ok(())
    }

    fn key(&mut self, prompt: &str, keys: &str) -> Result<Reply> {
        self.prompts.push(prompt.to_string());
        loop {
            match self.next() {
                Reply::Key(c) if !keys.contains(c) => continue,
                other => return Ok(other),
            }
        }
    }

    fn line(&mut self, prompt: &str) -> Result<Reply> {
        self.prompts.push(prompt.to_string());
        Ok(self.next())
    }

    fn answer(&mut self, prompt: &str) -> Result<Reply> {
        self.line(prompt)
    }
}
