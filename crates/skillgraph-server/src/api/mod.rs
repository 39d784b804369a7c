//! The GraphQL schema: types that wrap the catalog snapshot, the query root,
//! and the one entry point that runs a request against a snapshot.

pub mod connection;
pub mod error;
pub mod ids;
pub mod query;
pub mod scalars;
pub mod types;

use std::sync::Arc;

use async_graphql::{
    Context, EmptyMutation, EmptySubscription, Request, Response, SDLExportOptions, Schema,
};
use skillgraph_store::LoadedCatalog;

pub use query::Query;

/// The catalog a request reads: fixed for the whole request, so one answer
/// never mixes two versions.
pub type Snapshot = Arc<LoadedCatalog>;

/// The schema type served at `/graphql`.
pub type SkillgraphSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Builds the schema.
pub fn schema() -> SkillgraphSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription).finish()
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
pub(crate) fn snapshot<'ctx>(ctx: &Context<'ctx>) -> &'ctx LoadedCatalog {
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
}

/// Runs one request against one snapshot, and gives every error a code.
pub async fn execute(schema: &SkillgraphSchema, request: Request, snapshot: Snapshot) -> Outcome {
    let mut response = schema.execute(request.data(snapshot)).await;
    // Errors raised before execution carry no path and leave no data.
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    error::ensure_codes(&mut response.errors, request_error);
    Outcome {
        response,
        request_error,
    }
}
