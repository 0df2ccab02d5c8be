//! `mastery optimize`, `mastery eval` and `mastery export revlog`.

use std::io::IsTerminal;
use std::path::Path;

use super::{json, out};
use crate::app::App;
use crate::error::{Error, Result};
use crate::fsrs::eval::{Predictor, histories, metrics, score};
use crate::fsrs::optimize::{self, FitError};
use crate::fsrs::{Model, Scheduler, compare, rating, revlog};
use crate::store::LogEntry;

/// The largest revlog CSV `eval` reads: about 3M reviews.
const MAX_REVLOG_BYTES: u64 = 256 << 20;

/// A progress line on stderr while the optimizer trains, when stderr is a
/// terminal; nothing when it is piped.
fn progress_line() -> impl FnMut(usize, usize) {
    let shown = std::io::stderr().is_terminal();
    let mut last = usize::MAX;
    move |done, total| {
        if !shown || total == 0 {
            return;
        }
        let percent = 100 * done.min(total) / total;
        if percent != last {
            last = percent;
            eprint!("\rfitting FSRS parameters: {percent:>3} %");
            if done >= total {
                eprintln!();
            }
        }
    }
}

#[derive(serde::Serialize)]
struct Optimized {
    reviews: usize,
    cards: usize,
    parameters: Vec<f32>,
    log_loss_before: f64,
    log_loss_after: f64,
    saved: bool,
}

pub fn optimize(app: &App, save: bool, as_json: bool) -> Result<()> {
    let (mut store, _) = app.open()?;
    let (h, _) = histories(store.log_for_eval()?);
    let items = optimize::items(&h, None);
    let count = items.len();
    let fitted = optimize::fit(items, &mut progress_line()).map_err(|e| match e {
        FitError::TooFew(..) => Error::Usage(format!("{e}; keep reviewing and run it again")),
        other => Error::Usage(other.to_string()),
    })?;
    let current = match store.scheduler() {
        Scheduler::Fsrs(m) => m.clone(),
        Scheduler::Sm2 => {
            let saved = store.saved_parameters()?;
            Model::new(
                &saved.unwrap_or_else(|| crate::fsrs::DEFAULT_PARAMETERS.to_vec()),
                crate::fsrs::DEFAULT_RETENTION,
            )
            .unwrap_or_else(|_| Model::default_model())
        }
    };
    let model = Model::new(&fitted, current.retention())
        .map_err(|why| Error::Usage(format!("the optimizer's parameters were refused: {why}")))?;
    // In-sample: how much better the fitted curve matches this very log.
    let scored = score(
        &h,
        &[Predictor::Fsrs(current), Predictor::Fsrs(model.clone())],
    );
    let y: Vec<bool> = scored.iter().map(|s| s.recalled).collect();
    let bins: Vec<_> = scored.iter().map(|s| s.bin).collect();
    let loss = |k: usize| {
        let p: Vec<f64> = scored.iter().map(|s| s.p[k]).collect();
        metrics(&p, &y, &bins).map_or(f64::NAN, |m| m.log_loss)
    };
    let (before, after) = (loss(0), loss(1));
    if save {
        store.save_parameters(&fitted)?;
        if app.settings.fsrs_parameters.value.is_none()
            && let Scheduler::Fsrs(_) = store.scheduler()
        {
            let sched = app.settings.scheduler(Some(fitted.clone()))?;
            if let Some(switch) = store.set_scheduler(sched)? {
                eprintln!(
                    "note: due days replayed with the fitted parameters: {} of {} reviewed cards moved",
                    switch.moved, switch.cards
                );
            }
        }
    }
    if as_json {
        return json(&Optimized {
            reviews: count,
            cards: h.len(),
            parameters: fitted,
            log_loss_before: before,
            log_loss_after: after,
            saved: save,
        });
    }
    let w: Vec<String> = fitted.iter().map(|v| format!("{v:.4}")).collect();
    let mut text = format!(
        "Fitted FSRS-6 to {count} reviews of {} cards.\n\nfsrs_parameters = [{}]\n\nlog loss on your log: {before:.4} with the current parameters, {after:.4} fitted (lower is better)\n",
        h.len(),
        w.join(", ")
    );
    if save {
        text.push_str(if app.settings.fsrs_parameters.value.is_some() {
            "saved in the database; config.toml's fsrs_parameters still take precedence: remove them to use these\n"
        } else {
            "saved in the database: FSRS uses them from now on (`scheduler = \"fsrs\"` in config.toml)\n"
        });
    } else {
        text.push_str(
            "not saved: run `mastery optimize --save`, or copy the line above into config.toml\n",
        );
    }
    out(&text)
}

pub fn eval(
    app: &App,
    revlog_path: Option<&Path>,
    zone: &str,
    fit: bool,
    as_json: bool,
) -> Result<()> {
    let (reviews, source) = match revlog_path {
        Some(path) => {
            let rule = revlog::DayRule {
                zone: revlog::parse_zone(zone).map_err(Error::Usage)?,
                rollover_hour: app.settings.rollover_hour.value,
            };
            let text = crate::files::read_input(path, MAX_REVLOG_BYTES)?;
            let shown = path.display().to_string();
            let log = revlog::parse(&shown, &text, rule)?;
            (log.reviews, shown)
        }
        None => {
            let (store, _) = app.open()?;
            (store.log_for_eval()?, "your review log".to_string())
        }
    };
    let (h, dropped) = histories(reviews);
    let table = compare::compare(&h, dropped, fit, &mut progress_line());
    if as_json {
        return json(&table);
    }
    out(&compare::render(&table, &crate::render::sanitize(&source)))
}

/// The FSRS optimizer's CSV: card_id, review_time (epoch ms),
/// review_rating (1–4), review_state (0 new, 1 learning, 2 review, 3
/// relearning), review_duration (ms).
pub fn export_revlog(app: &App, to: Option<&Path>, scope: &crate::cli::ExportScope) -> Result<()> {
    let (store, _) = app.open()?;
    // Every card unless narrowed: the optimizer wants the whole log.
    let cards: Option<std::collections::HashSet<i64>> =
        if scope.query.is_some() || scope.module.is_some() || scope.deck.is_some() {
            Some(
                super::anki::scoped_cards(app, &store, scope)?
                    .iter()
                    .map(|c| c.id)
                    .collect(),
            )
        } else {
            None
        };
    let mut text = String::from("card_id,review_time,review_rating,review_state,review_duration\n");
    store.each_log_entry(|e| {
        if cards.as_ref().is_none_or(|c| c.contains(&e.card_id)) {
            text.push_str(&csv_row(&e));
        }
        Ok(())
    })?;
    match to {
        Some(path) => {
            crate::files::write_file(path, &text)?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        None => out(&text),
    }
}

fn csv_row(e: &LogEntry) -> String {
    let time = chrono::DateTime::parse_from_rfc3339(&e.at).map_or(0, |t| t.timestamp_millis());
    let grade = crate::scheduler::Grade::new(i64::from(e.grade))
        .unwrap_or(crate::scheduler::Grade::HESITANT);
    let state = match e.kind.as_str() {
        "new" => 0,
        "review" => 2,
        // A re-drill on the day the card was first seen is still learning;
        // later, it follows a lapse or a hard recall: relearning.
        _ if e.day == e.first_day => 1,
        _ => 3,
    };
    format!(
        "{},{time},{},{state},{}\n",
        e.card_id,
        rating(grade),
        e.ms.max(0)
    )
}
