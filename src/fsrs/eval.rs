//! `mastery eval`: replay a review history and measure how well each
//! scheduler's predicted probability of recall matches what happened,
//! following the open-spaced-repetition srs-benchmark conventions so that
//! the figures can be set beside the published ones. Pure: the histories
//! come in as plain data.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::Model;
use crate::clock::Day;
use crate::scheduler::{CardState, Grade, ReviewKind, schedule};

/// One review as the protocol sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Review {
    pub card: i64,
    /// Sorts a card's reviews in time: epoch milliseconds, or the log's
    /// row id.
    pub order: i64,
    /// The study day (local date minus the rollover).
    pub day: Day,
    /// mastery's 0–5 grade (from Anki: the button + 1).
    pub grade: Grade,
    /// A learning entry (Anki's type 0; mastery's first review of a card).
    pub learning: bool,
}

impl Review {
    /// Recalled: Hard, Good or Easy; a grade of 3 or more.
    pub fn recalled(&self) -> bool {
        self.grade.passed()
    }
}

/// Each card's reviews, oldest first, from the start of its last run that
/// begins with a learning entry (step 2). Cards with no learning entry have
/// an incomplete history and are left out; their count is returned.
pub fn histories(reviews: Vec<Review>) -> (Vec<Vec<Review>>, usize) {
    let mut by_card: BTreeMap<i64, Vec<Review>> = BTreeMap::new();
    for r in reviews {
        by_card.entry(r.card).or_default().push(r);
    }
    let mut dropped = 0;
    let mut out = Vec::with_capacity(by_card.len());
    for (_, mut rows) in by_card {
        rows.sort_by_key(|r| r.order);
        let start = (0..rows.len())
            .rev()
            .find(|&i| rows[i].learning && (i == 0 || !rows[i - 1].learning));
        match start {
            Some(i) => out.push(rows.split_off(i)),
            None => dropped += 1,
        }
    }
    (out, dropped)
}

/// A review the models are scored on: one after a card's first, made a day
/// or more after the review before it (step 4).
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub recalled: bool,
    pub delta_t: u32,
    pub order: i64,
    /// srs-benchmark's bin: (interval, review count, lapses).
    pub bin: (u32, u32, u32),
    /// P(recall) by model, in the order of the models asked for.
    pub p: Vec<f64>,
}

/// A model to score: SM-2 as mastery runs it, or FSRS with parameters.
#[derive(Debug, Clone)]
pub enum Predictor {
    Sm2,
    Fsrs(Model),
}

/// Replays every history and scores each eligible review with every
/// predictor; each sees only the reviews before the one it predicts.
pub fn score(histories: &[Vec<Review>], predictors: &[Predictor]) -> Vec<Scored> {
    let mut out = Vec::new();
    for h in histories {
        let start = out.len();
        for (i, r) in h.iter().enumerate().skip(1) {
            let delta_t = u32::try_from(r.day - h[i - 1].day).unwrap_or(0);
            if delta_t == 0 {
                continue;
            }
            let earlier = &h[..i];
            let long_term = earlier
                .windows(2)
                .filter(|w| w[1].day > w[0].day)
                .collect::<Vec<_>>();
            let lapses = long_term.iter().filter(|w| !w[1].recalled()).count() as u32;
            // The item's long-term reviews (this one included), plus one.
            let length = long_term.len() as u32 + 2;
            out.push(Scored {
                recalled: r.recalled(),
                delta_t,
                order: r.order,
                bin: bin(delta_t, length, lapses),
                p: Vec::with_capacity(predictors.len()),
            });
        }
        for p in predictors {
            let mut k = start;
            match p {
                Predictor::Sm2 => each_prediction_sm2(h, |prob| {
                    out[k].p.push(prob);
                    k += 1;
                }),
                Predictor::Fsrs(m) => each_prediction_fsrs(m, h, |prob| {
                    out[k].p.push(prob);
                    k += 1;
                }),
            }
        }
    }
    out
}

/// SM-2's recall probability before each scored review: 0.9^(Δt / I),
/// with I the interval SM-2 set after the earlier reviews (the first grade
/// of each day schedules; later ones are re-drills, as in a review).
fn each_prediction_sm2(h: &[Review], mut emit: impl FnMut(f64)) {
    let mut state = CardState::default();
    for (i, r) in h.iter().enumerate() {
        if i > 0 && r.day > h[i - 1].day {
            let delta_t = (r.day - h[i - 1].day) as f64;
            let interval = f64::from(state.interval.max(1));
            emit(0.9f64.powf(delta_t / interval));
        }
        if state.schedules_on(r.day) {
            state = schedule(&state, r.grade, r.day);
        }
    }
}

/// FSRS's retrievability before each scored review, with every earlier
/// review (same-day ones included) stepping the memory.
fn each_prediction_fsrs(m: &Model, h: &[Review], mut emit: impl FnMut(f64)) {
    let mut card = None;
    for (i, r) in h.iter().enumerate() {
        if let Some(c) = card.filter(|_| i > 0 && r.day > h[i - 1].day) {
            let c: super::FsrsCard = c;
            emit(f64::from(m.recall(c.memory, (r.day - c.last_day) as f32)));
        }
        let kind = if card.is_none() {
            ReviewKind::New
        } else if r.day == h[i - 1].day {
            ReviewKind::Drill
        } else {
            ReviewKind::Review
        };
        card = Some(m.review(card, r.grade, r.day, kind));
    }
}

/// srs-benchmark's bins: the interval, the review count and the lapses,
/// each on a logarithmic scale.
fn bin(delta_t: u32, length: u32, lapses: u32) -> (u32, u32, u32) {
    let log_bin = |x: f64, base: f64, scale: f64| {
        (scale * base.powf((x.ln() / base.ln()).floor())).round() as u32
    };
    let d = log_bin(f64::from(delta_t), 3.62, 2.48 * 100.0);
    let l = log_bin(f64::from(length), 1.89, 1.99);
    let lapse = if lapses == 0 {
        0
    } else {
        log_bin(f64::from(lapses), 1.73, 1.65)
    };
    (d, l, lapse)
}

/// How well one model's probabilities match the outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    /// Mean negative log-likelihood of what happened: lower is better.
    pub log_loss: f64,
    /// Root mean square of (predicted − observed recall) over the bins,
    /// each bin weighted by its reviews: lower is better.
    pub rmse_bins: f64,
    /// The chance that a recalled review got a higher probability than a
    /// forgotten one: 0.5 is guessing, higher is better. `None` when every
    /// review had the same outcome.
    pub auc: Option<f64>,
}

/// Probabilities are kept inside (0, 1) so a confident miss costs a large
/// but finite loss.
const EPS: f64 = 1e-6;

/// The metrics of predictions `p` against outcomes `y`, with each
/// review's bin for the RMSE.
pub fn metrics(p: &[f64], y: &[bool], bins: &[(u32, u32, u32)]) -> Option<Metrics> {
    if p.is_empty() || p.len() != y.len() || p.len() != bins.len() {
        return None;
    }
    let n = p.len() as f64;
    let log_loss = p
        .iter()
        .zip(y)
        .map(|(&p, &y)| {
            let p = p.clamp(EPS, 1.0 - EPS);
            if y { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum::<f64>()
        / n;
    let mut groups: HashMap<(u32, u32, u32), (f64, f64, f64)> = HashMap::new();
    for ((&p, &y), b) in p.iter().zip(y).zip(bins) {
        let g = groups.entry(*b).or_default();
        g.0 += p;
        g.1 += f64::from(u8::from(y));
        g.2 += 1.0;
    }
    let mut sq = 0.0;
    // A fixed order, so that the sum is the same on every run.
    let mut keys: Vec<_> = groups.keys().copied().collect();
    keys.sort_unstable();
    for k in keys {
        let (ps, ys, c) = groups[&k];
        sq += (ps / c - ys / c).powi(2) * c;
    }
    Some(Metrics {
        log_loss,
        rmse_bins: (sq / n).sqrt(),
        auc: auc(p, y),
    })
}

/// The area under the ROC curve by ranks (ties share their mean rank).
fn auc(p: &[f64], y: &[bool]) -> Option<f64> {
    let pos = y.iter().filter(|&&v| v).count();
    let neg = y.len() - pos;
    if pos == 0 || neg == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && p[order[j + 1]] == p[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their mean.
        let mean_rank = (i + j + 2) as f64 / 2.0;
        rank_sum += mean_rank * order[i..=j].iter().filter(|&&k| y[k]).count() as f64;
        i = j + 1;
    }
    Some((rank_sum - (pos * (pos + 1)) as f64 / 2.0) / (pos as f64 * neg as f64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn r(card: i64, order: i64, day: Day, grade: u8) -> Review {
        Review {
            card,
            order,
            day,
            grade: Grade::new(i64::from(grade)).unwrap(),
            learning: order == 0,
        }
    }

    #[rstest]
    #[case::all_right(&[0.9, 0.8], &[true, true], None)]
    #[case::perfect(&[0.9, 0.2], &[true, false], Some(1.0))]
    #[case::backwards(&[0.2, 0.9], &[true, false], Some(0.0))]
    #[case::tied(&[0.5, 0.5], &[true, false], Some(0.5))]
    #[case::three(&[0.3, 0.6, 0.9], &[false, true, false], Some(0.5))]
    fn auc_by_ranks(#[case] p: &[f64], #[case] y: &[bool], #[case] expected: Option<f64>) {
        assert_eq!(auc(p, y), expected);
    }

    #[rstest]
    #[case(1, (248, 4, 0))]
    #[case(3, (248, 4, 0))]
    #[case(4, (898, 4, 0))]
    #[case(30, (3250, 4, 0))]
    fn interval_bins_follow_srs_benchmark(#[case] delta_t: u32, #[case] expected: (u32, u32, u32)) {
        assert_eq!(bin(delta_t, 2, 0), expected);
    }

    #[test]
    fn the_last_learning_run_starts_the_history() {
        let mut rows = vec![r(1, 0, 0, 4), r(1, 1, 3, 4), r(1, 2, 9, 4)];
        // Card 1 relearned from scratch at order 2 (a reset in Anki).
        rows[2].learning = true;
        // Card 2 never had a learning entry.
        rows.push(Review {
            learning: false,
            ..r(2, 5, 1, 4)
        });
        let (h, dropped) = histories(rows);
        assert_eq!(dropped, 1);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].iter().map(|r| r.order).collect::<Vec<_>>(), [2]);
    }

    /// Ten reviews on two cards, worked by hand. Card 1: day 0 grade 4
    /// (SM-2 I = 1), day 1 grade 4 (Δt 1, p = 0.9^(1/1) = 0.9; I = 6),
    /// day 7 grade 2 (Δt 6, p = 0.9^(6/6) = 0.9, forgotten; I = 1), same
    /// day grade 4 (a re-drill: not scored), day 8 grade 5 (Δt 1, p = 0.9,
    /// recalled). Card 2: day 0 grade 5 (I = 1), day 2 grade 5 (Δt 2,
    /// p = 0.81; I = 6), day 10 grade 4 (Δt 8, p = 0.9^(8/6) = 0.86894;
    /// I = ⌈6 × 2.70⌉ = 17), day 40 grade 1 (Δt 30, p = 0.9^(30/17) =
    /// 0.83033, forgotten; I = 1), day 41 grade 3 (Δt 1, p = 0.9).
    #[test]
    fn sm2_metrics_match_a_hand_computed_fixture() {
        let rows = vec![
            r(1, 0, 0, 4),
            r(1, 1, 1, 4),
            r(1, 2, 7, 2),
            r(1, 3, 7, 4),
            r(1, 4, 8, 5),
            r(2, 0, 0, 5),
            r(2, 1, 2, 5),
            r(2, 2, 10, 4),
            r(2, 3, 40, 1),
            r(2, 4, 41, 3),
        ];
        let (h, _) = histories(rows);
        let scored = score(&h, &[Predictor::Sm2]);
        let p: Vec<f64> = scored.iter().map(|s| s.p[0]).collect();
        let y: Vec<bool> = scored.iter().map(|s| s.recalled).collect();
        let want = [
            0.9,
            0.9,
            0.9,
            0.81,
            0.9f64.powf(8.0 / 6.0),
            0.9f64.powf(30.0 / 17.0),
            0.9,
        ];
        assert_eq!(p.len(), want.len());
        for (got, want) in p.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{p:?}");
        }
        assert_eq!(y, [true, false, true, true, true, false, true]);
        let bins: Vec<_> = scored.iter().map(|s| s.bin).collect();
        let m = metrics(&p, &y, &bins).unwrap();
        // log loss: −(3 ln .9 + ln .1 + ln .81 + ln .86894 + ln .16967)
        // / 7 = 0.67768
        let expected = -(0.9f64.ln() * 3.0
            + 0.1f64.ln()
            + 0.81f64.ln()
            + 0.9f64.powf(8.0 / 6.0).ln()
            + (1.0 - 0.9f64.powf(30.0 / 17.0)).ln())
            / 7.0;
        assert!((m.log_loss - expected).abs() < 1e-12, "{m:?}");
        assert!((m.log_loss - 0.67768).abs() < 1e-5, "{m:?}");
        // AUC: of the 5 × 2 (recalled, forgotten) pairs, the recalled one
        // scored higher in 4 (0.9 > 0.83 three times, 0.869 > 0.83) and
        // tied 0.9 = 0.9 against the first miss three times: (4 + 1.5) / 10.
        assert_eq!(m.auc, Some(0.55));
        // Bins: every Δt of 1 or 2 shares (248, ·, ·) with review counts
        // and lapses telling them apart; checked by recomputing by hand.
        let by_bin: Vec<((u32, u32, u32), f64, f64)> = {
            let mut g: BTreeMap<(u32, u32, u32), (f64, f64, f64)> = BTreeMap::new();
            for ((p, y), b) in p.iter().zip(&y).zip(&bins) {
                let e = g.entry(*b).or_default();
                e.0 += p;
                e.1 += f64::from(u8::from(*y));
                e.2 += 1.0;
            }
            g.into_iter()
                .map(|(k, (ps, ys, c))| (k, (ps - ys) / c, c))
                .collect()
        };
        let rmse = (by_bin.iter().map(|(_, d, c)| d * d * c).sum::<f64>() / 7.0).sqrt();
        assert!((m.rmse_bins - rmse).abs() < 1e-12);
    }

    #[test]
    fn fsrs_predictions_use_only_earlier_reviews() {
        let m = Model::default_model();
        let rows = vec![r(1, 0, 0, 4), r(1, 1, 2, 4), r(1, 2, 9, 1)];
        let (h, _) = histories(rows.clone());
        let scored = score(&h, &[Predictor::Fsrs(m.clone())]);
        let first = m.review(None, rows[0].grade, 0, ReviewKind::New);
        assert_eq!(scored[0].p[0], f64::from(m.recall(first.memory, 2.0)));
        let second = m.review(Some(first), rows[1].grade, 2, ReviewKind::Review);
        assert_eq!(scored[1].p[0], f64::from(m.recall(second.memory, 7.0)));
    }
}
