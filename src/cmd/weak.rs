use std::collections::HashSet;

use super::{json, out};
use crate::app::App;
use crate::cli::{WeakArgs, WeakFormat};
use crate::clock::format_day;
use crate::error::{Error, Result};
use crate::files::{refuse_symlink, write_atomic};
use crate::weak::{self, WeakOptions, render, update};

pub fn run(app: &App, args: &WeakArgs) -> Result<()> {
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
            let previous = match &args.output {
                Some(path) => match std::fs::read_to_string(path) {
                    Ok(old) => Some(update::parse(&old)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => return Err(Error::io(path, e)),
                },
                None => None,
            };
            let ticked = previous
                .as_ref()
                .map(|p| p.ticked.clone())
                .unwrap_or_else(HashSet::new);
            let fresh = render::markdown(&report, &date, &ticked);
            match &previous {
                Some(p) => update::merge(&fresh, p),
                None => fresh,
            }
        }
    };
    match &args.output {
        Some(path) => {
            refuse_symlink(path)?;
            write_atomic(path, &text)?;
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
