//! The learner's side of the schema: `viewer`, status per skill, progress
//! per roadmap, what to learn next, and checklists. Everything here depends
//! on the caller; anonymous callers get `null`.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use skillgraph_checklist::Format;
use skillgraph_domain::learning::Progress;
use skillgraph_domain::{Catalog, LearningStatus, RoadmapId, SkillId, Slug};
use skillgraph_store::StatusRecord;

use super::caller::Caller;
use super::connection::{Page, PageArgs};
use super::error::ApiError;
use super::scalars::DateTime;
use super::snapshot;
use super::types::{Roadmap, Skill};

/// Where a learner stands with a skill: one fact per skill, the same on
/// every roadmap that holds it.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkillStatus {
    /// Not begun.
    NotStarted,
    /// Being learnt.
    Learning,
    /// Learnt.
    Done,
    /// Deliberately passed over.
    Skipped,
}

impl From<LearningStatus> for SkillStatus {
    fn from(value: LearningStatus) -> Self {
        match value {
            LearningStatus::NotStarted => Self::NotStarted,
            LearningStatus::Learning => Self::Learning,
            LearningStatus::Done => Self::Done,
            LearningStatus::Skipped => Self::Skipped,
        }
    }
}

impl From<SkillStatus> for LearningStatus {
    fn from(value: SkillStatus) -> Self {
        match value {
            SkillStatus::NotStarted => Self::NotStarted,
            SkillStatus::Learning => Self::Learning,
            SkillStatus::Done => Self::Done,
            SkillStatus::Skipped => Self::Skipped,
        }
    }
}

/// The form of a roadmap checklist.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChecklistFormat {
    /// A markdown task list, a heading per section.
    #[default]
    Markdown,
    /// Comma-separated values with a header row, a row per item.
    Csv,
}

impl From<ChecklistFormat> for Format {
    fn from(value: ChecklistFormat) -> Self {
        match value {
            ChecklistFormat::Markdown => Format::Markdown,
            ChecklistFormat::Csv => Format::Csv,
        }
    }
}

/// How far a learner has come on a roadmap; each skill counts once.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct RoadmapProgress {
    /// Skills marked done.
    pub done: usize,
    /// Skills being learnt.
    pub learning: usize,
    /// Skills passed over.
    pub skipped: usize,
    /// Skills on the roadmap.
    pub total: usize,
    /// The share finished (done or skipped), from 0 to 100 with one decimal.
    pub percent: f64,
}

impl From<Progress> for RoadmapProgress {
    fn from(p: Progress) -> Self {
        Self {
            done: p.done,
            learning: p.learning,
            skipped: p.skipped,
            total: p.total,
            percent: p.percent(),
        }
    }
}

/// A lookup of statuses, "not started" for skills without one.
pub(crate) fn lookup(
    statuses: &HashMap<SkillId, LearningStatus>,
) -> impl Fn(SkillId) -> LearningStatus + '_ {
    |skill| {
        statuses
            .get(&skill)
            .copied()
            .unwrap_or(LearningStatus::NotStarted)
    }
}

/// The statuses of all the learner's skills as a map.
fn by_skill(records: &[StatusRecord]) -> HashMap<SkillId, LearningStatus> {
    records.iter().map(|r| (r.skill, r.status)).collect()
}

/// The caller's status of one skill: `null` for a caller who is not a learner.
pub async fn viewer_status(ctx: &Context<'_>, skill: SkillId) -> Result<Option<SkillStatus>> {
    let Some(caller) = Caller::of(ctx) else {
        return Ok(None);
    };
    Ok(caller.status(skill).await?.map(Into::into))
}

/// The caller's progress on a roadmap: `null` for a caller who is not a learner.
pub async fn viewer_progress(
    ctx: &Context<'_>,
    catalog: &Catalog,
    roadmap: RoadmapId,
) -> Result<Option<RoadmapProgress>> {
    let Some(caller) = Caller::of(ctx) else {
        return Ok(None);
    };
    let skills = catalog.roadmap_skills(roadmap);
    let Some(statuses) = caller.statuses(&skills).await? else {
        return Ok(None);
    };
    Ok(Some(catalog.progress(roadmap, lookup(&statuses)).into()))
}

/// A roadmap as a checklist, ticked with the caller's statuses when the
/// caller is a learner.
pub async fn checklist(
    ctx: &Context<'_>,
    catalog: &Catalog,
    roadmap: &skillgraph_domain::Roadmap,
    format: ChecklistFormat,
) -> Result<String> {
    let statuses = match Caller::of(ctx) {
        Some(caller) => caller.statuses(&catalog.roadmap_skills(roadmap.id)).await?,
        None => None,
    };
    let text = skillgraph_checklist::render(catalog, roadmap, format.into(), |skill| {
        statuses
            .as_ref()
            .map(|s| s.get(&skill).copied().unwrap_or(LearningStatus::NotStarted))
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(text)
}

/// The skills the caller marked done, for questions that take known skills.
pub async fn done_skills(ctx: &Context<'_>) -> Result<Option<Vec<SkillId>>, ApiError> {
    let Some(caller) = Caller::of(ctx) else {
        return Ok(None);
    };
    Ok(caller.all_statuses().await?.map(|records| {
        records
            .iter()
            .filter(|r| r.status == LearningStatus::Done)
            .map(|r| r.skill)
            .collect()
    }))
}

/// The learner behind the request.
pub struct Viewer {
    id: String,
}

/// One skill's status as the learner set it.
pub struct SkillStatusEntry<'a> {
    catalog: &'a Catalog,
    record: StatusRecord,
}

/// One skill's status as the learner set it.
#[Object]
impl<'a> SkillStatusEntry<'a> {
    /// The skill.
    async fn skill(&self) -> Option<Skill<'a>> {
        Some(Skill::new(
            self.catalog,
            self.catalog.skill(self.record.skill)?,
        ))
    }

    /// Where the learner stands with it.
    async fn status(&self) -> SkillStatus {
        self.record.status.into()
    }

    /// When the status was last set.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.record.updated_at)
    }
}

/// A roadmap the learner has begun, with their progress on it.
pub struct ViewerRoadmap<'a> {
    roadmap: Roadmap<'a>,
    progress: RoadmapProgress,
}

/// A roadmap the learner has begun, with their progress on it.
#[Object]
impl<'a> ViewerRoadmap<'a> {
    /// The roadmap.
    async fn roadmap(&self) -> &Roadmap<'a> {
        &self.roadmap
    }

    /// The learner's progress on it.
    async fn progress(&self) -> RoadmapProgress {
        self.progress
    }
}

/// The learner behind the request: their statuses, the roadmaps they have
/// begun and what to learn next. Only the learner sees this.
#[Object]
impl Viewer {
    /// The learner's id: `jwt:<issuer>:<sub>` for a learner who signs in
    /// with a JWT (the issuer with `%` and `:` written `%25` and `%3A`, e.g.
    /// `jwt:https%3A//id.example.org:ada`), or the `learner-…` id skillgraph
    /// gave a learner with an opaque token. The two never coincide.
    async fn id(&self) -> ID {
        ID(self.id.clone())
    }

    /// The skills the learner has set a status for, most recently changed first.
    async fn skill_statuses<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "Return at most this many from the start (at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Start after this cursor.")] after: Option<String>,
        #[graphql(desc = "Keep only skills with this status.")] status: Option<SkillStatus>,
    ) -> Result<Page<SkillStatusEntry<'ctx>>> {
        let catalog = &snapshot(ctx).catalog;
        let records = Caller::of(ctx)
            .ok_or(ApiError::Unauthenticated)?
            .all_statuses()
            .await?
            .unwrap_or_default();
        let all = records
            .iter()
            .filter(|r| status.is_none_or(|s| SkillStatus::from(r.status) == s))
            .filter(|r| catalog.skill(r.skill).is_some())
            .map(|&record| SkillStatusEntry { catalog, record })
            .collect();
        Ok(PageArgs {
            first,
            after,
            ..PageArgs::default()
        }
        .paginate(all)?)
    }

    /// The roadmaps the learner has begun (any skill on them learning, done
    /// or skipped), with their progress, in catalog order.
    async fn roadmaps<'ctx>(&self, ctx: &Context<'ctx>) -> Result<Vec<ViewerRoadmap<'ctx>>> {
        let catalog = &snapshot(ctx).catalog;
        let records = Caller::of(ctx)
            .ok_or(ApiError::Unauthenticated)?
            .all_statuses()
            .await?
            .unwrap_or_default();
        let statuses = by_skill(&records);
        Ok(catalog
            .roadmaps()
            .filter_map(|roadmap| {
                let progress = catalog.progress(roadmap.id, lookup(&statuses));
                progress.started().then(|| ViewerRoadmap {
                    roadmap: Roadmap::new(catalog, roadmap),
                    progress: progress.into(),
                })
            })
            .collect())
    }

    /// What to learn next on a roadmap: its skills not yet done (nor
    /// skipped) whose required prerequisites are all done, in roadmap order.
    async fn next_skills<'ctx>(
        &self,
        ctx: &Context<'ctx>,
        #[graphql(desc = "Slug of the roadmap.")] roadmap: String,
        #[graphql(desc = "At most this many skills (at most 100).", default = 10)] first: i32,
    ) -> Result<Vec<Skill<'ctx>>> {
        let catalog = &snapshot(ctx).catalog;
        let slug =
            Slug::parse(&roadmap).map_err(|e| ApiError::bad_input(format!("`roadmap`: {e}")))?;
        let roadmap = catalog
            .roadmap_by_slug(slug.as_str())
            .ok_or_else(|| ApiError::NotFound(format!("there is no roadmap `{slug}`")))?;
        if !(0..=100).contains(&first) {
            return Err(ApiError::bad_input(format!(
                "`first` must be between 0 and 100; got {first}"
            ))
            .into());
        }
        let records = Caller::of(ctx)
            .ok_or(ApiError::Unauthenticated)?
            .all_statuses()
            .await?
            .unwrap_or_default();
        let statuses = by_skill(&records);
        let next = catalog.next_skills(roadmap.id, lookup(&statuses), first as usize);
        Ok(Skill::many(catalog, &next))
    }
}

/// The root field that answers who the caller is.
#[derive(Default)]
pub struct ViewerQuery;

/// The root field that answers who the caller is.
#[Object]
impl ViewerQuery {
    /// The learner behind the request's bearer token (an opaque learner
    /// token or a JWT of the configured identity provider); `null` for
    /// anonymous callers and for editors' and admins' tokens. A refused
    /// token is UNAUTHENTICATED, saying why.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Option<Viewer>> {
        let Some(caller) = Caller::of(ctx) else {
            return Ok(None);
        };
        Ok(caller
            .learner()
            .await?
            .map(|id| Viewer { id: id.to_owned() }))
    }
}
