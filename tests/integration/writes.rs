//! Writes through the real server: tokens and roles, skill and prerequisite
//! mutations, refusals that write nothing, and read-your-writes.

use serde_json::{Value, json};

use crate::harness::{Server, servers, slugs};

const CREATE: &str = r#"mutation ($input: CreateSkillInput!) {
  createSkill(input: $input) { catalogVersion skill { slug name level tags parent { slug } } }
}"#;
const ADD_PREREQUISITE: &str = r#"mutation ($input: AddPrerequisiteInput!) {
  addPrerequisite(input: $input) { catalogVersion skill { slug prerequisites { strength skill { slug } } } }
}"#;

pub(crate) async fn version(server: &Server) -> i64 {
    let answer = server
        .post("{ catalog { version updatedAt } }", json!({}))
        .await;
    assert!(
        answer.body["data"]["catalog"]["updatedAt"].is_string(),
        "{answer:?}"
    );
    answer.body["data"]["catalog"]["version"].as_i64().unwrap()
}

fn new_skill(slug: &str) -> Value {
    json!({ "input": {
        "slug": slug, "name": "Rate Limiting", "summary": "Keeping clients within a fair share of a service.",
        "level": "INTERMEDIATE", "tags": ["apis", "performance"], "parent": "apis"
    } })
}

#[tokio::test]
async fn writes_need_a_token_of_a_role_that_allows_them() {
    for server in servers().await {
        let before = version(&server).await;
        let anonymous = server.post(CREATE, new_skill("rate-limiting")).await;
        assert_eq!(
            anonymous.error_codes(),
            ["UNAUTHENTICATED"],
            "{anonymous:?}"
        );
        let forged = server
            .post_as("sg_editor_forged", CREATE, new_skill("rate-limiting"))
            .await;
        assert_eq!(forged.error_codes(), ["UNAUTHENTICATED"], "{forged:?}");
        assert_eq!(
            version(&server).await,
            before,
            "a refused write changes nothing"
        );

        let token = server.token("editor");
        assert!(token.starts_with("sg_editor_"), "{token}");
        let created = server
            .post_as(&token, CREATE, new_skill("rate-limiting"))
            .await;
        assert!(created.body.get("errors").is_none(), "{created:?}");
        let payload = &created.body["data"]["createSkill"];
        assert_eq!(payload["skill"]["slug"], "rate-limiting");
        assert_eq!(payload["skill"]["parent"]["slug"], "apis");
        assert_eq!(payload["catalogVersion"].as_i64(), Some(before + 1));

        // Read your writes: the next request sees the skill and the new version.
        assert_eq!(version(&server).await, before + 1);
        let read = server
            .post(
                r#"{ skill(slug: "rate-limiting") { name summary } }"#,
                json!({}),
            )
            .await;
        assert_eq!(read.body["data"]["skill"]["name"], "Rate Limiting");
        let search = server
            .post(r#"{ search(query: "rate limiting", first: 1) { edges { node { ... on SkillHit { skill { slug } } } } } }"#, json!({}))
            .await;
        assert_eq!(
            search.body["data"]["search"]["edges"][0]["node"]["skill"]["slug"],
            "rate-limiting"
        );
    }
}

#[tokio::test]
async fn a_prerequisite_that_would_close_a_cycle_is_refused_with_the_cycle() {
    for server in servers().await {
        let token = server.token("editor");
        let before = version(&server).await;
        // microservices needs apis (directly), so apis may not need microservices.
        let refused = server
            .post_as(
                &token,
                ADD_PREREQUISITE,
                json!({ "input": { "skill": "apis", "requires": "microservices" } }),
            )
            .await;
        assert_eq!(refused.error_codes(), ["CONFLICT"], "{refused:?}");
        let cycle = slugs(&refused.body["errors"][0]["extensions"]["cycle"], "");
        assert_eq!(cycle.first().map(String::as_str), Some("apis"), "{cycle:?}");
        assert_eq!(cycle.last().map(String::as_str), Some("apis"), "{cycle:?}");
        assert!(cycle.contains(&"microservices".to_owned()), "{cycle:?}");
        assert_eq!(version(&server).await, before);

        let added = server
            .post_as(
                &token,
                ADD_PREREQUISITE,
                json!({ "input": { "skill": "microservices", "requires": "message-brokers", "strength": "RECOMMENDED" } }),
            )
            .await;
        assert!(added.body.get("errors").is_none(), "{added:?}");
        let prerequisites = slugs(
            &added.body["data"]["addPrerequisite"]["skill"]["prerequisites"],
            "/skill/slug",
        );
        assert!(prerequisites.contains(&"message-brokers".to_owned()));
        let again = server
            .post_as(
                &token,
                ADD_PREREQUISITE,
                json!({ "input": { "skill": "microservices", "requires": "message-brokers" } }),
            )
            .await;
        assert_eq!(again.error_codes(), ["CONFLICT"]);
        let removed = server
            .post_as(
                &token,
                r#"mutation { removePrerequisite(input: { skill: "microservices", requires: "message-brokers" }) { skill { prerequisites { skill { slug } } } } }"#,
                json!({}),
            )
            .await;
        let left = slugs(
            &removed.body["data"]["removePrerequisite"]["skill"]["prerequisites"],
            "/skill/slug",
        );
        assert!(!left.contains(&"message-brokers".to_owned()), "{removed:?}");
        let hierarchy = server
            .post_as(&token, r#"mutation { setSkillParent(input: { skill: "databases", parent: "postgresql" }) { skill { slug } } }"#, json!({}))
            .await;
        assert_eq!(hierarchy.error_codes(), ["CONFLICT"], "{hierarchy:?}");
        assert!(hierarchy.body["errors"][0]["extensions"]["cycle"].is_array());
    }
}

#[tokio::test]
async fn bad_input_names_the_field_and_deleting_a_needed_skill_names_its_dependents() {
    for server in servers().await {
        let token = server.token("editor");
        let before = version(&server).await;
        for (input, field) in [
            (
                json!({ "slug": "Not A Slug", "name": "x", "summary": "y", "level": "BEGINNER" }),
                "input.slug",
            ),
            (
                json!({ "slug": "ok-slug", "name": "  ", "summary": "y", "level": "BEGINNER" }),
                "input.name",
            ),
            (
                json!({ "slug": "ok-slug", "name": "x", "summary": "a\nb", "level": "BEGINNER" }),
                "input.summary",
            ),
            (
                json!({ "slug": "ok-slug", "name": "x", "summary": "y", "level": "BEGINNER", "tags": ["ok", "Bad Tag"] }),
                "input.tags[1]",
            ),
        ] {
            let answer = server
                .post_as(&token, CREATE, json!({ "input": input }))
                .await;
            assert_eq!(answer.error_codes(), ["BAD_USER_INPUT"], "{answer:?}");
            assert_eq!(
                answer.body["errors"][0]["extensions"]["field"], field,
                "{answer:?}"
            );
        }
        let taken = server.post_as(&token, CREATE, new_skill("git")).await;
        assert_eq!(taken.error_codes(), ["CONFLICT"], "{taken:?}");
        let unknown = server
            .post_as(
                &token,
                ADD_PREREQUISITE,
                json!({ "input": { "skill": "git", "requires": "no-such-skill" } }),
            )
            .await;
        assert_eq!(unknown.error_codes(), ["NOT_FOUND"], "{unknown:?}");
        assert_eq!(version(&server).await, before, "nothing was written");

        const DELETE: &str = r#"mutation ($input: DeleteSkillInput!) { deleteSkill(input: $input) { catalogVersion skill { slug } } }"#;
        let needed = server
            .post_as(&token, DELETE, json!({ "input": { "skill": "sql" } }))
            .await;
        assert_eq!(needed.error_codes(), ["CONFLICT"], "{needed:?}");
        let dependents = slugs(&needed.body["errors"][0]["extensions"]["dependents"], "");
        assert!(dependents.contains(&"orms".to_owned()), "{dependents:?}");
        let cascaded = server
            .post_as(
                &token,
                DELETE,
                json!({ "input": { "skill": "sql", "cascade": true } }),
            )
            .await;
        assert!(cascaded.body.get("errors").is_none(), "{cascaded:?}");
        assert_eq!(cascaded.body["data"]["deleteSkill"]["skill"], Value::Null);
        let orms = server.post(r#"{ skill(slug: "orms") { prerequisites { skill { slug } } } sql: skill(slug: "sql") { id } }"#, json!({})).await;
        assert_eq!(orms.body["data"]["sql"], Value::Null);
        assert!(
            !slugs(&orms.body["data"]["skill"]["prerequisites"], "/skill/slug")
                .contains(&"sql".to_owned())
        );
    }
}

#[tokio::test]
async fn the_change_log_is_for_admins() {
    for server in servers().await {
        let editor = server.token("editor");
        let admin = server.token("admin");
        server
            .post_as(&editor, CREATE, new_skill("logged-skill"))
            .await;
        const LOG: &str = "{ changeLog(first: 5) { version actor at change } }";
        assert_eq!(
            server.post(LOG, json!({})).await.error_codes(),
            ["UNAUTHENTICATED"]
        );
        assert_eq!(
            server.post_as(&editor, LOG, json!({})).await.error_codes(),
            ["FORBIDDEN"]
        );
        let log = server.post_as(&admin, LOG, json!({})).await;
        assert!(log.body.get("errors").is_none(), "{log:?}");
        let newest = &log.body["data"]["changeLog"][0];
        assert_eq!(newest["actor"], "test editor");
        assert!(
            newest["change"].as_str().unwrap().contains("logged-skill"),
            "{newest}"
        );
        assert_eq!(newest["version"].as_i64(), Some(version(&server).await));
    }
}

#[tokio::test]
async fn related_links_and_resources_can_be_edited() {
    for server in servers().await {
        let token = server.token("editor");
        let relate = server
            .post_as(&token, r#"mutation { relateSkills(input: { skill: "git", other: "docker" }) { skill { related { slug } } } }"#, json!({}))
            .await;
        assert!(
            slugs(
                &relate.body["data"]["relateSkills"]["skill"]["related"],
                "/slug"
            )
            .contains(&"docker".to_owned()),
            "{relate:?}"
        );
        let docker = server
            .post(
                r#"{ skill(slug: "docker") { related { slug } } }"#,
                json!({}),
            )
            .await;
        assert!(
            slugs(&docker.body["data"]["skill"]["related"], "/slug").contains(&"git".to_owned()),
            "the link is symmetric"
        );
        let twice = server
            .post_as(&token, r#"mutation { relateSkills(input: { skill: "docker", other: "git" }) { catalogVersion } }"#, json!({}))
            .await;
        assert_eq!(twice.error_codes(), ["CONFLICT"], "{twice:?}");
        let unrelated = server
            .post_as(&token, r#"mutation { unrelateSkills(input: { skill: "docker", other: "git" }) { skill { related { slug } } } }"#, json!({}))
            .await;
        assert!(
            !slugs(
                &unrelated.body["data"]["unrelateSkills"]["skill"]["related"],
                "/slug"
            )
            .contains(&"git".to_owned())
        );

        const CREATE_RESOURCE: &str = r#"mutation ($input: CreateResourceInput!) {
          createResource(input: $input) { catalogVersion resource { id kind title url skill { slug } } }
        }"#;
        let insecure = server
            .post_as(&token, CREATE_RESOURCE, json!({ "input": { "skill": "git", "kind": "BOOK", "title": "Pro Git", "url": "http://git-scm.com/book" } }))
            .await;
        assert_eq!(insecure.error_codes(), ["BAD_USER_INPUT"]);
        assert_eq!(
            insecure.body["errors"][0]["extensions"]["field"],
            "input.url"
        );
        let created = server
            .post_as(&token, CREATE_RESOURCE, json!({ "input": { "skill": "git", "kind": "BOOK", "title": "Pro Git", "url": "https://git-scm.com/book/en/v2" } }))
            .await;
        let resource = &created.body["data"]["createResource"]["resource"];
        assert_eq!(resource["title"], "Pro Git", "{created:?}");
        assert_eq!(resource["skill"]["slug"], "git");
        let id = resource["id"].clone();
        let updated = server
            .post_as(
                &token,
                r#"mutation ($input: UpdateResourceInput!) { updateResource(input: $input) { resource { kind title } } }"#,
                json!({ "input": { "id": id, "kind": "OFFICIAL", "title": "Pro Git, 2nd edition", "url": "https://git-scm.com/book/en/v2" } }),
            )
            .await;
        assert_eq!(
            updated.body["data"]["updateResource"]["resource"]["title"], "Pro Git, 2nd edition",
            "{updated:?}"
        );
        let deleted = server
            .post_as(&token, r#"mutation ($input: DeleteResourceInput!) { deleteResource(input: $input) { resource { id } } }"#, json!({ "input": { "id": id } }))
            .await;
        assert!(deleted.body.get("errors").is_none(), "{deleted:?}");
        let gone = server
            .post(
                r#"query ($id: ID!) { node(id: $id) { id } }"#,
                json!({ "id": id }),
            )
            .await;
        assert_eq!(gone.body["data"]["node"], Value::Null);
        let again = server
            .post_as(&token, r#"mutation ($input: DeleteResourceInput!) { deleteResource(input: $input) { resource { id } } }"#, json!({ "input": { "id": id } }))
            .await;
        assert_eq!(again.error_codes(), ["NOT_FOUND"], "{again:?}");
    }
}

#[tokio::test]
async fn skills_can_be_renamed_and_moved_in_the_hierarchy() {
    for server in servers().await {
        let token = server.token("editor");
        const UPDATE: &str = r#"mutation ($input: UpdateSkillInput!) {
          updateSkill(input: $input) { catalogVersion skill { id slug name level aliases } }
        }"#;
        let git = server
            .post(r#"{ skill(slug: "git") { id } }"#, json!({}))
            .await;
        let before = version(&server).await;
        let taken = server
            .post_as(
                &token,
                UPDATE,
                json!({ "input": { "skill": "git", "slug": "docker" } }),
            )
            .await;
        assert_eq!(taken.error_codes(), ["CONFLICT"], "{taken:?}");
        let bad_level = server
            .post_as(
                &token,
                UPDATE,
                json!({ "input": { "skill": "git", "level": "GURU" } }),
            )
            .await;
        assert_eq!(bad_level.error_codes(), ["BAD_USER_INPUT"], "{bad_level:?}");
        let long = "x".repeat(300);
        let too_long = server
            .post_as(
                &token,
                UPDATE,
                json!({ "input": { "skill": "git", "summary": long } }),
            )
            .await;
        assert_eq!(too_long.error_codes(), ["BAD_USER_INPUT"], "{too_long:?}");
        assert_eq!(
            too_long.body["errors"][0]["extensions"]["field"],
            "input.summary"
        );
        assert_eq!(version(&server).await, before, "refusals write nothing");

        let renamed = server
            .post_as(
                &token,
                UPDATE,
                json!({ "input": { "skill": "git", "slug": "git-scm", "name": "Git (SCM)", "level": "INTERMEDIATE", "aliases": ["version control"] } }),
            )
            .await;
        let skill = &renamed.body["data"]["updateSkill"]["skill"];
        assert_eq!(skill["slug"], "git-scm", "{renamed:?}");
        assert_eq!(skill["level"], "INTERMEDIATE");
        assert_eq!(
            skill["id"], git.body["data"]["skill"]["id"],
            "the id survives a new slug"
        );
        let old = server
            .post(r#"{ skill(slug: "git") { id } }"#, json!({}))
            .await;
        assert_eq!(old.body["data"]["skill"], Value::Null);

        const PARENT: &str = r#"mutation ($input: SetSkillParentInput!) {
          setSkillParent(input: $input) { skill { parent { slug } } }
        }"#;
        let moved = server
            .post_as(
                &token,
                PARENT,
                json!({ "input": { "skill": "git-scm", "parent": "docker" } }),
            )
            .await;
        assert_eq!(
            moved.body["data"]["setSkillParent"]["skill"]["parent"]["slug"], "docker",
            "{moved:?}"
        );
        let children = server
            .post(
                r#"{ skill(slug: "docker") { children { slug } } }"#,
                json!({}),
            )
            .await;
        assert!(
            slugs(&children.body["data"]["skill"]["children"], "/slug")
                .contains(&"git-scm".to_owned())
        );
        let top = server
            .post_as(
                &token,
                PARENT,
                json!({ "input": { "skill": "git-scm", "parent": null } }),
            )
            .await;
        assert_eq!(
            top.body["data"]["setSkillParent"]["skill"]["parent"],
            Value::Null,
            "{top:?}"
        );
        let missing = server
            .post_as(
                &token,
                r#"mutation { removePrerequisite(input: { skill: "git-scm", requires: "docker" }) { catalogVersion } }"#,
                json!({}),
            )
            .await;
        assert_eq!(missing.error_codes(), ["NOT_FOUND"], "{missing:?}");
    }
}

/// A delete closes up a skill's prerequisites and resources, so an add
/// after it lands last rather than on the position a sibling holds: the
/// order reads back the same from the server and from the database.
#[tokio::test]
async fn edges_and_resources_keep_their_order_through_adds_and_deletes() {
    const ORDER: &str =
        r#"{ skill(slug: "ordered") { prerequisites { skill { slug } } resources { title } } }"#;
    const CREATE_RESOURCE: &str = r#"mutation ($input: CreateResourceInput!) { createResource(input: $input) { resource { id } } }"#;
    for server in servers().await {
        let token = server.token("editor");
        let run = async |query: &str, variables: Value| {
            let answer = server.post_as(&token, query, variables).await;
            assert!(answer.body.get("errors").is_none(), "{query}: {answer:?}");
            answer.body["data"].clone()
        };
        run(CREATE, new_skill("ordered")).await;
        let edge = async |change: &str, requires: &str| {
            let query = format!(
                r#"mutation {{ {change}(input: {{ skill: "ordered", requires: "{requires}" }}) {{ catalogVersion }} }}"#
            );
            run(&query, json!({})).await;
        };
        for requires in ["git", "docker", "databases"] {
            edge("addPrerequisite", requires).await;
        }
        edge("removePrerequisite", "git").await;
        edge("addPrerequisite", "postgresql").await;
        edge("removePrerequisite", "docker").await;
        edge("addPrerequisite", "git").await;

        let mut ids = vec![];
        let resource = async |title: &str| {
            let input = json!({ "input": {
                "skill": "ordered", "kind": "ARTICLE", "title": title,
                "url": format!("https://example.com/{title}")
            } });
            run(CREATE_RESOURCE, input).await["createResource"]["resource"]["id"].clone()
        };
        for title in ["one", "two", "three"] {
            ids.push(resource(title).await);
        }
        const DELETE_RESOURCE: &str = r#"mutation ($input: DeleteResourceInput!) { deleteResource(input: $input) { resource { id } } }"#;
        run(DELETE_RESOURCE, json!({ "input": { "id": ids[0] } })).await;
        resource("four").await;
        run(DELETE_RESOURCE, json!({ "input": { "id": ids[2] } })).await;
        resource("five").await;

        let read = server.post(ORDER, json!({})).await.body["data"]["skill"].clone();
        let edges = slugs(&read["prerequisites"], "/skill/slug");
        assert_eq!(edges, ["databases", "postgresql", "git"], "{read}");
        assert_eq!(
            slugs(&read["resources"], "/title"),
            ["two", "four", "five"],
            "{read}"
        );

        run(
            r#"mutation { deleteSkill(input: { skill: "postgresql", cascade: true }) { catalogVersion } }"#,
            json!({}),
        )
        .await;
        edge("addPrerequisite", "docker").await;
        let read = server.post(ORDER, json!({})).await.body["data"]["skill"].clone();
        let edges = slugs(&read["prerequisites"], "/skill/slug");
        assert_eq!(edges, ["databases", "git", "docker"], "{read}");

        // The database holds that order, not just the server's snapshot.
        let store = skillgraph_store::Store::open(server.database_url().unwrap())
            .await
            .unwrap();
        let loaded = store.load().await.unwrap().catalog;
        let ordered = loaded.skill_by_slug("ordered").unwrap().id;
        let stored: Vec<&str> = loaded
            .prerequisites(ordered)
            .iter()
            .map(|p| loaded.skill(p.requires).unwrap().slug.as_str())
            .collect();
        assert_eq!(stored, edges);
        let titles: Vec<&str> = loaded
            .resources(ordered)
            .iter()
            .map(|r| r.title.as_str())
            .collect();
        assert_eq!(titles, ["two", "four", "five"]);
        store.close().await.unwrap();
    }
}
