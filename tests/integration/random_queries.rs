//! Random valid queries generated from the schema, and random bytes, sent
//! to `/graphql`: never a 5xx, never a panic, and the server keeps serving.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::harness::servers;

const INTROSPECT: &str = r#"{ __schema { queryType { name } types { name kind
  enumValues { name }
  fields { name
    args { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
    type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }"#;

/// The named type under any list and non-null wrappers, and whether the
/// outermost wrapper is non-null.
fn named(ty: &Value) -> (&str, &str, bool) {
    let required = ty["kind"] == "NON_NULL";
    let mut t = ty;
    while t["name"].is_null() {
        t = &t["ofType"];
    }
    (
        t["name"].as_str().unwrap_or(""),
        t["kind"].as_str().unwrap_or(""),
        required,
    )
}

fn is_list(ty: &Value) -> bool {
    let mut t = ty;
    while !t.is_null() {
        if t["kind"] == "LIST" {
            return true;
        }
        t = &t["ofType"];
    }
    false
}

struct Generator<'a> {
    types: &'a [Value],
    rng: ChaCha8Rng,
}

const SLUGS: &[&str] = &[
    "git",
    "docker",
    "backend",
    "devops",
    "sql",
    "microservices",
    "nope",
    "",
];

impl Generator<'_> {
    fn ty(&self, name: &str) -> Option<&Value> {
        self.types.iter().find(|t| t["name"] == name)
    }

    /// A literal for an argument of this type, or `None` when we cannot make one.
    fn literal(&mut self, ty: &Value) -> Option<String> {
        let (name, kind, _) = named(ty);
        let one = match (kind, name) {
            ("SCALAR", "String") => format!("\"{}\"", SLUGS[self.rng.random_range(0..SLUGS.len())]),
            ("SCALAR", "Int") => self.rng.random_range(-2..120).to_string(),
            ("SCALAR", "Float") => "1.5".into(),
            ("SCALAR", "Boolean") => self.rng.random_bool(0.5).to_string(),
            ("SCALAR", "ID") => "\"U2tpbGw6MQ\"".into(),
            ("ENUM", _) => {
                let values = self.ty(name)?["enumValues"].as_array()?.clone();
                values.get(self.rng.random_range(0..values.len().max(1)))?["name"]
                    .as_str()?
                    .to_owned()
            }
            _ => return None,
        };
        Some(if is_list(ty) { format!("[{one}]") } else { one })
    }

    fn selection(&mut self, type_name: &str, depth: usize) -> String {
        let Some(ty) = self.ty(type_name).cloned() else {
            return "__typename".into();
        };
        let fields = ty["fields"].as_array().cloned().unwrap_or_default();
        if fields.is_empty() || !matches!(ty["kind"].as_str(), Some("OBJECT" | "INTERFACE")) {
            return "__typename".into();
        }
        let mut out = vec!["__typename".to_owned()];
        for _ in 0..self.rng.random_range(1..4) {
            let field = &fields[self.rng.random_range(0..fields.len())];
            let mut args = Vec::new();
            let mut possible = true;
            for arg in field["args"].as_array().into_iter().flatten() {
                let required = arg["type"]["kind"] == "NON_NULL";
                if required || self.rng.random_bool(0.3) {
                    match self.literal(&arg["type"]) {
                        Some(value) => {
                            args.push(format!("{}: {value}", arg["name"].as_str().unwrap()))
                        }
                        None if required => possible = false,
                        None => {}
                    }
                }
            }
            if !possible {
                continue;
            }
            let (inner, kind, _) = named(&field["type"]);
            let name = field["name"].as_str().unwrap();
            let alias = if self.rng.random_bool(0.2) {
                format!("a{}: ", out.len())
            } else {
                String::new()
            };
            let args = if args.is_empty() {
                String::new()
            } else {
                format!("({})", args.join(", "))
            };
            match kind {
                "SCALAR" | "ENUM" => out.push(format!("{alias}{name}{args}")),
                _ if depth == 0 => {}
                _ => {
                    let inner = self.selection(inner, depth - 1);
                    out.push(format!("{alias}{name}{args} {{ {inner} }}"));
                }
            }
        }
        out.join(" ")
    }
}

#[tokio::test]
async fn random_queries_from_the_schema_and_random_bytes_never_get_a_5xx() {
    for server in servers().await {
        let schema = server.post(INTROSPECT, json!({})).await;
        let types = schema.body["data"]["__schema"]["types"]
            .as_array()
            .unwrap()
            .clone();
        let mut generator = Generator {
            types: &types,
            rng: ChaCha8Rng::seed_from_u64(7),
        };
        let mut answered = 0;
        for _ in 0..150 {
            let depth = generator.rng.random_range(1..4);
            let query = format!("{{ {} }}", generator.selection("Query", depth));
            let answer = server.post(&query, json!({})).await;
            assert!(answer.status < 500, "{query}\n{answer:?}");
            assert!(answer.body.is_object(), "{query}\n{answer:?}");
            if answer.body.get("data").is_some_and(|d| !d.is_null()) {
                answered += 1;
            }
        }
        assert!(
            answered > 50,
            "most generated queries are valid and answered: {answered}"
        );
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for _ in 0..150 {
            let length = rng.random_range(0..600);
            let body: Vec<u8> = (0..length).map(|_| rng.random()).collect();
            let content_type =
                ["application/json", "application/graphql", "text/plain"][rng.random_range(0..3)];
            let answer = server.post_raw(content_type, body).await;
            assert!(answer.status < 500, "{answer:?}");
        }
        assert_eq!(
            server.post("{ __typename }", Value::Null).await.status,
            200,
            "still serving"
        );
    }
}
