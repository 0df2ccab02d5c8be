use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;

use super::{json, out};
use crate::app::App;
use crate::cli::{QuizAction, QuizArgs, QuizCommand};
use crate::clock::format_day;
use crate::error::{Error, Result};
use crate::quiz::{self, report};
use crate::store::{NewQuiz, QuizScope, QuizSummary};

pub fn run(app: &App, cmd: QuizCommand) -> Result<()> {
    match cmd.action {
        Some(QuizAction::History { module, json }) => history(app, module, json),
        None => quiz(app, &cmd.args),
    }
}

fn quiz(app: &App, args: &QuizArgs) -> Result<()> {
    let (mut store, _) = app.open()?;
    let scope = QuizScope {
        modules: args.module.clone(),
        decks: args.deck.clone(),
        topics: args.topic.clone(),
        categories: args.category.clone(),
        cards: args.card.clone(),
    };
    for id in &scope.cards {
        if !store.card_or_note_exists(id)? {
            return Err(Error::UnknownCard(id.clone()));
        }
    }
    super::known_decks(&store.decks()?, &scope.decks)?;
    let cards = store.scope_cards(&scope)?;
    if cards.is_empty() {
        return Err(Error::Usage(
            "no cards match this quiz scope: widen it or check the ids with `mastery cards`".into(),
        ));
    }
    let seed = args.seed.unwrap_or_else(rand::random);
    let mut rng = StdRng::seed_from_u64(seed);
    let drawn = quiz::draw_evenly(cards, args.count as usize, &mut rng);
    let questions = quiz::plan(&store, drawn, args.format, &mut rng)?;
    let format = serde_json::to_value(args.format)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let quiz_id = store.start_quiz(&NewQuiz {
        scope: &scope,
        seed,
        format: &format,
        threshold: args.threshold,
        reschedule: args.reschedule,
        at: &app.clock.stamp(),
    })?;
    let mut prompter = crate::prompt::for_stdio(args.json);
    prompter.show(&format!(
        "quiz {quiz_id}: {} questions, seed {seed}",
        questions.len()
    ))?;
    let outcome = quiz::run(
        &mut store,
        &app.clock,
        prompter.as_mut(),
        quiz_id,
        questions,
        args.reschedule,
        &mut |answers| {
            let so_far = report::build(quiz_id, answers, args.threshold);
            crate::interrupt::farewell(Some(report::render(&so_far)), args.json);
        },
    )?;

    store.finish_quiz(quiz_id, &app.clock.stamp())?;
    let report = report::build(quiz_id, &outcome.answers, args.threshold);
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

#[derive(Serialize)]
struct HistoryRow {
    #[serde(flatten)]
    quiz: QuizSummary,
    /// The study day it was taken on (local, after the rollover hour).
    day: Option<String>,
    score: u32,
    ready: bool,
}

fn history(app: &App, module: Option<u8>, as_json: bool) -> Result<()> {
    let (store, _) = app.open()?;
    let rows: Vec<HistoryRow> = store
        .quiz_history(module)?
        .into_iter()
        .map(|q| {
            let score = (100 * q.correct).checked_div(q.asked).unwrap_or(0) as u32;
            let day = q.day.or_else(|| app.clock.day_of_stamp(&q.started_at));
            HistoryRow {
                day: day.map(format_day),
                ready: q.asked > 0 && score >= q.threshold,
                score,
                quiz: q,
            }
        })
        .collect();
    if as_json {
        return json(&rows);
    }
    if rows.is_empty() {
        return out("no quizzes yet: try `mastery quiz --module 1`\n");
    }
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
            if r.ready { "ready" } else { "not yet" }.to_string(),
            r.quiz.seed.to_string(),
            scope_text(&r.quiz.scope),
        ]);
    }
    out(&format!("{table}\n"))
}

/// `module 4, deck patterns/quality` from the stored scope object.
fn scope_text(scope: &serde_json::Value) -> String {
    let mut parts = Vec::new();
    if let Some(obj) = scope.as_object() {
        for (key, values) in obj {
            for v in values.as_array().into_iter().flatten() {
                let name = key.trim_end_matches('s').replace("categorie", "category");
                parts.push(format!(
                    "{name} {}",
                    v.as_str().map_or_else(|| v.to_string(), str::to_string)
                ));
            }
        }
    }
    if parts.is_empty() {
        "all decks".to_string()
    } else {
        parts.join(", ")
    }
}
