//! What the review screen shows for a card: the frame (title, counts,
//! front, back), the keys line with the interval each grade would give,
//! the key help and the card info page. Pure: the loop draws them.

use crate::clock::{Day, format_day};
use crate::deck::cards::BLANK;
use crate::fsrs::Scheduler;
use crate::render::{Frame, HIGHLIGHT_END, HIGHLIGHT_START, Section, Style};
use crate::scheduler::Grade;
use crate::store::{CardRow, ReviewEntry, Suspension};

/// Remaining cards of the session by kind, as Anki shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub shown: usize,
    pub total: usize,
    pub due: usize,
    /// "due", or why the due-lane cards were picked ("weak").
    pub due_word: &'static str,
    pub new: usize,
    /// Waiting to be re-drilled (failed this session, or earlier today).
    pub again: usize,
}

impl Counts {
    pub fn text(&self) -> String {
        format!(
            "card {}/{} · {} {} · {} new · {} again",
            self.shown, self.total, self.due, self.due_word, self.new, self.again
        )
    }
}

/// The keys line before the answer is shown.
pub const FRONT_KEYS: &str =
    "[Space] reveal  [s]uspend [b]ury [f]lag [e]dit [i]nfo  [?]keys [u]ndo [q]uit";

/// A compact interval: days up to a month, then months, then years.
pub fn span(days: u32) -> String {
    match days {
        0..=30 => format!("{days}d"),
        31..=364 => format!("{:.1}mo", f64::from(days) / 30.4),
        365..=3649 => format!("{:.1}y", f64::from(days) / 365.0),
        _ => format!("{}y", days / 365),
    }
}

/// The keys line once the answer is shown: what each grade would do,
/// computed by the scheduler from the card's state without writing. A
/// card already graded today is a re-drill, which changes nothing.
pub fn grade_keys(card: &CardRow, sched: &Scheduler, today: Day) -> String {
    let state = &card.state;
    if !state.schedules_on(today) {
        return "grade [0-5]:  re-drill, the schedule stays  0-3 again  4-5 done  [u]ndo [?]"
            .to_string();
    }
    let interval = |g: u8| {
        let grade = Grade::new(i64::from(g)).unwrap_or(Grade::HESITANT);
        span(sched.preview(state, card.fsrs(), grade, today))
    };
    format!(
        "grade [0-5]:  0-2 again·{}  3 hard·{}  4 good·{}  5 easy·{}  [u]ndo [?]",
        interval(0),
        interval(3),
        interval(4),
        interval(5)
    )
}

/// The back as shown: for a cloze, the whole text with the revealed
/// deletion highlighted; otherwise the back as written.
pub fn back_text(card: &CardRow) -> String {
    let is_cloze = card.generator.starts_with('c')
        && card.generator[1..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-');
    if is_cloze && card.front.matches(BLANK).count() == 1 {
        return card.front.replacen(
            BLANK,
            &format!("{HIGHLIGHT_START}{}{HIGHLIGHT_END}", card.back),
            1,
        );
    }
    card.back.clone()
}

/// The marks worth a word on screen.
fn marks(card: &CardRow) -> Vec<&'static str> {
    let mut out = Vec::new();
    if card.marks.flagged {
        out.push("⚑ flagged");
    }
    if card.marks.leech {
        out.push("leech");
    }
    out
}

/// The frame of a card: its front, and with `revealed` its back.
pub fn frame(card: &CardRow, counts: &Counts, revealed: bool) -> Frame {
    let title = format!("{} › {}", card.deck_title, card.topic);
    let marks = marks(card)
        .iter()
        .map(|m| format!("[{m}]"))
        .collect::<Vec<_>>()
        .join("  ");
    let mut sections = vec![Section::markdown(card.front.clone(), Style::BOLD)];
    if revealed {
        let answer = Style {
            answer: true,
            ..Style::PLAIN
        };
        sections.push(Section::markdown(back_text(card), answer).after_rule());
        if let Some(cites) = &card.cites {
            sections.push(Section::plain(format!("Source: {cites}"), Style::DIM));
        }
    }
    Frame {
        title,
        marks,
        info: counts.text(),
        shown: usize::from(revealed),
        sections,
    }
}

/// The `?` page.
pub const HELP: &str = "\
**Keys**

- **Space** or **Enter**: show the answer
- **0**: blackout, nothing came back
- **1**: wrong, but remembered once seen
- **2**: wrong, but the answer seemed easy once seen
- **3**: right, with serious difficulty
- **4**: right, after some hesitation
- **5**: perfect recall

Below 3 the card starts over and is due tomorrow (a lapse, unless it was \
new); below 4 it comes back in this session as a re-drill, which never \
changes its schedule. The keys line shows the interval each grade gives.

- **s** suspend (until `mastery unsuspend ID`) · **b** bury until tomorrow
- **f** flag, or unflag (`mastery cards --flagged`) · **e** edit in `$EDITOR`
- **i** the card's info and history · **u** undo the last grade or action
- **q**, **Esc**, **Ctrl-C**: end the session (every answer is saved)";

/// `text` with Markdown's punctuation escaped, so that a path or title
/// shows as written on a page that is rendered as Markdown.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The `i` page: where the card comes from, its state and its history.
pub fn info(card: &CardRow, reviews: &[ReviewEntry], sched: &Scheduler, today: Day) -> String {
    let mut text = format!(
        "**{}** (card {})\n\n- deck: {} ({})\n- topic: {}\n- source: {}\n",
        literal(&card.key),
        card.id,
        literal(&card.deck_title),
        literal(&card.deck_key),
        literal(&card.topic),
        literal(&card.source())
    );
    if let Some(cites) = &card.cites {
        text.push_str(&format!("- cites: {}\n", literal(cites)));
    }
    text.push_str(&format!("- state: {}\n", state_line(card, sched, today)));
    let mut marks = Vec::new();
    match card.marks.suspended {
        Suspension::None => {}
        Suspension::Learner => marks.push("suspended".to_string()),
        Suspension::Leech => marks.push("suspended as a leech".to_string()),
    }
    if let Some(day) = card.marks.buried {
        marks.push(format!("buried on {}", format_day(day)));
    }
    if card.marks.flagged {
        marks.push("flagged".to_string());
    }
    if card.marks.leech {
        marks.push("leech".to_string());
    }
    if !marks.is_empty() {
        text.push_str(&format!("- marks: {}\n", marks.join(", ")));
    }
    text.push_str("\n**History**\n\n");
    if reviews.is_empty() {
        text.push_str("never reviewed\n");
    }
    for r in reviews {
        text.push_str(&format!(
            "- {} (study day {}): grade {}, {}\n",
            r.at.get(..16).unwrap_or(&r.at).replace('T', " "),
            format_day(r.day),
            r.grade,
            r.kind
        ));
    }
    text
}

/// A card's scheduling state in one line: SM-2's, or FSRS's memory and
/// today's chance of recall while FSRS sets the due days.
pub fn state_line(card: &CardRow, sched: &Scheduler, today: Day) -> String {
    let s = &card.state;
    if s.is_new() {
        return "new: never reviewed".to_string();
    }
    let due = card
        .due
        .map_or_else(|| "never reviewed".to_string(), format_day);
    match (sched, card.fsrs()) {
        (Scheduler::Fsrs(m), Some(f)) => format!(
            "FSRS: stability {:.1} d · difficulty {:.1} · recall today {:.0} % · due {due} · lapses {}",
            f.memory.stability,
            f.memory.difficulty,
            100.0 * m.recall(f.memory, (today - f.last_day) as f32),
            s.lapses
        ),
        _ => format!(
            "repetitions {} · ease {}.{:02} · interval {} d · due {due} · lapses {}",
            s.reps,
            s.ease / 100,
            s.ease % 100,
            s.interval,
            s.lapses
        ),
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;
    use crate::scheduler::CardState;

    #[rstest]
    #[case(1, "1d")]
    #[case(30, "30d")]
    #[case(45, "1.5mo")]
    #[case(400, "1.1y")]
    #[case(3_000, "8.2y")]
    #[case(36_500, "100y")]
    fn intervals_are_compact(#[case] days: u32, #[case] shown: &str) {
        assert_eq!(span(days), shown);
    }

    fn row(state: CardState) -> CardRow {
        CardRow {
            id: 1,
            key: "k".into(),
            deck_key: "d".into(),
            deck_title: "D".into(),
            module: None,
            category: None,
            topic: "t".into(),
            path: "d.md".into(),
            line: 1,
            generator: "q".into(),
            front: "f".into(),
            back: "b".into(),
            due: state.due,
            state,
            memory: None,
            retired: false,
            cites: None,
            marks: Default::default(),
            accept: Vec::new(),
            note_kind: "q".into(),
            tags: Vec::new(),
            pos: 0,
        }
    }

    /// The keys line names the interval each grade would give, and fits
    /// 80 columns even at the longest intervals.
    #[rstest]
    #[case::new_card(CardState::default(), "0-2 again·1d  3 hard·1d  4 good·1d  5 easy·1d")]
    #[case::second_review(CardState { reps: 1, interval: 1, due: Some(100), last_day: Some(99), last_grade: Some(4), ..CardState::default() }, "0-2 again·1d  3 hard·6d  4 good·6d  5 easy·6d")]
    #[case::mature(CardState { reps: 4, interval: 20, due: Some(100), last_day: Some(80), last_grade: Some(4), ..CardState::default() }, "0-2 again·1d  3 hard·1.6mo  4 good·1.6mo  5 easy·1.7mo")]
    #[case::longest(CardState { reps: 9, ease: 300, interval: 36_500, due: Some(100), last_day: Some(1), last_grade: Some(5), ..CardState::default() }, "0-2 again·1d  3 hard·100y  4 good·100y  5 easy·100y")]
    #[case::graded_today(CardState { reps: 1, interval: 1, due: Some(101), last_day: Some(100), last_grade: Some(2), ..CardState::default() }, "re-drill, the schedule stays")]
    fn the_keys_line_previews_each_grade(#[case] state: CardState, #[case] part: &str) {
        let keys = grade_keys(&row(state), &Scheduler::Sm2, 100);
        assert!(keys.contains(part), "{keys}");
        assert!(crate::render::width_of(&keys) <= 80, "{keys}");
    }

    /// Under FSRS a new card's previews are FSRS-6's initial stabilities
    /// at 90 % retention, rounded to days (0.21, 1.29, 2.31, 8.30), and a
    /// reviewed card's come from its memory, not from SM-2's interval.
    #[test]
    fn fsrs_previews_come_from_the_model() {
        let fsrs = Scheduler::Fsrs(crate::fsrs::Model::default_model());
        let keys = grade_keys(&row(CardState::default()), &fsrs, 100);
        assert!(
            keys.contains("0-2 again·1d  3 hard·1d  4 good·2d  5 easy·8d"),
            "{keys}"
        );
        let mut seen = row(CardState {
            reps: 4,
            interval: 20,
            due: Some(100),
            last_day: Some(80),
            last_grade: Some(4),
            ..CardState::default()
        });
        seen.memory = Some(crate::fsrs::Memory {
            stability: 20.0,
            difficulty: 5.0,
        });
        let keys = grade_keys(&seen, &fsrs, 100);
        assert!(!keys.contains("1.6mo"), "{keys}");
        let sm2 = grade_keys(&seen, &Scheduler::Sm2, 100);
        assert_ne!(keys, sm2);
    }

    #[test]
    fn the_front_keys_fit_eighty_columns() {
        assert!(crate::render::width_of(FRONT_KEYS) <= 80, "{FRONT_KEYS}");
    }
}
