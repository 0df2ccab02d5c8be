//! The table `mastery eval` prints: every scheduler scored on the same
//! reviews, with FSRS fitted on an earlier slice of the history and scored
//! on the later one when there is enough of it, so nothing leaks.

use serde::Serialize;

use super::eval::{Metrics, Predictor, Review, metrics, score};
use super::optimize::{self, FitError};
use super::{DEFAULT_PARAMETERS, Model};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    pub model: String,
    #[serde(flatten)]
    pub metrics: Metrics,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Comparison {
    /// Cards with a history the protocol keeps, and those left out for
    /// lacking a learning entry.
    pub cards: usize,
    pub dropped_cards: usize,
    /// Reviews each row was scored on.
    pub scored: usize,
    /// Of the rows, the ones fitted: trained on reviews before the split
    /// (`trained_on` training items), scored on the later ones.
    pub trained_on: Option<usize>,
    pub rows: Vec<Row>,
    pub default_parameters: Vec<f32>,
    pub fitted_parameters: Option<Vec<f32>>,
    /// Why there is no fitted row, when there is none.
    pub fit_note: Option<String>,
}

/// Scores SM-2, FSRS-6's defaults and (with `fit`) FSRS-6 fitted on the
/// earlier half of the scored reviews, plus the constant baseline.
pub fn compare(
    histories: &[Vec<Review>],
    dropped_cards: usize,
    fit: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Comparison {
    let default = Model::default_model();
    // The split: the median scored review, in time order.
    let mut orders: Vec<i64> = score(histories, &[]).iter().map(|s| s.order).collect();
    orders.sort_unstable();
    let split = orders.get(orders.len() / 2).copied();
    let mut fitted = None;
    let mut fit_note = None;
    let mut trained_on = None;
    if !fit {
        fit_note = Some("not fitted (--no-fit)".to_string());
    } else if let Some(split) = split {
        let items = optimize::items(histories, Some(split));
        let count = items.len();
        match optimize::fit(items, progress) {
            Ok(params) => match Model::new(&params, super::DEFAULT_RETENTION) {
                Ok(m) => {
                    fitted = Some(m);
                    trained_on = Some(count);
                }
                Err(why) => fit_note = Some(format!("the fitted parameters were unusable: {why}")),
            },
            Err(FitError::TooFew(have, need)) => {
                fit_note = Some(format!(
                    "not fitted: the earlier half of the history has {have} training {} and fitting needs {need}",
                    plural(have, "review", "reviews")
                ));
            }
            Err(e) => fit_note = Some(e.to_string()),
        }
    } else {
        fit_note = Some("not fitted: nothing to score".to_string());
    }
    let mut predictors = vec![Predictor::Fsrs(default.clone()), Predictor::Sm2];
    let mut names = vec![
        "FSRS-6 (defaults)".to_string(),
        "SM-2 (mastery)".to_string(),
    ];
    if let Some(m) = &fitted {
        predictors.insert(0, Predictor::Fsrs(m.clone()));
        names.insert(0, "FSRS-6 (fitted)".to_string());
    }
    let mut scored = score(histories, &predictors);
    if fitted.is_some()
        && let Some(split) = split
    {
        scored.retain(|s| s.order >= split);
    }
    let y: Vec<bool> = scored.iter().map(|s| s.recalled).collect();
    let bins: Vec<_> = scored.iter().map(|s| s.bin).collect();
    let mut rows = Vec::new();
    for (k, name) in names.into_iter().enumerate() {
        let p: Vec<f64> = scored.iter().map(|s| s.p[k]).collect();
        if let Some(m) = metrics(&p, &y, &bins) {
            rows.push(Row {
                model: name,
                metrics: m,
            });
        }
    }
    if !y.is_empty() {
        let mean = y.iter().filter(|&&v| v).count() as f64 / y.len() as f64;
        if let Some(m) = metrics(&vec![mean; y.len()], &y, &bins) {
            rows.push(Row {
                model: format!("AVG (always {:.0} %)", 100.0 * mean),
                metrics: m,
            });
        }
    }
    Comparison {
        cards: histories.len(),
        dropped_cards,
        scored: scored.len(),
        trained_on,
        rows,
        default_parameters: DEFAULT_PARAMETERS.to_vec(),
        fitted_parameters: fitted.map(|m| m.params().to_vec()),
        fit_note,
    }
}

/// The comparison as a table with a few lines of explanation.
pub fn render(c: &Comparison, source: &str) -> String {
    let mut text = format!(
        "Scored {} {} of {} {} ({source}).\n",
        c.scored,
        plural(c.scored, "review", "reviews"),
        c.cards,
        plural(c.cards, "card", "cards"),
    );
    if c.dropped_cards > 0 {
        text.push_str(&format!(
            "Left out {} {} whose history has no learning entry.\n",
            c.dropped_cards,
            plural(c.dropped_cards, "card", "cards")
        ));
    }
    if c.rows.is_empty() {
        text.push_str(
            "Nothing to score: a review counts once a card has been reviewed again on a later day.\n",
        );
        return text;
    }
    text.push_str(&format!(
        "\n{:<20} {:>9} {:>12} {:>6}\n",
        "scheduler", "log loss", "RMSE (bins)", "AUC"
    ));
    for r in &c.rows {
        text.push_str(&format!(
            "{:<20} {:>9.4} {:>10.2} % {:>6}\n",
            r.model,
            r.metrics.log_loss,
            100.0 * r.metrics.rmse_bins,
            r.metrics
                .auc
                .map_or_else(|| "—".to_string(), |a| format!("{a:.3}"))
        ));
    }
    text.push('\n');
    text.push_str(&prose(
        "Lower log loss and RMSE are better; an AUC above 0.5 means recalled reviews got higher predictions than forgotten ones.",
    ));
    match (&c.trained_on, &c.fit_note) {
        (Some(n), _) => text.push_str(&prose(&format!(
            "FSRS-6 (fitted) learned from {n} earlier {}; every row is scored on the later half only.",
            plural(*n, "review", "reviews")
        ))),
        (None, Some(note)) => text.push_str(&prose(&format!("FSRS-6 (fitted): {note}."))),
        _ => {}
    }
    text
}

/// A sentence wrapped at 80 columns, between words.
fn prose(text: &str) -> String {
    use crate::render::{Span, plain, wrap_spans};
    wrap_spans("", "", &[Span::plain(text)], 80)
        .iter()
        .map(|l| plain(l) + "\n")
        .collect()
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
