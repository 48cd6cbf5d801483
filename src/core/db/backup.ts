import fs from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Db, Queryable } from "./index.js";

export const BACKUP_FORMAT = "cite-ouverte-backup";
export const BACKUP_VERSION = 1;

interface BackupFile {
  format: string;
  version: number;
  engine: string;
  created_at: string;
  /** Migrations applied when the backup was taken; a restore needs the same set. */
  migrations: string[];
  tables: Record<string, unknown[]>;
  /** Tables of the `datastore` schema, created at run time: their columns and rows. */
  datastore?: Record<string, { columns: { name: string; type: string }[]; rows: unknown[] }>;
  /** Stored files under DATA_DIR/files, base64, by path relative to that folder. */
  files: Record<string, string>;
  /**
   * The public schema's sequences (identity and serial columns included) as they stood, by name:
   * a restore sets them back, so that the next row gets a number no restored row holds.
   * Absent from backups written before it was added; a restore then goes by the restored rows.
   */
  sequences?: Record<string, { last_value: string; is_called: boolean }>;
}

/** The application's tables in an order where every table comes after those it references. */
async function tablesInDependencyOrder(db: Queryable): Promise<string[]> {
  const tables = (await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'schema_migrations' ORDER BY c.relname`,
  )).map((row) => row.name);
  const edges = await db.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
     JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE k.contype = 'f' AND n.nspname = 'public' AND c.relname <> p.relname`,
  );
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string) => {
    if (ordered.includes(table) || visiting.has(table)) return;
    visiting.add(table);
    for (const edge of edges) if (edge.child === table) visit(edge.parent);
    visiting.delete(table);
    ordered.push(table);
  };
  tables.forEach(visit);
  return ordered;
}

// Tables a module creates at run time (one per tabular resource) live in this schema.
const RUNTIME_SCHEMA = "datastore";

async function runtimeTables(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`,
    [RUNTIME_SCHEMA],
  );
  return rows.map((row) => row.name);
}

/**
 * The public schema's sequences, with the column each feeds when it belongs to one (an identity
 * column, GENERATED … AS IDENTITY, or a serial).
 */
async function publicSequences(db: Queryable): Promise<{ name: string; table: string | null; column: string | null }[]> {
  return db.query(
    `SELECT s.relname AS name, t.relname AS table, a.attname AS column
     FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
     LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
     LEFT JOIN pg_class t ON t.oid = d.refobjid
     LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     WHERE s.relkind = 'S' AND n.nspname = 'public' ORDER BY s.relname`,
  );
}

/** The columns a row can be given (generated columns are computed by the database, not given). */
async function insertableColumns(db: Queryable, schema: string, table: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum`,
    [schema, table],
  );
  return rows.map((row) => row.name);
}

const safeName = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new BackupError(`unexpected table or column name ${name}`);
  return `"${name}"`;
};

function listFiles(root: string, dir = root): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(root, full) : [path.relative(root, full)];
  });
}

/** Writes every row of every table, and the stored files, to one gzip'd JSON file. */
export async function backup(db: Db, file: string, filesDir?: string): Promise<{ tables: number; rows: number }> {
  const content = await db.transaction(async (tx) => {
    // One snapshot for the whole dump, so that it is consistent while the platform keeps running.
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    const migrations = (await tx.query<{ name: string }>("SELECT name FROM schema_migrations ORDER BY name")).map((row) => row.name);
    const tables: Record<string, unknown[]> = {};
    for (const table of await tablesInDependencyOrder(tx)) {
      const [row] = await tx.query<{ rows: unknown[] }>(`SELECT coalesce(jsonb_agg(to_jsonb(t)), '[]'::jsonb) AS rows FROM "${table}" t`);
      tables[table] = row?.rows ?? [];
    }
    const datastore: NonNullable<BackupFile["datastore"]> = {};
    for (const table of await runtimeTables(tx)) {
      const columns = await tx.query<{ name: string; type: string }>(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [RUNTIME_SCHEMA, table],
      );
      const [row] = await tx.query<{ rows: unknown[] }>(`SELECT coalesce(jsonb_agg(to_jsonb(t)), '[]'::jsonb) AS rows FROM ${RUNTIME_SCHEMA}.${safeName(table)} t`);
      datastore[table] = { columns, rows: row?.rows ?? [] };
    }
    const sequences: NonNullable<BackupFile["sequences"]> = {};
    for (const sequence of await publicSequences(tx)) {
      const [state] = await tx.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text AS last_value, is_called FROM public.${safeName(sequence.name)}`);
      sequences[sequence.name] = state!;
    }
    return { migrations, tables, datastore, sequences };
  });
  const files: Record<string, string> = {};
  if (filesDir) for (const relative of listFiles(filesDir)) files[relative] = fs.readFileSync(path.join(filesDir, relative)).toString("base64");
  const payload: BackupFile = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    engine: db.engine,
    created_at: new Date().toISOString(),
    migrations: content.migrations,
    tables: content.tables,
    datastore: content.datastore,
    files,
    sequences: content.sequences,
  };
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, gzipSync(JSON.stringify(payload)));
  return { tables: Object.keys(content.tables).length, rows: Object.values(content.tables).reduce((sum, rows) => sum + rows.length, 0) };
}

export class BackupError extends Error {}

/**
 * Sets every sequence of the public schema past what the restored rows use: to where the backup
 * saw it, or further if a restored row holds a higher number (a backup written without sequences,
 * or rows committed while it was read), so the next insert does not collide with a restored row.
 */
async function restoreSequences(tx: Queryable, saved: BackupFile["sequences"]): Promise<void> {
  for (const sequence of await publicSequences(tx)) {
    const state = saved?.[sequence.name];
    let used: bigint | null = state?.is_called ? BigInt(state.last_value) : null;
    if (sequence.table && sequence.column) {
      const [row] = await tx.query<{ max: string | null }>(`SELECT max(${safeName(sequence.column)})::text AS max FROM public.${safeName(sequence.table)}`);
      if (row?.max !== null && row?.max !== undefined && (used === null || BigInt(row.max) > used)) used = BigInt(row.max);
    }
    if (used !== null) await tx.query(`SELECT setval($1::regclass, $2::bigint, true)`, [`public.${safeName(sequence.name)}`, used.toString()]);
    else if (state) await tx.query(`SELECT setval($1::regclass, $2::bigint, false)`, [`public.${safeName(sequence.name)}`, state.last_value]);
  }
}

function isBackupShape(value: unknown): value is BackupFile {
  if (!value || typeof value !== "object") return false;
  const candidate = value as Partial<BackupFile>;
  return (
    candidate.format === BACKUP_FORMAT &&
    candidate.version === BACKUP_VERSION &&
    Array.isArray(candidate.migrations) &&
    candidate.migrations.every((name) => typeof name === "string") &&
    !!candidate.tables &&
    typeof candidate.tables === "object" &&
    Object.values(candidate.tables).every(Array.isArray) &&
    !!candidate.files &&
    typeof candidate.files === "object" &&
    Object.values(candidate.files).every((content) => typeof content === "string") &&
    (candidate.datastore === undefined ||
      (typeof candidate.datastore === "object" &&
        candidate.datastore !== null &&
        Object.values(candidate.datastore).every((table) => !!table && Array.isArray(table.columns) && Array.isArray(table.rows)))) &&
    (candidate.sequences === undefined ||
      (typeof candidate.sequences === "object" &&
        candidate.sequences !== null &&
        Object.values(candidate.sequences).every((state) => !!state && typeof state.last_value === "string" && /^-?\d{1,19}$/.test(state.last_value) && typeof state.is_called === "boolean")))
  );
}

/**
 * Replaces all data with the backup's, in one transaction: on any error nothing is changed.
 * The database must be migrated to the same migrations the backup was taken at.
 */
export async function restore(db: Db, file: string, filesDir?: string): Promise<{ tables: number; rows: number }> {
  let payload: BackupFile;
  try {
    payload = JSON.parse(gunzipSync(fs.readFileSync(file)).toString("utf8")) as BackupFile;
  } catch (error) {
    throw new BackupError(`${file} is not a readable backup: ${String(error)}`);
  }
  if (!isBackupShape(payload)) throw new BackupError(`${file} is not a Cité Ouverte backup of version ${BACKUP_VERSION}`);
  // Every file path is checked before anything is replaced, so a bad one changes nothing.
  const fileTargets = Object.entries(payload.files).map(([relative, base64]) => {
    const target = filesDir ? path.resolve(filesDir, relative) : "";
    if (filesDir && !target.startsWith(path.resolve(filesDir) + path.sep)) throw new BackupError(`refusing to write outside the files folder: ${relative}`);
    return { target, base64 };
  });
  let rows = 0;
  await db.transaction(async (tx) => {
    const migrations = (await tx.query<{ name: string }>("SELECT name FROM schema_migrations ORDER BY name")).map((row) => row.name);
    if (migrations.join(",") !== payload.migrations.join(",")) {
      throw new BackupError("the backup was taken at another schema version; migrate this database to the same version first");
    }
    const order = await tablesInDependencyOrder(tx);
    const unknown = Object.keys(payload.tables).filter((table) => !order.includes(table));
    if (unknown.length > 0) throw new BackupError(`the backup holds tables this database lacks: ${unknown.join(", ")}`);
    await tx.exec(`TRUNCATE ${order.map((table) => `"${table}"`).join(", ")} RESTART IDENTITY CASCADE`);
    for (const table of order) {
      const tableRows = payload.tables[table] ?? [];
      if (tableRows.length === 0) continue;
      // The rows keep the numbers they had: an identity column GENERATED ALWAYS takes a given
      // value only when told to override it (PostgreSQL refuses it otherwise).
      const columns = (await insertableColumns(tx, "public", table)).map(safeName).join(", ");
      await tx.query(`INSERT INTO "${table}" (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM jsonb_populate_recordset(NULL::"${table}", $1::jsonb)`, [
        JSON.stringify(tableRows),
      ]);
      rows += tableRows.length;
    }
    await restoreSequences(tx, payload.sequences);
    for (const table of await runtimeTables(tx)) await tx.exec(`DROP TABLE ${RUNTIME_SCHEMA}.${safeName(table)}`);
    for (const [table, content] of Object.entries(payload.datastore ?? {})) {
      const columns = content.columns.map((column) => {
        if (!/^[a-z][a-z0-9 ()]*$/.test(column.type)) throw new BackupError(`unexpected column type ${column.type}`);
        return `${safeName(column.name)} ${column.type}${column.name === "_id" ? " PRIMARY KEY" : ""}`;
      });
      await tx.exec(`CREATE TABLE ${RUNTIME_SCHEMA}.${safeName(table)} (${columns.join(", ")})`);
      if (content.rows.length > 0) {
        await tx.query(`INSERT INTO ${RUNTIME_SCHEMA}.${safeName(table)} SELECT * FROM jsonb_populate_recordset(NULL::${RUNTIME_SCHEMA}.${safeName(table)}, $1::jsonb)`, [JSON.stringify(content.rows)]);
      }
      rows += content.rows.length;
    }
  });
  if (filesDir) {
    for (const { target, base64 } of fileTargets) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, Buffer.from(base64, "base64"));
    }
  }
  return { tables: Object.keys(payload.tables).length, rows };
}
