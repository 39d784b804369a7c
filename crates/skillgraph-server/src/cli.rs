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
    Serve(Box<ServeArgs>),
    /// Print the GraphQL schema (SDL) to standard output; `schema.graphql` is this output.
    Schema,
    /// Write a large, deterministic catalog in the bundle format, for benchmarks and scale tests.
    Generate(GenerateArgs),
    /// Load a bundle file (YAML) or a roadmap.sh editor folder into the catalog, in one transaction.
    Import(ImportArgs),
    /// Write the whole catalog as a bundle file (YAML) that `import` reads back to the same catalog.
    Export(ExportArgs),
    /// Manage API tokens for writes.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage learners who sign in with a token skillgraph issues.
    #[command(subcommand)]
    Learner(LearnerCommand),
}

/// Learner subcommands.
#[derive(Debug, Subcommand)]
pub enum LearnerCommand {
    /// Create a learner and print their token once; the database keeps only its hash.
    Create(LearnerCreateArgs),
    /// List learners' tokens (id, learner, when made, label); never a token or its hash.
    List(ListArgs),
    /// Revoke a learner's token by the id `learner list` prints: the next
    /// request with it is refused. The learner's statuses stay.
    Revoke(RevokeArgs),
}

/// Options of `skillgraph token list` and `skillgraph learner list`.
#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// Where the catalog is stored.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Options of `skillgraph token revoke` and `skillgraph learner revoke`.
#[derive(Debug, Clone, clap::Args)]
pub struct RevokeArgs {
    /// The token's id, as `list` prints it.
    pub id: i64,

    /// Where the catalog is stored.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Options of `skillgraph learner create`.
#[derive(Debug, Clone, clap::Args)]
pub struct LearnerCreateArgs {
    /// Who or what the token is for.
    #[arg(long, default_value = "cli")]
    pub label: String,

    /// Where the catalog is stored.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// The algorithm of an identity provider's public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JwtAlgorithm {
    /// RSA with SHA-256 (`RS256`).
    Rs256,
    /// ECDSA on P-256 with SHA-256 (`ES256`).
    Es256,
}

/// How learners' JWTs are checked: a shared secret or a public key, and the
/// issuer and audience every token must name.
#[derive(Debug, Clone, clap::Args)]
pub struct JwtArgs {
    /// Accept JWTs signed with this HS256 secret (at least 32 bytes).
    #[arg(
        long,
        env = "SKILLGRAPH_JWT_HS256_SECRET",
        hide_env_values = true,
        conflicts_with = "jwt_public_key",
        requires_all = ["jwt_issuer", "jwt_audience"]
    )]
    pub jwt_hs256_secret: Option<String>,

    /// Accept JWTs signed with the private half of this PEM public key.
    #[arg(
        long,
        env = "SKILLGRAPH_JWT_PUBLIC_KEY",
        requires_all = ["jwt_algorithm", "jwt_issuer", "jwt_audience"]
    )]
    pub jwt_public_key: Option<std::path::PathBuf>,

    /// The algorithm of `--jwt-public-key`.
    #[arg(long, env = "SKILLGRAPH_JWT_ALGORITHM", value_enum)]
    pub jwt_algorithm: Option<JwtAlgorithm>,

    /// The issuer (`iss`) every JWT must name.
    #[arg(long, env = "SKILLGRAPH_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,

    /// The audience (`aud`) every JWT must name.
    #[arg(long, env = "SKILLGRAPH_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
}

/// Token subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it once; the database keeps only its hash.
    Create(TokenCreateArgs),
    /// List editors' and admins' tokens (id, role, when made, label); never a token or its hash.
    List(ListArgs),
    /// Revoke a token by the id `token list` prints: the next request with it is refused.
    Revoke(RevokeArgs),
}

/// The role a new token gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenRole {
    /// Catalog writes.
    Editor,
    /// Catalog writes and token management.
    Admin,
}

/// Options of `skillgraph token create`.
#[derive(Debug, Clone, clap::Args)]
pub struct TokenCreateArgs {
    /// What the token may do.
    #[arg(long, value_enum)]
    pub role: TokenRole,

    /// Who or what the token is for; recorded with every change made with it.
    #[arg(long, default_value = "cli")]
    pub label: String,

    /// Where the catalog is stored.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Options of `skillgraph generate`.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// Which kind of catalog to generate.
    #[arg(long, value_enum, default_value_t = GenerateShape::Areas)]
    pub shape: GenerateShape,

    /// How many skills to generate (`areas` only; about four prerequisite edges each).
    #[arg(long, default_value_t = 1000)]
    pub skills: usize,

    /// How many times the performance suite's dataset to generate (`shared` only).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub scale: u16,

    /// The random seed: the same seed and size always give the same file.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Where to write the bundle; standard output when left out.
    #[arg(long)]
    pub output: Option<std::path::PathBuf>,
}

/// The kinds of catalog `skillgraph generate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenerateShape {
    /// Topic areas of 500 skills with deep chains; one roadmap per area.
    Areas,
    /// The performance suite's dataset: 20 roadmaps × 6 sections × 25 items
    /// over 2,000 shared skills and 200 guides, times `--scale`.
    Shared,
}

/// How log lines are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Options of `skillgraph import`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// A bundle file (`.yaml`) or a folder in the roadmap.sh editor format:
    /// a clone of the roadmap.sh repository, its `src/data/roadmaps`, one
    /// roadmap folder, or a flat folder of roadmap JSON files.
    pub path: std::path::PathBuf,

    /// Import into a catalog that holds data. A bundle file's skills,
    /// roadmaps, authors and guides replace those with the same slug; a
    /// roadmap.sh folder's are united with them (lists unioned, the longer
    /// description kept, each choice reported). The rest is added.
    #[arg(long, env = "SKILLGRAPH_IMPORT_MERGE")]
    pub merge: bool,

    /// Import only this roadmap of a roadmap.sh folder, by folder or file
    /// name (repeatable); all when left out.
    #[arg(long = "roadmap", value_name = "NAME")]
    pub roadmaps: Vec<String>,

    /// Write the fidelity report of a roadmap.sh import (per roadmap: source
    /// nodes by type, skills and items made, how subtopics were placed,
    /// resources read and kept, warnings by kind) to this JSON file.
    #[arg(long, value_name = "FILE.json")]
    pub report: Option<std::path::PathBuf>,

    /// Where the catalog is stored.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Options of `skillgraph export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The bundle file to write.
    pub path: std::path::PathBuf,

    /// Where the catalog is stored.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// The database option every command that touches the catalog shares.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// Database URL: sqlite://PATH (the file is created when missing) or
    /// postgres://USER@HOST:PORT/DB.
    #[arg(
        long,
        env = "SKILLGRAPH_DATABASE_URL",
        default_value = "sqlite://skillgraph.db",
        hide_env_values = true
    )]
    pub database_url: String,
}

/// What one request may ask for; each is refused with a coded error before
/// anything runs.
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Deepest selection nesting (QUERY_TOO_DEEP).
    #[arg(long, env = "SKILLGRAPH_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,

    /// Highest cost: the most fields an answer may hold, every list (a
    /// connection its page) counted at the longest it can be (QUERY_TOO_COMPLEX).
    #[arg(long, env = "SKILLGRAPH_MAX_COMPLEXITY", default_value_t = 50_000)]
    pub max_complexity: usize,

    /// Most aliases, fragments expanded (QUERY_TOO_LARGE).
    #[arg(long, env = "SKILLGRAPH_MAX_ALIASES", default_value_t = 64)]
    pub max_aliases: usize,

    /// Most fields at the root of an operation (QUERY_TOO_LARGE).
    #[arg(long, env = "SKILLGRAPH_MAX_ROOT_FIELDS", default_value_t = 32)]
    pub max_root_fields: usize,

    /// Most fields once fragments are expanded (QUERY_TOO_LARGE).
    #[arg(long, env = "SKILLGRAPH_MAX_FIELDS", default_value_t = 5000)]
    pub max_fields: usize,

    /// Largest page of a connection (`first`/`last`).
    #[arg(long, env = "SKILLGRAPH_MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: usize,

    /// Largest request body in bytes; a larger one is answered 413.
    #[arg(long, env = "SKILLGRAPH_MAX_BODY_BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,

    /// Longest a request may run, in milliseconds (EXECUTION_TIMEOUT).
    #[arg(
        long,
        env = "SKILLGRAPH_EXECUTION_TIMEOUT_MS",
        default_value_t = 10_000
    )]
    pub execution_timeout_ms: u64,

    /// Largest answer in bytes of JSON; a request whose answer grows past
    /// it is stopped (RESPONSE_TOO_LARGE).
    #[arg(long, env = "SKILLGRAPH_MAX_RESPONSE_BYTES", default_value_t = 16 << 20)]
    pub max_response_bytes: usize,

    /// Answer no introspection (`__schema`, `__type`).
    #[arg(long, env = "SKILLGRAPH_NO_INTROSPECTION")]
    pub no_introspection: bool,

    /// Suggest no similar names in validation errors.
    #[arg(long, env = "SKILLGRAPH_NO_SUGGESTIONS")]
    pub no_suggestions: bool,
}

/// How many connections are held and how long each may wait: the bounds
/// that keep idle and slow clients from taking every file descriptor.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectionArgs {
    /// Most HTTP connections open at once; more wait in the listen backlog
    /// until one closes. Keep it, with `--max-websockets`, under the
    /// process's open-file limit (`ulimit -n`).
    #[arg(long, env = "SKILLGRAPH_MAX_CONNECTIONS", default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// How long a client may take to send a request's head (from its first
    /// byte, or from connecting) and again its body, in milliseconds; then
    /// the connection is closed (408 for a body).
    #[arg(long, env = "SKILLGRAPH_HEADER_READ_TIMEOUT_MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_ms: u64,

    /// How long a keep-alive connection may wait for its next request, in
    /// milliseconds; then it is closed.
    #[arg(long, env = "SKILLGRAPH_IDLE_TIMEOUT_MS", default_value_t = 60_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout_ms: u64,

    /// Most WebSockets open at once (both subscription protocols); more are
    /// answered 503 TOO_MANY_WEBSOCKETS. Each also holds a file descriptor.
    #[arg(long, env = "SKILLGRAPH_MAX_WEBSOCKETS", default_value_t = 256)]
    pub max_websockets: usize,

    /// Most operations one WebSocket runs at once; another gets an `error`
    /// message with TOO_MANY_OPERATIONS.
    #[arg(
        long,
        env = "SKILLGRAPH_MAX_OPERATIONS_PER_SOCKET",
        default_value_t = 32
    )]
    pub max_operations_per_socket: usize,
}

/// Options of `skillgraph serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on; port 0 picks a free port, printed on start.
    #[arg(long, env = "SKILLGRAPH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where the catalog is stored.
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Start with an empty catalog instead of loading the bundled dataset into an empty database.
    #[arg(long, env = "SKILLGRAPH_NO_SEED")]
    pub no_seed: bool,

    /// How learners' JWTs are checked.
    #[command(flatten)]
    pub jwt: JwtArgs,

    /// What one request may ask for.
    #[command(flatten)]
    pub limits: LimitArgs,

    /// How many connections and WebSockets are held, and for how long.
    #[command(flatten)]
    pub connections: ConnectionArgs,

    /// Serve GraphiQL's scripts from this `node_modules` folder (holding the
    /// npm packages graphiql@3, react@18 and react-dom@18) instead of a CDN.
    #[arg(long, env = "SKILLGRAPH_GRAPHIQL_ASSETS")]
    pub graphiql_assets: Option<std::path::PathBuf>,

    /// How long shared caches may keep an anonymous GET answer, in seconds
    /// (`Cache-Control: public, max-age`); answers carry an `ETag` of the
    /// catalog version and the request, and `If-None-Match` gets 304.
    #[arg(long, env = "SKILLGRAPH_CACHE_MAX_AGE", default_value_t = 60)]
    pub cache_max_age: u32,

    /// How many MiB of answers to anonymous queries are kept in memory, by
    /// document, operation name, variables and catalog version, and sent
    /// again without running the query; a write makes the old ones
    /// unreachable at once. 0 turns the cache off.
    #[arg(long, env = "SKILLGRAPH_RESPONSE_CACHE_MB", default_value_t = 64)]
    pub response_cache_mb: u64,

    /// How many MiB of automatic persisted queries (Apollo's
    /// `extensions.persistedQuery`) are kept, counted by document size; the
    /// least valuable go first. 0 turns them off.
    #[arg(long, env = "SKILLGRAPH_APQ_CACHE_MB", default_value_t = 16)]
    pub apq_cache_mb: u64,

    /// The largest document, in bytes, that is registered as an automatic
    /// persisted query; a larger one is refused (PERSISTED_QUERY_TOO_LARGE)
    /// and may be sent as a plain query.
    #[arg(long, env = "SKILLGRAPH_APQ_MAX_DOCUMENT_BYTES", default_value_t = 128 << 10)]
    pub apq_max_document_bytes: usize,

    /// Run only the documents of this manifest (a JSON object of SHA-256
    /// hash to document, as graphql-codegen's persisted documents write it),
    /// named by `documentId`, by hash or by their text.
    #[arg(long, env = "SKILLGRAPH_TRUSTED_DOCUMENTS")]
    pub trusted_documents: Option<std::path::PathBuf>,

    /// Requests a second that each bearer token, and each client address
    /// without one, may send to /graphql; past it, 429 with Retry-After. 0 turns it off.
    #[arg(long, env = "SKILLGRAPH_RATE_LIMIT", default_value_t = 200)]
    pub rate_limit: u32,

    /// How many requests beyond the rate a caller may send in a burst.
    #[arg(long, env = "SKILLGRAPH_RATE_BURST", default_value_t = 400)]
    pub rate_burst: u32,

    /// Let browser pages from this origin call the API (CORS); repeat for
    /// more, `*` for any. Off when not given.
    #[arg(long, env = "SKILLGRAPH_CORS_ORIGIN", value_delimiter = ',')]
    pub cors_origin: Vec<String>,

    /// Which executor answers catalog reads: `planned` writes them
    /// straight to JSON from compiled plans, `reference` runs everything
    /// through async-graphql's resolvers (for comparison, or as an escape
    /// hatch).
    #[arg(long, env = "SKILLGRAPH_EXECUTOR", value_enum, default_value_t = crate::api::planned::Executor::Planned)]
    pub executor: crate::api::planned::Executor,

    /// Log filter, in `tracing` env-filter syntax (e.g. `info`, `skillgraph_server=debug`).
    #[arg(long, env = "SKILLGRAPH_LOG", default_value = "info")]
    pub log: String,

    /// Log line format.
    #[arg(long, env = "SKILLGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}
