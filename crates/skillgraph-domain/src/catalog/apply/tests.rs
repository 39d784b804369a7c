//! `apply` against the reference: the same change written into plain parts
//! the way the store's SQL and foreign keys write it, and a fresh build.

use proptest::prelude::*;

use super::*;
use crate::bundle::{
    Bundle, BundleAuthor, BundleGuide, BundleItem, BundlePrerequisite, BundleResource,
    BundleRoadmap, BundleSection, BundleSkill,
};
use crate::catalog::CatalogParts;
use crate::change::{
    AuthorDraft, AuthorPatch, GuideDraft, GuidePatch, Placement, ResourceDraft, RoadmapDraft,
    RoadmapPatch, SectionDraft, SectionPatch, SkillDraft, SkillPatch, arrange,
};
use crate::graph::{EdgeFilter, Towards};
use crate::model::Prerequisite;
use crate::values::{
    HttpsUrl, Level, Markdown, Recommendation, ResourceKind, Strength, Summary, Title,
};

/// Numbers from proptest, handed out one by one (and round again).
struct Draw<'a>(&'a [u32], usize);

impl Draw<'_> {
    fn next(&mut self) -> u32 {
        let n = self.0[self.1 % self.0.len()];
        self.1 += 1;
        n.rotate_left((self.1 / self.0.len()) as u32 * 7)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.next() as usize % n }
    }
    fn chance(&mut self, one_in: u32) -> bool {
        self.next().is_multiple_of(one_in)
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.below(items.len())])
    }
}

fn slug(text: &str) -> Slug {
    Slug::parse(text).unwrap()
}

fn title(text: &str) -> Title {
    Title::parse(text).unwrap()
}

fn url(n: u32) -> HttpsUrl {
    HttpsUrl::parse(format!("https://example.org/{n}")).unwrap()
}

fn pool(d: &mut Draw<'_>, prefix: &str, size: usize) -> Slug {
    slug(&format!("{prefix}{}", d.below(size)))
}

/// A small random catalog, built from a bundle.
fn random_bundle(d: &mut Draw<'_>) -> Bundle {
    let n = d.below(8);
    let name = |i: usize| slug(&format!("s{i}"));
    let mut skills = Vec::new();
    for i in 0..n {
        let below: Vec<usize> = (0..i).filter(|_| d.chance(3)).collect();
        let related: Vec<usize> = (0..i).filter(|_| d.chance(4)).collect();
        skills.push(BundleSkill {
            slug: name(i),
            name: title(&format!("Skill {i}")),
            summary: Summary::parse("a skill").unwrap(),
            description: Markdown::default(),
            level: Level::ALL[d.below(Level::ALL.len())],
            tags: vec![],
            aliases: vec![],
            external_ids: vec![],
            parent: if i > 0 && d.chance(3) {
                Some(name(d.below(i)))
            } else {
                None
            },
            prerequisites: below
                .iter()
                .map(|&j| BundlePrerequisite {
                    skill: name(j),
                    strength: if d.chance(2) {
                        Strength::Required
                    } else {
                        Strength::Recommended
                    },
                })
                .collect(),
            related: related.iter().map(|&j| name(j)).collect(),
            resources: (0..d.below(3))
                .map(|_| BundleResource {
                    kind: ResourceKind::ALL[d.below(ResourceKind::ALL.len())],
                    title: title("A resource"),
                    url: url(d.next() % 50),
                })
                .collect(),
        });
    }
    let roadmap_count = d.below(4);
    let mut roadmaps = Vec::new();
    for r in 0..roadmap_count {
        let mut sections: Vec<BundleSection> = (0..1 + d.below(3))
            .map(|s| BundleSection {
                title: title(&format!("Section {s}")),
                description: Markdown::default(),
                items: vec![],
            })
            .collect();
        let on: Vec<usize> = (0..n).filter(|_| d.chance(2)).collect();
        for i in on {
            let section = d.below(sections.len());
            let item = BundleItem {
                skill: name(i),
                recommendation: Recommendation::ALL[d.below(Recommendation::ALL.len())],
                children: vec![],
            };
            let items = &mut sections[section].items;
            match items.last_mut() {
                Some(last) if d.chance(3) => last.children.push(item),
                _ => items.push(item),
            }
        }
        roadmaps.push(BundleRoadmap {
            slug: slug(&format!("r{r}")),
            title: title("A roadmap"),
            description: Markdown::default(),
            related: (0..r)
                .filter(|_| d.chance(3))
                .map(|o| slug(&format!("r{o}")))
                .collect(),
            sections,
        });
    }
    let authors: Vec<BundleAuthor> = (0..d.below(3))
        .map(|a| BundleAuthor {
            id: slug(&format!("a{a}")),
            name: title("An author"),
            links: vec![],
        })
        .collect();
    let guides = (0..d.below(4))
        .map(|g| BundleGuide {
            slug: slug(&format!("g{g}")),
            title: title("A guide"),
            description: Markdown::default(),
            url: url(g as u32),
            author: (!authors.is_empty() && d.chance(2))
                .then(|| authors[d.below(authors.len())].id.clone()),
            published: None,
            tags: vec![],
            body: None,
            related: (0..g)
                .filter(|_| d.chance(3))
                .map(|o| slug(&format!("g{o}")))
                .collect(),
            skills: (0..n).filter(|_| d.chance(3)).map(name).collect(),
        })
        .collect();
    Bundle {
        skills,
        roadmaps,
        authors,
        guides,
        ..Bundle::default()
    }
}

fn parts_of(c: &Catalog) -> CatalogParts {
    c.to_parts()
}

/// Takes an item (and its nested items) out, wherever it is on these roadmaps.
fn take(roadmaps: &mut [Roadmap], id: ItemId) -> Option<RoadmapItem> {
    roadmaps
        .iter_mut()
        .flat_map(|r| r.sections.iter_mut())
        .find_map(|s| take_item(&mut s.items, id))
}

fn siblings(
    roadmaps: &mut [Roadmap],
    section: SectionId,
    parent: Option<ItemId>,
) -> &mut Vec<RoadmapItem> {
    let roadmap = roadmaps
        .iter_mut()
        .find(|r| r.sections.iter().any(|s| s.id == section))
        .unwrap();
    siblings_mut(roadmap, section, parent).unwrap()
}

/// Puts `new` among `list` where `arrange` says, as the store renumbers.
fn arranged<T, I: Copy + Eq>(
    list: &mut Vec<T>,
    new: T,
    id: impl Fn(&T) -> I,
    position: Option<usize>,
) {
    let order = arrange(list.iter().map(&id), id(&new), position);
    let mut all: Vec<T> = std::mem::take(list);
    all.push(new);
    for wanted in order {
        let at = all.iter().position(|t| id(t) == wanted).unwrap();
        list.push(all.remove(at));
    }
}

/// Drops every item of `skill`, with what nests in it.
fn drop_items(items: &mut Vec<RoadmapItem>, skill: SkillId) {
    items.retain(|i| i.skill != skill);
    for i in items {
        drop_items(&mut i.children, skill);
    }
}

/// The reference: the change written into the rows as the store writes it.
fn write_parts(p: &mut CatalogParts, change: &Change, id: i64) {
    match change.clone() {
        Change::CreateSkill(d) => p.skills.push(Skill {
            id: SkillId(id),
            slug: d.slug,
            name: d.name,
            summary: d.summary,
            description: d.description,
            level: d.level,
            tags: d.tags,
            aliases: d.aliases,
            external_ids: d.external_ids,
            parent: d.parent,
        }),
        Change::UpdateSkill { skill, patch } => {
            let s = p.skills.iter_mut().find(|s| s.id == skill).unwrap();
            s.slug = patch.slug.unwrap_or(s.slug.clone());
            s.name = patch.name.unwrap_or(s.name.clone());
            s.summary = patch.summary.unwrap_or(s.summary.clone());
            s.description = patch.description.unwrap_or(s.description.clone());
            s.level = patch.level.unwrap_or(s.level);
            s.tags = patch.tags.unwrap_or(s.tags.clone());
            s.aliases = patch.aliases.unwrap_or(s.aliases.clone());
            s.external_ids = patch.external_ids.unwrap_or(s.external_ids.clone());
        }
        Change::DeleteSkill { skill, .. } => {
            p.skills.retain(|s| s.id != skill);
            for s in &mut p.skills {
                if s.parent == Some(skill) {
                    s.parent = None;
                }
            }
            p.prerequisites
                .retain(|e| e.skill != skill && e.requires != skill);
            p.related.retain(|&(a, b)| a != skill && b != skill);
            p.resources.retain(|r| r.skill != skill);
            for r in &mut p.roadmaps {
                for s in &mut r.sections {
                    drop_items(&mut s.items, skill);
                }
            }
            for g in &mut p.guides {
                g.skills.retain(|s| *s != skill);
            }
        }
        Change::AddPrerequisite(edge) => p.prerequisites.push(edge),
        Change::RemovePrerequisite { skill, requires } => {
            p.prerequisites
                .retain(|e| (e.skill, e.requires) != (skill, requires));
        }
        Change::SetParent { skill, parent } => {
            p.skills.iter_mut().find(|s| s.id == skill).unwrap().parent = parent;
        }
        Change::Relate { skill, other } => p.related.push((skill.min(other), skill.max(other))),
        Change::Unrelate { skill, other } => {
            p.related
                .retain(|&(a, b)| (a.min(b), a.max(b)) != (skill.min(other), skill.max(other)));
        }
        Change::CreateResource { skill, resource } => p.resources.push(Resource {
            id: ResourceId(id),
            skill,
            kind: resource.kind,
            title: resource.title,
            url: resource.url,
        }),
        Change::UpdateResource { resource, fields } => {
            let r = p.resources.iter_mut().find(|r| r.id == resource).unwrap();
            (r.kind, r.title, r.url) = (fields.kind, fields.title, fields.url);
        }
        Change::DeleteResource { resource } => p.resources.retain(|r| r.id != resource),
        Change::CreateRoadmap(d) => p.roadmaps.push(Roadmap {
            id: RoadmapId(id),
            slug: d.slug,
            title: d.title,
            description: d.description,
            sections: vec![],
            related: d.related,
        }),
        Change::UpdateRoadmap { roadmap, patch } => {
            let r = p.roadmaps.iter_mut().find(|r| r.id == roadmap).unwrap();
            r.slug = patch.slug.unwrap_or(r.slug.clone());
            r.title = patch.title.unwrap_or(r.title.clone());
            r.description = patch.description.unwrap_or(r.description.clone());
            r.related = patch.related.unwrap_or(r.related.clone());
        }
        Change::DeleteRoadmap { roadmap } => {
            p.roadmaps.retain(|r| r.id != roadmap);
            for r in &mut p.roadmaps {
                r.related.retain(|o| *o != roadmap);
            }
        }
        Change::CreateSection {
            roadmap,
            section,
            position,
        } => {
            let r = p.roadmaps.iter_mut().find(|r| r.id == roadmap).unwrap();
            let new = Section {
                id: SectionId(id),
                title: section.title,
                description: section.description,
                items: vec![],
            };
            arranged(&mut r.sections, new, |s| s.id, position);
        }
        Change::UpdateSection { section, patch } => {
            let r = p
                .roadmaps
                .iter_mut()
                .find(|r| r.sections.iter().any(|s| s.id == section))
                .unwrap();
            let at = r.sections.iter().position(|s| s.id == section).unwrap();
            let mut s = r.sections.remove(at);
            s.title = patch.title.unwrap_or(s.title);
            s.description = patch.description.unwrap_or(s.description);
            match patch.position {
                Some(_) => arranged(&mut r.sections, s, |s| s.id, patch.position),
                None => r.sections.insert(at, s),
            }
        }
        Change::DeleteSection { section } => {
            for r in &mut p.roadmaps {
                r.sections.retain(|s| s.id != section);
            }
        }
        Change::AddItem {
            at,
            skill,
            recommendation,
        } => {
            let new = RoadmapItem {
                id: ItemId(id),
                skill,
                recommendation,
                children: vec![],
            };
            arranged(
                siblings(&mut p.roadmaps, at.section, at.parent),
                new,
                |i| i.id,
                at.position,
            );
        }
        Change::UpdateItem {
            item,
            recommendation,
            to,
        } => match to {
            Some(to) => {
                let mut moving = take(&mut p.roadmaps, item).unwrap();
                if let Some(recommendation) = recommendation {
                    moving.recommendation = recommendation;
                }
                arranged(
                    siblings(&mut p.roadmaps, to.section, to.parent),
                    moving,
                    |i| i.id,
                    to.position,
                );
            }
            None => {
                if let Some(recommendation) = recommendation {
                    let found = p
                        .roadmaps
                        .iter_mut()
                        .flat_map(|r| r.sections.iter_mut())
                        .find_map(|s| take_item_ref(&mut s.items, item))
                        .unwrap();
                    found.recommendation = recommendation;
                }
            }
        },
        Change::RemoveItem { item } => {
            take(&mut p.roadmaps, item);
        }
        Change::CreateGuide(d) => p.guides.push(Guide {
            id: GuideId(id),
            slug: d.slug,
            title: d.title,
            description: d.description,
            url: d.url,
            author: d.author,
            published: d.published,
            tags: d.tags,
            body: d.body,
            related: d.related,
            skills: d.skills,
        }),
        Change::UpdateGuide { guide, patch } => {
            let g = p.guides.iter_mut().find(|g| g.id == guide).unwrap();
            let GuidePatch {
                slug,
                title,
                description,
                url,
                author,
                published,
                tags,
                body,
                related,
                skills,
            } = patch;
            g.slug = slug.unwrap_or(g.slug.clone());
            g.title = title.unwrap_or(g.title.clone());
            g.description = description.unwrap_or(g.description.clone());
            g.url = url.unwrap_or(g.url.clone());
            g.author = author.unwrap_or(g.author);
            g.published = published.unwrap_or(g.published);
            g.tags = tags.unwrap_or(g.tags.clone());
            g.body = body.unwrap_or(g.body.clone());
            g.related = related.unwrap_or(g.related.clone());
            g.skills = skills.unwrap_or(g.skills.clone());
        }
        Change::DeleteGuide { guide } => {
            p.guides.retain(|g| g.id != guide);
            for g in &mut p.guides {
                g.related.retain(|o| *o != guide);
            }
        }
        Change::CreateAuthor(d) => p.authors.push(Author {
            id: AuthorId(id),
            handle: d.handle,
            name: d.name,
            links: d.links,
        }),
        Change::UpdateAuthor { author, patch } => {
            let a = p.authors.iter_mut().find(|a| a.id == author).unwrap();
            a.handle = patch.handle.unwrap_or(a.handle.clone());
            a.name = patch.name.unwrap_or(a.name.clone());
            a.links = patch.links.unwrap_or(a.links.clone());
        }
        Change::DeleteAuthor { author } => {
            p.authors.retain(|a| a.id != author);
            for g in &mut p.guides {
                if g.author == Some(author) {
                    g.author = None;
                }
            }
        }
    }
}

/// A random change against `c`: mostly valid, some refused.
fn random_change(c: &Catalog, d: &mut Draw<'_>) -> (Change, Option<i64>) {
    let skills: Vec<SkillId> = c.skills().map(|s| s.id).chain([SkillId(99)]).collect();
    let roadmaps: Vec<RoadmapId> = c.roadmaps().map(|r| r.id).chain([RoadmapId(99)]).collect();
    let sections: Vec<SectionId> = c
        .roadmaps()
        .flat_map(|r| r.sections.iter().map(|s| s.id))
        .chain([SectionId(99)])
        .collect();
    let items: Vec<ItemId> = c
        .roadmaps()
        .flat_map(|r| r.items().map(|i| i.id).collect::<Vec<_>>())
        .chain([ItemId(99)])
        .collect();
    let resources: Vec<ResourceId> = c
        .skills()
        .flat_map(|s| c.resources(s.id).iter().map(|r| r.id))
        .chain([ResourceId(99)])
        .collect();
    let guides: Vec<GuideId> = c.guides().map(|g| g.id).chain([GuideId(99)]).collect();
    let authors: Vec<AuthorId> = c.authors().map(|a| a.id).chain([AuthorId(99)]).collect();
    // Unknown ids (99) come rarely.
    let mut pick = |d: &mut Draw<'_>, n: usize| {
        if n > 1 && !d.chance(12) {
            d.below(n - 1)
        } else {
            n - 1
        }
    };
    let skill = |d: &mut Draw<'_>, pick: &mut dyn FnMut(&mut Draw<'_>, usize) -> usize| {
        skills[pick(d, skills.len())]
    };
    let fresh = |max: Option<i64>| max.unwrap_or(0) + 1;
    let next = |ids: &[i64]| fresh(ids.iter().copied().filter(|&i| i != 99).max());
    let sk: Vec<i64> = skills.iter().map(|s| s.0).collect();
    let (change, new_id) = match d.below(29) {
        0 | 1 => (
            Change::CreateSkill(SkillDraft {
                slug: pool(d, "s", 10),
                name: title("New"),
                summary: Summary::parse("new").unwrap(),
                description: Markdown::default(),
                level: Level::Beginner,
                tags: vec![],
                aliases: vec![],
                external_ids: vec![],
                parent: if d.chance(2) {
                    Some(skill(d, &mut pick))
                } else {
                    None
                },
            }),
            Some(next(&sk)),
        ),
        2 => (
            Change::UpdateSkill {
                skill: skill(d, &mut pick),
                patch: SkillPatch {
                    slug: d.chance(2).then(|| pool(d, "s", 10)),
                    name: d.chance(2).then(|| title("Renamed")),
                    level: d.chance(2).then_some(Level::Advanced),
                    tags: d.chance(3).then(|| vec![slug("t")]),
                    ..SkillPatch::default()
                },
            },
            None,
        ),
        3 => (
            Change::DeleteSkill {
                skill: skill(d, &mut pick),
                cascade: !d.chance(3),
            },
            None,
        ),
        4..=6 => (
            Change::AddPrerequisite(Prerequisite {
                skill: skill(d, &mut pick),
                requires: skill(d, &mut pick),
                strength: if d.chance(2) {
                    Strength::Required
                } else {
                    Strength::Recommended
                },
            }),
            None,
        ),
        7 => {
            let edge = c
                .skills()
                .flat_map(|s| c.prerequisites(s.id).iter().copied())
                .collect::<Vec<_>>();
            let (skill, requires) = match d.pick(&edge) {
                Some(e) if !d.chance(8) => (e.skill, e.requires),
                _ => (skill(d, &mut pick), skill(d, &mut pick)),
            };
            (Change::RemovePrerequisite { skill, requires }, None)
        }
        8 => (
            Change::SetParent {
                skill: skill(d, &mut pick),
                parent: if d.chance(3) {
                    None
                } else {
                    Some(skill(d, &mut pick))
                },
            },
            None,
        ),
        9 => (
            Change::Relate {
                skill: skill(d, &mut pick),
                other: skill(d, &mut pick),
            },
            None,
        ),
        10 => (
            Change::Unrelate {
                skill: skill(d, &mut pick),
                other: skill(d, &mut pick),
            },
            None,
        ),
        11 => (
            Change::CreateResource {
                skill: skill(d, &mut pick),
                resource: ResourceDraft {
                    kind: ResourceKind::ALL[0],
                    title: title("R"),
                    url: url(7),
                },
            },
            Some(next(&resources.iter().map(|r| r.0).collect::<Vec<_>>())),
        ),
        12 => {
            let resource = resources[pick(d, resources.len())];
            if d.chance(2) {
                (Change::DeleteResource { resource }, None)
            } else {
                let fields = ResourceDraft {
                    kind: ResourceKind::ALL[1],
                    title: title("Changed"),
                    url: url(8),
                };
                (Change::UpdateResource { resource, fields }, None)
            }
        }
        13 => (
            Change::CreateRoadmap(RoadmapDraft {
                slug: pool(d, "r", 5),
                title: title("New roadmap"),
                description: Markdown::default(),
                related: roadmaps.iter().copied().filter(|_| d.chance(3)).collect(),
            }),
            Some(next(&roadmaps.iter().map(|r| r.0).collect::<Vec<_>>())),
        ),
        14 => (
            Change::UpdateRoadmap {
                roadmap: roadmaps[pick(d, roadmaps.len())],
                patch: RoadmapPatch {
                    slug: d.chance(2).then(|| pool(d, "r", 5)),
                    title: d.chance(2).then(|| title("Retitled")),
                    description: None,
                    related: d
                        .chance(2)
                        .then(|| roadmaps.iter().copied().filter(|_| d.chance(3)).collect()),
                },
            },
            None,
        ),
        15 => (
            Change::DeleteRoadmap {
                roadmap: roadmaps[pick(d, roadmaps.len())],
            },
            None,
        ),
        16 => (
            Change::CreateSection {
                roadmap: roadmaps[pick(d, roadmaps.len())],
                section: SectionDraft {
                    title: title("New section"),
                    description: Markdown::default(),
                },
                position: d.chance(2).then(|| d.below(4)),
            },
            Some(next(&sections.iter().map(|s| s.0).collect::<Vec<_>>())),
        ),
        17 => (
            Change::UpdateSection {
                section: sections[pick(d, sections.len())],
                patch: SectionPatch {
                    title: d.chance(2).then(|| title("Moved")),
                    description: None,
                    position: d.chance(2).then(|| d.below(4)),
                },
            },
            None,
        ),
        18 => (
            Change::DeleteSection {
                section: sections[pick(d, sections.len())],
            },
            None,
        ),
        19 | 20 | 26 | 27 => {
            let section = sections[pick(d, sections.len())];
            let parent = d.chance(3).then(|| items[pick(d, items.len())]);
            (
                Change::AddItem {
                    at: Placement {
                        section,
                        parent,
                        position: d.chance(2).then(|| d.below(4)),
                    },
                    skill: skill(d, &mut pick),
                    recommendation: Recommendation::ALL[d.below(Recommendation::ALL.len())],
                },
                Some(next(&items.iter().map(|i| i.0).collect::<Vec<_>>())),
            )
        }
        21 | 28 => {
            let item = items[pick(d, items.len())];
            // Mostly a place on the item's own roadmap.
            let own: Vec<SectionId> = c
                .item_place(item)
                .map(|p| p.roadmap.sections.iter().map(|s| s.id).collect())
                .unwrap_or_default();
            let section = match d.pick(&own) {
                Some(s) if !d.chance(6) => s,
                _ => sections[pick(d, sections.len())],
            };
            let in_section: Vec<ItemId> = c
                .section_place(section)
                .map(|p| {
                    p.section
                        .items
                        .iter()
                        .flat_map(|i| i.walk())
                        .map(|i| i.id)
                        .collect()
                })
                .unwrap_or_default();
            let parent = if d.chance(2) {
                d.pick(&in_section)
            } else {
                None
            };
            (
                Change::UpdateItem {
                    item,
                    recommendation: d
                        .chance(2)
                        .then(|| Recommendation::ALL[d.below(Recommendation::ALL.len())]),
                    to: (!d.chance(4)).then_some(Placement {
                        section,
                        parent,
                        position: d.chance(2).then(|| d.below(4)),
                    }),
                },
                None,
            )
        }
        22 => (
            Change::RemoveItem {
                item: items[pick(d, items.len())],
            },
            None,
        ),
        23 => (
            Change::CreateGuide(GuideDraft {
                slug: pool(d, "g", 6),
                title: title("New guide"),
                description: Markdown::default(),
                url: url(3),
                author: d.chance(2).then(|| authors[pick(d, authors.len())]),
                published: None,
                tags: vec![],
                body: None,
                related: guides.iter().copied().filter(|_| d.chance(3)).collect(),
                skills: skills.iter().copied().filter(|_| d.chance(3)).collect(),
            }),
            Some(next(&guides.iter().map(|g| g.0).collect::<Vec<_>>())),
        ),
        24 => {
            let guide = guides[pick(d, guides.len())];
            if d.chance(3) {
                (Change::DeleteGuide { guide }, None)
            } else {
                (
                    Change::UpdateGuide {
                        guide,
                        patch: GuidePatch {
                            slug: d.chance(2).then(|| pool(d, "g", 6)),
                            author: d
                                .chance(2)
                                .then(|| d.chance(2).then(|| authors[pick(d, authors.len())])),
                            body: d.chance(3).then(|| Some(Markdown::default())),
                            related: d
                                .chance(2)
                                .then(|| guides.iter().copied().filter(|_| d.chance(3)).collect()),
                            skills: d
                                .chance(2)
                                .then(|| skills.iter().copied().filter(|_| d.chance(3)).collect()),
                            ..GuidePatch::default()
                        },
                    },
                    None,
                )
            }
        }
        25 => {
            let author = authors[pick(d, authors.len())];
            match d.below(3) {
                0 => (
                    Change::CreateAuthor(AuthorDraft {
                        handle: pool(d, "a", 4),
                        name: title("New"),
                        links: vec![],
                    }),
                    Some(next(&authors.iter().map(|a| a.0).collect::<Vec<_>>())),
                ),
                1 => (
                    Change::UpdateAuthor {
                        author,
                        patch: AuthorPatch {
                            handle: d.chance(2).then(|| pool(d, "a", 4)),
                            name: None,
                            links: Some(vec![url(1)]),
                        },
                    },
                    None,
                ),
                _ => (Change::DeleteAuthor { author }, None),
            }
        }
        _ => unreachable!("29 kinds"),
    };
    // Now and then the database's id is missing or already taken.
    let created = match new_id {
        Some(_) if d.chance(15) => None,
        Some(_) if d.chance(15) => Some(1),
        other => other,
    };
    (change, created)
}

/// Every public read of two catalogs answers alike.
fn assert_same(a: &Catalog, b: &Catalog) {
    assert_eq!(a.to_bundle(), b.to_bundle());
    assert_eq!(parts_of(a), parts_of(b));
    let skills: Vec<&Skill> = a.skills().collect();
    assert_eq!(skills, b.skills().collect::<Vec<_>>());
    assert_eq!(a.skills().len(), b.skills().len());
    assert_eq!(a.prerequisite_count(), b.prerequisite_count());
    let ids: Vec<SkillId> = skills.iter().map(|s| s.id).chain([SkillId(99)]).collect();
    for name in (0..10).map(|i| format!("s{i}")) {
        assert_eq!(a.skill_by_slug(&name), b.skill_by_slug(&name));
    }
    for &id in &ids {
        assert_eq!(a.skill(id), b.skill(id));
        assert_eq!(a.prerequisites(id), b.prerequisites(id));
        assert_eq!(a.dependents(id), b.dependents(id));
        assert_eq!(a.children(id), b.children(id));
        assert_eq!(a.related(id), b.related(id));
        assert_eq!(a.resources(id), b.resources(id));
        assert_eq!(a.guides_covering(id), b.guides_covering(id));
        assert_eq!(a.roadmaps_with(id), b.roadmaps_with(id));
        for r in a.resources(id) {
            assert_eq!(a.resource(r.id), b.resource(r.id));
        }
        for towards in [Towards::Prerequisites, Towards::Dependents] {
            for filter in [
                EdgeFilter::All,
                EdgeFilter::Only(Strength::Required),
                EdgeFilter::Only(Strength::Recommended),
            ] {
                assert_eq!(
                    a.transitive(id, towards, filter, None),
                    b.transitive(id, towards, filter, None)
                );
                assert_eq!(
                    a.transitive(id, towards, filter, Some(1)),
                    b.transitive(id, towards, filter, Some(1))
                );
            }
        }
        for &other in &ids {
            assert_eq!(
                a.prerequisite_path(id, other),
                b.prerequisite_path(id, other)
            );
            assert_eq!(
                a.check_prerequisite(id, other),
                b.check_prerequisite(id, other)
            );
            assert_eq!(a.check_parent(id, other), b.check_parent(id, other));
        }
        assert_eq!(
            a.learning_path(&[id], &[], EdgeFilter::All),
            b.learning_path(&[id], &[], EdgeFilter::All)
        );
    }
    for filter in [EdgeFilter::All, EdgeFilter::Only(Strength::Required)] {
        let known = &ids[..ids.len().min(2)];
        assert_eq!(
            a.learning_path(&ids, known, filter),
            b.learning_path(&ids, known, filter)
        );
    }
    assert_eq!(a.resource(ResourceId(99)), b.resource(ResourceId(99)));
    assert_eq!(
        a.roadmaps().collect::<Vec<_>>(),
        b.roadmaps().collect::<Vec<_>>()
    );
    for name in (0..5).map(|i| format!("r{i}")) {
        assert_eq!(a.roadmap_by_slug(&name), b.roadmap_by_slug(&name));
    }
    for r in a.roadmaps().map(|r| r.id).chain([RoadmapId(99)]) {
        assert_eq!(a.roadmap(r), b.roadmap(r));
        assert_eq!(a.guides_for_roadmap(r), b.guides_for_roadmap(r));
        assert_eq!(a.roadmap_learning_order(r), b.roadmap_learning_order(r));
        assert_eq!(a.roadmap_skills(r), b.roadmap_skills(r));
        for section in a.roadmap(r).into_iter().flat_map(|r| &r.sections) {
            let place = |c: &Catalog| c.section_place(section.id).map(|p| (p.roadmap.id, p.index));
            assert_eq!(place(a), place(b));
        }
        for item in a.roadmap(r).into_iter().flat_map(|r| r.items()) {
            let place = |c: &Catalog| {
                c.item_place(item.id).map(|p| {
                    (
                        p.roadmap.id,
                        p.section.id,
                        p.parent.map(|i| i.id),
                        p.index,
                        p.siblings().len(),
                    )
                })
            };
            assert_eq!(place(a), place(b));
        }
    }
    assert_eq!(
        a.guides().collect::<Vec<_>>(),
        b.guides().collect::<Vec<_>>()
    );
    for g in a.guides().map(|g| g.id).chain([GuideId(99)]) {
        assert_eq!(a.guide(g), b.guide(g));
    }
    for name in (0..6).map(|i| format!("g{i}")) {
        assert_eq!(a.guide_by_slug(&name), b.guide_by_slug(&name));
    }
    assert_eq!(
        a.authors().collect::<Vec<_>>(),
        b.authors().collect::<Vec<_>>()
    );
    for x in a.authors().map(|x| x.id).chain([AuthorId(99)]) {
        assert_eq!(a.author(x), b.author(x));
    }
    for name in (0..4).map(|i| format!("a{i}")) {
        assert_eq!(a.author_by_handle(&name), b.author_by_handle(&name));
    }
    assert!(a.changed_skills(b).is_empty());
    assert!(b.changed_skills(a).is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn applying_changes_equals_building_afresh(numbers in prop::collection::vec(any::<u32>(), 40..400)) {
        let mut d = Draw(&numbers, 0);
        let mut catalog = Catalog::from_bundle(&random_bundle(&mut d)).unwrap();
        let (mut applied, mut refused) = (0, 0);
        for _ in 0..24 {
            let (change, created) = random_change(&catalog, &mut d);
            let checked = catalog.check(&change);
            match catalog.apply(&change, created) {
                Ok(next) => {
                    applied += 1;
                    prop_assert_eq!(checked, Ok(()));
                    let mut parts = parts_of(&catalog);
                    write_parts(&mut parts, &change, created.unwrap_or(0));
                    let fresh = Catalog::build(parts)
                        .unwrap_or_else(|e| panic!("{change:?} passed the check but does not build: {e}"));
                    assert_same(&next, &fresh);
                    // The older snapshot still answers as it did.
                    assert_same(&catalog, &Catalog::build(parts_of(&catalog)).unwrap());
                    catalog = next;
                }
                Err(ApplyError::Refused(e)) => {
                    refused += 1;
                    prop_assert_eq!(checked, Err(e));
                }
                Err(ApplyError::Unassigned { .. }) => {
                    refused += 1;
                    prop_assert!(checked.is_err() || created.is_none() || created == Some(1));
                }
            }
            assert_same(&catalog, &Catalog::build(parts_of(&catalog)).unwrap());
        }
        prop_assert!(applied + refused == 24);
    }
}

#[test]
fn an_unrelated_change_shares_the_untouched_entries_and_the_graph() {
    let r = Strength::Required;
    let catalog = Catalog::from_bundle(&Bundle {
        skills: vec![
            crate::graph::tests::skill("a", &[]),
            crate::graph::tests::skill("b", &[("a", r)]),
            crate::graph::tests::skill("c", &[("b", r)]),
        ],
        ..Bundle::default()
    })
    .unwrap();
    let id = |s: &str| catalog.skill_by_slug(s).unwrap().id;
    let next = catalog
        .apply(
            &Change::UpdateSkill {
                skill: id("c"),
                patch: SkillPatch {
                    name: Some(title("Sea")),
                    ..SkillPatch::default()
                },
            },
            None,
        )
        .unwrap();
    assert!(Arc::ptr_eq(
        &catalog.skills[&id("a")],
        &next.skills[&id("a")]
    ));
    assert!(!Arc::ptr_eq(
        &catalog.skills[&id("c")],
        &next.skills[&id("c")]
    ));
    assert!(Arc::ptr_eq(&catalog.dense, &next.dense), "no edge changed");
    assert!(
        Arc::ptr_eq(&catalog.rank, &next.rank),
        "no slug or item changed"
    );
    let edge = Change::AddPrerequisite(Prerequisite {
        skill: id("c"),
        requires: id("a"),
        strength: r,
    });
    let after = next.apply(&edge, None).unwrap();
    assert!(!Arc::ptr_eq(&next.dense, &after.dense));
    assert!(after.dense.get().is_none(), "built on first use");
    assert_eq!(after.dependents(id("a")).len(), 2);
    assert_eq!(
        after
            .transitive(id("c"), Towards::Prerequisites, EdgeFilter::All, None)
            .len(),
        2
    );
    assert_eq!(
        after.apply(&edge, None).unwrap_err(),
        ApplyError::Refused(ChangeError::AlreadyRequired {
            skill: slug("c"),
            requires: slug("a")
        })
    );
    assert!(matches!(
        after.apply(
            &Change::CreateResource {
                skill: id("a"),
                resource: ResourceDraft {
                    kind: ResourceKind::ALL[0],
                    title: title("R"),
                    url: url(1)
                },
            },
            None
        ),
        Err(ApplyError::Unassigned {
            kind: "resource",
            given: None
        })
    ));
}
