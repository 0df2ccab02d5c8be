use super::{json, out};
use crate::app::App;
use crate::cli::{WeakArgs, WeakFormat};
use crate::clock::format_day;
use crate::error::{Error, Result};
use crate::files::{Target, check_target, write_file};
use crate::weak::{self, WeakOptions, render, update};

pub fn run(app: &App, args: &WeakArgs) -> Result<()> {
    // A target that can't be written is refused before anything is opened.
    let target = args.output.as_deref().map(check_target).transpose()?;
    if let (Some(path), Some(Target::Regular(_)), false) =
        (&args.output, &target, args.format == WeakFormat::Md)
    {
        refuse_replacing_a_list(path, args.format)?;
    }
    let (store, _) = app.open()?;
    super::known_decks(&store.decks()?, &args.deck)?;
    let today = app.clock.today();
    let cards = query_cards(&store, args.query.as_deref(), today)?;
    let report = weak::analyse(
        &store,
        today,
        &WeakOptions {
            module: args.module,
            deck: args.deck.clone(),
            limit: args.limit as usize,
            // One threshold for the drill's leeches and the weak list's.
            leech_lapses: args.leech_lapses.unwrap_or(app.settings.leech_lapses.value),
            links: crate::read::Links::of(&app.source),
            cards,
        },
    )?;
    let scope = scope_flags(args.module, args.deck.as_deref(), args.query.as_deref());
    let date = format_day(today);
    let text = match args.format {
        WeakFormat::Json => {
            if args.output.is_none() {
                return json(&render::records(&report));
            }
            serde_json::to_string_pretty(&render::records(&report)).unwrap_or_default() + "\n"
        }
        WeakFormat::Csv => {
            render::csv(&report).map_err(|e| Error::Usage(format!("cannot write CSV: {e}")))?
        }
        WeakFormat::Md => {
            let fresh = render::checklist(&report, &date, &scope);
            match (&args.output, &target) {
                // Only a regular file is read: the check above refused the rest.
                (Some(path), Some(Target::Regular(_))) => {
                    let old = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
                    let mut headings = report.titles.clone();
                    headings.push(render::LEECHES.to_string());
                    update::merge(&fresh, &update::parse(&old, &headings))
                }
                // On a terminal, wrapped to it and without the markers.
                (None, _) => match super::read::terminal_width() {
                    Some(width) => render::for_terminal(&report, &date, &scope, width),
                    None => render::markdown(&report, &date, &scope),
                },
                _ => render::markdown(&report, &date, &scope),
            }
        }
    };
    match &args.output {
        Some(path) => {
            write_file(path, &text)?;
            let n = report.cards().count();
            out(&format!(
                "wrote {}: {n} weak card{}\n",
                path.display(),
                if n == 1 { "" } else { "s" }
            ))
        }
        None => out(&text),
    }
}

/// Every weak card in scope, leeches first, as `mastery weak` lists them
/// but without its limit on topics: what `review --weak` and `quiz --weak`
/// take.
pub(crate) fn weak_cards(
    app: &App,
    store: &crate::store::Store,
    module: Option<u8>,
    deck: Option<&str>,
    query: Option<&str>,
) -> Result<Vec<weak::WeakCard>> {
    let today = app.clock.today();
    let report = weak::analyse(
        store,
        today,
        &WeakOptions {
            module,
            deck: deck.map(str::to_string),
            limit: usize::MAX,
            leech_lapses: app.settings.leech_lapses.value,
            links: crate::read::Links::of(&app.source),
            cards: query_cards(store, query, today)?,
        },
    )?;
    Ok(report.cards().cloned().collect())
}

/// The ids of the cards a query matches, if there is one.
fn query_cards(
    store: &crate::store::Store,
    query: Option<&str>,
    today: crate::clock::Day,
) -> Result<Option<std::collections::HashSet<i64>>> {
    let Some(q) = query else {
        return Ok(None);
    };
    let ids = store.search_ids(
        &crate::search::parse(q)?,
        today,
        crate::store::SortBy::Curriculum,
    )?;
    Ok(Some(ids.into_iter().collect()))
}

/// What a list's commands repeat of its scope: ` --module 4 --deck x
/// 'tag:hooks'`.
fn scope_flags(module: Option<u8>, deck: Option<&str>, query: Option<&str>) -> String {
    let mut s = String::new();
    // A query that starts with a minus goes last, after `--`, so that the
    // shell line can't read it as a flag (`-h` is "not h", not help).
    let dashed = query.filter(|q| q.starts_with('-'));
    if let Some(q) = query.filter(|q| !q.starts_with('-')) {
        s.push_str(&format!(" {}", crate::read::shell_word(q)));
    }
    if let Some(m) = module {
        s.push_str(&format!(" --module {m}"));
    }
    if let Some(d) = deck {
        s.push_str(&format!(" --deck {}", crate::read::shell_word(d)));
    }
    if let Some(q) = dashed {
        s.push_str(&format!(" -- {}", crate::read::shell_word(q)));
    }
    s
}

/// JSON or CSV replace a file whole, so they replace only an earlier
/// export of the same kind: never a Markdown list (its ticks and notes) nor
/// any other file of the learner's.
fn refuse_replacing_a_list(path: &std::path::Path, format: WeakFormat) -> Result<()> {
    let old = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8_lossy(&old);
    let ours = match format {
        WeakFormat::Csv => text.starts_with("id,deck,module,topic,source,score,"),
        _ => serde_json::from_str::<Vec<serde_json::Value>>(&text).is_ok_and(|records| {
            records
                .iter()
                .all(|r| r.get("id").is_some() && r.get("score").is_some())
        }),
    };
    if ours || text.trim().is_empty() {
        return Ok(());
    }
    let what = if text.lines().any(|l| l.starts_with("# Weak areas (")) {
        "a Markdown weak list"
    } else {
        "a file mastery did not write"
    };
    Err(Error::Usage(format!(
        "{} holds {what}, which {} would replace: write it to another file",
        path.display(),
        if format == WeakFormat::Csv {
            "CSV"
        } else {
            "JSON"
        }
    )))
}
