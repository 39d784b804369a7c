//! The GraphiQL page at `/`, opened with an example nested-roadmap query.
//!
//! Its scripts come from a CDN by default; `--graphiql-assets DIR` serves
//! them from a local `node_modules` folder holding the npm packages
//! `graphiql@3`, `react@18` and `react-dom@18` instead, for machines
//! without internet access.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::app::App;

/// The assets the page loads: package, version on the CDN, file within it, media type.
const ASSETS: &[(&str, &str, &str, &str)] = &[
    (
        "graphiql",
        "3.8.3",
        "graphiql.min.css",
        "text/css; charset=utf-8",
    ),
    (
        "react",
        "18.3.1",
        "umd/react.production.min.js",
        "text/javascript; charset=utf-8",
    ),
    (
        "react-dom",
        "18.3.1",
        "umd/react-dom.production.min.js",
        "text/javascript; charset=utf-8",
    ),
    (
        "graphiql",
        "3.8.3",
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
    ),
];

/// The query the editor opens with: a whole roadmap in one request.
pub const EXAMPLE_QUERY: &str = r#"# A whole roadmap in one request. Run it: Ctrl-Enter.
query NestedRoadmap {
  roadmap(slug: "backend") {
    title
    sections {
      title
      items {
        recommendation
        skill {
          slug
          name
          prerequisites { strength skill { slug } }
          resources { kind title url }
          guides { title }
        }
        children { skill { slug name } }
      }
    }
  }
}
"#;

/// Where the page's assets come from.
#[derive(Debug, Clone, Default)]
pub enum AssetSource {
    /// unpkg.com, pinned versions.
    #[default]
    Cdn,
    /// A local `node_modules` folder, served under `/graphiql-assets/`.
    Local(PathBuf),
}

impl AssetSource {
    fn url(&self, package: &str, version: &str, file: &str) -> String {
        match self {
            Self::Cdn => format!("https://unpkg.com/{package}@{version}/{file}"),
            Self::Local(_) => format!("/graphiql-assets/{package}/{file}"),
        }
    }
}

/// The page.
pub fn page(source: &AssetSource) -> String {
    let mut head = String::new();
    for (package, version, file, _) in ASSETS {
        let url = source.url(package, version, file);
        if file.ends_with(".css") {
            head.push_str(&format!("  <link rel=\"stylesheet\" href=\"{url}\" />\n"));
        } else {
            head.push_str(&format!("  <script crossorigin src=\"{url}\"></script>\n"));
        }
    }
    // JSON is a valid JavaScript literal; `<` is escaped so no `</script>` can end the block.
    let query = serde_json::to_string(EXAMPLE_QUERY)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('<', "\\u003c");
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>skillgraph · GraphiQL</title>
  <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
{head}</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script>
    const fetcher = GraphiQL.createFetcher({{ url: new URL('/graphql', window.location.href).href }});
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {{ fetcher, defaultQuery: {query}, defaultEditorToolsVisibility: true }}),
    );
  </script>
</body>
</html>
"#
    )
}

/// Serves the page.
pub(super) async fn graphiql(State(app): State<Arc<App>>) -> Html<String> {
    Html(page(app.graphiql_assets()))
}

/// Serves one of the page's assets from the local folder; anything else is 404.
pub(super) async fn asset(
    State(app): State<Arc<App>>,
    UrlPath((package, file)): UrlPath<(String, String)>,
) -> Response {
    let AssetSource::Local(dir) = app.graphiql_assets() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Only the listed files, so no path from a request reaches the file system.
    let Some((package, _, file, media_type)) = ASSETS
        .iter()
        .find(|(p, _, f, _)| *p == package && *f == file)
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let path: PathBuf = Path::new(dir).join(package).join(file);
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            );
            response
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "a GraphiQL asset is missing");
            StatusCode::NOT_FOUND.into_response()
        }
    }
}
