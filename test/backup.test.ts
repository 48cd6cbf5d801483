import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { recordAudit, verifyAudit } from "../src/core/audit/index.js";
import { backup, BackupError, restore } from "../src/core/db/backup.js";
import { openDb, type Db, type Queryable } from "../src/core/db/index.js";
import { Browser, createTestApp, createTestDb, DEMO, runCli, visibleText, type TestContext } from "./helpers.js";

// A hang guard for one CLI run (PGlite start-up, migrations, argon2), not a timing assert.

/** Every row of every table, in a stable order: two equal dumps mean two databases holding the same data. */
async function dump(db: Queryable): Promise<Record<string, unknown[]>> {
  const tables = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname`,
  );
  const result: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    const [row] = await db.query<{ rows: unknown[] }>(`SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY to_jsonb(t)::text), '[]'::jsonb) AS rows FROM "${name}" t`);
    result[name] = row!.rows;
  }
  return result;
}

/** The stored files of a folder, by relative path, so they can be compared like table rows. */
function filesOf(dir: string): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath ?? entry.path, entry.name);
    out[path.relative(dir, full)] = fs.readFileSync(full).toString("base64");
  }
  return out;
}

/** The kind of day-to-day changes a restore must undo. */
async function changeEverything(db: Db): Promise<void> {
  await db.query("INSERT INTO users (name, phone, password_hash, locale) VALUES ('Nouvelle Habitante', '+221770009999', 'x', 'fr')");
  await db.query("DELETE FROM news WHERE id = (SELECT n.id FROM news n JOIN municipalities m ON m.id = n.municipality_id WHERE m.slug = 'rufisque' ORDER BY n.title LIMIT 1)");
  await db.query("UPDATE municipalities SET name = 'Rufisque (renommée)' WHERE slug = 'rufisque'");
  await db.query("DELETE FROM sessions");
  await db.transaction((tx) => recordAudit(tx, { actorId: null, municipalityId: null, action: "test.after.backup", subjectType: "test", subjectId: "1" }));
}


describe("backup and restore", () => {
  let ctx: TestContext;
  let work: string;
  let filesDir: string;
  let file: string;
  let signedIn: Browser;
  let original: Record<string, unknown[]>;
  let originalFiles: Record<string, string>;
  let originalAudit: number;
  before(async () => {
    ctx = await createTestApp();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "cite-backup-"));
    filesDir = path.join(work, "files");
    file = path.join(work, "backups", "cite.backup.gz");
    // A live session and a stored document, so the backup holds more than the seed.
    signedIn = new Browser(ctx.app);
    await signedIn.signIn(DEMO.rufisque.editor);
    fs.mkdirSync(path.join(filesDir, "ab"), { recursive: true });
    fs.writeFileSync(path.join(filesDir, "ab", "decree.pdf"), Buffer.concat([Buffer.from("%PDF-1.4\n"), randomBytes(2048)]));
    original = await dump(ctx.db);
    originalFiles = filesOf(filesDir);
    const verification = await verifyAudit(ctx.db);
    assert.equal(verification.ok, true);
    originalAudit = verification.checked;
  });
  after(async () => {
    await ctx.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("a restore gives back exactly the rows and files of the backup, undoing every later change", async () => {
    assert.ok(original.sessions!.length >= 1 && original.users!.length > 20 && original.news!.length > 20, "the seeded database is not empty");
    const written = await backup(ctx.db, file, filesDir);
    assert.ok(written.rows > 50);

    await changeEverything(ctx.db);
    fs.rmSync(path.join(filesDir, "ab", "decree.pdf"));
    assert.notDeepEqual(await dump(ctx.db), original);
    // The session cookie as the person's browser still holds it (the server clears it once it finds the session gone).
    const sid = signedIn.cookies.get("sid")!;
    assert.notEqual((await signedIn.get("/account")).statusCode, 200, "the session is gone before the restore");

    await restore(ctx.db, file, filesDir);
    assert.deepEqual(await dump(ctx.db), original);
    assert.deepEqual(filesOf(filesDir), originalFiles);
    assert.deepEqual(await verifyAudit(ctx.db), { ok: true, checked: originalAudit });
    // What people notice: the old name is back, and whoever was signed in still is.
    assert.match(visibleText((await new Browser(ctx.app).get("/rufisque/")).body), /Rufisque/);
    assert.doesNotMatch(visibleText((await new Browser(ctx.app).get("/rufisque/")).body), /renommée/);
    const sameBrowser = new Browser(ctx.app);
    sameBrowser.cookies.set("sid", sid);
    assert.equal((await sameBrowser.get("/account")).statusCode, 200);
  });

  it("the platform keeps working after a restore: new audit entries chain onto the restored head", async () => {
    const editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    assert.equal((await editor.post("/rufisque/admin/news", { title: "Après restauration", summary: "", body: "Tout fonctionne.", language: "fr" })).statusCode, 303);
    assert.deepEqual(await verifyAudit(ctx.db), { ok: true, checked: originalAudit + 1 });
    // Back to the backup's state for the tests that follow.
    await restore(ctx.db, file, filesDir);
    assert.deepEqual(await dump(ctx.db), original);
  });

  /** A file that is not a usable backup must be refused before anything is touched. */
  async function assertRefused(name: string, content: Buffer, kind: "backup-error" | "any-error" = "backup-error"): Promise<void> {
    const corrupt = path.join(work, name);
    fs.writeFileSync(corrupt, content);
    const before = await dump(ctx.db);
    const filesBefore = filesOf(filesDir);
    await assert.rejects(restore(ctx.db, corrupt, filesDir), (error: Error) => (kind === "backup-error" ? error instanceof BackupError : error instanceof Error), name);
    assert.deepEqual(await dump(ctx.db), before, `${name} changed the data`);
    assert.deepEqual(filesOf(filesDir), filesBefore, `${name} changed the stored files`);
  }

  it("random bytes, a truncated backup, or gzip'd text that is not a backup are refused and change nothing", async () => {
    const good = fs.readFileSync(file);
    await assertRefused("random.gz", randomBytes(4096));
    await assertRefused("truncated.gz", good.subarray(0, Math.floor(good.length / 2)));
    await assertRefused("not-json.gz", gzipSync("this is not JSON {"));
    await assertRefused("other-json.gz", gzipSync(JSON.stringify({ hello: "world", tables: { users: [] } })));
    await assertRefused("empty.gz", gzipSync(""));
    await assertRefused("empty-file.gz", Buffer.alloc(0));
    await assertRefused("null.gz", gzipSync("null"));
  });

  it("a backup whose file paths climb out of the files folder is refused before any data is replaced", async () => {
    const payload = JSON.parse(gunzipSync(fs.readFileSync(file)).toString("utf8")) as { files: Record<string, string> };
    // The database differs from the backup, so a restore that went ahead would show.
    await ctx.db.query("UPDATE municipalities SET name = 'Rufisque (modifiée)' WHERE slug = 'rufisque'");
    await assertRefused("escape.gz", gzipSync(JSON.stringify({ ...payload, files: { ...payload.files, "../escaped.txt": Buffer.from("x").toString("base64") } })));
    assert.equal(fs.existsSync(path.join(filesDir, "..", "escaped.txt")), false);
    await ctx.db.query("UPDATE municipalities SET name = 'Rufisque' WHERE slug = 'rufisque'");
  });

  it("a backup from another schema version, or naming a table this database lacks, is refused and changes nothing", async () => {
    const payload = JSON.parse(gunzipSync(fs.readFileSync(file)).toString("utf8")) as { migrations: string[]; tables: Record<string, unknown[]> };
    await assertRefused("older-schema.gz", gzipSync(JSON.stringify({ ...payload, migrations: payload.migrations.slice(0, 1) })));
    await assertRefused("foreign-table.gz", gzipSync(JSON.stringify({ ...payload, tables: { ...payload.tables, "no_such_table": [{ id: 1 }] } })));
    // A row the schema rejects fails inside the transaction: the database error surfaces, the data stays.
    const users = payload.tables.users as { phone: string | null }[];
    const broken = { ...payload, tables: { ...payload.tables, users: [...users, { ...users[0], id: randomUUID(), phone: "not a phone" }] } };
    await assertRefused("broken-row.gz", gzipSync(JSON.stringify(broken)), "any-error");
  });
});

describe("cite backup / cite restore", () => {
  /** One CLI round trip: seed, back up, change, restore, and the data is the backup's again. */
  async function roundTrip(env: Record<string, string>, dataDir: string, withDb: (fn: (db: Db) => Promise<void>) => Promise<void>): Promise<void> {
    const seeded = await runCli(["seed"], env);
    assert.equal(seeded.code, 0, seeded.stderr);
    const filesDir = path.join(dataDir, "files");
    fs.mkdirSync(path.join(filesDir, "cd"), { recursive: true });
    fs.writeFileSync(path.join(filesDir, "cd", "poster.png"), randomBytes(512));
    const originalFiles = filesOf(filesDir);

    let original: Record<string, unknown[]> = {};
    await withDb(async (db) => {
      original = await dump(db);
    });
    const file = path.join(dataDir, "..", `${path.basename(dataDir)}.backup.gz`);
    const backedUp = await runCli(["backup", file], env);
    assert.equal(backedUp.code, 0, backedUp.stderr);
    assert.match(backedUp.stdout, /backup written to .*: \d+ rows from \d+ tables/);
    assert.ok(fs.statSync(file).size > 0);

    await withDb(async (db) => {
      await changeEverything(db);
      assert.notDeepEqual(await dump(db), original);
    });
    fs.rmSync(path.join(filesDir, "cd", "poster.png"));

    const restored = await runCli(["restore", file], env);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /restored \d+ rows into \d+ tables/);
    await withDb(async (db) => {
      assert.deepEqual(await dump(db), original);
      assert.equal((await verifyAudit(db)).ok, true);
    });
    assert.deepEqual(filesOf(filesDir), originalFiles);

    // A refused file leaves the operator with an error message and a non-zero exit, the data untouched.
    const corrupt = path.join(dataDir, "..", `${path.basename(dataDir)}.corrupt.gz`);
    fs.writeFileSync(corrupt, randomBytes(1000));
    const refused = await runCli(["restore", corrupt], env);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /not a readable backup/);
    await withDb(async (db) => assert.deepEqual(await dump(db), original));
    const audited = await runCli(["audit", "verify"], env);
    assert.equal(audited.code, 0, audited.stderr);
  }

  let work: string;
  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "cite-backup-cli-"));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("round trip on the embedded database in DATA_DIR", async () => {
    const dataDir = path.join(work, "embedded");
    // The embedded database is opened here only while no CLI process holds it.
    await roundTrip({ DATA_DIR: dataDir, LOG_LEVEL: "warn" }, dataDir, async (fn) => {
      const db = await openDb({ dataDir });
      try {
        await fn(db);
      } finally {
        await db.close();
      }
    });
  });

  // The server variant needs a PostgreSQL server, which only TEST_DATABASE_URL names.
  if (process.env.TEST_DATABASE_URL) {
    it("round trip on a PostgreSQL server database named by DATABASE_URL", async () => {
      const server = await createTestDb();
      try {
        const dataDir = path.join(work, "server");
        await roundTrip({ DATA_DIR: dataDir, DATABASE_URL: server.url!, LOG_LEVEL: "warn" }, dataDir, (fn) => fn(server.db));
        // The server run must not have fallen back to an embedded database in DATA_DIR.
        assert.equal(fs.existsSync(path.join(dataDir, "pgdata")), false);
      } finally {
        await server.close();
      }
    });
  }
});
