import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import { createHash, createPublicKey, randomUUID, verify } from "node:crypto";
import { checkpointsDocument, createCheckpoints, publishedCheckpoints } from "../src/core/audit/checkpoints.js";
import { recordAudit, verifyAudit, verifyAuditChains } from "../src/core/audit/index.js";
import { openDb, type Db, type Queryable } from "../src/core/db/index.js";
import { migrate, readMigrationFiles } from "../src/core/db/migrations.js";
import { Browser, createTestApp, createTestDb, DEMO, idOf, runCli, visibleText, type TestContext } from "./helpers.js";

// A CLI run does migrations, argon2 hashing and PGlite start-up; this is a hang guard, not a timing assert.

/** Appends n entries the way the platform does: one transaction per change (to the network's chain unless told a municipality). */
async function appendEntries(db: Db, n: number, municipalityId: string | null = null): Promise<void> {
  for (let i = 1; i <= n; i += 1) {
    await db.transaction((tx) =>
      recordAudit(tx, { actorId: null, municipalityId, action: "test.entry.append", subjectType: "test", subjectId: `subject-${i}`, data: { i, nested: { b: 2, a: [1, "x"] } } }),
    );
  }
}

/** Deletes a chain's newest entries and rewrites its head to the entry before them: a truncation that leaves the rest consistent. */
async function truncateChain(db: Db, chain: string, keep: number): Promise<void> {
  await tamper(db, "DELETE FROM audit_log WHERE chain = $1 AND seq > $2", [chain, keep]);
  await db.query("UPDATE audit_head SET seq = $2, hash = (SELECT hash FROM audit_log WHERE chain = $1 AND seq = $2) WHERE chain = $1", [chain, keep]);
}

/** The advisory locks this transaction holds, as (class, key) pairs. */
async function advisoryLocksHeld(tx: Queryable): Promise<string[]> {
  const rows = await tx.query<{ lock: string }>("SELECT classid::text || ':' || objid::text AS lock FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted ORDER BY 1");
  return rows.map((row) => row.lock);
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
    await db.exec("TRUNCATE audit_log, audit_head, audit_checkpoints");
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
    await db.exec("TRUNCATE audit_log, audit_head, audit_checkpoints");
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
    assert.deepEqual(await verifyAudit(db), { ok: false, checked: 2, problem: { chain: "network", seq: 3, reason: "modified" } });
  });

  it("a rewritten actor or action is reported as modified too", async () => {
    await freshChain(5);
    await tamper(db, "UPDATE audit_log SET action = 'test.entry.innocent' WHERE seq = 4");
    assert.deepEqual(await verifyAudit(db), { ok: false, checked: 3, problem: { chain: "network", seq: 4, reason: "modified" } });
    await freshChain(5);
    await tamper(db, "UPDATE audit_log SET actor_id = gen_random_uuid() WHERE seq = 2");
    assert.deepEqual(await verifyAudit(db), { ok: false, checked: 1, problem: { chain: "network", seq: 2, reason: "modified" } });
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

describe("audit chains: one per municipality and one for the network, each with its own lock", () => {
  let db: Db;
  let close: () => Promise<void>;
  const rufisque = randomUUID();
  const labe = randomUUID();
  before(async () => {
    ({ db, close } = await createTestDb());
    await migrate(db);
  });
  after(() => close());

  async function fresh(): Promise<void> {
    await db.exec("TRUNCATE audit_log, audit_head, audit_checkpoints");
  }

  it("each municipality's entries are numbered from 1 in its own chain, and each chain verifies on its own", async () => {
    await fresh();
    await appendEntries(db, 3, rufisque);
    await appendEntries(db, 2, labe);
    await appendEntries(db, 1, null);
    const numbers = await db.query<{ chain: string; seqs: number[] }>("SELECT chain, array_agg(seq::int ORDER BY seq) AS seqs FROM audit_log GROUP BY chain");
    assert.deepEqual(Object.fromEntries(numbers.map((row) => [row.chain, row.seqs])), { [rufisque]: [1, 2, 3], [labe]: [1, 2], network: [1] });
    assert.deepEqual(await verifyAudit(db), { ok: true, checked: 6 });

    // Labé's chain tampered with: Labé is reported, Rufisque's and the network's chains still hold.
    await tamper(db, "UPDATE audit_log SET data = '{}' WHERE chain = $1 AND seq = 2", [labe]);
    const chains = Object.fromEntries((await verifyAuditChains(db)).map((chain) => [chain.chain, chain]));
    assert.equal(chains[rufisque]!.problem, undefined);
    assert.equal(chains[rufisque]!.checked, 3);
    assert.equal(chains.network!.problem, undefined);
    assert.deepEqual(chains[labe]!.problem, { chain: labe, seq: 2, reason: "modified" });
  });

  it("an entry moved to another municipality's chain is reported as modified, though its hash still holds", async () => {
    await fresh();
    await appendEntries(db, 1, labe);
    await tamper(db, "UPDATE audit_log SET chain = $2 WHERE chain = $1", [labe, rufisque]);
    await db.query("UPDATE audit_head SET chain = $2 WHERE chain = $1", [labe, rufisque]);
    assert.deepEqual(await verifyAudit(db), { ok: false, checked: 0, problem: { chain: rufisque, seq: 1, reason: "modified" } });
  });

  it("appends in two municipalities take two different locks, so one never waits for the other", async () => {
    await fresh();
    await db.transaction(async (tx) => {
      await recordAudit(tx, { actorId: null, municipalityId: rufisque, action: "test.lock", subjectType: "test", subjectId: "r" });
      await recordAudit(tx, { actorId: null, municipalityId: labe, action: "test.lock", subjectType: "test", subjectId: "l" });
      // Runs after both appends, before commit: both chain locks are held, and they are two.
      tx.beforeCommit!(async () => {
        assert.equal(new Set(await advisoryLocksHeld(tx)).size, 2);
      });
    });
    assert.deepEqual(await verifyAudit(db), { ok: true, checked: 2 });
  });

  it("an entry recorded early in a transaction holds no chain lock while the rest of the transaction runs", async () => {
    await fresh();
    await db.transaction(async (tx) => {
      await recordAudit(tx, { actorId: null, municipalityId: rufisque, action: "test.early", subjectType: "test", subjectId: "x" });
      // Slow work (rendering a PDF, hashing a password) would run here: no audit lock is held yet.
      assert.deepEqual(await advisoryLocksHeld(tx), []);
    });
    assert.deepEqual(await verifyAudit(db), { ok: true, checked: 1 });
  });

  it("on a server, a transaction holding Rufisque's chain lock does not block an append in Labé, but does block one in Rufisque", async () => {
    await fresh();
    if (db.engine !== "postgres") {
      // The embedded engine has one connection: transactions run one after the other, there is nothing to wait on.
      assert.equal(db.engine, "pglite");
      return;
    }
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = db.transaction(async (tx) => {
      await recordAudit(tx, { actorId: null, municipalityId: rufisque, action: "test.hold", subjectType: "test", subjectId: "held" });
      tx.beforeCommit!(async () => {
        locked();
        await held;
      });
    });
    await isLocked;
    try {
      // lock_timeout is a hang guard that turns waiting into an error, not a timing assertion.
      await db.transaction(async (tx) => {
        await tx.query("SET LOCAL lock_timeout = '5s'");
        await recordAudit(tx, { actorId: null, municipalityId: labe, action: "test.other", subjectType: "test", subjectId: "free" });
      });
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query("SET LOCAL lock_timeout = '50ms'");
          await recordAudit(tx, { actorId: null, municipalityId: rufisque, action: "test.same", subjectType: "test", subjectId: "waits" });
        }),
        /lock timeout/,
      );
    } finally {
      release();
      await holder;
    }
    assert.deepEqual(await verifyAudit(db), { ok: true, checked: 2 });
  });
});

describe("audit checkpoints: a published head exposes a truncation behind it", () => {
  let db: Db;
  let close: () => Promise<void>;
  const rufisque = randomUUID();
  before(async () => {
    ({ db, close } = await createTestDb());
    await migrate(db);
  });
  after(() => close());

  async function fresh(n: number): Promise<void> {
    await db.exec("TRUNCATE audit_log, audit_head, audit_checkpoints");
    await appendEntries(db, n, rufisque);
    await appendEntries(db, 2, null);
  }

  it("a checkpoint is made of each chain whose head moved, signed, and not again while the head stays", async () => {
    await fresh(5);
    const first = await createCheckpoints(db);
    assert.deepEqual(first.made.map((checkpoint) => [checkpoint.chain, checkpoint.seq]).sort(), [["network", 2], [rufisque, 5]].sort());
    assert.deepEqual(first.refused, []);
    assert.deepEqual((await createCheckpoints(db)).made, []);
    await appendEntries(db, 1, rufisque);
    assert.deepEqual((await createCheckpoints(db)).made.map((checkpoint) => [checkpoint.chain, checkpoint.seq]), [[rufisque, 6]]);
    assert.deepEqual(await verifyAudit(db), { ok: true, checked: 8 });
    // The database refuses a plain change of a published checkpoint.
    await assert.rejects(db.query("DELETE FROM audit_checkpoints"), /append-only/);
  });

  it("deleting the last entries and rewriting the head is caught by the checkpoint published before", async () => {
    await fresh(5);
    await createCheckpoints(db);
    await truncateChain(db, rufisque, 3);
    const result = await verifyAudit(db);
    assert.equal(result.ok, false);
    assert.equal(result.problem?.chain, rufisque);
    assert.equal(result.problem?.reason, "truncated");
    assert.equal(result.problem?.seq, 5);
    assert.equal(result.problem?.endsAt, 3);
    // The truncated chain is not checkpointed again, which would bless the truncation.
    const run = await createCheckpoints(db);
    assert.deepEqual(run.made, []);
    assert.deepEqual(run.refused.map((problem) => [problem.chain, problem.reason]), [[rufisque, "truncated"]]);
  });

  it("a whole chain deleted behind its checkpoint is caught too", async () => {
    await fresh(3);
    await createCheckpoints(db);
    await tamper(db, "DELETE FROM audit_log WHERE chain = $1", [rufisque]);
    await db.query("DELETE FROM audit_head WHERE chain = $1", [rufisque]);
    const result = await verifyAudit(db);
    assert.deepEqual([result.ok, result.problem?.chain, result.problem?.reason, result.problem?.endsAt], [false, rufisque, "truncated", 0]);
  });

  it("entries deleted, then new ones appended up to the checkpoint's number, are caught: the entry is not the published one", async () => {
    await fresh(5);
    await createCheckpoints(db);
    await truncateChain(db, rufisque, 3);
    await appendEntries(db, 2, rufisque);
    const result = await verifyAudit(db);
    assert.deepEqual([result.ok, result.problem?.chain, result.problem?.seq, result.problem?.reason], [false, rufisque, 5, "checkpoint_mismatch"]);
  });

  it("a forged checkpoint (its signature does not verify) is caught", async () => {
    await fresh(5);
    await createCheckpoints(db);
    await db.exec("ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only");
    try {
      // Someone moving the published head back to hide a truncation.
      await db.query("UPDATE audit_checkpoints SET seq = 3, hash = (SELECT hash FROM audit_log WHERE chain = $1 AND seq = 3) WHERE chain = $1", [rufisque]);
    } finally {
      await db.exec("ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_append_only");
    }
    const result = await verifyAudit(db);
    assert.deepEqual([result.ok, result.problem?.chain, result.problem?.seq, result.problem?.reason], [false, rufisque, 3, "checkpoint_forged"]);
  });
});

describe("audit chains: a database written with the single chain keeps it, closed, as the legacy chain", () => {
  let db: Db;
  let close: () => Promise<void>;
  before(async () => {
    ({ db, close } = await createTestDb());
  });
  after(() => close());

  /** The hash the platform wrote before chains were split: canonical JSON of the entry, sha256. */
  function canonical(value: unknown): string {
    if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(",")}}`;
  }

  /** Appends as the single-chain platform did: one global number, one singleton head. */
  async function appendTheOldWay(municipalityId: string | null, i: number): Promise<void> {
    const [head] = await db.query<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_head");
    const seq = (head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? "0".repeat(64);
    const at = new Date();
    const data = { i };
    const hash = createHash("sha256").update(canonical([prevHash, seq, at.toISOString(), null, municipalityId, "test.old", "test", `old-${i}`, data])).digest("hex");
    await db.query(
      "INSERT INTO audit_log (seq, at, actor_id, municipality_id, action, subject_type, subject_id, data, prev_hash, hash) VALUES ($1, $2, NULL, $3, 'test.old', 'test', $4, $5, $6, $7)",
      [seq, at, municipalityId, `old-${i}`, JSON.stringify(data), prevHash, hash],
    );
    await db.query("INSERT INTO audit_head (singleton, seq, hash) VALUES (true, $1, $2) ON CONFLICT (singleton) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash", [seq, hash]);
  }

  it("the old entries verify as before, new ones start per-municipality chains, and the legacy chain is checkpointed", async () => {
    const files = readMigrationFiles();
    await migrate(db, () => undefined, files.filter((file) => file.name < "20261205T100000-audit-chains.sql"));
    const rufisque = randomUUID();
    for (let i = 1; i <= 4; i += 1) await appendTheOldWay(i % 2 ? rufisque : null, i);
    await migrate(db);

    assert.deepEqual(await verifyAudit(db), { ok: true, checked: 4 });
    await appendEntries(db, 2, rufisque);
    const chains = await db.query<{ chain: string; n: number }>("SELECT chain, count(*)::int AS n FROM audit_log GROUP BY chain ORDER BY chain");
    assert.deepEqual(Object.fromEntries(chains.map((row) => [row.chain, row.n])), { legacy: 4, [rufisque]: 2 });
    assert.deepEqual(await verifyAudit(db), { ok: true, checked: 6 });

    const run = await createCheckpoints(db);
    assert.deepEqual(run.made.map((checkpoint) => [checkpoint.chain, checkpoint.seq]).sort(), [["legacy", 4], [rufisque, 2]].sort());
    await tamper(db, "DELETE FROM audit_log WHERE chain = 'legacy' AND seq = 4");
    await db.query("UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE chain = 'legacy' AND seq = 3) WHERE chain = 'legacy'");
    const result = await verifyAudit(db);
    assert.deepEqual([result.ok, result.problem?.chain, result.problem?.reason], [false, "legacy", "truncated"]);
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
  it("each chain's signed checkpoints are public, linked from every page, and their signatures verify with the published keys", async () => {
    const rufisqueId = await idOf(ctx.db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
    const visitor = new Browser(ctx.app, { "accept-language": "en" });
    const home = await visitor.get("/rufisque/");
    assert.match(home.body, /<a href="\/rufisque\/audit\/checkpoints">Audit log: checkpoints<\/a>/);
    assert.match((await visitor.get("/")).body, /<a href="\/audit\/checkpoints">/);

    const [checkpoint] = await ctx.db.query<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_checkpoints WHERE chain = $1 ORDER BY seq DESC LIMIT 1", [rufisqueId]);
    assert.ok(checkpoint, "the demo's chains start checkpointed");
    const page = await visitor.get("/rufisque/audit/checkpoints");
    assert.equal(page.statusCode, 200);
    assert.match(visibleText(page.body), /Audit log checkpoints/);
    assert.ok(page.body.includes(checkpoint.hash));

    const document = (await visitor.get("/rufisque/audit/checkpoints.json")).json<{ keys: { kid: string; publicKey: string }[]; checkpoints: { chain: string; seq: number; hash: string; at: string; kid: string; signature: string }[] }>();
    assert.deepEqual(document.checkpoints.map((row) => [row.chain, row.seq, row.hash]), [[rufisqueId, checkpoint.seq, checkpoint.hash]]);
    // Anyone checks a signature with node's (or any) Ed25519, from the document alone.
    for (const row of document.checkpoints) {
      const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: document.keys.find((k) => k.kid === row.kid)!.publicKey }, format: "jwk" });
      const message = Buffer.from(JSON.stringify(["cite-audit-checkpoint-v1", row.chain, row.seq, row.hash, row.at]));
      assert.equal(verify(null, message, key, Buffer.from(row.signature, "base64url")), true);
    }
    // Neither the page nor the document gives away a private key.
    const [secret] = await ctx.db.query<{ private_key: string }>("SELECT private_key FROM audit_signing_keys WHERE signer = $1", [rufisqueId]);
    assert.ok(!page.body.includes(secret!.private_key) && !JSON.stringify(document).includes(secret!.private_key));

    const network = (await visitor.get("/audit/checkpoints.json")).json<{ checkpoints: { chain: string }[] }>();
    assert.deepEqual([...new Set(network.checkpoints.map((row) => row.chain))], ["network"]);
    assert.equal((await visitor.get("/audit/checkpoints")).statusCode, 200);
  });
});

describe("cite audit verify", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let serverDb: { db: Db; close: () => Promise<void> } | undefined;
  // Each scenario on a database of its own: one tampers with what the other needs intact.
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cite-audit-cli-"));
    env = { DATA_DIR: dataDir, LOG_LEVEL: "warn" };
    if (process.env.TEST_DATABASE_URL) {
      // A database of its own, so the CLI sees exactly what this test seeded and tampered with.
      const created = await createTestDb();
      serverDb = created;
      env.DATABASE_URL = created.url!;
    }
  });
  afterEach(async () => {
    await serverDb?.close();
    serverDb = undefined;
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

  it("cite audit checkpoint publishes each chain's head; verify exits 2 naming the chain and the checkpoint once Rufisque's chain was cut behind it", async () => {
    const seeded = await runCli(["seed"], env);
    assert.equal(seeded.code, 0, seeded.stderr);
    const rufisque = await withCliDb(async (db) => {
      const id = await idOf(db, "SELECT id FROM municipalities WHERE slug = 'rufisque'", []);
      await appendEntries(db, 3, id);
      return id;
    });
    const checkpointed = await runCli(["audit", "checkpoint"], env);
    assert.equal(checkpointed.code, 0, checkpointed.stderr);
    assert.match(checkpointed.stdout, /checkpoint of chain rufisque/);
    const head = await withCliDb(async (db) => (await db.query<{ seq: number }>("SELECT seq FROM audit_head WHERE chain = $1", [rufisque]))[0]!.seq);
    assert.equal((await runCli(["audit", "verify"], env)).code, 0);
    // An observer keeps a copy of Rufisque's published checkpoints.
    const kept = path.join(dataDir, "rufisque-checkpoints.json");
    await withCliDb(async (db) => fs.writeFileSync(kept, JSON.stringify(checkpointsDocument([rufisque], await publishedCheckpoints(db, [rufisque])))));

    await withCliDb((db) => truncateChain(db, rufisque, head - 2));
    const truncated = await runCli(["audit", "verify"], env);
    assert.equal(truncated.code, 2, truncated.stdout);
    assert.match(truncated.stderr, new RegExp(`audit chain rufisque \\(${rufisque}\\) TAMPERED: truncated behind the published checkpoint of \\S+ at entry ${head} .*now ends at entry ${head - 2}`));
    // The other chains are told intact, one line each.
    assert.match(truncated.stdout, /chain labe \(.*\): \d+ entries intact, 1 checkpoint\(s\) hold/);

    // Whoever also deletes the checkpoints stored beside the chain passes the database's own check,
    // but not the copy kept elsewhere.
    await withCliDb(async (db) => {
      await db.exec("ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only");
      try {
        await db.query("DELETE FROM audit_checkpoints WHERE chain = $1", [rufisque]);
      } finally {
        await db.exec("ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_append_only");
      }
    });
    assert.equal((await runCli(["audit", "verify"], env)).code, 0);
    const againstKept = await runCli(["audit", "verify", "--checkpoints", kept], env);
    assert.equal(againstKept.code, 2, againstKept.stdout);
    assert.match(againstKept.stderr, new RegExp(`audit chain rufisque \\(${rufisque}\\) TAMPERED: truncated behind the published checkpoint of \\S+ at entry ${head} .*\\(checkpoint kept in ${kept.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\)`));
  });

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
