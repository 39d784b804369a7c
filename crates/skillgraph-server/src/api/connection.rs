//! Relay cursor connections over an ordered list held in memory.
//!
//! A cursor is the opaque form of a position in the filtered, ordered list;
//! `first/after/last/before` follow the Relay connection specification, with
//! a maximum page size.

use std::borrow::Cow;

use async_graphql::connection::{CursorType, PageInfo};
use async_graphql::{Context, Object, OutputType, Result, TypeName};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::error::ApiError;

/// The largest page a client may ask for, unless the operator sets another.
pub const MAX_PAGE_SIZE: usize = 100;

/// The largest page of this process: set once at start (`--max-page-size`).
static PAGE_SIZE_LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

/// Sets the largest page for the life of the process; the first call wins.
pub fn set_max_page_size(size: usize) {
    let _ = PAGE_SIZE_LIMIT.set(size.max(1));
}

/// The largest page a client may ask for in this process.
pub fn max_page_size() -> usize {
    PAGE_SIZE_LIMIT.get().copied().unwrap_or(MAX_PAGE_SIZE)
}
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

/// One item of a page with the cursor of its position.
pub struct PageEdge<N> {
    cursor: Position,
    node: N,
}

/// An item of a connection with the cursor of its position: pass the cursor
/// as `after` or `before` to page from here.
#[Object(name_type)]
impl<N: OutputType> PageEdge<N> {
    /// The position of this item, for `after` and `before`.
    async fn cursor(&self) -> String {
        self.cursor.encode_cursor()
    }

    /// The item.
    async fn node(&self) -> &N {
        &self.node
    }
}

impl<N: OutputType> TypeName for PageEdge<N> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Edge", N::type_name()).into()
    }
}

/// One page of a list that can grow, with a cursor per item.
pub struct Page<N> {
    edges: Vec<PageEdge<N>>,
    has_previous_page: bool,
    has_next_page: bool,
    total_count: usize,
}

/// One page of a filtered, ordered list, with the cursors to fetch the pages
/// around it (Relay cursor connection).
#[Object(name_type)]
impl<N: OutputType> Page<N> {
    /// The items of this page with their cursors.
    async fn edges(&self, ctx: &Context<'_>) -> Result<&[PageEdge<N>]> {
        super::budget::charge_items(ctx, self.edges.len())?;
        Ok(&self.edges)
    }

    /// The items of this page, without cursors.
    async fn nodes(&self, ctx: &Context<'_>) -> Result<Vec<&N>> {
        super::budget::charged(ctx, self.edges.iter().map(|e| &e.node).collect())
    }

    /// Where this page lies in the whole list.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
            start_cursor: self.edges.first().map(|e| e.cursor.encode_cursor()),
            end_cursor: self.edges.last().map(|e| e.cursor.encode_cursor()),
        }
    }

    /// How many items match the filter, across all pages.
    async fn total_count(&self) -> usize {
        self.total_count
    }
}

impl<N: OutputType> TypeName for Page<N> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", N::type_name()).into()
    }
}

impl<N> Page<N> {
    /// The page's items with their positions: what both executors write.
    pub(crate) fn positioned(&self) -> impl ExactSizeIterator<Item = (Position, &N)> {
        self.edges.iter().map(|e| (e.cursor, &e.node))
    }

    /// Whether items come before the page.
    pub(crate) fn more_before(&self) -> bool {
        self.has_previous_page
    }

    /// Whether items come after the page.
    pub(crate) fn more_after(&self) -> bool {
        self.has_next_page
    }

    /// How many items match, across all pages.
    pub(crate) fn count(&self) -> usize {
        self.total_count
    }
}

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
        Some(n) if n as usize > max_page_size() => Err(ApiError::bad_input(format!(
            "`{name}` may be at most {}; got {n}",
            max_page_size()
        ))),
        Some(n) => Ok(Some(n as usize)),
    }
}

impl<N: OutputType> Page<N> {
    /// A page already cut from a longer list: `items` start at position `start` of `total`.
    pub fn window(items: Vec<N>, start: usize, total: usize) -> Self {
        let end = start + items.len();
        Page {
            edges: items
                .into_iter()
                .enumerate()
                .map(|(n, node)| PageEdge {
                    cursor: Position(start + n),
                    node,
                })
                .collect(),
            has_previous_page: start > 0,
            has_next_page: end < total,
            total_count: total,
        }
    }
}

impl PageArgs {
    /// For lists that only page forward: the offset after `after`, and `first`.
    pub fn forward_window(&self) -> Result<(usize, Option<usize>), ApiError> {
        if self.last.is_some() || self.before.is_some() {
            return Err(ApiError::bad_input(
                "this list pages forward only: use `first` and `after`",
            ));
        }
        let first = page_size("first", self.first)?;
        let offset = match &self.after {
            Some(cursor) => Position::decode_cursor(cursor)?.0 + 1,
            None => 0,
        };
        Ok((offset, first))
    }

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
        Ok(Page {
            edges: all
                .into_iter()
                .enumerate()
                .skip(start)
                .take(end - start)
                .map(|(position, node)| PageEdge {
                    cursor: Position(position),
                    node,
                })
                .collect(),
            has_previous_page: start > 0,
            has_next_page: end < total,
            total_count: total,
        })
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
