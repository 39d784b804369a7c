// A small typed client: the types come from graphql-codegen, the document
// from operations/NestedRoadmap.graphql; run with the server's URL, it
// fetches the backend roadmap and checks what came back.
import { readFileSync } from 'node:fs';
import type { NestedRoadmapQuery, NestedRoadmapQueryVariables } from './generated/operations.js';
import type { Recommendation, Skill } from './generated/schema.js';

type Item = NonNullable<NestedRoadmapQuery['roadmap']>['sections'][number]['items'][number];

async function nestedRoadmap(url: string, variables: NestedRoadmapQueryVariables): Promise<NestedRoadmapQuery> {
  const query = readFileSync(new URL('../operations/NestedRoadmap.graphql', import.meta.url), 'utf8');
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: NestedRoadmapQuery; errors?: { message: string }[] };
  if (!response.ok || body.errors || !body.data) {
    throw new Error(`${response.status}: ${JSON.stringify(body.errors)}`);
  }
  return body.data;
}

function count(items: Item[]): number {
  let n = 0;
  for (const item of items) {
    n += 1;
    for (const child of item.children) {
      n += 1;
      for (const grandchild of child.children) n += 1 + grandchild.children.length;
    }
  }
  return n;
}

const url = process.argv[2];
if (!url) throw new Error('usage: node dist/client.js http://127.0.0.1:PORT/graphql');
const data = await nestedRoadmap(url, { slug: 'backend' });
const roadmap = data.roadmap;
if (!roadmap) throw new Error('no backend roadmap');
const items = roadmap.sections.reduce((n, section) => n + count(section.items), 0);
if (items !== roadmap.skillCount) throw new Error(`${items} items, but skillCount is ${roadmap.skillCount}`);
const first = roadmap.sections[0]?.items[0];
const skill: Pick<Skill, 'slug' | 'name'> | null | undefined = first?.skill;
if (!first || !skill?.slug || first.skill?.resources.some((r) => !r.url.startsWith('https://'))) {
  throw new Error('the first item is not a skill with https resources');
}
const recommendations: Recommendation[] = ['RECOMMENDED', 'ALTERNATIVE', 'OPTIONAL', 'ORDER_NOT_STRICT'];
if (!recommendations.includes(first.recommendation)) throw new Error(`unknown recommendation ${first.recommendation}`);
console.log(`typed client: ${roadmap.title}, ${roadmap.sections.length} sections, ${items} skills`);
