//! A learner's view of the catalog: progress on a roadmap and what to learn
//! next, from the learner's status per skill. The statuses live elsewhere
//! (the database); these answers take them as a lookup.

use crate::catalog::Catalog;
use crate::model::{RoadmapId, SkillId};
use crate::values::{LearningStatus, Strength};

/// How far a learner has come on one roadmap; each skill counts once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Skills marked done.
    pub done: usize,
    /// Skills being learnt.
    pub learning: usize,
    /// Skills passed over.
    pub skipped: usize,
    /// Skills on the roadmap.
    pub total: usize,
}

impl Progress {
    /// The share of the roadmap finished (done or skipped), 0 to 100.
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        ((self.done + self.skipped) as f64 * 1000.0 / self.total as f64).round() / 10.0
    }

    /// Whether the learner has begun anything on the roadmap.
    pub fn started(&self) -> bool {
        self.done + self.learning + self.skipped > 0
    }
}

impl Catalog {
    /// The distinct skills of a roadmap, in roadmap order.
    pub fn roadmap_skills(&self, roadmap: RoadmapId) -> Vec<SkillId> {
        let mut seen = std::collections::HashSet::new();
        self.roadmap(roadmap)
            .map(|r| {
                r.items()
                    .map(|i| i.skill)
                    .filter(|s| seen.insert(*s))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A learner's progress on a roadmap.
    pub fn progress(
        &self,
        roadmap: RoadmapId,
        status: impl Fn(SkillId) -> LearningStatus,
    ) -> Progress {
        let mut progress = Progress::default();
        for skill in self.roadmap_skills(roadmap) {
            progress.total += 1;
            match status(skill) {
                LearningStatus::Done => progress.done += 1,
                LearningStatus::Learning => progress.learning += 1,
                LearningStatus::Skipped => progress.skipped += 1,
                LearningStatus::NotStarted => {}
            }
        }
        progress
    }

    /// What to learn next on a roadmap: its skills that are neither done
    /// nor skipped and whose required prerequisites (on the roadmap or off
    /// it) are all done, in roadmap order, at most `first`.
    pub fn next_skills(
        &self,
        roadmap: RoadmapId,
        status: impl Fn(SkillId) -> LearningStatus,
        first: usize,
    ) -> Vec<SkillId> {
        self.roadmap_skills(roadmap)
            .into_iter()
            .filter(|&skill| {
                !matches!(
                    status(skill),
                    LearningStatus::Done | LearningStatus::Skipped
                )
            })
            .filter(|&skill| {
                self.prerequisites(skill)
                    .iter()
                    .filter(|p| p.strength == Strength::Required)
                    .all(|p| status(p.requires) == LearningStatus::Done)
            })
            .take(first)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::bundle::{Bundle, BundleItem, BundleRoadmap, BundleSection};
    use crate::graph::tests::skill;
    use crate::values::{Recommendation, Slug, Title};

    fn catalog() -> Catalog {
        let r = Strength::Required;
        let item = |s: &str| BundleItem {
            skill: Slug::parse(s).unwrap(),
            recommendation: Recommendation::Recommended,
            children: vec![],
        };
        Catalog::from_bundle(&Bundle {
            skills: vec![
                skill("a", &[]),
                skill("b", &[("a", r)]),
                skill("c", &[("a", Strength::Recommended)]),
                skill("d", &[("b", r), ("off", r)]),
                skill("off", &[]),
            ],
            roadmaps: vec![BundleRoadmap {
                slug: Slug::parse("r").unwrap(),
                title: Title::parse("R").unwrap(),
                description: Default::default(),
                related: vec![],
                sections: vec![BundleSection {
                    title: Title::parse("S").unwrap(),
                    description: Default::default(),
                    items: vec![item("a"), item("b"), item("c"), item("d")],
                }],
            }],
            ..Bundle::default()
        })
        .unwrap()
    }

    #[test]
    fn progress_and_next_skills_follow_the_statuses() {
        let catalog = catalog();
        let roadmap = catalog.roadmap_by_slug("r").unwrap().id;
        let id = |s: &str| catalog.skill_by_slug(s).unwrap().id;
        let mut statuses = HashMap::new();
        let status = |m: &HashMap<SkillId, LearningStatus>| {
            let m = m.clone();
            move |s| m.get(&s).copied().unwrap_or(LearningStatus::NotStarted)
        };
        assert_eq!(
            catalog.next_skills(roadmap, status(&statuses), 10),
            [id("a"), id("c")]
        );
        statuses.insert(id("a"), LearningStatus::Done);
        statuses.insert(id("c"), LearningStatus::Learning);
        assert_eq!(
            catalog.next_skills(roadmap, status(&statuses), 10),
            [id("b"), id("c")]
        );
        statuses.insert(id("b"), LearningStatus::Done);
        assert_eq!(
            catalog.next_skills(roadmap, status(&statuses), 10),
            [id("c")],
            "d also needs a skill off the roadmap"
        );
        statuses.insert(id("off"), LearningStatus::Done);
        assert_eq!(
            catalog.next_skills(roadmap, status(&statuses), 1),
            [id("c")]
        );
        let progress = catalog.progress(roadmap, status(&statuses));
        assert_eq!(
            progress,
            Progress {
                done: 2,
                learning: 1,
                skipped: 0,
                total: 4
            },
            "off is not on the roadmap"
        );
        assert_eq!(progress.percent(), 50.0);
    }
}
