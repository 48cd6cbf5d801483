import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import pg from "pg";
import { openDb } from "../src/core/db/index.js";
import { migrate } from "../src/core/db/migrations.js";
import { seedDemo } from "../src/seed/demo.js";

/**
 * Template databases for a test run. Migrating and seeding the demo took most of a test file's
 * time, repeated in every file; scripts/run-tests.mjs builds both states once per run and every
 * test file starts from a copy (test/helpers.ts). Without the runner, helpers do the work in place.
 */

/** The environment variable through which the runner hands its templates to the test files. */
export const TEMPLATES_ENV = "CITE_TEST_TEMPLATES";

export interface Templates {
  /** The server the templates live on (TEST_DATABASE_URL); absent for the embedded engine. */
  serverUrl?: string;
  /** Migrated only: a database name on the server, or an embedded data folder's tarball. */
  migrated: string;
  /** Migrated and seeded with the demo, likewise. */
  demo: string;
  /** The stored files the demo seed wrote; a database copied from `demo` points at them. */
  demoFiles: string;
}

/** Server templates are named after the runner's process, so a later run can tell a crashed run's leftovers from a live run's. */
const TEMPLATE_PREFIX = "cite_tpl_";

/** The templates the runner built for this engine, if any. */
export function templatesFromEnv(serverUrl: string | undefined): Templates | undefined {
  const raw = process.env[TEMPLATES_ENV];
  if (!raw) return undefined;
  const templates = JSON.parse(raw) as Templates;
  // Templates of another engine or server cannot serve this one: the caller then works in place.
  return (templates.serverUrl || undefined) === (serverUrl || undefined) ? templates : undefined;
}

async function withAdmin<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function dropTemplate(client: pg.Client, name: string): Promise<void> {
  // A template database cannot be dropped until it is an ordinary one again.
  await client.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE false`).catch(() => undefined);
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/**
 * Drops the templates of runs whose process is gone (killed before it could clean up). Runs that
 * are still going, in other worktrees on the same server, keep theirs.
 */
export async function dropStaleTemplates(serverUrl: string): Promise<string[]> {
  return withAdmin(serverUrl, async (client) => {
    const rows = (await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [TEMPLATE_PREFIX])).rows;
    const stale = rows.map((row) => row.datname).filter((name) => {
      const pid = Number(/^cite_tpl_(\d+)_/.exec(name)?.[1]);
      return Number.isInteger(pid) && pid > 0 && !processAlive(pid);
    });
    for (const name of stale) await dropTemplate(client, name);
    return stale;
  });
}

async function buildServerTemplates(serverUrl: string, workDir: string): Promise<Templates> {
  const stamp = `${TEMPLATE_PREFIX}${process.pid}_${randomBytes(4).toString("hex")}`;
  const templates: Templates = { serverUrl, migrated: `${stamp}_migrated`, demo: `${stamp}_demo`, demoFiles: path.join(workDir, "demo-files") };
  try {
    await withAdmin(serverUrl, (client) => client.query(`CREATE DATABASE ${templates.migrated}`));
    const migrated = await openDb({ databaseUrl: databaseUrl(serverUrl, templates.migrated) });
    try {
      await migrate(migrated);
    } finally {
      // CREATE DATABASE … TEMPLATE refuses a source anyone is connected to: the pool must be gone.
      await migrated.close();
    }
    await withAdmin(serverUrl, (client) => client.query(`CREATE DATABASE ${templates.demo} TEMPLATE ${templates.migrated}`));
    const demo = await openDb({ databaseUrl: databaseUrl(serverUrl, templates.demo) });
    try {
      await seedDemo(demo, templates.demoFiles);
    } finally {
      await demo.close();
    }
    await withAdmin(serverUrl, async (client) => {
      // Closed to connections, a template can always be copied, however many test files do so at once.
      for (const name of [templates.migrated, templates.demo]) await client.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    });
  } catch (error) {
    await dropTemplates(templates).catch(() => undefined);
    throw error;
  }
  return templates;
}

/** Closes an embedded data folder and keeps it as a tarball, the form PGlite starts from. */
async function tarballOf(dataDir: string, tarball: string): Promise<void> {
  const pglite = await PGlite.create(path.join(dataDir, "pgdata"), { extensions: { pg_trgm, unaccent } });
  try {
    fs.writeFileSync(tarball, Buffer.from(await (await pglite.dumpDataDir("none")).arrayBuffer()));
  } finally {
    await pglite.close();
  }
}

async function buildEmbeddedTemplates(workDir: string): Promise<Templates> {
  const templates: Templates = { migrated: path.join(workDir, "migrated.tar"), demo: path.join(workDir, "demo.tar"), demoFiles: path.join(workDir, "demo-files") };
  const migratedDir = path.join(workDir, "migrated");
  const migrated = await openDb({ dataDir: migratedDir });
  try {
    await migrate(migrated);
  } finally {
    await migrated.close();
  }
  await tarballOf(migratedDir, templates.migrated);
  const demoDir = path.join(workDir, "demo");
  fs.cpSync(migratedDir, demoDir, { recursive: true });
  const demo = await openDb({ dataDir: demoDir });
  try {
    await seedDemo(demo, templates.demoFiles);
  } finally {
    await demo.close();
  }
  await tarballOf(demoDir, templates.demo);
  // The tarballs hold everything; the folders they came from are not needed any more.
  fs.rmSync(migratedDir, { recursive: true, force: true });
  fs.rmSync(demoDir, { recursive: true, force: true });
  return templates;
}

/** Builds the migrated and the demo templates for the engine the tests will use, in workDir. */
export async function buildTemplates(workDir: string, serverUrl: string | undefined): Promise<Templates> {
  fs.mkdirSync(workDir, { recursive: true });
  return serverUrl ? buildServerTemplates(serverUrl, workDir) : buildEmbeddedTemplates(workDir);
}

/** Removes what buildTemplates made (the server's template databases; the files are the caller's). */
export async function dropTemplates(templates: Templates): Promise<void> {
  if (!templates.serverUrl) return;
  await withAdmin(templates.serverUrl, async (client) => {
    for (const name of [templates.demo, templates.migrated]) await dropTemplate(client, name);
  });
}
