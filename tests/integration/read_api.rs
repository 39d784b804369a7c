//! The read API over the bundled graph: the nested roadmap in one request,
//! lookups, global ids, connections, and the error cases.

use serde_json::{Value, json};

use crate::harness::{servers, slugs};

/// The query a roadmap page makes: everything in one request.
pub const NESTED_ROADMAP: &str = r#"
query NestedRoadmap($slug: String!) {
  roadmap(slug: $slug) {
    id slug title description
    sections {
      title description
      items {
        recommendation
        skill {
          id slug name summary level
          prerequisites { strength skill { slug name } }
          resources { kind title url }
          guides { slug title url }
        }
        children {
          recommendation
          skill { slug name prerequisites { skill { slug } } resources { url } }
          children { skill { slug } }
        }
      }
    }
    relatedRoadmaps { slug title }
    guides { slug title relatedGuides { title url } }
  }
}"#;

/// Every skill slug of a roadmap answer, nested items included.
fn roadmap_skills(roadmap: &Value) -> Vec<String> {
    fn walk(items: &Value, out: &mut Vec<String>) {
        for item in items.as_array().into_iter().flatten() {
            out.push(item["skill"]["slug"].as_str().unwrap_or("").to_owned());
            walk(&item["children"], out);
        }
    }
    let mut out = Vec::new();
    for section in roadmap["sections"].as_array().into_iter().flatten() {
        walk(&section["items"], &mut out);
    }
    out
}

fn find_item<'a>(roadmap: &'a Value, slug: &str) -> Option<&'a Value> {
    roadmap["sections"]
        .as_array()?
        .iter()
        .flat_map(|s| s["items"].as_array().into_iter().flatten())
        .find(|i| i["skill"]["slug"] == slug)
}

#[tokio::test]
async fn one_request_returns_the_whole_nested_backend_roadmap() {
    for server in servers().await {
        let answer = server
            .post(NESTED_ROADMAP, json!({ "slug": "backend" }))
            .await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert!(answer.body.get("errors").is_none(), "{answer:?}");
        let roadmap = &answer.body["data"]["roadmap"];
        assert_eq!(roadmap["title"], "Backend Developer");

        let sections = roadmap["sections"].as_array().expect("sections");
        assert!(sections.len() >= 4, "{} sections", sections.len());
        assert!(
            sections
                .iter()
                .all(|s| s["title"].as_str().is_some_and(|t| !t.is_empty()))
        );
        let skills = roadmap_skills(roadmap);
        for expected in [
            "git",
            "postgresql",
            "rest",
            "graphql",
            "microservices",
            "unit-testing",
        ] {
            assert!(
                skills.iter().any(|s| s == expected),
                "{expected} not on the roadmap"
            );
        }

        // Each skill comes with its prerequisites, resources and guides.
        let apis = find_item(roadmap, "apis").expect("apis is a top-level item");
        assert!(
            apis["children"].as_array().is_some_and(|c| !c.is_empty()),
            "apis nests REST and GraphQL"
        );
        let databases = find_item(roadmap, "databases").expect("databases item");
        let resources = databases["skill"]["resources"]
            .as_array()
            .expect("resources");
        assert!(resources.len() >= 2);
        assert_eq!(resources[0]["kind"], "OFFICIAL");
        assert!(
            resources
                .iter()
                .all(|r| r["url"].as_str().is_some_and(|u| u.starts_with("https://")))
        );

        let languages = find_item(roadmap, "programming-languages").expect("languages item");
        assert!(
            slugs(&languages["skill"]["guides"], "/slug")
                .contains(&"backend-developer-skills".to_owned()),
            "the seed guide covers programming languages"
        );

        // The seed guide with its related guides, in order.
        let seed = roadmap["guides"]
            .as_array()
            .expect("guides")
            .iter()
            .find(|g| g["slug"] == "backend-developer-skills")
            .expect("the seed guide covers skills of the backend roadmap");
        assert_eq!(
            slugs(&seed["relatedGuides"], "/url"),
            [
                "https://roadmap.sh/backend/languages",
                "https://roadmap.sh/backend/technologies",
                "https://roadmap.sh/backend/frameworks",
                "https://roadmap.sh/questions/backend",
                "https://roadmap.sh/backend/developer-tools",
                "https://roadmap.sh/backend/project-ideas",
            ]
        );
        assert!(slugs(&roadmap["relatedRoadmaps"], "/slug").contains(&"devops".to_owned()));
    }
}

#[tokio::test]
async fn a_nested_roadmap_query_runs_no_sql() {
    for server in servers().await {
        // Warm up, so nothing lazily initialised is counted.
        server
            .post(NESTED_ROADMAP, json!({ "slug": "backend" }))
            .await;
        let before = server.metric("skillgraph_sql_statements_total").await;
        for slug in ["backend", "devops"] {
            let answer = server.post(NESTED_ROADMAP, json!({ "slug": slug })).await;
            assert!(
                answer.body["data"]["roadmap"]["sections"].is_array(),
                "{answer:?}"
            );
        }
        let after = server.metric("skillgraph_sql_statements_total").await;
        assert_eq!(before, after, "a read sent SQL statements");
        assert!(
            before > 0.0,
            "the counter counts: the start-up load sent statements"
        );
    }
}

#[tokio::test]
async fn a_skill_page_lists_both_directions_and_the_hierarchy() {
    for server in servers().await {
        let answer = server
            .post(
                r#"{
                  orms: skill(slug: "orms") {
                    name level tags
                    prerequisites { strength skill { slug } }
                    required: prerequisites(strength: REQUIRED) { skill { slug } }
                  }
                  sql: skill(slug: "sql") { dependents { skill { slug } } roadmaps { slug } }
                  postgresql: skill(slug: "postgresql") { parent { slug } aliases externalIds { scheme value } }
                  databases: skill(slug: "databases") { children { slug } }
                  official: skill(slug: "git") { resources(kinds: [OFFICIAL]) { kind } related { slug } }
                }"#,
                json!({}),
            )
            .await;
        assert!(answer.body.get("errors").is_none(), "{answer:?}");
        let data = &answer.body["data"];
        let prerequisites = slugs(&data["orms"]["prerequisites"], "/skill/slug");
        assert!(
            prerequisites.contains(&"relational-databases".to_owned()),
            "{prerequisites:?}"
        );
        assert!(slugs(&data["orms"]["required"], "/skill/slug").len() <= prerequisites.len());
        assert!(slugs(&data["sql"]["dependents"], "/skill/slug").contains(&"orms".to_owned()));
        let roadmaps = slugs(&data["sql"]["roadmaps"], "/slug");
        assert!(roadmaps.contains(&"backend".to_owned()), "{roadmaps:?}");
        assert_eq!(data["postgresql"]["parent"]["slug"], "relational-databases");
        assert!(
            data["postgresql"]["aliases"]
                .as_array()
                .is_some_and(|a| a.contains(&json!("postgres")))
        );
        assert!(slugs(&data["databases"]["children"], "/slug").len() >= 2);
        let kinds = data["official"]["resources"].as_array().expect("resources");
        assert!(!kinds.is_empty() && kinds.iter().all(|k| k["kind"] == "OFFICIAL"));
    }
}

#[tokio::test]
async fn global_ids_fetch_the_same_objects_again() {
    for server in servers().await {
        let first = server
            .post(
                r#"{ skill(slug: "git") { id slug resources { id } }
                     roadmap(slug: "backend") { id }
                     guide(slug: "backend-developer-skills") { id author { id handle name } } }"#,
                json!({}),
            )
            .await;
        let data = &first.body["data"];
        let ids = json!([
            data["skill"]["id"],
            data["roadmap"]["id"],
            data["guide"]["id"],
            data["guide"]["author"]["id"],
            data["skill"]["resources"][0]["id"],
        ]);
        let again = server
            .post(
                r#"query ($ids: [ID!]!, $author: ID!) {
                  nodes(ids: $ids) {
                    __typename id
                    ... on Skill { slug }
                    ... on Roadmap { slug }
                    ... on Guide { slug }
                    ... on Author { handle }
                    ... on Resource { url skill { slug } }
                  }
                  author(id: $author) { name }
                  byHandle: author(handle: "fernando-doglio") { name }
                }"#,
                json!({ "ids": ids, "author": data["guide"]["author"]["id"] }),
            )
            .await;
        assert!(again.body.get("errors").is_none(), "{again:?}");
        let nodes = again.body["data"]["nodes"].as_array().expect("nodes");
        assert_eq!(
            slugs(&again.body["data"]["nodes"], "/__typename"),
            ["Skill", "Roadmap", "Guide", "Author", "Resource"]
        );
        assert_eq!(nodes[0]["slug"], "git");
        assert_eq!(nodes[1]["slug"], "backend");
        assert_eq!(nodes[2]["slug"], "backend-developer-skills");
        assert_eq!(nodes[3]["handle"], "fernando-doglio");
        assert_eq!(nodes[4]["skill"]["slug"], "git");
        for (node, id) in nodes.iter().zip(ids.as_array().into_iter().flatten()) {
            assert_eq!(&node["id"], id);
        }
        assert_eq!(again.body["data"]["author"]["name"], "Fernando Doglio");
        assert_eq!(again.body["data"]["byHandle"]["name"], "Fernando Doglio");
    }
}

#[tokio::test]
async fn connections_page_filter_and_order() {
    for server in servers().await {
        const PAGE: &str = r#"query ($after: String, $filter: SkillFilter, $order: SkillOrder) {
          skills(first: 10, after: $after, filter: $filter, orderBy: $order) {
            totalCount
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            edges { cursor node { slug level tags } }
            nodes { slug }
          }
        }"#;
        let mut seen = Vec::new();
        let mut after = Value::Null;
        let total = loop {
            let answer = server.post(PAGE, json!({ "after": after })).await;
            let page = &answer.body["data"]["skills"];
            assert!(page.is_object(), "{answer:?}");
            assert_eq!(
                slugs(&page["edges"], "/node/slug"),
                slugs(&page["nodes"], "/slug")
            );
            assert_eq!(page["pageInfo"]["hasPreviousPage"], json!(!seen.is_empty()));
            seen.extend(slugs(&page["nodes"], "/slug"));
            if page["pageInfo"]["hasNextPage"] != json!(true) {
                break page["totalCount"].as_u64().expect("totalCount") as usize;
            }
            after = page["pageInfo"]["endCursor"].clone();
        };
        assert_eq!(seen.len(), total, "paging visits every skill once");
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "ordered by slug by default");

        let backward = server
            .post(
                r#"{ skills(last: 3, orderBy: {field: NAME, direction: DESC}) { nodes { name } pageInfo { hasPreviousPage hasNextPage } } }"#,
                json!({}),
            )
            .await;
        let page = &backward.body["data"]["skills"];
        assert_eq!(
            page["nodes"].as_array().map(Vec::len),
            Some(3),
            "{backward:?}"
        );
        assert_eq!(page["pageInfo"]["hasPreviousPage"], true);
        assert_eq!(page["pageInfo"]["hasNextPage"], false);

        let filtered = server
            .post(
                PAGE,
                json!({ "filter": { "tag": "databases", "level": "BEGINNER" } }),
            )
            .await;
        let nodes = filtered.body["data"]["skills"]["edges"]
            .as_array()
            .expect("edges");
        assert!(!nodes.is_empty(), "{filtered:?}");
        assert!(nodes.iter().all(|e| {
            e["node"]["level"] == "BEGINNER"
                && e["node"]["tags"]
                    .as_array()
                    .is_some_and(|t| t.contains(&json!("databases")))
        }));

        let text = server
            .post(
                r#"{ skills(filter: {text: "postgres"}) { nodes { slug } } }"#,
                json!({}),
            )
            .await;
        assert!(
            slugs(&text.body["data"]["skills"]["nodes"], "/slug")
                .contains(&"postgresql".to_owned())
        );

        let roadmaps = server
            .post(
                r#"{ roadmaps(filter: {skill: "docker"}) { totalCount nodes { slug } }
                     guides(filter: {author: "fernando-doglio"}, orderBy: {field: PUBLISHED_ON, direction: DESC}) { nodes { slug publishedOn } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            roadmaps.body["data"]["roadmaps"]["totalCount"], 2,
            "{roadmaps:?}"
        );
        let guides = &roadmaps.body["data"]["guides"]["nodes"];
        assert_eq!(guides[0]["slug"], "backend-developer-skills");
        assert_eq!(guides[0]["publishedOn"], "2024-02-27");
    }
}

#[tokio::test]
async fn unknown_slugs_are_null_and_malformed_arguments_are_coded_errors() {
    for server in servers().await {
        let unknown = server
            .post(
                r#"{ skill(slug: "no-such-skill") { id } roadmap(slug: "nope") { id } guide(slug: "nope") { id }
                     node(id: "U2tpbGw6OTk5OTk") { id } author(handle: "nobody") { id } }"#,
                json!({}),
            )
            .await;
        assert!(unknown.body.get("errors").is_none(), "{unknown:?}");
        for field in ["skill", "roadmap", "guide", "node", "author"] {
            assert_eq!(unknown.body["data"][field], Value::Null, "{field}");
        }

        for (query, variables) in [
            (r#"{ node(id: "not-an-id") { id } }"#, json!({})),
            (
                r#"{ nodes(ids: ["U2tpbGw6MQ", "garbage!"]) { id } }"#,
                json!({}),
            ),
            (r#"{ skill(slug: "Not A Slug") { id } }"#, json!({})),
            (r#"{ skills(first: 101) { totalCount } }"#, json!({})),
            (r#"{ skills(first: -1) { totalCount } }"#, json!({})),
            (r#"{ skills(after: "bogus") { totalCount } }"#, json!({})),
            (r#"{ author { id } }"#, json!({})),
            (
                r#"{ skills(filter: {tag: "Bad Tag"}) { totalCount } }"#,
                json!({}),
            ),
        ] {
            let answer = server.post(query, variables).await;
            assert_eq!(answer.status, 200, "{query}: {answer:?}");
            let codes = answer.error_codes();
            assert!(
                !codes.is_empty() && codes.iter().all(|c| c == "BAD_USER_INPUT"),
                "{query}: {answer:?}"
            );
        }

        // Arguments that fail validation never execute: 400 and no data entry.
        for query in [
            r#"{ skills(filter: {level: EXPERT}) { totalCount } }"#,
            r#"{ skill { id } }"#,
            r#"{ skill(slug: "git") { noSuchField } }"#,
            r#"{ skill(slug: "git") { "#,
        ] {
            let answer = server.post(query, json!({})).await;
            assert_eq!(answer.status, 400, "{query}: {answer:?}");
            assert!(answer.body.get("data").is_none(), "{query}: {answer:?}");
            assert_eq!(
                answer.error_codes(),
                ["BAD_USER_INPUT"],
                "{query}: {answer:?}"
            );
        }
    }
}
