//! The daily drill: build today's queue, then show, reveal and grade one
//! card at a time. Each grade is committed before the next card is drawn.

use std::collections::{HashSet, VecDeque};
use std::time::Instant;

use crate::clock::{Clock, Day, format_day};
use crate::error::Result;
use crate::prompt::{ENTER, Prompter, Reply};
use crate::scheduler::{Grade, review_of};
use crate::store::{CardRow, DeckInfo, Grading, Logged, ReviewKind, Store};

#[derive(Debug, Clone, Default)]
pub struct ReviewOptions {
    /// New cards allowed per study day.
    pub new_per_day: u32,
    /// Cap on the session's cards (due first).
    pub limit: Option<usize>,
    /// Only these decks (row ids); `None` is every deck.
    pub decks: Option<Vec<i64>>,
    /// Introduce new cards even when prerequisites are unseen.
    pub ignore_prerequisites: bool,
}

/// Card ids; each card is loaded when it is shown.
#[derive(Debug, Default)]
pub struct Queue {
    pub due: Vec<i64>,
    pub new: Vec<i64>,
}

/// Today's cards: due ones most overdue first, then new ones in curriculum
/// order, gated by prerequisites and the daily new-card limit.
pub fn build_queue(store: &Store, today: Day, opts: &ReviewOptions) -> Result<Queue> {
    let cap = opts.limit.unwrap_or(usize::MAX / 2);
    let due = store.due_cards(today, opts.decks.as_deref(), cap)?;
    let new = new_cards(store, today, opts, cap.saturating_sub(due.len()))?;
    Ok(Queue { due, new })
}

/// The new cards allowed today, at most `room`: the daily limit counts
/// across sessions, a deck waits for its prerequisites, and, as Anki buries
/// siblings, no new card of a note that was studied or is due today, so
/// that a term's definition card does not answer its naming card minutes
/// later.
pub fn new_cards(store: &Store, today: Day, opts: &ReviewOptions, room: usize) -> Result<Vec<i64>> {
    let seen_today = store.new_seen_on(today)?;
    let quota = ((i64::from(opts.new_per_day) - seen_today).max(0) as usize).min(room);
    let mut new = Vec::new();
    if quota == 0 {
        return Ok(new);
    }
    let decks = store.decks()?;
    let unseen = store.decks_with_unseen()?;
    if unseen.is_empty() {
        return Ok(new);
    }
    let mut notes = store.notes_busy_on(today)?;
    for deck in decks
        .iter()
        .filter(|d| in_scope(d, opts) && unseen.contains(&d.id))
    {
        if new.len() >= quota {
            break;
        }
        if !opts.ignore_prerequisites && waits_for_prerequisites(deck, &decks, &unseen) {
            continue;
        }
        for (card, note) in store.new_cards(deck.id)? {
            if new.len() >= quota {
                break;
            }
            if notes.insert(note) {
                new.push(card);
            }
        }
    }
    Ok(new)
}

fn in_scope(deck: &DeckInfo, opts: &ReviewOptions) -> bool {
    opts.decks.as_ref().is_none_or(|ids| ids.contains(&deck.id))
}

/// A deck waits while any deck it requires still has never-seen cards;
/// a deck on a `requires` cycle (which `compile` and `check` refuse, but
/// another command may meet before it is fixed) waits for nothing, or its
/// cards would never come.
fn waits_for_prerequisites(deck: &DeckInfo, all: &[DeckInfo], unseen: &HashSet<i64>) -> bool {
    !on_cycle(deck, all)
        && deck
            .requires
            .iter()
            .any(|req| all.iter().any(|d| &d.key == req && unseen.contains(&d.id)))
}

/// Whether following `requires` from `deck` leads back to it.
fn on_cycle(deck: &DeckInfo, all: &[DeckInfo]) -> bool {
    let mut stack: Vec<&str> = deck.requires.iter().map(String::as_str).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    while let Some(key) = stack.pop() {
        if key == deck.key {
            return true;
        }
        if seen.insert(key)
            && let Some(d) = all.iter().find(|d| d.key == key)
        {
            stack.extend(d.requires.iter().map(String::as_str));
        }
    }
    false
}

#[derive(Debug, Default, PartialEq)]
pub struct Summary {
    /// Scheduling grades given (first grade of the day per card).
    pub reviewed: usize,
    pub passed: usize,
    pub drills: usize,
    pub millis: i64,
    pub interrupted: bool,
}

struct Step {
    review_id: i64,
    card: CardRow,
    requeued: bool,
    scheduled: bool,
    passed: bool,
    millis: i64,
}

#[derive(PartialEq)]
enum Action {
    Reveal,
    Grade(Grade),
    Undo,
    Quit,
    Interrupt,
}

pub const LEGEND: &str =
    "0 blackout · 1 wrong, familiar · 2 wrong, easy once seen · 3 hard · 4 hesitant · 5 perfect";

/// Runs one session over `queue` and returns what was done.
pub fn run(
    store: &mut Store,
    clock: &Clock,
    prompter: &mut dyn Prompter,
    queue: Queue,
    on_grade: &mut dyn FnMut(&Summary),
) -> Result<Summary> {
    let (due_count, new_count) = (queue.due.len(), queue.new.len());
    let mut pending: VecDeque<i64> = queue.due.into_iter().chain(queue.new).collect();
    let mut history: Vec<Step> = Vec::new();
    let mut summary = Summary::default();
    if pending.is_empty() {
        prompter
            .show("Nothing is due. Come back tomorrow, or quiz yourself with `mastery quiz`.")?;
        return Ok(summary);
    }
    let mut shown = 0usize;
    while let Some(id) = pending.pop_front() {
        // Loaded now, so a re-drill or an undo shows the card's current state.
        let Some(card) = store.card_by_id(id)? else {
            continue;
        };
        shown += 1;
        let total = shown + pending.len();
        prompter.show(&format!(
            "\n{} › {}    card {shown}/{total} · {due_count} due · {new_count} new\n",
            card.deck_title, card.topic
        ))?;
        prompter.show(&card.front)?;
        let started = Instant::now();
        let mut action = match prompter.key(
            "[Enter/Space] reveal · [u] undo · [q] quit ",
            &format!("{ENTER}u"),
        )? {
            Reply::Key('u') => Action::Undo,
            Reply::Key(_) | Reply::Text(_) => Action::Reveal,
            Reply::Quit => Action::Quit,
            Reply::Interrupt => Action::Interrupt,
        };
        if action == Action::Reveal {
            prompter.show(&format!("―――\n{}\n", card.back))?;
            if let Some(cites) = &card.cites {
                prompter.note(&format!("Source: {cites}\n"))?;
            }
            prompter.show(LEGEND)?;
            action = loop {
                match prompter.key("grade [0-5] · [u] undo · [q] quit ", "012345u")? {
                    Reply::Key('u') => break Action::Undo,
                    Reply::Key(c) => {
                        if let Some(g) = c.to_digit(10).and_then(|d| Grade::new(i64::from(d))) {
                            break Action::Grade(g);
                        }
                    }
                    Reply::Quit => break Action::Quit,
                    Reply::Interrupt => break Action::Interrupt,
                    Reply::Text(_) => {}
                }
            };
        }
        let grade = match action {
            Action::Grade(g) => g,
            Action::Undo => {
                // Show this card again after the one taken back.
                pending.push_front(card.id);
                shown -= 1;
                undo_step(
                    store,
                    clock,
                    prompter,
                    &mut history,
                    &mut pending,
                    &mut summary,
                    &mut shown,
                )?;
                on_grade(&summary);
                continue;
            }
            Action::Reveal | Action::Quit => break,
            Action::Interrupt => {
                summary.interrupted = true;
                break;
            }
        };
        let millis = started.elapsed().as_millis() as i64;
        // Each grade carries its own instant and study day: a session that
        // runs past the rollover files later grades under the new day.
        let now = clock.now();
        let day = clock.day_of(now);
        let logged = match store.record(
            &Grading {
                card_id: card.id,
                grade: grade.value(),
                at: &Clock::stamp_of(now),
                day,
                ms: millis,
            },
            &|before| Some(review_of(before, grade, day)),
        ) {
            Err(e @ crate::error::Error::CardGone) => {
                prompter.show(&e.to_string())?;
                continue;
            }
            other => other?,
        };
        let Some(Logged {
            review_id,
            kind,
            after,
            ..
        }) = logged
        else {
            continue;
        };
        let scheduled = kind != ReviewKind::Drill;
        let requeued = grade.needs_drill();
        if requeued {
            pending.push_back(card.id);
        }
        if scheduled {
            summary.reviewed += 1;
            summary.passed += usize::from(grade.passed());
        } else {
            summary.drills += 1;
        }
        summary.millis += millis;
        // Before the acknowledgement: an interruption from now on reports
        // this grade.
        on_grade(&summary);
        let note = match after.due {
            Some(d) if scheduled => format!("saved grade {grade} · next due {}", format_day(d)),
            _ => format!("saved grade {grade} · drill"),
        };
        prompter.show(&note)?;
        history.push(Step {
            review_id,
            card,
            requeued,
            scheduled,
            passed: grade.passed(),
            millis,
        });
    }
    Ok(summary)
}

/// Takes back the session's last grade and puts its card first again.
fn undo_step(
    store: &mut Store,
    clock: &Clock,
    prompter: &mut dyn Prompter,
    history: &mut Vec<Step>,
    pending: &mut VecDeque<i64>,
    summary: &mut Summary,
    shown: &mut usize,
) -> Result<()> {
    let Some(step) = history.pop() else {
        prompter.show("nothing to undo in this session (use `mastery undo` for an earlier one)")?;
        return Ok(());
    };
    match store.undo_review(step.review_id, &clock.stamp()) {
        Ok(_) => {}
        // Undone or graded again from another terminal: say so and go on.
        Err(e @ crate::error::Error::UndoRefused(_)) => {
            prompter.show(&e.to_string())?;
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    if step.requeued
        && let Some(pos) = pending.iter().rposition(|c| *c == step.card.id)
    {
        pending.remove(pos);
    }
    if step.scheduled {
        summary.reviewed -= 1;
        summary.passed -= usize::from(step.passed);
    } else {
        summary.drills -= 1;
    }
    summary.millis -= step.millis;
    *shown = shown.saturating_sub(1);
    prompter.show(&format!("undone: {}", step.card.key))?;
    pending.push_front(step.card.id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::prompt::ScriptedPrompter;

    const DECK: &str =
        "+++\nmodule = 1\n+++\n# T\n## Q: one? {#a}\n1\n## Q: two? {#b}\n2\n## Q: three? {#c}\n3\n";

    fn setup() -> (tempfile::TempDir, Store, Clock) {
        crate::testing::store_with(DECK)
    }

    /// A scripted prompter that lets another "terminal" act when a line is
    /// shown, for races between sessions.
    struct Hooked<F: FnMut(&str)> {
        inner: ScriptedPrompter,
        hook: F,
    }

    impl<F: FnMut(&str)> Hooked<F> {
        fn new(keys: &str, hook: F) -> Self {
            Hooked {
                inner: ScriptedPrompter::keys(keys),
                hook,
            }
        }
    }

    impl<F: FnMut(&str)> Prompter for Hooked<F> {
        fn show(&mut self, text: &str) -> Result<()> {
            (self.hook)(text);
            self.inner.show(text)
        }
        fn key(&mut self, prompt: &str, keys: &str) -> Result<Reply> {
            self.inner.key(prompt, keys)
        }
        fn line(&mut self, prompt: &str) -> Result<Reply> {
            self.inner.line(prompt)
        }
    }

    /// Today's queue with up to ten new cards.
    fn queue(store: &Store, clock: &Clock) -> Queue {
        let opts = ReviewOptions {
            new_per_day: 10,
            ..ReviewOptions::default()
        };
        build_queue(store, clock.today(), &opts).unwrap()
    }

    fn session(store: &mut Store, clock: &Clock, script: &str) -> (Summary, ScriptedPrompter) {
        let queue = queue(store, clock);
        let mut p = ScriptedPrompter::keys(script);
        let summary = run(store, clock, &mut p, queue, &mut |_| {}).unwrap();
        (summary, p)
    }

    fn state(store: &Store, key: &str) -> crate::scheduler::CardState {
        store.card_by_key(key).unwrap().unwrap().state
    }

    #[test]
    fn each_grade_schedules_its_card() {
        let (_d, mut store, clock) = setup();
        let (summary, p) = session(&mut store, &clock, "\n5\n4\n3");
        assert_eq!(
            (summary.reviewed, summary.passed, summary.drills),
            (3, 3, 0)
        );
        assert_eq!(state(&store, "a").ease, 260);
        assert_eq!(state(&store, "b").ease, 250);
        assert_eq!(state(&store, "c").ease, 236);
        assert!(
            p.output().contains("saved grade 5 · next due 2026-03-03"),
            "{}",
            p.output()
        );
    }

    #[test]
    fn a_card_below_four_comes_back_as_a_drill() {
        let (_d, mut store, clock) = setup();
        // a: 2, then b and c: 5, then a again (drill): 4.
        let (summary, p) = session(&mut store, &clock, "\n2\n5\n5\n4");
        assert_eq!((summary.reviewed, summary.drills), (3, 1));
        assert_eq!(p.output().matches("one?").count(), 2);
        let a = state(&store, "a");
        assert_eq!(
            (a.reps, a.ease, a.interval),
            (1, 218, 1),
            "the drill does not reschedule"
        );
    }

    #[test]
    fn undo_restores_the_exact_state_and_asks_again() {
        let (_d, mut store, clock) = setup();
        let before = state(&store, "a");
        // Grade a 5, undo at b's reveal prompt, then grade a 3 and quit.
        let (summary, p) = session(&mut store, &clock, "\n5u\n3q");
        assert!(p.output().contains("undone: a"));
        assert_eq!(summary.reviewed, 1);
        let a = state(&store, "a");
        assert_ne!(a, before);
        assert_eq!(a.ease, 236, "only the second grade counts");
        assert_eq!(store.card_reviews(a_id(&store)).unwrap().len(), 1);
    }

    fn a_id(store: &Store) -> i64 {
        store.card_by_key("a").unwrap().unwrap().id
    }

    #[test]
    fn quitting_keeps_every_answer_given() {
        let (_d, mut store, clock) = setup();
        let (summary, _) = session(&mut store, &clock, "\n4q");
        assert_eq!(summary.reviewed, 1);
        assert!(!state(&store, "a").is_new());
        assert!(state(&store, "b").is_new());
    }

    #[test]
    fn an_interrupt_is_reported() {
        let (_d, mut store, clock) = setup();
        let queue = queue(&store, &clock);
        let mut p = ScriptedPrompter::new([Reply::Key(ENTER), Reply::Key('4'), Reply::Interrupt]);
        let summary = run(&mut store, &clock, &mut p, queue, &mut |_| {}).unwrap();
        assert!(summary.interrupted);
        assert_eq!(summary.reviewed, 1);
    }

    #[test]
    fn an_in_session_undo_after_an_undo_elsewhere_is_a_message() {
        let (_d, mut store, clock) = setup();
        let queue = queue(&store, &clock);
        // Grade the first card; another terminal undoes it; then `u` here.
        let db = store.path().to_path_buf();
        let mut meddled = false;
        let mut p = Hooked::new("\n5uq", move |text: &str| {
            if text.starts_with("saved grade") && !meddled {
                meddled = true;
                let mut other = Store::open(&db).unwrap();
                other.undo_last("2026-03-02T09:00:01.000Z").unwrap();
            }
        });
        let summary = run(&mut store, &clock, &mut p, queue, &mut |_| {}).unwrap();
        assert!(!summary.interrupted);
        assert!(
            p.inner.shown.iter().any(
                |l| l == "cannot undo: the grade of a was already undone (in another session?)"
            ),
            "{:?}",
            p.inner.shown
        );
    }

    #[test]
    fn a_card_pruned_by_another_terminal_mid_session_is_a_message() {
        let (_d, mut store, clock) = setup();
        let queue = queue(&store, &clock);
        // While card a is on screen, another terminal prunes it.
        let db = store.path().to_path_buf();
        let mut p = Hooked::new("\n5\n5\n5", move |text: &str| {
            if text == "one?" {
                let other = rusqlite::Connection::open(&db).unwrap();
                other
                    .execute_batch(
                        "DELETE FROM card_text WHERE card_id = 1; DELETE FROM card WHERE id = 1;",
                    )
                    .unwrap();
            }
        });
        let summary = run(&mut store, &clock, &mut p, queue, &mut |_| {}).unwrap();
        assert_eq!(summary.reviewed, 2, "the session went on");
        assert!(
            p.inner
                .shown
                .iter()
                .any(|l| l.starts_with("this card was deleted")),
            "{:?}",
            p.inner.shown
        );
    }

    #[test]
    fn only_a_cards_newest_live_review_can_be_undone() {
        let (_d, mut store, clock) = setup();
        let at = clock.stamp();
        let mut grade = |day| {
            let g = Grade::new(5).unwrap();
            store
                .record(
                    &Grading {
                        card_id: 1,
                        grade: 5,
                        at: &at,
                        day,
                        ms: 1,
                    },
                    &|before| Some(review_of(before, g, day)),
                )
                .unwrap()
                .unwrap()
                .review_id
        };
        let first = grade(clock.today());
        let _second = grade(clock.today() + 1);
        let err = store.undo_review(first, &at).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot undo: a was graded again since; undo its newest grade first"
        );
    }

    #[test]
    fn each_grade_is_stamped_with_its_own_instant_and_day() {
        let (_d, mut store, _) = setup();
        // The session starts at 03:58; each clock reading is a minute later,
        // so the study day rolls over (04:00) during the session.
        let start = crate::clock::parse_now("2026-03-03T03:58:00Z").unwrap();
        let clock = Clock::ticking(start, chrono::Duration::minutes(1), 4);
        let queue = queue(&store, &clock);
        let mut p = ScriptedPrompter::keys("\n5\n5\n5");
        let mut seen = Vec::new();
        run(&mut store, &clock, &mut p, queue, &mut |s| {
            seen.push(s.reviewed)
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![1, 2, 3],
            "the progress callback follows every grade"
        );
        let log: Vec<(String, i64)> = ["a", "b", "c"]
            .iter()
            .map(|k| {
                let id = store.card_by_key(k).unwrap().unwrap().id;
                let e = &store.card_reviews(id).unwrap()[0];
                (e.at.clone(), e.day)
            })
            .collect();
        let day = |d: &str| crate::clock::day_from_date(d.parse().unwrap());
        assert_eq!(
            log,
            vec![
                ("2026-03-03T03:59:00.000Z".to_string(), day("2026-03-02")),
                ("2026-03-03T04:00:00.000Z".to_string(), day("2026-03-03")),
                ("2026-03-03T04:01:00.000Z".to_string(), day("2026-03-03")),
            ]
        );
    }
}
