use crate::app::App;
use crate::cli::ReviewArgs;
use crate::clock::format_day;
use crate::error::{Error, Result};
use crate::review::{self, ReviewOptions, Summary};
use crate::store::Store;

pub fn run(app: &App, args: &ReviewArgs) -> Result<()> {
    let (mut store, _) = app.open()?;
    let mut settings = app.settings.clone();
    settings.new_per_day.set_by_flag(args.new, "--new");
    let decks = scope(&store, args.module, args.deck.as_deref())?;
    let opts = ReviewOptions {
        new_per_day: settings.new_per_day.value,
        limit: args.limit.map(|l| l as usize),
        ignore_prerequisites: args.all_new || decks.is_some(),
        decks,
        prerequisite_share: settings.prerequisite_share.value,
    };
    let today = app.clock.today();
    let mut left_out = Vec::new();
    let queue = if args.weak {
        super::known_decks(&store.decks()?, &args.deck)?;
        let weak = super::weak::weak_cards(app, &store, args.module, args.deck.as_deref())?;
        if weak.is_empty() {
            return crate::prompt::for_review().show(
                "Nothing is weak right now, so there is nothing to re-study: `mastery review` has today's drill.",
            );
        }
        weak_queue(weak, opts.limit, &mut left_out)
    } else {
        review::build_queue(&store, today, &opts)?
    };
    let mut prompter = crate::prompt::for_review();
    let editor = review::DeckEditor {
        source: app.source.clone(),
    };
    let summary = review::run_with(
        &mut store,
        &app.clock,
        prompter.as_mut(),
        queue,
        Some(&editor),
        &mut |s| crate::interrupt::farewell(Some(session_line(s)), false),
    );
    // The summary goes to the ordinary screen, after the review screen.
    prompter.close();
    let summary = summary?;
    let mut text = summary_text(&store, today, &summary)?;
    for key in &left_out {
        text.push_str(&format!(
            "\nleft out the suspended leech {key}: rewrite or split it, then `mastery unsuspend {key}`"
        ));
    }
    crate::interrupt::finish(|| prompter.show(&text))?;
    if summary.interrupted {
        return Err(Error::Interrupted);
    }
    Ok(())
}

/// The weak cards as a session: each is shown whether due or not, and the
/// grade schedules as in any review (the first of the study day schedules,
/// later ones re-drill). Suspended leeches can't be reviewed: their keys go
/// to `left_out`.
fn weak_queue(
    weak: Vec<crate::weak::WeakCard>,
    limit: Option<usize>,
    left_out: &mut Vec<String>,
) -> review::Queue {
    let mut queue = review::Queue {
        picked: Some("weak"),
        ..review::Queue::default()
    };
    for w in weak {
        if w.card.marks.suspended.is_suspended() {
            left_out.push(w.card.key);
        } else if w.card.state.is_new() {
            queue.new.push(w.card.id);
        } else {
            queue.due.push(w.card.id);
        }
    }
    if let Some(cap) = limit {
        queue.due.truncate(cap);
        queue.new.truncate(cap - queue.due.len());
    }
    queue
}

/// Deck row ids for `--module`/`--deck`, or `None` for every deck.
pub(crate) fn scope(
    store: &Store,
    module: Option<u8>,
    deck: Option<&str>,
) -> Result<Option<Vec<i64>>> {
    if module.is_none() && deck.is_none() {
        return Ok(None);
    }
    let decks = store.decks()?;
    super::known_decks(&decks, deck.map(str::to_string).as_ref())?;
    let ids: Vec<i64> = decks
        .iter()
        .filter(|d| module.is_none_or(|m| d.module == Some(m)))
        .filter(|d| deck.is_none_or(|k| d.key == k))
        .map(|d| d.id)
        .collect();
    if ids.is_empty() {
        return Err(Error::Usage(match deck {
            Some(k) => format!(
                "deck '{k}' is not part of module {}",
                module.unwrap_or_default()
            ),
            None => format!("no deck belongs to module {}", module.unwrap_or_default()),
        }));
    }
    Ok(Some(ids))
}

fn summary_text(store: &Store, today: i64, s: &Summary) -> Result<String> {
    let due_tomorrow = store.due_through(today + 1)?;
    let next = store.next_due_after(today)?;
    let mut text = format!(
        "\n{}\ndue tomorrow: {} · next due: {}",
        session_line(s),
        due_tomorrow,
        next.map_or_else(|| "nothing scheduled".to_string(), format_day)
    );
    for (key, how) in &s.set_aside {
        text.push_str(&if *how == "suspended" {
            format!("\nsuspended {key}: `mastery unsuspend {key}` lets it back")
        } else {
            format!("\nburied {key} until the next study day")
        });
    }
    Ok(text)
}

/// The session's figures: also what an interruption prints.
fn session_line(s: &Summary) -> String {
    let share = (100 * s.passed).checked_div(s.reviewed).unwrap_or(0);
    format!(
        "session: {} reviewed, {}% graded 3 or more, {} re-drills, {} spent",
        s.reviewed,
        share,
        s.drills,
        duration(s.millis)
    )
}

fn duration(millis: i64) -> String {
    let secs = millis / 1000;
    if secs < 60 {
        format!("{secs}s")
    } else {
        format!("{}m {:02}s", secs / 60, secs % 60)
    }
}
