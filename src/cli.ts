import { loadConfig } from "./config.js";
import { verifyAudit } from "./core/audit/index.js";
import { backup, restore } from "./core/db/backup.js";
import { migrate, migrationStatus } from "./core/db/migrations.js";
import { openConfiguredDb, serve } from "./main.js";
import { seedDemo } from "./seed/demo.js";

const USAGE = `Usage: cite <command>

  serve [--demo]     start the platform (migrates first; --demo loads demo data on a fresh database)
  migrate            apply pending database migrations
  seed               load the demo network if the database holds none
  backup FILE        write all data and stored files to FILE
  restore FILE       replace all data with FILE's (the database must be migrated)
  audit verify       check that no audit entry was modified or deleted

Configuration comes from the environment: PORT, HOST, DATA_DIR, DATABASE_URL (see README).`;

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openConfiguredDb>>) => Promise<T>): Promise<T> {
  const db = await openConfiguredDb(loadConfig());
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve": {
      const { stop } = await serve({ demo: rest.includes("--demo") });
      const shutdown = () => {
        stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once("SIGINT", shutdown);
      process.once("SIGTERM", shutdown);
      return -1;
    }
    case "migrate":
      return withDb(async (db) => {
        await migrationStatus(db);
        const applied = await migrate(db, (line) => console.log(line));
        console.log(applied.length ? `${applied.length} migration(s) applied` : "database is up to date");
        return 0;
      });
    case "seed":
      return withDb(async (db) => {
        await migrate(db);
        console.log((await seedDemo(db, loadConfig().filesDir, loadConfig().publicUrl)) ? "demo data loaded" : "the database already holds a network: nothing changed");
        return 0;
      });
    case "backup": {
      const file = rest[0];
      if (!file) break;
      return withDb(async (db) => {
        const result = await backup(db, file, loadConfig().filesDir);
        console.log(`backup written to ${file}: ${result.rows} rows from ${result.tables} tables`);
        return 0;
      });
    }
    case "restore": {
      const file = rest[0];
      if (!file) break;
      return withDb(async (db) => {
        await migrate(db);
        const result = await restore(db, file, loadConfig().filesDir);
        console.log(`restored ${result.rows} rows into ${result.tables} tables from ${file}`);
        return 0;
      });
    }
    case "audit":
      if (rest[0] !== "verify") break;
      return withDb(async (db) => {
        // One snapshot: entries appended by the running platform meanwhile must not look like tampering.
        const result = await db.transaction(async (tx) => {
          await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
          return verifyAudit(tx);
        });
        if (result.ok) {
          console.log(`audit log intact: ${result.checked} entries verified`);
          return 0;
        }
        console.error(`audit log TAMPERED: entry ${result.problem!.seq} is ${result.problem!.reason.replace("_", " ")} (${result.checked} entries verified before it)`);
        return 2;
      });
  }
  console.error(USAGE);
  return 64;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
