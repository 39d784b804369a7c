//! Hearing about versions committed by other processes: PostgreSQL
//! LISTEN/NOTIFY on [`CHANGES_CHANNEL`], with reconnection.

use sea_orm::EntityTrait;
use sea_orm::sqlx::postgres::PgListener;

use crate::entities::catalog_state;
use crate::{CHANGES_CHANNEL, Engine, Store, StoreError};

/// A subscription to committed catalog versions.
pub struct ChangeListener {
    listener: PgListener,
}

/// What a listener heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// Some process committed this version.
    Version(i64),
    /// The connection dropped and was re-established: notifications may
    /// have been missed, so compare versions.
    Reconnected,
}

impl Store {
    /// Listens for committed versions; `None` on SQLite, where one process
    /// owns the database and there is nobody else to hear from.
    pub async fn listen(&self) -> Result<Option<ChangeListener>, StoreError> {
        if self.engine != Engine::Postgres {
            return Ok(None);
        }
        let pool = self.db.get_postgres_connection_pool();
        let mut listener = PgListener::connect_with(pool)
            .await
            .map_err(|e| StoreError::Listen(e.to_string()))?;
        listener
            .listen(CHANGES_CHANNEL)
            .await
            .map_err(|e| StoreError::Listen(e.to_string()))?;
        Ok(Some(ChangeListener { listener }))
    }

    /// The committed catalog version.
    pub async fn version(&self) -> Result<i64, StoreError> {
        Ok(catalog_state::Entity::find_by_id(1)
            .one(&self.db)
            .await?
            .map_or(0, |s| s.version))
    }
}

impl ChangeListener {
    /// Waits for the next version, or for news that some may have been missed.
    pub async fn next(&mut self) -> Result<Heard, StoreError> {
        match self.listener.try_recv().await {
            Ok(Some(notification)) => {
                notification
                    .payload()
                    .parse()
                    .map(Heard::Version)
                    .map_err(|_| {
                        StoreError::Listen(format!(
                            "unexpected payload `{}`",
                            notification.payload()
                        ))
                    })
            }
            Ok(None) => Ok(Heard::Reconnected),
            Err(e) => Err(StoreError::Listen(e.to_string())),
        }
    }
}
