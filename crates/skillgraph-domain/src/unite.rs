//! Uniting two descriptions of the same things, losing nothing.
//!
//! [`Bundle::merged`] lets the newcomer replace a skill whole, which is right
//! for a curator's own export. Sources that each describe only part of a
//! skill (two roadmaps that both list "Testing", a roadmap imported into a
//! catalog that already holds it) must instead be *united*: lists are
//! unioned, the richer text is kept, and every choice the union had to make
//! between two values is told as a [`UniteNote`], so nothing is lost
//! silently.

use std::collections::{HashMap, HashSet};

use petgraph::algo::has_path_connecting;
use petgraph::graphmap::DiGraphMap;

use crate::bundle::{
    Bundle, BundleAuthor, BundleFormat, BundleGuide, BundlePrerequisite, BundleResource,
    BundleSkill,
};
use crate::values::{Alias, MAX_ALIASES, MAX_EXTERNAL_IDS, MAX_LINKS, MAX_TAGS, Slug, Strength};

/// A choice a union made between two values, or a fact it had to leave
/// out; the importer shows these as warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniteNote {
    /// The skill, guide or author the note is about.
    pub subject: Slug,
    /// What was kept and what was not.
    pub message: String,
}

fn note(notes: &mut Vec<UniteNote>, subject: &Slug, message: String) {
    notes.push(UniteNote {
        subject: subject.clone(),
        message,
    });
}

/// Adds the items of `more` that `list` lacks (by `key`), in order, up to
/// `max` items; answers how many were left out for the limit.
fn union_by<T: Clone, K: Eq + std::hash::Hash>(
    list: &mut Vec<T>,
    more: &[T],
    max: usize,
    key: impl Fn(&T) -> K,
) -> usize {
    let mut seen: HashSet<K> = list.iter().map(&key).collect();
    let mut left_out = 0;
    for item in more {
        if seen.insert(key(item)) {
            if list.len() < max {
                list.push(item.clone());
            } else {
                left_out += 1;
            }
        }
    }
    left_out
}

/// Resource urls compared without a trailing slash.
fn url_key(resource: &BundleResource) -> String {
    resource.url.as_str().trim_end_matches('/').to_owned()
}

/// Adds the resources of `more` whose urls `list` lacks, after those it has.
pub fn unite_resources(list: &mut Vec<BundleResource>, more: &[BundleResource]) {
    union_by(list, more, usize::MAX, url_key);
}

impl BundleSkill {
    /// Unites `other`, another description of this skill, into this one:
    /// tags, aliases, external ids, resources (by url), prerequisites and
    /// "see also" links are unioned; the longer description is kept, with
    /// the summary that came with it; name, level and parent stay this
    /// one's unless it has none. A differing name becomes an alias. Every
    /// value of `other` that could not be kept is told in `notes`.
    pub fn unite(&mut self, other: &BundleSkill, notes: &mut Vec<UniteNote>) {
        let slug = self.slug.clone();
        if other.name != self.name
            && let Ok(alias) = Alias::parse(other.name.as_str())
            && !self.aliases.contains(&alias)
        {
            self.aliases.push(alias);
        }
        let (ours, theirs) = (self.description.as_str(), other.description.as_str());
        if theirs.trim().len() > ours.trim().len() {
            if !ours.trim().is_empty() {
                note(
                    notes,
                    &slug,
                    format!("`{slug}` has two descriptions; the longer (the newcomer's) is kept"),
                );
            }
            self.description = other.description.clone();
            self.summary = other.summary.clone();
        } else if !theirs.trim().is_empty() && theirs.trim() != ours.trim() {
            note(
                notes,
                &slug,
                format!("`{slug}` has two descriptions; the longer (the one it had) is kept"),
            );
        }
        match (&self.parent, &other.parent) {
            (None, Some(parent)) => self.parent = Some(parent.clone()),
            (Some(ours), Some(theirs)) if ours != theirs => note(
                notes,
                &slug,
                format!(
                    "`{slug}` is under `{ours}`, and under `{theirs}` in the newcomer; it stays under `{ours}`"
                ),
            ),
            _ => {}
        }
        if self.level != other.level {
            note(
                notes,
                &slug,
                format!(
                    "`{slug}` is {:?} and {:?} in the newcomer; it stays {:?}",
                    self.level, other.level, self.level
                ),
            );
        }
        let limited = [
            (
                "tags",
                union_by(&mut self.tags, &other.tags, MAX_TAGS, Clone::clone),
                MAX_TAGS,
            ),
            (
                "aliases",
                union_by(&mut self.aliases, &other.aliases, MAX_ALIASES, |a| {
                    a.as_str().to_lowercase()
                }),
                MAX_ALIASES,
            ),
            (
                "external ids",
                union_by(
                    &mut self.external_ids,
                    &other.external_ids,
                    MAX_EXTERNAL_IDS,
                    Clone::clone,
                ),
                MAX_EXTERNAL_IDS,
            ),
        ];
        for (what, left_out, max) in limited {
            if left_out > 0 {
                note(
                    notes,
                    &slug,
                    format!("`{slug}` keeps at most {max} {what}; {left_out} more are left out"),
                );
            }
        }
        unite_resources(&mut self.resources, &other.resources);
        union_by(&mut self.related, &other.related, usize::MAX, Clone::clone);
        self.related.retain(|r| *r != slug);
        for prerequisite in &other.prerequisites {
            match self
                .prerequisites
                .iter_mut()
                .find(|p| p.skill == prerequisite.skill)
            {
                // The stronger of the two claims holds.
                Some(known) if prerequisite.strength == Strength::Required => {
                    known.strength = Strength::Required;
                }
                Some(_) => {}
                None => self.prerequisites.push(prerequisite.clone()),
            }
        }
    }
}

impl BundleGuide {
    /// Unites `other`, another description of this guide: tags, related
    /// guides and covered skills are unioned; the newcomer's title, url,
    /// date and author win, its description and body only when longer.
    fn unite(&mut self, other: &BundleGuide, notes: &mut Vec<UniteNote>) {
        self.title = other.title.clone();
        self.url = other.url.clone();
        self.published = other.published.or(self.published);
        self.author = other.author.clone().or_else(|| self.author.clone());
        if other.description.as_str().len() > self.description.as_str().len() {
            self.description = other.description.clone();
        }
        let body_len =
            |b: &Option<crate::values::Markdown>| b.as_ref().map_or(0, |b| b.as_str().len());
        if body_len(&other.body) > body_len(&self.body) {
            self.body = other.body.clone();
        }
        let left_out = union_by(&mut self.tags, &other.tags, MAX_TAGS, Clone::clone);
        if left_out > 0 {
            note(
                notes,
                &self.slug,
                format!(
                    "guide `{}` keeps at most {MAX_TAGS} tags; {left_out} more are left out",
                    self.slug
                ),
            );
        }
        union_by(&mut self.related, &other.related, usize::MAX, Clone::clone);
        union_by(&mut self.skills, &other.skills, usize::MAX, Clone::clone);
    }
}

impl BundleAuthor {
    /// Unites `other`: the newcomer's name, both sets of links.
    fn unite(&mut self, other: &BundleAuthor, notes: &mut Vec<UniteNote>) {
        self.name = other.name.clone();
        let left_out = union_by(&mut self.links, &other.links, MAX_LINKS, |u| {
            u.as_str().trim_end_matches('/').to_owned()
        });
        if left_out > 0 {
            note(
                notes,
                &self.id,
                format!(
                    "author `{}` keeps at most {MAX_LINKS} links; {left_out} more are left out",
                    self.id
                ),
            );
        }
    }
}

/// Unites each item of `incoming` into the item of `base` with its key.
fn unite_all<T: Clone>(
    base: &[T],
    incoming: &[T],
    key: impl Fn(&T) -> &Slug,
    mut unite: impl FnMut(&mut T, &T),
) -> Vec<T> {
    let known: HashMap<&Slug, &T> = base.iter().map(|t| (key(t), t)).collect();
    incoming
        .iter()
        .map(|new| match known.get(key(new)) {
            Some(&old) => {
                let mut united = old.clone();
                unite(&mut united, new);
                united
            }
            None => new.clone(),
        })
        .collect()
}

impl Bundle {
    /// `incoming` made to lose nothing of `self` when it is merged into it
    /// with [`Bundle::merged`]: each skill, guide and author that both hold
    /// is united (see [`BundleSkill::unite`]); roadmaps are the newcomer's,
    /// since a roadmap is one source's order. A prerequisite the union adds
    /// that would close a cycle with the rest of the catalog is left out,
    /// with a note.
    pub fn united_into(&self, incoming: &Bundle) -> (Bundle, Vec<UniteNote>) {
        let mut notes = Vec::new();
        let mut skills = unite_all(
            &self.skills,
            &incoming.skills,
            |s| &s.slug,
            |a, b| a.unite(b, &mut notes),
        );
        let guides = unite_all(
            &self.guides,
            &incoming.guides,
            |g| &g.slug,
            |a, b| a.unite(b, &mut notes),
        );
        let authors = unite_all(
            &self.authors,
            &incoming.authors,
            |a| &a.id,
            |a, b| a.unite(b, &mut notes),
        );
        // The prerequisites of the merged catalog, skills kept from `self`
        // first: those are already acyclic; then each united skill's, left
        // out one by one where they would close a cycle.
        let incoming_slugs: HashSet<&Slug> = incoming.skills.iter().map(|s| &s.slug).collect();
        // A kept skill's "see also" link to a united one is the united
        // skill's to hold, or `merged` would let it go.
        let mut linked_from: HashMap<&Slug, Vec<Slug>> = HashMap::new();
        for kept in self
            .skills
            .iter()
            .filter(|s| !incoming_slugs.contains(&s.slug))
        {
            for other in kept.related.iter().filter(|r| incoming_slugs.contains(r)) {
                linked_from
                    .entry(other)
                    .or_default()
                    .push(kept.slug.clone());
            }
        }
        for skill in &mut skills {
            if let Some(links) = linked_from.get(&skill.slug) {
                union_by(&mut skill.related, links, usize::MAX, Clone::clone);
            }
        }
        // Every edge `self` had is kept (together they are acyclic); an
        // edge only the newcomer brings is left out where it would close a
        // cycle with those and the newcomer's edges kept before it.
        let mut order: DiGraphMap<&str, (), std::hash::RandomState> = DiGraphMap::new();
        for skill in &self.skills {
            for p in &skill.prerequisites {
                order.add_edge(p.skill.as_str(), skill.slug.as_str(), ());
            }
        }
        let mut dropped: Vec<(usize, Slug)> = Vec::new();
        for (at, skill) in skills.iter().enumerate() {
            for p in &skill.prerequisites {
                let (from, to) = (p.skill.as_str(), skill.slug.as_str());
                if order.contains_edge(from, to) {
                    continue;
                }
                if from == to
                    || (order.contains_node(from)
                        && order.contains_node(to)
                        && has_path_connecting(&order, to, from, None))
                {
                    dropped.push((at, p.skill.clone()));
                } else {
                    order.add_edge(from, to, ());
                }
            }
        }
        for (at, prerequisite) in dropped {
            let skill = &mut skills[at];
            skill
                .prerequisites
                .retain(|p: &BundlePrerequisite| p.skill != prerequisite);
            note(
                &mut notes,
                &skill.slug,
                format!(
                    "`{}` requiring `{prerequisite}` would make a prerequisite cycle with the catalog; that prerequisite is left out",
                    skill.slug
                ),
            );
        }
        let bundle = Bundle {
            format: BundleFormat,
            skills,
            roadmaps: incoming.roadmaps.clone(),
            guides,
            authors,
        };
        (bundle, notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Catalog;
    use crate::graph::tests::{skill, slug};
    use crate::values::{HttpsUrl, Markdown, ResourceKind, Summary, Title};

    fn resource(url: &str) -> BundleResource {
        BundleResource {
            kind: ResourceKind::Article,
            title: Title::parse("A read").unwrap(),
            url: HttpsUrl::parse(url).unwrap(),
        }
    }

    #[test]
    fn uniting_a_skill_keeps_every_list_and_the_richer_text() {
        let mut ours = skill("testing", &[("basics", Strength::Recommended)]);
        ours.tags = vec![slug("backend")];
        ours.description =
            Markdown::parse("Checking that code does what it should, by running it.").unwrap();
        ours.summary = Summary::parse("Checking code by running it.").unwrap();
        ours.resources = vec![resource("https://example.org/a")];
        let mut theirs = skill(
            "testing",
            &[
                ("basics", Strength::Required),
                ("python", Strength::Recommended),
            ],
        );
        theirs.name = Title::parse("Testing (Python)").unwrap();
        theirs.tags = vec![slug("python"), slug("backend")];
        theirs.description = Markdown::parse("Short.").unwrap();
        theirs.summary = Summary::parse("Short.").unwrap();
        theirs.resources = vec![
            resource("https://example.org/a/"),
            resource("https://example.org/b"),
        ];
        theirs.parent = Some(slug("quality"));
        let mut notes = Vec::new();
        ours.unite(&theirs, &mut notes);
        assert_eq!(ours.tags, [slug("backend"), slug("python")]);
        let urls: Vec<&str> = ours.resources.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(urls, ["https://example.org/a", "https://example.org/b"]);
        let needs: Vec<(&str, Strength)> = ours
            .prerequisites
            .iter()
            .map(|p| (p.skill.as_str(), p.strength))
            .collect();
        assert_eq!(
            needs,
            [
                ("basics", Strength::Required),
                ("python", Strength::Recommended)
            ]
        );
        assert!(ours.description.as_str().starts_with("Checking"));
        assert_eq!(ours.summary.as_str(), "Checking code by running it.");
        assert_eq!(ours.parent, Some(slug("quality")));
        assert_eq!(ours.aliases.len(), 1, "the other name is an alias");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].message.contains("the one it had"));
    }

    #[test]
    fn a_united_merge_loses_no_fact_of_either_side_and_breaks_no_cycle_rule() {
        let mut a = skill("a", &[]);
        a.related = vec![slug("b")];
        let base = Bundle {
            skills: vec![
                a,
                skill("b", &[("a", Strength::Recommended)]),
                skill("c", &[]),
            ],
            ..Bundle::default()
        };
        // The newcomer says a needs b: with base's b-needs-a, a cycle.
        let mut new_a = skill(
            "a",
            &[("b", Strength::Recommended), ("c", Strength::Recommended)],
        );
        new_a.tags = vec![slug("second")];
        let incoming = Bundle {
            skills: vec![new_a, skill("b", &[]), skill("d", &[])],
            ..Bundle::default()
        };
        let (united, notes) = base.united_into(&incoming);
        let merged = base.merged(&united);
        Catalog::from_bundle(&merged).expect("the union is a catalog");
        let of = |s: &str| merged.skills.iter().find(|k| k.slug.as_str() == s).unwrap();
        let needs = |s: &str| -> Vec<&str> {
            of(s)
                .prerequisites
                .iter()
                .map(|p| p.skill.as_str())
                .collect()
        };
        assert_eq!(needs("b"), ["a"], "base's edge is kept");
        assert_eq!(needs("a"), ["c"], "the cycle-closing edge is left out");
        assert_eq!(of("a").tags, [slug("second")]);
        assert_eq!(of("a").related, [slug("b")], "a's own link survives");
        assert_eq!(merged.skills.len(), 4);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].message.contains("cycle"));
    }
}
