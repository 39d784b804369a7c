//! Learner ids in namespaces: statuses of learners who signed in with a
//! JWT were kept under the bare `sub`, in the same namespace as the ids
//! skillgraph issues with opaque learner tokens, so a JWT whose `sub` was
//! an issued id read that learner's data.
//!
//! JWT learners are now `jwt:<issuer>:<sub>` (see `skillgraph-identity`).
//! The issuer is the server's setting, unknown here, so this migration
//! moves every status whose learner holds no issued token to
//! `legacy-jwt:<sub>`, a namespace neither kind of learner can produce;
//! the server adopts those rows into its issuer's namespace when it starts
//! with an identity provider (`Store::adopt_legacy_jwt_learners`). Statuses
//! of learners with an issued token stay where they are: of a JWT `sub`
//! and an issued id that collided, the issued learner keeps the rows.

use sea_orm_migration::prelude::*;

/// Moves JWT learners' statuses out of the issued learners' namespace.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE skill_statuses SET learner_id = 'legacy-jwt:' || learner_id \
                 WHERE learner_id NOT IN (SELECT learner_id FROM learner_tokens)",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Rows already adopted into an issuer's namespace stay there.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE skill_statuses SET learner_id = substr(learner_id, 12) \
                 WHERE substr(learner_id, 1, 11) = 'legacy-jwt:'",
            )
            .await
            .map(|_| ())
    }
}
