//! `answer-bench`: what one answer costs in-process, on the performance
//! suite's dataset, with the planned executor against the reference
//! (async-graphql's resolvers) measured in the same run: time per answer
//! (median and p99 over interleaved iterations), allocations per answer
//! (every allocation of the request: parse, validation, limits, execution,
//! serialization), and the fields the answer holds, so allocations per 20
//! output fields can be read off. Both executors must answer the same bytes.
//!
//! ```sh
//! cargo run --release --locked -p skillgraph-bench --bin answer-bench
//! ```

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::{Request, Variables};
use clap::Parser;
use serde_json::{Value, json};
use skillgraph_domain::Catalog;
use skillgraph_server::api;
use skillgraph_store::LoadedCatalog;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

#[derive(Parser)]
#[command(about = "The cost of one answer, planned against the reference executor")]
struct Args {
    /// Answers per executor and scenario.
    #[arg(long, default_value_t = 300)]
    iterations: usize,
    /// How many times the suite's dataset (20 roadmaps over 2,000 skills at 1).
    #[arg(long, default_value_t = 1)]
    scale: u16,
}

/// One in-process request's outcome: its body and how many allocations it took.
fn answer(
    runtime: &tokio::runtime::Runtime,
    schema: &api::SkillgraphSchema,
    planner: Option<&api::planned::Planner>,
    limits: &api::limits::Limits,
    snapshot: &api::Snapshot,
    query: &str,
    variables: &Value,
) -> (Vec<u8>, usize, Duration) {
    let request = Request::new(query).variables(Variables::from_json(variables.clone()));
    let region = Region::new(ALLOCATOR);
    let started = Instant::now();
    let mut outcome = runtime.block_on(api::execute(
        schema,
        planner,
        limits,
        request,
        Arc::clone(snapshot),
        api::Access::default(),
    ));
    let body = outcome.body(usize::MAX).expect("serialisable");
    let took = started.elapsed();
    let allocations = region.change().allocations;
    (black_box(body), allocations, took)
}

/// How many fields an answer holds: every key of every object.
fn fields(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.len() + map.values().map(fields).sum::<usize>(),
        Value::Array(items) => items.iter().map(fields).sum(),
        _ => 0,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn document(name: &str) -> String {
    let path = format!("bench/postgraphile/queries/{name}.graphql");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (run from the repository root)"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let shape = skillgraph_bundle::generate::SharedShape::BENCH.scaled(usize::from(args.scale));
    let catalog = Catalog::from_bundle(&skillgraph_bundle::generate::generate_shared(shape, 1)?)?;
    let snapshot: api::Snapshot = Arc::new(api::CatalogSnapshot::new(LoadedCatalog {
        catalog,
        version: 1,
        updated_at: chrono::Utc::now(),
    })?);
    let limits = api::limits::Limits {
        max_complexity: usize::MAX,
        ..api::limits::Limits::default()
    };
    let schema = api::schema_with(&limits);
    let planner = api::planned::Planner::new(&limits);

    // The suite's scenarios, their variables read off the data as the
    // suite reads them: the skill of roadmap-0 with the most transitive
    // prerequisites.
    let catalog = &snapshot.catalog;
    let roadmap = catalog.roadmap_by_slug("roadmap-0").ok_or("no roadmap-0")?;
    let deep = roadmap
        .items()
        .filter_map(|item| catalog.skill(item.skill))
        .max_by_key(|skill| {
            catalog
                .transitive(
                    skill.id,
                    skillgraph_domain::graph::Towards::Prerequisites,
                    skillgraph_domain::graph::EdgeFilter::All,
                    None,
                )
                .len()
        })
        .ok_or("roadmap-0 has no items")?;
    let word = deep
        .name
        .as_str()
        .split_whitespace()
        .nth(1)
        .unwrap_or("caching")
        .to_owned();
    let scenarios = [
        (
            "nested",
            document("skillgraph-nested"),
            json!({ "slug": "roadmap-0" }),
        ),
        (
            "learner (no token: statuses null)",
            document("skillgraph-learner"),
            json!({ "slug": "roadmap-0" }),
        ),
        (
            "skill",
            document("skillgraph-skill"),
            json!({ "slug": deep.slug.as_str() }),
        ),
        (
            "path",
            document("skillgraph-path"),
            json!({ "target": deep.slug.as_str() }),
        ),
        (
            "search",
            document("skillgraph-search"),
            json!({ "query": word }),
        ),
    ];

    println!(
        "answer-bench: scale {} ({} skills), {} answers per executor and scenario, interleaved",
        args.scale,
        catalog.skills().len(),
        args.iterations
    );
    println!();
    println!(
        "| scenario | answer | fields | reference median / p99 µs | planned median / p99 µs | × faster | reference allocations | planned allocations | planned fields per allocation |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, query, variables) in &scenarios {
        let mut times = [Vec::new(), Vec::new()];
        let mut allocations = [0usize; 2];
        let mut bodies: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
        // One warm-up each: the plan is compiled and cached on first sight.
        for planned in [false, true] {
            let _ = answer(
                &runtime,
                &schema,
                planned.then_some(&planner),
                &limits,
                &snapshot,
                query,
                variables,
            );
        }
        for _ in 0..args.iterations {
            for (i, executor) in [None, Some(&planner)].into_iter().enumerate() {
                let (body, allocs, took) = answer(
                    &runtime, &schema, executor, &limits, &snapshot, query, variables,
                );
                times[i].push(took);
                allocations[i] = allocs;
                bodies[i] = body;
            }
        }
        if bodies[0] != bodies[1] {
            return Err(format!("the executors answer {name} differently").into());
        }
        let parsed: Value = serde_json::from_slice(&bodies[1])?;
        if parsed.get("errors").is_some() {
            return Err(format!("{name} was refused: {parsed}").into());
        }
        let field_count = fields(&parsed["data"]);
        for t in &mut times {
            t.sort();
        }
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        let (ref_median, plan_median) = (percentile(&times[0], 0.5), percentile(&times[1], 0.5));
        println!(
            "| {name} | {:.1} KB | {field_count} | {:.0} / {:.0} | {:.0} / {:.0} | {:.1}× | {} | {} | {:.1} |",
            bodies[1].len() as f64 / 1024.0,
            us(ref_median),
            us(percentile(&times[0], 0.99)),
            us(plan_median),
            us(percentile(&times[1], 0.99)),
            us(ref_median) / us(plan_median).max(f64::MIN_POSITIVE),
            allocations[0],
            allocations[1],
            field_count as f64 / allocations[1].max(1) as f64,
        );
    }
    Ok(())
}
