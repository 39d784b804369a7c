//! What a request costs before it runs: an upper bound on the fields its
//! answer can hold, so that nested lists multiply the way they will when
//! executed.
//!
//! A field costs one, plus its selection times how many items it can
//! return: a connection its page size, a plain list the longest such list
//! in the snapshot the request reads (`Skill.roadmaps` costs the most
//! roadmaps any one skill is on), or a declared maximum where the length
//! depends on the arguments (`nodes(ids:)`, `learningPath`). Since every
//! list is costed by a length it cannot exceed, an answer never holds more
//! fields than the cost says.
//!
//! The walk is typed by the schema's own SDL (parsed once into a
//! [`Shape`]), so a list field added to the schema is costed like the rest;
//! [`ListBounds::bound`] names every plain list field of the schema, and a
//! test fails when one is missing.

use std::collections::HashMap;
use std::sync::LazyLock;

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Field, Selection, SelectionSet, ServiceDocument, Type, TypeKind,
    TypeSystemDefinition,
};
use async_graphql::{Name, Variables};
use skillgraph_domain::{Catalog, SkillId};

use super::connection;

/// How the schema's fields are typed: enough to walk a document.
#[derive(Debug, Default)]
pub struct Shape {
    types: HashMap<String, HashMap<String, FieldShape>>,
}

/// One field of an object or interface type.
#[derive(Debug, Clone)]
struct FieldShape {
    /// The named type under any list and non-null wrappers.
    of: String,
    /// Whether the field returns a list.
    list: bool,
}

impl Shape {
    /// Reads the object and interface types of an SDL text.
    pub fn from_sdl(sdl: &str) -> Self {
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
            return Self::default();
        };
        Self::from_document(&document)
    }

    fn from_document(document: &ServiceDocument) -> Self {
        let mut types = HashMap::new();
        for definition in &document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let fields = match &ty.node.kind {
                TypeKind::Object(object) => &object.fields,
                TypeKind::Interface(interface) => &interface.fields,
                _ => continue,
            };
            let fields = fields
                .iter()
                .map(|f| {
                    let (of, list) = named(&f.node.ty.node);
                    (f.node.name.node.to_string(), FieldShape { of, list })
                })
                .collect();
            types.insert(ty.node.name.node.to_string(), fields);
        }
        Self { types }
    }

    /// The schema's shape, read once from its SDL.
    pub fn of_schema() -> &'static Self {
        static SHAPE: LazyLock<Shape> = LazyLock::new(|| Shape::from_sdl(&super::sdl()));
        &SHAPE
    }

    /// Every plain list field as `(type, field)`, for tests and tools.
    pub fn list_fields(&self) -> Vec<(String, String)> {
        let mut all: Vec<_> = self
            .types
            .iter()
            .flat_map(|(ty, fields)| {
                fields
                    .iter()
                    .filter(|(_, f)| f.list)
                    .map(move |(name, _)| (ty.clone(), name.clone()))
            })
            .collect();
        all.sort();
        all
    }

    fn field(&self, ty: &str, name: &str) -> Option<&FieldShape> {
        self.types.get(ty)?.get(name)
    }
}

/// The named type of a type reference, and whether a list wraps it.
fn named(ty: &Type) -> (String, bool) {
    match &ty.base {
        BaseType::Named(name) => (name.to_string(), false),
        BaseType::List(inner) => (named(inner).0, true),
    }
}

/// Whether a type is one of our cursor connections.
fn is_connection(ty: &str) -> bool {
    ty.ends_with("Connection")
}

/// The longest list of each kind in one snapshot: what a plain list field
/// can return at most.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListBounds {
    skills: usize,
    roadmaps: usize,
    prerequisites: usize,
    dependents: usize,
    children: usize,
    related: usize,
    resources: usize,
    guides_per_skill: usize,
    roadmaps_per_skill: usize,
    skill_tags: usize,
    skill_aliases: usize,
    external_ids: usize,
    sections: usize,
    section_items: usize,
    item_children: usize,
    roadmap_skills: usize,
    roadmap_guides: usize,
    related_roadmaps: usize,
    guide_tags: usize,
    related_guides: usize,
    guide_skills: usize,
    author_links: usize,
    author_guides: usize,
}

/// The most targets a learning path takes (the argument's own limit).
pub const MAX_PATH_TARGETS: usize = 64;
/// The most ids `nodes(ids:)` takes.
pub const MAX_NODE_IDS: usize = 100;

impl ListBounds {
    /// Measures a catalog: one pass over it.
    pub fn of(catalog: &Catalog) -> Self {
        let mut b = Self::default();
        b.widen(catalog, catalog.skills().map(|s| s.id));
        b.measure_the_rest(catalog);
        b
    }

    /// The bounds of `newer`, a catalog that differs from the one `self`
    /// measured in `changed` skills: those are measured again and may widen
    /// their lists' bounds, which never narrow here (a bound only has to be
    /// at least the longest list); the rest (roadmaps, guides, authors,
    /// counts) is measured anew. Costs the change and the roadmaps, not
    /// every skill.
    pub fn after(&self, newer: &Catalog, changed: &[SkillId]) -> Self {
        let mut b = self.clone();
        b.widen(newer, changed.iter().copied());
        b.measure_the_rest(newer);
        b
    }

    /// Widens the per-skill bounds by these skills' lists.
    fn widen(&mut self, catalog: &Catalog, skills: impl Iterator<Item = SkillId>) {
        let b = self;
        for id in skills {
            let Some(skill) = catalog.skill(id) else {
                continue;
            };
            b.prerequisites = b.prerequisites.max(catalog.prerequisites(id).len());
            b.dependents = b.dependents.max(catalog.dependents(id).len());
            b.children = b.children.max(catalog.children(id).len());
            b.related = b.related.max(catalog.related(id).len());
            b.resources = b.resources.max(catalog.resources(id).len());
            b.guides_per_skill = b.guides_per_skill.max(catalog.guides_covering(id).len());
            b.roadmaps_per_skill = b.roadmaps_per_skill.max(catalog.roadmaps_with(id).len());
            b.skill_tags = b.skill_tags.max(skill.tags.len());
            b.skill_aliases = b.skill_aliases.max(skill.aliases.len());
            b.external_ids = b.external_ids.max(skill.external_ids.len());
        }
    }

    /// Everything but the per-skill bounds, measured in full.
    fn measure_the_rest(&mut self, catalog: &Catalog) {
        let b = self;
        b.skills = catalog.skills().len();
        b.roadmaps = catalog.roadmaps().len();
        for roadmap in catalog.roadmaps() {
            b.sections = b.sections.max(roadmap.sections.len());
            b.related_roadmaps = b.related_roadmaps.max(roadmap.related.len());
            b.roadmap_guides = b
                .roadmap_guides
                .max(catalog.guides_for_roadmap(roadmap.id).len());
            b.roadmap_skills = b.roadmap_skills.max(roadmap.items().count());
            for section in &roadmap.sections {
                b.section_items = b.section_items.max(section.items.len());
                for item in section.items.iter().flat_map(|i| i.walk()) {
                    b.item_children = b.item_children.max(item.children.len());
                }
            }
        }
        let mut by_author: HashMap<_, usize> = HashMap::new();
        for guide in catalog.guides() {
            b.guide_tags = b.guide_tags.max(guide.tags.len());
            b.related_guides = b.related_guides.max(guide.related.len());
            b.guide_skills = b.guide_skills.max(guide.skills.len());
            if let Some(author) = guide.author {
                *by_author.entry(author).or_default() += 1;
            }
        }
        b.author_guides = by_author.into_values().max().unwrap_or(0);
        for author in catalog.authors() {
            b.author_links = b.author_links.max(author.links.len());
        }
    }

    /// The most items the plain list field `ty.field` can return, given its
    /// arguments; `None` for a field this table does not know (a test
    /// keeps it from happening).
    pub fn bound(&self, ty: &str, field: &str, args: &Arguments<'_>) -> Option<usize> {
        let transitive = |direct: usize| {
            if args.boolean("transitive") != Some(true) {
                return direct;
            }
            // Each level can widen by the largest fan-out, and no walk
            // reaches more than every other skill.
            let everything = self.skills.saturating_sub(1);
            match args.int("maxDepth") {
                Some(depth) if depth >= 1 => (1..=depth.min(64))
                    .map(|level| direct.saturating_pow(level as u32))
                    .fold(0usize, usize::saturating_add)
                    .min(everything),
                _ => everything,
            }
        };
        Some(match (ty, field) {
            ("Skill", "tags") => self.skill_tags,
            ("Skill", "aliases") => self.skill_aliases,
            ("Skill", "externalIds") => self.external_ids,
            ("Skill", "prerequisites") => transitive(self.prerequisites),
            ("Skill", "dependents") => transitive(self.dependents),
            ("Skill", "children") => self.children,
            ("Skill", "related") => self.related,
            ("Skill", "resources") => self.resources,
            ("Skill", "guides") => self.guides_per_skill,
            ("Skill", "roadmaps") => self.roadmaps_per_skill,
            ("Roadmap", "sections") => self.sections,
            ("Roadmap", "relatedRoadmaps") => self.related_roadmaps,
            ("Roadmap", "guides") => self.roadmap_guides,
            ("Roadmap", "learningOrder") => self.roadmap_skills,
            ("RoadmapSection", "items") => self.section_items,
            ("RoadmapItem", "children") => self.item_children,
            ("Guide", "tags") => self.guide_tags,
            ("Guide", "relatedGuides") => self.related_guides,
            ("Guide", "skills") => self.guide_skills,
            ("Author", "links") => self.author_links,
            ("Author", "guides") => self.author_guides,
            ("LearningPath", "targets") | ("LearningStep", "neededBy") => MAX_PATH_TARGETS,
            ("LearningPath", "steps") | ("Query", "prerequisitePath") => self.skills,
            ("Query", "nodes") => args.list_len("ids").unwrap_or(0).min(MAX_NODE_IDS),
            ("Query", "changeLog") => page_size(args),
            ("Viewer", "nextSkills") => page_size(args),
            ("Viewer", "roadmaps") => self.roadmaps,
            ("SkillStatusesPayload", "skills") => args.list_len("statuses").unwrap_or(self.skills),
            ("CatalogChange", "changedSkills") => self.skills,
            // Inside a connection, the page the connection was asked for.
            (ty, "edges" | "nodes") if is_connection(ty) => args.page.unwrap_or(0),
            _ => return None,
        })
    }
}

/// The page a `first`/`last` argument asks for, clamped as the field clamps it.
fn page_size(args: &Arguments<'_>) -> usize {
    let asked = args.int("first").or_else(|| args.int("last"));
    asked
        .map_or(connection::DEFAULT_PAGE_SIZE, |n| n.max(1))
        .min(connection::max_page_size())
}

/// A field's arguments with the request's variables substituted.
pub struct Arguments<'a> {
    field: Option<&'a Field>,
    variables: &'a Variables,
    /// Within a connection: its page size.
    page: Option<usize>,
}

impl Arguments<'_> {
    fn value(&self, name: &str) -> Option<async_graphql::Value> {
        let value = self.field?.get_argument(name)?;
        value
            .node
            .clone()
            .into_const_with(|var| self.variables.get(&var).cloned().ok_or(()))
            .ok()
    }

    fn int(&self, name: &str) -> Option<usize> {
        match self.value(name)? {
            async_graphql::Value::Number(n) => n.as_i64().map(|n| n.max(0) as usize),
            _ => None,
        }
    }

    fn boolean(&self, name: &str) -> Option<bool> {
        match self.value(name)? {
            async_graphql::Value::Boolean(b) => Some(b),
            _ => None,
        }
    }

    fn list_len(&self, name: &str) -> Option<usize> {
        match self.value(name)? {
            async_graphql::Value::List(items) => Some(items.len()),
            async_graphql::Value::Null => None,
            // A single value is coerced to a list of one.
            _ => Some(1),
        }
    }
}

/// Walks a document, costing each selection.
struct Walk<'a> {
    shape: &'a Shape,
    bounds: &'a ListBounds,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    memo: HashMap<(Name, Option<usize>), usize>,
    visiting: Vec<Name>,
    /// The deepest selection met, fragments expanded.
    depth: usize,
}

impl Walk<'_> {
    fn set(
        &mut self,
        set: &SelectionSet,
        ty: Option<&str>,
        page: Option<usize>,
        level: usize,
    ) -> usize {
        self.depth = self.depth.max(level);
        let mut total = 0usize;
        for item in &set.items {
            let cost = match &item.node {
                Selection::Field(field) => self.field(&field.node, ty, page, level),
                Selection::InlineFragment(fragment) => {
                    let on = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.to_string());
                    let on = on.as_deref().or(ty);
                    self.set(&fragment.node.selection_set.node, on, page, level)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.clone();
                    self.spread(name, page, level)
                }
            };
            total = total.saturating_add(cost);
        }
        total
    }

    fn spread(&mut self, name: Name, page: Option<usize>, level: usize) -> usize {
        let key = (name.clone(), page);
        if let Some(known) = self.memo.get(&key) {
            return *known;
        }
        if self.visiting.contains(&name) {
            // A cycle: validation refuses it.
            return 0;
        }
        let document = self.document;
        let Some(fragment) = document.fragments.get(&name) else {
            return 0;
        };
        let on = fragment.node.type_condition.node.on.node.to_string();
        self.visiting.push(name);
        let cost = self.set(&fragment.node.selection_set.node, Some(&on), page, level);
        self.visiting.pop();
        self.memo.insert(key, cost);
        cost
    }

    fn field(
        &mut self,
        field: &Field,
        ty: Option<&str>,
        page: Option<usize>,
        level: usize,
    ) -> usize {
        let children = &field.selection_set.node;
        let name = field.name.node.as_str();
        let shape = ty.and_then(|t| self.shape.field(t, name)).cloned();
        let Some(shape) = shape else {
            // `__typename`, introspection and anything validation refuses:
            // counted, never multiplied.
            return self.set(children, None, None, level + 1).saturating_add(1);
        };
        let args = Arguments {
            field: Some(field),
            variables: self.variables,
            page,
        };
        if is_connection(&shape.of) {
            let inner = self.set(children, Some(&shape.of), Some(page_size(&args)), level + 1);
            return inner.saturating_add(1);
        }
        let inner = self.set(children, Some(&shape.of), None, level + 1);
        if !shape.list {
            return inner.saturating_add(1);
        }
        let length = ty
            .and_then(|t| self.bounds.bound(t, name, &args))
            .unwrap_or(self.bounds.skills.max(MAX_NODE_IDS));
        length.saturating_mul(inner.max(1)).saturating_add(1)
    }
}

/// What a document's operation costs and how deep it nests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    /// The most fields its answer can hold.
    pub cost: usize,
    /// Its deepest nesting, fragments expanded.
    pub depth: usize,
}

/// Measures every operation of a document (the one to run is among them)
/// and answers the largest cost and depth.
pub fn measure(
    document: &ExecutableDocument,
    variables: &Variables,
    shape: &Shape,
    bounds: &ListBounds,
) -> Measure {
    let mut walk = Walk {
        shape,
        bounds,
        document,
        variables,
        memo: HashMap::new(),
        visiting: Vec::new(),
        depth: 0,
    };
    let mut cost = 0;
    for (_, operation) in document.operations.iter() {
        let root = match operation.node.ty {
            async_graphql::parser::types::OperationType::Query => "Query",
            async_graphql::parser::types::OperationType::Mutation => "Mutation",
            async_graphql::parser::types::OperationType::Subscription => "Subscription",
        };
        cost = cost.max(walk.set(&operation.node.selection_set.node, Some(root), None, 0));
    }
    Measure {
        cost,
        depth: walk.depth,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost_of(query: &str, bounds: &ListBounds) -> usize {
        let document = async_graphql::parser::parse_query(query).unwrap();
        measure(&document, &Variables::default(), Shape::of_schema(), bounds).cost
    }

    #[test]
    fn every_plain_list_field_of_the_schema_has_a_bound() {
        let bounds = ListBounds::default();
        let shape = Shape::of_schema();
        let missing: Vec<_> = shape
            .list_fields()
            .into_iter()
            .filter(|(ty, field)| {
                let args = Arguments {
                    field: None,
                    variables: &Variables::default(),
                    page: None,
                };
                bounds.bound(ty, field, &args).is_none()
            })
            .collect();
        assert!(shape.list_fields().len() > 20, "the schema's SDL was read");
        assert!(
            missing.is_empty(),
            "give these list fields a bound in ListBounds::bound: {missing:?}"
        );
    }

    #[test]
    fn nested_lists_multiply_by_their_longest_length() {
        let bounds = ListBounds {
            skills: 1000,
            roadmaps_per_skill: 3,
            roadmap_skills: 100,
            ..ListBounds::default()
        };
        let one = cost_of(
            r#"{ roadmap(slug: "x") { learningOrder { slug } } }"#,
            &bounds,
        );
        // The roadmap, its list, and a slug for each of the longest list.
        assert_eq!(one, 1 + 1 + 100);
        let nested = cost_of(
            r#"{ roadmap(slug: "x") { learningOrder { slug roadmaps { learningOrder { slug } } } } }"#,
            &bounds,
        );
        assert_eq!(nested, 2 + 100 * (1 + 1 + 3 * (1 + 100)));
        // Fragments cost what they expand to, measured once each.
        let spread = cost_of(
            r#"{ roadmap(slug: "x") { ...R } } fragment R on Roadmap { learningOrder { slug } }"#,
            &bounds,
        );
        assert_eq!(spread, one);
    }

    #[test]
    fn a_connection_costs_its_page_and_variables_count() {
        let bounds = ListBounds::default();
        let document = async_graphql::parser::parse_query(
            "query($n: Int) { skills(first: $n) { nodes { slug } } }",
        )
        .unwrap();
        let variables = Variables::from_json(serde_json::json!({ "n": 7 }));
        let measured = measure(&document, &variables, Shape::of_schema(), &bounds);
        assert_eq!(measured.cost, 1 + 1 + 7);
        assert_eq!(measured.depth, 3);
    }
}

#[cfg(test)]
mod following {
    use skillgraph_domain::change::Change;
    use skillgraph_domain::{Prerequisite, Strength};

    use super::*;

    /// Bounds followed change by change are never below the bounds measured
    /// from scratch (a bound must hold), and equal them while no list
    /// shrinks.
    #[test]
    fn bounds_after_a_change_hold_and_match_a_fresh_measure_while_lists_grow() {
        let bundle = skillgraph_bundle::bundled().expect("the bundled dataset");
        let mut catalog = Catalog::from_bundle(&bundle).expect("a catalog");
        let mut bounds = ListBounds::of(&catalog);
        // Pile prerequisites onto one skill until its list is the longest.
        let target = catalog.skills().last().map(|s| s.id).expect("skills");
        let others: Vec<_> = catalog.skills().map(|s| s.id).take(40).collect();
        let mut added = 0;
        for requires in others {
            let change = Change::AddPrerequisite(Prerequisite {
                skill: target,
                requires,
                strength: Strength::Recommended,
            });
            let Ok(next) = catalog.apply(&change, None) else {
                continue;
            };
            let changed = catalog.skills_differing(&next);
            bounds = bounds.after(&next, &changed);
            catalog = next;
            added += 1;
            assert_eq!(bounds, ListBounds::of(&catalog), "after {added} edges");
        }
        assert!(added > 10, "the test added edges");
        // Removing them narrows nothing here, and every bound still holds.
        for requires in catalog.prerequisites(target).to_vec() {
            let change = Change::RemovePrerequisite {
                skill: target,
                requires: requires.requires,
            };
            let next = catalog.apply(&change, None).expect("a removal applies");
            bounds = bounds.after(&next, &catalog.skills_differing(&next));
            catalog = next;
        }
        let fresh = ListBounds::of(&catalog);
        assert!(bounds.prerequisites >= fresh.prerequisites);
        assert_eq!(bounds.skills, fresh.skills);
    }
}
