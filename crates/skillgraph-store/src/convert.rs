//! Rows to domain values. Each conversion destructures its row, so a column
//! added to an entity and forgotten here is a compile error.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use skillgraph_domain::catalog::CatalogParts;
use skillgraph_domain::{
    Author, AuthorId, Guide, GuideId, HttpsUrl, ItemId, Level, Markdown, Prerequisite,
    Recommendation, Resource, ResourceId, ResourceKind, Roadmap, RoadmapId, RoadmapItem, Section,
    SectionId, Skill, SkillId, Slug, Strength, Summary, Title, ValueError,
};

use crate::StoreError;
use crate::entities::*;

/// Every catalog row, in storage order.
pub(crate) struct Rows {
    pub skills: Vec<skill::Model>,
    pub prerequisites: Vec<skill_prerequisite::Model>,
    pub relations: Vec<skill_relation::Model>,
    pub resources: Vec<resource::Model>,
    pub roadmaps: Vec<roadmap::Model>,
    pub sections: Vec<roadmap_section::Model>,
    pub items: Vec<roadmap_item::Model>,
    pub roadmap_relations: Vec<roadmap_relation::Model>,
    pub authors: Vec<author::Model>,
    pub guides: Vec<guide::Model>,
    pub guide_relations: Vec<guide_relation::Model>,
    pub guide_skills: Vec<guide_skill::Model>,
}

/// Names the row a bad value came from.
fn corrupt(table: &'static str, id: impl ToString) -> impl FnOnce(ValueError) -> StoreError {
    let id = id.to_string();
    move |e| StoreError::Corrupt {
        table,
        id,
        reason: e.to_string(),
    }
}

/// Reads a JSON column of validated values.
fn json_list<T: DeserializeOwned>(
    table: &'static str,
    id: impl ToString,
    value: serde_json::Value,
) -> Result<Vec<T>, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::Corrupt {
        table,
        id: id.to_string(),
        reason: e.to_string(),
    })
}

/// Turns the rows into the parts of a catalog.
pub(crate) fn parts(rows: Rows) -> Result<CatalogParts, StoreError> {
    let Rows {
        skills,
        prerequisites,
        relations,
        resources,
        roadmaps,
        sections,
        items,
        roadmap_relations,
        authors,
        guides,
        guide_relations,
        guide_skills,
    } = rows;
    let mut parts = CatalogParts::default();

    for row in skills {
        let skill::Model {
            id,
            slug,
            name,
            summary,
            description,
            level,
            tags,
            aliases,
            external_ids,
            parent_id,
        } = row;
        let bad = |_: ()| corrupt("skills", id);
        parts.skills.push(Skill {
            id: SkillId(id.into()),
            slug: Slug::parse(slug).map_err(bad(()))?,
            name: Title::parse(name).map_err(bad(()))?,
            summary: Summary::parse(summary).map_err(bad(()))?,
            description: Markdown::parse(description).map_err(bad(()))?,
            level: Level::parse(&level).map_err(bad(()))?,
            tags: json_list("skills", id, tags)?,
            aliases: json_list("skills", id, aliases)?,
            external_ids: json_list("skills", id, external_ids)?,
            parent: parent_id.map(|p| SkillId(p.into())),
        });
    }
    for row in prerequisites {
        let skill_prerequisite::Model {
            skill_id,
            requires_id,
            strength,
            position: _,
        } = row;
        parts.prerequisites.push(Prerequisite {
            skill: SkillId(skill_id.into()),
            requires: SkillId(requires_id.into()),
            strength: Strength::parse(&strength).map_err(corrupt(
                "skill_prerequisites",
                format!("{skill_id}/{requires_id}"),
            ))?,
        });
    }
    for row in relations {
        let skill_relation::Model {
            skill_id,
            related_id,
        } = row;
        parts
            .related
            .push((SkillId(skill_id.into()), SkillId(related_id.into())));
    }
    for row in resources {
        let resource::Model {
            id,
            skill_id,
            position: _,
            kind,
            title,
            url,
        } = row;
        let bad = |_: ()| corrupt("resources", id);
        parts.resources.push(Resource {
            id: ResourceId(id.into()),
            skill: SkillId(skill_id.into()),
            kind: ResourceKind::parse(&kind).map_err(bad(()))?,
            title: Title::parse(title).map_err(bad(()))?,
            url: HttpsUrl::parse(url).map_err(bad(()))?,
        });
    }

    // Items hang from sections or from other items; rows come in position order.
    let mut items_by_parent: HashMap<(i32, Option<i32>), Vec<roadmap_item::Model>> = HashMap::new();
    for row in items {
        items_by_parent
            .entry((row.section_id, row.parent_item_id))
            .or_default()
            .push(row);
    }
    fn build_items(
        section: i32,
        parent: Option<i32>,
        by_parent: &mut HashMap<(i32, Option<i32>), Vec<roadmap_item::Model>>,
    ) -> Result<Vec<RoadmapItem>, StoreError> {
        let rows = by_parent.remove(&(section, parent)).unwrap_or_default();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let roadmap_item::Model {
                id,
                section_id: _,
                parent_item_id: _,
                position: _,
                skill_id,
                recommendation,
            } = row;
            out.push(RoadmapItem {
                id: ItemId(id.into()),
                skill: SkillId(skill_id.into()),
                recommendation: Recommendation::parse(&recommendation)
                    .map_err(corrupt("roadmap_items", id))?,
                children: build_items(section, Some(id), by_parent)?,
            });
        }
        Ok(out)
    }
    let mut sections_by_roadmap: HashMap<i32, Vec<Section>> = HashMap::new();
    for row in sections {
        let roadmap_section::Model {
            id,
            roadmap_id,
            position: _,
            title,
            description,
        } = row;
        let bad = |_: ()| corrupt("roadmap_sections", id);
        sections_by_roadmap
            .entry(roadmap_id)
            .or_default()
            .push(Section {
                id: SectionId(id.into()),
                title: Title::parse(title).map_err(bad(()))?,
                description: Markdown::parse(description).map_err(bad(()))?,
                items: build_items(id, None, &mut items_by_parent)?,
            });
    }
    if let Some(((section, _), rows)) = items_by_parent.into_iter().next() {
        return Err(StoreError::Corrupt {
            table: "roadmap_items",
            id: rows.first().map_or_else(String::new, |r| r.id.to_string()),
            reason: format!("hangs from a missing section {section} or parent item"),
        });
    }
    let mut related_roadmaps: HashMap<i32, Vec<RoadmapId>> = HashMap::new();
    for row in roadmap_relations {
        let roadmap_relation::Model {
            roadmap_id,
            related_id,
            position: _,
        } = row;
        related_roadmaps
            .entry(roadmap_id)
            .or_default()
            .push(RoadmapId(related_id.into()));
    }
    for row in roadmaps {
        let roadmap::Model {
            id,
            slug,
            title,
            description,
        } = row;
        let bad = |_: ()| corrupt("roadmaps", id);
        parts.roadmaps.push(Roadmap {
            id: RoadmapId(id.into()),
            slug: Slug::parse(slug).map_err(bad(()))?,
            title: Title::parse(title).map_err(bad(()))?,
            description: Markdown::parse(description).map_err(bad(()))?,
            sections: sections_by_roadmap.remove(&id).unwrap_or_default(),
            related: related_roadmaps.remove(&id).unwrap_or_default(),
        });
    }

    for row in authors {
        let author::Model {
            id,
            handle,
            name,
            links,
        } = row;
        let bad = |_: ()| corrupt("authors", id);
        parts.authors.push(Author {
            id: AuthorId(id.into()),
            handle: Slug::parse(handle).map_err(bad(()))?,
            name: Title::parse(name).map_err(bad(()))?,
            links: json_list("authors", id, links)?,
        });
    }
    let mut related_guides: HashMap<i32, Vec<GuideId>> = HashMap::new();
    for row in guide_relations {
        let guide_relation::Model {
            guide_id,
            related_id,
            position: _,
        } = row;
        related_guides
            .entry(guide_id)
            .or_default()
            .push(GuideId(related_id.into()));
    }
    let mut covered: HashMap<i32, Vec<SkillId>> = HashMap::new();
    for row in guide_skills {
        let guide_skill::Model {
            guide_id,
            skill_id,
            position: _,
        } = row;
        covered
            .entry(guide_id)
            .or_default()
            .push(SkillId(skill_id.into()));
    }
    for row in guides {
        let guide::Model {
            id,
            slug,
            title,
            description,
            url,
            author_id,
            published_on,
            tags,
            body,
        } = row;
        let bad = |_: ()| corrupt("guides", id);
        parts.guides.push(Guide {
            id: GuideId(id.into()),
            slug: Slug::parse(slug).map_err(bad(()))?,
            title: Title::parse(title).map_err(bad(()))?,
            description: Markdown::parse(description).map_err(bad(()))?,
            url: HttpsUrl::parse(url).map_err(bad(()))?,
            author: author_id.map(|a| AuthorId(a.into())),
            published: published_on,
            tags: json_list("guides", id, tags)?,
            body: body.map(Markdown::parse).transpose().map_err(bad(()))?,
            related: related_guides.remove(&id).unwrap_or_default(),
            skills: covered.remove(&id).unwrap_or_default(),
        });
    }
    Ok(parts)
}
