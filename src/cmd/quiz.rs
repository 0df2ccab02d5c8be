use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;

use super::{json, out};
use crate::app::App;
use crate::cli::{QuizAction, QuizArgs, QuizCommand, SheetFormat};
use crate::clock::format_day;
use crate::error::{Error, Result};
use crate::quiz::{self, FormatChoice, report, teachback, worksheet};
use crate::store::{CardRef, NewQuiz, QuizScope, QuizSummary, Store};

pub fn run(app: &App, cmd: QuizCommand) -> Result<()> {
    match cmd.action {
        Some(QuizAction::History { module, json }) => history(app, module, json),
        None => quiz(app, &cmd.args),
    }
}

fn scope_of(args: &QuizArgs) -> QuizScope {
    QuizScope {
        modules: args.module.clone(),
        decks: args.deck.clone(),
        topics: args.topic.clone(),
        categories: args.category.clone(),
        cards: args.card.clone(),
        query: args.query.clone(),
    }
}

/// The active cards of a checked scope: unknown ids and decks are errors,
/// an empty scope is a usage error.
fn scope_cards(store: &Store, scope: &QuizScope, today: i64) -> Result<Vec<CardRef>> {
    for id in &scope.cards {
        if !store.card_or_note_exists(id)? {
            return Err(Error::UnknownCard(id.clone()));
        }
    }
    super::known_decks(&store.decks()?, &scope.decks)?;
    let mut cards = store.scope_cards(scope)?;
    if let Some(q) = &scope.query {
        let query = crate::search::parse(q)?;
        let ids: std::collections::HashSet<i64> = store
            .search_ids(&query, today, crate::store::SortBy::Curriculum)?
            .into_iter()
            .collect();
        cards.retain(|c| ids.contains(&c.id));
    }
    if cards.is_empty() {
        return Err(Error::Usage(
            "no cards match this quiz scope: widen it or check the ids with `mastery cards`".into(),
        ));
    }
    Ok(cards)
}

/// Questions to ask: `--count`, else every card when the scope is only
/// `--card` flags (so a re-ask of the misses asks them all), else 20.
fn question_count(args: &QuizArgs, scope: &QuizScope, cards: usize) -> usize {
    if let Some(n) = args.count {
        return n as usize;
    }
    let only_cards = !scope.cards.is_empty()
        && scope.modules.is_empty()
        && scope.decks.is_empty()
        && scope.topics.is_empty()
        && scope.categories.is_empty()
        && scope.query.is_none();
    if only_cards { cards } else { DEFAULT_COUNT }
}

const DEFAULT_COUNT: usize = 20;

fn format_name(format: FormatChoice) -> String {
    serde_json::to_value(format)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn quiz(app: &App, args: &QuizArgs) -> Result<()> {
    if args.teach_back {
        return teach_back(app, args);
    }
    let (mut store, _) = app.open()?;
    let mut scope = scope_of(args);
    if args.weak {
        // Only the weak cards the query matches, so the quiz names no other.
        let weak = super::weak::weak_cards(app, &store, None, None, args.query.as_deref())?;
        if weak.is_empty() {
            return Err(Error::Usage(
                "nothing is weak right now, so `quiz --weak` has nothing to ask: drop --weak for a quiz over everything".into(),
            ));
        }
        scope.cards = weak.into_iter().map(|w| w.card.key).collect();
    }
    let cards = scope_cards(&store, &scope, app.clock.today())?;
    let count = if args.weak && args.count.is_none() {
        cards.len()
    } else {
        question_count(args, &scope, cards.len())
    };
    let seed = args.seed.unwrap_or_else(rand::random);
    let mut rng = StdRng::seed_from_u64(seed);
    let drawn = quiz::draw_evenly(cards, count, &mut rng);
    let questions = quiz::plan(&store, drawn, args.format, &mut rng)?;
    let format = format_name(args.format);
    if let Some(print) = args.print {
        // One draw and one plan: the sheet is the quiz this seed asks.
        let scope_name = scope_words(&scope, usize::MAX);
        let sheet = worksheet::build(
            &questions,
            seed,
            &format,
            &scope_name,
            args.answers,
            crate::read::Links::of(&app.source),
        );
        return match print {
            SheetFormat::Json => json(&sheet),
            SheetFormat::Md => out(&worksheet::markdown(&sheet)),
        };
    }
    let started_at = app.clock.stamp();
    let quiz_id = store.start_quiz(&NewQuiz {
        scope: &scope,
        seed,
        format: &format,
        threshold: args.threshold,
        reschedule: args.reschedule,
        at: &started_at,
        kind: "quiz",
        planned: questions.len(),
        topic_floor: args.topic_floor,
    })?;
    let mut prompter = crate::prompt::for_stdio(args.json);
    prompter.show(&format!(
        "quiz {quiz_id}: {} questions, seed {seed}",
        questions.len()
    ))?;
    if args.format == FormatChoice::Typed {
        let untyped = questions
            .iter()
            .filter(|q| q.format != quiz::Format::Typed)
            .count();
        if untyped > 0 {
            prompter.show(&format!(
                "{untyped} of the {} questions can't be typed (their answers are longer than five words or span lines): they are asked as flip cards",
                questions.len()
            ))?;
        }
    }
    let planned = questions.len();
    let meta = |complete: bool, ended_at: Option<String>| report::Meta {
        quiz: quiz_id,
        seed,
        format: format.clone(),
        threshold: args.threshold,
        topic_floor: args.topic_floor,
        planned,
        complete,
        started_at: started_at.clone(),
        ended_at,
        links: crate::read::Links::of(&app.source),
    };
    let outcome = quiz::run(
        &mut store,
        &app.clock,
        prompter.as_mut(),
        quiz_id,
        questions,
        args.reschedule,
        &mut |answers| {
            let so_far = report::build(&meta(false, None), answers);
            crate::interrupt::farewell(Some(report::render(&so_far)), args.json);
        },
    )?;

    let ended_at = app.clock.stamp();
    store.finish_quiz(quiz_id, &ended_at, outcome.complete)?;
    let report = report::build(&meta(outcome.complete, Some(ended_at)), &outcome.answers);
    crate::interrupt::finish(|| {
        if args.json {
            json(&report)
        } else {
            prompter.show(&report::render(&report))
        }
    })?;
    if outcome.interrupted {
        return Err(Error::Interrupted);
    }
    Ok(())
}

/// `--teach-back`: every topic in scope, explained then ticked.
fn teach_back(app: &App, args: &QuizArgs) -> Result<()> {
    let (mut store, _) = app.open()?;
    let scope = scope_of(args);
    let refs = scope_cards(&store, &scope, app.clock.today())?;
    let mut rows = Vec::with_capacity(refs.len());
    for r in refs {
        if let Some(card) = store.card_by_id(r.id)? {
            rows.push(card);
        }
    }
    let topics = teachback::topics(rows);
    let started_at = app.clock.stamp();
    let quiz_id = store.start_quiz(&NewQuiz {
        scope: &scope,
        seed: 0,
        format: "teach-back",
        threshold: args.threshold,
        reschedule: false,
        at: &started_at,
        kind: "teach-back",
        planned: topics.len(),
        topic_floor: args.topic_floor,
    })?;
    let mut prompter = crate::prompt::for_stdio(args.json);
    prompter.show(&format!(
        "teach-back {quiz_id}: {} topic{}; nothing here moves the schedule",
        topics.len(),
        if topics.len() == 1 { "" } else { "s" }
    ))?;
    let planned = topics.len();
    let outcome = teachback::run(
        &mut store,
        &app.clock,
        prompter.as_mut(),
        quiz_id,
        &topics,
        crate::read::Links::of(&app.source),
        &mut |covered| {
            let so_far = teachback::Outcome {
                topics: covered.to_vec(),
                ..Default::default()
            };
            let r = teachback::report(quiz_id, planned, &so_far, &started_at, None);
            crate::interrupt::farewell(Some(teachback::render(&r)), args.json);
        },
    )?;
    let ended_at = app.clock.stamp();
    store.finish_quiz(quiz_id, &ended_at, outcome.complete)?;
    let report = teachback::report(quiz_id, planned, &outcome, &started_at, Some(ended_at));
    crate::interrupt::finish(|| {
        if args.json {
            json(&report)
        } else {
            prompter.show(&teachback::render(&report))
        }
    })?;
    if outcome.interrupted {
        return Err(Error::Interrupted);
    }
    Ok(())
}

#[derive(Serialize)]
struct HistoryRow {
    #[serde(flatten)]
    quiz: QuizSummary,
    /// The study day it was taken on (local, after the rollover hour).
    day: Option<String>,
    score: u32,
    ready: bool,
    /// `ready`, `not yet`, `incomplete` or, for a teach-back, `teach-back`.
    verdict: String,
}

fn history(app: &App, module: Option<u8>, as_json: bool) -> Result<()> {
    let (store, _) = app.open()?;
    let mut rows: Vec<HistoryRow> = Vec::new();
    for q in store.quiz_history(module)? {
        let score = (100 * q.correct).checked_div(q.asked).unwrap_or(0) as u32;
        let day = q.day.or_else(|| app.clock.day_of_stamp(&q.started_at));
        let topics = store.quiz_topic_scores(q.id, module)?;
        let ready = q.kind == "quiz"
            && quiz::readiness::judge(&quiz::readiness::Inputs {
                asked: q.asked as usize,
                correct: q.correct as usize,
                planned: q.asked as usize,
                complete: q.complete,
                threshold: q.threshold,
                topic_floor: q.topic_floor,
                topics: &topics,
            })
            .ready;
        let verdict = if q.kind != "quiz" {
            q.kind.clone()
        } else if !q.complete {
            "incomplete".to_string()
        } else if ready {
            "ready".to_string()
        } else {
            "not yet".to_string()
        };
        rows.push(HistoryRow {
            day: day.map(format_day),
            ready,
            score,
            verdict,
            quiz: q,
        });
    }
    if as_json {
        return json(&rows);
    }
    if rows.is_empty() {
        return out("no quizzes yet: try `mastery quiz --module 1`\n");
    }
    // The scope is the last column and gives way: the rest is at most
    // about 60 columns wide.
    let width = dialoguer::console::Term::stdout()
        .size_checked()
        .map_or(100, |(_, w)| w as usize);
    let scope_width = width.saturating_sub(62).max(16);
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::NOTHING);
    table.set_header([
        "quiz", "day", "score", "correct", "verdict", "seed", "scope",
    ]);
    for r in &rows {
        table.add_row([
            r.quiz.id.to_string(),
            r.day.clone().unwrap_or_default(),
            format!("{}%", r.score),
            format!("{}/{}", r.quiz.correct, r.quiz.asked),
            r.verdict.clone(),
            if r.quiz.kind == "quiz" {
                r.quiz.seed.to_string()
            } else {
                "—".to_string()
            },
            scope_words(&scope_of_json(&r.quiz.scope), scope_width),
        ]);
    }
    out(&format!("{table}\n"))
}

/// The stored scope object back as a scope.
fn scope_of_json(scope: &serde_json::Value) -> QuizScope {
    let strings = |key: &str| -> Vec<String> {
        scope
            .get(key)
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect()
    };
    QuizScope {
        modules: scope
            .get("modules")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_u64().and_then(|m| u8::try_from(m).ok()))
            .collect(),
        decks: strings("decks"),
        topics: strings("topics"),
        categories: strings("categories"),
        cards: strings("cards"),
        query: scope
            .get("query")
            .and_then(|v| v.as_str())
            .map(str::to_string),
    }
}

/// `module 4, deck patterns/quality`; a list too long for `width`
/// characters is counted instead ("52 cards"), and what is still too long
/// is cut with an ellipsis.
fn scope_words(scope: &QuizScope, width: usize) -> String {
    let modules: Vec<String> = scope.modules.iter().map(|m| m.to_string()).collect();
    let groups: [(&str, &str, &[String]); 5] = [
        ("module", "modules", &modules),
        ("deck", "decks", &scope.decks),
        ("topic", "topics", &scope.topics),
        ("category", "categories", &scope.categories),
        ("card", "cards", &scope.cards),
    ];
    let spelled = |counted: bool| -> String {
        let mut parts = Vec::new();
        for (one, many, values) in &groups {
            if counted && values.len() > 1 {
                parts.push(format!("{} {many}", values.len()));
            } else {
                parts.extend(values.iter().map(|v| format!("{one} {v}")));
            }
        }
        if let Some(q) = &scope.query {
            parts.push(format!("query '{q}'"));
        }
        if parts.is_empty() {
            "all decks".to_string()
        } else {
            parts.join(", ")
        }
    };
    let full = spelled(false);
    if full.chars().count() <= width {
        return full;
    }
    let counted = spelled(true);
    if counted.chars().count() <= width {
        return counted;
    }
    let cut: String = counted.chars().take(width.saturating_sub(1)).collect();
    format!("{cut}…")
}
