//! The skill graph as plain data: skills, prerequisites, roadmaps, resources,
//! guides and authors, their validated building blocks, and the immutable
//! [`Catalog`] that indexes them for reads.
//!
//! This crate does no IO, knows nothing of SQL, GraphQL, HTTP or async: every
//! other crate builds on it, and everything here can be tested with plain
//! values.

pub mod bundle;
pub mod catalog;
pub mod change;
pub mod graph;
pub mod learning;
pub mod model;
pub mod unite;
pub mod values;

pub use bundle::*;
pub use catalog::{ApplyError, Catalog, CatalogError};
pub use model::*;
pub use unite::{UniteNote, unite_resources};
pub use values::*;
