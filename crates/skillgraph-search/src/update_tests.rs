//! Updated snapshots against indexes built from scratch: same hits, order,
//! fields, scores and totals after any sequence of edits.

use std::collections::BTreeMap;

use proptest::prelude::*;
use skillgraph_domain::catalog::CatalogParts;
use skillgraph_domain::{
    Alias, HttpsUrl, Level, Markdown, ResourceKind, Slug, Summary, Tag, Title,
};

use super::*;

/// Words the edits pick from: near misses of each other (typos), prefixes
/// of each other, stop words, words with digits, and one too long to index.
const VOCABULARY: &[&str] = &[
    "kubernetes",
    "kubernete",
    "postgres",
    "postgresql",
    "graph",
    "graphql",
    "federation",
    "rust",
    "rusty",
    "docker",
    "dockers",
    "container",
    "containers",
    "zebra",
    "zebras",
    "tie",
    "breaker",
    "web",
    "api",
    "apis",
    "database",
    "go",
    "k8s",
    "es2015",
    "the",
    "and",
    "a",
    "of",
    "supercalifragilisticexpialidocious-and-then-some-more-letters",
];

/// Queries with typos, prefixes, several words, stop words and digits.
const QUERIES: &[&str] = &[
    "kubernetes",
    "kubernets",
    "kub",
    "postgre",
    "postgresql",
    "graphql federation",
    "graph",
    "rust web",
    "rusty",
    "zebra",
    "zebar",
    "tie breaker",
    "the",
    "the and",
    "containr",
    "container",
    "api",
    "docker rust",
    "go",
    "a",
    "k8s",
    "es2015",
    "database web api",
    "web development",
];

/// Kind filters to search with.
const KINDS: &[&[SearchKind]] = &[
    &[],
    &[SearchKind::Skill],
    &[SearchKind::Resource],
    &[SearchKind::Guide, SearchKind::Resource],
];

fn text(words: &[usize]) -> String {
    words
        .iter()
        .map(|&w| VOCABULARY[w % VOCABULARY.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first of `words` that fit in `max` characters, never empty.
fn fit(words: &[usize], max: usize) -> String {
    let mut fitting = String::new();
    for &w in words {
        let word = VOCABULARY[w % VOCABULARY.len()];
        if fitting.len() + 1 + word.len() > max {
            break;
        }
        if !fitting.is_empty() {
            fitting.push(' ');
        }
        fitting.push_str(word);
    }
    if fitting.is_empty() {
        fitting.push_str("untitled");
    }
    fitting
}

fn title(words: &[usize]) -> Title {
    Title::parse(fit(words, Title::MAX_LEN)).expect("test title")
}

fn summary(words: &[usize]) -> Summary {
    Summary::parse(fit(words, Summary::MAX_LEN)).expect("test summary")
}

fn tags(words: &[usize]) -> Vec<Tag> {
    let mut tags: Vec<Tag> = words
        .iter()
        .map(|&w| Slug::parse(VOCABULARY[w % VOCABULARY.len()]).expect("test tag"))
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

fn aliases(words: &[usize]) -> Vec<Alias> {
    words
        .chunks(2)
        .map(|pair| Alias::parse(fit(pair, Alias::MAX_LEN)).expect("test alias"))
        .collect()
}

fn url() -> HttpsUrl {
    HttpsUrl::parse("https://example.com/t").expect("test url")
}

/// A catalog as plain parts with stable ids, as the store keeps it.
#[derive(Debug, Clone, Default)]
struct Model {
    skills: BTreeMap<i64, Skill>,
    resources: BTreeMap<i64, Resource>,
    guides: BTreeMap<i64, Guide>,
    next_id: i64,
}

impl Model {
    /// The skills, resources and guides of `catalog`, without the links between them.
    fn of(catalog: &Catalog) -> Model {
        let mut model = Model::default();
        for skill in catalog.skills() {
            let mut skill = skill.clone();
            skill.parent = None;
            for resource in catalog.resources(skill.id) {
                model.resources.insert(resource.id.0, resource.clone());
            }
            model.skills.insert(skill.id.0, skill);
        }
        for guide in catalog.guides() {
            let mut guide = guide.clone();
            guide.author = None;
            guide.related.clear();
            guide.skills.clear();
            model.guides.insert(guide.id.0, guide);
        }
        let ids = (model.skills.keys())
            .chain(model.resources.keys())
            .chain(model.guides.keys());
        model.next_id = ids.copied().max().unwrap_or(0) + 1;
        model
    }

    fn catalog(&self) -> Catalog {
        Catalog::build(CatalogParts {
            skills: self.skills.values().cloned().collect(),
            resources: self.resources.values().cloned().collect(),
            guides: self.guides.values().cloned().collect(),
            ..CatalogParts::default()
        })
        .expect("a consistent test catalog")
    }

    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// The id at `pick` (modulo their number) of a map, if it has any.
    fn pick<T>(map: &BTreeMap<i64, T>, pick: usize) -> Option<i64> {
        (!map.is_empty()).then(|| *map.keys().nth(pick % map.len()).expect("in range"))
    }

    /// Applies an edit; returns what it touched, as a caller would list it.
    fn apply(&mut self, edit: &Edit) -> Touched {
        let mut touched = Touched::default();
        match edit {
            Edit::CreateSkill { name, words } => {
                let id = self.id();
                self.skills.insert(
                    id,
                    Skill {
                        id: SkillId(id),
                        slug: Slug::parse(format!("s{id}")).expect("test slug"),
                        name: title(name),
                        summary: summary(words),
                        description: Markdown::parse(text(words)).expect("description"),
                        level: Level::Beginner,
                        tags: tags(words),
                        aliases: aliases(&words[..words.len().min(2)]),
                        external_ids: Vec::new(),
                        parent: None,
                    },
                );
                touched.skills.push(SkillId(id));
            }
            Edit::RenameSkill { pick, name } => {
                if let Some(id) = Self::pick(&self.skills, *pick) {
                    if let Some(skill) = self.skills.get_mut(&id) {
                        skill.name = title(name);
                    }
                    touched.skills.push(SkillId(id));
                }
            }
            Edit::DescribeSkill { pick, words } => {
                if let Some(id) = Self::pick(&self.skills, *pick) {
                    if let Some(skill) = self.skills.get_mut(&id) {
                        skill.summary = summary(words);
                        skill.description = Markdown::parse(format!("{} ", text(words)).repeat(3))
                            .expect("description");
                    }
                    touched.skills.push(SkillId(id));
                }
            }
            Edit::RetagSkill { pick, words } => {
                if let Some(id) = Self::pick(&self.skills, *pick) {
                    if let Some(skill) = self.skills.get_mut(&id) {
                        skill.tags = tags(words);
                        skill.aliases = aliases(words);
                    }
                    touched.skills.push(SkillId(id));
                }
            }
            Edit::DeleteSkill { pick } => {
                if let Some(id) = Self::pick(&self.skills, *pick) {
                    self.skills.remove(&id);
                    // The caller lists the skill only: its resources are found from `before`.
                    self.resources.retain(|_, r| r.skill.0 != id);
                    touched.skills.push(SkillId(id));
                }
            }
            Edit::TouchSkill { pick } => {
                if let Some(id) = Self::pick(&self.skills, *pick) {
                    touched.skills.push(SkillId(id));
                }
            }
            Edit::AddResource { pick, words } => {
                if let Some(skill) = Self::pick(&self.skills, *pick) {
                    let id = self.id();
                    self.resources.insert(
                        id,
                        Resource {
                            id: ResourceId(id),
                            skill: SkillId(skill),
                            kind: ResourceKind::Article,
                            title: title(words),
                            url: url(),
                        },
                    );
                    touched.resources.push(ResourceId(id));
                }
            }
            Edit::RetitleResource { pick, words } => {
                if let Some(id) = Self::pick(&self.resources, *pick) {
                    if let Some(resource) = self.resources.get_mut(&id) {
                        resource.title = title(words);
                    }
                    touched.resources.push(ResourceId(id));
                }
            }
            Edit::DeleteResource { pick } => {
                if let Some(id) = Self::pick(&self.resources, *pick) {
                    self.resources.remove(&id);
                    touched.resources.push(ResourceId(id));
                }
            }
            Edit::CreateGuide { words } => {
                let id = self.id();
                self.guides.insert(
                    id,
                    Guide {
                        id: GuideId(id),
                        slug: Slug::parse(format!("g{id}")).expect("test slug"),
                        title: title(words),
                        description: Markdown::parse(text(words)).expect("description"),
                        url: url(),
                        author: None,
                        published: None,
                        tags: tags(&words[..words.len().min(2)]),
                        body: None,
                        related: Vec::new(),
                        skills: Vec::new(),
                    },
                );
                touched.guides.push(GuideId(id));
            }
            Edit::ReviseGuide { pick, words } => {
                if let Some(id) = Self::pick(&self.guides, *pick) {
                    if let Some(guide) = self.guides.get_mut(&id) {
                        guide.title = title(words);
                        guide.description = Markdown::parse(text(words)).expect("description");
                        guide.tags = tags(words);
                    }
                    touched.guides.push(GuideId(id));
                }
            }
            Edit::DeleteGuide { pick } => {
                if let Some(id) = Self::pick(&self.guides, *pick) {
                    self.guides.remove(&id);
                    touched.guides.push(GuideId(id));
                }
            }
        }
        touched
    }
}

/// One write to the catalog; `pick` chooses an existing thing, `words` index [`VOCABULARY`].
#[derive(Debug, Clone)]
enum Edit {
    CreateSkill {
        name: Vec<usize>,
        words: Vec<usize>,
    },
    RenameSkill {
        pick: usize,
        name: Vec<usize>,
    },
    DescribeSkill {
        pick: usize,
        words: Vec<usize>,
    },
    RetagSkill {
        pick: usize,
        words: Vec<usize>,
    },
    DeleteSkill {
        pick: usize,
    },
    /// Listed as touched but left as it was.
    TouchSkill {
        pick: usize,
    },
    AddResource {
        pick: usize,
        words: Vec<usize>,
    },
    RetitleResource {
        pick: usize,
        words: Vec<usize>,
    },
    DeleteResource {
        pick: usize,
    },
    CreateGuide {
        words: Vec<usize>,
    },
    ReviseGuide {
        pick: usize,
        words: Vec<usize>,
    },
    DeleteGuide {
        pick: usize,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    let words = || proptest::collection::vec(0..VOCABULARY.len(), 0..6);
    let pick = || 0..1000usize;
    prop_oneof![
        (words(), words()).prop_map(|(name, words)| Edit::CreateSkill { name, words }),
        (pick(), words()).prop_map(|(pick, name)| Edit::RenameSkill { pick, name }),
        (pick(), words()).prop_map(|(pick, words)| Edit::DescribeSkill { pick, words }),
        (pick(), words()).prop_map(|(pick, words)| Edit::RetagSkill { pick, words }),
        pick().prop_map(|pick| Edit::DeleteSkill { pick }),
        pick().prop_map(|pick| Edit::TouchSkill { pick }),
        (pick(), words()).prop_map(|(pick, words)| Edit::AddResource { pick, words }),
        (pick(), words()).prop_map(|(pick, words)| Edit::RetitleResource { pick, words }),
        pick().prop_map(|pick| Edit::DeleteResource { pick }),
        words().prop_map(|words| Edit::CreateGuide { words }),
        (pick(), words()).prop_map(|(pick, words)| Edit::ReviseGuide { pick, words }),
        pick().prop_map(|pick| Edit::DeleteGuide { pick }),
    ]
}

/// A starting catalog of `skills` skills (with resources) and guides, from our own words.
fn start(skills: usize, seed: usize) -> Model {
    let mut model = Model::default();
    let mut n = seed;
    let mut next = move || {
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407)
            >> 7;
        n
    };
    for _ in 0..skills {
        let name: Vec<usize> = (0..1 + next() % 3).map(|_| next()).collect();
        let words: Vec<usize> = (0..next() % 8).map(|_| next()).collect();
        model.apply(&Edit::CreateSkill { name, words });
        for _ in 0..next() % 3 {
            let words: Vec<usize> = (0..1 + next() % 4).map(|_| next()).collect();
            let pick = model.skills.len() - 1;
            model.apply(&Edit::AddResource { pick, words });
        }
    }
    for _ in 0..skills / 4 {
        let words: Vec<usize> = (0..1 + next() % 5).map(|_| next()).collect();
        model.apply(&Edit::CreateGuide { words });
    }
    model
}

/// Every query of [`QUERIES`] with every kind filter of [`KINDS`]: all hits, and one page.
fn answers(index: &SearchIndex) -> Vec<(String, SearchResults)> {
    let mut answers = Vec::new();
    for query in QUERIES {
        for kinds in KINDS {
            let all = index.search(query, kinds, 0, 1000).expect("search");
            answers.push((format!("{query:?} {kinds:?}"), all));
            let page = index.search(query, kinds, 2, 3).expect("search");
            answers.push((format!("{query:?} {kinds:?} page"), page));
        }
    }
    answers
}

/// Fewer answers, quicker to get in a debug build: a typo, a prefix,
/// several words, a stop word, each query with one kind filter.
fn some_answers(index: &SearchIndex) -> Vec<(String, SearchResults)> {
    let queries = [
        "kubernets",
        "kub",
        "graphql federation",
        "zebra",
        "tie breaker",
        "the",
        "containr",
        "rust web",
    ];
    let mut answers = Vec::new();
    for (n, query) in queries.iter().enumerate() {
        for kinds in [KINDS[0], KINDS[1 + n % (KINDS.len() - 1)]] {
            let all = index.search(query, kinds, 0, 1000).expect("search");
            answers.push((format!("{query:?} {kinds:?}"), all));
        }
    }
    answers
}

/// The same hits in the same order with the same fields and totals, and
/// scores within 1e-4, for every query.
fn assert_same(updated: &SearchIndex, fresh: &SearchIndex, context: &str) {
    assert_same_answers(updated, fresh, answers, context);
}

/// As [`assert_same`], for the answers of `ask`.
fn assert_same_answers(
    updated: &SearchIndex,
    fresh: &SearchIndex,
    ask: fn(&SearchIndex) -> Vec<(String, SearchResults)>,
    context: &str,
) {
    for ((what, got), (_, want)) in ask(updated).iter().zip(ask(fresh)) {
        assert_eq!(got.total, want.total, "{context}: total of {what}");
        let kinds =
            |r: &SearchResults| r.hits.iter().map(|h| (h.kind, h.field)).collect::<Vec<_>>();
        assert_eq!(kinds(got), kinds(&want), "{context}: hits of {what}");
        for (g, w) in got.hits.iter().zip(&want.hits) {
            assert!(
                (g.score - w.score).abs() <= 1e-4,
                "{context}: score of {:?} for {what}: {} updated, {} from scratch",
                g.kind,
                g.score,
                w.score
            );
        }
    }
    assert_eq!(
        updated.field_tokens, fresh.field_tokens,
        "{context}: field lengths"
    );
    assert_eq!(
        updated.searcher.num_docs(),
        fresh.searcher.num_docs(),
        "{context}: documents"
    );
}

/// Applies `edits` one at a time, updating the index after each and
/// comparing it with one built from scratch: on some queries after each
/// edit, on all of them after the last when `all_at_last`.
fn check_edits(mut model: Model, edits: &[Edit], all_at_last: bool) {
    let mut catalog = model.catalog();
    let mut index = SearchIndex::build(&catalog).expect("build");
    for (step, edit) in edits.iter().enumerate() {
        let touched = model.apply(edit);
        let next = model.catalog();
        index = index.updated(&catalog, &next, &touched).expect("update");
        let fresh = SearchIndex::build(&next).expect("build");
        let context = format!("after edit {step} ({edit:?})");
        if all_at_last && step + 1 == edits.len() {
            assert_same(&index, &fresh, &context);
        } else {
            assert_same_answers(&index, &fresh, some_answers, &context);
        }
        catalog = next;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn updates_rank_as_a_build_from_scratch(
        skills in 0..24usize,
        seed in 0..1000usize,
        edits in proptest::collection::vec(edit(), 1..12),
    ) {
        check_edits(start(skills, seed), &edits, false);
    }
}

#[test]
fn every_kind_of_edit_ranks_as_a_build_from_scratch() {
    let words = vec![0, 5, 7, 13];
    let edits = [
        Edit::CreateSkill {
            name: vec![7, 17],
            words: words.clone(),
        },
        Edit::RenameSkill {
            pick: 0,
            name: vec![4, 5],
        },
        Edit::DescribeSkill {
            pick: 1,
            words: vec![11, 12, 24],
        },
        Edit::RetagSkill {
            pick: 2,
            words: vec![0, 1, 2, 3],
        },
        Edit::AddResource {
            pick: 3,
            words: vec![15, 16],
        },
        Edit::RetitleResource {
            pick: 0,
            words: vec![13],
        },
        Edit::DeleteResource { pick: 1 },
        Edit::CreateGuide {
            words: vec![5, 6, 19],
        },
        Edit::ReviseGuide {
            pick: 0,
            words: vec![28, 1],
        },
        Edit::DeleteGuide { pick: 1 },
        Edit::TouchSkill { pick: 4 },
        Edit::DeleteSkill { pick: 5 },
        Edit::DeleteSkill { pick: 0 },
    ];
    check_edits(start(16, 7), &edits, true);
}

#[test]
fn many_updates_of_the_bundled_dataset_rank_as_a_build_from_scratch() {
    let bundle = skillgraph_bundle::bundled().expect("bundled dataset parses");
    let mut model = Model::of(&Catalog::from_bundle(&bundle).expect("consistent"));
    let mut catalog = model.catalog();
    let mut index = SearchIndex::build(&catalog).expect("build");
    // Enough single-thing updates for small segments to merge and deleted
    // documents to pass their share, in the background.
    for step in 0..120usize {
        let edit = match step % 4 {
            0 => Edit::RenameSkill {
                pick: step * 7,
                name: vec![step, step + 3],
            },
            1 => Edit::DescribeSkill {
                pick: step * 13,
                words: vec![step, 1, 2],
            },
            2 => Edit::RetitleResource {
                pick: step * 5,
                words: vec![step % 7, 9],
            },
            _ => Edit::DeleteSkill { pick: step * 11 },
        };
        let touched = model.apply(&edit);
        let next = model.catalog();
        index = index.updated(&catalog, &next, &touched).expect("update");
        catalog = next;
        if step % 30 == 29 {
            let fresh = SearchIndex::build(&catalog).expect("build");
            assert_same(&index, &fresh, &format!("after {} updates", step + 1));
        }
    }
}

#[test]
fn an_old_snapshot_answers_as_before_after_updates() {
    let mut model = start(20, 3);
    let mut catalog = model.catalog();
    let first = SearchIndex::build(&catalog).expect("build");
    let before = answers(&first);
    let mut index = first
        .updated(&catalog, &catalog, &Touched::default())
        .expect("no-op");
    let mut middle = None;
    for step in 0..40usize {
        let edit = match step % 3 {
            0 => Edit::DeleteSkill { pick: step },
            1 => Edit::RenameSkill {
                pick: step,
                name: vec![step % 5, 3],
            },
            _ => Edit::CreateSkill {
                name: vec![0, step],
                words: vec![2, 5, step],
            },
        };
        let touched = model.apply(&edit);
        let next = model.catalog();
        index = index.updated(&catalog, &next, &touched).expect("update");
        catalog = next;
        if step == 10 {
            middle = Some((answers(&index), index.share()));
        }
    }
    // Let the background merges end; the next update reads what they made.
    settle(&index);
    let touched = model.apply(&Edit::CreateGuide { words: vec![1, 2] });
    let next = model.catalog();
    index = index.updated(&catalog, &next, &touched).expect("update");
    catalog = next;
    assert!(
        index.columns.len() <= SEGMENTS_PER_MERGE + 1,
        "41 commits merged into {} segments",
        index.columns.len()
    );

    assert_eq!(first.columns.len(), 1);
    assert_eq!(answers(&first), before, "the first snapshot");
    let (middle_answers, middle) = middle.expect("kept");
    assert_eq!(answers(&middle), middle_answers, "a snapshot in between");
    let fresh = SearchIndex::build(&catalog).expect("build");
    assert_same(&index, &fresh, "the newest");
}

/// Waits for the background merges of `index`'s line to end (the next
/// update makes a new writer).
fn settle(index: &SearchIndex) {
    let writer = index.line.state.lock().expect("not poisoned").writer.take();
    if let Some(writer) = writer {
        writer.wait_merging_threads().expect("merges end");
    }
}

#[test]
fn updating_an_older_snapshot_builds_afresh() {
    let mut model = start(12, 5);
    let catalog = model.catalog();
    let first = SearchIndex::build(&catalog).expect("build");
    let touched = model.apply(&Edit::RenameSkill {
        pick: 0,
        name: vec![5],
    });
    let second_catalog = model.catalog();
    let second = first
        .updated(&catalog, &second_catalog, &touched)
        .expect("update");
    assert_eq!(second.generation, 1);

    // `first` is no longer the newest: its update is a build of `after`.
    let other = first
        .updated(&catalog, &second_catalog, &touched)
        .expect("update of an old snapshot");
    assert!(!Arc::ptr_eq(&other.line, &first.line));
    assert_same(
        &other,
        &SearchIndex::build(&second_catalog).expect("build"),
        "afresh",
    );

    // The line goes on from its newest.
    let touched = model.apply(&Edit::DeleteSkill { pick: 1 });
    let third_catalog = model.catalog();
    let third = second
        .updated(&second_catalog, &third_catalog, &touched)
        .expect("update");
    assert!(Arc::ptr_eq(&third.line, &first.line));
    assert_same(
        &third,
        &SearchIndex::build(&third_catalog).expect("build"),
        "third",
    );
}

#[test]
fn an_update_that_changes_no_text_keeps_the_snapshot() {
    let model = start(8, 1);
    let catalog = model.catalog();
    let index = SearchIndex::build(&catalog).expect("build");
    let touched = Touched {
        skills: catalog.skills().map(|s| s.id).collect(),
        ..Touched::default()
    };
    let same = index.updated(&catalog, &catalog, &touched).expect("update");
    assert_eq!(same.generation, index.generation);
    assert_eq!(answers(&same), answers(&index));
}

#[test]
fn the_counted_field_lengths_are_tantivys() {
    let bundle = skillgraph_bundle::bundled().expect("bundled dataset parses");
    let catalog = Catalog::from_bundle(&bundle).expect("consistent");
    let index = SearchIndex::build(&catalog).expect("build");
    let segment = &index.searcher.segment_readers()[0];
    let lengths = Lengths::of(segment, 0..segment.max_doc()).expect("lengths");
    for (i, field) in TextField::ALL.into_iter().enumerate() {
        let tantivy = segment
            .inverted_index(index.fields.text(field))
            .expect("inverted index")
            .total_num_tokens();
        assert_eq!(lengths.tokens[i], tantivy, "{field:?}");
        assert!(lengths.tokens[i] > 0, "{field:?} has text");
    }
}

#[test]
fn document_frequencies_leave_deleted_documents_out() {
    let mut model = start(30, 11);
    let catalog = model.catalog();
    let index = SearchIndex::build(&catalog).expect("build");
    let mut touched = Touched::default();
    for pick in 0..3 {
        let more = model.apply(&Edit::DeleteSkill { pick });
        touched.skills.extend(more.skills);
    }
    let after = model.catalog();
    let updated = index.updated(&catalog, &after, &touched).expect("update");
    assert!(
        updated.columns.iter().any(|c| !c.deleted.is_empty()),
        "the build's segment keeps its deleted documents until a merge"
    );
    let fresh = SearchIndex::build(&after).expect("build");
    for word in VOCABULARY {
        for field in TextField::ALL {
            let term = Term::from_field_text(index.fields.text(field), word);
            let got = updated.statistics().doc_freq(&term).expect("doc freq");
            let want = fresh.statistics().doc_freq(&term).expect("doc freq");
            assert_eq!(got, want, "{word:?} in {field:?}");
        }
    }
}
