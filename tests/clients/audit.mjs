// graphql-http's audit of the GraphQL-over-HTTP specification against a
// running skillgraph: every audit must be `ok`, no error and no warning.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}

const results = await auditServer({ url });
const counts = { ok: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    console.log(`${result.status.toUpperCase()} ${result.id}: ${result.name}`);
    console.log(`  ${result.reason}`);
    if (result.response) {
      const body = await result.response.text().catch(() => '');
      console.log(`  -> ${result.response.status} ${result.response.headers.get('content-type')} ${body.slice(0, 300)}`);
    }
  }
}
console.log(`graphql-http audit: ${counts.ok} ok, ${counts.warn} warnings, ${counts.error} errors (of ${results.length})`);
process.exit(counts.warn + counts.error === 0 ? 0 : 1);
