//! Listing and revoking the tokens skillgraph issued: editors' and
//! admins' API tokens and learners' opaque tokens.
//!
//! A listing never holds a token or its hash: only what an operator needs
//! to tell tokens apart (id, role or learner, label, when made). Revoking
//! deletes the row, and since every request looks its token up by hash in
//! the database (nothing caches a token's validity), the very next request
//! with a revoked token is refused, on every replica.

use chrono::{DateTime, Utc};
use sea_orm::{
    EntityTrait, PaginatorTrait, PrimaryKeyTrait, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::entities::*;
use crate::{Role, Store, StoreError, WriteScope};

/// An editor's or admin's token as a listing shows it: never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    /// The token's id, which `revoke_api_token` takes.
    pub id: i64,
    /// What it allows.
    pub role: Role,
    /// Who or what it is for.
    pub label: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// A learner's opaque token as a listing shows it: never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnerTokenRecord {
    /// The token's id, which `revoke_learner_token` takes.
    pub id: i64,
    /// The learner it stands for (`learner-<hex>`).
    pub learner: String,
    /// Who or what it is for.
    pub label: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// One window of a listing, oldest first, with how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<T> {
    /// The records of the window.
    pub items: Vec<T>,
    /// How many records there are in all.
    pub total: u64,
}

fn api_record(row: api_token::Model) -> Result<ApiTokenRecord, StoreError> {
    let api_token::Model {
        id,
        token_hash: _,
        role,
        label,
        created_at,
    } = row;
    Ok(ApiTokenRecord {
        id: id.into(),
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt {
            table: "api_tokens",
            id: id.to_string(),
            reason: format!("`{role}` is no role"),
        })?,
        label,
        created_at: created_at.with_timezone(&Utc),
    })
}

fn learner_record(row: learner_token::Model) -> LearnerTokenRecord {
    let learner_token::Model {
        id,
        token_hash: _,
        learner_id,
        label,
        created_at,
    } = row;
    LearnerTokenRecord {
        id: id.into(),
        learner: learner_id,
        label,
        created_at: created_at.with_timezone(&Utc),
    }
}

/// A limit that takes every row: SQLite knows no OFFSET without LIMIT.
const ALL: u64 = i64::MAX as u64;

/// The storage key of an id, or `None` for one no row can have.
fn key(id: i64) -> Option<i32> {
    i32::try_from(id).ok()
}

impl Store {
    /// A page of a token table in `order`, and how many rows it has in all,
    /// read in one transaction.
    async fn rows<E: EntityTrait>(
        &self,
        order: E::Column,
        offset: u64,
        limit: Option<u64>,
    ) -> Result<(Vec<E::Model>, u64), StoreError>
    where
        E::Model: Sync,
    {
        let txn = self.db.begin().await?;
        let total = E::find().count(&txn).await?;
        let rows = E::find()
            .order_by_asc(order)
            .offset(offset)
            .limit(limit.unwrap_or(ALL))
            .all(&txn)
            .await?;
        txn.commit().await?;
        Ok((rows, total))
    }

    /// Deletes the row of a token table with this id, answering it as it
    /// was, or `None` for an id no row has.
    async fn remove<E>(&self, id: i64) -> Result<Option<E::Model>, StoreError>
    where
        E: EntityTrait,
        E::PrimaryKey: PrimaryKeyTrait<ValueType = i32>,
    {
        let Some(id) = key(id) else { return Ok(None) };
        // Read then delete: on SQLite a write transaction from the start.
        let (_turn, txn) = self.begin_write(WriteScope::Learner).await?;
        let Some(row) = E::find_by_id(id).one(&txn).await? else {
            return Ok(None);
        };
        E::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(Some(row))
    }

    /// The editors' and admins' tokens, oldest first: `limit` of them (all
    /// when `None`) after skipping `offset`.
    pub async fn api_tokens(
        &self,
        offset: u64,
        limit: Option<u64>,
    ) -> Result<Listing<ApiTokenRecord>, StoreError> {
        let (rows, total) = self
            .rows::<api_token::Entity>(api_token::Column::Id, offset, limit)
            .await?;
        Ok(Listing {
            items: rows.into_iter().map(api_record).collect::<Result<_, _>>()?,
            total,
        })
    }

    /// Revokes an editor's or admin's token: the next request that carries
    /// it is refused. Answers the token as it was, or `None` for an
    /// unknown id.
    pub async fn revoke_api_token(&self, id: i64) -> Result<Option<ApiTokenRecord>, StoreError> {
        let Some(row) = self.remove::<api_token::Entity>(id).await? else {
            return Ok(None);
        };
        tracing::info!(id, label = %row.label, "revoked an API token");
        api_record(row).map(Some)
    }

    /// The learners' opaque tokens, oldest first: `limit` of them (all when
    /// `None`) after skipping `offset`.
    pub async fn learner_tokens(
        &self,
        offset: u64,
        limit: Option<u64>,
    ) -> Result<Listing<LearnerTokenRecord>, StoreError> {
        let (rows, total) = self
            .rows::<learner_token::Entity>(learner_token::Column::Id, offset, limit)
            .await?;
        Ok(Listing {
            items: rows.into_iter().map(learner_record).collect(),
            total,
        })
    }

    /// Revokes a learner's opaque token: the next request that carries it
    /// is refused. The learner's statuses stay (`delete_learner` removes
    /// them). Answers the token as it was, or `None` for an unknown id.
    pub async fn revoke_learner_token(
        &self,
        id: i64,
    ) -> Result<Option<LearnerTokenRecord>, StoreError> {
        let Some(row) = self.remove::<learner_token::Entity>(id).await? else {
            return Ok(None);
        };
        tracing::info!(id, learner = %row.learner_id, "revoked a learner token");
        Ok(Some(learner_record(row)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::ScratchDatabase;

    #[tokio::test]
    async fn tokens_are_listed_without_secrets_and_revoked_at_once() {
        for scratch in ScratchDatabase::all_engines().await {
            let store = Store::open(scratch.url()).await.unwrap();
            let editor = store.create_token(Role::Editor, "ed").await.unwrap();
            let admin = store.create_token(Role::Admin, "root").await.unwrap();
            let (learner, learner_token) = store.create_learner("app").await.unwrap();

            let listed = store.api_tokens(0, None).await.unwrap();
            assert_eq!(listed.total, 2);
            let roles: Vec<_> = listed
                .items
                .iter()
                .map(|t| (t.role, t.label.as_str()))
                .collect();
            assert_eq!(roles, [(Role::Editor, "ed"), (Role::Admin, "root")]);
            let window = store.api_tokens(1, Some(5)).await.unwrap();
            assert_eq!((window.total, window.items.len()), (2, 1));
            assert!(!format!("{listed:?}").contains(&editor[3..]));

            let revoked = store
                .revoke_api_token(listed.items[0].id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(revoked, listed.items[0]);
            assert_eq!(store.authenticate(&editor).await.unwrap(), None);
            assert!(store.authenticate(&admin).await.unwrap().is_some());
            assert_eq!(store.revoke_api_token(revoked.id).await.unwrap(), None);
            assert_eq!(store.revoke_api_token(i64::MAX).await.unwrap(), None);

            let learners = store.learner_tokens(0, None).await.unwrap();
            assert_eq!(learners.total, 1);
            assert_eq!(learners.items[0].learner, learner);
            assert!(!format!("{learners:?}").contains(&learner_token[11..]));
            let gone = store
                .revoke_learner_token(learners.items[0].id)
                .await
                .unwrap();
            assert_eq!(gone.as_ref(), learners.items.first());
            assert_eq!(store.learner_for_token(&learner_token).await.unwrap(), None);
            assert_eq!(store.learner_tokens(0, None).await.unwrap().total, 0);
            assert_eq!(store.revoke_learner_token(-1).await.unwrap(), None);
            store.close().await.unwrap();
        }
    }
}
