// PostGraphile 5 serving the peer database (bench/peer/schema.sql) at /graphql,
// as its documentation sets it up: the Amber preset over the `peer` schema,
// served by grafserv on Node's own HTTP server, one process per worker.
//
//   node server.mjs --database URL --port PORT [--workers N] [--pool N]
//
// Workers (also a single one) are forked with node:cluster and share the listening port; each has
// its own connection pool. GraphiQL (ruru) and schema watching are off.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    database: { type: "string" },
    port: { type: "string" },
    workers: { type: "string", default: "1" },
    pool: { type: "string", default: "16" },
  },
});
const workers = Number(values.workers);

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (worker, code) => {
    console.error(`worker ${worker.process.pid} exited with ${code}`);
    process.exit(1);
  });
  process.on("SIGTERM", () => {
    for (const worker of Object.values(cluster.workers)) worker.kill("SIGTERM");
    process.exit(0);
  });
} else {
  const { postgraphile } = await import("postgraphile");
  const { grafserv } = await import("postgraphile/grafserv/node");
  const { PostGraphileAmberPreset } = await import("postgraphile/presets/amber");
  const { makePgService } = await import("postgraphile/adaptors/pg");

  const preset = {
    extends: [PostGraphileAmberPreset],
    pgServices: [
      makePgService({
        connectionString: values.database,
        schemas: ["peer"],
        poolConfig: { max: Number(values.pool) },
      }),
    ],
    grafserv: { port: Number(values.port), graphqlPath: "/graphql", graphiql: false, watch: false },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.keepAliveTimeout = 60_000;
  await serv.addTo(server);
  // The schema is built before the port opens, so a ready port means ready to serve.
  await pgl.getSchema();
  server.listen(Number(values.port), "127.0.0.1");
  process.on("SIGTERM", () => {
    server.close();
    pgl.release().finally(() => process.exit(0));
  });
}
