import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { clusterTemplateFor, writeClusterTemplate } from "./cluster-template.js";

/** What a query needs: plain SQL with $1… parameters, returning flat rows. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Like query, with the name and type (pg_type OID) of each column, for answers that describe them. */
  queryWithFields<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Runs several statements separated by semicolons, without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk-loads CSV text with `COPY <target> FROM STDIN WITH (FORMAT csv)`: the fastest way in, on
   * both engines. `target` is a table with its column list, already quoted by the caller.
   */
  /** COPY … FROM STDIN (CSV) of text given whole or in chunks; chunks stream to a server as they are produced. */
  copyFromCsv(target: string, csv: CsvInput): Promise<void>;
}

export interface QueryResult<T> {
  rows: T[];
  fields: { name: string; dataTypeID: number }[];
}

/** CSV for COPY: one text, or chunks of text or of UTF-8 bytes. */
export type CsvInput = string | Iterable<string | Uint8Array>;

export interface Db extends Queryable {
  readonly engine: "pglite" | "postgres";
  /** Runs fn in one transaction; nested calls join the outer transaction. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface Tx extends Queryable {
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs work inside this transaction after everything else it does, just before COMMIT, in the
   * order registered (a rollback skips it). For work that takes a lock held until commit, such as
   * appending to an audit chain: taken last, the lock is held only for the commit. Optional so
   * that a Db, which is no transaction, may still be passed where a Tx is asked.
   */
  beforeCommit?(work: () => Promise<void>): void;
}

/** Runs the work registered with beforeCommit, including work that registers more. */
async function runBeforeCommit(queue: (() => Promise<void>)[]): Promise<void> {
  for (let work = queue.shift(); work; work = queue.shift()) await work();
}

// int8 and numeric come back as strings from the server; PGlite agrees once told the same parsers.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => v);
// A calendar date stays the text it is: as a Date it would shift with the server's time zone.
pg.types.setTypeParser(1082, (v) => v);

function* asBuffers(csv: CsvInput): Generator<Uint8Array> {
  if (typeof csv === "string") yield Buffer.from(csv, "utf8");
  else for (const chunk of csv) if (chunk.length > 0) yield typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
}

async function copyThroughClient(client: pg.PoolClient, target: string, csv: CsvInput): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${target} FROM STDIN WITH (FORMAT csv)`));
  // Chunks are produced as the server asks for more: converting and loading overlap.
  await pipeline(Readable.from(asBuffers(csv)), stream);
}

/** PGlite reads COPY's input from a Blob standing in for the file /dev/blob. */
const asBlob = (csv: CsvInput) => new Blob(typeof csv === "string" ? [csv] : [...csv]);

class ServerDb implements Db {
  readonly engine = "postgres" as const;
  private pool: pg.Pool;
  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle connection the server closes (a restart, a terminated backend) is dropped from the
    // pool and replaced on next use; without a listener its error would bring the process down.
    this.pool.on("error", (error) => {
      process.emitWarning(`database connection closed by the server: ${error.message}`);
    });
  }
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const result = await this.pool.query(sql, params as unknown[]);
    return result.rows as T[];
  }
  async queryWithFields<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    const result = await this.pool.query(sql, params as unknown[]);
    return { rows: result.rows as T[], fields: result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })) };
  }
  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }
  async copyFromCsv(target: string, csv: CsvInput): Promise<void> {
    const client = await this.pool.connect();
    try {
      await copyThroughClient(client, target, csv);
    } finally {
      client.release();
    }
  }
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const pending: (() => Promise<void>)[] = [];
    const tx: Tx = {
      query: async <R>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[],
      queryWithFields: async <R>(sql: string, params: unknown[] = []) => {
        const result = await client.query(sql, params);
        return { rows: result.rows as R[], fields: result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })) };
      },
      exec: async (sql: string) => {
        await client.query(sql);
      },
      copyFromCsv: (target, csv) => copyThroughClient(client, target, csv),
      transaction: (inner) => inner(tx),
      beforeCommit: (work) => {
        pending.push(work);
      },
    };
    try {
      await client.query("BEGIN");
      const value = await fn(tx);
      await runBeforeCommit(pending);
      await client.query("COMMIT");
      return value;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
  async close(): Promise<void> {
    await this.pool.end();
  }
}

const int8AsNumber = { 20: (v: string) => Number(v), 1700: (v: string) => v, 1082: (v: string) => v };

class EmbeddedDb implements Db {
  readonly engine = "pglite" as const;
  constructor(private pglite: PGlite) {}
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pglite.query<T>(sql, params, { parsers: int8AsNumber })).rows;
  }
  async queryWithFields<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    const { rows, fields } = await this.pglite.query<T>(sql, params, { parsers: int8AsNumber });
    return { rows, fields: fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })) };
  }
  async exec(sql: string): Promise<void> {
    await this.pglite.exec(sql);
  }
  async copyFromCsv(target: string, csv: CsvInput): Promise<void> {
    await this.pglite.query(`COPY ${target} FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: asBlob(csv) });
  }
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.pglite.transaction(async (inner) => {
      const pending: (() => Promise<void>)[] = [];
      const tx: Tx = {
        query: async <R>(sql: string, params: unknown[] = []) =>
          (await inner.query<R>(sql, params, { parsers: int8AsNumber })).rows,
        queryWithFields: async <R>(sql: string, params: unknown[] = []) => {
          const { rows, fields } = await inner.query<R>(sql, params, { parsers: int8AsNumber });
          return { rows, fields: fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })) };
        },
        exec: async (sql: string) => {
          await inner.exec(sql);
        },
        copyFromCsv: async (target: string, csv: CsvInput) => {
          await inner.query(`COPY ${target} FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: asBlob(csv) });
        },
        transaction: (nested) => nested(tx),
        beforeCommit: (work) => {
          pending.push(work);
        },
      };
      const value = await fn(tx);
      await runBeforeCommit(pending);
      return value;
    });
  }
  async close(): Promise<void> {
    await this.pglite.close();
  }
}

export interface OpenOptions {
  /** A PostgreSQL server URL; when absent the embedded engine is used. */
  databaseUrl?: string | undefined;
  /** Folder of the embedded database; when absent (tests) it lives in memory. */
  dataDir?: string | undefined;
  /**
   * A tarball of an embedded data folder (PGlite's dumpDataDir) to start from, for an embedded
   * database that does not exist yet: tests start from a migrated, seeded copy instead of
   * repeating the work in every file.
   */
  loadDataDir?: Blob | undefined;
}

export async function openDb(options: OpenOptions): Promise<Db> {
  if (options.databaseUrl) {
    const db = new ServerDb(options.databaseUrl);
    await db.query("select 1");
    return db;
  }
  let location: string | undefined;
  if (options.dataDir) {
    location = path.join(options.dataDir, "pgdata");
    fs.mkdirSync(location, { recursive: true });
  }
  const extensions = { pg_trgm, unaccent };
  // A new data folder starts from the empty cluster the build made, instead of running initdb.
  const template = options.loadDataDir ?? (location ? clusterTemplateFor(location) : undefined);
  try {
    return new EmbeddedDb(await PGlite.create(location, { extensions, ...(template ? { loadDataDir: template } : {}) }));
  } catch (error) {
    if (!location || options.loadDataDir || !template) throw error;
    // A template this engine cannot read costs the first start its initdb, never the start itself.
    process.emitWarning(`the build's empty database could not be used (${(error as Error).message}): creating it instead`);
    fs.rmSync(location, { recursive: true, force: true });
    fs.mkdirSync(location, { recursive: true });
    return new EmbeddedDb(await PGlite.create(location, { extensions }));
  }
}

/** The build's step (scripts/build.mjs): the empty cluster a new data folder starts from. */
export function writeEmptyCluster(): Promise<string> {
  return writeClusterTemplate({ pg_trgm, unaccent });
}
