// The schema guard: graphql-inspector validates the example operations
// against schema.graphql, and diffs schema.graphql against the previous
// commit's. A breaking change fails the run unless CHANGELOG.md records it
// (its path, e.g. `Query.skills`) under a heading with "Breaking" in it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diff, CriticalityLevel } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

const root = new URL('../../', import.meta.url).pathname;
const inspector = join(root, 'tests/clients/node_modules/.bin/graphql-inspector');
const run = (args) => spawnSync(inspector, args, { cwd: join(root, 'tests/clients'), encoding: 'utf8' });

const validate = run(['validate', 'operations/*.graphql', '../../schema.graphql']);
process.stdout.write(validate.stdout + validate.stderr);
if (validate.status !== 0) {
  console.error('schema guard: the example operations do not validate against schema.graphql');
  process.exit(1);
}

// The schema to compare with: the last commit's when the working tree
// changed it, else the one before (on a clean checkout of main).
const git = (...args) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
const current = readFileSync(join(root, 'schema.graphql'), 'utf8');
let base = null;
for (const revision of ['HEAD', 'HEAD~1']) {
  try {
    const text = git('show', `${revision}:schema.graphql`);
    if (text !== current || revision === 'HEAD~1') {
      base = { revision, text };
      break;
    }
  } catch {
    // No such revision (a shallow or first commit): nothing to compare with.
  }
}
if (!base) {
  console.log('schema guard: no earlier schema.graphql to compare with');
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'skillgraph-guard-'));
const old = join(dir, 'schema.graphql');
writeFileSync(old, base.text);
const diffed = run(['diff', old, join(root, 'schema.graphql')]);
process.stdout.write(diffed.stdout + diffed.stderr);
if (diffed.status === 0) {
  console.log(`schema guard: no breaking change against ${base.revision}`);
  process.exit(0);
}

// Breaking: allowed only where CHANGELOG.md says so under a Breaking heading.
const breaking = (await diff(buildSchema(base.text), buildSchema(current))).filter(
  (change) => change.criticality.level === CriticalityLevel.Breaking,
);
let recorded = '';
try {
  const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
  let inBreaking = false;
  for (const line of changelog.split('\n')) {
    const heading = /^#+\s+(.*)$/.exec(line);
    if (heading) inBreaking = /breaking/i.test(heading[1]);
    else if (inBreaking) recorded += `${line}\n`;
  }
} catch {
  // No changelog: nothing is recorded.
}
const unrecorded = breaking.filter((change) => !change.path || !recorded.includes(change.path));
for (const change of breaking) {
  const mark = unrecorded.includes(change) ? 'UNRECORDED' : 'recorded';
  console.log(`${mark}: ${change.path ?? '?'}: ${change.message}`);
}
if (unrecorded.length > 0) {
  console.error(`schema guard: ${unrecorded.length} breaking change(s) against ${base.revision} not recorded under a "Breaking" heading of CHANGELOG.md; deprecate before removing`);
  process.exit(1);
}
console.log(`schema guard: ${breaking.length} breaking change(s), each recorded in CHANGELOG.md`);
