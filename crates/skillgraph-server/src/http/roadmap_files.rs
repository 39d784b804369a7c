//! A roadmap as a file: `GET /roadmaps/{slug}/checklist.md` (and `.csv`),
//! a checklist a person can keep, ticked with the learner's statuses when
//! the request carries a learner's token; and `GET /roadmaps/{slug}.svg`
//! (also `.dot` and `.mmd`), the roadmap drawn as a diagram.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use skillgraph_checklist::Format;
use skillgraph_domain::LearningStatus;

use crate::api::caller::Caller;
use crate::api::error::ApiError;
use crate::app::App;

fn plain(status: StatusCode, message: String) -> Response {
    let mut response = (status, message).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Answers a checklist file of a roadmap.
pub(super) async fn checklist(
    State(app): State<Arc<App>>,
    Path((slug, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let format = match file.as_str() {
        "checklist.md" => Format::Markdown,
        "checklist.csv" => Format::Csv,
        _ => return plain(StatusCode::NOT_FOUND, format!("no such file: {file}\n")),
    };
    let snapshot = app.snapshot();
    let catalog = &snapshot.catalog;
    let Some(roadmap) = catalog.roadmap_by_slug(&slug) else {
        return plain(
            StatusCode::NOT_FOUND,
            format!("there is no roadmap `{slug}`\n"),
        );
    };
    let access = app.access(super::bearer_token(&headers));
    let caller = Caller::new(access.token, access.identities);
    let statuses = match caller.statuses(&catalog.roadmap_skills(roadmap.id)).await {
        Ok(statuses) => statuses,
        Err(error @ (ApiError::NotAuthenticated(_) | ApiError::Unauthenticated)) => {
            let mut response = plain(StatusCode::UNAUTHORIZED, format!("{}\n", error.message()));
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
            return response;
        }
        Err(error) => {
            // Logged by the conversion; the client learns nothing of it.
            let _ = async_graphql::Error::from(error);
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal server error\n".into(),
            );
        }
    };
    let rendered = skillgraph_checklist::render(catalog, roadmap, format, |skill| {
        statuses
            .as_ref()
            .map(|s| s.get(&skill).copied().unwrap_or(LearningStatus::NotStarted))
    });
    match rendered {
        Ok(text) => {
            let mut response = text.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.media_type()),
            );
            if let Ok(disposition) =
                HeaderValue::from_str(&format!("inline; filename=\"{slug}-{file}\""))
            {
                headers.insert(header::CONTENT_DISPOSITION, disposition);
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot render a checklist");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal server error\n".into(),
            )
        }
    }
}

/// Answers a diagram of a roadmap: `{slug}.svg`, `{slug}.dot` or `{slug}.mmd`.
pub(super) async fn diagram(State(app): State<Arc<App>>, Path(file): Path<String>) -> Response {
    use skillgraph_diagram::DiagramFormat;
    let Some((slug, format)) = [
        (".svg", DiagramFormat::Svg),
        (".dot", DiagramFormat::Dot),
        (".mmd", DiagramFormat::Mermaid),
    ]
    .into_iter()
    .find_map(|(suffix, format)| file.strip_suffix(suffix).map(|slug| (slug, format))) else {
        return plain(StatusCode::NOT_FOUND, format!("no such file: {file}\n"));
    };
    let snapshot = app.snapshot();
    let Some(roadmap) = snapshot.catalog.roadmap_by_slug(slug) else {
        return plain(
            StatusCode::NOT_FOUND,
            format!("there is no roadmap `{slug}`\n"),
        );
    };
    let id = roadmap.id;
    // Layout is CPU work: off the async threads.
    let drawn = tokio::task::spawn_blocking(move || {
        snapshot
            .catalog
            .roadmap(id)
            .map(|roadmap| skillgraph_diagram::render(&snapshot.catalog, roadmap, format))
    })
    .await;
    match drawn {
        Ok(Some(Ok(text))) => {
            let mut response = text.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.media_type()),
            );
            response
        }
        Ok(Some(Err(e))) => {
            tracing::error!(error = %e, "cannot draw a roadmap");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal server error\n".into(),
            )
        }
        Ok(None) | Err(_) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal server error\n".into(),
        ),
    }
}
