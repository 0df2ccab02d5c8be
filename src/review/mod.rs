//! The daily drill: build today's queue, then show, reveal and grade one
//! card at a time. Each grade, and each suspend, bury or flag, is
//! committed before the next card is drawn, and each can be undone.

use std::collections::VecDeque;
use std::time::Instant;

use crate::clock::{Clock, Day, format_day};
use crate::error::{Error, Result};
use crate::prompt::{ENTER, Prompter, Reply};
use crate::scheduler::{Grade, review_of};
use crate::store::{CardRow, Grading, Logged, Marks, ReviewKind, Store};

mod edit;
mod queue;
pub mod screen;

pub use edit::{DeckEditor, Editor};
pub use queue::{Queue, ReviewOptions, Wait, build_queue, new_cards, waiting};
use screen::Counts;

#[derive(Debug, Default, PartialEq)]
pub struct Summary {
    /// Scheduling grades given (first grade of the day per card).
    pub reviewed: usize,
    pub passed: usize,
    pub drills: usize,
    pub millis: i64,
    pub interrupted: bool,
    /// Cards suspended or buried in the session: (card id, "suspended" or
    /// "buried"), named in the summary so they can be let back in.
    pub set_aside: Vec<(String, &'static str)>,
}

/// Which count a queued card belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lane {
    Due,
    New,
    /// A re-drill: failed in this session, or earlier today.
    Again,
}

/// One thing done in the session, kept so that `u` can take it back.
enum Step {
    Graded {
        review_id: i64,
        card_id: i64,
        key: String,
        lane: Lane,
        requeued: bool,
        scheduled: bool,
        passed: bool,
        millis: i64,
    },
    Marked {
        card_id: i64,
        key: String,
        before: Marks,
        lane: Lane,
        /// The action took the card out of the session (suspend, bury).
        removed: bool,
        what: &'static str,
    },
}

/// What became of a card opened in the editor.
enum Edited {
    Card(Box<CardRow>),
    Unchanged,
    Gone,
}

/// What the learner did with the card on screen.
enum Flow {
    Next,
    Quit,
    Interrupt,
}

struct Session<'a> {
    store: &'a mut Store,
    clock: &'a Clock,
    prompter: &'a mut dyn Prompter,
    editor: Option<&'a dyn Editor>,
    on_grade: &'a mut dyn FnMut(&Summary),
    pending: VecDeque<(i64, Lane)>,
    history: Vec<Step>,
    summary: Summary,
    shown: usize,
    /// The word for the cards in the due lane.
    due_word: &'static str,
}

/// Runs one session over `queue` and returns what was done. `editor`
/// opens a card's source for `e`; without one, `e` says why it can't.
pub fn run(
    store: &mut Store,
    clock: &Clock,
    prompter: &mut dyn Prompter,
    queue: Queue,
    on_grade: &mut dyn FnMut(&Summary),
) -> Result<Summary> {
    run_with(store, clock, prompter, queue, None, on_grade)
}

pub fn run_with(
    store: &mut Store,
    clock: &Clock,
    prompter: &mut dyn Prompter,
    queue: Queue,
    editor: Option<&dyn Editor>,
    on_grade: &mut dyn FnMut(&Summary),
) -> Result<Summary> {
    let pending: VecDeque<(i64, Lane)> = queue
        .relearn
        .into_iter()
        .map(|id| (id, Lane::Again))
        .chain(queue.due.into_iter().map(|id| (id, Lane::Due)))
        .chain(queue.new.into_iter().map(|id| (id, Lane::New)))
        .collect();
    if pending.is_empty() {
        prompter
            .show("Nothing is due. Come back tomorrow, or quiz yourself with `mastery quiz`.")?;
        return Ok(Summary::default());
    }
    let mut session = Session {
        store,
        clock,
        prompter,
        editor,
        on_grade,
        pending,
        history: Vec::new(),
        summary: Summary::default(),
        shown: 0,
        due_word: queue.picked.unwrap_or("due"),
    };
    while let Some((id, lane)) = session.pending.pop_front() {
        // Loaded now, so a re-drill or an undo shows the card's current
        // state; a card suspended, buried or retired from another terminal
        // meanwhile is passed over.
        let Some(card) = session.store.card_by_id(id)? else {
            continue;
        };
        // One reading per card: the day its keys line previews and a bury
        // counts from.
        let today = session.clock.today();
        if card.retired || card.marks.suspended.is_suspended() || card.marks.buried_on(today) {
            continue;
        }
        session.shown += 1;
        match session.ask(card, lane, today)? {
            Flow::Next => {}
            Flow::Quit => break,
            Flow::Interrupt => {
                session.summary.interrupted = true;
                break;
            }
        }
    }
    Ok(session.summary)
}

impl Session<'_> {
    fn counts(&self, current: Lane) -> Counts {
        let mut c = Counts {
            shown: self.shown,
            total: self.shown + self.pending.len(),
            due_word: self.due_word,
            ..Counts::default()
        };
        for lane in self.pending.iter().map(|(_, l)| *l).chain([current]) {
            match lane {
                Lane::Due => c.due += 1,
                Lane::New => c.new += 1,
                Lane::Again => c.again += 1,
            }
        }
        c
    }

    /// Shows one card until it is graded, set aside or the session ends.
    fn ask(&mut self, mut card: CardRow, lane: Lane, today: Day) -> Result<Flow> {
        let started = Instant::now();
        let mut revealed = false;
        // Sections of this card a line prompter has printed already.
        let mut printed = 0;
        loop {
            let mut frame = screen::frame(&card, &self.counts(lane), revealed);
            frame.shown = printed.min(frame.sections.len());
            printed = frame.sections.len();
            self.prompter.frame(&frame)?;
            let reply = if revealed {
                self.prompter.key(
                    &screen::grade_keys(&card, self.store.scheduler(), today),
                    "012345usbfei?",
                )?
            } else {
                self.prompter.key(screen::FRONT_KEYS, "\nusbfei?")?
            };
            let key = match reply {
                Reply::Quit => return Ok(Flow::Quit),
                Reply::Interrupt => return Ok(Flow::Interrupt),
                Reply::Text(_) => ENTER,
                Reply::Key(k) => k,
            };
            match key {
                ENTER if !revealed => revealed = true,
                'u' => {
                    self.undo(Some((card.id, lane)))?;
                    return Ok(Flow::Next);
                }
                's' => {
                    self.set_aside(&card, lane, "suspend", today)?;
                    return Ok(Flow::Next);
                }
                'b' => {
                    self.set_aside(&card, lane, "bury", today)?;
                    return Ok(Flow::Next);
                }
                'f' => {
                    let on = !card.marks.flagged;
                    self.store.set_flagged(card.id, on)?;
                    self.history.push(Step::Marked {
                        card_id: card.id,
                        key: card.key.clone(),
                        before: card.marks,
                        lane,
                        removed: false,
                        what: if on { "flag" } else { "unflag" },
                    });
                    card.marks.flagged = on;
                    self.prompter.status(&if on {
                        format!(
                            "flagged {} (`mastery cards --flagged` lists flags)",
                            card.key
                        )
                    } else {
                        format!("took the flag off {}", card.key)
                    })?;
                }
                'i' => {
                    let reviews = self.store.card_reviews(card.id)?;
                    self.prompter.page(&screen::info(
                        &card,
                        &reviews,
                        self.store.scheduler(),
                        today,
                    ))?;
                }
                '?' => self.prompter.page(screen::HELP)?,
                'e' => match self.edit(&card)? {
                    Edited::Card(edited) => {
                        card = *edited;
                        printed = 0;
                    }
                    Edited::Unchanged => {}
                    Edited::Gone => return Ok(Flow::Next),
                },
                k if revealed => {
                    let Some(grade) = k.to_digit(10).and_then(|d| Grade::new(i64::from(d))) else {
                        continue;
                    };
                    let millis = started.elapsed().as_millis() as i64;
                    if self.grade(card.clone(), lane, grade, millis)? {
                        return Ok(Flow::Next);
                    }
                }
                _ => {}
            }
        }
    }

    /// Records a grade, queues a re-drill below 4, and says what it did;
    /// false when nothing could be written and the card should stay.
    fn grade(&mut self, card: CardRow, lane: Lane, grade: Grade, millis: i64) -> Result<bool> {
        // Each grade carries its own instant and study day: a session that
        // runs past the rollover files later grades under the new day.
        let now = self.clock.now();
        let day = self.clock.day_of(now);
        let logged = match self.store.record(
            &Grading {
                card_id: card.id,
                grade: grade.value(),
                at: &Clock::stamp_of(now),
                day,
                ms: millis,
            },
            &|before| Some(review_of(before, grade, day)),
        ) {
            Err(e @ Error::CardGone) => {
                self.prompter.status(&e.to_string())?;
                return Ok(true);
            }
            // Another process held the write lock past the busy timeout:
            // nothing was written; the card stays for the grade again.
            Err(Error::Sql(e))
                if matches!(
                    e.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
                ) =>
            {
                self.prompter.status(
                    "not saved: the database is busy (another process is writing); grade the card again",
                )?;
                return Ok(false);
            }
            other => other?,
        };
        let Some(Logged {
            review_id,
            kind,
            after,
            due,
            leech,
            ..
        }) = logged
        else {
            return Ok(true);
        };
        let scheduled = kind != ReviewKind::Drill;
        let suspended = leech.is_some_and(|l| l.suspended);
        let requeued = grade.needs_drill() && !suspended;
        if requeued {
            self.pending.push_back((card.id, Lane::Again));
        }
        if scheduled {
            self.summary.reviewed += 1;
            self.summary.passed += usize::from(grade.passed());
        } else {
            self.summary.drills += 1;
        }
        self.summary.millis += millis;
        // Before the acknowledgement: an interruption from now on reports
        // this grade.
        (self.on_grade)(&self.summary);
        let mut note = match due {
            Some(d) if scheduled => format!("saved grade {grade} · next due {}", format_day(d)),
            _ => format!("saved grade {grade} · drill"),
        };
        if leech.is_some() {
            note.push_str(&format!(
                " · leech: {} has lapsed {} times{}; rewrite or split it (`mastery show {}` gives its source)",
                card.key,
                after.lapses,
                if suspended {
                    format!(" and is suspended until `mastery unsuspend {}`", card.key)
                } else {
                    String::new()
                },
                card.key
            ));
        }
        self.prompter.status(&note)?;
        self.history.push(Step::Graded {
            review_id,
            card_id: card.id,
            key: card.key,
            lane,
            requeued,
            scheduled,
            passed: grade.passed(),
            millis,
        });
        Ok(true)
    }

    /// Suspends or buries the card on screen: it leaves the session.
    fn set_aside(
        &mut self,
        card: &CardRow,
        lane: Lane,
        what: &'static str,
        today: Day,
    ) -> Result<()> {
        if what == "suspend" {
            self.store.set_suspended(&[card.id], true)?;
            self.prompter.status(&format!(
                "suspended {} until `mastery unsuspend {}` (u undoes)",
                card.key, card.key
            ))?;
        } else {
            self.store.bury(&[card.id], today)?;
            self.prompter.status(&format!(
                "buried {} until the next study day (u undoes)",
                card.key
            ))?;
        }
        self.summary.set_aside.push((
            card.key.clone(),
            if what == "suspend" {
                "suspended"
            } else {
                "buried"
            },
        ));
        self.history.push(Step::Marked {
            card_id: card.id,
            key: card.key.clone(),
            before: card.marks,
            lane,
            removed: true,
            what,
        });
        Ok(())
    }

    /// Opens the card's source in an editor and says what became of the
    /// card: edited, untouched (the message says why), or gone from the
    /// decks, when it leaves the screen.
    fn edit(&mut self, card: &CardRow) -> Result<Edited> {
        let Some(editor) = self.editor else {
            self.prompter
                .status("e needs a terminal and a decks folder; edit the source file directly")?;
            return Ok(Edited::Unchanged);
        };
        if !self.prompter.interactive() {
            self.prompter
                .status("e opens an editor, which needs a terminal: edit the file directly")?;
            return Ok(Edited::Unchanged);
        }
        let message = editor.edit(self.store, card, self.prompter)?;
        self.prompter.status(&message)?;
        match self.store.card_by_id(card.id)? {
            Some(now) if !now.retired => Ok(Edited::Card(Box::new(now))),
            _ => {
                self.prompter.status(&format!(
                    "{message} · {} is no longer in the decks (its note was removed or its id changed); it leaves this session",
                    card.key
                ))?;
                Ok(Edited::Gone)
            }
        }
    }

    /// Takes back the session's last grade or action and shows its card
    /// again; `current`, the card on screen, goes back to the queue first.
    fn undo(&mut self, current: Option<(i64, Lane)>) -> Result<()> {
        if let Some(c) = current {
            self.pending.push_front(c);
            self.shown -= 1;
        }
        let Some(step) = self.history.pop() else {
            return self
                .prompter
                .status("nothing to undo in this session (use `mastery undo` for an earlier one)");
        };
        match step {
            Step::Graded {
                review_id,
                card_id,
                key,
                lane,
                requeued,
                scheduled,
                passed,
                millis,
            } => {
                match self.store.undo_review(review_id, &self.clock.stamp()) {
                    Ok(_) => {}
                    // Undone or graded again from another terminal: say so
                    // and go on.
                    Err(e @ Error::UndoRefused(_)) => return self.prompter.status(&e.to_string()),
                    Err(e) => return Err(e),
                }
                if requeued
                    && let Some(pos) = self
                        .pending
                        .iter()
                        .rposition(|(c, l)| *c == card_id && *l == Lane::Again)
                {
                    self.pending.remove(pos);
                }
                if scheduled {
                    self.summary.reviewed -= 1;
                    self.summary.passed -= usize::from(passed);
                } else {
                    self.summary.drills -= 1;
                }
                self.summary.millis -= millis;
                self.shown = self.shown.saturating_sub(1);
                self.pending.push_front((card_id, lane));
                (self.on_grade)(&self.summary);
                self.prompter.status(&format!("undone: {key}"))
            }
            Step::Marked {
                card_id,
                key,
                before,
                lane,
                removed,
                what,
            } => {
                let today = self.clock.today();
                self.store.undo_mark(card_id, what, &before, today)?;
                if removed {
                    self.summary.set_aside.retain(|(k, _)| *k != key);
                }
                if removed {
                    self.shown = self.shown.saturating_sub(1);
                    self.pending.push_front((card_id, lane));
                }
                self.prompter.status(&format!("undone: {what} of {key}"))
            }
        }
    }
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
        // The session starts at 03:57; each clock reading is a minute later
        // (one when a card is drawn, one when it is graded), so the study
        // day rolls over (04:00) during the session.
        let start = crate::clock::parse_now("2026-03-03T03:57:00Z").unwrap();
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
                ("2026-03-03T04:01:00.000Z".to_string(), day("2026-03-03")),
                ("2026-03-03T04:03:00.000Z".to_string(), day("2026-03-03")),
            ]
        );
    }
}
