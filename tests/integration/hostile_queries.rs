//! Multiplying queries generated from the schema itself: for every list
//! field, a query that nests it as often as the depth limit allows (every
//! connection at its largest page, every transitive walk unbounded), sent
//! over HTTP and both WebSocket protocols. Each must be refused with a
//! coded error or answered small, and the server must stay within its
//! memory bound throughout.
//!
//! The bound: a debug build serving the bundled dataset peaks under
//! [`PEAK_RSS_MIB`] of resident memory through the whole suite. Before list
//! fields were costed, one of these queries took a release build to 7 GB.

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::{Value, json};

use crate::harness::{Server, Subscriber, databases};

/// The most resident memory the server may reach during the suite, in MiB.
pub const PEAK_RSS_MIB: u64 = 256;

/// The codes a hostile query may be refused with.
const REFUSALS: [&str; 4] = [
    "QUERY_TOO_COMPLEX",
    "QUERY_TOO_DEEP",
    "RESPONSE_TOO_LARGE",
    "EXECUTION_TIMEOUT",
];

/// The depth the generated queries reach: the default limit's.
const DEPTH: usize = 16;

/// The largest answer a query that is not refused may get, in bytes.
const SMALL_ANSWER: usize = 2 << 20;

/// One output field as introspection describes it.
#[derive(Debug, Clone)]
struct FieldInfo {
    name: String,
    /// The named type under the wrappers.
    of: String,
    list: bool,
    /// Arguments: name, named type, whether required, whether a list.
    args: Vec<(String, String, bool, bool)>,
}

/// Object and interface types with their fields, from introspection.
struct Schema {
    types: HashMap<String, Vec<FieldInfo>>,
}

fn unwrap_type(ty: &Value) -> (String, bool, bool) {
    let mut list = false;
    let required = ty["kind"] == "NON_NULL";
    let mut at = ty;
    loop {
        match at["kind"].as_str() {
            Some("NON_NULL") => at = &at["ofType"],
            Some("LIST") => {
                list = true;
                at = &at["ofType"];
            }
            _ => return (at["name"].as_str().unwrap_or("").to_owned(), list, required),
        }
    }
}

const INTROSPECTION: &str = r#"{ __schema { types { name kind
    fields { name type { ...T } args { name defaultValue type { ...T } } } } } }
    fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }"#;

impl Schema {
    async fn read(server: &Server) -> Self {
        let answer = server.post(INTROSPECTION, json!({})).await;
        let mut types = HashMap::new();
        for ty in answer.body["data"]["__schema"]["types"]
            .as_array()
            .expect("introspection answers")
        {
            let name = ty["name"].as_str().unwrap_or("");
            if name.starts_with("__")
                || !matches!(ty["kind"].as_str(), Some("OBJECT" | "INTERFACE"))
            {
                continue;
            }
            let fields = ty["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| {
                    let (of, list, _) = unwrap_type(&f["type"]);
                    let args = f["args"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| {
                            let (of, list, required) = unwrap_type(&a["type"]);
                            let required = required && a["defaultValue"].is_null();
                            (
                                a["name"].as_str().unwrap_or("").to_owned(),
                                of,
                                required,
                                list,
                            )
                        })
                        .collect();
                    FieldInfo {
                        name: f["name"].as_str().unwrap_or("").to_owned(),
                        of,
                        list,
                        args,
                    }
                })
                .collect();
            types.insert(name.to_owned(), fields);
        }
        Self { types }
    }

    fn composite(&self, ty: &str) -> bool {
        self.types.contains_key(ty)
    }
}

/// Real values from the catalog for the arguments a field requires.
struct Values {
    skill: String,
    roadmap: String,
    guide: String,
    skill_id: String,
}

impl Values {
    async fn read(server: &Server) -> Self {
        let answer = server
            .post(
                r#"{ skills(first: 1, orderBy: { field: SLUG }) { nodes { slug id } }
                     roadmaps(first: 1) { nodes { slug } } guides(first: 1) { nodes { slug } } }"#,
                json!({}),
            )
            .await;
        let data = &answer.body["data"];
        let text = |pointer: &str| {
            data.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        Self {
            skill: text("/skills/nodes/0/slug"),
            roadmap: text("/roadmaps/nodes/0/slug"),
            guide: text("/guides/nodes/0/slug"),
            skill_id: text("/skills/nodes/0/id"),
        }
    }

    /// The arguments of a field, each at its extreme: the largest page, an
    /// unbounded transitive walk; required ones with real values. `None`
    /// when a required argument cannot be filled.
    fn arguments(&self, field: &FieldInfo) -> Option<String> {
        let mut out = Vec::new();
        for (name, ty, required, list) in &field.args {
            let value = match (name.as_str(), ty.as_str()) {
                ("first", "Int") => Some("100".to_owned()),
                ("transitive", "Boolean") => Some("true".to_owned()),
                ("slug", _) | ("handle", _) => match field.of.as_str() {
                    "Skill" => Some(format!("{:?}", self.skill)),
                    "Roadmap" => Some(format!("{:?}", self.roadmap)),
                    "Guide" => Some(format!("{:?}", self.guide)),
                    _ => None,
                },
                ("roadmap", "String") => Some(format!("{:?}", self.roadmap)),
                ("targets" | "from" | "to" | "skill", "String") => {
                    Some(format!("{:?}", self.skill))
                }
                ("id" | "ids", "ID") => Some(format!("{:?}", self.skill_id)),
                ("query", "String") => Some("\"data\"".to_owned()),
                _ => None,
            };
            match value {
                Some(v) if *list => out.push(format!("{name}: [{v}]")),
                Some(v) => out.push(format!("{name}: {v}")),
                None if *required => return None,
                None => {}
            }
        }
        Some(if out.is_empty() {
            String::new()
        } else {
            format!("({})", out.join(", "))
        })
    }
}

/// A step of a query: a field with its arguments, or a fragment on a type.
#[derive(Debug, Clone)]
enum Step {
    Field(String),
    On(String),
}

/// The shortest chain of selections from `from` to a selection on `to`,
/// through fields whose arguments can be filled (none of the mutations).
fn path(schema: &Schema, values: &Values, from: &str, to: &str) -> Option<Vec<Step>> {
    let mut seen = HashSet::from([from.to_owned()]);
    let mut queue = VecDeque::from([(from.to_owned(), Vec::new())]);
    while let Some((at, steps)) = queue.pop_front() {
        for field in schema.types.get(&at).into_iter().flatten() {
            if !schema.composite(&field.of) || field.of == "Mutation" {
                continue;
            }
            let Some(args) = values.arguments(field) else {
                continue;
            };
            let mut next = steps.clone();
            next.push(Step::Field(format!("{}{args}", field.name)));
            if field.of == to {
                return Some(next);
            }
            // `node(id:)` is given a skill's id.
            if field.of == "Node" && to == "Skill" {
                next.push(Step::On("Skill".to_owned()));
                return Some(next);
            }
            if seen.insert(field.of.clone()) {
                queue.push_back((field.of.clone(), next));
            }
        }
    }
    None
}

/// Nests `steps` and closes them around `inner`.
fn render(steps: &[Step], inner: &str) -> String {
    steps
        .iter()
        .rev()
        .fold(inner.to_owned(), |inside, step| match step {
            Step::Field(field) => format!("{field} {{ {inside} }}"),
            Step::On(ty) => format!("... on {ty} {{ {inside} }}"),
        })
}

fn depth(steps: &[Step]) -> usize {
    steps.iter().filter(|s| matches!(s, Step::Field(_))).count()
}

/// The list fields of a type that return composites, with their arguments.
fn lists<'s>(schema: &'s Schema, values: &Values, ty: &str) -> Vec<(&'s FieldInfo, String)> {
    schema
        .types
        .get(ty)
        .into_iter()
        .flatten()
        .filter(|f| (f.list || f.of.ends_with("Connection")) && schema.composite(&f.of))
        .filter_map(|f| Some((f, values.arguments(f)?)))
        .collect()
}

/// A list field of `ty` with a way back to `ty`: the steps of one round.
fn cycle(schema: &Schema, values: &Values, ty: &str) -> Option<Vec<Step>> {
    lists(schema, values, ty)
        .into_iter()
        .find_map(|(field, args)| {
            let mut round = vec![Step::Field(format!("{}{args}", field.name))];
            if field.of != ty {
                round.extend(path(schema, values, &field.of, ty)?);
            }
            Some(round)
        })
}

/// Repeats `round` after `steps` while the depth limit allows.
fn repeat(mut steps: Vec<Step>, round: &[Step]) -> Vec<Step> {
    while !round.is_empty() && depth(&steps) + depth(round) < DEPTH {
        steps.extend(round.iter().cloned());
    }
    steps
}

/// What follows a list field returning `ty` to make it multiply: a round
/// back to `ty` repeated, or (for a connection) its items' round.
fn continuation(schema: &Schema, values: &Values, steps: Vec<Step>, ty: &str) -> Vec<Step> {
    if let Some(round) = cycle(schema, values, ty) {
        return repeat(steps, &round);
    }
    for (field, args) in lists(schema, values, ty) {
        if let Some(round) = cycle(schema, values, &field.of) {
            let mut steps = steps;
            steps.push(Step::Field(format!("{}{args}", field.name)));
            return repeat(steps, &round);
        }
    }
    steps
}

/// For every list field of a composite type, a query that reaches it and
/// makes it multiply as deep as the limit allows: by its own way back to
/// its type where it has one, else by the lists below it.
fn multiplying_queries(schema: &Schema, values: &Values) -> Vec<(String, String)> {
    let mut queries = Vec::new();
    let mut names: Vec<_> = schema.types.keys().cloned().collect();
    names.sort();
    for owner in names {
        if matches!(owner.as_str(), "Mutation" | "Subscription") {
            continue;
        }
        let entry = if owner == "Query" {
            Vec::new()
        } else {
            match path(schema, values, "Query", &owner) {
                Some(entry) => entry,
                None => continue,
            }
        };
        for (field, args) in lists(schema, values, &owner) {
            let step = Step::Field(format!("{}{args}", field.name));
            let steps = match path(schema, values, &field.of, &owner) {
                Some(back) if owner != "Query" => {
                    let mut round = vec![step];
                    round.extend(back);
                    repeat(entry.clone(), &round)
                }
                _ => {
                    let mut steps = entry.clone();
                    steps.push(step);
                    continuation(schema, values, steps, &field.of)
                }
            };
            if depth(&steps) <= depth(&entry) + 1 {
                continue;
            }
            queries.push((
                format!("{owner}.{}", field.name),
                format!("{{ {} }}", render(&steps, "__typename")),
            ));
        }
    }
    queries
}

/// The codes of a GraphQL answer's errors.
fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned))
        .collect()
}

/// Checks one answer: refused with one of [`REFUSALS`], or small and whole.
fn judge(name: &str, body: &Value, bytes: usize) -> bool {
    let codes = codes(body);
    if codes.iter().any(|c| REFUSALS.contains(&c.as_str())) {
        assert!(
            body.get("data").is_none() || body["data"].is_null(),
            "{name}: a refusal carries no data"
        );
        return true;
    }
    assert!(
        bytes <= SMALL_ANSWER,
        "{name}: answered {bytes} bytes without being refused: {codes:?}"
    );
    // The cost is an upper bound on the fields of the answer: one that
    // ran was costed under the limit, so it holds no more fields than that.
    let fields = count_fields(&body["data"]);
    assert!(
        fields <= DEFAULT_MAX_COMPLEXITY,
        "{name}: {fields} fields answered, more than the cost limit allows"
    );
    false
}

/// The default `--max-complexity`: the most fields an answer may hold.
const DEFAULT_MAX_COMPLEXITY: usize = 50_000;

/// The fields of an answer: every key of every object in it, and every
/// item of a list of scalars.
fn count_fields(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.values().map(|v| 1 + count_nested(v)).sum(),
        _ => count_nested(value),
    }
}

fn count_nested(value: &Value) -> usize {
    match value {
        Value::Object(_) => count_fields(value),
        Value::Array(items) => items.iter().map(count_nested).sum(),
        _ => 0,
    }
}

/// The known attack: four levels of roadmaps of every skill of a roadmap.
pub const LEARNING_ORDER_BOMB: &str = r#"{ roadmap(slug:"backend"){ learningOrder { slug roadmaps { learningOrder { slug roadmaps { learningOrder { slug roadmaps { learningOrder { slug roadmaps { slug } } } } } } } } } }"#;

#[tokio::test]
async fn every_list_field_nested_to_the_limit_is_refused_or_within_its_cost() {
    let server = Server::start(databases().await.remove(0), &[]);
    let schema = Schema::read(&server).await;
    let values = Values::read(&server).await;
    assert!(
        !values.skill.is_empty() && !values.roadmap.is_empty(),
        "the bundled data"
    );
    let queries = multiplying_queries(&schema, &values);
    let generated: Vec<&str> = queries.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "Skill.roadmaps",
        "Roadmap.learningOrder",
        "Skill.prerequisites",
        "SkillConnection.nodes",
    ] {
        assert!(
            generated.contains(&expected),
            "{expected} among {generated:?}"
        );
    }
    let mut refused = Vec::new();
    // Four at a time, as an attacker would send them.
    for chunk in queries.chunks(4) {
        let answers = futures_util::future::join_all(chunk.iter().map(|(_, query)| async {
            let started = std::time::Instant::now();
            let answer = server.post_text(query).await;
            (answer, started.elapsed())
        }))
        .await;
        for ((name, query), ((status, text), took)) in chunk.iter().zip(answers) {
            eprintln!("{name}: {status}, {} bytes, {took:?}", text.len());
            assert!(
                status < 500 || status == 503,
                "{name}: {status} for {query}"
            );
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if judge(name, &body, text.len()) {
                refused.push(name.clone());
            }
        }
    }
    // The lists that multiply on the bundled data must have been refused.
    for multiplying in [
        "Skill.roadmaps",
        "Roadmap.learningOrder",
        "Skill.prerequisites",
        "Skill.dependents",
        "SkillConnection.nodes",
        "RoadmapConnection.nodes",
    ] {
        assert!(
            refused.iter().any(|r| r == multiplying),
            "{multiplying} was answered: refused only {refused:?}"
        );
    }
    let known = server.post(LEARNING_ORDER_BOMB, json!({})).await;
    assert_eq!(known.error_codes(), ["QUERY_TOO_COMPLEX"], "{known:?}");
    assert_eq!(known.status, 400);
    let peak = server.peak_rss_mib();
    eprintln!(
        "peak RSS through {} generated queries: {peak} MiB",
        queries.len()
    );
    assert!(
        peak < PEAK_RSS_MIB,
        "peak RSS {peak} MiB, bound {PEAK_RSS_MIB} MiB"
    );
    assert_eq!(server.post("{ __typename }", json!({})).await.status, 200);
}

#[tokio::test]
async fn multiplying_queries_are_refused_over_both_websocket_protocols() {
    let server = Server::start(databases().await.remove(0), &[]);
    let schema = Schema::read(&server).await;
    let values = Values::read(&server).await;
    let queries = multiplying_queries(&schema, &values);
    let mut modern = Subscriber::connect(&server).await;
    let mut legacy = Subscriber::connect_legacy(&server).await;
    let mut refused = 0;
    for (n, (name, query)) in queries.iter().enumerate() {
        let id = n.to_string();
        modern.subscribe(&id, query).await;
        let message = modern.next_message().await;
        let text = message.to_string();
        let payload = match message["type"].as_str() {
            Some("error") => json!({ "errors": message["payload"] }),
            Some("next") => message["payload"].clone(),
            other => panic!("{name}: {other:?} over graphql-transport-ws: {text}"),
        };
        if message["type"] == "next" {
            let done = modern.next_message().await;
            assert_eq!(done["type"], "complete", "{name}: {done}");
        }
        let modern_refused = judge(name, &payload, text.len());
        refused += usize::from(modern_refused);
        let answer = legacy.run_legacy(&id, query).await;
        let legacy_refused = judge(name, &answer, answer.to_string().len());
        assert_eq!(
            legacy_refused, modern_refused,
            "{name}: both protocols judge alike: {answer}"
        );
        let errors = answer["errors"].as_array().map_or(0, Vec::len);
        assert_eq!(
            codes(&answer).len(),
            errors,
            "{name}: every error has a code over graphql-ws: {answer}"
        );
    }
    assert!(refused >= 6, "only {refused} of {} refused", queries.len());
    let deep = format!(
        "{{ {}__typename{} }}",
        "skill(slug: \"git\") { children { ".repeat(30),
        " } }".repeat(30)
    );
    let answer = legacy.run_legacy("deep", &deep).await;
    assert_eq!(codes(&answer), ["QUERY_TOO_DEEP"], "{answer}");
    let bomb = legacy.run_legacy("bomb", LEARNING_ORDER_BOMB).await;
    assert_eq!(codes(&bomb), ["QUERY_TOO_COMPLEX"], "{bomb}");
    let peak = server.peak_rss_mib();
    assert!(
        peak < PEAK_RSS_MIB,
        "peak RSS {peak} MiB, bound {PEAK_RSS_MIB} MiB"
    );
}
