// Installs functions.sql (schema `bench`) into DATABASE_URL; safe to run
// again. The same as:
//   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -q -f functions.sql
// Runs on Node 20 or 22. Restart PostGraphile afterwards (no watch mode).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("install-functions.mjs: DATABASE_URL is not set");
  process.exit(2);
}
const sql = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "functions.sql"), "utf8");
const client = new pg.Client({ connectionString: url });
try {
  await client.connect();
  // One simple-protocol query: the file's statements run in order, in one
  // implicit transaction, so a failure leaves nothing half-installed.
  await client.query(sql);
  const { rows } = await client.query(
    `select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'bench' order by 1`,
  );
  console.log(`installed bench functions: ${rows.map((r) => r.proname).join(", ")}`);
} catch (error) {
  console.error(`install-functions.mjs: ${error.message}`);
  process.exitCode = 1;
} finally {
  await client.end();
}
