import type { FastifyInstance } from "fastify";
import { loadConfig, type Config } from "./config.js";
import { openDb, type Db } from "./core/db/index.js";
import { migrate, migrationStatus } from "./core/db/migrations.js";
import { buildApp } from "./core/http/server.js";
import { bindJobs, CORE_JOBS, startWorker } from "./core/jobs/index.js";
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
  // A first start seeds for a while: each step says what it creates, so that nobody thinks it hung.
  if (options.demo && (await seedDemo(db, config.filesDir, config.publicUrl, { progress: log }))) log("demo data loaded: the Local Open GovLab network and its 7 municipalities");
  const app = await buildApp({ config, db, modules: MODULES });
  const { handlers, schedules } = bindJobs([...CORE_JOBS, ...MODULES.flatMap((module) => module.jobs ?? [])], {
    log: app.log,
    filesDir: config.filesDir,
    publicUrl: config.publicUrl,
    notifier: app.notifier,
  });
  const stopWorker = startWorker(db, handlers, app.log, { schedules });
  await app.listen({ port: config.port, host: config.host });
  const stop = async () => {
    await stopWorker();
    await app.close();
    await db.close();
  };
  return { app, stop };
}
