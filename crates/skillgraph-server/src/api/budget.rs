//! What one request may still spend while it runs: a deadline and a number
//! of answer bytes. The cost check bounds a request before it runs; the
//! budget stops it while it runs, which no timer can do for resolvers that
//! never yield (catalog reads are plain computation on one thread).
//!
//! Resolvers charge it where an answer grows: every list charges its items
//! (each at least [`ITEM_BYTES`] of JSON once written) and every long text
//! its length. A charge past the deadline or the byte cap fails with a
//! coded error, and so does every charge after it, so a request winds down
//! within one more list of the moment it ran out. The executor then answers
//! the one error instead of the partial answer.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_graphql::Context;

use super::error::ApiError;

/// What one item of a list costs at least, in answer bytes: its braces,
/// the comma and a field name.
pub const ITEM_BYTES: usize = 16;

/// Why a request was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exhausted {
    /// It ran past the execution timeout.
    Deadline,
    /// Its answer grew past the response size cap.
    Bytes,
}

const NOT_EXHAUSTED: u8 = 0;
const DEADLINE: u8 = 1;
const BYTES: u8 = 2;

/// The budget of one request, shared by all its resolvers.
#[derive(Debug)]
pub struct Budget {
    deadline: Option<Instant>,
    timeout: Duration,
    max_bytes: usize,
    spent: AtomicUsize,
    exhausted: AtomicU8,
}

impl Budget {
    /// A budget of `max_bytes` answer bytes, and `timeout` from now when
    /// given (reads); writes run to their end and get none.
    pub fn new(timeout: Option<Duration>, max_bytes: usize) -> Self {
        Self {
            deadline: timeout.map(|t| Instant::now() + t),
            timeout: timeout.unwrap_or_default(),
            max_bytes,
            spent: AtomicUsize::new(0),
            exhausted: AtomicU8::new(NOT_EXHAUSTED),
        }
    }

    /// Spends `bytes`; fails once the deadline has passed or the cap is reached.
    pub fn spend(&self, bytes: usize) -> Result<(), ApiError> {
        if let Some(why) = self.exhausted() {
            return Err(self.error(why));
        }
        let spent = self
            .spent
            .fetch_add(bytes, Ordering::Relaxed)
            .saturating_add(bytes);
        let why = if spent > self.max_bytes {
            BYTES
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            DEADLINE
        } else {
            return Ok(());
        };
        // The first reason sticks.
        let _ = self.exhausted.compare_exchange(
            NOT_EXHAUSTED,
            why,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
        Err(self.error(self.exhausted().unwrap_or(Exhausted::Bytes)))
    }

    /// Why the request was stopped, if it was.
    pub fn exhausted(&self) -> Option<Exhausted> {
        match self.exhausted.load(Ordering::Relaxed) {
            DEADLINE => Some(Exhausted::Deadline),
            BYTES => Some(Exhausted::Bytes),
            _ => None,
        }
    }

    /// The error a request stopped for this reason answers.
    pub fn error(&self, why: Exhausted) -> ApiError {
        match why {
            Exhausted::Deadline => ApiError::ExecutionTimeout(self.timeout),
            Exhausted::Bytes => ApiError::ResponseTooLarge(self.max_bytes),
        }
    }
}

/// Charges a list of `items` to the request's budget. Requests run
/// without one (tests of the schema alone) are not limited.
pub fn charge_items(ctx: &Context<'_>, items: usize) -> Result<(), ApiError> {
    charge_bytes(ctx, items.saturating_mul(ITEM_BYTES))
}

/// Charges `bytes` of answer text to the request's budget.
pub fn charge_bytes(ctx: &Context<'_>, bytes: usize) -> Result<(), ApiError> {
    match ctx.data_opt::<std::sync::Arc<Budget>>() {
        Some(budget) => budget.spend(bytes),
        None => Ok(()),
    }
}

/// Charges a list to the budget and hands it back: the one line every list
/// resolver ends with.
pub fn charged<T>(ctx: &Context<'_>, items: Vec<T>) -> async_graphql::Result<Vec<T>> {
    charge_items(ctx, items.len())?;
    Ok(items)
}

/// Charges a text to the budget and hands it back.
pub fn charged_text<'t>(ctx: &Context<'_>, text: &'t str) -> async_graphql::Result<&'t str> {
    charge_bytes(ctx, text.len())?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_sticks_and_every_later_charge_fails() {
        let budget = Budget::new(None, 100);
        assert!(budget.spend(60).is_ok());
        assert!(budget.spend(60).is_err());
        assert_eq!(budget.exhausted(), Some(Exhausted::Bytes));
        assert!(budget.spend(0).is_err(), "exhausted for good");

        let late = Budget::new(Some(Duration::ZERO), usize::MAX);
        assert!(late.spend(1).is_err());
        assert_eq!(late.exhausted(), Some(Exhausted::Deadline));
    }
}
