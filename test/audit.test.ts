import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { recordAudit, verifyAudit } from "../src/core/audit/index.js";
import { openDb, type Db } from "../src/core/db/index.js";
import { migrate } from "../src/core/db/migrations.js";
import { Browser, createTestApp, createTestDb, DEMO, idOf, runCli, type TestContext } from "./helpers.js";

// A CLI run does migrations, argon2 hashing and PGlite start-up; this is a hang guard, not a timing assert.

/** Appends n entries the way the platform does: one transaction per change. */
async function appendEntries(db: Db, n: number): Promise<void> {
  for (let i = 1; i <= n; i += 1) {
    await db.transaction((tx) =>
      recordAudit(tx, { actorId: null, municipalityId: null, action: "test.entry.append", subjectType: "test", subjectId: `subject-${i}`, data: { i, nested: { b: 2, a: [1, "x"] } } }),
    );
  }
}

/** Does what only someone with direct database access can: switch the append-only guard off, change rows, switch it back. */
async function tamper(db: Db, sql: string, params: unknown[] = []): Promise<void> {
  await db.exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
  try {
    await db.query(sql, params);
  } finally {
    await db.exec("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
  }
}

describe("audit log: a hash chain that exposes any change", () => {
  let db: Db;
  let close: () => Promise<void>;
  before(async () => {
    ({ db, close } = await createTestDb());
    await migrate(db);
  });
  after(() => close());

  /** Every scenario starts from its own clean chain of five entries (TRUNCATE does not fire row triggers). */
  async function freshChain(n = 5): Promise<void> {
    await db.exec("TRUNCATE audit_log, audit_head");
    await appendEntries(db, n);
  }

  it("entries appended through recordAudit form a chain that verifies, every entry counted", async () => {
    await freshChain(5);
    assert.deepEqual(await verifyAudit(db), { ok: true, checked: 5 });
    // A chain longer than one page is walked across page boundaries, not just the first page.
    assert.deepEqual(await verifyAudit(db, 2), { ok: true, checked: 5 });
    const rows = await db.query<{ seq: number; action: string }>("SELECT seq, action FROM audit_log ORDER BY seq");
    assert.deepEqual(rows.map((row) => row.seq), [1, 2, 3, 4, 5]);
  });

  it("an empty log is intact with nothing checked", async () => {
    await db.exec("TRUNCATE audit_log, audit_head");
    assert.deepEqual(await verifyAudit(db), { ok: true, checked: 0 });
  });

  it("writers appending at the same time never fork the chain", async () => {
    await freshChain(0);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db.transaction((tx) => recordAudit(tx, { actorId: null, municipalityId: null, action: "test.concurrent", subjectType: "test", subjectId: String(i) })),
      ),
    );
    assert.deepEqual(await verifyAudit(db), { ok: true, checked: 8 });
  });

  it("an entry rolled back with its transaction leaves no trace and no gap", async () => {
    await freshChain(2);
    await assert.rejects(
      db.transaction(async (tx) => {
        await recordAudit(tx, { actorId: null, municipalityId: null, action: "test.rolled_back", subjectType: "test", subjectId: "x" });
        throw new Error("the change it records failed");
      }),
      /the change it records failed/,
    );
    await appendEntries(db, 1);
    assert.deepEqual(await verifyAudit(db), { ok: true, checked: 3 });
    assert.equal((await db.query("SELECT 1 FROM audit_log WHERE action = 'test.rolled_back'")).length, 0);
  });

  it("the database itself refuses a plain UPDATE or DELETE of an entry", async () => {
    await freshChain(5);
    await assert.rejects(db.query("UPDATE audit_log SET data = '{\"i\": 99}' WHERE seq = 3"), /append-only/);
    await assert.rejects(db.query("DELETE FROM audit_log WHERE seq = 3"), /append-only/);
    assert.deepEqual(await verifyAudit(db), { ok: true, checked: 5 });
  });

  it("an entry whose data was changed behind the trigger's back is reported as modified, at its number", async () => {
    await freshChain(5);
    await tamper(db, `UPDATE audit_log SET data = jsonb_set(data, '{i}', '42') WHERE seq = 3`);
    assert.deepEqual(await verifyAudit(db), { ok: false, checked: 2, problem: { seq: 3, reason: "modified" } });
  });

  it("a rewritten actor or action is reported as modified too", async () => {
    await freshChain(5);
    await tamper(db, "UPDATE audit_log SET action = 'test.entry.innocent' WHERE seq = 4");
    assert.deepEqual(await verifyAudit(db), { ok: false, checked: 3, problem: { seq: 4, reason: "modified" } });
    await freshChain(5);
    await tamper(db, "UPDATE audit_log SET actor_id = gen_random_uuid() WHERE seq = 2");
    assert.deepEqual(await verifyAudit(db), { ok: false, checked: 1, problem: { seq: 2, reason: "modified" } });
  });

  it("a deleted entry in the middle is reported at its number", async () => {
    await freshChain(5);
    await tamper(db, "DELETE FROM audit_log WHERE seq = 3");
    const result = await verifyAudit(db);
    assert.equal(result.ok, false);
    assert.equal(result.problem?.seq, 3);
    assert.ok(result.problem?.reason === "missing" || result.problem?.reason === "chain_broken", `reason was ${result.problem?.reason}`);
  });

  it("a deleted middle entry whose followers were renumbered to close the gap is still caught", async () => {
    await freshChain(5);
    await tamper(db, "DELETE FROM audit_log WHERE seq = 3");
    // One row at a time, so the primary key never sees two entries with the same number.
    await tamper(db, "UPDATE audit_log SET seq = 3 WHERE seq = 4");
    await tamper(db, "UPDATE audit_log SET seq = 4 WHERE seq = 5");
    const result = await verifyAudit(db);
    assert.equal(result.ok, false);
    assert.equal(result.problem?.seq, 3);
    assert.equal(result.problem?.reason, "chain_broken");
  });

  it("deleting the newest entry is caught by the recorded head", async () => {
    await freshChain(5);
    await tamper(db, "DELETE FROM audit_log WHERE seq = 5");
    const result = await verifyAudit(db);
    assert.equal(result.ok, false);
    assert.equal(result.checked, 4);
    assert.equal(result.problem?.seq, 5);
  });
});

describe("audit log: what the platform records", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestApp();
  });
  after(() => ctx.close());

  it("an editor creating then publishing a news item leaves two entries naming the editor and Rufisque", async () => {
    const editor = new Browser(ctx.app);
    await editor.signIn(DEMO.rufisque.editor);
    const saved = await editor.post("/rufisque/admin/news", { title: "Coupure d'eau mardi", summary: "Travaux sur le réseau.", body: "De 9 h à 14 h.", language: "fr" });
    assert.equal(saved.statusCode, 303);
    const newsId = await idOf(ctx.db, "SELECT id FROM news WHERE title = $1", ["Coupure d'eau mardi"]);
    assert.equal((await editor.post(`/rufisque/admin/news/${newsId}/publish`)).statusCode, 303);

    const editorId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.editor]);
    const rufisqueId = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    const entries = await ctx.db.query<{ action: string; actor_id: string; municipality_id: string; subject_type: string; data: { title: string } }>(
      "SELECT action, actor_id, municipality_id, subject_type, data FROM audit_log WHERE subject_id = $1 ORDER BY seq",
      [newsId],
    );
    assert.deepEqual(entries, [
      { action: "portal.news.create", actor_id: editorId, municipality_id: rufisqueId, subject_type: "news", data: { title: "Coupure d'eau mardi" } },
      { action: "portal.news.publish", actor_id: editorId, municipality_id: rufisqueId, subject_type: "news", data: { title: "Coupure d'eau mardi" } },
    ]);
    const verification = await verifyAudit(ctx.db);
    assert.equal(verification.ok, true);
  });

  it("an administrator granting a role leaves an auth.role.grant entry naming who, whom and which role", async () => {
    const administrator = new Browser(ctx.app);
    await administrator.signIn(DEMO.rufisque.administrator);
    const granted = await administrator.post("/rufisque/admin/members", { identifier: DEMO.rufisque.citizen, role: "editor" });
    assert.equal(granted.statusCode, 303);

    const administratorId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.administrator]);
    const citizenId = await idOf(ctx.db, "SELECT id FROM users WHERE phone = $1", [DEMO.rufisque.citizen]);
    const rufisqueId = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    const entries = await ctx.db.query<{ actor_id: string; municipality_id: string; subject_type: string; subject_id: string; data: { role: string } }>(
      "SELECT actor_id, municipality_id, subject_type, subject_id, data FROM audit_log WHERE action = 'auth.role.grant' AND subject_id = $1",
      [citizenId],
    );
    assert.deepEqual(entries, [{ actor_id: administratorId, municipality_id: rufisqueId, subject_type: "user", subject_id: citizenId, data: { role: "editor" } }]);
    assert.equal((await verifyAudit(ctx.db)).ok, true);
  });
});

describe("cite audit verify", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let serverDb: { db: Db; close: () => Promise<void> } | undefined;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-audit-cli-"));
    env = { DATA_DIR: dataDir, LOG_LEVEL: "warn" };
    if (process.env.TEST_DATABASE_URL) {
      // A database of its own, so the CLI sees exactly what this test seeded and tampered with.
      const created = await createTestDb();
      serverDb = created;
      env.DATABASE_URL = created.url!;
    }
  });
  after(async () => {
    await serverDb?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The database the CLI uses; the embedded one may only be opened while no CLI process holds it. */
  async function withCliDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (serverDb) return fn(serverDb.db);
    const db = await openDb({ dataDir });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }

  it("exits 0 and says intact on the seeded chain, exits 2 and says TAMPERED once an entry was altered", async () => {
    const seeded = await runCli(["seed"], env);
    assert.equal(seeded.code, 0, seeded.stderr);
    // A little activity beyond the seed, so the chain has more than one link to check.
    await withCliDb((db) => appendEntries(db, 3));

    const intact = await runCli(["audit", "verify"], env);
    assert.equal(intact.code, 0, intact.stderr);
    const entries = await withCliDb(async (db) => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log"))[0]!.n);
    assert.ok(entries > 4);
    assert.match(intact.stdout, new RegExp(`audit log intact: ${entries} entries verified`));

    const seedEntry = await withCliDb(async (db) => (await db.query<{ seq: number }>("SELECT seq FROM audit_log WHERE action = 'system.seed.demo'"))[0]!.seq);
    await withCliDb((db) => tamper(db, "UPDATE audit_log SET data = '{\"municipalities\": 6}' WHERE action = 'system.seed.demo'"));
    const tampered = await runCli(["audit", "verify"], env);
    assert.equal(tampered.code, 2);
    assert.match(tampered.stdout + tampered.stderr, new RegExp(`TAMPERED: entry ${seedEntry} is modified`));
  });
});
