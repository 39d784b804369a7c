//! Validated building blocks. Each type can only be made through `parse`, so
//! a value that exists is a value that is valid ("parse, don't validate").

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a piece of outside input was refused; the message names the rule broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// A slug is empty, too long or uses characters outside `a-z`, `0-9` and single hyphens.
    #[error(
        "`{0}` is not a valid slug: use 1 to {max} lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
        max = Slug::MAX_LEN
    )]
    Slug(String),
    /// A URL could not be parsed.
    #[error("`{input}` is not a valid URL: {reason}")]
    Url {
        /// The text that was given.
        input: String,
        /// What the URL parser said.
        reason: String,
    },
    /// A URL parsed, but does not use https.
    #[error("`{0}` must be an https URL")]
    NotHttps(String),
    /// A URL carries a user name or password (`https://user:pass@host/`).
    /// The URL is not repeated: it would repeat the secret.
    #[error("a URL must not carry a user name or password before its host")]
    UrlCredentials,
    /// A text field is empty after trimming.
    #[error("{field} must not be empty")]
    Empty {
        /// Which kind of text it was.
        field: &'static str,
    },
    /// A text field is longer than its limit.
    #[error("{field} is {len} characters long; the limit is {max}")]
    TooLong {
        /// Which kind of text it was.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The limit in characters.
        max: usize,
    },
    /// A list holds more entries than its limit.
    #[error("{field} holds {len} entries; the limit is {max}")]
    TooMany {
        /// Which list it was, e.g. "tags".
        field: &'static str,
        /// How many entries it holds.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A one-line text field holds a line break.
    #[error("{field} must be a single line")]
    Multiline {
        /// Which kind of text it was.
        field: &'static str,
    },
    /// An enum value outside its set.
    #[error("`{value}` is not a valid {kind}; expected one of: {expected}")]
    UnknownVariant {
        /// The enum's name, e.g. "skill level".
        kind: &'static str,
        /// The text that was given.
        value: String,
        /// The accepted spellings, comma separated.
        expected: &'static str,
    },
}

/// A stable, url-safe identifier: lowercase ASCII letters and digits in
/// groups joined by single hyphens, 1 to 64 characters (`event-driven`, `go`).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    /// The longest slug accepted, in characters.
    pub const MAX_LEN: usize = 64;

    /// Parses a slug, refusing anything but `[a-z0-9]+(-[a-z0-9]+)*` of at most [`Self::MAX_LEN`].
    pub fn parse(input: impl Into<String>) -> Result<Self, ValueError> {
        let input = input.into();
        let well_formed = !input.is_empty()
            && input.len() <= Self::MAX_LEN
            && input.split('-').all(|group| {
                !group.is_empty()
                    && group
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if well_formed {
            Ok(Self(input))
        } else {
            Err(ValueError::Slug(input))
        }
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<Slug> for String {
    fn from(value: Slug) -> Self {
        value.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Slug({})", self.0)
    }
}

impl std::borrow::Borrow<str> for Slug {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// An absolute https URL of at most [`HttpsUrl::MAX_LEN`] characters and
/// without credentials: every link we publish is one a browser opens safely.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HttpsUrl(url::Url);

impl HttpsUrl {
    /// The longest URL accepted, in characters, as given and as normalized:
    /// what browsers and servers commonly handle (2,048), far above any
    /// real link (the bundled dataset's longest is 112).
    pub const MAX_LEN: usize = 2_048;

    /// Parses an absolute URL and refuses any scheme but https, URLs longer
    /// than [`Self::MAX_LEN`] and URLs with a user name or password.
    pub fn parse(input: impl AsRef<str>) -> Result<Self, ValueError> {
        let field = "a URL";
        let input = input.as_ref().trim();
        // Measured before parsing, so an oversized input costs no parse
        // and is never repeated in an error.
        let len = input.chars().count();
        if len > Self::MAX_LEN {
            return Err(ValueError::TooLong {
                field,
                len,
                max: Self::MAX_LEN,
            });
        }
        let url = url::Url::parse(input).map_err(|e| ValueError::Url {
            input: input.to_owned(),
            reason: e.to_string(),
        })?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ValueError::UrlCredentials);
        }
        if url.scheme() != "https" || url.host_str().is_none() {
            return Err(ValueError::NotHttps(input.to_owned()));
        }
        // Percent-encoding can lengthen what was given.
        let len = url.as_str().len();
        if len > Self::MAX_LEN {
            return Err(ValueError::TooLong {
                field,
                len,
                max: Self::MAX_LEN,
            });
        }
        Ok(Self(url))
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl TryFrom<String> for HttpsUrl {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<HttpsUrl> for String {
    fn from(value: HttpsUrl) -> Self {
        value.0.into()
    }
}

impl fmt::Display for HttpsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for HttpsUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HttpsUrl({})", self.as_str())
    }
}

/// Checks trimmed text against a length limit and, for one-line fields, line breaks.
fn checked_text(
    input: &str,
    field: &'static str,
    max: usize,
    single_line: bool,
    allow_empty: bool,
) -> Result<String, ValueError> {
    let text = input.trim();
    if text.is_empty() && !allow_empty {
        return Err(ValueError::Empty { field });
    }
    if single_line && text.contains(['\n', '\r']) {
        return Err(ValueError::Multiline { field });
    }
    let len = text.chars().count();
    if len > max {
        return Err(ValueError::TooLong { field, len, max });
    }
    Ok(text.to_owned())
}

/// Declares a trimmed text newtype with a length limit.
macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:expr, single_line: $single:expr, allow_empty: $empty:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The longest text accepted, in characters.
            pub const MAX_LEN: usize = $max;

            /// Trims the text and checks it against this field's rules.
            pub fn parse(input: impl AsRef<str>) -> Result<Self, ValueError> {
                checked_text(input.as_ref(), $field, $max, $single, $empty).map(Self)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    };
}

text_type!(
    /// A display name or title: one line, 1 to 200 characters.
    Title, "a name or title", 200, single_line: true, allow_empty: false
);
text_type!(
    /// A one-line summary shown in lists: 1 to 280 characters.
    Summary, "a summary", 280, single_line: true, allow_empty: false
);
text_type!(
    /// Longer markdown text (descriptions, guide bodies): up to 100,000 characters, may be empty.
    Markdown, "a markdown text", 100_000, single_line: false, allow_empty: true
);
text_type!(
    /// A free-text search alias of a skill ("js", "postgres"): one line, 1 to 100 characters.
    Alias, "an alias", 100, single_line: true, allow_empty: false
);

impl Default for Markdown {
    /// Empty text: descriptions may be left out.
    fn default() -> Self {
        Self(String::new())
    }
}

/// A tag is a slug; tags group skills and guides across roadmaps.
pub type Tag = Slug;

/// The most tags one skill or guide may carry: plenty for grouping (the
/// bundled dataset uses at most 4), few enough that no list is a burden
/// to store, index and answer.
pub const MAX_TAGS: usize = 32;

/// The most aliases one skill may carry (the bundled dataset uses at most 5).
pub const MAX_ALIASES: usize = 32;

/// The most identifiers in other taxonomies one skill may carry.
pub const MAX_EXTERNAL_IDS: usize = 16;

/// The most links one author may list.
pub const MAX_LINKS: usize = 16;

/// Checks how many entries a list holds against its limit; `field` names
/// the list in the error ("tags", "aliases").
pub fn check_count(field: &'static str, len: usize, max: usize) -> Result<(), ValueError> {
    if len > max {
        Err(ValueError::TooMany { field, len, max })
    } else {
        Ok(())
    }
}

/// An identifier of a skill in another taxonomy, e.g. an ESCO URI or a Wikidata item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalId {
    /// The taxonomy, as a slug: `esco`, `wikidata`, `onet`.
    pub scheme: Slug,
    /// The identifier within that taxonomy.
    pub value: Alias,
}

/// Declares a closed enum with its lowercase kebab-case spelling in files.
macro_rules! spelled_enum {
    ($(#[$doc:meta])* $name:ident, $kind:literal, { $($(#[$vdoc:meta])* $variant:ident => $spelling:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The spelling used in files and in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $spelling),+ }
            }

            /// Parses the file and database spelling.
            pub fn parse(input: &str) -> Result<Self, ValueError> {
                match input {
                    $($spelling => Ok($name::$variant),)+
                    other => Err(ValueError::UnknownVariant {
                        kind: $kind,
                        value: other.to_owned(),
                        expected: concat!($($spelling, " "),+),
                    }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for &'static str {
            fn from(value: $name) -> Self {
                value.as_str()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

spelled_enum!(
    /// How far along a learner must be for a skill to make sense.
    Level, "skill level", {
        /// No prior experience in the area needed.
        Beginner => "beginner",
        /// Builds on working knowledge of the area.
        Intermediate => "intermediate",
        /// For experienced practitioners.
        Advanced => "advanced",
    }
);

spelled_enum!(
    /// How strongly a prerequisite is needed.
    Strength, "prerequisite strength", {
        /// The skill cannot be learnt well without it.
        Required => "required",
        /// Helpful first, but not strictly needed.
        Recommended => "recommended",
    }
);

spelled_enum!(
    /// Where a learner stands with one skill: one fact per learner and
    /// skill, the same on every roadmap that holds the skill.
    LearningStatus, "learning status", {
        /// Not begun (the default; not stored).
        NotStarted => "not-started",
        /// Being learnt.
        Learning => "learning",
        /// Learnt.
        Done => "done",
        /// Deliberately passed over.
        Skipped => "skipped",
    }
);

spelled_enum!(
    /// How a roadmap suggests an item.
    Recommendation, "recommendation", {
        /// The roadmap's suggested choice.
        Recommended => "recommended",
        /// An alternative to the recommended choice.
        Alternative => "alternative",
        /// Worth knowing, but may be skipped.
        Optional => "optional",
        /// May be learnt in any order relative to its siblings.
        OrderNotStrict => "order-not-strict",
    }
);

spelled_enum!(
    /// What kind of learning material a resource is.
    ResourceKind, "resource kind", {
        /// Documentation by the makers of the technology.
        Official => "official",
        /// A source code repository.
        OpenSource => "open-source",
        /// A written article or tutorial.
        Article => "article",
        /// A video.
        Video => "video",
        /// A structured course.
        Course => "course",
        /// A book.
        Book => "book",
        /// A podcast or episode.
        Podcast => "podcast",
        /// A news feed, newsletter or community.
        Feed => "feed",
        /// Another roadmap.
        Roadmap => "roadmap",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_lowercase_groups_joined_by_single_hyphens() {
        for ok in ["go", "event-driven", "http2", "a", "ci-cd"] {
            assert_eq!(Slug::parse(ok).map(String::from), Ok(ok.to_owned()));
        }
        for bad in [
            "",
            "Go",
            "-go",
            "go-",
            "ci--cd",
            "c++",
            "with space",
            "é",
            &"a".repeat(65),
        ] {
            assert_eq!(Slug::parse(bad), Err(ValueError::Slug(bad.to_owned())));
        }
    }

    #[test]
    fn urls_must_be_absolute_https() {
        assert!(HttpsUrl::parse("https://git-scm.com/doc").is_ok());
        assert!(matches!(
            HttpsUrl::parse("http://example.com"),
            Err(ValueError::NotHttps(_))
        ));
        assert!(matches!(
            HttpsUrl::parse("not a url"),
            Err(ValueError::Url { .. })
        ));
    }

    #[test]
    fn urls_are_limited_in_length_and_carry_no_credentials() {
        let longest = format!("https://example.com/{}", "a".repeat(HttpsUrl::MAX_LEN - 20));
        assert_eq!(longest.len(), HttpsUrl::MAX_LEN);
        assert!(HttpsUrl::parse(&longest).is_ok());
        let huge = format!("https://example.com/{}", "a".repeat(1 << 20));
        let err = HttpsUrl::parse(&huge).unwrap_err();
        assert!(
            matches!(err, ValueError::TooLong { max: 2_048, .. }),
            "{err}"
        );
        assert!(err.to_string().len() < 100, "the URL is not repeated");
        // Percent-encoding lengthens: 700 characters become 2,100.
        let encoded = format!("https://example.com/{}", "é".repeat(700));
        assert!(matches!(
            HttpsUrl::parse(encoded),
            Err(ValueError::TooLong { .. })
        ));
        for secret in [
            "https://user:pass@example.com/",
            "https://user@example.com/",
            "https://:pass@example.com/",
        ] {
            let err = HttpsUrl::parse(secret).unwrap_err();
            assert_eq!(err, ValueError::UrlCredentials, "{secret}");
            assert!(!err.to_string().contains("pass@"), "{err}");
        }
        assert!(HttpsUrl::parse("https://example.com/@ada").is_ok());
    }

    #[test]
    fn lists_are_counted_against_their_limits() {
        assert!(check_count("tags", MAX_TAGS, MAX_TAGS).is_ok());
        assert_eq!(
            check_count("tags", 10_000, MAX_TAGS),
            Err(ValueError::TooMany {
                field: "tags",
                len: 10_000,
                max: MAX_TAGS
            })
        );
    }

    #[test]
    fn text_is_trimmed_and_limited() {
        assert_eq!(Title::parse("  Git ").map(String::from), Ok("Git".into()));
        assert!(matches!(Title::parse("   "), Err(ValueError::Empty { .. })));
        assert!(matches!(
            Title::parse("a\nb"),
            Err(ValueError::Multiline { .. })
        ));
        assert!(matches!(
            Summary::parse("x".repeat(281)),
            Err(ValueError::TooLong { len: 281, .. })
        ));
        assert_eq!(Markdown::parse("").map(String::from), Ok(String::new()));
    }

    #[test]
    fn enums_round_trip_their_spelling() {
        for kind in ResourceKind::ALL {
            assert_eq!(ResourceKind::parse(kind.as_str()), Ok(*kind));
        }
        let err = Level::parse("expert").unwrap_err().to_string();
        assert!(err.contains("beginner intermediate advanced"), "{err}");
    }
}
