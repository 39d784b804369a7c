//! GraphQL object types. Each wraps a borrowed domain value and the catalog
//! it came from: no copies of catalog data, no database access.

use async_graphql::{Context, Enum, ID, Interface, Object, Result, SimpleObject};
use skillgraph_domain as domain;
use skillgraph_domain::Catalog;
use skillgraph_domain::graph::{EdgeFilter, Towards};

use super::budget::{charge_items, charged, charged_text};
use super::caller::Caller;
use super::error::ApiError;
use super::ids::NodeId;
use super::scalars::Date;
use super::viewer::{
    ChecklistFormat, RoadmapProgress, SkillStatus, checklist, viewer_progress, viewer_status,
};

/// Declares a GraphQL enum that mirrors a domain enum one to one.
macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident => $domain:ident { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl From<domain::$domain> for $name {
            fn from(value: domain::$domain) -> Self {
                match value { $(domain::$domain::$variant => Self::$variant),+ }
            }
        }

        impl From<$name> for domain::$domain {
            fn from(value: $name) -> Self {
                match value { $($name::$variant => Self::$variant),+ }
            }
        }
    };
}

mirror_enum!(
    /// How far along a learner must be for a skill to make sense.
    SkillLevel => Level {
        /// No prior experience in the area needed.
        Beginner,
        /// Builds on working knowledge of the area.
        Intermediate,
        /// For experienced practitioners.
        Advanced,
    }
);

mirror_enum!(
    /// How strongly a prerequisite is needed.
    PrerequisiteStrength => Strength {
        /// The skill cannot be learnt well without it.
        Required,
        /// Helpful first, but not strictly needed.
        Recommended,
    }
);

mirror_enum!(
    /// How a roadmap suggests one of its items.
    Recommendation => Recommendation {
        /// The roadmap's suggested choice.
        Recommended,
        /// An alternative to the recommended choice.
        Alternative,
        /// Worth knowing, but may be skipped.
        Optional,
        /// May be learnt in any order relative to its siblings.
        OrderNotStrict,
    }
);

mirror_enum!(
    /// What kind of learning material a resource is.
    ResourceKind => ResourceKind {
        /// Documentation by the makers of the technology.
        Official,
        /// A source code repository.
        OpenSource,
        /// A written article or tutorial.
        Article,
        /// A video.
        Video,
        /// A structured course.
        Course,
        /// A book.
        Book,
        /// A podcast or episode.
        Podcast,
        /// A news feed, newsletter or community.
        Feed,
        /// Another roadmap.
        Roadmap,
    }
);

/// Anything that can be fetched again by its global id with `node(id:)`.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "An opaque global id: pass it to `node(id:)` to fetch this object again."
))]
pub enum Node<'a> {
    /// A skill.
    Skill(Skill<'a>),
    /// A roadmap.
    Roadmap(Roadmap<'a>),
    /// A guide.
    Guide(Guide<'a>),
    /// An author.
    Author(Author<'a>),
    /// A learning resource.
    Resource(Resource<'a>),
    /// A section of a roadmap.
    RoadmapSection(RoadmapSection<'a>),
    /// A skill's place on a roadmap.
    RoadmapItem(RoadmapItem<'a>),
}

impl<'a> Node<'a> {
    /// Looks a decoded id up in the catalog; `None` when nothing has that id.
    pub fn find(catalog: &'a Catalog, id: NodeId) -> Option<Self> {
        Some(match id {
            NodeId::Skill(id) => Self::Skill(Skill::new(catalog, catalog.skill(id)?)),
            NodeId::Roadmap(id) => Self::Roadmap(Roadmap::new(catalog, catalog.roadmap(id)?)),
            NodeId::Guide(id) => Self::Guide(Guide::new(catalog, catalog.guide(id)?)),
            NodeId::Author(id) => Self::Author(Author::new(catalog, catalog.author(id)?)),
            NodeId::Resource(id) => Self::Resource(Resource::new(catalog, catalog.resource(id)?)),
            NodeId::Section(id) => Self::RoadmapSection(RoadmapSection::new(
                catalog,
                catalog.section_place(id)?.section,
            )),
            NodeId::Item(id) => {
                Self::RoadmapItem(RoadmapItem::new(catalog, catalog.item_place(id)?.item))
            }
        })
    }
}

/// Something a person can learn: one node, the same on every roadmap that holds it.
pub struct Skill<'a> {
    catalog: &'a Catalog,
    skill: &'a domain::Skill,
}

impl<'a> Skill<'a> {
    /// Wraps a skill of `catalog`.
    pub fn new(catalog: &'a Catalog, skill: &'a domain::Skill) -> Self {
        Self { catalog, skill }
    }

    /// The skills with these ids, in the same order.
    pub fn many(catalog: &'a Catalog, ids: &[domain::SkillId]) -> Vec<Self> {
        ids.iter()
            .filter_map(|id| catalog.skill(*id).map(|s| Self::new(catalog, s)))
            .collect()
    }

    /// The wrapped domain skill.
    pub fn domain(&self) -> &'a domain::Skill {
        self.skill
    }
}

/// A skill reached over prerequisite edges, with how strongly and how far.
pub struct PrerequisiteLink<'a> {
    pub(crate) skill: Skill<'a>,
    pub(crate) strength: domain::Strength,
    pub(crate) distance: u32,
}

/// A skill reached over prerequisite edges, with how strongly and how far.
#[Object(serial)]
impl<'a> PrerequisiteLink<'a> {
    /// The skill at the other end.
    async fn skill(&self) -> &Skill<'a> {
        &self.skill
    }

    /// REQUIRED when a chain of required edges leads there, else RECOMMENDED.
    async fn strength(&self) -> PrerequisiteStrength {
        self.strength.into()
    }

    /// The fewest prerequisite edges between the two skills: 1 for a direct edge.
    async fn distance(&self) -> u32 {
        self.distance
    }
}

/// An identifier of a skill in another taxonomy.
#[derive(SimpleObject)]
pub struct ExternalId<'a> {
    /// The taxonomy, e.g. `esco` or `wikidata`.
    scheme: &'a str,
    /// The identifier within that taxonomy.
    value: &'a str,
}

/// Something a person can learn: one node, the same on every roadmap that holds it.
#[Object(serial)]
impl<'a> Skill<'a> {
    /// An opaque global id: pass it to `node(id:)` to fetch this skill again.
    async fn id(&self) -> ID {
        NodeId::Skill(self.skill.id).encode()
    }

    /// Stable, url-safe name, e.g. `event-driven-architecture`.
    async fn slug(&self) -> &'a str {
        self.skill.slug.as_str()
    }

    /// Display name.
    async fn name(&self) -> &'a str {
        self.skill.name.as_str()
    }

    /// One line for lists and search results.
    async fn summary(&self) -> &'a str {
        self.skill.summary.as_str()
    }

    /// A longer explanation, as markdown.
    async fn description(&self, ctx: &Context<'_>) -> Result<&'a str> {
        charged_text(ctx, self.skill.description.as_str())
    }

    /// How advanced the skill is.
    async fn level(&self) -> SkillLevel {
        self.skill.level.into()
    }

    /// Topics that group skills across roadmaps.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<&'a str>> {
        charged(ctx, self.skill.tags.iter().map(|t| t.as_str()).collect())
    }

    /// Other names people search for, e.g. `js` for JavaScript.
    async fn aliases(&self, ctx: &Context<'_>) -> Result<Vec<&'a str>> {
        charged(ctx, self.skill.aliases.iter().map(|a| a.as_str()).collect())
    }

    /// Identifiers of the same skill in other taxonomies (ESCO, Wikidata).
    async fn external_ids(&self, ctx: &Context<'_>) -> Result<Vec<ExternalId<'a>>> {
        charged(
            ctx,
            self.skill
                .external_ids
                .iter()
                .map(|e| ExternalId {
                    scheme: e.scheme.as_str(),
                    value: e.value.as_str(),
                })
                .collect(),
        )
    }

    /// The skills to learn before this one: direct edges, or with
    /// `transitive: true` every skill needed before it, nearest first.
    async fn prerequisites(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only follow edges of this strength; all when left out.")]
        strength: Option<PrerequisiteStrength>,
        #[graphql(desc = "Follow prerequisites of prerequisites too; false when left out.")]
        transitive: Option<bool>,
        #[graphql(desc = "With `transitive`, stop this many edges away (at least 1).")]
        max_depth: Option<i32>,
    ) -> Result<Vec<PrerequisiteLink<'a>>> {
        // A transitive walk may cover the catalog: not begun out of budget.
        charge_items(ctx, 0)?;
        let links = self.links(
            Towards::Prerequisites,
            strength,
            transitive.unwrap_or(false),
            max_depth,
        )?;
        charged(ctx, links)
    }

    /// The skills this one unlocks: direct dependents, or with
    /// `transitive: true` everything that needs it, nearest first.
    async fn dependents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only follow edges of this strength; all when left out.")]
        strength: Option<PrerequisiteStrength>,
        #[graphql(desc = "Follow dependents of dependents too; false when left out.")]
        transitive: Option<bool>,
        #[graphql(desc = "With `transitive`, stop this many edges away (at least 1).")]
        max_depth: Option<i32>,
    ) -> Result<Vec<PrerequisiteLink<'a>>> {
        // A transitive walk may cover the catalog: not begun out of budget.
        charge_items(ctx, 0)?;
        let links = self.links(
            Towards::Dependents,
            strength,
            transitive.unwrap_or(false),
            max_depth,
        )?;
        charged(ctx, links)
    }

    /// The broader skill this one is a subtopic of.
    async fn parent(&self) -> Option<Skill<'a>> {
        let parent = self.catalog.skill(self.skill.parent?)?;
        Some(Skill::new(self.catalog, parent))
    }

    /// The direct subtopics of this skill.
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<Skill<'a>>> {
        charged(
            ctx,
            Skill::many(self.catalog, self.catalog.children(self.skill.id)),
        )
    }

    /// "See also" skills; the link is symmetric.
    async fn related(&self, ctx: &Context<'_>) -> Result<Vec<Skill<'a>>> {
        charged(
            ctx,
            Skill::many(self.catalog, self.catalog.related(self.skill.id)),
        )
    }

    /// Learning material for this skill, best first, optionally of some kinds only.
    async fn resources(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only resources of these kinds; all when left out.")] kinds: Option<
            Vec<ResourceKind>,
        >,
    ) -> Result<Vec<Resource<'a>>> {
        let kinds: Option<Vec<domain::ResourceKind>> =
            kinds.map(|k| k.into_iter().map(Into::into).collect());
        let resources = self
            .catalog
            .resources(self.skill.id)
            .iter()
            .filter(|r| kinds.as_ref().is_none_or(|k| k.contains(&r.kind)))
            .map(|r| Resource::new(self.catalog, r))
            .collect();
        charged(ctx, resources)
    }

    /// Guides that cover this skill.
    async fn guides(&self, ctx: &Context<'_>) -> Result<Vec<Guide<'a>>> {
        charged(
            ctx,
            Guide::many(self.catalog, self.catalog.guides_covering(self.skill.id)),
        )
    }

    /// Roadmaps that hold this skill.
    async fn roadmaps(&self, ctx: &Context<'_>) -> Result<Vec<Roadmap<'a>>> {
        charged(
            ctx,
            self.catalog
                .roadmaps_with(self.skill.id)
                .iter()
                .filter_map(|id| self.catalog.roadmap(*id))
                .map(|r| Roadmap::new(self.catalog, r))
                .collect(),
        )
    }

    /// The caller's status of this skill, the same on every roadmap that
    /// holds it; `null` unless the caller is a learner.
    async fn viewer_status(&self, ctx: &Context<'_>) -> Result<Option<SkillStatus>> {
        viewer_status(ctx, self.skill.id).await
    }

    /// How many learners have begun and finished this skill: aggregates
    /// only, for editors and admins.
    async fn learner_stats(&self, ctx: &Context<'_>) -> Result<LearnerStats> {
        let caller = Caller::of(ctx).ok_or(ApiError::Unauthenticated)?;
        match caller.actor().await? {
            Some(_) => {}
            None if caller.token().is_none() => return Err(ApiError::Unauthenticated.into()),
            None => {
                return Err(ApiError::Forbidden(
                    "learner statistics are for editors and admins".into(),
                )
                .into());
            }
        }
        let stats = caller.learner_stats(self.skill.id).await?;
        Ok(LearnerStats {
            started: stats.started,
            done: stats.done,
        })
    }
}

/// The form of a roadmap diagram.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiagramFormat {
    /// Mermaid flowchart text, which GitHub, GitLab and many wikis render.
    Mermaid,
    /// Graphviz DOT text.
    Dot,
    /// An SVG picture, laid out by the server.
    #[default]
    Svg,
}

impl From<DiagramFormat> for skillgraph_diagram::DiagramFormat {
    fn from(value: DiagramFormat) -> Self {
        match value {
            DiagramFormat::Mermaid => Self::Mermaid,
            DiagramFormat::Dot => Self::Dot,
            DiagramFormat::Svg => Self::Svg,
        }
    }
}

/// How many learners have begun and finished a skill.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct LearnerStats {
    /// Learners who set any status but NOT_STARTED.
    pub started: u64,
    /// Learners who marked it done.
    pub done: u64,
}

impl<'a> Skill<'a> {
    /// Direct or transitive prerequisite links in one direction: what
    /// `prerequisites` and `dependents` answer on both executors.
    pub(crate) fn links(
        &self,
        towards: Towards,
        strength: Option<PrerequisiteStrength>,
        transitive: bool,
        max_depth: Option<i32>,
    ) -> Result<Vec<PrerequisiteLink<'a>>, ApiError> {
        let filter = strength.map_or(EdgeFilter::All, |s| EdgeFilter::Only(s.into()));
        let catalog = self.catalog;
        let link = |id: domain::SkillId, strength, distance| {
            Some(PrerequisiteLink {
                skill: Skill::new(catalog, catalog.skill(id)?),
                strength,
                distance,
            })
        };
        if !transitive {
            if max_depth.is_some() {
                return Err(ApiError::bad_input("`maxDepth` needs `transitive: true`"));
            }
            return Ok(direct_links(catalog, self.skill.id, towards, filter)
                .map(|(skill, strength)| PrerequisiteLink {
                    skill: Skill::new(catalog, skill),
                    strength,
                    distance: 1,
                })
                .collect());
        }
        let max_depth = match max_depth {
            Some(d) if d < 1 => {
                return Err(ApiError::bad_input(format!(
                    "`maxDepth` must be at least 1; got {d}"
                )));
            }
            Some(d) => Some(d as u32),
            None => None,
        };
        Ok(catalog
            .transitive(self.skill.id, towards, filter, max_depth)
            .into_iter()
            .filter_map(|r| link(r.skill, r.strength, r.distance))
            .collect())
    }
}

/// The skills one prerequisite edge away from `skill` in one direction,
/// of one strength when filtered, with the edge's strength: what
/// `prerequisites` and `dependents` answer without `transitive` on both
/// executors.
pub(crate) fn direct_links(
    catalog: &Catalog,
    skill: domain::SkillId,
    towards: Towards,
    filter: EdgeFilter,
) -> impl Iterator<Item = (&domain::Skill, domain::Strength)> {
    let edges = match towards {
        Towards::Prerequisites => catalog.prerequisites(skill),
        Towards::Dependents => catalog.dependents(skill),
    };
    edges
        .iter()
        .filter(move |p| filter == EdgeFilter::All || filter == EdgeFilter::Only(p.strength))
        .filter_map(move |p| {
            let other = match towards {
                Towards::Prerequisites => p.requires,
                Towards::Dependents => p.skill,
            };
            Some((catalog.skill(other)?, p.strength))
        })
}

/// A learning resource attached to a skill.
pub struct Resource<'a> {
    catalog: &'a Catalog,
    resource: &'a domain::Resource,
}

impl<'a> Resource<'a> {
    /// The wrapped domain value.
    pub fn domain(&self) -> &'a domain::Resource {
        self.resource
    }

    /// Wraps a resource of `catalog`.
    pub fn new(catalog: &'a Catalog, resource: &'a domain::Resource) -> Self {
        Self { catalog, resource }
    }
}

/// A learning resource attached to a skill.
#[Object(serial)]
impl<'a> Resource<'a> {
    /// An opaque global id: pass it to `node(id:)` to fetch this resource again.
    async fn id(&self) -> ID {
        NodeId::Resource(self.resource.id).encode()
    }

    /// What kind of material it is.
    async fn kind(&self) -> ResourceKind {
        self.resource.kind.into()
    }

    /// Its title.
    async fn title(&self) -> &'a str {
        self.resource.title.as_str()
    }

    /// Where to find it: an https URL.
    async fn url(&self) -> &'a str {
        self.resource.url.as_str()
    }

    /// The skill it teaches.
    async fn skill(&self) -> Option<Skill<'a>> {
        let skill = self.catalog.skill(self.resource.skill)?;
        Some(Skill::new(self.catalog, skill))
    }
}

/// A curated learning order over skills, in sections.
pub struct Roadmap<'a> {
    catalog: &'a Catalog,
    roadmap: &'a domain::Roadmap,
}

impl<'a> Roadmap<'a> {
    /// Wraps a roadmap of `catalog`.
    pub fn new(catalog: &'a Catalog, roadmap: &'a domain::Roadmap) -> Self {
        Self { catalog, roadmap }
    }

    /// The wrapped domain roadmap.
    pub fn domain(&self) -> &'a domain::Roadmap {
        self.roadmap
    }
}

/// A curated learning order over skills, in sections.
#[Object(serial)]
impl<'a> Roadmap<'a> {
    /// An opaque global id: pass it to `node(id:)` to fetch this roadmap again.
    async fn id(&self) -> ID {
        NodeId::Roadmap(self.roadmap.id).encode()
    }

    /// Stable, url-safe name, e.g. `backend`.
    async fn slug(&self) -> &'a str {
        self.roadmap.slug.as_str()
    }

    /// Display title.
    async fn title(&self) -> &'a str {
        self.roadmap.title.as_str()
    }

    /// What the roadmap is for, as markdown.
    async fn description(&self, ctx: &Context<'_>) -> Result<&'a str> {
        charged_text(ctx, self.roadmap.description.as_str())
    }

    /// The roadmap's stages, in learning order.
    async fn sections(&self, ctx: &Context<'_>) -> Result<Vec<RoadmapSection<'a>>> {
        charged(
            ctx,
            self.roadmap
                .sections
                .iter()
                .map(|section| RoadmapSection {
                    catalog: self.catalog,
                    section,
                })
                .collect(),
        )
    }

    /// Roadmaps worth looking at next.
    async fn related_roadmaps(&self, ctx: &Context<'_>) -> Result<Vec<Roadmap<'a>>> {
        charged(
            ctx,
            self.roadmap
                .related
                .iter()
                .filter_map(|id| self.catalog.roadmap(*id))
                .map(|r| Roadmap::new(self.catalog, r))
                .collect(),
        )
    }

    /// Guides that cover skills of this roadmap, those covering most of it first.
    async fn guides(&self, ctx: &Context<'_>) -> Result<Vec<Guide<'a>>> {
        charged(
            ctx,
            Guide::many(
                self.catalog,
                self.catalog.guides_for_roadmap(self.roadmap.id),
            ),
        )
    }

    /// The roadmap's skills in an order that respects every prerequisite
    /// between them (also through skills off the roadmap), keeping the
    /// roadmap's own order wherever the prerequisites leave a choice.
    async fn learning_order(&self, ctx: &Context<'_>) -> Result<Vec<Skill<'a>>> {
        // A sort of the whole roadmap: not begun for a request out of budget.
        charge_items(ctx, 0)?;
        charged(
            ctx,
            Skill::many(
                self.catalog,
                &self.catalog.roadmap_learning_order(self.roadmap.id),
            ),
        )
    }

    /// How many skills the roadmap holds, nested items included.
    async fn skill_count(&self) -> usize {
        self.roadmap.items().count()
    }

    /// The caller's progress on this roadmap, each skill counted once;
    /// `null` unless the caller is a learner.
    async fn viewer_progress(&self, ctx: &Context<'_>) -> Result<Option<RoadmapProgress>> {
        viewer_progress(ctx, self.catalog, self.roadmap.id).await
    }

    /// The roadmap drawn as a diagram: its skills in sections, with an
    /// arrow from each prerequisite to the skill that needs it (solid when
    /// required, dashed when recommended). Also at `/roadmaps/{slug}.svg`.
    async fn diagram(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The form of the diagram.", default)] format: DiagramFormat,
    ) -> Result<String> {
        // Nothing is drawn for a request already out of time.
        charge_items(ctx, 1)?;
        let format = format.into();
        let snapshot = ctx.data_opt::<super::Snapshot>().cloned();
        let drawn = match snapshot {
            // Laying out a large roadmap takes a while: off the async
            // threads, so that the execution timeout can cut it short.
            Some(snapshot) if std::ptr::eq(&snapshot.catalog, self.catalog) => {
                let id = self.roadmap.id;
                tokio::task::spawn_blocking(move || {
                    let roadmap = snapshot.catalog.roadmap(id)?;
                    Some(skillgraph_diagram::render(
                        &snapshot.catalog,
                        roadmap,
                        format,
                    ))
                })
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))?
                .ok_or_else(|| ApiError::Internal("the roadmap went away".into()))?
            }
            _ => skillgraph_diagram::render(self.catalog, self.roadmap, format),
        };
        let drawn = drawn.map_err(|e| ApiError::Internal(e.to_string()))?;
        super::budget::charge_bytes(ctx, drawn.len())?;
        Ok(drawn)
    }

    /// The roadmap as a checklist a person can keep, ticked with the
    /// caller's statuses when the caller is a learner.
    async fn checklist(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The form of the checklist.", default)] format: ChecklistFormat,
    ) -> Result<String> {
        let text = checklist(ctx, self.catalog, self.roadmap, format).await?;
        super::budget::charge_bytes(ctx, text.len())?;
        Ok(text)
    }
}

/// A stage of a roadmap: a titled, ordered group of items.
pub struct RoadmapSection<'a> {
    catalog: &'a Catalog,
    section: &'a domain::Section,
}

impl<'a> RoadmapSection<'a> {
    /// The wrapped domain value.
    pub fn domain(&self) -> &'a domain::Section {
        self.section
    }

    /// Wraps a section of `catalog`.
    pub fn new(catalog: &'a Catalog, section: &'a domain::Section) -> Self {
        Self { catalog, section }
    }
}

/// A stage of a roadmap: a titled, ordered group of items.
#[Object(serial)]
impl<'a> RoadmapSection<'a> {
    /// An opaque global id: pass it to `node(id:)` to fetch this section again,
    /// or to the mutations that change it.
    async fn id(&self) -> ID {
        NodeId::Section(self.section.id).encode()
    }

    /// Display title.
    async fn title(&self) -> &'a str {
        self.section.title.as_str()
    }

    /// What the section covers, as markdown.
    async fn description(&self, ctx: &Context<'_>) -> Result<&'a str> {
        charged_text(ctx, self.section.description.as_str())
    }

    /// The section's items, in learning order.
    async fn items(&self, ctx: &Context<'_>) -> Result<Vec<RoadmapItem<'a>>> {
        charged(ctx, RoadmapItem::many(self.catalog, &self.section.items))
    }
}

/// A skill's place on a roadmap, with how the roadmap suggests it; items may nest subtopics.
pub struct RoadmapItem<'a> {
    catalog: &'a Catalog,
    item: &'a domain::RoadmapItem,
}

impl<'a> RoadmapItem<'a> {
    /// The wrapped domain value.
    pub fn domain(&self) -> &'a domain::RoadmapItem {
        self.item
    }

    /// Wraps an item of `catalog`.
    pub fn new(catalog: &'a Catalog, item: &'a domain::RoadmapItem) -> Self {
        Self { catalog, item }
    }

    fn many(catalog: &'a Catalog, items: &'a [domain::RoadmapItem]) -> Vec<Self> {
        items.iter().map(|item| Self { catalog, item }).collect()
    }
}

/// A skill's place on a roadmap, with how the roadmap suggests it; items may nest subtopics.
#[Object(serial)]
impl<'a> RoadmapItem<'a> {
    /// An opaque global id: pass it to `node(id:)` to fetch this item again,
    /// or to the mutations that change it.
    async fn id(&self) -> ID {
        NodeId::Item(self.item.id).encode()
    }

    /// The skill at this place of the roadmap.
    async fn skill(&self) -> Option<Skill<'a>> {
        let skill = self.catalog.skill(self.item.skill)?;
        Some(Skill::new(self.catalog, skill))
    }

    /// How the roadmap suggests this item.
    async fn recommendation(&self) -> Recommendation {
        self.item.recommendation.into()
    }

    /// Nested items (subtopics), in order.
    async fn children(&self, ctx: &Context<'_>) -> Result<Vec<RoadmapItem<'a>>> {
        charged(ctx, RoadmapItem::many(self.catalog, &self.item.children))
    }

    /// The caller's status of this item's skill, the same on every roadmap
    /// that holds it; `null` unless the caller is a learner.
    async fn viewer_status(&self, ctx: &Context<'_>) -> Result<Option<SkillStatus>> {
        viewer_status(ctx, self.item.skill).await
    }
}

/// An article that covers skills.
pub struct Guide<'a> {
    catalog: &'a Catalog,
    guide: &'a domain::Guide,
}

impl<'a> Guide<'a> {
    /// Wraps a guide of `catalog`.
    pub fn new(catalog: &'a Catalog, guide: &'a domain::Guide) -> Self {
        Self { catalog, guide }
    }

    fn many(catalog: &'a Catalog, ids: &[domain::GuideId]) -> Vec<Self> {
        ids.iter()
            .filter_map(|id| catalog.guide(*id).map(|g| Self::new(catalog, g)))
            .collect()
    }

    /// The wrapped domain guide.
    pub fn domain(&self) -> &'a domain::Guide {
        self.guide
    }
}

/// An article that covers skills.
#[Object(serial)]
impl<'a> Guide<'a> {
    /// An opaque global id: pass it to `node(id:)` to fetch this guide again.
    async fn id(&self) -> ID {
        NodeId::Guide(self.guide.id).encode()
    }

    /// Stable, url-safe name.
    async fn slug(&self) -> &'a str {
        self.guide.slug.as_str()
    }

    /// Display title.
    async fn title(&self) -> &'a str {
        self.guide.title.as_str()
    }

    /// What the guide is about, as markdown.
    async fn description(&self, ctx: &Context<'_>) -> Result<&'a str> {
        charged_text(ctx, self.guide.description.as_str())
    }

    /// Where the guide is published: an https URL.
    async fn url(&self) -> &'a str {
        self.guide.url.as_str()
    }

    /// Who wrote it, when known.
    async fn author(&self) -> Option<Author<'a>> {
        let author = self.catalog.author(self.guide.author?)?;
        Some(Author::new(self.catalog, author))
    }

    /// When it was published, when known.
    async fn published_on(&self) -> Option<Date> {
        self.guide.published.map(Date)
    }

    /// Topics.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<&'a str>> {
        charged(ctx, self.guide.tags.iter().map(|t| t.as_str()).collect())
    }

    /// The guide's text as markdown, when we hold it.
    async fn body(&self, ctx: &Context<'_>) -> Result<Option<&'a str>> {
        match &self.guide.body {
            Some(body) => Ok(Some(charged_text(ctx, body.as_str())?)),
            None => Ok(None),
        }
    }

    /// Guides to read next.
    async fn related_guides(&self, ctx: &Context<'_>) -> Result<Vec<Guide<'a>>> {
        charged(ctx, Guide::many(self.catalog, &self.guide.related))
    }

    /// The skills the guide covers.
    async fn skills(&self, ctx: &Context<'_>) -> Result<Vec<Skill<'a>>> {
        charged(ctx, Skill::many(self.catalog, &self.guide.skills))
    }
}

/// Someone who writes guides.
pub struct Author<'a> {
    catalog: &'a Catalog,
    author: &'a domain::Author,
}

impl<'a> Author<'a> {
    /// The wrapped domain value.
    pub fn domain(&self) -> &'a domain::Author {
        self.author
    }

    /// Wraps an author of `catalog`.
    pub fn new(catalog: &'a Catalog, author: &'a domain::Author) -> Self {
        Self { catalog, author }
    }
}

/// Someone who writes guides.
#[Object(serial)]
impl<'a> Author<'a> {
    /// An opaque global id: pass it to `node(id:)` or `author(id:)` to fetch this author again.
    async fn id(&self) -> ID {
        NodeId::Author(self.author.id).encode()
    }

    /// Stable, url-safe handle that guide files refer to, e.g. `fernando-doglio`.
    async fn handle(&self) -> &'a str {
        self.author.handle.as_str()
    }

    /// Display name.
    async fn name(&self) -> &'a str {
        self.author.name.as_str()
    }

    /// The author's pages elsewhere: https URLs.
    async fn links(&self, ctx: &Context<'_>) -> Result<Vec<&'a str>> {
        charged(ctx, self.author.links.iter().map(|l| l.as_str()).collect())
    }

    /// Guides by this author, newest first.
    async fn guides(&self, ctx: &Context<'_>) -> Result<Vec<Guide<'a>>> {
        // A walk over every guide: not begun for a request out of budget.
        charge_items(ctx, 0)?;
        charged(
            ctx,
            guides_by(self.catalog, self.author)
                .into_iter()
                .map(|g| Guide::new(self.catalog, g))
                .collect(),
        )
    }
}

/// An author's guides, newest first, then by slug: what `Author.guides`
/// answers on both executors.
pub(crate) fn guides_by<'a>(
    catalog: &'a Catalog,
    author: &domain::Author,
) -> Vec<&'a domain::Guide> {
    let mut guides: Vec<_> = catalog
        .guides()
        .filter(|g| g.author == Some(author.id))
        .collect();
    guides.sort_by(|a, b| b.published.cmp(&a.published).then(a.slug.cmp(&b.slug)));
    guides
}

/// The answer to "what must I learn to reach these skills?".
pub struct LearningPath<'a> {
    catalog: &'a Catalog,
    pub(crate) targets: Vec<domain::SkillId>,
    pub(crate) steps: Vec<domain::graph::PathStep>,
}

impl<'a> LearningPath<'a> {
    /// Wraps a computed path.
    pub fn new(
        catalog: &'a Catalog,
        targets: Vec<domain::SkillId>,
        steps: Vec<domain::graph::PathStep>,
    ) -> Self {
        Self {
            catalog,
            targets,
            steps,
        }
    }
}

/// The answer to "what must I learn to reach these skills?".
#[Object(serial)]
impl<'a> LearningPath<'a> {
    /// The skills asked for.
    async fn targets(&self, ctx: &Context<'_>) -> Result<Vec<Skill<'a>>> {
        charged(ctx, Skill::many(self.catalog, &self.targets))
    }

    /// The skills to learn, in order: each after all of its prerequisites.
    async fn steps(&self, ctx: &Context<'_>) -> Result<Vec<LearningStep<'a>>> {
        charged(
            ctx,
            self.steps
                .iter()
                .enumerate()
                .map(|(position, step)| LearningStep {
                    catalog: self.catalog,
                    position: position + 1,
                    step: step.clone(),
                })
                .collect(),
        )
    }

    /// How many skills are left to learn.
    async fn length(&self) -> usize {
        self.steps.len()
    }
}

/// One skill of a learning path.
pub struct LearningStep<'a> {
    catalog: &'a Catalog,
    position: usize,
    step: domain::graph::PathStep,
}

/// One skill of a learning path.
#[Object(serial)]
impl<'a> LearningStep<'a> {
    /// Its place in the path, from 1.
    async fn position(&self) -> usize {
        self.position
    }

    /// The skill to learn.
    async fn skill(&self) -> Option<Skill<'a>> {
        let skill = self.catalog.skill(self.step.skill)?;
        Some(Skill::new(self.catalog, skill))
    }

    /// The targets that need this skill (a target needs itself).
    async fn needed_by(&self, ctx: &Context<'_>) -> Result<Vec<Skill<'a>>> {
        charged(ctx, Skill::many(self.catalog, &self.step.needed_by))
    }
}
