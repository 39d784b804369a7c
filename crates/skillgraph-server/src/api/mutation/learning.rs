//! A learner's writes: their status per skill, and removing everything
//! about them; and the admin's issuing of learner tokens. None of these
//! touch the catalog or its version.

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, Object, Result};
use skillgraph_domain::{LearningStatus, SkillId};
use skillgraph_store::Role;

use super::{authorize, latest, skill_id};
use crate::api::Snapshot;
use crate::api::caller::Caller;
use crate::api::error::ApiError;
use crate::api::types::Skill;
use crate::api::viewer::SkillStatus;

/// The most statuses one `setSkillStatuses` may set.
const MAX_STATUSES: usize = 500;

/// The learner, or the error for a caller who is not one.
async fn learner<'a>(ctx: &'a Context<'_>) -> Result<(&'a Caller, String), ApiError> {
    let caller = Caller::of(ctx).ok_or(ApiError::Unauthenticated)?;
    let learner = caller.required_learner().await?.to_owned();
    Ok((caller, learner))
}

fn store(ctx: &Context<'_>) -> Result<skillgraph_store::Store, ApiError> {
    ctx.data_opt::<super::Writes>()
        .map(|w| w.store.clone())
        .ok_or_else(|| ApiError::Internal("writes are not available here".into()))
}

/// One skill's new status.
#[derive(InputObject)]
pub struct SetSkillStatusInput {
    /// Slug of the skill.
    pub skill: String,
    /// Where the learner now stands; NOT_STARTED forgets the skill's status.
    pub status: SkillStatus,
}

/// Many skills' new statuses, set together or not at all.
#[derive(InputObject)]
pub struct SetSkillStatusesInput {
    /// The skills and their statuses (at most 500, each skill once).
    pub statuses: Vec<SetSkillStatusInput>,
}

/// Confirms that all of the caller's learner data is to go.
#[derive(InputObject)]
pub struct DeleteViewerInput {
    /// Must be true: there is no undo.
    pub confirm: bool,
}

/// A new learner with a token.
#[derive(InputObject)]
pub struct CreateLearnerTokenInput {
    /// Who or what the token is for.
    pub label: String,
}

/// The answer of a status write: the skills as the learner now sees them.
pub struct SkillStatusesPayload {
    snapshot: Snapshot,
    skills: Vec<SkillId>,
}

/// The answer of a status write: the skills as the learner now sees them.
#[Object]
impl SkillStatusesPayload {
    /// The skills written, in the order given; their `viewerStatus` is the new status.
    async fn skills(&self) -> Vec<Skill<'_>> {
        Skill::many(&self.snapshot.catalog, &self.skills)
    }
}

/// The answer of `deleteViewer`.
pub struct DeleteViewerPayload {
    learner: String,
}

/// The answer of `deleteViewer`.
#[Object]
impl DeleteViewerPayload {
    /// The id of the learner whose data was removed.
    async fn deleted_learner_id(&self) -> ID {
        ID(self.learner.clone())
    }
}

/// The answer of `createLearnerToken`: shown once, never again.
pub struct LearnerTokenPayload {
    learner: String,
    token: String,
}

/// The answer of `createLearnerToken`: shown once, never again.
#[Object]
impl LearnerTokenPayload {
    /// The new learner's id.
    async fn learner_id(&self) -> ID {
        ID(self.learner.clone())
    }

    /// The learner's bearer token; the database keeps only its hash.
    async fn token(&self) -> &str {
        &self.token
    }
}

/// Parses statuses, refusing a skill named twice.
fn parse(
    ctx: &Context<'_>,
    entries: Vec<SetSkillStatusInput>,
    path: &str,
) -> Result<Vec<(SkillId, LearningStatus)>, ApiError> {
    let current = latest(ctx)?;
    let mut seen = HashSet::new();
    entries
        .into_iter()
        .enumerate()
        .map(|(n, entry)| {
            let field = format!("{path}[{n}].skill");
            let skill = skill_id(&current.catalog, &field, &entry.skill)?;
            if !seen.insert(skill) {
                return Err(ApiError::BadField {
                    message: format!("`{field}`: `{}` is listed twice", entry.skill),
                    field,
                });
            }
            Ok((skill, entry.status.into()))
        })
        .collect()
}

/// Stores a learner's statuses and answers with the skills written.
async fn write_statuses(
    ctx: &Context<'_>,
    learner: &str,
    statuses: Vec<(SkillId, LearningStatus)>,
) -> Result<SkillStatusesPayload, ApiError> {
    store(ctx)?
        .set_statuses(learner, &statuses)
        .await
        .map_err(ApiError::store)?;
    Ok(SkillStatusesPayload {
        snapshot: latest(ctx)?,
        skills: statuses.iter().map(|(s, _)| *s).collect(),
    })
}

/// A learner's writes.
#[derive(Default)]
pub struct LearningMutations;

/// A learner's writes.
#[Object]
impl LearningMutations {
    /// Sets the caller's status of one skill; it shows on every roadmap
    /// that holds the skill. Needs a learner's token or JWT.
    async fn set_skill_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: SetSkillStatusInput,
    ) -> Result<SkillStatusesPayload> {
        let (_, learner) = learner(ctx).await?;
        let statuses = parse(ctx, vec![input], "input")?;
        Ok(write_statuses(ctx, &learner, statuses).await?)
    }

    /// Sets the caller's status of many skills at once, all or nothing.
    async fn set_skill_statuses(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: SetSkillStatusesInput,
    ) -> Result<SkillStatusesPayload> {
        let (_, learner) = learner(ctx).await?;
        if input.statuses.len() > MAX_STATUSES {
            return Err(ApiError::BadField {
                field: "input.statuses".into(),
                message: format!(
                    "`input.statuses`: at most {MAX_STATUSES} at once; got {}",
                    input.statuses.len()
                ),
            }
            .into());
        }
        let statuses = parse(ctx, input.statuses, "input.statuses")?;
        Ok(write_statuses(ctx, &learner, statuses).await?)
    }

    /// Removes everything stored about the caller as a learner: every
    /// status, and every learner token skillgraph issued them.
    async fn delete_viewer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: DeleteViewerInput,
    ) -> Result<DeleteViewerPayload> {
        let (_, learner) = learner(ctx).await?;
        if !input.confirm {
            return Err(ApiError::BadField {
                field: "input.confirm".into(),
                message: "`input.confirm` must be true: deleting a learner's data cannot be undone"
                    .into(),
            }
            .into());
        }
        store(ctx)?
            .delete_learner(&learner)
            .await
            .map_err(ApiError::store)?;
        Ok(DeleteViewerPayload { learner })
    }

    /// Makes a learner with an opaque token (for learners without a JWT of
    /// the configured identity provider). Needs an admin token.
    async fn create_learner_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: CreateLearnerTokenInput,
    ) -> Result<LearnerTokenPayload> {
        let (writes, _) = authorize(ctx, Role::Admin).await?;
        let label = input.label.trim();
        if label.is_empty() || label.len() > 200 {
            return Err(ApiError::BadField {
                field: "input.label".into(),
                message: "`input.label` must hold 1 to 200 characters".into(),
            }
            .into());
        }
        let (learner, token) = writes
            .store
            .create_learner(label)
            .await
            .map_err(ApiError::store)?;
        Ok(LearnerTokenPayload { learner, token })
    }
}
