import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { recordAudit, verifyAudit } from "../src/core/audit/index.js";
import { enqueueJob } from "../src/core/jobs/index.js";
import { backup, BackupError, restore } from "../src/core/db/backup.js";
import { openDb, type Db, type Queryable } from "../src/core/db/index.js";
import { migrate } from "../src/core/db/migrations.js";
import { logAccess } from "../src/modules/eservices/store.js";
import { recordAttendance } from "../src/modules/participation/meetings/service.js";
import { Browser, createTestApp, createTestDb, DEMO, runCli, visibleText, type TestContext } from "./helpers.js";

// A hang guard for one CLI run (PGlite start-up, migrations, argon2), not a timing assert.

/**
 * The tables a backup must carry, read from the catalogue: every table of the public schema but
 * the migrations ledger, and every table of the datastore schema (one per tabular resource).
 * A table someone adds is in this list without anyone remembering to add it.
 */
async function applicationTables(db: Queryable): Promise<{ schema: string; name: string }[]> {
  return db.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND (n.nspname = 'datastore' OR (n.nspname = 'public' AND c.relname <> 'schema_migrations'))
     ORDER BY 1, 2`,
  );
}

/** Every row of every table, in a stable order: two equal dumps mean two databases holding the same data. */
async function dump(db: Queryable): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const { schema, name } of [{ schema: "public", name: "schema_migrations" }, ...(await applicationTables(db))]) {
    const [row] = await db.query<{ rows: unknown[] }>(`SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY to_jsonb(t)::text), '[]'::jsonb) AS rows FROM "${schema}"."${name}" t`);
    result[schema === "public" ? name : `${schema}.${name}`] = row!.rows;
  }
  return result;
}

/** A dump without the migrations ledger, which a restore leaves as the database's own (when each migration ran here). */
const dataOf = (tables: Record<string, unknown[]>) => Object.fromEntries(Object.entries(tables).filter(([name]) => name !== "schema_migrations"));

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(256)]);

/**
 * What the demo seed leaves empty, done the way people do it, so that every table holds rows
 * when the backup is taken: an agent opens a dossier, an editor posts through the API with an
 * Idempotency-Key, someone asks for a password reset, a resident asks for a verification code,
 * flags a proposal and votes, an agent writes on a dossier and counts who came to a meeting, an editor publishes its
 * minutes with a photo, the daily housekeeping is queued.
 */
async function fillEveryTable(ctx: TestContext): Promise<void> {
  const id = async (sql: string, params: unknown[] = []) => (await ctx.db.query<{ id: string }>(sql, params))[0]!.id;
  const rufisque = await id("SELECT id FROM municipalities WHERE slug = 'rufisque'");

  const agent = new Browser(ctx.app);
  await agent.signIn(DEMO.rufisque.agent);
  const dossier = await id("SELECT id FROM dossiers WHERE municipality_id = $1 AND state <> 'draft' ORDER BY reference LIMIT 1", [rufisque]);
  assert.equal((await agent.get(`/rufisque/admin/dossiers/${dossier}`)).statusCode, 200, "an agent opens a dossier");
  const asked = await agent.post(`/rufisque/admin/dossiers/${dossier}/messages`, { thread_message: "Merci d'apporter l'original au guichet." });
  assert.equal(asked.statusCode, 303, "the agent writes to the applicant on the dossier");

  const editor = new Browser(ctx.app);
  await editor.signIn(DEMO.rufisque.editor);
  const news = await editor.postJson("/api/v1/rufisque/news", { title: "Avant la sauvegarde", body: "Publié par l'API.", publish: true }, { "idempotency-key": randomUUID() });
  assert.equal(news.statusCode, 201, "an editor posts news through the API");

  assert.equal((await new Browser(ctx.app).post("/account/reset", { identifier: DEMO.labe.agent, country: "GN" })).statusCode, 303, "a password reset is asked for");
  const signUp = await new Browser(ctx.app).post("/account/signup", { name: "Awa Sow", identifier: "77 555 98 76", country: "SN", password: "sunu-dekk-2026", m: "rufisque" });
  assert.equal(signUp.statusCode, 303, "a newcomer signs up and is sent a confirmation code");

  const citizen = new Browser(ctx.app);
  await citizen.signIn(DEMO.rufisque.citizen);
  assert.equal((await citizen.post("/rufisque/participation/verify/code")).statusCode, 200, "a resident asks for a verification code");

  const proposal = (await ctx.db.query<{ id: string; process: string }>(
    "SELECT p.id, r.slug AS process FROM proposals p JOIN processes r ON r.id = p.process_id WHERE p.municipality_id = $1 ORDER BY p.title LIMIT 1",
    [rufisque],
  ))[0]!;
  const flagged = await citizen.post(`/rufisque/participation/${proposal.process}/proposals/${proposal.id}/flag`, { subject_type: "proposal", subject_id: proposal.id, [`reason-${proposal.id}`]: "off_topic" });
  assert.equal(flagged.statusCode, 303, "a resident flags a proposal");

  // A verified resident votes for the open budget's cheapest projects, as many as it asks for.
  const budget = (await ctx.db.query<{ id: string; process: string; min_projects: number | null }>(
    `SELECT b.id, r.slug AS process, b.min_projects FROM budgets b JOIN processes r ON r.id = b.process_id
     WHERE b.municipality_id = $1 AND b.voting_opens_at <= now() AND b.voting_closes_at > now() LIMIT 1`,
    [rufisque],
  ))[0]!;
  const projects = (await ctx.db.query<{ id: string }>("SELECT id FROM budget_projects WHERE municipality_id = $1 AND budget_id = $2 ORDER BY cost, id", [rufisque, budget.id]))
    .slice(0, Math.max(1, budget.min_projects ?? 1))
    .map((project) => project.id);
  const voter = new Browser(ctx.app);
  await voter.signIn("+221770000111");
  await voter.get("/");
  const ballot = await ctx.app.inject({
    method: "POST",
    url: `/rufisque/participation/${budget.process}/budgets/${budget.id}/ballot`,
    payload: new URLSearchParams([["_csrf", voter.cookies.get("csrf")!], ...projects.map((project) => ["projects", project] as [string, string])]).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", cookie: voter.cookieHeader() },
  });
  assert.equal(ballot.statusCode, 303, "a verified resident votes");

  // People registered online for a meeting are ticked present once it has begun (the service is
  // given the hour of the meeting: the seed's meetings with registrations are still to come).
  const meeting = (await ctx.db.query<{ id: string; starts_at: Date; users: string[] }>(
    `SELECT m.id, m.starts_at, array_agg(r.user_id) AS users FROM meetings m JOIN meeting_registrations r ON r.municipality_id = m.municipality_id AND r.meeting_id = m.id
     WHERE m.municipality_id = $1 AND m.status = 'published' GROUP BY m.municipality_id, m.id ORDER BY m.id LIMIT 1`,
    [rufisque],
  ))[0]!;
  const agentId = await id("SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.agent]);
  await ctx.db.transaction((tx) =>
    recordAttendance(tx, rufisque, agentId, meeting.id, [{ gender: "woman", age_band: "35_59", count: meeting.users.length + 3 }], meeting.users, new Date(meeting.starts_at.getTime() + 60_000)),
  );
  // A meeting already held gets its minutes and a photo.
  const held = await id("SELECT id FROM meetings WHERE municipality_id = $1 AND status = 'published' AND ends_at < now() ORDER BY ends_at DESC LIMIT 1", [rufisque]);
  const minutes = await editor.postMultipart(`/rufisque/admin/meetings/${held}/minutes`, { minutes: "Compte rendu de la réunion.", caption: "La salle" }, { field: "photo", filename: "salle.png", data: PNG, type: "image/png" });
  assert.equal(minutes.statusCode, 303, "an editor publishes the minutes with a photo");

  // The worker queues the daily housekeeping when none is pending.
  await enqueueJob(ctx.db, "maintenance.purge", {}, new Date(Date.now() + 24 * 3600 * 1000));
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
    // The platform's own files folder: the seed's and the app's stored files are in the backup.
    filesDir = ctx.config.filesDir;
    file = path.join(work, "backups", "cite.backup.gz");
    // A live session, a row in every table and a stored document, so the backup holds more than the seed.
    signedIn = new Browser(ctx.app);
    await signedIn.signIn(DEMO.rufisque.editor);
    await fillEveryTable(ctx);
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

  it("before the backup, every table holds at least one row, so that restoring each one is proven", async () => {
    const tables = await applicationTables(ctx.db);
    assert.ok(tables.some((table) => table.schema === "datastore"), "the seed loads datastore tables");
    const empty: string[] = [];
    for (const { schema, name } of tables) {
      const [row] = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM "${schema}"."${name}" LIMIT 1) t`);
      if (row!.n === 0) empty.push(`${schema}.${name}`);
    }
    assert.deepEqual(empty, [], `tables left empty before the backup (give them a row in fillEveryTable): ${empty.join(", ")}`);
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

  it("an agent opening a dossier after a restore is logged under a new number, after the restored ones", async () => {
    const before = await ctx.db.query<{ id: number }>("SELECT id FROM dossier_access_log ORDER BY id");
    assert.ok(before.length >= 1);
    const agent = new Browser(ctx.app);
    await agent.signIn(DEMO.rufisque.agent);
    const [dossier] = await ctx.db.query<{ id: string }>("SELECT d.id FROM dossiers d JOIN municipalities m ON m.id = d.municipality_id WHERE m.slug = 'rufisque' ORDER BY d.reference LIMIT 1");
    assert.equal((await agent.get(`/rufisque/admin/dossiers/${dossier!.id}`)).statusCode, 200);
    const after = await ctx.db.query<{ id: number }>("SELECT id FROM dossier_access_log ORDER BY id");
    assert.equal(after.length, before.length + 1);
    assert.ok(after.at(-1)!.id > before.at(-1)!.id);
    await restore(ctx.db, file, filesDir);
    assert.deepEqual(await dump(ctx.db), original);
  });

  it("restores into a fresh database the same rows and files; restoring again on top changes nothing; new rows get new numbers", async () => {
    const fresh = await createTestDb();
    const freshFiles = path.join(work, "fresh-files");
    try {
      await migrate(fresh.db);
      await restore(fresh.db, file, freshFiles);
      assert.deepEqual(dataOf(await dump(fresh.db)), dataOf(original));
      assert.deepEqual(filesOf(freshFiles), originalFiles);
      assert.deepEqual(await verifyAudit(fresh.db), { ok: true, checked: originalAudit });

      await restore(fresh.db, file, freshFiles);
      assert.deepEqual(dataOf(await dump(fresh.db)), dataOf(original), "a restore on top of a restore gives the same data");
      assert.deepEqual(filesOf(freshFiles), originalFiles);

      // A backup of the restored database restores to the same data again.
      const again = path.join(work, "backups", "again.backup.gz");
      await backup(fresh.db, again, freshFiles);
      await restore(ctx.db, again, filesDir);
      assert.deepEqual(await dump(ctx.db), original);

      const [row] = await fresh.db.query<{ municipality_id: string; dossier_id: string }>("SELECT municipality_id, dossier_id FROM dossier_access_log ORDER BY id DESC LIMIT 1");
      await logAccess(fresh.db, row!.municipality_id, row!.dossier_id, null, "view");
      const ids = (await fresh.db.query<{ id: number }>("SELECT id FROM dossier_access_log ORDER BY id")).map((entry) => entry.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.equal(ids.length, original.dossier_access_log!.length + 1);
    } finally {
      await fresh.close();
    }
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
      // A dossier opened by an agent: its access-log row has an identity column (GENERATED ALWAYS).
      const [dossier] = await db.query<{ municipality_id: string; id: string }>("SELECT municipality_id, id FROM dossiers ORDER BY reference LIMIT 1");
      await logAccess(db, dossier!.municipality_id, dossier!.id, null, "view");
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
    // Restoring the same file again, on top of the restored data, gives the same data.
    const again = await runCli(["restore", file], env);
    assert.equal(again.code, 0, again.stderr);
    await withDb(async (db) => assert.deepEqual(await dump(db), original));

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
