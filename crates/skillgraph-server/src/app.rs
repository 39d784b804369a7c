//! The running service: the store, the current catalog snapshot and the
//! schema, and the entry point `run(listener, shutdown)` that tests and the
//! binary both drive.

use std::future::Future;
use std::sync::Arc;

use arc_swap::ArcSwap;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use skillgraph_store::{Store, StoreError};
use tokio::net::TcpListener;

use crate::api::{self, SkillgraphSchema, Snapshot};
use crate::cli::{LogFormat, ServeArgs};

/// Why the service could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened, migrated or read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The bundled dataset could not be read (a build defect).
    #[error("the bundled dataset is unreadable: {0}")]
    Bundle(#[from] skillgraph_bundle::BundleError),
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
    store: Store,
    current: ArcSwap<skillgraph_store::LoadedCatalog>,
    metrics: Option<PrometheusHandle>,
}

impl App {
    /// Opens the store (creating and migrating it as needed), seeds an empty
    /// database with the bundled dataset unless told not to, and loads the
    /// first snapshot.
    pub async fn open(
        database_url: &str,
        seed: bool,
        metrics: Option<PrometheusHandle>,
    ) -> Result<Arc<Self>, StartError> {
        let store = Store::open(database_url).await?;
        if seed && store.is_empty().await? {
            let bundle = skillgraph_bundle::bundled()?;
            store.import_bundle(&bundle).await?;
            tracing::info!("loaded the bundled dataset into the empty database");
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
            schema: api::schema(),
            store,
            current: ArcSwap::from_pointee(loaded),
            metrics,
        }))
    }

    /// The snapshot new requests read.
    pub fn snapshot(&self) -> Snapshot {
        self.current.load_full()
    }

    /// The GraphQL schema.
    pub fn schema(&self) -> &SkillgraphSchema {
        &self.schema
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
/// in-flight requests finish.
pub async fn run(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, crate::http::router(app))
        .with_graceful_shutdown(shutdown)
        .await
}

/// What `skillgraph serve` does.
pub async fn serve(args: ServeArgs) -> Result<(), StartError> {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let metrics = metrics::set_global_recorder(recorder).ok().map(|()| handle);

    let app = App::open(&args.database_url, !args.no_seed, metrics).await?;
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
    if let Ok(app) = Arc::try_unwrap(app) {
        app.store.close().await?;
    }
    Ok(())
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
