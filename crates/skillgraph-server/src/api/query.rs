//! The query root: lookups by id and slug, and connections over the catalog.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use skillgraph_domain::graph::EdgeFilter;
use skillgraph_domain::{Catalog, SkillId, Slug, Strength};

use super::connection::{Page, PageArgs};
use super::error::ApiError;
use super::ids::NodeId;
use super::scalars::DateTime;
use super::snapshot;
use super::types::{Author, Guide, LearningPath, Node, Roadmap, Skill, SkillLevel};

/// The most ids one `nodes` call may ask for.
pub const MAX_NODES: usize = 100;

/// Lookups, connections and graph answers over the catalog.
#[derive(Default)]
pub struct CatalogQuery;

/// Parses a slug argument; a malformed one is BAD_USER_INPUT.
pub(crate) fn slug_argument(name: &str, value: &str) -> Result<Slug, ApiError> {
    Slug::parse(value).map_err(|e| ApiError::bad_input(format!("`{name}`: {e}")))
}

/// Whether `text` contains `needle`, ignoring case; `needle` is already lowercase.
fn contains(text: &str, needle: &str) -> bool {
    text.to_lowercase().contains(needle)
}

/// Resolves skill slugs given as arguments; an unknown or malformed one is
/// BAD_USER_INPUT that names it.
/// The targets of a learning path, each a known skill, at least one.
pub(crate) fn path_targets(
    catalog: &Catalog,
    targets: &[String],
) -> Result<Vec<SkillId>, ApiError> {
    if targets.is_empty() {
        return Err(ApiError::bad_input(
            "`targets` must name at least one skill",
        ));
    }
    skill_ids(catalog, "targets", targets)
}

/// The learning path to `targets` for someone who knows `known`: what
/// `learningPath` answers on both executors.
pub(crate) fn learning_path_between<'a>(
    catalog: &'a Catalog,
    targets: Vec<SkillId>,
    known: &[SkillId],
    strength: Option<PathStrength>,
) -> Result<LearningPath<'a>, ApiError> {
    let filter = match strength.unwrap_or_default() {
        PathStrength::Required => EdgeFilter::Only(Strength::Required),
        PathStrength::All => EdgeFilter::All,
    };
    let steps = catalog
        .learning_path(&targets, known, filter)
        .map_err(|e| ApiError::bad_input(e.to_string()))?;
    Ok(LearningPath::new(catalog, targets, steps))
}

pub(crate) fn skill_ids(
    catalog: &Catalog,
    name: &str,
    slugs: &[String],
) -> Result<Vec<SkillId>, ApiError> {
    slugs
        .iter()
        .map(|slug| {
            slug_argument(name, slug)?;
            catalog
                .skill_by_slug(slug)
                .map(|s| s.id)
                .ok_or_else(|| ApiError::bad_input(format!("`{name}`: there is no skill `{slug}`")))
        })
        .collect()
}

/// The version of the catalog an answer was read from.
#[derive(SimpleObject)]
pub struct CatalogInfo {
    /// Bumped by every committed change; answers with the same version saw the same catalog.
    pub version: i64,
    /// When that version was committed.
    pub updated_at: DateTime,
}

/// One committed change of the catalog.
#[derive(SimpleObject)]
pub struct ChangeLogEntry {
    /// The catalog version it produced.
    pub version: i64,
    /// The label of the token that made it.
    pub actor: String,
    /// When it committed.
    pub at: DateTime,
    /// The change itself, as JSON text.
    pub change: String,
}

/// Which prerequisite edges a learning path follows.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PathStrength {
    /// Only required prerequisites: the shortest honest path.
    #[default]
    Required,
    /// Required and recommended prerequisites: the thorough path.
    All,
}

/// Which way a list is sorted.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// Keeps skills that match every given condition.
#[derive(InputObject, Debug, Default)]
pub struct SkillFilter {
    /// Only skills with this tag.
    pub tag: Option<String>,
    /// Only skills of this level.
    pub level: Option<SkillLevel>,
    /// Only skills whose name, summary or aliases contain this text, ignoring case.
    pub text: Option<String>,
    /// Only skills on the roadmap with this slug.
    pub roadmap: Option<String>,
}

/// What skills can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SkillOrderField {
    /// By slug.
    #[default]
    Slug,
    /// By display name, then slug.
    Name,
    /// By level (beginner first), then slug.
    Level,
}

/// The order of a skill list.
#[derive(InputObject, Debug, Default)]
pub struct SkillOrder {
    /// What to sort by.
    #[graphql(default)]
    pub field: SkillOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Keeps roadmaps that match every given condition.
#[derive(InputObject, Debug, Default)]
pub struct RoadmapFilter {
    /// Only roadmaps whose title or description contain this text, ignoring case.
    pub text: Option<String>,
    /// Only roadmaps that hold the skill with this slug.
    pub skill: Option<String>,
}

/// What roadmaps can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoadmapOrderField {
    /// By slug.
    #[default]
    Slug,
    /// By title, then slug.
    Title,
}

/// The order of a roadmap list.
#[derive(InputObject, Debug, Default)]
pub struct RoadmapOrder {
    /// What to sort by.
    #[graphql(default)]
    pub field: RoadmapOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Keeps guides that match every given condition.
#[derive(InputObject, Debug, Default)]
pub struct GuideFilter {
    /// Only guides with this tag.
    pub tag: Option<String>,
    /// Only guides whose title or description contain this text, ignoring case.
    pub text: Option<String>,
    /// Only guides by the author with this handle.
    pub author: Option<String>,
    /// Only guides that cover the skill with this slug.
    pub skill: Option<String>,
}

/// What guides can be sorted by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GuideOrderField {
    /// By slug.
    #[default]
    Slug,
    /// By title, then slug.
    Title,
    /// By publication date (undated guides last), then slug.
    PublishedOn,
}

/// The order of a guide list.
#[derive(InputObject, Debug, Default)]
pub struct GuideOrder {
    /// What to sort by.
    #[graphql(default)]
    pub field: GuideOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

fn directed<T>(mut items: Vec<T>, direction: OrderDirection) -> Vec<T> {
    if direction == OrderDirection::Desc {
        items.reverse();
    }
    items
}

pub(crate) fn skills_matching<'a>(
    catalog: &'a Catalog,
    filter: SkillFilter,
    order: SkillOrder,
) -> Result<Vec<Skill<'a>>, ApiError> {
    let tag = filter
        .tag
        .as_deref()
        .map(|t| slug_argument("filter.tag", t))
        .transpose()?;
    let roadmap = match filter.roadmap.as_deref() {
        Some(slug) => {
            slug_argument("filter.roadmap", slug)?;
            match catalog.roadmap_by_slug(slug) {
                Some(r) => Some(r.items().map(|i| i.skill).collect::<Vec<_>>()),
                None => Some(Vec::new()),
            }
        }
        None => None,
    };
    let level = filter.level.map(skillgraph_domain::Level::from);
    let text = filter.text.map(|t| t.to_lowercase());
    let mut skills: Vec<_> = catalog
        .skills()
        .filter(|s| tag.as_ref().is_none_or(|t| s.tags.contains(t)))
        .filter(|s| level.is_none_or(|l| s.level == l))
        .filter(|s| roadmap.as_ref().is_none_or(|ids| ids.contains(&s.id)))
        .filter(|s| {
            text.as_deref().is_none_or(|t| {
                contains(s.name.as_str(), t)
                    || contains(s.summary.as_str(), t)
                    || s.aliases.iter().any(|a| contains(a.as_str(), t))
            })
        })
        .collect();
    match order.field {
        SkillOrderField::Slug => skills.sort_by(|a, b| a.slug.cmp(&b.slug)),
        SkillOrderField::Name => {
            skills.sort_by(|a, b| a.name.cmp(&b.name).then(a.slug.cmp(&b.slug)))
        }
        SkillOrderField::Level => {
            skills.sort_by(|a, b| a.level.cmp(&b.level).then(a.slug.cmp(&b.slug)))
        }
    }
    Ok(directed(skills, order.direction)
        .into_iter()
        .map(|s| Skill::new(catalog, s))
        .collect())
}

pub(crate) fn roadmaps_matching<'a>(
    catalog: &'a Catalog,
    filter: RoadmapFilter,
    order: RoadmapOrder,
) -> Result<Vec<Roadmap<'a>>, ApiError> {
    let skill = match filter.skill.as_deref() {
        Some(slug) => {
            slug_argument("filter.skill", slug)?;
            Some(catalog.skill_by_slug(slug).map(|s| s.id))
        }
        None => None,
    };
    let text = filter.text.map(|t| t.to_lowercase());
    let mut roadmaps: Vec<_> = catalog
        .roadmaps()
        .filter(|r| {
            skill.is_none_or(|wanted| {
                wanted.is_some_and(|id| catalog.roadmaps_with(id).contains(&r.id))
            })
        })
        .filter(|r| {
            text.as_deref().is_none_or(|t| {
                contains(r.title.as_str(), t) || contains(r.description.as_str(), t)
            })
        })
        .collect();
    match order.field {
        RoadmapOrderField::Slug => roadmaps.sort_by(|a, b| a.slug.cmp(&b.slug)),
        RoadmapOrderField::Title => {
            roadmaps.sort_by(|a, b| a.title.cmp(&b.title).then(a.slug.cmp(&b.slug)))
        }
    }
    Ok(directed(roadmaps, order.direction)
        .into_iter()
        .map(|r| Roadmap::new(catalog, r))
        .collect())
}

pub(crate) fn guides_matching<'a>(
    catalog: &'a Catalog,
    filter: GuideFilter,
    order: GuideOrder,
) -> Result<Vec<Guide<'a>>, ApiError> {
    let tag = filter
        .tag
        .as_deref()
        .map(|t| slug_argument("filter.tag", t))
        .transpose()?;
    let author = match filter.author.as_deref() {
        Some(handle) => {
            slug_argument("filter.author", handle)?;
            Some(catalog.author_by_handle(handle).map(|a| a.id))
        }
        None => None,
    };
    let skill = match filter.skill.as_deref() {
        Some(slug) => {
            slug_argument("filter.skill", slug)?;
            Some(catalog.skill_by_slug(slug).map(|s| s.id))
        }
        None => None,
    };
    let text = filter.text.map(|t| t.to_lowercase());
    let mut guides: Vec<_> = catalog
        .guides()
        .filter(|g| tag.as_ref().is_none_or(|t| g.tags.contains(t)))
        .filter(|g| author.is_none_or(|a| a.is_some() && g.author == a))
        .filter(|g| skill.is_none_or(|s| s.is_some_and(|id| g.skills.contains(&id))))
        .filter(|g| {
            text.as_deref().is_none_or(|t| {
                contains(g.title.as_str(), t) || contains(g.description.as_str(), t)
            })
        })
        .collect();
    match order.field {
        GuideOrderField::Slug => guides.sort_by(|a, b| a.slug.cmp(&b.slug)),
        GuideOrderField::Title => {
            guides.sort_by(|a, b| a.title.cmp(&b.title).then(a.slug.cmp(&b.slug)))
        }
        GuideOrderField::PublishedOn => guides.sort_by(|a, b| {
            // Undated guides go last in ascending order.
            (a.published.is_none(), a.published, &a.slug).cmp(&(
                b.published.is_none(),
                b.published,
                &b.slug,
            ))
        }),
    }
    Ok(directed(guides, order.direction)
        .into_iter()
        .map(|g| Guide::new(catalog, g))
        .collect())
}

/// Lookups, connections and graph answers over the catalog.
#[Object]
impl CatalogQuery {
    /// Fetches any object by its global id; `null` when nothing has that id.
    async fn node<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "A global id as returned in an `id` field.")] id: ID,
    ) -> Result<Option<Node<'ctx>>> {
        let id = NodeId::decode(&id)?;
        Ok(Node::find(&snapshot(ctx).catalog, id))
    }

    /// Fetches many objects by global id, in the order asked; `null` for each id that matches nothing.
    async fn nodes<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "Global ids, at most 100.")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node<'ctx>>>> {
        if ids.len() > MAX_NODES {
            return Err(ApiError::bad_input(format!(
                "`ids` may hold at most {MAX_NODES} ids; got {}",
                ids.len()
            ))
            .into());
        }
        let catalog = &snapshot(ctx).catalog;
        ids.iter()
            .map(|id| Ok(Node::find(catalog, NodeId::decode(id)?)))
            .collect()
    }

    /// The skill with this slug; `null` when there is none.
    async fn skill<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "The skill's slug, e.g. `git`.")] slug: String,
    ) -> Result<Option<Skill<'ctx>>> {
        slug_argument("slug", &slug)?;
        let catalog = &snapshot(ctx).catalog;
        Ok(catalog.skill_by_slug(&slug).map(|s| Skill::new(catalog, s)))
    }

    /// The roadmap with this slug; `null` when there is none.
    async fn roadmap<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "The roadmap's slug, e.g. `backend`.")] slug: String,
    ) -> Result<Option<Roadmap<'ctx>>> {
        slug_argument("slug", &slug)?;
        let catalog = &snapshot(ctx).catalog;
        Ok(catalog
            .roadmap_by_slug(&slug)
            .map(|r| Roadmap::new(catalog, r)))
    }

    /// The guide with this slug; `null` when there is none.
    async fn guide<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "The guide's slug.")] slug: String,
    ) -> Result<Option<Guide<'ctx>>> {
        slug_argument("slug", &slug)?;
        let catalog = &snapshot(ctx).catalog;
        Ok(catalog.guide_by_slug(&slug).map(|g| Guide::new(catalog, g)))
    }

    /// The author with this global id or this handle (give exactly one); `null` when there is none.
    async fn author<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "The author's global id.")] id: Option<ID>,
        #[graphql(desc = "The author's handle, e.g. `fernando-doglio`.")] handle: Option<String>,
    ) -> Result<Option<Author<'ctx>>> {
        let catalog = &snapshot(ctx).catalog;
        let author = match (id, handle) {
            (Some(id), None) => match NodeId::decode(&id)? {
                NodeId::Author(id) => catalog.author(id),
                _ => None,
            },
            (None, Some(handle)) => {
                slug_argument("handle", &handle)?;
                catalog.author_by_handle(&handle)
            }
            _ => {
                return Err(ApiError::bad_input("give exactly one of `id` and `handle`").into());
            }
        };
        Ok(author.map(|a| Author::new(catalog, a)))
    }

    /// Which version of the catalog this answer was read from.
    async fn catalog<'ctx>(&self, ctx: &Context<'ctx>) -> CatalogInfo {
        let snapshot = snapshot(ctx);
        CatalogInfo {
            version: snapshot.version,
            updated_at: DateTime(snapshot.updated_at),
        }
    }

    /// The newest committed changes: who made them, when, and what. Needs an admin token.
    async fn change_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many entries, newest first (at most 100; 20 when left out).")]
        first: Option<i32>,
    ) -> Result<Vec<ChangeLogEntry>> {
        let limit = match first {
            None => 20,
            Some(n) if (0..=100).contains(&n) => n as u64,
            Some(n) => {
                return Err(
                    ApiError::bad_input(format!("`first` must be 0 to 100; got {n}")).into(),
                );
            }
        };
        let (writes, _) = super::mutation::authorize(ctx, skillgraph_store::Role::Admin).await?;
        let records = writes
            .store
            .change_log(limit)
            .await
            .map_err(ApiError::store)?;
        Ok(records
            .into_iter()
            .map(|r| ChangeLogEntry {
                version: r.version,
                actor: r.actor,
                at: DateTime(r.at),
                change: r.change.to_string(),
            })
            .collect())
    }

    /// The skills still to learn to reach every target, each after all of
    /// its prerequisites. Known skills, and whatever only they need, are
    /// left out. The same question always gives the same order: ties follow
    /// the skills' places on the roadmaps, then their slugs.
    async fn learning_path<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "Slugs of the skills to reach (at most 64).")] targets: Vec<String>,
        #[graphql(
            desc = "Slugs of skills already learnt; when left out, the skills the caller (a learner) marked done."
        )]
        known: Option<Vec<String>>,
        #[graphql(desc = "Which prerequisites to follow; REQUIRED when left out.")]
        strength: Option<PathStrength>,
    ) -> Result<LearningPath<'ctx>> {
        let catalog = &snapshot(ctx).catalog;
        let target_ids = path_targets(catalog, &targets)?;
        let known_ids = match known {
            Some(known) => skill_ids(catalog, "known", &known)?,
            // A learner's done skills are what they know.
            None => super::viewer::done_skills(ctx).await?.unwrap_or_default(),
        };
        Ok(learning_path_between(
            catalog, target_ids, &known_ids, strength,
        )?)
    }

    /// The shortest chain of prerequisites from `from` to `to`, each skill a
    /// prerequisite of the next; `null` when `to` does not build on `from`.
    async fn prerequisite_path<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "Slug of the skill to start from (the more basic one).")] from: String,
        #[graphql(desc = "Slug of the skill to arrive at.")] to: String,
    ) -> Result<Option<Vec<Skill<'ctx>>>> {
        let catalog = &snapshot(ctx).catalog;
        let from = skill_ids(catalog, "from", &[from])?[0];
        let to = skill_ids(catalog, "to", &[to])?[0];
        let path = catalog.prerequisite_path(from, to);
        super::budget::charge_items(ctx, path.as_ref().map_or(0, Vec::len))?;
        Ok(path.map(|path| Skill::many(catalog, &path)))
    }

    /// All skills, filtered and ordered, a page at a time.
    #[allow(clippy::too_many_arguments)]
    async fn skills<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "Return at most this many skills from the start (at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many skills from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
        #[graphql(desc = "Keep only matching skills.")] filter: Option<SkillFilter>,
        #[graphql(desc = "Sort order; by slug when left out.")] order_by: Option<SkillOrder>,
    ) -> Result<Page<Skill<'ctx>>> {
        let catalog = &snapshot(ctx).catalog;
        let all = skills_matching(
            catalog,
            filter.unwrap_or_default(),
            order_by.unwrap_or_default(),
        )?;
        Ok(PageArgs {
            first,
            after,
            last,
            before,
        }
        .paginate(all)?)
    }

    /// All roadmaps, filtered and ordered, a page at a time.
    #[allow(clippy::too_many_arguments)]
    async fn roadmaps<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "Return at most this many roadmaps from the start (at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many roadmaps from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
        #[graphql(desc = "Keep only matching roadmaps.")] filter: Option<RoadmapFilter>,
        #[graphql(desc = "Sort order; by slug when left out.")] order_by: Option<RoadmapOrder>,
    ) -> Result<Page<Roadmap<'ctx>>> {
        let catalog = &snapshot(ctx).catalog;
        let all = roadmaps_matching(
            catalog,
            filter.unwrap_or_default(),
            order_by.unwrap_or_default(),
        )?;
        Ok(PageArgs {
            first,
            after,
            last,
            before,
        }
        .paginate(all)?)
    }

    /// All guides, filtered and ordered, a page at a time.
    #[allow(clippy::too_many_arguments)]
    async fn guides<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "Return at most this many guides from the start (at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Return at most this many guides from the end (at most 100).")]
        last: Option<i32>,
        #[graphql(desc = "End before this cursor.")] before: Option<String>,
        #[graphql(desc = "Keep only matching guides.")] filter: Option<GuideFilter>,
        #[graphql(desc = "Sort order; by slug when left out.")] order_by: Option<GuideOrder>,
    ) -> Result<Page<Guide<'ctx>>> {
        let catalog = &snapshot(ctx).catalog;
        let all = guides_matching(
            catalog,
            filter.unwrap_or_default(),
            order_by.unwrap_or_default(),
        )?;
        Ok(PageArgs {
            first,
            after,
            last,
            before,
        }
        .paginate(all)?)
    }
}
