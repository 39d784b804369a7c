//! Times updates of the search index against a full build, on a generated
//! catalog (100,000 skills unless given), with the server's allocator:
//! `cargo run --release -p skillgraph-search --example update_timing [skills]`.

use std::time::{Duration, Instant};

use skillgraph_domain::catalog::CatalogParts;
use skillgraph_domain::{Catalog, HttpsUrl, Resource, ResourceId, ResourceKind, SkillId, Title};
use skillgraph_search::{SearchIndex, Touched};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Queries timed before and after the updates.
const QUERIES: &[&str] = &[
    "kubernetes",
    "kubernets",
    "kub",
    "postgre",
    "graphql federation",
    "rust web",
    "containr",
    "the",
    "api design",
    "data",
];

fn main() {
    let skills = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let bundle = skillgraph_bundle::generate::generate(skills, 7).expect("generates");
    let catalog = Catalog::from_bundle(&bundle).expect("consistent");
    drop(bundle);
    // The skills, resources and guides with their ids, without the links
    // between them, so that deleting a skill leaves a consistent catalog.
    let mut parts = CatalogParts::default();
    for skill in catalog.skills() {
        let mut skill = skill.clone();
        skill.parent = None;
        parts
            .resources
            .extend(catalog.resources(skill.id).iter().cloned());
        parts.skills.push(skill);
    }
    for guide in catalog.guides() {
        let mut guide = guide.clone();
        guide.author = None;
        guide.related.clear();
        guide.skills.clear();
        parts.guides.push(guide);
    }
    let mut catalog = Catalog::build(parts.clone()).expect("consistent");

    let started = Instant::now();
    let mut index = SearchIndex::build(&catalog).expect("build");
    println!("build: {:?} ({index:?})", started.elapsed());
    println!("query, mean: {:?}", mean_query(&index));

    let mut next_id = 1 << 40;
    let mut times = Vec::new();
    for step in 0..100usize {
        let mut touched = Touched::default();
        let at = (step * 7919) % parts.skills.len();
        match step % 4 {
            0 => {
                let skill = &mut parts.skills[at];
                skill.name = Title::parse(format!("{} renamed {step}", skill.name)).expect("name");
                touched.skills.push(skill.id);
            }
            1 => {
                let skill = &mut parts.skills[at];
                skill.aliases.clear();
                skill.tags.reverse();
                touched.skills.push(skill.id);
            }
            2 => {
                next_id += 1;
                parts.resources.push(Resource {
                    id: ResourceId(next_id),
                    skill: parts.skills[at].id,
                    kind: ResourceKind::Article,
                    title: Title::parse(format!("Kubernetes operators, part {step}"))
                        .expect("title"),
                    url: HttpsUrl::parse("https://example.com/k").expect("url"),
                });
                touched.resources.push(ResourceId(next_id));
            }
            _ => {
                let gone: SkillId = parts.skills.remove(at).id;
                parts.resources.retain(|r| r.skill != gone);
                touched.skills.push(gone);
            }
        }
        let next = Catalog::build(parts.clone()).expect("consistent");
        let started = Instant::now();
        index = index.updated(&catalog, &next, &touched).expect("update");
        times.push(started.elapsed());
        catalog = next;
    }
    times.sort();
    println!(
        "update: median {:?}, p90 {:?}, max {:?} ({index:?})",
        times[times.len() / 2],
        times[times.len() * 9 / 10],
        times[times.len() - 1],
    );
    println!("query after the updates, mean: {:?}", mean_query(&index));
    let started = Instant::now();
    let fresh = SearchIndex::build(&catalog).expect("build");
    println!("build of the result: {:?}", started.elapsed());
    println!("query of the build, mean: {:?}", mean_query(&fresh));
}

fn mean_query(index: &SearchIndex) -> Duration {
    // Once to warm up, then timed.
    for query in QUERIES {
        index.search(query, &[], 0, 20).expect("search");
    }
    let started = Instant::now();
    for _ in 0..10 {
        for query in QUERIES {
            index.search(query, &[], 0, 20).expect("search");
        }
    }
    started.elapsed() / (10 * QUERIES.len() as u32)
}
