// PostGraphile 5 over skillgraph's PostgreSQL tables, set up as one would
// run it in production: read-only, no GraphiQL, no watch mode, no EXPLAIN in
// answers, a bounded pool. The database is DATABASE_URL.
//
// Schemas: `public` holds skillgraph's own tables (untouched); `bench` holds
// the functions of functions.sql that answer the graph questions
// (transitive prerequisites, learning path, search).

import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jsonPgSmartTags } from "postgraphile/utils";

const poolSize = Number(process.env.PGL_POOL_SIZE ?? 10);

// skillgraph's tables that are not part of the public catalog: tokens,
// learners' data, the change log, sea-orm's migration record. Keep them out
// of the GraphQL schema entirely, as a public PostGraphile API would.
const hidden = [
  "api_tokens",
  "change_log",
  "learner_tokens",
  "skill_statuses",
  "seaql_migrations",
];

const HideInternalTables = jsonPgSmartTags({
  version: 1,
  config: {
    class: Object.fromEntries(
      hidden.map((name) => [`public.${name}`, { tags: { behavior: "-*" } }]),
    ),
  },
});

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  plugins: [HideInternalTables],
  disablePlugins: [
    // The index-behaviours plugin hides orderBy/condition on unindexed
    // columns; skillgraph's tables have no index on `position` or
    // `parent_item_id`, and the roadmap query needs both (the tables are
    // small per parent, so this costs a sort of a few rows).
    "PgIndexBehaviorsPlugin",
  ],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public", "bench"],
      poolConfig: { max: poolSize },
    }),
  ],
  schema: {
    // A read API: no create/update/delete mutations.
    defaultBehavior: "-insert -update -delete",
    pgForbidSetofFunctionsToReturnNull: true,
  },
  grafserv: {
    host: "127.0.0.1",
    graphqlPath: "/graphql",
    graphiql: false,
    graphiqlOnGraphQLGET: false,
    watch: false,
    websockets: false,
    maxRequestLength: 100_000,
  },
  grafast: {
    explain: false,
  },
};

export default preset;
