//! The boundaries ARCHITECTURE.md promises, checked against the real dependency graph.

use std::process::Command;

use crate::harness::workspace_root;

/// The names of every crate `package` depends on, transitively, outside tests.
fn dependencies(package: &str) -> Vec<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(workspace_root())
        .args([
            "tree", "--locked", "-p", package, "-e", "normal", "--prefix", "none", "--format",
            "{p}",
        ])
        .output()
        .expect("run cargo tree");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_domain_crate_knows_no_database_async_runtime_http_or_graphql() {
    let deps = dependencies("skillgraph-domain");
    assert!(deps.iter().any(|d| d == "petgraph"), "{deps:?}");
    for forbidden in [
        "sea-orm",
        "sqlx-core",
        "async-graphql",
        "axum",
        "hyper",
        "tokio",
        "tantivy",
    ] {
        assert!(
            !deps.iter().any(|d| d == forbidden),
            "the domain crate depends on {forbidden}"
        );
    }
}

#[test]
fn only_the_store_speaks_sql() {
    for package in ["skillgraph-bundle", "skillgraph-search"] {
        let deps = dependencies(package);
        assert!(
            !deps.iter().any(|d| d == "sea-orm" || d == "sqlx-core"),
            "{package} reaches SQL"
        );
    }
}
