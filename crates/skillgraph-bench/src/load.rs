//! `load-test`: mixed reads and writes at saturation against a running
//! release `skillgraph serve`, for a bounded time, then checks what must
//! hold afterwards: no 5xx, every acknowledged write in the database, no
//! prerequisite cycle, and memory that does not keep growing.
//!
//! ```sh
//! cargo build --release --locked --bin skillgraph --bin load-test
//! createdb -h 127.0.0.1 -U postgres skillgraph_load
//! target/release/skillgraph serve --listen 127.0.0.1:8090 --rate-limit 0 \
//!     --database-url postgres://postgres@127.0.0.1:5432/skillgraph_load &
//! TOKEN=$(target/release/skillgraph token create --role editor \
//!     --database-url postgres://postgres@127.0.0.1:5432/skillgraph_load)
//! target/release/load-test --url http://127.0.0.1:8090/graphql --token "$TOKEN" \
//!     --database-url postgres://postgres@127.0.0.1:5432/skillgraph_load \
//!     --pid $! --seconds 30 --concurrency 32
//! ```

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};
use tokio::sync::Mutex;

/// Options of the load test.
#[derive(Debug, Parser)]
struct Args {
    /// The server's GraphQL endpoint.
    #[arg(long)]
    url: String,
    /// An editor's token, for the writes.
    #[arg(long)]
    token: String,
    /// The server's database, to check the writes afterwards.
    #[arg(long)]
    database_url: String,
    /// The server's process id, to sample its memory.
    #[arg(long)]
    pid: Option<u32>,
    /// How long to drive load.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// One request in this many is a write.
    #[arg(long, default_value_t = 10)]
    write_every: u64,
}

const NESTED: &str = r#"query Nested($slug: String!) { roadmap(slug: $slug) { title sections { title items { skill { slug name prerequisites { skill { slug } } resources { url } } children { skill { slug } } } } } }"#;
const SEARCH: &str = r#"query Search($q: String!) { search(query: $q, first: 10) { totalCount edges { node { score } } } }"#;
const CREATE: &str = r#"mutation Create($input: CreateSkillInput!) { createSkill(input: $input) { catalogVersion skill { slug } } }"#;
const EDGE: &str = r#"mutation Edge($input: AddPrerequisiteInput!) { addPrerequisite(input: $input) { catalogVersion } }"#;

#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    server_errors: AtomicU64,
    refused: AtomicU64,
    latencies_us: Mutex<Vec<u64>>,
    skills: Mutex<Vec<String>>,
    edges: Mutex<Vec<(String, String)>>,
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

async fn client_loop(id: usize, args: Arc<Args>, tally: Arc<Tally>, until: Instant) {
    let http = reqwest::Client::new();
    let mut n: u64 = 0;
    while Instant::now() < until {
        n += 1;
        let (body, write) = if n.is_multiple_of(args.write_every) {
            let created = tally.skills.lock().await.len();
            if created >= 2 && n.is_multiple_of(args.write_every * 2) {
                // An edge between two skills made here; some close a cycle
                // and are refused, which is the point.
                let skills = tally.skills.lock().await.clone();
                let a = &skills[(n as usize * 7 + id) % skills.len()];
                let b = &skills[(n as usize * 13 + id * 3) % skills.len()];
                (
                    json!({ "query": EDGE, "variables": { "input": { "skill": a, "requires": b } } }),
                    true,
                )
            } else {
                let slug = format!("load-{id}-{n}");
                (
                    json!({ "query": CREATE, "variables": { "input": { "slug": slug, "name": format!("Load {id} {n}"), "summary": "Made by the load test.", "level": "BEGINNER" } } }),
                    true,
                )
            }
        } else if n.is_multiple_of(3) {
            let q = ["git", "kubernets", "sql", "api"][n as usize % 4];
            (json!({ "query": SEARCH, "variables": { "q": q } }), false)
        } else {
            let slug = if n.is_multiple_of(2) {
                "backend"
            } else {
                "devops"
            };
            (
                json!({ "query": NESTED, "variables": { "slug": slug } }),
                false,
            )
        };
        let started = Instant::now();
        let mut request = http.post(&args.url).json(&body);
        if write {
            request = request.bearer_auth(&args.token);
        }
        let Ok(response) = request.send().await else {
            tally.server_errors.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        tally
            .latencies_us
            .lock()
            .await
            .push(started.elapsed().as_micros() as u64);
        tally.requests.fetch_add(1, Ordering::Relaxed);
        if status.is_server_error() {
            tally.server_errors.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        if answer.get("errors").is_some() {
            tally.refused.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        if let Some(slug) = answer["data"]["createSkill"]["skill"]["slug"].as_str() {
            tally.skills.lock().await.push(slug.to_owned());
        }
        if answer["data"]["addPrerequisite"].is_object()
            && let Some(input) = body["variables"]["input"].as_object()
        {
            let skill = input["skill"].as_str().unwrap_or_default().to_owned();
            let requires = input["requires"].as_str().unwrap_or_default().to_owned();
            tally.edges.lock().await.push((skill, requires));
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Arc::new(Args::parse());
    let tally = Arc::new(Tally::default());
    let started = Instant::now();
    let until = started + Duration::from_secs(args.seconds);
    let mut memory = Vec::new();
    let clients: Vec<_> = (0..args.concurrency)
        .map(|id| {
            tokio::spawn(client_loop(
                id,
                Arc::clone(&args),
                Arc::clone(&tally),
                until,
            ))
        })
        .collect();
    while Instant::now() < until {
        if let Some(pid) = args.pid
            && let Some(kib) = rss_kib(pid)
        {
            memory.push(kib);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    for client in clients {
        client.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = tally.latencies_us.lock().await.clone();
    latencies.sort_unstable();
    let requests = tally.requests.load(Ordering::Relaxed);
    let server_errors = tally.server_errors.load(Ordering::Relaxed);
    let skills = tally.skills.lock().await.clone();
    let edges = tally.edges.lock().await.clone();

    // What the database holds afterwards: the committed catalog.
    let store = skillgraph_store::Store::open(&args.database_url).await?;
    let loaded = store.load().await?; // builds the catalog: a cycle would not build
    let catalog = &loaded.catalog;
    let present: HashSet<&str> = catalog.skills().map(|s| s.slug.as_str()).collect();
    let skills_found = skills
        .iter()
        .filter(|s| present.contains(s.as_str()))
        .count();
    let edges_found = edges
        .iter()
        .filter(|(skill, requires)| {
            let (Some(a), Some(b)) = (
                catalog.skill_by_slug(skill),
                catalog.skill_by_slug(requires),
            ) else {
                return false;
            };
            catalog
                .prerequisites(a.id)
                .iter()
                .any(|p| p.requires == b.id)
        })
        .count();
    store.close().await?;

    println!(
        "load test: {:.1} s, {} clients, one write in {}",
        elapsed, args.concurrency, args.write_every
    );
    println!(
        "requests        {requests} ({:.0} req/s)",
        requests as f64 / elapsed
    );
    println!(
        "latency         p50 {:.2} ms, p99 {:.2} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );
    println!("5xx or failed   {server_errors}");
    println!(
        "refused (4xx/errors, e.g. cycles) {}",
        tally.refused.load(Ordering::Relaxed)
    );
    println!(
        "skills written  {} acknowledged, {} found",
        skills.len(),
        skills_found
    );
    println!(
        "edges written   {} acknowledged, {} found",
        edges.len(),
        edges_found
    );
    println!(
        "catalog         version {}, {} skills, builds (no cycle)",
        loaded.version,
        catalog.skills().len()
    );
    if let (Some(first), Some(peak), Some(last)) =
        (memory.first(), memory.iter().max(), memory.last())
    {
        println!(
            "server RSS      start {} MiB, peak {} MiB, end {} MiB",
            first / 1024,
            peak / 1024,
            last / 1024
        );
    }
    let ok = server_errors == 0 && skills_found == skills.len() && edges_found == edges.len();
    if !ok {
        return Err("the load test found 5xx answers or lost writes".into());
    }
    Ok(())
}
