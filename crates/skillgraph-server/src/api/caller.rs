//! Who is asking: the bearer token of a request, resolved at most once per
//! request and only when a field needs it, as an editor or admin (for
//! writes and aggregates) or as a learner (for their own progress).
//!
//! A learner is known by an opaque token skillgraph issued
//! (`sg_learner_…`, looked up by hash; the learner is `learner-<hex>`) or
//! by a JWT of the identity provider the operator configured (checked
//! without SQL; the learner is `jwt:<issuer>:<sub>`, a namespace no issued
//! id is in, so a `sub` can never name an issued learner).
//!
//! Nothing here outlives its request: every request looks its token up
//! again (by hash, in the database), so a revoked token is refused on the
//! very next request, on every replica.
//!
//! A learner's statuses are read once per request, so a nested roadmap
//! with `viewerStatus` on every item costs one statement however many
//! items and levels it has; aggregates for editors go through a DataLoader.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, Loader};
use skillgraph_domain::{LearningStatus, SkillId};
use skillgraph_identity::{Verifier, looks_like_jwt};
use skillgraph_store::{Actor, LearnerStats, StatusRecord, Store};
use tokio::sync::OnceCell;

use super::error::ApiError;

/// What resolving callers needs from the server: the store, and the JWT
/// verifier when the operator configured an identity provider.
#[derive(Clone)]
pub struct Identities {
    /// Where tokens and learner data are kept.
    pub store: Store,
    /// Checks JWTs; `None` when no identity provider is configured.
    pub verifier: Option<Arc<Verifier>>,
}

/// Why a token was not accepted; kept per request, so it is cloneable.
#[derive(Debug, Clone)]
enum Refusal {
    Unauthenticated(String),
    Unavailable(String),
    Internal(String),
}

impl Refusal {
    fn store(error: skillgraph_store::StoreError) -> Self {
        match ApiError::store(error) {
            ApiError::Unavailable(detail) => Self::Unavailable(detail),
            other => Self::Internal(format!("{other:?}")),
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Unauthenticated(why) => ApiError::NotAuthenticated(why),
            Refusal::Unavailable(detail) => ApiError::Unavailable(detail),
            Refusal::Internal(detail) => ApiError::Internal(detail),
        }
    }
}

/// The caller of one request. Attached to every request; resolves lazily.
pub struct Caller {
    token: Option<String>,
    identities: Option<Identities>,
    actor: OnceCell<Result<Option<Actor>, Refusal>>,
    learner: OnceCell<Result<Option<String>, Refusal>>,
    all_statuses: OnceCell<Result<Arc<Vec<StatusRecord>>, Refusal>>,
    status_map: OnceCell<Arc<HashMap<SkillId, LearningStatus>>>,
    stats: OnceLock<DataLoader<StatsLoader>>,
}

/// Loads the learner aggregates of many skills in one statement.
pub struct StatsLoader {
    store: Store,
}

impl Loader<SkillId> for StatsLoader {
    type Value = LearnerStats;
    type Error = Arc<String>;

    async fn load(&self, keys: &[SkillId]) -> Result<HashMap<SkillId, Self::Value>, Self::Error> {
        self.store
            .learner_stats(keys)
            .await
            .map_err(|e| Arc::new(e.to_string()))
    }
}

impl Caller {
    /// The caller of a request with this bearer token.
    pub fn new(token: Option<String>, identities: Option<Identities>) -> Self {
        Self {
            token,
            identities,
            actor: OnceCell::new(),
            learner: OnceCell::new(),
            all_statuses: OnceCell::new(),
            status_map: OnceCell::new(),
            stats: OnceLock::new(),
        }
    }

    /// The caller of a request, or an anonymous one where none is attached
    /// (subscriptions, read-only uses).
    pub fn of<'a>(ctx: &'a Context<'_>) -> Option<&'a Caller> {
        ctx.data_opt::<Caller>()
    }

    /// The bearer token, if the request carried one.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The store that holds tokens and learner data.
    pub fn store(&self) -> Result<&Store, ApiError> {
        self.identities
            .as_ref()
            .map(|i| &i.store)
            .ok_or_else(|| ApiError::Internal("no store is attached to this request".into()))
    }

    /// The editor or admin the token stands for; `None` without a token or
    /// for a learner's token or JWT. Any other token that is not known
    /// (revoked, or never issued) is UNAUTHENTICATED, not a caller of
    /// another kind.
    pub async fn actor(&self) -> Result<Option<&Actor>, ApiError> {
        let Some(token) = self.token.as_deref() else {
            return Ok(None);
        };
        if looks_like_jwt(token) || token.starts_with("sg_learner_") {
            return Ok(None);
        }
        let store = self.store()?;
        let resolved = self
            .actor
            .get_or_init(|| async {
                match store.authenticate(token).await {
                    Ok(Some(actor)) => Ok(Some(actor)),
                    Ok(None) => Err(Refusal::Unauthenticated(
                        "this token is not known: it was revoked or never issued".into(),
                    )),
                    Err(e) => Err(Refusal::store(e)),
                }
            })
            .await;
        match resolved {
            Ok(actor) => Ok(actor.as_ref()),
            Err(refusal) => Err(refusal.clone().into()),
        }
    }

    /// The learner the token stands for; `None` without a token or for an
    /// editor's or admin's token. A learner token or JWT that is not valid
    /// is UNAUTHENTICATED, saying why.
    pub async fn learner(&self) -> Result<Option<&str>, ApiError> {
        let Some(token) = self.token.as_deref() else {
            return Ok(None);
        };
        let jwt = looks_like_jwt(token);
        if !jwt && !token.starts_with("sg_learner_") {
            return Ok(None);
        }
        let identities = self
            .identities
            .as_ref()
            .ok_or_else(|| ApiError::Internal("no store is attached to this request".into()))?;
        let resolved = self
            .learner
            .get_or_init(|| async {
                if jwt {
                    let verifier = identities.verifier.as_ref().ok_or_else(|| {
                        Refusal::Unauthenticated(
                            "this server accepts no JWTs: no identity provider is configured"
                                .into(),
                        )
                    })?;
                    verifier
                        .verify(token)
                        .map(Some)
                        .map_err(|e| Refusal::Unauthenticated(e.to_string()))
                } else {
                    match identities.store.learner_for_token(token).await {
                        Ok(Some(learner)) => Ok(Some(learner)),
                        Ok(None) => Err(Refusal::Unauthenticated(
                            "this learner token is not known: it was revoked or never issued"
                                .into(),
                        )),
                        Err(e) => Err(Refusal::store(e)),
                    }
                }
            })
            .await;
        match resolved {
            Ok(learner) => Ok(learner.as_deref()),
            Err(refusal) => Err(refusal.clone().into()),
        }
    }

    /// The learner, or the error a learner-only operation gives a caller
    /// that is not one.
    pub async fn required_learner(&self) -> Result<&str, ApiError> {
        match self.learner().await? {
            Some(learner) => Ok(learner),
            None if self.token.is_none() => Err(ApiError::Unauthenticated),
            None => Err(ApiError::Forbidden(
                "this is a learner's operation; the token is an editor's or admin's".into(),
            )),
        }
    }

    /// The learner's status of one skill; `None` for a caller who is not a
    /// learner. Every status of the learner is read once per request (one
    /// statement, however many fields ask), so that resolvers may run
    /// serially without a batch per level of nesting.
    pub async fn status(&self, skill: SkillId) -> Result<Option<LearningStatus>, ApiError> {
        Ok(self.status_map().await?.map(|map| {
            map.get(&skill)
                .copied()
                .unwrap_or(LearningStatus::NotStarted)
        }))
    }

    /// The learner's statuses of many skills; `None` for a caller who is
    /// not a learner. Skills not started are left out.
    pub async fn statuses(
        &self,
        skills: &[SkillId],
    ) -> Result<Option<HashMap<SkillId, LearningStatus>>, ApiError> {
        Ok(self.status_map().await?.map(|map| {
            skills
                .iter()
                .filter_map(|skill| map.get(skill).map(|status| (*skill, *status)))
                .collect()
        }))
    }

    /// Every status of the learner, read once per request; `None` for a
    /// caller who is not a learner.
    pub(crate) async fn status_map(
        &self,
    ) -> Result<Option<Arc<HashMap<SkillId, LearningStatus>>>, ApiError> {
        let Some(records) = self.all_statuses().await? else {
            return Ok(None);
        };
        let map = self
            .status_map
            .get_or_init(|| async {
                Arc::new(
                    records
                        .iter()
                        .filter(|r| r.status != LearningStatus::NotStarted)
                        .map(|r| (r.skill, r.status))
                        .collect(),
                )
            })
            .await;
        Ok(Some(Arc::clone(map)))
    }

    /// Every status the learner has set, newest first, read once per request.
    pub async fn all_statuses(&self) -> Result<Option<Arc<Vec<StatusRecord>>>, ApiError> {
        let Some(learner) = self.learner().await? else {
            return Ok(None);
        };
        let store = self.store()?;
        let loaded = self
            .all_statuses
            .get_or_init(|| async {
                store
                    .all_statuses(learner)
                    .await
                    .map(Arc::new)
                    .map_err(Refusal::store)
            })
            .await;
        loaded.clone().map(Some).map_err(Into::into)
    }

    /// The learner aggregates of a skill, batched with the request's others.
    pub async fn learner_stats(&self, skill: SkillId) -> Result<LearnerStats, ApiError> {
        let store = self.store()?.clone();
        let loader = self
            .stats
            .get_or_init(|| DataLoader::new(StatsLoader { store }, tokio::spawn));
        Ok(loader
            .load_one(skill)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .unwrap_or_default())
    }
}
