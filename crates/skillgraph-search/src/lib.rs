//! Ranked, typo-tolerant full-text search over one [`Catalog`] snapshot:
//! skills (name, aliases, tags, summary, description), guides (title, tags,
//! description) and resources (title).
//!
//! A [`SearchIndex`] is the index of one catalog snapshot in an in-RAM
//! tantivy index, only read once made; it is `Send + Sync` and shared
//! between requests. The first is built from a whole catalog; each next one
//! is made from the one before by [`SearchIndex::updated`], which replaces
//! only the documents of the things a write touched (see *Updating*).
//! Matching, scoring (tantivy's BM25, boosts and constant scores, summed by
//! its `BooleanQuery`) and top-k collection are all tantivy's; this crate
//! only decides which queries to combine, with which boosts.
//!
//! # Indexing
//!
//! Each skill, guide and resource is *one* tantivy document with one text
//! field per [`MatchedField`] (with term frequencies and field norms, for
//! BM25), an untokenized `name_exact` field holding the skill's whole
//! normalized name, an `anywhere` field with the words of the name-like
//! fields (names, aliases, titles, tags) together, an indexed `kind`, fast
//! `kind` and `id` fields, an indexed and fast `key` (kind, then id), and per
//! text field a fast count of the document's tokens in it (`name_tokens`,
//! …). Text is split on anything but letters
//! and digits, lowercased and ASCII-folded; summaries and descriptions also
//! drop English stop words. One document per thing means a matching
//! document *is* a distinct match, so tantivy's `Count` is the total.
//!
//! Segments are sorted by `key` (skills, guides, resources; tantivy's index
//! sorting), and a build merges its segments into one after its single
//! commit, so doc ids follow the catalog's order.
//!
//! BM25 normally averages a field's length over *all* documents, so a field
//! few documents have (aliases, or names next to the many resources) would
//! look long wherever it occurs and score low. The statistics given to
//! tantivy ([`Bm25StatisticsProvider`]) average each text field over the
//! documents that have it. They count live documents only, so that an
//! updated index scores exactly as one built from scratch (tantivy's own
//! count deleted documents until a merge drops them, and a merge that does
//! only estimates token counts from the lossy field norms): the number of
//! documents is tantivy's live count; a field's tokens and the documents
//! that have it are summed from the exact per-document token counts (each
//! segment's total once, by segment id, less its deleted documents'); a
//! term's document frequency is tantivy's less the deleted documents that
//! hold it, found in its postings (walked, or seeked to each deleted
//! document, whichever is fewer steps).
//!
//! # Updating
//!
//! The snapshots made from one build share its tantivy index and, behind a
//! lock, one writer (made by the first update). An update lists the
//! [`Touched`] things; those whose text differs between the two catalogs
//! (and the resources of touched skills: a deleted skill's go with it) have
//! their document deleted by its `key` term and, unless gone, added anew;
//! then one commit, and a new searcher. Older snapshots keep their
//! searchers, whose segments tantivy keeps alive, so they answer as before.
//! Only the newest snapshot of a line may be updated: from any other, an
//! update builds from scratch.
//!
//! Each update adds a small segment and marks deleted documents in the
//! older ones. tantivy's [`LogMergePolicy`] merges in the background: once
//! 8 segments of a similar size gather (all under 10,000 documents alike),
//! and a segment with over 10% of its documents deleted with its size's
//! level (alone, it is rewritten without them). The statistics are exact
//! whatever the segments.
//!
//! # Querying
//!
//! The query goes through the same tokenizer, never through tantivy's query
//! parser, so no input is syntax and none can fail. Stop words are dropped
//! unless the query has nothing else; at most 8 distinct words are used.
//! For each word and each text field `f`, with boost `b(f)` of name 5,
//! alias 4, title 3, tag 3, summary 2, description 1, the word's clauses are:
//!
//! - a [`TermQuery`] of the word, scored by BM25 and boosted by `b(f)`;
//! - typos: the terms that [`FuzzyTermQuery`]'s Levenshtein automaton finds
//!   in the field's term dictionary (distance 1 for words of 4–7 characters,
//!   2 for longer ones, none for shorter ones or words with digits; a
//!   transposition costs one), but the word itself, as a [`TermSetQuery`]
//!   in a [`ConstScoreQuery`] of `0.3 × b(f)`; not on descriptions. The
//!   word is left out because its documents already match the term query,
//!   and an automaton's clause would only make tantivy walk them again;
//! - for the last word only (autocomplete), a prefix [`FuzzyTermQuery`]
//!   (distance 0), a constant `0.6 × b(f)`; not on descriptions, and on
//!   summaries only for words of 3 characters or more.
//!
//! So within a field the last word's exact match (BM25 plus the prefix
//! constant) scores above its other prefix matches, and those above its
//! typos; for the other words an exact match scores its BM25 against a
//! typo's `0.3 × b(f)`, which only very common words in long fields fall
//! below.
//!
//! The whole query is a [`BooleanQuery`] of SHOULD clauses, summed by
//! tantivy:
//!
//! - per word, the union of its clauses over all fields;
//! - for `n > 1` words, a [`ConstScoreQuery`] on the intersection of the
//!   words, so things matching every word rank above those matching some.
//!   Its score is `(n - 1) × W`, where `W`, more than one word's clauses can
//!   score, is the sum over the fields of `b(f) × ((k1 + 1) × idf + 0.3 +
//!   0.6)` with the idf of a term only one document has (BM25 stays below
//!   `(k1 + 1) × idf`). Each word's side of it matches the same documents
//!   as its clauses but from fewer: one `anywhere` clause stands for the
//!   four name-like fields;
//! - a [`ConstScoreQuery`] of `n × W` plus the every-word score on
//!   `name_exact` for the whole query text, so an exact (case-insensitive)
//!   skill name match always ranks first.
//!
//! When kinds are given, that query is a MUST clause next to a zero-scored
//! MUST [`TermSetQuery`] on `kind`.
//!
//! # Collecting
//!
//! One search (`search_with_statistics_provider`) with `(TopDocs, Count)`
//! gives the page and the total. `TopDocs` orders by score, then by `key`
//! (kind, then id) ascending: the catalog's order, whatever the segments, so
//! the order is deterministic, the same as from a build, and pages agree
//! with one big page.
//!
//! A hit's [`MatchedField`] is the first of name, alias, title, tag,
//! summary, description whose clauses (of all words; for the name, with the
//! exact-name clause) match it. tantivy answers that too: per field one
//! [`Weight`](tantivy::query::Weight), whose scorer is seeked to the
//! returned hits in doc order, and only for the hits no earlier field
//! matched.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use skillgraph_domain::change::Change as CatalogChange;
use skillgraph_domain::{Catalog, Guide, GuideId, Resource, ResourceId, Skill, SkillId};
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::indexer::{IndexWriterOptions, LogMergePolicy, NoMergePolicy};
use tantivy::query::{
    Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, DfaWrapper, EnableScoring,
    FuzzyTermQuery, Occur, Query, Scorer, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    StopWordFilter, TextAnalyzer,
};
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, IndexSettings, IndexSortByField, IndexWriter,
    Order, ReloadPolicy, Searcher, SegmentReader, TERMINATED, TantivyDocument, TantivyError, Term,
};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod update_tests;

/// What kind of thing a hit is, with its id, so the caller can look it up in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HitKind {
    /// A skill.
    Skill(SkillId),
    /// A guide.
    Guide(GuideId),
    /// A learning resource.
    Resource(ResourceId),
}

/// Which field of a hit matched best, so a client can say why it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchedField {
    /// A skill's name.
    Name,
    /// One of a skill's aliases.
    Alias,
    /// One of a skill's or guide's tags.
    Tag,
    /// A skill's one-line summary.
    Summary,
    /// A skill's or guide's description.
    Description,
    /// A guide's or resource's title.
    Title,
}

/// A kind of thing to search, to restrict a search to some kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchKind {
    /// Skills.
    Skill,
    /// Guides.
    Guide,
    /// Resources.
    Resource,
}

/// One ranked match.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// The thing that matched.
    pub kind: HitKind,
    /// Its relevance as tantivy scored it; higher is better. An exact skill
    /// name match and matching every word of a query of several words add
    /// constants that put them first; the fields' BM25, typo and prefix
    /// scores do the rest.
    pub score: f32,
    /// The field that matched best.
    pub field: MatchedField,
}

/// One page of ranked matches with the total, for paging.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResults {
    /// The requested page of hits, best first.
    pub hits: Vec<Hit>,
    /// How many distinct things matched in all.
    pub total: usize,
}

/// Why the index could not be built or queried (tantivy failures, with what was being done).
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// Building the index from the catalog failed.
    #[error("could not build the search index ({context}): {source}")]
    Build {
        /// The step that failed.
        context: &'static str,
        /// What tantivy said.
        #[source]
        source: TantivyError,
    },
    /// Running a query failed.
    #[error("search failed ({context}): {source}")]
    Query {
        /// The step that failed.
        context: &'static str,
        /// What tantivy said.
        #[source]
        source: TantivyError,
    },
}

fn build_err(context: &'static str) -> impl FnOnce(TantivyError) -> SearchError {
    move |source| SearchError::Build { context, source }
}

fn query_err(context: &'static str) -> impl FnOnce(TantivyError) -> SearchError {
    move |source| SearchError::Query { context, source }
}

/// The tokenizer of names, aliases, tags and titles.
const WORDS: &str = "skillgraph_words";
/// The tokenizer of summaries and descriptions: words without stop words.
const PROSE: &str = "skillgraph_prose";
/// The tokenizer of the exact fields: the normalized text as one term.
const EXACT: &str = "skillgraph_exact";

/// Lucene's English stop words (tantivy's `stopwords` feature ships the same list).
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// Words longer than this many bytes are dropped, when indexing and querying alike.
const MAX_WORD_BYTES: usize = 40;
/// Only this many distinct query words are used; the rest are ignored.
const MAX_QUERY_WORDS: usize = 8;

/// Writer memory, shared by its threads; big enough that a large catalog
/// makes few segments, which are then merged into one.
const WRITER_MEMORY: usize = 50_000_000;

/// The update writer's memory: tantivy's minimum, as an update adds only a few documents.
const UPDATE_WRITER_MEMORY: usize = 15_000_000;
/// A segment with more than this share of deleted documents is merged (with
/// the segments of its size), which drops them.
const MAX_DELETED_SHARE: f32 = 0.1;
/// This many segments of a similar size (below [`SMALL_SEGMENT`] documents,
/// all alike) are merged into one.
const SEGMENTS_PER_MERGE: usize = 8;
/// Segments under this many documents count as the same size when merging.
const SMALL_SEGMENT: u32 = 10_000;

/// tantivy's BM25 `k1`: one term scores below `(k1 + 1) × idf` times its boost.
const BM25_K1: f32 = 1.2;
/// The constant score of a typo match, as a share of the field's boost.
const TYPO: f32 = 0.3;
/// The constant score of a prefix match, as a share of the field's boost.
const PREFIX: f32 = 0.6;
/// Last words shorter than this complete as prefixes in the name-like fields only.
const MIN_SUMMARY_PREFIX: usize = 3;

/// A text field of the index, which is also a [`MatchedField`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextField {
    Name,
    Alias,
    Title,
    Tag,
    Summary,
    Description,
}

impl TextField {
    /// Every text field, in the order that breaks ties of the matched field.
    const ALL: [TextField; 6] = [
        TextField::Name,
        TextField::Alias,
        TextField::Title,
        TextField::Tag,
        TextField::Summary,
        TextField::Description,
    ];

    fn name(self) -> &'static str {
        match self {
            TextField::Name => "name",
            TextField::Alias => "alias",
            TextField::Title => "title",
            TextField::Tag => "tag",
            TextField::Summary => "summary",
            TextField::Description => "description",
        }
    }

    /// The name of the fast field holding each document's token count in this field.
    fn length_name(self) -> &'static str {
        match self {
            TextField::Name => "name_tokens",
            TextField::Alias => "alias_tokens",
            TextField::Title => "title_tokens",
            TextField::Tag => "tag_tokens",
            TextField::Summary => "summary_tokens",
            TextField::Description => "description_tokens",
        }
    }

    fn boost(self) -> f32 {
        match self {
            TextField::Name => 5.0,
            TextField::Alias => 4.0,
            TextField::Title | TextField::Tag => 3.0,
            TextField::Summary => 2.0,
            TextField::Description => 1.0,
        }
    }

    fn matched(self) -> MatchedField {
        match self {
            TextField::Name => MatchedField::Name,
            TextField::Alias => MatchedField::Alias,
            TextField::Title => MatchedField::Title,
            TextField::Tag => MatchedField::Tag,
            TextField::Summary => MatchedField::Summary,
            TextField::Description => MatchedField::Description,
        }
    }

    fn tokenizer(self) -> &'static str {
        match self {
            TextField::Summary | TextField::Description => PROSE,
            _ => WORDS,
        }
    }

    /// Whether it holds short, name-like text: names, aliases, titles, tags.
    fn name_like(self) -> bool {
        matches!(
            self,
            TextField::Name | TextField::Alias | TextField::Title | TextField::Tag
        )
    }

    /// Whether typos are tolerated: descriptions take exact words only.
    fn typos(self) -> bool {
        self != TextField::Description
    }

    /// Whether a last word of `chars` characters completes as a prefix.
    fn prefixes(self, chars: usize) -> bool {
        match self {
            TextField::Description => false,
            TextField::Summary => chars >= MIN_SUMMARY_PREFIX,
            _ => true,
        }
    }
}

/// Kind codes of the `kind` field, also the order of the documents.
const KIND_SKILL: u64 = 0;
const KIND_GUIDE: u64 = 1;
const KIND_RESOURCE: u64 = 2;

fn kind_code(kind: SearchKind) -> u64 {
    match kind {
        SearchKind::Skill => KIND_SKILL,
        SearchKind::Guide => KIND_GUIDE,
        SearchKind::Resource => KIND_RESOURCE,
    }
}

/// The sort key of a document: kind, then id.
fn sort_key(kind: u64, id: i64) -> u64 {
    const ID_BITS: u32 = 56;
    let id = u64::try_from(id).unwrap_or(0).min((1 << ID_BITS) - 1);
    (kind << ID_BITS) | id
}

/// The schema's fields.
#[derive(Debug, Clone)]
struct Fields {
    text: [Field; TextField::ALL.len()],
    /// Per text field, each document's exact token count in it (fast), for
    /// BM25 statistics that leave deleted documents out.
    lengths: [Field; TextField::ALL.len()],
    name_exact: Field,
    /// The words of the names, aliases, titles and tags together, for the every-word bonus.
    anywhere: Field,
    kind: Field,
    id: Field,
    key: Field,
}

impl Fields {
    fn text(&self, field: TextField) -> Field {
        self.text[field as usize]
    }
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextField::ALL.map(|field| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(field.tokenizer())
            .set_index_option(IndexRecordOption::WithFreqs)
            .set_fieldnorms(true);
        builder.add_text_field(
            field.name(),
            TextOptions::default().set_indexing_options(indexing),
        )
    });
    let name_exact = builder.add_text_field(
        "name_exact",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(EXACT)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        ),
    );
    let anywhere = builder.add_text_field(
        "anywhere",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORDS)
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        ),
    );
    let lengths = TextField::ALL.map(|field| builder.add_u64_field(field.length_name(), FAST));
    let kind = builder.add_u64_field("kind", INDEXED | FAST);
    let id = builder.add_i64_field("id", FAST);
    // Indexed too, so that an update deletes a thing's document by its key.
    let key = builder.add_u64_field("key", INDEXED | FAST);
    (
        builder.build(),
        Fields {
            text,
            lengths,
            name_exact,
            anywhere,
            kind,
            id,
            key,
        },
    )
}

fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

fn prose_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|w| (*w).to_owned()),
        ))
        .build()
}

/// The words of a text, as the index holds them.
fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while let Some(token) = stream.next() {
        words.push(token.text.clone());
    }
    words
}

/// What one segment of a snapshot needs at query time: its kind and id fast
/// fields, and which of its documents are deleted.
#[derive(Clone)]
struct SegmentColumns {
    kinds: Column<u64>,
    ids: Column<i64>,
    /// Its deleted documents in doc order (empty when it has none), which
    /// tantivy's document frequencies still count.
    deleted: Arc<[DocId]>,
}

/// BM25 statistics of the live documents only, whatever the segments hold,
/// so that an updated index scores exactly as one built from scratch; and in
/// which a field's average length is taken over the documents that have the
/// field, not over all of them: otherwise a field that few documents have
/// (aliases) would look long wherever it occurs.
struct FieldStatistics<'a> {
    searcher: &'a Searcher,
    segments: &'a [SegmentColumns],
    /// Per text field, its live token count scaled by all live documents over
    /// the live documents with the field.
    tokens: &'a [(Field, u64)],
}

impl Bm25StatisticsProvider for FieldStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        match self.tokens.iter().find(|(f, _)| *f == field) {
            Some(&(_, tokens)) => Ok(tokens),
            None => Bm25StatisticsProvider::total_num_tokens(self.searcher, field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.searcher.num_docs())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut docs = 0;
        for (segment, columns) in self.searcher.segment_readers().iter().zip(self.segments) {
            docs += live_doc_freq(segment, &columns.deleted, term)?;
        }
        Ok(docs)
    }
}

/// How many live documents of a segment hold `term`: tantivy's count, which
/// includes deleted documents until a merge drops them, less the deleted ones
/// that hold it. Those are found by walking the term's postings when it has
/// fewer than the segment has deleted documents, else by seeking them to
/// each deleted document (skipping whole blocks): about `min(postings,
/// deleted)` steps.
fn live_doc_freq(segment: &SegmentReader, deleted: &[DocId], term: &Term) -> tantivy::Result<u64> {
    let inverted = segment.inverted_index(term.field())?;
    let Some(info) = inverted.get_term_info(term)? else {
        return Ok(0);
    };
    let all = u64::from(info.doc_freq);
    if deleted.is_empty() {
        return Ok(all);
    }
    let mut postings = inverted.read_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
    let mut gone = 0u64;
    if info.doc_freq as usize <= deleted.len() {
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if segment.is_deleted(doc) {
                gone += 1;
            }
            doc = postings.advance();
        }
    } else {
        for &target in deleted {
            let mut doc = postings.doc();
            if doc < target {
                doc = postings.seek(target);
            }
            if doc == TERMINATED {
                break;
            }
            if doc == target {
                gone += 1;
            }
        }
    }
    Ok(all.saturating_sub(gone))
}

/// Per text field, the tokens of some documents and how many of them have
/// the field: summed from the exact per-document counts of the `*_tokens`
/// fast fields. tantivy's own totals count deleted documents, and a merge
/// that drops them only estimates the rest from the lossy field norms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Lengths {
    tokens: [u64; TextField::ALL.len()],
    with_field: [u64; TextField::ALL.len()],
}

impl Lengths {
    /// The lengths of `docs` of `segment`.
    fn of(segment: &SegmentReader, docs: impl Iterator<Item = DocId>) -> tantivy::Result<Lengths> {
        let columns = TextField::ALL
            .map(|field| segment.fast_fields().u64(field.length_name()))
            .into_iter()
            .collect::<tantivy::Result<Vec<Column<u64>>>>()?;
        let mut lengths = Lengths::default();
        for doc in docs {
            for (i, column) in columns.iter().enumerate() {
                let tokens = column.first(doc).unwrap_or(0);
                lengths.tokens[i] += tokens;
                lengths.with_field[i] += u64::from(tokens > 0);
            }
        }
        Ok(lengths)
    }

    fn add(&mut self, other: &Lengths, sign: bool) {
        let pairs = self
            .tokens
            .iter_mut()
            .zip(other.tokens)
            .chain(self.with_field.iter_mut().zip(other.with_field));
        for (mine, theirs) in pairs {
            *mine = if sign {
                *mine + theirs
            } else {
                mine.saturating_sub(theirs)
            };
        }
    }
}

/// More than one query word can score in an index of `docs` documents: in
/// each field, BM25 below `(k1 + 1) × idf` of a term only one document has,
/// plus the typo and prefix constants, times the field's boost.
fn word_bound(docs: u64) -> f32 {
    let docs = docs.max(1) as f32;
    let idf = (1.0 + (docs - 0.5) / 1.5).ln();
    TextField::ALL
        .iter()
        .map(|f| f.boost() * ((BM25_K1 + 1.0) * idf + TYPO + PREFIX))
        .sum()
}

/// The search index of one catalog snapshot: only read once made, by
/// [`build`](Self::build) or from the previous snapshot by
/// [`updated`](Self::updated).
pub struct SearchIndex {
    searcher: Searcher,
    columns: Vec<SegmentColumns>,
    /// See [`FieldStatistics`].
    field_tokens: Vec<(Field, u64)>,
    /// More than one query word's clauses can score, in all fields together.
    word_bound: f32,
    fields: Fields,
    analyzer: TextAnalyzer,
    /// The index and writer it shares with the snapshots made from it.
    line: Arc<Line>,
    /// Which snapshot of its line it is: only the newest may be updated.
    generation: u64,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("documents", &self.searcher.num_docs())
            .field("segments", &self.columns.len())
            .field("generation", &self.generation)
            .finish_non_exhaustive()
    }
}

/// The things whose documents an update may have to change: each skill,
/// resource and guide created, edited or deleted between two catalogs.
///
/// Listing a thing that did not change costs only a comparison. The
/// resources of a listed skill are compared too, so a deleted skill's
/// resources need not be listed (nor those of a skill whose resources were
/// replaced); a resource edited or deleted on its own must be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// Skills created, edited (name, aliases, tags, summary, description) or deleted.
    pub skills: Vec<SkillId>,
    /// Resources added, retitled or deleted.
    pub resources: Vec<ResourceId>,
    /// Guides created, edited (title, tags, description) or deleted.
    pub guides: Vec<GuideId>,
}

impl Touched {
    /// What one committed change may have touched, given the id the
    /// database gave to what it created: skills and guides created, edited or
    /// deleted, resources added, edited or deleted. Edges, hierarchy, links,
    /// roadmaps and authors are in no document.
    pub fn of(change: &CatalogChange, created: Option<i64>) -> Touched {
        let mut touched = Touched::default();
        match change {
            CatalogChange::CreateSkill(_) => touched.skills.extend(created.map(SkillId)),
            CatalogChange::UpdateSkill { skill, .. } | CatalogChange::DeleteSkill { skill, .. } => {
                touched.skills.push(*skill);
            }
            CatalogChange::CreateResource { .. } => {
                touched.resources.extend(created.map(ResourceId))
            }
            CatalogChange::UpdateResource { resource, .. }
            | CatalogChange::DeleteResource { resource } => {
                touched.resources.push(*resource);
            }
            CatalogChange::CreateGuide(_) => touched.guides.extend(created.map(GuideId)),
            CatalogChange::UpdateGuide { guide, .. } | CatalogChange::DeleteGuide { guide } => {
                touched.guides.push(*guide);
            }
            _ => {}
        }
        touched
    }

    /// Adds what `other` touched.
    pub fn extend(&mut self, other: Touched) {
        self.skills.extend(other.skills);
        self.resources.extend(other.resources);
        self.guides.extend(other.guides);
    }
}

/// What the snapshots of one index share: the tantivy index, and under a
/// lock its reader, its writer (made by the first update) and which
/// snapshot is the newest.
struct Line {
    index: Index,
    state: Mutex<LineState>,
}

/// The mutable side of a [`Line`], only touched by updates.
struct LineState {
    /// The generation of the newest snapshot.
    newest: u64,
    reader: IndexReader,
    /// Made by the first update, then kept.
    writer: Option<IndexWriter>,
    /// The lengths of each segment's documents (deleted ones too) by
    /// segment id, so each segment is counted once.
    lengths: HashMap<SegmentId, Lengths>,
    documents: Documents,
}

/// The text of one thing to index.
#[derive(Default, PartialEq)]
struct Entry<'a> {
    name: Option<&'a str>,
    aliases: Vec<&'a str>,
    tags: Vec<&'a str>,
    title: Option<&'a str>,
    summary: Option<&'a str>,
    description: Option<&'a str>,
}

impl<'a> Entry<'a> {
    fn skill(skill: &'a Skill) -> Self {
        Entry {
            name: Some(skill.name.as_str()),
            aliases: skill.aliases.iter().map(|a| a.as_str()).collect(),
            tags: skill.tags.iter().map(|t| t.as_str()).collect(),
            summary: Some(skill.summary.as_str()),
            description: Some(skill.description.as_str()),
            ..Entry::default()
        }
    }

    fn resource(resource: &'a Resource) -> Self {
        Entry {
            title: Some(resource.title.as_str()),
            ..Entry::default()
        }
    }

    fn guide(guide: &'a Guide) -> Self {
        Entry {
            title: Some(guide.title.as_str()),
            tags: guide.tags.iter().map(|t| t.as_str()).collect(),
            description: Some(guide.description.as_str()),
            ..Entry::default()
        }
    }

    /// Its values of one text field.
    fn values(&self, field: TextField) -> &[&'a str] {
        match field {
            TextField::Name => self.name.as_slice(),
            TextField::Alias => &self.aliases,
            TextField::Title => self.title.as_slice(),
            TextField::Tag => &self.tags,
            TextField::Summary => self.summary.as_slice(),
            TextField::Description => self.description.as_slice(),
        }
    }
}

/// Makes documents, with the analyzers that count their tokens as the index does.
struct Documents {
    words: TextAnalyzer,
    prose: TextAnalyzer,
}

impl Documents {
    fn new() -> Self {
        Documents {
            words: words_analyzer(),
            prose: prose_analyzer(),
        }
    }

    /// The document of one thing.
    fn document(
        &mut self,
        fields: &Fields,
        kind: u64,
        id: i64,
        entry: &Entry<'_>,
    ) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_u64(fields.kind, kind);
        doc.add_i64(fields.id, id);
        doc.add_u64(fields.key, sort_key(kind, id));
        for field in TextField::ALL {
            let analyzer = match field.tokenizer() {
                PROSE => &mut self.prose,
                _ => &mut self.words,
            };
            let mut tokens = 0u64;
            for &value in entry.values(field) {
                doc.add_text(fields.text(field), value);
                if field.name_like() {
                    doc.add_text(fields.anywhere, value);
                }
                let mut stream = analyzer.token_stream(value);
                while stream.advance() {
                    tokens += 1;
                }
            }
            doc.add_u64(fields.lengths[field as usize], tokens);
        }
        if let Some(name) = entry.name {
            let name = words(&mut self.words, name).join(" ");
            if !name.is_empty() {
                doc.add_text(fields.name_exact, name);
            }
        }
        doc
    }
}

/// One thing whose document an update replaces: its kind, its id and its
/// new text (`None` when it is gone).
struct Change<'a> {
    kind: u64,
    id: i64,
    entry: Option<Entry<'a>>,
}

/// The documents to replace to go from `before` to `after`: those of the
/// touched things (and the resources of touched skills) whose text differs,
/// or that are in neither catalog (deleted anyway, in case the index has them).
fn changes<'a>(before: &'a Catalog, after: &'a Catalog, touched: &Touched) -> Vec<Change<'a>> {
    let mut changes = Vec::new();
    let mut compare = |kind: u64, id: i64, old: Option<Entry<'a>>, new: Option<Entry<'a>>| {
        if old.is_none() || old != new {
            changes.push(Change {
                kind,
                id,
                entry: new,
            });
        }
    };
    let skills: BTreeSet<SkillId> = touched.skills.iter().copied().collect();
    let mut resources: BTreeSet<ResourceId> = touched.resources.iter().copied().collect();
    for &id in &skills {
        compare(
            KIND_SKILL,
            id.0,
            before.skill(id).map(Entry::skill),
            after.skill(id).map(Entry::skill),
        );
        let own = before.resources(id).iter().chain(after.resources(id));
        resources.extend(own.map(|r| r.id));
    }
    for id in resources {
        compare(
            KIND_RESOURCE,
            id.0,
            before.resource(id).map(Entry::resource),
            after.resource(id).map(Entry::resource),
        );
    }
    let guides: BTreeSet<GuideId> = touched.guides.iter().copied().collect();
    for id in guides {
        compare(
            KIND_GUIDE,
            id.0,
            before.guide(id).map(Entry::guide),
            after.guide(id).map(Entry::guide),
        );
    }
    changes
}

/// The writer of updates: one thread, little memory, and merges in the
/// background by [`LogMergePolicy`]: segments of similar sizes (all those
/// under [`SMALL_SEGMENT`] documents alike) once [`SEGMENTS_PER_MERGE`] of
/// them gather, and a segment whose deleted share passes
/// [`MAX_DELETED_SHARE`] with its level (alone, that is rewriting it without
/// its deleted documents).
fn update_writer(index: &Index) -> Result<IndexWriter, SearchError> {
    let options = IndexWriterOptions::builder()
        .num_worker_threads(1)
        .memory_budget_per_thread(UPDATE_WRITER_MEMORY)
        .num_merge_threads(1)
        .build();
    let writer: IndexWriter = index
        .writer_with_options(options)
        .map_err(build_err("opening the update writer"))?;
    let mut policy = LogMergePolicy::default();
    policy.set_min_num_segments(SEGMENTS_PER_MERGE);
    policy.set_min_layer_size(SMALL_SEGMENT);
    policy.set_del_docs_ratio_before_merge(MAX_DELETED_SHARE);
    writer.set_merge_policy(Box::new(policy));
    Ok(writer)
}

/// What a snapshot reads, derived from a searcher.
struct View {
    searcher: Searcher,
    columns: Vec<SegmentColumns>,
    field_tokens: Vec<(Field, u64)>,
    word_bound: f32,
}

impl View {
    /// The columns and statistics of what `searcher` sees. `known` has the
    /// lengths of the segments seen before (by id); it is left with those
    /// of the searcher's segments.
    fn of(
        searcher: Searcher,
        fields: &Fields,
        known: &mut HashMap<SegmentId, Lengths>,
    ) -> Result<View, SearchError> {
        let mut columns = Vec::with_capacity(searcher.segment_readers().len());
        let mut live = Lengths::default();
        let mut seen = HashMap::with_capacity(known.len() + 1);
        for segment in searcher.segment_readers() {
            let all = match known.get(&segment.segment_id()) {
                Some(&lengths) => lengths,
                None => Lengths::of(segment, 0..segment.max_doc())
                    .map_err(build_err("counting field lengths"))?,
            };
            seen.insert(segment.segment_id(), all);
            let deleted: Arc<[DocId]> = match segment.alive_bitset() {
                Some(alive) => (0..segment.max_doc())
                    .filter(|&doc| alive.is_deleted(doc))
                    .collect(),
                None => Arc::new([]),
            };
            live.add(&all, true);
            let gone = Lengths::of(segment, deleted.iter().copied())
                .map_err(build_err("counting deleted field lengths"))?;
            live.add(&gone, false);
            let fast = segment.fast_fields();
            columns.push(SegmentColumns {
                kinds: fast.u64("kind").map_err(build_err("opening kinds"))?,
                ids: fast.i64("id").map_err(build_err("opening ids"))?,
                deleted,
            });
        }
        *known = seen;

        let docs = searcher.num_docs();
        let field_tokens = TextField::ALL
            .iter()
            .enumerate()
            .map(|(i, &field)| {
                let (tokens, with_field) = (live.tokens[i], live.with_field[i]);
                let scaled = if with_field == 0 {
                    tokens
                } else {
                    (u128::from(tokens) * u128::from(docs) / u128::from(with_field)) as u64
                };
                (fields.text(field), scaled)
            })
            .collect();
        Ok(View {
            word_bound: word_bound(docs),
            searcher,
            columns,
            field_tokens,
        })
    }
}

impl SearchIndex {
    /// Indexes every skill, guide and resource of the catalog.
    pub fn build(catalog: &Catalog) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        let settings = IndexSettings {
            sort_by_field: Some(IndexSortByField {
                field: "key".to_owned(),
                order: Order::Asc,
            }),
            ..IndexSettings::default()
        };
        let index = Index::builder()
            .schema(schema)
            .settings(settings)
            .create_in_ram()
            .map_err(build_err("creating the index"))?;
        index.tokenizers().register(WORDS, words_analyzer());
        index.tokenizers().register(PROSE, prose_analyzer());
        index.tokenizers().register(
            EXACT,
            TextAnalyzer::builder(RawTokenizer::default()).build(),
        );

        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
        let options = IndexWriterOptions::builder()
            .num_worker_threads(threads)
            .memory_budget_per_thread(WRITER_MEMORY / threads)
            .num_merge_threads(1)
            .build();
        let mut writer: IndexWriter = index
            .writer_with_options(options)
            .map_err(build_err("opening the writer"))?;
        writer.set_merge_policy(Box::new(NoMergePolicy));

        let mut documents = Documents::new();
        let mut add = |kind: u64, id: i64, entry: Entry<'_>| -> Result<(), SearchError> {
            writer
                .add_document(documents.document(&fields, kind, id, &entry))
                .map_err(build_err("adding a document"))?;
            Ok(())
        };
        for skill in catalog.skills() {
            add(KIND_SKILL, skill.id.0, Entry::skill(skill))?;
            for resource in catalog.resources(skill.id) {
                add(KIND_RESOURCE, resource.id.0, Entry::resource(resource))?;
            }
        }
        for guide in catalog.guides() {
            add(KIND_GUIDE, guide.id.0, Entry::guide(guide))?;
        }

        writer.commit().map_err(build_err("committing"))?;
        let segment_ids = index
            .searchable_segment_ids()
            .map_err(build_err("listing segments"))?;
        if segment_ids.len() > 1 {
            writer
                .merge(&segment_ids)
                .wait()
                .map_err(build_err("merging segments"))?;
        }
        writer
            .wait_merging_threads()
            .map_err(build_err("closing the writer"))?;

        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(build_err("opening the reader"))?;
        let mut lengths = HashMap::new();
        let view = View::of(reader.searcher(), &fields, &mut lengths)?;

        // The Levenshtein automaton builders are made once per process and
        // are slow to make: make them now rather than in the first query.
        for distance in [1, 2] {
            FuzzyTermQuery::new(
                Term::from_field_text(fields.text(TextField::Name), "warm"),
                distance,
                true,
            )
            .automaton()
            .map_err(build_err("preparing typo tolerance"))?;
        }

        let line = Arc::new(Line {
            index,
            state: Mutex::new(LineState {
                newest: 0,
                reader,
                writer: None,
                lengths,
                documents: Documents::new(),
            }),
        });
        Ok(SearchIndex::from_view(view, fields, line, 0))
    }

    fn from_view(view: View, fields: Fields, line: Arc<Line>, generation: u64) -> SearchIndex {
        SearchIndex {
            searcher: view.searcher,
            columns: view.columns,
            field_tokens: view.field_tokens,
            word_bound: view.word_bound,
            fields,
            analyzer: words_analyzer(),
            line,
            generation,
        }
    }

    /// The snapshot of `after`, made from this one, the snapshot of
    /// `before`, by replacing the documents of the `touched` things (see
    /// [`Touched`]) whose text changed: deleted by their key, added anew,
    /// committed, and read by a new searcher. It ranks exactly as
    /// [`build`](Self::build) of `after` would (hits, order, scores, totals).
    ///
    /// This snapshot is left as it was and keeps answering as before. The
    /// snapshots of one line share one tantivy index and writer, and only the
    /// newest may be updated: from an older one, or after a failed update,
    /// this builds the index of `after` from scratch instead.
    ///
    /// `before` must be the catalog this snapshot indexes: a thing's
    /// document is only replaced when its text differs between the two.
    pub fn updated(
        &self,
        before: &Catalog,
        after: &Catalog,
        touched: &Touched,
    ) -> Result<SearchIndex, SearchError> {
        let Ok(mut guard) = self.line.state.lock() else {
            return SearchIndex::build(after);
        };
        if guard.newest != self.generation {
            drop(guard);
            return SearchIndex::build(after);
        }
        let changes = changes(before, after, touched);
        if changes.is_empty() {
            return Ok(self.share());
        }
        let state = &mut *guard;
        let mut writer = match state.writer.take() {
            Some(writer) => writer,
            None => update_writer(&self.line.index)?,
        };
        // Whatever happens next, this snapshot is no longer the newest; on
        // an error no snapshot is, and the next update builds from scratch.
        state.newest += 1;
        for change in &changes {
            writer.delete_term(Term::from_field_u64(
                self.fields.key,
                sort_key(change.kind, change.id),
            ));
            if let Some(entry) = &change.entry {
                let doc = state
                    .documents
                    .document(&self.fields, change.kind, change.id, entry);
                writer
                    .add_document(doc)
                    .map_err(build_err("adding an updated document"))?;
            }
        }
        writer.commit().map_err(build_err("committing an update"))?;
        state.writer = Some(writer);
        state
            .reader
            .reload()
            .map_err(build_err("reloading the reader"))?;
        let view = View::of(state.reader.searcher(), &self.fields, &mut state.lengths)?;
        Ok(SearchIndex::from_view(
            view,
            self.fields.clone(),
            Arc::clone(&self.line),
            state.newest,
        ))
    }

    /// The same snapshot again, for an update that changes no document.
    fn share(&self) -> SearchIndex {
        SearchIndex {
            searcher: self.searcher.clone(),
            columns: self.columns.clone(),
            field_tokens: self.field_tokens.clone(),
            word_bound: self.word_bound,
            fields: self.fields.clone(),
            analyzer: self.analyzer.clone(),
            line: Arc::clone(&self.line),
            generation: self.generation,
        }
    }

    /// Ranked hits for `query`, only of `kinds` (all when empty); returns the
    /// best `limit` hits (after skipping `offset`) and the total count of
    /// distinct matches.
    pub fn search(
        &self,
        query: &str,
        kinds: &[SearchKind],
        offset: usize,
        limit: usize,
    ) -> Result<SearchResults, SearchError> {
        let Some(plan) = self.plan(query)? else {
            return Ok(SearchResults::default());
        };
        let query = self.query(&plan, kinds);

        let docs = self.searcher.num_docs() as usize;
        let offset = offset.min(docs);
        let limit = limit.min(docs - offset);
        if limit == 0 {
            let total = self
                .searcher
                .search(&query, &Count)
                .map_err(query_err("counting"))?;
            return Ok(SearchResults {
                hits: Vec::new(),
                total,
            });
        }
        // Ties break by key (kind, then id) whatever the segments.
        let by_score_then_key = (
            SortBySimilarityScore,
            (SortByStaticFastValue::<u64>::for_field("key"), Order::Asc),
        );
        let collector = (
            TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by(by_score_then_key),
            Count,
        );
        let (top, total) = self
            .searcher
            .search_with_statistics_provider(&query, &collector, &self.statistics())
            .map_err(query_err("searching"))?;

        let addresses: Vec<DocAddress> = top.iter().map(|&(_, address)| address).collect();
        let fields = self.matched_fields(&plan, &addresses)?;
        let hits = top
            .iter()
            .zip(fields)
            .map(|(&((score, _), address), field)| Hit {
                kind: self.hit_kind(address),
                score,
                field,
            })
            .collect();
        Ok(SearchResults { hits, total })
    }

    /// Turns the query text into words and their typos; `None` when it has none.
    fn plan(&self, query: &str) -> Result<Option<Plan>, SearchError> {
        let mut analyzer = self.analyzer.clone();
        let all = words(&mut analyzer, query);
        if all.is_empty() {
            return Ok(None);
        }
        let exact_name = all.join(" ");
        let last = all.len() - 1;

        // Stop words only count when the query has nothing else.
        let content: Vec<(usize, &String)> = all
            .iter()
            .enumerate()
            .filter(|(_, w)| !STOP_WORDS.contains(&w.as_str()))
            .collect();
        let chosen = if content.is_empty() {
            all.iter().enumerate().collect()
        } else {
            content
        };
        let mut words: Vec<QueryWord> = Vec::new();
        for (position, word) in chosen {
            let is_last = position == last;
            if let Some(existing) = words.iter_mut().find(|w| &w.text == word) {
                existing.is_last |= is_last;
            } else if words.len() < MAX_QUERY_WORDS {
                // Numbers and names with digits ("4242", "k8s", "es2015") are not misspelt.
                let has_digit = word.chars().any(char::is_numeric);
                let chars = word.chars().count();
                let distance = match chars {
                    _ if has_digit => 0,
                    0..=3 => 0,
                    4..=7 => 1,
                    _ => 2,
                };
                words.push(QueryWord {
                    text: word.clone(),
                    chars,
                    is_last,
                    distance,
                    typos: Vec::new(),
                });
            }
        }
        let several_words = words.len() > 1;
        for word in &mut words {
            if word.distance == 0 {
                continue;
            }
            // The field does not matter to the automaton: any text field will do.
            let term = Term::from_field_text(self.fields.text(TextField::Name), &word.text);
            let automaton = FuzzyTermQuery::new(term, word.distance, true)
                .automaton()
                .map_err(query_err("preparing typos"))?;
            let fields = TextField::ALL
                .into_iter()
                .filter(|f| f.typos())
                .map(|f| self.fields.text(f))
                // The every-word bonus needs them too, when there are several words.
                .chain(several_words.then_some(self.fields.anywhere));
            for field in fields {
                let terms = self
                    .typo_terms(field, &word.text, &automaton)
                    .map_err(query_err("looking up typos"))?;
                if !terms.is_empty() {
                    word.typos.push((field, terms));
                }
            }
        }
        Ok(Some(Plan { exact_name, words }))
    }

    /// The terms of `field` that `automaton` (a [`FuzzyTermQuery`]'s) accepts,
    /// but `word` itself.
    fn typo_terms(
        &self,
        field: Field,
        word: &str,
        automaton: &DfaWrapper,
    ) -> Result<Vec<Term>, TantivyError> {
        // Each once, though several segments have it.
        let mut texts = BTreeSet::new();
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().search(automaton).into_stream()?;
            while stream.advance() {
                let key = stream.key();
                if key != word.as_bytes()
                    && let Ok(text) = std::str::from_utf8(key)
                    && !texts.contains(text)
                {
                    texts.insert(text.to_owned());
                }
            }
        }
        Ok(texts
            .iter()
            .map(|text| Term::from_field_text(field, text))
            .collect())
    }

    /// The clauses of one word in one field, each boosted.
    fn clauses(&self, word: &QueryWord, field: TextField) -> Vec<Box<dyn Query>> {
        let term = Term::from_field_text(self.fields.text(field), &word.text);
        let boost = field.boost();
        let mut clauses: Vec<Box<dyn Query>> = Vec::with_capacity(3);
        if let Some(typos) = word.typos(self.fields.text(field)) {
            clauses.push(Box::new(ConstScoreQuery::new(typos, boost * TYPO)));
        }
        if word.is_last && field.prefixes(word.chars) {
            let prefix = FuzzyTermQuery::new_prefix(term.clone(), 0, true);
            clauses.push(Box::new(BoostQuery::new(Box::new(prefix), boost * PREFIX)));
        }
        let exact = TermQuery::new(term, IndexRecordOption::WithFreqs);
        clauses.push(Box::new(BoostQuery::new(Box::new(exact), boost)));
        clauses
    }

    /// The docs matching a word in any field, for the every-word bonus: the
    /// same docs as the union of its [`clauses`](Self::clauses) in every
    /// field, from fewer clauses and without scores.
    fn anywhere(&self, word: &QueryWord) -> Box<dyn Query> {
        // The name-like fields share one field (and their rules); the others are asked themselves.
        let fields = [(self.fields.anywhere, TextField::Name)].into_iter().chain(
            TextField::ALL
                .into_iter()
                .filter(|f| !f.name_like())
                .map(|f| (self.fields.text(f), f)),
        );
        let mut clauses: Vec<Box<dyn Query>> = Vec::new();
        for (field, rules) in fields {
            let term = Term::from_field_text(field, &word.text);
            if word.is_last && rules.prefixes(word.chars) {
                clauses.push(Box::new(FuzzyTermQuery::new_prefix(term.clone(), 0, true)));
            }
            clauses.push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
            if rules.typos() {
                clauses.extend(word.typos(field));
            }
        }
        Box::new(BooleanQuery::union(clauses))
    }

    /// The score of matching every one of `words` words (more than one): more
    /// than the clauses of all words but one can score.
    fn every_word_score(&self, words: usize) -> f32 {
        words.saturating_sub(1) as f32 * self.word_bound
    }

    /// The score of an exact name match for a query of `words` words: more
    /// than all the other clauses can score.
    fn exact_name_score(&self, words: usize) -> f32 {
        words as f32 * self.word_bound + self.every_word_score(words)
    }

    /// The exact whole-name clause.
    fn exact_name(&self, plan: &Plan) -> Box<dyn Query> {
        let term = Term::from_field_text(self.fields.name_exact, &plan.exact_name);
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let score = self.exact_name_score(plan.words.len());
        Box::new(ConstScoreQuery::new(Box::new(query), score))
    }

    /// The whole query: the words' clauses, their matched-word scores, the
    /// exact name, and the kinds.
    fn query(&self, plan: &Plan, kinds: &[SearchKind]) -> Box<dyn Query> {
        let mut should: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, self.exact_name(plan))];
        let mut every_word: Vec<Box<dyn Query>> = Vec::new();
        for word in &plan.words {
            let clauses = TextField::ALL
                .iter()
                .flat_map(|&field| self.clauses(word, field))
                .collect();
            let word_query = BooleanQuery::union(clauses);
            if plan.words.len() > 1 {
                every_word.push(self.anywhere(word));
            }
            should.push((Occur::Should, Box::new(word_query)));
        }
        if !every_word.is_empty() {
            let all = BooleanQuery::intersection(every_word);
            should.push((
                Occur::Should,
                Box::new(ConstScoreQuery::new(
                    Box::new(all),
                    self.every_word_score(plan.words.len()),
                )),
            ));
        }
        let text = Box::new(BooleanQuery::new(should));

        let mut codes: Vec<u64> = kinds.iter().map(|&k| kind_code(k)).collect();
        codes.sort_unstable();
        codes.dedup();
        if codes.is_empty() || codes.len() == 3 {
            return text;
        }
        let kinds = TermSetQuery::new(
            codes
                .into_iter()
                .map(|code| Term::from_field_u64(self.fields.kind, code)),
        );
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, text),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(kinds), 0.0)),
            ),
        ]))
    }

    /// The matched field of each hit: the first field, in the order name,
    /// alias, title, tag, summary, description, whose clauses (of all words)
    /// match it. Asked of one tantivy weight per field, whose scorer is
    /// seeked to the hits in doc order.
    fn matched_fields(
        &self,
        plan: &Plan,
        addresses: &[DocAddress],
    ) -> Result<Vec<MatchedField>, SearchError> {
        let mut matched: Vec<Option<MatchedField>> = vec![None; addresses.len()];
        let mut order: Vec<usize> = (0..addresses.len()).collect();
        order.sort_unstable_by_key(|&i| addresses[i]);
        let matching = EnableScoring::disabled_from_searcher(&self.searcher);
        for field in TextField::ALL {
            order.retain(|&i| matched[i].is_none());
            if order.is_empty() {
                break;
            }
            let mut clauses: Vec<Box<dyn Query>> = plan
                .words
                .iter()
                .flat_map(|word| self.clauses(word, field))
                .collect();
            if field == TextField::Name {
                clauses.push(self.exact_name(plan));
            }
            let weight = BooleanQuery::union(clauses)
                .weight(matching)
                .map_err(query_err("matching a field"))?;
            let mut scorer: Option<(u32, Box<dyn Scorer>)> = None;
            for &i in &order {
                let DocAddress {
                    segment_ord,
                    doc_id,
                } = addresses[i];
                let scorer = match &mut scorer {
                    Some((ord, scorer)) if *ord == segment_ord => scorer,
                    slot => {
                        let reader = self.searcher.segment_reader(segment_ord);
                        let opened = weight
                            .scorer(reader, 1.0)
                            .map_err(query_err("matching a field"))?;
                        &mut slot.insert((segment_ord, opened)).1
                    }
                };
                if scorer.doc() < doc_id {
                    scorer.seek(doc_id);
                }
                if scorer.doc() == doc_id {
                    matched[i] = Some(field.matched());
                }
            }
        }
        Ok(matched
            .into_iter()
            .map(|field| field.unwrap_or(MatchedField::Name))
            .collect())
    }

    fn statistics(&self) -> FieldStatistics<'_> {
        FieldStatistics {
            searcher: &self.searcher,
            segments: &self.columns,
            tokens: &self.field_tokens,
        }
    }

    /// The thing a document stands for, from its fast fields.
    fn hit_kind(&self, address: DocAddress) -> HitKind {
        let columns = &self.columns[address.segment_ord as usize];
        let id = columns.ids.first(address.doc_id).unwrap_or_default();
        match columns.kinds.first(address.doc_id) {
            Some(KIND_SKILL) => HitKind::Skill(SkillId(id)),
            Some(KIND_GUIDE) => HitKind::Guide(GuideId(id)),
            _ => HitKind::Resource(ResourceId(id)),
        }
    }
}

/// A query turned into words.
struct Plan {
    /// The whole query, normalized, to compare with whole skill names.
    exact_name: String,
    words: Vec<QueryWord>,
}

/// One distinct word of a query.
struct QueryWord {
    text: String,
    /// Its length in characters.
    chars: usize,
    /// Whether it ends the query, so it may be an unfinished word.
    is_last: bool,
    /// The typos allowed: 0, 1 or 2.
    distance: u8,
    /// Per field, the terms within `distance` typos of the word (not the word itself).
    typos: Vec<(Field, Vec<Term>)>,
}

impl QueryWord {
    /// The word's typos in `field`, if it has any there.
    fn typos(&self, field: Field) -> Option<Box<dyn Query>> {
        let (_, terms) = self.typos.iter().find(|(f, _)| *f == field)?;
        Some(Box::new(TermSetQuery::new(terms.iter().cloned())))
    }
}
