//! The GraphQL schema: types that wrap the catalog snapshot, the query root,
//! and the one entry point that runs a request against a snapshot.

pub mod budget;
pub mod caller;
pub mod connection;
pub mod cost;
pub mod error;
pub mod ids;
pub mod limits;
pub mod live;
pub mod mutation;
pub mod planned;
pub mod query;
pub mod scalars;
pub mod search;
pub mod tokens;
pub mod types;
pub mod viewer;

use std::sync::Arc;

use async_graphql::{Context, MergedObject, Request, Response, SDLExportOptions, Schema};
use chrono::{DateTime, Utc};
use skillgraph_domain::Catalog;
use skillgraph_search::{SearchError, SearchIndex, Touched};
use skillgraph_store::LoadedCatalog;

/// The entry point of every read.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct Query(
    query::CatalogQuery,
    search::SearchQuery,
    viewer::ViewerQuery,
    tokens::TokenQuery,
);

/// One version of the catalog with everything derived from it: what every
/// read of one request sees.
pub struct CatalogSnapshot {
    /// The indexed graph.
    pub catalog: Catalog,
    /// The catalog version it was loaded at.
    pub version: i64,
    /// When that version was committed.
    pub updated_at: DateTime<Utc>,
    /// The full-text index over this catalog.
    pub search: SearchIndex,
    /// The longest list of each kind, which costs a request before it runs.
    pub bounds: cost::ListBounds,
}

impl CatalogSnapshot {
    /// Derives the search index of a loaded catalog off the async threads,
    /// so that building it never stalls the requests being served.
    pub async fn build(loaded: LoadedCatalog) -> Result<Self, SearchError> {
        match tokio::task::spawn_blocking(move || Self::new(loaded)).await {
            Ok(built) => built,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    /// The snapshot after `changes` were applied to this one's catalog,
    /// giving `loaded`: the search index replaces only the documents the
    /// changes touched (a whole build only if this snapshot's index has
    /// already been updated into another, or an update fails). Off the async
    /// threads, like [`CatalogSnapshot::build`].
    pub async fn after(
        base: Arc<CatalogSnapshot>,
        loaded: LoadedCatalog,
        touched: Touched,
    ) -> Result<Self, SearchError> {
        let derive = move || {
            let search = base
                .search
                .updated(&base.catalog, &loaded.catalog, &touched)
                .or_else(|e| {
                    tracing::warn!(error = %e, "cannot update the search index; building it anew");
                    SearchIndex::build(&loaded.catalog)
                })?;
            let LoadedCatalog {
                catalog,
                version,
                updated_at,
            } = loaded;
            let changed = base.catalog.skills_differing(&catalog);
            Ok(Self {
                search,
                bounds: base.bounds.after(&catalog, &changed),
                catalog,
                version,
                updated_at,
            })
        };
        match tokio::task::spawn_blocking(derive).await {
            Ok(built) => built,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    /// Derives the search index of a loaded catalog.
    pub fn new(loaded: LoadedCatalog) -> Result<Self, SearchError> {
        let LoadedCatalog {
            catalog,
            version,
            updated_at,
        } = loaded;
        Ok(Self {
            search: SearchIndex::build(&catalog)?,
            bounds: cost::ListBounds::of(&catalog),
            catalog,
            version,
            updated_at,
        })
    }
}

/// The catalog a request reads: fixed for the whole request, so one answer
/// never mixes two versions.
pub type Snapshot = Arc<CatalogSnapshot>;

/// The schema type served at `/graphql`.
pub type SkillgraphSchema = Schema<Query, mutation::Mutation, live::Subscription>;

/// Builds the schema with the default limits.
pub fn schema() -> SkillgraphSchema {
    schema_with(&limits::Limits::default())
}

/// Builds the schema with these limits on what one request may ask for.
/// It has no extension (an extension slows every field down), so whoever
/// runs it goes through [`execute`] or [`limits::check_request`] first.
pub fn schema_with(limits: &limits::Limits) -> SkillgraphSchema {
    builder_with(limits).finish()
}

/// The schema with the size checks as an extension, for executors that do
/// not go through [`execute`]: the legacy WebSocket protocol's.
pub fn guarded_schema_with(limits: &limits::Limits) -> SkillgraphSchema {
    builder_with(limits)
        .extension(limits::Guarded(Arc::new(limits.clone())))
        .finish()
}

pub(crate) fn builder_with(
    limits: &limits::Limits,
) -> async_graphql::SchemaBuilder<Query, mutation::Mutation, live::Subscription> {
    let mut builder = Schema::build(
        Query::default(),
        mutation::Mutation::default(),
        live::Subscription,
    )
    // Depth and cost are checked first by `limits::check_request`, with
    // the lists of the request's snapshot; async-graphql's own depth limit
    // stays as a second guard.
    .limit_depth(limits.max_depth);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if !limits.suggestions {
        builder = builder.disable_suggestions();
    }
    builder
}

/// The schema as SDL with sorted types, fields, arguments and enum values:
/// the content of `schema.graphql`.
pub fn sdl() -> String {
    schema().sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}

/// The snapshot of the request being resolved.
///
/// Every request runs through [`execute`], which attaches the snapshot, so
/// it is always present.
pub(crate) fn snapshot<'ctx>(ctx: &Context<'ctx>) -> &'ctx CatalogSnapshot {
    ctx.data_unchecked::<Snapshot>()
}

/// An executed request, and whether it failed before execution (a request
/// error: parse, validation or variables), which the HTTP edge answers
/// without a `data` entry.
pub struct Outcome {
    /// The GraphQL response.
    pub response: Response,
    /// True when no execution happened.
    pub request_error: bool,
    /// Why execution was stopped, when its budget ran out: the response
    /// then holds that one error and no data.
    pub stopped: Option<budget::Exhausted>,
    /// The whole answer as JSON, when the planned executor wrote it
    /// (`response` is then empty).
    pub written: Option<Vec<u8>>,
}

impl Outcome {
    /// The answer's JSON body, at most `cap` bytes (an I/O error past it):
    /// the written one (taken out, not copied), or the response serialized;
    /// a request error without a `data` entry.
    pub fn body(&mut self, cap: usize) -> serde_json::Result<Vec<u8>> {
        match self.written.take() {
            Some(written) if written.len() > cap => Err(serde_json::Error::io(
                std::io::Error::other("the answer is larger than the cap"),
            )),
            Some(written) => Ok(written),
            None if self.request_error => {
                bounded_json(&serde_json::json!({ "errors": self.response.errors }), cap)
            }
            None => bounded_json(&self.response, cap),
        }
    }
}

/// Serializes `value` as JSON of at most `cap` bytes: past it, serializing
/// stops with an I/O error instead of growing the buffer further.
pub fn bounded_json<T: serde::Serialize>(value: &T, cap: usize) -> serde_json::Result<Vec<u8>> {
    struct Capped {
        bytes: Vec<u8>,
        cap: usize,
    }
    impl std::io::Write for Capped {
        #[inline]
        fn write(&mut self, chunk: &[u8]) -> std::io::Result<usize> {
            self.write_all(chunk).map(|()| chunk.len())
        }
        // serde_json writes every token with `write_all`: one check and
        // one copy each, inlined.
        #[inline]
        fn write_all(&mut self, chunk: &[u8]) -> std::io::Result<()> {
            if self.bytes.len().saturating_add(chunk.len()) > self.cap {
                return Err(std::io::Error::other("the answer is larger than the cap"));
            }
            self.bytes.extend_from_slice(chunk);
            Ok(())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    // The serializer owns the writer, so its writes call ours directly.
    let mut serializer = serde_json::Serializer::new(Capped {
        bytes: Vec::new(),
        cap,
    });
    value.serialize(&mut serializer)?;
    Ok(serializer.into_inner().bytes)
}

/// The budget of a request about to run an operation of this kind: reads
/// get the execution timeout, writes run to their end (what committed is
/// always answered); subscriptions, whose events are costed one by one
/// and may live for hours, get none.
fn budget_for(
    kind: Option<async_graphql::parser::types::OperationType>,
    limits: &limits::Limits,
) -> Option<Arc<budget::Budget>> {
    use async_graphql::parser::types::OperationType;
    let timeout = match kind {
        Some(OperationType::Subscription) => return None,
        Some(OperationType::Mutation) => None,
        Some(OperationType::Query) | None => Some(limits.execution_timeout),
    };
    Some(Arc::new(budget::Budget::new(
        timeout,
        limits.max_response_bytes,
    )))
}

/// Checks a request before it runs ([`limits::check_request`], with the
/// lists of `bounds`) and attaches the budget its operation gets, which it
/// hands back for [`finish`]: the one preparation every executor shares.
pub fn guard(
    request: &mut Request,
    limits: &limits::Limits,
    bounds: &cost::ListBounds,
) -> Result<Option<Arc<budget::Budget>>, async_graphql::ServerError> {
    guard_kind(request, limits, bounds, None).map(|(budget, _)| budget)
}

/// [`guard`], also telling the kind of operation the request runs.
fn guard_kind(
    request: &mut Request,
    limits: &limits::Limits,
    bounds: &cost::ListBounds,
    planner: Option<&planned::Planner>,
) -> Result<
    (
        Option<Arc<budget::Budget>>,
        Option<async_graphql::parser::types::OperationType>,
    ),
    async_graphql::ServerError,
> {
    let kind = match planner {
        Some(planner) => {
            limits::check_request_parsed_by(request, limits, bounds, |q| planner.parse(q))?
        }
        None => limits::check_request(request, limits, bounds)?,
    };
    let budget = budget_for(kind, limits);
    if let Some(budget) = &budget {
        request.data.insert(Arc::clone(budget));
    }
    Ok((budget, kind))
}

/// Replaces the answer of a request whose budget ran out by the one error
/// saying why: a partial answer would look like data.
pub fn finish(
    response: Response,
    budget: Option<&budget::Budget>,
) -> (Response, Option<budget::Exhausted>) {
    let Some(why) = budget.and_then(budget::Budget::exhausted) else {
        return (response, None);
    };
    let error = async_graphql::Error::from(budget.map_or(
        error::ApiError::Internal("a budget without a reason".into()),
        |b| b.error(why),
    ))
    .into_server_error(async_graphql::Pos::default());
    let mut stopped = Response::from_errors(vec![error]);
    stopped.http_headers = response.http_headers;
    (stopped, Some(why))
}

/// What a request may use besides the snapshot: the means to write, and
/// the caller's token. Reads of the catalog need neither.
#[derive(Clone, Default)]
pub struct Access {
    /// Present when the request may write (the server); absent in read-only uses.
    pub writes: Option<mutation::Writes>,
    /// The bearer token the request carried.
    pub token: Option<String>,
    /// What resolving the token needs; absent in read-only uses.
    pub identities: Option<caller::Identities>,
}

/// Runs one request against one snapshot within `limits`, and gives every
/// error a code.
pub async fn execute(
    schema: &SkillgraphSchema,
    planner: Option<&planned::Planner>,
    limits: &limits::Limits,
    mut request: Request,
    snapshot: Snapshot,
    access: Access,
) -> Outcome {
    let (budget, kind) = match guard_kind(&mut request, limits, &snapshot.bounds, planner) {
        Ok(guarded) => guarded,
        Err(refusal) => {
            return Outcome {
                response: Response::from_errors(vec![refusal]),
                request_error: true,
                stopped: None,
                written: None,
            };
        }
    };
    // A query the planner covers runs on its schema, which writes the
    // answer from the plan once async-graphql has validated the request.
    let mut run = None;
    let mut schema = schema;
    if let Some(planner) = planner
        && kind == Some(async_graphql::parser::types::OperationType::Query)
        && let Some(plan) = planner.plan(&mut request)
    {
        let planned = Arc::new(planned::PlannedRun::new(plan, request.variables.clone()));
        request.data.insert(Arc::clone(&planned));
        run = Some(planned);
        schema = planner.schema();
    }
    let mut request = request
        .data(snapshot)
        .data(caller::Caller::new(access.token, access.identities));
    if let Some(writes) = access.writes {
        request = request.data(writes);
    }
    let (mut response, stopped) = finish(schema.execute(request).await, budget.as_deref());
    let written = match (&run, stopped) {
        (Some(run), None) => run.take_answer(),
        _ => None,
    };
    metrics::counter!(
        "skillgraph_graphql_answers_total",
        "executor" => if written.is_some() { "planned" } else { "reference" }
    )
    .increment(1);
    // Errors raised before execution carry no path and leave no data.
    let request_error = written.is_none()
        && stopped.is_none()
        && response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    error::ensure_codes(&mut response.errors);
    Outcome {
        response,
        request_error,
        stopped,
        written,
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::Value;

    use super::*;

    const INTROSPECTION: &str = r#"{ __schema { types {
        name kind description
        fields(includeDeprecated: true) { name description args { name description } }
        inputFields { name description }
        enumValues(includeDeprecated: true) { name description }
    } } }"#;

    fn missing(value: &serde_json::Value) -> bool {
        value.as_str().is_none_or(|d| d.trim().is_empty())
    }

    #[tokio::test]
    async fn every_type_field_argument_and_enum_value_has_a_description() {
        let snapshot = Arc::new(
            CatalogSnapshot::new(LoadedCatalog {
                catalog: Catalog::empty(),
                version: 0,
                updated_at: Utc::now(),
            })
            .unwrap(),
        );
        let outcome = execute(
            &schema(),
            None,
            &limits::Limits::default(),
            Request::new(INTROSPECTION),
            snapshot,
            Access::default(),
        )
        .await;
        assert!(
            outcome.response.errors.is_empty(),
            "{:?}",
            outcome.response.errors
        );
        let Value::Object(data) = outcome.response.data else {
            panic!("no data")
        };
        let json = serde_json::to_value(&data).unwrap();
        let mut undocumented = Vec::new();
        for ty in json["__schema"]["types"].as_array().unwrap() {
            let name = ty["name"].as_str().unwrap();
            if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&name)
            {
                continue;
            }
            if missing(&ty["description"]) {
                undocumented.push(name.to_owned());
            }
            for field in ty["fields"].as_array().into_iter().flatten() {
                let field_name = format!("{name}.{}", field["name"].as_str().unwrap());
                if missing(&field["description"]) {
                    undocumented.push(field_name.clone());
                }
                for arg in field["args"].as_array().into_iter().flatten() {
                    if missing(&arg["description"]) {
                        undocumented
                            .push(format!("{field_name}({})", arg["name"].as_str().unwrap()));
                    }
                }
            }
            for input in ty["inputFields"].as_array().into_iter().flatten() {
                if missing(&input["description"]) {
                    undocumented.push(format!("{name}.{}", input["name"].as_str().unwrap()));
                }
            }
            for value in ty["enumValues"].as_array().into_iter().flatten() {
                if missing(&value["description"]) {
                    undocumented.push(format!("{name}.{}", value["name"].as_str().unwrap()));
                }
            }
        }
        assert!(undocumented.is_empty(), "undocumented: {undocumented:#?}");
    }
}
