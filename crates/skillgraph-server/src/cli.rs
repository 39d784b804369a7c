//! The `skillgraph` command line: every option of `serve` is also an
//! environment variable, so the same binary is configured the same way on a
//! laptop, in CI and behind a process manager.

use std::net::SocketAddr;

use clap::{Parser, Subcommand, ValueEnum};

/// skillgraph: a GraphQL API over a skill knowledge graph.
#[derive(Debug, Parser)]
#[command(name = "skillgraph", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (and GraphiQL) over HTTP.
    ///
    /// On first start against an empty database it creates the schema and
    /// loads the bundled backend dataset.
    Serve(ServeArgs),
    /// Print the GraphQL schema (SDL) to standard output; `schema.graphql` is this output.
    Schema,
}

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Options of `skillgraph serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on; port 0 picks a free port, printed on start.
    #[arg(long, env = "SKILLGRAPH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Database URL: sqlite://PATH (the file is created when missing) or
    /// postgres://USER@HOST:PORT/DB.
    #[arg(
        long,
        env = "SKILLGRAPH_DATABASE_URL",
        default_value = "sqlite://skillgraph.db",
        hide_env_values = true
    )]
    pub database_url: String,

    /// Start with an empty catalog instead of loading the bundled dataset into an empty database.
    #[arg(long, env = "SKILLGRAPH_NO_SEED")]
    pub no_seed: bool,

    /// Log filter, in `tracing` env-filter syntax (e.g. `info`, `skillgraph_server=debug`).
    #[arg(long, env = "SKILLGRAPH_LOG", default_value = "info")]
    pub log: String,

    /// Log line format.
    #[arg(long, env = "SKILLGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}
