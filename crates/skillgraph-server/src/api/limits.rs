//! What one request may ask for, checked before anything runs: its depth
//! and its cost (an upper bound on the fields of its answer, in which every
//! list multiplies by the longest it can be: see [`super::cost`]), and our
//! own counts of aliases, root fields and fields after fragment expansion,
//! which also stop fragment bombs before the validator would expand them.
//! What the checks cannot see beforehand (long texts, time) the request's
//! [`super::budget::Budget`] stops while it runs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::ValidationResult;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, ServerError, ServerResult, Variables};

use super::cost::{ListBounds, Shape};

/// The codes of the refusals, as they appear in `extensions.code`.
pub mod codes {
    /// Nested deeper than the limit.
    pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
    /// Costs more than the limit (a connection costs its page size times its children).
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    /// More aliases, root fields or expanded fields than allowed.
    pub const QUERY_TOO_LARGE: &str = "QUERY_TOO_LARGE";
    /// Ran longer than the execution timeout.
    pub const EXECUTION_TIMEOUT: &str = "EXECUTION_TIMEOUT";
    /// The answer grew past the response size cap.
    pub const RESPONSE_TOO_LARGE: &str = "RESPONSE_TOO_LARGE";
}

/// The limits of one request; every one has a safe default.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Deepest selection nesting.
    pub max_depth: usize,
    /// Highest cost: the most fields an answer may hold, every list
    /// counted at the longest it can be in the snapshot.
    pub max_complexity: usize,
    /// Most aliases in a document, fragments expanded.
    pub max_aliases: usize,
    /// Most fields at the root of an operation.
    pub max_root_fields: usize,
    /// Most fields in a document once fragments are expanded.
    pub max_fields: usize,
    /// Longest a request may run.
    pub execution_timeout: Duration,
    /// The largest answer, in bytes of JSON.
    pub max_response_bytes: usize,
    /// Whether `__schema` and `__type` answer.
    pub introspection: bool,
    /// Whether validation errors suggest similar names.
    pub suggestions: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_complexity: 50_000,
            max_aliases: 64,
            max_root_fields: 32,
            max_fields: 5_000,
            execution_timeout: Duration::from_secs(10),
            max_response_bytes: 16 << 20,
            introspection: true,
            suggestions: true,
        }
    }
}

/// A refusal with a code, raised before execution.
pub fn refusal(code: &'static str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

/// What a selection set adds up to once fragments are expanded.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    fields: usize,
    aliases: usize,
}

/// Counts a selection set, each fragment counted once and reused, so a
/// fragment bomb costs linear time to measure.
fn count(
    set: &SelectionSet,
    document: &ExecutableDocument,
    memo: &mut HashMap<String, Counts>,
    visiting: &mut Vec<String>,
) -> Counts {
    let mut total = Counts::default();
    for item in &set.items {
        let part = match &item.node {
            Selection::Field(field) => {
                let inner = count(&field.node.selection_set.node, document, memo, visiting);
                Counts {
                    fields: inner.fields.saturating_add(1),
                    aliases: inner
                        .aliases
                        .saturating_add(usize::from(field.node.alias.is_some())),
                }
            }
            Selection::InlineFragment(fragment) => {
                count(&fragment.node.selection_set.node, document, memo, visiting)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.to_string();
                if let Some(known) = memo.get(&name) {
                    *known
                } else if visiting.contains(&name) {
                    // A cycle: validation refuses it; count nothing here.
                    Counts::default()
                } else if let Some(fragment) = document.fragments.get(name.as_str()) {
                    visiting.push(name.clone());
                    let counted =
                        count(&fragment.node.selection_set.node, document, memo, visiting);
                    visiting.pop();
                    memo.insert(name, counted);
                    counted
                } else {
                    Counts::default()
                }
            }
        };
        total.fields = total.fields.saturating_add(part.fields);
        total.aliases = total.aliases.saturating_add(part.aliases);
    }
    total
}

/// The fields directly at the root of a selection set, fragments at the root expanded.
fn root_fields(set: &SelectionSet, document: &ExecutableDocument, depth: usize) -> usize {
    if depth > 8 {
        return 0;
    }
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(f) => {
                root_fields(&f.node.selection_set.node, document, depth + 1)
            }
            Selection::FragmentSpread(s) => document
                .fragments
                .get(s.node.fragment_name.node.as_str())
                .map_or(0, |f| {
                    root_fields(&f.node.selection_set.node, document, depth + 1)
                }),
        })
        .fold(0usize, usize::saturating_add)
}

/// Checks a parsed document against the size limits.
pub fn check_size(document: &ExecutableDocument, limits: &Limits) -> Result<(), ServerError> {
    let mut memo = HashMap::new();
    for (_, operation) in document.operations.iter() {
        let set = &operation.node.selection_set.node;
        let roots = root_fields(set, document, 0);
        if roots > limits.max_root_fields {
            return Err(refusal(
                codes::QUERY_TOO_LARGE,
                format!(
                    "the operation selects {roots} root fields; at most {} are allowed",
                    limits.max_root_fields
                ),
            ));
        }
        let counts = count(set, document, &mut memo, &mut Vec::new());
        if counts.aliases > limits.max_aliases {
            return Err(refusal(
                codes::QUERY_TOO_LARGE,
                format!(
                    "the operation uses {} aliases (fragments expanded); at most {} are allowed",
                    counts.aliases, limits.max_aliases
                ),
            ));
        }
        if counts.fields > limits.max_fields {
            return Err(refusal(
                codes::QUERY_TOO_LARGE,
                format!(
                    "the operation selects {} fields once its fragments are expanded; at most {} are allowed",
                    counts.fields, limits.max_fields
                ),
            ));
        }
    }
    Ok(())
}

/// Parses a request's document once and checks it before async-graphql's
/// own parse step, whose recursion check walks every fragment spread afresh
/// (exponential time on a fragment bomb): its size ([`check_size`]), then
/// its depth and cost ([`check_cost`]) against the lists of `bounds`. The
/// parsed document stays in the request, so it is not parsed again. A
/// document nested past the parser's own limit is QUERY_TOO_DEEP; any
/// other that does not parse is left for async-graphql to refuse with its
/// own message. Answers the type of the operation that will run, when the
/// document names one.
pub fn check_request(
    request: &mut async_graphql::Request,
    limits: &Limits,
    bounds: &ListBounds,
) -> ServerResult<Option<OperationType>> {
    check_request_parsed_by(request, limits, bounds, |q| {
        async_graphql::parser::parse_query(q)
    })
}

/// [`check_request`] with the document parsed by `parse`: async-graphql's
/// parser, or the planner's cache of what it parsed.
pub fn check_request_parsed_by(
    request: &mut async_graphql::Request,
    limits: &Limits,
    bounds: &ListBounds,
    parse: impl FnOnce(&str) -> Result<ExecutableDocument, async_graphql::parser::Error>,
) -> ServerResult<Option<OperationType>> {
    // A document nested past what any allowed query needs is refused
    // before the parser, whose own stack limit answers a parse error.
    let braces = brace_depth(&request.query);
    if braces > limits.max_depth.saturating_mul(2).saturating_add(8) {
        return Err(too_deep(None, limits));
    }
    let document = match parse(&request.query) {
        Ok(document) => document,
        Err(async_graphql::parser::Error::RecursionLimitExceeded) => {
            return Err(too_deep(None, limits));
        }
        Err(_) => return Ok(None),
    };
    check_size(&document, limits)?;
    check_cost(&document, &request.variables, limits, bounds)?;
    let kind = operation_type(&document, request.operation_name.as_deref());
    request.set_parsed_query(document);
    Ok(kind)
}

/// The deepest nesting of braces in a document's text, outside strings
/// and comments: at least its selection depth (inline fragments and input
/// objects nest braces too), measured without parsing.
pub fn brace_depth(text: &str) -> usize {
    let mut deepest = 0usize;
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '}' => depth = depth.saturating_sub(1),
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' || c == '\r' {
                        break;
                    }
                }
            }
            '"' => {
                let block = chars.peek() == Some(&'"') && {
                    chars.next();
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        true
                    } else {
                        // `""`: an empty string.
                        continue;
                    }
                };
                let mut quotes = 0;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' if !block => {
                            chars.next();
                        }
                        '"' if !block => break,
                        '"' => {
                            quotes += 1;
                            if quotes == 3 {
                                break;
                            }
                            continue;
                        }
                        _ => {}
                    }
                    quotes = 0;
                }
            }
            _ => {}
        }
    }
    deepest
}

/// The type of the operation a document runs under `name`.
pub fn operation_type(document: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    let mut operations = document.operations.iter();
    match name {
        Some(name) => operations
            .find(|(op, _)| op.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| op.node.ty),
        None => operations.next().map(|(_, op)| op.node.ty),
    }
}

fn too_deep(depth: Option<usize>, limits: &Limits) -> ServerError {
    let measured = depth.map_or_else(String::new, |d| format!(" ({d} levels)"));
    refusal(
        codes::QUERY_TOO_DEEP,
        format!(
            "the query is nested too deep{measured}; at most {} levels are allowed",
            limits.max_depth
        ),
    )
}

/// Refuses a document nested deeper than the limit, or whose answer could
/// hold more fields than the limit: every list counted at the longest it
/// is in the snapshot the request reads.
pub fn check_cost(
    document: &ExecutableDocument,
    variables: &Variables,
    limits: &Limits,
    bounds: &ListBounds,
) -> Result<(), ServerError> {
    let measure = super::cost::measure(document, variables, Shape::of_schema(), bounds);
    if measure.depth > limits.max_depth {
        return Err(too_deep(Some(measure.depth), limits));
    }
    if measure.cost > limits.max_complexity {
        return Err(refusal(
            codes::QUERY_TOO_COMPLEX,
            format!(
                "the query could answer up to {} fields, counting every list at its longest; at most {} are allowed: ask for fewer fields, smaller pages or less nesting",
                measure.cost, limits.max_complexity
            ),
        ));
    }
    Ok(())
}

/// The extension that runs the checks of [`check_request`] and attaches a
/// budget, for the executor skillgraph does not drive itself (the legacy
/// WebSocket protocol): the snapshot of the connection gives the bounds,
/// and every error it answers gets its code. Any extension sends every
/// field through async-graphql's slower extension path, so the schema that
/// serves HTTP has none and [`super::execute`] runs the same steps.
pub struct Guarded(pub Arc<Limits>);

impl ExtensionFactory for Guarded {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Guard {
            limits: Arc::clone(&self.0),
            budget: std::sync::Mutex::new(None),
        })
    }
}

struct Guard {
    limits: Arc<Limits>,
    /// The budget of the request this extension instance serves.
    budget: std::sync::Mutex<Option<Arc<super::budget::Budget>>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for Guard {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: async_graphql::Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        let none = ListBounds::default();
        let bounds = ctx
            .data_opt::<super::Snapshot>()
            .map_or(&none, |s| &s.bounds);
        let budget = super::guard(&mut request, &self.limits, bounds)?;
        if let Ok(mut slot) = self.budget.lock() {
            *slot = budget;
        }
        next.run(ctx, request).await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            super::error::ensure_codes(&mut errors);
            errors
        })
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> async_graphql::Response {
        let response = next.run(ctx, operation_name).await;
        let budget = self.budget.lock().ok().and_then(|b| b.clone());
        let mut response = super::finish(response, budget.as_deref()).0;
        super::error::ensure_codes(&mut response.errors);
        response
    }
}

/// Gives async-graphql's own limit refusals their codes.
pub fn code_of_validation_message(message: &str) -> Option<&'static str> {
    match message {
        "Query is nested too deep." => Some(codes::QUERY_TOO_DEEP),
        "Query is too complex." => Some(codes::QUERY_TOO_COMPLEX),
        // The parser's own guard, met first by very deep documents.
        _ if message.starts_with("The recursion depth of the query cannot be greater than") => {
            Some(codes::QUERY_TOO_DEEP)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, limits: &Limits) -> Result<(), ServerError> {
        check_size(&async_graphql::parser::parse_query(query).unwrap(), limits)
    }

    #[test]
    fn braces_in_strings_and_comments_do_not_nest() {
        assert_eq!(brace_depth("{ a { b } }"), 2);
        assert_eq!(brace_depth(r#"{ a(s: "{{{{") { b } }"#), 2);
        assert_eq!(brace_depth("{ a # {{{{\n { b } }"), 2);
        assert_eq!(brace_depth(r#"{ a(s: """ {{ " }} """) { b } }"#), 2);
        assert_eq!(brace_depth(r#"{ a(s: "", t: "\"{") }"#), 1);
    }

    #[test]
    fn aliases_root_fields_and_fragment_bombs_are_counted_once_expanded() {
        let limits = Limits {
            max_aliases: 3,
            max_root_fields: 2,
            max_fields: 100,
            ..Limits::default()
        };
        assert!(check("{ a: __typename b: __typename }", &limits).is_ok());
        assert!(check("{ a: __typename b: __typename c: __typename }", &limits).is_err());
        assert!(
            check("{ x { a: y b: y } z { c: y d: y } }", &limits).is_err(),
            "aliases anywhere"
        );
        let spread =
            "query { ...F } fragment F on Query { a: __typename b: __typename c: __typename }";
        assert!(
            check(spread, &limits).is_err(),
            "root fields through a fragment"
        );
        // Each level doubles: 2^20 fields from a few lines.
        let mut bomb = String::from("query { ...F0 }\n");
        for n in 0..20 {
            bomb.push_str(&format!(
                "fragment F{n} on Query {{ ...F{} ...F{} }}\n",
                n + 1,
                n + 1
            ));
        }
        bomb.push_str("fragment F20 on Query { __typename }\n");
        let refused = check(&bomb, &Limits::default()).unwrap_err();
        assert!(refused.message.contains("fields"), "{}", refused.message);
    }
}
