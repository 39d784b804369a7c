//! The planned executor: a read of the catalog compiled once per document
//! into a [`plan::Plan`] and written straight to JSON ([`write`]), instead
//! of resolved field by field into a value tree.
//!
//! async-graphql still parses and validates every request (the limits run
//! before both): the planned schema is the same schema with one extension,
//! whose `execute` hook writes the planned answer instead of running the
//! resolvers. A document the planner does not cover (a mutation, a
//! subscription, introspection, an unplanned field) runs on the reference
//! schema, which has no extension; a planned run that meets what the
//! reference would answer with an error gives way to the reference for that
//! request, so every error keeps async-graphql's shape.

pub mod plan;
pub mod write;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, Response, Variables};
use sha2::{Digest, Sha256};

use super::budget::Budget;
use super::caller::Caller;
use super::{SkillgraphSchema, Snapshot};
use plan::Plan;

/// Which executor answers catalog reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Executor {
    /// Planned reads written straight to JSON; the rest through async-graphql.
    #[default]
    Planned,
    /// Everything through async-graphql's resolvers: for comparison, and
    /// as an escape hatch.
    Reference,
}

/// How many documents keep their plans.
const PLANNED_DOCUMENTS: u64 = 4_096;
/// How many KiB of parsed documents are kept (weighed in KiB, not bytes:
/// moka sizes its frequency sketch by the capacity).
const PARSED_KIB: u64 = 4 << 10;
/// How many sets of `@include`/`@skip` conditions one document keeps plans for.
const PLANS_PER_DOCUMENT: usize = 8;

/// The plans of one document and operation, by their condition values.
struct DocumentPlans {
    /// The variables `@include`/`@skip` read; `None` when there are more
    /// than 64 (such a document is not planned).
    conditions: Option<Vec<async_graphql::Name>>,
    /// A plan, or `None` for unplanned, per set of condition values.
    plans: Mutex<Vec<(u64, Option<Arc<Plan>>)>>,
}

/// Compiles and keeps plans, and holds the schema that runs them.
pub struct Planner {
    schema: SkillgraphSchema,
    documents: moka::sync::Cache<[u8; 32], Arc<DocumentPlans>>,
    parsed: moka::sync::Cache<[u8; 32], Arc<ExecutableDocument>>,
}

impl Planner {
    /// A planner whose schema has these limits.
    pub fn new(limits: &super::limits::Limits) -> Self {
        Self {
            schema: super::builder_with(limits).extension(PlannedReads).finish(),
            documents: moka::sync::Cache::new(PLANNED_DOCUMENTS),
            parsed: moka::sync::Cache::builder()
                .max_capacity(PARSED_KIB)
                .weigher(|_, document: &Arc<ExecutableDocument>| {
                    u32::try_from(document_weight(document).div_ceil(1024)).unwrap_or(u32::MAX)
                })
                .build(),
        }
    }

    /// A document as async-graphql's parser parses it, parsed once per
    /// distinct text and then copied: the parser is a third of what a
    /// nested roadmap costs, the copy a small part of that. A document that
    /// does not parse is parsed again each time, for its error.
    pub fn parse(&self, query: &str) -> Result<ExecutableDocument, async_graphql::parser::Error> {
        self.parsed(query)
            .map(|document| ExecutableDocument::clone(&document))
    }

    /// The parsed form of a document, shared: for what the edge reads of
    /// it before it runs (the kind of operation).
    pub fn parsed(
        &self,
        query: &str,
    ) -> Result<Arc<ExecutableDocument>, async_graphql::parser::Error> {
        let key = <[u8; 32]>::from(Sha256::digest(query.as_bytes()));
        if let Some(document) = self.parsed.get(&key) {
            return Ok(document);
        }
        let document = Arc::new(async_graphql::parser::parse_query(query)?);
        self.parsed.insert(key, Arc::clone(&document));
        Ok(document)
    }

    /// The schema planned requests run on: the reference schema with the
    /// extension that writes their answers.
    pub fn schema(&self) -> &SkillgraphSchema {
        &self.schema
    }

    /// The plan of a request whose document `limits::check_request` has
    /// parsed, or `None` when the reference executor is to run it.
    pub fn plan(&self, request: &mut Request) -> Option<Arc<Plan>> {
        let operation = request.operation_name.clone();
        let key = {
            let mut hash = Sha256::new();
            hash.update(operation.as_deref().unwrap_or("").as_bytes());
            hash.update([0]);
            hash.update(request.query.as_bytes());
            <[u8; 32]>::from(hash.finalize())
        };
        // Taken out while the document is borrowed, and put back.
        let variables = std::mem::take(&mut request.variables);
        let planned = self.plan_parsed(request, key, operation.as_deref(), &variables);
        request.variables = variables;
        planned
    }

    fn plan_parsed(
        &self,
        request: &mut Request,
        key: [u8; 32],
        operation: Option<&str>,
        variables: &Variables,
    ) -> Option<Arc<Plan>> {
        let document = request.parsed_query().ok()?;
        let entry = self.documents.get_with(key, || {
            let names = plan::condition_variables(document, operation);
            Arc::new(DocumentPlans {
                conditions: (names.len() <= 64).then_some(names),
                plans: Mutex::new(Vec::new()),
            })
        });
        let conditions = entry.conditions.as_ref()?;
        let bits = conditions
            .iter()
            .enumerate()
            .filter(|(_, name)| {
                matches!(
                    variables.get(*name),
                    Some(async_graphql::Value::Boolean(true))
                )
            })
            .fold(0u64, |bits, (i, _)| bits | (1 << i));
        let mut plans = entry.plans.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, plan)) = plans.iter().find(|(b, _)| *b == bits) {
            return plan.clone();
        }
        let compiled = plan::compile(document, operation, variables)
            .ok()
            .map(Arc::new);
        if plans.len() < PLANS_PER_DOCUMENT {
            plans.push((bits, compiled.clone()));
        }
        compiled
    }
}

/// About how many bytes a parsed document holds: its selections, a few
/// dozen bytes each, counted through its operations and fragments.
fn document_weight(document: &ExecutableDocument) -> usize {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn selections(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(f) => 1 + selections(&f.node.selection_set.node),
                Selection::FragmentSpread(_) => 1,
                Selection::InlineFragment(i) => 1 + selections(&i.node.selection_set.node),
            })
            .sum()
    }
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| selections(&op.node.selection_set.node))
        .sum();
    let fragments: usize = document
        .fragments
        .values()
        .map(|f| selections(&f.node.selection_set.node))
        .sum();
    (operations + fragments + 1) * 256
}

/// A planned request on its way through async-graphql: its plan and
/// variables in, its written answer out.
pub struct PlannedRun {
    plan: Arc<Plan>,
    variables: Variables,
    answer: Mutex<Option<Vec<u8>>>,
}

impl PlannedRun {
    /// A run of `plan` with the request's variables.
    pub fn new(plan: Arc<Plan>, variables: Variables) -> Self {
        Self {
            plan,
            variables,
            answer: Mutex::new(None),
        }
    }

    /// The answer written, if the planned executor wrote one.
    pub fn take_answer(&self) -> Option<Vec<u8>> {
        self.answer.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// The extension that answers a validated planned request from its plan.
struct PlannedReads;

impl ExtensionFactory for PlannedReads {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PlannedReads)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for PlannedReads {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let (Some(run), Some(snapshot)) = (
            ctx.data_opt::<Arc<PlannedRun>>(),
            ctx.data_opt::<Snapshot>(),
        ) else {
            return next.run(ctx, operation_name).await;
        };
        let mut statuses = write::Statuses::default();
        let records;
        let map;
        if run.plan.reads_statuses
            && let Some(caller) = ctx.data_opt::<Caller>()
        {
            // A refused token is the reference's to answer.
            let (Ok(all), Ok(by_skill)) = (caller.all_statuses().await, caller.status_map().await)
            else {
                return next.run(ctx, operation_name).await;
            };
            records = all;
            map = by_skill;
            statuses.map = map.as_deref();
            statuses.done = records
                .iter()
                .flat_map(|r| r.iter())
                .filter(|r| r.status == skillgraph_domain::LearningStatus::Done)
                .map(|r| r.skill)
                .collect();
        }
        let budget = ctx.data_opt::<Arc<Budget>>().map(|b| &**b);
        match write::answer(&run.plan, snapshot, &run.variables, &statuses, budget) {
            Ok(answer) => {
                *run.answer.lock().unwrap_or_else(|e| e.into_inner()) = Some(answer);
                Response::default()
            }
            // The executor turns an exhausted budget into its one error.
            Err(write::Stop::Out(_)) => Response::default(),
            Err(write::Stop::Bail) => next.run(ctx, operation_name).await,
        }
    }
}
