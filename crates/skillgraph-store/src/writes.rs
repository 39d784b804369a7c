//! Writing changes: one transaction each, serialized across every writer
//! that shares the database, checked against the newest committed catalog.
//!
//! A write takes the store's own lock and an advisory lock (PostgreSQL) or
//! SQLite's write lock (`BEGIN IMMEDIATE`), reads the committed catalog version, and checks
//! the change against that version's catalog — the caller's snapshot when it
//! is current, else a fresh load inside the same transaction. So two writers
//! on two replicas can never together close a cycle: the second one checks
//! against the first one's result.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use skillgraph_domain::change::{Change, arrange, without};
use skillgraph_domain::{ApplyError, Catalog, ResourceId, SkillId};

use crate::entities::*;
use crate::{Engine, LoadedCatalog, Store, StoreError, WriteScope, bump_version, read_catalog};

mod curation;
mod positions;

use positions::{ARRIVING, renumber};

/// The key of the PostgreSQL advisory lock that serializes catalog writes.
pub(crate) const WRITE_LOCK_KEY: i64 = 0x736b_696c_6c67;

/// The PostgreSQL channel on which committed versions are announced.
pub const CHANGES_CHANNEL: &str = "skillgraph_catalog";

/// What a token allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Catalog writes.
    Editor,
    /// Catalog writes and token management.
    Admin,
}

impl Role {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "editor" => Some(Self::Editor),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// Who is writing, as their token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token's label, recorded in the change log.
    pub label: String,
    /// What the token allows.
    pub role: Role,
}

/// The result of a committed change.
#[derive(Debug)]
pub struct Applied {
    /// The catalog as it committed.
    pub catalog: LoadedCatalog,
    /// The storage key of the thing the change created, for a change that creates one.
    pub created: Option<i64>,
    /// Whether `catalog` is the caller's base with this change applied (the
    /// caller was current); otherwise it was read whole.
    pub on_base: bool,
}

/// One committed change, as the change log keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRecord {
    /// The catalog version it produced.
    pub version: i64,
    /// The label of the token that made it.
    pub actor: String,
    /// When it committed.
    pub at: chrono::DateTime<Utc>,
    /// The change, as recorded.
    pub change: serde_json::Value,
    /// The storage key of what it created, when it created something.
    pub created: Option<i64>,
}

impl From<change_log::Model> for ChangeRecord {
    fn from(row: change_log::Model) -> Self {
        let change_log::Model {
            id: _,
            version,
            actor,
            at,
            change,
            created,
        } = row;
        ChangeRecord {
            version,
            actor,
            at: at.with_timezone(&Utc),
            change,
            created,
        }
    }
}

/// A new random token, `sg_<kind>_<64 hex digits>`.
pub(crate) fn fresh_token(kind: &str) -> Result<String, StoreError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| StoreError::Corrupt {
        table: "api_tokens",
        id: String::new(),
        reason: format!("no randomness for a token: {e}"),
    })?;
    Ok(format!("sg_{kind}_{}", hex(&secret)))
}

/// Lowercase hex digits of some bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// Whether two token hashes are equal, in time that does not depend on
/// where they differ.
pub(crate) fn same_hash(stored: &str, computed: &str) -> bool {
    use subtle::ConstantTimeEq;
    stored.len() == computed.len() && bool::from(stored.as_bytes().ct_eq(computed.as_bytes()))
}

/// The hex SHA-256 of a token: what the database keeps instead of the token.
pub(crate) fn token_hash(token: &str) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Makes a new token of `role`; the token itself is returned once and
    /// never stored.
    pub async fn create_token(&self, role: Role, label: &str) -> Result<String, StoreError> {
        let token = fresh_token(role.as_str())?;
        api_token::ActiveModel {
            id: NotSet,
            token_hash: Set(token_hash(&token)),
            role: Set(role.as_str().to_owned()),
            label: Set(label.to_owned()),
            created_at: Set(Utc::now().fixed_offset()),
        }
        .insert(&self.db)
        .await?;
        Ok(token)
    }

    /// The newest `limit` entries of the change log, newest first.
    pub async fn change_log(&self, limit: u64) -> Result<Vec<ChangeRecord>, StoreError> {
        use sea_orm::{QueryOrder, QuerySelect};
        let rows = change_log::Entity::find()
            .order_by_desc(change_log::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(ChangeRecord::from).collect())
    }

    /// Every change committed after `version`, oldest first, as the change
    /// log keeps them: what a replica replays to catch up.
    pub async fn changes_after(&self, version: i64) -> Result<Vec<ChangeRecord>, StoreError> {
        use sea_orm::QueryOrder;
        let rows = change_log::Entity::find()
            .filter(change_log::Column::Version.gt(version))
            .order_by_asc(change_log::Column::Version)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(ChangeRecord::from).collect())
    }

    /// The actor a bearer token stands for, or `None` for an unknown token.
    ///
    /// The database is asked for the token's SHA-256, never the token, and
    /// the hash found is compared again in constant time.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Actor>, StoreError> {
        let hash = token_hash(token);
        let row = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(hash.as_str()))
            .one(&self.db)
            .await?
            .filter(|row| same_hash(&row.token_hash, &hash));
        Ok(row.and_then(|row| {
            Some(Actor {
                role: Role::parse(&row.role)?,
                label: row.label,
            })
        }))
    }

    /// Applies one change in one transaction and returns the catalog as it
    /// committed. `base` is the caller's current catalog, at `base_version`.
    ///
    /// When `base` is the committed version, the next catalog is `base` with
    /// the change applied ([`Catalog::apply`], sharing everything the change
    /// does not touch): the write costs the size of the change, not of the
    /// catalog. A stale caller's change is checked against the committed
    /// catalog, read once. Should the database and the snapshot ever
    /// disagree on the ids a change creates, the catalog is read whole.
    pub async fn apply(
        &self,
        change: &Change,
        actor: &Actor,
        base: &Catalog,
        base_version: i64,
    ) -> Result<Applied, StoreError> {
        let (_turn, txn) = self.begin_write(WriteScope::Catalog).await?;
        let committed = catalog_state::Entity::find_by_id(1)
            .one(&txn)
            .await?
            .map_or(0, |s| s.version);
        let fresh;
        let current: &Catalog = if committed == base_version {
            base
        } else {
            fresh = read_catalog(&txn).await?;
            &fresh.catalog
        };
        current.check(change).map_err(StoreError::Refused)?;
        let created = write(&txn, change, current).await?;
        let (version, at) = bump_version(&txn).await?;
        change_log::ActiveModel {
            id: NotSet,
            version: Set(version),
            actor: Set(actor.label.clone()),
            at: Set(at.fixed_offset()),
            change: Set(serde_json::to_value(change).unwrap_or(serde_json::Value::Null)),
            created: Set(created),
        }
        .insert(&txn)
        .await?;
        let (next, applied) = match current.apply(change, created) {
            Ok(catalog) => (
                LoadedCatalog {
                    catalog,
                    version,
                    updated_at: at,
                },
                true,
            ),
            Err(ApplyError::Refused(refused)) => return Err(StoreError::Refused(refused)),
            Err(unassigned @ ApplyError::Unassigned { .. }) => {
                tracing::warn!(error = %unassigned, "the snapshot and the database disagree; reading the catalog whole");
                (read_catalog(&txn).await?, false)
            }
        };
        let on_base = applied && committed == base_version;
        // Debug builds (every test) check the applied catalog against the
        // rows just written: a change the domain and the SQL apply
        // differently fails loudly instead of serving a wrong snapshot.
        #[cfg(debug_assertions)]
        {
            let written = read_catalog(&txn).await?;
            assert_eq!(
                next.catalog.to_parts(),
                written.catalog.to_parts(),
                "the catalog applied {change:?} unlike the database"
            );
        }
        if self.engine == Engine::Postgres {
            txn.execute_unprepared(&format!("NOTIFY {CHANGES_CHANNEL}, '{version}'"))
                .await?;
        }
        txn.commit().await?;
        tracing::info!(version, actor = %actor.label, "committed a catalog change");
        Ok(Applied {
            catalog: next,
            created,
            on_base,
        })
    }
}

fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn key(id: SkillId) -> i32 {
    id.0 as i32
}

/// Writes `order` as the positions of `skill`'s prerequisite edges, each
/// named by the skill it requires.
async fn renumber_prerequisites(
    txn: &impl ConnectionTrait,
    skill: SkillId,
    order: &[SkillId],
) -> Result<(), StoreError> {
    renumber(txn, order, |requires, position| {
        skill_prerequisite::ActiveModel {
            skill_id: Set(key(skill)),
            requires_id: Set(key(requires)),
            position: Set(position),
            ..Default::default()
        }
    })
    .await
}

/// Writes `order` as the positions of one skill's resources.
async fn renumber_resources(
    txn: &impl ConnectionTrait,
    order: &[ResourceId],
) -> Result<(), StoreError> {
    renumber(txn, order, |id, position| resource::ActiveModel {
        id: Set(id.0 as i32),
        position: Set(position),
        ..Default::default()
    })
    .await
}

/// The skills `skill` requires, in order.
fn required_by(catalog: &Catalog, skill: SkillId) -> impl Iterator<Item = SkillId> + '_ {
    catalog.prerequisites(skill).iter().map(|p| p.requires)
}

/// The SQL of one change, against the catalog it was checked on; answers
/// the key of what it created, if anything.
async fn write(
    txn: &impl ConnectionTrait,
    change: &Change,
    catalog: &Catalog,
) -> Result<Option<i64>, StoreError> {
    match change {
        Change::CreateSkill(draft) => {
            let row = skill::ActiveModel {
                id: NotSet,
                slug: Set(draft.slug.to_string()),
                name: Set(draft.name.to_string()),
                summary: Set(draft.summary.to_string()),
                description: Set(draft.description.to_string()),
                level: Set(draft.level.as_str().to_owned()),
                tags: Set(json(&draft.tags)),
                aliases: Set(json(&draft.aliases)),
                external_ids: Set(json(&draft.external_ids)),
                parent_id: Set(draft.parent.map(key)),
            }
            .insert(txn)
            .await?;
            return Ok(Some(row.id.into()));
        }
        Change::UpdateSkill { skill: id, patch } => {
            let mut row = skill::ActiveModel {
                id: Set(key(*id)),
                ..Default::default()
            };
            if let Some(slug) = &patch.slug {
                row.slug = Set(slug.to_string());
            }
            if let Some(name) = &patch.name {
                row.name = Set(name.to_string());
            }
            if let Some(summary) = &patch.summary {
                row.summary = Set(summary.to_string());
            }
            if let Some(description) = &patch.description {
                row.description = Set(description.to_string());
            }
            if let Some(level) = patch.level {
                row.level = Set(level.as_str().to_owned());
            }
            if let Some(tags) = &patch.tags {
                row.tags = Set(json(tags));
            }
            if let Some(aliases) = &patch.aliases {
                row.aliases = Set(json(aliases));
            }
            if let Some(external_ids) = &patch.external_ids {
                row.external_ids = Set(json(external_ids));
            }
            if row.is_changed() {
                row.update(txn).await?;
            }
        }
        Change::DeleteSkill { skill: id, .. } => {
            // Foreign keys cascade to edges, resources, roadmap items and
            // guide links, and lift subtopics to the top level.
            skill::Entity::delete_by_id(key(*id)).exec(txn).await?;
            // The lists it left close up.
            for edge in catalog.dependents(*id) {
                let order = without(required_by(catalog, edge.skill), *id);
                renumber_prerequisites(txn, edge.skill, &order).await?;
            }
            curation::close_up_after_skill(txn, catalog, *id).await?;
        }
        Change::AddPrerequisite(edge) => {
            skill_prerequisite::ActiveModel {
                skill_id: Set(key(edge.skill)),
                requires_id: Set(key(edge.requires)),
                strength: Set(edge.strength.as_str().to_owned()),
                position: Set(ARRIVING),
            }
            .insert(txn)
            .await?;
            let order = arrange(required_by(catalog, edge.skill), edge.requires, None);
            renumber_prerequisites(txn, edge.skill, &order).await?;
        }
        Change::RemovePrerequisite { skill, requires } => {
            skill_prerequisite::Entity::delete_by_id((key(*skill), key(*requires)))
                .exec(txn)
                .await?;
            let order = without(required_by(catalog, *skill), *requires);
            renumber_prerequisites(txn, *skill, &order).await?;
        }
        Change::SetParent { skill: id, parent } => {
            skill::ActiveModel {
                id: Set(key(*id)),
                parent_id: Set(parent.map(key)),
                ..Default::default()
            }
            .update(txn)
            .await?;
        }
        Change::Relate { skill, other } => {
            // A symmetric link is stored once, smaller id first.
            skill_relation::ActiveModel {
                skill_id: Set(key(*skill.min(other))),
                related_id: Set(key(*skill.max(other))),
            }
            .insert(txn)
            .await?;
        }
        Change::Unrelate { skill, other } => {
            skill_relation::Entity::delete_by_id((key(*skill.min(other)), key(*skill.max(other))))
                .exec(txn)
                .await?;
        }
        Change::CreateResource { skill, resource } => {
            let row = resource::ActiveModel {
                id: NotSet,
                skill_id: Set(key(*skill)),
                position: Set(ARRIVING),
                kind: Set(resource.kind.as_str().to_owned()),
                title: Set(resource.title.to_string()),
                url: Set(resource.url.to_string()),
            }
            .insert(txn)
            .await?;
            let siblings = catalog.resources(*skill).iter().map(|r| r.id);
            let order = arrange(siblings, ResourceId(row.id.into()), None);
            renumber_resources(txn, &order).await?;
            return Ok(Some(row.id.into()));
        }
        Change::UpdateResource {
            resource: id,
            fields,
        } => {
            resource::ActiveModel {
                id: Set(id.0 as i32),
                kind: Set(fields.kind.as_str().to_owned()),
                title: Set(fields.title.to_string()),
                url: Set(fields.url.to_string()),
                ..Default::default()
            }
            .update(txn)
            .await?;
        }
        Change::DeleteResource { resource: id } => {
            resource::Entity::delete_by_id(id.0 as i32)
                .exec(txn)
                .await?;
            if let Some(gone) = catalog.resource(*id) {
                let siblings = catalog.resources(gone.skill).iter().map(|r| r.id);
                renumber_resources(txn, &without(siblings, *id)).await?;
            }
        }
        _ => return curation::write(txn, change, catalog).await,
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use skillgraph_domain::change::{ChangeError, SkillDraft};
    use skillgraph_domain::{Level, Markdown, Prerequisite, Slug, Strength, Summary, Title};

    use super::*;
    use crate::scratch::ScratchDatabase;

    fn draft(slug: &str) -> Change {
        Change::CreateSkill(SkillDraft {
            slug: Slug::parse(slug).unwrap(),
            name: Title::parse(slug).unwrap(),
            summary: Summary::parse("A skill made by a test.").unwrap(),
            description: Markdown::default(),
            level: Level::Beginner,
            tags: vec![],
            aliases: vec![],
            external_ids: vec![],
            parent: None,
        })
    }

    #[tokio::test]
    async fn changes_commit_bump_the_version_and_refusals_write_nothing() {
        for scratch in ScratchDatabase::all_engines().await {
            let store = Store::open(scratch.url()).await.unwrap();
            let token = store.create_token(Role::Editor, "test").await.unwrap();
            let actor = store
                .authenticate(&token)
                .await
                .unwrap()
                .expect("known token");
            assert_eq!(actor.role, Role::Editor);
            assert_eq!(store.authenticate("sg_editor_nope").await.unwrap(), None);

            let base = store.load().await.unwrap();
            let apply = async |change: &Change, on: &LoadedCatalog| {
                store
                    .apply(change, &actor, &on.catalog, on.version)
                    .await
                    .map(|applied| applied.catalog)
            };
            let one = apply(&draft("one"), &base).await.unwrap();
            let two = apply(&draft("two"), &one).await.unwrap();
            assert_eq!(two.version, base.version + 2);
            let id = |c: &LoadedCatalog, s: &str| c.catalog.skill_by_slug(s).unwrap().id;
            let edge = |skill, requires| {
                Change::AddPrerequisite(Prerequisite {
                    skill,
                    requires,
                    strength: Strength::Required,
                })
            };
            let linked = apply(&edge(id(&two, "two"), id(&two, "one")), &two)
                .await
                .unwrap();
            // A stale snapshot is not trusted: the check runs on what committed.
            let refused = apply(&edge(id(&one, "one"), id(&two, "two")), &two)
                .await
                .unwrap_err();
            assert!(
                matches!(refused, StoreError::Refused(ChangeError::WouldCycle(_))),
                "{refused}"
            );
            let taken = apply(&draft("one"), &linked).await.unwrap_err();
            assert!(matches!(
                taken,
                StoreError::Refused(ChangeError::SlugTaken { .. })
            ));
            assert_eq!(store.load().await.unwrap().version, linked.version);
            store.close().await.unwrap();
        }
    }

    /// A learner's writes and catalog writes overlapping on one store wait
    /// for each other: on SQLite a deferred transaction that read the
    /// version and then wrote used to fail with SQLITE_BUSY (5) or
    /// SQLITE_BUSY_SNAPSHOT (517) whenever a status write came between.
    #[tokio::test]
    async fn overlapping_catalog_and_learner_writes_all_commit() {
        use skillgraph_domain::LearningStatus;
        for scratch in ScratchDatabase::all_engines().await {
            let store = Store::open(scratch.url()).await.unwrap();
            let bundle = skillgraph_bundle::bundled().unwrap();
            let loaded = store
                .import_bundle(&bundle, "test", crate::ImportMode::IntoEmpty, &|_, _| {})
                .await
                .unwrap()
                .unwrap();
            let skills: Vec<SkillId> = loaded.catalog.skills().map(|s| s.id).take(8).collect();
            let actor = Actor {
                label: "test".into(),
                role: Role::Editor,
            };
            let done = std::cell::Cell::new(false);
            let creating = async {
                let mut current = loaded.clone();
                for n in 0..100 {
                    let change = draft(&format!("overlap-{n}"));
                    let applied = store
                        .apply(&change, &actor, &current.catalog, current.version)
                        .await
                        .unwrap_or_else(|e| panic!("{:?}: create {n}: {e}", store.engine()));
                    current = applied.catalog;
                    tokio::task::yield_now().await;
                }
                done.set(true);
                current
            };
            // Learners write until the creates are done (each at most
            // 10,000 times), so that the writes overlap.
            let learning = async |name: &str| {
                let (learner, _) = store.create_learner(name).await.unwrap();
                let statuses = [LearningStatus::Learning, LearningStatus::Done];
                let mut writes = 0;
                for n in (0..10_000).take_while(|_| !done.get()) {
                    writes += 1;
                    let status = (skills[n % skills.len()], statuses[n / skills.len() % 2]);
                    store
                        .set_statuses(&learner, &[status])
                        .await
                        .unwrap_or_else(|e| panic!("{:?}: status {n}: {e}", store.engine()));
                    tokio::task::yield_now().await;
                }
                (learner, writes)
            };
            let (last, ada, bob, eve) =
                tokio::join!(creating, learning("ada"), learning("bob"), learning("eve"));
            assert_eq!(last.version, loaded.version + 100);
            assert_eq!(store.load().await.unwrap().version, last.version);
            for (learner, writes) in [ada, bob, eve] {
                assert_eq!(
                    store.all_statuses(&learner).await.unwrap().len(),
                    writes.min(skills.len())
                );
            }
            store.close().await.unwrap();
        }
    }
}
