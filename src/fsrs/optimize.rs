//! Fitting FSRS parameters to a review history with the crate's
//! optimizer, and the training items it learns from.

use std::sync::Arc;

use ::fsrs::{CombinedProgressState, ComputeParametersInput, FSRSItem, FSRSReview};

use super::eval::Review;
use super::model::rating;

/// Below this many training items the crate does not train: it returns
/// the defaults (under 8) or fits only the initial stabilities (under 64).
pub const MIN_ITEMS: usize = 64;

/// The crate's training items: one per review made a day or more after
/// the one before it, holding the card's history up to and including it.
/// Only reviews with `order < before` are used, when given.
pub fn items(histories: &[Vec<Review>], before: Option<i64>) -> Vec<FSRSItem> {
    let mut out = Vec::new();
    for h in histories {
        let h: Vec<&Review> = h
            .iter()
            .take_while(|r| before.is_none_or(|b| r.order < b))
            .collect();
        let reviews: Vec<FSRSReview> = h
            .iter()
            .enumerate()
            .map(|(i, r)| FSRSReview {
                rating: rating(r.grade),
                delta_t: if i == 0 {
                    0
                } else {
                    u32::try_from(r.day - h[i - 1].day).unwrap_or(0)
                },
            })
            .collect();
        for i in 1..reviews.len() {
            if reviews[i].delta_t > 0 {
                out.push(FSRSItem {
                    reviews: reviews[..=i].to_vec(),
                });
            }
        }
    }
    out
}

/// Why a fit did not happen.
#[derive(Debug, Clone, PartialEq)]
pub enum FitError {
    /// Fewer items than `MIN_ITEMS`: (have, need).
    TooFew(usize, usize),
    /// The crate refused or failed.
    Failed(String),
}

impl std::fmt::Display for FitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FitError::TooFew(have, need) => write!(
                f,
                "fitting needs at least {need} reviews made a day or more after the card's previous review; there are {have}, so {} more are needed",
                need - have
            ),
            FitError::Failed(why) => write!(f, "the FSRS optimizer failed: {why}"),
        }
    }
}

/// Fits FSRS-6 parameters to `items`. `progress` is called now and then
/// with (done, total) while training runs.
pub fn fit(
    items: Vec<FSRSItem>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<f32>, FitError> {
    if items.len() < MIN_ITEMS {
        return Err(FitError::TooFew(items.len(), MIN_ITEMS));
    }
    let state = CombinedProgressState::new_shared();
    let input = ComputeParametersInput {
        train_set: items,
        progress: Some(Arc::clone(&state)),
        ..ComputeParametersInput::default()
    };
    // Training runs on its own thread so that progress can be shown here.
    let worker = std::thread::spawn(move || ::fsrs::compute_parameters(input));
    while !worker.is_finished() {
        if let Ok(p) = state.lock() {
            progress(p.current(), p.total());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if let Ok(p) = state.lock() {
        progress(p.total(), p.total());
    }
    match worker.join() {
        Ok(Ok(params)) => Ok(params),
        Ok(Err(e)) => Err(FitError::Failed(format!("{e:?}"))),
        Err(_) => Err(FitError::Failed("the training thread stopped".to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::Grade;

    fn r(order: i64, day: i64, grade: u8) -> Review {
        Review {
            card: 1,
            order,
            day,
            grade: Grade::new(i64::from(grade)).unwrap(),
            learning: order == 0,
        }
    }

    #[test]
    fn one_item_per_later_day_review_with_its_history() {
        let h = vec![vec![r(0, 0, 4), r(1, 0, 2), r(2, 3, 5), r(3, 10, 1)]];
        let items = items(&h, None);
        assert_eq!(items.len(), 2);
        let ratings: Vec<(u32, u32)> = items[1]
            .reviews
            .iter()
            .map(|r| (r.rating, r.delta_t))
            .collect();
        assert_eq!(ratings, [(3, 0), (1, 0), (4, 3), (1, 7)]);
        assert_eq!(super::items(&h, Some(3)).len(), 1);
    }

    #[test]
    fn too_few_items_say_how_many_more() {
        let e = fit(Vec::new(), &mut |_, _| {}).unwrap_err();
        assert_eq!(e, FitError::TooFew(0, MIN_ITEMS));
        assert!(e.to_string().contains("64 more are needed"), "{e}");
    }
}
