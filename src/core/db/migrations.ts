import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Db, Queryable } from "./index.js";

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../migrations");

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

export class MigrationStateError extends Error {
  readonly code = "MIGRATION_STATE";
}

// Any fixed key works: it only has to be the same for every process migrating this database.
const MIGRATION_LOCK_KEY = 7_316_201;

export function readMigrationFiles(dir = MIGRATIONS_DIR): MigrationFile[] {
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

async function ensureLedger(db: Queryable): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

/**
 * Compares the ledger with the files and refuses a database that this code cannot safely use:
 * a migration recorded but missing from disk (the database is newer than the code), a landed file
 * edited since it ran, or a gap (a later file applied before an earlier one).
 */
export async function migrationStatus(db: Queryable, files = readMigrationFiles()): Promise<MigrationStatus> {
  await ensureLedger(db);
  const rows = await db.query<{ name: string; checksum: string }>("SELECT name, checksum FROM schema_migrations ORDER BY name");
  const byName = new Map(files.map((file) => [file.name, file]));
  for (const row of rows) {
    const file = byName.get(row.name);
    if (!file) throw new MigrationStateError(`migration ${row.name} is recorded in the database but missing from ${MIGRATIONS_DIR}`);
    if (file.checksum !== row.checksum) throw new MigrationStateError(`migration ${row.name} was edited after it was applied`);
  }
  const applied = new Set(rows.map((row) => row.name));
  const pending = files.filter((file) => !applied.has(file.name)).map((file) => file.name);
  const lastApplied = rows.at(-1)?.name;
  if (lastApplied && pending.some((name) => name < lastApplied)) {
    throw new MigrationStateError(`migrations ${pending.filter((n) => n < lastApplied).join(", ")} are older than applied ${lastApplied}`);
  }
  return { applied: rows.map((row) => row.name), pending };
}

/** Applies every pending migration and its ledger row in one transaction: all of them or none. */
export async function migrate(db: Db, log: (line: string) => void = () => undefined, files = readMigrationFiles()): Promise<string[]> {
  await ensureLedger(db);
  return db.transaction(async (tx) => {
    // Serialises concurrent starts of several app processes on one server database.
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    const { pending } = await migrationStatus(tx, files);
    for (const name of pending) {
      const file = files.find((candidate) => candidate.name === name)!;
      log(`applying migration ${name}`);
      await tx.exec(file.sql);
      await tx.query("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", [file.name, file.checksum]);
    }
    return pending;
  });
}
