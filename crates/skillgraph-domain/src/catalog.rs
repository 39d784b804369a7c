//! The immutable, indexed snapshot of the whole graph that every read uses.
//!
//! A [`Catalog`] is built once from plain parts (rows from the store, or a
//! [`Bundle`]), checked as a whole (every reference resolves, slugs are unique,
//! prerequisites and the skill hierarchy have no cycle, no list exceeds its
//! limit), and then only read:
//! lookups by id and slug and the reverse edges are precomputed, so no read
//! needs more than a map lookup or a slice.
//!
//! A committed [`Change`](crate::change::Change) makes the next snapshot with
//! [`Catalog::apply`] instead of a rebuild: the next catalog shares with the
//! previous one everything the change does not touch. So every thing is held
//! once behind an `Arc` (a skill with its reverse edges, a roadmap with its
//! guides, a guide, an author) in persistent maps from the `imbl` crate
//! (ordered maps by id, which keep the id order every list answers in, and
//! hash maps by slug): cloning a catalog is O(1), and a change copies only
//! the entries it touches and the O(log n) tree nodes above them. `imbl` is
//! the maintained fork of `im`, with the same structures and no unsafe
//! sharing tricks of our own to review; `Arc`-per-entity alone would still
//! copy whole indexes on every create or delete.
//!
//! The two whole-graph structures the graph answers need, a petgraph
//! `DiGraph` over the skills in id order (node `n` is the `n`-th skill) and
//! the reading-order rank of every skill, are *derived* from the per-skill
//! edge lists and the roadmaps, kept behind shared `OnceLock`s: a change
//! that touches no prerequisite edge and no skill set hands them on as they
//! are; one that does drops them, and the first graph question afterwards
//! builds them again from the already-checked lists (O(V + E), no checks, in
//! the same order a fresh build uses, so every answer, ties included, is the
//! one a freshly built catalog gives). The rank likewise follows a change to
//! a roadmap's items or to a slug. Reads pay one ordered-map lookup
//! (a shallow B-tree) where they paid a hash lookup and a vector index.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use imbl::OrdMap;
use imbl::ordmap::DiffItem;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::bundle::{
    Bundle, BundleAuthor, BundleFormat, BundleGuide, BundleItem, BundlePrerequisite,
    BundleResource, BundleRoadmap, BundleSection, BundleSkill,
};
use crate::model::{
    Author, AuthorId, Guide, GuideId, ItemId, Prerequisite, Resource, ResourceId, Roadmap,
    RoadmapId, RoadmapItem, Section, SectionId, Skill, SkillId,
};
use crate::values::{MAX_ALIASES, MAX_EXTERNAL_IDS, MAX_LINKS, MAX_TAGS, Slug, Strength};

mod apply;
mod places;
pub use apply::ApplyError;
pub use places::{ItemPlace, SectionPlace};

/// Why a set of parts does not make a consistent catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// Two things of one kind share a slug (or an author handle).
    #[error("two {kind}s share the slug `{slug}`")]
    DuplicateSlug {
        /// "skill", "roadmap", "guide" or "author".
        kind: &'static str,
        /// The shared slug.
        slug: Slug,
    },
    /// Two things of one kind share a storage id.
    #[error("two {kind}s share the id {id}")]
    DuplicateId {
        /// The kind of thing.
        kind: &'static str,
        /// The shared id.
        id: i64,
    },
    /// A reference points at nothing.
    #[error("{from} refers to the unknown {kind} `{missing}`")]
    UnknownReference {
        /// What holds the reference, e.g. "skill `orms` (prerequisite)".
        from: String,
        /// The kind referred to.
        kind: &'static str,
        /// The slug or id that does not resolve.
        missing: String,
    },
    /// A skill is listed as its own prerequisite.
    #[error("skill `{0}` cannot be its own prerequisite")]
    SelfPrerequisite(Slug),
    /// The same prerequisite edge is given twice.
    #[error("skill `{skill}` lists the prerequisite `{requires}` twice")]
    DuplicatePrerequisite {
        /// The dependent skill.
        skill: Slug,
        /// The prerequisite given twice.
        requires: Slug,
    },
    /// Prerequisites close a cycle; the slugs go round it, the first repeated at the end.
    #[error("prerequisites form a cycle: {}", join(.0))]
    PrerequisiteCycle(Vec<Slug>),
    /// Parent links close a cycle; the slugs go up it, the first repeated at the end.
    #[error("skill hierarchy forms a cycle: {}", join(.0))]
    ParentCycle(Vec<Slug>),
    /// A thing is linked to itself where that makes no sense.
    #[error("{kind} `{slug}` cannot be related to itself")]
    SelfRelated {
        /// "skill", "roadmap" or "guide".
        kind: &'static str,
        /// Its slug.
        slug: Slug,
    },
    /// A list of one thing holds more entries than its limit
    /// ([`crate::values::MAX_TAGS`] and its neighbours).
    #[error("{kind} `{slug}` has {len} {list}; the limit is {max}")]
    TooMany {
        /// "skill", "guide" or "author".
        kind: &'static str,
        /// Its slug (or handle).
        slug: Slug,
        /// Which list: "tags", "aliases", "external ids" or "links".
        list: &'static str,
        /// How many entries it holds.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A skill appears twice on one roadmap.
    #[error("skill `{skill}` appears more than once on roadmap `{roadmap}`")]
    SkillTwiceOnRoadmap {
        /// The roadmap.
        roadmap: Slug,
        /// The repeated skill.
        skill: Slug,
    },
}

/// Refuses any skill, author or guide whose lists exceed their limits.
fn check_lists(skills: &[Skill], authors: &[Author], guides: &[Guide]) -> Result<(), CatalogError> {
    let limit = |kind, slug: &Slug, list, len, max| {
        if len > max {
            Err(CatalogError::TooMany {
                kind,
                slug: slug.clone(),
                list,
                len,
                max,
            })
        } else {
            Ok(())
        }
    };
    for s in skills {
        limit("skill", &s.slug, "tags", s.tags.len(), MAX_TAGS)?;
        limit("skill", &s.slug, "aliases", s.aliases.len(), MAX_ALIASES)?;
        let external = s.external_ids.len();
        limit("skill", &s.slug, "external ids", external, MAX_EXTERNAL_IDS)?;
    }
    for a in authors {
        limit("author", &a.handle, "links", a.links.len(), MAX_LINKS)?;
    }
    for g in guides {
        limit("guide", &g.slug, "tags", g.tags.len(), MAX_TAGS)?;
    }
    Ok(())
}

fn join(slugs: &[Slug]) -> String {
    slugs
        .iter()
        .map(Slug::as_str)
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// Everything a catalog is built from, as the store reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogParts {
    /// All skills.
    pub skills: Vec<Skill>,
    /// All prerequisite edges.
    pub prerequisites: Vec<Prerequisite>,
    /// Symmetric "see also" links, each pair once (either order).
    pub related: Vec<(SkillId, SkillId)>,
    /// All resources, in display order per skill.
    pub resources: Vec<Resource>,
    /// All roadmaps with their sections and items.
    pub roadmaps: Vec<Roadmap>,
    /// All authors.
    pub authors: Vec<Author>,
    /// All guides.
    pub guides: Vec<Guide>,
}

/// A skill with every edge that touches it, precomputed. Every list is in
/// the order a fresh build gives: prerequisites as listed, dependents,
/// children, related skills, guides and roadmaps in id order, resources as
/// listed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SkillEntry {
    skill: Skill,
    prerequisites: Vec<Prerequisite>,
    dependents: Vec<Prerequisite>,
    children: Vec<SkillId>,
    related: Vec<SkillId>,
    resources: Vec<Resource>,
    guides: Vec<GuideId>,
    roadmaps: Vec<RoadmapId>,
}

impl SkillEntry {
    fn new(skill: Skill) -> Self {
        Self {
            skill,
            prerequisites: Vec::new(),
            dependents: Vec::new(),
            children: Vec::new(),
            related: Vec::new(),
            resources: Vec::new(),
            guides: Vec::new(),
            roadmaps: Vec::new(),
        }
    }
}

/// A roadmap with the guides that cover its skills, most coverage first.
#[derive(Debug, Clone)]
struct RoadmapEntry {
    roadmap: Roadmap,
    guides: Vec<GuideId>,
}

/// The whole-graph view the graph answers walk: the skills numbered densely
/// in id order, and the prerequisite edges between those numbers.
#[derive(Debug)]
pub(crate) struct Dense {
    /// The position of every skill: its node in `graph`.
    pub(crate) index: HashMap<SkillId, usize>,
    /// Prerequisite edges from the skill needed first to the skill it
    /// unlocks; node `n` is the skill at position `n`. Edges are added
    /// dependent by dependent in id order, each one's prerequisites as
    /// listed, so walks that depend on edge order answer alike however the
    /// catalog was reached.
    pub(crate) graph: DiGraph<SkillId, Strength>,
}

impl Dense {
    /// Numbers the skills (given in id order) and adds their edges.
    fn of(skills: &OrdMap<SkillId, Arc<SkillEntry>>, edges: usize) -> Self {
        let mut index = HashMap::with_capacity(skills.len());
        let mut graph = DiGraph::with_capacity(skills.len(), edges);
        for (position, id) in skills.keys().enumerate() {
            index.insert(*id, position);
            graph.add_node(*id);
        }
        for (position, entry) in skills.values().enumerate() {
            for edge in &entry.prerequisites {
                if let Some(&required) = index.get(&edge.requires) {
                    graph.add_edge(
                        NodeIndex::new(required),
                        NodeIndex::new(position),
                        edge.strength,
                    );
                }
            }
        }
        Self { index, graph }
    }
}

/// A lazily derived whole-catalog structure, shared between the snapshots
/// whose changes did not touch what it is derived from.
type Derived<T> = Arc<OnceLock<T>>;

/// A derived structure already known.
fn derived<T>(value: T) -> Derived<T> {
    let cell = OnceLock::new();
    let _ = cell.set(value);
    Arc::new(cell)
}

/// The immutable, indexed graph. Cheap to share behind an `Arc`, and cheap
/// to clone: every map is persistent.
#[derive(Debug, Clone)]
pub struct Catalog {
    skills: OrdMap<SkillId, Arc<SkillEntry>>,
    skill_by_slug: imbl::HashMap<Slug, SkillId>,
    roadmaps: OrdMap<RoadmapId, Arc<RoadmapEntry>>,
    roadmap_by_slug: imbl::HashMap<Slug, RoadmapId>,
    guides: OrdMap<GuideId, Arc<Guide>>,
    guide_by_slug: imbl::HashMap<Slug, GuideId>,
    authors: OrdMap<AuthorId, Arc<Author>>,
    author_by_handle: imbl::HashMap<Slug, AuthorId>,
    /// The skill that holds each resource.
    resource_owner: imbl::HashMap<ResourceId, SkillId>,
    /// How many prerequisite edges there are.
    edge_count: usize,
    /// The dense numbering and the petgraph graph; see [`Dense`].
    dense: Derived<Dense>,
    /// Per skill position: its place in the catalog's reading order (first
    /// place on any roadmap, roadmaps in id order; then slug), which breaks
    /// ties wherever the graph leaves the order free.
    rank: Derived<Vec<u32>>,
}

/// The reading order of skills given in id order (`slugs`), numbered densely
/// by `index`: each skill's first place on the roadmaps (in id order), then
/// its slug.
fn reading_rank<'a>(
    index: &HashMap<SkillId, usize>,
    slugs: &[&Slug],
    roadmaps: impl Iterator<Item = &'a Roadmap>,
) -> Vec<u32> {
    let mut first_place = vec![(usize::MAX, usize::MAX); slugs.len()];
    for (roadmap_position, roadmap) in roadmaps.enumerate() {
        for (item_position, item) in roadmap.items().enumerate() {
            if let Some(&at) = index.get(&item.skill) {
                first_place[at] = first_place[at].min((roadmap_position, item_position));
            }
        }
    }
    let mut by_rank: Vec<usize> = (0..slugs.len()).collect();
    by_rank.sort_by(|&a, &b| {
        first_place[a]
            .cmp(&first_place[b])
            .then_with(|| slugs[a].cmp(slugs[b]))
    });
    let mut rank = vec![0; slugs.len()];
    for (position_in_rank, &at) in by_rank.iter().enumerate() {
        rank[at] = position_in_rank as u32;
    }
    rank
}

/// Positions of things by storage id and by slug.
type Indexes<I> = (HashMap<I, usize>, HashMap<Slug, usize>);

/// Resolves a slug to a skill id, naming the referrer when it does not resolve.
type SkillResolver<'r> = dyn Fn(&Slug, &dyn Fn() -> String) -> Result<SkillId, CatalogError> + 'r;

/// Indexes things by id and by slug, refusing duplicates of either.
fn index<T, I: std::hash::Hash + Eq + Copy>(
    kind: &'static str,
    items: &[T],
    id: impl Fn(&T) -> I,
    raw: impl Fn(I) -> i64,
    slug: impl Fn(&T) -> &Slug,
) -> Result<Indexes<I>, CatalogError> {
    let mut by_id = HashMap::with_capacity(items.len());
    let mut by_slug = HashMap::with_capacity(items.len());
    for (position, item) in items.iter().enumerate() {
        if by_id.insert(id(item), position).is_some() {
            return Err(CatalogError::DuplicateId {
                kind,
                id: raw(id(item)),
            });
        }
        if by_slug.insert(slug(item).clone(), position).is_some() {
            return Err(CatalogError::DuplicateSlug {
                kind,
                slug: slug(item).clone(),
            });
        }
    }
    Ok((by_id, by_slug))
}

impl Catalog {
    /// An empty catalog: what a fresh database holds.
    pub fn empty() -> Self {
        Self::build(CatalogParts::default())
            .unwrap_or_else(|_| unreachable!("empty parts are consistent"))
    }

    /// Checks the parts as a whole and indexes them.
    pub fn build(parts: CatalogParts) -> Result<Self, CatalogError> {
        let CatalogParts {
            mut skills,
            mut prerequisites,
            related,
            resources,
            mut roadmaps,
            mut authors,
            mut guides,
        } = parts;
        skills.sort_by_key(|s| s.id);
        roadmaps.sort_by_key(|r| r.id);
        authors.sort_by_key(|a| a.id);
        guides.sort_by_key(|g| g.id);

        check_lists(&skills, &authors, &guides)?;
        let (skill_index, skill_by_slug) = index("skill", &skills, |s| s.id, |i| i.0, |s| &s.slug)?;
        let (roadmap_index, roadmap_by_slug) =
            index("roadmap", &roadmaps, |r| r.id, |i| i.0, |r| &r.slug)?;
        let (guide_index, guide_by_slug) = index("guide", &guides, |g| g.id, |i| i.0, |g| &g.slug)?;
        let (author_index, author_by_handle) =
            index("author", &authors, |a| a.id, |i| i.0, |a| &a.handle)?;

        let slug_of = |id: SkillId| -> Slug { skills[skill_index[&id]].slug.clone() };
        let skill_at = |id: SkillId, from: &dyn Fn() -> String| -> Result<usize, CatalogError> {
            skill_index
                .get(&id)
                .copied()
                .ok_or_else(|| CatalogError::UnknownReference {
                    from: from(),
                    kind: "skill",
                    missing: id.to_string(),
                })
        };

        let mut entries: Vec<SkillEntry> = skills.iter().cloned().map(SkillEntry::new).collect();

        // Hierarchy: parents exist and form a tree.
        for skill in &skills {
            if let Some(parent) = skill.parent {
                let from = || format!("skill `{}` (parent)", skill.slug);
                let parent_position = skill_at(parent, &from)?;
                entries[parent_position].children.push(skill.id);
            }
        }
        for start in 0..skills.len() {
            let mut seen = vec![start];
            let mut current = start;
            while let Some(parent) = skills[current].parent {
                current = skill_index[&parent];
                if let Some(at) = seen.iter().position(|&p| p == current) {
                    let mut cycle: Vec<Slug> =
                        seen[at..].iter().map(|&p| skills[p].slug.clone()).collect();
                    cycle.push(skills[current].slug.clone());
                    return Err(CatalogError::ParentCycle(cycle));
                }
                if current < start {
                    // Already walked from a lower start without finding a cycle.
                    break;
                }
                seen.push(current);
            }
        }

        // Prerequisites: known skills, no self edges, no duplicates, no cycles.
        // Dependent by dependent in id order, each one's as listed (a stable
        // sort: the store's rows come so already), as `Dense::of` adds them.
        prerequisites.sort_by_key(|edge| skill_index.get(&edge.skill).copied());
        let mut graph = DiGraph::with_capacity(skills.len(), prerequisites.len());
        for skill in &skills {
            graph.add_node(skill.id);
        }
        let mut pairs = HashSet::with_capacity(prerequisites.len());
        for edge in &prerequisites {
            let from = || format!("a prerequisite of skill {}", edge.skill);
            let dependent = skill_at(edge.skill, &from)?;
            let from = || format!("skill `{}` (prerequisite)", skills[dependent].slug);
            let required = skill_at(edge.requires, &from)?;
            if dependent == required {
                return Err(CatalogError::SelfPrerequisite(slug_of(edge.skill)));
            }
            if !pairs.insert((dependent, required)) {
                return Err(CatalogError::DuplicatePrerequisite {
                    skill: slug_of(edge.skill),
                    requires: slug_of(edge.requires),
                });
            }
            // Edges point from the prerequisite to what it unlocks: learning order.
            graph.add_edge(
                NodeIndex::new(required),
                NodeIndex::new(dependent),
                edge.strength,
            );
            entries[dependent].prerequisites.push(*edge);
            entries[required].dependents.push(*edge);
        }
        if let Some(cycle) = find_cycle(&graph) {
            return Err(CatalogError::PrerequisiteCycle(
                cycle
                    .into_iter()
                    .map(|n| skills[n.index()].slug.clone())
                    .collect(),
            ));
        }

        // Related links are symmetric; repeated pairs collapse into one.
        let mut related_pairs = HashSet::with_capacity(related.len());
        for &(a, b) in &related {
            let from = || format!("a related link of skill {a}");
            let left = skill_at(a, &from)?;
            let from = || format!("skill `{}` (related)", skills[left].slug);
            let right = skill_at(b, &from)?;
            if left == right {
                return Err(CatalogError::SelfRelated {
                    kind: "skill",
                    slug: slug_of(a),
                });
            }
            if related_pairs.insert((left.min(right), left.max(right))) {
                entries[left].related.push(b);
                entries[right].related.push(a);
            }
        }

        // A set has no order of its own: keep links in id order, whatever the input order.
        for entry in &mut entries {
            entry.related.sort();
        }

        let mut resource_owner = imbl::HashMap::new();
        for resource in resources {
            let from = || format!("resource `{}`", resource.title);
            let owner = skill_at(resource.skill, &from)?;
            if resource_owner.insert(resource.id, resource.skill).is_some() {
                return Err(CatalogError::DuplicateId {
                    kind: "resource",
                    id: resource.id.0,
                });
            }
            entries[owner].resources.push(resource);
        }

        for guide in &guides {
            if let Some(author) = guide.author
                && !author_index.contains_key(&author)
            {
                return Err(CatalogError::UnknownReference {
                    from: format!("guide `{}`", guide.slug),
                    kind: "author",
                    missing: author.to_string(),
                });
            }
            for related in &guide.related {
                if !guide_index.contains_key(related) {
                    return Err(CatalogError::UnknownReference {
                        from: format!("guide `{}` (related)", guide.slug),
                        kind: "guide",
                        missing: related.to_string(),
                    });
                }
                if *related == guide.id {
                    return Err(CatalogError::SelfRelated {
                        kind: "guide",
                        slug: guide.slug.clone(),
                    });
                }
            }
            for &skill in &guide.skills {
                let from = || format!("guide `{}`", guide.slug);
                let position = skill_at(skill, &from)?;
                if !entries[position].guides.contains(&guide.id) {
                    entries[position].guides.push(guide.id);
                }
            }
        }

        let mut roadmap_entries = Vec::with_capacity(roadmaps.len());
        let mut item_ids = HashSet::new();
        let mut section_ids = HashSet::new();
        for roadmap in roadmaps {
            for related in &roadmap.related {
                if !roadmap_index.contains_key(related) {
                    return Err(CatalogError::UnknownReference {
                        from: format!("roadmap `{}` (related)", roadmap.slug),
                        kind: "roadmap",
                        missing: related.to_string(),
                    });
                }
                if *related == roadmap.id {
                    return Err(CatalogError::SelfRelated {
                        kind: "roadmap",
                        slug: roadmap.slug.clone(),
                    });
                }
            }
            for section in &roadmap.sections {
                if !section_ids.insert(section.id) {
                    return Err(CatalogError::DuplicateId {
                        kind: "section",
                        id: section.id.0,
                    });
                }
            }
            let mut on_roadmap = HashSet::new();
            // Guides ranked by how many of this roadmap's skills they cover.
            let mut coverage: HashMap<GuideId, usize> = HashMap::new();
            for item in roadmap.items() {
                if !item_ids.insert(item.id) {
                    return Err(CatalogError::DuplicateId {
                        kind: "roadmap item",
                        id: item.id.0,
                    });
                }
                let from = || format!("roadmap `{}`", roadmap.slug);
                let position = skill_at(item.skill, &from)?;
                if !on_roadmap.insert(item.skill) {
                    return Err(CatalogError::SkillTwiceOnRoadmap {
                        roadmap: roadmap.slug.clone(),
                        skill: slug_of(item.skill),
                    });
                }
                entries[position].roadmaps.push(roadmap.id);
                for guide in &entries[position].guides {
                    *coverage.entry(*guide).or_default() += 1;
                }
            }
            let mut ranked: Vec<(GuideId, usize)> = coverage.into_iter().collect();
            ranked.sort_by(|(a, count_a), (b, count_b)| {
                count_b.cmp(count_a).then_with(|| {
                    guides[guide_index[a]]
                        .slug
                        .cmp(&guides[guide_index[b]].slug)
                })
            });
            roadmap_entries.push(RoadmapEntry {
                roadmap,
                guides: ranked.into_iter().map(|(id, _)| id).collect(),
            });
        }

        // Reading order: a skill's first place on the roadmaps in id order, then its slug.
        let slugs: Vec<&Slug> = entries.iter().map(|e| &e.skill.slug).collect();
        let rank = reading_rank(
            &skill_index,
            &slugs,
            roadmap_entries.iter().map(|e| &e.roadmap),
        );
        let edge_count = graph.edge_count();

        let skill_by_slug = skill_by_slug
            .into_iter()
            .map(|(slug, position)| (slug, skills[position].id))
            .collect();
        let roadmap_by_slug = roadmap_by_slug
            .into_iter()
            .map(|(slug, position)| (slug, roadmap_entries[position].roadmap.id))
            .collect();
        let guide_by_slug = guide_by_slug
            .into_iter()
            .map(|(slug, position)| (slug, guides[position].id))
            .collect();
        let author_by_handle = author_by_handle
            .into_iter()
            .map(|(slug, position)| (slug, authors[position].id))
            .collect();
        Ok(Self {
            skills: entries
                .into_iter()
                .map(|e| (e.skill.id, Arc::new(e)))
                .collect(),
            skill_by_slug,
            roadmaps: roadmap_entries
                .into_iter()
                .map(|e| (e.roadmap.id, Arc::new(e)))
                .collect(),
            roadmap_by_slug,
            guides: guides.into_iter().map(|g| (g.id, Arc::new(g))).collect(),
            guide_by_slug,
            authors: authors.into_iter().map(|a| (a.id, Arc::new(a))).collect(),
            author_by_handle,
            resource_owner,
            edge_count,
            dense: derived(Dense {
                index: skill_index,
                graph,
            }),
            rank: derived(rank),
        })
    }

    /// Builds a catalog from a bundle, numbering everything from 1 in bundle order.
    ///
    /// This is also the full check of a bundle: a bundle that builds is one
    /// the store can import.
    pub fn from_bundle(bundle: &Bundle) -> Result<Self, CatalogError> {
        Self::build(parts_from_bundle(bundle)?)
    }

    /// Every skill, in id order.
    pub fn skills(&self) -> impl ExactSizeIterator<Item = &Skill> {
        self.skills.values().map(|e| &e.skill)
    }

    /// The skill with this id.
    pub fn skill(&self, id: SkillId) -> Option<&Skill> {
        self.skill_entry(id).map(|e| &e.skill)
    }

    /// The skill with this slug.
    pub fn skill_by_slug(&self, slug: &str) -> Option<&Skill> {
        self.skill_by_slug.get(slug).and_then(|&id| self.skill(id))
    }

    /// The skill at a position of the prerequisite graph.
    pub(crate) fn skill_at(&self, position: usize) -> &Skill {
        &self.skills[&self.dense().graph[NodeIndex::new(position)]].skill
    }

    fn skill_entry(&self, id: SkillId) -> Option<&SkillEntry> {
        self.skills.get(&id).map(|e| &**e)
    }

    /// The dense numbering of the skills and the prerequisite graph over it,
    /// built on first use after a change to the skills or their edges.
    pub(crate) fn dense(&self) -> &Dense {
        self.dense
            .get_or_init(|| Dense::of(&self.skills, self.edge_count))
    }

    /// Per skill position (see [`Catalog::dense`]): its place in the
    /// catalog's reading order, built on first use after a change to it.
    pub(crate) fn rank(&self) -> &[u32] {
        self.rank.get_or_init(|| {
            let slugs: Vec<&Slug> = self.skills.values().map(|e| &e.skill.slug).collect();
            reading_rank(&self.dense().index, &slugs, self.roadmaps())
        })
    }

    /// The direct prerequisites of a skill, in the order given.
    pub fn prerequisites(&self, id: SkillId) -> &[Prerequisite] {
        self.skill_entry(id).map_or(&[], |e| &e.prerequisites)
    }

    /// The skills that list this one as a direct prerequisite.
    pub fn dependents(&self, id: SkillId) -> &[Prerequisite] {
        self.skill_entry(id).map_or(&[], |e| &e.dependents)
    }

    /// The direct subtopics of a skill.
    pub fn children(&self, id: SkillId) -> &[SkillId] {
        self.skill_entry(id).map_or(&[], |e| &e.children)
    }

    /// The skills linked to this one as "see also".
    pub fn related(&self, id: SkillId) -> &[SkillId] {
        self.skill_entry(id).map_or(&[], |e| &e.related)
    }

    /// The resources of a skill, best first.
    pub fn resources(&self, id: SkillId) -> &[Resource] {
        self.skill_entry(id).map_or(&[], |e| &e.resources)
    }

    /// The guides that cover a skill.
    pub fn guides_covering(&self, id: SkillId) -> &[GuideId] {
        self.skill_entry(id).map_or(&[], |e| &e.guides)
    }

    /// The roadmaps a skill is on.
    pub fn roadmaps_with(&self, id: SkillId) -> &[RoadmapId] {
        self.skill_entry(id).map_or(&[], |e| &e.roadmaps)
    }

    /// The resource with this id.
    pub fn resource(&self, id: ResourceId) -> Option<&Resource> {
        let owner = self.skill_entry(*self.resource_owner.get(&id)?)?;
        owner.resources.iter().find(|r| r.id == id)
    }

    /// Every roadmap, in id order.
    pub fn roadmaps(&self) -> impl ExactSizeIterator<Item = &Roadmap> {
        self.roadmaps.values().map(|e| &e.roadmap)
    }

    /// The roadmap with this id.
    pub fn roadmap(&self, id: RoadmapId) -> Option<&Roadmap> {
        self.roadmaps.get(&id).map(|e| &e.roadmap)
    }

    /// The roadmap with this slug.
    pub fn roadmap_by_slug(&self, slug: &str) -> Option<&Roadmap> {
        self.roadmap_by_slug
            .get(slug)
            .and_then(|&id| self.roadmap(id))
    }

    /// Guides that cover skills of a roadmap, those covering most of it first.
    pub fn guides_for_roadmap(&self, id: RoadmapId) -> &[GuideId] {
        self.roadmaps.get(&id).map_or(&[], |e| &e.guides)
    }

    /// Every guide, in id order.
    pub fn guides(&self) -> impl ExactSizeIterator<Item = &Guide> {
        self.guides.values().map(|g| &**g)
    }

    /// The guide with this id.
    pub fn guide(&self, id: GuideId) -> Option<&Guide> {
        self.guides.get(&id).map(|g| &**g)
    }

    /// The guide with this slug.
    pub fn guide_by_slug(&self, slug: &str) -> Option<&Guide> {
        self.guide_by_slug.get(slug).and_then(|&id| self.guide(id))
    }

    /// Every author, in id order.
    pub fn authors(&self) -> impl ExactSizeIterator<Item = &Author> {
        self.authors.values().map(|a| &**a)
    }

    /// The author with this id.
    pub fn author(&self, id: AuthorId) -> Option<&Author> {
        self.authors.get(&id).map(|a| &**a)
    }

    /// The author with this handle.
    pub fn author_by_handle(&self, handle: &str) -> Option<&Author> {
        self.author_by_handle
            .get(handle)
            .and_then(|&id| self.author(id))
    }

    /// The number of prerequisite edges.
    pub fn prerequisite_count(&self) -> usize {
        self.edge_count
    }

    /// The slugs of skills that differ between `self` (older) and `newer`:
    /// added, removed, or changed in their fields, prerequisites,
    /// dependents, parent, children, related links or resources. Sorted.
    pub fn changed_skills(&self, newer: &Catalog) -> Vec<Slug> {
        let mut changed = std::collections::BTreeSet::new();
        // The maps share every entry a change did not touch: the diff skips
        // shared subtrees, so this costs the change, not the catalog.
        for item in self.skills.diff(&newer.skills) {
            match item {
                DiffItem::Add(_, entry) | DiffItem::Remove(_, entry) => {
                    changed.insert(entry.skill.slug.clone());
                }
                DiffItem::Update {
                    old: (_, old),
                    new: (_, new),
                } => {
                    let same = new.skill == old.skill
                        && new.prerequisites == old.prerequisites
                        && new.dependents == old.dependents
                        && new.children == old.children
                        && new.related == old.related
                        && new.resources == old.resources;
                    if !same {
                        changed.insert(old.skill.slug.clone());
                        changed.insert(new.skill.slug.clone());
                    }
                }
            }
        }
        changed.into_iter().collect()
    }

    /// The skills of `newer` that differ from this catalog's in anything a
    /// read can see of them (their lists of guides and roadmaps included):
    /// added or changed, never removed ones. Costs the change, not the
    /// catalog, when `newer` was applied from this one.
    pub fn skills_differing(&self, newer: &Catalog) -> Vec<SkillId> {
        self.skills
            .diff(&newer.skills)
            .filter_map(|item| match item {
                DiffItem::Add(id, _) | DiffItem::Update { new: (id, _), .. } => Some(*id),
                DiffItem::Remove(..) => None,
            })
            .collect()
    }

    /// The catalog as the rows a store holds, in the store's read order
    /// (ids included): two catalogs with equal parts answer every read
    /// alike, which is how a catalog that applied changes is checked against
    /// one read from the database.
    pub fn to_parts(&self) -> CatalogParts {
        let mut parts = CatalogParts::default();
        for e in self.skills.values() {
            parts.skills.push(e.skill.clone());
            parts.prerequisites.extend_from_slice(&e.prerequisites);
            for &other in &e.related {
                if other > e.skill.id {
                    parts.related.push((e.skill.id, other));
                }
            }
            parts.resources.extend_from_slice(&e.resources);
        }
        parts.roadmaps = self.roadmaps().cloned().collect();
        parts.authors = self.authors().cloned().collect();
        parts.guides = self.guides().cloned().collect();
        parts
    }

    /// The whole catalog as a bundle that refers to things by slug; building
    /// a catalog from it gives the same graph again.
    pub fn to_bundle(&self) -> Bundle {
        let skill_slug = |id: SkillId| self.skills[&id].skill.slug.clone();
        let mut related_listed = HashSet::new();
        let skills = self
            .skills
            .values()
            .map(|e| {
                let s = &e.skill;
                BundleSkill {
                    slug: s.slug.clone(),
                    name: s.name.clone(),
                    summary: s.summary.clone(),
                    description: s.description.clone(),
                    level: s.level,
                    tags: s.tags.clone(),
                    aliases: s.aliases.clone(),
                    external_ids: s.external_ids.clone(),
                    parent: s.parent.map(skill_slug),
                    prerequisites: e
                        .prerequisites
                        .iter()
                        .map(|p| BundlePrerequisite {
                            skill: skill_slug(p.requires),
                            strength: p.strength,
                        })
                        .collect(),
                    related: e
                        .related
                        .iter()
                        .filter(|&&other| related_listed.insert((s.id.min(other), s.id.max(other))))
                        .map(|&other| skill_slug(other))
                        .collect(),
                    resources: e
                        .resources
                        .iter()
                        .map(|r| BundleResource {
                            kind: r.kind,
                            title: r.title.clone(),
                            url: r.url.clone(),
                        })
                        .collect(),
                }
            })
            .collect();
        fn item(catalog: &Catalog, node: &RoadmapItem) -> BundleItem {
            BundleItem {
                skill: catalog.skills[&node.skill].skill.slug.clone(),
                recommendation: node.recommendation,
                children: node.children.iter().map(|c| item(catalog, c)).collect(),
            }
        }
        let roadmaps = self
            .roadmaps()
            .map(|r| BundleRoadmap {
                slug: r.slug.clone(),
                title: r.title.clone(),
                description: r.description.clone(),
                related: r
                    .related
                    .iter()
                    .filter_map(|id| self.roadmap(*id).map(|o| o.slug.clone()))
                    .collect(),
                sections: r
                    .sections
                    .iter()
                    .map(|s| BundleSection {
                        title: s.title.clone(),
                        description: s.description.clone(),
                        items: s.items.iter().map(|i| item(self, i)).collect(),
                    })
                    .collect(),
            })
            .collect();
        let authors = self
            .authors()
            .map(|a| BundleAuthor {
                id: a.handle.clone(),
                name: a.name.clone(),
                links: a.links.clone(),
            })
            .collect();
        let guides = self
            .guides()
            .map(|g| BundleGuide {
                slug: g.slug.clone(),
                title: g.title.clone(),
                description: g.description.clone(),
                url: g.url.clone(),
                author: g
                    .author
                    .and_then(|a| self.author(a).map(|a| a.handle.clone())),
                published: g.published,
                tags: g.tags.clone(),
                body: g.body.clone(),
                related: g
                    .related
                    .iter()
                    .filter_map(|id| self.guide(*id).map(|o| o.slug.clone()))
                    .collect(),
                skills: g.skills.iter().map(|&id| skill_slug(id)).collect(),
            })
            .collect();
        Bundle {
            format: BundleFormat,
            skills,
            roadmaps,
            authors,
            guides,
        }
    }
}

/// Finds one cycle in a directed graph, as the nodes along it with the first
/// repeated at the end, or `None` when the graph is acyclic.
fn find_cycle<N, E>(graph: &DiGraph<N, E>) -> Option<Vec<NodeIndex>> {
    let stuck = petgraph::algo::toposort(graph, None).err()?.node_id();
    // `stuck` lies on a cycle or downstream of one; the strongly connected
    // component holding a cycle gives us nodes that certainly lie on one.
    let component = petgraph::algo::tarjan_scc(graph)
        .into_iter()
        .find(|c| c.len() > 1 || graph.contains_edge(c[0], c[0]))
        .unwrap_or_else(|| vec![stuck]);
    let start = component[0];
    let members: HashSet<NodeIndex> = component.iter().copied().collect();
    let next = graph
        .neighbors(start)
        .find(|n| members.contains(n))
        .unwrap_or(start);
    let (_, mut path) = petgraph::algo::astar(graph, next, |n| n == start, |_| 1, |_| 0)?;
    path.insert(0, start);
    Some(path)
}

/// Numbers a bundle's things from 1 in order and resolves its slugs.
fn parts_from_bundle(bundle: &Bundle) -> Result<CatalogParts, CatalogError> {
    fn ids<T>(
        kind: &'static str,
        items: &[T],
        slug: impl Fn(&T) -> &Slug,
    ) -> Result<HashMap<Slug, i64>, CatalogError> {
        let mut map = HashMap::with_capacity(items.len());
        for (n, item) in items.iter().enumerate() {
            if map.insert(slug(item).clone(), n as i64 + 1).is_some() {
                return Err(CatalogError::DuplicateSlug {
                    kind,
                    slug: slug(item).clone(),
                });
            }
        }
        Ok(map)
    }
    fn lookup(
        map: &HashMap<Slug, i64>,
        kind: &'static str,
        slug: &Slug,
        from: impl FnOnce() -> String,
    ) -> Result<i64, CatalogError> {
        map.get(slug)
            .copied()
            .ok_or_else(|| CatalogError::UnknownReference {
                from: from(),
                kind,
                missing: slug.to_string(),
            })
    }

    let skill_ids = ids("skill", &bundle.skills, |s| &s.slug)?;
    let roadmap_ids = ids("roadmap", &bundle.roadmaps, |r| &r.slug)?;
    let author_ids = ids("author", &bundle.authors, |a| &a.id)?;
    let guide_ids = ids("guide", &bundle.guides, |g| &g.slug)?;
    let skill = |slug: &Slug, from: &dyn Fn() -> String| {
        lookup(&skill_ids, "skill", slug, from).map(SkillId)
    };

    let mut parts = CatalogParts::default();
    for (n, s) in bundle.skills.iter().enumerate() {
        let id = SkillId(n as i64 + 1);
        let parent = match &s.parent {
            Some(p) => Some(skill(p, &|| format!("skill `{}` (parent)", s.slug))?),
            None => None,
        };
        parts.skills.push(Skill {
            id,
            slug: s.slug.clone(),
            name: s.name.clone(),
            summary: s.summary.clone(),
            description: s.description.clone(),
            level: s.level,
            tags: s.tags.clone(),
            aliases: s.aliases.clone(),
            external_ids: s.external_ids.clone(),
            parent,
        });
        for p in &s.prerequisites {
            parts.prerequisites.push(Prerequisite {
                skill: id,
                requires: skill(&p.skill, &|| format!("skill `{}` (prerequisite)", s.slug))?,
                strength: p.strength,
            });
        }
        for r in &s.related {
            parts
                .related
                .push((id, skill(r, &|| format!("skill `{}` (related)", s.slug))?));
        }
        for r in &s.resources {
            parts.resources.push(Resource {
                id: ResourceId(parts.resources.len() as i64 + 1),
                skill: id,
                kind: r.kind,
                title: r.title.clone(),
                url: r.url.clone(),
            });
        }
    }

    let mut next_section = 0;
    let mut next_item = 0;
    fn item(
        i: &BundleItem,
        roadmap: &Slug,
        next_item: &mut i64,
        skill: &SkillResolver<'_>,
    ) -> Result<RoadmapItem, CatalogError> {
        *next_item += 1;
        let id = ItemId(*next_item);
        Ok(RoadmapItem {
            id,
            skill: skill(&i.skill, &|| format!("roadmap `{roadmap}`"))?,
            recommendation: i.recommendation,
            children: i
                .children
                .iter()
                .map(|c| item(c, roadmap, next_item, skill))
                .collect::<Result<_, _>>()?,
        })
    }
    for (n, r) in bundle.roadmaps.iter().enumerate() {
        let mut sections = Vec::with_capacity(r.sections.len());
        for s in &r.sections {
            next_section += 1;
            sections.push(Section {
                id: SectionId(next_section),
                title: s.title.clone(),
                description: s.description.clone(),
                items: s
                    .items
                    .iter()
                    .map(|i| item(i, &r.slug, &mut next_item, &skill))
                    .collect::<Result<_, _>>()?,
            });
        }
        parts.roadmaps.push(Roadmap {
            id: RoadmapId(n as i64 + 1),
            slug: r.slug.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            sections,
            related: r
                .related
                .iter()
                .map(|o| {
                    lookup(&roadmap_ids, "roadmap", o, || {
                        format!("roadmap `{}` (related)", r.slug)
                    })
                    .map(RoadmapId)
                })
                .collect::<Result<_, _>>()?,
        });
    }

    for (n, a) in bundle.authors.iter().enumerate() {
        parts.authors.push(Author {
            id: AuthorId(n as i64 + 1),
            handle: a.id.clone(),
            name: a.name.clone(),
            links: a.links.clone(),
        });
    }
    for (n, g) in bundle.guides.iter().enumerate() {
        let from = || format!("guide `{}`", g.slug);
        parts.guides.push(Guide {
            id: GuideId(n as i64 + 1),
            slug: g.slug.clone(),
            title: g.title.clone(),
            description: g.description.clone(),
            url: g.url.clone(),
            author: match &g.author {
                Some(a) => Some(AuthorId(lookup(&author_ids, "author", a, from)?)),
                None => None,
            },
            published: g.published,
            tags: g.tags.clone(),
            body: g.body.clone(),
            related: g
                .related
                .iter()
                .map(|o| lookup(&guide_ids, "guide", o, from).map(GuideId))
                .collect::<Result<_, _>>()?,
            skills: g
                .skills
                .iter()
                .map(|s| skill(s, &from))
                .collect::<Result<_, _>>()?,
        });
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::{Level, Markdown, Summary, Title};

    fn skill(slug: &str) -> BundleSkill {
        BundleSkill {
            slug: Slug::parse(slug).unwrap(),
            name: Title::parse(slug).unwrap(),
            summary: Summary::parse("a skill").unwrap(),
            description: Markdown::parse("").unwrap(),
            level: Level::Beginner,
            tags: vec![],
            aliases: vec![],
            external_ids: vec![],
            parent: None,
            prerequisites: vec![],
            related: vec![],
            resources: vec![],
        }
    }

    fn needs(mut s: BundleSkill, requires: &[&str]) -> BundleSkill {
        s.prerequisites = requires
            .iter()
            .map(|r| BundlePrerequisite {
                skill: Slug::parse(*r).unwrap(),
                strength: Strength::Required,
            })
            .collect();
        s
    }

    fn bundle(skills: Vec<BundleSkill>) -> Bundle {
        Bundle {
            skills,
            ..Bundle::default()
        }
    }

    #[test]
    fn reverse_edges_are_indexed() {
        let catalog = Catalog::from_bundle(&bundle(vec![
            skill("a"),
            needs(skill("b"), &["a"]),
            needs(skill("c"), &["a", "b"]),
        ]))
        .unwrap();
        let a = catalog.skill_by_slug("a").unwrap().id;
        let dependents: Vec<_> = catalog
            .dependents(a)
            .iter()
            .map(|p| catalog.skill(p.skill).unwrap().slug.to_string())
            .collect();
        assert_eq!(dependents, ["b", "c"]);
        assert_eq!(catalog.prerequisite_count(), 3);
    }

    #[test]
    fn a_prerequisite_cycle_is_refused_and_named() {
        let err = Catalog::from_bundle(&bundle(vec![
            needs(skill("a"), &["c"]),
            needs(skill("b"), &["a"]),
            needs(skill("c"), &["b"]),
            needs(skill("d"), &["a"]),
        ]))
        .unwrap_err();
        let CatalogError::PrerequisiteCycle(cycle) = err else {
            panic!("expected a cycle, got {err:?}")
        };
        assert_eq!(cycle.len(), 4, "{cycle:?}");
        assert_eq!(cycle.first(), cycle.last());
        let mut members: Vec<_> = cycle[..3].iter().map(Slug::to_string).collect();
        members.sort();
        assert_eq!(members, ["a", "b", "c"]);
    }

    #[test]
    fn a_parent_cycle_is_refused() {
        let mut a = skill("a");
        a.parent = Some(Slug::parse("b").unwrap());
        let mut b = skill("b");
        b.parent = Some(Slug::parse("a").unwrap());
        assert!(matches!(
            Catalog::from_bundle(&bundle(vec![a, b])),
            Err(CatalogError::ParentCycle(_))
        ));
    }

    #[test]
    fn a_list_beyond_its_limit_is_refused() {
        let mut a = skill("a");
        a.tags = (0..=MAX_TAGS)
            .map(|i| Slug::parse(format!("t{i}")).unwrap())
            .collect();
        let err = Catalog::from_bundle(&bundle(vec![a.clone()])).unwrap_err();
        assert_eq!(
            err,
            CatalogError::TooMany {
                kind: "skill",
                slug: a.slug.clone(),
                list: "tags",
                len: MAX_TAGS + 1,
                max: MAX_TAGS
            }
        );
        a.tags.pop();
        assert!(Catalog::from_bundle(&bundle(vec![a])).is_ok());
    }

    #[test]
    fn unknown_references_and_duplicates_are_refused() {
        assert!(matches!(
            Catalog::from_bundle(&bundle(vec![needs(skill("a"), &["nope"])])),
            Err(CatalogError::UnknownReference { kind: "skill", .. })
        ));
        assert!(matches!(
            Catalog::from_bundle(&bundle(vec![skill("a"), skill("a")])),
            Err(CatalogError::DuplicateSlug { kind: "skill", .. })
        ));
        assert!(matches!(
            Catalog::from_bundle(&bundle(vec![needs(skill("a"), &["a"])])),
            Err(CatalogError::SelfPrerequisite(_))
        ));
    }
}
