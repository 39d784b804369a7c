use skillgraph_domain::{
    Alias, Bundle, BundleFormat, BundleGuide, BundleResource, BundleSkill, HttpsUrl, Level,
    Markdown, ResourceKind, Slug, Summary, Title,
};

use super::*;

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("test slug")
}

fn skill(
    slug_text: &str,
    name: &str,
    summary: &str,
    description: &str,
    tags: &[&str],
    aliases: &[&str],
) -> BundleSkill {
    BundleSkill {
        slug: slug(slug_text),
        name: Title::parse(name).expect("test name"),
        summary: Summary::parse(summary).expect("test summary"),
        description: Markdown::parse(description).expect("test description"),
        level: Level::Beginner,
        tags: tags.iter().map(|t| slug(t)).collect(),
        aliases: aliases
            .iter()
            .map(|a| Alias::parse(a).expect("test alias"))
            .collect(),
        external_ids: Vec::new(),
        parent: None,
        prerequisites: Vec::new(),
        related: Vec::new(),
        resources: Vec::new(),
    }
}

fn resource(title: &str) -> BundleResource {
    BundleResource {
        kind: ResourceKind::Article,
        title: Title::parse(title).expect("test title"),
        url: HttpsUrl::parse("https://example.com/r").expect("test url"),
    }
}

fn guide(slug_text: &str, title: &str, description: &str, tags: &[&str]) -> BundleGuide {
    BundleGuide {
        slug: slug(slug_text),
        title: Title::parse(title).expect("test title"),
        description: Markdown::parse(description).expect("test description"),
        url: HttpsUrl::parse("https://example.com/g").expect("test url"),
        author: None,
        published: None,
        tags: tags.iter().map(|t| slug(t)).collect(),
        body: None,
        related: Vec::new(),
        skills: Vec::new(),
    }
}

/// A small catalog; skills are numbered from 1 in this order, and so are
/// resources (in skill order) and guides.
fn small_catalog() -> Catalog {
    let mut with_resources = skill(
        "delta",
        "Delta",
        "Fourth letter.",
        "Has zebra stripes.",
        &[],
        &[],
    );
    with_resources.resources = vec![
        resource("Zebra Handbook"),
        resource("Tie Breaker"),
        resource("Tie Breaker"),
    ];
    let bundle = Bundle {
        format: BundleFormat,
        skills: vec![
            skill(
                "kubernetes",
                "Kubernetes",
                "Container orchestration across a cluster.",
                "Schedules containers.",
                &["devops", "containers"],
                &["k8s"],
            ),
            skill(
                "postgresql",
                "PostgreSQL",
                "A relational database.",
                "SQL and more.",
                &["databases", "sql"],
                &["postgres"],
            ),
            skill(
                "mongodb",
                "MongoDB",
                "A document database.",
                "",
                &["databases", "nosql"],
                &[],
            ),
            skill(
                "graphql",
                "GraphQL",
                "A query language for APIs.",
                "",
                &["apis"],
                &[],
            ),
            skill(
                "graphql-federation",
                "GraphQL Federation",
                "Composing GraphQL services.",
                "",
                &["apis"],
                &[],
            ),
            skill(
                "docker",
                "Docker",
                "Containers for shipping software.",
                "",
                &["devops", "containers"],
                &[],
            ),
            skill(
                "go",
                "Go",
                "A simple compiled language.",
                "",
                &["languages"],
                &["golang"],
            ),
            skill(
                "rust",
                "Rust",
                "A systems programming language.",
                "",
                &["languages"],
                &[],
            ),
            skill(
                "actix",
                "Actix",
                "A fast web framework for Rust.",
                "",
                &["frameworks"],
                &[],
            ),
            skill(
                "rust-web",
                "Rust Web Development",
                "Building services.",
                "",
                &[],
                &[],
            ),
            skill(
                "rest-apis",
                "REST APIs",
                "Resource-oriented HTTP interfaces.",
                "",
                &["apis"],
                &[],
            ),
            skill("zebra-tools", "Zebra Tools", "Tools.", "", &[], &[]),
            skill("alpha", "Alpha", "First letter.", "", &[], &["zebra"]),
            skill("beta", "Beta", "Second letter.", "", &["zebra"], &[]),
            skill("gamma", "Gamma", "Striped like a zebra.", "", &[], &[]),
            with_resources,
        ],
        guides: vec![
            guide(
                "graphql-guide",
                "GraphQL",
                "All about graphql schemas.",
                &["apis"],
            ),
            guide("zebra-guide", "Zebra Guide", "", &[]),
            guide("tie-guide", "Tie Breaker", "", &[]),
        ],
        ..Bundle::default()
    };
    Catalog::from_bundle(&bundle).expect("consistent test catalog")
}

fn index(catalog: &Catalog) -> SearchIndex {
    SearchIndex::build(catalog).expect("index builds")
}

fn search(index: &SearchIndex, query: &str) -> SearchResults {
    index.search(query, &[], 0, 100).expect("search succeeds")
}

/// The slug (skill, guide) or title (resource) of a hit, for readable assertions.
fn label(catalog: &Catalog, hit: &Hit) -> String {
    match hit.kind {
        HitKind::Skill(id) => catalog.skill(id).expect("hit skill").slug.to_string(),
        HitKind::Guide(id) => format!("guide:{}", catalog.guide(id).expect("hit guide").slug),
        HitKind::Resource(id) => format!(
            "resource:{}:{}",
            catalog.resource(id).expect("hit resource").title,
            id
        ),
    }
}

fn labels(catalog: &Catalog, results: &SearchResults) -> Vec<String> {
    results.hits.iter().map(|h| label(catalog, h)).collect()
}

fn top(catalog: &Catalog, index: &SearchIndex, query: &str) -> Option<String> {
    search(index, query).hits.first().map(|h| label(catalog, h))
}

#[test]
fn the_index_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
}

#[test]
fn empty_and_blank_queries_find_nothing() {
    let catalog = small_catalog();
    let index = index(&catalog);
    for query in ["", "   ", "\t\n ", "!!! ---", "***"] {
        let results = search(&index, query);
        assert_eq!(results, SearchResults::default(), "{query:?}");
    }
}

#[test]
fn query_syntax_characters_are_plain_text() {
    let catalog = small_catalog();
    let index = index(&catalog);
    for query in [
        "\"",
        "\"kubernetes\"",
        "name:kubernetes",
        "(kubernetes",
        "+kubernetes -docker",
        "kube*",
        "kubernetes~2",
        "kubernetes^10",
        "[a TO z]",
        "a:b:c\\",
        "\u{0}kubernetes\u{7f}",
        "ĸübérnetes 🚀 ☃",
        "AND OR NOT",
        "){}[]^\"~*?:\\/",
    ] {
        let results = index.search(query, &[], 0, 10);
        assert!(results.is_ok(), "{query:?}: {results:?}");
    }
    let long_word = "k".repeat(10_000);
    let many_words = "kubernetes docker rust go graphql zebra alpha beta gamma delta ".repeat(100);
    for query in [long_word.as_str(), many_words.as_str()] {
        assert!(index.search(query, &[], 0, 10).is_ok());
    }
    for query in ["\"kubernetes\"", "name:kubernetes", "(kubernetes", "kube*"] {
        assert_eq!(
            top(&catalog, &index, query).as_deref(),
            Some("kubernetes"),
            "{query:?}"
        );
    }
}

#[test]
fn typos_are_tolerated() {
    let catalog = small_catalog();
    let index = index(&catalog);
    // Distance 2 for long words, 1 (transpositions included) for 4 to 7 characters.
    assert_eq!(
        top(&catalog, &index, "kubernets").as_deref(),
        Some("kubernetes")
    );
    assert_eq!(
        top(&catalog, &index, "kubrenetes").as_deref(),
        Some("kubernetes")
    );
    assert_eq!(top(&catalog, &index, "dokcer").as_deref(), Some("docker"));
    assert_eq!(top(&catalog, &index, "rsut").as_deref(), Some("rust"));
    let hit = search(&index, "kubernets").hits[0];
    assert_eq!(hit.field, MatchedField::Name);
    // Typos in a word that is not last still count.
    assert_eq!(
        top(&catalog, &index, "dokcer containers").as_deref(),
        Some("docker")
    );
}

#[test]
fn exact_words_rank_above_typos_in_any_field() {
    let catalog = small_catalog();
    let index = index(&catalog);
    // "rest" is one typo from "rust": a name with a typo ranks below an exact summary word.
    let results = search(&index, "rust");
    let found = labels(&catalog, &results);
    assert_eq!(found, ["rust", "rust-web", "actix", "rest-apis"]);
    let fields: Vec<MatchedField> = results.hits.iter().map(|h| h.field).collect();
    assert_eq!(
        fields,
        [
            MatchedField::Name,
            MatchedField::Name,
            MatchedField::Summary,
            MatchedField::Name
        ]
    );
}

#[test]
fn words_with_digits_are_not_fuzzy() {
    let catalog = small_catalog();
    let index = index(&catalog);
    // "k9s" would be one typo from the alias "k8s", but digits mark a different thing.
    assert_eq!(search(&index, "k9s").total, 0);
    assert_eq!(search(&index, "k8").hits.len(), 1);
}

#[test]
fn short_words_are_not_fuzzy() {
    let catalog = small_catalog();
    let index = index(&catalog);
    // "gx" is one edit from "go", but three characters or fewer must match exactly or as a prefix.
    assert_eq!(search(&index, "gx").total, 0);
    assert_eq!(search(&index, "xgo").total, 0);
    assert_eq!(top(&catalog, &index, "go").as_deref(), Some("go"));
}

#[test]
fn the_last_word_completes_as_a_prefix() {
    let catalog = small_catalog();
    let index = index(&catalog);
    assert_eq!(
        top(&catalog, &index, "postgre").as_deref(),
        Some("postgresql")
    );
    assert_eq!(top(&catalog, &index, "mongo").as_deref(), Some("mongodb"));
    assert_eq!(top(&catalog, &index, "kube").as_deref(), Some("kubernetes"));
    assert_eq!(search(&index, "mongo").hits[0].field, MatchedField::Name);
    // Only the last word is a prefix: "mong" alone before another word does not match.
    let results = search(&index, "mong rust");
    assert!(!labels(&catalog, &results).contains(&"mongodb".to_owned()));
}

#[test]
fn an_exact_name_match_ranks_first() {
    let catalog = small_catalog();
    let index = index(&catalog);
    for query in ["graphql", "GRAPHQL", "  GraphQL! "] {
        let results = search(&index, query);
        let found = labels(&catalog, &results);
        assert_eq!(found[0], "graphql", "{query:?}: {found:?}");
        assert_eq!(results.hits[0].field, MatchedField::Name);
        assert!(found.contains(&"graphql-federation".to_owned()));
        assert!(found.contains(&"guide:graphql-guide".to_owned()));
    }
    let found = labels(&catalog, &search(&index, "graphql federation"));
    assert_eq!(found[0], "graphql-federation", "{found:?}");
    // The exact name adds a constant that nothing else reaches.
    let results = search(&index, "graphql");
    assert!(results.hits[0].score >= index.exact_name_score(1));
    assert!(results.hits[1].score < index.exact_name_score(1));
}

#[test]
fn fields_rank_name_alias_tag_title_summary_description() {
    let catalog = small_catalog();
    let index = index(&catalog);
    let results = search(&index, "zebra");
    let found: Vec<(String, MatchedField)> = results
        .hits
        .iter()
        .map(|h| (label(&catalog, h), h.field))
        .collect();
    let expected = [
        ("zebra-tools", MatchedField::Name),
        ("alpha", MatchedField::Alias),
        ("beta", MatchedField::Tag),
        ("guide:zebra-guide", MatchedField::Title),
        ("resource:Zebra Handbook:1", MatchedField::Title),
        ("gamma", MatchedField::Summary),
        ("delta", MatchedField::Description),
    ];
    let expected: Vec<(String, MatchedField)> = expected
        .iter()
        .map(|(l, f)| ((*l).to_owned(), *f))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(results.total, 7);
    assert!(results.hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn aliases_and_tags_are_searched() {
    let catalog = small_catalog();
    let index = index(&catalog);
    assert_eq!(top(&catalog, &index, "k8s").as_deref(), Some("kubernetes"));
    assert_eq!(top(&catalog, &index, "golang").as_deref(), Some("go"));
    let results = search(&index, "nosql");
    assert_eq!(labels(&catalog, &results), ["mongodb"]);
    assert_eq!(results.hits[0].field, MatchedField::Tag);
}

#[test]
fn multi_word_queries_prefer_things_matching_every_word() {
    let catalog = small_catalog();
    let index = index(&catalog);
    let found = labels(&catalog, &search(&index, "rust web"));
    // Both words in the name, then both words anywhere, then one word.
    assert_eq!(found[0], "rust-web", "{found:?}");
    assert_eq!(found[1], "actix", "{found:?}");
    assert_eq!(found[2], "rust", "{found:?}");
    // Stop words do not count against a match.
    assert_eq!(labels(&catalog, &search(&index, "the rust of web")), found);
    // Matching every word adds a constant that the field scores do not reach.
    let results = search(&index, "rust web");
    assert!(
        results.hits[1].score >= index.every_word_score(2),
        "{results:?}"
    );
    assert!(
        results.hits[2].score < index.every_word_score(2),
        "{results:?}"
    );
}

/// The docs a query matches, in order.
fn matching(index: &SearchIndex, query: &dyn Query) -> Vec<DocAddress> {
    let docs = index
        .searcher
        .search(query, &tantivy::collector::DocSetCollector)
        .expect("search");
    let mut docs: Vec<DocAddress> = docs.into_iter().collect();
    docs.sort_unstable();
    docs
}

#[test]
fn the_every_word_clause_of_a_word_matches_what_its_field_clauses_match() {
    for catalog in [small_catalog(), bundled()] {
        let index = index(&catalog);
        let mut matched = 0;
        for query in [
            "rust web",
            "dokcer containers",
            "the rust of web",
            "of the",
            "kubernets orchestration",
            "go g",
            "relational datab",
            "api de",
            "event driven",
            "backend developer skills",
            "k8s zebra",
        ] {
            let plan = index.plan(query).expect("plan").expect("words");
            for word in &plan.words {
                let clauses = TextField::ALL
                    .iter()
                    .flat_map(|&field| index.clauses(word, field))
                    .collect();
                let fields = matching(&index, &BooleanQuery::union(clauses));
                let anywhere = matching(&index, index.anywhere(word).as_ref());
                assert_eq!(fields, anywhere, "{query:?}: {:?}", word.text);
                matched += fields.len();
            }
        }
        assert!(matched > 20, "{matched}");
    }
}

#[test]
fn kinds_restrict_the_search() {
    let catalog = small_catalog();
    let index = index(&catalog);
    let all = index.search("zebra", &[], 0, 100).expect("search");
    let guides = index
        .search("zebra", &[SearchKind::Guide], 0, 100)
        .expect("search");
    assert_eq!(labels(&catalog, &guides), ["guide:zebra-guide"]);
    assert_eq!(guides.total, 1);
    let resources = index
        .search("zebra", &[SearchKind::Resource, SearchKind::Guide], 0, 100)
        .expect("search");
    assert_eq!(resources.total, 2);
    let skills = index
        .search("zebra", &[SearchKind::Skill], 0, 100)
        .expect("search");
    assert_eq!(skills.total, 5);
    assert!(
        skills
            .hits
            .iter()
            .all(|h| matches!(h.kind, HitKind::Skill(_)))
    );
    assert_eq!(all.total, 7);
}

#[test]
fn offset_and_limit_page_through_the_ranking() {
    let catalog = small_catalog();
    let index = index(&catalog);
    let all = index.search("zebra", &[], 0, 100).expect("search");
    for offset in 0..=8 {
        for limit in 0..=8 {
            let page = index.search("zebra", &[], offset, limit).expect("search");
            assert_eq!(page.total, all.total);
            let expected: Vec<Hit> = all.hits.iter().skip(offset).take(limit).copied().collect();
            assert_eq!(page.hits, expected, "offset {offset} limit {limit}");
        }
    }
    let page = index
        .search("zebra", &[], usize::MAX, usize::MAX)
        .expect("search");
    assert!(page.hits.is_empty());
    assert_eq!(page.total, 7);
}

#[test]
fn ties_break_by_kind_then_id() {
    let catalog = small_catalog();
    let index = index(&catalog);
    let results = search(&index, "tie breaker");
    assert_eq!(
        labels(&catalog, &results),
        [
            "guide:tie-guide",
            "resource:Tie Breaker:2",
            "resource:Tie Breaker:3"
        ]
    );
    assert_eq!(results.hits[0].score, results.hits[1].score);
    assert_eq!(results.hits[1].score, results.hits[2].score);
}

#[test]
fn the_same_query_gives_the_same_order() {
    let catalog = small_catalog();
    let first = index(&catalog);
    let second = index(&catalog);
    for query in ["zebra", "rust web", "graphql", "a", "contai", "tie"] {
        let a = search(&first, query);
        assert_eq!(a, search(&first, query), "{query:?}");
        assert_eq!(a, search(&second, query), "{query:?}");
    }
}

#[test]
fn an_empty_catalog_builds_and_finds_nothing() {
    let index = index(&Catalog::empty());
    assert_eq!(search(&index, "kubernetes"), SearchResults::default());
}

fn bundled() -> Catalog {
    let bundle = skillgraph_bundle::bundled().expect("bundled dataset parses");
    Catalog::from_bundle(&bundle).expect("bundled dataset is consistent")
}

#[test]
fn the_bundled_dataset_finds_by_prefix_typo_and_exact_name() {
    let catalog = bundled();
    let index = index(&catalog);
    for (query, slug) in [
        ("postgre", "postgresql"),
        ("kubernets", "kubernetes"),
        ("kubernetes", "kubernetes"),
        ("graphql", "graphql"),
        ("mongo", "mongodb"),
        ("PostgreSQL", "postgresql"),
    ] {
        let results = search(&index, query);
        let found = labels(&catalog, &results);
        assert_eq!(
            found.first().map(String::as_str),
            Some(slug),
            "{query:?}: {found:?}"
        );
        assert_eq!(results.hits[0].field, MatchedField::Name, "{query:?}");
        assert!(results.total >= results.hits.len());
    }
    let graphql = search(&index, "graphql");
    let HitKind::Skill(id) = graphql.hits[0].kind else {
        panic!("the first graphql hit is not a skill");
    };
    assert_eq!(catalog.skill(id).map(|s| s.name.as_str()), Some("GraphQL"));
}

#[test]
fn the_bundled_dataset_searches_every_kind() {
    let catalog = bundled();
    let index = index(&catalog);
    let Some(guide) = catalog.guides().next() else {
        return;
    };
    let results = index
        .search(guide.title.as_str(), &[SearchKind::Guide], 0, 5)
        .expect("search");
    assert_eq!(
        results.hits.first().map(|h| h.kind),
        Some(HitKind::Guide(guide.id))
    );
    let resource = catalog
        .skills()
        .find_map(|s| catalog.resources(s.id).first())
        .expect("the dataset has resources");
    let results = index
        .search(resource.title.as_str(), &[SearchKind::Resource], 0, 50)
        .expect("search");
    assert!(
        results
            .hits
            .iter()
            .any(|h| h.kind == HitKind::Resource(resource.id)),
        "{:?}",
        resource.title
    );
}

#[test]
fn the_bundled_dataset_ranks_names_aliases_and_phrases() {
    let catalog = bundled();
    let index = index(&catalog);
    for (query, slug) in [
        ("GraphQL", "graphql"),
        ("git", "git"),
        ("event driven", "event-driven-architecture"),
    ] {
        let found = labels(&catalog, &search(&index, query));
        assert_eq!(
            found.first().map(String::as_str),
            Some(slug),
            "{query:?}: {found:?}"
        );
    }
    // The exact name comes before names it is a prefix of.
    let found = labels(&catalog, &search(&index, "git"));
    let position = |slug: &str| found.iter().position(|l| l == slug);
    for other in ["github", "gitlab"] {
        if let Some(other) = position(other) {
            assert!(position("git") < Some(other), "{found:?}");
        }
    }
    let alias = index
        .search("k8s", &[SearchKind::Skill], 0, 10)
        .expect("search");
    assert_eq!(
        alias.hits.first().map(|h| (label(&catalog, h), h.field)),
        Some(("kubernetes".to_owned(), MatchedField::Alias))
    );
}

#[test]
fn the_bundled_dataset_finds_a_guide_by_its_title() {
    let catalog = bundled();
    let index = index(&catalog);
    let results = index
        .search("backend developer skills", &[SearchKind::Guide], 0, 20)
        .expect("search");
    assert!(
        results
            .hits
            .iter()
            .all(|h| matches!(h.kind, HitKind::Guide(_)))
    );
    let first = results.hits.first().expect("a guide matches");
    assert_eq!(label(&catalog, first), "guide:backend-developer-skills");
    // Its tags match too, but the title matches and comes first.
    assert_eq!(first.field, MatchedField::Title);
}

#[test]
fn the_bundled_dataset_ranks_and_pages_consistently() {
    let catalog = bundled();
    let index = index(&catalog);
    for query in ["testing", "data", "kube", "databse design"] {
        let all = index.search(query, &[], 0, 1000).expect("search");
        assert!(all.total > 0, "{query:?}");
        assert_eq!(all.hits.len(), all.total.min(1000), "{query:?}");
        assert!(
            all.hits.windows(2).all(|w| w[0].score >= w[1].score),
            "{query:?}"
        );
        let mut paged = Vec::new();
        let mut offset = 0;
        while offset < all.total {
            let page = index.search(query, &[], offset, 3).expect("search");
            assert_eq!(page.total, all.total, "{query:?}");
            paged.extend(page.hits);
            offset += 3;
        }
        assert_eq!(paged, all.hits, "{query:?}");
    }
}
