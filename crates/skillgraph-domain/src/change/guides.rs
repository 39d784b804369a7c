//! Changes to guides and authors, and their checks.

use chrono::NaiveDate;

use super::{Change, ChangeError, at_most, no_repeats};
use crate::catalog::Catalog;
use crate::model::{AuthorId, Guide, GuideId, SkillId};
use crate::values::{HttpsUrl, MAX_LINKS, MAX_TAGS, Markdown, Slug, Tag, Title};

/// The fields of a new guide.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GuideDraft {
    /// Its slug, which must be free.
    pub slug: Slug,
    /// Display title.
    pub title: Title,
    /// What it is about, one paragraph.
    pub description: Markdown,
    /// Where it is published.
    pub url: HttpsUrl,
    /// Who wrote it.
    pub author: Option<AuthorId>,
    /// When it was published.
    pub published: Option<NaiveDate>,
    /// Topics.
    pub tags: Vec<Tag>,
    /// Its text, when we hold it.
    pub body: Option<Markdown>,
    /// Guides to read next, in order.
    pub related: Vec<GuideId>,
    /// Skills it covers, in order.
    pub skills: Vec<SkillId>,
}

/// New values for some fields of a guide; `None` leaves a field as it is,
/// `Some(None)` clears an optional one.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct GuidePatch {
    /// A new slug, which must be free.
    pub slug: Option<Slug>,
    /// A new title.
    pub title: Option<Title>,
    /// A new description.
    pub description: Option<Markdown>,
    /// A new URL.
    pub url: Option<HttpsUrl>,
    /// A new author, or none.
    pub author: Option<Option<AuthorId>>,
    /// A new publication date, or none.
    pub published: Option<Option<NaiveDate>>,
    /// New tags, replacing the old ones.
    pub tags: Option<Vec<Tag>>,
    /// A new text, or none.
    pub body: Option<Option<Markdown>>,
    /// New related guides, replacing the old ones.
    pub related: Option<Vec<GuideId>>,
    /// New covered skills, replacing the old ones.
    pub skills: Option<Vec<SkillId>>,
}

/// The fields of a new author.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuthorDraft {
    /// Their handle, which must be free.
    pub handle: Slug,
    /// Display name.
    pub name: Title,
    /// Their pages elsewhere.
    pub links: Vec<HttpsUrl>,
}

/// New values for some fields of an author; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct AuthorPatch {
    /// A new handle, which must be free.
    pub handle: Option<Slug>,
    /// A new name.
    pub name: Option<Title>,
    /// New links, replacing the old ones.
    pub links: Option<Vec<HttpsUrl>>,
}

impl Catalog {
    fn existing_guide(&self, id: GuideId) -> Result<&Guide, ChangeError> {
        self.guide(id).ok_or(ChangeError::NotFound {
            kind: "guide",
            id: id.0,
        })
    }

    fn existing_author(&self, id: AuthorId) -> Result<(), ChangeError> {
        self.author(id).map(|_| ()).ok_or(ChangeError::NotFound {
            kind: "author",
            id: id.0,
        })
    }

    fn free_guide_slug(&self, slug: &Slug, own: Option<GuideId>) -> Result<(), ChangeError> {
        match self.guide_by_slug(slug.as_str()) {
            Some(other) if Some(other.id) != own => Err(ChangeError::SlugTaken {
                kind: "guide",
                slug: slug.clone(),
            }),
            _ => Ok(()),
        }
    }

    fn free_handle(&self, handle: &Slug, own: Option<AuthorId>) -> Result<(), ChangeError> {
        match self.author_by_handle(handle.as_str()) {
            Some(other) if Some(other.id) != own => Err(ChangeError::SlugTaken {
                kind: "author",
                slug: handle.clone(),
            }),
            _ => Ok(()),
        }
    }

    fn guide_links(
        &self,
        own: Option<&Guide>,
        author: Option<AuthorId>,
        related: Option<&[GuideId]>,
        skills: Option<&[SkillId]>,
    ) -> Result<(), ChangeError> {
        if let Some(author) = author {
            self.existing_author(author)?;
        }
        if let Some(related) = related {
            for &id in related {
                let other = self.existing_guide(id)?;
                if own.is_some_and(|own| own.id == id) {
                    return Err(ChangeError::SelfRelated {
                        kind: "guide",
                        slug: other.slug.clone(),
                    });
                }
            }
            no_repeats("related", related, |id| {
                self.guide(id).map(|g| g.slug.clone())
            })?;
        }
        if let Some(skills) = skills {
            for &id in skills {
                self.existing_skill(id)?;
            }
            no_repeats("skills", skills, |id| {
                self.skill(id).map(|s| s.slug.clone())
            })?;
        }
        Ok(())
    }

    /// The checks of changes to guides and authors.
    pub(super) fn check_guide_change(&self, change: &Change) -> Result<(), ChangeError> {
        match change {
            Change::CreateGuide(draft) => {
                at_most("tags", Some(&draft.tags), MAX_TAGS)?;
                self.free_guide_slug(&draft.slug, None)?;
                self.guide_links(
                    None,
                    draft.author,
                    Some(&draft.related),
                    Some(&draft.skills),
                )
            }
            Change::UpdateGuide { guide, patch } => {
                let current = self.existing_guide(*guide)?;
                at_most("tags", patch.tags.as_deref(), MAX_TAGS)?;
                if let Some(slug) = &patch.slug {
                    self.free_guide_slug(slug, Some(*guide))?;
                }
                self.guide_links(
                    Some(current),
                    patch.author.flatten(),
                    patch.related.as_deref(),
                    patch.skills.as_deref(),
                )
            }
            Change::DeleteGuide { guide } => self.existing_guide(*guide).map(|_| ()),
            Change::CreateAuthor(draft) => {
                at_most("links", Some(&draft.links), MAX_LINKS)?;
                self.free_handle(&draft.handle, None)
            }
            Change::UpdateAuthor { author, patch } => {
                self.existing_author(*author)?;
                at_most("links", patch.links.as_deref(), MAX_LINKS)?;
                match &patch.handle {
                    Some(handle) => self.free_handle(handle, Some(*author)),
                    None => Ok(()),
                }
            }
            Change::DeleteAuthor { author } => self.existing_author(*author),
            _ => unreachable!("only guide and author changes are checked here"),
        }
    }
}
