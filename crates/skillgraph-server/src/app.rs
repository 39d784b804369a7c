//! The running service: the store, the current catalog snapshot and the
//! schema, and the entry point `run(listener, shutdown)` that tests and the
//! binary both drive.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use serde::Deserialize as _;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use skillgraph_identity::Verifier;
use skillgraph_store::{ImportMode, Store, StoreError};
use tokio::net::TcpListener;

use crate::api::live::SnapshotSlot;
use crate::api::{self, CatalogSnapshot, SkillgraphSchema, Snapshot};
use crate::cli::{LogFormat, ServeArgs};

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened, migrated or read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bundle file (or the bundled dataset) could not be read or written.
    #[error(transparent)]
    Bundle(#[from] skillgraph_bundle::BundleError),
    /// The search index could not be built.
    #[error(transparent)]
    Search(#[from] skillgraph_search::SearchError),
    /// An import folder could not be read.
    #[error(transparent)]
    Import(#[from] skillgraph_import::ImportError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The catalog holds data and the import was not asked to merge: nothing was written.
    #[error(
        "the catalog already holds data; pass --merge to put the bundle's skills, roadmaps, authors and guides in place of those with the same slug and add the rest"
    )]
    NotEmpty,
    /// A setting cannot be used; the message names it.
    #[error("{setting}: {message}")]
    Setting {
        /// The option (and its environment variable).
        setting: &'static str,
        /// What is wrong with its value.
        message: String,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address asked for.
        address: std::net::SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Serving failed.
    #[error("serving failed: {0}")]
    Serve(std::io::Error),
}

/// Everything a request handler needs, shared by all of them.
pub struct App {
    schema: SkillgraphSchema,
    /// Plans catalog reads; `None` when every request runs on the reference executor.
    planner: Option<api::planned::Planner>,
    guarded_schema: SkillgraphSchema,
    store: Store,
    slot: SnapshotSlot,
    metrics: Option<PrometheusHandle>,
    verifier: Option<Arc<Verifier>>,
    edge: crate::http::EdgeOptions,
    limits: api::limits::Limits,
    stopping: tokio::sync::watch::Sender<bool>,
    persisted: crate::http::persisted::PersistedQueries,
    response_cache: Option<crate::http::response_cache::ResponseCache>,
    /// One permit per open WebSocket, `--max-websockets` in all.
    websockets: Arc<tokio::sync::Semaphore>,
}

/// How long in-flight requests get to finish once shutdown begins.
const DRAIN_BOUND: std::time::Duration = std::time::Duration::from_secs(20);

/// How the operator set the service up, beyond where its database is.
#[derive(Default)]
pub struct AppOptions {
    /// Load the bundled dataset into an empty database.
    pub seed: bool,
    /// Where metrics are recorded, when they are.
    pub metrics: Option<PrometheusHandle>,
    /// Checks learners' JWTs, when an identity provider is configured.
    pub verifier: Option<Verifier>,
    /// The HTTP edge's options.
    pub edge: crate::http::EdgeOptions,
    /// What one request may ask for.
    pub limits: api::limits::Limits,
    /// The documents known by hash.
    pub persisted: Option<crate::http::persisted::PersistedQueries>,
    /// Which executor answers catalog reads.
    pub executor: api::planned::Executor,
}

impl App {
    /// Opens the store (creating and migrating it as needed), seeds an empty
    /// database with the bundled dataset unless told not to, and loads the
    /// first snapshot.
    pub async fn open(database_url: &str, options: AppOptions) -> Result<Arc<Self>, StartError> {
        let AppOptions {
            seed,
            metrics,
            verifier,
            edge,
            limits,
            persisted,
            executor,
        } = options;
        let store = Store::open(database_url).await?;
        if let Some(verifier) = &verifier {
            // JWT learners' statuses from before learner ids had namespaces.
            store
                .adopt_legacy_jwt_learners(verifier.namespace())
                .await?;
        }
        if seed && store.is_empty().await? {
            let bundle = skillgraph_bundle::bundled()?;
            // Checked again under the write lock: of two replicas starting
            // on one empty database, one seeds it.
            let seeded = store
                .import_bundle(&bundle, "seed", ImportMode::IntoEmpty, &|_, _| {})
                .await?;
            if seeded.is_some() {
                tracing::info!("loaded the bundled dataset into the empty database");
            }
        }
        let loaded = store.load().await?;
        tracing::info!(
            version = loaded.version,
            skills = loaded.catalog.skills().len(),
            roadmaps = loaded.catalog.roadmaps().len(),
            guides = loaded.catalog.guides().len(),
            "catalog snapshot loaded"
        );
        Ok(Arc::new(Self {
            websockets: Arc::new(tokio::sync::Semaphore::new(edge.max_websockets)),
            response_cache: crate::http::response_cache::ResponseCache::new(edge.response_cache_mb),
            schema: api::schema_with(&limits),
            planner: (executor == api::planned::Executor::Planned)
                .then(|| api::planned::Planner::new(&limits)),
            guarded_schema: api::guarded_schema_with(&limits),
            limits,
            store,
            slot: SnapshotSlot::new(CatalogSnapshot::new(loaded)?),
            metrics,
            verifier: verifier.map(Arc::new),
            edge,
            stopping: tokio::sync::watch::channel(false).0,
            persisted: persisted.unwrap_or_else(|| {
                crate::http::persisted::PersistedQueries::new(Default::default(), None)
            }),
        }))
    }

    /// The snapshot new requests read.
    pub fn snapshot(&self) -> Snapshot {
        self.slot.load()
    }

    /// The live catalog: current snapshot and change feed.
    pub fn slot(&self) -> &SnapshotSlot {
        &self.slot
    }

    /// Follows versions committed by other replicas (PostgreSQL only):
    /// reloads on every notification, and after a reconnect catches up on
    /// whatever it may have missed. Runs until the process ends.
    pub async fn follow_replicas(self: Arc<Self>) {
        loop {
            // (Re)connect: LISTEN first, then compare versions, so nothing
            // committed while we were away is missed.
            let mut listener = loop {
                match self.store.listen().await {
                    Ok(Some(listener)) => break listener,
                    Ok(None) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for catalog changes; retrying");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            };
            self.catch_up().await;
            loop {
                match listener.next().await {
                    Ok(skillgraph_store::Heard::Version(version)) => {
                        if version > self.snapshot().version
                            && let Err(e) = self.reload(version).await
                        {
                            tracing::warn!(error = %e, "cannot reload the catalog");
                        }
                    }
                    Ok(skillgraph_store::Heard::Reconnected) => self.catch_up().await,
                    Err(e) => {
                        tracing::warn!(error = %e, "lost the catalog change listener; reconnecting");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                        break;
                    }
                }
            }
        }
    }

    /// Reloads when the committed version is newer than the snapshot's.
    async fn catch_up(&self) {
        match self.store.version().await {
            Ok(version) if version > self.snapshot().version => {
                if let Err(e) = self.reload(version).await {
                    tracing::warn!(error = %e, "cannot reload the catalog");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the catalog version"),
        }
    }

    /// Brings the snapshot up to the committed catalog and makes that
    /// current if it is newer: by replaying the change log after the
    /// snapshot's version when every entry there is a change this build can
    /// apply, else (entries pruned, an import, a version the log skips) by
    /// loading the catalog whole.
    ///
    /// `committed` is a version known to be committed; once this process has
    /// the turn, a snapshot already that new (this replica's own write, whose
    /// notification comes back to it) needs nothing.
    async fn reload(&self, committed: i64) -> Result<(), StartError> {
        let started = std::time::Instant::now();
        let _turn = self.slot.turn().await;
        let base = self.snapshot();
        if base.version >= committed {
            return Ok(());
        }
        let records = self.store.changes_after(base.version).await?;
        let (next, how) = match replay(&base, &records) {
            Some((loaded, touched)) => (
                CatalogSnapshot::after(Arc::clone(&base), loaded, touched).await?,
                "replayed",
            ),
            None => (
                CatalogSnapshot::build(self.store.load().await?).await?,
                "reloaded",
            ),
        };
        let version = next.version;
        let offered = self.slot.offer(Arc::new(next));
        metrics::histogram!("skillgraph_snapshot_reload_seconds")
            .record(started.elapsed().as_secs_f64());
        metrics::counter!("skillgraph_catalog_catch_ups_total", "how" => how).increment(1);
        if offered {
            tracing::info!(
                version,
                how,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "caught up with another replica"
            );
        }
        Ok(())
    }

    /// What a request with this bearer token may use.
    pub fn access(&self, token: Option<String>) -> api::Access {
        api::Access {
            writes: Some(api::mutation::Writes {
                store: self.store.clone(),
                current: self.slot.clone(),
            }),
            token,
            identities: Some(api::caller::Identities {
                store: self.store.clone(),
                verifier: self.verifier.clone(),
            }),
        }
    }

    /// The documents known by hash (automatic persisted queries, or the trusted ones).
    pub fn persisted(&self) -> &crate::http::persisted::PersistedQueries {
        &self.persisted
    }

    /// Whole answers of anonymous catalog queries by request and catalog
    /// version; `None` when the operator turned it off.
    pub fn response_cache(&self) -> Option<&crate::http::response_cache::ResponseCache> {
        self.response_cache.as_ref()
    }

    /// A slot for one more WebSocket, held while it is open; `None` when
    /// as many are open as the operator allows.
    pub fn websocket_slot(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        Arc::clone(&self.websockets).try_acquire_owned().ok()
    }

    /// Turns true when shutdown begins: long-lived connections (WebSocket
    /// subscriptions) complete their operations and close.
    pub fn stopping(&self) -> tokio::sync::watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// What one request may ask for.
    pub fn limits(&self) -> &api::limits::Limits {
        &self.limits
    }

    /// What the operator configured about the HTTP edge.
    pub fn edge(&self) -> &crate::http::EdgeOptions {
        &self.edge
    }

    /// Where GraphiQL's scripts come from.
    pub fn graphiql_assets(&self) -> &crate::http::graphiql::AssetSource {
        &self.edge.graphiql_assets
    }

    /// The GraphQL schema; run it through [`api::execute`] or check the
    /// request with [`api::limits::check_request`] first.
    pub fn schema(&self) -> &SkillgraphSchema {
        &self.schema
    }

    /// The planner of catalog reads, unless `--executor reference` turned it off.
    pub fn planner(&self) -> Option<&api::planned::Planner> {
        self.planner.as_ref()
    }

    /// The same schema with the size checks as an extension, for the legacy
    /// WebSocket protocol, whose executor skillgraph does not drive.
    pub fn guarded_schema(&self) -> &SkillgraphSchema {
        &self.guarded_schema
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Renders the Prometheus metrics, when a recorder is installed.
    pub fn render_metrics(&self) -> Option<String> {
        let handle = self.metrics.as_ref()?;
        metrics::counter!("skillgraph_sql_statements_total").absolute(self.store.statements_sent());
        metrics::gauge!("skillgraph_catalog_version").set(self.snapshot().version as f64);
        let (open, idle) = self.store.pool();
        metrics::gauge!("skillgraph_db_pool_connections", "state" => "open").set(f64::from(open));
        metrics::gauge!("skillgraph_db_pool_connections", "state" => "idle").set(idle as f64);
        metrics::gauge!("skillgraph_apq_cache_bytes").set(self.persisted.weighted_bytes() as f64);
        Some(handle.render())
    }
}

/// Sets up logging to standard error as the options ask.
pub fn init_logging(args: &ServeArgs) {
    let filter = tracing_subscriber::EnvFilter::try_new(&args.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match args.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Serves `app` on `listener` until `shutdown` completes, then lets
/// in-flight requests finish: connections that are idle or still sending
/// a request are closed at once, requests being answered get up to
/// [`DRAIN_BOUND`].
pub async fn run(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let follower = tokio::spawn(Arc::clone(&app).follow_replicas());
    let stopping = Arc::clone(&app);
    let signal = tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: no new connections, finishing what is in flight");
        stopping.stopping.send_replace(true);
    });
    let mut begun = app.stopping();
    let served = crate::http::connections::serve(
        listener,
        crate::http::router(Arc::clone(&app)),
        app.edge().connections,
        app.stopping(),
    );
    // In-flight requests finish; past the bound, what is left is dropped.
    tokio::select! {
        () = served => {}
        () = async {
            let _ = begun.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(DRAIN_BOUND).await;
        } => {
            tracing::warn!(bound_s = DRAIN_BOUND.as_secs(), "requests still open at the shutdown bound; closing anyway");
        }
    }
    signal.abort();
    follower.abort();
    if let Err(e) = app.store.clone().close().await {
        tracing::warn!(error = %e, "closing the database failed");
    }
    tracing::info!("stopped");
    Ok(())
}

/// What `skillgraph serve` does.
pub async fn serve(args: ServeArgs) -> Result<(), StartError> {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let metrics = metrics::set_global_recorder(recorder).ok().map(|()| handle);

    let verifier = jwt_verifier(&args.jwt)?;
    let edge = crate::http::EdgeOptions {
        graphiql_assets: match &args.graphiql_assets {
            Some(dir) => crate::http::graphiql::AssetSource::Local(dir.clone()),
            None => crate::http::graphiql::AssetSource::Cdn,
        },
        cors_origins: args.cors_origin.clone(),
        max_body_bytes: args.limits.max_body_bytes,
        cache_max_age: args.cache_max_age,
        rate_per_second: args.rate_limit,
        rate_burst: args.rate_burst,
        response_cache_mb: args.response_cache_mb,
        connections: crate::http::connections::ConnectionLimits {
            max_connections: args.connections.max_connections as usize,
            header_read_timeout: std::time::Duration::from_millis(
                args.connections.header_read_timeout_ms,
            ),
            idle_timeout: std::time::Duration::from_millis(args.connections.idle_timeout_ms),
        },
        max_websockets: args.connections.max_websockets,
        max_operations_per_socket: args.connections.max_operations_per_socket,
    };
    api::connection::set_max_page_size(args.limits.max_page_size);
    let limits = api::limits::Limits {
        max_depth: args.limits.max_depth,
        max_complexity: args.limits.max_complexity,
        max_aliases: args.limits.max_aliases,
        max_root_fields: args.limits.max_root_fields,
        max_fields: args.limits.max_fields,
        execution_timeout: std::time::Duration::from_millis(args.limits.execution_timeout_ms),
        max_response_bytes: args.limits.max_response_bytes,
        introspection: !args.limits.no_introspection,
        suggestions: !args.limits.no_suggestions,
    };
    let trusted = match &args.trusted_documents {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| StartError::Setting {
                setting: "--trusted-documents (SKILLGRAPH_TRUSTED_DOCUMENTS)",
                message: format!("cannot read {}: {e}", path.display()),
            })?;
            let manifest = crate::http::persisted::PersistedQueries::read_manifest(&text).map_err(
                |message| StartError::Setting {
                    setting: "--trusted-documents (SKILLGRAPH_TRUSTED_DOCUMENTS)",
                    message: format!("{}: {message}", path.display()),
                },
            )?;
            Some(manifest)
        }
        None => None,
    };
    let persisted = crate::http::persisted::PersistedQueries::new(
        crate::http::persisted::Budget {
            total_bytes: args.apq_cache_mb.saturating_mul(1 << 20),
            max_document_bytes: args.apq_max_document_bytes,
        },
        trusted,
    );
    let app = App::open(
        &args.database.database_url,
        AppOptions {
            seed: !args.no_seed,
            metrics,
            verifier,
            edge,
            limits,
            persisted: Some(persisted),
            executor: args.executor,
        },
    )
    .await?;
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|source| StartError::Bind {
            address: args.listen,
            source,
        })?;
    let address = listener.local_addr().map_err(StartError::Serve)?;
    // A machine-readable line on stdout: tests and scripts wait for it.
    println!("skillgraph listening on http://{address}");
    tracing::info!(%address, "serving GraphQL at /graphql and GraphiQL at /");
    run(listener, Arc::clone(&app), shutdown_signal())
        .await
        .map_err(StartError::Serve)?;
    tracing::info!("shutting down");
    let store = app.store.clone();
    drop(app);
    store.close().await?;
    Ok(())
}

/// What `skillgraph import` does: reads a bundle file or a roadmap.sh
/// folder, reports flaws as warnings, and loads it into an empty catalog in
/// one transaction (all or nothing).
pub async fn import(args: &crate::cli::ImportArgs) -> Result<(), StartError> {
    let path = &args.path;
    let folder = path.is_dir();
    // A merge of roadmaps needs to know which topics the catalog already
    // holds on which roadmaps; anything else opens the store only once the
    // input has been read, so unreadable input touches no database.
    let early = if folder && args.merge {
        Some(Store::open(&args.database.database_url).await?)
    } else {
        None
    };
    let bundle = if folder {
        let options = skillgraph_import::ImportOptions {
            roadmaps: args.roadmaps.clone(),
            elsewhere: match &early {
                Some(store) => roadmaps_of_skills(&store.load().await?.catalog),
                None => HashMap::new(),
            },
        };
        let (bundle, report) = skillgraph_import::import_with(path, &options)?;
        for warning in &report.warnings {
            eprintln!("warning: {warning}");
        }
        eprint!("{}", report.summary());
        if let Some(file) = &args.report {
            let json = serde_json::to_string_pretty(&report.fidelity())
                .unwrap_or_else(|_| unreachable!("the report is plain data"));
            std::fs::write(file, json + "\n").map_err(|source| StartError::File {
                path: file.clone(),
                source,
            })?;
        }
        bundle
    } else {
        if !args.roadmaps.is_empty() || args.report.is_some() {
            return Err(StartError::Setting {
                setting: "--roadmap / --report",
                message: format!(
                    "{} is a bundle file; --roadmap and --report apply to a roadmap.sh folder",
                    path.display()
                ),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| StartError::File {
            path: path.clone(),
            source,
        })?;
        skillgraph_bundle::parse(&path.display().to_string(), &text)?
    };
    let store = match early {
        Some(store) => store,
        None => Store::open(&args.database.database_url).await?,
    };
    // Roadmaps each describe part of a skill: they are united with what
    // the catalog holds. A bundle is a curator's whole statement: it replaces.
    let mode = match (args.merge, folder) {
        (false, _) => ImportMode::IntoEmpty,
        (true, true) => ImportMode::Unite,
        (true, false) => ImportMode::Merge,
    };
    // A bar on a terminal; indicatif draws nothing when stderr is not one.
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("importing {bar:40} {pos}/{len} {elapsed}")
    {
        bar.set_style(style);
    }
    let imported = store
        .import_noting(&bundle, "import", mode, &|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .await;
    bar.finish_and_clear();
    let imported = imported?;
    store.close().await?;
    let (loaded, notes) = imported.ok_or(StartError::NotEmpty)?;
    for note in &notes {
        eprintln!("warning: merge: {}", note.message);
    }
    let version = loaded.version;
    eprintln!(
        "imported {} skills, {} roadmaps and {} guides; catalog version {version}",
        bundle.skills.len(),
        bundle.roadmaps.len(),
        bundle.guides.len()
    );
    Ok(())
}

/// The catalog after `records`, applied in order to `base`, and what they
/// touched in the search index; `None` when
/// they cannot all be replayed: a version missing from the log (pruned, or
/// not yet visible), an entry that is no change (an import), or a change
/// the snapshot refuses.
fn replay(
    base: &CatalogSnapshot,
    records: &[skillgraph_store::ChangeRecord],
) -> Option<(skillgraph_store::LoadedCatalog, skillgraph_search::Touched)> {
    let last = records.last()?;
    let mut catalog = base.catalog.clone();
    let mut version = base.version;
    let mut touched = skillgraph_search::Touched::default();
    for record in records {
        if record.version != version + 1 {
            return None;
        }
        let change = skillgraph_domain::change::Change::deserialize(&record.change).ok()?;
        catalog = catalog.apply(&change, record.created).ok()?;
        touched.extend(skillgraph_search::Touched::of(&change, record.created));
        version = record.version;
    }
    let loaded = skillgraph_store::LoadedCatalog {
        catalog,
        version,
        updated_at: last.at,
    };
    Some((loaded, touched))
}

/// The roadmaps (slugs) the catalog puts each skill (slug) on, so an
/// import merged into it knows which topics are shared.
fn roadmaps_of_skills(catalog: &skillgraph_domain::Catalog) -> HashMap<String, Vec<String>> {
    catalog
        .skills()
        .map(|skill| {
            let on = catalog
                .roadmaps_with(skill.id)
                .iter()
                .filter_map(|&id| catalog.roadmap(id))
                .map(|roadmap| roadmap.slug.to_string())
                .collect();
            (skill.slug.to_string(), on)
        })
        .collect()
}

/// The JWT verifier the options ask for, if any.
fn jwt_verifier(args: &crate::cli::JwtArgs) -> Result<Option<Verifier>, StartError> {
    use skillgraph_identity::{JwtConfig, SigningKey};
    let (key, setting) = match (&args.jwt_hs256_secret, &args.jwt_public_key) {
        (Some(secret), _) => (
            SigningKey::Hs256(secret.as_bytes().to_vec()),
            "--jwt-hs256-secret (SKILLGRAPH_JWT_HS256_SECRET)",
        ),
        (None, Some(path)) => {
            let pem = std::fs::read(path).map_err(|e| StartError::Setting {
                setting: "--jwt-public-key (SKILLGRAPH_JWT_PUBLIC_KEY)",
                message: format!("cannot read {}: {e}", path.display()),
            })?;
            let key = match args.jwt_algorithm {
                Some(crate::cli::JwtAlgorithm::Es256) => SigningKey::Es256(pem),
                Some(crate::cli::JwtAlgorithm::Rs256) | None => SigningKey::Rs256(pem),
            };
            (key, "--jwt-public-key (SKILLGRAPH_JWT_PUBLIC_KEY)")
        }
        (None, None) => return Ok(None),
    };
    let config = JwtConfig {
        key,
        issuer: args.jwt_issuer.clone().unwrap_or_default(),
        audience: args.jwt_audience.clone().unwrap_or_default(),
    };
    Verifier::new(&config)
        .map(Some)
        .map_err(|e| StartError::Setting {
            setting,
            message: e.to_string(),
        })
}

/// What `skillgraph learner create` does: a new learner and their token.
pub async fn create_learner(
    args: &crate::cli::LearnerCreateArgs,
) -> Result<(String, String), StartError> {
    let store = Store::open(&args.database.database_url).await?;
    let created = store.create_learner(&args.label).await?;
    store.close().await?;
    Ok(created)
}

/// What `skillgraph export` does: the whole catalog as a bundle file.
pub async fn export(args: &crate::cli::ExportArgs) -> Result<(), StartError> {
    let store = Store::open(&args.database.database_url).await?;
    let loaded = store.load().await?;
    store.close().await?;
    let text = skillgraph_bundle::to_yaml(&loaded.catalog.to_bundle())?;
    std::fs::write(&args.path, text).map_err(|source| StartError::File {
        path: args.path.clone(),
        source,
    })?;
    eprintln!(
        "exported {} skills at catalog version {} to {}",
        loaded.catalog.skills().len(),
        loaded.version,
        args.path.display()
    );
    Ok(())
}

/// What `skillgraph token create` does: a new token, returned once.
pub async fn create_token(args: &crate::cli::TokenCreateArgs) -> Result<String, StartError> {
    let store = Store::open(&args.database.database_url).await?;
    let role = match args.role {
        crate::cli::TokenRole::Editor => skillgraph_store::Role::Editor,
        crate::cli::TokenRole::Admin => skillgraph_store::Role::Admin,
    };
    let token = store.create_token(role, &args.label).await?;
    store.close().await?;
    Ok(token)
}

/// A label as one line of a listing: control characters escaped.
fn one_line(label: &str) -> String {
    let mut line = String::with_capacity(label.len());
    for c in label.chars() {
        if c.is_control() {
            line.extend(c.escape_default());
        } else {
            line.push(c);
        }
    }
    line
}

/// What `skillgraph token list` prints: a tab-separated line per token,
/// oldest first, under a header; never a token or its hash.
pub async fn list_tokens(args: &crate::cli::ListArgs) -> Result<String, StartError> {
    let store = Store::open(&args.database.database_url).await?;
    let listing = store.api_tokens(0, None).await?;
    store.close().await?;
    let mut text = String::from("id\trole\tcreated\tlabel\n");
    for token in listing.items {
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            token.id,
            token.role.as_str(),
            token
                .created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            one_line(&token.label)
        ));
    }
    Ok(text)
}

/// What `skillgraph token revoke` does: the token as it was, or `None`
/// for an unknown id.
pub async fn revoke_token(
    args: &crate::cli::RevokeArgs,
) -> Result<Option<skillgraph_store::ApiTokenRecord>, StartError> {
    let store = Store::open(&args.database.database_url).await?;
    let revoked = store.revoke_api_token(args.id).await?;
    store.close().await?;
    Ok(revoked)
}

/// What `skillgraph learner list` prints: a tab-separated line per learner
/// token, oldest first, under a header; never a token or its hash.
pub async fn list_learners(args: &crate::cli::ListArgs) -> Result<String, StartError> {
    let store = Store::open(&args.database.database_url).await?;
    let listing = store.learner_tokens(0, None).await?;
    store.close().await?;
    let mut text = String::from("id\tlearner\tcreated\tlabel\n");
    for token in listing.items {
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            token.id,
            token.learner,
            token
                .created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            one_line(&token.label)
        ));
    }
    Ok(text)
}

/// What `skillgraph learner revoke` does: the token as it was, or `None`
/// for an unknown id.
pub async fn revoke_learner(
    args: &crate::cli::RevokeArgs,
) -> Result<Option<skillgraph_store::LearnerTokenRecord>, StartError> {
    let store = Store::open(&args.database.database_url).await?;
    let revoked = store.revoke_learner_token(args.id).await?;
    store.close().await?;
    Ok(revoked)
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
