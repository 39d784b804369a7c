//! A document compiled for the planned executor: for one operation and one
//! set of `@include`/`@skip` conditions, the fields of every selection set
//! already collected (fragments expanded, type conditions decided, fields
//! of one response key merged, in the order GraphQL's CollectFields gives),
//! each interned as the one catalog read it is ([`F`]), with its arguments
//! kept as written (a variable is read at execution).

use async_graphql::parser::Positioned;
use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Field as DocField, OperationDefinition,
    OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Variables};
use async_graphql_value::{ConstValue, Value};

/// Declares the types the planner writes: each with its schema name, and
/// for an interface, the object types that implement it.
macro_rules! planned_types {
    ($($ty:ident $(: [$($possible:ident),+])?),+ $(,)?) => {
        /// The types the planner writes, named as in the schema.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Ty {
            $(
                #[doc = concat!("`", stringify!($ty), "`.")]
                $ty
            ),+
        }

        impl Ty {
            /// Every planned type.
            pub const ALL: &[Ty] = &[$(Ty::$ty),+];

            /// The type's name in the schema, which `__typename` answers.
            pub fn name(self) -> &'static str {
                match self {
                    $(Ty::$ty => stringify!($ty)),+
                }
            }

            /// The object types of an interface; `None` for an object type.
            pub fn possible(self) -> Option<&'static [Ty]> {
                match self {
                    $($(Ty::$ty => Some(&[$(Ty::$possible),+]),)?)+
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }
        }
    };
}

planned_types! {
    Query,
    Skill,
    PrerequisiteLink,
    ExternalId,
    Resource,
    Roadmap,
    RoadmapSection,
    RoadmapItem,
    Guide,
    Author,
    LearningPath,
    LearningStep,
    RoadmapProgress,
    CatalogInfo,
    SkillConnection,
    SkillEdge,
    RoadmapConnection,
    RoadmapEdge,
    GuideConnection,
    GuideEdge,
    SearchHitConnection,
    SearchHitEdge,
    PageInfo,
    SkillHit,
    GuideHit,
    ResourceHit,
    Node: [Skill, Roadmap, Guide, Author, Resource, RoadmapSection, RoadmapItem],
    SearchHit: [SkillHit, GuideHit, ResourceHit],
}

impl Ty {
    /// Whether a fragment on `condition` applies to an object of this type.
    fn matches(self, condition: &str) -> bool {
        condition == self.name()
            || Ty::ALL.iter().any(|abstract_ty| {
                abstract_ty.name() == condition
                    && abstract_ty.possible().is_some_and(|p| p.contains(&self))
            })
    }
}

/// Declares the planned reads, and the table of which field of which type
/// each one answers and what type its value has when that is not a leaf
/// (`-`). One read may answer fields of several types (every connection's
/// `edges`).
macro_rules! planned_fields {
    (
        reads { $($read:ident: $doc:literal),+ $(,)? }
        fields { $($ty:ident . $name:literal => $field_read:ident -> $target:tt),+ $(,)? }
    ) => {
        /// One catalog read the planned executor knows how to write.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum F {
            $(
                #[doc = $doc]
                $read
            ),+
        }

        /// Every planned field: its type, its name in the schema, the read,
        /// and the type of its value unless it is a leaf.
        pub const FIELDS: &[(Ty, &str, F, Option<Ty>)] = &[
            $((Ty::$ty, $name, F::$field_read, planned_fields!(@target $target))),+
        ];
    };
    (@target -) => { None };
    (@target $t:ident) => { Some(Ty::$t) };
}

planned_fields! {
    reads {
        QueryRoadmap: "A roadmap by slug.",
        QuerySkill: "A skill by slug.",
        QueryGuide: "A guide by slug.",
        QueryAuthor: "An author by id or handle.",
        QueryCatalog: "The snapshot's version.",
        QueryLearningPath: "A learning path.",
        QueryPrerequisitePath: "The shortest chain of prerequisites.",
        QueryNode: "Any object by global id.",
        QueryNodes: "Objects by global ids.",
        QuerySkills: "The skills connection.",
        QueryRoadmaps: "The roadmaps connection.",
        QueryGuides: "The guides connection.",
        QuerySearch: "Search hits.",

        SkillId: "A skill's id.",
        SkillSlug: "A skill's slug.",
        SkillName: "A skill's name.",
        SkillSummary: "A skill's summary.",
        SkillDescription: "A skill's description.",
        SkillLevel: "A skill's level.",
        SkillTags: "A skill's tags.",
        SkillAliases: "A skill's aliases.",
        SkillExternalIds: "A skill's ids elsewhere.",
        SkillPrerequisites: "A skill's prerequisites.",
        SkillDependents: "A skill's dependents.",
        SkillParent: "A skill's parent.",
        SkillChildren: "A skill's children.",
        SkillRelated: "A skill's related skills.",
        SkillResources: "A skill's resources.",
        SkillGuides: "The guides covering a skill.",
        SkillRoadmaps: "The roadmaps holding a skill.",
        SkillViewerStatus: "The caller's status of a skill.",

        LinkSkill: "The skill at a link's other end.",
        LinkStrength: "A link's strength.",
        LinkDistance: "A link's distance.",

        ExternalIdScheme: "An external id's taxonomy.",
        ExternalIdValue: "An external id's value.",

        ResourceId: "A resource's id.",
        ResourceKind: "A resource's kind.",
        ResourceTitle: "A resource's title.",
        ResourceUrl: "A resource's address.",
        ResourceSkill: "A resource's skill.",

        RoadmapId: "A roadmap's id.",
        RoadmapSlug: "A roadmap's slug.",
        RoadmapTitle: "A roadmap's title.",
        RoadmapDescription: "A roadmap's description.",
        RoadmapSections: "A roadmap's sections.",
        RoadmapRelated: "A roadmap's related roadmaps.",
        RoadmapGuides: "A roadmap's guides.",
        RoadmapLearningOrder: "A roadmap's learning order.",
        RoadmapSkillCount: "How many skills a roadmap holds.",
        RoadmapViewerProgress: "The caller's progress on a roadmap.",

        SectionId: "A section's id.",
        SectionTitle: "A section's title.",
        SectionDescription: "A section's description.",
        SectionItems: "A section's items.",

        ItemId: "An item's id.",
        ItemSkill: "An item's skill.",
        ItemRecommendation: "An item's recommendation.",
        ItemChildren: "An item's children.",
        ItemViewerStatus: "The caller's status of an item's skill.",

        GuideId: "A guide's id.",
        GuideSlug: "A guide's slug.",
        GuideTitle: "A guide's title.",
        GuideDescription: "A guide's description.",
        GuideUrl: "A guide's address.",
        GuideAuthor: "A guide's author.",
        GuidePublishedOn: "When a guide was published.",
        GuideTags: "A guide's tags.",
        GuideBody: "A guide's body.",
        GuideRelated: "A guide's related guides.",
        GuideSkills: "The skills a guide covers.",

        AuthorId: "An author's id.",
        AuthorHandle: "An author's handle.",
        AuthorName: "An author's name.",
        AuthorLinks: "An author's links.",
        AuthorGuides: "An author's guides.",

        PathTargets: "A learning path's targets.",
        PathSteps: "A learning path's steps.",
        PathLength: "A learning path's length.",

        StepPosition: "A step's position.",
        StepSkill: "A step's skill.",
        StepNeededBy: "The targets that need a step.",

        ProgressDone: "Skills done.",
        ProgressLearning: "Skills being learnt.",
        ProgressSkipped: "Skills skipped.",
        ProgressTotal: "Skills on the roadmap.",
        ProgressPercent: "The share finished.",

        CatalogVersion: "The catalog version.",
        CatalogUpdatedAt: "When it was committed.",

        ConnectionEdges: "A connection's edges.",
        ConnectionNodes: "A connection's nodes.",
        ConnectionPageInfo: "Where a page lies.",
        ConnectionTotalCount: "How many match in all.",
        EdgeCursor: "An edge's cursor.",
        EdgeNode: "An edge's node.",
        PageHasPrevious: "Whether items come before the page.",
        PageHasNext: "Whether items come after the page.",
        PageStartCursor: "The page's first cursor.",
        PageEndCursor: "The page's last cursor.",

        HitSkill: "The skill a hit found.",
        HitGuide: "The guide a hit found.",
        HitResource: "The resource a hit found.",
        HitScore: "A hit's score.",
        HitMatchedField: "The field a hit matched.",
    }
    fields {
        Query."roadmap" => QueryRoadmap -> Roadmap,
        Query."skill" => QuerySkill -> Skill,
        Query."guide" => QueryGuide -> Guide,
        Query."author" => QueryAuthor -> Author,
        Query."catalog" => QueryCatalog -> CatalogInfo,
        Query."learningPath" => QueryLearningPath -> LearningPath,
        Query."prerequisitePath" => QueryPrerequisitePath -> Skill,
        Query."node" => QueryNode -> Node,
        Query."nodes" => QueryNodes -> Node,
        Query."skills" => QuerySkills -> SkillConnection,
        Query."roadmaps" => QueryRoadmaps -> RoadmapConnection,
        Query."guides" => QueryGuides -> GuideConnection,
        Query."search" => QuerySearch -> SearchHitConnection,

        Skill."id" => SkillId -> -,
        Skill."slug" => SkillSlug -> -,
        Skill."name" => SkillName -> -,
        Skill."summary" => SkillSummary -> -,
        Skill."description" => SkillDescription -> -,
        Skill."level" => SkillLevel -> -,
        Skill."tags" => SkillTags -> -,
        Skill."aliases" => SkillAliases -> -,
        Skill."externalIds" => SkillExternalIds -> ExternalId,
        Skill."prerequisites" => SkillPrerequisites -> PrerequisiteLink,
        Skill."dependents" => SkillDependents -> PrerequisiteLink,
        Skill."parent" => SkillParent -> Skill,
        Skill."children" => SkillChildren -> Skill,
        Skill."related" => SkillRelated -> Skill,
        Skill."resources" => SkillResources -> Resource,
        Skill."guides" => SkillGuides -> Guide,
        Skill."roadmaps" => SkillRoadmaps -> Roadmap,
        Skill."viewerStatus" => SkillViewerStatus -> -,

        PrerequisiteLink."skill" => LinkSkill -> Skill,
        PrerequisiteLink."strength" => LinkStrength -> -,
        PrerequisiteLink."distance" => LinkDistance -> -,

        ExternalId."scheme" => ExternalIdScheme -> -,
        ExternalId."value" => ExternalIdValue -> -,

        Resource."id" => ResourceId -> -,
        Resource."kind" => ResourceKind -> -,
        Resource."title" => ResourceTitle -> -,
        Resource."url" => ResourceUrl -> -,
        Resource."skill" => ResourceSkill -> Skill,

        Roadmap."id" => RoadmapId -> -,
        Roadmap."slug" => RoadmapSlug -> -,
        Roadmap."title" => RoadmapTitle -> -,
        Roadmap."description" => RoadmapDescription -> -,
        Roadmap."sections" => RoadmapSections -> RoadmapSection,
        Roadmap."relatedRoadmaps" => RoadmapRelated -> Roadmap,
        Roadmap."guides" => RoadmapGuides -> Guide,
        Roadmap."learningOrder" => RoadmapLearningOrder -> Skill,
        Roadmap."skillCount" => RoadmapSkillCount -> -,
        Roadmap."viewerProgress" => RoadmapViewerProgress -> RoadmapProgress,

        RoadmapSection."id" => SectionId -> -,
        RoadmapSection."title" => SectionTitle -> -,
        RoadmapSection."description" => SectionDescription -> -,
        RoadmapSection."items" => SectionItems -> RoadmapItem,

        RoadmapItem."id" => ItemId -> -,
        RoadmapItem."skill" => ItemSkill -> Skill,
        RoadmapItem."recommendation" => ItemRecommendation -> -,
        RoadmapItem."children" => ItemChildren -> RoadmapItem,
        RoadmapItem."viewerStatus" => ItemViewerStatus -> -,

        Guide."id" => GuideId -> -,
        Guide."slug" => GuideSlug -> -,
        Guide."title" => GuideTitle -> -,
        Guide."description" => GuideDescription -> -,
        Guide."url" => GuideUrl -> -,
        Guide."author" => GuideAuthor -> Author,
        Guide."publishedOn" => GuidePublishedOn -> -,
        Guide."tags" => GuideTags -> -,
        Guide."body" => GuideBody -> -,
        Guide."relatedGuides" => GuideRelated -> Guide,
        Guide."skills" => GuideSkills -> Skill,

        Author."id" => AuthorId -> -,
        Author."handle" => AuthorHandle -> -,
        Author."name" => AuthorName -> -,
        Author."links" => AuthorLinks -> -,
        Author."guides" => AuthorGuides -> Guide,

        LearningPath."targets" => PathTargets -> Skill,
        LearningPath."steps" => PathSteps -> LearningStep,
        LearningPath."length" => PathLength -> -,

        LearningStep."position" => StepPosition -> -,
        LearningStep."skill" => StepSkill -> Skill,
        LearningStep."neededBy" => StepNeededBy -> Skill,

        RoadmapProgress."done" => ProgressDone -> -,
        RoadmapProgress."learning" => ProgressLearning -> -,
        RoadmapProgress."skipped" => ProgressSkipped -> -,
        RoadmapProgress."total" => ProgressTotal -> -,
        RoadmapProgress."percent" => ProgressPercent -> -,

        CatalogInfo."version" => CatalogVersion -> -,
        CatalogInfo."updatedAt" => CatalogUpdatedAt -> -,

        SkillConnection."edges" => ConnectionEdges -> SkillEdge,
        SkillConnection."nodes" => ConnectionNodes -> Skill,
        SkillConnection."pageInfo" => ConnectionPageInfo -> PageInfo,
        SkillConnection."totalCount" => ConnectionTotalCount -> -,
        SkillEdge."cursor" => EdgeCursor -> -,
        SkillEdge."node" => EdgeNode -> Skill,
        RoadmapConnection."edges" => ConnectionEdges -> RoadmapEdge,
        RoadmapConnection."nodes" => ConnectionNodes -> Roadmap,
        RoadmapConnection."pageInfo" => ConnectionPageInfo -> PageInfo,
        RoadmapConnection."totalCount" => ConnectionTotalCount -> -,
        RoadmapEdge."cursor" => EdgeCursor -> -,
        RoadmapEdge."node" => EdgeNode -> Roadmap,
        GuideConnection."edges" => ConnectionEdges -> GuideEdge,
        GuideConnection."nodes" => ConnectionNodes -> Guide,
        GuideConnection."pageInfo" => ConnectionPageInfo -> PageInfo,
        GuideConnection."totalCount" => ConnectionTotalCount -> -,
        GuideEdge."cursor" => EdgeCursor -> -,
        GuideEdge."node" => EdgeNode -> Guide,
        SearchHitConnection."edges" => ConnectionEdges -> SearchHitEdge,
        SearchHitConnection."nodes" => ConnectionNodes -> SearchHit,
        SearchHitConnection."pageInfo" => ConnectionPageInfo -> PageInfo,
        SearchHitConnection."totalCount" => ConnectionTotalCount -> -,
        SearchHitEdge."cursor" => EdgeCursor -> -,
        SearchHitEdge."node" => EdgeNode -> SearchHit,
        PageInfo."hasPreviousPage" => PageHasPrevious -> -,
        PageInfo."hasNextPage" => PageHasNext -> -,
        PageInfo."startCursor" => PageStartCursor -> -,
        PageInfo."endCursor" => PageEndCursor -> -,

        SkillHit."skill" => HitSkill -> Skill,
        SkillHit."score" => HitScore -> -,
        SkillHit."matchedField" => HitMatchedField -> -,
        GuideHit."guide" => HitGuide -> Guide,
        GuideHit."score" => HitScore -> -,
        GuideHit."matchedField" => HitMatchedField -> -,
        ResourceHit."resource" => HitResource -> Resource,
        ResourceHit."score" => HitScore -> -,
        ResourceHit."matchedField" => HitMatchedField -> -,
    }
}

/// Fields of the planned types that the planner leaves to async-graphql on
/// purpose, with why: a document that asks for one runs on the reference
/// executor.
pub const UNPLANNED: &[(&str, &str, &str)] = &[
    (
        "Query",
        "apiTokens",
        "an admin's read of the database, not the catalog",
    ),
    (
        "Query",
        "learnerTokens",
        "an admin's read of the database, not the catalog",
    ),
    (
        "Query",
        "changeLog",
        "an admin's read of the database, not the catalog",
    ),
    (
        "Query",
        "viewer",
        "the learner's own records, read from the database",
    ),
    (
        "Query",
        "search",
        "a connection of an interface: not planned yet",
    ),
    (
        "Skill",
        "learnerStats",
        "needs an editor's role and a batched database read",
    ),
    (
        "Roadmap",
        "diagram",
        "laid out off the async threads, a large text",
    ),
    (
        "Roadmap",
        "checklist",
        "one text, rendered by the checklist crate",
    ),
];

/// The planned read of a field of `ty` named `name`, if there is one, and
/// the type of its value unless it is a leaf.
pub fn field(ty: Ty, name: &str) -> Option<(F, Option<Ty>)> {
    FIELDS
        .iter()
        .find(|(t, n, _, _)| *t == ty && *n == name)
        .map(|(_, _, f, target)| (*f, *target))
}

/// One field of an answer: the response key, already written as JSON
/// (`"key":`), what to read, and for an object, its selection.
pub struct Field {
    /// `"key":`, escaped.
    pub key: Box<[u8]>,
    /// What the field reads; `None` for `__typename`.
    pub read: Option<F>,
    /// The name of the type the field is selected on, which `__typename` answers.
    pub typename: &'static str,
    /// The arguments as written, variables unresolved.
    pub args: Vec<(Name, Value)>,
    /// The collected selection of an object-valued field.
    pub selection: Fields,
    /// For a field whose value is an interface, the collected selection
    /// for each object type it may be.
    pub variants: Vec<(Ty, Fields)>,
}

impl Field {
    /// The selection for a value of object type `ty` of an interface-valued field.
    pub fn variant(&self, ty: Ty) -> Option<&Fields> {
        self.variants.iter().find(|(t, _)| *t == ty).map(|(_, f)| f)
    }
}

/// The fields of one object in the answer, in answer order.
#[derive(Default)]
pub struct Fields {
    /// The fields, collected and merged.
    pub fields: Vec<Field>,
}

/// A compiled operation.
pub struct Plan {
    /// The root selection, on the query type.
    pub root: Fields,
    /// Whether any field reads the caller's statuses (`viewerStatus`,
    /// `viewerProgress`, or a learning path that may default to them).
    pub reads_statuses: bool,
    /// Each variable's value when the request leaves it out: its default,
    /// `null` for a nullable one, none for a required one.
    pub defaults: Vec<(Name, Option<ConstValue>)>,
    /// The size of the last answer written, so the next buffer is allocated
    /// once at about the right size.
    last_size: std::sync::atomic::AtomicUsize,
}

impl Plan {
    /// The buffer to allocate for an answer: a little more than the last.
    pub fn expected_size(&self) -> usize {
        let last = self.last_size.load(std::sync::atomic::Ordering::Relaxed);
        (last + last / 8).clamp(1 << 10, 16 << 20)
    }

    /// Remembers an answer's size for the next.
    pub fn expect_size(&self, size: usize) {
        self.last_size
            .store(size, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Why a document is left to the reference executor.
#[derive(Debug, PartialEq, Eq)]
pub struct Unplanned;

/// The variables that `@include`/`@skip` conditions read in the chosen
/// operation and the fragments, in a fixed order: the plan depends on their
/// values.
pub fn condition_variables(document: &ExecutableDocument, operation: Option<&str>) -> Vec<Name> {
    let mut names = Vec::new();
    let mut visit = |directives: &[Positioned<Directive>]| {
        for directive in directives {
            if let Some(arg) = directive.node.get_argument("if")
                && let Value::Variable(name) = &arg.node
                && !names.contains(name)
            {
                names.push(name.clone());
            }
        }
    };
    fn walk(set: &SelectionSet, visit: &mut impl FnMut(&[Positioned<Directive>])) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    visit(&f.node.directives);
                    walk(&f.node.selection_set.node, visit);
                }
                Selection::FragmentSpread(s) => visit(&s.node.directives),
                Selection::InlineFragment(i) => {
                    visit(&i.node.directives);
                    walk(&i.node.selection_set.node, visit);
                }
            }
        }
    }
    if let Some(op) = chosen(document, operation) {
        walk(&op.selection_set.node, &mut visit);
    }
    for fragment in document.fragments.values() {
        walk(&fragment.node.selection_set.node, &mut visit);
    }
    names
}

/// Whether a selection with these directives is left out, as async-graphql
/// decides it: a condition reads the request's variables only (not their
/// defaults), and anything but `true` counts as false.
pub fn skipped(directives: &[Positioned<Directive>], variables: &Variables) -> bool {
    directives.iter().any(|directive| {
        let include = match directive.node.name.node.as_str() {
            "skip" => false,
            "include" => true,
            _ => return false,
        };
        let Some(condition) = directive.node.get_argument("if") else {
            return false;
        };
        let value = condition
            .node
            .clone()
            .into_const_with(|name| variables.get(&name).cloned().ok_or(()))
            .unwrap_or_default();
        let value = matches!(value, ConstValue::Boolean(true));
        include != value
    })
}

/// The operation a request runs: the named one, or the only one.
fn chosen<'d>(
    document: &'d ExecutableDocument,
    operation: Option<&str>,
) -> Option<&'d OperationDefinition> {
    match (&document.operations, operation) {
        (DocumentOperations::Single(op), None) => Some(&op.node),
        (DocumentOperations::Single(_), Some(_)) => None,
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Compiles the chosen operation of a document, with `@include`/`@skip`
/// decided by `variables`; `Unplanned` when any part of it is not a planned
/// catalog read (a mutation, introspection, an unknown or unplanned field,
/// a directive other than the two), which async-graphql then runs.
pub fn compile(
    document: &ExecutableDocument,
    operation: Option<&str>,
    variables: &Variables,
) -> Result<Plan, Unplanned> {
    let op = chosen(document, operation).ok_or(Unplanned)?;
    if op.ty != OperationType::Query {
        return Err(Unplanned);
    }
    let defaults = op
        .variable_definitions
        .iter()
        .map(|def| {
            (
                def.node.name.node.clone(),
                def.node.default_value().cloned(),
            )
        })
        .collect();
    let mut compiler = Compiler {
        document,
        variables,
        reads_statuses: false,
        depth: 0,
    };
    let root = compiler.selection(Ty::Query, &[&op.selection_set.node])?;
    Ok(Plan {
        root,
        reads_statuses: compiler.reads_statuses,
        defaults,
        last_size: Default::default(),
    })
}

struct Compiler<'d> {
    document: &'d ExecutableDocument,
    variables: &'d Variables,
    reads_statuses: bool,
    /// Fragment spreads being expanded: a cycle (which validation refuses)
    /// stops here instead of looping.
    depth: usize,
}

/// The deepest chain of fragment spreads the planner follows.
const MAX_SPREADS: usize = 64;

impl<'d> Compiler<'d> {
    /// Collects the fields of `sets` (one, or several merged under one
    /// response key) for an object of type `ty`, then compiles each.
    fn selection(&mut self, ty: Ty, sets: &[&'d SelectionSet]) -> Result<Fields, Unplanned> {
        let mut grouped: Vec<(&'d str, Vec<&'d DocField>)> = Vec::new();
        for set in sets {
            self.collect(ty, set, &mut grouped)?;
        }
        let mut fields = Vec::with_capacity(grouped.len());
        for (key, group) in grouped {
            fields.push(self.field(ty, key, &group)?);
        }
        Ok(Fields { fields })
    }

    fn collect(
        &mut self,
        ty: Ty,
        set: &'d SelectionSet,
        grouped: &mut Vec<(&'d str, Vec<&'d DocField>)>,
    ) -> Result<(), Unplanned> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if self.excluded(&field.directives)? {
                        continue;
                    }
                    let key = field
                        .alias
                        .as_ref()
                        .map_or(field.name.node.as_str(), |a| a.node.as_str());
                    match grouped.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, group)) => group.push(field),
                        None => grouped.push((key, vec![field])),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if self.excluded(&spread.node.directives)? {
                        continue;
                    }
                    let fragment = self
                        .document
                        .fragments
                        .get(&spread.node.fragment_name.node)
                        .ok_or(Unplanned)?;
                    if !ty.matches(&fragment.node.type_condition.node.on.node) {
                        continue;
                    }
                    if !fragment.node.directives.is_empty() {
                        return Err(Unplanned);
                    }
                    self.depth += 1;
                    if self.depth > MAX_SPREADS {
                        return Err(Unplanned);
                    }
                    self.collect(ty, &fragment.node.selection_set.node, grouped)?;
                    self.depth -= 1;
                }
                Selection::InlineFragment(inline) => {
                    if self.excluded(&inline.node.directives)? {
                        continue;
                    }
                    if let Some(condition) = &inline.node.type_condition
                        && !ty.matches(&condition.node.on.node)
                    {
                        continue;
                    }
                    self.collect(ty, &inline.node.selection_set.node, grouped)?;
                }
            }
        }
        Ok(())
    }

    /// The selection of the occurrences `sets` of one response key on an
    /// object of type `target`. async-graphql resolves every occurrence on
    /// its own and merges the values into the first: an object the first
    /// occurrence selects nothing of is `null`, and stays `null` whatever a
    /// later occurrence selects.
    fn merged(
        &mut self,
        target: Ty,
        first: &'d DocField,
        sets: &[&'d SelectionSet],
        occurrences: usize,
    ) -> Result<Fields, Unplanned> {
        if occurrences > 1 && self.selects_nothing(target, first)? {
            return Ok(Fields::default());
        }
        self.selection(target, sets)
    }

    /// Whether the selection of one occurrence of a field collects no field.
    fn selects_nothing(&mut self, target: Ty, field: &'d DocField) -> Result<bool, Unplanned> {
        let mut grouped = Vec::new();
        self.collect(target, &field.selection_set.node, &mut grouped)?;
        Ok(grouped.is_empty())
    }

    /// Whether directives leave a selection out; `Unplanned` for any
    /// directive but `@include` and `@skip`.
    fn excluded(&self, directives: &[Positioned<Directive>]) -> Result<bool, Unplanned> {
        if directives
            .iter()
            .any(|d| !matches!(d.node.name.node.as_str(), "include" | "skip"))
        {
            return Err(Unplanned);
        }
        Ok(skipped(directives, self.variables))
    }

    fn field(&mut self, ty: Ty, key: &str, group: &[&'d DocField]) -> Result<Field, Unplanned> {
        let first = group[0];
        let mut json_key = serde_json::to_vec(key).map_err(|_| Unplanned)?;
        json_key.push(b':');
        let name = first.name.node.as_str();
        if name == "__typename" {
            return Ok(Field {
                key: json_key.into(),
                read: None,
                typename: ty.name(),
                args: Vec::new(),
                selection: Fields::default(),
                variants: Vec::new(),
            });
        }
        let (read, target) = field(ty, name).ok_or(Unplanned)?;
        // Fields merged under one key must be the same field with the
        // same arguments (validation holds them to it); anything else is
        // left to the reference to answer.
        let args: Vec<(Name, Value)> = first
            .arguments
            .iter()
            .map(|(n, v)| (n.node.clone(), v.node.clone()))
            .collect();
        for other in &group[1..] {
            let same_args = other.arguments.len() == args.len()
                && other
                    .arguments
                    .iter()
                    .zip(&args)
                    .all(|((n, v), (m, w))| n.node == *m && v.node == *w);
            if other.name.node != first.name.node || !same_args {
                return Err(Unplanned);
            }
        }
        if matches!(
            read,
            F::SkillViewerStatus
                | F::ItemViewerStatus
                | F::RoadmapViewerProgress
                | F::QueryLearningPath
        ) {
            self.reads_statuses = true;
        }
        let sets: Vec<&'d SelectionSet> = group.iter().map(|f| &f.selection_set.node).collect();
        let mut variants = Vec::new();
        let selection = match target {
            Some(target) => match target.possible() {
                Some(possible) => {
                    for concrete in possible {
                        let fields = self.merged(*concrete, first, &sets, group.len())?;
                        variants.push((*concrete, fields));
                    }
                    Fields::default()
                }
                None => self.merged(target, first, &sets, group.len())?,
            },
            None => {
                if group.iter().any(|f| !f.selection_set.node.items.is_empty()) {
                    return Err(Unplanned);
                }
                Fields::default()
            }
        };
        Ok(Field {
            key: json_key.into(),
            read: Some(read),
            typename: ty.name(),
            args,
            selection,
            variants,
        })
    }
}
