//! What a diagram shows, decided once for every format: the skills in
//! roadmap order, the sections that group them and the links between them.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use skillgraph_domain::{Catalog, Roadmap, RoadmapItem, Skill, SkillId, Strength};

use crate::DiagramError;

/// One skill of the roadmap, drawn once.
#[derive(Debug)]
pub(crate) struct Node<'a> {
    /// The skill.
    pub skill: &'a Skill,
    /// The section (index into [`Diagram::sections`]) that holds it.
    pub section: usize,
}

/// A section: its title and its skills (indices into [`Diagram::nodes`]),
/// nested ones included, in roadmap order.
#[derive(Debug)]
pub(crate) struct Group<'a> {
    /// The section title.
    pub title: &'a str,
    /// Every skill the section holds.
    pub nodes: Vec<usize>,
}

/// What a link between two skills means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkKind {
    /// `from` is a required prerequisite of `to`.
    Required,
    /// `from` is a recommended prerequisite of `to`.
    Recommended,
    /// `to` is nested in `from` on the roadmap.
    Nested,
}

/// A link between two skills (indices into [`Diagram::nodes`], never equal).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Link {
    /// The prerequisite, or the enclosing item.
    pub from: usize,
    /// The dependent skill, or the nested item.
    pub to: usize,
    /// What the link means.
    pub kind: LinkKind,
}

/// The whole diagram.
#[derive(Debug)]
pub(crate) struct Diagram<'a> {
    /// The roadmap's slug.
    pub slug: &'a str,
    /// The roadmap's title.
    pub title: &'a str,
    /// The sections, in roadmap order.
    pub sections: Vec<Group<'a>>,
    /// Every skill, once, in roadmap order (depth first).
    pub nodes: Vec<Node<'a>>,
    /// Prerequisite links (by dependent in roadmap order, then in the
    /// catalog's order), then nesting links in roadmap order.
    pub links: Vec<Link>,
}

impl<'a> Diagram<'a> {
    /// Collects the roadmap's skills, sections and links.
    pub fn build(catalog: &'a Catalog, roadmap: &'a Roadmap) -> Result<Self, DiagramError> {
        let mut builder = Builder {
            catalog,
            roadmap,
            nodes: Vec::new(),
            index: HashMap::new(),
            nested: Vec::new(),
        };
        let mut sections = Vec::with_capacity(roadmap.sections.len());
        for (number, section) in roadmap.sections.iter().enumerate() {
            let mut group = Group {
                title: section.title.as_str(),
                nodes: Vec::new(),
            };
            for item in &section.items {
                builder.visit(item, None, number, &mut group)?;
            }
            sections.push(group);
        }

        let mut links = Vec::new();
        for (to, node) in builder.nodes.iter().enumerate() {
            for prerequisite in catalog.prerequisites(node.skill.id) {
                let Some(&from) = builder.index.get(&prerequisite.requires) else {
                    continue;
                };
                if from != to {
                    links.push(Link {
                        from,
                        to,
                        kind: match prerequisite.strength {
                            Strength::Required => LinkKind::Required,
                            Strength::Recommended => LinkKind::Recommended,
                        },
                    });
                }
            }
        }
        links.extend(builder.nested);

        Ok(Self {
            slug: roadmap.slug.as_str(),
            title: roadmap.title.as_str(),
            sections,
            nodes: builder.nodes,
            links,
        })
    }
}

/// The state of one walk over a roadmap's items.
struct Builder<'a> {
    catalog: &'a Catalog,
    roadmap: &'a Roadmap,
    nodes: Vec<Node<'a>>,
    index: HashMap<SkillId, usize>,
    nested: Vec<Link>,
}

impl<'a> Builder<'a> {
    /// Adds `item` and its nested items to `group`. A skill met again (which a consistent catalog never has) keeps its first
    /// place, so it is still drawn once.
    fn visit(
        &mut self,
        item: &RoadmapItem,
        parent: Option<usize>,
        section: usize,
        group: &mut Group<'a>,
    ) -> Result<(), DiagramError> {
        let node = match self.index.entry(item.skill) {
            Entry::Occupied(entry) => *entry.get(),
            Entry::Vacant(entry) => {
                let skill =
                    self.catalog
                        .skill(item.skill)
                        .ok_or_else(|| DiagramError::UnknownSkill {
                            roadmap: self.roadmap.slug.to_string(),
                            skill: item.skill,
                        })?;
                let node = self.nodes.len();
                self.nodes.push(Node { skill, section });
                group.nodes.push(node);
                *entry.insert(node)
            }
        };
        if let Some(parent) = parent
            && parent != node
        {
            self.nested.push(Link {
                from: parent,
                to: node,
                kind: LinkKind::Nested,
            });
        }
        for child in &item.children {
            self.visit(child, Some(node), section, group)?;
        }
        Ok(())
    }
}
