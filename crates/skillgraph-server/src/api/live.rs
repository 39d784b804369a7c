//! The live catalog: the slot holding the current snapshot, which only ever
//! moves forward, and the feed of changes that subscriptions read.

use std::sync::Arc;

use arc_swap::ArcSwap;
use async_graphql::{Context, Object, Result, Subscription};
use futures_util::{Stream, StreamExt};
use skillgraph_domain::Slug;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;

use super::error::ApiError;
use super::scalars::DateTime;
use super::{CatalogSnapshot, Snapshot};

/// One committed change as subscribers see it.
#[derive(Debug, Clone)]
pub struct CatalogEvent {
    /// The version now current.
    pub version: i64,
    /// When it was committed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Skills added, removed or changed since the version before.
    pub changed_skills: Vec<Slug>,
}

/// A new version of the catalog was committed (here or on another replica).
#[Object(name = "CatalogChange")]
impl CatalogEvent {
    /// The catalog version now current.
    async fn version(&self) -> i64 {
        self.version
    }

    /// When that version was committed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.updated_at)
    }

    /// Slugs of the skills added, removed or changed by it.
    async fn changed_skills(&self) -> Vec<&str> {
        self.changed_skills.iter().map(Slug::as_str).collect()
    }
}

/// The current snapshot and the feed of its changes, shared by the server's tasks.
#[derive(Clone)]
pub struct SnapshotSlot {
    current: Arc<ArcSwap<CatalogSnapshot>>,
    changes: broadcast::Sender<CatalogEvent>,
    /// Held by whoever derives the next snapshot from the current one (a
    /// write, a replay), so each is derived from the newest: its search
    /// index can then be updated, never rebuilt.
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl SnapshotSlot {
    /// A slot holding `first`.
    pub fn new(first: CatalogSnapshot) -> Self {
        Self {
            current: Arc::new(ArcSwap::from_pointee(first)),
            changes: broadcast::channel(256).0,
            turn: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Waits for the turn to derive the next snapshot from the current one;
    /// the turn ends when the guard is dropped, after `offer`.
    pub async fn turn(&self) -> tokio::sync::OwnedMutexGuard<()> {
        Arc::clone(&self.turn).lock_owned().await
    }

    /// The snapshot new requests read.
    pub fn load(&self) -> Snapshot {
        self.current.load_full()
    }

    /// Makes `next` current if it is newer than what is current, and tells
    /// subscribers what changed; an older or equal version is ignored, so
    /// a slow reload can never undo a newer write.
    pub fn offer(&self, next: Snapshot) -> bool {
        let previous = self.current.rcu(|current| {
            if next.version > current.version {
                Arc::clone(&next)
            } else {
                Arc::clone(current)
            }
        });
        if next.version <= previous.version {
            return false;
        }
        let _ = self.changes.send(CatalogEvent {
            version: next.version,
            updated_at: next.updated_at,
            changed_skills: previous.catalog.changed_skills(&next.catalog),
        });
        true
    }

    /// A feed of the changes made from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<CatalogEvent> {
        self.changes.subscribe()
    }
}

/// Live updates over `graphql-transport-ws`.
#[derive(Default)]
pub struct Subscription;

fn events(ctx: &Context<'_>) -> Result<impl Stream<Item = CatalogEvent> + use<>, ApiError> {
    let slot = ctx
        .data_opt::<SnapshotSlot>()
        .ok_or_else(|| ApiError::Internal("no live catalog here".into()))?;
    // A subscriber that falls behind skips what it missed rather than stalling writers.
    Ok(BroadcastStream::new(slot.subscribe()).filter_map(|event| async move { event.ok() }))
}

/// Live updates over `graphql-transport-ws`.
#[Subscription]
impl Subscription {
    /// Every committed change of the catalog, on every replica.
    async fn catalog_changed(&self, ctx: &Context<'_>) -> Result<impl Stream<Item = CatalogEvent>> {
        Ok(events(ctx)?)
    }

    /// The committed changes that touch one skill.
    async fn skill_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The slug of the skill to watch.")] slug: String,
    ) -> Result<impl Stream<Item = CatalogEvent>> {
        let slug = Slug::parse(slug).map_err(|e| ApiError::bad_input(format!("`slug`: {e}")))?;
        Ok(events(ctx)?.filter(move |event| {
            let touched = event.changed_skills.contains(&slug);
            async move { touched }
        }))
    }
}
