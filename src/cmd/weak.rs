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
        refuse_replacing_a_list(path)?;
    }
    let (store, _) = app.open()?;
    super::known_decks(&store.decks()?, &args.deck)?;
    let today = app.clock.today();
    let report = weak::analyse(
        &store,
        today,
        &WeakOptions {
            module: args.module,
            deck: args.deck.clone(),
            limit: args.limit as usize,
            leech_lapses: args.leech_lapses,
        },
    )?;
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
            let fresh = render::checklist(&report, &date);
            match (&args.output, &target) {
                // Only a regular file is read: the check above refused the rest.
                (Some(path), Some(Target::Regular(_))) => {
                    let old = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
                    update::merge(&fresh, &update::parse(&old, &report.titles))
                }
                _ => render::markdown(&report, &date),
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

/// JSON or CSV written over a Markdown list would drop the learner's ticks
/// and notes: that file is only ever updated as Markdown.
fn refuse_replacing_a_list(path: &std::path::Path) -> Result<()> {
    let old = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if String::from_utf8_lossy(&old)
        .lines()
        .any(|l| l.starts_with("# Weak areas ("))
    {
        return Err(Error::Usage(format!(
            "{} holds a Markdown weak list, which JSON or CSV would replace: write them to another file",
            path.display()
        )));
    }
    Ok(())
}
