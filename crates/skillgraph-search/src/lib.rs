//! Ranked, typo-tolerant full-text search over one [`Catalog`] snapshot:
//! skills (name, aliases, tags, summary, description), guides (title, tags,
//! description) and resources (title).
//!
//! A [`SearchIndex`] is built once per snapshot into an in-RAM tantivy index
//! and then only read; it is `Send + Sync` and shared between requests.
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
//! fields (names, aliases, titles, tags) together, an indexed `kind`, and
//! fast `kind`, `id` and `key` fields. Text is split on anything but letters
//! and digits, lowercased and ASCII-folded; summaries and descriptions also
//! drop English stop words. One document per thing means a matching
//! document *is* a distinct match, so tantivy's `Count` is the total.
//!
//! The index is sorted by `key` (kind, then id: skills, guides, resources;
//! tantivy's index sorting), and its segments are merged into one after the
//! single commit, so doc ids follow the catalog's order.
//!
//! BM25 normally averages a field's length over *all* documents, so a field
//! few documents have (aliases, or names next to the many resources) would
//! look long wherever it occurs and score low. The statistics given to
//! tantivy ([`Bm25StatisticsProvider`]) average each text field over the
//! documents that have it; document frequencies are tantivy's own.
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
//! One search (`search_with_statistics_provider`) with
//! `(TopDocs::with_limit(limit).and_offset(offset).order_by_score(), Count)`
//! gives the page and the total. `TopDocs` breaks
//! score ties by doc address, which is the catalog's order (kind, then id),
//! so the order is deterministic and pages agree with one big page.
//!
//! A hit's [`MatchedField`] is the first of name, alias, title, tag,
//! summary, description whose clauses (of all words; for the name, with the
//! exact-name clause) match it. tantivy answers that too: per field one
//! [`Weight`](tantivy::query::Weight), whose scorer is seeked to the
//! returned hits in doc order, and only for the hits no earlier field
//! matched.

use skillgraph_domain::{Catalog, GuideId, ResourceId, SkillId};
use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::Column;
use tantivy::indexer::{IndexWriterOptions, NoMergePolicy};
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
    DocAddress, DocSet, Index, IndexSettings, IndexSortByField, IndexWriter, Order, ReloadPolicy,
    Searcher, TantivyDocument, TantivyError, Term,
};

#[cfg(test)]
mod tests;

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
    let kind = builder.add_u64_field("kind", INDEXED | FAST);
    let id = builder.add_i64_field("id", FAST);
    let key = builder.add_u64_field("key", FAST);
    (
        builder.build(),
        Fields {
            text,
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

/// The kind and id fast fields of one segment.
struct SegmentColumns {
    kinds: Column<u64>,
    ids: Column<i64>,
}

/// BM25 statistics in which a field's average length is taken over the
/// documents that have the field, not over all of them: otherwise a field
/// that few documents have (aliases) would look long wherever it occurs.
struct FieldStatistics<'a> {
    searcher: &'a Searcher,
    /// Per text field, its token count scaled by all documents over those with the field.
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
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.searcher.doc_freq(term)
    }
}

/// Each text field's token count scaled so that the average BM25 computes
/// is the average over the documents that have the field.
fn field_tokens(searcher: &Searcher, fields: &Fields) -> Result<Vec<(Field, u64)>, TantivyError> {
    let docs = Bm25StatisticsProvider::total_num_docs(searcher)?;
    let mut scaled = Vec::with_capacity(TextField::ALL.len());
    for field in TextField::ALL {
        let field = fields.text(field);
        let tokens = Bm25StatisticsProvider::total_num_tokens(searcher, field)?;
        let mut with_field = 0u64;
        for segment in searcher.segment_readers() {
            let norms = segment.get_fieldnorms_reader(field)?;
            with_field += (0..segment.max_doc())
                .filter(|&doc| norms.fieldnorm_id(doc) > 0)
                .count() as u64;
        }
        let tokens = if with_field == 0 {
            tokens
        } else {
            (u128::from(tokens) * u128::from(docs) / u128::from(with_field)) as u64
        };
        scaled.push((field, tokens));
    }
    Ok(scaled)
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

/// The search index of one catalog snapshot: built once, then only read.
pub struct SearchIndex {
    searcher: Searcher,
    columns: Vec<SegmentColumns>,
    /// See [`FieldStatistics`].
    field_tokens: Vec<(Field, u64)>,
    /// More than one query word's clauses can score, in all fields together.
    word_bound: f32,
    fields: Fields,
    analyzer: TextAnalyzer,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("documents", &self.searcher.num_docs())
            .field("segments", &self.columns.len())
            .finish_non_exhaustive()
    }
}

/// The text of one thing to index.
#[derive(Default)]
struct Entry<'a> {
    name: Option<&'a str>,
    aliases: Vec<&'a str>,
    tags: Vec<&'a str>,
    title: Option<&'a str>,
    summary: Option<&'a str>,
    description: Option<&'a str>,
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

        let mut analyzer = words_analyzer();
        let mut add = |kind: u64, id: i64, entry: Entry<'_>| -> Result<(), SearchError> {
            let mut doc = TantivyDocument::default();
            doc.add_u64(fields.kind, kind);
            doc.add_i64(fields.id, id);
            doc.add_u64(fields.key, sort_key(kind, id));
            let texts = [
                (TextField::Name, entry.name.as_slice()),
                (TextField::Alias, &entry.aliases),
                (TextField::Tag, &entry.tags),
                (TextField::Title, entry.title.as_slice()),
                (TextField::Summary, entry.summary.as_slice()),
                (TextField::Description, entry.description.as_slice()),
            ];
            for (field, values) in texts {
                for value in values {
                    doc.add_text(fields.text(field), value);
                    if field.name_like() {
                        doc.add_text(fields.anywhere, value);
                    }
                }
            }
            if let Some(name) = entry.name {
                let name = words(&mut analyzer, name).join(" ");
                if !name.is_empty() {
                    doc.add_text(fields.name_exact, name);
                }
            }
            writer
                .add_document(doc)
                .map_err(build_err("adding a document"))?;
            Ok(())
        };

        for skill in catalog.skills() {
            add(
                KIND_SKILL,
                skill.id.0,
                Entry {
                    name: Some(skill.name.as_str()),
                    aliases: skill.aliases.iter().map(|a| a.as_str()).collect(),
                    tags: skill.tags.iter().map(|t| t.as_str()).collect(),
                    summary: Some(skill.summary.as_str()),
                    description: Some(skill.description.as_str()),
                    ..Entry::default()
                },
            )?;
            for resource in catalog.resources(skill.id) {
                add(
                    KIND_RESOURCE,
                    resource.id.0,
                    Entry {
                        title: Some(resource.title.as_str()),
                        ..Entry::default()
                    },
                )?;
            }
        }
        for guide in catalog.guides() {
            add(
                KIND_GUIDE,
                guide.id.0,
                Entry {
                    title: Some(guide.title.as_str()),
                    tags: guide.tags.iter().map(|t| t.as_str()).collect(),
                    description: Some(guide.description.as_str()),
                    ..Entry::default()
                },
            )?;
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

        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(build_err("opening the reader"))?;
        let searcher = reader.searcher();
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|segment| {
                let fast = segment.fast_fields();
                Ok(SegmentColumns {
                    kinds: fast.u64("kind").map_err(build_err("opening kinds"))?,
                    ids: fast.i64("id").map_err(build_err("opening ids"))?,
                })
            })
            .collect::<Result<Vec<_>, SearchError>>()?;

        let field_tokens =
            field_tokens(&searcher, &fields).map_err(build_err("counting field lengths"))?;

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

        let word_bound = word_bound(searcher.num_docs());
        Ok(SearchIndex {
            searcher,
            columns,
            field_tokens,
            word_bound,
            fields,
            analyzer: words_analyzer(),
        })
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
        let collector = (
            TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_score(),
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
            .map(|(&(score, address), field)| Hit {
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
        let mut terms = Vec::new();
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().search(automaton).into_stream()?;
            while stream.advance() {
                let key = stream.key();
                if key != word.as_bytes()
                    && let Ok(text) = std::str::from_utf8(key)
                {
                    terms.push(Term::from_field_text(field, text));
                }
            }
        }
        Ok(terms)
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
