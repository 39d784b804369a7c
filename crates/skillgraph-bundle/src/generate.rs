//! A deterministic generator of large, plausible catalogs for benchmarks
//! and scale tests: the same `(skills, seed)` always gives the same bundle.
//!
//! Skills fall into topic areas of [`AREA_SIZE`]. Within an area each skill
//! needs up to four earlier skills close to it, so chains run deep; now and
//! then a skill also needs one of the first skills (the foundations) of an
//! earlier area. That gives about four prerequisite edges per skill, a DAG by
//! construction, and ancestries that are deep but bounded, as in real
//! taxonomies. Every area is also a roadmap, and every hundred skills a guide.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use skillgraph_domain::{
    Bundle, BundleAuthor, BundleFormat, BundleGuide, BundleItem, BundlePrerequisite,
    BundleResource, BundleRoadmap, BundleSection, BundleSkill, HttpsUrl, Level, Markdown,
    Recommendation, ResourceKind, Slug, Strength, Summary, Title, ValueError,
};

/// How many skills make one topic area (and one roadmap).
pub const AREA_SIZE: usize = 500;
/// How many of an area's first skills other areas may depend on.
const FOUNDATIONS: usize = 20;
/// How far back within its area a skill looks for prerequisites.
const WINDOW: usize = 20;
/// The most prerequisites a skill gets within its area.
const PER_SKILL: usize = 4;
/// How many items a generated roadmap section holds.
const SECTION_SIZE: usize = 25;
/// How many sections a generated roadmap holds.
const SECTIONS: usize = 4;

const ADJECTIVES: &[&str] = &[
    "distributed",
    "reactive",
    "secure",
    "relational",
    "functional",
    "concurrent",
    "embedded",
    "scalable",
    "typed",
    "serverless",
    "graph",
    "streaming",
    "mobile",
    "cloud",
    "realtime",
    "declarative",
    "parallel",
    "columnar",
    "immutable",
    "observable",
    "resilient",
    "modular",
    "incremental",
    "federated",
    "vector",
    "spatial",
    "statistical",
    "lexical",
    "quantum",
    "visual",
];
const NOUNS: &[&str] = &[
    "caching",
    "queues",
    "indexing",
    "testing",
    "routing",
    "schemas",
    "pipelines",
    "storage",
    "compilers",
    "networking",
    "security",
    "search",
    "transactions",
    "migrations",
    "profiling",
    "logging",
    "tracing",
    "rendering",
    "parsing",
    "scheduling",
    "replication",
    "sharding",
    "encryption",
    "modelling",
    "deployment",
    "containers",
    "analytics",
    "auth",
    "apis",
    "design",
];
const TAGS: &[&str] = &[
    "backend",
    "frontend",
    "data",
    "devops",
    "security",
    "architecture",
    "databases",
    "testing",
    "languages",
    "cloud",
    "networking",
    "tools",
    "performance",
    "ai",
    "mobile",
    "soft-skills",
];

/// Why a catalog could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// A generated value broke a validation rule (a defect of the generator).
    #[error("generated an invalid value: {0}")]
    Invalid(#[from] ValueError),
}

fn slug(text: &str) -> Result<Slug, ValueError> {
    Slug::parse(text)
}

/// Generates a catalog of `skills` skills from `seed`.
pub fn generate(skills: usize, seed: u64) -> Result<Bundle, GenerateError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut bundle = Bundle {
        format: BundleFormat,
        ..Bundle::default()
    };
    let mut slugs: Vec<Slug> = Vec::with_capacity(skills);
    for i in 0..skills {
        let adjective = ADJECTIVES.choose(&mut rng).copied().unwrap_or("general");
        let noun = NOUNS.choose(&mut rng).copied().unwrap_or("skills");
        let this = slug(&format!("{adjective}-{noun}-{i}"))?;
        let area = i / AREA_SIZE;
        let within = i % AREA_SIZE;
        let area_start = area * AREA_SIZE;

        let mut prerequisites: Vec<BundlePrerequisite> = Vec::new();
        let candidates = within.min(WINDOW);
        let mut chosen: Vec<usize> =
            rand::seq::index::sample(&mut rng, candidates, candidates.min(PER_SKILL))
                .into_iter()
                .map(|back| i - 1 - back)
                .collect();
        if area > 0 && rng.random_bool(0.1) {
            let other_area = rng.random_range(0..area);
            chosen.push(other_area * AREA_SIZE + rng.random_range(0..FOUNDATIONS));
        }
        for other in chosen {
            prerequisites.push(BundlePrerequisite {
                skill: slugs[other].clone(),
                strength: if rng.random_bool(0.7) {
                    Strength::Required
                } else {
                    Strength::Recommended
                },
            });
        }
        let level = match within * 3 / AREA_SIZE {
            0 => Level::Beginner,
            1 => Level::Intermediate,
            _ => Level::Advanced,
        };
        let tags = vec![
            slug(TAGS[area % TAGS.len()])?,
            slug(TAGS[rng.random_range(0..TAGS.len())])?,
        ];
        let mut tags_unique = tags;
        tags_unique.dedup();
        let name = format!("{} {} {i}", capitalise(adjective), noun);
        bundle.skills.push(BundleSkill {
            slug: this.clone(),
            name: Title::parse(&name)?,
            summary: Summary::parse(format!("Generated skill {i}: {adjective} {noun}."))?,
            description: Markdown::parse(format!(
                "A generated skill about {adjective} {noun}, number {within} of area {area}."
            ))?,
            level,
            tags: tags_unique,
            aliases: Vec::new(),
            external_ids: Vec::new(),
            parent: (within > 0 && !within.is_multiple_of(10))
                .then(|| slugs[area_start + within / 10 * 10].clone()),
            prerequisites,
            related: Vec::new(),
            resources: vec![
                BundleResource {
                    kind: ResourceKind::Official,
                    title: Title::parse(format!("{name} documentation"))?,
                    url: HttpsUrl::parse(format!("https://docs.example.com/{this}"))?,
                },
                BundleResource {
                    kind: ResourceKind::Article,
                    title: Title::parse(format!("Getting started with {adjective} {noun}"))?,
                    url: HttpsUrl::parse(format!("https://articles.example.com/{this}"))?,
                },
            ],
        });
        slugs.push(this);
    }

    for (area, first) in (0..skills).step_by(AREA_SIZE).enumerate() {
        let end = (first + SECTIONS * SECTION_SIZE).min(skills);
        let sections = (first..end)
            .step_by(SECTION_SIZE)
            .enumerate()
            .map(|(n, start)| {
                Ok(BundleSection {
                    title: Title::parse(format!("Stage {}", n + 1))?,
                    description: Markdown::default(),
                    items: (start..(start + SECTION_SIZE).min(end))
                        .map(|s| item(&slugs, s))
                        .collect(),
                })
            })
            .collect::<Result<Vec<_>, ValueError>>()?;
        bundle.roadmaps.push(BundleRoadmap {
            slug: slug(&format!("area-{area}"))?,
            title: Title::parse(format!("Area {area}"))?,
            description: Markdown::parse(format!("The generated roadmap of area {area}."))?,
            related: if area > 0 {
                vec![slug(&format!("area-{}", area - 1))?]
            } else {
                Vec::new()
            },
            sections,
        });
    }

    let authors = 10.min(skills.max(1));
    bundle.authors = generated_authors(authors)?;
    for g in 0..skills / 100 {
        let covered: Vec<Slug> = (0..5)
            .map(|_| slugs[rng.random_range(0..skills)].clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let related = if g > 0 {
            vec![slug(&format!("guide-{}", g - 1))?]
        } else {
            Vec::new()
        };
        let title = format!(
            "A guide to {} {}",
            ADJECTIVES[g % ADJECTIVES.len()],
            NOUNS[(g / ADJECTIVES.len()) % NOUNS.len()]
        );
        bundle
            .guides
            .push(generated_guide(g, title, authors, related, covered)?);
    }
    Ok(bundle)
}

/// The shape of a catalog whose roadmaps share one pool of skills, as the
/// performance suite compares servers on: each roadmap holds `sections` ×
/// `items` distinct skills drawn from the pool, so roadmaps overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedShape {
    /// How many skills the roadmaps draw from.
    pub skills: usize,
    /// How many roadmaps.
    pub roadmaps: usize,
    /// Sections per roadmap.
    pub sections: usize,
    /// Items per section.
    pub items: usize,
    /// How many guides; each covers [`SKILLS_PER_GUIDE`] skills.
    pub guides: usize,
}

impl SharedShape {
    /// The performance suite's dataset: 20 roadmaps × 6 sections × 25 items
    /// over 2,000 shared skills, with 200 guides.
    pub const BENCH: Self = Self {
        skills: 2_000,
        roadmaps: 20,
        sections: 6,
        items: 25,
        guides: 200,
    };

    /// This shape with `factor` times the skills, roadmaps and guides.
    pub fn scaled(self, factor: usize) -> Self {
        Self {
            skills: self.skills * factor,
            roadmaps: self.roadmaps * factor,
            guides: self.guides * factor,
            ..self
        }
    }
}

/// How many skills a guide of a [`SharedShape`] catalog covers.
pub const SKILLS_PER_GUIDE: usize = 5;
/// The most prerequisites a skill of a [`SharedShape`] catalog has.
const SHARED_PREREQUISITES: usize = 3;
/// How many resources each skill of a [`SharedShape`] catalog has.
const SHARED_RESOURCES: usize = 3;
/// How far back a skill of a [`SharedShape`] catalog looks for prerequisites.
const SHARED_WINDOW: usize = 100;

/// Generates a catalog of `shape` from `seed`: every skill has 0–3
/// prerequisites among the skills before it (a DAG by construction), three
/// resources, and a parent-free place on any number of roadmaps.
pub fn generate_shared(shape: SharedShape, seed: u64) -> Result<Bundle, GenerateError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut bundle = Bundle {
        format: BundleFormat,
        ..Bundle::default()
    };
    let mut slugs: Vec<Slug> = Vec::with_capacity(shape.skills);
    for i in 0..shape.skills {
        let adjective = ADJECTIVES.choose(&mut rng).copied().unwrap_or("general");
        let noun = NOUNS.choose(&mut rng).copied().unwrap_or("skills");
        let this = slug(&format!("{adjective}-{noun}-{i}"))?;
        let candidates = i.min(SHARED_WINDOW);
        let wanted = rng.random_range(0..=SHARED_PREREQUISITES).min(candidates);
        let prerequisites = rand::seq::index::sample(&mut rng, candidates, wanted)
            .into_iter()
            .map(|back| BundlePrerequisite {
                skill: slugs[i - 1 - back].clone(),
                strength: if rng.random_bool(0.7) {
                    Strength::Required
                } else {
                    Strength::Recommended
                },
            })
            .collect();
        let name = format!("{} {} {i}", capitalise(adjective), noun);
        let resource = |kind, title: String, host: &str| -> Result<BundleResource, ValueError> {
            Ok(BundleResource {
                kind,
                title: Title::parse(title)?,
                url: HttpsUrl::parse(format!("https://{host}.example.com/{this}"))?,
            })
        };
        let resources = vec![
            resource(ResourceKind::Official, format!("{name} reference"), "docs")?,
            resource(
                ResourceKind::Article,
                format!("Working with {adjective} {noun}"),
                "articles",
            )?,
            resource(
                ResourceKind::Video,
                format!("{name} in twenty minutes"),
                "videos",
            )?,
        ];
        debug_assert_eq!(resources.len(), SHARED_RESOURCES);
        bundle.skills.push(BundleSkill {
            slug: this.clone(),
            name: Title::parse(&name)?,
            summary: Summary::parse(format!(
                "What {adjective} {noun} are, when they help and how to practise them."
            ))?,
            description: Markdown::parse(format!(
                "Skill {i} of the generated catalog, about {adjective} {noun}."
            ))?,
            level: [Level::Beginner, Level::Intermediate, Level::Advanced][i % 3],
            tags: vec![slug(TAGS[i % TAGS.len()])?],
            aliases: Vec::new(),
            external_ids: Vec::new(),
            parent: None,
            prerequisites,
            related: Vec::new(),
            resources,
        });
        slugs.push(this);
    }

    let per_roadmap = (shape.sections * shape.items).min(shape.skills);
    for r in 0..shape.roadmaps {
        let mut picked = rand::seq::index::sample(&mut rng, shape.skills, per_roadmap).into_vec();
        picked.sort_unstable(); // basics first, as a learner would meet them
        let sections = picked
            .chunks(shape.items.max(1))
            .enumerate()
            .map(|(n, chunk)| {
                Ok(BundleSection {
                    title: Title::parse(format!("Stage {}", n + 1))?,
                    description: Markdown::parse(format!("Stage {} of roadmap {r}.", n + 1))?,
                    items: chunk.iter().map(|&s| item(&slugs, s)).collect(),
                })
            })
            .collect::<Result<Vec<_>, ValueError>>()?;
        bundle.roadmaps.push(BundleRoadmap {
            slug: slug(&format!("roadmap-{r}"))?,
            title: Title::parse(format!("Roadmap {r}"))?,
            description: Markdown::parse(format!("Generated roadmap {r} over shared skills."))?,
            related: Vec::new(),
            sections,
        });
    }

    let authors = 10;
    bundle.authors = generated_authors(authors)?;
    for g in 0..shape.guides {
        let mut covered: Vec<Slug> =
            rand::seq::index::sample(&mut rng, shape.skills, SKILLS_PER_GUIDE.min(shape.skills))
                .into_iter()
                .map(|s| slugs[s].clone())
                .collect();
        covered.sort();
        let title = format!(
            "A guide to {} {} ({g})",
            ADJECTIVES[g % ADJECTIVES.len()],
            NOUNS[(g / ADJECTIVES.len()) % NOUNS.len()]
        );
        bundle
            .guides
            .push(generated_guide(g, title, authors, Vec::new(), covered)?);
    }
    Ok(bundle)
}

/// The generated catalogs' authors, `author-0` onwards.
fn generated_authors(count: usize) -> Result<Vec<BundleAuthor>, ValueError> {
    (0..count)
        .map(|a| {
            Ok(BundleAuthor {
                id: slug(&format!("author-{a}"))?,
                name: Title::parse(format!("Author {a}"))?,
                links: vec![HttpsUrl::parse(format!("https://authors.example.com/{a}"))?],
            })
        })
        .collect()
}

/// Guide `g` of a generated catalog, written by one of `authors` authors.
fn generated_guide(
    g: usize,
    title: String,
    authors: usize,
    related: Vec<Slug>,
    skills: Vec<Slug>,
) -> Result<BundleGuide, ValueError> {
    Ok(BundleGuide {
        slug: slug(&format!("guide-{g}"))?,
        title: Title::parse(title)?,
        description: Markdown::parse(format!("Generated guide {g}."))?,
        url: HttpsUrl::parse(format!("https://guides.example.com/{g}"))?,
        author: Some(slug(&format!("author-{}", g % authors))?),
        published: None,
        tags: vec![slug(TAGS[g % TAGS.len()])?],
        body: None,
        related,
        skills,
    })
}

/// The roadmap item of skill `s`: every seventh one optional.
fn item(slugs: &[Slug], s: usize) -> BundleItem {
    BundleItem {
        skill: slugs[s].clone(),
        recommendation: if s.is_multiple_of(7) {
            Recommendation::Optional
        } else {
            Recommendation::Recommended
        },
        children: Vec::new(),
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use skillgraph_domain::Catalog;

    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_consistent_catalog() {
        let a = generate(2_000, 7).unwrap();
        assert_eq!(a, generate(2_000, 7).unwrap());
        assert_ne!(a, generate(2_000, 8).unwrap());
        let catalog = Catalog::from_bundle(&a).unwrap();
        assert_eq!(catalog.skills().len(), 2_000);
        let per_skill = catalog.prerequisite_count() as f64 / 2_000.0;
        assert!(
            (3.5..4.5).contains(&per_skill),
            "{per_skill} edges per skill"
        );
        assert_eq!(catalog.roadmaps().len(), 4);
        assert_eq!(catalog.guides().len(), 20);
    }

    #[test]
    fn the_shared_shape_is_the_one_asked_for() {
        let bundle = generate_shared(SharedShape::BENCH, 3).unwrap();
        assert_eq!(bundle, generate_shared(SharedShape::BENCH, 3).unwrap());
        let catalog = Catalog::from_bundle(&bundle).unwrap();
        assert_eq!(catalog.skills().len(), 2_000);
        assert_eq!(catalog.roadmaps().len(), 20);
        assert_eq!(catalog.guides().len(), 200);
        for roadmap in &bundle.roadmaps {
            assert_eq!(roadmap.sections.len(), 6);
            assert!(roadmap.sections.iter().all(|s| s.items.len() == 25));
        }
        assert!(
            bundle
                .skills
                .iter()
                .all(|s| s.prerequisites.len() <= 3 && s.resources.len() == 3)
        );
        assert!(
            bundle
                .guides
                .iter()
                .all(|g| g.skills.len() == SKILLS_PER_GUIDE)
        );
        let per_skill = catalog.prerequisite_count() as f64 / 2_000.0;
        assert!(
            (1.2..1.8).contains(&per_skill),
            "{per_skill} edges per skill"
        );
    }

    #[test]
    fn a_bundle_larger_than_the_yaml_parsers_default_budget_parses() {
        // About 400,000 YAML nodes, past serde-saphyr's default of 250,000.
        let bundle = generate_shared(SharedShape::BENCH.scaled(2), 5).unwrap();
        let text = crate::to_yaml(&bundle).unwrap();
        assert_eq!(crate::parse("generated", &text).unwrap(), bundle);
    }

    #[test]
    fn a_generated_bundle_survives_the_file_format() {
        let bundle = generate(600, 1).unwrap();
        let text = crate::to_yaml(&bundle).unwrap();
        assert_eq!(crate::parse("generated", &text).unwrap(), bundle);
    }
}
