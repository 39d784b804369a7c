//! The things of the graph, as they are held in a [`crate::Catalog`]: every
//! reference is an id of another thing in the same catalog.

use chrono::NaiveDate;

use crate::values::{
    Alias, ExternalId, HttpsUrl, Level, Markdown, Recommendation, ResourceKind, Slug, Strength,
    Summary, Tag, Title,
};

/// Declares a typed id: the storage key of one kind of thing.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
        )]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// The stable key of a skill; unlike its slug it never changes.
    SkillId
);
id_type!(
    /// The stable key of a roadmap.
    RoadmapId
);
id_type!(
    /// The stable key of a roadmap section.
    SectionId
);
id_type!(
    /// The stable key of an item on a roadmap.
    ItemId
);
id_type!(
    /// The stable key of a learning resource.
    ResourceId
);
id_type!(
    /// The stable key of a guide.
    GuideId
);
id_type!(
    /// The stable key of an author.
    AuthorId
);

/// Something a person can learn, the same node on every roadmap that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skill {
    /// Storage key.
    pub id: SkillId,
    /// Stable, url-safe name used in URLs and queries.
    pub slug: Slug,
    /// Display name.
    pub name: Title,
    /// One line for lists and search results.
    pub summary: Summary,
    /// Longer explanation, markdown.
    pub description: Markdown,
    /// How advanced the skill is.
    pub level: Level,
    /// Topics that group skills, in the order given.
    pub tags: Vec<Tag>,
    /// Other names people search for.
    pub aliases: Vec<Alias>,
    /// Identifiers of the same skill in other taxonomies.
    pub external_ids: Vec<ExternalId>,
    /// The broader skill this one is a subtopic of.
    pub parent: Option<SkillId>,
}

/// An edge of the prerequisite DAG: `skill` is best learnt after `requires`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Prerequisite {
    /// The skill that has the prerequisite.
    pub skill: SkillId,
    /// The skill needed first.
    pub requires: SkillId,
    /// How strongly it is needed.
    pub strength: Strength,
}

/// A learning resource attached to a skill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Storage key.
    pub id: ResourceId,
    /// The skill it teaches.
    pub skill: SkillId,
    /// What kind of material it is.
    pub kind: ResourceKind,
    /// Its title.
    pub title: Title,
    /// Where to find it.
    pub url: HttpsUrl,
}

/// A curated learning order over skills, in sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roadmap {
    /// Storage key.
    pub id: RoadmapId,
    /// Stable, url-safe name.
    pub slug: Slug,
    /// Display title.
    pub title: Title,
    /// What the roadmap is for, markdown.
    pub description: Markdown,
    /// Sections in learning order.
    pub sections: Vec<Section>,
    /// Roadmaps worth looking at next, in order.
    pub related: Vec<RoadmapId>,
}

/// A stage of a roadmap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Storage key.
    pub id: SectionId,
    /// Display title.
    pub title: Title,
    /// What the section covers, markdown.
    pub description: Markdown,
    /// Items in learning order.
    pub items: Vec<RoadmapItem>,
}

/// A skill's place on a roadmap; items may nest subtopics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoadmapItem {
    /// Storage key.
    pub id: ItemId,
    /// The skill at this place.
    pub skill: SkillId,
    /// How the roadmap suggests it.
    pub recommendation: Recommendation,
    /// Nested items, in order.
    pub children: Vec<RoadmapItem>,
}

impl RoadmapItem {
    /// This item and every nested item, depth first, in roadmap order.
    pub fn walk(&self) -> Vec<&RoadmapItem> {
        let mut out = vec![self];
        for child in &self.children {
            out.extend(child.walk());
        }
        out
    }
}

impl Roadmap {
    /// Every item of the roadmap, depth first, in roadmap order.
    pub fn items(&self) -> impl Iterator<Item = &RoadmapItem> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter())
            .flat_map(RoadmapItem::walk)
    }
}

/// Someone who writes guides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// Storage key.
    pub id: AuthorId,
    /// Stable, url-safe handle that guides refer to (`fernando-doglio`).
    pub handle: Slug,
    /// Display name.
    pub name: Title,
    /// Their pages elsewhere.
    pub links: Vec<HttpsUrl>,
}

/// An article that covers skills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guide {
    /// Storage key.
    pub id: GuideId,
    /// Stable, url-safe name.
    pub slug: Slug,
    /// Display title.
    pub title: Title,
    /// What the guide is about, one paragraph.
    pub description: Markdown,
    /// Where it is published.
    pub url: HttpsUrl,
    /// Who wrote it, when known.
    pub author: Option<AuthorId>,
    /// When it was published, when known.
    pub published: Option<NaiveDate>,
    /// Topics, in order.
    pub tags: Vec<Tag>,
    /// The guide's text, when we hold it.
    pub body: Option<Markdown>,
    /// Guides to read next, in order.
    pub related: Vec<GuideId>,
    /// Skills it covers, in order.
    pub skills: Vec<SkillId>,
}
