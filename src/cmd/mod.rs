//! One function per subcommand: gather, then print. Output goes through
//! `Out` so that a closed pipe (`mastery cards | head`) is not an error.

mod anki;
mod cards;
mod check;
mod fsrs;
mod quiz;
mod read;
mod review;
mod scope;
mod status;
mod weak;

use std::io::Write;

use serde::Serialize;

use crate::app::App;
use crate::cli::{Cli, Command, DevCommand, ExportWhat, ImportWhat};
use crate::compile::{CompileReport, Options, compile};
use crate::error::{Error, Result};
use crate::store::{DeckInfo, Store};

pub(crate) use scope::{Scope, narrow};

pub fn run(cli: Cli) -> Result<()> {
    // These print what the command line is; they need no database, and a
    // broken config must not keep a shell from loading its completions.
    match cli.command {
        Command::Completions { shell } => return completions(shell),
        Command::Man => return man(),
        _ => {}
    }
    crate::interrupt::install();
    let app = App::from_cli(&cli)?;
    dispatch(&app, cli.command).map_err(|e| match e {
        // Name the database in SQLite's errors (a corrupt file, say).
        Error::Sql(source) => Error::Database {
            path: app.db_path.display().to_string(),
            message: match source.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DiskFull | rusqlite::ErrorCode::SystemIoFailure) => {
                    format!("{source}: the disk may be full; free some space and try again (nothing half-written was kept)")
                }
                _ => source.to_string(),
            },
        },
        other => other,
    })
}

fn dispatch(app: &App, command: Command) -> Result<()> {
    match command {
        Command::Review(args) => review::run(app, &args),
        Command::Quiz(q) => quiz::run(app, q),
        Command::Weak(args) => weak::run(app, &args),
        Command::Read { target } => read::run(app, &target),
        Command::Optimize { save, json } => fsrs::optimize(app, save, json),
        Command::Eval {
            revlog,
            timezone,
            no_fit,
            json,
        } => fsrs::eval(app, revlog.as_deref(), &timezone, !no_fit, json),
        Command::Export { what } => match what {
            ExportWhat::Revlog {
                format: _,
                out,
                scope,
            } => fsrs::export_revlog(app, out.as_deref(), &scope),
            ExportWhat::Anki { out, scope } => anki::export_anki(app, &out, &scope),
            ExportWhat::Notes {
                format: _,
                out,
                scope,
            } => anki::export_notes(app, out.as_deref(), &scope),
        },
        Command::Dev { what } => dev(app, what),
        Command::Doctor {
            repair,
            json: as_json,
        } => doctor(app, repair, as_json),
        Command::Import { what } => match what {
            ImportWhat::Docs {
                path,
                out: dir,
                force,
            } => check::import_docs(&path, &dir, force),
            ImportWhat::Anki { file, json } => anki::import_anki(app, &file, json),
        },
        Command::Stats {
            query,
            module,
            json: as_json,
        } => stats(app, query.as_deref(), module, as_json),
        Command::Compile {
            prune,
            switch_decks,
            json,
        } => {
            let mut store = Store::open(&app.db_path)?;
            let opts = Options {
                prune,
                switch_decks,
                ..Options::default()
            };
            let mut report = compile(&mut store, &app.source, &opts)?;
            report.count_cards(&store)?;
            print_compile(&report, json)
        }
        Command::Check { fix_ids, json } => check::run(app, fix_ids, json),
        Command::Cards(args) => cards::list(app, &args),
        Command::Suspend { ids } => cards::mark(app, &ids, cards::Mark::Suspend),
        Command::Unsuspend { ids } => cards::mark(app, &ids, cards::Mark::Unsuspend),
        Command::Bury { ids } => cards::mark(app, &ids, cards::Mark::Bury),
        Command::ExportDecks { dir } => check::export_decks(&dir),
        Command::Status { json } => status::status(app, json),
        Command::Show { card, json } => cards::show(app, &card, json),
        Command::Undo => status::undo(app),
        Command::Reschedule { all: _, yes } => reschedule(app, yes),
        Command::Reset { id } => {
            let (mut store, _) = app.open()?;
            let cards = store.cards_of_id(&id)?;
            if cards.is_empty() {
                return Err(Error::UnknownCard(id));
            }
            let mut undone = 0;
            for card in &cards {
                undone += store.reset_card(*card, &app.clock.stamp())?;
            }
            out(&format!(
                "reset {id}: {} over as new; {} undone (kept in the log)\n",
                if cards.len() == 1 {
                    "1 card starts".to_string()
                } else {
                    format!("{} cards start", cards.len())
                },
                crate::render::plural(undone, "review", "reviews")
            ))
        }
        Command::Config => status::config(app),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
    }
}

/// `mastery completions SHELL`: clap_complete's script for the shell.
fn completions(shell: clap_complete::Shell) -> Result<()> {
    use clap::CommandFactory;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "mastery", &mut script);
    out_styled(&String::from_utf8_lossy(&script))
}

/// `mastery man`: the manual page, in roff, from the same definitions as
/// `--help`.
fn man() -> Result<()> {
    use clap::CommandFactory;
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| Error::Terminal {
            action: "render the manual page",
            cause: e,
        })?;
    out_styled(&String::from_utf8_lossy(&page))
}

/// Refuses deck ids that name no deck.
pub(crate) fn known_decks<'a>(
    decks: &[DeckInfo],
    keys: impl IntoIterator<Item = &'a String>,
) -> Result<()> {
    for key in keys {
        if !decks.iter().any(|d| &d.key == key) {
            return Err(Error::Usage(format!(
                "unknown deck id '{key}': list decks with `mastery status`"
            )));
        }
    }
    Ok(())
}

/// `stats [QUERY]`: every figure, over a module's decks or a query's cards.
fn stats(app: &App, query: Option<&str>, module: Option<u8>, as_json: bool) -> Result<()> {
    let (store, _) = app.open()?;
    let today = app.clock.today();
    // An empty query is no query.
    let query = query.filter(|q| !q.trim().is_empty());
    let cards = match query {
        Some(q) => {
            let mut parsed = crate::search::parse(q)?;
            // The module flag narrows the count the heading gives too.
            let scope = Scope {
                modules: module.into_iter().collect(),
                ..Scope::default()
            };
            narrow(&store, &mut parsed, &scope)?;
            Some(store.search_ids(&parsed, today, crate::store::SortBy::default())?)
        }
        None => None,
    };
    if let (Some(q), Some(ids), false) = (query, &cards, as_json)
        && ids.is_empty()
    {
        return out(&format!(
            "no card matches '{}'\n",
            crate::render::single_line(q)
        ));
    }
    // JSON always prints the figures, all zero when nothing matched.
    let stats = crate::stats::compute(&store, today, module, cards.as_deref())?;
    if as_json {
        return json(&stats);
    }
    let palette = crate::stats::render::Palette::new(crate::stats::render::colour_wanted());
    let mut text = String::new();
    if let (Some(q), Some(ids)) = (query, &cards) {
        text.push_str(&format!(
            "Figures for '{}': {}\n\n",
            crate::render::sanitize(&crate::render::single_line(q)),
            crate::render::plural(ids.len(), "card", "cards")
        ));
    }
    text.push_str(&crate::stats::render::text(&stats, &palette));
    out_styled(&text)
}

/// Writes to stdout, with control characters made visible; a closed pipe
/// ends output quietly.
pub(crate) fn out(text: &str) -> Result<()> {
    out_styled(&crate::render::sanitize(text))
}

/// Writes text whose untrusted parts are already sanitized and whose escape
/// codes are mastery's own styling (`stats` on a colour terminal).
pub(crate) fn out_styled(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Terminal {
            action: "write output",
            cause: e,
        }),
        _ => Ok(()),
    }
}

pub(crate) fn json<T: Serialize>(value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Usage(format!("cannot encode JSON: {e}")))?;
    out_styled(&format!("{}\n", crate::render::sanitize_json(&text)))
}

fn print_compile(report: &CompileReport, as_json: bool) -> Result<()> {
    if as_json {
        return json(report);
    }
    // Two lines: in one, the counts of a large collection passed 80 columns.
    let mut text = format!(
        "compiled {} decks: {} cards\n  {} added, {} updated, {} unchanged, {} carried over, {} retired\n",
        report.decks,
        report.cards,
        report.added,
        report.updated,
        report.unchanged,
        report.carried,
        report.retired
    );
    for (old, new) in &report.carried_notes {
        text.push_str(&format!("carried history: {old} → {new}\n"));
    }
    for n in &report.not_carried {
        text.push_str(&format!(
            "not carried: {} → {} (similarity {:.2}, below {:.2}): {} starts new\n",
            n.old,
            n.new,
            n.similarity,
            crate::compile::CARRY_SIMILARITY,
            n.new
        ));
    }
    for c in &report.answer_changed {
        text.push_str(&format!(
            "answer changed, history kept: {} (similarity {:.2}); `mastery reset {}` starts it over\n",
            c.card, c.similarity, c.card
        ));
    }
    for key in &report.moved_notes {
        text.push_str(&format!("moved: {key} (history kept)\n"));
    }
    for key in &report.retired_notes {
        text.push_str(&format!(
            "retired: {key} (history kept; restore it by adding it back)\n"
        ));
    }
    if let Some((old, new)) = &report.switched {
        text.push_str(&format!("decks source changed from {old} to {new}\n"));
    }
    if report.pruned > 0 {
        text.push_str(&format!(
            "pruned {} retired cards and their history\n",
            report.pruned
        ));
    }
    if !report.warnings.is_empty() {
        text.push_str(&format!(
            "{} (run `mastery check` to see them)\n",
            crate::render::plural(report.warnings.len(), "warning", "warnings")
        ));
    }
    out(&text)
}

/// Checks the database without compiling first: doctor looks, it does not
/// change anything unless asked to repair.
fn doctor(app: &App, repair: bool, as_json: bool) -> Result<()> {
    let mut store = Store::open_for_doctor(&app.db_path)?;
    // A database too damaged to read its saved parameters is checked
    // under the configured scheduler's defaults.
    let saved = store.saved_parameters().unwrap_or(None);
    store.assume_scheduler(app.settings.scheduler(saved)?);
    let mut diagnosis = crate::doctor::diagnose(&store, &app.source)?;
    let mut text = String::new();
    if repair && let Some(backup) = crate::doctor::repair(&mut store, &diagnosis)? {
        if diagnosis.schema {
            text.push_str("recreated the missing tables and indexes and set the schema version\n");
        }
        text.push_str(&format!(
            "rebuilt {} card states from the review log (backup: {})\n",
            diagnosis.rebuilt.len(),
            backup.display()
        ));
        diagnosis = crate::doctor::diagnose(&store, &app.source)?;
        // A recreated table (an empty review log, say) can leave card
        // states to rebuild: one more pass, so one --repair is enough.
        if !diagnosis.rebuilt.is_empty() && crate::doctor::repair(&mut store, &diagnosis)?.is_some()
        {
            text.push_str(&format!(
                "rebuilt {} more card states from the recreated log\n",
                diagnosis.rebuilt.len()
            ));
            diagnosis = crate::doctor::diagnose(&store, &app.source)?;
        }
    }
    if as_json {
        json(&diagnosis)?;
    } else {
        for p in &diagnosis.problems {
            text.push_str(&format!("problem: {}\n  fix: {}\n", p.problem, p.fix));
        }
        if diagnosis.healthy() {
            text.push_str(&format!("{}: healthy\n", app.db_path.display()));
        }
        out(&text)?;
    }
    if diagnosis.healthy() {
        Ok(())
    } else {
        Err(Error::Unhealthy(diagnosis.problems.len()))
    }
}

/// Replays every card's log with today's rules: first what would move,
/// then, with `--yes`, a backup and the rewrite in one transaction.
fn reschedule(app: &App, yes: bool) -> Result<()> {
    let (mut store, _) = app.open()?;
    let plan = crate::reschedule::plan(&store)?;
    let mut text = format!(
        "today's rules ({}) would move the due day of {} cards, and change the logged states of {} cards\n",
        crate::scheduler::RULES,
        plan.moved,
        plan.cards.len()
    );
    if plan.cards.is_empty() {
        text = "every card's log already follows today's rules: nothing to do\n".to_string();
    } else if !yes {
        text.push_str("run `mastery reschedule --all --yes` to apply; a backup is written first\n");
    } else {
        let backup = store.backup_before("reschedule")?;
        store.rewrite_log(&plan.cards)?;
        text.push_str(&format!(
            "rescheduled {} cards; to undo, restore the backup {}\n",
            plan.cards.len(),
            backup.display()
        ));
    }
    out(&text)
}

fn dev(app: &App, what: DevCommand) -> Result<()> {
    match what {
        DevCommand::Generate {
            cards,
            out: dir,
            seed,
        } => {
            let files = crate::synth::write_decks(&dir, cards as usize, seed)?;
            out(&format!("wrote {files} deck files to {}\n", dir.display()))
        }
        DevCommand::History {
            reviews,
            due_share,
            seed,
        } => {
            let (mut store, _) = app.open()?;
            let today = app.clock.today();
            let n =
                crate::synth::write_history(&mut store, today, reviews as usize, due_share, seed)?;
            let due = store.count_due(today, None)?;
            out(&format!("wrote {n} reviews; {due} cards due today\n"))
        }
        DevCommand::FsrsRevlog {
            cards,
            days,
            seed,
            out: path,
        } => {
            let text = crate::synth::fsrs_learner_revlog(cards as usize, days as i64, seed);
            crate::files::write_file(&path, &text)?;
            out(&format!(
                "wrote {} reviews to {}\n",
                text.lines().count() - 1,
                path.display()
            ))
        }
    }
}
