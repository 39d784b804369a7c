use std::collections::{BTreeSet, HashMap};

use proptest::prelude::*;

use super::*;
use crate::bundle::{
    Bundle, BundleItem, BundlePrerequisite, BundleRoadmap, BundleSection, BundleSkill,
};
use crate::values::{Level, Markdown, Recommendation, Summary, Title};

pub(crate) fn slug(text: &str) -> Slug {
    Slug::parse(text).unwrap()
}

/// A bare skill that needs `needs`; shared by the domain's tests.
pub(crate) fn skill(name: &str, needs: &[(&str, Strength)]) -> BundleSkill {
    BundleSkill {
        slug: slug(name),
        name: Title::parse(name).unwrap(),
        summary: Summary::parse("a skill").unwrap(),
        description: Markdown::default(),
        level: Level::Beginner,
        tags: vec![],
        aliases: vec![],
        external_ids: vec![],
        parent: None,
        prerequisites: needs
            .iter()
            .map(|(s, strength)| BundlePrerequisite {
                skill: slug(s),
                strength: *strength,
            })
            .collect(),
        related: vec![],
        resources: vec![],
    }
}

const R: Strength = Strength::Required;
const O: Strength = Strength::Recommended;

/// a <- b <- d, a <- c <- d (c recommended), d <- e; x alone; roadmap lists e, d, c, b, a, x.
fn diamond() -> Catalog {
    let skills = vec![
        skill("a", &[]),
        skill("b", &[("a", R)]),
        skill("c", &[("a", R)]),
        skill("d", &[("b", R), ("c", O)]),
        skill("e", &[("d", R)]),
        skill("x", &[]),
    ];
    let items = ["e", "d", "c", "b", "a", "x"]
        .iter()
        .map(|s| BundleItem {
            skill: slug(s),
            recommendation: Recommendation::Recommended,
            children: vec![],
        })
        .collect();
    Catalog::from_bundle(&Bundle {
        skills,
        roadmaps: vec![BundleRoadmap {
            slug: slug("r"),
            title: Title::parse("R").unwrap(),
            description: Markdown::default(),
            related: vec![],
            sections: vec![BundleSection {
                title: Title::parse("S").unwrap(),
                description: Markdown::default(),
                items,
            }],
        }],
        ..Bundle::default()
    })
    .unwrap()
}

fn id(catalog: &Catalog, slug: &str) -> SkillId {
    catalog.skill_by_slug(slug).unwrap().id
}

fn names(catalog: &Catalog, ids: impl IntoIterator<Item = SkillId>) -> Vec<String> {
    ids.into_iter()
        .map(|i| catalog.skill(i).unwrap().slug.to_string())
        .collect()
}

#[test]
fn transitive_prerequisites_carry_distance_and_strength() {
    let catalog = diamond();
    let reached = catalog.transitive(
        id(&catalog, "e"),
        Towards::Prerequisites,
        EdgeFilter::All,
        None,
    );
    let summary: Vec<_> = reached
        .iter()
        .map(|r| {
            (
                catalog.skill(r.skill).unwrap().slug.to_string(),
                r.distance,
                r.strength,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("d".into(), 1, R),
            ("c".into(), 2, O),
            ("b".into(), 2, R),
            ("a".into(), 3, R),
        ]
    );
    let near = catalog.transitive(
        id(&catalog, "e"),
        Towards::Prerequisites,
        EdgeFilter::All,
        Some(2),
    );
    assert_eq!(near.len(), 3);
    let required = catalog.transitive(
        id(&catalog, "e"),
        Towards::Prerequisites,
        EdgeFilter::Only(R),
        None,
    );
    assert_eq!(
        names(&catalog, required.iter().map(|r| r.skill)),
        ["d", "b", "a"]
    );
    let unlocked = catalog.transitive(
        id(&catalog, "a"),
        Towards::Dependents,
        EdgeFilter::All,
        None,
    );
    assert_eq!(
        names(&catalog, unlocked.iter().map(|r| r.skill)),
        ["c", "b", "d", "e"]
    );
}

#[test]
fn a_learning_path_orders_prerequisites_first_and_breaks_ties_by_roadmap_order() {
    let catalog = diamond();
    let path = catalog
        .learning_path(&[id(&catalog, "e")], &[], EdgeFilter::All)
        .unwrap();
    // c comes before b: both are free after a, and the roadmap lists c first.
    assert_eq!(
        names(&catalog, path.iter().map(|s| s.skill)),
        ["a", "c", "b", "d", "e"]
    );
    assert!(path.iter().all(|s| s.needed_by == [id(&catalog, "e")]));

    let required_only = catalog
        .learning_path(&[id(&catalog, "e")], &[], EdgeFilter::Only(R))
        .unwrap();
    assert_eq!(
        names(&catalog, required_only.iter().map(|s| s.skill)),
        ["a", "b", "d", "e"]
    );
}

#[test]
fn known_skills_and_what_only_they_need_are_left_out() {
    let catalog = diamond();
    let path = catalog
        .learning_path(&[id(&catalog, "e")], &[id(&catalog, "b")], EdgeFilter::All)
        .unwrap();
    // a is still needed through c.
    assert_eq!(
        names(&catalog, path.iter().map(|s| s.skill)),
        ["a", "c", "d", "e"]
    );
    let path = catalog
        .learning_path(&[id(&catalog, "e")], &[id(&catalog, "d")], EdgeFilter::All)
        .unwrap();
    assert_eq!(names(&catalog, path.iter().map(|s| s.skill)), ["e"]);
    let path = catalog
        .learning_path(&[id(&catalog, "e")], &[id(&catalog, "e")], EdgeFilter::All)
        .unwrap();
    assert!(path.is_empty());
}

#[test]
fn each_step_names_the_targets_that_need_it() {
    let catalog = diamond();
    let (b, c) = (id(&catalog, "b"), id(&catalog, "c"));
    let path = catalog
        .learning_path(&[b, c], &[], EdgeFilter::All)
        .unwrap();
    let needs: HashMap<_, _> = path
        .iter()
        .map(|s| {
            (
                catalog.skill(s.skill).unwrap().slug.to_string(),
                s.needed_by.clone(),
            )
        })
        .collect();
    assert_eq!(needs["a"], [b, c]);
    assert_eq!(needs["b"], [b]);
    assert_eq!(needs["c"], [c]);
    assert!(matches!(
        catalog.learning_path(&vec![b; MAX_TARGETS + 1], &[], EdgeFilter::All),
        Err(PathError::TooManyTargets { .. })
    ));
}

#[test]
fn the_shortest_prerequisite_path_runs_from_basics_to_the_target() {
    let catalog = diamond();
    let path = catalog
        .prerequisite_path(id(&catalog, "a"), id(&catalog, "e"))
        .unwrap();
    assert_eq!(path.len(), 4);
    assert_eq!(names(&catalog, [path[0], path[3]]), ["a", "e"]);
    assert_eq!(
        catalog.prerequisite_path(id(&catalog, "e"), id(&catalog, "a")),
        None
    );
    assert_eq!(
        catalog.prerequisite_path(id(&catalog, "x"), id(&catalog, "a")),
        None
    );
}

#[test]
fn a_roadmap_learning_order_respects_the_graph_and_otherwise_the_roadmap() {
    let catalog = diamond();
    let roadmap = catalog.roadmap_by_slug("r").unwrap().id;
    // The roadmap lists e, d, c, b, a, x; the graph forces a first and e after d.
    assert_eq!(
        names(&catalog, catalog.roadmap_learning_order(roadmap)),
        ["a", "c", "b", "d", "e", "x"]
    );
}

#[test]
fn a_new_edge_that_closes_a_cycle_is_named() {
    let catalog = diamond();
    let (a, e, x) = (id(&catalog, "a"), id(&catalog, "e"), id(&catalog, "x"));
    assert_eq!(catalog.check_prerequisite(e, a), Ok(()));
    assert_eq!(catalog.check_prerequisite(a, x), Ok(()));
    let WouldCycle(cycle) = catalog.check_prerequisite(a, e).unwrap_err();
    assert_eq!(cycle.first().map(Slug::as_str), Some("a"));
    assert_eq!(cycle.last().map(Slug::as_str), Some("a"));
    assert_eq!(cycle[cycle.len() - 2].as_str(), "e");
    assert_eq!(cycle.len(), 5, "{cycle:?}");
    assert!(catalog.check_prerequisite(a, a).is_err());
    assert!(catalog.check_parent(a, a).is_err());
    assert_eq!(catalog.check_parent(a, e), Ok(()));
}

/// A random DAG: edges only from a higher-numbered skill to a lower one.
fn random_dag() -> impl Strategy<Value = (usize, Vec<(usize, usize, bool)>)> {
    (2usize..24).prop_flat_map(|n| {
        let edges = proptest::collection::vec(
            (1..n).prop_flat_map(|dependent| (Just(dependent), 0..dependent, any::<bool>())),
            0..(n * 3),
        );
        (Just(n), edges)
    })
}

fn build((n, edges): &(usize, Vec<(usize, usize, bool)>)) -> Catalog {
    let mut skills: Vec<BundleSkill> = (0..*n).map(|i| skill(&format!("s{i}"), &[])).collect();
    let mut seen = BTreeSet::new();
    for &(dependent, required, is_required) in edges {
        if seen.insert((dependent, required)) {
            skills[dependent].prerequisites.push(BundlePrerequisite {
                skill: slug(&format!("s{required}")),
                strength: if is_required { R } else { O },
            });
        }
    }
    skills.reverse(); // ids no longer follow the edges' direction
    Catalog::from_bundle(&Bundle {
        skills,
        ..Bundle::default()
    })
    .unwrap()
}

/// Everything reachable from `start` following `next`, by plain iteration to a fixed point.
fn reference_reach(
    catalog: &Catalog,
    start: SkillId,
    next: impl Fn(SkillId) -> Vec<SkillId>,
    blocked: &BTreeSet<SkillId>,
) -> BTreeSet<SkillId> {
    let mut reached = BTreeSet::from([start]);
    loop {
        let grown: BTreeSet<SkillId> = reached
            .iter()
            .flat_map(|&s| next(s))
            .filter(|s| !blocked.contains(s))
            .chain(reached.iter().copied())
            .collect();
        if grown.len() == reached.len() {
            let _ = catalog;
            return reached;
        }
        reached = grown;
    }
}

proptest! {
    #[test]
    fn transitive_sets_equal_reference_reachability(dag in random_dag(), pick in any::<prop::sample::Index>()) {
        let catalog = build(&dag);
        let ids: Vec<SkillId> = catalog.skills().map(|s| s.id).collect();
        let start = ids[pick.index(ids.len())];
        let prerequisites = |s: SkillId| catalog.prerequisites(s).iter().map(|p| p.requires).collect();
        let dependents = |s: SkillId| catalog.dependents(s).iter().map(|p| p.skill).collect();
        let mut expected = reference_reach(&catalog, start, prerequisites, &BTreeSet::new());
        expected.remove(&start);
        let got: BTreeSet<_> = catalog
            .transitive(start, Towards::Prerequisites, EdgeFilter::All, None)
            .iter().map(|r| r.skill).collect();
        prop_assert_eq!(got, expected);
        let mut expected = reference_reach(&catalog, start, dependents, &BTreeSet::new());
        expected.remove(&start);
        let got: BTreeSet<_> = catalog
            .transitive(start, Towards::Dependents, EdgeFilter::All, None)
            .iter().map(|r| r.skill).collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn every_learning_path_respects_every_edge_and_holds_exactly_what_is_needed(
        dag in random_dag(),
        targets in proptest::collection::vec(any::<prop::sample::Index>(), 1..4),
        known in proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
        required_only in any::<bool>(),
    ) {
        let catalog = build(&dag);
        let ids: Vec<SkillId> = catalog.skills().map(|s| s.id).collect();
        let targets: Vec<SkillId> = targets.iter().map(|i| ids[i.index(ids.len())]).collect();
        let known: BTreeSet<SkillId> = known.iter().map(|i| ids[i.index(ids.len())]).collect();
        let filter = if required_only { EdgeFilter::Only(R) } else { EdgeFilter::All };
        let known_list: Vec<_> = known.iter().copied().collect();
        let path = catalog.learning_path(&targets, &known_list, filter).unwrap();
        let position: HashMap<SkillId, usize> =
            path.iter().enumerate().map(|(i, s)| (s.skill, i)).collect();
        prop_assert_eq!(position.len(), path.len(), "no skill twice");

        // Every admitted edge between two steps points forward.
        for step in &path {
            for p in catalog.prerequisites(step.skill) {
                if let Some(&before) = position.get(&p.requires)
                    && filter.admits(p.strength)
                {
                    prop_assert!(before < position[&step.skill]);
                }
            }
        }
        // The steps are exactly the skills reachable back from the unknown targets without crossing a known skill.
        let admitted = |s: SkillId| -> Vec<SkillId> {
            catalog.prerequisites(s).iter().filter(|p| filter.admits(p.strength)).map(|p| p.requires).collect()
        };
        let mut expected = BTreeSet::new();
        for &t in targets.iter().filter(|t| !known.contains(t)) {
            expected.extend(reference_reach(&catalog, t, admitted, &known));
        }
        let got: BTreeSet<_> = path.iter().map(|s| s.skill).collect();
        prop_assert_eq!(got, expected);
        // The same question gives the same answer.
        prop_assert_eq!(catalog.learning_path(&targets, &known_list, filter).unwrap(), path);
    }

    #[test]
    fn the_cycle_check_agrees_with_building_the_catalog(dag in random_dag(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let catalog = build(&dag);
        let ids: Vec<SkillId> = catalog.skills().map(|s| s.id).collect();
        let (skill, requires) = (ids[a.index(ids.len())], ids[b.index(ids.len())]);
        let already = catalog.prerequisites(skill).iter().any(|p| p.requires == requires);
        prop_assume!(!already && skill != requires);
        let mut bundle = catalog.to_bundle();
        let skill_slug = catalog.skill(skill).unwrap().slug.clone();
        let requires_slug = catalog.skill(requires).unwrap().slug.clone();
        bundle.skills.iter_mut().find(|s| s.slug == skill_slug).unwrap().prerequisites.push(
            BundlePrerequisite { skill: requires_slug, strength: R },
        );
        let rebuilt = Catalog::from_bundle(&bundle);
        match catalog.check_prerequisite(skill, requires) {
            Ok(()) => prop_assert!(rebuilt.is_ok()),
            Err(WouldCycle(cycle)) => {
                prop_assert!(matches!(rebuilt, Err(crate::CatalogError::PrerequisiteCycle(_))));
                // Each slug of the cycle is a prerequisite of the next.
                for pair in cycle.windows(2) {
                    let (before, after) = (catalog.skill_by_slug(pair[0].as_str()).unwrap(), catalog.skill_by_slug(pair[1].as_str()).unwrap());
                    let edge = catalog.prerequisites(after.id).iter().any(|p| p.requires == before.id)
                        || (before.id == requires && after.id == skill);
                    prop_assert!(edge, "{:?}", cycle);
                }
            }
        }
    }
}
