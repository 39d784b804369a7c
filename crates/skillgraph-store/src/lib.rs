//! Persistence for skillgraph: the database is the source of truth, and this
//! crate is the only one that speaks to it.
//!
//! It connects to SQLite (the embedded default) or PostgreSQL, runs the
//! migrations, writes changes in one transaction each, and reads the whole
//! catalog back as a [`LoadedCatalog`] from which every read is served.
//!
//! Writers that overlap wait for each other rather than fail. SQLite runs
//! in WAL mode (readers never wait for the writer) with a busy timeout, and
//! every transaction that writes begins through `Store::begin_write`: on
//! SQLite it takes this process's write lock and begins `IMMEDIATE`, so it
//! holds SQLite's write lock from its first statement. A deferred
//! transaction that read first and then wrote could not wait: SQLite fails
//! such an upgrade at once with `SQLITE_BUSY` (5) while another connection
//! writes, or `SQLITE_BUSY_SNAPSHOT` (517) when one has written since its
//! read, and no busy timeout helps. Single statements outside a transaction
//! never upgrade and wait on the busy timeout.

mod convert;
pub mod entities;
mod import;
mod learners;
mod listen;
pub mod scratch;
mod tokens;
mod writes;

pub use import::{ImportMode, ImportProgress};
pub use learners::{LearnerStats, StatusRecord};
pub use listen::{ChangeListener, Heard};
pub use tokens::{ApiTokenRecord, LearnerTokenRecord, Listing};
pub use writes::{Actor, Applied, CHANGES_CHANNEL, ChangeRecord, Role};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sqlx;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectOptions, ConnectionTrait, Database,
    DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait, QueryOrder,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use skillgraph_domain::{Catalog, CatalogError};
use skillgraph_migrations::Migrator;
use skillgraph_migrations::MigratorTrait;

use crate::entities::*;

/// Why the store could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL names no engine we support.
    #[error(
        "unsupported database URL `{0}`: use sqlite://PATH (or sqlite::memory:) or postgres://USER@HOST/DB"
    )]
    UnsupportedUrl(String),
    /// The database could not be reached or opened.
    #[error("could not open the database at {target}: {source}")]
    Connect {
        /// The URL without any password.
        target: String,
        /// What the driver said.
        source: DbErr,
    },
    /// The migrations failed.
    #[error("could not migrate the database: {0}")]
    Migrate(DbErr),
    /// A statement failed.
    #[error("database error: {0}")]
    Database(DbErr),
    /// The database cannot be reached right now; nothing was written.
    #[error("the database is unavailable: {0}")]
    Unavailable(DbErr),
    /// A stored row does not hold a valid value.
    #[error("stored {table} row {id} is invalid: {reason}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The row's key.
        id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The stored rows do not form a consistent catalog.
    #[error("{0}")]
    Inconsistent(#[from] CatalogError),
    /// Listening for other processes' commits failed.
    #[error("listening for catalog changes failed: {0}")]
    Listen(String),
    /// The bundle would not make a consistent catalog with what is there;
    /// nothing was written.
    #[error("the import was refused: {0}")]
    BadImport(CatalogError),
    /// The change may not be applied to the committed catalog; nothing was written.
    #[error("{0}")]
    Refused(skillgraph_domain::change::ChangeError),
}

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded default: one file.
    Sqlite,
    /// The scale-out engine: a server shared by many replicas.
    Postgres,
}

/// The catalog as loaded, with the version it was loaded at.
#[derive(Debug, Clone)]
pub struct LoadedCatalog {
    /// The indexed graph.
    pub catalog: Catalog,
    /// The catalog version: bumped by every committed change.
    pub version: i64,
    /// When the version last changed.
    pub updated_at: DateTime<Utc>,
}

/// A connection pool to the database, with a count of the statements sent.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    engine: Engine,
    statements: Arc<AtomicU64>,
    /// Serializes this process's catalog writes, and on SQLite every write
    /// transaction; the database serializes across processes.
    write_lock: Arc<tokio::sync::Mutex<()>>,
}

/// What a write transaction touches, which decides whom it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteScope {
    /// The catalog: serialized on every engine (and across processes on
    /// PostgreSQL by an advisory lock), since each write is checked against
    /// the newest committed catalog.
    Catalog,
    /// Learner data: rows of one learner, which PostgreSQL locks row by row;
    /// serialized on SQLite only, where there is one writer at a time anyway.
    Learner,
}

/// This process's turn to write, held until its transaction has ended;
/// `None` where the write needs no turn.
pub(crate) type WriteTurn = Option<tokio::sync::OwnedMutexGuard<()>>;

/// How long a SQLite writer waits for another process's write lock before
/// it gives up with "database is busy" (answered as unavailable, not as an
/// internal error). Writers of this process queue on the store's lock first.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Strips a password from a URL before it is shown.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

impl Store {
    /// Opens the database at `url`, creating a SQLite file when missing, and
    /// runs every pending migration.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(false)
            .connect_timeout(Duration::from_secs(3))
            // Writes fail fast when the database is away; reads never wait on it.
            .acquire_timeout(Duration::from_secs(3));
        if engine == Engine::Sqlite {
            options.max_connections(4).map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
            });
        } else {
            options.max_connections(16);
        }
        let mut db = Database::connect(options)
            .await
            .map_err(|source| StoreError::Connect {
                target: redact(url),
                source,
            })?;
        Migrator::up(&db, None).await.map_err(StoreError::Migrate)?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&statements);
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Self {
            db,
            engine,
            statements,
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// The engine this store runs on.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// How many SQL statements this store has sent since it opened (the
    /// migrations excepted): the proof that reads do not touch the database.
    pub fn statements_sent(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The connection pool: open connections and how many of them are idle.
    pub fn pool(&self) -> (u32, usize) {
        match self.engine {
            Engine::Sqlite => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            Engine::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
        }
    }

    /// Whether the catalog holds nothing yet: a fresh database.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(skill::Entity::find().count(&self.db).await? == 0
            && roadmap::Entity::find().count(&self.db).await? == 0
            && guide::Entity::find().count(&self.db).await? == 0)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        Ok(self.db.ping().await?)
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<(), StoreError> {
        Ok(self.db.close().await?)
    }

    /// Begins a transaction that writes, after the writers it must wait for.
    ///
    /// Catalog writes take this process's write lock on every engine and,
    /// on PostgreSQL, the advisory lock that serializes replicas. On SQLite
    /// every write takes the lock and begins `IMMEDIATE`, holding SQLite's
    /// write lock (waiting up to [`SQLITE_BUSY_TIMEOUT`] for another
    /// process) before it reads anything, so it never has to upgrade a read
    /// snapshot. Keep the turn alive until the transaction has committed or
    /// rolled back: bind both, turn first (`let (_turn, txn) = ...`), so the
    /// transaction is dropped, and rolled back, before the turn.
    pub(crate) async fn begin_write(
        &self,
        scope: WriteScope,
    ) -> Result<(WriteTurn, DatabaseTransaction), StoreError> {
        let turn = if scope == WriteScope::Catalog || self.engine == Engine::Sqlite {
            Some(Arc::clone(&self.write_lock).lock_owned().await)
        } else {
            None
        };
        let txn = match self.engine {
            Engine::Sqlite => {
                self.db
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..TransactionOptions::default()
                    })
                    .await?
            }
            Engine::Postgres => self.db.begin().await?,
        };
        if self.engine == Engine::Postgres && scope == WriteScope::Catalog {
            txn.execute_unprepared(&format!(
                "SELECT pg_advisory_xact_lock({})",
                writes::WRITE_LOCK_KEY
            ))
            .await?;
        }
        Ok((turn, txn))
    }

    /// Reads the whole catalog in one read transaction.
    pub async fn load(&self) -> Result<LoadedCatalog, StoreError> {
        let txn = self.db.begin().await?;
        let loaded = read_catalog(&txn).await?;
        txn.commit().await?;
        Ok(loaded)
    }
}

impl From<DbErr> for StoreError {
    fn from(error: DbErr) -> Self {
        use sea_orm::RuntimeErr;
        let unreachable = |e: &sqlx::Error| {
            matches!(
                e,
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed
                    | sqlx::Error::Tls(_)
            )
        };
        // SQLITE_BUSY and its extended codes (517 is SQLITE_BUSY_SNAPSHOT):
        // another writer held the database past the busy timeout.
        let busy = |e: &sqlx::Error| match e {
            sqlx::Error::Database(e) => e
                .try_downcast_ref::<sqlx::sqlite::SqliteError>()
                .and_then(sqlx::error::DatabaseError::code)
                .and_then(|code| code.parse::<i32>().ok())
                .is_some_and(|code| code & 0xff == 5),
            _ => false,
        };
        let away = match &error {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
            DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
                unreachable(e) || busy(e)
            }
            _ => false,
        };
        if away {
            StoreError::Unavailable(error)
        } else {
            StoreError::Database(error)
        }
    }
}

/// Reads the whole catalog and its version through `conn` (a transaction,
/// so that both come from one moment).
async fn read_catalog(conn: &impl ConnectionTrait) -> Result<LoadedCatalog, StoreError> {
    let state = catalog_state::Entity::find_by_id(1)
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::Corrupt {
            table: "catalog_state",
            id: "1".into(),
            reason: "the version row is missing".into(),
        })?;
    let rows = convert::Rows {
        skills: skill::Entity::find()
            .order_by_asc(skill::Column::Id)
            .all(conn)
            .await?,
        prerequisites: skill_prerequisite::Entity::find()
            .order_by_asc(skill_prerequisite::Column::SkillId)
            .order_by_asc(skill_prerequisite::Column::Position)
            .all(conn)
            .await?,
        relations: skill_relation::Entity::find()
            .order_by_asc(skill_relation::Column::SkillId)
            .order_by_asc(skill_relation::Column::RelatedId)
            .all(conn)
            .await?,
        resources: resource::Entity::find()
            .order_by_asc(resource::Column::SkillId)
            .order_by_asc(resource::Column::Position)
            .all(conn)
            .await?,
        roadmaps: roadmap::Entity::find()
            .order_by_asc(roadmap::Column::Id)
            .all(conn)
            .await?,
        sections: roadmap_section::Entity::find()
            .order_by_asc(roadmap_section::Column::RoadmapId)
            .order_by_asc(roadmap_section::Column::Position)
            .all(conn)
            .await?,
        items: roadmap_item::Entity::find()
            .order_by_asc(roadmap_item::Column::SectionId)
            .order_by_asc(roadmap_item::Column::Position)
            .all(conn)
            .await?,
        roadmap_relations: roadmap_relation::Entity::find()
            .order_by_asc(roadmap_relation::Column::RoadmapId)
            .order_by_asc(roadmap_relation::Column::Position)
            .all(conn)
            .await?,
        authors: author::Entity::find()
            .order_by_asc(author::Column::Id)
            .all(conn)
            .await?,
        guides: guide::Entity::find()
            .order_by_asc(guide::Column::Id)
            .all(conn)
            .await?,
        guide_relations: guide_relation::Entity::find()
            .order_by_asc(guide_relation::Column::GuideId)
            .order_by_asc(guide_relation::Column::Position)
            .all(conn)
            .await?,
        guide_skills: guide_skill::Entity::find()
            .order_by_asc(guide_skill::Column::GuideId)
            .order_by_asc(guide_skill::Column::Position)
            .all(conn)
            .await?,
    };
    Ok(LoadedCatalog {
        catalog: Catalog::build(convert::parts(rows)?)?,
        version: state.version,
        updated_at: state.updated_at.with_timezone(&Utc),
    })
}

/// Bumps the catalog version inside a write transaction; answers the new
/// version and the time it is stamped with.
async fn bump_version(txn: &impl ConnectionTrait) -> Result<(i64, DateTime<Utc>), StoreError> {
    let current = catalog_state::Entity::find_by_id(1)
        .one(txn)
        .await?
        .map_or(0, |s| s.version);
    let next = current + 1;
    let at = Utc::now();
    catalog_state::ActiveModel {
        id: Set(1),
        version: Set(next),
        updated_at: Set(at.fixed_offset()),
    }
    .update(txn)
    .await?;
    Ok((next, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::ScratchDatabase;
    use skillgraph_domain::Slug;

    async fn each_engine(test: impl AsyncFn(Store)) {
        for scratch in ScratchDatabase::all_engines().await {
            let store = Store::open(scratch.url())
                .await
                .expect("open scratch database");
            test(store.clone()).await;
            store.close().await.expect("close");
        }
    }

    #[tokio::test]
    async fn the_bundled_dataset_survives_a_write_and_a_load_unchanged() {
        each_engine(async |store| {
            assert!(store.is_empty().await.unwrap());
            let bundle = skillgraph_bundle::bundled().unwrap();
            let version = store
                .import_bundle(&bundle, "test", ImportMode::IntoEmpty, &|_, _| {})
                .await
                .unwrap()
                .expect("the catalog was empty")
                .version;
            assert_eq!(version, 1);
            let again = store
                .import_bundle(&bundle, "test", ImportMode::IntoEmpty, &|_, _| {})
                .await
                .unwrap();
            assert!(again.is_none(), "a full catalog is left alone");
            assert!(!store.is_empty().await.unwrap());
            let loaded = store.load().await.unwrap();
            assert_eq!(loaded.version, 1);
            let expected = Catalog::from_bundle(&bundle).unwrap().to_bundle();
            assert_eq!(loaded.catalog.to_bundle(), expected, "{:?}", store.engine());
        })
        .await;
    }

    #[tokio::test]
    async fn an_inconsistent_bundle_writes_nothing() {
        each_engine(async |store| {
            let mut bundle = skillgraph_bundle::bundled().unwrap();
            let first = bundle.skills[0].slug.clone();
            let last = bundle.skills.len() - 1;
            bundle.skills[last]
                .prerequisites
                .push(skillgraph_domain::BundlePrerequisite {
                    skill: Slug::parse("no-such-skill").unwrap(),
                    strength: skillgraph_domain::Strength::Required,
                });
            let err = store
                .import_bundle(&bundle, "test", ImportMode::Merge, &|_, _| {})
                .await
                .unwrap_err();
            assert!(err.to_string().contains("no-such-skill"), "{err}");
            assert!(store.is_empty().await.unwrap(), "{first} was written");
            assert_eq!(store.load().await.unwrap().version, 0);
        })
        .await;
    }

    #[tokio::test]
    async fn statements_are_counted() {
        each_engine(async |store| {
            let before = store.statements_sent();
            store.load().await.unwrap();
            assert!(store.statements_sent() > before);
        })
        .await;
    }

    #[tokio::test]
    async fn an_unknown_engine_is_refused_with_a_clear_error() {
        let err = Store::open("mysql://root@localhost/x").await.unwrap_err();
        assert!(matches!(err, StoreError::UnsupportedUrl(_)), "{err}");
        assert_eq!(
            redact("postgres://user:secret@127.0.0.1/db"),
            "postgres://user:***@127.0.0.1/db"
        );
    }
}
