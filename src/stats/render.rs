//! `mastery stats` as text: tables, a forecast bar chart and a review
//! heatmap, all within 80 columns. Colour only on a terminal without
//! NO_COLOR.

use dialoguer::console::Style;

use crate::render::sanitize;

use super::{DayCount, QuizScore, Row, Stats};
use crate::clock::date_of;

const BAR_WIDTH: usize = 48;
const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const SHADES: [char; 5] = ['·', '░', '▒', '▓', '█'];

pub struct Palette {
    heading: Style,
    bar: Style,
}

impl Palette {
    pub fn new(colour: bool) -> Self {
        Palette {
            heading: Style::new().bold().force_styling(colour),
            bar: Style::new().green().force_styling(colour),
        }
    }
}

/// Colour follows the terminal and the NO_COLOR convention.
pub fn colour_wanted() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn opt(v: Option<f64>, suffix: &str) -> String {
    v.map_or_else(|| "—".to_string(), |x| format!("{x:.1}{suffix}"))
}

fn quiz(q: &Option<QuizScore>) -> String {
    q.as_ref().map_or_else(
        || "—".to_string(),
        |q| {
            format!(
                "{}/{} {}",
                q.correct,
                q.asked,
                q.date.get(5..).unwrap_or(&q.date)
            )
        },
    )
}

/// The last complete quiz, with a `*` when a newer one was stopped early:
/// a note under the table says so (in the cell it made the table too wide
/// for 80 columns).
fn quiz_cell(r: &Row) -> String {
    let last = quiz(&r.last_quiz);
    if r.incomplete_quiz.is_some() {
        format!("{last} *")
    } else {
        last
    }
}

/// A row's name: its module's number, else its category, else its deck.
fn row_name(r: &Row) -> String {
    match (r.module, &r.category) {
        (Some(m), _) => m.to_string(),
        (None, Some(c)) => sanitize(c).into_owned(),
        _ => sanitize(&r.name).into_owned(),
    }
}

/// The notes under a table for its rows' unfinished quizzes.
fn incomplete_notes(rows: &[Row], label: &str) -> String {
    rows.iter()
        .filter_map(|r| {
            let q = r.incomplete_quiz.as_ref()?;
            Some(format!(
                " * {label} {}: then {}/{} incomplete (a quiz stopped early, {})\n",
                row_name(r),
                q.correct,
                q.asked,
                q.date.get(5..).unwrap_or(&q.date)
            ))
        })
        .collect()
}

/// The table without trailing spaces (a row padded past the terminal's
/// width wrapped into an empty line after it), then a note for each row
/// whose newest quiz was stopped early.
fn table(rows: &[Row], label: &str) -> String {
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::NOTHING);
    t.set_header([
        label,
        "cards",
        "new",
        "learn",
        "mature",
        "due",
        "ret.30d",
        "ease",
        "mastery",
        "last quiz",
    ]);
    for r in rows {
        // Modules are marked when mastered (the heading says so).
        let mastered = r.mastered && r.module.is_some();
        let name = format!("{}{}", row_name(r), if mastered { " ✓" } else { "" });
        t.add_row([
            name,
            r.cards.to_string(),
            r.new.to_string(),
            r.learning.to_string(),
            r.mature.to_string(),
            r.due_today.to_string(),
            opt(r.retention_30d, "%"),
            r.average_ease
                .map_or_else(|| "—".to_string(), |e| format!("{e:.2}")),
            opt(r.mastery, "%"),
            quiz_cell(r),
        ]);
    }
    format!("{}\n{}", t.trim_fmt(), incomplete_notes(rows, label))
        .trim_end()
        .to_string()
}

/// A horizontal bar of `value` out of `max`, in eighths of a cell.
pub fn bar(value: i64, max: i64) -> String {
    if max <= 0 || value <= 0 {
        return String::new();
    }
    let eighths = ((value as f64 / max as f64) * (BAR_WIDTH * 8) as f64)
        .round()
        .max(1.0) as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(EIGHTHS[eighths % 8]);
    }
    s
}

fn weekday(day: i64) -> usize {
    date_of(day).map_or(0, |d| {
        chrono::Datelike::weekday(&d).num_days_from_monday() as usize
    })
}

fn shade(count: i64, max: i64) -> char {
    if count == 0 || max == 0 {
        return SHADES[0];
    }
    let level = 1 + ((count - 1) * 4 / max).min(3);
    SHADES[level as usize]
}

/// A calendar of the days, weeks as columns and weekdays as rows.
pub fn heatmap(days: &[DayCount]) -> String {
    let Some(first) = days.first() else {
        return String::new();
    };
    let max = days.iter().map(|d| d.count).max().unwrap_or(0);
    let offset = weekday(first.day);
    let weeks = (offset + days.len()).div_ceil(7);
    let mut grid = vec![vec![' '; weeks]; 7];
    for (i, d) in days.iter().enumerate() {
        let cell = offset + i;
        grid[cell % 7][cell / 7] = shade(d.count, max);
    }
    let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut out = String::new();
    for (row, name) in grid.iter().zip(names) {
        let cells: String = row.iter().flat_map(|c| [*c, ' ']).collect();
        out.push_str(&format!("  {name} {}\n", cells.trim_end()));
    }
    out.push_str(&format!(
        "      less {} more\n",
        SHADES.iter().collect::<String>()
    ));
    out
}

pub fn text(s: &Stats, p: &Palette) -> String {
    let g = &s.program;
    let mut out = format!("{}\n", p.heading.apply_to(format!("Program ({})", s.today)));
    out.push_str(&format!(
        "  modules mastered   {}/{}\n",
        g.modules_mastered, g.modules_total
    ));
    out.push_str(&format!(
        "  patterns learned   {}/{}\n",
        g.patterns_learned, g.patterns_total
    ));
    out.push_str(&format!(
        "  hours invested     {:.1} (the program plans 20–30)\n",
        g.hours
    ));
    out.push_str(&format!(
        "  daily streak       {} day{} (longest {})\n",
        g.current_streak,
        if g.current_streak == 1 { "" } else { "s" },
        g.longest_streak
    ));
    let quizzes: Vec<String> = g
        .last_quiz_by_module
        .iter()
        .map(|(m, q)| {
            format!(
                "{m}: {}",
                q.as_ref()
                    .map_or("—".to_string(), |q| format!("{:.0}%", q.score))
            )
        })
        .collect();
    if !quizzes.is_empty() {
        out.push_str(&format!("  last quiz          {}\n", quizzes.join("  ")));
    }
    if !s.modules.is_empty() {
        out.push_str(&format!(
            "\n{}\n{}\n",
            p.heading.apply_to("Modules (✓ mastered)"),
            table(&s.modules, "module")
        ));
    }
    if !s.categories.is_empty() {
        out.push_str(&format!(
            "\n{}\n{}\n",
            p.heading.apply_to("Pattern categories"),
            table(&s.categories, "category")
        ));
    }
    out.push_str(&format!(
        "\n{}\n",
        p.heading.apply_to("Due in the next 14 days")
    ));
    let max = s.forecast.iter().map(|d| d.count).max().unwrap_or(0);
    for d in &s.forecast {
        let label = date_of(d.day).map_or(d.date.clone(), |x| x.format("%a %m-%d").to_string());
        out.push_str(&format!(
            "  {label}  {} {}\n",
            p.bar.apply_to(bar(d.count, max)),
            d.count
        ));
    }
    let busiest = s
        .heatmap
        .busiest
        .as_ref()
        .map_or("none yet".to_string(), |b| {
            format!("{} on {}", b.count, b.date)
        });
    out.push_str(&format!(
        "\n{}\n",
        p.heading.apply_to(format!(
            "Reviews per day, {} to {} (busiest: {busiest})",
            s.heatmap.start, s.heatmap.end
        ))
    ));
    out.push_str(&heatmap(&s.heatmap.days));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(0, 10, "")]
    #[case(10, 10, &"█".repeat(48))]
    #[case(5, 10, &"█".repeat(24))]
    #[case(1, 1000, "▏")]
    #[case(1, 3, "████████████████")]
    fn bars(#[case] value: i64, #[case] max: i64, #[case] expected: &str) {
        assert_eq!(bar(value, max), expected);
    }

    #[rstest]
    #[case(0, 8, '·')]
    #[case(1, 8, '░')]
    #[case(4, 8, '▒')]
    #[case(6, 8, '▓')]
    #[case(8, 8, '█')]
    fn shades(#[case] count: i64, #[case] max: i64, #[case] expected: char) {
        assert_eq!(shade(count, max), expected);
    }

    /// An unfinished quiz is a `*` in the row and a note under the table:
    /// in the cell it took the category table past 80 columns.
    #[test]
    fn an_unfinished_quiz_is_a_note_under_the_table() {
        let row = |name: &str, incomplete: bool| Row {
            name: name.into(),
            module: None,
            category: Some(name.into()),
            cards: 52,
            new: 52,
            learning: 0,
            mature: 0,
            due_today: 0,
            retention_30d: None,
            average_ease: None,
            mastery: Some(0.0),
            mastered: false,
            last_quiz: None,
            incomplete_quiz: incomplete.then(|| QuizScore {
                quiz: 1,
                score: 0.0,
                correct: 0,
                asked: 1,
                date: "2026-12-11".into(),
            }),
        };
        let text = table(
            &[row("architecture", true), row("debugging", false)],
            "category",
        );
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].starts_with(" architecture  52"), "{text}");
        assert!(lines[1].ends_with("0.0%     — *"), "{text}");
        assert!(lines[2].ends_with("0.0%     —"), "{text}");
        assert_eq!(
            lines[3],
            " * category architecture: then 0/1 incomplete (a quiz stopped early, 12-11)"
        );
        assert!(
            lines
                .iter()
                .all(|l| crate::render::width_of(l) <= 80 && l.trim_end() == *l),
            "{text}"
        );
    }
}
