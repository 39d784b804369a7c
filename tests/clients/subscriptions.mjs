// The graphql-ws client against skillgraph's /graphql: a catalogChanged
// event arrives after a mutation, a bad document is refused with the
// protocol's `error` message, and the protocol's rules are enforced.
import assert from 'node:assert/strict';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [httpUrl, token] = process.argv.slice(2);
if (!httpUrl || !token) {
  console.error('usage: node subscriptions.mjs http://127.0.0.1:PORT/graphql EDITOR_TOKEN');
  process.exit(2);
}
const wsUrl = httpUrl.replace(/^http/, 'ws');
const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
const withTimeout = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);

// 1. A subscription sees a mutation made over HTTP.
const event = new Promise((resolve, reject) => {
  client.subscribe(
    { query: 'subscription { catalogChanged { version changedSkills } }' },
    { next: resolve, error: reject, complete: () => reject(new Error('completed before an event')) },
  );
});
await new Promise((r) => setTimeout(r, 500));
const mutation = await fetch(httpUrl, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body: JSON.stringify({
    query: 'mutation { createSkill(input: { slug: "websockets", name: "WebSockets", summary: "Two-way messages over one HTTP connection.", level: INTERMEDIATE }) { catalogVersion } }',
  }),
}).then((r) => r.json());
assert.equal(mutation.errors, undefined, JSON.stringify(mutation));
const received = await withTimeout(event, 5000, 'catalogChanged');
assert.equal(received.data.catalogChanged.version, mutation.data.createSkill.catalogVersion);
assert.ok(received.data.catalogChanged.changedSkills.includes('websockets'), JSON.stringify(received));
console.log(`subscription: event for version ${received.data.catalogChanged.version}`);

// 2. A bad document is refused with an `error` message: the sink's error gets GraphQL errors.
const refusal = await withTimeout(
  new Promise((resolve, reject) => {
    client.subscribe(
      { query: 'subscription { noSuchField }' },
      { next: (v) => reject(new Error(`unexpected next: ${JSON.stringify(v)}`)), error: resolve, complete: () => reject(new Error('completed instead of an error')) },
    );
  }),
  5000,
  'the refusal',
);
assert.ok(Array.isArray(refusal), `errors, not ${refusal}`);
assert.match(refusal[0].message, /noSuchField/);
assert.equal(refusal[0].extensions?.code, 'BAD_USER_INPUT');
console.log(`bad document: refused with ${refusal.length} error(s): ${refusal[0].message}`);

// 3. A query over the socket: one result, then complete.
const results = [];
await withTimeout(
  new Promise((resolve, reject) => {
    client.subscribe({ query: '{ catalog { version } }' }, { next: (v) => results.push(v), error: reject, complete: resolve });
  }),
  5000,
  'a query',
);
assert.equal(results.length, 1);
assert.equal(results[0].data.catalog.version, mutation.data.createSkill.catalogVersion);
await client.dispose();

// 4. The protocol's rules, on a raw socket.
async function closeCode(send) {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
  const closed = new Promise((resolve) => socket.once('close', (code) => resolve(code)));
  send(socket);
  return withTimeout(closed, 6000, 'close');
}
assert.equal(await closeCode((s) => s.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } }))), 4401, 'subscribe before init');
assert.equal(await closeCode((s) => s.send('not json')), 4400, 'garbage');
assert.equal(
  await closeCode((s) => { s.send(JSON.stringify({ type: 'connection_init' })); s.send(JSON.stringify({ type: 'connection_init' })); }),
  4429,
  'two inits',
);
assert.equal(await closeCode(() => {}), 4408, 'no init');
console.log('protocol rules: 4401, 4400, 4429, 4408 as graphql-ws says');
