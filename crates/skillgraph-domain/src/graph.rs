//! Graph answers over the catalog's prerequisite DAG: everything needed
//! before a skill, everything it unlocks, a learning path to several targets,
//! the shortest chain between two skills, a roadmap's learning order, and
//! the checks a write runs before it may add an edge.
//!
//! Traversals use petgraph's walkers and searches over filtered, reversed
//! views of the one graph the catalog holds. The one algorithm written here
//! is the ordering: Kahn's algorithm with a priority queue, because the
//! answer must be the *same* order every time, with ties broken by the
//! catalog's reading order, and petgraph's `toposort` leaves ties to its
//! depth-first walk.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use petgraph::graph::{EdgeReference, NodeIndex};
use petgraph::visit::{Bfs, EdgeFiltered, EdgeRef, Reversed, Walker};
use petgraph::{Direction, algo};

use crate::catalog::Catalog;
use crate::model::SkillId;
use crate::values::{Slug, Strength};

/// Which prerequisite edges a traversal follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EdgeFilter {
    /// Every edge, required and recommended.
    #[default]
    All,
    /// Only edges of one strength.
    Only(Strength),
}

impl EdgeFilter {
    fn admits(self, strength: Strength) -> bool {
        match self {
            Self::All => true,
            Self::Only(wanted) => strength == wanted,
        }
    }
}

/// A skill reached by a transitive traversal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reached {
    /// The skill reached.
    pub skill: SkillId,
    /// The fewest prerequisite edges between the start and this skill (1 for a direct edge).
    pub distance: u32,
    /// Required when some path to it uses only required edges, else recommended.
    pub strength: Strength,
}

/// Which way a transitive traversal goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Towards {
    /// To the skills needed first (prerequisites of prerequisites...).
    Prerequisites,
    /// To the skills unlocked (dependents of dependents...).
    Dependents,
}

/// One step of a learning path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStep {
    /// The skill to learn at this step.
    pub skill: SkillId,
    /// The targets that need it (a target needs itself), in the order the targets were given.
    pub needed_by: Vec<SkillId>,
}

/// Why a learning path cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// More targets than one question may name.
    #[error("a learning path may have at most {max} targets; got {given}")]
    TooManyTargets {
        /// The limit.
        max: usize,
        /// How many were given.
        given: usize,
    },
}

/// A proposed change that would close a cycle; the slugs go round it, each a
/// prerequisite (or, for the hierarchy, the parent) of the next, the first
/// repeated at the end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this would close a cycle: {}", .0.iter().map(Slug::as_str).collect::<Vec<_>>().join(" -> "))]
pub struct WouldCycle(pub Vec<Slug>);

/// The most targets one learning-path question may name.
pub const MAX_TARGETS: usize = 64;

impl Catalog {
    fn node(&self, id: SkillId) -> Option<NodeIndex> {
        self.dense().index.get(&id).map(|&p| NodeIndex::new(p))
    }

    fn id_of(&self, node: NodeIndex) -> SkillId {
        self.dense().graph[node]
    }

    /// Every skill reachable from `start` over edges admitted by `filter`,
    /// with its distance, nearest first; at most `max_depth` edges away when given.
    pub fn transitive(
        &self,
        start: SkillId,
        towards: Towards,
        filter: EdgeFilter,
        max_depth: Option<u32>,
    ) -> Vec<Reached> {
        let Some(start) = self.node(start) else {
            return Vec::new();
        };
        let distances = self.distances(start, towards, filter);
        let required = if filter == EdgeFilter::Only(Strength::Recommended) {
            Vec::new()
        } else {
            self.distances(start, towards, EdgeFilter::Only(Strength::Required))
        };
        let mut reached: Vec<Reached> = distances
            .iter()
            .enumerate()
            .filter(|&(node, &d)| d != u32::MAX && node != start.index())
            .filter(|&(_, &d)| max_depth.is_none_or(|max| d <= max))
            .map(|(node, &distance)| Reached {
                skill: self.id_of(NodeIndex::new(node)),
                distance,
                strength: if required.get(node).is_some_and(|&r| r != u32::MAX) {
                    Strength::Required
                } else {
                    Strength::Recommended
                },
            })
            .collect();
        let (index, rank) = (&self.dense().index, self.rank());
        reached.sort_by_key(|r| (r.distance, index.get(&r.skill).map(|&p| rank[p])));
        reached
    }

    /// Breadth-first distances from `start`, `u32::MAX` where unreachable.
    fn distances(&self, start: NodeIndex, towards: Towards, filter: EdgeFilter) -> Vec<u32> {
        let admitted = |e: EdgeReference<'_, Strength>| filter.admits(*e.weight());
        let graph = EdgeFiltered::from_fn(&self.dense().graph, admitted);
        let mut distance = vec![u32::MAX; self.dense().graph.node_count()];
        distance[start.index()] = 0;
        // Nodes leave a breadth-first walk in order of distance, so the first
        // visited node that reaches a neighbour lies on a shortest path to it.
        let mut visit = |node: NodeIndex, neighbours: &mut dyn Iterator<Item = NodeIndex>| {
            let next = distance[node.index()] + 1;
            for n in neighbours {
                if distance[n.index()] == u32::MAX {
                    distance[n.index()] = next;
                }
            }
        };
        match towards {
            Towards::Prerequisites => {
                let reversed = Reversed(&graph);
                for node in Bfs::new(reversed, start).iter(reversed) {
                    visit(
                        node,
                        &mut petgraph::visit::IntoNeighbors::neighbors(reversed, node),
                    );
                }
            }
            Towards::Dependents => {
                for node in Bfs::new(&graph, start).iter(&graph) {
                    visit(
                        node,
                        &mut petgraph::visit::IntoNeighbors::neighbors(&graph, node),
                    );
                }
            }
        }
        distance
    }

    /// The skills still to learn to reach every target, each after all of its
    /// prerequisites; ties follow the catalog's reading order.
    ///
    /// Known skills, and whatever only they need, are left out: the walk back
    /// from the targets stops at a known skill. A known target is left out too.
    pub fn learning_path(
        &self,
        targets: &[SkillId],
        known: &[SkillId],
        filter: EdgeFilter,
    ) -> Result<Vec<PathStep>, PathError> {
        if targets.len() > MAX_TARGETS {
            return Err(PathError::TooManyTargets {
                max: MAX_TARGETS,
                given: targets.len(),
            });
        }
        let nodes = self.dense().graph.node_count();
        let mut is_known = vec![false; nodes];
        for node in known.iter().filter_map(|id| self.node(*id)) {
            is_known[node.index()] = true;
        }
        // The skills needed: walk back from the targets over admitted edges,
        // never into a known skill.
        let graph = EdgeFiltered::from_fn(&self.dense().graph, |e: EdgeReference<'_, Strength>| {
            filter.admits(*e.weight()) && !is_known[e.source().index()]
        });
        let reversed = Reversed(&graph);
        let mut needed = vec![false; nodes];
        let mut target_bits = vec![0u64; nodes];
        for (bit, node) in targets.iter().filter_map(|id| self.node(*id)).enumerate() {
            if is_known[node.index()] {
                continue;
            }
            target_bits[node.index()] |= 1 << bit;
            for reached in Bfs::new(reversed, node).iter(reversed) {
                needed[reached.index()] = true;
            }
        }
        let rank = self.rank();
        let order = self.ordered(&needed, |node| rank[node.index()], filter);

        // Which targets need each step: propagate target bits from each skill
        // to its prerequisites, latest steps first.
        let mut needed_by = target_bits;
        for &node in order.iter().rev() {
            let bits = needed_by[node.index()];
            for edge in self
                .dense()
                .graph
                .edges_directed(node, Direction::Incoming)
                .filter(|e| filter.admits(*e.weight()) && needed[e.source().index()])
            {
                needed_by[edge.source().index()] |= bits;
            }
        }
        let target_ids: Vec<SkillId> = targets.to_vec();
        Ok(order
            .into_iter()
            .map(|node| {
                let bits = needed_by[node.index()];
                PathStep {
                    skill: self.id_of(node),
                    needed_by: target_ids
                        .iter()
                        .enumerate()
                        .filter(|&(bit, _)| bit < 64 && bits & (1 << bit) != 0)
                        .map(|(_, id)| *id)
                        .collect(),
                }
            })
            .collect())
    }

    /// The nodes marked in `include`, each after all of its included
    /// prerequisites; among the nodes free to come next, the one with the
    /// smallest `priority` first.
    fn ordered(
        &self,
        include: &[bool],
        priority: impl Fn(NodeIndex) -> u32,
        filter: EdgeFilter,
    ) -> Vec<NodeIndex> {
        let graph = &self.dense().graph;
        let admitted = |e: &EdgeReference<'_, Strength>| {
            filter.admits(*e.weight()) && include[e.source().index()] && include[e.target().index()]
        };
        let mut waiting_for = vec![0u32; graph.node_count()];
        let mut ready = BinaryHeap::new();
        for node in graph.node_indices().filter(|n| include[n.index()]) {
            let count = graph
                .edges_directed(node, Direction::Incoming)
                .filter(&admitted)
                .count() as u32;
            waiting_for[node.index()] = count;
            if count == 0 {
                ready.push(Reverse((priority(node), node)));
            }
        }
        let mut order = Vec::with_capacity(ready.len());
        while let Some(Reverse((_, node))) = ready.pop() {
            order.push(node);
            for edge in graph
                .edges_directed(node, Direction::Outgoing)
                .filter(&admitted)
            {
                let next = edge.target();
                waiting_for[next.index()] -= 1;
                if waiting_for[next.index()] == 0 {
                    ready.push(Reverse((priority(next), next)));
                }
            }
        }
        order
    }

    /// The shortest chain of prerequisite edges from `from` to `to`: each
    /// skill is a prerequisite of the next. `None` when `to` does not
    /// (transitively) require `from`.
    pub fn prerequisite_path(&self, from: SkillId, to: SkillId) -> Option<Vec<SkillId>> {
        let (from, to) = (self.node(from)?, self.node(to)?);
        let (_, path) = algo::astar(&self.dense().graph, from, |n| n == to, |_| 1u32, |_| 0)?;
        Some(path.into_iter().map(|n| self.id_of(n)).collect())
    }

    /// The skills of a roadmap in an order that respects every prerequisite
    /// edge between them (also through skills off the roadmap), keeping the
    /// roadmap's own order wherever the graph leaves freedom.
    pub fn roadmap_learning_order(&self, roadmap: crate::model::RoadmapId) -> Vec<SkillId> {
        let Some(roadmap) = self.roadmap(roadmap) else {
            return Vec::new();
        };
        let nodes = self.dense().graph.node_count();
        let mut place = vec![None; nodes];
        let mut include = vec![false; nodes];
        let reversed = Reversed(&self.dense().graph);
        for (position, item) in roadmap.items().enumerate() {
            let Some(node) = self.node(item.skill) else {
                continue;
            };
            place[node.index()] = Some(position as u32 + 1);
            if !include[node.index()] {
                for reached in Bfs::new(reversed, node).iter(reversed) {
                    include[reached.index()] = true;
                }
            }
        }
        // Skills off the roadmap come as early as they may, so they never
        // hold a roadmap skill back; roadmap skills follow the roadmap.
        self.ordered(&include, |n| place[n.index()].unwrap_or(0), EdgeFilter::All)
            .into_iter()
            .filter(|n| place[n.index()].is_some())
            .map(|n| self.id_of(n))
            .collect()
    }

    /// Whether `skill` may list `requires` as a prerequisite without closing a
    /// cycle; the cycle it would close otherwise.
    pub fn check_prerequisite(&self, skill: SkillId, requires: SkillId) -> Result<(), WouldCycle> {
        let (Some(from), Some(to)) = (self.node(skill), self.node(requires)) else {
            return Ok(());
        };
        if from == to {
            let slug = self.skill_at(from.index()).slug.clone();
            return Err(WouldCycle(vec![slug.clone(), slug]));
        }
        // `requires` -> `skill` closes a cycle when `skill` already leads to `requires`.
        match algo::astar(&self.dense().graph, from, |n| n == to, |_| 1u32, |_| 0) {
            None => Ok(()),
            Some((_, path)) => {
                let mut cycle: Vec<Slug> = path
                    .into_iter()
                    .map(|n| self.skill_at(n.index()).slug.clone())
                    .collect();
                cycle.push(self.skill_at(from.index()).slug.clone());
                Err(WouldCycle(cycle))
            }
        }
    }

    /// Whether `child` may become a subtopic of `parent` without closing a
    /// cycle in the hierarchy; the cycle (child, its parent, ... ) otherwise.
    pub fn check_parent(&self, child: SkillId, parent: SkillId) -> Result<(), WouldCycle> {
        let slug = |id: SkillId| self.skill(id).map(|s| s.slug.clone());
        let mut chain = vec![child];
        let mut current = Some(parent);
        while let Some(at) = current {
            chain.push(at);
            if at == child {
                return Err(WouldCycle(chain.into_iter().filter_map(slug).collect()));
            }
            current = self.skill(at).and_then(|s| s.parent);
            if chain.len() > self.skills().len() + 1 {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests;
