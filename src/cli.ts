import { loadConfig } from "./config.js";
import fs from "node:fs";
import { createCheckpoints, verifyKeptCheckpoints, type CheckpointsDocument } from "./core/audit/checkpoints.js";
import { LEGACY_CHAIN, NETWORK_CHAIN, verifyAuditChains, type AuditProblem } from "./core/audit/index.js";
import type { Queryable } from "./core/db/index.js";
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
  audit verify [--checkpoints FILE…]
                     check each audit chain: no entry modified or deleted, none cut off behind a
                     checkpoint, including checkpoints kept elsewhere (saved checkpoints.json files)
  audit checkpoint   sign and publish each audit chain's head now (the platform also does it daily)

Configuration comes from the environment: PORT, HOST, DATA_DIR, DATABASE_URL (see README).`;

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openConfiguredDb>>) => Promise<T>): Promise<T> {
  const db = await openConfiguredDb(loadConfig());
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** A chain as people know it: the municipality's address, "network", or the chain kept from before chains were split. */
async function chainNames(db: Queryable): Promise<(chain: string) => string> {
  const rows = await db.query<{ id: string; slug: string }>("SELECT id, slug FROM municipalities");
  const slugs = new Map(rows.map((row) => [row.id, row.slug]));
  return (chain) => (chain === NETWORK_CHAIN ? "network" : chain === LEGACY_CHAIN ? "legacy (before per-municipality chains)" : `${slugs.get(chain) ?? "unknown municipality"} (${chain})`);
}

function describeProblem(problem: AuditProblem): string {
  const checkpoint = problem.checkpoint ? `checkpoint of ${problem.checkpoint.at.toISOString()} at entry ${problem.checkpoint.seq} (hash ${problem.checkpoint.hash.slice(0, 16)}…)` : "";
  switch (problem.reason) {
    case "truncated":
      return `truncated behind the published ${checkpoint}: the chain now ends at entry ${problem.endsAt ?? 0}, entries after it were deleted`;
    case "checkpoint_mismatch":
      return `entry ${problem.seq} is not the one in the published ${checkpoint}: history was rewritten behind it`;
    case "checkpoint_forged":
      return `the ${checkpoint} is forged: its signature does not verify with the signer's key`;
    default:
      return `entry ${problem.seq} is ${problem.reason.replace("_", " ")}`;
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
        console.log((await seedDemo(db, loadConfig().filesDir, loadConfig().publicUrl, { progress: (line) => console.log(line) })) ? "demo data loaded" : "the database already holds a network: nothing changed");
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
      if (rest[0] === "checkpoint") {
        return withDb(async (db) => {
          const names = await chainNames(db);
          const run = await createCheckpoints(db);
          for (const checkpoint of run.made) console.log(`checkpoint of chain ${names(checkpoint.chain)}: entry ${checkpoint.seq}, hash ${checkpoint.hash}`);
          if (run.made.length === 0 && run.refused.length === 0) console.log("every chain's head is already checkpointed: nothing to do");
          for (const problem of run.refused) console.error(`chain ${names(problem.chain)} NOT checkpointed: ${describeProblem(problem)}`);
          return run.refused.length ? 2 : 0;
        });
      }
      if (rest[0] !== "verify") break;
      if (rest.length > 1 && (rest[1] !== "--checkpoints" || rest.length < 3)) break;
      return withDb(async (db) => {
        // Read first: a file that cannot be read is an error (exit 1), not a verdict on the log.
        const kept = rest.slice(2).map((file) => ({ file, document: JSON.parse(fs.readFileSync(file, "utf8")) as CheckpointsDocument }));
        // One snapshot: entries appended by the running platform meanwhile must not look like tampering.
        const verified = await db.transaction(async (tx) => {
          await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
          return { chains: await verifyAuditChains(tx), keptProblems: await Promise.all(kept.map(async ({ file, document }) => ({ file, problems: await verifyKeptCheckpoints(tx, document) }))) };
        });
        const { chains, keptProblems } = verified;
        const names = await chainNames(db);
        let tampered = false;
        for (const { file, problems } of keptProblems) {
          for (const problem of problems) {
            tampered = true;
            console.error(`audit chain ${names(problem.chain)} TAMPERED: ${describeProblem(problem)} (checkpoint kept in ${file})`);
          }
        }
        for (const chain of chains) {
          if (!chain.problem) {
            console.log(`chain ${names(chain.chain)}: ${chain.checked} entries intact, ${chain.checkpoints} checkpoint(s) hold`);
            continue;
          }
          tampered = true;
          console.error(`audit chain ${names(chain.chain)} TAMPERED: ${describeProblem(chain.problem)} (${chain.checked} entries verified before it)`);
        }
        if (tampered) return 2;
        console.log(`audit log intact: ${chains.reduce((sum, chain) => sum + chain.checked, 0)} entries verified in ${chains.length} chain(s)`);
        return 0;
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
