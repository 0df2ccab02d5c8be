//! Wrong options that don't give the right one away. A distractor is
//! plausible only if it has the right answer's shape (an exit code beside
//! exit codes, a path beside paths, a sentence beside sentences of similar
//! length), is not written in the question, and is not the right answer in
//! other typography. Siblings of the same note come first, then the same
//! topic, then the same deck; within each, the options that talk about the
//! question's subject, so that the right answer is not the only one that does.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::normalize::canonical;
use crate::store::PoolEntry;

/// What kind of thing an answer is, as a learner would see at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `2`, `Exit code 2.` when the question is about exit codes.
    ExitCode,
    /// `2–5`, `32 KiB`, `60 words`, `v2.1.63`.
    Number,
    /// `CLAUDE.md`, `~/.claude/projects/`, `.mcp.json`.
    Path,
    /// `--resume`, `/compact`, `claude --continue`.
    Command,
    /// One code word, in one spelling style: `PreToolUse` is not offered
    /// beside `manual`, nor `tool_result` beside either.
    Identifier(Style),
    /// A few plain words: a term or a pattern's name.
    Term,
    /// A sentence or more.
    Sentence,
    /// Several lines: a checklist's steps.
    List,
}

/// How a one-word answer is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `manual`, `compact`.
    Lower,
    /// `PreToolUse`, `Stop`.
    Capital,
    /// `CLAUDE`, `TODO`.
    Upper,
    /// `tool_result`, `worktree-feature-auth`, `config.toml`-like names.
    Compound,
}

fn style(word: &str) -> Style {
    let w = word.trim_matches('`');
    if w.contains(['_', '-', '.', ':']) {
        Style::Compound
    } else if !w.chars().any(char::is_uppercase) {
        Style::Lower
    } else if !w.chars().any(char::is_lowercase) {
        Style::Upper
    } else {
        Style::Capital
    }
}

/// Words too common to say what a text is about.
const STOP: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with",
    "from", "into", "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that",
    "these", "those", "what", "which", "who", "when", "where", "why", "how", "do", "does", "did",
    "you", "your", "can", "not", "no", "if", "than", "then", "so", "there", "their", "they",
    "them", "one", "two", "all", "any", "each", "only", "also", "about", "after", "before", "use",
    "used", "uses", "using", "same", "other", "between", "has", "have", "will", "would", "should",
];

/// The words that say what a text is about, lowercased.
pub fn content_words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty() && !STOP.contains(&w.as_str()))
        .collect()
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

fn is_number(token: &str) -> bool {
    let t = token.trim_start_matches(['v', 'V', '~', '≈', '<', '>', '+']);
    t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | '-' | '–' | '—' | '×' | 'x')
        })
}

fn about_exit_codes(question: &str) -> bool {
    let q = question.to_lowercase();
    q.contains("exit code") || q.contains("exit status") || q.contains("exits with")
}

/// The shape of an answer, read in the light of its own question.
pub fn shape(answer: &str, question: &str) -> Shape {
    let plain: String = answer.chars().filter(|c| !matches!(c, '`' | '*')).collect();
    let plain = plain.trim().trim_end_matches('.').trim();
    if plain.lines().filter(|l| !l.trim().is_empty()).count() > 1 {
        return Shape::List;
    }
    let w = words(plain);
    let lower = plain.to_lowercase();
    let exit_words = lower.starts_with("exit code") || lower.starts_with("exit status");
    if (w.len() == 1 && is_number(w[0]) && about_exit_codes(question))
        || (exit_words && w.len() <= 3 && w.last().is_some_and(|t| is_number(t)))
    {
        return Shape::ExitCode;
    }
    if !w.is_empty() && w.len() <= 3 && is_number(w[0]) {
        return Shape::Number;
    }
    if w.len() == 1 {
        let t = w[0];
        let single_slash = t.starts_with('/') && !t[1..].contains('/');
        if t.starts_with('-') || single_slash {
            return Shape::Command;
        }
        if t.contains('/') || t.starts_with('~') || has_extension(t) {
            return Shape::Path;
        }
        return Shape::Identifier(style(t));
    }
    if w.len() <= 6
        && (w[0].starts_with('-') || w[0].starts_with('/') || w.iter().any(|t| t.starts_with("--")))
    {
        return Shape::Command;
    }
    let sentence_end = plain.contains(". ") || plain.contains(": ") || plain.contains("; ");
    if w.len() <= 6 && !sentence_end {
        return Shape::Term;
    }
    Shape::Sentence
}

/// `settings.json`, `.mcp.json`: a name, a dot, a short alphabetic ending.
fn has_extension(t: &str) -> bool {
    t.rsplit_once('.').is_some_and(|(stem, ext)| {
        (1..=5).contains(&ext.len())
            && ext.chars().all(|c| c.is_ascii_alphabetic())
            && (stem.is_empty() || stem.chars().any(char::is_alphanumeric))
            && !stem.ends_with('.')
    })
}

/// Whether a candidate may stand beside a right answer of the same shape
/// without its length giving it away: sentences and terms by words, lists
/// by lines, code words by characters (`q` beside `SessionStart` is odd).
fn similar_length(shape: Shape, right: &str, candidate: &str) -> bool {
    let measure = |t: &str| match shape {
        Shape::List => t.lines().filter(|l| !l.trim().is_empty()).count(),
        Shape::Identifier(_) => t.chars().filter(|c| *c != '`').count(),
        _ => words(t).len(),
    };
    let (a, b) = (measure(right), measure(candidate));
    let (lo, hi) = (a.min(b), a.max(b));
    match shape {
        Shape::Sentence => hi <= 2 * lo,
        Shape::Term | Shape::Command => hi <= 2 * lo + 1,
        Shape::List => hi <= lo + 2,
        Shape::Identifier(_) => hi <= 3 * lo,
        _ => true,
    }
}

/// Whether `needle` is written in `haystack`, as whole words.
fn written_in(needle: &str, haystack: &str) -> bool {
    let tokens = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (n, h) = (tokens(needle), tokens(haystack));
    !n.is_empty() && h.windows(n.len()).any(|w| w == n.as_slice())
}

/// Three distractors for a card, or `None` when fewer than three are
/// plausible, or when the right answer would be the only option that
/// repeats the question's words, and the card should be asked another way.
pub fn choose(
    question: &str,
    answer: &str,
    accepted: &[String],
    pool: &[PoolEntry],
    rng: &mut StdRng,
) -> Option<Vec<String>> {
    let right_shape = shape(answer, question);
    let asked = content_words(question);
    let mut taken: HashSet<String> = accepted.iter().map(|a| canonical(a)).collect();
    taken.insert(canonical(answer));
    let mut candidates: Vec<(u8, usize, &str)> = Vec::new();
    for entry in pool {
        let back = entry.back.as_str();
        let key = canonical(back);
        if key.is_empty()
            || taken.contains(&key)
            || shape(back, &entry.front) != right_shape
            || !similar_length(right_shape, answer, back)
            || written_in(back, question)
        {
            continue;
        }
        taken.insert(key);
        let tier = if entry.same_note {
            0
        } else if entry.same_topic {
            1
        } else {
            2
        };
        let overlap = content_words(back).intersection(&asked).count();
        candidates.push((tier, overlap, back));
    }
    if candidates.len() < 3 {
        return None;
    }
    candidates.shuffle(rng);
    // Siblings first, then the same topic, then the same deck; within each,
    // the options that repeat as many of the question's words as the right
    // answer does: then neither "the option that echoes the question" nor
    // "the one that doesn't" finds it.
    let right_overlap = content_words(answer).intersection(&asked).count();
    candidates.sort_by_key(|(tier, overlap, _)| (*tier, overlap.abs_diff(right_overlap)));
    let chosen = &candidates[..3];
    // An answer that alone repeats the question's words most, or least, is
    // found without knowing anything: such a card is not fair as multiple
    // choice.
    let best_wrong = chosen.iter().map(|c| c.1).max().unwrap_or(0);
    let least_wrong = chosen.iter().map(|c| c.1).min().unwrap_or(0);
    if right_overlap > best_wrong || right_overlap < least_wrong {
        return None;
    }
    Some(chosen.iter().map(|c| c.2.to_string()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rstest::rstest;

    #[rstest]
    #[case::bare_exit_code("2", "Which exit code blocks a tool call?", Shape::ExitCode)]
    #[case::exit_code_phrase("Exit code 2.", "What blocks a tool call?", Shape::ExitCode)]
    #[case::cloze_exit_code(
        "0",
        "A hook that exits with code […] lets the call go on",
        Shape::ExitCode
    )]
    #[case::plain_number("0", "How many seconds by default?", Shape::Number)]
    #[case::range("2–5", "How many subagents at once?", Shape::Number)]
    #[case::size("32 KiB", "How large may the file be?", Shape::Number)]
    #[case::count_with_unit("60 words", "How long may an answer be?", Shape::Number)]
    #[case::version("v2.1.63", "Since when?", Shape::Number)]
    #[case::file("CLAUDE.md", "Memory file?", Shape::Path)]
    #[case::dotfile("`.mcp.json`", "Project MCP config?", Shape::Path)]
    #[case::folder("`~/.claude/projects/`", "Where are transcripts?", Shape::Path)]
    #[case::nested_path("src/main.rs", "Entry point?", Shape::Path)]
    #[case::flag("`--resume`", "Which flag?", Shape::Command)]
    #[case::slash_command("`/compact`", "Which command?", Shape::Command)]
    #[case::command_line("`claude --continue`", "How to go on?", Shape::Command)]
    #[case::identifier("`PreToolUse`", "Which event?", Shape::Identifier(Style::Capital))]
    #[case::plain_word("manual", "Which source?", Shape::Identifier(Style::Lower))]
    #[case::snake_case("`tool_result`", "Which block?", Shape::Identifier(Style::Compound))]
    #[case::upper("TODO", "Which marker?", Shape::Identifier(Style::Upper))]
    #[case::term("Parallel subagent fan-out", "Which pattern fits?", Shape::Term)]
    #[case::sentence(
        "Return one tool_result for every tool_use block, all in the next user message.",
        "How do you send results back?",
        Shape::Sentence
    )]
    #[case::list(
        "1. Gather context.\n2. Act.\n3. Verify.",
        "List the steps",
        Shape::List
    )]
    fn answers_have_shapes(#[case] answer: &str, #[case] question: &str, #[case] expected: Shape) {
        assert_eq!(shape(answer, question), expected);
    }

    fn entry(back: &str, front: &str, same_note: bool, same_topic: bool) -> PoolEntry {
        PoolEntry {
            back: back.into(),
            front: front.into(),
            same_note,
            same_topic,
        }
    }

    #[test]
    fn a_cloze_never_offers_its_own_words_or_another_shape() {
        // Issue 15's example: "SessionStart hooks fire with the source […]"
        // offered SubagentStop, 0, manual and compact.
        let question = "`SessionStart` hooks fire with the source […] on a new session, `resume`, `clear` or `compact` otherwise; `manual` and `auto` are PreCompact's.";
        let pool = [
            entry("resume", question, true, true),
            entry("clear", question, true, true),
            entry("compact", question, true, true),
            entry("manual", "PreCompact's trigger is […] or auto", false, true),
            entry(
                "0",
                "A hook that exits with code […] lets the call go on",
                false,
                true,
            ),
            entry(
                "SubagentStop",
                "Which event fires when a subagent ends?",
                false,
                true,
            ),
            entry(
                "SessionEnd",
                "Which event fires when a session ends?",
                false,
                true,
            ),
            entry(
                "UserPromptSubmit",
                "Which event fires on a prompt?",
                false,
                false,
            ),
            entry(
                "Notification",
                "Which event fires on a notice?",
                false,
                false,
            ),
        ];
        let mut rng = StdRng::seed_from_u64(1);
        // Only event names are left, and a lowercase value among CamelCase
        // events gives itself away: asked another way, never padded.
        assert_eq!(choose(question, "startup", &[], &pool, &mut rng), None);
        let mut more = pool.to_vec();
        more.push(entry(
            "project",
            "Settings scope […] is shared in the repository",
            false,
            false,
        ));
        more.push(entry(
            "user",
            "Settings scope […] applies to every project",
            false,
            false,
        ));
        more.push(entry(
            "local",
            "Settings scope […] is yours in one project",
            false,
            false,
        ));
        let mut chosen = choose(question, "startup", &[], &more, &mut rng).expect("three");
        chosen.sort();
        assert_eq!(chosen, ["local", "project", "user"]);
    }

    #[test]
    fn siblings_come_first_and_the_question_s_own_words_never() {
        let question = "A hook exiting with code 2 blocks the call; exit code […] lets it go on";
        let pool = [
            entry("2", question, true, true),
            entry(
                "1",
                "Exit code […] shows stderr to the user only",
                false,
                true,
            ),
            entry(
                "127",
                "Which exit code means command not found?",
                false,
                false,
            ),
            entry("126", "Which exit code means not executable?", false, false),
            entry(
                "3",
                "A hook that exits with code […] is a non-blocking error",
                true,
                true,
            ),
            entry(
                "30 seconds",
                "How long until a hook times out?",
                false,
                true,
            ),
        ];
        for seed in 0..10 {
            let mut rng = StdRng::seed_from_u64(seed);
            let chosen = choose(question, "0", &[], &pool, &mut rng).unwrap();
            assert_eq!(chosen[0], "3", "the sibling deletion first");
            assert!(!chosen.contains(&"2".to_string()), "2 is in the question");
            assert!(!chosen.iter().any(|c| c.contains("seconds")), "{chosen:?}");
        }
    }

    #[rstest]
    #[case::dash_duplicate("2-5")]
    #[case::plural_duplicate("hooks")]
    fn duplicates_after_normalising_are_not_distractors(#[case] twin: &str) {
        let right = if twin == "hooks" { "hook" } else { "2–5" };
        let pool = [
            entry(twin, "", false, true),
            entry("a", "", false, true),
            entry("b", "", false, true),
            entry("c", "", false, true),
        ];
        let mut rng = StdRng::seed_from_u64(1);
        let chosen = choose("How many?", right, &[], &pool, &mut rng);
        assert!(chosen.is_none_or(|c| !c.iter().any(|o| o == twin)));
    }

    #[test]
    fn too_few_plausible_is_none_never_padding() {
        let pool = [
            entry("CLAUDE.md", "", false, true),
            entry("AGENTS.md", "", false, true),
            entry(
                "The model reads every file you open, then answers.",
                "",
                false,
                true,
            ),
            entry("42", "", false, true),
        ];
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(
            choose("Codex config file?", "config.toml", &[], &pool, &mut rng),
            None
        );
    }

    #[test]
    fn code_words_keep_to_similar_lengths() {
        let pool = [
            entry("q", "Which key quits?", false, true),
            entry("PostToolUse", "", false, true),
            entry("SessionStart", "", false, true),
            entry("Stop", "", false, true),
            entry("UserPromptSubmit", "", false, true),
        ];
        let mut rng = StdRng::seed_from_u64(1);
        let chosen = choose(
            "Which event fires before a tool runs?",
            "PreToolUse",
            &[],
            &pool,
            &mut rng,
        )
        .unwrap();
        assert!(!chosen.iter().any(|c| c == "q"), "{chosen:?}");
    }

    #[test]
    fn sentences_keep_to_similar_lengths() {
        let right = "Each call fires its own PreToolUse and PostToolUse hooks.";
        let long = "word ".repeat(40);
        let pool = [
            entry(&long, "", false, true),
            entry("A short one here.", "", false, true),
            entry(
                "Hooks see nothing at all of the parallel calls made.",
                "",
                false,
                true,
            ),
            entry(
                "The batch fires once after every call is resolved fully.",
                "",
                false,
                true,
            ),
            entry(
                "Only the first call of a batch runs its own hooks.",
                "",
                false,
                true,
            ),
        ];
        let mut rng = StdRng::seed_from_u64(2);
        let chosen = choose(
            "What do hooks see of parallel calls?",
            right,
            &[],
            &pool,
            &mut rng,
        )
        .unwrap();
        assert!(!chosen.contains(&long), "{chosen:?}");
    }
}
