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
    // `--weak QUERY` re-studies the weak cards the query matches.
    let custom = !args.weak && (args.query.is_some() || args.ahead.is_some());
    let queue = if custom {
        let queue = custom_queue(&store, args, today)?;
        if queue.due.is_empty() && queue.new.is_empty() {
            return crate::prompt::for_review().show(&nothing_to_study(args));
        }
        store.set_custom_study(true);
        queue
    } else if args.weak {
        super::known_decks(&store.decks()?, &args.deck)?;
        let weak = super::weak::weak_cards(
            app,
            &store,
            args.module,
            args.deck.as_deref(),
            args.query.as_deref(),
        )?;
        if weak.is_empty() {
            let scoped = args.query.is_some() || args.module.is_some() || args.deck.is_some();
            return crate::prompt::for_review().show(if scoped {
                "No weak card in this scope, so there is nothing to re-study:\n`mastery weak` looks at every deck."
            } else {
                "Nothing is weak right now, so there is nothing to re-study:\n`mastery review` has today's drill."
            });
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

/// Custom study (`review QUERY`, `--ahead N`): the matching cards that
/// have been seen, due or not (with `--ahead`, due within N days), most
/// overdue first, then up to `--new` matching new cards in curriculum
/// order. Prerequisites don't gate them and they don't use up the day's
/// new cards: the learner chose them. Suspended cards, and those buried
/// today, stay out. Each grade schedules as any review does; an early one
/// follows the scheduler's early-review rule (README: "Custom study").
fn custom_queue(store: &Store, args: &ReviewArgs, today: i64) -> Result<review::Queue> {
    use crate::search::{Cmp, Prop, State, Term};
    use crate::store::SortBy;
    let mut query = crate::search::parse(args.query.as_deref().unwrap_or(""))?;
    super::narrow(
        store,
        &mut query,
        &super::Scope {
            modules: args.module.into_iter().collect(),
            decks: args.deck.iter().cloned().collect(),
            ..super::Scope::default()
        },
    )?;
    query.and_not(Term::Is(State::Suspended));
    query.and_not(Term::Is(State::Buried));
    let mut seen = query.clone();
    seen.and_not(Term::Is(State::New));
    if let Some(days) = args.ahead {
        seen.and(Term::Prop(Prop::Due, Cmp::Le, f64::from(days)));
    }
    let cap = args.limit.map_or(usize::MAX, |l| l as usize);
    let mut due = store.search_ids(&seen, today, SortBy::Due)?;
    due.truncate(cap);
    let wanted = (args.new.unwrap_or(0) as usize).min(cap - due.len());
    let mut new = Vec::new();
    if wanted > 0 {
        let mut fresh = query;
        fresh.and(Term::Is(State::New));
        new = store.search_ids(&fresh, today, SortBy::Curriculum)?;
        new.truncate(wanted);
    }
    Ok(review::Queue {
        relearn: Vec::new(),
        due,
        new,
        // Chosen by the query, due or not: the counts say so.
        picked: Some("chosen"),
    })
}

/// What an empty custom study session says instead of starting.
fn nothing_to_study(args: &ReviewArgs) -> String {
    let when = |n: u32| {
        if n == 1 {
            "by tomorrow".to_string()
        } else {
            format!("in the next {n} days")
        }
    };
    let what = match (&args.query, args.ahead) {
        (Some(q), Some(n)) => format!("no card matching '{q}' is due {}", when(n)),
        (Some(q), None) => format!("no card matching '{q}' has been studied yet"),
        (None, Some(n)) => format!("no card is due {}", when(n)),
        (None, None) => "nothing to study".to_string(),
    };
    if args.new.is_some_and(|n| n > 0) {
        format!("{what}, and none of them is new (suspended and buried cards are left out).")
    } else {
        format!(
            "{what} (suspended and buried cards are left out); `--new N` adds N new ones from the matching set."
        )
    }
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
    use crate::render::plural;
    // A share of nothing graded would read as a failing score.
    let share = (100 * s.passed)
        .checked_div(s.reviewed)
        .map_or_else(String::new, |p| format!("{p}% graded 3 or more, "));
    format!(
        "session: {} reviewed, {share}{}, {} spent",
        s.reviewed,
        plural(s.drills, "re-drill", "re-drills"),
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
