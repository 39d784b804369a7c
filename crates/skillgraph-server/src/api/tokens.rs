//! The tokens skillgraph issued, as admins see them: editors' and admins'
//! API tokens and learners' opaque tokens, listed (never the token nor its
//! hash) so that one can be found and revoked (`api::mutation::tokens`).

use async_graphql::{Context, Enum, ID, Object, Result};
use skillgraph_store::{ApiTokenRecord, LearnerTokenRecord, Role};

use super::caller::Caller;
use super::connection::{DEFAULT_PAGE_SIZE, Page, PageArgs, max_page_size};
use super::error::ApiError;
use super::mutation::require_role;
use super::scalars::DateTime;

/// What an API token allows.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRole {
    /// Catalog writes.
    Editor,
    /// Catalog writes and token management.
    Admin,
}

impl From<Role> for TokenRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Editor => Self::Editor,
            Role::Admin => Self::Admin,
        }
    }
}

/// An editor's or admin's API token, as admins see it: never the token
/// itself nor its hash.
pub struct ApiToken(pub ApiTokenRecord);

/// An editor's or admin's API token, as admins see it: never the token
/// itself nor its hash.
#[Object]
impl ApiToken {
    /// The token's id, as `skillgraph token list` prints it; what
    /// `revokeApiToken` takes.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What the token allows.
    async fn role(&self) -> TokenRole {
        self.0.role.into()
    }

    /// Who or what the token is for; recorded with every change made with it.
    async fn label(&self) -> &str {
        &self.0.label
    }

    /// When the token was made.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// A learner's opaque token (`sg_learner_…`), as admins see it: never the
/// token itself nor its hash.
pub struct LearnerToken(pub LearnerTokenRecord);

/// A learner's opaque token (`sg_learner_…`), as admins see it: never the
/// token itself nor its hash.
#[Object]
impl LearnerToken {
    /// The token's id, as `skillgraph learner list` prints it; what
    /// `revokeLearnerToken` takes.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The learner the token stands for (`learner-…`), as `viewer.id` shows it.
    async fn learner_id(&self) -> ID {
        ID(self.0.learner.clone())
    }

    /// Who or what the token is for.
    async fn label(&self) -> &str {
        &self.0.label
    }

    /// When the token was made.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }
}

/// The offset and size of the page `first` and `after` ask for.
fn window(first: Option<i32>, after: Option<String>) -> Result<(usize, usize), ApiError> {
    let (offset, limit) = PageArgs {
        first,
        after,
        ..PageArgs::default()
    }
    .forward_window()?;
    Ok((
        offset,
        limit.unwrap_or(DEFAULT_PAGE_SIZE).min(max_page_size()),
    ))
}

/// The admin's store, or the error for a caller who is not an admin.
async fn admin_store<'a>(ctx: &'a Context<'_>) -> Result<&'a skillgraph_store::Store, ApiError> {
    require_role(ctx, Role::Admin).await?;
    Caller::of(ctx).ok_or(ApiError::Unauthenticated)?.store()
}

/// The root fields that list tokens; admins only.
#[derive(Default)]
pub struct TokenQuery;

/// The root fields that list tokens; admins only.
#[Object]
impl TokenQuery {
    /// The editors' and admins' API tokens, oldest first, without the
    /// tokens themselves. Needs an admin token (FORBIDDEN for others).
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many (at most 100; 20 when left out).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
    ) -> Result<Page<ApiToken>> {
        let store = admin_store(ctx).await?;
        let (offset, limit) = window(first, after)?;
        let listing = store
            .api_tokens(offset as u64, Some(limit as u64))
            .await
            .map_err(ApiError::store)?;
        let items = listing.items.into_iter().map(ApiToken).collect();
        Ok(Page::window(items, offset, listing.total as usize))
    }

    /// The learners' opaque tokens, oldest first, without the tokens
    /// themselves. Needs an admin token (FORBIDDEN for others).
    async fn learner_tokens(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return at most this many (at most 100; 20 when left out).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
    ) -> Result<Page<LearnerToken>> {
        let store = admin_store(ctx).await?;
        let (offset, limit) = window(first, after)?;
        let listing = store
            .learner_tokens(offset as u64, Some(limit as u64))
            .await
            .map_err(ApiError::store)?;
        let items = listing.items.into_iter().map(LearnerToken).collect();
        Ok(Page::window(items, offset, listing.total as usize))
    }
}
