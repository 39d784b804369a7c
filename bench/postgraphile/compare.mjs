// Sends each benchmark scenario to skillgraph and to PostGraphile, brings
// both answers to one plain shape and checks that they hold the same data.
//
//   node compare.mjs --skillgraph http://127.0.0.1:8181/graphql \
//     --postgraphile http://127.0.0.1:5678/graphql \
//     --roadmap backend --skill <slug> [--target <slug>] [--query <words>]
//
// Prints `same: <scenario>` per scenario, or the differences; exits 1 when
// any scenario differs or fails. Runs on Node 20 or newer (global fetch).
//
// Normalising: skillgraph's enums are SCREAMING_CASE (ORDER_NOT_STRICT), the
// database's spellings are kebab-case (order-not-strict): PostGraphile's are
// mapped up. Ordered lists (sections, items, direct prerequisites, resources:
// all stored with positions) keep their order; unordered sets (a skill's
// guides, transitive prerequisites, the skills of a learning path) are
// sorted by slug. A learning path's order is checked to be a valid learning
// order on each side, since the two break ties differently.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    skillgraph: { type: "string", default: "http://127.0.0.1:8181/graphql" },
    postgraphile: { type: "string", default: "http://127.0.0.1:5678/graphql" },
    roadmap: { type: "string", default: "backend" },
    skill: { type: "string" },
    target: { type: "string" },
    query: { type: "string" },
  },
  strict: true,
});
if (!args.skill) {
  console.error("compare.mjs: --skill <slug> is needed");
  process.exit(2);
}
const target = args.target ?? args.skill;

function doc(name) {
  return readFileSync(join(here, "queries", `${name}.graphql`), "utf8");
}

async function ask(url, query, variables) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new Error(`${url}: ${error.cause?.message ?? error.message}`);
  }
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${url}: HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (body.errors?.length) {
    throw new Error(`${url}: ${body.errors.map((e) => e.message).join("; ")}`);
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return body.data;
}

/** The database's `order-not-strict` as skillgraph's `ORDER_NOT_STRICT`. */
const enumOf = (dbValue) => dbValue.toUpperCase().replaceAll("-", "_");
const bySlug = (a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);
const sortedBySlug = (list) => [...list].sort(bySlug);

// ---- the nested roadmap ----------------------------------------------------

function nestedFromSkillgraph(data) {
  const r = data.roadmap;
  if (!r) return null;
  return {
    slug: r.slug,
    title: r.title,
    description: r.description,
    sections: r.sections.map((s) => ({
      title: s.title,
      description: s.description,
      items: s.items.map((i) => ({
        recommendation: i.recommendation,
        skill: i.skill && {
          slug: i.skill.slug,
          name: i.skill.name,
          summary: i.skill.summary,
          level: i.skill.level,
          prerequisites: i.skill.prerequisites.map((p) => ({
            strength: p.strength,
            skill: { slug: p.skill.slug, name: p.skill.name },
          })),
          resources: i.skill.resources.map(({ kind, title, url }) => ({ kind, title, url })),
          guides: sortedBySlug(i.skill.guides.map(({ slug, title, url }) => ({ slug, title, url }))),
        },
      })),
    })),
  };
}

function nestedFromPostgraphile(data) {
  const r = data.roadmapBySlug;
  if (!r) return null;
  return {
    slug: r.slug,
    title: r.title,
    description: r.description,
    sections: r.roadmapSections.nodes.map((s) => ({
      title: s.title,
      description: s.description,
      items: s.roadmapItemsBySectionId.nodes.map((i) => ({
        recommendation: enumOf(i.recommendation),
        skill: i.skill && {
          slug: i.skill.slug,
          name: i.skill.name,
          summary: i.skill.summary,
          level: enumOf(i.skill.level),
          prerequisites: i.skill.skillPrerequisites.nodes.map((p) => ({
            strength: enumOf(p.strength),
            skill: { slug: p.requires.slug, name: p.requires.name },
          })),
          resources: i.skill.resources.nodes.map(({ kind, title, url }) => ({
            kind: enumOf(kind),
            title,
            url,
          })),
          guides: sortedBySlug(
            i.skill.guideSkills.nodes.map(({ guide: { slug, title, url } }) => ({ slug, title, url })),
          ),
        },
      })),
    })),
  };
}

// ---- the skill page --------------------------------------------------------

function skillFromSkillgraph(data) {
  const s = data.skill;
  if (!s) return null;
  return {
    slug: s.slug,
    name: s.name,
    summary: s.summary,
    description: s.description,
    level: s.level,
    resources: s.resources.map(({ kind, title, url }) => ({ kind, title, url })),
    guides: sortedBySlug(s.guides.map(({ slug, title, url }) => ({ slug, title, url }))),
    prerequisites: sortedBySlug(
      s.prerequisites.map((p) => ({
        slug: p.skill.slug,
        name: p.skill.name,
        distance: p.distance,
        strength: p.strength,
      })),
    ),
  };
}

function skillFromPostgraphile(data) {
  const s = data.skillBySlug;
  if (!s) return null;
  return {
    slug: s.slug,
    name: s.name,
    summary: s.summary,
    description: s.description,
    level: enumOf(s.level),
    resources: s.resources.nodes.map(({ kind, title, url }) => ({ kind: enumOf(kind), title, url })),
    guides: sortedBySlug(s.guideSkills.nodes.map(({ guide: { slug, title, url } }) => ({ slug, title, url }))),
    prerequisites: sortedBySlug(
      s.transitivePrerequisitesList.map((p) => ({
        slug: p.skill.slug,
        name: p.skill.name,
        distance: p.distance,
        strength: enumOf(p.strength),
      })),
    ),
  };
}

// ---- the learning path -----------------------------------------------------

// Not a benchmark scenario: the required edges among the path's skills, read
// from the database, to check that each side's order is a learning order.
const PATH_EDGES = `
query PathEdges($target: String!) {
  learningPathList(target: $target) {
    skill {
      slug
      skillPrerequisites(condition: { strength: "required" }) {
        nodes { requires { slug } }
      }
    }
  }
}`;

/** The places where `order` puts a skill before one of its prerequisites. */
function orderProblems(side, order, edges) {
  const place = new Map(order.map((slug, i) => [slug, i]));
  const problems = [];
  if (place.size !== order.length) problems.push(`${side}: a skill appears twice in the path`);
  for (const [slug, requires] of edges) {
    if (!place.has(slug)) continue;
    for (const r of requires) {
      if (!place.has(r)) problems.push(`${side}: ${slug} needs ${r}, which is not on the path`);
      else if (place.get(r) > place.get(slug)) {
        problems.push(`${side}: ${slug} (step ${place.get(slug) + 1}) comes before its prerequisite ${r} (step ${place.get(r) + 1})`);
      }
    }
  }
  return problems;
}

// ---- comparing -------------------------------------------------------------

/** Every place where `a` and `b` differ, as `path: a | b`. */
function differences(a, b, path = "$", out = []) {
  if (out.length >= 25) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: ${a.length} entries | ${b.length} entries`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) differences(a[i], b[i], `${path}[${i}]`, out);
    return out;
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    const label = a.slug ?? a.title;
    for (const k of keys) differences(a[k], b[k], `${path}${label && k !== "slug" && k !== "title" ? `<${label}>` : ""}.${k}`, out);
    return out;
  }
  if (a !== b) out.push(`${path}: ${JSON.stringify(a)} | ${JSON.stringify(b)}`);
  return out;
}

let failed = false;

function report(scenario, problems, note = "") {
  if (problems.length === 0) {
    console.log(`same: ${scenario}${note ? ` (${note})` : ""}`);
    return;
  }
  failed = true;
  console.log(`DIFFERENT: ${scenario} (left: skillgraph | right: postgraphile)`);
  for (const p of problems) console.log(`  ${p}`);
}

async function scenario(name, run) {
  try {
    await run();
  } catch (error) {
    failed = true;
    console.log(`FAILED: ${name}: ${error.message}`);
  }
}

let skillName;

await scenario("nested", async () => {
  const vars = { slug: args.roadmap };
  const [sg, pg] = await Promise.all([
    ask(args.skillgraph, doc("skillgraph-nested"), vars),
    ask(args.postgraphile, doc("postgraphile-nested"), vars),
  ]);
  const left = nestedFromSkillgraph(sg);
  const right = nestedFromPostgraphile(pg);
  if (!left) throw new Error(`skillgraph has no roadmap ${args.roadmap}`);
  const items = left.sections.reduce((n, s) => n + s.items.length, 0);
  report("nested", differences(left, right), `roadmap ${args.roadmap}: ${left.sections.length} sections, ${items} items`);
});

await scenario("skill", async () => {
  const vars = { slug: args.skill };
  const [sg, pg] = await Promise.all([
    ask(args.skillgraph, doc("skillgraph-skill"), vars),
    ask(args.postgraphile, doc("postgraphile-skill"), vars),
  ]);
  const left = skillFromSkillgraph(sg);
  const right = skillFromPostgraphile(pg);
  if (!left) throw new Error(`skillgraph has no skill ${args.skill}`);
  skillName = left.name;
  report("skill", differences(left, right), `${args.skill}: ${left.prerequisites.length} transitive prerequisites`);
});

await scenario("path", async () => {
  const vars = { target };
  const [sg, pg, edgeData] = await Promise.all([
    ask(args.skillgraph, doc("skillgraph-path"), vars),
    ask(args.postgraphile, doc("postgraphile-path"), vars),
    ask(args.postgraphile, PATH_EDGES, vars),
  ]);
  const steps = sg.learningPath.steps;
  const problems = [];
  if (sg.learningPath.length !== steps.length) {
    problems.push(`skillgraph: length ${sg.learningPath.length} but ${steps.length} steps`);
  }
  const positionsOk = (list) => list.every((s, i) => s.position === i + 1);
  if (!positionsOk(steps)) problems.push("skillgraph: positions are not 1, 2, 3, ...");
  if (!positionsOk(pg.learningPathList)) problems.push("postgraphile: positions are not 1, 2, 3, ...");
  const sgOrder = steps.map((s) => s.skill.slug);
  const pgOrder = pg.learningPathList.map((s) => s.skill.slug);
  const plain = (list) => sortedBySlug(list.map((s) => ({ slug: s.skill.slug, name: s.skill.name })));
  problems.push(...differences(plain(steps), plain(pg.learningPathList)));
  const edges = new Map(
    edgeData.learningPathList.map((s) => [s.skill.slug, s.skill.skillPrerequisites.nodes.map((n) => n.requires.slug)]),
  );
  problems.push(...orderProblems("skillgraph", sgOrder, edges));
  problems.push(...orderProblems("postgraphile", pgOrder, edges));
  if (sgOrder.at(-1) !== target) problems.push(`skillgraph: the path does not end with ${target}`);
  if (pgOrder.at(-1) !== target) problems.push(`postgraphile: the path does not end with ${target}`);
  const sameOrder = sgOrder.join() === pgOrder.join();
  report(
    "path",
    problems,
    `${target}: ${steps.length} steps, both valid learning orders${sameOrder ? ", identical" : ", ties broken differently"}`,
  );
});

await scenario("search", async () => {
  // No equality: the rankings differ by design. Both must answer at most 10
  // skills, and when the query is the skill's own name, both must find it.
  const query = args.query ?? skillName ?? args.skill.replaceAll("-", " ");
  const vars = { query };
  const [sg, pg] = await Promise.all([
    ask(args.skillgraph, doc("skillgraph-search"), vars),
    ask(args.postgraphile, doc("postgraphile-search"), vars),
  ]);
  const left = sg.search.nodes.filter((n) => n.skill).map((n) => n.skill.slug);
  const right = pg.searchSkillsList.map((s) => s.slug);
  const problems = [];
  if (left.length > 10) problems.push(`skillgraph: ${left.length} hits, more than 10`);
  if (right.length > 10) problems.push(`postgraphile: ${right.length} hits, more than 10`);
  if (left.length === 0) problems.push(`skillgraph: no hit for "${query}"`);
  if (right.length === 0) problems.push(`postgraphile: no hit for "${query}"`);
  if (!args.query && skillName) {
    if (!left.includes(args.skill)) problems.push(`skillgraph: "${query}" does not find ${args.skill}`);
    if (!right.includes(args.skill)) problems.push(`postgraphile: "${query}" does not find ${args.skill}`);
  }
  const common = left.filter((s) => right.includes(s)).length;
  report(
    "search",
    problems,
    `"${query}": ranking not compared; skillgraph ${left.length} hits, postgraphile ${right.length}, ${common} in common`,
  );
});

process.exit(failed ? 1 : 0);
