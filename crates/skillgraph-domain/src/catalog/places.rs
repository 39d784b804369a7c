//! Where a section or an item sits: the lookups that writes to a roadmap's
//! structure need. Roadmaps are few and small, so these scan them.

use crate::catalog::Catalog;
use crate::model::{ItemId, Roadmap, RoadmapItem, Section, SectionId};

/// A section and the roadmap that holds it.
#[derive(Debug, Clone, Copy)]
pub struct SectionPlace<'a> {
    /// The roadmap.
    pub roadmap: &'a Roadmap,
    /// The section.
    pub section: &'a Section,
    /// Its index among the roadmap's sections.
    pub index: usize,
}

/// An item and everything it sits in.
#[derive(Debug, Clone, Copy)]
pub struct ItemPlace<'a> {
    /// The roadmap.
    pub roadmap: &'a Roadmap,
    /// The section.
    pub section: &'a Section,
    /// The enclosing item, for a nested item.
    pub parent: Option<&'a RoadmapItem>,
    /// The item.
    pub item: &'a RoadmapItem,
    /// Its index among its siblings.
    pub index: usize,
}

impl<'a> ItemPlace<'a> {
    /// The item and its siblings, in order.
    pub fn siblings(&self) -> &'a [RoadmapItem] {
        self.parent.map_or(&self.section.items, |p| &p.children)
    }
}

impl Catalog {
    /// The section with this id, with its roadmap.
    pub fn section_place(&self, id: SectionId) -> Option<SectionPlace<'_>> {
        self.roadmaps().find_map(|roadmap| {
            let index = roadmap.sections.iter().position(|s| s.id == id)?;
            Some(SectionPlace {
                roadmap,
                section: &roadmap.sections[index],
                index,
            })
        })
    }

    /// The item with this id, with its roadmap, section and parent.
    pub fn item_place(&self, id: ItemId) -> Option<ItemPlace<'_>> {
        fn find<'a>(
            items: &'a [RoadmapItem],
            parent: Option<&'a RoadmapItem>,
            id: ItemId,
        ) -> Option<(Option<&'a RoadmapItem>, &'a RoadmapItem, usize)> {
            items.iter().enumerate().find_map(|(index, item)| {
                if item.id == id {
                    Some((parent, item, index))
                } else {
                    find(&item.children, Some(item), id)
                }
            })
        }
        self.roadmaps().find_map(|roadmap| {
            roadmap.sections.iter().find_map(|section| {
                let (parent, item, index) = find(&section.items, None, id)?;
                Some(ItemPlace {
                    roadmap,
                    section,
                    parent,
                    item,
                    index,
                })
            })
        })
    }
}
