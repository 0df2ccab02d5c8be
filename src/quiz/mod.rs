//! Self-tests before teaching: draw cards evenly across topics, ask them as
//! flip, multiple-choice or typed questions, record every answer, and
//! report readiness. A quiz never moves the schedule unless asked to.

pub mod matching;
pub mod report;

use std::collections::BTreeMap;
use std::time::Instant;

use rand::RngExt;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::clock::Clock;
use crate::error::Result;
use crate::prompt::{ENTER, Prompter, Reply};
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

/// Picks each card's format and builds choice options from its siblings.
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
            let mut siblings = store.sibling_backs(card.id)?;
            siblings.shuffle(rng);
            siblings.truncate(3);
            if siblings.len() == 3 {
                options = siblings;
                options.push(card.back.clone());
                options.shuffle(rng);
                Format::Choice
            } else {
                // Too few siblings for four options: ask it as a flip card.
                Format::Flip
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
    pub given: String,
    pub correct: bool,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub answers: Vec<Answered>,
    pub interrupted: bool,
}

/// What the learner answered, before it is checked.
enum Response {
    Answer(String, bool),
    Quit,
    Interrupt,
}

/// Asks every question; each answer is committed before the next is shown.
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
    for (i, q) in questions.into_iter().enumerate() {
        prompter.show(&format!(
            "\n{} › {}    question {}/{total} · {}\n",
            q.card.deck_title,
            q.card.topic,
            i + 1,
            q.format.as_str()
        ))?;
        prompter.show(&q.card.front)?;
        let started = Instant::now();
        let response = match q.format {
            Format::Flip => ask_flip(prompter, &q)?,
            Format::Choice => ask_choice(prompter, &q)?,
            Format::Typed => ask_typed(prompter, &q)?,
        };
        let (given, correct) = match response {
            Response::Answer(given, correct) => (given, correct),
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
        match store.record_quiz_answer(
            &QuizAnswer {
                quiz_id,
                card_id: q.card.id,
                format: q.format.as_str(),
                answer: &given,
                correct,
                ms,
                at: &at,
                day: today,
            },
            reschedule.then_some((&grading, &decide as Decide<'_>)),
        ) {
            Err(e @ crate::error::Error::CardGone) => {
                prompter.show(&e.to_string())?;
                continue;
            }
            other => other?,
        }
        outcome.answers.push(Answered {
            card: q.card,
            format: q.format,
            given,
            correct,
        });
        // Before the acknowledgement: an interruption from now on reports
        // this answer.
        on_answer(&outcome.answers);
        prompter.show(if correct {
            "saved: correct"
        } else {
            "saved: missed"
        })?;
    }
    Ok(outcome)
}

fn ask_flip(prompter: &mut dyn Prompter, q: &Question) -> Result<Response> {
    match prompter.key("[Enter/Space] reveal · [q] quit ", &ENTER.to_string())? {
        Reply::Quit => return Ok(Response::Quit),
        Reply::Interrupt => return Ok(Response::Interrupt),
        _ => {}
    }
    prompter.show(&format!("―――\n{}\n", q.card.back))?;
    Ok(match prompter.key("did you know it? [y/n] ", "yn")? {
        Reply::Key('y') => Response::Answer("y".into(), true),
        Reply::Key(_) | Reply::Text(_) => Response::Answer("n".into(), false),
        Reply::Quit => Response::Quit,
        Reply::Interrupt => Response::Interrupt,
    })
}

fn ask_choice(prompter: &mut dyn Prompter, q: &Question) -> Result<Response> {
    for (i, option) in q.options.iter().enumerate() {
        prompter.show(&format!("  {}) {}", i + 1, option.replace('\n', "\n     ")))?;
    }
    let reply = prompter.key("answer [1-4] · [q] quit ", "1234")?;
    let picked = match reply {
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
    Ok(Response::Answer(picked.to_string(), correct))
}

fn ask_typed(prompter: &mut dyn Prompter, q: &Question) -> Result<Response> {
    let given = match prompter.line("your answer (q to quit):")? {
        Reply::Text(t) => t,
        Reply::Key(c) => c.to_string(),
        Reply::Quit => return Ok(Response::Quit),
        Reply::Interrupt => return Ok(Response::Interrupt),
    };
    let verdict = check(&given, &q.card.back);
    let message = match verdict {
        Verdict::Exact => "right".to_string(),
        Verdict::Typos(n) => format!(
            "right, with {n} typo{}: {}",
            if n == 1 { "" } else { "s" },
            mark_difference(&given, &q.card.back)
        ),
        Verdict::NearMiss(_) => format!(
            "near miss: the answer is {}",
            mark_difference(&given, &q.card.back)
        ),
        Verdict::Wrong => format!("wrong: the answer is {}", q.card.back),
    };
    prompter.show(&message)?;
    Ok(Response::Answer(given, verdict.correct()))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::prompt::ScriptedPrompter;
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
