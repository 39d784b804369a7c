//! `write-bench`: what one write costs as the catalog grows, on PostgreSQL,
//! with two replicas: the mutation's round trip on replica A, the time until
//! replica B answers with the write (staleness), and A's memory over the
//! burst. `--baseline` runs another build of `skillgraph` (the code path
//! before a change) in the same run, interleaved size by size, and the table
//! gives the ratios. `bench/README.md` holds the measured table.
//!
//! For each size it generates a catalog (`skillgraph generate --shape areas
//! --skills N`), loads it into a fresh database through `skillgraph import`,
//! starts `skillgraph serve` twice on it, and sends `--writes` single-skill
//! edits (`updateSkill` with a new description), one at a time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};

use skillgraph_bench::process::{Server, fresh_database, run};

/// Options of the benchmark.
#[derive(Debug, Parser)]
struct Args {
    /// Catalog sizes, in skills.
    #[arg(long, value_delimiter = ',', default_value = "100,10000,100000")]
    sizes: Vec<usize>,
    /// Writes measured per size and build (after 10 unmeasured ones).
    #[arg(long, default_value_t = 200)]
    writes: usize,
    /// The build to measure.
    #[arg(long, default_value = "target/release/skillgraph")]
    binary: PathBuf,
    /// Another build to measure in the same run, as the baseline.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// A PostgreSQL server where the benchmark may create its databases.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
    /// Where datasets, logs and the table go.
    #[arg(long, default_value = "target/bench/writes")]
    out: PathBuf,
}

/// Loopback ports of the two replicas.
const REPLICA_A: u16 = 8311;
const REPLICA_B: u16 = 8312;

/// A `skillgraph serve` on a loopback port.
struct Replica {
    server: Server,
    port: u16,
}

impl Replica {
    fn start(binary: &Path, database_url: &str, port: u16, log: &Path) -> Result<Self, String> {
        let mut command = Command::new(binary);
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--database-url", database_url, "--rate-limit", "0"])
            .args(["--response-cache-mb", "0", "--log", "warn"]);
        let server = Server::start("skillgraph", &mut command, log)?;
        Ok(Self { server, port })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/graphql", self.port)
    }

    fn rss_mib(&self) -> u64 {
        self.server.rss_mib().unwrap_or(0)
    }

    async fn ready(&self, client: &reqwest::Client) -> Result<(), String> {
        let url = format!("http://127.0.0.1:{}/readyz", self.port);
        for _ in 0..1200 {
            if client
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "the replica on port {} did not get ready",
            self.port
        ))
    }
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Result<Value, String> {
    let mut request = client
        .post(url)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let body: Value = request
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    if body.get("errors").is_some() {
        return Err(format!("{query}: {body}"));
    }
    Ok(body)
}

/// Percentile of sorted milliseconds.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

/// What one build did at one size.
#[derive(Debug, Clone, Copy)]
struct Figures {
    write_p50: f64,
    write_p99: f64,
    stale_p50: f64,
    stale_p99: f64,
    rss_start: u64,
    rss_peak: u64,
    rss_end: u64,
}

const EDIT: &str = "mutation($skill: String!, $text: String!) { updateSkill(input: { skill: $skill, description: $text }) { catalogVersion } }";
const READ: &str = "query($slug: String!) { skill(slug: $slug) { description } }";

async fn measure(
    binary: &Path,
    size: usize,
    args: &Args,
    dataset: &Path,
) -> Result<Figures, String> {
    let database = format!("skillgraph_writes_{size}");
    let admin = format!("{}/postgres", args.postgres);
    let database_url = format!("{}/{database}", args.postgres);
    fresh_database(&admin, &database)?;
    run(Command::new(binary)
        .args(["import", "--database-url", &database_url])
        .arg(dataset))?;
    let token = run(Command::new(binary).args([
        "token",
        "create",
        "--role",
        "editor",
        "--label",
        "write-bench",
        "--database-url",
        &database_url,
    ]))?
    .trim()
    .to_owned();
    let a = Replica::start(binary, &database_url, REPLICA_A, &args.out.join("a.log"))?;
    let b = Replica::start(binary, &database_url, REPLICA_B, &args.out.join("b.log"))?;
    let client = reqwest::Client::new();
    a.ready(&client).await?;
    b.ready(&client).await?;
    let listed = post(
        &client,
        &a.url(),
        None,
        "{ skills(first: 100) { nodes { slug } } }",
        json!({}),
    )
    .await?;
    let slugs: Vec<String> = listed["data"]["skills"]["nodes"]
        .as_array()
        .ok_or("no skills")?
        .iter()
        .filter_map(|n| n["slug"].as_str().map(str::to_owned))
        .collect();
    let rss_start = a.rss_mib();
    let mut rss_peak = rss_start;
    let mut writes = Vec::with_capacity(args.writes);
    let mut stale = Vec::with_capacity(args.writes);
    for n in 0..args.writes + 10 {
        let slug = &slugs[n % slugs.len()];
        let text = format!("Edited by write-bench, write {n}.");
        let sent = Instant::now();
        post(
            &client,
            &a.url(),
            Some(&token),
            EDIT,
            json!({ "skill": slug, "text": text }),
        )
        .await?;
        let acked = sent.elapsed();
        // Replica B sees the write when it answers with it.
        loop {
            let seen = post(&client, &b.url(), None, READ, json!({ "slug": slug })).await?;
            if seen["data"]["skill"]["description"] == text.as_str() {
                break;
            }
            if sent.elapsed() > Duration::from_secs(60) {
                return Err(format!("replica B never saw write {n}"));
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let visible = sent.elapsed();
        if n >= 10 {
            writes.push(acked.as_secs_f64() * 1e3);
            stale.push(visible.as_secs_f64() * 1e3);
        }
        rss_peak = rss_peak.max(a.rss_mib());
    }
    let rss_end = a.rss_mib();
    writes.sort_by(f64::total_cmp);
    stale.sort_by(f64::total_cmp);
    Ok(Figures {
        write_p50: percentile(&writes, 0.5),
        write_p99: percentile(&writes, 0.99),
        stale_p50: percentile(&stale, 0.5),
        stale_p99: percentile(&stale, 0.99),
        rss_start,
        rss_peak,
        rss_end,
    })
}

fn row(label: &str, size: usize, f: &Figures) -> String {
    format!(
        "| {label} | {size} | {:.1} | {:.1} | {:.1} | {:.1} | {} / {} / {} |",
        f.write_p50, f.write_p99, f.stale_p50, f.stale_p99, f.rss_start, f.rss_peak, f.rss_end
    )
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    std::fs::create_dir_all(&args.out).map_err(|e| e.to_string())?;
    let mut table = vec![
        "| build | skills | write p50 ms | write p99 ms | visible on B p50 ms | p99 ms | A's RSS MiB start / peak / end |".to_owned(),
        "|---|---|---|---|---|---|---|".to_owned(),
    ];
    let mut ratios = Vec::new();
    for &size in &args.sizes {
        let dataset = args.out.join(format!("areas-{size}.yaml"));
        run(Command::new(&args.binary)
            .args([
                "generate",
                "--shape",
                "areas",
                "--skills",
                &size.to_string(),
            ])
            .arg("--output")
            .arg(&dataset))?;
        let figures = measure(&args.binary, size, &args, &dataset).await?;
        table.push(row("this build", size, &figures));
        eprintln!("{}", table.last().map_or("", String::as_str));
        if let Some(baseline) = &args.baseline {
            let before = measure(baseline, size, &args, &dataset).await?;
            table.push(row("baseline", size, &before));
            eprintln!("{}", table.last().map_or("", String::as_str));
            ratios.push(format!(
                "- {size} skills: write p99 {:.2}× the baseline's, visible-on-B p99 {:.2}×",
                figures.write_p99 / before.write_p99,
                figures.stale_p99 / before.stale_p99
            ));
        }
    }
    let mut text = table.join("\n");
    if !ratios.is_empty() {
        text.push_str("\n\n");
        text.push_str(&ratios.join("\n"));
    }
    println!("{text}");
    std::fs::write(args.out.join("results.md"), text + "\n").map_err(|e| e.to_string())?;
    Ok(())
}
