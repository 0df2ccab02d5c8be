use serde::Serialize;

use super::{json, out};
use crate::app::App;
use crate::clock::format_day;
use crate::error::{Error, Result};
use crate::review::{ReviewOptions, Wait, new_cards, waiting};
use crate::store::DeckStatus;

#[derive(Serialize)]
struct StatusJson {
    today: String,
    decks: Vec<DeckStatus>,
    /// Decks whose new cards wait for a prerequisite, and why.
    waiting: Vec<WaitJson>,
    total: Totals,
}

#[derive(Serialize)]
struct WaitJson {
    deck: String,
    requires: String,
    seen_percent: u32,
    needs_percent: u32,
}

impl From<&Wait> for WaitJson {
    fn from(w: &Wait) -> Self {
        WaitJson {
            deck: w.deck.clone(),
            requires: w.requires.clone(),
            seen_percent: w.seen,
            needs_percent: w.needs,
        }
    }
}

#[derive(Serialize, Default)]
struct Totals {
    cards: i64,
    due: i64,
    new_today: usize,
    learned: i64,
    retired: i64,
    next_due: Option<String>,
}

pub fn status(app: &App, as_json: bool) -> Result<()> {
    let (store, _) = app.open()?;
    let today = app.clock.today();
    let rows = store.status(today)?;
    let opts = ReviewOptions {
        new_per_day: app.settings.new_per_day.value,
        prerequisite_share: app.settings.prerequisite_share.value,
        ..ReviewOptions::default()
    };
    let waits = waiting(&store, opts.prerequisite_share)?;
    let total = Totals {
        cards: rows.iter().map(|r| r.cards).sum(),
        due: rows.iter().map(|r| r.due).sum(),
        new_today: new_cards(&store, today, &opts, usize::MAX)?.len(),
        learned: rows.iter().map(|r| r.learned).sum(),
        retired: rows.iter().map(|r| r.retired).sum(),
        next_due: store.next_due_after(today)?.map(format_day),
    };
    if as_json {
        return json(&StatusJson {
            today: format_day(today),
            decks: rows,
            waiting: waits.iter().map(WaitJson::from).collect(),
            total,
        });
    }
    // Plain padded columns: a collection can have a thousand decks, and a
    // table crate's layout pass would double this command's run time.
    let mut lines: Vec<[String; 6]> =
        vec![["deck", "cards", "due", "unseen", "learned", "retired"].map(String::from)];
    for r in &rows {
        lines.push([
            r.deck.clone(),
            r.cards.to_string(),
            r.due.to_string(),
            r.unseen.to_string(),
            r.learned.to_string(),
            r.retired.to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut table = String::new();
    for l in &lines {
        let cells: Vec<String> = l
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        table.push_str(cells.join("  ").trim_end());
        table.push('\n');
    }
    for w in &waits {
        table.push_str(&format!("{}: new cards {w}\n", w.deck));
    }
    // Two lines: in one, a large collection's counts passed 80 columns.
    out(&format!(
        "{table}\ntoday {}: {} due, {} new available; next due {}\n{} learned of {} cards\n",
        format_day(today),
        total.due,
        total.new_today,
        total.next_due.as_deref().unwrap_or("—"),
        total.learned,
        total.cards,
    ))
}

pub fn undo(app: &App) -> Result<()> {
    let (mut store, _) = app.open()?;
    let Some(undone) = store.undo_last(&app.clock.stamp())? else {
        return Err(Error::Usage(if store.has_reviews()? {
            "nothing to undo: every grade has been undone already".into()
        } else {
            "nothing to undo: no grade has been given yet".into()
        }));
    };
    out(&format!(
        "undone: grade {} ({}) of {}\n",
        undone.grade, undone.kind, undone.card_key
    ))
}

pub fn config(app: &App) -> Result<()> {
    let s = &app.settings;
    let from = if std::env::var_os(crate::config::CONFIG_VAR).is_some() {
        crate::config::CONFIG_VAR
    } else {
        "default"
    };
    let file = match &s.file {
        Some((p, true)) => (format!("config file: {}", p.display()), from.to_string()),
        Some((p, false)) => (
            format!("config file: {} (not present)", p.display()),
            from.to_string(),
        ),
        None => ("config file: none".to_string(), String::new()),
    };
    let setting = |name: &str, value: String, origin: &dyn std::fmt::Display| {
        (format!("{name} = {value}"), origin.to_string())
    };
    let lines = [
        setting(
            "rollover_hour",
            s.rollover_hour.value.to_string(),
            &s.rollover_hour.origin,
        ),
        setting(
            "new_per_day",
            s.new_per_day.value.to_string(),
            &s.new_per_day.origin,
        ),
        setting(
            "leech_lapses",
            s.leech_lapses.value.to_string(),
            &s.leech_lapses.origin,
        ),
        setting(
            "leech_action",
            format!("\"{}\"", s.leech_action.value),
            &s.leech_action.origin,
        ),
        setting(
            "prerequisite_share",
            s.prerequisite_share.value.to_string(),
            &s.prerequisite_share.origin,
        ),
        setting(
            "scheduler",
            format!("\"{}\"", s.scheduler.value),
            &s.scheduler.origin,
        ),
        setting(
            "desired_retention",
            format!("{:.2}", s.desired_retention.value),
            &s.desired_retention.origin,
        ),
        match &s.fsrs_parameters.value {
            Some(w) => setting(
                "fsrs_parameters",
                format!(
                    "[{}]",
                    w.iter()
                        .map(|v| format!("{v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                &s.fsrs_parameters.origin,
            ),
            None => setting(
                "fsrs_parameters",
                "not set".to_string(),
                &"the ones `mastery optimize --save` stored, else FSRS-6's defaults",
            ),
        },
        file,
        (
            format!("database: {}", app.db_path.display()),
            app.db_origin.to_string(),
        ),
        (
            format!("decks: {}", app.source.describe()),
            app.decks_origin.to_string(),
        ),
    ];
    // A line break in a path is shown as `\n`, not obeyed.
    let lines: Vec<(String, String)> = lines
        .into_iter()
        .map(|(setting, origin)| (crate::render::single_line(&setting).into_owned(), origin))
        .collect();
    let width = super::read::terminal_width().unwrap_or(super::read::PIPE_WIDTH);
    out(&origin_lines(&lines, width))
}

/// Each setting with where it came from in parentheses: on its line when
/// both fit in `width` columns, else on the next line, indented.
fn origin_lines(lines: &[(String, String)], width: usize) -> String {
    use crate::render::width_of;
    let mut text = String::new();
    for (setting, origin) in lines {
        text.push_str(setting);
        if !origin.is_empty() {
            let fits = width_of(setting) + 4 + width_of(origin) + 2 <= width;
            text.push_str(if fits { "    " } else { "\n    " });
            text.push_str(&format!("({origin})"));
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::origin_lines;

    #[test]
    fn an_origin_goes_on_the_next_line_when_the_line_would_pass_the_width() {
        let lines = [
            ("new_per_day = 10".to_string(), "default".to_string()),
            (
                format!("database: /home/{}/mastery.db", "a".repeat(40)),
                "default: the user's data dir".to_string(),
            ),
            ("config file: none".to_string(), String::new()),
        ];
        let text = origin_lines(&lines, 80);
        assert_eq!(
            text,
            format!(
                "new_per_day = 10    (default)\ndatabase: /home/{}/mastery.db\n    \
                 (default: the user's data dir)\nconfig file: none\n",
                "a".repeat(40)
            )
        );
        assert!(text.lines().all(|l| l.chars().count() <= 80));
    }
}
