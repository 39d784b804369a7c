//! The one place where errors become GraphQL errors with an `extensions.code`.

use async_graphql::{ErrorExtensions, ServerError};

/// Every error a resolver can give a client.
///
/// It deliberately does not implement `Display`: async-graphql converts any
/// `Display` error into a GraphQL error without a code, and this type must
/// only become one through its own `From` impl, which sets the code.
#[derive(Debug)]
pub enum ApiError {
    /// The request's arguments are malformed or out of range.
    BadUserInput(String),
    /// One input field is malformed; `field` is its path, e.g. `input.slug`.
    BadField {
        /// The path of the field within the arguments.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A write without a valid bearer token.
    Unauthenticated,
    /// A bearer token that was refused, with the reason (expired, badly signed…).
    NotAuthenticated(String),
    /// A write by a token whose role does not allow it.
    Forbidden(String),
    /// A write names something that does not exist.
    NotFound(String),
    /// A write conflicts with the catalog; the extensions say with what.
    Conflict {
        /// What is in the way.
        message: String,
        /// Extra extensions, e.g. the cycle as a list of slugs.
        details: Vec<(&'static str, async_graphql::Value)>,
    },
    /// The database cannot be reached; reads still work, writes do not.
    Unavailable(String),
    /// Something failed on our side; the detail is logged, never sent.
    Internal(String),
    /// A read ran past the execution timeout and was stopped.
    ExecutionTimeout(std::time::Duration),
    /// The answer grew past the response size cap, in bytes, and was stopped.
    ResponseTooLarge(usize),
}

/// The codes a client can branch on, as they appear in `extensions.code`.
pub mod codes {
    /// The request or one of its arguments is malformed.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// A write came without a valid bearer token.
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// The token's role does not allow the write.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// The write names something that does not exist.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// The write conflicts with the catalog (a cycle, a taken slug, dependents).
    pub const CONFLICT: &str = "CONFLICT";
    /// The database is unavailable: try the write again later.
    pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
    /// The server failed; nothing about the failure is disclosed.
    pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
}

impl ApiError {
    /// A malformed argument, with a message that says what was expected.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadUserInput(message.into())
    }

    /// The message a client sees.
    pub fn message(&self) -> std::borrow::Cow<'_, str> {
        let fixed = match self {
            Self::ExecutionTimeout(timeout) => {
                return format!(
                    "the request ran longer than the execution timeout of {} ms and was stopped",
                    timeout.as_millis()
                )
                .into();
            }
            Self::ResponseTooLarge(cap) => {
                return format!(
                    "the answer would be larger than {cap} bytes and was stopped; ask for fewer fields or smaller pages"
                )
                .into();
            }
            Self::BadUserInput(message)
            | Self::BadField { message, .. }
            | Self::Forbidden(message)
            | Self::NotAuthenticated(message)
            | Self::NotFound(message)
            | Self::Conflict { message, .. } => message,
            Self::Unauthenticated => {
                "this operation needs `Authorization: Bearer <token>` with a valid token"
            }
            Self::Unavailable(_) => {
                "the database is unavailable; reads are served, writes are not: try again shortly"
            }
            Self::Internal(_) => "internal server error",
        };
        fixed.into()
    }

    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput(_) | Self::BadField { .. } => codes::BAD_USER_INPUT,
            Self::Unauthenticated | Self::NotAuthenticated(_) => codes::UNAUTHENTICATED,
            Self::Forbidden(_) => codes::FORBIDDEN,
            Self::NotFound(_) => codes::NOT_FOUND,
            Self::Conflict { .. } => codes::CONFLICT,
            Self::Unavailable(_) => codes::SERVICE_UNAVAILABLE,
            Self::Internal(_) => codes::INTERNAL_SERVER_ERROR,
            Self::ExecutionTimeout(_) => super::limits::codes::EXECUTION_TIMEOUT,
            Self::ResponseTooLarge(_) => super::limits::codes::RESPONSE_TOO_LARGE,
        }
    }
}

impl ApiError {
    /// A store failure as a client sees it: unavailable, or internal.
    pub fn store(error: skillgraph_store::StoreError) -> Self {
        match error {
            skillgraph_store::StoreError::Unavailable(_) => Self::Unavailable(error.to_string()),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(error: ApiError) -> Self {
        match &error {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error while resolving a request");
            }
            ApiError::Unavailable(detail) => {
                tracing::warn!(%detail, "a write met an unavailable database");
            }
            _ => {}
        }
        let code = error.code();
        let message = error.message().into_owned();
        async_graphql::Error::new(message).extend_with(|_, e| {
            e.set("code", code);
            match &error {
                ApiError::BadField { field, .. } => e.set("field", field.as_str()),
                ApiError::Conflict { details, .. } => {
                    for (name, value) in details {
                        e.set(*name, value.clone());
                    }
                }
                _ => {}
            }
        })
    }
}

/// Gives every error that lacks a code one.
///
/// Every error our resolvers raise is an [`ApiError`] and carries its code,
/// internal ones included. An uncoded error therefore comes from
/// async-graphql itself: parsing, validation, or coercing an argument or
/// variable to its type, all of which are the client's input.
pub fn ensure_codes(errors: &mut [ServerError]) {
    for error in errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if !has_code {
            let code = super::limits::code_of_validation_message(&error.message)
                .unwrap_or(codes::BAD_USER_INPUT);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
    }
}
