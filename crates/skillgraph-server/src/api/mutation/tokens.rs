//! Revoking tokens: an admin takes back an editor's, admin's or learner's
//! token by the id `apiTokens` / `learnerTokens` (or the CLI's `list`)
//! shows. The next request with the token is refused, on every replica:
//! tokens are looked up by hash on every request, never cached.

use async_graphql::{Context, ID, InputObject, Object, Result};
use skillgraph_store::Role;

use super::authorize;
use crate::api::error::ApiError;
use crate::api::tokens::{ApiToken, LearnerToken};

/// Which API token to revoke.
#[derive(InputObject)]
pub struct RevokeApiTokenInput {
    /// The token's id, as `apiTokens` or `skillgraph token list` shows it.
    pub id: ID,
}

/// Which learner token to revoke.
#[derive(InputObject)]
pub struct RevokeLearnerTokenInput {
    /// The token's id, as `learnerTokens` or `skillgraph learner list` shows it.
    pub id: ID,
}

/// The answer of `revokeApiToken`: the token that no longer works.
pub struct RevokeApiTokenPayload {
    token: ApiToken,
}

/// The answer of `revokeApiToken`: the token that no longer works.
#[Object]
impl RevokeApiTokenPayload {
    /// The revoked token, as it was.
    async fn api_token(&self) -> &ApiToken {
        &self.token
    }
}

/// The answer of `revokeLearnerToken`: the token that no longer works.
pub struct RevokeLearnerTokenPayload {
    token: LearnerToken,
}

/// The answer of `revokeLearnerToken`: the token that no longer works.
#[Object]
impl RevokeLearnerTokenPayload {
    /// The revoked token, as it was. The learner's statuses stay.
    async fn learner_token(&self) -> &LearnerToken {
        &self.token
    }
}

/// The stored id an `input.id` names.
fn token_id(id: &ID) -> Result<i64, ApiError> {
    id.parse::<i64>().map_err(|_| ApiError::BadField {
        field: "input.id".into(),
        message: format!("`input.id`: `{}` is not a token id (a number)", id.as_str()),
    })
}

/// Revoking tokens; admins only.
#[derive(Default)]
pub struct TokenMutations;

/// Revoking tokens; admins only.
#[Object]
impl TokenMutations {
    /// Revokes an editor's or admin's API token: the next request that
    /// carries it is UNAUTHENTICATED. Needs an admin token; an unknown id
    /// is NOT_FOUND.
    async fn revoke_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which token.")] input: RevokeApiTokenInput,
    ) -> Result<RevokeApiTokenPayload> {
        let (writes, actor) = authorize(ctx, Role::Admin).await?;
        let id = token_id(&input.id)?;
        let revoked = writes
            .store
            .revoke_api_token(id)
            .await
            .map_err(ApiError::store)?
            .ok_or_else(|| ApiError::NotFound(format!("there is no API token {id}")))?;
        tracing::info!(id, by = %actor.label, "an admin revoked an API token");
        Ok(RevokeApiTokenPayload {
            token: ApiToken(revoked),
        })
    }

    /// Revokes a learner's opaque token: the next request that carries it
    /// is UNAUTHENTICATED. The learner's statuses stay. Needs an admin
    /// token; an unknown id is NOT_FOUND.
    async fn revoke_learner_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which token.")] input: RevokeLearnerTokenInput,
    ) -> Result<RevokeLearnerTokenPayload> {
        let (writes, actor) = authorize(ctx, Role::Admin).await?;
        let id = token_id(&input.id)?;
        let revoked = writes
            .store
            .revoke_learner_token(id)
            .await
            .map_err(ApiError::store)?
            .ok_or_else(|| ApiError::NotFound(format!("there is no learner token {id}")))?;
        tracing::info!(id, by = %actor.label, "an admin revoked a learner token");
        Ok(RevokeLearnerTokenPayload {
            token: LearnerToken(revoked),
        })
    }
}
