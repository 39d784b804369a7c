//! Small text helpers shared by the parsers: slugs, labels, line numbers.

use skillgraph_domain::{Slug, Title};

/// Symbols that carry meaning in names, spelt out before slugifying so
/// that the slug keeps it: `C++` → `cpp`, `C#` → `c-sharp`, `N+1` →
/// `n-plus-1`, `R&D` → `r-and-d`. Applied in this order (`++` before `+`).
pub(crate) const SPELT_SYMBOLS: [(&str, &str); 4] = [
    ("++", "pp"),
    ("#", " sharp "),
    ("+", " plus "),
    ("&", " and "),
];

/// Text with [`SPELT_SYMBOLS`] spelt out.
fn spell_symbols(text: &str) -> String {
    SPELT_SYMBOLS
        .iter()
        .fold(text.to_owned(), |text, (symbol, words)| {
            text.replace(symbol, words)
        })
}

/// Lowercase ASCII letters and digits, every other run of characters one
/// hyphen, no hyphen at either end, at most `max` characters; the symbols of
/// [`SPELT_SYMBOLS`] spelt out first.
pub(crate) fn slugify_max(text: &str, max: usize) -> String {
    let text = spell_symbols(text);
    let mut slug = String::with_capacity(text.len().min(max));
    let mut pending_hyphen = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_hyphen = true;
        }
        if slug.len() >= max {
            break;
        }
    }
    slug.truncate(max);
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// Slugifies text to a valid [`Slug`], or `None` when nothing of it is left.
pub fn slugify(text: &str) -> Option<Slug> {
    Slug::parse(slugify_max(text, Slug::MAX_LEN)).ok()
}

/// `base` with `-n` appended, the base shortened so the whole stays a valid slug.
pub(crate) fn with_suffix(base: &Slug, n: usize) -> Option<Slug> {
    let suffix = format!("-{n}");
    let room = Slug::MAX_LEN.saturating_sub(suffix.len());
    let mut stem = base.as_str().chars().take(room).collect::<String>();
    while stem.ends_with('-') {
        stem.pop();
    }
    Slug::parse(format!("{stem}{suffix}")).ok()
}

/// Whitespace runs (line breaks included) collapsed to single spaces, trimmed.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The key under which two labels count as the same skill: one line,
/// case-folded, and without the spaces around punctuation, so that
/// `SSL / TLS` and `SSL/TLS` are one skill (`CI CD` and `CI/CD` stay two).
pub(crate) fn label_key(label: &str) -> String {
    let line = one_line(label).to_lowercase();
    let chars: Vec<char> = line.chars().collect();
    let punctuation = |c: Option<&char>| c.is_some_and(|c| !c.is_alphanumeric() && *c != ' ');
    chars
        .iter()
        .enumerate()
        .filter(|&(i, c)| {
            *c != ' '
                || !(punctuation(chars.get(i.wrapping_sub(1))) || punctuation(chars.get(i + 1)))
        })
        .map(|(_, c)| *c)
        .collect()
}

/// Cuts text to at most `max` characters, at a word boundary when one is near,
/// ending in an ellipsis when anything was cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(' ') {
        Some(at) if at > cut.len() / 2 => cut[..at].trim_end().to_owned(),
        _ => cut,
    };
    format!("{cut}…")
}

/// A display title from free text: one line, cut to the title limit.
/// Returns the title and whether it had to be cut.
pub(crate) fn title_of(text: &str) -> Option<(Title, bool)> {
    let line = one_line(text);
    let cut = line.chars().count() > Title::MAX_LEN;
    Title::parse(shorten(&line, Title::MAX_LEN))
        .ok()
        .map(|t| (t, cut))
}

/// A title made from a slug: `data-engineer` → `Data Engineer`.
pub(crate) fn title_from_slug(slug: &str) -> String {
    slug.split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Maps byte offsets of one text to 1-based line numbers.
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    /// Indexes the line starts of `text`.
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        Self { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_that_carry_meaning_are_spelt_out_in_slugs() {
        for (label, slug) in [
            ("C#", "c-sharp"),
            ("F# and OCaml", "f-sharp-and-ocaml"),
            ("C++", "cpp"),
            ("N+1 Problem", "n-plus-1-problem"),
            ("Pros & Cons", "pros-and-cons"),
            ("SSL/TLS", "ssl-tls"),
            ("Node.js", "node-js"),
        ] {
            assert_eq!(slugify_max(label, 64), slug, "{label}");
        }
    }

    #[test]
    fn labels_that_differ_in_spacing_around_punctuation_are_one_key() {
        assert_eq!(label_key("SSL / TLS"), label_key("SSL/TLS"));
        assert_eq!(label_key("  Pros &  Cons "), label_key("pros&cons"));
        assert_ne!(label_key("CI CD"), label_key("CI/CD"));
        assert_eq!(label_key("Shell   Basics"), "shell basics");
    }

    #[test]
    fn slugify_lowercases_and_joins_with_single_hyphens() {
        let s = |t: &str| slugify(t).map(String::from);
        assert_eq!(s("Learn the Basics"), Some("learn-the-basics".into()));
        assert_eq!(s("  CI/CD -- Pipelines! "), Some("ci-cd-pipelines".into()));
        assert_eq!(s("C++"), Some("cpp".into()), "symbols are spelt out");
        assert_eq!(s("日本語"), None);
        assert_eq!(s("???"), None);
        let long = slugify(&"word ".repeat(40))
            .map(String::from)
            .unwrap_or_default();
        assert!(long.len() <= 64 && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn suffixes_keep_slugs_valid() {
        let base = Slug::parse("a".repeat(64)).expect("valid");
        let two = with_suffix(&base, 2).expect("valid");
        assert_eq!(two.as_str().len(), 64);
        assert!(two.as_str().ends_with("-2"));
    }

    #[test]
    fn titles_from_slugs_and_lines() {
        assert_eq!(title_from_slug("data-engineer"), "Data Engineer");
        let lines = Lines::new("a\nb\n\nc");
        assert_eq!(
            [0, 1, 2, 3, 4, 5].map(|o| lines.line(o)),
            [1, 1, 2, 2, 3, 4]
        );
        assert_eq!(shorten("one two three", 8), "one two…");
    }
}
