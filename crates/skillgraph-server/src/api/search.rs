//! `search`: ranked hits across skills, guides and resources, as a cursor
//! connection of the `SearchHit` interface.

use async_graphql::{Context, Enum, Interface, Object, Result};
use skillgraph_domain::Catalog;
use skillgraph_search::{HitKind, MatchedField};

use super::connection::{DEFAULT_PAGE_SIZE, Page, PageArgs, max_page_size};
use super::error::ApiError;
use super::snapshot;
use super::types::{Guide, Resource, Skill};

/// The longest query text accepted, in characters.
pub const MAX_QUERY_LEN: usize = 200;

/// What kinds of things a search looks at.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    /// Skills: name, aliases, tags, summary, description.
    Skill,
    /// Guides: title, tags, description.
    Guide,
    /// Resources: title.
    Resource,
}

impl From<SearchKind> for skillgraph_search::SearchKind {
    fn from(kind: SearchKind) -> Self {
        match kind {
            SearchKind::Skill => Self::Skill,
            SearchKind::Guide => Self::Guide,
            SearchKind::Resource => Self::Resource,
        }
    }
}

/// Which field of a hit matched the query best.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchField {
    /// A skill's name.
    Name,
    /// One of a skill's aliases.
    Alias,
    /// A tag.
    Tag,
    /// A skill's one-line summary.
    Summary,
    /// A description.
    Description,
    /// A guide's or resource's title.
    Title,
}

impl From<MatchedField> for SearchField {
    fn from(field: MatchedField) -> Self {
        match field {
            MatchedField::Name => Self::Name,
            MatchedField::Alias => Self::Alias,
            MatchedField::Tag => Self::Tag,
            MatchedField::Summary => Self::Summary,
            MatchedField::Description => Self::Description,
            MatchedField::Title => Self::Title,
        }
    }
}

/// One ranked match of a search.
#[derive(Interface)]
#[graphql(
    field(
        name = "score",
        ty = "f32",
        desc = "How well it matched; higher is better. Only the order within one answer is meaningful."
    ),
    field(
        name = "matched_field",
        ty = "SearchField",
        desc = "The field that matched the query best."
    )
)]
pub enum SearchHit<'a> {
    /// A matching skill.
    Skill(SkillHit<'a>),
    /// A matching guide.
    Guide(GuideHit<'a>),
    /// A matching resource.
    Resource(ResourceHit<'a>),
}

/// Declares a hit type for one kind of thing.
macro_rules! hit_type {
    ($(#[$doc:meta])* $name:ident, $field:ident: $ty:ident, $field_doc:literal) => {
        $(#[$doc])*
        pub struct $name<'a> {
            pub(crate) $field: $ty<'a>,
            pub(crate) score: f32,
            pub(crate) field: MatchedField,
        }

        $(#[$doc])*
        #[Object]
        impl<'a> $name<'a> {
            #[doc = $field_doc]
            async fn $field(&self) -> &$ty<'a> {
                &self.$field
            }

            /// How well it matched; higher is better. Only the order within one answer is meaningful.
            async fn score(&self) -> f32 {
                self.score
            }

            /// The field that matched the query best.
            async fn matched_field(&self) -> SearchField {
                self.field.into()
            }
        }
    };
}

hit_type!(
    /// A skill that matched a search.
    SkillHit, skill: Skill, "The skill that matched."
);
hit_type!(
    /// A guide that matched a search.
    GuideHit, guide: Guide, "The guide that matched."
);
hit_type!(
    /// A resource that matched a search.
    ResourceHit, resource: Resource, "The resource that matched."
);

fn wrap<'a>(catalog: &'a Catalog, hit: &skillgraph_search::Hit) -> Option<SearchHit<'a>> {
    let (score, field) = (hit.score, hit.field);
    Some(match hit.kind {
        HitKind::Skill(id) => SearchHit::Skill(SkillHit {
            skill: Skill::new(catalog, catalog.skill(id)?),
            score,
            field,
        }),
        HitKind::Guide(id) => SearchHit::Guide(GuideHit {
            guide: Guide::new(catalog, catalog.guide(id)?),
            score,
            field,
        }),
        HitKind::Resource(id) => SearchHit::Resource(ResourceHit {
            resource: Resource::new(catalog, catalog.resource(id)?),
            score,
            field,
        }),
    })
}

/// The root field `search`, merged into the query root.
#[derive(Default)]
pub struct SearchQuery;

/// Full-text search.
#[Object]
impl SearchQuery {
    /// Ranked matches across skills, guides and resources, best first. Tolerates
    /// typos ("kubernets"), matches prefixes for autocomplete ("postgre"), and
    /// ranks an exact name match first.
    async fn search<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "The words to look for (at most 200 characters).")] query: String,
        #[graphql(desc = "Only these kinds of things; all when left out.")] kinds: Option<
            Vec<SearchKind>,
        >,
        #[graphql(desc = "Return at most this many hits (at most 100; 20 when left out).")]
        first: Option<i32>,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
    ) -> Result<Page<SearchHit<'ctx>>> {
        Ok(search_page(snapshot(ctx), &query, kinds, first, after)?)
    }
}

/// One page of the hits of a search: what `search` answers on both executors.
pub(crate) fn search_page<'a>(
    snapshot: &'a super::CatalogSnapshot,
    query: &str,
    kinds: Option<Vec<SearchKind>>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Page<SearchHit<'a>>, ApiError> {
    if query.chars().count() > MAX_QUERY_LEN {
        return Err(ApiError::bad_input(format!(
            "`query` may be at most {MAX_QUERY_LEN} characters long"
        )));
    }
    let args = PageArgs {
        first,
        after,
        ..PageArgs::default()
    };
    let (offset, limit) = args.forward_window()?;
    let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE).min(max_page_size());
    let kinds: Vec<skillgraph_search::SearchKind> = kinds
        .unwrap_or_default()
        .into_iter()
        .map(Into::into)
        .collect();
    let results = snapshot
        .search
        .search(query, &kinds, offset, limit)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let hits = results
        .hits
        .iter()
        .filter_map(|hit| wrap(&snapshot.catalog, hit))
        .collect();
    Ok(Page::window(hits, offset, results.total))
}
