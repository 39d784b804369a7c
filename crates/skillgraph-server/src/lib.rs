//! The skillgraph service: the GraphQL schema over the catalog snapshot, the
//! HTTP edge that serves it, and the configuration of the `skillgraph` binary.

pub mod api;
pub mod app;
pub mod cli;
pub mod http;
