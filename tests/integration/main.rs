//! The integration tests: every test starts the real `skillgraph` binary on a
//! free loopback port against a fresh database (SQLite, and PostgreSQL when
//! `SKILLGRAPH_TEST_POSTGRES_URL` is set) and talks to it over HTTP.

// A test that meets an unexpected shape should stop right there.
#![allow(clippy::unwrap_used)]

mod architecture;
mod cli;
mod clients;
mod concurrency;
mod connections;
mod content_limits;
mod curation;
mod executors;
mod graph_answers;
mod harness;
mod hostile_queries;
mod http_edge;
mod identities;
mod import_export;
mod learners;
mod lifecycle;
mod limits;
mod outages;
mod persisted;
mod random_queries;
mod read_api;
mod readme;
mod replicas;
mod response_cache;
mod roadmap_import;
mod search;
mod writes;
