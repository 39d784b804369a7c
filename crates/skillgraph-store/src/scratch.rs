//! Throwaway databases for tests: a fresh SQLite file, or a fresh database on
//! the PostgreSQL server named by [`POSTGRES_ENV`], removed again on drop.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm::{ConnectionTrait, Database};

/// The environment variable naming a PostgreSQL server (any database on it)
/// on which tests may create and drop their own databases. When it is unset,
/// tests run on SQLite only.
pub const POSTGRES_ENV: &str = "SKILLGRAPH_TEST_POSTGRES_URL";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database that exists for one test and is removed when dropped.
#[derive(Debug)]
pub struct ScratchDatabase {
    url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    File(std::path::PathBuf),
    Postgres { server: String, name: String },
}

/// A name no other test, in this process or another, is using.
fn unique_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "skillgraph_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The URL of another database on the same server.
fn with_database(server: &str, name: &str) -> Result<String, String> {
    let mut url = url::Url::parse(server).map_err(|e| format!("{POSTGRES_ENV}: {e}"))?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}

impl ScratchDatabase {
    /// A fresh SQLite file in the temporary directory.
    pub fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
        Self {
            url: format!("sqlite://{}", path.display()),
            cleanup: Cleanup::File(path),
        }
    }

    /// A fresh database on the PostgreSQL server at `server`.
    pub async fn postgres(server: &str) -> Result<Self, String> {
        let name = unique_name();
        let admin = Database::connect(server)
            .await
            .map_err(|e| format!("cannot reach PostgreSQL at {server}: {e}"))?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .map_err(|e| format!("cannot create database {name}: {e}"))?;
        let _ = admin.close().await;
        Ok(Self {
            url: with_database(server, &name)?,
            cleanup: Cleanup::Postgres {
                server: server.to_owned(),
                name,
            },
        })
    }

    /// One scratch database per engine under test: SQLite always, PostgreSQL
    /// too when [`POSTGRES_ENV`] is set. A set variable whose server cannot be
    /// reached fails loudly rather than silently testing less.
    pub async fn all_engines() -> Vec<Self> {
        let mut all = vec![Self::sqlite()];
        if let Some(server) = std::env::var(POSTGRES_ENV).ok().filter(|s| !s.is_empty()) {
            match Self::postgres(&server).await {
                Ok(db) => all.push(db),
                Err(e) => panic!("{e}"),
            }
        }
        all
    }

    /// The URL to open it with.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Cleanup::Postgres { server, name } => {
                // Drop may run inside an async test; do the async work on a
                // thread of its own with its own small runtime.
                let (server, name) = (server.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    runtime.block_on(async {
                        let admin = Database::connect(&server).await.ok()?;
                        let dropped = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                        let _ = admin.close().await;
                        dropped.ok()
                    })
                })
                .join();
            }
        }
    }
}

/// How many steps `Migrator::down` takes to undo the migration named
/// `name` and every later one: tests that go back to an older schema stay
/// right when newer migrations land.
#[cfg(test)]
pub(crate) fn steps_back_through(name: &str) -> u32 {
    use skillgraph_migrations::MigratorTrait;
    let names: Vec<String> = skillgraph_migrations::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let at = names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no migration {name} among {names:?}"));
    (names.len() - at) as u32
}
