//! Persistence for skillgraph: the database is the source of truth, and this
//! crate is the only one that speaks to it.
//!
//! It connects to SQLite (the embedded default) or PostgreSQL, runs the
//! migrations, writes changes in one transaction each, and reads the whole
//! catalog back as a [`LoadedCatalog`] from which every read is served.

mod convert;
pub mod entities;
mod listen;
pub mod scratch;
mod writes;

pub use listen::{ChangeListener, Heard};
pub use writes::{Actor, CHANGES_CHANNEL, ChangeRecord, Role};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sqlx;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectOptions, ConnectionTrait, Database,
    DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryOrder, TransactionTrait,
};
use skillgraph_domain::{Bundle, BundleItem, Catalog, CatalogError, Slug};
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
    Database(#[from] DbErr),
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
    /// Serializes this process's writes; the database serializes across processes.
    write_lock: Arc<tokio::sync::Mutex<()>>,
}

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
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10));
        if engine == Engine::Sqlite {
            options.max_connections(4).map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
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

    /// Reads the whole catalog in one read transaction.
    pub async fn load(&self) -> Result<LoadedCatalog, StoreError> {
        let txn = self.db.begin().await?;
        let loaded = read_catalog(&txn).await?;
        txn.commit().await?;
        Ok(loaded)
    }

    /// Writes a whole bundle into the catalog in one transaction: all of it or
    /// nothing. The bundle is checked against the current catalog first, so a
    /// bundle that would leave the catalog inconsistent writes nothing.
    pub async fn import_bundle(&self, bundle: &Bundle) -> Result<i64, StoreError> {
        // The whole check is pure: does the bundle make a consistent catalog?
        Catalog::from_bundle(bundle)?;
        let txn = self.db.begin().await?;
        let ids = import::write(&txn, bundle).await?;
        let version = bump_version(&txn).await?;
        change_log::ActiveModel {
            id: sea_orm::ActiveValue::NotSet,
            version: Set(version),
            actor: Set("import".to_owned()),
            at: Set(Utc::now().fixed_offset()),
            change: Set(serde_json::json!({
                "change": "importBundle",
                "skills": bundle.skills.len(),
                "roadmaps": bundle.roadmaps.len(),
                "guides": bundle.guides.len(),
            })),
        }
        .insert(&txn)
        .await?;
        if self.engine == Engine::Postgres {
            txn.execute_unprepared(&format!("NOTIFY {CHANGES_CHANNEL}, '{version}'"))
                .await?;
        }
        txn.commit().await?;
        tracing::info!(skills = ids, version, "imported a bundle into the catalog");
        Ok(version)
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

/// Bumps the catalog version inside a write transaction.
async fn bump_version(txn: &impl ConnectionTrait) -> Result<i64, StoreError> {
    let current = catalog_state::Entity::find_by_id(1)
        .one(txn)
        .await?
        .map_or(0, |s| s.version);
    let next = current + 1;
    catalog_state::ActiveModel {
        id: Set(1),
        version: Set(next),
        updated_at: Set(Utc::now().fixed_offset()),
    }
    .update(txn)
    .await?;
    Ok(next)
}

/// Inserting a bundle's rows.
mod import {
    use std::collections::HashMap;

    use sea_orm::{
        ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ConnectionTrait, EntityTrait,
    };

    use super::*;

    /// The most rows one multi-row insert carries: well below SQLite's
    /// limit on bound parameters.
    const CHUNK: usize = 500;

    async fn insert_rows<A>(txn: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
    where
        A: ActiveModelTrait + Send,
    {
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
            <A::Entity as EntityTrait>::insert_many(chunk)
                .exec_without_returning(txn)
                .await?;
        }
        Ok(())
    }

    fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
        serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
    }

    fn lookup(map: &HashMap<Slug, i32>, slug: &Slug) -> Result<i32, StoreError> {
        // The bundle was checked before any write, so every slug resolves;
        // refuse rather than panic should that ever stop holding.
        map.get(slug).copied().ok_or_else(|| StoreError::Corrupt {
            table: "bundle",
            id: slug.to_string(),
            reason: "unresolved reference after the check".into(),
        })
    }

    /// Inserts every row of the bundle; returns how many skills were written.
    pub(super) async fn write(
        txn: &impl ConnectionTrait,
        bundle: &Bundle,
    ) -> Result<usize, StoreError> {
        let mut skill_ids = HashMap::with_capacity(bundle.skills.len());
        for s in &bundle.skills {
            let row = skill::ActiveModel {
                id: NotSet,
                slug: Set(s.slug.to_string()),
                name: Set(s.name.to_string()),
                summary: Set(s.summary.to_string()),
                description: Set(s.description.to_string()),
                level: Set(s.level.as_str().to_owned()),
                tags: Set(json(&s.tags)),
                aliases: Set(json(&s.aliases)),
                external_ids: Set(json(&s.external_ids)),
                parent_id: Set(None),
            }
            .insert(txn)
            .await?;
            skill_ids.insert(s.slug.clone(), row.id);
        }
        let mut prerequisites = Vec::new();
        let mut relations = Vec::new();
        let mut resources = Vec::new();
        let mut seen_relations = std::collections::HashSet::new();
        for s in &bundle.skills {
            let id = lookup(&skill_ids, &s.slug)?;
            if let Some(parent) = &s.parent {
                skill::ActiveModel {
                    id: Set(id),
                    parent_id: Set(Some(lookup(&skill_ids, parent)?)),
                    ..Default::default()
                }
                .update(txn)
                .await?;
            }
            for (position, p) in s.prerequisites.iter().enumerate() {
                prerequisites.push(skill_prerequisite::ActiveModel {
                    skill_id: Set(id),
                    requires_id: Set(lookup(&skill_ids, &p.skill)?),
                    strength: Set(p.strength.as_str().to_owned()),
                    position: Set(position as i32),
                });
            }
            for other in &s.related {
                let other = lookup(&skill_ids, other)?;
                let pair = (id.min(other), id.max(other));
                if seen_relations.insert(pair) {
                    relations.push(skill_relation::ActiveModel {
                        skill_id: Set(pair.0),
                        related_id: Set(pair.1),
                    });
                }
            }
            for (position, r) in s.resources.iter().enumerate() {
                resources.push(resource::ActiveModel {
                    id: NotSet,
                    skill_id: Set(id),
                    position: Set(position as i32),
                    kind: Set(r.kind.as_str().to_owned()),
                    title: Set(r.title.to_string()),
                    url: Set(r.url.to_string()),
                });
            }
        }
        insert_rows(txn, prerequisites).await?;
        insert_rows(txn, relations).await?;
        insert_rows(txn, resources).await?;

        let mut roadmap_ids = HashMap::with_capacity(bundle.roadmaps.len());
        for r in &bundle.roadmaps {
            let row = roadmap::ActiveModel {
                id: NotSet,
                slug: Set(r.slug.to_string()),
                title: Set(r.title.to_string()),
                description: Set(r.description.to_string()),
            }
            .insert(txn)
            .await?;
            roadmap_ids.insert(r.slug.clone(), row.id);
            for (position, section) in r.sections.iter().enumerate() {
                let section_row = roadmap_section::ActiveModel {
                    id: NotSet,
                    roadmap_id: Set(row.id),
                    position: Set(position as i32),
                    title: Set(section.title.to_string()),
                    description: Set(section.description.to_string()),
                }
                .insert(txn)
                .await?;
                // Items nest; walk them with an explicit stack of (parent, items).
                let mut pending: Vec<(Option<i32>, &[BundleItem])> = vec![(None, &section.items)];
                while let Some((parent, items)) = pending.pop() {
                    for (position, item) in items.iter().enumerate() {
                        let item_row = roadmap_item::ActiveModel {
                            id: NotSet,
                            section_id: Set(section_row.id),
                            parent_item_id: Set(parent),
                            position: Set(position as i32),
                            skill_id: Set(lookup(&skill_ids, &item.skill)?),
                            recommendation: Set(item.recommendation.as_str().to_owned()),
                        }
                        .insert(txn)
                        .await?;
                        if !item.children.is_empty() {
                            pending.push((Some(item_row.id), &item.children));
                        }
                    }
                }
            }
        }
        let mut roadmap_relations = Vec::new();
        for r in &bundle.roadmaps {
            let id = lookup(&roadmap_ids, &r.slug)?;
            for (position, other) in r.related.iter().enumerate() {
                roadmap_relations.push(roadmap_relation::ActiveModel {
                    roadmap_id: Set(id),
                    related_id: Set(lookup(&roadmap_ids, other)?),
                    position: Set(position as i32),
                });
            }
        }
        insert_rows(txn, roadmap_relations).await?;

        let mut author_ids = HashMap::with_capacity(bundle.authors.len());
        for a in &bundle.authors {
            let row = author::ActiveModel {
                id: NotSet,
                handle: Set(a.id.to_string()),
                name: Set(a.name.to_string()),
                links: Set(json(&a.links)),
            }
            .insert(txn)
            .await?;
            author_ids.insert(a.id.clone(), row.id);
        }
        let mut guide_ids = HashMap::with_capacity(bundle.guides.len());
        for g in &bundle.guides {
            let row = guide::ActiveModel {
                id: NotSet,
                slug: Set(g.slug.to_string()),
                title: Set(g.title.to_string()),
                description: Set(g.description.to_string()),
                url: Set(g.url.to_string()),
                author_id: Set(match &g.author {
                    Some(a) => Some(lookup(&author_ids, a)?),
                    None => None,
                }),
                published_on: Set(g.published),
                tags: Set(json(&g.tags)),
                body: Set(g.body.as_ref().map(ToString::to_string)),
            }
            .insert(txn)
            .await?;
            guide_ids.insert(g.slug.clone(), row.id);
        }
        let mut guide_relations = Vec::new();
        let mut guide_skills = Vec::new();
        for g in &bundle.guides {
            let id = lookup(&guide_ids, &g.slug)?;
            for (position, other) in g.related.iter().enumerate() {
                guide_relations.push(guide_relation::ActiveModel {
                    guide_id: Set(id),
                    related_id: Set(lookup(&guide_ids, other)?),
                    position: Set(position as i32),
                });
            }
            for (position, s) in g.skills.iter().enumerate() {
                guide_skills.push(guide_skill::ActiveModel {
                    guide_id: Set(id),
                    skill_id: Set(lookup(&skill_ids, s)?),
                    position: Set(position as i32),
                });
            }
        }
        insert_rows(txn, guide_relations).await?;
        insert_rows(txn, guide_skills).await?;
        Ok(skill_ids.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::ScratchDatabase;

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
            let version = store.import_bundle(&bundle).await.unwrap();
            assert_eq!(version, 1);
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
            let err = store.import_bundle(&bundle).await.unwrap_err();
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
