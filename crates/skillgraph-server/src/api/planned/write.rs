//! Runs a [`Plan`] against one snapshot: the answer's JSON is written
//! straight from the catalog into one buffer, field by field in the plan's
//! order, with serde_json's escaping and number formats (what async-graphql's
//! answers are serialized with), so both executors give the same bytes.
//!
//! Whatever the reference would answer with an error (a malformed slug, a
//! bad argument, an unknown target) stops the run with [`Stop::Bail`]: the
//! request is then answered by async-graphql, errors and all. The budget is
//! charged with the bytes written at the end of every list, so a run stops
//! at the byte cap or the deadline like a reference run does.

use std::collections::HashMap;

use async_graphql::resolver_utils::EnumType;
use async_graphql::{ID, InputType, ScalarType, Variables};
use async_graphql_value::ConstValue;
use skillgraph_domain as domain;
use skillgraph_domain::graph::{EdgeFilter, Towards};
use skillgraph_domain::{Catalog, LearningStatus, SkillId};

use super::plan::{F, Field, Fields, Plan, Ty};
use crate::api::CatalogSnapshot;
use crate::api::budget::{Budget, Exhausted};
use crate::api::connection::{Page, PageArgs};
use crate::api::ids::NodeId;
use crate::api::query::{
    GuideFilter, GuideOrder, MAX_NODES, PathStrength, RoadmapFilter, RoadmapOrder, SkillFilter,
    SkillOrder, guides_matching, learning_path_between, path_targets, roadmaps_matching, skill_ids,
    skills_matching, slug_argument,
};
use crate::api::scalars::{Date, DateTime};
use crate::api::search::{SearchField, SearchHit, SearchKind, search_page};
use crate::api::types::{self, PrerequisiteStrength, Recommendation, ResourceKind, SkillLevel};
use crate::api::viewer::{RoadmapProgress, SkillStatus, lookup};

/// Why a run did not finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The reference executor answers this request: it meets an error
    /// there, whose answer is async-graphql's to give.
    Bail,
    /// The request's budget ran out.
    Out(Exhausted),
}

/// What the caller's statuses say, read once before the run.
#[derive(Default)]
pub struct Statuses<'a> {
    /// Every status of a learner; `None` for a caller who is not one.
    pub map: Option<&'a HashMap<SkillId, LearningStatus>>,
    /// The skills a learner marked done, in the store's order: what a
    /// learning path without `known` starts from.
    pub done: Vec<SkillId>,
}

/// Writes the answer of `plan` (`{"data":{...}}`) on `snapshot`.
pub fn answer(
    plan: &Plan,
    snapshot: &CatalogSnapshot,
    variables: &Variables,
    statuses: &Statuses<'_>,
    budget: Option<&Budget>,
) -> Result<Vec<u8>, Stop> {
    let mut run = Run {
        catalog: &snapshot.catalog,
        snapshot,
        plan,
        variables,
        statuses,
        budget,
        out: Vec::with_capacity(plan.expected_size()),
        charged: 0,
    };
    run.out.extend_from_slice(b"{\"data\":");
    run.object(&plan.root, (), Run::query)?;
    run.out.push(b'}');
    // No last look at the clock: like the reference, a request is stopped
    // where its lists grow, and the edge measures the answer against the
    // byte cap once more.
    run.charge()?;
    plan.expect_size(run.out.len());
    Ok(run.out)
}

/// Whether JSON writes `bytes` inside quotes as they are: no control
/// character, quote or backslash (what serde_json escapes), checked a word
/// at a time with the classic "has a zero byte" and "has a byte less than
/// n" tests, which are exact.
fn plain(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS != 0;
    let has_below_space = |v: u64| v.wrapping_sub(ONES * 0x20) & !v & HIGHS != 0;
    let mut words = bytes.chunks_exact(8);
    for word in words.by_ref() {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let v = u64::from_le_bytes(eight);
        if has_below_space(v)
            || has_zero(v ^ (ONES * u64::from(b'"')))
            || has_zero(v ^ (ONES * u64::from(b'\\')))
        {
            return false;
        }
    }
    words
        .remainder()
        .iter()
        .all(|&b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// How many bytes may be written between two charges of the budget.
const CHARGE_EVERY: usize = 16 << 10;

struct Run<'a> {
    catalog: &'a Catalog,
    snapshot: &'a CatalogSnapshot,
    plan: &'a Plan,
    variables: &'a Variables,
    statuses: &'a Statuses<'a>,
    budget: Option<&'a Budget>,
    out: Vec<u8>,
    /// How much of `out` the budget has been charged for.
    charged: usize,
}

/// Writes one field of an object of type `T`.
type WriteField<'a, T> = fn(&mut Run<'a>, &'a Field, T) -> Result<(), Stop>;

/// Writes the whole value of a connection's node, given the field (`node`
/// or `nodes`) that selects it.
type WriteNode<'a, N> = fn(&mut Run<'a>, &'a Field, &N) -> Result<(), Stop>;

impl<'a> Run<'a> {
    // ---- the JSON primitives ----

    /// Charges the budget with what was written since the last charge,
    /// once that is [`CHARGE_EVERY`] bytes: a list's end is where an answer
    /// may have grown, and a clock read per list would cost more than the
    /// list.
    fn charge(&mut self) -> Result<(), Stop> {
        if self.out.len() - self.charged < CHARGE_EVERY {
            return Ok(());
        }
        self.check()
    }

    /// Charges the budget with everything written so far, and fails once
    /// it ran out: before a walk that may cover the catalog.
    fn check(&mut self) -> Result<(), Stop> {
        let Some(budget) = self.budget else {
            return Ok(());
        };
        let bytes = self.out.len() - self.charged;
        self.charged = self.out.len();
        budget
            .spend(bytes)
            .map_err(|_| Stop::Out(budget.exhausted().unwrap_or(Exhausted::Bytes)))
    }

    fn string(&mut self, text: &str) {
        let bytes = text.as_bytes();
        // Most catalog text needs no escape: found eight bytes at a time,
        // and copied whole. The rest goes through serde_json's escaping,
        // which async-graphql's answers get.
        if plain(bytes) {
            self.out.reserve(bytes.len() + 2);
            self.out.push(b'"');
            self.out.extend_from_slice(bytes);
            self.out.push(b'"');
        } else {
            // Writing into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut self.out, text);
        }
    }

    fn int(&mut self, n: i64) {
        let _ = serde_json::to_writer(&mut self.out, &n);
    }

    fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }

    fn id(&mut self, id: NodeId) {
        self.out.push(b'"');
        id.encode_into(&mut self.out);
        self.out.push(b'"');
    }

    /// An enum value by its schema name, as async-graphql's derive names it.
    fn name<T: EnumType>(&mut self, value: T) {
        let name = T::items()
            .iter()
            .find(|item| item.value == value)
            .map_or("", |item| item.name);
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(b'"');
    }

    /// A value as async-graphql would have written it (scalars of our own).
    fn value(&mut self, value: &ConstValue) {
        let _ = serde_json::to_writer(&mut self.out, value);
    }

    /// Opens an object of `fields`, or writes `null` and says so when
    /// there is none: async-graphql answers an object with no field left as
    /// `null`.
    fn open(&mut self, fields: &Fields) -> bool {
        if fields.fields.is_empty() {
            self.null();
            return false;
        }
        self.out.push(b'{');
        true
    }

    /// Starts the next field of an open object: the comma and the key.
    fn key(&mut self, i: usize, field: &Field) {
        if i > 0 {
            self.out.push(b',');
        }
        self.out.extend_from_slice(&field.key);
    }

    fn object<T: Copy>(
        &mut self,
        fields: &'a Fields,
        value: T,
        write: WriteField<'a, T>,
    ) -> Result<(), Stop> {
        if !self.open(fields) {
            return Ok(());
        }
        for (i, field) in fields.fields.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.out.extend_from_slice(&field.key);
            if field.read.is_none() {
                // `__typename`, named at planning.
                self.string(field.typename);
                continue;
            }
            write(self, field, value)?;
        }
        self.out.push(b'}');
        Ok(())
    }

    /// A value of an interface-valued field, of object type `ty`.
    fn variant<T: Copy>(
        &mut self,
        field: &'a Field,
        ty: Ty,
        value: T,
        write: WriteField<'a, T>,
    ) -> Result<(), Stop> {
        let fields = field.variant(ty).ok_or(Stop::Bail)?;
        self.object(fields, value, write)
    }

    /// A `Node`, or `null`.
    fn node(&mut self, field: &'a Field, node: Option<&types::Node<'a>>) -> Result<(), Stop> {
        use types::Node;
        match node {
            None => {
                self.null();
                Ok(())
            }
            Some(Node::Skill(n)) => self.variant(field, Ty::Skill, n.domain(), Run::skill),
            Some(Node::Roadmap(n)) => self.variant(field, Ty::Roadmap, n.domain(), Run::roadmap),
            Some(Node::Guide(n)) => self.variant(field, Ty::Guide, n.domain(), Run::guide),
            Some(Node::Author(n)) => self.variant(field, Ty::Author, n.domain(), Run::author),
            Some(Node::Resource(n)) => self.variant(field, Ty::Resource, n.domain(), Run::resource),
            Some(Node::RoadmapSection(n)) => {
                self.variant(field, Ty::RoadmapSection, n.domain(), Run::section)
            }
            Some(Node::RoadmapItem(n)) => {
                self.variant(field, Ty::RoadmapItem, n.domain(), Run::item)
            }
        }
    }

    /// A page of a connection, each node written by `node`.
    fn connection<N>(
        &mut self,
        field: &'a Field,
        page: &Page<N>,
        node: WriteNode<'a, N>,
    ) -> Result<(), Stop> {
        if !self.open(&field.selection) {
            return Ok(());
        }
        for (i, sub) in field.selection.fields.iter().enumerate() {
            self.key(i, sub);
            match sub.read {
                None => self.string(sub.typename),
                Some(F::ConnectionEdges) => {
                    self.out.push(b'[');
                    for (n, (position, item)) in page.positioned().enumerate() {
                        if n > 0 {
                            self.out.push(b',');
                        }
                        if !self.open(&sub.selection) {
                            continue;
                        }
                        for (j, edge_field) in sub.selection.fields.iter().enumerate() {
                            self.key(j, edge_field);
                            match edge_field.read {
                                None => self.string(edge_field.typename),
                                Some(F::EdgeCursor) => self.string(
                                    &async_graphql::connection::CursorType::encode_cursor(
                                        &position,
                                    ),
                                ),
                                Some(F::EdgeNode) => node(self, edge_field, item)?,
                                Some(_) => return Err(Stop::Bail),
                            }
                        }
                        self.out.push(b'}');
                    }
                    self.out.push(b']');
                    self.charge()?;
                }
                Some(F::ConnectionNodes) => {
                    self.out.push(b'[');
                    for (n, (_, item)) in page.positioned().enumerate() {
                        if n > 0 {
                            self.out.push(b',');
                        }
                        node(self, sub, item)?;
                    }
                    self.out.push(b']');
                    self.charge()?;
                }
                Some(F::ConnectionPageInfo) => {
                    if !self.open(&sub.selection) {
                        continue;
                    }
                    let cursor = |edge: Option<(crate::api::connection::Position, &N)>| {
                        edge.map(|(p, _)| async_graphql::connection::CursorType::encode_cursor(&p))
                    };
                    for (j, info) in sub.selection.fields.iter().enumerate() {
                        self.key(j, info);
                        match info.read {
                            None => self.string(info.typename),
                            Some(F::PageHasPrevious) => self.boolean(page.more_before()),
                            Some(F::PageHasNext) => self.boolean(page.more_after()),
                            Some(read @ (F::PageStartCursor | F::PageEndCursor)) => {
                                let edge = if read == F::PageStartCursor {
                                    page.positioned().next()
                                } else {
                                    page.positioned().last()
                                };
                                match cursor(edge) {
                                    Some(cursor) => self.string(&cursor),
                                    None => self.null(),
                                }
                            }
                            Some(_) => return Err(Stop::Bail),
                        }
                    }
                    self.out.push(b'}');
                }
                Some(F::ConnectionTotalCount) => self.int(page.count() as i64),
                Some(_) => return Err(Stop::Bail),
            }
        }
        self.out.push(b'}');
        Ok(())
    }

    fn boolean(&mut self, value: bool) {
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    /// The arguments every connection pages with.
    fn page_args(&self, field: &Field, backward: bool) -> Result<PageArgs, Stop> {
        Ok(PageArgs {
            first: self.arg(field, "first")?,
            after: self.arg(field, "after")?,
            last: if backward {
                self.arg(field, "last")?
            } else {
                None
            },
            before: if backward {
                self.arg(field, "before")?
            } else {
                None
            },
        })
    }

    fn maybe<T: Copy>(
        &mut self,
        field: &'a Field,
        value: Option<T>,
        write: WriteField<'a, T>,
    ) -> Result<(), Stop> {
        match value {
            Some(value) => self.object(&field.selection, value, write),
            None => {
                self.null();
                Ok(())
            }
        }
    }

    fn list<T: Copy>(
        &mut self,
        field: &'a Field,
        items: impl IntoIterator<Item = T>,
        write: WriteField<'a, T>,
    ) -> Result<(), Stop> {
        self.out.push(b'[');
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.object(&field.selection, item, write)?;
        }
        self.out.push(b']');
        self.charge()
    }

    fn strings<'s>(&mut self, items: impl IntoIterator<Item = &'s str>) -> Result<(), Stop> {
        self.out.push(b'[');
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            self.string(item);
        }
        self.out.push(b']');
        self.charge()
    }

    // ---- arguments ----

    /// An argument coerced as async-graphql coerces it, variables read
    /// from the request or their defaults; a value it would refuse bails.
    fn arg<T: InputType>(&self, field: &Field, name: &str) -> Result<T, Stop> {
        let value = match field.args.iter().find(|(n, _)| n.as_str() == name) {
            None => None,
            Some((_, value)) => Some(
                value
                    .clone()
                    .into_const_with(|var| self.variable(var.as_str()).ok_or(()))
                    .map_err(|()| Stop::Bail)?,
            ),
        };
        T::parse(value).map_err(|_| Stop::Bail)
    }

    fn variable(&self, name: &str) -> Option<ConstValue> {
        let (_, default) = self
            .plan
            .defaults
            .iter()
            .find(|(n, _)| n.as_str() == name)?;
        self.variables
            .get(name)
            .cloned()
            .or_else(|| default.clone())
    }

    // ---- the types ----

    fn query(&mut self, field: &'a Field, (): ()) -> Result<(), Stop> {
        let catalog = self.catalog;
        match field.read {
            Some(F::QueryRoadmap) => {
                let slug: String = self.arg(field, "slug")?;
                slug_argument("slug", &slug).map_err(|_| Stop::Bail)?;
                self.maybe(field, catalog.roadmap_by_slug(&slug), Run::roadmap)
            }
            Some(F::QuerySkill) => {
                let slug: String = self.arg(field, "slug")?;
                slug_argument("slug", &slug).map_err(|_| Stop::Bail)?;
                self.maybe(field, catalog.skill_by_slug(&slug), Run::skill)
            }
            Some(F::QueryGuide) => {
                let slug: String = self.arg(field, "slug")?;
                slug_argument("slug", &slug).map_err(|_| Stop::Bail)?;
                self.maybe(field, catalog.guide_by_slug(&slug), Run::guide)
            }
            Some(F::QueryAuthor) => {
                let id: Option<ID> = self.arg(field, "id")?;
                let handle: Option<String> = self.arg(field, "handle")?;
                let author = match (id, handle) {
                    (Some(id), None) => match NodeId::decode(&id).map_err(|_| Stop::Bail)? {
                        NodeId::Author(id) => catalog.author(id),
                        _ => None,
                    },
                    (None, Some(handle)) => {
                        slug_argument("handle", &handle).map_err(|_| Stop::Bail)?;
                        catalog.author_by_handle(&handle)
                    }
                    _ => return Err(Stop::Bail),
                };
                self.maybe(field, author, Run::author)
            }
            Some(F::QueryCatalog) => self.object(&field.selection, (), Run::catalog_info),
            Some(F::QueryLearningPath) => {
                let targets: Vec<String> = self.arg(field, "targets")?;
                let known: Option<Vec<String>> = self.arg(field, "known")?;
                let strength: Option<PathStrength> = self.arg(field, "strength")?;
                let targets = path_targets(catalog, &targets).map_err(|_| Stop::Bail)?;
                let known = match known {
                    Some(known) => skill_ids(catalog, "known", &known).map_err(|_| Stop::Bail)?,
                    None => self.statuses.done.clone(),
                };
                let path = learning_path_between(catalog, targets, &known, strength)
                    .map_err(|_| Stop::Bail)?;
                let path = &path;
                // The path lives on this frame; its fields are written here.
                if field.selection.fields.is_empty() {
                    self.null();
                    return Ok(());
                }
                self.out.push(b'{');
                for (i, sub) in field.selection.fields.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.out.extend_from_slice(&sub.key);
                    match sub.read {
                        None => self.string(sub.typename),
                        Some(F::PathTargets) => {
                            self.list(sub, skills(catalog, &path.targets), Run::skill)?
                        }
                        Some(F::PathSteps) => {
                            self.out.push(b'[');
                            for (i, step) in path.steps.iter().enumerate() {
                                if i > 0 {
                                    self.out.push(b',');
                                }
                                self.object(&sub.selection, (i + 1, step), Run::step)?;
                            }
                            self.out.push(b']');
                            self.charge()?;
                        }
                        Some(F::PathLength) => self.int(path.steps.len() as i64),
                        Some(_) => return Err(Stop::Bail),
                    }
                }
                self.out.push(b'}');
                Ok(())
            }
            Some(F::QueryNode) => {
                let id: ID = self.arg(field, "id")?;
                let id = NodeId::decode(&id).map_err(|_| Stop::Bail)?;
                let node = types::Node::find(catalog, id);
                self.node(field, node.as_ref())
            }
            Some(F::QueryNodes) => {
                let ids: Vec<ID> = self.arg(field, "ids")?;
                if ids.len() > MAX_NODES {
                    return Err(Stop::Bail);
                }
                let nodes = ids
                    .iter()
                    .map(|id| NodeId::decode(id).map(|id| types::Node::find(catalog, id)))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| Stop::Bail)?;
                self.out.push(b'[');
                for (i, node) in nodes.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.node(field, node.as_ref())?;
                }
                self.out.push(b']');
                self.charge()
            }
            Some(F::QuerySkills) => {
                let filter: Option<SkillFilter> = self.arg(field, "filter")?;
                let order: Option<SkillOrder> = self.arg(field, "orderBy")?;
                let all = skills_matching(
                    catalog,
                    filter.unwrap_or_default(),
                    order.unwrap_or_default(),
                )
                .map_err(|_| Stop::Bail)?;
                let page = self
                    .page_args(field, true)?
                    .paginate(all)
                    .map_err(|_| Stop::Bail)?;
                self.connection(field, &page, |run, field, skill| {
                    run.object(&field.selection, skill.domain(), Run::skill)
                })
            }
            Some(F::QueryRoadmaps) => {
                let filter: Option<RoadmapFilter> = self.arg(field, "filter")?;
                let order: Option<RoadmapOrder> = self.arg(field, "orderBy")?;
                let all = roadmaps_matching(
                    catalog,
                    filter.unwrap_or_default(),
                    order.unwrap_or_default(),
                )
                .map_err(|_| Stop::Bail)?;
                let page = self
                    .page_args(field, true)?
                    .paginate(all)
                    .map_err(|_| Stop::Bail)?;
                self.connection(field, &page, |run, field, roadmap| {
                    run.object(&field.selection, roadmap.domain(), Run::roadmap)
                })
            }
            Some(F::QueryGuides) => {
                let filter: Option<GuideFilter> = self.arg(field, "filter")?;
                let order: Option<GuideOrder> = self.arg(field, "orderBy")?;
                let all = guides_matching(
                    catalog,
                    filter.unwrap_or_default(),
                    order.unwrap_or_default(),
                )
                .map_err(|_| Stop::Bail)?;
                let page = self
                    .page_args(field, true)?
                    .paginate(all)
                    .map_err(|_| Stop::Bail)?;
                self.connection(field, &page, |run, field, guide| {
                    run.object(&field.selection, guide.domain(), Run::guide)
                })
            }
            Some(F::QuerySearch) => {
                let query: String = self.arg(field, "query")?;
                let kinds: Option<Vec<SearchKind>> = self.arg(field, "kinds")?;
                let args = self.page_args(field, false)?;
                let page = search_page(self.snapshot, &query, kinds, args.first, args.after)
                    .map_err(|_| Stop::Bail)?;
                self.connection(field, &page, |run, field, hit| {
                    let ty = match hit {
                        SearchHit::Skill(_) => Ty::SkillHit,
                        SearchHit::Guide(_) => Ty::GuideHit,
                        SearchHit::Resource(_) => Ty::ResourceHit,
                    };
                    run.variant(field, ty, hit, Run::hit)
                })
            }
            Some(F::QueryPrerequisitePath) => {
                let from: String = self.arg(field, "from")?;
                let to: String = self.arg(field, "to")?;
                let from = skill_ids(catalog, "from", &[from]).map_err(|_| Stop::Bail)?[0];
                let to = skill_ids(catalog, "to", &[to]).map_err(|_| Stop::Bail)?[0];
                match catalog.prerequisite_path(from, to) {
                    Some(path) => self.list(field, skills(catalog, &path), Run::skill),
                    None => {
                        self.null();
                        Ok(())
                    }
                }
            }
            _ => Err(Stop::Bail),
        }
    }

    fn catalog_info(&mut self, field: &'a Field, (): ()) -> Result<(), Stop> {
        match field.read {
            Some(F::CatalogVersion) => self.int(self.snapshot.version),
            Some(F::CatalogUpdatedAt) => {
                self.value(&ScalarType::to_value(&DateTime(self.snapshot.updated_at)))
            }
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }

    fn skill(&mut self, field: &'a Field, skill: &'a domain::Skill) -> Result<(), Stop> {
        let catalog = self.catalog;
        match field.read {
            Some(F::SkillId) => self.id(NodeId::Skill(skill.id)),
            Some(F::SkillSlug) => self.string(skill.slug.as_str()),
            Some(F::SkillName) => self.string(skill.name.as_str()),
            Some(F::SkillSummary) => self.string(skill.summary.as_str()),
            Some(F::SkillDescription) => self.string(skill.description.as_str()),
            Some(F::SkillLevel) => self.name(SkillLevel::from(skill.level)),
            Some(F::SkillTags) => return self.strings(skill.tags.iter().map(|t| t.as_str())),
            Some(F::SkillAliases) => return self.strings(skill.aliases.iter().map(|a| a.as_str())),
            Some(F::SkillExternalIds) => {
                return self.list(field, skill.external_ids.iter(), Run::external_id);
            }
            Some(read @ (F::SkillPrerequisites | F::SkillDependents)) => {
                let towards = if read == F::SkillPrerequisites {
                    Towards::Prerequisites
                } else {
                    Towards::Dependents
                };
                let strength: Option<PrerequisiteStrength> = self.arg(field, "strength")?;
                let transitive: Option<bool> = self.arg(field, "transitive")?;
                let max_depth: Option<i32> = self.arg(field, "maxDepth")?;
                if !transitive.unwrap_or(false) && max_depth.is_none() {
                    // Direct edges, read in place.
                    let filter = strength.map_or(EdgeFilter::All, |s| EdgeFilter::Only(s.into()));
                    let links = types::direct_links(catalog, skill.id, towards, filter)
                        .map(|(skill, strength)| (skill, strength, 1));
                    return self.list(field, links, Run::link);
                }
                // A transitive walk may cover the catalog: not begun out of budget.
                self.check()?;
                let links = types::Skill::new(catalog, skill)
                    .links(towards, strength, transitive.unwrap_or(false), max_depth)
                    .map_err(|_| Stop::Bail)?;
                let links = links
                    .iter()
                    .map(|link| (link.skill.domain(), link.strength, link.distance));
                return self.list(field, links, Run::link);
            }
            Some(F::SkillParent) => {
                let parent = skill.parent.and_then(|id| catalog.skill(id));
                return self.maybe(field, parent, Run::skill);
            }
            Some(F::SkillChildren) => {
                return self.list(
                    field,
                    skills(catalog, catalog.children(skill.id)),
                    Run::skill,
                );
            }
            Some(F::SkillRelated) => {
                return self.list(
                    field,
                    skills(catalog, catalog.related(skill.id)),
                    Run::skill,
                );
            }
            Some(F::SkillResources) => {
                let kinds: Option<Vec<ResourceKind>> = self.arg(field, "kinds")?;
                let kinds: Option<Vec<domain::ResourceKind>> =
                    kinds.map(|k| k.into_iter().map(Into::into).collect());
                let resources = catalog
                    .resources(skill.id)
                    .iter()
                    .filter(|r| kinds.as_ref().is_none_or(|k| k.contains(&r.kind)));
                return self.list(field, resources, Run::resource);
            }
            Some(F::SkillGuides) => {
                let guides = guides(catalog, catalog.guides_covering(skill.id));
                return self.list(field, guides, Run::guide);
            }
            Some(F::SkillRoadmaps) => {
                let roadmaps = catalog
                    .roadmaps_with(skill.id)
                    .iter()
                    .filter_map(|id| catalog.roadmap(*id));
                return self.list(field, roadmaps, Run::roadmap);
            }
            Some(F::SkillViewerStatus) => self.status(skill.id),
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }

    fn hit(&mut self, field: &'a Field, hit: &SearchHit<'a>) -> Result<(), Stop> {
        let (score, matched) = match hit {
            SearchHit::Skill(h) => (h.score, h.field),
            SearchHit::Guide(h) => (h.score, h.field),
            SearchHit::Resource(h) => (h.score, h.field),
        };
        match (field.read, hit) {
            (Some(F::HitSkill), SearchHit::Skill(h)) => {
                return self.object(&field.selection, h.skill.domain(), Run::skill);
            }
            (Some(F::HitGuide), SearchHit::Guide(h)) => {
                return self.object(&field.selection, h.guide.domain(), Run::guide);
            }
            (Some(F::HitResource), SearchHit::Resource(h)) => {
                return self.object(&field.selection, h.resource.domain(), Run::resource);
            }
            (Some(F::HitScore), _) => self.value(&ScalarType::to_value(&score)),
            (Some(F::HitMatchedField), _) => self.name(SearchField::from(matched)),
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }

    fn status(&mut self, skill: SkillId) {
        match self.statuses.map {
            Some(map) => {
                let status = map
                    .get(&skill)
                    .copied()
                    .unwrap_or(LearningStatus::NotStarted);
                self.name(SkillStatus::from(status));
            }
            None => self.null(),
        }
    }

    /// A prerequisite link: the skill at its other end, the strength and
    /// the distance.
    fn link(
        &mut self,
        field: &'a Field,
        (skill, strength, distance): (&'a domain::Skill, domain::Strength, u32),
    ) -> Result<(), Stop> {
        match field.read {
            Some(F::LinkSkill) => return self.object(&field.selection, skill, Run::skill),
            Some(F::LinkStrength) => self.name(PrerequisiteStrength::from(strength)),
            Some(F::LinkDistance) => self.int(i64::from(distance)),
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }

    fn external_id(
        &mut self,
        field: &'a Field,
        external: &'a domain::ExternalId,
    ) -> Result<(), Stop> {
        match field.read {
            Some(F::ExternalIdScheme) => self.string(external.scheme.as_str()),
            Some(F::ExternalIdValue) => self.string(external.value.as_str()),
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }

    fn resource(&mut self, field: &'a Field, resource: &'a domain::Resource) -> Result<(), Stop> {
        match field.read {
            Some(F::ResourceId) => self.id(NodeId::Resource(resource.id)),
            Some(F::ResourceKind) => self.name(ResourceKind::from(resource.kind)),
            Some(F::ResourceTitle) => self.string(resource.title.as_str()),
            Some(F::ResourceUrl) => self.string(resource.url.as_str()),
            Some(F::ResourceSkill) => {
                let skill = self.catalog.skill(resource.skill);
                return self.maybe(field, skill, Run::skill);
            }
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }

    fn roadmap(&mut self, field: &'a Field, roadmap: &'a domain::Roadmap) -> Result<(), Stop> {
        let catalog = self.catalog;
        match field.read {
            Some(F::RoadmapId) => self.id(NodeId::Roadmap(roadmap.id)),
            Some(F::RoadmapSlug) => self.string(roadmap.slug.as_str()),
            Some(F::RoadmapTitle) => self.string(roadmap.title.as_str()),
            Some(F::RoadmapDescription) => self.string(roadmap.description.as_str()),
            Some(F::RoadmapSections) => {
                return self.list(field, roadmap.sections.iter(), Run::section);
            }
            Some(F::RoadmapRelated) => {
                let related = roadmap.related.iter().filter_map(|id| catalog.roadmap(*id));
                return self.list(field, related, Run::roadmap);
            }
            Some(F::RoadmapGuides) => {
                let guides = guides(catalog, catalog.guides_for_roadmap(roadmap.id));
                return self.list(field, guides, Run::guide);
            }
            Some(F::RoadmapLearningOrder) => {
                // A sort of the whole roadmap: not begun out of budget.
                self.check()?;
                let order = catalog.roadmap_learning_order(roadmap.id);
                return self.list(field, skills(catalog, &order), Run::skill);
            }
            Some(F::RoadmapSkillCount) => self.int(roadmap.items().count() as i64),
            Some(F::RoadmapViewerProgress) => match self.statuses.map {
                Some(map) => {
                    let progress = RoadmapProgress::from(catalog.progress(roadmap.id, lookup(map)));
                    return self.object(&field.selection, &progress, Run::progress);
                }
                None => self.null(),
            },
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }

    fn progress(&mut self, field: &'a Field, progress: &RoadmapProgress) -> Result<(), Stop> {
        match field.read {
            Some(F::ProgressDone) => self.int(progress.done as i64),
            Some(F::ProgressLearning) => self.int(progress.learning as i64),
            Some(F::ProgressSkipped) => self.int(progress.skipped as i64),
            Some(F::ProgressTotal) => self.int(progress.total as i64),
            Some(F::ProgressPercent) => self.value(&ScalarType::to_value(&progress.percent)),
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }

    fn section(&mut self, field: &'a Field, section: &'a domain::Section) -> Result<(), Stop> {
        match field.read {
            Some(F::SectionId) => self.id(NodeId::Section(section.id)),
            Some(F::SectionTitle) => self.string(section.title.as_str()),
            Some(F::SectionDescription) => self.string(section.description.as_str()),
            Some(F::SectionItems) => return self.list(field, section.items.iter(), Run::item),
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }

    fn item(&mut self, field: &'a Field, item: &'a domain::RoadmapItem) -> Result<(), Stop> {
        match field.read {
            Some(F::ItemId) => self.id(NodeId::Item(item.id)),
            Some(F::ItemSkill) => {
                let skill = self.catalog.skill(item.skill);
                return self.maybe(field, skill, Run::skill);
            }
            Some(F::ItemRecommendation) => self.name(Recommendation::from(item.recommendation)),
            Some(F::ItemChildren) => return self.list(field, item.children.iter(), Run::item),
            Some(F::ItemViewerStatus) => self.status(item.skill),
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }

    fn guide(&mut self, field: &'a Field, guide: &'a domain::Guide) -> Result<(), Stop> {
        let catalog = self.catalog;
        match field.read {
            Some(F::GuideId) => self.id(NodeId::Guide(guide.id)),
            Some(F::GuideSlug) => self.string(guide.slug.as_str()),
            Some(F::GuideTitle) => self.string(guide.title.as_str()),
            Some(F::GuideDescription) => self.string(guide.description.as_str()),
            Some(F::GuideUrl) => self.string(guide.url.as_str()),
            Some(F::GuideAuthor) => {
                let author = guide.author.and_then(|id| catalog.author(id));
                return self.maybe(field, author, Run::author);
            }
            Some(F::GuidePublishedOn) => match guide.published {
                Some(date) => self.value(&ScalarType::to_value(&Date(date))),
                None => self.null(),
            },
            Some(F::GuideTags) => return self.strings(guide.tags.iter().map(|t| t.as_str())),
            Some(F::GuideBody) => match &guide.body {
                Some(body) => self.string(body.as_str()),
                None => self.null(),
            },
            Some(F::GuideRelated) => {
                return self.list(field, guides(catalog, &guide.related), Run::guide);
            }
            Some(F::GuideSkills) => {
                return self.list(field, skills(catalog, &guide.skills), Run::skill);
            }
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }

    fn author(&mut self, field: &'a Field, author: &'a domain::Author) -> Result<(), Stop> {
        match field.read {
            Some(F::AuthorId) => self.id(NodeId::Author(author.id)),
            Some(F::AuthorHandle) => self.string(author.handle.as_str()),
            Some(F::AuthorName) => self.string(author.name.as_str()),
            Some(F::AuthorLinks) => return self.strings(author.links.iter().map(|l| l.as_str())),
            Some(F::AuthorGuides) => {
                // A walk over every guide: not begun out of budget.
                self.check()?;
                let guides = types::guides_by(self.catalog, author);
                return self.list(field, guides, Run::guide);
            }
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }

    fn step(
        &mut self,
        field: &'a Field,
        (position, step): (usize, &domain::graph::PathStep),
    ) -> Result<(), Stop> {
        let catalog = self.catalog;
        match field.read {
            Some(F::StepPosition) => self.int(position as i64),
            Some(F::StepSkill) => return self.maybe(field, catalog.skill(step.skill), Run::skill),
            Some(F::StepNeededBy) => {
                return self.list(field, skills(catalog, &step.needed_by), Run::skill);
            }
            _ => return Err(Stop::Bail),
        }
        Ok(())
    }
}

/// The skills with these ids, in order, skipping any that went away.
fn skills<'c, 'i>(
    catalog: &'c Catalog,
    ids: &'i [SkillId],
) -> impl Iterator<Item = &'c domain::Skill> + use<'c, 'i> {
    ids.iter().filter_map(|id| catalog.skill(*id))
}

/// The guides with these ids, in order.
fn guides<'c, 'i>(
    catalog: &'c Catalog,
    ids: &'i [domain::GuideId],
) -> impl Iterator<Item = &'c domain::Guide> + use<'c, 'i> {
    ids.iter().filter_map(|id| catalog.guide(*id))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn plain_text_is_exactly_what_serde_json_leaves_unescaped(text in "\\PC*|[\\x00-\\x7f]{0,40}") {
            let escaped = serde_json::to_string(&text).unwrap();
            prop_assert_eq!(super::plain(text.as_bytes()), escaped == format!("\"{text}\""));
        }
    }
}
