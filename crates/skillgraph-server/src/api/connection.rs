//! Relay cursor connections over an ordered list held in memory.
//!
//! A cursor is the opaque form of a position in the filtered, ordered list;
//! `first/after/last/before` follow the Relay connection specification, with
//! a maximum page size.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::error::ApiError;

/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: usize = 100;
/// The page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: usize = 20;

/// A position in a connection's ordered list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position(pub usize);

/// A cursor we did not hand out.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a valid cursor")]
pub struct InvalidCursor(String);

impl From<InvalidCursor> for ApiError {
    fn from(error: InvalidCursor) -> Self {
        ApiError::bad_input(error.to_string())
    }
}

impl CursorType for Position {
    type Error = InvalidCursor;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let malformed = || InvalidCursor(s.to_owned());
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| malformed())?;
        let text = String::from_utf8(bytes).map_err(|_| malformed())?;
        let number = text.strip_prefix("position:").ok_or_else(malformed)?;
        number.parse().map(Position).map_err(|_| malformed())
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("position:{}", self.0))
    }
}

/// Fields every connection has besides edges, nodes and page info.
#[derive(SimpleObject)]
pub struct ConnectionTotals {
    /// How many items match the filter, across all pages.
    pub total_count: usize,
}

/// A connection of `Node`s with a total count.
pub type Page<Node> = Connection<Position, Node, ConnectionTotals>;

/// The pagination arguments of a connection field.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    /// Return at most this many items from the start of the window.
    pub first: Option<i32>,
    /// Start after this cursor.
    pub after: Option<String>,
    /// Return at most this many items from the end of the window.
    pub last: Option<i32>,
    /// End before this cursor.
    pub before: Option<String>,
}

fn page_size(name: &str, value: Option<i32>) -> Result<Option<usize>, ApiError> {
    match value {
        None => Ok(None),
        Some(n) if n < 0 => Err(ApiError::bad_input(format!(
            "`{name}` must not be negative; got {n}"
        ))),
        Some(n) if n as usize > MAX_PAGE_SIZE => Err(ApiError::bad_input(format!(
            "`{name}` may be at most {MAX_PAGE_SIZE}; got {n}"
        ))),
        Some(n) => Ok(Some(n as usize)),
    }
}

impl PageArgs {
    /// Cuts one page out of the whole ordered list of matches.
    pub fn paginate<T: OutputType>(self, all: Vec<T>) -> Result<Page<T>, ApiError> {
        let first = page_size("first", self.first)?;
        let last = page_size("last", self.last)?;
        let total = all.len();
        let mut start = match &self.after {
            Some(cursor) => (Position::decode_cursor(cursor)?.0 + 1).min(total),
            None => 0,
        };
        let mut end = match &self.before {
            Some(cursor) => Position::decode_cursor(cursor)?.0.min(total),
            None => total,
        };
        end = end.max(start);
        let first = if first.is_none() && last.is_none() {
            Some(DEFAULT_PAGE_SIZE)
        } else {
            first
        };
        if let Some(first) = first {
            end = end.min(start + first);
        }
        if let Some(last) = last {
            start = start.max(end.saturating_sub(last));
        }
        let mut page = Connection::with_additional_fields(
            start > 0,
            end < total,
            ConnectionTotals { total_count: total },
        );
        page.edges.extend(
            all.into_iter()
                .enumerate()
                .skip(start)
                .take(end - start)
                .map(|(position, node)| Edge::new(Position(position), node)),
        );
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(args: PageArgs) -> Vec<usize> {
        let page = args.paginate((0..50).collect::<Vec<i32>>()).unwrap();
        page.edges.iter().map(|e| e.cursor.0).collect()
    }

    fn cursor(n: usize) -> Option<String> {
        Some(Position(n).encode_cursor())
    }

    #[test]
    fn pages_follow_the_relay_rules() {
        assert_eq!(window(PageArgs::default()).len(), DEFAULT_PAGE_SIZE);
        assert_eq!(
            window(PageArgs {
                first: Some(3),
                after: cursor(10),
                ..Default::default()
            }),
            [11, 12, 13]
        );
        assert_eq!(
            window(PageArgs {
                last: Some(2),
                before: cursor(10),
                ..Default::default()
            }),
            [8, 9]
        );
        assert_eq!(
            window(PageArgs {
                first: Some(5),
                after: cursor(48),
                ..Default::default()
            }),
            [49]
        );
    }

    #[test]
    fn bad_arguments_are_refused() {
        let refused = |args: PageArgs| args.paginate(vec![1]).is_err();
        assert!(refused(PageArgs {
            first: Some(-1),
            ..Default::default()
        }));
        assert!(refused(PageArgs {
            first: Some(101),
            ..Default::default()
        }));
        assert!(refused(PageArgs {
            after: Some("garbage".into()),
            ..Default::default()
        }));
    }
}
