// GraphiQL and a roadmap diagram in a real browser: headless Chromium,
// driven by playwright-core, against a running skillgraph that serves
// GraphiQL's scripts itself. Screenshots go to the folder given.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error('usage: node browser.mjs http://127.0.0.1:PORT SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const failed = [];
  page.on('requestfailed', (request) => failed.push(request.url()));
  page.on('pageerror', (error) => failed.push(`page error: ${error.message}`));

  // 1. GraphiQL opens with the example query, runs it, shows the roadmap.
  await page.goto(`${base}/`, { waitUntil: 'load' });
  await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 30000 });
  const query = await page.evaluate(() => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue());
  assert.match(query, /roadmap\(slug: "backend"\)/, 'the editor opens with the nested-roadmap example');
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    () => {
      const result = document.querySelector('.result-window .CodeMirror');
      return result && result.CodeMirror.getValue().includes('"sections"');
    },
    null,
    { timeout: 30000 },
  );
  const result = JSON.parse(await page.evaluate(() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()));
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  assert.equal(result.data.roadmap.title, 'Backend Developer');
  assert.ok(result.data.roadmap.sections.length > 0);
  await page.screenshot({ path: join(shots, 'graphiql.png') });
  assert.deepEqual(failed, [], 'every asset loaded from the server itself');
  console.log(`graphiql: ran the example, ${result.data.roadmap.sections.length} sections shown; screenshot ${join(shots, 'graphiql.png')}`);

  // 2. The roadmap as SVG: every skill's name is drawn.
  const names = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ roadmap(slug: "backend") { learningOrder { name } } }' }),
  }).then((r) => r.json());
  const expected = names.data.roadmap.learningOrder.map((s) => s.name);
  const response = await page.goto(`${base}/roadmaps/backend.svg`, { waitUntil: 'load' });
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /image\/svg\+xml/);
  const drawn = await page.evaluate(() => document.documentElement.textContent);
  const missing = expected.filter((name) => !drawn.includes(name));
  assert.deepEqual(missing, [], 'every skill of the roadmap is in the diagram');
  await page.screenshot({ path: join(shots, 'backend-roadmap.png'), timeout: 60000 });
  console.log(`diagram: all ${expected.length} skills drawn; screenshot ${join(shots, 'backend-roadmap.png')}`);
} finally {
  await browser.close();
}
