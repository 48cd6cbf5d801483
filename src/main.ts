import type { FastifyInstance } from "fastify";
import { loadConfig, type Config } from "./config.js";
import { openDb, type Db } from "./core/db/index.js";
import { migrate, migrationStatus } from "./core/db/migrations.js";
import { createCheckpoints } from "./core/audit/checkpoints.js";
import { buildApp } from "./core/http/server.js";
import { purgeExpired, startWorker } from "./core/jobs/index.js";
import { eraseExpiredDossiers } from "./modules/eservices/index.js";
import { announceOpenedPhases } from "./modules/participation/index.js";
import { MODULES } from "./modules/index.js";
import { seedDemo } from "./seed/demo.js";

export async function openConfiguredDb(config: Config): Promise<Db> {
  return openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
}

/**
 * Opens the database, applies pending migrations (refusing a database in a state this code does
 * not know), seeds the demo network on a fresh database when asked, then listens.
 */
export async function serve(options: { demo: boolean; config?: Config }): Promise<{ app: FastifyInstance; stop: () => Promise<void> }> {
  const config = options.config ?? loadConfig();
  const db = await openConfiguredDb(config);
  const log = (line: string) => console.log(line);
  await migrationStatus(db);
  await migrate(db, log);
  if (options.demo && (await seedDemo(db, config.filesDir, config.publicUrl))) log("demo data loaded: the Local Open GovLab network and its 7 municipalities");
  const app = await buildApp({ config, db, modules: MODULES });
  // The daily purge also erases the personal data of dossiers past their procedure's retention.
  const stopWorker = startWorker(db, {
    "maintenance.purge": async (handle, payload) => {
      await purgeExpired(handle, payload);
      await eraseExpiredDossiers(handle, config.filesDir);
    },
    // Each chain's head, signed and published; a chain that no longer extends its last checkpoint is refused loudly.
    "audit.checkpoint": async (handle) => {
      const run = await createCheckpoints(handle);
      for (const problem of run.refused) app.log.error({ audit: problem }, "audit chain not checkpointed: it no longer extends its last checkpoint");
    },
  }, app.log);
  // Followers hear of a phase the day it opens: checked at start, then every ten minutes.
  const announce = () => announceOpenedPhases(db, app.notifier, config.publicUrl).catch((error: unknown) => app.log.error({ err: error }, "announcing opened phases failed"));
  const announcer = setInterval(announce, 10 * 60 * 1000);
  void announce();
  await app.listen({ port: config.port, host: config.host });
  const stop = async () => {
    clearInterval(announcer);
    await stopWorker();
    await app.close();
    await db.close();
  };
  return { app, stop };
}
