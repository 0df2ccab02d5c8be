//! Self-tests before teaching: draw cards evenly across topics, ask them as
//! flip, multiple-choice or typed questions, record every answer, and
//! report readiness. A quiz never moves the schedule unless asked to.

pub mod distractors;
pub mod matching;
pub mod normalize;
pub mod readiness;
pub mod report;
pub mod teachback;
pub mod worksheet;

use std::collections::BTreeMap;
use std::time::Instant;

use rand::RngExt;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::clock::Clock;
use crate::error::Result;
use crate::prompt::{Prompter, Reply};
use crate::scheduler::{CardState, Grade};
use crate::store::{CardRef, CardRow, Decide, Grading, QuizAnswer, Store};
use matching::{Verdict, check, is_short, mark_difference};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FormatChoice {
    Flip,
    Choice,
    Typed,
    Mixed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Flip,
    Choice,
    Typed,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Flip => "flip",
            Format::Choice => "choice",
            Format::Typed => "typed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Question {
    pub card: CardRow,
    pub format: Format,
    /// For choice questions: four options, one of them `card.back`.
    pub options: Vec<String>,
}

/// Up to `count` cards, taken round-robin from the topics (deck + topic) in
/// shuffled order, so every topic is asked about as evenly as possible.
pub fn draw_evenly(cards: Vec<CardRef>, count: usize, rng: &mut StdRng) -> Vec<CardRef> {
    let mut topics: BTreeMap<(String, String), Vec<CardRef>> = BTreeMap::new();
    for card in cards {
        topics
            .entry((card.deck.clone(), card.topic.clone()))
            .or_default()
            .push(card);
    }
    let mut groups: Vec<Vec<CardRef>> = topics.into_values().collect();
    for group in &mut groups {
        group.shuffle(rng);
    }
    groups.shuffle(rng);
    let mut drawn = Vec::with_capacity(count);
    let mut round = 0;
    while drawn.len() < count {
        let before = drawn.len();
        for group in &groups {
            if drawn.len() == count {
                break;
            }
            if let Some(card) = group.get(round) {
                drawn.push(card.clone());
            }
        }
        if drawn.len() == before {
            break;
        }
        round += 1;
    }
    drawn.shuffle(rng);
    drawn
}

/// Picks each card's format and draws plausible choice options for it. A
/// card with fewer than three plausible distractors is asked another way:
/// typed when its answer is short, flipped otherwise.
pub fn plan(
    store: &Store,
    cards: Vec<CardRef>,
    choice: FormatChoice,
    rng: &mut StdRng,
) -> Result<Vec<Question>> {
    let mut questions = Vec::with_capacity(cards.len());
    for r in cards {
        let Some(card) = store.card_by_id(r.id)? else {
            continue;
        };
        let short = is_short(&card.back);
        let wants = match choice {
            FormatChoice::Flip => Format::Flip,
            FormatChoice::Typed if short => Format::Typed,
            FormatChoice::Typed => Format::Flip,
            FormatChoice::Choice => Format::Choice,
            FormatChoice::Mixed if card.generator.starts_with('c') && short => Format::Typed,
            FormatChoice::Mixed if card.generator == "which" || card.generator == "name" => {
                Format::Choice
            }
            FormatChoice::Mixed if short && rng.random_bool(0.5) => Format::Typed,
            FormatChoice::Mixed if rng.random_bool(0.5) => Format::Choice,
            FormatChoice::Mixed => Format::Flip,
        };
        let mut options = Vec::new();
        let format = if wants == Format::Choice {
            let pool = store.distractor_pool(card.id)?;
            match distractors::choose(&card.front, &card.back, &card.accept, &pool, rng) {
                Some(chosen) => {
                    options = chosen;
                    options.push(card.back.clone());
                    options.shuffle(rng);
                    Format::Choice
                }
                // Never padded with implausible options.
                None if short => Format::Typed,
                None => Format::Flip,
            }
        } else {
            wants
        };
        questions.push(Question {
            card,
            format,
            options,
        });
    }
    Ok(questions)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub card: CardRow,
    pub format: Format,
    /// What the learner answered: the option's text for a choice question.
    pub given: String,
    pub correct: bool,
    /// A near miss the learner counted as right.
    pub overridden: bool,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub answers: Vec<Answered>,
    pub interrupted: bool,
    /// Every drawn question was answered.
    pub complete: bool,
}

/// What the learner answered, before it is recorded.
enum Response {
    Answer {
        given: String,
        stored: String,
        correct: bool,
        overridden: bool,
    },
    Undo,
    Quit,
    Interrupt,
}

/// Asks every question; each answer is committed before the next is shown.
/// `u` takes back the last answer and asks its question again.
pub fn run(
    store: &mut Store,
    clock: &Clock,
    prompter: &mut dyn Prompter,
    quiz_id: i64,
    questions: Vec<Question>,
    reschedule: bool,
    on_answer: &mut dyn FnMut(&[Answered]),
) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    let total = questions.len();
    // The stored answer id of each answer in `outcome.answers`, and the
    // question it answered, for `u`.
    let mut recorded: Vec<(i64, usize)> = Vec::new();
    let mut i = 0;
    while i < total {
        let q = &questions[i];
        // The progress on a line of its own: after a long topic, the
        // terminal's wrapping ran the two together.
        prompter.show(&format!(
            "\n{} › {}\nquestion {}/{total} · {}\n",
            q.card.deck_title,
            q.card.topic,
            i + 1,
            q.format.as_str()
        ))?;
        prompter.show(&q.card.front)?;
        let started = Instant::now();
        let can_undo = !recorded.is_empty();
        let response = match q.format {
            Format::Flip => ask_flip(prompter, q, can_undo)?,
            Format::Choice => ask_choice(prompter, q, can_undo)?,
            Format::Typed => ask_typed(prompter, q, can_undo)?,
        };
        let (given, stored, correct, overridden) = match response {
            Response::Answer {
                given,
                stored,
                correct,
                overridden,
            } => (given, stored, correct, overridden),
            Response::Undo => {
                if let Some((answer_id, index)) = recorded.pop() {
                    store.undo_quiz_answer(answer_id, &clock.stamp())?;
                    let undone = outcome.answers.pop();
                    if let Some(a) = undone {
                        prompter.show(&format!("undone: {}", a.card.key))?;
                    }
                    on_answer(&outcome.answers);
                    i = index;
                } else {
                    prompter.show("nothing to undo yet")?;
                }
                continue;
            }
            Response::Quit => break,
            Response::Interrupt => {
                outcome.interrupted = true;
                break;
            }
        };
        if !correct && let Some(cites) = &q.card.cites {
            prompter.note(&format!("Source: {cites}"))?;
        }
        let ms = started.elapsed().as_millis() as i64;
        // Each answer carries its own instant and study day.
        let now = clock.now();
        let today = clock.day_of(now);
        let at = Clock::stamp_of(now);
        // A quiz pass counts as "correct after hesitation", a miss as
        // "wrong, remembered once seen"; only the day's first answer counts.
        let grade = if correct {
            Grade::HESITANT
        } else {
            Grade::FAMILIAR
        };
        let grading = Grading {
            card_id: q.card.id,
            grade: grade.value(),
            at: &at,
            day: today,
            ms,
        };
        let decide = |before: &CardState| {
            before
                .schedules_on(today)
                .then(|| crate::scheduler::review_of(before, grade, today))
        };
        let answer_id = match store.record_quiz_answer(
            &QuizAnswer {
                quiz_id,
                card_id: q.card.id,
                format: q.format.as_str(),
                answer: &stored,
                correct,
                ms,
                at: &at,
                day: today,
                overridden,
            },
            reschedule.then_some((&grading, &decide as Decide<'_>)),
        ) {
            Err(e @ crate::error::Error::CardGone) => {
                prompter.show(&e.to_string())?;
                i += 1;
                continue;
            }
            other => other?,
        };
        recorded.push((answer_id, i));
        outcome.answers.push(Answered {
            card: q.card.clone(),
            format: q.format,
            given,
            correct,
            overridden,
        });
        // Before the acknowledgement: an interruption from now on reports
        // this answer.
        on_answer(&outcome.answers);
        prompter.show(match (correct, overridden) {
            (true, true) => "saved: counted as right (your override is recorded)",
            (true, false) => "saved: correct",
            _ => "saved: missed",
        })?;
        i += 1;
    }
    outcome.complete = i >= total && !outcome.interrupted;
    Ok(outcome)
}

/// The legend's undo part, when there is an answer to take back.
fn undo_hint(can_undo: bool) -> &'static str {
    if can_undo { " · [u] undo" } else { "" }
}

fn ask_flip(prompter: &mut dyn Prompter, q: &Question, can_undo: bool) -> Result<Response> {
    let keys = if can_undo { "\nu" } else { "\n" };
    match prompter.key(
        &format!("[Enter/Space] reveal{} · [q] quit ", undo_hint(can_undo)),
        keys,
    )? {
        Reply::Quit => return Ok(Response::Quit),
        Reply::Interrupt => return Ok(Response::Interrupt),
        Reply::Key('u') => return Ok(Response::Undo),
        _ => {}
    }
    prompter.show(&format!("―――\n{}\n", q.card.back))?;
    let known = |yes: bool| Response::Answer {
        given: if yes { "knew it" } else { "didn't know it" }.into(),
        stored: if yes { "y" } else { "n" }.into(),
        correct: yes,
        overridden: false,
    };
    Ok(match prompter.key("did you know it? [y/n] ", "yn")? {
        Reply::Key('y') => known(true),
        Reply::Key(_) | Reply::Text(_) => known(false),
        Reply::Quit => Response::Quit,
        Reply::Interrupt => Response::Interrupt,
    })
}

fn ask_choice(prompter: &mut dyn Prompter, q: &Question, can_undo: bool) -> Result<Response> {
    for (i, option) in q.options.iter().enumerate() {
        prompter.show(&format!("  {}) {}", i + 1, option.replace('\n', "\n     ")))?;
    }
    let keys = if can_undo { "1234u" } else { "1234" };
    let reply = prompter.key(
        &format!("answer [1-4]{} · [q] quit ", undo_hint(can_undo)),
        keys,
    )?;
    let picked = match reply {
        Reply::Key('u') => return Ok(Response::Undo),
        Reply::Key(c) => c.to_digit(10).map_or(0, |d| d as usize),
        Reply::Text(_) => 0,
        Reply::Quit => return Ok(Response::Quit),
        Reply::Interrupt => return Ok(Response::Interrupt),
    };
    let right = q
        .options
        .iter()
        .position(|o| *o == q.card.back)
        .map_or(0, |p| p + 1);
    let correct = picked == right;
    if correct {
        prompter.show("right")?;
    } else {
        prompter.show(&format!("wrong: the answer is {right}) {}", q.card.back))?;
    }
    let given = picked
        .checked_sub(1)
        .and_then(|p| q.options.get(p))
        .cloned()
        .unwrap_or_default();
    Ok(Response::Answer {
        given,
        stored: picked.to_string(),
        correct,
        overridden: false,
    })
}

/// Asks `prompt` with a No default; Ctrl-C is passed on.
fn confirm(prompter: &mut dyn Prompter, prompt: &str) -> Result<Option<bool>> {
    Ok(match prompter.key(prompt, "yn\n")? {
        Reply::Key('y') => Some(true),
        Reply::Interrupt => None,
        _ => Some(false),
    })
}

fn ask_typed(prompter: &mut dyn Prompter, q: &Question, can_undo: bool) -> Result<Response> {
    let prompt = if can_undo {
        "your answer (Ctrl-D quits, u undoes):"
    } else {
        "your answer (Ctrl-D quits):"
    };
    let given = match prompter.answer(prompt)? {
        Reply::Text(t) => t,
        Reply::Key(c) => c.to_string(),
        Reply::Quit => return Ok(Response::Quit),
        Reply::Interrupt => return Ok(Response::Interrupt),
    };
    // `q` and `u` may be answers: they act only once confirmed.
    match given.trim() {
        "q" | "Q" => match confirm(prompter, "quit the quiz? [y/N] ")? {
            Some(true) => return Ok(Response::Quit),
            None => return Ok(Response::Interrupt),
            Some(false) => {}
        },
        "u" | "U" if can_undo => match confirm(prompter, "undo the last answer? [y/N] ")? {
            Some(true) => return Ok(Response::Undo),
            None => return Ok(Response::Interrupt),
            Some(false) => {}
        },
        _ => {}
    }
    // The best verdict over the shown answer and its accepted alternatives;
    // the difference is marked against the one that came closest.
    let (verdict, closest) = std::iter::once(&q.card.back)
        .chain(&q.card.accept)
        .map(|expected| (check(&given, expected), expected))
        .min_by_key(|(v, _)| v.rank())
        .unwrap_or((Verdict::Wrong, &q.card.back));
    let mut overridden = false;
    let message = match verdict {
        Verdict::Exact => "right".to_string(),
        Verdict::Typos(n) => format!(
            "right, with {n} typo{}: {}",
            if n == 1 { "" } else { "s" },
            mark_difference(&given, closest)
        ),
        Verdict::NearMiss(_) => {
            prompter.show(&format!(
                "near miss: the answer is {}",
                mark_difference(&given, closest)
            ))?;
            prompter.show(&format!("you typed:             {}", given.trim()))?;
            match confirm(prompter, "count it as right? [y/N] ")? {
                Some(true) => overridden = true,
                None => return Ok(Response::Interrupt),
                Some(false) => {}
            }
            String::new()
        }
        Verdict::Wrong => format!("wrong: the answer is {}", q.card.back),
    };
    if !message.is_empty() {
        prompter.show(&message)?;
    }
    Ok(Response::Answer {
        stored: given.clone(),
        given,
        correct: verdict.correct() || overridden,
        overridden,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::prompt::{ENTER, ScriptedPrompter};
    use rand::SeedableRng;

    const DECK: &str = "+++\nmodule = 1\n+++\n# Files\n## Q: Memory file of Claude Code? {#f1}\nCLAUDE.md\n## Q: Memory file of Codex CLI? {#f2}\nAGENTS.md\n## Q: Project MCP config file? {#f3}\n.mcp.json\n## Q: Codex config file? {#f4}\nconfig.toml\n";

    fn store() -> (tempfile::TempDir, Store, Clock) {
        crate::testing::store_with(DECK)
    }

    fn one(store: &mut Store, key: &str, format: FormatChoice) -> Question {
        let card = store.card_by_key(key).unwrap().unwrap();
        let r = CardRef {
            id: card.id,
            deck: card.deck_key,
            topic: card.topic,
        };
        let mut rng = StdRng::seed_from_u64(1);
        plan(store, vec![r], format, &mut rng).unwrap().remove(0)
    }

    fn ask(
        store: &mut Store,
        clock: &Clock,
        q: Question,
        replies: Vec<Reply>,
        reschedule: bool,
    ) -> (Outcome, ScriptedPrompter) {
        let mut p = ScriptedPrompter::new(replies);
        let id = store
            .start_quiz(&crate::store::NewQuiz {
                scope: &Default::default(),
                seed: 1,
                format: "mixed",
                threshold: 80,
                reschedule,
                at: "2026-03-02T09:00:00Z",
                kind: "quiz",
                planned: 1,
                topic_floor: 60,
            })
            .unwrap();
        let outcome = run(store, clock, &mut p, id, vec![q], reschedule, &mut |_| {}).unwrap();
        (outcome, p)
    }

    #[test]
    fn flip_is_self_graded() {
        let (_d, mut store, clock) = store();
        let q = one(&mut store, "f1", FormatChoice::Flip);
        let (out, p) = ask(
            &mut store,
            &clock,
            q.clone(),
            vec![Reply::Key(ENTER), Reply::Key('y')],
            false,
        );
        assert!(out.answers[0].correct);
        assert!(p.output().contains("CLAUDE.md"));
        let (out, _) = ask(
            &mut store,
            &clock,
            q,
            vec![Reply::Key(ENTER), Reply::Key('n')],
            false,
        );
        assert!(!out.answers[0].correct);
        let history = store.quiz_history(None).unwrap();
        assert_eq!((history[0].asked, history[0].correct), (1, 0));
        assert_eq!((history[1].asked, history[1].correct), (1, 1));
    }

    #[test]
    fn choice_offers_three_sibling_answers_and_checks_the_key() {
        let (_d, mut store, clock) = store();
        let q = one(&mut store, "f2", FormatChoice::Choice);
        assert_eq!(q.format, Format::Choice);
        let mut options = q.options.clone();
        options.sort();
        assert_eq!(
            options,
            [".mcp.json", "AGENTS.md", "CLAUDE.md", "config.toml"]
        );
        let right = q.options.iter().position(|o| o == "AGENTS.md").unwrap();
        let wrong = (right + 1) % 4;
        let key = |i: usize| Reply::Key(char::from(b'1' + i as u8));
        let (out, _) = ask(&mut store, &clock, q.clone(), vec![key(right)], false);
        assert!(out.answers[0].correct);
        let (out, p) = ask(&mut store, &clock, q, vec![key(wrong)], false);
        assert!(!out.answers[0].correct);
        assert!(
            p.output()
                .contains(&format!("wrong: the answer is {}) AGENTS.md", right + 1)),
            "{}",
            p.output()
        );
    }

    #[test]
    fn typed_answers_forgive_small_typos_and_show_near_misses() {
        let (_d, mut store, clock) = store();
        let q = one(&mut store, "f2", FormatChoice::Typed);
        assert_eq!(q.format, Format::Typed);
        let (out, _) = ask(
            &mut store,
            &clock,
            q.clone(),
            vec![Reply::Text(" agents.md ".into())],
            false,
        );
        assert!(out.answers[0].correct);
        let (out, p) = ask(
            &mut store,
            &clock,
            q.clone(),
            vec![Reply::Text("agent.md".into())],
            false,
        );
        assert!(
            out.answers[0].correct,
            "one typo in 9 characters is forgiven"
        );
        assert!(
            p.output().contains("right, with 1 typo: AGENT[S].md"),
            "{}",
            p.output()
        );
        let (out, p) = ask(
            &mut store,
            &clock,
            q,
            vec![Reply::Text("agnt.m".into())],
            false,
        );
        assert!(!out.answers[0].correct);
        assert!(
            p.output()
                .contains("near miss: the answer is AG[E]NT[S].m[d]"),
            "{}",
            p.output()
        );
    }

    #[test]
    fn quitting_keeps_what_was_answered() {
        let (_d, mut store, clock) = store();
        let mut rng = StdRng::seed_from_u64(3);
        let id = store
            .start_quiz(&crate::store::NewQuiz {
                scope: &Default::default(),
                seed: 3,
                format: "flip",
                threshold: 80,
                reschedule: false,
                at: "x",
                kind: "quiz",
                planned: 4,
                topic_floor: 60,
            })
            .unwrap();
        let cards = store.scope_cards(&Default::default()).unwrap();
        let questions = plan(&store, cards, FormatChoice::Flip, &mut rng).unwrap();
        let mut p = ScriptedPrompter::new(vec![
            Reply::Key(ENTER),
            Reply::Key('y'),
            Reply::Key(ENTER),
            Reply::Quit,
        ]);
        let out = run(
            &mut store,
            &clock,
            &mut p,
            id,
            questions,
            false,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(out.answers.len(), 1);
        let h = store.quiz_history(None).unwrap();
        assert_eq!((h[0].asked, h[0].correct), (1, 1));
    }

    #[test]
    fn the_schedule_moves_only_with_reschedule() {
        let (_d, mut store, clock) = store();
        let before = store.card_by_key("f1").unwrap().unwrap().state;
        let q = one(&mut store, "f1", FormatChoice::Flip);
        ask(
            &mut store,
            &clock,
            q.clone(),
            vec![Reply::Key(ENTER), Reply::Key('y')],
            false,
        );
        assert_eq!(store.card_by_key("f1").unwrap().unwrap().state, before);
        ask(
            &mut store,
            &clock,
            q,
            vec![Reply::Key(ENTER), Reply::Key('y')],
            true,
        );
        let after = store.card_by_key("f1").unwrap().unwrap().state;
        assert_eq!((after.reps, after.interval, after.ease), (1, 1, 250));
    }

    #[test]
    fn undo_takes_back_the_answer_and_its_review() {
        let (_d, mut store, clock) = store();
        let before = store.card_by_key("f1").unwrap().unwrap().state;
        let questions = vec![
            one(&mut store, "f1", FormatChoice::Flip),
            one(&mut store, "f2", FormatChoice::Flip),
        ];
        let id = store
            .start_quiz(&crate::store::NewQuiz {
                scope: &Default::default(),
                seed: 1,
                format: "flip",
                threshold: 80,
                reschedule: true,
                at: "2026-03-02T09:00:00Z",
                kind: "quiz",
                planned: 2,
                topic_floor: 60,
            })
            .unwrap();
        let mut p = ScriptedPrompter::new(vec![
            Reply::Key(ENTER),
            Reply::Key('y'),
            // At the second question: take the first answer back.
            Reply::Key('u'),
            Reply::Key(ENTER),
            Reply::Key('n'),
            Reply::Key(ENTER),
            Reply::Key('y'),
        ]);
        let out = run(&mut store, &clock, &mut p, id, questions, true, &mut |_| {}).unwrap();
        assert!(out.complete);
        assert!(p.output().contains("undone: f1"), "{}", p.output());
        let given: Vec<(&str, bool)> = out
            .answers
            .iter()
            .map(|a| (a.card.key.as_str(), a.correct))
            .collect();
        assert_eq!(given, [("f1", false), ("f2", true)]);
        // f1's review of the taken-back "y" is undone: its state is the one
        // a first answer "n" gives from the state before the quiz.
        let after = store.card_by_key("f1").unwrap().unwrap().state;
        let expected = crate::scheduler::review_of(&before, Grade::FAMILIAR, clock.today()).1;
        assert_eq!(after, expected);
        let h = store.quiz_history(None).unwrap();
        assert_eq!((h[0].asked, h[0].correct), (2, 1));
    }

    #[test]
    fn mixed_picks_a_fitting_format_per_card() {
        let deck = "## Cloze: Exit {#z}\nExit code {{2}} blocks.\n\
            ## Concept: Alpha {#a1}\nThe first letter of a long alphabet used in many places.\n\
            ## Concept: Beta {#b1}\nThe second letter of a long alphabet used in many places.\n\
            ## Concept: Gamma {#g1}\nThe third letter of a long alphabet used in many places.\n\
            ## Concept: Delta {#d1}\nThe fourth letter of a long alphabet used in many places.\n";
        let (_d, store, _) = crate::testing::store_with(deck);
        let format_of = |key: &str| {
            let c = store.card_by_key(key).unwrap().unwrap();
            let r = CardRef {
                id: c.id,
                deck: c.deck_key,
                topic: c.topic,
            };
            plan(
                &store,
                vec![r],
                FormatChoice::Mixed,
                &mut StdRng::seed_from_u64(2),
            )
            .unwrap()[0]
                .format
        };
        assert_eq!(
            format_of("z/c-2"),
            Format::Typed,
            "a cloze deletion is typed"
        );
        assert_eq!(
            format_of("a1/name"),
            Format::Choice,
            "a term is picked from four"
        );
        let long = format_of("a1/define");
        assert!(
            matches!(long, Format::Choice | Format::Flip),
            "a long answer is never typed"
        );
    }

    #[test]
    fn draws_spread_evenly_across_topics() {
        let row = |deck: &str, topic: &str, i: i64| CardRef {
            id: i,
            deck: deck.into(),
            topic: topic.into(),
        };
        let mut cards = Vec::new();
        for i in 0..10 {
            cards.push(row("a", "big", i));
        }
        cards.push(row("a", "small", 10));
        cards.push(row("b", "big", 11));
        let mut rng = StdRng::seed_from_u64(9);
        let drawn = draw_evenly(cards, 4, &mut rng);
        let count = |t: &str, d: &str| drawn.iter().filter(|c| c.topic == t && c.deck == d).count();
        assert_eq!(
            (count("big", "a"), count("small", "a"), count("big", "b")),
            (2, 1, 1)
        );
    }
}
