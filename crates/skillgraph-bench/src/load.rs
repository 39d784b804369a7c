//! `load-check`: what must hold after `scripts/load` has driven mixed reads
//! and writes through wrk: every acknowledged write is in the database (and
//! every acknowledged delete is gone), the committed catalog still builds
//! (so it holds no prerequisite cycle), and the server's memory stayed
//! steady while the catalog stayed bounded.
//!
//! `scripts/load.lua` records each write it sent and each one acknowledged
//! by its alias (`create__T__K`, `edge__T__A__B`, `delete__T__K`, naming
//! skill `load-T-K`); `scripts/load` samples the server's RSS once a
//! second. A write in flight when wrk stops may be applied without being
//! acknowledged, so what a sent delete touches is not counted either way.
//! Run it through `scripts/load`, which prints the command it runs.

use std::collections::HashSet;
use std::path::PathBuf;

use clap::Parser;

/// Options of the check.
#[derive(Debug, Parser)]
struct Args {
    /// The writes sent and acknowledged (`sent ALIAS`, `acked ALIAS`), as
    /// `scripts/load.lua` writes them.
    #[arg(long)]
    acked: PathBuf,
    /// The server's RSS in KiB, one sample a line, oldest first.
    #[arg(long)]
    rss: Option<PathBuf>,
    /// The server's database.
    #[arg(long)]
    database_url: String,
    /// How much the peak RSS of the run's last third may exceed the peak of
    /// its middle third, in percent, before memory counts as growing.
    #[arg(long, default_value_t = 15)]
    memory_slack_percent: u64,
}

/// One acknowledged write, read back from its alias.
#[derive(Debug, PartialEq, Eq)]
enum Write {
    Create(String),
    Edge(String, String),
    Delete(String),
}

fn skill(thread: &str, k: &str) -> String {
    format!("load-{thread}-{k}")
}

impl Write {
    fn parse(alias: &str) -> Option<Self> {
        let parts: Vec<&str> = alias.split("__").collect();
        match parts.as_slice() {
            ["create", t, k] => Some(Self::Create(skill(t, k))),
            ["delete", t, k] => Some(Self::Delete(skill(t, k))),
            ["edge", t, a, b] => Some(Self::Edge(skill(t, a), skill(t, b))),
            _ => None,
        }
    }
}

/// What the RSS samples say: first, peak and last, and whether the last
/// third of the run peaked no higher than the middle third allows.
struct Memory {
    first: u64,
    peak: u64,
    last: u64,
    middle_peak: u64,
    late_peak: u64,
}

impl Memory {
    fn of(samples: &[u64]) -> Option<Self> {
        if samples.len() < 3 {
            return None;
        }
        let third = samples.len() / 3;
        let peak_of = |s: &[u64]| s.iter().copied().max().unwrap_or(0);
        Some(Self {
            first: *samples.first()?,
            peak: peak_of(samples),
            last: *samples.last()?,
            middle_peak: peak_of(&samples[third..2 * third]),
            late_peak: peak_of(&samples[2 * third..]),
        })
    }

    fn steady(&self, slack_percent: u64) -> bool {
        self.late_peak * 100 <= self.middle_peak * (100 + slack_percent)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut writes: Vec<Write> = Vec::new();
    let mut sent_deletes: HashSet<String> = HashSet::new();
    for line in std::fs::read_to_string(&args.acked)?.lines() {
        let (state, alias) = line
            .split_once(' ')
            .ok_or(format!("not a recorded write: {line:?}"))?;
        let write = Write::parse(alias).ok_or(format!("not a recorded write: {line:?}"))?;
        match (state, write) {
            ("sent", Write::Delete(slug)) => {
                sent_deletes.insert(slug);
            }
            ("sent", _) => {}
            ("acked", write) => writes.push(write),
            _ => return Err(format!("not a recorded write: {line:?}").into()),
        }
    }
    let deleted = |slug: &str| sent_deletes.contains(slug);

    // The committed catalog; building it checks it whole, so a cycle fails here.
    let store = skillgraph_store::Store::open(&args.database_url).await?;
    let loaded = store.load().await?;
    store.close().await?;
    let catalog = &loaded.catalog;
    let present = |slug: &str| catalog.skill_by_slug(slug).is_some();

    let (mut created, mut created_found) = (0, 0);
    let (mut edges, mut edges_found) = (0, 0);
    let (mut deletes, mut deletes_gone) = (0, 0);
    for write in &writes {
        match write {
            Write::Create(slug) if !deleted(slug) => {
                created += 1;
                created_found += usize::from(present(slug));
            }
            Write::Create(_) => {}
            Write::Delete(slug) => {
                deletes += 1;
                deletes_gone += usize::from(!present(slug));
            }
            Write::Edge(a, b) if !deleted(a) && !deleted(b) => {
                edges += 1;
                let found = match (catalog.skill_by_slug(a), catalog.skill_by_slug(b)) {
                    (Some(a), Some(b)) => catalog
                        .prerequisites(a.id)
                        .iter()
                        .any(|p| p.requires == b.id),
                    _ => false,
                };
                edges_found += usize::from(found);
            }
            Write::Edge(..) => {}
        }
    }

    println!("acknowledged writes {}", writes.len());
    println!("skills kept     {created} acknowledged, {created_found} found");
    println!("skills deleted  {deletes} acknowledged, {deletes_gone} gone");
    println!("edges kept      {edges} acknowledged, {edges_found} found");
    println!(
        "catalog         version {}, {} skills, builds (no cycle)",
        loaded.version,
        catalog.skills().len()
    );
    let mut ok = created == created_found && edges == edges_found && deletes == deletes_gone;
    if let Some(path) = &args.rss {
        let samples: Vec<u64> = std::fs::read_to_string(path)?
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect();
        if let Some(memory) = Memory::of(&samples) {
            let steady = memory.steady(args.memory_slack_percent);
            println!(
                "server RSS      start {} MiB, peak {} MiB, end {} MiB; peak of the middle third {} MiB, of the last third {} MiB: {}",
                memory.first / 1024,
                memory.peak / 1024,
                memory.last / 1024,
                memory.middle_peak / 1024,
                memory.late_peak / 1024,
                if steady { "steady" } else { "GROWING" }
            );
            ok &= steady;
        } else {
            println!("server RSS      too few samples to judge");
            ok = false;
        }
    }
    if !ok {
        return Err("lost writes, resurrected deletes or growing memory".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_name_their_writes() {
        assert_eq!(
            Write::parse("edge__2__7__5"),
            Some(Write::Edge("load-2-7".into(), "load-2-5".into()))
        );
        assert_eq!(
            Write::parse("create__1__3"),
            Some(Write::Create("load-1-3".into()))
        );
        assert_eq!(Write::parse("nested"), None);
    }

    #[test]
    fn memory_that_keeps_climbing_is_not_steady() {
        let climbing: Vec<u64> = (1..=30).map(|i| i * 1000).collect();
        assert!(!Memory::of(&climbing).expect("samples").steady(15));
        let flat: Vec<u64> = (1..=30).map(|i| 50_000 + (i % 3) * 100).collect();
        assert!(Memory::of(&flat).expect("samples").steady(15));
    }
}
