//! Curating roadmaps, guides and authors through the real server: every
//! mutation's success and its refusals, reordering, and the admin import.

use serde_json::{Value, json};

use crate::harness::{Answer, Server, servers, slugs};
use crate::writes::version;

const ROADMAP_FIELDS: &str = "catalogVersion roadmap { slug title relatedRoadmaps { slug } sections { id title items { id recommendation skill { slug } children { id skill { slug } } } } }";

async fn write(server: &Server, token: &str, mutation: &str, input: Value) -> Answer {
    let (name, kind) = mutation.split_once(':').unwrap();
    let fields = match kind {
        "Roadmap" | "RoadmapSection" | "RoadmapItem" => ROADMAP_FIELDS,
        "Guide" => {
            "catalogVersion guide { slug title author { handle } publishedOn skills { slug } relatedGuides { slug } }"
        }
        "Author" => "catalogVersion author { handle name links }",
        other => panic!("no fields for {other}"),
    };
    let input_type = format!("{}Input", name[..1].to_uppercase() + &name[1..]);
    let query =
        format!("mutation ($input: {input_type}!) {{ {name}(input: $input) {{ {fields} }} }}");
    server
        .post_as(token, &query, json!({ "input": input }))
        .await
}

/// Asserts that an answer is a refusal with this code (and field path).
fn refused(answer: &Answer, code: &str, field: Option<&str>) {
    assert_eq!(answer.error_codes(), [code], "{answer:?}");
    if let Some(field) = field {
        assert_eq!(
            answer.body["errors"][0]["extensions"]["field"], field,
            "{answer:?}"
        );
    }
}

fn ok<'a>(answer: &'a Answer, name: &str) -> &'a Value {
    assert!(answer.body.get("errors").is_none(), "{answer:?}");
    &answer.body["data"][name]
}

#[tokio::test]
async fn roadmaps_sections_and_items_can_be_built_reordered_and_taken_apart() {
    for server in servers().await {
        let token = server.token("editor");
        // One request, two mutations: the second sees the first's write.
        let created = server
            .post_as(
                &token,
                r#"mutation {
                  createRoadmap(input: { slug: "platform", title: "Platform Engineering", related: ["devops"] }) { roadmap { slug relatedRoadmaps { slug } } }
                  createRoadmapSection(input: { roadmap: "platform", title: "Foundations" }) { section { title } }
                }"#,
                json!({}),
            )
            .await;
        let roadmap = &ok(&created, "createRoadmap")["roadmap"];
        assert_eq!(roadmap["slug"], "platform");
        assert_eq!(slugs(&roadmap["relatedRoadmaps"], "/slug"), ["devops"]);
        assert_eq!(
            created.body["data"]["createRoadmapSection"]["section"]["title"],
            "Foundations"
        );

        let section = |title: &str, position: Option<i64>| {
            let mut input = json!({ "roadmap": "platform", "title": title });
            if let Some(p) = position {
                input["position"] = json!(p);
            }
            input
        };
        let second = write(
            &server,
            &token,
            "createRoadmapSection:RoadmapSection",
            section("Before anything", Some(0)),
        )
        .await;
        let sections = &ok(&second, "createRoadmapSection")["roadmap"]["sections"];
        let titles: Vec<&str> = sections
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            ["Before anything", "Foundations"],
            "a position puts it there"
        );
        let (before_id, foundations_id) = (sections[0]["id"].clone(), sections[1]["id"].clone());

        let v = version(&server).await;
        let beyond = write(
            &server,
            &token,
            "createRoadmapSection:RoadmapSection",
            section("Far", Some(3)),
        )
        .await;
        refused(&beyond, "BAD_USER_INPUT", Some("input.position"));
        let negative = write(
            &server,
            &token,
            "createRoadmapSection:RoadmapSection",
            section("Far", Some(-1)),
        )
        .await;
        refused(&negative, "BAD_USER_INPUT", Some("input.position"));
        let no_roadmap = write(
            &server,
            &token,
            "createRoadmapSection:RoadmapSection",
            json!({ "roadmap": "nope", "title": "x" }),
        )
        .await;
        refused(&no_roadmap, "NOT_FOUND", None);
        let taken = write(
            &server,
            &token,
            "createRoadmap:Roadmap",
            json!({ "slug": "backend", "title": "Again" }),
        )
        .await;
        refused(&taken, "CONFLICT", None);
        assert_eq!(version(&server).await, v, "refusals write nothing");

        // Items: add, nest, refuse a second place for one skill.
        let add = |skill: &str, section: &Value, parent: Option<&Value>, position: Option<i64>| {
            let mut input = json!({ "section": section, "skill": skill });
            if let Some(parent) = parent {
                input["parentItem"] = parent.clone();
            }
            if let Some(p) = position {
                input["position"] = json!(p);
            }
            input
        };
        let git = write(
            &server,
            &token,
            "addRoadmapItem:RoadmapItem",
            add("git", &foundations_id, None, None),
        )
        .await;
        let git_id = ok(&git, "addRoadmapItem")["roadmap"]["sections"][1]["items"][0]["id"].clone();
        let linux = write(
            &server,
            &token,
            "addRoadmapItem:RoadmapItem",
            add("linux", &foundations_id, None, Some(0)),
        )
        .await;
        ok(&linux, "addRoadmapItem");
        let github = write(
            &server,
            &token,
            "addRoadmapItem:RoadmapItem",
            add("docker", &foundations_id, Some(&git_id), None),
        )
        .await;
        let items = &ok(&github, "addRoadmapItem")["roadmap"]["sections"][1]["items"];
        assert_eq!(slugs(items, "/skill/slug"), ["linux", "git"]);
        assert_eq!(slugs(&items[1]["children"], "/skill/slug"), ["docker"]);
        let docker_id = items[1]["children"][0]["id"].clone();
        let v = version(&server).await;
        let twice = write(
            &server,
            &token,
            "addRoadmapItem:RoadmapItem",
            add("git", &before_id, None, None),
        )
        .await;
        refused(&twice, "CONFLICT", None);
        let wrong_section = write(
            &server,
            &token,
            "addRoadmapItem:RoadmapItem",
            add("sql", &before_id, Some(&git_id), None),
        )
        .await;
        refused(&wrong_section, "BAD_USER_INPUT", Some("input.parentItem"));
        let not_an_item = write(
            &server,
            &token,
            "addRoadmapItem:RoadmapItem",
            add("sql", &before_id, Some(&before_id), None),
        )
        .await;
        refused(&not_an_item, "BAD_USER_INPUT", Some("input.parentItem"));
        let into_itself = write(
            &server,
            &token,
            "updateRoadmapItem:RoadmapItem",
            json!({ "id": git_id, "parentItem": docker_id }),
        )
        .await;
        refused(&into_itself, "CONFLICT", None);
        let other_roadmap = server
            .post(
                r#"{ roadmap(slug: "backend") { sections { id } } }"#,
                json!({}),
            )
            .await;
        let backend_section = other_roadmap.body["data"]["roadmap"]["sections"][0]["id"].clone();
        let away = write(
            &server,
            &token,
            "updateRoadmapItem:RoadmapItem",
            json!({ "id": git_id, "section": backend_section }),
        )
        .await;
        refused(&away, "BAD_USER_INPUT", Some("input.section"));
        assert_eq!(version(&server).await, v, "refusals write nothing");

        // Moves: git (with docker nested in it) to the first section, then
        // docker to the top level at position 0, then the sections swapped.
        let moved = write(
            &server,
            &token,
            "updateRoadmapItem:RoadmapItem",
            json!({ "id": git_id, "section": before_id, "recommendation": "OPTIONAL" }),
        )
        .await;
        let sections = &ok(&moved, "updateRoadmapItem")["roadmap"]["sections"];
        assert_eq!(slugs(&sections[0]["items"], "/skill/slug"), ["git"]);
        assert_eq!(sections[0]["items"][0]["recommendation"], "OPTIONAL");
        assert_eq!(
            slugs(&sections[0]["items"][0]["children"], "/skill/slug"),
            ["docker"],
            "nested items move along"
        );
        assert_eq!(slugs(&sections[1]["items"], "/skill/slug"), ["linux"]);
        let lifted = write(
            &server,
            &token,
            "updateRoadmapItem:RoadmapItem",
            json!({ "id": docker_id, "parentItem": null, "position": 0 }),
        )
        .await;
        let sections = &ok(&lifted, "updateRoadmapItem")["roadmap"]["sections"];
        assert_eq!(
            slugs(&sections[0]["items"], "/skill/slug"),
            ["docker", "git"]
        );
        let swapped = write(
            &server,
            &token,
            "updateRoadmapSection:RoadmapSection",
            json!({ "id": foundations_id, "position": 0, "title": "Foundations first" }),
        )
        .await;
        let sections = &ok(&swapped, "updateRoadmapSection")["roadmap"]["sections"];
        assert_eq!(sections[0]["title"], "Foundations first");
        assert_eq!(
            slugs(&sections[1]["items"], "/skill/slug"),
            ["docker", "git"]
        );
        let read = server
            .post(
                r#"{ roadmap(slug: "platform") { skillCount learningOrder { slug } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(read.body["data"]["roadmap"]["skillCount"], 3);
        let fetched = server
            .post(
                "query ($id: ID!) { node(id: $id) { ... on RoadmapItem { skill { slug } } } }",
                json!({ "id": git_id }),
            )
            .await;
        assert_eq!(
            fetched.body["data"]["node"]["skill"]["slug"], "git",
            "{fetched:?}"
        );

        // Taking apart: the item, the section with its items, the roadmap.
        let removed = write(
            &server,
            &token,
            "removeRoadmapItem:RoadmapItem",
            json!({ "id": docker_id }),
        )
        .await;
        assert_eq!(
            slugs(
                &ok(&removed, "removeRoadmapItem")["roadmap"]["sections"][1]["items"],
                "/skill/slug"
            ),
            ["git"]
        );
        let again = write(
            &server,
            &token,
            "removeRoadmapItem:RoadmapItem",
            json!({ "id": docker_id }),
        )
        .await;
        refused(&again, "NOT_FOUND", None);
        let gone = write(
            &server,
            &token,
            "deleteRoadmapSection:RoadmapSection",
            json!({ "id": before_id }),
        )
        .await;
        let sections = &ok(&gone, "deleteRoadmapSection")["roadmap"]["sections"];
        assert_eq!(sections.as_array().unwrap().len(), 1);
        let deleted = write(
            &server,
            &token,
            "deleteRoadmap:Roadmap",
            json!({ "roadmap": "platform" }),
        )
        .await;
        assert_eq!(ok(&deleted, "deleteRoadmap")["roadmap"], Value::Null);
        let after = server
            .post(
                r#"{ roadmap(slug: "platform") { slug } skill(slug: "git") { slug } }"#,
                json!({}),
            )
            .await;
        assert_eq!(after.body["data"]["roadmap"], Value::Null);
        assert_eq!(
            after.body["data"]["skill"]["slug"], "git",
            "the skills stay"
        );
        let renamed = write(
            &server,
            &token,
            "updateRoadmap:Roadmap",
            json!({ "roadmap": "devops", "title": "DevOps, revised", "related": ["devops"] }),
        )
        .await;
        refused(&renamed, "BAD_USER_INPUT", None);
        let renamed = write(
            &server,
            &token,
            "updateRoadmap:Roadmap",
            json!({ "roadmap": "devops", "title": "DevOps, revised", "related": ["backend"] }),
        )
        .await;
        assert_eq!(
            ok(&renamed, "updateRoadmap")["roadmap"]["title"],
            "DevOps, revised"
        );
    }
}

#[tokio::test]
async fn guides_and_authors_can_be_written_and_their_references_are_checked() {
    for server in servers().await {
        let token = server.token("editor");
        let v = version(&server).await;
        let insecure = write(&server, &token, "createAuthor:Author", json!({ "handle": "ada", "name": "Ada", "links": ["https://example.org/ada", "http://example.org"] })).await;
        refused(&insecure, "BAD_USER_INPUT", Some("input.links[1]"));
        assert_eq!(version(&server).await, v);
        let author = write(
            &server,
            &token,
            "createAuthor:Author",
            json!({ "handle": "ada", "name": "Ada", "links": ["https://example.org/ada"] }),
        )
        .await;
        assert_eq!(ok(&author, "createAuthor")["author"]["handle"], "ada");
        let taken = write(
            &server,
            &token,
            "createAuthor:Author",
            json!({ "handle": "ada", "name": "Another Ada" }),
        )
        .await;
        refused(&taken, "CONFLICT", None);

        let guide = json!({
            "slug": "shipping-containers", "title": "Shipping software in containers",
            "description": "Why images and registries changed deployment.",
            "url": "https://example.org/guides/containers", "author": "ada",
            "publishedOn": "2026-11-30", "skills": ["docker", "git"], "related": ["backend-developer-tools"]
        });
        let mut repeated = guide.clone();
        repeated["skills"] = json!(["docker", "docker"]);
        let refusal = write(&server, &token, "createGuide:Guide", repeated).await;
        refused(&refusal, "BAD_USER_INPUT", Some("input.skills"));
        let mut unknown = guide.clone();
        unknown["author"] = json!("nobody");
        refused(
            &write(&server, &token, "createGuide:Guide", unknown).await,
            "NOT_FOUND",
            None,
        );
        let mut bad_date = guide.clone();
        bad_date["publishedOn"] = json!("2026-02-30");
        refused(
            &write(&server, &token, "createGuide:Guide", bad_date).await,
            "BAD_USER_INPUT",
            None,
        );

        let created = write(&server, &token, "createGuide:Guide", guide).await;
        let written = &ok(&created, "createGuide")["guide"];
        assert_eq!(written["author"]["handle"], "ada");
        assert_eq!(written["publishedOn"], "2026-11-30");
        assert_eq!(slugs(&written["skills"], "/slug"), ["docker", "git"]);
        let docker = server
            .post(
                r#"{ skill(slug: "docker") { guides { slug } } }"#,
                json!({}),
            )
            .await;
        assert!(
            slugs(&docker.body["data"]["skill"]["guides"], "/slug")
                .contains(&"shipping-containers".to_owned())
        );
        let itself = write(
            &server,
            &token,
            "updateGuide:Guide",
            json!({ "guide": "shipping-containers", "related": ["shipping-containers"] }),
        )
        .await;
        refused(&itself, "BAD_USER_INPUT", None);
        let cleared = write(
            &server,
            &token,
            "updateGuide:Guide",
            json!({ "guide": "shipping-containers", "publishedOn": null, "skills": ["docker"] }),
        )
        .await;
        let written = &ok(&cleared, "updateGuide")["guide"];
        assert_eq!(written["publishedOn"], Value::Null);
        assert_eq!(written["author"]["handle"], "ada", "left out, so kept");
        assert_eq!(slugs(&written["skills"], "/slug"), ["docker"]);

        let renamed = write(
            &server,
            &token,
            "updateAuthor:Author",
            json!({ "author": "ada", "name": "Ada Lovelace" }),
        )
        .await;
        assert_eq!(
            ok(&renamed, "updateAuthor")["author"]["name"],
            "Ada Lovelace"
        );
        let removed = write(
            &server,
            &token,
            "deleteAuthor:Author",
            json!({ "author": "ada" }),
        )
        .await;
        assert_eq!(ok(&removed, "deleteAuthor")["author"], Value::Null);
        let orphan = server
            .post(
                r#"{ guide(slug: "shipping-containers") { author { handle } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            orphan.body["data"]["guide"]["author"],
            Value::Null,
            "the guide stays, without an author"
        );
        let deleted = write(
            &server,
            &token,
            "deleteGuide:Guide",
            json!({ "guide": "shipping-containers" }),
        )
        .await;
        assert_eq!(ok(&deleted, "deleteGuide")["guide"], Value::Null);
        refused(
            &write(
                &server,
                &token,
                "deleteGuide:Guide",
                json!({ "guide": "shipping-containers" }),
            )
            .await,
            "NOT_FOUND",
            None,
        );
    }
}

const IMPORT: &str = r#"mutation ($input: ImportBundleInput!) {
  importBundle(input: $input) { catalogVersion importedSkills totalSkills }
}"#;

fn bundle_with(skills: &str) -> String {
    format!("format: skillgraph-bundle/1\nskills:\n{skills}")
}

#[tokio::test]
async fn an_admin_imports_a_bundle_through_the_api_all_or_nothing() {
    for server in servers().await {
        let editor = server.token("editor");
        let admin = server.token("admin");
        let newcomer = bundle_with(
            "  - slug: service-mesh\n    name: Service Mesh\n    summary: Routing and securing traffic between services.\n    level: advanced\n    prerequisites:\n      - skill: docker\n",
        );
        let forbidden = server
            .post_as(&editor, IMPORT, json!({ "input": { "bundle": newcomer } }))
            .await;
        refused(&forbidden, "FORBIDDEN", None);
        let v = version(&server).await;
        let full = server
            .post_as(&admin, IMPORT, json!({ "input": { "bundle": newcomer } }))
            .await;
        refused(&full, "CONFLICT", None);
        let unreadable = server.post_as(&admin, IMPORT, json!({ "input": { "bundle": "format: skillgraph-bundle/1\nskills: [\n", "merge": true } })).await;
        refused(&unreadable, "BAD_USER_INPUT", Some("input.bundle"));
        let dangling = bundle_with(
            "  - slug: orphan\n    name: Orphan\n    summary: Needs a skill that is not there.\n    level: beginner\n    prerequisites:\n      - skill: no-such-skill\n",
        );
        let dangling = server
            .post_as(
                &admin,
                IMPORT,
                json!({ "input": { "bundle": dangling, "merge": true } }),
            )
            .await;
        refused(&dangling, "BAD_USER_INPUT", Some("input.bundle"));
        // Docker made to need a skill that needs docker: a cycle through the merge.
        let cyclic = format!(
            "{newcomer}  - slug: docker\n    name: Docker\n    summary: Containers.\n    level: intermediate\n    prerequisites:\n      - skill: service-mesh\n"
        );
        let cyclic = server
            .post_as(
                &admin,
                IMPORT,
                json!({ "input": { "bundle": cyclic, "merge": true } }),
            )
            .await;
        refused(&cyclic, "CONFLICT", None);
        let cycle = slugs(&cyclic.body["errors"][0]["extensions"]["cycle"], "");
        assert!(
            cycle.contains(&"docker".to_owned()) && cycle.contains(&"service-mesh".to_owned()),
            "{cycle:?}"
        );
        assert_eq!(version(&server).await, v, "refused imports write nothing");

        let docker_before = server
            .post(r#"{ skill(slug: "docker") { id } }"#, json!({}))
            .await;
        let merged = server
            .post_as(
                &admin,
                IMPORT,
                json!({ "input": { "bundle": newcomer, "merge": true } }),
            )
            .await;
        let payload = ok(&merged, "importBundle");
        assert_eq!(payload["catalogVersion"].as_i64(), Some(v + 1));
        assert_eq!(payload["importedSkills"], 1);
        let mesh = server.post(r#"{ skill(slug: "service-mesh") { prerequisites { skill { slug } } } docker: skill(slug: "docker") { id } }"#, json!({})).await;
        assert_eq!(
            slugs(&mesh.body["data"]["skill"]["prerequisites"], "/skill/slug"),
            ["docker"]
        );
        assert_eq!(
            mesh.body["data"]["docker"]["id"], docker_before.body["data"]["skill"]["id"],
            "ids survive a merge"
        );
    }
}
