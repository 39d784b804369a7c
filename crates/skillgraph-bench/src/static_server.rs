//! `static-server`: the performance suite's upper bound. It answers
//! `POST /NAME` (any method, in fact) with the bytes of `DIR/NAME.json`,
//! read once at start, so its throughput is the cost of sending the same
//! response bytes over HTTP with nothing computed.
//!
//! ```sh
//! target/release/static-server --listen 127.0.0.1:8300 --dir target/bench/answers
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, Uri, header};
use axum::response::Response;
use clap::Parser;

/// Options of the static server.
#[derive(Debug, Parser)]
struct Args {
    /// Where to listen.
    #[arg(long)]
    listen: SocketAddr,
    /// A folder of `NAME.json` files, each answered at `/NAME`.
    #[arg(long)]
    dir: PathBuf,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut answers: HashMap<String, Bytes> = HashMap::new();
    for entry in std::fs::read_dir(&args.dir)? {
        let path = entry?.path();
        if let (Some(stem), Some("json")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) {
            answers.insert(format!("/{stem}"), Bytes::from(std::fs::read(&path)?));
        }
    }
    let answers = Arc::new(answers);
    let app = axum::Router::new().fallback(move |uri: Uri| {
        let answers = Arc::clone(&answers);
        async move {
            let mut response = match answers.get(uri.path()) {
                Some(bytes) => Response::new(Body::from(bytes.clone())),
                None => {
                    let mut r = Response::new(Body::empty());
                    *r.status_mut() = StatusCode::NOT_FOUND;
                    r
                }
            };
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/json"),
            );
            response
        }
    });
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    println!("ready");
    axum::serve(listener, app).await?;
    Ok(())
}
