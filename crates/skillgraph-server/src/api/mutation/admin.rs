//! Admin writes: importing a whole bundle through the API.

use std::sync::Arc;

use async_graphql::{Context, InputObject, Object, Result, Value};
use skillgraph_domain::{CatalogError, Slug};
use skillgraph_store::{ImportMode, Role, StoreError};

use super::authorize;
use crate::api::error::ApiError;
use crate::api::{CatalogSnapshot, Snapshot};

/// A bundle to import.
#[derive(InputObject)]
pub struct ImportBundleInput {
    /// The bundle, as the YAML text of the `skillgraph-bundle/1` format that
    /// `skillgraph export` writes.
    pub bundle: String,
    /// Import into a catalog that holds data: the bundle's skills, roadmaps,
    /// authors and guides replace those with the same slug (keeping their
    /// ids), the rest is added. Without it, only an empty catalog is imported into.
    #[graphql(default = false)]
    pub merge: bool,
}

/// The answer of an import: what it brought and the catalog it made.
pub struct ImportBundlePayload {
    snapshot: Snapshot,
    skills: usize,
    roadmaps: usize,
    guides: usize,
}

/// The answer of an import: what it brought and the catalog it made.
#[Object]
impl ImportBundlePayload {
    /// The catalog version the import produced.
    async fn catalog_version(&self) -> i64 {
        self.snapshot.version
    }

    /// How many skills the bundle held.
    async fn imported_skills(&self) -> usize {
        self.skills
    }

    /// How many roadmaps the bundle held.
    async fn imported_roadmaps(&self) -> usize {
        self.roadmaps
    }

    /// How many guides the bundle held.
    async fn imported_guides(&self) -> usize {
        self.guides
    }

    /// How many skills the catalog holds after the import.
    async fn total_skills(&self) -> usize {
        self.snapshot.catalog.skills().len()
    }
}

/// Maps a refused import to the error a client sees.
fn import_error(error: StoreError) -> ApiError {
    let slugs = |list: &[Slug]| Value::List(list.iter().map(|s| Value::from(s.as_str())).collect());
    match error {
        StoreError::BadImport(refusal) => {
            let message = format!("the bundle was not imported: {refusal}");
            match refusal {
                CatalogError::PrerequisiteCycle(cycle) | CatalogError::ParentCycle(cycle) => {
                    ApiError::Conflict {
                        message,
                        details: vec![("cycle", slugs(&cycle))],
                    }
                }
                _ => ApiError::BadField {
                    field: "input.bundle".into(),
                    message,
                },
            }
        }
        other => ApiError::store(other),
    }
}

/// Writes only admins may make.
#[derive(Default)]
pub struct AdminMutations;

/// Writes only admins may make.
#[Object]
impl AdminMutations {
    /// Imports a bundle in one transaction: all of it or nothing. Needs an
    /// admin token. A bundle that cannot be read is BAD_USER_INPUT naming
    /// the line; one that would close a cycle is CONFLICT with
    /// `extensions.cycle`; a catalog that holds data without `merge` is CONFLICT.
    async fn import_bundle(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to import.")] input: ImportBundleInput,
    ) -> Result<ImportBundlePayload> {
        let (writes, actor) = authorize(ctx, Role::Admin).await?;
        let bundle = skillgraph_bundle::parse("input.bundle", &input.bundle).map_err(|e| {
            ApiError::BadField {
                field: "input.bundle".into(),
                message: e.to_string(),
            }
        })?;
        let mode = if input.merge {
            ImportMode::Merge
        } else {
            ImportMode::IntoEmpty
        };
        let loaded = writes
            .store
            .import_bundle(&bundle, &actor.label, mode, &|_, _| {})
            .await
            .map_err(import_error)?
            .ok_or_else(|| ApiError::Conflict {
                message: "the catalog already holds data; pass `merge: true` to put the bundle's things in place of those with the same slug and add the rest".into(),
                details: Vec::new(),
            })?;
        let snapshot = Arc::new(
            CatalogSnapshot::build(loaded)
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))?,
        );
        writes.current.offer(Arc::clone(&snapshot));
        Ok(ImportBundlePayload {
            snapshot,
            skills: bundle.skills.len(),
            roadmaps: bundle.roadmaps.len(),
            guides: bundle.guides.len(),
        })
    }
}
