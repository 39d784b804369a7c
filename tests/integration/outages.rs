//! PostgreSQL going away and coming back, on a throwaway cluster of the
//! test's own: reads keep being served from the snapshot, writes fail fast
//! with SERVICE_UNAVAILABLE, /readyz says not ready, and once the database
//! is back writes work again and the other replica catches up, with no
//! restart of skillgraph.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::Server;
use crate::read_api::NESTED_ROADMAP;

/// A PostgreSQL cluster in a temporary folder, on a free port.
struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

fn as_postgres(program: &Path, args: &[&str]) -> std::process::ExitStatus {
    // initdb refuses to run as root: run the cluster as the postgres user.
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    let mut command = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    command.args(args).status().expect("run a PostgreSQL tool")
}

impl Cluster {
    fn create() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's server binaries under /usr/lib/postgresql")
            .filter_map(Result::ok)
            .map(|e| e.path().join("bin"))
            .find(|b| b.join("initdb").exists())
            .expect("initdb under /usr/lib/postgresql/*/bin");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("skillgraph-pg-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let _ = Command::new("chown")
            .args(["postgres:postgres", dir.to_str().unwrap()])
            .status();
        let data = dir.join("data");
        let status = as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        assert!(status.success(), "initdb");
        let cluster = Self { bin, dir, port };
        cluster.start();
        cluster
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn pg_ctl(&self, args: &[&str]) -> std::process::ExitStatus {
        let data = self.dir.join("data");
        let mut all = vec!["-D", data.to_str().unwrap()];
        all.extend_from_slice(args);
        as_postgres(&self.bin.join("pg_ctl"), &all)
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log");
        let status = self.pg_ctl(&["-o", &options, "-l", log.to_str().unwrap(), "-w", "start"]);
        assert!(status.success(), "pg_ctl start");
    }

    fn stop(&self) {
        let status = self.pg_ctl(&["-m", "fast", "-w", "stop"]);
        assert!(status.success(), "pg_ctl stop");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const CREATE: &str = r#"mutation ($slug: String!) { createSkill(input: { slug: $slug, name: "Resilience", summary: "Staying up when a dependency does not.", level: ADVANCED }) { catalogVersion } }"#;

async fn eventually(bound: Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < bound {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test]
async fn reads_survive_a_database_outage_and_writes_resume_when_it_returns() {
    let cluster = Cluster::create();
    let url = cluster.url();
    let first = Server::spawn(&url, &[]);
    let second = Server::spawn(&url, &[]);
    let token = first.token_for(&url, "editor");
    let write = async |slug: &str| first.post_as(&token, CREATE, json!({ "slug": slug })).await;
    let seen = async |server: &Server, slug: &str| {
        server
            .post(
                "query ($s: String!) { skill(slug: $s) { slug } }",
                json!({ "s": slug }),
            )
            .await
            .body["data"]["skill"]["slug"]
            == slug
    };
    assert!(
        write("before-the-outage")
            .await
            .body
            .get("errors")
            .is_none()
    );
    assert!(
        eventually(Duration::from_secs(5), async || seen(
            &second,
            "before-the-outage"
        )
        .await)
        .await
    );

    cluster.stop();
    let read = first
        .post(NESTED_ROADMAP, json!({ "slug": "backend" }))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(
        read.body["data"]["roadmap"]["title"], "Backend Developer",
        "reads come from the snapshot"
    );
    let started = Instant::now();
    let refused = write("during-the-outage").await;
    assert_eq!(
        refused.error_codes(),
        ["SERVICE_UNAVAILABLE"],
        "{refused:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "fails fast: {:?}",
        started.elapsed()
    );
    assert_eq!(first.get("/readyz", "text/plain", &[]).await.status, 503);
    assert_eq!(
        first.get("/healthz", "text/plain", &[]).await.status,
        200,
        "alive all along"
    );

    cluster.start();
    assert!(
        eventually(Duration::from_secs(30), async || first
            .get("/readyz", "text/plain", &[])
            .await
            .status
            == 200)
        .await,
        "ready again once the database is back"
    );
    let mut resumed = write("after-the-outage").await;
    for _ in 0..20 {
        if resumed.body.get("errors").is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
        resumed = write("after-the-outage").await;
    }
    assert!(resumed.body.get("errors").is_none(), "{resumed:?}");
    assert!(
        eventually(Duration::from_secs(15), async || seen(
            &second,
            "after-the-outage"
        )
        .await)
        .await,
        "the other replica catches up without a restart"
    );
}
