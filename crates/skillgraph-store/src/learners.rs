//! Learner data: opaque learner tokens and each learner's status per skill.
//!
//! A learner id is one of two namespaces that never meet: `learner-<hex>`
//! for learners skillgraph issued an opaque token to, and
//! `jwt:<issuer>:<sub>` for learners who sign in with a JWT (the form is
//! `skillgraph-identity`'s). Statuses of JWT learners stored before the
//! namespaces existed wait under `legacy-jwt:<sub>` until
//! [`Store::adopt_legacy_jwt_learners`] moves them into the issuer's.
//!
//! Unlike the catalog, this is read per request (batched by the caller)
//! and never held in a snapshot: it belongs to one learner and changes
//! without bumping the catalog version.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Statement,
    sea_query::{Expr, OnConflict},
};
use skillgraph_domain::{LearningStatus, SkillId};

use crate::entities::*;
use crate::writes::{fresh_token, hex, same_hash, token_hash};
use crate::{Engine, Store, StoreError, WriteScope};

/// Where the migration to learner namespaces left JWT learners' statuses
/// (`legacy-jwt:<sub>`): a namespace no token produces.
const LEGACY_JWT_PREFIX: &str = "legacy-jwt:";

/// A learner's status of one skill and when it was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRecord {
    /// The skill.
    pub skill: SkillId,
    /// Where the learner stands.
    pub status: LearningStatus,
    /// When it was last set.
    pub updated_at: DateTime<Utc>,
}

/// How many learners have begun and finished one skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LearnerStats {
    /// Learners with any status but "not started".
    pub started: u64,
    /// Learners who marked it done.
    pub done: u64,
}

fn parse_status(row: &skill_status::Model) -> Result<LearningStatus, StoreError> {
    LearningStatus::parse(&row.status).map_err(|e| StoreError::Corrupt {
        table: "skill_statuses",
        id: format!("{}/{}", row.learner_id, row.skill_id),
        reason: e.to_string(),
    })
}

impl Store {
    /// Makes a learner with a new opaque token; answers the learner's id
    /// and the token, which is returned once and never stored.
    pub async fn create_learner(&self, label: &str) -> Result<(String, String), StoreError> {
        let mut id = [0u8; 12];
        getrandom::fill(&mut id).map_err(|e| StoreError::Corrupt {
            table: "learner_tokens",
            id: String::new(),
            reason: format!("no randomness for a learner id: {e}"),
        })?;
        let learner = format!("learner-{}", hex(&id));
        let token = fresh_token("learner")?;
        learner_token::ActiveModel {
            id: NotSet,
            token_hash: Set(token_hash(&token)),
            learner_id: Set(learner.clone()),
            label: Set(label.to_owned()),
            created_at: Set(Utc::now().fixed_offset()),
        }
        .insert(&self.db)
        .await?;
        Ok((learner, token))
    }

    /// The learner an opaque learner token stands for, if any.
    pub async fn learner_for_token(&self, token: &str) -> Result<Option<String>, StoreError> {
        let hash = token_hash(token);
        Ok(learner_token::Entity::find()
            .filter(learner_token::Column::TokenHash.eq(hash.as_str()))
            .one(&self.db)
            .await?
            .filter(|row| same_hash(&row.token_hash, &hash))
            .map(|row| row.learner_id))
    }

    /// Moves the statuses of JWT learners stored before learner ids had
    /// namespaces (`legacy-jwt:<sub>`, where the migration put them) to
    /// `<namespace><sub>`, the namespace of the identity provider the
    /// server is configured with, so their learners find them again.
    /// Answers how many statuses moved; once done there is nothing left to
    /// move, so calling it on every start is cheap and safe, also from two
    /// replicas at once. A status the learner has set since under the new
    /// id wins over the old one.
    pub async fn adopt_legacy_jwt_learners(&self, namespace: &str) -> Result<u64, StoreError> {
        let start = LEGACY_JWT_PREFIX.len() + 1;
        let legacy = format!(
            "substr(learner_id, 1, {}) = '{LEGACY_JWT_PREFIX}'",
            start - 1
        );
        let (backend, parameter) = match self.engine {
            Engine::Sqlite => (sea_orm::DatabaseBackend::Sqlite, "?"),
            Engine::Postgres => (sea_orm::DatabaseBackend::Postgres, "CAST($1 AS TEXT)"),
        };
        let adopt = Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO skill_statuses (learner_id, skill_id, status, updated_at) \
                 SELECT {parameter} || substr(learner_id, {start}), skill_id, status, updated_at \
                 FROM skill_statuses WHERE {legacy} \
                 ON CONFLICT (learner_id, skill_id) DO NOTHING"
            ),
            [namespace.into()],
        );
        let (_turn, txn) = self.begin_write(WriteScope::Learner).await?;
        txn.execute_raw(adopt).await?;
        let moved = txn
            .execute_unprepared(&format!("DELETE FROM skill_statuses WHERE {legacy}"))
            .await?
            .rows_affected();
        txn.commit().await?;
        if moved > 0 {
            tracing::info!(
                moved,
                namespace,
                "moved JWT learners' statuses into the issuer's namespace"
            );
        }
        Ok(moved)
    }

    /// Sets a learner's status of several skills in one transaction;
    /// "not started" removes the stored status.
    pub async fn set_statuses(
        &self,
        learner: &str,
        statuses: &[(SkillId, LearningStatus)],
    ) -> Result<(), StoreError> {
        let (_turn, txn) = self.begin_write(WriteScope::Learner).await?;
        let now = Utc::now().fixed_offset();
        let (cleared, set): (Vec<_>, Vec<_>) = statuses
            .iter()
            .partition(|(_, status)| *status == LearningStatus::NotStarted);
        if !cleared.is_empty() {
            skill_status::Entity::delete_many()
                .filter(skill_status::Column::LearnerId.eq(learner))
                .filter(
                    skill_status::Column::SkillId.is_in(cleared.iter().map(|(s, _)| s.0 as i32)),
                )
                .exec(&txn)
                .await?;
        }
        if !set.is_empty() {
            let rows = set.iter().map(|(skill, status)| skill_status::ActiveModel {
                learner_id: Set(learner.to_owned()),
                skill_id: Set(skill.0 as i32),
                status: Set(status.as_str().to_owned()),
                updated_at: Set(now),
            });
            skill_status::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([
                        skill_status::Column::LearnerId,
                        skill_status::Column::SkillId,
                    ])
                    .update_columns([
                        skill_status::Column::Status,
                        skill_status::Column::UpdatedAt,
                    ])
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Every status a learner has set, newest first.
    pub async fn all_statuses(&self, learner: &str) -> Result<Vec<StatusRecord>, StoreError> {
        let rows = skill_status::Entity::find()
            .filter(skill_status::Column::LearnerId.eq(learner))
            .order_by_desc(skill_status::Column::UpdatedAt)
            .order_by_asc(skill_status::Column::SkillId)
            .all(&self.db)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(StatusRecord {
                    skill: SkillId(row.skill_id.into()),
                    status: parse_status(row)?,
                    updated_at: row.updated_at.with_timezone(&Utc),
                })
            })
            .collect()
    }

    /// Removes everything stored about a learner: statuses and tokens.
    pub async fn delete_learner(&self, learner: &str) -> Result<(), StoreError> {
        let (_turn, txn) = self.begin_write(WriteScope::Learner).await?;
        skill_status::Entity::delete_many()
            .filter(skill_status::Column::LearnerId.eq(learner))
            .exec(&txn)
            .await?;
        learner_token::Entity::delete_many()
            .filter(learner_token::Column::LearnerId.eq(learner))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// How many learners have begun and finished each of these skills, in
    /// one statement: aggregates only, never who.
    pub async fn learner_stats(
        &self,
        skills: &[SkillId],
    ) -> Result<HashMap<SkillId, LearnerStats>, StoreError> {
        #[derive(FromQueryResult)]
        struct Counts {
            skill_id: i32,
            started: i64,
            done: i64,
        }
        let done = Expr::cust(format!(
            "SUM(CASE WHEN status = '{}' THEN 1 ELSE 0 END)",
            LearningStatus::Done.as_str()
        ));
        let rows = skill_status::Entity::find()
            .select_only()
            .column(skill_status::Column::SkillId)
            .column_as(skill_status::Column::LearnerId.count(), "started")
            .column_as(done, "done")
            .filter(skill_status::Column::SkillId.is_in(skills.iter().map(|s| s.0 as i32)))
            .group_by(skill_status::Column::SkillId)
            .into_model::<Counts>()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                (
                    SkillId(row.skill_id.into()),
                    LearnerStats {
                        started: row.started as u64,
                        done: row.done as u64,
                    },
                )
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ImportMode;
    use crate::scratch::ScratchDatabase;

    #[tokio::test]
    async fn statuses_are_per_learner_set_in_bulk_and_go_with_their_skill() {
        for scratch in ScratchDatabase::all_engines().await {
            let store = Store::open(scratch.url()).await.unwrap();
            let bundle = skillgraph_bundle::bundled().unwrap();
            let loaded = store
                .import_bundle(&bundle, "test", ImportMode::IntoEmpty, &|_, _| {})
                .await
                .unwrap()
                .unwrap();
            let id = |s: &str| loaded.catalog.skill_by_slug(s).unwrap().id;
            let (ada, token) = store.create_learner("ada").await.unwrap();
            assert_eq!(
                store.learner_for_token(&token).await.unwrap(),
                Some(ada.clone())
            );
            assert_eq!(
                store.learner_for_token("sg_learner_nope").await.unwrap(),
                None
            );
            let (bob, _) = store.create_learner("bob").await.unwrap();

            store
                .set_statuses(
                    &ada,
                    &[
                        (id("git"), LearningStatus::Done),
                        (id("docker"), LearningStatus::Learning),
                    ],
                )
                .await
                .unwrap();
            store
                .set_statuses(&bob, &[(id("git"), LearningStatus::Learning)])
                .await
                .unwrap();
            // Setting again overwrites; "not started" clears.
            store
                .set_statuses(
                    &ada,
                    &[
                        (id("docker"), LearningStatus::Done),
                        (id("sql"), LearningStatus::NotStarted),
                    ],
                )
                .await
                .unwrap();
            let mine: HashMap<SkillId, LearningStatus> = store
                .all_statuses(&ada)
                .await
                .unwrap()
                .into_iter()
                .filter(|r| r.status != LearningStatus::NotStarted)
                .map(|r| (r.skill, r.status))
                .collect();
            assert_eq!(mine.len(), 2);
            assert_eq!(mine[&id("docker")], LearningStatus::Done);
            assert_eq!(store.all_statuses(&bob).await.unwrap().len(), 1);

            let stats = store.learner_stats(&[id("git"), id("sql")]).await.unwrap();
            assert_eq!(
                stats[&id("git")],
                LearnerStats {
                    started: 2,
                    done: 1
                }
            );
            assert!(!stats.contains_key(&id("sql")));

            store.delete_learner(&ada).await.unwrap();
            assert!(store.all_statuses(&ada).await.unwrap().is_empty());
            assert_eq!(store.learner_for_token(&token).await.unwrap(), None);
            assert_eq!(
                store.all_statuses(&bob).await.unwrap().len(),
                1,
                "bob keeps his"
            );
            store.close().await.unwrap();
        }
    }

    /// Statuses stored before learner ids had namespaces: a JWT learner's
    /// under the bare `sub`, an issued learner's under `learner-<hex>`.
    /// After the migration and the adoption, each is where its learner
    /// looks, and a JWT `sub` equal to an issued id names nobody's data.
    #[tokio::test]
    async fn statuses_from_before_namespaces_stay_reachable() {
        use sea_orm::Database;
        use skillgraph_migrations::{Migrator, MigratorTrait};

        const NAMESPACE: &str = "jwt:https%3A//id.example.org:";
        for scratch in ScratchDatabase::all_engines().await {
            let store = Store::open(scratch.url()).await.unwrap();
            let bundle = skillgraph_bundle::bundled().unwrap();
            let loaded = store
                .import_bundle(&bundle, "test", ImportMode::IntoEmpty, &|_, _| {})
                .await
                .unwrap()
                .unwrap();
            let id = |s: &str| loaded.catalog.skill_by_slug(s).unwrap().id;
            let (issued, _) = store.create_learner("issued").await.unwrap();
            store.close().await.unwrap();

            // Back to the schema before namespaces, with data as it stored it.
            let db = Database::connect(scratch.url()).await.unwrap();
            let steps = crate::scratch::steps_back_through("m20261213_000004_learner_namespaces");
            Migrator::down(&db, Some(steps)).await.unwrap();
            for (learner, skill, status) in [
                (issued.as_str(), "git", LearningStatus::Done),
                ("ada", "git", LearningStatus::Done),
                ("ada", "docker", LearningStatus::Learning),
            ] {
                skill_status::ActiveModel {
                    learner_id: Set(learner.to_owned()),
                    skill_id: Set(id(skill).0 as i32),
                    status: Set(status.as_str().to_owned()),
                    updated_at: Set(Utc::now().fixed_offset()),
                }
                .insert(&db)
                .await
                .unwrap();
            }
            db.close().await.unwrap();

            let store = Store::open(scratch.url()).await.unwrap();
            let of = async |learner: &str| -> Vec<(SkillId, LearningStatus)> {
                let mut found: Vec<_> = store
                    .all_statuses(learner)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|r| (r.skill, r.status))
                    .collect();
                found.sort_by_key(|(skill, _)| skill.0);
                found
            };
            assert_eq!(of(&issued).await, [(id("git"), LearningStatus::Done)]);
            assert!(of("ada").await.is_empty(), "a bare `sub` names nobody");
            assert_eq!(of("legacy-jwt:ada").await.len(), 2);

            // Set since under the new id: it wins over the old one.
            let ada = format!("{NAMESPACE}ada");
            store
                .set_statuses(&ada, &[(id("docker"), LearningStatus::Done)])
                .await
                .unwrap();
            assert_eq!(store.adopt_legacy_jwt_learners(NAMESPACE).await.unwrap(), 2);
            let mut expected = vec![
                (id("git"), LearningStatus::Done),
                (id("docker"), LearningStatus::Done),
            ];
            expected.sort_by_key(|(skill, _)| skill.0);
            assert_eq!(of(&ada).await, expected);
            assert!(of("legacy-jwt:ada").await.is_empty());
            assert_eq!(of(&issued).await, [(id("git"), LearningStatus::Done)]);
            assert_eq!(store.adopt_legacy_jwt_learners(NAMESPACE).await.unwrap(), 0);
            store.close().await.unwrap();
        }
    }
}
