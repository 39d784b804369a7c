//! Writes to guides and to the authors who write them.
//!
//! Guides are named by slug and authors by handle, as in queries.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result};
use skillgraph_domain::change::{AuthorDraft, AuthorPatch, Change, GuideDraft, GuidePatch};
use skillgraph_domain::{
    AuthorId, Catalog, GuideId, HttpsUrl, MAX_LINKS, MAX_TAGS, Markdown, SkillId, Slug, Title,
};

use super::{commit, commit_created, field, latest, list, optional, payload, skill_id};
use crate::api::Snapshot;
use crate::api::error::ApiError;
use crate::api::scalars::Date;
use crate::api::types::{Author, Guide};

/// Resolves a guide slug given in an input.
fn guide_id(catalog: &Catalog, path: &str, slug: &str) -> Result<GuideId, ApiError> {
    let slug = field(path, Slug::parse(slug))?;
    catalog
        .guide_by_slug(slug.as_str())
        .map(|g| g.id)
        .ok_or_else(|| ApiError::NotFound(format!("`{path}`: there is no guide `{slug}`")))
}

/// Resolves an author handle given in an input.
fn author_id(catalog: &Catalog, path: &str, handle: &str) -> Result<AuthorId, ApiError> {
    let handle = field(path, Slug::parse(handle))?;
    catalog
        .author_by_handle(handle.as_str())
        .map(|a| a.id)
        .ok_or_else(|| ApiError::NotFound(format!("`{path}`: there is no author `{handle}`")))
}

fn guides(catalog: &Catalog, slugs: Option<Vec<String>>) -> Result<Option<Vec<GuideId>>, ApiError> {
    slugs
        .map(|slugs| {
            slugs
                .iter()
                .enumerate()
                .map(|(n, slug)| guide_id(catalog, &format!("input.related[{n}]"), slug))
                .collect()
        })
        .transpose()
}

fn skills(catalog: &Catalog, slugs: Option<Vec<String>>) -> Result<Option<Vec<SkillId>>, ApiError> {
    slugs
        .map(|slugs| {
            slugs
                .iter()
                .enumerate()
                .map(|(n, slug)| skill_id(catalog, &format!("input.skills[{n}]"), slug))
                .collect()
        })
        .transpose()
}

/// The fields of a new guide.
#[derive(InputObject)]
pub struct CreateGuideInput {
    /// Stable, url-safe name.
    pub slug: String,
    /// Display title.
    pub title: String,
    /// What the guide is about, one paragraph of markdown.
    pub description: Option<String>,
    /// Where it is published: an https URL.
    pub url: String,
    /// Handle of the author who wrote it.
    pub author: Option<String>,
    /// When it was published.
    pub published_on: Option<Date>,
    /// Topic tags (slugs).
    pub tags: Option<Vec<String>>,
    /// The guide's text, markdown, when we hold it.
    pub body: Option<String>,
    /// Slugs of guides to read next, in order.
    pub related: Option<Vec<String>>,
    /// Slugs of the skills it covers, in order.
    pub skills: Option<Vec<String>>,
}

/// New values for some fields of a guide; fields left out stay as they
/// are, and `author`, `publishedOn` and `body` set to null are cleared.
#[derive(InputObject)]
pub struct UpdateGuideInput {
    /// Slug of the guide to change.
    pub guide: String,
    /// A new slug.
    pub slug: Option<String>,
    /// A new title.
    pub title: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// A new URL.
    pub url: Option<String>,
    /// Handle of a new author; null for none.
    pub author: MaybeUndefined<String>,
    /// A new publication date; null for none.
    pub published_on: MaybeUndefined<Date>,
    /// New tags, replacing the old ones.
    pub tags: Option<Vec<String>>,
    /// A new text; null for none.
    pub body: MaybeUndefined<String>,
    /// New related guides (slugs), replacing the old ones.
    pub related: Option<Vec<String>>,
    /// New covered skills (slugs), replacing the old ones.
    pub skills: Option<Vec<String>>,
}

/// Which guide to delete.
#[derive(InputObject)]
pub struct DeleteGuideInput {
    /// Slug of the guide.
    pub guide: String,
}

/// The fields of a new author.
#[derive(InputObject)]
pub struct CreateAuthorInput {
    /// Stable, url-safe handle that guides refer to.
    pub handle: String,
    /// Display name.
    pub name: String,
    /// Their pages elsewhere: https URLs.
    pub links: Option<Vec<String>>,
}

/// New values for some fields of an author; fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateAuthorInput {
    /// Handle of the author to change.
    pub author: String,
    /// A new handle.
    pub handle: Option<String>,
    /// A new name.
    pub name: Option<String>,
    /// New links, replacing the old ones.
    pub links: Option<Vec<String>>,
}

/// Which author to delete.
#[derive(InputObject)]
pub struct DeleteAuthorInput {
    /// Handle of the author; their guides stay, without an author.
    pub author: String,
}

payload!(
    /// The answer of a guide write: the guide as committed.
    GuidePayload { guide: GuideId => Guide via guide, "The guide after the write; null after a delete." }
);

payload!(
    /// The answer of an author write: the author as committed.
    AuthorPayload { author: AuthorId => Author via author, "The author after the write; null after a delete." }
);

/// A three-state input: left out, cleared with null, or set.
fn tristate<T, U>(
    value: MaybeUndefined<T>,
    parse: impl FnOnce(T) -> Result<U, ApiError>,
) -> Result<Option<Option<U>>, ApiError> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(value) => Some(Some(parse(value)?)),
    })
}

/// Writes to guides and authors.
#[derive(Default)]
pub struct GuideMutations;

/// Writes to guides and authors.
#[Object]
impl GuideMutations {
    /// Adds a guide.
    async fn create_guide(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: CreateGuideInput,
    ) -> Result<GuidePayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let draft = GuideDraft {
            slug: field("input.slug", Slug::parse(input.slug))?,
            title: field("input.title", Title::parse(input.title))?,
            description: field(
                "input.description",
                Markdown::parse(input.description.unwrap_or_default()),
            )?,
            url: field("input.url", HttpsUrl::parse(input.url))?,
            author: input
                .author
                .map(|a| author_id(catalog, "input.author", &a))
                .transpose()?,
            published: input.published_on.map(|d| d.0),
            tags: list("input.tags", input.tags, MAX_TAGS, Slug::parse)?.unwrap_or_default(),
            body: input
                .body
                .map(|b| field("input.body", Markdown::parse(b)))
                .transpose()?,
            related: guides(catalog, input.related)?.unwrap_or_default(),
            skills: skills(catalog, input.skills)?.unwrap_or_default(),
        };
        let (snapshot, created) = commit_created(ctx, Change::CreateGuide(draft)).await?;
        Ok(GuidePayload {
            snapshot,
            guide: created.map(GuideId),
        })
    }

    /// Changes fields of a guide.
    async fn update_guide(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateGuideInput,
    ) -> Result<GuidePayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let guide = guide_id(catalog, "input.guide", &input.guide)?;
        let patch = GuidePatch {
            slug: optional("input.slug", input.slug, Slug::parse)?,
            title: optional("input.title", input.title, Title::parse)?,
            description: optional("input.description", input.description, Markdown::parse)?,
            url: optional("input.url", input.url, HttpsUrl::parse)?,
            author: tristate(input.author, |a| author_id(catalog, "input.author", &a))?,
            published: tristate(input.published_on, |d| Ok(d.0))?,
            tags: list("input.tags", input.tags, MAX_TAGS, Slug::parse)?,
            body: tristate(input.body, |b| field("input.body", Markdown::parse(b)))?,
            related: guides(catalog, input.related)?,
            skills: skills(catalog, input.skills)?,
        };
        let snapshot = commit(ctx, Change::UpdateGuide { guide, patch }).await?;
        Ok(GuidePayload {
            snapshot,
            guide: Some(guide),
        })
    }

    /// Deletes a guide.
    async fn delete_guide(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: DeleteGuideInput,
    ) -> Result<GuidePayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let guide = guide_id(catalog, "input.guide", &input.guide)?;
        let snapshot = commit(ctx, Change::DeleteGuide { guide }).await?;
        Ok(GuidePayload {
            snapshot,
            guide: None,
        })
    }

    /// Adds an author.
    async fn create_author(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: CreateAuthorInput,
    ) -> Result<AuthorPayload> {
        let draft = AuthorDraft {
            handle: field("input.handle", Slug::parse(input.handle))?,
            name: field("input.name", Title::parse(input.name))?,
            links: list("input.links", input.links, MAX_LINKS, HttpsUrl::parse)?
                .unwrap_or_default(),
        };
        let (snapshot, created) = commit_created(ctx, Change::CreateAuthor(draft)).await?;
        Ok(AuthorPayload {
            snapshot,
            author: created.map(AuthorId),
        })
    }

    /// Changes fields of an author.
    async fn update_author(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateAuthorInput,
    ) -> Result<AuthorPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let author = author_id(catalog, "input.author", &input.author)?;
        let patch = AuthorPatch {
            handle: optional("input.handle", input.handle, Slug::parse)?,
            name: optional("input.name", input.name, Title::parse)?,
            links: list("input.links", input.links, MAX_LINKS, HttpsUrl::parse)?,
        };
        let snapshot = commit(ctx, Change::UpdateAuthor { author, patch }).await?;
        Ok(AuthorPayload {
            snapshot,
            author: Some(author),
        })
    }

    /// Deletes an author; their guides stay, without an author.
    async fn delete_author(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: DeleteAuthorInput,
    ) -> Result<AuthorPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let author = author_id(catalog, "input.author", &input.author)?;
        let snapshot = commit(ctx, Change::DeleteAuthor { author }).await?;
        Ok(AuthorPayload {
            snapshot,
            author: None,
        })
    }
}
