//! Processes the benchmarks start and commands they run.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A process a benchmark started; stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Server {
    /// What it is, for messages.
    pub name: &'static str,
    /// The process.
    pub child: Child,
}

impl Server {
    /// Starts `command`, its output to `log`.
    pub fn start(name: &'static str, command: &mut Command, log: &Path) -> Result<Self, String> {
        let file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = file.try_clone().map_err(|e| e.to_string())?;
        let child = command
            .stdout(Stdio::from(file))
            .stderr(Stdio::from(err))
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        Ok(Self { name, child })
    }

    /// Its resident memory, in MiB.
    pub fn rss_mib(&self) -> Option<u64> {
        rss_kib(self.child.id()).map(|k| k / 1024)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A process's resident memory, in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The resident memory of a process and all its descendants (PostGraphile's
/// cluster is a primary and one worker per core), in KiB.
pub fn tree_rss_kib(pid: u32) -> u64 {
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    rss_kib(pid).unwrap_or(0)
        + children
            .split_whitespace()
            .filter_map(|c| c.parse().ok())
            .map(tree_rss_kib)
            .sum::<u64>()
}

/// Runs a command to its end; its standard output, or why it failed.
pub fn run(command: &mut Command) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Drops and creates the database `name` on the PostgreSQL server whose
/// `postgres` database is at `admin`.
pub fn fresh_database(admin: &str, name: &str) -> Result<(), String> {
    run(Command::new("psql").args([
        "-q",
        admin,
        "-c",
        &format!("drop database if exists {name}"),
    ]))?;
    run(Command::new("psql").args(["-q", admin, "-c", &format!("create database {name}")]))?;
    Ok(())
}
