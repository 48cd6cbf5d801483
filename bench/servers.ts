// The two servers under test, in their own process so that the load generator in bench/home.ts
// does not share their event loop. Prints one JSON line with their addresses, then serves until
// it is stopped.
import Fastify from "fastify";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../src/config.js";
import { openDb } from "../src/core/db/index.js";
import { migrate } from "../src/core/db/migrations.js";
import { buildApp } from "../src/core/http/server.js";
import { MODULES } from "../src/modules/index.js";
import { seedDemo } from "../src/seed/demo.js";

// The platform as tests run it: embedded database in memory, demo network, no request logging.
const db = await openDb({});
await migrate(db);
await seedDemo(db, path.join(os.tmpdir(), "cite-bench-files"));
const config = { ...loadConfig({}), dataDir: "/nonexistent", publicUrl: "http://localhost:3000" };
const platform = await buildApp({ config, db, modules: MODULES, logger: false, rateLimits: { signIn: 1000, signUp: 1000 } });
await platform.listen({ port: 0, host: "127.0.0.1" });

const baseline = Fastify({ logger: false });
baseline.get("/", async () => "hello");
await baseline.listen({ port: 0, host: "127.0.0.1" });

const url = (port: number, path: string) => `http://127.0.0.1:${port}${path}`;
console.log(
  JSON.stringify({
    engine: db.engine,
    platform: url((platform.server.address() as AddressInfo).port, "/rufisque/"),
    baseline: url((baseline.server.address() as AddressInfo).port, "/"),
  }),
);

const stop = async () => {
  await platform.close();
  await baseline.close();
  await db.close();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
