//! The mutation root: catalog writes, each with one `input` and a payload,
//! refused without a bearer token of a role that allows it.
//!
//! Every mutation parses its input into a domain [`Change`] (a malformed
//! field is BAD_USER_INPUT naming its path), hands it to the store, which
//! checks it against the committed catalog and applies it in one
//! transaction, and swaps the new snapshot in before answering, so the
//! payload (and every later request) reads the write.

use std::sync::Arc;

use async_graphql::ID;
use async_graphql::{Context, InputObject, MergedObject, Object, Result};
use skillgraph_domain::change::{Change, ChangeError, ResourceDraft, SkillDraft, SkillPatch};
use skillgraph_domain::{
    Alias, Catalog, HttpsUrl, MAX_ALIASES, MAX_TAGS, Markdown, Prerequisite, ResourceId, SkillId,
    Slug, Strength, Summary, Title, ValueError, check_count,
};
use skillgraph_search::Touched;
use skillgraph_store::{Actor, Role, Store, StoreError};

use super::caller::Caller;
use super::error::ApiError;
use super::ids::NodeId;
use super::types::{PrerequisiteStrength, Resource, ResourceKind, Skill, SkillLevel};
use super::{CatalogSnapshot, Snapshot};

mod admin;
mod guides;
mod learning;
mod roadmaps;
mod tokens;

/// Catalog writes; each needs `Authorization: Bearer <token>` of the editor or admin role.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct Mutation(
    SkillMutations,
    roadmaps::RoadmapMutations,
    guides::GuideMutations,
    admin::AdminMutations,
    learning::LearningMutations,
    tokens::TokenMutations,
);

/// What a request needs to write: the store and the slot of the current snapshot.
#[derive(Clone)]
pub struct Writes {
    /// Where changes are applied.
    pub store: Store,
    /// The snapshot every new request reads; replaced after each commit.
    pub current: super::live::SnapshotSlot,
}

/// Checks the request's token against `needed`.
pub(crate) async fn authorize(
    ctx: &Context<'_>,
    needed: Role,
) -> Result<(Writes, Actor), ApiError> {
    let actor = require_role(ctx, needed).await?;
    let writes = ctx
        .data_opt::<Writes>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("writes are not available here".into()))?;
    Ok((writes, actor))
}

/// The editor or admin behind the request, if their role is at least
/// `needed`: UNAUTHENTICATED without a valid token, FORBIDDEN for a
/// learner's token or a lesser role.
pub(crate) async fn require_role(ctx: &Context<'_>, needed: Role) -> Result<Actor, ApiError> {
    let caller = Caller::of(ctx).ok_or(ApiError::Unauthenticated)?;
    let Some(actor) = caller.actor().await? else {
        return Err(match caller.token() {
            None => ApiError::Unauthenticated,
            Some(_) if caller.learner().await?.is_some() => ApiError::Forbidden(format!(
                "a learner's token may not do this; it needs the {} role",
                needed.as_str()
            )),
            Some(_) => ApiError::Unauthenticated,
        });
    };
    if actor.role < needed {
        return Err(ApiError::Forbidden(format!(
            "a token with the {} role may not do this; it needs {}",
            actor.role.as_str(),
            needed.as_str()
        )));
    }
    Ok(actor.clone())
}

/// The newest snapshot this process holds, against which a mutation's
/// input is resolved: not the request's own snapshot, so that a request
/// of several mutations sees the earlier ones' writes.
pub(crate) fn latest(ctx: &Context<'_>) -> Result<Snapshot, ApiError> {
    ctx.data_opt::<Writes>()
        .map(|writes| writes.current.load())
        .ok_or_else(|| ApiError::Internal("writes are not available here".into()))
}

/// Maps a refused or failed write to the error a client sees.
fn write_error(error: StoreError) -> ApiError {
    use async_graphql::Value;
    let slugs = |list: &[Slug]| Value::List(list.iter().map(|s| Value::from(s.as_str())).collect());
    match error {
        StoreError::Refused(refusal) => {
            let message = refusal.to_string();
            match refusal {
                ChangeError::NotFound { .. }
                | ChangeError::NotRequired { .. }
                | ChangeError::NotRelated { .. } => ApiError::NotFound(message),
                ChangeError::SelfRelated { .. } => ApiError::bad_input(message),
                ChangeError::Repeated { field, .. } | ChangeError::TooMany { field, .. } => {
                    ApiError::BadField {
                        field: format!("input.{field}"),
                        message,
                    }
                }
                ChangeError::PositionOutOfRange { .. } => ApiError::BadField {
                    field: "input.position".into(),
                    message,
                },
                ChangeError::ParentOutsideSection { .. } => ApiError::BadField {
                    field: "input.parentItem".into(),
                    message,
                },
                ChangeError::OtherRoadmap { .. } => ApiError::BadField {
                    field: "input.section".into(),
                    message,
                },
                ChangeError::ItemIntoItself(_) => ApiError::Conflict {
                    message,
                    details: Vec::new(),
                },
                ChangeError::AlreadyOnRoadmap { .. } => ApiError::Conflict {
                    message,
                    details: Vec::new(),
                },
                ChangeError::WouldCycle(cycle) => ApiError::Conflict {
                    message,
                    details: vec![("cycle", slugs(&cycle.0))],
                },
                ChangeError::HasDependents { dependents, .. } => ApiError::Conflict {
                    message,
                    details: vec![("dependents", slugs(&dependents))],
                },
                ChangeError::SlugTaken { .. }
                | ChangeError::AlreadyRequired { .. }
                | ChangeError::AlreadyRelated { .. } => ApiError::Conflict {
                    message,
                    details: Vec::new(),
                },
            }
        }
        other => ApiError::store(other),
    }
}

/// Applies a change and swaps the committed catalog in; returns the new
/// snapshot and the storage key of what the change created, if anything.
async fn commit_created(
    ctx: &Context<'_>,
    change: Change,
) -> Result<(Snapshot, Option<i64>), ApiError> {
    let (writes, actor) = authorize(ctx, Role::Editor).await?;
    // One write at a time derives the next snapshot, from the newest.
    let _turn = writes.current.turn().await;
    let base = writes.current.load();
    let applied = writes
        .store
        .apply(&change, &actor, &base.catalog, base.version)
        .await
        .map_err(write_error)?;
    let next = if applied.on_base {
        let touched = Touched::of(&change, applied.created);
        CatalogSnapshot::after(Arc::clone(&base), applied.catalog, touched).await
    } else {
        CatalogSnapshot::build(applied.catalog).await
    };
    let next = Arc::new(next.map_err(|e| ApiError::Internal(e.to_string()))?);
    writes.current.offer(Arc::clone(&next));
    Ok((next, applied.created))
}

/// Applies a change and swaps the committed catalog in; returns the new snapshot.
async fn commit(ctx: &Context<'_>, change: Change) -> Result<Snapshot, ApiError> {
    Ok(commit_created(ctx, change).await?.0)
}

/// Commits a change and answers with the given skill as committed.
async fn commit_skill(
    ctx: &Context<'_>,
    change: Change,
    skill: Option<SkillId>,
) -> Result<SkillPayload, ApiError> {
    let snapshot = commit(ctx, change).await?;
    Ok(SkillPayload { snapshot, skill })
}

/// Commits a change and answers with the given resource as committed.
async fn commit_resource(
    ctx: &Context<'_>,
    change: Change,
    resource: Option<ResourceId>,
) -> Result<ResourcePayload, ApiError> {
    let snapshot = commit(ctx, change).await?;
    Ok(ResourcePayload { snapshot, resource })
}

/// Parses one input field, naming its path when it is malformed.
pub(crate) fn field<T>(path: &str, parsed: Result<T, ValueError>) -> Result<T, ApiError> {
    parsed.map_err(|e| ApiError::BadField {
        field: path.to_owned(),
        message: format!("`{path}`: {e}"),
    })
}

/// Resolves a skill slug given in an input.
pub(crate) fn skill_id(catalog: &Catalog, path: &str, slug: &str) -> Result<SkillId, ApiError> {
    let slug = field(path, Slug::parse(slug))?;
    catalog
        .skill_by_slug(slug.as_str())
        .map(|s| s.id)
        .ok_or_else(|| ApiError::NotFound(format!("`{path}`: there is no skill `{slug}`")))
}

/// Parses an optional input field, naming its path when it is malformed.
pub(crate) fn optional<T>(
    path: &str,
    value: Option<String>,
    parse: impl FnOnce(String) -> Result<T, ValueError>,
) -> Result<Option<T>, ApiError> {
    value.map(|v| field(path, parse(v))).transpose()
}

/// Parses a list input of at most `max` entries, naming the path of the
/// list when it is too long and of a malformed entry.
pub(crate) fn list<T>(
    path: &str,
    items: Option<Vec<String>>,
    max: usize,
    parse: impl Fn(String) -> Result<T, ValueError>,
) -> Result<Option<Vec<T>>, ApiError> {
    items
        .map(|items| {
            // Counted before any entry is parsed.
            field(path, check_count("the list", items.len(), max))?;
            items
                .into_iter()
                .enumerate()
                .map(|(n, item)| field(&format!("{path}[{n}]"), parse(item)))
                .collect()
        })
        .transpose()
}

/// The fields of a new skill.
#[derive(InputObject)]
pub struct CreateSkillInput {
    /// Stable, url-safe name: lowercase letters, digits and single hyphens.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// One line for lists (at most 280 characters).
    pub summary: String,
    /// A longer explanation, markdown.
    pub description: Option<String>,
    /// How advanced the skill is.
    pub level: SkillLevel,
    /// Topic tags (slugs).
    pub tags: Option<Vec<String>>,
    /// Other names people search for.
    pub aliases: Option<Vec<String>>,
    /// Slug of the broader skill this one is a subtopic of.
    pub parent: Option<String>,
}

/// New values for some fields of a skill; fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateSkillInput {
    /// Slug of the skill to change.
    pub skill: String,
    /// A new slug.
    pub slug: Option<String>,
    /// A new display name.
    pub name: Option<String>,
    /// A new one-line summary.
    pub summary: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// A new level.
    pub level: Option<SkillLevel>,
    /// New tags, replacing the old ones.
    pub tags: Option<Vec<String>>,
    /// New aliases, replacing the old ones.
    pub aliases: Option<Vec<String>>,
}

/// Which skill to delete.
#[derive(InputObject)]
pub struct DeleteSkillInput {
    /// Slug of the skill to delete.
    pub skill: String,
    /// Also remove the prerequisite edges of skills that need it; without
    /// it, a skill others need is not deleted.
    pub cascade: Option<bool>,
}

/// A prerequisite edge to add.
#[derive(InputObject)]
pub struct AddPrerequisiteInput {
    /// Slug of the skill that needs the prerequisite.
    pub skill: String,
    /// Slug of the skill needed first.
    pub requires: String,
    /// How strongly; REQUIRED when left out.
    pub strength: Option<PrerequisiteStrength>,
}

/// A prerequisite edge to remove.
#[derive(InputObject)]
pub struct RemovePrerequisiteInput {
    /// Slug of the skill that has the prerequisite.
    pub skill: String,
    /// Slug of the prerequisite to remove.
    pub requires: String,
}

/// A skill's new place in the hierarchy.
#[derive(InputObject)]
pub struct SetSkillParentInput {
    /// Slug of the skill to move.
    pub skill: String,
    /// Slug of its new parent; null makes it a top-level skill.
    pub parent: Option<String>,
}

/// Two skills to link or unlink as "see also".
#[derive(InputObject)]
pub struct RelateSkillsInput {
    /// Slug of one skill.
    pub skill: String,
    /// Slug of the other.
    pub other: String,
}

/// A new learning resource of a skill.
#[derive(InputObject)]
pub struct CreateResourceInput {
    /// Slug of the skill it teaches.
    pub skill: String,
    /// What kind of material it is.
    pub kind: ResourceKind,
    /// Its title.
    pub title: String,
    /// Where it is: an https URL.
    pub url: String,
}

/// New fields for a resource.
#[derive(InputObject)]
pub struct UpdateResourceInput {
    /// The resource's global id.
    pub id: ID,
    /// What kind of material it is.
    pub kind: ResourceKind,
    /// Its title.
    pub title: String,
    /// Where it is: an https URL.
    pub url: String,
}

/// Which resource to delete.
#[derive(InputObject)]
pub struct DeleteResourceInput {
    /// The resource's global id.
    pub id: ID,
}

/// The resource id in an input; a malformed one or one of another kind is BAD_USER_INPUT.
fn resource_id(id: &ID) -> Result<ResourceId, ApiError> {
    match NodeId::decode(id) {
        Ok(NodeId::Resource(id)) => Ok(id),
        _ => Err(ApiError::BadField {
            field: "input.id".into(),
            message: format!("`input.id`: `{}` is not a resource id", id.as_str()),
        }),
    }
}

fn resource_draft(
    kind: ResourceKind,
    title: String,
    url: String,
) -> Result<ResourceDraft, ApiError> {
    Ok(ResourceDraft {
        kind: kind.into(),
        title: field("input.title", Title::parse(title))?,
        url: field("input.url", HttpsUrl::parse(url))?,
    })
}

/// Declares the payload of a write that answers with one thing as it
/// committed (`null` after a delete) and the catalog version it produced.
macro_rules! payload {
    ($(#[$doc:meta])* $name:ident { $field:ident: $id:ty => $wrapper:ident via $lookup:ident, $field_doc:literal }) => {
        $(#[$doc])*
        pub struct $name {
            snapshot: Snapshot,
            $field: Option<$id>,
        }

        $(#[$doc])*
        #[Object]
        impl $name {
            #[doc = $field_doc]
            async fn $field(&self) -> Option<$wrapper<'_>> {
                let catalog = &self.snapshot.catalog;
                Some($wrapper::new(catalog, catalog.$lookup(self.$field?)?))
            }

            /// The catalog version the write produced.
            async fn catalog_version(&self) -> i64 {
                self.snapshot.version
            }
        }
    };
}
pub(crate) use payload;

payload!(
    /// The answer of a resource write: the resource as committed.
    ResourcePayload { resource: ResourceId => Resource via resource, "The resource after the write; null after a delete." }
);

payload!(
    /// The answer of a skill write: the skill as committed.
    SkillPayload { skill: SkillId => Skill via skill, "The skill after the write; null after a delete." }
);

/// Writes to skills, their edges and their resources.
#[derive(Default)]
pub struct SkillMutations;

/// Writes to skills, their edges and their resources.
#[Object]
impl SkillMutations {
    /// Adds a skill.
    async fn create_skill(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: CreateSkillInput,
    ) -> Result<SkillPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let slug = field("input.slug", Slug::parse(input.slug))?;
        let draft = SkillDraft {
            slug: slug.clone(),
            name: field("input.name", Title::parse(input.name))?,
            summary: field("input.summary", Summary::parse(input.summary))?,
            description: field(
                "input.description",
                Markdown::parse(input.description.unwrap_or_default()),
            )?,
            level: input.level.into(),
            tags: list("input.tags", input.tags, MAX_TAGS, Slug::parse)?.unwrap_or_default(),
            aliases: list("input.aliases", input.aliases, MAX_ALIASES, Alias::parse)?
                .unwrap_or_default(),
            external_ids: Vec::new(),
            parent: input
                .parent
                .map(|p| skill_id(catalog, "input.parent", &p))
                .transpose()?,
        };
        let next = commit(ctx, Change::CreateSkill(draft)).await?;
        let skill = next.catalog.skill_by_slug(slug.as_str()).map(|s| s.id);
        Ok(SkillPayload {
            snapshot: next,
            skill,
        })
    }

    /// Changes fields of a skill.
    async fn update_skill(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateSkillInput,
    ) -> Result<SkillPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let skill = skill_id(catalog, "input.skill", &input.skill)?;
        let patch = SkillPatch {
            slug: optional("input.slug", input.slug, Slug::parse)?,
            name: optional("input.name", input.name, Title::parse)?,
            summary: optional("input.summary", input.summary, Summary::parse)?,
            description: optional("input.description", input.description, Markdown::parse)?,
            level: input.level.map(Into::into),
            tags: list("input.tags", input.tags, MAX_TAGS, Slug::parse)?,
            aliases: list("input.aliases", input.aliases, MAX_ALIASES, Alias::parse)?,
            external_ids: None,
        };
        Ok(commit_skill(ctx, Change::UpdateSkill { skill, patch }, Some(skill)).await?)
    }

    /// Deletes a skill. A skill that others need is refused with CONFLICT
    /// naming them (`extensions.dependents`), unless `cascade` is true.
    async fn delete_skill(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: DeleteSkillInput,
    ) -> Result<SkillPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let skill = skill_id(catalog, "input.skill", &input.skill)?;
        let change = Change::DeleteSkill {
            skill,
            cascade: input.cascade.unwrap_or(false),
        };
        Ok(commit_skill(ctx, change, None).await?)
    }

    /// Adds a prerequisite edge. One that would close a cycle is refused with
    /// CONFLICT, and `extensions.cycle` lists the slugs round the cycle.
    async fn add_prerequisite(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: AddPrerequisiteInput,
    ) -> Result<SkillPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let skill = skill_id(catalog, "input.skill", &input.skill)?;
        let requires = skill_id(catalog, "input.requires", &input.requires)?;
        let edge = Prerequisite {
            skill,
            requires,
            strength: input.strength.map_or(Strength::Required, Into::into),
        };
        Ok(commit_skill(ctx, Change::AddPrerequisite(edge), Some(skill)).await?)
    }

    /// Removes a prerequisite edge.
    async fn remove_prerequisite(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: RemovePrerequisiteInput,
    ) -> Result<SkillPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let skill = skill_id(catalog, "input.skill", &input.skill)?;
        let requires = skill_id(catalog, "input.requires", &input.requires)?;
        Ok(commit_skill(
            ctx,
            Change::RemovePrerequisite { skill, requires },
            Some(skill),
        )
        .await?)
    }

    /// Moves a skill in the hierarchy. A move that would make a skill its own
    /// ancestor is refused with CONFLICT and `extensions.cycle`.
    async fn set_skill_parent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: SetSkillParentInput,
    ) -> Result<SkillPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let skill = skill_id(catalog, "input.skill", &input.skill)?;
        let parent = input
            .parent
            .map(|p| skill_id(catalog, "input.parent", &p))
            .transpose()?;
        Ok(commit_skill(ctx, Change::SetParent { skill, parent }, Some(skill)).await?)
    }

    /// Links two skills as "see also"; the link is symmetric.
    async fn relate_skills(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: RelateSkillsInput,
    ) -> Result<SkillPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let skill = skill_id(catalog, "input.skill", &input.skill)?;
        let other = skill_id(catalog, "input.other", &input.other)?;
        Ok(commit_skill(ctx, Change::Relate { skill, other }, Some(skill)).await?)
    }

    /// Removes a "see also" link between two skills.
    async fn unrelate_skills(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: RelateSkillsInput,
    ) -> Result<SkillPayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let skill = skill_id(catalog, "input.skill", &input.skill)?;
        let other = skill_id(catalog, "input.other", &input.other)?;
        Ok(commit_skill(ctx, Change::Unrelate { skill, other }, Some(skill)).await?)
    }

    /// Adds a learning resource to a skill, after its other resources.
    async fn create_resource(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: CreateResourceInput,
    ) -> Result<ResourcePayload> {
        let latest = latest(ctx)?;
        let catalog = &latest.catalog;
        let skill = skill_id(catalog, "input.skill", &input.skill)?;
        let resource = resource_draft(input.kind, input.title, input.url)?;
        let (snapshot, created) =
            commit_created(ctx, Change::CreateResource { skill, resource }).await?;
        Ok(ResourcePayload {
            snapshot,
            resource: created.map(ResourceId),
        })
    }

    /// Replaces a resource's kind, title and URL.
    async fn update_resource(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: UpdateResourceInput,
    ) -> Result<ResourcePayload> {
        let resource = resource_id(&input.id)?;
        let fields = resource_draft(input.kind, input.title, input.url)?;
        Ok(commit_resource(
            ctx,
            Change::UpdateResource { resource, fields },
            Some(resource),
        )
        .await?)
    }

    /// Deletes a resource.
    async fn delete_resource(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to change.")] input: DeleteResourceInput,
    ) -> Result<ResourcePayload> {
        let resource = resource_id(&input.id)?;
        Ok(commit_resource(ctx, Change::DeleteResource { resource }, None).await?)
    }
}
