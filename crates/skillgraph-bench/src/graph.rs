//! `graph-bench`: graph answers and search on a large generated catalog.
//!
//! Generates a deterministic catalog (100,000 skills, about 400,000
//! prerequisite edges by default), builds the catalog and its search index,
//! and times learning paths, transitive prerequisites and searches, both as
//! domain calls and as GraphQL requests through the real schema. Every
//! GraphQL figure is also given as a ratio to the cheapest possible request
//! (`{ __typename }`) measured in the same run, so runs on a noisy machine
//! stay comparable. It prints a table; it asserts nothing.
//!
//! ```sh
//! cargo run --release --locked -p skillgraph-bench --bin graph-bench
//! ```

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::{Request, Variables};
use clap::Parser;
use serde_json::json;
use skillgraph_domain::graph::{EdgeFilter, Towards};
use skillgraph_domain::{Catalog, Strength};
use skillgraph_server::api::{self, CatalogSnapshot};
use skillgraph_store::LoadedCatalog;
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// Options of the benchmark.
#[derive(Debug, Parser)]
#[command(about = "Graph answers and search on a large generated catalog")]
struct Options {
    /// How many skills to generate.
    #[arg(long, default_value_t = 100_000)]
    skills: usize,
    /// The generator's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Timed repetitions of each operation.
    #[arg(long, default_value_t = 300)]
    iterations: usize,
}

/// Bytes currently allocated on the heap.
fn live_bytes() -> isize {
    let stats = ALLOCATOR.stats();
    stats.bytes_allocated as isize - stats.bytes_deallocated as isize + stats.bytes_reallocated
}

fn mib(bytes: isize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Median and 99th percentile of repeated runs of `work`, after a warm-up.
fn time(iterations: usize, mut work: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..iterations.min(20) {
        work();
    }
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One row of the report.
struct Row {
    name: String,
    median: Duration,
    p99: Duration,
    ratio: Option<f64>,
    aim: Option<f64>,
}

fn main() {
    let options = Options::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");

    println!(
        "graph-bench: {} skills, seed {}, {} iterations per operation",
        options.skills, options.seed, options.iterations
    );
    let started = Instant::now();
    let bundle = skillgraph_bundle::generate::generate(options.skills, options.seed)
        .expect("the generator makes valid bundles");
    let generate_time = started.elapsed();

    let before_catalog = live_bytes();
    let started = Instant::now();
    let catalog = Catalog::from_bundle(&bundle).expect("a generated bundle is consistent");
    let build_time = started.elapsed();
    let catalog_bytes = live_bytes() - before_catalog;
    drop(bundle);

    let before_index = live_bytes();
    let started = Instant::now();
    let snapshot = Arc::new(
        CatalogSnapshot::new(LoadedCatalog {
            catalog,
            version: 1,
            updated_at: chrono::Utc::now(),
        })
        .expect("the search index builds"),
    );
    let index_time = started.elapsed();
    let index_bytes = live_bytes() - before_index;
    let catalog = &snapshot.catalog;

    // The target with the deepest ancestry among the last skill of every area.
    let (target, ancestry) = catalog
        .skills()
        .filter(|s| {
            let n: usize = s
                .slug
                .as_str()
                .rsplit('-')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            n % skillgraph_bundle::generate::AREA_SIZE == skillgraph_bundle::generate::AREA_SIZE - 1
                || n + 1 == options.skills
        })
        .map(|s| {
            let reached = catalog.transitive(s.id, Towards::Prerequisites, EdgeFilter::All, None);
            (s, reached.len())
        })
        .max_by_key(|(s, n)| (*n, std::cmp::Reverse(s.id)))
        .expect("at least one skill");
    let required_path = catalog
        .learning_path(&[target.id], &[], EdgeFilter::Only(Strength::Required))
        .expect("one target")
        .len();

    println!();
    println!("| build | time | heap |");
    println!("| --- | ---: | ---: |");
    println!("| generate the bundle | {:.0} ms | |", ms(generate_time));
    println!(
        "| catalog ({} skills, {} edges) | {:.0} ms | {:.0} MiB |",
        catalog.skills().len(),
        catalog.prerequisite_count(),
        ms(build_time),
        mib(catalog_bytes)
    );
    println!(
        "| search index | {:.0} ms | {:.0} MiB |",
        ms(index_time),
        mib(index_bytes)
    );
    println!();
    println!(
        "target `{}`: {} transitive prerequisites, a required-only learning path of {} steps",
        target.slug, ancestry, required_path
    );

    let schema = api::schema();
    let limits = api::limits::Limits::default();
    // The server's default executor: planned reads, the rest on the reference.
    let planner = api::planned::Planner::new(&limits);
    let graphql = |query: &str, variables: serde_json::Value| {
        let request = Request::new(query).variables(Variables::from_json(variables));
        let mut outcome = runtime.block_on(api::execute(
            &schema,
            Some(&planner),
            &limits,
            request,
            Arc::clone(&snapshot),
            api::Access::default(),
        ));
        assert!(
            outcome.response.errors.is_empty(),
            "{:?}",
            outcome.response.errors
        );
        black_box(outcome.body(usize::MAX).expect("serialisable"));
    };
    let iterations = options.iterations;
    let (base_median, base_p99) = time(iterations, || graphql("{ __typename }", json!({})));
    let mut rows = vec![Row {
        name: "baseline: GraphQL `{ __typename }`".into(),
        median: base_median,
        p99: base_p99,
        ratio: Some(1.0),
        aim: None,
    }];
    let mut measure = |name: &str, aim: Option<f64>, graphql_work: bool, work: &mut dyn FnMut()| {
        let (median, p99) = time(iterations, work);
        rows.push(Row {
            name: name.to_owned(),
            median,
            p99,
            ratio: graphql_work.then(|| median.as_secs_f64() / base_median.as_secs_f64()),
            aim,
        });
    };

    let slug = target.slug.to_string();
    measure(
        "learning path (domain, required)",
        Some(5.0),
        false,
        &mut || {
            let _ = black_box(
                catalog
                    .learning_path(&[target.id], &[], EdgeFilter::Only(Strength::Required))
                    .map(|p| p.len()),
            );
        },
    );
    measure(
        "learning path (domain, all edges)",
        Some(5.0),
        false,
        &mut || {
            let _ = black_box(
                catalog
                    .learning_path(&[target.id], &[], EdgeFilter::All)
                    .map(|p| p.len()),
            );
        },
    );
    measure(
        "learning path (GraphQL, every step)",
        Some(5.0),
        true,
        &mut || {
            graphql(
                "query ($t: String!) { learningPath(targets: [$t]) { length steps { position skill { slug } } } }",
                json!({ "t": slug }),
            )
        },
    );
    measure(
        "transitive prerequisites (domain)",
        None,
        false,
        &mut || {
            black_box(
                catalog
                    .transitive(target.id, Towards::Prerequisites, EdgeFilter::All, None)
                    .len(),
            );
        },
    );
    measure(
        "transitive prerequisites (GraphQL)",
        None,
        true,
        &mut || {
            graphql(
                "query ($t: String!) { skill(slug: $t) { prerequisites(transitive: true) { distance strength skill { slug } } } }",
                json!({ "t": slug }),
            )
        },
    );
    let queries = [
        "distributed caching",
        "kubernets",
        "reac",
        "secure encryption 4242",
    ];
    let mut next = 0;
    measure("search (index, 20 hits)", Some(2.0), false, &mut || {
        next = (next + 1) % queries.len();
        black_box(
            snapshot
                .search
                .search(queries[next], &[], 0, 20)
                .map(|r| r.total)
                .ok(),
        );
    });
    let mut next = 0;
    measure("search (GraphQL, 20 hits)", Some(2.0), true, &mut || {
        next = (next + 1) % queries.len();
        graphql(
            "query ($q: String!) { search(query: $q, first: 20) { totalCount edges { node { score matchedField ... on SkillHit { skill { slug } } } } } }",
            json!({ "q": queries[next] }),
        )
    });

    println!();
    println!("| operation | median | p99 | × baseline | aim | met |");
    println!("| --- | ---: | ---: | ---: | ---: | :---: |");
    for row in rows {
        println!(
            "| {} | {:.3} ms | {:.3} ms | {} | {} | {} |",
            row.name,
            ms(row.median),
            ms(row.p99),
            row.ratio.map_or(String::new(), |r| format!("{r:.1}")),
            row.aim.map_or(String::new(), |a| format!("< {a} ms")),
            match row.aim {
                Some(aim) if ms(row.median) < aim => "yes",
                Some(_) => "no",
                None => "",
            }
        );
    }
}
